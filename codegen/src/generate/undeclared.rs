//! Fields the document does not declare are kept, not dropped.
//!
//! Every object schema with properties gets `additionalProperties` pointing
//! at one named schema, which the generator replaces by
//! `camunda_admin::Undeclared`. typify then adds a flattened
//! `extra: BTreeMap<String, Undeclared>` to each struct: a field the server
//! sends before the document names it decodes into that map, is readable
//! there, and is written back on a round trip. `Undeclared` shows no value
//! in `Debug`, since a field nobody has declared yet may be a secret.

use serde_json::{json, Map, Value};

/// The schema name the generator replaces by `crate::Undeclared`. Unlikely
/// to be taken by the document itself.
pub const UNDECLARED_SCHEMA: &str = "CamundaAdminUndeclaredValue";

/// Mark every object schema with properties (named or inline, anywhere) as
/// open to undeclared fields. Objects that already say what their extra
/// fields are (maps) are left as they are.
pub fn keep_undeclared_fields(doc: &mut Value) {
    let marker = json!({ "$ref": format!("#/components/schemas/{UNDECLARED_SCHEMA}") });
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for schema in schemas.values_mut() {
            mark(schema, &marker);
        }
        schemas.insert(
            UNDECLARED_SCHEMA.to_owned(),
            json!({ "description": "A value of a field the document does not declare." }),
        );
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for op in item.values_mut() {
                for content in operation_contents(op) {
                    for media in content.values_mut() {
                        if let Some(schema) = media.get_mut("schema") {
                            mark(schema, &marker);
                        }
                    }
                }
            }
        }
    }
}

fn operation_contents(op: &mut Value) -> Vec<&mut Map<String, Value>> {
    let mut out = Vec::new();
    let Some(op) = op.as_object_mut() else {
        return out;
    };
    for (key, value) in op.iter_mut() {
        match key.as_str() {
            "requestBody" => out.extend(value.get_mut("content").and_then(Value::as_object_mut)),
            "responses" => {
                let responses = value
                    .as_object_mut()
                    .into_iter()
                    .flat_map(|r| r.values_mut());
                out.extend(
                    responses.filter_map(|r| r.get_mut("content").and_then(Value::as_object_mut)),
                );
            }
            _ => {}
        }
    }
    out
}

/// Walk a schema and its sub-schemas (properties, items). Inline variants
/// of a union stay as they are: typify makes a one-field variant such as
/// `{ "error": string }` a plain `Error(String)` only while it is closed.
fn mark(schema: &mut Value, marker: &Value) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    let open = matches!(
        map.get("additionalProperties"),
        None | Some(Value::Bool(true))
    );
    if map.contains_key("properties") && open {
        map.insert("additionalProperties".to_owned(), marker.clone());
    }
    if let Some(properties) = map.get_mut("properties").and_then(Value::as_object_mut) {
        for property in properties.values_mut() {
            mark(property, marker);
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child) = map.get_mut(key) {
            if child != marker {
                mark(child, marker);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_named_and_inline_become_open_and_maps_stay_maps() {
        let mut doc = json!({
            "paths": { "/x": { "get": { "responses": { "200": { "content": {
                "application/json": { "schema": { "type": "array", "items": {
                    "type": "object", "properties": { "a": { "type": "string" } } } } } } } } } } },
            "components": { "schemas": {
                "Cluster": { "type": "object", "properties": {
                    "status": { "type": "object", "properties": { "ready": { "type": "string" } } }
                } },
                "Secrets": { "type": "object", "additionalProperties": { "type": "string" } },
                "Closed": { "type": "object", "properties": {}, "additionalProperties": false }
            } }
        });
        keep_undeclared_fields(&mut doc);
        let marker = json!({ "$ref": format!("#/components/schemas/{UNDECLARED_SCHEMA}") });
        let at = |p: &str| doc.pointer(p).cloned();
        assert_eq!(
            at("/components/schemas/Cluster/additionalProperties"),
            Some(marker.clone())
        );
        assert_eq!(
            at("/components/schemas/Cluster/properties/status/additionalProperties"),
            Some(marker.clone())
        );
        assert_eq!(
            at("/paths/~1x/get/responses/200/content/application~1json/schema/items/additionalProperties"),
            Some(marker)
        );
        assert_eq!(
            at("/components/schemas/Secrets/additionalProperties"),
            Some(json!({ "type": "string" }))
        );
        assert_eq!(
            at("/components/schemas/Closed/additionalProperties"),
            Some(json!(false)),
            "a closed object stays closed"
        );
        assert!(at(&format!("/components/schemas/{UNDECLARED_SCHEMA}")).is_some());
    }
}
