//! Helpers shared by the integration tests.
//!
//! - Contract tests (`tests/contract/`): a contract test registers one
//!   httpmock expectation that pins down what the SDK must send for one
//!   operation (method, exact raw path, bearer header or its absence, JSON
//!   body), answers it like the API would, and then checks what a user of the
//!   SDK gets back.
//! - httpmock setup for the pipeline and waiting tests: one-line mocks
//!   ([`on`], [`on_json`], [`mock_with`]), a cluster as JSON, fast retries.
//! - Emulator setup: an admin token, a client that uses it, and a cluster
//!   made from the first choices of `/clusters/parameters`.

// Every test binary compiles this module on its own and uses a part of it.
#![allow(dead_code)]

use std::fmt::Debug;
use std::future::Future;
use std::time::Duration;

use camunda_admin::emulator::{Emulator, EmulatorConfig, Scope, DEFAULT_AUDIENCE};
use camunda_admin::types::{CreateClusterBody, Parameters};
use camunda_admin::{ApiError, Client, Error, RetryPolicy};
use httpmock::{Method, Mock, MockServer, Then, When};
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
        .retry(camunda_admin::RetryPolicy::default().with_backoff(
            std::time::Duration::from_millis(1),
            std::time::Duration::from_millis(5),
        ))
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

        // Sent again only where that is safe: 429 (the server did not act),
        // statuses the API documents as "try again" where resending cannot
        // create twice, and transient ones for GET, PUT and DELETE; then the
        // first attempt and the three retries.
        let documented = matches!(
            (operation, status),
            ("GetClient", 412) | ("UpdateSecret" | "DeleteSecret", 409)
        );
        let transient = status == 429
            || (matches!(route.method, "GET" | "PUT" | "DELETE")
                && matches!(status, 408 | 502 | 503 | 504));
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
                // Every error body is kept (secrets the call sent replaced;
                // this one holds none), also of operations with secrets.
                assert_eq!(
                    body, text,
                    "{operation}: body of the ApiError for HTTP {status}"
                );
            }
            other => {
                panic!("{operation} answered HTTP {status}: expected Error::Api, got {other:?}")
            }
        }
    }
}

/// Assert that `value` hides `secret` from `Debug` output.
pub fn assert_debug_hides(value: &impl Debug, secret: &str) {
    let shown = format!("{value:?}");
    assert!(
        !shown.contains(secret),
        "Debug output shows the secret: {shown}"
    );
}

// ---------------------------------------------------------------------------
// httpmock setup for the pipeline and waiting tests.

/// Three retries within 30 s, with millisecond pauses.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_retries(3)
        .with_deadline(Duration::from_secs(30))
        .with_backoff(Duration::from_millis(1), Duration::from_millis(5))
}

/// Register a mock: `request` narrows down what it matches, `reply` sets
/// how it answers.
pub async fn mock_with<'a>(
    server: &'a MockServer,
    request: impl FnOnce(When) -> When,
    reply: impl FnOnce(Then) -> Then,
) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            request(when);
            reply(then);
        })
        .await
}

/// A mock of `method path`, with no other condition on the request,
/// answered as `reply` sets up.
pub async fn on<'a>(
    server: &'a MockServer,
    method: Method,
    path: &str,
    reply: impl FnOnce(Then) -> Then,
) -> Mock<'a> {
    mock_with(server, |when| when.method(method).path(path), reply).await
}

/// A mock of `method path` answering 200 with `body` as JSON.
pub async fn on_json<'a>(
    server: &'a MockServer,
    method: Method,
    path: &str,
    body: Value,
) -> Mock<'a> {
    on(server, method, path, |then| {
        then.status(200).json_body(body)
    })
    .await
}

/// Like [`on_json`], but the mock answers only its first `times` requests.
pub async fn on_json_up_to<'a>(
    server: &'a MockServer,
    method: Method,
    path: &str,
    body: Value,
    times: usize,
) -> Mock<'a> {
    on(server, method, path, |then| {
        then.status(200).json_body(body).up_to_n_times(times)
    })
    .await
}

/// Cluster `c1` ("prod") as the API sends it, with status `ready`.
pub fn cluster_json(ready: &str) -> Value {
    serde_json::json!({
        "uuid": "c1", "name": "prod", "ownerId": "o", "created": "2026-01-01T00:00:00Z",
        "planType": { "name": "Basic", "uuid": "p" }, "region": { "name": "EU", "uuid": "r" },
        "generation": { "name": "8.8", "uuid": "g" }, "channel": { "name": "Stable", "uuid": "ch" },
        "autoUpdate": true, "status": { "ready": ready }, "links": {}
    })
}

// ---------------------------------------------------------------------------
// Emulator setup.

/// Start the emulator `config` describes.
pub async fn start_emulator(config: EmulatorConfig) -> Emulator {
    config.start().await.expect("emulator starts")
}

/// Start an emulator that also knows credential `id` and `secret`, which may
/// only manage members.
pub async fn start_with_members_only_credential(id: &str, secret: &str) -> Emulator {
    start_emulator(Emulator::builder().credential(id, secret, [Scope::Members])).await
}

/// A plain HTTP client without a connection pool: no idle timers, so paused
/// tokio time only moves when a test says so.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

/// `GET path` on the emulator over plain HTTP, with `token` as the bearer
/// token if there is one.
pub async fn raw_get(emulator: &Emulator, path: &str, token: Option<&str>) -> reqwest::Response {
    let request = http().get(format!("{}{path}", emulator.base_url()));
    let request = match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    };
    request.send().await.unwrap()
}

/// A POST to `url` of `body` as `content_type`, over plain HTTP; add any
/// authentication, then send it.
pub fn raw_post(url: String, content_type: &str, body: &'static str) -> reqwest::RequestBuilder {
    http()
        .post(url)
        .header("content-type", content_type)
        .body(body)
}

/// A client-credentials grant for `id` and `secret`, as a JSON body.
pub fn grant(id: &str, secret: &str) -> Value {
    serde_json::json!({
        "grant_type": "client_credentials",
        "client_id": id,
        "client_secret": secret,
        "audience": DEFAULT_AUDIENCE,
    })
}

/// The grant of the emulator's admin credential.
pub fn admin_grant(emulator: &Emulator) -> Value {
    grant(
        emulator.admin_client_id(),
        emulator.admin_client_secret().expose_secret(),
    )
}

/// POST `body` as JSON to the emulator's token endpoint.
pub async fn post_token_request(emulator: &Emulator, body: Value) -> reqwest::Response {
    http()
        .post(emulator.token_url())
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// A token for `id` and `secret` from the emulator's token endpoint, by a
/// plain POST that must succeed.
pub async fn token_for(emulator: &Emulator, id: &str, secret: &str) -> String {
    let response = post_token_request(emulator, grant(id, secret)).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// An admin token from the emulator's token endpoint.
pub async fn admin_token(emulator: &Emulator) -> String {
    token_for(
        emulator,
        emulator.admin_client_id(),
        emulator.admin_client_secret().expose_secret(),
    )
    .await
}

/// A client of the emulator with a fresh admin token as its static token.
pub async fn admin_client(emulator: &Emulator) -> Client {
    Client::with_static_token(&emulator.base_url(), admin_token(emulator).await).unwrap()
}

/// A body that creates cluster `name` from the first plan type, channel (with
/// its default generation) and region that `parameters` list.
pub fn cluster_body(parameters: &Parameters, name: &str) -> CreateClusterBody {
    let channel = &parameters.channels[0];
    CreateClusterBody::builder()
        .name(name)
        .plan_type_id(&parameters.cluster_plan_types[0].uuid)
        .channel_id(&channel.uuid)
        .generation_id(&channel.default_generation.uuid)
        .region_id(&parameters.regions[0].uuid)
        .try_into()
        .expect("every required field is set")
}

/// Fetch `/clusters/parameters`, create cluster `name` from its first
/// choices ([`cluster_body`]) and return the new cluster's id.
pub async fn create_cluster(client: &Client, name: &str) -> String {
    let parameters = client.get_parameters().await.expect("parameters");
    client
        .create_cluster(cluster_body(&parameters, name))
        .await
        .expect("cluster created")
        .cluster_id
}

// ---------------------------------------------------------------------------
// Hand-rolled loopback servers (echoes, endless bodies): reading a request.

/// One HTTP/1.1 request, head and body (by its `Content-Length`), as text.
pub async fn read_request(stream: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt;
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await.unwrap_or(0);
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&data);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                break;
            }
        }
    }
    String::from_utf8_lossy(&data).into_owned()
}

// ---------------------------------------------------------------------------
// Log capture: the secrets tests read everything the crate logs at TRACE.

/// Everything the tracing subscriber of [`capture_trace_logs`] wrote.
#[derive(Clone, Default)]
pub struct CapturedLogs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl CapturedLogs {
    /// The logs so far, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("lock")).into_owned()
    }
}

impl std::io::Write for CapturedLogs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// While alive, the crate's TRACE logs go to its [`CapturedLogs`].
pub struct CaptureGuard {
    // Dropped first: the subscriber stops before the next test's turn.
    _subscriber: tracing::subscriber::DefaultGuard,
    _turn: std::sync::MutexGuard<'static, ()>,
}

/// Capture TRACE logs (without colours) until the guard is dropped.
///
/// Captures take turns: tracing caches per call site whether anyone
/// listens, so two tests capturing at once could make one miss events.
pub fn capture_trace_logs() -> (CapturedLogs, CaptureGuard) {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    // A test that failed while capturing leaves the lock poisoned; the
    // next one may still capture.
    let turn = TURN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let logs = CapturedLogs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let guard = CaptureGuard {
        _subscriber: tracing::subscriber::set_default(subscriber),
        _turn: turn,
    };
    (logs, guard)
}

/// libtest's name of the test `name` in the module `module` (the caller's
/// `module_path!()`): its path without the crate's name. A test that runs
/// itself as a child process picks itself out by this name.
pub fn libtest_name(module: &str, name: &str) -> String {
    match module.split_once("::") {
        Some((_crate, path)) => format!("{path}::{name}"),
        None => name.to_owned(),
    }
}
