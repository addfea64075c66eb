//! `camunda_admin::ephemeral` against the emulator: a cluster for one run
//! is created, Healthy, has a client and its settings, and is gone after
//! teardown; a failure after the create deletes it (and says so when that
//! delete fails too); a start dropped half-way can still be torn down.

use std::time::Duration;

use camunda_admin::{
    emulator::Emulator,
    ephemeral::{Cleanup, Ephemeral, EphemeralBuilder, Marker, Teardown},
    types::ClusterStatus,
    Client, WaitOptions,
};

fn quick(prefix: &str) -> EphemeralBuilder {
    Ephemeral::builder(prefix)
        .region("europe-west1")
        .plan("Basic")
        .channel("Stable")
        .owner("owner/repo#7")
        .ttl(Duration::from_secs(3600))
        .wait(WaitOptions::new(
            Duration::from_secs(600),
            Duration::from_millis(10),
        ))
}

async fn emulator(ready: Duration) -> (Emulator, Client) {
    let emulator = Emulator::builder()
        .cluster_ready_delay(ready)
        .start()
        .await
        .expect("emulator");
    let client = emulator.client_builder().build().expect("client");
    (emulator, client)
}

async fn cluster_count(client: &Client) -> usize {
    client.get_clusters().await.expect("list").len()
}

#[tokio::test]
async fn start_gives_a_healthy_cluster_with_a_client_and_teardown_removes_it() {
    let (emulator, client) = emulator(Duration::from_millis(50)).await;
    let mut cluster = quick("ci-orders")
        .generation("8.7")
        .start(&client)
        .await
        .expect("started");
    let id = cluster.cluster_id().expect("an id").to_owned();
    let found = client.get_cluster(&id).await.expect("the cluster");
    assert_eq!(found.status.ready, ClusterStatus::Healthy);
    assert!(found.name.starts_with("ci-orders-"), "{}", found.name);
    assert_eq!(
        found.generation.name, "Camunda 8.7.14",
        "newest 8.7 of Stable"
    );
    let marker = Marker::find(found.description.as_deref().unwrap_or("")).expect("marked");
    assert_eq!(marker.by, "owner/repo#7");
    assert!(marker.until.is_some());

    let settings = cluster.settings();
    let get = |name: &str| settings.get(name).map(|v| v.expose().to_owned());
    assert_eq!(get("CAMUNDA_CLUSTER_ID").as_deref(), Some(id.as_str()));
    assert_eq!(
        get("CAMUNDA_CLUSTER_REGION").as_deref(),
        Some("bru-2"),
        "from GetClient"
    );
    assert_eq!(get("CAMUNDA_CREDENTIALS_SCOPES").as_deref(), Some("Zeebe"));
    assert!(get("ZEEBE_ADDRESS").is_some_and(|a| a.contains(&id)));
    assert!(get("ZEEBE_CLIENT_SECRET").is_some_and(|s| !s.is_empty()));
    let clients = client.get_clients(&id).await.expect("clients");
    assert_eq!(clients.len(), 1);
    assert_eq!(clients[0].name, found.name, "named after the cluster");
    assert!(!format!("{cluster:?}").contains(&get("ZEEBE_CLIENT_SECRET").unwrap()));

    assert_eq!(
        cluster.teardown().await.expect("deleted"),
        Teardown::Deleted
    );
    assert_eq!(cluster_count(&client).await, 0);
    assert_eq!(
        cluster.teardown().await.expect("twice"),
        Teardown::AlreadyGone
    );
    assert_eq!(
        emulator.calls("DeleteCluster"),
        1,
        "the second call sends nothing"
    );
}

#[tokio::test]
async fn a_cluster_deleted_by_someone_else_is_torn_down() {
    let (_emulator, client) = emulator(Duration::ZERO).await;
    let mut cluster = quick("ci-gone").start(&client).await.expect("started");
    let id = cluster.cluster_id().unwrap().to_owned();
    client.delete_cluster(&id).await.expect("deleted outside");
    assert_eq!(
        cluster.teardown().await.expect("done"),
        Teardown::AlreadyGone
    );
}

#[tokio::test]
async fn the_clients_412_is_waited_out() {
    let (emulator, client) = emulator(Duration::ZERO).await;
    emulator.fail_next("CreateClient", 3, 412).unwrap();
    let mut cluster = quick("ci-412").start(&client).await.expect("started");
    assert!(emulator.calls("CreateClient") >= 4);
    assert!(cluster.settings().get("ZEEBE_CLIENT_ID").is_some());
    cluster.teardown().await.unwrap();
}

#[tokio::test]
async fn a_fault_on_create_client_deletes_the_cluster() {
    let (emulator, client) = emulator(Duration::ZERO).await;
    emulator.fail_next("CreateClient", usize::MAX, 500).unwrap();
    let error = quick("ci-fault").start(&client).await.unwrap_err();
    assert!(matches!(error.cleanup, Cleanup::Deleted), "{error}");
    let id = error.cluster_id.clone().expect("it was created");
    assert!(
        error
            .to_string()
            .contains(&format!("the cluster {id} was deleted")),
        "{error}"
    );
    assert_eq!(error.left_behind(), None);
    assert_eq!(emulator.calls("DeleteCluster"), 1);
    assert_eq!(cluster_count(&client).await, 0);
}

#[tokio::test]
async fn a_failed_delete_after_a_failure_says_what_is_left() {
    let (emulator, client) = emulator(Duration::ZERO).await;
    emulator.fail_next("CreateClient", usize::MAX, 500).unwrap();
    emulator
        .fail_next("DeleteCluster", usize::MAX, 403)
        .unwrap();
    let error = quick("ci-stuck").start(&client).await.unwrap_err();
    let id = error.cluster_id.clone().expect("it was created");
    assert!(matches!(error.cleanup, Cleanup::Failed(_)), "{error}");
    assert_eq!(error.left_behind(), Some(id.as_str()));
    assert!(error.to_string().contains("left behind"), "{error}");
    assert_eq!(cluster_count(&client).await, 1);
}

#[tokio::test]
async fn a_start_dropped_while_waiting_can_still_be_torn_down() {
    let (emulator, client) = emulator(Duration::from_secs(3600)).await;
    let mut cluster = quick("ci-cancel").prepare(&client);
    let watcher = async {
        while emulator.calls("GetCluster") == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::select! {
        _ = cluster.start() => panic!("the cluster is never Healthy"),
        () = watcher => {}
    }
    assert!(cluster.cluster_id().is_some(), "the id is known");
    assert_eq!(
        cluster.teardown().await.expect("deleted"),
        Teardown::Deleted
    );
    assert_eq!(cluster_count(&client).await, 0);
}

#[tokio::test]
async fn a_failure_before_the_create_creates_nothing() {
    let (emulator, client) = emulator(Duration::ZERO).await;
    let error = quick("ci-bad")
        .region("mars-north1")
        .start(&client)
        .await
        .unwrap_err();
    assert!(matches!(error.cleanup, Cleanup::NothingCreated), "{error}");
    assert_eq!(emulator.calls("CreateCluster"), 0);
    let empty = Ephemeral::builder(" ").start(&client).await.unwrap_err();
    assert!(empty.to_string().contains("prefix"), "{empty}");
}
