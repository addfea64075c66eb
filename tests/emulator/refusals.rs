//! What the emulator refuses, and how: the 400s of `CreateCluster` for
//! anything `/clusters/parameters` does not list, the documented 404s,
//! 409s, 403s, 412s and 422s, and malformed requests of every kind, which
//! get a 4xx and never break the server.

use std::time::Duration;

use crate::common::{admin_client, admin_token, create_cluster, raw_get, raw_post, start_emulator};
use camunda_admin::{emulator::Emulator, types, Client};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// A request body from its JSON.
fn body<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("the JSON is a valid request body")
}

fn status_of<T: std::fmt::Debug>(result: camunda_admin::Result<T>) -> Option<u16> {
    result.unwrap_err().status().map(|s| s.as_u16())
}

/// An emulator whose clusters, backups and restores are ready at once.
async fn instant_emulator() -> Emulator {
    start_emulator(
        Emulator::builder()
            .cluster_ready_delay(Duration::ZERO)
            .backup_delay(Duration::ZERO)
            .restore_delay(Duration::ZERO),
    )
    .await
}

/// [`instant_emulator`], an admin client of it, and a cluster "c" made
/// from the first choices of the parameters (GCP, Software encryption).
async fn session_with_cluster() -> (Emulator, Client, String) {
    let emulator = instant_emulator().await;
    let client = admin_client(&emulator).await;
    let id = create_cluster(&client, "c").await;
    (emulator, client, id)
}

/// A valid create body on a GCP region, the Stable channel's default
/// generation and the first plan.
async fn valid_create(client: &Client) -> Value {
    let parameters = client.get_parameters().await.unwrap();
    let stable = parameters
        .channels
        .iter()
        .find(|c| c.name == "Stable")
        .unwrap();
    let gcp = parameters
        .regions
        .iter()
        .find(|r| r.provider == "gcp")
        .unwrap();
    json!({
        "name": "ok",
        "planTypeId": parameters.cluster_plan_types[0].uuid,
        "channelId": stable.uuid,
        "generationId": stable.default_generation.uuid,
        "regionId": gcp.uuid,
    })
}

#[tokio::test]
async fn create_cluster_accepts_every_listed_channel_and_generation() {
    let emulator = instant_emulator().await;
    let client = admin_client(&emulator).await;
    let valid = valid_create(&client).await;
    let parameters = client.get_parameters().await.unwrap();
    for channel in &parameters.channels {
        for generation in &channel.allowed_generations {
            let mut create = valid.clone();
            create["channelId"] = json!(channel.uuid);
            create["generationId"] = json!(generation.uuid);
            client
                .create_cluster(body::<types::CreateClusterBody>(create))
                .await
                .unwrap();
        }
    }
    assert_eq!(client.get_clusters().await.unwrap().len(), 4);
}

#[tokio::test]
async fn create_cluster_refuses_what_the_parameters_do_not_list() {
    let emulator = instant_emulator().await;
    let client = admin_client(&emulator).await;
    let valid = valid_create(&client).await;
    let parameters = client.get_parameters().await.unwrap();
    let alpha = parameters
        .channels
        .iter()
        .find(|c| c.name == "Alpha")
        .unwrap();
    let cases = [
        ("name", json!("  ")),
        ("name", json!("x".repeat(51))),
        ("planTypeId", json!("nope")),
        ("regionId", json!("nope")),
        ("channelId", json!("nope")),
        // A generation of another channel.
        ("generationId", json!(alpha.default_generation.uuid)),
        ("backupRegionId", json!("nope")),
        // External encryption needs an AWS region.
        ("encryption", json!("External")),
        ("hardwarePackages", json!(0.5)),
    ];
    for (field, value) in cases {
        let mut create = valid.clone();
        create[field] = value;
        let result = client
            .create_cluster(body::<types::CreateClusterBody>(create.clone()))
            .await;
        assert_eq!(status_of(result), Some(400), "{create}");
    }
    // A body that is not JSON at all, straight over HTTP, is a 400 too.
    emulator.advance_clock(Duration::from_secs(1)); // one token per second
    let token = admin_token(&emulator).await;
    let url = format!("{}/clusters", emulator.base_url());
    let response = raw_post(url, "application/json", "{not json").bearer_auth(token);
    assert_eq!(response.send().await.unwrap().status(), 400);
    assert!(client.get_clusters().await.unwrap().is_empty());
}

#[tokio::test]
async fn unknown_clusters_are_404_everywhere() {
    let (_emulator, client, _) = session_with_cluster().await;
    assert_eq!(status_of(client.get_cluster("nope").await), Some(404));
    assert_eq!(status_of(client.get_backups("nope").await), Some(404));
    assert_eq!(status_of(client.get_clients("nope").await), Some(404));
    assert_eq!(status_of(client.get_secrets("nope").await), Some(404));
    assert_eq!(status_of(client.wake("nope").await), Some(404));
    assert_eq!(status_of(client.delete_cluster("nope").await), Some(404));
    let ids = json!({ "backupIds": ["b"], "restoreBackupId": "b" });
    let failover = client
        .trigger_failover("nope", body::<types::TriggerFailoverBody>(ids))
        .await
        .unwrap_err();
    assert_eq!(failover.status().map(|s| s.as_u16()), Some(404));
    assert!(
        failover.as_api().unwrap().body.contains("no cluster"),
        "{failover}"
    );
}

// Paused time: the client retries the documented 409 of CreateSecret with
// back-off, which paused time skips.
#[tokio::test(start_paused = true)]
async fn secrets_answer_409_for_a_taken_name_404_for_a_missing_one_400_for_a_bad_one() {
    let (_emulator, client, id) = session_with_cluster().await;
    let secret = |name: &str| {
        types::CreateSecretBody::builder()
            .secret_name(name)
            .secret_value("v")
    };
    client.create_secret(&id, secret("TOKEN")).await.unwrap();
    assert_eq!(
        status_of(client.create_secret(&id, secret("TOKEN")).await),
        Some(409)
    );
    let update = types::UpdateSecretBody::builder().secret_value("v");
    assert_eq!(
        status_of(client.update_secret(id.clone(), "NOPE", update).await),
        Some(404)
    );
    assert_eq!(
        status_of(client.delete_secret(&id, "NOPE").await),
        Some(404)
    );
    assert_eq!(
        status_of(client.create_secret(&id, secret(&"X".repeat(50))).await),
        Some(400)
    );
}

#[tokio::test]
async fn schedules_monitoring_and_connectivity_refuse_their_wrong_states() {
    let (_emulator, client, id) = session_with_cluster().await;
    // The schedule: 404 while none is set, deleting none is fine, bad cron 400.
    assert_eq!(status_of(client.get_schedule(&id).await), Some(404));
    client.delete_schedule(&id).await.unwrap();
    let every_minute = types::BackupScheduleBody::builder().schedule("* * * * *");
    assert_eq!(
        status_of(client.update_schedule(id.clone(), every_minute).await),
        Some(400)
    );
    // Monitoring and secure connectivity: 409 when already in that state.
    assert_eq!(
        status_of(client.deactivate_monitoring(&id).await),
        Some(409)
    );
    client.activate_monitoring(&id).await.unwrap();
    assert_eq!(status_of(client.activate_monitoring(&id).await), Some(409));
    assert_eq!(
        status_of(client.deactivate_secure_connectivity(&id).await),
        Some(409)
    );
}

#[tokio::test]
async fn encryption_failover_and_upgrade_refuse_clusters_that_cannot() {
    let (_emulator, client, id) = session_with_cluster().await;
    // Encryption keys on a Software cluster outside AWS: 403.
    let keys = types::UpdateClusterEncryptionBody::builder()
        .primary_encryption_key_id("arn:aws:kms:eu-central-1:123456789012:key/k");
    assert_eq!(
        status_of(client.update_cluster_encryption(id.clone(), keys).await),
        Some(403)
    );
    // Failover without a backup region: 422, as plain text.
    let ids = types::TriggerFailoverBody::builder()
        .backup_ids(vec!["b".to_owned()])
        .restore_backup_id("b");
    assert_eq!(
        status_of(client.trigger_failover(id.clone(), ids).await),
        Some(422)
    );
    // Upgrading the newest generation: 400.
    assert_eq!(status_of(client.upgrade_cluster(&id).await), Some(400));
}

#[tokio::test]
async fn members_refuse_bad_addresses_roles_and_changes_to_the_owner() {
    let (_emulator, client, _) = session_with_cluster().await;
    assert_eq!(
        status_of(client.delete_member("nobody@example.com").await),
        Some(404)
    );
    let roles = |role: &str| types::PostMemberBody::builder().org_roles(vec![role.into()]);
    let refusals = [
        ("not-an-email", "admin", 400),
        ("x@example.com", "owner", 400),
        ("owner@example.com", "admin", 403),
    ];
    for (email, role, status) in refusals {
        let result = client.update_members(email, roles(role)).await;
        assert_eq!(status_of(result), Some(status), "{email} as {role}");
    }
}

#[tokio::test]
async fn clients_and_allowlists_refuse_duplicates_and_non_addresses() {
    let (_emulator, client, id) = session_with_cluster().await;
    assert_eq!(status_of(client.get_client(&id, "nope").await), Some(404));
    let worker = || types::CreateClusterClientBody::builder().client_name("w");
    let created = client.create_client(&id, worker()).await.unwrap();
    assert_eq!(
        created.permissions.len(),
        5,
        "no permissions asked means all of them"
    );
    assert_eq!(
        status_of(client.create_client(&id, worker()).await),
        Some(400)
    );
    let bad = body::<types::IpAllowListBody>(
        json!({ "ipallowlist": [{ "ip": "example.com", "description": "x" }] }),
    );
    assert_eq!(
        status_of(client.update_ip_allowlist(id.clone(), bad).await),
        Some(400)
    );
}

/// Every path and method of the vendored document, with `{clusterUuid}`
/// filled in and other parameters made up.
fn document_operations(cluster_id: &str) -> Vec<(reqwest::Method, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/camunda-admin.json");
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut operations = Vec::new();
    for (template, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let Ok(method) = method.to_uppercase().parse::<reqwest::Method>() else {
                continue;
            };
            let path = template
                .replace("{clusterUuid}", cluster_id)
                .replace("{email}", "someone%40example.com")
                .replace("{secretName}", "NAME")
                .replace(['{', '}'], "");
            operations.push((method, path));
        }
    }
    operations
}

#[tokio::test]
async fn malformed_requests_get_4xx_and_never_break_the_server() {
    let emulator = instant_emulator().await;
    let token = admin_token(&emulator).await;
    let client = Client::with_static_token(&emulator.base_url(), token.clone()).unwrap();
    let id = create_cluster(&client, "target").await;

    let mut operations = document_operations(&id);
    assert_eq!(operations.len(), 43);
    // Delete the cluster last, so that the other calls reach their checks.
    let cluster_path = format!("/clusters/{id}");
    operations
        .sort_by_key(|(method, path)| *method == reqwest::Method::DELETE && *path == cluster_path);
    let bodies: [&[u8]; 9] = [
        b"",
        b"{",
        b"null",
        b"[]",
        b"{}",
        br#"{"name": 5, "schedule": [], "ipallowlist": {}, "orgRoles": "admin", "secretName": null}"#,
        br#"{"ipallowlist":[{"ip":"300.1.1.1/99"}],"ipwhitelist":[{"ip":""}],"username":"","schedule":"*/0 * * * *"}"#,
        br#"{"hardwarePackages": 1e308, "numberOfAllocatedHwPackages": -1, "name": "\u0000"}"#,
        b"\xff\xfe\x00garbage",
    ];
    let http = reqwest::Client::new();
    for (method, path) in &operations {
        for body in bodies {
            let response = http
                .request(method.clone(), format!("{}{path}", emulator.base_url()))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(body.to_vec())
                .send()
                .await
                .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
            let status = response.status();
            assert!(
                status.is_success() || status.is_client_error(),
                "{method} {path} with {:?}: {status}",
                String::from_utf8_lossy(body)
            );
        }
    }
    // Still serving.
    client.get_clusters().await.unwrap();
}

#[tokio::test]
async fn odd_paths_and_methods_get_4xx() {
    let emulator = instant_emulator().await;
    let token = admin_token(&emulator).await;
    let id = "some-cluster";
    let http = reqwest::Client::new();
    for (method, path) in [
        (reqwest::Method::GET, "/clusters/%FF%FE".to_owned()),
        (reqwest::Method::GET, "/nothing/here".to_owned()),
        (reqwest::Method::PATCH, "/members".to_owned()),
        (reqwest::Method::GET, format!("/clusters/{id}/clients/%00")),
        (reqwest::Method::POST, "/members/%E2%82".to_owned()),
    ] {
        let response = http
            .request(method.clone(), format!("{}{path}", emulator.base_url()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_client_error(),
            "{method} {path}: {}",
            response.status()
        );
    }
}

#[tokio::test]
async fn the_activity_csv_is_served_as_text_csv() {
    let emulator = instant_emulator().await;
    let token = admin_token(&emulator).await;
    let response = raw_get(&emulator, "/activity/csv", Some(&token)).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = response.text().await.unwrap();
    assert_eq!(
        text.lines().count(),
        1,
        "only the header row while nothing happened"
    );
}

/// The limits and defaults the published document states only in its prose
/// (`x-camunda-fields` in the operation table): a description of at most
/// 150 characters, a secret name under 50, encryption `Provider` when the
/// create names none.
#[tokio::test]
async fn limits_and_defaults_the_document_states_in_prose() {
    let (_emulator, client, id) = session_with_cluster().await;
    let cluster = client.get_cluster(&id).await.unwrap();
    let encryption = serde_json::to_value(&cluster).unwrap()["encryption"]["type"].clone();
    assert_eq!(encryption, json!("Provider"), "created without encryption");

    let update = |text: String| types::UpdateClusterBody::builder().description(text);
    assert!(client
        .update_cluster(&id, update("d".repeat(150)))
        .await
        .is_ok());
    assert_eq!(
        status_of(client.update_cluster(&id, update("d".repeat(151))).await),
        Some(400)
    );
    let mut create = valid_create(&client).await;
    create["description"] = json!("d".repeat(151));
    assert_eq!(
        status_of(
            client
                .create_cluster(body::<types::CreateClusterBody>(create))
                .await
        ),
        Some(400)
    );

    let secret = |name: String| {
        types::CreateSecretBody::builder()
            .secret_name(name)
            .secret_value("v")
    };
    assert!(client
        .create_secret(&id, secret("S".repeat(49)))
        .await
        .is_ok());
    assert_eq!(
        status_of(client.create_secret(&id, secret("T".repeat(50))).await),
        Some(400)
    );
}
