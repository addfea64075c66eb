//! The client-credentials exchange, through the `oauth2` crate over the
//! crate's one `reqwest` client.
//!
//! `oauth2` reports a failed token answer without its status or
//! `Retry-After`, which decide between "wrong credentials" and "try later".
//! The small HTTP adapter here records both for the exchange that made the
//! request, and reads the answer with a cap. Every answer is classified once,
//! in [`classify`]; no text of the answer reaches an error: an OAuth error
//! is reduced to its standard code, a token answer that does not parse to
//! the field and position at fault.

use std::{sync::Mutex, time::Duration};

use oauth2::{
    basic::{BasicErrorResponse, BasicTokenType},
    AccessToken, AuthType, ClientId, ClientSecret, RefreshToken, RequestTokenError, Scope,
    TokenResponse, TokenUrl,
};

use serde::Deserialize as _;

use super::Credentials;
use crate::retry::timing::retry_after;

/// The default cap on a token answer's body.
pub(crate) const DEFAULT_MAX_TOKEN_RESPONSE_BYTES: usize = 64 * 1024;

/// A token as the token service handed it out.
pub(crate) struct ReceivedToken {
    pub access_token: crate::SecretString,
    /// Lifetime stated by the service (`expires_in`), if it stated one.
    pub expires_in: Option<Duration>,
}

/// How one token request ended, as the token cache needs to know it.
#[derive(Debug)]
pub(crate) enum ExchangeError {
    /// 401, or an OAuth code that blames the credentials: asking again with
    /// the same secret will not help.
    Refused { status: u16 },
    /// 408, 429, 5xx, or no answer: worth another try after a pause.
    Unavailable {
        status: Option<u16>,
        retry_after: Option<Duration>,
        reason: String,
    },
    /// Any other 4xx (a proxy's page, `invalid_request`, `invalid_scope`):
    /// neither the credentials' fault nor worth a retry.
    RequestRefused {
        status: u16,
        oauth_error: Option<&'static str>,
    },
    /// The answer was larger than the cap.
    TooLarge { limit: usize },
    /// An answer that is not a token, or an unusable configuration.
    Invalid(String),
}

/// Where the token endpoint is and how much of its answer to read.
pub(crate) struct Endpoint<'a> {
    pub http: &'a reqwest::Client,
    pub token_url: &'a str,
    pub audience: &'a str,
    pub max_response_bytes: usize,
}

/// Run one client-credentials exchange.
pub(crate) async fn exchange(
    endpoint: &Endpoint<'_>,
    credentials: &Credentials,
) -> Result<ReceivedToken, ExchangeError> {
    let token_url = TokenUrl::new(endpoint.token_url.to_owned())
        .map_err(|_| ExchangeError::Invalid("the token URL is not a valid URL".into()))?;
    let client = TokenClient::new(ClientId::new(credentials.client_id.clone()))
        .set_client_secret(ClientSecret::new(
            credentials.client_secret.expose_secret().to_owned(),
        ))
        .set_auth_type(AuthType::RequestBody)
        .set_token_uri(token_url);

    let last = Mutex::new(LastAnswer::default());
    let adapter = Adapter {
        endpoint,
        last: &last,
    };
    let result = client
        .exchange_client_credentials()
        .add_extra_param("audience", endpoint.audience)
        .request_async(&adapter)
        .await;
    let last = last.lock().map(|l| *l).unwrap_or_default();

    match result {
        Ok(answer) => answer.into_received(),
        Err(error) => Err(classify(error, last)),
    }
}

/// The status and `Retry-After` of the last answer, kept by the adapter.
#[derive(Default, Clone, Copy)]
struct LastAnswer {
    status: Option<u16>,
    retry_after: Option<Duration>,
}

/// OAuth error codes that blame the client's credentials.
const CREDENTIAL_ERRORS: &[&str] = &["invalid_client", "unauthorized_client", "invalid_grant"];

/// The error codes of RFC 6749 and its common extensions. Anything else a
/// server puts in `error` is not repeated: it could be an echo of the request.
const STANDARD_ERRORS: &[&str] = &[
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "access_denied",
    "unsupported_response_type",
    "server_error",
    "temporarily_unavailable",
    "invalid_target",
    "invalid_token",
    "insufficient_scope",
];

/// The standard code among `STANDARD_ERRORS` equal to `code`, if any.
pub(crate) fn standard_error_code(code: &str) -> Option<&'static str> {
    STANDARD_ERRORS.iter().copied().find(|known| *known == code)
}

type TokenError = RequestTokenError<AdapterError, BasicErrorResponse>;

/// The one classification of a failed token request.
fn classify(error: TokenError, last: LastAnswer) -> ExchangeError {
    let oauth_error = match &error {
        RequestTokenError::ServerResponse(response) => {
            standard_error_code(response.error().as_ref())
        }
        _ => None,
    };
    match (&error, last.status) {
        (RequestTokenError::Request(AdapterError::TooLarge { limit }), _) => {
            ExchangeError::TooLarge { limit: *limit }
        }
        (RequestTokenError::Request(AdapterError::Transport(e)), _) => ExchangeError::Unavailable {
            status: None,
            retry_after: None,
            reason: format!("no answer from the token service: {}", error_chain(e)),
        },
        (_, None) => ExchangeError::Unavailable {
            status: None,
            retry_after: None,
            reason: "no answer from the token service".to_owned(),
        },
        (_, Some(401)) => ExchangeError::Refused { status: 401 },
        (_, Some(status @ 400..=499))
            if oauth_error.is_some_and(|code| CREDENTIAL_ERRORS.contains(&code)) =>
        {
            ExchangeError::Refused { status }
        }
        (_, Some(status)) if status == 408 || status == 429 || (500..600).contains(&status) => {
            ExchangeError::Unavailable {
                status: Some(status),
                retry_after: last.retry_after,
                reason: format!("the token service answered HTTP {status}"),
            }
        }
        (_, Some(status @ 400..=499)) => ExchangeError::RequestRefused {
            status,
            oauth_error,
        },
        (_, Some(200)) => ExchangeError::Invalid(unreadable_token(&error)),
        (_, Some(status)) => ExchangeError::Invalid(format!(
            "the token service answered HTTP {status} instead of a token"
        )),
    }
}

/// Why a 200 answer is not a token, naming no content of the answer.
fn unreadable_token(error: &TokenError) -> String {
    match error {
        RequestTokenError::Parse(e, _) => {
            // serde_path_to_error shows a field as `access_token`, the root as `.`.
            let path = e.path().to_string();
            let field = ["access_token", "expires_in", "token_type"]
                .into_iter()
                .find(|field| path == *field || path.starts_with(&format!("{field}.")));
            let inner = e.inner();
            let what = match inner.classify() {
                serde_json::error::Category::Data => "JSON of an unexpected shape",
                serde_json::error::Category::Eof => "truncated JSON",
                _ => "not JSON",
            };
            match field {
                Some(field) => format!("{what} at {field}"),
                None if inner
                    .to_string()
                    .starts_with("missing field `access_token`") =>
                {
                    "the answer has no access_token".to_owned()
                }
                None => format!("{what} at line {} column {}", inner.line(), inner.column()),
            }
        }
        _ => "the answer is not a JSON token".to_owned(),
    }
}

/// The messages of an error and its sources. Safe: transport errors carry
/// URLs and causes, never request bodies.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

/// The `oauth2` client with [`TokenAnswer`] as its token response.
type TokenClient<HasTokenUrl = oauth2::EndpointNotSet> = oauth2::Client<
    BasicErrorResponse,
    TokenAnswer,
    oauth2::basic::BasicTokenIntrospectionResponse,
    oauth2::StandardRevocableToken,
    oauth2::basic::BasicRevocationErrorResponse,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    HasTokenUrl,
>;

/// A token answer. Unlike `oauth2`'s standard response it takes
/// `expires_in` as a number or a numeric string (some identity providers
/// send `"3600"`), and a missing `token_type` as `bearer`.
#[derive(Debug, serde::Deserialize, serde::Serialize)]
struct TokenAnswer {
    access_token: AccessToken,
    #[serde(default = "bearer")]
    token_type: BasicTokenType,
    #[serde(default, deserialize_with = "lenient_seconds")]
    expires_in: Option<u64>,
}

fn bearer() -> BasicTokenType {
    BasicTokenType::Bearer
}

/// Seconds as a JSON number (fractions dropped, negatives as 0) or as a
/// string holding one; `null` as absent.
fn lenient_seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    use serde::de::Error;
    let value = Option::<serde_json::Value>::deserialize(d)?;
    let number = match &value {
        None | Some(serde_json::Value::Null) => return Ok(None),
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
        Some(_) => None,
    };
    match number {
        Some(n) if n.is_finite() => Ok(Some(if n <= 0.0 { 0 } else { n as u64 })),
        _ => Err(D::Error::custom("expires_in is not a number of seconds")),
    }
}

impl TokenResponse for TokenAnswer {
    type TokenType = BasicTokenType;

    fn access_token(&self) -> &AccessToken {
        &self.access_token
    }
    fn token_type(&self) -> &BasicTokenType {
        &self.token_type
    }
    fn expires_in(&self) -> Option<Duration> {
        self.expires_in.map(Duration::from_secs)
    }
    fn refresh_token(&self) -> Option<&RefreshToken> {
        None
    }
    fn scopes(&self) -> Option<&Vec<Scope>> {
        None
    }
}

impl TokenAnswer {
    fn into_received(self) -> Result<ReceivedToken, ExchangeError> {
        let expires_in = TokenResponse::expires_in(&self);
        let token = self.access_token.into_secret();
        if token.trim().is_empty() {
            return Err(ExchangeError::Invalid(
                "the answer holds an empty access_token".into(),
            ));
        }
        Ok(ReceivedToken {
            access_token: crate::SecretString::new(token),
            expires_in,
        })
    }
}

/// What the adapter reports to `oauth2` when it has no answer to hand on.
#[derive(Debug, thiserror::Error)]
enum AdapterError {
    #[error("no answer from the token service")]
    Transport(#[source] reqwest::Error),
    #[error("the token answer is larger than {limit} bytes")]
    TooLarge { limit: usize },
}

/// The HTTP adapter `oauth2` calls: one request on the shared client.
struct Adapter<'a> {
    endpoint: &'a Endpoint<'a>,
    last: &'a Mutex<LastAnswer>,
}

impl<'c> oauth2::AsyncHttpClient<'c> for Adapter<'_> {
    type Error = AdapterError;
    type Future = std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<oauth2::HttpResponse, AdapterError>>
                + Send
                + 'c,
        >,
    >;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(send(self.endpoint, request, self.last))
    }
}

async fn send(
    endpoint: &Endpoint<'_>,
    request: oauth2::HttpRequest,
    last: &Mutex<LastAnswer>,
) -> Result<oauth2::HttpResponse, AdapterError> {
    let request = reqwest::Request::try_from(request).map_err(AdapterError::Transport)?;
    let response = endpoint
        .http
        .execute(request)
        .await
        .map_err(AdapterError::Transport)?;
    let status = response.status();
    let headers = response.headers().clone();
    if let Ok(mut l) = last.lock() {
        l.status = Some(status.as_u16());
        l.retry_after = retry_after(&headers);
    }
    let body = read_capped(response, endpoint.max_response_bytes).await?;
    let mut builder = http::Response::builder().status(status);
    if let Some(h) = builder.headers_mut() {
        *h = headers;
    }
    // A builder with a valid status and headers copied from a response cannot fail.
    Ok(builder.body(body).unwrap_or_default())
}

/// The body of `response`, at most `limit` bytes. A success larger than
/// that is an error (a cut token is no token); an error answer is cut, as
/// only its status and the start of its body matter.
async fn read_capped(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, AdapterError> {
    let success = response.status().is_success();
    let announced = response.content_length().unwrap_or(0);
    if success && announced > limit as u64 {
        return Err(AdapterError::TooLarge { limit });
    }
    let mut body = Vec::with_capacity(announced.min(limit as u64) as usize);
    while let Some(chunk) = response.chunk().await.map_err(AdapterError::Transport)? {
        let room = limit - body.len();
        if chunk.len() > room {
            if success {
                return Err(AdapterError::TooLarge { limit });
            }
            body.extend_from_slice(&chunk[..room]);
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(json: &str) -> Result<TokenAnswer, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn expires_in_is_read_as_a_number_or_a_numeric_string() {
        for (json, expected) in [
            (r#"{"access_token":"t","expires_in":3600}"#, Some(3600)),
            (r#"{"access_token":"t","expires_in":"3600"}"#, Some(3600)),
            (r#"{"access_token":"t","expires_in":" 60 "}"#, Some(60)),
            (r#"{"access_token":"t","expires_in":3600.7}"#, Some(3600)),
            (r#"{"access_token":"t","expires_in":-5}"#, Some(0)),
            (r#"{"access_token":"t","expires_in":null}"#, None),
            (r#"{"access_token":"t"}"#, None),
        ] {
            let parsed = answer(json).expect(json);
            assert_eq!(parsed.expires_in, expected, "{json}");
        }
        assert!(answer(r#"{"access_token":"t","expires_in":"soon"}"#).is_err());
        assert!(answer(r#"{"access_token":"t","expires_in":[1]}"#).is_err());
    }

    #[test]
    fn only_standard_error_codes_are_repeated() {
        assert_eq!(standard_error_code("invalid_scope"), Some("invalid_scope"));
        assert_eq!(standard_error_code("client_secret=hunter2"), None);
        assert_eq!(standard_error_code("INVALID_SCOPE"), None);
    }
}
