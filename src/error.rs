//! The crate's one error type.
//!
//! Callers tell failures apart by variant, never by message: [`Error::Auth`]
//! for credentials and the token service, [`Error::Api`] for an answer of the
//! API outside 2xx, [`Error::Decode`] for an answer that does not parse,
//! [`Error::Transport`] for a request that got no answer. No variant's
//! `Display` or `Debug` holds a secret: bodies are cut to
//! [`MAX_BODY_CHARS`] and cleared of the client's secrets and tokens, decode
//! errors keep only their position.

use std::time::Duration;

use reqwest::StatusCode;

use crate::{
    operation::OperationId,
    retry::{verdict, Failure, Verdict},
};

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
        operation: OperationId,
        /// The HTTP status of the answer, where known.
        status: Option<u16>,
        /// What failed, without the body's content.
        reason: String,
    },
    /// The request got no answer: connection, TLS, timeout.
    #[error("{operation}: no answer from the API")]
    Transport {
        /// The operation id.
        operation: OperationId,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The request could not be built from the given parameters.
    #[error("{operation}: invalid request: {reason}")]
    InvalidRequest {
        /// The operation id.
        operation: OperationId,
        /// Why.
        reason: String,
    },
    /// The client configuration is unusable.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A name given for a region, plan, channel or generation matched no
    /// choice of `/clusters/parameters`, or several.
    #[error(transparent)]
    Lookup(#[from] LookupError),
    /// The answer's body is larger than the client reads
    /// ([`crate::ClientBuilder::max_response_bytes`]); reading stopped there.
    #[error("the answer to {operation} is larger than {limit} bytes; reading stopped there")]
    BodyTooLarge {
        /// The operation id.
        operation: OperationId,
        /// The cap, in bytes.
        limit: usize,
    },
    /// A create failed because what it would create exists already (a
    /// `CreateSecret` answered 409 and the cluster has a secret of that
    /// name). Not retryable; [`Error::status`] is 409.
    #[error("{operation}: {name:?} exists already")]
    AlreadyExists {
        /// The operation id.
        operation: OperationId,
        /// The name that is taken.
        name: String,
    },
    /// A create failed with a status that does not prove nothing was
    /// created, and a read found that it may have been (a cluster of that
    /// name created since the call began), or could not tell. Not sent
    /// again, so nothing is created twice; look before you retry.
    #[error("{operation} answered HTTP {status}, but it may have created {}; not sent again", match .existing_id { Some(id) => format!("the resource {id}"), None => "the resource (the read that would tell failed)".to_owned() })]
    MaybeCreated {
        /// The operation id.
        operation: OperationId,
        /// The status of the failed create.
        status: u16,
        /// The id of what the read found, if the read succeeded.
        existing_id: Option<String>,
    },
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
#[non_exhaustive]
pub struct ApiError {
    /// The operation id, such as `CreateCluster`.
    pub operation: OperationId,
    /// The HTTP status.
    pub status: StatusCode,
    /// The start of the answer's body, at most [`MAX_BODY_CHARS`]
    /// characters, without the client's secrets or tokens (empty or a note
    /// for operations that carry secrets).
    pub body: String,
    /// How long the server asked to wait (`Retry-After`), when it said.
    pub retry_after: Option<Duration>,
    /// For a status that calls for a read before a resend: the read showed
    /// that nothing was created, so sending again is safe.
    cleared_by_read: bool,
}

impl ApiError {
    pub(crate) fn new(
        operation: OperationId,
        status: StatusCode,
        body: String,
        retry_after: Option<Duration>,
    ) -> Self {
        Self {
            operation,
            status,
            body,
            retry_after,
            cleared_by_read: false,
        }
    }
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
    /// The client was built without credentials
    /// ([`ClientBuilder::without_credentials`](crate::ClientBuilder::without_credentials)),
    /// and the operation needs a token.
    #[error("this client was built without credentials, and the operation needs a token; give it credentials (CAMUNDA_CONSOLE_CLIENT_ID and CAMUNDA_CONSOLE_CLIENT_SECRET, or ClientBuilder::credentials)")]
    NoCredentials,
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
        operation: OperationId,
    },
}

impl Error {
    /// This error, marked as one whose read before a resend showed that
    /// nothing was created (see [`Error::is_retryable`]).
    pub(crate) fn cleared_by_read(self) -> Self {
        match self {
            Error::Api(mut api) => {
                api.cleared_by_read = true;
                Error::Api(api)
            }
            other => other,
        }
    }

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
            Error::MaybeCreated { status, .. } => StatusCode::from_u16(*status).ok(),
            Error::AlreadyExists { .. } => Some(StatusCode::CONFLICT),
            _ => None,
        }
    }

    /// Whether sending the same call again is safe and may succeed. The
    /// pipeline asks the same rule before each of its own resends (see
    /// [`crate::retry`]), so this is `true` exactly for the failures it
    /// would send again, whatever retry budget it had left: a refused
    /// connection or a 429 for any operation; 408, 502, 503, 504 and lost
    /// answers for GET, PUT and DELETE; the statuses the API documents as
    /// "try again" (for the two creates among them, only after the read
    /// that showed nothing was created); an unavailable token service. A
    /// POST that may have reached the server is not retryable.
    pub fn is_retryable(&self) -> bool {
        let judged = |operation: &OperationId, failure, cleared_by_read| {
            match verdict(operation.operation(), failure) {
                Verdict::Resend => true,
                // Only once the read showed that nothing was created.
                Verdict::ReadFirst => cleared_by_read,
                Verdict::Final => false,
            }
        };
        match self {
            Error::Transport { operation, source } => judged(operation, Failure::of(source), false),
            Error::Api(e) => judged(
                &e.operation,
                Failure::Status(e.status.as_u16()),
                e.cleared_by_read,
            ),
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

/// A name that matched no choice, or more than one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct LookupError {
    /// What was looked up: `region`, `plan`, `channel` or `generation`.
    pub what: &'static str,
    /// The name given.
    pub name: String,
    /// Whether several choices matched (else none did).
    pub ambiguous: bool,
    /// The choices to pick from: the matching ones when ambiguous, else all
    /// of them, as `name (uuid)`.
    pub choices: Vec<String>,
}

impl std::fmt::Display for LookupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = if self.ambiguous {
            "matches several"
        } else {
            "matches no"
        };
        write!(
            f,
            "{:?} {how} {}; choose one of: {}",
            self.name,
            self.what,
            self.choices.join(", ")
        )
    }
}
