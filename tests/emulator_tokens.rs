//! The emulator's token service and the checks of bearer tokens: JWT-shaped
//! tokens, JSON, form and Basic requests, 401 for wrong credentials, the one
//! request per second limit (429), scopes (403) and expired tokens (401).

use std::time::Duration;

use camunda_admin::{
    emulator::{Emulator, Scope, DEFAULT_AUDIENCE},
    Client, Error,
};
use serde_json::Value;

/// A client without a connection pool: no idle timers, so paused time
/// only moves when a test says so.
fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

async fn post_json(emulator: &Emulator, body: Value) -> reqwest::Response {
    http()
        .post(emulator.token_url())
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn grant(id: &str, secret: &str) -> Value {
    serde_json::json!({
        "grant_type": "client_credentials",
        "client_id": id,
        "client_secret": secret,
        "audience": DEFAULT_AUDIENCE,
    })
}

async fn token_for(emulator: &Emulator, id: &str, secret: &str) -> String {
    let response = post_json(emulator, grant(id, secret)).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

async fn admin_token(emulator: &Emulator) -> String {
    token_for(
        emulator,
        emulator.admin_client_id(),
        emulator.admin_client_secret().expose_secret(),
    )
    .await
}

fn base64url_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes() {
        let v = ALPHABET
            .iter()
            .position(|&a| a == c)
            .expect("base64url character") as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

#[tokio::test]
async fn tokens_are_jwt_shaped_with_claims_and_lifetime() {
    let emulator = Emulator::builder()
        .token_lifetime(Duration::from_secs(600))
        .start()
        .await
        .unwrap();
    let response = post_json(
        &emulator,
        grant(
            emulator.admin_client_id(),
            emulator.admin_client_secret().expose_secret(),
        ),
    )
    .await;
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
    let emulator = Emulator::builder()
        .admin_credential("admin id", "s3cr+t/=")
        .token_rate_limit(false)
        .start()
        .await
        .unwrap();
    // Form-encoded body, as most OAuth clients send.
    let form = "grant_type=client_credentials&client_id=admin+id&client_secret=s3cr%2Bt%2F%3D&audience=api.cloud.camunda.io";
    let response = http()
        .post(emulator.token_url())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // HTTP Basic client authentication (RFC 6749 2.3.1: each part
    // form-urlencoded, then base64).
    let response = http()
        .post(emulator.token_url())
        .basic_auth("admin+id", Some("s3cr%2Bt%2F%3D"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
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
    let emulator = Emulator::builder()
        .token_rate_limit(false)
        .start()
        .await
        .unwrap();
    let id = emulator.admin_client_id().to_owned();
    let wrong = post_json(&emulator, grant(&id, "wrong")).await;
    assert_eq!(wrong.status(), 401);
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["error"], "access_denied");
    assert_eq!(
        post_json(&emulator, grant("unknown", "x")).await.status(),
        401
    );

    let secret = emulator.admin_client_secret();
    let mut body = grant(&id, secret.expose_secret());
    body["grant_type"] = "password".into();
    assert_eq!(post_json(&emulator, body).await.status(), 400);
    let mut body = grant(&id, secret.expose_secret());
    body["audience"] = "zeebe.camunda.io".into();
    assert_eq!(post_json(&emulator, body).await.status(), 400);
    let not_json = http()
        .post(emulator.token_url())
        .header("content-type", "application/json")
        .body("{")
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
    let emulator = Emulator::builder()
        .credential("other", "other-secret", [Scope::Members])
        .start()
        .await
        .unwrap();
    let id = emulator.admin_client_id().to_owned();
    let secret = emulator.admin_client_secret();
    assert_eq!(
        post_json(&emulator, grant(&id, secret.expose_secret()))
            .await
            .status(),
        200
    );

    let limited = post_json(&emulator, grant(&id, secret.expose_secret())).await;
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "1");
    // A wrong secret is limited too, and the limit is per client id.
    assert_eq!(
        post_json(&emulator, grant(&id, "wrong")).await.status(),
        429
    );
    assert_eq!(
        post_json(&emulator, grant("other", "other-secret"))
            .await
            .status(),
        200
    );

    tokio::time::advance(Duration::from_millis(999)).await;
    assert_eq!(
        post_json(&emulator, grant(&id, secret.expose_secret()))
            .await
            .status(),
        429
    );
    tokio::time::advance(Duration::from_millis(1)).await;
    assert_eq!(
        post_json(&emulator, grant(&id, secret.expose_secret()))
            .await
            .status(),
        200
    );
    assert_eq!(emulator.token_requests(), 6);
}

#[tokio::test(start_paused = true)]
async fn the_rate_limit_can_be_turned_off() {
    let emulator = Emulator::builder()
        .token_rate_limit(false)
        .start()
        .await
        .unwrap();
    for _ in 0..3 {
        admin_token(&emulator).await;
    }
    assert_eq!(emulator.token_requests(), 3);
}

#[tokio::test]
async fn scopes_are_enforced_with_a_typed_403() {
    let emulator = Emulator::builder()
        .credential("members-only", "secret", [Scope::Members])
        .start()
        .await
        .unwrap();
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
                &camunda_admin::types::IpAllowListBody {
                    ipallowlist: vec![],
                },
            )
            .await,
    ] {
        assert_eq!(result.unwrap_err().status().map(|s| s.as_u16()), Some(403));
    }
}

#[tokio::test]
async fn missing_unknown_and_expired_tokens_get_401() {
    let emulator = Emulator::builder()
        .token_lifetime(Duration::from_secs(60))
        .start()
        .await
        .unwrap();

    let anonymous = http()
        .get(format!("{}/clusters", emulator.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    let meta = http()
        .get(format!("{}/meta/ip-ranges", emulator.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(meta.status(), 200);

    let forged = Client::with_static_token(&emulator.base_url(), "a.b.c").unwrap();
    let error = forged.get_clusters().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401), "{error}");

    let client =
        Client::with_static_token(&emulator.base_url(), admin_token(&emulator).await).unwrap();
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
    let emulator = Emulator::builder()
        .token_lifetime(Duration::from_secs(3600))
        .start()
        .await
        .unwrap();
    let token = admin_token(&emulator).await;
    let url = format!("{}/clusters", emulator.base_url());
    let ok = http().get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    tokio::time::advance(Duration::from_secs(3599)).await;
    let ok = http().get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    tokio::time::advance(Duration::from_secs(1)).await;
    let expired = http().get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(expired.status(), 401);
    let body: Value = expired.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("expired"));
}
