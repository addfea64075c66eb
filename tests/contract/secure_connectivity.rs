//! Contract tests of the secure connectivity operations:
//! GetSecureConnectivityStatus, ActivateSecureConnectivity and
//! DeactivateSecureConnectivity.

use crate::common::{assert_api_errors, client, cluster_path, expect, Reply, Route, CLUSTER_ID};
use camunda_admin::types::{self, GetSecureConnectivityStatusResponseStatus};
use httpmock::MockServer;
use serde_json::json;

const PRINCIPAL: &str = "arn:aws:iam::123456789012:root";

fn path() -> String {
    cluster_path("/secure-connectivity")
}

fn activate_body() -> types::ActivateSecureConnectivityBody {
    types::ActivateSecureConnectivityBody::try_from(
        types::ActivateSecureConnectivityBody::builder()
            .allowed_principals(vec![PRINCIPAL.into()])
            .allowed_regions(vec!["eu-west-1".into(), "eu-central-1".into()]),
    )
    .expect("a valid value")
}

// --- GetSecureConnectivityStatus -------------------------------------------

#[tokio::test]
async fn get_secure_connectivity_status_decodes_the_endpoint() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("GET", path()),
        None,
        Reply::Json(json!({
            "status": {
                "metadata": {
                    "name": "sc-3f6d8a2e",
                    "namespace": "3f6d8a2e-zeebe",
                    "labels": { "orgId": "1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a" }
                },
                "spec": {
                    "allowedPrincipals": [PRINCIPAL],
                    "allowedRegions": ["eu-west-1"],
                    "cluster": { "id": CLUSTER_ID }
                },
                "status": {
                    "conditions": [{
                        "lastTransitionTime": "2025-03-14T09:30:00Z",
                        "message": "endpoint service is available",
                        "observedGeneration": 2,
                        "reason": "Available",
                        "status": "True",
                        "type": "Ready"
                    }],
                    "endpoint": {
                        "privateDnsName": "zeebe.bru-2.private.camunda.io",
                        "region": "eu-west-1",
                        "serviceName": "com.amazonaws.vpce.eu-west-1.vpce-svc-0a1b2c3d4e5f67890",
                        "type": "Interface"
                    },
                    "endpointConnectionCount": 1,
                    "endpointConnections": [{
                        "creationTimestamp": "2025-03-14T09:45:00Z",
                        "endpointId": "vpce-0123456789abcdef0",
                        "owner": "123456789012",
                        "serviceId": "vpce-svc-0a1b2c3d4e5f67890",
                        "state": "available"
                    }],
                    "observedGeneration": 2,
                    "urls": { "zeebe": "grpc://zeebe.bru-2.private.camunda.io:443" }
                }
            }
        })),
    )
    .await;

    let answer = client(&server)
        .get_secure_connectivity_status(CLUSTER_ID)
        .await
        .expect("GetSecureConnectivityStatus succeeds");

    mock.assert_async().await;
    let resource = match answer.status {
        GetSecureConnectivityStatusResponseStatus::SecureConnectivityDto(resource) => resource,
        other => panic!("expected the connectivity resource, got {other:?}"),
    };
    assert_eq!(resource.spec.cluster.id, CLUSTER_ID);
    assert_eq!(resource.spec.allowed_principals, [PRINCIPAL]);
    assert_eq!(
        resource.status.endpoint.private_dns_name,
        "zeebe.bru-2.private.camunda.io"
    );
    assert_eq!(resource.status.endpoint_connection_count, 1.0);
    assert_eq!(resource.status.endpoint_connections[0].state, "available");
    assert_eq!(resource.status.conditions[0].type_, "Ready");
    assert_eq!(
        resource.metadata.labels.org_id,
        "1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a"
    );
}

/// Defect 6: while the feature is off, `status` is an empty object.
#[tokio::test]
async fn get_secure_connectivity_status_while_off_is_empty() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("GET", path()),
        None,
        Reply::Json(json!({ "status": {} })),
    )
    .await;

    let answer = client(&server)
        .get_secure_connectivity_status(CLUSTER_ID)
        .await
        .expect("GetSecureConnectivityStatus succeeds");

    mock.assert_async().await;
    match answer.status {
        GetSecureConnectivityStatusResponseStatus::EmptyObject(empty) => assert!(empty.is_empty()),
        other => panic!("expected an empty status, got {other:?}"),
    }
}

#[tokio::test]
async fn get_secure_connectivity_status_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("GET", path()),
        &[403, 404],
        "GetSecureConnectivityStatus",
        |c| async move { c.get_secure_connectivity_status(CLUSTER_ID).await },
    )
    .await;
}

// --- ActivateSecureConnectivity --------------------------------------------

#[tokio::test]
async fn activate_secure_connectivity_posts_principals_and_regions() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("POST", path()),
        Some(json!({ "allowedPrincipals": [PRINCIPAL], "allowedRegions": ["eu-west-1", "eu-central-1"] })),
        Reply::NoContent,
    )
    .await;

    let () = client(&server)
        .activate_secure_connectivity(CLUSTER_ID, activate_body())
        .await
        .expect("ActivateSecureConnectivity succeeds");

    mock.assert_async().await;
}

#[tokio::test]
async fn activate_secure_connectivity_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("POST", path()),
        &[403, 404, 409],
        "ActivateSecureConnectivity",
        |c| async move {
            c.activate_secure_connectivity(CLUSTER_ID, activate_body())
                .await
        },
    )
    .await;
}

// --- DeactivateSecureConnectivity ------------------------------------------

#[tokio::test]
async fn deactivate_secure_connectivity_sends_delete() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("DELETE", path()),
        None,
        Reply::NoContent,
    )
    .await;

    let () = client(&server)
        .deactivate_secure_connectivity(CLUSTER_ID)
        .await
        .expect("DeactivateSecureConnectivity succeeds");

    mock.assert_async().await;
}

#[tokio::test]
async fn deactivate_secure_connectivity_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("DELETE", path()),
        &[403, 404, 409],
        "DeactivateSecureConnectivity",
        |c| async move { c.deactivate_secure_connectivity(CLUSTER_ID).await },
    )
    .await;
}
