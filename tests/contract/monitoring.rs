//! Contract tests of the external monitoring operations: ActivateMonitoring,
//! DeactivateMonitoring, GetMonitoringClients, CreateMonitoringClient,
//! DeleteMonitoringClient and RotateMonitoringClientPassword; plus the
//! monitoring passwords as `SecretString`.

use crate::common::{
    assert_api_errors, assert_debug_hides, client, cluster_path, expect, Reply, Route, CLUSTER_ID,
};
use camunda_admin::types::{self, GetMonitoringClientsResponseStatus};
use httpmock::MockServer;
use serde_json::{json, Value};

const MONITORING_CLIENT_ID: &str = "8d7c6b5a-4f3e-4d2c-9b1a-0f9e8d7c6b5a";
const PASSWORD: &str = "mOn1t0r-9f8e7d6c5b4a3210";
const ROTATED_PASSWORD: &str = "r0tat3d-0a1b2c3d4e5f6789";

fn monitoring_client_path(rest: &str) -> String {
    cluster_path(&format!("/monitoring/clients/{MONITORING_CLIENT_ID}{rest}"))
}

/// A monitoring client as listed (without a password).
fn monitoring_client_json() -> Value {
    json!({
        "uuid": MONITORING_CLIENT_ID,
        "name": "prometheus",
        "username": "prometheus",
        "created": "2025-03-14T09:26:53.589Z",
        "createdBy": "auth0|64f1c2a9e1b2c3d4e5f60718",
        "createdByName": "Ada Lovelace",
        "lastUsed": "2025-03-15T08:00:00.000Z"
    })
}

fn with_password(password: &str) -> Value {
    let mut answer = monitoring_client_json();
    answer["password"] = json!(password);
    answer
}

fn parse_time(text: &str) -> chrono::DateTime<chrono::Utc> {
    text.parse().expect("a valid RFC 3339 timestamp")
}

// --- ActivateMonitoring ----------------------------------------------------

#[tokio::test]
async fn activate_monitoring_posts() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("POST", cluster_path("/monitoring")),
        None,
        Reply::NoContent,
    )
    .await;

    let () = client(&server)
        .activate_monitoring(CLUSTER_ID)
        .await
        .expect("ActivateMonitoring succeeds");

    mock.assert_async().await;
}

#[tokio::test]
async fn activate_monitoring_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("POST", cluster_path("/monitoring")),
        &[403, 404, 409],
        "ActivateMonitoring",
        |c| async move { c.activate_monitoring(CLUSTER_ID).await },
    )
    .await;
}

// --- DeactivateMonitoring --------------------------------------------------

#[tokio::test]
async fn deactivate_monitoring_sends_delete() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("DELETE", cluster_path("/monitoring")),
        None,
        Reply::NoContent,
    )
    .await;

    let () = client(&server)
        .deactivate_monitoring(CLUSTER_ID)
        .await
        .expect("DeactivateMonitoring succeeds");

    mock.assert_async().await;
}

#[tokio::test]
async fn deactivate_monitoring_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("DELETE", cluster_path("/monitoring")),
        &[403, 404, 409],
        "DeactivateMonitoring",
        |c| async move { c.deactivate_monitoring(CLUSTER_ID).await },
    )
    .await;
}

// --- GetMonitoringClients --------------------------------------------------

#[tokio::test]
async fn get_monitoring_clients_decodes_clients_and_endpoint() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("GET", cluster_path("/monitoring/clients")),
        None,
        Reply::Json(json!({
            "clients": [monitoring_client_json()],
            "status": {
                "metricsEndpoint": {
                    "target": "metrics.bru-2.camunda.io",
                    "scheme": "https",
                    "path": format!("/{CLUSTER_ID}/metrics")
                },
                "conditions": [{ "type": "Ready", "status": "True", "reason": "EndpointAvailable" }]
            }
        })),
    )
    .await;

    let answer = client(&server)
        .get_monitoring_clients(CLUSTER_ID)
        .await
        .expect("GetMonitoringClients succeeds");

    mock.assert_async().await;
    assert_eq!(answer.clients.len(), 1);
    let listed = &answer.clients[0];
    assert_eq!(listed.uuid, MONITORING_CLIENT_ID);
    assert_eq!(listed.username, "prometheus");
    assert_eq!(listed.created_by_name, "Ada Lovelace");
    assert_eq!(listed.last_used, parse_time("2025-03-15T08:00:00.000Z"));
    match answer.status {
        GetMonitoringClientsResponseStatus::ByomStatus(status) => {
            assert_eq!(status.metrics_endpoint.target, "metrics.bru-2.camunda.io");
            assert_eq!(status.metrics_endpoint.scheme, "https");
            assert_eq!(status.conditions.len(), 1);
        }
        other => panic!("expected a monitoring status, got {other:?}"),
    }
}

/// Defect 6: while monitoring is off, `status` is an empty object
/// (`Record_string.never_` in the document).
#[tokio::test]
async fn get_monitoring_clients_while_off_has_an_empty_status() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("GET", cluster_path("/monitoring/clients")),
        None,
        Reply::Json(json!({ "clients": [], "status": {} })),
    )
    .await;

    let answer = client(&server)
        .get_monitoring_clients(CLUSTER_ID)
        .await
        .expect("GetMonitoringClients succeeds");

    mock.assert_async().await;
    assert!(answer.clients.is_empty());
    match answer.status {
        GetMonitoringClientsResponseStatus::EmptyObject(empty) => assert!(empty.is_empty()),
        other => panic!("expected an empty status, got {other:?}"),
    }
}

#[tokio::test]
async fn get_monitoring_clients_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("GET", cluster_path("/monitoring/clients")),
        &[403, 404],
        "GetMonitoringClients",
        |c| async move { c.get_monitoring_clients(CLUSTER_ID).await },
    )
    .await;
}

// --- CreateMonitoringClient ------------------------------------------------

fn create_body() -> types::CreateMonitoringClientBody {
    types::CreateMonitoringClientBody::try_from(
        types::CreateMonitoringClientBody::builder().username("prometheus"),
    )
    .expect("a valid value")
}

#[tokio::test]
async fn create_monitoring_client_returns_a_hidden_password() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("POST", cluster_path("/monitoring/clients")),
        Some(json!({ "username": "prometheus" })),
        Reply::Json(with_password(PASSWORD)),
    )
    .await;

    let created = client(&server)
        .create_monitoring_client(CLUSTER_ID, create_body())
        .await
        .expect("CreateMonitoringClient succeeds");

    mock.assert_async().await;
    assert_eq!(created.uuid, MONITORING_CLIENT_ID);
    assert_eq!(created.username, "prometheus");
    assert_eq!(created.created, parse_time("2025-03-14T09:26:53.589Z"));
    assert_eq!(created.password.expose_secret(), PASSWORD);
    assert_debug_hides(&created.password, PASSWORD);
    assert_debug_hides(&created, PASSWORD);
}

#[tokio::test]
async fn create_monitoring_client_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("POST", cluster_path("/monitoring/clients")),
        &[404],
        "CreateMonitoringClient",
        |c| async move { c.create_monitoring_client(CLUSTER_ID, create_body()).await },
    )
    .await;
}

// --- DeleteMonitoringClient ------------------------------------------------

#[tokio::test]
async fn delete_monitoring_client_sends_delete() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("DELETE", monitoring_client_path("")),
        None,
        Reply::NoContent,
    )
    .await;

    let () = client(&server)
        .delete_monitoring_client(CLUSTER_ID, MONITORING_CLIENT_ID)
        .await
        .expect("DeleteMonitoringClient succeeds");

    mock.assert_async().await;
}

#[tokio::test]
async fn delete_monitoring_client_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("DELETE", monitoring_client_path("")),
        &[403, 404],
        "DeleteMonitoringClient",
        |c| async move {
            c.delete_monitoring_client(CLUSTER_ID, MONITORING_CLIENT_ID)
                .await
        },
    )
    .await;
}

// --- RotateMonitoringClientPassword ----------------------------------------

#[tokio::test]
async fn rotate_monitoring_client_password_returns_a_new_hidden_password() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("POST", monitoring_client_path("/rotate")),
        None,
        Reply::Json(with_password(ROTATED_PASSWORD)),
    )
    .await;

    let rotated = client(&server)
        .rotate_monitoring_client_password(CLUSTER_ID, MONITORING_CLIENT_ID)
        .await
        .expect("RotateMonitoringClientPassword succeeds");

    mock.assert_async().await;
    assert_eq!(rotated.uuid, MONITORING_CLIENT_ID);
    assert_eq!(rotated.password.expose_secret(), ROTATED_PASSWORD);
    assert_debug_hides(&rotated.password, ROTATED_PASSWORD);
    assert_debug_hides(&rotated, ROTATED_PASSWORD);
}

#[tokio::test]
async fn rotate_monitoring_client_password_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("POST", monitoring_client_path("/rotate")),
        &[403, 404],
        "RotateMonitoringClientPassword",
        |c| async move {
            c.rotate_monitoring_client_password(CLUSTER_ID, MONITORING_CLIENT_ID)
                .await
        },
    )
    .await;
}
