//! Contract tests of the IP allowlist operations: UpdateIpAllowlist and its
//! deprecated twin UpdateIpWhitelist. Neither documents an error status.

use crate::common::{assert_api_errors, client, cluster_path, expect, Reply, Route, CLUSTER_ID};
use camunda_admin::types::{self, IpAllowlistEntry};
use httpmock::MockServer;
use serde_json::{json, Value};

fn entries() -> Vec<IpAllowlistEntry> {
    vec![
        IpAllowlistEntry::try_from(
            IpAllowlistEntry::builder()
                .ip("203.0.113.0/24,198.51.100.7/32")
                .description("office Brussels"),
        )
        .expect("a valid value"),
        IpAllowlistEntry::try_from(
            IpAllowlistEntry::builder()
                .ip("192.0.2.10")
                .description("CI runner"),
        )
        .expect("a valid value"),
    ]
}

fn entries_json() -> Value {
    json!([
        { "ip": "203.0.113.0/24,198.51.100.7/32", "description": "office Brussels" },
        { "ip": "192.0.2.10", "description": "CI runner" }
    ])
}

// --- UpdateIpAllowlist -----------------------------------------------------

#[tokio::test]
async fn update_ip_allowlist_puts_the_entries() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("PUT", cluster_path("/ipallowlist")),
        Some(json!({ "ipallowlist": entries_json() })),
        Reply::NoContent,
    )
    .await;

    let () = client(&server)
        .update_ip_allowlist(
            CLUSTER_ID,
            types::IpAllowListBody::builder().ipallowlist(entries()),
        )
        .await
        .expect("UpdateIpAllowlist succeeds");

    mock.assert_async().await;
}

#[tokio::test]
async fn update_ip_allowlist_with_no_entries_sends_an_empty_list() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("PUT", cluster_path("/ipallowlist")),
        Some(json!({ "ipallowlist": [] })),
        Reply::NoContent,
    )
    .await;

    client(&server)
        .update_ip_allowlist(
            CLUSTER_ID,
            types::IpAllowListBody::builder().ipallowlist(vec![]),
        )
        .await
        .expect("UpdateIpAllowlist succeeds");

    mock.assert_async().await;
}

#[tokio::test]
async fn update_ip_allowlist_undocumented_500_is_an_api_error() {
    assert_api_errors(
        Route::new("PUT", cluster_path("/ipallowlist")),
        &[500],
        "UpdateIpAllowlist",
        |c| async move {
            c.update_ip_allowlist(
                CLUSTER_ID,
                types::IpAllowListBody::builder().ipallowlist(entries()),
            )
            .await
        },
    )
    .await;
}

// --- UpdateIpWhitelist (deprecated path) -----------------------------------

#[tokio::test]
async fn update_ip_whitelist_puts_the_entries_under_the_old_name() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("PUT", cluster_path("/ipwhitelist")),
        Some(json!({ "ipwhitelist": entries_json() })),
        Reply::NoContent,
    )
    .await;

    let () = client(&server)
        .update_ip_whitelist(
            CLUSTER_ID,
            types::IpWhiteListBody::builder().ipwhitelist(entries()),
        )
        .await
        .expect("UpdateIpWhitelist succeeds");

    mock.assert_async().await;
}

#[tokio::test]
async fn update_ip_whitelist_undocumented_500_is_an_api_error() {
    assert_api_errors(
        Route::new("PUT", cluster_path("/ipwhitelist")),
        &[500],
        "UpdateIpWhitelist",
        |c| async move {
            c.update_ip_whitelist(
                CLUSTER_ID,
                types::IpWhiteListBody::builder().ipwhitelist(entries()),
            )
            .await
        },
    )
    .await;
}
