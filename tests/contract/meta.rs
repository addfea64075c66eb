//! Contract test of GetMeta, the one call without credentials; and a check
//! that every operation of the OpenAPI document has a contract test.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::{assert_api_errors, client, expect, Reply, Route};
use httpmock::MockServer;
use serde_json::json;

// --- GetMeta ---------------------------------------------------------------

#[tokio::test]
async fn get_meta_sends_no_authorization_and_decodes_the_ranges() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::anonymous("GET", "/meta/ip-ranges"),
        None,
        Reply::Json(json!({ "web-modeler": ["34.107.113.144/32", "35.198.187.89/32"] })),
    )
    .await;

    let meta = client(&server).get_meta().await.expect("GetMeta succeeds");

    mock.assert_async().await;
    assert_eq!(meta.web_modeler, ["34.107.113.144/32", "35.198.187.89/32"]);
}

/// A client built without credentials calls GetMeta, and refuses every
/// other call with a typed auth error before anything is sent.
#[tokio::test]
async fn a_client_without_credentials_reads_the_ranges_and_sends_nothing_else() {
    let server = MockServer::start_async().await;
    let meta_mock = expect(
        &server,
        &Route::anonymous("GET", "/meta/ip-ranges"),
        None,
        Reply::Json(json!({ "web-modeler": ["34.107.113.144/32"] })),
    )
    .await;
    let anything_else = server.mock_async(|when, then| {
        when.any_request();
        then.status(500);
    });
    let anything_else = anything_else.await;
    let client = camunda_admin::Client::builder()
        .base_url(server.base_url())
        .without_credentials()
        .build()
        .expect("a client without credentials builds");

    let meta = client.get_meta().await.expect("GetMeta needs no token");
    assert_eq!(meta.web_modeler, ["34.107.113.144/32"]);
    meta_mock.assert_async().await;

    let error = client
        .get_clusters()
        .await
        .expect_err("GetClusters needs a token");
    assert!(
        matches!(
            error,
            camunda_admin::Error::Auth(camunda_admin::AuthError::NoCredentials)
        ),
        "{error:?}"
    );
    assert!(!error.is_retryable(), "{error:?}");
    let error = client.access_token().await.expect_err("no token to give");
    assert!(
        matches!(
            error,
            camunda_admin::Error::Auth(camunda_admin::AuthError::NoCredentials)
        ),
        "{error:?}"
    );
    assert_eq!(
        anything_else.calls_async().await,
        0,
        "nothing else was sent"
    );
}

#[tokio::test]
async fn get_meta_undocumented_500_is_an_api_error() {
    assert_api_errors(
        Route::anonymous("GET", "/meta/ip-ranges"),
        &[500],
        "GetMeta",
        |c| async move { c.get_meta().await },
    )
    .await;
}

// --- Coverage --------------------------------------------------------------

/// Each contract test names its operation id in its error check; a new
/// operation in the document without such a test fails here.
#[test]
fn every_operation_of_the_document_has_a_contract_test() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let document: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("openapi/camunda-admin.json"))
            .expect("the document is readable"),
    )
    .expect("the document is JSON");
    let operations: BTreeSet<String> = document["paths"]
        .as_object()
        .expect("paths is an object")
        .values()
        .flat_map(|item| item.as_object().expect("a path item is an object").values())
        .filter_map(|operation| operation.get("operationId")?.as_str().map(str::to_owned))
        .collect();

    let mut tests = String::new();
    let folder = root.join("tests/contract");
    for entry in std::fs::read_dir(&folder).expect("tests/contract is readable") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|extension| extension == "rs") {
            tests.push_str(&std::fs::read_to_string(&path).expect("a test file is readable"));
        }
    }

    let missing: Vec<&String> = operations
        .iter()
        .filter(|id| !tests.contains(&format!("\"{id}\"")))
        .collect();
    assert!(
        operations.len() >= 43,
        "too few operations read from the document: {operations:?}"
    );
    assert!(
        missing.is_empty(),
        "operations without a contract test: {missing:?}"
    );
}
