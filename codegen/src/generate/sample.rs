//! A sample request body for each operation, made from its schema: every
//! required property with a value of its type (the first value of an enum,
//! a UUID for `format: uuid`, one item in each array). The library's tests
//! of every operation send it, so a new operation is tested by itself.
//!
//! Only types, enums, formats and `minimum` are read: a schema that also
//! constrains length or pattern may refuse the sample, and the table test
//! then fails with "the sample body does not decode", naming the operation,
//! which is the cue to teach this module that constraint.

use serde_json::{json, Map, Value};

use super::refs::resolve;

/// How deep a sample follows nested schemas; a schema that refers to
/// itself ends there with an empty value.
const MAX_DEPTH: usize = 8;

/// A value of `schema` (of the corrected document `doc`) with every
/// required property; `null` where nesting goes deeper than eight levels.
pub fn sample(doc: &Value, schema: &Value) -> Value {
    at_depth(doc, schema, 0)
}

fn at_depth(doc: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve(doc, schema);
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|v| v.first())
    {
        return first.clone();
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for part in parts {
            if let Value::Object(fields) = at_depth(doc, part, depth + 1) {
                merged.extend(fields);
            }
        }
        return Value::Object(merged);
    }
    for choice in ["oneOf", "anyOf"] {
        if let Some(first) = schema
            .get(choice)
            .and_then(Value::as_array)
            .and_then(|v| v.first())
        {
            return at_depth(doc, first, depth + 1);
        }
    }
    let kind = schema.get("type").and_then(Value::as_str);
    match kind {
        Some("array") => match schema.get("items") {
            Some(items) => json!([at_depth(doc, items, depth + 1)]),
            None => json!([]),
        },
        Some("string") => string(schema),
        Some("integer") => json!(schema.get("minimum").and_then(Value::as_i64).unwrap_or(1)),
        Some("number") => json!(schema.get("minimum").and_then(Value::as_f64).unwrap_or(1.0)),
        Some("boolean") => json!(true),
        Some("object") | None => object(doc, schema, depth),
        Some(_) => Value::Null,
    }
}

fn object(doc: &Value, schema: &Value, depth: usize) -> Value {
    let properties = schema.get("properties").and_then(Value::as_object);
    let required = schema.get("required").and_then(Value::as_array);
    let fields = required
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(|name| {
            let property = properties?.get(name)?;
            Some((name.to_owned(), at_depth(doc, property, depth + 1)))
        });
    Value::Object(fields.collect())
}

fn string(schema: &Value) -> Value {
    let value = match schema.get("format").and_then(Value::as_str) {
        Some("uuid") => "3f6d8a2e-7b1c-4e9a-9d3f-2a5b6c7d8e9f",
        Some("date-time") => "2026-01-02T03:04:05Z",
        Some("date") => "2026-01-02",
        Some("ipv4") => "192.0.2.1",
        _ => "sample",
    };
    json!(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_properties_get_values_of_their_type_and_optional_ones_none() {
        let doc = json!({
            "components": { "schemas": {
                "Entry": {
                    "type": "object",
                    "required": ["ip", "kind"],
                    "properties": {
                        "ip": { "type": "string" },
                        "kind": { "$ref": "#/components/schemas/Kind" },
                        "note": { "type": "string" }
                    }
                },
                "Kind": { "type": "string", "enum": ["Single", "Range"] },
                "Body": {
                    "type": "object",
                    "required": ["id", "entries", "count", "on", "at"],
                    "properties": {
                        "id": { "type": "string", "format": "uuid" },
                        "entries": { "type": "array", "items": { "$ref": "#/components/schemas/Entry" } },
                        "count": { "type": "integer", "minimum": 3 },
                        "on": { "type": "boolean" },
                        "at": { "allOf": [{ "type": "object", "required": ["a"], "properties": { "a": { "type": "number" } } }] },
                        "optional": { "type": "string" }
                    }
                }
            }}
        });
        let body = sample(&doc, &json!({ "$ref": "#/components/schemas/Body" }));
        assert_eq!(
            body,
            json!({
                "id": "3f6d8a2e-7b1c-4e9a-9d3f-2a5b6c7d8e9f",
                "entries": [{ "ip": "sample", "kind": "Single" }],
                "count": 3,
                "on": true,
                "at": { "a": 1.0 }
            })
        );
    }

    #[test]
    fn a_schema_that_refers_to_itself_ends() {
        let doc = json!({ "components": { "schemas": { "Node": {
            "type": "object",
            "required": ["next"],
            "properties": { "next": { "$ref": "#/components/schemas/Node" } }
        }}}});
        let mut node = sample(&doc, &json!({ "$ref": "#/components/schemas/Node" }));
        let mut depth = 0;
        while let Some(next) = node.get("next") {
            node = next.clone();
            depth += 1;
        }
        assert_eq!((depth, node), (MAX_DEPTH + 1, Value::Null));
    }
}
