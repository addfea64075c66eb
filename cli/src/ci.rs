//! `ci up`, `ci down`, `ci run -- CMD` and `clusters prune`: a cluster for
//! one CI run, its connection settings handed over the way CI tools take
//! them, and nothing left behind ([`camunda_admin::ephemeral`]).
//!
//! - `ci up` prints the cluster id (or the settings with `-o env|json`) and
//!   writes the settings to `--env-file` (mode 0600, written to a new file
//!   and renamed into place, refused when the path is a symlink) and to
//!   `$GITHUB_OUTPUT`/`$GITHUB_ENV` (`NAME<<DELIMITER` blocks with a random
//!   delimiter, after `::add-mask::` lines on stderr). When the client
//!   secret would go nowhere it refuses before creating anything (exit 2).
//! - `ci run` listens for SIGINT and SIGTERM before it creates anything,
//!   runs CMD in its own process group with the settings in its
//!   environment (without the admin secret), forwards each signal to it
//!   once, kills it 10 s after the first, and deletes the cluster. Its exit
//!   code is CMD's (128+n for a signal n), or 125 when `up` fails or the
//!   teardown fails after CMD passed (as `docker run`).
//! - `clusters prune` deletes leftovers of killed jobs: clusters with the
//!   prefix and the marker whose `until` has passed or that are older than
//!   `--older-than`.

use std::{
    ffi::OsString,
    io::Write,
    path::{Path, PathBuf},
    time::Duration,
};

use camunda_admin::{
    config::ENV_CLIENT_SECRET,
    connection::ConnectionSettings,
    ephemeral::{self, Ephemeral, EphemeralBuilder, Teardown, Verdict},
    types::{CamundaClusterStage, ClientPermission},
    Client, OperationId, WaitOptions,
};
use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::json;

use crate::{
    exit::{kind_of, CliError, Kind},
    sources::Stdin,
};

/// `docker run`'s code for "the tool failed, not the command".
const TOOL_FAILED: i32 = 125;
/// How long CMD has after the first signal before it is killed.
const GRACE: Duration = Duration::from_secs(10);

/// Add `ci` and `clusters prune` to the command tree.
pub fn register(command: Command) -> Command {
    let command = command.subcommand(ci_command());
    // `prune` joins the generated `clusters` group.
    if command.find_subcommand("clusters").is_some() {
        command.mut_subcommand("clusters", |clusters| clusters.subcommand(prune_command()))
    } else {
        command
    }
}

/// Run `matches` if it is one of these commands.
pub async fn run(matches: &ArgMatches) -> Option<Result<(), CliError>> {
    match matches.subcommand()? {
        ("ci", sub) => Some(match sub.subcommand() {
            Some(("up", m)) => up(m).await,
            Some(("down", m)) => down(m).await,
            Some(("run", m)) => {
                let code = run_command(m).await;
                // CMD's own exit code, which the CLI's kinds cannot hold.
                let _ = std::io::stdout().flush();
                std::process::exit(code)
            }
            _ => Err(CliError::usage("ci: no such command; see --help")),
        }),
        ("clusters", sub) => match sub.subcommand() {
            Some(("prune", m)) => Some(prune(m).await),
            _ => None,
        },
        _ => None,
    }
}

fn ci_command() -> Command {
    Command::new("ci")
        .about("A cluster for one CI run: up, run -- CMD, down")
        .subcommand_required(true)
        .subcommand(
            up_args(Command::new("up"))
                .about("Create a cluster, wait until Healthy, create a client; print its id or settings")
                .arg(output_arg())
                .arg(
                    Arg::new("env-file")
                        .long("env-file")
                        .value_name("FILE")
                        .value_parser(clap::value_parser!(PathBuf))
                        .help("Write the settings as NAME=value lines to FILE (mode 0600, replaced atomically)"),
                )
                .arg(flag("github-output", "Write the settings to $GITHUB_OUTPUT (secrets masked first)"))
                .arg(flag("github-env", "Write the settings to $GITHUB_ENV (secrets masked first)")),
        )
        .subcommand(
            Command::new("down")
                .about("Delete a cluster (its clients go with it); already gone is success")
                .arg(
                    Arg::new("cluster")
                        .value_name("CLUSTER")
                        .required(true)
                        .help("The cluster's id, or its name"),
                ),
        )
        .subcommand(
            up_args(Command::new("run"))
                .about("Create a cluster, run CMD with its settings in the environment, delete the cluster")
                .after_help("Exit code: CMD's (128+n when it died of signal n); 125 when the cluster could not be made ready (CMD does not run) or deleted after CMD passed. SIGINT and SIGTERM go to CMD once each; 10 s after the first it is killed; a second signal shows what is left, a third exits.")
                .arg(flag(
                    "keep-admin-credentials",
                    "Leave CAMUNDA_CONSOLE_CLIENT_SECRET in CMD's environment",
                ))
                .arg(
                    Arg::new("cmd")
                        .value_name("CMD")
                        .required(true)
                        .num_args(1..)
                        .last(true)
                        .value_parser(clap::value_parser!(OsString))
                        .help("The command and its arguments, after --"),
                ),
        )
}

fn flag(id: &'static str, help: &'static str) -> Arg {
    Arg::new(id).long(id).action(ArgAction::SetTrue).help(help)
}

/// `-o env|json` of `ci up`: it shadows the global `-o`, whose formats do
/// not hold settings.
fn output_arg() -> Arg {
    Arg::new("output")
        .long("output")
        .short('o')
        .value_name("FORMAT")
        .value_parser(["env", "json"])
        .help("Print the settings on stdout: env (NAME=value lines) or json (default: the cluster id only)")
}

fn up_args(command: Command) -> Command {
    let text = |id: &'static str, value: &'static str, help: &'static str| {
        Arg::new(id).long(id).value_name(value).help(help)
    };
    let duration = |id: &'static str, default: Option<&'static str>, help: &'static str| {
        let arg = Arg::new(id)
            .long(id)
            .value_name("DURATION")
            .value_parser(humantime::parse_duration)
            .help(help);
        match default {
            Some(d) => arg.default_value(d),
            None => arg,
        }
    };
    command
        .arg(text("name-prefix", "PREFIX", "The cluster's name: PREFIX and a random suffix").required(true))
        .arg(text("region", "REGION", "The region, by name or cloud code (europe-west1)").required(true))
        .arg(text("plan", "PLAN", "The plan type, by name (Basic)").required(true))
        .arg(text("channel", "CHANNEL", "The channel, by name (Stable)").required(true))
        .arg(text("generation", "GENERATION", "The generation, by name, or a version such as 8.8 (the newest of that minor); default: the channel's"))
        .arg(text("stage-label", "STAGE", "The stage label (dev, test, stage, prod)"))
        .arg(text("description", "TEXT", "A description; the camunda-admin ci marker is appended"))
        .arg(duration("ttl", None, "How long the cluster is meant to live, for clusters prune (written into the marker)"))
        .arg(text("client-name", "NAME", "The API client's name (default: the cluster's)"))
        .arg(
            Arg::new("permissions")
                .long("permissions")
                .value_name("PERMISSIONS")
                .value_delimiter(',')
                .help(format!(
                    "The API client's permissions, comma-separated (default: Zeebe): {}",
                    permission_names().join(", ")
                )),
        )
        .arg(duration("timeout", Some("15m"), "How long to wait for Healthy and the client"))
        .arg(duration("poll-interval", Some("10s"), "How often to look"))
}

fn prune_command() -> Command {
    Command::new("prune")
        .about("Delete clusters left by killed ci jobs: name prefix, marker, and until passed or older than asked")
        .arg(
            Arg::new("name-prefix")
                .long("name-prefix")
                .value_name("PREFIX")
                .required(true)
                .help("Only clusters whose name starts with PREFIX (not empty)"),
        )
        .arg(
            Arg::new("older-than")
                .long("older-than")
                .value_name("DURATION")
                .value_parser(humantime::parse_duration)
                .help("Delete marked clusters without an until created longer ago than this (without it they stay)"),
        )
        .arg(flag("dry-run", "Say what would be deleted; delete nothing"))
        .arg(flag(
            "include-unmarked",
            "Also clusters without the camunda-admin ci marker (by --older-than)",
        ))
}

fn string(matches: &ArgMatches, id: &str) -> Option<String> {
    matches.get_one::<String>(id).cloned()
}

/// The ephemeral cluster the up options describe.
fn spec(matches: &ArgMatches) -> EphemeralBuilder {
    let mut spec = Ephemeral::builder(string(matches, "name-prefix").unwrap_or_default())
        .owner(owner())
        .wait(WaitOptions::new(
            matches
                .get_one::<Duration>("timeout")
                .copied()
                .unwrap_or(Duration::from_secs(900)),
            matches
                .get_one::<Duration>("poll-interval")
                .copied()
                .unwrap_or(Duration::from_secs(10)),
        ));
    for id in [
        "region",
        "plan",
        "channel",
        "generation",
        "description",
        "client-name",
    ] {
        if let Some(value) = string(matches, id) {
            spec = match id {
                "region" => spec.region(value),
                "plan" => spec.plan(value),
                "channel" => spec.channel(value),
                "generation" => spec.generation(value),
                "description" => spec.description(value),
                _ => spec.client_name(value),
            };
        }
    }
    if let Some(stage) = string(matches, "stage-label") {
        spec = spec.stage_label(CamundaClusterStage::from(
            stage.to_ascii_lowercase().as_str(),
        ));
    }
    if let Some(ttl) = matches.get_one::<Duration>("ttl") {
        spec = spec.ttl(*ttl);
    }
    if let Some(permissions) = matches.get_many::<String>("permissions") {
        spec = spec.permissions(permissions.map(|p| permission(p)));
    }
    spec
}

/// The permissions the operation table lists for a created client.
fn permission_names() -> &'static [&'static str] {
    OperationId::CreateClient
        .operation()
        .body
        .as_ref()
        .and_then(|body| body.fields.iter().find(|f| f.name == "permissions"))
        .map_or(&[], |field| field.enum_values)
}

/// A permission by its name, ignoring case; an unknown one is sent as
/// given (the API may know it).
fn permission(name: &str) -> ClientPermission {
    let name = name.trim();
    let known = permission_names()
        .iter()
        .find(|p| p.eq_ignore_ascii_case(name))
        .copied()
        .unwrap_or(name);
    ClientPermission::from(known)
}

/// Who runs the job, for the marker: the CI's repository and run, else
/// user@host.
fn owner() -> String {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if let (Some(repo), Some(run)) = (var("GITHUB_REPOSITORY"), var("GITHUB_RUN_ID")) {
        return format!("{repo}#{run}");
    }
    if let (Some(project), Some(pipeline)) = (var("CI_PROJECT_PATH"), var("CI_PIPELINE_ID")) {
        return format!("{project}#{pipeline}");
    }
    let user = var("USER").or_else(|| var("LOGNAME")).unwrap_or_default();
    let host = var("HOSTNAME")
        .or_else(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
        })
        .unwrap_or_default();
    format!("{user}@{host}")
}

/// Where `ci up` sends the settings, checked before anything is created.
struct Destinations {
    stdout: Option<String>,
    env_file: Option<PathBuf>,
    github_output: Option<PathBuf>,
    github_env: Option<PathBuf>,
}

impl Destinations {
    fn from(matches: &ArgMatches) -> Result<Self, CliError> {
        let github = |flag: &str, var: &str| -> Result<Option<PathBuf>, CliError> {
            if !matches.get_flag(flag) {
                return Ok(None);
            }
            match std::env::var_os(var).filter(|v| !v.is_empty()) {
                Some(path) => Ok(Some(PathBuf::from(path))),
                None => Err(CliError::usage(format!(
                    "--{flag}: {var} is not set (it is, in a GitHub Actions step)"
                ))),
            }
        };
        let destinations = Self {
            // A value of the global `-o` (its own type) is no request of ours.
            stdout: matches
                .try_get_one::<String>("output")
                .ok()
                .flatten()
                .cloned(),
            env_file: matches.get_one::<PathBuf>("env-file").cloned(),
            github_output: github("github-output", "GITHUB_OUTPUT")?,
            github_env: github("github-env", "GITHUB_ENV")?,
        };
        let elsewhere = destinations.env_file.is_some()
            || destinations.github_output.is_some()
            || destinations.github_env.is_some();
        if destinations.stdout.is_none() && !elsewhere {
            return Err(CliError::usage(
                "the client secret would go nowhere: it is shown once; give -o env|json, --env-file FILE, --github-output or --github-env (or use ci run)",
            ));
        }
        if destinations.stdout.is_some() && !elsewhere && !stdout_keeps_output() {
            return Err(CliError::usage(
                "stdout is closed or /dev/null, and the client secret is shown once: give --env-file FILE or write stdout somewhere",
            ));
        }
        if let Some(path) = &destinations.env_file {
            if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(CliError::usage(format!(
                    "--env-file {}: is a symlink; not written through",
                    path.display()
                )));
            }
        }
        Ok(destinations)
    }

    /// Send the settings everywhere asked; masks first.
    fn deliver(&self, settings: &ConnectionSettings, cluster_id: &str) -> Result<(), CliError> {
        if self.github_output.is_some() || self.github_env.is_some() {
            let mut stderr = std::io::stderr().lock();
            for secret in settings.secrets() {
                let _ = writeln!(stderr, "::add-mask::{}", secret.expose_secret());
            }
            let _ = stderr.flush();
        }
        for path in [&self.github_output, &self.github_env]
            .into_iter()
            .flatten()
        {
            append_github(path, settings).map_err(|e| {
                CliError::new(
                    Kind::Other,
                    format!("cannot write to {}: {e}", path.display()),
                )
            })?;
        }
        if let Some(path) = &self.env_file {
            let text = env_lines(settings)?;
            write_private(path, &text).map_err(|e| {
                CliError::new(
                    Kind::Other,
                    format!("cannot write --env-file {}: {e}", path.display()),
                )
            })?;
        }
        let text = match self.stdout.as_deref() {
            Some("env") => env_lines(settings)?,
            Some(_) => {
                let mut text = serde_json::to_string_pretty(&settings.to_json_exposed())
                    .map_err(|e| CliError::new(Kind::Other, format!("cannot print JSON: {e}")))?;
                text.push('\n');
                text
            }
            None => format!("{cluster_id}\n"),
        };
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(|e| CliError::new(Kind::Other, format!("cannot write to stdout: {e}")))
    }
}

/// Whether what is written to stdout is kept: not closed (Rust reopens a
/// closed stdout as /dev/null) and not /dev/null.
#[cfg(unix)]
fn stdout_keeps_output() -> bool {
    use std::os::{fd::AsFd, unix::fs::MetadataExt};
    let Ok(fd) = std::io::stdout().as_fd().try_clone_to_owned() else {
        return false;
    };
    let Ok(ours) = std::fs::File::from(fd).metadata() else {
        return false;
    };
    match std::fs::metadata("/dev/null") {
        Ok(null) => !(ours.dev() == null.dev() && ours.ino() == null.ino()),
        Err(_) => true,
    }
}

#[cfg(not(unix))]
fn stdout_keeps_output() -> bool {
    true
}

/// `NAME=value` lines, as `-o env` writes them (no quotes, no `export`:
/// what `docker --env-file` and `set -a; . FILE` both read); a value that
/// such a file cannot hold is refused.
fn env_lines(settings: &ConnectionSettings) -> Result<String, CliError> {
    let mut text = String::new();
    for (name, value) in settings.iter() {
        let raw = value.expose();
        if raw
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '$' | '\\' | '`'))
        {
            return Err(CliError::usage(format!(
                "{name} holds a character an env file cannot hold unquoted; use -o json"
            )));
        }
        text.push_str(&format!("{name}={raw}\n"));
    }
    Ok(text)
}

/// Random hex digits (SipHash keys come from the OS's randomness).
fn random_hex() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut text = String::new();
    for _ in 0..2 {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        text.push_str(&format!("{:016x}", hasher.finish()));
    }
    text
}

/// `NAME<<DELIMITER` blocks appended to a GitHub Actions file.
fn append_github(path: &Path, settings: &ConnectionSettings) -> std::io::Result<()> {
    let mut text = String::new();
    for (name, value) in settings.iter() {
        let value = value.expose();
        let delimiter = loop {
            let candidate = format!("ghadelimiter_{}", random_hex());
            if !value.contains(&candidate) {
                break candidate;
            }
        };
        text.push_str(&format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
    }
    let mut file = std::fs::OpenOptions::new().append(true).open(path)?;
    file.write_all(text.as_bytes())?;
    file.flush()
}

/// Write `text` to `path` with mode 0600: into a new file (created
/// exclusively, under an unpredictable name, beside it), then renamed over
/// `path`, so a reader sees the old file or the new one, and a symlink at
/// `path` is replaced, never written through.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", random_hex()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = (|| {
        let mut file = options.open(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

fn client(matches: &ArgMatches) -> Result<Client, CliError> {
    crate::connect::client(matches, &Stdin::default(), true)
}

fn start_failure(error: &ephemeral::StartError) -> CliError {
    CliError::new(kind_of(&error.error), error.to_string())
}

/// `ci up`.
async fn up(matches: &ArgMatches) -> Result<(), CliError> {
    let destinations = Destinations::from(matches)?;
    let client = client(matches)?;
    let mut cluster = spec(matches).prepare(&client);
    // SIGINT or SIGTERM while it starts deletes the cluster; after a
    // SIGKILL it is a leftover for `clusters prune` (its marker says so).
    let mut signals = Signals::listen()
        .map_err(|e| CliError::new(Kind::Other, format!("cannot listen for signals: {e}")))?;
    let started = tokio::select! {
        result = cluster.start() => Ok(result.cloned()),
        signal = signals.next() => Err(signal),
    };
    let settings = match started {
        Ok(result) => result.map_err(|e| start_failure(&e))?,
        Err(signal) => {
            eprintln!("camunda-admin: signal {signal} before the cluster was ready: deleting it");
            let _ = teardown(&mut cluster, &mut signals).await;
            std::process::exit(128 + signal);
        }
    };
    let id = cluster.cluster_id().unwrap_or_default().to_owned();
    eprintln!(
        "camunda-admin: cluster {id} ({}) is Healthy",
        cluster.cluster_name().unwrap_or_default()
    );
    if let Err(error) = destinations.deliver(&settings, &id) {
        let what = match cluster.teardown().await {
            Ok(_) => format!("; the cluster {id} was deleted"),
            Err(e) => format!("; deleting the cluster {id} failed too ({e}): it is left behind"),
        };
        return Err(CliError::new(error.kind, format!("{error}{what}")));
    }
    Ok(())
}

/// The cluster id `value` names: an id as it is, a name through the list.
/// `None`: no cluster has that name.
async fn cluster_id(client: &Client, value: &str) -> Result<Option<String>, CliError> {
    if is_uuid(value) {
        return Ok(Some(value.to_owned()));
    }
    let clusters = client.get_clusters().await?;
    let found: Vec<_> = clusters.iter().filter(|c| c.name == value).collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.uuid.clone())),
        several => Err(CliError::usage(format!(
            "{value:?} names several clusters: {}; give an id",
            several
                .iter()
                .map(|c| c.uuid.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn is_uuid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// `ci down`.
async fn down(matches: &ArgMatches) -> Result<(), CliError> {
    let value = string(matches, "cluster").unwrap_or_default();
    let client = client(matches)?;
    let Some(id) = cluster_id(&client, &value).await? else {
        eprintln!("camunda-admin: no cluster named {value:?}: already gone");
        return Ok(());
    };
    match ephemeral::delete(&client, &id).await? {
        Teardown::Deleted => eprintln!("camunda-admin: deleted cluster {id}"),
        _ => eprintln!("camunda-admin: cluster {id} was already gone"),
    }
    Ok(())
}

/// `clusters prune`.
async fn prune(matches: &ArgMatches) -> Result<(), CliError> {
    let prefix = string(matches, "name-prefix").unwrap_or_default();
    if prefix.trim().is_empty() {
        return Err(CliError::usage(
            "--name-prefix must not be empty: it would match every cluster",
        ));
    }
    let older_than = matches.get_one::<Duration>("older-than").copied();
    let dry_run = matches.get_flag("dry-run");
    let unmarked = matches.get_flag("include-unmarked");
    let client = client(matches)?;
    let mut deleted = Vec::new();
    let mut kept = Vec::new();
    let mut first_failure: Option<CliError> = None;
    for cluster in client.get_clusters().await? {
        let Some(verdict) = ephemeral::prune_verdict_now(&cluster, &prefix, older_than, unmarked)
        else {
            continue;
        };
        let entry =
            |reason: &str| json!({ "id": cluster.uuid, "name": cluster.name, "reason": reason });
        match verdict {
            Verdict::Keep(reason) => {
                eprintln!(
                    "camunda-admin: keep {} ({}): {reason}",
                    cluster.uuid, cluster.name
                );
                kept.push(entry(&reason));
            }
            Verdict::Delete(reason) if dry_run => {
                eprintln!(
                    "camunda-admin: would delete {} ({}): {reason}",
                    cluster.uuid, cluster.name
                );
                deleted.push(entry(&reason));
            }
            Verdict::Delete(reason) => match ephemeral::delete(&client, &cluster.uuid).await {
                Ok(_) => {
                    eprintln!(
                        "camunda-admin: deleted {} ({}): {reason}",
                        cluster.uuid, cluster.name
                    );
                    deleted.push(entry(&reason));
                }
                Err(e) => {
                    eprintln!(
                        "camunda-admin: error: deleting {} ({}) failed: {e}",
                        cluster.uuid, cluster.name
                    );
                    kept.push(entry(&format!("the delete failed: {e}")));
                    first_failure.get_or_insert_with(|| CliError::from(e));
                }
            },
        }
    }
    let report = json!({ "dryRun": dry_run, "deleted": deleted, "kept": kept });
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    crate::output::print_text(&text)?;
    match first_failure {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// Print a failure of `ci run` itself.
fn report(message: &str) {
    eprintln!("camunda-admin: error: {message}");
}

/// `ci run`: its exit code.
#[cfg(unix)]
async fn run_command(matches: &ArgMatches) -> i32 {
    // Before anything exists: a signal from now on is ours to handle.
    let mut signals = match Signals::listen() {
        Ok(signals) => signals,
        Err(e) => {
            report(&format!("cannot listen for signals: {e}"));
            return TOOL_FAILED;
        }
    };
    let mut words = matches
        .get_many::<OsString>("cmd")
        .into_iter()
        .flatten()
        .cloned();
    let Some(program) = words.next() else {
        report("no command given after --");
        return Kind::Usage as i32;
    };
    let args: Vec<OsString> = words.collect();
    let client = match client(matches) {
        Ok(client) => client,
        Err(e) => {
            report(&e.to_string());
            return TOOL_FAILED;
        }
    };
    let mut cluster = spec(matches).prepare(&client);
    let started = tokio::select! {
        result = cluster.start() => Ok(result.cloned()),
        signal = signals.next() => Err(signal),
    };
    let settings = match started {
        Ok(Ok(settings)) => settings,
        Ok(Err(error)) => {
            report(&error.to_string());
            return TOOL_FAILED;
        }
        Err(signal) => {
            eprintln!("camunda-admin: signal {signal} before the cluster was ready: deleting it");
            let _ = teardown(&mut cluster, &mut signals).await;
            return 128 + signal;
        }
    };
    let id = cluster.cluster_id().unwrap_or_default().to_owned();
    eprintln!(
        "camunda-admin: cluster {id} ({}) is Healthy; running {}",
        cluster.cluster_name().unwrap_or_default(),
        program.to_string_lossy()
    );

    let mut command = tokio::process::Command::new(&program);
    command.args(&args).process_group(0);
    if !matches.get_flag("keep-admin-credentials") {
        command.env_remove(ENV_CLIENT_SECRET);
    }
    for (name, value) in settings.iter() {
        command.env(name, value.expose());
    }
    let code = match command.spawn() {
        Ok(child) => supervise(child, &mut signals, &id).await,
        Err(e) => {
            report(&format!("cannot run {}: {e}", program.to_string_lossy()));
            // The shell's codes for "not found" and "cannot run".
            if e.kind() == std::io::ErrorKind::NotFound {
                127
            } else {
                126
            }
        }
    };
    match teardown(&mut cluster, &mut signals).await {
        Ok(()) => code,
        Err(()) if code == 0 => TOOL_FAILED,
        Err(()) => code,
    }
}

#[cfg(not(unix))]
async fn run_command(_: &ArgMatches) -> i32 {
    report("ci run needs Unix signals and process groups; use ci up and ci down");
    TOOL_FAILED
}

/// Wait for CMD: forward each signal to its process group once, kill it
/// `GRACE` after the first; its exit code (128+n for signal n).
#[cfg(unix)]
async fn supervise(mut child: tokio::process::Child, signals: &mut Signals, id: &str) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    let group = child
        .id()
        .and_then(|pid| i32::try_from(pid).ok())
        .and_then(rustix::process::Pid::from_raw);
    let send = |signal: rustix::process::Signal| {
        if let Some(group) = group {
            // It may have ended meanwhile: nothing to tell then.
            let _ = rustix::process::kill_process_group(group, signal);
        }
    };
    let mut kill_at: Option<tokio::time::Instant> = None;
    let status = loop {
        let deadline = kill_at.unwrap_or_else(tokio::time::Instant::now);
        tokio::select! {
            status = child.wait() => break status,
            signal = signals.next() => {
                send(if signal == 15 { rustix::process::Signal::TERM } else { rustix::process::Signal::INT });
                if signals.count >= 3 {
                    send(rustix::process::Signal::KILL);
                    eprintln!("camunda-admin: third signal: exiting; left behind: cluster {id} (camunda-admin ci down {id})");
                    std::process::exit(128 + signal);
                }
                if signals.count == 1 {
                    eprintln!("camunda-admin: signal {signal} passed to the command; it is killed if it still runs in {} s", GRACE.as_secs());
                } else {
                    eprintln!("camunda-admin: the command still runs; left: cluster {id}, deleted when it ends (a third signal exits and leaves it)");
                }
                kill_at.get_or_insert_with(|| tokio::time::Instant::now() + GRACE);
            }
            () = tokio::time::sleep_until(deadline), if kill_at.is_some() => {
                eprintln!("camunda-admin: the command still runs {} s after the signal: killing it", GRACE.as_secs());
                send(rustix::process::Signal::KILL);
                kill_at = None;
            }
        }
    };
    match status {
        Ok(status) => status
            .code()
            .or_else(|| status.signal().map(|n| 128 + n))
            .unwrap_or(TOOL_FAILED),
        Err(e) => {
            report(&format!("lost the command: {e}"));
            TOOL_FAILED
        }
    }
}

/// Delete the cluster, saying what is left; a second signal meanwhile
/// says so again, a third exits.
async fn teardown(cluster: &mut Ephemeral, signals: &mut Signals) -> Result<(), ()> {
    let id = cluster.cluster_id().unwrap_or_default().to_owned();
    let work = cluster.teardown();
    tokio::pin!(work);
    loop {
        tokio::select! {
            result = &mut work => {
                return match result {
                    Ok(Teardown::Deleted) => {
                        eprintln!("camunda-admin: deleted cluster {id}");
                        Ok(())
                    }
                    Ok(_) => Ok(()),
                    Err(e) => {
                        report(&format!(
                            "deleting the cluster {id} failed: {}; left behind: cluster {id} (camunda-admin ci down {id})",
                            CliError::from(e)
                        ));
                        Err(())
                    }
                };
            }
            signal = signals.next() => {
                if signals.count >= 3 {
                    eprintln!("camunda-admin: third signal: exiting; left behind: cluster {id} (camunda-admin ci down {id})");
                    std::process::exit(128 + signal);
                }
                eprintln!("camunda-admin: deleting cluster {id}; left until that ends (a third signal exits and leaves it)");
            }
        }
    }
}

/// SIGINT and SIGTERM, counted.
#[cfg(unix)]
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
    count: usize,
}

#[cfg(unix)]
impl Signals {
    fn listen() -> std::io::Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Self {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            count: 0,
        })
    }

    /// The next signal's number.
    async fn next(&mut self) -> i32 {
        let number = tokio::select! {
            _ = self.interrupt.recv() => 2,
            _ = self.terminate.recv() => 15,
        };
        self.count += 1;
        number
    }
}

/// No Unix signals: Ctrl-C ends the process.
#[cfg(not(unix))]
struct Signals {
    count: usize,
}

#[cfg(not(unix))]
impl Signals {
    fn listen() -> std::io::Result<Self> {
        Ok(Self { count: 0 })
    }

    async fn next(&mut self) -> i32 {
        std::future::pending::<()>().await;
        self.count += 1;
        2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_uuids_and_anything_else_a_name() {
        assert!(is_uuid("3f6d8a2e-7b1c-4e9a-9d3f-2a5b6c7d8e9f"));
        assert!(!is_uuid("ci-orders-1a2b3c4d"));
        assert!(!is_uuid("3f6d8a2e-7b1c-4e9a-9d3f-2a5b6c7d8e9"));
    }

    #[test]
    fn private_files_are_0600_and_replace_a_symlink_without_following_it() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("ci-test-{}", random_hex()));
        std::fs::create_dir(&dir).unwrap();
        let target = dir.join("victim");
        std::fs::write(&target, "keep").unwrap();
        let link = dir.join("settings.env");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_private(&link, "A=1\n").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
        let meta = std::fs::symlink_metadata(&link).unwrap();
        assert!(meta.file_type().is_file());
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
