//! `--strict` (`EmulatorConfig::strict`): what the document forbids but the
//! live service is believed to accept. Lenient by default; strict refuses
//! an unknown field of a body the document closes (400, naming the field)
//! and a body sent under any `Content-Type` but JSON (415).

use crate::common::{admin_token, cluster_body, create_cluster, http, start_emulator};
use camunda_admin::{emulator::Emulator, Client};
use serde_json::{json, Value};

/// An emulator (strict or not), an admin token and a cluster "c".
async fn with_cluster(strict: bool) -> (Emulator, String, String) {
    let emulator = start_emulator(Emulator::builder().strict(strict)).await;
    let token = admin_token(&emulator).await;
    let id = create_cluster(&client(&emulator, &token), "c").await;
    (emulator, token, id)
}

fn client(emulator: &Emulator, token: &str) -> Client {
    Client::with_static_token(&emulator.base_url(), token).unwrap()
}

/// POST `body` as `content_type` to `path`: the status and the body text.
async fn post(
    emulator: &Emulator,
    token: &str,
    path: &str,
    content_type: &str,
    body: &Value,
) -> (u16, String) {
    let response = http()
        .post(format!("{}{path}", emulator.base_url()))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The names of the cluster's connector secrets.
async fn secret_names(emulator: &Emulator, token: &str, id: &str) -> Vec<String> {
    let secrets: Value = http()
        .get(format!("{}/clusters/{id}/secrets", emulator.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    secrets.as_object().unwrap().keys().cloned().collect()
}

fn secret_with_extra_field(name: &str) -> Value {
    json!({ "secretName": name, "secretValue": "v", "colour": "red" })
}

#[tokio::test]
async fn strict_refuses_an_unknown_field_of_a_closed_body_and_names_it() {
    let (emulator, token, id) = with_cluster(true).await;
    let path = format!("/clusters/{id}/secrets");
    let (status, text) = post(
        &emulator,
        &token,
        &path,
        "application/json",
        &secret_with_extra_field("a"),
    )
    .await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("colour"), "the field is named: {text}");
    assert!(secret_names(&emulator, &token, &id).await.is_empty());
    // The same body without the stranger is taken.
    let known = json!({ "secretName": "a", "secretValue": "v" });
    let (status, _) = post(&emulator, &token, &path, "application/json", &known).await;
    assert_eq!(status, 204);
}

#[tokio::test]
async fn by_default_an_unknown_field_of_a_closed_body_is_accepted() {
    let (emulator, token, id) = with_cluster(false).await;
    let path = format!("/clusters/{id}/secrets");
    let body = secret_with_extra_field("a");
    let (status, text) = post(&emulator, &token, &path, "application/json", &body).await;
    assert_eq!(status, 204, "{text}");
    assert_eq!(secret_names(&emulator, &token, &id).await, ["a"]);
}

#[tokio::test]
async fn strict_refuses_a_json_body_sent_as_text_or_as_a_form() {
    let (emulator, token, id) = with_cluster(true).await;
    let path = format!("/clusters/{id}/secrets");
    for (i, content_type) in ["text/plain", "application/x-www-form-urlencoded"]
        .into_iter()
        .enumerate()
    {
        let body = json!({ "secretName": format!("s{i}"), "secretValue": "v" });
        let (status, text) = post(&emulator, &token, &path, content_type, &body).await;
        assert_eq!(status, 415, "{content_type}: {text}");
        assert!(text.contains("application/json"), "{text}");
    }
    assert!(secret_names(&emulator, &token, &id).await.is_empty());
    // Parameters and case do not matter: it is JSON.
    let body = json!({ "secretName": "s", "secretValue": "v" });
    let json_utf8 = "Application/JSON; charset=utf-8";
    let (status, text) = post(&emulator, &token, &path, json_utf8, &body).await;
    assert_eq!(status, 204, "{text}");
}

#[tokio::test]
async fn by_default_a_json_body_sent_as_text_or_as_a_form_is_accepted() {
    let (emulator, token, id) = with_cluster(false).await;
    let path = format!("/clusters/{id}/secrets");
    for (i, content_type) in ["text/plain", "application/x-www-form-urlencoded"]
        .into_iter()
        .enumerate()
    {
        let body = json!({ "secretName": format!("s{i}"), "secretValue": "v" });
        let (status, text) = post(&emulator, &token, &path, content_type, &body).await;
        assert_eq!(status, 204, "{content_type}: {text}");
    }
    assert_eq!(secret_names(&emulator, &token, &id).await, ["s0", "s1"]);
}

#[tokio::test]
async fn an_open_body_keeps_unknown_fields_under_strict() {
    // The document leaves ActivateSecureConnectivity's body open.
    let (emulator, token, id) = with_cluster(true).await;
    let body = json!({
        "allowedPrincipals": ["arn:aws:iam::123456789012:root"],
        "allowedRegions": ["eu-central-1"],
        "colour": "red"
    });
    let path = format!("/clusters/{id}/secure-connectivity");
    let (status, text) = post(&emulator, &token, &path, "application/json", &body).await;
    assert!((200..300).contains(&status), "{status}: {text}");
}

#[tokio::test]
async fn create_cluster_is_closed_over_both_members_of_its_all_of() {
    // The document closes CreateClusterBody and adds
    // identityBackendChecksEnabled beside it in an allOf: strict takes the
    // fields of both members and refuses any other.
    let (emulator, token, _) = with_cluster(true).await;
    let client = client(&emulator, &token);
    let parameters = client.get_parameters().await.unwrap();
    let mut body = serde_json::to_value(cluster_body(&parameters, "both")).unwrap();
    body["identityBackendChecksEnabled"] = json!(true);
    let (status, text) = post(&emulator, &token, "/clusters", "application/json", &body).await;
    assert_eq!(status, 200, "{text}");
    body["name"] = json!("colour");
    body["colour"] = json!("red");
    let (status, text) = post(&emulator, &token, "/clusters", "application/json", &body).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("colour"), "{text}");
    assert_eq!(client.get_clusters().await.unwrap().len(), 2);
}
