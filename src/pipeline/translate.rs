//! progenitor's errors into [`crate::Error`]: typed, with secrets removed
//! from whatever the server sent back.

use std::future::Future;

use progenitor_client::{ByteStream, Error as P};
use reqwest::StatusCode;

use super::{body, CallShared};
use crate::{
    error::{cut_body, ApiError, AuthError, Error},
    operation::Operation,
    redact::redact,
    retry::timing::retry_after,
};

/// What an [`ApiError`] says instead of a body that may hold a secret.
const WITHHELD: &str = "(body withheld: an undocumented success answer may hold a secret)";

/// The body type of documented error answers: a text stream, or nothing for
/// operations that document no error.
pub(crate) trait ErrorBody {
    /// The start of the body as text.
    fn into_text(self) -> impl Future<Output = String> + Send;
}

impl ErrorBody for ByteStream {
    fn into_text(self) -> impl Future<Output = String> + Send {
        body::read_error_body(self)
    }
}

impl ErrorBody for () {
    async fn into_text(self) -> String {
        String::new()
    }
}

/// The crate's error for a failed generated call.
pub(crate) async fn translate<E: ErrorBody>(
    call: &CallShared,
    error: P<E>,
    secrets: &[&str],
) -> Error {
    let operation = call.operation;
    let op = operation.id;
    match error {
        P::Custom(reason) | P::InvalidRequest(reason) => Error::InvalidRequest {
            operation: op,
            reason,
        },
        P::ResponseBodyError(source) if body::is_length_limit(&source) => {
            body::too_large(operation, call.max_response_bytes)
        }
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
        P::ErrorResponse(value) => {
            let (status, headers) = (value.status(), value.headers().clone());
            let body = value.into_inner();
            answer_error(call, status, &headers, || body.into_text(), secrets).await
        }
        P::UnexpectedResponse(response) => {
            let (status, headers) = (response.status(), response.headers().clone());
            let body = ByteStream::new(Box::pin(response.bytes_stream()));
            answer_error(call, status, &headers, || body.into_text(), secrets).await
        }
    }
}

/// An answer outside 2xx (or an undocumented 2xx, which never keeps its body).
async fn answer_error<F: Future<Output = String>>(
    call: &CallShared,
    status: StatusCode,
    headers: &reqwest::header::HeaderMap,
    body: impl FnOnce() -> F,
    secrets: &[&str],
) -> Error {
    let operation = call.operation;
    if status == StatusCode::UNAUTHORIZED && operation.authenticated {
        return Error::Auth(AuthError::TokenRejected {
            operation: operation.id,
        });
    }
    let body = if keeps_body(operation, status) {
        let sent = call.sent_tokens();
        let mut known: Vec<&str> = secrets.to_vec();
        known.extend(sent.iter().map(|t| t.expose_secret()));
        redact(body().await.trim(), &known)
    } else {
        WITHHELD.to_owned()
    };
    Error::Api(ApiError::new(
        operation.id,
        status,
        cut_body(&body),
        retry_after(headers),
    ))
}

/// Error bodies help (a taken name, a refused permission): they are kept,
/// with every secret the call sent replaced (the client secret, tokens,
/// the request's secret fields; see `translate`'s callers). A secret the
/// client did not send cannot be replaced; no error answer of the document
/// carries one, but a 2xx it did not list may hold the very secret a
/// create returned, so that body is withheld.
fn keeps_body(_operation: &Operation, status: StatusCode) -> bool {
    !status.is_success()
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
