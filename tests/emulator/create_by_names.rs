//! Creating a cluster by names, as a new user would from the crate docs:
//! region, plan and channel by the names the Console shows, resolved with
//! one GetParameters call against the emulator.

use camunda_admin::{emulator::Emulator, Error, NewCluster};

#[tokio::test]
async fn a_cluster_is_created_from_names_alone() {
    let emulator = Emulator::start().await.expect("emulator");
    let client = emulator.client_builder().build().expect("client");

    let created = client
        .create_cluster_by_names(
            NewCluster::new("orders-dev")
                .region("europe-west1")
                .plan("Basic")
                .channel("Stable"),
        )
        .await
        .expect("created from names");

    let cluster = client
        .get_cluster(&created.cluster_id)
        .await
        .expect("cluster");
    assert_eq!(cluster.name, "orders-dev");
    assert_eq!(cluster.region.name, "Belgium, Europe (europe-west1)");
    assert_eq!(cluster.plan_type.name, "Basic");
    assert_eq!(cluster.channel.name, "Stable");
    let parameters = client.get_parameters().await.expect("parameters");
    let stable = parameters.channel("Stable").expect("Stable");
    assert_eq!(
        cluster.generation.uuid, stable.default_generation.uuid,
        "the channel's default generation"
    );
    assert_eq!(
        emulator.calls("GetParameters"),
        2,
        "one lookup call, one by the test"
    );
    assert_eq!(emulator.calls("CreateCluster"), 1);
}

#[tokio::test]
async fn an_unknown_name_is_a_typed_error_listing_the_choices_and_creates_nothing() {
    let emulator = Emulator::start().await.expect("emulator");
    let client = emulator.client_builder().build().expect("client");

    let error = client
        .create_cluster_by_names(
            NewCluster::new("x")
                .region("mars-north1")
                .plan("Basic")
                .channel("Stable"),
        )
        .await
        .expect_err("no such region");

    let Error::Lookup(lookup) = &error else {
        panic!("expected a lookup error, got {error:?}");
    };
    assert_eq!(lookup.what, "region");
    assert!(lookup
        .choices
        .iter()
        .any(|c| c.starts_with("Belgium, Europe (europe-west1)")));
    assert_eq!(emulator.calls("CreateCluster"), 0);
}
