//! Generates the typed bindings of the Administration API.
//!
//! Reads the project's OpenAPI document (or the file named by
//! `CAMUNDA_ADMIN_SPEC`), checks that it has what the hand-written code
//! needs, hands it to `camunda-admin-codegen` (corrections, progenitor, open
//! enums, the `Client` methods, the tables) and writes to `$OUT_DIR`: the
//! bindings (`src/api.rs` includes them), the operation table
//! (`src/operation.rs`) and the scope table (the crate docs).
//!
//! A document without the project's `x-camunda-*` facts (the published
//! one, say) takes them from the project's own document by operationId.

use std::{env, fs, path::PathBuf};

const DEFAULT_SPEC: &str = "openapi/camunda-admin.json";
const SPEC_ENV: &str = "CAMUNDA_ADMIN_SPEC";

fn main() {
    println!("cargo:rerun-if-env-changed={SPEC_ENV}");
    let spec_path = env::var_os(SPEC_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_SPEC));
    println!("cargo:rerun-if-changed={}", spec_path.display());

    let source = spec_path.display().to_string();
    let text = fs::read_to_string(&spec_path)
        .unwrap_or_else(|e| panic!("cannot read the OpenAPI document {source}: {e}"));
    // serde_json's message names the line and column.
    let doc: serde_json::Value = match serde_json::from_str(&text) {
        Ok(doc) => doc,
        Err(e) => return fail(&format!("{source} is not JSON: {e}")),
    };
    // One message naming what is wrong or missing, instead of a panic in
    // the generator or compiler errors in the hand-written code.
    use camunda_admin_codegen::requirements;
    if let Err(e) = requirements::check_readable(&doc, &source) {
        return fail(&e.to_string());
    }
    if let Err(missing) = requirements::check_uncorrected(&doc, &source) {
        return fail(&missing.to_string());
    }
    let project = if spec_path == std::path::Path::new(DEFAULT_SPEC) {
        None
    } else {
        println!("cargo:rerun-if-changed={DEFAULT_SPEC}");
        let text = fs::read_to_string(DEFAULT_SPEC)
            .unwrap_or_else(|e| panic!("cannot read the project's document {DEFAULT_SPEC}: {e}"));
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(project) => Some(project),
            Err(e) => return fail(&format!("{DEFAULT_SPEC} is not JSON: {e}")),
        }
    };
    let bindings = match camunda_admin_codegen::generate::bindings(doc, project.as_ref()) {
        Ok(bindings) => bindings,
        Err(e) => return fail(&format!("cannot generate bindings from {source}: {e}")),
    };
    if !bindings.without_facts.is_empty() {
        println!(
            "cargo::warning={}",
            printable(&format!(
                "operations of {source} that {DEFAULT_SPEC} does not describe get the safe defaults (resent by the method rule only, no read first, treated as carrying secrets, no wait, a derived command name): {}",
                bindings.without_facts.join(", ")
            ))
        );
    }
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let files = [
        ("camunda_admin_api.rs", bindings.api),
        ("operations.rs", bindings.operations),
        ("scopes.md", bindings.scope_table),
    ];
    for (name, contents) in files {
        fs::write(out.join(name), contents)
            .unwrap_or_else(|e| panic!("cannot write {name} to OUT_DIR: {e}"));
    }
}

/// Fail the build with `message` (cargo shows it as the error).
fn fail(message: &str) {
    println!("cargo::error={}", printable(message));
}

/// A message quoting the document, on one line with no control character:
/// a newline in a document must never become a cargo directive.
fn printable(message: &str) -> String {
    camunda_admin_codegen::printable(message)
}
