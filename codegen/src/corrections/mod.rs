//! Corrections to the published Administration API document.
//!
//! Camunda's published OpenAPI document describes the live API imperfectly
//! (CONTRIBUTING.md lists the defects). Every defect the
//! SDK works around is corrected here, on the JSON document, before code
//! generation. `build.rs` (through the `generate` module) and `xtask` both
//! depend on this module, so the document the SDK is generated from and the
//! document `cargo xtask check-spec` compares are corrected the same way.
//!
//! Each correction reports the places it changed. An empty list means the
//! source no longer has that defect, which `check-spec` reports so that a
//! maintainer can retire the correction.
//!
//! Only `serde_json` is used here, so that xtask stays light.

use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// One correction and the places in the document it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Stable identifier, used in reports and tests.
    pub id: &'static str,
    /// The defect this correction works around, in one line.
    pub defect: &'static str,
    /// JSON-pointer-like places changed; empty when the defect is absent.
    pub places: Vec<String>,
}

/// Every correction in the order [`apply`] runs them.
pub const CORRECTIONS: &[(&str, &str)] = &[
    (
        "merge-single-value-enum-unions",
        "a union of one-value enum schemas (OrganizationRole.ADMIN, ...) instead of one enum",
    ),
    (
        "rename-odd-schema-names",
        "schema names that are not identifiers (Record_string.never_)",
    ),
    (
        "flatten-all-of",
        "allOf of a schema and an inline object, which the generator cannot merge cleanly",
    ),
    (
        "hoist-colliding-inline-objects",
        "an inline object whose generated name collides with a named schema (Cluster.status vs ClusterStatus)",
    ),
    (
        "name-shared-inline-objects",
        "the same inline object (an IP allowlist entry) repeated in several schemas",
    ),
    (
        "open-additional-properties",
        "additionalProperties: false on objects the server extends without notice",
    ),
    (
        "relax-late-required",
        "fields marked required that the server can omit (Cluster.encryption, CreatedClusterClient.audience)",
    ),
    (
        "hoist-inline-enums",
        "inline string enums, which cannot be made open to new values without a name",
    ),
    (
        "csv-media-type",
        "/activity/csv declared as application/json while the server answers CSV text",
    ),
    (
        "uniform-error-bodies",
        "error responses without a schema, some text/plain, which breaks one error type per operation",
    ),
    (
        "any-2xx-is-success",
        "one exact success status per operation, while the server may answer another 2xx (201 for a create)",
    ),
    (
        "mark-secret-fields",
        "secret values (client secrets, connector secret values, passwords) not marked as such",
    ),
];

/// Fields that the document marks required but the live server can omit.
const LATE_REQUIRED: &[(&str, &str)] = &[
    ("Cluster", "encryption"),
    ("CreatedClusterClient", "audience"),
];

/// Better names for schemas whose published names are not Rust-like.
const SCHEMA_RENAMES: &[(&str, &str)] = &[("Record_string.never_", "EmptyObject")];

/// Names for inline enums, by property name; others get `Parent` + `Property`.
const ENUM_NAMES: &[(&str, &str)] = &[
    ("auditType", "AuditType"),
    ("permissions", "ClientPermission"),
    ("classification", "GenerationClassification"),
];

/// Inline objects that stand for one concept, by the property holding them.
const SHARED_OBJECT_NAMES: &[(&str, &str)] = &[
    ("ipallowlist", "IpAllowlistEntry"),
    ("ipwhitelist", "IpAllowlistEntry"),
];

/// Descriptions for the schemas the corrections name, so generated docs stay complete.
const NAMED_SCHEMA_DOCS: &[(&str, &str)] = &[
    ("ClusterStatusSummary", "Health of a cluster: a combined ready state plus the state of each component."),
    ("AuditType", "Kind of change an audit entry records: c (create), r (read), u (update) or d (delete)."),
    ("ClientPermission", "A permission of a cluster API client: Zeebe, Operate, Tasklist, Optimize or Secrets."),
    (
        "GenerationClassification",
        "Why a generation is offered for a channel: channel (regular offer), existingCluster (already in use) or orgUnlocked (enabled for the organization).",
    ),
    ("EmptyObject", "An empty JSON object, answered in place of a status while a feature is off."),
    ("IpAllowlistEntry", "One allowed IP address or CIDR range together with a note describing it."),
];

/// Property names whose string values are secrets.
const SECRET_FIELDS: &[&str] = &["clientSecret", "secretValue", "password"];

/// Schemas that map names to secret values.
const SECRET_MAPS: &[&str] = &["ClusterSecrets"];

/// Apply every correction in order; returns one [`Outcome`] per correction.
pub fn apply(doc: &mut Value) -> Vec<Outcome> {
    let steps: [fn(&mut Value) -> Vec<String>; 12] = [
        merge_single_value_enum_unions,
        rename_odd_schema_names,
        flatten_all_of,
        hoist_colliding_inline_objects,
        name_shared_inline_objects,
        open_additional_properties,
        relax_late_required,
        hoist_inline_enums,
        csv_media_type,
        uniform_error_bodies,
        any_2xx_is_success,
        mark_secret_fields,
    ];
    let outcomes = steps
        .iter()
        .zip(CORRECTIONS)
        .map(|(step, (id, defect))| Outcome {
            id,
            defect,
            places: step(doc),
        })
        .collect();
    describe_named_schemas(doc);
    outcomes
}

fn describe_named_schemas(doc: &mut Value) {
    let Some(schemas) = schemas_mut(doc) else {
        return;
    };
    for (name, text) in NAMED_SCHEMA_DOCS {
        if let Some(schema) = schemas.get_mut(*name).and_then(Value::as_object_mut) {
            schema.entry("description").or_insert_with(|| json!(text));
        }
    }
}

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

/// Properties named like secrets that are not marked `format: password`
/// (a `$ref`, another format): `build.rs` refuses to generate plain
/// `String`s for them.
pub fn unmarked_secret_fields(doc: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let mut doc = doc.clone();
    walk(&mut doc, &mut |path, map| {
        let Some(props) = map.get("properties").and_then(Value::as_object) else {
            return;
        };
        for field in SECRET_FIELDS {
            if let Some(schema) = props.get(*field) {
                if schema.get("format").and_then(Value::as_str) != Some("password") {
                    found.push(format!("{}/properties/{field}", pointer(path)));
                }
            }
        }
    });
    found
}

/// Operation ids whose request or success answer holds a secret (a field
/// marked `format: password`, directly or through `$ref`s). Their error
/// bodies are never kept: a server might echo the request.
pub fn secret_carrying_operations(doc: &Value) -> BTreeSet<String> {
    operations(doc)
        .into_iter()
        .filter(|(_, _, op)| mentions_secret(doc, op, &mut BTreeSet::new()))
        .filter_map(|(_, _, op)| {
            op.get("operationId")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect()
}

fn mentions_secret(doc: &Value, node: &Value, seen: &mut BTreeSet<String>) -> bool {
    match node {
        Value::Object(map) => {
            if map.get("format").and_then(Value::as_str) == Some("password") {
                return true;
            }
            if let Some(target) = ref_target(node) {
                if !seen.insert(target.to_owned()) {
                    return false;
                }
                return doc
                    .pointer(&format!("/components/schemas/{target}"))
                    .is_some_and(|schema| mentions_secret(doc, schema, seen));
            }
            map.values().any(|child| mentions_secret(doc, child, seen))
        }
        Value::Array(items) => items.iter().any(|child| mentions_secret(doc, child, seen)),
        _ => false,
    }
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

fn string_enum_values(schema: &Value) -> Option<Vec<String>> {
    let values = schema.get("enum")?.as_array()?;
    if schema.get("type").and_then(Value::as_str) != Some("string") {
        return None;
    }
    values
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect()
}

fn schemas_mut(doc: &mut Value) -> Option<&mut Map<String, Value>> {
    doc.pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
}

fn schema_ref(name: &str) -> String {
    format!("#/components/schemas/{name}")
}

fn ref_target(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

/// A visitor of JSON objects: the object's path and the object.
type Visit<'a> = dyn FnMut(&[String], &mut Map<String, Value>) + 'a;

/// Visit every JSON object in the document, depth first, with its path.
fn walk_mut(value: &mut Value, path: &mut Vec<String>, visit: &mut Visit<'_>) {
    match value {
        Value::Object(map) => {
            visit(path, map);
            for (key, child) in map.iter_mut() {
                path.push(key.clone());
                walk_mut(child, path, visit);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter_mut().enumerate() {
                path.push(index.to_string());
                walk_mut(child, path, visit);
                path.pop();
            }
        }
        _ => {}
    }
}

fn walk(value: &mut Value, visit: &mut Visit<'_>) {
    walk_mut(value, &mut Vec::new(), visit);
}

fn pointer(path: &[String]) -> String {
    path.iter()
        .map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1")))
        .collect()
}

fn pascal(name: &str) -> String {
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

/// Rewrite every `$ref` to `from` into a `$ref` to `to`.
fn rename_refs(doc: &mut Value, from: &str, to: &str) {
    let (from, to) = (schema_ref(from), schema_ref(to));
    walk(doc, &mut |_, map| {
        if map.get("$ref").and_then(Value::as_str) == Some(from.as_str()) {
            map.insert("$ref".into(), Value::String(to.clone()));
        }
    });
}

fn count_refs(doc: &mut Value, name: &str) -> usize {
    let target = schema_ref(name);
    let mut count = 0;
    walk(doc, &mut |_, map| {
        if map.get("$ref").and_then(Value::as_str) == Some(target.as_str()) {
            count += 1;
        }
    });
    count
}

fn merge_single_value_enum_unions(doc: &mut Value) -> Vec<String> {
    let Some(schemas) = schemas_mut(doc) else {
        return Vec::new();
    };
    let single_values: BTreeMap<String, String> = schemas
        .iter()
        .filter_map(
            |(name, schema)| match string_enum_values(schema)?.as_slice() {
                [only] => Some((name.clone(), only.clone())),
                _ => None,
            },
        )
        .collect();
    let mut places = Vec::new();
    let mut absorbed = BTreeSet::new();
    for (name, schema) in schemas.iter_mut() {
        for key in ["anyOf", "oneOf"] {
            let Some(members) = schema.get(key).and_then(Value::as_array) else {
                continue;
            };
            let values: Option<Vec<(String, String)>> = members
                .iter()
                .map(|m| {
                    let target = ref_target(m)?;
                    Some((target.to_owned(), single_values.get(target)?.clone()))
                })
                .collect();
            let Some(values) = values.filter(|v| !v.is_empty()) else {
                continue;
            };
            absorbed.extend(values.iter().map(|(target, _)| target.clone()));
            let values: Vec<Value> = values.into_iter().map(|(_, v)| Value::String(v)).collect();
            let mut merged = json!({ "type": "string", "enum": values });
            for keep in ["description", "nullable"] {
                if let Some(v) = schema.get(keep) {
                    merged[keep] = v.clone();
                }
            }
            *schema = merged;
            places.push(format!("/components/schemas/{name}"));
        }
    }
    for name in absorbed {
        if count_refs(doc, &name) == 0 {
            if let Some(schemas) = schemas_mut(doc) {
                schemas.remove(&name);
            }
        }
    }
    places
}

fn rename_odd_schema_names(doc: &mut Value) -> Vec<String> {
    let names: Vec<String> = match schemas_mut(doc) {
        Some(schemas) => schemas.keys().cloned().collect(),
        None => return Vec::new(),
    };
    let mut places = Vec::new();
    for name in names {
        if name.chars().all(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let new_name = SCHEMA_RENAMES
            .iter()
            .find(|(from, _)| *from == name)
            .map(|(_, to)| (*to).to_owned())
            .unwrap_or_else(|| pascal(&name));
        let Some(schemas) = schemas_mut(doc) else {
            break;
        };
        if schemas.contains_key(&new_name) {
            continue;
        }
        if let Some(schema) = schemas.remove(&name) {
            schemas.insert(new_name.clone(), schema);
        }
        rename_refs(doc, &name, &new_name);
        places.push(format!("/components/schemas/{name} -> {new_name}"));
    }
    places.extend(empty_object_alternatives(doc));
    places
}

/// `anyOf: [X, EmptyObject]` means "X, or `{}` while the feature is off".
/// As `oneOf` the generator makes it an enum of the two, tried in order,
/// instead of a struct of two optional flattened halves.
fn empty_object_alternatives(doc: &mut Value) -> Vec<String> {
    let empty = schema_ref("EmptyObject");
    let mut places = Vec::new();
    walk(doc, &mut |path, map| {
        let is_alternative = map
            .get("anyOf")
            .and_then(Value::as_array)
            .is_some_and(|members| {
                members.len() == 2
                    && members
                        .iter()
                        .any(|m| m.get("$ref").and_then(Value::as_str) == Some(empty.as_str()))
            });
        if is_alternative {
            if let Some(members) = map.remove("anyOf") {
                map.insert("oneOf".into(), members);
                places.push(pointer(path));
            }
        }
    });
    places
}

/// Merge `allOf: [{$ref: X}, {inline object}]`. When X is used nowhere else the
/// inline properties join X itself, so users meet one type; otherwise the
/// union becomes one inline object.
fn flatten_all_of(doc: &mut Value) -> Vec<String> {
    let schemas_snapshot = doc
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or(Value::Null);
    let mut found: Vec<(Vec<String>, Vec<Value>)> = Vec::new();
    walk(doc, &mut |path, map| {
        if let Some(Value::Array(members)) = map.get("allOf") {
            found.push((path.to_vec(), members.clone()));
        }
    });
    let mut places = Vec::new();
    for (path, members) in found {
        let resolved: Vec<Value> = members
            .iter()
            .map(|m| match ref_target(m) {
                Some(target) => schemas_snapshot.get(target).cloned().unwrap_or(Value::Null),
                None => m.clone(),
            })
            .collect();
        if !resolved.iter().all(|m| {
            m.get("properties").is_some() || m.get("type").and_then(Value::as_str) == Some("object")
        }) {
            continue;
        }
        let merged = merge_objects(&resolved);
        let single_ref = match members.as_slice() {
            [first, rest @ ..] if rest.iter().all(|m| m.get("$ref").is_none()) => {
                ref_target(first).map(str::to_owned)
            }
            _ => None,
        };
        let replacement = match single_ref {
            Some(target) if count_refs(doc, &target) == 1 => {
                if let Some(schema) = schemas_mut(doc).and_then(|s| s.get_mut(&target)) {
                    *schema = merged;
                }
                json!({ "$ref": schema_ref(&target) })
            }
            _ => merged,
        };
        if let Some(slot) = doc.pointer_mut(&pointer(&path)) {
            // Keywords beside `allOf` (nullable, description) stay, unless
            // the holder became a bare `$ref`, which takes no siblings.
            let mut replacement = replacement;
            if let (Some(holder), Some(merged)) = (slot.as_object(), replacement.as_object_mut()) {
                if !merged.contains_key("$ref") {
                    for (key, value) in holder {
                        if key != "allOf" {
                            merged.entry(key.clone()).or_insert_with(|| value.clone());
                        }
                    }
                }
            }
            *slot = replacement;
            places.push(pointer(&path));
        }
    }
    places
}

fn merge_objects(parts: &[Value]) -> Value {
    let mut properties = Map::new();
    let mut required: Vec<Value> = Vec::new();
    let mut extra = Map::new();
    for part in parts {
        if let Some(props) = part.get("properties").and_then(Value::as_object) {
            properties.extend(props.clone());
        }
        for name in part
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !required.contains(name) {
                required.push(name.clone());
            }
        }
        for key in ["description", "additionalProperties"] {
            if let Some(v) = part.get(key) {
                extra.entry(key).or_insert_with(|| v.clone());
            }
        }
    }
    let mut merged = extra;
    merged.insert("type".into(), json!("object"));
    merged.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        merged.insert("required".into(), Value::Array(required));
    }
    Value::Object(merged)
}

fn is_inline_object(schema: &Value) -> bool {
    schema.get("$ref").is_none()
        && schema.get("enum").is_none()
        && (schema.get("properties").is_some()
            || schema.get("type").and_then(Value::as_str) == Some("object"))
}

fn hoist_colliding_inline_objects(doc: &mut Value) -> Vec<String> {
    let Some(schemas) = schemas_mut(doc) else {
        return Vec::new();
    };
    let existing: BTreeSet<String> = schemas.keys().cloned().collect();
    let mut hoisted = Vec::new();
    let mut places = Vec::new();
    for (name, schema) in schemas.iter_mut() {
        let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
            continue;
        };
        for (prop, prop_schema) in props.iter_mut() {
            let generated = format!("{}{}", pascal(name), pascal(prop));
            if is_inline_object(prop_schema) && existing.contains(&generated) {
                let new_name = format!("{generated}Summary");
                hoisted.push((
                    new_name.clone(),
                    std::mem::replace(prop_schema, json!({ "$ref": schema_ref(&new_name) })),
                ));
                places.push(format!(
                    "/components/schemas/{name}/properties/{prop} -> {new_name}"
                ));
            }
        }
    }
    schemas.extend(hoisted);
    places
}

fn name_shared_inline_objects(doc: &mut Value) -> Vec<String> {
    let mut hoisted: BTreeMap<String, Value> = BTreeMap::new();
    let mut places = Vec::new();
    walk(doc, &mut |path, map| {
        let Some(props) = map.get_mut("properties").and_then(Value::as_object_mut) else {
            return;
        };
        for (prop, prop_schema) in props.iter_mut() {
            let Some((_, name)) = SHARED_OBJECT_NAMES.iter().find(|(p, _)| p == prop) else {
                continue;
            };
            let Some(items) = prop_schema.get_mut("items") else {
                continue;
            };
            if !is_inline_object(items) {
                continue;
            }
            let shape = std::mem::replace(items, json!({ "$ref": schema_ref(name) }));
            hoisted.entry((*name).to_owned()).or_insert(shape);
            places.push(format!(
                "{}/properties/{prop}/items -> {name}",
                pointer(path)
            ));
        }
    });
    if let Some(schemas) = schemas_mut(doc) {
        for (name, schema) in hoisted {
            schemas.entry(name).or_insert(schema);
        }
    }
    places
}

fn open_additional_properties(doc: &mut Value) -> Vec<String> {
    let mut places = Vec::new();
    walk(doc, &mut |path, map| {
        if map.get("additionalProperties") == Some(&Value::Bool(false)) {
            map.remove("additionalProperties");
            places.push(pointer(path));
        }
    });
    places
}

fn relax_late_required(doc: &mut Value) -> Vec<String> {
    let mut places = Vec::new();
    let Some(schemas) = schemas_mut(doc) else {
        return places;
    };
    for (schema_name, field) in LATE_REQUIRED {
        let Some(required) = schemas
            .get_mut(*schema_name)
            .and_then(|s| s.get_mut("required"))
            .and_then(Value::as_array_mut)
        else {
            continue;
        };
        let before = required.len();
        required.retain(|name| name.as_str() != Some(field));
        if required.len() != before {
            places.push(format!(
                "/components/schemas/{schema_name}/required/{field}"
            ));
        }
    }
    places
}

fn hoist_inline_enums(doc: &mut Value) -> Vec<String> {
    // Every name in use, with its enum values where it is a string enum.
    let existing: BTreeMap<String, Option<Vec<String>>> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| {
            schemas
                .iter()
                .map(|(name, schema)| (name.clone(), string_enum_values(schema)))
                .collect()
        })
        .unwrap_or_default();
    let mut new_schemas: BTreeMap<String, Value> = BTreeMap::new();
    let mut places = Vec::new();
    walk(doc, &mut |path, map| {
        let Some(props) = map.get_mut("properties").and_then(Value::as_object_mut) else {
            return;
        };
        // The nearest schema name, else (inside an operation) the path and method.
        let parent = path
            .iter()
            .rev()
            .find(|segment| {
                segment
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_uppercase())
            })
            .map(|name| pascal(name))
            .unwrap_or_else(|| path.iter().skip(1).take(2).map(|p| pascal(p)).collect());
        for (prop, prop_schema) in props.iter_mut() {
            let slot = if prop_schema.get("type").and_then(Value::as_str) == Some("array") {
                match prop_schema.get_mut("items") {
                    Some(items) => items,
                    None => continue,
                }
            } else {
                prop_schema
            };
            let Some(values) = string_enum_values(slot).filter(|v| v.len() > 1) else {
                continue;
            };
            // A name is free for these values if nothing else uses it.
            let fits = |name: &str| {
                let taken = existing.get(name).map(|v| v.as_ref() == Some(&values));
                let added = new_schemas
                    .get(name)
                    .map(|s| string_enum_values(s).as_ref() == Some(&values));
                taken.unwrap_or(true) && added.unwrap_or(true)
            };
            let preferred = ENUM_NAMES
                .iter()
                .find(|(p, _)| p == prop)
                .map(|(_, n)| (*n).to_owned())
                .unwrap_or_else(|| format!("{parent}{}", pascal(prop)));
            let candidates = [preferred.clone(), format!("{parent}{preferred}")];
            let name = candidates
                .into_iter()
                .chain((2..).map(|n| format!("{parent}{preferred}{n}")))
                .find(|name| fits(name))
                .unwrap_or(preferred);
            let mut named = slot.clone();
            if let Some(obj) = named.as_object_mut() {
                // The property's own words stay with the property's path in
                // the report; the named schema gets its description elsewhere.
                obj.remove("description");
            }
            new_schemas.entry(name.clone()).or_insert(named);
            *slot = json!({ "$ref": schema_ref(&name) });
            places.push(format!("{}/properties/{prop} -> {name}", pointer(path)));
        }
    });
    if let Some(schemas) = schemas_mut(doc) {
        for (name, schema) in new_schemas {
            schemas.entry(name).or_insert(schema);
        }
    }
    places
}

fn csv_media_type(doc: &mut Value) -> Vec<String> {
    let mut places = Vec::new();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return places;
    };
    for (path, item) in paths.iter_mut() {
        if !path.ends_with("/csv") {
            continue;
        }
        let Some(ok) = item.pointer_mut("/get/responses/200") else {
            continue;
        };
        let Some(content) = ok.get_mut("content").and_then(Value::as_object_mut) else {
            continue;
        };
        if content.contains_key("text/csv") && content.len() == 1 {
            continue;
        }
        content.clear();
        content.insert("text/csv".into(), json!({ "schema": { "type": "string" } }));
        places.push(format!("/paths{path}/get/responses/200"));
    }
    places
}

/// A visitor of an operation's `responses`: path, method, the map.
type VisitResponses<'a> = dyn FnMut(&str, &str, &mut Map<String, Value>) + 'a;

/// Visit the `responses` map of every operation, with its path and method.
fn each_operation_responses(doc: &mut Value, visit: &mut VisitResponses<'_>) {
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

fn uniform_error_bodies(doc: &mut Value) -> Vec<String> {
    let mut places = Vec::new();
    let uniform = json!({ "text/plain": { "schema": { "type": "string" } } });
    each_operation_responses(doc, &mut |path, method, responses| {
        for (status, response) in responses.iter_mut() {
            let is_error = status.starts_with('4') || status.starts_with('5');
            let Some(response) = response.as_object_mut().filter(|_| is_error) else {
                continue;
            };
            if response.get("content") != Some(&uniform) {
                response.insert("content".into(), uniform.clone());
                places.push(format!("/paths{path}/{method}/responses/{status}"));
            }
        }
    });
    places
}

/// An operation with a single success status accepts the whole 2xx range,
/// so an undocumented 201 is decoded as the success it is, not reported as
/// an error that would carry (and show) its body, such as a created secret.
fn any_2xx_is_success(doc: &mut Value) -> Vec<String> {
    let mut places = Vec::new();
    each_operation_responses(doc, &mut |path, method, responses| {
        let success: Vec<&String> = responses
            .keys()
            .filter(|status| status.starts_with('2'))
            .collect();
        // The documented status stays (reports keep naming it); the range
        // answers the same way for any other 2xx.
        let [only] = success.as_slice() else {
            return;
        };
        if only.as_str() == "2XX" {
            return;
        }
        let only = (*only).clone();
        if let Some(response) = responses.get(&only).cloned() {
            responses.insert("2XX".into(), response);
            places.push(format!("/paths{path}/{method}/responses/{only}"));
        }
    });
    places
}

fn mark_secret_fields(doc: &mut Value) -> Vec<String> {
    let mut places = Vec::new();
    walk(doc, &mut |path, map| {
        let Some(props) = map.get_mut("properties").and_then(Value::as_object_mut) else {
            return;
        };
        for field in SECRET_FIELDS {
            let Some(schema) = props.get_mut(*field).and_then(Value::as_object_mut) else {
                continue;
            };
            if schema.get("type").and_then(Value::as_str) == Some("string")
                && schema.get("format").is_none()
            {
                schema.insert("format".into(), json!("password"));
                places.push(format!("{}/properties/{field}", pointer(path)));
            }
        }
    });
    if let Some(schemas) = schemas_mut(doc) {
        for name in SECRET_MAPS {
            let Some(values) = schemas
                .get_mut(*name)
                .and_then(|s| s.get_mut("additionalProperties"))
            else {
                continue;
            };
            if values.get("type").and_then(Value::as_str) == Some("string")
                && values.get("format").is_none()
            {
                values["format"] = json!("password");
                places.push(format!("/components/schemas/{name}/additionalProperties"));
            }
        }
    }
    places
}

#[cfg(test)]
mod tests;
