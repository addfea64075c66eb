//! Secrets are printed only where the user asked for them: a created
//! client secret and a new monitoring password once on stdout with a
//! warning on stderr, connector secret values only with `--show-values`.
//! Nothing reaches stderr, also at `-vv`: not the admin client secret, not
//! the access token, not a created or stored secret.

use camunda_admin::operation::OperationId;

use crate::support::{file, quick, Harness, Run};

const CONNECTOR_VALUE: &str = "CONNECTOR-VALUE-45c48cce";
const ROTATED_VALUE: &str = "ROTATED-VALUE-6512bd43";

fn vv(h: &Harness, args: &[&str]) -> Run {
    let mut all = vec!["-vv"];
    all.extend_from_slice(args);
    h.run(&all)
}

#[test]
fn secrets_show_only_where_asked_and_never_on_stderr() {
    let h = Harness::start(quick());
    let id = h.healthy_cluster("secrets");
    let dir = tempfile::tempdir().expect("a temp folder");
    let value_file = file(dir.path(), "value", &format!("{CONNECTOR_VALUE}\n"));
    let mut stderr = String::new();
    let mut record = |run: Run| {
        stderr.push_str(&run.stderr);
        run
    };

    let created = record(vv(&h, &["clients", "create", &id, "--client-name", "ci"]));
    let client_secret = created.json()["clientSecret"]
        .as_str()
        .expect("shown once")
        .to_owned();
    assert!(
        created
            .stderr
            .contains("warning: this answer holds a secret"),
        "{}",
        created.stderr
    );
    let listed = record(vv(&h, &["clients", "list", &id]));
    assert!(
        !listed.ok().stdout.contains(&client_secret),
        "never shown again"
    );

    record(vv(
        &h,
        &[
            "secrets",
            "create",
            &id,
            "--secret-name",
            "DB",
            "--secret-value-file",
            &value_file,
        ],
    ))
    .ok();
    let duplicate = record(vv(
        &h,
        &[
            "secrets",
            "create",
            &id,
            "--secret-name",
            "DB",
            "--secret-value-file",
            &value_file,
        ],
    ));
    assert_eq!(duplicate.code, 5, "{duplicate:?}");
    let update = record(Run::of_command(
        h.command(&[
            "-vv",
            "secrets",
            "update",
            &id,
            "DB",
            "--secret-value-env",
            "ROTATED",
        ])
        .env("ROTATED", ROTATED_VALUE),
    ));
    update.ok();
    let names = record(vv(&h, &["secrets", "list", &id]));
    assert_eq!(names.json(), serde_json::json!(["DB"]));
    assert!(!names.stderr.contains("warning"), "{}", names.stderr);
    let values = record(vv(&h, &["secrets", "list", &id, "--show-values"]));
    assert_eq!(values.json()["DB"], ROTATED_VALUE);
    assert!(
        values.stderr.contains("warning: printing the values"),
        "{}",
        values.stderr
    );
    let table = record(vv(&h, &["secrets", "list", &id, "--output", "table"]));
    assert!(
        !table.ok().stdout.contains(ROTATED_VALUE),
        "{}",
        table.stdout
    );

    record(vv(&h, &["monitoring", "activate", &id])).ok();
    let monitoring = record(vv(
        &h,
        &["monitoring", "create-client", &id, "--username", "grafana"],
    ));
    let password = monitoring.json()["password"]
        .as_str()
        .expect("shown once")
        .to_owned();
    assert!(monitoring
        .stderr
        .contains("warning: this answer holds a secret"));
    let clients = record(vv(&h, &["monitoring", "clients", &id]));
    assert!(!clients.ok().stdout.contains(&password));
    let uuid = clients.json()["clients"][0]["uuid"]
        .as_str()
        .expect("a client")
        .to_owned();
    let rotated = record(vv(&h, &["monitoring", "rotate-password", &id, &uuid]));
    let new_password = rotated.json()["password"]
        .as_str()
        .expect("shown once")
        .to_owned();
    assert!(rotated
        .stderr
        .contains("warning: this answer holds a secret"));

    assert!(
        stderr.contains(OperationId::GetClusters.as_str())
            || stderr.contains(OperationId::CreateClient.as_str()),
        "-vv logs the calls: {stderr}"
    );
    let admin_secret = h.emulator.admin_client_secret();
    for secret in [
        admin_secret.expose_secret(),
        &client_secret,
        CONNECTOR_VALUE,
        ROTATED_VALUE,
        &password,
        &new_password,
    ] {
        assert!(!stderr.contains(secret), "stderr shows a secret:\n{stderr}");
    }
    // The emulator's tokens are JWT-shaped: base64 of `{"` starts them.
    assert!(
        !stderr.contains("eyJ") && !stderr.contains("Bearer "),
        "stderr shows a token:\n{stderr}"
    );
}

#[test]
fn the_client_secret_can_come_from_a_file_and_never_from_a_flag_value() {
    let h = Harness::start(quick());
    let dir = tempfile::tempdir().expect("a temp folder");
    let secret = h.emulator.admin_client_secret();
    let path = file(
        dir.path(),
        "secret",
        &format!("{}\n", secret.expose_secret()),
    );
    let run = Run::of_command(
        h.command(&["clusters", "list", "--client-secret-file", &path])
            .env_remove("CAMUNDA_CONSOLE_CLIENT_SECRET"),
    );
    assert_eq!(run.json(), serde_json::json!([]));
    let flag = h.run(&["clusters", "list", "--client-secret", "x"]);
    assert_eq!(flag.code, 2, "{flag:?}");
}
