//! One function per operation. Each runs with the state locked, checks its
//! input (400), the objects it names (404) and their state (409, 412), then
//! changes the state, writes the activity log and builds the answer.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{de::DeserializeOwned, Deserialize};
use serde_json::{json, Value};
use tokio::time::Instant;

use super::{
    catalog,
    model::{
        activity_csv, after, stamp, wall_after, Audit, Backup, Cluster, ClusterClient, Encryption,
        Fail, Member, MonitoringClient, Outcome, Phase, Reply, Restore, SecureConnectivity, State,
        CREATING, HEALTHY, RESUMING, SUSPENDED, UPDATING,
    },
    util::{check_cron, valid_email, valid_ip_ranges},
    Settings,
};

/// Longest cluster, client and monitoring user name.
const MAX_NAME: usize = 50;
/// Longest cluster description.
const MAX_DESCRIPTION: usize = 500;
/// Secret names are shorter than this.
const SECRET_NAME_LIMIT: usize = 50;
/// Clients per cluster before 403.
const MAX_CLIENTS: usize = 50;
/// Secrets per cluster before 403.
const MAX_SECRETS: usize = 100;
/// Entries of an IP allowlist.
const MAX_ALLOWLIST: usize = 100;
/// What a cluster client may be granted.
const PERMISSIONS: [&str; 5] = ["Zeebe", "Operate", "Tasklist", "Optimize", "Secrets"];
/// The organization roles the API can assign.
const ASSIGNABLE_ROLES: [&str; 7] = [
    "admin",
    "operationsengineer",
    "taskuser",
    "analyst",
    "developer",
    "visitor",
    "modeler",
];
const STAGE_LABELS: [&str; 4] = ["dev", "test", "stage", "prod"];
/// The token service of clusters, for cluster client connection settings.
const ZEEBE_TOKEN_URL: &str = "https://login.cloud.camunda.io/oauth/token";
const ZEEBE_AUDIENCE: &str = "zeebe.camunda.io";

/// What one request brings to its operation.
pub(crate) struct Ctx<'a> {
    pub(crate) settings: &'a Settings,
    /// The emulator's clock.
    pub(crate) now: Instant,
    /// The emulator's wall clock, for timestamps.
    pub(crate) wall: DateTime<Utc>,
    /// The client id of the caller's token.
    pub(crate) caller: &'a str,
    /// Path parameters in template order, decoded.
    pub(crate) params: &'a [String],
    pub(crate) body: &'a [u8],
}

impl Ctx<'_> {
    fn param(&self, i: usize) -> &str {
        self.params.get(i).map(String::as_str).unwrap_or("")
    }

    fn body<T: DeserializeOwned>(&self) -> Result<T, Fail> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(Fail::bad_request("a JSON body is required"));
        }
        serde_json::from_slice(self.body)
            .map_err(|e| Fail::bad_request(format!("invalid body: {e}")))
    }

    fn audit(
        &self,
        audit_type: &'static str,
        entity: &'static str,
        entity_id: &str,
        text: impl Into<String>,
    ) -> Audit {
        Audit::new(self.wall, self.caller, audit_type, entity, entity_id, text)
    }

    fn org(&self) -> &str {
        &self.settings.org_id
    }
}

/// Run operation `op`.
pub(crate) fn dispatch(state: &mut State, ctx: &Ctx<'_>, op: &str) -> Outcome {
    match op {
        "GetCsv" => Ok(Reply::Csv(activity_csv(&state.activity, ctx.org()))),
        "GetJson" => Ok(Reply::Json(Value::Array(
            state.activity.iter().map(|a| a.render(ctx.org())).collect(),
        ))),
        "GetClusters" => Ok(Reply::Json(Value::Array(
            state
                .clusters
                .iter()
                .map(|c| c.render(ctx.now, ctx.org()))
                .collect(),
        ))),
        "CreateCluster" => create_cluster(state, ctx),
        "GetParameters" => Ok(Reply::Json(catalog::parameters())),
        "GetCluster" => {
            let cluster = find(&mut state.clusters, ctx.param(0))?;
            Ok(Reply::Json(cluster.render(ctx.now, ctx.org())))
        }
        "DeleteCluster" => delete_cluster(state, ctx),
        "UpdateCluster" => update_cluster(state, ctx),
        "GetBackups" => {
            let cluster = find(&mut state.clusters, ctx.param(0))?;
            Ok(Reply::Json(Value::Array(
                cluster.backups.iter().map(|b| b.render(ctx.now)).collect(),
            )))
        }
        "CreateBackup" => create_backup(state, ctx),
        "DeleteBackup" => delete_backup(state, ctx),
        "GetSchedule" => get_schedule(state, ctx),
        "UpdateSchedule" => update_schedule(state, ctx),
        "DeleteSchedule" => delete_schedule(state, ctx),
        "GetRestore" => get_restore(state, ctx),
        "RestoreFromBackup" => restore_from_backup(state, ctx),
        "GetClients" => {
            let cluster = find(&mut state.clusters, ctx.param(0))?;
            Ok(Reply::Json(Value::Array(
                cluster
                    .clients
                    .iter()
                    .map(|c| json!({ "name": c.name, "clientId": c.client_id, "permissions": c.permissions }))
                    .collect(),
            )))
        }
        "CreateClient" => create_client(state, ctx),
        "GetClient" => get_client(state, ctx),
        "DeleteClient" => delete_client(state, ctx),
        "UpdateClusterEncryption" => update_encryption(state, ctx),
        "TriggerFailover" => trigger_failover(state, ctx),
        "UpdateIpAllowlist" => {
            #[derive(Deserialize)]
            struct Body {
                ipallowlist: Vec<IpEntry>,
            }
            let body: Body = ctx.body()?;
            set_allowlist(state, ctx, body.ipallowlist)
        }
        "UpdateIpWhitelist" => {
            #[derive(Deserialize)]
            struct Body {
                ipwhitelist: Vec<IpEntry>,
            }
            let body: Body = ctx.body()?;
            set_allowlist(state, ctx, body.ipwhitelist)
        }
        "ActivateMonitoring" => set_monitoring(state, ctx, true),
        "DeactivateMonitoring" => set_monitoring(state, ctx, false),
        "GetMonitoringClients" => get_monitoring_clients(state, ctx),
        "CreateMonitoringClient" => create_monitoring_client(state, ctx),
        "DeleteMonitoringClient" => delete_monitoring_client(state, ctx),
        "RotateMonitoringClientPassword" => rotate_monitoring_password(state, ctx),
        "GetSecrets" => {
            let cluster = find(&mut state.clusters, ctx.param(0))?;
            Ok(Reply::Json(json!(cluster.secrets)))
        }
        "CreateSecret" => create_secret(state, ctx),
        "UpdateSecret" => update_secret(state, ctx),
        "DeleteSecret" => delete_secret(state, ctx),
        "ActivateSecureConnectivity" => activate_secure_connectivity(state, ctx),
        "GetSecureConnectivityStatus" => {
            let cluster = find(&mut state.clusters, ctx.param(0))?;
            Ok(Reply::Json(
                json!({ "status": secure_connectivity_status(cluster, ctx.org()) }),
            ))
        }
        "DeactivateSecureConnectivity" => deactivate_secure_connectivity(state, ctx),
        "UpgradeCluster" => upgrade_cluster(state, ctx),
        "Wake" => wake(state, ctx),
        "GetMembers" => Ok(Reply::Json(Value::Array(
            state.members.iter().map(Member::render).collect(),
        ))),
        "UpdateMembers" => update_member(state, ctx),
        "DeleteMember" => delete_member(state, ctx),
        "GetMeta" => Ok(Reply::Json(json!({
            "web-modeler": ["192.0.2.10/32", "198.51.100.16/28"],
        }))),
        other => Err(Fail::new(
            StatusCode::NOT_IMPLEMENTED,
            format!("the emulator does not serve {other}"),
        )),
    }
}

fn find<'c>(clusters: &'c mut [Cluster], id: &str) -> Result<&'c mut Cluster, Fail> {
    clusters
        .iter_mut()
        .find(|c| c.uuid == id)
        .ok_or_else(|| Fail::not_found(format!("no cluster {id:?}")))
}

/// A trimmed name of 1 to `max` characters.
fn check_name(name: &str, what: &str, max: usize) -> Result<String, Fail> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Fail::bad_request(format!("{what} must not be empty")));
    }
    if name.chars().count() > max {
        return Err(Fail::bad_request(format!(
            "{what} is longer than {max} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(Fail::bad_request(format!(
            "{what} contains control characters"
        )));
    }
    Ok(name.to_owned())
}

/// A cluster description of at most `MAX_DESCRIPTION` characters.
fn check_description(description: Option<String>) -> Result<Option<String>, Fail> {
    match description {
        Some(d) if d.chars().count() > MAX_DESCRIPTION => Err(Fail::bad_request(format!(
            "the description is longer than {MAX_DESCRIPTION} characters"
        ))),
        other => Ok(other),
    }
}

fn check_stage(label: Option<String>) -> Result<Option<String>, Fail> {
    match label {
        Some(label) if !STAGE_LABELS.contains(&label.as_str()) => Err(Fail::bad_request(format!(
            "stageLabel must be one of {}",
            STAGE_LABELS.join(", ")
        ))),
        other => Ok(other),
    }
}

fn check_packages(count: f64) -> Result<f64, Fail> {
    if count.is_finite() && (1.0..=64.0).contains(&count) && count.fract() == 0.0 {
        Ok(count)
    } else {
        Err(Fail::bad_request(
            "the hardware package count must be a whole number from 1 to 64",
        ))
    }
}

// --- clusters -------------------------------------------------------------

fn create_cluster(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Body {
        name: String,
        description: Option<String>,
        plan_type_id: String,
        channel_id: String,
        generation_id: String,
        region_id: String,
        backup_region_id: Option<String>,
        auto_update: Option<bool>,
        encryption: Option<String>,
        hardware_packages: Option<f64>,
        stage_label: Option<String>,
    }
    let body: Body = ctx.body()?;
    let name = check_name(&body.name, "the cluster name", MAX_NAME)?;
    let description = check_description(body.description)?;
    let plan = catalog::plan_type(&body.plan_type_id).ok_or_else(|| {
        Fail::bad_request(format!(
            "unknown planTypeId {:?}; GET /clusters/parameters lists the plans",
            body.plan_type_id
        ))
    })?;
    let region = catalog::region(&body.region_id).ok_or_else(|| {
        Fail::bad_request(format!(
            "unknown regionId {:?}; GET /clusters/parameters lists the regions",
            body.region_id
        ))
    })?;
    let channel = catalog::channel(&body.channel_id).ok_or_else(|| {
        Fail::bad_request(format!(
            "unknown channelId {:?}; GET /clusters/parameters lists the channels",
            body.channel_id
        ))
    })?;
    let generation = channel
        .generations
        .iter()
        .copied()
        .find(|g| g.uuid == body.generation_id)
        .ok_or_else(|| {
            Fail::bad_request(format!(
                "generationId {:?} is not offered on the {} channel",
                body.generation_id, channel.name
            ))
        })?;
    let backup_region = match body.backup_region_id.as_deref() {
        None | Some("") => None,
        Some(id) => Some(
            region
                .backup_regions
                .iter()
                .find(|r| **r == id)
                .and_then(|r| catalog::region(r))
                .ok_or_else(|| {
                    Fail::bad_request(format!("{id:?} is not a backup region of {}", region.name))
                })?,
        ),
    };
    let key_type = match body.encryption.as_deref() {
        None | Some("Software") => "Software",
        Some("Hardware") => "Hardware",
        Some("Provider") => "Provider",
        Some("External") if region.provider == "aws" => "External",
        Some("External") => {
            return Err(Fail::bad_request(
                "External (customer-managed) encryption needs an AWS region",
            ))
        }
        Some(other) => return Err(Fail::bad_request(format!("unknown encryption {other:?}"))),
    };
    let hardware_packages = body
        .hardware_packages
        .map(check_packages)
        .transpose()?
        .unwrap_or(1.0);
    let stage_label = check_stage(body.stage_label)?;

    let uuid = state.rng.uuid();
    state.clusters.push(Cluster {
        uuid: uuid.clone(),
        name: name.clone(),
        description,
        owner_id: ctx.caller.to_owned(),
        created: ctx.wall,
        plan,
        region,
        backup_region,
        channel,
        generation,
        auto_update: body.auto_update.unwrap_or(true),
        stage_label,
        hardware_packages,
        phase: Phase::transient(CREATING, ctx.now, ctx.settings.cluster_ready_delay),
        failed_over: false,
        encryption: Encryption {
            key_type,
            primary: None,
            secondary: None,
        },
        ipallowlist: Vec::new(),
        clients: Vec::new(),
        secrets: Default::default(),
        backups: Vec::new(),
        schedule: None,
        restores: Vec::new(),
        monitoring: false,
        monitoring_clients: Vec::new(),
        secure_connectivity: None,
    });
    state.activity.push(
        ctx.audit("c", "cluster", &uuid, format!("Created cluster {name:?}"))
            .attribute("name", None, Some(name)),
    );
    Ok(Reply::Json(json!({ "clusterId": uuid })))
}

fn delete_cluster(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    let id = ctx.param(0);
    let index = state
        .clusters
        .iter()
        .position(|c| c.uuid == id)
        .ok_or_else(|| Fail::not_found(format!("no cluster {id:?}")))?;
    let cluster = state.clusters.remove(index);
    state.activity.push(ctx.audit(
        "d",
        "cluster",
        id,
        format!("Deleted cluster {:?}", cluster.name),
    ));
    Ok(Reply::NoContent)
}

fn update_cluster(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Body {
        name: Option<String>,
        description: Option<String>,
        number_of_allocated_hw_packages: Option<f64>,
        stage_label: Option<String>,
    }
    let body: Body = ctx.body()?;
    let name = body
        .name
        .as_deref()
        .map(|n| check_name(n, "the cluster name", MAX_NAME))
        .transpose()?;
    let description = check_description(body.description)?;
    let packages = body
        .number_of_allocated_hw_packages
        .map(check_packages)
        .transpose()?;
    let stage = check_stage(body.stage_label)?;
    let cluster = find(&mut state.clusters, ctx.param(0))?;
    let mut entries = Vec::new();
    if let Some(name) = name {
        let old = std::mem::replace(&mut cluster.name, name.clone());
        entries.push(
            ctx.audit("u", "cluster", &cluster.uuid, "Renamed cluster")
                .attribute("name", Some(old), Some(name)),
        );
    }
    if let Some(description) = description {
        let old = cluster.description.replace(description.clone());
        entries.push(
            ctx.audit("u", "cluster", &cluster.uuid, "Changed the description")
                .attribute("description", old, Some(description)),
        );
    }
    if let Some(packages) = packages {
        let old = std::mem::replace(&mut cluster.hardware_packages, packages);
        entries.push(
            ctx.audit(
                "u",
                "cluster",
                &cluster.uuid,
                "Changed the hardware packages",
            )
            .attribute(
                "hardwarePackages",
                Some(old.to_string()),
                Some(packages.to_string()),
            ),
        );
    }
    if let Some(stage) = stage {
        let old = cluster.stage_label.replace(stage.clone());
        entries.push(
            ctx.audit("u", "cluster", &cluster.uuid, "Changed the stage label")
                .attribute("stageLabel", old, Some(stage)),
        );
    }
    state.activity.extend(entries);
    Ok(Reply::NoContent)
}

fn upgrade_cluster(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    let cluster = find(&mut state.clusters, ctx.param(0))?;
    let status = cluster.status(ctx.now);
    if status != HEALTHY {
        return Err(Fail::not_ready(format!(
            "the cluster is {status}; only a Healthy cluster can be upgraded"
        )));
    }
    let current = cluster
        .channel
        .generations
        .iter()
        .position(|g| g.uuid == cluster.generation.uuid);
    let newest = cluster.channel.generations.last().copied();
    let next = match (current, newest) {
        (Some(i), Some(newest)) if i + 1 < cluster.channel.generations.len() => newest,
        _ => {
            return Err(Fail::bad_request(format!(
                "{} is the newest generation of the {} channel",
                cluster.generation.name, cluster.channel.name
            )))
        }
    };
    let old = std::mem::replace(&mut cluster.generation, next);
    cluster.phase = Phase::transient(UPDATING, ctx.now, ctx.settings.cluster_ready_delay);
    let answer = json!({
        "cluster": { "id": cluster.uuid, "name": cluster.name },
        "oldGeneration": { "id": old.uuid, "name": old.name },
        "newGeneration": { "id": next.uuid, "name": next.name },
        "orgId": ctx.org(),
    });
    let entry = ctx
        .audit("u", "cluster", &cluster.uuid, "Upgraded the cluster")
        .attribute(
            "generation",
            Some(old.name.to_owned()),
            Some(next.name.to_owned()),
        );
    state.activity.push(entry);
    Ok(Reply::Json(answer))
}

fn wake(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    let cluster = find(&mut state.clusters, ctx.param(0))?;
    if cluster.failed_over {
        return Err(Fail::conflict(
            "the cluster was failed over and stays suspended",
        ));
    }
    if cluster.restoring(ctx.now) {
        return Err(Fail::conflict(
            "the cluster is suspended while a restore runs",
        ));
    }
    if cluster.status(ctx.now) == SUSPENDED {
        cluster.phase = Phase::transient(RESUMING, ctx.now, ctx.settings.cluster_ready_delay);
        let entry = ctx
            .audit("u", "cluster", &cluster.uuid, "Woke the cluster")
            .attribute("status", Some(SUSPENDED.into()), Some(RESUMING.into()));
        state.activity.push(entry);
    }
    Ok(Reply::NoContent)
}

// --- backups and restores -------------------------------------------------

fn create_backup(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    let cluster = find(&mut state.clusters, ctx.param(0))?;
    let status = cluster.status(ctx.now);
    if status != HEALTHY {
        return Err(Fail::not_ready(format!(
            "the cluster is {status}; backups need a Healthy cluster"
        )));
    }
    let uuid = state.rng.uuid();
    let delay = ctx.settings.backup_delay;
    let backup = Backup {
        name: format!(
            "backup-{}-{}",
            ctx.wall.format("%Y%m%d-%H%M%S"),
            uuid.get(..8).unwrap_or("")
        ),
        uuid,
        created: ctx.wall,
        completed: wall_after(ctx.wall, delay),
        done_at: after(ctx.now, delay),
        generation: cluster.generation,
    };
    let answer = backup.render(ctx.now);
    let entry = ctx
        .audit(
            "c",
            "backup",
            &backup.uuid,
            format!("Started backup {}", backup.name),
        )
        .in_cluster(&cluster.uuid);
    cluster.backups.push(backup);
    state.activity.push(entry);
    Ok(Reply::Json(answer))
}

fn delete_backup(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    let cluster = find(&mut state.clusters, ctx.param(0))?;
    let id = ctx.param(1);
    let index = cluster
        .backups
        .iter()
        .position(|b| b.uuid == id)
        .ok_or_else(|| Fail::not_found(format!("no backup {id:?} of this cluster")))?;
    if cluster
        .restores
        .iter()
        .any(|r| r.backup_id == id && r.running(ctx.now))
    {
        return Err(Fail::conflict("a restore from this backup is running"));
    }
    let backup = cluster.backups.remove(index);
    let entry = ctx
        .audit("d", "backup", id, format!("Deleted backup {}", backup.name))
        .in_cluster(&cluster.uuid);
    state.activity.push(entry);
    Ok(Reply::Json(backup.render(ctx.now)))
}

const SCHEDULE_NAME: &str = "automatic-backups";

fn get_schedule(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    let cluster = find(&mut state.clusters, ctx.param(0))?;
    match &cluster.schedule {
        Some(schedule) => Ok(Reply::Json(
            json!({ "name": SCHEDULE_NAME, "schedule": schedule }),
        )),
        None => Err(Fail::not_found("the cluster has no backup schedule")),
    }
}

fn update_schedule(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    #[derive(Deserialize)]
    struct Body {
        schedule: String,
    }
    let body: Body = ctx.body()?;
    let schedule = body.schedule.trim().to_owned();
    check_cron(&schedule).map_err(Fail::bad_request)?;
    let cluster = find(&mut state.clusters, ctx.param(0))?;
    let old = cluster.schedule.replace(schedule.clone());
    let entry = ctx
        .audit(
            "u",
            "backupSchedule",
            SCHEDULE_NAME,
            "Set the backup schedule",
        )
        .in_cluster(&cluster.uuid)
        .attribute("schedule", old, Some(schedule.clone()));
    state.activity.push(entry);
    Ok(Reply::Json(
        json!({ "name": SCHEDULE_NAME, "schedule": schedule }),
    ))
}

fn delete_schedule(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    let cluster = find(&mut state.clusters, ctx.param(0))?;
    // Deleting a missing schedule is fine, so retries are harmless.
    if let Some(old) = cluster.schedule.take() {
        let entry = ctx
            .audit(
                "d",
                "backupSchedule",
                SCHEDULE_NAME,
                "Removed the backup schedule",
            )
            .in_cluster(&cluster.uuid)
            .attribute("schedule", Some(old), None);
        state.activity.push(entry);
    }
    Ok(Reply::NoContent)
}

fn get_restore(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    let cluster = find(&mut state.clusters, ctx.param(0))?;
    let id = ctx.param(1);
    if !cluster.backups.iter().any(|b| b.uuid == id) {
        return Err(Fail::not_found(format!("no backup {id:?} of this cluster")));
    }
    cluster
        .restores
        .iter()
        .rev()
        .find(|r| r.backup_id == id)
        .map(|r| Reply::Json(r.render(ctx.now)))
        .ok_or_else(|| Fail::not_found("this backup was never restored"))
}

fn restore_from_backup(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    let cluster = find(&mut state.clusters, ctx.param(0))?;
    let id = ctx.param(1);
    let backup = cluster
        .backups
        .iter()
        .find(|b| b.uuid == id)
        .ok_or_else(|| Fail::not_found(format!("no backup {id:?} of this cluster")))?;
    if cluster.restoring(ctx.now) {
        return Err(Fail::conflict(
            "a restore is already running on this cluster",
        ));
    }
    if !backup.complete(ctx.now) {
        return Err(Fail::conflict("the backup is not complete yet"));
    }
    let status = cluster.status(ctx.now);
    if status != HEALTHY {
        return Err(Fail::conflict(format!(
            "the cluster is {status}; only a Healthy cluster can be restored"
        )));
    }
    let delay = ctx.settings.restore_delay;
    let restore = Restore {
        uuid: state.rng.uuid(),
        backup_id: id.to_owned(),
        started: ctx.wall,
        completed: wall_after(ctx.wall, delay),
        done_at: after(ctx.now, delay),
    };
    let answer = restore.render(ctx.now);
    let entry = ctx
        .audit(
            "c",
            "restore",
            &restore.uuid,
            format!("Started a restore from backup {id}"),
        )
        .in_cluster(&cluster.uuid);
    cluster.restores.push(restore);
    state.activity.push(entry);
    Ok(Reply::Json(answer))
}

// --- cluster clients ------------------------------------------------------

fn create_client(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Body {
        client_name: String,
        permissions: Option<Vec<String>>,
    }
    let body: Body = ctx.body()?;
    let name = check_name(&body.client_name, "the client name", MAX_NAME)?;
    let mut permissions: Vec<String> = match body.permissions {
        Some(list) if !list.is_empty() => {
            if let Some(bad) = list.iter().find(|p| !PERMISSIONS.contains(&p.as_str())) {
                return Err(Fail::bad_request(format!(
                    "unknown permission {bad:?}; use {}",
                    PERMISSIONS.join(", ")
                )));
            }
            list
        }
        _ => PERMISSIONS.iter().map(|p| (*p).to_owned()).collect(),
    };
    permissions.sort_by_key(|p| PERMISSIONS.iter().position(|k| k == p));
    permissions.dedup();

    let cluster = find(&mut state.clusters, ctx.param(0))?;
    if cluster.clients.iter().any(|c| c.name == name) {
        return Err(Fail::bad_request(format!(
            "a client named {name:?} exists already"
        )));
    }
    if cluster.clients.len() >= MAX_CLIENTS {
        return Err(Fail::forbidden(format!(
            "a cluster has at most {MAX_CLIENTS} clients"
        )));
    }
    let client = ClusterClient {
        uuid: state.rng.uuid(),
        client_id: state.rng.token(32, false),
        name,
        permissions,
    };
    let secret = state.rng.token(64, true);
    let mut links = cluster.links(ctx.org());
    if let Some(map) = links.as_object_mut() {
        map.remove("identity");
    }
    let answer = json!({
        "name": client.name,
        "uuid": client.uuid,
        "clientId": client.client_id,
        "clientSecret": secret,
        "permissions": client.permissions,
        "audience": ZEEBE_AUDIENCE,
        "links": links,
    });
    let entry = ctx
        .audit(
            "c",
            "client",
            &client.client_id,
            format!("Created client {:?}", client.name),
        )
        .in_cluster(&cluster.uuid);
    cluster.clients.push(client);
    state.activity.push(entry);
    Ok(Reply::Json(answer))
}

fn get_client(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    let cluster = find(&mut state.clusters, ctx.param(0))?;
    let id = ctx.param(1);
    let client = cluster
        .clients
        .iter()
        .find(|c| c.client_id == id)
        .ok_or_else(|| Fail::not_found(format!("no client {id:?} on this cluster")))?;
    let status = cluster.status(ctx.now);
    if status != HEALTHY {
        return Err(Fail::not_ready(format!(
            "the cluster is {status}; try again when it is Healthy"
        )));
    }
    let links = cluster.links(ctx.org());
    Ok(Reply::Json(json!({
        "name": client.name,
        "ZEEBE_ADDRESS": links["zeebe"],
        "ZEEBE_CLIENT_ID": client.client_id,
        "ZEEBE_AUTHORIZATION_SERVER_URL": ZEEBE_TOKEN_URL,
        "ZEEBE_TOKEN_AUDIENCE": ZEEBE_AUDIENCE,
        "CAMUNDA_CLUSTER_ID": cluster.uuid,
        "CAMUNDA_CLUSTER_REGION": cluster.region.key,
        "CAMUNDA_CREDENTIALS_SCOPES": client.permissions.join(","),
        "CAMUNDA_OAUTH_URL": ZEEBE_TOKEN_URL,
    })))
}

fn delete_client(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    let cluster = find(&mut state.clusters, ctx.param(0))?;
    let id = ctx.param(1);
    let index = cluster
        .clients
        .iter()
        .position(|c| c.client_id == id)
        .ok_or_else(|| Fail::not_found(format!("no client {id:?} on this cluster")))?;
    let client = cluster.clients.remove(index);
    let entry = ctx
        .audit(
            "d",
            "client",
            id,
            format!("Deleted client {:?}", client.name),
        )
        .in_cluster(&cluster.uuid);
    state.activity.push(entry);
    Ok(Reply::NoContent)
}

// --- encryption and failover ----------------------------------------------

/// Whether `arn` names a KMS key in `region`.
fn kms_key_in(arn: &str, region: &str) -> bool {
    let parts: Vec<&str> = arn.split(':').collect();
    matches!(
        parts.as_slice(),
        ["arn", "aws", "kms", r, account, resource]
            if *r == region
                && account.len() == 12
                && account.chars().all(|c| c.is_ascii_digit())
                && resource.strip_prefix("key/").is_some_and(|id| !id.is_empty())
    )
}

fn update_encryption(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Body {
        primary_encryption_key_id: String,
        secondary_encryption_key_id: Option<String>,
    }
    let body: Body = ctx.body()?;
    let cluster = find(&mut state.clusters, ctx.param(0))?;
    if cluster.region.provider != "aws" {
        return Err(Fail::forbidden(
            "customer-managed keys are available on AWS clusters only",
        ));
    }
    if cluster.encryption.key_type != "External" {
        return Err(Fail::conflict(format!(
            "the cluster uses {} encryption, not External",
            cluster.encryption.key_type
        )));
    }
    let primary = body.primary_encryption_key_id.trim().to_owned();
    if !kms_key_in(&primary, cluster.region.cloud_region) {
        return Err(Fail::bad_request(format!(
            "primaryEncryptionKeyId must be a KMS key ARN in {}",
            cluster.region.cloud_region
        )));
    }
    let secondary = match body.secondary_encryption_key_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(arn) => {
            let Some(backup_region) = cluster.backup_region else {
                return Err(Fail::bad_request(
                    "a secondary key is only for dual-region clusters",
                ));
            };
            if arn == primary {
                return Err(Fail::bad_request(
                    "the secondary key must differ from the primary key",
                ));
            }
            if !kms_key_in(arn, backup_region.cloud_region) {
                return Err(Fail::bad_request(format!(
                    "secondaryEncryptionKeyId must be a KMS key ARN in {}",
                    backup_region.cloud_region
                )));
            }
            Some(arn.to_owned())
        }
    };
    let old = cluster.encryption.primary.replace(primary.clone());
    cluster.encryption.secondary = secondary;
    let entry = ctx
        .audit("u", "cluster", &cluster.uuid, "Set the encryption keys")
        .attribute("encryption", old, Some(primary));
    let answer = cluster.render(ctx.now, ctx.org());
    state.activity.push(entry);
    Ok(Reply::Json(answer))
}

fn trigger_failover(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Body {
        backup_ids: Vec<String>,
        restore_backup_id: String,
    }
    let body: Body = ctx.body()?;
    let id = ctx.param(0);
    let new_id = state.rng.uuid();
    let restore_id = state.rng.uuid();
    let original = find(&mut state.clusters, id)?;
    let Some(target) = original.backup_region else {
        return Err(Fail::unprocessable(
            "the cluster has no backup region to fail over to",
        ));
    };
    if original.failed_over {
        return Err(Fail::conflict("the cluster was failed over already"));
    }
    let status = original.status(ctx.now);
    if status != HEALTHY {
        return Err(Fail::conflict(format!("the cluster is {status}")));
    }
    if body.backup_ids.is_empty() {
        return Err(Fail::bad_request("backupIds must name at least one backup"));
    }
    if !body.backup_ids.contains(&body.restore_backup_id) {
        return Err(Fail::bad_request(
            "restoreBackupId must be one of backupIds",
        ));
    }
    let mut backups = Vec::new();
    for backup_id in &body.backup_ids {
        match original.backups.iter().find(|b| b.uuid == *backup_id) {
            Some(b) if b.complete(ctx.now) => backups.push(b.clone()),
            _ => {
                return Err(Fail::bad_request(format!(
                    "{backup_id:?} is not a complete backup of this cluster"
                )))
            }
        }
    }

    let ready = ctx.settings.cluster_ready_delay;
    let mut replacement = original.clone();
    replacement.uuid = new_id.clone();
    replacement.created = ctx.wall;
    replacement.owner_id = ctx.caller.to_owned();
    replacement.region = target;
    replacement.backup_region = Some(original.region);
    replacement.phase = Phase::transient(CREATING, ctx.now, ready);
    replacement.encryption.primary = None;
    replacement.encryption.secondary = None;
    replacement.clients.clear();
    replacement.secrets.clear();
    replacement.backups = backups;
    replacement.schedule = None;
    replacement.restores = vec![Restore {
        uuid: restore_id,
        backup_id: body.restore_backup_id.clone(),
        started: ctx.wall,
        completed: wall_after(ctx.wall, ready),
        done_at: after(ctx.now, ready),
    }];
    replacement.monitoring = false;
    replacement.monitoring_clients.clear();
    replacement.secure_connectivity = None;
    original.failed_over = true;

    let entries = [
        ctx.audit("u", "cluster", id, "Failed the cluster over")
            .attribute("failover", None, Some(new_id.clone())),
        ctx.audit(
            "c",
            "cluster",
            &new_id,
            format!("Created cluster {:?} by failover", replacement.name),
        ),
    ];
    state.clusters.push(replacement);
    state.activity.extend(entries);
    Ok(Reply::Json(json!({
        "newClusterId": new_id,
        "results": { "backupClone": "ok", "restore": "ok" },
    })))
}

// --- IP allowlist ---------------------------------------------------------

#[derive(Deserialize)]
struct IpEntry {
    ip: String,
    #[serde(default)]
    description: String,
}

fn set_allowlist(state: &mut State, ctx: &Ctx<'_>, entries: Vec<IpEntry>) -> Outcome {
    if entries.len() > MAX_ALLOWLIST {
        return Err(Fail::bad_request(format!(
            "an allowlist has at most {MAX_ALLOWLIST} entries"
        )));
    }
    let mut list = Vec::with_capacity(entries.len());
    for entry in entries {
        if !valid_ip_ranges(&entry.ip) {
            return Err(Fail::bad_request(format!(
                "{:?} is not an IP address or CIDR range (or several, separated by commas)",
                entry.ip
            )));
        }
        list.push((entry.ip.trim().to_owned(), entry.description));
    }
    let cluster = find(&mut state.clusters, ctx.param(0))?;
    let show = |l: &[(String, String)]| {
        l.iter()
            .map(|(ip, _)| ip.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let entry = ctx
        .audit("u", "cluster", &cluster.uuid, "Replaced the IP allowlist")
        .attribute(
            "ipallowlist",
            Some(show(&cluster.ipallowlist)),
            Some(show(&list)),
        );
    cluster.ipallowlist = list;
    state.activity.push(entry);
    Ok(Reply::NoContent)
}

// --- monitoring -----------------------------------------------------------

fn set_monitoring(state: &mut State, ctx: &Ctx<'_>, on: bool) -> Outcome {
    let cluster = find(&mut state.clusters, ctx.param(0))?;
    if cluster.monitoring == on {
        return Err(Fail::conflict(if on {
            "external monitoring is active already"
        } else {
            "external monitoring is not active"
        }));
    }
    cluster.monitoring = on;
    let entry = ctx
        .audit(
            "u",
            "cluster",
            &cluster.uuid,
            if on {
                "Activated external monitoring"
            } else {
                "Deactivated external monitoring"
            },
        )
        .attribute("monitoring", Some((!on).to_string()), Some(on.to_string()));
    state.activity.push(entry);
    Ok(Reply::NoContent)
}

fn get_monitoring_clients(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    let cluster = find(&mut state.clusters, ctx.param(0))?;
    let status = if cluster.monitoring {
        json!({
            "metricsEndpoint": {
                "target": format!("{}.metrics.camunda.io", cluster.region.key),
                "scheme": "https",
                "path": format!("/{}/metrics", cluster.uuid),
            },
            "conditions": [{ "type": "Ready", "status": "True", "reason": "MetricsEndpointReady" }],
        })
    } else {
        json!({})
    };
    Ok(Reply::Json(json!({
        "clients": cluster.monitoring_clients.iter().map(|c| c.render(None)).collect::<Vec<_>>(),
        "status": status,
    })))
}

fn create_monitoring_client(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    #[derive(Deserialize)]
    struct Body {
        username: String,
    }
    let body: Body = ctx.body()?;
    let username = check_name(&body.username, "the username", MAX_NAME)?;
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(Fail::bad_request(
            "a username may hold letters, digits, '.', '_' and '-'",
        ));
    }
    let cluster = find(&mut state.clusters, ctx.param(0))?;
    if cluster
        .monitoring_clients
        .iter()
        .any(|c| c.username == username)
    {
        return Err(Fail::conflict(format!(
            "a monitoring client {username:?} exists already"
        )));
    }
    let client = MonitoringClient {
        uuid: state.rng.uuid(),
        username,
        created: ctx.wall,
        created_by: ctx.caller.to_owned(),
    };
    let password = state.rng.token(32, false);
    let answer = client.render(Some(&password));
    let entry = ctx
        .audit(
            "c",
            "monitoringClient",
            &client.uuid,
            format!("Created monitoring client {}", client.username),
        )
        .in_cluster(&cluster.uuid);
    cluster.monitoring_clients.push(client);
    state.activity.push(entry);
    Ok(Reply::Json(answer))
}

fn delete_monitoring_client(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    let cluster = find(&mut state.clusters, ctx.param(0))?;
    let id = ctx.param(1);
    let index = cluster
        .monitoring_clients
        .iter()
        .position(|c| c.uuid == id)
        .ok_or_else(|| Fail::not_found(format!("no monitoring client {id:?} on this cluster")))?;
    let client = cluster.monitoring_clients.remove(index);
    let entry = ctx
        .audit(
            "d",
            "monitoringClient",
            id,
            format!("Deleted monitoring client {}", client.username),
        )
        .in_cluster(&cluster.uuid);
    state.activity.push(entry);
    Ok(Reply::NoContent)
}

fn rotate_monitoring_password(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    let cluster = find(&mut state.clusters, ctx.param(0))?;
    let id = ctx.param(1);
    let client = cluster
        .monitoring_clients
        .iter()
        .find(|c| c.uuid == id)
        .ok_or_else(|| Fail::not_found(format!("no monitoring client {id:?} on this cluster")))?;
    let password = state.rng.token(32, false);
    let answer = client.render(Some(&password));
    let entry = ctx
        .audit(
            "u",
            "monitoringClient",
            id,
            format!("Rotated the password of {}", client.username),
        )
        .in_cluster(&cluster.uuid)
        .attribute("password", None, None);
    state.activity.push(entry);
    Ok(Reply::Json(answer))
}

// --- connector secrets ----------------------------------------------------

fn check_secret_name(name: &str) -> Result<(), Fail> {
    if name.is_empty() || name.chars().count() >= SECRET_NAME_LIMIT {
        return Err(Fail::bad_request(format!(
            "a secret name has 1 to {} characters",
            SECRET_NAME_LIMIT - 1
        )));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    {
        return Err(Fail::bad_request(
            "a secret name may hold letters, digits, '_' and '-'",
        ));
    }
    Ok(())
}

fn create_secret(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Body {
        secret_name: String,
        secret_value: String,
    }
    let body: Body = ctx.body()?;
    check_secret_name(&body.secret_name)?;
    if body.secret_value.is_empty() {
        return Err(Fail::bad_request("a secret value must not be empty"));
    }
    let cluster = find(&mut state.clusters, ctx.param(0))?;
    if cluster.secrets.contains_key(&body.secret_name) {
        return Err(Fail::conflict(format!(
            "a secret {:?} exists already",
            body.secret_name
        )));
    }
    if cluster.secrets.len() >= MAX_SECRETS {
        return Err(Fail::forbidden(format!(
            "a cluster has at most {MAX_SECRETS} secrets"
        )));
    }
    let entry = ctx
        .audit(
            "c",
            "secret",
            &body.secret_name,
            format!("Created secret {}", body.secret_name),
        )
        .in_cluster(&cluster.uuid);
    cluster.secrets.insert(body.secret_name, body.secret_value);
    state.activity.push(entry);
    Ok(Reply::NoContent)
}

fn update_secret(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Body {
        secret_value: String,
    }
    let body: Body = ctx.body()?;
    if body.secret_value.is_empty() {
        return Err(Fail::bad_request("a secret value must not be empty"));
    }
    let cluster = find(&mut state.clusters, ctx.param(0))?;
    let name = ctx.param(1);
    let Some(value) = cluster.secrets.get_mut(name) else {
        return Err(Fail::not_found(format!(
            "no secret {name:?} on this cluster"
        )));
    };
    *value = body.secret_value;
    let entry = ctx
        .audit("u", "secret", name, format!("Changed secret {name}"))
        .in_cluster(&cluster.uuid)
        .attribute("secretValue", None, None);
    state.activity.push(entry);
    Ok(Reply::NoContent)
}

fn delete_secret(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    let cluster = find(&mut state.clusters, ctx.param(0))?;
    let name = ctx.param(1);
    if cluster.secrets.remove(name).is_none() {
        return Err(Fail::not_found(format!(
            "no secret {name:?} on this cluster"
        )));
    }
    let entry = ctx
        .audit("d", "secret", name, format!("Deleted secret {name}"))
        .in_cluster(&cluster.uuid);
    state.activity.push(entry);
    Ok(Reply::NoContent)
}

// --- secure connectivity --------------------------------------------------

fn activate_secure_connectivity(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Body {
        allowed_principals: Vec<String>,
        allowed_regions: Vec<String>,
    }
    let body: Body = ctx.body()?;
    let clean = |list: Vec<String>, what: &str| -> Result<Vec<String>, Fail> {
        let list: Vec<String> = list.into_iter().map(|s| s.trim().to_owned()).collect();
        if list.is_empty() || list.iter().any(String::is_empty) {
            return Err(Fail::bad_request(format!(
                "{what} must list at least one non-empty value"
            )));
        }
        Ok(list)
    };
    let principals = clean(body.allowed_principals, "allowedPrincipals")?;
    let regions = clean(body.allowed_regions, "allowedRegions")?;
    let cluster = find(&mut state.clusters, ctx.param(0))?;
    if cluster.secure_connectivity.is_some() {
        return Err(Fail::conflict("secure connectivity is active already"));
    }
    cluster.secure_connectivity = Some(SecureConnectivity {
        principals: principals.clone(),
        regions,
        since: ctx.wall,
    });
    let entry = ctx
        .audit(
            "c",
            "secureConnectivity",
            &cluster.uuid,
            "Activated secure connectivity",
        )
        .in_cluster(&cluster.uuid)
        .attribute("allowedPrincipals", None, Some(principals.join("; ")));
    state.activity.push(entry);
    Ok(Reply::NoContent)
}

fn deactivate_secure_connectivity(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    let cluster = find(&mut state.clusters, ctx.param(0))?;
    if cluster.secure_connectivity.take().is_none() {
        return Err(Fail::conflict("secure connectivity is not active"));
    }
    let entry = ctx
        .audit(
            "d",
            "secureConnectivity",
            &cluster.uuid,
            "Deactivated secure connectivity",
        )
        .in_cluster(&cluster.uuid);
    state.activity.push(entry);
    Ok(Reply::NoContent)
}

/// The connectivity resource, or `{}` while the feature is off.
fn secure_connectivity_status(cluster: &Cluster, org_id: &str) -> Value {
    let Some(sc) = &cluster.secure_connectivity else {
        return json!({});
    };
    let region = cluster.region;
    let aws = region.provider == "aws";
    let compact: String = cluster
        .uuid
        .chars()
        .filter(|c| *c != '-')
        .take(17)
        .collect();
    json!({
        "metadata": {
            "name": format!("secure-connectivity-{}", cluster.uuid),
            "namespace": format!("{}-zeebe", cluster.uuid),
            "labels": { "orgId": org_id },
        },
        "spec": {
            "allowedPrincipals": sc.principals,
            "allowedRegions": sc.regions,
            "cluster": { "id": cluster.uuid },
        },
        "status": {
            "urls": { "zeebe": format!("{}.{}.zeebe.private.camunda.io:443", cluster.uuid, region.key) },
            "observedGeneration": 1,
            "endpointConnectionCount": 0,
            "endpointConnections": [],
            "endpoint": {
                "privateDnsName": format!("{}.{}.private.camunda.io", cluster.uuid, region.key),
                "type": if aws { "PrivateLink" } else { "PrivateServiceConnect" },
                "serviceName": if aws {
                    format!("com.amazonaws.vpce.{}.vpce-svc-{compact}", region.cloud_region)
                } else {
                    format!("projects/camunda-saas/regions/{}/serviceAttachments/sc-{compact}", region.cloud_region)
                },
                "region": region.cloud_region,
            },
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

// --- members --------------------------------------------------------------

fn update_member(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Body {
        org_roles: Vec<String>,
    }
    let email = ctx.param(0).trim().to_ascii_lowercase();
    if !valid_email(&email) {
        return Err(Fail::bad_request(format!(
            "{email:?} is not an email address"
        )));
    }
    let body: Body = ctx.body()?;
    if body.org_roles.is_empty() {
        return Err(Fail::bad_request("orgRoles must name at least one role"));
    }
    if let Some(bad) = body
        .org_roles
        .iter()
        .find(|r| !ASSIGNABLE_ROLES.contains(&r.as_str()))
    {
        return Err(Fail::bad_request(format!(
            "{bad:?} cannot be assigned; use {}",
            ASSIGNABLE_ROLES.join(", ")
        )));
    }
    let mut roles = body.org_roles;
    roles.sort_by_key(|r| ASSIGNABLE_ROLES.iter().position(|k| k == r));
    roles.dedup();
    let entry = match state.members.iter_mut().find(|m| m.email == email) {
        Some(member) if member.is_owner() => {
            return Err(Fail::forbidden(
                "the roles of the organization's owner cannot be changed",
            ));
        }
        Some(member) => {
            let old = std::mem::replace(&mut member.roles, roles.clone());
            ctx.audit(
                "u",
                "member",
                &email,
                format!("Changed the roles of {email}"),
            )
            .attribute("roles", Some(old.join(",")), Some(roles.join(",")))
        }
        None => {
            let name = email.split('@').next().unwrap_or_default().to_owned();
            state.members.push(Member {
                email: email.clone(),
                name,
                roles: roles.clone(),
                invite_pending: true,
            });
            ctx.audit("c", "member", &email, format!("Invited {email}"))
                .attribute("roles", None, Some(roles.join(",")))
        }
    };
    state.activity.push(entry);
    Ok(Reply::NoContent)
}

fn delete_member(state: &mut State, ctx: &Ctx<'_>) -> Outcome {
    let email = ctx.param(0).trim().to_ascii_lowercase();
    let index = state
        .members
        .iter()
        .position(|m| m.email == email)
        .ok_or_else(|| Fail::not_found(format!("{email:?} is not in the organization")))?;
    if state.members.get(index).is_some_and(Member::is_owner) {
        return Err(Fail::forbidden(
            "the organization's owner cannot be removed",
        ));
    }
    state.members.remove(index);
    state
        .activity
        .push(ctx.audit("d", "member", &email, format!("Removed {email}")));
    Ok(Reply::NoContent)
}
