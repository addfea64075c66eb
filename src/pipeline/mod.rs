//! The request pipeline: every public call runs through [`Client::call`],
//! one loop that takes every decision about an attempt: the bearer token
//! (typed errors, fetched before progenitor runs), the attempt itself
//! (progenitor builds the request and reads the answer; its `exec` hook in
//! [`hooks`] sends it once and bounds the body), the one 401 refresh, the
//! rule ([`crate::retry::verdict`]) asked once per failure, the read before
//! resending a create ([`create_checks`]), the pause, and giving up.
//! progenitor's errors become the crate's in [`translate`].
//!
//! The side channel: progenitor's hooks see only the request, so the
//! attempt's bearer header and the call's bounds reach `exec` through a
//! task-local [`CallShared`], set by the loop for the whole call. Outside
//! one (which the private generated client never is) the hooks refuse the
//! request instead of guessing.

pub(crate) mod body;
mod create_checks;
mod hooks;
mod path;
mod translate;

#[cfg(test)]
mod every_operation_tests;

use std::{
    future::Future,
    sync::{
        atomic::{AtomicU32, Ordering},
        Arc, Mutex, PoisonError,
    },
    time::Duration,
};

use progenitor_client::{ByteStream, ResponseValue};
use reqwest::header::HeaderValue;
use tokio::time::Instant;
use tracing::Instrument;

pub(crate) use crate::operation::Operation;
pub(crate) use create_checks::Subject;
pub(crate) use path::{check_path_params, encode_path_segment};
pub(crate) use translate::ErrorBody;

use crate::{
    error::{Error, Result},
    retry::{timing, verdict, Failure, RetryPolicy, Verdict},
    Client, SecretString,
};

/// What the hooks of one call share with its loop.
pub(crate) struct CallShared {
    pub(crate) operation: &'static Operation,
    started: Instant,
    attempts: AtomicU32,
    /// The `Authorization` value of the current attempt, set by the loop.
    bearer: Mutex<Option<HeaderValue>>,
    /// The `Authorization` values of failed attempts, to remove them from
    /// echoed errors.
    sent: Mutex<Vec<HeaderValue>>,
    pub(crate) max_response_bytes: usize,
    /// The caller reads the body as a stream: no total cap.
    pub(crate) streams_body: bool,
}

tokio::task_local! {
    static CALL: Arc<CallShared>;
}

/// The running call. The generated client is private and every public
/// method runs it inside [`Client::call`], so there always is one; `None`
/// makes the hooks refuse the request rather than guess the operation.
fn current_call() -> Option<Arc<CallShared>> {
    CALL.try_with(Arc::clone).ok()
}

impl CallShared {
    fn new(operation: &'static Operation, max_response_bytes: usize, streams_body: bool) -> Self {
        Self {
            operation,
            started: Instant::now(),
            attempts: AtomicU32::new(0),
            bearer: Mutex::new(None),
            sent: Mutex::new(Vec::new()),
            max_response_bytes,
            streams_body,
        }
    }

    fn set_bearer(&self, header: Option<HeaderValue>) {
        *self.bearer.lock().unwrap_or_else(PoisonError::into_inner) = header;
    }

    fn bearer(&self) -> Option<HeaderValue> {
        self.bearer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn count_attempt(&self) {
        self.attempts.fetch_add(1, Ordering::Relaxed);
    }

    fn note_failed_attempt(&self, authorization: Option<HeaderValue>) {
        if let Some(value) = authorization {
            self.sent
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(value);
        }
    }

    /// The bearer tokens this call sent.
    fn sent_tokens(&self) -> Vec<crate::SecretString> {
        let sent = self.sent.lock().unwrap_or_else(PoisonError::into_inner);
        sent.iter()
            .filter_map(|v| {
                v.to_str()
                    .ok()?
                    .strip_prefix("Bearer ")
                    .map(crate::SecretString::new)
            })
            .collect()
    }

    /// Wait before the next resend, if the policy has one left within its
    /// deadline: the server's `Retry-After`, else the policy's backoff.
    async fn pause_before_resend(&self, policy: &RetryPolicy, server: Option<Duration>) -> bool {
        let retry = self.attempts.load(Ordering::Relaxed);
        if retry > policy.max_retries() {
            return false;
        }
        let pause = timing::pause_before_retry(server, || policy.pause(retry));
        if self.started.elapsed().saturating_add(pause) > policy.deadline() {
            return false;
        }
        tracing::debug!(
            operation = self.operation.id.as_str(),
            retry,
            pause_ms = pause.as_millis() as u64,
            "sending again"
        );
        tokio::time::sleep(pause).await;
        true
    }
}

/// How a failed attempt failed, as the retry rule sees it; `None` for
/// failures no rule resends (a body that does not decode, a bad request).
fn failure_of<E>(error: &progenitor_client::Error<E>) -> Option<Failure> {
    use progenitor_client::Error as P;
    match error {
        P::ErrorResponse(value) => Some(Failure::Status(value.status().as_u16())),
        P::UnexpectedResponse(response) => Some(Failure::Status(response.status().as_u16())),
        P::CommunicationError(source) => Some(Failure::of(source)),
        _ => None,
    }
}

/// The token of a `Bearer` header.
fn bearer_token(header: &HeaderValue) -> SecretString {
    let value = header.to_str().ok().and_then(|v| v.strip_prefix("Bearer "));
    SecretString::new(value.unwrap_or_default())
}

/// The path and body of a request, checked before anything is sent: path
/// parameters first, then the body's own conversion.
pub(crate) fn prepare<B>(
    operation: &'static Operation,
    path: &[String],
    body: std::result::Result<B, String>,
) -> Result<B> {
    check_path_params(operation, path)?;
    body.map_err(|reason| Error::InvalidRequest {
        operation: operation.id,
        reason,
    })
}

/// A failed attempt as the loop needs it: how it failed for the retry
/// rule (`None` for failures no rule resends) and the crate's error.
struct Failed {
    failure: Option<Failure>,
    error: Error,
}

/// The future of one attempt.
type AttemptFuture<'a> =
    std::pin::Pin<Box<dyn Future<Output = std::result::Result<u16, Failed>> + Send + 'a>>;

/// One attempt of one operation: the part of a call typed by the
/// operation's answer. The loop takes it as `dyn`, so one copy of the loop
/// serves every operation: generic over the answer, the loop and its
/// scope were compiled once per operation, a sixth of the crate's machine
/// code and of a user's build of it.
trait Attempt<'c>: Send {
    /// Send the request once: `Ok` keeps the answer for the caller and
    /// says its status.
    fn send<'a>(
        &'a mut self,
        client: &'a Client,
        call: &'a CallShared,
        subject: &'a Subject,
    ) -> AttemptFuture<'a>
    where
        'c: 'a;
}

/// The attempt of a generated call: `send` turns a copy of `request` into
/// the generated call; its answer waits in `answer`.
struct Typed<R, F, T> {
    request: R,
    send: F,
    answer: Option<ResponseValue<T>>,
}

impl<'c, T, E, R, F, Fut> Attempt<'c> for Typed<R, F, T>
where
    T: Send,
    E: ErrorBody + Send,
    R: Clone + Send,
    F: Fn(R) -> Fut + Send,
    Fut: Future<Output = std::result::Result<ResponseValue<T>, progenitor_client::Error<E>>>
        + Send
        + 'c,
{
    fn send<'a>(
        &'a mut self,
        client: &'a Client,
        call: &'a CallShared,
        subject: &'a Subject,
    ) -> AttemptFuture<'a>
    where
        'c: 'a,
    {
        Box::pin(async move {
            match (self.send)(self.request.clone()).await {
                Ok(value) => {
                    let status = value.status().as_u16();
                    self.answer = Some(value);
                    Ok(status)
                }
                Err(failed) => {
                    let failure = failure_of(&failed);
                    let error = client.translate(call, subject, failed).await;
                    Err(Failed { failure, error })
                }
            }
        })
    }
}

impl Client {
    /// Run one generated request in a call scope: `send` turns `request`
    /// into the generated call; a resend after a read (see
    /// [`create_checks`]) sends a copy, so only creates pay for a clone. A
    /// caller that `streams_body` reads the answer itself, past the cap.
    pub(crate) async fn call<'c, T, E, R, F, Fut>(
        &self,
        operation: &'static Operation,
        streams_body: bool,
        subject: Subject,
        request: R,
        send: F,
    ) -> Result<ResponseValue<T>>
    where
        T: Send,
        E: ErrorBody + Send,
        R: Clone + Send,
        F: Fn(R) -> Fut + Send,
        Fut: Future<Output = std::result::Result<ResponseValue<T>, progenitor_client::Error<E>>>
            + Send
            + 'c,
    {
        let mut attempt = Typed {
            request,
            send,
            answer: None,
        };
        self.run(operation, streams_body, &subject, &mut attempt)
            .await?;
        // The loop ends in `Ok` only after an attempt kept its answer.
        attempt.answer.ok_or_else(|| Error::InvalidRequest {
            operation: operation.id,
            reason: "the call ended without an answer".to_owned(),
        })
    }

    /// The call scope around the loop: the task-local the hooks read, the
    /// tracing span and its closing fields.
    async fn run<'c>(
        &self,
        operation: &'static Operation,
        streams_body: bool,
        subject: &Subject,
        attempt: &mut (dyn Attempt<'c> + 'c),
    ) -> Result<()> {
        let span = tracing::info_span!(
            "camunda_admin.call",
            operation = operation.id.as_str(),
            method = operation.method.as_str(),
            path = operation.path,
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let pipeline = self.shared();
        let call = Arc::new(CallShared::new(
            operation,
            pipeline.max_response_bytes,
            streams_body,
        ));
        let result = CALL
            .scope(call.clone(), self.send_until_final(&call, subject, attempt))
            .instrument(span.clone())
            .await;
        let status = match &result {
            Ok(status) => Some(*status),
            Err(error) => error.status().map(|s| s.as_u16()),
        };
        if let Some(status) = status {
            span.record("status", status);
        }
        span.record("attempts", call.attempts.load(Ordering::Relaxed));
        span.record("duration_ms", call.started.elapsed().as_millis() as u64);
        span.in_scope(|| match &result {
            Ok(_) => tracing::debug!("call succeeded"),
            Err(error) => tracing::debug!(%error, "call failed"),
        });
        result.map(|_| ())
    }

    /// The one loop of a call: each attempt gets its bearer token here
    /// (an auth failure stays typed), is sent once, and a failure is judged
    /// once by the retry rule: a 401 fetches one new token, a resend pauses
    /// within the policy's bounds, a create the server may have acted on is
    /// read first. `Ok` is the status of the answer the attempt kept.
    async fn send_until_final<'c>(
        &self,
        call: &CallShared,
        subject: &Subject,
        attempt: &mut (dyn Attempt<'c> + 'c),
    ) -> Result<u16> {
        let shared = self.shared();
        let operation = call.operation;
        let mut refreshed = false;
        loop {
            let bearer = match operation.authenticated {
                true => Some(shared.auth.header().await?),
                false => None,
            };
            call.set_bearer(bearer.clone());
            let Failed { failure, error } = match attempt.send(self, call, subject).await {
                Ok(status) => return Ok(status),
                Err(failed) => failed,
            };
            let Some(failure) = failure else {
                return Err(error);
            };
            if failure == Failure::Status(401) && operation.authenticated {
                // One new token, sent without a pause; a second 401 stands.
                let used = bearer
                    .as_ref()
                    .map_or_else(|| SecretString::new(""), bearer_token);
                if refreshed || !shared.auth.reject(&used) {
                    return Err(error);
                }
                refreshed = true;
                tracing::debug!(
                    operation = operation.id.as_str(),
                    "the API refused the token; fetching a new one"
                );
                continue;
            }
            let (error, server_pause) = match verdict(operation, failure) {
                Verdict::Final => return Err(error),
                Verdict::Resend => {
                    let pause = match &error {
                        Error::Api(api) => api.retry_after,
                        _ => None,
                    };
                    (error, pause)
                }
                Verdict::ReadFirst => {
                    match create_checks::resend_after_read(self, subject, &error).await {
                        create_checks::AfterRead::Resend { retry_after } => {
                            (error.cleared_by_read(), retry_after)
                        }
                        create_checks::AfterRead::Keep => return Err(error),
                        create_checks::AfterRead::Replace(other) => return Err(other),
                    }
                }
            };
            if !call.pause_before_resend(&shared.retry, server_pause).await {
                return Err(error);
            }
        }
    }

    /// The crate's error for a failed attempt, with the client's own
    /// secrets and the request's secret fields removed from whatever the
    /// server sent back.
    async fn translate<E: ErrorBody>(
        &self,
        call: &CallShared,
        subject: &Subject,
        error: progenitor_client::Error<E>,
    ) -> Error {
        let secrets = self.shared().auth.secrets();
        let secrets: Vec<&str> = secrets
            .iter()
            .chain(subject.sent_secrets())
            .map(|s| s.expose_secret())
            .collect();
        translate::translate(call, error, &secrets).await
    }

    /// The whole text of a text answer, within the client's cap.
    pub(crate) async fn read_text(
        &self,
        operation: &'static Operation,
        value: ResponseValue<ByteStream>,
    ) -> Result<String> {
        body::read_text(operation, value, self.shared().max_response_bytes).await
    }

    /// The organization's activity log as CSV, one line at a time (the
    /// header line first), for logs that outgrow
    /// [`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes).
    /// Each line is capped at [`MAX_CSV_LINE_BYTES`](body::MAX_CSV_LINE_BYTES).
    /// Any Administration API credential may call it.
    pub async fn get_csv_lines(&self) -> Result<body::Lines<'static>> {
        let operation = crate::operation::OperationId::GetCsv.operation();
        let subject = Subject::new(operation, &[], None::<&()>);
        let inner = self.api.get_csv();
        let value = self
            .call(operation, true, subject, inner, |inner| inner.send())
            .await?;
        Ok(body::lines(operation, value))
    }
}
