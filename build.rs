//! Generates the typed bindings of the Administration API.
//!
//! Reads the project's OpenAPI document (or the file named by
//! `CAMUNDA_ADMIN_SPEC`), checks that it has what the hand-written code
//! needs, hands it to `camunda-admin-codegen` (corrections, progenitor, open
//! enums, the `Client` methods, the tables) and writes to `$OUT_DIR`: the
//! bindings (`src/api.rs` includes them), the operation table
//! (`src/operation.rs`), the command table (the `camunda-admin` binary) and
//! the scope table (the crate docs).

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
    let bindings = match camunda_admin_codegen::generate::bindings(doc) {
        Ok(bindings) => bindings,
        Err(e) => return fail(&format!("cannot generate bindings from {source}: {e}")),
    };
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let files = [
        ("camunda_admin_api.rs", bindings.api),
        ("operations.rs", bindings.operations),
        ("cli.rs", bindings.cli),
        ("scopes.md", bindings.scope_table),
    ];
    for (name, contents) in files {
        fs::write(out.join(name), contents)
            .unwrap_or_else(|e| panic!("cannot write {name} to OUT_DIR: {e}"));
    }
}

/// Fail the build with `message` (cargo shows it as the error).
fn fail(message: &str) {
    println!("cargo::error={message}");
}
