//! The waiting helpers against httpmock: counts of polls, typed failures.

use std::time::Duration;

use camunda_admin::{Client, Error, WaitOptions};
use httpmock::prelude::*;
use serde_json::json;

fn cluster(ready: &str) -> serde_json::Value {
    json!({
        "uuid": "c1", "name": "prod", "ownerId": "o", "created": "2026-01-01T00:00:00Z",
        "planType": { "name": "Basic", "uuid": "p" }, "region": { "name": "EU", "uuid": "r" },
        "generation": { "name": "8.8", "uuid": "g" }, "channel": { "name": "Stable", "uuid": "ch" },
        "autoUpdate": true, "status": { "ready": ready }, "links": {}
    })
}

fn backup(status: &str) -> serde_json::Value {
    json!({ "uuid": "b1", "name": "b1", "created": "2026-01-01", "completed": "", "status": status,
        "zeebeStatus": status, "operateStatus": status, "tasklistStatus": status, "optimizeStatus": status })
}

const QUICK: WaitOptions = WaitOptions {
    timeout: Duration::from_secs(30),
    poll_interval: Duration::from_millis(1),
};

#[tokio::test]
async fn waits_through_creating_until_healthy() {
    let server = MockServer::start_async().await;
    let creating = server
        .mock_async(|when, then| {
            when.method(GET).path("/clusters/c1");
            then.status(200)
                .json_body(cluster("Creating"))
                .up_to_n_times(3);
        })
        .await;
    let healthy = server
        .mock_async(|when, then| {
            when.method(GET).path("/clusters/c1");
            then.status(200).json_body(cluster("Healthy"));
        })
        .await;
    let client = Client::with_static_token(&server.base_url(), "t").expect("client");
    let cluster = client
        .wait_for_cluster_healthy("c1", QUICK)
        .await
        .expect("healthy");
    assert_eq!(cluster.status.ready.as_str(), "Healthy");
    creating.assert_calls_async(3).await;
    healthy.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_cluster_waiting_for_input_fails_the_wait_at_once() {
    let server = MockServer::start_async().await;
    let needs_input = server
        .mock_async(|when, then| {
            when.method(GET).path("/clusters/c1");
            then.status(200).json_body(cluster("WaitingForInput"));
        })
        .await;
    let client = Client::with_static_token(&server.base_url(), "t").expect("client");
    let error = client
        .wait_for_cluster_healthy("c1", QUICK)
        .await
        .expect_err("needs input");
    assert!(
        matches!(&error, Error::WaitFailed { status, .. } if status == "WaitingForInput"),
        "{error:?}"
    );
    needs_input.assert_calls_async(1).await;
}

#[tokio::test]
async fn an_unknown_status_keeps_waiting_until_the_timeout() {
    let server = MockServer::start_async().await;
    let polls = server
        .mock_async(|when, then| {
            when.method(GET).path("/clusters/c1");
            then.status(200).json_body(cluster("Hibernating"));
        })
        .await;
    let client = Client::with_static_token(&server.base_url(), "t").expect("client");
    // Paused time would need no real waiting, but httpmock answers over real
    // sockets; a timeout shorter than one interval ends after one look.
    let options = WaitOptions::new(Duration::from_millis(5), Duration::from_millis(10));
    let error = client
        .wait_for_cluster_healthy("c1", options)
        .await
        .expect_err("times out");
    assert!(
        matches!(&error, Error::WaitTimedOut { last_status, .. } if last_status == "Hibernating"),
        "{error:?}"
    );
    polls.assert_calls_async(1).await;
}

#[tokio::test]
async fn waits_for_a_backup_and_fails_on_a_failed_one() {
    let server = MockServer::start_async().await;
    let in_progress = server
        .mock_async(|when, then| {
            when.method(GET).path("/clusters/c1/backups");
            then.status(200)
                .json_body(json!([backup("In progress")]))
                .up_to_n_times(2);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/clusters/c1/backups");
            then.status(200).json_body(json!([backup("Complete")]));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/clusters/c2/backups");
            then.status(200).json_body(json!([backup("Failed")]));
        })
        .await;
    let client = Client::with_static_token(&server.base_url(), "t").expect("client");
    let done = client
        .wait_for_backup("c1", "b1", QUICK)
        .await
        .expect("complete");
    assert_eq!(done.status.as_str(), "Complete");
    in_progress.assert_calls_async(2).await;
    let error = client
        .wait_for_backup("c2", "b1", QUICK)
        .await
        .expect_err("failed");
    assert!(matches!(error, Error::WaitFailed { .. }));
}

#[tokio::test]
async fn waits_for_a_restore() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/clusters/c1/backups/b1/restore");
            then.status(200)
                .json_body(json!({ "uuid": "r", "backupId": "b1", "state": "IN_PROGRESS" }))
                .up_to_n_times(1);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/clusters/c1/backups/b1/restore");
            then.status(200)
                .json_body(json!({ "uuid": "r", "backupId": "b1", "state": "COMPLETED" }));
        })
        .await;
    let client = Client::with_static_token(&server.base_url(), "t").expect("client");
    let restore = client
        .wait_for_restore("c1", "b1", QUICK)
        .await
        .expect("restored");
    assert_eq!(restore.state.as_str(), "COMPLETED");
}

#[tokio::test]
async fn a_suspended_cluster_is_waited_for_as_during_a_restore() {
    let server = MockServer::start_async().await;
    let suspended = server
        .mock_async(|when, then| {
            when.method(GET).path("/clusters/c1");
            then.status(200)
                .json_body(cluster("Suspended"))
                .up_to_n_times(2);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/clusters/c1");
            then.status(200).json_body(cluster("Healthy"));
        })
        .await;
    let client = Client::with_static_token(&server.base_url(), "t").expect("client");
    client
        .wait_for_cluster_healthy("c1", QUICK)
        .await
        .expect("healthy after the restore");
    suspended.assert_calls_async(2).await;
}
