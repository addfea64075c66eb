//! The server loop, built so that no client can stall it: a cap on
//! connections (503 beyond it), a deadline for each request's head and
//! body and for idle connections, 413 as soon as an announced body is too
//! large, and a shutdown that lets requests being answered finish within a
//! grace period and closes the rest.
//!
//! Deadlines are kept by a watchdog thread on the real clock: tests pause
//! and advance tokio's clock by hours, which must not close the
//! connections of their clients.

use std::{
    collections::HashMap,
    convert::Infallible,
    future::Future,
    io,
    pin::Pin,
    sync::{
        atomic::{AtomicBool, AtomicU64, AtomicU8, AtomicUsize, Ordering},
        Arc, Mutex, Weak,
    },
    task::{Context, Poll},
    time::{Duration, Instant},
};

use axum::{
    body::Bytes,
    http::{
        header::{CONNECTION, CONTENT_LENGTH},
        HeaderValue, Request, StatusCode,
    },
    response::Response,
};
use http_body_util::{BodyExt, Limited};
use hyper::{body::Incoming, server::conn::http1, service::service_fn};
use hyper_util::rt::TokioIo;
use tokio::{
    io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::Notify,
    task::JoinSet,
};

use super::{
    answer::Fail,
    config::Limits,
    server::{lock, Answer, Shared},
};

/// The largest request body taken; a larger one is answered 413.
pub(crate) const BODY_CAP: usize = 2 * 1024 * 1024;

/// Between requests: waiting for the next head.
const WAITING: u8 = 0;
/// Reading a request's body.
const READING: u8 = 1;
/// The request is being answered: no deadline (a delay may be injected).
const ANSWERING: u8 = 2;

/// One connection as the watchdog and the shutdown see it.
struct Conn {
    base: Instant,
    phase: AtomicU8,
    /// When the phase began, in milliseconds after `base`.
    since: AtomicU64,
    /// When the first byte of the next head came (0: not yet).
    first_byte: AtomicU64,
    /// Close the connection now.
    kill: Notify,
    /// Finish the request being answered, then close.
    graceful: Notify,
    /// Close with a TCP reset instead of a FIN.
    reset: AtomicBool,
}

impl Conn {
    fn new(base: Instant) -> Self {
        let conn = Self {
            base,
            phase: AtomicU8::new(WAITING),
            since: AtomicU64::new(0),
            first_byte: AtomicU64::new(0),
            kill: Notify::new(),
            graceful: Notify::new(),
            reset: AtomicBool::new(false),
        };
        conn.since.store(conn.now(), Ordering::SeqCst);
        conn
    }

    /// Milliseconds after `base`, at least 1 (0 means "not yet").
    fn now(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_millis())
            .unwrap_or(u64::MAX)
            .max(1)
    }

    fn enter(&self, phase: u8) {
        self.first_byte.store(0, Ordering::SeqCst);
        self.since.store(self.now(), Ordering::SeqCst);
        self.phase.store(phase, Ordering::SeqCst);
    }

    /// Whether the connection is past its deadline at `now`.
    fn overdue(&self, now: u64, limits: &Limits) -> bool {
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        let deadline = match self.phase.load(Ordering::SeqCst) {
            WAITING => match self.first_byte.load(Ordering::SeqCst) {
                0 => self
                    .since
                    .load(Ordering::SeqCst)
                    .saturating_add(ms(limits.idle_timeout)),
                first => first.saturating_add(ms(limits.request_read_timeout)),
            },
            READING => self
                .since
                .load(Ordering::SeqCst)
                .saturating_add(ms(limits.request_read_timeout)),
            _ => return false,
        };
        now > deadline
    }
}

/// The open connections.
struct Registry {
    base: Instant,
    limits: Limits,
    next_id: AtomicU64,
    conns: Mutex<HashMap<u64, Arc<Conn>>>,
    /// Connections being refused with 503.
    refusing: AtomicUsize,
}

impl Registry {
    fn len(&self) -> usize {
        lock(&self.conns).len()
    }

    fn add(self: &Arc<Self>) -> (Arc<Conn>, Registered) {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let conn = Arc::new(Conn::new(self.base));
        lock(&self.conns).insert(id, Arc::clone(&conn));
        (conn, Registered(id, Arc::downgrade(self)))
    }

    /// Close the connections past their deadline.
    fn sweep(&self) {
        let now = u64::try_from(self.base.elapsed().as_millis()).unwrap_or(u64::MAX);
        for conn in lock(&self.conns).values() {
            if conn.overdue(now, &self.limits) {
                conn.kill.notify_one();
            }
        }
    }

    /// Close every connection not being answered; let the others finish.
    fn begin_shutdown(&self) {
        for conn in lock(&self.conns).values() {
            if conn.phase.load(Ordering::SeqCst) == ANSWERING {
                conn.graceful.notify_one();
            } else {
                conn.kill.notify_one();
            }
        }
    }
}

/// Removes its connection from the registry when the connection's task
/// ends, aborted or not.
struct Registered(u64, Weak<Registry>);

impl Drop for Registered {
    fn drop(&mut self) {
        if let Some(registry) = self.1.upgrade() {
            lock(&registry.conns).remove(&self.0);
        }
    }
}

/// Serve on `listener` until `stop` completes, then shut down as the
/// module says.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    limits: Limits,
    stop: impl Future<Output = ()>,
) {
    let registry = Arc::new(Registry {
        base: Instant::now(),
        limits,
        next_id: AtomicU64::new(0),
        conns: Mutex::new(HashMap::new()),
        refusing: AtomicUsize::new(0),
    });
    watchdog(Arc::downgrade(&registry));
    let mut tasks = JoinSet::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    if registry.len() >= limits.max_connections {
                        refuse(stream, &registry);
                        continue;
                    }
                    let (conn, registered) = registry.add();
                    tasks.spawn(connection(stream, Arc::clone(&shared), conn, registered));
                }
                // Out of file descriptors, say: let connections close first.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
        }
    }
    drop(listener);
    registry.begin_shutdown();
    let drain = async { while tasks.join_next().await.is_some() {} };
    if tokio::time::timeout(limits.shutdown_grace, drain)
        .await
        .is_err()
    {
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
    }
}

/// The watchdog: a thread that closes overdue connections, and ends with
/// the registry.
fn watchdog(registry: Weak<Registry>) {
    let Some(limits) = registry.upgrade().map(|r| r.limits) else {
        return;
    };
    let shortest = limits.request_read_timeout.min(limits.idle_timeout);
    let tick = (shortest / 4).clamp(Duration::from_millis(10), Duration::from_millis(250));
    let spawned = std::thread::Builder::new()
        .name("emulator-watchdog".into())
        .spawn(move || loop {
            std::thread::sleep(tick);
            match registry.upgrade() {
                Some(registry) => registry.sweep(),
                None => return,
            }
        });
    // Without the thread, deadlines are not enforced; the server still works.
    drop(spawned);
}

/// One connection, until it ends, is killed or shut down.
async fn connection(
    stream: TcpStream,
    shared: Arc<Shared>,
    conn: Arc<Conn>,
    _registered: Registered,
) {
    let io = TokioIo::new(Io {
        stream,
        conn: Arc::clone(&conn),
    });
    let service = {
        let conn = Arc::clone(&conn);
        service_fn(move |request| {
            let shared = Arc::clone(&shared);
            let conn = Arc::clone(&conn);
            async move { Ok::<_, Infallible>(answer(&shared, &conn, request).await) }
        })
    };
    let connection = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(io, service);
    let mut connection = std::pin::pin!(connection);
    let mut graceful = false;
    loop {
        tokio::select! {
            _ = connection.as_mut() => break,
            () = conn.kill.notified() => break,
            () = conn.graceful.notified(), if !graceful => {
                graceful = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}

/// One request: its body read within the cap, then the emulator's answer.
async fn answer(shared: &Shared, conn: &Conn, request: Request<Incoming>) -> Response {
    conn.enter(READING);
    let (parts, body) = request.into_parts();
    let announced = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let body = if announced.is_some_and(|n| n > BODY_CAP as u64) {
        Err(too_large())
    } else {
        match Limited::new(body, BODY_CAP).collect().await {
            Ok(collected) => Ok(collected.to_bytes()),
            Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
            Err(_) => Err(closing(Fail::bad_request(
                "the request body could not be read",
            ))),
        }
    };
    let body: Bytes = match body {
        Ok(body) => body,
        Err(response) => {
            conn.enter(WAITING);
            return response;
        }
    };
    conn.enter(ANSWERING);
    match shared
        .serve(&parts.method, &parts.uri, &parts.headers, &body)
        .await
    {
        Answer::Respond(response) => {
            conn.enter(WAITING);
            response
        }
        Answer::Reset => {
            conn.reset.store(true, Ordering::SeqCst);
            conn.kill.notify_one();
            std::future::pending().await
        }
    }
}

fn too_large() -> Response {
    let message = format!("the request body is larger than {BODY_CAP} bytes");
    closing(Fail::new(StatusCode::PAYLOAD_TOO_LARGE, message))
}

/// `fail`, closing the connection after it: the rest of the body is not
/// read.
fn closing(fail: Fail) -> Response {
    let mut response = fail.into_response(false);
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Answer 503 to a connection beyond the cap, and close it; beyond twice
/// the cap, just close it.
fn refuse(mut stream: TcpStream, registry: &Arc<Registry>) {
    if registry.refusing.fetch_add(1, Ordering::SeqCst) >= registry.limits.max_connections {
        registry.refusing.fetch_sub(1, Ordering::SeqCst);
        return;
    }
    let registry = Arc::clone(registry);
    tokio::spawn(async move {
        let body = r#"{"status":503,"error":"Service Unavailable","message":"the emulator serves as many connections as it takes; retry later"}"#;
        let head = format!(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        let refusal = async {
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(body.as_bytes()).await?;
            stream.shutdown().await?;
            // Read what the client sent, so that closing sends no reset
            // that would destroy the answer.
            let mut sink = [0u8; 4096];
            while stream.read(&mut sink).await? > 0 {}
            Ok::<_, io::Error>(())
        };
        let _ = tokio::time::timeout(Duration::from_secs(1), refusal).await;
        registry.refusing.fetch_sub(1, Ordering::SeqCst);
    });
}

/// The socket, noting the first byte of each head for the watchdog, and
/// closed with a reset when a fault asks for one.
struct Io {
    stream: TcpStream,
    conn: Arc<Conn>,
}

impl AsyncRead for Io {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            let conn = &self.conn;
            if conn.phase.load(Ordering::SeqCst) == WAITING {
                let _ = conn.first_byte.compare_exchange(
                    0,
                    conn.now(),
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                );
            }
        }
        polled
    }
}

impl AsyncWrite for Io {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

impl Drop for Io {
    fn drop(&mut self) {
        if self.conn.reset.load(Ordering::SeqCst) {
            // SO_LINGER 0: close sends RST, as an injected reset asks.
            let _ = self.stream.set_zero_linger();
        }
    }
}
