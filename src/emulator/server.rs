//! The HTTP side: the state shared by the handle and the server task, and
//! the way from a request to its answer (the token endpoint, or route,
//! injected faults, bearer check, handler).

use std::{
    sync::{atomic::AtomicUsize, atomic::Ordering, Mutex, MutexGuard},
    time::Duration,
};

use axum::{
    http::{header::ALLOW, HeaderMap, HeaderValue, Method, StatusCode, Uri},
    response::Response,
};
use chrono::{DateTime, Utc};
use tokio::time::Instant;

use super::{
    answer::{json_response, Fail},
    clock::Clock,
    config::Settings,
    faults::{Fault, Faults, TOKEN_OPERATION},
    handlers::Ctx,
    journal::{masked_body, Entry, Journal},
    persist::Store,
    routes::{self, Match, Route, ROUTES},
    state::{AdminFile, Frame, StateFile},
    token_book::TokenBook,
    token_endpoint,
    transitions::Transitions,
    world::World,
};

/// The path of the token endpoint.
pub(crate) const TOKEN_PATH: &str = "/oauth/token";

/// The state shared by the emulator's handle and its server task, in parts
/// that are locked one at a time, never nested.
pub(crate) struct Shared {
    pub(crate) settings: Settings,
    pub(crate) clock: Mutex<Clock>,
    pub(crate) world: Mutex<World>,
    pub(crate) tokens: Mutex<TokenBook>,
    pub(crate) faults: Mutex<Faults>,
    pub(crate) transitions: Mutex<Transitions>,
    pub(crate) journal: Mutex<Journal>,
    pub(crate) token_requests: AtomicUsize,
    /// Where the state is kept (`--state`), if anywhere.
    pub(crate) store: Option<Store>,
    /// What a reset returns to (`--seed`); the empty organization without.
    pub(crate) seed: Option<StateFile>,
}

/// What a request gets.
#[derive(Debug)]
pub(crate) enum Answer {
    /// An HTTP answer.
    Respond(Response),
    /// None: the connection is reset (an injected fault).
    Reset,
}

/// The value behind `mutex`, also after a panic elsewhere poisoned it (the
/// data is plain values and stays usable).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    pub(crate) fn new(settings: Settings) -> Self {
        Self {
            clock: Mutex::new(Clock::default()),
            world: Mutex::new(World::new()),
            tokens: Mutex::new(TokenBook::new()),
            faults: Mutex::new(Faults::default()),
            transitions: Mutex::new(settings.transitions),
            journal: Mutex::new(Journal::default()),
            token_requests: AtomicUsize::new(0),
            store: None,
            seed: None,
            settings,
        }
    }

    /// Note a change of the state, for the state file (if any).
    pub(crate) fn changed(&self) {
        if let Some(store) = &self.store {
            store.changed();
        }
    }

    /// The emulator's `now` on both of its clocks.
    fn frame(&self) -> Frame {
        let (now, wall) = self.now();
        Frame { now, wall }
    }

    /// The state as the state file holds it.
    pub(crate) fn snapshot(&self) -> StateFile {
        let frame = self.frame();
        let offset = lock(&self.clock).offset();
        let admin = self.settings.credentials.first().map_or_else(
            || AdminFile {
                client_id: String::new(),
                client_secret: String::new(),
            },
            |c| AdminFile {
                client_id: c.client_id.clone(),
                client_secret: c.client_secret.expose_secret().to_owned(),
            },
        );
        let tokens = lock(&self.tokens).issued();
        let world = lock(&self.world);
        StateFile::of(
            &world,
            frame,
            (&self.settings.org_id, admin),
            offset,
            tokens,
        )
    }

    /// Take over the clock, the world and the issued tokens of `state`
    /// (tokens of client ids this emulator does not know are dropped).
    pub(crate) fn restore(&self, state: &StateFile) -> Result<(), String> {
        *lock(&self.clock) = Clock::with_offset(Duration::from_millis(state.clock_offset_ms));
        let frame = self.frame();
        let world = state.world(frame)?;
        let known = |id: &str| self.settings.credentials.iter().any(|c| c.client_id == id);
        let tokens = state
            .issued_tokens(frame)?
            .into_iter()
            .filter(|(_, t)| known(&t.client_id))
            .collect();
        *lock(&self.world) = world;
        lock(&self.tokens).restore(tokens);
        Ok(())
    }

    /// The emulator's time, monotonic and on the wall clock.
    pub(crate) fn now(&self) -> (Instant, DateTime<Utc>) {
        let clock = lock(&self.clock);
        (clock.now(), clock.wall())
    }

    /// Back to the seed (`to_seed` and there is one; else the empty
    /// organization): its world and clock, no faults, delays, journal or
    /// token-rate memory, the transitions as at start. Credentials and the
    /// tokens issued stay valid. Whether it went back to a seed.
    pub(crate) fn reset(&self, to_seed: bool) -> bool {
        lock(&self.faults).reset();
        lock(&self.journal).clear();
        lock(&self.tokens).forget_rate();
        *lock(&self.transitions) = self.settings.transitions;
        let seed = self.seed.as_ref().filter(|_| to_seed);
        let offset = seed.map_or(0, |s| s.clock_offset_ms);
        *lock(&self.clock) = Clock::with_offset(Duration::from_millis(offset));
        // The seed was checked at start; its world cannot fail now.
        let world = seed.and_then(|s| s.world(self.frame()).ok());
        let seeded = world.is_some();
        *lock(&self.world) = world.unwrap_or_else(World::new);
        self.changed();
        seeded
    }

    /// Inject, for the next `times` calls of `op`, a delay, a fault, or
    /// both: the one way the Rust API and the control plane add them.
    pub(crate) fn add_fault(
        &self,
        op: &'static str,
        times: usize,
        fault: Option<Fault>,
        delay: Option<std::time::Duration>,
    ) {
        let mut faults = lock(&self.faults);
        if let Some(delay) = delay {
            faults.delay_next(op, times, delay);
        }
        if let Some(fault) = fault {
            faults.fail_next(op, times, fault);
        }
    }

    /// The answer to an API request (the control plane's come first, see
    /// `front.rs`), journaled.
    pub(crate) async fn serve_api(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Answer {
        let path = uri.path();
        let (operation_id, answer) = self.api(method, path, headers, body).await;
        let status = match &answer {
            Answer::Respond(response) => Some(response.status().as_u16()),
            Answer::Reset => None,
        };
        let (_, at) = self.now();
        lock(&self.journal).record(Entry {
            operation_id,
            method: method.as_str().to_owned(),
            path: path.to_owned(),
            status,
            at,
            body: masked_body(body),
        });
        answer
    }

    /// The API's answer to a request with a raw (still percent-encoded)
    /// `path`, and the operation it matched.
    async fn api(
        &self,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> (Option<&'static str>, Answer) {
        if path == TOKEN_PATH {
            let answer = self.token_request(method, headers, body).await;
            return (Some(TOKEN_OPERATION), answer);
        }
        let response = match routes::find(&ROUTES, method, path) {
            Match::Found(route, params) => {
                let answer = self.operation(route, &params, headers, body).await;
                return (Some(route.id()), answer);
            }
            Match::MethodNotAllowed(allowed) => method_not_allowed(&allowed),
            Match::BadPath => {
                Fail::bad_request("a path parameter is not valid UTF-8").into_response(false)
            }
            Match::NotFound => {
                Fail::not_found(format!("no operation at {method} {path}")).into_response(false)
            }
        };
        (None, Answer::Respond(response))
    }

    async fn token_request(&self, method: &Method, headers: &HeaderMap, body: &[u8]) -> Answer {
        self.token_requests.fetch_add(1, Ordering::SeqCst);
        if let Some(answer) = self.inject(TOKEN_OPERATION, false).await {
            return answer;
        }
        if method != Method::POST {
            return Answer::Respond(method_not_allowed(&["POST"]));
        }
        let now = self.now();
        let response =
            token_endpoint::answer(&mut lock(&self.tokens), &self.settings, now, headers, body);
        if response.status().is_success() {
            // A token issued: it stays valid across a restart.
            self.changed();
        }
        Answer::Respond(response)
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
    ) -> Answer {
        let id = route.id();
        // Errors as the document says the service sends them (failover's are text).
        let plain_text = route.operation.error_media_type.starts_with("text/");
        if let Some(answer) = self.inject(id, plain_text).await {
            return answer;
        }
        // Before the token check: an operation new in the document may name
        // a scope no credential of the emulator has.
        let Some(handler) = route.handler else {
            let message = format!("the emulator does not serve {id} yet");
            let fail = Fail::new(StatusCode::NOT_IMPLEMENTED, message);
            return Answer::Respond(fail.into_response(plain_text));
        };
        let (now, wall) = self.now();
        let caller = match lock(&self.tokens).authorize(now, headers, route.access) {
            Ok(caller) => caller,
            Err(fail) => return Answer::Respond(fail.into_response(plain_text)),
        };
        if self.settings.strict {
            if let Err(fail) = strict_body(route.operation, headers, body) {
                return Answer::Respond(fail.into_response(plain_text));
            }
        }
        let ctx = Ctx {
            settings: &self.settings,
            transitions: *lock(&self.transitions),
            now,
            wall,
            caller: &caller,
            params,
            body,
        };
        let outcome = handler(&mut lock(&self.world), &ctx);
        if !matches!(route.operation.method, Method::GET | Method::HEAD) {
            self.changed();
        }
        Answer::Respond(match outcome {
            Ok(reply) => reply.into_response(),
            Err(fail) => fail.into_response(plain_text),
        })
    }

    /// Count a call of `op` and apply its injected delay and fault.
    async fn inject(&self, op: &'static str, plain_text: bool) -> Option<Answer> {
        let delay = lock(&self.faults).call(op);
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
        let fault = lock(&self.faults).next_failure(op)?;
        Some(match fault {
            Fault::Reset => Answer::Reset,
            Fault::Status {
                status,
                retry_after,
                body,
            } => {
                let mut response = match body {
                    None => Fail::new(status, "injected fault").into_response(plain_text),
                    Some(serde_json::Value::String(text)) => {
                        Fail::new(status, text).into_response(true)
                    }
                    Some(value) => json_response(status, &value),
                };
                if let Some(secs) = retry_after {
                    response
                        .headers_mut()
                        .insert(axum::http::header::RETRY_AFTER, HeaderValue::from(secs));
                }
                Answer::Respond(response)
            }
        })
    }
}

/// What `--strict` refuses: a body under any media type but JSON (415),
/// and a field that a body the document closes does not list (400).
fn strict_body(
    operation: &crate::operation::Operation,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), Fail> {
    let Some(spec) = &operation.body else {
        return Ok(());
    };
    if body.is_empty() {
        return Ok(());
    }
    let media_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim);
    if !media_type.is_some_and(|m| m.eq_ignore_ascii_case(spec.media_type)) {
        return Err(Fail::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("the body must be sent as {}", spec.media_type),
        ));
    }
    if !spec.closed {
        return Ok(());
    }
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(body) else {
        return Ok(()); // the handler refuses what does not decode
    };
    match fields
        .keys()
        .find(|name| !spec.fields.iter().any(|f| f.name == name.as_str()))
    {
        Some(unknown) => Err(Fail::bad_request(format!(
            "unknown field {unknown:?}; the body takes {}",
            spec.fields
                .iter()
                .map(|f| f.name)
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        None => Ok(()),
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
            "control".into(),
        ))
    }

    fn respond(answer: Answer) -> Response {
        match answer {
            Answer::Respond(response) => response,
            Answer::Reset => panic!("the connection was reset"),
        }
    }

    async fn answer(
        shared: &Shared,
        method: Method,
        path: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Response {
        let uri: Uri = path.parse().unwrap();
        respond(shared.serve(&method, &uri, headers, body).await)
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
        let response = respond(
            shared
                .operation(&unserved, &[], &HeaderMap::new(), b"")
                .await,
        );
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
        let meta = answer(
            &shared,
            Method::GET,
            "/meta/ip-ranges",
            &HeaderMap::new(),
            b"",
        )
        .await;
        assert_eq!(meta.status(), StatusCode::OK);
        let anonymous = answer(&shared, Method::GET, "/clusters", &HeaderMap::new(), b"").await;
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        let form = b"grant_type=client_credentials&client_id=admin&client_secret=secret";
        let token = answer(&shared, Method::POST, TOKEN_PATH, &HeaderMap::new(), form).await;
        let token = body_of(token).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut headers = HeaderMap::new();
        headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
        let clusters = answer(&shared, Method::GET, "/clusters", &headers, b"").await;
        assert_eq!(body_of(clusters).await, serde_json::json!([]));
        let wrong = answer(&shared, Method::PUT, "/clusters", &headers, b"").await;
        assert_eq!(wrong.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(wrong.headers()[ALLOW], "GET, POST");
    }
}
