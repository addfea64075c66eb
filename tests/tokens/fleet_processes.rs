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
    child_args, exe, fleet_key, hold_locks_and_sleep, kill_the_holder, outcomes, release, reports,
    run_child, run_fleet, run_lock_holder, spawn_children, spawn_children_env, Behaviour,
    ChildStore, Counts, TokenServer, CHILD_VAR, CLIENT_ID, CLIENT_SECRET, DEADLINE_VAR,
    TOKEN_PREFIX,
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

#[test]
#[ignore = "a child process of the fleet tests, started by them"]
fn lock_holder_child() {
    if std::env::var(CHILD_VAR).is_ok() {
        run_lock_holder();
    }
}

/// A holder that hangs: alive, its lock never released by the OS.
struct Hung(std::process::Child);

impl Hung {
    fn assert_alive(&mut self) {
        assert!(
            self.0.try_wait().expect("try_wait").is_none(),
            "the holder is still alive (it hangs, it did not die)"
        );
    }
}

impl Drop for Hung {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Children that give up after 8 s, on a folder whose lease lives 1 s.
fn stuck_holder_env() -> Vec<(&'static str, String)> {
    vec![(DEADLINE_VAR, "8000".to_owned())]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_that_holds_the_lock_file_and_sleeps_is_taken_over() {
    let server = TokenServer::start(Behaviour::default()).await;
    let dir = tempfile::tempdir().expect("dir");
    let id = fleet_key(&server.url).id().to_owned();
    // The lock file of this version, and the one of the version before it
    // (without the format version), both held by a process that sleeps.
    let locks = [
        dir.path().join(format!("camunda-admin-v1-{id}.lock")),
        dir.path().join(format!("camunda-admin-{id}.lock")),
    ];
    let mut holder = Hung(hold_locks_and_sleep(&locks));
    let args = child_args(&libtest_name(module_path!(), "fleet_child"));
    let store = ChildStore::FolderLease(dir.path().to_owned(), 1_000);
    let mut children =
        spawn_children_env(&exe(), &args, 5, &server.url, &store, &stuck_holder_env());
    release(&mut children);
    let reports = tokio::task::spawn_blocking(move || reports(children))
        .await
        .expect("children");
    holder.assert_alive();
    let counts = server.counts();
    let outcomes: Vec<String> = reports.iter().map(|r| r.outcome.clone()).collect();
    assert_all_got_the_one_token(&outcomes, &counts);
    assert_eq!(
        counts.requests, 1,
        "one process took over and asked: {counts:?}"
    );
    let takeovers = reports
        .iter()
        .flat_map(|r| &r.warnings)
        .filter(|w| w.contains("took the lease over"))
        .count();
    assert_eq!(takeovers, 1, "one take-over, said once: {reports:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_holder_hung_in_its_token_request_is_taken_over() {
    // The first request never gets an answer; its process stays alive.
    let server = TokenServer::start(Behaviour {
        hang_first: true,
        ..Behaviour::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("dir");
    let args = child_args(&libtest_name(module_path!(), "fleet_child"));
    let store = ChildStore::FolderLease(dir.path().to_owned(), 1_000);
    let mut first = spawn_children(&exe(), &args, 1, &server.url, &store);
    release(&mut first);
    let mut holder = Hung(first.remove(0));
    server.wait_for_requests(1).await;
    let mut others = spawn_children_env(&exe(), &args, 5, &server.url, &store, &stuck_holder_env());
    release(&mut others);
    let outcomes = tokio::task::spawn_blocking(move || outcomes(others))
        .await
        .expect("children");
    holder.assert_alive();
    let counts = server.counts();
    assert_all_got_the_one_token(&outcomes, &counts);
    assert_eq!(
        counts.requests, 2,
        "the hung request, then one after the take-over: {counts:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fallbacks_are_warned_once_per_process_with_their_real_cause() {
    use std::os::unix::fs::PermissionsExt;
    let server = TokenServer::start(Behaviour {
        no_rate_limit: true,
        ..Behaviour::default()
    })
    .await;
    let args = child_args(&libtest_name(module_path!(), "fleet_child"));
    // A folder others can write: not used, said once per process.
    let open = tempfile::tempdir().expect("dir");
    std::fs::set_permissions(open.path(), std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let mut children = spawn_children(
        &exe(),
        &args,
        2,
        &server.url,
        &ChildStore::Folder(open.path().to_owned()),
    );
    release(&mut children);
    let unsafe_folder = tokio::task::spawn_blocking(move || reports(children))
        .await
        .expect("children");
    for report in &unsafe_folder {
        assert!(report.outcome.starts_with("OK "), "{report:?}");
        assert_eq!(report.warnings.len(), 1, "{report:?}");
        assert!(report.warnings[0].contains("not private"), "{report:?}");
    }
    // A tampered token file: named as what it is, removed, replaced.
    let dir = tempfile::tempdir().expect("dir");
    let id = fleet_key(&server.url).id().to_owned();
    let token = dir.path().join(format!("camunda-admin-v1-{id}.token"));
    std::fs::write(&token, b"\x01not a sealed token at all, but long enough").expect("write");
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let mut children = spawn_children(
        &exe(),
        &args,
        1,
        &server.url,
        &ChildStore::Folder(dir.path().to_owned()),
    );
    release(&mut children);
    let reports = tokio::task::spawn_blocking(move || reports(children))
        .await
        .expect("children");
    assert!(reports[0].outcome.starts_with("OK "), "{reports:?}");
    assert_eq!(reports[0].warnings.len(), 1, "{reports:?}");
    assert!(
        reports[0].warnings[0].contains("unreadable or tampered entry"),
        "{reports:?}"
    );
    assert!(
        fleet_key(&server.url)
            .open_token(&std::fs::read(&token).expect("replaced"))
            .is_some(),
        "the tampered file was replaced by a sealed token"
    );
}
