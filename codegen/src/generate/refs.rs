//! `$ref`s of the corrected document, followed where the generator reads it.

use serde_json::Value;

/// `node`, or what its `$ref` points at in `doc` (`node` itself when the
/// reference leads nowhere).
pub(crate) fn resolve<'a>(doc: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(target) => target
            .strip_prefix('#')
            .and_then(|pointer| doc.pointer(pointer))
            .unwrap_or(node),
        None => node,
    }
}
