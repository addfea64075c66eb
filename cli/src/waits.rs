//! `--wait`: after the request, wait until its change is done. What each
//! operation waits for, and where the ids are, is the operation table's
//! [`WaitFor`]: a created cluster until Healthy, a backup until Complete, a
//! restore until COMPLETED. Wake and upgrade first wait until the change
//! shows (status or generation differ from before the request), since the
//! cluster may still read Healthy right after it, then until Healthy. One
//! `--timeout` covers every step.

use std::time::Duration;

use camunda_admin::{
    operation::{IdSource, WaitFor, WaitUntil},
    types::{Cluster, ClusterStatus},
    Client, JsonAnswer, WaitOptions,
};
use clap::ArgMatches;
use serde_json::Value;
use tokio::time::Instant;

use crate::{
    exit::CliError,
    extras::{self, Extra},
    table::Operation,
};

/// A wait the user asked for.
#[derive(Debug, Clone, Copy)]
pub struct Wait {
    started: Instant,
    timeout: Duration,
    poll: Duration,
}

impl Wait {
    /// The wait `matches` asks for, if the operation has `--wait` and it is set.
    pub fn requested(spec: &Operation, matches: &ArgMatches) -> Option<Wait> {
        let has_wait = extras::of(spec).contains(&Extra::Wait);
        if !has_wait || !matches.get_flag("wait") {
            return None;
        }
        let timeout = *matches.get_one::<Duration>("timeout")?;
        let poll = *matches.get_one::<Duration>("poll-interval")?;
        Some(Wait {
            started: Instant::now(),
            timeout,
            poll,
        })
    }

    fn options(&self) -> WaitOptions {
        // What is left of the one timeout (no deadline arithmetic to overflow).
        let left = self.timeout.saturating_sub(self.started.elapsed());
        WaitOptions::new(left, self.poll)
    }
}

/// What a wait needs to know from before the request.
#[derive(Debug, Default)]
pub struct Before(Option<Cluster>);

/// The id `source` points at: a path parameter of the call, or a field of
/// its answer.
fn id(
    spec: &Operation,
    source: IdSource,
    path: &[String],
    answer: &Value,
) -> Result<String, CliError> {
    match source {
        IdSource::Path(name) => spec
            .path_position(name)
            .and_then(|i| path.get(i))
            .cloned()
            .ok_or_else(|| CliError::usage(format!("{name} is missing"))),
        IdSource::Answer(field) => answer
            .get(field)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| {
                CliError::new(
                    crate::exit::Kind::Decode,
                    format!("the answer has no {field} to wait for"),
                )
            }),
        other => Err(CliError::usage(format!("cannot wait on {other:?}"))),
    }
}

fn wait_for(spec: &Operation) -> Result<&'static WaitFor, CliError> {
    let spec: &'static Operation = spec.id.operation();
    spec.wait.as_ref().ok_or_else(|| {
        CliError::usage(format!(
            "{} {} has no --wait",
            spec.command.group, spec.command.verb
        ))
    })
}

/// Read what the wait compares against, for the waits that need it.
pub async fn before(
    client: &Client,
    spec: &Operation,
    path: &[String],
) -> Result<Before, CliError> {
    let wait = wait_for(spec)?;
    if !matches!(
        wait.until,
        WaitUntil::ClusterWoken | WaitUntil::ClusterUpgraded
    ) {
        return Ok(Before(None));
    }
    let cluster = id(spec, wait.cluster, path, &Value::Null)?;
    Ok(Before(Some(client.get_cluster(cluster).await?)))
}

/// Wait until the change of `spec` is done.
pub async fn finish(
    client: &Client,
    spec: &Operation,
    path: &[String],
    outcome: &JsonAnswer,
    before: Before,
    wait: Wait,
) -> Result<(), CliError> {
    let rule = wait_for(spec)?;
    let answer = match outcome {
        JsonAnswer::Json(value) => value,
        _ => &Value::Null,
    };
    let cluster = id(spec, rule.cluster, path, answer)?;
    let backup = || match rule.backup {
        Some(source) => id(spec, source, path, answer),
        None => Err(CliError::usage("no backup to wait for")),
    };
    match rule.until {
        WaitUntil::ClusterHealthy => {
            client
                .wait_for_cluster_healthy(&cluster, wait.options())
                .await?;
        }
        WaitUntil::BackupComplete => {
            client
                .wait_for_backup(&cluster, &backup()?, wait.options())
                .await?;
        }
        WaitUntil::RestoreComplete => {
            client
                .wait_for_restore(&cluster, &backup()?, wait.options())
                .await?;
        }
        until @ (WaitUntil::ClusterWoken | WaitUntil::ClusterUpgraded) => {
            if let Before(Some(before)) = before {
                change_shows(client, until, &cluster, &before, wait).await?;
            }
            client
                .wait_for_cluster_healthy(&cluster, wait.options())
                .await?;
        }
        other => return Err(CliError::usage(format!("cannot wait until {other:?}"))),
    }
    Ok(())
}

/// Wait until the cluster's status or generation differs from `before`;
/// nothing to wait for when a woken cluster was not Suspended.
async fn change_shows(
    client: &Client,
    until: WaitUntil,
    id: &str,
    before: &Cluster,
    wait: Wait,
) -> Result<(), CliError> {
    if until == WaitUntil::ClusterWoken && before.status.ready != ClusterStatus::Suspended {
        return Ok(());
    }
    let status = before.status.ready.clone();
    let generation = before.generation.uuid.clone();
    client
        .wait_for_cluster(id, "to show the change", wait.options(), move |c| {
            c.status.ready != status || c.generation.uuid != generation
        })
        .await?;
    Ok(())
}
