//! The control plane over HTTP, as a test in another language would use
//! it: faults, the journal, reset, the clock and transitions, with the
//! control token or an admin token.

use std::time::Duration;

use crate::common::{admin_token, http, start_emulator, token_for};
use camunda_admin::emulator::{Emulator, Scope};
use serde_json::{json, Value};

/// A control request with the control token.
fn control(emulator: &Emulator, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
    http()
        .request(method, format!("{}{path}", emulator.control_url()))
        .bearer_auth(emulator.control_token().expose_secret())
}

async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn get(emulator: &Emulator, path: &str) -> Value {
    let (status, body) = json_of(
        control(emulator, reqwest::Method::GET, path)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

async fn post(emulator: &Emulator, path: &str, body: Value) -> (u16, Value) {
    json_of(
        control(emulator, reqwest::Method::POST, path)
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// `method path` on the API with `token`: the status and the body.
async fn api(
    emulator: &Emulator,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let request = http()
        .request(method, format!("{}{path}", emulator.base_url()))
        .bearer_auth(token);
    let request = match body {
        Some(body) => request.json(&body),
        None => request,
    };
    json_of(request.send().await.unwrap()).await
}

async fn cluster_body(emulator: &Emulator, token: &str) -> Value {
    let (_, parameters) = api(
        emulator,
        reqwest::Method::GET,
        "/clusters/parameters",
        token,
        None,
    )
    .await;
    let channel = &parameters["channels"][0];
    json!({
        "name": "control",
        "planTypeId": parameters["clusterPlanTypes"][0]["uuid"],
        "channelId": channel["uuid"],
        "generationId": channel["defaultGeneration"]["uuid"],
        "regionId": parameters["regions"][0]["uuid"],
    })
}

#[tokio::test]
async fn a_fault_answers_once_the_journal_shows_it_without_secrets_and_a_reset_empties() {
    let emulator = start_emulator(Emulator::builder()).await;
    let token = admin_token(&emulator).await;
    let body = cluster_body(&emulator, &token).await;

    let (status, listed) = post(
        &emulator,
        "/faults",
        json!({"operationId": "CreateCluster", "status": 503}),
    )
    .await;
    assert_eq!(status, 201, "{listed}");
    assert_eq!(
        listed,
        json!([{"operationId": "CreateCluster", "status": 503, "times": 1, "retryAfterSeconds": null, "body": null}])
    );
    let (first, _) = api(
        &emulator,
        reqwest::Method::POST,
        "/clusters",
        &token,
        Some(body.clone()),
    )
    .await;
    let (second, created) = api(
        &emulator,
        reqwest::Method::POST,
        "/clusters",
        &token,
        Some(body),
    )
    .await;
    assert_eq!((first, second), (503, 200), "{created}");
    assert_eq!(get(&emulator, "/faults").await, json!([]));

    let journal = get(&emulator, "/requests").await;
    let entries = journal.as_array().unwrap();
    let ops: Vec<(&str, u64)> = entries
        .iter()
        .map(|e| {
            (
                e["operationId"].as_str().unwrap(),
                e["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ops,
        [
            ("Token", 200),
            ("GetParameters", 200),
            ("CreateCluster", 503),
            ("CreateCluster", 200)
        ]
    );
    let seqs: Vec<u64> = entries.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "oldest first: {seqs:?}"
    );
    assert_eq!(entries[0]["body"]["client_secret"], "***");
    assert_eq!(entries[2]["method"], "POST");
    assert_eq!(entries[2]["path"], "/clusters");
    assert_eq!(entries[2]["body"]["name"], "control");
    let at = entries[0]["at"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(at).is_ok() && at.len() == 24,
        "{at}"
    );
    let text = journal.to_string();
    assert!(
        !text.contains(emulator.admin_client_secret().expose_secret()),
        "{text}"
    );
    assert!(!text.contains(&token), "no token in the journal");

    let filtered = get(&emulator, "/requests?operationId=CreateCluster").await;
    assert_eq!(filtered.as_array().unwrap().len(), 2);
    let since = get(&emulator, &format!("/requests?since={}", seqs[2])).await;
    assert_eq!(since.as_array().unwrap().len(), 1);

    let (status, reset) = post(&emulator, "/reset", json!({})).await;
    assert_eq!(status, 200, "{reset}");
    // The admin token stays valid; the clusters are gone.
    let (status, clusters) = api(&emulator, reqwest::Method::GET, "/clusters", &token, None).await;
    assert_eq!((status, clusters), (200, json!([])));
    let journal = get(&emulator, "/requests").await;
    assert_eq!(
        journal.as_array().unwrap().len(),
        1,
        "only the call after the reset: {journal}"
    );
}

#[tokio::test]
async fn control_requests_need_the_control_or_an_admin_token_and_are_not_journaled() {
    let emulator =
        start_emulator(Emulator::builder().credential("members", "m-secret", [Scope::Members]))
            .await;
    let url = |path: &str| format!("{}{path}", emulator.control_url());
    let health = http().get(url("/health")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let document: Value = http()
        .get(url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(document["paths"]["/__emulator/faults"]["post"].is_object());

    let anonymous = http().get(url("/faults")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let members = token_for(&emulator, "members", "m-secret").await;
    let other = http()
        .get(url("/faults"))
        .bearer_auth(&members)
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 401, "a credential other than the admin one");
    let admin = admin_token(&emulator).await;
    let with_admin = http()
        .get(url("/faults"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(with_admin.status(), 200);

    // Neither faults on the token endpoint nor the clock touch the control token.
    post(
        &emulator,
        "/faults",
        json!({"operationId": "Token", "status": 500, "times": null}),
    )
    .await;
    let (status, _) = post(
        &emulator,
        "/clock",
        json!({"advanceMs": 48 * 3600 * 1000u64}),
    )
    .await;
    assert_eq!(status, 200);
    let expired = http()
        .get(url("/faults"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), 401, "the admin token aged 48 hours");
    let faults = get(&emulator, "/faults").await;
    assert_eq!(faults[0]["times"], Value::Null, "for good: {faults}");

    let journal = get(&emulator, "/requests").await;
    let paths: Vec<&str> = journal
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["/oauth/token", "/oauth/token"],
        "control requests are not journaled"
    );
}

#[tokio::test]
async fn bad_fault_requests_are_refused_with_what_is_valid() {
    let emulator = start_emulator(Emulator::builder()).await;
    let (status, body) = post(
        &emulator,
        "/faults",
        json!({"operationId": "MakeCoffee", "status": 503}),
    )
    .await;
    assert_eq!(status, 400);
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("CreateCluster") && message.contains("Token"),
        "{message}"
    );
    for bad in [
        json!({"operationId": "GetClusters"}),
        json!({"operationId": "GetClusters", "status": 200}),
        json!({"operationId": "GetClusters", "status": 503, "reset": true}),
        json!({"operationId": "GetClusters", "status": 503, "time": 2}),
        json!({"operationId": "GetClusters", "status": 503, "times": -1}),
    ] {
        let (status, body) = post(&emulator, "/faults", bad.clone()).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    assert_eq!(get(&emulator, "/faults").await, json!([]));
}

#[tokio::test]
async fn faults_carry_retry_after_a_body_a_delay_or_a_reset_and_delete_clears_them() {
    let emulator = start_emulator(Emulator::builder()).await;
    let url = format!("{}/meta/ip-ranges", emulator.base_url());
    post(&emulator, "/faults", json!({"operationId": "GetMeta", "status": 429, "retryAfterSeconds": 7, "body": {"busy": true}})).await;
    let response = http().get(&url).send().await.unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "7");
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"busy": true})
    );

    post(
        &emulator,
        "/faults",
        json!({"operationId": "GetMeta", "reset": true}),
    )
    .await;
    let reset = http().get(&url).send().await;
    assert!(reset.is_err(), "the connection is reset: {reset:?}");
    let journal = get(&emulator, "/requests?operationId=GetMeta").await;
    assert_eq!(journal[1]["status"], Value::Null, "{journal}");

    let delay = Duration::from_millis(300);
    post(
        &emulator,
        "/faults",
        json!({"operationId": "GetMeta", "delayMs": 300}),
    )
    .await;
    let started = std::time::Instant::now();
    assert_eq!(http().get(&url).send().await.unwrap().status(), 200);
    assert!(started.elapsed() >= delay, "the normal answer, delayed");

    post(
        &emulator,
        "/faults",
        json!({"operationId": "GetMeta", "status": 500, "times": 3}),
    )
    .await;
    emulator.fail_next("GetCluster", 2, 502).unwrap();
    let listed = get(&emulator, "/faults").await;
    assert_eq!(
        listed.as_array().unwrap().len(),
        2,
        "the Rust API's fault too: {listed}"
    );
    let deleted = control(&emulator, reqwest::Method::DELETE, "/faults")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(http().get(&url).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn unmatched_requests_are_listed_apart() {
    let emulator = start_emulator(Emulator::builder()).await;
    let missing = http()
        .get(format!("{}/nothing/here", emulator.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let unmatched = get(&emulator, "/requests/unmatched").await;
    assert_eq!(unmatched[0]["path"], "/nothing/here");
    assert_eq!(unmatched[0]["operationId"], Value::Null);
    assert_eq!(get(&emulator, "/requests").await, json!([]));
}

#[tokio::test]
async fn manual_transitions_wait_for_a_step_and_a_reset_restores_them() {
    let emulator =
        start_emulator(Emulator::builder().cluster_ready_delay(Duration::from_millis(10))).await;
    let token = admin_token(&emulator).await;
    let patched = control(&emulator, reqwest::Method::PATCH, "/transitions")
        .json(&json!({"cluster": {"mode": "manual"}, "backup": {"mode": "delay", "delayMs": 5000}}))
        .send()
        .await
        .unwrap();
    let (status, transitions) = json_of(patched).await;
    assert_eq!(status, 200, "{transitions}");
    assert_eq!(transitions["cluster"], json!({"mode": "manual"}));
    assert_eq!(
        transitions["backup"],
        json!({"mode": "delay", "delayMs": 5000})
    );

    let body = cluster_body(&emulator, &token).await;
    let (_, created) = api(
        &emulator,
        reqwest::Method::POST,
        "/clusters",
        &token,
        Some(body),
    )
    .await;
    let path = format!("/clusters/{}", created["clusterId"].as_str().unwrap());
    post(&emulator, "/clock", json!({"advanceMs": 3_600_000})).await;
    let (_, cluster) = api(&emulator, reqwest::Method::GET, &path, &token, None).await;
    assert_eq!(
        cluster["status"]["ready"], "Creating",
        "manual: no clock moves it"
    );
    let (status, stepped) = post(&emulator, "/transitions/step", json!({})).await;
    assert_eq!((status, stepped), (200, json!({"finished": 1})));
    let (_, cluster) = api(&emulator, reqwest::Method::GET, &path, &token, None).await;
    assert_eq!(cluster["status"]["ready"], "Healthy");

    post(&emulator, "/reset", json!({"to": "empty"})).await;
    assert_eq!(
        get(&emulator, "/transitions").await["cluster"],
        json!({"mode": "delay", "delayMs": 10})
    );
    assert_eq!(get(&emulator, "/clock").await["offsetMs"], 0);
}
