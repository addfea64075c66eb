//! A single-flight expiring cell: one token in memory with its refresh and
//! expiry times, and one flight at a time to replace it.
//!
//! Readers take the token while it is fresh without waiting. When it is due,
//! the first caller leads the flight (it holds the flight's state `S`, the
//! slot's policy); the others wait for it and then find the new token:
//! check, lock, re-check. Inside the refresh margin, callers keep the
//! still-valid token while the leader refreshes.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        PoisonError, RwLock,
    },
    time::Duration,
};

use reqwest::header::HeaderValue;
use tokio::{sync::MutexGuard, time::Instant};

use crate::SecretString;

/// No token is trusted to live longer than this, whatever the service or a
/// store says (keeps time arithmetic far from overflow).
pub(crate) const MAX_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);

/// A token in memory, with the times that matter.
#[derive(Clone)]
pub(crate) struct HeldToken {
    pub token: SecretString,
    /// `Bearer <token>`, built once, marked sensitive: cheap to clone per request.
    header: Option<HeaderValue>,
    refresh_at: Instant,
    expires_at: Instant,
}

impl HeldToken {
    /// A token arriving `now` that lives `lifetime`: refreshed `margin`
    /// before its end, but never in its first half (short-lived tokens
    /// would refresh at once).
    pub(crate) fn arriving(
        token: SecretString,
        now: Instant,
        lifetime: Duration,
        margin: Duration,
    ) -> Self {
        let lifetime = lifetime.min(MAX_LIFETIME);
        let refresh_after = lifetime.saturating_sub(margin).max(lifetime / 2);
        Self {
            header: bearer_header(&token),
            token,
            refresh_at: now + refresh_after,
            expires_at: now + lifetime,
        }
    }

    /// Whether it is too early to refresh it.
    pub(crate) fn is_fresh(&self, now: Instant) -> bool {
        now < self.refresh_at
    }

    #[cfg(test)]
    pub(crate) fn refresh_at(&self) -> Instant {
        self.refresh_at
    }
}

/// The `Authorization` value for `token`, or `None` if the token has bytes
/// a header cannot carry.
pub(crate) fn bearer_header(token: &SecretString) -> Option<HeaderValue> {
    let mut value = HeaderValue::try_from(format!("Bearer {}", token.expose_secret())).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// The cell: the current token, and the flight that replaces it.
pub(crate) struct ExpiringCell<S> {
    current: RwLock<Option<HeldToken>>,
    flight: tokio::sync::Mutex<S>,
    /// Flights finished, successful or not: tells a waiting caller whether
    /// a flight completed while it waited.
    landed: AtomicU64,
}

/// What joining the flight gave a caller.
pub(crate) enum Joined<'a, S> {
    /// A usable token, found without leading a flight.
    Ready(SecretString),
    /// This caller leads the next flight, with the flight's state.
    Lead {
        state: MutexGuard<'a, S>,
        /// Another flight landed while this caller waited for its turn.
        after_another: bool,
    },
}

impl<S: Default> Default for ExpiringCell<S> {
    fn default() -> Self {
        Self {
            current: RwLock::new(None),
            flight: tokio::sync::Mutex::new(S::default()),
            landed: AtomicU64::new(0),
        }
    }
}

impl<S> ExpiringCell<S> {
    fn read<T>(&self, pick: impl FnOnce(&HeldToken, Instant) -> Option<T>) -> Option<T> {
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        current.as_ref().and_then(|t| pick(t, Instant::now()))
    }

    /// The token, while it is fresh.
    pub(crate) fn fresh(&self) -> Option<SecretString> {
        self.read(|t, now| t.is_fresh(now).then(|| t.token.clone()))
    }

    /// The prebuilt header of the token, while it is fresh.
    pub(crate) fn fresh_header(&self) -> Option<HeaderValue> {
        self.read(|t, now| t.header.clone().filter(|_| t.is_fresh(now)))
    }

    /// The token, while it has not expired (fresh or due for refresh).
    pub(crate) fn still_valid(&self) -> Option<SecretString> {
        self.read(|t, now| (now < t.expires_at).then(|| t.token.clone()))
    }

    /// Replace the token.
    pub(crate) fn put(&self, token: HeldToken) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(token);
    }

    /// Drop the token if it is `token` (not a newer one). Returns whether it was.
    pub(crate) fn drop_if(&self, token: &SecretString) -> bool {
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        let matches = current.as_ref().is_some_and(|t| &t.token == token);
        if matches {
            *current = None;
        }
        matches
    }

    /// Join the flight: a fresh token (or, while another caller refreshes,
    /// the still-valid one) at once; else the lead once it is this
    /// caller's turn.
    pub(crate) async fn join(&self) -> Joined<'_, S> {
        let seen = self.landed.load(Ordering::Acquire);
        let state = match self.flight.try_lock() {
            Ok(state) => state,
            Err(_) => match self.still_valid() {
                Some(token) => return Joined::Ready(token),
                None => self.flight.lock().await,
            },
        };
        if let Some(token) = self.fresh() {
            return Joined::Ready(token);
        }
        Joined::Lead {
            state,
            after_another: self.landed.load(Ordering::Acquire) != seen,
        }
    }

    /// The flight led by the caller has landed (with or without a token).
    pub(crate) fn landed(&self) {
        self.landed.fetch_add(1, Ordering::Release);
    }
}
