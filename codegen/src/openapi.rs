//! Reading an OpenAPI document as JSON: JSON pointers, `$ref`s, walks and
//! `allOf` joined into one object.
//!
//! The corrections, the generator and xtask all read documents through
//! these helpers, so a `$ref` or a pointer means the same thing to each.

use serde_json::{Map, Value};

/// Where component schemas live, as the start of a local `$ref`.
pub const SCHEMA_REF_PREFIX: &str = "#/components/schemas/";

/// How many `$ref`s in a row [`resolve`] follows: enough for a reference to
/// a reference, and a bound for a cycle.
pub const MAX_REF_HOPS: usize = 8;

/// One segment of a JSON pointer (RFC 6901): `~` as `~0`, `/` as `~1`.
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The text of an escaped JSON pointer segment (the inverse of [`escape`]).
pub fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// The JSON pointer of a path of keys: `["paths", "/a"]` is `/paths/~1a`.
pub fn pointer(path: &[String]) -> String {
    path.iter().map(|key| format!("/{}", escape(key))).collect()
}

/// The pointer of `key` under `pointer`.
pub fn child(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", escape(key))
}

/// The `$ref` of a node, as written (`#/components/schemas/X`).
pub fn ref_target(node: &Value) -> Option<&str> {
    node.get("$ref").and_then(Value::as_str)
}

/// The component schema a `$ref` string names (`X` of
/// `#/components/schemas/X`); `None` for any other reference.
pub fn schema_name(reference: &str) -> Option<&str> {
    reference.strip_prefix(SCHEMA_REF_PREFIX)
}

/// The component schema a node's `$ref` names, if it names one.
pub fn referenced_schema(node: &Value) -> Option<&str> {
    ref_target(node).and_then(schema_name)
}

/// The `$ref` string of component schema `name`.
pub fn schema_ref(name: &str) -> String {
    format!("{SCHEMA_REF_PREFIX}{name}")
}

/// The component schemas of a document, by name.
pub fn schemas(doc: &Value) -> Option<&Map<String, Value>> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
}

/// The component schemas of a document, to change them.
pub fn schemas_mut(doc: &mut Value) -> Option<&mut Map<String, Value>> {
    doc.pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
}

/// `node`, or what its local `$ref`s lead to in `doc` (up to
/// [`MAX_REF_HOPS`]); where a reference leads nowhere, the last node found.
pub fn resolve<'a>(doc: &'a Value, node: &'a Value) -> &'a Value {
    resolve_at(doc, node, "").0
}

/// [`resolve`], with the JSON pointer of what it found: `pointer` (the
/// node's own) when it is no reference, else the reference's target.
pub fn resolve_at<'a>(doc: &'a Value, node: &'a Value, pointer: &str) -> (&'a Value, String) {
    let mut value = node;
    let mut pointer = pointer.to_owned();
    for _ in 0..MAX_REF_HOPS {
        let Some(target) = ref_target(value).and_then(|r| r.strip_prefix('#')) else {
            break;
        };
        match doc.pointer(target) {
            Some(found) => {
                value = found;
                pointer = target.to_owned();
            }
            None => break,
        }
    }
    (value, pointer)
}

/// A visitor of JSON objects: the object's path (keys and array indexes)
/// and the object.
pub type Visit<'a> = dyn FnMut(&[String], &mut Map<String, Value>) + 'a;

/// Visit every JSON object under `value`, depth first, parents before their
/// children, with its path below `path`.
pub fn walk_mut(value: &mut Value, path: &mut Vec<String>, visit: &mut Visit<'_>) {
    match value {
        Value::Object(map) => {
            visit(path, map);
            for (key, child) in map.iter_mut() {
                path.push(key.clone());
                walk_mut(child, path, visit);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter_mut().enumerate() {
                path.push(index.to_string());
                walk_mut(child, path, visit);
                path.pop();
            }
        }
        _ => {}
    }
}

/// [`walk_mut`] from the root.
pub fn walk(value: &mut Value, visit: &mut Visit<'_>) {
    walk_mut(value, &mut Vec::new(), visit);
}

/// Whether a schema describes an object: it has `properties` or says
/// `type: object`.
pub fn is_object_schema(schema: &Value) -> bool {
    schema.get("properties").is_some()
        || schema.get("type").and_then(Value::as_str) == Some("object")
}

/// Objects joined into one: `properties` (the first to name one wins) and
/// `required` names of all, and every other keyword where `holder` or an
/// earlier part has none. `holder`'s own keywords come first.
pub fn join_objects<'a>(
    mut holder: Map<String, Value>,
    parts: impl IntoIterator<Item = &'a Value>,
) -> Map<String, Value> {
    let mut properties = match holder.remove("properties") {
        Some(Value::Object(properties)) => properties,
        _ => Map::new(),
    };
    let mut required = match holder.remove("required") {
        Some(Value::Array(names)) => names,
        _ => Vec::new(),
    };
    for part in parts {
        let Some(part) = part.as_object() else {
            continue;
        };
        for (key, value) in part {
            match key.as_str() {
                "properties" => {
                    for (name, schema) in value.as_object().into_iter().flatten() {
                        properties
                            .entry(name.clone())
                            .or_insert_with(|| schema.clone());
                    }
                }
                "required" => {
                    for name in value.as_array().into_iter().flatten() {
                        if !required.contains(name) {
                            required.push(name.clone());
                        }
                    }
                }
                _ => {
                    holder.entry(key.clone()).or_insert_with(|| value.clone());
                }
            }
        }
    }
    holder.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        holder.insert("required".into(), Value::Array(required));
    }
    holder
}

/// An `allOf` of objects as the one object it stands for: its members
/// resolved in `doc` and joined by [`join_objects`] under the keywords
/// beside the `allOf`. `None` when `schema` has no `allOf` or a member is
/// not an object.
pub fn flatten_all_of(doc: &Value, schema: &Value) -> Option<Value> {
    let members = schema.get("allOf")?.as_array()?;
    let resolved: Vec<&Value> = members.iter().map(|m| resolve(doc, m)).collect();
    if !resolved.iter().all(|m| is_object_schema(m)) {
        return None;
    }
    let mut holder = schema.as_object()?.clone();
    holder.remove("allOf");
    Some(Value::Object(join_objects(holder, resolved)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pointers_escape_and_unescape_their_segments() {
        assert_eq!(escape("/a~b"), "~1a~0b");
        assert_eq!(unescape("~1a~0b"), "/a~b");
        // `~01` is an escaped `~` followed by `1`, not a `/`.
        assert_eq!(unescape(&escape("~1")), "~1");
        assert_eq!(pointer(&["paths".into(), "/a".into()]), "/paths/~1a");
        assert_eq!(child("/paths", "/a/{b}"), "/paths/~1a~1{b}");
    }

    #[test]
    fn references_are_followed_a_bounded_number_of_hops() {
        let doc = json!({ "components": { "schemas": {
            "A": { "$ref": "#/components/schemas/B" },
            "B": { "type": "string" },
            "Loop": { "$ref": "#/components/schemas/Loop" } } } });
        let node = json!({ "$ref": "#/components/schemas/A" });
        let (found, at) = resolve_at(&doc, &node, "/x");
        assert_eq!(found, &json!({ "type": "string" }));
        assert_eq!(at, "/components/schemas/B");
        let dangling = json!({ "$ref": "#/components/schemas/Gone" });
        assert_eq!(resolve(&doc, &dangling), &dangling);
        let looping = json!({ "$ref": "#/components/schemas/Loop" });
        assert!(ref_target(resolve(&doc, &looping)).is_some());
        assert_eq!(referenced_schema(&node), Some("A"));
        assert_eq!(
            referenced_schema(&json!({ "$ref": "#/components/responses/R" })),
            None
        );
    }

    #[test]
    fn all_of_objects_join_into_one_the_holder_first() {
        let doc = json!({ "components": { "schemas": {
            "Base": { "type": "object", "required": ["id"], "description": "base",
                      "properties": { "id": { "type": "string" }, "n": { "type": "integer" } } } } } });
        let schema = json!({ "nullable": true, "description": "holder", "allOf": [
            { "$ref": "#/components/schemas/Base" },
            { "properties": { "n": { "type": "string" }, "extra": { "type": "boolean" } },
              "required": ["extra", "id"] } ] });
        let flat = flatten_all_of(&doc, &schema).unwrap();
        assert_eq!(
            flat,
            json!({ "nullable": true, "description": "holder", "type": "object",
                    "required": ["id", "extra"],
                    "properties": { "id": { "type": "string" }, "n": { "type": "integer" },
                                    "extra": { "type": "boolean" } } })
        );
        let not_objects = json!({ "allOf": [{ "type": "string" }] });
        assert_eq!(flatten_all_of(&doc, &not_objects), None);
        assert_eq!(flatten_all_of(&doc, &json!({ "type": "object" })), None);
    }

    #[test]
    fn the_walk_visits_every_object_with_its_path() {
        let mut doc = json!({ "a": { "b": [{ "c": 1 }] } });
        let mut seen = Vec::new();
        walk(&mut doc, &mut |path, _| seen.push(pointer(path)));
        assert_eq!(seen, ["", "/a", "/a/b/0"]);
    }
}
