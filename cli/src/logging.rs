//! `-v` and `-vv`: the SDK's tracing events (calls, retries, tokens, waits)
//! on stderr. Only the SDK's own targets are shown; its events carry no
//! secret (see `tests/secrets/never_shown.rs` and `tests/cli/secrets.rs`).

use tracing::Level;
use tracing_subscriber::{filter::Targets, layer::SubscriberExt, util::SubscriberInitExt};

/// Log to stderr at DEBUG for `-v`, TRACE for `-vv`; nothing otherwise.
pub fn init(verbosity: u8) {
    let level = match verbosity {
        0 => return,
        1 => Level::DEBUG,
        _ => Level::TRACE,
    };
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(true);
    // Failing here only means a subscriber is set already.
    let _ = tracing_subscriber::registry()
        .with(layer)
        .with(Targets::new().with_target("camunda_admin", level))
        .try_init();
}
