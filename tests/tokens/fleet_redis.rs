//! The Redis token store against a real `redis-server` that each test
//! starts on a free loopback port (skipped with one printed line when
//! `redis-server` is missing, unless CAMUNDA_ADMIN_REQUIRE_REDIS=1):
//! 20 "machines" (processes that share no folder) make one token request;
//! a lease holder killed mid-request lets the others proceed once its lease
//! expires; a Redis stopped or stuck in the middle costs no call; nothing
//! in Redis holds a secret, and a token sealed for one secret does not open
//! for another.
#![cfg(unix)]

use std::{sync::Arc, time::Duration};

use crate::common::libtest_name;
use crate::fleet_support::{
    child_args, kill_the_holder, run_child, run_fleet, Behaviour, ChildStore, RedisServer,
    TokenServer, CHILD_VAR, CLIENT_ID, CLIENT_SECRET, TOKEN_PREFIX,
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
