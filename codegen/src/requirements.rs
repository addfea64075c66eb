//! What the hand-written layer of `camunda-admin` needs from a document.
//!
//! The library (waiting helpers), the emulator and the command line are
//! written by hand against the generated bindings. They compile only if the
//! document still has the operations, types and enum values they name. This
//! module keeps that list in one place, beside the generator, and checks a
//! document against it, so that a build from an older document fails with
//! one message naming what is missing instead of compiler errors deep in
//! `src/`, and `cargo xtask update-spec` refuses to vendor such a document.
//!
//! A test scans the hand-written sources (`src/`, `cli/src/`, `examples/`)
//! and fails, naming the line to add, when they use something the list
//! lacks.

use crate::corrections;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt;

/// Operations the hand-written code calls, by `operationId`, with the code
/// that calls them.
pub const OPERATIONS: &[(&str, &str)] = &[
    ("CreateBackup", "examples/quickstart.rs"),
    ("CreateClient", "examples/quickstart.rs"),
    ("CreateCluster", "examples/quickstart.rs"),
    ("CreateSecret", "examples/quickstart.rs"),
    ("DeleteCluster", "examples/quickstart.rs"),
    ("DeleteSecret", "examples/quickstart.rs"),
    ("GetBackups", "src/wait.rs"),
    ("GetClient", "examples/quickstart.rs"),
    ("GetCluster", "src/wait.rs"),
    ("GetClusters", "examples/quickstart.rs"),
    ("GetCsv", "examples/quickstart.rs"),
    ("GetMembers", "examples/quickstart.rs"),
    ("GetParameters", "examples/quickstart.rs"),
    ("GetRestore", "src/wait.rs"),
    ("GetSecrets", "examples/quickstart.rs"),
    ("UpdateIpAllowlist", "examples/quickstart.rs"),
    ("UpdateSecret", "examples/quickstart.rs"),
];

/// Types (component schemas of the corrected document) the hand-written
/// code names, with the code that names them.
pub const TYPES: &[(&str, &str)] = &[
    ("BackupDto", "src/wait.rs"),
    ("BackupScheduleBody", "src/emulator/handlers/backups.rs"),
    ("BackupStatus", "src/wait.rs"),
    ("ClientPermission", "examples/quickstart.rs"),
    ("Cluster", "src/wait.rs"),
    ("ClusterClientConnectionDetails", "src/connection.rs"),
    ("ClusterStatus", "src/wait.rs"),
    ("CreateClusterBody", "examples/quickstart.rs"),
    ("CreateClusterClientBody", "examples/quickstart.rs"),
    ("CreateSecretBody", "examples/quickstart.rs"),
    ("CreatedClusterClient", "src/connection.rs"),
    ("IpAllowListBody", "examples/quickstart.rs"),
    ("IpAllowlistEntry", "examples/quickstart.rs"),
    ("IpWhiteListBody", "src/emulator/handlers/ip_allowlist.rs"),
    ("Parameters", "src/lookup.rs"),
    ("PostMemberBody", "src/emulator/handlers/members.rs"),
    ("RestoreDto", "src/wait.rs"),
    ("RestoreState", "src/wait.rs"),
    ("TriggerFailoverBody", "src/emulator/handlers/failover.rs"),
    ("UpdateClusterBody", "src/emulator/handlers/clusters.rs"),
    (
        "UpdateClusterEncryptionBody",
        "src/emulator/handlers/clusters.rs",
    ),
    ("UpdateSecretBody", "examples/quickstart.rs"),
];

/// Values of string enums the hand-written code matches or builds, as
/// (enum, value as the API writes it), with the code that uses them.
pub const ENUM_VALUES: &[(&str, &str, &str)] = &[
    ("BackupStatus", "Complete", "src/wait.rs"),
    ("BackupStatus", "Failed", "src/wait.rs"),
    ("ClientPermission", "Operate", "examples/quickstart.rs"),
    ("ClientPermission", "Zeebe", "examples/quickstart.rs"),
    ("ClusterStatus", "Healthy", "src/wait.rs"),
    ("ClusterStatus", "Suspended", "cli/src/waits.rs"),
    ("ClusterStatus", "WaitingForInput", "src/wait.rs"),
    ("RestoreState", "ABORTED", "src/wait.rs"),
    ("RestoreState", "COMPLETED", "src/wait.rs"),
    ("RestoreState", "FAILED", "src/wait.rs"),
];

/// What a document lacks of the list; empty when it has everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Missing {
    /// Where the document came from, for the message.
    pub document: String,
    /// Operation ids the document does not have.
    pub operations: Vec<String>,
    /// Type names the corrected document does not have.
    pub types: Vec<String>,
    /// `Enum.value` pairs the corrected document does not have.
    pub enum_values: Vec<String>,
}

impl Missing {
    /// True when the document has everything the hand-written code needs.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty() && self.types.is_empty() && self.enum_values.is_empty()
    }
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        for (kind, names) in [
            ("operations", &self.operations),
            ("types", &self.types),
            ("enum values", &self.enum_values),
        ] {
            if !names.is_empty() {
                parts.push(format!("{kind} {}", names.join(", ")));
            }
        }
        write!(
            f,
            "the document {} lacks what camunda-admin's hand-written code needs: {}; \
             build from a newer document (without CAMUNDA_ADMIN_SPEC the build uses \
             openapi/camunda-admin.json), or change the hand-written code and the list \
             in codegen/src/requirements.rs",
            self.document,
            parts.join("; ")
        )
    }
}

impl std::error::Error for Missing {}

/// What `corrected` (a document after [`corrections::apply`]) lacks of the
/// list. `document` names it in the message.
pub fn missing(corrected: &Value, document: &str) -> Missing {
    let operations: BTreeSet<String> = corrections::operations(corrected)
        .into_iter()
        .filter_map(|(_, _, op)| {
            op.get("operationId")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect();
    let types: BTreeSet<&str> = corrected
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| schemas.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let enums = corrections::string_enums(corrected);
    Missing {
        document: document.to_owned(),
        operations: OPERATIONS
            .iter()
            .filter(|(id, _)| !operations.contains(*id))
            .map(|(id, _)| (*id).to_owned())
            .collect(),
        types: TYPES
            .iter()
            .filter(|(name, _)| !types.contains(name))
            .map(|(name, _)| (*name).to_owned())
            .collect(),
        enum_values: ENUM_VALUES
            .iter()
            .filter(|(name, value, _)| {
                !enums
                    .get(*name)
                    .is_some_and(|values| values.iter().any(|v| v == value))
            })
            .map(|(name, value, _)| format!("{name}.{value}"))
            .collect(),
    }
}

/// Check `corrected` against the list: `Err` names everything missing.
pub fn check(corrected: &Value, document: &str) -> Result<(), Missing> {
    let missing = missing(corrected, document);
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing)
    }
}

/// [`check`] of an uncorrected document: the corrections run on a copy.
pub fn check_uncorrected(doc: &Value, document: &str) -> Result<(), Missing> {
    let mut corrected = doc.clone();
    corrections::apply(&mut corrected);
    check(&corrected, document)
}

/// Why a document cannot be read as OpenAPI 3.0 by the generator, with the
/// place (a JSON pointer) where it fails.
#[cfg(feature = "generate")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// Where the document came from.
    pub document: String,
    /// The JSON pointer of the value that does not fit.
    pub pointer: String,
    /// What does not fit there.
    pub message: String,
}

#[cfg(feature = "generate")]
impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() {
            "the top level"
        } else {
            self.pointer.as_str()
        };
        write!(
            f,
            "{} is not an OpenAPI 3.0 document the generator can read: at {at}: {}",
            self.document, self.message
        )
    }
}

#[cfg(feature = "generate")]
impl std::error::Error for Unreadable {}

/// Read `doc` as the generator will (an OpenAPI 3.0 document), saying where
/// it does not fit.
#[cfg(feature = "generate")]
pub fn check_readable(doc: &Value, document: &str) -> Result<(), Unreadable> {
    let Err((mut pointer, mut message)) = located::<openapiv3::OpenAPI>(doc) else {
        return Ok(());
    };
    // `$ref`-or-value holders are untagged enums, whose errors stop at the
    // holder; reading the holder as what it holds goes deeper.
    for _ in 0..16 {
        let Some(value) = doc.pointer(&pointer).filter(|v| v.get("$ref").is_none()) else {
            break;
        };
        let Some(Err((inner, inner_message))) = read_as_held(&pointer, value) else {
            break;
        };
        if inner.is_empty() && inner_message == message {
            break;
        }
        let done = inner.is_empty();
        pointer.push_str(&inner);
        message = inner_message;
        if done {
            break;
        }
    }
    Err(Unreadable {
        document: document.to_owned(),
        pointer,
        message,
    })
}

/// Read `value`, found at `pointer`, as the OpenAPI object that place holds.
#[cfg(feature = "generate")]
fn read_as_held(pointer: &str, value: &Value) -> Option<Result<(), (String, String)>> {
    if pointer == "/paths" {
        // `paths` is read through a flattened map, which loses the key.
        let items = value.as_object()?;
        return items.iter().find_map(|(path, item)| {
            let key = format!("/{}", path.replace('~', "~0").replace('/', "~1"));
            match located::<openapiv3::ReferenceOr<openapiv3::PathItem>>(item) {
                Ok(()) => None,
                Err((_, message)) => Some(Err((key, message))),
            }
        });
    }
    let segments: Vec<&str> = pointer.split('/').skip(1).collect();
    let parent = segments.len().checked_sub(2).and_then(|i| segments.get(i));
    let last = segments.last()?;
    Some(match (parent.copied(), *last) {
        (Some("paths"), _) if segments.len() == 2 => located::<openapiv3::PathItem>(value),
        (Some("parameters"), _) => located::<openapiv3::Parameter>(value),
        (Some("responses"), _) => located::<openapiv3::Response>(value),
        (Some("headers"), _) => located::<openapiv3::Header>(value),
        (Some("requestBodies"), _) | (_, "requestBody") => located::<openapiv3::RequestBody>(value),
        (Some("securitySchemes"), _) => located::<openapiv3::SecurityScheme>(value),
        (Some("schemas" | "properties" | "allOf" | "oneOf" | "anyOf"), _)
        | (_, "schema" | "items" | "additionalProperties" | "not") => {
            located::<openapiv3::Schema>(value)
        }
        _ => return None,
    })
}

/// Deserialize `value` as `T`; the error's JSON pointer and message.
#[cfg(feature = "generate")]
fn located<T: serde::de::DeserializeOwned>(value: &Value) -> Result<(), (String, String)> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(_) => Ok(()),
        Err(error) => {
            let pointer = error
                .path()
                .iter()
                .map(|segment| match segment {
                    serde_path_to_error::Segment::Seq { index } => format!("/{index}"),
                    serde_path_to_error::Segment::Map { key } => {
                        format!("/{}", key.replace('~', "~0").replace('/', "~1"))
                    }
                    // A variant chosen by a tag is no key of the JSON.
                    serde_path_to_error::Segment::Enum { .. } => String::new(),
                    serde_path_to_error::Segment::Unknown => "/?".to_owned(),
                })
                .collect();
            Err((pointer, error.into_inner().to_string()))
        }
    }
}

#[cfg(test)]
mod tests;
