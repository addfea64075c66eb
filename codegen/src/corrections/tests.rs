//! Tests of the whole pipeline: order, reports, idempotence. Each family's
//! own tests live beside it.

use super::test_support::doc;
use super::*;

#[test]
fn every_correction_reports_once_in_order() {
    let outcomes = apply(&mut doc(json!({})));
    let ids: Vec<&str> = outcomes.iter().map(|o| o.id).collect();
    let expected: Vec<&str> = CORRECTIONS.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, expected);
    assert!(
        outcomes.iter().all(|o| o.places.is_empty()),
        "a clean document needs no correction"
    );
}

#[test]
fn corrections_are_idempotent() {
    let mut d = doc(json!({
        "Cluster": { "type": "object", "additionalProperties": false, "required": ["encryption"], "properties": {
            "encryption": { "type": "object" },
            "kind": { "type": "string", "enum": ["a", "b"] } } }
    }));
    apply(&mut d);
    let once = d.clone();
    let second = apply(&mut d);
    assert_eq!(d, once);
    assert!(second.iter().all(|o| o.places.is_empty()), "{second:?}");
}
