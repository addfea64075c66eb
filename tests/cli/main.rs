//! The `camunda-admin` binary: its command tree, every command against the
//! emulator, exit codes, the README's lifecycle script, and secrets printed
//! only where asked for.

mod support;
#[allow(dead_code, reason = "the tests read COMMANDS only")]
#[path = "../../src/bin/camunda-admin/table.rs"]
mod table;

mod commands;
mod emulator;
mod exit_codes;
mod home;
mod lifecycle;
mod secrets;
