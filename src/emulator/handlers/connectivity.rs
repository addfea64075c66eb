//! Secure (private) connectivity of a cluster.

use serde_json::json;

use super::context::Ctx;
use crate::api::types::ActivateSecureConnectivityBody;
use crate::emulator::world::World;
use crate::emulator::{
    activity::{AuditType, Entity},
    answer::{Fail, Outcome, Reply},
    records::SecureConnectivity,
};

/// The trimmed values of `list`, at least one and none empty.
fn non_empty_list(list: Vec<String>, what: &str) -> Result<Vec<String>, Fail> {
    let list: Vec<String> = list.into_iter().map(|s| s.trim().to_owned()).collect();
    if list.is_empty() || list.iter().any(String::is_empty) {
        return Err(Fail::bad_request(format!(
            "{what} must list at least one non-empty value"
        )));
    }
    Ok(list)
}

pub(super) fn activate(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let body: ActivateSecureConnectivityBody = ctx.body()?;
    let principals = non_empty_list(body.allowed_principals, "allowedPrincipals")?;
    let regions = non_empty_list(body.allowed_regions, "allowedRegions")?;
    let cluster = world.clusters.get_mut(ctx.cluster_id())?;
    if cluster.secure_connectivity.is_some() {
        return Err(Fail::conflict("secure connectivity is active already"));
    }
    let entry = ctx
        .audit(
            AuditType::Create,
            Entity::SecureConnectivity,
            &cluster.uuid,
            "Activated secure connectivity",
        )
        .in_cluster(&cluster.uuid)
        .attribute("allowedPrincipals", None, Some(principals.join("; ")));
    cluster.secure_connectivity = Some(SecureConnectivity {
        principals,
        regions,
        since: ctx.wall,
    });
    world.activity.push(entry);
    Ok(Reply::NoContent)
}

pub(super) fn get_status(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let cluster = world.clusters.get(ctx.cluster_id())?;
    Ok(Reply::Json(
        json!({ "status": cluster.render_secure_connectivity(ctx.org()) }),
    ))
}

pub(super) fn deactivate(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let cluster = world.clusters.get_mut(ctx.cluster_id())?;
    if cluster.secure_connectivity.take().is_none() {
        return Err(Fail::conflict("secure connectivity is not active"));
    }
    let entry = ctx
        .audit(
            AuditType::Delete,
            Entity::SecureConnectivity,
            &cluster.uuid,
            "Deactivated secure connectivity",
        )
        .in_cluster(&cluster.uuid);
    world.activity.push(entry);
    Ok(Reply::NoContent)
}
