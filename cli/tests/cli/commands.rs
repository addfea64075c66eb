//! The command tree: every operation of the document is a command (read
//! from the generated COMMANDS, checked against the document itself), each
//! answers `--help` with the document's prose, secret fields take no
//! value flag, completions cover the tree, and a parse error is one line
//! with exit code 2. An ignored test builds the binary from a copy of the
//! document with one more operation and finds it under its derived name.

use std::collections::BTreeSet;

use crate::support::bare;
use serde_json::{json, Value};

/// The document the binary was built from.
fn document() -> Value {
    let path = option_env!("CAMUNDA_ADMIN_SPEC").map_or_else(
        || {
            format!(
                "{}/../openapi/camunda-admin.json",
                env!("CARGO_MANIFEST_DIR")
            )
        },
        str::to_owned,
    );
    let text = std::fs::read_to_string(&path).expect("the document");
    serde_json::from_str(&text).expect("the document is JSON")
}

fn operation_ids(doc: &Value) -> BTreeSet<String> {
    let paths = doc["paths"].as_object().expect("paths");
    paths
        .values()
        .flat_map(|item| item.as_object().into_iter().flat_map(|m| m.values()))
        .filter_map(|op| op["operationId"].as_str().map(str::to_owned))
        .collect()
}

/// The words that reach a command, such as `["activity", "--csv"]`.
fn words(spec: &crate::table::Operation) -> Vec<&'static str> {
    match spec.command.verb {
        "" => vec![spec.command.group],
        verb => vec![spec.command.group, verb],
    }
}

#[test]
fn every_operation_of_the_document_is_a_command() {
    let commands: BTreeSet<String> = crate::table::COMMANDS
        .iter()
        .map(|c| c.id.to_string())
        .collect();
    assert_eq!(commands, operation_ids(&document()));
    let names: BTreeSet<Vec<&str>> = crate::table::COMMANDS.iter().map(words).collect();
    assert_eq!(
        names.len(),
        crate::table::COMMANDS.len(),
        "two commands share a name"
    );
    for expected in [
        ["clusters", "list"],
        ["clusters", "wake"],
        ["allowlist", "set"],
        ["meta", "ip-ranges"],
        ["activity", "--csv"],
    ] {
        assert!(names.contains(expected.as_slice()), "no {expected:?}");
    }
}

#[test]
fn every_command_answers_help_with_the_documents_prose() {
    for spec in crate::table::COMMANDS {
        let mut args = words(spec);
        if spec.command.verb.starts_with("--") {
            args.pop(); // the flag is documented in the group's help
        }
        args.push("--help");
        let output = bare().args(&args).output().expect("runs");
        let help = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{args:?}: {output:?}");
        assert!(
            help.contains(spec.summary),
            "{args:?} lacks {:?}:\n{help}",
            spec.summary
        );
        for param in spec.path_params {
            let name = crate::table::kebab(param.name)
                .to_uppercase()
                .replace('-', "_");
            assert!(
                help.contains(&format!("<{name}>")),
                "{args:?} lacks <{name}>:\n{help}"
            );
        }
        for field in spec.body.iter().flat_map(|b| b.fields) {
            let flag = crate::table::kebab(field.name);
            if field.secret {
                assert!(help.contains(&format!("--{flag}-file <PATH>")), "{help}");
                assert!(help.contains(&format!("--{flag}-env <VAR>")), "{help}");
                assert!(
                    !help.contains(&format!("--{flag} <")),
                    "a secret field takes no value on the command line:\n{help}"
                );
            } else {
                assert!(
                    help.contains(&format!("--{flag}")),
                    "{args:?} lacks --{flag}"
                );
            }
        }
    }
}

#[test]
fn completions_cover_the_command_tree() {
    for shell in ["bash", "zsh", "fish"] {
        let output = bare().args(["completions", shell]).output().expect("runs");
        let script = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{shell}: {output:?}");
        for word in [
            "camunda-admin",
            "clusters",
            "ip-ranges",
            "rotate-password",
            "secret-value-file",
        ] {
            assert!(script.contains(word), "the {shell} script lacks {word}");
        }
    }
    let output = bare().args(["completions", "tcsh"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_parse_error_is_one_line_with_exit_code_2() {
    for args in [
        &["clusters", "explode"][..],
        &["clusters", "get"],
        &["secrets", "create", "c1", "--secret-value", "hunter2"],
        &["secrets", "create", "c1", "--secret-value=hunter2"],
        &["--output", "yaml", "clusters", "list"],
    ] {
        let output = bare().args(args).output().expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("camunda-admin: error: "), "{stderr}");
        assert!(
            !stderr.contains("hunter2"),
            "a value given by mistake is not echoed: {stderr}"
        );
        assert!(output.stdout.is_empty());
    }
}

/// `GET /clusters/{clusterUuid}/logs` with a query parameter: a new area
/// of the API that no override names.
fn synthetic_operation() -> Value {
    json!({ "get": {
        "operationId": "GetClusterLogs",
        "summary": "List the log archives of a cluster",
        "description": "Answers with the names of the cluster's log archives. Needs the Cluster scope.",
        "parameters": [
            { "in": "path", "name": "clusterUuid", "required": true, "schema": { "type": "string" } },
            { "in": "query", "name": "since", "required": false, "schema": { "type": "string" },
              "description": "Only archives after this instant" }
        ],
        "responses": { "200": { "description": "The archives",
            "content": { "application/json": { "schema": { "type": "array", "items": { "type": "string" } } } } } },
        "security": [ { "bearer": [] } ],
        "x-camunda-scope": "Cluster"
    } })
}

#[test]
#[ignore = "builds the binary again from a changed document, which takes minutes; run with --ignored"]
fn a_new_operation_appears_under_its_derived_name() {
    let mut doc = document();
    doc["paths"]["/clusters/{clusterUuid}/logs"] = synthetic_operation();
    let dir = tempfile::tempdir().expect("a temp folder");
    let spec = crate::support::file(dir.path(), "copy.json", &doc.to_string());
    // A target folder of its own that persists, so a second run is quick.
    let target = std::env::temp_dir().join("camunda-admin-cli-synthetic");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = std::process::Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--package",
            "camunda-admin-cli",
            "--bin",
            "camunda-admin",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CAMUNDA_ADMIN_SPEC", &spec)
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "the binary builds from the changed document"
    );
    let binary = target.join("debug").join("camunda-admin");
    let help = std::process::Command::new(&binary)
        .args(["logs", "list", "--help"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(help.status.success(), "{help:?}");
    assert!(
        text.contains("List the log archives of a cluster"),
        "{text}"
    );
    assert!(text.contains("--since"), "{text}");
}
