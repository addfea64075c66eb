//! The public client. Its API methods are generated (see `build.rs`); this
//! file holds what is written by hand.

use crate::{
    config::ClientBuilder, error::Error, pipeline::Pipeline, retry::RetryPolicy, SecretString,
};

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
            .field("pipeline", self.api.inner())
            .finish()
    }
}

impl Client {
    /// A builder with Camunda SaaS defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from the `CAMUNDA_*` environment variables (see
    /// [`crate::config`]). A missing id or secret is an error that names the
    /// variable.
    pub fn from_env() -> Result<Self, Error> {
        ClientBuilder::from_env()?.build()
    }

    /// A client that sends `token` as its bearer token, for users who obtain
    /// tokens elsewhere. `base_url` may end with a slash or carry a path.
    pub fn with_static_token(
        base_url: &str,
        token: impl Into<SecretString>,
    ) -> Result<Self, Error> {
        ClientBuilder::new()
            .base_url(base_url)
            .static_token(token)
            .build()
    }

    pub(crate) fn from_parts(
        base_url: &str,
        http: reqwest::Client,
        pipeline: Pipeline,
    ) -> Result<Self, Error> {
        Ok(Self {
            api: crate::api::Client::new_with_client(
                base_url.trim_end_matches('/'),
                http,
                pipeline,
            ),
        })
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        use progenitor_client::ClientInfo;
        self.api.baseurl()
    }

    /// The retry policy of API calls.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.pipeline().retry
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
