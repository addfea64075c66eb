//! TEMPORARY: a journal of every exchange, written when
//! `CAMUNDA_ADMIN_EMULATOR_JOURNAL` names a file, to record the emulator's
//! wire behaviour before its rewrite (`tests/emulator_wire.rs` turns the
//! journal into its fixture). Removed again in the next commit: it writes
//! secrets, and exists only for that one recording.

use std::{io::Write, time::Duration};

use axum::{
    body::{Body, Bytes},
    http::{HeaderMap, Method, Uri},
    response::Response,
};
use serde_json::{json, Value};

/// Where the journal goes, if anywhere.
pub(crate) struct Journal {
    path: String,
    session: String,
}

impl Journal {
    /// A journal for one emulator, if the variable is set; writes the
    /// session's settings first.
    pub(crate) fn open(settings: Value) -> Option<Self> {
        let path = std::env::var("CAMUNDA_ADMIN_EMULATOR_JOURNAL").ok()?;
        let thread = std::thread::current();
        let session = format!(
            "{}#{}",
            thread.name().unwrap_or("unnamed"),
            settings["base_url"].as_str().unwrap_or("")
        );
        let journal = Self { path, session };
        journal.write(json!({ "settings": settings }));
        Some(journal)
    }

    fn write(&self, mut line: Value) {
        line["session"] = json!(self.session);
        let mut text = line.to_string();
        text.push('\n');
        if let Ok(mut file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
        {
            let _ = file.write_all(text.as_bytes());
        }
    }

    /// Note a state change made through the handle, not over HTTP.
    pub(crate) fn event(&self, at: Duration, event: Value) {
        self.write(json!({ "at_ns": at.as_nanos() as u64, "event": event }));
    }

    /// Note one exchange and hand the answer on unchanged.
    pub(crate) async fn exchange(
        &self,
        at: Duration,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &Bytes,
        response: Response,
    ) -> Response {
        let (parts, answer) = response.into_parts();
        let answer = axum::body::to_bytes(answer, usize::MAX)
            .await
            .unwrap_or_default();
        let header = |map: &HeaderMap, name: &str| {
            map.get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let answer_headers: serde_json::Map<String, Value> = [
            "content-type",
            "retry-after",
            "www-authenticate",
            "allow",
            "cache-control",
            "pragma",
        ]
        .iter()
        .filter_map(|name| header(&parts.headers, name).map(|v| ((*name).to_owned(), json!(v))))
        .collect();
        self.write(json!({
            "at_ns": at.as_nanos() as u64,
            "request": {
                "method": method.as_str(),
                "path": uri.path_and_query().map(|p| p.as_str()).unwrap_or(""),
                "content_type": header(headers, "content-type"),
                "authorization": header(headers, "authorization"),
                "body": bytes_json(body),
            },
            "answer": {
                "status": parts.status.as_u16(),
                "headers": answer_headers,
                "body": bytes_json(&answer),
            },
        }));
        Response::from_parts(parts, Body::from(answer))
    }
}

/// Text as a string, other bytes as hex.
fn bytes_json(bytes: &[u8]) -> Value {
    match std::str::from_utf8(bytes) {
        Ok(text) => json!(text),
        Err(_) => json!({ "hex": bytes.iter().map(|b| format!("{b:02x}")).collect::<String>() }),
    }
}
