//! `camunda-admin emulator`: the SDK's emulator in the foreground, for
//! shell scripts and tools in any language. It prints the `export
//! CAMUNDA_*=...` lines that point the command line and Camunda's SDKs at
//! it (its admin credential is a fake one that only this emulator takes),
//! with a token cache folder of its own and the control plane's token, and
//! stops cleanly on Ctrl-C or SIGTERM.

use std::{io::Write, net::IpAddr, path::PathBuf, time::Duration};

use camunda_admin::emulator::{Emulator, EmulatorError, Transition};
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
    let transition = |id: &'static str, default: &'static str, help: &'static str| {
        Arg::new(id)
            .long(id)
            .value_name("DURATION|manual")
            .default_value(default)
            .value_parser(parse_transition)
            .help(help)
    };
    Command::new("emulator")
        .about("Run the emulator of the API and its token service on 127.0.0.1 until Ctrl-C or SIGTERM")
        .long_about("Run the emulator of the API and its token service on 127.0.0.1 until Ctrl-C or SIGTERM.\n\nIt prints the export lines that point camunda-admin (and Camunda's SDKs) at it on stdout: the API, its fake admin credential, a private token cache folder (removed when it stops) and the token of its control plane (faults, the request journal, reset, the clock and transitions under /__emulator/). Everything it holds lives in memory and is gone when it stops, unless --state keeps it in a file.")
        .arg(
            Arg::new("port")
                .long("port")
                .value_name("N")
                .default_value("0")
                .value_parser(value_parser!(u16))
                .help("The port (0: a free one)"),
        )
        .arg(
            Arg::new("bind")
                .long("bind")
                .value_name("ADDR")
                .default_value("127.0.0.1")
                .value_parser(value_parser!(IpAddr))
                .help("The address to listen on, such as 0.0.0.0 for containers; beyond loopback the control plane takes only the control token"),
        )
        .arg(transition("ready-delay", "3s", "How long a created, woken or upgraded cluster takes to be Healthy (manual: until POST /__emulator/transitions/step)"))
        .arg(transition("backup-delay", "2s", "How long a backup takes (or manual)"))
        .arg(transition("restore-delay", "2s", "How long a restore takes (or manual)"))
        .arg(duration("token-lifetime", "24h", "How long an issued token is valid"))
        .arg(
            Arg::new("strict")
                .long("strict")
                .action(ArgAction::SetTrue)
                .help("Refuse what the document does not allow where the service is lenient: unknown fields of a closed body (400), a body not sent as JSON (415)"),
        )
        .arg(
            Arg::new("state")
                .long("state")
                .value_name("FILE")
                .value_parser(value_parser!(PathBuf))
                .help("Keep the whole state in FILE across restarts: loaded at start if it exists, written after every change (mode 0600: it holds secrets; its folder must not be writable by others)"),
        )
        .arg(
            Arg::new("seed")
                .long("seed")
                .value_name("FILE")
                .value_parser(value_parser!(PathBuf))
                .help("Start from FILE (the --state format), only read; a reset returns to it. With --state, an existing state file wins"),
        )
        .arg(
            Arg::new("no-token-rate-limit")
                .long("no-token-rate-limit")
                .action(ArgAction::SetTrue)
                .help("Answer every token request (else one per second per client id, as the service)"),
        )
        .arg(
            Arg::new("max-connections")
                .long("max-connections")
                .value_name("N")
                .default_value("512")
                .value_parser(value_parser!(usize))
                .help("Connections served at once; one more is answered 503"),
        )
        .arg(duration("request-read-timeout", "10s", "How long a request's head may take from its first byte, and its body"))
        .arg(duration("idle-timeout", "30s", "How long a connection may wait for its next request"))
}

/// A transition: `manual`, or a duration (`0s`: at once).
fn parse_transition(text: &str) -> Result<Transition, String> {
    if text.eq_ignore_ascii_case("manual") {
        return Ok(Transition::Manual);
    }
    humantime::parse_duration(text)
        .map(Transition::after)
        .map_err(|e| format!("{e} (a duration such as 2s, or manual)"))
}

fn transition(matches: &ArgMatches, id: &str) -> Transition {
    matches
        .get_one::<Transition>(id)
        .copied()
        .unwrap_or(Transition::Immediate)
}

fn duration(matches: &ArgMatches, id: &str) -> Duration {
    matches.get_one::<Duration>(id).copied().unwrap_or_default()
}

/// Run the emulator until a stop signal.
pub async fn run(matches: &ArgMatches) -> Result<(), CliError> {
    let port = matches.get_one::<u16>("port").copied().unwrap_or(0);
    let mut builder = Emulator::builder()
        .port(port)
        .cluster_transition(transition(matches, "ready-delay"))
        .backup_transition(transition(matches, "backup-delay"))
        .restore_transition(transition(matches, "restore-delay"))
        .token_lifetime(duration(matches, "token-lifetime"))
        .token_rate_limit(!matches.get_flag("no-token-rate-limit"))
        .strict(matches.get_flag("strict"))
        .request_read_timeout(duration(matches, "request-read-timeout"))
        .idle_timeout(duration(matches, "idle-timeout"));
    if let Some(bind) = matches.get_one::<IpAddr>("bind") {
        builder = builder.bind(*bind);
    }
    if let Some(max) = matches.get_one::<usize>("max-connections") {
        builder = builder.max_connections(*max);
    }
    if let Some(path) = matches.get_one::<PathBuf>("state") {
        builder = builder.state_file(path);
    }
    if let Some(path) = matches.get_one::<PathBuf>("seed") {
        builder = builder.seed_file(path);
    }
    // A token cache of its own, so that tools run against the emulator
    // leave nothing in the user's ~/.camunda; removed when this ends.
    let cache = token_cache_folder()?;
    let emulator = builder.start().await.map_err(|e| match e {
        // The library's message names the address; the port is the user's.
        EmulatorError::Bind(_) => {
            let port = if port == 0 {
                "a free port".to_owned()
            } else {
                format!("port {port}")
            };
            CliError::new(Kind::Other, format!("{e} ({port})"))
        }
        // The state and seed errors name their file.
        e => CliError::new(Kind::Other, e.to_string()),
    })?;
    // Listen before telling anyone we are up: a script that reads the
    // exports and stops us at once must find the handlers in place.
    let stop = StopSignal::listen()
        .map_err(|e| CliError::new(Kind::Other, format!("cannot wait for a signal: {e}")))?;
    print_exports(&emulator, cache.path())?;
    eprintln!(
        "camunda-admin: emulator at {} (control plane at {}); Ctrl-C or SIGTERM stops it",
        emulator.base_url(),
        emulator.control_url(),
    );
    if let Some(path) = matches.get_one::<PathBuf>("state") {
        eprintln!("camunda-admin: state kept in {}", path.display());
    }
    if !emulator.local_addr().ip().is_loopback() {
        eprintln!(
            "camunda-admin: warning: listening on {}, reachable beyond this machine; the control plane takes only CAMUNDA_EMULATOR_CONTROL_TOKEN",
            emulator.local_addr()
        );
    }
    stop.wait().await;
    // Requests being answered get the emulator's grace (2 s); the rest are
    // closed at once, so the process ends whatever its clients do.
    emulator.shutdown().await;
    drop(cache);
    eprintln!("camunda-admin: emulator stopped");
    Ok(())
}

/// A private folder (0700) for the token cache of tools run against the
/// emulator.
fn token_cache_folder() -> Result<tempfile::TempDir, CliError> {
    let folder = tempfile::Builder::new()
        .prefix("camunda-admin-emulator-")
        .tempdir()
        .map_err(|e| {
            CliError::new(
                Kind::Other,
                format!("cannot create a token cache folder: {e}"),
            )
        })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(folder.path(), std::fs::Permissions::from_mode(0o700)).map_err(
            |e| {
                CliError::new(
                    Kind::Other,
                    format!("cannot make the token cache folder private: {e}"),
                )
            },
        )?;
    }
    Ok(folder)
}

/// The export lines, flushed at once (stdout may be a file a script reads).
fn print_exports(emulator: &Emulator, cache: &std::path::Path) -> Result<(), CliError> {
    let secret = emulator.admin_client_secret();
    let control_token = emulator.control_token();
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
        // Camunda's Node SDK reads CAMUNDA_CONSOLE_CLIENT_* only when its
        // token URL is SaaS's; against any other it takes ZEEBE_CLIENT_*.
        ("ZEEBE_CLIENT_ID", emulator.admin_client_id().to_owned()),
        ("ZEEBE_CLIENT_SECRET", secret.expose_secret().to_owned()),
        ("CAMUNDA_TOKEN_CACHE_DIR", cache.display().to_string()),
        (
            "CAMUNDA_EMULATOR_CONTROL_TOKEN",
            control_token.expose_secret().to_owned(),
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

    #[test]
    fn transitions_are_durations_or_manual() {
        use super::{parse_transition, Transition};
        use std::time::Duration;
        assert_eq!(parse_transition("manual"), Ok(Transition::Manual));
        assert_eq!(parse_transition("0s"), Ok(Transition::Immediate));
        assert_eq!(
            parse_transition("2s"),
            Ok(Transition::After(Duration::from_secs(2)))
        );
        assert!(parse_transition("soon").is_err());
    }
}
