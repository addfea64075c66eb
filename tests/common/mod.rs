//! Helpers shared by the contract tests (`tests/contract_*.rs`).
//!
//! A contract test registers one httpmock expectation that pins down what the
//! SDK must send for one operation (method, exact raw path, bearer header or
//! its absence, JSON body), answers it like the API would, and then checks
//! what a user of the SDK gets back.

// Each contract_*.rs compiles this module on its own and uses a part of it.
#![allow(dead_code)]

use std::fmt::Debug;
use std::future::Future;

use camunda_admin::{ApiError, Client, Error};
use httpmock::{Mock, MockServer, When};
use serde_json::Value;

/// The static token every test client sends.
pub const TOKEN: &str = "test-token";
/// The `Authorization` header value that token gives.
pub const BEARER: &str = "Bearer test-token";
/// A cluster id as the API hands them out.
pub const CLUSTER_ID: &str = "3f6d8a2e-7b1c-4e9a-9d3f-2a5b6c7d8e9f";

/// A client of `server` that authenticates with [`TOKEN`].
pub fn client(server: &MockServer) -> Client {
    // The default retries, with millisecond pauses: documented "try again"
    // statuses are still retried, without seconds of real sleeping.
    Client::builder()
        .base_url(server.base_url())
        .static_token(TOKEN)
        .retry(camunda_admin::RetryPolicy {
            initial_backoff: std::time::Duration::from_millis(1),
            max_backoff: std::time::Duration::from_millis(5),
            ..camunda_admin::RetryPolicy::default()
        })
        .build()
        .expect("the mock server URL is a valid base URL")
}

/// `/clusters/{CLUSTER_ID}` followed by `rest` (which starts with `/` or is empty).
pub fn cluster_path(rest: &str) -> String {
    format!("/clusters/{CLUSTER_ID}{rest}")
}

/// What the server must see of a request: method, raw (still percent-encoded)
/// path, and whether a bearer token comes along.
#[derive(Debug, Clone)]
pub struct Route {
    method: &'static str,
    path: String,
    authenticated: bool,
}

impl Route {
    /// A route that needs `Authorization: Bearer test-token`.
    pub fn new(method: &'static str, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            authenticated: true,
        }
    }

    /// A route that must be called without any `Authorization` header.
    pub fn anonymous(method: &'static str, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            authenticated: false,
        }
    }

    /// Restrict `when` to this route.
    pub fn apply(&self, when: When) -> When {
        let when = when.method(self.method).path(self.path.as_str());
        if self.authenticated {
            when.header("authorization", BEARER)
        } else {
            when.header_missing("authorization")
        }
    }
}

/// How the mock server answers a matching request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 200 with `content-type: application/json` and this body.
    Json(Value),
    /// 204 without a body.
    NoContent,
    /// Any status with a text body of the given content type.
    Text {
        status: u16,
        content_type: &'static str,
        body: String,
    },
}

/// Register a mock that answers `route` with `reply`, but only when the
/// request carries exactly `request_body` as JSON (with a JSON content type).
/// Assert it with `mock.assert_async().await` after the call: a request
/// that does not match gets httpmock's own 404, and no hit on this mock.
pub async fn expect<'a>(
    server: &'a MockServer,
    route: &Route,
    request_body: Option<Value>,
    reply: Reply,
) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            let when = route.apply(when);
            if let Some(body) = request_body {
                when.header("content-type", "application/json")
                    .json_body(body);
            }
            match reply {
                Reply::Json(body) => {
                    then.status(200)
                        .header("content-type", "application/json")
                        .json_body(body);
                }
                Reply::NoContent => {
                    then.status(204);
                }
                Reply::Text {
                    status,
                    content_type,
                    body,
                } => {
                    then.status(status)
                        .header("content-type", content_type)
                        .body(body);
                }
            }
        })
        .await
}

/// For each status: the server answers `route` with that status and a short
/// text body, and `call` must fail with `Error::Api` carrying the status, the
/// body and the operation id. A call that misses the route (wrong method,
/// path or header) gets httpmock's own 404 and fails the check.
///
/// ```ignore
/// assert_api_errors(Route::new("GET", cluster_path("")), &[404], "GetCluster", |c| async move {
///     c.get_cluster(CLUSTER_ID).await
/// })
/// .await;
/// ```
pub async fn assert_api_errors<T, F, Fut>(route: Route, statuses: &[u16], operation: &str, call: F)
where
    T: Debug,
    F: Fn(Client) -> Fut,
    Fut: Future<Output = camunda_admin::Result<T>>,
{
    assert!(!statuses.is_empty(), "give at least one status to check");
    for &status in statuses {
        let server = MockServer::start_async().await;
        let text = format!("{operation} refused: test answer {status}");
        let mock = expect(
            &server,
            &route,
            None,
            Reply::Text {
                status,
                content_type: "text/plain",
                body: text.clone(),
            },
        )
        .await;

        let result = call(client(&server)).await;

        // Sent again only where that is safe: statuses the API documents as
        // "try again" for the operation, and transient ones for GET, PUT and
        // DELETE; then the first attempt and the three retries.
        let documented =
            camunda_admin::retry::documented_retry_statuses(operation).contains(&status);
        let transient = matches!(route.method, "GET" | "PUT" | "DELETE")
            && matches!(status, 408 | 429 | 502 | 503 | 504);
        let expected = if documented || transient { 4 } else { 1 };
        mock.assert_calls_async(expected).await;
        match result {
            Err(Error::Api(ApiError {
                status: got_status,
                body,
                operation: got_operation,
                ..
            })) => {
                assert_eq!(
                    got_status.as_u16(),
                    status,
                    "{operation}: status of the ApiError"
                );
                assert_eq!(
                    got_operation, operation,
                    "operation id of the ApiError for HTTP {status}"
                );
                // Operations whose request or answer holds a secret never keep
                // an error body: a server might echo the secret.
                let expected = if SECRET_CARRYING.contains(&operation) {
                    "(body withheld: this operation carries secrets)".to_owned()
                } else {
                    text.clone()
                };
                assert_eq!(
                    body, expected,
                    "{operation}: body of the ApiError for HTTP {status}"
                );
            }
            other => {
                panic!("{operation} answered HTTP {status}: expected Error::Api, got {other:?}")
            }
        }
    }
}

/// The operations whose request or success answer holds a secret.
const SECRET_CARRYING: &[&str] = &[
    "CreateClient",
    "CreateMonitoringClient",
    "RotateMonitoringClientPassword",
    "GetSecrets",
    "CreateSecret",
    "UpdateSecret",
];

/// Assert that `value` hides `secret` from `Debug` output.
pub fn assert_debug_hides(value: &impl Debug, secret: &str) {
    let shown = format!("{value:?}");
    assert!(
        !shown.contains(secret),
        "Debug output shows the secret: {shown}"
    );
}
