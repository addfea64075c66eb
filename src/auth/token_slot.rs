//! A token slot: the token of one [`TokenKey`] and client secret, shared by
//! every client of the process that uses both (see `registry.rs`).
//!
//! The slot hands out its token while it is fresh ([`ExpiringCell`]). When
//! it is missing or due, one caller leads a flight (`flight.rs`): it reads
//! the store, takes the store's fetch lease (so that one process of all
//! those sharing the store asks), reads the store again, and only then asks
//! the token service, as its [`TokenPolicy`] allows given what the slot
//! remembers of earlier fetches ([`FetchHistory`]).
//!
//! Time is tokio's clock, so tests run on paused time.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex, PoisonError,
    },
    time::SystemTime,
};

use futures_util::future::BoxFuture;
use reqwest::header::HeaderValue;
use tokio::time::Instant;

pub(crate) use super::flight::{Exchange, FetchContext};
pub(crate) use super::oauth_exchange::{ExchangeError, ReceivedToken};
use super::{
    expiring_cell::{bearer_header, ExpiringCell, HeldToken, Joined, MAX_LIFETIME},
    flight::{Failure, Flight, FlightSlot},
    token_policy::{FetchHistory, FetchMode, TokenPolicy},
    token_store::{StoreKey, StoredToken, TokenStore},
};
use crate::{error::AuthError, retry::timing::instant_after, SecretString};

/// The shared state of one key and secret.
pub(crate) struct TokenSlot {
    key: StoreKey,
    cell: ExpiringCell<FetchHistory>,
    requests: AtomicU64,
    /// The last token the API refused: a store that still holds it is stale.
    rejected: Mutex<Option<SecretString>>,
}

impl TokenSlot {
    pub(crate) fn new(key: StoreKey) -> Self {
        Self {
            key,
            cell: ExpiringCell::default(),
            requests: AtomicU64::new(0),
            rejected: Mutex::new(None),
        }
    }

    /// The key and its derived store name and sealing key.
    pub(crate) fn store_key(&self) -> &StoreKey {
        &self.key
    }

    fn client_id(&self) -> &str {
        &self.key.token_key().client_id
    }

    /// Token requests this slot has sent.
    pub(crate) fn requests_sent(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    pub(crate) fn count_request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    /// The `Authorization` header value for the next request: the cached
    /// one while fresh, else as [`TokenSlot::token`] fetches it.
    pub(crate) async fn header(&self, ctx: &FetchContext<'_>) -> Result<HeaderValue, AuthError> {
        if let Some(header) = self.cell.fresh_header() {
            tracing::trace!(client_id = %self.client_id(), "token cache hit");
            return Ok(header);
        }
        let token = self.token(ctx).await?;
        bearer_header(&token).ok_or_else(|| {
            AuthError::InvalidTokenResponse("the token cannot be sent in a header".into())
        })
    }

    /// Forget `rejected` (the API answered 401 to it), unless a newer token
    /// already replaced it. The store is told on the next fetch, which
    /// skips a stored copy of it.
    pub(crate) fn invalidate(&self, rejected: &SecretString) {
        if self.cell.drop_if(rejected) {
            *self.rejected.lock().unwrap_or_else(PoisonError::into_inner) = Some(rejected.clone());
        }
    }

    /// A token for the next request: the cached one while fresh, else one
    /// flight for all waiting callers. Inside the refresh margin, callers
    /// keep the still-valid token while one of them refreshes.
    pub(crate) async fn token(&self, ctx: &FetchContext<'_>) -> Result<SecretString, AuthError> {
        if let Some(token) = self.cell.fresh() {
            tracing::trace!(client_id = %self.client_id(), "token cache hit");
            return Ok(token);
        }
        let (mut history, after_another) = match self.cell.join().await {
            Joined::Ready(token) => return Ok(token),
            Joined::Lead {
                state: history,
                after_another,
            } => (history, after_another),
        };
        // A flight that failed while this caller waited answers for it too:
        // N callers of a dead service wait for one deadline, not N.
        if let Some(error) = after_another.then(|| history.shared_failure()).flatten() {
            return Err(error);
        }
        if let Some(status) = history.refused_now() {
            return Err(self.refused(status));
        }
        let valid = self.cell.still_valid();
        if let Some(token) = valid.as_ref().filter(|_| history.refresh_deferred()) {
            return Ok(token.clone());
        }
        let mode = match valid {
            Some(_) => FetchMode::OneTry,
            None => FetchMode::UntilDeadline,
        };
        let deadline = instant_after(Instant::now(), ctx.policy.fetch_deadline);
        let outcome = Flight::new(self, ctx, &mut history, mode, deadline)
            .run()
            .await;
        self.cell.landed();
        self.settle(&mut history, outcome, ctx.policy)
    }

    /// What the slot remembers of a flight, and what the caller gets.
    fn settle(
        &self,
        history: &mut FetchHistory,
        outcome: Result<SecretString, Failure>,
        policy: &TokenPolicy,
    ) -> Result<SecretString, AuthError> {
        let (error, not_now) = match outcome {
            Ok(token) => {
                history.succeeded();
                return Ok(token);
            }
            Err(Failure::Refused { status, cooldown }) => {
                history.remember_refusal(status, cooldown);
                let error = self.refused(status);
                history.failed(error.clone());
                return Err(error);
            }
            Err(Failure::RefreshNotNow) => (refresh_not_now(), true),
            Err(Failure::Other(error)) => (error, false),
        };
        // The old token keeps working until it expires; try again later.
        if let Some(token) = self.cell.still_valid() {
            match not_now {
                true => history.refresh_later(policy.min_request_interval),
                false => history.refresh_failed(),
            }
            return Ok(token);
        }
        history.failed(error.clone());
        Err(error)
    }

    pub(crate) fn refused(&self, status: u16) -> AuthError {
        AuthError::InvalidCredentials {
            client_id: self.client_id().to_owned(),
            status,
        }
    }

    /// Take `stored` as the slot's token if it is usable: not the token the
    /// API refused, and not yet due for refresh.
    pub(crate) async fn adopt(
        &self,
        stored: StoredToken,
        policy: &TokenPolicy,
        store: &dyn TokenStore,
    ) -> Option<SecretString> {
        let rejected = self
            .rejected
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .is_some_and(|rejected| rejected == &stored.access_token);
        if rejected {
            store.remove(&self.key).await;
            return None;
        }
        let left = stored
            .expires_at
            .duration_since(SystemTime::now())
            .ok()?
            .min(MAX_LIFETIME);
        let now = Instant::now();
        let held = HeldToken::arriving(stored.access_token, now, left, policy.refresh_margin);
        if !held.is_fresh(now) {
            return None;
        }
        tracing::debug!(client_id = %self.client_id(), "token from the store");
        Some(self.keep(held))
    }

    /// Make `held` the slot's token; returns the token.
    pub(crate) fn keep(&self, held: HeldToken) -> SecretString {
        let token = held.token.clone();
        self.cell.put(held);
        token
    }
}

impl FlightSlot for TokenSlot {
    fn store_key(&self) -> &StoreKey {
        TokenSlot::store_key(self)
    }

    fn count_request(&self) {
        TokenSlot::count_request(self);
    }

    fn adopt<'a>(
        &'a self,
        stored: StoredToken,
        policy: &'a TokenPolicy,
        store: &'a dyn TokenStore,
    ) -> BoxFuture<'a, Option<SecretString>> {
        Box::pin(TokenSlot::adopt(self, stored, policy, store))
    }

    fn keep(&self, held: HeldToken) -> SecretString {
        TokenSlot::keep(self, held)
    }
}

/// A refresh could not go out, and meanwhile the old token expired.
fn refresh_not_now() -> AuthError {
    AuthError::TokenServiceUnavailable {
        reason: "the token could not be refreshed yet (another process is fetching it, or the token service asked to wait)".into(),
        status: None,
    }
}

#[cfg(test)]
#[path = "token_slot_tests.rs"]
mod tests;
