//! What the fleet tests and the fleet bench share: a loopback token
//! endpoint that enforces Camunda's rate limit and counts, a real
//! `redis-server` on a free loopback port, and child processes that each
//! fetch one token.
//!
//! The token endpoint answers 429 (`Retry-After: 1`) to any request that
//! comes within one second of the previous one, as the emulator does, and
//! counts it as a violation; it can also answer 429 to its first N requests
//! (a storm) and leave its first request unanswered (a holder to kill).
//! `FLEET_TRACE=1` shows the children's debug events on stderr.

// Each user compiles this module on its own and uses a part of it.
#![allow(dead_code)]

use std::{
    io::{BufRead, Write},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const CLIENT_ID: &str = "fleet-client";
pub const CLIENT_SECRET: &str = "FLEET-SECRET-a87ff679";
pub const TOKEN_PREFIX: &str = "FLEET-TOKEN-";

/// What the token endpoint saw.
#[derive(Debug, Default, Clone)]
pub struct Counts {
    /// Every request, answered or not.
    pub requests: usize,
    /// Tokens handed out.
    pub tokens: usize,
    /// Requests within one second of the previous one.
    pub violations: usize,
    /// Requests answered 429 because of the storm.
    pub stormed: usize,
    /// Arrival times, from the server's start.
    pub arrivals: Vec<Duration>,
}

#[derive(Default)]
struct State {
    counts: Counts,
    last: Option<Instant>,
    storm_left: usize,
    hang_first: bool,
    no_rate_limit: bool,
}

/// How the token endpoint behaves.
#[derive(Debug, Default, Clone, Copy)]
pub struct Behaviour {
    /// Answer 429 to this many requests first.
    pub storm: usize,
    /// Never answer the first request.
    pub hang_first: bool,
    /// Hand out tokens even to requests within a second of the previous
    /// one (still counted as violations): a service without a rate limit.
    pub no_rate_limit: bool,
}

/// A loopback token endpoint, running until dropped.
pub struct TokenServer {
    pub url: String,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TokenServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TokenServer {
    pub async fn start(behaviour: Behaviour) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!(
            "http://{}/oauth/token",
            listener.local_addr().expect("addr")
        );
        let state = Arc::new(Mutex::new(State {
            storm_left: behaviour.storm,
            hang_first: behaviour.hang_first,
            no_rate_limit: behaviour.no_rate_limit,
            ..State::default()
        }));
        let started = Instant::now();
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, shared.clone(), started));
            }
        });
        Self { url, state, task }
    }

    pub fn counts(&self) -> Counts {
        self.state.lock().expect("lock").counts.clone()
    }

    /// Wait (up to 30 s of real time) until `n` requests arrived.
    pub async fn wait_for_requests(&self, n: usize) {
        for _ in 0..3000 {
            if self.counts().requests >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "the token endpoint never saw {n} requests: {:?}",
            self.counts()
        );
    }
}

enum Answer {
    Token(usize),
    TooSoon,
    Storm,
    Hang,
}

fn decide(state: &Mutex<State>, started: Instant) -> Answer {
    let mut state = state.lock().expect("lock");
    let now = Instant::now();
    state.counts.requests += 1;
    state.counts.arrivals.push(now - started);
    let too_soon = state
        .last
        .is_some_and(|last| now - last < Duration::from_secs(1));
    state.last = Some(now);
    if std::mem::take(&mut state.hang_first) {
        return Answer::Hang;
    }
    if too_soon {
        state.counts.violations += 1;
        if !state.no_rate_limit {
            return Answer::TooSoon;
        }
    }
    if state.storm_left > 0 {
        state.storm_left -= 1;
        state.counts.stormed += 1;
        return Answer::Storm;
    }
    state.counts.tokens += 1;
    Answer::Token(state.counts.tokens)
}

async fn serve(mut stream: tokio::net::TcpStream, state: Arc<Mutex<State>>, started: Instant) {
    if !read_request(&mut stream).await {
        return;
    }
    let (status, body) = match decide(&state, started) {
        Answer::Token(n) => (
            "200 OK",
            format!(
                r#"{{"access_token":"{TOKEN_PREFIX}{n}","token_type":"Bearer","expires_in":3600}}"#
            ),
        ),
        Answer::TooSoon | Answer::Storm => (
            "429 Too Many Requests",
            r#"{"error":"too_many_requests"}"#.to_owned(),
        ),
        Answer::Hang => {
            // Hold the connection open until the client goes away.
            let mut rest = [0u8; 64];
            while stream.read(&mut rest).await.unwrap_or(0) > 0 {}
            return;
        }
    };
    let answer = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\nretry-after: 1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(answer.as_bytes()).await;
}

/// Read one request (headers and a Content-Length body); false on EOF.
async fn read_request(stream: &mut tokio::net::TcpStream) -> bool {
    let mut data = Vec::new();
    let mut buf = [0u8; 2048];
    loop {
        let n = stream.read(&mut buf).await.unwrap_or(0);
        if n == 0 {
            return false;
        }
        data.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&data);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    let l = l.to_ascii_lowercase();
                    l.strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                return true;
            }
        }
    }
}

/// A `redis-server` of its own: a free loopback port, a temporary folder,
/// no persistence; killed when dropped.
pub struct RedisServer {
    pub url: String,
    pub port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        // SIGKILL ends a stopped process too.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Set by CI: a missing `redis-server` fails the Redis tests instead of
/// skipping them.
pub const REQUIRE_REDIS: &str = "CAMUNDA_ADMIN_REQUIRE_REDIS";

impl RedisServer {
    /// A running server, or `None` (with one printed line) when
    /// `redis-server` is not installed and CI did not require it.
    pub fn start(test: &str) -> Option<Self> {
        let dir = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let spawned = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(error) if std::env::var(REQUIRE_REDIS).as_deref() == Ok("1") => {
                panic!("{REQUIRE_REDIS}=1 but redis-server cannot be started: {error}")
            }
            Err(error) => {
                // Straight to stderr: libtest would swallow a println! of a passing test.
                let _ = writeln!(
                    std::io::stderr(),
                    "skipped {test}: redis-server cannot be started ({error}); install redis-server to run it"
                );
                return None;
            }
        };
        let server = Self {
            url: format!("redis://127.0.0.1:{port}/"),
            port,
            child,
            _dir: dir,
        };
        server.wait_until_ready();
        Some(server)
    }

    fn wait_until_ready(&self) {
        for _ in 0..500 {
            if let Ok(mut connection) =
                redis::Client::open(self.url.as_str()).and_then(|c| c.get_connection())
            {
                if redis::cmd("PING").query::<String>(&mut connection).is_ok() {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("redis-server did not start on port {}", self.port);
    }

    /// Stop the server now (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Freeze the server (SIGSTOP): it accepts connections and never
    /// answers, as a stuck Redis does.
    pub fn stop(&self) {
        self.signal("-STOP");
    }

    /// Let a frozen server go on (SIGCONT).
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    /// Signal the server, if it still runs (a killed one does not).
    fn signal(&self, signal: &str) {
        let _ = Command::new("kill")
            .arg(signal)
            .arg(self.child.id().to_string())
            .stderr(Stdio::null())
            .status();
    }

    /// A connection for a test's own commands.
    pub fn connection(&self) -> redis::Connection {
        redis::Client::open(self.url.as_str())
            .and_then(|c| c.get_connection())
            .expect("connect")
    }

    /// Every key and its value.
    pub fn dump(&self) -> Vec<(String, Vec<u8>)> {
        let mut connection = redis::Client::open(self.url.as_str())
            .and_then(|c| c.get_connection())
            .expect("connect");
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg("*")
            .query(&mut connection)
            .expect("keys");
        keys.into_iter()
            .map(|key| {
                let value: Vec<u8> = redis::cmd("GET")
                    .arg(&key)
                    .query(&mut connection)
                    .unwrap_or_default();
                (key, value)
            })
            .collect()
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// Where a child keeps its tokens.
#[derive(Debug, Clone)]
pub enum ChildStore {
    Folder(PathBuf),
    /// A folder whose lease lifetime is this many milliseconds.
    FolderLease(PathBuf, u64),
    /// The Redis URL, and the lease lifetime in milliseconds; no disk.
    Redis(String, u64),
    /// Redis (URL, lease lifetime in ms) over a disk store in the folder.
    RedisOverFolder(String, u64, PathBuf),
}

/// The environment variable that turns a test binary into a fleet child.
pub const CHILD_VAR: &str = "CAMUNDA_ADMIN_FLEET_CHILD";

/// Start `n` children of `exe` (running its hidden `test` with `args`),
/// each waiting for a line on its standard input before it starts.
pub fn spawn_children(
    exe: &std::path::Path,
    args: &[String],
    n: usize,
    token_url: &str,
    store: &ChildStore,
) -> Vec<Child> {
    spawn_children_env(exe, args, n, token_url, store, &[])
}

/// [`spawn_children`] with more environment variables (say
/// [`DEADLINE_VAR`]).
pub fn spawn_children_env(
    exe: &std::path::Path,
    args: &[String],
    n: usize,
    token_url: &str,
    store: &ChildStore,
    env: &[(&str, String)],
) -> Vec<Child> {
    (0..n)
        .map(|_| {
            let mut command = Command::new(exe);
            command
                .args(args)
                .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
                .env(CHILD_VAR, "1")
                .env("FLEET_TOKEN_URL", token_url)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(if std::env::var_os("FLEET_TRACE").is_some() {
                    Stdio::inherit()
                } else {
                    Stdio::null()
                });
            match store {
                ChildStore::Folder(dir) => command.env("FLEET_CACHE_DIR", dir),
                ChildStore::FolderLease(dir, lease_ms) => command
                    .env("FLEET_CACHE_DIR", dir)
                    .env("FLEET_LEASE_MS", lease_ms.to_string()),
                ChildStore::Redis(url, lease_ms) => command
                    .env("FLEET_REDIS_URL", url)
                    .env("FLEET_LEASE_MS", lease_ms.to_string()),
                ChildStore::RedisOverFolder(url, lease_ms, dir) => command
                    .env("FLEET_REDIS_URL", url)
                    .env("FLEET_LEASE_MS", lease_ms.to_string())
                    .env("FLEET_CACHE_DIR", dir),
            };
            command.spawn().expect("spawn a child")
        })
        .collect()
}

/// Let every child go at once.
pub fn release(children: &mut [Child]) {
    for child in children.iter_mut() {
        if let Some(stdin) = child.stdin.as_mut() {
            let _ = stdin.write_all(b"go\n");
            let _ = stdin.flush();
        }
    }
}

/// What a child prints before its outcome (libtest prints around it).
const OUTCOME: &str = "fleet outcome: ";
/// What a child prints before the time from its start line to its outcome.
const ELAPSED: &str = "fleet elapsed_ms: ";
/// The target of the fallback warnings a child prints on its stdout.
pub const FALLBACK_TARGET: &str = "camunda_admin::fallback";

/// What one child printed.
#[derive(Debug, Clone)]
pub struct ChildReport {
    /// `OK <token>` or `ERR <error>`.
    pub outcome: String,
    /// From its start line to its outcome.
    pub elapsed: Duration,
    /// The fallback warnings it printed.
    pub warnings: Vec<String>,
}

/// What each child printed, in order.
pub fn reports(children: Vec<Child>) -> Vec<ChildReport> {
    children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().expect("wait");
            let text = String::from_utf8_lossy(&output.stdout).into_owned();
            let last = |prefix: &str| {
                text.lines()
                    .rev()
                    .find_map(|l| l.split_once(prefix).map(|(_, rest)| rest.to_owned()))
            };
            ChildReport {
                outcome: last(OUTCOME)
                    .unwrap_or_else(|| format!("(no outcome: {:?})", output.status)),
                elapsed: Duration::from_millis(
                    last(ELAPSED).and_then(|ms| ms.parse().ok()).unwrap_or(0),
                ),
                warnings: text
                    .lines()
                    .filter(|l| l.contains(FALLBACK_TARGET) && l.contains("WARN"))
                    .map(str::to_owned)
                    .collect(),
            }
        })
        .collect()
}

/// What each child printed last (`OK <token>` or `ERR <error>`), in order.
pub fn outcomes(children: Vec<Child>) -> Vec<String> {
    reports(children).into_iter().map(|r| r.outcome).collect()
}

/// A process that holds an flock on each of `paths` and then sleeps,
/// alive, until killed: a peer that hangs. Returns once the locks are held.
pub fn hold_locks_and_sleep(paths: &[PathBuf]) -> Child {
    let mut command = Command::new(exe());
    command
        .args(child_args("fleet_processes::lock_holder_child"))
        .env(CHILD_VAR, "1")
        .env(
            "FLEET_HOLD_LOCKS",
            std::env::join_paths(paths).expect("paths"),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = command.spawn().expect("spawn the lock holder");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = std::io::BufReader::new(stdout).lines();
    loop {
        match lines.next() {
            Some(Ok(line)) if line.contains("fleet locks held") => break,
            Some(Ok(_)) => {}
            _ => panic!("the lock holder ended early"),
        }
    }
    child
}

/// The lock holder's side: lock every file of `FLEET_HOLD_LOCKS`, say so,
/// sleep.
pub fn run_lock_holder() {
    let paths = std::env::var_os("FLEET_HOLD_LOCKS").expect("FLEET_HOLD_LOCKS");
    let files: Vec<std::fs::File> = std::env::split_paths(&paths)
        .map(|path| {
            let mut options = std::fs::OpenOptions::new();
            options.read(true).write(true).create(true).truncate(false);
            // A private file of the user, as the crate makes it.
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let file = options.open(&path).expect("open the lock file");
            file.lock().expect("lock");
            file
        })
        .collect();
    println!("\nfleet locks held");
    let _ = std::io::stdout().flush();
    std::thread::sleep(Duration::from_secs(3600));
    drop(files);
}

/// `n` children (running the test `args` names) on `store` against
/// `server`, started together: what each printed last.
pub async fn run_fleet(
    args: &[String],
    n: usize,
    server: &TokenServer,
    store: &ChildStore,
) -> Vec<String> {
    let mut children = spawn_children(&exe(), args, n, &server.url, store);
    release(&mut children);
    tokio::task::spawn_blocking(move || outcomes(children))
        .await
        .expect("children")
}

/// A holder killed while it holds the lock or lease: one child starts and
/// hangs at the endpoint (a server with `hang_first`), 19 more start behind
/// it. Returns the requests the endpoint had seen 300 ms later, while the
/// holder lived, and the 19 outcomes after the holder was killed.
pub async fn kill_the_holder(
    args: &[String],
    server: &TokenServer,
    store: &ChildStore,
) -> (usize, Vec<String>) {
    let mut holder = spawn_children(&exe(), args, 1, &server.url, store);
    release(&mut holder);
    server.wait_for_requests(1).await;
    let mut others = spawn_children(&exe(), args, 19, &server.url, store);
    release(&mut others);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let while_held = server.counts().requests;
    for child in holder.iter_mut() {
        child.kill().expect("kill the holder");
        let _ = child.wait();
    }
    let outcomes = tokio::task::spawn_blocking(move || outcomes(others))
        .await
        .expect("children");
    (while_held, outcomes)
}

/// The child's side: wait for the start line, fetch one token with the
/// configured store, print the outcome.
pub fn run_child() {
    if std::env::var_os("FLEET_TRACE").is_some() {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(std::io::stderr)
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
    } else {
        // Warnings on stdout, where the parent counts the fallback ones.
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::WARN)
            .with_ansi(false)
            .with_writer(std::io::stdout)
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
    }
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let outcome = runtime.block_on(async {
        let client = child_client()?;
        client.access_token().await
    });
    println!("\n{ELAPSED}{}", started.elapsed().as_millis());
    match outcome {
        Ok(token) => println!("\n{OUTCOME}OK {}", token.expose_secret()),
        Err(error) => println!("\n{OUTCOME}ERR {error}"),
    }
}

/// The Redis operation timeout of a child in ms (default 2000).
pub const REDIS_TIMEOUT_VAR: &str = "FLEET_REDIS_TIMEOUT_MS";

/// The token deadline of a child (`FLEET_DEADLINE_MS`, default 60 s).
pub const DEADLINE_VAR: &str = "FLEET_DEADLINE_MS";

fn child_client() -> Result<camunda_admin::Client, camunda_admin::Error> {
    let var = |name: &str| std::env::var(name).ok();
    let deadline = var(DEADLINE_VAR)
        .and_then(|ms| ms.parse().ok())
        .unwrap_or(60_000);
    let mut builder = camunda_admin::Client::builder()
        .base_url("http://127.0.0.1:9")
        .token_url(var("FLEET_TOKEN_URL").unwrap_or_default())
        .credentials(CLIENT_ID, CLIENT_SECRET)
        .token_deadline(Duration::from_millis(deadline));
    // Never the user's own folder: a folder of the test, or none.
    builder = match var("FLEET_CACHE_DIR") {
        Some(dir) => builder.cache_dir(dir),
        None => builder.no_disk_cache(),
    };
    match (
        var("FLEET_REDIS_URL"),
        var("FLEET_CACHE_DIR"),
        var("FLEET_LEASE_MS"),
    ) {
        (Some(url), _, lease) => builder = with_redis(builder, &url, lease)?,
        (None, Some(dir), Some(lease)) => {
            let lease = Duration::from_millis(lease.parse().unwrap_or(10_000));
            let disk = camunda_admin::DiskTokenStore::new(dir).lease_lifetime(lease);
            builder = builder.token_store(Arc::new(disk)).no_disk_cache();
        }
        _ => {}
    }
    builder.build()
}

/// The dev-dependency on the crate itself turns the `redis` feature on.
fn with_redis(
    builder: camunda_admin::ClientBuilder,
    url: &str,
    lease_ms: Option<String>,
) -> Result<camunda_admin::ClientBuilder, camunda_admin::Error> {
    let lease = Duration::from_millis(lease_ms.and_then(|v| v.parse().ok()).unwrap_or(10_000));
    // Generous by default: twenty processes starting at once on a loaded
    // 2-core machine must not look like a Redis outage. The outage tests
    // use the default of the crate.
    let timeout = std::env::var(REDIS_TIMEOUT_VAR)
        .ok()
        .and_then(|ms| ms.parse().ok())
        .unwrap_or(2_000);
    let store = camunda_admin::RedisTokenStore::new(url)?
        .lease_lifetime(lease)
        .operation_timeout(Duration::from_millis(timeout));
    Ok(builder.token_store(Arc::new(store)))
}

/// How a fleet test runs itself as a child: its ignored test `test` (by
/// libtest's full name), alone.
pub fn child_args(test: &str) -> Vec<String> {
    [
        "--ignored",
        "--exact",
        test,
        "--nocapture",
        "--test-threads",
        "1",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// The store key of the children's tokens from `token_url`: its id names
/// their files and Redis keys.
pub fn fleet_key(token_url: &str) -> camunda_admin::StoreKey {
    camunda_admin::StoreKey::derive(
        camunda_admin::TokenKey::new(token_url, CLIENT_ID, camunda_admin::DEFAULT_AUDIENCE),
        &CLIENT_SECRET.into(),
    )
}

/// The running test binary, which the children are.
pub fn exe() -> std::path::PathBuf {
    std::env::current_exe().expect("the test binary")
}
