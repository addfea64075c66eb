//! The control plane: `/__emulator/...` on the emulator's own port, for
//! tests in any language. Faults, the request journal, reset, the clock and
//! transitions, over the same functions as the Rust API. Its requests are
//! never journaled, and faults, the clock and the token rate limit never
//! touch the control token. `control_openapi.json` describes it.

use std::time::Duration;

use axum::{
    http::{header::AUTHORIZATION, HeaderMap, HeaderValue, Method, StatusCode},
    response::Response,
};
use chrono::SecondsFormat;
use serde_json::{json, Map, Value};

use super::{
    answer::{json_response, Fail},
    config::constant_time_eq,
    faults::{error_status, operation_id, operation_ids, retry_after_secs, Fault},
    server::{lock, Shared},
    transitions,
};

/// The reserved prefix of the control plane.
pub(crate) const PREFIX: &str = "/__emulator";

/// The control plane's own OpenAPI document.
const OPENAPI: &str = include_str!("control_openapi.json");

/// The path below the prefix, if `path` is the control plane's.
pub(crate) fn route(path: &str) -> Option<&str> {
    let rest = path.strip_prefix(PREFIX)?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

/// The answer to a control request (`rest` is its path below the prefix).
pub(crate) fn answer(
    shared: &Shared,
    method: &Method,
    rest: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let outcome = match rest {
        "/health" => allow(method, &[Method::GET]).map(|()| ok(json!({ "status": "ok" }))),
        "/openapi.json" => allow(method, &[Method::GET]).map(|()| openapi()),
        _ => authorize(shared, headers).and_then(|()| guarded(shared, method, rest, query, body)),
    };
    outcome.unwrap_or_else(|fail| fail.into_response(false))
}

type Outcome = Result<Response, Fail>;

/// The endpoints that need the control token or an admin token.
fn guarded(
    shared: &Shared,
    method: &Method,
    rest: &str,
    query: Option<&str>,
    body: &[u8],
) -> Outcome {
    let q = Query::parse(query)?;
    match (rest, method.as_str()) {
        ("/faults", "GET") => Ok(ok(json!(lock(&shared.faults).list()))),
        ("/faults", "POST") => add_fault(shared, &object(body)?),
        ("/faults", "DELETE") => {
            lock(&shared.faults).clear();
            Ok(no_content())
        }
        ("/requests", "GET") => {
            let op = q.operation_id.as_deref();
            Ok(ok(json!(lock(&shared.journal).matched(op, q.since))))
        }
        ("/requests", "DELETE") => {
            lock(&shared.journal).clear();
            Ok(no_content())
        }
        ("/requests/unmatched", "GET") => Ok(ok(json!(lock(&shared.journal).unmatched(q.since)))),
        ("/reset", "POST") => reset(shared, body),
        ("/clock", "GET") => Ok(ok(clock(shared))),
        ("/clock", "POST") => {
            let request = object(body)?;
            let by = request
                .get("advanceMs")
                .and_then(Value::as_u64)
                .ok_or_else(|| {
                    Fail::bad_request("advanceMs is required: a whole number of milliseconds")
                })?;
            only(&request, &["advanceMs"])?;
            lock(&shared.clock).advance(Duration::from_millis(by));
            shared.changed();
            Ok(ok(clock(shared)))
        }
        ("/transitions", "GET") => Ok(ok(lock(&shared.transitions).to_json())),
        ("/transitions", "PATCH") => {
            let patch = Value::Object(object(body)?);
            let mut current = lock(&shared.transitions);
            *current = current.patched(&patch).map_err(Fail::bad_request)?;
            Ok(ok(current.to_json()))
        }
        ("/transitions/step", "POST") => {
            let (now, wall) = shared.now();
            let finished = transitions::step(&mut lock(&shared.world), now, wall);
            shared.changed();
            Ok(ok(json!({ "finished": finished })))
        }
        (path, _) => Err(match ENDPOINTS.iter().find(|(p, _)| *p == path) {
            Some((_, methods)) => method_not_allowed(methods),
            None => Fail::not_found(format!(
                "no control endpoint at {PREFIX}{path}; see GET {PREFIX}/openapi.json"
            )),
        }),
    }
}

/// The guarded endpoints and their methods, for 405.
const ENDPOINTS: &[(&str, &str)] = &[
    ("/faults", "GET, POST, DELETE"),
    ("/requests", "GET, DELETE"),
    ("/requests/unmatched", "GET"),
    ("/reset", "POST"),
    ("/clock", "GET, POST"),
    ("/transitions", "GET, PATCH"),
    ("/transitions/step", "POST"),
];

/// The control token, or (unless the emulator listens beyond loopback) a
/// valid token of the admin credential.
fn authorize(shared: &Shared, headers: &HeaderMap) -> Result<(), Fail> {
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let settings = &shared.settings;
    let admitted = token.is_some_and(|token| {
        constant_time_eq(settings.control_token.expose_secret(), token)
            || (!settings.control_token_only && {
                let (now, _) = shared.now();
                let admin = settings.credentials.first().map(|c| c.client_id.as_str());
                lock(&shared.tokens).holder(now, token) == admin
            })
    });
    if admitted {
        return Ok(());
    }
    let message = if settings.control_token_only {
        "the control plane needs the control token (CAMUNDA_EMULATOR_CONTROL_TOKEN) as a bearer token"
    } else {
        "the control plane needs the control token (CAMUNDA_EMULATOR_CONTROL_TOKEN) or an admin token as a bearer token"
    };
    Err(Fail::new(StatusCode::UNAUTHORIZED, message))
}

/// `POST /faults`: `{"operationId", "status", "times", "retryAfterSeconds",
/// "delayMs", "body", "reset"}`.
fn add_fault(shared: &Shared, request: &Map<String, Value>) -> Outcome {
    only(
        request,
        &[
            "operationId",
            "status",
            "times",
            "retryAfterSeconds",
            "delayMs",
            "body",
            "reset",
        ],
    )?;
    let op = request
        .get("operationId")
        .and_then(Value::as_str)
        .ok_or_else(|| Fail::bad_request("operationId is required"))?;
    let op = operation_id(op).map_err(|e| {
        Fail::bad_request(format!("{e}; valid ones: {}", operation_ids().join(", ")))
    })?;
    let times = match request.get("times") {
        None => 1,
        Some(Value::Null) => usize::MAX,
        Some(n) => n
            .as_u64()
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
            .ok_or_else(|| Fail::bad_request("times is a whole number, or null for good"))?,
    };
    let number = |name: &str| -> Result<Option<u64>, Fail> {
        match request.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(n) => n
                .as_u64()
                .map(Some)
                .ok_or_else(|| Fail::bad_request(format!("{name} is a whole number"))),
        }
    };
    let status = number("status")?;
    let retry_after = number("retryAfterSeconds")?;
    let delay = number("delayMs")?.map(Duration::from_millis);
    let body = request.get("body").filter(|b| !b.is_null()).cloned();
    let reset = match request.get("reset") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(reset)) => *reset,
        Some(_) => return Err(Fail::bad_request("reset is true or false")),
    };
    let fault = match (status, reset) {
        (Some(_), true) => {
            return Err(Fail::bad_request(
                "a fault either answers with a status or resets the connection",
            ))
        }
        (None, true) if retry_after.is_some() || body.is_some() => {
            return Err(Fail::bad_request(
                "retryAfterSeconds and body need a status, not a reset",
            ))
        }
        (None, true) => Some(Fault::Reset),
        (Some(status), false) => {
            let status = error_status(u16::try_from(status).unwrap_or(0))
                .map_err(|e| Fail::bad_request(e.to_string()))?;
            Some(Fault::Status {
                status,
                retry_after: retry_after.map(|s| retry_after_secs(Duration::from_secs(s))),
                body,
            })
        }
        (None, false) if retry_after.is_some() || body.is_some() => {
            return Err(Fail::bad_request(
                "retryAfterSeconds and body need a status",
            ))
        }
        (None, false) if delay.is_none() => {
            return Err(Fail::bad_request(
                "a fault needs a status, \"reset\": true or a delayMs",
            ))
        }
        (None, false) => None,
    };
    shared.add_fault(op, times, fault, delay);
    let listed: Vec<Value> = lock(&shared.faults)
        .list()
        .into_iter()
        .filter(|f| f["operationId"] == op)
        .collect();
    let mut response = json_response(StatusCode::CREATED, &json!(listed));
    response.headers_mut().insert(
        axum::http::header::LOCATION,
        HeaderValue::from_static("/__emulator/faults"),
    );
    Ok(response)
}

/// `POST /reset`, with an optional `{"to": "empty" | "seed"}`.
fn reset(shared: &Shared, body: &[u8]) -> Outcome {
    let request = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        object(body)?
    };
    only(&request, &["to"])?;
    let to_seed = match request.get("to") {
        None | Some(Value::Null) => true,
        Some(Value::String(to)) if to == "seed" => true,
        Some(Value::String(to)) if to == "empty" => false,
        Some(_) => return Err(Fail::bad_request("to is \"empty\" or \"seed\"")),
    };
    // Without a seed, the seed is the empty organization.
    let to = if shared.reset(to_seed) {
        "seed"
    } else {
        "empty"
    };
    Ok(ok(json!({ "reset": true, "to": to })))
}

fn clock(shared: &Shared) -> Value {
    let clock = lock(&shared.clock);
    json!({
        "now": clock.wall().to_rfc3339_opts(SecondsFormat::Millis, true),
        "offsetMs": u64::try_from(clock.offset().as_millis()).unwrap_or(u64::MAX),
    })
}

/// `?operationId=` and `?since=`.
#[derive(Default)]
struct Query {
    operation_id: Option<String>,
    since: u64,
}

impl Query {
    fn parse(query: Option<&str>) -> Result<Self, Fail> {
        let mut parsed = Query::default();
        for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            match key.as_ref() {
                "operationId" => parsed.operation_id = Some(value.into_owned()),
                "since" => {
                    parsed.since = value.parse().map_err(|_| {
                        Fail::bad_request("since is the seq of a journal entry (a whole number)")
                    })?
                }
                other => {
                    return Err(Fail::bad_request(format!(
                        "unknown query parameter {other:?}"
                    )))
                }
            }
        }
        Ok(parsed)
    }
}

/// The body as a JSON object, or 400.
fn object(body: &[u8]) -> Result<Map<String, Value>, Fail> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Fail::bad_request("the body is not a JSON object")),
        Err(e) => Err(Fail::bad_request(format!("the body is not JSON: {e}"))),
    }
}

/// 400 if `request` has a field outside `known` (a typo would be ignored).
fn only(request: &Map<String, Value>, known: &[&str]) -> Result<(), Fail> {
    match request.keys().find(|k| !known.contains(&k.as_str())) {
        Some(unknown) => Err(Fail::bad_request(format!(
            "unknown field {unknown:?}; known: {}",
            known.join(", ")
        ))),
        None => Ok(()),
    }
}

fn allow(method: &Method, allowed: &[Method]) -> Result<(), Fail> {
    if allowed.contains(method) {
        Ok(())
    } else {
        Err(method_not_allowed("GET"))
    }
}

fn method_not_allowed(allowed: &str) -> Fail {
    Fail::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("method not allowed here; allowed: {allowed}"),
    )
}

fn ok(value: Value) -> Response {
    json_response(StatusCode::OK, &value)
}

fn no_content() -> Response {
    let mut response = Response::new(axum::body::Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

fn openapi() -> Response {
    let mut response = Response::new(axum::body::Body::from(OPENAPI));
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::{
        config::{Credential, EmulatorConfig, Scope, Settings},
        server::{Answer, TOKEN_PATH},
    };
    use axum::http::Uri;

    fn shared(config: EmulatorConfig) -> Shared {
        let admin = Credential::new("admin", "secret", Scope::ALL);
        let base = ("http://emulator".to_owned(), TOKEN_PATH);
        let settings = Settings::new(config, vec![admin], base, "org".into(), "control".into());
        Shared::new(settings)
    }

    async fn status(
        shared: &Shared,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: &[u8],
    ) -> (u16, Value) {
        let mut headers = HeaderMap::new();
        if let Some(token) = bearer {
            headers.insert(AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
        }
        let uri: Uri = path.parse().unwrap();
        let Answer::Respond(response) = shared.serve(&method, &uri, &headers, body).await else {
            panic!("reset");
        };
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    #[tokio::test]
    async fn beyond_loopback_only_the_control_token_opens_the_control_plane() {
        let form = b"grant_type=client_credentials&client_id=admin&client_secret=secret";
        for (bind, admin_status) in [("127.0.0.1", 200), ("0.0.0.0", 401), ("::", 401)] {
            let config = EmulatorConfig::default().bind(bind.parse().unwrap());
            let shared = shared(config);
            let (_, grant) = status(&shared, Method::POST, TOKEN_PATH, None, form).await;
            let admin = grant["access_token"].as_str().unwrap().to_owned();
            let with_admin = status(
                &shared,
                Method::GET,
                "/__emulator/faults",
                Some(&admin),
                b"",
            )
            .await;
            assert_eq!(with_admin.0, admin_status, "{bind}: {}", with_admin.1);
            let with_control = status(
                &shared,
                Method::GET,
                "/__emulator/faults",
                Some("control"),
                b"",
            )
            .await;
            assert_eq!(with_control.0, 200, "{bind}");
            let health = status(&shared, Method::GET, "/__emulator/health", None, b"").await;
            assert_eq!(health.0, 200, "{bind}");
        }
    }

    #[test]
    fn the_prefix_is_matched_on_a_segment() {
        assert_eq!(route("/__emulator/faults"), Some("/faults"));
        assert_eq!(route("/__emulator"), Some(""));
        assert_eq!(route("/__emulatorx"), None);
        assert_eq!(route("/clusters"), None);
    }

    #[test]
    fn the_openapi_document_names_every_endpoint() {
        let document: Value = serde_json::from_str(OPENAPI).unwrap();
        let paths = document["paths"].as_object().unwrap();
        for (path, methods) in ENDPOINTS
            .iter()
            .chain(&[("/health", "GET"), ("/openapi.json", "GET")])
        {
            let item = &paths[&format!("{PREFIX}{path}")];
            for method in methods.split(", ") {
                assert!(
                    item.get(method.to_ascii_lowercase()).is_some(),
                    "{method} {path} is not in the document"
                );
            }
        }
        assert_eq!(
            paths.len(),
            ENDPOINTS.len() + 2,
            "a documented endpoint is not served"
        );
    }
}
