//! The global options and the client they make: the SDK's `CAMUNDA_*`
//! variables, each overridden by its flag. The client secret never comes
//! from a flag's value: from `CAMUNDA_CONSOLE_CLIENT_SECRET`, or a file.

use camunda_admin::{
    config::{
        ENV_AUDIENCE, ENV_BASE_URL, ENV_CACHE_DIR, ENV_CLIENT_ID, ENV_CLIENT_SECRET,
        ENV_DISK_CACHE_DISABLE, ENV_TOKEN_URL,
    },
    Client, ClientBuilder,
};
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::{
    exit::CliError,
    sources::{self, Stdin},
};

/// Global flags and the variable each overrides.
const OVERRIDES: &[(&str, &str, &str)] = &[
    ("base-url", ENV_BASE_URL, "The API base URL"),
    ("token-url", ENV_TOKEN_URL, "The OAuth token endpoint"),
    ("client-id", ENV_CLIENT_ID, "The OAuth client id"),
    ("audience", ENV_AUDIENCE, "The token audience"),
    ("cache-dir", ENV_CACHE_DIR, "The disk token cache folder"),
];

const SECRET_FILE: &str = "client-secret-file";
const NO_DISK_CACHE: &str = "no-disk-cache";
const REQUEST_TIMEOUT: &str = "request-timeout";

/// How long a command asks a token service that does not answer (refused,
/// unresolvable, 5xx, 429) before it gives up: a shell or CI user wants the
/// failure in seconds, not after the library's minute.
const TOKEN_DEADLINE: Duration = Duration::from_secs(8);
/// The connect timeout never exceeds the library's default.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The global connection flags on `command`.
pub fn args(command: Command) -> Command {
    let command = OVERRIDES
        .iter()
        .fold(command, |command, (flag, var, help)| {
            command.arg(
                Arg::new(*flag)
                    .long(*flag)
                    .global(true)
                    .help_heading(crate::GLOBAL)
                    .value_name("VALUE")
                    .help(format!("{help} (overrides {var})")),
            )
        });
    command
        .arg(
            Arg::new(SECRET_FILE)
                .long(SECRET_FILE)
                .global(true)
                .help_heading(crate::GLOBAL)
                .value_name("PATH")
                .help(format!(
                    "Read the OAuth client secret from PATH (- for stdin) instead of {ENV_CLIENT_SECRET}"
                )),
        )
        .arg(
            Arg::new(NO_DISK_CACHE)
                .long(NO_DISK_CACHE)
                .global(true)
                .help_heading(crate::GLOBAL)
                .action(ArgAction::SetTrue)
                .help(format!("Keep tokens in memory only (as {ENV_DISK_CACHE_DISABLE}=true)")),
        )
        .arg(
            Arg::new(REQUEST_TIMEOUT)
                .long(REQUEST_TIMEOUT)
                .global(true)
                .help_heading(crate::GLOBAL)
                .value_name("DURATION")
                .value_parser(humantime::parse_duration)
                .help("Bound each HTTP attempt, token requests included (default 30s)"),
        )
}

/// The client the global flags and the environment describe. An operation
/// that needs no token (`meta ip-ranges`) runs without credentials when
/// none are given.
pub fn client(matches: &ArgMatches, stdin: &Stdin, needs_token: bool) -> Result<Client, CliError> {
    let secret = match matches.get_one::<String>(SECRET_FILE) {
        Some(path) => Some(sources::secret_from_file(path, "the client secret", stdin)?),
        None => None,
    };
    let flags: Vec<(&str, String)> = OVERRIDES
        .iter()
        .filter_map(|(flag, var, _)| matches.get_one::<String>(flag).map(|v| (*var, v.clone())))
        .chain(secret.map(|s| (ENV_CLIENT_SECRET, s)))
        .chain(
            matches
                .get_flag(NO_DISK_CACHE)
                .then(|| (ENV_DISK_CACHE_DISABLE, "true".to_owned())),
        )
        .collect();
    let lookup = |name: &str| {
        flags
            .iter()
            .find(|(var, _)| *var == name)
            .map(|(_, value)| value.clone())
            .or_else(|| std::env::var(name).ok())
    };
    let builder = if needs_token {
        ClientBuilder::from_vars(lookup)?
    } else {
        ClientBuilder::from_vars_credentials_optional(lookup)?
    };
    let mut builder = builder
        .user_agent(format!("camunda-admin-cli/{}", env!("CARGO_PKG_VERSION")))
        .token_deadline(TOKEN_DEADLINE);
    if let Some(timeout) = matches.get_one::<Duration>(REQUEST_TIMEOUT) {
        builder = builder
            .timeout(*timeout)
            .connect_timeout((*timeout).min(MAX_CONNECT_TIMEOUT));
    }
    Ok(builder.build()?)
}
