//! The token cache on tokio's paused clock, with a scripted token service:
//! counts and order of requests, never wall-clock speed.

use std::{
    collections::VecDeque,
    future::Future,
    pin::Pin,
    sync::{Arc, Mutex},
    time::Duration,
};

use super::*;
use crate::auth::memory_store::MemoryStore;
use crate::auth::token_store::{StoredEntry, StoredFailure, TokenKey};

/// A token service that answers from a script and records when it was asked.
#[derive(Default)]
struct ScriptedService {
    answers: Mutex<VecDeque<Result<ReceivedToken, ExchangeError>>>,
    asked_at: Mutex<Vec<Instant>>,
    issued: std::sync::atomic::AtomicU32,
}

impl ScriptedService {
    fn new(answers: Vec<Result<ReceivedToken, ExchangeError>>) -> Arc<Self> {
        Arc::new(Self {
            answers: Mutex::new(answers.into()),
            ..Default::default()
        })
    }

    fn asked(&self) -> Vec<Instant> {
        self.asked_at.lock().expect("lock").clone()
    }
}

impl Exchange for ScriptedService {
    fn exchange<'a>(
        &'a self,
        _key: &'a TokenKey,
    ) -> Pin<Box<dyn Future<Output = Result<ReceivedToken, ExchangeError>> + Send + 'a>> {
        Box::pin(async move {
            self.asked_at.lock().expect("lock").push(Instant::now());
            // A token service takes a moment to answer.
            tokio::time::sleep(Duration::from_millis(50)).await;
            let next = self.answers.lock().expect("lock").pop_front();
            next.unwrap_or_else(|| {
                let n = self
                    .issued
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Ok(token(&format!("token-{n}"), 3600))
            })
        })
    }
}

fn token(value: &str, lifetime_s: u64) -> ReceivedToken {
    ReceivedToken {
        access_token: SecretString::new(value),
        expires_in: Some(Duration::from_secs(lifetime_s)),
    }
}

fn unavailable(status: u16, retry_after_s: Option<u64>) -> ExchangeError {
    ExchangeError::Unavailable {
        status: Some(status),
        retry_after: retry_after_s.map(Duration::from_secs),
        reason: format!("HTTP {status}"),
    }
}

fn key(name: &str) -> TokenKey {
    TokenKey::new(format!("https://login.example/{name}"), "client", "api")
}

fn slot(name: &str, secret: &str) -> Arc<TokenSlot> {
    Arc::new(TokenSlot::new(StoreKey::derive(
        key(name),
        &SecretString::new(secret),
    )))
}

struct Fixture {
    slot: Arc<TokenSlot>,
    service: Arc<ScriptedService>,
    store: Option<Arc<MemoryStore>>,
    policy: TokenPolicy,
}

impl Fixture {
    fn new(name: &str, answers: Vec<Result<ReceivedToken, ExchangeError>>) -> Self {
        Self {
            slot: slot(name, "the-secret"),
            service: ScriptedService::new(answers),
            store: None,
            policy: TokenPolicy::default(),
        }
    }

    /// The same, with a shared store.
    fn with_store(name: &str, answers: Vec<Result<ReceivedToken, ExchangeError>>) -> Self {
        Self {
            store: Some(Arc::new(MemoryStore::default())),
            ..Self::new(name, answers)
        }
    }

    fn store(&self) -> &MemoryStore {
        self.store.as_deref().expect("a fixture with a store")
    }

    /// What the store holds for this fixture's key.
    fn stored(&self) -> StoredEntry {
        self.store().entry(self.slot.store_key())
    }

    /// Another process stores `token`.
    fn put_token(&self, token: StoredToken) {
        self.store().put_token(self.slot.store_key(), token);
    }

    async fn token(&self) -> Result<SecretString, AuthError> {
        let context = FetchContext {
            exchange: self.service.as_ref(),
            store: self.store.as_deref().map(|s| s as &dyn TokenStore),
            policy: &self.policy,
        };
        self.slot.token(&context).await
    }
}

#[tokio::test(start_paused = true)]
async fn a_thousand_concurrent_callers_on_a_cold_cache_make_one_request() {
    let fixture = Arc::new(Fixture::new("cold", vec![]));
    let callers: Vec<_> = (0..1000)
        .map(|_| {
            let fixture = fixture.clone();
            tokio::spawn(async move { fixture.token().await })
        })
        .collect();
    for caller in callers {
        let token = caller.await.expect("task").expect("token");
        assert_eq!(token.expose_secret(), "token-0");
    }
    assert_eq!(fixture.service.asked().len(), 1);
    assert_eq!(fixture.slot.requests_sent(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_token_is_reused_until_the_refresh_margin_then_refreshed_once() {
    let fixture = Fixture::new(
        "refresh",
        vec![Ok(token("first", 3600)), Ok(token("second", 3600))],
    );
    assert_eq!(
        fixture.token().await.expect("token").expose_secret(),
        "first"
    );

    // 54 minutes later (6 minutes before expiry, margin 5): still the first.
    tokio::time::advance(Duration::from_secs(54 * 60)).await;
    assert_eq!(
        fixture.token().await.expect("token").expose_secret(),
        "first"
    );
    assert_eq!(fixture.service.asked().len(), 1);

    // Inside the margin: one refresh.
    tokio::time::advance(Duration::from_secs(2 * 60)).await;
    assert_eq!(
        fixture.token().await.expect("token").expose_secret(),
        "second"
    );
    assert_eq!(
        fixture.token().await.expect("token").expose_secret(),
        "second"
    );
    assert_eq!(fixture.service.asked().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_429_storm_gets_at_most_one_request_per_second_then_succeeds() {
    let storm = (0..6).map(|_| Err(unavailable(429, None))).collect();
    let fixture = Fixture::new("storm", storm);
    let token = fixture.token().await.expect("a token after the storm");
    assert_eq!(token.expose_secret(), "token-0");

    let asked = fixture.service.asked();
    assert_eq!(asked.len(), 7, "six refusals, then the success");
    for pair in asked.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_secs(1),
            "requests {:?} apart",
            pair[1] - pair[0]
        );
    }
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured() {
    let fixture = Fixture::new("retry-after", vec![Err(unavailable(429, Some(7)))]);
    fixture.token().await.expect("token");
    let asked = fixture.service.asked();
    assert_eq!(asked.len(), 2);
    assert!(asked[1] - asked[0] >= Duration::from_secs(7));
}

#[tokio::test(start_paused = true)]
async fn an_unavailable_service_fails_typed_at_the_deadline() {
    let answers = (0..1000).map(|_| Err(unavailable(503, None))).collect();
    let mut fixture = Fixture::new("down", answers);
    fixture.policy.fetch_deadline = Duration::from_secs(20);
    let started = Instant::now();
    let error = fixture.token().await.expect_err("no token");
    assert!(
        matches!(
            error,
            AuthError::TokenServiceUnavailable {
                status: Some(503),
                ..
            }
        ),
        "{error:?}"
    );
    assert!(started.elapsed() <= Duration::from_secs(20));
    let asked = fixture.service.asked().len();
    assert!((2..=20).contains(&asked), "{asked} requests in 20 s");
}

#[tokio::test(start_paused = true)]
async fn refused_credentials_fail_fast_during_the_cooldown() {
    let mut fixture = Fixture::new("refused", vec![Err(ExchangeError::Refused { status: 401 })]);
    fixture.policy.refusal_cooldown = Duration::from_secs(60);

    let first = fixture.token().await.expect_err("refused");
    assert!(
        matches!(first, AuthError::InvalidCredentials { status: 401, .. }),
        "{first:?}"
    );
    for _ in 0..10 {
        let again = fixture.token().await.expect_err("still refused");
        assert!(matches!(again, AuthError::InvalidCredentials { .. }));
    }
    assert_eq!(
        fixture.service.asked().len(),
        1,
        "no request during the cooldown"
    );

    // After the cooldown the service is asked again (and now accepts).
    tokio::time::advance(Duration::from_secs(61)).await;
    fixture.token().await.expect("accepted now");
    assert_eq!(fixture.service.asked().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_corrected_secret_is_tried_at_once() {
    let wrong = Fixture::with_store(
        "corrected",
        vec![Err(ExchangeError::Refused { status: 401 })],
    );
    wrong.token().await.expect_err("refused");
    // Same key and store (another process), the right secret: not refused.
    let right = Fixture {
        slot: slot("corrected", "the-right-secret"),
        ..Fixture::new("corrected", vec![])
    };
    let right = Fixture {
        store: wrong.store.clone(),
        ..right
    };
    right
        .token()
        .await
        .expect("the corrected secret is used without waiting");
    assert_eq!(right.service.asked().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_failed_refresh_keeps_the_old_token_until_it_expires() {
    let answers = vec![Ok(token("old", 600))]
        .into_iter()
        .chain((0..100).map(|_| Err(unavailable(503, None))))
        .collect();
    let mut fixture = Fixture::new("keep-old", answers);
    fixture.policy.fetch_deadline = Duration::from_secs(5);
    fixture.token().await.expect("token");
    // Past the refresh point (half of 600 s), before expiry.
    tokio::time::advance(Duration::from_secs(400)).await;
    assert_eq!(
        fixture
            .token()
            .await
            .expect("old token still valid")
            .expose_secret(),
        "old"
    );
}

#[tokio::test(start_paused = true)]
async fn an_invalidated_token_is_replaced_by_exactly_one_request() {
    let fixture = Fixture::new("invalidate", vec![]);
    let first = fixture.token().await.expect("token");
    fixture.slot.invalidate(&first);
    // A stale invalidation (of a token already replaced) changes nothing.
    let second = fixture.token().await.expect("token");
    fixture.slot.invalidate(&first);
    assert_eq!(fixture.token().await.expect("token"), second);
    assert_ne!(first, second);
    assert_eq!(fixture.service.asked().len(), 2);
}

#[test]
fn short_lived_tokens_refresh_in_their_second_half() {
    let now = Instant::now();
    let t = HeldToken::arriving(
        SecretString::new("t"),
        now,
        Duration::from_secs(60),
        Duration::from_secs(300),
    );
    assert_eq!(t.refresh_at() - now, Duration::from_secs(30));
    let t = HeldToken::arriving(
        SecretString::new("t"),
        now,
        Duration::from_secs(86_400),
        Duration::from_secs(300),
    );
    assert_eq!(t.refresh_at() - now, Duration::from_secs(86_100));
}

#[tokio::test(start_paused = true)]
async fn callers_waiting_on_a_dead_service_share_one_deadline() {
    let answers = (0..1000).map(|_| Err(unavailable(503, None))).collect();
    let mut fixture = Fixture::new("dead-shared", answers);
    fixture.policy.fetch_deadline = Duration::from_secs(20);
    let fixture = Arc::new(fixture);
    let started = Instant::now();
    let callers: Vec<_> = (0..50)
        .map(|_| {
            let fixture = fixture.clone();
            tokio::spawn(async move { fixture.token().await })
        })
        .collect();
    for caller in callers {
        let error = caller.await.expect("task").expect_err("no token");
        assert!(matches!(error, AuthError::TokenServiceUnavailable { .. }));
    }
    assert!(
        started.elapsed() <= Duration::from_secs(21),
        "one deadline for all: {:?}",
        started.elapsed()
    );
    assert!(
        fixture.service.asked().len() <= 20,
        "one paced fetch, not one per caller"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failing_refresh_returns_the_valid_token_at_once_and_backs_off() {
    let answers = vec![Ok(token("old", 600))]
        .into_iter()
        .chain((0..100).map(|_| Err(unavailable(503, None))))
        .collect();
    let fixture = Fixture::new("refresh-fails", answers);
    fixture.token().await.expect("token");
    tokio::time::advance(Duration::from_secs(400)).await;
    let before = Instant::now();
    assert_eq!(fixture.token().await.expect("old").expose_secret(), "old");
    assert!(
        before.elapsed() < Duration::from_secs(1),
        "one attempt, no backoff wait"
    );
    assert_eq!(fixture.service.asked().len(), 2);
    // Right after, callers do not hammer the service.
    for _ in 0..10 {
        fixture.token().await.expect("old");
    }
    assert_eq!(fixture.service.asked().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn callers_keep_the_valid_token_while_one_refreshes() {
    let fixture = Arc::new(Fixture::new(
        "refresh-shared",
        vec![Ok(token("old", 600)), Ok(token("new", 600))],
    ));
    fixture.token().await.expect("token");
    tokio::time::advance(Duration::from_secs(400)).await;
    let refresher = {
        let fixture = fixture.clone();
        tokio::spawn(async move { fixture.token().await })
    };
    // Let the refresher take the lock and start its request.
    tokio::task::yield_now().await;
    tokio::task::yield_now().await;
    assert_eq!(
        fixture.token().await.expect("valid").expose_secret(),
        "old",
        "no wait for the refresh"
    );
    assert_eq!(
        refresher.await.expect("task").expect("new").expose_secret(),
        "new"
    );
    assert_eq!(fixture.token().await.expect("new").expose_secret(), "new");
    assert_eq!(fixture.service.asked().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn absurd_lifetimes_and_retry_afters_do_not_panic() {
    let answers = vec![
        Err(ExchangeError::Unavailable {
            status: Some(429),
            retry_after: Some(Duration::from_secs(u64::MAX)),
            reason: "HTTP 429".into(),
        }),
        Ok(ReceivedToken {
            access_token: SecretString::new("forever"),
            expires_in: Some(Duration::MAX),
        }),
    ];
    let mut fixture = Fixture::new("absurd", answers);
    fixture.policy.fetch_deadline = Duration::MAX;
    fixture.policy.refusal_cooldown = Duration::MAX;
    assert_eq!(
        fixture.token().await.expect("token").expose_secret(),
        "forever"
    );
}

/// Answers 429 with `Retry-After: 1` until `window` has passed since it was
/// made, then a token; records when it was asked.
struct RateLimitedWindow {
    opens_at: Instant,
    asked_at: Mutex<Vec<Instant>>,
}

impl Exchange for RateLimitedWindow {
    fn exchange<'a>(
        &'a self,
        _key: &'a TokenKey,
    ) -> Pin<Box<dyn Future<Output = Result<ReceivedToken, ExchangeError>> + Send + 'a>> {
        Box::pin(async move {
            self.asked_at.lock().expect("lock").push(Instant::now());
            tokio::time::sleep(Duration::from_millis(50)).await;
            if Instant::now() < self.opens_at {
                Err(unavailable(429, Some(1)))
            } else {
                Ok(token("after-the-window", 3600))
            }
        })
    }
}

#[tokio::test(start_paused = true)]
async fn retry_after_one_second_for_five_seconds_succeeds_soon_after_the_window() {
    let started = Instant::now();
    let window = Duration::from_secs(5);
    let service = RateLimitedWindow {
        opens_at: started + window,
        asked_at: Mutex::new(Vec::new()),
    };
    let slot = slot("window", "the-secret");
    let policy = TokenPolicy::default();
    let context = FetchContext {
        exchange: &service,
        store: None,
        policy: &policy,
    };
    let token = slot
        .token(&context)
        .await
        .expect("a token after the window");
    assert_eq!(token.expose_secret(), "after-the-window");
    let done = started.elapsed();
    assert!(done >= window, "{done:?}");
    assert!(
        done <= window + Duration::from_millis(1200),
        "success {:?} after the window closed",
        done - window
    );
    let asked = service.asked_at.lock().expect("lock").clone();
    for pair in asked.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_secs(1),
            "{:?}",
            pair[1] - pair[0]
        );
    }
    assert!(asked.len() <= 7, "{} requests in {done:?}", asked.len());
}

#[tokio::test(start_paused = true)]
async fn a_lifetime_under_the_floor_is_used_as_the_floor() {
    let fixture = Fixture::new("floor", vec![Ok(token("short", 0))]);
    fixture.token().await.expect("token");
    // Half of the 30 s floor later, the token is still served from memory.
    tokio::time::advance(Duration::from_secs(14)).await;
    assert_eq!(
        fixture.token().await.expect("token").expose_secret(),
        "short"
    );
    assert_eq!(fixture.service.asked().len(), 1);
}

fn stored(token: &str, lifetime: Duration) -> StoredToken {
    StoredToken::new(SecretString::new(token), SystemTime::now() + lifetime)
}

#[tokio::test(start_paused = true)]
async fn the_store_is_read_again_before_every_retry() {
    let answers = (0..100).map(|_| Err(unavailable(503, None))).collect();
    let fixture = Arc::new(Fixture::with_store("reread", answers));
    let caller = {
        let fixture = fixture.clone();
        tokio::spawn(async move { fixture.token().await })
    };
    // Two failed attempts, then another process stores a token.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!fixture.service.asked().is_empty());
    fixture.put_token(stored("from-another-process", Duration::from_secs(3600)));
    let token = caller.await.expect("task").expect("the stored token");
    assert_eq!(token.expose_secret(), "from-another-process");
    let asked = fixture.service.asked().len();
    assert!(
        asked <= 2,
        "no request after the store had a token: {asked}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_lease_held_elsewhere_is_waited_for_and_its_token_taken() {
    let fixture = Arc::new(Fixture::with_store("lease-wait", vec![]));
    fixture.store().hold_elsewhere(true);
    let caller = {
        let fixture = fixture.clone();
        tokio::spawn(async move { fixture.token().await })
    };
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(!caller.is_finished(), "waiting for the other process");
    fixture.put_token(stored("theirs", Duration::from_secs(3600)));
    fixture.store().hold_elsewhere(false);
    let token = caller.await.expect("task").expect("their token");
    assert_eq!(token.expose_secret(), "theirs");
    assert!(
        fixture.service.asked().is_empty(),
        "this process asked nobody"
    );
}

#[tokio::test(start_paused = true)]
async fn a_lease_wait_is_bounded_by_the_token_deadline() {
    let mut fixture = Fixture::with_store("lease-deadline", vec![]);
    fixture.policy.fetch_deadline = Duration::from_secs(10);
    fixture.store().hold_elsewhere(true);
    let started = Instant::now();
    let error = fixture.token().await.expect_err("the lease never came");
    assert!(
        matches!(error, AuthError::TokenServiceUnavailable { .. }),
        "{error:?}"
    );
    assert!(started.elapsed() >= Duration::from_secs(10));
    assert!(
        started.elapsed() <= Duration::from_millis(10_100),
        "{:?}",
        started.elapsed()
    );
    assert!(fixture.service.asked().is_empty());
}

#[tokio::test(start_paused = true)]
async fn another_processes_not_before_time_is_honoured() {
    let fixture = Fixture::with_store("not-before", vec![]);
    fixture.store().put_not_before(
        fixture.slot.store_key(),
        SystemTime::now() + Duration::from_secs(5),
    );
    let started = Instant::now();
    fixture.token().await.expect("token");
    let asked = fixture.service.asked();
    assert_eq!(asked.len(), 1);
    assert!(
        asked[0] - started >= Duration::from_secs(5),
        "{:?}",
        asked[0] - started
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_and_each_request_are_shared_as_not_before_times() {
    let fixture = Arc::new(Fixture::with_store(
        "share",
        vec![Err(unavailable(429, Some(8)))],
    ));
    let caller = {
        let fixture = fixture.clone();
        tokio::spawn(async move { fixture.token().await })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    let shared = fixture.stored().not_before.expect("a not-before time");
    let ahead = shared
        .duration_since(SystemTime::now())
        .expect("in the future");
    assert!(
        ahead >= Duration::from_secs(7),
        "Retry-After shared: {ahead:?}"
    );
    caller.await.expect("task").expect("token");
    assert_eq!(fixture.service.asked().len(), 2);
    assert!(fixture.stored().token.is_some(), "the token is stored");
}

#[tokio::test(start_paused = true)]
async fn a_refusal_is_stored_and_a_stored_refusal_stops_another_slot() {
    let first = Fixture::with_store("refusal", vec![Err(ExchangeError::Refused { status: 401 })]);
    first.token().await.expect_err("refused");
    assert_eq!(first.stored().refusal.map(|r| r.status), Some(401));
    let second = Fixture {
        slot: slot("refusal", "the-secret"),
        store: first.store.clone(),
        ..Fixture::new("refusal", vec![])
    };
    let error = second.token().await.expect_err("refused elsewhere");
    assert!(matches!(
        error,
        AuthError::InvalidCredentials { status: 401, .. }
    ));
    assert!(second.service.asked().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_refused_request_and_a_bad_answer_are_not_stored() {
    let fixture = Fixture::with_store(
        "not-stored",
        vec![Err(ExchangeError::RequestRefused {
            status: 400,
            oauth_error: Some("invalid_scope"),
        })],
    );
    let error = fixture.token().await.expect_err("refused request");
    assert!(
        matches!(error, AuthError::TokenRequestRefused { status: 400, .. }),
        "{error:?}"
    );
    assert!(fixture.stored().refusal.is_none());
    assert_eq!(fixture.service.asked().len(), 1, "not retried");
}

#[tokio::test(start_paused = true)]
async fn a_stored_copy_of_a_rejected_token_is_skipped() {
    let fixture = Fixture::with_store(
        "rejected",
        vec![Ok(token("revoked", 3600)), Ok(token("fresh", 3600))],
    );
    let first = fixture.token().await.expect("token");
    assert_eq!(first.expose_secret(), "revoked");
    fixture.slot.invalidate(&first);
    let second = fixture.token().await.expect("token");
    assert_eq!(
        second.expose_secret(),
        "fresh",
        "not the stored revoked token"
    );
    assert_eq!(fixture.service.asked().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_refresh_does_not_wait_for_a_not_before_time_or_a_busy_lease() {
    let fixture = Fixture::with_store("refresh-not-now", vec![Ok(token("old", 600))]);
    fixture.token().await.expect("token");
    tokio::time::advance(Duration::from_secs(400)).await;
    // Paused tokio time leaves the wall clock behind: age the stored copy
    // by hand, as 400 s would have.
    fixture.put_token(StoredToken::new("old".into(), std::time::UNIX_EPOCH));
    // Another process asked the service to wait for 30 s.
    fixture.store().put_not_before(
        fixture.slot.store_key(),
        SystemTime::now() + Duration::from_secs(30),
    );
    let before = Instant::now();
    assert_eq!(fixture.token().await.expect("old").expose_secret(), "old");
    assert_eq!(
        before.elapsed(),
        Duration::ZERO,
        "no wait while the old token works"
    );
    // Later, the wait is over but another process holds the lease.
    tokio::time::advance(Duration::from_secs(2)).await;
    fixture
        .store()
        .put_not_before(fixture.slot.store_key(), std::time::UNIX_EPOCH);
    fixture.store().hold_elsewhere(true);
    let before = Instant::now();
    assert_eq!(fixture.token().await.expect("old").expose_secret(), "old");
    assert_eq!(before.elapsed(), Duration::ZERO);
    assert_eq!(fixture.service.asked().len(), 1);
    // Once the lease is free, the refresh goes out.
    fixture.store().hold_elsewhere(false);
    tokio::time::advance(Duration::from_secs(2)).await;
    assert_eq!(
        fixture.token().await.expect("new").expose_secret(),
        "token-0"
    );
    assert_eq!(fixture.service.asked().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_not_before_time_a_day_ahead_is_capped_at_the_pacing() {
    // Another machine's clock stepped a day ahead when it wrote this.
    let fixture = Fixture::with_store("not-before-a-day-ahead", vec![]);
    fixture.store().put_not_before(
        fixture.slot.store_key(),
        SystemTime::now() + Duration::from_secs(24 * 3600),
    );
    let started = Instant::now();
    fixture
        .token()
        .await
        .expect("a token, not a failure until tomorrow");
    let asked = fixture.service.asked();
    assert_eq!(asked.len(), 1);
    let cap = fixture.policy.pacing_cap();
    assert!(
        asked[0] - started <= cap,
        "asked after {:?}, cap {cap:?}",
        asked[0] - started
    );
}

#[tokio::test(start_paused = true)]
async fn a_refusal_a_day_ahead_is_capped_at_the_cool_down_in_the_store_too() {
    let fixture = Fixture::with_store("refusal-a-day-ahead", vec![]);
    let key = fixture.slot.store_key().clone();
    let far = StoredFailure::new(401, SystemTime::now() + Duration::from_secs(24 * 3600));
    fixture.store().save_failure(&key, &far).await;
    let error = fixture.token().await.expect_err("refused, for now");
    assert!(matches!(
        error,
        AuthError::InvalidCredentials { status: 401, .. }
    ));
    // Every later reader sees the capped time: the refusal ends for all
    // processes one cool-down from now, not tomorrow.
    let until = fixture.stored().refusal.expect("still stored").until;
    let left = until.duration_since(SystemTime::now()).unwrap_or_default();
    assert!(
        left <= fixture.policy.cooldown(),
        "{left:?} left, cool-down {:?}",
        fixture.policy.cooldown()
    );
    assert!(fixture.service.asked().is_empty());
}
