//! Calls by [`OperationId`] with JSON in and JSON out, for tools that work
//! from the operation table (the `camunda-admin` command line, scripts in
//! other languages' shapes): [`Client::call_json`] runs the operation's
//! typed method, so every check, retry and redaction applies;
//! [`Client::prepare_json`] shows the same call's request without sending
//! it (`--dry-run`).

use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

use crate::{
    error::{Error, Result},
    operation::OperationId,
    pipeline::{check_path_params, encode_path_segment},
    Client,
};

/// The arguments of one call: path parameters in template order, query
/// parameters by their name in the document, and the JSON body.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct JsonCall {
    /// Path parameters, in the order of the path template.
    pub path: Vec<String>,
    /// Query parameters given, by name.
    pub query: Vec<(String, String)>,
    /// The request body, for operations that take one (`None`: an empty
    /// object, so that a missing required field is named).
    pub body: Option<Value>,
}

#[allow(
    dead_code,
    reason = "the query readers serve documents with query parameters"
)]
impl JsonCall {
    /// A call with these path parameters and nothing else.
    pub fn new(path: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            path: path.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }

    /// With this body.
    pub fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// With this query parameter.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    pub(crate) fn path_param(&self, id: OperationId, i: usize) -> Result<String> {
        self.path.get(i).cloned().ok_or_else(|| {
            let name = id.operation().path_params.get(i).map_or("?", |p| p.name);
            invalid(id, format!("the path parameter {name} is missing"))
        })
    }

    pub(crate) fn required_query<T>(&self, id: OperationId, name: &str) -> Result<T>
    where
        T: std::str::FromStr,
        T::Err: std::fmt::Display,
    {
        self.optional_query(id, name)?
            .ok_or_else(|| invalid(id, format!("the query parameter {name} is missing")))
    }

    pub(crate) fn optional_query<T>(&self, id: OperationId, name: &str) -> Result<Option<T>>
    where
        T: std::str::FromStr,
        T::Err: std::fmt::Display,
    {
        let Some((_, text)) = self.query.iter().find(|(n, _)| n == name) else {
            return Ok(None);
        };
        text.parse()
            .map(Some)
            .map_err(|e| invalid(id, format!("the query parameter {name}: {e}")))
    }

    /// The body as the operation's request type. serde's message can quote
    /// a value, so it is shown only for operations without secrets.
    pub(crate) fn decode_body<T: DeserializeOwned>(&self, id: OperationId) -> Result<T> {
        let body = self
            .body
            .clone()
            .unwrap_or_else(|| Value::Object(Default::default()));
        serde_json::from_value(body).map_err(|e| {
            invalid(
                id,
                if id.operation().carries_secrets {
                    "the request body does not fit the operation (a field has the wrong type, is unknown or is missing)".to_owned()
                } else {
                    format!("the request body does not fit the operation: {e}")
                },
            )
        })
    }
}

/// What an operation answered: every answer of the API is one of these.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonAnswer {
    /// A JSON answer (secrets in it are plain: it is the caller's to guard).
    Json(Value),
    /// A text answer.
    Text(String),
    /// No body.
    Empty,
}

/// A call's request as it would be sent, with every secret replaced.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PreparedRequest {
    /// The operation.
    pub operation: OperationId,
    /// The HTTP method.
    pub method: http::Method,
    /// The full URL, path parameters encoded, query parameters added.
    pub url: String,
    /// The JSON body as the operation's request type writes it, secret
    /// fields replaced by [`PreparedRequest::REDACTED`].
    pub body: Option<Value>,
}

impl PreparedRequest {
    /// What stands for a secret value.
    pub const REDACTED: &'static str = "<redacted>";
}

impl Client {
    /// The request [`Client::call_json`] would send for `call`, without
    /// sending anything: the path parameters checked and encoded, the body
    /// read as the operation's request type (so a body that would be
    /// refused is refused here too) and every secret field replaced.
    pub fn prepare_json(&self, id: OperationId, call: &JsonCall) -> Result<PreparedRequest> {
        let operation = id.operation();
        let url = url_for(self.base_url(), operation, &call.path, &call.query)?;
        let body = crate::api::typed_body(id, call)?.map(|mut body| {
            let fields = operation.body.as_ref().map_or(&[][..], |b| b.fields);
            if let Value::Object(map) = &mut body {
                for field in fields.iter().filter(|f| f.secret) {
                    if let Some(value) = map.get_mut(field.name) {
                        *value = Value::String(PreparedRequest::REDACTED.to_owned());
                    }
                }
            }
            body
        });
        Ok(PreparedRequest {
            operation: id,
            method: operation.method.clone(),
            url: url.to_string(),
            body,
        })
    }
}

/// The URL of `operation` with these path parameters (checked and
/// encoded, as every call's) and the query parameters it declares.
pub(crate) fn url_for(
    base_url: &str,
    operation: &'static crate::operation::Operation,
    path_values: &[String],
    query: &[(String, String)],
) -> Result<url::Url> {
    let id = operation.id;
    check_path_params(operation, path_values)?;
    let mut path = String::new();
    let mut values = path_values.iter();
    for (i, piece) in operation.path.split('{').enumerate() {
        match piece.split_once('}') {
            Some((_, rest)) if i > 0 => {
                let value = values
                    .next()
                    .ok_or_else(|| invalid(id, "a path parameter is missing".to_owned()))?;
                path.push_str(&encode_path_segment(value));
                path.push_str(rest);
            }
            _ => path.push_str(piece),
        }
    }
    let mut url = url::Url::parse(&format!("{base_url}{path}"))
        .map_err(|e| invalid(id, format!("no URL can be made: {e}")))?;
    for param in operation.query_params {
        if let Some((name, value)) = query.iter().find(|(n, _)| n == param.name) {
            url.query_pairs_mut().append_pair(name, value);
        }
    }
    Ok(url)
}

/// A typed value as JSON (an answer, or a typed request body).
pub(crate) fn encode<T: Serialize>(id: OperationId, value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| Error::Decode {
        operation: id,
        status: None,
        reason: format!("the value cannot be written as JSON: {e}"),
    })
}

fn invalid(id: OperationId, reason: String) -> Error {
    Error::InvalidRequest {
        operation: id,
        reason,
    }
}
