//! One flight of a token slot: from "no usable token" to a token or a
//! typed failure, coordinated with every process that shares the store.
//!
//! 1. Read the store: another process's token is taken, its refusal of the
//!    same secret ends the flight, its "not before" time is kept.
//! 2. Take the store's fetch lease (waiting, bounded by the deadline, and
//!    reading the store again after each wait), then read the store once
//!    more under the lease.
//! 3. Ask the token service, paced, backing off on "unavailable" until the
//!    deadline; before each request and after each failed answer, write the
//!    time before which nobody may ask again; read the store before every
//!    retry. The lease is kept through the whole backoff.

use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use futures_util::future::BoxFuture;

use super::{
    expiring_cell::HeldToken,
    oauth_exchange::{ExchangeError, ReceivedToken},
    token_policy::{backoff, FetchHistory, FetchMode, TokenPolicy, IN_FLIGHT},
    token_store::{
        warnings::{fallback_warn, Cause},
        Lease, LeaseAttempt, StoreKey, StoredFailure, StoredToken, TokenKey, TokenStore,
    },
};
use crate::{
    error::AuthError,
    retry::timing::{instant_after, pause_before_retry, MAX_RETRY_AFTER},
    SecretString,
};

/// One request to the token service (the OAuth exchange; a fake in tests).
pub(crate) trait Exchange: Send + Sync {
    /// Ask for a token for `key`.
    fn exchange<'a>(
        &'a self,
        key: &'a TokenKey,
    ) -> BoxFuture<'a, Result<ReceivedToken, ExchangeError>>;
}

/// What a client brings to a fetch: its exchange, its store, its policy.
/// Clients sharing a slot may differ in all three.
pub(crate) struct FetchContext<'a> {
    pub exchange: &'a dyn Exchange,
    pub store: Option<&'a dyn TokenStore>,
    pub policy: &'a TokenPolicy,
}

/// What a flight needs of the slot it fetches for (the slot implements
/// it; the flight never names the slot's type).
pub(crate) trait FlightSlot: Sync {
    /// The key the slot's tokens are stored under.
    fn store_key(&self) -> &StoreKey;
    /// Count one request to the token service.
    fn count_request(&self);
    /// Take a token another process stored, if it is usable.
    fn adopt<'a>(
        &'a self,
        stored: StoredToken,
        policy: &'a TokenPolicy,
        store: &'a dyn TokenStore,
    ) -> BoxFuture<'a, Option<SecretString>>;
    /// Keep a token just received; returns it.
    fn keep(&self, held: HeldToken) -> SecretString;
}

/// Why a flight ended without a token.
pub(crate) enum Failure {
    /// The credentials were refused (here or, per the store, elsewhere).
    Refused { status: u16, cooldown: Duration },
    /// A refresh could not go out now: another process holds the lease,
    /// or the token service may not be asked yet.
    RefreshNotNow,
    /// Anything else, as the caller will see it.
    Other(AuthError),
}

/// How the lease step ended.
enum Leased {
    Held(Lease),
    /// The store lends no lease: ask without.
    Unlocked,
    /// While waiting, another process's token appeared in the store.
    Found(SecretString),
}

pub(crate) struct Flight<'f, 'c> {
    slot: &'f dyn FlightSlot,
    ctx: &'f FetchContext<'c>,
    history: &'f mut FetchHistory,
    mode: FetchMode,
    deadline: Instant,
    /// Another process's "not before" time, as last read from the store.
    not_before: Option<Instant>,
    /// The last "unavailable" answer, for the error at the deadline.
    last_status: Option<u16>,
}

impl<'f, 'c> Flight<'f, 'c> {
    pub(crate) fn new(
        slot: &'f dyn FlightSlot,
        ctx: &'f FetchContext<'c>,
        history: &'f mut FetchHistory,
        mode: FetchMode,
        deadline: Instant,
    ) -> Self {
        Self {
            slot,
            ctx,
            history,
            mode,
            deadline,
            not_before: None,
            last_status: None,
        }
    }

    pub(crate) async fn run(mut self) -> Result<SecretString, Failure> {
        if let Some(token) = self.consult_store().await? {
            return Ok(token);
        }
        let lease = match self.lease().await? {
            Leased::Found(token) => return Ok(token),
            Leased::Held(lease) => Some(lease),
            Leased::Unlocked => None,
        };
        let result = match self.consult_store().await {
            Ok(Some(token)) => Ok(token),
            Ok(None) => self.ask_until_done(lease.as_ref()).await,
            Err(failure) => Err(failure),
        };
        if let (Some(store), Some(lease)) = (self.ctx.store, lease) {
            store.release_lease(self.slot.store_key(), lease).await;
        }
        result
    }

    /// Read the store: a usable token is taken, a refusal of this secret
    /// ends the flight, another process's "not before" time is kept.
    /// Another process's word is trusted up to our own cool-down and
    /// pacing: a time further ahead (a clock step elsewhere) is capped, in
    /// the store too, so that it ends for everyone.
    async fn consult_store(&mut self) -> Result<Option<SecretString>, Failure> {
        let Some(store) = self.ctx.store else {
            return Ok(None);
        };
        let key = self.slot.store_key();
        let entry = store.load(key).await;
        if let Some(refusal) = entry.refusal {
            if let Ok(left) = refusal.until.duration_since(SystemTime::now()) {
                tracing::debug!(client_id = %self.client_id(), "credentials refused recently; not asking again");
                let cooldown = self.ctx.policy.cooldown();
                if left > cooldown.saturating_add(CLOCK_SLACK) {
                    fallback_warn!(Cause::FarAhead, client_id = %self.client_id(), ahead_s = left.as_secs(), cap_s = cooldown.as_secs(), "a stored refusal lies further ahead than this client's cool-down (a clock step?); capped");
                    let capped = StoredFailure::new(refusal.status, after_now(cooldown));
                    store.save_failure(key, &capped).await;
                }
                return Err(Failure::Refused {
                    status: refusal.status,
                    cooldown: left.min(cooldown),
                });
            }
        }
        if let Some(at) = entry
            .not_before
            .filter(|at| !self.history.is_own_not_before(*at))
        {
            let cap = self.ctx.policy.pacing_cap();
            self.not_before = match at.duration_since(SystemTime::now()) {
                Ok(left) if left > cap.saturating_add(CLOCK_SLACK) => {
                    fallback_warn!(Cause::FarAhead, client_id = %self.client_id(), ahead_s = left.as_secs(), cap_s = cap.as_secs(), "a stored \"not before\" time lies further ahead than this client's pacing (a clock step?); capped");
                    store.save_not_before(key, after_now(cap)).await;
                    Some(instant_after(Instant::now(), cap))
                }
                Ok(left) => Some(instant_after(Instant::now(), left.min(MAX_RETRY_AFTER))),
                Err(_) => None,
            };
        }
        match entry.token {
            Some(token) => Ok(self.slot.adopt(token, self.ctx.policy, store).await),
            None => Ok(None),
        }
    }

    /// Take the fetch lease; while another process holds it, wait and look
    /// for its token, until the deadline.
    async fn lease(&mut self) -> Result<Leased, Failure> {
        let Some(store) = self.ctx.store else {
            return Ok(Leased::Unlocked);
        };
        loop {
            match store.try_lease(self.slot.store_key()).await {
                LeaseAttempt::Acquired(lease) => return Ok(Leased::Held(lease)),
                LeaseAttempt::HeldElsewhere => {}
                _ => return Ok(Leased::Unlocked),
            }
            if self.mode == FetchMode::OneTry {
                return Err(Failure::RefreshNotNow);
            }
            let left = self.deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Failure::Other(AuthError::TokenServiceUnavailable {
                    reason: "another process held the token lease until the deadline".into(),
                    status: None,
                }));
            }
            store.wait_for_lease(self.slot.store_key(), left).await;
            if let Some(token) = self.consult_store().await? {
                return Ok(Leased::Found(token));
            }
        }
    }

    /// Ask the token service until a token, a final answer or the deadline.
    async fn ask_until_done(&mut self, lease: Option<&Lease>) -> Result<SecretString, Failure> {
        let mut attempt: u32 = 0;
        loop {
            self.wait_for_turn(lease).await?;
            attempt = attempt.saturating_add(1);
            let (status, retry_after, reason) = match self.ask(attempt).await {
                Ok(received) => return Ok(self.received(received).await),
                Err(ExchangeError::Unavailable {
                    status,
                    retry_after,
                    reason,
                }) => (status, retry_after, reason),
                Err(other) => {
                    self.share_not_before(self.ctx.policy.min_request_interval)
                        .await;
                    return Err(self.final_answer(other).await);
                }
            };
            self.last_status = status;
            let pause = pause_before_retry(retry_after, || backoff(attempt));
            tracing::debug!(client_id = %self.client_id(), ?status, pause_ms = pause.as_millis() as u64, "token service unavailable; backing off");
            self.share_not_before(pause.max(self.ctx.policy.min_request_interval))
                .await;
            if self.mode == FetchMode::OneTry || Instant::now() + pause > self.deadline {
                return Err(Failure::Other(AuthError::TokenServiceUnavailable {
                    reason,
                    status,
                }));
            }
            if let (Some(store), Some(lease)) = (self.ctx.store, lease) {
                store.renew_lease(self.slot.store_key(), lease, pause).await;
            }
            tokio::time::sleep(pause).await;
            if let Some(token) = self.consult_store().await? {
                return Ok(token);
            }
        }
    }

    /// Sleep until this slot may ask (pacing and the shared "not before"),
    /// or fail if that is past the deadline; a refresh does not sleep. The
    /// lease is renewed for the sleep, so that waiters do not take it over.
    async fn wait_for_turn(&mut self, lease: Option<&Lease>) -> Result<(), Failure> {
        let at = self
            .history
            .next_request_at(self.ctx.policy.min_request_interval, self.not_before);
        // A caller with a valid token does not wait for a refresh.
        if self.mode == FetchMode::OneTry && at > Instant::now() {
            return Err(Failure::RefreshNotNow);
        }
        if at > self.deadline {
            return Err(Failure::Other(AuthError::TokenServiceUnavailable {
                reason: "the token service may not be asked again before the deadline".into(),
                status: self.last_status,
            }));
        }
        let wait = at.saturating_duration_since(Instant::now());
        if !wait.is_zero() {
            tracing::debug!(client_id = %self.client_id(), wait_ms = wait.as_millis() as u64, "waiting for the next allowed token request");
            if let (Some(store), Some(lease)) = (self.ctx.store, lease) {
                store.renew_lease(self.slot.store_key(), lease, wait).await;
            }
        }
        tokio::time::sleep_until(at).await;
        Ok(())
    }

    /// One token request. Before it goes out, processes sharing the store
    /// learn not to ask within the next interval, even if this one dies
    /// before its answer; a loaded machine may take a while to put the
    /// request on the wire, hence the slack. Every answer then sets the
    /// shared time from its own arrival.
    async fn ask(&mut self, attempt: u32) -> Result<ReceivedToken, ExchangeError> {
        let interval = self.ctx.policy.min_request_interval;
        self.share_not_before(interval.saturating_add(IN_FLIGHT))
            .await;
        self.slot.count_request();
        tracing::debug!(client_id = %self.client_id(), attempt, "requesting a token");
        let result = self
            .ctx
            .exchange
            .exchange(self.slot.store_key().token_key())
            .await;
        // Paced from the answer: a slow first request (connect, TLS) must
        // not let the next one reach the service within the interval.
        self.history.answered();
        result
    }

    async fn share_not_before(&mut self, after: Duration) {
        let Some(store) = self.ctx.store else {
            return;
        };
        let at = after_now(after);
        self.history.wrote_not_before(at);
        store.save_not_before(self.slot.store_key(), at).await;
    }

    /// Keep and store a token that just arrived.
    async fn received(&mut self, received: ReceivedToken) -> SecretString {
        let policy = self.ctx.policy;
        let lifetime = policy.usable_lifetime(received.expires_in);
        let held = HeldToken::arriving(
            received.access_token,
            Instant::now(),
            lifetime,
            policy.refresh_margin,
        );
        if let Some(store) = self.ctx.store {
            let expires_at = SystemTime::now()
                .checked_add(lifetime)
                .unwrap_or_else(SystemTime::now);
            let stored = StoredToken::new(held.token.clone(), expires_at);
            store.save(self.slot.store_key(), &stored).await;
        }
        tracing::debug!(client_id = %self.client_id(), lifetime_s = lifetime.as_secs(), "token received");
        self.slot.keep(held)
    }

    /// A final answer other than a token: a refusal is remembered (in the
    /// store too), anything else fails as it is.
    async fn final_answer(&mut self, error: ExchangeError) -> Failure {
        match error {
            ExchangeError::Refused { status } => {
                tracing::warn!(client_id = %self.client_id(), status, "the token service refused the credentials");
                let cooldown = self.ctx.policy.cooldown();
                if let Some(store) = self.ctx.store {
                    let until = SystemTime::now()
                        .checked_add(cooldown)
                        .unwrap_or_else(SystemTime::now);
                    let failure = StoredFailure::new(status, until);
                    store.save_failure(self.slot.store_key(), &failure).await;
                }
                Failure::Refused { status, cooldown }
            }
            other => Failure::Other(auth_error(other, self.client_id())),
        }
    }

    fn client_id(&self) -> &str {
        &self.slot.store_key().token_key().client_id
    }
}

/// Differences between machines' clocks that are not worth a warning.
const CLOCK_SLACK: Duration = Duration::from_secs(2);

/// The wall-clock time `after` from now (now, if that overflows).
fn after_now(after: Duration) -> SystemTime {
    SystemTime::now()
        .checked_add(after)
        .unwrap_or_else(SystemTime::now)
}

/// The error a caller sees for an answer that ends a flight.
fn auth_error(error: ExchangeError, client_id: &str) -> AuthError {
    match error {
        ExchangeError::RequestRefused {
            status,
            oauth_error,
        } => {
            tracing::warn!(
                client_id,
                status,
                oauth_error,
                "the token service refused the token request"
            );
            AuthError::TokenRequestRefused {
                status,
                oauth_error,
            }
        }
        ExchangeError::TooLarge { limit } => AuthError::TokenResponseTooLarge { limit },
        ExchangeError::Invalid(reason) => AuthError::InvalidTokenResponse(reason),
        ExchangeError::Refused { status } => AuthError::InvalidCredentials {
            client_id: client_id.to_owned(),
            status,
        },
        ExchangeError::Unavailable { status, reason, .. } => {
            AuthError::TokenServiceUnavailable { reason, status }
        }
    }
}
