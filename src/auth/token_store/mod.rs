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
//! Stores never fail loudly: what cannot be read is a miss (and junk is
//! removed), what cannot be written is dropped, a lease that cannot be had
//! is [`LeaseAttempt::Unavailable`]. A store that is down says so
//! ([`TokenStore::is_available`]); the client then coordinates through the
//! level under it (`layered.rs`: the disk store, else memory only).
//!
//! Names carry [`FORMAT_VERSION`], so two releases sharing a store (a
//! rolling upgrade) leave each other's entries alone.

mod disk;
pub(crate) mod layered;
#[cfg(feature = "redis")]
mod redis;
mod sealing;
pub(crate) mod warnings;

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
pub use warnings::FALLBACK_TARGET;

/// The format version in every file name and key the stores write
/// (`camunda-admin-v1-<id>.token`, `camunda-admin:v1:<id>:token`).
pub const FORMAT_VERSION: &str = "v1";

/// The largest blob a store reads back; a larger one is junk (a sealed
/// token is well under 4 KiB).
pub(crate) const MAX_BLOB_BYTES: u64 = 64 * 1024;

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

    /// What the store put into the lease, taken out, if it is a `T`.
    pub fn into_held<T: Any>(self) -> Option<T> {
        self.held.downcast().ok().map(|held| *held)
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
    /// Whether the store works right now. A store whose last operation
    /// failed or timed out answers `false` until it works again; the client
    /// then reads from, and takes its lease in, the level under it (its
    /// disk store, else memory only), and comes back when this answers
    /// `true`. Writes go to both levels meanwhile. The default: always.
    fn is_available(&self) -> bool {
        true
    }
}

/// A state that flips, reported when it does (Redis going down and
/// coming back), not on every call.
#[derive(Debug, Default)]
pub(crate) struct Flag(AtomicBool);

impl Flag {
    /// Set it; true if it was not set.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))] // the Redis store's outages
    pub(crate) fn set(&self) -> bool {
        !self.0.swap(true, Ordering::Relaxed)
    }

    /// Clear it; true if it was set.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn clear(&self) -> bool {
        self.0.swap(false, Ordering::Relaxed)
    }
}

/// Which entry of a key a blob is, for names and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Token,
    Refusal,
    NotBefore,
}

impl Part {
    pub(crate) const ALL: [Part; 3] = [Part::Token, Part::Refusal, Part::NotBefore];

    /// The suffix of its file and key.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Part::Token => "token",
            Part::Refusal => "refusal",
            Part::NotBefore => "not-before",
        }
    }
}

/// Opens the blobs read for `key` into an entry; the parts whose blob did
/// not open are returned too (junk of this version: the store removes
/// them), with one warning per process.
pub(crate) fn open_entry(
    key: &StoreKey,
    blobs: [Option<Vec<u8>>; 3],
    place: &'static str,
) -> (StoredEntry, Vec<(Part, Vec<u8>)>) {
    let mut entry = StoredEntry::default();
    let mut junk = Vec::new();
    for (part, blob) in Part::ALL.into_iter().zip(blobs) {
        let Some(blob) = blob else { continue };
        let opened = match part {
            Part::Token => key.open_token(&blob).map(|t| entry.token = Some(t)),
            Part::Refusal => key.open_failure(&blob).map(|f| entry.refusal = Some(f)),
            Part::NotBefore => key
                .open_not_before(&blob)
                .map(|at| entry.not_before = Some(at)),
        };
        if opened.is_none() {
            warnings::fallback_warn!(
                warnings::Cause::Unreadable,
                place,
                part = part.name(),
                "unreadable or tampered entry in the token store (it does not open with this client's key); removed"
            );
            junk.push((part, blob));
        }
    }
    (entry, junk)
}
