//! `camunda-admin`: every operation of the Camunda 8 Administration API as
//! a command, generated from the same document as the SDK and run through
//! the SDK's public `Client` methods (path checks, retries, typed errors,
//! redaction, the disk token cache).
//!
//! The parts: the command table ([`table`]) and the clap tree built from it
//! ([`commands`], [`extras`]), the hand-written commands ([`handwritten`]:
//! standalone waits, `allowlist list|add|remove`); arguments to an
//! invocation ([`invocation`], [`sources`], [`names`]); the client
//! ([`connect`], [`profiles`]); output ([`output`], [`jq`]); waits
//! ([`waits`]); exit codes ([`exit`]); the [`emulator`] and
//! [`completions`] subcommands; `-v` tracing ([`logging`]).

mod ci;
mod commands;
mod completions;
mod connect;
mod emulator;
mod exit;
mod extras;
mod handwritten;
mod invocation;
mod jq;
mod logging;
mod names;
mod output;
mod profiles;
mod setup;
mod sources;
mod table;
mod waits;

use std::process::ExitCode;

use clap::{error::ErrorKind, value_parser, Arg, ArgAction, ArgMatches, Command};

use crate::{
    exit::{CliError, Kind},
    output::{Format, Shown},
    sources::Stdin,
    table::Operation,
};

/// The help heading of the options every command takes.
const GLOBAL: &str = "Global options";
/// The help heading of the output options.
const OUTPUT: &str = "Output options";

fn main() -> ExitCode {
    completions::complete_if_asked(cli);
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
    // `plan`'s exit 11 is an answer with nothing to add on stderr.
    if error.has_message() {
        output::warn(&format!("error: {error}"));
    }
    error.exit_code()
}

/// The whole command line.
fn cli() -> Command {
    let command = Command::new("camunda-admin")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Camunda 8 Administration API from the shell: clusters, clients, secrets, backups and more")
        .after_help(format!("Configuration: the CAMUNDA_* variables of the SDK (CAMUNDA_CONSOLE_CLIENT_ID, CAMUNDA_CONSOLE_CLIENT_SECRET, ...), overridden by the flags. {}", exit::SUMMARY))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(
            Arg::new(output::OUTPUT)
                .long("output")
                .short('o')
                .global(true)
                .help_heading(OUTPUT)
                .value_name("FORMAT")
                .default_value("json")
                .value_parser(value_parser!(Format))
                .help("How answers are printed"),
        )
        .arg(
            Arg::new(output::JQ)
                .long("jq")
                .global(true)
                .help_heading(OUTPUT)
                .value_name("EXPR")
                .help("Filter the answer with a jq expression (run in process; strings print raw)"),
        )
        .arg(
            Arg::new(output::FIELDS)
                .long("fields")
                .global(true)
                .help_heading(OUTPUT)
                .value_name("A,B,...")
                .help("Keep these fields of the answer (of each item of a list; a.b for nested ones)"),
        )
        .arg(
            Arg::new(output::FORCE)
                .long("force")
                .global(true)
                .help_heading(OUTPUT)
                .action(ArgAction::SetTrue)
                .help("Send a command whose secret, shown once, the chosen output or stdout would lose"),
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
        .arg(
            Arg::new(commands::DRY_RUN)
                .long("dry-run")
                .global(true)
                .help_heading(GLOBAL)
                .action(ArgAction::SetTrue)
                .help("Print the request (method, URL, body with secrets replaced, names resolved to ids) and send nothing that changes state"),
        )
        .subcommands(commands::operation_groups(handwritten::subcommands))
        .subcommands(setup::commands())
        .subcommand(emulator::command())
        .subcommand(completions::command())
        .subcommand(profiles::command());
    ci::register(command)
}

/// clap's own message, in full (the missing argument's name, the allowed
/// values, a suggestion), on stderr with exit code 2; help and version on
/// stdout with 0. A bare `camunda-admin` prints its help (exit 0); a group
/// without its verb (`camunda-admin clusters`) prints the group's help on
/// stderr, exit 2: the command is incomplete.
fn clap_failure(error: &clap::Error) -> ExitCode {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand if std::env::args_os().len() <= 1 => {
            let _ = output::print_text(&error.render().to_string());
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                error.render().to_string().as_bytes(),
            );
            ExitCode::from(Kind::Usage as u8)
        }
        _ => {
            // clap writes to stderr; a stderr that cannot be written loses
            // the message only.
            let _ = error.print();
            ExitCode::from(Kind::Usage as u8)
        }
    }
}

async fn run(matches: &ArgMatches) -> Result<(), CliError> {
    output::check_options(matches)?;
    if let Some(result) = ci::run(matches).await {
        return result;
    }
    match matches.subcommand() {
        Some(("emulator", sub)) => emulator::run(sub).await,
        Some(("completions", sub)) => completions::run(sub, cli()),
        Some(("profile", sub)) => match sub.subcommand() {
            // Without a name: the settings a command would use, and their
            // sources (connect resolves them; profiles only stores them).
            Some(("show", show)) if show.get_one::<String>("name").is_none() => {
                output::print_text(&connect::show(show)?)
            }
            _ => profiles::run(sub),
        },
        Some((name, sub)) if setup::handles(name) => setup::run(name, sub).await,
        Some((group, sub)) => {
            if let Some((verb, leaf)) = sub.subcommand() {
                if let Some(result) = handwritten::run(group, verb, leaf).await {
                    return result;
                }
            }
            let (spec, leaf) = commands::chosen(group, sub)
                .ok_or_else(|| CliError::usage(format!("{group}: no such command; see --help")))?;
            operation(spec, leaf).await
        }
        None => Err(CliError::usage("no command given; see --help")),
    }
}

/// Run one operation: its arguments, the call, the answer, the wait. A
/// command that deletes takes several ids (the last path parameter): each
/// is sent in turn, its outcome on stderr, and the first failure is the
/// exit code.
async fn operation(spec: &'static Operation, matches: &ArgMatches) -> Result<(), CliError> {
    let stdin = Stdin::default();
    let calls = invocation::from_matches(spec, matches, &stdin)?;
    let client = connect::client(matches, &stdin, spec.authenticated)?;
    let dry_run = matches.get_flag(commands::DRY_RUN);
    output::check_env_form(spec, matches)?;
    if !dry_run {
        output::guard_secret_once(spec, matches)?;
    }
    if calls.len() > 1 || invocation::ignores_not_found(matches) {
        return invocation::each(&client, spec, calls, matches, dry_run).await;
    }
    let Some(mut call) = calls.into_iter().next() else {
        return Err(CliError::usage("nothing to do"));
    };
    names::resolve_path(&client, spec, &mut call.path).await?;
    names::resolve(&client, spec, matches, &mut call.body).await?;
    if dry_run {
        return invocation::show_prepared(&client, spec, &call);
    }
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
        output::warn(&warning);
    }
    let shown = if output::shows_secret_once(spec) {
        Shown::Once
    } else {
        Shown::Plain
    };
    let env = output::env_form(spec, &outcome);
    // Printed before waiting: a failed wait never loses the answer (the id
    // of what was created).
    output::emit(&outcome, matches, shown, env.as_deref())?;
    match wait {
        Some(wait) => waits::finish(&client, spec, &path, &outcome, before, wait).await,
        None => Ok(()),
    }
}
