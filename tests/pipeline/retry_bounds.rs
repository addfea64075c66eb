//! Extreme retry policies stay bounded: whatever `max_retries` and the
//! backoff say, attempts of one call are at least 50 ms apart and no pause
//! ends past the deadline. Under tokio's paused clock, against a loopback
//! server in the same runtime (so the clock only moves when the client
//! sleeps), counting what it receives.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use camunda_admin::{Client, RetryPolicy};
use tokio::{io::AsyncWriteExt, net::TcpListener, time::Instant};

use crate::common::read_request;

/// The shortest pause between two attempts of one call.
const FLOOR: Duration = Duration::from_millis(50);

/// Past this many requests the server answers 200, so that an unbounded
/// policy ends the test (and fails it) instead of hanging it.
const SAFETY_STOP: usize = 2000;

/// A loopback server that answers every request with `status` (and
/// `Retry-After: retry_after` when given) and notes when each came.
struct Counting {
    url: String,
    arrivals: Arc<Mutex<Vec<Instant>>>,
}

impl Counting {
    async fn start(status: u16, retry_after: Option<&'static str>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let arrivals = Arc::new(Mutex::new(Vec::new()));
        let noted = arrivals.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let noted = noted.clone();
                tokio::spawn(async move {
                    loop {
                        let request = read_request(&mut stream).await;
                        if request.is_empty() {
                            return;
                        }
                        let count = {
                            let mut noted = noted.lock().expect("arrivals");
                            noted.push(Instant::now());
                            noted.len()
                        };
                        let status = if count > SAFETY_STOP { 200 } else { status };
                        let header = retry_after
                            .map(|v| format!("retry-after: {v}\r\n"))
                            .unwrap_or_default();
                        let answer = format!(
                            "HTTP/1.1 {status} X\r\n{header}content-type: application/json\r\ncontent-length: 2\r\n\r\n[]"
                        );
                        if stream.write_all(answer.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Self { url, arrivals }
    }

    fn arrivals(&self) -> Vec<Instant> {
        self.arrivals.lock().expect("arrivals").clone()
    }
}

fn client(server: &Counting, retry: RetryPolicy) -> Client {
    Client::builder()
        .base_url(&server.url)
        .static_token("t")
        .retry(retry)
        .build()
        .expect("client")
}

/// GET /members under `retry` against a server that always answers
/// `status`: the requests it saw and how long the call took.
async fn run(
    retry: RetryPolicy,
    status: u16,
    retry_after: Option<&'static str>,
) -> (Vec<Instant>, Instant, Duration) {
    let server = Counting::start(status, retry_after).await;
    let client = client(&server, retry);
    let started = Instant::now();
    // A call that outlives its deadline by a day has slept past it.
    let limit = retry.deadline().saturating_add(Duration::from_secs(86_400));
    let result = tokio::time::timeout(limit, client.get_members()).await;
    let took = started.elapsed();
    let arrivals = server.arrivals();
    assert!(
        result.is_ok(),
        "the call was still pausing a day past its deadline ({} requests)",
        arrivals.len()
    );
    (arrivals, started, took)
}

/// The gaps between consecutive requests are at least the floor.
fn assert_paced(arrivals: &[Instant]) {
    for pair in arrivals.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap >= FLOOR, "two attempts {gap:?} apart");
    }
}

#[tokio::test(start_paused = true)]
async fn unlimited_retries_without_backoff_are_bounded_by_the_deadline() {
    let deadline = Duration::from_secs(2);
    let policy = RetryPolicy::default()
        .with_max_retries(u32::MAX)
        .with_backoff(Duration::ZERO, Duration::ZERO)
        .with_deadline(deadline);
    let (arrivals, started, took) = run(policy, 503, None).await;
    let most = (deadline.as_millis() / FLOOR.as_millis()) as usize + 1;
    assert!(
        arrivals.len() > 1 && arrivals.len() <= most,
        "{} requests within a {deadline:?} deadline (at most {most})",
        arrivals.len()
    );
    assert_paced(&arrivals);
    let last = *arrivals.last().expect("a request") - started;
    assert!(last <= deadline, "a resend started {last:?} after the call");
    assert!(took <= deadline, "the call took {took:?}");
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_of_zero_is_paced_too() {
    let deadline = Duration::from_secs(1);
    let policy = RetryPolicy::default()
        .with_max_retries(u32::MAX)
        .with_deadline(deadline);
    let (arrivals, _, took) = run(policy, 429, Some("0")).await;
    let most = (deadline.as_millis() / FLOOR.as_millis()) as usize + 1;
    assert!(
        arrivals.len() > 1 && arrivals.len() <= most,
        "{} requests",
        arrivals.len()
    );
    assert_paced(&arrivals);
    assert!(took <= deadline, "the call took {took:?}");
}

#[tokio::test(start_paused = true)]
async fn a_duration_max_backoff_never_pauses_past_the_deadline() {
    for deadline in [Duration::from_secs(60), Duration::from_secs(3600)] {
        let policy = RetryPolicy::default()
            .with_max_retries(u32::MAX)
            .with_backoff(Duration::MAX, Duration::MAX)
            .with_deadline(deadline);
        let (arrivals, _, took) = run(policy, 503, None).await;
        assert!(
            took <= policy.deadline(),
            "deadline {deadline:?}: the call took {took:?}"
        );
        assert!(
            !arrivals.is_empty() && arrivals.len() <= 2,
            "deadline {deadline:?}: {} requests",
            arrivals.len()
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_server_pause_beyond_the_deadline_ends_the_call_at_once() {
    let policy = RetryPolicy::default()
        .with_max_retries(u32::MAX)
        .with_deadline(Duration::from_secs(30));
    let (arrivals, _, took) = run(policy, 429, Some("120")).await;
    assert_eq!(arrivals.len(), 1, "resent before the server's time");
    assert!(took < Duration::from_secs(1), "paused {took:?} for nothing");
}
