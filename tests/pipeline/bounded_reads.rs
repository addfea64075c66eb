//! No answer can make the client buffer more than its cap: endless and
//! oversized bodies on every kind of answer end in a typed error.

use std::time::Duration;

use camunda_admin::{Client, Error, RetryPolicy};
use futures_util::StreamExt;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
};

/// How the hostile server answers.
#[derive(Clone, Copy)]
enum Answer {
    /// 200 with a chunked body that never ends.
    Endless {
        status: u16,
        content_type: &'static str,
    },
    /// 200 claiming a body of this many bytes (and sending some).
    Claims(u64),
}

/// A loopback server answering every request with `answer`.
async fn hostile(answer: Answer) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && socket.read(&mut byte).await.unwrap_or(0) == 1
                {
                    head.push(byte[0]);
                }
                let _ = serve(&mut socket, answer).await;
            });
        }
    });
    url
}

async fn serve(socket: &mut tokio::net::TcpStream, answer: Answer) -> std::io::Result<()> {
    match answer {
        Answer::Endless {
            status,
            content_type,
        } => {
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ntransfer-encoding: chunked\r\n\r\n"
            );
            socket.write_all(head.as_bytes()).await?;
            // `[` then endless array items for JSON; endless lines for text.
            let chunk = if content_type.contains("json") {
                "{\"a\":1},"
            } else {
                "x,y,z\n"
            }
            .repeat(8192);
            let framed = format!("{:x}\r\n{chunk}\r\n", chunk.len());
            socket.write_all(b"1\r\n[\r\n").await?;
            loop {
                socket.write_all(framed.as_bytes()).await?;
            }
        }
        Answer::Claims(length) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {length}\r\n\r\n["
            );
            socket.write_all(head.as_bytes()).await?;
            let chunk = "{\"a\":1},".repeat(8192);
            loop {
                socket.write_all(chunk.as_bytes()).await?;
            }
        }
    }
}

fn client(url: &str, cap: usize) -> Client {
    Client::builder()
        .base_url(url)
        .static_token("t")
        .max_response_bytes(cap)
        .retry(RetryPolicy::disabled())
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client")
}

const CAP: usize = 1024 * 1024;

#[tokio::test]
async fn an_endless_json_answer_stops_at_the_cap() {
    let url = hostile(Answer::Endless {
        status: 200,
        content_type: "application/json",
    })
    .await;
    let error = client(&url, CAP)
        .get_clusters()
        .await
        .expect_err("too large");
    assert!(
        matches!(
            error,
            Error::BodyTooLarge {
                operation: camunda_admin::OperationId::GetClusters,
                limit: CAP
            }
        ),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("1048576"),
        "names the limit: {error}"
    );
}

#[tokio::test]
async fn an_oversized_content_length_stops_at_the_cap() {
    let url = hostile(Answer::Claims(200 * 1024 * 1024)).await;
    let error = client(&url, CAP)
        .get_members()
        .await
        .expect_err("too large");
    assert!(
        matches!(error, Error::BodyTooLarge { limit: CAP, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_endless_csv_stops_at_the_cap() {
    let url = hostile(Answer::Endless {
        status: 200,
        content_type: "text/csv",
    })
    .await;
    let error = client(&url, CAP).get_csv().await.expect_err("too large");
    assert!(
        matches!(
            error,
            Error::BodyTooLarge {
                operation: camunda_admin::OperationId::GetCsv,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_endless_error_body_is_cut_short() {
    let url = hostile(Answer::Endless {
        status: 500,
        content_type: "text/plain",
    })
    .await;
    let error = client(&url, CAP).get_members().await.expect_err("500");
    let api = error.as_api().expect("an API error");
    assert_eq!(api.status.as_u16(), 500);
    assert!(api.body.chars().count() <= 513, "{} chars", api.body.len());
}

#[tokio::test]
async fn the_activity_log_streams_line_by_line_beyond_the_cap() {
    let url = hostile(Answer::Endless {
        status: 200,
        content_type: "text/csv",
    })
    .await;
    // A cap far below what the stream delivers: lines keep coming.
    let client = client(&url, 1024);
    let lines = client.get_csv_lines().await.expect("stream");
    let first: Vec<String> = lines
        .take(100_000)
        .map(|l| l.expect("a line"))
        .collect()
        .await;
    assert_eq!(first.len(), 100_000);
    assert_eq!(first[0], "[x,y,z");
    assert!(first[1..].iter().all(|l| l == "x,y,z"));
}

#[tokio::test]
async fn a_line_without_end_stops_the_stream_with_a_typed_error() {
    let url = hostile(Answer::Endless {
        status: 200,
        content_type: "application/json",
    })
    .await;
    let lines = client(&url, CAP).get_csv_lines().await.expect("stream");
    let results: Vec<_> = lines.collect().await;
    assert_eq!(results.len(), 1, "the error, then the end");
    assert!(
        matches!(&results[0], Err(Error::BodyTooLarge { limit, .. }) if *limit == camunda_admin::MAX_CSV_LINE_BYTES),
        "{:?}",
        results[0]
    );
}

/// Peak memory of a process reading an endless answer with the default
/// 32 MiB cap: at most twice the cap plus 16 MiB. Measured in a child
/// process (`VmHWM`), so this test's own allocations do not count.
/// Ignored by default (it reads 32 MiB); `cargo test --test pipeline
/// bounded_reads -- --ignored --nocapture` prints the figure.
#[test]
#[ignore = "reads 32 MiB to measure peak memory; run with --ignored"]
fn peak_memory_stays_near_the_cap() {
    if std::env::var_os("BOUNDED_READS_CHILD").is_some() {
        return child_reads_endless_body();
    }
    let output = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            &crate::common::libtest_name(module_path!(), "peak_memory_stays_near_the_cap"),
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .env("BOUNDED_READS_CHILD", "1")
        .output()
        .expect("child runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let peak_kib: u64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("peak_kib="))
        .and_then(|v| v.trim().parse().ok())
        .expect("the child prints its peak");
    let cap_kib = camunda_admin::DEFAULT_MAX_RESPONSE_BYTES as u64 / 1024;
    println!(
        "peak RSS {} MiB reading an endless body with a {} MiB cap",
        peak_kib / 1024,
        cap_kib / 1024
    );
    assert!(peak_kib <= 2 * cap_kib + 16 * 1024, "peak {peak_kib} KiB");
}

fn child_reads_endless_body() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let url = hostile(Answer::Endless {
            status: 200,
            content_type: "application/json",
        })
        .await;
        let error = client(&url, camunda_admin::DEFAULT_MAX_RESPONSE_BYTES)
            .get_clusters()
            .await
            .expect_err("too large");
        assert!(matches!(error, Error::BodyTooLarge { .. }), "{error:?}");
    });
    let status = std::fs::read_to_string("/proc/self/status").expect("procfs");
    let peak = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .expect("VmHWM");
    println!("peak_kib={peak}");
}
