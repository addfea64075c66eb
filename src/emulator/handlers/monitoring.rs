//! External monitoring of a cluster and its clients, whose password is
//! shown at creation and at rotation only.

use serde_json::json;

use super::context::Ctx;
use crate::api::types::CreateMonitoringClientBody;
use crate::emulator::world::World;
use crate::emulator::{
    activity::{AuditType, Entity},
    answer::{Fail, Outcome, Reply},
    records::MonitoringClient,
    validate,
};

pub(super) fn activate(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    set_monitoring(world, ctx, true)
}

pub(super) fn deactivate(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    set_monitoring(world, ctx, false)
}

fn set_monitoring(world: &mut World, ctx: &Ctx<'_>, on: bool) -> Outcome {
    let cluster = world.clusters.get_mut(ctx.cluster_id())?;
    if cluster.monitoring == on {
        return Err(Fail::conflict(if on {
            "external monitoring is active already"
        } else {
            "external monitoring is not active"
        }));
    }
    cluster.monitoring = on;
    let text = if on {
        "Activated external monitoring"
    } else {
        "Deactivated external monitoring"
    };
    let entry = ctx
        .audit(AuditType::Update, Entity::Cluster, &cluster.uuid, text)
        .attribute("monitoring", Some((!on).to_string()), Some(on.to_string()));
    world.activity.push(entry);
    Ok(Reply::NoContent)
}

pub(super) fn get_clients(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let cluster = world.clusters.get(ctx.cluster_id())?;
    let clients: Vec<_> = cluster
        .monitoring_clients
        .iter()
        .map(|c| c.render(None))
        .collect();
    Ok(Reply::Json(json!({
        "clients": clients,
        "status": cluster.render_monitoring_status(),
    })))
}

pub(super) fn create_client(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let body: CreateMonitoringClientBody = ctx.body()?;
    let username = validate::name(&body.username, "the username", validate::MAX_NAME)?;
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(Fail::bad_request(
            "a username may hold letters, digits, '.', '_' and '-'",
        ));
    }
    let cluster = world.clusters.get_mut(ctx.cluster_id())?;
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
        uuid: world.ids.uuid(),
        username,
        created: ctx.wall,
        created_by: ctx.caller.to_owned(),
    };
    let answer = client.render(Some(&world.ids.password()));
    let text = format!("Created monitoring client {}", client.username);
    let entry = ctx
        .audit(
            AuditType::Create,
            Entity::MonitoringClient,
            &client.uuid,
            text,
        )
        .in_cluster(&cluster.uuid);
    cluster.monitoring_clients.push(client);
    world.activity.push(entry);
    Ok(Reply::Json(answer))
}

pub(super) fn delete_client(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let cluster = world.clusters.get_mut(ctx.cluster_id())?;
    let id = ctx.param(1);
    let client = cluster
        .monitoring_clients
        .remove(cluster.monitoring_client_index(id)?);
    let text = format!("Deleted monitoring client {}", client.username);
    let entry = ctx
        .audit(AuditType::Delete, Entity::MonitoringClient, id, text)
        .in_cluster(&cluster.uuid);
    world.activity.push(entry);
    Ok(Reply::NoContent)
}

pub(super) fn rotate_password(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let cluster = world.clusters.get(ctx.cluster_id())?;
    let id = ctx.param(1);
    let client = &cluster.monitoring_clients[cluster.monitoring_client_index(id)?];
    let answer = client.render(Some(&world.ids.password()));
    let text = format!("Rotated the password of {}", client.username);
    let entry = ctx
        .audit(AuditType::Update, Entity::MonitoringClient, id, text)
        .in_cluster(&cluster.uuid)
        .attribute("password", None, None);
    world.activity.push(entry);
    Ok(Reply::Json(answer))
}
