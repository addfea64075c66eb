//! Commands written by hand beside the generated ones (their names are in
//! [`HAND_WRITTEN`](crate::table::HAND_WRITTEN), which a test keeps clear
//! of generated names): the standalone waits `clusters wait`, `backups
//! wait`, `backups restore-wait`, and `allowlist list|add|remove`.

use std::time::Duration;

use camunda_admin::{operation::OperationId, Client, JsonAnswer, JsonCall, WaitOptions};
use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::{json, Value};

use crate::{
    connect,
    exit::{CliError, Kind},
    names,
    output::{self, Shown},
    sources::Stdin,
};

/// The hand-written subcommands of `group`.
pub fn subcommands(group: &str) -> Vec<Command> {
    match group {
        "clusters" => vec![cluster_wait()],
        "backups" => vec![backup_wait(), restore_wait()],
        "allowlist" => vec![allowlist_list(), allowlist_add(), allowlist_remove()],
        _ => Vec::new(),
    }
}

/// `--timeout` and `--poll-interval` of a wait.
pub fn wait_timing(command: Command, what: &str) -> Command {
    command
        .arg(
            Arg::new("timeout")
                .long("timeout")
                .value_name("DURATION")
                .default_value("15m")
                .value_parser(humantime::parse_duration)
                .help(format!("How long {what} waits (10m, 90s, ...)")),
        )
        .arg(
            Arg::new("poll-interval")
                .long("poll-interval")
                .value_name("DURATION")
                .default_value("10s")
                .value_parser(humantime::parse_duration)
                .help(format!("How often {what} looks")),
        )
}

fn cluster_arg() -> Arg {
    Arg::new("cluster")
        .required(true)
        .value_name("CLUSTER")
        .help("The cluster: its id, or its name (looked up in `clusters list`)")
}

fn backup_arg() -> Arg {
    Arg::new("backup")
        .required(true)
        .value_name("BACKUP")
        .help("The backup's id (or its name, for `backups wait`)")
}

fn cluster_wait() -> Command {
    let command = Command::new("wait")
        .about("Wait until a cluster is healthy, suspended, deleted or on a generation")
        .arg(cluster_arg())
        .arg(
            Arg::new("for")
                .long("for")
                .value_name("STATE")
                .default_value("healthy")
                .value_parser(parse_cluster_state)
                .help("What to wait for: healthy, suspended, deleted, or generation=ID (the generation's id or name, then Healthy)"),
        );
    wait_timing(command, "the wait")
}

fn backup_wait() -> Command {
    let command = Command::new("wait")
        .about("Wait until a backup is Complete")
        .arg(cluster_arg())
        .arg(backup_arg());
    wait_timing(command, "the wait")
}

fn restore_wait() -> Command {
    let command = Command::new("restore-wait")
        .about("Wait until the restore from a backup is COMPLETED")
        .arg(cluster_arg())
        .arg(backup_arg());
    wait_timing(command, "the wait")
}

fn entry_help() -> &'static str {
    "An entry: IP or CIDR range, optionally followed by `=DESCRIPTION` (10.0.0.0/8=office), or a JSON object {\"ip\": ..., \"description\": ...}; repeat for several"
}

fn allowlist_list() -> Command {
    Command::new("list")
        .about("Show the IP allowlist of a cluster (from the cluster's own answer)")
        .arg(cluster_arg())
}

fn allowlist_add() -> Command {
    Command::new("add")
        .about("Add entries to the IP allowlist of a cluster, keeping the others")
        .long_about("Add entries to the IP allowlist of a cluster: reads the list, adds the entries (an IP already listed gets the new description), writes the whole list back. Fails, changing nothing, when the cluster's answer does not show its allowlist.")
        .arg(cluster_arg())
        .arg(
            Arg::new("entry")
                .required(true)
                .num_args(1..)
                .value_name("ENTRY")
                .help(entry_help()),
        )
}

fn allowlist_remove() -> Command {
    Command::new("remove")
        .about("Remove entries from the IP allowlist of a cluster, keeping the others")
        .arg(cluster_arg())
        .arg(
            Arg::new("ip")
                .required(true)
                .num_args(1..)
                .value_name("IP")
                .help("The IP or range of each entry to remove"),
        )
        .arg(
            Arg::new("ignore-missing")
                .long("ignore-missing")
                .action(ArgAction::SetTrue)
                .help("Succeed when an IP is not listed (else exit 2, changing nothing)"),
        )
}

/// What `clusters wait --for` waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterState {
    Healthy,
    Suspended,
    Deleted,
    Generation(String),
}

fn parse_cluster_state(text: &str) -> Result<ClusterState, String> {
    match text {
        "healthy" => Ok(ClusterState::Healthy),
        "suspended" => Ok(ClusterState::Suspended),
        "deleted" => Ok(ClusterState::Deleted),
        other => match other.strip_prefix("generation=") {
            Some(id) if !id.is_empty() => Ok(ClusterState::Generation(id.to_owned())),
            _ => Err("one of: healthy, suspended, deleted, generation=ID".to_owned()),
        },
    }
}

fn timing(matches: &ArgMatches) -> WaitOptions {
    let get = |id: &str, default: u64| {
        matches
            .get_one::<Duration>(id)
            .copied()
            .unwrap_or(Duration::from_secs(default))
    };
    WaitOptions::new(get("timeout", 900), get("poll-interval", 10))
}

fn text<'m>(matches: &'m ArgMatches, id: &str) -> &'m str {
    matches.get_one::<String>(id).map_or("", String::as_str)
}

/// Run the hand-written command `verb` of `group`, if there is one.
pub async fn run(group: &str, verb: &str, matches: &ArgMatches) -> Option<Result<(), CliError>> {
    let known = matches!(
        (group, verb),
        ("clusters", "wait")
            | ("backups", "wait" | "restore-wait")
            | ("allowlist", "list" | "add" | "remove")
    );
    if !known {
        return None;
    }
    Some(run_known(group, verb, matches).await)
}

async fn run_known(group: &str, verb: &str, matches: &ArgMatches) -> Result<(), CliError> {
    // Before anything is read or written: these answers have no env form.
    if output::format(matches) == output::Format::Env {
        return Err(CliError::usage(format!(
            "-o env: {group} {verb} has no NAME=value form"
        )));
    }
    let stdin = Stdin::default();
    let client = connect::client(matches, &stdin, true)?;
    let cluster = names::cluster_id(&client, text(matches, "cluster")).await?;
    let answer = match (group, verb) {
        ("clusters", "wait") => wait_cluster(&client, &cluster, matches).await?,
        ("backups", "wait") => {
            let backup = client
                .wait_for_backup(&cluster, text(matches, "backup"), timing(matches))
                .await?;
            JsonAnswer::Json(to_json(&backup)?)
        }
        ("backups", "restore-wait") => {
            let restore = client
                .wait_for_restore(&cluster, text(matches, "backup"), timing(matches))
                .await?;
            JsonAnswer::Json(to_json(&restore)?)
        }
        ("allowlist", "list") => {
            JsonAnswer::Json(Value::Array(allowlist_of(&client, &cluster).await?))
        }
        ("allowlist", "add") => allowlist_add_run(&client, &cluster, matches).await?,
        ("allowlist", "remove") => allowlist_remove_run(&client, &cluster, matches).await?,
        _ => return Err(CliError::usage(format!("{group} {verb}: no such command"))),
    };
    output::emit(&answer, matches, Shown::Plain, None)
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Value, CliError> {
    serde_json::to_value(value)
        .map_err(|e| CliError::new(Kind::Decode, format!("cannot write the answer: {e}")))
}

async fn wait_cluster(
    client: &Client,
    cluster: &str,
    matches: &ArgMatches,
) -> Result<JsonAnswer, CliError> {
    let options = timing(matches);
    let state = matches
        .get_one::<ClusterState>("for")
        .cloned()
        .unwrap_or(ClusterState::Healthy);
    let found = match state {
        ClusterState::Healthy => client.wait_for_cluster_healthy(cluster, options).await?,
        ClusterState::Suspended => {
            client
                .wait_for_cluster(cluster, "to be Suspended", options, |c| {
                    c.status.ready.as_str() == "Suspended"
                })
                .await?
        }
        ClusterState::Deleted => {
            client.wait_for_cluster_deleted(cluster, options).await?;
            return Ok(JsonAnswer::Empty);
        }
        ClusterState::Generation(generation) => {
            let what = format!("to run generation {generation} and be Healthy");
            client
                .wait_for_cluster(cluster, &what, options, |c| {
                    (c.generation.uuid == generation || c.generation.name == generation)
                        && c.status.ready.as_str() == "Healthy"
                })
                .await?
        }
    };
    Ok(JsonAnswer::Json(to_json(&found)?))
}

/// The allowlist as the cluster's answer shows it. The document says it is
/// shown "only when enabled and permitted", and writing it needs the same
/// permission and feature: a caller whose write can succeed sees the list,
/// so an answer without it (the emulator leaves an empty one out) is read
/// as empty.
async fn allowlist_of(client: &Client, cluster: &str) -> Result<Vec<Value>, CliError> {
    let answer = client
        .call_json(OperationId::GetCluster, JsonCall::new([cluster]))
        .await?;
    let JsonAnswer::Json(value) = answer else {
        return Err(CliError::new(
            Kind::Decode,
            "the cluster's answer is not JSON",
        ));
    };
    match value.get("ipallowlist") {
        Some(Value::Array(entries)) => Ok(entries.clone()),
        None => Ok(Vec::new()),
        Some(_) => Err(CliError::new(
            Kind::Decode,
            "the cluster's ipallowlist is not a list",
        )),
    }
}

/// An entry from `IP[=DESCRIPTION]` or a JSON object.
fn entry(text: &str) -> Result<Value, CliError> {
    if text.trim_start().starts_with('{') {
        return match serde_json::from_str::<Value>(text) {
            Ok(value @ Value::Object(_)) if value["ip"].is_string() => {
                let mut value = value;
                if value.get("description").is_none() {
                    value["description"] = json!("");
                }
                Ok(value)
            }
            _ => Err(CliError::usage(format!(
                "{text:?} is not an entry: a JSON object needs an \"ip\""
            ))),
        };
    }
    let (ip, description) = text.split_once('=').unwrap_or((text, ""));
    if ip.is_empty() {
        return Err(CliError::usage(format!("{text:?} names no IP")));
    }
    Ok(json!({ "ip": ip, "description": description }))
}

/// Write the whole list; with `--dry-run`, print the request instead.
async fn write_allowlist(
    client: &Client,
    cluster: &str,
    entries: Vec<Value>,
    matches: &ArgMatches,
) -> Result<JsonAnswer, CliError> {
    let body = json!({ "ipallowlist": entries });
    let call = JsonCall::new([cluster]).body(body);
    if matches.get_flag(crate::commands::DRY_RUN) {
        let spec = OperationId::UpdateIpAllowlist.operation();
        crate::invocation::show_prepared(client, spec, &call)?;
        return Ok(JsonAnswer::Empty);
    }
    client
        .call_json(OperationId::UpdateIpAllowlist, call)
        .await?;
    Ok(JsonAnswer::Json(Value::Array(entries)))
}

async fn allowlist_add_run(
    client: &Client,
    cluster: &str,
    matches: &ArgMatches,
) -> Result<JsonAnswer, CliError> {
    let new: Vec<Value> = matches
        .get_many::<String>("entry")
        .into_iter()
        .flatten()
        .map(|t| entry(t))
        .collect::<Result<_, _>>()?;
    let mut entries = allowlist_of(client, cluster).await?;
    for item in new {
        match entries.iter_mut().find(|e| e["ip"] == item["ip"]) {
            Some(existing) => *existing = item,
            None => entries.push(item),
        }
    }
    write_allowlist(client, cluster, entries, matches).await
}

async fn allowlist_remove_run(
    client: &Client,
    cluster: &str,
    matches: &ArgMatches,
) -> Result<JsonAnswer, CliError> {
    let ips: Vec<&String> = matches
        .get_many::<String>("ip")
        .into_iter()
        .flatten()
        .collect();
    let mut entries = allowlist_of(client, cluster).await?;
    let missing: Vec<&str> = ips
        .iter()
        .filter(|ip| !entries.iter().any(|e| e["ip"] == ***ip))
        .map(|ip| ip.as_str())
        .collect();
    if !missing.is_empty() && !matches.get_flag("ignore-missing") {
        return Err(CliError::usage(format!(
            "not in the allowlist: {} (nothing changed)",
            missing.join(", ")
        )));
    }
    entries.retain(|e| !ips.iter().any(|ip| e["ip"] == ***ip));
    write_allowlist(client, cluster, entries, matches).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_and_entries_parse() {
        assert_eq!(parse_cluster_state("healthy"), Ok(ClusterState::Healthy));
        assert_eq!(
            parse_cluster_state("generation=8.8"),
            Ok(ClusterState::Generation("8.8".to_owned()))
        );
        assert!(parse_cluster_state("generation=").is_err());
        assert!(parse_cluster_state("ready").is_err());
        assert_eq!(
            entry("10.0.0.0/8=office").ok(),
            Some(json!({"ip": "10.0.0.0/8", "description": "office"}))
        );
        assert_eq!(
            entry("1.2.3.4").ok(),
            Some(json!({"ip": "1.2.3.4", "description": ""}))
        );
        assert!(entry("{\"description\": \"x\"}").is_err());
    }
}
