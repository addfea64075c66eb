//! Building a [`Client`]: from the environment, or step by step.
//!
//! The environment names are those of Camunda's own SDKs:
//!
//! | variable | meaning | default |
//! | --- | --- | --- |
//! | `CAMUNDA_CONSOLE_CLIENT_ID` | OAuth client id | required |
//! | `CAMUNDA_CONSOLE_CLIENT_SECRET` | OAuth client secret | required |
//! | `CAMUNDA_CONSOLE_BASE_URL` | API base URL | `https://api.cloud.camunda.io` |
//! | `CAMUNDA_CONSOLE_OAUTH_AUDIENCE` | token audience | `api.cloud.camunda.io` |
//! | `CAMUNDA_OAUTH_URL` | token endpoint | `https://login.cloud.camunda.io/oauth/token` |
//! | `CAMUNDA_TOKEN_CACHE_DIR` | disk cache folder, an absolute path (alias `CAMUNDA_OAUTH_CACHE_DIR`) | `$HOME/.camunda` |
//! | `CAMUNDA_TOKEN_DISK_CACHE_DISABLE` | `true` turns the disk cache off | off |
//!
//! Values are trimmed; a blank one counts as unset. Without a usable
//! `HOME` (unset or empty) the home folder is the one the password database
//! names; with none at all, tokens are kept in memory only, with a warning.
//! A relative cache folder is refused: it would land wherever the process
//! happens to run (and a `~` in it is not expanded outside a shell).

use std::{path::PathBuf, sync::Arc, time::Duration};

use crate::{
    auth::{
        oauth_exchange::DEFAULT_MAX_TOKEN_RESPONSE_BYTES,
        registry::slot_for,
        token_policy::TokenPolicy,
        token_store::{layered::layered, DiskTokenStore, TokenKey, TokenStore},
        Auth, Credentials, OAuthClient, StaticToken,
    },
    client::Shared,
    error::Error,
    retry::RetryPolicy,
    Client, SecretString,
};

/// Default base URL of the Administration API.
pub const DEFAULT_BASE_URL: &str = "https://api.cloud.camunda.io";
/// Default token endpoint of Camunda SaaS.
pub const DEFAULT_TOKEN_URL: &str = "https://login.cloud.camunda.io/oauth/token";
/// Default audience of Administration API tokens.
pub const DEFAULT_AUDIENCE: &str = "api.cloud.camunda.io";

/// Environment variable: the OAuth client id.
pub const ENV_CLIENT_ID: &str = "CAMUNDA_CONSOLE_CLIENT_ID";
/// Environment variable: the OAuth client secret.
pub const ENV_CLIENT_SECRET: &str = "CAMUNDA_CONSOLE_CLIENT_SECRET";
/// Environment variable: the API base URL.
pub const ENV_BASE_URL: &str = "CAMUNDA_CONSOLE_BASE_URL";
/// Environment variable: the token audience.
pub const ENV_AUDIENCE: &str = "CAMUNDA_CONSOLE_OAUTH_AUDIENCE";
/// Environment variable: the token endpoint.
pub const ENV_TOKEN_URL: &str = "CAMUNDA_OAUTH_URL";
/// Environment variable: the disk cache folder.
pub const ENV_CACHE_DIR: &str = "CAMUNDA_TOKEN_CACHE_DIR";
/// Environment variable: the disk cache folder, under the name Camunda's
/// orchestration-cluster Rust SDK reads. [`ENV_CACHE_DIR`] wins over it.
pub const ENV_CACHE_DIR_ALIAS: &str = "CAMUNDA_OAUTH_CACHE_DIR";
/// Environment variable: `true` (or `1`, `yes`) turns the disk cache off.
pub const ENV_DISK_CACHE_DISABLE: &str = "CAMUNDA_TOKEN_DISK_CACHE_DISABLE";
/// The home folder's variable; the default cache folder is `$HOME/.camunda`.
const ENV_HOME: &str = "HOME";
/// The default cache folder's name under the home folder.
const CACHE_DIR_IN_HOME: &str = ".camunda";

/// Where tokens are kept beyond memory.
#[derive(Debug, Clone, Default)]
enum DiskCache {
    /// What the environment says when the client is built (see
    /// [`Environment`]).
    #[default]
    Default,
    Dir(PathBuf),
    Disabled,
}

impl DiskCache {
    /// [`DiskCache::Default`] replaced by what the environment says, and a
    /// folder checked to be absolute.
    fn resolved(self) -> Result<Self, Error> {
        match self {
            DiskCache::Default => Ok(Environment::read_and_warn(
                |name| std::env::var(name).ok(),
                std::env::home_dir,
            )?
            .disk_cache),
            DiskCache::Dir(dir) if dir.is_relative() => Err(Error::Config(format!(
                "the token cache folder {dir:?} is a relative path; give an absolute one"
            ))),
            other => Ok(other),
        }
    }
}

/// What the environment says, read in one place ([`Environment::read`]):
/// every value trimmed, a blank one unset.
#[derive(Debug, Default)]
struct Environment {
    client_id: Option<String>,
    client_secret: Option<SecretString>,
    base_url: Option<String>,
    token_url: Option<String>,
    audience: Option<String>,
    /// [`DiskCache::Dir`] with an absolute folder, or [`DiskCache::Disabled`].
    disk_cache: DiskCache,
    /// What the reading found odd, for the log: [`Environment::read`]
    /// itself stays free of side effects.
    warnings: Vec<String>,
}

impl Environment {
    /// [`Environment::read`], logging its warnings.
    fn read_and_warn(
        lookup: impl Fn(&str) -> Option<String>,
        home_dir: impl FnOnce() -> Option<PathBuf>,
    ) -> Result<Self, Error> {
        let env = Self::read(lookup, home_dir)?;
        for warning in &env.warnings {
            tracing::warn!(target: crate::auth::token_store::FALLBACK_TARGET, "{warning}");
        }
        Ok(env)
    }

    /// Read the `CAMUNDA_*` variables and `HOME` through `lookup`; when
    /// `HOME` gives no absolute folder, `home_dir` names one (the standard
    /// library's `home_dir` asks the password database when `HOME` is unset
    /// or empty, with no `unsafe` of ours). Fails on a relative cache
    /// folder, naming the variable.
    fn read(
        lookup: impl Fn(&str) -> Option<String>,
        home_dir: impl FnOnce() -> Option<PathBuf>,
    ) -> Result<Self, Error> {
        let value = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let disabled = value(ENV_DISK_CACHE_DISABLE).is_some_and(|v| {
            matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on")
        });
        let mut warnings = Vec::new();
        // A disabled cache has no folder to check or to look for.
        let named = match disabled {
            true => None,
            false => cache_dir_variable(
                value(ENV_CACHE_DIR),
                value(ENV_CACHE_DIR_ALIAS),
                &mut warnings,
            )?,
        };
        let disk_cache = if disabled {
            DiskCache::Disabled
        } else if let Some(dir) = named {
            DiskCache::Dir(dir)
        } else if let Some(home) = home(value(ENV_HOME), home_dir) {
            DiskCache::Dir(home.join(CACHE_DIR_IN_HOME))
        } else {
            warnings.push(format!(
                "no home folder (HOME is not an absolute path and the password database names none): tokens are kept in memory only; set {ENV_CACHE_DIR} to share them between runs"
            ));
            DiskCache::Disabled
        };
        Ok(Self {
            client_id: value(ENV_CLIENT_ID),
            client_secret: value(ENV_CLIENT_SECRET).map(SecretString::new),
            base_url: value(ENV_BASE_URL),
            token_url: value(ENV_TOKEN_URL),
            audience: value(ENV_AUDIENCE),
            disk_cache,
            warnings,
        })
    }
}

/// The cache folder the variables name: ours, else the alias (ours wins,
/// with a warning, when both are set and differ). A relative one is refused.
fn cache_dir_variable(
    ours: Option<String>,
    alias: Option<String>,
    warnings: &mut Vec<String>,
) -> Result<Option<PathBuf>, Error> {
    let (name, dir) = match (ours, alias) {
        (Some(ours), Some(alias)) => {
            if ours != alias {
                warnings.push(format!(
                    "{ENV_CACHE_DIR} and {ENV_CACHE_DIR_ALIAS} name different folders; using {ENV_CACHE_DIR} ({ours:?})"
                ));
            }
            (ENV_CACHE_DIR, ours)
        }
        (Some(ours), None) => (ENV_CACHE_DIR, ours),
        (None, Some(alias)) => (ENV_CACHE_DIR_ALIAS, alias),
        (None, None) => return Ok(None),
    };
    let dir = PathBuf::from(dir);
    if dir.is_relative() {
        return Err(Error::Config(format!(
            "{name} is the relative path {dir:?}; give an absolute path (a ~ is expanded only by a shell)"
        )));
    }
    Ok(Some(dir))
}

/// The home folder: `HOME` when it is an absolute path, else what
/// `home_dir` says, if absolute.
fn home(variable: Option<String>, home_dir: impl FnOnce() -> Option<PathBuf>) -> Option<PathBuf> {
    variable
        .map(PathBuf::from)
        .filter(|home| home.is_absolute())
        .or_else(|| home_dir().filter(|home| home.is_absolute()))
}

/// Who the client is to the API: one choice, so that no two settings can
/// disagree.
#[derive(Debug, Clone, Default)]
enum Identity {
    /// Nothing chosen: [`ClientBuilder::build`] fails and says how to choose.
    #[default]
    Unset,
    /// An API client's id and secret, exchanged for tokens.
    Credentials(Credentials),
    /// A token sent as is.
    StaticToken(SecretString),
    /// No token: only operations that need none.
    Anonymous,
}

/// Step-by-step construction of a [`Client`]. `Debug` shows no secret.
#[derive(Debug, Clone, Default)]
pub struct ClientBuilder {
    base_url: Option<String>,
    token_url: Option<String>,
    audience: Option<String>,
    identity: Identity,
    disk_cache: DiskCache,
    /// A store over the disk cache (Redis, a user's own).
    token_store: Option<Arc<dyn TokenStore>>,
    user_agent: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    http_client: Option<reqwest::Client>,
    policy: TokenPolicy,
    max_token_response_bytes: Option<usize>,
    retry: RetryPolicy,
    max_response_bytes: Option<usize>,
}

impl ClientBuilder {
    /// A builder with Camunda SaaS defaults and no credentials.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder filled from the `CAMUNDA_*` environment variables (see the
    /// module documentation); later calls override them.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub(crate) fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        Self::read_vars(lookup, CredentialVars::Required)
    }

    /// A builder from what [`Environment::read`] found. Half a credential
    /// (an id without a secret, or the reverse) is an error even where none
    /// is needed.
    fn read_vars(
        lookup: impl Fn(&str) -> Option<String>,
        credentials: CredentialVars,
    ) -> Result<Self, Error> {
        let env = Environment::read_and_warn(lookup, std::env::home_dir)?;
        let identity = match (env.client_id, env.client_secret) {
            (Some(id), Some(secret)) => Identity::Credentials(Credentials::new(id, secret)),
            (None, None) if credentials == CredentialVars::Optional => Identity::Anonymous,
            (None, _) => return Err(Error::Config(format!("{ENV_CLIENT_ID} is not set"))),
            (Some(_), None) => {
                return Err(Error::Config(format!("{ENV_CLIENT_SECRET} is not set")))
            }
        };
        Ok(Self {
            base_url: env.base_url,
            token_url: env.token_url,
            audience: env.audience,
            identity,
            disk_cache: env.disk_cache,
            ..Self::default()
        })
    }

    /// The API base URL (default [`DEFAULT_BASE_URL`]). A trailing slash or a
    /// path prefix is fine.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The token endpoint (default [`DEFAULT_TOKEN_URL`]).
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// The token audience (default [`DEFAULT_AUDIENCE`]).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// The OAuth client id and secret of an API client of the organization.
    pub fn credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<SecretString>,
    ) -> Self {
        self.identity = Identity::Credentials(Credentials::new(client_id, client_secret));
        self
    }

    /// Send `token` as is instead of exchanging credentials.
    pub fn static_token(mut self, token: impl Into<SecretString>) -> Self {
        self.identity = Identity::StaticToken(token.into());
        self
    }

    /// A client without credentials, for the operations that need none
    /// (`get_meta`, the API's IP ranges). Every other call fails with
    /// [`AuthError::NoCredentials`](crate::AuthError::NoCredentials) before
    /// anything is sent.
    pub fn without_credentials(mut self) -> Self {
        self.identity = Identity::Anonymous;
        self
    }

    /// Keep tokens in `dir` (mode 0700) instead of `$HOME/.camunda`. A
    /// relative path fails [`build`](Self::build).
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.disk_cache = DiskCache::Dir(dir.into());
        self
    }

    /// Keep tokens in memory only.
    pub fn no_disk_cache(mut self) -> Self {
        self.disk_cache = DiskCache::Disabled;
        self
    }

    /// Coordinate through another store above the disk cache: the Redis
    /// store (feature `redis`, `RedisTokenStore`) or one of your own.
    /// While it reports itself unavailable ([`TokenStore::is_available`]),
    /// the disk cache (as `cache_dir` or the environment set it; none after
    /// [`no_disk_cache`](Self::no_disk_cache)) serves instead.
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.token_store = Some(store);
        self
    }

    /// Refresh tokens this long before they expire (default 5 minutes).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.policy.refresh_margin = margin;
        self
    }

    /// Give up on an unavailable token service after this long (default 60 s).
    pub fn token_deadline(mut self, deadline: Duration) -> Self {
        self.policy.fetch_deadline = deadline;
        self
    }

    /// After refused credentials, fail without asking for this long (default 60 s).
    pub fn refusal_cooldown(mut self, cooldown: Duration) -> Self {
        self.policy.refusal_cooldown = cooldown;
        self
    }

    /// Read at most this many bytes of a token answer (default 64 KiB); a
    /// larger token answer fails with [`crate::AuthError::TokenResponseTooLarge`].
    pub fn max_token_response_bytes(mut self, limit: usize) -> Self {
        self.max_token_response_bytes = Some(limit);
        self
    }

    /// How API calls are retried (default [`RetryPolicy::default`]).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The most bytes of a successful answer the client reads (default 32
    /// MiB); a larger answer fails with [`Error::BodyTooLarge`]. For an
    /// activity log beyond any cap, read it with
    /// [`Client::get_csv_lines`](crate::Client::get_csv_lines).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = Some(limit);
        self
    }

    /// The `User-Agent` of API and token requests.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The total timeout of one HTTP request (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The connect timeout of one HTTP request (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Send API requests through your own `reqwest::Client` (its timeouts
    /// and proxies apply; token requests keep a client of their own that
    /// follows no redirects).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Build the client. Fails on a malformed URL, a plain `http://` URL to a
    /// host other than loopback, a relative cache folder, or missing
    /// credentials (unless
    /// [`without_credentials`](Self::without_credentials) said so).
    pub fn build(mut self) -> Result<Client, Error> {
        let base_url = self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL);
        check_url("base URL", base_url)?;
        if matches!(self.identity, Identity::Credentials(_)) {
            // Only tokens fetched with credentials are cached.
            self.disk_cache = self.disk_cache.resolved()?;
        }
        let http = self
            .http_client
            .clone()
            .map(Ok)
            .unwrap_or_else(|| self.own_http_client())?;

        let auth = match &self.identity {
            Identity::StaticToken(token) => Auth::Static(StaticToken::new(token.clone()).ok_or_else(|| {
                Error::Config(
                    "the static token holds characters an HTTP header cannot carry".into(),
                )
            })?),
            Identity::Credentials(credentials) => Auth::ClientCredentials(Arc::new(self.oauth_client(credentials, &http)?)),
            Identity::Anonymous => Auth::Anonymous,
            Identity::Unset => {
                return Err(Error::Config(
                    "no credentials: call credentials() or static_token(), or set CAMUNDA_CONSOLE_CLIENT_ID and CAMUNDA_CONSOLE_CLIENT_SECRET (get_meta alone needs none: call without_credentials())".into(),
                ))
            }
        };
        Client::from_parts(
            base_url,
            http,
            Shared {
                auth,
                retry: self.retry,
                max_response_bytes: self
                    .max_response_bytes
                    .unwrap_or(crate::pipeline::body::DEFAULT_MAX_RESPONSE_BYTES),
            },
        )
    }

    fn oauth_client(
        &self,
        credentials: &Credentials,
        api_http: &reqwest::Client,
    ) -> Result<OAuthClient, Error> {
        let token_url = self.token_url.as_deref().unwrap_or(DEFAULT_TOKEN_URL);
        check_url("token URL", token_url)?;
        let key = TokenKey::new(
            token_url,
            credentials.client_id.clone(),
            self.audience.as_deref().unwrap_or(DEFAULT_AUDIENCE),
        );
        Ok(OAuthClient {
            credentials: credentials.clone(),
            // A user's own client may follow redirects: tokens get ours.
            http: match self.http_client {
                Some(_) => self.own_http_client()?,
                None => api_http.clone(),
            },
            max_token_response_bytes: self
                .max_token_response_bytes
                .unwrap_or(DEFAULT_MAX_TOKEN_RESPONSE_BYTES),
            store: self.store(),
            policy: self.policy.clone(),
            slot: slot_for(&key, &credentials.client_secret),
        })
    }

    fn own_http_client(&self) -> Result<reqwest::Client, Error> {
        let user_agent = self
            .user_agent
            .clone()
            .unwrap_or_else(|| format!("camunda-admin-rust/{}", env!("CARGO_PKG_VERSION")));
        reqwest::Client::builder()
            .user_agent(user_agent)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(self.timeout.unwrap_or(Duration::from_secs(30)))
            .connect_timeout(self.connect_timeout.unwrap_or(Duration::from_secs(10)))
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))
    }

    fn store(&self) -> Option<Arc<dyn TokenStore>> {
        let disk = match &self.disk_cache {
            DiskCache::Disabled => None,
            DiskCache::Dir(dir) => Some(DiskTokenStore::new(dir.clone())),
            // build() has replaced it by what the environment says.
            DiskCache::Default => None,
        };
        layered(self.token_store.clone(), disk)
    }
}

/// Refuse malformed URLs and cleartext to anything but this machine.
pub(crate) fn check_url(what: &str, url: &str) -> Result<(), Error> {
    let parsed =
        reqwest::Url::parse(url).map_err(|e| Error::Config(format!("invalid {what}: {e}")))?;
    if parsed.query().is_some() || parsed.fragment().is_some() {
        // Paths are appended to the base URL: a query would end up in front of them.
        return Err(Error::Config(format!(
            "the {what} {url:?} has a query or a fragment; give the URL without them"
        )));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        // Never echo it: the user part may hold a password.
        return Err(Error::Config(format!(
            "the {what} carries a user name or password; pass credentials with credentials() instead"
        )));
    }
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&parsed) => Ok(()),
        "http" => Err(Error::Config(format!(
            "the {what} {url:?} uses plain http to a host other than loopback; use https"
        ))),
        other => Err(Error::Config(format!(
            "the {what} {url:?} has the unsupported scheme {other:?}"
        ))),
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(host)) => host.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

impl ClientBuilder {
    /// A builder filled like [`ClientBuilder::from_env`], from the
    /// variables that `lookup` answers. A command line answers from its
    /// flags first and the environment after, so the reading of each
    /// variable stays here.
    pub fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        Self::from_lookup(lookup)
    }

    /// [`ClientBuilder::from_vars`] for a client that may have no
    /// credentials: with neither `CAMUNDA_CONSOLE_CLIENT_ID` nor
    /// `CAMUNDA_CONSOLE_CLIENT_SECRET` set, a builder
    /// [`without_credentials`](Self::without_credentials) (for
    /// `get_meta`); with only one of them set, the same error as
    /// `from_vars`.
    pub fn from_vars_credentials_optional(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, Error> {
        Self::read_vars(lookup, CredentialVars::Optional)
    }
}

/// Whether [`ClientBuilder::read_vars`] may leave the credential
/// variables unset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CredentialVars {
    Required,
    Optional,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn a_missing_id_or_secret_names_the_variable() {
        let error =
            ClientBuilder::from_lookup(lookup(&[(ENV_CLIENT_SECRET, "s")])).expect_err("no id");
        assert!(
            error.to_string().contains("CAMUNDA_CONSOLE_CLIENT_ID"),
            "{error}"
        );
        let error =
            ClientBuilder::from_lookup(lookup(&[(ENV_CLIENT_ID, "id"), (ENV_CLIENT_SECRET, " ")]))
                .expect_err("blank secret");
        assert!(
            error.to_string().contains("CAMUNDA_CONSOLE_CLIENT_SECRET"),
            "{error}"
        );
    }

    #[test]
    fn credentials_may_be_left_unset_only_when_asked_and_only_both() {
        let none = ClientBuilder::from_vars_credentials_optional(lookup(&[(
            ENV_BASE_URL,
            " http://127.0.0.1:9/ ",
        )]))
        .expect("no credentials at all");
        assert!(matches!(none.identity, Identity::Anonymous), "{none:?}");
        assert_eq!(none.base_url.as_deref(), Some("http://127.0.0.1:9/"));
        assert!(none.build().is_ok());

        let half = ClientBuilder::from_vars_credentials_optional(lookup(&[(ENV_CLIENT_ID, "id")]))
            .expect_err("an id without its secret");
        assert!(half.to_string().contains(ENV_CLIENT_SECRET), "{half}");
        let both = ClientBuilder::from_vars_credentials_optional(lookup(&[
            (ENV_CLIENT_ID, "id"),
            (ENV_CLIENT_SECRET, "secret"),
        ]))
        .expect("credentials");
        assert!(
            matches!(both.identity, Identity::Credentials(_)),
            "{both:?}"
        );
        assert!(
            ClientBuilder::from_lookup(lookup(&[])).is_err(),
            "from_vars still needs them"
        );
    }

    #[test]
    fn the_environment_sets_urls_audience_and_cache() {
        let builder = ClientBuilder::from_lookup(lookup(&[
            (ENV_CLIENT_ID, "id"),
            (ENV_CLIENT_SECRET, "secret"),
            (ENV_BASE_URL, "https://api.example.com/"),
            (ENV_TOKEN_URL, "https://login.example.com/oauth/token"),
            (ENV_AUDIENCE, "custom"),
            (ENV_CACHE_DIR, "/tmp/tokens"),
        ]))
        .expect("builder");
        assert_eq!(
            builder.base_url.as_deref(),
            Some("https://api.example.com/")
        );
        assert_eq!(
            builder.token_url.as_deref(),
            Some("https://login.example.com/oauth/token")
        );
        assert_eq!(builder.audience.as_deref(), Some("custom"));
        assert!(
            matches!(&builder.disk_cache, DiskCache::Dir(dir) if dir == &PathBuf::from("/tmp/tokens"))
        );
        let client = builder.build().expect("client");
        assert_eq!(client.base_url(), "https://api.example.com");
    }

    #[test]
    fn the_disk_cache_can_be_disabled() {
        for flag in ["true", "1", "YES"] {
            let builder = ClientBuilder::from_lookup(lookup(&[
                (ENV_CLIENT_ID, "id"),
                (ENV_CLIENT_SECRET, "secret"),
                (ENV_CACHE_DIR, "/tmp/tokens"),
                (ENV_DISK_CACHE_DISABLE, flag),
            ]))
            .expect("builder");
            assert!(matches!(builder.disk_cache, DiskCache::Disabled), "{flag}");
        }
    }

    #[test]
    fn defaults_are_camunda_saas() {
        let builder = ClientBuilder::from_lookup(lookup(&[
            (ENV_CLIENT_ID, "id"),
            (ENV_CLIENT_SECRET, "secret"),
        ]))
        .expect("builder");
        let client = builder.no_disk_cache().build().expect("client");
        assert_eq!(client.base_url(), DEFAULT_BASE_URL);
        let debug = format!("{client:?}");
        assert!(
            debug.contains(DEFAULT_TOKEN_URL) && debug.contains(DEFAULT_AUDIENCE),
            "{debug}"
        );
        assert!(!debug.contains("\"secret\""), "{debug}");
    }

    #[test]
    fn urls_with_a_query_or_a_fragment_are_refused() {
        for url in [
            "https://api.example.com/?x=1",
            "https://api.example.com/#top",
            "https://api.example.com?",
        ] {
            let error = ClientBuilder::new()
                .base_url(url)
                .static_token("t")
                .build()
                .expect_err(url);
            assert!(
                matches!(&error, Error::Config(m) if m.contains("query or a fragment")),
                "{error}"
            );
            let error = ClientBuilder::new()
                .token_url(url)
                .credentials("id", "secret")
                .no_disk_cache()
                .build()
                .expect_err(url);
            assert!(
                matches!(&error, Error::Config(m) if m.contains("token URL")),
                "{error}"
            );
        }
    }

    /// What [`Environment::read`] makes of `vars`, with `passwd` as the
    /// password database's home folder.
    fn read(vars: &[(&str, &str)], passwd: Option<&str>) -> Result<Environment, Error> {
        Environment::read(lookup(vars), || passwd.map(PathBuf::from))
    }

    fn cache_dir(env: &Environment) -> Option<&Path> {
        match &env.disk_cache {
            DiskCache::Dir(dir) => Some(dir),
            _ => None,
        }
    }

    #[test]
    fn values_are_trimmed_and_blank_ones_are_unset() {
        let env = read(
            &[
                (ENV_CLIENT_ID, "  id\n"),
                (ENV_CLIENT_SECRET, "\tsecret "),
                (ENV_BASE_URL, " "),
                (ENV_AUDIENCE, ""),
                (ENV_CACHE_DIR, " "),
                (ENV_HOME, " /home/u "),
            ],
            None,
        )
        .expect("read");
        assert_eq!(env.client_id.as_deref(), Some("id"));
        assert_eq!(
            env.client_secret.as_ref().map(|s| s.expose_secret()),
            Some("secret")
        );
        assert_eq!((&env.base_url, &env.audience), (&None, &None));
        // A blank cache folder is unset: the default, not the path " ".
        assert_eq!(
            cache_dir(&env),
            Some(Path::new("/home/u/.camunda")),
            "{:?}",
            env.disk_cache
        );
        assert!(env.warnings.is_empty(), "{:?}", env.warnings);
    }

    #[test]
    fn without_a_usable_home_the_password_database_names_it() {
        for home in [None, Some(""), Some("  "), Some("relative")] {
            let vars: Vec<(&str, &str)> = home.map(|h| (ENV_HOME, h)).into_iter().collect();
            let env = read(&vars, Some("/var/lib/ci")).expect("read");
            assert_eq!(
                cache_dir(&env),
                Some(Path::new("/var/lib/ci/.camunda")),
                "HOME {home:?}"
            );
            let env = read(&vars, None).expect("read");
            assert!(
                matches!(env.disk_cache, DiskCache::Disabled),
                "HOME {home:?}, no home anywhere: {:?}",
                env.disk_cache
            );
            assert_eq!(env.warnings.len(), 1, "HOME {home:?}: said so");
            // The database's answer must be absolute too.
            let env = read(&vars, Some("")).expect("read");
            assert!(matches!(env.disk_cache, DiskCache::Disabled));
        }
        let env = Environment::read(lookup(&[(ENV_HOME, "/home/u")]), || {
            panic!("the password database is asked only without HOME")
        })
        .expect("read");
        assert_eq!(cache_dir(&env), Some(Path::new("/home/u/.camunda")));
    }

    #[test]
    fn the_alias_names_the_cache_folder_and_ours_wins_with_one_warning() {
        let env = read(&[(ENV_CACHE_DIR_ALIAS, "/a")], None).expect("read");
        assert_eq!(cache_dir(&env), Some(Path::new("/a")));
        assert!(env.warnings.is_empty());
        let env = read(
            &[(ENV_CACHE_DIR, "/ours"), (ENV_CACHE_DIR_ALIAS, " /ours ")],
            None,
        )
        .expect("read");
        assert_eq!(cache_dir(&env), Some(Path::new("/ours")));
        assert!(
            env.warnings.is_empty(),
            "the same folder: {:?}",
            env.warnings
        );
        let env = read(
            &[(ENV_CACHE_DIR, "/ours"), (ENV_CACHE_DIR_ALIAS, "/theirs")],
            None,
        )
        .expect("read");
        assert_eq!(cache_dir(&env), Some(Path::new("/ours")));
        assert_eq!(env.warnings.len(), 1, "{:?}", env.warnings);
        assert!(
            env.warnings[0].contains(ENV_CACHE_DIR)
                && env.warnings[0].contains(ENV_CACHE_DIR_ALIAS),
            "{:?}",
            env.warnings
        );
    }

    #[test]
    fn a_relative_cache_folder_is_refused_naming_its_variable() {
        for name in [ENV_CACHE_DIR, ENV_CACHE_DIR_ALIAS] {
            for dir in ["tokens", "~/.camunda", "./x"] {
                let error = read(&[(name, dir)], Some("/home/u")).expect_err(dir);
                assert!(
                    matches!(&error, Error::Config(m) if m.contains(name) && m.contains("relative")),
                    "{error}"
                );
            }
        }
        // Unless the cache is off: then no folder matters.
        let env = read(
            &[(ENV_CACHE_DIR, "tokens"), (ENV_DISK_CACHE_DISABLE, "true")],
            None,
        )
        .expect("read");
        assert!(matches!(env.disk_cache, DiskCache::Disabled));
        let error = ClientBuilder::new()
            .credentials("id", "secret")
            .cache_dir("tokens")
            .build()
            .expect_err("a relative folder in code");
        assert!(
            matches!(&error, Error::Config(m) if m.contains("relative")),
            "{error}"
        );
    }

    #[test]
    fn one_identity_the_last_one_chosen() {
        let builder = ClientBuilder::new()
            .credentials("id", "secret")
            .without_credentials()
            .static_token("t");
        assert!(matches!(builder.identity, Identity::StaticToken(_)));
        let builder = builder.credentials("id", "secret");
        assert!(matches!(builder.identity, Identity::Credentials(_)));
        assert!(matches!(
            builder.without_credentials().identity,
            Identity::Anonymous
        ));
    }

    #[test]
    fn no_credentials_is_a_configuration_error() {
        assert!(matches!(
            ClientBuilder::new().build(),
            Err(Error::Config(_))
        ));
    }
}
