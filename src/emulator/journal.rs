//! The request journal of the control plane: every request the emulator
//! answered, oldest first, with its body and every secret value in it
//! masked; and apart, the requests that matched no route.

use std::collections::VecDeque;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use crate::redact::MASK;

/// Entries kept of each list; the oldest go first.
const MAX_ENTRIES: usize = 10_000;

/// Bodies kept up to this size: 10 000 entries of the 2 MiB a request may
/// carry would be 20 GB.
const MAX_BODY: usize = 64 * 1024;

/// Body fields whose values are secrets, in requests the emulator takes:
/// the token request's, a connector secret's value, a password.
const SECRET_FIELDS: [&str; 5] = [
    "client_secret",
    "clientSecret",
    "secretValue",
    "password",
    "access_token",
];

/// One request as the journal keeps it.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) operation_id: Option<&'static str>,
    pub(crate) method: String,
    pub(crate) path: String,
    /// `None`: the connection was reset instead of answered.
    pub(crate) status: Option<u16>,
    pub(crate) at: DateTime<Utc>,
    /// The body, secrets masked; `None` if empty or neither JSON nor a form.
    pub(crate) body: Option<Value>,
}

/// The journal and the requests that matched no route, numbered together.
#[derive(Debug, Default)]
pub(crate) struct Journal {
    next_seq: u64,
    matched: VecDeque<(u64, Entry)>,
    unmatched: VecDeque<(u64, Entry)>,
}

impl Journal {
    pub(crate) fn record(&mut self, entry: Entry) {
        self.next_seq += 1;
        let list = if entry.operation_id.is_some() {
            &mut self.matched
        } else {
            &mut self.unmatched
        };
        if list.len() >= MAX_ENTRIES {
            list.pop_front();
        }
        list.push_back((self.next_seq, entry));
    }

    /// The journal as JSON, oldest first, filtered.
    pub(crate) fn matched(&self, operation_id: Option<&str>, since: u64) -> Vec<Value> {
        render(&self.matched, since, |e| {
            operation_id.is_none_or(|op| e.operation_id == Some(op))
        })
    }

    pub(crate) fn unmatched(&self, since: u64) -> Vec<Value> {
        render(&self.unmatched, since, |_| true)
    }

    /// Forget every entry; numbers go on, so `since` stays meaningful.
    pub(crate) fn clear(&mut self) {
        self.matched.clear();
        self.unmatched.clear();
    }
}

fn render(list: &VecDeque<(u64, Entry)>, since: u64, keep: impl Fn(&Entry) -> bool) -> Vec<Value> {
    list.iter()
        .filter(|(seq, entry)| *seq > since && keep(entry))
        .map(|(seq, e)| {
            json!({
                "seq": seq,
                "operationId": e.operation_id,
                "method": e.method,
                "path": e.path,
                "status": e.status,
                "at": e.at.to_rfc3339_opts(SecondsFormat::Millis, true),
                "body": e.body,
            })
        })
        .collect()
}

/// A request body for the journal: JSON, or a form (the token request),
/// with the value of every secret field masked; `None` otherwise (a body
/// that cannot be read cannot be masked either) and beyond 64 KiB.
pub(crate) fn masked_body(body: &[u8]) -> Option<Value> {
    if body.is_empty() || body.len() > MAX_BODY {
        return None;
    }
    if let Ok(mut value) = serde_json::from_slice::<Value>(body) {
        mask(&mut value);
        return Some(value);
    }
    let text = std::str::from_utf8(body).ok()?;
    if !text.contains('=') || text.contains(char::is_whitespace) {
        return None;
    }
    let mut form = Map::new();
    for (key, value) in form_urlencoded::parse(body) {
        form.insert(key.into_owned(), Value::String(value.into_owned()));
    }
    let mut value = Value::Object(form);
    mask(&mut value);
    Some(value)
}

fn mask(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                if SECRET_FIELDS.contains(&key.as_str()) && !field.is_null() {
                    *field = Value::String(MASK.to_owned());
                } else {
                    mask(field);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_in_json_and_form_bodies() {
        let json = masked_body(
            br#"{"secretName":"DB","secretValue":"hunter2","nested":[{"password":"p"}]}"#,
        )
        .unwrap();
        assert_eq!(
            json,
            json!({"secretName": "DB", "secretValue": "***", "nested": [{"password": "***"}]})
        );
        let form =
            masked_body(b"grant_type=client_credentials&client_id=a&client_secret=s%2B").unwrap();
        assert_eq!(form["client_secret"], "***");
        assert_eq!(form["client_id"], "a");
        assert_eq!(masked_body(b""), None);
        assert_eq!(masked_body(b"not a form"), None);
        let large = format!("{{\"name\": \"{}\"}}", "x".repeat(MAX_BODY));
        assert_eq!(masked_body(large.as_bytes()), None);
        assert!(!masked_body(b"hunter2").is_some_and(|v| v.to_string().contains("hunter2")));
    }

    #[test]
    fn numbers_go_on_across_a_clear_and_filters_apply() {
        let entry = |op| Entry {
            operation_id: op,
            method: "GET".into(),
            path: "/x".into(),
            status: Some(200),
            at: DateTime::UNIX_EPOCH,
            body: None,
        };
        let mut journal = Journal::default();
        journal.record(entry(Some("A")));
        journal.record(entry(None));
        journal.record(entry(Some("B")));
        assert_eq!(journal.matched(Some("B"), 0)[0]["seq"], 3);
        assert_eq!(journal.matched(None, 1).len(), 1);
        assert_eq!(journal.unmatched(0)[0]["seq"], 2);
        journal.clear();
        journal.record(entry(Some("A")));
        assert_eq!(journal.matched(None, 0)[0]["seq"], 4);
        assert_eq!(
            journal.matched(None, 0)[0]["at"],
            "1970-01-01T00:00:00.000Z"
        );
    }
}
