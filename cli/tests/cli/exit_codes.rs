//! Exit codes by kind, as the README's table documents them, each with one
//! line on stderr: usage 2, configuration 3, authentication 4, API 4xx 5,
//! API 5xx 6, transport 7, decode 8, wait failed 9, wait timed out 10.

use std::time::Duration;

use crate::support::{bare, quick, Harness, Run};
use camunda_admin::{emulator::Emulator, operation::OperationId};
use httpmock::prelude::*;
use serde_json::json;

fn assert_fails(run: &Run, code: i32, says: &str) {
    assert_eq!(run.code, code, "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "one line: {}", run.stderr);
    assert!(
        run.stderr.starts_with("camunda-admin: error: "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(says), "{:?} lacks {says:?}", run.stderr);
}

#[test]
fn usage_errors_exit_2() {
    let h = Harness::start(quick());
    let dots = h.run(&["clients", "get", crate::support::SOME_UUID, ".."]);
    assert_fails(&dots, 2, "invalid request");
    let unknown = h.run(&[
        "clusters",
        "create",
        "--name",
        "x",
        "--region",
        "mars",
        "--plan",
        "Basic",
        "--channel",
        "Stable",
    ]);
    assert_fails(&unknown, 2, "choose one of: Belgium, Europe (europe-west1)");
    let missing = h.run(&["secrets", "create", "c1", "--secret-name", "DB"]);
    assert_fails(&missing, 2, "--secret-value-file or --secret-value-env");
    let unset = h.run(&[
        "secrets",
        "create",
        "c1",
        "--secret-name",
        "DB",
        "--secret-value-env",
        "NOT_SET_ANYWHERE",
    ]);
    assert_fails(&unset, 2, "NOT_SET_ANYWHERE is not set");
    let twice = h.run_with_stdin(
        &[
            "secrets",
            "create",
            "c1",
            "--body",
            "-",
            "--secret-value-file",
            "-",
        ],
        "{}",
    );
    assert_fails(&twice, 2, "stdin can feed one value only");
    let not_json = h.run_with_stdin(&["members", "set", "a@example.com", "--body", "-"], "{oops");
    assert_fails(&not_json, 2, "--body is not JSON");
    assert_eq!(
        h.emulator.calls(OperationId::CreateSecret.as_str())
            + h.emulator.calls(OperationId::UpdateMembers.as_str()),
        0
    );
}

#[test]
fn configuration_errors_exit_3() {
    let run = Run::of_command(bare().args(["clusters", "list"]));
    assert_fails(&run, 3, "CAMUNDA_CONSOLE_CLIENT_ID is not set");
    let cleartext = Run::of_command(
        bare()
            .args(["clusters", "list", "--base-url", "http://api.example.com"])
            .env("CAMUNDA_CONSOLE_CLIENT_ID", "id")
            .env("CAMUNDA_CONSOLE_CLIENT_SECRET", "secret"),
    );
    assert_fails(&cleartext, 3, "plain http");
}

/// `meta ip-ranges` is the one command the API answers without a token:
/// it runs with no credentials set, and no other command does.
#[test]
fn meta_ip_ranges_needs_no_credentials() {
    let h = Harness::start(quick());
    let anonymous = |args: &[&str]| {
        Run::of_command(
            bare()
                .args(args)
                // Padded, as a copied value often is: read as every variable is.
                .env(
                    "CAMUNDA_CONSOLE_BASE_URL",
                    format!(" {} ", h.emulator.base_url()),
                ),
        )
    };
    let ranges = anonymous(&["meta", "ip-ranges"]).json();
    assert!(
        ranges.as_object().is_some_and(|o| !o.is_empty()),
        "{ranges}"
    );
    assert_eq!(h.emulator.calls(OperationId::GetMeta.as_str()), 1);
    let list = anonymous(&["clusters", "list"]);
    assert_fails(&list, 3, "CAMUNDA_CONSOLE_CLIENT_ID is not set");
    assert_eq!(h.emulator.calls(OperationId::GetClusters.as_str()), 0);
    let half = Run::of_command(
        bare()
            .args(["meta", "ip-ranges"])
            .env("CAMUNDA_CONSOLE_BASE_URL", h.emulator.base_url())
            .env("CAMUNDA_CONSOLE_CLIENT_ID", "an-id-without-its-secret"),
    );
    assert_fails(&half, 3, "CAMUNDA_CONSOLE_CLIENT_SECRET is not set");
    assert_eq!(h.emulator.calls(OperationId::GetMeta.as_str()), 1);
}

#[test]
fn refused_credentials_exit_4() {
    let h = Harness::start(quick());
    let run = Run::of_command(
        h.command(&["clusters", "list"])
            .env("CAMUNDA_CONSOLE_CLIENT_SECRET", "wrong"),
    );
    assert_fails(&run, 4, "refused the credentials");
    assert_eq!(h.emulator.calls(OperationId::GetClusters.as_str()), 0);
}

#[test]
fn api_answers_exit_5_for_4xx_and_6_for_5xx() {
    let h = Harness::start(quick());
    assert_fails(
        &h.run(&["clusters", "get", crate::support::SOME_UUID]),
        5,
        "HTTP 404",
    );
    h.emulator
        .fail_next(OperationId::GetClusters.as_str(), 1, 500)
        .expect("a fault");
    assert_fails(&h.run(&["clusters", "list"]), 6, "HTTP 500");
}

#[test]
fn no_answer_exits_7() {
    let h = Harness::start(quick());
    // A port that was free a moment ago: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let base = format!("http://{closed}");
    let run = h.run(&["clusters", "list", "--base-url", &base]);
    assert_fails(&run, 7, "no answer from the API");
}

#[test]
fn a_token_service_that_gives_no_answer_is_transport_too() {
    let h = Harness::start(quick());
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    for token_url in [
        format!("http://{closed}/oauth/token"),
        // `.invalid` never resolves (RFC 6761).
        "https://login.camunda-admin-test.invalid/oauth/token".to_owned(),
    ] {
        let run = h.run(&[
            "clusters",
            "list",
            "--no-disk-cache",
            "--token-url",
            &token_url,
        ]);
        assert_fails(&run, 7, "no token from the token service");
    }
    assert_eq!(h.emulator.calls(OperationId::GetClusters.as_str()), 0);
}

/// A token service and API that answer `path` with `body`.
fn mock_api(server: &MockServer, method: httpmock::Method, path: &str, body: serde_json::Value) {
    server.mock(|when, then| {
        when.method(POST).path("/oauth/token");
        then.status(200).json_body(
            json!({ "access_token": "t0k3n", "token_type": "Bearer", "expires_in": 3600 }),
        );
    });
    server.mock(|when, then| {
        when.method(method).path(path);
        then.status(200).json_body(body);
    });
}

fn against(server: &MockServer, args: &[&str]) -> Run {
    let cache = tempfile::tempdir().expect("a temp folder");
    Run::of_command(
        bare()
            .args(args)
            .env("CAMUNDA_CONSOLE_BASE_URL", server.base_url())
            .env("CAMUNDA_OAUTH_URL", server.url("/oauth/token"))
            .env("CAMUNDA_CONSOLE_CLIENT_ID", "id")
            .env("CAMUNDA_CONSOLE_CLIENT_SECRET", "secret")
            .env("CAMUNDA_TOKEN_CACHE_DIR", cache.path()),
    )
}

#[test]
fn an_answer_that_does_not_decode_exits_8() {
    let server = MockServer::start();
    mock_api(&server, GET, "/clusters", json!([{ "uuid": 7 }]));
    assert_fails(
        &against(&server, &["clusters", "list"]),
        8,
        "does not decode",
    );
}

#[test]
fn a_wait_that_cannot_end_well_exits_9() {
    let server = MockServer::start();
    mock_api(&server, POST, "/clusters", json!({ "clusterId": "c1" }));
    server.mock(|when, then| {
        when.method(GET).path("/clusters/c1");
        then.status(200).json_body(json!({
            "uuid": "c1", "name": "prod", "ownerId": "o", "created": "2026-01-01T00:00:00Z",
            "planType": { "name": "Basic", "uuid": "p" }, "region": { "name": "EU", "uuid": "r" },
            "generation": { "name": "8.8", "uuid": "g" }, "channel": { "name": "Stable", "uuid": "ch" },
            "autoUpdate": true, "status": { "ready": "WaitingForInput" }, "links": {}
        }));
    });
    let run = against(
        &server,
        &[
            "clusters",
            "create",
            "--name",
            "prod",
            "--region-id",
            "r",
            "--plan-type-id",
            "p",
            "--channel-id",
            "ch",
            "--generation-id",
            "g",
            "--wait",
            "--poll-interval",
            "10ms",
        ],
    );
    assert_fails(&run, 9, "WaitingForInput");
    assert!(
        run.stdout.contains("\"clusterId\": \"c1\""),
        "the answer came first: {}",
        run.stdout
    );
}

#[test]
fn a_wait_past_its_timeout_exits_10_after_printing_the_answer() {
    let h = Harness::start(Emulator::builder().cluster_ready_delay(Duration::from_secs(3600)));
    let run = h.run(&[
        "clusters",
        "create",
        "--name",
        "slow",
        "--region",
        "europe-west1",
        "--plan",
        "Basic",
        "--channel",
        "Stable",
        "--wait",
        "--timeout",
        "300ms",
        "--poll-interval",
        "100ms",
    ]);
    assert_fails(&run, 10, "timed out");
    let created: serde_json::Value = serde_json::from_str(&run.stdout).expect("the answer");
    assert!(created["clusterId"].is_string(), "{created}");
}
