//! Every operation, called through the public client against the emulator:
//! each answer decodes through the generated types, and the emulator keeps
//! its state between calls. Each area is a scenario of its own test; one
//! test runs them all on one emulator and checks, by the emulator's own
//! call counts, that every operation of the document was called.
//!
//! Request bodies are literal JSON, the wire format the document gives.

use std::time::Duration;

use crate::common::{admin_client, start_emulator};
use camunda_admin::{
    emulator::{operation_ids, Emulator},
    types::*,
    Client,
};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// A request body from its JSON.
fn body<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("the JSON is a valid request body")
}

fn status_of<T: std::fmt::Debug>(result: camunda_admin::Result<T>) -> Option<u16> {
    result.unwrap_err().as_api().map(|e| e.status.as_u16())
}

/// What the scenarios work on: an instant emulator (no delays), an admin
/// client, and cluster `id`: AWS, dual-region, External encryption, on the
/// oldest generation of the Stable channel so that it can be upgraded.
struct Tour {
    emulator: Emulator,
    client: Client,
    id: String,
    oldest: String,
    newest: String,
    backup_region: String,
}

async fn tour() -> Tour {
    tour_of(Emulator::builder()).await
}

/// [`tour`] on an emulator made from `config`.
async fn tour_of(config: camunda_admin::emulator::EmulatorConfig) -> Tour {
    let emulator = start_emulator(
        config
            .cluster_ready_delay(Duration::ZERO)
            .backup_delay(Duration::ZERO)
            .restore_delay(Duration::ZERO),
    )
    .await;
    let client = admin_client(&emulator).await;
    let parameters = client.get_parameters().await.unwrap();
    let stable = parameters
        .channels
        .iter()
        .find(|c| c.name == "Stable")
        .unwrap();
    let region = parameters
        .regions
        .iter()
        .find(|r| r.provider == "aws" && !r.backups.is_empty())
        .unwrap();
    let backup_region = region.backups[0].regions[0].id.clone();
    let oldest = stable.allowed_generations[0].uuid.clone();
    let created = client
        .create_cluster(body::<CreateClusterBody>(json!({
            "name": "orders",
            "description": "order processing",
            "planTypeId": parameters.cluster_plan_types[0].uuid,
            "channelId": stable.uuid,
            "generationId": oldest,
            "regionId": region.uuid,
            "backupRegionId": backup_region,
            "autoUpdate": false,
            "encryption": "External",
            "hardwarePackages": 1,
            "stageLabel": "dev",
        })))
        .await
        .unwrap();
    let newest = stable.default_generation.uuid.clone();
    let id = created.cluster_id;
    Tour {
        emulator,
        client,
        id,
        oldest,
        newest,
        backup_region,
    }
}

async fn meta_and_clusters(t: &Tour) {
    let meta = t.client.get_meta().await.unwrap();
    assert!(!meta.web_modeler.is_empty());
    assert_eq!(t.client.get_clusters().await.unwrap().len(), 1);
    let cluster = t.client.get_cluster(&t.id).await.unwrap();
    assert_eq!(cluster.uuid, t.id);
    assert_eq!(cluster.status.ready, ClusterStatus::Healthy);
    assert_eq!(cluster.status.zeebe_status, Some(ClusterStatus::Healthy));
    assert_eq!(cluster.generation.uuid, t.oldest);
    assert_eq!(
        cluster.backup_region.as_ref().unwrap().uuid,
        t.backup_region
    );
    let encryption = cluster
        .encryption
        .expect("the emulator always sends encryption");
    assert_eq!(encryption.type_, ClusterEncryptionKey::External);
    assert_eq!(
        encryption.status,
        Some(EncryptionStatus::ExternalEncryptionKeyNotSupplied)
    );
    assert!(cluster.links.zeebe.as_deref().unwrap().contains(&t.id));
    let update = json!({
        "name": "orders-prod",
        "description": "orders, in production",
        "numberOfAllocatedHwPackages": 2,
        "stageLabel": "prod",
    });
    t.client
        .update_cluster(&t.id, body::<UpdateClusterBody>(update))
        .await
        .unwrap();
    assert_eq!(
        t.client.get_cluster(&t.id).await.unwrap().name,
        "orders-prod"
    );
}

async fn cluster_clients(t: &Tour) {
    let asked = json!({ "clientName": "worker", "permissions": ["Zeebe", "Operate"] });
    let created = t
        .client
        .create_client(&t.id, body::<CreateClusterClientBody>(asked))
        .await
        .unwrap();
    assert!(!created.client_secret.expose_secret().is_empty());
    assert_eq!(created.audience.as_deref(), Some("zeebe.camunda.io"));
    assert_eq!(created.permissions, ["Zeebe", "Operate"]);
    let clients = t.client.get_clients(&t.id).await.unwrap();
    assert_eq!(clients.len(), 1);
    assert_eq!(
        clients[0].permissions,
        [ClientPermission::Zeebe, ClientPermission::Operate]
    );
    let details = t
        .client
        .get_client(&t.id, &created.client_id)
        .await
        .unwrap();
    assert_eq!(
        (details.zeebe_client_id.as_str(), details.name.as_str()),
        (created.client_id.as_str(), "worker")
    );
    t.client
        .delete_client(&t.id, &created.client_id)
        .await
        .unwrap();
    assert!(t.client.get_clients(&t.id).await.unwrap().is_empty());
}

async fn ip_allowlists(t: &Tour) {
    let entries = json!([
        { "ip": "203.0.113.0/24", "description": "office" },
        { "ip": "198.51.100.7, 198.51.100.8", "description": "office" },
    ]);
    let allowlist = json!({ "ipallowlist": entries });
    t.client
        .update_ip_allowlist(&t.id, body::<IpAllowListBody>(allowlist))
        .await
        .unwrap();
    let cluster = t.client.get_cluster(&t.id).await.unwrap();
    assert_eq!(cluster.ipallowlist.len(), 2);
    assert_eq!(cluster.ipallowlist[0].ip, "203.0.113.0/24");
    let whitelist = json!({ "ipwhitelist": [{ "ip": "192.0.2.1", "description": "office" }] });
    t.client
        .update_ip_whitelist(&t.id, body::<IpWhiteListBody>(whitelist))
        .await
        .unwrap();
    let cluster = t.client.get_cluster(&t.id).await.unwrap();
    assert_eq!(cluster.ipallowlist.len(), 1);
    assert_eq!(cluster.ipallowlist[0].ip, "192.0.2.1");
}

async fn connector_secrets(t: &Tour) {
    let secret = json!({ "secretName": "API_KEY", "secretValue": "one" });
    t.client
        .create_secret(&t.id, body::<CreateSecretBody>(secret))
        .await
        .unwrap();
    let update = json!({ "secretValue": "two" });
    t.client
        .update_secret(&t.id, "API_KEY", body::<UpdateSecretBody>(update))
        .await
        .unwrap();
    let secrets = t.client.get_secrets(&t.id).await.unwrap();
    assert_eq!(
        secrets.get("API_KEY").map(|s| s.expose_secret()),
        Some("two")
    );
    t.client.delete_secret(&t.id, "API_KEY").await.unwrap();
    assert!(t.client.get_secrets(&t.id).await.unwrap().is_empty());
}

async fn backups_and_restores(t: &Tour) {
    let backup = t.client.create_backup(&t.id).await.unwrap();
    assert_eq!(backup.generation_uuid.as_deref(), Some(t.oldest.as_str()));
    let backups = t.client.get_backups(&t.id).await.unwrap();
    assert_eq!(
        (backups[0].status.clone(), backups[0].zeebe_status.clone()),
        (BackupStatus::Complete, BackupStatus::Complete)
    );
    let schedule = json!({ "schedule": "0 3 * * *" });
    let schedule = t
        .client
        .update_schedule(&t.id, body::<BackupScheduleBody>(schedule))
        .await
        .unwrap();
    assert_eq!(schedule.schedule, "0 3 * * *");
    assert_eq!(
        t.client.get_schedule(&t.id).await.unwrap().schedule,
        "0 3 * * *"
    );
    t.client.delete_schedule(&t.id).await.unwrap();
    let restore = t
        .client
        .restore_from_backup(&t.id, &backup.uuid)
        .await
        .unwrap();
    assert_eq!(restore.backup_id, backup.uuid);
    let restore = t.client.get_restore(&t.id, &backup.uuid).await.unwrap();
    assert_eq!(restore.state, RestoreState::Completed);
    assert!(restore.completion_timestamp.is_some());
    let deleted = t.client.delete_backup(&t.id, &backup.uuid).await.unwrap();
    assert_eq!(deleted.uuid, backup.uuid);
    assert!(t.client.get_backups(&t.id).await.unwrap().is_empty());
}

async fn monitoring(t: &Tour) {
    t.client.activate_monitoring(&t.id).await.unwrap();
    let user = json!({ "username": "prometheus" });
    let created = t
        .client
        .create_monitoring_client(&t.id, body::<CreateMonitoringClientBody>(user))
        .await
        .unwrap();
    assert!(!created.password.expose_secret().is_empty());
    let listed = t.client.get_monitoring_clients(&t.id).await.unwrap();
    assert_eq!(listed.clients.len(), 1);
    assert!(matches!(
        listed.status,
        GetMonitoringClientsResponseStatus::ByomStatus(_)
    ));
    let rotated = t
        .client
        .rotate_monitoring_client_password(&t.id, &created.uuid)
        .await
        .unwrap();
    assert_ne!(rotated.password, created.password);
    t.client
        .delete_monitoring_client(&t.id, &created.uuid)
        .await
        .unwrap();
    t.client.deactivate_monitoring(&t.id).await.unwrap();
    let listed = t.client.get_monitoring_clients(&t.id).await.unwrap();
    assert!(matches!(
        listed.status,
        GetMonitoringClientsResponseStatus::EmptyObject(_)
    ));
}

async fn secure_connectivity(t: &Tour) {
    let allowed = json!({
        "allowedPrincipals": ["arn:aws:iam::123456789012:root"],
        "allowedRegions": ["eu-central-1"],
    });
    t.client
        .activate_secure_connectivity(&t.id, body::<ActivateSecureConnectivityBody>(allowed))
        .await
        .unwrap();
    let status = t
        .client
        .get_secure_connectivity_status(&t.id)
        .await
        .unwrap();
    match status.status {
        GetSecureConnectivityStatusResponseStatus::SecureConnectivityDto(dto) => {
            assert_eq!(dto.spec.cluster.id, t.id);
            assert_eq!(dto.spec.allowed_regions, ["eu-central-1"]);
        }
        other => panic!("expected the connectivity resource, got {other:?}"),
    }
    t.client
        .deactivate_secure_connectivity(&t.id)
        .await
        .unwrap();
}

async fn encryption_upgrade_and_wake(t: &Tour) {
    let keys = json!({
        "primaryEncryptionKeyId": "arn:aws:kms:eu-central-1:123456789012:key/primary",
        "secondaryEncryptionKeyId": "arn:aws:kms:us-east-1:123456789012:key/secondary",
    });
    let cluster = t
        .client
        .update_cluster_encryption(&t.id, body::<UpdateClusterEncryptionBody>(keys))
        .await
        .unwrap();
    let encryption = cluster.encryption.unwrap();
    assert_eq!(encryption.status, Some(EncryptionStatus::Ready));
    assert_eq!(
        encryption.primary_key_arn.as_deref(),
        Some("arn:aws:kms:eu-central-1:123456789012:key/primary")
    );
    let upgrade = t.client.upgrade_cluster(&t.id).await.unwrap();
    assert_eq!(
        (
            upgrade.old_generation.id.as_str(),
            upgrade.new_generation.id.as_str()
        ),
        (t.oldest.as_str(), t.newest.as_str())
    );
    assert_eq!(upgrade.org_id, t.emulator.org_id());
    assert!(t.emulator.suspend_cluster(&t.id));
    let status = || async { t.client.get_cluster(&t.id).await.unwrap().status.ready };
    assert_eq!(status().await, ClusterStatus::Suspended);
    t.client.wake(&t.id).await.unwrap();
    assert_eq!(status().await, ClusterStatus::Healthy);
}

async fn members(t: &Tour) {
    let roles = json!({ "orgRoles": ["developer"] });
    t.client
        .update_members("new.person@example.com", body::<PostMemberBody>(roles))
        .await
        .unwrap();
    let members = t.client.get_members().await.unwrap();
    let invited = members
        .iter()
        .find(|m| m.email == "new.person@example.com")
        .unwrap();
    assert!(invited.invite_pending);
    assert_eq!(invited.roles, [OrganizationRole::Developer]);
    assert!(members
        .iter()
        .any(|m| m.roles.contains(&OrganizationRole::Owner)));
    t.client
        .delete_member("new.person@example.com")
        .await
        .unwrap();
    let members = t.client.get_members().await.unwrap();
    assert!(members.iter().all(|m| m.email != "new.person@example.com"));
}

async fn failover(t: &Tour) {
    let backup = t.client.create_backup(&t.id).await.unwrap();
    let ids = json!({ "backupIds": [backup.uuid], "restoreBackupId": backup.uuid });
    let failover = t
        .client
        .trigger_failover(&t.id, body::<TriggerFailoverBody>(ids))
        .await
        .unwrap();
    assert!(matches!(
        failover.results.restore,
        FailoverResultResultsRestore::Ok
    ));
    assert!(matches!(
        failover.results.backup_clone,
        FailoverResultResultsBackupClone::Ok
    ));
    let new_id = &failover.new_cluster_id;
    let replacement = t.client.get_cluster(new_id).await.unwrap();
    assert_eq!(replacement.region.uuid, t.backup_region);
    assert_eq!(t.client.get_backups(new_id).await.unwrap().len(), 1);
    let original = t.client.get_cluster(&t.id).await.unwrap();
    assert_eq!(original.status.ready, ClusterStatus::Suspended);
}

async fn activity_log(t: &Tour) {
    let secret = json!({ "secretName": "LOGGED", "secretValue": "never-logged" });
    t.client
        .create_secret(&t.id, body::<CreateSecretBody>(secret))
        .await
        .unwrap();
    let activity = t.client.get_json().await.unwrap();
    let created =
        |a: &AuditDto| a.audit_type == AuditType::C && a.entity == "cluster" && a.entity_id == t.id;
    assert!(activity.iter().any(created));
    assert!(activity
        .iter()
        .all(|a| !a.audit_type.is_unknown() && a.org_id == t.emulator.org_id()));
    let csv = t.client.get_csv().await.unwrap();
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("timestamp,service,orgId,userId,auditType"));
    assert_eq!(lines.count(), activity.len());
    assert!(
        csv.contains("LOGGED") && !csv.contains("never-logged"),
        "no secret value in the log"
    );
}

async fn deletion(t: &Tour) {
    t.client.delete_cluster(&t.id).await.unwrap();
    assert_eq!(status_of(t.client.get_cluster(&t.id).await), Some(404));
}

#[tokio::test]
async fn every_operation_is_served_and_decodes() {
    every_operation(tour().await).await;
}

/// What the SDK sends passes a strict emulator: JSON, and no field the
/// document's closed bodies lack.
#[tokio::test]
async fn every_operation_passes_a_strict_emulator() {
    every_operation(tour_of(Emulator::builder().strict(true)).await).await;
}

async fn every_operation(t: Tour) {
    meta_and_clusters(&t).await;
    cluster_clients(&t).await;
    ip_allowlists(&t).await;
    connector_secrets(&t).await;
    backups_and_restores(&t).await;
    monitoring(&t).await;
    secure_connectivity(&t).await;
    encryption_upgrade_and_wake(&t).await;
    members(&t).await;
    failover(&t).await;
    activity_log(&t).await;
    deletion(&t).await;
    let all: Vec<&str> = operation_ids().collect();
    assert_eq!(all.len(), 43);
    let uncalled: Vec<&str> = all
        .into_iter()
        .filter(|op| t.emulator.calls(op) == 0)
        .collect();
    assert!(uncalled.is_empty(), "never called: {uncalled:?}");
}

#[tokio::test]
async fn clusters_are_read_and_updated() {
    meta_and_clusters(&tour().await).await;
}

#[tokio::test]
async fn cluster_clients_are_created_read_and_deleted() {
    cluster_clients(&tour().await).await;
}

#[tokio::test]
async fn ip_allowlists_are_replaced_under_both_names() {
    ip_allowlists(&tour().await).await;
}

#[tokio::test]
async fn connector_secrets_are_created_updated_and_deleted() {
    connector_secrets(&tour().await).await;
}

#[tokio::test]
async fn backups_schedules_and_restores_complete() {
    backups_and_restores(&tour().await).await;
}

#[tokio::test]
async fn monitoring_and_its_clients_come_and_go() {
    monitoring(&tour().await).await;
}

#[tokio::test]
async fn secure_connectivity_is_activated_read_and_deactivated() {
    secure_connectivity(&tour().await).await;
}

#[tokio::test]
async fn encryption_keys_upgrades_and_wake_ups() {
    encryption_upgrade_and_wake(&tour().await).await;
}

#[tokio::test]
async fn members_are_invited_and_removed() {
    members(&tour().await).await;
}

#[tokio::test]
async fn a_dual_region_cluster_fails_over_to_its_backup_region() {
    failover(&tour().await).await;
}

#[tokio::test]
async fn the_activity_log_holds_every_change_but_no_secret_value() {
    activity_log(&tour().await).await;
}

#[tokio::test]
async fn a_deleted_cluster_is_gone() {
    deletion(&tour().await).await;
}
