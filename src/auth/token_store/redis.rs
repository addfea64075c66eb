//! [`RedisTokenStore`] (feature `redis`): tokens shared by many machines
//! through one Redis, on redis-rs with tokio.
//!
//! Keys are `<namespace>:<StoreKey::id>:token`, `:refusal`, `:not-before`
//! and `:lease`: they reveal no client id or secret. Values are sealed with
//! the key's AEAD key, so a reader of Redis without the client secret gets
//! nothing usable. Every value expires by itself (a token with the token).
//! The fetch lease is `SET NX PX` with a random owner value, renewed and
//! released only by its owner (small Lua scripts), and expires by itself
//! if its holder dies.
//!
//! Redis is a cache, never a reason for a call to fail: every operation
//! has a timeout (default 250 ms); a failure or timeout makes the store
//! stand aside for a few seconds (one warning per outage), during which
//! clients keep their tokens in memory and fetch without a lease.

use std::{
    sync::{Mutex, PoisonError},
    time::{Duration, SystemTime},
};

use chacha20poly1305::aead::{rand_core::RngCore, OsRng};
use futures_util::future::BoxFuture;
use redis::aio::MultiplexedConnection;
use tokio::time::Instant;

use super::{
    open_stored_token, Lease, LeaseAttempt, StoreKey, StoredEntry, StoredFailure, StoredToken,
    TokenStore, WarnOnce,
};
use crate::Error;

/// How long the store stands aside after Redis failed or was slow.
const STAND_ASIDE: Duration = Duration::from_secs(5);

/// Renew the lease only if this process still owns it.
const RENEW: &str = r"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";
/// Release the lease only if this process still owns it.
const RELEASE: &str = r"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

/// A token store in Redis, for fleets of processes and machines that share
/// one token (see the module documentation of [`crate::auth::token_store`]).
///
/// ```no_run
/// # fn main() -> Result<(), camunda_admin::Error> {
/// use std::sync::Arc;
/// let store = camunda_admin::RedisTokenStore::new("redis://127.0.0.1:6379/")?;
/// let client = camunda_admin::Client::builder()
///     .credentials("id", "secret")
///     .token_store(Arc::new(store))
///     .build()?;
/// # Ok(()) }
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub struct RedisTokenStore {
    client: redis::Client,
    connection: tokio::sync::Mutex<Option<MultiplexedConnection>>,
    namespace: String,
    operation_timeout: Duration,
    lease_lifetime: Duration,
    standing_aside_until: Mutex<Option<Instant>>,
    warned_down: WarnOnce,
    warned_unopenable: WarnOnce,
}

impl std::fmt::Debug for RedisTokenStore {
    // The URL may hold a password: not shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisTokenStore")
            .field("namespace", &self.namespace)
            .field("operation_timeout", &self.operation_timeout)
            .field("lease_lifetime", &self.lease_lifetime)
            .finish_non_exhaustive()
    }
}

/// What a Redis lease holds: the random value that proves ownership.
struct RedisLease {
    owner: String,
}

impl RedisTokenStore {
    /// A store on the Redis at `url` (`redis://[:password@]host:port/db`,
    /// `rediss://` for TLS is not built in). Nothing is connected before
    /// the first use; a malformed URL is a [`Error::Config`].
    pub fn new(url: &str) -> Result<Self, Error> {
        // redis-rs's message may repeat the URL, password included: not used.
        let client = redis::Client::open(url)
            .map_err(|_| {
                Error::Config(
                    "the Redis URL is not a usable redis:// URL (rediss:// needs TLS, which this build does not include)"
                        .into(),
                )
            })?;
        Ok(Self {
            client,
            connection: tokio::sync::Mutex::new(None),
            namespace: "camunda-admin".into(),
            operation_timeout: Duration::from_millis(250),
            lease_lifetime: Duration::from_secs(10),
            standing_aside_until: Mutex::new(None),
            warned_down: WarnOnce::default(),
            warned_unopenable: WarnOnce::default(),
        })
    }

    /// The prefix of every key (default `camunda-admin`).
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// The longest wait for one Redis operation, connecting included
    /// (default 250 ms).
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = timeout;
        self
    }

    /// How long a fetch lease lives if its holder neither renews nor
    /// releases it, as when the holder dies (default 10 s).
    pub fn lease_lifetime(mut self, lifetime: Duration) -> Self {
        self.lease_lifetime = lifetime;
        self
    }

    fn key(&self, key: &StoreKey, part: &str) -> String {
        format!("{}:{}:{part}", self.namespace, key.id())
    }

    /// Run `op` on the shared connection within the timeout; `None` when
    /// Redis failed, was slow, or is being stood aside from.
    async fn run<T>(
        &self,
        op: impl AsyncFnOnce(&mut MultiplexedConnection) -> redis::RedisResult<T>,
    ) -> Option<T> {
        if self.standing_aside() {
            return None;
        }
        let attempt = async {
            let mut connection = self.connection().await?;
            op(&mut connection).await
        };
        match tokio::time::timeout(self.operation_timeout, attempt).await {
            Ok(Ok(value)) => {
                if self.warned_down.reset() {
                    tracing::info!("the Redis token store answers again");
                }
                Some(value)
            }
            Ok(Err(error)) => self.stand_aside(&format!("{:?}", error.kind())),
            Err(_) => self.stand_aside("timed out"),
        }
    }

    async fn connection(&self) -> redis::RedisResult<MultiplexedConnection> {
        let mut slot = self.connection.lock().await;
        if let Some(connection) = slot.as_ref() {
            return Ok(connection.clone());
        }
        let config = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.operation_timeout))
            .set_response_timeout(Some(self.operation_timeout));
        let connection = self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        *slot = Some(connection.clone());
        Ok(connection)
    }

    fn standing_aside(&self) -> bool {
        let until = self
            .standing_aside_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        until.is_some_and(|until| Instant::now() < until)
    }

    fn stand_aside<T>(&self, problem: &str) -> Option<T> {
        *self
            .standing_aside_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(Instant::now() + STAND_ASIDE);
        if let Ok(mut connection) = self.connection.try_lock() {
            // Reconnect next time: the connection may be dead.
            *connection = None;
        }
        if self.warned_down.first() {
            tracing::warn!(
                problem,
                "the Redis token store is unavailable; keeping tokens in memory"
            );
        }
        None
    }

    async fn set_expiring(&self, key: String, blob: Vec<u8>, lives: Duration) {
        let ms = millis(lives);
        if ms == 0 {
            return;
        }
        self.run(async move |c| {
            redis::cmd("SET")
                .arg(&key)
                .arg(blob)
                .arg("PX")
                .arg(ms)
                .query_async::<()>(c)
                .await
        })
        .await;
    }

    async fn owner_script(&self, script: &'static str, key: String, owner: String, ms: u64) {
        self.run(async move |c| {
            redis::Script::new(script)
                .key(&key)
                .arg(&owner)
                .arg(ms)
                .invoke_async::<i64>(c)
                .await
        })
        .await;
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn left_until(at: SystemTime) -> Duration {
    at.duration_since(SystemTime::now()).unwrap_or_default()
}

fn random_owner() -> String {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl TokenStore for RedisTokenStore {
    fn load<'a>(&'a self, key: &'a StoreKey) -> BoxFuture<'a, StoredEntry> {
        Box::pin(async move {
            let names = ["token", "refusal", "not-before"].map(|part| self.key(key, part));
            let blobs = self
                .run(async |c| {
                    redis::cmd("MGET")
                        .arg(&names[..])
                        .query_async::<Vec<Option<Vec<u8>>>>(c)
                        .await
                })
                .await
                .unwrap_or_default();
            let mut entry = StoredEntry::default();
            let mut blobs = blobs.into_iter();
            entry.token = blobs
                .next()
                .flatten()
                .and_then(|b| open_stored_token(key, &b, &self.warned_unopenable, "redis"));
            entry.refusal = blobs.next().flatten().and_then(|b| key.open_failure(&b));
            entry.not_before = blobs.next().flatten().and_then(|b| key.open_not_before(&b));
            entry
        })
    }

    fn save<'a>(&'a self, key: &'a StoreKey, token: &'a StoredToken) -> BoxFuture<'a, ()> {
        let blob = key.seal_token(token);
        Box::pin(self.set_expiring(self.key(key, "token"), blob, left_until(token.expires_at)))
    }

    fn remove<'a>(&'a self, key: &'a StoreKey) -> BoxFuture<'a, ()> {
        let name = self.key(key, "token");
        Box::pin(async move {
            self.run(async |c| redis::cmd("DEL").arg(&name).query_async::<()>(c).await)
                .await;
        })
    }

    fn save_failure<'a>(
        &'a self,
        key: &'a StoreKey,
        failure: &'a StoredFailure,
    ) -> BoxFuture<'a, ()> {
        let blob = key.seal_failure(failure);
        Box::pin(self.set_expiring(self.key(key, "refusal"), blob, left_until(failure.until)))
    }

    fn save_not_before<'a>(&'a self, key: &'a StoreKey, at: SystemTime) -> BoxFuture<'a, ()> {
        let blob = key.seal_not_before(at);
        // Kept a little past its time: a reader then sees it has passed.
        let lives = left_until(at) + Duration::from_secs(1);
        Box::pin(self.set_expiring(self.key(key, "not-before"), blob, lives))
    }

    fn try_lease<'a>(&'a self, key: &'a StoreKey) -> BoxFuture<'a, LeaseAttempt> {
        let name = self.key(key, "lease");
        let owner = random_owner();
        let ms = millis(self.lease_lifetime).max(1);
        Box::pin(async move {
            let reply = self
                .run(async |c| {
                    redis::cmd("SET")
                        .arg(&name)
                        .arg(&owner)
                        .arg("NX")
                        .arg("PX")
                        .arg(ms)
                        .query_async::<Option<String>>(c)
                        .await
                })
                .await;
            match reply {
                Some(Some(_)) => LeaseAttempt::Acquired(Lease::new(RedisLease { owner })),
                Some(None) => LeaseAttempt::HeldElsewhere,
                None => LeaseAttempt::Unavailable,
            }
        })
    }

    fn renew_lease<'a>(
        &'a self,
        key: &'a StoreKey,
        lease: &'a Lease,
        hold_for: Duration,
    ) -> BoxFuture<'a, ()> {
        let Some(held) = lease.held::<RedisLease>() else {
            return Box::pin(async {});
        };
        let ms = millis(hold_for.saturating_add(self.lease_lifetime));
        Box::pin(self.owner_script(RENEW, self.key(key, "lease"), held.owner.clone(), ms))
    }

    fn release_lease<'a>(&'a self, key: &'a StoreKey, lease: Lease) -> BoxFuture<'a, ()> {
        let Some(held) = lease.held::<RedisLease>() else {
            return Box::pin(async {});
        };
        Box::pin(self.owner_script(RELEASE, self.key(key, "lease"), held.owner.clone(), 0))
    }
}
