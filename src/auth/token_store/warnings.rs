//! Fallback warnings: when a store loses a level of coordination or finds
//! junk, the library says so once per cause and per process, as a
//! `tracing` warning under the target [`FALLBACK_TARGET`], so that a
//! command line can show these (and only these) without `-v`.

use std::sync::atomic::{AtomicBool, Ordering};

/// The `tracing` target of every fallback warning of the token stores: a
/// subscriber that shows this target at WARN level shows each cause once.
pub const FALLBACK_TARGET: &str = "camunda_admin::fallback";

/// Why a store fell back, or what it cleaned up.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cause {
    /// The cache folder is not private: no disk store.
    UnsafeFolder,
    /// The lock file cannot be used: fetching without the disk lease.
    NoLock,
    /// A stored entry did not open (junk, tampered, truncated): removed.
    Unreadable,
    /// A stored entry beyond the size cap: removed unread.
    Oversized,
    /// A fetch lease held past its lifetime was taken over.
    StaleLease,
    /// A stored refusal or "not before" time lay further ahead than this
    /// process would ever wait: capped.
    FarAhead,
    /// Redis does not answer: the level under it (disk or memory) is used.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    RedisDown,
}

const CAUSES: usize = 7;

static WARNED: [AtomicBool; CAUSES] = [const { AtomicBool::new(false) }; CAUSES];

/// True the first time `cause` is reported in this process.
pub(crate) fn first(cause: Cause) -> bool {
    !WARNED[cause as usize].swap(true, Ordering::Relaxed)
}

/// A fallback warning, once per cause and per process; later occurrences
/// go out at debug level.
macro_rules! fallback_warn {
    ($cause:expr, $($rest:tt)+) => {
        if $crate::auth::token_store::warnings::first($cause) {
            ::tracing::warn!(target: $crate::auth::token_store::warnings::FALLBACK_TARGET, $($rest)+);
        } else {
            ::tracing::debug!(target: $crate::auth::token_store::warnings::FALLBACK_TARGET, $($rest)+);
        }
    };
}
pub(crate) use fallback_warn;
