//! How requests are authenticated: a static bearer token, or OAuth2 client
//! credentials with the shared token cache (`token_cache.rs`) and the disk
//! store (`token_store.rs`).

pub(crate) mod oauth_exchange;
pub(crate) mod token_cache;
pub mod token_store;

use std::sync::Arc;

use crate::{error::AuthError, SecretString};
use token_cache::{TokenPolicy, TokenSlot, TokenSource};
use token_store::{TokenKey, TokenStore};

/// An OAuth client id and secret. `Debug` shows the id only.
#[derive(Clone)]
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

/// The source of bearer tokens of a client.
#[derive(Clone)]
pub(crate) enum Auth {
    /// A token obtained elsewhere, used as is.
    /// The token and its prebuilt header value.
    Static(SecretString, Option<reqwest::header::HeaderValue>),
    /// Client credentials exchanged for cached tokens.
    OAuth(Arc<OAuth>),
}

/// Client-credentials authentication of one client (and its clones).
pub(crate) struct OAuth {
    pub credentials: Credentials,
    pub http: reqwest::Client,
    /// The cap on a token answer's body.
    pub max_token_response_bytes: usize,
    pub store: Option<Arc<dyn TokenStore>>,
    pub policy: TokenPolicy,
    pub slot: Arc<TokenSlot>,
    pub key: TokenKey,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::Static(..) => f.write_str("StaticToken(***)"),
            Auth::OAuth(oauth) => f
                .debug_struct("OAuth")
                .field("token_url", &oauth.key.token_url)
                .field("audience", &oauth.key.audience)
                .field("credentials", &oauth.credentials)
                .field("store", &oauth.store)
                .field("refresh_margin", &oauth.policy.refresh_margin)
                .finish(),
        }
    }
}

impl Auth {
    /// Authentication with a token obtained elsewhere.
    pub(crate) fn fixed(token: SecretString) -> Self {
        let header = token_cache::bearer_header(&token);
        Auth::Static(token, header)
    }

    /// A bearer token for the next request.
    pub(crate) async fn bearer(&self) -> Result<SecretString, AuthError> {
        match self {
            Auth::Static(token, _) => Ok(token.clone()),
            Auth::OAuth(oauth) => oauth.slot.token(&oauth.source()).await,
        }
    }

    /// The `Authorization` header value for the next request.
    pub(crate) async fn header(&self) -> Result<reqwest::header::HeaderValue, AuthError> {
        match self {
            Auth::Static(_, header) => header.clone().ok_or_else(|| {
                AuthError::InvalidTokenResponse(
                    "the static token cannot be sent in a header".into(),
                )
            }),
            Auth::OAuth(oauth) => oauth.slot.header(&oauth.source()).await,
        }
    }

    /// The API refused `token` (401): drop it so that the next call fetches
    /// a new one. Returns whether a new token can be had at all.
    pub(crate) fn reject(&self, token: &SecretString) -> bool {
        match self {
            Auth::Static(..) => false,
            Auth::OAuth(oauth) => {
                oauth.slot.invalidate(token, oauth.store.as_deref());
                true
            }
        }
    }

    /// Token requests sent for this client's key by this process.
    pub(crate) fn token_requests(&self) -> u64 {
        match self {
            Auth::Static(..) => 0,
            Auth::OAuth(oauth) => oauth.slot.requests_sent(),
        }
    }
}

impl OAuth {
    fn source(&self) -> TokenSource<'_> {
        TokenSource {
            exchange: self,
            secret: &self.credentials.client_secret,
            store: self.store.as_deref(),
            policy: &self.policy,
        }
    }
}

impl token_cache::Exchange for OAuth {
    fn exchange<'a>(
        &'a self,
        key: &'a TokenKey,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<
                    Output = Result<token_cache::ReceivedToken, token_cache::ExchangeError>,
                > + Send
                + 'a,
        >,
    > {
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
