//! Injected faults and delays per operation, and the count of calls. Counts
//! saturate: `fail_next(op, usize::MAX, ..)` means "every call from now
//! on", and costs one entry, not `usize::MAX` of them.

use std::{
    collections::{HashMap, VecDeque},
    time::Duration,
};

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::config::EmulatorError;

/// The name under which faults of the token endpoint are injected.
pub(crate) const TOKEN_OPERATION: &str = "Token";

/// An injected failure.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Fault {
    /// An error answer.
    Status {
        status: StatusCode,
        /// `Retry-After`, in seconds.
        retry_after: Option<u64>,
        /// The body instead of the usual error JSON: a string as plain
        /// text, anything else as JSON.
        body: Option<Value>,
    },
    /// No answer: the connection is reset.
    Reset,
}

impl Fault {
    /// An error answer with the usual body.
    pub(crate) fn status(status: StatusCode, retry_after: Option<u64>) -> Self {
        Fault::Status {
            status,
            retry_after,
            body: None,
        }
    }

    fn to_json(&self) -> Value {
        match self {
            Fault::Status {
                status,
                retry_after,
                body,
            } => json!({
                "status": status.as_u16(),
                "retryAfterSeconds": retry_after,
                "body": body,
            }),
            Fault::Reset => json!({ "reset": true }),
        }
    }
}

/// `left` as the control plane shows it: `null` for "for good".
fn times(left: usize) -> Value {
    if left == usize::MAX {
        Value::Null
    } else {
        json!(left)
    }
}

/// The same item for the next `left` calls.
#[derive(Debug)]
struct Run<T> {
    item: T,
    left: usize,
}

/// Items to hand out one per call, in order.
#[derive(Debug)]
struct Queue<T>(VecDeque<Run<T>>);

impl<T> Default for Queue<T> {
    fn default() -> Self {
        Self(VecDeque::new())
    }
}

impl<T: Clone + PartialEq> Queue<T> {
    /// `item` for `n` more calls after those queued.
    fn push(&mut self, item: T, n: usize) {
        if n == 0 {
            return;
        }
        match self.0.back_mut() {
            Some(last) if last.item == item => last.left = last.left.saturating_add(n),
            _ => self.0.push_back(Run { item, left: n }),
        }
    }

    fn pop(&mut self) -> Option<T> {
        let front = self.0.front_mut()?;
        // `usize::MAX` is "for good": it never runs out.
        if front.left != usize::MAX {
            front.left -= 1;
        }
        if front.left == 0 {
            return self.0.pop_front().map(|run| run.item);
        }
        Some(front.item.clone())
    }
}

/// Faults, delays and call counts by operation id.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    failures: HashMap<&'static str, Queue<Fault>>,
    delays: HashMap<&'static str, Queue<Duration>>,
    calls: HashMap<&'static str, usize>,
}

impl Faults {
    pub(crate) fn fail_next(&mut self, op: &'static str, n: usize, fault: Fault) {
        self.failures.entry(op).or_default().push(fault, n);
    }

    pub(crate) fn delay_next(&mut self, op: &'static str, n: usize, delay: Duration) {
        self.delays.entry(op).or_default().push(delay, n);
    }

    pub(crate) fn clear(&mut self) {
        self.failures.clear();
        self.delays.clear();
    }

    /// Count a call of `op`; the delay to wait before answering it, if any.
    pub(crate) fn call(&mut self, op: &'static str) -> Option<Duration> {
        let calls = self.calls.entry(op).or_default();
        *calls = calls.saturating_add(1);
        self.delays.get_mut(op).and_then(Queue::pop)
    }

    /// The fault to answer the call of `op` with, if any.
    pub(crate) fn next_failure(&mut self, op: &'static str) -> Option<Fault> {
        self.failures.get_mut(op).and_then(Queue::pop)
    }

    pub(crate) fn calls(&self, op: &str) -> usize {
        self.calls.get(op).copied().unwrap_or(0)
    }

    /// Forget the counts of calls too (a reset).
    pub(crate) fn reset(&mut self) {
        self.clear();
        self.calls.clear();
    }

    /// Every fault and delay still to come, by operation id, in the order
    /// they will be used: `{"operationId", "times", ...}`.
    pub(crate) fn list(&self) -> Vec<Value> {
        let mut listed = Vec::new();
        for (op, queue) in &self.failures {
            for run in &queue.0 {
                let mut entry = run.item.to_json();
                entry["operationId"] = json!(op);
                entry["times"] = times(run.left);
                listed.push(entry);
            }
        }
        for (op, queue) in &self.delays {
            for run in &queue.0 {
                listed.push(json!({
                    "operationId": op,
                    "delayMs": u64::try_from(run.item.as_millis()).unwrap_or(u64::MAX),
                    "times": times(run.left),
                }));
            }
        }
        listed.sort_by(|a, b| a["operationId"].as_str().cmp(&b["operationId"].as_str()));
        listed
    }
}

/// The operation id `op` names, as a `'static` string for the book: an
/// operationId of the operation table, or the token endpoint's.
pub(crate) fn operation_id(op: &str) -> Result<&'static str, EmulatorError> {
    if op == TOKEN_OPERATION {
        return Ok(TOKEN_OPERATION);
    }
    op.parse::<crate::OperationId>()
        .map(crate::OperationId::as_str)
        .map_err(|_| EmulatorError::UnknownOperation(op.to_owned()))
}

/// Every name a fault can be injected under, for an error message.
pub(crate) fn operation_ids() -> Vec<&'static str> {
    let mut ids: Vec<&'static str> = crate::operation::OPERATIONS
        .iter()
        .map(|op| op.id.as_str())
        .collect();
    ids.sort_unstable();
    ids.push(TOKEN_OPERATION);
    ids
}

/// `status` if it is an HTTP error status (400 to 599).
pub(crate) fn error_status(status: u16) -> Result<StatusCode, EmulatorError> {
    StatusCode::from_u16(status)
        .ok()
        .filter(|s| s.is_client_error() || s.is_server_error())
        .ok_or(EmulatorError::InvalidStatus(status))
}

/// `Retry-After` in whole seconds, rounded up; saturates.
pub(crate) fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs()
        .saturating_add(u64::from(wait.subsec_nanos() > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAULT: Fault = Fault::Status {
        status: StatusCode::SERVICE_UNAVAILABLE,
        retry_after: None,
        body: None,
    };

    #[test]
    fn runs_are_handed_out_in_order_and_then_stop() {
        let mut faults = Faults::default();
        let other = Fault::status(StatusCode::BAD_GATEWAY, None);
        faults.fail_next("GetCluster", 2, FAULT);
        faults.fail_next("GetCluster", 0, other.clone());
        faults.fail_next("GetCluster", 1, other.clone());
        let seen: Vec<_> = (0..4).map(|_| faults.next_failure("GetCluster")).collect();
        assert_eq!(seen, [Some(FAULT), Some(FAULT), Some(other.clone()), None]);
        assert_eq!(faults.next_failure("GetClusters"), None);
    }

    #[test]
    fn huge_counts_saturate_in_one_entry() {
        let mut faults = Faults::default();
        faults.fail_next("GetCluster", usize::MAX, FAULT);
        faults.fail_next("GetCluster", usize::MAX, FAULT);
        faults.delay_next("GetCluster", usize::MAX, Duration::MAX);
        assert_eq!(faults.failures["GetCluster"].0.len(), 1);
        for _ in 0..1000 {
            assert_eq!(faults.call("GetCluster"), Some(Duration::MAX));
            assert_eq!(faults.next_failure("GetCluster"), Some(FAULT));
        }
        faults.calls.insert("GetCluster", usize::MAX);
        faults.call("GetCluster");
        assert_eq!(faults.calls("GetCluster"), usize::MAX);
        faults.clear();
        assert_eq!(faults.next_failure("GetCluster"), None);
    }

    #[test]
    fn retry_after_rounds_up_and_saturates() {
        assert_eq!(retry_after_secs(Duration::from_millis(2500)), 3);
        assert_eq!(retry_after_secs(Duration::from_secs(7)), 7);
        assert_eq!(retry_after_secs(Duration::MAX), u64::MAX);
    }
}
