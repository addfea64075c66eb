//! Regional failover: a dual-region cluster moves to its backup region as
//! a new cluster restored from one of its backups; the original stays
//! suspended.

use serde_json::json;

use super::context::Ctx;
use crate::api::types::TriggerFailoverBody;
use crate::emulator::world::World;
use crate::emulator::{
    activity::{AuditType, Entity},
    answer::{Fail, Outcome, Reply},
    clock::wall_after,
    records::{Backup, Cluster, Phase, Restore, CREATING},
};
use crate::retry::timing::instant_after;

pub(super) fn trigger_failover(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let body: TriggerFailoverBody = ctx.body()?;
    let id = ctx.cluster_id();
    let original = world.clusters.get(id)?;
    let backups = failover_backups(original, ctx, &body)?;
    let (new_id, restore_id) = (world.ids.uuid(), world.ids.uuid());
    let original = world.clusters.get_mut(id)?;
    let replacement = replacement(original, ctx, (new_id.clone(), restore_id), backups, &body);
    original.failed_over = true;

    let entries = [
        ctx.audit(
            AuditType::Update,
            Entity::Cluster,
            id,
            "Failed the cluster over",
        )
        .attribute("failover", None, Some(new_id.clone())),
        ctx.audit(
            AuditType::Create,
            Entity::Cluster,
            &new_id,
            format!("Created cluster {:?} by failover", replacement.name),
        ),
    ];
    world.clusters.push(replacement);
    world.activity.extend(entries);
    Ok(Reply::Json(json!({
        "newClusterId": new_id,
        "results": { "backupClone": "ok", "restore": "ok" },
    })))
}

/// The complete backups of `original` that `body` names, if it may fail
/// over: it has a backup region, is `Healthy`, was not failed over yet.
fn failover_backups(
    original: &Cluster,
    ctx: &Ctx<'_>,
    body: &TriggerFailoverBody,
) -> Result<Vec<Backup>, Fail> {
    if original.backup_region.is_none() {
        return Err(Fail::unprocessable(
            "the cluster has no backup region to fail over to",
        ));
    }
    if original.failed_over {
        return Err(Fail::conflict("the cluster was failed over already"));
    }
    original.require_healthy(ctx.now, |status| {
        Fail::conflict(format!("the cluster is {status}"))
    })?;
    if body.backup_ids.is_empty() {
        return Err(Fail::bad_request("backupIds must name at least one backup"));
    }
    if !body.backup_ids.contains(&body.restore_backup_id) {
        return Err(Fail::bad_request(
            "restoreBackupId must be one of backupIds",
        ));
    }
    body.backup_ids
        .iter()
        .map(|backup_id| {
            original
                .backups
                .iter()
                .find(|b| b.uuid == *backup_id && b.complete(ctx.now))
                .cloned()
                .ok_or_else(|| {
                    Fail::bad_request(format!(
                        "{backup_id:?} is not a complete backup of this cluster"
                    ))
                })
        })
        .collect()
}

/// The new cluster in the backup region: the original's settings, its
/// backups, a restore running, and nothing else that belonged to it.
fn replacement(
    original: &Cluster,
    ctx: &Ctx<'_>,
    (new_id, restore_id): (String, String),
    backups: Vec<Backup>,
    body: &TriggerFailoverBody,
) -> Cluster {
    let ready = ctx.transitions.cluster.delay();
    let mut placement = original.placement();
    placement.region = original.backup_region.unwrap_or(original.region);
    placement.backup_region = Some(original.region);
    let phase = Phase::transient(CREATING, ctx.now, ready);
    let owner = (ctx.caller.to_owned(), ctx.wall);
    let key_type = original.encryption.key_type;
    let mut cluster = Cluster::new(
        new_id,
        original.name.clone(),
        owner,
        placement,
        phase,
        key_type,
    );
    cluster.description = original.description.clone();
    cluster.auto_update = original.auto_update;
    cluster.stage_label = original.stage_label.clone();
    cluster.hardware_packages = original.hardware_packages;
    cluster.ipallowlist = original.ipallowlist.clone();
    cluster.backups = backups;
    cluster.restores = vec![Restore {
        uuid: restore_id,
        backup_id: body.restore_backup_id.clone(),
        started: ctx.wall,
        completed: wall_after(ctx.wall, ready),
        done_at: instant_after(ctx.now, ready),
    }];
    cluster
}
