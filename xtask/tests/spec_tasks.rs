//! `check-spec` and `update-spec` against small documents served by
//! httpmock on loopback.

use httpmock::{Method::GET, MockServer};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use xtask::cli::{self, EXIT_DRIFT, EXIT_ERROR, EXIT_OK};
use xtask::drift::FieldChange;
use xtask::report::field_line;
use xtask::report::CheckReport;
use xtask::spec_source::{FetchOptions, Source, SpecError};
use xtask::tasks::{self, CheckOptions, TaskError, UpdateOptions};

/// The facts every test starts from, with prose as the vendor writes it.
fn upstream() -> Value {
    json!({
        "openapi": "3.0.0",
        "info": { "title": "Upstream title", "description": "Upstream info prose.", "version": "1.3.3",
                  "contact": { "name": "Vendor" } },
        "servers": [{ "url": "https://api.example.test" }],
        "paths": {
            "/widgets": {
                "get": {
                    "operationId": "GetWidgets",
                    "description": "Upstream: lists the widgets.",
                    "parameters": [{
                        "name": "limit", "in": "query", "required": false,
                        "description": "Upstream: how many.",
                        "schema": { "type": "integer", "format": "int32" }
                    }],
                    "responses": {
                        "200": {
                            "description": "Upstream: the widgets.",
                            "content": { "application/json": { "schema": {
                                "type": "array", "items": { "$ref": "#/components/schemas/Widget" } } } }
                        },
                        "500": { "description": "Upstream: failure." }
                    }
                },
                "post": {
                    "operationId": "CreateWidget",
                    "summary": "Upstream summary",
                    "requestBody": {
                        "required": true,
                        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CreateWidgetBody" } } }
                    },
                    "responses": {
                        "200": {
                            "description": "Upstream: created.",
                            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Widget" } } }
                        }
                    }
                }
            }
        },
        "components": {
            "schemas": {
                "Widget": {
                    "type": "object",
                    "description": "Upstream: a widget.",
                    "properties": {
                        "id": { "type": "string", "description": "Upstream: the id." },
                        "size": { "type": "integer", "description": "Upstream: the size." },
                        "description": { "type": "string", "description": "Upstream: free text of the widget." },
                        "color": { "$ref": "#/components/schemas/Color" }
                    },
                    "required": ["id", "size"]
                },
                "Color": { "type": "string", "enum": ["red", "green"], "description": "Upstream: a color." },
                "CreateWidgetBody": {
                    "type": "object",
                    "properties": { "size": { "type": "integer", "title": "Upstream size title" } },
                    "required": ["size"]
                }
            }
        }
    })
}

/// The vendored form of [`upstream`]: the same facts, the project's prose.
fn vendored() -> Value {
    json!({
        "openapi": "3.0.0",
        "info": { "title": "Our title", "description": "Our info prose.", "version": "1.3.3" },
        "servers": [{ "url": "https://api.example.test" }],
        "paths": {
            "/widgets": {
                "get": {
                    "operationId": "GetWidgets",
                    "summary": "List widgets",
                    "description": "Ours: every widget.",
                    "parameters": [{
                        "name": "limit", "in": "query", "required": false,
                        "description": "Ours: page size.",
                        "schema": { "type": "integer", "format": "int32" }
                    }],
                    "responses": {
                        "200": {
                            "description": "Ours: widgets.",
                            "content": { "application/json": { "schema": {
                                "type": "array", "items": { "$ref": "#/components/schemas/Widget" } } } }
                        },
                        "500": { "description": "Ours: server error." }
                    }
                },
                "post": {
                    "operationId": "CreateWidget",
                    "summary": "Create a widget",
                    "requestBody": {
                        "required": true,
                        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CreateWidgetBody" } } }
                    },
                    "responses": {
                        "200": {
                            "description": "Ours: the new widget.",
                            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Widget" } } }
                        }
                    }
                }
            }
        },
        "components": {
            "schemas": {
                "Widget": {
                    "type": "object",
                    "description": "Ours: one widget.",
                    "properties": {
                        "id": { "type": "string", "description": "Ours: id." },
                        "size": { "type": "integer", "description": "Ours: size." },
                        "description": { "type": "string", "description": "Ours: a note." },
                        "color": { "$ref": "#/components/schemas/Color" }
                    },
                    "required": ["id", "size"]
                },
                "Color": { "type": "string", "enum": ["red", "green"], "description": "Ours: color." },
                "CreateWidgetBody": {
                    "type": "object",
                    "properties": { "size": { "type": "integer", "title": "Ours: size" } },
                    "required": ["size"]
                }
            }
        }
    })
}

/// The changes as `check-spec` prints them.
fn lines(changes: &[FieldChange]) -> Vec<String> {
    changes.iter().map(field_line).collect()
}

/// A fresh folder for one test under Cargo's test temp dir.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("xtask-spec-tasks")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Write `doc` as the vendored document in a fresh folder.
fn vendored_file(name: &str, doc: &Value) -> PathBuf {
    let path = scratch(name).join("camunda-admin.json");
    std::fs::write(&path, serde_json::to_string_pretty(doc).unwrap() + "\n").unwrap();
    path
}

/// Serve `body` with `status` at `/swagger.json`; returns the URL.
fn serve(server: &MockServer, status: u16, body: &str) -> String {
    server.mock(|when, then| {
        when.method(GET).path("/swagger.json");
        then.status(status)
            .header("content-type", "application/json")
            .body(body);
    });
    server.url("/swagger.json")
}

fn check(vendored: &Path, url: &str) -> Result<CheckReport, TaskError> {
    tasks::check_spec(&CheckOptions {
        vendored: vendored.to_owned(),
        source: Source::parse(url),
        fetch: FetchOptions::default(),
    })
}

fn run(args: &[&str]) -> (i32, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cli::run(args.iter().copied(), &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn check_cli(vendored: &Path, url: &str, json: bool) -> (i32, String, String) {
    let spec = vendored.to_str().unwrap();
    let mut args = vec!["check-spec", "--against", url, "--spec", spec];
    if json {
        args.push("--json");
    }
    run(&args)
}

#[test]
fn same_facts_is_no_drift() {
    let server = MockServer::start();
    let url = serve(&server, 200, &upstream().to_string());
    let vendored = vendored_file("no-drift", &vendored());

    let report = check(&vendored, &url).unwrap();
    assert!(!report.drift_found, "{report:#?}");
    assert!(report.drift.is_empty());

    let (code, out, err) = check_cli(&vendored, &url, false);
    assert_eq!(code, EXIT_OK, "{out}{err}");
    assert!(out.contains("no drift"), "{out}");
}

#[test]
fn a_change_only_in_prose_examples_and_info_is_no_drift() {
    let mut source = vendored();
    source["paths"]["/widgets"]["get"]["description"] = json!("Completely rewritten.");
    source["paths"]["/widgets"]["get"]["summary"] = json!("Another summary");
    source["paths"]["/widgets"]["get"]["responses"]["200"]["content"]["application/json"]
        ["examples"] = json!({ "one": { "value": [{ "id": "w1", "size": 3 }] } });
    source["components"]["schemas"]["Widget"]["properties"]["size"]["example"] = json!(42);
    source["components"]["schemas"]["Widget"]["properties"]["size"]["description"] =
        json!("Rewritten too.");
    source["components"]["schemas"]["CreateWidgetBody"]["properties"]["size"]["title"] =
        json!("New title");
    source["components"]["schemas"]["Color"]["description"] = json!("Colors!");
    source["info"]["version"] = json!("9.9.9");
    source["info"]["description"] = json!("Other info prose.");
    let server = MockServer::start();
    let url = serve(&server, 200, &source.to_string());
    let vendored = vendored_file("prose-only", &vendored());

    let (code, out, err) = check_cli(&vendored, &url, false);
    assert_eq!(code, EXIT_OK, "{out}{err}");
    assert!(out.contains("no drift"), "{out}");
}

#[test]
fn an_added_operation_is_drift() {
    let mut source = upstream();
    source["paths"]["/widgets/{widgetId}"] = json!({
        "delete": {
            "operationId": "DeleteWidget",
            "parameters": [{ "name": "widgetId", "in": "path", "required": true, "schema": { "type": "string" } }],
            "responses": { "204": { "description": "Gone." } }
        }
    });
    let server = MockServer::start();
    let url = serve(&server, 200, &source.to_string());
    let vendored = vendored_file("added-operation", &vendored());

    let report = check(&vendored, &url).unwrap();
    assert!(report.drift_found);
    let added = &report.drift.operations.added;
    assert_eq!(added.len(), 1);
    assert_eq!(
        (added[0].method.as_str(), added[0].path.as_str()),
        ("DELETE", "/widgets/{widgetId}")
    );
    assert_eq!(added[0].operation_id.as_deref(), Some("DeleteWidget"));
    assert!(report.drift.operations.removed.is_empty());
    assert!(report.drift.operations.changed.is_empty());

    let (code, out, _) = check_cli(&vendored, &url, false);
    assert_eq!(code, EXIT_DRIFT);
    assert!(out.contains("Operations added (1):"), "{out}");
    assert!(
        out.contains("+ DELETE /widgets/{widgetId}  [DeleteWidget]"),
        "{out}"
    );

    // The same data for machines.
    let (code, out, _) = check_cli(&vendored, &url, true);
    assert_eq!(code, EXIT_DRIFT);
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["drift_found"], json!(true));
    assert_eq!(
        json["drift"]["operations"]["added"][0]["operation_id"],
        json!("DeleteWidget")
    );
}

#[test]
fn a_removed_operation_and_a_removed_field_are_drift() {
    let mut source = upstream();
    source["paths"]["/widgets"]
        .as_object_mut()
        .unwrap()
        .remove("post");
    source["components"]["schemas"]["Widget"]["properties"]
        .as_object_mut()
        .unwrap()
        .remove("description");
    let server = MockServer::start();
    let url = serve(&server, 200, &source.to_string());
    let vendored = vendored_file("removed-field", &vendored());

    let report = check(&vendored, &url).unwrap();
    let removed = &report.drift.operations.removed;
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].operation_id.as_deref(), Some("CreateWidget"));

    let widget = report
        .drift
        .schemas
        .changed
        .iter()
        .find(|s| s.name == "Widget")
        .unwrap();
    assert_eq!(
        lines(&widget.changes),
        vec!["- description: string, optional"]
    );
    assert_eq!(widget.used_by, vec!["CreateWidget", "GetWidgets"]);
    // Reported once, under the schema: the operations answering Widget
    // name it and do not repeat its changes.
    assert!(
        report.drift.operations.changed.is_empty(),
        "{:?}",
        report.drift.operations.changed
    );

    let (code, out, _) = check_cli(&vendored, &url, false);
    assert_eq!(code, EXIT_DRIFT);
    assert!(out.contains("- POST /widgets  [CreateWidget]"), "{out}");
    assert!(
        out.contains(
            "~ Widget  (used by CreateWidget, GetWidgets)\n      - description: string, optional"
        ),
        "{out}"
    );
}

#[test]
fn a_changed_type_and_required_ness_are_drift() {
    let mut source = upstream();
    source["components"]["schemas"]["Widget"]["properties"]["size"] =
        json!({ "type": "number", "format": "double" });
    source["components"]["schemas"]["Widget"]["required"] = json!(["id"]);
    source["paths"]["/widgets"]["get"]["parameters"][0]["schema"] = json!({ "type": "string" });
    source["paths"]["/widgets"]["get"]["parameters"][0]["required"] = json!(true);
    let server = MockServer::start();
    let url = serve(&server, 200, &source.to_string());
    let vendored = vendored_file("changed-type", &vendored());

    let report = check(&vendored, &url).unwrap();
    let widget = report
        .drift
        .schemas
        .changed
        .iter()
        .find(|s| s.name == "Widget")
        .unwrap();
    let widget_lines = lines(&widget.changes);
    assert!(
        widget_lines.contains(&"~ size: type integer → number(double)".to_owned()),
        "{widget_lines:?}"
    );
    assert!(
        widget_lines.contains(&"~ size: now optional".to_owned()),
        "{widget_lines:?}"
    );
    let get = report
        .drift
        .operations
        .changed
        .iter()
        .find(|o| o.method == "GET")
        .unwrap();
    let parameter_lines = lines(&get.parameters);
    assert!(
        parameter_lines.contains(&"~ limit (query): type integer(int32) → string".to_owned()),
        "{parameter_lines:?}"
    );
    assert!(
        parameter_lines.contains(&"~ limit (query): now required".to_owned()),
        "{parameter_lines:?}"
    );

    let (code, out, _) = check_cli(&vendored, &url, false);
    assert_eq!(code, EXIT_DRIFT);
    assert!(
        out.contains("~ size: type integer → number(double)"),
        "{out}"
    );
    assert!(
        out.contains("~ limit (query): type integer(int32) → string"),
        "{out}"
    );
}

#[test]
fn a_new_enum_value_is_drift() {
    let mut source = upstream();
    source["components"]["schemas"]["Color"]["enum"] = json!(["red", "green", "blue"]);
    let server = MockServer::start();
    let url = serve(&server, 200, &source.to_string());
    let vendored = vendored_file("enum-value", &vendored());

    let report = check(&vendored, &url).unwrap();
    let color = report
        .drift
        .schemas
        .changed
        .iter()
        .find(|s| s.name == "Color")
        .unwrap();
    assert_eq!(
        lines(&color.changes),
        vec!["~ (schema): enum values added: blue"]
    );
    let (code, out, _) = check_cli(&vendored, &url, false);
    assert_eq!(code, EXIT_DRIFT);
    assert!(out.contains("~ (schema): enum values added: blue"), "{out}");
}

#[test]
fn new_status_codes_and_a_new_request_field_are_drift() {
    let mut source = upstream();
    source["paths"]["/widgets"]["post"]["responses"]["409"] = json!({ "description": "Conflict." });
    source["components"]["schemas"]["CreateWidgetBody"]["properties"]["name"] =
        json!({ "type": "string" });
    let server = MockServer::start();
    let url = serve(&server, 200, &source.to_string());
    let vendored = vendored_file("status-codes", &vendored());

    let report = check(&vendored, &url).unwrap();
    let post = report
        .drift
        .operations
        .changed
        .iter()
        .find(|o| o.method == "POST")
        .unwrap();
    assert_eq!(post.status_codes_added, vec!["409".to_owned()]);
    assert!(
        post.request_body.is_empty(),
        "the change belongs to CreateWidgetBody"
    );
    let body = report
        .drift
        .schemas
        .changed
        .iter()
        .find(|s| s.name == "CreateWidgetBody")
        .unwrap();
    assert_eq!(lines(&body.changes), vec!["+ name: string, optional"]);
}

#[test]
fn an_unreachable_source_exits_2() {
    // A loopback port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/swagger.json");
    let vendored = vendored_file("unreachable", &vendored());

    let error = check(&vendored, &url).unwrap_err();
    assert!(
        matches!(error, TaskError::Source(SpecError::Http { .. })),
        "{error:?}"
    );

    let (code, out, err) = check_cli(&vendored, &url, false);
    assert_eq!(code, EXIT_ERROR);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("cannot download"), "{err}");
}

#[test]
fn malformed_json_exits_2() {
    let server = MockServer::start();
    let url = serve(&server, 200, "{\"openapi\": \"3.0.0\", \"paths\": {");
    let vendored = vendored_file("malformed", &vendored());

    let error = check(&vendored, &url).unwrap_err();
    assert!(
        matches!(error, TaskError::Source(SpecError::NotJson { .. })),
        "{error:?}"
    );
    let (code, _, err) = check_cli(&vendored, &url, false);
    assert_eq!(code, EXIT_ERROR);
    assert!(err.contains("is not JSON"), "{err}");
}

#[test]
fn a_500_answer_exits_2() {
    let server = MockServer::start();
    let url = serve(&server, 500, "upstream exploded");
    let vendored = vendored_file("status-500", &vendored());

    let error = check(&vendored, &url).unwrap_err();
    assert!(
        matches!(
            error,
            TaskError::Source(SpecError::Status { status: 500, .. })
        ),
        "{error:?}"
    );
    let (code, _, err) = check_cli(&vendored, &url, false);
    assert_eq!(code, EXIT_ERROR);
    assert!(err.contains("answered HTTP 500"), "{err}");
    assert!(err.contains("upstream exploded"), "{err}");
}

#[test]
fn documents_the_generator_cannot_use_exit_2() {
    let vendored = vendored_file("invalid", &vendored());
    let mut v31 = upstream();
    v31["openapi"] = json!("3.1.0");
    let swagger =
        json!({ "swagger": "2.0", "info": { "title": "t", "version": "1" }, "paths": {} });
    let mut no_id = upstream();
    no_id["paths"]["/widgets"]["post"]
        .as_object_mut()
        .unwrap()
        .remove("operationId");
    for (doc, expected) in [
        (v31, "OpenAPI 3.1.0 is not supported"),
        (swagger, "Swagger 2.0"),
        (no_id, "lack an operationId: POST /widgets"),
    ] {
        let server = MockServer::start();
        let url = serve(&server, 200, &doc.to_string());
        let (code, _, err) = check_cli(&vendored, &url, false);
        assert_eq!(code, EXIT_ERROR, "{err}");
        assert!(err.contains(expected), "{err}");
    }
}

#[test]
fn corrections_the_source_no_longer_needs_are_listed() {
    let server = MockServer::start();
    let url = serve(&server, 200, &upstream().to_string());
    let vendored = vendored_file("retired", &vendored());

    let report = check(&vendored, &url).unwrap();
    let ids: Vec<&str> = report
        .corrections_no_longer_needed
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    // The small document has no CSV endpoint and no odd schema names ...
    assert!(ids.contains(&"csv-media-type"), "{ids:?}");
    assert!(ids.contains(&"rename-odd-schema-names"), "{ids:?}");
    // ... but it does have a schemaless error response.
    assert!(!ids.contains(&"uniform-error-bodies"), "{ids:?}");
    assert!(ids.iter().all(|id| xtask::correction_ids().contains(id)));

    let (_, out, _) = check_cli(&vendored, &url, false);
    assert!(out.contains("no longer needed: csv-media-type — "), "{out}");
    let (_, out, _) = check_cli(&vendored, &url, true);
    let json: Value = serde_json::from_str(&out).unwrap();
    assert!(json["corrections_no_longer_needed"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == json!("csv-media-type")));
}

#[test]
fn update_spec_carries_prose_over_and_writes_atomically() {
    let mut source = upstream();
    // New in the source: a field and an operation, with vendor prose.
    source["components"]["schemas"]["Widget"]["properties"]["weight"] =
        json!({ "type": "number", "description": "Upstream: weight in grams." });
    source["paths"]["/widgets/{widgetId}"] = json!({
        "delete": {
            "operationId": "DeleteWidget",
            "summary": "Upstream: delete",
            "parameters": [{ "name": "widgetId", "in": "path", "required": true, "schema": { "type": "string" } }],
            "responses": { "204": { "description": "Upstream: gone." } }
        }
    });
    let server = MockServer::start();
    let url = serve(&server, 200, &source.to_string());
    let path = vendored_file("update", &vendored());
    let folder = path.parent().unwrap().to_owned();
    let old_bytes = std::fs::read(&path).unwrap();
    // A second name for the old file: an in-place write would change it too.
    let old_link = folder.join("old-link.json");
    std::fs::hard_link(&path, &old_link).unwrap();

    let options = UpdateOptions {
        vendored: path.clone(),
        source: Source::parse(&url),
        dry_run: false,
        force: true,
        fetch: FetchOptions::default(),
    };
    let report = tasks::update_spec(&options).unwrap();
    assert!(report.written && report.file_changed);
    assert_eq!(report.changes.operations.added.len(), 1);
    assert!(report
        .needs_prose
        .contains(&"property: components/schemas/Widget/properties/weight".to_owned()));
    assert!(report
        .needs_prose
        .contains(&"operation: operations/DeleteWidget".to_owned()));
    // Only the outermost new item is listed, not the new operation's parts.
    assert!(
        !report
            .needs_prose
            .iter()
            .any(|item| item.contains("DeleteWidget/")),
        "{:?}",
        report.needs_prose
    );

    // Renamed into place: the old file is intact under its other name, and
    // no temporary file is left behind.
    assert_eq!(std::fs::read(&old_link).unwrap(), old_bytes);
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, vec!["camunda-admin.json", "old-link.json"]);

    let text = std::fs::read_to_string(&path).unwrap();
    let written: Value = serde_json::from_str(&text).unwrap();
    // Not one word of the vendor's prose, examples or info is kept.
    assert!(!text.contains("Upstream"), "{text}");
    assert!(!text.contains("Vendor"), "{text}");
    // The project's prose is carried over, matched by operationId, status
    // code, schema and property name.
    assert_eq!(
        written["info"],
        json!({ "title": "Our title", "description": "Our info prose.", "version": "1.3.3" })
    );
    let get = &written["paths"]["/widgets"]["get"];
    assert_eq!(get["summary"], json!("List widgets"));
    assert_eq!(get["description"], json!("Ours: every widget."));
    assert_eq!(
        get["parameters"][0]["description"],
        json!("Ours: page size.")
    );
    assert_eq!(
        get["responses"]["200"]["description"],
        json!("Ours: widgets.")
    );
    assert_eq!(
        written["paths"]["/widgets"]["post"]["summary"],
        json!("Create a widget")
    );
    let widget = &written["components"]["schemas"]["Widget"];
    assert_eq!(widget["description"], json!("Ours: one widget."));
    assert_eq!(
        widget["properties"]["id"]["description"],
        json!("Ours: id.")
    );
    // A property named `description` is a fact, with prose of its own.
    assert_eq!(
        widget["properties"]["description"],
        json!({ "type": "string", "description": "Ours: a note." })
    );
    assert_eq!(
        written["components"]["schemas"]["CreateWidgetBody"]["properties"]["size"]["title"],
        json!("Ours: size")
    );
    // New items carry the facts and no prose; a response keeps the
    // description OpenAPI requires, empty.
    assert_eq!(widget["properties"]["weight"], json!({ "type": "number" }));
    let delete = &written["paths"]["/widgets/{widgetId}"]["delete"];
    assert!(delete.get("summary").is_none());
    assert_eq!(delete["responses"]["204"], json!({ "description": "" }));

    // The stable form: sorted keys, two spaces, a trailing newline.
    assert!(
        text.starts_with("{\n  \"components\": {\n    \"schemas\": {\n"),
        "{text}"
    );
    assert!(text.ends_with("}\n"));

    // The source's facts are now vendored: no drift, and a second update
    // writes nothing.
    let (code, out, _) = check_cli(&path, &url, false);
    assert_eq!(code, EXIT_OK, "{out}");
    let again = tasks::update_spec(&options).unwrap();
    assert!(again.changes.is_empty() && !again.file_changed && !again.written);
    assert!(again.needs_prose.is_empty());
}

#[test]
fn update_spec_dry_run_writes_nothing() {
    let mut source = upstream();
    source["components"]["schemas"]["Color"]["enum"] = json!(["red", "green", "blue"]);
    let server = MockServer::start();
    let url = serve(&server, 200, &source.to_string());
    let path = vendored_file("dry-run", &vendored());
    let before = std::fs::read(&path).unwrap();
    let spec = path.to_str().unwrap();

    let (code, out, err) = run(&[
        "update-spec",
        "--from",
        &url,
        "--dry-run",
        "--force",
        "--spec",
        spec,
    ]);
    assert_eq!(code, EXIT_OK, "{err}");
    assert!(out.contains("~ (schema): enum values added: blue"), "{out}");
    assert!(out.contains("dry run: "), "{out}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn update_spec_keeps_a_missing_trailing_newline() {
    let server = MockServer::start();
    let url = serve(&server, 200, &upstream().to_string());
    let path = scratch("no-newline").join("camunda-admin.json");
    let options = UpdateOptions {
        vendored: path.clone(),
        source: Source::parse(&url),
        dry_run: false,
        force: true,
        fetch: FetchOptions::default(),
    };
    // Write the stable form without the newline, as Python's json.dump does.
    tasks::update_spec(&options).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.trim_end()).unwrap();

    let report = tasks::update_spec(&options).unwrap();
    assert!(!report.file_changed, "{report:?}");
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, err) = run(&["check-spec", "--bogus"]);
    assert_eq!(code, EXIT_ERROR);
    assert!(err.contains("unknown argument `--bogus`"), "{err}");
    let (code, _, err) = run(&["check-spec", "--dry-run"]);
    assert_eq!(code, EXIT_ERROR, "{err}");
    let (code, _, _) = run(&["frobnicate"]);
    assert_eq!(code, EXIT_ERROR);
    let (code, out, _) = run(&["help"]);
    assert_eq!(code, EXIT_OK);
    assert!(out.contains("cargo xtask check-spec"));
}

#[test]
fn a_renamed_operation_id_is_drift() {
    let mut source = upstream();
    source["paths"]["/widgets"]["get"]["operationId"] = json!("ListWidgets");
    let server = MockServer::start();
    let url = serve(&server, 200, &source.to_string());
    let vendored = vendored_file("renamed-operation-id", &vendored());

    let report = check(&vendored, &url).unwrap();
    let get = &report.drift.operations.changed[0];
    assert_eq!(get.operation_id.as_deref(), Some("ListWidgets"));
    assert_eq!(get.previous_operation_id.as_deref(), Some("GetWidgets"));
    let (code, out, _) = check_cli(&vendored, &url, false);
    assert_eq!(code, EXIT_DRIFT);
    assert!(
        out.contains("operationId: GetWidgets → ListWidgets"),
        "{out}"
    );
}
