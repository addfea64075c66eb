//! The front door of every request: the control plane under
//! `/__emulator/`, else the API. Kept apart from `server.rs` so that the
//! control plane, which drives the server's state, and the server do not
//! import each other.

use axum::http::{HeaderMap, Method, Uri};

use super::{
    control,
    server::{Answer, Shared},
};

impl Shared {
    /// The answer to a request: the control plane's, or the API's (and
    /// then journaled).
    pub(crate) async fn serve(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Answer {
        if let Some(rest) = control::route(uri.path()) {
            return Answer::Respond(control::answer(
                self,
                method,
                rest,
                uri.query(),
                headers,
                body,
            ));
        }
        self.serve_api(method, uri, headers, body).await
    }
}
