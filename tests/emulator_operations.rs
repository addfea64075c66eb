//! Every one of the 43 operations, called through the public client against
//! the emulator: each answer decodes through the generated types, and the
//! emulator keeps its state between calls.

mod common;

use std::time::Duration;

use camunda_admin::{
    emulator::{operation_ids, Emulator},
    types::*,
    Client,
};
use common::{
    admin_client, admin_token, cluster_body, create_cluster, raw_get, raw_post, start_emulator,
};

/// An emulator whose clusters, backups and restores are ready at once.
async fn instant_emulator() -> Emulator {
    start_emulator(
        Emulator::builder()
            .cluster_ready_delay(Duration::ZERO)
            .backup_delay(Duration::ZERO)
            .restore_delay(Duration::ZERO),
    )
    .await
}

/// [`instant_emulator`] and a client of it with an admin token.
async fn instant_session() -> (Emulator, Client) {
    let emulator = instant_emulator().await;
    let client = admin_client(&emulator).await;
    (emulator, client)
}

fn status_of(error: &camunda_admin::Error) -> Option<u16> {
    error.status().map(|s| s.as_u16())
}

#[tokio::test]
async fn every_operation_is_served_and_decodes() {
    let (emulator, client) = instant_session().await;
    let mut called = std::collections::BTreeSet::new();
    let mut seen = |op: &'static str| assert!(called.insert(op), "{op} twice");

    // GetMeta (no credential needed) and GetParameters.
    let meta = client.get_meta().await.unwrap();
    seen("GetMeta");
    assert!(!meta.web_modeler.is_empty());
    let parameters = client.get_parameters().await.unwrap();
    seen("GetParameters");
    let stable = parameters
        .channels
        .iter()
        .find(|c| c.name == "Stable")
        .unwrap();
    let oldest = &stable.allowed_generations[0];
    assert_ne!(
        oldest.uuid, stable.default_generation.uuid,
        "an upgrade needs a newer generation"
    );
    let region = parameters
        .regions
        .iter()
        .find(|r| r.provider == "aws" && !r.backups.is_empty())
        .unwrap();
    let backup_region = &region.backups[0].regions[0];
    let plan = &parameters.cluster_plan_types[0];

    // CreateCluster, GetClusters, GetCluster, UpdateCluster.
    let created = client
        .create_cluster(
            CreateClusterBody::builder()
                .name("orders")
                .description(Some("order processing".to_owned()))
                .plan_type_id(plan.uuid.clone())
                .channel_id(stable.uuid.clone())
                .generation_id(oldest.uuid.clone())
                .region_id(region.uuid.clone())
                .backup_region_id(Some(backup_region.id.clone()))
                .auto_update(Some(false))
                .encryption(Some(ClusterEncryptionKey::External))
                .hardware_packages(Some(1.0))
                .identity_backend_checks_enabled(None)
                .stage_label(Some(CamundaClusterStage::Dev)),
        )
        .await
        .unwrap();
    seen("CreateCluster");
    let id = created.cluster_id;
    let clusters = client.get_clusters().await.unwrap();
    seen("GetClusters");
    assert_eq!(clusters.len(), 1);
    let cluster = client.get_cluster(&id).await.unwrap();
    seen("GetCluster");
    assert_eq!(cluster.uuid, id);
    assert_eq!(cluster.status.ready, ClusterStatus::Healthy);
    assert_eq!(cluster.status.zeebe_status, Some(ClusterStatus::Healthy));
    assert_eq!(cluster.generation.uuid, oldest.uuid);
    assert_eq!(cluster.region.uuid, region.uuid);
    assert_eq!(
        cluster.backup_region.as_ref().unwrap().uuid,
        backup_region.id
    );
    let encryption = cluster
        .encryption
        .as_ref()
        .expect("the emulator always sends encryption");
    assert_eq!(encryption.type_, ClusterEncryptionKey::External);
    assert_eq!(
        encryption.status,
        Some(EncryptionStatus::ExternalEncryptionKeyNotSupplied)
    );
    assert!(cluster.links.zeebe.as_deref().unwrap().contains(&id));
    client
        .update_cluster(
            &id,
            UpdateClusterBody::builder()
                .name(Some("orders-prod".to_owned()))
                .description(Some("orders, in production".to_owned()))
                .number_of_allocated_hw_packages(Some(2.0))
                .stage_label(Some(CamundaClusterStage::Prod)),
        )
        .await
        .unwrap();
    seen("UpdateCluster");
    assert_eq!(client.get_cluster(&id).await.unwrap().name, "orders-prod");

    // Cluster clients: the secret only at creation.
    let cluster_client = client
        .create_client(
            &id,
            CreateClusterClientBody::builder()
                .client_name("worker")
                .permissions(vec![ClientPermission::Zeebe, ClientPermission::Operate]),
        )
        .await
        .unwrap();
    seen("CreateClient");
    assert!(!cluster_client.client_secret.expose_secret().is_empty());
    assert_eq!(cluster_client.audience.as_deref(), Some("zeebe.camunda.io"));
    assert_eq!(cluster_client.permissions, ["Zeebe", "Operate"]);
    let clients = client.get_clients(&id).await.unwrap();
    seen("GetClients");
    assert_eq!(clients.len(), 1);
    assert_eq!(
        clients[0].permissions,
        [ClientPermission::Zeebe, ClientPermission::Operate]
    );
    let details = client
        .get_client(&id, &cluster_client.client_id)
        .await
        .unwrap();
    seen("GetClient");
    assert_eq!(details.zeebe_client_id, cluster_client.client_id);
    assert_eq!(details.name, "worker");

    // IP allowlist, both spellings.
    let entry = |ip: &str| {
        IpAllowlistEntry::try_from(IpAllowlistEntry::builder().ip(ip).description("office"))
            .expect("a valid value")
    };
    client
        .update_ip_allowlist(
            &id,
            IpAllowListBody::builder().ipallowlist(vec![
                entry("203.0.113.0/24"),
                entry("198.51.100.7, 198.51.100.8"),
            ]),
        )
        .await
        .unwrap();
    seen("UpdateIpAllowlist");
    let cluster = client.get_cluster(&id).await.unwrap();
    assert_eq!(cluster.ipallowlist.len(), 2);
    assert_eq!(cluster.ipallowlist[0].ip, "203.0.113.0/24");
    client
        .update_ip_whitelist(
            &id,
            IpWhiteListBody::builder().ipwhitelist(vec![entry("192.0.2.1")]),
        )
        .await
        .unwrap();
    seen("UpdateIpWhitelist");
    let cluster = client.get_cluster(&id).await.unwrap();
    assert_eq!(cluster.ipallowlist.len(), 1);
    assert_eq!(cluster.ipallowlist[0].ip, "192.0.2.1");

    // Connector secrets.
    client
        .create_secret(
            &id,
            CreateSecretBody::builder()
                .secret_name("API_KEY")
                .secret_value("one"),
        )
        .await
        .unwrap();
    seen("CreateSecret");
    client
        .update_secret(
            &id,
            "API_KEY",
            UpdateSecretBody::builder().secret_value("two"),
        )
        .await
        .unwrap();
    seen("UpdateSecret");
    let secrets = client.get_secrets(&id).await.unwrap();
    seen("GetSecrets");
    assert_eq!(
        secrets.get("API_KEY").map(|s| s.expose_secret()),
        Some("two")
    );

    // Backups, the schedule, restore.
    let backup = client.create_backup(&id).await.unwrap();
    seen("CreateBackup");
    assert_eq!(
        backup.generation_uuid.as_deref(),
        Some(oldest.uuid.as_str())
    );
    let backups = client.get_backups(&id).await.unwrap();
    seen("GetBackups");
    assert_eq!(backups.len(), 1);
    assert_eq!(backups[0].status, BackupStatus::Complete);
    assert_eq!(backups[0].zeebe_status, BackupStatus::Complete);
    let schedule = client
        .update_schedule(&id, BackupScheduleBody::builder().schedule("0 3 * * *"))
        .await
        .unwrap();
    seen("UpdateSchedule");
    assert_eq!(schedule.schedule, "0 3 * * *");
    assert_eq!(
        client.get_schedule(&id).await.unwrap().schedule,
        "0 3 * * *"
    );
    seen("GetSchedule");
    client.delete_schedule(&id).await.unwrap();
    seen("DeleteSchedule");
    let restore = client.restore_from_backup(&id, &backup.uuid).await.unwrap();
    seen("RestoreFromBackup");
    assert_eq!(restore.backup_id, backup.uuid);
    let restore = client.get_restore(&id, &backup.uuid).await.unwrap();
    seen("GetRestore");
    assert_eq!(restore.state, RestoreState::Completed);
    assert!(restore.completion_timestamp.is_some());

    // Monitoring and its clients.
    client.activate_monitoring(&id).await.unwrap();
    seen("ActivateMonitoring");
    let monitoring_client = client
        .create_monitoring_client(
            &id,
            CreateMonitoringClientBody::builder().username("prometheus"),
        )
        .await
        .unwrap();
    seen("CreateMonitoringClient");
    assert!(!monitoring_client.password.expose_secret().is_empty());
    let monitoring = client.get_monitoring_clients(&id).await.unwrap();
    seen("GetMonitoringClients");
    assert_eq!(monitoring.clients.len(), 1);
    assert!(matches!(
        monitoring.status,
        GetMonitoringClientsResponseStatus::ByomStatus(_)
    ));
    let rotated = client
        .rotate_monitoring_client_password(&id, &monitoring_client.uuid)
        .await
        .unwrap();
    seen("RotateMonitoringClientPassword");
    assert_ne!(rotated.password, monitoring_client.password);
    client
        .delete_monitoring_client(&id, &monitoring_client.uuid)
        .await
        .unwrap();
    seen("DeleteMonitoringClient");
    client.deactivate_monitoring(&id).await.unwrap();
    seen("DeactivateMonitoring");
    let monitoring = client.get_monitoring_clients(&id).await.unwrap();
    assert!(matches!(
        monitoring.status,
        GetMonitoringClientsResponseStatus::EmptyObject(_)
    ));

    // Secure connectivity.
    client
        .activate_secure_connectivity(
            &id,
            ActivateSecureConnectivityBody::builder()
                .allowed_principals(vec!["arn:aws:iam::123456789012:root".into()])
                .allowed_regions(vec!["eu-central-1".into()]),
        )
        .await
        .unwrap();
    seen("ActivateSecureConnectivity");
    let status = client.get_secure_connectivity_status(&id).await.unwrap();
    seen("GetSecureConnectivityStatus");
    match status.status {
        GetSecureConnectivityStatusResponseStatus::SecureConnectivityDto(dto) => {
            assert_eq!(dto.spec.cluster.id, id);
            assert_eq!(dto.spec.allowed_regions, ["eu-central-1"]);
        }
        other => panic!("expected the connectivity resource, got {other:?}"),
    }
    client.deactivate_secure_connectivity(&id).await.unwrap();
    seen("DeactivateSecureConnectivity");

    // Encryption keys (External cluster in an AWS region).
    let cluster = client
        .update_cluster_encryption(
            &id,
            UpdateClusterEncryptionBody::builder()
                .primary_encryption_key_id("arn:aws:kms:eu-central-1:123456789012:key/primary")
                .secondary_encryption_key_id(Some(
                    "arn:aws:kms:us-east-1:123456789012:key/secondary".to_owned(),
                )),
        )
        .await
        .unwrap();
    seen("UpdateClusterEncryption");
    let encryption = cluster.encryption.unwrap();
    assert_eq!(encryption.status, Some(EncryptionStatus::Ready));
    assert_eq!(
        encryption.primary_key_arn.as_deref(),
        Some("arn:aws:kms:eu-central-1:123456789012:key/primary")
    );

    // Upgrade and wake.
    let upgrade = client.upgrade_cluster(&id).await.unwrap();
    seen("UpgradeCluster");
    assert_eq!(upgrade.old_generation.id, oldest.uuid);
    assert_eq!(upgrade.new_generation.id, stable.default_generation.uuid);
    assert_eq!(upgrade.org_id, emulator.org_id());
    assert!(emulator.suspend_cluster(&id));
    assert_eq!(
        client.get_cluster(&id).await.unwrap().status.ready,
        ClusterStatus::Suspended
    );
    client.wake(&id).await.unwrap();
    seen("Wake");
    assert_eq!(
        client.get_cluster(&id).await.unwrap().status.ready,
        ClusterStatus::Healthy
    );

    // Members.
    client
        .update_members(
            "new.person@example.com",
            PostMemberBody::builder().org_roles(vec![AssignableOrganizationRoleType::Developer]),
        )
        .await
        .unwrap();
    seen("UpdateMembers");
    let members = client.get_members().await.unwrap();
    seen("GetMembers");
    let invited = members
        .iter()
        .find(|m| m.email == "new.person@example.com")
        .unwrap();
    assert!(invited.invite_pending);
    assert_eq!(invited.roles, [OrganizationRole::Developer]);
    assert!(members
        .iter()
        .any(|m| m.roles.contains(&OrganizationRole::Owner)));
    client
        .delete_member("new.person@example.com")
        .await
        .unwrap();
    seen("DeleteMember");

    // Deletions.
    client.delete_secret(&id, "API_KEY").await.unwrap();
    seen("DeleteSecret");
    client
        .delete_client(&id, &cluster_client.client_id)
        .await
        .unwrap();
    seen("DeleteClient");
    let second = client.create_backup(&id).await.unwrap();
    let deleted = client.delete_backup(&id, &second.uuid).await.unwrap();
    seen("DeleteBackup");
    assert_eq!(deleted.uuid, second.uuid);

    // Failover to the backup region.
    let failover = client
        .trigger_failover(
            &id,
            TriggerFailoverBody::builder()
                .backup_ids(vec![backup.uuid.clone()])
                .restore_backup_id(backup.uuid.clone()),
        )
        .await
        .unwrap();
    seen("TriggerFailover");
    assert!(matches!(
        failover.results.restore,
        FailoverResultResultsRestore::Ok
    ));
    assert!(matches!(
        failover.results.backup_clone,
        FailoverResultResultsBackupClone::Ok
    ));
    let replacement = client.get_cluster(&failover.new_cluster_id).await.unwrap();
    assert_eq!(replacement.region.uuid, backup_region.id);
    assert_eq!(
        client
            .get_backups(&failover.new_cluster_id)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        client.get_cluster(&id).await.unwrap().status.ready,
        ClusterStatus::Suspended
    );

    // The activity log, as JSON and CSV.
    let activity = client.get_json().await.unwrap();
    seen("GetJson");
    assert!(activity
        .iter()
        .any(|a| a.audit_type == AuditType::C && a.entity == "cluster" && a.entity_id == id));
    assert!(activity.iter().all(|a| !a.audit_type.is_unknown()));
    assert!(activity.iter().all(|a| a.org_id == emulator.org_id()));
    let csv = client.get_csv().await.unwrap();
    seen("GetCsv");
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("timestamp,service,orgId,userId,auditType"));
    assert_eq!(lines.count(), activity.len());
    assert!(
        !csv.contains("two"),
        "secret values never reach the activity log"
    );

    client.delete_cluster(&id).await.unwrap();
    seen("DeleteCluster");
    let error = client.get_cluster(&id).await.unwrap_err();
    assert_eq!(status_of(&error), Some(404));

    let all: std::collections::BTreeSet<&str> = operation_ids().collect();
    assert_eq!(all.len(), 43);
    assert_eq!(called, all, "every operation was called once");
}

#[tokio::test]
async fn create_cluster_accepts_exactly_what_parameters_list() {
    let (emulator, client) = instant_session().await;
    let parameters = client.get_parameters().await.unwrap();
    let alpha = parameters
        .channels
        .iter()
        .find(|c| c.name == "Alpha")
        .unwrap();
    let stable = parameters
        .channels
        .iter()
        .find(|c| c.name == "Stable")
        .unwrap();
    let gcp = parameters
        .regions
        .iter()
        .find(|r| r.provider == "gcp")
        .unwrap();
    let valid = || {
        camunda_admin::types::builder::CreateClusterBody::from(cluster_body(&parameters, "ok"))
            .channel_id(&stable.uuid)
            .generation_id(&stable.default_generation.uuid)
            .region_id(&gcp.uuid)
    };
    // Every combination of listed channel and allowed generation works.
    for channel in &parameters.channels {
        for generation in &channel.allowed_generations {
            let body = valid()
                .channel_id(&channel.uuid)
                .generation_id(&generation.uuid);
            client.create_cluster(body).await.unwrap();
        }
    }
    let cases = [
        valid().name("  "),
        valid().name("x".repeat(51)),
        valid().plan_type_id("nope"),
        valid().region_id("nope"),
        valid().channel_id("nope"),
        // A generation of another channel.
        valid().generation_id(alpha.default_generation.uuid.clone()),
        valid().backup_region_id(Some("nope".to_owned())),
        valid().encryption(Some(ClusterEncryptionKey::External)),
        valid().hardware_packages(Some(0.5)),
    ];
    for body in cases {
        let body = CreateClusterBody::try_from(body).expect("every field set");
        let error = client.create_cluster(body.clone()).await.unwrap_err();
        assert_eq!(status_of(&error), Some(400), "{body:?}: {error}");
    }

    // A body that is not JSON at all, straight over HTTP, is a 400 too.
    let token = admin_token_again(&emulator).await;
    let response = raw_post(
        format!("{}/clusters", emulator.base_url()),
        "application/json",
        "{not json",
    )
    .bearer_auth(token)
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 400);
}

/// A second token for the same client, a second later on the emulator's
/// clock (the token service allows one request per second).
async fn admin_token_again(emulator: &Emulator) -> String {
    emulator.advance_clock(Duration::from_secs(1));
    admin_token(emulator).await
}

// Paused time: the client retries the documented 409 of CreateSecret with
// back-off, which paused time skips.
#[tokio::test(start_paused = true)]
async fn documented_conflicts_and_missing_objects() {
    // The emulator serves until the end of the test.
    let (_emulator, client) = instant_session().await;
    let id = create_cluster(&client, "c").await;

    // Unknown clusters are 404 everywhere.
    assert_eq!(
        status_of(&client.get_cluster("nope").await.unwrap_err()),
        Some(404)
    );
    assert_eq!(
        status_of(&client.get_backups("nope").await.unwrap_err()),
        Some(404)
    );
    assert_eq!(
        status_of(&client.get_clients("nope").await.unwrap_err()),
        Some(404)
    );
    assert_eq!(
        status_of(&client.get_secrets("nope").await.unwrap_err()),
        Some(404)
    );
    assert_eq!(
        status_of(&client.wake("nope").await.unwrap_err()),
        Some(404)
    );
    assert_eq!(
        status_of(&client.delete_cluster("nope").await.unwrap_err()),
        Some(404)
    );
    let failover = client
        .trigger_failover(
            "nope",
            TriggerFailoverBody::builder()
                .backup_ids(vec!["b".into()])
                .restore_backup_id("b"),
        )
        .await
        .unwrap_err();
    assert_eq!(status_of(&failover), Some(404));
    assert!(
        failover.as_api().unwrap().body.contains("no cluster"),
        "{failover}"
    );

    // Secrets: 409 on a duplicate, 404 unknown, 400 on a bad name.
    let secret = |name: &str| {
        CreateSecretBody::try_from(
            CreateSecretBody::builder()
                .secret_name(name)
                .secret_value("v"),
        )
        .expect("a valid value")
    };
    client
        .create_secret(id.clone(), secret("TOKEN"))
        .await
        .unwrap();
    let duplicate = client
        .create_secret(id.clone(), secret("TOKEN"))
        .await
        .unwrap_err();
    assert!(
        matches!(&duplicate, camunda_admin::Error::AlreadyExists { name, .. } if name == "TOKEN"),
        "{duplicate:?}"
    );
    let missing = client
        .update_secret(&id, "NOPE", UpdateSecretBody::builder().secret_value("v"))
        .await
        .unwrap_err();
    assert_eq!(status_of(&missing), Some(404));
    assert_eq!(
        status_of(&client.delete_secret(&id, "NOPE").await.unwrap_err()),
        Some(404)
    );
    let long = client
        .create_secret(id.clone(), secret(&"X".repeat(50)))
        .await
        .unwrap_err();
    assert_eq!(status_of(&long), Some(400));

    // The schedule: 404 while none is set, deleting none is fine, bad cron 400.
    assert_eq!(
        status_of(&client.get_schedule(&id).await.unwrap_err()),
        Some(404)
    );
    client.delete_schedule(&id).await.unwrap();
    let every_minute = client
        .update_schedule(&id, BackupScheduleBody::builder().schedule("* * * * *"))
        .await
        .unwrap_err();
    assert_eq!(status_of(&every_minute), Some(400));

    // Monitoring and secure connectivity: 409 when already in that state.
    assert_eq!(
        status_of(&client.deactivate_monitoring(&id).await.unwrap_err()),
        Some(409)
    );
    client.activate_monitoring(&id).await.unwrap();
    assert_eq!(
        status_of(&client.activate_monitoring(&id).await.unwrap_err()),
        Some(409)
    );
    assert_eq!(
        status_of(
            &client
                .deactivate_secure_connectivity(&id)
                .await
                .unwrap_err()
        ),
        Some(409)
    );

    // Encryption on a Software cluster outside AWS: 403.
    let encryption = client
        .update_cluster_encryption(
            &id,
            UpdateClusterEncryptionBody::builder()
                .primary_encryption_key_id("arn:aws:kms:eu-central-1:123456789012:key/k")
                .secondary_encryption_key_id(None),
        )
        .await
        .unwrap_err();
    assert_eq!(status_of(&encryption), Some(403));

    // Failover without a backup region: 422, as plain text.
    let failover = client
        .trigger_failover(
            &id,
            TriggerFailoverBody::builder()
                .backup_ids(vec!["b".into()])
                .restore_backup_id("b"),
        )
        .await
        .unwrap_err();
    assert_eq!(status_of(&failover), Some(422));

    // Upgrading the newest generation: 400.
    assert_eq!(
        status_of(&client.upgrade_cluster(&id).await.unwrap_err()),
        Some(400)
    );

    // Members: 404 unknown, 400 bad address or role, 403 for the owner.
    assert_eq!(
        status_of(
            &client
                .delete_member("nobody@example.com")
                .await
                .unwrap_err()
        ),
        Some(404)
    );
    let roles = |r: &str| {
        PostMemberBody::try_from(
            PostMemberBody::builder().org_roles(vec![AssignableOrganizationRoleType::from(r)]),
        )
        .expect("a valid value")
    };
    assert_eq!(
        status_of(
            &client
                .update_members("not-an-email", roles("admin"))
                .await
                .unwrap_err()
        ),
        Some(400)
    );
    assert_eq!(
        status_of(
            &client
                .update_members("x@example.com", roles("owner"))
                .await
                .unwrap_err()
        ),
        Some(400)
    );
    assert_eq!(
        status_of(
            &client
                .update_members("owner@example.com", roles("admin"))
                .await
                .unwrap_err()
        ),
        Some(403)
    );

    // Clients: 404 unknown, 400 on a duplicate name.
    assert_eq!(
        status_of(&client.get_client(&id, "nope").await.unwrap_err()),
        Some(404)
    );
    let body = CreateClusterClientBody::try_from(
        CreateClusterClientBody::builder()
            .client_name("w")
            .permissions(vec![]),
    )
    .expect("a valid value");
    let created = client
        .create_client(id.clone(), body.clone())
        .await
        .unwrap();
    assert_eq!(
        created.permissions.len(),
        5,
        "no permissions asked means all of them"
    );
    assert_eq!(
        status_of(
            &client
                .create_client(id.clone(), body.clone())
                .await
                .unwrap_err()
        ),
        Some(400)
    );

    // IP allowlist entries must be addresses or ranges.
    let bad = client
        .update_ip_allowlist(
            &id,
            IpAllowListBody::builder().ipallowlist(vec![IpAllowlistEntry::try_from(
                IpAllowlistEntry::builder()
                    .ip("example.com")
                    .description("x"),
            )
            .expect("a valid value")]),
        )
        .await
        .unwrap_err();
    assert_eq!(status_of(&bad), Some(400));
}

/// Every path and method of the vendored document, with `{clusterUuid}`
/// filled in and other parameters made up.
fn document_operations(cluster_id: &str) -> Vec<(reqwest::Method, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/camunda-admin.json");
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut operations = Vec::new();
    for (template, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let Ok(method) = method.to_uppercase().parse::<reqwest::Method>() else {
                continue;
            };
            let path = template
                .replace("{clusterUuid}", cluster_id)
                .replace("{email}", "someone%40example.com")
                .replace("{secretName}", "NAME")
                .replace(['{', '}'], "");
            operations.push((method, path));
        }
    }
    operations
}

#[tokio::test]
async fn malformed_requests_get_4xx_and_never_break_the_server() {
    let emulator = instant_emulator().await;
    let token = admin_token(&emulator).await;
    let client = Client::with_static_token(&emulator.base_url(), token.clone()).unwrap();
    let id = create_cluster(&client, "target").await;

    let mut operations = document_operations(&id);
    assert_eq!(operations.len(), 43);
    // Delete the cluster last, so that the other calls reach their checks.
    let cluster_path = format!("/clusters/{id}");
    operations
        .sort_by_key(|(method, path)| *method == reqwest::Method::DELETE && *path == cluster_path);
    let bodies: [&[u8]; 9] = [
        b"",
        b"{",
        b"null",
        b"[]",
        b"{}",
        br#"{"name": 5, "schedule": [], "ipallowlist": {}, "orgRoles": "admin", "secretName": null}"#,
        br#"{"ipallowlist":[{"ip":"300.1.1.1/99"}],"ipwhitelist":[{"ip":""}],"username":"","schedule":"*/0 * * * *"}"#,
        br#"{"hardwarePackages": 1e308, "numberOfAllocatedHwPackages": -1, "name": "\u0000"}"#,
        b"\xff\xfe\x00garbage",
    ];
    let http = reqwest::Client::new();
    for (method, path) in &operations {
        for body in bodies {
            let response = http
                .request(method.clone(), format!("{}{path}", emulator.base_url()))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(body.to_vec())
                .send()
                .await
                .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
            let status = response.status();
            assert!(
                status.is_success() || status.is_client_error(),
                "{method} {path} with {:?}: {status}",
                String::from_utf8_lossy(body)
            );
        }
    }
    // Odd paths and methods.
    for (method, path) in [
        (reqwest::Method::GET, "/clusters/%FF%FE".to_owned()),
        (reqwest::Method::GET, "/nothing/here".to_owned()),
        (reqwest::Method::PATCH, "/members".to_owned()),
        (reqwest::Method::GET, format!("/clusters/{id}/clients/%00")),
        (reqwest::Method::POST, "/members/%E2%82".to_owned()),
    ] {
        let response = http
            .request(method.clone(), format!("{}{path}", emulator.base_url()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_client_error(),
            "{method} {path}: {}",
            response.status()
        );
    }
    // Still serving.
    client.get_clusters().await.unwrap();
}

#[tokio::test]
async fn the_activity_csv_is_served_as_text_csv() {
    let emulator = instant_emulator().await;
    let token = admin_token(&emulator).await;
    let response = raw_get(&emulator, "/activity/csv", Some(&token)).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = response.text().await.unwrap();
    assert_eq!(
        text.lines().count(),
        1,
        "only the header row while nothing happened"
    );
}
