//! The built binary against the emulator: every command at least once (a
//! command the table has and this test does not run fails it), and one
//! token request for all of them through the shared disk cache.

use crate::support::{quick, Harness, Run};
use camunda_admin::operation::OperationId;
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
    assert_eq!(h.emulator.calls(OperationId::GetClusters.as_str()), 20);
    assert_eq!(h.emulator.token_requests(), 1);
}

/// `camunda-admin emulator` as a child process, with its exports read.
struct Child {
    child: std::process::Child,
    exports: Vec<(String, String)>,
    home: tempfile::TempDir,
}

impl Child {
    fn start(args: &[&str]) -> Self {
        use std::io::{BufRead, BufReader};
        let home = tempfile::tempdir().expect("a temp folder");
        let mut child = crate::support::bare()
            .arg("emulator")
            .args(args)
            .env("HOME", home.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the emulator starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        // Read on a thread: an emulator that never prints the last export
        // fails the test instead of hanging it.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if tx.send(line.expect("a line")).is_err() {
                    return;
                }
            }
        });
        let mut exports = Vec::new();
        loop {
            let Ok(line) = rx.recv_timeout(std::time::Duration::from_secs(60)) else {
                let _ = child.kill();
                panic!("no CAMUNDA_EMULATOR_CONTROL_TOKEN among {exports:?}");
            };
            let (name, value) = line
                .strip_prefix("export ")
                .and_then(|l| l.split_once('='))
                .unwrap_or_else(|| panic!("not an export: {line}"));
            let value = value.trim_matches('\'').to_owned();
            exports.push((name.to_owned(), value));
            if name == "CAMUNDA_EMULATOR_CONTROL_TOKEN" {
                break;
            }
        }
        Self {
            child,
            exports,
            home,
        }
    }

    fn var(&self, name: &str) -> String {
        self.exports
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{name} is not exported: {:?}", self.exports))
    }

    fn addr(&self) -> String {
        self.var("CAMUNDA_CONSOLE_BASE_URL")
            .trim_start_matches("http://")
            .to_owned()
    }

    /// `camunda-admin ARGS` with the printed environment, as a script runs it.
    fn run(&self, args: &[&str]) -> Run {
        let mut command = crate::support::bare();
        command.args(args).env("HOME", self.home.path());
        for (name, value) in &self.exports {
            command.env(name, value);
        }
        Run::of_command(&mut command)
    }

    /// A control request with the control token: status and body.
    fn control(&self, method: &str, path: &str, body: &str) -> (u16, Value) {
        let token = self.var("CAMUNDA_EMULATOR_CONTROL_TOKEN");
        let (status, text) = raw_http(
            &self.addr(),
            &format!(
                "{method} /__emulator{path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            ),
        );
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// An admin token from the emulator's token endpoint.
    fn admin_token(&self) -> String {
        let grant = serde_json::json!({
            "grant_type": "client_credentials",
            "client_id": self.var("CAMUNDA_CONSOLE_CLIENT_ID"),
            "client_secret": self.var("CAMUNDA_CONSOLE_CLIENT_SECRET"),
            "audience": self.var("CAMUNDA_CONSOLE_OAUTH_AUDIENCE"),
        })
        .to_string();
        let (status, text) = raw_http(
            &self.addr(),
            &format!(
                "POST /oauth/token HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{grant}",
                grant.len()
            ),
        );
        assert_eq!(status, 200, "{text}");
        let answer: Value = serde_json::from_str(&text).expect("a token answer");
        answer["access_token"].as_str().expect("a token").to_owned()
    }

    /// An API request with `token`: status and body text.
    fn api(&self, token: &str, method: &str, path: &str, body: &str) -> (u16, String) {
        raw_http(
            &self.addr(),
            &format!(
                "{method} {path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            ),
        )
    }

    /// SIGTERM, then the exit status and how long the exit took.
    fn terminate(mut self) -> (std::process::ExitStatus, std::time::Duration) {
        let started = std::time::Instant::now();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        // Only a hang reaches this bound.
        let bound = std::time::Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().expect("the child") {
                return (status, started.elapsed());
            }
            if started.elapsed() > bound {
                let _ = self.child.kill();
                panic!("the emulator did not exit within {bound:?} of SIGTERM");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

/// Send `request` as is on a new connection; the status and the body of
/// the answer, read until the server closes.
fn raw_http(addr: &str, request: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("connects");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .expect("a timeout");
    stream.write_all(request.as_bytes()).expect("sends");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let status = answer
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP answer: {answer:?}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn the_printed_environment_keeps_tokens_off_the_users_home_and_removes_them_at_exit() {
    let child = Child::start(&["--port", "0"]);
    let cache = std::path::PathBuf::from(child.var("CAMUNDA_TOKEN_CACHE_DIR"));
    // What Camunda's Node SDK reads for a token URL other than SaaS's.
    assert_eq!(
        (
            child.var("ZEEBE_CLIENT_ID"),
            child.var("ZEEBE_CLIENT_SECRET")
        ),
        (
            child.var("CAMUNDA_CONSOLE_CLIENT_ID"),
            child.var("CAMUNDA_CONSOLE_CLIENT_SECRET")
        )
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&cache)
            .expect("the folder")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "a private folder");
    }
    for _ in 0..20 {
        assert_eq!(
            child.run(&["clusters", "list"]).json(),
            serde_json::json!([])
        );
    }
    let (status, tokens) = child.control("GET", "/requests?operationId=Token", "");
    assert_eq!(status, 200);
    assert_eq!(
        tokens.as_array().map(Vec::len),
        Some(1),
        "the cache is used, not disabled: {tokens}"
    );
    assert!(std::fs::read_dir(&cache)
        .expect("the folder")
        .next()
        .is_some());
    let home = child.home.path().to_owned();
    let (status, _) = child.terminate();
    assert!(status.success(), "{status}");
    assert!(!cache.exists(), "the token folder is removed at exit");
    assert!(
        !home.join(".camunda").exists(),
        "nothing in the user's ~/.camunda"
    );
}

#[test]
fn sigterm_finishes_the_request_being_answered_and_exits_despite_trickling_clients() {
    use std::io::Write;
    // 2000 trickling clients, as many as the open-file limit allows.
    let limit: usize = std::process::Command::new("sh")
        .args(["-c", "ulimit -n"])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1024);
    let clients = 2000.min(limit.saturating_sub(200));
    let child = Child::start(&["--port", "0", "--max-connections", "4000"]);
    let addr = child.addr();
    let (status, _) = child.control(
        "POST",
        "/faults",
        &serde_json::json!({ "operationId": OperationId::GetMeta.as_str(), "delayMs": 1500 })
            .to_string(),
    );
    assert_eq!(status, 201);
    let in_flight = {
        let addr = addr.clone();
        std::thread::spawn(move || {
            raw_http(
                &addr,
                "GET /meta/ip-ranges HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
            )
        })
    };
    // The delay is taken once the request is being answered.
    while child.control("GET", "/faults", "").1 != serde_json::json!([]) {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let mut trickling: Vec<std::net::TcpStream> = (0..clients)
        .filter_map(|_| std::net::TcpStream::connect(&addr).ok())
        .collect();
    for stream in &mut trickling {
        let _ = stream.write_all(b"POST /clusters HTTP/1.1\r\nx-slow: ");
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let trickler = {
        let stop = std::sync::Arc::clone(&stop);
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                for stream in &mut trickling {
                    let _ = stream.write_all(b"a");
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        })
    };
    let (status, took) = child.terminate();
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    trickler.join().expect("the trickler");
    eprintln!("exit {took:?} after SIGTERM with {clients} trickling connections");
    assert!(status.success(), "{status}");
    let (answered, body) = in_flight.join().expect("the request");
    assert_eq!(
        answered, 200,
        "the request being answered completes: {body}"
    );
}

/// The README's control plane script, run as written with curl and jq
/// against `camunda-admin emulator`: a fault on GetClusters answers 503
/// once, the journal lists the calls without a secret, a reset empties the
/// clusters.
#[test]
fn the_readme_control_plane_script_runs_with_curl() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("the README");
    let start = readme
        .find("<!-- emulator-control:start -->")
        .expect("the start marker");
    let end = readme
        .find("<!-- emulator-control:end -->")
        .expect("the end marker");
    let script = readme[start..end]
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.rsplit_once("```"))
        .map(|(script, _)| script.to_owned())
        .expect("a sh block between the markers");
    let dir = tempfile::tempdir().expect("a temp folder");
    let path = crate::support::file(dir.path(), "control.sh", &script);
    let bin_dir = std::path::Path::new(crate::support::BIN)
        .parent()
        .expect("the binary's folder");
    let output = std::process::Command::new("bash")
        .args(["-euo", "pipefail", &path])
        .current_dir(dir.path())
        .env_clear()
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin_dir.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("HOME", dir.path())
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the script failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains(r#"{"finished":1}"#), "{stdout}");
    assert!(
        !dir.path().join(".camunda").exists(),
        "nothing in ~/.camunda"
    );
}

#[test]
fn the_strict_flag_refuses_an_unknown_field_the_default_does_not() {
    // No such cluster: the default reads the body and answers 404; strict
    // refuses the stranger before anything is looked up.
    let body = r#"{"secretName": "a", "secretValue": "v", "colour": "red"}"#;
    let path = "/clusters/00000000-0000-4000-8000-000000000000/secrets";
    for (args, expected) in [(&["--strict"][..], 400), (&[][..], 404)] {
        let child = Child::start(args);
        let token = child.admin_token();
        let (status, text) = child.api(&token, "POST", path, body);
        assert_eq!(status, expected, "{args:?}: {text}");
        if expected == 400 {
            assert!(text.contains("colour"), "{text}");
        }
        let (status, _) = child.terminate();
        assert!(status.success(), "{status}");
    }
}

#[test]
fn the_state_flag_keeps_clusters_and_the_credential_across_a_sigterm() {
    let dir = tempfile::tempdir().expect("a temp folder");
    let state = dir.path().join("state.json");
    let state_arg = state.to_str().expect("a UTF-8 path");
    let first = Child::start(&["--state", state_arg, "--ready-delay", "0s"]);
    let created = first
        .run(&[
            "clusters",
            "create",
            "--name",
            "ci",
            "--region",
            "europe-west1",
            "--plan",
            "Basic",
            "--channel",
            "Stable",
        ])
        .json();
    let id = created["clusterId"].as_str().expect("an id").to_owned();
    let credential = (
        first.var("CAMUNDA_CONSOLE_CLIENT_ID"),
        first.var("CAMUNDA_CONSOLE_CLIENT_SECRET"),
    );
    let (status, _) = first.terminate();
    assert!(status.success(), "{status}");

    let second = Child::start(&["--state", state_arg]);
    assert_eq!(
        (
            second.var("CAMUNDA_CONSOLE_CLIENT_ID"),
            second.var("CAMUNDA_CONSOLE_CLIENT_SECRET"),
        ),
        credential,
        "the same credential, so scripts keep theirs"
    );
    let clusters = second.run(&["clusters", "list"]).json();
    assert_eq!(clusters[0]["uuid"], serde_json::json!(id), "{clusters}");
    let (status, _) = second.terminate();
    assert!(status.success(), "{status}");
}

#[test]
fn a_missing_seed_stops_the_emulator_naming_the_file() {
    let dir = tempfile::tempdir().expect("a temp folder");
    let seed = dir.path().join("seed.json");
    let output = crate::support::bare()
        .args(["emulator", "--seed", seed.to_str().expect("UTF-8")])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&seed.display().to_string()), "{stderr}");
    assert!(stderr.contains("no such file"), "{stderr}");
    assert!(!seed.exists());
}
