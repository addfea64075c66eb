//! Contract tests of the cluster operations: GetClusters, CreateCluster,
//! GetParameters, GetCluster, UpdateCluster, DeleteCluster,
//! UpdateClusterEncryption, TriggerFailover, UpgradeCluster and Wake; plus
//! the corrections of the document's defects a user sees on clusters.

use crate::common::{
    assert_api_errors, client, cluster_path, expect, Reply, Route, CLUSTER_ID, TOKEN,
};
use camunda_admin::{types, ApiError, Client, Error};
use httpmock::MockServer;
use serde_json::{json, Value};
use types::{
    CamundaClusterStage, ClusterEncryptionKey, ClusterStatus, EncryptionStatus,
    FailoverResultResultsBackupClone, FailoverResultResultsRestore, GenerationClassification,
};

const NEW_CLUSTER_ID: &str = "9b2e4c1a-5d6f-4a8b-8c7d-1e2f3a4b5c6d";
const BACKUP_ID: &str = "1741944000000";

/// A cluster as GetCluster answers it, with every documented field.
fn cluster_json() -> Value {
    json!({
        "uuid": CLUSTER_ID,
        "name": "orders-prod",
        "description": "order processing, production",
        "ownerId": "auth0|64f1c2a9e1b2c3d4e5f60718",
        "created": "2025-03-14T09:26:53.589Z",
        "planType": { "uuid": "5f7b6c10-2a3d-4e5f-8a9b-0c1d2e3f4a5b", "name": "Production S" },
        "region": { "uuid": "2f8e1b6a-3c4d-4e5f-9a8b-7c6d5e4f3a2b", "name": "Belgium, Europe (europe-west1)" },
        "backupRegion": { "uuid": "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d", "name": "Frankfurt, Europe (europe-west3)" },
        "generation": { "uuid": "0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "name": "Camunda 8.7.4" },
        "channel": { "uuid": "6c5d4e3f-2a1b-4c0d-9e8f-7a6b5c4d3e2f", "name": "Stable" },
        "autoUpdate": true,
        "status": {
            "ready": "Healthy",
            "zeebeStatus": "Healthy",
            "operateStatus": "Healthy",
            "tasklistStatus": "Healthy",
            "optimizeStatus": "Updating",
            "connectorsStatus": "Healthy"
        },
        "links": {
            "zeebe": format!("{CLUSTER_ID}.bru-2.zeebe.camunda.io:443"),
            "operate": format!("https://bru-2.operate.camunda.io/{CLUSTER_ID}"),
            "tasklist": format!("https://bru-2.tasklist.camunda.io/{CLUSTER_ID}"),
            "optimize": format!("https://bru-2.optimize.camunda.io/{CLUSTER_ID}"),
            "connectors": format!("https://bru-2.connectors.camunda.io/{CLUSTER_ID}"),
            "console": format!("https://console.camunda.io/org/1d2e/cluster/{CLUSTER_ID}"),
            "identity": format!("https://bru-2.identity.camunda.io/{CLUSTER_ID}"),
            "oauth": "https://login.cloud.camunda.io/oauth/token"
        },
        "encryption": { "type": "Software" },
        "ipallowlist": [{ "ip": "203.0.113.0/24", "description": "office Brussels" }],
        "ipwhitelist": [{ "ip": "203.0.113.0/24", "description": "office Brussels" }],
        "labels": ["team-orders"]
    })
}

fn parse_time(text: &str) -> chrono::DateTime<chrono::Utc> {
    text.parse().expect("a valid RFC 3339 timestamp")
}

// --- GetClusters -----------------------------------------------------------

#[tokio::test]
async fn get_clusters_lists_clusters() {
    let server = MockServer::start_async().await;
    let mut second = cluster_json();
    second["uuid"] = json!(NEW_CLUSTER_ID);
    second["name"] = json!("orders-dev");
    second["status"] = json!({ "ready": "Suspended" });
    let mock = expect(
        &server,
        &Route::new("GET", "/clusters"),
        None,
        Reply::Json(json!([cluster_json(), second])),
    )
    .await;

    let clusters = client(&server)
        .get_clusters()
        .await
        .expect("GetClusters succeeds");

    mock.assert_async().await;
    assert_eq!(clusters.len(), 2);
    assert_eq!(clusters[0].uuid, CLUSTER_ID);
    assert_eq!(clusters[0].name, "orders-prod");
    assert_eq!(clusters[0].status.ready, ClusterStatus::Healthy);
    assert_eq!(clusters[1].name, "orders-dev");
    assert_eq!(clusters[1].status.ready, ClusterStatus::Suspended);
    assert_eq!(clusters[1].status.zeebe_status, None);
}

#[tokio::test]
async fn get_clusters_undocumented_500_is_an_api_error() {
    assert_api_errors(
        Route::new("GET", "/clusters"),
        &[500],
        "GetClusters",
        |c| async move { c.get_clusters().await },
    )
    .await;
}

// --- CreateCluster ---------------------------------------------------------

fn create_cluster_body() -> types::CreateClusterBody {
    types::CreateClusterBody::try_from(
        types::CreateClusterBody::builder()
            .name("orders-prod")
            .plan_type_id("5f7b6c10-2a3d-4e5f-8a9b-0c1d2e3f4a5b")
            .region_id("2f8e1b6a-3c4d-4e5f-9a8b-7c6d5e4f3a2b")
            .channel_id("6c5d4e3f-2a1b-4c0d-9e8f-7a6b5c4d3e2f")
            .generation_id("0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
            .auto_update(Some(false))
            .backup_region_id(None)
            .description(Some("order processing, production".to_owned()))
            .encryption(Some(ClusterEncryptionKey::Hardware))
            .hardware_packages(None)
            .identity_backend_checks_enabled(Some(true))
            .stage_label(Some(CamundaClusterStage::Prod)),
    )
    .expect("a valid value")
}

#[tokio::test]
async fn create_cluster_posts_the_body_and_returns_the_new_id() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("POST", "/clusters"),
        Some(json!({
            "name": "orders-prod",
            "planTypeId": "5f7b6c10-2a3d-4e5f-8a9b-0c1d2e3f4a5b",
            "regionId": "2f8e1b6a-3c4d-4e5f-9a8b-7c6d5e4f3a2b",
            "channelId": "6c5d4e3f-2a1b-4c0d-9e8f-7a6b5c4d3e2f",
            "generationId": "0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
            "autoUpdate": false,
            "description": "order processing, production",
            "encryption": "Hardware",
            "identityBackendChecksEnabled": true,
            "stageLabel": "prod"
        })),
        Reply::Json(json!({ "clusterId": NEW_CLUSTER_ID })),
    )
    .await;

    let created = client(&server)
        .create_cluster(create_cluster_body())
        .await
        .expect("CreateCluster succeeds");

    mock.assert_async().await;
    assert_eq!(created.cluster_id, NEW_CLUSTER_ID);
}

#[tokio::test]
async fn create_cluster_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("POST", "/clusters"),
        &[400],
        "CreateCluster",
        |c| async move { c.create_cluster(create_cluster_body()).await },
    )
    .await;
}

/// 503 on CreateCluster means creation is switched off for now (defect 8):
/// once a read shows no such cluster was made, the caller learns when to
/// come back and that it may try again.
#[tokio::test]
async fn create_cluster_503_keeps_retry_after() {
    let server = MockServer::start_async().await;
    let _no_clusters = expect(
        &server,
        &Route::new("GET", "/clusters"),
        None,
        Reply::Json(json!([])),
    )
    .await;
    let mock = server
        .mock_async(|when, then| {
            Route::new("POST", "/clusters").apply(when);
            then.status(503)
                .header("retry-after", "120")
                .body("cluster creation is disabled");
        })
        .await;

    let error = client(&server)
        .create_cluster(create_cluster_body())
        .await
        .expect_err("CreateCluster answered 503");

    // Two minutes is beyond the retry deadline: sent once, not again.
    mock.assert_calls_async(1).await;
    assert!(error.is_retryable(), "503 is retryable: {error:?}");
    match error {
        Error::Api(ApiError {
            status,
            retry_after,
            operation,
            ..
        }) => {
            assert_eq!(status.as_u16(), 503);
            assert_eq!(retry_after, Some(std::time::Duration::from_secs(120)));
            assert_eq!(operation, "CreateCluster");
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

// --- GetParameters ---------------------------------------------------------

#[tokio::test]
async fn get_parameters_decodes_channels_plans_and_regions() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("GET", "/clusters/parameters"),
        None,
        Reply::Json(json!({
            "channels": [{
                "uuid": "6c5d4e3f-2a1b-4c0d-9e8f-7a6b5c4d3e2f",
                "name": "Stable",
                "defaultGeneration": { "uuid": "0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "name": "Camunda 8.7.4" },
                "allowedGenerations": [
                    { "uuid": "0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "name": "Camunda 8.7.4", "classification": "channel" },
                    { "uuid": "8e7f6a5b-4c3d-4e2f-9a1b-0c9d8e7f6a5b", "name": "Camunda 8.6.14" }
                ]
            }],
            "clusterPlanTypes": [{ "uuid": "5f7b6c10-2a3d-4e5f-8a9b-0c1d2e3f4a5b", "name": "Production S" }],
            "regions": [{
                "uuid": "2f8e1b6a-3c4d-4e5f-9a8b-7c6d5e4f3a2b",
                "name": "Belgium, Europe (europe-west1)",
                "provider": "gcp",
                "backups": [{
                    "uuid": "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d",
                    "regions": [{ "id": "europe-west3", "label": "Frankfurt, Europe" }]
                }]
            }]
        })),
    )
    .await;

    let parameters = client(&server)
        .get_parameters()
        .await
        .expect("GetParameters succeeds");

    mock.assert_async().await;
    let channel = &parameters.channels[0];
    assert_eq!(channel.name, "Stable");
    assert_eq!(channel.default_generation.name, "Camunda 8.7.4");
    assert_eq!(channel.allowed_generations.len(), 2);
    assert_eq!(
        channel.allowed_generations[0].classification,
        Some(GenerationClassification::Channel)
    );
    assert_eq!(channel.allowed_generations[1].classification, None);
    assert_eq!(parameters.cluster_plan_types[0].name, "Production S");
    assert_eq!(parameters.regions[0].provider, "gcp");
    assert_eq!(
        parameters.regions[0].backups[0].regions[0].id,
        "europe-west3"
    );
}

#[tokio::test]
async fn get_parameters_undocumented_500_is_an_api_error() {
    assert_api_errors(
        Route::new("GET", "/clusters/parameters"),
        &[500],
        "GetParameters",
        |c| async move { c.get_parameters().await },
    )
    .await;
}

// --- GetCluster ------------------------------------------------------------

#[tokio::test]
async fn get_cluster_decodes_the_cluster() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("GET", cluster_path("")),
        None,
        Reply::Json(cluster_json()),
    )
    .await;

    let cluster = client(&server)
        .get_cluster(CLUSTER_ID)
        .await
        .expect("GetCluster succeeds");

    mock.assert_async().await;
    assert_eq!(cluster.uuid, CLUSTER_ID);
    assert_eq!(cluster.name, "orders-prod");
    assert_eq!(
        cluster.description.as_deref(),
        Some("order processing, production")
    );
    assert_eq!(cluster.created, parse_time("2025-03-14T09:26:53.589Z"));
    assert_eq!(cluster.plan_type.name, "Production S");
    assert_eq!(cluster.generation.name, "Camunda 8.7.4");
    assert_eq!(
        cluster.backup_region.as_ref().map(|r| r.name.as_str()),
        Some("Frankfurt, Europe (europe-west3)")
    );
    assert!(cluster.auto_update);
    assert_eq!(cluster.status.ready, ClusterStatus::Healthy);
    assert_eq!(
        cluster.status.optimize_status,
        Some(ClusterStatus::Updating)
    );
    assert_eq!(
        cluster.links.zeebe.as_deref(),
        Some(format!("{CLUSTER_ID}.bru-2.zeebe.camunda.io:443").as_str())
    );
    let encryption = cluster.encryption.expect("encryption is present");
    assert_eq!(encryption.type_, ClusterEncryptionKey::Software);
    assert_eq!(cluster.ipallowlist[0].ip, "203.0.113.0/24");
    assert_eq!(cluster.labels, ["team-orders"]);
}

#[tokio::test]
async fn get_cluster_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("GET", cluster_path("")),
        &[404],
        "GetCluster",
        |c| async move { c.get_cluster(CLUSTER_ID).await },
    )
    .await;
}

/// Defect 2: the document forbids additional properties, the server sends
/// them anyway (at the top and inside nested objects).
#[tokio::test]
async fn get_cluster_with_undeclared_fields_decodes() {
    let server = MockServer::start_async().await;
    let mut body = cluster_json();
    body["dataRetentionDays"] = json!(30);
    body["clusterVersion"] = json!("8.7.4");
    body["k8sContext"] = json!({ "uuid": "ctx-1", "name": "bru-2" });
    body["status"]["webModelerStatus"] = json!("Healthy");
    body["generation"]["upgradeableTo"] = json!([]);
    body["links"]["webModeler"] = json!("https://modeler.camunda.io");
    body["encryption"]["keyRotation"] = json!("disabled");
    let mock = expect(
        &server,
        &Route::new("GET", cluster_path("")),
        None,
        Reply::Json(body),
    )
    .await;

    let cluster = client(&server)
        .get_cluster(CLUSTER_ID)
        .await
        .expect("extra fields are ignored");

    mock.assert_async().await;
    assert_eq!(cluster.name, "orders-prod");
    assert_eq!(cluster.status.ready, ClusterStatus::Healthy);
}

/// Defect 4: cluster statuses grow without notice; an unknown one is kept,
/// known ones still get their variant.
#[tokio::test]
async fn get_cluster_with_unknown_status_decodes_into_unknown() {
    let server = MockServer::start_async().await;
    let mut body = cluster_json();
    body["status"] = json!({
        "ready": "Hibernating",
        "zeebeStatus": "Suspended",
        "operateStatus": "WaitingForInput",
        "tasklistStatus": "Maintenance"
    });
    let mock = expect(
        &server,
        &Route::new("GET", cluster_path("")),
        None,
        Reply::Json(body),
    )
    .await;

    let cluster = client(&server)
        .get_cluster(CLUSTER_ID)
        .await
        .expect("an unknown status decodes");

    mock.assert_async().await;
    assert_eq!(
        cluster.status.ready,
        ClusterStatus::Unknown("Hibernating".into())
    );
    assert!(cluster.status.ready.is_unknown());
    assert_eq!(cluster.status.ready.as_str(), "Hibernating");
    assert_eq!(cluster.status.zeebe_status, Some(ClusterStatus::Suspended));
    assert_eq!(
        cluster.status.operate_status,
        Some(ClusterStatus::WaitingForInput)
    );
    assert_eq!(
        cluster.status.tasklist_status,
        Some(ClusterStatus::Maintenance)
    );
}

/// Defect 3: `encryption` is marked required, but older clusters lack it.
#[tokio::test]
async fn get_cluster_without_encryption_decodes() {
    let server = MockServer::start_async().await;
    let mut body = cluster_json();
    body.as_object_mut()
        .expect("an object")
        .remove("encryption");
    let mock = expect(
        &server,
        &Route::new("GET", cluster_path("")),
        None,
        Reply::Json(body),
    )
    .await;

    let cluster = client(&server)
        .get_cluster(CLUSTER_ID)
        .await
        .expect("a cluster without encryption decodes");

    mock.assert_async().await;
    assert_eq!(cluster.uuid, CLUSTER_ID);
    assert!(cluster.encryption.is_none());
}

#[tokio::test]
async fn base_url_with_trailing_slash_hits_the_same_paths() {
    let server = MockServer::start_async().await;
    let list = expect(
        &server,
        &Route::new("GET", "/clusters"),
        None,
        Reply::Json(json!([])),
    )
    .await;
    let one = expect(
        &server,
        &Route::new("GET", cluster_path("")),
        None,
        Reply::Json(cluster_json()),
    )
    .await;
    let client = Client::with_static_token(&format!("{}/", server.base_url()), TOKEN)
        .expect("a base URL with a trailing slash is accepted");

    let clusters = client.get_clusters().await.expect("GetClusters succeeds");
    let cluster = client
        .get_cluster(CLUSTER_ID)
        .await
        .expect("GetCluster succeeds");

    list.assert_async().await;
    one.assert_async().await;
    assert!(clusters.is_empty());
    assert_eq!(cluster.uuid, CLUSTER_ID);
}

// --- UpdateCluster ---------------------------------------------------------

fn update_cluster_body() -> types::UpdateClusterBody {
    types::UpdateClusterBody::try_from(
        types::UpdateClusterBody::builder()
            .name(Some("orders-prod-eu".to_owned()))
            .description(Some("orders, EU region".to_owned()))
            .stage_label(Some(CamundaClusterStage::Stage)),
    )
    .expect("a valid value")
}

#[tokio::test]
async fn update_cluster_patches_only_the_given_fields() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("PATCH", cluster_path("")),
        Some(json!({
            "name": "orders-prod-eu",
            "description": "orders, EU region",
            "stageLabel": "stage"
        })),
        Reply::NoContent,
    )
    .await;

    let () = client(&server)
        .update_cluster(CLUSTER_ID, update_cluster_body())
        .await
        .expect("UpdateCluster succeeds");

    mock.assert_async().await;
}

#[tokio::test]
async fn update_cluster_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("PATCH", cluster_path("")),
        &[404],
        "UpdateCluster",
        |c| async move { c.update_cluster(CLUSTER_ID, update_cluster_body()).await },
    )
    .await;
}

// --- DeleteCluster ---------------------------------------------------------

#[tokio::test]
async fn delete_cluster_sends_delete() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("DELETE", cluster_path("")),
        None,
        Reply::NoContent,
    )
    .await;

    let () = client(&server)
        .delete_cluster(CLUSTER_ID)
        .await
        .expect("DeleteCluster succeeds");

    mock.assert_async().await;
}

#[tokio::test]
async fn delete_cluster_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("DELETE", cluster_path("")),
        &[404],
        "DeleteCluster",
        |c| async move { c.delete_cluster(CLUSTER_ID).await },
    )
    .await;
}

// --- UpdateClusterEncryption -----------------------------------------------

const PRIMARY_KEY: &str =
    "arn:aws:kms:eu-west-1:123456789012:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";

fn encryption_body() -> types::UpdateClusterEncryptionBody {
    types::UpdateClusterEncryptionBody::try_from(
        types::UpdateClusterEncryptionBody::builder()
            .primary_encryption_key_id(PRIMARY_KEY)
            .secondary_encryption_key_id(None),
    )
    .expect("a valid value")
}

#[tokio::test]
async fn update_cluster_encryption_puts_the_key_and_returns_the_cluster() {
    let server = MockServer::start_async().await;
    let mut answer = cluster_json();
    answer["encryption"] = json!({
        "type": "External",
        "primaryKeyArn": PRIMARY_KEY,
        "status": "ExternalEncryptionKeyNotReady"
    });
    let mock = expect(
        &server,
        &Route::new("PUT", cluster_path("/encryption")),
        Some(json!({ "primaryEncryptionKeyId": PRIMARY_KEY })),
        Reply::Json(answer),
    )
    .await;

    let cluster = client(&server)
        .update_cluster_encryption(CLUSTER_ID, encryption_body())
        .await
        .expect("UpdateClusterEncryption succeeds");

    mock.assert_async().await;
    let encryption = cluster.encryption.expect("encryption is present");
    assert_eq!(encryption.type_, ClusterEncryptionKey::External);
    assert_eq!(encryption.primary_key_arn.as_deref(), Some(PRIMARY_KEY));
    assert_eq!(encryption.secondary_key_arn, None);
    assert_eq!(
        encryption.status,
        Some(EncryptionStatus::ExternalEncryptionKeyNotReady)
    );
}

#[tokio::test]
async fn update_cluster_encryption_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("PUT", cluster_path("/encryption")),
        &[400, 403, 404, 409],
        "UpdateClusterEncryption",
        |c| async move {
            c.update_cluster_encryption(CLUSTER_ID, encryption_body())
                .await
        },
    )
    .await;
}

// --- TriggerFailover -------------------------------------------------------

fn failover_body() -> types::TriggerFailoverBody {
    types::TriggerFailoverBody::try_from(
        types::TriggerFailoverBody::builder()
            .backup_ids(vec![BACKUP_ID.into(), "1741857600000".into()])
            .restore_backup_id(BACKUP_ID),
    )
    .expect("a valid value")
}

#[tokio::test]
async fn trigger_failover_posts_backups_and_decodes_the_outcome() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("POST", cluster_path("/failover")),
        Some(json!({ "backupIds": [BACKUP_ID, "1741857600000"], "restoreBackupId": BACKUP_ID })),
        Reply::Json(json!({
            "newClusterId": NEW_CLUSTER_ID,
            "results": { "backupClone": "ok", "restore": { "error": "backup 1741944000000 is incomplete" } }
        })),
    )
    .await;

    let result = client(&server)
        .trigger_failover(CLUSTER_ID, failover_body())
        .await
        .expect("TriggerFailover succeeds");

    mock.assert_async().await;
    assert_eq!(result.new_cluster_id, NEW_CLUSTER_ID);
    assert!(matches!(
        result.results.backup_clone,
        FailoverResultResultsBackupClone::Ok
    ));
    match result.results.restore {
        FailoverResultResultsRestore::Error(reason) => {
            assert_eq!(reason, "backup 1741944000000 is incomplete")
        }
        other => panic!("expected a restore error, got {other:?}"),
    }
}

/// Failover errors are documented as `text/plain` (defect 7).
#[tokio::test]
async fn trigger_failover_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("POST", cluster_path("/failover")),
        &[400, 403, 404, 409, 422],
        "TriggerFailover",
        |c| async move { c.trigger_failover(CLUSTER_ID, failover_body()).await },
    )
    .await;
}

// --- UpgradeCluster --------------------------------------------------------

#[tokio::test]
async fn upgrade_cluster_puts_and_reports_old_and_new_generation() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("PUT", cluster_path("/upgrade")),
        None,
        Reply::Json(json!({
            "orgId": "1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a",
            "cluster": { "id": CLUSTER_ID, "name": "orders-prod" },
            "oldGeneration": { "id": "0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "name": "Camunda 8.7.4" },
            "newGeneration": { "id": "4b3a2f1e-0d9c-4b8a-9f7e-6d5c4b3a2f1e", "name": "Camunda 8.7.5" }
        })),
    )
    .await;

    let upgrade = client(&server)
        .upgrade_cluster(CLUSTER_ID)
        .await
        .expect("UpgradeCluster succeeds");

    mock.assert_async().await;
    assert_eq!(upgrade.cluster.id, CLUSTER_ID);
    assert_eq!(upgrade.old_generation.name, "Camunda 8.7.4");
    assert_eq!(upgrade.new_generation.name, "Camunda 8.7.5");
    assert_eq!(upgrade.org_id, "1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a");
}

#[tokio::test]
async fn upgrade_cluster_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("PUT", cluster_path("/upgrade")),
        &[400, 404, 409, 412],
        "UpgradeCluster",
        |c| async move { c.upgrade_cluster(CLUSTER_ID).await },
    )
    .await;
}

// --- Wake ------------------------------------------------------------------

#[tokio::test]
async fn wake_puts_to_wake() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("PUT", cluster_path("/wake")),
        None,
        Reply::NoContent,
    )
    .await;

    let () = client(&server)
        .wake(CLUSTER_ID)
        .await
        .expect("Wake succeeds");

    mock.assert_async().await;
}

#[tokio::test]
async fn wake_undocumented_500_is_an_api_error() {
    assert_api_errors(
        Route::new("PUT", cluster_path("/wake")),
        &[500],
        "Wake",
        |c| async move { c.wake(CLUSTER_ID).await },
    )
    .await;
}
