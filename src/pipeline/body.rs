//! Bounded reads: no answer can make the client buffer more than a cap.
//!
//! Successful bodies are wrapped in a length limit before progenitor reads
//! them (it reads whole bodies into memory); error bodies are read up to a
//! few KiB; the activity log can be read line by line with a cap per line.

use std::pin::Pin;

use futures_util::{Stream, StreamExt};
use progenitor_client::{ByteStream, ResponseValue};

use crate::{error::Error, operation::Operation};

/// Default cap of a successful API answer (JSON or CSV).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// Cap of one line of the activity log read as a stream.
pub const MAX_CSV_LINE_BYTES: usize = 1024 * 1024;

/// How much of an error body is read.
const ERROR_BODY_BYTES: usize = 8 * 1024;

/// `response` with a body that fails once more than `limit` bytes arrive.
pub(crate) fn limit_body(response: reqwest::Response, limit: usize) -> reqwest::Response {
    let (parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
    let body = reqwest::Body::wrap(http_body_util::Limited::new(body, limit));
    reqwest::Response::from(http::Response::from_parts(parts, body))
}

/// Whether `error` (or one of its sources) is the length limit's.
pub(crate) fn is_length_limit(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        current = e.source();
    }
    false
}

/// The start of an error body: a few KiB, the rest is not worth the wait.
pub(crate) async fn read_error_body(stream: ByteStream) -> String {
    let mut stream = stream.into_inner();
    let mut buf = Vec::new();
    while let Some(Ok(chunk)) = stream.next().await {
        buf.extend_from_slice(&chunk);
        if buf.len() >= ERROR_BODY_BYTES {
            buf.truncate(ERROR_BODY_BYTES);
            break;
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// The whole body of a text answer (the activity CSV), within `limit`.
pub(crate) async fn read_text(
    operation: &'static Operation,
    value: ResponseValue<ByteStream>,
    limit: usize,
) -> Result<String, Error> {
    let status = Some(value.status().as_u16());
    let mut stream = value.into_inner().into_inner();
    let mut buf = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|source| body_error(operation, source, limit))?;
        if buf.len() + chunk.len() > limit {
            return Err(too_large(operation, limit));
        }
        buf.extend_from_slice(&chunk);
    }
    String::from_utf8(buf).map_err(|e| not_utf8(operation, status, e.utf8_error().valid_up_to()))
}

/// A failed body read: the cap, or the connection.
pub(crate) fn body_error(
    operation: &'static Operation,
    source: reqwest::Error,
    limit: usize,
) -> Error {
    if is_length_limit(&source) {
        too_large(operation, limit)
    } else {
        Error::Transport {
            operation: operation.id,
            source,
        }
    }
}

pub(crate) fn too_large(operation: &'static Operation, limit: usize) -> Error {
    Error::BodyTooLarge {
        operation: operation.id,
        limit,
    }
}

fn not_utf8(operation: &'static Operation, status: Option<u16>, at: usize) -> Error {
    Error::Decode {
        operation: operation.id,
        status,
        reason: format!("the text is not UTF-8 (at byte {at})"),
    }
}

/// A stream of text lines, line breaks removed.
pub type Lines<'a> = Pin<Box<dyn Stream<Item = Result<String, Error>> + Send + 'a>>;

/// The lines of a text answer; a line longer than [`MAX_CSV_LINE_BYTES`]
/// ends the stream with [`Error::BodyTooLarge`].
pub(crate) fn lines(
    operation: &'static Operation,
    value: ResponseValue<ByteStream>,
) -> Lines<'static> {
    let status = Some(value.status().as_u16());
    let state = LineReader {
        stream: value.into_inner().into_inner(),
        buffer: Vec::new(),
        done: false,
    };
    Box::pin(futures_util::stream::unfold(
        state,
        move |mut reader| async move {
            let line = reader.next_line(operation, status).await?;
            Some((line, reader))
        },
    ))
}

struct LineReader {
    stream: Pin<Box<dyn Stream<Item = reqwest::Result<bytes::Bytes>> + Send + Sync>>,
    buffer: Vec<u8>,
    done: bool,
}

impl LineReader {
    /// The next line, `None` at the end; after an error, the end.
    async fn next_line(
        &mut self,
        operation: &'static Operation,
        status: Option<u16>,
    ) -> Option<Result<String, Error>> {
        loop {
            if let Some(end) = self.buffer.iter().position(|b| *b == b'\n') {
                let mut line: Vec<u8> = self.buffer.drain(..=end).collect();
                line.pop();
                return Some(self.text(operation, status, line));
            }
            if self.done {
                return None;
            }
            if self.buffer.len() > MAX_CSV_LINE_BYTES {
                self.done = true;
                self.buffer.clear();
                return Some(Err(too_large(operation, MAX_CSV_LINE_BYTES)));
            }
            match self.stream.next().await {
                Some(Ok(chunk)) => self.buffer.extend_from_slice(&chunk),
                Some(Err(source)) => {
                    self.done = true;
                    return Some(Err(body_error(operation, source, MAX_CSV_LINE_BYTES)));
                }
                None => {
                    self.done = true;
                    if self.buffer.is_empty() {
                        return None;
                    }
                    let line = std::mem::take(&mut self.buffer);
                    return Some(self.text(operation, status, line));
                }
            }
        }
    }

    fn text(
        &mut self,
        operation: &'static Operation,
        status: Option<u16>,
        mut line: Vec<u8>,
    ) -> Result<String, Error> {
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        String::from_utf8(line).map_err(|e| {
            self.done = true;
            not_utf8(operation, status, e.utf8_error().valid_up_to())
        })
    }
}
