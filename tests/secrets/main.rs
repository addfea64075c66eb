//! No secret reaches a `Debug` or `Display` output, an error message or a
//! log line. Only tests that capture logs live in this binary, and they take
//! turns (see `common::capture_trace_logs`): tracing caches per call site
//! whether anyone listens, so a test running beside them without a
//! capturing subscriber could make them miss events.

#[path = "../common/mod.rs"]
mod common;

mod echoing_servers;
mod never_shown;
mod token_echo;
