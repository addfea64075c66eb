//! A server that cannot be stalled, over real sockets on 127.0.0.1: slow
//! heads and idle connections are closed, connections beyond the cap get
//! 503, an announced body beyond the cap gets 413 at once, and a shutdown
//! lets the request being answered finish while it closes the others.
//! Timeouts here are short settings; the outer bounds are generous.

use std::time::Duration;

use crate::common::{http, start_emulator};
use camunda_admin::emulator::Emulator;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// Far beyond any timeout of these tests: only a hang reaches it.
const OUTER: Duration = Duration::from_secs(30);

async fn connect(emulator: &Emulator) -> TcpStream {
    TcpStream::connect(emulator.local_addr()).await.unwrap()
}

/// Everything the server sends until it closes the connection.
async fn until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let read = tokio::time::timeout(OUTER, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the server kept the connection open");
    String::from_utf8_lossy(&received).into_owned()
}

#[tokio::test]
async fn a_head_that_trickles_and_an_idle_connection_are_closed() {
    let emulator = start_emulator(
        Emulator::builder()
            .request_read_timeout(Duration::from_millis(300))
            .idle_timeout(Duration::from_millis(600)),
    )
    .await;
    let mut trickling = connect(&emulator).await;
    trickling
        .write_all(b"GET /meta/ip-ranges HTTP/1.1\r\n")
        .await
        .unwrap();
    let mut idle = connect(&emulator).await;
    // A served connection stays usable until it idles out.
    let mut served = connect(&emulator).await;
    served
        .write_all(b"GET /__emulator/health HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 12];
    served.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");

    assert_eq!(
        until_closed(&mut trickling).await,
        "",
        "no answer to half a head"
    );
    assert_eq!(until_closed(&mut idle).await, "");
    until_closed(&mut served).await;
}

#[tokio::test]
async fn connections_beyond_the_cap_get_503_and_the_others_are_served() {
    let emulator = start_emulator(Emulator::builder().max_connections(2)).await;
    let _held = [connect(&emulator).await, connect(&emulator).await];
    // The accept loop sees the two first.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut third = connect(&emulator).await;
    let _ = third
        .write_all(b"GET /meta/ip-ranges HTTP/1.1\r\nhost: x\r\n\r\n")
        .await;
    let answer = until_closed(&mut third).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("retry-after: 1"),
        "{answer}"
    );
    drop(_held);
    // Once the held ones are gone, requests are served again.
    let served = tokio::time::timeout(OUTER, async {
        loop {
            match http()
                .get(format!("{}/meta/ip-ranges", emulator.base_url()))
                .send()
                .await
            {
                Ok(r) if r.status() == 200 => break,
                _ => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    })
    .await;
    assert!(served.is_ok());
}

#[tokio::test]
async fn an_announced_body_beyond_the_cap_is_refused_at_once() {
    let emulator = start_emulator(Emulator::builder()).await;
    let mut stream = connect(&emulator).await;
    let head = "POST /clusters HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100000000000\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();
    // 1 MB of the announced 100 GB, then nothing more.
    let _ = stream.write_all(&vec![b' '; 1 << 20]).await;
    let answer = until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

    // A body that says nothing of its length and runs past the cap too.
    let mut chunked = connect(&emulator).await;
    let head = "POST /clusters HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n";
    chunked.write_all(head.as_bytes()).await.unwrap();
    let chunk = format!("{:x}\r\n{}\r\n", 1 << 20, " ".repeat(1 << 20));
    for _ in 0..3 {
        if chunked.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
    }
    let answer = until_closed(&mut chunked).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

#[tokio::test]
async fn shutdown_finishes_the_request_being_answered_and_closes_the_rest() {
    let emulator = start_emulator(Emulator::builder()).await;
    emulator
        .delay_next("GetMeta", 1, Duration::from_millis(500))
        .unwrap();
    let url = format!("{}/meta/ip-ranges", emulator.base_url());
    let in_flight = tokio::spawn(async move { http().get(url).send().await.map(|r| r.status()) });
    let mut half_sent = connect(&emulator).await;
    half_sent
        .write_all(b"POST /clusters HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let mut idle = connect(&emulator).await;
    tokio::time::timeout(OUTER, async {
        while emulator.calls("GetMeta") == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap();
    tokio::time::timeout(OUTER, emulator.shutdown())
        .await
        .unwrap();
    let status = in_flight
        .await
        .unwrap()
        .expect("the request being answered completes");
    assert_eq!(status, 200);
    assert_eq!(until_closed(&mut half_sent).await, "");
    assert_eq!(until_closed(&mut idle).await, "");
}

#[tokio::test]
async fn a_request_answered_beyond_the_grace_is_cut_off_at_shutdown() {
    let emulator =
        start_emulator(Emulator::builder().shutdown_grace(Duration::from_millis(200))).await;
    emulator.delay_next("GetMeta", 1, Duration::MAX).unwrap();
    let url = format!("{}/meta/ip-ranges", emulator.base_url());
    let in_flight = tokio::spawn(async move { http().get(url).send().await.map(|r| r.status()) });
    tokio::time::timeout(OUTER, async {
        while emulator.calls("GetMeta") == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap();
    tokio::time::timeout(OUTER, emulator.shutdown())
        .await
        .expect("shutdown does not wait for a request that never ends");
    assert!(in_flight.await.unwrap().is_err());
}
