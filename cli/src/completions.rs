//! Completions at every level (`camunda-admin clusters <TAB>`, `clusters
//! create --re<TAB>`), by clap's dynamic completion: `completions SHELL`
//! prints a script that registers a function calling `camunda-admin` with
//! `CAMUNDA_ADMIN_COMPLETE=SHELL` set, and the binary answers with the
//! candidates from its own command tree. The static scripts of
//! clap_complete complete only the top level of a hyphenated binary name.

use clap::{Arg, ArgMatches, Command};
use clap_complete::env::{CompleteEnv, Shells};

use crate::exit::CliError;

/// The variable that asks the binary for candidates.
const VAR: &str = "CAMUNDA_ADMIN_COMPLETE";
/// The binary the scripts complete and call.
const BIN: &str = "camunda-admin";

/// Answer a completion request and exit, if this run is one.
pub fn complete_if_asked(cli: fn() -> Command) {
    CompleteEnv::with_factory(cli)
        .var(VAR)
        .bin(BIN)
        .completer(BIN)
        .complete();
}

/// The `completions` subcommand.
pub fn command() -> Command {
    let shells: Vec<&'static str> = Shells::builtins().names().collect();
    Command::new("completions")
        .about("Print a shell completion script (source it, or save it where your shell looks)")
        .long_about(format!(
            "Print a shell completion script: it registers a function that asks camunda-admin (on the PATH) for the candidates, so completions follow the installed version.\n\nbash: camunda-admin completions bash > ~/.local/share/bash-completion/completions/camunda-admin\nzsh:  camunda-admin completions zsh > \"${{fpath[1]}}/_camunda-admin\"\nfish: camunda-admin completions fish > ~/.config/fish/completions/camunda-admin.fish\n\nShells: {}",
            shells.join(", ")
        ))
        .arg(
            Arg::new("shell")
                .required(true)
                .value_parser(shells)
                .help("The shell"),
        )
}

/// Print the registration script for the chosen shell.
pub fn run(matches: &ArgMatches, cli: Command) -> Result<(), CliError> {
    let name = matches
        .get_one::<String>("shell")
        .map_or("", String::as_str);
    let shells = Shells::builtins();
    let shell = shells
        .completer(name)
        .ok_or_else(|| CliError::usage(format!("no completions for {name}")))?;
    let mut script = Vec::new();
    shell
        .write_registration(VAR, cli.get_name(), BIN, BIN, &mut script)
        .map_err(|e| CliError::new(crate::exit::Kind::Other, format!("cannot write: {e}")))?;
    crate::output::print_text(&String::from_utf8_lossy(&script))
}
