//! Answers shaped like a changed API: fields the document does not
//! declare are readable, survive a decode/encode round trip, and never
//! show their values in `Debug`; unknown enum values stay as they are.

use crate::common::{client, expect, Reply, Route, CLUSTER_ID};
use camunda_admin::types::{self, ClusterStatus};
use httpmock::MockServer;
use serde_json::json;

/// A cluster with fields nobody has declared yet, at three levels.
fn cluster_of_tomorrow() -> serde_json::Value {
    json!({
        "uuid": CLUSTER_ID, "name": "orders", "created": "2026-11-30T08:00:00Z",
        "ownerId": "o", "autoUpdate": true,
        "planType": { "uuid": "p", "name": "Basic", "tier": "gold" },
        "channel": { "uuid": "c", "name": "Stable" },
        "generation": { "uuid": "g", "name": "8.9" },
        "region": { "uuid": "r", "name": "Belgium", "sovereign": true },
        "status": { "ready": "Migrating", "zeebeStatus": "Healthy", "identityStatus": "Healthy" },
        "links": {},
        "deletionProtection": { "enabled": true },
        "apiToken": "tok-must-not-show-in-debug"
    })
}

#[tokio::test]
async fn undeclared_fields_are_kept_readable_and_round_trip() {
    let server = MockServer::start_async().await;
    expect(
        &server,
        &Route::new("GET", format!("/clusters/{CLUSTER_ID}")),
        None,
        Reply::Json(cluster_of_tomorrow()),
    )
    .await;

    let cluster = client(&server)
        .get_cluster(CLUSTER_ID)
        .await
        .expect("decodes");

    // Readable where they arrived.
    assert_eq!(
        cluster.extra["deletionProtection"].as_json(),
        &json!({ "enabled": true })
    );
    assert_eq!(cluster.plan_type.extra["tier"].as_json(), &json!("gold"));
    assert_eq!(cluster.region.extra["sovereign"].as_json(), &json!(true));
    assert_eq!(
        cluster.status.extra["identityStatus"].as_json(),
        &json!("Healthy")
    );
    // An enum value this SDK does not list is kept as it is.
    assert_eq!(
        cluster.status.ready,
        ClusterStatus::Unknown("Migrating".to_owned())
    );
    assert!(cluster.status.ready.is_unknown());

    // Nothing lost on the way back.
    assert_eq!(
        serde_json::to_value(&cluster).expect("encodes"),
        cluster_of_tomorrow()
    );

    // Debug names undeclared fields but never shows their values.
    let debug = format!("{cluster:?}");
    assert!(debug.contains("apiToken"), "{debug}");
    assert!(!debug.contains("tok-must-not-show-in-debug"), "{debug}");
    assert!(!debug.contains("gold"), "{debug}");
}

#[test]
fn a_match_with_a_wildcard_arm_survives_new_values() {
    let describe = |status: &ClusterStatus| match status {
        ClusterStatus::Healthy => "up",
        ClusterStatus::Creating => "coming",
        _ => "something else",
    };
    assert_eq!(
        describe(&"Migrating".parse().expect("infallible")),
        "something else"
    );
}

#[test]
fn builders_name_the_missing_required_field() {
    let missing: Result<types::CreateSecretBody, _> = types::CreateSecretBody::builder()
        .secret_name("DB")
        .try_into();
    let error = missing.expect_err("no value");
    assert!(error.to_string().contains("secret_value"), "{error}");
}
