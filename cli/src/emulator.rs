//! `camunda-admin emulator`: the SDK's emulator in the foreground, for
//! shell scripts and tools in any language. It prints the `export
//! CAMUNDA_*=...` lines that point the command line and Camunda's SDKs at
//! it (its admin credential is a fake one that only this emulator takes),
//! and stops cleanly on Ctrl-C or SIGTERM.

use std::{io::Write, time::Duration};

use camunda_admin::emulator::Emulator;
use clap::{value_parser, Arg, ArgAction, ArgMatches, Command};

use crate::exit::{CliError, Kind};

/// The `emulator` subcommand.
pub fn command() -> Command {
    let duration = |id: &'static str, default: &'static str, help: &'static str| {
        Arg::new(id)
            .long(id)
            .value_name("DURATION")
            .default_value(default)
            .value_parser(humantime::parse_duration)
            .help(help)
    };
    Command::new("emulator")
        .about("Run the emulator of the API and its token service on 127.0.0.1 until Ctrl-C or SIGTERM")
        .long_about("Run the emulator of the API and its token service on 127.0.0.1 until Ctrl-C or SIGTERM.\n\nIt prints the export lines that point camunda-admin (and Camunda's SDKs) at it on stdout. Everything it holds lives in memory and is gone when it stops.")
        .arg(
            Arg::new("port")
                .long("port")
                .value_name("N")
                .default_value("0")
                .value_parser(value_parser!(u16))
                .help("The port on 127.0.0.1 (0: a free one)"),
        )
        .arg(duration("ready-delay", "3s", "How long a created, woken or upgraded cluster takes to be Healthy"))
        .arg(duration("backup-delay", "2s", "How long a backup takes"))
        .arg(duration("restore-delay", "2s", "How long a restore takes"))
        .arg(duration("token-lifetime", "24h", "How long an issued token is valid"))
        .arg(
            Arg::new("no-token-rate-limit")
                .long("no-token-rate-limit")
                .action(ArgAction::SetTrue)
                .help("Answer every token request (else one per second per client id, as the service)"),
        )
}

fn duration(matches: &ArgMatches, id: &str) -> Duration {
    matches.get_one::<Duration>(id).copied().unwrap_or_default()
}

/// Run the emulator until a stop signal.
pub async fn run(matches: &ArgMatches) -> Result<(), CliError> {
    let port = matches.get_one::<u16>("port").copied().unwrap_or(0);
    let emulator = Emulator::builder()
        .port(port)
        .cluster_ready_delay(duration(matches, "ready-delay"))
        .backup_delay(duration(matches, "backup-delay"))
        .restore_delay(duration(matches, "restore-delay"))
        .token_lifetime(duration(matches, "token-lifetime"))
        .token_rate_limit(!matches.get_flag("no-token-rate-limit"))
        .start()
        .await
        // The library's message names the address; the port is the user's.
        .map_err(|e| {
            let port = if port == 0 {
                "a free port".to_owned()
            } else {
                format!("port {port}")
            };
            CliError::new(Kind::Other, format!("{e} ({port})"))
        })?;
    // Listen before telling anyone we are up: a script that reads the
    // exports and stops us at once must find the handlers in place.
    let stop = StopSignal::listen()
        .map_err(|e| CliError::new(Kind::Other, format!("cannot wait for a signal: {e}")))?;
    print_exports(&emulator)?;
    eprintln!(
        "camunda-admin: emulator at {}; Ctrl-C or SIGTERM stops it",
        emulator.base_url()
    );
    stop.wait().await;
    emulator.shutdown().await;
    eprintln!("camunda-admin: emulator stopped");
    Ok(())
}

/// The export lines, flushed at once (stdout may be a file a script reads).
fn print_exports(emulator: &Emulator) -> Result<(), CliError> {
    let secret = emulator.admin_client_secret();
    let lines = [
        ("CAMUNDA_CONSOLE_BASE_URL", emulator.base_url()),
        ("CAMUNDA_OAUTH_URL", emulator.token_url()),
        (
            "CAMUNDA_CONSOLE_OAUTH_AUDIENCE",
            emulator.audience().to_owned(),
        ),
        (
            "CAMUNDA_CONSOLE_CLIENT_ID",
            emulator.admin_client_id().to_owned(),
        ),
        // The emulator's own fake credential: printing it is the point.
        (
            "CAMUNDA_CONSOLE_CLIENT_SECRET",
            secret.expose_secret().to_owned(),
        ),
    ];
    let mut text = String::new();
    for (name, value) in lines {
        text.push_str(&format!("export {name}={}\n", shell_quote(&value)));
    }
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::new(Kind::Other, format!("cannot write to stdout: {e}")))
}

/// `value` in single quotes, safe for any POSIX shell.
fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// SIGINT (Ctrl-C) and SIGTERM, listened for from the moment it exists.
#[cfg(unix)]
struct StopSignal {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl StopSignal {
    fn listen() -> std::io::Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Self {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    async fn wait(mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}

/// Ctrl-C, where there are no Unix signals.
#[cfg(not(unix))]
struct StopSignal;

#[cfg(not(unix))]
impl StopSignal {
    fn listen() -> std::io::Result<Self> {
        Ok(Self)
    }

    async fn wait(self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn quoting_survives_quotes() {
        assert_eq!(super::shell_quote("a'b"), r"'a'\''b'");
    }
}
