//! The bindings progenitor generates from `openapi/camunda-admin.json` (see
//! `build.rs`): request and response types, open enums, and the low-level
//! client the public [`crate::Client`] drives.
#![allow(
    missing_docs,
    dead_code,
    unreachable_patterns,
    unused_imports,
    clippy::all,
    clippy::pedantic,
    // Only progenitor's own `Client::new`, which the crate never calls.
    clippy::unwrap_used
)]

include!(concat!(env!("OUT_DIR"), "/camunda_admin_api.rs"));
