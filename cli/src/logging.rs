//! The SDK's tracing events on stderr. Without `-v`, only its fallback
//! warnings (`camunda_admin::fallback`: a token cache it cannot use, a
//! Redis that is down, a stuck peer taken over), once each, since they
//! explain a slow or uncoordinated run; `-v` and `-vv` add calls, retries,
//! tokens and waits. Only the SDK's own targets are shown; its events
//! carry no secret (see `tests/secrets/never_shown.rs` and
//! `cli/tests/cli/secrets.rs`).

use camunda_admin::auth::token_store::FALLBACK_TARGET;
use tracing::Level;
use tracing_subscriber::{filter::Targets, layer::SubscriberExt, util::SubscriberInitExt};

/// Log to stderr: fallback warnings only; DEBUG for `-v`, TRACE for `-vv`.
pub fn init(verbosity: u8) {
    let targets = match verbosity {
        0 => Targets::new().with_target(FALLBACK_TARGET, Level::WARN),
        1 => Targets::new().with_target("camunda_admin", Level::DEBUG),
        _ => Targets::new().with_target("camunda_admin", Level::TRACE),
    };
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(verbosity > 0)
        .without_time();
    // Failing here only means a subscriber is set already.
    let _ = tracing_subscriber::registry()
        .with(layer)
        .with(targets)
        .try_init();
}
