//! Clusters, backups and restores that progress with time (on the paused
//! tokio clock, so no test waits for real), and the emulator's own life:
//! shutdown and `run_until`. Fault injection is in `faults.rs`.
//!
//! The delays are hours long: a pooled HTTP client keeps idle timers that
//! paused time may jump to, and a jump of a minute or two must not matter.

use std::time::Duration;

use crate::common::{admin_client, admin_token, create_cluster, http, raw_get, start_emulator};
use camunda_admin::{emulator::Emulator, types::*, Client};

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
            id.clone(),
            camunda_admin::types::CreateClusterClientBody::builder().client_name("app"),
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
