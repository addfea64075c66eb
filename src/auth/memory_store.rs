//! A [`TokenStore`] in memory with a lease, standing in for the processes
//! that share a store in unit tests: a test can hold the lease, write a
//! token or a "not before" time as another process would, and read what
//! the slot wrote.

use std::{
    collections::HashMap,
    sync::{Mutex, PoisonError},
    time::SystemTime,
};

use futures_util::future::BoxFuture;

use super::token_store::{
    Lease, LeaseAttempt, StoreKey, StoredEntry, StoredFailure, StoredToken, TokenStore,
};

#[derive(Debug, Default)]
pub(crate) struct MemoryStore {
    entries: Mutex<HashMap<String, StoredEntry>>,
    /// The owner of the lease: 0 for the slot under test, others for "other processes".
    lease: Mutex<Option<u32>>,
}

impl MemoryStore {
    fn with<T>(&self, key: &StoreKey, f: impl FnOnce(&mut StoredEntry) -> T) -> T {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        f(entries.entry(key.id().to_owned()).or_default())
    }

    pub(crate) fn entry(&self, key: &StoreKey) -> StoredEntry {
        self.with(key, |e| e.clone())
    }

    pub(crate) fn put_token(&self, key: &StoreKey, token: StoredToken) {
        self.with(key, |e| e.token = Some(token));
    }

    pub(crate) fn put_not_before(&self, key: &StoreKey, at: SystemTime) {
        self.with(key, |e| e.not_before = Some(at));
    }

    /// Another process takes (`true`) or gives back (`false`) the lease.
    pub(crate) fn hold_elsewhere(&self, held: bool) {
        *self.lease.lock().unwrap_or_else(PoisonError::into_inner) = held.then_some(1);
    }
}

impl TokenStore for MemoryStore {
    fn load<'a>(&'a self, key: &'a StoreKey) -> BoxFuture<'a, StoredEntry> {
        let entry = self.entry(key);
        Box::pin(async move { entry })
    }

    fn save<'a>(&'a self, key: &'a StoreKey, token: &'a StoredToken) -> BoxFuture<'a, ()> {
        self.put_token(key, token.clone());
        Box::pin(async {})
    }

    fn remove<'a>(&'a self, key: &'a StoreKey) -> BoxFuture<'a, ()> {
        self.with(key, |e| e.token = None);
        Box::pin(async {})
    }

    fn save_failure<'a>(
        &'a self,
        key: &'a StoreKey,
        failure: &'a StoredFailure,
    ) -> BoxFuture<'a, ()> {
        self.with(key, |e| e.refusal = Some(failure.clone()));
        Box::pin(async {})
    }

    fn save_not_before<'a>(&'a self, key: &'a StoreKey, at: SystemTime) -> BoxFuture<'a, ()> {
        self.put_not_before(key, at);
        Box::pin(async {})
    }

    fn try_lease<'a>(&'a self, _key: &'a StoreKey) -> BoxFuture<'a, LeaseAttempt> {
        let mut lease = self.lease.lock().unwrap_or_else(PoisonError::into_inner);
        let attempt = match *lease {
            Some(_) => LeaseAttempt::HeldElsewhere,
            None => {
                *lease = Some(0);
                LeaseAttempt::Acquired(Lease::new(0u32))
            }
        };
        Box::pin(async move { attempt })
    }

    fn release_lease<'a>(&'a self, _key: &'a StoreKey, lease: Lease) -> BoxFuture<'a, ()> {
        let mut held = self.lease.lock().unwrap_or_else(PoisonError::into_inner);
        if *held == lease.held::<u32>().copied() {
            *held = None;
        }
        Box::pin(async {})
    }
}
