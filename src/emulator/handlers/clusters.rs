//! Clusters: the parameters they are made from, create, read, update,
//! delete, upgrade, wake, and customer-managed encryption keys.

use serde_json::{json, Value};

use crate::OperationId;

use super::context::Ctx;
use crate::api::types::{CreateClusterBody, UpdateClusterBody, UpdateClusterEncryptionBody};
use crate::emulator::world::World;
use crate::emulator::{
    activity::{AuditType, Entity},
    answer::{Fail, Outcome, Reply},
    catalog::{self, Region},
    records::{Cluster, Phase, Placement, CREATING, RESUMING, SUSPENDED, UPDATING},
    validate,
};

pub(super) fn get_parameters(_: &mut World, _: &Ctx<'_>) -> Outcome {
    Ok(Reply::Json(catalog::parameters()))
}

pub(super) fn get_clusters(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let clusters = world.clusters.iter().map(|c| c.render(ctx.now, ctx.org()));
    Ok(Reply::Json(Value::Array(clusters.collect())))
}

pub(super) fn get_cluster(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let cluster = world.clusters.get(ctx.cluster_id())?;
    Ok(Reply::Json(cluster.render(ctx.now, ctx.org())))
}

pub(super) fn create_cluster(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let body: CreateClusterBody = ctx.body()?;
    let name = validate::name(&body.name, "the cluster name", validate::MAX_NAME)?;
    let description = validate::description(OperationId::CreateCluster, body.description)?;
    let placement = placement(
        &body.plan_type_id,
        &body.region_id,
        (&body.channel_id, &body.generation_id),
        body.backup_region_id.as_deref(),
    )?;
    let encryption = body.encryption.as_ref().map(|e| e.as_str());
    let key_type = key_type(encryption, placement.region)?;
    let hardware_packages = body.hardware_packages.map(validate::packages).transpose()?;
    let stage_label = validate::stage(body.stage_label.as_ref().map(|s| s.as_str()))?;

    let uuid = world.ids.uuid();
    let phase = Phase::transient(CREATING, ctx.now, ctx.transitions.cluster.delay());
    let owner = (ctx.caller.to_owned(), ctx.wall);
    let mut cluster = Cluster::new(
        uuid.clone(),
        name.clone(),
        owner,
        placement,
        phase,
        key_type,
    );
    cluster.description = description;
    cluster.auto_update = body.auto_update.unwrap_or(true);
    cluster.stage_label = stage_label;
    cluster.hardware_packages = hardware_packages.unwrap_or(1.0);
    world.clusters.push(cluster);
    let text = format!("Created cluster {name:?}");
    let entry = ctx.audit(AuditType::Create, Entity::Cluster, &uuid, text);
    world
        .activity
        .push(entry.attribute("name", None, Some(name)));
    Ok(Reply::Json(json!({ "clusterId": uuid })))
}

/// The plan, region, channel with generation, and backup region a create
/// names, each one that `/clusters/parameters` lists.
fn placement(
    plan_id: &str,
    region_id: &str,
    (channel_id, generation_id): (&str, &str),
    backup_region_id: Option<&str>,
) -> Result<Placement, Fail> {
    let unknown = |field: &str, id: &str, list: &str| {
        Fail::bad_request(format!(
            "unknown {field} {id:?}; GET /clusters/parameters lists the {list}"
        ))
    };
    let plan =
        catalog::plan_type(plan_id).ok_or_else(|| unknown("planTypeId", plan_id, "plans"))?;
    let region =
        catalog::region(region_id).ok_or_else(|| unknown("regionId", region_id, "regions"))?;
    let channel =
        catalog::channel(channel_id).ok_or_else(|| unknown("channelId", channel_id, "channels"))?;
    let generation = channel
        .generations
        .iter()
        .copied()
        .find(|g| g.uuid == generation_id)
        .ok_or_else(|| {
            Fail::bad_request(format!(
                "generationId {generation_id:?} is not offered on the {} channel",
                channel.name
            ))
        })?;
    let backup_region = match backup_region_id {
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
    Ok(Placement {
        plan,
        region,
        backup_region,
        channel,
        generation,
    })
}

/// The encryption key type asked for; External needs an AWS region.
fn key_type(encryption: Option<&str>, region: &Region) -> Result<&'static str, Fail> {
    // Absent: the default the document states (Provider).
    let default = validate::string_default(OperationId::CreateCluster, "encryption");
    match encryption.or(default.as_deref()) {
        None | Some("Software") => Ok("Software"),
        Some("Hardware") => Ok("Hardware"),
        Some("Provider") => Ok("Provider"),
        Some("External") if region.provider == "aws" => Ok("External"),
        Some("External") => Err(Fail::bad_request(
            "External (customer-managed) encryption needs an AWS region",
        )),
        Some(other) => Err(Fail::bad_request(format!("unknown encryption {other:?}"))),
    }
}

pub(super) fn delete_cluster(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let id = ctx.cluster_id();
    let cluster = world.clusters.remove(id)?;
    let text = format!("Deleted cluster {:?}", cluster.name);
    world
        .activity
        .push(ctx.audit(AuditType::Delete, Entity::Cluster, id, text));
    Ok(Reply::NoContent)
}

pub(super) fn update_cluster(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let body: UpdateClusterBody = ctx.body()?;
    let name = body
        .name
        .as_deref()
        .map(|n| validate::name(n, "the cluster name", validate::MAX_NAME))
        .transpose()?;
    let description = validate::description(OperationId::UpdateCluster, body.description)?;
    let packages = body
        .number_of_allocated_hw_packages
        .map(validate::packages)
        .transpose()?;
    let stage = validate::stage(body.stage_label.as_ref().map(|s| s.as_str()))?;
    let cluster = world.clusters.get_mut(ctx.cluster_id())?;
    let id = cluster.uuid.clone();
    let change = |text: &str, attribute, from, to| {
        ctx.audit(AuditType::Update, Entity::Cluster, &id, text)
            .attribute(attribute, from, to)
    };
    let mut entries = Vec::new();
    if let Some(name) = name {
        let old = std::mem::replace(&mut cluster.name, name.clone());
        entries.push(change("Renamed cluster", "name", Some(old), Some(name)));
    }
    if let Some(description) = description {
        let old = cluster.description.replace(description.clone());
        entries.push(change(
            "Changed the description",
            "description",
            old,
            Some(description),
        ));
    }
    if let Some(packages) = packages {
        let old = std::mem::replace(&mut cluster.hardware_packages, packages);
        let (old, new) = (Some(old.to_string()), Some(packages.to_string()));
        entries.push(change(
            "Changed the hardware packages",
            "hardwarePackages",
            old,
            new,
        ));
    }
    if let Some(stage) = stage {
        let old = cluster.stage_label.replace(stage.clone());
        entries.push(change(
            "Changed the stage label",
            "stageLabel",
            old,
            Some(stage),
        ));
    }
    world.activity.extend(entries);
    Ok(Reply::NoContent)
}

pub(super) fn upgrade_cluster(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let cluster = world.clusters.get_mut(ctx.cluster_id())?;
    cluster.require_healthy(ctx.now, |status| {
        Fail::not_ready(format!(
            "the cluster is {status}; only a Healthy cluster can be upgraded"
        ))
    })?;
    let generations = cluster.channel.generations;
    let current = generations
        .iter()
        .position(|g| g.uuid == cluster.generation.uuid);
    let next = match (current, generations.last()) {
        (Some(i), Some(newest)) if i + 1 < generations.len() => *newest,
        _ => {
            return Err(Fail::bad_request(format!(
                "{} is the newest generation of the {} channel",
                cluster.generation.name, cluster.channel.name
            )))
        }
    };
    let old = std::mem::replace(&mut cluster.generation, next);
    cluster.phase = Phase::transient(UPDATING, ctx.now, ctx.transitions.cluster.delay());
    let answer = json!({
        "cluster": { "id": cluster.uuid, "name": cluster.name },
        "oldGeneration": { "id": old.uuid, "name": old.name },
        "newGeneration": { "id": next.uuid, "name": next.name },
        "orgId": ctx.org(),
    });
    let entry = ctx
        .audit(
            AuditType::Update,
            Entity::Cluster,
            &cluster.uuid,
            "Upgraded the cluster",
        )
        .attribute(
            "generation",
            Some(old.name.to_owned()),
            Some(next.name.to_owned()),
        );
    world.activity.push(entry);
    Ok(Reply::Json(answer))
}

pub(super) fn wake(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let cluster = world.clusters.get_mut(ctx.cluster_id())?;
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
        cluster.phase = Phase::transient(RESUMING, ctx.now, ctx.transitions.cluster.delay());
        let entry = ctx
            .audit(
                AuditType::Update,
                Entity::Cluster,
                &cluster.uuid,
                "Woke the cluster",
            )
            .attribute("status", Some(SUSPENDED.into()), Some(RESUMING.into()));
        world.activity.push(entry);
    }
    Ok(Reply::NoContent)
}

pub(super) fn update_encryption(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let body: UpdateClusterEncryptionBody = ctx.body()?;
    let cluster = world.clusters.get_mut(ctx.cluster_id())?;
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
    if !validate::kms_key_in(&primary, cluster.region.cloud_region) {
        return Err(Fail::bad_request(format!(
            "primaryEncryptionKeyId must be a KMS key ARN in {}",
            cluster.region.cloud_region
        )));
    }
    let secondary = body.secondary_encryption_key_id.as_deref().map(str::trim);
    let secondary = secondary_key(cluster, &primary, secondary)?;
    let old = cluster.encryption.primary.replace(primary.clone());
    cluster.encryption.secondary = secondary;
    let entry = ctx
        .audit(
            AuditType::Update,
            Entity::Cluster,
            &cluster.uuid,
            "Set the encryption keys",
        )
        .attribute("encryption", old, Some(primary));
    let answer = cluster.render(ctx.now, ctx.org());
    world.activity.push(entry);
    Ok(Reply::Json(answer))
}

/// The secondary key of a dual-region cluster: a KMS key in its backup
/// region, different from the primary.
fn secondary_key(
    cluster: &Cluster,
    primary: &str,
    secondary: Option<&str>,
) -> Result<Option<String>, Fail> {
    let Some(arn) = secondary.filter(|arn| !arn.is_empty()) else {
        return Ok(None);
    };
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
    if !validate::kms_key_in(arn, backup_region.cloud_region) {
        return Err(Fail::bad_request(format!(
            "secondaryEncryptionKeyId must be a KMS key ARN in {}",
            backup_region.cloud_region
        )));
    }
    Ok(Some(arn.to_owned()))
}
