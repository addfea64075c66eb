//! Many processes, one cache folder, one rate-limited token endpoint: how
//! many token requests they make and how long until all have a token.
//!
//! The bench re-runs its own binary N times (N = 20 and 100) as children
//! that start together on one empty folder and each fetch a token. The
//! loopback endpoint answers 429 (`Retry-After: 1`) to any request within a
//! second of the previous one, as Camunda's token service does; a second
//! round uses an endpoint without a rate limit (it still counts requests
//! within a second as violations). Printed per N and endpoint: requests,
//! tokens handed out, violations, children that succeeded, and the wall
//! time from the start signal to the last exit.
//!
//! A last round (when `redis-server` is installed) starts 12 children 250
//! ms apart on Redis over one folder against the 1 request/s endpoint, and
//! kills (then, second run, SIGSTOPs) Redis 1 s in: requests, requests
//! within a second of another, children that succeeded, slowest child.
//!
//! Run: `cargo bench --bench fleet` (`-- 20` for one size only).

#[path = "../tests/tokens/fleet_support.rs"]
mod fleet_support;

use std::time::{Duration, Instant};

use fleet_support::{
    outcomes, release, reports, run_child, spawn_children, spawn_children_env, Behaviour,
    ChildStore, RedisServer, TokenServer, CHILD_VAR, REDIS_TIMEOUT_VAR,
};

fn main() {
    if std::env::var_os(CHILD_VAR).is_some() {
        run_child();
        return;
    }
    let sizes: Vec<usize> = match std::env::args().skip(1).find_map(|a| a.parse().ok()) {
        Some(n) => vec![n],
        None => vec![20, 100],
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    for n in &sizes {
        runtime.block_on(run(*n, false));
    }
    for n in &sizes {
        runtime.block_on(run(*n, true));
    }
    runtime.block_on(redis_outage(false));
    runtime.block_on(redis_outage(true));
}

/// Twelve children 250 ms apart on Redis over one folder; Redis killed
/// (or stopped) 1 s in.
async fn redis_outage(stop: bool) {
    let Some(mut redis) = RedisServer::start("the Redis outage round") else {
        return;
    };
    let server = TokenServer::start(Behaviour::default()).await;
    let dir = tempfile::tempdir().expect("dir");
    let exe = std::env::current_exe().expect("the bench binary");
    let store = ChildStore::RedisOverFolder(redis.url.clone(), 10_000, dir.path().to_owned());
    // The crate's default operation timeout.
    let env = [(REDIS_TIMEOUT_VAR, "250".to_owned())];
    let started = tokio::time::Instant::now();
    let mut children = Vec::new();
    for i in 0..12u32 {
        let at = Duration::from_millis(250) * i;
        if i == 4 {
            tokio::time::sleep_until(started + Duration::from_secs(1)).await;
            match stop {
                true => redis.stop(),
                false => redis.kill(),
            }
        }
        tokio::time::sleep_until(started + at).await;
        let mut child = spawn_children_env(&exe, &[], 1, &server.url, &store, &env);
        release(&mut child);
        children.extend(child);
    }
    let reports = tokio::task::spawn_blocking(move || reports(children))
        .await
        .expect("children");
    redis.resume();
    let counts = server.counts();
    let succeeded = reports
        .iter()
        .filter(|r| r.outcome.starts_with("OK "))
        .count();
    let slowest = reports.iter().map(|r| r.elapsed).max().unwrap_or_default();
    println!(
        "12 processes 250 ms apart, Redis over one folder, Redis {} 1 s in, 1 request/s: {} token requests ({} within a second of the previous), {succeeded}/12 succeeded, slowest {} ms",
        if stop { "stopped (SIGSTOP)" } else { "killed" },
        counts.requests,
        counts.violations,
        slowest.as_millis()
    );
}

async fn run(n: usize, no_rate_limit: bool) {
    let server = TokenServer::start(Behaviour {
        no_rate_limit,
        ..Behaviour::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("dir");
    let exe = std::env::current_exe().expect("the bench binary");
    let store = ChildStore::Folder(dir.path().to_owned());
    let mut children = spawn_children(&exe, &[], n, &server.url, &store);
    let started = Instant::now();
    release(&mut children);
    let outcomes = tokio::task::spawn_blocking(move || outcomes(children))
        .await
        .expect("children");
    let elapsed = started.elapsed();
    let counts = server.counts();
    let succeeded = outcomes.iter().filter(|o| o.starts_with("OK ")).count();
    println!(
        "{n} processes, one folder, {}: {} token requests ({} tokens, {} within a second of the previous), {succeeded}/{n} succeeded, {:.2} s",
        if no_rate_limit { "no rate limit" } else { "1 request/s" },
        counts.requests,
        counts.tokens,
        counts.violations,
        elapsed.as_secs_f64()
    );
}
