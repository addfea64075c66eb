//! Which upstream changes the corrections hide from the generated code.
//!
//! The comparison runs on the documents as published, so every change is
//! reported. Some corrections overwrite what upstream says (every error
//! body becomes text, `/activity/csv` becomes CSV, closed objects open,
//! secret fields become passwords, ...): a change there would reach the
//! vendored document but not the generated code. [`mark`] finds those
//! changes and names the correction that hides each.
//!
//! A change is tried only where a correction that overwrites facts wrote
//! something, in either document. The trial applies the change's edit to
//! the vendored document and corrects both: when the corrected documents
//! are equal, the change is hidden, and running the corrections one by one
//! names the one after which they became equal. Changes under one place are
//! tried together first, then (a few) one by one.

use crate::drift::{Drift, Edit, FieldChange};
use crate::prose::strip_prose;
use camunda_admin_codegen::corrections;
use camunda_admin_codegen::openapi::unescape;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The corrections that overwrite facts in place (the others only move or
/// name them, which the generated code shows).
const OVERWRITING: &[&str] = &[
    "name-shared-inline-objects",
    "open-additional-properties",
    "relax-late-required",
    "csv-media-type",
    "uniform-error-bodies",
    "mark-secret-fields",
];

/// More changes under one place than this are not tried one by one.
const MAX_SINGLE_TRIALS: usize = 16;

/// Each trial corrects a whole document; beyond this many places with
/// changes, the places are tried all together once (see [`mark`]).
const MAX_PLACE_TRIALS: usize = 32;

/// Set `hidden_by` on every change of `drift` that the corrections hide.
///
/// Each trial costs a correction of the whole document, so the number of
/// trials is bounded: up to 32 places are tried one by
/// one; beyond that, all changes are tried together once and, when the
/// corrections hide them all, each is credited to the correction that
/// wrote its place; otherwise they stay unmarked (shown as reaching the
/// generated code, the safe side).
pub fn mark(drift: &mut Drift, vendored: &Value, source: &Value) {
    let mut changes: Vec<(String, &mut FieldChange)> = drift
        .field_changes_mut()
        .into_iter()
        .filter_map(|change| Some((normalized(&change.edit.as_ref()?.pointer), change)))
        .collect();
    if changes.is_empty() {
        return;
    }
    let base = strip_prose(vendored);
    let places = overwritten_places(&base, strip_prose(source));
    let mut groups: BTreeMap<&str, Vec<&mut FieldChange>> = BTreeMap::new();
    for (pointer, change) in &mut changes {
        if let Some((place, _)) = innermost_place(&places, pointer) {
            groups.entry(place).or_default().push(change);
        }
    }
    if groups.is_empty() {
        return;
    }
    let mut corrected = base.clone();
    corrections::apply(&mut corrected);
    let trial = Trial {
        base: &base,
        corrected: &corrected,
    };
    if groups.len() > MAX_PLACE_TRIALS {
        let edits: Vec<Edit> = groups
            .values()
            .flatten()
            .filter_map(|c| c.edit.clone())
            .collect();
        if trial.hider(&edits).is_some() {
            for (place, changes) in groups {
                let id = places.get(place).copied();
                for change in changes {
                    change.hidden_by = id.map(str::to_owned);
                }
            }
        }
        return;
    }
    for (_, mut changes) in groups {
        let edits: Vec<Edit> = changes.iter().filter_map(|c| c.edit.clone()).collect();
        if let Some(id) = trial.hider(&edits) {
            for change in &mut changes {
                change.hidden_by = Some(id.to_owned());
            }
        } else if changes.len() > 1 && changes.len() <= MAX_SINGLE_TRIALS {
            for change in &mut changes {
                let edit: Vec<Edit> = change.edit.iter().cloned().collect();
                change.hidden_by = trial.hider(&edit).map(str::to_owned);
            }
        }
    }
}

/// The innermost place of `places` that holds `pointer` (itself or an
/// ancestor), with the correction that wrote it: one look-up per level.
fn innermost_place<'a>(
    places: &'a BTreeMap<String, &'static str>,
    pointer: &str,
) -> Option<(&'a str, &'static str)> {
    let mut candidate = pointer;
    loop {
        if let Some((place, id)) = places.get_key_value(candidate) {
            return Some((place.as_str(), id));
        }
        candidate = &candidate[..candidate.rfind('/')?];
    }
}

/// Where the overwriting corrections wrote, in either document, as JSON
/// pointers, with the first correction that wrote each.
fn overwritten_places(vendored: &Value, source: Value) -> BTreeMap<String, &'static str> {
    let mut places = BTreeMap::new();
    for mut copy in [vendored.clone(), source] {
        for outcome in corrections::apply(&mut copy) {
            if OVERWRITING.contains(&outcome.id) {
                for place in &outcome.places {
                    let place = place.split(" -> ").next().unwrap_or(place);
                    places.entry(normalized(place)).or_insert(outcome.id);
                }
            }
        }
    }
    places
}

/// An edit pointer as a plain JSON pointer (pseudo segments dropped).
fn normalized(pointer: &str) -> String {
    pointer
        .replace("/(required)/", "/required/")
        .trim_end_matches("/(type)")
        .to_owned()
}

/// The vendored document without prose, and its corrected form.
struct Trial<'a> {
    base: &'a Value,
    corrected: &'a Value,
}

impl Trial<'_> {
    /// The correction that hides `edits`, if one does.
    fn hider(&self, edits: &[Edit]) -> Option<&'static str> {
        let mut edited = self.base.clone();
        for edit in edits {
            apply_edit(&mut edited, edit);
        }
        let mut corrected = edited.clone();
        corrections::apply(&mut corrected);
        if corrected != *self.corrected || edited == *self.base {
            return None;
        }
        let mut base = self.base.clone();
        for (id, _) in corrections::CORRECTIONS {
            corrections::apply_one(&mut base, id);
            corrections::apply_one(&mut edited, id);
            if base == edited {
                return Some(id);
            }
        }
        None
    }
}

/// The value at `pointer`, created as empty objects where missing.
fn ensure<'a>(doc: &'a mut Value, pointer: &str) -> Option<&'a mut Value> {
    let mut current = doc;
    for segment in pointer.split('/').skip(1) {
        let key = unescape(segment);
        current = match current {
            Value::Object(map) => map.entry(key).or_insert_with(|| Value::Object(Map::new())),
            Value::Array(items) => items.get_mut(key.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// Apply one edit of [`crate::drift`] to `doc`.
pub fn apply_edit(doc: &mut Value, edit: &Edit) {
    let value = edit.value.as_ref().map(strip_prose);
    if let Some(holder) = edit.pointer.strip_suffix("/(type)") {
        if let Some(Value::Object(map)) = ensure(doc, holder) {
            for key in ["type", "format", "nullable"] {
                map.remove(key);
            }
            if let Some(Value::Object(new)) = value {
                map.extend(new);
            }
        }
        return;
    }
    if let Some((holder, name)) = edit.pointer.split_once("/(required)/") {
        if let Some(Value::Object(map)) = ensure(doc, holder) {
            let name = Value::String(unescape(name));
            let required = map
                .entry("required")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(names) = required {
                names.retain(|n| *n != name);
                if value == Some(Value::Bool(true)) {
                    names.push(name);
                }
            }
        }
        return;
    }
    let Some((parent, key)) = edit.pointer.rsplit_once('/') else {
        return;
    };
    let key = unescape(key);
    match (ensure(doc, parent), value) {
        (Some(Value::Object(map)), Some(value)) => {
            map.insert(key, value);
        }
        (Some(Value::Object(map)), None) => {
            map.remove(&key);
        }
        (Some(Value::Array(items)), value) => {
            let Ok(index) = key.parse::<usize>() else {
                return;
            };
            match value {
                Some(value) if index < items.len() => items[index] = value,
                Some(value) => items.push(value),
                None if index < items.len() => {
                    items.remove(index);
                }
                None => {}
            }
        }
        _ => {}
    }
}
