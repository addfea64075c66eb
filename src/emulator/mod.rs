//! An in-process emulator of the Administration API and its token service,
//! for offline tests of automation built on this crate (feature `emulator`).
//!
//! [`Emulator::start`] binds `127.0.0.1` on a free port and serves, from a
//! task on the caller's tokio runtime, all 43 operations of the API plus an
//! OAuth token endpoint (`POST /oauth/token`, client-credentials grant, JSON
//! or form-encoded body, or HTTP Basic client authentication). It stops when
//! the [`Emulator`] is dropped.
//!
//! Everything lives in memory and behaves like the service does:
//!
//! - a created cluster answers `Creating` at once and `Healthy` after
//!   [`EmulatorConfig::cluster_ready_delay`]; meanwhile `GetClient` answers
//!   412. Backups go from `In progress` to `Complete`, restores from
//!   `IN_PROGRESS` to `COMPLETED` (the cluster is `Suspended` meanwhile);
//! - the regions, plans, channels and generations of `/clusters/parameters`
//!   are exactly what `CreateCluster` accepts (400 otherwise);
//! - a cluster client's secret and a monitoring client's password are shown
//!   once; a duplicate secret gives 409, an unknown cluster 404, and so on;
//! - tokens are JWT-shaped with `exp`, `iat`, `aud`, `sub` and the scopes;
//!   the token endpoint takes at most one request per second per client id
//!   (else 429 with `Retry-After: 1`) and answers 401 to a wrong secret;
//! - each operation needs the scope its description names (403 without it),
//!   and a missing, unknown or expired token gives 401;
//! - every successful change is written to the activity log
//!   (`/activity/json`, `/activity/csv`).
//!
//! Delays are measured with [`tokio::time::Instant`] when a response is
//! built, so tests can use `tokio::time::pause` and `advance`, or
//! [`Emulator::advance_clock`]. Faults can be injected per operation with
//! [`Emulator::fail_next`] and [`Emulator::delay_next`]; they apply before
//! the bearer token is checked, like a failing gateway in front of the API.
//!
//! Differences from the service worth knowing: tokens are known to the
//! emulator by heart (their signature is random and never verified), the
//! token limit is counted per client id (the service counts per source
//! address), and `CreateBackup` answers 412 while the cluster is not
//! `Healthy`.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use camunda_admin::emulator::{Emulator, Scope};
//! use std::time::Duration;
//!
//! let emulator = Emulator::builder()
//!     .cluster_ready_delay(Duration::from_secs(2))
//!     .credential("read-only", "secret", [Scope::Members])
//!     .start()
//!     .await?;
//! println!("API at {}, tokens at {}", emulator.base_url(), emulator.token_url());
//! println!("admin client id {}", emulator.admin_client_id());
//! # Ok(()) }
//! ```

mod catalog;
mod handlers;
mod model;
mod routes;
mod tokens;
mod util;

use std::{
    collections::VecDeque,
    net::{Ipv4Addr, SocketAddr},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex, MutexGuard,
    },
    time::Duration,
};

use axum::{
    body::{Body, Bytes},
    extract::State,
    http::{
        header::{ALLOW, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE},
        HeaderMap, HeaderValue, Method, StatusCode, Uri,
    },
    response::Response,
    Router,
};
use tokio::{sync::oneshot, task::JoinHandle};

use crate::SecretString;

/// The name under which faults of the token endpoint are injected, as in
/// `emulator.fail_next(TOKEN_OPERATION, 1, 503)`.
pub const TOKEN_OPERATION: &str = "Token";

/// The path of the token endpoint.
const TOKEN_PATH: &str = "/oauth/token";

/// The default audience of admin tokens, as the real service uses.
pub const DEFAULT_AUDIENCE: &str = "api.cloud.camunda.io";

/// The scopes an admin credential can carry; each operation needs one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Scope {
    /// Clusters: create, read, update, delete, monitoring, connectivity.
    Cluster,
    /// API clients of clusters.
    ZeebeClient,
    /// The Web Modeler API (no operation of this API needs it).
    WebModelerApi,
    /// IP allowlists of clusters.
    IpAllowlist,
    /// Connector secrets of clusters.
    ConnectorSecrets,
    /// Organization members.
    Members,
    /// Backups, backup schedules and restores.
    Backups,
}

impl Scope {
    /// Every scope, as an admin credential created with all of them has.
    pub const ALL: [Scope; 7] = [
        Scope::Cluster,
        Scope::ZeebeClient,
        Scope::WebModelerApi,
        Scope::IpAllowlist,
        Scope::ConnectorSecrets,
        Scope::Members,
        Scope::Backups,
    ];

    /// The scope's name as the Console shows it, such as `Zeebe Client`.
    pub fn display_name(self) -> &'static str {
        match self {
            Scope::Cluster => "Cluster",
            Scope::ZeebeClient => "Zeebe Client",
            Scope::WebModelerApi => "Web Modeler API",
            Scope::IpAllowlist => "IP allowlist",
            Scope::ConnectorSecrets => "Connector Secrets",
            Scope::Members => "Members",
            Scope::Backups => "Backups",
        }
    }

    /// The scope as it appears in a token's `scope` claim, such as
    /// `zeebe-client`.
    pub fn claim(self) -> &'static str {
        match self {
            Scope::Cluster => "cluster",
            Scope::ZeebeClient => "zeebe-client",
            Scope::WebModelerApi => "web-modeler-api",
            Scope::IpAllowlist => "ip-allowlist",
            Scope::ConnectorSecrets => "connector-secrets",
            Scope::Members => "members",
            Scope::Backups => "backups",
        }
    }
}

/// An admin API credential the token endpoint accepts.
#[derive(Debug, Clone)]
pub(crate) struct Credential {
    client_id: String,
    client_secret: SecretString,
    scopes: Vec<Scope>,
}

impl Credential {
    /// A credential with the given scopes.
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<SecretString>,
        scopes: impl IntoIterator<Item = Scope>,
    ) -> Self {
        let mut scopes: Vec<Scope> = scopes.into_iter().collect();
        scopes.sort_unstable();
        scopes.dedup();
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            scopes,
        }
    }
}

/// Settings of an emulator; start one with [`EmulatorConfig::start`].
///
/// Obtained from [`Emulator::builder`] or `EmulatorConfig::default()`.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    port: u16,
    audience: String,
    token_lifetime: Duration,
    cluster_ready_delay: Duration,
    backup_delay: Duration,
    restore_delay: Duration,
    token_rate_limit: bool,
    admin: Option<(String, SecretString)>,
    credentials: Vec<Credential>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            port: 0,
            audience: DEFAULT_AUDIENCE.to_owned(),
            token_lifetime: Duration::from_secs(24 * 60 * 60),
            cluster_ready_delay: Duration::from_secs(3),
            backup_delay: Duration::from_secs(2),
            restore_delay: Duration::from_secs(2),
            token_rate_limit: true,
            admin: None,
            credentials: Vec::new(),
        }
    }
}

impl EmulatorConfig {
    /// Listen on this port of 127.0.0.1 instead of a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The audience tokens are issued for (default `api.cloud.camunda.io`).
    /// A token request naming another audience gets 400.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = audience.into();
        self
    }

    /// How long issued tokens are valid (default 24 hours, as the service).
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// How long a created cluster stays `Creating` before it is `Healthy`
    /// (default 3 s); the same delay applies to upgrades and wake-ups.
    pub fn cluster_ready_delay(mut self, delay: Duration) -> Self {
        self.cluster_ready_delay = delay;
        self
    }

    /// How long a backup stays `In progress` (default 2 s).
    pub fn backup_delay(mut self, delay: Duration) -> Self {
        self.backup_delay = delay;
        self
    }

    /// How long a restore stays `IN_PROGRESS` (default 2 s).
    pub fn restore_delay(mut self, delay: Duration) -> Self {
        self.restore_delay = delay;
        self
    }

    /// Whether the token endpoint allows only one request per second per
    /// client id, as the service does (default on).
    pub fn token_rate_limit(mut self, enabled: bool) -> Self {
        self.token_rate_limit = enabled;
        self
    }

    /// Use this client id and secret for the admin credential (all scopes)
    /// instead of random ones.
    pub fn admin_credential(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<SecretString>,
    ) -> Self {
        self.admin = Some((client_id.into(), client_secret.into()));
        self
    }

    /// Accept one more credential, whose tokens carry only `scopes`.
    pub fn credential(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<SecretString>,
        scopes: impl IntoIterator<Item = Scope>,
    ) -> Self {
        self.credentials
            .push(Credential::new(client_id, client_secret, scopes));
        self
    }

    /// Bind 127.0.0.1 and serve on the current tokio runtime.
    pub async fn start(self) -> Result<Emulator, EmulatorError> {
        Emulator::with_config(self).await
    }
}

/// Why the emulator could not start, or a test helper was misused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// The listening socket could not be opened.
    #[error("the emulator cannot listen on 127.0.0.1: {0}")]
    Bind(#[source] std::io::Error),
    /// Two credentials have the same client id.
    #[error("the client id {0:?} is configured twice")]
    DuplicateCredential(String),
    /// A fault was injected for an operation id the API does not have.
    #[error("no operation is called {0:?} (use the document's operationId, such as GetCluster, or \"Token\")")]
    UnknownOperation(String),
    /// A fault was injected with a status that is not an HTTP error status.
    #[error("{0} is not an HTTP error status (400 to 599)")]
    InvalidStatus(u16),
}

/// Settings fixed at start.
#[derive(Debug)]
pub(crate) struct Settings {
    pub(crate) base_url: String,
    pub(crate) token_url: String,
    pub(crate) audience: String,
    pub(crate) org_id: String,
    pub(crate) token_lifetime: Duration,
    pub(crate) cluster_ready_delay: Duration,
    pub(crate) backup_delay: Duration,
    pub(crate) restore_delay: Duration,
    pub(crate) token_rate_limit: bool,
    pub(crate) credentials: Vec<Credential>,
}

/// An injected failure.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fault {
    status: StatusCode,
    retry_after: Option<u64>,
}

/// The state shared by the emulator's handle and its server task.
pub(crate) struct Shared {
    pub(crate) settings: Settings,
    state: Mutex<model::State>,
    token_requests: AtomicUsize,
}

impl Shared {
    /// The state, also after a panic elsewhere poisoned the lock (the data
    /// is plain values and stays usable).
    fn lock(&self) -> MutexGuard<'_, model::State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Count a call and apply injected delays and faults for `op`.
    async fn inject(&self, op: &'static str) -> Option<Response> {
        let delay = {
            let mut state = self.lock();
            *state.calls.entry(op).or_default() += 1;
            state.delays.get_mut(op).and_then(VecDeque::pop_front)
        };
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
        let fault = self
            .lock()
            .faults
            .get_mut(op)
            .and_then(VecDeque::pop_front)?;
        let mut fail = model::Fail::new(fault.status, "injected fault");
        fail.retry_after = fault.retry_after;
        Some(fail_response(op, fail))
    }
}

/// A running emulator. Dropping it stops the server.
pub struct Emulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    admin: Credential,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Start an emulator with the default settings.
    pub async fn start() -> Result<Emulator, EmulatorError> {
        Self::with_config(EmulatorConfig::default()).await
    }

    /// Settings to change before [`EmulatorConfig::start`].
    pub fn builder() -> EmulatorConfig {
        EmulatorConfig::default()
    }

    /// Start an emulator with the given settings.
    pub async fn with_config(config: EmulatorConfig) -> Result<Emulator, EmulatorError> {
        let mut rng = util::Rng::from_entropy();
        let (admin_id, admin_secret) = config
            .admin
            .unwrap_or_else(|| (rng.token(32, false), SecretString::new(rng.token(64, true))));
        let admin = Credential::new(admin_id, admin_secret, Scope::ALL);
        let mut credentials = vec![admin.clone()];
        for credential in config.credentials {
            if credentials
                .iter()
                .any(|c| c.client_id == credential.client_id)
            {
                return Err(EmulatorError::DuplicateCredential(credential.client_id));
            }
            credentials.push(credential);
        }

        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))
            .await
            .map_err(EmulatorError::Bind)?;
        let addr = listener.local_addr().map_err(EmulatorError::Bind)?;
        let base_url = format!("http://{addr}");
        let settings = Settings {
            token_url: format!("{base_url}{TOKEN_PATH}"),
            base_url,
            audience: config.audience,
            org_id: rng.uuid(),
            token_lifetime: config.token_lifetime,
            cluster_ready_delay: config.cluster_ready_delay,
            backup_delay: config.backup_delay,
            restore_delay: config.restore_delay,
            token_rate_limit: config.token_rate_limit,
            credentials,
        };
        let shared = Arc::new(Shared {
            state: Mutex::new(model::State::new(rng)),
            settings,
            token_requests: AtomicUsize::new(0),
        });

        let app = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let signal = async {
                // A dropped sender stops the server too.
                let _ = stopped.await;
            };
            // `serve` only returns once the signal came and connections closed.
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(signal)
                .await;
        });
        Ok(Emulator {
            shared,
            addr,
            admin,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// The API's base URL, such as `http://127.0.0.1:41234` (no trailing
    /// slash), for [`crate::Client`].
    pub fn base_url(&self) -> String {
        self.shared.settings.base_url.clone()
    }

    /// The token endpoint, `{base_url}/oauth/token`.
    pub fn token_url(&self) -> String {
        self.shared.settings.token_url.clone()
    }

    /// The audience tokens are issued for.
    pub fn audience(&self) -> &str {
        &self.shared.settings.audience
    }

    /// The socket address the emulator listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The client id of the ready admin credential, which has every scope.
    pub fn admin_client_id(&self) -> &str {
        &self.admin.client_id
    }

    /// The client secret of the admin credential.
    pub fn admin_client_secret(&self) -> SecretString {
        self.admin.client_secret.clone()
    }

    /// A client builder aimed at this emulator with the admin credential and
    /// no disk cache; change what a test needs, then `build()`.
    pub fn client_builder(&self) -> crate::ClientBuilder {
        crate::Client::builder()
            .base_url(self.base_url())
            .token_url(self.token_url())
            .audience(self.audience())
            .credentials(self.admin_client_id(), self.admin_client_secret())
            .no_disk_cache()
    }

    /// The id of the emulated organization.
    pub fn org_id(&self) -> &str {
        &self.shared.settings.org_id
    }

    /// How many requests reached the token endpoint, refused ones included.
    pub fn token_requests(&self) -> usize {
        self.shared.token_requests.load(Ordering::SeqCst)
    }

    /// How many requests were routed to the operation `op` (an operationId
    /// such as `GetCluster`, or [`TOKEN_OPERATION`]), failed ones included.
    pub fn calls(&self, op: &str) -> usize {
        self.shared.lock().calls.get(op).copied().unwrap_or(0)
    }

    /// Make the next `n` calls of `op` fail with `status` (400 to 599)
    /// before any other check. `op` is an operationId such as `GetCluster`,
    /// or [`TOKEN_OPERATION`] for the token endpoint.
    pub fn fail_next(&self, op: &str, n: usize, status: u16) -> Result<(), EmulatorError> {
        self.push_fault(op, n, status, None)
    }

    /// Like [`Emulator::fail_next`], with a `Retry-After` header of
    /// `retry_after` (in whole seconds, rounded up), as for 429 or 503.
    pub fn fail_next_with_retry_after(
        &self,
        op: &str,
        n: usize,
        status: u16,
        retry_after: Duration,
    ) -> Result<(), EmulatorError> {
        let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
        self.push_fault(op, n, status, Some(secs))
    }

    /// Make the next `n` calls of `op` wait `delay` before they are
    /// answered (on the tokio clock, so paused time skips it).
    pub fn delay_next(&self, op: &str, n: usize, delay: Duration) -> Result<(), EmulatorError> {
        let op = operation_id(op)?;
        let mut state = self.shared.lock();
        state
            .delays
            .entry(op)
            .or_default()
            .extend(std::iter::repeat_n(delay, n));
        Ok(())
    }

    /// Forget every injected fault and delay not used yet.
    pub fn clear_faults(&self) {
        let mut state = self.shared.lock();
        state.faults.clear();
        state.delays.clear();
    }

    /// Move the emulator's clock forward: clusters, backups and restores
    /// progress and tokens age as if `by` had passed. An alternative to
    /// `tokio::time::advance` for tests that cannot pause time.
    pub fn advance_clock(&self, by: Duration) {
        let mut state = self.shared.lock();
        state.clock_offset = state.clock_offset.saturating_add(by);
    }

    /// Put a cluster in the `Suspended` state, as the service does with idle
    /// trial clusters, so that `Wake` has something to do. `false` if there
    /// is no such cluster.
    pub fn suspend_cluster(&self, cluster_id: &str) -> bool {
        let mut state = self.shared.lock();
        state.suspend_cluster(cluster_id)
    }

    /// Stop the server and wait until its connections are closed.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    fn push_fault(
        &self,
        op: &str,
        n: usize,
        status: u16,
        retry_after: Option<u64>,
    ) -> Result<(), EmulatorError> {
        let op = operation_id(op)?;
        let status = StatusCode::from_u16(status)
            .ok()
            .filter(|s| s.is_client_error() || s.is_server_error())
            .ok_or(EmulatorError::InvalidStatus(status))?;
        let mut state = self.shared.lock();
        state
            .faults
            .entry(op)
            .or_default()
            .extend(std::iter::repeat_n(
                Fault {
                    status,
                    retry_after,
                },
                n,
            ));
        Ok(())
    }
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.shared.settings.base_url)
            .field("admin_client_id", &self.admin.client_id)
            .finish_non_exhaustive()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The operation ids the emulator serves, as in the OpenAPI document.
pub fn operation_ids() -> impl Iterator<Item = &'static str> {
    routes::ROUTES.iter().map(|r| r.id)
}

fn operation_id(op: &str) -> Result<&'static str, EmulatorError> {
    if op == TOKEN_OPERATION {
        return Ok(TOKEN_OPERATION);
    }
    routes::by_id(op)
        .map(|r| r.id)
        .ok_or_else(|| EmulatorError::UnknownOperation(op.to_owned()))
}

/// Every request: the token endpoint, or one of the operations.
async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path();
    if path == TOKEN_PATH {
        shared.token_requests.fetch_add(1, Ordering::SeqCst);
        if let Some(response) = shared.inject(TOKEN_OPERATION).await {
            return response;
        }
        if method != Method::POST {
            return method_not_allowed(&["POST"]);
        }
        let mut state = shared.lock();
        let now = state.now();
        return tokens::issue(&mut state, &shared.settings, now, &headers, &body);
    }

    let (route, params) = match routes::find(&method, path) {
        routes::Match::Found(route, params) => (route, params),
        routes::Match::MethodNotAllowed(allowed) => return method_not_allowed(&allowed),
        routes::Match::BadPath => {
            return fail_response(
                "",
                model::Fail::bad_request("a path parameter is not valid UTF-8"),
            )
        }
        routes::Match::NotFound => {
            return fail_response(
                "",
                model::Fail::not_found(format!("no operation at {method} {path}")),
            )
        }
    };
    if let Some(response) = shared.inject(route.id).await {
        return response;
    }

    let mut state = shared.lock();
    let now = state.now();
    let caller = match tokens::authorize(&state, now, &headers, route.access) {
        Ok(caller) => caller,
        Err(fail) => return fail_response(route.id, fail),
    };
    let ctx = handlers::Ctx {
        settings: &shared.settings,
        now,
        wall: state.wall_clock(),
        caller: &caller,
        params: &params,
        body: &body,
    };
    match handlers::dispatch(&mut state, &ctx, route.id) {
        Ok(reply) => reply_response(reply),
        Err(fail) => fail_response(route.id, fail),
    }
}

fn response(status: StatusCode, content_type: &'static str, body: impl Into<Body>) -> Response {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

pub(crate) fn json_response(status: StatusCode, value: &serde_json::Value) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    response(status, "application/json", body)
}

fn reply_response(reply: model::Reply) -> Response {
    match reply {
        model::Reply::Json(value) => json_response(StatusCode::OK, &value),
        model::Reply::NoContent => {
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::NO_CONTENT;
            response
        }
        model::Reply::Csv(text) => response(StatusCode::OK, "text/csv; charset=utf-8", text),
    }
}

/// An error answer: plain text for `TriggerFailover` (as documented), JSON
/// with `status`, `error` and `message` otherwise.
fn fail_response(op: &str, fail: model::Fail) -> Response {
    let mut response = if op == "TriggerFailover" {
        response(fail.status, "text/plain; charset=utf-8", fail.message)
    } else {
        json_response(
            fail.status,
            &serde_json::json!({
                "status": fail.status.as_u16(),
                "error": fail.status.canonical_reason().unwrap_or("Error"),
                "message": fail.message,
            }),
        )
    };
    if let Some(secs) = fail.retry_after {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    if let Some(challenge) = fail.www_authenticate {
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response.headers_mut().insert(WWW_AUTHENTICATE, value);
        }
    }
    response
}

fn method_not_allowed(allowed: &[&str]) -> Response {
    let mut response = fail_response(
        "",
        model::Fail::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method not allowed on this path",
        ),
    );
    if let Ok(value) = HeaderValue::from_str(&allowed.join(", ")) {
        response.headers_mut().insert(ALLOW, value);
    }
    response
}
