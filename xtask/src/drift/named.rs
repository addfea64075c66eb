//! Inline shapes the source names: a component schema new in the source
//! that only stands, everywhere it is used, where the vendored document
//! has the same shape inline. Naming a shape changes no fact (the README
//! promises as much), so such a schema is a refactor, not an addition.

use super::*;

/// More places than this for one schema (its own uses, and those of the
/// new schemas it sits in) and it is not checked: it stays "added".
const MAX_PLACES: usize = 64;

/// How deep new schemas may nest in one another and still be checked.
const MAX_DEPTH: usize = 8;

/// The places worked out so far, by schema (`None`: not a refactor).
type Known = BTreeMap<String, Option<Vec<(String, String)>>>;

/// Where each of the `wanted` component schemas is referenced in `doc`,
/// as the JSON pointers of the `$ref` holders. One walk of the document.
fn reference_places<'a>(doc: &'a Value, wanted: &BTreeSet<&str>) -> BTreeMap<&'a str, Vec<String>> {
    fn visit<'a>(
        value: &'a Value,
        at: &mut String,
        wanted: &BTreeSet<&str>,
        out: &mut BTreeMap<&'a str, Vec<String>>,
    ) {
        let length = at.len();
        match value {
            Value::Object(map) => {
                if let Some(name) = referenced_schema(value).filter(|n| wanted.contains(n)) {
                    out.entry(name).or_default().push(at.clone());
                }
                for (key, child) in map {
                    at.push('/');
                    if key.contains(['~', '/']) {
                        at.push_str(&escape(key));
                    } else {
                        at.push_str(key);
                    }
                    visit(child, at, wanted, out);
                    at.truncate(length);
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    at.push('/');
                    at.push_str(&index.to_string());
                    visit(child, at, wanted, out);
                    at.truncate(length);
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    visit(doc, &mut String::new(), wanted, &mut out);
    out
}

impl Differ<'_> {
    /// Move from `drift.added` to `drift.named` every schema that only
    /// names shapes the vendored document has inline.
    pub(super) fn named_shapes(&self, drift: &mut SchemaDrift) {
        if drift.added.is_empty() {
            return;
        }
        let added: BTreeSet<&str> = drift.added.iter().map(String::as_str).collect();
        let places = reference_places(self.new, &added);
        let mut known = Known::new();
        let mut named = Vec::new();
        for name in &drift.added {
            let Some(found) = self.vendored_places(name, &places, &added, &mut known, 0) else {
                continue;
            };
            let same = !found.is_empty()
                && found
                    .iter()
                    .all(|(old_place, new_place)| self.same_shape_at(old_place, new_place));
            if same {
                named.push(NamedShape {
                    name: name.clone(),
                    places: found.into_iter().map(|(_, new_place)| new_place).collect(),
                });
            }
        }
        let names: BTreeSet<&str> = named.iter().map(|shape| shape.name.as_str()).collect();
        drift.added.retain(|name| !names.contains(name.as_str()));
        drift.named = named;
    }

    /// The uses of new schema `name`, each as (the place in the vendored
    /// document, the place in the source). A use inside another new schema
    /// stands at each of that schema's places. `None` when there are too
    /// many or they nest too deep.
    /// Each schema's places are worked out once (`known`), so a chain of
    /// new schemas costs its length, not its length times [`MAX_DEPTH`].
    fn vendored_places(
        &self,
        name: &str,
        places: &BTreeMap<&str, Vec<String>>,
        added: &BTreeSet<&str>,
        known: &mut Known,
        depth: usize,
    ) -> Option<Vec<(String, String)>> {
        if let Some(found) = known.get(name) {
            return found.clone();
        }
        // Too deep (a cycle of new schemas, say): not a refactor. Known as
        // such, which may call a very deep nesting "added": the safe side.
        let found = if depth > MAX_DEPTH {
            None
        } else {
            self.vendored_places_now(name, places, added, known, depth)
        };
        known.insert(name.to_owned(), found.clone());
        found
    }

    fn vendored_places_now(
        &self,
        name: &str,
        places: &BTreeMap<&str, Vec<String>>,
        added: &BTreeSet<&str>,
        known: &mut Known,
        depth: usize,
    ) -> Option<Vec<(String, String)>> {
        let mut out = Vec::new();
        for place in places.get(name).into_iter().flatten() {
            let holder = place.strip_prefix("/components/schemas/").map(|rest| {
                rest.split_once('/')
                    .map_or((rest, ""), |(n, tail)| (n, tail))
            });
            match holder {
                Some((outer, tail)) if added.contains(unescape(outer).as_str()) => {
                    let outer = unescape(outer);
                    let outer_places =
                        self.vendored_places(&outer, places, added, known, depth + 1)?;
                    for (old_place, _) in outer_places {
                        out.push((format!("{old_place}/{tail}"), place.clone()));
                    }
                }
                _ => out.push((place.clone(), place.clone())),
            }
            if out.len() > MAX_PLACES {
                return None;
            }
        }
        Some(out)
    }

    /// Whether the vendored document has an inline shape at `old_place`
    /// with the facts of the source's `$ref` at `new_place`.
    fn same_shape_at(&self, old_place: &str, new_place: &str) -> bool {
        let (Some(old), Some(new)) = (self.old.pointer(old_place), self.new.pointer(new_place))
        else {
            return false;
        };
        if ref_target(old).is_some() {
            return false;
        }
        let mut changes = Vec::new();
        let mut seen = BTreeSet::new();
        self.schema(
            node(old, old_place),
            node(new, new_place),
            "",
            &mut changes,
            &mut seen,
        );
        changes.is_empty()
    }
}
