//! Inline string enums get names, so the generator can make them open.

use super::document::{pascal, string_enum_values};
use crate::openapi::{pointer, schema_ref, schemas_mut, walk};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Names for inline enums, by property name; others get `Parent` + `Property`.
const ENUM_NAMES: &[(&str, &str)] = &[
    ("auditType", "AuditType"),
    ("permissions", "ClientPermission"),
    ("classification", "GenerationClassification"),
];

pub(super) fn hoist_inline_enums(doc: &mut Value) -> Vec<String> {
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

#[cfg(test)]
mod tests {
    //! The defects of this family on small fragments, and what the
    //! corrections make of them.

    use crate::corrections::test_support::{doc, outcome};
    use crate::corrections::{apply, string_enums};
    use serde_json::{json, Value};

    #[test]
    fn inline_enums_get_names_so_they_can_be_open() {
        // Defect 4: enums grow; only a named enum can be generated as an open one.
        let mut d = doc(json!({
            "AuditDto": { "type": "object", "properties": {
                "auditType": { "type": "string", "enum": ["c", "r", "u", "d"] } } },
            "ClusterClient": { "type": "object", "properties": {
                "permissions": { "type": "array", "items": { "type": "string", "enum": ["Zeebe", "Operate"] } } } },
            "CreateClusterClientBody": { "type": "object", "properties": {
                "permissions": { "type": "array", "items": { "type": "string", "enum": ["Zeebe", "Operate"] } } } }
        }));
        let outcomes = apply(&mut d);
        assert_eq!(outcome(&outcomes, "hoist-inline-enums").places.len(), 3);
        let enums = string_enums(&d);
        assert_eq!(
            enums.get("AuditType"),
            Some(&vec![
                "c".to_owned(),
                "r".to_owned(),
                "u".to_owned(),
                "d".to_owned()
            ])
        );
        assert_eq!(
            enums.get("ClientPermission").map(Vec::len),
            Some(2),
            "one shared enum for equal value sets"
        );
        assert_eq!(
            d.pointer(
                "/components/schemas/CreateClusterClientBody/properties/permissions/items/$ref"
            ),
            Some(&json!("#/components/schemas/ClientPermission"))
        );
    }

    #[test]
    fn hoisted_enum_names_never_capture_another_schema() {
        let mut d = json!({
            "paths": {
                "/a": { "post": { "operationId": "A", "requestBody": { "content": { "application/json": { "schema": {
                    "type": "object", "properties": { "mode": { "type": "string", "enum": ["x", "y"] } } } } } }, "responses": {} } },
                "/b": { "post": { "operationId": "B", "requestBody": { "content": { "application/json": { "schema": {
                    "type": "object", "properties": { "mode": { "type": "string", "enum": ["p", "q"] } } } } } }, "responses": {} } }
            },
            "components": { "schemas": { "Mode": { "type": "object", "properties": { "id": { "type": "string" } } } } }
        });
        apply(&mut d);
        let a = d
            .pointer(
                "/paths/~1a/post/requestBody/content/application~1json/schema/properties/mode/$ref",
            )
            .cloned();
        let b = d
            .pointer(
                "/paths/~1b/post/requestBody/content/application~1json/schema/properties/mode/$ref",
            )
            .cloned();
        assert_ne!(a, b, "different values, different enums");
        for reference in [a, b] {
            let name = reference
                .as_ref()
                .and_then(Value::as_str)
                .and_then(|r| r.rsplit('/').next())
                .expect("a ref")
                .to_owned();
            assert_ne!(name, "Mode", "the object schema named Mode is not an enum");
            assert!(string_enums(&d).contains_key(&name), "{name} is an enum");
        }
    }
}
