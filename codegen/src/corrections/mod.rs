//! Corrections to the published Administration API document.
//!
//! Camunda's published OpenAPI document describes the live API imperfectly
//! (CONTRIBUTING.md lists the defects). Every defect the
//! SDK works around is corrected here, one file per family of defects
//! (`names`, `shapes`, `enums`, `responses`, `secrets`; `document` holds
//! the queries and walking helpers they share), on the JSON document, before code
//! generation. `build.rs` (through the `generate` module) and `xtask` both
//! depend on this module, so the document the SDK is generated from and the
//! document `cargo xtask check-spec` compares are corrected the same way.
//!
//! Each correction reports the places it changed. An empty list means the
//! source no longer has that defect, which `check-spec` reports so that a
//! maintainer can retire the correction.
//!
//! Only `serde_json` is used here, so that xtask stays light.

mod document;
mod enums;
mod names;
mod responses;
mod secrets;
mod shapes;

pub use document::{operations, string_enums, unauthenticated_operations, HTTP_METHODS};
pub use secrets::{secret_carrying_operations, unmarked_secret_fields};
pub use shapes::{diverging_shared_shapes, SharedShapeDivergence};

use serde_json::{json, Value};

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

/// The corrections, in the order of [`CORRECTIONS`].
const STEPS: [fn(&mut Value) -> Vec<String>; 12] = [
    names::merge_single_value_enum_unions,
    names::rename_odd_schema_names,
    shapes::flatten_all_of,
    shapes::hoist_colliding_inline_objects,
    shapes::name_shared_inline_objects,
    shapes::open_additional_properties,
    shapes::relax_late_required,
    enums::hoist_inline_enums,
    responses::csv_media_type,
    responses::uniform_error_bodies,
    responses::any_2xx_is_success,
    secrets::mark_secret_fields,
];

/// Apply every correction in order; returns one [`Outcome`] per correction.
pub fn apply(doc: &mut Value) -> Vec<Outcome> {
    let steps = STEPS;
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

/// Run the one correction `id` (see [`CORRECTIONS`]); `None` for an
/// unknown id. `check-spec` runs them one by one to find the correction
/// that makes an upstream change invisible.
pub fn apply_one(doc: &mut Value, id: &str) -> Option<Vec<String>> {
    let index = CORRECTIONS.iter().position(|(known, _)| *known == id)?;
    Some(STEPS[index](doc))
}

fn describe_named_schemas(doc: &mut Value) {
    let Some(schemas) = crate::openapi::schemas_mut(doc) else {
        return;
    };
    for (name, text) in NAMED_SCHEMA_DOCS {
        if let Some(schema) = schemas.get_mut(*name).and_then(Value::as_object_mut) {
            schema.entry("description").or_insert_with(|| json!(text));
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod test_support {
    use super::Outcome;
    use serde_json::{json, Value};

    /// A document holding only `schemas`.
    pub(crate) fn doc(schemas: Value) -> Value {
        json!({ "openapi": "3.0.0", "paths": {}, "components": { "schemas": schemas } })
    }

    /// The outcome of correction `id`.
    pub(crate) fn outcome<'a>(outcomes: &'a [Outcome], id: &str) -> &'a Outcome {
        outcomes
            .iter()
            .find(|o| o.id == id)
            .expect("every correction reports")
    }
}
