//! Retries of API calls: which methods and statuses, how often, and never a
//! blind retry of a create.

mod common;

use camunda_admin::{Client, Error, RetryPolicy};
use common::{on, FAST_RETRIES};
use httpmock::prelude::*;

/// A client of `base_url` with a static token and `retry`.
fn client_with(base_url: impl Into<String>, retry: RetryPolicy) -> Client {
    Client::builder()
        .base_url(base_url)
        .static_token("t")
        .retry(retry)
        .build()
        .expect("client")
}

/// A client of `server` that retries with millisecond pauses.
fn client(server: &MockServer) -> Client {
    client_with(server.base_url(), FAST_RETRIES)
}

/// The body of a `CreateClient` call for client "ci" with no permissions.
fn ci_client_body() -> camunda_admin::types::CreateClusterClientBody {
    camunda_admin::types::CreateClusterClientBody {
        client_name: "ci".into(),
        permissions: vec![],
    }
}

#[tokio::test]
async fn a_get_is_retried_on_503_until_it_succeeds() {
    let server = MockServer::start_async().await;
    let failing = on(&server, GET, "/members", |then| {
        then.status(503).body("busy")
    })
    .await;
    let client = client(&server);
    let error = client.get_members().await.expect_err("always 503");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert!(error.is_retryable());
    failing.assert_calls_async(4).await; // the first attempt and three retries
}

#[tokio::test]
async fn a_delete_rides_out_429s_honouring_retry_after() {
    let server = MockServer::start_async().await;
    let busy = on(&server, DELETE, "/clusters/c1", |then| {
        then.status(429).header("retry-after", "0").up_to_n_times(2)
    })
    .await;
    let ok = on(&server, DELETE, "/clusters/c1", |then| then.status(204)).await;
    client(&server)
        .delete_cluster("c1")
        .await
        .expect("succeeds on the third attempt");
    busy.assert_calls_async(2).await;
    ok.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_post_is_not_retried_on_an_ambiguous_failure() {
    let server = MockServer::start_async().await;
    let create = on(&server, POST, "/clusters/c1/clients", |then| {
        then.status(502)
    })
    .await;
    let error = client(&server)
        .create_client("c1", &ci_client_body())
        .await
        .expect_err("502");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(502));
    assert!(
        !error.is_retryable(),
        "a POST that may have been processed is not safe to send again"
    );
    create.assert_calls_async(1).await;
}

#[tokio::test]
async fn create_cluster_is_retried_on_its_documented_503() {
    let server = MockServer::start_async().await;
    let create = on(&server, POST, "/clusters", |then| {
        then.status(503).body("Cluster creation is not available")
    })
    .await;
    let body: camunda_admin::types::CreateClusterBody = serde_json::from_value(serde_json::json!({
        "name": "n", "planTypeId": "p", "channelId": "c", "generationId": "g", "regionId": "r"
    }))
    .expect("body");
    let error = client(&server)
        .create_cluster(&body)
        .await
        .expect_err("503");
    assert!(
        matches!(&error, Error::Api(api) if api.status == 503 && api.operation == "CreateCluster")
    );
    create.assert_calls_async(4).await;
}

#[tokio::test]
async fn get_client_is_retried_while_the_cluster_is_not_ready() {
    let server = MockServer::start_async().await;
    let not_ready = on(&server, GET, "/clusters/c1/clients/id1", |then| {
        then.status(412).body("cluster not ready")
    })
    .await;
    let error = client(&server)
        .get_client("c1", "id1")
        .await
        .expect_err("412");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(412));
    not_ready.assert_calls_async(4).await;
}

#[tokio::test]
async fn a_404_is_never_retried() {
    let server = MockServer::start_async().await;
    let missing = on(&server, GET, "/clusters/nope", |then| {
        then.status(404).body("not found")
    })
    .await;
    let error = client(&server).get_cluster("nope").await.expect_err("404");
    assert!(!error.is_retryable());
    missing.assert_calls_async(1).await;
}

#[tokio::test]
async fn retries_can_be_turned_off() {
    let server = MockServer::start_async().await;
    let failing = on(&server, GET, "/members", |then| then.status(503)).await;
    let client = client_with(server.base_url(), RetryPolicy::disabled());
    client.get_members().await.expect_err("503");
    failing.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let client = client_with(format!("http://127.0.0.1:{port}"), RetryPolicy::disabled());
    let error = client.get_members().await.expect_err("nothing listens");
    assert!(
        matches!(
            error,
            Error::Transport {
                operation: "GetMembers",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn an_undocumented_201_is_a_success_not_an_error_holding_the_secret() {
    let server = MockServer::start_async().await;
    on(&server, POST, "/clusters/c1/clients", |then| {
        then.status(201).json_body(serde_json::json!({
            "name": "ci", "uuid": "u", "clientId": "id", "clientSecret": "s3cr3t", "permissions": []
        }))
    })
    .await;
    let created = client(&server)
        .create_client("c1", &ci_client_body())
        .await
        .expect("201 is a success");
    assert_eq!(created.client_secret.expose_secret(), "s3cr3t");
}
