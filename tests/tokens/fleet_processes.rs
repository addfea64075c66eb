//! Processes sharing one cache folder, each a child run of this test
//! binary: cold, they make one token request in total; under a 429 storm
//! they still get one token and never ask twice within a second; a lease
//! holder killed in the middle of its request does not stop the others.
//! Counted, not timed: the token endpoint counts requests, tokens and
//! requests that came within a second of the previous one.
#![cfg(unix)]

use std::{path::Path, time::Duration};

use crate::common::libtest_name;
use crate::fleet_support::{
    child_args, kill_the_holder, run_child, run_fleet, Behaviour, ChildStore, Counts, TokenServer,
    CHILD_VAR, CLIENT_ID, CLIENT_SECRET, TOKEN_PREFIX,
};

#[test]
#[ignore = "a child process of the fleet tests, started by them"]
fn fleet_child() {
    if std::env::var(CHILD_VAR).is_ok() {
        run_child();
    }
}

/// `n` children on `dir` against `server`, started together.
async fn fleet(n: usize, server: &TokenServer, dir: &Path) -> Vec<String> {
    let args = child_args(&libtest_name(module_path!(), "fleet_child"));
    run_fleet(&args, n, server, &ChildStore::Folder(dir.to_owned())).await
}

fn assert_all_got_the_one_token(outcomes: &[String], counts: &Counts) {
    let expected = format!("OK {TOKEN_PREFIX}1");
    for (i, outcome) in outcomes.iter().enumerate() {
        assert_eq!(
            outcome,
            &expected,
            "child {i} of {}; {counts:?}",
            outcomes.len()
        );
    }
    assert_eq!(counts.tokens, 1, "one token for the fleet: {counts:?}");
    assert_eq!(
        counts.violations, 0,
        "never two requests within a second: {counts:?}"
    );
}

/// No file in `dir` holds or names the secret, the client id or the token.
fn assert_nothing_secret_at_rest(dir: &Path) {
    for entry in std::fs::read_dir(dir).expect("dir") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let bytes = std::fs::read(&path).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        for secret in [CLIENT_SECRET, CLIENT_ID, TOKEN_PREFIX] {
            assert!(
                !text.contains(secret) && !name.contains(secret),
                "{name} shows {secret}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_processes_on_one_empty_folder_make_one_token_request() {
    let server = TokenServer::start(Behaviour::default()).await;
    let dir = tempfile::tempdir().expect("dir");
    let outcomes = fleet(20, &server, dir.path()).await;
    let counts = server.counts();
    assert_all_got_the_one_token(&outcomes, &counts);
    assert_eq!(counts.requests, 1, "{counts:?}");
    assert_nothing_secret_at_rest(dir.path());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_storm_still_gives_one_token_at_most_one_request_per_second() {
    let server = TokenServer::start(Behaviour {
        storm: 3,
        ..Behaviour::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("dir");
    let outcomes = fleet(20, &server, dir.path()).await;
    let counts = server.counts();
    assert_all_got_the_one_token(&outcomes, &counts);
    assert_eq!(counts.stormed, 3, "{counts:?}");
    assert_eq!(counts.requests, 4, "three refused, one token: {counts:?}");
    for pair in counts.arrivals.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_secs(1),
            "{:?}",
            counts.arrivals
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_holder_killed_mid_request_does_not_stop_the_others() {
    let server = TokenServer::start(Behaviour {
        hang_first: true,
        ..Behaviour::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("dir");
    let store = ChildStore::Folder(dir.path().to_owned());
    let args = child_args(&libtest_name(module_path!(), "fleet_child"));
    // The holder has the lock and its request hangs at the endpoint.
    let (while_held, outcomes) = kill_the_holder(&args, &server, &store).await;
    assert_eq!(while_held, 1, "the others wait for the holder");
    let counts = server.counts();
    assert_all_got_the_one_token(&outcomes, &counts);
    assert_eq!(
        counts.requests, 2,
        "the hung request, then one more: {counts:?}"
    );
}
