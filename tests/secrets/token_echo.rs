//! A token endpoint that echoes everything it receives (the form body with
//! `client_secret=...`, every header) back in its answers: 400, 401, 429,
//! 500, and 200s that are not tokens. No `AuthError` message, `Debug`
//! output or log line (TRACE included) may hold the client secret, the
//! current or previous access token, or an OAuth `error_description`.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use crate::common::read_request;
use camunda_admin::{Client, Error};
use tokio::io::AsyncWriteExt;

const CLIENT_SECRET: &str = "ECHO-CLIENT-SECRET-1f0e3dad";
const ACCESS_TOKEN: &str = "ECHO-ACCESS-TOKEN-98f13708";
const DESCRIPTION: &str = "ECHO-DESCRIPTION-3c59dc04";

/// Answers: `(status, body)`, where `{echo}` in the body becomes the whole
/// request (JSON-escaped) and `{token}` the access token.
type Script = Arc<Mutex<Vec<(u16, &'static str)>>>;

async fn echo_endpoint(script: Script) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!(
        "http://{}/oauth/token",
        listener.local_addr().expect("addr")
    );
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let script = script.clone();
            tokio::spawn(async move {
                let request = read_request(&mut stream).await;
                let (status, template) = {
                    let mut script = script.lock().expect("lock");
                    if script.len() > 1 {
                        script.remove(0)
                    } else {
                        script[0]
                    }
                };
                let echo = serde_json::to_string(&request).expect("json");
                let echo = &echo[1..echo.len() - 1];
                let body = template
                    .replace("{echo}", echo)
                    .replace("{token}", ACCESS_TOKEN)
                    .replace("{description}", DESCRIPTION);
                let answer = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\nretry-after: 0\r\nx-echo: {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    echo.replace(['\r', '\n'], " "),
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    url
}

fn assert_clean(what: &str, text: &str) {
    for secret in [CLIENT_SECRET, ACCESS_TOKEN, DESCRIPTION, "client_secret="] {
        assert!(!text.contains(secret), "{what} shows {secret}: {text}");
    }
}

fn client(token_url: &str, id: &str) -> Client {
    Client::builder()
        .base_url("http://127.0.0.1:9")
        .token_url(token_url)
        .credentials(id, CLIENT_SECRET)
        .no_disk_cache()
        .token_deadline(Duration::from_millis(300))
        .build()
        .expect("client")
}

const ERROR_BODY: &str = r#"{"error":"{echo}","error_description":"{description} {echo}","error_uri":"https://x/{echo}"}"#;
const STANDARD_ERROR_BODY: &str = r#"{"error":"invalid_request","error_description":"{description} {echo}","error_uri":"https://x/{echo}"}"#;

#[tokio::test]
async fn an_echoing_token_endpoint_never_puts_secrets_in_errors_or_logs() {
    let (captured, _guard) = crate::common::capture_trace_logs();

    let cases: Vec<(u16, &'static str)> = vec![
        (400, ERROR_BODY),
        (400, STANDARD_ERROR_BODY),
        (401, ERROR_BODY),
        (403, ERROR_BODY),
        (429, ERROR_BODY),
        (500, ERROR_BODY),
        (503, "{echo}"),
        (200, r#"{"echo":"{echo}"}"#),
        (200, r#"{"access_token":7,"echo":"{echo}"}"#),
        (200, r#"{"access_token":"x","expires_in":"{echo}"}"#),
        (200, r#"{"error":"{echo}"}"#),
        (200, "not json {echo}"),
    ];
    for (n, (status, body)) in cases.into_iter().enumerate() {
        let url = echo_endpoint(Arc::new(Mutex::new(vec![(status, body)]))).await;
        let error = client(&url, &format!("echo-client-{n}"))
            .get_clusters()
            .await
            .expect_err("no token");
        assert!(error.is_auth(), "{status}: {error:?}");
        assert_clean(
            &format!("error for {status} {body}"),
            &format!("{error} {error:?}"),
        );
    }

    // A token first, then the API refuses it and the refresh meets echoes:
    // the previous token must not show up either.
    let script = Arc::new(Mutex::new(vec![
        (200, r#"{"access_token":"{token}","expires_in":3600}"#),
        (500, ERROR_BODY),
    ]));
    let url = echo_endpoint(script).await;
    let api = httpmock::MockServer::start_async().await;
    api.mock_async(|when, then| {
        when.path("/clusters");
        then.status(401).body("{\"message\":\"expired\"}");
    })
    .await;
    let refreshing = Client::builder()
        .base_url(api.base_url())
        .token_url(&url)
        .credentials("echo-refresh", CLIENT_SECRET)
        .no_disk_cache()
        .token_deadline(Duration::from_millis(300))
        .build()
        .expect("client");
    let error = refreshing.get_clusters().await.expect_err("refused");
    assert!(matches!(error, Error::Auth(_)), "{error:?}");
    assert_clean("refresh error", &format!("{error} {error:?}"));

    let logs = captured.text();
    assert!(
        logs.contains("requesting a token"),
        "the capture works: {logs}"
    );
    assert_clean("TRACE log", &logs);
}
