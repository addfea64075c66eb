//! The records of the emulated world (clusters and what hangs off them,
//! members), their lookups and guards, and how each is rendered as JSON.
//!
//! Answers are literal JSON on purpose, not the generated response types:
//! the emulator is a second, independent reading of the document, so a
//! mistake in the SDK's types (a field name, a field wrongly required, a
//! closed enum) shows up as a decode error in the SDK's tests instead of
//! being written and read back by the same mistake. Requests, which the
//! emulator only reads, are decoded into the generated request types.

use std::{collections::BTreeMap, time::Duration};

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use tokio::time::Instant;

use super::{
    activity::stamp,
    answer::Fail,
    catalog::{Channel, Generation, PlanType, Region},
};
use crate::retry::timing::instant_after;

pub(crate) const CREATING: &str = "Creating";
pub(crate) const HEALTHY: &str = "Healthy";
pub(crate) const UPDATING: &str = "Updating";
pub(crate) const RESUMING: &str = "Resuming";
pub(crate) const SUSPENDED: &str = "Suspended";

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
            until: Some(instant_after(now, delay)),
        }
    }

    /// `status` until something changes it.
    pub(crate) fn lasting(status: &'static str) -> Self {
        Self {
            status,
            until: None,
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

impl ClusterClient {
    /// The client as `GetClients` lists it (never with its secret).
    pub(crate) fn render(&self) -> Value {
        json!({ "name": self.name, "clientId": self.client_id, "permissions": self.permissions })
    }
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
    /// The client, with its password only when it was just made.
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

impl Encryption {
    fn render(&self) -> Value {
        let mut encryption = json!({ "type": self.key_type });
        if self.key_type == "External" {
            encryption["status"] = json!(if self.primary.is_some() {
                "Ready"
            } else {
                "ExternalEncryptionKeyNotSupplied"
            });
        }
        if let Some(arn) = &self.primary {
            encryption["primaryKeyArn"] = json!(arn);
        }
        if let Some(arn) = &self.secondary {
            encryption["secondaryKeyArn"] = json!(arn);
        }
        encryption
    }
}

/// Where a cluster runs and what it runs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Placement {
    pub(crate) plan: &'static PlanType,
    pub(crate) region: &'static Region,
    pub(crate) backup_region: Option<&'static Region>,
    pub(crate) channel: &'static Channel,
    pub(crate) generation: &'static Generation,
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
    /// A cluster with nothing in it yet: no clients, secrets, backups,
    /// allowlist, monitoring or connectivity, automatic updates on.
    pub(crate) fn new(
        uuid: String,
        name: String,
        (owner_id, created): (String, DateTime<Utc>),
        placement: Placement,
        phase: Phase,
        key_type: &'static str,
    ) -> Self {
        Self {
            uuid,
            name,
            description: None,
            owner_id,
            created,
            plan: placement.plan,
            region: placement.region,
            backup_region: placement.backup_region,
            channel: placement.channel,
            generation: placement.generation,
            auto_update: true,
            stage_label: None,
            hardware_packages: 1.0,
            phase,
            failed_over: false,
            encryption: Encryption {
                key_type,
                primary: None,
                secondary: None,
            },
            ipallowlist: Vec::new(),
            clients: Vec::new(),
            secrets: BTreeMap::new(),
            backups: Vec::new(),
            schedule: None,
            restores: Vec::new(),
            monitoring: false,
            monitoring_clients: Vec::new(),
            secure_connectivity: None,
        }
    }

    /// Where the cluster runs and what it runs.
    pub(crate) fn placement(&self) -> Placement {
        Placement {
            plan: self.plan,
            region: self.region,
            backup_region: self.backup_region,
            channel: self.channel,
            generation: self.generation,
        }
    }

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

    /// Nothing, if the cluster is `Healthy` at `now`; else the failure
    /// `unhealthy` makes of its status.
    pub(crate) fn require_healthy(
        &self,
        now: Instant,
        unhealthy: impl FnOnce(&'static str) -> Fail,
    ) -> Result<(), Fail> {
        match self.status(now) {
            HEALTHY => Ok(()),
            status => Err(unhealthy(status)),
        }
    }

    /// Where backup `id` is in the list, or 404.
    pub(crate) fn backup_index(&self, id: &str) -> Result<usize, Fail> {
        self.backups
            .iter()
            .position(|b| b.uuid == id)
            .ok_or_else(|| Fail::not_found(format!("no backup {id:?} of this cluster")))
    }

    /// Where the client with client id `id` is in the list, or 404.
    pub(crate) fn client_index(&self, id: &str) -> Result<usize, Fail> {
        self.clients
            .iter()
            .position(|c| c.client_id == id)
            .ok_or_else(|| Fail::not_found(format!("no client {id:?} on this cluster")))
    }

    /// Where monitoring client `id` is in the list, or 404.
    pub(crate) fn monitoring_client_index(&self, id: &str) -> Result<usize, Fail> {
        self.monitoring_clients
            .iter()
            .position(|c| c.uuid == id)
            .ok_or_else(|| Fail::not_found(format!("no monitoring client {id:?} on this cluster")))
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
        let named = |uuid: &str, name: &str| json!({ "uuid": uuid, "name": name });
        let mut value = json!({
            "uuid": self.uuid,
            "name": self.name,
            "ownerId": self.owner_id,
            "created": stamp(self.created),
            "planType": named(self.plan.uuid, self.plan.name),
            "region": named(self.region.uuid, self.region.name),
            "generation": named(self.generation.uuid, self.generation.name),
            "channel": named(self.channel.uuid, self.channel.name),
            "autoUpdate": self.auto_update,
            // Not in the document's cluster, as `encryption` was not: the
            // count CreateCluster and UpdateCluster set, for setup's plan.
            "hardwarePackages": self.hardware_packages,
            "status": {
                "ready": status,
                "zeebeStatus": status,
                "operateStatus": status,
                "tasklistStatus": status,
                "optimizeStatus": status,
                "connectorsStatus": status,
            },
            "links": self.links(org_id),
            "encryption": self.encryption.render(),
        });
        if let Some(description) = &self.description {
            value["description"] = json!(description);
        }
        if let Some(region) = self.backup_region {
            value["backupRegion"] = named(region.uuid, region.name);
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

    /// The metrics endpoint while monitoring is on, `{}` otherwise.
    pub(crate) fn render_monitoring_status(&self) -> Value {
        if !self.monitoring {
            return json!({});
        }
        json!({
            "metricsEndpoint": {
                "target": format!("{}.metrics.camunda.io", self.region.key),
                "scheme": "https",
                "path": format!("/{}/metrics", self.uuid),
            },
            "conditions": [{ "type": "Ready", "status": "True", "reason": "MetricsEndpointReady" }],
        })
    }

    /// The connectivity resource, or `{}` while the feature is off.
    pub(crate) fn render_secure_connectivity(&self, org_id: &str) -> Value {
        let Some(sc) = &self.secure_connectivity else {
            return json!({});
        };
        let region = self.region;
        let id = &self.uuid;
        json!({
            "metadata": {
                "name": format!("secure-connectivity-{id}"),
                "namespace": format!("{id}-zeebe"),
                "labels": { "orgId": org_id },
            },
            "spec": {
                "allowedPrincipals": sc.principals,
                "allowedRegions": sc.regions,
                "cluster": { "id": id },
            },
            "status": {
                "urls": { "zeebe": format!("{id}.{}.zeebe.private.camunda.io:443", region.key) },
                "observedGeneration": 1,
                "endpointConnectionCount": 0,
                "endpointConnections": [],
                "endpoint": self.private_endpoint(),
                "conditions": [{
                    "type": "Ready",
                    "status": "True",
                    "reason": "EndpointReady",
                    "message": "The private endpoint service is ready",
                    "observedGeneration": 1,
                    "lastTransitionTime": stamp(sc.since),
                }],
            },
        })
    }

    /// The private endpoint service: PrivateLink on AWS, Private Service
    /// Connect on GCP.
    fn private_endpoint(&self) -> Value {
        let region = self.region;
        let compact: String = self.uuid.chars().filter(|c| *c != '-').take(17).collect();
        let aws = region.provider == "aws";
        json!({
            "privateDnsName": format!("{}.{}.private.camunda.io", self.uuid, region.key),
            "type": if aws { "PrivateLink" } else { "PrivateServiceConnect" },
            "serviceName": if aws {
                format!("com.amazonaws.vpce.{}.vpce-svc-{compact}", region.cloud_region)
            } else {
                format!("projects/camunda-saas/regions/{}/serviceAttachments/sc-{compact}", region.cloud_region)
            },
            "region": region.cloud_region,
        })
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
