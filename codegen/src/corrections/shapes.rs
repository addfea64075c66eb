//! Object shapes: `allOf` flattened, inline objects named where a generated
//! name collides or one concept repeats, objects opened to new fields, and
//! fields the server omits made optional.

use super::document::{count_refs, pascal};
use crate::openapi::{
    escape, is_object_schema, join_objects, pointer, referenced_schema, schema_ref, schemas_mut,
    walk,
};
use serde_json::{json, Map, Value};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// Fields that the document marks required but the live server can omit.
const LATE_REQUIRED: &[(&str, &str)] = &[
    ("Cluster", "encryption"),
    ("CreatedClusterClient", "audience"),
];

/// Inline objects that stand for one concept, by the property holding them.
const SHARED_OBJECT_NAMES: &[(&str, &str)] = &[
    ("ipallowlist", "IpAllowlistEntry"),
    ("ipwhitelist", "IpAllowlistEntry"),
];

/// Merge `allOf: [{$ref: X}, {inline object}]`. When X is used nowhere else the
/// inline properties join X itself, so users meet one type; otherwise the
/// union becomes one inline object.
pub(super) fn flatten_all_of(doc: &mut Value) -> Vec<String> {
    let mut found: Vec<(Vec<String>, Vec<Value>)> = Vec::new();
    walk(doc, &mut |path, map| {
        if let Some(Value::Array(members)) = map.get("allOf") {
            found.push((path.to_vec(), members.clone()));
        }
    });
    // The members' schemas as they were before any merge: a copy of those
    // only, not of every schema.
    let schemas_snapshot: Map<String, Value> = found
        .iter()
        .flat_map(|(_, members)| members.iter().filter_map(referenced_schema))
        .filter_map(|name| {
            let schema = doc.pointer(&format!("/components/schemas/{}", escape(name)))?;
            Some((name.to_owned(), schema.clone()))
        })
        .collect();
    let mut places = Vec::new();
    // `$ref`s per schema, counted once and kept up to date as allOfs are
    // replaced (counting the whole document per allOf was quadratic).
    let mut counts = BTreeMap::new();
    if !found.is_empty() {
        count_refs(doc, 1, &mut counts);
    }
    for (path, members) in found {
        let resolved: Vec<Value> = members
            .iter()
            .map(|m| match referenced_schema(m) {
                Some(target) => schemas_snapshot.get(target).cloned().unwrap_or(Value::Null),
                None => m.clone(),
            })
            .collect();
        if !resolved.iter().all(is_object_schema) {
            continue;
        }
        let merged = merge_objects(&resolved);
        let single_ref = match members.as_slice() {
            [first, rest @ ..] if rest.iter().all(|m| m.get("$ref").is_none()) => {
                referenced_schema(first).map(str::to_owned)
            }
            _ => None,
        };
        let replacement = match single_ref {
            Some(target) if counts.get(&target).copied() == Some(1) => {
                if let Some(schema) = schemas_mut(doc).and_then(|s| s.get_mut(&target)) {
                    count_refs(schema, -1, &mut counts);
                    count_refs(&merged, 1, &mut counts);
                    *schema = merged;
                }
                json!({ "$ref": schema_ref(&target) })
            }
            _ => merged,
        };
        if let Some(slot) = doc.pointer_mut(&pointer(&path)) {
            // Keywords beside `allOf` (nullable, description) stay, unless
            // the holder became a bare `$ref`, which takes no siblings.
            let mut replacement = replacement;
            if let (Some(holder), Some(merged)) = (slot.as_object(), replacement.as_object_mut()) {
                if !merged.contains_key("$ref") {
                    for (key, value) in holder {
                        if key != "allOf" {
                            merged.entry(key.clone()).or_insert_with(|| value.clone());
                        }
                    }
                }
            }
            count_refs(slot, -1, &mut counts);
            count_refs(&replacement, 1, &mut counts);
            *slot = replacement;
            places.push(pointer(&path));
        }
    }
    places
}

/// The object standing for the `allOf` parts: their fields joined; only the
/// keywords the generator reads beside them are kept.
fn merge_objects(parts: &[Value]) -> Value {
    let mut merged = join_objects(Map::new(), parts);
    merged.retain(|key, _| {
        matches!(
            key.as_str(),
            "properties" | "required" | "description" | "additionalProperties"
        )
    });
    merged.insert("type".into(), json!("object"));
    Value::Object(merged)
}

fn is_inline_object(schema: &Value) -> bool {
    schema.get("$ref").is_none()
        && schema.get("enum").is_none()
        && (schema.get("properties").is_some()
            || schema.get("type").and_then(Value::as_str) == Some("object"))
}

pub(super) fn hoist_colliding_inline_objects(doc: &mut Value) -> Vec<String> {
    let Some(schemas) = schemas_mut(doc) else {
        return Vec::new();
    };
    let existing: BTreeSet<String> = schemas.keys().cloned().collect();
    let mut hoisted = Vec::new();
    let mut places = Vec::new();
    for (name, schema) in schemas.iter_mut() {
        let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
            continue;
        };
        for (prop, prop_schema) in props.iter_mut() {
            let generated = format!("{}{}", pascal(name), pascal(prop));
            if is_inline_object(prop_schema) && existing.contains(&generated) {
                let new_name = format!("{generated}Summary");
                hoisted.push((
                    new_name.clone(),
                    std::mem::replace(prop_schema, json!({ "$ref": schema_ref(&new_name) })),
                ));
                places.push(format!(
                    "/components/schemas/{name}/properties/{prop} -> {new_name}"
                ));
            }
        }
    }
    schemas.extend(hoisted);
    places
}

/// The inline shapes of each shared concept, with the place of each, in
/// document order.
type SharedShapes = BTreeMap<&'static str, Vec<(String, Value)>>;

/// Take every inline shape of a shared concept out of `doc`, leaving a
/// `$ref` to the concept's name in its place.
fn take_shared_shapes(doc: &mut Value) -> SharedShapes {
    let mut shapes = SharedShapes::new();
    walk(doc, &mut |path, map| {
        let Some(props) = map.get_mut("properties").and_then(Value::as_object_mut) else {
            return;
        };
        for (prop, prop_schema) in props.iter_mut() {
            let Some((_, name)) = SHARED_OBJECT_NAMES.iter().find(|(p, _)| p == prop) else {
                continue;
            };
            let Some(items) = prop_schema.get_mut("items") else {
                continue;
            };
            if !is_inline_object(items) {
                continue;
            }
            let shape = std::mem::replace(items, json!({ "$ref": schema_ref(name) }));
            let place = format!("{}/properties/{prop}/items", pointer(path));
            shapes.entry(*name).or_default().push((place, shape));
        }
    });
    shapes
}

/// What [`take_shared_shapes`] would take, found without a copy of the
/// document: a read-only walk that writes a place only where it finds one.
fn find_shared_shapes<'a>(
    value: &'a Value,
    path: &mut Vec<Cow<'a, str>>,
    found: &mut SharedShapes,
) {
    match value {
        Value::Object(map) => {
            let props = map.get("properties").and_then(Value::as_object);
            for (prop, prop_schema) in props.into_iter().flatten() {
                let Some((_, name)) = SHARED_OBJECT_NAMES.iter().find(|(p, _)| p == prop) else {
                    continue;
                };
                if let Some(items) = prop_schema.get("items").filter(|i| is_inline_object(i)) {
                    let at: String = path.iter().map(|s| format!("/{}", escape(s))).collect();
                    let place = format!("{at}/properties/{prop}/items");
                    found.entry(*name).or_default().push((place, items.clone()));
                }
            }
            for (key, child) in map {
                path.push(Cow::Borrowed(key));
                find_shared_shapes(child, path, found);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                path.push(Cow::Owned(index.to_string()));
                find_shared_shapes(child, path, found);
                path.pop();
            }
        }
        _ => {}
    }
}

pub(super) fn name_shared_inline_objects(doc: &mut Value) -> Vec<String> {
    let shapes = take_shared_shapes(doc);
    let places = shapes
        .iter()
        .flat_map(|(name, found)| {
            found
                .iter()
                .map(move |(place, _)| format!("{place} -> {name}"))
        })
        .collect();
    if let Some(schemas) = schemas_mut(doc) {
        for (name, found) in shapes {
            let found: Vec<Value> = found.into_iter().map(|(_, shape)| shape).collect();
            schemas
                .entry(name)
                .or_insert_with(|| union_of_shapes(&found));
        }
    }
    places
}

/// One object that every one of `shapes` fits: all their properties (the
/// first definition of a name wins), required only where all require it.
/// The other keywords are the first shape's.
fn union_of_shapes(shapes: &[Value]) -> Value {
    let Some((first, rest)) = shapes.split_first() else {
        return json!({ "type": "object" });
    };
    let mut union = first.clone();
    let mut properties = first
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut required = required_names(first);
    for shape in rest {
        if let Some(props) = shape.get("properties").and_then(Value::as_object) {
            for (name, schema) in props {
                properties
                    .entry(name.clone())
                    .or_insert_with(|| schema.clone());
            }
        }
        let theirs = required_names(shape);
        required.retain(|name| theirs.contains(name));
    }
    if let Some(object) = union.as_object_mut() {
        object.insert("properties".into(), Value::Object(properties));
        if required.is_empty() {
            object.remove("required");
        } else {
            object.insert("required".into(), json!(required));
        }
    }
    union
}

fn required_names(shape: &Value) -> Vec<String> {
    shape
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|name| name.as_str().map(str::to_owned))
        .collect()
}

/// Inline shapes that one correction merges into a named type while they
/// differ: the merged type is their union, so a field only some of them
/// have is optional, and a field defined differently keeps one definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedShapeDivergence {
    /// The name the merged type gets.
    pub name: String,
    /// Where the shapes are, as JSON pointers of the uncorrected document.
    pub places: Vec<String>,
    /// What differs, one line each (`field ip: only at ...`).
    pub differences: Vec<String>,
}

/// The shared inline shapes of an uncorrected document that differ in facts
/// (prose aside); `check-spec` reports them.
pub fn diverging_shared_shapes(doc: &Value) -> Vec<SharedShapeDivergence> {
    let mut found = SharedShapes::new();
    find_shared_shapes(doc, &mut Vec::new(), &mut found);
    found
        .into_iter()
        .filter_map(|(name, found)| {
            let differences = shape_differences(&found);
            (!differences.is_empty()).then(|| SharedShapeDivergence {
                name: name.to_owned(),
                places: found.into_iter().map(|(place, _)| place).collect(),
                differences,
            })
        })
        .collect()
}

fn shape_differences(found: &[(String, Value)]) -> Vec<String> {
    let mut fields: BTreeMap<String, Vec<(&str, Value, bool)>> = BTreeMap::new();
    for (place, shape) in found {
        let required = required_names(shape);
        for (name, schema) in shape
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            fields.entry(name.clone()).or_default().push((
                place.as_str(),
                without_prose(schema),
                required.contains(name),
            ));
        }
    }
    let mut differences = Vec::new();
    for (field, holders) in &fields {
        let at: Vec<&str> = holders.iter().map(|(place, _, _)| *place).collect();
        if holders.len() < found.len() {
            differences.push(format!("field {field} only at {}", at.join(", ")));
            continue;
        }
        if holders.iter().any(|(_, schema, _)| *schema != holders[0].1) {
            differences.push(format!(
                "field {field} is defined differently at {}",
                at.join(", ")
            ));
        }
        if holders
            .iter()
            .any(|(_, _, required)| *required != holders[0].2)
        {
            let required: Vec<&str> = holders.iter().filter(|h| h.2).map(|h| h.0).collect();
            differences.push(format!(
                "field {field} is required only at {}",
                required.join(", ")
            ));
        }
    }
    differences
}

/// A schema without its descriptions, titles and examples (a property
/// *named* `description` stays).
fn without_prose(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| {
                    !matches!(
                        key.as_str(),
                        "description" | "title" | "example" | "examples"
                    )
                })
                .map(|(key, value)| {
                    let value = match (key.as_str(), value) {
                        ("properties", Value::Object(props)) => Value::Object(
                            props
                                .iter()
                                .map(|(name, s)| (name.clone(), without_prose(s)))
                                .collect::<Map<_, _>>(),
                        ),
                        _ => without_prose(value),
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_prose).collect()),
        other => other.clone(),
    }
}

pub(super) fn open_additional_properties(doc: &mut Value) -> Vec<String> {
    let mut places = Vec::new();
    walk(doc, &mut |path, map| {
        if map.get("additionalProperties") == Some(&Value::Bool(false)) {
            map.remove("additionalProperties");
            places.push(format!("{}/additionalProperties", pointer(path)));
        }
    });
    places
}

pub(super) fn relax_late_required(doc: &mut Value) -> Vec<String> {
    let mut places = Vec::new();
    let Some(schemas) = schemas_mut(doc) else {
        return places;
    };
    for (schema_name, field) in LATE_REQUIRED {
        let Some(required) = schemas
            .get_mut(*schema_name)
            .and_then(|s| s.get_mut("required"))
            .and_then(Value::as_array_mut)
        else {
            continue;
        };
        let before = required.len();
        required.retain(|name| name.as_str() != Some(field));
        if required.len() != before {
            places.push(format!(
                "/components/schemas/{schema_name}/required/{field}"
            ));
        }
    }
    places
}

#[cfg(test)]
mod tests {
    //! The defects of this family on small fragments, and what the
    //! corrections make of them.

    use super::{diverging_shared_shapes, name_shared_inline_objects};
    use crate::corrections::apply;
    use crate::corrections::test_support::{doc, outcome};
    use serde_json::{json, Value};

    #[test]
    fn inline_status_object_no_longer_collides_with_the_status_enum() {
        // Defect 1: the generator would name Cluster.status `ClusterStatus`.
        let mut d = doc(json!({
            "ClusterStatus": { "type": "string", "enum": ["Healthy", "Creating"] },
            "Cluster": { "type": "object", "properties": {
                "status": { "type": "object", "properties": { "ready": { "$ref": "#/components/schemas/ClusterStatus" } } }
            } }
        }));
        let outcomes = apply(&mut d);
        assert_eq!(
            outcome(&outcomes, "hoist-colliding-inline-objects")
                .places
                .len(),
            1
        );
        assert_eq!(
            d.pointer("/components/schemas/Cluster/properties/status/$ref"),
            Some(&json!("#/components/schemas/ClusterStatusSummary"))
        );
        assert!(d
            .pointer("/components/schemas/ClusterStatusSummary/properties/ready")
            .is_some());
        assert_eq!(
            d.pointer("/components/schemas/ClusterStatus/enum/0"),
            Some(&json!("Healthy"))
        );
    }

    #[test]
    fn closed_objects_are_opened_everywhere() {
        // Defect 2: additionalProperties: false would reject any new server field.
        let mut d = doc(json!({
            "Member": { "type": "object", "additionalProperties": false, "properties": {
                "links": { "type": "object", "additionalProperties": false, "properties": {} }
            } },
            "Labels": { "type": "object", "additionalProperties": { "type": "string" } }
        }));
        let outcomes = apply(&mut d);
        assert_eq!(
            outcome(&outcomes, "open-additional-properties")
                .places
                .len(),
            2
        );
        assert!(!d.to_string().contains("\"additionalProperties\":false"));
        // A map schema keeps its value type.
        assert_eq!(
            d.pointer("/components/schemas/Labels/additionalProperties/type"),
            Some(&json!("string"))
        );
    }

    #[test]
    fn late_required_fields_become_optional() {
        // Defect 3: the server omits fields the document calls required.
        let mut d = doc(json!({
            "Cluster": { "type": "object", "required": ["uuid", "encryption"], "properties": {
                "uuid": { "type": "string" }, "encryption": { "type": "object" } } },
            "CreatedClusterClient": { "type": "object", "required": ["clientId", "audience"], "properties": {
                "clientId": { "type": "string" }, "audience": { "type": "string" } } }
        }));
        let outcomes = apply(&mut d);
        assert_eq!(outcome(&outcomes, "relax-late-required").places.len(), 2);
        assert_eq!(
            d.pointer("/components/schemas/Cluster/required"),
            Some(&json!(["uuid"]))
        );
        assert_eq!(
            d.pointer("/components/schemas/CreatedClusterClient/required"),
            Some(&json!(["clientId"]))
        );
    }

    #[test]
    fn repeated_allowlist_entries_become_one_named_type() {
        let entry = json!({ "type": "object", "required": ["description", "ip"], "properties": {
            "description": { "type": "string" }, "ip": { "type": "string" } } });
        let mut d = doc(json!({
            "Cluster": { "type": "object", "properties": { "ipallowlist": { "type": "array", "items": entry.clone() } } },
            "IpAllowListBody": { "type": "object", "properties": { "ipallowlist": { "type": "array", "items": entry } } }
        }));
        let outcomes = apply(&mut d);
        assert_eq!(
            outcome(&outcomes, "name-shared-inline-objects")
                .places
                .len(),
            2
        );
        for holder in ["Cluster", "IpAllowListBody"] {
            assert_eq!(
                d.pointer(&format!(
                    "/components/schemas/{holder}/properties/ipallowlist/items/$ref"
                )),
                Some(&json!("#/components/schemas/IpAllowlistEntry"))
            );
        }
        assert!(d
            .pointer("/components/schemas/IpAllowlistEntry/properties/description")
            .is_some());
    }

    #[test]
    fn all_of_with_an_inline_object_joins_a_schema_used_once() {
        let mut d = json!({
            "paths": { "/clusters": { "post": { "operationId": "CreateCluster",
                "requestBody": { "content": { "application/json": { "schema": { "allOf": [
                    { "$ref": "#/components/schemas/CreateClusterBody" },
                    { "type": "object", "properties": { "extra": { "type": "boolean" } } } ] } } } },
                "responses": {} } } },
            "components": { "schemas": { "CreateClusterBody": { "type": "object", "required": ["name"],
                "properties": { "name": { "type": "string" } } } } }
        });
        let outcomes = apply(&mut d);
        assert_eq!(outcome(&outcomes, "flatten-all-of").places.len(), 1);
        assert_eq!(
            d.pointer("/paths/~1clusters/post/requestBody/content/application~1json/schema"),
            Some(&json!({ "$ref": "#/components/schemas/CreateClusterBody" }))
        );
        assert!(d
            .pointer("/components/schemas/CreateClusterBody/properties/extra")
            .is_some());
        assert_eq!(
            d.pointer("/components/schemas/CreateClusterBody/required"),
            Some(&json!(["name"]))
        );
    }

    #[test]
    fn keywords_beside_all_of_survive_flattening() {
        let mut d = doc(json!({
            "Base": { "type": "object", "properties": { "a": { "type": "string" } } },
            "Other": { "type": "object", "properties": { "base": { "$ref": "#/components/schemas/Base" } } },
            "Holder": { "type": "object", "properties": { "thing": {
                "nullable": true,
                "allOf": [ { "$ref": "#/components/schemas/Base" }, { "type": "object", "properties": { "b": { "type": "string" } } } ] } } }
        }));
        apply(&mut d);
        let thing = d
            .pointer("/components/schemas/Holder/properties/thing")
            .expect("thing");
        assert_eq!(thing.get("nullable"), Some(&json!(true)));
        assert!(
            thing.pointer("/properties/a").is_some() && thing.pointer("/properties/b").is_some()
        );
    }

    #[test]
    fn shared_shapes_merge_into_their_union() {
        // Upstream added `label` to one of the two allowlist item shapes
        // only, and requires `description` in one of them only.
        let entry = |extra: Value, required: Value| {
            let mut shape = json!({ "type": "object", "required": required, "properties": {
                "description": { "type": "string" }, "ip": { "type": "string" } } });
            if let Value::Object(extra) = extra {
                shape["properties"].as_object_mut().unwrap().extend(extra);
            }
            shape
        };
        let mut d = doc(json!({
            "Cluster": { "type": "object", "properties": { "ipallowlist": { "type": "array",
                "items": entry(json!({}), json!(["description", "ip"])) } } },
            "IpAllowListBody": { "type": "object", "properties": { "ipallowlist": { "type": "array",
                "items": entry(json!({ "label": { "type": "string" } }), json!(["ip"])) } } }
        }));
        let divergences = diverging_shared_shapes(&d);
        name_shared_inline_objects(&mut d);
        let merged = d
            .pointer("/components/schemas/IpAllowlistEntry")
            .expect("named");
        assert!(
            merged.pointer("/properties/label").is_some(),
            "the field only one shape has is kept"
        );
        assert_eq!(
            merged["required"],
            json!(["ip"]),
            "required only where every shape requires it"
        );

        assert_eq!(divergences.len(), 1);
        assert_eq!(divergences[0].name, "IpAllowlistEntry");
        assert_eq!(
            divergences[0].differences,
            vec![
                "field description is required only at /components/schemas/Cluster/properties/ipallowlist/items".to_owned(),
                "field label only at /components/schemas/IpAllowListBody/properties/ipallowlist/items".to_owned(),
            ]
        );
    }

    #[test]
    fn equal_shared_shapes_do_not_diverge_whatever_their_prose() {
        let entry = |text: &str| {
            json!({ "type": "object", "description": text, "properties": {
            "ip": { "type": "string", "description": text } } })
        };
        let d = doc(json!({
            "Cluster": { "type": "object", "properties": { "ipallowlist": { "type": "array", "items": entry("one") } } },
            "IpAllowListBody": { "type": "object", "properties": { "ipallowlist": { "type": "array", "items": entry("two") } } }
        }));
        assert_eq!(diverging_shared_shapes(&d), vec![]);
    }
}
