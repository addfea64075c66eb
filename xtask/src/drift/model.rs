//! What [`compare`](super::compare) reports: the drift of operations,
//! schemas, security and other facts, down to single fields.

use serde::Serialize;
use serde_json::Value;

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
    pub(super) fn is_empty(&self) -> bool {
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
    /// In the source only, where they name shapes the vendored document
    /// has inline with the same facts: a refactor, not drift.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub named: Vec<NamedShape>,
}

/// A component schema that names a shape the vendored document has inline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedShape {
    /// The schema's name in the source.
    pub name: String,
    /// Where the source uses it (JSON pointers of the `$ref`s).
    pub places: Vec<String>,
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
    pub(super) fn new(field: &str, kind: ChangeKind, edit: Edit) -> FieldChange {
        FieldChange {
            field: field.to_owned(),
            kind,
            hidden_by: None,
            edit: Some(edit),
        }
    }
}
