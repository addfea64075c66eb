//! What an emulator is started with: [`EmulatorConfig`], the credentials its
//! token endpoint accepts and their [`Scope`]s, and the settings fixed at
//! start.

use std::{
    fmt,
    net::{IpAddr, Ipv4Addr},
    path::PathBuf,
    str::FromStr,
    time::Duration,
};

use super::transitions::{Transition, Transitions};
use crate::SecretString;

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

    /// The scope with this display name or claim, ignoring case (`Zeebe
    /// Client`, `zeebe-client`), as a command line would take it.
    pub fn from_name(name: &str) -> Option<Scope> {
        let name = name.trim();
        Scope::ALL.into_iter().find(|scope| {
            scope.display_name().eq_ignore_ascii_case(name)
                || scope.claim().eq_ignore_ascii_case(name)
        })
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

impl FromStr for Scope {
    type Err = EmulatorError;

    /// See [`Scope::from_name`].
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Scope::from_name(name).ok_or_else(|| EmulatorError::UnknownScope(name.to_owned()))
    }
}

/// An admin API credential the token endpoint accepts.
#[derive(Debug, Clone)]
pub(crate) struct Credential {
    pub(crate) client_id: String,
    pub(crate) client_secret: SecretString,
    pub(crate) scopes: Vec<Scope>,
}

impl Credential {
    /// A credential with the given scopes.
    pub(crate) fn new(
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

/// How often one client id may ask for a token, as the service allows.
const TOKEN_INTERVAL: Duration = Duration::from_secs(1);

/// Settings of an emulator; start one with [`EmulatorConfig::start`].
///
/// Obtained from [`Emulator::builder`](super::Emulator::builder) or
/// `EmulatorConfig::default()`. Every setting a command line would offer is
/// here: the port, the delays, the credentials, the token lifetime and the
/// token rate limit.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    pub(crate) port: u16,
    pub(crate) audience: String,
    pub(crate) token_lifetime: Duration,
    pub(crate) transitions: Transitions,
    pub(crate) token_interval: Duration,
    pub(crate) admin: Option<(String, SecretString)>,
    pub(crate) credentials: Vec<Credential>,
    pub(crate) bind: IpAddr,
    pub(crate) limits: Limits,
    pub(crate) strict: bool,
    pub(crate) state_file: Option<PathBuf>,
    pub(crate) seed_file: Option<PathBuf>,
}

/// What the server grants one client, so that none can stall it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Connections served at once; one more is answered 503 and closed.
    pub(crate) max_connections: usize,
    /// How long a request head may take from its first byte, and its body
    /// from the end of the head.
    pub(crate) request_read_timeout: Duration,
    /// How long a connection may wait for its next request.
    pub(crate) idle_timeout: Duration,
    /// How long requests being answered may take to finish once shutdown
    /// begins.
    pub(crate) shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 512,
            request_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(2),
        }
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            port: 0,
            audience: DEFAULT_AUDIENCE.to_owned(),
            token_lifetime: Duration::from_secs(24 * 60 * 60),
            transitions: Transitions {
                cluster: Transition::After(Duration::from_secs(3)),
                backup: Transition::After(Duration::from_secs(2)),
                restore: Transition::After(Duration::from_secs(2)),
            },
            token_interval: TOKEN_INTERVAL,
            admin: None,
            credentials: Vec::new(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            limits: Limits::default(),
            strict: false,
            state_file: None,
            seed_file: None,
        }
    }
}

impl EmulatorConfig {
    /// Listen on this port of 127.0.0.1 instead of a free one (0).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Listen on this address instead of 127.0.0.1, such as `0.0.0.0` to be
    /// reachable from containers. On an address other than a loopback one,
    /// the control plane (`/__emulator/`) takes only the control token
    /// ([`Emulator::control_token`](super::Emulator::control_token)), not
    /// the admin credential's tokens.
    pub fn bind(mut self, addr: IpAddr) -> Self {
        self.bind = addr;
        self
    }

    /// How many connections are served at once (default 512); one more is
    /// answered 503 and closed. At least 1.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.limits.max_connections = max.max(1);
        self
    }

    /// How long a request's head may take from its first byte, and its body
    /// from the end of the head (default 10 s); a connection that takes
    /// longer is closed. Measured on the real clock, not tokio's.
    pub fn request_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.request_read_timeout = timeout;
        self
    }

    /// How long a connection may stay open without a request (default
    /// 30 s). Measured on the real clock, not tokio's.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.limits.idle_timeout = timeout;
        self
    }

    /// How long requests being answered may take to finish once the
    /// emulator shuts down (default 2 s); connections still sending a
    /// request are closed at once.
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.limits.shutdown_grace = grace;
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
        self.transitions.cluster = Transition::after(delay);
        self
    }

    /// When a created, woken or upgraded cluster turns `Healthy`: at once,
    /// after a delay (as [`EmulatorConfig::cluster_ready_delay`]), or when
    /// the transitions are stepped.
    pub fn cluster_transition(mut self, transition: Transition) -> Self {
        self.transitions.cluster = transition;
        self
    }

    /// When a backup completes.
    pub fn backup_transition(mut self, transition: Transition) -> Self {
        self.transitions.backup = transition;
        self
    }

    /// When a restore completes.
    pub fn restore_transition(mut self, transition: Transition) -> Self {
        self.transitions.restore = transition;
        self
    }

    /// How long a backup stays `In progress` (default 2 s).
    pub fn backup_delay(mut self, delay: Duration) -> Self {
        self.transitions.backup = Transition::after(delay);
        self
    }

    /// How long a restore stays `IN_PROGRESS` (default 2 s).
    pub fn restore_delay(mut self, delay: Duration) -> Self {
        self.transitions.restore = Transition::after(delay);
        self
    }

    /// Refuse what the document does not allow even where the live service
    /// is believed to be lenient (default off): a field a closed request
    /// body does not list (400), a body sent under any `Content-Type` but
    /// JSON (415).
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Keep the whole state in this file across restarts: loaded at start
    /// when it exists, written after every change (atomically, mode 0600:
    /// it holds secrets) and once more at shutdown. Its folder must not be
    /// writable by others. A file that cannot be loaded stops the start
    /// with [`EmulatorError::StateFile`] and is left as it is.
    ///
    /// # Format (version 1)
    ///
    /// A JSON object; moments are RFC 3339 on the emulator's clock:
    ///
    /// ```json
    /// {
    ///   "format": "camunda-admin-emulator-state",
    ///   "version": 1,
    ///   "orgId": "…",
    ///   "admin": { "clientId": "…", "clientSecret": "…" },
    ///   "clockOffsetMs": 0,
    ///   "clusters": [{
    ///     "uuid": "…", "name": "orders", "ownerId": "…", "created": "…",
    ///     "planTypeId": "…", "regionId": "…", "channelId": "…", "generationId": "…",
    ///     "autoUpdate": true, "hardwarePackages": 1.0,
    ///     "status": "Creating", "healthyAt": "2026-01-01T00:00:03.000Z",
    ///     "encryption": { "type": "Provider" },
    ///     "ipAllowlist": [{ "ip": "10.0.0.0/8", "description": "office" }],
    ///     "clients": [{ "uuid": "…", "clientId": "…", "name": "ci", "permissions": ["Zeebe"] }],
    ///     "secrets": { "API_KEY": "…" },
    ///     "backups": [{ "uuid": "…", "name": "…", "generationId": "…",
    ///                   "created": "…", "completed": "…", "doneAt": "…" }],
    ///     "restores": [], "monitoring": false, "monitoringClients": []
    ///   }],
    ///   "members": [{ "email": "…", "name": "…", "roles": ["owner"], "invitePending": false }],
    ///   "activity": [{ "at": "…", "userId": "…", "auditType": "c", "entity": "cluster",
    ///                  "entityId": "…", "audit": "Created cluster \"orders\"" }],
    ///   "tokens": [{ "token": "…", "clientId": "…", "scopes": ["cluster"], "expiresAt": "…" }]
    /// }
    /// ```
    ///
    /// A cluster may also carry `description`, `backupRegionId`,
    /// `stageLabel`, `failedOver`, `backupSchedule` and
    /// `secureConnectivity` (`{"principals", "regions", "since"}`); a
    /// record still in progress has `healthyAt` or `doneAt` in the future,
    /// or `"step"` when it waits for a manual step. Ids of plans, regions,
    /// channels and generations are those of `/clusters/parameters`.
    /// Unknown fields are refused, so a typo in a hand-written seed is
    /// named. A cluster client's secret is shown once and never kept, as
    /// by the service. The admin credential of the file is used unless
    /// [`EmulatorConfig::admin_credential`] names one; tokens of client ids
    /// the emulator does not know are dropped.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Start from this file (the format of [`EmulatorConfig::state_file`]),
    /// which is only read; a reset (`POST /__emulator/reset`,
    /// [`Emulator::reset`](super::Emulator::reset)) returns to it. With a
    /// state file too, an existing state file wins and the seed is where
    /// resets go.
    pub fn seed_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.seed_file = Some(path.into());
        self
    }

    /// Whether the token endpoint allows only one request per second per
    /// client id, as the service does (default on). Off is the same as
    /// `token_rate_interval(Duration::ZERO)`.
    pub fn token_rate_limit(mut self, enabled: bool) -> Self {
        self.token_interval = if enabled {
            TOKEN_INTERVAL
        } else {
            Duration::ZERO
        };
        self
    }

    /// The least time between two token requests of one client id (default
    /// 1 s, as the service); a request sooner gets 429 with `Retry-After`.
    /// `Duration::ZERO` turns the limit off.
    pub fn token_rate_interval(mut self, interval: Duration) -> Self {
        self.token_interval = interval;
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
}

/// Why the emulator could not start, or a test helper was misused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// The listening socket could not be opened.
    #[error("the emulator cannot listen: {0}")]
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
    /// A scope name that names no [`Scope`].
    #[error("no scope is called {0:?} (use a name such as \"Cluster\" or \"zeebe-client\")")]
    UnknownScope(String),
    /// A state or seed file could not be used; it is left untouched.
    #[error("the emulator state file {}: {problem}", path.display())]
    StateFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        problem: StateFileError,
    },
}

/// What is wrong with a state or seed file (see
/// [`EmulatorConfig::state_file`]); never shows the file's content.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateFileError {
    /// A seed file that does not exist.
    #[error("there is no such file")]
    Missing,
    /// Something else than a regular file.
    #[error("is not a regular file")]
    NotAFile,
    /// The file could not be read.
    #[error("cannot be read: {0}")]
    Read(#[source] std::io::Error),
    /// The file is larger than the emulator reads.
    #[error("is larger than {max} bytes")]
    TooLarge {
        /// The largest size read, in bytes.
        max: u64,
    },
    /// The file is not JSON.
    #[error("is not JSON ({0})")]
    NotJson(String),
    /// A JSON file, but not an emulator state.
    #[error("is not an emulator state (its \"format\" is not \"camunda-admin-emulator-state\")")]
    UnknownFormat,
    /// A state of a version this emulator does not read.
    #[error("has version {0}; this emulator reads version 1")]
    UnsupportedVersion(String),
    /// A state whose content does not make sense.
    #[error("is not a valid state: {0}")]
    Invalid(String),
    /// The state file's folder can be written by others.
    #[error("is in {}, a folder others can write; keep it in a folder only you can write", .0.display())]
    UnsafeFolder(PathBuf),
    /// The state could not be written.
    #[error("cannot be written: {0}")]
    Write(#[source] std::io::Error),
}

/// Settings fixed at start.
#[derive(Debug)]
pub(crate) struct Settings {
    pub(crate) base_url: String,
    pub(crate) token_url: String,
    pub(crate) audience: String,
    pub(crate) org_id: String,
    pub(crate) token_lifetime: Duration,
    /// The transitions at start, and after a reset.
    pub(crate) transitions: Transitions,
    pub(crate) token_interval: Duration,
    /// Whether the control plane takes only the control token (bound to an
    /// address other than loopback).
    pub(crate) control_token_only: bool,
    pub(crate) control_token: SecretString,
    /// The admin credential first.
    pub(crate) credentials: Vec<Credential>,
    /// Refuse unknown fields of closed bodies and bodies that are not JSON.
    pub(crate) strict: bool,
}

/// The admin credential first, then the configured ones; refuses a client
/// id configured twice.
pub(crate) fn all_credentials(
    admin: Credential,
    configured: Vec<Credential>,
) -> Result<Vec<Credential>, EmulatorError> {
    let mut credentials = vec![admin];
    for credential in configured {
        if credentials
            .iter()
            .any(|c| c.client_id == credential.client_id)
        {
            return Err(EmulatorError::DuplicateCredential(credential.client_id));
        }
        credentials.push(credential);
    }
    Ok(credentials)
}

impl Settings {
    /// The settings of `config` for an emulator at `base_url`.
    pub(crate) fn new(
        config: EmulatorConfig,
        credentials: Vec<Credential>,
        (base_url, token_path): (String, &str),
        org_id: String,
        control_token: SecretString,
    ) -> Self {
        Self {
            control_token_only: !config.bind.is_loopback(),
            control_token,
            token_url: format!("{base_url}{token_path}"),
            base_url,
            audience: config.audience,
            org_id,
            token_lifetime: config.token_lifetime,
            transitions: config.transitions,
            token_interval: config.token_interval,
            strict: config.strict,
            credentials,
        }
    }

    /// The credential with this id and secret.
    pub(crate) fn credential(&self, client_id: &str, secret: &str) -> Option<&Credential> {
        self.credentials.iter().find(|c| {
            c.client_id == client_id && constant_time_eq(c.client_secret.expose_secret(), secret)
        })
    }
}

/// Compare secrets without an early exit on the first difference.
pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_found_by_display_name_or_claim() {
        for scope in Scope::ALL {
            assert_eq!(Scope::from_name(scope.display_name()), Some(scope));
            assert_eq!(scope.claim().parse::<Scope>().ok(), Some(scope));
        }
        assert_eq!(Scope::from_name(" zeebe client "), Some(Scope::ZeebeClient));
        assert!(matches!(
            "owner".parse::<Scope>(),
            Err(EmulatorError::UnknownScope(name)) if name == "owner"
        ));
    }

    #[test]
    fn a_client_id_configured_twice_is_refused() {
        let config = EmulatorConfig::default().credential("admin", "x", [Scope::Members]);
        let admin = Credential::new("admin", "y", Scope::ALL);
        let result = all_credentials(admin, config.credentials);
        assert!(matches!(result, Err(EmulatorError::DuplicateCredential(id)) if id == "admin"));
    }
}
