//! The client-credentials exchange, through the `oauth2` crate over the
//! crate's one `reqwest` client.
//!
//! `oauth2` reports a failed token answer without its status or
//! `Retry-After`, which decide between "wrong credentials" and "try later".
//! The small HTTP adapter here records both for the exchange that made the
//! request.

use std::{sync::Mutex, time::Duration};

use oauth2::{
    basic::BasicClient,
    basic::{BasicErrorResponse, BasicErrorResponseType},
    AuthType, ClientId, ClientSecret, RequestTokenError, TokenResponse, TokenUrl,
};

use super::Credentials;
use crate::retry::timing::retry_after;

/// A token as the token service issued it.
pub(crate) struct IssuedToken {
    pub access_token: crate::SecretString,
    /// Lifetime stated by the service (`expires_in`), if it stated one.
    pub expires_in: Option<Duration>,
}

/// Why an exchange failed, as the token cache needs to know it.
#[derive(Debug)]
pub(crate) enum ExchangeError {
    /// 400 or 401: the credentials are wrong. Asking again will not help.
    Rejected { status: u16 },
    /// 429, 5xx, or no answer: worth another try after a pause.
    Unavailable {
        status: Option<u16>,
        retry_after: Option<Duration>,
        reason: String,
    },
    /// A 2xx answer that is not a token, or an unusable configuration.
    Invalid(String),
}

/// The status and `Retry-After` of the last answer, kept by the adapter.
#[derive(Default)]
struct LastAnswer {
    status: Option<u16>,
    retry_after: Option<Duration>,
}

/// Run one client-credentials exchange.
pub(crate) async fn exchange(
    http: &reqwest::Client,
    token_url: &str,
    audience: &str,
    credentials: &Credentials,
) -> Result<IssuedToken, ExchangeError> {
    let token_url = TokenUrl::new(token_url.to_owned())
        .map_err(|_| ExchangeError::Invalid("the token URL is not a valid URL".into()))?;
    let client = BasicClient::new(ClientId::new(credentials.client_id.clone()))
        .set_client_secret(ClientSecret::new(
            credentials.client_secret.expose_secret().to_owned(),
        ))
        .set_auth_type(AuthType::RequestBody)
        .set_token_uri(token_url);

    let last = Mutex::new(LastAnswer::default());
    let adapter = Adapter { http, last: &last };
    let result = client
        .exchange_client_credentials()
        .add_extra_param("audience", audience)
        .request_async(&adapter)
        .await;
    let (status, retry_after) = last
        .lock()
        .map(|l| (l.status, l.retry_after))
        .unwrap_or((None, None));

    match result {
        Ok(token) => Ok(IssuedToken {
            access_token: crate::SecretString::new(token.access_token().secret().clone()),
            expires_in: token.expires_in(),
        }),
        Err(error) => Err(classify(error, status, retry_after)),
    }
}

fn classify<RE: std::error::Error + 'static>(
    error: RequestTokenError<RE, BasicErrorResponse>,
    status: Option<u16>,
    retry_after: Option<Duration>,
) -> ExchangeError {
    match status {
        Some(401) => ExchangeError::Rejected { status: 401 },
        // A 400 blames the credentials only when its OAuth error code does; a
        // wrong audience or grant is a configuration error, not remembered.
        Some(400) => match &error {
            RequestTokenError::ServerResponse(response) => match response.error() {
                BasicErrorResponseType::InvalidClient
                | BasicErrorResponseType::UnauthorizedClient
                | BasicErrorResponseType::InvalidGrant => ExchangeError::Rejected { status: 400 },
                other => ExchangeError::Invalid(format!(
                    "the token service refused the request (HTTP 400, {}); check the token URL and the audience",
                    other.as_ref()
                )),
            },
            _ => ExchangeError::Rejected { status: 400 },
        },
        Some(code) if code == 429 || code >= 500 || code == 408 => ExchangeError::Unavailable {
            status: Some(code),
            retry_after,
            reason: format!("the token service answered HTTP {code}"),
        },
        Some(code) if !(200..300).contains(&code) => {
            ExchangeError::Invalid(format!("the token service answered HTTP {code}"))
        }
        Some(_) => ExchangeError::Invalid(match error {
            // The body may hold the token: name the problem, not the content.
            RequestTokenError::Parse(e, _) => format!("unreadable token answer at {}", e.path()),
            _ => "unusable token answer".to_owned(),
        }),
        None => ExchangeError::Unavailable {
            status: None,
            retry_after: None,
            reason: match error {
                RequestTokenError::Request(e) => {
                    format!("no answer from the token service: {}", error_chain(&e))
                }
                _ => "no answer from the token service".to_owned(),
            },
        },
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

/// The HTTP adapter `oauth2` calls: one request on the shared client.
struct Adapter<'a> {
    http: &'a reqwest::Client,
    last: &'a Mutex<LastAnswer>,
}

impl<'c> oauth2::AsyncHttpClient<'c> for Adapter<'_> {
    type Error = reqwest::Error;
    type Future = std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<oauth2::HttpResponse, reqwest::Error>>
                + Send
                + 'c,
        >,
    >;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(send(self.http, request, self.last))
    }
}

async fn send(
    http: &reqwest::Client,
    request: oauth2::HttpRequest,
    last: &Mutex<LastAnswer>,
) -> Result<oauth2::HttpResponse, reqwest::Error> {
    let request = reqwest::Request::try_from(request)?;
    let response = http.execute(request).await?;
    let status = response.status();
    let headers = response.headers().clone();
    if let Ok(mut l) = last.lock() {
        l.status = Some(status.as_u16());
        l.retry_after = retry_after(&headers);
    }
    let body = response.bytes().await?;
    let mut builder = http::Response::builder().status(status);
    if let Some(h) = builder.headers_mut() {
        *h = headers;
    }
    // A builder with a valid status and headers copied from a response cannot fail.
    Ok(builder.body(body.to_vec()).unwrap_or_default())
}
