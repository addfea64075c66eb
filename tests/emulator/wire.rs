//! The emulator's answers on the wire, pinned by a recording.
//!
//! `tests/fixtures/emulator_wire.jsonl` holds every request that the
//! operation tests (`tests/emulator/operations.rs`) and the quickstart tour
//! sent to the emulator before its table-driven rewrite, each with the
//! moment of the emulator's clock it arrived at and the answer it got
//! (status, the headers below, body). Generated ids, secrets, tokens and
//! timestamps are placeholders such as `<uuid-3>` and `<time>`, numbered in
//! the order they first appear, so two runs compare equal exactly when they
//! behave alike.
//!
//! The test sends the same requests, raw, to a fresh emulator on paused time
//! (each at its recorded moment) and compares the answers. The requests do
//! not depend on the SDK, so a change of its retry policy cannot move them.
//! After an intended change of the emulator's answers, run with
//! `EMULATOR_WIRE_BLESS=1` to write the new answers, and review the diff.

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine as _;
use camunda_admin::emulator::Emulator;
use serde::{Deserialize, Serialize};
use serde_json::Value;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/emulator_wire.jsonl"
);

/// The answer headers the recording keeps.
const HEADERS: [&str; 6] = [
    "content-type",
    "retry-after",
    "www-authenticate",
    "allow",
    "cache-control",
    "pragma",
];

/// The admin credential of the replaying emulators.
const ADMIN_ID: &str = "wire-admin";
const ADMIN_SECRET: &str = "wire-admin-secret";

/// One line of the fixture.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Line {
    /// An emulator starts; the lines after it until the next session are its.
    Session(Session),
    /// A request and its answer.
    Exchange(Exchange),
    /// `Emulator::suspend_cluster`, called by the test between requests.
    SuspendCluster { at_ns: u64, cluster: String },
}

/// The settings an emulator ran with.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Session {
    name: String,
    token_lifetime_ns: u64,
    cluster_ready_delay_ns: u64,
    backup_delay_ns: u64,
    restore_delay_ns: u64,
    token_rate_limit: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Exchange {
    /// When the request arrived, on the emulator's clock from its start.
    at_ns: u64,
    request: Request,
    answer: Answer,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Request {
    method: String,
    path: String,
    content_type: Option<String>,
    authorization: Option<String>,
    body: Bytes,
}

/// A body as text, or as hex when it is not UTF-8.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
enum Bytes {
    Text(String),
    Hex { hex: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Answer {
    status: u16,
    headers: BTreeMap<String, String>,
    body: AnswerBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum AnswerBody {
    Json(Value),
    Text(String),
}

#[tokio::test(start_paused = true)]
async fn the_emulator_answers_as_recorded() {
    let lines = read_fixture();
    let sessions = split_sessions(&lines);
    assert!(sessions.len() >= 6, "the recording has its sessions");
    let mut replayed = Vec::new();
    let mut mismatches = Vec::new();
    for (session, steps) in sessions {
        replayed.push(Line::Session(session.clone()));
        replay(&session, steps, &mut replayed, &mut mismatches).await;
    }
    if std::env::var_os("EMULATOR_WIRE_BLESS").is_some() {
        write_fixture(&replayed);
        return;
    }
    for mismatch in mismatches.iter().take(5) {
        eprintln!("{mismatch}\n");
    }
    assert!(
        mismatches.is_empty(),
        "{} of the recorded answers differ (first ones above); \
         EMULATOR_WIRE_BLESS=1 records the new ones",
        mismatches.len()
    );
}

fn read_fixture() -> Vec<Line> {
    let text = std::fs::read_to_string(FIXTURE).expect("the recording exists");
    text.lines()
        .map(|line| serde_json::from_str(line).expect("a line of the recording"))
        .collect()
}

fn write_fixture(lines: &[Line]) {
    let mut text = String::new();
    for line in lines {
        text.push_str(&serde_json::to_string(line).expect("a line serialises"));
        text.push('\n');
    }
    std::fs::write(FIXTURE, text).expect("the recording is written");
}

/// Each session with the steps after it.
fn split_sessions(lines: &[Line]) -> Vec<(Session, &[Line])> {
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| matches!(lines[i], Line::Session(_)))
        .collect();
    assert_eq!(
        starts.first(),
        Some(&0),
        "the recording starts with a session"
    );
    starts
        .iter()
        .enumerate()
        .map(|(n, &start)| {
            let end = starts.get(n + 1).copied().unwrap_or(lines.len());
            let Line::Session(session) = &lines[start] else {
                unreachable!("a start is a session")
            };
            (session.clone(), &lines[start + 1..end])
        })
        .collect()
}

/// Replay one session's steps on a fresh emulator; push the steps with the
/// answers it gave to `replayed`, and a description of each difference to
/// `mismatches`.
async fn replay(
    session: &Session,
    steps: &[Line],
    replayed: &mut Vec<Line>,
    mismatches: &mut Vec<String>,
) {
    let emulator = start(session).await;
    let started = tokio::time::Instant::now();
    let mut names = Placeholders::for_emulator(&emulator);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    for (index, step) in steps.iter().enumerate() {
        let at = match step {
            Line::Exchange(exchange) => exchange.at_ns,
            Line::SuspendCluster { at_ns, .. } => *at_ns,
            Line::Session(_) => unreachable!("sessions are split off"),
        };
        let target = started + Duration::from_nanos(at);
        let now = tokio::time::Instant::now();
        if target > now {
            tokio::time::advance(target - now).await;
        }
        match step {
            Line::Exchange(recorded) => {
                let answer = send(&http, &emulator, &recorded.request, &mut names).await;
                if answer != recorded.answer {
                    mismatches.push(describe(session, index, recorded, &answer));
                }
                replayed.push(Line::Exchange(Exchange {
                    answer,
                    ..recorded.clone()
                }));
            }
            Line::SuspendCluster { cluster, .. } => {
                assert!(emulator.suspend_cluster(&names.reveal(cluster)));
                replayed.push(step.clone());
            }
            Line::Session(_) => unreachable!("sessions are split off"),
        }
    }
}

async fn start(session: &Session) -> Emulator {
    Emulator::builder()
        .admin_credential(ADMIN_ID, ADMIN_SECRET)
        .token_lifetime(Duration::from_nanos(session.token_lifetime_ns))
        .cluster_ready_delay(Duration::from_nanos(session.cluster_ready_delay_ns))
        .backup_delay(Duration::from_nanos(session.backup_delay_ns))
        .restore_delay(Duration::from_nanos(session.restore_delay_ns))
        .token_rate_limit(session.token_rate_limit)
        .start()
        .await
        .expect("emulator starts")
}

/// Send a recorded request (placeholders replaced by this run's values)
/// and return the answer with this run's values replaced by placeholders.
async fn send(
    http: &reqwest::Client,
    emulator: &Emulator,
    request: &Request,
    names: &mut Placeholders,
) -> Answer {
    let method = reqwest::Method::from_bytes(request.method.as_bytes()).unwrap();
    let url = format!("{}{}", emulator.base_url(), names.reveal(&request.path));
    let mut builder = http.request(method, url).body(match &request.body {
        Bytes::Text(text) => names.reveal(text).into_bytes(),
        Bytes::Hex { hex } => from_hex(hex),
    });
    if let Some(content_type) = &request.content_type {
        builder = builder.header("content-type", content_type);
    }
    if let Some(authorization) = &request.authorization {
        builder = builder.header("authorization", names.reveal(authorization));
    }
    let response = builder.send().await.expect("the emulator answers");
    let status = response.status().as_u16();
    let headers: BTreeMap<String, String> = HEADERS
        .iter()
        .filter_map(|name| {
            let value = response.headers().get(*name)?.to_str().ok()?;
            Some(((*name).to_owned(), value.to_owned()))
        })
        .collect();
    let bytes = response.bytes().await.expect("the answer's body");
    let body = names.answer_body(headers.get("content-type"), &bytes);
    Answer {
        status,
        headers,
        body,
    }
}

fn describe(session: &Session, index: usize, recorded: &Exchange, got: &Answer) -> String {
    let show = |answer: &Answer| serde_json::to_string_pretty(answer).unwrap_or_default();
    format!(
        "{} step {index}: {} {}\nrecorded: {}\nnow:      {}",
        session.name,
        recorded.request.method,
        recorded.request.path,
        show(&recorded.answer),
        show(got)
    )
}

fn from_hex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

/// What one run generated, by the placeholder that stands for it.
struct Placeholders {
    /// (value, placeholder), in the order learned.
    known: Vec<(String, String)>,
    counts: BTreeMap<&'static str, usize>,
}

/// Keys whose string values are generated secrets or ids without a fixed
/// shape; UUIDs and timestamps are found by their shape wherever they are.
const GENERATED_KEYS: [(&str, &str); 5] = [
    ("access_token", "token"),
    ("clientId", "client-id"),
    ("ZEEBE_CLIENT_ID", "client-id"),
    ("clientSecret", "client-secret"),
    ("password", "password"),
];

/// Shapes: `9` a digit, `x` a lowercase hex digit, anything else itself.
const UUID_SHAPE: &str = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
const BACKUP_NAME_SHAPE: &str = "backup-99999999-999999-xxxxxxxx";
const TIME_SHAPE: &str = "9999-99-99T99:99:99.999Z";
/// Private endpoint service names hold 17 hex digits of the cluster id.
const SERVICE_SHAPES: [&str; 2] = [
    "vpce-svc-xxxxxxxxxxxxxxxxx",
    "serviceAttachments/sc-xxxxxxxxxxxxxxxxx",
];

impl Placeholders {
    fn for_emulator(emulator: &Emulator) -> Self {
        let mut names = Self {
            known: Vec::new(),
            counts: BTreeMap::new(),
        };
        names.bind(emulator.admin_client_id(), "<admin>");
        names.bind(
            emulator.admin_client_secret().expose_secret(),
            "<admin-secret>",
        );
        names.bind(&emulator.base_url(), "<base-url>");
        names
    }

    fn bind(&mut self, value: &str, placeholder: &str) {
        if !value.is_empty() && !self.known.iter().any(|(v, _)| v == value) {
            self.known.push((value.to_owned(), placeholder.to_owned()));
        }
    }

    /// The placeholder of `value`, a new one of `kind` if it is new.
    fn learn(&mut self, kind: &'static str, value: &str) {
        if value.is_empty() || self.known.iter().any(|(v, _)| v == value) {
            return;
        }
        let count = self.counts.entry(kind).or_default();
        *count += 1;
        let placeholder = format!("<{kind}-{count}>");
        self.known.push((value.to_owned(), placeholder));
    }

    /// `text` with every known value replaced by its placeholder, longest
    /// values first, then timestamps by `<time>`.
    fn hide(&self, text: &str) -> String {
        let mut known: Vec<&(String, String)> = self.known.iter().collect();
        known.sort_by_key(|(value, _)| std::cmp::Reverse(value.len()));
        let mut text = text.to_owned();
        for (value, placeholder) in known {
            text = text.replace(value.as_str(), placeholder);
        }
        replace_shapes(&text, TIME_SHAPE, |_| "<time>".to_owned())
    }

    /// `text` with every placeholder replaced by this run's value.
    fn reveal(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for (value, placeholder) in &self.known {
            text = text.replace(placeholder.as_str(), value);
        }
        text
    }

    /// Learn what `text` holds that has a generated shape.
    fn learn_shapes(&mut self, text: &str) {
        let shapes = [
            (UUID_SHAPE, "uuid"),
            (BACKUP_NAME_SHAPE, "backup-name"),
            (SERVICE_SHAPES[0], "service"),
            (SERVICE_SHAPES[1], "service"),
        ];
        for (shape, kind) in shapes {
            for found in find_shapes(text, shape) {
                self.learn(kind, &found);
            }
        }
    }

    /// An answer body with what was generated replaced by placeholders.
    fn answer_body(&mut self, content_type: Option<&String>, bytes: &[u8]) -> AnswerBody {
        let text = String::from_utf8_lossy(bytes);
        self.learn_shapes(&text);
        let is_json = content_type.is_some_and(|c| c.contains("json"));
        match serde_json::from_slice::<Value>(bytes) {
            Ok(mut value) if is_json => {
                self.learn_keys(&value);
                self.hide_value(&mut value);
                AnswerBody::Json(value)
            }
            _ => AnswerBody::Text(self.hide(&text)),
        }
    }

    fn learn_keys(&mut self, value: &Value) {
        match value {
            Value::Object(map) => {
                for (key, item) in map {
                    let kind = GENERATED_KEYS.iter().find(|(k, _)| k == key);
                    if let (Some((_, kind)), Value::String(text)) = (kind, item) {
                        self.learn(kind, text);
                    }
                    if let ("access_token", Value::String(token)) = (key.as_str(), item) {
                        self.learn_shapes(&jwt_part(token, 1).to_string());
                    }
                    self.learn_keys(item);
                }
            }
            Value::Array(items) => items.iter().for_each(|item| self.learn_keys(item)),
            _ => {}
        }
    }

    fn hide_value(&self, value: &mut Value) {
        match value {
            Value::String(text) => *text = self.hide(text),
            Value::Array(items) => items.iter_mut().for_each(|item| self.hide_value(item)),
            Value::Object(map) => {
                for (key, item) in map.iter_mut() {
                    if key == "timestamp" && item.is_number() {
                        *item = Value::from("<time>");
                    } else if key == "access_token" {
                        *item = self.token_claims(item);
                    } else {
                        self.hide_value(item);
                    }
                }
            }
            _ => {}
        }
    }

    /// A JWT as its placeholder, header and claims, `iat` and `exp` as the
    /// lifetime between them.
    fn token_claims(&self, token: &Value) -> Value {
        let text = token.as_str().unwrap_or_default();
        let mut claims = jwt_part(text, 1);
        if let (Some(iat), Some(exp)) = (claims["iat"].as_i64(), claims["exp"].as_i64()) {
            claims["iat"] = Value::from("<time>");
            claims["exp"] = Value::from(format!("<iat + {}>", exp - iat));
        }
        let mut value = serde_json::json!({
            "token": self.hide(text),
            "header": jwt_part(text, 0),
            "claims": claims,
        });
        self.hide_value(&mut value["claims"]);
        value
    }
}

/// Part `n` of a JWT (0 the header, 1 the claims) as JSON.
fn jwt_part(token: &str, n: usize) -> Value {
    let encoded = token.split('.').nth(n).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or(Value::Null)
}

/// Whether `candidate` has `shape`.
fn fits(candidate: &[u8], shape: &[u8]) -> bool {
    candidate.len() == shape.len()
        && candidate.iter().zip(shape).all(|(&c, &s)| match s {
            b'9' => c.is_ascii_digit(),
            b'x' => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
            _ => c == s,
        })
}

/// Every non-overlapping substring of `text` with `shape`, in order.
fn find_shapes(text: &str, shape: &str) -> Vec<String> {
    let mut found = Vec::new();
    let (bytes, width) = (text.as_bytes(), shape.len());
    let mut i = 0;
    while i + width <= bytes.len() {
        if fits(&bytes[i..i + width], shape.as_bytes()) {
            found.push(text[i..i + width].to_owned());
            i += width;
        } else {
            i += 1;
        }
    }
    found
}

/// `text` with each substring of `shape` replaced by `with(substring)`.
fn replace_shapes(text: &str, shape: &str, with: impl Fn(&str) -> String) -> String {
    let mut out = text.to_owned();
    for found in find_shapes(text, shape) {
        out = out.replacen(&found, &with(&found), 1);
    }
    out
}
