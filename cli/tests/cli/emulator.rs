//! The built binary against the emulator: every command at least once (a
//! command the table has and this test does not run fails it), and one
//! token request for all of them through the shared disk cache.

use crate::support::{quick, Harness, Run};
use serde_json::Value;

fn ok(h: &Harness, args: &[&str]) -> Run {
    let run = h.run(args);
    assert_eq!(run.code, 0, "{args:?} failed: {}", run.stderr);
    run
}

fn text(value: &Value, field: &str) -> String {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field} in {value}"))
        .to_owned()
}

fn clusters(h: &Harness) -> String {
    ok(h, &["meta", "ip-ranges"]).json();
    let parameters = ok(h, &["clusters", "parameters"]).json();
    assert!(parameters["regions"]
        .as_array()
        .is_some_and(|r| !r.is_empty()));
    // An older generation by name, so that the upgrade has somewhere to go.
    let created = ok(
        h,
        &[
            "clusters",
            "create",
            "--name",
            "orders",
            "--region",
            "europe-west1",
            "--plan",
            "Basic",
            "--channel",
            "Stable",
            "--generation",
            "Camunda 8.6.21",
            "--wait",
            "--poll-interval",
            "20ms",
        ],
    )
    .json();
    let id = text(&created, "clusterId");
    let listed = ok(h, &["clusters", "list"]).json();
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    ok(
        h,
        &["clusters", "update", &id, "--description", "orders, dev"],
    );
    let cluster = ok(h, &["clusters", "get", &id]).json();
    assert_eq!(cluster["description"], "orders, dev");
    assert_eq!(cluster["status"]["ready"], "Healthy");
    assert_eq!(cluster["generation"]["name"], "Camunda 8.6.21");

    let upgraded = ok(
        h,
        &[
            "clusters",
            "upgrade",
            &id,
            "--wait",
            "--poll-interval",
            "20ms",
        ],
    )
    .json();
    let newest = text(&upgraded["newGeneration"], "id");
    let cluster = ok(h, &["clusters", "get", &id]).json();
    assert_eq!(cluster["generation"]["uuid"], newest.as_str());
    assert_eq!(cluster["status"]["ready"], "Healthy");

    assert!(h.emulator.suspend_cluster(&id));
    ok(
        h,
        &["clusters", "wake", &id, "--wait", "--poll-interval", "20ms"],
    );
    assert_eq!(
        ok(h, &["clusters", "get", &id]).json()["status"]["ready"],
        "Healthy"
    );

    // No customer-managed keys on GCP and no backup region on this
    // cluster: the API refuses, and the command says so with the 4xx code.
    let encryption = h.run(&[
        "clusters",
        "encryption",
        &id,
        "--primary-encryption-key-id",
        "arn:aws:kms:eu:1:key/k",
    ]);
    assert_eq!(encryption.code, 5, "{encryption:?}");
    assert!(
        encryption.stderr.contains("HTTP 403"),
        "{}",
        encryption.stderr
    );
    let failover = h.run(&[
        "clusters",
        "failover",
        &id,
        "--backup-ids",
        "b",
        "--restore-backup-id",
        "b",
    ]);
    assert_eq!(failover.code, 5, "{failover:?}");
    assert!(
        failover.stderr.contains("no backup region"),
        "{}",
        failover.stderr
    );
    id
}

fn backups(h: &Harness, id: &str) {
    let backup = ok(
        h,
        &["backups", "create", id, "--wait", "--poll-interval", "20ms"],
    )
    .json();
    let backup_id = text(&backup, "uuid");
    let listed = ok(h, &["backups", "list", id]).json();
    assert_eq!(listed[0]["status"], "Complete", "{listed}");
    ok(
        h,
        &["backups", "schedule-set", id, "--schedule", "0 3 * * *"],
    );
    assert_eq!(
        ok(h, &["backups", "schedule", id]).json()["schedule"],
        "0 3 * * *"
    );
    ok(h, &["backups", "schedule-delete", id]);
    ok(
        h,
        &[
            "backups",
            "restore",
            id,
            &backup_id,
            "--wait",
            "--poll-interval",
            "20ms",
        ],
    );
    let restore = ok(h, &["backups", "restore-status", id, &backup_id]).json();
    assert_eq!(restore["state"], "COMPLETED", "{restore}");
    ok(h, &["backups", "delete", id, &backup_id]);
}

fn clients_and_allowlist(h: &Harness, id: &str) {
    let created = ok(
        h,
        &[
            "clients",
            "create",
            id,
            "--client-name",
            "ci",
            "--permissions",
            "Zeebe",
        ],
    )
    .json();
    let client_id = text(&created, "clientId");
    assert!(!text(&created, "clientSecret").is_empty());
    let listed = ok(h, &["clients", "list", id]).json();
    assert_eq!(listed[0]["name"], "ci");
    let one = ok(h, &["clients", "get", id, &client_id]).json();
    assert_eq!(one["name"], "ci");
    ok(h, &["clients", "delete", id, &client_id]);

    ok(
        h,
        &[
            "allowlist",
            "set",
            id,
            "--ipallowlist",
            r#"{"ip":"10.0.0.0/8","description":"office"}"#,
        ],
    );
    let cluster = ok(h, &["clusters", "get", id]).json();
    assert_eq!(cluster["ipallowlist"][0]["ip"], "10.0.0.0/8", "{cluster}");
    ok(
        h,
        &[
            "allowlist",
            "set-whitelist",
            id,
            "--ipwhitelist",
            r#"{"ip":"10.1.0.0/16","description":"vpn"}"#,
        ],
    );
}

fn monitoring_and_connectivity(h: &Harness, id: &str) {
    ok(h, &["monitoring", "activate", id]);
    let created = ok(
        h,
        &["monitoring", "create-client", id, "--username", "grafana"],
    )
    .json();
    let listed = ok(h, &["monitoring", "clients", id]).json();
    let client = text(&listed["clients"][0], "uuid");
    assert!(created.to_string().contains("grafana"), "{created}");
    ok(h, &["monitoring", "rotate-password", id, &client]).json();
    ok(h, &["monitoring", "delete-client", id, &client]);
    ok(h, &["monitoring", "deactivate", id]);

    ok(
        h,
        &[
            "connectivity",
            "activate",
            id,
            "--allowed-principals",
            "arn:aws:iam::1:root",
            "--allowed-regions",
            "eu-central-1",
        ],
    );
    ok(h, &["connectivity", "status", id]).json();
    ok(h, &["connectivity", "deactivate", id]);
}

fn secrets(h: &Harness, id: &str) {
    h.run_with_stdin(
        &[
            "secrets",
            "create",
            id,
            "--secret-name",
            "DB",
            "--secret-value-file",
            "-",
        ],
        "v1\n",
    )
    .ok();
    assert_eq!(
        ok(h, &["secrets", "list", id]).json(),
        serde_json::json!(["DB"])
    );
    let update = h
        .command(&[
            "secrets",
            "update",
            id,
            "DB",
            "--secret-value-env",
            "NEW_VALUE",
        ])
        .env("NEW_VALUE", "v2")
        .output()
        .expect("runs");
    assert!(update.status.success(), "{update:?}");
    let values = ok(h, &["secrets", "list", id, "--show-values"]).json();
    assert_eq!(
        values,
        serde_json::json!({ "DB": "v2" }),
        "the file's line break is no part of the value"
    );
    ok(h, &["secrets", "delete", id, "DB"]);
    assert_eq!(
        ok(h, &["secrets", "list", id]).json(),
        serde_json::json!([])
    );
}

fn members_and_activity(h: &Harness) {
    let members = ok(h, &["members", "list"]).json();
    assert!(members.is_array());
    ok(
        h,
        &[
            "members",
            "set",
            "dev@example.com",
            "--org-roles",
            "developer",
        ],
    );
    let members = ok(h, &["members", "list"]).json();
    assert!(members.to_string().contains("dev@example.com"), "{members}");
    ok(h, &["members", "delete", "dev@example.com"]);
    let activity = ok(h, &["activity"]).json();
    assert!(activity.as_array().is_some_and(|a| !a.is_empty()));
    let csv = ok(h, &["activity", "--csv"]);
    assert!(csv.stdout.lines().count() > 1, "{}", csv.stdout);
}

#[test]
fn every_command_runs_against_the_emulator_on_one_token() {
    let h = Harness::start(quick());
    let id = clusters(&h);
    backups(&h, &id);
    clients_and_allowlist(&h, &id);
    monitoring_and_connectivity(&h, &id);
    secrets(&h, &id);
    members_and_activity(&h);
    ok(&h, &["clusters", "delete", &id]);
    assert_eq!(ok(&h, &["clusters", "list"]).json(), serde_json::json!([]));

    let missed: Vec<&str> = crate::table::COMMANDS
        .iter()
        .map(|c| c.id.as_str())
        .filter(|id| h.emulator.calls(id) == 0)
        .collect();
    assert!(missed.is_empty(), "commands never run: {missed:?}");
    assert_eq!(
        h.emulator.token_requests(),
        1,
        "every invocation shares the token of the disk cache"
    );
}

#[test]
fn twenty_invocations_make_one_token_request() {
    let h = Harness::start(quick());
    for _ in 0..20 {
        ok(&h, &["clusters", "list"]);
    }
    assert_eq!(h.emulator.calls("GetClusters"), 20);
    assert_eq!(h.emulator.token_requests(), 1);
}
