//! Names and texts from a document reach the terminal escaped: a schema
//! name holding escape sequences and a newline cannot retitle or clear the
//! terminal, nor forge a line of the report.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use xtask::cli::{self, EXIT_DRIFT, EXIT_OK};

/// Sets the terminal's title (OSC 0 ... BEL), clears the screen (CSI 2J),
/// then forges a report line.
const HOSTILE: &str = "Evil\u{1b}]0;owned\u{7}\u{1b}[2J\nFAKE: no drift";

fn vendored() -> Value {
    json!({
        "openapi": "3.0.0",
        "info": { "title": "t", "version": "1" },
        "paths": { "/widgets": { "get": {
            "operationId": "GetWidgets",
            "x-camunda-scope": "Cluster",
            "responses": { "200": { "description": "ok", "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/Widget" } } } } } } } },
        "components": { "schemas": {
            "Widget": { "type": "object", "properties": { "id": { "type": "string" },
                        "color": { "type": "string", "enum": ["red"] } } } } }
    })
}

/// The vendored document with hostile names in every place a report names.
fn hostile() -> Value {
    let mut doc = vendored();
    doc["components"]["schemas"][HOSTILE] = json!({ "type": "object" });
    let widget = &mut doc["components"]["schemas"]["Widget"];
    widget["properties"][HOSTILE] = json!({ "type": "string" });
    widget["properties"]["color"]["enum"] = json!(["red", HOSTILE]);
    widget["properties"]["id"]["format"] = json!(HOSTILE);
    doc["paths"][format!("/{HOSTILE}")] =
        json!({ "get": { "operationId": HOSTILE, "responses": { "204": { "description": "" } } } });
    doc
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("xtask-hostile-names")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(args: &[&str]) -> (i32, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cli::run(args.iter().copied(), &mut out, &mut err);
    let text = String::from_utf8(out).unwrap() + &String::from_utf8(err).unwrap();
    (code, text)
}

fn assert_inert(text: &str) {
    let raw: Vec<char> = text
        .chars()
        .filter(|c| c.is_control() && *c != '\n')
        .collect();
    assert!(raw.is_empty(), "raw control characters {raw:?} in:\n{text}");
    assert!(
        !text
            .lines()
            .any(|line| line.trim_start().starts_with("FAKE")),
        "a forged line:\n{text}"
    );
    assert!(
        text.contains("Evil\\u{1b}]0;owned\\u{7}\\u{1b}[2J\\u{a}FAKE: no drift"),
        "{text}"
    );
}

#[test]
fn check_spec_text_report_escapes_hostile_names() {
    let dir = scratch("check");
    let (vendored_path, source_path) = (dir.join("vendored.json"), dir.join("source.json"));
    std::fs::write(&vendored_path, vendored().to_string()).unwrap();
    std::fs::write(&source_path, hostile().to_string()).unwrap();
    let (code, text) = run(&[
        "check-spec",
        "--against",
        source_path.to_str().unwrap(),
        "--spec",
        vendored_path.to_str().unwrap(),
    ]);
    assert_eq!(code, EXIT_DRIFT, "{text}");
    assert_inert(&text);
}

#[test]
fn update_spec_text_report_escapes_hostile_names() {
    let dir = scratch("update");
    let (vendored_path, source_path) = (dir.join("vendored.json"), dir.join("source.json"));
    std::fs::write(&vendored_path, vendored().to_string()).unwrap();
    std::fs::write(&source_path, hostile().to_string()).unwrap();
    let (code, text) = run(&[
        "update-spec",
        "--from",
        source_path.to_str().unwrap(),
        "--spec",
        vendored_path.to_str().unwrap(),
        "--dry-run",
        "--force",
    ]);
    assert_eq!(code, EXIT_OK, "{text}");
    assert_inert(&text);
}
