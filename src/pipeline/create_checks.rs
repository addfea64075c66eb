//! Reads before a create is sent again. A status such as a 503 on
//! `CreateCluster` or a 409 on `CreateSecret` does not prove that nothing
//! was created (a gateway may answer 503 after the backend acted; 409 also
//! means "name taken"), so the pipeline looks before it resends. Which
//! operation reads what, and what a find means, is the operation table's
//! [`ReadFirst`]: this module only carries it out.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{hooks::attempt, CallShared};
use crate::{
    error::Error,
    json_call::url_for,
    operation::{Found, Operation, ReadFirst},
    retry::{verdict, Failure, Verdict},
    Client,
};

/// An entry counts as possibly created by this call if it was created no
/// earlier than this before the call began (the server's clock may differ).
const CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);

/// What a read needs to know of the create being retried; nothing for the
/// other operations, which never read before a resend.
pub(crate) struct Subject {
    create: Option<Create>,
    /// The values of the request's secret fields: removed from echoed
    /// error bodies, which are then kept.
    sent_secrets: Vec<crate::SecretString>,
}

struct Create {
    started: DateTime<Utc>,
    rule: &'static ReadFirst,
    /// The create's path parameters (the list takes the leading ones).
    path: Vec<String>,
    /// The value of the rule's body field (the name the create gave).
    name: Option<String>,
}

impl Subject {
    pub(crate) fn new<B: serde::Serialize>(
        operation: &'static Operation,
        path: &[String],
        body: Option<&B>,
    ) -> Self {
        let sent_secrets = secret_values(operation, body);
        let Some(rule) = &operation.resend.read_first else {
            return Self {
                create: None,
                sent_secrets,
            };
        };
        // Only creates with a read pay for serializing the body.
        let name = body.and_then(|body| {
            let body = serde_json::to_value(body).ok()?;
            body.get(rule.field)?.as_str().map(str::to_owned)
        });
        Self {
            create: Some(Create {
                started: Utc::now(),
                rule,
                path: path.to_vec(),
                name,
            }),
            sent_secrets,
        }
    }

    /// The secret values the request carries.
    pub(crate) fn sent_secrets(&self) -> &[crate::SecretString] {
        &self.sent_secrets
    }
}

/// The values of `operation`'s secret body fields in `body` (only
/// operations with such fields pay for serializing it).
fn secret_values<B: serde::Serialize>(
    operation: &Operation,
    body: Option<&B>,
) -> Vec<crate::SecretString> {
    let fields = operation.body.as_ref().map_or(&[][..], |b| b.fields);
    let (true, Some(body)) = (fields.iter().any(|f| f.secret), body) else {
        return Vec::new();
    };
    let Ok(body) = serde_json::to_value(body) else {
        return Vec::new();
    };
    fields
        .iter()
        .filter(|f| f.secret)
        .filter_map(|f| body.get(f.name)?.as_str())
        .map(crate::SecretString::new)
        .collect()
}

/// What to do after a failed create.
pub(crate) enum AfterRead {
    /// Nothing was created: send again (after the server's pause, if any).
    Resend { retry_after: Option<Duration> },
    /// The error stands as it is.
    Keep,
    /// The read found what the create would make: this error instead.
    Replace(Error),
}

/// Decide, reading first where the retry rule says so.
pub(crate) async fn resend_after_read(
    client: &Client,
    subject: &Subject,
    error: &Error,
) -> AfterRead {
    let (Error::Api(api), Some(create)) = (error, &subject.create) else {
        return AfterRead::Keep;
    };
    let status = api.status.as_u16();
    if verdict(api.operation.operation(), Failure::Status(status)) != Verdict::ReadFirst {
        return AfterRead::Keep;
    }
    let found = |existing_id: Option<String>| match create.rule.found {
        Found::MaybeCreated => AfterRead::Replace(Error::MaybeCreated {
            operation: api.operation,
            status,
            existing_id,
        }),
        Found::AlreadyExists => AfterRead::Replace(Error::AlreadyExists {
            operation: api.operation,
            name: create.name.clone().unwrap_or_default(),
        }),
    };
    // An unreadable list tells nothing: a create that may have happened
    // says so; a taken name keeps the server's own answer.
    let unknown = || match create.rule.found {
        Found::MaybeCreated => found(None),
        Found::AlreadyExists => AfterRead::Keep,
    };
    let Some(name) = &create.name else {
        return unknown();
    };
    let list = create.rule.list;
    let leading = list.operation().path_params.len();
    let Some(path) = create.path.get(..leading) else {
        return unknown();
    };
    match read_listing(client, list.operation(), path).await {
        Some(listed) => match find(create, name, &listed) {
            Some(entry) => found(entry),
            None => AfterRead::Resend {
                retry_after: api.retry_after,
            },
        },
        None => unknown(),
    }
}

/// The JSON answer of the list operation: one attempt through the same
/// attempt code as every call (bearer header, bounded body), not a call
/// of its own with retries and reads. `None` when it cannot be read.
async fn read_listing(client: &Client, list: &'static Operation, path: &[String]) -> Option<Value> {
    use progenitor_client::ClientInfo;
    let shared = client.shared();
    let call = CallShared::new(list, shared.max_response_bytes, false);
    if list.authenticated {
        call.set_bearer(Some(shared.auth.header().await.ok()?));
    }
    let url = url_for(client.base_url(), list, path, &[]).ok()?;
    let http = client.api.client();
    let request = http
        .request(list.method.clone(), url)
        .header(reqwest::header::ACCEPT, "application/json")
        .build()
        .ok()?;
    let response = attempt(http, &call, request).await.ok()?;
    if !response.status().is_success() {
        return None;
    }
    let bytes = response.bytes().await.ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The entry of `listed` the create would have made: `Some(its id)` when
/// found (the id may be unknown), `None` when not there.
fn find(create: &Create, name: &str, listed: &Value) -> Option<Option<String>> {
    let rule = create.rule;
    let since = create.started - chrono::Duration::from_std(CLOCK_SKEW).unwrap_or_default();
    let recent = |entry: &Value| match rule.created_field {
        None => true,
        Some(field) => entry
            .get(field)
            .and_then(Value::as_str)
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            // A time that does not read could be this call's.
            .is_none_or(|created| created >= since),
    };
    match listed {
        Value::Array(entries) => entries
            .iter()
            .find(|e| e.get(rule.field).and_then(Value::as_str) == Some(name) && recent(e))
            .map(|e| {
                rule.id_field
                    .and_then(|f| e.get(f))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            }),
        Value::Object(map) => map.contains_key(name).then_some(None),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::operation::OPERATIONS;

    fn create(rule: &'static ReadFirst) -> Create {
        Create {
            started: Utc::now(),
            rule,
            path: vec![],
            name: Some("orders".to_owned()),
        }
    }

    #[test]
    fn a_listed_entry_is_found_by_the_rules_field_and_a_map_by_its_key() {
        for operation in OPERATIONS {
            let Some(rule) = &operation.resend.read_first else {
                continue;
            };
            let create = create(rule);
            let entry =
                json!({ rule.field: "orders", "created": Utc::now().to_rfc3339(), "uuid": "u1" });
            let found = find(&create, "orders", &json!([entry]));
            assert!(found.is_some(), "{}", operation.id);
            assert_eq!(
                find(&create, "orders", &json!([])),
                None,
                "{}",
                operation.id
            );
            assert_eq!(
                find(&create, "orders", &json!({ "orders": "v" })),
                Some(None)
            );
            assert_eq!(find(&create, "orders", &json!({ "other": "v" })), None);
        }
    }

    #[test]
    fn an_entry_created_before_the_call_is_not_this_calls() {
        let rule = OPERATIONS
            .iter()
            .find_map(|op| {
                op.resend
                    .read_first
                    .as_ref()
                    .filter(|r| r.created_field.is_some())
            })
            .expect("a read that checks creation times");
        let create = create(rule);
        let field = rule.created_field.unwrap_or_default();
        let old = json!([{ rule.field: "orders", field: "2020-01-01T00:00:00Z", "uuid": "u1" }]);
        assert_eq!(find(&create, "orders", &old), None);
        let new = json!([{ rule.field: "orders", field: Utc::now().to_rfc3339(), "uuid": "u1" }]);
        let expected = rule.id_field.map(|_| "u1".to_owned());
        assert_eq!(find(&create, "orders", &new), Some(expected));
    }
}
