//! The embedded emulator, and the SDK end to end against it.

#[path = "../common/mod.rs"]
mod common;

mod control;
mod create_by_names;
mod e2e;
mod ephemeral;
mod faults;
mod hardening;
mod lifecycle;
mod operations;
mod python;
mod refusals;
mod setup;
mod state;
mod strict;
mod tokens;
mod wire;
