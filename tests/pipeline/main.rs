//! The request pipeline against loopback servers: token requests and
//! caches, 401s, retries, bounded reads, answers with undeclared fields,
//! the waiting helpers, and the layering of the auth and retry modules.

#[path = "../common/mod.rs"]
mod common;

mod auth;
mod bounded_reads;
mod layering;
mod retry;
mod retry_bounds;
mod undeclared_fields;
mod wait;
