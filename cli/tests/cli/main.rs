//! The `camunda-admin` binary: its command tree, every command against the
//! emulator, exit codes, the README's lifecycle script, and secrets printed
//! only where asked for.

mod support;
#[allow(
    dead_code,
    unused_imports,
    reason = "the tests read COMMANDS and kebab only"
)]
#[path = "../../src/table.rs"]
mod table;

mod ci;
mod commands;
mod emulator;
mod everyday;
mod exit_codes;
mod fallbacks;
mod home;
mod lifecycle;
mod profiles;
mod secrets;
mod setup;
