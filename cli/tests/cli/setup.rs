//! `export`, `plan` and `apply` driven through the built binary: a setup
//! applied to an empty organization, drift made with the command line named
//! by `plan` (exit 11), convergence, `--prune`, credentials into files of
//! their own, export into a fresh emulator, and no secret value in any
//! output at `-vv`.

use camunda_admin::OperationId;

use crate::support::{file, quick, Harness, Run};

const DB_VALUE: &str = "DB-VALUE-c4ca4238a0b9";
const KEY_VALUE: &str = "KEY-VALUE-eccbc87e4b5c";
const DRIFT_VALUE: &str = "DRIFT-VALUE-a87ff679a2f3";

const SETUP: &str = "\
clusters:
  - name: orders-dev
    region: europe-west1
    plan: Basic
    channel: Stable
    generation: \"8.8\"
    stageLabel: dev
    hardwarePackages: 1
    clients:
      - name: ci
        permissions: [Zeebe]
    secrets:
      - name: DB_PASSWORD
        value: env:ORDERS_DEV__DB_PASSWORD
    allowlist:
      - ip: 10.0.0.0/8
        description: office
  - name: billing-prod
    region: us-central1
    plan: Basic
    channel: Stable
    clients: []
    secrets:
      - name: API_KEY
        value: env:BILLING_PROD__API_KEY
    allowlist: []
members:
  - email: owner@example.com
    roles: [owner]
  - email: admin@example.com
    roles: [admin]
  - email: dev@example.com
    roles: [developer]
";

/// `args` at `-vv` with the secret values in the environment.
fn run(h: &Harness, args: &[&str]) -> Run {
    let mut all = vec!["-vv"];
    all.extend_from_slice(args);
    let mut command = h.command(&all);
    command
        .env("ORDERS_DEV__DB_PASSWORD", DB_VALUE)
        .env("BILLING_PROD__API_KEY", KEY_VALUE)
        .env("DRIFT", DRIFT_VALUE);
    Run::of_command(&mut command)
}

fn no_value(run: &Run) {
    for value in [DB_VALUE, KEY_VALUE, DRIFT_VALUE] {
        assert!(
            !run.stdout.contains(value),
            "a value on stdout: {}",
            run.stdout
        );
        assert!(
            !run.stderr.contains(value),
            "a value on stderr: {}",
            run.stderr
        );
    }
}

fn cluster_id(h: &Harness, name: &str) -> String {
    let clusters = run(h, &["clusters", "list"]).json();
    clusters
        .as_array()
        .and_then(|l| l.iter().find(|c| c["name"] == name))
        .and_then(|c| c["uuid"].as_str())
        .expect("the cluster")
        .to_owned()
}

#[test]
fn apply_plan_drift_prune_and_export_through_the_binary() {
    let h = Harness::start(quick());
    let dir = tempfile::tempdir().expect("a temp folder");
    let setup = file(dir.path(), "setup.yaml", SETUP);
    let creds = dir.path().join("credentials");
    std::fs::create_dir(&creds).expect("folder");
    let creds = creds.display().to_string();
    let mut outputs = Vec::new();

    // Clients to create: no --credentials-dir, no change (exit 2).
    let refused = run(&h, &["apply", "-f", &setup]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("--credentials-dir"),
        "{}",
        refused.stderr
    );
    assert_eq!(run(&h, &["clusters", "list"]).json(), serde_json::json!([]));

    let applied = run(
        &h,
        &[
            "apply",
            "-f",
            &setup,
            "--credentials-dir",
            &creds,
            "--poll-interval",
            "20ms",
        ],
    );
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    assert!(
        applied.stderr.contains("creating cluster \"orders-dev\""),
        "{}",
        applied.stderr
    );
    let written = std::path::Path::new(&creds).join("orders-dev.ci.env");
    let text = std::fs::read_to_string(&written).expect("credentials file");
    assert!(text.contains("ZEEBE_CLIENT_SECRET="), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&written)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let secret = text
        .lines()
        .find_map(|l| l.strip_prefix("ZEEBE_CLIENT_SECRET="))
        .expect("secret")
        .to_owned();
    assert!(!applied.stdout.contains(&secret) && !applied.stderr.contains(&secret));
    outputs.push(applied);

    let clean = run(&h, &["plan", "-f", &setup]);
    assert_eq!(clean.code, 0, "{}{}", clean.stdout, clean.stderr);
    assert!(clean
        .stdout
        .ends_with("No changes: the live setup matches the file.\n"));
    let again = run(&h, &["apply", "-f", &setup]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        again.stdout,
        "No changes: the live setup matches the file.\n"
    );
    outputs.extend([clean, again]);

    // Drift with the command line: a secret value, a client, an allowlist
    // entry, a member's role, the hardware packages.
    let orders = cluster_id(&h, "orders-dev");
    run(
        &h,
        &[
            "clusters",
            "update",
            &orders,
            "--number-of-allocated-hw-packages",
            "3",
        ],
    )
    .ok();
    run(
        &h,
        &[
            "secrets",
            "update",
            &orders,
            "DB_PASSWORD",
            "--secret-value-env",
            "DRIFT",
        ],
    )
    .ok();
    run(
        &h,
        &[
            "clients",
            "create",
            &orders,
            "--client-name",
            "stray",
            "--permissions",
            "Zeebe",
        ],
    )
    .ok();
    run(
        &h,
        &[
            "allowlist",
            "set",
            &orders,
            "--ipallowlist",
            r#"{"ip": "192.168.0.0/16", "description": "lab"}"#,
        ],
    )
    .ok();
    run(
        &h,
        &[
            "members",
            "set",
            "dev@example.com",
            "--org-roles",
            "analyst",
        ],
    )
    .ok();

    let drift = run(&h, &["plan", "-f", &setup]);
    assert_eq!(drift.code, 11, "{}{}", drift.stdout, drift.stderr);
    // An answer, not a failure: no error line.
    assert!(!drift.stderr.contains("error:"), "{}", drift.stderr);
    let changed: Vec<&str> = drift
        .stdout
        .lines()
        .filter(|l| {
            l.contains(" update ")
                || l.contains(" create ")
                || l.contains(" delete ")
                || l.contains(" replace ")
        })
        .collect();
    assert_eq!(changed.len(), 4, "{}", drift.stdout);
    assert!(
        drift
            .stdout
            .contains("update      cluster \"orders-dev\": hardwarePackages: \"3\" -> \"1\""),
        "{}",
        drift.stdout
    );
    assert!(
        drift.stdout.contains(
            "update      secret \"DB_PASSWORD\" of cluster \"orders-dev\" (value differs"
        ),
        "{}",
        drift.stdout
    );
    assert!(
        drift
            .stdout
            .contains("update      allowlist of cluster \"orders-dev\""),
        "{}",
        drift.stdout
    );
    assert!(
        drift.stdout.contains(
            "update      member \"dev@example.com\": roles: \"analyst\" -> \"developer\""
        ),
        "{}",
        drift.stdout
    );
    assert!(
        drift.stdout.contains("kept        client \"stray\""),
        "{}",
        drift.stdout
    );
    let json = run(&h, &["plan", "-f", &setup, "-o", "json"]);
    assert_eq!(json.code, 11);
    let parsed: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert!(parsed["changes"].as_array().is_some_and(|c| c
        .iter()
        .any(|c| c["action"] == "update" && c["resource"]["kind"] == "secret")));
    outputs.extend([drift, json]);

    let converged = run(&h, &["apply", "-f", &setup]);
    assert_eq!(converged.code, 0, "{}", converged.stderr);
    assert_eq!(run(&h, &["plan", "-f", &setup]).code, 0);
    // The extra client stays without --prune; --prune deletes it alone,
    // which is refused off a terminal without --yes.
    let unconfirmed = run(&h, &["apply", "-f", &setup, "--prune"]);
    assert_eq!(unconfirmed.code, 2, "{}", unconfirmed.stderr);
    assert!(
        unconfirmed.stderr.contains("--yes"),
        "{}",
        unconfirmed.stderr
    );
    let pruned = run(&h, &["apply", "-f", &setup, "--prune", "--yes"]);
    assert_eq!(pruned.code, 0, "{}", pruned.stderr);
    assert!(
        pruned
            .stdout
            .contains("done:      client \"stray\" of cluster \"orders-dev\"\nApplied: 1 changes."),
        "{}",
        pruned.stdout
    );
    let clients = run(&h, &["clients", "list", &orders]).json();
    assert_eq!(clients.as_array().map(Vec::len), Some(1));
    outputs.extend([converged, unconfirmed, pruned]);

    // Export, apply to a fresh emulator, export again: the same file.
    let exported = run(&h, &["export"]);
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    assert!(
        exported
            .stdout
            .contains("value: env:ORDERS_DEV__DB_PASSWORD"),
        "{}",
        exported.stdout
    );
    assert!(!exported.stdout.contains(&orders));
    let export_file = file(dir.path(), "export.yaml", &exported.stdout);
    let fresh = Harness::start(quick());
    let fresh_creds = tempfile::tempdir().expect("folder");
    let fresh_creds = fresh_creds.path().display().to_string();
    let imported = run(
        &fresh,
        &[
            "apply",
            "-f",
            &export_file,
            "--credentials-dir",
            &fresh_creds,
            "--poll-interval",
            "20ms",
        ],
    );
    assert_eq!(imported.code, 0, "{}", imported.stderr);
    let again = run(&fresh, &["export"]);
    assert_eq!(again.stdout, exported.stdout);
    outputs.extend([exported, imported, again]);

    let admin = h.emulator.admin_client_secret();
    for output in &outputs {
        no_value(output);
        assert!(
            !output.stderr.contains(admin.expose_secret()),
            "{}",
            output.stderr
        );
        assert!(
            !output.stdout.contains(admin.expose_secret()),
            "{}",
            output.stdout
        );
        // An access token is a JWT: its header starts so.
        assert!(!output.stderr.contains("eyJ"), "a token: {}", output.stderr);
    }
}

#[test]
fn an_unknown_key_is_a_usage_error_naming_line_column_and_resource() {
    let h = Harness::start(quick());
    let dir = tempfile::tempdir().expect("a temp folder");
    let setup = file(
        dir.path(),
        "setup.yaml",
        &SETUP.replace(
            "        permissions: [Zeebe]\n",
            "        permissions: [Zeebe]\n        scopes: [all]\n",
        ),
    );
    let failed = run(&h, &["plan", "-f", &setup]);
    assert_eq!(failed.code, 2, "{}", failed.stderr);
    assert!(
        failed.stderr.contains(
            "line 12 column 9 (cluster \"orders-dev\", client \"ci\"): unknown field `scopes`"
        ),
        "{}",
        failed.stderr
    );
}

const ONE_CLIENT: &str = "\
clusters:
  - name: orders-dev
    region: europe-west1
    plan: Basic
    channel: Stable
    clients:
      - name: ci
        permissions: [Zeebe]
";

#[test]
fn apply_o_env_prints_the_one_created_client_and_refuses_two_before_any_change() {
    let h = Harness::start(quick());
    let dir = tempfile::tempdir().expect("a temp folder");
    let two = file(
        dir.path(),
        "two.yaml",
        &format!("{ONE_CLIENT}      - name: deploy\n        permissions: [Operate]\n"),
    );
    let refused = run(
        &h,
        &["apply", "-f", &two, "-o", "env", "--poll-interval", "20ms"],
    );
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("the plan creates 2")
            && refused.stderr.contains("--credentials-dir")
            && refused.stderr.contains("nothing changed"),
        "{}",
        refused.stderr
    );
    assert_eq!(run(&h, &["clusters", "list"]).json(), serde_json::json!([]));

    let one = file(dir.path(), "one.yaml", ONE_CLIENT);
    let applied = run(
        &h,
        &["apply", "-f", &one, "-o", "env", "--poll-interval", "20ms"],
    );
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    // Stdout is NAME=value lines alone; the report is on stderr.
    assert!(
        applied
            .stdout
            .lines()
            .all(|l| l.split_once('=').is_some_and(
                |(k, _)| !k.is_empty() && k.chars().all(|c| c.is_ascii_uppercase() || c == '_')
            )),
        "{}",
        applied.stdout
    );
    assert!(
        applied.stderr.contains("Applied: 2 changes."),
        "{}",
        applied.stderr
    );
    let value = |name: &str| {
        applied
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("{name} in {}", applied.stdout))
            .to_owned()
    };
    let secret = value("ZEEBE_CLIENT_SECRET");
    assert!(!secret.is_empty());
    assert!(
        !applied.stderr.contains(&secret),
        "the secret at -vv: {}",
        applied.stderr
    );
    let orders = cluster_id(&h, "orders-dev");
    assert_eq!(value("CAMUNDA_CLUSTER_ID"), orders);
    let clients = run(&h, &["clients", "list", &orders]).json();
    assert_eq!(clients[0]["clientId"], value("ZEEBE_CLIENT_ID").as_str());

    let again = run(&h, &["apply", "-f", &one, "-o", "env"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.stdout, "");
    assert!(again.stderr.contains("No changes"), "{}", again.stderr);
}

#[test]
fn a_name_of_several_live_clusters_stops_plan_and_apply_with_their_ids() {
    let h = Harness::start(quick());
    let ids = [h.healthy_cluster("twin"), h.healthy_cluster("twin")];
    let dir = tempfile::tempdir().expect("a temp folder");
    let setup = file(
        dir.path(),
        "twin.yaml",
        "clusters:\n  - name: twin\n    region: europe-west1\n    plan: Basic\n    channel: Stable\n    description: changed\n",
    );
    let plan: &[&str] = &["plan", "-f", &setup];
    let apply: &[&str] = &["apply", "-f", &setup, "--yes"];
    for args in [plan, apply] {
        let command = args[0];
        let stopped = run(&h, args);
        assert_eq!(stopped.code, 2, "{command}: {}", stopped.stderr);
        assert!(
            stopped
                .stderr
                .contains("cluster \"twin\": the name matches 2 live clusters"),
            "{command}: {}",
            stopped.stderr
        );
        for id in &ids {
            assert!(
                stopped.stderr.contains(id.as_str()),
                "{command}: {}",
                stopped.stderr
            );
        }
    }
    assert_eq!(h.emulator.calls(OperationId::UpdateCluster.as_str()), 0);
}

#[test]
fn a_fault_on_create_client_stops_apply_with_a_report_and_a_second_apply_converges() {
    let h = Harness::start(quick());
    let dir = tempfile::tempdir().expect("a temp folder");
    let setup = file(dir.path(), "setup.yaml", SETUP);
    let creds = tempfile::tempdir().expect("folder");
    let creds = creds.path().display().to_string();
    h.emulator
        .fail_next(OperationId::CreateClient.as_str(), 1, 500)
        .expect("a fault");
    let args = [
        "apply",
        "-f",
        &setup,
        "--credentials-dir",
        &creds,
        "--poll-interval",
        "20ms",
    ];
    let stopped = run(&h, &args);
    assert_eq!(stopped.code, 6, "{}{}", stopped.stdout, stopped.stderr);
    assert_eq!(
        h.emulator.calls(OperationId::CreateClient.as_str()),
        1,
        "a create is never resent blindly"
    );
    for part in [
        "done:      cluster \"orders-dev\"",
        "failed:    client \"ci\" of cluster \"orders-dev\"",
        "remaining: secret \"DB_PASSWORD\" of cluster \"orders-dev\" (create)",
        "remaining: member \"dev@example.com\" (create)",
        "Stopped at the first failure: 2 done, 1 failed",
    ] {
        assert!(stopped.stdout.contains(part), "{part}: {}", stopped.stdout);
    }
    let second = run(&h, &args);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        second.stdout.contains("done:      client \"ci\""),
        "{}",
        second.stdout
    );
    assert_eq!(run(&h, &["plan", "-f", &setup]).code, 0);
    no_value(&stopped);
    no_value(&second);
}

#[test]
fn an_organization_built_by_hand_exports_the_same_file_after_apply_to_a_fresh_one() {
    let h = Harness::start(quick());
    let id = h.healthy_cluster("by-hand");
    let steps: [&[&str]; 6] = [
        &[
            "clusters",
            "update",
            &id,
            "--description",
            "made by hand",
            "--stage-label",
            "test",
            "--number-of-allocated-hw-packages",
            "2",
        ],
        &[
            "clients",
            "create",
            &id,
            "--client-name",
            "worker",
            "--permissions",
            "Zeebe",
            "--permissions",
            "Operate",
        ],
        &[
            "secrets",
            "create",
            &id,
            "--secret-name",
            "DB_PASSWORD",
            "--secret-value-env",
            "ORDERS_DEV__DB_PASSWORD",
        ],
        &["allowlist", "add", &id, "10.0.0.0/8=office"],
        &["backups", "schedule-set", &id, "--schedule", "0 3 * * *"],
        &[
            "members",
            "set",
            "dev@example.com",
            "--org-roles",
            "analyst",
        ],
    ];
    for step in steps {
        let done = run(&h, step);
        assert_eq!(done.code, 0, "{step:?}: {}", done.stderr);
    }
    let exported = run(&h, &["export"]);
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    for part in [
        "hardwarePackages: 2",
        "value: env:BY_HAND__DB_PASSWORD",
        "description: made by hand",
        "backupSchedule: 0 3 * * *",
    ] {
        assert!(
            exported.stdout.contains(part),
            "{part}: {}",
            exported.stdout
        );
    }
    assert!(!exported.stdout.contains(&id));

    let dir = tempfile::tempdir().expect("a temp folder");
    let export_file = file(dir.path(), "export.yaml", &exported.stdout);
    let fresh = Harness::start(quick());
    let mut apply = fresh.command(&[
        "-vv",
        "apply",
        "-f",
        &export_file,
        "-o",
        "env",
        "--poll-interval",
        "20ms",
    ]);
    apply.env("BY_HAND__DB_PASSWORD", DB_VALUE);
    let applied = Run::of_command(&mut apply);
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    assert!(!applied.stderr.contains(DB_VALUE));
    let again = run(&fresh, &["export"]);
    assert_eq!(again.stdout, exported.stdout, "the same file");
    let mut plan = fresh.command(&["plan", "-f", &export_file]);
    plan.env("BY_HAND__DB_PASSWORD", DB_VALUE);
    assert_eq!(
        Run::of_command(&mut plan).code,
        0,
        "no drift, value included"
    );
    // Its variable unset: not checked, which is not drift.
    let unchecked = fresh.run(&["plan", "-f", &export_file]);
    assert_eq!(
        unchecked.code, 0,
        "{}{}",
        unchecked.stdout, unchecked.stderr
    );
    assert!(
        unchecked
            .stdout
            .contains("secret \"DB_PASSWORD\" of cluster \"by-hand\" (not checked (BY_HAND__DB_PASSWORD unset))"),
        "{}",
        unchecked.stdout
    );
}

#[test]
fn two_clients_whose_names_make_one_file_name_keep_both_credentials() {
    let h = Harness::start(quick());
    let dir = tempfile::tempdir().expect("a temp folder");
    let setup = file(
        dir.path(),
        "setup.yaml",
        &format!(
            "{ONE_CLIENT}      - name: ci.x\n        permissions: [Zeebe]\n      - name: ci_x\n        permissions: [Zeebe]\n"
        ),
    );
    let creds = tempfile::tempdir().expect("folder");
    let applied = run(
        &h,
        &[
            "apply",
            "-f",
            &setup,
            "--credentials-dir",
            &creds.path().display().to_string(),
            "--poll-interval",
            "20ms",
        ],
    );
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    let mut secrets: Vec<String> = std::fs::read_dir(creds.path())
        .expect("the folder")
        .map(|entry| std::fs::read_to_string(entry.expect("entry").path()).expect("a file"))
        .filter_map(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("ZEEBE_CLIENT_SECRET="))
                .map(str::to_owned)
        })
        .collect();
    secrets.sort();
    secrets.dedup();
    assert_eq!(secrets.len(), 3, "ci, ci.x and ci_x each keep their secret");
}

#[test]
fn a_closed_reader_ends_export_and_plan_quietly_keeping_plans_answer() {
    let h = Harness::start(quick());
    h.healthy_cluster("orders-dev");
    let exported = crate::support::run_into_closed_pipe(h.command(&["export"]));
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    assert_eq!(exported.stderr, "");
    let dir = tempfile::tempdir().expect("a temp folder");
    let setup = file(dir.path(), "setup.yaml", ONE_CLIENT);
    let planned = crate::support::run_into_closed_pipe(h.command(&["plan", "-f", &setup]));
    assert_eq!(planned.code, 11, "the answer stays: {}", planned.stderr);
    assert_eq!(planned.stderr, "");
}
