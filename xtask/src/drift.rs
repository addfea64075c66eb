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

use serde::Serialize;
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

/// Everything that differs between two documents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// Operations, keyed by method and path.
    pub operations: OperationDrift,
    /// Component schemas, keyed by name.
    pub schemas: SchemaDrift,
    /// Changes of the resolved security of operations, grouped.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub security: Vec<SecurityChange>,
    /// Other facts: servers, security schemes, other components.
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
            && self.security.is_empty()
            && self.other.is_empty()
    }

    /// Every field change, with where it is (for annotating them).
    pub fn field_changes_mut(&mut self) -> Vec<&mut FieldChange> {
        let mut out: Vec<&mut FieldChange> = Vec::new();
        for op in &mut self.operations.changed {
            out.extend(op.attributes.iter_mut());
            out.extend(op.parameters.iter_mut());
            out.extend(op.request_body.iter_mut());
            for response in &mut op.responses {
                out.extend(response.changes.iter_mut());
            }
        }
        for schema in &mut self.schemas.changed {
            out.extend(schema.changes.iter_mut());
        }
        out
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
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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
    /// Changes of `deprecated` and other operation keywords.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<FieldChange>,
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
    /// Response changes (headers and bodies), per status code both have.
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

    /// `GET /path  [Id]`.
    pub fn label(&self) -> String {
        OperationRef {
            method: self.method.clone(),
            path: self.path.clone(),
            operation_id: self.operation_id.clone(),
        }
        .label()
    }
}

impl OperationRef {
    /// `GET /path  [Id]`.
    pub fn label(&self) -> String {
        match &self.operation_id {
            Some(id) => format!("{} {}  [{id}]", self.method, self.path),
            None => format!("{} {}", self.method, self.path),
        }
    }
}

/// Changes of one response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResponseChange {
    /// The status code (or `default`).
    pub status: String,
    /// The changes; headers are named `Name (header)`.
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
    /// The operations using it, directly or through other schemas (ids).
    pub used_by: Vec<String>,
    /// The field changes; `(schema)` is the schema itself.
    pub changes: Vec<FieldChange>,
}

/// The resolved security of some operations changed the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecurityChange {
    /// The requirement in the vendored document (`bearer`, `none`, ...).
    pub before: String,
    /// The requirement in the source.
    pub after: String,
    /// The operations (ids, else `METHOD path`).
    pub operations: Vec<String>,
}

/// A named fact that changed from one value to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueChange {
    /// What changed (`servers`, `security scheme bearer`, ...).
    pub attribute: String,
    /// The value in the vendored document.
    pub before: String,
    /// The value in the source.
    pub after: String,
}

/// One change of a field of a parameter list, body, header or schema.
///
/// Field paths use `.` between properties, `[]` for array items, `{}` for
/// map values and `<oneOf 1>` for members of a `oneOf`, `anyOf` or `allOf`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// The field path.
    pub field: String,
    /// What changed.
    #[serde(flatten)]
    pub kind: ChangeKind,
    /// The correction that makes the generated code blind to this change,
    /// if one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden_by: Option<String>,
    /// The edit of the vendored document that makes this change (a JSON
    /// pointer and the new value, `None` to remove); used to find out
    /// whether a correction hides it.
    #[serde(skip)]
    pub edit: Option<Edit>,
}

/// An edit of a document: set `pointer` to `value`, or remove it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Where, as a JSON pointer.
    pub pointer: String,
    /// The new value; `None` removes the key.
    pub value: Option<Value>,
}

/// What changed about a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ChangeKind {
    /// A field only the source has.
    Added {
        /// Its type.
        #[serde(rename = "type")]
        ty: String,
        /// Whether it is required, where that applies.
        required: Option<bool>,
    },
    /// A field only the vendored document has.
    Removed {
        /// Its type.
        #[serde(rename = "type")]
        ty: String,
        /// Whether it was required, where that applies.
        required: Option<bool>,
    },
    /// The type (type, format, nullable) or media types changed.
    TypeChanged {
        /// The vendored type.
        before: String,
        /// The source's type.
        after: String,
    },
    /// A field became required or optional.
    RequiredChanged {
        /// Required in the vendored document.
        before: bool,
        /// Required in the source.
        after: bool,
    },
    /// Enum values only the source has.
    EnumValuesAdded {
        /// The new values.
        values: Vec<String>,
    },
    /// Enum values only the vendored document has.
    EnumValuesRemoved {
        /// The values gone.
        values: Vec<String>,
    },
    /// Another keyword changed: a constraint, a default, a style, ...
    KeywordChanged {
        /// The keyword (`maxLength`, `default`, `additionalProperties`, ...).
        keyword: String,
        /// Its vendored value, as JSON; `(none)` when absent.
        before: String,
        /// Its value in the source.
        after: String,
    },
}

impl FieldChange {
    fn new(field: &str, kind: ChangeKind, edit: Edit) -> FieldChange {
        FieldChange {
            field: field.to_owned(),
            kind,
            hidden_by: None,
            edit: Some(edit),
        }
    }
}

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

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn child(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", escape(key))
}

fn set(pointer: String, value: Option<&Value>) -> Edit {
    Edit {
        pointer,
        value: value.cloned(),
    }
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
                        pointer: child(&child("/paths", path), method),
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

fn ref_target(value: &Value) -> Option<&str> {
    value.get("$ref").and_then(Value::as_str)
}

fn schema_name(reference: &str) -> Option<&str> {
    reference.strip_prefix("#/components/schemas/")
}

/// Follow local `$ref`s (a few hops) to the object they name, with its pointer.
fn resolve<'a>(doc: &'a Value, value: &'a Value, pointer: &str) -> (&'a Value, String) {
    let mut value = value;
    let mut pointer = pointer.to_owned();
    for _ in 0..8 {
        let Some(target) = ref_target(value).and_then(|r| r.strip_prefix('#')) else {
            break;
        };
        match doc.pointer(target) {
            Some(found) => {
                value = found;
                pointer = target.to_owned();
            }
            None => break,
        }
    }
    (value, pointer)
}

fn json_text(value: Option<&Value>) -> String {
    value.map_or_else(|| "(none)".to_owned(), Value::to_string)
}

impl Differ<'_> {
    fn operations(&self) -> OperationDrift {
        let before = operations(self.old);
        let after = operations(self.new);
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
                    let change = self.operation(op, new, method, path);
                    if !change.is_empty() {
                        drift.changed.push(change);
                    }
                }
            }
        }
        drift
    }

    fn operation(
        &self,
        old: &Operation<'_>,
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
        let ignored = [
            "operationId",
            "parameters",
            "requestBody",
            "responses",
            "security",
            "tags",
            "callbacks",
            "servers",
        ];
        self.keywords(
            node(old.op, &old.pointer),
            node(new.op, &new.pointer),
            "(operation)",
            &ignored,
            &mut change.attributes,
        );
        change.parameters = self.parameters(old, new);
        change.request_body = self.request_body(old, new);
        self.responses(old, new, &mut change);
        change
    }

    /// Plain keywords of two objects, except `skip`, structure and prose.
    fn keywords(
        &self,
        old: Node<'_>,
        new: Node<'_>,
        field: &str,
        skip: &[&str],
        out: &mut Vec<FieldChange>,
    ) {
        let empty = Map::new();
        let old_map = old.value.as_object().unwrap_or(&empty);
        let new_map = new.value.as_object().unwrap_or(&empty);
        let keys: BTreeSet<&String> = old_map.keys().chain(new_map.keys()).collect();
        for key in keys {
            if skip.contains(&key.as_str())
                || STRUCTURE.contains(&key.as_str())
                || PROSE.contains(&key.as_str())
                || key.starts_with("x-")
            {
                continue;
            }
            let (before, after) = (old_map.get(key), new_map.get(key));
            if before != after {
                out.push(FieldChange::new(
                    field,
                    ChangeKind::KeywordChanged {
                        keyword: key.clone(),
                        before: json_text(before),
                        after: json_text(after),
                    },
                    set(child(old.pointer, key), after),
                ));
            }
        }
    }

    fn parameters(&self, old: &Operation<'_>, new: &Operation<'_>) -> Vec<FieldChange> {
        let old_params = parameter_map(self.old, old);
        let new_params = parameter_map(self.new, new);
        let list_edit = || set(child(&old.pointer, "parameters"), new.op.get("parameters"));
        let mut out = Vec::new();
        for (key, (param, _)) in &new_params {
            if !old_params.contains_key(key) {
                out.push(FieldChange::new(
                    &parameter_label(key),
                    ChangeKind::Added {
                        ty: param.get("schema").map_or_else(|| "any".into(), describe),
                        required: Some(parameter_required(param, &key.1)),
                    },
                    list_edit(),
                ));
            }
        }
        for (key, (old_param, old_ptr)) in &old_params {
            let label = parameter_label(key);
            let Some((new_param, new_ptr)) = new_params.get(key) else {
                out.push(FieldChange::new(
                    &label,
                    ChangeKind::Removed {
                        ty: old_param
                            .get("schema")
                            .map_or_else(|| "any".into(), describe),
                        required: Some(parameter_required(old_param, &key.1)),
                    },
                    list_edit(),
                ));
                continue;
            };
            let (was, is) = (
                parameter_required(old_param, &key.1),
                parameter_required(new_param, &key.1),
            );
            if was != is {
                out.push(FieldChange::new(
                    &label,
                    ChangeKind::RequiredChanged {
                        before: was,
                        after: is,
                    },
                    set(child(old_ptr, "required"), new_param.get("required")),
                ));
            }
            let (old_node, new_node) = (node(old_param, old_ptr), node(new_param, new_ptr));
            self.keywords(
                old_node,
                new_node,
                &label,
                &["name", "in", "schema", "content"],
                &mut out,
            );
            self.member(old_node, new_node, "schema", &label, &mut out);
            self.content(old_node, new_node, &label, &mut out);
        }
        out
    }

    fn request_body(&self, old: &Operation<'_>, new: &Operation<'_>) -> Vec<FieldChange> {
        let mut out = Vec::new();
        let pointer = child(&old.pointer, "requestBody");
        match (old.op.get("requestBody"), new.op.get("requestBody")) {
            (None, None) => {}
            (None, Some(body)) | (Some(body), None) => {
                let (body, _) = resolve(
                    if old.op.get("requestBody").is_some() {
                        self.old
                    } else {
                        self.new
                    },
                    body,
                    "",
                );
                let ty = body_type(body);
                let required = Some(
                    body.get("required")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                );
                let kind = if old.op.get("requestBody").is_none() {
                    ChangeKind::Added { ty, required }
                } else {
                    ChangeKind::Removed { ty, required }
                };
                out.push(FieldChange::new(
                    BODY_FIELD,
                    kind,
                    set(pointer, new.op.get("requestBody")),
                ));
            }
            (Some(old_body), Some(new_body)) => {
                let (old_body, old_ptr) = resolve(self.old, old_body, &pointer);
                let (new_body, new_ptr) =
                    resolve(self.new, new_body, &child(&new.pointer, "requestBody"));
                let (old_node, new_node) = (node(old_body, &old_ptr), node(new_body, &new_ptr));
                let required =
                    |b: &Value| b.get("required").and_then(Value::as_bool).unwrap_or(false);
                if required(old_body) != required(new_body) {
                    out.push(FieldChange::new(
                        BODY_FIELD,
                        ChangeKind::RequiredChanged {
                            before: required(old_body),
                            after: required(new_body),
                        },
                        set(child(&old_ptr, "required"), new_body.get("required")),
                    ));
                }
                self.keywords(
                    old_node,
                    new_node,
                    BODY_FIELD,
                    &["required", "content"],
                    &mut out,
                );
                self.content(old_node, new_node, "", &mut out);
            }
        }
        out
    }

    fn responses(&self, old: &Operation<'_>, new: &Operation<'_>, change: &mut OperationChange) {
        let (old_map, new_map) = (
            object_at(old.op, "responses"),
            object_at(new.op, "responses"),
        );
        change.status_codes_added = new_map
            .keys()
            .filter(|s| !old_map.contains_key(*s))
            .cloned()
            .collect();
        change.status_codes_removed = old_map
            .keys()
            .filter(|s| !new_map.contains_key(*s))
            .cloned()
            .collect();
        let old_base = child(&old.pointer, "responses");
        let new_base = child(&new.pointer, "responses");
        for (status, old_response) in old_map {
            let Some(new_response) = new_map.get(status) else {
                continue;
            };
            let (old_response, old_ptr) =
                resolve(self.old, old_response, &child(&old_base, status));
            let (new_response, new_ptr) =
                resolve(self.new, new_response, &child(&new_base, status));
            let (old_node, new_node) = (node(old_response, &old_ptr), node(new_response, &new_ptr));
            let mut changes = Vec::new();
            self.keywords(
                old_node,
                new_node,
                BODY_FIELD,
                &["content", "headers", "links"],
                &mut changes,
            );
            self.headers(old_node, new_node, &mut changes);
            self.content(old_node, new_node, "", &mut changes);
            if !changes.is_empty() {
                change.responses.push(ResponseChange {
                    status: status.clone(),
                    changes,
                });
            }
        }
    }

    fn headers(&self, old: Node<'_>, new: Node<'_>, out: &mut Vec<FieldChange>) {
        let (old_map, new_map) = (
            object_at(old.value, "headers"),
            object_at(new.value, "headers"),
        );
        let old_base = child(old.pointer, "headers");
        let new_base = child(new.pointer, "headers");
        let names: BTreeSet<&String> = old_map.keys().chain(new_map.keys()).collect();
        for name in names {
            let label = format!("{name} (header)");
            let edit = set(child(&old_base, name), new_map.get(name));
            let header_type = |doc: &Value, h: &Value| {
                let (h, _) = resolve(doc, h, "");
                (
                    h.get("schema").map_or_else(|| "any".into(), describe),
                    Some(h.get("required").and_then(Value::as_bool).unwrap_or(false)),
                )
            };
            match (old_map.get(name), new_map.get(name)) {
                (None, Some(h)) => {
                    let (ty, required) = header_type(self.new, h);
                    out.push(FieldChange::new(
                        &label,
                        ChangeKind::Added { ty, required },
                        edit,
                    ));
                }
                (Some(h), None) => {
                    let (ty, required) = header_type(self.old, h);
                    out.push(FieldChange::new(
                        &label,
                        ChangeKind::Removed { ty, required },
                        edit,
                    ));
                }
                (Some(o), Some(n)) => {
                    let (o, o_ptr) = resolve(self.old, o, &child(&old_base, name));
                    let (n, n_ptr) = resolve(self.new, n, &child(&new_base, name));
                    let (o, n) = (node(o, &o_ptr), node(n, &n_ptr));
                    self.keywords(o, n, &label, &["schema", "content"], out);
                    self.member(o, n, "schema", &label, out);
                }
                (None, None) => {}
            }
        }
    }

    /// The media types and body schemas of two `content` holders. With one
    /// media type on each side, the bodies are compared whatever their
    /// names; with several, by name.
    fn content(&self, old: Node<'_>, new: Node<'_>, prefix: &str, out: &mut Vec<FieldChange>) {
        let (old_map, new_map) = (
            object_at(old.value, "content"),
            object_at(new.value, "content"),
        );
        let field = |label: &str| {
            if prefix.is_empty() {
                label.to_owned()
            } else {
                format!("{prefix}: {label}")
            }
        };
        let types = |m: &Map<String, Value>| {
            if m.is_empty() {
                "(none)".to_owned()
            } else {
                m.keys().cloned().collect::<Vec<_>>().join(", ")
            }
        };
        if types(old_map) != types(new_map) {
            out.push(FieldChange::new(
                &field(CONTENT_TYPE_FIELD),
                ChangeKind::TypeChanged {
                    before: types(old_map),
                    after: types(new_map),
                },
                set(child(old.pointer, "content"), new.value.get("content")),
            ));
        }
        let old_base = child(old.pointer, "content");
        let new_base = child(new.pointer, "content");
        let pairs: Vec<(&String, &String)> = if old_map.len() == 1 && new_map.len() == 1 {
            old_map.keys().zip(new_map.keys()).collect()
        } else {
            old_map
                .keys()
                .filter(|k| new_map.contains_key(*k))
                .map(|k| (k, k))
                .collect()
        };
        let several = old_map.len() > 1 || new_map.len() > 1;
        for (old_type, new_type) in pairs {
            let label = match (several, prefix.is_empty()) {
                (true, _) => field(&format!("{new_type}: {BODY_FIELD}")),
                (false, true) => String::new(),
                (false, false) => prefix.to_owned(),
            };
            let old_ptr = child(&old_base, old_type);
            let new_ptr = child(&new_base, new_type);
            let (o, n) = (
                node(&old_map[old_type], &old_ptr),
                node(&new_map[new_type], &new_ptr),
            );
            self.member(o, n, "schema", &label, out);
        }
    }

    /// Compare the schema under `key` of two holders (absent on one side: added or removed).
    fn member(
        &self,
        old: Node<'_>,
        new: Node<'_>,
        key: &str,
        field: &str,
        out: &mut Vec<FieldChange>,
    ) {
        let old_ptr = child(old.pointer, key);
        let new_ptr = child(new.pointer, key);
        let label = if field.is_empty() { BODY_FIELD } else { field };
        match (old.value.get(key), new.value.get(key)) {
            (Some(o), Some(n)) => {
                let mut seen = BTreeSet::new();
                self.schema(node(o, &old_ptr), node(n, &new_ptr), field, out, &mut seen);
            }
            (None, Some(n)) => out.push(FieldChange::new(
                label,
                ChangeKind::Added {
                    ty: describe(n),
                    required: None,
                },
                set(old_ptr, Some(n)),
            )),
            (Some(o), None) => out.push(FieldChange::new(
                label,
                ChangeKind::Removed {
                    ty: describe(o),
                    required: None,
                },
                set(old_ptr, None),
            )),
            (None, None) => {}
        }
    }

    /// Compare two schemas at `field` ("" is the root).
    fn schema(
        &self,
        old: Node<'_>,
        new: Node<'_>,
        field: &str,
        out: &mut Vec<FieldChange>,
        seen: &mut BTreeSet<(String, String)>,
    ) {
        let (old_ref, new_ref) = (ref_target(old.value), ref_target(new.value));
        if old_ref.is_some() && old_ref == new_ref && old_ref.and_then(schema_name).is_some() {
            // The same component on both sides: compared once, on its own.
            return;
        }
        // `X` against `allOf: [X, extra]`: X is compared once, on its own;
        // here only the extra members count.
        if let Some(extras) = all_of_beyond(new.value, old_ref) {
            let empty = serde_json::json!({ "type": "object" });
            let n = flatten_all_of(self.new, &extras).unwrap_or(extras);
            return self.schema_body(
                node(&empty, old.pointer),
                node(&n, new.pointer),
                field,
                out,
                seen,
            );
        }
        if let Some(extras) = all_of_beyond(old.value, new_ref) {
            let empty = serde_json::json!({ "type": "object" });
            let o = flatten_all_of(self.old, &extras).unwrap_or(extras);
            return self.schema_body(
                node(&o, old.pointer),
                node(&empty, new.pointer),
                field,
                out,
                seen,
            );
        }
        let (o, o_ptr) = resolve(self.old, old.value, old.pointer);
        let (n, n_ptr) = resolve(self.new, new.value, new.pointer);
        if (old_ref.is_some() || new_ref.is_some()) && !seen.insert((o_ptr.clone(), n_ptr.clone()))
        {
            return;
        }
        // allOf members together are one object: where only one side has
        // an allOf, it is compared as that object (with both, member by
        // member, so a shared component is compared once, on its own).
        let one_side = o.get("allOf").is_some() != n.get("allOf").is_some();
        let flat = |doc, schema| {
            if one_side {
                flatten_all_of(doc, schema)
            } else {
                None
            }
        };
        let (o_flat, n_flat) = (flat(self.old, o), flat(self.new, n));
        let o = node(o_flat.as_ref().unwrap_or(o), &o_ptr);
        let n = node(n_flat.as_ref().unwrap_or(n), &n_ptr);
        self.schema_body(o, n, field, out, seen);
    }

    fn schema_body(
        &self,
        old: Node<'_>,
        new: Node<'_>,
        field: &str,
        out: &mut Vec<FieldChange>,
        seen: &mut BTreeSet<(String, String)>,
    ) {
        let label = if field.is_empty() { BODY_FIELD } else { field };
        let (before, after) = (local_type(old.value), local_type(new.value));
        if before != after {
            let mut edit_value = new.value.clone();
            if let Some(map) = edit_value.as_object_mut() {
                map.retain(|k, _| matches!(k.as_str(), "type" | "format" | "nullable"));
            }
            out.push(FieldChange {
                field: label.to_owned(),
                kind: ChangeKind::TypeChanged { before, after },
                hidden_by: None,
                edit: Some(Edit {
                    pointer: format!("{}/(type)", old.pointer),
                    value: Some(edit_value),
                }),
            });
        }
        self.enum_values(old, new, label, out);
        self.keywords(old, new, label, &[], out);
        self.properties(old, new, field, out, seen);
        for (key, suffix) in [("items", "[]"), ("not", "<not>")] {
            let child_field = format!("{field}{suffix}");
            match (old.value.get(key), new.value.get(key)) {
                (Some(_), Some(_)) => {
                    let (o_ptr, n_ptr) = (child(old.pointer, key), child(new.pointer, key));
                    self.schema(
                        node(&old.value[key], &o_ptr),
                        node(&new.value[key], &n_ptr),
                        &child_field,
                        out,
                        seen,
                    );
                }
                (None, None) => {}
                _ => self.member(old, new, key, &child_field, out),
            }
        }
        self.additional_properties(old, new, field, out, seen);
        for key in ["allOf", "oneOf", "anyOf"] {
            self.members(old, new, key, field, out, seen);
        }
    }

    fn enum_values(&self, old: Node<'_>, new: Node<'_>, label: &str, out: &mut Vec<FieldChange>) {
        let values = |v: &Value| -> BTreeSet<String> {
            v.get("enum")
                .and_then(Value::as_array)
                .map(|values| {
                    values
                        .iter()
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        let (was, is) = (values(old.value), values(new.value));
        let edit = || set(child(old.pointer, "enum"), new.value.get("enum"));
        let gained: Vec<String> = is.difference(&was).cloned().collect();
        let lost: Vec<String> = was.difference(&is).cloned().collect();
        if !gained.is_empty() {
            out.push(FieldChange::new(
                label,
                ChangeKind::EnumValuesAdded { values: gained },
                edit(),
            ));
        }
        if !lost.is_empty() {
            out.push(FieldChange::new(
                label,
                ChangeKind::EnumValuesRemoved { values: lost },
                edit(),
            ));
        }
    }

    fn properties(
        &self,
        old: Node<'_>,
        new: Node<'_>,
        field: &str,
        out: &mut Vec<FieldChange>,
        seen: &mut BTreeSet<(String, String)>,
    ) {
        let (old_props, new_props) = (
            object_at(old.value, "properties"),
            object_at(new.value, "properties"),
        );
        let (old_required, new_required) = (required_set(old.value), required_set(new.value));
        let old_base = child(old.pointer, "properties");
        let new_base = child(new.pointer, "properties");
        for (name, schema) in new_props {
            if !old_props.contains_key(name) {
                out.push(FieldChange::new(
                    &join(field, name),
                    ChangeKind::Added {
                        ty: describe(schema),
                        required: Some(new_required.contains(name.as_str())),
                    },
                    set(child(&old_base, name), Some(schema)),
                ));
            }
        }
        for (name, old_schema) in old_props {
            let path = join(field, name);
            let (was, _) = (old_required.contains(name.as_str()), ());
            let Some(new_schema) = new_props.get(name) else {
                out.push(FieldChange::new(
                    &path,
                    ChangeKind::Removed {
                        ty: describe(old_schema),
                        required: Some(was),
                    },
                    set(child(&old_base, name), None),
                ));
                continue;
            };
            let is = new_required.contains(name.as_str());
            if was != is {
                out.push(FieldChange::new(
                    &path,
                    ChangeKind::RequiredChanged {
                        before: was,
                        after: is,
                    },
                    Edit {
                        pointer: format!("{}/(required)/{}", old.pointer, escape(name)),
                        value: Some(Value::Bool(is)),
                    },
                ));
            }
            let (o_ptr, n_ptr) = (child(&old_base, name), child(&new_base, name));
            self.schema(
                node(old_schema, &o_ptr),
                node(new_schema, &n_ptr),
                &path,
                out,
                seen,
            );
        }
    }

    fn additional_properties(
        &self,
        old: Node<'_>,
        new: Node<'_>,
        field: &str,
        out: &mut Vec<FieldChange>,
        seen: &mut BTreeSet<(String, String)>,
    ) {
        let key = "additionalProperties";
        match (old.value.get(key), new.value.get(key)) {
            (Some(o @ Value::Object(_)), Some(n @ Value::Object(_))) => {
                let (o_ptr, n_ptr) = (child(old.pointer, key), child(new.pointer, key));
                self.schema(
                    node(o, &o_ptr),
                    node(n, &n_ptr),
                    &format!("{field}{{}}"),
                    out,
                    seen,
                );
            }
            (before, after) if before != after => {
                let describe_value = |v: Option<&Value>| match v {
                    Some(schema @ Value::Object(_)) => format!("map<{}>", describe(schema)),
                    other => json_text(other),
                };
                out.push(FieldChange::new(
                    if field.is_empty() { BODY_FIELD } else { field },
                    ChangeKind::KeywordChanged {
                        keyword: key.to_owned(),
                        before: describe_value(before),
                        after: describe_value(after),
                    },
                    set(child(old.pointer, key), after),
                ));
            }
            _ => {}
        }
    }

    fn members(
        &self,
        old: Node<'_>,
        new: Node<'_>,
        key: &str,
        field: &str,
        out: &mut Vec<FieldChange>,
        seen: &mut BTreeSet<(String, String)>,
    ) {
        let empty = Vec::new();
        let old_members = old
            .value
            .get(key)
            .and_then(Value::as_array)
            .unwrap_or(&empty);
        let new_members = new
            .value
            .get(key)
            .and_then(Value::as_array)
            .unwrap_or(&empty);
        let (old_base, new_base) = (child(old.pointer, key), child(new.pointer, key));
        for index in 0..old_members.len().max(new_members.len()) {
            let path = format!("{field}<{key} {index}>");
            let edit = set(child(&old_base, &index.to_string()), new_members.get(index));
            match (old_members.get(index), new_members.get(index)) {
                (Some(o), Some(n)) => {
                    let (o_ptr, n_ptr) = (
                        child(&old_base, &index.to_string()),
                        child(&new_base, &index.to_string()),
                    );
                    self.schema(node(o, &o_ptr), node(n, &n_ptr), &path, out, seen);
                }
                (None, Some(n)) => out.push(FieldChange::new(
                    &path,
                    ChangeKind::Added {
                        ty: describe(n),
                        required: None,
                    },
                    edit,
                )),
                (Some(o), None) => out.push(FieldChange::new(
                    &path,
                    ChangeKind::Removed {
                        ty: describe(o),
                        required: None,
                    },
                    edit,
                )),
                (None, None) => {}
            }
        }
    }

    fn schemas(&self) -> SchemaDrift {
        let empty = Map::new();
        let before = schemas(self.old).unwrap_or(&empty);
        let after = schemas(self.new).unwrap_or(&empty);
        let users_new = schema_users(self.new);
        let users_old = schema_users(self.old);
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
            let pointer = child("/components/schemas", name);
            let mut changes = Vec::new();
            let mut seen = BTreeSet::new();
            let one_side = old.get("allOf").is_some() != new.get("allOf").is_some();
            let flat = |doc, schema| {
                if one_side {
                    flatten_all_of(doc, schema)
                } else {
                    None
                }
            };
            let (o_flat, n_flat) = (flat(self.old, old), flat(self.new, new));
            let (o, n) = (
                o_flat.as_ref().unwrap_or(old),
                n_flat.as_ref().unwrap_or(new),
            );
            self.schema_body(
                node(o, &pointer),
                node(n, &pointer),
                "",
                &mut changes,
                &mut seen,
            );
            for change in &mut changes {
                if change.field == BODY_FIELD {
                    change.field = SCHEMA_FIELD.to_owned();
                }
            }
            if !changes.is_empty() {
                let used_by: BTreeSet<String> = users_new
                    .get(name.as_str())
                    .into_iter()
                    .chain(users_old.get(name.as_str()))
                    .flatten()
                    .cloned()
                    .collect();
                drift.changed.push(SchemaChange {
                    name: name.clone(),
                    used_by: used_by.into_iter().collect(),
                    changes,
                });
            }
        }
        drift
    }

    fn security(&self) -> Vec<SecurityChange> {
        let before = operations(self.old);
        let after = operations(self.new);
        let mut groups: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for (key, old) in &before {
            let Some(new) = after.get(key) else { continue };
            let (was, is) = (
                resolved_security(self.old, old.op),
                resolved_security(self.new, new.op),
            );
            if was != is {
                let name = operation_id(new.op).unwrap_or_else(|| format!("{} {}", key.1, key.0));
                groups.entry((was, is)).or_default().push(name);
            }
        }
        groups
            .into_iter()
            .map(|((before, after), operations)| SecurityChange {
                before,
                after,
                operations,
            })
            .collect()
    }

    fn other(&self) -> Vec<ValueChange> {
        let mut out = Vec::new();
        let servers = |doc: &Value| -> String {
            let urls: Vec<String> = doc
                .get("servers")
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .map(|s| crate::prose::strip_prose(s).to_string())
                        .collect()
                })
                .unwrap_or_default();
            if urls.is_empty() {
                "(none)".into()
            } else {
                urls.join(", ")
            }
        };
        let (before, after) = (servers(self.old), servers(self.new));
        if before != after {
            out.push(ValueChange {
                attribute: "servers".into(),
                before,
                after,
            });
        }
        for kind in [
            "securitySchemes",
            "parameters",
            "responses",
            "headers",
            "requestBodies",
        ] {
            let entries = |doc: &Value| -> BTreeMap<String, String> {
                doc.pointer(&format!("/components/{kind}"))
                    .and_then(Value::as_object)
                    .map(|m| {
                        m.iter()
                            .map(|(name, v)| {
                                (name.clone(), crate::prose::strip_prose(v).to_string())
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let (before, after) = (entries(self.old), entries(self.new));
            let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
            for name in names {
                let (old, new) = (before.get(name), after.get(name));
                if old != new {
                    out.push(ValueChange {
                        attribute: format!("components/{kind}/{name}"),
                        before: old.cloned().unwrap_or_else(|| "(none)".into()),
                        after: new.cloned().unwrap_or_else(|| "(none)".into()),
                    });
                }
            }
        }
        out
    }
}

/// `schema` without the `allOf` member that is a `$ref` to `component`,
/// when it has one.
fn all_of_beyond(schema: &Value, component: Option<&str>) -> Option<Value> {
    let component = component.filter(|r| schema_name(r).is_some())?;
    let members = schema.get("allOf")?.as_array()?;
    let position = members
        .iter()
        .position(|m| ref_target(m) == Some(component))?;
    let mut rest = schema.clone();
    if let Some(Value::Array(members)) = rest.get_mut("allOf") {
        members.remove(position);
    }
    Some(rest)
}

/// An `allOf` of objects as the one object it stands for: the members'
/// properties and required names joined, their other keywords where the
/// holder has none. `None` when there is no such `allOf`.
fn flatten_all_of(doc: &Value, schema: &Value) -> Option<Value> {
    let members = schema.get("allOf")?.as_array()?;
    let resolved: Vec<&Value> = members.iter().map(|m| resolve(doc, m, "").0).collect();
    if !resolved.iter().all(|m| {
        m.get("properties").is_some() || m.get("type").and_then(Value::as_str) == Some("object")
    }) {
        return None;
    }
    let mut merged = schema.as_object()?.clone();
    merged.remove("allOf");
    let mut properties = merged
        .remove("properties")
        .and_then(|p| p.as_object().cloned())
        .unwrap_or_default();
    let mut required: Vec<Value> = merged
        .remove("required")
        .and_then(|r| r.as_array().cloned())
        .unwrap_or_default();
    for member in resolved {
        let Some(member) = member.as_object() else {
            continue;
        };
        for (key, value) in member {
            match key.as_str() {
                "properties" => {
                    for (name, prop) in value.as_object().into_iter().flatten() {
                        properties
                            .entry(name.clone())
                            .or_insert_with(|| prop.clone());
                    }
                }
                "required" => {
                    for name in value.as_array().into_iter().flatten() {
                        if !required.contains(name) {
                            required.push(name.clone());
                        }
                    }
                }
                _ => {
                    merged.entry(key.clone()).or_insert_with(|| value.clone());
                }
            }
        }
    }
    merged.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        merged.insert("required".into(), Value::Array(required));
    }
    Some(Value::Object(merged))
}

fn node<'a>(value: &'a Value, pointer: &'a str) -> Node<'a> {
    Node { value, pointer }
}

/// Parameters of an operation by (name, in), path-level ones overridden by
/// the operation's, `$ref`s resolved; each with its pointer.
fn parameter_map<'a>(
    doc: &'a Value,
    op: &Operation<'a>,
) -> BTreeMap<(String, String), (&'a Value, String)> {
    let mut params = BTreeMap::new();
    let path_pointer = op
        .pointer
        .rsplit_once('/')
        .map_or("", |(p, _)| p)
        .to_owned();
    let lists = [
        (op.path_parameters, child(&path_pointer, "parameters")),
        (op.op.get("parameters"), child(&op.pointer, "parameters")),
    ];
    for (list, base) in lists {
        for (index, param) in list
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let (param, pointer) = resolve(doc, param, &child(&base, &index.to_string()));
            let text = |key: &str| {
                param
                    .get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            params.insert((text("name"), text("in")), (param, pointer));
        }
    }
    params
}

fn parameter_label((name, location): &(String, String)) -> String {
    format!("{name} ({location})")
}

fn parameter_required(param: &Value, location: &str) -> bool {
    param
        .get("required")
        .and_then(Value::as_bool)
        .unwrap_or(location == "path")
}

fn body_type(body: &Value) -> String {
    let content = body.get("content").and_then(Value::as_object);
    content
        .map(|c| {
            c.iter()
                .map(|(media, m)| {
                    format!(
                        "{media} {}",
                        m.get("schema").map_or_else(|| "any".into(), describe)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_else(|| "(no content)".into())
}

fn required_set(schema: &Value) -> BTreeSet<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

fn schemas(doc: &Value) -> Option<&Map<String, Value>> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
}

/// The type of a schema itself (type, format, nullable), references not
/// followed: `string(date-time)`, `array`, `object`, `any`.
fn local_type(schema: &Value) -> String {
    let base = match schema.get("type").and_then(Value::as_str) {
        Some(ty) => match schema.get("format").and_then(Value::as_str) {
            Some(format) => format!("{ty}({format})"),
            None => ty.to_owned(),
        },
        None => match schema.get("format").and_then(Value::as_str) {
            Some(format) => format!("({format})"),
            None => "any".to_owned(),
        },
    };
    if schema.get("nullable").and_then(Value::as_bool) == Some(true) {
        format!("{base} | null")
    } else {
        base
    }
}

/// A short description of a schema's type; references are named, not expanded.
pub fn describe(schema: &Value) -> String {
    let base = if let Some(reference) = ref_target(schema) {
        schema_name(reference).unwrap_or(reference).to_owned()
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
                let items = schema.get("items").map_or_else(|| "any".into(), describe);
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

/// An operation's security, resolved: its own `security`, else the
/// document's; alternatives sorted, each `scheme[scopes] + ...`.
pub fn resolved_security(doc: &Value, op: &Value) -> String {
    let requirements = op
        .get("security")
        .or_else(|| doc.get("security"))
        .and_then(Value::as_array);
    let Some(requirements) = requirements else {
        return "none".into();
    };
    if requirements.is_empty() {
        return "none".into();
    }
    let mut alternatives: Vec<String> = requirements
        .iter()
        .map(|req| {
            let mut names: Vec<String> = req
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(name, scopes)| {
                            let mut scopes: Vec<String> = scopes
                                .as_array()
                                .into_iter()
                                .flatten()
                                .filter_map(|s| s.as_str().map(str::to_owned))
                                .collect();
                            scopes.sort();
                            if scopes.is_empty() {
                                name.clone()
                            } else {
                                format!("{name}[{}]", scopes.join(", "))
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            names.sort();
            if names.is_empty() {
                "anonymous".to_owned()
            } else {
                names.join(" + ")
            }
        })
        .collect();
    alternatives.sort();
    alternatives.dedup();
    alternatives.join(" or ")
}

/// For each component schema, the operations (ids) that use it, directly
/// or through other schemas.
fn schema_users(doc: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut refs_of_schema: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, schema) in schemas(doc).into_iter().flatten() {
        let mut found = BTreeSet::new();
        collect_refs(schema, &mut found);
        refs_of_schema.insert(name.clone(), found);
    }
    let mut users: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for ((path, method), op) in operations(doc) {
        let name = operation_id(op.op).unwrap_or_else(|| format!("{method} {path}"));
        let mut pending = BTreeSet::new();
        collect_refs(op.op, &mut pending);
        if let Some(params) = op.path_parameters {
            collect_refs(params, &mut pending);
        }
        let mut reached = BTreeSet::new();
        while let Some(next) = pending.pop_first() {
            if reached.insert(next.clone()) {
                pending.extend(refs_of_schema.get(&next).into_iter().flatten().cloned());
            }
        }
        for schema in reached {
            users.entry(schema).or_default().insert(name.clone());
        }
    }
    users
}

fn collect_refs(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(schema_name)
            {
                out.insert(name.to_owned());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
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
