//! What the generator needs to know of each operation, read once from the
//! corrected document: names, method, path and its parameters, query
//! parameters, the request body, the scope and the prose.

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::Value;

use super::{facts::Facts, refs::resolve, GenerateError};
use crate::corrections;

/// One operation of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// The document's operationId, such as `GetCluster`.
    pub id: String,
    /// The method of `Client`, such as `get_cluster` (progenitor's name too).
    pub rust_name: String,
    /// The request type's name, such as `GetCluster` (progenitor's builder too).
    pub type_name: String,
    /// Upper case, such as `GET`.
    pub http_method: String,
    /// The path template, such as `/clusters/{clusterUuid}`.
    pub path: String,
    /// Path parameters in template order.
    pub path_params: Vec<Param>,
    /// Query parameters in document order.
    pub query_params: Vec<Param>,
    /// The request body's media type and schema name, if it has one.
    pub body: Option<Body>,
    /// One line: what the operation does.
    pub summary: Option<String>,
    /// More prose, if the document has it.
    pub description: Option<String>,
    /// The credential scope: a scope name, `any` or `none`.
    pub scope: String,
    /// Whether a bearer token is sent.
    pub authenticated: bool,
    /// Whether the request or the success answer holds a secret (also
    /// assumed for an operation the project does not know).
    pub carries_secrets: bool,
    /// Marked `deprecated` in the document.
    pub deprecated: bool,
    /// The media type of its documented error answers, as published
    /// (before the corrections make them uniform): `text/plain` where
    /// every error answer is text, else `application/json`.
    pub error_media_type: String,
    /// What the project knows beyond the document (`x-camunda-*`).
    pub facts: Facts,
}

/// A path or query parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// As the document spells it, such as `clusterUuid`.
    pub name: String,
    /// The Rust identifier, such as `cluster_uuid` (progenitor's setter too).
    pub rust_name: String,
    /// Whether the caller must give it.
    pub required: bool,
    /// The document's description.
    pub description: Option<String>,
    /// The JSON type of its schema, or empty.
    pub json_type: String,
    /// The values it may take, when its schema is a string enum.
    pub enum_values: Vec<String>,
    /// The kind of name it takes instead of an id (`x-camunda-names`).
    pub name_of: Option<String>,
}

/// A request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// The media type, such as `application/json`.
    pub media_type: String,
    /// The component schema behind it, when it is a `$ref`.
    pub schema: Option<String>,
    /// The top-level properties: name, JSON type, required, secret, description.
    pub fields: Vec<BodyField>,
    /// A body the schema accepts, with every required property
    /// ([`super::sample`]); the library's tests of every operation send it.
    pub sample: Value,
    /// The published document closes it (`additionalProperties: false`,
    /// which the corrections remove for the generated types).
    pub closed: bool,
}

/// A top-level property of a request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyField {
    /// As the document spells it, such as `planTypeId`.
    pub name: String,
    /// The JSON type (`string`, `boolean`, `number`, `integer`, `array`,
    /// `object`), or empty when the schema names none.
    pub json_type: String,
    /// Whether the body must have it.
    pub required: bool,
    /// Marked `format: password`: its value must never come from a command line.
    pub secret: bool,
    /// The document's description.
    pub description: Option<String>,
    /// The values it may take (of its items, for an array), when its
    /// schema is a string enum.
    pub enum_values: Vec<String>,
    /// The kind of name it takes instead of an id (`x-camunda-names`).
    pub name_of: Option<String>,
    /// Limits and default the document states in prose (`x-camunda-fields`).
    pub facts: super::facts::FieldFacts,
}

/// The operations of a corrected document, in document order (paths
/// sorted, as the JSON object holds them).
pub fn operations(doc: &Value) -> Result<Vec<Operation>, GenerateError> {
    let anonymous = corrections::unauthenticated_operations(doc);
    let secret_carrying = corrections::secret_carrying_operations(doc);
    let enums = corrections::string_enums(doc);
    corrections::operations(doc)
        .into_iter()
        .map(|(path, method, op)| {
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    GenerateError::new(format!(
                        "{} {path} has no operationId",
                        method.to_uppercase()
                    ))
                })?
                .to_owned();
            let authenticated = !anonymous.contains(&id);
            let facts = Facts::read(&id, &op)?;
            let names = Names {
                doc,
                enums: &enums,
                facts: &facts,
            };
            let body = body(&names, &op);
            let fields: Vec<&str> = body
                .iter()
                .flat_map(|b| b.fields.iter().map(|f| f.name.as_str()))
                .collect();
            if let Some(stray) = facts.fields.keys().find(|f| !fields.contains(&f.as_str())) {
                return Err(GenerateError::new(format!(
                    "{id}: x-camunda-fields names {stray}, which is no field of its body"
                )));
            }
            Ok(Operation {
                rust_name: id.to_snake_case(),
                type_name: id.to_upper_camel_case(),
                http_method: method.to_uppercase(),
                path_params: params(&names, &op, "path"),
                query_params: params(&names, &op, "query"),
                body,
                summary: text(&op, "summary"),
                description: text(&op, "description"),
                scope: scope(&op, &path, authenticated),
                carries_secrets: secret_carrying.contains(&id) || !facts.known,
                deprecated: op.get("deprecated").and_then(Value::as_bool) == Some(true),
                error_media_type: JSON.to_owned(),
                facts,
                authenticated,
                path,
                id,
            })
        })
        .collect()
}

const JSON: &str = "application/json";

/// The operations whose request body the document closes
/// (`additionalProperties: false`), read before the corrections. An
/// `allOf` with a closed member counts as closed: taken literally it would
/// refuse the other members' fields too (a defect of the document), so the
/// body is read as closed over the fields of all its members.
pub fn closed_bodies(doc: &Value) -> std::collections::BTreeSet<String> {
    let closes = |schema: &Value| schema.get("additionalProperties") == Some(&Value::Bool(false));
    corrections::operations(doc)
        .into_iter()
        .filter_map(|(_, _, op)| {
            let id = op.get("operationId")?.as_str()?.to_owned();
            let body = resolve(doc, op.get("requestBody")?);
            let (_, content) = body.get("content")?.as_object()?.iter().next()?;
            let schema = resolve(doc, content.get("schema")?);
            let members = schema.get("allOf").and_then(Value::as_array);
            let closed = closes(schema)
                || members
                    .into_iter()
                    .flatten()
                    .any(|member| closes(resolve(doc, member)));
            closed.then_some(id)
        })
        .collect()
}

/// Each operation's error media type (see [`Operation::error_media_type`]),
/// read from a document before its corrections.
pub fn error_media_types(doc: &Value) -> std::collections::BTreeMap<String, String> {
    corrections::operations(doc)
        .into_iter()
        .filter_map(|(_, _, op)| {
            let id = op.get("operationId")?.as_str()?.to_owned();
            let responses = op.get("responses")?.as_object()?;
            let mut errors = responses
                .iter()
                .filter(|(status, _)| status.starts_with('4') || status.starts_with('5'))
                .filter_map(|(_, r)| r.get("content")?.as_object())
                .peekable();
            errors.peek()?;
            let all_text = errors.all(|content| content.keys().all(|m| m.starts_with("text/")));
            all_text.then(|| (id, "text/plain".to_owned()))
        })
        .collect()
}

fn text(node: &Value, key: &str) -> Option<String> {
    node.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// The project's `x-camunda-scope`; for a document without it (the published
/// one), the rule the project's data follows: the area named by the path.
fn scope(op: &Value, path: &str, authenticated: bool) -> String {
    if let Some(scope) = text(op, "x-camunda-scope") {
        return scope;
    }
    if !authenticated {
        return "none".to_owned();
    }
    let area = |segment: &str| path.split('/').any(|part| part == segment);
    let scope = if area("activity") {
        "any"
    } else if area("backups") {
        "Backups"
    } else if area("clients") {
        "Zeebe Client"
    } else if area("ipallowlist") || area("ipwhitelist") {
        "IP allowlist"
    } else if area("secrets") {
        "Connector Secrets"
    } else if area("members") {
        "Members"
    } else {
        "Cluster"
    };
    scope.to_owned()
}

/// What reading a parameter or field needs besides its node.
struct Names<'a> {
    doc: &'a Value,
    enums: &'a std::collections::BTreeMap<String, Vec<String>>,
    facts: &'a Facts,
}

impl Names<'_> {
    fn name_of(&self, name: &str) -> Option<String> {
        self.facts.names.get(name).cloned()
    }

    /// The string values a schema allows: its own `enum`, the named enum
    /// it refers to, or those of its items.
    fn enum_values(&self, schema: &Value) -> Vec<String> {
        if let Some(name) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.rsplit('/').next())
        {
            if let Some(values) = self.enums.get(name) {
                return values.clone();
            }
        }
        let schema = resolve(self.doc, schema);
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return values
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
        }
        match schema.get("items") {
            Some(items) if text(schema, "type").as_deref() == Some("array") => {
                self.enum_values(items)
            }
            _ => Vec::new(),
        }
    }
}

fn params(names: &Names<'_>, op: &Value, location: &str) -> Vec<Param> {
    let all = op.get("parameters").and_then(Value::as_array);
    all.into_iter()
        .flatten()
        .map(|p| resolve(names.doc, p))
        .filter(|p| p.get("in").and_then(Value::as_str) == Some(location))
        .filter_map(|p| {
            let name = p.get("name")?.as_str()?.to_owned();
            let schema = p.get("schema");
            Some(Param {
                rust_name: name.to_snake_case(),
                required: location == "path"
                    || p.get("required").and_then(Value::as_bool) == Some(true),
                description: text(p, "description"),
                json_type: schema
                    .and_then(|s| text(resolve(names.doc, s), "type"))
                    .unwrap_or_default(),
                enum_values: schema.map(|s| names.enum_values(s)).unwrap_or_default(),
                name_of: names.name_of(&name),
                name,
            })
        })
        .collect()
}

fn body(names: &Names<'_>, op: &Value) -> Option<Body> {
    let doc = names.doc;
    let body = resolve(doc, op.get("requestBody")?);
    let (media_type, content) = body.get("content")?.as_object()?.iter().next()?;
    let schema = content.get("schema");
    let schema_name = schema
        .and_then(|s| s.get("$ref"))
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
        .map(str::to_owned);
    let fields = schema
        .map(|s| body_fields(names, resolve(doc, s)))
        .unwrap_or_default();
    Some(Body {
        closed: false,
        media_type: media_type.clone(),
        schema: schema_name,
        fields,
        sample: schema
            .map(|s| super::sample::sample(doc, s))
            .unwrap_or_default(),
    })
}

fn body_fields(names: &Names<'_>, schema: &Value) -> Vec<BodyField> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    properties
        .iter()
        .map(|(name, node)| {
            let property = resolve(names.doc, node);
            BodyField {
                json_type: text(property, "type").unwrap_or_default(),
                required: required.contains(&name.as_str()),
                secret: property.get("format").and_then(Value::as_str) == Some("password"),
                description: text(property, "description"),
                enum_values: names.enum_values(node),
                name_of: names.name_of(name),
                facts: names.facts.fields.get(name).cloned().unwrap_or_default(),
                name: name.clone(),
            }
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    /// A bare operation for other modules' tests.
    pub(crate) fn operation(id: &str) -> Operation {
        Operation {
            id: id.to_owned(),
            rust_name: heck::ToSnakeCase::to_snake_case(id),
            type_name: id.to_owned(),
            http_method: "GET".to_owned(),
            path: "/x".to_owned(),
            path_params: vec![],
            query_params: vec![],
            body: None,
            summary: Some("List things".to_owned()),
            description: None,
            scope: "Cluster".to_owned(),
            authenticated: true,
            carries_secrets: false,
            deprecated: false,
            error_media_type: JSON.to_owned(),
            facts: Facts::default(),
        }
    }

    fn doc() -> Value {
        json!({
            "openapi": "3.0.0",
            "paths": {
                "/clusters/{clusterUuid}/secrets": {
                    "post": {
                        "operationId": "CreateSecret",
                        "summary": " Add a secret ",
                        "parameters": [
                            { "name": "clusterUuid", "in": "path", "required": true },
                            { "name": "dryRun", "in": "query" }
                        ],
                        "requestBody": { "content": { "application/json": {
                            "schema": { "$ref": "#/components/schemas/CreateSecretBody" } } } },
                        "responses": { "204": { "description": "done" } }
                    }
                },
                "/meta/ip-ranges": {
                    "get": { "operationId": "GetMeta", "security": [], "responses": {} }
                }
            },
            "components": { "schemas": { "CreateSecretBody": {
                "type": "object",
                "required": ["secretName"],
                "properties": {
                    "secretName": { "type": "string", "description": "the name" },
                    "secretValue": { "type": "string", "format": "password" }
                }
            } } }
        })
    }

    #[test]
    fn operations_carry_names_parameters_body_and_scope() {
        let ops = operations(&doc()).expect("operations");
        let create = ops.iter().find(|o| o.id == "CreateSecret").expect("op");
        assert_eq!(create.rust_name, "create_secret");
        assert_eq!(create.type_name, "CreateSecret");
        assert_eq!(create.http_method, "POST");
        assert_eq!(create.summary.as_deref(), Some("Add a secret"));
        assert_eq!(create.path_params[0].rust_name, "cluster_uuid");
        assert!(!create.query_params[0].required);
        assert_eq!(create.query_params[0].rust_name, "dry_run");
        let body = create.body.as_ref().expect("body");
        assert_eq!(body.schema.as_deref(), Some("CreateSecretBody"));
        let value = body
            .fields
            .iter()
            .find(|f| f.name == "secretValue")
            .expect("field");
        assert!(value.secret && !value.required);
        assert_eq!(create.scope, "Connector Secrets", "derived from the path");
        assert!(create.authenticated && create.carries_secrets);
        let meta = ops.iter().find(|o| o.id == "GetMeta").expect("meta");
        assert_eq!((meta.scope.as_str(), meta.authenticated), ("none", false));
    }

    #[test]
    fn the_projects_scope_beats_the_path_rule() {
        let mut d = doc();
        d["paths"]["/clusters/{clusterUuid}/secrets"]["post"]["x-camunda-scope"] = json!("Cluster");
        let ops = operations(&d).expect("operations");
        assert_eq!(ops[0].scope, "Cluster");
    }

    #[test]
    fn operations_whose_every_error_is_text_are_told_apart() {
        let text = json!({ "content": { "text/plain": { "schema": { "type": "string" } } } });
        let json_error = json!({ "content": { "application/json": {} } });
        let d = json!({ "paths": {
            "/a": { "post": { "operationId": "Text", "responses": { "400": text, "404": text } } },
            "/b": { "post": { "operationId": "Mixed", "responses": { "400": text, "404": json_error } } },
            "/c": { "get": { "operationId": "Bare", "responses": { "200": {} } } }
        } });
        let media = error_media_types(&d);
        assert_eq!(media.get("Text").map(String::as_str), Some("text/plain"));
        assert_eq!(media.get("Mixed"), None);
        assert_eq!(media.get("Bare"), None);
    }

    #[test]
    fn closed_request_bodies_are_told_apart_from_open_ones() {
        let mut d = doc();
        assert!(
            closed_bodies(&d).is_empty(),
            "open unless the document closes it"
        );
        d["components"]["schemas"]["CreateSecretBody"]["additionalProperties"] = json!(false);
        let closed = closed_bodies(&d);
        assert_eq!(closed.into_iter().collect::<Vec<_>>(), ["CreateSecret"]);
        // A closed member closes an allOf (over all members' fields).
        let body = &mut d["paths"]["/clusters/{clusterUuid}/secrets"]["post"]["requestBody"];
        body["content"]["application/json"]["schema"] = json!({ "allOf": [
            { "$ref": "#/components/schemas/CreateSecretBody" },
            { "type": "object", "properties": { "extra": { "type": "string" } } }
        ] });
        assert_eq!(
            closed_bodies(&d).len(),
            1,
            "closed through its allOf member"
        );
        d["components"]["schemas"]["CreateSecretBody"]["additionalProperties"] = json!(true);
        assert!(closed_bodies(&d).is_empty());
    }

    #[test]
    fn prose_facts_reach_their_fields_and_a_stray_one_is_an_error() {
        let mut d = doc();
        let op = &mut d["paths"]["/clusters/{clusterUuid}/secrets"]["post"];
        op["x-camunda-fields"] = json!({ "secretName": { "maxChars": 49 } });
        let ops = operations(&d).expect("operations");
        let name = &ops[0].body.as_ref().expect("body").fields[0];
        assert_eq!(
            (name.name.as_str(), name.facts.max_chars),
            ("secretName", Some(49))
        );
        let op = &mut d["paths"]["/clusters/{clusterUuid}/secrets"]["post"];
        op["x-camunda-fields"] = json!({ "secretNam": { "maxChars": 49 } });
        let error = operations(&d).expect_err("a field the body lacks");
        assert!(error.to_string().contains("secretNam"), "{error}");
    }

    #[test]
    fn an_operation_without_an_id_is_an_error_that_names_it() {
        let d = json!({ "paths": { "/x": { "get": { "responses": {} } } } });
        let error = operations(&d).expect_err("no id");
        assert!(error.to_string().contains("GET /x"), "{error}");
    }
}
