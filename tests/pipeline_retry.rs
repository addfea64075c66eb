//! Retries of API calls: which methods and statuses, how often, and never a
//! blind retry of a create.

use std::time::Duration;

use camunda_admin::{Client, Error, RetryPolicy};
use httpmock::prelude::*;

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.base_url())
        .static_token("t")
        .retry(RetryPolicy {
            max_retries: 3,
            deadline: Duration::from_secs(30),
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
        })
        .build()
        .expect("client")
}

#[tokio::test]
async fn a_get_is_retried_on_503_until_it_succeeds() {
    let server = MockServer::start_async().await;
    let failing = server
        .mock_async(|when, then| {
            when.method(GET).path("/members");
            then.status(503).body("busy");
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
    let busy = server
        .mock_async(|when, then| {
            when.method(DELETE).path("/clusters/c1");
            then.status(429).header("retry-after", "0").up_to_n_times(2);
        })
        .await;
    let ok = server
        .mock_async(|when, then| {
            when.method(DELETE).path("/clusters/c1");
            then.status(204);
        })
        .await;
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
    let create = server
        .mock_async(|when, then| {
            when.method(POST).path("/clusters/c1/clients");
            then.status(502);
        })
        .await;
    let body = camunda_admin::types::CreateClusterClientBody {
        client_name: "ci".into(),
        permissions: vec![],
    };
    let error = client(&server)
        .create_client("c1", &body)
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
    let create = server
        .mock_async(|when, then| {
            when.method(POST).path("/clusters");
            then.status(503).body("Cluster creation is not available");
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
    let not_ready = server
        .mock_async(|when, then| {
            when.method(GET).path("/clusters/c1/clients/id1");
            then.status(412).body("cluster not ready");
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
    let missing = server
        .mock_async(|when, then| {
            when.method(GET).path("/clusters/nope");
            then.status(404).body("not found");
        })
        .await;
    let error = client(&server).get_cluster("nope").await.expect_err("404");
    assert!(!error.is_retryable());
    missing.assert_calls_async(1).await;
}

#[tokio::test]
async fn retries_can_be_turned_off() {
    let server = MockServer::start_async().await;
    let failing = server
        .mock_async(|when, then| {
            when.method(GET).path("/members");
            then.status(503);
        })
        .await;
    let client = Client::builder()
        .base_url(server.base_url())
        .static_token("t")
        .retry(RetryPolicy::disabled())
        .build()
        .expect("client");
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
    let client = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .static_token("t")
        .retry(RetryPolicy::disabled())
        .build()
        .expect("client");
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
    server
        .mock_async(|when, then| {
            when.method(POST).path("/clusters/c1/clients");
            then.status(201).json_body(serde_json::json!({
                "name": "ci", "uuid": "u", "clientId": "id", "clientSecret": "s3cr3t", "permissions": []
            }));
        })
        .await;
    let body = camunda_admin::types::CreateClusterClientBody {
        client_name: "ci".into(),
        permissions: vec![],
    };
    let created = client(&server)
        .create_client("c1", &body)
        .await
        .expect("201 is a success");
    assert_eq!(created.client_secret.expose_secret(), "s3cr3t");
}
