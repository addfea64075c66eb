//! The Redis token store against a real `redis-server` that each test
//! starts on a free loopback port (skipped with one printed line when
//! `redis-server` is missing, unless CAMUNDA_ADMIN_REQUIRE_REDIS=1):
//! 20 "machines" (processes that share no folder) make one token request;
//! a lease holder killed mid-request lets the others proceed once its lease
//! expires; a Redis stopped or stuck in the middle costs no call; nothing
//! in Redis holds a secret, and a token sealed for one secret does not open
//! for another.
#![cfg(unix)]

use std::{io::Write, sync::Arc, time::Duration};

use crate::common::libtest_name;
use crate::fleet_support::{
    child_args, exe, fleet_key, kill_the_holder, release, reports, run_child, run_fleet,
    spawn_children_env, Behaviour, ChildReport, ChildStore, Counts, RedisServer, TokenServer,
    CHILD_VAR, CLIENT_ID, CLIENT_SECRET, DEADLINE_VAR, REDIS_TIMEOUT_VAR, TOKEN_PREFIX,
};
use camunda_admin::{Client, RedisTokenStore, StoreKey, TokenKey, DEFAULT_AUDIENCE};
use httpmock::prelude::*;

#[test]
#[ignore = "a child process of the fleet tests, started by them"]
fn fleet_child() {
    if std::env::var(CHILD_VAR).is_ok() {
        run_child();
    }
}

/// Every key is namespaced and names only a digest; no key or value holds
/// the secret, the client id or a token.
fn assert_nothing_secret_in(redis: &RedisServer) {
    let dump = redis.dump();
    assert!(!dump.is_empty(), "the store wrote something");
    for (key, value) in dump {
        assert!(key.starts_with("camunda-admin:"), "{key}");
        let text = String::from_utf8_lossy(&value);
        for secret in [CLIENT_SECRET, CLIENT_ID, TOKEN_PREFIX] {
            assert!(
                !key.contains(secret) && !text.contains(secret),
                "{key} shows {secret}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_machines_sharing_one_redis_make_one_token_request() {
    let Some(redis) = RedisServer::start("twenty_machines_sharing_one_redis") else {
        return;
    };
    let server = TokenServer::start(Behaviour::default()).await;
    let store = ChildStore::Redis(redis.url.clone(), 10_000);
    let args = child_args(&libtest_name(module_path!(), "fleet_child"));
    let outcomes = run_fleet(&args, 20, &server, &store).await;
    let counts = server.counts();
    for (i, outcome) in outcomes.iter().enumerate() {
        assert_eq!(
            outcome,
            &format!("OK {TOKEN_PREFIX}1"),
            "child {i}; {counts:?}"
        );
    }
    assert_eq!(counts.requests, 1, "{counts:?}");
    assert_eq!(counts.violations, 0);
    assert_nothing_secret_in(&redis);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_lease_holder_lets_the_others_proceed_when_its_lease_expires() {
    let Some(redis) = RedisServer::start("a_killed_lease_holder_on_redis") else {
        return;
    };
    let server = TokenServer::start(Behaviour {
        hang_first: true,
        ..Behaviour::default()
    })
    .await;
    let store = ChildStore::Redis(redis.url.clone(), 1_500);
    let args = child_args(&libtest_name(module_path!(), "fleet_child"));
    let (while_held, outcomes) = kill_the_holder(&args, &server, &store).await;
    assert_eq!(while_held, 1, "the others wait for the lease");
    let counts = server.counts();
    for (i, outcome) in outcomes.iter().enumerate() {
        assert_eq!(
            outcome,
            &format!("OK {TOKEN_PREFIX}1"),
            "child {i}; {counts:?}"
        );
    }
    assert_eq!(counts.requests, 2, "the hung request, then one: {counts:?}");
    assert_eq!(counts.violations, 0, "{counts:?}");
}

/// An API with `/members`, and a token endpoint counting its requests.
async fn api() -> MockServer {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth/token");
            then.status(200).json_body(serde_json::json!({
                "access_token": format!("{TOKEN_PREFIX}in-process"), "token_type": "Bearer", "expires_in": 3600
            }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/members");
            then.status(200).json_body(serde_json::json!([]));
        })
        .await;
    server
}

fn redis_client(api: &MockServer, id: &str, secret: &str, store: RedisTokenStore) -> Client {
    Client::builder()
        .base_url(api.base_url())
        .token_url(api.url("/oauth/token"))
        .credentials(id, secret)
        .token_store(Arc::new(store))
        // Redis alone: never the user's own folder under it.
        .no_disk_cache()
        .build()
        .expect("client")
}

#[tokio::test]
async fn a_redis_stopped_in_the_middle_costs_no_call() {
    let Some(mut redis) = RedisServer::start("a_redis_stopped_in_the_middle") else {
        return;
    };
    let api = api().await;
    let store = || RedisTokenStore::new(&redis.url).expect("url");
    let first = redis_client(&api, "stopped-redis", CLIENT_SECRET, store());
    first.get_members().await.expect("with Redis");
    drop(first);
    // A new process finds the token in Redis.
    let second = redis_client(&api, "stopped-redis", CLIENT_SECRET, store());
    second.get_members().await.expect("from Redis");
    assert_eq!(second.token_requests_sent(), 0);
    redis.kill();
    for _ in 0..5 {
        second.get_members().await.expect("from memory, Redis down");
    }
    drop(second);
    // A new process with Redis down asks the token service and succeeds.
    let third = redis_client(
        &api,
        "stopped-redis",
        CLIENT_SECRET,
        RedisTokenStore::new(&redis.url).expect("url"),
    );
    third.get_members().await.expect("memory only");
    assert_eq!(third.token_requests_sent(), 1);
}

#[tokio::test]
async fn a_redis_that_never_answers_costs_no_call() {
    // Accepts connections and never says a word.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("redis://{}/", silent.local_addr().expect("addr"));
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            open.push(stream);
        }
    });
    let api = api().await;
    let store = RedisTokenStore::new(&url)
        .expect("url")
        .operation_timeout(Duration::from_millis(100));
    let client = redis_client(&api, "silent-redis", CLIENT_SECRET, store);
    client.get_members().await.expect("despite a stuck Redis");
    client.get_members().await.expect("again");
    assert_eq!(client.token_requests_sent(), 1);
    held.abort();
}

#[tokio::test]
async fn a_token_sealed_for_one_secret_does_not_open_for_another() {
    let Some(redis) = RedisServer::start("a_token_sealed_for_one_secret") else {
        return;
    };
    let api = api().await;
    let id = "two-secrets";
    let first = redis_client(
        &api,
        id,
        "secret-one",
        RedisTokenStore::new(&redis.url).expect("url"),
    );
    first.get_members().await.expect("token");
    assert_eq!(first.token_requests_sent(), 1);
    // Copy the sealed token to the name the other secret would use.
    let key = |secret: &str| {
        StoreKey::derive(
            TokenKey::new(api.url("/oauth/token"), id, DEFAULT_AUDIENCE),
            &secret.into(),
        )
    };
    let (one, two) = (key("secret-one"), key("secret-two"));
    assert_ne!(one.id(), two.id());
    let blob = redis
        .dump()
        .into_iter()
        .find(|(name, _)| name == &format!("camunda-admin:v1:{}:token", one.id()))
        .map(|(_, value)| value)
        .expect("the sealed token");
    assert!(two.open_token(&blob).is_none());
    let mut connection = redis::Client::open(redis.url.as_str())
        .and_then(|c| c.get_connection())
        .expect("connect");
    redis::cmd("SET")
        .arg(format!("camunda-admin:v1:{}:token", two.id()))
        .arg(&blob)
        .query::<()>(&mut connection)
        .expect("set");
    let second = redis_client(
        &api,
        id,
        "secret-two",
        RedisTokenStore::new(&redis.url).expect("url"),
    );
    second.get_members().await.expect("its own token");
    assert_eq!(
        second.token_requests_sent(),
        1,
        "the copied token was a miss"
    );
}

#[test]
fn a_malformed_redis_url_is_a_config_error_that_does_not_echo_it() {
    let error = RedisTokenStore::new("redis://:hunter2@[bad").expect_err("malformed");
    assert!(matches!(error, camunda_admin::Error::Config(_)));
    assert!(!format!("{error} {error:?}").contains("hunter2"));
    let store = RedisTokenStore::new("redis://:hunter2@127.0.0.1:1/").expect("valid");
    assert!(!format!("{store:?}").contains("hunter2"));
}

/// Children that give up after 8 s.
fn short_deadline() -> Vec<(&'static str, String)> {
    vec![(DEADLINE_VAR, "8000".to_owned())]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_junk_lease_without_a_ttl_is_stale_and_replaced() {
    let Some(redis) = RedisServer::start("a_junk_lease_without_a_ttl") else {
        return;
    };
    let server = TokenServer::start(Behaviour::default()).await;
    let id = fleet_key(&server.url).id().to_owned();
    let mut connection = redis.connection();
    // Left by a crash of an older version, or by hand: no TTL, never
    // expiring; this version's key and the one before it.
    for name in [
        format!("camunda-admin:v1:{id}:lease"),
        format!("camunda-admin:{id}:lease"),
    ] {
        redis::cmd("SET")
            .arg(&name)
            .arg("junk")
            .query::<()>(&mut connection)
            .expect("set");
    }
    let store = ChildStore::Redis(redis.url.clone(), 10_000);
    let args = child_args(&libtest_name(module_path!(), "fleet_child"));
    let mut children = spawn_children_env(&exe(), &args, 5, &server.url, &store, &short_deadline());
    release(&mut children);
    let reports = tokio::task::spawn_blocking(move || reports(children))
        .await
        .expect("children");
    let counts = server.counts();
    for report in &reports {
        assert_eq!(
            report.outcome,
            format!("OK {TOKEN_PREFIX}1"),
            "{reports:?}; {counts:?}"
        );
    }
    assert_eq!(counts.requests, 1, "{counts:?}");
    let stale = reports
        .iter()
        .flat_map(|r| &r.warnings)
        .filter(|w| w.contains("lease was stale"))
        .count();
    assert_eq!(stale, 1, "replaced once, said once: {reports:?}");
}

/// Twelve processes on Redis over one folder, started 250 ms apart against
/// a token service allowing one request per second; `outage` happens to
/// Redis 1 s in. Returns the token requests, and the slowest process.
async fn twelve_staggered_with_an_outage(
    test: &str,
    outage: impl FnOnce(&mut RedisServer),
) -> Option<(Counts, Vec<ChildReport>)> {
    let mut redis = RedisServer::start(test)?;
    let server = TokenServer::start(Behaviour::default()).await;
    let dir = tempfile::tempdir().expect("dir");
    let store = ChildStore::RedisOverFolder(redis.url.clone(), 10_000, dir.path().to_owned());
    let args = child_args(&libtest_name(module_path!(), "fleet_child"));
    let started = tokio::time::Instant::now();
    let mut outage = Some(outage);
    let mut children = Vec::new();
    for i in 0..12u32 {
        let at = Duration::from_millis(250) * i;
        if at >= Duration::from_secs(1) {
            if let Some(outage) = outage.take() {
                tokio::time::sleep_until(started + Duration::from_secs(1)).await;
                outage(&mut redis);
            }
        }
        tokio::time::sleep_until(started + at).await;
        // The crate's default operation timeout: an outage as users meet it.
        let env = [(REDIS_TIMEOUT_VAR, "250".to_owned())];
        let mut child = spawn_children_env(&exe(), &args, 1, &server.url, &store, &env);
        release(&mut child);
        children.extend(child);
    }
    let reports = tokio::task::spawn_blocking(move || reports(children))
        .await
        .expect("children");
    redis.resume();
    Some((server.counts(), reports))
}

fn assert_at_most_two_requests(name: &str, counts: &Counts, reports: &[ChildReport]) {
    let slowest = reports.iter().map(|r| r.elapsed).max().unwrap_or_default();
    // The figures, for the record (straight to stderr: libtest keeps
    // a passing test's stdout).
    let _ = writeln!(
        std::io::stderr(),
        "{name}: {} token requests, {} within a second of another, slowest process {} ms",
        counts.requests,
        counts.violations,
        slowest.as_millis()
    );
    for (i, report) in reports.iter().enumerate() {
        assert!(
            report.outcome.starts_with("OK "),
            "child {i}: {reports:?}; {counts:?}"
        );
        let down = report
            .warnings
            .iter()
            .filter(|w| w.contains("Redis token store is unavailable"))
            .count();
        assert!(down <= 1, "once per process: {report:?}");
    }
    assert!(counts.requests <= 2, "{counts:?}");
    assert_eq!(counts.violations, 0, "{counts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_halfway_through_twelve_processes_costs_at_most_one_more_request() {
    let Some((counts, reports)) =
        twelve_staggered_with_an_outage("redis_killed_halfway", RedisServer::kill).await
    else {
        return;
    };
    assert_at_most_two_requests("Redis killed 1 s in", &counts, &reports);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stopped_halfway_through_twelve_processes_costs_at_most_one_more_request() {
    let Some((counts, reports)) =
        twelve_staggered_with_an_outage("redis_stopped_halfway", |redis| redis.stop()).await
    else {
        return;
    };
    assert_at_most_two_requests("Redis stopped (SIGSTOP) 1 s in", &counts, &reports);
}

#[tokio::test]
async fn junk_values_in_redis_are_removed_and_replaced() {
    let Some(redis) = RedisServer::start("junk_values_in_redis") else {
        return;
    };
    let api = api().await;
    let id = "junk-values";
    let key = StoreKey::derive(
        TokenKey::new(api.url("/oauth/token"), id, DEFAULT_AUDIENCE),
        &CLIENT_SECRET.into(),
    );
    let name = |part: &str| format!("camunda-admin:v1:{}:{part}", key.id());
    let mut connection = redis.connection();
    // 2 MB under the token, none of them expiring: read by nobody.
    redis::cmd("SET")
        .arg(name("token"))
        .arg(vec![b'x'; 2 << 20])
        .query::<()>(&mut connection)
        .expect("set");
    redis::cmd("SET")
        .arg(name("refusal"))
        .arg("\u{1}junk that does not open")
        .query::<()>(&mut connection)
        .expect("set");
    redis::cmd("HSET")
        .arg(name("not-before"))
        .arg("a")
        .arg("hash")
        .query::<()>(&mut connection)
        .expect("hset");
    let client = redis_client(
        &api,
        id,
        CLIENT_SECRET,
        RedisTokenStore::new(&redis.url).expect("url"),
    );
    client.get_members().await.expect("despite the junk");
    assert_eq!(client.token_requests_sent(), 1);
    let get = |part: &str, connection: &mut redis::Connection| -> Option<Vec<u8>> {
        redis::cmd("GET")
            .arg(name(part))
            .query(connection)
            .expect("a string or nothing")
    };
    let token = get("token", &mut connection).expect("a token again");
    assert!(
        key.open_token(&token).is_some(),
        "replaced by a sealed token"
    );
    assert_eq!(get("refusal", &mut connection), None, "removed");
    if let Some(not_before) = get("not-before", &mut connection) {
        assert!(key.open_not_before(&not_before).is_some(), "replaced");
    }
    let ttl: i64 = redis::cmd("PTTL")
        .arg(name("token"))
        .query(&mut connection)
        .expect("pttl");
    assert!(ttl > 0, "the new token expires by itself");
}

#[test]
fn a_bad_redis_url_is_named_by_its_real_fault_without_its_password() {
    let message = |url: &str| match RedisTokenStore::new(url) {
        Err(error) => error.to_string(),
        Ok(_) => panic!("{url} was accepted"),
    };
    let port = message("redis://:hunter2@127.0.0.1:99999/");
    assert!(port.contains("invalid port number"), "{port}");
    assert!(!port.contains("TLS") && !port.contains("hunter2"), "{port}");
    let tls = message("rediss://:hunter2@127.0.0.1:6380/");
    assert!(tls.contains("TLS") && !tls.contains("hunter2"), "{tls}");
    let scheme = message("http://127.0.0.1:6379/");
    assert!(scheme.contains("\"http\""), "{scheme}");
    let database = message("redis://:hunter2@127.0.0.1:6379/not-a-number");
    assert!(database.contains("database"), "{database}");
    assert!(!database.contains("hunter2"), "{database}");
}

#[tokio::test]
async fn leases_that_no_holder_of_this_version_set_are_replaced_and_live_ones_respected() {
    use camunda_admin::{LeaseAttempt, TokenStore};
    let Some(redis) = RedisServer::start("leases_that_no_holder_set") else {
        return;
    };
    let store = RedisTokenStore::new(&redis.url)
        .expect("url")
        .operation_timeout(Duration::from_secs(2))
        .lease_lifetime(Duration::from_secs(10));
    let key = StoreKey::derive(
        TokenKey::new(
            "http://127.0.0.1:9/oauth/token",
            "lease-kinds",
            DEFAULT_AUDIENCE,
        ),
        &CLIENT_SECRET.into(),
    );
    let name = format!("camunda-admin:v1:{}:lease", key.id());
    let mut connection = redis.connection();
    let mut plant = |args: &[&str]| {
        redis::cmd("DEL")
            .arg(&name)
            .query::<()>(&mut connection)
            .expect("del");
        let mut command = redis::cmd(args[0]);
        command.arg(&name);
        for arg in &args[1..] {
            command.arg(*arg);
        }
        command.query::<()>(&mut connection).expect("plant");
    };
    let taken = |attempt: LeaseAttempt| matches!(attempt, LeaseAttempt::Acquired(_));
    // Another type, a day-long TTL, a value no owner writes: stale.
    plant(&["HSET", "field", "value"]);
    assert!(taken(store.try_lease(&key).await), "a hash");
    plant(&["SET", "0123456789abcdef0123456789abcdef", "EX", "86400"]);
    assert!(taken(store.try_lease(&key).await), "a TTL of a day");
    plant(&["SET", "not an owner value", "PX", "5000"]);
    assert!(taken(store.try_lease(&key).await), "junk with a TTL");
    // A live holder's lease is respected.
    plant(&["SET", "0123456789abcdef0123456789abcdef", "PX", "5000"]);
    assert!(
        matches!(store.try_lease(&key).await, LeaseAttempt::HeldElsewhere),
        "a live lease"
    );
}
