//! Many changes that the corrections hide: marked without one trial (a
//! correction of the whole document) per change.

use serde_json::{json, Value};
use xtask::drift::{self, ChangeKind};
use xtask::hidden;

/// `count` closed objects; `closed` says whether they say so.
fn doc(count: usize, closed: bool) -> Value {
    let mut schemas = serde_json::Map::new();
    for i in 0..count {
        let mut schema = json!({ "type": "object", "properties": { "id": { "type": "string" } } });
        if closed {
            schema["additionalProperties"] = json!(false);
        }
        schemas.insert(format!("S{i}"), schema);
    }
    json!({ "openapi": "3.0.0", "paths": {}, "components": { "schemas": schemas } })
}

fn hidden_count(count: usize) -> (usize, usize) {
    let (vendored, source) = (doc(count, true), doc(count, false));
    let mut drift = drift::compare(&vendored, &source);
    hidden::mark(&mut drift, &vendored, &source);
    let changes = drift.field_changes_mut();
    let keyword = changes
        .iter()
        .filter(|c| matches!(&c.kind, ChangeKind::KeywordChanged { keyword, .. } if keyword == "additionalProperties"))
        .count();
    let hidden = changes
        .iter()
        .filter(|c| c.hidden_by.as_deref() == Some("open-additional-properties"))
        .count();
    (keyword, hidden)
}

#[test]
fn few_hidden_changes_are_tried_one_place_at_a_time() {
    assert_eq!(hidden_count(5), (5, 5));
}

#[test]
fn many_hidden_changes_are_tried_together_and_each_is_credited() {
    // Beyond the 32 places tried one by one.
    assert_eq!(hidden_count(200), (200, 200));
}
