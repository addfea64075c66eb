//! API clients of a cluster: their secret is shown once, at creation, and
//! their connection settings need a `Healthy` cluster (412 until then).

use serde_json::{json, Value};

use super::context::Ctx;
use crate::api::types::CreateClusterClientBody;
use crate::emulator::world::World;
use crate::emulator::{
    activity::{AuditType, Entity},
    answer::{Fail, Outcome, Reply},
    records::ClusterClient,
    validate,
};

/// Clients per cluster before 403.
const MAX_CLIENTS: usize = 50;
/// What a cluster client may be granted, in the order the API lists them.
const PERMISSIONS: [&str; 5] = ["Zeebe", "Operate", "Tasklist", "Optimize", "Secrets"];
/// The token service of clusters, for cluster client connection settings.
const ZEEBE_TOKEN_URL: &str = "https://login.cloud.camunda.io/oauth/token";
const ZEEBE_AUDIENCE: &str = "zeebe.camunda.io";

pub(super) fn get_clients(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let cluster = world.clusters.get(ctx.cluster_id())?;
    let clients = cluster.clients.iter().map(ClusterClient::render);
    Ok(Reply::Json(Value::Array(clients.collect())))
}

/// The permissions asked for, in the API's order; none means all.
fn permissions(asked: Vec<String>) -> Result<Vec<String>, Fail> {
    if let Some(bad) = asked.iter().find(|p| !PERMISSIONS.contains(&p.as_str())) {
        return Err(Fail::bad_request(format!(
            "unknown permission {bad:?}; use {}",
            PERMISSIONS.join(", ")
        )));
    }
    let mut permissions = if asked.is_empty() {
        PERMISSIONS.map(str::to_owned).to_vec()
    } else {
        asked
    };
    permissions.sort_by_key(|p| PERMISSIONS.iter().position(|k| k == p));
    permissions.dedup();
    Ok(permissions)
}

pub(super) fn create_client(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let body: CreateClusterClientBody = ctx.body()?;
    let name = validate::name(&body.client_name, "the client name", validate::MAX_NAME)?;
    let asked = body.permissions.iter().map(|p| p.as_str().to_owned());
    let permissions = permissions(asked.collect())?;
    let cluster = world.clusters.get_mut(ctx.cluster_id())?;
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
        uuid: world.ids.uuid(),
        client_id: world.ids.client_id(),
        name,
        permissions,
    };
    let secret = world.ids.client_secret();
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
    let text = format!("Created client {:?}", client.name);
    let entry = ctx
        .audit(AuditType::Create, Entity::Client, &client.client_id, text)
        .in_cluster(&cluster.uuid);
    cluster.clients.push(client);
    world.activity.push(entry);
    Ok(Reply::Json(answer))
}

pub(super) fn get_client(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let cluster = world.clusters.get(ctx.cluster_id())?;
    let client = &cluster.clients[cluster.client_index(ctx.param(1))?];
    cluster.require_healthy(ctx.now, |status| {
        Fail::not_ready(format!(
            "the cluster is {status}; try again when it is Healthy"
        ))
    })?;
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

pub(super) fn delete_client(world: &mut World, ctx: &Ctx<'_>) -> Outcome {
    let cluster = world.clusters.get_mut(ctx.cluster_id())?;
    let id = ctx.param(1);
    let client = cluster.clients.remove(cluster.client_index(id)?);
    let text = format!("Deleted client {:?}", client.name);
    let entry = ctx
        .audit(AuditType::Delete, Entity::Client, id, text)
        .in_cluster(&cluster.uuid);
    world.activity.push(entry);
    Ok(Reply::NoContent)
}
