//! A copy of the project's document with the additive changes Camunda makes
//! without a new version: a new optional request field, a new optional
//! response field, a new enum value, a new operation and a new optional
//! query parameter. CI compiles a user-shaped crate against it
//! (`tests/compat-user`) to prove such changes break no code written as
//! the docs show.

use serde_json::{json, Value};

/// Every change this module makes, in one line each (for the report).
pub const CHANGES: &[&str] = &[
    "CreateClusterBody gains the optional request field `costCenter`",
    "Cluster gains the optional response field `deletionProtection`",
    "ClusterStatus gains the value `Migrating`",
    "a new operation GetClusterLogs (GET /clusters/{clusterUuid}/logs)",
    "GetClusters gains the optional query parameter `status`",
];

/// `doc` with the changes of [`CHANGES`]; a part the document lacks is
/// skipped, so the variant of any document still builds.
pub fn additive_variant(doc: &Value) -> Value {
    let mut doc = doc.clone();
    let schemas = "/components/schemas";
    if let Some(properties) = doc.pointer_mut(&format!("{schemas}/CreateClusterBody/properties")) {
        properties["costCenter"] = json!({ "type": "string", "description": "Who pays" });
    }
    if let Some(properties) = doc.pointer_mut(&format!("{schemas}/Cluster/properties")) {
        properties["deletionProtection"] = json!({ "type": "boolean" });
    }
    if let Some(values) = doc
        .pointer_mut(&format!("{schemas}/ClusterStatus/enum"))
        .and_then(Value::as_array_mut)
    {
        values.push(json!("Migrating"));
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        paths.insert("/clusters/{clusterUuid}/logs".to_owned(), new_operation());
    }
    if let Some(get) = doc.pointer_mut("/paths/~1clusters/get") {
        let parameters = get
            .as_object_mut()
            .map(|op| op.entry("parameters").or_insert_with(|| json!([])));
        if let Some(Value::Array(parameters)) = parameters {
            parameters.push(json!({
                "name": "status", "in": "query", "required": false,
                "description": "Only clusters in this status",
                "schema": { "type": "string" }
            }));
        }
    }
    doc
}

fn new_operation() -> Value {
    json!({
        "get": {
            "operationId": "GetClusterLogs",
            "summary": "Read the cluster's logs",
            "x-camunda-scope": "Cluster",
            "parameters": [
                { "name": "clusterUuid", "in": "path", "required": true, "schema": { "type": "string" } }
            ],
            "responses": {
                "200": {
                    "description": "The log lines",
                    "content": { "application/json": { "schema": {
                        "type": "array", "items": { "type": "string" }
                    } } }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_change_lands_where_the_document_has_its_place() {
        let doc = json!({
            "paths": { "/clusters": { "get": { "operationId": "GetClusters", "responses": {} } } },
            "components": { "schemas": {
                "CreateClusterBody": { "type": "object", "properties": {} },
                "Cluster": { "type": "object", "properties": {} },
                "ClusterStatus": { "type": "string", "enum": ["Healthy"] }
            } }
        });
        let variant = additive_variant(&doc);
        assert!(variant
            .pointer("/components/schemas/CreateClusterBody/properties/costCenter")
            .is_some());
        assert!(variant
            .pointer("/components/schemas/Cluster/properties/deletionProtection")
            .is_some());
        assert_eq!(
            variant.pointer("/components/schemas/ClusterStatus/enum/1"),
            Some(&json!("Migrating"))
        );
        assert!(variant
            .pointer("/paths/~1clusters~1{clusterUuid}~1logs/get")
            .is_some());
        assert_eq!(
            variant.pointer("/paths/~1clusters/get/parameters/0/name"),
            Some(&json!("status"))
        );
        assert_eq!(
            additive_variant(&json!({})),
            json!({}),
            "a document without them is left alone"
        );
    }
}
