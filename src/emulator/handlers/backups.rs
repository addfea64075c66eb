//! Backups, the automatic backup schedule, and restores from a backup.

use serde_json::{json, Value};

use super::context::Ctx;
use crate::api::types::BackupScheduleBody;
use crate::emulator::world::World;
use crate::emulator::{
    activity::{AuditType, Entity},
    answer::{Fail, Outcome, Reply},
    clock::wall_after,
    records::{Backup, Restore},
    validate,
};
use crate::retry::timing::instant_after;

/// The name of the one schedule a cluster can have.
const SCHEDULE_NAME: &str = "automatic-backups";

pub(super) fn get_backups(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let cluster = world.clusters.get(ctx.cluster_id())?;
    let backups = cluster.backups.iter().map(|b| b.render(ctx.now));
    Ok(Reply::Json(Value::Array(backups.collect())))
}

pub(super) fn create_backup(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let cluster = world.clusters.get_mut(ctx.cluster_id())?;
    cluster.require_healthy(ctx.now, |status| {
        Fail::not_ready(format!(
            "the cluster is {status}; backups need a Healthy cluster"
        ))
    })?;
    let uuid = world.ids.uuid();
    let delay = ctx.transitions.backup.delay();
    let backup = Backup {
        name: format!(
            "backup-{}-{}",
            ctx.wall.format("%Y%m%d-%H%M%S"),
            uuid.get(..8).unwrap_or("")
        ),
        uuid,
        created: ctx.wall,
        completed: wall_after(ctx.wall, delay),
        done_at: instant_after(ctx.now, delay),
        generation: cluster.generation,
    };
    let answer = backup.render(ctx.now);
    let text = format!("Started backup {}", backup.name);
    let entry = ctx
        .audit(AuditType::Create, Entity::Backup, &backup.uuid, text)
        .in_cluster(&cluster.uuid);
    cluster.backups.push(backup);
    world.activity.push(entry);
    Ok(Reply::Json(answer))
}

pub(super) fn delete_backup(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let cluster = world.clusters.get_mut(ctx.cluster_id())?;
    let id = ctx.param(1);
    let index = cluster.backup_index(id)?;
    if cluster
        .restores
        .iter()
        .any(|r| r.backup_id == id && r.running(ctx.now))
    {
        return Err(Fail::conflict("a restore from this backup is running"));
    }
    let backup = cluster.backups.remove(index);
    let text = format!("Deleted backup {}", backup.name);
    let entry = ctx
        .audit(AuditType::Delete, Entity::Backup, id, text)
        .in_cluster(&cluster.uuid);
    world.activity.push(entry);
    Ok(Reply::Json(backup.render(ctx.now)))
}

fn schedule_json(schedule: &str) -> Reply {
    Reply::Json(json!({ "name": SCHEDULE_NAME, "schedule": schedule }))
}

pub(super) fn get_schedule(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let cluster = world.clusters.get(ctx.cluster_id())?;
    match &cluster.schedule {
        Some(schedule) => Ok(schedule_json(schedule)),
        None => Err(Fail::not_found("the cluster has no backup schedule")),
    }
}

pub(super) fn update_schedule(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let body: BackupScheduleBody = ctx.body()?;
    let schedule = body.schedule.trim().to_owned();
    validate::cron(&schedule)?;
    let cluster = world.clusters.get_mut(ctx.cluster_id())?;
    let old = cluster.schedule.replace(schedule.clone());
    let entry = ctx
        .audit(
            AuditType::Update,
            Entity::BackupSchedule,
            SCHEDULE_NAME,
            "Set the backup schedule",
        )
        .in_cluster(&cluster.uuid)
        .attribute("schedule", old, Some(schedule.clone()));
    world.activity.push(entry);
    Ok(schedule_json(&schedule))
}

pub(super) fn delete_schedule(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let cluster = world.clusters.get_mut(ctx.cluster_id())?;
    // Deleting a missing schedule is fine, so retries are harmless.
    if let Some(old) = cluster.schedule.take() {
        let entry = ctx
            .audit(
                AuditType::Delete,
                Entity::BackupSchedule,
                SCHEDULE_NAME,
                "Removed the backup schedule",
            )
            .in_cluster(&cluster.uuid)
            .attribute("schedule", Some(old), None);
        world.activity.push(entry);
    }
    Ok(Reply::NoContent)
}

pub(super) fn get_restore(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let cluster = world.clusters.get(ctx.cluster_id())?;
    let id = ctx.param(1);
    cluster.backup_index(id)?;
    cluster
        .restores
        .iter()
        .rev()
        .find(|r| r.backup_id == id)
        .map(|r| Reply::Json(r.render(ctx.now)))
        .ok_or_else(|| Fail::not_found("this backup was never restored"))
}

pub(super) fn restore_from_backup(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let cluster = world.clusters.get_mut(ctx.cluster_id())?;
    let id = ctx.param(1);
    let backup = &cluster.backups[cluster.backup_index(id)?];
    if cluster.restoring(ctx.now) {
        return Err(Fail::conflict(
            "a restore is already running on this cluster",
        ));
    }
    if !backup.complete(ctx.now) {
        return Err(Fail::conflict("the backup is not complete yet"));
    }
    cluster.require_healthy(ctx.now, |status| {
        Fail::conflict(format!(
            "the cluster is {status}; only a Healthy cluster can be restored"
        ))
    })?;
    let delay = ctx.transitions.restore.delay();
    let restore = Restore {
        uuid: world.ids.uuid(),
        backup_id: id.to_owned(),
        started: ctx.wall,
        completed: wall_after(ctx.wall, delay),
        done_at: instant_after(ctx.now, delay),
    };
    let answer = restore.render(ctx.now);
    let text = format!("Started a restore from backup {id}");
    let entry = ctx
        .audit(AuditType::Create, Entity::Restore, &restore.uuid, text)
        .in_cluster(&cluster.uuid);
    cluster.restores.push(restore);
    world.activity.push(entry);
    Ok(Reply::Json(answer))
}
