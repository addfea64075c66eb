//! check-spec and update-spec against synthetic variants of the project's
//! document (each with a known change), the published documents in
//! `../shared/upstream` (skipped with a line when absent), a whole report
//! compared with an expected one, and a round trip that restores every text.

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use xtask::cli::{self, EXIT_DRIFT, EXIT_OK};
use xtask::drift::{self, Drift};
use xtask::report::{self, field_line};
use xtask::spec_source::{FetchOptions, Source};
use xtask::tasks::{self, CheckOptions, UpdateOptions};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn project() -> Value {
    let text = std::fs::read_to_string(workspace().join("openapi/camunda-admin.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn upstream(name: &str) -> Option<Value> {
    let path = workspace().join("../shared/upstream").join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(serde_json::from_str(&text).unwrap()),
        Err(_) => {
            println!("skipped: {} is absent", path.display());
            None
        }
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("xtask-drift-variants")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(path: &Path, doc: &Value) {
    std::fs::write(path, serde_json::to_string_pretty(doc).unwrap()).unwrap();
}

/// Every change line of a drift, as printed, with where it is.
fn change_lines(drift: &Drift) -> Vec<String> {
    let mut lines = Vec::new();
    for op in &drift.operations.changed {
        let label = op.label();
        for (place, changes) in [
            ("", &op.attributes),
            ("parameters", &op.parameters),
            ("request body", &op.request_body),
        ] {
            lines.extend(
                changes
                    .iter()
                    .map(|c| format!("{label} {place}: {}", field_line(c))),
            );
        }
        for code in &op.status_codes_added {
            lines.push(format!("{label}: status {code} added"));
        }
        for code in &op.status_codes_removed {
            lines.push(format!("{label}: status {code} removed"));
        }
        for response in &op.responses {
            let status = &response.status;
            lines.extend(
                response
                    .changes
                    .iter()
                    .map(|c| format!("{label} response {status}: {}", field_line(c))),
            );
        }
    }
    for schema in &drift.schemas.changed {
        lines.extend(
            schema
                .changes
                .iter()
                .map(|c| format!("{} {}", schema.name, field_line(c))),
        );
    }
    lines.extend(
        drift
            .operations
            .added
            .iter()
            .map(|o| format!("+ {}", o.label())),
    );
    lines.extend(
        drift
            .operations
            .removed
            .iter()
            .map(|o| format!("- {}", o.label())),
    );
    lines.extend(drift.schemas.added.iter().map(|s| format!("+ schema {s}")));
    lines.extend(
        drift
            .schemas
            .removed
            .iter()
            .map(|s| format!("- schema {s}")),
    );
    lines.extend(drift.security.iter().map(|s| {
        format!(
            "security {} → {} ({})",
            s.before,
            s.after,
            s.operations.len()
        )
    }));
    lines.extend(drift.other.iter().map(|o| format!("other {}", o.attribute)));
    lines
}

fn op_mut<'a>(doc: &'a mut Value, id: &str) -> &'a mut Value {
    let paths = doc["paths"].as_object_mut().unwrap();
    for item in paths.values_mut() {
        for op in item.as_object_mut().unwrap().values_mut() {
            if op.get("operationId") == Some(&json!(id)) {
                return op;
            }
        }
    }
    panic!("no operation {id}")
}

fn schema_mut<'a>(doc: &'a mut Value, name: &str) -> &'a mut Value {
    &mut doc["components"]["schemas"][name]
}

/// A variant of the project's document and the change lines check-spec
/// must print for it (empty: no drift).
struct Variant {
    name: &'static str,
    change: fn(&mut Value),
    expected: &'static [&'static str],
}

fn variants() -> Vec<Variant> {
    vec![
        Variant { name: "identity", change: |_| {}, expected: &[] },
        Variant {
            name: "prose only",
            change: |d| {
                op_mut(d, "GetClusters")["description"] = json!("Other words.");
                schema_mut(d, "Cluster")["properties"]["uuid"]["example"] = json!("x");
            },
            expected: &[],
        },
        Variant {
            name: "security moved to the root",
            change: |d| {
                d["security"] = json!([{ "bearer": [] }]);
                for item in d["paths"].as_object_mut().unwrap().values_mut() {
                    for op in item.as_object_mut().unwrap().values_mut() {
                        if op["security"] == json!([{ "bearer": [] }]) {
                            op.as_object_mut().unwrap().remove("security");
                        }
                    }
                }
            },
            expected: &[],
        },
        Variant {
            name: "no authentication anywhere",
            change: |d| {
                for item in d["paths"].as_object_mut().unwrap().values_mut() {
                    for op in item.as_object_mut().unwrap().values_mut() {
                        op.as_object_mut().unwrap().remove("security");
                    }
                }
            },
            expected: &["security bearer → none (42)"],
        },
        Variant {
            name: "an inline object behind a new $ref",
            change: |d| {
                let entry = d["components"]["schemas"]["Cluster"]["properties"]["ipallowlist"]["items"].take();
                d["components"]["schemas"]["AllowedRange"] = entry;
                d["components"]["schemas"]["Cluster"]["properties"]["ipallowlist"]["items"] =
                    json!({ "$ref": "#/components/schemas/AllowedRange" });
            },
            // Naming a shape changes no fact: a refactor, listed apart.
            expected: &[],
        },
        Variant {
            name: "Cluster.links behind a new $ref of the same shape",
            change: |d| {
                let links = d["components"]["schemas"]["Cluster"]["properties"]["links"].take();
                d["components"]["schemas"]["ClusterLinks"] = links;
                d["components"]["schemas"]["Cluster"]["properties"]["links"] =
                    json!({ "$ref": "#/components/schemas/ClusterLinks" });
            },
            expected: &[],
        },
        Variant {
            name: "Cluster.links behind a new $ref of another shape",
            change: |d| {
                let mut links = d["components"]["schemas"]["Cluster"]["properties"]["links"].take();
                links["properties"]["modeler"] = json!({ "type": "string" });
                d["components"]["schemas"]["ClusterLinks"] = links;
                d["components"]["schemas"]["Cluster"]["properties"]["links"] =
                    json!({ "$ref": "#/components/schemas/ClusterLinks" });
            },
            expected: &["+ schema ClusterLinks", "Cluster + links.modeler: string, optional"],
        },
        Variant {
            name: "problem+json for 400 on TriggerFailover",
            change: |d| {
                op_mut(d, "TriggerFailover")["responses"]["400"]["content"] =
                    json!({ "application/problem+json": { "schema": { "type": "object", "properties": { "title": { "type": "string" } } } } });
            },
            expected: &["POST /clusters/{clusterUuid}/failover  [TriggerFailover] response 400: ~ (content type): type text/plain → application/problem+json  [hidden from the generated code by the correction uniform-error-bodies]",
                "POST /clusters/{clusterUuid}/failover  [TriggerFailover] response 400: ~ (body): type string → object  [hidden from the generated code by the correction uniform-error-bodies]",
                "POST /clusters/{clusterUuid}/failover  [TriggerFailover] response 400: + title: string, optional  [hidden from the generated code by the correction uniform-error-bodies]"],
        },
        Variant {
            name: "activity CSV as a JSON object",
            change: |d| {
                op_mut(d, "GetCsv")["responses"]["200"]["content"] =
                    json!({ "application/json": { "schema": { "type": "object" } } });
            },
            // The project's document keeps the published (wrong) media type.
            expected: &["GET /activity/csv  [GetCsv] response 200: ~ (body): type string → object  [hidden from the generated code by the correction csv-media-type]"],
        },
        Variant {
            name: "a field in one of the allowlist shapes",
            change: |d| {
                schema_mut(d, "Cluster")["properties"]["ipallowlist"]["items"]["properties"]["label"] = json!({ "type": "string" });
            },
            expected: &["Cluster + ipallowlist[].label: string, optional"],
        },
        Variant {
            name: "constraints, default and nullable",
            change: |d| {
                let name = &mut schema_mut(d, "CreateSecretBody")["properties"]["secretName"];
                name["maxLength"] = json!(50);
                name["pattern"] = json!("^[A-Z_]+$");
                schema_mut(d, "CreateClusterBody")["properties"]["autoUpdate"]["default"] = json!(true);
                schema_mut(d, "Cluster")["properties"]["uuid"]["nullable"] = json!(true);
            },
            expected: &["Cluster ~ uuid: type string → string | null",
                "CreateClusterBody ~ autoUpdate: default (none) → true",
                "CreateSecretBody ~ secretName: maxLength (none) → 50",
                "CreateSecretBody ~ secretName: pattern (none) → \"^[A-Z_]+$\""],
        },
        Variant {
            name: "Retry-After on a 429",
            change: |d| {
                op_mut(d, "GetClusters")["responses"]["429"] = json!({ "description": "Slow down",
                    "headers": { "Retry-After": { "schema": { "type": "integer" } } } });
            },
            expected: &["GET /clusters  [GetClusters]: status 429 added"],
        },
        Variant {
            name: "a header added to a success",
            change: |d| {
                op_mut(d, "GetClusters")["responses"]["200"]["headers"] =
                    json!({ "Retry-After": { "required": true, "schema": { "type": "integer", "minimum": 1 } } });
            },
            expected: &["GET /clusters  [GetClusters] response 200: + Retry-After (header): integer, required"],
        },
        Variant {
            name: "a permission value in a response",
            change: |d| {
                let values = schema_mut(d, "ClusterClient")["properties"]["permissions"]["items"]["enum"].as_array_mut().unwrap();
                values.push(json!("Identity"));
            },
            expected: &["ClusterClient ~ permissions[]: enum values added: Identity"],
        },
        Variant {
            name: "a closed object opened",
            change: |d| {
                schema_mut(d, "CreateSecretBody").as_object_mut().unwrap().remove("additionalProperties");
            },
            expected: &["CreateSecretBody ~ (schema): additionalProperties false → (none)  [hidden from the generated code by the correction open-additional-properties]"],
        },
    ]
}

/// The facts of a document by a second, plain definition: the JSON without
/// prose, examples, `x-` extensions and `info`, with the document's
/// security copied into each operation that has none.
fn plain_facts(doc: &Value) -> Value {
    fn strip(value: &Value, in_names: bool) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .filter(|(k, _)| {
                        in_names
                            || !(k.starts_with("x-")
                                || ["description", "summary", "title", "example", "examples"]
                                    .contains(&k.as_str()))
                    })
                    .map(|(k, v)| {
                        let names = !in_names
                            && [
                                "properties",
                                "paths",
                                "responses",
                                "content",
                                "headers",
                                "schemas",
                            ]
                            .contains(&k.as_str());
                        (k.clone(), strip(v, names))
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(|v| strip(v, false)).collect()),
            other => other.clone(),
        }
    }
    let mut doc = doc.clone();
    let root_security = doc.as_object_mut().unwrap().remove("security");
    doc.as_object_mut().unwrap().remove("info");
    if let Some(security) = root_security {
        for item in doc["paths"].as_object_mut().unwrap().values_mut() {
            for op in item
                .as_object_mut()
                .unwrap()
                .values_mut()
                .filter(|op| op.is_object())
            {
                op.as_object_mut()
                    .unwrap()
                    .entry("security")
                    .or_insert(security.clone());
            }
        }
    }
    strip(&doc, false)
}

/// `doc` with the component schemas `names` written out where they are
/// referenced, and removed from the components.
fn inline_schemas(doc: &Value, names: &[&str]) -> Value {
    fn inline(value: &mut Value, schemas: &serde_json::Map<String, Value>, names: &[&str]) {
        let target = value["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"));
        if let Some(name) = target.filter(|name| names.contains(name)) {
            *value = schemas[name].clone();
        }
        match value {
            Value::Object(map) => map.values_mut().for_each(|v| inline(v, schemas, names)),
            Value::Array(items) => items.iter_mut().for_each(|v| inline(v, schemas, names)),
            _ => {}
        }
    }
    let mut doc = doc.clone();
    let schemas = doc["components"]["schemas"].as_object().unwrap().clone();
    inline(&mut doc, &schemas, names);
    for name in names {
        doc["components"]["schemas"]
            .as_object_mut()
            .unwrap()
            .remove(*name);
    }
    doc
}

#[test]
fn naming_an_inline_shape_is_a_refactor_not_drift() {
    let dir = scratch("named-cluster-links");
    let mut changed = project();
    let links = changed["components"]["schemas"]["Cluster"]["properties"]["links"].take();
    changed["components"]["schemas"]["ClusterLinks"] = links;
    changed["components"]["schemas"]["Cluster"]["properties"]["links"] =
        json!({ "$ref": "#/components/schemas/ClusterLinks" });
    write(&dir.join("vendored.json"), &project());
    write(&dir.join("source.json"), &changed);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cli::run(
        [
            "check-spec",
            "--against",
            dir.join("source.json").to_str().unwrap(),
            "--spec",
            dir.join("vendored.json").to_str().unwrap(),
        ],
        &mut out,
        &mut err,
    );
    let text = String::from_utf8(out).unwrap();
    assert_eq!(code, EXIT_OK, "{text}");
    assert!(text.contains("no drift"), "{text}");
    assert!(!text.contains("Schemas added"), "{text}");
    assert!(
        text.contains("  = ClusterLinks  (at /components/schemas/Cluster/properties/links)"),
        "{text}"
    );
}

fn check(vendored: &Path, source: &Path) -> report::CheckReport {
    tasks::check_spec(&CheckOptions {
        vendored: vendored.to_owned(),
        source: Source::File(source.to_owned()),
        fetch: FetchOptions::default(),
    })
    .unwrap()
}

fn update(vendored: &Path, source: &Path, dry_run: bool) -> report::UpdateReport {
    tasks::update_spec(&UpdateOptions {
        vendored: vendored.to_owned(),
        source: Source::File(source.to_owned()),
        dry_run,
        force: true,
        fetch: FetchOptions::default(),
    })
    .unwrap()
}

#[test]
fn each_variant_reports_its_changes_once_and_nothing_else() {
    for variant in variants() {
        let dir = scratch(&variant.name.replace([' ', '$', '+'], "-"));
        let (vendored, source) = (dir.join("vendored.json"), dir.join("source.json"));
        let mut changed = project();
        (variant.change)(&mut changed);
        write(&vendored, &project());
        write(&source, &changed);
        let report = check(&vendored, &source);
        let mut lines = change_lines(&report.drift);
        lines.sort();
        let mut expected: Vec<String> = variant.expected.iter().map(|l| (*l).to_owned()).collect();
        expected.sort();
        assert_eq!(lines, expected, "variant {}", variant.name);
        assert_eq!(
            report.drift_found,
            !expected.is_empty(),
            "variant {}",
            variant.name
        );
        let unique: BTreeSet<&String> = lines.iter().collect();
        assert_eq!(
            unique.len(),
            lines.len(),
            "a change reported twice in {}",
            variant.name
        );
    }
}

#[test]
fn no_drift_exactly_when_update_spec_would_change_no_fact() {
    for variant in variants() {
        let dir = scratch(&format!(
            "equivalence-{}",
            variant.name.replace([' ', '$', '+'], "-")
        ));
        let (vendored, source) = (dir.join("vendored.json"), dir.join("source.json"));
        let mut changed = project();
        (variant.change)(&mut changed);
        write(&vendored, &project());
        write(&source, &changed);
        let drift_found = check(&vendored, &source).drift_found;
        let dry = update(&vendored, &source, true);
        assert_eq!(
            drift_found,
            !dry.changes.is_empty(),
            "variant {}",
            variant.name
        );
        update(&vendored, &source, false);
        let written: Value =
            serde_json::from_str(&std::fs::read_to_string(&vendored).unwrap()).unwrap();
        // The schemas check-spec calls a refactor, put back inline where
        // they are used, must give the vendored facts.
        let named: Vec<&str> = dry
            .changes
            .schemas
            .named
            .iter()
            .map(|shape| shape.name.as_str())
            .collect();
        let facts_changed =
            plain_facts(&inline_schemas(&written, &named)) != plain_facts(&project());
        assert_eq!(
            drift_found, facts_changed,
            "variant {}: check-spec and update-spec disagree",
            variant.name
        );
        // What update-spec wrote is the source's facts: no drift left.
        assert!(
            !check(&vendored, &source).drift_found,
            "variant {}",
            variant.name
        );
    }
}

#[test]
fn diverging_allowlist_shapes_are_reported_and_merged_as_their_union() {
    let dir = scratch("diverging");
    let mut changed = project();
    schema_mut(&mut changed, "Cluster")["properties"]["ipallowlist"]["items"]["properties"]
        ["label"] = json!({ "type": "string" });
    write(&dir.join("vendored.json"), &project());
    write(&dir.join("source.json"), &changed);
    let report = check(&dir.join("vendored.json"), &dir.join("source.json"));
    assert_eq!(
        report.diverging_shapes.len(),
        1,
        "{:?}",
        report.diverging_shapes
    );
    assert_eq!(report.diverging_shapes[0].name, "IpAllowlistEntry");
    assert!(report.diverging_shapes[0]
        .differences
        .iter()
        .any(|d| d.starts_with(
            "field label only at /components/schemas/Cluster/properties/ipallowlist/items"
        )));
    let merged = xtask::corrected(&changed);
    assert!(merged
        .pointer("/components/schemas/IpAllowlistEntry/properties/label")
        .is_some());
}

#[test]
fn the_published_document_is_no_drift() {
    let Some(published) = upstream("console-api-1.3.3-2026.json") else {
        return;
    };
    let dir = scratch("published");
    write(&dir.join("source.json"), &published);
    let report = check(
        &workspace().join("openapi/camunda-admin.json"),
        &dir.join("source.json"),
    );
    assert!(!report.drift_found, "{}", report::render_check(&report));
}

#[test]
fn the_august_2025_document_reports_each_change_once() {
    let Some(older) = upstream("console-api-1.3.3-2025-08.json") else {
        return;
    };
    let dir = scratch("august");
    write(&dir.join("source.json"), &older);
    let report = check(
        &workspace().join("openapi/camunda-admin.json"),
        &dir.join("source.json"),
    );
    assert_eq!(
        report::summary(&report.drift),
        "operations: 0 added, 17 removed, 4 changed; schemas: 0 added, 13 removed, 9 changed"
    );
    let lines = change_lines(&report.drift);
    let unique: BTreeSet<&String> = lines.iter().collect();
    assert_eq!(unique.len(), lines.len(), "{lines:#?}");
    let text = report::render_check(&report);
    assert!(
        !text.contains("2XX")
            && !text.contains("ClusterStatusSummary")
            && !text.contains("EmptyObject"),
        "{text}"
    );
}

#[test]
fn a_round_trip_through_an_older_document_restores_every_text() {
    let dir = scratch("round-trip");
    let vendored = dir.join("camunda-admin.json");
    let original = std::fs::read(workspace().join("openapi/camunda-admin.json")).unwrap();
    std::fs::write(&vendored, &original).unwrap();
    // Forth: the August 2025 document, else a variant without restores.
    let older = upstream("console-api-1.3.3-2025-08.json").unwrap_or_else(|| {
        let mut doc = project();
        let paths = doc["paths"].as_object_mut().unwrap();
        paths.retain(|path, _| !path.contains("restore") && !path.contains("monitoring"));
        doc
    });
    write(&dir.join("older.json"), &older);
    let spec = vendored.to_str().unwrap();
    let older_path = dir.join("older.json");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cli::run(
        [
            "update-spec",
            "--from",
            older_path.to_str().unwrap(),
            "--spec",
            spec,
        ],
        &mut out,
        &mut err,
    );
    let text = String::from_utf8(out).unwrap();
    assert_eq!(code, EXIT_DRIFT, "refused without --force: {text}");
    assert!(
        text.contains("operations ") && text.contains("GetRestore"),
        "{text}"
    );
    assert_eq!(
        std::fs::read(&vendored).unwrap(),
        original,
        "a refused update writes nothing"
    );

    let forth = update(&vendored, &older_path, false);
    assert!(forth.written && !forth.archived.is_empty());
    let intermediate = std::fs::read_to_string(&vendored).unwrap();
    assert!(intermediate.contains("x-camunda-admin-archive"));
    // Back: the project's own facts again.
    write(&dir.join("newer.json"), &project());
    let back = update(&vendored, &dir.join("newer.json"), false);
    assert!(!back.restored.is_empty());
    assert!(back.needs_scope.is_empty(), "{:?}", back.needs_scope);
    assert_eq!(
        String::from_utf8(std::fs::read(&vendored).unwrap()).unwrap(),
        String::from_utf8(original).unwrap(),
        "every text and x- extension is back, byte for byte"
    );
}

#[test]
fn a_new_operation_needs_prose_and_a_scope() {
    let dir = scratch("needs-scope");
    let mut changed = project();
    changed["paths"]["/clusters/{clusterUuid}/pause"] = json!({ "post": { "operationId": "PauseCluster",
        "parameters": [{ "name": "clusterUuid", "in": "path", "required": true, "schema": { "type": "string" } }],
        "responses": { "204": { "description": "Upstream words" } } } });
    write(&dir.join("vendored.json"), &project());
    write(&dir.join("source.json"), &changed);
    let report = update(&dir.join("vendored.json"), &dir.join("source.json"), true);
    assert_eq!(
        report.needs_scope,
        vec!["operations/PauseCluster".to_owned()]
    );
    assert_eq!(
        report.needs_prose,
        vec!["operation: operations/PauseCluster".to_owned()]
    );
    let text = report::render_update(&report);
    assert!(
        text.contains("needs scope: operations/PauseCluster"),
        "{text}"
    );
}

#[test]
fn a_document_with_several_kinds_of_changes_gives_the_expected_report() {
    let dir = scratch("whole-report");
    let mut changed = project();
    // An operation removed and one added, a field added and one made
    // optional, an enum value, a constraint, a hidden change, security.
    changed["paths"]
        .as_object_mut()
        .unwrap()
        .remove("/meta/ip-ranges");
    changed["paths"]["/clusters/{clusterUuid}/pause"] = json!({ "post": { "operationId": "PauseCluster",
        "responses": { "204": { "description": "" } } } });
    let backup = schema_mut(&mut changed, "BackupDto");
    backup["properties"]["sizeBytes"] = json!({ "type": "integer", "format": "int64" });
    backup["required"]
        .as_array_mut()
        .unwrap()
        .retain(|name| name != "name");
    schema_mut(&mut changed, "BackupStatus")["enum"]
        .as_array_mut()
        .unwrap()
        .push(json!("Queued"));
    schema_mut(&mut changed, "CreateSecretBody")["properties"]["secretName"]["maxLength"] =
        json!(50);
    op_mut(&mut changed, "TriggerFailover")["responses"]["400"]["content"] =
        json!({ "application/problem+json": { "schema": { "type": "object" } } });
    op_mut(&mut changed, "GetClusters")
        .as_object_mut()
        .unwrap()
        .remove("security");
    write(&dir.join("vendored.json"), &project());
    write(&dir.join("source.json"), &changed);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cli::run(
        [
            "check-spec",
            "--against",
            dir.join("source.json").to_str().unwrap(),
            "--spec",
            dir.join("vendored.json").to_str().unwrap(),
        ],
        &mut out,
        &mut err,
    );
    let text = String::from_utf8(out).unwrap();
    let body: String = text.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(code, EXIT_DRIFT);
    assert_eq!(body, EXPECTED_REPORT.trim_end(), "\n{body}");
}

const EXPECTED_REPORT: &str = "\
drift: operations: 1 added, 1 removed, 1 changed; schemas: 0 added, 0 removed, 3 changed; security: 1 changed; 2 hidden from the generated code by corrections

Operations added (1):
  + POST /clusters/{clusterUuid}/pause  [PauseCluster]

Operations removed (1):
  - GET /meta/ip-ranges  [GetMeta]

Operations changed (1):
  ~ POST /clusters/{clusterUuid}/failover  [TriggerFailover]
      response 400:
        ~ (content type): type text/plain → application/problem+json  [hidden from the generated code by the correction uniform-error-bodies]
        ~ (body): type string → object  [hidden from the generated code by the correction uniform-error-bodies]

Schemas changed (3):
  ~ BackupDto  (used by CreateBackup, DeleteBackup, GetBackups)
      + sizeBytes: integer(int64), optional
      ~ name: now optional
  ~ BackupStatus  (used by CreateBackup, DeleteBackup, GetBackups)
      ~ (schema): enum values added: Queued
  ~ CreateSecretBody  (used by CreateSecret)
      ~ secretName: maxLength (none) → 50

Security changed (1):
  ~ bearer → none for 1 operation(s): GetClusters
";

#[test]
#[ignore = "a benchmark: prints the time of a diff of 20 000 added fields"]
fn twenty_thousand_added_fields_diff_in_about_a_second() {
    let mut changed = project();
    let properties = schema_mut(&mut changed, "Cluster")["properties"]
        .as_object_mut()
        .unwrap();
    for index in 0..20_000 {
        properties.insert(
            format!("field{index}"),
            json!({ "type": "object", "properties": { "inner": { "type": "string" } } }),
        );
    }
    let vendored = project();
    let started = std::time::Instant::now();
    let drift = drift::compare(&vendored, &changed);
    let elapsed = started.elapsed();
    let added = drift
        .schemas
        .changed
        .iter()
        .map(|s| s.changes.len())
        .sum::<usize>();
    println!("20 000 added fields (each with a nested field): {added} changes in {elapsed:?}");
    assert_eq!(added, 20_000);
}

#[test]
fn a_slow_body_fails_at_the_download_deadline() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/swagger.json", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = [0u8; 1024];
        let _ = stream.read(&mut request);
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{",
        );
        // A byte now and then, never the whole body: bounded to 100 bytes.
        for _ in 0..99 {
            std::thread::sleep(std::time::Duration::from_millis(50));
            if stream.write_all(b" ").is_err() {
                break;
            }
        }
    });
    let options = FetchOptions {
        connect_timeout: std::time::Duration::from_secs(5),
        timeout: std::time::Duration::from_millis(300),
    };
    let error = xtask::spec_source::download(&url, &options).unwrap_err();
    assert!(
        matches!(error, xtask::spec_source::SpecError::TimedOut { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("no complete answer within"),
        "{error}"
    );
    server.join().unwrap();
}

#[test]
fn a_yaml_source_is_compared_like_json() {
    let dir = scratch("yaml");
    let yaml = "openapi: 3.0.0\ninfo:\n  title: t\n  version: '1'\npaths:\n  /a:\n    get:\n      operationId: A\n      responses:\n        '200':\n          description: ok\n";
    std::fs::write(dir.join("source.yaml"), yaml).unwrap();
    let as_json: Value = json!({ "openapi": "3.0.0", "info": { "title": "t", "version": "1" },
        "paths": { "/a": { "get": { "operationId": "A", "responses": { "200": { "description": "ok" } } } } } });
    write(&dir.join("vendored.json"), &as_json);
    let report = check(&dir.join("vendored.json"), &dir.join("source.yaml"));
    assert!(!report.drift_found, "{}", report::render_check(&report));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cli::run(
        [
            "check-spec",
            "--against",
            dir.join("source.yaml").to_str().unwrap(),
            "--spec",
            dir.join("vendored.json").to_str().unwrap(),
        ],
        &mut out,
        &mut err,
    );
    assert_eq!(code, EXIT_OK, "{}", String::from_utf8_lossy(&err));
}
