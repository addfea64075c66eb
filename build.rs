//! Generates the typed bindings of the Administration API.
//!
//! Reads the project's OpenAPI document (or the file named by
//! `CAMUNDA_ADMIN_SPEC`), hands it to `camunda-admin-codegen` (corrections,
//! progenitor, open enums, the `Client` methods, the operation table) and
//! writes `$OUT_DIR/camunda_admin_api.rs`, which `src/api.rs` includes.

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
    let doc: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{source} is not JSON: {e}"));
    let bindings = camunda_admin_codegen::generate::bindings(doc)
        .unwrap_or_else(|e| panic!("cannot generate bindings from {source}: {e}"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out.join("camunda_admin_api.rs"), bindings.api)
        .expect("cannot write the generated bindings");
    fs::write(out.join("operations.rs"), bindings.operations)
        .expect("cannot write the operation table");
    fs::write(out.join("cli.rs"), bindings.cli).expect("cannot write the command table");
    fs::write(out.join("scopes.md"), bindings.scope_table).expect("cannot write the scope table");
}
