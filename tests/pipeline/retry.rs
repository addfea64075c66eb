//! Retries of API calls: which methods and statuses, how often, and never a
//! blind retry of a create.

use crate::common::{fast_retries, on};
use camunda_admin::{Client, Error, RetryPolicy};
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
    client_with(server.base_url(), fast_retries())
}

/// The body of a `CreateClient` call for client "ci" with no permissions.
fn ci_client_body() -> camunda_admin::types::CreateClusterClientBody {
    camunda_admin::types::CreateClusterClientBody::builder()
        .client_name("ci")
        .permissions(vec![])
        .try_into()
        .expect("a valid body")
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
async fn a_post_answered_429_is_resent_only_after_retry_after() {
    let server = MockServer::start_async().await;
    let refused = on(&server, POST, "/members/a@example.com", |then| {
        then.status(429).header("retry-after", "1").up_to_n_times(1)
    })
    .await;
    let created = on(&server, POST, "/members/a@example.com", |then| {
        then.status(204)
    })
    .await;
    let body = camunda_admin::types::PostMemberBody::builder().org_roles(vec![]);
    let started = std::time::Instant::now();
    client(&server)
        .update_members("a@example.com", body)
        .await
        .expect("the server did not act on the 429: resending is safe");
    // A lower bound only: the resend waited for the server's time.
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    refused.assert_calls_async(1).await;
    created.assert_calls_async(1).await;
}

#[tokio::test]
async fn is_retryable_says_what_the_pipeline_did() {
    // For each status on a GET and a POST: the pipeline resent (4 calls)
    // exactly when the final error says it is retryable.
    for status in [400, 404, 408, 409, 412, 429, 500, 502, 503, 504] {
        for post in [false, true] {
            let server = MockServer::start_async().await;
            let mock = if post {
                on(&server, POST, "/clusters/c1/backups", |then| {
                    then.status(status)
                })
                .await
            } else {
                on(&server, GET, "/members", |then| then.status(status)).await
            };
            let client = client(&server);
            let error = if post {
                client.create_backup("c1").await.map(|_| ())
            } else {
                client.get_members().await.map(|_| ())
            }
            .expect_err("fails");
            let calls = mock.calls_async().await;
            assert_eq!(
                calls == 4,
                error.is_retryable(),
                "post {post}, {status}: {calls} calls, is_retryable {}",
                error.is_retryable()
            );
            assert!(calls == 1 || calls == 4, "{calls}");
        }
    }
}

#[tokio::test]
async fn a_post_is_not_retried_on_an_ambiguous_failure() {
    let server = MockServer::start_async().await;
    let create = on(&server, POST, "/clusters/c1/clients", |then| {
        then.status(502)
    })
    .await;
    let error = client(&server)
        .create_client("c1", ci_client_body())
        .await
        .expect_err("502");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(502));
    assert!(
        !error.is_retryable(),
        "a POST that may have been processed is not safe to send again"
    );
    create.assert_calls_async(1).await;
}

fn cluster_body(name: &str) -> camunda_admin::types::builder::CreateClusterBody {
    camunda_admin::types::CreateClusterBody::builder()
        .name(name)
        .plan_type_id("p")
        .channel_id("c")
        .generation_id("g")
        .region_id("r")
}

/// What GetClusters answers: one cluster of `name`, created `created`.
fn clusters_json(name: &str, created: &str) -> serde_json::Value {
    serde_json::json!([{
        "uuid": "c-1", "name": name, "created": created, "ownerId": "o", "autoUpdate": false,
        "planType": { "uuid": "p", "name": "Basic" },
        "channel": { "uuid": "c", "name": "Stable" },
        "generation": { "uuid": "g", "name": "8.8" },
        "region": { "uuid": "r", "name": "Belgium" },
        "status": { "ready": "Creating" },
        "links": {}
    }])
}

#[tokio::test]
async fn create_cluster_is_resent_on_503_once_a_read_shows_nothing_was_created() {
    let server = MockServer::start_async().await;
    let create = on(&server, POST, "/clusters", |then| {
        then.status(503).body("Cluster creation is not available")
    })
    .await;
    // A cluster of the same name from long ago is not this call's.
    let read = on(&server, GET, "/clusters", |then| {
        then.status(200)
            .json_body(clusters_json("n", "2020-01-01T00:00:00Z"))
    })
    .await;
    let error = client(&server)
        .create_cluster(cluster_body("n"))
        .await
        .expect_err("503");
    assert!(
        matches!(&error, Error::Api(api) if api.status == 503 && api.operation == "CreateCluster"),
        "{error:?}"
    );
    assert!(error.is_retryable(), "the read showed nothing was created");
    create.assert_calls_async(4).await;
    read.assert_calls_async(4).await;
}

#[tokio::test]
async fn create_cluster_answered_503_after_it_created_the_cluster_is_sent_once() {
    let server = MockServer::start_async().await;
    let create = on(&server, POST, "/clusters", |then| {
        then.status(503)
            .body("gateway timeout after the backend acted")
    })
    .await;
    let now = chrono::Utc::now().to_rfc3339();
    let _read = on(&server, GET, "/clusters", |then| {
        then.status(200).json_body(clusters_json("orders", &now))
    })
    .await;
    let error = client(&server)
        .create_cluster(cluster_body("orders"))
        .await
        .expect_err("may have been created");
    match &error {
        Error::MaybeCreated {
            operation,
            status,
            existing_id,
        } => {
            assert_eq!(
                (*operation, *status),
                (camunda_admin::OperationId::CreateCluster, 503)
            );
            assert_eq!(existing_id.as_deref(), Some("c-1"));
        }
        other => panic!("expected MaybeCreated, got {other:?}"),
    }
    assert!(
        !error.is_retryable(),
        "resending could create a second cluster"
    );
    create.assert_calls_async(1).await;
}

#[tokio::test]
async fn create_cluster_answered_503_is_not_resent_when_the_read_fails() {
    let server = MockServer::start_async().await;
    let create = on(&server, POST, "/clusters", |then| then.status(503)).await;
    let read = on(&server, GET, "/clusters", |then| then.status(500)).await;
    let error = client_with(server.base_url(), RetryPolicy::disabled())
        .create_cluster(cluster_body("orders"))
        .await
        .expect_err("unknown outcome");
    assert!(
        matches!(
            &error,
            Error::MaybeCreated {
                existing_id: None,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    create.assert_calls_async(1).await;
    // Read once, even with retries disabled: the answer must say whether
    // resending is safe, whatever budget is left.
    read.assert_calls_async(1).await;
}

fn secret_body(name: &str) -> camunda_admin::types::builder::CreateSecretBody {
    camunda_admin::types::CreateSecretBody::builder()
        .secret_name(name)
        .secret_value("v")
}

#[tokio::test]
async fn create_secret_answered_409_for_a_taken_name_is_already_exists_after_one_post() {
    let server = MockServer::start_async().await;
    let create = on(&server, POST, "/clusters/c1/secrets", |then| {
        then.status(409).body("conflict")
    })
    .await;
    let _read = on(&server, GET, "/clusters/c1/secrets", |then| {
        then.status(200).json_body(serde_json::json!({ "DB": "x" }))
    })
    .await;
    let error = client(&server)
        .create_secret("c1", secret_body("DB"))
        .await
        .expect_err("taken");
    assert!(
        matches!(&error, Error::AlreadyExists { operation: camunda_admin::OperationId::CreateSecret, name } if name == "DB"),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    create.assert_calls_async(1).await;
}

#[tokio::test]
async fn create_secret_answered_409_while_the_name_is_free_is_resent() {
    let server = MockServer::start_async().await;
    let create = on(&server, POST, "/clusters/c1/secrets", |then| {
        then.status(409).body("another change is in progress")
    })
    .await;
    let _read = on(&server, GET, "/clusters/c1/secrets", |then| {
        then.status(200)
            .json_body(serde_json::json!({ "OTHER": "x" }))
    })
    .await;
    let error = client(&server)
        .create_secret("c1", secret_body("DB"))
        .await
        .expect_err("busy");
    assert!(
        matches!(&error, Error::Api(e) if e.status == 409),
        "{error:?}"
    );
    assert!(error.is_retryable(), "busy, and the name is free");
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
                operation: camunda_admin::OperationId::GetMembers,
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
        .create_client("c1", ci_client_body())
        .await
        .expect("201 is a success");
    assert_eq!(created.client_secret.expose_secret(), "s3cr3t");
}

/// The loop stopped because the read before a resend failed: nothing says
/// that sending again is safe, so the error is not retryable (it used to
/// answer true, against its own documentation).
#[tokio::test]
async fn create_secret_answered_409_when_the_read_fails_is_not_retryable() {
    let server = MockServer::start_async().await;
    let create = on(&server, POST, "/clusters/c1/secrets", |then| {
        then.status(409).body("conflict")
    })
    .await;
    let read = on(&server, GET, "/clusters/c1/secrets", |then| {
        then.status(500).body("down")
    })
    .await;
    let error = client(&server)
        .create_secret("c1", secret_body("DB"))
        .await
        .expect_err("the 409 stands");
    assert!(
        matches!(&error, Error::Api(e) if e.status == 409),
        "{error:?}"
    );
    assert!(!error.is_retryable(), "the read that would tell failed");
    create.assert_calls_async(1).await;
    read.assert_calls_async(1).await;
}

/// A 401 fetches one new token and sends again once; a second 401 is the
/// typed auth error, after two token requests and two attempts.
#[tokio::test]
async fn a_second_401_is_token_rejected_after_one_refresh() {
    let server = MockServer::start_async().await;
    let token = on(&server, POST, "/oauth/token", |then| {
        then.status(200).json_body(serde_json::json!({
            "access_token": "t", "token_type": "Bearer", "expires_in": 3600
        }))
    })
    .await;
    let api = on(&server, GET, "/members", |then| then.status(401)).await;
    let client = Client::builder()
        .base_url(server.base_url())
        .token_url(server.url("/oauth/token"))
        .credentials("retry-401-client", "s")
        .no_disk_cache()
        .retry(fast_retries())
        .build()
        .expect("client");
    let error = client.get_members().await.expect_err("refused");
    assert!(
        matches!(
            &error,
            Error::Auth(camunda_admin::AuthError::TokenRejected {
                operation: camunda_admin::OperationId::GetMembers
            })
        ),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    api.assert_calls_async(2).await;
    token.assert_calls_async(2).await;
}
