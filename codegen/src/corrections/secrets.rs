//! Secrets: fields holding secret values marked `format: password`, and the
//! queries the generator uses to keep secrets out of plain strings and errors.

use super::document::operations;
use crate::openapi::{pointer, referenced_schema, schemas_mut, walk};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Property names whose string values are secrets.
const SECRET_FIELDS: &[&str] = &["clientSecret", "secretValue", "password"];

/// Schemas that map names to secret values.
const SECRET_MAPS: &[&str] = &["ClusterSecrets"];

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
            if let Some(target) = referenced_schema(node) {
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
pub(super) fn mark_secret_fields(doc: &mut Value) -> Vec<String> {
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
mod tests {
    //! The defects of this family on small fragments, and what the
    //! corrections make of them.

    use crate::corrections::test_support::{doc, outcome};
    use crate::corrections::{apply, secret_carrying_operations, unmarked_secret_fields};
    use serde_json::json;

    #[test]
    fn secret_fields_are_marked_as_passwords() {
        let mut d = doc(json!({
            "CreateSecretBody": { "type": "object", "properties": { "secretValue": { "type": "string" }, "secretName": { "type": "string" } } },
            "ClusterSecrets": { "type": "object", "additionalProperties": { "type": "string" } }
        }));
        let outcomes = apply(&mut d);
        assert_eq!(outcome(&outcomes, "mark-secret-fields").places.len(), 2);
        assert_eq!(
            d.pointer("/components/schemas/CreateSecretBody/properties/secretValue/format"),
            Some(&json!("password"))
        );
        assert_eq!(
            d.pointer("/components/schemas/CreateSecretBody/properties/secretName/format"),
            None
        );
        assert_eq!(
            d.pointer("/components/schemas/ClusterSecrets/additionalProperties/format"),
            Some(&json!("password"))
        );
    }

    #[test]
    fn operations_carrying_secrets_are_found_through_refs() {
        let mut d = json!({
            "paths": {
                "/secrets": { "post": { "operationId": "CreateSecret", "requestBody": { "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/CreateSecretBody" } } } }, "responses": {} } },
                "/members": { "get": { "operationId": "GetMembers", "responses": { "200": { "description": "",
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Member" } } } } } } }
            },
            "components": { "schemas": {
                "CreateSecretBody": { "type": "object", "properties": { "secretValue": { "type": "string" } } },
                "Member": { "type": "object", "properties": { "self": { "$ref": "#/components/schemas/Member" } } }
            } }
        });
        apply(&mut d);
        let found: Vec<String> = secret_carrying_operations(&d).into_iter().collect();
        assert_eq!(
            found,
            vec!["CreateSecret".to_owned()],
            "a self-referencing schema ends the search"
        );
    }

    #[test]
    fn secret_fields_that_cannot_be_marked_are_reported() {
        let d = doc(json!({
            "Client": { "type": "object", "properties": { "clientSecret": { "$ref": "#/components/schemas/Opaque" } } },
            "Opaque": { "type": "string" }
        }));
        assert_eq!(
            unmarked_secret_fields(&d),
            vec!["/components/schemas/Client/properties/clientSecret".to_owned()]
        );
    }
}
