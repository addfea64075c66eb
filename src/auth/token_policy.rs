//! The policy of a token slot: how often the token service may be asked,
//! how long refused credentials are remembered, how refreshes back off.
//!
//! Camunda's token service allows about one request per second per source
//! IP and slows down repeated bad credentials, so a slot:
//! - never sends more than one request per second, counted from the last
//!   answer (a slow first request must not let the next one in early);
//! - backs off on 429, 5xx and transport errors, coming back at the
//!   server's `Retry-After` when it gives one, until a total deadline;
//! - remembers refused credentials for a cool-down and fails at once.
//!
//! [`TokenPolicy`] is the configuration, [`FetchHistory`] what one slot
//! keeps under its flight lock. Time arithmetic is `retry::timing`'s.

use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use super::expiring_cell::MAX_LIFETIME;
use crate::{
    error::AuthError,
    retry::timing::{self, instant_after},
};

/// How a slot fetches and keeps tokens.
#[derive(Debug, Clone)]
pub(crate) struct TokenPolicy {
    /// Refresh this long before expiry.
    pub refresh_margin: Duration,
    /// Give up fetching a token after this long (lease waits included).
    pub fetch_deadline: Duration,
    /// Refused credentials fail without a request for this long.
    pub refusal_cooldown: Duration,
    /// The least time between two token requests of one key.
    pub min_request_interval: Duration,
    /// Lifetime assumed when the service states none.
    pub default_lifetime: Duration,
}

impl Default for TokenPolicy {
    fn default() -> Self {
        Self {
            refresh_margin: Duration::from_secs(5 * 60),
            fetch_deadline: Duration::from_secs(60),
            refusal_cooldown: Duration::from_secs(60),
            min_request_interval: Duration::from_secs(1),
            default_lifetime: Duration::from_secs(5 * 60),
        }
    }
}

/// The shortest lifetime a token is used for: a service that states less
/// (even 0) must not turn every call into a token request.
pub(crate) const MIN_LIFETIME: Duration = Duration::from_secs(30);

impl TokenPolicy {
    /// The lifetime to plan with for a token the service says lives `stated`.
    pub(crate) fn usable_lifetime(&self, stated: Option<Duration>) -> Duration {
        let lifetime = stated.unwrap_or(self.default_lifetime).min(MAX_LIFETIME);
        if lifetime < MIN_LIFETIME {
            tracing::warn!(
                stated_s = lifetime.as_secs(),
                used_s = MIN_LIFETIME.as_secs(),
                "the token service stated a very short token lifetime; using the floor"
            );
            return MIN_LIFETIME;
        }
        lifetime
    }

    /// The cool-down after a refusal, bounded for time arithmetic.
    pub(crate) fn cooldown(&self) -> Duration {
        self.refusal_cooldown.min(MAX_LIFETIME)
    }

    /// The longest this slot's own pacing keeps the token service unasked
    /// (the interval with a request in flight, or the longest backoff): a
    /// stored "not before" time further ahead is capped at it.
    pub(crate) fn pacing_cap(&self) -> Duration {
        self.min_request_interval
            .saturating_add(IN_FLIGHT)
            .max(MAX_BACKOFF)
            .min(MAX_LIFETIME)
    }
}

/// The slack a request in flight adds to the interval before the next one
/// (a loaded machine may take a while to put it on the wire).
pub(crate) const IN_FLIGHT: Duration = Duration::from_secs(1);
/// The longest pause of the crate's own backoff.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// How hard a fetch tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FetchMode {
    /// No usable token: keep trying until the deadline.
    UntilDeadline,
    /// A still-valid token is being refreshed: one try, no waiting.
    OneTry,
}

/// What one slot remembers between fetches.
#[derive(Default)]
pub(crate) struct FetchHistory {
    /// When the last answer (or failure) of the token service arrived.
    last_answer: Option<Instant>,
    /// The "not before" time this slot last wrote to the store: read back,
    /// it is our own pacing, not another process's.
    own_not_before: Option<SystemTime>,
    refused: Option<(u16, Instant)>,
    /// The last failed fetch: callers that waited for it share its outcome.
    last_failure: Option<AuthError>,
    /// After a failed refresh of a still-valid token, the next try waits.
    refresh_retry_at: Option<Instant>,
    refresh_failures: u32,
}

impl FetchHistory {
    /// The status of a refusal still in its cool-down.
    pub(crate) fn refused_now(&mut self) -> Option<u16> {
        match self.refused {
            Some((status, until)) if Instant::now() < until => Some(status),
            _ => {
                self.refused = None;
                None
            }
        }
    }

    /// Remember a refusal for `cooldown` (from now).
    pub(crate) fn remember_refusal(&mut self, status: u16, cooldown: Duration) {
        self.refused = Some((status, instant_after(Instant::now(), cooldown)));
    }

    /// The failure of the flight that landed while a caller waited.
    pub(crate) fn shared_failure(&self) -> Option<AuthError> {
        self.last_failure.clone()
    }

    /// Whether the refresh of a still-valid token should wait.
    pub(crate) fn refresh_deferred(&self) -> bool {
        self.refresh_retry_at.is_some_and(|at| Instant::now() < at)
    }

    /// The earliest time of the next request: `interval` after the last
    /// answer, and not before `not_before`.
    pub(crate) fn next_request_at(
        &self,
        interval: Duration,
        not_before: Option<Instant>,
    ) -> Instant {
        let paced = self.last_answer.map(|at| instant_after(at, interval));
        [paced, not_before]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or_else(Instant::now)
    }

    /// An answer (or a failure) of the token service arrived now.
    pub(crate) fn answered(&mut self) {
        self.last_answer = Some(Instant::now());
    }

    /// Whether `at`, read from the store, is a time this slot wrote itself.
    pub(crate) fn is_own_not_before(&self, at: SystemTime) -> bool {
        self.own_not_before.is_some_and(|own| {
            own.duration_since(at).unwrap_or_else(|e| e.duration()) < Duration::from_millis(1)
        })
    }

    /// This slot writes `at` as the shared "not before" time.
    pub(crate) fn wrote_not_before(&mut self, at: SystemTime) {
        self.own_not_before = Some(at);
    }

    /// A fetch gave a token.
    pub(crate) fn succeeded(&mut self) {
        self.last_failure = None;
        self.refresh_retry_at = None;
        self.refresh_failures = 0;
    }

    /// A fetch failed with `error` and no token is left.
    pub(crate) fn failed(&mut self, error: AuthError) {
        self.last_failure = Some(error);
    }

    /// A refresh failed while the old token still works: try again later.
    pub(crate) fn refresh_failed(&mut self) {
        self.refresh_failures = self.refresh_failures.saturating_add(1);
        self.refresh_retry_at = Some(instant_after(
            Instant::now(),
            backoff(self.refresh_failures),
        ));
    }

    /// The refresh could not go out now: look again in a moment.
    pub(crate) fn refresh_later(&mut self, interval: Duration) {
        self.refresh_retry_at = Some(instant_after(Instant::now(), interval));
    }
}

/// The crate's own pause between token requests: from 1 s, doubling, at
/// most 10 s, with jitter.
pub(crate) fn backoff(attempt: u32) -> Duration {
    timing::backoff(attempt, Duration::from_secs(1), MAX_BACKOFF)
}
