//! A fact about an operation lives in the operation table, never in a
//! string somewhere else: the hand-written code of the SDK (`src/`), the
//! command line (`cli/src/`) and the generator (`codegen/src/generate/`)
//! holds no string literal equal to an operationId of the document. It
//! matches on `OperationId` or reads the table instead. Tests (`#[cfg(test)]`
//! items, `tests.rs` and `*_tests.rs` files) may name operations; the
//! corrections, which describe the published document's defects, are not
//! scanned.

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
};

use syn::visit::Visit;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen sits in the workspace")
        .to_path_buf()
}

fn operation_ids() -> BTreeSet<String> {
    let text = std::fs::read_to_string(workspace().join("openapi/camunda-admin.json"))
        .expect("the project's document");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let paths = doc["paths"].as_object().expect("paths");
    paths
        .values()
        .filter_map(serde_json::Value::as_object)
        .flat_map(|item| item.values())
        .filter_map(|op| op.get("operationId")?.as_str().map(str::to_owned))
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
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

fn is_test_file(path: &Path) -> bool {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
    stem.is_some_and(|s| s == "tests" || s.ends_with("_tests"))
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Meta>()
                .is_ok_and(|m| m.path().is_ident("test"))
    })
}

/// String literals equal to an operationId, with their lines.
struct Finder<'a> {
    ids: &'a BTreeSet<String>,
    found: Vec<(usize, String)>,
}

impl Finder<'_> {
    fn check(&mut self, value: &str, line: usize) {
        if self.ids.contains(value) {
            self.found.push((line, value.to_owned()));
        }
    }

    /// Literals inside macro calls (`format!`, `json!`, `matches!`), which
    /// syn leaves as tokens.
    fn tokens(&mut self, tokens: proc_macro2::TokenStream) {
        for token in tokens {
            match token {
                proc_macro2::TokenTree::Literal(literal) => {
                    if let Ok(syn::Lit::Str(s)) = syn::parse_str::<syn::Lit>(&literal.to_string()) {
                        self.check(&s.value(), literal.span().start().line);
                    }
                }
                proc_macro2::TokenTree::Group(group) => self.tokens(group.stream()),
                _ => {}
            }
        }
    }
}

impl<'ast> Visit<'ast> for Finder<'_> {
    fn visit_lit_str(&mut self, lit: &'ast syn::LitStr) {
        self.check(&lit.value(), lit.span().start().line);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.tokens(mac.tokens.clone());
    }

    // Doc comments describe; they state no fact the code acts on.
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if !is_cfg_test(&item.attrs) {
            syn::visit::visit_item_mod(self, item);
        }
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        if !is_cfg_test(&item.attrs) {
            syn::visit::visit_item_fn(self, item);
        }
    }
}

fn literals_in(folders: &[&str], ids: &BTreeSet<String>) -> Vec<String> {
    let root = workspace();
    let mut files = Vec::new();
    for folder in folders {
        rust_files(&root.join(folder), &mut files);
    }
    files.sort();
    assert!(files.len() > 5, "the sources of {folders:?} were read");
    let mut found = Vec::new();
    for file in files.iter().filter(|f| !is_test_file(f)) {
        let text = std::fs::read_to_string(file).expect("readable");
        let syntax = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let mut finder = Finder {
            ids,
            found: Vec::new(),
        };
        finder.visit_file(&syntax);
        let name = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .display()
            .to_string();
        found.extend(
            finder
                .found
                .into_iter()
                .map(|(line, id)| format!("{name}:{line}: \"{id}\"")),
        );
    }
    found
}

#[test]
fn hand_written_code_names_no_operation_by_string() {
    let ids = operation_ids();
    assert!(
        ids.len() >= 40,
        "the document's ids were read: {}",
        ids.len()
    );
    let found = literals_in(&["src", "cli/src", "codegen/src/generate"], &ids);
    assert!(
        found.is_empty(),
        "operationIds written as strings (match on OperationId or read the operation table):\n{}",
        found.join("\n")
    );
}

#[test]
fn a_literal_in_code_or_a_macro_is_found_and_a_test_module_is_not() {
    let ids: BTreeSet<String> = ["GetCluster".to_owned()].into();
    let code = r#"
        fn f() -> bool { let id = "GetCluster"; matches!(id, "GetCluster") }
        /// "GetCluster" in a doc comment
        fn g() {}
        #[cfg(test)]
        mod tests { fn t() { let _ = "GetCluster"; } }
    "#;
    let syntax = syn::parse_file(code).expect("Rust");
    let mut finder = Finder {
        ids: &ids,
        found: Vec::new(),
    };
    finder.visit_file(&syntax);
    assert_eq!(finder.found.len(), 2, "{:?}", finder.found);
}
