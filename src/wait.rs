//! Waiting for long-running changes: a cluster becoming Healthy, a backup
//! or a restore finishing. Each polls with a fixed interval until a deadline
//! and fails at once on a status that will not turn good by itself.

use std::time::Duration;

use tokio::time::Instant;

use crate::{
    error::{Error, Result},
    types::{BackupDto, BackupStatus, Cluster, ClusterStatus, RestoreDto, RestoreState},
    Client,
};

/// How long to wait and how often to look.
///
/// ```
/// use std::time::Duration;
/// let options = camunda_admin::WaitOptions::new(Duration::from_secs(600), Duration::from_secs(5));
/// assert_eq!(options.timeout, Duration::from_secs(600));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct WaitOptions {
    /// Give up after this long.
    pub timeout: Duration,
    /// Pause between two looks.
    pub poll_interval: Duration,
}

impl Default for WaitOptions {
    /// 15 minutes, every 10 seconds: a new SaaS cluster takes a few minutes.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(15 * 60),
            poll_interval: Duration::from_secs(10),
        }
    }
}

impl WaitOptions {
    /// Wait up to `timeout`, looking every `poll_interval`.
    pub const fn new(timeout: Duration, poll_interval: Duration) -> Self {
        Self {
            timeout,
            poll_interval,
        }
    }
}

/// What a look found.
enum Look<T> {
    Done(T),
    Pending(String),
    Failed(String),
}

async fn poll<T, F, Fut>(what: String, options: WaitOptions, mut look: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Look<T>>>,
{
    let deadline = crate::retry::timing::instant_after(Instant::now(), options.timeout);
    loop {
        let last = match look().await? {
            Look::Done(value) => return Ok(value),
            Look::Failed(status) => return Err(Error::WaitFailed { what, status }),
            Look::Pending(status) => status,
        };
        tracing::debug!(%what, status = %last, "still waiting");
        if crate::retry::timing::instant_after(Instant::now(), options.poll_interval) > deadline {
            return Err(Error::WaitTimedOut {
                what,
                last_status: last,
                waited: options.timeout,
            });
        }
        tokio::time::sleep(options.poll_interval).await;
    }
}

impl Client {
    /// Wait until `done` holds for the cluster and return it; `what` names
    /// the wait in errors. For a change that shows only after a while:
    /// right after `wake` or `upgrade_cluster` the cluster may still read
    /// Healthy, so wait for the status or generation to change first, then
    /// for [`Client::wait_for_cluster_healthy`].
    pub async fn wait_for_cluster(
        &self,
        cluster_uuid: &str,
        what: &str,
        options: WaitOptions,
        done: impl Fn(&Cluster) -> bool,
    ) -> Result<Cluster> {
        poll(format!("cluster {cluster_uuid} {what}"), options, || {
            let found = self.get_cluster(cluster_uuid);
            let done = &done;
            async move {
                let cluster = found.await?;
                Ok(if done(&cluster) {
                    Look::Done(cluster)
                } else {
                    Look::Pending(cluster.status.ready.to_string())
                })
            }
        })
        .await
    }

    /// Wait until the cluster is Healthy and return it. Fails with
    /// [`Error::WaitFailed`] when it waits for input (it will not recover
    /// without action), and [`Error::WaitTimedOut`] at the deadline. A
    /// Suspended cluster is waited for: a restore suspends the cluster while
    /// it runs (an idle one needs [`Client::wake`] first).
    pub async fn wait_for_cluster_healthy(
        &self,
        cluster_uuid: &str,
        options: WaitOptions,
    ) -> Result<Cluster> {
        poll(
            format!("cluster {cluster_uuid} to be Healthy"),
            options,
            || async {
                let cluster = self.get_cluster(cluster_uuid).await?;
                let ready = cluster.status.ready.clone();
                Ok(match ready {
                    ClusterStatus::Healthy => Look::Done(cluster),
                    ClusterStatus::WaitingForInput => Look::Failed(ready.to_string()),
                    other => Look::Pending(other.to_string()),
                })
            },
        )
        .await
    }

    /// Wait until the backup is Complete and return it. Fails with
    /// [`Error::WaitFailed`] when it Failed.
    pub async fn wait_for_backup(
        &self,
        cluster_uuid: &str,
        backup_id: &str,
        options: WaitOptions,
    ) -> Result<BackupDto> {
        poll(
            format!("backup {backup_id} of cluster {cluster_uuid} to complete"),
            options,
            || async {
                let backups = self.get_backups(cluster_uuid).await?;
                let Some(backup) = backups
                    .into_iter()
                    .find(|b| b.uuid == backup_id || b.name == backup_id)
                else {
                    return Ok(Look::Pending("not listed yet".to_owned()));
                };
                Ok(match &backup.status {
                    BackupStatus::Complete => Look::Done(backup),
                    BackupStatus::Failed => Look::Failed(backup.status.to_string()),
                    other => Look::Pending(other.to_string()),
                })
            },
        )
        .await
    }

    /// Wait until the restore from `backup_id` is COMPLETED and return it.
    /// Fails with [`Error::WaitFailed`] when it FAILED or was ABORTED.
    pub async fn wait_for_restore(
        &self,
        cluster_uuid: &str,
        backup_id: &str,
        options: WaitOptions,
    ) -> Result<RestoreDto> {
        poll(
            format!("restore of cluster {cluster_uuid} from backup {backup_id}"),
            options,
            || async {
                let restore = self.get_restore(cluster_uuid, backup_id).await?;
                Ok(match &restore.state {
                    RestoreState::Completed => Look::Done(restore),
                    RestoreState::Failed | RestoreState::Aborted => {
                        Look::Failed(restore.state.to_string())
                    }
                    other => Look::Pending(other.to_string()),
                })
            },
        )
        .await
    }
}
