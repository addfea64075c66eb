//! The organization's activity log: one [`Audit`] per successful change, as
//! the API's JSON and as CSV.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

/// What kind of change an entry records, as the API codes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuditType {
    Create,
    Update,
    Delete,
}

impl AuditType {
    /// The API's one-letter code.
    pub(crate) fn code(self) -> &'static str {
        match self {
            AuditType::Create => "c",
            AuditType::Update => "u",
            AuditType::Delete => "d",
        }
    }

    /// The type with this code, as a state file holds it.
    pub(crate) fn from_code(code: &str) -> Option<Self> {
        [AuditType::Create, AuditType::Update, AuditType::Delete]
            .into_iter()
            .find(|t| t.code() == code)
    }
}

/// The kind of object an entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entity {
    Cluster,
    Backup,
    BackupSchedule,
    Restore,
    Client,
    MonitoringClient,
    Secret,
    SecureConnectivity,
    Member,
}

impl Entity {
    /// The name the API gives it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Entity::Cluster => "cluster",
            Entity::Backup => "backup",
            Entity::BackupSchedule => "backupSchedule",
            Entity::Restore => "restore",
            Entity::Client => "client",
            Entity::MonitoringClient => "monitoringClient",
            Entity::Secret => "secret",
            Entity::SecureConnectivity => "secureConnectivity",
            Entity::Member => "member",
        }
    }

    /// The entity with this name, as a state file holds it.
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        [
            Entity::Cluster,
            Entity::Backup,
            Entity::BackupSchedule,
            Entity::Restore,
            Entity::Client,
            Entity::MonitoringClient,
            Entity::Secret,
            Entity::SecureConnectivity,
            Entity::Member,
        ]
        .into_iter()
        .find(|e| e.name() == name)
    }
}

/// An attribute that changed: its name, the value before and after (never
/// a secret value).
pub(crate) type Change = (String, Option<String>, Option<String>);

/// One entry of the activity log.
#[derive(Debug, Clone)]
pub(crate) struct Audit {
    pub(crate) at: DateTime<Utc>,
    pub(crate) user_id: String,
    pub(crate) audit_type: AuditType,
    pub(crate) entity: Entity,
    pub(crate) entity_id: String,
    pub(crate) parent_cluster: Option<String>,
    pub(crate) attribute: Option<Change>,
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
        self.attribute = Some((name.to_owned(), from, to));
        self
    }

    pub(crate) fn render(&self, org_id: &str) -> Value {
        let mut value = json!({
            "service": SERVICE,
            "orgId": org_id,
            "userId": self.user_id,
            "auditType": self.audit_type.code(),
            "entity": self.entity.name(),
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
                name.as_str(),
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
            self.audit_type.code(),
            self.entity.name(),
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

/// One CSV field, quoted when it needs to be (RFC 4180).
fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

/// A timestamp as the API writes them.
pub(crate) fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_a_header_and_quotes_fields() {
        let entry = Audit {
            at: DateTime::UNIX_EPOCH,
            user_id: "me".into(),
            audit_type: AuditType::Create,
            entity: Entity::Cluster,
            entity_id: "id-1".into(),
            parent_cluster: None,
            attribute: Some(("name".into(), None, Some("a, b".into()))),
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

    #[test]
    fn audit_types_have_the_api_codes() {
        let codes = [AuditType::Create, AuditType::Update, AuditType::Delete].map(AuditType::code);
        assert_eq!(codes, ["c", "u", "d"]);
    }
}
