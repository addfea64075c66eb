//! Security resolved per operation, the other facts (servers, other
//! components), and the short descriptions of types the reports show.

use super::*;

impl Differ<'_> {
    pub(super) fn security(&self) -> Vec<SecurityChange> {
        let before = operations(self.old);
        let after = operations(self.new);
        let mut groups: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for (key, old) in &before {
            let Some(new) = after.get(key) else { continue };
            let (was, is) = (
                resolved_security(self.old, old.op),
                resolved_security(self.new, new.op),
            );
            if was != is {
                let name = operation_id(new.op).unwrap_or_else(|| format!("{} {}", key.1, key.0));
                groups.entry((was, is)).or_default().push(name);
            }
        }
        groups
            .into_iter()
            .map(|((before, after), operations)| SecurityChange {
                before,
                after,
                operations,
            })
            .collect()
    }

    pub(super) fn other(&self) -> Vec<ValueChange> {
        let mut out = Vec::new();
        let servers = |doc: &Value| -> String {
            let urls: Vec<String> = doc
                .get("servers")
                .and_then(Value::as_array)
                .map(|list| {
                    list.iter()
                        .map(|s| crate::prose::strip_prose(s).to_string())
                        .collect()
                })
                .unwrap_or_default();
            if urls.is_empty() {
                "(none)".into()
            } else {
                urls.join(", ")
            }
        };
        let (before, after) = (servers(self.old), servers(self.new));
        if before != after {
            out.push(ValueChange {
                attribute: "servers".into(),
                before,
                after,
            });
        }
        for kind in [
            "securitySchemes",
            "parameters",
            "responses",
            "headers",
            "requestBodies",
        ] {
            let entries = |doc: &Value| -> BTreeMap<String, String> {
                doc.pointer(&format!("/components/{kind}"))
                    .and_then(Value::as_object)
                    .map(|m| {
                        m.iter()
                            .map(|(name, v)| {
                                (name.clone(), crate::prose::strip_prose(v).to_string())
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let (before, after) = (entries(self.old), entries(self.new));
            let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
            for name in names {
                let (old, new) = (before.get(name), after.get(name));
                if old != new {
                    out.push(ValueChange {
                        attribute: format!("components/{kind}/{name}"),
                        before: old.cloned().unwrap_or_else(|| "(none)".into()),
                        after: new.cloned().unwrap_or_else(|| "(none)".into()),
                    });
                }
            }
        }
        out
    }
}

/// The type of a schema itself (type, format, nullable), references not
/// followed: `string(date-time)`, `array`, `object`, `any`.
pub(super) fn local_type(schema: &Value) -> String {
    let base = match schema.get("type").and_then(Value::as_str) {
        Some(ty) => match schema.get("format").and_then(Value::as_str) {
            Some(format) => format!("{ty}({format})"),
            None => ty.to_owned(),
        },
        None => match schema.get("format").and_then(Value::as_str) {
            Some(format) => format!("({format})"),
            None => "any".to_owned(),
        },
    };
    if schema.get("nullable").and_then(Value::as_bool) == Some(true) {
        format!("{base} | null")
    } else {
        base
    }
}

/// A short description of a schema's type; references are named, not expanded.
pub fn describe(schema: &Value) -> String {
    let base = if let Some(reference) = ref_target(schema) {
        schema_name(reference).unwrap_or(reference).to_owned()
    } else if let Some((key, members)) = ["oneOf", "anyOf", "allOf"].iter().find_map(|key| {
        schema
            .get(*key)
            .and_then(Value::as_array)
            .map(|m| (*key, m))
    }) {
        let members: Vec<String> = members.iter().map(describe).collect();
        format!("{key}<{}>", members.join(" | "))
    } else {
        let ty = schema.get("type").and_then(Value::as_str);
        match ty {
            Some("array") => {
                let items = schema.get("items").map_or_else(|| "any".into(), describe);
                format!("array<{items}>")
            }
            Some("object") | None if schema.get("properties").is_some() => "object".into(),
            Some("object") | None => match schema.get("additionalProperties") {
                Some(values @ Value::Object(_)) => format!("map<{}>", describe(values)),
                _ if ty.is_some() => "object".into(),
                _ if schema.get("enum").is_some() => "enum".into(),
                _ => "any".into(),
            },
            Some(other) => match schema.get("format").and_then(Value::as_str) {
                Some(format) => format!("{other}({format})"),
                None => other.to_owned(),
            },
        }
    };
    if schema.get("nullable").and_then(Value::as_bool) == Some(true) {
        format!("{base} | null")
    } else {
        base
    }
}

/// An operation's security, resolved: its own `security`, else the
/// document's; alternatives sorted, each `scheme[scopes] + ...`.
pub fn resolved_security(doc: &Value, op: &Value) -> String {
    let requirements = op
        .get("security")
        .or_else(|| doc.get("security"))
        .and_then(Value::as_array);
    let Some(requirements) = requirements else {
        return "none".into();
    };
    if requirements.is_empty() {
        return "none".into();
    }
    let mut alternatives: Vec<String> = requirements
        .iter()
        .map(|req| {
            let mut names: Vec<String> = req
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(name, scopes)| {
                            let mut scopes: Vec<String> = scopes
                                .as_array()
                                .into_iter()
                                .flatten()
                                .filter_map(|s| s.as_str().map(str::to_owned))
                                .collect();
                            scopes.sort();
                            if scopes.is_empty() {
                                name.clone()
                            } else {
                                format!("{name}[{}]", scopes.join(", "))
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            names.sort();
            if names.is_empty() {
                "anonymous".to_owned()
            } else {
                names.join(" + ")
            }
        })
        .collect();
    alternatives.sort();
    alternatives.dedup();
    alternatives.join(" or ")
}
