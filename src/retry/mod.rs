//! When a failed API call is sent again.
//!
//! GET, PUT and DELETE are retried on connection errors and on 408, 429,
//! 502, 503 and 504. POST and PATCH are retried only when the request
//! provably never reached the server (the connection was refused). Beyond
//! that, the statuses the API documents as "try again" are retried for their
//! operation (see [`documented_retry_statuses`]).

pub(crate) mod timing;

use std::time::Duration;

/// Bounds on retrying API calls. The default retries up to 3 times within
/// 60 seconds; [`RetryPolicy::disabled`] never retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// No retry starts later than this after the first attempt.
    pub deadline: Duration,
    /// The first pause; later pauses double, up to `max_backoff`.
    pub initial_backoff: Duration,
    /// The longest pause (a longer `Retry-After` is honoured up to the deadline).
    pub max_backoff: Duration,
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
    /// Never retry.
    pub fn disabled() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// The pause before retry number `retry` (1-based), with jitter.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        timing::backoff(retry, self.initial_backoff, self.max_backoff)
    }
}

/// Statuses the API documents as "not now, try again" for one operation.
pub fn documented_retry_statuses(operation_id: &str) -> &'static [u16] {
    match operation_id {
        // The cluster is not ready yet.
        "GetClient" => &[412],
        // Another change to the secrets of the cluster is in progress.
        "CreateSecret" | "UpdateSecret" | "DeleteSecret" => &[409],
        // Cluster creation is temporarily unavailable; nothing was created.
        "CreateCluster" => &[503],
        _ => &[],
    }
}

/// Whether a request that got `status` may be sent again.
pub(crate) fn status_is_retryable(
    method: &reqwest::Method,
    operation_id: &str,
    status: u16,
) -> bool {
    if documented_retry_statuses(operation_id).contains(&status) {
        return true;
    }
    is_idempotent(method) && matches!(status, 408 | 429 | 502 | 503 | 504)
}

/// Whether a request that failed with `error` may be sent again.
pub(crate) fn error_is_retryable(method: &reqwest::Method, error: &reqwest::Error) -> bool {
    if is_idempotent(method) {
        error.is_connect() || error.is_timeout() || error.is_request()
    } else {
        // Refused connections carry no request: safe for POST and PATCH too.
        error.is_connect()
    }
}

fn is_idempotent(method: &reqwest::Method) -> bool {
    matches!(
        *method,
        reqwest::Method::GET
            | reqwest::Method::PUT
            | reqwest::Method::DELETE
            | reqwest::Method::HEAD
    )
}
