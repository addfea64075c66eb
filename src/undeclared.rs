//! The value of a field the API sent that the document does not declare.

use std::fmt;

/// A value the server sent under a name the document (and so this SDK's
/// types) does not know yet. Every generated struct keeps such fields in
/// its `extra` map, so nothing is lost when Camunda adds a field: read it
/// with [`Undeclared::as_json`], and it is written back unchanged on
/// serialization.
///
/// `Debug` shows no value: a field nobody has declared yet may hold a
/// secret. Only the field names appear in a struct's `Debug`.
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Undeclared(serde_json::Value);

impl Undeclared {
    /// The value as JSON.
    pub fn as_json(&self) -> &serde_json::Value {
        &self.0
    }

    /// The value as owned JSON.
    pub fn into_json(self) -> serde_json::Value {
        self.0
    }
}

impl From<serde_json::Value> for Undeclared {
    fn from(value: serde_json::Value) -> Self {
        Self(value)
    }
}

impl fmt::Debug for Undeclared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Undeclared(..)")
    }
}

#[cfg(feature = "schemars")]
#[cfg_attr(docsrs, doc(cfg(feature = "schemars")))]
impl schemars::JsonSchema for Undeclared {
    fn schema_name() -> String {
        "Undeclared".to_owned()
    }

    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::Schema::Bool(true)
    }
}
