//! Schema names: single-value enum unions merged into one enum, and names
//! that are not identifiers replaced.

use super::document::{count_refs, pascal, rename_refs, string_enum_values};
use crate::openapi::{pointer, referenced_schema, schema_ref, schemas_mut, walk};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Better names for schemas whose published names are not Rust-like.
const SCHEMA_RENAMES: &[(&str, &str)] = &[("Record_string.never_", "EmptyObject")];

pub(super) fn merge_single_value_enum_unions(doc: &mut Value) -> Vec<String> {
    let Some(schemas) = schemas_mut(doc) else {
        return Vec::new();
    };
    let single_values: BTreeMap<String, String> = schemas
        .iter()
        .filter_map(
            |(name, schema)| match string_enum_values(schema)?.as_slice() {
                [only] => Some((name.clone(), only.clone())),
                _ => None,
            },
        )
        .collect();
    let mut places = Vec::new();
    let mut absorbed = BTreeSet::new();
    for (name, schema) in schemas.iter_mut() {
        for key in ["anyOf", "oneOf"] {
            let Some(members) = schema.get(key).and_then(Value::as_array) else {
                continue;
            };
            let values: Option<Vec<(String, String)>> = members
                .iter()
                .map(|m| {
                    let target = referenced_schema(m)?;
                    Some((target.to_owned(), single_values.get(target)?.clone()))
                })
                .collect();
            let Some(values) = values.filter(|v| !v.is_empty()) else {
                continue;
            };
            absorbed.extend(values.iter().map(|(target, _)| target.clone()));
            let values: Vec<Value> = values.into_iter().map(|(_, v)| Value::String(v)).collect();
            let mut merged = json!({ "type": "string", "enum": values });
            for keep in ["description", "nullable"] {
                if let Some(v) = schema.get(keep) {
                    merged[keep] = v.clone();
                }
            }
            *schema = merged;
            places.push(format!("/components/schemas/{name}"));
        }
    }
    if absorbed.is_empty() {
        return places;
    }
    let mut counts = BTreeMap::new();
    count_refs(doc, 1, &mut counts);
    if let Some(schemas) = schemas_mut(doc) {
        for name in absorbed {
            if counts.get(&name).copied().unwrap_or(0) == 0 {
                schemas.remove(&name);
            }
        }
    }
    places
}

pub(super) fn rename_odd_schema_names(doc: &mut Value) -> Vec<String> {
    let names: Vec<String> = match schemas_mut(doc) {
        Some(schemas) => schemas.keys().cloned().collect(),
        None => return Vec::new(),
    };
    let mut places = Vec::new();
    let mut renames = BTreeMap::new();
    for name in names {
        if name.chars().all(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let new_name = SCHEMA_RENAMES
            .iter()
            .find(|(from, _)| *from == name)
            .map(|(_, to)| (*to).to_owned())
            .unwrap_or_else(|| pascal(&name));
        let Some(schemas) = schemas_mut(doc) else {
            break;
        };
        if schemas.contains_key(&new_name) {
            continue;
        }
        if let Some(schema) = schemas.remove(&name) {
            schemas.insert(new_name.clone(), schema);
        }
        places.push(format!("/components/schemas/{name} -> {new_name}"));
        renames.insert(name, new_name);
    }
    rename_refs(doc, &renames);
    places.extend(empty_object_alternatives(doc));
    places
}

/// `anyOf: [X, EmptyObject]` means "X, or `{}` while the feature is off".
/// As `oneOf` the generator makes it an enum of the two, tried in order,
/// instead of a struct of two optional flattened halves.
fn empty_object_alternatives(doc: &mut Value) -> Vec<String> {
    let empty = schema_ref("EmptyObject");
    let mut places = Vec::new();
    walk(doc, &mut |path, map| {
        let is_alternative = map
            .get("anyOf")
            .and_then(Value::as_array)
            .is_some_and(|members| {
                members.len() == 2
                    && members
                        .iter()
                        .any(|m| m.get("$ref").and_then(Value::as_str) == Some(empty.as_str()))
            });
        if is_alternative {
            if let Some(members) = map.remove("anyOf") {
                map.insert("oneOf".into(), members);
                places.push(pointer(path));
            }
        }
    });
    places
}

#[cfg(test)]
mod tests {
    //! The defects of this family on small fragments, and what the
    //! corrections make of them.

    use crate::corrections::apply;
    use crate::corrections::test_support::{doc, outcome};
    use serde_json::json;

    #[test]
    fn odd_schema_names_become_rust_like() {
        // Defect 6: `Record_string.never_` and `OrganizationRole.ADMIN`.
        let mut d = doc(json!({
            "OrganizationRole.ADMIN": { "type": "string", "enum": ["admin"] },
            "OrganizationRole.VISITOR": { "type": "string", "enum": ["visitor"] },
            "AssignableOrganizationRoleType": { "anyOf": [
                { "$ref": "#/components/schemas/OrganizationRole.ADMIN" },
                { "$ref": "#/components/schemas/OrganizationRole.VISITOR" } ] },
            "Record_string.never_": { "type": "object", "properties": {} },
            "ByomStatus": { "type": "object", "properties": { "x": { "type": "string" } } },
            "Holder": { "type": "object", "properties": { "status": { "anyOf": [
                { "$ref": "#/components/schemas/ByomStatus" },
                { "$ref": "#/components/schemas/Record_string.never_" } ] } } }
        }));
        let outcomes = apply(&mut d);
        assert!(!outcome(&outcomes, "merge-single-value-enum-unions")
            .places
            .is_empty());
        assert!(!outcome(&outcomes, "rename-odd-schema-names")
            .places
            .is_empty());
        let names: Vec<&String> = d["components"]["schemas"]
            .as_object()
            .expect("schemas")
            .keys()
            .collect();
        assert!(
            names
                .iter()
                .all(|n| n.chars().all(|c| c.is_ascii_alphanumeric())),
            "{names:?}"
        );
        assert_eq!(
            d.pointer("/components/schemas/AssignableOrganizationRoleType"),
            Some(&json!({ "type": "string", "enum": ["admin", "visitor"] }))
        );
        assert_eq!(
            d.pointer("/components/schemas/Holder/properties/status/oneOf/1/$ref"),
            Some(&json!("#/components/schemas/EmptyObject"))
        );
        assert!(!d.to_string().contains("Record_string"));
    }
}
