//! What the SDK makes of the token service's answers: capped reads, one
//! classification of refusals, lenient `expires_in`, a lifetime floor.

use std::path::Path;

use crate::common::{mock_with, on};
use camunda_admin::{AuthError, Client, Error};
use httpmock::prelude::*;
use httpmock::Then;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn builder(token_url: &str) -> camunda_admin::ClientBuilder {
    Client::builder()
        .base_url("http://127.0.0.1:9")
        .token_url(token_url)
        .credentials("answers-client", "answers-secret")
        .no_disk_cache()
}

fn token_json(expires_in: serde_json::Value) -> serde_json::Value {
    serde_json::json!({ "access_token": "tok-answers", "token_type": "Bearer", "expires_in": expires_in })
}

async fn token_endpoint<'a>(
    server: &'a MockServer,
    reply: impl FnOnce(Then) -> Then,
) -> httpmock::Mock<'a> {
    on(server, POST, "/oauth/token", reply).await
}

#[tokio::test]
async fn a_token_answer_over_the_default_cap_is_a_typed_error_naming_the_limit() {
    let server = MockServer::start_async().await;
    let huge = "x".repeat(200 * 1024);
    token_endpoint(&server, |then| {
        then.status(200)
            .header("content-type", "application/json")
            .body(format!(r#"{{"access_token":"{huge}","expires_in":3600}}"#))
    })
    .await;
    let client = builder(&server.url("/oauth/token"))
        .build()
        .expect("client");
    let error = client.access_token().await.expect_err("too large");
    assert!(
        matches!(
            error,
            Error::Auth(AuthError::TokenResponseTooLarge { limit: 65536 })
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("65536"), "{error}");
}

#[tokio::test]
async fn the_cap_is_configurable() {
    let server = MockServer::start_async().await;
    token_endpoint(&server, |then| {
        then.status(200).json_body(token_json(3600.into()))
    })
    .await;
    let url = server.url("/oauth/token");
    let small = builder(&url)
        .max_token_response_bytes(16)
        .build()
        .expect("client");
    let error = small.access_token().await.expect_err("over 16 bytes");
    assert!(
        matches!(
            error,
            Error::Auth(AuthError::TokenResponseTooLarge { limit: 16 })
        ),
        "{error:?}"
    );
    drop(small);
    let roomy = builder(&url)
        .max_token_response_bytes(4096)
        .build()
        .expect("client");
    assert_eq!(
        roomy.access_token().await.expect("fits").expose_secret(),
        "tok-answers"
    );
}

/// A token endpoint that answers 200 without a length and then streams
/// `{"access_token":"aaaa...` until the client hangs up (or 256 MiB).
async fn endless_token_endpoint() -> (String, tokio::task::JoinHandle<u64>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!(
        "http://{}/oauth/token",
        listener.local_addr().expect("addr")
    );
    let task = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.expect("accept");
        let mut request = vec![0; 4096];
        let _ = stream.read(&mut request).await;
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{\"access_token\":\"";
        if stream.write_all(head.as_bytes()).await.is_err() {
            return 0;
        }
        let chunk = vec![b'a'; 64 * 1024];
        let mut sent = 0u64;
        while sent < 256 * 1024 * 1024 {
            if stream.write_all(&chunk).await.is_err() {
                break;
            }
            sent += chunk.len() as u64;
        }
        sent
    });
    (url, task)
}

#[tokio::test]
async fn an_endless_token_answer_without_a_length_stops_at_the_cap() {
    let (url, server) = endless_token_endpoint().await;
    let client = builder(&url).build().expect("client");
    let error = client.access_token().await.expect_err("endless");
    assert!(
        matches!(
            error,
            Error::Auth(AuthError::TokenResponseTooLarge { limit: 65536 })
        ),
        "{error:?}"
    );
    drop(client);
    let sent = server.await.expect("server");
    assert!(
        sent < 64 * 1024 * 1024,
        "the client hung up early, after {sent} bytes"
    );
}

#[tokio::test]
async fn expires_in_as_a_numeric_string_is_a_token() {
    let server = MockServer::start_async().await;
    let token = token_endpoint(&server, |then| {
        then.status(200).json_body(token_json("3600".into()))
    })
    .await;
    let client = builder(&server.url("/oauth/token"))
        .build()
        .expect("client");
    for _ in 0..3 {
        assert_eq!(
            client.access_token().await.expect("token").expose_secret(),
            "tok-answers"
        );
    }
    token.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_zero_lifetime_is_used_as_the_floor_not_refetched_per_call() {
    let server = MockServer::start_async().await;
    let token = token_endpoint(&server, |then| {
        then.status(200).json_body(token_json(0.into()))
    })
    .await;
    let client = builder(&server.url("/oauth/token"))
        .build()
        .expect("client");
    for _ in 0..5 {
        client.access_token().await.expect("token");
    }
    token.assert_calls_async(1).await;
    assert_eq!(client.token_requests_sent(), 1);
}

/// A client of `server` keeping its tokens in `dir`.
fn disk_client(server: &MockServer, dir: &Path) -> Client {
    Client::builder()
        .base_url(server.base_url())
        .token_url(server.url("/oauth/token"))
        .credentials("refused-request-client", "a-secret")
        .cache_dir(dir)
        .build()
        .expect("client")
}

async fn assert_refused_request(
    reply: impl FnOnce(Then) -> Then,
    status: u16,
    oauth_error: Option<&'static str>,
) {
    let server = MockServer::start_async().await;
    let dir = tempfile::tempdir().expect("dir");
    let token = token_endpoint(&server, reply).await;
    let client = disk_client(&server, dir.path());
    let error = client.get_clusters().await.expect_err("refused request");
    match &error {
        Error::Auth(AuthError::TokenRequestRefused {
            status: s,
            oauth_error: code,
        }) => {
            assert_eq!((*s, *code), (status, oauth_error), "{error}");
        }
        other => panic!("expected TokenRequestRefused, got {other:?}"),
    }
    assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
    assert!(!error.is_retryable());
    assert_eq!(client.token_requests_sent(), 1, "not retried");
    // Not remembered, neither in memory nor on disk: a new process asks again.
    drop(client);
    let again = disk_client(&server, dir.path());
    again.get_clusters().await.expect_err("still refused");
    token.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_proxy_html_400_is_a_refused_request_not_refused_credentials() {
    assert_refused_request(
        |then| {
            then.status(400)
                .header("content-type", "text/html")
                .body("<html><body>Bad Request</body></html>")
        },
        400,
        None,
    )
    .await;
}

#[tokio::test]
async fn invalid_request_and_invalid_scope_keep_their_oauth_code() {
    assert_refused_request(
        |then| {
            then.status(400)
                .json_body(serde_json::json!({ "error": "invalid_request" }))
        },
        400,
        Some("invalid_request"),
    )
    .await;
    assert_refused_request(
        |then| {
            then.status(403)
                .json_body(serde_json::json!({ "error": "invalid_scope" }))
        },
        403,
        Some("invalid_scope"),
    )
    .await;
}

#[tokio::test]
async fn credential_error_codes_are_refusals_remembered_on_disk() {
    for code in ["invalid_client", "unauthorized_client", "invalid_grant"] {
        let server = MockServer::start_async().await;
        let dir = tempfile::tempdir().expect("dir");
        let token = mock_with(
            &server,
            |when| when.method(POST).path("/oauth/token"),
            |then| {
                then.status(400)
                    .json_body(serde_json::json!({ "error": code }))
            },
        )
        .await;
        let error = disk_client(&server, dir.path())
            .access_token()
            .await
            .expect_err("refused");
        assert!(
            matches!(
                error,
                Error::Auth(AuthError::InvalidCredentials { status: 400, .. })
            ),
            "{code}: {error:?}"
        );
        let again = disk_client(&server, dir.path())
            .access_token()
            .await
            .expect_err("remembered");
        assert!(matches!(
            again,
            Error::Auth(AuthError::InvalidCredentials { .. })
        ));
        token.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn a_408_is_an_unavailable_service_and_worth_retrying() {
    let server = MockServer::start_async().await;
    let slow = mock_with(
        &server,
        |when| when.method(POST).path("/oauth/token"),
        |then| then.status(408),
    )
    .await;
    let client = builder(&server.url("/oauth/token"))
        .token_deadline(std::time::Duration::from_millis(500))
        .build()
        .expect("client");
    let error = client.access_token().await.expect_err("unavailable");
    assert!(
        matches!(
            error,
            Error::Auth(AuthError::TokenServiceUnavailable {
                status: Some(408),
                ..
            })
        ),
        "{error:?}"
    );
    assert!(error.is_retryable());
    // The backoff (1 s) would pass the deadline: one request, then the error.
    slow.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_200_that_is_not_a_token_names_the_field_not_the_content() {
    for (body, expected) in [
        (
            r#"{"access_token": 7, "note": "SECRET-LOOKING"}"#,
            "at access_token",
        ),
        (
            r#"{"access_token": "t", "expires_in": "SECRET-LOOKING"}"#,
            "at expires_in",
        ),
        (r#"{"note": "SECRET-LOOKING"}"#, "no access_token"),
        (r#"{"access_token": ""}"#, "empty access_token"),
        ("SECRET-LOOKING", "not JSON"),
    ] {
        let server = MockServer::start_async().await;
        token_endpoint(&server, |then| {
            then.status(200)
                .header("content-type", "application/json")
                .body(body)
        })
        .await;
        let client = builder(&server.url("/oauth/token"))
            .build()
            .expect("client");
        let error = client.access_token().await.expect_err("not a token");
        match &error {
            Error::Auth(AuthError::InvalidTokenResponse(reason)) => {
                assert!(reason.contains(expected), "{body}: {reason}");
                assert!(!reason.contains("SECRET-LOOKING"), "{reason}");
            }
            other => panic!("{body}: expected InvalidTokenResponse, got {other:?}"),
        }
    }
}
