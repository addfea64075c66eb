//! Queries of a document and the walking helpers every correction family uses.
//!
//! The queries (`operations`, `string_enums`, `unauthenticated_operations`)
//! are read by the generator; the helpers stay inside the corrections. The
//! JSON pointer, `$ref` and walking helpers are [`crate::openapi`]'s.

use crate::openapi::{schema_name, schema_ref, walk};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The named string enums of a corrected document, with their values.
/// `build.rs` generates an open Rust enum for each.
pub fn string_enums(doc: &Value) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    if let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            if let Some(values) = string_enum_values(schema) {
                out.insert(name.clone(), values);
            }
        }
    }
    out
}

/// Operation ids whose `security` is explicitly empty: no bearer token needed.
pub fn unauthenticated_operations(doc: &Value) -> BTreeSet<String> {
    operations(doc)
        .into_iter()
        .filter(|(_, _, op)| {
            op.get("security")
                .and_then(Value::as_array)
                .is_some_and(Vec::is_empty)
        })
        .filter_map(|(_, _, op)| {
            op.get("operationId")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect()
}

/// All operations as (path, method, operation).
pub fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            if let Some(item) = item.as_object() {
                for (method, op) in item {
                    if HTTP_METHODS.contains(&method.as_str()) {
                        out.push((path.clone(), method.clone(), op.clone()));
                    }
                }
            }
        }
    }
    out
}

/// The HTTP methods an OpenAPI path item can hold.
pub const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

pub(crate) fn string_enum_values(schema: &Value) -> Option<Vec<String>> {
    let values = schema.get("enum")?.as_array()?;
    if schema.get("type").and_then(Value::as_str) != Some("string") {
        return None;
    }
    values
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect()
}

pub(crate) fn pascal(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Rewrite every `$ref` to a schema named in `renames` into a `$ref` to its
/// new name: one walk for all of them.
pub(crate) fn rename_refs(doc: &mut Value, renames: &BTreeMap<String, String>) {
    if renames.is_empty() {
        return;
    }
    walk(doc, &mut |_, map| {
        let to = referenced_schema_of(map).and_then(|from| renames.get(from));
        if let Some(to) = to {
            map.insert("$ref".into(), Value::String(schema_ref(to)));
        }
    });
}

fn referenced_schema_of(map: &Map<String, Value>) -> Option<&str> {
    map.get("$ref")?.as_str().and_then(schema_name)
}

/// Add `delta` to the count of each component schema for every `$ref` to
/// it under `value`.
pub(crate) fn count_refs(value: &Value, delta: isize, counts: &mut BTreeMap<String, isize>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = referenced_schema_of(map) {
                *counts.entry(name.to_owned()).or_default() += delta;
            }
            map.values()
                .for_each(|child| count_refs(child, delta, counts));
        }
        Value::Array(items) => items
            .iter()
            .for_each(|child| count_refs(child, delta, counts)),
        _ => {}
    }
}

/// A visitor of an operation's `responses`: path, method, the map.
pub(crate) type VisitResponses<'a> = dyn FnMut(&str, &str, &mut Map<String, Value>) + 'a;

/// Visit the `responses` map of every operation, with its path and method.
pub(crate) fn each_operation_responses(doc: &mut Value, visit: &mut VisitResponses<'_>) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
                visit(path, method, responses);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! The defects of this family on small fragments, and what the
    //! corrections make of them.

    use crate::corrections::unauthenticated_operations;
    use serde_json::json;

    #[test]
    fn unauthenticated_operations_are_those_with_empty_security() {
        let d = json!({ "paths": {
            "/meta/ip-ranges": { "get": { "operationId": "GetMeta", "security": [] } },
            "/clusters": { "get": { "operationId": "GetClusters", "security": [{ "bearer": [] }] } } } });
        assert_eq!(
            unauthenticated_operations(&d)
                .into_iter()
                .collect::<Vec<_>>(),
            vec!["GetMeta".to_owned()]
        );
    }
}
