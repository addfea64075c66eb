//! The emulator's state as a file (`--state`, `--seed`): the versioned
//! JSON format [`EmulatorConfig::state_file`](super::EmulatorConfig::state_file)
//! documents, and its conversion to and from the live world.
//!
//! Moments in the file are on the emulator's wall clock (which
//! `advance_clock` moves too); live records hold [`Instant`]s, so both are
//! converted through one frame: the emulator's `now` on both clocks.

use std::{collections::BTreeMap, time::Duration};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::{
    activity::{Audit, AuditType, Entity},
    catalog,
    clock::wall_after,
    config::Scope,
    ids::Ids,
    records::{
        Backup, Cluster, ClusterClient, Encryption, Member, MonitoringClient, Phase, Restore,
        SecureConnectivity, CREATING, HEALTHY, RESUMING, SUSPENDED, UPDATING,
    },
    token_book::IssuedToken,
    world::{Clusters, World},
};
use crate::retry::timing::instant_after;

/// The value of the file's `format` field.
pub(crate) const FORMAT: &str = "camunda-admin-emulator-state";
/// The one version this emulator reads and writes.
pub(crate) const VERSION: u64 = 1;
/// What a deadline waiting for a manual step is written as.
const STEP: &str = "step";
/// A deadline further away than this waits for a step (a manual
/// transition waits "for good", which `instant_after` caps at 100 years).
const FOR_GOOD: Duration = Duration::from_secs(50 * 365 * 24 * 3600);

/// The whole file, version 1. No `Debug`: it holds secrets.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct StateFile {
    pub(crate) format: String,
    pub(crate) version: u64,
    pub(crate) org_id: String,
    pub(crate) admin: AdminFile,
    #[serde(default)]
    pub(crate) clock_offset_ms: u64,
    #[serde(default)]
    pub(crate) clusters: Vec<ClusterFile>,
    #[serde(default)]
    pub(crate) members: Vec<MemberFile>,
    #[serde(default)]
    pub(crate) activity: Vec<AuditFile>,
    #[serde(default)]
    pub(crate) tokens: Vec<TokenFile>,
}

/// The admin credential (all scopes).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct AdminFile {
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ClusterFile {
    uuid: String,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    owner_id: String,
    created: DateTime<Utc>,
    plan_type_id: String,
    region_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    backup_region_id: Option<String>,
    channel_id: String,
    generation_id: String,
    auto_update: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stage_label: Option<String>,
    hardware_packages: f64,
    /// `Creating`, `Updating`, `Resuming`, `Suspended` or `Healthy`.
    status: String,
    /// When `status` turns `Healthy`: a moment, `"step"`, or absent (it stays).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    healthy_at: Option<String>,
    #[serde(default)]
    failed_over: bool,
    encryption: EncryptionFile,
    #[serde(default)]
    ip_allowlist: Vec<AllowedFile>,
    #[serde(default)]
    clients: Vec<ClientFile>,
    /// Connector secrets, name to value.
    #[serde(default)]
    secrets: BTreeMap<String, String>,
    #[serde(default)]
    backups: Vec<BackupFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    backup_schedule: Option<String>,
    #[serde(default)]
    restores: Vec<RestoreFile>,
    #[serde(default)]
    monitoring: bool,
    #[serde(default)]
    monitoring_clients: Vec<MonitoringClientFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secure_connectivity: Option<ConnectivityFile>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EncryptionFile {
    #[serde(rename = "type")]
    key_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    primary_key_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secondary_key_arn: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowedFile {
    ip: String,
    description: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClientFile {
    uuid: String,
    client_id: String,
    name: String,
    permissions: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BackupFile {
    uuid: String,
    name: String,
    generation_id: String,
    created: DateTime<Utc>,
    /// The completion time shown once done.
    completed: DateTime<Utc>,
    /// When it is done: a moment or `"step"`.
    done_at: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RestoreFile {
    uuid: String,
    backup_id: String,
    started: DateTime<Utc>,
    completed: DateTime<Utc>,
    done_at: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct MonitoringClientFile {
    uuid: String,
    username: String,
    created: DateTime<Utc>,
    created_by: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConnectivityFile {
    principals: Vec<String>,
    regions: Vec<String>,
    since: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct MemberFile {
    email: String,
    name: String,
    roles: Vec<String>,
    #[serde(default)]
    invite_pending: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct AuditFile {
    at: DateTime<Utc>,
    user_id: String,
    /// `c`, `u` or `d`.
    audit_type: String,
    entity: String,
    entity_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parent_cluster_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    attribute: Option<AttributeFile>,
    audit: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AttributeFile {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    to: Option<String>,
}

/// An issued token still valid when the file was written.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct TokenFile {
    pub(crate) token: String,
    pub(crate) client_id: String,
    /// Scope claims, such as `zeebe-client`.
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_at: DateTime<Utc>,
}

/// The emulator's `now` on both clocks: how live moments and file moments
/// convert.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub(crate) now: Instant,
    pub(crate) wall: DateTime<Utc>,
}

impl Frame {
    /// `at` on the wall clock.
    fn wall_of(self, at: Instant) -> DateTime<Utc> {
        if at >= self.now {
            wall_after(self.wall, at - self.now)
        } else {
            chrono::Duration::from_std(self.now - at)
                .ok()
                .and_then(|d| self.wall.checked_sub_signed(d))
                .unwrap_or(self.wall)
        }
    }

    /// `at` on the monotonic clock; a past moment is `now` (what is done
    /// stays done).
    fn instant_of(self, at: DateTime<Utc>) -> Instant {
        match (at - self.wall).to_std() {
            Ok(ahead) => instant_after(self.now, ahead),
            Err(_) => self.now,
        }
    }

    /// A deadline as the file writes it: a moment, or `"step"`.
    fn deadline(self, at: Instant) -> String {
        if at > self.now && at - self.now > FOR_GOOD {
            return STEP.to_owned();
        }
        self.wall_of(at)
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }

    fn instant_of_deadline(self, text: &str, what: &str) -> Result<Instant, String> {
        if text == STEP {
            return Ok(instant_after(self.now, Duration::MAX));
        }
        DateTime::parse_from_rfc3339(text)
            .map(|at| self.instant_of(at.with_timezone(&Utc)))
            .map_err(|_| format!("{what} is not an RFC 3339 moment or \"step\""))
    }
}

impl StateFile {
    /// The live state as the file holds it.
    pub(crate) fn of(
        world: &World,
        frame: Frame,
        (org_id, admin): (&str, AdminFile),
        clock_offset: Duration,
        tokens: Vec<(String, IssuedToken)>,
    ) -> Self {
        Self {
            format: FORMAT.to_owned(),
            version: VERSION,
            org_id: org_id.to_owned(),
            admin,
            clock_offset_ms: u64::try_from(clock_offset.as_millis()).unwrap_or(u64::MAX),
            clusters: world
                .clusters
                .iter()
                .map(|c| ClusterFile::of(c, frame))
                .collect(),
            members: world.members.iter().map(MemberFile::of).collect(),
            activity: world.activity.iter().map(AuditFile::of).collect(),
            tokens: tokens
                .into_iter()
                .filter(|(_, t)| t.expires > frame.now)
                .map(|(token, t)| TokenFile {
                    token,
                    client_id: t.client_id,
                    scopes: t.scopes.iter().map(|s| s.claim().to_owned()).collect(),
                    expires_at: frame.wall_of(t.expires),
                })
                .collect(),
        }
    }

    /// The world this file describes, with fresh randomness for new ids
    /// (random UUIDs and client ids do not repeat), or what is wrong.
    pub(crate) fn world(&self, frame: Frame) -> Result<World, String> {
        let clusters = self
            .clusters
            .iter()
            .map(|c| {
                c.live(frame)
                    .map_err(|e| format!("cluster {:?}: {e}", c.uuid))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut seen = std::collections::BTreeSet::new();
        if let Some(twice) = clusters.iter().find(|c| !seen.insert(c.uuid.as_str())) {
            return Err(format!("cluster {:?} is listed twice", twice.uuid));
        }
        let activity = self
            .activity
            .iter()
            .enumerate()
            .map(|(i, a)| a.live().map_err(|e| format!("activity entry {i}: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(World {
            ids: Ids::from_entropy(),
            clusters: Clusters::of(clusters),
            members: self.members.iter().map(MemberFile::live).collect(),
            activity,
        })
    }

    /// The tokens still valid at `frame`, or what is wrong.
    pub(crate) fn issued_tokens(&self, frame: Frame) -> Result<Vec<(String, IssuedToken)>, String> {
        self.tokens
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let scopes = t
                    .scopes
                    .iter()
                    .map(|s| {
                        Scope::from_name(s).ok_or_else(|| format!("token {i}: no scope {s:?}"))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((
                    t.token.clone(),
                    IssuedToken {
                        client_id: t.client_id.clone(),
                        scopes,
                        expires: frame.instant_of(t.expires_at),
                    },
                ))
            })
            .filter(|t| !matches!(t, Ok((_, issued)) if issued.expires <= frame.now))
            .collect()
    }
}

impl ClusterFile {
    fn of(c: &Cluster, frame: Frame) -> Self {
        Self {
            uuid: c.uuid.clone(),
            name: c.name.clone(),
            description: c.description.clone(),
            owner_id: c.owner_id.clone(),
            created: c.created,
            plan_type_id: c.plan.uuid.to_owned(),
            region_id: c.region.uuid.to_owned(),
            backup_region_id: c.backup_region.map(|r| r.uuid.to_owned()),
            channel_id: c.channel.uuid.to_owned(),
            generation_id: c.generation.uuid.to_owned(),
            auto_update: c.auto_update,
            stage_label: c.stage_label.clone(),
            hardware_packages: c.hardware_packages,
            status: c.phase.status.to_owned(),
            healthy_at: c.phase.until.map(|at| frame.deadline(at)),
            failed_over: c.failed_over,
            encryption: EncryptionFile {
                key_type: c.encryption.key_type.to_owned(),
                primary_key_arn: c.encryption.primary.clone(),
                secondary_key_arn: c.encryption.secondary.clone(),
            },
            ip_allowlist: c
                .ipallowlist
                .iter()
                .map(|(ip, description)| AllowedFile {
                    ip: ip.clone(),
                    description: description.clone(),
                })
                .collect(),
            clients: c
                .clients
                .iter()
                .map(|k| ClientFile {
                    uuid: k.uuid.clone(),
                    client_id: k.client_id.clone(),
                    name: k.name.clone(),
                    permissions: k.permissions.clone(),
                })
                .collect(),
            secrets: c.secrets.clone(),
            backups: c
                .backups
                .iter()
                .map(|b| BackupFile {
                    uuid: b.uuid.clone(),
                    name: b.name.clone(),
                    generation_id: b.generation.uuid.to_owned(),
                    created: b.created,
                    completed: b.completed,
                    done_at: frame.deadline(b.done_at),
                })
                .collect(),
            backup_schedule: c.schedule.clone(),
            restores: c
                .restores
                .iter()
                .map(|r| RestoreFile {
                    uuid: r.uuid.clone(),
                    backup_id: r.backup_id.clone(),
                    started: r.started,
                    completed: r.completed,
                    done_at: frame.deadline(r.done_at),
                })
                .collect(),
            monitoring: c.monitoring,
            monitoring_clients: c
                .monitoring_clients
                .iter()
                .map(|m| MonitoringClientFile {
                    uuid: m.uuid.clone(),
                    username: m.username.clone(),
                    created: m.created,
                    created_by: m.created_by.clone(),
                })
                .collect(),
            secure_connectivity: c.secure_connectivity.as_ref().map(|s| ConnectivityFile {
                principals: s.principals.clone(),
                regions: s.regions.clone(),
                since: s.since,
            }),
        }
    }

    fn live(&self, frame: Frame) -> Result<Cluster, String> {
        let plan = catalog::plan_type(&self.plan_type_id)
            .ok_or_else(|| format!("no plan type {:?}", self.plan_type_id))?;
        let region = catalog::region(&self.region_id)
            .ok_or_else(|| format!("no region {:?}", self.region_id))?;
        let backup_region = match &self.backup_region_id {
            Some(id) => Some(catalog::region(id).ok_or_else(|| format!("no region {id:?}"))?),
            None => None,
        };
        let channel = catalog::channel(&self.channel_id)
            .ok_or_else(|| format!("no channel {:?}", self.channel_id))?;
        let generation = generation_of(&self.generation_id)?;
        let status = [CREATING, HEALTHY, UPDATING, RESUMING, SUSPENDED]
            .into_iter()
            .find(|s| *s == self.status)
            .ok_or_else(|| format!("no cluster status {:?}", self.status))?;
        let until = match &self.healthy_at {
            Some(at) => Some(frame.instant_of_deadline(at, "healthyAt")?),
            None => None,
        };
        let key_type = ["Software", "Hardware", "Provider", "External"]
            .into_iter()
            .find(|k| *k == self.encryption.key_type)
            .ok_or_else(|| format!("no encryption type {:?}", self.encryption.key_type))?;
        let backups = self
            .backups
            .iter()
            .map(|b| {
                Ok(Backup {
                    uuid: b.uuid.clone(),
                    name: b.name.clone(),
                    created: b.created,
                    completed: b.completed,
                    done_at: frame.instant_of_deadline(&b.done_at, "a backup's doneAt")?,
                    generation: generation_of(&b.generation_id)?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let restores = self
            .restores
            .iter()
            .map(|r| {
                Ok(Restore {
                    uuid: r.uuid.clone(),
                    backup_id: r.backup_id.clone(),
                    started: r.started,
                    completed: r.completed,
                    done_at: frame.instant_of_deadline(&r.done_at, "a restore's doneAt")?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Cluster {
            uuid: self.uuid.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            owner_id: self.owner_id.clone(),
            created: self.created,
            plan,
            region,
            backup_region,
            channel,
            generation,
            auto_update: self.auto_update,
            stage_label: self.stage_label.clone(),
            hardware_packages: self.hardware_packages,
            phase: Phase { status, until },
            failed_over: self.failed_over,
            encryption: Encryption {
                key_type,
                primary: self.encryption.primary_key_arn.clone(),
                secondary: self.encryption.secondary_key_arn.clone(),
            },
            ipallowlist: self
                .ip_allowlist
                .iter()
                .map(|a| (a.ip.clone(), a.description.clone()))
                .collect(),
            clients: self
                .clients
                .iter()
                .map(|k| ClusterClient {
                    uuid: k.uuid.clone(),
                    client_id: k.client_id.clone(),
                    name: k.name.clone(),
                    permissions: k.permissions.clone(),
                })
                .collect(),
            secrets: self.secrets.clone(),
            backups,
            schedule: self.backup_schedule.clone(),
            restores,
            monitoring: self.monitoring,
            monitoring_clients: self
                .monitoring_clients
                .iter()
                .map(|m| MonitoringClient {
                    uuid: m.uuid.clone(),
                    username: m.username.clone(),
                    created: m.created,
                    created_by: m.created_by.clone(),
                })
                .collect(),
            secure_connectivity: self
                .secure_connectivity
                .as_ref()
                .map(|s| SecureConnectivity {
                    principals: s.principals.clone(),
                    regions: s.regions.clone(),
                    since: s.since,
                }),
        })
    }
}

fn generation_of(id: &str) -> Result<&'static catalog::Generation, String> {
    catalog::CHANNELS
        .iter()
        .flat_map(|c| c.generations.iter().copied())
        .find(|g| g.uuid == id)
        .ok_or_else(|| format!("no generation {id:?}"))
}

impl MemberFile {
    fn of(m: &Member) -> Self {
        Self {
            email: m.email.clone(),
            name: m.name.clone(),
            roles: m.roles.clone(),
            invite_pending: m.invite_pending,
        }
    }

    fn live(&self) -> Member {
        Member {
            email: self.email.clone(),
            name: self.name.clone(),
            roles: self.roles.clone(),
            invite_pending: self.invite_pending,
        }
    }
}

impl AuditFile {
    fn of(a: &Audit) -> Self {
        Self {
            at: a.at,
            user_id: a.user_id.clone(),
            audit_type: a.audit_type.code().to_owned(),
            entity: a.entity.name().to_owned(),
            entity_id: a.entity_id.clone(),
            parent_cluster_id: a.parent_cluster.clone(),
            attribute: a.attribute.as_ref().map(|(name, from, to)| AttributeFile {
                name: name.clone(),
                from: from.clone(),
                to: to.clone(),
            }),
            audit: a.audit.clone(),
        }
    }

    fn live(&self) -> Result<Audit, String> {
        Ok(Audit {
            at: self.at,
            user_id: self.user_id.clone(),
            audit_type: AuditType::from_code(&self.audit_type)
                .ok_or_else(|| format!("no audit type {:?} (c, u, d)", self.audit_type))?,
            entity: Entity::from_name(&self.entity)
                .ok_or_else(|| format!("no entity {:?}", self.entity))?,
            entity_id: self.entity_id.clone(),
            parent_cluster: self.parent_cluster_id.clone(),
            attribute: self
                .attribute
                .as_ref()
                .map(|a| (a.name.clone(), a.from.clone(), a.to.clone())),
            audit: self.audit.clone(),
        })
    }
}
