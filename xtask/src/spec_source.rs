//! Reading an OpenAPI document from a URL or a file, and checking that it is
//! a document the SDK's generator can use.

use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where Camunda publishes the Administration API document.
pub const DEFAULT_SOURCE_URL: &str =
    "https://console.cloud.camunda.io/customer-api/openapi/swagger.json";

/// Largest document accepted from the network or a file (the real one is
/// about 100 KiB).
pub const MAX_DOCUMENT_BYTES: u64 = 32 * 1024 * 1024;

/// A place to read an OpenAPI document from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// An `http://` or `https://` URL.
    Url(String),
    /// A file on disk.
    File(PathBuf),
}

impl Source {
    /// Interpret a command-line argument: URLs start with `http://` or
    /// `https://`, everything else is a file path (`file://` is stripped).
    pub fn parse(arg: &str) -> Source {
        if arg.starts_with("http://") || arg.starts_with("https://") {
            Source::Url(arg.to_owned())
        } else {
            Source::File(PathBuf::from(arg.strip_prefix("file://").unwrap_or(arg)))
        }
    }
}

impl Default for Source {
    fn default() -> Self {
        Source::Url(DEFAULT_SOURCE_URL.to_owned())
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Url(url) => f.write_str(url),
            Source::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// Network limits for downloading a document.
#[derive(Debug, Clone, Copy)]
pub struct FetchOptions {
    /// Time allowed to establish the connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// Time allowed for the whole download, a slow body included.
    pub timeout: Duration,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
        }
    }
}

/// Why a document could not be used.
#[derive(Debug)]
pub enum SpecError {
    /// The file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The request failed: no connection, a timeout, a TLS error, ...
    Http {
        /// The URL.
        url: String,
        /// What went wrong, with its causes.
        message: String,
    },
    /// The server answered with a status other than 200.
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
        /// The start of the answer's body, for diagnosis.
        body_start: String,
    },
    /// The file or the body is larger than [`MAX_DOCUMENT_BYTES`].
    TooLarge {
        /// Where the document came from.
        origin: String,
    },
    /// The download took longer than its deadline.
    TimedOut {
        /// The URL.
        url: String,
        /// The deadline.
        after: Duration,
    },
    /// The body is YAML that does not parse.
    NotYaml {
        /// Where the document came from.
        origin: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// The body is not JSON.
    NotJson {
        /// Where the document came from.
        origin: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// The JSON is not an OpenAPI 3.0.x document the generator accepts.
    Invalid {
        /// Where the document came from.
        origin: String,
        /// What is wrong.
        message: String,
    },
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpecError::Io { path, source } => write!(f, "cannot read {}: {source}", path.display()),
            SpecError::Http { url, message } => write!(f, "cannot download {url}: {message}"),
            SpecError::Status {
                url,
                status,
                body_start,
            } => {
                write!(f, "{url} answered HTTP {status} instead of 200")?;
                if !body_start.is_empty() {
                    write!(f, ": {body_start}")?;
                }
                Ok(())
            }
            SpecError::TooLarge { origin } => {
                write!(f, "{origin} is larger than {MAX_DOCUMENT_BYTES} bytes")
            }
            SpecError::TimedOut { url, after } => {
                write!(
                    f,
                    "cannot download {url}: no complete answer within {after:?}"
                )
            }
            SpecError::NotYaml { origin, message } => write!(f, "{origin} is not YAML: {message}"),
            SpecError::NotJson { origin, message } => write!(f, "{origin} is not JSON: {message}"),
            SpecError::Invalid { origin, message } => write!(
                f,
                "{origin} is not a usable OpenAPI 3.0 document: {message}"
            ),
        }
    }
}

impl std::error::Error for SpecError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SpecError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Read, parse and validate the document at `source`.
pub fn load(source: &Source, options: &FetchOptions) -> Result<Value, SpecError> {
    let bytes = match source {
        Source::File(path) => read_capped(path)?,
        Source::Url(url) => download(url, options)?,
    };
    let origin = source.to_string();
    let doc = parse(&bytes, &origin)?;
    validate(&doc, &origin)?;
    Ok(doc)
}

/// Read a file of at most [`MAX_DOCUMENT_BYTES`].
pub fn read_capped(path: &Path) -> Result<Vec<u8>, SpecError> {
    let io = |e| SpecError::Io {
        path: path.to_owned(),
        source: e,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(MAX_DOCUMENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(SpecError::TooLarge {
            origin: path.display().to_string(),
        });
    }
    Ok(bytes)
}

/// Download `url`; only a 200 answer is accepted. The whole download, a
/// slow body included, must end within `options.timeout`: the request runs
/// on a thread of its own that is abandoned at the deadline.
pub fn download(url: &str, options: &FetchOptions) -> Result<Vec<u8>, SpecError> {
    let (sender, receiver) = std::sync::mpsc::channel();
    let (owned_url, owned_options) = (url.to_owned(), *options);
    std::thread::spawn(move || {
        // The receiver is gone after the deadline; the result is dropped.
        let _ = sender.send(download_now(&owned_url, &owned_options));
    });
    match receiver.recv_timeout(options.timeout) {
        Ok(result) => result,
        Err(_) => Err(SpecError::TimedOut {
            url: url.to_owned(),
            after: options.timeout,
        }),
    }
}

fn download_now(url: &str, options: &FetchOptions) -> Result<Vec<u8>, SpecError> {
    let http_error = |e: reqwest::Error| SpecError::Http {
        url: url.to_owned(),
        message: error_chain(&e),
    };
    let client = reqwest::blocking::Client::builder()
        .connect_timeout(options.connect_timeout)
        .timeout(options.timeout)
        .user_agent(concat!("camunda-admin-xtask/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(http_error)?;
    let response = client
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .map_err(http_error)?;
    let status = response.status().as_u16();
    let mut body = Vec::new();
    let read = response.take(MAX_DOCUMENT_BYTES + 1).read_to_end(&mut body);
    if status != 200 {
        let text = String::from_utf8_lossy(&body);
        let body_start: String = text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(200)
            .collect();
        return Err(SpecError::Status {
            url: url.to_owned(),
            status,
            body_start,
        });
    }
    read.map_err(|e| SpecError::Http {
        url: url.to_owned(),
        message: format!("reading the body failed: {}", error_chain(&e)),
    })?;
    if body.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(SpecError::TooLarge {
            origin: url.to_owned(),
        });
    }
    Ok(body)
}

/// An error and its causes on one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let text = inner.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        cause = inner.source();
    }
    message
}

/// Parse a JSON or YAML document (JSON when it starts with `{` or `[`);
/// `origin` names the document in errors, which give line and column.
pub fn parse(bytes: &[u8], origin: &str) -> Result<Value, SpecError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if matches!(first, Some(b'{' | b'[')) {
        return serde_json::from_slice(bytes).map_err(|e| SpecError::NotJson {
            origin: origin.to_owned(),
            message: e.to_string(),
        });
    }
    serde_saphyr::from_slice_with_options::<Value>(bytes, yaml_options()).map_err(|e| {
        SpecError::NotYaml {
            origin: origin.to_owned(),
            message: e.to_string(),
        }
    })
}

/// The YAML reader's limits. Its default node and event budgets (250k
/// nodes) refuse documents with about 40k schemas, far below what
/// [`MAX_DOCUMENT_BYTES`] admits; a node or an event takes at least a byte,
/// so budgets of one node per byte and two events per byte never refuse a
/// document the size cap admits. Depth, alias and anchor limits stay, and
/// a breach names the count it exceeded. Errors are one line: no snippet.
fn yaml_options() -> serde_saphyr::Options {
    let cap = usize::try_from(MAX_DOCUMENT_BYTES).unwrap_or(usize::MAX);
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = budget.max_nodes.max(cap);
    budget.max_events = budget.max_events.max(cap.saturating_mul(2));
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.with_snippet = false;
    options
}

/// Check what the generator needs: an OpenAPI 3.0.x object (not 3.1, not
/// Swagger 2), a `paths` object, and a unique `operationId` on every
/// operation.
pub fn validate(doc: &Value, origin: &str) -> Result<(), SpecError> {
    let invalid = |message: String| SpecError::Invalid {
        origin: origin.to_owned(),
        message,
    };
    let Some(root) = doc.as_object() else {
        return Err(invalid("the top level is not a JSON object".into()));
    };
    if let Some(version) = root.get("swagger") {
        return Err(invalid(format!(
            "it is Swagger {} (OpenAPI 2); OpenAPI 3.0.x is required",
            scalar(version)
        )));
    }
    let version = match root.get("openapi") {
        Some(Value::String(version)) => version,
        Some(other) => {
            return Err(invalid(format!(
                "`openapi` is {other}, not a version string"
            )))
        }
        None => return Err(invalid("there is no `openapi` version field".into())),
    };
    if !version.starts_with("3.0.") {
        return Err(invalid(format!(
            "OpenAPI {version} is not supported; OpenAPI 3.0.x is required"
        )));
    }
    let Some(paths) = root.get("paths").and_then(Value::as_object) else {
        return Err(invalid("there is no `paths` object".into()));
    };
    let mut missing = Vec::new();
    let mut seen: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            if !crate::corrections::HTTP_METHODS.contains(&method.as_str()) {
                continue;
            }
            let place = format!("{} {path}", method.to_uppercase());
            match op
                .get("operationId")
                .and_then(Value::as_str)
                .filter(|id| !id.trim().is_empty())
            {
                Some(id) => seen.entry(id).or_default().push(place),
                None => missing.push(place),
            }
        }
    }
    if !missing.is_empty() {
        return Err(invalid(format!(
            "{} operation(s) lack an operationId: {}",
            missing.len(),
            missing.join(", ")
        )));
    }
    let duplicates: Vec<String> = seen
        .iter()
        .filter(|(_, places)| places.len() > 1)
        .map(|(id, places)| format!("{id} ({})", places.join(", ")))
        .collect();
    if !duplicates.is_empty() {
        return Err(invalid(format!(
            "duplicate operationIds: {}",
            duplicates.join("; ")
        )));
    }
    Ok(())
}

fn scalar(value: &Value) -> String {
    value
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| value.to_string())
}

/// Read and parse a local document without validation (the vendored one).
pub fn read_file(path: &Path) -> Result<Value, SpecError> {
    let bytes = read_capped(path)?;
    parse(&bytes, &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn urls_and_files_are_told_apart() {
        assert_eq!(
            Source::parse("https://x.test/a.json"),
            Source::Url("https://x.test/a.json".into())
        );
        assert_eq!(
            Source::parse("http://127.0.0.1:1/a"),
            Source::Url("http://127.0.0.1:1/a".into())
        );
        assert_eq!(Source::parse("../a.json"), Source::File("../a.json".into()));
        assert_eq!(
            Source::parse("file:///tmp/a.json"),
            Source::File("/tmp/a.json".into())
        );
        assert_eq!(Source::default(), Source::Url(DEFAULT_SOURCE_URL.into()));
    }

    #[test]
    fn validation_names_what_is_wrong() {
        let ok = json!({ "openapi": "3.0.3", "paths": { "/a": { "get": { "operationId": "A" }, "parameters": [] } } });
        assert!(validate(&ok, "t").is_ok());
        let message = |doc: Value| validate(&doc, "t").unwrap_err().to_string();
        assert!(message(json!([])).contains("not a JSON object"));
        assert!(message(json!({ "paths": {} })).contains("no `openapi`"));
        assert!(
            message(json!({ "openapi": "3.1.0", "paths": {} })).contains("3.1.0 is not supported")
        );
        assert!(message(json!({ "swagger": "2.0", "paths": {} })).contains("Swagger 2.0"));
        assert!(message(json!({ "openapi": "3.0.0" })).contains("no `paths`"));
        let duplicate = json!({ "openapi": "3.0.0", "paths": {
            "/a": { "get": { "operationId": "A" } }, "/b": { "get": { "operationId": "A" } } } });
        assert!(message(duplicate).contains("duplicate operationIds: A (GET /a, GET /b)"));
    }

    #[test]
    fn a_missing_file_is_an_io_error() {
        let error = load(
            &Source::File("/nonexistent/xtask/doc.json".into()),
            &FetchOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(error, SpecError::Io { .. }), "{error:?}");
    }

    #[test]
    fn yaml_documents_are_read_and_bad_yaml_is_located() {
        let yaml = b"openapi: 3.0.0\npaths:\n  /a:\n    get:\n      operationId: A\n      responses:\n        '200':\n          description: ok\n";
        let doc = parse(yaml, "a.yaml").unwrap();
        assert_eq!(doc.pointer("/paths/~1a/get/operationId"), Some(&json!("A")));
        assert!(
            doc.pointer("/paths/~1a/get/responses/200").is_some(),
            "status keys are strings"
        );
        let error = parse(b"openapi: 3.0.0\npaths: [\n", "b.yaml").unwrap_err();
        assert!(matches!(error, SpecError::NotYaml { .. }), "{error:?}");
        assert!(error.to_string().contains("line"), "{error}");
        let error = parse(b"{\n  \"openapi\": }", "c.json").unwrap_err();
        assert!(error.to_string().contains("line 2 column"), "{error}");
    }

    #[test]
    fn yaml_is_not_refused_for_a_node_count_the_size_cap_admits() {
        // 300k nodes: beyond serde-saphyr's default budget (250k), which
        // refused documents of about 40k schemas.
        let yaml = format!(
            "openapi: 3.0.0\npaths: {{}}\nx: [{}1]\n",
            "1,".repeat(300_000)
        );
        let doc = parse(yaml.as_bytes(), "big.yaml").unwrap();
        assert_eq!(doc["x"].as_array().map(Vec::len), Some(300_001));
    }

    #[test]
    fn a_file_above_the_cap_is_refused_without_reading_it_all() {
        let path =
            std::env::temp_dir().join(format!("xtask-too-large-{}.json", std::process::id()));
        let file = std::fs::File::create(&path).unwrap();
        // A sparse file: large, but nothing written.
        file.set_len(MAX_DOCUMENT_BYTES + 10).unwrap();
        let error = read_file(&path).unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert!(matches!(error, SpecError::TooLarge { .. }), "{error:?}");
    }
}
