//! A throwaway cluster for a CI run or a load test: created by names,
//! waited for until Healthy, given an API client, handed back with its
//! [connection settings](crate::connection), and deleted afterwards.
//!
//! ```no_run
//! # async fn run(client: camunda_admin::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use camunda_admin::ephemeral::Ephemeral;
//! use std::time::Duration;
//!
//! let mut cluster = Ephemeral::builder("ci-orders")
//!     .region("europe-west1")
//!     .plan("Basic")
//!     .channel("Stable")
//!     .generation("8.8")
//!     .ttl(Duration::from_secs(2 * 3600))
//!     .start(&client)
//!     .await?;
//! for (name, value) in cluster.settings().iter() {
//!     println!("{name}={value}"); // the secret shows as ***
//! }
//! cluster.teardown().await?;
//! # Ok(()) }
//! ```
//!
//! A failure at any step after the create deletes the cluster before the
//! error is returned ([`StartError`] says whether that delete worked). A
//! caller that may be interrupted (a signal) uses
//! [`EphemeralBuilder::prepare`] and [`Ephemeral::start`]: the handle
//! knows the cluster's id from the moment it is created, so
//! [`Ephemeral::teardown`] works after the start was dropped half-way.
//!
//! Each cluster's description carries a marker
//! (`[camunda-admin ci until=2026-12-03T12:00Z by=owner/repo#123]`, see
//! [`Marker`]) that a janitor reads ([`prune_verdict`]) to delete what a
//! killed job left behind.

use std::{fmt, time::Duration};

use chrono::{DateTime, Utc};
use tokio::time::Instant;

use crate::{
    connection::ConnectionSettings,
    error::Error,
    operation::OperationId,
    types::{self, CamundaClusterStage, ClientPermission, Cluster, CreatedClusterClient},
    Client, NewCluster, WaitOptions,
};

/// What to create; [`Ephemeral::builder`] makes one.
#[derive(Debug, Clone)]
#[must_use]
pub struct EphemeralBuilder {
    name_prefix: String,
    region: Option<String>,
    plan: Option<String>,
    channel: Option<String>,
    generation: Option<String>,
    stage_label: Option<CamundaClusterStage>,
    ttl: Option<Duration>,
    owner: Option<String>,
    description: Option<String>,
    client_name: Option<String>,
    permissions: Vec<ClientPermission>,
    wait: WaitOptions,
}

/// A cluster created for one run, and its client's connection settings.
/// Dropping it deletes nothing (a delete is a call that can fail): call
/// [`Ephemeral::teardown`]; the marker lets a janitor find what a killed
/// process left.
#[must_use = "the cluster lives on until teardown"]
pub struct Ephemeral {
    client: Client,
    spec: EphemeralBuilder,
    cluster_id: Option<String>,
    cluster_name: Option<String>,
    settings: Option<ConnectionSettings>,
    gone: bool,
}

impl fmt::Debug for Ephemeral {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ephemeral")
            .field("cluster_id", &self.cluster_id)
            .field("cluster_name", &self.cluster_name)
            .field("settings", &self.settings)
            .field("gone", &self.gone)
            .finish_non_exhaustive()
    }
}

/// What [`Ephemeral::teardown`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Teardown {
    /// The cluster was deleted now.
    Deleted,
    /// It was gone already (deleted before, or by someone else).
    AlreadyGone,
    /// Nothing was created.
    NothingCreated,
}

/// What happened to the cluster when [`Ephemeral::start`] failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum Cleanup {
    /// The failure came before anything was created.
    NothingCreated,
    /// The cluster was deleted.
    Deleted,
    /// Deleting the cluster failed too: it is left behind.
    Failed(Error),
}

/// A failed [`Ephemeral::start`]: the error, and what became of the cluster.
#[derive(Debug)]
#[non_exhaustive]
pub struct StartError {
    /// Why the start failed.
    pub error: Error,
    /// The cluster's id, if it was created.
    pub cluster_id: Option<String>,
    /// What became of it.
    pub cleanup: Cleanup,
}

impl StartError {
    /// Whether a cluster was left behind (its delete failed).
    pub fn left_behind(&self) -> Option<&str> {
        match self.cleanup {
            Cleanup::Failed(_) => self.cluster_id.as_deref(),
            _ => None,
        }
    }
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.error)?;
        match (&self.cleanup, &self.cluster_id) {
            (Cleanup::Deleted, Some(id)) => write!(f, "; the cluster {id} was deleted"),
            (Cleanup::Failed(e), Some(id)) => write!(
                f,
                "; deleting the cluster {id} failed too ({e}): it is left behind"
            ),
            _ => Ok(()),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl Ephemeral {
    /// A cluster named `name_prefix` and a random suffix; region, plan and
    /// channel are required.
    pub fn builder(name_prefix: impl Into<String>) -> EphemeralBuilder {
        EphemeralBuilder {
            name_prefix: name_prefix.into(),
            region: None,
            plan: None,
            channel: None,
            generation: None,
            stage_label: None,
            ttl: None,
            owner: None,
            description: None,
            client_name: None,
            permissions: Vec::new(),
            wait: WaitOptions::default(),
        }
    }

    /// The cluster's id, from the moment it was created.
    pub fn cluster_id(&self) -> Option<&str> {
        self.cluster_id.as_deref()
    }

    /// The cluster's name, from the moment it was created.
    pub fn cluster_name(&self) -> Option<&str> {
        self.cluster_name.as_deref()
    }

    /// The connection settings, after a successful start (empty before).
    pub fn settings(&self) -> &ConnectionSettings {
        static EMPTY: std::sync::OnceLock<ConnectionSettings> = std::sync::OnceLock::new();
        self.settings
            .as_ref()
            .unwrap_or_else(|| EMPTY.get_or_init(|| ConnectionSettings::builder().build()))
    }

    /// Create the cluster, wait until it is Healthy, create the client
    /// (waiting out its 412 while the cluster settles) and read its
    /// connection settings. A failure after the create deletes the cluster
    /// first. Cancel-safe: dropped half-way, [`Ephemeral::cluster_id`]
    /// still names what was created, for [`Ephemeral::teardown`].
    pub async fn start(&mut self) -> Result<&ConnectionSettings, StartError> {
        if self.cluster_id.is_some() {
            return Err(StartError {
                error: invalid("this handle started a cluster already".to_owned()),
                cluster_id: self.cluster_id.clone(),
                cleanup: Cleanup::NothingCreated,
            });
        }
        let body = match self.body().await {
            Ok(body) => body,
            Err(error) => {
                return Err(StartError {
                    error,
                    cluster_id: None,
                    cleanup: Cleanup::NothingCreated,
                })
            }
        };
        let name = body.name.clone();
        let created = match self.client.create_cluster(body).await {
            Ok(created) => created.cluster_id,
            // The create may have happened: the read found the cluster.
            Err(error @ Error::MaybeCreated { .. }) => {
                let Error::MaybeCreated {
                    existing_id: Some(id),
                    ..
                } = &error
                else {
                    return Err(StartError {
                        error,
                        cluster_id: None,
                        cleanup: Cleanup::NothingCreated,
                    });
                };
                self.cluster_id = Some(id.clone());
                self.cluster_name = Some(name);
                return Err(self.clean_up(error).await);
            }
            Err(error) => {
                return Err(StartError {
                    error,
                    cluster_id: None,
                    cleanup: Cleanup::NothingCreated,
                })
            }
        };
        tracing::info!(cluster = %created, %name, "created an ephemeral cluster");
        self.cluster_id = Some(created.clone());
        self.cluster_name = Some(name.clone());
        match self.settle(&created, &name).await {
            Ok(settings) => Ok(self.settings.insert(settings)),
            Err(error) => Err(self.clean_up(error).await),
        }
    }

    /// Delete the cluster (its clients go with it). A cluster that is gone
    /// already is done; calling it twice is safe.
    pub async fn teardown(&mut self) -> Result<Teardown, Error> {
        let Some(id) = self.cluster_id.clone() else {
            return Ok(Teardown::NothingCreated);
        };
        if self.gone {
            return Ok(Teardown::AlreadyGone);
        }
        let outcome = delete(&self.client, &id).await?;
        self.gone = true;
        Ok(outcome)
    }

    async fn clean_up(&mut self, error: Error) -> StartError {
        let cleanup = match self.teardown().await {
            Ok(Teardown::NothingCreated) => Cleanup::NothingCreated,
            Ok(_) => Cleanup::Deleted,
            Err(e) => Cleanup::Failed(e),
        };
        StartError {
            error,
            cluster_id: self.cluster_id.clone(),
            cleanup,
        }
    }

    /// The create body: names resolved, the marker in the description.
    async fn body(&self) -> Result<types::CreateClusterBody, Error> {
        let spec = &self.spec;
        if spec.name_prefix.trim().is_empty() {
            return Err(invalid("the name prefix is empty".to_owned()));
        }
        let parameters = self.client.get_parameters().await?;
        let mut cluster = NewCluster::new(cluster_name(&spec.name_prefix));
        if let Some(region) = &spec.region {
            cluster = cluster.region(region.as_str());
        }
        if let Some(plan) = &spec.plan {
            cluster = cluster.plan(plan.as_str());
        }
        if let Some(channel) = &spec.channel {
            cluster = cluster.channel(channel.as_str());
        }
        if let Some(generation) = &spec.generation {
            cluster = cluster.generation(generation.as_str());
        }
        let marker = Marker {
            until: spec
                .ttl
                .and_then(|ttl| chrono::Duration::from_std(ttl).ok())
                .and_then(|ttl| Utc::now().checked_add_signed(ttl)),
            by: spec.owner.clone().unwrap_or_default(),
        };
        let description = with_marker(spec.description.as_deref().unwrap_or(""), &marker);
        let stage = spec.stage_label.clone();
        let cluster = cluster.customize(move |b| {
            b.description(Some(description.clone()))
                .stage_label(stage.clone())
        });
        cluster.resolve(&parameters)
    }

    /// Wait until Healthy, create the client, read its settings.
    async fn settle(&self, id: &str, name: &str) -> Result<ConnectionSettings, Error> {
        let wait = self.spec.wait;
        let deadline = crate::retry::timing::instant_after(Instant::now(), wait.timeout);
        let cluster = self.client.wait_for_cluster_healthy(id, wait).await?;
        let permissions = if self.spec.permissions.is_empty() {
            vec![ClientPermission::Zeebe]
        } else {
            self.spec.permissions.clone()
        };
        let body = types::CreateClusterClientBody::builder()
            .client_name(
                self.spec
                    .client_name
                    .clone()
                    .unwrap_or_else(|| name.to_owned()),
            )
            .permissions(permissions);
        let body: types::CreateClusterClientBody =
            body.try_into()
                .map_err(|e: types::error::ConversionError| Error::InvalidRequest {
                    operation: OperationId::CreateClient,
                    reason: e.to_string(),
                })?;
        let created: CreatedClusterClient = until_settled(deadline, wait.poll_interval, || {
            self.client.create_client(id, body.clone())
        })
        .await?;
        tracing::info!(cluster = %id, client = %created.client_id, "created the cluster's client");
        let details = until_settled(deadline, wait.poll_interval, || {
            self.client.get_client(id, created.client_id.clone())
        })
        .await?;
        Ok(ConnectionSettings::builder()
            .cluster(&cluster)
            .created_client(&created)
            .connection_details(&details)
            .build())
    }
}

/// Call `call` again while it answers 412 (the cluster settles), until
/// `deadline`.
async fn until_settled<T, F, Fut>(
    deadline: Instant,
    pause: Duration,
    mut call: F,
) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::IntoFuture<Output = Result<T, Error>>,
{
    loop {
        match call().await {
            Err(Error::Api(e))
                if e.status == 412
                    && crate::retry::timing::instant_after(Instant::now(), pause) <= deadline =>
            {
                tracing::debug!(operation = %e.operation, "the cluster is settling; trying again");
                tokio::time::sleep(pause).await;
            }
            other => return other,
        }
    }
}

/// Delete cluster `id`; a 404 means it is gone already.
pub async fn delete(client: &Client, id: &str) -> Result<Teardown, Error> {
    match client.delete_cluster(id).await {
        Ok(_) => {
            tracing::info!(cluster = %id, "deleted the ephemeral cluster");
            Ok(Teardown::Deleted)
        }
        Err(Error::Api(e)) if e.status == 404 => Ok(Teardown::AlreadyGone),
        Err(e) => Err(e),
    }
}

impl EphemeralBuilder {
    /// The region, by uuid, name or cloud code (`europe-west1`).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The plan type, by uuid or name (`Basic`).
    pub fn plan(mut self, plan: impl Into<String>) -> Self {
        self.plan = Some(plan.into());
        self
    }

    /// The channel, by uuid or name (`Stable`).
    pub fn channel(mut self, channel: impl Into<String>) -> Self {
        self.channel = Some(channel.into());
        self
    }

    /// The generation, by uuid or name, or as a version such as `8.8`: the
    /// newest generation of that minor the channel allows. Default: the
    /// channel's default.
    pub fn generation(mut self, generation: impl Into<String>) -> Self {
        self.generation = Some(generation.into());
        self
    }

    /// The stage label.
    pub fn stage_label(mut self, stage: CamundaClusterStage) -> Self {
        self.stage_label = Some(stage);
        self
    }

    /// How long the cluster is meant to live: written into the marker as
    /// `until=`, for a janitor ([`prune_verdict`]). Nothing deletes it
    /// by itself.
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// Who made it (a CI job such as `owner/repo#123`, or `user@host`), for
    /// the marker's `by=`.
    pub fn owner(mut self, owner: impl Into<String>) -> Self {
        self.owner = Some(owner.into());
        self
    }

    /// A description; the marker is appended (the marker wins when both do
    /// not fit the description's limit).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// The API client's name (default: the cluster's name).
    pub fn client_name(mut self, name: impl Into<String>) -> Self {
        self.client_name = Some(name.into());
        self
    }

    /// The API client's permissions (default: Zeebe).
    pub fn permissions(mut self, permissions: impl IntoIterator<Item = ClientPermission>) -> Self {
        self.permissions = permissions.into_iter().collect();
        self
    }

    /// How long to wait for Healthy (and for the client), and how often
    /// to look (default: [`WaitOptions::default`]).
    pub fn wait(mut self, wait: WaitOptions) -> Self {
        self.wait = wait;
        self
    }

    /// A handle that has created nothing yet: call [`Ephemeral::start`].
    pub fn prepare(self, client: &Client) -> Ephemeral {
        Ephemeral {
            client: client.clone(),
            spec: self,
            cluster_id: None,
            cluster_name: None,
            settings: None,
            gone: false,
        }
    }

    /// [`EphemeralBuilder::prepare`] and [`Ephemeral::start`] in one.
    pub async fn start(self, client: &Client) -> Result<Ephemeral, StartError> {
        let mut cluster = self.prepare(client);
        cluster.start().await?;
        Ok(cluster)
    }
}

fn invalid(reason: String) -> Error {
    Error::InvalidRequest {
        operation: OperationId::CreateCluster,
        reason,
    }
}

/// `prefix-` and eight random hex digits, within the name's limit.
fn cluster_name(prefix: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    let suffix = format!("{:08x}", hasher.finish() as u32);
    let max = field_limit(OperationId::CreateCluster, "name").unwrap_or(usize::MAX);
    let room = max.saturating_sub(suffix.len() + 1);
    let prefix: String = prefix.trim().chars().take(room).collect();
    format!("{prefix}-{suffix}")
}

fn field_limit(id: OperationId, name: &str) -> Option<usize> {
    id.operation()
        .body
        .as_ref()?
        .fields
        .iter()
        .find(|f| f.name == name)?
        .max_chars
        .map(|n| n as usize)
}

/// The marker in an ephemeral cluster's description:
/// `[camunda-admin ci until=2026-12-03T12:00Z by=owner/repo#123]`, at most
/// [`Marker::MAX_CHARS`] characters (`by` is shortened to fit).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Marker {
    /// When the cluster may be deleted.
    pub until: Option<DateTime<Utc>>,
    /// Who made it.
    pub by: String,
}

const MARKER_START: &str = "[camunda-admin ci";
const UNTIL_FORMAT: &str = "%Y-%m-%dT%H:%MZ";

impl Marker {
    /// The most characters a marker takes.
    pub const MAX_CHARS: usize = 60;

    /// A marker with `until` and `by`.
    pub fn new(until: Option<DateTime<Utc>>, by: impl Into<String>) -> Self {
        Self {
            until,
            by: by.into(),
        }
    }

    /// The marker found in `description`, if any.
    pub fn find(description: &str) -> Option<Marker> {
        let start = description.find(MARKER_START)?;
        let rest = &description[start + MARKER_START.len()..];
        let inner = &rest[..rest.find(']')?];
        let mut marker = Marker {
            until: None,
            by: String::new(),
        };
        for token in inner.split_whitespace() {
            if let Some(until) = token.strip_prefix("until=") {
                marker.until = chrono::NaiveDateTime::parse_from_str(until, UNTIL_FORMAT)
                    .ok()
                    .map(|t| t.and_utc());
            } else if let Some(by) = token.strip_prefix("by=") {
                by.clone_into(&mut marker.by);
            }
        }
        Some(marker)
    }
}

impl fmt::Display for Marker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = MARKER_START.to_owned();
        if let Some(until) = self.until {
            // Rounded up to the minute: never earlier than asked.
            let up = until + chrono::Duration::seconds(59);
            text.push_str(&format!(" until={}", up.format(UNTIL_FORMAT)));
        }
        // `by` is one token, without the closing bracket.
        let by: String = self
            .by
            .chars()
            .filter(|c| !c.is_whitespace() && *c != ']')
            .collect();
        if !by.is_empty() {
            let room = Self::MAX_CHARS.saturating_sub(text.chars().count() + " by=]".len());
            let by: String = by.chars().take(room).collect();
            text.push_str(&format!(" by={by}"));
        }
        text.push(']');
        f.write_str(&text)
    }
}

/// `description` with `marker` appended, within the description's limit
/// of the operation table (the description is shortened, not the marker).
pub fn with_marker(description: &str, marker: &Marker) -> String {
    let marker = marker.to_string();
    let max = field_limit(OperationId::CreateCluster, "description").unwrap_or(usize::MAX);
    let description = description.trim();
    if description.is_empty() {
        return marker;
    }
    let room = max.saturating_sub(marker.chars().count() + 1);
    let kept: String = description.chars().take(room).collect();
    if kept.is_empty() {
        marker
    } else {
        format!("{kept} {marker}")
    }
}

/// What a janitor does with a cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Delete it, for this reason.
    Delete(String),
    /// Keep it, for this reason.
    Keep(String),
}

/// What `clusters prune` does with `cluster`: `None` when its name does not
/// start with `prefix` (an empty prefix matches nothing). A marked cluster
/// goes when its `until` has passed, or, without one, when it was created
/// more than `older_than` ago; without `older_than` it stays. An unmarked
/// one stays unless `include_unmarked`, then `older_than` alone decides.
pub fn prune_verdict(
    cluster: &Cluster,
    prefix: &str,
    older_than: Option<Duration>,
    include_unmarked: bool,
    now: DateTime<Utc>,
) -> Option<Verdict> {
    if prefix.is_empty() || !cluster.name.starts_with(prefix) {
        return None;
    }
    let marker = cluster.description.as_deref().and_then(Marker::find);
    let old = |what: &str| match older_than.and_then(|d| chrono::Duration::from_std(d).ok()) {
        Some(age) if cluster.created + age <= now => Verdict::Delete(format!(
            "{what}created {} ago",
            humanize(now - cluster.created)
        )),
        Some(_) => Verdict::Keep(format!(
            "{what}created {} ago, not older than asked",
            humanize(now - cluster.created)
        )),
        None => Verdict::Keep(format!("{what}no --older-than given")),
    };
    Some(match marker {
        Some(Marker {
            until: Some(until), ..
        }) if until <= now => Verdict::Delete(format!("its until {until} has passed")),
        Some(Marker {
            until: Some(until), ..
        }) => Verdict::Keep(format!("its until {until} has not passed")),
        Some(_) => old("marked, "),
        None if include_unmarked => old("unmarked, "),
        None => Verdict::Keep("no camunda-admin ci marker".to_owned()),
    })
}

/// [`prune_verdict`] at the current time.
pub fn prune_verdict_now(
    cluster: &Cluster,
    prefix: &str,
    older_than: Option<Duration>,
    include_unmarked: bool,
) -> Option<Verdict> {
    prune_verdict(cluster, prefix, older_than, include_unmarked, Utc::now())
}

fn humanize(age: chrono::Duration) -> String {
    let minutes = age.num_minutes().max(0);
    if minutes < 120 {
        format!("{minutes}m")
    } else {
        format!("{}h{}m", minutes / 60, minutes % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_marker_fits_sixty_characters_and_reads_back() {
        let until = DateTime::parse_from_rfc3339("2026-12-03T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let marker = Marker::new(Some(until), "camunda/connectors-sap#123456");
        let text = marker.to_string();
        assert!(text.chars().count() <= Marker::MAX_CHARS, "{text}");
        assert!(
            text.starts_with("[camunda-admin ci until=2026-12-03T12:00Z by=camunda/"),
            "{text}"
        );
        let back = Marker::find(&format!("orders tests {text}")).unwrap();
        assert_eq!(back.until, Some(until));
        let long = "x".repeat(200);
        let description = with_marker(&long, &marker);
        assert!(description.chars().count() <= 150);
        assert!(description.ends_with(&text));
        assert_eq!(
            Marker::find("[camunda-admin ci by=me]").unwrap().until,
            None
        );
        assert!(Marker::find("no marker").is_none());
    }

    #[test]
    fn a_prefix_and_a_random_suffix_make_the_name() {
        let a = cluster_name("ci-orders");
        let b = cluster_name("ci-orders");
        assert!(a.starts_with("ci-orders-") && a.len() == "ci-orders-".len() + 8);
        assert_ne!(a, b);
    }

    fn cluster(name: &str, created: &str, description: Option<&str>) -> Cluster {
        let mut value = json!({
            "uuid": "c1", "name": name, "ownerId": "o", "created": created,
            "autoUpdate": true,
            "planType": { "uuid": "p", "name": "Basic" },
            "region": { "uuid": "r", "name": "Belgium" },
            "generation": { "uuid": "g", "name": "Camunda 8.8.2" },
            "channel": { "uuid": "ch", "name": "Stable" },
            "status": { "ready": "Healthy" },
            "links": {}
        });
        if let Some(d) = description {
            value["description"] = json!(d);
        }
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn prune_deletes_only_old_marked_clusters_with_the_prefix() {
        let now = DateTime::parse_from_rfc3339("2026-12-03T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let hour = Some(Duration::from_secs(3600));
        let marked = cluster(
            "ci-1",
            "2026-12-03T09:00:00Z",
            Some("[camunda-admin ci by=me]"),
        );
        let young = cluster(
            "ci-2",
            "2026-12-03T11:30:00Z",
            Some("[camunda-admin ci by=me]"),
        );
        let expired = cluster(
            "ci-3",
            "2026-12-03T11:59:00Z",
            Some("[camunda-admin ci until=2026-12-03T11:00Z by=me]"),
        );
        let unmarked = cluster("ci-4", "2026-12-01T00:00:00Z", None);
        let other = cluster(
            "prod",
            "2026-12-01T00:00:00Z",
            Some("[camunda-admin ci by=me]"),
        );
        let deletes = |c: &Cluster, unmarked: bool| {
            matches!(
                prune_verdict(c, "ci-", hour, unmarked, now),
                Some(Verdict::Delete(_))
            )
        };
        assert!(deletes(&marked, false));
        assert!(!deletes(&young, false));
        assert!(deletes(&expired, false));
        assert!(!deletes(&unmarked, false));
        assert!(deletes(&unmarked, true));
        assert_eq!(prune_verdict(&other, "ci-", hour, true, now), None);
        assert_eq!(prune_verdict(&marked, "", hour, true, now), None);
        assert!(matches!(
            prune_verdict(&marked, "ci-", None, false, now),
            Some(Verdict::Keep(_))
        ));
    }
}
