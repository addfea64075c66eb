//! Injected faults and delays: they come before every other check, stop
//! after their count, and every helper takes any input without a panic
//! (huge counts and durations saturate; bad ones are typed errors).

use std::time::Duration;

use crate::common::{admin_client, create_cluster, http, post_token_request, start_emulator};
use camunda_admin::{
    emulator::{operation_ids, Emulator, EmulatorError, TOKEN_OPERATION},
    types::UpdateClusterBody,
    Client, RetryPolicy,
};

const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);

/// An emulator, a client of it with an admin token, and a cluster.
async fn emulator_with_cluster() -> (Emulator, Client, String) {
    let emulator = start_emulator(Emulator::builder()).await;
    let client = admin_client(&emulator).await;
    let id = create_cluster(&client, "faults").await;
    (emulator, client, id)
}

fn status_of<T: std::fmt::Debug>(result: camunda_admin::Result<T>) -> Option<u16> {
    result.unwrap_err().status().map(|s| s.as_u16())
}

/// `GET path` over plain HTTP without a token: its status and Retry-After.
async fn raw_status(emulator: &Emulator, path: &str) -> (u16, Option<String>) {
    let response = http()
        .get(format!("{}{path}", emulator.base_url()))
        .send()
        .await
        .unwrap();
    let retry_after = response.headers().get("retry-after");
    let retry_after = retry_after.map(|v| v.to_str().unwrap().to_owned());
    (response.status().as_u16(), retry_after)
}

#[tokio::test]
async fn faults_fail_the_next_calls_then_stop() {
    let (emulator, client, id) = emulator_with_cluster().await;
    let before = emulator.calls("GetCluster");
    emulator.fail_next("GetCluster", 2, 500).unwrap();
    for _ in 0..2 {
        let error = client.get_cluster(&id).await.unwrap_err();
        assert_eq!(
            error.as_api().map(|e| e.status.as_u16()),
            Some(500),
            "{error}"
        );
    }
    client.get_cluster(&id).await.unwrap();
    assert_eq!(emulator.calls("GetCluster"), before + 3);
}

#[tokio::test]
async fn a_fault_comes_before_every_other_check_and_may_carry_retry_after() {
    let (emulator, client, id) = emulator_with_cluster().await;
    // A PATCH answered 503 is not resent, so the fault reaches the caller.
    emulator
        .fail_next_with_retry_after("UpdateCluster", 1, 503, Duration::from_millis(2500))
        .unwrap();
    let body = UpdateClusterBody::builder().name(Some("renamed".to_owned()));
    let error = client
        .update_cluster(id.clone(), body.clone())
        .await
        .unwrap_err();
    let api = error.as_api().expect("an API error");
    assert_eq!(
        (api.status.as_u16(), api.retry_after),
        (503, Some(Duration::from_secs(3)))
    );
    client
        .update_cluster(id.clone(), body.clone())
        .await
        .unwrap();
    assert_eq!(client.get_cluster(&id).await.unwrap().name, "renamed");

    // Without a token, over plain HTTP: the fault answers, not the 401.
    emulator
        .fail_next_with_retry_after("GetParameters", 1, 503, Duration::from_secs(7))
        .unwrap();
    emulator.fail_next("GetParameters", 1, 429).unwrap();
    let path = "/clusters/parameters";
    assert_eq!(raw_status(&emulator, path).await, (503, Some("7".into())));
    assert_eq!(raw_status(&emulator, path).await, (429, None));
    assert_eq!(raw_status(&emulator, path).await, (401, None));
}

#[tokio::test]
async fn the_token_endpoint_takes_faults_too() {
    let emulator = start_emulator(Emulator::builder()).await;
    emulator.fail_next(TOKEN_OPERATION, 1, 503).unwrap();
    let grant = serde_json::json!({ "grant_type": "client_credentials" });
    let response = post_token_request(&emulator, grant).await;
    assert_eq!(response.status(), 503);
    assert_eq!(emulator.token_requests(), 1);
    assert_eq!(emulator.calls(TOKEN_OPERATION), 1);
}

#[tokio::test]
async fn cleared_faults_do_not_fire_and_bad_arguments_are_typed_errors() {
    let (emulator, client, _) = emulator_with_cluster().await;
    emulator.fail_next("GetClusters", 5, 500).unwrap();
    emulator.delay_next("GetClusters", 5, YEAR).unwrap();
    emulator.clear_faults();
    client.get_clusters().await.unwrap();

    for op in ["", "getcluster", "GetCluster ", "NoSuchOperation", "Tökén"] {
        assert!(
            matches!(emulator.fail_next(op, 1, 500), Err(EmulatorError::UnknownOperation(o)) if o == op),
            "{op:?}"
        );
        assert!(matches!(
            emulator.delay_next(op, 1, YEAR),
            Err(EmulatorError::UnknownOperation(_))
        ));
    }
    for status in [0, 99, 200, 204, 399, 600, u16::MAX] {
        assert!(
            matches!(emulator.fail_next("GetCluster", 1, status), Err(EmulatorError::InvalidStatus(s)) if s == status),
            "{status}"
        );
    }
    emulator.fail_next("GetClusters", 0, 500).unwrap();
    client.get_clusters().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn injected_delays_answer_late() {
    let (emulator, client, _) = emulator_with_cluster().await;
    emulator
        .delay_next("GetParameters", 1, Duration::from_secs(30))
        .unwrap();
    let late = tokio::time::timeout(Duration::from_secs(10), client.get_parameters()).await;
    assert!(late.is_err(), "the delayed answer did not come within 10 s");

    // Over plain HTTP, without the client's request timeout.
    let hours = Duration::from_secs(10 * 3600);
    emulator.delay_next("GetMeta", 1, hours).unwrap();
    let started = tokio::time::Instant::now();
    assert_eq!(raw_status(&emulator, "/meta/ip-ranges").await.0, 200);
    assert!(started.elapsed() >= hours);
    // Only the next call was delayed.
    let started = tokio::time::Instant::now();
    assert_eq!(raw_status(&emulator, "/meta/ip-ranges").await.0, 200);
    assert!(started.elapsed() < hours);
    assert_eq!(emulator.calls("GetMeta"), 2);
}

// Issue 8 item 9: these panicked (capacity overflow, integer overflow).
#[tokio::test]
async fn usize_max_faults_fail_every_call_from_now_on() {
    let emulator = start_emulator(Emulator::builder()).await;
    for op in operation_ids().chain([TOKEN_OPERATION]) {
        emulator.fail_next(op, usize::MAX, 503).unwrap();
        emulator.fail_next(op, usize::MAX, 503).unwrap();
    }
    for _ in 0..20 {
        assert_eq!(raw_status(&emulator, "/meta/ip-ranges").await.0, 503);
    }
    let client = Client::builder()
        .base_url(emulator.base_url())
        .static_token("t")
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    assert_eq!(status_of(client.get_members().await), Some(503));
    assert_eq!(emulator.calls("GetMembers"), 1);
    emulator.clear_faults();
    assert_eq!(raw_status(&emulator, "/meta/ip-ranges").await.0, 200);
}

#[tokio::test]
async fn duration_max_retry_after_saturates() {
    let emulator = start_emulator(Emulator::builder()).await;
    emulator
        .fail_next_with_retry_after("GetMeta", usize::MAX, 429, Duration::MAX)
        .unwrap();
    let max = u64::MAX.to_string();
    assert_eq!(
        raw_status(&emulator, "/meta/ip-ranges").await,
        (429, Some(max))
    );
    emulator
        .fail_next_with_retry_after(
            TOKEN_OPERATION,
            1,
            503,
            Duration::new(u64::MAX, 999_999_999),
        )
        .unwrap();
    let response = post_token_request(&emulator, serde_json::json!({})).await;
    assert_eq!(
        response.headers()["retry-after"],
        u64::MAX.to_string().as_str()
    );
}

#[tokio::test(start_paused = true)]
async fn a_duration_max_delay_holds_the_answer_for_good() {
    let emulator = start_emulator(Emulator::builder()).await;
    emulator
        .delay_next("GetMeta", usize::MAX, Duration::MAX)
        .unwrap();
    let held = tokio::time::timeout(YEAR, raw_status(&emulator, "/meta/ip-ranges")).await;
    assert!(held.is_err(), "no answer within a year");
    // Other operations are not held.
    assert_eq!(raw_status(&emulator, "/clusters").await.0, 401);
}

#[tokio::test]
async fn a_duration_max_clock_and_settings_keep_the_emulator_serving() {
    let emulator = start_emulator(
        Emulator::builder()
            .token_lifetime(Duration::MAX)
            .cluster_ready_delay(Duration::MAX)
            .backup_delay(Duration::MAX)
            .token_rate_interval(Duration::MAX),
    )
    .await;
    emulator.advance_clock(Duration::MAX);
    emulator.advance_clock(Duration::MAX);
    let client = admin_client(&emulator).await;
    let id = create_cluster(&client, "forever").await;
    let cluster = client.get_cluster(&id).await.unwrap();
    assert_eq!(cluster.status.ready.to_string(), "Creating");
    assert_eq!(status_of(client.create_backup(&id).await), Some(412));
    let again = post_token_request(&emulator, crate::common::admin_grant(&emulator)).await;
    assert_eq!(
        again.status(),
        429,
        "the next token only after Duration::MAX"
    );
    assert!(!emulator.suspend_cluster("no-such-cluster"));
    assert!(emulator.suspend_cluster(&id));
}
