//! The facts about each operation that the published document cannot give
//! (which statuses are resent, which create reads before it resends, what
//! `--wait` waits for, which fields take a name, the command's name),
//! read from the project's `x-camunda-*` extensions of each operation.
//!
//! A document without them (the published one, or one a user downloaded)
//! takes them from the project's own document by operationId
//! ([`fill_from`]); an operation that neither knows gets the safe defaults
//! of [`Facts::unknown`] and is named in one build warning.

use std::collections::BTreeMap;

use serde_json::Value;

use super::GenerateError;
use crate::corrections;

/// The extensions this module reads, on an operation object.
pub const EXTENSIONS: [&str; 6] = [
    "x-camunda-cli",
    "x-camunda-resend",
    "x-camunda-wait",
    "x-camunda-names",
    "x-camunda-output",
    "x-camunda-fields",
];

/// What the project knows about one operation beyond the document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facts {
    /// Whether the project's document describes the operation (else every
    /// fact is the safe default).
    pub known: bool,
    /// The command's (group, verb); `None`: derived from path and method.
    pub cli: Option<(String, String)>,
    /// Statuses resent as they are, beyond the method rule.
    pub resend_statuses: Vec<u16>,
    /// The read that must come before resending a create.
    pub read_first: Option<ReadFirst>,
    /// What `--wait` waits for.
    pub wait: Option<Wait>,
    /// Parameters and top-level body fields that take a name, with the
    /// kind of name (`cluster`, `region`, `plan`, `channel`, `generation`).
    pub names: BTreeMap<String, String>,
    /// The answer is a map of names to secret values.
    pub secret_values: bool,
    /// Limits and defaults the document states only in prose, by top-level
    /// body field (`x-camunda-fields`).
    pub fields: BTreeMap<String, FieldFacts>,
}

/// What the document's prose says of one body field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldFacts {
    /// At most this many characters.
    pub max_chars: Option<u32>,
    /// The value the service assumes when the field is absent, as JSON.
    pub default: Option<String>,
}

/// A read before resending a create (`x-camunda-resend.readFirst`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadFirst {
    /// The status that calls for the read.
    pub status: u16,
    /// The operation that lists what the create makes.
    pub list: String,
    /// The body field naming what is created; a listed entry matches on the
    /// same field (or, for a map, on its key).
    pub field: String,
    /// An entry's creation time: only entries created since the call
    /// began count.
    pub created_field: Option<String>,
    /// An entry's id, reported when it is found.
    pub id_field: Option<String>,
    /// `maybeCreated` or `alreadyExists`: what a found entry means.
    pub found: String,
}

/// What `--wait` waits for (`x-camunda-wait`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wait {
    /// `clusterHealthy`, `clusterWoken`, `clusterUpgraded`,
    /// `backupComplete` or `restoreComplete`.
    pub until: String,
    /// Where the cluster's id is: `path:NAME` or `answer:FIELD`.
    pub cluster: String,
    /// Where the backup's id is, for backups and restores.
    pub backup: Option<String>,
}

/// The values `x-camunda-wait.until` may take.
pub const WAIT_UNTIL: [&str; 5] = [
    "clusterHealthy",
    "clusterWoken",
    "clusterUpgraded",
    "backupComplete",
    "restoreComplete",
];

/// The kinds of name `x-camunda-names` may give.
pub const NAME_KINDS: [&str; 5] = ["cluster", "region", "plan", "channel", "generation"];

/// The values `x-camunda-resend.readFirst.found` may take.
pub const FOUND: [&str; 2] = ["maybeCreated", "alreadyExists"];

impl Facts {
    /// The facts of an operation the project does not know: the method rule
    /// only, no read first, no wait, no names, a derived command name (and,
    /// decided by the caller, carrying secrets).
    pub fn unknown() -> Self {
        Self::default()
    }

    /// The facts in `op`'s extensions; `id` names it in errors.
    pub fn read(id: &str, op: &Value) -> Result<Self, GenerateError> {
        if !EXTENSIONS.iter().any(|key| op.get(*key).is_some()) {
            return Ok(Self::unknown());
        }
        let bad = |what: &str| GenerateError::new(format!("{id}: {what}"));
        let cli = match op.get("x-camunda-cli") {
            None => None,
            Some(cli) => {
                let part = |key: &str| {
                    cli.get(key)
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                        .ok_or_else(|| bad(&format!("x-camunda-cli.{key} must be a string")))
                };
                Some((part("group")?, part("verb")?))
            }
        };
        let resend = op.get("x-camunda-resend");
        let resend_statuses = match resend.and_then(|r| r.get("statuses")) {
            None => Vec::new(),
            Some(list) => list
                .as_array()
                .ok_or_else(|| bad("x-camunda-resend.statuses must be an array"))?
                .iter()
                .map(|s| {
                    status(s).ok_or_else(|| bad("x-camunda-resend.statuses holds a non-status"))
                })
                .collect::<Result<_, _>>()?,
        };
        let read_first = match resend.and_then(|r| r.get("readFirst")) {
            None => None,
            Some(read) => Some(
                read_first(read)
                    .map_err(|what| bad(&format!("x-camunda-resend.readFirst: {what}")))?,
            ),
        };
        let wait = match op.get("x-camunda-wait") {
            None => None,
            Some(wait) => {
                Some(read_wait(wait).map_err(|what| bad(&format!("x-camunda-wait: {what}")))?)
            }
        };
        let mut names = BTreeMap::new();
        if let Some(map) = op.get("x-camunda-names") {
            let map = map
                .as_object()
                .ok_or_else(|| bad("x-camunda-names must be an object"))?;
            for (field, kind) in map {
                let kind = kind
                    .as_str()
                    .filter(|k| NAME_KINDS.contains(k))
                    .ok_or_else(|| {
                        bad(&format!(
                            "x-camunda-names.{field} must be one of {NAME_KINDS:?}"
                        ))
                    })?;
                names.insert(field.clone(), kind.to_owned());
            }
        }
        let mut fields = BTreeMap::new();
        if let Some(map) = op.get("x-camunda-fields") {
            let map = map
                .as_object()
                .ok_or_else(|| bad("x-camunda-fields must be an object"))?;
            for (field, node) in map {
                let facts = field_facts(node)
                    .map_err(|what| bad(&format!("x-camunda-fields.{field}: {what}")))?;
                fields.insert(field.clone(), facts);
            }
        }
        let secret_values = match op.get("x-camunda-output") {
            None => false,
            Some(Value::String(s)) if s == "secretValues" => true,
            Some(_) => return Err(bad("x-camunda-output must be \"secretValues\"")),
        };
        Ok(Self {
            known: true,
            cli,
            resend_statuses,
            read_first,
            wait,
            names,
            secret_values,
            fields,
        })
    }
}

fn field_facts(node: &Value) -> Result<FieldFacts, String> {
    let object = node.as_object().ok_or("must be an object")?;
    if let Some(key) = object.keys().find(|k| *k != "maxChars" && *k != "default") {
        return Err(format!("{key} is not maxChars or default"));
    }
    let max_chars = match node.get("maxChars") {
        None => None,
        Some(n) => Some(
            n.as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or("maxChars must be a count")?,
        ),
    };
    Ok(FieldFacts {
        max_chars,
        default: node.get("default").map(Value::to_string),
    })
}

fn status(value: &Value) -> Option<u16> {
    value
        .as_u64()
        .and_then(|s| u16::try_from(s).ok())
        .filter(|s| (100..600).contains(s))
}

fn string(node: &Value, key: &str) -> Result<String, String> {
    node.get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("{key} must be a string"))
}

fn optional_string(node: &Value, key: &str) -> Result<Option<String>, String> {
    match node.get(key) {
        None => Ok(None),
        Some(_) => string(node, key).map(Some),
    }
}

fn read_first(node: &Value) -> Result<ReadFirst, String> {
    let found = string(node, "found")?;
    if !FOUND.contains(&found.as_str()) {
        return Err(format!("found must be one of {FOUND:?}"));
    }
    Ok(ReadFirst {
        status: node
            .get("status")
            .and_then(status)
            .ok_or("status must be an HTTP status")?,
        list: string(node, "list")?,
        field: string(node, "match")?,
        created_field: optional_string(node, "createdField")?,
        id_field: optional_string(node, "idField")?,
        found,
    })
}

fn read_wait(node: &Value) -> Result<Wait, String> {
    let until = string(node, "until")?;
    if !WAIT_UNTIL.contains(&until.as_str()) {
        return Err(format!("until must be one of {WAIT_UNTIL:?}"));
    }
    let source = |key: &str| -> Result<Option<String>, String> {
        let Some(text) = optional_string(node, key)? else {
            return Ok(None);
        };
        match text.split_once(':') {
            Some(("path" | "answer", rest)) if !rest.is_empty() => Ok(Some(text)),
            _ => Err(format!("{key} must be path:NAME or answer:FIELD")),
        }
    };
    let cluster = source("cluster")?.ok_or("cluster must be path:NAME or answer:FIELD")?;
    let backup = source("backup")?;
    if until.starts_with("backup") || until.starts_with("restore") {
        backup
            .as_ref()
            .ok_or("backup is needed for a backup or restore")?;
    }
    Ok(Wait {
        until,
        cluster,
        backup,
    })
}

/// Copy the project's extensions into `doc`'s operations that carry none,
/// matched by operationId; the ids of `doc`'s operations that neither
/// document describes are returned (they get [`Facts::unknown`]).
pub fn fill_from(doc: &mut Value, project: &Value) -> Vec<String> {
    let mut known: BTreeMap<String, Value> = BTreeMap::new();
    for (_, _, op) in corrections::operations(project) {
        let Some(id) = op.get("operationId").and_then(Value::as_str) else {
            continue;
        };
        let extensions: serde_json::Map<String, Value> = EXTENSIONS
            .iter()
            .filter_map(|key| Some(((*key).to_owned(), op.get(*key)?.clone())))
            .collect();
        if !extensions.is_empty() {
            known.insert(id.to_owned(), Value::Object(extensions));
        }
    }
    let mut unknown = Vec::new();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return unknown;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for op in item.values_mut() {
            let Some(op) = op.as_object_mut() else {
                continue;
            };
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            if EXTENSIONS.iter().any(|key| op.contains_key(*key)) {
                continue;
            }
            match known.get(id) {
                Some(Value::Object(extensions)) => {
                    for (key, value) in extensions {
                        op.insert(key.clone(), value.clone());
                    }
                }
                _ => unknown.push(id.to_owned()),
            }
        }
    }
    unknown
}

/// The operation ids that `facts` name (a read's list operation) and
/// that are not in `ids`.
pub fn dangling<'a>(
    facts: impl Iterator<Item = (&'a str, &'a Facts)>,
    ids: &[&str],
) -> Vec<String> {
    facts
        .filter_map(|(id, f)| {
            let list = &f.read_first.as_ref()?.list;
            (!ids.contains(&list.as_str())).then(|| format!("{id} reads {list} first"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn project() -> Value {
        json!({ "paths": {
            "/clusters": { "post": {
                "operationId": "CreateCluster",
                "x-camunda-cli": { "group": "clusters", "verb": "create" },
                "x-camunda-resend": { "readFirst": {
                    "status": 503, "list": "GetClusters", "match": "name",
                    "createdField": "created", "idField": "uuid", "found": "maybeCreated" } },
                "x-camunda-wait": { "until": "clusterHealthy", "cluster": "answer:clusterId" },
                "x-camunda-names": { "regionId": "region" },
                "x-camunda-fields": { "description": { "maxChars": 150 }, "encryption": { "default": "Provider" } }
            } }
        } })
    }

    #[test]
    fn every_fact_is_read() {
        let op = &project()["paths"]["/clusters"]["post"];
        let facts = Facts::read("CreateCluster", op).expect("facts");
        assert!(facts.known);
        assert_eq!(facts.cli, Some(("clusters".into(), "create".into())));
        let read = facts.read_first.expect("read first");
        assert_eq!(
            (read.status, read.list.as_str(), read.field.as_str()),
            (503, "GetClusters", "name")
        );
        assert_eq!(read.created_field.as_deref(), Some("created"));
        assert_eq!(facts.wait.expect("wait").cluster, "answer:clusterId");
        assert_eq!(facts.names["regionId"], "region");
        assert_eq!(facts.fields["description"].max_chars, Some(150));
        assert_eq!(
            facts.fields["encryption"].default.as_deref(),
            Some("\"Provider\"")
        );
    }

    #[test]
    fn a_document_without_facts_takes_the_projects_and_names_the_rest() {
        let mut doc = json!({ "paths": {
            "/clusters": { "post": { "operationId": "CreateCluster" } },
            "/logs": { "get": { "operationId": "GetLogs" } }
        } });
        let unknown = fill_from(&mut doc, &project());
        assert_eq!(unknown, ["GetLogs"]);
        let op = &doc["paths"]["/clusters"]["post"];
        assert_eq!(op["x-camunda-wait"]["until"], "clusterHealthy");
        let logs = Facts::read("GetLogs", &doc["paths"]["/logs"]["get"]).expect("facts");
        assert_eq!(logs, Facts::unknown());
    }

    #[test]
    fn a_documents_own_facts_win() {
        let mut doc = json!({ "paths": { "/clusters": { "post": {
            "operationId": "CreateCluster",
            "x-camunda-cli": { "group": "c", "verb": "make" }
        } } } });
        fill_from(&mut doc, &project());
        let facts =
            Facts::read("CreateCluster", &doc["paths"]["/clusters"]["post"]).expect("facts");
        assert_eq!(facts.cli, Some(("c".into(), "make".into())));
        assert_eq!(facts.wait, None);
    }

    #[test]
    fn malformed_facts_are_errors_that_name_the_operation() {
        for bad in [
            json!({ "x-camunda-wait": { "until": "forever", "cluster": "path:c" } }),
            json!({ "x-camunda-wait": { "until": "backupComplete", "cluster": "path:c" } }),
            json!({ "x-camunda-names": { "regionId": "galaxy" } }),
            json!({ "x-camunda-resend": { "statuses": [99] } }),
            json!({ "x-camunda-resend": { "readFirst": { "status": 503, "list": "L", "match": "n", "found": "?" } } }),
            json!({ "x-camunda-output": "everything" }),
            json!({ "x-camunda-fields": { "description": { "maxChars": -1 } } }),
            json!({ "x-camunda-fields": { "description": { "pattern": "x" } } }),
        ] {
            let error = Facts::read("Op", &bad).expect_err("malformed");
            assert!(error.to_string().starts_with("Op: "), "{error}");
        }
    }

    #[test]
    fn a_read_of_an_operation_that_does_not_exist_is_named() {
        let op = &project()["paths"]["/clusters"]["post"];
        let facts = Facts::read("CreateCluster", op).expect("facts");
        let dangling = dangling([("CreateCluster", &facts)].into_iter(), &["CreateCluster"]);
        assert_eq!(dangling, ["CreateCluster reads GetClusters first"]);
    }
}
