//! `export`, `plan` and `apply`: the organization's setup as code, a thin
//! layer over `camunda_admin::setup`. Plans and reports go to stdout,
//! progress to stderr; created client secrets only into files of their
//! own (mode 0600), never into the setup file or a log.

use std::{
    io::{IsTerminal, Write},
    path::{Path, PathBuf},
    time::Duration,
};

use camunda_admin::{
    setup::{self, Action, ApplyOptions, CreatedClient, PlanOptions, Setup, SetupError},
    Client, WaitOptions,
};
use clap::{parser::ValueSource, value_parser, Arg, ArgAction, ArgMatches, Command};

use crate::{
    connect,
    exit::{kind_of, CliError, Kind},
    output::{self, Format},
    sources::Stdin,
};

const COMMANDS: [&str; 3] = ["export", "plan", "apply"];

/// Whether `name` is one of these commands.
pub fn handles(name: &str) -> bool {
    COMMANDS.contains(&name)
}

fn file_arg() -> Arg {
    Arg::new("file")
        .long("file")
        .short('f')
        .required(true)
        .value_name("FILE")
        .value_parser(value_parser!(PathBuf))
        .help("The setup file (YAML or JSON)")
}

fn prune_arg() -> Arg {
    Arg::new("prune")
        .long("prune")
        .action(ArgAction::SetTrue)
        .help("Delete what the file does not name (in the lists it manages); never the owner")
}

/// The three commands.
pub fn commands() -> [Command; 3] {
    [
        Command::new("export")
            .about("Write the live setup as a setup file (YAML): sorted, no ids, secret values as env: references")
            .arg(
                Arg::new("cluster")
                    .long("cluster")
                    .value_name("CLUSTER")
                    .action(ArgAction::Append)
                    .help("Only this cluster, by name or id (repeat for more); members are left out"),
            )
            .arg(
                Arg::new("out")
                    .long("out")
                    .value_name("FILE")
                    .value_parser(value_parser!(PathBuf))
                    .help("Write to FILE instead of stdout"),
            ),
        Command::new("plan")
            .about("Compare a setup file with the live setup: exit 0 when they match, 11 when they differ")
            .arg(file_arg())
            .arg(prune_arg()),
        Command::new("apply")
            .about("Make the live setup match a setup file, in dependency order")
            .arg(file_arg())
            .arg(prune_arg())
            .arg(
                Arg::new("allow-replace")
                    .long("allow-replace")
                    .action(ArgAction::SetTrue)
                    .help("Carry out replacements (a cluster's region, plan or channel, a client's permissions)"),
            )
            .arg(
                Arg::new("yes")
                    .long("yes")
                    .action(ArgAction::SetTrue)
                    .help("Do not ask before deletions and replacements"),
            )
            .arg(
                Arg::new("credentials-dir")
                    .long("credentials-dir")
                    .value_name("DIR")
                    .value_parser(value_parser!(PathBuf))
                    .help("Write each created client's credentials to a file of its own here (mode 0600)"),
            )
            .arg(
                Arg::new("timeout")
                    .long("timeout")
                    .value_name("DURATION")
                    .default_value("15m")
                    .value_parser(humantime::parse_duration)
                    .help("How long to wait for a cluster to be Healthy"),
            )
            .arg(
                Arg::new("poll-interval")
                    .long("poll-interval")
                    .value_name("DURATION")
                    .default_value("10s")
                    .value_parser(humantime::parse_duration)
                    .help("How often to look while waiting"),
            ),
    ]
}

/// Run command `name`.
pub async fn run(name: &str, matches: &ArgMatches) -> Result<(), CliError> {
    let stdin = Stdin::default();
    let client = connect::client(matches, &stdin, true)?;
    match name {
        "export" => export(&client, matches).await,
        "plan" => plan(&client, matches).await,
        _ => apply(&client, matches).await,
    }
}

/// The exit kind of a setup error: the SDK's for a failed call, usage for
/// the rest (the file or the flags ask for what cannot be).
fn failure(error: SetupError) -> CliError {
    let kind = match &error {
        SetupError::Api { source, .. } => kind_of(source),
        _ => Kind::Usage,
    };
    CliError::new(kind, error.to_string())
}

/// `-o json` given on the command line (the default output is for people).
fn json_asked(matches: &ArgMatches) -> bool {
    matches.value_source("output") == Some(ValueSource::CommandLine)
        && matches.get_one::<Format>("output") == Some(&Format::Json)
}

/// Write `text` on stdout; a closed reader (`| head`) is the reader's
/// choice, quiet as everywhere in the command line.
fn print(text: &str) -> Result<(), CliError> {
    output::print_text(text)
}

/// Write a created client's settings on stdout: a failed write is an
/// error (exit 1), never quiet, since the secret is shown this once.
fn print_once(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| {
            CliError::new(
                Kind::Other,
                format!("cannot write to stdout: {e}; the created client's secret, shown once, is lost: delete and create the client again"),
            )
        })
}

async fn export(client: &Client, matches: &ArgMatches) -> Result<(), CliError> {
    let clusters: Vec<String> = matches
        .get_many::<String>("cluster")
        .map(|c| c.cloned().collect())
        .unwrap_or_default();
    let exported = setup::export(client, &clusters).await.map_err(failure)?;
    for note in &exported.notes {
        eprintln!("camunda-admin: not exported: {note}");
    }
    let text = if json_asked(matches) {
        serde_json::to_string_pretty(&exported.setup)
            .map(|t| t + "\n")
            .map_err(|e| CliError::new(Kind::Other, e.to_string()))?
    } else {
        exported.setup.to_yaml().map_err(failure)?
    };
    match matches.get_one::<PathBuf>("out") {
        Some(path) => std::fs::write(path, text).map_err(|e| {
            CliError::new(Kind::Other, format!("cannot write {}: {e}", path.display()))
        }),
        None => print(&text),
    }
}

fn read_setup(matches: &ArgMatches) -> Result<Setup, CliError> {
    let path = matches
        .get_one::<PathBuf>("file")
        .ok_or_else(|| CliError::usage("no setup file given: -f FILE"))?;
    Setup::from_path(path).map_err(failure)
}

fn plan_options(matches: &ArgMatches) -> PlanOptions {
    PlanOptions::default().prune(matches.get_flag("prune"))
}

async fn plan(client: &Client, matches: &ArgMatches) -> Result<(), CliError> {
    let setup = read_setup(matches)?;
    let plan = setup::plan(client, &setup, &plan_options(matches))
        .await
        .map_err(failure)?;
    let text = if json_asked(matches) {
        serde_json::to_string_pretty(&plan)
            .map(|t| t + "\n")
            .map_err(|e| CliError::new(Kind::Other, e.to_string()))?
    } else {
        plan.to_string()
    };
    print(&text)?;
    match plan.has_changes() {
        // Not a failure: the exit code is the answer (as `diff`'s 1).
        true => Err(CliError::differs()),
        false => Ok(()),
    }
}

async fn apply(client: &Client, matches: &ArgMatches) -> Result<(), CliError> {
    let setup = read_setup(matches)?;
    let mut options = ApplyOptions::default()
        .prune(matches.get_flag("prune"))
        .allow_replace(matches.get_flag("allow-replace"));
    if let (Some(timeout), Some(poll)) = (
        matches.get_one::<Duration>("timeout"),
        matches.get_one::<Duration>("poll-interval"),
    ) {
        options = options.wait(WaitOptions::new(*timeout, *poll));
    }
    let plan = setup::plan(client, &setup, &options.plan)
        .await
        .map_err(failure)?;
    let env_out = output::format(matches) == Format::Env;
    if !plan.has_changes() {
        let text = "No changes: the live setup matches the file.\n";
        // With -o env, stdout is for NAME=value lines only.
        if env_out {
            eprint!("{text}");
            return Ok(());
        }
        return print(text);
    }
    eprint!("{plan}");

    // Everything that could stop the apply is settled before any change.
    let creating = plan
        .changes
        .iter()
        .filter(|c| {
            matches!(c.resource, setup::Resource::Client { .. })
                && matches!(c.action, Action::Create | Action::Replace)
        })
        .count();
    let credentials_dir = matches.get_one::<PathBuf>("credentials-dir");
    credentials_settled(credentials_dir.map(PathBuf::as_path), env_out, creating)?;
    if plan.count(Action::Replace) > 0 && !options.allow_replace {
        return Err(CliError::usage(
            "the plan replaces resources: add --allow-replace to go ahead; nothing changed",
        ));
    }
    let destructive = plan.count(Action::Delete) + plan.count(Action::Replace);
    if destructive > 0 && !matches.get_flag("yes") {
        confirm(destructive)?;
    }

    let report = setup::apply(client, &plan, &options, |event| {
        eprintln!("camunda-admin: {event}");
    })
    .await
    .map_err(failure)?;
    // Written even when the apply failed later: these secrets exist now.
    let mut write_error = None;
    if let Some(dir) = credentials_dir {
        let mut written = Vec::new();
        for created in &report.credentials {
            match write_credentials(dir, created, &mut written) {
                Ok(path) => eprintln!(
                    "camunda-admin: credentials of client {:?} of cluster {:?} written to {}",
                    created.client_name,
                    created.cluster,
                    path.display()
                ),
                Err(e) => write_error = Some(e),
            }
        }
    }
    let report_text = report.to_string();
    if env_out {
        // Stdout holds the NAME=value lines alone, for `--env-file` and
        // `set -a; . FILE`; the report goes to stderr.
        eprint!("{report_text}");
        if let Some(created) = report.credentials.first() {
            print_once(&env_text(created))?;
        }
    } else {
        print(&report_text)?;
    }
    if let Some(error) = write_error {
        return Err(error);
    }
    match report.failed {
        None => Ok(()),
        Some(failure_) => Err(failure(failure_.error)),
    }
}

/// Where created clients' secrets go, settled before any change: files
/// in `--credentials-dir`, or `-o env` lines on stdout for exactly one
/// client. Secrets shown once never go to stderr or a log.
fn credentials_settled(dir: Option<&Path>, env_out: bool, creating: usize) -> Result<(), CliError> {
    if let Some(dir) = dir {
        if !dir.is_dir() {
            return Err(CliError::usage(format!(
                "--credentials-dir {}: not a folder; nothing changed",
                dir.display()
            )));
        }
    }
    if env_out && creating > 1 {
        return Err(CliError::usage(format!(
            "-o env prints the credentials of one created client, and the plan creates {creating}: give --credentials-dir DIR instead; nothing changed"
        )));
    }
    if env_out && creating == 1 && output::stdout_is_null() {
        return Err(CliError::usage(
            "-o env: the created client's secret is shown once, and stdout is closed or /dev/null; nothing changed",
        ));
    }
    if dir.is_none() && !env_out && creating > 0 {
        return Err(CliError::usage(format!(
            "the plan creates {creating} clients, whose secrets are shown once: give --credentials-dir DIR (or -o env for one client); nothing changed"
        )));
    }
    Ok(())
}

/// A created client's settings as `NAME=value` lines; JSON (with a
/// warning that names no value) when a value cannot be such a line, so
/// the secret, shown once, still reaches stdout.
fn env_text(created: &CreatedClient) -> String {
    let pairs: Vec<(String, String)> = created
        .settings
        .iter()
        .map(|(name, value)| (name.to_owned(), value.expose().to_owned()))
        .collect();
    match output::env_lines(&pairs) {
        Ok(text) => text,
        Err(error) => {
            output::warn(&format!(
                "warning: {error}; the settings follow as JSON instead"
            ));
            let json = serde_json::to_string_pretty(&created.settings.to_json_exposed());
            json.map(|t| t + "\n").unwrap_or_default()
        }
    }
}

/// Ask on a terminal; refuse on anything else.
fn confirm(count: usize) -> Result<(), CliError> {
    let refused = || {
        CliError::usage(format!(
            "the plan deletes or replaces {count} resources: confirm on a terminal or add --yes; nothing changed"
        ))
    };
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(refused());
    }
    eprint!("camunda-admin: the plan deletes or replaces {count} resources. Go ahead? [y/N] ");
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|_| refused())?;
    match answer.trim() {
        "y" | "Y" | "yes" => Ok(()),
        _ => Err(refused()),
    }
}

/// A file name part: letters, digits, `-` and `_` kept, the rest `_`.
fn file_part(name: &str) -> String {
    name.chars()
        .map(
            |c| match c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                true => c,
                false => '_',
            },
        )
        .collect()
}

/// `DIR/CLUSTER.CLIENT.env`, mode 0600, with the settings the Console's
/// credentials download names (the library's one mapping). Two clients
/// whose names make the same file name (`a.b` and `a_b`) in one apply:
/// the second file also carries its client id, so neither secret, shown
/// once, is overwritten.
fn write_credentials(
    dir: &Path,
    created: &CreatedClient,
    written: &mut Vec<PathBuf>,
) -> Result<PathBuf, CliError> {
    let stem = format!(
        "{}.{}",
        file_part(&created.cluster),
        file_part(&created.client_name)
    );
    let mut path = dir.join(format!("{stem}.env"));
    if written.contains(&path) {
        path = dir.join(format!("{stem}.{}.env", file_part(&created.client_id)));
    }
    written.push(path.clone());
    let text: String = created
        .settings
        .iter()
        .map(|(name, value)| format!("{name}={}\n", value.expose()))
        .collect();
    let failed = |e: std::io::Error| {
        CliError::new(Kind::Other, format!("cannot write {}: {e}", path.display()))
    };
    // A replaced client's old file goes; the new one is created afresh,
    // never through a link someone left there.
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(failed(e)),
        _ => {}
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path).map_err(failed)?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(failed)?;
    Ok(path)
}
