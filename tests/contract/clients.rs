//! Contract tests of the cluster API client operations: GetClients,
//! CreateClient, GetClient and DeleteClient; plus the created client's
//! secret as a `SecretString` and a created client without `audience`.

use crate::common::{
    assert_api_errors, assert_debug_hides, client, cluster_path, expect, Reply, Route, CLUSTER_ID,
};
use camunda_admin::types::{self, ClientPermission};
use httpmock::MockServer;
use serde_json::{json, Value};

const CLIENT_ID: &str = "Q6rSbbWpvW1xGQ~1cWEAvRxeoOkgsKnJ";
const CLIENT_SECRET: &str = "x8Jq~2vKp.Ls9HdT4wZ0bNcR7mYe3uAf_GiO1kVxW5tE6rQy";

fn client_path() -> String {
    cluster_path(&format!("/clients/{CLIENT_ID}"))
}

fn create_client_body() -> types::CreateClusterClientBody {
    types::CreateClusterClientBody::try_from(
        types::CreateClusterClientBody::builder()
            .client_name("ci-pipeline")
            .permissions(vec![ClientPermission::Zeebe, ClientPermission::Secrets]),
    )
    .expect("a valid value")
}

/// A created client as CreateClient answers it.
fn created_client_json() -> Value {
    json!({
        "name": "ci-pipeline",
        "uuid": "6e5d4c3b-2a19-4f8e-9d7c-6b5a4f3e2d1c",
        "clientId": CLIENT_ID,
        "clientSecret": CLIENT_SECRET,
        "permissions": ["Zeebe", "Secrets"],
        "audience": "zeebe.camunda.io",
        "links": {
            "zeebe": format!("{CLUSTER_ID}.bru-2.zeebe.camunda.io:443"),
            "oauth": "https://login.cloud.camunda.io/oauth/token",
            "operate": format!("https://bru-2.operate.camunda.io/{CLUSTER_ID}")
        }
    })
}

// --- GetClients ------------------------------------------------------------

#[tokio::test]
async fn get_clients_lists_clients_with_permissions() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("GET", cluster_path("/clients")),
        None,
        Reply::Json(json!([
            { "clientId": CLIENT_ID, "name": "ci-pipeline", "permissions": ["Zeebe", "Operate"] },
            { "clientId": "aB3dE5fG7hI9jK1lM3nO5pQ7", "name": "worker", "permissions": ["Zeebe", "Tasklist", "Optimize", "Secrets"] }
        ])),
    )
    .await;

    let clients = client(&server)
        .get_clients(CLUSTER_ID)
        .await
        .expect("GetClients succeeds");

    mock.assert_async().await;
    assert_eq!(clients.len(), 2);
    assert_eq!(clients[0].client_id, CLIENT_ID);
    assert_eq!(clients[0].name, "ci-pipeline");
    assert_eq!(
        clients[0].permissions,
        [ClientPermission::Zeebe, ClientPermission::Operate]
    );
    assert!(clients[1].permissions.contains(&ClientPermission::Secrets));
}

#[tokio::test]
async fn get_clients_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("GET", cluster_path("/clients")),
        &[403, 404],
        "GetClients",
        |c| async move { c.get_clients(CLUSTER_ID).await },
    )
    .await;
}

// --- CreateClient ----------------------------------------------------------

#[tokio::test]
async fn create_client_posts_name_and_permissions_and_returns_the_secret_once() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("POST", cluster_path("/clients")),
        Some(json!({ "clientName": "ci-pipeline", "permissions": ["Zeebe", "Secrets"] })),
        Reply::Json(created_client_json()),
    )
    .await;

    let created = client(&server)
        .create_client(CLUSTER_ID, create_client_body())
        .await
        .expect("CreateClient succeeds");

    mock.assert_async().await;
    assert_eq!(created.client_id, CLIENT_ID);
    assert_eq!(created.name, "ci-pipeline");
    assert_eq!(created.permissions, ["Zeebe", "Secrets"]);
    assert_eq!(created.audience.as_deref(), Some("zeebe.camunda.io"));
    let links = created.links.as_ref().expect("links are present");
    assert_eq!(
        links.oauth.as_deref(),
        Some("https://login.cloud.camunda.io/oauth/token")
    );
    // The secret is a SecretString: readable on purpose, never in Debug output.
    assert_eq!(created.client_secret.expose_secret(), CLIENT_SECRET);
    assert_debug_hides(&created.client_secret, CLIENT_SECRET);
    assert_debug_hides(&created, CLIENT_SECRET);
}

/// An empty permission list is left out of the body, which the API reads as
/// "grant every permission that exists now". There is no way to send `[]`.
#[tokio::test]
async fn create_client_with_empty_permissions_omits_the_field() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("POST", cluster_path("/clients")),
        Some(json!({ "clientName": "all-permissions" })),
        Reply::Json(created_client_json()),
    )
    .await;
    let body = types::CreateClusterClientBody::try_from(
        types::CreateClusterClientBody::builder()
            .client_name("all-permissions")
            .permissions(vec![]),
    )
    .expect("a valid value");

    client(&server)
        .create_client(CLUSTER_ID, body.clone())
        .await
        .expect("CreateClient succeeds");

    mock.assert_async().await;
}

/// Defect 3: `audience` was made required late; older answers lack it.
#[tokio::test]
async fn create_client_answer_without_audience_decodes() {
    let server = MockServer::start_async().await;
    let mut answer = created_client_json();
    let object = answer.as_object_mut().expect("an object");
    object.remove("audience");
    object.remove("links");
    let mock = expect(
        &server,
        &Route::new("POST", cluster_path("/clients")),
        None,
        Reply::Json(answer),
    )
    .await;

    let created = client(&server)
        .create_client(CLUSTER_ID, create_client_body())
        .await
        .expect("a created client without audience decodes");

    mock.assert_async().await;
    assert_eq!(created.client_id, CLIENT_ID);
    assert_eq!(created.audience, None);
    assert!(created.links.is_none());
    assert_eq!(created.client_secret.expose_secret(), CLIENT_SECRET);
}

#[tokio::test]
async fn create_client_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("POST", cluster_path("/clients")),
        &[400, 403, 404],
        "CreateClient",
        |c| async move { c.create_client(CLUSTER_ID, create_client_body()).await },
    )
    .await;
}

// --- GetClient -------------------------------------------------------------

#[tokio::test]
async fn get_client_decodes_connection_details() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("GET", client_path()),
        None,
        Reply::Json(json!({
            "name": "ci-pipeline",
            "ZEEBE_ADDRESS": format!("{CLUSTER_ID}.bru-2.zeebe.camunda.io:443"),
            "ZEEBE_CLIENT_ID": CLIENT_ID,
            "ZEEBE_AUTHORIZATION_SERVER_URL": "https://login.cloud.camunda.io/oauth/token",
            // Sent by the server, not declared by the document.
            "CAMUNDA_CLUSTER_ID": CLUSTER_ID,
            "CAMUNDA_CLUSTER_REGION": "bru-2"
        })),
    )
    .await;

    let details = client(&server)
        .get_client(CLUSTER_ID, CLIENT_ID)
        .await
        .expect("GetClient succeeds");

    mock.assert_async().await;
    assert_eq!(details.name, "ci-pipeline");
    assert_eq!(details.zeebe_client_id, CLIENT_ID);
    assert_eq!(
        details.zeebe_address,
        format!("{CLUSTER_ID}.bru-2.zeebe.camunda.io:443")
    );
    assert_eq!(
        details.zeebe_authorization_server_url,
        "https://login.cloud.camunda.io/oauth/token"
    );
}

/// 412 means the cluster is not ready yet (defect 8); the caller still gets
/// the status in the end.
#[tokio::test]
async fn get_client_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("GET", client_path()),
        &[403, 404, 412],
        "GetClient",
        |c| async move { c.get_client(CLUSTER_ID, CLIENT_ID).await },
    )
    .await;
}

// --- DeleteClient ----------------------------------------------------------

#[tokio::test]
async fn delete_client_sends_delete() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("DELETE", client_path()),
        None,
        Reply::NoContent,
    )
    .await;

    let () = client(&server)
        .delete_client(CLUSTER_ID, CLIENT_ID)
        .await
        .expect("DeleteClient succeeds");

    mock.assert_async().await;
}

#[tokio::test]
async fn delete_client_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("DELETE", client_path()),
        &[403, 404],
        "DeleteClient",
        |c| async move { c.delete_client(CLUSTER_ID, CLIENT_ID).await },
    )
    .await;
}
