//! A typed async client for the Camunda 8 Administration API: clusters,
//! cluster API clients, IP allowlists, connector secrets, members, backups,
//! monitoring, secure connectivity and the activity log.
//!
//! Every operation of the API is a method of [`Client`], generated at build
//! time from the OpenAPI document in `openapi/` after the corrections of
//! `camunda-admin-codegen`. Models keep decoding when Camunda adds fields, and
//! enums keep decoding when it adds values (they gain an `Unknown` variant).
//!
//! ```no_run
//! # async fn run() -> camunda_admin::Result<()> {
//! let client = camunda_admin::Client::with_static_token("https://api.cloud.camunda.io", "a token")?;
//! for cluster in client.get_clusters().await? {
//!     println!("{} {}", cluster.name, cluster.status.ready);
//! }
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod api;
pub mod auth;
mod client;
pub mod config;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod error;
mod pipeline;
pub mod retry;
mod secret;
pub mod wait;

#[cfg(feature = "redis")]
pub use auth::token_store::RedisTokenStore;
pub use auth::{
    token_store::{
        DiskTokenStore, Lease, LeaseAttempt, StoreKey, StoredEntry, StoredFailure, StoredToken,
        TokenKey, TokenStore,
    },
    Credentials,
};
pub use client::Client;
pub use config::{ClientBuilder, DEFAULT_AUDIENCE, DEFAULT_BASE_URL, DEFAULT_TOKEN_URL};
pub use error::{ApiError, AuthError, Error, Result};
pub use retry::RetryPolicy;
pub use secret::SecretString;
pub use wait::WaitOptions;

/// Request and response types of the API, generated from the OpenAPI document.
pub mod types {
    pub use crate::api::enums::*;
    pub use crate::api::types::*;
}

// The README's examples compile as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
