//! Named profiles: connection settings by name in `profiles.json` of the
//! platform's config folder (`$XDG_CONFIG_HOME/camunda-admin`, else
//! `~/.config/camunda-admin`; `~/Library/Application Support/camunda-admin`
//! on macOS; `%APPDATA%\camunda-admin` on Windows), chosen with
//! `--profile NAME` or `CAMUNDA_ADMIN_PROFILE`.
//!
//! Each value's precedence: a flag, then the profile chosen with
//! `--profile`, then the `CAMUNDA_*` variables, then the profile named by
//! `CAMUNDA_ADMIN_PROFILE` (else `default`, if there is one), then the
//! SDK's defaults. `profile show` prints where each value came from.
//!
//! A profile's client secret comes from a file, a variable or a command;
//! stored as a value only in a file of mode 0600 (the file is written so;
//! a stored secret in a file others can read is refused).

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use clap::{Arg, ArgAction, ArgMatches, Command};
use serde::{Deserialize, Serialize};

use crate::exit::{CliError, Kind};

/// The variable naming the profile used when no `--profile` is given.
pub const ENV_PROFILE: &str = "CAMUNDA_ADMIN_PROFILE";
/// The arg id of `--profile`.
pub const PROFILE: &str = "profile";

/// The settings a profile may hold, as the flags name them.
pub const KEYS: &[&str] = &[
    "base-url",
    "token-url",
    "client-id",
    "audience",
    "cache-dir",
];

/// One profile.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Settings by flag name (`base-url`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: BTreeMap<String, String>,
    /// Where the client secret comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<SecretSource>,
}

/// Where a profile's client secret comes from.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum SecretSource {
    /// A file (its first line).
    File(String),
    /// An environment variable.
    Env(String),
    /// A command run with `sh -c` (its output, one line break dropped).
    Command(String),
    /// The value, in a file of mode 0600 only.
    Value(String),
}

impl std::fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl SecretSource {
    /// Where it comes from, never the value.
    pub fn describe(&self) -> String {
        match self {
            SecretSource::File(path) => format!("file {path}"),
            SecretSource::Env(var) => format!("variable {var}"),
            SecretSource::Command(cmd) => format!("command {cmd:?}"),
            SecretSource::Value(_) => "stored in the profile file".to_owned(),
        }
    }

    /// The secret.
    pub fn read(&self, profile: &str) -> Result<String, CliError> {
        let what = format!("the client secret of profile {profile}");
        match self {
            SecretSource::File(path) => {
                crate::sources::secret_from_file(path, &what, &crate::sources::Stdin::default())
            }
            SecretSource::Env(var) => crate::sources::secret_from_env(var, &what),
            SecretSource::Value(value) => Ok(value.clone()),
            SecretSource::Command(cmd) => {
                let output = std::process::Command::new("sh")
                    .args(["-c", cmd])
                    .stdin(std::process::Stdio::null())
                    .stderr(std::process::Stdio::inherit())
                    .output()
                    .map_err(|e| CliError::new(Kind::Config, format!("{what}: {e}")))?;
                if !output.status.success() {
                    return Err(CliError::new(
                        Kind::Config,
                        format!("{what}: the command failed ({})", output.status),
                    ));
                }
                let mut text = String::from_utf8(output.stdout)
                    .map_err(|_| CliError::new(Kind::Config, format!("{what}: not UTF-8 text")))?;
                if text.ends_with('\n') {
                    text.pop();
                }
                Ok(text)
            }
        }
    }
}

/// Every profile, by name.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Profiles {
    /// The profiles.
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// The folder of the profile file.
pub fn folder() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let base = if cfg!(windows) {
        var("APPDATA")
    } else if cfg!(target_os = "macos") {
        var("HOME").map(|h| h.join("Library").join("Application Support"))
    } else {
        var("XDG_CONFIG_HOME").or_else(|| var("HOME").map(|h| h.join(".config")))
    };
    Some(base?.join("camunda-admin"))
}

/// The profile file.
pub fn file() -> Option<PathBuf> {
    Some(folder()?.join("profiles.json"))
}

fn config_error(message: String) -> CliError {
    CliError::new(Kind::Config, message)
}

/// The profiles in the file (none when there is no file).
pub fn load() -> Result<Profiles, CliError> {
    let Some(path) = file() else {
        return Ok(Profiles::default());
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Profiles::default()),
        Err(e) => return Err(config_error(format!("cannot read {}: {e}", path.display()))),
    };
    let profiles: Profiles = serde_json::from_str(&text).map_err(|e| {
        config_error(format!(
            "{} is not a profile file (line {}, column {})",
            path.display(),
            e.line(),
            e.column()
        ))
    })?;
    let stores_secret = profiles
        .profiles
        .values()
        .any(|p| matches!(p.client_secret, Some(SecretSource::Value(_))));
    if stores_secret && !private(&path) {
        return Err(config_error(format!(
            "{} stores a client secret but others may read it: chmod 600 it, or use a secret file, variable or command",
            path.display()
        )));
    }
    Ok(profiles)
}

#[cfg(unix)]
fn private(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 == 0)
}

#[cfg(not(unix))]
fn private(_path: &Path) -> bool {
    true
}

/// Write the profiles, mode 0600, replacing the file at once.
pub fn save(profiles: &Profiles) -> Result<PathBuf, CliError> {
    let path = file().ok_or_else(|| config_error("no config folder: set HOME".to_owned()))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|e| config_error(format!("cannot create {}: {e}", dir.display())))?;
    let text = serde_json::to_string_pretty(profiles)
        .map_err(|e| config_error(format!("cannot write the profiles: {e}")))?;
    let temp = dir.join(format!(".profiles.{}.tmp", std::process::id()));
    write_private(&temp, text.as_bytes())
        .and_then(|()| std::fs::rename(&temp, &path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            config_error(format!("cannot write {}: {e}", path.display()))
        })?;
    Ok(path)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// The profiles that apply: the one chosen with `--profile` (must exist),
/// and the one named by `CAMUNDA_ADMIN_PROFILE` (must exist) or `default`
/// (if it exists), each with its name.
pub struct Chosen {
    /// `--profile NAME`: above the `CAMUNDA_*` variables.
    pub explicit: Option<(String, Profile)>,
    /// `CAMUNDA_ADMIN_PROFILE` or `default`: below them.
    pub implicit: Option<(String, Profile)>,
}

/// The profiles `matches` and the environment choose.
pub fn chosen(matches: &ArgMatches) -> Result<Chosen, CliError> {
    let explicit_name = matches
        .try_get_one::<String>(PROFILE)
        .ok()
        .flatten()
        .cloned();
    let env_name = std::env::var(ENV_PROFILE).ok().filter(|n| !n.is_empty());
    if explicit_name.is_none() && env_name.is_none() && file().is_none_or(|f| !f.exists()) {
        return Ok(Chosen {
            explicit: None,
            implicit: None,
        });
    }
    let profiles = load()?;
    let named = |name: &str, how: &str| {
        profiles
            .profiles
            .get(name)
            .cloned()
            .map(|p| (name.to_owned(), p))
            .ok_or_else(|| {
                let names: Vec<&String> = profiles.profiles.keys().collect();
                config_error(format!(
                    "no profile {name:?} ({how}); profiles: {}",
                    if names.is_empty() {
                        "none (camunda-admin profile add NAME ...)".to_owned()
                    } else {
                        names
                            .iter()
                            .map(|n| n.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ))
            })
    };
    let explicit = match &explicit_name {
        Some(name) => Some(named(name, "--profile")?),
        None => None,
    };
    let implicit = match &env_name {
        Some(name) if explicit_name.is_none() => Some(named(name, ENV_PROFILE)?),
        Some(_) => None,
        None if explicit_name.is_none() => profiles
            .profiles
            .get("default")
            .cloned()
            .map(|p| ("default".to_owned(), p)),
        None => None,
    };
    Ok(Chosen { explicit, implicit })
}

/// The `profile` command.
pub fn command() -> Command {
    // The settings are the global flags (--base-url, --client-id, ...),
    // taken into the profile instead of used.
    let add = Command::new("add")
        .about("Add or replace a profile: the global flags given (--base-url, --token-url, --client-id, --audience, --cache-dir) and a client secret source")
        .arg(Arg::new("name").required(true).value_name("NAME"))
        .arg(
            Arg::new("secret-file")
                .long("secret-file")
                .value_name("PATH")
                .help("Read the client secret from PATH when the profile is used"),
        )
        .arg(
            Arg::new("secret-env")
                .long("secret-env")
                .value_name("VAR")
                .help("Read the client secret from the variable VAR when the profile is used"),
        )
        .arg(
            Arg::new("secret-command")
                .long("secret-command")
                .value_name("COMMAND")
                .help("Run COMMAND (sh -c) for the client secret when the profile is used (a password manager's CLI)"),
        )
        .arg(
            Arg::new("secret-stdin")
                .long("secret-stdin")
                .action(ArgAction::SetTrue)
                .help("Store the client secret read from stdin in the profile file (written mode 0600)"),
        )
        .group(
            clap::ArgGroup::new("secret")
                .args(["secret-file", "secret-env", "secret-command", "secret-stdin"])
                .multiple(false),
        );
    Command::new("profile")
        .about("Named connection settings: profile add|list|show|remove")
        .subcommand_required(true)
        .subcommand(add)
        .subcommand(Command::new("list").about("List the profiles"))
        .subcommand(
            Command::new("show")
                .about("Show the settings a command would use, and where each comes from")
                .arg(
                    Arg::new("name")
                        .value_name("NAME")
                        .help("Show this profile's file entry instead"),
                ),
        )
        .subcommand(
            Command::new("remove")
                .about("Remove a profile")
                .arg(Arg::new("name").required(true).value_name("NAME")),
        )
}

/// Run `profile VERB`.
pub fn run(matches: &ArgMatches) -> Result<(), CliError> {
    match matches.subcommand() {
        Some(("add", sub)) => add(sub),
        Some(("list", _)) => {
            let profiles = load()?;
            let names: String = profiles.profiles.keys().map(|n| format!("{n}\n")).collect();
            crate::output::print_text(&names)
        }
        Some(("show", sub)) => match sub.get_one::<String>("name") {
            Some(name) => {
                let profiles = load()?;
                let profile = profiles
                    .profiles
                    .get(name)
                    .ok_or_else(|| config_error(format!("no profile {name:?}")))?;
                let mut text = String::new();
                for (key, value) in &profile.settings {
                    text.push_str(&format!("{key}\t{value}\n"));
                }
                if let Some(secret) = &profile.client_secret {
                    text.push_str(&format!("client-secret\t({})\n", secret.describe()));
                }
                crate::output::print_text(&text)
            }
            // The settings in effect: `main` asks `connect::show`.
            None => Err(CliError::usage("profile show: no profile named")),
        },
        Some(("remove", sub)) => {
            let name = sub.get_one::<String>("name").map_or("", String::as_str);
            let mut profiles = load()?;
            if profiles.profiles.remove(name).is_none() {
                return Err(config_error(format!("no profile {name:?}")));
            }
            save(&profiles)?;
            Ok(())
        }
        _ => Err(CliError::usage("profile: add, list, show or remove")),
    }
}

fn add(matches: &ArgMatches) -> Result<(), CliError> {
    let name = matches.get_one::<String>("name").map_or("", String::as_str);
    let mut profile = Profile::default();
    for key in KEYS {
        if let Some(value) = matches.try_get_one::<String>(key).ok().flatten() {
            profile.settings.insert((*key).to_owned(), value.clone());
        }
    }
    let text = |id: &str| matches.get_one::<String>(id).cloned();
    profile.client_secret = if let Some(path) = text("secret-file") {
        Some(SecretSource::File(path))
    } else if let Some(var) = text("secret-env") {
        Some(SecretSource::Env(var))
    } else if let Some(cmd) = text("secret-command") {
        Some(SecretSource::Command(cmd))
    } else if matches.get_flag("secret-stdin") {
        let stdin = crate::sources::Stdin::default();
        Some(SecretSource::Value(crate::sources::secret_from_file(
            "-",
            "the client secret",
            &stdin,
        )?))
    } else {
        None
    };
    let mut profiles = load()?;
    profiles.profiles.insert(name.to_owned(), profile);
    let path = save(&profiles)?;
    crate::output::warn(&format!("profile {name} saved in {}", path.display()));
    Ok(())
}
