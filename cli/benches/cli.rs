//! Wall time of one `camunda-admin clusters list` with a warm disk token,
//! against the emulator on loopback: process start, configuration, the
//! token read from the disk cache, one API call, JSON on stdout.
//!
//! ```text
//! cargo bench -p camunda-admin-cli --bench cli
//! ```

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use camunda_admin::emulator::Emulator;

const RUNS: usize = 100;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let emulator = runtime
        .block_on(Emulator::builder().start())
        .expect("the emulator starts");
    let cache = tempfile::tempdir().expect("a temp folder");
    let list = || {
        let status = Command::new(env!("CARGO_BIN_EXE_camunda-admin"))
            .args(["clusters", "list"])
            .env_clear()
            .env("CAMUNDA_CONSOLE_BASE_URL", emulator.base_url())
            .env("CAMUNDA_OAUTH_URL", emulator.token_url())
            .env("CAMUNDA_CONSOLE_CLIENT_ID", emulator.admin_client_id())
            .env(
                "CAMUNDA_CONSOLE_CLIENT_SECRET",
                emulator.admin_client_secret().expose_secret(),
            )
            .env("CAMUNDA_TOKEN_CACHE_DIR", cache.path())
            .stdout(Stdio::null())
            .status()
            .expect("the binary runs");
        assert!(status.success(), "clusters list failed");
    };
    list(); // the one token request, written to the disk cache
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            list();
            start.elapsed()
        })
        .collect();
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "camunda-admin clusters list, warm disk token, {RUNS} runs: median {:.2} ms, p90 {:.2} ms, min {:.2} ms; token requests: {}",
        ms(at(0.5)),
        ms(at(0.9)),
        ms(times[0]),
        emulator.token_requests()
    );
    assert_eq!(
        emulator.token_requests(),
        1,
        "every run used the cached token"
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
