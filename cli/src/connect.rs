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
            Arg::new(crate::profiles::PROFILE)
                .long("profile")
                .global(true)
                .help_heading(crate::GLOBAL)
                .value_name("NAME")
                .help(format!(
                    "Use the named profile (above the CAMUNDA_* variables; {} picks one below them)",
                    crate::profiles::ENV_PROFILE
                )),
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

/// Where a setting's value comes from, in precedence order.
enum Layer<'a> {
    Flag,
    Profile(&'a str, &'a crate::profiles::Profile, &'static str),
    Env,
}

/// The layers in precedence order: flags, the profile chosen with
/// `--profile`, the `CAMUNDA_*` variables, the profile named by
/// `CAMUNDA_ADMIN_PROFILE` or `default`.
fn layers(chosen: &crate::profiles::Chosen) -> Vec<Layer<'_>> {
    let mut layers = vec![Layer::Flag];
    if let Some((name, profile)) = &chosen.explicit {
        layers.push(Layer::Profile(name, profile, "--profile"));
    }
    layers.push(Layer::Env);
    if let Some((name, profile)) = &chosen.implicit {
        let how = if std::env::var(crate::profiles::ENV_PROFILE).is_ok_and(|v| !v.is_empty()) {
            crate::profiles::ENV_PROFILE
        } else {
            "the default profile"
        };
        layers.push(Layer::Profile(name, profile, how));
    }
    layers
}

/// A setting's value and where it came from, for the flag `flag` and the
/// variable `var`.
fn setting(
    layers: &[Layer<'_>],
    matches: &ArgMatches,
    flag: &str,
    var: &str,
) -> Option<(String, String)> {
    layers.iter().find_map(|layer| match layer {
        Layer::Flag => matches
            .get_one::<String>(flag)
            .map(|v| (v.clone(), format!("--{flag}"))),
        Layer::Profile(name, profile, how) => profile
            .settings
            .get(flag)
            .map(|v| (v.clone(), format!("profile {name} ({how})"))),
        Layer::Env => std::env::var(var).ok().map(|v| (v, var.to_owned())),
    })
}

/// Where the client secret comes from: its source's description, and the
/// value when `read`.
fn client_secret(
    layers: &[Layer<'_>],
    matches: &ArgMatches,
    stdin: &Stdin,
    read: bool,
) -> Result<Option<(Option<String>, String)>, CliError> {
    for layer in layers {
        match layer {
            Layer::Flag => {
                if let Some(path) = matches.get_one::<String>(SECRET_FILE) {
                    let value = if read {
                        Some(sources::secret_from_file(path, "the client secret", stdin)?)
                    } else {
                        None
                    };
                    return Ok(Some((value, format!("--{SECRET_FILE} {path}"))));
                }
            }
            Layer::Profile(name, profile, how) => {
                if let Some(source) = &profile.client_secret {
                    let value = if read { Some(source.read(name)?) } else { None };
                    return Ok(Some((
                        value,
                        format!("profile {name} ({how}): {}", source.describe()),
                    )));
                }
            }
            Layer::Env => {
                if let Ok(value) = std::env::var(ENV_CLIENT_SECRET) {
                    return Ok(Some((read.then_some(value), ENV_CLIENT_SECRET.to_owned())));
                }
            }
        }
    }
    Ok(None)
}

/// `profile show`: each setting a command would use and where it comes
/// from (the client secret's source only).
pub fn show(matches: &ArgMatches) -> Result<String, CliError> {
    let chosen = crate::profiles::chosen(matches)?;
    let layers = layers(&chosen);
    let mut text = String::new();
    for (flag, var, _) in OVERRIDES {
        match setting(&layers, matches, flag, var) {
            Some((value, source)) => text.push_str(&format!("{flag}\t{value}\t{source}\n")),
            None => text.push_str(&format!("{flag}\t\tthe SDK's default\n")),
        }
    }
    match client_secret(&layers, matches, &Stdin::default(), false)? {
        Some((_, source)) => text.push_str(&format!("client-secret\t***\t{source}\n")),
        None => text.push_str("client-secret\t\tnot set\n"),
    }
    Ok(text)
}

/// The client the global flags, the profiles and the environment
/// describe (see [`crate::profiles`] for the precedence). An operation
/// that needs no token (`meta ip-ranges`) runs without credentials when
/// none are given.
pub fn client(matches: &ArgMatches, stdin: &Stdin, needs_token: bool) -> Result<Client, CliError> {
    let chosen = crate::profiles::chosen(matches)?;
    let layers = layers(&chosen);
    let secret = client_secret(&layers, matches, stdin, true)?.and_then(|(value, _)| value);
    let flags: Vec<(&str, String)> = OVERRIDES
        .iter()
        .filter_map(|(flag, var, _)| setting(&layers, matches, flag, var).map(|(v, _)| (*var, v)))
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
