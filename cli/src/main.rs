//! `camunda-admin`: every operation of the Camunda 8 Administration API as
//! a command, generated from the same document as the SDK and run through
//! the SDK's public `Client` methods (path checks, retries, typed errors,
//! redaction, the disk token cache).
//!
//! The parts: the command table ([`table`]) and the clap tree built from it
//! ([`commands`], [`extras`]); arguments to an invocation ([`invocation`],
//! [`sources`], [`names`]); the client ([`connect`]); output ([`output`]);
//! waits ([`waits`]); exit codes ([`exit`]); the [`emulator`] and
//! [`completions`] subcommands; `-v` tracing ([`logging`]).

mod ci;
mod commands;
mod completions;
mod connect;
mod emulator;
mod exit;
mod extras;
mod invocation;
mod logging;
mod names;
mod output;
mod setup;
mod sources;
mod table;
mod waits;

use std::process::ExitCode;

use clap::{error::ErrorKind, value_parser, Arg, ArgAction, ArgMatches, Command};

use crate::{
    exit::{CliError, Kind},
    output::Format,
    sources::Stdin,
    table::Operation,
};

/// The help heading of the options every command takes.
const GLOBAL: &str = "Global options";

fn main() -> ExitCode {
    let matches = match cli().try_get_matches() {
        Ok(matches) => matches,
        Err(error) => return clap_failure(&error),
    };
    logging::init(matches.get_count("verbose"));
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(&CliError::new(Kind::Other, format!("cannot start: {e}"))),
    };
    match runtime.block_on(run(&matches)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&error),
    }
}

fn fail(error: &CliError) -> ExitCode {
    eprintln!("camunda-admin: error: {error}");
    error.exit_code()
}

/// The whole command line.
fn cli() -> Command {
    let command = Command::new("camunda-admin")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Camunda 8 Administration API from the shell: clusters, clients, secrets, backups and more")
        .after_help("Configuration: the CAMUNDA_* variables of the SDK (CAMUNDA_CONSOLE_CLIENT_ID, CAMUNDA_CONSOLE_CLIENT_SECRET, ...), overridden by the flags. Exit codes: 2 usage, 3 configuration, 4 authentication, 5 API 4xx, 6 API 5xx, 7 transport, 8 decode, 9 wait failed, 10 wait timed out.")
        .subcommand_required(true)
        .arg(
            Arg::new("output")
                .long("output")
                .short('o')
                .global(true)
                .help_heading(GLOBAL)
                .value_name("FORMAT")
                .default_value("json")
                .value_parser(value_parser!(Format))
                .help("How answers are printed"),
        )
        .arg(
            Arg::new("verbose")
                .long("verbose")
                .short('v')
                .global(true)
                .help_heading(GLOBAL)
                .action(ArgAction::Count)
                .help("Log the SDK's calls on stderr (-vv: everything)"),
        );
    let command = connect::args(command)
        .subcommands(commands::operation_groups())
        .subcommands(setup::commands())
        .subcommand(emulator::command())
        .subcommand(completions::command());
    ci::register(command)
}

/// Help and version on stdout; any other parse error as one line, exit 2.
fn clap_failure(error: &clap::Error) -> ExitCode {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            ExitCode::from(Kind::Usage as u8)
        }
        _ => {
            let rendered = error.render().to_string();
            let lines: Vec<&str> = rendered
                .lines()
                .map(str::trim)
                .filter(|l| l.starts_with("error:") || l.starts_with("tip:"))
                .map(|l| l.trim_start_matches("error:").trim())
                .collect();
            fail(&CliError::usage(format!(
                "{}; see --help",
                lines.join("; ")
            )))
        }
    }
}

async fn run(matches: &ArgMatches) -> Result<(), CliError> {
    if let Some(result) = ci::run(matches).await {
        return result;
    }
    match matches.subcommand() {
        Some(("emulator", sub)) => emulator::run(sub).await,
        Some(("completions", sub)) => {
            completions::run(sub, cli());
            Ok(())
        }
        Some((name, sub)) if setup::handles(name) => setup::run(name, sub).await,
        Some((group, sub)) => {
            let (spec, leaf) = commands::chosen(group, sub)
                .ok_or_else(|| CliError::usage(format!("{group}: no such command; see --help")))?;
            operation(spec, leaf).await
        }
        None => Err(CliError::usage("no command given; see --help")),
    }
}

/// Run one operation: its arguments, the call, the answer, the wait.
async fn operation(spec: &'static Operation, matches: &ArgMatches) -> Result<(), CliError> {
    let stdin = Stdin::default();
    let mut call = invocation::from_matches(spec, matches, &stdin)?;
    let client = connect::client(matches, &stdin, spec.authenticated)?;
    names::resolve(&client, spec, matches, &mut call.body).await?;
    let wait = waits::Wait::requested(spec, matches);
    let before = match wait {
        Some(_) => waits::before(&client, spec, &call.path).await?,
        None => waits::Before::default(),
    };
    let path = call.path.clone();
    let outcome = client.call_json(spec.id, call).await?;
    let show_values = matches.try_get_one::<bool>("show-values").ok().flatten() == Some(&true);
    let (outcome, warnings) = output::reveal(spec, outcome, show_values);
    for warning in warnings {
        eprintln!("camunda-admin: {warning}");
    }
    let format = matches
        .get_one::<Format>("output")
        .copied()
        .unwrap_or(Format::Json);
    // Printed before waiting: a failed wait never loses the answer (the id
    // of what was created).
    output::print(&outcome, format)?;
    match wait {
        Some(wait) => waits::finish(&client, spec, &path, &outcome, before, wait).await,
        None => Ok(()),
    }
}
