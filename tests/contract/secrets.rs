//! Contract tests of the connector secret operations: GetSecrets,
//! CreateSecret, UpdateSecret and DeleteSecret; plus secret values as
//! `SecretString` and a secret name that needs percent-encoding.

use crate::common::{
    assert_api_errors, assert_debug_hides, client, cluster_path, expect, Reply, Route, CLUSTER_ID,
};
use camunda_admin::{types, SecretString};
use httpmock::MockServer;
use serde_json::json;

/// A secret name with a space: progenitor encodes the space as `%20`.
const SECRET_NAME: &str = "db password";
const ENCODED_SECRET_NAME: &str = "db%20password";
const SECRET_VALUE: &str = "correct horse battery staple";
const NEW_SECRET_VALUE: &str = "Tr0ub4dor&3-rotated";

fn secret_path() -> String {
    cluster_path(&format!("/secrets/{ENCODED_SECRET_NAME}"))
}

fn create_secret_body() -> types::CreateSecretBody {
    types::CreateSecretBody::try_from(
        types::CreateSecretBody::builder()
            .secret_name(SECRET_NAME)
            .secret_value(SecretString::new(SECRET_VALUE)),
    )
    .expect("a valid value")
}

fn update_secret_body() -> types::UpdateSecretBody {
    types::UpdateSecretBody::try_from(
        types::UpdateSecretBody::builder().secret_value(NEW_SECRET_VALUE),
    )
    .expect("a valid value")
}

// --- GetSecrets ------------------------------------------------------------

#[tokio::test]
async fn get_secrets_decodes_a_map_of_secret_values() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("GET", cluster_path("/secrets")),
        None,
        Reply::Json(
            json!({ SECRET_NAME: SECRET_VALUE, "SLACK_TOKEN": "xoxb-123456789012-abcdefghijkl" }),
        ),
    )
    .await;

    let secrets = client(&server)
        .get_secrets(CLUSTER_ID)
        .await
        .expect("GetSecrets succeeds");

    mock.assert_async().await;
    assert_eq!(secrets.len(), 2);
    let value = secrets.get(SECRET_NAME).expect("the secret is listed");
    assert_eq!(value.expose_secret(), SECRET_VALUE);
    assert_eq!(
        secrets.get("SLACK_TOKEN").map(SecretString::expose_secret),
        Some("xoxb-123456789012-abcdefghijkl")
    );
    // Names are visible, values are not.
    assert_debug_hides(&secrets, SECRET_VALUE);
    assert_debug_hides(&secrets, "xoxb-123456789012-abcdefghijkl");
    assert!(format!("{secrets:?}").contains("SLACK_TOKEN"));
}

#[tokio::test]
async fn get_secrets_of_a_cluster_without_secrets_is_empty() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("GET", cluster_path("/secrets")),
        None,
        Reply::Json(json!({})),
    )
    .await;

    let secrets = client(&server)
        .get_secrets(CLUSTER_ID)
        .await
        .expect("GetSecrets succeeds");

    mock.assert_async().await;
    assert!(secrets.is_empty());
}

#[tokio::test]
async fn get_secrets_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("GET", cluster_path("/secrets")),
        &[403, 404],
        "GetSecrets",
        |c| async move { c.get_secrets(CLUSTER_ID).await },
    )
    .await;
}

// --- CreateSecret ----------------------------------------------------------

/// The body hides the value from `Debug`, yet carries the real value on the wire.
#[tokio::test]
async fn create_secret_posts_the_real_value_and_hides_it_from_debug() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("POST", cluster_path("/secrets")),
        Some(json!({ "secretName": SECRET_NAME, "secretValue": SECRET_VALUE })),
        Reply::NoContent,
    )
    .await;
    let body = create_secret_body();
    assert_debug_hides(&body, SECRET_VALUE);
    assert_debug_hides(&body.secret_value, SECRET_VALUE);
    assert_eq!(body.secret_value.expose_secret(), SECRET_VALUE);

    let () = client(&server)
        .create_secret(CLUSTER_ID, body.clone())
        .await
        .expect("CreateSecret succeeds");

    mock.assert_async().await;
}

/// 409 also means "another secret change is running" (defect 8).
#[tokio::test]
async fn create_secret_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("POST", cluster_path("/secrets")),
        &[400, 403, 404, 409],
        "CreateSecret",
        |c| async move { c.create_secret(CLUSTER_ID, create_secret_body()).await },
    )
    .await;
}

// --- UpdateSecret ----------------------------------------------------------

#[tokio::test]
async fn update_secret_puts_the_real_value_to_the_encoded_name() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("PUT", secret_path()),
        Some(json!({ "secretValue": NEW_SECRET_VALUE })),
        Reply::NoContent,
    )
    .await;
    let body = update_secret_body();
    assert_debug_hides(&body, NEW_SECRET_VALUE);
    assert_eq!(body.secret_value.expose_secret(), NEW_SECRET_VALUE);

    let () = client(&server)
        .update_secret(CLUSTER_ID, SECRET_NAME, body.clone())
        .await
        .expect("UpdateSecret succeeds");

    mock.assert_async().await;
}

#[tokio::test]
async fn update_secret_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("PUT", secret_path()),
        &[403, 404, 409],
        "UpdateSecret",
        |c| async move {
            c.update_secret(CLUSTER_ID, SECRET_NAME, update_secret_body())
                .await
        },
    )
    .await;
}

// --- DeleteSecret ----------------------------------------------------------

#[tokio::test]
async fn delete_secret_deletes_the_encoded_name() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("DELETE", secret_path()),
        None,
        Reply::NoContent,
    )
    .await;

    let () = client(&server)
        .delete_secret(CLUSTER_ID, SECRET_NAME)
        .await
        .expect("DeleteSecret succeeds");

    mock.assert_async().await;
}

#[tokio::test]
async fn delete_secret_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("DELETE", secret_path()),
        &[403, 409],
        "DeleteSecret",
        |c| async move { c.delete_secret(CLUSTER_ID, SECRET_NAME).await },
    )
    .await;
}

/// A slash in a name must not add a path segment.
#[tokio::test]
async fn delete_secret_encodes_a_slash_in_the_name() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("DELETE", cluster_path("/secrets/team%2Fdb%20password")),
        None,
        Reply::NoContent,
    )
    .await;

    client(&server)
        .delete_secret(CLUSTER_ID, "team/db password")
        .await
        .expect("DeleteSecret succeeds");

    mock.assert_async().await;
}
