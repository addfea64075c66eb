//! No secret (client secret, access token, created client secret, connector
//! secret value, monitoring password) reaches a `Debug` or `Display` output,
//! an error message, or a log line, even at TRACE level.

use camunda_admin::{types, Client, Error};
use httpmock::prelude::*;

const CLIENT_SECRET: &str = "CLIENT-SECRET-d41d8cd9";
const ACCESS_TOKEN: &str = "ACCESS-TOKEN-8f14e45f";
const CREATED_SECRET: &str = "CREATED-CLIENT-SECRET-c9f0f895";
const CONNECTOR_VALUE: &str = "CONNECTOR-VALUE-45c48cce";
const MONITORING_PASSWORD: &str = "MONITORING-PASSWORD-6512bd43";
const ALL: [&str; 5] = [
    CLIENT_SECRET,
    ACCESS_TOKEN,
    CREATED_SECRET,
    CONNECTOR_VALUE,
    MONITORING_PASSWORD,
];

fn assert_no_secret(what: &str, text: &str) {
    for secret in ALL {
        assert!(!text.contains(secret), "{what} shows a secret: {text}");
    }
}

#[tokio::test]
async fn secrets_stay_out_of_debug_errors_and_trace_logs() {
    let (captured, _guard) = crate::common::capture_trace_logs();

    let server = MockServer::start_async().await;
    mock_answers_holding_secrets(&server).await;
    let client = Client::builder()
        .base_url(server.base_url())
        .token_url(server.url("/oauth/token"))
        .credentials("client-id", CLIENT_SECRET)
        .no_disk_cache()
        .retry(camunda_admin::RetryPolicy::disabled())
        .build()
        .expect("client");
    assert_configurations_hide_secrets(&client, &server);
    assert_answers_hide_secrets(&client).await;
    assert_errors_hide_secrets(&client).await;
    refused_credentials_error_names_the_variable_not_the_secret().await;

    let logs = captured.text();
    assert!(
        logs.contains("call succeeded") && logs.contains("operation=\"CreateClient\""),
        "the capture works: {logs}"
    );
    assert!(
        logs.contains("requesting a token"),
        "token fetches are logged"
    );
    assert_no_secret("TRACE log", &logs);
}

/// The token service and answers that each hold a secret.
async fn mock_answers_holding_secrets(server: &MockServer) {
    server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth/token").form_urlencoded_tuple("client_secret", CLIENT_SECRET);
            then.status(200).json_body(serde_json::json!({ "access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 86400 }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/clusters/c1/clients");
            then.status(200).json_body(serde_json::json!({
                "name": "ci", "uuid": "u", "clientId": "id", "clientSecret": CREATED_SECRET, "permissions": ["Zeebe"]
            }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/clusters/c1/secrets");
            then.status(200)
                .json_body(serde_json::json!({ "DB": CONNECTOR_VALUE }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/clusters/c1/monitoring/clients");
            then.status(200).json_body(serde_json::json!({
                "uuid": "m", "name": "prom", "username": "prom", "created": "2026-01-01T00:00:00Z",
                "lastUsed": "2026-01-01T00:00:00Z", "createdBy": "me", "createdByName": "Me", "password": MONITORING_PASSWORD
            }));
        })
        .await;
    // A body that fails to decode while holding a secret.
    server
        .mock_async(|when, then| {
            when.method(POST).path("/clusters/c2/clients");
            then.status(200)
                .json_body(serde_json::json!({ "name": 7, "clientSecret": CREATED_SECRET }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(PUT).path("/clusters/c1/secrets/DB");
            then.status(409).body("another change is in progress");
        })
        .await;
}

fn client_body() -> types::builder::CreateClusterClientBody {
    types::CreateClusterClientBody::builder()
        .client_name("ci")
        .permissions(vec![])
}

/// Clients, builders and credentials never show their secrets.
fn assert_configurations_hide_secrets(client: &Client, server: &MockServer) {
    assert_no_secret("Client Debug", &format!("{client:?}"));
    let builder = Client::builder().credentials("client-id", CLIENT_SECRET);
    assert_no_secret("ClientBuilder Debug", &format!("{builder:?}"));
    assert_no_secret(
        "Credentials Debug",
        &format!("{:?}", camunda_admin::Credentials::new("id", CLIENT_SECRET)),
    );
    let static_client =
        Client::with_static_token(&server.base_url(), ACCESS_TOKEN).expect("client");
    assert_no_secret("static Client Debug", &format!("{static_client:?}"));
}

/// Answers holding secrets: readable by the caller, hidden in Debug.
async fn assert_answers_hide_secrets(client: &Client) {
    let created = client
        .create_client("c1", client_body())
        .await
        .expect("created");
    assert_eq!(
        created.client_secret.expose_secret(),
        CREATED_SECRET,
        "the caller can read it once"
    );
    assert_no_secret("CreatedClusterClient Debug", &format!("{created:?}"));

    let secrets = client.get_secrets("c1").await.expect("secrets");
    assert_eq!(
        secrets.get("DB").map(|s| s.expose_secret()),
        Some(CONNECTOR_VALUE)
    );
    assert_no_secret("ClusterSecrets Debug", &format!("{secrets:?}"));

    let monitoring = client
        .create_monitoring_client(
            "c1",
            types::CreateMonitoringClientBody::builder().username("prom"),
        )
        .await
        .expect("monitoring client");
    assert_no_secret("monitoring client Debug", &format!("{monitoring:?}"));
}

/// Errors of calls whose request or answer holds a secret.
async fn assert_errors_hide_secrets(client: &Client) {
    let update = types::UpdateSecretBody::try_from(
        types::UpdateSecretBody::builder().secret_value(CONNECTOR_VALUE),
    )
    .expect("a valid value");
    assert_no_secret("UpdateSecretBody Debug", &format!("{update:?}"));
    let error = client
        .update_secret("c1", "DB", update.clone())
        .await
        .expect_err("409");
    assert!(matches!(&error, Error::Api(api) if api.status == 409));
    assert_no_secret("API error", &format!("{error} {error:?}"));

    let error = client
        .create_client("c2", client_body())
        .await
        .expect_err("does not decode");
    assert!(
        matches!(
            error,
            Error::Decode {
                operation: camunda_admin::OperationId::CreateClient,
                ..
            }
        ),
        "{error:?}"
    );
    assert_no_secret("decode error", &format!("{error} {error:?}"));
}

async fn refused_credentials_error_names_the_variable_not_the_secret() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth/token");
            then.status(401)
                .json_body(serde_json::json!({ "error": "access_denied" }));
        })
        .await;
    let client = Client::builder()
        .base_url(server.base_url())
        .token_url(server.url("/oauth/token"))
        .credentials("refused-id", CLIENT_SECRET)
        .no_disk_cache()
        .build()
        .expect("client");
    let error = client.get_clusters().await.expect_err("refused");
    let text = format!("{error} {error:?}");
    assert_no_secret("auth error", &text);
    assert!(text.contains("CAMUNDA_CONSOLE_CLIENT_SECRET"));
}
