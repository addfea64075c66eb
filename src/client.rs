//! The public client and its construction.

use crate::{auth::Auth, error::Error, pipeline::Pipeline, SecretString};

/// Default base URL of the Administration API.
pub const DEFAULT_BASE_URL: &str = "https://api.cloud.camunda.io";

/// A client of the Camunda 8 Administration API.
///
/// Cheap to clone: clones share the HTTP connection pool and the token cache.
/// One async method per operation of the API is generated from the OpenAPI
/// document (see the crate documentation for the list).
#[derive(Clone)]
pub struct Client {
    pub(crate) api: crate::api::Client,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use progenitor_client::ClientInfo;
        f.debug_struct("Client")
            .field("base_url", &self.api.baseurl())
            .field("auth", &self.api.inner().auth)
            .finish()
    }
}

impl Client {
    /// A client that sends `token` as its bearer token, for users who obtain
    /// tokens elsewhere. `base_url` may end with a slash or carry a path.
    pub fn with_static_token(base_url: &str, token: impl Into<SecretString>) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        Self::from_parts(base_url, http, Auth::Static(token.into()))
    }

    pub(crate) fn from_parts(base_url: &str, http: reqwest::Client, auth: Auth) -> Result<Self, Error> {
        let base_url = normalize_base_url(base_url)?;
        Ok(Self {
            api: crate::api::Client::new_with_client(&base_url, http, Pipeline { auth }),
        })
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        use progenitor_client::ClientInfo;
        self.api.baseurl()
    }
}

/// Check a base URL and drop its trailing slashes, since generated paths
/// start with one.
fn normalize_base_url(base_url: &str) -> Result<String, Error> {
    let parsed = reqwest::Url::parse(base_url).map_err(|e| Error::Config(format!("invalid base URL {base_url:?}: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::Config(format!("the base URL {base_url:?} is not http or https")));
    }
    Ok(base_url.trim_end_matches('/').to_owned())
}
