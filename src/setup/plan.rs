//! Comparing a setup with the live organization: one [`Change`] per
//! resource, with the work `apply` needs kept out of sight.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt,
};

use serde::Serialize;

use super::{
    file::{AllowlistEntry, ClusterSpec, SecretRef, SecretValue, Setup},
    live::{self, Wanted},
    SetupError,
};
use crate::{types, Client};

/// How to plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlanOptions {
    /// Delete what the file does not name (in a list the file manages).
    pub prune: bool,
}

impl PlanOptions {
    /// With or without deleting what the file does not name.
    pub fn prune(mut self, prune: bool) -> Self {
        self.prune = prune;
        self
    }
}

/// What a plan does to one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Action {
    /// It is created.
    Create,
    /// It is changed in place.
    Update,
    /// It is deleted and created anew (needs `allow_replace`).
    Replace,
    /// It is deleted (only with `prune`).
    Delete,
    /// It matches the file.
    NoChange,
    /// It could not be compared (a secret whose variable is unset).
    NotChecked,
    /// It is not in the file and stays (no `prune`, or the owner).
    Kept,
}

impl Action {
    /// Whether it changes the organization.
    pub fn is_change(self) -> bool {
        matches!(
            self,
            Self::Create | Self::Update | Self::Replace | Self::Delete
        )
    }

    pub(crate) fn verb(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Replace => "replace",
            Self::Delete => "delete",
            Self::NoChange => "no change",
            Self::NotChecked => "not checked",
            Self::Kept => "kept",
        }
    }

    fn sign(self) -> &'static str {
        match self {
            Self::Create => "+",
            Self::Update => "~",
            Self::Replace => "-/+",
            Self::Delete => "-",
            Self::NoChange => "=",
            Self::NotChecked => "?",
            Self::Kept => ".",
        }
    }
}

/// A resource, by its names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Resource {
    /// A cluster.
    Cluster {
        /// Its name.
        name: String,
    },
    /// An API client of a cluster.
    Client {
        /// The cluster's name.
        cluster: String,
        /// The client's name.
        name: String,
    },
    /// A connector secret of a cluster.
    Secret {
        /// The cluster's name.
        cluster: String,
        /// The secret's name.
        name: String,
    },
    /// The IP allowlist of a cluster.
    Allowlist {
        /// The cluster's name.
        cluster: String,
    },
    /// The backup schedule of a cluster.
    BackupSchedule {
        /// The cluster's name.
        cluster: String,
    },
    /// A member of the organization.
    Member {
        /// The email address.
        email: String,
    },
}

impl Resource {
    /// The cluster it belongs to (or is).
    pub fn cluster(&self) -> Option<&str> {
        match self {
            Self::Cluster { name } => Some(name),
            Self::Client { cluster, .. }
            | Self::Secret { cluster, .. }
            | Self::Allowlist { cluster }
            | Self::BackupSchedule { cluster } => Some(cluster),
            Self::Member { .. } => None,
        }
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cluster { name } => write!(f, "cluster {name:?}"),
            Self::Client { cluster, name } => write!(f, "client {name:?} of cluster {cluster:?}"),
            Self::Secret { cluster, name } => write!(f, "secret {name:?} of cluster {cluster:?}"),
            Self::Allowlist { cluster } => write!(f, "allowlist of cluster {cluster:?}"),
            Self::BackupSchedule { cluster } => {
                write!(f, "backup schedule of cluster {cluster:?}")
            }
            Self::Member { email } => write!(f, "member {email:?}"),
        }
    }
}

/// One field that changes: old → new (`None`: not set). A secret value is
/// never here: its change is the note "value differs".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FieldChange {
    /// The field, such as `description`.
    pub field: String,
    /// The live value.
    pub old: Option<String>,
    /// The file's value.
    pub new: Option<String>,
}

impl FieldChange {
    fn new(field: &str, old: Option<String>, new: Option<String>) -> Self {
        Self {
            field: field.to_owned(),
            old,
            new,
        }
    }
}

/// What the plan does to one resource.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Change {
    /// The resource.
    pub resource: Resource,
    /// What happens to it.
    pub action: Action,
    /// The fields that change (updates and replacements).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
    /// More: why a replacement, "value differs", "not checked (VAR unset)".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What apply sends.
    #[serde(skip)]
    pub(crate) work: Work,
}

/// What apply sends for a change; ids are the live ones at plan time.
#[derive(Debug, Clone)]
pub(crate) enum Work {
    None,
    CreateCluster(Box<types::CreateClusterBody>),
    ReplaceCluster {
        old_id: String,
        body: Box<types::CreateClusterBody>,
    },
    UpdateCluster {
        id: String,
        description: Option<String>,
        stage_label: Option<String>,
        hardware_packages: Option<u32>,
        upgrade: Option<Wanted>,
    },
    DeleteCluster(String),
    CreateClient(Vec<String>),
    ReplaceClient {
        old_id: String,
        permissions: Vec<String>,
    },
    DeleteClient(String),
    SetSecret {
        value: SecretRef,
        exists: bool,
    },
    DeleteSecret,
    SetAllowlist(Vec<AllowlistEntry>),
    SetSchedule(String),
    SetMember(Vec<String>),
    DeleteMember,
}

impl Change {
    fn new(resource: Resource, action: Action) -> Self {
        Self {
            resource,
            action,
            fields: Vec::new(),
            note: None,
            work: Work::None,
        }
    }

    fn fields(mut self, fields: Vec<FieldChange>) -> Self {
        self.fields = fields;
        self
    }

    fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    fn work(mut self, work: Work) -> Self {
        self.work = work;
        self
    }
}

/// A plan: every resource the file names or the organization holds (in
/// the lists the file manages), with what happens to it.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Plan {
    /// One entry per resource, clusters in the file's order, each followed
    /// by what it holds, then members.
    pub changes: Vec<Change>,
    /// The live id of each cluster of the file that exists.
    #[serde(skip)]
    pub(crate) cluster_ids: BTreeMap<String, String>,
}

impl Plan {
    /// Whether applying it changes anything.
    pub fn has_changes(&self) -> bool {
        self.changes.iter().any(|c| c.action.is_change())
    }

    /// How many entries have `action`.
    pub fn count(&self, action: Action) -> usize {
        self.changes.iter().filter(|c| c.action == action).count()
    }
}

fn show(value: &Option<String>) -> String {
    match value {
        Some(v) => format!("{v:?}"),
        None => "(none)".to_owned(),
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:>3} {:<11} {}",
            self.action.sign(),
            self.action.verb(),
            self.resource
        )?;
        let fields: Vec<String> = self
            .fields
            .iter()
            .map(|c| format!("{}: {} -> {}", c.field, show(&c.old), show(&c.new)))
            .collect();
        if !fields.is_empty() {
            write!(f, ": {}", fields.join("; "))?;
        }
        if let Some(note) = &self.note {
            write!(f, " ({note})")?;
        }
        Ok(())
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for change in &self.changes {
            writeln!(f, "{change}")?;
        }
        if self.has_changes() {
            writeln!(
                f,
                "Plan: {} to create, {} to update, {} to replace, {} to delete.",
                self.count(Action::Create),
                self.count(Action::Update),
                self.count(Action::Replace),
                self.count(Action::Delete)
            )
        } else {
            writeln!(f, "No changes: the live setup matches the file.")
        }
    }
}

/// Read the live organization through `client` and compare it with
/// `setup`. A cluster name that matches several live clusters, a name of
/// a region, plan, channel or generation that matches nothing, a
/// downgrade, or a change of the owner's roles is an error.
pub async fn plan(
    client: &Client,
    setup: &Setup,
    options: &PlanOptions,
) -> Result<Plan, SetupError> {
    setup.check()?;
    let organization = "the organization";
    let mut plan = Plan {
        changes: Vec::new(),
        cluster_ids: BTreeMap::new(),
    };
    if let Some(clusters) = &setup.clusters {
        let parameters = client
            .get_parameters()
            .await
            .map_err(SetupError::api("cluster parameters"))?;
        let live = client
            .get_clusters()
            .await
            .map_err(SetupError::api("clusters of the organization"))?;
        let mut by_name: BTreeMap<&str, Vec<&types::Cluster>> = BTreeMap::new();
        for cluster in &live {
            by_name
                .entry(cluster.name.as_str())
                .or_default()
                .push(cluster);
        }
        for spec in clusters {
            let name = spec.name.trim();
            let found = match by_name.get(name).map(Vec::as_slice) {
                None | Some([]) => None,
                Some([one]) => Some(*one),
                Some(several) => {
                    return Err(SetupError::Ambiguous {
                        name: name.to_owned(),
                        ids: several.iter().map(|c| c.uuid.clone()).collect(),
                    })
                }
            };
            cluster_changes(client, &parameters, spec, found, options, &mut plan).await?;
        }
        let named: BTreeSet<&str> = clusters.iter().map(|c| c.name.trim()).collect();
        for cluster in &live {
            if named.contains(cluster.name.as_str()) {
                continue;
            }
            let resource = Resource::Cluster {
                name: cluster.name.clone(),
            };
            plan.changes.push(if options.prune {
                Change::new(resource, Action::Delete)
                    .note(format!("{}; with everything in it", cluster.uuid))
                    .work(Work::DeleteCluster(cluster.uuid.clone()))
            } else {
                Change::new(resource, Action::Kept).note("not in the file; deleted only with prune")
            });
        }
    }
    if let Some(members) = &setup.members {
        let live = client
            .get_members()
            .await
            .map_err(SetupError::api(format!("members of {organization}")))?;
        member_changes(members, &live, options, &mut plan)?;
    }
    Ok(plan)
}

async fn cluster_changes(
    client: &Client,
    parameters: &types::Parameters,
    spec: &ClusterSpec,
    live: Option<&types::Cluster>,
    options: &PlanOptions,
    plan: &mut Plan,
) -> Result<(), SetupError> {
    let name = spec.name.trim().to_owned();
    let resource = Resource::Cluster { name: name.clone() };
    let lookup = |e: crate::LookupError| SetupError::invalid(&resource, e.to_string());
    let region = parameters.region(&spec.region).map_err(lookup)?;
    let plan_type = parameters.plan(&spec.plan).map_err(lookup)?;
    let channel = parameters.channel(&spec.channel).map_err(lookup)?;
    let (generation_id, generation_name) =
        live::generation_for(parameters, channel, spec.generation.as_deref())
            .map_err(|e| SetupError::invalid(&resource, e))?;
    let stage = spec.stage_label.as_deref().map(str::trim);
    let backup_region = match spec.backup_region.as_deref() {
        Some(wanted) => Some(
            live::backup_region(region, wanted).map_err(|e| SetupError::invalid(&resource, e))?,
        ),
        None => None,
    };
    let encryption = spec
        .encryption
        .as_deref()
        .map(|e| live::encryption(e.trim()));
    let body = types::CreateClusterBody::builder()
        .name(name.as_str())
        .region_id(region.uuid.as_str())
        .plan_type_id(plan_type.uuid.as_str())
        .channel_id(channel.uuid.as_str())
        .generation_id(generation_id)
        .description(spec.description.clone())
        .stage_label(stage.map(types::CamundaClusterStage::from))
        .encryption(encryption.clone())
        .hardware_packages(spec.hardware_packages.map(f64::from))
        .backup_region_id(backup_region.as_ref().map(|(id, _)| id.clone()));
    let body: types::CreateClusterBody =
        body.try_into()
            .map_err(|e: types::error::ConversionError| {
                SetupError::invalid(&resource, e.to_string())
            })?;

    let Some(live) = live else {
        plan.changes.push(
            Change::new(resource, Action::Create)
                .note(format!(
                    "{}, {}, {}, {generation_name}",
                    region.name, plan_type.name, channel.name
                ))
                .work(Work::CreateCluster(Box::new(body))),
        );
        return child_changes(client, spec, None, options, plan).await;
    };
    plan.cluster_ids.insert(name.clone(), live.uuid.clone());

    // What the API cannot change in place.
    let mut replaced = Vec::new();
    for (field, old, new) in [
        (
            "region",
            (&live.region.uuid, &live.region.name),
            (&region.uuid, &region.name),
        ),
        (
            "plan",
            (&live.plan_type.uuid, &live.plan_type.name),
            (&plan_type.uuid, &plan_type.name),
        ),
        (
            "channel",
            (&live.channel.uuid, &live.channel.name),
            (&channel.uuid, &channel.name),
        ),
    ] {
        if old.0 != new.0 {
            replaced.push(FieldChange::new(
                field,
                Some(old.1.clone()),
                Some(new.1.clone()),
            ));
        }
    }
    if let Some((id, label)) = &backup_region {
        let old = live.backup_region.as_ref();
        if old.map(|r| &r.uuid) != Some(id) {
            replaced.push(FieldChange::new(
                "backupRegion",
                old.map(|r| r.name.clone()),
                Some(label.clone()),
            ));
        }
    }
    if let Some(wanted) = &encryption {
        let old = live.encryption.as_ref().map(|e| &e.type_);
        if old.is_some_and(|old| old != wanted) {
            replaced.push(FieldChange::new(
                "encryption",
                old.map(ToString::to_string),
                Some(wanted.to_string()),
            ));
        }
    }
    if !replaced.is_empty() {
        plan.changes.push(
            Change::new(resource, Action::Replace)
                .fields(replaced)
                .note("deleted and created anew: its data, clients and secrets are lost")
                .work(Work::ReplaceCluster {
                    old_id: live.uuid.clone(),
                    body: Box::new(body),
                }),
        );
        return child_changes(client, spec, None, options, plan).await;
    }

    let mut fields = Vec::new();
    let mut description = None;
    if let Some(wanted) = &spec.description {
        if live.description.as_deref().unwrap_or("") != wanted {
            fields.push(FieldChange::new(
                "description",
                live.description.clone(),
                Some(wanted.clone()),
            ));
            description = Some(wanted.clone());
        }
    }
    let mut stage_label = None;
    if let Some(wanted) = stage {
        let old = live::stage_label(live);
        if old.as_deref() != Some(wanted) {
            fields.push(FieldChange::new("stageLabel", old, Some(wanted.to_owned())));
            stage_label = Some(wanted.to_owned());
        }
    }
    let mut hardware_packages = None;
    let mut unchecked = None;
    if let Some(wanted) = spec.hardware_packages {
        match live::hardware_packages(live) {
            Some(old) if old == wanted => {}
            Some(old) => {
                fields.push(FieldChange::new(
                    "hardwarePackages",
                    Some(old.to_string()),
                    Some(wanted.to_string()),
                ));
                hardware_packages = Some(wanted);
            }
            // Never sent blind: an unknown count may already be right.
            None => unchecked = Some("hardwarePackages not checked (the API does not report it)"),
        }
    }
    let mut upgrade = None;
    if let Some(text) = &spec.generation {
        let wanted = Wanted::parse(text);
        if !wanted.satisfied_by(&live.generation.name, &live.generation.uuid) {
            let running = live::version_in(&live.generation.name);
            let target = live::version_in(&generation_name);
            let newer = match (&running, &target) {
                (Some(running), Some(target)) => target > running,
                _ => false,
            };
            if !newer {
                return Err(SetupError::invalid(
                    &resource,
                    format!(
                        "generation {text} is not newer than the running {}; a cluster is never downgraded",
                        live.generation.name
                    ),
                ));
            }
            fields.push(FieldChange::new(
                "generation",
                Some(live.generation.name.clone()),
                Some(text.clone()),
            ));
            upgrade = Some(wanted);
        }
    }
    let mut change = if fields.is_empty() {
        Change::new(resource, Action::NoChange)
    } else {
        let work = Work::UpdateCluster {
            id: live.uuid.clone(),
            description,
            stage_label,
            hardware_packages,
            upgrade,
        };
        Change::new(resource, Action::Update)
            .fields(fields)
            .work(work)
    };
    if let Some(note) = unchecked {
        change = change.note(note);
    }
    plan.changes.push(change);
    child_changes(client, spec, Some(live), options, plan).await
}

/// Clients, secrets, allowlist and schedule of a cluster; `live` is `None`
/// when the cluster is created (or created anew), so all are created.
async fn child_changes(
    client: &Client,
    spec: &ClusterSpec,
    live: Option<&types::Cluster>,
    options: &PlanOptions,
    plan: &mut Plan,
) -> Result<(), SetupError> {
    let cluster = spec.name.trim().to_owned();
    let this = Resource::Cluster {
        name: cluster.clone(),
    };
    if let Some(clients) = &spec.clients {
        let live_clients = match live {
            Some(c) => client
                .get_clients(&c.uuid)
                .await
                .map_err(SetupError::api(format!("clients of {this}")))?,
            None => Vec::new(),
        };
        let mut by_name: BTreeMap<&str, Vec<&types::ClusterClient>> = BTreeMap::new();
        for c in &live_clients {
            by_name.entry(c.name.as_str()).or_default().push(c);
        }
        for wanted in clients {
            let name = wanted.name.trim();
            let resource = Resource::Client {
                cluster: cluster.clone(),
                name: name.to_owned(),
            };
            let permissions = live::permission_set(wanted.permissions.iter().map(String::as_str));
            let change = match by_name.get(name).map(Vec::as_slice) {
                None | Some([]) => Change::new(resource, Action::Create)
                    .note(format!("permissions {}", permissions.join(", ")))
                    .work(Work::CreateClient(permissions)),
                Some([one]) => {
                    let old = live::permission_set(one.permissions.iter().map(|p| p.as_str()));
                    if old == permissions {
                        Change::new(resource, Action::NoChange)
                    } else {
                        Change::new(resource, Action::Replace)
                            .fields(vec![FieldChange::new(
                                "permissions",
                                Some(old.join(", ")),
                                Some(permissions.join(", ")),
                            )])
                            .note("a new client id and secret")
                            .work(Work::ReplaceClient {
                                old_id: one.client_id.clone(),
                                permissions,
                            })
                    }
                }
                Some(several) => {
                    let ids: Vec<&str> = several.iter().map(|c| c.client_id.as_str()).collect();
                    return Err(SetupError::invalid(
                        resource,
                        format!(
                            "the name matches {} live clients ({})",
                            ids.len(),
                            ids.join(", ")
                        ),
                    ));
                }
            };
            plan.changes.push(change);
        }
        let named: BTreeSet<&str> = clients.iter().map(|c| c.name.trim()).collect();
        for extra in live_clients
            .iter()
            .filter(|c| !named.contains(c.name.as_str()))
        {
            let resource = Resource::Client {
                cluster: cluster.clone(),
                name: extra.name.clone(),
            };
            plan.changes.push(extra_change(
                resource,
                options,
                Work::DeleteClient(extra.client_id.clone()),
            ));
        }
    }
    if let Some(secrets) = &spec.secrets {
        let live_secrets = match live {
            Some(c) => client
                .get_secrets(&c.uuid)
                .await
                .map_err(SetupError::api(format!("secrets of {this}")))?,
            None => types::ClusterSecrets(BTreeMap::new()),
        };
        for wanted in secrets {
            let name = wanted.name.trim();
            let resource = Resource::Secret {
                cluster: cluster.clone(),
                name: name.to_owned(),
            };
            let set = |exists| Work::SetSecret {
                value: wanted.value.clone(),
                exists,
            };
            let change = match live_secrets.get(name) {
                None => Change::new(resource, Action::Create)
                    .note(format!("value from {}", wanted.value))
                    .work(set(false)),
                Some(current) => match wanted.value.read() {
                    Ok(SecretValue::Set(value))
                        if value.expose_secret() == current.expose_secret() =>
                    {
                        Change::new(resource, Action::NoChange)
                    }
                    Ok(SecretValue::Set(_)) => Change::new(resource, Action::Update)
                        .note(format!("value differs; from {}", wanted.value))
                        .work(set(true)),
                    Ok(SecretValue::Unset(var)) => Change::new(resource, Action::NotChecked)
                        .note(format!("not checked ({var} unset)")),
                    Err(e) => return Err(SetupError::invalid(resource, e)),
                },
            };
            plan.changes.push(change);
        }
        let named: BTreeSet<&str> = secrets.iter().map(|s| s.name.trim()).collect();
        for extra in live_secrets.keys().filter(|k| !named.contains(k.as_str())) {
            let resource = Resource::Secret {
                cluster: cluster.clone(),
                name: extra.clone(),
            };
            plan.changes
                .push(extra_change(resource, options, Work::DeleteSecret));
        }
    }
    if let Some(entries) = &spec.allowlist {
        let resource = Resource::Allowlist {
            cluster: cluster.clone(),
        };
        let mut wanted: Vec<AllowlistEntry> = entries
            .iter()
            .map(|e| AllowlistEntry::new(e.ip.trim(), e.description.clone()))
            .collect();
        wanted.sort();
        let mut current: Vec<AllowlistEntry> = live
            .map(|c| {
                c.ipallowlist
                    .iter()
                    .map(|e| AllowlistEntry::new(e.ip.trim(), e.description.clone()))
                    .collect()
            })
            .unwrap_or_default();
        current.sort();
        let change = if current == wanted {
            Change::new(resource, Action::NoChange)
        } else {
            let mut fields = Vec::new();
            for entry in &current {
                let new = wanted.iter().find(|w| w.ip == entry.ip);
                if new.map(|n| &n.description) != Some(&entry.description) {
                    fields.push(FieldChange::new(
                        &entry.ip,
                        Some(entry.description.clone()),
                        new.map(|n| n.description.clone()),
                    ));
                }
            }
            for entry in wanted
                .iter()
                .filter(|w| !current.iter().any(|c| c.ip == w.ip))
            {
                fields.push(FieldChange::new(
                    &entry.ip,
                    None,
                    Some(entry.description.clone()),
                ));
            }
            let action = match live {
                Some(_) => Action::Update,
                None => Action::Create,
            };
            Change::new(resource, action)
                .fields(fields)
                .work(Work::SetAllowlist(wanted))
        };
        if !(live.is_none() && entries.is_empty()) {
            plan.changes.push(change);
        }
    }
    if let Some(wanted) = &spec.backup_schedule {
        let resource = Resource::BackupSchedule {
            cluster: cluster.clone(),
        };
        let current = match live {
            Some(c) => live::schedule(client, &c.uuid)
                .await
                .map_err(SetupError::api(&resource))?,
            None => None,
        };
        let wanted = wanted.trim().to_owned();
        let change = if current.as_deref() == Some(wanted.as_str()) {
            Change::new(resource, Action::NoChange)
        } else {
            let action = match current {
                Some(_) => Action::Update,
                None => Action::Create,
            };
            Change::new(resource, action)
                .fields(vec![FieldChange::new(
                    "schedule",
                    current,
                    Some(wanted.clone()),
                )])
                .work(Work::SetSchedule(wanted))
        };
        plan.changes.push(change);
    }
    Ok(())
}

/// A live resource the file does not name: deleted with prune, else kept.
fn extra_change(resource: Resource, options: &PlanOptions, work: Work) -> Change {
    if options.prune {
        Change::new(resource, Action::Delete).work(work)
    } else {
        Change::new(resource, Action::Kept).note("not in the file; deleted only with prune")
    }
}

fn member_changes(
    members: &[super::file::MemberSpec],
    live: &[types::Member],
    options: &PlanOptions,
    plan: &mut Plan,
) -> Result<(), SetupError> {
    let is_owner = |m: &types::Member| m.roles.contains(&types::OrganizationRole::Owner);
    let mut wanted_emails = BTreeSet::new();
    for wanted in members {
        let email = wanted.email.trim().to_ascii_lowercase();
        wanted_emails.insert(email.clone());
        let resource = Resource::Member {
            email: email.clone(),
        };
        let roles = live::role_set(wanted.roles.iter().map(String::as_str));
        let current = live
            .iter()
            .find(|m| m.email.trim().eq_ignore_ascii_case(&email));
        let change = match current {
            None if roles.iter().any(|r| r == "owner") => {
                return Err(SetupError::invalid(
                    resource,
                    "the owner role cannot be given; the organization has its owner",
                ))
            }
            None => Change::new(resource, Action::Create)
                .note(format!("invited with roles {}", roles.join(", ")))
                .work(Work::SetMember(roles)),
            Some(member) => {
                let old = live::role_set(member.roles.iter().map(|r| r.as_str()));
                if old == roles {
                    Change::new(resource, Action::NoChange)
                } else if is_owner(member) || roles.iter().any(|r| r == "owner") {
                    return Err(SetupError::invalid(
                        resource,
                        format!(
                            "the organization's owner is never demoted, and the owner role never given (live roles {})",
                            old.join(", ")
                        ),
                    ));
                } else {
                    Change::new(resource, Action::Update)
                        .fields(vec![FieldChange::new(
                            "roles",
                            Some(old.join(", ")),
                            Some(roles.join(", ")),
                        )])
                        .work(Work::SetMember(roles))
                }
            }
        };
        plan.changes.push(change);
    }
    for member in live {
        let email = member.email.trim().to_ascii_lowercase();
        if wanted_emails.contains(&email) {
            continue;
        }
        let resource = Resource::Member { email };
        plan.changes.push(if is_owner(member) {
            Change::new(resource, Action::Kept).note("the organization's owner is never deleted")
        } else {
            extra_change(resource, options, Work::DeleteMember)
        });
    }
    Ok(())
}
