//! `--wait`: after the request, wait until its change is done. Create
//! cluster waits until Healthy, create backup until Complete, restore until
//! COMPLETED. Wake and upgrade first wait until the change shows (status or
//! generation differ from before the request), since the cluster may still
//! read Healthy right after it, then until Healthy. One `--timeout` covers
//! every step.

use std::time::Duration;

use camunda_admin::{
    types::{Cluster, ClusterStatus},
    Client, WaitOptions,
};
use clap::ArgMatches;
use serde_json::Value;
use tokio::time::Instant;

use crate::{
    exit::CliError,
    extras::{self, Extra},
    table::{CommandSpec, Invocation, Outcome},
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
    pub fn requested(spec: &CommandSpec, matches: &ArgMatches) -> Option<Wait> {
        let has_wait = extras::of(spec.id).contains(&Extra::Wait);
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

/// Read what the wait compares against, for the operations that need it.
pub async fn before(
    client: &Client,
    spec: &CommandSpec,
    invocation: &Invocation,
) -> Result<Before, CliError> {
    if !matches!(spec.id, "Wake" | "UpgradeCluster") {
        return Ok(Before(None));
    }
    let id = invocation.path(0)?;
    Ok(Before(Some(client.get_cluster(id).await?)))
}

/// Wait until the change of `spec` is done.
pub async fn finish(
    client: &Client,
    spec: &CommandSpec,
    path: &[String],
    outcome: &Outcome,
    before: Before,
    wait: Wait,
) -> Result<(), CliError> {
    let param = |i: usize| {
        path.get(i)
            .cloned()
            .ok_or_else(|| CliError::usage(format!("path parameter {} is missing", i + 1)))
    };
    let answer = match outcome {
        Outcome::Json(value) => value,
        _ => &Value::Null,
    };
    match spec.id {
        "CreateCluster" => {
            let id = field(answer, "clusterId")?;
            client.wait_for_cluster_healthy(&id, wait.options()).await?;
        }
        "CreateBackup" => {
            let backup = field(answer, "uuid")?;
            client
                .wait_for_backup(&param(0)?, &backup, wait.options())
                .await?;
        }
        "RestoreFromBackup" => {
            client
                .wait_for_restore(&param(0)?, &param(1)?, wait.options())
                .await?;
        }
        "Wake" | "UpgradeCluster" => {
            let id = param(0)?;
            if let Before(Some(before)) = before {
                change_shows(client, spec.id, &id, &before, wait).await?;
            }
            client.wait_for_cluster_healthy(&id, wait.options()).await?;
        }
        other => return Err(CliError::usage(format!("{other} has no --wait"))),
    }
    Ok(())
}

/// Wait until the cluster's status or generation differs from `before`;
/// nothing to wait for when a woken cluster was not Suspended.
async fn change_shows(
    client: &Client,
    op: &str,
    id: &str,
    before: &Cluster,
    wait: Wait,
) -> Result<(), CliError> {
    if op == "Wake" && before.status.ready != ClusterStatus::Suspended {
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

fn field(answer: &Value, name: &str) -> Result<String, CliError> {
    answer
        .get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            CliError::new(
                crate::exit::Kind::Decode,
                format!("the answer has no {name} to wait for"),
            )
        })
}
