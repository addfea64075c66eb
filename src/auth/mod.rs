//! How requests are authenticated.

use crate::{error::AuthError, SecretString};

/// The source of bearer tokens of a client.
#[derive(Clone)]
pub(crate) enum Auth {
    /// A token obtained elsewhere, used as is.
    Static(SecretString),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::Static(_) => f.write_str("StaticToken(***)"),
        }
    }
}

impl Auth {
    /// A bearer token for the next request.
    pub(crate) async fn bearer(&self) -> Result<SecretString, AuthError> {
        match self {
            Auth::Static(token) => Ok(token.clone()),
        }
    }
}
