//! [`RedisTokenStore`] (feature `redis`): tokens shared by many machines
//! through one Redis, on redis-rs with tokio.
//!
//! Keys are `<namespace>:v1:<StoreKey::id>:token`, `:refusal`,
//! `:not-before` and `:lease`: they reveal no client id or secret, and the
//! format version keeps two releases apart. Values are sealed with the
//! key's AEAD key, so a reader of Redis without the client secret gets
//! nothing usable. Every value expires by itself (a token with the token).
//! Reads check a value's type and length before reading it (a script):
//! a value of another type or beyond the size cap is deleted unread, one
//! that does not open is deleted if it is still there.
//!
//! The fetch lease is `SET NX PX` with a random owner value, renewed and
//! released only by its owner (small Lua scripts), and expires by itself
//! if its holder dies. A lease that cannot be ours (no TTL, another type,
//! not an owner value, or a TTL beyond any lease this version grants) is
//! stale and replaced.
//!
//! Redis is a cache, never a reason for a call to fail: every operation
//! has a timeout (default 250 ms); a failure or timeout makes the store
//! stand aside for a few seconds and report itself unavailable, during
//! which the client uses the level under it (the disk store, else memory).

use std::{
    sync::{Mutex, PoisonError},
    time::{Duration, SystemTime},
};

use chacha20poly1305::aead::{rand_core::RngCore, OsRng};
use futures_util::future::BoxFuture;
use redis::aio::MultiplexedConnection;
use tokio::time::Instant;

use super::{
    open_entry,
    warnings::{fallback_warn, Cause},
    Flag, Lease, LeaseAttempt, Part, StoreKey, StoredEntry, StoredFailure, StoredToken, TokenStore,
    FORMAT_VERSION, MAX_BLOB_BYTES,
};
use crate::Error;

/// How long the store stands aside after Redis failed or was slow.
const STAND_ASIDE: Duration = Duration::from_secs(5);

/// Renew the lease only if this process still owns it.
const RENEW: &str = r"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";
/// Release the lease only if this process still owns it.
const RELEASE: &str = r"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";
/// Delete a value only if it is still the junk that was read.
const DELETE_IF_SAME: &str = RELEASE;
/// Read the values of KEYS whose type and length are sound; delete the
/// others unread (ARGV[1]: the size cap), answering `{type}` for them.
/// False for a missing value.
const LOAD: &str = r"
local out = {}
for i, key in ipairs(KEYS) do
  local kind = redis.call('TYPE', key)['ok']
  out[i] = false
  if kind == 'string' and redis.call('STRLEN', key) <= tonumber(ARGV[1]) then
    out[i] = redis.call('GET', key)
  elseif kind ~= 'none' then
    redis.call('DEL', key)
    out[i] = {kind}
  end
end
return out";
/// Take the lease (ARGV[1] the owner, ARGV[2] its lifetime in ms). A lease
/// held by an owner value with a TTL up to ARGV[3] ms is respected; any
/// other (no TTL, another type, junk, a TTL no lease of ours gets) is
/// replaced. Returns 1 (taken), 2 (taken over a stale one), 0 (held).
const TAKE_LEASE: &str = r"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
local kind = redis.call('TYPE', KEYS[1])['ok']
if kind == 'string' then
  local ttl = redis.call('PTTL', KEYS[1])
  local owner = redis.call('GET', KEYS[1])
  if ttl >= 0 and ttl <= tonumber(ARGV[3]) and string.len(owner) == 32 and not string.find(owner, '[^0-9a-f]') then
    return 0
  end
end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 2";

/// The longest a holder renews its lease for (it backs off while holding
/// it); a lease with more time left than this plus the lifetime was not
/// set by this version: stale.
const MAX_RENEWAL: Duration = Duration::from_secs(60);

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
    down: Flag,
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
    /// the first use; a malformed URL is a [`Error::Config`] that says what
    /// is wrong with it and never shows its password.
    pub fn new(url: &str) -> Result<Self, Error> {
        let client = open_client(url)
            .map_err(|problem| Error::Config(format!("the Redis URL is not usable: {problem}")))?;
        Ok(Self {
            client,
            connection: tokio::sync::Mutex::new(None),
            namespace: "camunda-admin".into(),
            operation_timeout: Duration::from_millis(250),
            lease_lifetime: Duration::from_secs(10),
            standing_aside_until: Mutex::new(None),
            down: Flag::default(),
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
        format!("{}:{FORMAT_VERSION}:{}:{part}", self.namespace, key.id())
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
                if self.down.clear() {
                    tracing::info!(target: super::FALLBACK_TARGET, "the Redis token store answers again; coordinating through it");
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
        if self.down.set() {
            fallback_warn!(
                Cause::RedisDown,
                problem,
                "the Redis token store is unavailable; coordinating through the disk store of this machine (else memory) until it answers"
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
            let names = Part::ALL.map(|part| self.key(key, part.name()));
            let values = self
                .run(async |c| {
                    redis::Script::new(LOAD)
                        .key(&names[..])
                        .arg(MAX_BLOB_BYTES)
                        .invoke_async::<Vec<redis::Value>>(c)
                        .await
                })
                .await
                .unwrap_or_default();
            let mut blobs: [Option<Vec<u8>>; 3] = Default::default();
            for ((part, blob), value) in Part::ALL.iter().zip(&mut blobs).zip(values) {
                match value {
                    redis::Value::BulkString(bytes) => *blob = Some(bytes),
                    redis::Value::Array(_) => {
                        fallback_warn!(Cause::Oversized, part = part.name(), "a Redis token store value of another type or beyond the size cap; deleted unread");
                    }
                    _ => {}
                }
            }
            let (entry, junk) = open_entry(key, blobs, "redis");
            for (part, blob) in junk {
                let name = self.key(key, part.name());
                self.run(async move |c| {
                    redis::Script::new(DELETE_IF_SAME)
                        .key(&name)
                        .arg(blob)
                        .invoke_async::<i64>(c)
                        .await
                })
                .await;
            }
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
        let longest = millis(self.lease_lifetime.saturating_add(MAX_RENEWAL));
        Box::pin(async move {
            let reply = self
                .run(async |c| {
                    redis::Script::new(TAKE_LEASE)
                        .key(&name)
                        .arg(&owner)
                        .arg(ms)
                        .arg(longest)
                        .invoke_async::<i64>(c)
                        .await
                })
                .await;
            match reply {
                Some(2) => {
                    fallback_warn!(Cause::StaleLease, "the Redis fetch lease was stale (no TTL, another type or not an owner value); replaced");
                    LeaseAttempt::Acquired(Lease::new(RedisLease { owner }))
                }
                Some(1) => LeaseAttempt::Acquired(Lease::new(RedisLease { owner })),
                Some(_) => LeaseAttempt::HeldElsewhere,
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
        let ms = millis(
            hold_for
                .min(MAX_RENEWAL)
                .saturating_add(self.lease_lifetime),
        );
        Box::pin(self.owner_script(RENEW, self.key(key, "lease"), held.owner.clone(), ms))
    }

    fn release_lease<'a>(&'a self, key: &'a StoreKey, lease: Lease) -> BoxFuture<'a, ()> {
        let Some(held) = lease.held::<RedisLease>() else {
            return Box::pin(async {});
        };
        Box::pin(self.owner_script(RELEASE, self.key(key, "lease"), held.owner.clone(), 0))
    }

    fn is_available(&self) -> bool {
        !self.standing_aside()
    }
}

/// A client for `url`, or what is wrong with the URL, without its password.
fn open_client(url: &str) -> Result<redis::Client, String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("{e}"))?;
    match parsed.scheme() {
        "redis" | "valkey" | "unix" | "redis+unix" | "valkey+unix" => {}
        "rediss" | "valkeys" => {
            return Err(format!(
                "the scheme {}:// needs TLS, which this build does not include",
                parsed.scheme()
            ))
        }
        other => return Err(format!("the scheme {other:?} is not redis://")),
    }
    redis::Client::open(parsed.clone()).map_err(|e| {
        let mut message = e.to_string();
        // redis-rs names the parts it rejects; a password is never one,
        // but make sure.
        if let Some(password) = parsed.password().filter(|p| !p.is_empty()) {
            message = message.replace(password, "***");
        }
        message
    })
}
