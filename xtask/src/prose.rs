//! Keeping the project's own prose when the vendored document is refreshed.
//!
//! The project never commits the published document's prose. A refresh
//! keeps the source's facts and replaces every `description`, `summary`
//! and `title` with the text the vendored document has for the same item;
//! examples are dropped. Items are matched by their place in the document,
//! with operations named by `operationId` (so responses match by
//! operationId + status code, parameters by operationId + location + name)
//! and schemas by name and property name.
//!
//! The walk knows which JSON objects are OpenAPI keyword objects and which
//! map names to objects (`properties`, `paths`, `responses`, `content`,
//! ...), so a property *named* `description` is a fact and is kept.

use camunda_admin_codegen::openapi::{escape, ref_target, unescape};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Keys holding prose.
pub const PROSE_KEYS: &[&str] = &["description", "summary", "title"];

/// Keys holding examples, which are published content too.
pub const EXAMPLE_KEYS: &[&str] = &["example", "examples"];

/// Keys whose object value maps names (of properties, paths, status codes,
/// media types, components, ...) to keyword objects.
const NAME_MAP_KEYS: &[&str] = &[
    "properties",
    "patternProperties",
    "paths",
    "responses",
    "content",
    "headers",
    "schemas",
    "parameters",
    "requestBodies",
    "securitySchemes",
    "links",
    "callbacks",
    "encoding",
    "variables",
    "definitions",
];

/// Keys whose values are data, not keyword objects: never walked into.
const DATA_KEYS: &[&str] = &[
    "enum", "required", "default", "const", "example", "examples", "security", "mapping", "scopes",
];

/// What a keyword object stands for; some kinds are items that carry prose
/// of their own and are listed when they are new.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// The document root.
    Document,
    /// A path item.
    PathItem,
    /// An operation.
    Operation,
    /// A parameter.
    Parameter,
    /// A request body.
    RequestBody,
    /// A response.
    Response,
    /// A component schema.
    Schema,
    /// A property of a schema.
    Property,
    /// Anything else (media types, nested schemas, servers, ...).
    Other,
}

impl Kind {
    fn is_item(self) -> bool {
        matches!(
            self,
            Kind::Operation
                | Kind::Parameter
                | Kind::RequestBody
                | Kind::Response
                | Kind::Schema
                | Kind::Property
        )
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Document => "document",
            Kind::PathItem => "path",
            Kind::Operation => "operation",
            Kind::Parameter => "parameter",
            Kind::RequestBody => "request body",
            Kind::Response => "response",
            Kind::Schema => "schema",
            Kind::Property => "property",
            Kind::Other => "item",
        }
    }
}

/// A place in a document that survives moves of the operation's path:
/// operations are named `operations/<operationId>`.
pub type Place = Vec<String>;

type Visitor<'a> = dyn FnMut(&[String], Kind, &mut Map<String, Value>) + 'a;

/// Visit every keyword object of an OpenAPI document with its [`Place`]
/// and [`Kind`]. The visitor runs before the object's children are walked.
pub fn walk(doc: &mut Value, visit: &mut Visitor<'_>) {
    walk_object(doc, &mut Vec::new(), Kind::Document, visit);
}

enum Step {
    Skip,
    PathItems,
    Operation,
    NameMap(Kind),
    Object(Kind),
    Array,
}

/// `place` is the walk's one path stack: pushed and popped around each
/// child (replaced, then restored, where a path item or an operation
/// starts a place of its own), so no place is copied per node.
fn walk_object(value: &mut Value, place: &mut Place, kind: Kind, visit: &mut Visitor<'_>) {
    let Value::Object(map) = value else { return };
    visit(place, kind, map);
    for (key, child) in map.iter_mut() {
        let step = if DATA_KEYS.contains(&key.as_str()) || key.starts_with("x-") {
            Step::Skip
        } else if kind == Kind::PathItem && crate::corrections::HTTP_METHODS.contains(&key.as_str())
        {
            Step::Operation
        } else {
            match child {
                Value::Object(_) if key == "paths" && kind == Kind::Document => Step::PathItems,
                Value::Object(_) if NAME_MAP_KEYS.contains(&key.as_str()) => {
                    Step::NameMap(match key.as_str() {
                        "properties" | "patternProperties" => Kind::Property,
                        "schemas" | "definitions" => Kind::Schema,
                        "responses" => Kind::Response,
                        "parameters" => Kind::Parameter,
                        "requestBodies" => Kind::RequestBody,
                        _ => Kind::Other,
                    })
                }
                Value::Object(_) if key == "requestBody" => Step::Object(Kind::RequestBody),
                Value::Object(_) => Step::Object(Kind::Other),
                Value::Array(_) => Step::Array,
                _ => Step::Skip,
            }
        };
        let depth = place.len();
        match step {
            Step::Skip => {}
            Step::PathItems => {
                for (path, item) in child.as_object_mut().into_iter().flatten() {
                    let outer = std::mem::replace(place, vec!["paths".to_owned(), path.clone()]);
                    walk_object(item, place, Kind::PathItem, visit);
                    *place = outer;
                }
            }
            Step::Operation => match child.get("operationId").and_then(Value::as_str) {
                Some(id) => {
                    let own = vec!["operations".to_owned(), id.to_owned()];
                    let outer = std::mem::replace(place, own);
                    walk_object(child, place, Kind::Operation, visit);
                    *place = outer;
                }
                None => {
                    place.push(key.clone());
                    walk_object(child, place, Kind::Operation, visit);
                    place.truncate(depth);
                }
            },
            Step::NameMap(member_kind) => {
                for (name, member) in child.as_object_mut().into_iter().flatten() {
                    place.extend([key.clone(), name.clone()]);
                    walk_object(member, place, member_kind, visit);
                    place.truncate(depth);
                }
            }
            Step::Object(child_kind) => {
                place.push(key.clone());
                walk_object(child, place, child_kind, visit);
                place.truncate(depth);
            }
            Step::Array => {
                for (index, item) in child.as_array_mut().into_iter().flatten().enumerate() {
                    let (segment, item_kind) = match key.as_str() {
                        "parameters" => (parameter_key(item), Kind::Parameter),
                        "tags" => (
                            item.get("name")
                                .and_then(Value::as_str)
                                .map(str::to_owned)
                                .unwrap_or_else(|| index.to_string()),
                            Kind::Other,
                        ),
                        _ => (index.to_string(), Kind::Other),
                    };
                    place.extend([key.clone(), segment]);
                    walk_object(item, place, item_kind, visit);
                    place.truncate(depth);
                }
            }
        }
    }
}

fn parameter_key(param: &Value) -> String {
    if let Some(reference) = ref_target(param) {
        return format!("$ref {reference}");
    }
    let location = param.get("in").and_then(Value::as_str).unwrap_or_default();
    let name = param
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    format!("{location}:{name}")
}

/// A copy of `value` (a document or a part of one) without prose or examples.
pub fn strip_prose(value: &Value) -> Value {
    let mut copy = value.clone();
    walk(&mut copy, &mut |_, _, map| {
        for key in PROSE_KEYS.iter().chain(EXAMPLE_KEYS) {
            map.remove(*key);
        }
    });
    copy
}

/// The root key holding the texts (and `x-` extensions) of subjects the
/// source no longer has, so that a later refresh that brings them back
/// restores them: an object from a place (its segments escaped as in a JSON
/// pointer, joined by `/`) to the texts.
pub const ARCHIVE_KEY: &str = "x-camunda-admin-archive";

/// The extension naming the credential scope an operation needs.
pub const SCOPE_KEY: &str = "x-camunda-scope";

/// The result of [`carry_over`].
#[derive(Debug, Clone)]
pub struct Carried {
    /// The source's facts with the vendored prose.
    pub document: Value,
    /// Items new in the source, which have no prose yet (the outermost new
    /// item only: the properties of a new schema are not listed).
    pub needs_prose: Vec<String>,
    /// Operations without an `x-camunda-scope` (new ones, usually).
    pub needs_scope: Vec<String>,
    /// Places whose texts moved to the archive: their subject is gone.
    pub archived: Vec<String>,
    /// Places whose texts came back from the archive.
    pub restored: Vec<String>,
}

/// The texts of one place: prose and the project's `x-` extensions.
type Texts = Map<String, Value>;

fn is_project_text(key: &str) -> bool {
    PROSE_KEYS.contains(&key) || (key.starts_with("x-") && key != ARCHIVE_KEY)
}

fn place_key(place: &[String]) -> String {
    place
        .iter()
        .map(|segment| escape(segment))
        .collect::<Vec<_>>()
        .join("/")
}

fn place_from_key(key: &str) -> Place {
    if key.is_empty() {
        return Vec::new();
    }
    key.split('/').map(unescape).collect()
}

/// The project's texts of `vendored` by place, its archive, and its items.
fn project_texts(
    vendored: &Value,
) -> (
    BTreeMap<Place, Texts>,
    BTreeMap<Place, Texts>,
    BTreeSet<Place>,
) {
    let mut texts: BTreeMap<Place, Texts> = BTreeMap::new();
    let mut items: BTreeSet<Place> = BTreeSet::new();
    walk(&mut vendored.clone(), &mut |place, kind, map| {
        let found: Texts = map
            .iter()
            .filter(|(key, _)| is_project_text(key))
            .map(|(key, text)| (key.clone(), text.clone()))
            .collect();
        if !found.is_empty() {
            texts.insert(place.to_vec(), found);
        }
        if kind.is_item() {
            items.insert(place.to_vec());
        }
    });
    let archive = vendored
        .get(ARCHIVE_KEY)
        .and_then(Value::as_object)
        .map(|entries| {
            entries
                .iter()
                .filter_map(|(key, texts)| Some((place_from_key(key), texts.as_object()?.clone())))
                .collect()
        })
        .unwrap_or_default();
    (texts, archive, items)
}

/// The document to vendor: the facts of `source`, the texts of `vendored`.
///
/// Source prose, examples and `x-` extensions are removed; each item gets
/// the description, summary, title and `x-` extensions the vendored
/// document (or its archive) has at the same place. Texts whose place the
/// source no longer has go to the archive ([`ARCHIVE_KEY`]). The vendored
/// `info` is kept, with the source's `info.version`. A response without a
/// text gets an empty description, since OpenAPI requires one.
pub fn carry_over(source: &Value, vendored: &Value) -> Carried {
    carry_over_owned(source.clone(), vendored)
}

/// [`carry_over`], rewriting `source` in place instead of a copy of it (a
/// document can be large).
pub fn carry_over_owned(source: Value, vendored: &Value) -> Carried {
    let (texts, archive, vendored_items) = project_texts(vendored);
    let info = carried_info(&source, vendored);
    let mut document = source;
    let mut used: BTreeSet<Place> = BTreeSet::new();
    let mut new_items: BTreeMap<Place, Kind> = BTreeMap::new();
    let mut needs_scope = Vec::new();
    walk(&mut document, &mut |place, kind, map| {
        map.retain(|key, _| {
            !(PROSE_KEYS.contains(&key.as_str())
                || EXAMPLE_KEYS.contains(&key.as_str())
                || key.starts_with("x-"))
        });
        if let Some(found) = texts.get(place).or_else(|| archive.get(place)) {
            map.extend(found.clone());
            used.insert(place.to_vec());
        }
        if kind == Kind::Response && !map.contains_key("description") {
            map.insert("description".into(), Value::String(String::new()));
        }
        if kind == Kind::Operation && !map.contains_key(SCOPE_KEY) {
            needs_scope.push(place.join("/"));
        }
        let has_prose = PROSE_KEYS.iter().any(|key| {
            map.get(*key)
                .and_then(Value::as_str)
                .is_some_and(|text| !text.is_empty())
        });
        if kind.is_item() && !vendored_items.contains(place) && !has_prose {
            new_items.insert(place.to_vec(), kind);
        }
    });

    let mut kept_archive = Map::new();
    let mut archived = Vec::new();
    for (place, found) in texts.iter().chain(archive.iter()) {
        let key = place_key(place);
        if used.contains(place) || kept_archive.contains_key(&key) {
            continue;
        }
        if texts.contains_key(place) {
            archived.push(place.join("/"));
        }
        kept_archive.insert(key, Value::Object(found.clone()));
    }
    let restored = archive
        .keys()
        .filter(|place| used.contains(*place) && !texts.contains_key(*place))
        .map(|place| place.join("/"))
        .collect();

    if let Some(root) = document.as_object_mut() {
        root.insert("info".into(), info);
        if !kept_archive.is_empty() {
            root.insert(ARCHIVE_KEY.into(), Value::Object(kept_archive));
        }
    }

    // Places are sorted, so an item's descendants follow it: comparing with
    // the last item listed is enough (and keeps this linear).
    let mut needs_prose = Vec::new();
    let mut listed: Option<&Place> = None;
    for (place, kind) in &new_items {
        if listed.is_some_and(|parent| place.starts_with(parent)) {
            continue;
        }
        listed = Some(place);
        needs_prose.push(format!("{}: {}", kind.label(), place.join("/")));
    }
    Carried {
        document,
        needs_prose,
        needs_scope,
        archived,
        restored,
    }
}

/// The vendored `info`, with the source's version.
fn carried_info(source: &Value, vendored: &Value) -> Value {
    let mut info = vendored
        .get("info")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_else(|| {
            Map::from_iter([(
                "title".to_owned(),
                Value::String("Camunda 8 Administration API".into()),
            )])
        });
    match source.pointer("/info/version") {
        Some(version) => info.insert("version".into(), version.clone()),
        None => info.remove("version"),
    };
    Value::Object(info)
}
