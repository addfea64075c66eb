//! A typed async client for the Camunda 8 Administration API, the
//! management API of Camunda SaaS: clusters, cluster API clients, IP
//! allowlists, connector secrets, members, backups, monitoring, secure
//! connectivity and the activity log.
//!
//! ```no_run
//! # async fn run() -> camunda_admin::Result<()> {
//! // Reads CAMUNDA_CONSOLE_CLIENT_ID and CAMUNDA_CONSOLE_CLIENT_SECRET.
//! let client = camunda_admin::Client::from_env()?;
//! for cluster in client.get_clusters().await? {
//!     println!("{} {} {}", cluster.uuid, cluster.name, cluster.status.ready);
//! }
//! # Ok(()) }
//! ```
//!
//! # Credentials
//!
//! The Administration API takes the credentials of an API client of your
//! organization: in the Camunda Console, open **Organization**, the
//! **Administration API** tab, and create new credentials with the scopes
//! your automation needs. Give the client id and secret to
//! [`Client::from_env`] as `CAMUNDA_CONSOLE_CLIENT_ID` and
//! `CAMUNDA_CONSOLE_CLIENT_SECRET` (the names Camunda's own SDKs use; see
//! [`config`] for the others), or to [`ClientBuilder::credentials`]. The
//! client exchanges them for a token (OAuth2 client credentials), caches it
//! in memory and on disk, and refreshes it before it expires. A call
//! outside the credentials' scopes answers 403. [`Client::get_meta`] (the
//! API's IP ranges) needs no credentials: build its client with
//! [`ClientBuilder::without_credentials`].
//!
//! | scope of the credentials | methods of [`Client`] that need it |
//! | --- | --- |
#![doc = include_str!(concat!(env!("OUT_DIR"), "/scopes.md"))]
//!
//! # Requests
//!
//! Each method of [`Client`] takes the operation's path parameters and, where
//! it has one, its body, and returns a request of [`request`] that is sent
//! when awaited. Bodies are built with their builders, which name a missing
//! required field:
//!
//! ```no_run
//! # async fn run(client: camunda_admin::Client) -> camunda_admin::Result<()> {
//! use camunda_admin::types::CreateSecretBody;
//!
//! let secret = CreateSecretBody::builder()
//!     .secret_name("DB_PASSWORD")
//!     .secret_value(std::env::var("DB_PASSWORD").unwrap_or_default());
//! client.create_secret("3f6d8a2e-7b1c-4e9a-9d3f-2a5b6c7d8e9f", secret).await?;
//! # Ok(()) }
//! ```
//!
//! Clusters can be created from the names the Console shows
//! ([`NewCluster`], [`Client::create_cluster_by_names`]), and long changes
//! awaited ([`Client::wait_for_cluster_healthy`], [`wait`]).
//!
//! # Errors
//!
//! Every method fails with one [`Error`]: [`Error::Auth`] for credentials and
//! the token service, [`Error::Api`] for an answer outside 2xx (status,
//! operation, the start of the body without secrets), and typed variants
//! for the rest. [`Error::is_retryable`] says whether sending the call again
//! is safe, by the same rule the client's own retries follow ([`retry`]).
//!
//! ```no_run
//! # async fn run(client: camunda_admin::Client) {
//! use camunda_admin::Error;
//! match client.get_cluster("no-such-cluster").await {
//!     Ok(cluster) => println!("{}", cluster.name),
//!     Err(Error::Api(e)) if e.status == 404 => println!("not found"),
//!     Err(e) if e.is_auth() => eprintln!("check the credentials: {e}"),
//!     Err(e) => eprintln!("{e}"),
//! }
//! # }
//! ```
//!
//! # Testing without an account
//!
//! The feature `emulator` adds an in-process emulator of the API and its
//! token service ([`emulator::Emulator`]); `emulator.client_builder()` gives
//! a client configured for it.
//!
//! # Compatibility
//!
//! Camunda adds fields, enum values and operations without changing the
//! API's version. Code written as these docs show keeps compiling when the
//! document gains them: bodies are built with builders, answers are read by
//! field (fields the document does not declare land in each type's `extra`
//! map), enums are matched with a wildcard arm, and optional parameters are
//! setters of the request.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
// Input must never reach a panic on a library path; tests may unwrap.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

// The client first: its hand-written constructors come before the
// generated methods on its page.
mod client;
mod construction;

mod api;
pub mod auth;
pub mod config;
pub mod connection;
#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;
pub mod error;
mod json_call;
pub mod lookup;
pub mod operation;
mod pipeline;
mod redact;
pub mod retry;
mod secret;
mod undeclared;
pub mod wait;

#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
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
pub use json_call::{JsonAnswer, JsonCall, PreparedRequest};
pub use lookup::{LookupError, NewCluster};
pub use operation::{Operation, OperationId, OPERATIONS};
pub use pipeline::body::{Lines, DEFAULT_MAX_RESPONSE_BYTES, MAX_CSV_LINE_BYTES};
pub use retry::RetryPolicy;
pub use secret::SecretString;
pub use undeclared::Undeclared;
pub use wait::WaitOptions;

/// Request and response types of the API, generated from the OpenAPI document.
pub mod types {
    pub use crate::api::enums::*;
    pub use crate::api::types::*;
}

pub use api::request;

// The README's examples compile as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
