//! The operations of the API as data: the table `build.rs` generates from
//! the document, read by the pipeline, the retry policy and the emulator.
//! A leaf module: it imports nothing of the crate.

/// What the crate knows of one operation of the document.
#[derive(Debug)]
pub(crate) struct Operation {
    /// The method of `Client`, such as `get_cluster`; progenitor reports it
    /// to the hooks under this name too.
    pub rust_name: &'static str,
    /// The document's operationId, such as `GetCluster`.
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

impl Operation {
    /// Whether sending the request twice has the effect of sending it once.
    pub(crate) fn is_idempotent(&self) -> bool {
        matches!(self.http_method, "GET" | "HEAD" | "PUT" | "DELETE")
    }
}

include!(concat!(env!("OUT_DIR"), "/operations.rs"));

/// The operation with this operationId.
pub(crate) fn by_id(id: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| op.id == id)
}
