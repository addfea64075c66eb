//! Connector secrets of a cluster: 409 on a name taken, values never in
//! the activity log.

use serde_json::json;

use super::context::Ctx;
use crate::api::types::{CreateSecretBody, UpdateSecretBody};
use crate::emulator::world::World;
use crate::emulator::{
    activity::{AuditType, Entity},
    answer::{Fail, Outcome, Reply},
    validate,
};

/// Secrets per cluster before 403.
const MAX_SECRETS: usize = 100;

pub(super) fn get_secrets(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let cluster = world.clusters.get(ctx.cluster_id())?;
    Ok(Reply::Json(json!(cluster.secrets)))
}

fn non_empty(value: &str) -> Result<(), Fail> {
    if value.is_empty() {
        return Err(Fail::bad_request("a secret value must not be empty"));
    }
    Ok(())
}

pub(super) fn create_secret(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let body: CreateSecretBody = ctx.body()?;
    let name = body.secret_name;
    validate::secret_name(&name)?;
    non_empty(body.secret_value.expose_secret())?;
    let cluster = world.clusters.get_mut(ctx.cluster_id())?;
    if cluster.secrets.contains_key(&name) {
        return Err(Fail::conflict(format!("a secret {name:?} exists already")));
    }
    if cluster.secrets.len() >= MAX_SECRETS {
        return Err(Fail::forbidden(format!(
            "a cluster has at most {MAX_SECRETS} secrets"
        )));
    }
    let text = format!("Created secret {name}");
    let entry = ctx
        .audit(AuditType::Create, Entity::Secret, &name, text)
        .in_cluster(&cluster.uuid);
    let value = body.secret_value.expose_secret().to_owned();
    cluster.secrets.insert(name, value);
    world.activity.push(entry);
    Ok(Reply::NoContent)
}

pub(super) fn update_secret(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let body: UpdateSecretBody = ctx.body()?;
    non_empty(body.secret_value.expose_secret())?;
    let cluster = world.clusters.get_mut(ctx.cluster_id())?;
    let name = ctx.param(1);
    let Some(value) = cluster.secrets.get_mut(name) else {
        return Err(no_secret(name));
    };
    *value = body.secret_value.expose_secret().to_owned();
    let entry = ctx
        .audit(
            AuditType::Update,
            Entity::Secret,
            name,
            format!("Changed secret {name}"),
        )
        .in_cluster(&cluster.uuid)
        .attribute("secretValue", None, None);
    world.activity.push(entry);
    Ok(Reply::NoContent)
}

pub(super) fn delete_secret(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let cluster = world.clusters.get_mut(ctx.cluster_id())?;
    let name = ctx.param(1);
    if cluster.secrets.remove(name).is_none() {
        return Err(no_secret(name));
    }
    let entry = ctx
        .audit(
            AuditType::Delete,
            Entity::Secret,
            name,
            format!("Deleted secret {name}"),
        )
        .in_cluster(&cluster.uuid);
    world.activity.push(entry);
    Ok(Reply::NoContent)
}

fn no_secret(name: &str) -> Fail {
    Fail::not_found(format!("no secret {name:?} on this cluster"))
}
