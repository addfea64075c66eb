//! Differences in the facts of two OpenAPI documents.
//!
//! [`compare`] takes the document the project has (the vendored one) and the
//! source (the published one, "the new") and lists what the source adds,
//! removes or changes: operations keyed by method and path, their
//! parameters, request body fields, status codes and response fields, and
//! the component schemas. Prose (descriptions, summaries, titles), examples,
//! key order, formatting and `info` are not facts and never drift.
//!
//! Body fields are reported with `$ref` resolved one level: an operation
//! answering `$ref: Cluster` lists the fields of `Cluster`, whose own
//! nested references are named, not expanded. Each component schema is
//! compared on its own as well.

use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Label of the pseudo-field holding a body's media types.
pub const CONTENT_TYPE_FIELD: &str = "(content type)";
/// Label of the pseudo-field standing for a whole body.
pub const BODY_FIELD: &str = "(body)";
/// Label of the pseudo-field standing for a whole component schema.
pub const SCHEMA_FIELD: &str = "(schema)";

/// Everything that differs between two documents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// Operations, keyed by method and path.
    pub operations: OperationDrift,
    /// Component schemas, keyed by name.
    pub schemas: SchemaDrift,
    /// Other facts: servers and security schemes.
    pub other: Vec<ValueChange>,
}

impl Drift {
    /// True when the documents agree on every fact compared.
    pub fn is_empty(&self) -> bool {
        self.operations.added.is_empty()
            && self.operations.removed.is_empty()
            && self.operations.changed.is_empty()
            && self.schemas.added.is_empty()
            && self.schemas.removed.is_empty()
            && self.schemas.changed.is_empty()
            && self.other.is_empty()
    }
}

/// Operations added, removed and changed by the source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OperationDrift {
    /// In the source only.
    pub added: Vec<OperationRef>,
    /// In the vendored document only.
    pub removed: Vec<OperationRef>,
    /// In both, with different facts.
    pub changed: Vec<OperationChange>,
}

/// One operation, named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperationRef {
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// The operation's id, if it has one.
    pub operation_id: Option<String>,
}

/// How one operation differs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OperationChange {
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// The operation id in the source.
    pub operation_id: Option<String>,
    /// The operation id in the vendored document, when it differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_operation_id: Option<String>,
    /// Changes of `security` and `deprecated`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<ValueChange>,
    /// Response status codes only the source has.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub status_codes_added: Vec<String>,
    /// Response status codes only the vendored document has.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub status_codes_removed: Vec<String>,
    /// Parameter changes; fields are named `name (in)`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<FieldChange>,
    /// Request body changes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub request_body: Vec<FieldChange>,
    /// Response body changes, per status code both documents have.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub responses: Vec<ResponseChange>,
}

impl OperationChange {
    fn is_empty(&self) -> bool {
        self.previous_operation_id.is_none()
            && self.attributes.is_empty()
            && self.status_codes_added.is_empty()
            && self.status_codes_removed.is_empty()
            && self.parameters.is_empty()
            && self.request_body.is_empty()
            && self.responses.is_empty()
    }
}

/// Changes of the body of one response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResponseChange {
    /// The status code (or `default`).
    pub status: String,
    /// The field changes.
    pub changes: Vec<FieldChange>,
}

/// Component schemas added, removed and changed by the source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SchemaDrift {
    /// In the source only.
    pub added: Vec<String>,
    /// In the vendored document only.
    pub removed: Vec<String>,
    /// In both, with different facts.
    pub changed: Vec<SchemaChange>,
}

/// How one component schema differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaChange {
    /// The schema's name.
    pub name: String,
    /// The field changes; `(schema)` is the schema itself.
    pub changes: Vec<FieldChange>,
}

/// A named fact that changed from one value to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueChange {
    /// What changed (`security`, `deprecated`, `servers`, ...).
    pub attribute: String,
    /// The value in the vendored document.
    pub before: String,
    /// The value in the source.
    pub after: String,
}

/// One change of a field of a parameter list, body or schema.
///
/// Field paths use `.` between properties, `[]` for array items, `{}` for
/// map values and `<oneOf 1>` for inline members of a `oneOf` or `anyOf`
/// (the members of an `allOf` add their fields to the object itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum FieldChange {
    /// A field only the source has.
    Added {
        /// The field path.
        field: String,
        /// Its type.
        #[serde(rename = "type")]
        ty: String,
        /// Whether it is required, where that applies.
        required: Option<bool>,
    },
    /// A field only the vendored document has.
    Removed {
        /// The field path.
        field: String,
        /// Its type.
        #[serde(rename = "type")]
        ty: String,
        /// Whether it was required, where that applies.
        required: Option<bool>,
    },
    /// The type of a field changed.
    TypeChanged {
        /// The field path.
        field: String,
        /// The vendored type.
        before: String,
        /// The source's type.
        after: String,
    },
    /// A field became required or optional.
    RequiredChanged {
        /// The field path.
        field: String,
        /// Required in the vendored document.
        before: bool,
        /// Required in the source.
        after: bool,
    },
    /// Enum values only the source has.
    EnumValuesAdded {
        /// The field path.
        field: String,
        /// The new values.
        values: Vec<String>,
    },
    /// Enum values only the vendored document has.
    EnumValuesRemoved {
        /// The field path.
        field: String,
        /// The values gone.
        values: Vec<String>,
    },
}

/// The facts of one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// A short type description: `string(date-time)`, `array<Cluster>`, ...
    pub ty: String,
    /// Whether it is required; `None` where that does not apply.
    pub required: Option<bool>,
    /// The allowed values, when it is an enum.
    pub enum_values: Option<BTreeSet<String>>,
}

/// Fields by path.
pub type FieldSet = BTreeMap<String, Field>;

/// Compare `vendored` (what the project has) with `source` (the new one).
pub fn compare(vendored: &Value, source: &Value) -> Drift {
    Drift {
        operations: compare_operations(vendored, source),
        schemas: compare_schemas(vendored, source),
        other: compare_other(vendored, source),
    }
}

struct Operation<'a> {
    op: &'a Value,
    path_parameters: Option<&'a Value>,
}

/// Operations keyed by (path, upper-case method).
fn operations(doc: &Value) -> BTreeMap<(String, String), Operation<'_>> {
    let mut out = BTreeMap::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            if camunda_admin_codegen::corrections::HTTP_METHODS.contains(&method.as_str())
                && op.is_object()
            {
                out.insert(
                    (path.clone(), method.to_uppercase()),
                    Operation {
                        op,
                        path_parameters: item.get("parameters"),
                    },
                );
            }
        }
    }
    out
}

fn operation_id(op: &Value) -> Option<String> {
    op.get("operationId")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn compare_operations(vendored: &Value, source: &Value) -> OperationDrift {
    let before = operations(vendored);
    let after = operations(source);
    let mut drift = OperationDrift::default();
    for ((path, method), op) in &after {
        if !before.contains_key(&(path.clone(), method.clone())) {
            drift.added.push(OperationRef {
                method: method.clone(),
                path: path.clone(),
                operation_id: operation_id(op.op),
            });
        }
    }
    for ((path, method), op) in &before {
        match after.get(&(path.clone(), method.clone())) {
            None => drift.removed.push(OperationRef {
                method: method.clone(),
                path: path.clone(),
                operation_id: operation_id(op.op),
            }),
            Some(new) => {
                let change = compare_operation(vendored, op, source, new, method, path);
                if !change.is_empty() {
                    drift.changed.push(change);
                }
            }
        }
    }
    drift
}

fn compare_operation(
    old_doc: &Value,
    old: &Operation<'_>,
    new_doc: &Value,
    new: &Operation<'_>,
    method: &str,
    path: &str,
) -> OperationChange {
    let (old_id, new_id) = (operation_id(old.op), operation_id(new.op));
    let mut change = OperationChange {
        method: method.to_owned(),
        path: path.to_owned(),
        previous_operation_id: (old_id != new_id).then(|| old_id.clone().unwrap_or_default()),
        operation_id: new_id,
        ..OperationChange::default()
    };
    for (attribute, describe) in [
        ("security", describe_security as fn(&Value) -> String),
        ("deprecated", describe_deprecated),
    ] {
        let (before, after) = (describe(old.op), describe(new.op));
        if before != after {
            change.attributes.push(ValueChange {
                attribute: attribute.to_owned(),
                before,
                after,
            });
        }
    }
    change.parameters = diff_fields(
        &parameter_fields(old_doc, old),
        &parameter_fields(new_doc, new),
    );
    change.request_body = diff_fields(
        &request_body_fields(old_doc, old.op),
        &request_body_fields(new_doc, new.op),
    );

    let old_responses = responses(old_doc, old.op);
    let new_responses = responses(new_doc, new.op);
    change.status_codes_added = new_responses
        .keys()
        .filter(|s| !old_responses.contains_key(*s))
        .cloned()
        .collect();
    change.status_codes_removed = old_responses
        .keys()
        .filter(|s| !new_responses.contains_key(*s))
        .cloned()
        .collect();
    for (status, old_response) in &old_responses {
        let Some(new_response) = new_responses.get(status) else {
            continue;
        };
        let changes = diff_fields(
            &content_fields(old_doc, old_response, None),
            &content_fields(new_doc, new_response, None),
        );
        if !changes.is_empty() {
            change.responses.push(ResponseChange {
                status: status.clone(),
                changes,
            });
        }
    }
    change
}

fn describe_security(op: &Value) -> String {
    match op.get("security").and_then(Value::as_array) {
        None => "as the document".into(),
        Some(requirements) if requirements.is_empty() => "none".into(),
        Some(requirements) => {
            let alternatives: Vec<String> = requirements
                .iter()
                .map(|req| {
                    let mut names: Vec<String> = req
                        .as_object()
                        .map(|m| m.keys().cloned().collect())
                        .unwrap_or_default();
                    names.sort();
                    if names.is_empty() {
                        "anonymous".to_owned()
                    } else {
                        names.join(" + ")
                    }
                })
                .collect();
            alternatives.join(" or ")
        }
    }
}

fn describe_deprecated(op: &Value) -> String {
    op.get("deprecated")
        .and_then(Value::as_bool)
        .unwrap_or(false)
        .to_string()
}

/// Follow local `$ref`s (a few hops) to the object they name.
fn resolve<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..8 {
        let Some(target) = value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
        else {
            break;
        };
        match doc.pointer(target) {
            Some(found) => value = found,
            None => break,
        }
    }
    value
}

fn parameter_fields(doc: &Value, op: &Operation<'_>) -> FieldSet {
    // Operation parameters override path-level ones with the same name and location.
    let mut params: BTreeMap<(String, String), &Value> = BTreeMap::new();
    for list in [op.path_parameters, op.op.get("parameters")]
        .into_iter()
        .flatten()
    {
        for param in list.as_array().into_iter().flatten() {
            let param = resolve(doc, param);
            let name = param
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let location = param
                .get("in")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            params.insert((name, location), param);
        }
    }
    let mut out = FieldSet::new();
    for ((name, location), param) in params {
        let required = param
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(location == "path");
        let label = format!("{name} ({location})");
        match param.get("schema") {
            Some(schema) => flatten(doc, schema, &label, Some(required), true, &mut out),
            None => {
                out.insert(
                    label,
                    Field {
                        ty: "any".into(),
                        required: Some(required),
                        enum_values: None,
                    },
                );
            }
        }
    }
    out
}

fn request_body_fields(doc: &Value, op: &Value) -> FieldSet {
    match op.get("requestBody") {
        None => FieldSet::new(),
        Some(body) => {
            let body = resolve(doc, body);
            let required = body
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            content_fields(doc, body, Some(required))
        }
    }
}

fn responses<'a>(doc: &'a Value, op: &'a Value) -> BTreeMap<String, &'a Value> {
    op.get("responses")
        .and_then(Value::as_object)
        .map(|responses| {
            responses
                .iter()
                .map(|(status, r)| (status.clone(), resolve(doc, r)))
                .collect()
        })
        .unwrap_or_default()
}

/// The fields of a request body or response: its media types and, per
/// media type, the schema's fields with the root `$ref` resolved.
fn content_fields(doc: &Value, holder: &Value, required: Option<bool>) -> FieldSet {
    let mut out = FieldSet::new();
    let Some(content) = holder.get("content").and_then(Value::as_object) else {
        return out;
    };
    if content.is_empty() {
        return out;
    }
    let media_types: Vec<&str> = content.keys().map(String::as_str).collect();
    out.insert(
        CONTENT_TYPE_FIELD.to_owned(),
        Field {
            ty: media_types.join(", "),
            required: None,
            enum_values: None,
        },
    );
    let several = content.len() > 1;
    for (media_type, media) in content {
        let mut fields = FieldSet::new();
        let empty = Value::Object(Map::new());
        let schema = media.get("schema").unwrap_or(&empty);
        flatten(doc, schema, "", required, true, &mut fields);
        for (path, field) in fields {
            let path = if path.is_empty() {
                BODY_FIELD.to_owned()
            } else {
                path
            };
            let path = if several {
                format!("{media_type}: {path}")
            } else {
                path
            };
            out.insert(path, field);
        }
    }
    out
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

fn ref_name(reference: &str) -> String {
    reference
        .strip_prefix("#/components/schemas/")
        .map(str::to_owned)
        .unwrap_or_else(|| reference.to_owned())
}

/// A short description of a schema's type; references are named, not expanded.
pub fn describe(schema: &Value) -> String {
    let base = if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        ref_name(reference)
    } else if let Some((key, members)) = ["oneOf", "anyOf", "allOf"].iter().find_map(|key| {
        schema
            .get(*key)
            .and_then(Value::as_array)
            .map(|m| (*key, m))
    }) {
        let members: Vec<String> = members.iter().map(describe).collect();
        format!("{key}<{}>", members.join(" | "))
    } else {
        let ty = schema.get("type").and_then(Value::as_str);
        match ty {
            Some("array") => {
                let items = schema
                    .get("items")
                    .map(describe)
                    .unwrap_or_else(|| "any".into());
                format!("array<{items}>")
            }
            Some("object") | None if schema.get("properties").is_some() => "object".into(),
            Some("object") | None => match schema.get("additionalProperties") {
                Some(values @ Value::Object(_)) => format!("map<{}>", describe(values)),
                _ if ty.is_some() => "object".into(),
                _ if schema.get("enum").is_some() => "enum".into(),
                _ => "any".into(),
            },
            Some(other) => match schema.get("format").and_then(Value::as_str) {
                Some(format) => format!("{other}({format})"),
                None => other.to_owned(),
            },
        }
    };
    if schema.get("nullable").and_then(Value::as_bool) == Some(true) {
        format!("{base} | null")
    } else {
        base
    }
}

fn enum_values(schema: &Value) -> Option<BTreeSet<String>> {
    let values = schema.get("enum")?.as_array()?;
    Some(
        values
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| v.to_string())
            })
            .collect(),
    )
}

/// Record the fields of `schema` under `path`.
///
/// With `resolve_root`, a `$ref` at the root (or in the root's array items)
/// is followed once, so a body's fields are listed; deeper references are
/// only named.
pub fn flatten(
    doc: &Value,
    schema: &Value,
    path: &str,
    required: Option<bool>,
    resolve_root: bool,
    out: &mut FieldSet,
) {
    let ty = describe(schema);
    let target = match schema.get("$ref").and_then(Value::as_str) {
        Some(_) if resolve_root => {
            let target = resolve(doc, schema);
            (target.get("$ref").is_none()).then_some(target)
        }
        Some(_) => None,
        None => Some(schema),
    };
    let Some(body) = target else {
        out.insert(
            path.to_owned(),
            Field {
                ty,
                required,
                enum_values: None,
            },
        );
        return;
    };
    let followed = !std::ptr::eq(body, schema);
    out.insert(
        path.to_owned(),
        Field {
            ty,
            required,
            enum_values: enum_values(body),
        },
    );
    flatten_children(doc, body, path, resolve_root && !followed, out);
}

/// Record the fields inside `body` (already resolved) under `path`.
fn flatten_children(doc: &Value, body: &Value, path: &str, resolve_root: bool, out: &mut FieldSet) {
    if let Some(items) = body.get("items") {
        flatten(doc, items, &format!("{path}[]"), None, resolve_root, out);
    }
    if let Some(props) = body.get("properties").and_then(Value::as_object) {
        let required_names: BTreeSet<&str> = body
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (name, prop) in props {
            flatten(
                doc,
                prop,
                &join(path, name),
                Some(required_names.contains(name.as_str())),
                false,
                out,
            );
        }
    }
    if let Some(values @ Value::Object(_)) = body.get("additionalProperties") {
        flatten(doc, values, &format!("{path}{{}}"), None, false, out);
    }
    // The members of an allOf together are the object: their fields are
    // the object's fields (a root member `$ref` is followed like the root).
    for member in body
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let member = if resolve_root {
            resolve(doc, member)
        } else {
            member
        };
        if member.get("$ref").is_none() {
            flatten_children(doc, member, path, false, out);
        }
    }
    for key in ["oneOf", "anyOf"] {
        for (index, member) in body
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if member.get("$ref").is_none() {
                flatten(
                    doc,
                    member,
                    &format!("{path}<{key} {index}>"),
                    None,
                    false,
                    out,
                );
            }
        }
    }
}

/// Is `child` a field nested inside `parent` (by path)?
fn is_nested(parent: &str, child: &str) -> bool {
    if let Some(prefix) = parent.strip_suffix(BODY_FIELD) {
        // Body fields are not prefixed by the body's label, only by the
        // media type when there are several.
        return child != parent
            && child.starts_with(prefix)
            && !child.ends_with(CONTENT_TYPE_FIELD)
            && (!prefix.is_empty() || !child.contains(": "));
    }
    child.len() > parent.len()
        && child.starts_with(parent)
        && matches!(child.as_bytes()[parent.len()], b'.' | b'[' | b'{' | b'<')
}

/// The changes from `before` to `after`. A field added or removed together
/// with its parent is not listed separately.
pub fn diff_fields(before: &FieldSet, after: &FieldSet) -> Vec<FieldChange> {
    let added: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    let removed: Vec<&String> = before.keys().filter(|k| !after.contains_key(*k)).collect();
    let top_level =
        |keys: &[&String], key: &String| !keys.iter().any(|parent| is_nested(parent, key));
    let mut changes = Vec::new();
    for key in &removed {
        if top_level(&removed, key) {
            let field = &before[*key];
            changes.push(FieldChange::Removed {
                field: (*key).clone(),
                ty: field.ty.clone(),
                required: field.required,
            });
        }
    }
    for key in &added {
        if top_level(&added, key) {
            let field = &after[*key];
            changes.push(FieldChange::Added {
                field: (*key).clone(),
                ty: field.ty.clone(),
                required: field.required,
            });
        }
    }
    for (key, old) in before {
        let Some(new) = after.get(key) else { continue };
        if old.ty != new.ty {
            changes.push(FieldChange::TypeChanged {
                field: key.clone(),
                before: old.ty.clone(),
                after: new.ty.clone(),
            });
        }
        if let (Some(was), Some(is)) = (old.required, new.required) {
            if was != is {
                changes.push(FieldChange::RequiredChanged {
                    field: key.clone(),
                    before: was,
                    after: is,
                });
            }
        }
        let no_values = BTreeSet::new();
        let old_values = old.enum_values.as_ref().unwrap_or(&no_values);
        let new_values = new.enum_values.as_ref().unwrap_or(&no_values);
        let gained: Vec<String> = new_values.difference(old_values).cloned().collect();
        let lost: Vec<String> = old_values.difference(new_values).cloned().collect();
        if !gained.is_empty() {
            changes.push(FieldChange::EnumValuesAdded {
                field: key.clone(),
                values: gained,
            });
        }
        if !lost.is_empty() {
            changes.push(FieldChange::EnumValuesRemoved {
                field: key.clone(),
                values: lost,
            });
        }
    }
    changes
}

fn schemas(doc: &Value) -> Option<&Map<String, Value>> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
}

/// The fields of a component schema; `(schema)` is the schema itself.
pub fn schema_fields(doc: &Value, schema: &Value) -> FieldSet {
    let mut fields = FieldSet::new();
    flatten(doc, schema, "", None, false, &mut fields);
    fields
        .into_iter()
        .map(|(path, field)| {
            (
                if path.is_empty() {
                    SCHEMA_FIELD.to_owned()
                } else {
                    path
                },
                field,
            )
        })
        .collect()
}

fn compare_schemas(vendored: &Value, source: &Value) -> SchemaDrift {
    let empty = Map::new();
    let before = schemas(vendored).unwrap_or(&empty);
    let after = schemas(source).unwrap_or(&empty);
    let mut drift = SchemaDrift {
        added: after
            .keys()
            .filter(|k| !before.contains_key(*k))
            .cloned()
            .collect(),
        removed: before
            .keys()
            .filter(|k| !after.contains_key(*k))
            .cloned()
            .collect(),
        changed: Vec::new(),
    };
    for (name, old) in before {
        let Some(new) = after.get(name) else { continue };
        let changes = diff_fields(&schema_fields(vendored, old), &schema_fields(source, new));
        if !changes.is_empty() {
            drift.changed.push(SchemaChange {
                name: name.clone(),
                changes,
            });
        }
    }
    drift
}

fn compare_other(vendored: &Value, source: &Value) -> Vec<ValueChange> {
    let mut out = Vec::new();
    let servers = |doc: &Value| -> String {
        let urls: Vec<&str> = doc
            .get("servers")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|s| s.get("url").and_then(Value::as_str))
                    .collect()
            })
            .unwrap_or_default();
        if urls.is_empty() {
            "(none)".into()
        } else {
            urls.join(", ")
        }
    };
    let (before, after) = (servers(vendored), servers(source));
    if before != after {
        out.push(ValueChange {
            attribute: "servers".into(),
            before,
            after,
        });
    }
    let schemes = |doc: &Value| -> BTreeMap<String, String> {
        doc.pointer("/components/securitySchemes")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(name, scheme)| {
                        (name.clone(), crate::prose::strip_prose(scheme).to_string())
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (before, after) = (schemes(vendored), schemes(source));
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for name in names {
        let (old, new) = (before.get(name), after.get(name));
        if old != new {
            out.push(ValueChange {
                attribute: format!("security scheme {name}"),
                before: old.cloned().unwrap_or_else(|| "(none)".into()),
                after: new.cloned().unwrap_or_else(|| "(none)".into()),
            });
        }
    }
    out
}
