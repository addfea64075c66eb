//! The command table generated from the OpenAPI document
//! (`$OUT_DIR/cli.rs`, see `codegen/src/generate/cli.rs`) and the types it
//! refers to: one [`CommandSpec`] per operation, and [`dispatch`], which
//! runs an operation through the public `camunda_admin::Client` method.

use camunda_admin::types;
use serde::{de::DeserializeOwned, Serialize};

/// One command: an operation of the document and how it is named.
#[derive(Debug)]
pub struct CommandSpec {
    /// The operationId, such as `GetCluster`.
    pub id: &'static str,
    /// The subcommand, such as `clusters`.
    pub group: &'static str,
    /// Its subcommand, such as `get`; `""` is the group itself, `--csv` the
    /// group with that flag.
    pub verb: &'static str,
    /// One line from the document.
    pub summary: &'static str,
    /// The document's description.
    pub description: &'static str,
    /// The credential scope it needs.
    pub scope: &'static str,
    /// Whether it needs a bearer token (all but `GetMeta`).
    pub needs_token: bool,
    /// `GET`, `POST`, ...
    pub http_method: &'static str,
    /// The path template.
    pub path: &'static str,
    /// Path parameters in template order.
    pub path_params: &'static [ParamSpec],
    /// Query parameters.
    pub query_params: &'static [ParamSpec],
    /// The JSON body's top-level fields, if it takes a body.
    pub body: Option<BodySpec>,
    /// What it answers.
    pub output: OutputKind,
    /// Whether its request or answer holds a secret.
    pub carries_secrets: bool,
}

/// A path or query parameter.
#[derive(Debug)]
pub struct ParamSpec {
    /// Its name in the document.
    pub name: &'static str,
    /// Its flag (kebab-case).
    pub flag: &'static str,
    /// Whether it must be given.
    pub required: bool,
    /// The document's description.
    pub help: &'static str,
}

/// A request body.
#[derive(Debug)]
pub struct BodySpec {
    /// Its top-level fields.
    pub fields: &'static [FieldSpec],
}

/// A top-level field of a request body.
#[derive(Debug)]
pub struct FieldSpec {
    /// Its JSON name.
    pub name: &'static str,
    /// Its flag (kebab-case).
    pub flag: &'static str,
    /// `string`, `number`, `integer`, `boolean`, `array` or `object`.
    pub json_type: &'static str,
    /// Whether the body needs it.
    pub required: bool,
    /// Whether it holds a secret (never taken from a flag's value).
    pub secret: bool,
    /// The document's description.
    pub help: &'static str,
}

/// What an operation answers on success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    /// A JSON document.
    Json,
    /// Text (the activity log as CSV).
    Text,
    /// Nothing.
    Empty,
}

/// The arguments of one operation, gathered from the command line.
#[derive(Debug, Default)]
pub struct Invocation {
    /// Path parameters in template order.
    pub path: Vec<String>,
    /// Query parameters given, by their name in the document.
    #[allow(
        dead_code,
        reason = "read by dispatch when the document has query parameters"
    )]
    pub query: Vec<(&'static str, String)>,
    /// The JSON body, flags merged over `--body`.
    pub body: Option<serde_json::Value>,
    /// Whether serde's messages may be shown (not for bodies with secrets:
    /// they can quote a value).
    pub quote_errors: bool,
}

#[allow(
    dead_code,
    reason = "the query methods serve documents with query parameters"
)]
impl Invocation {
    /// Path parameter `i`.
    pub fn path(&self, i: usize) -> Result<String, DispatchError> {
        self.path
            .get(i)
            .cloned()
            .ok_or_else(|| DispatchError::Input(format!("path parameter {} is missing", i + 1)))
    }

    /// A required query parameter, read as the operation's type for it (the
    /// generated dispatcher names the type, so the setter's `impl Into<_>`
    /// infers).
    pub fn required_query<T>(&self, name: &str) -> Result<T, DispatchError>
    where
        T: std::str::FromStr,
        T::Err: std::fmt::Display,
    {
        self.optional_query(name)?
            .ok_or_else(|| DispatchError::Input(format!("the query parameter {name} is missing")))
    }

    /// An optional query parameter, read as the operation's type for it.
    pub fn optional_query<T>(&self, name: &str) -> Result<Option<T>, DispatchError>
    where
        T: std::str::FromStr,
        T::Err: std::fmt::Display,
    {
        let Some((_, text)) = self.query.iter().find(|(n, _)| *n == name) else {
            return Ok(None);
        };
        text.parse()
            .map(Some)
            .map_err(|e| DispatchError::Input(format!("the query parameter {name}: {e}")))
    }

    /// The body as the operation's request type.
    pub fn body<T: DeserializeOwned>(&self) -> Result<T, DispatchError> {
        let body = self.body.clone().unwrap_or_else(|| serde_json::json!({}));
        serde_json::from_value(body).map_err(|e| {
            DispatchError::Input(if self.quote_errors {
                format!("the request body does not fit the operation: {e}")
            } else {
                "the request body does not fit the operation (a field has the wrong type or is unknown)".to_owned()
            })
        })
    }
}

/// What an operation answered.
#[derive(Debug)]
pub enum Outcome {
    /// A JSON answer.
    Json(serde_json::Value),
    /// A text answer.
    Text(String),
    /// No body.
    Empty,
}

/// Why an operation did not run, or failed.
#[derive(Debug)]
pub enum DispatchError {
    /// The API call failed.
    Api(camunda_admin::Error),
    /// The arguments do not make a request.
    Input(String),
}

impl From<camunda_admin::Error> for DispatchError {
    fn from(error: camunda_admin::Error) -> Self {
        DispatchError::Api(error)
    }
}

/// An answer as JSON.
pub fn encode<T: Serialize>(value: &T) -> Result<serde_json::Value, DispatchError> {
    serde_json::to_value(value)
        .map_err(|e| DispatchError::Input(format!("the answer cannot be shown as JSON: {e}")))
}

include!(concat!(env!("OUT_DIR"), "/cli.rs"));
