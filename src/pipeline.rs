//! The request pipeline: the progenitor hooks that authenticate every
//! request, and the translation of progenitor's errors into [`crate::Error`].
//!
//! progenitor's `pre` hook can only fail with `Error::Custom(String)`. To keep
//! authentication failures typed, each public call runs inside a task-local
//! [`CallState`]; the hook leaves the typed error there and [`Client::call`]
//! picks it up.

use std::{
    future::Future,
    sync::{
        atomic::{AtomicU32, Ordering},
        Mutex,
    },
};

use futures_util::StreamExt;
use progenitor_client::{ByteStream, ClientHooks, ClientInfo, OperationInfo, ResponseValue};
use reqwest::header::AUTHORIZATION;
use tokio::time::Instant;
use tracing::Instrument;

use crate::{
    auth::Auth,
    error::{cut_body, ApiError, AuthError, Error, Result},
    retry::{
        error_is_retryable, status_is_retryable,
        timing::{pause_before_retry, retry_after},
        RetryPolicy,
    },
    Client, SecretString,
};

/// What the pipeline knows of one operation of the document.
#[derive(Debug)]
pub(crate) struct Operation {
    /// The generated method name, as progenitor reports it to hooks.
    pub rust_name: &'static str,
    /// The document's operationId.
    pub id: &'static str,
    /// The HTTP method, upper case.
    pub http_method: &'static str,
    /// The path template (in the call's tracing span).
    pub path: &'static str,
    /// The names of the path template's parameters, in order.
    pub path_params: &'static [&'static str],
    /// The credential scope the operation needs (`x-camunda-scope`): a
    /// scope name, `any` (any valid token) or `none` (no token). The
    /// emulator enforces it.
    #[cfg_attr(not(feature = "emulator"), allow(dead_code))] // only the emulator routes by it
    pub scope: &'static str,
    /// Whether the operation needs a bearer token.
    pub authenticated: bool,
    /// Whether its request or answer holds a secret: error bodies are withheld.
    pub carries_secrets: bool,
}

/// The operation for a generated method name. Unknown names cannot occur:
/// `build.rs` generates both from the same document.
pub(crate) fn operation(method_name: &str) -> &'static Operation {
    static UNKNOWN: Operation = Operation {
        rust_name: "unknown",
        id: "unknown",
        http_method: "",
        path: "",
        path_params: &[],
        scope: "unknown",
        authenticated: true,
        carries_secrets: true,
    };
    crate::api::OPERATIONS
        .iter()
        .find(|op| op.rust_name == method_name)
        .unwrap_or(&UNKNOWN)
}

/// Refuse path parameters that a URL parser (or a server decoding once
/// more) would read as a dot segment or an empty segment: `..` as a secret
/// name must not turn `DELETE /clusters/c1/secrets/..` into
/// `DELETE /clusters/c1/`. Checked before any token fetch or request.
pub(crate) fn check_path_params(operation: &Operation, values: &[&str]) -> Result<()> {
    for (name, value) in operation.path_params.iter().zip(values) {
        if is_dot_or_empty_segment(value) {
            return Err(Error::InvalidRequest {
                operation: operation.id,
                reason: format!(
                    "the path parameter {name} must not be empty, \".\" or \"..\" (also percent-encoded)"
                ),
            });
        }
    }
    Ok(())
}

/// Whether `value`, percent-decoded as often as it changes, is empty, `.`
/// or `..`. Each round that decodes something makes the text shorter, so
/// the loop ends.
fn is_dot_or_empty_segment(value: &str) -> bool {
    let mut text = std::borrow::Cow::Borrowed(value);
    loop {
        if matches!(text.as_ref(), "" | "." | "..") {
            return true;
        }
        let decoded: Vec<u8> = percent_encoding::percent_decode_str(&text).collect();
        if decoded.as_slice() == text.as_bytes() {
            return false;
        }
        text = std::borrow::Cow::Owned(String::from_utf8_lossy(&decoded).into_owned());
    }
}

/// Shared state of a client: how it authenticates and retries.
#[derive(Clone, Debug)]
pub struct Pipeline {
    pub(crate) auth: Auth,
    pub(crate) retry: RetryPolicy,
}

/// Per-call state, reachable from the hooks.
struct CallState {
    operation: &'static Operation,
    auth_error: Mutex<Option<AuthError>>,
    attempts: AtomicU32,
}

/// The operation of the running call: from the call scope, or (for direct
/// use of the generated client) by name.
fn current_operation(info: &OperationInfo) -> &'static Operation {
    CALL.try_with(|state| state.operation)
        .unwrap_or_else(|_| operation(info.operation_id))
}

tokio::task_local! {
    static CALL: CallState;
}

fn remember_auth_error(error: AuthError) {
    // Outside a call scope (a direct use of the generated client) the error
    // still fails the request, as `Error::Custom`.
    let _ = CALL.try_with(|state| {
        if let Ok(mut slot) = state.auth_error.lock() {
            *slot = Some(error);
        }
    });
}

impl ClientHooks<Pipeline> for crate::api::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> std::result::Result<(), progenitor_client::Error<E>> {
        if !current_operation(info).authenticated {
            return Ok(());
        }
        match self.inner().auth.header().await {
            Ok(header) => {
                request.headers_mut().insert(AUTHORIZATION, header);
                Ok(())
            }
            Err(error) => {
                let message = error.to_string();
                remember_auth_error(error);
                Err(progenitor_client::Error::Custom(message))
            }
        }
    }

    /// Send the request; on a 401 fetch one new token and send once more; on
    /// a retryable failure send again within the retry policy.
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let op = current_operation(info);
        let pipeline = self.inner();
        let started = Instant::now();
        let mut request = request;
        let mut refreshed = false;
        let mut retries = 0;
        loop {
            let _ = CALL.try_with(|state| state.attempts.fetch_add(1, Ordering::Relaxed));
            let method = request.method().clone();
            let again = request.try_clone();
            let result = self.client().execute(request).await;
            let Some(mut again) = again else {
                return result;
            };

            if let Ok(response) = &result {
                if response.status() == reqwest::StatusCode::UNAUTHORIZED
                    && op.authenticated
                    && !refreshed
                {
                    refreshed = true;
                    let used = bearer_of(&again);
                    if !pipeline.auth.reject(&used) {
                        return result;
                    }
                    tracing::debug!(
                        operation = op.id,
                        "the API refused the token; fetching a new one"
                    );
                    match pipeline.auth.header().await {
                        Ok(header) => {
                            again.headers_mut().insert(AUTHORIZATION, header);
                            request = again;
                            continue;
                        }
                        Err(error) => {
                            remember_auth_error(error);
                            return result;
                        }
                    }
                }
            }

            let retryable = match &result {
                Ok(response) => status_is_retryable(&method, op.id, response.status().as_u16()),
                Err(error) => error_is_retryable(&method, error),
            };
            if !retryable || retries >= pipeline.retry.max_retries {
                return result;
            }
            let server_pause = result
                .as_ref()
                .ok()
                .and_then(|response| retry_after(response.headers()));
            retries += 1;
            let pause = pause_before_retry(server_pause, || pipeline.retry.backoff(retries));
            if started.elapsed().saturating_add(pause) > pipeline.retry.deadline {
                return result;
            }
            tracing::debug!(
                operation = op.id,
                retry = retries,
                pause_ms = pause.as_millis() as u64,
                "retrying"
            );
            tokio::time::sleep(pause).await;
            request = again;
        }
    }
}

fn bearer_of(request: &reqwest::Request) -> SecretString {
    let header = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    SecretString::new(
        header
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default(),
    )
}

impl Client {
    /// Run one generated call in a call scope and translate its error.
    pub(crate) async fn call<T, E: ErrorBody>(
        &self,
        operation: &'static Operation,
        request: impl Future<
            Output = std::result::Result<ResponseValue<T>, progenitor_client::Error<E>>,
        >,
    ) -> Result<ResponseValue<T>> {
        let span = tracing::info_span!(
            "camunda_admin.call",
            operation = operation.id,
            method = operation.http_method,
            path = operation.path,
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let (result, auth_error, attempts) = CALL
            .scope(
                CallState {
                    operation,
                    auth_error: Mutex::new(None),
                    attempts: AtomicU32::new(0),
                },
                async {
                    let result = request.await;
                    let auth_error =
                        CALL.with(|s| s.auth_error.lock().ok().and_then(|mut slot| slot.take()));
                    let attempts = CALL.with(|s| s.attempts.load(Ordering::Relaxed));
                    (result, auth_error, attempts)
                },
            )
            .instrument(span.clone())
            .await;
        let result = match result {
            Ok(value) => Ok(value),
            Err(error) => Err(translate(operation, error, auth_error).await),
        };
        let status = match &result {
            Ok(value) => Some(value.status().as_u16()),
            Err(error) => error.status().map(|s| s.as_u16()),
        };
        if let Some(status) = status {
            span.record("status", status);
        }
        span.record("attempts", attempts);
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        span.in_scope(|| match &result {
            Ok(_) => tracing::debug!("call succeeded"),
            Err(error) => tracing::debug!(%error, "call failed"),
        });
        result
    }
}

/// The body type of documented error answers: a text stream, or nothing for
/// operations that document no error.
pub(crate) trait ErrorBody {
    /// The body as text, cut to a readable length.
    fn into_text(self) -> impl Future<Output = String>;
}

impl ErrorBody for ByteStream {
    fn into_text(self) -> impl Future<Output = String> {
        read_limited(self)
    }
}

impl ErrorBody for () {
    async fn into_text(self) -> String {
        String::new()
    }
}

async fn translate<E: ErrorBody>(
    operation: &'static Operation,
    error: progenitor_client::Error<E>,
    auth_error: Option<AuthError>,
) -> Error {
    use progenitor_client::Error as P;
    let op = operation.id;
    match error {
        P::Custom(reason) => match auth_error {
            Some(auth) => Error::Auth(auth),
            None => Error::InvalidRequest {
                operation: op,
                reason,
            },
        },
        P::InvalidRequest(reason) => Error::InvalidRequest {
            operation: op,
            reason,
        },
        P::CommunicationError(source)
        | P::InvalidUpgrade(source)
        | P::ResponseBodyError(source) => Error::Transport {
            operation: op,
            source,
        },
        P::InvalidResponsePayload(_, source) => Error::Decode {
            operation: op,
            // progenitor keeps the body but not the status of such an answer.
            status: None,
            reason: decode_reason(&source),
        },
        P::ErrorResponse(value)
            if value.status() == reqwest::StatusCode::UNAUTHORIZED && operation.authenticated =>
        {
            Error::Auth(auth_error.unwrap_or(AuthError::TokenRejected { operation: op }))
        }
        P::UnexpectedResponse(response)
            if response.status() == reqwest::StatusCode::UNAUTHORIZED
                && operation.authenticated =>
        {
            Error::Auth(auth_error.unwrap_or(AuthError::TokenRejected { operation: op }))
        }
        P::ErrorResponse(value) => {
            let status = value.status();
            let retry_after = retry_after(value.headers()).map(|d| d.as_secs());
            let body = if keeps_body(operation, status) {
                value.into_inner().into_text().await
            } else {
                WITHHELD.to_owned()
            };
            api_error(op, status, body, retry_after)
        }
        P::UnexpectedResponse(response) => {
            let status = response.status();
            let retry_after = retry_after(response.headers()).map(|d| d.as_secs());
            let body = if keeps_body(operation, status) {
                read_limited(ByteStream::new(Box::pin(response.bytes_stream()))).await
            } else {
                WITHHELD.to_owned()
            };
            api_error(op, status, body, retry_after)
        }
    }
}

/// What an [`ApiError`] says instead of a body that may hold a secret.
const WITHHELD: &str = "(body withheld: this operation carries secrets)";

/// Error bodies help; but a 2xx the document did not list may hold the very
/// secret a create returned, and a server may echo a secret request body.
fn keeps_body(operation: &Operation, status: reqwest::StatusCode) -> bool {
    !status.is_success() && !operation.carries_secrets
}

fn api_error(
    operation: &'static str,
    status: reqwest::StatusCode,
    body: String,
    retry_after: Option<u64>,
) -> Error {
    Error::Api(ApiError {
        operation,
        status,
        body: cut_body(body.trim()),
        retry_after,
    })
}

/// The position and category of a JSON error, never the offending text (it
/// may be a secret the server sent).
pub(crate) fn decode_reason(error: &serde_json::Error) -> String {
    let category = match error.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Data => "JSON of an unexpected shape",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    format!(
        "{category} at line {} column {}",
        error.line(),
        error.column()
    )
}

/// Read at most a few KiB of an error body; the rest is not worth the wait.
async fn read_limited(stream: ByteStream) -> String {
    const LIMIT: usize = 8 * 1024;
    let mut stream = stream.into_inner();
    let mut buf = Vec::new();
    while let Some(Ok(chunk)) = stream.next().await {
        buf.extend_from_slice(&chunk);
        if buf.len() >= LIMIT {
            buf.truncate(LIMIT);
            break;
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// The whole body of a text answer (the activity CSV).
pub(crate) async fn read_text(
    operation: &'static Operation,
    value: ResponseValue<ByteStream>,
) -> Result<String> {
    let status = Some(value.status().as_u16());
    let mut stream = value.into_inner().into_inner();
    let mut buf = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|source| Error::Transport {
            operation: operation.id,
            source,
        })?;
        buf.extend_from_slice(&chunk);
    }
    String::from_utf8(buf).map_err(|e| Error::Decode {
        operation: operation.id,
        status,
        reason: format!(
            "the text is not UTF-8 (at byte {})",
            e.utf8_error().valid_up_to()
        ),
    })
}
