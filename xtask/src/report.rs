//! The reports of `check-spec` and `update-spec`: data for `--json`, and
//! grouped text for people.

use crate::drift::{Drift, FieldChange, OperationRef};
use serde::Serialize;
use std::fmt::Write as _;

/// A correction that found nothing to correct in the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetiredCorrection {
    /// The correction's id.
    pub id: String,
    /// The defect it works around.
    pub defect: String,
}

/// What `check-spec` found.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// The vendored document ("what we have").
    pub vendored: String,
    /// The source ("the new").
    pub source: String,
    /// True when the documents differ in facts (after corrections).
    pub drift_found: bool,
    /// The differences, from the vendored document to the source.
    pub drift: Drift,
    /// Corrections that found nothing to correct in the source (informational).
    pub corrections_no_longer_needed: Vec<RetiredCorrection>,
}

impl CheckReport {
    /// The process exit code: 0 without drift, 1 with drift.
    pub fn exit_code(&self) -> i32 {
        i32::from(self.drift_found)
    }
}

/// What `update-spec` did or, with `--dry-run`, would do.
#[derive(Debug, Clone, Serialize)]
pub struct UpdateReport {
    /// The vendored document that is refreshed.
    pub vendored: String,
    /// The source.
    pub source: String,
    /// True with `--dry-run`: nothing is written.
    pub dry_run: bool,
    /// True when the new file differs from the old one in any byte.
    pub file_changed: bool,
    /// True when the file was written.
    pub written: bool,
    /// The changes of facts, from the vendored document to the new one
    /// (uncorrected: what changes in the file).
    pub changes: Drift,
    /// Items new in the source that have no prose yet.
    pub needs_prose: Vec<String>,
    /// Corrections that found nothing to correct in the source (informational).
    pub corrections_no_longer_needed: Vec<RetiredCorrection>,
}

/// One line counting the differences.
pub fn summary(drift: &Drift) -> String {
    let mut line = format!(
        "operations: {} added, {} removed, {} changed; schemas: {} added, {} removed, {} changed",
        drift.operations.added.len(),
        drift.operations.removed.len(),
        drift.operations.changed.len(),
        drift.schemas.added.len(),
        drift.schemas.removed.len(),
        drift.schemas.changed.len(),
    );
    if !drift.other.is_empty() {
        let _ = write!(line, "; other: {} changed", drift.other.len());
    }
    line
}

/// The text report of `check-spec`.
pub fn render_check(report: &CheckReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "check-spec: {} (vendored) against {} (source), both corrected",
        report.vendored, report.source
    );
    if report.drift_found {
        let _ = writeln!(out, "drift: {}", summary(&report.drift));
        render_drift(&report.drift, &mut out);
    } else {
        let _ = writeln!(out, "no drift");
    }
    render_retired(&report.corrections_no_longer_needed, &mut out);
    out
}

/// The text report of `update-spec`.
pub fn render_update(report: &UpdateReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "update-spec: {} from {}",
        report.vendored, report.source
    );
    if report.changes.is_empty() {
        let _ = writeln!(out, "no changes of facts");
    } else {
        let _ = writeln!(out, "changes: {}", summary(&report.changes));
        render_drift(&report.changes, &mut out);
    }
    if !report.needs_prose.is_empty() {
        let _ = writeln!(
            out,
            "\nNeeds prose ({}), new in the source, written without a description:",
            report.needs_prose.len()
        );
        for item in &report.needs_prose {
            let _ = writeln!(out, "  needs prose: {item}");
        }
    }
    render_retired(&report.corrections_no_longer_needed, &mut out);
    let outcome = match (report.file_changed, report.dry_run, report.written) {
        (false, _, _) => format!("{} is up to date; nothing to write", report.vendored),
        (true, true, _) => format!("dry run: {} would be rewritten", report.vendored),
        (true, false, true) => format!("wrote {}", report.vendored),
        (true, false, false) => format!("{} was not written", report.vendored),
    };
    let _ = writeln!(out, "\n{outcome}");
    out
}

fn render_retired(retired: &[crate::report::RetiredCorrection], out: &mut String) {
    if retired.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nCorrections that found nothing to correct in the source ({}), candidates for retirement:",
        retired.len()
    );
    for correction in retired {
        let _ = writeln!(
            out,
            "  no longer needed: {} — {}",
            correction.id, correction.defect
        );
    }
}

fn operation_label(op: &OperationRef) -> String {
    match &op.operation_id {
        Some(id) => format!("{} {}  [{id}]", op.method, op.path),
        None => format!("{} {}", op.method, op.path),
    }
}

/// The grouped text of a [`Drift`].
pub fn render_drift(drift: &Drift, out: &mut String) {
    let ops = &drift.operations;
    if !ops.added.is_empty() {
        let _ = writeln!(out, "\nOperations added ({}):", ops.added.len());
        for op in &ops.added {
            let _ = writeln!(out, "  + {}", operation_label(op));
        }
    }
    if !ops.removed.is_empty() {
        let _ = writeln!(out, "\nOperations removed ({}):", ops.removed.len());
        for op in &ops.removed {
            let _ = writeln!(out, "  - {}", operation_label(op));
        }
    }
    if !ops.changed.is_empty() {
        let _ = writeln!(out, "\nOperations changed ({}):", ops.changed.len());
        for change in &ops.changed {
            let label = operation_label(&OperationRef {
                method: change.method.clone(),
                path: change.path.clone(),
                operation_id: change.operation_id.clone(),
            });
            let _ = writeln!(out, "  ~ {label}");
            if let Some(previous) = &change.previous_operation_id {
                let now = change.operation_id.as_deref().unwrap_or("(none)");
                let _ = writeln!(out, "      operationId: {previous} → {now}");
            }
            for attribute in &change.attributes {
                let _ = writeln!(
                    out,
                    "      {}: {} → {}",
                    attribute.attribute, attribute.before, attribute.after
                );
            }
            if !change.status_codes_added.is_empty() {
                let _ = writeln!(
                    out,
                    "      status codes added: {}",
                    change.status_codes_added.join(", ")
                );
            }
            if !change.status_codes_removed.is_empty() {
                let _ = writeln!(
                    out,
                    "      status codes removed: {}",
                    change.status_codes_removed.join(", ")
                );
            }
            render_fields("parameters", &change.parameters, out);
            render_fields("request body", &change.request_body, out);
            for response in &change.responses {
                render_fields(
                    &format!("response {}", response.status),
                    &response.changes,
                    out,
                );
            }
        }
    }
    let schemas = &drift.schemas;
    if !schemas.added.is_empty() {
        let _ = writeln!(out, "\nSchemas added ({}):", schemas.added.len());
        for name in &schemas.added {
            let _ = writeln!(out, "  + {name}");
        }
    }
    if !schemas.removed.is_empty() {
        let _ = writeln!(out, "\nSchemas removed ({}):", schemas.removed.len());
        for name in &schemas.removed {
            let _ = writeln!(out, "  - {name}");
        }
    }
    if !schemas.changed.is_empty() {
        let _ = writeln!(out, "\nSchemas changed ({}):", schemas.changed.len());
        for change in &schemas.changed {
            let _ = writeln!(out, "  ~ {}", change.name);
            for field in &change.changes {
                let _ = writeln!(out, "      {}", field_line(field));
            }
        }
    }
    if !drift.other.is_empty() {
        let _ = writeln!(out, "\nOther changes ({}):", drift.other.len());
        for change in &drift.other {
            let _ = writeln!(
                out,
                "  ~ {}: {} → {}",
                change.attribute, change.before, change.after
            );
        }
    }
}

fn render_fields(title: &str, changes: &[FieldChange], out: &mut String) {
    if changes.is_empty() {
        return;
    }
    let _ = writeln!(out, "      {title}:");
    for change in changes {
        let _ = writeln!(out, "        {}", field_line(change));
    }
}

fn required_suffix(required: Option<bool>) -> &'static str {
    match required {
        Some(true) => ", required",
        Some(false) => ", optional",
        None => "",
    }
}

/// One change of a field, as a line of text.
pub fn field_line(change: &FieldChange) -> String {
    match change {
        FieldChange::Added {
            field,
            ty,
            required,
        } => format!("+ {field}: {ty}{}", required_suffix(*required)),
        FieldChange::Removed {
            field,
            ty,
            required,
        } => format!("- {field}: {ty}{}", required_suffix(*required)),
        FieldChange::TypeChanged {
            field,
            before,
            after,
        } => format!("~ {field}: type {before} → {after}"),
        FieldChange::RequiredChanged { field, after, .. } => {
            format!(
                "~ {field}: now {}",
                if *after { "required" } else { "optional" }
            )
        }
        FieldChange::EnumValuesAdded { field, values } => {
            format!("~ {field}: enum values added: {}", values.join(", "))
        }
        FieldChange::EnumValuesRemoved { field, values } => {
            format!("~ {field}: enum values removed: {}", values.join(", "))
        }
    }
}
