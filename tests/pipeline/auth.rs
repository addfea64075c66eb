//! The request pipeline against httpmock: token requests, caches, 401s.

use crate::common::{cluster_json, mock_with, on, on_json, on_json_up_to};
use camunda_admin::{AuthError, Client, Error};
use httpmock::prelude::*;
use httpmock::{Mock, Then};

const API_TOKEN: &str = "eyJ.fake-token.sig";

fn token_body(token: &str) -> serde_json::Value {
    serde_json::json!({ "access_token": token, "token_type": "Bearer", "expires_in": 86400, "scope": "Cluster" })
}

fn builder(server: &MockServer) -> camunda_admin::ClientBuilder {
    Client::builder()
        .base_url(server.base_url())
        .token_url(server.url("/oauth/token"))
        .audience("api.cloud.camunda.io")
        .credentials("my-client", "my-secret")
        .no_disk_cache()
}

/// A client of `server` with credentials `id` and `secret` that keeps its
/// tokens in the disk cache at `dir`.
fn disk_client(server: &MockServer, id: &str, secret: &str, dir: &std::path::Path) -> Client {
    Client::builder()
        .base_url(server.base_url())
        .token_url(server.url("/oauth/token"))
        .credentials(id, secret)
        .cache_dir(dir)
        .build()
        .expect("client")
}

/// The token endpoint, answering every request with `token`.
async fn token_endpoint<'a>(server: &'a MockServer, token: &str) -> Mock<'a> {
    on_json(server, POST, "/oauth/token", token_body(token)).await
}

/// The token endpoint, answering the first request with `token`.
async fn token_endpoint_once<'a>(server: &'a MockServer, token: &str) -> Mock<'a> {
    on_json_up_to(server, POST, "/oauth/token", token_body(token), 1).await
}

/// The token endpoint, answering as `reply` sets up the requests that carry
/// `client_secret`.
async fn token_endpoint_for_secret<'a>(
    server: &'a MockServer,
    client_secret: &str,
    reply: impl FnOnce(Then) -> Then,
) -> Mock<'a> {
    mock_with(
        server,
        |when| {
            when.method(POST)
                .path("/oauth/token")
                .form_urlencoded_tuple("client_secret", client_secret)
        },
        reply,
    )
    .await
}

/// `GET path` with `Authorization: Bearer {token}`, answered as `reply` sets up.
async fn get_with_bearer<'a>(
    server: &'a MockServer,
    path: &str,
    token: &str,
    reply: impl FnOnce(Then) -> Then,
) -> Mock<'a> {
    mock_with(
        server,
        |when| {
            when.method(GET)
                .path(path)
                .header("authorization", format!("Bearer {token}"))
        },
        reply,
    )
    .await
}

/// An empty JSON list, the answer of the list operations here.
fn empty_list(then: Then) -> Then {
    then.status(200).json_body(serde_json::json!([]))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_on_a_cold_cache_make_one_token_request() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth/token")
                .form_urlencoded_tuple("grant_type", "client_credentials")
                .form_urlencoded_tuple("audience", "api.cloud.camunda.io")
                .form_urlencoded_tuple("client_id", "my-client")
                .form_urlencoded_tuple("client_secret", "my-secret");
            then.status(200).json_body(token_body(API_TOKEN));
        })
        .await;
    let api = get_with_bearer(&server, "/clusters", API_TOKEN, empty_list).await;

    let client = builder(&server).build().expect("client");
    let calls: Vec<_> = (0..1000)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get_clusters().await })
        })
        .collect();
    for call in calls {
        assert!(call.await.expect("task").expect("call").is_empty());
    }
    token.assert_calls_async(1).await;
    api.assert_calls_async(1000).await;
    assert_eq!(client.token_requests_sent(), 1);
}

#[tokio::test]
async fn clients_built_with_the_same_credentials_share_the_token() {
    let server = MockServer::start_async().await;
    let token = token_endpoint(&server, API_TOKEN).await;
    on(&server, GET, "/members", empty_list).await;
    let first = builder(&server).build().expect("client");
    let second = builder(&server).build().expect("client");
    first.get_members().await.expect("call");
    second.get_members().await.expect("call");
    token.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_new_process_with_a_cached_token_on_disk_asks_for_none() {
    let server = MockServer::start_async().await;
    let (_parent, dir) = tempdir("disk-reuse");
    let token = token_endpoint(&server, API_TOKEN).await;
    let api = get_with_bearer(&server, "/members", API_TOKEN, empty_list).await;

    let first = disk_client(&server, "disk-client", "disk-secret", &dir);
    first.get_members().await.expect("call");
    // Dropping every client of the key empties the in-memory slot, as a new
    // process would start.
    drop(first);
    let second = disk_client(&server, "disk-client", "disk-secret", &dir);
    second.get_members().await.expect("call");

    token.assert_calls_async(1).await;
    api.assert_calls_async(2).await;
    assert_eq!(second.token_requests_sent(), 0, "the new slot asked nobody");
    assert_private_and_secret_free(&dir, &["disk-secret", "disk-client"]);
}

#[tokio::test]
async fn a_corrupt_cache_file_is_ignored_and_replaced() {
    let server = MockServer::start_async().await;
    let (_parent, dir) = tempdir("corrupt");
    let token = token_endpoint(&server, API_TOKEN).await;
    on(&server, GET, "/members", empty_list).await;
    let key = camunda_admin::StoreKey::derive(
        camunda_admin::TokenKey::new(
            server.url("/oauth/token"),
            "corrupt-client",
            camunda_admin::DEFAULT_AUDIENCE,
        ),
        &"s3cr3t".into(),
    );
    std::fs::create_dir_all(&dir).expect("dir");
    set_mode(&dir, 0o700);
    let path = dir.join(format!("camunda-admin-v1-{}.token", key.id()));
    std::fs::write(&path, b"{\"token_url\": \"trunc").expect("write");
    set_mode(&path, 0o600);

    let client = disk_client(&server, "corrupt-client", "s3cr3t", &dir);
    client
        .get_members()
        .await
        .expect("a corrupt file is not fatal");
    token.assert_calls_async(1).await;
    let replaced = std::fs::read(&path).expect("rewritten");
    let opened = key
        .open_token(&replaced)
        .expect("the file now holds a sealed token");
    assert_eq!(opened.access_token.expose_secret(), API_TOKEN);
}

#[cfg(unix)]
fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[tokio::test]
async fn bad_credentials_make_one_request_then_fail_fast_with_a_typed_error() {
    let server = MockServer::start_async().await;
    let (_parent, dir) = tempdir("refused");
    let token = on(&server, POST, "/oauth/token", |then| {
        then.status(401).json_body(
            serde_json::json!({ "error": "access_denied", "error_description": "Unauthorized" }),
        )
    })
    .await;
    let api = on(&server, GET, "/clusters", empty_list).await;
    let build = || disk_client(&server, "wrong-client", "wrong-secret", &dir);
    let client = build();
    for _ in 0..5 {
        let error = client.get_clusters().await.expect_err("refused");
        assert!(error.is_auth());
        match &error {
            Error::Auth(AuthError::InvalidCredentials { client_id, status }) => {
                assert_eq!(client_id, "wrong-client");
                assert_eq!(*status, 401);
            }
            other => panic!("expected InvalidCredentials, got {other:?}"),
        }
        assert!(
            error.to_string().contains("CAMUNDA_CONSOLE_CLIENT_SECRET"),
            "the message says what to check"
        );
    }
    drop(client);
    // Another process with the same wrong secret does not ask either.
    let again = build().get_clusters().await.expect_err("still refused");
    assert!(matches!(
        again,
        Error::Auth(AuthError::InvalidCredentials { .. })
    ));
    token.assert_calls_async(1).await;
    api.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_401_from_the_api_refreshes_once_and_retries_once() {
    let server = MockServer::start_async().await;
    let revoked_token = token_endpoint_once(&server, "revoked-token").await;
    let fresh_token = token_endpoint(&server, "fresh-token").await;
    let refused = get_with_bearer(&server, "/clusters/c1", "revoked-token", |then| {
        then.status(401)
    })
    .await;
    let ok = get_with_bearer(&server, "/clusters/c1", "fresh-token", |then| {
        then.status(200).json_body(cluster_json("Healthy"))
    })
    .await;
    let client = builder(&server).build().expect("client");
    let cluster = client
        .get_cluster("c1")
        .await
        .expect("retried with the fresh token");
    assert_eq!(cluster.uuid, "c1");
    revoked_token.assert_calls_async(1).await;
    refused.assert_calls_async(1).await;
    fresh_token.assert_calls_async(1).await;
    ok.assert_calls_async(1).await;
    // The fresh token is cached: no further token request.
    client.get_cluster("c1").await.expect("cached");
    fresh_token.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_second_401_is_a_typed_auth_error_not_a_loop() {
    let server = MockServer::start_async().await;
    let token = token_endpoint(&server, API_TOKEN).await;
    let api = on(&server, GET, "/clusters/c1", |then| then.status(401)).await;
    let client = builder(&server).build().expect("client");
    let error = client.get_cluster("c1").await.expect_err("refused twice");
    assert!(
        matches!(
            error,
            Error::Auth(AuthError::TokenRejected {
                operation: camunda_admin::OperationId::GetCluster
            })
        ),
        "{error:?}"
    );
    token.assert_calls_async(2).await;
    api.assert_calls_async(2).await;
}

#[tokio::test]
async fn an_operation_without_security_sends_no_token_and_asks_for_none() {
    let server = MockServer::start_async().await;
    let token = token_endpoint(&server, API_TOKEN).await;
    let meta = mock_with(
        &server,
        |when| {
            when.method(GET)
                .path("/meta/ip-ranges")
                .header_missing("authorization")
        },
        |then| {
            then.status(200)
                .json_body(serde_json::json!({ "web-modeler": ["1.2.3.4/32"] }))
        },
    )
    .await;
    let client = builder(&server).build().expect("client");
    let ranges = client.get_meta().await.expect("meta");
    assert_eq!(ranges.web_modeler, vec!["1.2.3.4/32".to_owned()]);
    meta.assert_async().await;
    token.assert_calls_async(0).await;
}

#[test]
fn plain_http_is_refused_except_to_loopback() {
    let remote = Client::builder()
        .base_url("http://api.example.com")
        .static_token("t")
        .build();
    assert!(matches!(remote, Err(Error::Config(_))), "{remote:?}");
    let token_url = Client::builder()
        .token_url("http://login.example.com/oauth/token")
        .credentials("id", "secret")
        .no_disk_cache()
        .build();
    assert!(matches!(token_url, Err(Error::Config(_))));
    for local in [
        "http://127.0.0.1:8080",
        "http://localhost:1/x/",
        "http://[::1]:9/",
    ] {
        assert!(
            Client::builder()
                .base_url(local)
                .static_token("t")
                .build()
                .is_ok(),
            "{local}"
        );
    }
}

#[tokio::test]
async fn a_base_url_with_a_path_prefix_keeps_it() {
    let server = MockServer::start_async().await;
    let api = on(&server, GET, "/prefix/members", empty_list).await;
    let client =
        Client::with_static_token(&format!("{}/prefix/", server.base_url()), "t").expect("client");
    client.get_members().await.expect("call");
    api.assert_async().await;
}

/// A cache folder path not yet created (the client creates it), inside a
/// temporary folder removed when the guard drops.
fn tempdir(name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let parent = tempfile::Builder::new()
        .prefix("camunda-admin-test-")
        .tempdir()
        .expect("temporary folder");
    let dir = parent.path().join(name);
    (parent, dir)
}

#[cfg(unix)]
fn assert_private_and_secret_free(dir: &std::path::Path, secrets: &[&str]) {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir).expect("dir").permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "cache folder mode");
    let files: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .collect();
    let names: Vec<_> = files
        .iter()
        .map(|f| f.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names.iter().filter(|n| n.ends_with(".token")).count(),
        1,
        "one token file: {names:?}"
    );
    assert!(
        names.iter().all(|n| !n.ends_with(".tmp")),
        "no temporary left: {names:?}"
    );
    for (file, name) in files.iter().zip(&names) {
        let mode = std::fs::metadata(file).expect("file").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name} mode");
        let bytes = std::fs::read(file).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        for secret in [secrets[0], secrets[1], API_TOKEN] {
            assert!(!text.contains(secret), "{name} holds {secret}");
            assert!(!name.contains(secret), "{name} names {secret}");
        }
    }
}

#[cfg(not(unix))]
fn assert_private_and_secret_free(_: &std::path::Path, _: &[&str]) {}

#[tokio::test]
async fn a_client_with_a_wrong_secret_never_reuses_another_clients_token() {
    let server = MockServer::start_async().await;
    let (_parent, dir) = tempdir("wrong-secret");
    let good = token_endpoint_for_secret(&server, "right", |then| {
        then.status(200).json_body(token_body(API_TOKEN))
    })
    .await;
    let bad = token_endpoint_for_secret(&server, "wrong", |then| {
        then.status(401)
            .json_body(serde_json::json!({ "error": "access_denied" }))
    })
    .await;
    on(&server, GET, "/members", empty_list).await;
    let with_secret = |secret: &str| disk_client(&server, "shared-id", secret, &dir);
    let right = with_secret("right");
    right.get_members().await.expect("the right secret works");
    // Same id, same process, same disk cache, wrong secret: refused.
    let error = with_secret("wrong")
        .get_members()
        .await
        .expect_err("wrong secret");
    assert!(
        matches!(error, Error::Auth(AuthError::InvalidCredentials { .. })),
        "{error:?}"
    );
    drop(right);
    let error = with_secret("wrong")
        .get_members()
        .await
        .expect_err("not from the disk either");
    assert!(matches!(
        error,
        Error::Auth(AuthError::InvalidCredentials { .. })
    ));
    good.assert_calls_async(1).await;
    bad.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_400_for_a_wrong_audience_is_a_refused_request_and_not_remembered() {
    let server = MockServer::start_async().await;
    let token = on(&server, POST, "/oauth/token", |then| {
        then.status(400)
            .json_body(serde_json::json!({ "error": "invalid_request", "error_description": "unknown audience" }))
    })
    .await;
    let client = builder(&server)
        .audience("wrong-audience")
        .build()
        .expect("client");
    for _ in 0..2 {
        let error = client.get_clusters().await.expect_err("refused");
        match &error {
            Error::Auth(AuthError::TokenRequestRefused {
                status: 400,
                oauth_error: Some("invalid_request"),
            }) => assert!(error.to_string().contains("audience"), "{error}"),
            other => panic!("expected a refused token request, got {other:?}"),
        }
        assert!(
            !error.to_string().contains("unknown audience"),
            "the description is reduced to the code: {error}"
        );
    }
    // Not remembered as bad credentials: each call asked again (paced).
    token.assert_calls_async(2).await;
}

#[test]
fn urls_with_user_info_are_refused_without_echoing_them() {
    let error = Client::builder()
        .base_url("https://user:hunter2@api.example.com")
        .static_token("t")
        .build()
        .expect_err("user info");
    assert!(matches!(error, Error::Config(_)));
    assert!(!format!("{error} {error:?}").contains("hunter2"));
}

#[tokio::test]
async fn a_request_carries_its_bearer_and_no_header_the_api_does_not_define() {
    let server = MockServer::start_async().await;
    token_endpoint(&server, API_TOKEN).await;
    let members = mock_with(
        &server,
        |when| {
            when.method(GET)
                .path("/members")
                .header("authorization", format!("Bearer {API_TOKEN}"))
                .header_missing("api-version")
        },
        |then| then.status(200).json_body(serde_json::json!([])),
    )
    .await;
    let client = builder(&server).build().expect("client");
    client.get_members().await.expect("members");
    members.assert_async().await;
}
