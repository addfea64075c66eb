//! Contract tests of every operation against httpmock: one expectation per
//! operation pins down what the SDK sends (method, raw path, bearer header,
//! body) and what a user gets back. One binary per area of the tests keeps
//! the build small: each binary links every dependency.

#[path = "../common/mod.rs"]
mod common;

mod activity;
mod backups;
mod clients;
mod clusters;
mod ip_allowlist;
mod members;
mod meta;
mod monitoring;
mod secrets;
mod secure_connectivity;
