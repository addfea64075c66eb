//! Contract tests of the backup operations: GetBackups, CreateBackup,
//! DeleteBackup, GetSchedule, UpdateSchedule, DeleteSchedule, GetRestore and
//! RestoreFromBackup; plus a backup status the document does not list.

use crate::common::{assert_api_errors, client, cluster_path, expect, Reply, Route, CLUSTER_ID};
use camunda_admin::types::{self, BackupStatus, RestoreState};
use httpmock::MockServer;
use serde_json::{json, Value};

const BACKUP_ID: &str = "1741944000000";
const RESTORE_ID: &str = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f";

fn backup_path(rest: &str) -> String {
    cluster_path(&format!("/backups/{BACKUP_ID}{rest}"))
}

/// A finished backup as the API lists it.
fn backup_json() -> Value {
    json!({
        "uuid": BACKUP_ID,
        "name": "manual-2025-03-14",
        "created": "2025-03-14T10:00:00.000Z",
        "completed": "2025-03-14T10:04:12.000Z",
        "status": "Complete",
        "zeebeStatus": "Complete",
        "operateStatus": "Complete",
        "tasklistStatus": "Complete",
        "optimizeStatus": "-",
        "generationName": "Camunda 8.7.4",
        "generationUuid": "0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    })
}

// --- GetBackups ------------------------------------------------------------

#[tokio::test]
async fn get_backups_lists_backups_with_component_statuses() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("GET", cluster_path("/backups")),
        None,
        Reply::Json(json!([
            backup_json(),
            {
                "uuid": "1741857600000",
                "name": "scheduled-2025-03-13",
                "created": "2025-03-13T10:00:00.000Z",
                "completed": "2025-03-13T10:06:40.000Z",
                "status": "Failed",
                "zeebeStatus": "Complete",
                "operateStatus": "Failed",
                "tasklistStatus": "Complete",
                "optimizeStatus": "-"
            }
        ])),
    )
    .await;

    let backups = client(&server)
        .get_backups(CLUSTER_ID)
        .await
        .expect("GetBackups succeeds");

    mock.assert_async().await;
    assert_eq!(backups.len(), 2);
    assert_eq!(backups[0].uuid, BACKUP_ID);
    assert_eq!(backups[0].name, "manual-2025-03-14");
    assert_eq!(backups[0].status, BackupStatus::Complete);
    assert_eq!(backups[0].optimize_status, BackupStatus::Unspecified);
    assert_eq!(backups[0].generation_name.as_deref(), Some("Camunda 8.7.4"));
    assert_eq!(backups[1].status, BackupStatus::Failed);
    assert_eq!(backups[1].operate_status, BackupStatus::Failed);
    assert_eq!(backups[1].generation_name, None);
}

/// Defect 4: backup statuses grow too; an unknown one is kept, known ones
/// still get their variant.
#[tokio::test]
async fn get_backups_with_unknown_status_decodes_into_unknown() {
    let server = MockServer::start_async().await;
    let mut backup = backup_json();
    backup["status"] = json!("Queued");
    backup["zeebeStatus"] = json!("In progress");
    backup["operateStatus"] = json!("Queued");
    let mock = expect(
        &server,
        &Route::new("GET", cluster_path("/backups")),
        None,
        Reply::Json(json!([backup])),
    )
    .await;

    let backups = client(&server)
        .get_backups(CLUSTER_ID)
        .await
        .expect("an unknown status decodes");

    mock.assert_async().await;
    assert_eq!(backups[0].status, BackupStatus::Unknown("Queued".into()));
    assert_eq!(backups[0].operate_status.as_str(), "Queued");
    assert_eq!(backups[0].zeebe_status, BackupStatus::InProgress);
    assert_eq!(backups[0].tasklist_status, BackupStatus::Complete);
    assert_eq!(backups[0].optimize_status, BackupStatus::Unspecified);
}

#[tokio::test]
async fn get_backups_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("GET", cluster_path("/backups")),
        &[403, 404],
        "GetBackups",
        |c| async move { c.get_backups(CLUSTER_ID).await },
    )
    .await;
}

// --- CreateBackup ----------------------------------------------------------

#[tokio::test]
async fn create_backup_posts_and_returns_the_running_backup() {
    let server = MockServer::start_async().await;
    let mut running = backup_json();
    running["completed"] = json!("");
    for field in [
        "status",
        "zeebeStatus",
        "operateStatus",
        "tasklistStatus",
        "optimizeStatus",
    ] {
        running[field] = json!("In progress");
    }
    let mock = expect(
        &server,
        &Route::new("POST", cluster_path("/backups")),
        None,
        Reply::Json(running),
    )
    .await;

    let backup = client(&server)
        .create_backup(CLUSTER_ID)
        .await
        .expect("CreateBackup succeeds");

    mock.assert_async().await;
    assert_eq!(backup.uuid, BACKUP_ID);
    assert_eq!(backup.status, BackupStatus::InProgress);
    assert_eq!(backup.completed, "");
}

#[tokio::test]
async fn create_backup_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("POST", cluster_path("/backups")),
        &[404],
        "CreateBackup",
        |c| async move { c.create_backup(CLUSTER_ID).await },
    )
    .await;
}

// --- DeleteBackup ----------------------------------------------------------

#[tokio::test]
async fn delete_backup_returns_the_deleted_backup() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("DELETE", backup_path("")),
        None,
        Reply::Json(backup_json()),
    )
    .await;

    let deleted = client(&server)
        .delete_backup(CLUSTER_ID, BACKUP_ID)
        .await
        .expect("DeleteBackup succeeds");

    mock.assert_async().await;
    assert_eq!(deleted.uuid, BACKUP_ID);
    assert_eq!(deleted.name, "manual-2025-03-14");
}

#[tokio::test]
async fn delete_backup_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("DELETE", backup_path("")),
        &[403],
        "DeleteBackup",
        |c| async move { c.delete_backup(CLUSTER_ID, BACKUP_ID).await },
    )
    .await;
}

// --- GetSchedule -----------------------------------------------------------

#[tokio::test]
async fn get_schedule_decodes_the_schedule() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("GET", cluster_path("/backups/schedule")),
        None,
        Reply::Json(json!({ "name": "daily", "schedule": "0 3 * * *" })),
    )
    .await;

    let schedule = client(&server)
        .get_schedule(CLUSTER_ID)
        .await
        .expect("GetSchedule succeeds");

    mock.assert_async().await;
    assert_eq!(schedule.name, "daily");
    assert_eq!(schedule.schedule, "0 3 * * *");
}

#[tokio::test]
async fn get_schedule_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("GET", cluster_path("/backups/schedule")),
        &[403, 404],
        "GetSchedule",
        |c| async move { c.get_schedule(CLUSTER_ID).await },
    )
    .await;
}

// --- UpdateSchedule --------------------------------------------------------

fn schedule_body() -> types::BackupScheduleBody {
    types::BackupScheduleBody::try_from(
        types::BackupScheduleBody::builder().schedule("*/30 * * * *"),
    )
    .expect("a valid value")
}

#[tokio::test]
async fn update_schedule_puts_the_cron_expression() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("PUT", cluster_path("/backups/schedule")),
        Some(json!({ "schedule": "*/30 * * * *" })),
        Reply::Json(json!({ "name": "every-30-minutes", "schedule": "*/30 * * * *" })),
    )
    .await;

    let schedule = client(&server)
        .update_schedule(CLUSTER_ID, schedule_body())
        .await
        .expect("UpdateSchedule succeeds");

    mock.assert_async().await;
    assert_eq!(schedule.name, "every-30-minutes");
    assert_eq!(schedule.schedule, "*/30 * * * *");
}

#[tokio::test]
async fn update_schedule_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("PUT", cluster_path("/backups/schedule")),
        &[400, 403, 404],
        "UpdateSchedule",
        |c| async move { c.update_schedule(CLUSTER_ID, schedule_body()).await },
    )
    .await;
}

// --- DeleteSchedule --------------------------------------------------------

#[tokio::test]
async fn delete_schedule_sends_delete() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("DELETE", cluster_path("/backups/schedule")),
        None,
        Reply::NoContent,
    )
    .await;

    let () = client(&server)
        .delete_schedule(CLUSTER_ID)
        .await
        .expect("DeleteSchedule succeeds");

    mock.assert_async().await;
}

#[tokio::test]
async fn delete_schedule_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("DELETE", cluster_path("/backups/schedule")),
        &[403, 404],
        "DeleteSchedule",
        |c| async move { c.delete_schedule(CLUSTER_ID).await },
    )
    .await;
}

// --- GetRestore ------------------------------------------------------------

#[tokio::test]
async fn get_restore_decodes_the_restore_state() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("GET", backup_path("/restore")),
        None,
        Reply::Json(json!({
            "uuid": RESTORE_ID,
            "backupId": BACKUP_ID,
            "state": "COMPLETED",
            "startTimestamp": "2025-03-15T08:00:00.000Z",
            "completionTimestamp": "2025-03-15T08:11:27.000Z"
        })),
    )
    .await;

    let restore = client(&server)
        .get_restore(CLUSTER_ID, BACKUP_ID)
        .await
        .expect("GetRestore succeeds");

    mock.assert_async().await;
    assert_eq!(restore.uuid, RESTORE_ID);
    assert_eq!(restore.backup_id, BACKUP_ID);
    assert_eq!(restore.state, RestoreState::Completed);
    assert_eq!(
        restore.completion_timestamp.as_deref(),
        Some("2025-03-15T08:11:27.000Z")
    );
}

#[tokio::test]
async fn get_restore_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("GET", backup_path("/restore")),
        &[403, 404],
        "GetRestore",
        |c| async move { c.get_restore(CLUSTER_ID, BACKUP_ID).await },
    )
    .await;
}

// --- RestoreFromBackup -----------------------------------------------------

#[tokio::test]
async fn restore_from_backup_posts_and_returns_the_pending_restore() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("POST", backup_path("/restore")),
        None,
        Reply::Json(json!({ "uuid": RESTORE_ID, "backupId": BACKUP_ID, "state": "PENDING" })),
    )
    .await;

    let restore = client(&server)
        .restore_from_backup(CLUSTER_ID, BACKUP_ID)
        .await
        .expect("RestoreFromBackup succeeds");

    mock.assert_async().await;
    assert_eq!(restore.uuid, RESTORE_ID);
    assert_eq!(restore.state, RestoreState::Pending);
    assert_eq!(restore.start_timestamp, None);
}

#[tokio::test]
async fn restore_from_backup_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("POST", backup_path("/restore")),
        &[403, 404, 409],
        "RestoreFromBackup",
        |c| async move { c.restore_from_backup(CLUSTER_ID, BACKUP_ID).await },
    )
    .await;
}
