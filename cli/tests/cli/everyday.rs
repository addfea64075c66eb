//! What shell and CI users reach for first, against the emulator: waits
//! that keep their deadline and standalone waits, output formats (`-o
//! yaml|tsv|table`, `--jq`, `--fields`), a cluster by name wherever a
//! cluster is expected, `allowlist list|add|remove`, deletes of several
//! ids and `--ignore-not-found`, `--dry-run`, and a secret shown once never
//! printed into nothing.

use std::time::Duration;

use camunda_admin::{emulator::Emulator, operation::OperationId};
use serde_json::Value;

use crate::support::{quick, run_into_closed_pipe, run_into_null, Harness, Run, SOME_UUID};

fn ok(h: &Harness, args: &[&str]) -> Run {
    let run = h.run(args);
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    run
}

/// A cluster created by name without waiting; its id.
fn created_cluster(h: &Harness, name: &str) -> String {
    let created = ok(
        h,
        &[
            "clusters",
            "create",
            "--name",
            name,
            "--region",
            "europe-west1",
            "--plan",
            "Basic",
            "--channel",
            "Stable",
        ],
    )
    .json();
    created["clusterId"].as_str().expect("an id").to_owned()
}

#[test]
fn a_wait_looks_once_more_at_its_deadline() {
    // Ready after 1 s; the timeout 2 s is shorter than one poll interval.
    // The old wait gave up after its first look, claiming it had waited 2 s.
    let h = Harness::start(Emulator::builder().cluster_ready_delay(Duration::from_secs(1)));
    let run = h.run(&[
        "clusters",
        "create",
        "--name",
        "deadline",
        "--region",
        "europe-west1",
        "--plan",
        "Basic",
        "--channel",
        "Stable",
        "--wait",
        "--timeout",
        "2s",
        "--poll-interval",
        "1h",
    ]);
    assert_eq!(run.code, 0, "ready before the deadline: {}", run.stderr);
    let id = run.json()["clusterId"].as_str().expect("an id").to_owned();
    let cluster = ok(&h, &["clusters", "get", &id]).json();
    assert_eq!(cluster["status"]["ready"], "Healthy");
}

#[test]
fn standalone_waits_take_a_cluster_by_name() {
    let h = Harness::start(
        Emulator::builder()
            .cluster_ready_delay(Duration::from_millis(300))
            .backup_delay(Duration::from_millis(300))
            .restore_delay(Duration::from_millis(300)),
    );
    let id = created_cluster(&h, "orders");
    let healthy = ok(
        &h,
        &["clusters", "wait", "orders", "--poll-interval", "50ms"],
    )
    .json();
    assert_eq!(healthy["uuid"], id.as_str());
    assert_eq!(healthy["status"]["ready"], "Healthy");
    let generation = healthy["generation"]["name"]
        .as_str()
        .expect("a generation");
    ok(
        &h,
        &[
            "clusters",
            "wait",
            &id,
            "--for",
            &format!("generation={generation}"),
            "--poll-interval",
            "50ms",
        ],
    );
    let backup = ok(&h, &["backups", "create", "orders"]).json();
    let backup_id = backup["uuid"].as_str().expect("a backup id").to_owned();
    let done = ok(
        &h,
        &[
            "backups",
            "wait",
            "orders",
            &backup_id,
            "--poll-interval",
            "50ms",
        ],
    )
    .json();
    assert_eq!(done["status"], "Complete");
    ok(&h, &["backups", "restore", &id, &backup_id]);
    let restored = ok(
        &h,
        &[
            "backups",
            "restore-wait",
            "orders",
            &backup_id,
            "--poll-interval",
            "50ms",
        ],
    )
    .json();
    assert_eq!(restored["state"], "COMPLETED");
    ok(&h, &["clusters", "delete", "orders"]);
    let gone = h.run(&[
        "clusters",
        "wait",
        &id,
        "--for",
        "deleted",
        "--poll-interval",
        "50ms",
    ]);
    assert_eq!(gone.code, 0, "{}", gone.stderr);
    let timed_out = h.run(&[
        "clusters",
        "wait",
        SOME_UUID,
        "--for",
        "suspended",
        "--timeout",
        "100ms",
    ]);
    assert_eq!(timed_out.code, 5, "no such cluster: {}", timed_out.stderr);
}

#[test]
fn a_cluster_name_that_matches_nothing_lists_the_choices() {
    let h = Harness::start(quick());
    created_cluster(&h, "alpha");
    let run = h.run(&["clusters", "get", "beta"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("no cluster is named \"beta\"") && run.stderr.contains("alpha ("),
        "{}",
        run.stderr
    );
    created_cluster(&h, "alpha");
    let twice = h.run(&["clusters", "get", "alpha"]);
    assert_eq!(twice.code, 2, "{}", twice.stderr);
    assert!(
        twice.stderr.contains("2 clusters are named"),
        "{}",
        twice.stderr
    );
}

#[test]
fn outputs_people_and_scripts_use() {
    let h = Harness::start(quick());
    let id = created_cluster(&h, "formats");
    let name = ok(&h, &["clusters", "list", "--jq", ".[0].name"]);
    assert_eq!(name.stdout, "formats\n");
    let yaml = ok(&h, &["clusters", "get", "formats", "-o", "yaml"]);
    assert!(yaml.stdout.contains("name: formats"), "{}", yaml.stdout);
    let tsv = ok(&h, &["clusters", "list", "-o", "tsv"]);
    let mut lines = tsv.stdout.lines();
    let header: Vec<&str> = lines.next().expect("a header").split('\t').collect();
    assert_eq!(header[..3], ["name", "status", "uuid"], "{}", tsv.stdout);
    let row: Vec<&str> = lines.next().expect("a row").split('\t').collect();
    assert_eq!(row[0], "formats");
    assert_eq!(row[2], id);
    let fields = ok(&h, &["clusters", "list", "--fields", "name,status.ready"]).json();
    assert_eq!(
        fields,
        serde_json::json!([{ "name": "formats", "status.ready": fields[0]["status.ready"] }])
    );
    let table = h.run_with_env(&["clusters", "list", "-o", "table"], "COLUMNS", "60");
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(
        table.stdout.lines().all(|l| l.chars().count() <= 60),
        "fitted: {}",
        table.stdout
    );
    let first = table.stdout.lines().nth(1).expect("a header");
    assert!(
        first.contains("name") && first.contains("status"),
        "{first}"
    );
    assert!(!table.stdout.contains('{'), "no JSON: {}", table.stdout);
    let no_env = h.run(&["clusters", "list", "-o", "env"]);
    assert_eq!(no_env.code, 2, "{}", no_env.stderr);
    let big = run_into_closed_pipe(h.command(&["clusters", "list", "-o", "yaml"]));
    assert_eq!(big.code, 0, "a closed reader is no failure: {big:?}");
}

#[test]
fn allowlist_changes_keep_the_other_entries() {
    let h = Harness::start(quick());
    let id = created_cluster(&h, "allow");
    assert_eq!(
        ok(&h, &["allowlist", "list", "allow"]).json(),
        serde_json::json!([])
    );
    ok(&h, &["allowlist", "add", "allow", "10.0.0.0/8=office"]);
    ok(
        &h,
        &[
            "allowlist",
            "add",
            &id,
            "192.168.0.1",
            r#"{"ip": "172.16.0.0/12", "description": "vpn"}"#,
        ],
    );
    let listed = ok(&h, &["allowlist", "list", "allow"]).json();
    let ips: Vec<&str> = listed
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|e| e["ip"].as_str())
        .collect();
    assert_eq!(ips, ["10.0.0.0/8", "192.168.0.1", "172.16.0.0/12"]);
    assert_eq!(listed[0]["description"], "office");
    let missing = h.run(&["allowlist", "remove", "allow", "10.0.0.0/8", "1.1.1.1"]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert_eq!(
        ok(&h, &["allowlist", "list", "allow"]).json(),
        listed,
        "a refused remove changes nothing"
    );
    let dry = ok(
        &h,
        &["allowlist", "remove", "allow", "192.168.0.1", "--dry-run"],
    );
    assert!(dry.stdout.contains("\"PUT\""), "{}", dry.stdout);
    assert_eq!(
        ok(&h, &["allowlist", "list", "allow"]).json(),
        listed,
        "--dry-run changes nothing"
    );
    ok(&h, &["allowlist", "remove", "allow", "192.168.0.1"]);
    let cluster = ok(&h, &["clusters", "get", &id]).json();
    let left: Vec<&Value> = cluster["ipallowlist"]
        .as_array()
        .expect("a list")
        .iter()
        .collect();
    assert_eq!(left.len(), 2, "{cluster}");
}

#[test]
fn deletes_take_several_ids_and_may_ignore_missing_ones() {
    let h = Harness::start(quick());
    let a = created_cluster(&h, "del-a");
    let b = created_cluster(&h, "del-b");
    let both = h.run(&["clusters", "delete", &a, "del-b"]);
    assert_eq!(both.code, 0, "{}", both.stderr);
    assert!(
        both.stderr.contains(&format!("{a}: done")) && both.stderr.contains("del-b: done"),
        "{}",
        both.stderr
    );
    assert_eq!(ok(&h, &["clusters", "list"]).json(), serde_json::json!([]));
    let again = h.run(&["clusters", "delete", &a]);
    assert_eq!(again.code, 5, "gone: {}", again.stderr);
    let ignored = h.run(&["clusters", "delete", &a, &b, "--ignore-not-found"]);
    assert_eq!(ignored.code, 0, "{}", ignored.stderr);
    assert!(
        ignored.stderr.contains("not found, ignored"),
        "{}",
        ignored.stderr
    );
    let c = created_cluster(&h, "del-c");
    let first_failure = h.run(&["clusters", "delete", SOME_UUID, &c]);
    assert_eq!(first_failure.code, 5, "{}", first_failure.stderr);
    assert_eq!(
        ok(&h, &["clusters", "list"]).json(),
        serde_json::json!([]),
        "the ids after a failure are still deleted"
    );
}

#[test]
fn dry_run_prints_the_request_and_sends_nothing() {
    let h = Harness::start(quick());
    let id = created_cluster(&h, "dry");
    let run = ok(
        &h,
        &[
            "clients",
            "create",
            "dry",
            "--client-name",
            "ci",
            "--dry-run",
        ],
    )
    .json();
    assert_eq!(run["method"], "POST");
    assert!(
        run["url"]
            .as_str()
            .expect("a URL")
            .ends_with(&format!("/clusters/{id}/clients")),
        "the name resolved to the id: {run}"
    );
    assert_eq!(run["body"]["clientName"], "ci");
    let deleted = ok(&h, &["clusters", "delete", "dry", "--dry-run"]);
    assert!(deleted.stdout.contains("DELETE"), "{}", deleted.stdout);
    assert_eq!(
        h.emulator.calls(OperationId::CreateClient.as_str())
            + h.emulator.calls(OperationId::DeleteCluster.as_str()),
        0
    );
    assert_eq!(ok(&h, &["clusters", "list"]).json()[0]["uuid"], id.as_str());
}

#[test]
fn a_secret_shown_once_is_never_printed_into_nothing() {
    let h = Harness::start(quick());
    let id = created_cluster(&h, "once");
    let create = |name: &str, extra: &[&str]| {
        let mut args = vec!["clients", "create", id.as_str(), "--client-name", name];
        args.extend_from_slice(extra);
        h.command(&args)
    };
    let null = run_into_null(create("ci", &[]));
    assert_eq!(null.code, 2, "{null:?}");
    assert!(null.stderr.contains("/dev/null"), "{}", null.stderr);
    for option in [
        &["--jq", ".clientId"][..],
        &["--fields", "clientId"],
        &["-o", "table"],
    ] {
        let dropped = Run::of_command(&mut create("ci", option));
        assert_eq!(dropped.code, 2, "{option:?}: {dropped:?}");
    }
    assert_eq!(
        h.emulator.calls(OperationId::CreateClient.as_str()),
        0,
        "nothing was created"
    );
    let closed = run_into_closed_pipe(create("ci", &[]));
    assert_eq!(closed.code, 1, "{closed:?}");
    assert!(
        closed.stderr.contains("\"clientSecret\""),
        "the secret reached stderr: {}",
        closed.stderr
    );
    let forced = run_into_null(create("ci-2", &["--force"]));
    assert_eq!(forced.code, 0, "{forced:?}");
    assert_eq!(h.emulator.calls(OperationId::CreateClient.as_str()), 2);
}

#[test]
fn a_created_client_as_env_lines() {
    let h = Harness::start(quick());
    let id = created_cluster(&h, "env");
    let run = ok(
        &h,
        &["clients", "create", &id, "--client-name", "ci", "-o", "env"],
    );
    let lines: Vec<&str> = run.stdout.lines().collect();
    let secret = lines
        .iter()
        .find_map(|l| l.strip_prefix("ZEEBE_CLIENT_SECRET="))
        .unwrap_or_else(|| panic!("a ZEEBE_CLIENT_SECRET line: {}", run.stdout));
    assert!(!secret.is_empty());
    assert!(
        lines.iter().any(|l| l.starts_with("ZEEBE_CLIENT_ID=")),
        "{}",
        run.stdout
    );
    for line in &lines {
        let (name, value) = line.split_once('=').expect("NAME=value");
        assert!(!name.starts_with("export"), "{line}");
        assert!(
            !value.starts_with('"') && !value.starts_with('\''),
            "{line}"
        );
    }
    let refused = h.run(&["clusters", "delete", &id, "-o", "env"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert_eq!(
        h.emulator.calls(OperationId::DeleteCluster.as_str()),
        0,
        "refused before sending"
    );
}
