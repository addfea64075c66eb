//! Clusters, backups and restores that progress with time (on the paused
//! tokio clock, so no test waits for real), and fault injection.
//!
//! The delays are hours long: a pooled HTTP client keeps idle timers that
//! paused time may jump to, and a jump of a minute or two must not matter.

mod common;

use std::time::Duration;

use camunda_admin::{
    emulator::{Emulator, EmulatorError, TOKEN_OPERATION},
    types::*,
    Client,
};
use common::{
    admin_client, admin_token, create_cluster, http, post_token_request, raw_get, start_emulator,
};

const HOUR: Duration = Duration::from_secs(3600);

/// An emulator whose clusters, backups and restores take hours, and a
/// client of it with an admin token.
async fn slow_emulator() -> (Emulator, Client) {
    let emulator = start_emulator(
        Emulator::builder()
            .token_lifetime(100 * HOUR)
            .cluster_ready_delay(HOUR)
            .backup_delay(2 * HOUR)
            .restore_delay(3 * HOUR),
    )
    .await;
    let client = admin_client(&emulator).await;
    (emulator, client)
}

/// [`slow_emulator`] with a cluster "lifecycle" that has just been created.
async fn slow_emulator_with_cluster() -> (Emulator, Client, String) {
    let (emulator, client) = slow_emulator().await;
    let id = create_cluster(&client, "lifecycle").await;
    (emulator, client, id)
}

fn status_of(error: &camunda_admin::Error) -> Option<u16> {
    error.status().map(|s| s.as_u16())
}

#[tokio::test(start_paused = true)]
async fn a_cluster_is_creating_then_healthy_and_get_client_waits_for_it() {
    let (emulator, client, id) = slow_emulator_with_cluster().await;
    let cluster = client.get_cluster(&id).await.unwrap();
    assert_eq!(cluster.status.ready, ClusterStatus::Creating);
    assert_eq!(cluster.status.zeebe_status, Some(ClusterStatus::Creating));

    // A client can be created at once; its connection settings need a
    // Healthy cluster (412 until then), its secret is never shown again.
    let created = client
        .create_client(
            &id,
            &CreateClusterClientBody {
                client_name: "app".into(),
                permissions: vec![],
            },
        )
        .await
        .unwrap();
    let error = client
        .get_client(&id, &created.client_id)
        .await
        .unwrap_err();
    assert_eq!(status_of(&error), Some(412), "{error}");
    // Backups and upgrades need a Healthy cluster too.
    assert_eq!(
        status_of(&client.create_backup(&id).await.unwrap_err()),
        Some(412)
    );

    tokio::time::advance(HOUR).await;
    let cluster = client.get_cluster(&id).await.unwrap();
    assert_eq!(cluster.status.ready, ClusterStatus::Healthy);
    let details = client.get_client(&id, &created.client_id).await.unwrap();
    assert_eq!(details.zeebe_client_id, created.client_id);

    let secret = created.client_secret.expose_secret();
    let raw = raw_get_later(&emulator, &format!("/clusters/{id}/clients")).await;
    assert!(raw.contains(&created.client_id));
    assert!(
        !raw.contains(secret),
        "a client secret is shown only at creation"
    );
    let raw = raw_get_later(
        &emulator,
        &format!("/clusters/{id}/clients/{}", created.client_id),
    )
    .await;
    assert!(
        !raw.contains(secret),
        "a client secret is shown only at creation"
    );
}

/// Another admin token, a second of paused time later (the token service
/// allows one request per second).
async fn admin_token_later(emulator: &Emulator) -> String {
    tokio::time::advance(Duration::from_secs(1)).await;
    admin_token(emulator).await
}

/// The text of `GET path` over plain HTTP, with an admin token fetched a
/// second later ([`admin_token_later`]).
async fn raw_get_later(emulator: &Emulator, path: &str) -> String {
    let token = admin_token_later(emulator).await;
    raw_get(emulator, path, Some(&token))
        .await
        .text()
        .await
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn backups_complete_and_restores_run_one_at_a_time() {
    let (_emulator, client, id) = slow_emulator_with_cluster().await;
    tokio::time::advance(HOUR).await;

    let backup = client.create_backup(&id).await.unwrap();
    assert_eq!(backup.status, BackupStatus::InProgress);
    assert_eq!(backup.operate_status, BackupStatus::InProgress);
    let error = client
        .restore_from_backup(&id, &backup.uuid)
        .await
        .unwrap_err();
    assert_eq!(
        status_of(&error),
        Some(409),
        "an unfinished backup cannot be restored"
    );

    tokio::time::advance(2 * HOUR).await;
    let backups = client.get_backups(&id).await.unwrap();
    assert_eq!(backups[0].status, BackupStatus::Complete);
    assert!(!backups[0].completed.is_empty());

    assert_eq!(
        status_of(&client.get_restore(&id, &backup.uuid).await.unwrap_err()),
        Some(404)
    );
    let restore = client.restore_from_backup(&id, &backup.uuid).await.unwrap();
    assert_eq!(restore.state, RestoreState::InProgress);
    let again = client
        .restore_from_backup(&id, &backup.uuid)
        .await
        .unwrap_err();
    assert_eq!(status_of(&again), Some(409), "one restore at a time");
    assert_eq!(
        client.get_cluster(&id).await.unwrap().status.ready,
        ClusterStatus::Suspended
    );
    assert_eq!(
        client.get_restore(&id, &backup.uuid).await.unwrap().state,
        RestoreState::InProgress
    );

    tokio::time::advance(3 * HOUR).await;
    let restore = client.get_restore(&id, &backup.uuid).await.unwrap();
    assert_eq!(restore.state, RestoreState::Completed);
    assert_eq!(
        client.get_cluster(&id).await.unwrap().status.ready,
        ClusterStatus::Healthy
    );
}

#[tokio::test]
async fn advance_clock_moves_the_emulator_without_pausing_tokio() {
    let (emulator, client, id) = slow_emulator_with_cluster().await;
    assert_eq!(
        client.get_cluster(&id).await.unwrap().status.ready,
        ClusterStatus::Creating
    );
    emulator.advance_clock(HOUR);
    assert_eq!(
        client.get_cluster(&id).await.unwrap().status.ready,
        ClusterStatus::Healthy
    );
}

#[tokio::test]
async fn injected_faults_fail_the_next_calls_then_stop() {
    let (emulator, client, id) = slow_emulator_with_cluster().await;
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

    // A fault comes before every other check, and may carry Retry-After
    // (PATCH is not retried by the client, so the fault reaches the caller).
    emulator
        .fail_next_with_retry_after("UpdateCluster", 1, 429, Duration::from_millis(2500))
        .unwrap();
    let body = UpdateClusterBody {
        name: Some("renamed".into()),
        ..Default::default()
    };
    let error = client.update_cluster(&id, &body).await.unwrap_err();
    let api = error.as_api().expect("an API error");
    assert_eq!(api.status.as_u16(), 429);
    assert_eq!(api.retry_after, Some(3));
    client.update_cluster(&id, &body).await.unwrap();
    assert_eq!(client.get_cluster(&id).await.unwrap().name, "renamed");

    // Over plain HTTP: 503 and 429 with Retry-After, even without a token.
    emulator
        .fail_next_with_retry_after("GetParameters", 1, 503, Duration::from_secs(7))
        .unwrap();
    emulator.fail_next("GetParameters", 1, 429).unwrap();
    let url = format!("{}/clusters/parameters", emulator.base_url());
    let first = http().get(&url).send().await.unwrap();
    assert_eq!(first.status(), 503);
    assert_eq!(first.headers()["retry-after"], "7");
    let second = http().get(&url).send().await.unwrap();
    assert_eq!(second.status(), 429);
    assert!(second.headers().get("retry-after").is_none());
    client.get_parameters().await.unwrap();

    // The token endpoint too.
    emulator.fail_next(TOKEN_OPERATION, 1, 503).unwrap();
    let requests = emulator.token_requests();
    let response = post_token_request(
        &emulator,
        serde_json::json!({ "grant_type": "client_credentials" }),
    )
    .await;
    assert_eq!(response.status(), 503);
    assert_eq!(emulator.token_requests(), requests + 1);

    // Cleared faults do not fire.
    emulator.fail_next("GetClusters", 5, 500).unwrap();
    emulator.clear_faults();
    client.get_clusters().await.unwrap();

    assert!(matches!(
        emulator.fail_next("NoSuchOperation", 1, 500),
        Err(EmulatorError::UnknownOperation(_))
    ));
    assert!(matches!(
        emulator.fail_next("GetCluster", 1, 200),
        Err(EmulatorError::InvalidStatus(200))
    ));
}

#[tokio::test(start_paused = true)]
async fn injected_delays_answer_late() {
    let (emulator, client) = slow_emulator().await;
    emulator
        .delay_next("GetParameters", 1, Duration::from_secs(30))
        .unwrap();
    let late = tokio::time::timeout(Duration::from_secs(10), client.get_parameters()).await;
    assert!(late.is_err(), "the delayed answer did not come within 10 s");

    // Over plain HTTP, without the client's request timeout.
    let url = format!("{}/meta/ip-ranges", emulator.base_url());
    emulator.delay_next("GetMeta", 1, 10 * HOUR).unwrap();
    let started = tokio::time::Instant::now();
    assert_eq!(http().get(&url).send().await.unwrap().status(), 200);
    assert!(started.elapsed() >= 10 * HOUR);
    // Only the next call was delayed.
    let started = tokio::time::Instant::now();
    assert_eq!(http().get(&url).send().await.unwrap().status(), 200);
    assert!(started.elapsed() < 10 * HOUR);
    assert_eq!(emulator.calls("GetMeta"), 2);
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let emulator = Emulator::start().await.unwrap();
    let url = format!("{}/meta/ip-ranges", emulator.base_url());
    assert_eq!(http().get(&url).send().await.unwrap().status(), 200);
    emulator.shutdown().await;
    assert!(http().get(&url).send().await.is_err());
}

#[tokio::test]
async fn run_until_serves_until_the_signal_then_stops() {
    let emulator = Emulator::start().await.unwrap();
    let url = format!("{}/meta/ip-ranges", emulator.base_url());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(emulator.run_until(async {
        let _ = stopped.await;
    }));
    assert_eq!(http().get(&url).send().await.unwrap().status(), 200);
    assert!(!running.is_finished(), "still serving before the signal");
    stop.send(()).unwrap();
    running.await.unwrap();
    assert!(http().get(&url).send().await.is_err(), "stopped after it");
}
