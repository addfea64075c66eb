//! Handlers called on a world, without any HTTP: each test names the
//! operations it drives and checks what a caller would see.

use std::time::Duration;

use chrono::Utc;
use serde_json::{json, Value};
use tokio::time::Instant;

use super::{context::Ctx, handler};
use crate::emulator::world::World;
use crate::emulator::{
    activity::AuditType,
    answer::{Outcome, Reply},
    catalog,
    config::{EmulatorConfig, Settings},
};

fn settings() -> Settings {
    let config = EmulatorConfig::default().cluster_ready_delay(Duration::from_secs(60));
    Settings::new(
        config,
        Vec::new(),
        ("http://emulator".into(), "/oauth/token"),
        "org-1".into(),
        "control".into(),
    )
}

/// Operation `op` of the handler column, called by "ci-bot" at `now`.
fn call(world: &mut World, now: Instant, op: &str, params: &[&str], body: Value) -> Outcome {
    let settings = settings();
    let params: Vec<String> = params.iter().map(|p| (*p).to_owned()).collect();
    let body = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    let ctx = Ctx {
        settings: &settings,
        transitions: settings.transitions,
        now,
        wall: Utc::now(),
        caller: "ci-bot",
        params: &params,
        body: &body,
    };
    let id: crate::OperationId = op.parse().expect("an operation of the document");
    handler(id).unwrap_or_else(|| panic!("no handler for {op}"))(world, &ctx)
}

fn json_of(outcome: Outcome) -> Value {
    match outcome {
        Ok(Reply::Json(value)) => value,
        other => panic!("expected JSON, got {other:?}"),
    }
}

fn status_of(outcome: Outcome) -> u16 {
    match outcome {
        Ok(Reply::NoContent) => 204,
        Ok(_) => 200,
        Err(fail) => fail.status.as_u16(),
    }
}

/// A cluster made from the catalog's first choices; its id.
fn create(world: &mut World, now: Instant, name: &str) -> String {
    let channel = &catalog::CHANNELS[0];
    let body = json!({
        "name": name,
        "planTypeId": catalog::PLAN_TYPES[0].uuid,
        "regionId": catalog::REGIONS[0].uuid,
        "channelId": channel.uuid,
        "generationId": channel.default.uuid,
    });
    let created = json_of(call(world, now, "CreateCluster", &[], body));
    created["clusterId"].as_str().unwrap().to_owned()
}

#[test]
fn a_created_cluster_is_listed_logged_and_healthy_after_the_delay() {
    let mut world = World::new();
    let now = Instant::now();
    let id = create(&mut world, now, "orders");
    let cluster = json_of(call(&mut world, now, "GetCluster", &[&id], Value::Null));
    assert_eq!(
        (
            cluster["name"].as_str(),
            cluster["status"]["ready"].as_str()
        ),
        (Some("orders"), Some("Creating"))
    );
    let later = now + Duration::from_secs(60);
    let cluster = json_of(call(&mut world, later, "GetCluster", &[&id], Value::Null));
    assert_eq!(cluster["status"]["ready"], "Healthy");
    let entry = &world.activity[0];
    assert_eq!(
        (
            entry.audit_type,
            entry.entity_id.as_str(),
            entry.user_id.as_str()
        ),
        (AuditType::Create, id.as_str(), "ci-bot")
    );
}

#[test]
fn get_client_answers_412_until_the_cluster_is_healthy() {
    let mut world = World::new();
    let now = Instant::now();
    let id = create(&mut world, now, "c");
    let created = json_of(call(
        &mut world,
        now,
        "CreateClient",
        &[&id],
        json!({ "clientName": "w" }),
    ));
    let client_id = created["clientId"].as_str().unwrap();
    assert_eq!(
        created["permissions"].as_array().map(Vec::len),
        Some(5),
        "none asked means all"
    );
    assert_eq!(
        status_of(call(
            &mut world,
            now,
            "GetClient",
            &[&id, client_id],
            Value::Null
        )),
        412
    );
    let later = now + Duration::from_secs(60);
    let details = json_of(call(
        &mut world,
        later,
        "GetClient",
        &[&id, client_id],
        Value::Null,
    ));
    assert_eq!(details["ZEEBE_CLIENT_ID"], client_id);
    assert!(!details
        .to_string()
        .contains(created["clientSecret"].as_str().unwrap()));
}

/// A body each operation that reads one accepts, so that it gets as far as
/// looking up its cluster.
fn valid_body(op: &str) -> Value {
    match op {
        "UpdateCluster" => json!({}),
        "UpdateSchedule" => json!({ "schedule": "0 3 * * *" }),
        "CreateClient" => json!({ "clientName": "w" }),
        "UpdateClusterEncryption" => json!({ "primaryEncryptionKeyId": "k" }),
        "TriggerFailover" => json!({ "backupIds": ["b"], "restoreBackupId": "b" }),
        "UpdateIpAllowlist" => json!({ "ipallowlist": [] }),
        "UpdateIpWhitelist" => json!({ "ipwhitelist": [] }),
        "CreateMonitoringClient" => json!({ "username": "u" }),
        "CreateSecret" => json!({ "secretName": "S", "secretValue": "v" }),
        "UpdateSecret" => json!({ "secretValue": "v" }),
        "ActivateSecureConnectivity" => {
            json!({ "allowedPrincipals": ["p"], "allowedRegions": ["r"] })
        }
        _ => Value::Null,
    }
}

#[test]
fn every_cluster_operation_answers_404_for_an_unknown_cluster() {
    let cluster_scoped: Vec<&str> = crate::operation::OPERATIONS
        .iter()
        .filter(|op| op.path_params.first().map(|p| p.name) == Some("clusterUuid"))
        .map(|op| op.id.as_str())
        .collect();
    assert!(cluster_scoped.len() >= 30, "{cluster_scoped:?}");
    let mut world = World::new();
    for op in cluster_scoped {
        let outcome = call(
            &mut world,
            Instant::now(),
            op,
            &["nope", "x"],
            valid_body(op),
        );
        match outcome {
            Err(fail) => {
                assert_eq!(fail.status.as_u16(), 404, "{op}: {}", fail.message);
                assert_eq!(fail.message, "no cluster \"nope\"", "{op}");
            }
            Ok(reply) => panic!("{op} answered {reply:?} for an unknown cluster"),
        }
    }
}

#[test]
fn secrets_conflict_on_a_taken_name_and_stay_out_of_the_log() {
    let mut world = World::new();
    let now = Instant::now();
    let id = create(&mut world, now, "c");
    let secret = json!({ "secretName": "API_KEY", "secretValue": "hunter2" });
    assert_eq!(
        status_of(call(
            &mut world,
            now,
            "CreateSecret",
            &[&id],
            secret.clone()
        )),
        204
    );
    assert_eq!(
        status_of(call(&mut world, now, "CreateSecret", &[&id], secret)),
        409
    );
    let update = json!({ "secretValue": "hunter3" });
    assert_eq!(
        status_of(call(
            &mut world,
            now,
            "UpdateSecret",
            &[&id, "NOPE"],
            update
        )),
        404
    );
    let csv = match call(&mut world, now, "GetCsv", &[], Value::Null) {
        Ok(Reply::Csv(text)) => text,
        other => panic!("{other:?}"),
    };
    assert!(csv.contains("API_KEY") && !csv.contains("hunter2"), "{csv}");
}

#[test]
fn bodies_are_read_as_the_generated_request_types() {
    let mut world = World::new();
    let now = Instant::now();
    let id = create(&mut world, now, "c");
    for (body, status) in [
        (json!({ "orgRoles": ["developer", "developer"] }), 204),
        (json!({ "orgRoles": ["owner"] }), 400),
        (json!({ "orgRoles": "admin" }), 400),
        (json!({}), 400),
    ] {
        let outcome = call(
            &mut world,
            now,
            "UpdateMembers",
            &["new@example.com"],
            body.clone(),
        );
        assert_eq!(status_of(outcome), status, "{body}");
    }
    let invited = world
        .members
        .iter()
        .find(|m| m.email == "new@example.com")
        .unwrap();
    assert_eq!(invited.roles, ["developer"]);
    let owner = json!({ "orgRoles": ["admin"] });
    assert_eq!(
        status_of(call(
            &mut world,
            now,
            "UpdateMembers",
            &["owner@example.com"],
            owner
        )),
        403
    );
    let stage = json!({ "stageLabel": "qa" });
    assert_eq!(
        status_of(call(&mut world, now, "UpdateCluster", &[&id], stage)),
        400
    );
    let stage = json!({ "stageLabel": "prod" });
    assert_eq!(
        status_of(call(&mut world, now, "UpdateCluster", &[&id], stage)),
        204
    );
}
