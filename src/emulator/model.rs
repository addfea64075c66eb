//! The emulator's in-memory world: clusters and everything that hangs off
//! them, members, the activity log, tokens, injected faults; and how each
//! record is rendered as the API's JSON.

use std::{
    collections::{BTreeMap, HashMap, VecDeque},
    time::Duration,
};

use axum::http::StatusCode;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};
use tokio::time::Instant;

use super::{
    catalog::{Channel, Generation, PlanType, Region},
    tokens::IssuedToken,
    util::{csv_field, Rng},
    Fault,
};

pub(crate) const CREATING: &str = "Creating";
pub(crate) const HEALTHY: &str = "Healthy";
pub(crate) const UPDATING: &str = "Updating";
pub(crate) const RESUMING: &str = "Resuming";
pub(crate) const SUSPENDED: &str = "Suspended";

/// A successful answer.
#[derive(Debug)]
pub(crate) enum Reply {
    /// 200 with a JSON body.
    Json(Value),
    /// 204.
    NoContent,
    /// 200 with CSV text.
    Csv(String),
}

/// An error answer.
#[derive(Debug)]
pub(crate) struct Fail {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
    pub(crate) retry_after: Option<u64>,
    pub(crate) www_authenticate: Option<String>,
}

impl Fail {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            retry_after: None,
            www_authenticate: None,
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }

    pub(crate) fn not_ready(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PRECONDITION_FAILED, message)
    }

    pub(crate) fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }
}

/// What an operation answers.
pub(crate) type Outcome = Result<Reply, Fail>;

/// `at` plus `by`, saturating at a point a century away instead of
/// overflowing (a delay or clock offset may be configured as huge).
pub(crate) fn after(at: Instant, by: Duration) -> Instant {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);
    at.checked_add(by)
        .or_else(|| at.checked_add(CENTURY))
        .unwrap_or(at)
}

/// `at` plus `by` on the wall clock, or `at` if that overflows.
pub(crate) fn wall_after(at: DateTime<Utc>, by: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(by)
        .ok()
        .and_then(|d| at.checked_add_signed(d))
        .unwrap_or(at)
}

/// A status that turns `Healthy` at a moment, or stays.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Phase {
    pub(crate) status: &'static str,
    pub(crate) until: Option<Instant>,
}

impl Phase {
    /// `status` until `delay` has passed from `now`, then `Healthy`.
    pub(crate) fn transient(status: &'static str, now: Instant, delay: Duration) -> Self {
        Self {
            status,
            until: Some(after(now, delay)),
        }
    }

    fn at(&self, now: Instant) -> &'static str {
        match self.until {
            Some(until) if now >= until => HEALTHY,
            _ => self.status,
        }
    }
}

/// One API client of a cluster.
#[derive(Debug, Clone)]
pub(crate) struct ClusterClient {
    pub(crate) uuid: String,
    pub(crate) client_id: String,
    pub(crate) name: String,
    pub(crate) permissions: Vec<String>,
}

/// One backup.
#[derive(Debug, Clone)]
pub(crate) struct Backup {
    pub(crate) uuid: String,
    pub(crate) name: String,
    pub(crate) created: DateTime<Utc>,
    pub(crate) completed: DateTime<Utc>,
    pub(crate) done_at: Instant,
    pub(crate) generation: &'static Generation,
}

impl Backup {
    pub(crate) fn complete(&self, now: Instant) -> bool {
        now >= self.done_at
    }

    pub(crate) fn render(&self, now: Instant) -> Value {
        let (status, completed) = if self.complete(now) {
            ("Complete", stamp(self.completed))
        } else {
            ("In progress", String::new())
        };
        json!({
            "uuid": self.uuid,
            "name": self.name,
            "created": stamp(self.created),
            "completed": completed,
            "generationUuid": self.generation.uuid,
            "generationName": self.generation.name,
            "status": status,
            "zeebeStatus": status,
            "operateStatus": status,
            "tasklistStatus": status,
            "optimizeStatus": status,
        })
    }
}

/// One restore of a backup.
#[derive(Debug, Clone)]
pub(crate) struct Restore {
    pub(crate) uuid: String,
    pub(crate) backup_id: String,
    pub(crate) started: DateTime<Utc>,
    pub(crate) completed: DateTime<Utc>,
    pub(crate) done_at: Instant,
}

impl Restore {
    pub(crate) fn running(&self, now: Instant) -> bool {
        now < self.done_at
    }

    pub(crate) fn render(&self, now: Instant) -> Value {
        let mut value = json!({
            "uuid": self.uuid,
            "backupId": self.backup_id,
            "state": if self.running(now) { "IN_PROGRESS" } else { "COMPLETED" },
            "startTimestamp": stamp(self.started),
        });
        if !self.running(now) {
            value["completionTimestamp"] = json!(stamp(self.completed));
        }
        value
    }
}

/// One external monitoring client.
#[derive(Debug, Clone)]
pub(crate) struct MonitoringClient {
    pub(crate) uuid: String,
    pub(crate) username: String,
    pub(crate) created: DateTime<Utc>,
    pub(crate) created_by: String,
}

impl MonitoringClient {
    pub(crate) fn render(&self, password: Option<&str>) -> Value {
        let mut value = json!({
            "uuid": self.uuid,
            "name": self.username,
            "username": self.username,
            "created": stamp(self.created),
            "lastUsed": stamp(self.created),
            "createdBy": self.created_by,
            "createdByName": format!("API client {}", self.created_by),
        });
        if let Some(password) = password {
            value["password"] = json!(password);
        }
        value
    }
}

/// Secure connectivity of a cluster, while active.
#[derive(Debug, Clone)]
pub(crate) struct SecureConnectivity {
    pub(crate) principals: Vec<String>,
    pub(crate) regions: Vec<String>,
    pub(crate) since: DateTime<Utc>,
}

/// Encryption settings of a cluster.
#[derive(Debug, Clone)]
pub(crate) struct Encryption {
    pub(crate) key_type: &'static str,
    pub(crate) primary: Option<String>,
    pub(crate) secondary: Option<String>,
}

/// One cluster with everything that belongs to it.
#[derive(Debug, Clone)]
pub(crate) struct Cluster {
    pub(crate) uuid: String,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) owner_id: String,
    pub(crate) created: DateTime<Utc>,
    pub(crate) plan: &'static PlanType,
    pub(crate) region: &'static Region,
    pub(crate) backup_region: Option<&'static Region>,
    pub(crate) channel: &'static Channel,
    pub(crate) generation: &'static Generation,
    pub(crate) auto_update: bool,
    pub(crate) stage_label: Option<String>,
    pub(crate) hardware_packages: f64,
    pub(crate) phase: Phase,
    /// Failed over to its backup region: suspended for good.
    pub(crate) failed_over: bool,
    pub(crate) encryption: Encryption,
    pub(crate) ipallowlist: Vec<(String, String)>,
    pub(crate) clients: Vec<ClusterClient>,
    pub(crate) secrets: BTreeMap<String, String>,
    pub(crate) backups: Vec<Backup>,
    pub(crate) schedule: Option<String>,
    pub(crate) restores: Vec<Restore>,
    pub(crate) monitoring: bool,
    pub(crate) monitoring_clients: Vec<MonitoringClient>,
    pub(crate) secure_connectivity: Option<SecureConnectivity>,
}

impl Cluster {
    /// The combined status at `now`.
    pub(crate) fn status(&self, now: Instant) -> &'static str {
        if self.failed_over {
            return SUSPENDED;
        }
        let status = self.phase.at(now);
        if status == HEALTHY && self.restoring(now) {
            // The platform suspends a cluster while it restores a backup.
            return SUSPENDED;
        }
        status
    }

    pub(crate) fn restoring(&self, now: Instant) -> bool {
        self.restores.iter().any(|r| r.running(now))
    }

    pub(crate) fn links(&self, org_id: &str) -> Value {
        let key = self.region.key;
        let id = &self.uuid;
        json!({
            "zeebe": format!("{id}.{key}.zeebe.camunda.io:443"),
            "operate": format!("https://{key}.operate.camunda.io/{id}"),
            "tasklist": format!("https://{key}.tasklist.camunda.io/{id}"),
            "optimize": format!("https://{key}.optimize.camunda.io/{id}"),
            "connectors": format!("https://{key}.connectors.camunda.io/{id}"),
            "identity": format!("https://{key}.identity.camunda.io/{id}"),
            "console": format!("https://console.cloud.camunda.io/org/{org_id}/cluster/{id}"),
            "oauth": "https://login.cloud.camunda.io/oauth/token",
        })
    }

    pub(crate) fn render(&self, now: Instant, org_id: &str) -> Value {
        let status = self.status(now);
        let mut encryption = json!({ "type": self.encryption.key_type });
        if self.encryption.key_type == "External" {
            encryption["status"] = json!(if self.encryption.primary.is_some() {
                "Ready"
            } else {
                "ExternalEncryptionKeyNotSupplied"
            });
        }
        if let Some(arn) = &self.encryption.primary {
            encryption["primaryKeyArn"] = json!(arn);
        }
        if let Some(arn) = &self.encryption.secondary {
            encryption["secondaryKeyArn"] = json!(arn);
        }
        let mut value = json!({
            "uuid": self.uuid,
            "name": self.name,
            "ownerId": self.owner_id,
            "created": stamp(self.created),
            "planType": { "uuid": self.plan.uuid, "name": self.plan.name },
            "region": { "uuid": self.region.uuid, "name": self.region.name },
            "generation": { "uuid": self.generation.uuid, "name": self.generation.name },
            "channel": { "uuid": self.channel.uuid, "name": self.channel.name },
            "autoUpdate": self.auto_update,
            "status": {
                "ready": status,
                "zeebeStatus": status,
                "operateStatus": status,
                "tasklistStatus": status,
                "optimizeStatus": status,
                "connectorsStatus": status,
            },
            "links": self.links(org_id),
            "encryption": encryption,
        });
        if let Some(description) = &self.description {
            value["description"] = json!(description);
        }
        if let Some(region) = self.backup_region {
            value["backupRegion"] = json!({ "uuid": region.uuid, "name": region.name });
        }
        if let Some(label) = &self.stage_label {
            value["labels"] = json!([format!("stage:{label}")]);
        }
        if !self.ipallowlist.is_empty() {
            let entries: Vec<Value> = self
                .ipallowlist
                .iter()
                .map(|(ip, description)| json!({ "ip": ip, "description": description }))
                .collect();
            value["ipallowlist"] = json!(entries);
            value["ipwhitelist"] = json!(entries);
        }
        value
    }
}

/// A member of the organization, or an invitee.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub(crate) email: String,
    pub(crate) name: String,
    pub(crate) roles: Vec<String>,
    pub(crate) invite_pending: bool,
}

impl Member {
    pub(crate) fn is_owner(&self) -> bool {
        self.roles.iter().any(|r| r == "owner")
    }

    pub(crate) fn render(&self) -> Value {
        json!({
            "email": self.email,
            "name": self.name,
            "roles": self.roles,
            "invitePending": self.invite_pending,
        })
    }
}

/// One entry of the activity log.
#[derive(Debug, Clone)]
pub(crate) struct Audit {
    pub(crate) at: DateTime<Utc>,
    pub(crate) user_id: String,
    /// `c`, `u` or `d`.
    pub(crate) audit_type: &'static str,
    pub(crate) entity: &'static str,
    pub(crate) entity_id: String,
    pub(crate) parent_cluster: Option<String>,
    pub(crate) attribute: Option<(&'static str, Option<String>, Option<String>)>,
    pub(crate) audit: String,
}

/// The columns of the activity CSV, in order.
const CSV_COLUMNS: [&str; 13] = [
    "timestamp",
    "service",
    "orgId",
    "userId",
    "auditType",
    "entity",
    "entityId",
    "parentEntity",
    "parentEntityId",
    "entityAttribute",
    "entityAttributeValueFrom",
    "entityAttributeValueTo",
    "audit",
];

const SERVICE: &str = "console";

impl Audit {
    /// An entry by `user_id` at `at`.
    pub(crate) fn new(
        at: DateTime<Utc>,
        user_id: &str,
        audit_type: &'static str,
        entity: &'static str,
        entity_id: &str,
        audit: impl Into<String>,
    ) -> Self {
        Self {
            at,
            user_id: user_id.to_owned(),
            audit_type,
            entity,
            entity_id: entity_id.to_owned(),
            parent_cluster: None,
            attribute: None,
            audit: audit.into(),
        }
    }

    /// The entity belongs to this cluster.
    pub(crate) fn in_cluster(mut self, cluster_id: &str) -> Self {
        self.parent_cluster = Some(cluster_id.to_owned());
        self
    }

    /// The change concerns one attribute (never pass secret values).
    pub(crate) fn attribute(
        mut self,
        name: &'static str,
        from: Option<String>,
        to: Option<String>,
    ) -> Self {
        self.attribute = Some((name, from, to));
        self
    }

    pub(crate) fn render(&self, org_id: &str) -> Value {
        let mut value = json!({
            "service": SERVICE,
            "orgId": org_id,
            "userId": self.user_id,
            "auditType": self.audit_type,
            "entity": self.entity,
            "entityId": self.entity_id,
            "audit": self.audit,
            "timestamp": self.at.timestamp_millis() as f64,
        });
        if let Some(cluster) = &self.parent_cluster {
            value["parentEntity"] = json!("cluster");
            value["parentEntityId"] = json!(cluster);
        }
        if let Some((name, from, to)) = &self.attribute {
            value["entityAttribute"] = json!(name);
            if let Some(from) = from {
                value["entityAttributeValueFrom"] = json!(from);
            }
            if let Some(to) = to {
                value["entityAttributeValueTo"] = json!(to);
            }
        }
        value
    }

    fn csv_row(&self, org_id: &str) -> String {
        let (attribute, from, to) = match &self.attribute {
            Some((name, from, to)) => (
                *name,
                from.as_deref().unwrap_or(""),
                to.as_deref().unwrap_or(""),
            ),
            None => ("", "", ""),
        };
        let (parent, parent_id) = match &self.parent_cluster {
            Some(id) => ("cluster", id.as_str()),
            None => ("", ""),
        };
        let fields = [
            stamp(self.at).as_str(),
            SERVICE,
            org_id,
            &self.user_id,
            self.audit_type,
            self.entity,
            &self.entity_id,
            parent,
            parent_id,
            attribute,
            from,
            to,
            &self.audit,
        ]
        .map(csv_field);
        fields.join(",")
    }
}

/// The activity log as CSV with a header row, lines ended by CRLF.
pub(crate) fn activity_csv(entries: &[Audit], org_id: &str) -> String {
    let mut out = CSV_COLUMNS.join(",");
    out.push_str("\r\n");
    for entry in entries {
        out.push_str(&entry.csv_row(org_id));
        out.push_str("\r\n");
    }
    out
}

/// A timestamp as the API writes them.
pub(crate) fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Everything that changes while the emulator runs.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) rng: Rng,
    /// Added to the tokio clock (see `Emulator::advance_clock`).
    pub(crate) clock_offset: Duration,
    pub(crate) tokens: HashMap<String, IssuedToken>,
    /// The last token request per client id that was not refused with 429.
    pub(crate) last_token_request: HashMap<String, Instant>,
    pub(crate) faults: HashMap<&'static str, VecDeque<Fault>>,
    pub(crate) delays: HashMap<&'static str, VecDeque<Duration>>,
    pub(crate) calls: HashMap<&'static str, usize>,
    pub(crate) clusters: Vec<Cluster>,
    pub(crate) members: Vec<Member>,
    pub(crate) activity: Vec<Audit>,
}

impl State {
    pub(crate) fn new(rng: Rng) -> Self {
        Self {
            rng,
            clock_offset: Duration::ZERO,
            tokens: HashMap::new(),
            last_token_request: HashMap::new(),
            faults: HashMap::new(),
            delays: HashMap::new(),
            calls: HashMap::new(),
            clusters: Vec::new(),
            members: vec![
                Member {
                    email: "owner@example.com".into(),
                    name: "Olivia Owner".into(),
                    roles: vec!["owner".into()],
                    invite_pending: false,
                },
                Member {
                    email: "admin@example.com".into(),
                    name: "Adam Admin".into(),
                    roles: vec!["admin".into()],
                    invite_pending: false,
                },
            ],
            activity: Vec::new(),
        }
    }

    /// The emulator's monotonic clock.
    pub(crate) fn now(&self) -> Instant {
        after(Instant::now(), self.clock_offset)
    }

    /// The emulator's wall clock, moved by `advance_clock` too.
    pub(crate) fn wall_clock(&self) -> DateTime<Utc> {
        wall_after(Utc::now(), self.clock_offset)
    }

    pub(crate) fn suspend_cluster(&mut self, id: &str) -> bool {
        match self.clusters.iter_mut().find(|c| c.uuid == id) {
            Some(cluster) => {
                cluster.phase = Phase {
                    status: SUSPENDED,
                    until: None,
                };
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_a_header_and_quotes_fields() {
        let entry = Audit {
            at: DateTime::from_timestamp(0, 0).unwrap_or_default(),
            user_id: "me".into(),
            audit_type: "c",
            entity: "cluster",
            entity_id: "id-1".into(),
            parent_cluster: None,
            attribute: Some(("name", None, Some("a, b".into()))),
            audit: "Created cluster \"a, b\"".into(),
        };
        let csv = activity_csv(&[entry], "org");
        let mut lines = csv.split("\r\n");
        assert_eq!(lines.next(), Some(CSV_COLUMNS.join(",").as_str()));
        assert_eq!(
            lines.next(),
            Some("1970-01-01T00:00:00.000Z,console,org,me,c,cluster,id-1,,,name,,\"a, b\",\"Created cluster \"\"a, b\"\"\"")
        );
    }
}
