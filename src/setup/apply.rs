//! Carrying a plan out, in dependency order, through the SDK's own
//! methods (their retries, create-once rules and waits).

use std::{collections::BTreeMap, fmt};

use super::{
    file::SecretValue,
    live,
    plan::{Action, Change, PlanOptions, Resource, Work},
    Plan, SetupError,
};
use crate::{connection::ConnectionSettings, types, Client, SecretString, WaitOptions};

/// How to apply.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct ApplyOptions {
    /// How the plan was made (`prune`).
    pub plan: PlanOptions,
    /// Carry out replacements (delete and create anew); without it, a plan
    /// with one is refused before any change.
    pub allow_replace: bool,
    /// How long to wait for a cluster to be Healthy before its clients,
    /// secrets and allowlist, and for an upgrade.
    pub wait: WaitOptions,
}

impl ApplyOptions {
    /// With or without deleting what the file does not name.
    pub fn prune(mut self, prune: bool) -> Self {
        self.plan.prune = prune;
        self
    }

    /// With or without replacements.
    pub fn allow_replace(mut self, allow: bool) -> Self {
        self.allow_replace = allow;
        self
    }

    /// How long to wait, and how often to look.
    pub fn wait(mut self, wait: WaitOptions) -> Self {
        self.wait = wait;
        self
    }
}

/// Progress of an apply.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Event {
    /// A change begins.
    Started(Resource, Action),
    /// A change is done.
    Done(Resource, Action),
    /// Waiting for a cluster to be Healthy.
    Waiting {
        /// The cluster's name.
        cluster: String,
    },
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = |action: &Action, done: bool| match (action, done) {
            (Action::Create, false) => "creating",
            (Action::Create, true) => "created",
            (Action::Update, false) => "updating",
            (Action::Update, true) => "updated",
            (Action::Replace, false) => "replacing",
            (Action::Replace, true) => "replaced",
            (Action::Delete, false) => "deleting",
            (Action::Delete, true) => "deleted",
            (_, _) => "leaving",
        };
        match self {
            Self::Started(resource, action) => write!(f, "{} {resource} ...", verb(action, false)),
            Self::Done(resource, action) => write!(f, "{} {resource}", verb(action, true)),
            Self::Waiting { cluster } => write!(f, "waiting for cluster {cluster:?} to be Healthy"),
        }
    }
}

/// A client that apply created: its secret is shown this once. Give it to
/// whoever needs it; never write it into the setup file or a log.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreatedClient {
    /// The cluster's name.
    pub cluster: String,
    /// The cluster's id.
    pub cluster_id: String,
    /// The client's name.
    pub client_name: String,
    /// The client id.
    pub client_id: String,
    /// The client secret (not shown by `Debug`).
    pub client_secret: SecretString,
    /// The token audience, when the API says.
    pub audience: Option<String>,
    /// The cluster's gateway address, when the API says.
    pub zeebe_address: Option<String>,
    /// The token endpoint, when the API says.
    pub oauth_url: Option<String>,
    /// The connection settings with the Console's names (`ZEEBE_ADDRESS`,
    /// `ZEEBE_CLIENT_ID`, `ZEEBE_CLIENT_SECRET`, ...), from the created
    /// client's answer and the cluster's id: what a credentials file or
    /// `NAME=value` lines hold. `Debug` and `Display` show the secret as
    /// `***`.
    pub settings: ConnectionSettings,
}

/// The change that failed, and why.
#[derive(Debug)]
#[non_exhaustive]
pub struct Failure {
    /// The change.
    pub change: Change,
    /// Why.
    pub error: SetupError,
}

/// What an apply did: the changes done, the one that failed (it stops at
/// the first failure), those that remain, and the clients it created.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct ApplyReport {
    /// Done, in order.
    pub done: Vec<Change>,
    /// The change that failed, if one did.
    pub failed: Option<Failure>,
    /// Not begun, in order.
    pub remaining: Vec<Change>,
    /// Deletions not made: the plan was made without `prune`.
    pub kept: Vec<Change>,
    /// The clients created, with their secrets.
    pub credentials: Vec<CreatedClient>,
}

impl ApplyReport {
    /// Whether every change was made.
    pub fn succeeded(&self) -> bool {
        self.failed.is_none()
    }
}

impl fmt::Display for ApplyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.done.is_empty() && self.failed.is_none() {
            return writeln!(f, "No changes: the live setup matches the file.");
        }
        for change in &self.done {
            writeln!(f, "done:      {}", change.resource)?;
        }
        if let Some(failure) = &self.failed {
            writeln!(
                f,
                "failed:    {}: {}",
                failure.change.resource, failure.error
            )?;
        }
        for change in &self.remaining {
            writeln!(
                f,
                "remaining: {} ({})",
                change.resource,
                change.action.verb()
            )?;
        }
        if !self.kept.is_empty() {
            writeln!(
                f,
                "kept:      {} not in the file (deleted only with prune)",
                self.kept.len()
            )?;
        }
        match &self.failed {
            None => writeln!(f, "Applied: {} changes.", self.done.len()),
            Some(_) => writeln!(
                f,
                "Stopped at the first failure: {} done, 1 failed, {} remaining; apply again to converge.",
                self.done.len(),
                self.remaining.len()
            ),
        }
    }
}

/// The order changes are made in: clusters created or changed first (and
/// each Healthy before what it holds), then clients, secrets, allowlists
/// and schedules, then members, then clusters deleted.
fn rank(change: &Change) -> u8 {
    match (&change.resource, change.action) {
        (Resource::Cluster { .. }, Action::Delete) => 9,
        (Resource::Cluster { .. }, _) => 0,
        (Resource::Client { .. }, _) => 1,
        (Resource::Secret { .. }, _) => 2,
        (Resource::Allowlist { .. }, _) => 3,
        (Resource::BackupSchedule { .. }, _) => 4,
        (Resource::Member { .. }, _) => 5,
    }
}

/// Carry out `plan` through `client`, calling `progress` as it goes.
///
/// Refused before any change (an `Err`): a replacement without
/// `allow_replace`, a secret whose value cannot be read. Otherwise it
/// stops at the first failure and the report says what was done, what
/// failed and what remains; applying again converges.
pub async fn apply(
    client: &Client,
    plan: &Plan,
    options: &ApplyOptions,
    mut progress: impl FnMut(&Event),
) -> Result<ApplyReport, SetupError> {
    let replacing: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Replace)
        .map(|c| c.resource.to_string())
        .collect();
    if !replacing.is_empty() && !options.allow_replace {
        return Err(SetupError::Refused(format!(
            "the plan replaces {}; allow replacements to go ahead",
            replacing.join(", ")
        )));
    }
    // Every value is read before the first change, so a missing one
    // stops nothing halfway.
    let mut values = BTreeMap::new();
    for change in &plan.changes {
        if let Work::SetSecret { value, .. } = &change.work {
            if !change.action.is_change() {
                continue;
            }
            match value.read() {
                Ok(SecretValue::Set(v)) => {
                    values.insert(change.resource.clone(), v);
                }
                Ok(SecretValue::Unset(var)) => {
                    return Err(SetupError::Refused(format!(
                        "{}: its value comes from {var}, which is not set",
                        change.resource
                    )))
                }
                Err(e) => return Err(SetupError::Refused(format!("{}: {e}", change.resource))),
            }
        }
    }

    let mut steps: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| c.action.is_change())
        .collect();
    steps.sort_by_key(|c| rank(c)); // stable: the plan's order within a rank
    let mut report = ApplyReport {
        kept: plan
            .changes
            .iter()
            .filter(|c| c.action == Action::Kept)
            .cloned()
            .collect(),
        ..ApplyReport::default()
    };
    let mut run = Run {
        client,
        options,
        ids: plan.cluster_ids.clone(),
        healthy: Vec::new(),
        values,
    };
    for (i, change) in steps.iter().enumerate() {
        progress(&Event::Started(change.resource.clone(), change.action));
        match run
            .step(change, &mut progress, &mut report.credentials)
            .await
        {
            Ok(()) => {
                progress(&Event::Done(change.resource.clone(), change.action));
                report.done.push((*change).clone());
            }
            Err(error) => {
                report.failed = Some(Failure {
                    change: (*change).clone(),
                    error,
                });
                report.remaining = steps[i + 1..].iter().map(|c| (*c).clone()).collect();
                break;
            }
        }
    }
    Ok(report)
}

struct Run<'a> {
    client: &'a Client,
    options: &'a ApplyOptions,
    /// Cluster name to live id, updated as clusters are created.
    ids: BTreeMap<String, String>,
    /// Clusters seen Healthy during this apply.
    healthy: Vec<String>,
    values: BTreeMap<Resource, SecretString>,
}

impl Run<'_> {
    /// The id of the cluster `change` belongs to, once it is Healthy.
    async fn ready_cluster(
        &mut self,
        change: &Change,
        progress: &mut impl FnMut(&Event),
    ) -> Result<String, SetupError> {
        let name = change.resource.cluster().unwrap_or_default().to_owned();
        let id =
            self.ids.get(&name).cloned().ok_or_else(|| {
                SetupError::invalid(&change.resource, "its cluster was not created")
            })?;
        if !self.healthy.contains(&name) {
            progress(&Event::Waiting {
                cluster: name.clone(),
            });
            self.client
                .wait_for_cluster_healthy(&id, self.options.wait)
                .await
                .map_err(SetupError::api(format!("cluster {name:?}")))?;
            self.healthy.push(name);
        }
        Ok(id)
    }

    async fn step(
        &mut self,
        change: &Change,
        progress: &mut impl FnMut(&Event),
        credentials: &mut Vec<CreatedClient>,
    ) -> Result<(), SetupError> {
        let client = self.client;
        let resource = &change.resource;
        let failed = || SetupError::api(resource);
        match &change.work {
            Work::None => Ok(()),
            Work::CreateCluster(body) => self.create_cluster(resource, body).await,
            Work::ReplaceCluster { old_id, body } => {
                client.delete_cluster(old_id).await.map_err(failed())?;
                self.create_cluster(resource, body).await
            }
            Work::UpdateCluster {
                id,
                description,
                stage_label,
                hardware_packages,
                upgrade,
            } => {
                if description.is_some() || stage_label.is_some() || hardware_packages.is_some() {
                    let body = types::UpdateClusterBody::builder()
                        .description(description.clone())
                        .stage_label(stage_label.as_deref().map(types::CamundaClusterStage::from))
                        .number_of_allocated_hw_packages(hardware_packages.map(f64::from));
                    client.update_cluster(id, body).await.map_err(failed())?;
                }
                if let Some(wanted) = upgrade {
                    let name = resource.cluster().unwrap_or_default().to_owned();
                    // Only a Healthy cluster can be upgraded.
                    let before = self.ready_cluster(change, progress).await?;
                    let old = client.get_cluster(&before).await.map_err(failed())?;
                    client.upgrade_cluster(id).await.map_err(failed())?;
                    progress(&Event::Waiting {
                        cluster: name.clone(),
                    });
                    let old_generation = old.generation.uuid.clone();
                    let upgraded = client
                        .wait_for_cluster(id, "to be upgraded", self.options.wait, |c| {
                            c.generation.uuid != old_generation
                                && c.status.ready == types::ClusterStatus::Healthy
                        })
                        .await
                        .map_err(failed())?;
                    if !wanted.satisfied_by(&upgraded.generation.name, &upgraded.generation.uuid) {
                        return Err(SetupError::invalid(
                            resource,
                            format!(
                                "upgraded to {}, which is still not the generation the file names",
                                upgraded.generation.name
                            ),
                        ));
                    }
                }
                Ok(())
            }
            Work::DeleteCluster(id) => client.delete_cluster(id).await.map_err(failed()),
            Work::CreateClient(permissions) => {
                let id = self.ready_cluster(change, progress).await?;
                self.create_client(resource, &id, permissions, credentials)
                    .await
            }
            Work::ReplaceClient {
                old_id,
                permissions,
            } => {
                let id = self.ready_cluster(change, progress).await?;
                client.delete_client(&id, old_id).await.map_err(failed())?;
                self.create_client(resource, &id, permissions, credentials)
                    .await
            }
            Work::DeleteClient(client_id) => {
                let id = self.ready_cluster(change, progress).await?;
                client.delete_client(&id, client_id).await.map_err(failed())
            }
            Work::SetSecret { exists, .. } => {
                let id = self.ready_cluster(change, progress).await?;
                let Resource::Secret { name, .. } = resource else {
                    return Ok(());
                };
                let value = self
                    .values
                    .get(resource)
                    .cloned()
                    .ok_or_else(|| SetupError::invalid(resource, "no value was read"))?;
                if *exists {
                    let body = types::UpdateSecretBody::builder().secret_value(value);
                    client
                        .update_secret(&id, name, body)
                        .await
                        .map_err(failed())
                } else {
                    let body = types::CreateSecretBody::builder()
                        .secret_name(name.as_str())
                        .secret_value(value);
                    client.create_secret(&id, body).await.map_err(failed())
                }
            }
            Work::DeleteSecret => {
                let id = self.ready_cluster(change, progress).await?;
                let Resource::Secret { name, .. } = resource else {
                    return Ok(());
                };
                client.delete_secret(&id, name).await.map_err(failed())
            }
            Work::SetAllowlist(entries) => {
                let id = self.ready_cluster(change, progress).await?;
                let mut list = Vec::with_capacity(entries.len());
                for entry in entries {
                    let entry: types::IpAllowlistEntry = types::IpAllowlistEntry::builder()
                        .ip(entry.ip.as_str())
                        .description(entry.description.as_str())
                        .try_into()
                        .map_err(|e: types::error::ConversionError| {
                            SetupError::invalid(resource, e.to_string())
                        })?;
                    list.push(entry);
                }
                let body = types::IpAllowListBody::builder().ipallowlist(list);
                client
                    .update_ip_allowlist(&id, body)
                    .await
                    .map_err(failed())
            }
            Work::SetSchedule(cron) => {
                let id = self.ready_cluster(change, progress).await?;
                let body = types::BackupScheduleBody::builder().schedule(cron.as_str());
                client
                    .update_schedule(&id, body)
                    .await
                    .map(drop)
                    .map_err(failed())
            }
            Work::SetMember(roles) => {
                let Resource::Member { email } = resource else {
                    return Ok(());
                };
                let roles: Vec<types::AssignableOrganizationRoleType> = roles
                    .iter()
                    .map(|r| types::AssignableOrganizationRoleType::from(r.as_str()))
                    .collect();
                let body = types::PostMemberBody::builder().org_roles(roles);
                client.update_members(email, body).await.map_err(failed())
            }
            Work::DeleteMember => {
                let Resource::Member { email } = resource else {
                    return Ok(());
                };
                client.delete_member(email).await.map_err(failed())
            }
        }
    }

    async fn create_cluster(
        &mut self,
        resource: &Resource,
        body: &types::CreateClusterBody,
    ) -> Result<(), SetupError> {
        let created = self
            .client
            .create_cluster(body.clone())
            .await
            .map_err(SetupError::api(resource))?;
        let name = resource.cluster().unwrap_or_default().to_owned();
        self.healthy.retain(|n| n != &name);
        self.ids.insert(name, created.cluster_id);
        Ok(())
    }

    async fn create_client(
        &self,
        resource: &Resource,
        cluster_id: &str,
        permissions: &[String],
        credentials: &mut Vec<CreatedClient>,
    ) -> Result<(), SetupError> {
        let Resource::Client { cluster, name } = resource else {
            return Ok(());
        };
        let body = types::CreateClusterClientBody::builder()
            .client_name(name.as_str())
            .permissions(
                permissions
                    .iter()
                    .map(|p| live::permission(p))
                    .collect::<Vec<_>>(),
            );
        let created = self
            .client
            .create_client(cluster_id, body)
            .await
            .map_err(SetupError::api(resource))?;
        let links = created.links.as_ref();
        let settings = ConnectionSettings::builder()
            .cluster_id(cluster_id)
            .created_client(&created)
            .build();
        credentials.push(CreatedClient {
            cluster: cluster.clone(),
            cluster_id: cluster_id.to_owned(),
            client_name: created.name.clone(),
            client_id: created.client_id.clone(),
            client_secret: created.client_secret.clone(),
            audience: created.audience.clone(),
            zeebe_address: links.and_then(|l| l.zeebe.clone()),
            oauth_url: links.and_then(|l| l.oauth.clone()),
            settings,
        });
        Ok(())
    }
}
