//! When a failed API call is sent again: one rule, asked by the pipeline
//! before every resend and by [`crate::Error::is_retryable`], so the two
//! never disagree.
//!
//! - A refused connection or a 429 is resent for any method: the server
//!   provably did not act on the request (after a 429, wait for its
//!   `Retry-After`).
//! - GET, PUT and DELETE are also resent on 408, 502, 503 and 504 and on
//!   connections lost or timed out mid-request: sending them twice does no
//!   harm.
//! - POST and PATCH are resent on nothing else, because the server may have
//!   acted. Where the document calls a status "try again" for a create,
//!   a read decides first: a `CreateCluster` answered 503 is resent only if
//!   no cluster of that name was created since the call began; a
//!   `CreateSecret` answered 409 only if the secret's name is not taken.
//!   The other documented statuses (412 on `GetClient`, 409 on updating or
//!   deleting a secret) are resent as they are. These per-operation facts
//!   live in the operation table ([`crate::operation::Resend`]).
//!
//! How often and how long is [`RetryPolicy`]'s business. Pauses follow the
//! server's `Retry-After` (plus at most 10 % jitter), else its backoff.

pub(crate) mod timing;

use std::time::Duration;

use crate::operation::Operation;

/// Bounds on resending failed API calls. The default resends up to 3 times
/// within 60 seconds, pausing from 0.5 s up to 10 s (a server's
/// `Retry-After` is honoured up to the deadline); [`RetryPolicy::disabled`]
/// never resends.
///
/// Whatever the settings, two attempts of one call are at least 50 ms apart
/// and no pause is longer than an hour; a pause that would end past the
/// deadline is not taken (the call fails then, with the last answer). So the
/// deadline bounds the attempts, at most one per 50 ms, however many
/// retries are allowed.
///
/// ```
/// use std::time::Duration;
/// let policy = camunda_admin::RetryPolicy::default()
///     .with_max_retries(5)
///     .with_deadline(Duration::from_secs(120));
/// assert_eq!(policy.max_retries(), 5);
/// // Backoff below the floor is read as the floor.
/// let eager = policy.with_backoff(Duration::ZERO, Duration::ZERO);
/// assert_eq!(eager.initial_backoff(), Duration::from_millis(50));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    max_retries: u32,
    deadline: Duration,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            deadline: Duration::from_secs(60),
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// Never resend.
    pub fn disabled() -> Self {
        Self::default().with_max_retries(0)
    }

    /// Resend at most this many times after the first attempt.
    pub fn with_max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Start no resend later than this after the first attempt.
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The first pause; later pauses double, up to `max`. Both are kept
    /// between 50 ms and an hour (see the type's documentation).
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        let bounded = |pause: Duration| pause.clamp(timing::MIN_PAUSE, timing::MAX_RETRY_AFTER);
        self.initial_backoff = bounded(initial);
        self.max_backoff = bounded(max).max(self.initial_backoff);
        self
    }

    /// Resends after the first attempt, at most.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// No resend starts later than this after the first attempt.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// The first pause.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The longest pause of the crate's own backoff.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The crate's own pause before resend number `retry` (1-based), with
    /// jitter; a server's `Retry-After` replaces it.
    pub(crate) fn pause(&self, retry: u32) -> Duration {
        timing::backoff(retry, self.initial_backoff, self.max_backoff)
    }
}

/// How an attempt failed, as far as resending is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The server answered with this status.
    Status(u16),
    /// No connection was made: the request never left.
    NotSent,
    /// The request may have reached the server; no answer came.
    NoAnswer,
}

impl Failure {
    /// The failure behind a transport error.
    pub(crate) fn of(error: &reqwest::Error) -> Self {
        // Connect errors (refused, DNS, TLS handshake, connect timeout)
        // happen before a byte of the request is written.
        if error.is_connect() {
            Failure::NotSent
        } else {
            Failure::NoAnswer
        }
    }
}

/// What may be done after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Send it again (within the policy's bounds).
    Resend,
    /// Send it again only if the operation's read
    /// ([`crate::operation::ReadFirst`]) shows nothing was created.
    ReadFirst,
    /// Do not send it again.
    Final,
}

/// The one rule (see the module docs); the operation-specific statuses come
/// from the operation table ([`Operation::resend`]).
pub(crate) fn verdict(operation: &Operation, failure: Failure) -> Verdict {
    let resend = &operation.resend;
    match failure {
        Failure::NotSent | Failure::Status(429) => Verdict::Resend,
        Failure::Status(status)
            if resend
                .read_first
                .as_ref()
                .is_some_and(|r| r.status == status) =>
        {
            Verdict::ReadFirst
        }
        Failure::Status(status) if resend.statuses.contains(&status) => Verdict::Resend,
        Failure::Status(408 | 502 | 503 | 504) | Failure::NoAnswer if operation.is_idempotent() => {
            Verdict::Resend
        }
        _ => Verdict::Final,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::{OperationId, OPERATIONS};

    fn op(id: &str) -> &'static Operation {
        id.parse::<OperationId>()
            .expect("an operation of the document")
            .operation()
    }

    #[test]
    fn creates_are_resent_only_when_the_server_did_not_act() {
        for operation in OPERATIONS.iter().filter(|o| !o.is_idempotent()) {
            assert_eq!(verdict(operation, Failure::NotSent), Verdict::Resend);
            assert_eq!(verdict(operation, Failure::Status(429)), Verdict::Resend);
            assert_eq!(
                verdict(operation, Failure::NoAnswer),
                Verdict::Final,
                "{}",
                operation.id
            );
            for status in [500, 502, 504, 408] {
                assert_eq!(verdict(operation, Failure::Status(status)), Verdict::Final);
            }
        }
    }

    #[test]
    fn documented_create_statuses_need_a_read_first() {
        assert_eq!(
            verdict(op("CreateCluster"), Failure::Status(503)),
            Verdict::ReadFirst
        );
        assert_eq!(
            verdict(op("CreateSecret"), Failure::Status(409)),
            Verdict::ReadFirst
        );
        assert_eq!(
            verdict(op("CreateBackup"), Failure::Status(503)),
            Verdict::Final
        );
    }

    #[test]
    fn idempotent_calls_are_resent_on_gateway_errors_and_lost_answers() {
        for id in ["GetCluster", "UpdateSecret", "DeleteCluster"] {
            for failure in [
                Failure::Status(503),
                Failure::Status(504),
                Failure::NoAnswer,
            ] {
                assert_eq!(
                    verdict(op(id), failure),
                    Verdict::Resend,
                    "{id} {failure:?}"
                );
            }
            assert_eq!(verdict(op(id), Failure::Status(500)), Verdict::Final);
            assert_eq!(verdict(op(id), Failure::Status(404)), Verdict::Final);
        }
        assert_eq!(
            verdict(op("GetClient"), Failure::Status(412)),
            Verdict::Resend
        );
        assert_eq!(
            verdict(op("GetCluster"), Failure::Status(412)),
            Verdict::Final
        );
    }

    #[test]
    fn the_policy_builder_keeps_backoff_ordered() {
        let policy =
            RetryPolicy::default().with_backoff(Duration::from_secs(2), Duration::from_secs(1));
        assert_eq!(policy.max_backoff(), Duration::from_secs(2));
        assert_eq!(RetryPolicy::disabled().max_retries(), 0);
    }

    #[test]
    fn the_policy_builder_keeps_backoff_within_bounds() {
        let eager = RetryPolicy::default().with_backoff(Duration::ZERO, Duration::ZERO);
        assert_eq!(eager.initial_backoff(), timing::MIN_PAUSE);
        assert_eq!(eager.max_backoff(), timing::MIN_PAUSE);
        assert!(eager.pause(1) >= timing::MIN_PAUSE);
        let patient = RetryPolicy::default().with_backoff(Duration::MAX, Duration::MAX);
        assert_eq!(patient.initial_backoff(), timing::MAX_RETRY_AFTER);
        assert_eq!(patient.max_backoff(), timing::MAX_RETRY_AFTER);
        assert!(patient.pause(u32::MAX) <= timing::MAX_RETRY_AFTER.mul_f64(1.25));
    }
}
