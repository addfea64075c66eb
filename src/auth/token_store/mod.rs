//! Where tokens outlive a process and are shared beyond it: the async
//! [`TokenStore`] trait, its default [`DiskTokenStore`] (a folder) and,
//! with the feature `redis`, `RedisTokenStore`.
//!
//! A store keeps, per [`StoreKey`], the token, a refusal of the credentials
//! (so that a second process with the same wrong secret fails at once) and
//! a "not before" time (when the token service may next be asked), all
//! sealed with the key's [`StoreKey`] helpers. A store may also lend a
//! fetch lease, so that of all processes sharing it one asks the token
//! service and the others wait for its token.
//!
//! Stores never fail loudly: what cannot be read is a miss, what cannot be
//! written is dropped, a lease that cannot be had is
//! [`LeaseAttempt::Unavailable`] (the caller proceeds unlocked).

mod disk;
#[cfg(feature = "redis")]
mod redis;
mod sealing;

use std::{
    any::Any,
    sync::atomic::{AtomicBool, Ordering},
    time::{Duration, SystemTime},
};

use futures_util::future::BoxFuture;

pub use disk::DiskTokenStore;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use redis::RedisTokenStore;
pub use sealing::StoreKey;

use crate::SecretString;

/// What identifies a token: the token service, the client and the audience.
/// The secret is not part of it (see [`StoreKey`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TokenKey {
    /// The token endpoint URL.
    pub token_url: String,
    /// The OAuth client id.
    pub client_id: String,
    /// The audience the token is for.
    pub audience: String,
}

impl TokenKey {
    /// The key of tokens from `token_url` for `client_id` and `audience`.
    pub fn new(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        audience: impl Into<String>,
    ) -> Self {
        Self {
            token_url: token_url.into(),
            client_id: client_id.into(),
            audience: audience.into(),
        }
    }
}

/// A token with its wall-clock expiry, as stores keep it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StoredToken {
    /// The access token.
    pub access_token: SecretString,
    /// When the token service said it expires.
    pub expires_at: SystemTime,
}

impl StoredToken {
    /// A token that expires at `expires_at`.
    pub fn new(access_token: SecretString, expires_at: SystemTime) -> Self {
        Self {
            access_token,
            expires_at,
        }
    }
}

/// Credentials the token service refused, remembered until `until`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredFailure {
    /// The status of the refusal (400 or 401).
    pub status: u16,
    /// Until when to fail without asking.
    pub until: SystemTime,
}

impl StoredFailure {
    /// A refusal with `status`, remembered until `until`.
    pub fn new(status: u16, until: SystemTime) -> Self {
        Self { status, until }
    }
}

/// Everything a store holds for one key, read in one go.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct StoredEntry {
    /// The token, if one is stored.
    pub token: Option<StoredToken>,
    /// A remembered refusal of the credentials, if any.
    pub refusal: Option<StoredFailure>,
    /// No token request before this time (the token service's
    /// `Retry-After`, or one second after the last request).
    pub not_before: Option<SystemTime>,
}

/// A fetch lease held by this process. Dropping it releases what the
/// store's own mechanism releases (a disk lock closes with its file); pass
/// it to [`TokenStore::release_lease`] to release it at once.
pub struct Lease {
    held: Box<dyn Any + Send + Sync>,
}

impl Lease {
    /// A lease holding `held` (a locked file, an owner value).
    pub fn new(held: impl Any + Send + Sync) -> Self {
        Self {
            held: Box::new(held),
        }
    }

    /// What the store put into the lease, if it is a `T`.
    pub fn held<T: Any>(&self) -> Option<&T> {
        self.held.downcast_ref()
    }
}

impl std::fmt::Debug for Lease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lease")
    }
}

/// The answer to [`TokenStore::try_lease`].
#[derive(Debug)]
#[non_exhaustive]
pub enum LeaseAttempt {
    /// This process holds the lease: it alone asks the token service.
    Acquired(Lease),
    /// Another process holds it: wait, then look for its token.
    HeldElsewhere,
    /// The store cannot lend leases (none supported, a read-only folder, a
    /// store that is down): proceed without.
    Unavailable,
}

/// A second-level token cache shared beyond one process.
///
/// The default is [`DiskTokenStore`]. A fleet behind one IP address can
/// share tokens through `RedisTokenStore` (feature `redis`) or a store of
/// its own. Methods return boxed futures so that the trait stays usable as
/// `dyn TokenStore`; blocking I/O belongs in `tokio::task::spawn_blocking`.
/// Implementations must not fail loudly: a store that cannot read or write
/// simply misses. Keep what is stored sealed with the [`StoreKey`] helpers:
/// a blob that does not open is a miss.
pub trait TokenStore: Send + Sync + std::fmt::Debug {
    /// Everything stored for `key`.
    fn load<'a>(&'a self, key: &'a StoreKey) -> BoxFuture<'a, StoredEntry>;
    /// Keep `token` for `key`.
    fn save<'a>(&'a self, key: &'a StoreKey, token: &'a StoredToken) -> BoxFuture<'a, ()>;
    /// Forget the token of `key` (the API refused it).
    fn remove<'a>(&'a self, key: &'a StoreKey) -> BoxFuture<'a, ()>;
    /// Remember a refusal of the credentials of `key`.
    fn save_failure<'a>(
        &'a self,
        _key: &'a StoreKey,
        _failure: &'a StoredFailure,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
    /// No process sharing the store asks for `key`'s token before `at`.
    fn save_not_before<'a>(&'a self, _key: &'a StoreKey, _at: SystemTime) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
    /// Try to take the fetch lease of `key`, without waiting.
    fn try_lease<'a>(&'a self, _key: &'a StoreKey) -> BoxFuture<'a, LeaseAttempt> {
        Box::pin(async { LeaseAttempt::Unavailable })
    }
    /// Wait until the lease of `key` may have changed hands, at most
    /// `at_most`. The default polls: it sleeps 50 ms on tokio's clock.
    fn wait_for_lease<'a>(&'a self, _key: &'a StoreKey, at_most: Duration) -> BoxFuture<'a, ()> {
        Box::pin(tokio::time::sleep(at_most.min(Duration::from_millis(50))))
    }
    /// The holder will keep `lease` for about `hold_for` more (it backs
    /// off): a lease that expires by itself should last that long.
    fn renew_lease<'a>(
        &'a self,
        _key: &'a StoreKey,
        _lease: &'a Lease,
        _hold_for: Duration,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
    /// Give `lease` back.
    fn release_lease<'a>(&'a self, _key: &'a StoreKey, lease: Lease) -> BoxFuture<'a, ()> {
        drop(lease);
        Box::pin(async {})
    }
}

/// A problem reported once per store, not once per call (a lease wait
/// reads the store every few milliseconds).
#[derive(Debug, Default)]
pub(crate) struct WarnOnce(AtomicBool);

impl WarnOnce {
    /// True the first time only.
    pub(crate) fn first(&self) -> bool {
        !self.0.swap(true, Ordering::Relaxed)
    }

    /// Report the problem again next time (it went away).
    #[cfg_attr(not(feature = "redis"), allow(dead_code))] // the Redis store's recovery
    pub(crate) fn reset(&self) -> bool {
        self.0.swap(false, Ordering::Relaxed)
    }
}

/// The token sealed in `blob`, or a miss, with one warning per store when
/// stored tokens do not open (another secret wrote them, or they were
/// tampered with).
pub(crate) fn open_stored_token(
    key: &StoreKey,
    blob: &[u8],
    warned: &WarnOnce,
    place: &'static str,
) -> Option<StoredToken> {
    let token = key.open_token(blob);
    if token.is_none() && warned.first() {
        tracing::warn!(
            place,
            "a stored token does not open with this client's secret; ignored"
        );
    }
    token
}
