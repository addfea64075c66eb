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

/// The completions bash offers after `words` (the last one being
/// completed), from the script `completions bash` prints, with the built
/// binary on the PATH.
fn bash_completes(words: &[&str]) -> Vec<String> {
    let bin_dir = std::path::Path::new(crate::support::BIN)
        .parent()
        .expect("the binary's folder");
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let script = format!(
        r#"source <(camunda-admin completions bash) || exit 9
COMP_WORDS=({words}); COMP_CWORD={cword}; COMP_LINE="${{COMP_WORDS[*]}}"; COMP_POINT=${{#COMP_LINE}}; COMP_TYPE=9
_clap_complete_camunda_admin camunda-admin '{current}' '{previous}'
printf '%s\n' "${{COMPREPLY[@]}}""#,
        words = quoted.join(" "),
        cword = words.len() - 1,
        current = words.last().expect("a word"),
        previous = words[words.len().saturating_sub(2)],
    );
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = std::process::Command::new("bash")
        .args(["-c", &script])
        .env("PATH", path)
        .output()
        .expect("bash runs");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout)
        .split(['\n', '\u{b}'])
        .map(|w| w.trim().to_owned())
        .filter(|w| !w.is_empty())
        .collect()
}

#[test]
fn bash_completes_every_level() {
    let top = bash_completes(&["camunda-admin", ""]);
    assert!(top.contains(&"clusters".to_owned()), "{top:?}");
    let verbs = bash_completes(&["camunda-admin", "clusters", ""]);
    for verb in ["create", "list", "wait"] {
        assert!(verbs.contains(&verb.to_owned()), "{verbs:?}");
    }
    let flags = bash_completes(&["camunda-admin", "clusters", "create", "--re"]);
    assert!(flags.contains(&"--region".to_owned()), "{flags:?}");
    assert!(flags.contains(&"--region-id".to_owned()), "{flags:?}");
    for shell in ["zsh", "fish"] {
        let output = bare().args(["completions", shell]).output().expect("runs");
        let script = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{shell}: {output:?}");
        assert!(
            script.contains("CAMUNDA_ADMIN_COMPLETE") && script.contains("camunda-admin"),
            "the {shell} script registers the dynamic completion: {script}"
        );
    }
    let output = bare().args(["completions", "tcsh"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_closed_reader_ends_the_command_quietly() {
    let run = crate::support::run_into_closed_pipe({
        let mut command = bare();
        command.args(["completions", "bash"]);
        command
    });
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.is_empty(), "{run:?}");
    let help = crate::support::run_into_closed_pipe({
        let mut command = bare();
        command.arg("--help");
        command
    });
    assert_eq!(help.code, 0, "{help:?}");
}

#[test]
fn generated_commands_leave_hand_written_names_free() {
    let generated: Vec<(&str, &str)> = crate::table::COMMANDS
        .iter()
        .map(|c| (c.command.group, c.command.verb))
        .collect();
    assert_eq!(
        crate::table::collisions(generated.iter().copied()),
        Vec::<(&str, &str)>::new()
    );
    // The additive variant's operation (`logs list`, see below), and what a
    // collision would look like.
    assert!(crate::table::collisions([("logs", "list")]).is_empty());
    assert_eq!(
        crate::table::collisions([("clusters", "wait"), ("profile", "list"), ("ci", "")]),
        [("clusters", "wait"), ("profile", "list"), ("ci", "")]
    );
    for words in [
        &["clusters", "wait", "--help"][..],
        &["backups", "wait", "--help"],
        &["backups", "restore-wait", "--help"],
        &["allowlist", "add", "--help"],
    ] {
        let output = bare().args(words).output().expect("runs");
        assert!(output.status.success(), "{words:?}: {output:?}");
    }
}

#[test]
fn parse_errors_are_claps_whole_message_with_exit_code_2() {
    for (args, says) in [
        (
            &["clusters", "explode"][..],
            "unrecognized subcommand 'explode'",
        ),
        (&["clusters", "get"], "<CLUSTER_UUID>"),
        (
            &["secrets", "create", "c1", "--secret-value", "hunter2"],
            "--secret-value",
        ),
        (
            &["secrets", "create", "c1", "--secret-value=hunter2"],
            "--secret-value",
        ),
        (
            &["--output", "yamll", "clusters", "list"],
            "[possible values: json, yaml, table, tsv, env]",
        ),
        (
            &["--output", "yamll", "clusters", "list"],
            "a similar value exists: 'yaml'",
        ),
        (&["clusters", "lsit"], "a similar subcommand exists: 'list'"),
    ] {
        let output = bare().args(args).output().expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr} lacks {says:?}");
        assert!(
            !stderr.contains("hunter2"),
            "a value given by mistake is not echoed: {stderr}"
        );
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn bare_camunda_admin_prints_help_and_help_is_complete() {
    let output = bare().output().expect("runs");
    let help = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(
        help.contains("Usage: camunda-admin") && help.contains("clusters"),
        "{help}"
    );
    let group = bare().arg("clusters").output().expect("runs");
    assert_eq!(
        group.status.code(),
        Some(2),
        "an incomplete command: {group:?}"
    );
    let create = bare()
        .args(["clients", "create", "--help"])
        .output()
        .expect("runs");
    // Help wraps at the terminal's width: compare the words.
    let text = String::from_utf8_lossy(&create.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("[values: Zeebe, Operate, Tasklist, Optimize, Secrets]"),
        "the allowed values, from the table: {text}"
    );
    assert!(
        text.contains("The cluster: its id, or its name"),
        "a parameter says what it is: {text}"
    );
    assert!(!text.contains("The clusterUuid parameter"), "{text}");
    let allowlist = bare().args(["allowlist", "--help"]).output().expect("runs");
    let text = String::from_utf8_lossy(&allowlist.stdout);
    assert!(
        !text.contains("set-whitelist"),
        "deprecated, hidden: {text}"
    );
    let old = bare()
        .args(["allowlist", "set-whitelist", "--help"])
        .output()
        .expect("runs");
    assert!(old.status.success(), "still there: {old:?}");
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
