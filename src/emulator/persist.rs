//! The state file on disk: read once at start (refused with a typed error
//! naming the file and the problem, never half-used), and written
//! atomically (see `writer.rs` for when).
//!
//! The file holds secrets (the admin credential, connector secret values,
//! issued tokens), so it is created 0600 and kept only in a folder others
//! cannot write; nothing of its content reaches a log or an error.

use std::{
    io::{Read, Write},
    path::{Path, PathBuf},
};

use serde_json::Value;
use tokio::sync::Notify;

use super::{
    config::{EmulatorError, StateFileError},
    state::{StateFile, FORMAT, VERSION},
};

/// The largest state file read; a larger one is refused, not truncated.
pub(crate) const MAX_STATE_BYTES: u64 = 64 * 1024 * 1024;

/// Where the state is kept, and the news that it changed.
#[derive(Debug)]
pub(crate) struct Store {
    pub(crate) path: PathBuf,
    dirty: Notify,
}

impl Store {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self {
            path,
            dirty: Notify::new(),
        }
    }

    /// Note a change: the writer writes the state as it is when it gets to
    /// it, so many changes in a row make one write, and the last one is
    /// always written.
    pub(crate) fn changed(&self) {
        self.dirty.notify_one();
    }

    /// Until the next change (at once if one came since the last wait).
    pub(crate) async fn next_change(&self) {
        self.dirty.notified().await;
    }
}

fn error(path: &Path, problem: StateFileError) -> EmulatorError {
    EmulatorError::StateFile {
        path: path.to_owned(),
        problem,
    }
}

/// The error of a file whose content does not make sense.
pub(crate) fn invalid(path: &Path, problem: String) -> EmulatorError {
    error(path, StateFileError::Invalid(problem))
}

/// The file at `path`, checked; `None` if it does not exist and
/// `missing_ok`.
pub(crate) fn read(path: &Path, missing_ok: bool) -> Result<Option<StateFile>, EmulatorError> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && missing_ok => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(error(path, StateFileError::Missing))
        }
        Err(e) => return Err(error(path, StateFileError::Read(e))),
    };
    let meta = file
        .metadata()
        .map_err(|e| error(path, StateFileError::Read(e)))?;
    if !meta.is_file() {
        return Err(error(path, StateFileError::NotAFile));
    }
    let too_large = || {
        error(
            path,
            StateFileError::TooLarge {
                max: MAX_STATE_BYTES,
            },
        )
    };
    if meta.len() > MAX_STATE_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    file.take(MAX_STATE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| error(path, StateFileError::Read(e)))?;
    if bytes.len() as u64 > MAX_STATE_BYTES {
        return Err(too_large());
    }
    parse(&bytes)
        .map(Some)
        .map_err(|problem| error(path, problem))
}

/// A state file's text, checked: JSON, the format, the version, then the
/// fields.
pub(crate) fn parse(bytes: &[u8]) -> Result<StateFile, StateFileError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| StateFileError::NotJson(scrub(&e.to_string())))?;
    if value.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(StateFileError::UnknownFormat);
    }
    match value.get("version") {
        Some(v) if v.as_u64() == Some(VERSION) => {}
        other => {
            let mut shown = other.map_or("none".to_owned(), Value::to_string);
            shown.truncate(40);
            return Err(StateFileError::UnsupportedVersion(shown));
        }
    }
    serde_json::from_value(value).map_err(|e| StateFileError::Invalid(scrub(&e.to_string())))
}

/// A serde message without the values it quotes (`invalid type: string
/// "..."`): a misplaced secret must not reach an error. Field names, which
/// serde quotes with backticks, stay.
fn scrub(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        if c == '"' {
            if !quoted {
                out.push_str("\"…\"");
            }
            quoted = !quoted;
        } else if !quoted {
            out.push(c);
        }
    }
    out
}

/// The folder of `path`, as written to.
fn folder(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Refuse a state file in a folder that others can write: they could swap
/// the file for theirs, or read it in the moment it is replaced.
pub(crate) fn check_folder(path: &Path) -> Result<(), EmulatorError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = folder(path);
        let meta = std::fs::metadata(dir).map_err(|e| error(path, StateFileError::Write(e)))?;
        if meta.permissions().mode() & 0o022 != 0 {
            return Err(error(path, StateFileError::UnsafeFolder(dir.to_owned())));
        }
    }
    Ok(())
}

/// Write `state` to `path` atomically: a new file (0600) in the same
/// folder, flushed to disk, renamed over the old one; a reader sees the
/// old state or the new, never a part.
pub(crate) fn write(path: &Path, state: &StateFile) -> std::io::Result<()> {
    let dir = folder(path);
    let mut file = tempfile::Builder::new()
        .prefix(".camunda-admin-emulator-state-")
        .tempfile_in(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    serde_json::to_writer_pretty(&mut file, state)?;
    file.write_all(b"\n")?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    // The rename itself is on disk once the folder is.
    #[cfg(unix)]
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_are_scrubbed_from_messages() {
        assert_eq!(
            scrub("invalid type: string \"s3cr3t\", expected a boolean at line 3"),
            "invalid type: string \"…\", expected a boolean at line 3"
        );
        assert_eq!(scrub("unknown field `x`"), "unknown field `x`");
    }

    #[test]
    fn format_and_version_are_checked_before_the_fields() {
        assert!(matches!(
            parse(b"{\"format\": \"other\", \"version\": 1}"),
            Err(StateFileError::UnknownFormat)
        ));
        let v2 = format!("{{\"format\": \"{FORMAT}\", \"version\": 2}}");
        assert!(matches!(
            parse(v2.as_bytes()),
            Err(StateFileError::UnsupportedVersion(v)) if v == "2"
        ));
        let bad = format!("{{\"format\": \"{FORMAT}\", \"version\": 1, \"orgId\": 5}}");
        assert!(matches!(
            parse(bad.as_bytes()),
            Err(StateFileError::Invalid(_))
        ));
        assert!(matches!(
            parse(b"\x00garbage"),
            Err(StateFileError::NotJson(_))
        ));
    }
}
