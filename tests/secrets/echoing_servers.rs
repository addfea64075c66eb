//! A server that echoes back everything it receives (headers and body)
//! in its error answers: no secret or token may reach an `ApiError`, its
//! `Display` or `Debug`, or a log line.

use crate::common::read_request;
use camunda_admin::{types, Client, RetryPolicy};
use tokio::{io::AsyncWriteExt, net::TcpListener};

const CLIENT_SECRET: &str = "cl13nt-s3cr3t+/=";
const ACCESS_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaSJ9.c2lnbmF0dXJl";
/// A connector secret's value, sent in a request body.
const SECRET_VALUE: &str = "db-pa55w0rd";

/// Tokens from `/oauth/token`; every other request is answered 400 with
/// the whole request (head and body) as the body.
async fn echo_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let request = read_request(&mut socket).await;
                let (status, kind, body) = if request.starts_with("POST /oauth/token") {
                    (
                        "200 OK",
                        "application/json",
                        format!(
                            r#"{{"access_token":"{ACCESS_TOKEN}","token_type":"Bearer","expires_in":3600}}"#
                        ),
                    )
                } else {
                    ("400 Bad Request", "text/plain", request)
                };
                let answer = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: {kind}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    url
}

/// Captures log lines at TRACE.
fn assert_clean(what: &str, text: &str) {
    for secret in [
        CLIENT_SECRET,
        ACCESS_TOKEN,
        "cl13nt-s3cr3t%2B%2F%3D",
        SECRET_VALUE,
    ] {
        assert!(!text.contains(secret), "{what} shows a secret: {text}");
    }
}

#[tokio::test]
async fn echoed_requests_leave_no_secret_in_errors_or_logs() {
    let (logs, _guard) = crate::common::capture_trace_logs();

    let url = echo_server().await;
    let client = Client::builder()
        .base_url(&url)
        .token_url(format!("{url}/oauth/token"))
        .credentials("ci", CLIENT_SECRET)
        .no_disk_cache()
        .retry(RetryPolicy::disabled())
        .build()
        .expect("client");
    let body = types::UpdateClusterBody::builder().name(Some(CLIENT_SECRET.to_owned()));
    let secret = types::CreateSecretBody::builder()
        .secret_name("DB_PASSWORD")
        .secret_value(SECRET_VALUE);
    let errors = [
        client.get_members().await.expect_err("400"),
        client.update_cluster("c1", body).await.expect_err("400"),
        // An operation that carries a secret keeps its error body too, the
        // secret it sent replaced.
        client.create_secret("c1", secret).await.expect_err("400"),
    ];
    for error in &errors {
        let api = error
            .as_api()
            .unwrap_or_else(|| panic!("an API error: {error:?}"));
        assert!(
            api.body.contains("Bearer ***"),
            "the echo is there, masked: {}",
            api.body
        );
        if api.operation == camunda_admin::operation::OperationId::CreateSecret {
            assert!(
                api.body.contains("DB_PASSWORD") && api.body.contains(r#""secretValue":"***""#),
                "the body is kept, the value replaced: {}",
                api.body
            );
        }
        assert_clean("the error body", &api.body);
        assert_clean("Display", &error.to_string());
        assert_clean("Debug", &format!("{error:?}"));
    }
    let logs = logs.text();
    assert!(logs.contains("call failed"), "{logs}");
    assert_clean("the logs", &logs);
}
