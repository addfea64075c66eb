//! Injected faults and delays per operation, and the count of calls. Counts
//! saturate: `fail_next(op, usize::MAX, ..)` means "every call from now
//! on", and costs one entry, not `usize::MAX` of them.

use std::{
    collections::{HashMap, VecDeque},
    time::Duration,
};

use axum::http::StatusCode;

/// An injected failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fault {
    pub(crate) status: StatusCode,
    /// `Retry-After`, in seconds.
    pub(crate) retry_after: Option<u64>,
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

impl<T: Copy + PartialEq> Queue<T> {
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
        let item = front.item;
        front.left -= 1;
        if front.left == 0 {
            self.0.pop_front();
        }
        Some(item)
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
}

/// `Retry-After` in whole seconds, rounded up; saturates.
pub(crate) fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs()
        .saturating_add(u64::from(wait.subsec_nanos() > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAULT: Fault = Fault {
        status: StatusCode::SERVICE_UNAVAILABLE,
        retry_after: None,
    };

    #[test]
    fn runs_are_handed_out_in_order_and_then_stop() {
        let mut faults = Faults::default();
        let other = Fault {
            status: StatusCode::BAD_GATEWAY,
            ..FAULT
        };
        faults.fail_next("GetCluster", 2, FAULT);
        faults.fail_next("GetCluster", 0, other);
        faults.fail_next("GetCluster", 1, other);
        let seen: Vec<_> = (0..4).map(|_| faults.next_failure("GetCluster")).collect();
        assert_eq!(seen, [Some(FAULT), Some(FAULT), Some(other), None]);
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
