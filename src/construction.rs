//! The ways to make a [`Client`]: a builder, the environment, a static
//! token. Kept apart from `client.rs` because they use the configuration,
//! which itself builds a `Client`: neither module imports the other back.

use crate::{config::ClientBuilder, error::Error, Client, SecretString};

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
}
