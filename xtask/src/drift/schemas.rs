//! Schemas: component schemas compared once each, and every schema met
//! under an operation compared resolved, field by field.

use super::*;

impl Differ<'_> {
    /// Compare the schema under `key` of two holders (absent on one side: added or removed).
    pub(super) fn member(
        &self,
        old: Node<'_>,
        new: Node<'_>,
        key: &str,
        field: &str,
        out: &mut Vec<FieldChange>,
    ) {
        let old_ptr = child(old.pointer, key);
        let new_ptr = child(new.pointer, key);
        let label = if field.is_empty() { BODY_FIELD } else { field };
        match (old.value.get(key), new.value.get(key)) {
            (Some(o), Some(n)) => {
                let mut seen = BTreeSet::new();
                self.schema(node(o, &old_ptr), node(n, &new_ptr), field, out, &mut seen);
            }
            (None, Some(n)) => out.push(FieldChange::new(
                label,
                ChangeKind::Added {
                    ty: describe(n),
                    required: None,
                },
                set(old_ptr, Some(n)),
            )),
            (Some(o), None) => out.push(FieldChange::new(
                label,
                ChangeKind::Removed {
                    ty: describe(o),
                    required: None,
                },
                set(old_ptr, None),
            )),
            (None, None) => {}
        }
    }

    /// Compare two schemas at `field` ("" is the root).
    pub(super) fn schema(
        &self,
        old: Node<'_>,
        new: Node<'_>,
        field: &str,
        out: &mut Vec<FieldChange>,
        seen: &mut BTreeSet<(String, String)>,
    ) {
        let (old_ref, new_ref) = (ref_target(old.value), ref_target(new.value));
        if old_ref.is_some() && old_ref == new_ref && old_ref.and_then(schema_name).is_some() {
            // The same component on both sides: compared once, on its own.
            return;
        }
        // `X` against `allOf: [X, extra]`: X is compared once, on its own;
        // here only the extra members count.
        if let Some(extras) = all_of_beyond(new.value, old_ref) {
            let empty = serde_json::json!({ "type": "object" });
            let n = flatten_all_of(self.new, &extras).unwrap_or(extras);
            return self.schema_body(
                node(&empty, old.pointer),
                node(&n, new.pointer),
                field,
                out,
                seen,
            );
        }
        if let Some(extras) = all_of_beyond(old.value, new_ref) {
            let empty = serde_json::json!({ "type": "object" });
            let o = flatten_all_of(self.old, &extras).unwrap_or(extras);
            return self.schema_body(
                node(&o, old.pointer),
                node(&empty, new.pointer),
                field,
                out,
                seen,
            );
        }
        let (o, o_ptr) = resolve_at(self.old, old.value, old.pointer);
        let (n, n_ptr) = resolve_at(self.new, new.value, new.pointer);
        if (old_ref.is_some() || new_ref.is_some()) && !seen.insert((o_ptr.clone(), n_ptr.clone()))
        {
            return;
        }
        // allOf members together are one object: where only one side has
        // an allOf, it is compared as that object (with both, member by
        // member, so a shared component is compared once, on its own).
        let one_side = o.get("allOf").is_some() != n.get("allOf").is_some();
        let flat = |doc, schema| {
            if one_side {
                flatten_all_of(doc, schema)
            } else {
                None
            }
        };
        let (o_flat, n_flat) = (flat(self.old, o), flat(self.new, n));
        let o = node(o_flat.as_ref().unwrap_or(o), &o_ptr);
        let n = node(n_flat.as_ref().unwrap_or(n), &n_ptr);
        self.schema_body(o, n, field, out, seen);
    }

    pub(super) fn schema_body(
        &self,
        old: Node<'_>,
        new: Node<'_>,
        field: &str,
        out: &mut Vec<FieldChange>,
        seen: &mut BTreeSet<(String, String)>,
    ) {
        let label = if field.is_empty() { BODY_FIELD } else { field };
        let (before, after) = (local_type(old.value), local_type(new.value));
        if before != after {
            let mut edit_value = new.value.clone();
            if let Some(map) = edit_value.as_object_mut() {
                map.retain(|k, _| matches!(k.as_str(), "type" | "format" | "nullable"));
            }
            out.push(FieldChange {
                field: label.to_owned(),
                kind: ChangeKind::TypeChanged { before, after },
                hidden_by: None,
                edit: Some(Edit {
                    pointer: format!("{}/(type)", old.pointer),
                    value: Some(edit_value),
                }),
            });
        }
        self.enum_values(old, new, label, out);
        self.keywords(old, new, label, &[], out);
        self.properties(old, new, field, out, seen);
        for (key, suffix) in [("items", "[]"), ("not", "<not>")] {
            let child_field = format!("{field}{suffix}");
            match (old.value.get(key), new.value.get(key)) {
                (Some(_), Some(_)) => {
                    let (o_ptr, n_ptr) = (child(old.pointer, key), child(new.pointer, key));
                    self.schema(
                        node(&old.value[key], &o_ptr),
                        node(&new.value[key], &n_ptr),
                        &child_field,
                        out,
                        seen,
                    );
                }
                (None, None) => {}
                _ => self.member(old, new, key, &child_field, out),
            }
        }
        self.additional_properties(old, new, field, out, seen);
        for key in ["allOf", "oneOf", "anyOf"] {
            self.members(old, new, key, field, out, seen);
        }
    }

    pub(super) fn enum_values(
        &self,
        old: Node<'_>,
        new: Node<'_>,
        label: &str,
        out: &mut Vec<FieldChange>,
    ) {
        let values = |v: &Value| -> BTreeSet<String> {
            v.get("enum")
                .and_then(Value::as_array)
                .map(|values| {
                    values
                        .iter()
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        let (was, is) = (values(old.value), values(new.value));
        let edit = || set(child(old.pointer, "enum"), new.value.get("enum"));
        let gained: Vec<String> = is.difference(&was).cloned().collect();
        let lost: Vec<String> = was.difference(&is).cloned().collect();
        if !gained.is_empty() {
            out.push(FieldChange::new(
                label,
                ChangeKind::EnumValuesAdded { values: gained },
                edit(),
            ));
        }
        if !lost.is_empty() {
            out.push(FieldChange::new(
                label,
                ChangeKind::EnumValuesRemoved { values: lost },
                edit(),
            ));
        }
    }

    pub(super) fn properties(
        &self,
        old: Node<'_>,
        new: Node<'_>,
        field: &str,
        out: &mut Vec<FieldChange>,
        seen: &mut BTreeSet<(String, String)>,
    ) {
        let (old_props, new_props) = (
            object_at(old.value, "properties"),
            object_at(new.value, "properties"),
        );
        let (old_required, new_required) = (required_set(old.value), required_set(new.value));
        let old_base = child(old.pointer, "properties");
        let new_base = child(new.pointer, "properties");
        for (name, schema) in new_props {
            if !old_props.contains_key(name) {
                out.push(FieldChange::new(
                    &join(field, name),
                    ChangeKind::Added {
                        ty: describe(schema),
                        required: Some(new_required.contains(name.as_str())),
                    },
                    set(child(&old_base, name), Some(schema)),
                ));
            }
        }
        for (name, old_schema) in old_props {
            let path = join(field, name);
            let (was, _) = (old_required.contains(name.as_str()), ());
            let Some(new_schema) = new_props.get(name) else {
                out.push(FieldChange::new(
                    &path,
                    ChangeKind::Removed {
                        ty: describe(old_schema),
                        required: Some(was),
                    },
                    set(child(&old_base, name), None),
                ));
                continue;
            };
            let is = new_required.contains(name.as_str());
            if was != is {
                out.push(FieldChange::new(
                    &path,
                    ChangeKind::RequiredChanged {
                        before: was,
                        after: is,
                    },
                    Edit {
                        pointer: format!("{}/(required)/{}", old.pointer, escape(name)),
                        value: Some(Value::Bool(is)),
                    },
                ));
            }
            let (o_ptr, n_ptr) = (child(&old_base, name), child(&new_base, name));
            self.schema(
                node(old_schema, &o_ptr),
                node(new_schema, &n_ptr),
                &path,
                out,
                seen,
            );
        }
    }

    pub(super) fn additional_properties(
        &self,
        old: Node<'_>,
        new: Node<'_>,
        field: &str,
        out: &mut Vec<FieldChange>,
        seen: &mut BTreeSet<(String, String)>,
    ) {
        let key = "additionalProperties";
        match (old.value.get(key), new.value.get(key)) {
            (Some(o @ Value::Object(_)), Some(n @ Value::Object(_))) => {
                let (o_ptr, n_ptr) = (child(old.pointer, key), child(new.pointer, key));
                self.schema(
                    node(o, &o_ptr),
                    node(n, &n_ptr),
                    &format!("{field}{{}}"),
                    out,
                    seen,
                );
            }
            (before, after) if before != after => {
                let describe_value = |v: Option<&Value>| match v {
                    Some(schema @ Value::Object(_)) => format!("map<{}>", describe(schema)),
                    other => json_text(other),
                };
                out.push(FieldChange::new(
                    if field.is_empty() { BODY_FIELD } else { field },
                    ChangeKind::KeywordChanged {
                        keyword: key.to_owned(),
                        before: describe_value(before),
                        after: describe_value(after),
                    },
                    set(child(old.pointer, key), after),
                ));
            }
            _ => {}
        }
    }

    pub(super) fn members(
        &self,
        old: Node<'_>,
        new: Node<'_>,
        key: &str,
        field: &str,
        out: &mut Vec<FieldChange>,
        seen: &mut BTreeSet<(String, String)>,
    ) {
        let empty = Vec::new();
        let old_members = old
            .value
            .get(key)
            .and_then(Value::as_array)
            .unwrap_or(&empty);
        let new_members = new
            .value
            .get(key)
            .and_then(Value::as_array)
            .unwrap_or(&empty);
        let (old_base, new_base) = (child(old.pointer, key), child(new.pointer, key));
        for index in 0..old_members.len().max(new_members.len()) {
            let path = format!("{field}<{key} {index}>");
            let edit = set(child(&old_base, &index.to_string()), new_members.get(index));
            match (old_members.get(index), new_members.get(index)) {
                (Some(o), Some(n)) => {
                    let (o_ptr, n_ptr) = (
                        child(&old_base, &index.to_string()),
                        child(&new_base, &index.to_string()),
                    );
                    self.schema(node(o, &o_ptr), node(n, &n_ptr), &path, out, seen);
                }
                (None, Some(n)) => out.push(FieldChange::new(
                    &path,
                    ChangeKind::Added {
                        ty: describe(n),
                        required: None,
                    },
                    edit,
                )),
                (Some(o), None) => out.push(FieldChange::new(
                    &path,
                    ChangeKind::Removed {
                        ty: describe(o),
                        required: None,
                    },
                    edit,
                )),
                (None, None) => {}
            }
        }
    }

    pub(super) fn schemas(&self) -> SchemaDrift {
        let empty = Map::new();
        let before = schemas(self.old).unwrap_or(&empty);
        let after = schemas(self.new).unwrap_or(&empty);
        let mut drift = SchemaDrift {
            added: after
                .keys()
                .filter(|k| !before.contains_key(*k))
                .cloned()
                .collect(),
            removed: before
                .keys()
                .filter(|k| !after.contains_key(*k))
                .cloned()
                .collect(),
            changed: Vec::new(),
            named: Vec::new(),
        };
        self.named_shapes(&mut drift);
        for (name, old) in before {
            let Some(new) = after.get(name) else { continue };
            let pointer = child("/components/schemas", name);
            let mut changes = Vec::new();
            let mut seen = BTreeSet::new();
            let one_side = old.get("allOf").is_some() != new.get("allOf").is_some();
            let flat = |doc, schema| {
                if one_side {
                    flatten_all_of(doc, schema)
                } else {
                    None
                }
            };
            let (o_flat, n_flat) = (flat(self.old, old), flat(self.new, new));
            let (o, n) = (
                o_flat.as_ref().unwrap_or(old),
                n_flat.as_ref().unwrap_or(new),
            );
            self.schema_body(
                node(o, &pointer),
                node(n, &pointer),
                "",
                &mut changes,
                &mut seen,
            );
            for change in &mut changes {
                if change.field == BODY_FIELD {
                    change.field = SCHEMA_FIELD.to_owned();
                }
            }
            if !changes.is_empty() {
                drift.changed.push(SchemaChange {
                    name: name.clone(),
                    used_by: Vec::new(),
                    changes,
                });
            }
        }
        // Who uses a schema is asked only for the changed ones.
        if !drift.changed.is_empty() {
            let (users_new, users_old) = (schema_users(self.new), schema_users(self.old));
            for change in &mut drift.changed {
                let used_by: BTreeSet<&String> = users_new
                    .get(change.name.as_str())
                    .into_iter()
                    .chain(users_old.get(change.name.as_str()))
                    .flatten()
                    .collect();
                change.used_by = used_by.into_iter().cloned().collect();
            }
        }
        drift
    }
}

/// `schema` without the `allOf` member that is a `$ref` to `component`,
/// when it has one.
pub(super) fn all_of_beyond(schema: &Value, component: Option<&str>) -> Option<Value> {
    let component = component.filter(|r| schema_name(r).is_some())?;
    let members = schema.get("allOf")?.as_array()?;
    let position = members
        .iter()
        .position(|m| ref_target(m) == Some(component))?;
    let mut rest = schema.clone();
    if let Some(Value::Array(members)) = rest.get_mut("allOf") {
        members.remove(position);
    }
    Some(rest)
}

pub(super) fn required_set(schema: &Value) -> BTreeSet<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// For each component schema, the operations (ids) that use it, directly
/// or through other schemas.
pub(super) fn schema_users(doc: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut refs_of_schema: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, schema) in schemas(doc).into_iter().flatten() {
        let mut found = BTreeSet::new();
        collect_refs(schema, &mut found);
        refs_of_schema.insert(name.clone(), found);
    }
    let mut users: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for ((path, method), op) in operations(doc) {
        let name = operation_id(op.op).unwrap_or_else(|| format!("{method} {path}"));
        let mut pending = BTreeSet::new();
        collect_refs(op.op, &mut pending);
        if let Some(params) = op.path_parameters {
            collect_refs(params, &mut pending);
        }
        let mut reached = BTreeSet::new();
        while let Some(next) = pending.pop_first() {
            if reached.insert(next.clone()) {
                pending.extend(refs_of_schema.get(&next).into_iter().flatten().cloned());
            }
        }
        for schema in reached {
            users.entry(schema).or_default().insert(name.clone());
        }
    }
    users
}

pub(super) fn collect_refs(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = referenced_schema(value) {
                out.insert(name.to_owned());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}
