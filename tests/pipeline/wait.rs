//! The waiting helpers against httpmock: counts of polls, typed failures.

use std::time::Duration;

use crate::common::{cluster_json, on_json, on_json_up_to};
use camunda_admin::{Client, Error, WaitOptions};
use httpmock::prelude::*;
use httpmock::Mock;
use serde_json::json;

fn backup(status: &str) -> serde_json::Value {
    json!({ "uuid": "b1", "name": "b1", "created": "2026-01-01", "completed": "", "status": status,
        "zeebeStatus": status, "operateStatus": status, "tasklistStatus": status, "optimizeStatus": status })
}

fn restore(state: &str) -> serde_json::Value {
    json!({ "uuid": "r", "backupId": "b1", "state": state })
}

const QUICK: WaitOptions = WaitOptions::new(Duration::from_secs(30), Duration::from_millis(1));

/// `GET /clusters/c1` answered with cluster c1 in status `ready`.
async fn cluster_answers<'a>(server: &'a MockServer, ready: &str) -> Mock<'a> {
    on_json(server, GET, "/clusters/c1", cluster_json(ready)).await
}

/// Like [`cluster_answers`], for the first `times` requests only.
async fn cluster_answers_up_to<'a>(server: &'a MockServer, ready: &str, times: usize) -> Mock<'a> {
    on_json_up_to(server, GET, "/clusters/c1", cluster_json(ready), times).await
}

/// A client of `server` with a static token and the default retries.
fn client(server: &MockServer) -> Client {
    Client::with_static_token(&server.base_url(), "t").expect("client")
}

#[tokio::test]
async fn waits_through_creating_until_healthy() {
    let server = MockServer::start_async().await;
    let creating = cluster_answers_up_to(&server, "Creating", 3).await;
    let healthy = cluster_answers(&server, "Healthy").await;
    let client = client(&server);
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
    let needs_input = cluster_answers(&server, "WaitingForInput").await;
    let client = client(&server);
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
    let polls = cluster_answers(&server, "Hibernating").await;
    let client = client(&server);
    // Paused time would need no real waiting, but httpmock answers over real
    // sockets; a timeout shorter than one interval looks at the start and,
    // if the first look ended before the deadline, once more at it (the
    // deadline itself is proven in paused time by `wait::tests`).
    let options = WaitOptions::new(Duration::from_millis(5), Duration::from_millis(10));
    let error = client
        .wait_for_cluster_healthy("c1", options)
        .await
        .expect_err("times out");
    assert!(
        matches!(&error, Error::WaitTimedOut { last_status, .. } if last_status == "Hibernating"),
        "{error:?}"
    );
    let looks = polls.calls_async().await;
    assert!((1..=2).contains(&looks), "{looks} looks");
}

#[tokio::test]
async fn waits_for_a_backup_and_fails_on_a_failed_one() {
    let server = MockServer::start_async().await;
    let in_progress = on_json_up_to(
        &server,
        GET,
        "/clusters/c1/backups",
        json!([backup("In progress")]),
        2,
    )
    .await;
    on_json(
        &server,
        GET,
        "/clusters/c1/backups",
        json!([backup("Complete")]),
    )
    .await;
    on_json(
        &server,
        GET,
        "/clusters/c2/backups",
        json!([backup("Failed")]),
    )
    .await;
    let client = client(&server);
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
    let path = "/clusters/c1/backups/b1/restore";
    on_json_up_to(&server, GET, path, restore("IN_PROGRESS"), 1).await;
    on_json(&server, GET, path, restore("COMPLETED")).await;
    let client = client(&server);
    let restore = client
        .wait_for_restore("c1", "b1", QUICK)
        .await
        .expect("restored");
    assert_eq!(restore.state.as_str(), "COMPLETED");
}

#[tokio::test]
async fn a_suspended_cluster_is_waited_for_as_during_a_restore() {
    let server = MockServer::start_async().await;
    let suspended = cluster_answers_up_to(&server, "Suspended", 2).await;
    cluster_answers(&server, "Healthy").await;
    let client = client(&server);
    client
        .wait_for_cluster_healthy("c1", QUICK)
        .await
        .expect("healthy after the restore");
    suspended.assert_calls_async(2).await;
}
