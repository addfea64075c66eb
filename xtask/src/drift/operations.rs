//! Operations: keyed by method and path, compared keyword by keyword,
//! with their parameters, request body, responses, headers and media types.

use super::*;

/// Operations keyed by (path, upper-case method).
pub(super) fn operations(doc: &Value) -> BTreeMap<(String, String), Operation<'_>> {
    let mut out = BTreeMap::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            if camunda_admin_codegen::corrections::HTTP_METHODS.contains(&method.as_str())
                && op.is_object()
            {
                out.insert(
                    (path.clone(), method.to_uppercase()),
                    Operation {
                        op,
                        pointer: child(&child("/paths", path), method),
                        path_parameters: item.get("parameters"),
                    },
                );
            }
        }
    }
    out
}

pub(super) fn operation_id(op: &Value) -> Option<String> {
    op.get("operationId")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

impl Differ<'_> {
    pub(super) fn operations(&self) -> OperationDrift {
        let before = operations(self.old);
        let after = operations(self.new);
        let mut drift = OperationDrift::default();
        for ((path, method), op) in &after {
            if !before.contains_key(&(path.clone(), method.clone())) {
                drift.added.push(OperationRef {
                    method: method.clone(),
                    path: path.clone(),
                    operation_id: operation_id(op.op),
                });
            }
        }
        for ((path, method), op) in &before {
            match after.get(&(path.clone(), method.clone())) {
                None => drift.removed.push(OperationRef {
                    method: method.clone(),
                    path: path.clone(),
                    operation_id: operation_id(op.op),
                }),
                Some(new) => {
                    let change = self.operation(op, new, method, path);
                    if !change.is_empty() {
                        drift.changed.push(change);
                    }
                }
            }
        }
        drift
    }

    pub(super) fn operation(
        &self,
        old: &Operation<'_>,
        new: &Operation<'_>,
        method: &str,
        path: &str,
    ) -> OperationChange {
        let (old_id, new_id) = (operation_id(old.op), operation_id(new.op));
        let mut change = OperationChange {
            method: method.to_owned(),
            path: path.to_owned(),
            previous_operation_id: (old_id != new_id).then(|| old_id.clone().unwrap_or_default()),
            operation_id: new_id,
            ..OperationChange::default()
        };
        let ignored = [
            "operationId",
            "parameters",
            "requestBody",
            "responses",
            "security",
            "tags",
            "callbacks",
            "servers",
        ];
        self.keywords(
            node(old.op, &old.pointer),
            node(new.op, &new.pointer),
            "(operation)",
            &ignored,
            &mut change.attributes,
        );
        change.parameters = self.parameters(old, new);
        change.request_body = self.request_body(old, new);
        self.responses(old, new, &mut change);
        change
    }

    /// Plain keywords of two objects, except `skip`, structure and prose.
    pub(super) fn keywords(
        &self,
        old: Node<'_>,
        new: Node<'_>,
        field: &str,
        skip: &[&str],
        out: &mut Vec<FieldChange>,
    ) {
        let empty = Map::new();
        let old_map = old.value.as_object().unwrap_or(&empty);
        let new_map = new.value.as_object().unwrap_or(&empty);
        let keys: BTreeSet<&String> = old_map.keys().chain(new_map.keys()).collect();
        for key in keys {
            if skip.contains(&key.as_str())
                || STRUCTURE.contains(&key.as_str())
                || PROSE.contains(&key.as_str())
                || key.starts_with("x-")
            {
                continue;
            }
            let (before, after) = (old_map.get(key), new_map.get(key));
            if before != after {
                out.push(FieldChange::new(
                    field,
                    ChangeKind::KeywordChanged {
                        keyword: key.clone(),
                        before: json_text(before),
                        after: json_text(after),
                    },
                    set(child(old.pointer, key), after),
                ));
            }
        }
    }

    pub(super) fn parameters(&self, old: &Operation<'_>, new: &Operation<'_>) -> Vec<FieldChange> {
        let old_params = parameter_map(self.old, old);
        let new_params = parameter_map(self.new, new);
        let list_edit = || set(child(&old.pointer, "parameters"), new.op.get("parameters"));
        let mut out = Vec::new();
        for (key, (param, _)) in &new_params {
            if !old_params.contains_key(key) {
                out.push(FieldChange::new(
                    &parameter_label(key),
                    ChangeKind::Added {
                        ty: param.get("schema").map_or_else(|| "any".into(), describe),
                        required: Some(parameter_required(param, &key.1)),
                    },
                    list_edit(),
                ));
            }
        }
        for (key, (old_param, old_ptr)) in &old_params {
            let label = parameter_label(key);
            let Some((new_param, new_ptr)) = new_params.get(key) else {
                out.push(FieldChange::new(
                    &label,
                    ChangeKind::Removed {
                        ty: old_param
                            .get("schema")
                            .map_or_else(|| "any".into(), describe),
                        required: Some(parameter_required(old_param, &key.1)),
                    },
                    list_edit(),
                ));
                continue;
            };
            let (was, is) = (
                parameter_required(old_param, &key.1),
                parameter_required(new_param, &key.1),
            );
            if was != is {
                out.push(FieldChange::new(
                    &label,
                    ChangeKind::RequiredChanged {
                        before: was,
                        after: is,
                    },
                    set(child(old_ptr, "required"), new_param.get("required")),
                ));
            }
            let (old_node, new_node) = (node(old_param, old_ptr), node(new_param, new_ptr));
            self.keywords(
                old_node,
                new_node,
                &label,
                &["name", "in", "schema", "content"],
                &mut out,
            );
            self.member(old_node, new_node, "schema", &label, &mut out);
            self.content(old_node, new_node, &label, &mut out);
        }
        out
    }

    pub(super) fn request_body(
        &self,
        old: &Operation<'_>,
        new: &Operation<'_>,
    ) -> Vec<FieldChange> {
        let mut out = Vec::new();
        let pointer = child(&old.pointer, "requestBody");
        match (old.op.get("requestBody"), new.op.get("requestBody")) {
            (None, None) => {}
            (None, Some(body)) | (Some(body), None) => {
                let (body, _) = resolve_at(
                    if old.op.get("requestBody").is_some() {
                        self.old
                    } else {
                        self.new
                    },
                    body,
                    "",
                );
                let ty = body_type(body);
                let required = Some(
                    body.get("required")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                );
                let kind = if old.op.get("requestBody").is_none() {
                    ChangeKind::Added { ty, required }
                } else {
                    ChangeKind::Removed { ty, required }
                };
                out.push(FieldChange::new(
                    BODY_FIELD,
                    kind,
                    set(pointer, new.op.get("requestBody")),
                ));
            }
            (Some(old_body), Some(new_body)) => {
                let (old_body, old_ptr) = resolve_at(self.old, old_body, &pointer);
                let (new_body, new_ptr) =
                    resolve_at(self.new, new_body, &child(&new.pointer, "requestBody"));
                let (old_node, new_node) = (node(old_body, &old_ptr), node(new_body, &new_ptr));
                let required =
                    |b: &Value| b.get("required").and_then(Value::as_bool).unwrap_or(false);
                if required(old_body) != required(new_body) {
                    out.push(FieldChange::new(
                        BODY_FIELD,
                        ChangeKind::RequiredChanged {
                            before: required(old_body),
                            after: required(new_body),
                        },
                        set(child(&old_ptr, "required"), new_body.get("required")),
                    ));
                }
                self.keywords(
                    old_node,
                    new_node,
                    BODY_FIELD,
                    &["required", "content"],
                    &mut out,
                );
                self.content(old_node, new_node, "", &mut out);
            }
        }
        out
    }

    pub(super) fn responses(
        &self,
        old: &Operation<'_>,
        new: &Operation<'_>,
        change: &mut OperationChange,
    ) {
        let (old_map, new_map) = (
            object_at(old.op, "responses"),
            object_at(new.op, "responses"),
        );
        change.status_codes_added = new_map
            .keys()
            .filter(|s| !old_map.contains_key(*s))
            .cloned()
            .collect();
        change.status_codes_removed = old_map
            .keys()
            .filter(|s| !new_map.contains_key(*s))
            .cloned()
            .collect();
        let old_base = child(&old.pointer, "responses");
        let new_base = child(&new.pointer, "responses");
        for (status, old_response) in old_map {
            let Some(new_response) = new_map.get(status) else {
                continue;
            };
            let (old_response, old_ptr) =
                resolve_at(self.old, old_response, &child(&old_base, status));
            let (new_response, new_ptr) =
                resolve_at(self.new, new_response, &child(&new_base, status));
            let (old_node, new_node) = (node(old_response, &old_ptr), node(new_response, &new_ptr));
            let mut changes = Vec::new();
            self.keywords(
                old_node,
                new_node,
                BODY_FIELD,
                &["content", "headers", "links"],
                &mut changes,
            );
            self.headers(old_node, new_node, &mut changes);
            self.content(old_node, new_node, "", &mut changes);
            if !changes.is_empty() {
                change.responses.push(ResponseChange {
                    status: status.clone(),
                    changes,
                });
            }
        }
    }

    pub(super) fn headers(&self, old: Node<'_>, new: Node<'_>, out: &mut Vec<FieldChange>) {
        let (old_map, new_map) = (
            object_at(old.value, "headers"),
            object_at(new.value, "headers"),
        );
        let old_base = child(old.pointer, "headers");
        let new_base = child(new.pointer, "headers");
        let names: BTreeSet<&String> = old_map.keys().chain(new_map.keys()).collect();
        for name in names {
            let label = format!("{name} (header)");
            let edit = set(child(&old_base, name), new_map.get(name));
            let header_type = |doc: &Value, h: &Value| {
                let (h, _) = resolve_at(doc, h, "");
                (
                    h.get("schema").map_or_else(|| "any".into(), describe),
                    Some(h.get("required").and_then(Value::as_bool).unwrap_or(false)),
                )
            };
            match (old_map.get(name), new_map.get(name)) {
                (None, Some(h)) => {
                    let (ty, required) = header_type(self.new, h);
                    out.push(FieldChange::new(
                        &label,
                        ChangeKind::Added { ty, required },
                        edit,
                    ));
                }
                (Some(h), None) => {
                    let (ty, required) = header_type(self.old, h);
                    out.push(FieldChange::new(
                        &label,
                        ChangeKind::Removed { ty, required },
                        edit,
                    ));
                }
                (Some(o), Some(n)) => {
                    let (o, o_ptr) = resolve_at(self.old, o, &child(&old_base, name));
                    let (n, n_ptr) = resolve_at(self.new, n, &child(&new_base, name));
                    let (o, n) = (node(o, &o_ptr), node(n, &n_ptr));
                    self.keywords(o, n, &label, &["schema", "content"], out);
                    self.member(o, n, "schema", &label, out);
                }
                (None, None) => {}
            }
        }
    }

    /// The media types and body schemas of two `content` holders. With one
    /// media type on each side, the bodies are compared whatever their
    /// names; with several, by name.
    pub(super) fn content(
        &self,
        old: Node<'_>,
        new: Node<'_>,
        prefix: &str,
        out: &mut Vec<FieldChange>,
    ) {
        let (old_map, new_map) = (
            object_at(old.value, "content"),
            object_at(new.value, "content"),
        );
        let field = |label: &str| {
            if prefix.is_empty() {
                label.to_owned()
            } else {
                format!("{prefix}: {label}")
            }
        };
        let types = |m: &Map<String, Value>| {
            if m.is_empty() {
                "(none)".to_owned()
            } else {
                m.keys().cloned().collect::<Vec<_>>().join(", ")
            }
        };
        if types(old_map) != types(new_map) {
            out.push(FieldChange::new(
                &field(CONTENT_TYPE_FIELD),
                ChangeKind::TypeChanged {
                    before: types(old_map),
                    after: types(new_map),
                },
                set(child(old.pointer, "content"), new.value.get("content")),
            ));
        }
        let old_base = child(old.pointer, "content");
        let new_base = child(new.pointer, "content");
        let pairs: Vec<(&String, &String)> = if old_map.len() == 1 && new_map.len() == 1 {
            old_map.keys().zip(new_map.keys()).collect()
        } else {
            old_map
                .keys()
                .filter(|k| new_map.contains_key(*k))
                .map(|k| (k, k))
                .collect()
        };
        let several = old_map.len() > 1 || new_map.len() > 1;
        for (old_type, new_type) in pairs {
            let label = match (several, prefix.is_empty()) {
                (true, _) => field(&format!("{new_type}: {BODY_FIELD}")),
                (false, true) => String::new(),
                (false, false) => prefix.to_owned(),
            };
            let old_ptr = child(&old_base, old_type);
            let new_ptr = child(&new_base, new_type);
            let (o, n) = (
                node(&old_map[old_type], &old_ptr),
                node(&new_map[new_type], &new_ptr),
            );
            self.member(o, n, "schema", &label, out);
        }
    }
}

/// Parameters of an operation by (name, in), path-level ones overridden by
/// the operation's, `$ref`s resolved; each with its pointer.
pub(super) fn parameter_map<'a>(
    doc: &'a Value,
    op: &Operation<'a>,
) -> BTreeMap<(String, String), (&'a Value, String)> {
    let mut params = BTreeMap::new();
    let path_pointer = op
        .pointer
        .rsplit_once('/')
        .map_or("", |(p, _)| p)
        .to_owned();
    let lists = [
        (op.path_parameters, child(&path_pointer, "parameters")),
        (op.op.get("parameters"), child(&op.pointer, "parameters")),
    ];
    for (list, base) in lists {
        for (index, param) in list
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let (param, pointer) = resolve_at(doc, param, &child(&base, &index.to_string()));
            let text = |key: &str| {
                param
                    .get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            params.insert((text("name"), text("in")), (param, pointer));
        }
    }
    params
}

pub(super) fn parameter_label((name, location): &(String, String)) -> String {
    format!("{name} ({location})")
}

pub(super) fn parameter_required(param: &Value, location: &str) -> bool {
    param
        .get("required")
        .and_then(Value::as_bool)
        .unwrap_or(location == "path")
}

pub(super) fn body_type(body: &Value) -> String {
    let content = body.get("content").and_then(Value::as_object);
    content
        .map(|c| {
            c.iter()
                .map(|(media, m)| {
                    format!(
                        "{media} {}",
                        m.get("schema").map_or_else(|| "any".into(), describe)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_else(|| "(no content)".into())
}
