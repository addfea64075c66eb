//! The public client. Its API methods are generated (see `build.rs`); this
//! file holds what is written by hand. The ways to make one are in
//! `construction.rs`, which uses the configuration: the configuration
//! builds a `Client`, so the client names no configuration.

use crate::{auth::Auth, error::Error, retry::RetryPolicy, SecretString};

/// What every clone of a client shares: how it authenticates, retries and
/// bounds reads (the generated client's inner value, which its hooks read).
#[derive(Clone, Debug)]
pub struct Shared {
    pub(crate) auth: Auth,
    pub(crate) retry: RetryPolicy,
    /// Cap of a successful answer's body.
    pub(crate) max_response_bytes: usize,
}

/// A client of the Camunda 8 Administration API.
///
/// Cheap to clone: clones share the HTTP connection pool and the token cache,
/// and so do clients built with the same token URL, client id and audience.
/// There is one async method per operation of the API.
#[derive(Clone)]
pub struct Client {
    pub(crate) api: crate::api::Client,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use progenitor_client::ClientInfo;
        f.debug_struct("Client")
            .field("base_url", &self.api.baseurl())
            .field("shared", self.api.inner())
            .finish()
    }
}

impl Client {
    pub(crate) fn from_parts(
        base_url: &str,
        http: reqwest::Client,
        shared: Shared,
    ) -> Result<Self, Error> {
        Ok(Self {
            api: crate::api::Client::new_with_client(base_url.trim_end_matches('/'), http, shared),
        })
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        use progenitor_client::ClientInfo;
        self.api.baseurl()
    }

    /// The retry policy of API calls.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.shared().retry
    }

    /// What every clone of this client shares.
    pub(crate) fn shared(&self) -> &Shared {
        use progenitor_client::ClientInfo;
        self.api.inner()
    }

    /// How many token requests this process has sent for this client's
    /// credentials (all clients sharing them count together).
    pub fn token_requests_sent(&self) -> u64 {
        use progenitor_client::ClientInfo;
        self.api.inner().auth.token_requests()
    }

    /// A bearer token, fetched or from the cache, for calls made outside
    /// this client (another Camunda API with the same audience). A client
    /// built without credentials fails with [`AuthError::NoCredentials`](crate::AuthError::NoCredentials).
    pub async fn access_token(&self) -> Result<SecretString, Error> {
        use progenitor_client::ClientInfo;
        Ok(self.api.inner().auth.bearer().await?)
    }
}
