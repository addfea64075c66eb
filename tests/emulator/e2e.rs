//! End to end through the public API against the emulator, with OAuth client
//! credentials: the lifecycle of the quickstart, the token reused, the token
//! rate limit honoured, a missing scope as a typed 403, and the emulator's
//! 412, 409 and CSV paths through the SDK's retry and waiting code.

use std::time::Duration;

use crate::common::{
    create_cluster, fast_retries, start_emulator, start_with_members_only_credential,
};
use camunda_admin::{emulator::Emulator, types, Client, Error, WaitOptions};

const QUICK_WAIT: WaitOptions =
    WaitOptions::new(Duration::from_secs(30), Duration::from_millis(10));

/// A client of `emulator` with its admin credential and fast retries.
fn fast_client(emulator: &Emulator) -> Client {
    emulator
        .client_builder()
        .retry(fast_retries())
        .build()
        .expect("client")
}

/// A cluster client: its secret once, its connection settings after.
async fn lifecycle_client(client: &Client, cluster_id: &str) {
    let asked = types::CreateClusterClientBody::builder()
        .client_name("worker")
        .permissions(vec![types::ClientPermission::Zeebe]);
    let created = client
        .create_client(cluster_id, asked.clone())
        .await
        .expect("client created");
    assert!(
        !created.client_secret.expose_secret().is_empty(),
        "the secret comes once, at creation"
    );
    let listed = client.get_clients(cluster_id).await.expect("clients");
    assert!(listed.iter().any(|c| c.client_id == created.client_id));
    let details = client
        .get_client(cluster_id, &created.client_id)
        .await
        .expect("details");
    assert_eq!(details.zeebe_client_id, created.client_id);
}

/// The allowlist, and a connector secret created, changed and deleted.
async fn lifecycle_allowlist_and_secret(client: &Client, cluster_id: &str) {
    let vpn = types::IpAllowlistEntry::builder()
        .ip("10.0.0.0/8")
        .description("vpn");
    let allowlist = types::IpAllowListBody::builder()
        .ipallowlist(vec![vpn.try_into().expect("both fields set")]);
    client
        .update_ip_allowlist(cluster_id, allowlist)
        .await
        .expect("allowlist");
    let cluster = client.get_cluster(cluster_id).await.expect("cluster");
    assert_eq!(
        cluster.ipallowlist.first().map(|e| e.ip.as_str()),
        Some("10.0.0.0/8")
    );

    let secret = types::CreateSecretBody::builder()
        .secret_name("TOKEN")
        .secret_value("first-value-7f3a");
    client
        .create_secret(cluster_id, secret)
        .await
        .expect("secret created");
    let update = types::UpdateSecretBody::builder().secret_value("second-value-9c2e");
    client
        .update_secret(cluster_id, "TOKEN", update)
        .await
        .expect("secret updated");
    let secrets = client.get_secrets(cluster_id).await.expect("secrets");
    assert_eq!(
        secrets.get("TOKEN").map(|v| v.expose_secret()),
        Some("second-value-9c2e")
    );
    client
        .delete_secret(cluster_id, "TOKEN")
        .await
        .expect("secret deleted");
}

/// A backup awaited, members, and the activity log without secret values.
async fn lifecycle_backup_and_log(client: &Client, cluster_id: &str) {
    let backup = client.create_backup(cluster_id).await.expect("backup");
    let backup = client
        .wait_for_backup(cluster_id, &backup.uuid, QUICK_WAIT)
        .await
        .expect("backup complete");
    assert_eq!(backup.status, types::BackupStatus::Complete);
    assert!(!client.get_members().await.expect("members").is_empty());
    let csv = client.get_csv().await.expect("csv");
    assert!(
        csv.lines().count() > 3,
        "the activity log records the calls: {csv}"
    );
    assert!(
        !csv.contains("first-value-7f3a") && !csv.contains("second-value-9c2e"),
        "no secret value in the activity log"
    );
}

#[tokio::test]
async fn the_quickstart_lifecycle_with_one_token() {
    let emulator = start_emulator(
        Emulator::builder()
            .cluster_ready_delay(Duration::ZERO)
            .backup_delay(Duration::ZERO),
    )
    .await;
    let client = fast_client(&emulator);
    let cluster_id = create_cluster(&client, "e2e").await;
    let cluster = client
        .wait_for_cluster_healthy(&cluster_id, QUICK_WAIT)
        .await
        .expect("healthy");
    assert_eq!(cluster.name, "e2e");

    lifecycle_client(&client, &cluster_id).await;
    lifecycle_allowlist_and_secret(&client, &cluster_id).await;
    lifecycle_backup_and_log(&client, &cluster_id).await;

    client.delete_cluster(&cluster_id).await.expect("deleted");
    let gone = client.get_cluster(&cluster_id).await.expect_err("gone");
    assert!(
        matches!(&gone, Error::Api(e) if e.status == 404 && e.operation == "GetCluster"),
        "{gone:?}"
    );
    assert_eq!(
        emulator.token_requests(),
        1,
        "one token for the whole lifecycle"
    );
    assert_eq!(client.token_requests_sent(), 1);
}

#[tokio::test]
async fn refreshing_tokens_stays_under_the_rate_limit() {
    // Tokens that live one second: the SDK plans with its 30 s floor, so
    // the expired token meets a 401 and is replaced once; the emulator
    // answers 429 to a second request within a second.
    let emulator = start_emulator(Emulator::builder().token_lifetime(Duration::from_secs(1))).await;
    let client = emulator.client_builder().build().expect("client");
    client.get_members().await.expect("first token");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    client.get_members().await.expect("refreshed token");
    // A 429 would have cost a third request.
    assert_eq!(emulator.token_requests(), 2);
}

#[tokio::test]
async fn a_missing_scope_is_a_typed_403() {
    let emulator = start_with_members_only_credential("members-only", "members-secret").await;
    let client = emulator
        .client_builder()
        .credentials("members-only", "members-secret")
        .build()
        .expect("client");
    client.get_members().await.expect("in scope");
    let error = client.get_clusters().await.expect_err("out of scope");
    assert!(
        !error.is_auth(),
        "a 403 is an answer of the API, not an authentication failure"
    );
    assert!(
        matches!(&error, Error::Api(e) if e.status == 403 && e.operation == "GetClusters"),
        "{error:?}"
    );
}

#[tokio::test]
async fn wrong_credentials_fail_fast() {
    let emulator = Emulator::start().await.expect("emulator");
    let client = emulator
        .client_builder()
        .credentials(emulator.admin_client_id(), "wrong")
        .build()
        .expect("client");
    for _ in 0..3 {
        let error = client.get_clusters().await.expect_err("refused");
        assert!(
            matches!(
                error,
                Error::Auth(camunda_admin::AuthError::InvalidCredentials { .. })
            ),
            "{error:?}"
        );
    }
    assert_eq!(emulator.token_requests(), 1);
}

#[tokio::test]
async fn get_client_is_retried_while_creating_then_succeeds_once_healthy() {
    let emulator =
        start_emulator(Emulator::builder().cluster_ready_delay(Duration::from_secs(3600))).await;
    let client = fast_client(&emulator);
    let cluster_id = create_cluster(&client, "slow").await;
    let created = client
        .create_client(
            &cluster_id,
            types::CreateClusterClientBody::builder().client_name("w"),
        )
        .await
        .expect("client created while the cluster is Creating");

    let error = client
        .get_client(&cluster_id, &created.client_id)
        .await
        .expect_err("not ready");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(412));
    assert_eq!(
        emulator.calls("GetClient"),
        4,
        "the documented 412 is retried three times"
    );

    let timeout = client
        .wait_for_cluster_healthy(
            &cluster_id,
            WaitOptions::new(Duration::from_millis(30), Duration::from_millis(10)),
        )
        .await
        .expect_err("still creating");
    assert!(
        matches!(&timeout, Error::WaitTimedOut { last_status, .. } if last_status == "Creating"),
        "{timeout:?}"
    );

    emulator.advance_clock(Duration::from_secs(3600));
    client
        .wait_for_cluster_healthy(&cluster_id, QUICK_WAIT)
        .await
        .expect("healthy now");
    client
        .get_client(&cluster_id, &created.client_id)
        .await
        .expect("ready now");
}

#[tokio::test]
async fn a_duplicate_secret_is_already_exists_after_one_post() {
    let emulator = start_emulator(Emulator::builder().cluster_ready_delay(Duration::ZERO)).await;
    let client = fast_client(&emulator);
    let cluster_id = create_cluster(&client, "secrets").await;
    let secret = types::CreateSecretBody::builder()
        .secret_name("DUP")
        .secret_value("x");
    client
        .create_secret(cluster_id.clone(), secret.clone())
        .await
        .expect("first");
    let error = client
        .create_secret(cluster_id.clone(), secret.clone())
        .await
        .expect_err("duplicate");
    assert!(
        matches!(&error, Error::AlreadyExists { operation: camunda_admin::OperationId::CreateSecret, name } if name == "DUP"),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert_eq!(
        emulator.calls("CreateSecret"),
        2,
        "one success, then the duplicate once: the read showed the name taken"
    );
}

#[tokio::test]
async fn injected_faults_are_ridden_out_by_retries() {
    let emulator = Emulator::start().await.expect("emulator");
    let client = fast_client(&emulator);
    emulator.fail_next("GetMembers", 2, 503).expect("fault");
    client.get_members().await.expect("third attempt succeeds");
    assert_eq!(emulator.calls("GetMembers"), 3);
}
