//! The in-memory token cache: one slot per [`TokenKey`], shared by every
//! client of the process with the same token URL, client id and audience.
//!
//! A slot hands out its token while it is fresh. When it is missing or due
//! for refresh, one caller fetches (the others wait on the slot's lock and
//! then find the new token): check, lock, re-check. Behind the slot sits the
//! optional [`TokenStore`] (the disk cache by default).
//!
//! Camunda's token service allows about one request per second per source IP
//! and slows down repeated bad credentials, so a slot:
//! - never sends more than one request per second;
//! - backs off with jitter on 429, 5xx and transport errors, honouring
//!   `Retry-After`, until a total deadline;
//! - remembers refused credentials for a cool-down and fails at once.
//!
//! Time is tokio's clock, so tests run on paused time.

use std::{
    collections::HashMap,
    future::Future,
    pin::Pin,
    sync::{atomic::Ordering, Arc, Mutex, OnceLock, PoisonError, RwLock, Weak},
    time::{Duration, SystemTime},
};

use reqwest::header::HeaderValue;
use tokio::time::Instant;

pub(crate) use super::oauth_exchange::{ExchangeError, ReceivedToken};
use super::token_store::{secret_digest, StoredFailure, StoredToken, TokenKey, TokenStore};
use crate::{
    error::AuthError,
    retry::timing::{self, instant_after},
    SecretString,
};

/// How a slot fetches and keeps tokens.
#[derive(Debug, Clone)]
pub(crate) struct TokenPolicy {
    /// Refresh this long before expiry.
    pub refresh_margin: Duration,
    /// Give up fetching a token after this long.
    pub fetch_deadline: Duration,
    /// Refused credentials fail without a request for this long.
    pub refusal_cooldown: Duration,
    /// The least time between two token requests of one slot.
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

#[derive(Clone)]
struct CachedToken {
    token: SecretString,
    /// `Bearer <token>`, built once, marked sensitive: cheap to clone per request.
    header: Option<HeaderValue>,
    refresh_at: Instant,
    expires_at: Instant,
}

struct Refusal {
    status: u16,
    until: Instant,
    secret_digest: String,
}

#[derive(Default)]
struct FetchState {
    /// When the last answer (or failure) of the token service arrived.
    last_request: Option<Instant>,
    refusal: Option<Refusal>,
    /// The last failed fetch: callers that waited for it share its outcome.
    last_failure: Option<AuthError>,
    /// After a failed refresh of a still-valid token, the next try waits.
    next_refresh: Option<Instant>,
    refresh_failures: u32,
}

/// No token is trusted to live longer than this, whatever the service or a
/// disk file says (keeps time arithmetic far from overflow).
const MAX_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);

/// The shared state of one key and secret.
pub(crate) struct TokenSlot {
    key: TokenKey,
    /// Digest of the client secret: a client with another secret for the
    /// same id gets a slot of its own and never sees this slot's token.
    secret_digest: String,
    current: RwLock<Option<CachedToken>>,
    fetch: tokio::sync::Mutex<FetchState>,
    requests: std::sync::atomic::AtomicU64,
    /// Fetches finished, successful or not: tells a waiting caller whether a
    /// fetch completed while it waited.
    completed_fetches: std::sync::atomic::AtomicU64,
}

/// The slot for `key` and `secret`, shared with every live client of the
/// process that uses both.
pub(crate) fn slot_for(key: &TokenKey, secret: &SecretString) -> Arc<TokenSlot> {
    type Slots = HashMap<(TokenKey, String), Weak<TokenSlot>>;
    static SLOTS: OnceLock<Mutex<Slots>> = OnceLock::new();
    let slots = SLOTS.get_or_init(Default::default);
    let mut slots = slots
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let id = (key.clone(), secret_digest(secret));
    if let Some(slot) = slots.get(&id).and_then(Weak::upgrade) {
        return slot;
    }
    slots.retain(|_, slot| slot.strong_count() > 0);
    let slot = Arc::new(TokenSlot::new(key.clone(), secret));
    slots.insert(id, Arc::downgrade(&slot));
    slot
}

/// One request to the token service (the OAuth exchange; a fake in tests).
pub(crate) trait Exchange: Send + Sync {
    /// Ask for a token for `key`.
    fn exchange<'a>(
        &'a self,
        key: &'a TokenKey,
    ) -> Pin<Box<dyn Future<Output = Result<ReceivedToken, ExchangeError>> + Send + 'a>>;
}

/// Everything a slot needs to fetch a token, owned by a client.
pub(crate) struct TokenSource<'a> {
    pub exchange: &'a dyn Exchange,
    pub secret: &'a SecretString,
    pub store: Option<&'a dyn TokenStore>,
    pub policy: &'a TokenPolicy,
}

impl TokenSlot {
    pub(crate) fn new(key: TokenKey, secret: &SecretString) -> Self {
        Self {
            key,
            secret_digest: secret_digest(secret),
            current: RwLock::new(None),
            fetch: tokio::sync::Mutex::new(FetchState::default()),
            requests: Default::default(),
            completed_fetches: Default::default(),
        }
    }

    /// Token requests this slot has sent.
    pub(crate) fn requests_sent(&self) -> u64 {
        self.requests.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn fresh(&self) -> Option<SecretString> {
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        current
            .as_ref()
            .filter(|t| Instant::now() < t.refresh_at)
            .map(|t| t.token.clone())
    }

    /// The `Authorization` header value for the next request: the cached
    /// one while fresh, else as [`TokenSlot::token`] fetches it.
    pub(crate) async fn header(&self, source: &TokenSource<'_>) -> Result<HeaderValue, AuthError> {
        let fresh = {
            let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
            current
                .as_ref()
                .filter(|t| Instant::now() < t.refresh_at)
                .and_then(|t| t.header.clone())
        };
        if let Some(header) = fresh {
            tracing::trace!(client_id = %self.key.client_id, "token cache hit");
            return Ok(header);
        }
        let token = self.token(source).await?;
        bearer_header(&token).ok_or_else(|| {
            AuthError::InvalidTokenResponse("the token cannot be sent in a header".into())
        })
    }

    fn still_valid(&self) -> Option<SecretString> {
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        current
            .as_ref()
            .filter(|t| Instant::now() < t.expires_at)
            .map(|t| t.token.clone())
    }

    fn keep(&self, token: CachedToken) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(token);
    }

    /// Forget `rejected` (the API answered 401 to it), unless a newer token
    /// already replaced it.
    pub(crate) fn invalidate(&self, rejected: &SecretString, store: Option<&dyn TokenStore>) {
        let dropped = {
            let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
            let matches = current.as_ref().is_some_and(|t| &t.token == rejected);
            if matches {
                *current = None;
            }
            matches
        };
        // The store is user code and may do I/O: never under the lock.
        if let (true, Some(store)) = (dropped, store) {
            store.remove(&self.key);
        }
    }

    /// A token for the next request: the cached one while fresh, else one
    /// fetch for all waiting callers. Inside the refresh margin, callers keep
    /// the still-valid token while one of them refreshes.
    pub(crate) async fn token(&self, source: &TokenSource<'_>) -> Result<SecretString, AuthError> {
        if let Some(token) = self.fresh() {
            tracing::trace!(client_id = %self.key.client_id, "token cache hit");
            return Ok(token);
        }
        let seen = self.completed_fetches.load(Ordering::Acquire);
        let mut state = match self.fetch.try_lock() {
            Ok(state) => state,
            Err(_) => match self.still_valid() {
                Some(token) => return Ok(token),
                None => self.fetch.lock().await,
            },
        };
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        // A fetch that failed while this caller waited answers for it too:
        // N callers of a dead service wait for one deadline, not N.
        if self.completed_fetches.load(Ordering::Acquire) != seen {
            if let Some(error) = &state.last_failure {
                return Err(error.clone());
            }
        }
        let digest = secret_digest(source.secret);
        self.check_refusal(&mut state, source, &digest)?;
        if let Some(token) = self.load_from_store(source) {
            return Ok(token);
        }
        let still_valid = self.still_valid();
        if let Some(token) = &still_valid {
            if state.next_refresh.is_some_and(|at| Instant::now() < at) {
                return Ok(token.clone());
            }
        }
        // Refreshing a token that still works is worth one try, not a wait.
        let patient = still_valid.is_none();
        let outcome = self.fetch_with_backoff(&mut state, source, patient).await;
        self.completed_fetches.fetch_add(1, Ordering::Release);
        match outcome {
            Ok(token) => {
                state.last_failure = None;
                state.next_refresh = None;
                state.refresh_failures = 0;
                Ok(token)
            }
            Err(FetchFailure::Refused(status)) => {
                let cooldown = source.policy.refusal_cooldown.min(MAX_LIFETIME);
                state.refusal = Some(Refusal {
                    status,
                    until: instant_after(Instant::now(), cooldown),
                    secret_digest: digest.clone(),
                });
                if let Some(store) = source.store {
                    store.save_failure(
                        &self.key,
                        &StoredFailure {
                            status,
                            until: SystemTime::now() + cooldown,
                            secret_digest: digest,
                        },
                    );
                }
                let error = self.refused(status);
                state.last_failure = Some(error.clone());
                Err(error)
            }
            Err(FetchFailure::Other(error)) => match self.still_valid() {
                // The old token keeps working until it expires; try again later.
                Some(token) => {
                    state.refresh_failures += 1;
                    state.next_refresh = Some(Instant::now() + backoff(state.refresh_failures));
                    Ok(token)
                }
                None => {
                    state.last_failure = Some(error.clone());
                    Err(error)
                }
            },
        }
    }

    fn refused(&self, status: u16) -> AuthError {
        AuthError::InvalidCredentials {
            client_id: self.key.client_id.clone(),
            status,
        }
    }

    fn check_refusal(
        &self,
        state: &mut FetchState,
        source: &TokenSource<'_>,
        digest: &str,
    ) -> Result<(), AuthError> {
        if let Some(refusal) = &state.refusal {
            if Instant::now() < refusal.until && refusal.secret_digest == digest {
                return Err(self.refused(refusal.status));
            }
            state.refusal = None;
        }
        let stored = source.store.and_then(|s| s.load_failure(&self.key));
        if let Some(failure) = stored {
            if let Ok(left) = failure.until.duration_since(SystemTime::now()) {
                if failure.secret_digest == digest {
                    // A file from another process is trusted up to our own cooldown.
                    let left = left.min(source.policy.refusal_cooldown).min(MAX_LIFETIME);
                    state.refusal = Some(Refusal {
                        status: failure.status,
                        until: instant_after(Instant::now(), left),
                        secret_digest: failure.secret_digest,
                    });
                    tracing::debug!(client_id = %self.key.client_id, "credentials refused recently; not asking again");
                    return Err(self.refused(failure.status));
                }
            }
        }
        Ok(())
    }

    fn load_from_store(&self, source: &TokenSource<'_>) -> Option<SecretString> {
        let stored = source.store?.load(&self.key)?;
        if stored.secret_digest != self.secret_digest {
            // Issued to another secret of the same client id: not ours to use.
            return None;
        }
        let left = stored
            .expires_at
            .duration_since(SystemTime::now())
            .ok()?
            .min(MAX_LIFETIME);
        let now = Instant::now();
        let cached = cached(stored.access_token, now, left, source.policy.refresh_margin);
        if now >= cached.refresh_at {
            return None;
        }
        tracing::debug!(client_id = %self.key.client_id, "token from the disk cache");
        let token = cached.token.clone();
        self.keep(cached);
        Some(token)
    }

    /// Ask the token service, pacing requests and backing off until the
    /// deadline; an impatient caller (refreshing a valid token) asks once.
    async fn fetch_with_backoff(
        &self,
        state: &mut FetchState,
        source: &TokenSource<'_>,
        patient: bool,
    ) -> Result<SecretString, FetchFailure> {
        let deadline = instant_after(Instant::now(), source.policy.fetch_deadline);
        let mut attempt: u32 = 0;
        loop {
            if let Some(last) = state.last_request {
                tokio::time::sleep_until(last + source.policy.min_request_interval).await;
            }
            attempt += 1;
            self.requests
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            tracing::debug!(client_id = %self.key.client_id, attempt, "requesting a token");
            let result = source.exchange.exchange(&self.key).await;
            let arrived = Instant::now();
            // Paced from the answer: a slow first request (connect, TLS) must
            // not let the next one reach the service within the second.
            state.last_request = Some(arrived);
            match result {
                Ok(ReceivedToken {
                    access_token,
                    expires_in,
                }) => {
                    let lifetime = usable_lifetime(expires_in, source.policy.default_lifetime);
                    let token = cached(
                        access_token,
                        arrived,
                        lifetime,
                        source.policy.refresh_margin,
                    );
                    if let Some(store) = source.store {
                        store.save(
                            &self.key,
                            &StoredToken {
                                access_token: token.token.clone(),
                                expires_at: SystemTime::now() + lifetime,
                                secret_digest: self.secret_digest.clone(),
                            },
                        );
                    }
                    let secret = token.token.clone();
                    self.keep(token);
                    tracing::debug!(client_id = %self.key.client_id, lifetime_s = lifetime.as_secs(), "token received");
                    return Ok(secret);
                }
                Err(ExchangeError::Refused { status }) => {
                    tracing::warn!(client_id = %self.key.client_id, status, "the token service refused the credentials");
                    return Err(FetchFailure::Refused(status));
                }
                Err(ExchangeError::Invalid(reason)) => {
                    return Err(FetchFailure::Other(AuthError::InvalidTokenResponse(reason)));
                }
                Err(ExchangeError::RequestRefused {
                    status,
                    oauth_error,
                }) => {
                    tracing::warn!(client_id = %self.key.client_id, status, oauth_error, "the token service refused the token request");
                    return Err(FetchFailure::Other(AuthError::TokenRequestRefused {
                        status,
                        oauth_error,
                    }));
                }
                Err(ExchangeError::TooLarge { limit }) => {
                    return Err(FetchFailure::Other(AuthError::TokenResponseTooLarge {
                        limit,
                    }));
                }
                Err(ExchangeError::Unavailable {
                    status,
                    retry_after,
                    reason,
                }) => {
                    let pause = timing::pause_before_retry(retry_after, || backoff(attempt));
                    tracing::debug!(client_id = %self.key.client_id, ?status, pause_ms = pause.as_millis() as u64, "token service unavailable; backing off");
                    if !patient || Instant::now() + pause > deadline {
                        return Err(FetchFailure::Other(AuthError::TokenServiceUnavailable {
                            reason,
                            status,
                        }));
                    }
                    tokio::time::sleep(pause).await;
                }
            }
        }
    }
}

enum FetchFailure {
    Refused(u16),
    Other(AuthError),
}

/// A token arriving `now` that lives `lifetime`: refresh `margin` before its
/// end, but never in its first half (short-lived tokens would refresh at once).
fn cached(token: SecretString, now: Instant, lifetime: Duration, margin: Duration) -> CachedToken {
    let lifetime = lifetime.min(MAX_LIFETIME);
    let refresh_after = lifetime.saturating_sub(margin).max(lifetime / 2);
    CachedToken {
        header: bearer_header(&token),
        token,
        refresh_at: now + refresh_after,
        expires_at: now + lifetime,
    }
}

/// The shortest lifetime a token is used for: a service that states less
/// (even 0) must not turn every call into a token request.
pub(crate) const MIN_LIFETIME: Duration = Duration::from_secs(30);

/// The lifetime to plan with for a token the service says lives `stated`.
fn usable_lifetime(stated: Option<Duration>, default: Duration) -> Duration {
    let lifetime = stated.unwrap_or(default).min(MAX_LIFETIME);
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

/// The `Authorization` value for `token`, or `None` if the token has bytes
/// a header cannot carry.
pub(crate) fn bearer_header(token: &SecretString) -> Option<HeaderValue> {
    let mut value = HeaderValue::try_from(format!("Bearer {}", token.expose_secret())).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// The crate's own pause between token requests: from 1 s, doubling, at
/// most 10 s, with jitter.
fn backoff(attempt: u32) -> Duration {
    timing::backoff(attempt, Duration::from_secs(1), Duration::from_secs(10))
}

#[cfg(test)]
#[path = "token_cache_tests.rs"]
mod tests;
