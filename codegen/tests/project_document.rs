//! Facts the project keeps in its own document, beside Camunda's.

use serde_json::Value;

const SCOPES: &[&str] = &[
    "Cluster",
    "Zeebe Client",
    "Web Modeler API",
    "IP allowlist",
    "Connector Secrets",
    "Members",
    "Backups",
    // Any valid Administration API token.
    "any",
    // No token at all.
    "none",
];

#[test]
fn every_operation_names_the_scope_it_needs() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/camunda-admin.json");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("readable")).expect("JSON");
    let operations = camunda_admin_codegen::corrections::operations(&doc);
    assert!(operations.len() >= 43, "{} operations", operations.len());
    for (path, method, op) in operations {
        let id = op["operationId"].as_str().unwrap_or("?");
        let scope = op.get("x-camunda-scope").and_then(Value::as_str);
        assert!(
            scope.is_some_and(|s| SCOPES.contains(&s)),
            "{id} ({} {path}) has no known x-camunda-scope: {scope:?}; add one of {SCOPES:?}",
            method.to_uppercase()
        );
        let anonymous = op
            .get("security")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty);
        assert_eq!(
            scope == Some("none"),
            anonymous,
            "{id}: scope none exactly when no token is sent"
        );
    }
}
