//! Coordination that degrades one level at a time: a store that reports
//! itself unavailable (Redis down or too slow) has the client's disk store
//! under it, and memory only is the last level.
//!
//! Reads and leases go to the upper store while it is available, else to
//! the lower one; writes go to both, so that the processes of a machine
//! find in the lower store what they last knew when the upper one goes
//! away. A lease is given back to the level that lent it.

use std::{sync::Arc, time::Duration, time::SystemTime};

use futures_util::future::BoxFuture;

use super::{
    DiskTokenStore, Lease, LeaseAttempt, StoreKey, StoredEntry, StoredFailure, StoredToken,
    TokenStore,
};

/// The store a client uses: `upper` (the store it was given) over `disk`
/// (the disk store it would use without one; none when disk caching is
/// off), or whichever of them there is.
pub(crate) fn layered(
    upper: Option<Arc<dyn TokenStore>>,
    disk: Option<DiskTokenStore>,
) -> Option<Arc<dyn TokenStore>> {
    match (upper, disk) {
        (Some(upper), Some(disk)) => Some(Arc::new(Layered {
            upper,
            lower: Arc::new(disk),
        })),
        (Some(upper), None) => Some(upper),
        (None, Some(disk)) => Some(Arc::new(disk)),
        (None, None) => None,
    }
}

/// Two levels of coordination.
#[derive(Debug)]
pub(crate) struct Layered {
    pub(crate) upper: Arc<dyn TokenStore>,
    pub(crate) lower: Arc<dyn TokenStore>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Upper,
    Lower,
}

/// A lease of one level.
struct LevelLease {
    level: Level,
    lease: Lease,
}

fn wrap(level: Level, attempt: LeaseAttempt) -> LeaseAttempt {
    match attempt {
        LeaseAttempt::Acquired(lease) => {
            LeaseAttempt::Acquired(Lease::new(LevelLease { level, lease }))
        }
        other => other,
    }
}

impl Layered {
    fn store(&self, level: Level) -> &dyn TokenStore {
        match level {
            Level::Upper => &*self.upper,
            Level::Lower => &*self.lower,
        }
    }

    fn active(&self) -> &dyn TokenStore {
        if self.upper.is_available() {
            &*self.upper
        } else {
            &*self.lower
        }
    }
}

impl TokenStore for Layered {
    fn load<'a>(&'a self, key: &'a StoreKey) -> BoxFuture<'a, StoredEntry> {
        Box::pin(async move {
            let entry = self.upper.load(key).await;
            match self.upper.is_available() {
                true => entry,
                false => self.lower.load(key).await,
            }
        })
    }

    fn save<'a>(&'a self, key: &'a StoreKey, token: &'a StoredToken) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            self.upper.save(key, token).await;
            self.lower.save(key, token).await;
        })
    }

    fn remove<'a>(&'a self, key: &'a StoreKey) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            self.upper.remove(key).await;
            self.lower.remove(key).await;
        })
    }

    fn save_failure<'a>(
        &'a self,
        key: &'a StoreKey,
        failure: &'a StoredFailure,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            self.upper.save_failure(key, failure).await;
            self.lower.save_failure(key, failure).await;
        })
    }

    fn save_not_before<'a>(&'a self, key: &'a StoreKey, at: SystemTime) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            self.upper.save_not_before(key, at).await;
            self.lower.save_not_before(key, at).await;
        })
    }

    fn try_lease<'a>(&'a self, key: &'a StoreKey) -> BoxFuture<'a, LeaseAttempt> {
        Box::pin(async move {
            match self.upper.try_lease(key).await {
                LeaseAttempt::Unavailable if !self.upper.is_available() => {
                    wrap(Level::Lower, self.lower.try_lease(key).await)
                }
                other => wrap(Level::Upper, other),
            }
        })
    }

    fn wait_for_lease<'a>(&'a self, key: &'a StoreKey, at_most: Duration) -> BoxFuture<'a, ()> {
        self.active().wait_for_lease(key, at_most)
    }

    fn renew_lease<'a>(
        &'a self,
        key: &'a StoreKey,
        lease: &'a Lease,
        hold_for: Duration,
    ) -> BoxFuture<'a, ()> {
        match lease.held::<LevelLease>() {
            Some(held) => self
                .store(held.level)
                .renew_lease(key, &held.lease, hold_for),
            None => Box::pin(async {}),
        }
    }

    fn release_lease<'a>(&'a self, key: &'a StoreKey, lease: Lease) -> BoxFuture<'a, ()> {
        match lease.into_held::<LevelLease>() {
            Some(held) => self.store(held.level).release_lease(key, held.lease),
            None => Box::pin(async {}),
        }
    }

    fn is_available(&self) -> bool {
        self.upper.is_available() || self.lower.is_available()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};

    use super::*;
    use crate::{auth::memory_store::MemoryStore, SecretString};

    /// A store that can be switched off, as Redis goes down.
    #[derive(Debug, Default)]
    struct Switchable {
        inner: MemoryStore,
        down: AtomicBool,
    }

    impl TokenStore for Switchable {
        fn load<'a>(&'a self, key: &'a StoreKey) -> BoxFuture<'a, StoredEntry> {
            match self.down.load(Ordering::Relaxed) {
                true => Box::pin(async { StoredEntry::default() }),
                false => self.inner.load(key),
            }
        }
        fn save<'a>(&'a self, key: &'a StoreKey, token: &'a StoredToken) -> BoxFuture<'a, ()> {
            match self.down.load(Ordering::Relaxed) {
                true => Box::pin(async {}),
                false => self.inner.save(key, token),
            }
        }
        fn remove<'a>(&'a self, key: &'a StoreKey) -> BoxFuture<'a, ()> {
            self.inner.remove(key)
        }
        fn try_lease<'a>(&'a self, key: &'a StoreKey) -> BoxFuture<'a, LeaseAttempt> {
            match self.down.load(Ordering::Relaxed) {
                true => Box::pin(async { LeaseAttempt::Unavailable }),
                false => self.inner.try_lease(key),
            }
        }
        fn release_lease<'a>(&'a self, key: &'a StoreKey, lease: Lease) -> BoxFuture<'a, ()> {
            self.inner.release_lease(key, lease)
        }
        fn is_available(&self) -> bool {
            !self.down.load(Ordering::Relaxed)
        }
    }

    fn key() -> StoreKey {
        StoreKey::derive(
            super::super::TokenKey::new("https://login.example/t", "layered", "api"),
            &SecretString::new("secret"),
        )
    }

    fn token(value: &str) -> StoredToken {
        StoredToken::new(
            SecretString::new(value),
            SystemTime::now() + Duration::from_secs(3600),
        )
    }

    #[tokio::test]
    async fn the_lower_level_serves_while_the_upper_is_down_and_not_after() {
        let upper = Arc::new(Switchable::default());
        let lower = Arc::new(MemoryStore::default());
        let store = Layered {
            upper: upper.clone(),
            lower: lower.clone(),
        };
        let key = key();
        // Written through while Redis is up: the disk knows the token.
        store.save(&key, &token("while-up")).await;
        assert!(lower.entry(&key).token.is_some(), "written to both levels");
        upper.down.store(true, Ordering::Relaxed);
        let entry = store.load(&key).await;
        assert_eq!(
            entry.token.expect("from the lower level").access_token,
            SecretString::new("while-up")
        );
        // The lease comes from the lower level, and goes back to it.
        let LeaseAttempt::Acquired(lease) = store.try_lease(&key).await else {
            panic!("the lower level lends its lease");
        };
        assert!(matches!(
            lower.try_lease(&key).await,
            LeaseAttempt::HeldElsewhere
        ));
        store.release_lease(&key, lease).await;
        let LeaseAttempt::Acquired(again) = lower.try_lease(&key).await else {
            panic!("released to the level that lent it");
        };
        lower.release_lease(&key, again).await;
        // Up again: the upper level answers.
        upper.down.store(false, Ordering::Relaxed);
        upper.inner.put_token(&key, token("upper-again"));
        let entry = store.load(&key).await;
        assert_eq!(
            entry.token.expect("from the upper level").access_token,
            SecretString::new("upper-again")
        );
        assert!(matches!(
            store.try_lease(&key).await,
            LeaseAttempt::Acquired(_)
        ));
    }
}
