//! Contract tests of the activity log: GetCsv and GetJson; plus the CSV
//! export, which the document declares as a JSON string (defect 5).

use crate::common::{assert_api_errors, client, expect, Reply, Route, CLUSTER_ID};
use camunda_admin::types::AuditType;
use httpmock::MockServer;
use serde_json::json;

const CSV: &str = "\
service,orgId,audit,auditType,entity,entityId,userId,timestamp
console,1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a,\"Cluster \"\"orders-prod\"\" created\",c,cluster,3f6d8a2e-7b1c-4e9a-9d3f-2a5b6c7d8e9f,auth0|64f1c2a9e1b2c3d4e5f60718,1741944413589
console,1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a,Client deleted,d,client,Q6rSbbWpvW1xGQ~1cWEAvRxeoOkgsKnJ,auth0|64f1c2a9e1b2c3d4e5f60718,1741944500000
";

// --- GetCsv ----------------------------------------------------------------

#[tokio::test]
async fn get_csv_answered_as_text_csv_gives_the_text() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("GET", "/activity/csv"),
        None,
        Reply::Text {
            status: 200,
            content_type: "text/csv; charset=utf-8",
            body: CSV.into(),
        },
    )
    .await;

    let csv = client(&server).get_csv().await.expect("GetCsv succeeds");

    mock.assert_async().await;
    assert_eq!(csv, CSV);
    assert_eq!(csv.lines().count(), 3);
    assert!(csv.starts_with("service,orgId,audit,auditType"));
}

#[tokio::test]
async fn get_csv_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("GET", "/activity/csv"),
        &[403],
        "GetCsv",
        |c| async move { c.get_csv().await },
    )
    .await;
}

// --- GetJson ---------------------------------------------------------------

#[tokio::test]
async fn get_json_decodes_audit_entries() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("GET", "/activity/json"),
        None,
        Reply::Json(json!([
            {
                "service": "console",
                "orgId": "1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a",
                "audit": "Cluster \"orders-prod\" renamed",
                "auditType": "u",
                "entity": "cluster",
                "entityId": CLUSTER_ID,
                "entityAttribute": "name",
                "entityAttributeValueFrom": "orders",
                "entityAttributeValueTo": "orders-prod",
                "userId": "auth0|64f1c2a9e1b2c3d4e5f60718",
                "timestamp": 1741944413589.0
            },
            {
                "service": "console",
                "orgId": "1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a",
                "audit": "Client created",
                "auditType": "c",
                "entity": "client",
                "entityId": "Q6rSbbWpvW1xGQ~1cWEAvRxeoOkgsKnJ",
                "parentEntity": "cluster",
                "parentEntityId": CLUSTER_ID,
                "userId": "auth0|64f1c2a9e1b2c3d4e5f60718"
            }
        ])),
    )
    .await;

    let entries = client(&server).get_json().await.expect("GetJson succeeds");

    mock.assert_async().await;
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].audit_type, AuditType::U);
    assert_eq!(entries[0].entity_id, CLUSTER_ID);
    assert_eq!(
        entries[0].entity_attribute_value_to.as_deref(),
        Some("orders-prod")
    );
    assert_eq!(entries[0].timestamp, Some(1_741_944_413_589.0));
    assert_eq!(entries[1].audit_type, AuditType::C);
    assert_eq!(entries[1].parent_entity_id.as_deref(), Some(CLUSTER_ID));
    assert_eq!(entries[1].timestamp, None);
}

#[tokio::test]
async fn get_json_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("GET", "/activity/json"),
        &[403],
        "GetJson",
        |c| async move { c.get_json().await },
    )
    .await;
}
