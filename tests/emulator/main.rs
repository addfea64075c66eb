//! The embedded emulator, and the SDK end to end against it.

#[path = "../common/mod.rs"]
mod common;

mod create_by_names;
mod e2e;
mod faults;
mod lifecycle;
mod operations;
mod refusals;
mod setup;
mod tokens;
mod wire;
