//! An in-process emulator of the Administration API and its token service,
//! for offline tests of automation built on this crate (feature `emulator`).
//!
//! [`Emulator::start`] binds `127.0.0.1` (or [`EmulatorConfig::bind`]) on a free port and serves, from a
//! task on the caller's tokio runtime, every operation of the API plus an
//! OAuth token endpoint (`POST /oauth/token`, client-credentials grant, JSON
//! or form-encoded body, or HTTP Basic client authentication). It stops when
//! the [`Emulator`] is dropped, when [`Emulator::shutdown`] is awaited, or
//! when the signal given to [`Emulator::run_until`] comes.
//!
//! Everything lives in memory (or, with [`EmulatorConfig::state_file`], in
//! a file across restarts; [`EmulatorConfig::seed_file`] starts from one)
//! and behaves like the service does:
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
//!   (else 429 with `Retry-After`) and answers 401 to a wrong secret;
//! - each operation needs the scope the operation table names (403 without
//!   it), and a missing, unknown or expired token gives 401;
//! - every successful change is written to the activity log
//!   (`/activity/json`, `/activity/csv`).
//!
//! The routes come from the operation table generated from the document;
//! an operation the emulator has no handler for yet answers 501.
//!
//! Delays are measured with [`tokio::time::Instant`] when a response is
//! built, so tests can use `tokio::time::pause` and `advance`, or
//! [`Emulator::advance_clock`]. Faults can be injected per operation with
//! [`Emulator::fail_next`] and [`Emulator::delay_next`]; they apply before
//! the bearer token is checked, like a failing gateway in front of the API.
//! Their counts and durations saturate: `usize::MAX` calls or
//! `Duration::MAX` mean "from now on" and "for good".
//!
//! Tests in other languages get the same over HTTP: the control plane,
//! under `/__emulator/` on the emulator's port (faults, the request
//! journal, reset, the clock, transitions; see the README and
//! `GET /__emulator/openapi.json`), opened by [`Emulator::control_token`].
//! The server cannot be stalled by its clients: deadlines for request
//! heads, bodies and idle connections, a cap on connections (503 beyond
//! it), 413 for bodies beyond 2 MiB, and a shutdown that gives requests
//! being answered a grace period and closes everything else.
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

mod activity;
mod answer;
mod catalog;
mod clock;
mod config;
mod control;
mod faults;
mod front;
mod handlers;
mod ids;
mod journal;
mod listen;
mod persist;
mod records;
mod routes;
mod server;
mod state;
mod token_book;
mod token_endpoint;
mod transitions;
mod validate;
mod world;
mod writer;

use std::{
    future::Future,
    net::SocketAddr,
    sync::{atomic::Ordering, Arc},
    time::Duration,
};

use futures_util::future::{select, Either};
use tokio::{sync::oneshot, task::JoinHandle};

pub use config::{EmulatorConfig, EmulatorError, Scope, StateFileError, DEFAULT_AUDIENCE};
pub use transitions::Transition;

use crate::SecretString;
use config::{Credential, Settings};
use faults::{error_status, operation_id, retry_after_secs, Fault};
use server::{lock, Shared, TOKEN_PATH};

/// The name under which faults of the token endpoint are injected, as in
/// `emulator.fail_next(TOKEN_OPERATION, 1, 503)`.
pub const TOKEN_OPERATION: &str = faults::TOKEN_OPERATION;

impl EmulatorConfig {
    /// Bind 127.0.0.1 and serve on the current tokio runtime.
    pub async fn start(self) -> Result<Emulator, EmulatorError> {
        Emulator::with_config(self).await
    }
}

/// A running emulator. Dropping it stops the server.
pub struct Emulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    admin: Credential,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    /// The state file's writer: its stop signal and its task.
    writer: Option<(oneshot::Sender<()>, JoinHandle<()>)>,
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
    pub async fn with_config(mut config: EmulatorConfig) -> Result<Emulator, EmulatorError> {
        let mut ids = ids::Ids::from_entropy();
        let files = Files::load(&config)?;
        let start = files.start();
        let admin = match (config.admin.take(), start) {
            (Some((id, secret)), _) => Credential::new(id, secret, Scope::ALL),
            (None, Some(state)) => Credential::new(
                state.admin.client_id.clone(),
                SecretString::new(state.admin.client_secret.clone()),
                Scope::ALL,
            ),
            (None, None) => Credential::new(
                ids.client_id(),
                SecretString::new(ids.client_secret()),
                Scope::ALL,
            ),
        };
        let org_id = start.map_or_else(|| ids.uuid(), |s| s.org_id.clone());
        let credentials =
            config::all_credentials(admin.clone(), std::mem::take(&mut config.credentials))?;
        let listener = tokio::net::TcpListener::bind((config.bind, config.port))
            .await
            .map_err(EmulatorError::Bind)?;
        let addr = listener.local_addr().map_err(EmulatorError::Bind)?;
        let base_url = format!("http://{addr}");
        let limits = config.limits;
        let control_token = SecretString::new(ids.client_secret());
        let state_path = config.state_file.clone();
        let settings = Settings::new(
            config,
            credentials,
            (base_url, TOKEN_PATH),
            org_id,
            control_token,
        );
        let mut shared = Shared::new(settings);
        if let Some((path, state)) = files.start_with_path() {
            shared
                .restore(state)
                .map_err(|e| persist::invalid(path, e))?;
        }
        shared.store = state_path.map(persist::Store::new);
        shared.seed = files.seed.map(|(_, seed)| seed);
        let shared = Arc::new(shared);
        // The first write at once: a folder that cannot be written stops
        // the start instead of losing every change later.
        if let Some(store) = &shared.store {
            writer::write_now(&shared)
                .await
                .map_err(|e| EmulatorError::StateFile {
                    path: store.path.clone(),
                    problem: StateFileError::Write(e),
                })?;
        }
        let writer = shared.store.is_some().then(|| {
            let (stop, stopped) = oneshot::channel::<()>();
            (
                stop,
                tokio::spawn(writer::writer(Arc::clone(&shared), stopped)),
            )
        });
        let (shutdown, stopped) = oneshot::channel::<()>();
        let served = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            let signal = async {
                // A dropped sender stops the server too.
                let _ = stopped.await;
            };
            // Returns once the signal came and the connections are closed.
            listen::serve(listener, served, limits, signal).await;
        });
        Ok(Emulator {
            shared,
            addr,
            admin,
            shutdown: Some(shutdown),
            task: Some(task),
            writer,
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

    /// The token of the control plane (`/__emulator/...`, as a bearer
    /// token): random, valid as long as the emulator runs, and untouched by
    /// faults, the clock and the token rate limit.
    pub fn control_token(&self) -> SecretString {
        self.shared.settings.control_token.clone()
    }

    /// The control plane's base URL, `{base_url}/__emulator`.
    pub fn control_url(&self) -> String {
        format!("{}{}", self.base_url(), control::PREFIX)
    }

    /// Back to the start, as `POST /__emulator/reset`: no clusters, the
    /// first members, no faults, delays or journal, the token rate limit
    /// forgotten, the clock and the transitions as at start. Credentials
    /// and issued tokens stay valid.
    pub fn reset(&self) {
        self.shared.reset(true);
    }

    /// Back to the empty organization even with a seed, as `POST
    /// /__emulator/reset` with `{"to": "empty"}`.
    pub fn reset_to_empty(&self) {
        self.shared.reset(false);
    }

    /// The request journal, oldest first, as `GET /__emulator/requests`
    /// answers it: `{"seq", "operationId", "method", "path", "status",
    /// "at", "body"}` with every secret value in bodies masked.
    pub fn requests(&self) -> Vec<serde_json::Value> {
        lock(&self.shared.journal).matched(None, 0)
    }

    /// Change when clusters turn `Healthy` from now on (records already in
    /// progress keep their end).
    pub fn set_cluster_transition(&self, transition: Transition) {
        lock(&self.shared.transitions).cluster = transition;
    }

    /// Change when backups complete from now on.
    pub fn set_backup_transition(&self, transition: Transition) {
        lock(&self.shared.transitions).backup = transition;
    }

    /// Change when restores complete from now on.
    pub fn set_restore_transition(&self, transition: Transition) {
        lock(&self.shared.transitions).restore = transition;
    }

    /// Finish everything in progress: clusters turn `Healthy`, backups and
    /// restores complete. How many records it finished.
    pub fn step_transitions(&self) -> usize {
        let (now, wall) = self.shared.now();
        let finished = transitions::step(&mut lock(&self.shared.world), now, wall);
        self.shared.changed();
        finished
    }

    /// How many requests reached the token endpoint, refused ones included.
    pub fn token_requests(&self) -> usize {
        self.shared.token_requests.load(Ordering::SeqCst)
    }

    /// How many requests were routed to the operation `op` (an operationId
    /// such as `GetCluster`, or [`TOKEN_OPERATION`]), failed ones included.
    pub fn calls(&self, op: &str) -> usize {
        lock(&self.shared.faults).calls(op)
    }

    /// Make the next `n` calls of `op` fail with `status` (400 to 599)
    /// before any other check. `op` is an operationId such as `GetCluster`,
    /// or [`TOKEN_OPERATION`] for the token endpoint. `n` saturates:
    /// `usize::MAX` fails every call from now on.
    pub fn fail_next(&self, op: &str, n: usize, status: u16) -> Result<(), EmulatorError> {
        self.push_fault(op, n, status, None)
    }

    /// Like [`Emulator::fail_next`], with a `Retry-After` header of
    /// `retry_after` (in whole seconds, rounded up, saturating), as for 429
    /// or 503.
    pub fn fail_next_with_retry_after(
        &self,
        op: &str,
        n: usize,
        status: u16,
        retry_after: Duration,
    ) -> Result<(), EmulatorError> {
        self.push_fault(op, n, status, Some(retry_after_secs(retry_after)))
    }

    /// Make the next `n` calls of `op` wait `delay` before they are
    /// answered (on the tokio clock, so paused time skips it). Both
    /// saturate: `Duration::MAX` answers only when the runtime ends.
    pub fn delay_next(&self, op: &str, n: usize, delay: Duration) -> Result<(), EmulatorError> {
        let op = operation_id(op)?;
        self.shared.add_fault(op, n, None, Some(delay));
        Ok(())
    }

    /// Make the next `n` calls of `op` get no answer: the connection is
    /// reset (a TCP RST), as a crashed gateway does. `n` saturates.
    pub fn reset_next(&self, op: &str, n: usize) -> Result<(), EmulatorError> {
        let op = operation_id(op)?;
        self.shared.add_fault(op, n, Some(Fault::Reset), None);
        Ok(())
    }

    /// Forget every injected fault and delay not used yet.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Move the emulator's clock forward: clusters, backups and restores
    /// progress and tokens age as if `by` had passed. An alternative to
    /// `tokio::time::advance` for tests that cannot pause time. Saturates.
    pub fn advance_clock(&self, by: Duration) {
        lock(&self.shared.clock).advance(by);
        self.shared.changed();
    }

    /// Put a cluster in the `Suspended` state, as the service does with idle
    /// trial clusters, so that `Wake` has something to do. `false` if there
    /// is no such cluster.
    pub fn suspend_cluster(&self, cluster_id: &str) -> bool {
        let suspended = lock(&self.shared.world).suspend_cluster(cluster_id);
        self.shared.changed();
        suspended
    }

    /// Serve until `signal` completes (such as Ctrl-C), then stop as
    /// [`Emulator::shutdown`] does; also returns if the server stops by
    /// itself. For a command that runs the emulator for other programs.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), camunda_admin::emulator::EmulatorError> {
    /// use camunda_admin::emulator::Emulator;
    ///
    /// let emulator = Emulator::builder().port(8089).start().await?;
    /// println!("serving at {}", emulator.base_url());
    /// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    /// # drop(stop);
    /// emulator.run_until(async { let _ = stopped.await; }).await;
    /// # Ok(()) }
    /// ```
    pub async fn run_until(mut self, signal: impl Future<Output = ()>) {
        if let Some(task) = self.task.as_mut() {
            let signal = std::pin::pin!(signal);
            if let Either::Right(_) = select(signal, task).await {
                // The server task ended on its own: nothing left to stop.
                self.task = None;
            }
        }
        self.shutdown().await;
    }

    /// Stop the server and wait until its connections are closed and the
    /// state file (if any) holds the last state.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        if let Some((stop, writer)) = self.writer.take() {
            let _ = stop.send(());
            let _ = writer.await;
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
        let fault = Fault::status(error_status(status)?, retry_after);
        self.shared.add_fault(op, n, Some(fault), None);
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

/// The operation ids the emulator routes, as in the OpenAPI document (an
/// operation without a handler among them answers 501).
pub fn operation_ids() -> impl Iterator<Item = &'static str> {
    routes::ROUTES.iter().map(routes::Route::id)
}

/// The operations of the document the emulator routes but has no handler
/// for yet: they answer 501. Empty for the document this crate was built
/// from; a newer document may add some.
pub fn unserved_operation_ids() -> impl Iterator<Item = crate::OperationId> {
    routes::unserved()
}

/// The state and seed files read at start.
struct Files {
    /// The state file, if it exists.
    state: Option<(std::path::PathBuf, state::StateFile)>,
    /// The seed file: where the emulator starts without a state file, and
    /// where resets go.
    seed: Option<(std::path::PathBuf, state::StateFile)>,
}

impl Files {
    fn load(config: &EmulatorConfig) -> Result<Self, EmulatorError> {
        if let (Some(state), Some(seed)) = (&config.state_file, &config.seed_file) {
            // The seed is only read: as the state file it would be written.
            let same = |a: &std::path::Path, b: &std::path::Path| {
                a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
            };
            if same(state, seed) {
                return Err(persist::invalid(
                    seed,
                    "it is the state file too; a seed is only read".to_owned(),
                ));
            }
        }
        let state = match &config.state_file {
            Some(path) => {
                persist::check_folder(path)?;
                persist::read(path, true)?.map(|s| (path.clone(), s))
            }
            None => None,
        };
        let seed = match &config.seed_file {
            Some(path) => persist::read(path, false)?.map(|s| (path.clone(), s)),
            None => None,
        };
        Ok(Self { state, seed })
    }

    /// What the emulator starts from: the state file if it exists, else
    /// the seed.
    fn start_with_path(&self) -> Option<(&std::path::Path, &state::StateFile)> {
        self.state
            .as_ref()
            .or(self.seed.as_ref())
            .map(|(path, state)| (path.as_path(), state))
    }

    fn start(&self) -> Option<&state::StateFile> {
        self.start_with_path().map(|(_, state)| state)
    }
}
