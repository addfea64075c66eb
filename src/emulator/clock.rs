//! The emulator's clock: tokio's clock (so paused time and `advance` move
//! it) plus what [`Emulator::advance_clock`](super::Emulator::advance_clock)
//! added, and a wall clock moved by the same offset for timestamps.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::time::Instant;

use crate::retry::timing::instant_after;

/// The offset added to the real clocks.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset: Duration,
}

impl Clock {
    /// A clock already `offset` ahead (from a state file).
    pub(crate) fn with_offset(offset: Duration) -> Self {
        Self { offset }
    }

    /// The emulator's monotonic clock.
    pub(crate) fn now(&self) -> Instant {
        instant_after(Instant::now(), self.offset)
    }

    /// The emulator's wall clock, for timestamps.
    pub(crate) fn wall(&self) -> DateTime<Utc> {
        wall_after(Utc::now(), self.offset)
    }

    /// How far the emulator's clocks are ahead of the real ones.
    pub(crate) fn offset(&self) -> Duration {
        self.offset
    }

    /// Move both clocks forward by `by`; saturates.
    pub(crate) fn advance(&mut self, by: Duration) {
        self.offset = self.offset.saturating_add(by);
    }
}

/// `at` plus `by` on the wall clock, or `at` if that overflows.
pub(crate) fn wall_after(at: DateTime<Utc>, by: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(by)
        .ok()
        .and_then(|d| at.checked_add_signed(d))
        .unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_offsets_saturate() {
        let mut clock = Clock::default();
        clock.advance(Duration::MAX);
        clock.advance(Duration::MAX);
        assert!(clock.now() > Instant::now());
        let _ = clock.wall();
        assert_eq!(
            wall_after(DateTime::UNIX_EPOCH, Duration::MAX),
            DateTime::UNIX_EPOCH
        );
    }
}
