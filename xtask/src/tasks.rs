//! The two tasks as library functions: [`check_spec`] and [`update_spec`].

use crate::report::{self, CheckReport, UpdateReport};
use crate::spec_source::{self, FetchOptions, Source, SpecError};
use crate::{drift, hidden, json_format, prose};
use camunda_admin_codegen::{corrections, requirements};
use serde_json::{Map, Value};
use std::fmt;
use std::path::{Path, PathBuf};

/// The vendored document of the workspace this xtask belongs to.
pub fn default_vendored_path() -> PathBuf {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = xtask
        .parent()
        .map_or_else(|| xtask.join(".."), Path::to_path_buf);
    root.join("openapi").join("camunda-admin.json")
}

/// Why a task failed (exit code 2).
#[derive(Debug)]
pub enum TaskError {
    /// The source could not be read or is not a usable document.
    Source(SpecError),
    /// The vendored document could not be read or parsed.
    Vendored(SpecError),
    /// The vendored document could not be written.
    Write {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Source(e) => write!(f, "source: {e}"),
            TaskError::Vendored(e) => write!(f, "vendored document: {e}"),
            TaskError::Write { path, source } => {
                write!(f, "cannot write {}: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for TaskError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TaskError::Source(e) | TaskError::Vendored(e) => Some(e),
            TaskError::Write { source, .. } => Some(source),
        }
    }
}

/// Settings of [`check_spec`].
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The vendored document.
    pub vendored: PathBuf,
    /// The document to compare it with.
    pub source: Source,
    /// Network limits.
    pub fetch: FetchOptions,
}

/// Compare the vendored document with the source, as published: every
/// change of facts, each marked where a correction hides it from the
/// generated code; the shared shapes of the source that diverge; and the
/// corrections the source no longer needs.
pub fn check_spec(options: &CheckOptions) -> Result<CheckReport, TaskError> {
    let source = spec_source::load(&options.source, &options.fetch).map_err(TaskError::Source)?;
    let vendored = spec_source::read_file(&options.vendored).map_err(TaskError::Vendored)?;
    let mut drift = drift::compare(&vendored, &source);
    hidden::mark(&mut drift, &vendored, &source);
    Ok(CheckReport {
        vendored: options.vendored.display().to_string(),
        source: options.source.to_string(),
        drift_found: !drift.is_empty(),
        drift,
        diverging_shapes: report::diverging_shapes(&source),
        corrections_no_longer_needed: crate::corrections_no_longer_needed(&source),
    })
}

/// Settings of [`update_spec`].
#[derive(Debug, Clone)]
pub struct UpdateOptions {
    /// The vendored document to refresh.
    pub vendored: PathBuf,
    /// Where to read the new facts.
    pub source: Source,
    /// Report only; write nothing.
    pub dry_run: bool,
    /// Write even when the source lacks what the hand-written code needs.
    pub force: bool,
    /// Network limits.
    pub fetch: FetchOptions,
}

/// Refresh the vendored document from the source: the source's facts with
/// the vendored prose and `x-` extensions (see [`prose::carry_over`]), in
/// the stable form of [`json_format`], written atomically and only when a
/// byte changes. A source that lacks what the hand-written code needs
/// (see `camunda_admin_codegen::requirements`) is not written unless
/// `force` is set; the report names what it lacks.
///
/// The file keeps its current trailing-newline convention (a new file gets
/// one), so a refresh without changes leaves no diff.
pub fn update_spec(options: &UpdateOptions) -> Result<UpdateReport, TaskError> {
    let source = spec_source::load(&options.source, &options.fetch).map_err(TaskError::Source)?;
    let existing = match std::fs::read(&options.vendored) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(TaskError::Vendored(SpecError::Io {
                path: options.vendored.clone(),
                source: e,
            }))
        }
    };
    let current = match &existing {
        Some(bytes) => spec_source::parse(bytes, &options.vendored.display().to_string())
            .map_err(TaskError::Vendored)?,
        None => Value::Object(Map::new()),
    };
    // One corrected copy serves the requirements and the retired
    // corrections; it is gone before the source becomes the new document,
    // so that no more than two copies of a large document live at once.
    let (missing, retired) = {
        let mut corrected = source.clone();
        let outcomes = corrections::apply(&mut corrected);
        let missing = requirements::check(&corrected, &options.source.to_string()).err();
        (missing, crate::retired(outcomes))
    };
    let carried = prose::carry_over_owned(source, &current);
    let changes = drift::compare(&current, &carried.document);
    let refused = missing.is_some() && !options.force;

    let mut text = json_format::to_stable_string(&carried.document);
    if existing.as_ref().is_none_or(|bytes| bytes.ends_with(b"\n")) {
        text.push('\n');
    }
    let file_changed = existing.as_deref() != Some(text.as_bytes());
    let written = file_changed && !options.dry_run && !refused;
    if written {
        json_format::write_atomically(&options.vendored, text.as_bytes()).map_err(|e| {
            TaskError::Write {
                path: options.vendored.clone(),
                source: e,
            }
        })?;
    }
    Ok(UpdateReport {
        vendored: options.vendored.display().to_string(),
        source: options.source.to_string(),
        dry_run: options.dry_run,
        file_changed,
        written,
        refused,
        missing_requirements: missing.map(|m| m.to_string()),
        changes,
        needs_prose: carried.needs_prose,
        needs_scope: carried.needs_scope,
        archived: carried.archived,
        restored: carried.restored,
        corrections_no_longer_needed: retired,
    })
}
