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

/// Look, pause, look again until `look` is done or has failed; at the
/// deadline look one last time (a pause is cut short to end there), and
/// report the time actually waited. Quitting when the *next* look would
/// pass the deadline gave up early and claimed the whole timeout.
async fn poll<T, F, Fut>(what: String, options: WaitOptions, mut look: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Look<T>>>,
{
    let started = Instant::now();
    let deadline = crate::retry::timing::instant_after(started, options.timeout);
    loop {
        let last = match look().await? {
            Look::Done(value) => return Ok(value),
            Look::Failed(status) => return Err(Error::WaitFailed { what, status }),
            Look::Pending(status) => status,
        };
        tracing::debug!(%what, status = %last, "still waiting");
        let now = Instant::now();
        if now >= deadline {
            return Err(Error::WaitTimedOut {
                what,
                last_status: last,
                waited: now.saturating_duration_since(started),
            });
        }
        let pause = options
            .poll_interval
            .min(deadline.saturating_duration_since(now));
        tokio::time::sleep(pause).await;
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

    /// Wait until the cluster is gone: its read answers 404. A delete
    /// answers before the cluster is torn down; this is the wait for it.
    pub async fn wait_for_cluster_deleted(
        &self,
        cluster_uuid: &str,
        options: WaitOptions,
    ) -> Result<()> {
        poll(
            format!("cluster {cluster_uuid} to be deleted"),
            options,
            || async {
                match self.get_cluster(cluster_uuid).await {
                    Ok(cluster) => Ok(Look::Pending(cluster.status.ready.to_string())),
                    Err(e) if e.status() == Some(http::StatusCode::NOT_FOUND) => Ok(Look::Done(())),
                    Err(e) => Err(e),
                }
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

#[cfg(test)]
mod tests {
    use std::{
        sync::atomic::{AtomicU32, Ordering},
        time::Duration,
    };

    use super::*;

    /// A look that is pending until `ready_after` has passed since the
    /// start (in tokio's paused time), counting its calls.
    async fn wait_for_ready(
        ready_after: Duration,
        options: WaitOptions,
        looks: &AtomicU32,
    ) -> Result<Duration> {
        let start = Instant::now();
        poll("the thing".to_owned(), options, || async {
            looks.fetch_add(1, Ordering::Relaxed);
            Ok(if start.elapsed() >= ready_after {
                Look::Done(start.elapsed())
            } else {
                Look::Pending("Creating".to_owned())
            })
        })
        .await
    }

    #[tokio::test(start_paused = true)]
    async fn a_thing_ready_before_the_deadline_is_found() {
        let looks = AtomicU32::new(0);
        let options = WaitOptions::new(Duration::from_secs(8), Duration::from_secs(10));
        let found = wait_for_ready(Duration::from_secs(5), options, &looks)
            .await
            .expect("ready at 5 s, within 8 s");
        // The first look at 0 s, the last one at the deadline.
        assert_eq!(found, Duration::from_secs(8));
        assert_eq!(looks.load(Ordering::Relaxed), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn the_wait_lasts_to_its_deadline_and_says_how_long_it_waited() {
        let looks = AtomicU32::new(0);
        let options = WaitOptions::new(Duration::from_secs(3), Duration::from_secs(1));
        let error = wait_for_ready(Duration::from_secs(60), options, &looks)
            .await
            .expect_err("never ready");
        match error {
            Error::WaitTimedOut { waited, .. } => assert_eq!(waited, Duration::from_secs(3)),
            other => panic!("{other:?}"),
        }
        // 0, 1, 2 and 3 s.
        assert_eq!(looks.load(Ordering::Relaxed), 4);
    }
}
