//! The HTTP side: the state shared by the handle and the server task, and
//! the way from a request to its answer (the token endpoint, or route,
//! injected faults, bearer check, handler).

use std::sync::{atomic::AtomicUsize, atomic::Ordering, Arc, Mutex, MutexGuard};

use axum::{
    body::Bytes,
    extract::State,
    http::{header::ALLOW, HeaderMap, HeaderValue, Method, StatusCode, Uri},
    response::Response,
};
use chrono::{DateTime, Utc};
use tokio::time::Instant;

use super::{
    answer::Fail,
    clock::Clock,
    config::Settings,
    faults::Faults,
    handlers::Ctx,
    routes::{self, Match, Route, ROUTES},
    token_book::TokenBook,
    token_endpoint,
    world::World,
};

/// The name under which faults of the token endpoint are injected.
pub(crate) const TOKEN_OPERATION: &str = "Token";

/// The path of the token endpoint.
pub(crate) const TOKEN_PATH: &str = "/oauth/token";

/// Operations whose errors are plain text, as the document says.
const PLAIN_TEXT_ERRORS: [&str; 1] = ["TriggerFailover"];

/// The state shared by the emulator's handle and its server task, in parts
/// that are locked one at a time, never nested.
pub(crate) struct Shared {
    pub(crate) settings: Settings,
    pub(crate) clock: Mutex<Clock>,
    pub(crate) world: Mutex<World>,
    pub(crate) tokens: Mutex<TokenBook>,
    pub(crate) faults: Mutex<Faults>,
    pub(crate) token_requests: AtomicUsize,
}

/// The value behind `mutex`, also after a panic elsewhere poisoned it (the
/// data is plain values and stays usable).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The axum handler of every request.
pub(crate) async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.answer(&method, uri.path(), &headers, &body).await
}

impl Shared {
    pub(crate) fn new(settings: Settings) -> Self {
        Self {
            settings,
            clock: Mutex::new(Clock::default()),
            world: Mutex::new(World::new()),
            tokens: Mutex::new(TokenBook::new()),
            faults: Mutex::new(Faults::default()),
            token_requests: AtomicUsize::new(0),
        }
    }

    /// The emulator's time, monotonic and on the wall clock.
    fn now(&self) -> (Instant, DateTime<Utc>) {
        let clock = lock(&self.clock);
        (clock.now(), clock.wall())
    }

    /// The answer to a request with a raw (still percent-encoded) `path`.
    pub(crate) async fn answer(
        &self,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Response {
        if path == TOKEN_PATH {
            return self.token_request(method, headers, body).await;
        }
        match routes::find(&ROUTES, method, path) {
            Match::Found(route, params) => self.operation(route, &params, headers, body).await,
            Match::MethodNotAllowed(allowed) => method_not_allowed(&allowed),
            Match::BadPath => {
                Fail::bad_request("a path parameter is not valid UTF-8").into_response(false)
            }
            Match::NotFound => {
                Fail::not_found(format!("no operation at {method} {path}")).into_response(false)
            }
        }
    }

    async fn token_request(&self, method: &Method, headers: &HeaderMap, body: &[u8]) -> Response {
        self.token_requests.fetch_add(1, Ordering::SeqCst);
        if let Some(response) = self.inject(TOKEN_OPERATION, false).await {
            return response;
        }
        if method != Method::POST {
            return method_not_allowed(&["POST"]);
        }
        let now = self.now();
        let mut tokens = lock(&self.tokens);
        token_endpoint::answer(&mut tokens, &self.settings, now, headers, body)
    }

    /// Injected faults first, like a failing gateway in front of the API;
    /// then 501 if the emulator has no handler; then the bearer token and
    /// the handler.
    pub(crate) async fn operation(
        &self,
        route: &Route,
        params: &[String],
        headers: &HeaderMap,
        body: &[u8],
    ) -> Response {
        let id = route.id();
        let plain_text = PLAIN_TEXT_ERRORS.contains(&id);
        if let Some(response) = self.inject(id, plain_text).await {
            return response;
        }
        // Before the token check: an operation new in the document may name
        // a scope no credential of the emulator has.
        let Some(handler) = route.handler else {
            let message = format!("the emulator does not serve {id} yet");
            return Fail::new(StatusCode::NOT_IMPLEMENTED, message).into_response(plain_text);
        };
        let (now, wall) = self.now();
        let caller = match lock(&self.tokens).authorize(now, headers, route.access) {
            Ok(caller) => caller,
            Err(fail) => return fail.into_response(plain_text),
        };
        let ctx = Ctx {
            settings: &self.settings,
            now,
            wall,
            caller: &caller,
            params,
            body,
        };
        let outcome = handler(&mut lock(&self.world), &ctx);
        match outcome {
            Ok(reply) => reply.into_response(),
            Err(fail) => fail.into_response(plain_text),
        }
    }

    /// Count a call of `op` and apply its injected delay and fault.
    async fn inject(&self, op: &'static str, plain_text: bool) -> Option<Response> {
        let delay = lock(&self.faults).call(op);
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
        let fault = lock(&self.faults).next_failure(op)?;
        let mut fail = Fail::new(fault.status, "injected fault");
        fail.retry_after = fault.retry_after;
        Some(fail.into_response(plain_text))
    }
}

fn method_not_allowed(allowed: &[&str]) -> Response {
    let message = "method not allowed on this path";
    let mut response = Fail::new(StatusCode::METHOD_NOT_ALLOWED, message).into_response(false);
    if let Ok(value) = HeaderValue::from_str(&allowed.join(", ")) {
        response.headers_mut().insert(ALLOW, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::config::{Credential, EmulatorConfig, Scope};

    fn shared() -> Shared {
        let admin = Credential::new("admin", "secret", Scope::ALL);
        let base = ("http://emulator".to_owned(), TOKEN_PATH);
        Shared::new(Settings::new(
            EmulatorConfig::default(),
            vec![admin],
            base,
            "org".into(),
        ))
    }

    async fn body_of(response: Response) -> serde_json::Value {
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn an_operation_without_a_handler_answers_501() {
        let shared = shared();
        // GetMeta needs no token, so the route is what decides.
        let meta = crate::operation::OPERATIONS
            .iter()
            .find(|op| op.id == "GetMeta")
            .unwrap();
        let unserved = Route::new(meta, None);
        let response = shared
            .operation(&unserved, &[], &HeaderMap::new(), b"")
            .await;
        assert_eq!(response.status(), StatusCode::NOT_IMPLEMENTED);
        let body = body_of(response).await;
        assert!(
            body["message"].as_str().unwrap().contains("GetMeta"),
            "{body}"
        );
        assert_eq!(lock(&shared.faults).calls("GetMeta"), 1);
    }

    #[tokio::test]
    async fn requests_are_answered_without_tcp() {
        let shared = shared();
        let meta = shared
            .answer(&Method::GET, "/meta/ip-ranges", &HeaderMap::new(), b"")
            .await;
        assert_eq!(meta.status(), StatusCode::OK);
        let anonymous = shared
            .answer(&Method::GET, "/clusters", &HeaderMap::new(), b"")
            .await;
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        let form = b"grant_type=client_credentials&client_id=admin&client_secret=secret";
        let token = shared
            .answer(&Method::POST, TOKEN_PATH, &HeaderMap::new(), form)
            .await;
        let token = body_of(token).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut headers = HeaderMap::new();
        headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
        let clusters = shared
            .answer(&Method::GET, "/clusters", &headers, b"")
            .await;
        assert_eq!(body_of(clusters).await, serde_json::json!([]));
        let wrong = shared
            .answer(&Method::PUT, "/clusters", &headers, b"")
            .await;
        assert_eq!(wrong.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(wrong.headers()[ALLOW], "GET, POST");
    }
}
