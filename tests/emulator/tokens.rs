//! The emulator's token service and the checks of bearer tokens: JWT-shaped
//! tokens, JSON, form and Basic requests, 401 for wrong credentials, the one
//! request per second limit (429), scopes (403) and expired tokens (401).

use std::time::Duration;

use crate::common::{
    admin_client, admin_grant, admin_token, grant, http, post_token_request, raw_get, raw_post,
    start_emulator, start_with_members_only_credential, token_for,
};
use camunda_admin::{
    emulator::{Emulator, EmulatorConfig, Scope, DEFAULT_AUDIENCE},
    Client, Error,
};
use serde_json::Value;

/// The content type of form-encoded token requests.
const FORM: &str = "application/x-www-form-urlencoded";

/// The status of the token endpoint's answer to `body`.
async fn token_status(emulator: &Emulator, body: Value) -> reqwest::StatusCode {
    post_token_request(emulator, body).await.status()
}

/// Start an emulator whose token service has no rate limit.
async fn unlimited_emulator(config: EmulatorConfig) -> Emulator {
    start_emulator(config.token_rate_limit(false)).await
}

/// Start an emulator whose tokens live `seconds`.
async fn emulator_with_token_lifetime(seconds: u64) -> Emulator {
    start_emulator(Emulator::builder().token_lifetime(Duration::from_secs(seconds))).await
}

fn base64url_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .expect("base64url")
}

#[tokio::test]
async fn tokens_are_jwt_shaped_with_claims_and_lifetime() {
    let emulator = emulator_with_token_lifetime(600).await;
    let response = post_token_request(&emulator, admin_grant(&emulator)).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 600);
    assert!(body["scope"].as_str().unwrap().contains("cluster"));
    let token = body["access_token"].as_str().unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    for part in &parts {
        assert!(!part.is_empty());
        assert!(part
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }
    let header: Value = serde_json::from_slice(&base64url_decode(parts[0])).unwrap();
    assert_eq!(header["typ"], "JWT");
    let claims: Value = serde_json::from_slice(&base64url_decode(parts[1])).unwrap();
    assert_eq!(claims["aud"], DEFAULT_AUDIENCE);
    assert!(claims["sub"]
        .as_str()
        .unwrap()
        .starts_with(emulator.admin_client_id()));
    let (iat, exp) = (
        claims["iat"].as_i64().unwrap(),
        claims["exp"].as_i64().unwrap(),
    );
    assert_eq!(exp - iat, 600);
    assert_eq!(claims["scopes"].as_array().unwrap().len(), Scope::ALL.len());
    assert!(claims["scopes"]
        .as_array()
        .unwrap()
        .contains(&Value::from("Zeebe Client")));
    assert_eq!(emulator.token_requests(), 1);
}

#[tokio::test(start_paused = true)]
async fn form_and_basic_requests_are_accepted() {
    let emulator =
        unlimited_emulator(Emulator::builder().admin_credential("admin id", "s3cr+t/=")).await;
    // Form-encoded body, as most OAuth clients send.
    let form = "grant_type=client_credentials&client_id=admin+id&client_secret=s3cr%2Bt%2F%3D&audience=api.cloud.camunda.io";
    let response = raw_post(emulator.token_url(), FORM, form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // HTTP Basic client authentication (RFC 6749 2.3.1: each part
    // form-urlencoded, then base64).
    let response = raw_post(emulator.token_url(), FORM, "grant_type=client_credentials")
        .basic_auth("admin+id", Some("s3cr%2Bt%2F%3D"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert!(body["access_token"].is_string());
    assert_eq!(emulator.token_requests(), 2);
}

#[tokio::test(start_paused = true)]
async fn wrong_credentials_and_bad_requests_are_refused() {
    let emulator = unlimited_emulator(Emulator::builder()).await;
    let id = emulator.admin_client_id().to_owned();
    let wrong = post_token_request(&emulator, grant(&id, "wrong")).await;
    assert_eq!(wrong.status(), 401);
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["error"], "access_denied");
    assert_eq!(token_status(&emulator, grant("unknown", "x")).await, 401);

    let mut body = admin_grant(&emulator);
    body["grant_type"] = "password".into();
    assert_eq!(token_status(&emulator, body).await, 400);
    let mut body = admin_grant(&emulator);
    body["audience"] = "zeebe.camunda.io".into();
    assert_eq!(token_status(&emulator, body).await, 400);
    let not_json = raw_post(emulator.token_url(), "application/json", "{")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    let get = http().get(emulator.token_url()).send().await.unwrap();
    assert_eq!(get.status(), 405);
    assert_eq!(emulator.token_requests(), 6);
}

#[tokio::test(start_paused = true)]
async fn one_token_request_per_second_per_client() {
    let emulator = start_with_members_only_credential("other", "other-secret").await;
    let id = emulator.admin_client_id().to_owned();
    assert_eq!(token_status(&emulator, admin_grant(&emulator)).await, 200);

    let limited = post_token_request(&emulator, admin_grant(&emulator)).await;
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "1");
    // A wrong secret is limited too, and the limit is per client id.
    assert_eq!(token_status(&emulator, grant(&id, "wrong")).await, 429);
    assert_eq!(
        token_status(&emulator, grant("other", "other-secret")).await,
        200
    );

    tokio::time::advance(Duration::from_millis(999)).await;
    assert_eq!(token_status(&emulator, admin_grant(&emulator)).await, 429);
    tokio::time::advance(Duration::from_millis(1)).await;
    assert_eq!(token_status(&emulator, admin_grant(&emulator)).await, 200);
    assert_eq!(emulator.token_requests(), 6);
}

#[tokio::test(start_paused = true)]
async fn the_rate_limit_can_be_turned_off() {
    let emulator = unlimited_emulator(Emulator::builder()).await;
    for _ in 0..3 {
        admin_token(&emulator).await;
    }
    assert_eq!(emulator.token_requests(), 3);
}

#[tokio::test]
async fn scopes_are_enforced_with_a_typed_403() {
    let emulator = start_with_members_only_credential("members-only", "secret").await;
    let token = token_for(&emulator, "members-only", "secret").await;
    let client = Client::with_static_token(&emulator.base_url(), token).unwrap();

    assert!(!client.get_members().await.unwrap().is_empty());
    // The activity log needs a token but no particular scope; GetMeta none.
    client.get_json().await.unwrap();
    client.get_meta().await.unwrap();

    let error = client.get_clusters().await.unwrap_err();
    match &error {
        Error::Api(api) => {
            assert_eq!(api.status.as_u16(), 403);
            assert_eq!(api.operation, "GetClusters");
            assert!(api.body.contains("Cluster"), "{}", api.body);
        }
        other => panic!("expected an API error, got {other:?}"),
    }
    for result in [
        client.get_secrets("any").await.map(|_| ()),
        client.get_clients("any").await.map(|_| ()),
        client.get_backups("any").await.map(|_| ()),
        client
            .update_ip_allowlist(
                "any",
                camunda_admin::types::IpAllowListBody::builder().ipallowlist(vec![]),
            )
            .await,
    ] {
        assert_eq!(result.unwrap_err().status().map(|s| s.as_u16()), Some(403));
    }
}

#[tokio::test]
async fn missing_unknown_and_expired_tokens_get_401() {
    let emulator = emulator_with_token_lifetime(60).await;

    let anonymous = raw_get(&emulator, "/clusters", None).await;
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    let meta = raw_get(&emulator, "/meta/ip-ranges", None).await;
    assert_eq!(meta.status(), 200);

    let forged = Client::with_static_token(&emulator.base_url(), "a.b.c").unwrap();
    let error = forged.get_clusters().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401), "{error}");

    let client = admin_client(&emulator).await;
    client.get_clusters().await.unwrap();
    emulator.advance_clock(Duration::from_secs(60));
    let error = client.get_clusters().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401), "{error}");
    assert!(
        error.to_string().contains("401") || error.is_auth(),
        "{error}"
    );
}

#[tokio::test(start_paused = true)]
async fn tokens_expire_on_the_paused_tokio_clock() {
    let emulator = emulator_with_token_lifetime(3600).await;
    let token = admin_token(&emulator).await;
    let ok = raw_get(&emulator, "/clusters", Some(&token)).await;
    assert_eq!(ok.status(), 200);
    tokio::time::advance(Duration::from_secs(3599)).await;
    let ok = raw_get(&emulator, "/clusters", Some(&token)).await;
    assert_eq!(ok.status(), 200);
    tokio::time::advance(Duration::from_secs(1)).await;
    let expired = raw_get(&emulator, "/clusters", Some(&token)).await;
    assert_eq!(expired.status(), 401);
    let body: Value = expired.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("expired"));
}

#[tokio::test(start_paused = true)]
async fn the_token_rate_interval_is_configurable() {
    let emulator =
        start_emulator(Emulator::builder().token_rate_interval(Duration::from_secs(5))).await;
    assert_eq!(token_status(&emulator, admin_grant(&emulator)).await, 200);
    let limited = post_token_request(&emulator, admin_grant(&emulator)).await;
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "5");
    tokio::time::advance(Duration::from_millis(4500)).await;
    let limited = post_token_request(&emulator, admin_grant(&emulator)).await;
    assert_eq!(
        limited.headers()["retry-after"],
        "1",
        "what is left, rounded up"
    );
    tokio::time::advance(Duration::from_millis(500)).await;
    assert_eq!(token_status(&emulator, admin_grant(&emulator)).await, 200);
}

/// A port of 127.0.0.1 that was free a moment ago.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

// What a `camunda-admin emulator` command would set from its arguments:
// port, admin and further credentials with scopes by name, token lifetime,
// rate limit.
#[tokio::test]
async fn everything_a_command_line_sets_is_configurable() {
    let port = free_port();
    let scopes: Vec<Scope> = "cluster, Members"
        .split(',')
        .map(|name| name.parse().unwrap())
        .collect();
    let emulator = start_emulator(
        Emulator::builder()
            .port(port)
            .admin_credential("admin", "admin-secret")
            .credential("ci", "ci-secret", scopes)
            .token_lifetime(Duration::from_secs(90))
            .token_rate_limit(false),
    )
    .await;
    assert_eq!(emulator.base_url(), format!("http://127.0.0.1:{port}"));
    assert_eq!(emulator.admin_client_id(), "admin");
    let response = post_token_request(&emulator, grant("ci", "ci-secret")).await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["expires_in"], 90);
    assert_eq!(body["scope"], "cluster members");
    assert_eq!(
        token_status(&emulator, grant("admin", "admin-secret")).await,
        200
    );
    assert!("owner".parse::<Scope>().is_err());
}
