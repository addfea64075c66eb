//! The list against documents, and the list against the hand-written code.

use super::*;
use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use syn::visit::Visit;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen sits in the workspace")
        .to_path_buf()
}

fn project_document() -> Value {
    let text = std::fs::read_to_string(workspace().join("openapi/camunda-admin.json"))
        .expect("the project's document");
    let mut doc: Value = serde_json::from_str(&text).expect("JSON");
    corrections::apply(&mut doc);
    doc
}

#[test]
fn the_projects_document_has_everything() {
    assert_eq!(
        check(&project_document(), "openapi/camunda-admin.json"),
        Ok(())
    );
}

#[test]
fn a_document_without_them_names_each_missing_item() {
    let mut doc = project_document();
    let paths = doc["paths"].as_object_mut().expect("paths");
    let restore = paths
        .iter()
        .find(|(_, item)| {
            item.get("get").and_then(|op| op.get("operationId")) == Some(&json!("GetRestore"))
        })
        .map(|(path, _)| path.clone())
        .expect("GetRestore");
    paths[&restore].as_object_mut().expect("item").remove("get");
    let schemas = doc["components"]["schemas"]
        .as_object_mut()
        .expect("schemas");
    schemas.remove("RestoreDto");
    schemas["ClusterStatus"]["enum"] = json!(["Healthy", "Creating"]);

    let missing = check(&doc, "old.json").expect_err("incomplete");
    assert_eq!(missing.operations, vec!["GetRestore".to_owned()]);
    assert_eq!(missing.types, vec!["RestoreDto".to_owned()]);
    assert_eq!(
        missing.enum_values,
        ["ClusterStatus.Suspended", "ClusterStatus.WaitingForInput"]
    );
    let message = missing.to_string();
    assert!(
        message.starts_with(
            "the document old.json lacks what camunda-admin's hand-written code needs: \
             operations GetRestore; types RestoreDto; enum values ClusterStatus.Suspended, ClusterStatus.WaitingForInput; \
             build from a newer document"
        ),
        "{message}"
    );
}

#[test]
fn an_empty_document_lacks_everything_and_does_not_panic() {
    let missing = check_uncorrected(&json!({}), "empty.json").expect_err("empty");
    assert_eq!(missing.operations.len(), OPERATIONS.len());
    assert_eq!(missing.types.len(), TYPES.len());
    assert_eq!(missing.enum_values.len(), ENUM_VALUES.len());
    assert!(check_uncorrected(&json!([1, 2]), "array.json").is_err());
}

#[test]
fn the_august_2025_document_lacks_restores() {
    let path = workspace().join("../shared/upstream/console-api-1.3.3-2025-08.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("skipped: {} is absent", path.display());
        return;
    };
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    let missing = check_uncorrected(&doc, "2025-08").expect_err("older");
    // The emulator serves every operation of today's document, and the
    // waits read restores: the operations added since are all needed.
    assert_eq!(
        missing.operations,
        [
            "ActivateMonitoring",
            "ActivateSecureConnectivity",
            "CreateMonitoringClient",
            "DeactivateMonitoring",
            "DeactivateSecureConnectivity",
            "DeleteMonitoringClient",
            "DeleteSchedule",
            "GetMeta",
            "GetMonitoringClients",
            "GetRestore",
            "GetSchedule",
            "GetSecureConnectivityStatus",
            "RestoreFromBackup",
            "RotateMonitoringClientPassword",
            "TriggerFailover",
            "UpdateClusterEncryption",
            "UpdateSchedule"
        ]
    );
    assert_eq!(
        missing.types,
        [
            "BackupScheduleBody",
            "RestoreDto",
            "RestoreState",
            "TriggerFailoverBody",
            "UpdateClusterEncryptionBody"
        ]
    );
    assert_eq!(
        missing.enum_values,
        vec![
            "ClusterStatus.WaitingForInput".to_owned(),
            "RestoreState.ABORTED".to_owned(),
            "RestoreState.COMPLETED".to_owned(),
            "RestoreState.FAILED".to_owned()
        ]
    );
}

#[cfg(feature = "generate")]
#[test]
fn an_unreadable_document_is_located_by_a_json_pointer() {
    let doc = json!({ "openapi": "3.0.0", "info": { "title": "t", "version": "1" }, "paths": {
        "/clusters/{id}": { "get": { "operationId": "GetCluster",
            "parameters": [{ "in": "path", "required": true, "schema": { "type": "string" } }],
            "responses": {} } } } });
    let error = check_readable(&doc, "bad.json").expect_err("a parameter without a name");
    assert!(
        error
            .pointer
            .starts_with("/paths/~1clusters~1{id}/get/parameters/0"),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .starts_with("bad.json is not an OpenAPI 3.0 document"),
        "{error}"
    );
    assert_eq!(check_readable(&project_document(), "ours"), Ok(()));
}

/// What the hand-written code names, each with the first place naming it.
#[derive(Default)]
struct Uses {
    operations: BTreeMap<String, String>,
    types: BTreeMap<String, String>,
    /// (enum, variant as written in Rust).
    variants: BTreeMap<(String, String), String>,
}

/// A syn visitor of one file, given the document's operations by their
/// method names and its enums.
struct Scanner<'a> {
    file: String,
    methods: &'a BTreeMap<String, String>,
    /// `OperationId` variants to operation ids.
    variants_of_ids: &'a BTreeMap<String, String>,
    enums: &'a BTreeMap<String, Vec<String>>,
    /// Names brought in by `use ...::types::{Name}`.
    imported: BTreeSet<String>,
    uses: &'a mut Uses,
}

impl Scanner<'_> {
    fn record_type(&mut self, name: &str, next: Option<&str>, line: usize) {
        let at = format!("{}:{line}", self.file);
        self.uses
            .types
            .entry(name.to_owned())
            .or_insert_with(|| at.clone());
        // A variant starts upper-case; `Unknown` and `KNOWN` are the open
        // enum's own.
        if let Some(variant) = next.filter(|v| {
            v.starts_with(|c: char| c.is_ascii_uppercase()) && *v != "Unknown" && *v != "KNOWN"
        }) {
            if self.enums.contains_key(name) {
                self.uses
                    .variants
                    .entry((name.to_owned(), variant.to_owned()))
                    .or_insert(at);
            }
        }
    }
}

impl<'ast> Visit<'ast> for Scanner<'_> {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let line = path
            .segments
            .first()
            .map_or(0, |s| s.ident.span().start().line);
        // `OperationId::GetCsv`: a use of that operation.
        if let Some(index) = names.iter().position(|n| n == "OperationId") {
            if let Some(id) = names
                .get(index + 1)
                .and_then(|variant| self.variants_of_ids.get(variant))
            {
                self.uses
                    .operations
                    .entry(id.clone())
                    .or_insert_with(|| format!("{}:{line}", self.file));
            }
        }
        if let Some(index) = names.iter().position(|n| n == "types") {
            if let Some(name) = names.get(index + 1) {
                self.record_type(name, names.get(index + 2).map(String::as_str), line);
            }
        } else if let Some(first) = names.first().filter(|n| self.imported.contains(*n)) {
            let first = first.clone();
            self.record_type(&first, names.get(1).map(String::as_str), line);
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        collect_imports(&item.tree, false, &mut self.imported);
        for name in self.imported.clone() {
            let line = item.use_token.span.start().line;
            self.uses
                .types
                .entry(name)
                .or_insert_with(|| format!("{}:{line}", self.file));
        }
        syn::visit::visit_item_use(self, item);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // `vec![types::X { .. }]`, `assert!(..)`: bodies that are
        // expressions are read too; others (`json!`) are skipped.
        use syn::parse::Parser;
        let exprs = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        if let Ok(exprs) = exprs.parse2(mac.tokens.clone()) {
            for expr in &exprs {
                self.visit_expr(expr);
            }
        }
        syn::visit::visit_macro(self, mac);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let method = call.method.to_string();
        if let Some(id) = self.methods.get(&method) {
            let line = call.method.span().start().line;
            self.uses
                .operations
                .entry(id.clone())
                .or_insert_with(|| format!("{}:{line}", self.file));
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}

/// Names imported from a module called `types`.
fn collect_imports(tree: &syn::UseTree, under_types: bool, out: &mut BTreeSet<String>) {
    match tree {
        syn::UseTree::Path(path) => collect_imports(&path.tree, path.ident == "types", out),
        syn::UseTree::Group(group) => {
            for item in &group.items {
                collect_imports(item, under_types, out);
            }
        }
        syn::UseTree::Name(name) if under_types => {
            out.insert(name.ident.to_string());
        }
        syn::UseTree::Rename(rename) if under_types => {
            out.insert(rename.ident.to_string());
        }
        _ => {}
    }
}

fn rust_files(folder: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The variant name the generator gives an enum value.
fn variant_name(value: &str) -> String {
    let name = value.to_upper_camel_case();
    match name.as_str() {
        "" => "Unspecified".to_owned(),
        "Unknown" => "UnknownValue".to_owned(),
        _ if name.starts_with(|c: char| c.is_ascii_digit()) => format!("V{name}"),
        _ => name,
    }
}

fn scan_hand_written_code(doc: &Value) -> Uses {
    let methods: BTreeMap<String, String> = corrections::operations(doc)
        .into_iter()
        .filter_map(|(_, _, op)| {
            op.get("operationId")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .map(|id| (id.to_snake_case(), id))
        .collect();
    let variants_of_ids: BTreeMap<String, String> = methods
        .values()
        .map(|id| (id.to_upper_camel_case(), id.clone()))
        .collect();
    let enums = corrections::string_enums(doc);
    let root = workspace();
    let mut files = Vec::new();
    // src/ holds the library and the emulator, cli/src the command line.
    for folder in ["src", "cli/src", "examples"] {
        rust_files(&root.join(folder), &mut files);
    }
    files.sort();
    let mut uses = Uses::default();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable source");
        let syntax = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let name = file
            .strip_prefix(&root)
            .unwrap_or(&file)
            .display()
            .to_string();
        Scanner {
            file: name,
            methods: &methods,
            variants_of_ids: &variants_of_ids,
            enums: &enums,
            imported: BTreeSet::new(),
            uses: &mut uses,
        }
        .visit_file(&syntax);
    }
    uses
}

#[test]
fn the_list_has_everything_the_hand_written_code_names() {
    let doc = project_document();
    let enums = corrections::string_enums(&doc);
    let uses = scan_hand_written_code(&doc);
    let mut lines = Vec::new();
    for (id, at) in &uses.operations {
        if !OPERATIONS.iter().any(|(listed, _)| listed == id) {
            lines.push(format!("OPERATIONS: (\"{id}\", \"{}\"),", file_of(at)));
        }
    }
    let known_types: BTreeSet<&str> = doc["components"]["schemas"]
        .as_object()
        .map(|s| s.keys().map(String::as_str).collect())
        .unwrap_or_default();
    for (name, at) in &uses.types {
        // Only names of the document's types: `types` may be another module.
        if known_types.contains(name.as_str()) && !TYPES.iter().any(|(listed, _)| listed == name) {
            lines.push(format!("TYPES: (\"{name}\", \"{}\"),", file_of(at)));
        }
    }
    for ((name, variant), at) in &uses.variants {
        let value = enums[name].iter().find(|v| variant_name(v) == *variant);
        let listed = ENUM_VALUES
            .iter()
            .any(|(n, v, _)| n == name && Some(&v.to_string()) == value);
        match value {
            Some(value) if !listed => lines.push(format!(
                "ENUM_VALUES: (\"{name}\", \"{value}\", \"{}\"),",
                file_of(at)
            )),
            None => lines.push(format!(
                "{at} names {name}::{variant}, which the project's document does not have"
            )),
            _ => {}
        }
    }
    assert!(
        lines.is_empty(),
        "hand-written code uses what codegen/src/requirements.rs does not list; add to the list:\n{}",
        lines.join("\n")
    );
}

#[test]
fn the_list_names_nothing_the_hand_written_code_does_not_use() {
    let uses = scan_hand_written_code(&project_document());
    let mut lines = Vec::new();
    for (id, _) in OPERATIONS
        .iter()
        .filter(|(id, _)| !uses.operations.contains_key(*id))
    {
        lines.push(format!("OPERATIONS: \"{id}\""));
    }
    for (name, _) in TYPES
        .iter()
        .filter(|(name, _)| !uses.types.contains_key(*name))
    {
        lines.push(format!("TYPES: \"{name}\""));
    }
    for (name, value, _) in ENUM_VALUES {
        if !uses
            .variants
            .contains_key(&(name.to_string(), variant_name(value)))
        {
            lines.push(format!("ENUM_VALUES: (\"{name}\", \"{value}\")"));
        }
    }
    assert!(
        lines.is_empty(),
        "codegen/src/requirements.rs lists what no hand-written code uses (it would refuse older documents for nothing); remove:\n{}",
        lines.join("\n")
    );
}

fn file_of(at: &str) -> &str {
    at.rsplit_once(':').map_or(at, |(file, _)| file)
}
