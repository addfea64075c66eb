//! Differences in the facts of two OpenAPI documents.
//!
//! [`compare`] takes the document the project has (the vendored one) and the
//! source (the published one, "the new"), both as published (uncorrected),
//! and lists what the source adds, removes or changes, in the published
//! document's own names:
//!
//! - operations keyed by method and path: operationId, `deprecated`,
//!   parameters, request body, status codes, response bodies and headers;
//! - component schemas, each compared once, with the operations using it;
//! - security, resolved per operation (the operation's own, else the
//!   document's), so moving it between levels is not a change; changes
//!   shared by several operations are one entry;
//! - servers, security schemes and the names of the other components.
//!
//! Shapes are compared resolved: where one document has a `$ref` and the
//! other an inline schema (or another `$ref`), both are followed and their
//! facts compared, so naming a shape is not a change of its fields. Where
//! both name the same component, the component is compared once, on its own.
//!
//! Every keyword that changes the wire or the generated code is a fact:
//! types, formats, `nullable`, enum values, required-ness, constraints
//! (`maxLength`, `pattern`, `minimum`, ...), `default`, `readOnly`,
//! `additionalProperties`, media types, parameter styles. Prose
//! (descriptions, summaries, titles), examples, `x-` extensions (the
//! project's own), key order, formatting and `info` never drift.
//!
//! The diff is linear in the size of the documents: each node is visited
//! once per side, and fields are matched by name in sorted maps.
//!
//! The parts: `model` (what a drift is), `operations`, `schemas`, and
//! `describe` (security, the other facts, type descriptions). JSON
//! pointers, `$ref`s and `allOf` joining are `camunda_admin_codegen::openapi`'s.

mod describe;
mod model;
mod named;
mod operations;
mod schemas;

pub use describe::{describe, resolved_security};
pub use model::*;

use camunda_admin_codegen::openapi::{
    child, escape, flatten_all_of, ref_target, referenced_schema, resolve_at, schema_name, schemas,
    unescape,
};
use describe::local_type;
use operations::{operation_id, operations};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Label of the pseudo-field holding a body's media types.
pub const CONTENT_TYPE_FIELD: &str = "(content type)";
/// Label of the pseudo-field standing for a whole body.
pub const BODY_FIELD: &str = "(body)";
/// Label of the pseudo-field standing for a whole component schema.
pub const SCHEMA_FIELD: &str = "(schema)";

/// Keys that hold prose or examples: never facts.
const PROSE: &[&str] = &[
    "description",
    "summary",
    "title",
    "example",
    "examples",
    "externalDocs",
];

/// Schema keys compared by their own rules, not as plain keywords.
const STRUCTURE: &[&str] = &[
    "$ref",
    "type",
    "format",
    "nullable",
    "enum",
    "properties",
    "required",
    "items",
    "additionalProperties",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
];

/// Compare `vendored` (what the project has) with `source` (the new one),
/// both uncorrected.
pub fn compare(vendored: &Value, source: &Value) -> Drift {
    let differ = Differ {
        old: vendored,
        new: source,
    };
    let mut drift = Drift {
        operations: differ.operations(),
        schemas: differ.schemas(),
        security: differ.security(),
        other: differ.other(),
    };
    drift.operations.changed.sort_by(|a, b| {
        (a.path.as_str(), a.method.as_str()).cmp(&(b.path.as_str(), b.method.as_str()))
    });
    drift
}

/// The two documents being compared.
struct Differ<'a> {
    old: &'a Value,
    new: &'a Value,
}

/// A node of one document and its JSON pointer.
#[derive(Clone, Copy)]
struct Node<'a> {
    value: &'a Value,
    pointer: &'a str,
}

/// One side of an operation.
struct Operation<'a> {
    op: &'a Value,
    pointer: String,
    path_parameters: Option<&'a Value>,
}

fn set(pointer: String, value: Option<&Value>) -> Edit {
    Edit {
        pointer,
        value: value.cloned(),
    }
}

fn json_text(value: Option<&Value>) -> String {
    value.map_or_else(|| "(none)".to_owned(), Value::to_string)
}

fn node<'a>(value: &'a Value, pointer: &'a str) -> Node<'a> {
    Node { value, pointer }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// The object under `key` of `value`, or an empty one.
fn object_at<'a>(value: &'a Value, key: &str) -> &'a Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    value
        .get(key)
        .and_then(Value::as_object)
        .unwrap_or_else(|| EMPTY.get_or_init(Map::new))
}
