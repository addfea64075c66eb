//! Time arithmetic every retry loop of the crate shares: token requests,
//! API retries and waits. One rule for `Retry-After`: when the server says
//! when to come back, come back then (plus a little jitter to spread many
//! clients), not later; the crate's own backoff applies only when the
//! server said nothing. Either way no pause is shorter than [`MIN_PAUSE`]:
//! a policy of zero backoff, or a server answering `Retry-After: 0`, must
//! not turn a retry loop into a flood (it sent about 500 requests a second).

use std::time::Duration;

use tokio::time::Instant;

/// A `Retry-After` longer than this is read as this: a broken or hostile
/// server must not park a caller for days. No pause of the crate's own
/// backoff is longer either.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// The shortest pause between two attempts. With it, a deadline bounds
/// the attempts of one call (at most one per 50 ms) whatever the number of
/// retries allowed.
pub(crate) const MIN_PAUSE: Duration = Duration::from_millis(50);

/// The largest share of a server's `Retry-After` added as jitter.
const RETRY_AFTER_JITTER: f64 = 0.10;

/// The largest share of the crate's own backoff added as jitter.
const BACKOFF_JITTER: f64 = 0.25;

/// The pause before the next attempt: the server's `Retry-After` plus at
/// most 10 % jitter when it gave one, else `own_backoff`; never less than
/// [`MIN_PAUSE`] nor more than [`MAX_RETRY_AFTER`]. Whether the pause still fits before a deadline is the
/// caller's check: a pause that would end past it is not taken at all.
pub(crate) fn pause_before_retry(
    retry_after: Option<Duration>,
    own_backoff: impl FnOnce() -> Duration,
) -> Duration {
    let pause = match retry_after {
        Some(wait) => {
            let wait = wait.min(MAX_RETRY_AFTER);
            wait.saturating_add(wait.mul_f64(jitter() * RETRY_AFTER_JITTER))
        }
        None => own_backoff(),
    };
    pause.clamp(MIN_PAUSE, MAX_RETRY_AFTER)
}

/// Exponential backoff: `initial` (at least [`MIN_PAUSE`]) doubled per
/// attempt (1-based), capped at `max`, plus up to 25 % jitter.
pub(crate) fn backoff(attempt: u32, initial: Duration, max: Duration) -> Duration {
    let initial = initial.max(MIN_PAUSE);
    let base = initial
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
        .min(max.max(initial));
    base.saturating_add(base.mul_f64(jitter() * BACKOFF_JITTER))
}

/// `now + by`, or a far future where that would overflow (a configured
/// `Duration::MAX` means "never").
pub(crate) fn instant_after(now: Instant, by: Duration) -> Instant {
    now.checked_add(by)
        .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 3600))
}

/// The `Retry-After` of an answer, in seconds or as an HTTP date.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds).min(MAX_RETRY_AFTER));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let left = at
        .signed_duration_since(chrono::Utc::now())
        .to_std()
        .unwrap_or_default();
    Some(left.min(MAX_RETRY_AFTER))
}

/// A number in [0, 1) from the process's hash seed and a counter: enough to
/// spread retries of many processes, no extra dependency.
pub(crate) fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_pause_is_kept_with_at_most_ten_percent_jitter() {
        for _ in 0..1000 {
            let pause = pause_before_retry(Some(Duration::from_secs(1)), || Duration::from_secs(8));
            assert!(pause >= Duration::from_secs(1), "{pause:?}");
            assert!(pause <= Duration::from_millis(1100), "{pause:?}");
        }
    }

    #[test]
    fn own_backoff_applies_only_without_a_server_pause() {
        let pause = pause_before_retry(None, || Duration::from_secs(8));
        assert_eq!(pause, Duration::from_secs(8));
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_never_overflows() {
        let initial = Duration::from_millis(500);
        let max = Duration::from_secs(10);
        let first = backoff(1, initial, max);
        assert!(first >= initial && first <= initial.mul_f64(1.25));
        let third = backoff(3, initial, max);
        assert!(third >= Duration::from_secs(2) && third <= Duration::from_millis(2500));
        assert!(backoff(u32::MAX, initial, max) <= max.mul_f64(1.25));
        assert!(backoff(40, Duration::MAX, Duration::MAX) >= Duration::MAX / 2);
    }

    #[test]
    fn no_pause_is_shorter_than_the_floor() {
        assert_eq!(
            pause_before_retry(Some(Duration::ZERO), || Duration::ZERO),
            MIN_PAUSE
        );
        assert_eq!(pause_before_retry(None, || Duration::ZERO), MIN_PAUSE);
        assert_eq!(pause_before_retry(None, || Duration::MAX), MAX_RETRY_AFTER);
        for attempt in [0, 1, 2, 30, u32::MAX] {
            let pause = backoff(attempt, Duration::ZERO, Duration::ZERO);
            assert!(
                pause >= MIN_PAUSE && pause <= MIN_PAUSE.mul_f64(1.25),
                "{pause:?}"
            );
        }
        // The floor applies before doubling: zero initial still grows.
        assert!(backoff(3, Duration::ZERO, Duration::from_secs(1)) >= MIN_PAUSE * 4);
    }

    #[test]
    fn retry_after_reads_seconds_and_dates_and_caps_them() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(reqwest::header::RETRY_AFTER, "99999999999".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(MAX_RETRY_AFTER));
        headers.insert(
            reqwest::header::RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        headers.insert(reqwest::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }
}
