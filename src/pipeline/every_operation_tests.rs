//! Every operation of the document, driven by the generated operation
//! table, so a new operation is covered by itself: its path parameters
//! (checked, encoded as one segment), and its request with a sample body
//! and the reading of an error answer.

use std::sync::{Arc, Mutex};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
};

use crate::{api::sample_body, operation::OPERATIONS, Client, Error, JsonCall};

/// Values a URL parser or a decoding server reads as a dot or empty segment.
const HOSTILE: &[&str] = &[
    "",
    ".",
    "..",
    "%2e%2e",
    "%2E.",
    ".%2e",
    "%252e%252E",
    "%25252e",
];

/// A loopback server that answers 204 to anything and records request lines.
async fn recorder() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let record = record.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && socket.read(&mut byte).await.unwrap_or(0) == 1
                {
                    head.push(byte[0]);
                }
                let text = String::from_utf8_lossy(&head);
                record
                    .lock()
                    .unwrap()
                    .push(text.lines().next().unwrap_or("").to_owned());
                let _ = socket
                    .write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n")
                    .await;
            });
        }
    });
    (url, seen)
}

/// A client with credentials whose token URL is the recorder too: a
/// token fetch would show up as a request.
fn client(url: &str) -> Client {
    Client::builder()
        .base_url(url)
        .token_url(format!("{url}/oauth/token"))
        .credentials("id", "secret")
        .no_disk_cache()
        .retry(crate::RetryPolicy::disabled())
        .build()
        .expect("client")
}

#[tokio::test]
async fn dot_and_empty_path_parameters_are_refused_before_anything_is_sent() {
    let (url, seen) = recorder().await;
    let client = client(&url);
    let mut checked = 0;
    for op in OPERATIONS.iter().filter(|op| !op.path_params.is_empty()) {
        for (position, name) in op.path_params.iter().map(|p| p.name).enumerate() {
            for hostile in HOSTILE {
                let mut path = vec!["c1".to_owned(); op.path_params.len()];
                path[position] = (*hostile).to_owned();
                let error = client
                    .call_json(op.id, JsonCall::new(path))
                    .await
                    .expect_err("refused");
                match &error {
                    Error::InvalidRequest { operation, reason } => {
                        assert_eq!(*operation, op.id);
                        assert!(reason.contains(name), "{} {hostile:?}: {reason}", op.id);
                    }
                    other => panic!("{} with {name} = {hostile:?}: {other:?}", op.id),
                }
                checked += 1;
            }
        }
    }
    assert!(
        checked >= 8 * 40,
        "every operation with path parameters: {checked}"
    );
    assert_eq!(
        seen.lock().unwrap().len(),
        0,
        "nothing was sent, no token fetched"
    );
}

#[tokio::test]
async fn any_other_value_stays_one_path_segment() {
    let (url, seen) = recorder().await;
    let client = Client::builder()
        .base_url(&url)
        .static_token("t")
        .retry(crate::RetryPolicy::disabled())
        .build()
        .expect("client");
    let odd = "a/b\\c?d#e;..%2F%zz ü";
    let mut sent = 0;
    for op in OPERATIONS.iter().filter(|op| !op.path_params.is_empty()) {
        let before = seen.lock().unwrap().len();
        let path = vec![odd.to_owned(); op.path_params.len()];
        // Operations with a body fail on the empty body, after the path
        // check and before sending; the others reach the server.
        let _ = client.call_json(op.id, JsonCall::new(path)).await;
        let lines = seen.lock().unwrap().clone();
        let Some(line) = lines.get(before) else {
            continue;
        };
        sent += 1;
        let target = line.split(' ').nth(1).expect("a request target");
        assert!(
            !target.contains('?') && !target.contains('#'),
            "{}: {line}",
            op.id
        );
        let segments = target.trim_start_matches('/').split('/').count();
        let expected = op.path.trim_start_matches('/').split('/').count();
        assert_eq!(segments, expected, "{}: {line}", op.id);
    }
    assert!(
        sent >= 15,
        "operations without a body reached the server: {sent}"
    );
}

/// Every operation of the table against httpmock, with sample path values
/// and its sample body: the method and the exact path, a bearer token
/// exactly where the document asks for one, the body as JSON, and an error
/// answer read as an `ApiError` naming the operation, after one request.
/// (422, because httpmock answers 404 to a request that matches nothing.)
#[tokio::test]
async fn every_operation_sends_its_request_and_reads_an_error_answer() {
    let mut checked = 0;
    for op in OPERATIONS {
        let server = httpmock::MockServer::start_async().await;
        let values: Vec<String> = (1..=op.path_params.len())
            .map(|i| format!("v{i}"))
            .collect();
        let path = op
            .path_params
            .iter()
            .zip(&values)
            .fold(op.path.to_owned(), |path, (param, value)| {
                path.replace(&format!("{{{}}}", param.name), value)
            });
        let body = sample_body(op.id);
        let mock = server
            .mock_async(|when, then| {
                let when = when.method(op.method.as_str()).path(path.as_str());
                let when = if op.authenticated {
                    when.header("authorization", "Bearer t")
                } else {
                    when.header_missing("authorization")
                };
                if let Some(body) = &body {
                    when.header("content-type", "application/json")
                        .json_body(body.clone());
                }
                then.status(422)
                    .header("content-type", "application/json")
                    .json_body(serde_json::json!({ "message": "refused" }));
            })
            .await;
        let client = Client::builder()
            .base_url(server.base_url())
            .static_token("t")
            .build()
            .expect("client");

        let call = JsonCall {
            path: values.clone(),
            body,
            ..JsonCall::default()
        };
        let error = client
            .call_json(op.id, call)
            .await
            .expect_err("the server refuses");

        match &error {
            Error::Api(api) => {
                assert_eq!(
                    (api.operation, api.status.as_u16()),
                    (op.id, 422),
                    "{error:?}"
                );
            }
            other => panic!("{}: {other:?}", op.id),
        }
        assert_eq!(mock.calls_async().await, 1, "{}: one request", op.id);
        checked += 1;
    }
    assert!(checked >= 43, "every operation: {checked}");
}
