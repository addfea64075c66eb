//! How requests are authenticated: a static bearer token, OAuth2 client
//! credentials exchanged for tokens kept in memory and in a store, or
//! nothing at all (for the one operation that needs no token).
//!
//! - `oauth_exchange.rs`: one token request and the classification of its answer;
//! - `expiring_cell.rs`: the single-flight expiring cell that holds a token;
//! - `token_policy.rs`: pacing, refusal memory and backoff of one slot;
//! - `token_slot.rs` and `flight.rs`: a slot, and one flight of it across
//!   the processes sharing a store;
//! - `registry.rs`: the process-wide slots;
//! - [`token_store`]: the store trait, the disk store, the Redis store.

mod expiring_cell;
mod flight;
#[cfg(test)]
mod memory_store;
pub(crate) mod oauth_exchange;
pub(crate) mod registry;
pub(crate) mod token_policy;
pub(crate) mod token_slot;
pub mod token_store;

use std::sync::Arc;

use futures_util::future::BoxFuture;
use reqwest::header::HeaderValue;

use crate::{error::AuthError, SecretString};
use token_policy::TokenPolicy;
use token_slot::{ExchangeError, FetchContext, ReceivedToken, TokenSlot};
use token_store::{TokenKey, TokenStore};

/// An OAuth client id and secret. `Debug` shows the id only.
#[derive(Clone)]
#[non_exhaustive]
pub struct Credentials {
    /// The client id (not a secret).
    pub client_id: String,
    /// The client secret.
    pub client_secret: SecretString,
}

impl Credentials {
    /// Credentials from an id and a secret.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<SecretString>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .finish()
    }
}

/// How a client authenticates.
#[derive(Clone)]
pub(crate) enum Auth {
    /// A token obtained elsewhere, sent as is.
    Static(StaticToken),
    /// Client credentials exchanged for cached tokens.
    ClientCredentials(Arc<OAuthClient>),
    /// No credentials: only operations that need no token can be called.
    Anonymous,
}

/// A token obtained elsewhere, with its `Authorization` value built once.
#[derive(Clone)]
pub(crate) struct StaticToken {
    token: SecretString,
    header: HeaderValue,
}

impl StaticToken {
    /// `None` when the token holds bytes an HTTP header cannot carry.
    pub(crate) fn new(token: SecretString) -> Option<Self> {
        let header = expiring_cell::bearer_header(&token)?;
        Some(Self { token, header })
    }
}

/// Client-credentials authentication of one client (and its clones).
pub(crate) struct OAuthClient {
    pub credentials: Credentials,
    pub http: reqwest::Client,
    /// The cap on a token answer's body.
    pub max_token_response_bytes: usize,
    pub store: Option<Arc<dyn TokenStore>>,
    pub policy: TokenPolicy,
    pub slot: Arc<TokenSlot>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::Static(..) => f.write_str("StaticToken(***)"),
            Auth::Anonymous => f.write_str("Anonymous"),
            Auth::ClientCredentials(oauth) => {
                let key = oauth.slot.store_key().token_key();
                f.debug_struct("OAuth")
                    .field("token_url", &key.token_url)
                    .field("audience", &key.audience)
                    .field("credentials", &oauth.credentials)
                    .field("store", &oauth.store)
                    .field("refresh_margin", &oauth.policy.refresh_margin)
                    .finish()
            }
        }
    }
}

impl Auth {
    /// A bearer token for the next request.
    pub(crate) async fn bearer(&self) -> Result<SecretString, AuthError> {
        match self {
            Auth::Static(fixed) => Ok(fixed.token.clone()),
            Auth::ClientCredentials(oauth) => oauth.slot.token(&oauth.context()).await,
            Auth::Anonymous => Err(AuthError::NoCredentials),
        }
    }

    /// The `Authorization` header value for the next request.
    pub(crate) async fn header(&self) -> Result<HeaderValue, AuthError> {
        match self {
            Auth::Static(fixed) => Ok(fixed.header.clone()),
            Auth::ClientCredentials(oauth) => oauth.slot.header(&oauth.context()).await,
            Auth::Anonymous => Err(AuthError::NoCredentials),
        }
    }

    /// The API refused `token` (401): drop it so that the next call fetches
    /// a new one. Returns whether a new token can be had at all.
    pub(crate) fn reject(&self, token: &SecretString) -> bool {
        match self {
            Auth::Static(..) | Auth::Anonymous => false,
            Auth::ClientCredentials(oauth) => {
                oauth.slot.invalidate(token);
                true
            }
        }
    }

    /// The secrets of this client's configuration (the client secret, or a
    /// static token), to remove from anything a server echoes.
    pub(crate) fn secrets(&self) -> Vec<SecretString> {
        match self {
            Auth::Static(fixed) => vec![fixed.token.clone()],
            Auth::ClientCredentials(oauth) => vec![oauth.credentials.client_secret.clone()],
            Auth::Anonymous => Vec::new(),
        }
    }

    /// Token requests sent for this client's key by this process.
    pub(crate) fn token_requests(&self) -> u64 {
        match self {
            Auth::Static(..) | Auth::Anonymous => 0,
            Auth::ClientCredentials(oauth) => oauth.slot.requests_sent(),
        }
    }
}

impl OAuthClient {
    fn context(&self) -> FetchContext<'_> {
        FetchContext {
            exchange: self,
            store: self.store.as_deref(),
            policy: &self.policy,
        }
    }
}

impl token_slot::Exchange for OAuthClient {
    fn exchange<'a>(
        &'a self,
        key: &'a TokenKey,
    ) -> BoxFuture<'a, Result<ReceivedToken, ExchangeError>> {
        Box::pin(async move {
            let endpoint = oauth_exchange::Endpoint {
                http: &self.http,
                token_url: &key.token_url,
                audience: &key.audience,
                max_response_bytes: self.max_token_response_bytes,
            };
            oauth_exchange::exchange(&endpoint, &self.credentials).await
        })
    }
}
