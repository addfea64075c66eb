//! What an operation answers ([`Reply`] or [`Fail`]) and how answers go on
//! the wire.

use axum::{
    body::Body,
    http::{
        header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE},
        HeaderValue, StatusCode,
    },
    response::Response,
};
use serde_json::{json, Value};

/// A successful answer.
#[derive(Debug, PartialEq)]
pub(crate) enum Reply {
    /// 200 with a JSON body.
    Json(Value),
    /// 204.
    NoContent,
    /// 200 with CSV text.
    Csv(String),
}

/// An error answer.
#[derive(Debug, PartialEq)]
pub(crate) struct Fail {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
    /// `Retry-After`, in seconds.
    pub(crate) retry_after: Option<u64>,
    pub(crate) www_authenticate: Option<String>,
}

/// What an operation answers.
pub(crate) type Outcome = Result<Reply, Fail>;

impl Fail {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            retry_after: None,
            www_authenticate: None,
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }

    /// 412, the API's "not ready yet, try again".
    pub(crate) fn not_ready(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PRECONDITION_FAILED, message)
    }

    pub(crate) fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    /// The answer: JSON with `status`, `error` and `message`, or the message
    /// as plain text where the document says so (`TriggerFailover`).
    pub(crate) fn into_response(self, plain_text: bool) -> Response {
        let mut response = if plain_text {
            response(self.status, "text/plain; charset=utf-8", self.message)
        } else {
            json_response(
                self.status,
                &json!({
                    "status": self.status.as_u16(),
                    "error": self.status.canonical_reason().unwrap_or("Error"),
                    "message": self.message,
                }),
            )
        };
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        if let Some(challenge) = self.www_authenticate {
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                response.headers_mut().insert(WWW_AUTHENTICATE, value);
            }
        }
        response
    }
}

impl Reply {
    pub(crate) fn into_response(self) -> Response {
        match self {
            Reply::Json(value) => json_response(StatusCode::OK, &value),
            Reply::NoContent => {
                let mut response = Response::new(Body::empty());
                *response.status_mut() = StatusCode::NO_CONTENT;
                response
            }
            Reply::Csv(text) => response(StatusCode::OK, "text/csv; charset=utf-8", text),
        }
    }
}

fn response(status: StatusCode, content_type: &'static str, body: impl Into<Body>) -> Response {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// `value` as an `application/json` answer.
pub(crate) fn json_response(status: StatusCode, value: &Value) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    response(status, "application/json", body)
}
