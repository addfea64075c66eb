//! The crate's one error type.
//!
//! Callers tell failures apart by variant, never by message: [`Error::Auth`]
//! for credentials and the token service, [`Error::Api`] for an answer of the
//! API outside 2xx, [`Error::Decode`] for an answer that does not parse,
//! [`Error::Transport`] for a request that got no answer. No variant's
//! `Display` or `Debug` holds a secret: bodies are cut to
//! [`MAX_BODY_CHARS`], decode errors keep only their position.

use reqwest::StatusCode;

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How much of an error body an [`ApiError`] keeps.
pub const MAX_BODY_CHARS: usize = 512;

/// Everything that can go wrong in a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Credentials were refused, or no token could be had.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The API answered with a status outside 2xx.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The API answered 2xx with a body that does not decode.
    #[error("the answer to {operation} does not decode: {reason}")]
    Decode {
        /// The operation id, such as `GetCluster`.
        operation: &'static str,
        /// The HTTP status of the answer, where known.
        status: Option<u16>,
        /// What failed, without the body's content.
        reason: String,
    },
    /// The request got no answer: connection, TLS, timeout.
    #[error("{operation}: no answer from the API")]
    Transport {
        /// The operation id.
        operation: &'static str,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The request could not be built from the given parameters.
    #[error("{operation}: invalid request: {reason}")]
    InvalidRequest {
        /// The operation id.
        operation: &'static str,
        /// Why.
        reason: String,
    },
    /// The client configuration is unusable.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A wait ended on a status that will not turn good by itself.
    #[error("gave up waiting for {what}: it is {status}")]
    WaitFailed {
        /// What was awaited.
        what: String,
        /// The status that ended the wait.
        status: String,
    },
    /// A wait reached its timeout.
    #[error("timed out after {waited:?} waiting for {what} (last status: {last_status})")]
    WaitTimedOut {
        /// What was awaited.
        what: String,
        /// The status seen last.
        last_status: String,
        /// How long it waited.
        waited: std::time::Duration,
    },
}

/// An answer of the API outside 2xx.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{operation} failed with HTTP {status}{}", body_suffix(.body))]
pub struct ApiError {
    /// The operation id, such as `CreateCluster`.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: StatusCode,
    /// The start of the answer's body, at most [`MAX_BODY_CHARS`] characters.
    pub body: String,
    /// Seconds the server asked to wait (`Retry-After`), when it said.
    pub retry_after: Option<u64>,
}

fn body_suffix(body: &str) -> String {
    if body.is_empty() {
        String::new()
    } else {
        format!(": {body}")
    }
}

/// Failures of authentication.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The token service refused the client id and secret (HTTP 400 or 401).
    #[error("the token service refused the credentials of client {client_id} (HTTP {status}); check CAMUNDA_CONSOLE_CLIENT_ID and CAMUNDA_CONSOLE_CLIENT_SECRET")]
    InvalidCredentials {
        /// The client id used (an id is not a secret).
        client_id: String,
        /// The status the token service answered.
        status: u16,
    },
    /// The token service kept answering 429 or 5xx, or could not be reached,
    /// until the deadline.
    #[error("no token from the token service: {reason}")]
    TokenServiceUnavailable {
        /// What happened last.
        reason: String,
        /// HTTP status of the last answer, if there was one.
        status: Option<u16>,
    },
    /// The token service answered 2xx with something that is not a token.
    #[error("the token service answered with something that is not a token: {0}")]
    InvalidTokenResponse(String),
    /// The token service refused the request itself (a 4xx that does not
    /// blame the credentials: `invalid_request`, `invalid_scope`, a proxy's
    /// page). Not remembered and not retried.
    #[error("the token service refused the token request (HTTP {status}{}); check the token URL and the audience", oauth_suffix(.oauth_error))]
    TokenRequestRefused {
        /// The status the token service answered.
        status: u16,
        /// The standard OAuth error code of the answer, if it had one.
        oauth_error: Option<&'static str>,
    },
    /// The token answer was larger than the configured limit.
    #[error("the token answer is larger than {limit} bytes (see ClientBuilder::max_token_response_bytes)")]
    TokenResponseTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The API refused the token (401), a fresh one too where the client
    /// can fetch one.
    #[error("the API refused the access token for {operation} (HTTP 401)")]
    TokenRejected {
        /// The operation id.
        operation: &'static str,
    },
}

impl Error {
    /// The HTTP status of the answer behind this error, where there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode { status, .. } => status.and_then(|s| StatusCode::from_u16(s).ok()),
            Error::Auth(AuthError::InvalidCredentials { status, .. }) => {
                StatusCode::from_u16(*status).ok()
            }
            Error::Auth(AuthError::TokenServiceUnavailable { status, .. }) => {
                status.and_then(|s| StatusCode::from_u16(s).ok())
            }
            Error::Auth(AuthError::TokenRequestRefused { status, .. }) => {
                StatusCode::from_u16(*status).ok()
            }
            Error::Auth(AuthError::TokenRejected { .. }) => Some(StatusCode::UNAUTHORIZED),
            _ => None,
        }
    }

    /// Whether sending the same call again is safe and may succeed: the
    /// statuses the API documents as "try again" for the operation, 429 and
    /// 503 (nothing was done), 408, 502, 504 and lost connections for GET,
    /// PUT and DELETE, a refused connection for any method, and an
    /// unavailable token service. A POST that may have reached the server is
    /// not retryable: it could create twice.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { operation, source } => {
                source.is_connect() || idempotent_operation(operation)
            }
            Error::Api(e) => {
                crate::retry::documented_retry_statuses(e.operation).contains(&e.status.as_u16())
                    || matches!(e.status.as_u16(), 429 | 503)
                    || (is_retryable_status(e.status) && idempotent_operation(e.operation))
            }
            Error::Auth(AuthError::TokenServiceUnavailable { .. }) => true,
            _ => false,
        }
    }

    /// Whether this is an authentication failure (and not an API answer).
    pub fn is_auth(&self) -> bool {
        matches!(self, Error::Auth(_))
    }

    /// The API error, if this is one.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }
}

fn idempotent_operation(operation_id: &str) -> bool {
    crate::api::OPERATIONS
        .iter()
        .find(|op| op.id == operation_id)
        .is_some_and(|op| matches!(op.http_method, "GET" | "PUT" | "DELETE" | "HEAD"))
}

/// The statuses generally worth a retry.
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 502 | 503 | 504)
}

fn oauth_suffix(code: &Option<&'static str>) -> String {
    code.map(|code| format!(", {code}")).unwrap_or_default()
}

/// Cut `text` to at most [`MAX_BODY_CHARS`] characters.
pub(crate) fn cut_body(text: &str) -> String {
    let mut out: String = text.chars().take(MAX_BODY_CHARS).collect();
    if text.chars().nth(MAX_BODY_CHARS).is_some() {
        out.push('…');
    }
    out
}
