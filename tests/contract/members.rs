//! Contract tests of the organization member operations: GetMembers,
//! UpdateMembers and DeleteMember, with an email that holds `+` and `@`.

use crate::common::{assert_api_errors, client, expect, Reply, Route};
use camunda_admin::types::{self, AssignableOrganizationRoleType, OrganizationRole};
use httpmock::MockServer;
use serde_json::json;

const EMAIL: &str = "a+b@example.com";
/// What the server sees. progenitor percent-encodes a path segment with the
/// WHATWG path-segment set: `+` and `@` are legal in a segment (RFC 3986
/// `pchar`) and go out as they are, and a server decoding the segment gets
/// the address back unchanged (`+` means a space only in form-encoded query
/// strings, never in paths).
const MEMBER_PATH: &str = "/members/a+b@example.com";

fn member_body() -> types::PostMemberBody {
    types::PostMemberBody::try_from(types::PostMemberBody::builder().org_roles(vec![
        AssignableOrganizationRoleType::Developer,
        AssignableOrganizationRoleType::Analyst,
    ]))
    .expect("a valid value")
}

// --- GetMembers ------------------------------------------------------------

#[tokio::test]
async fn get_members_lists_members_and_invitations() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("GET", "/members"),
        None,
        Reply::Json(json!([
            { "name": "Ada Lovelace", "email": EMAIL, "roles": ["owner", "admin"], "invitePending": false },
            { "name": "", "email": "grace@example.com", "roles": ["developer", "modeler"], "invitePending": true }
        ])),
    )
    .await;

    let members = client(&server)
        .get_members()
        .await
        .expect("GetMembers succeeds");

    mock.assert_async().await;
    assert_eq!(members.len(), 2);
    assert_eq!(members[0].email, EMAIL);
    assert_eq!(members[0].name, "Ada Lovelace");
    assert_eq!(
        members[0].roles,
        [OrganizationRole::Owner, OrganizationRole::Admin]
    );
    assert!(!members[0].invite_pending);
    assert!(members[1].invite_pending);
    assert_eq!(
        members[1].roles,
        [OrganizationRole::Developer, OrganizationRole::Modeler]
    );
}

#[tokio::test]
async fn get_members_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("GET", "/members"),
        &[403],
        "GetMembers",
        |c| async move { c.get_members().await },
    )
    .await;
}

// --- UpdateMembers ---------------------------------------------------------

#[tokio::test]
async fn update_members_posts_roles_to_the_email_path() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("POST", MEMBER_PATH),
        Some(json!({ "orgRoles": ["developer", "analyst"] })),
        Reply::NoContent,
    )
    .await;

    let () = client(&server)
        .update_members(EMAIL, member_body())
        .await
        .expect("UpdateMembers succeeds");

    mock.assert_async().await;
}

#[tokio::test]
async fn update_members_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("POST", MEMBER_PATH),
        &[400, 403],
        "UpdateMembers",
        |c| async move { c.update_members(EMAIL, member_body()).await },
    )
    .await;
}

// --- DeleteMember ----------------------------------------------------------

#[tokio::test]
async fn delete_member_deletes_the_email_path() {
    let server = MockServer::start_async().await;
    let mock = expect(
        &server,
        &Route::new("DELETE", MEMBER_PATH),
        None,
        Reply::NoContent,
    )
    .await;

    let () = client(&server)
        .delete_member(EMAIL)
        .await
        .expect("DeleteMember succeeds");

    mock.assert_async().await;
}

#[tokio::test]
async fn delete_member_documented_errors_are_api_errors() {
    assert_api_errors(
        Route::new("DELETE", MEMBER_PATH),
        &[403, 404],
        "DeleteMember",
        |c| async move { c.delete_member(EMAIL).await },
    )
    .await;
}
