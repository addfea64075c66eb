//! The SDK's cost over a bare `reqwest` call, on loopback.
//!
//! A minimal HTTP/1.1 server answers every request with the same JSON list
//! of members. Each round times N calls of `get_members` through the SDK and
//! N raw `reqwest` GETs (same timeouts and redirect policy as the SDK's
//! client) with a fixed bearer header that decode the same JSON into
//! `serde_json::Value`, alternating, and prints the median ratio of the
//! rounds. Then 1000 concurrent SDK calls on a cold token cache report how
//! many token requests they made.
//!
//! Run: `cargo bench --bench overhead`.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

const BODY: &str = r#"[{"name":"Ada","email":"ada@example.com","roles":["admin"],"invitePending":false},{"name":"Bob","email":"bob@example.com","roles":["developer"],"invitePending":true}]"#;
const TOKEN: &str = r#"{"access_token":"bench-token","token_type":"Bearer","expires_in":86400}"#;

/// Serve keep-alive HTTP/1.1: token requests get a token, the rest the list.
async fn serve(listener: TcpListener, token_requests: Arc<AtomicU64>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        let token_requests = token_requests.clone();
        tokio::spawn(async move {
            let (read, mut write) = stream.into_split();
            let mut reader = BufReader::new(read);
            loop {
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).await.unwrap_or(0) == 0 {
                    return;
                }
                let mut content_length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        content_length = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; content_length];
                if reader.read_exact(&mut body).await.is_err() {
                    return;
                }
                let answer = if request_line.contains("/oauth/token") {
                    token_requests.fetch_add(1, Ordering::Relaxed);
                    TOKEN
                } else {
                    BODY
                };
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{answer}",
                    answer.len()
                );
                if write.write_all(response.as_bytes()).await.is_err() {
                    return;
                }
            }
        });
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let token_requests = Arc::new(AtomicU64::new(0));
    tokio::spawn(serve(listener, token_requests.clone()));

    let sdk = camunda_admin::Client::builder()
        .base_url(&base)
        .token_url(format!("{base}/oauth/token"))
        .credentials("bench", "bench-secret")
        .no_disk_cache()
        .build()
        .expect("client");
    // The raw client gets the SDK's HTTP settings (timeouts, no redirects,
    // a user agent), so that the ratio measures the SDK's own work.
    let raw = reqwest::Client::builder()
        .user_agent("bench")
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
        .build()
        .expect("raw client");
    let url = format!("{base}/members");

    const CALLS: usize = 2000;
    const ROUNDS: usize = 15;
    sdk.get_members().await.expect("warm up");
    let mut ratios = Vec::new();
    let mut sdk_us = Vec::new();
    let mut raw_us = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        for _ in 0..CALLS {
            std::hint::black_box(sdk.get_members().await.expect("sdk call"));
        }
        let sdk_time = started.elapsed();
        let started = Instant::now();
        for _ in 0..CALLS {
            let value: serde_json::Value = raw
                .get(&url)
                .header("authorization", "Bearer bench-token")
                .header("accept", "application/json")
                .send()
                .await
                .expect("raw call")
                .json()
                .await
                .expect("json");
            std::hint::black_box(value);
        }
        let raw_time = started.elapsed();
        ratios.push(sdk_time.as_secs_f64() / raw_time.as_secs_f64());
        sdk_us.push(per_call_us(sdk_time, CALLS));
        raw_us.push(per_call_us(raw_time, CALLS));
    }
    println!(
        "overhead: SDK {:.1} µs/call, raw reqwest {:.1} µs/call, median ratio SDK/raw {:.3} ({ROUNDS} rounds of {CALLS} calls)",
        median(sdk_us),
        median(raw_us),
        median(ratios)
    );

    decode_costs();

    // Cold cache: a new key (another audience), 1000 concurrent calls.
    let before = token_requests.load(Ordering::Relaxed);
    let cold = camunda_admin::Client::builder()
        .base_url(&base)
        .token_url(format!("{base}/oauth/token"))
        .audience("cold-cache")
        .credentials("bench", "bench-secret")
        .no_disk_cache()
        .build()
        .expect("client");
    let calls: Vec<_> = (0..1000)
        .map(|_| {
            let cold = cold.clone();
            tokio::spawn(async move { cold.get_members().await })
        })
        .collect();
    for call in calls {
        call.await.expect("task").expect("call");
    }
    println!(
        "cold cache: 1000 concurrent calls made {} token request(s)",
        token_requests.load(Ordering::Relaxed) - before
    );
}

/// Where part of the difference goes: decoding the same body into the
/// typed members (each keeps its undeclared fields through a flattened map,
/// which serde reads through a buffer) against into `serde_json::Value`.
fn decode_costs() {
    const DECODES: usize = 200_000;
    let time = |decode: &dyn Fn()| {
        let started = Instant::now();
        for _ in 0..DECODES {
            decode();
        }
        per_call_us(started.elapsed(), DECODES)
    };
    let typed = time(&|| {
        let members: Vec<camunda_admin::types::Member> =
            serde_json::from_str(BODY).expect("members");
        std::hint::black_box(members);
    });
    let value = time(&|| {
        let value: serde_json::Value = serde_json::from_str(BODY).expect("json");
        std::hint::black_box(value);
    });
    println!(
        "decoding the body: typed members {typed:.2} µs, serde_json::Value {value:.2} µs (difference {:.2} µs)",
        typed - value
    );
}

fn per_call_us(total: Duration, calls: usize) -> f64 {
    total.as_secs_f64() * 1e6 / calls as f64
}
