//! The reports of `check-spec` and `update-spec`: data for `--json`, and
//! grouped text for people.

use crate::drift::{ChangeKind, Drift, FieldChange, OperationRef};
use camunda_admin_codegen::Printable;
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
    /// Inline shapes of the source that one correction merges into one
    /// type while they differ (informational).
    pub diverging_shapes: Vec<DivergingShape>,
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
    /// True when the file was not written because the source lacks what
    /// the hand-written code needs (and `--force` was not given).
    pub refused: bool,
    /// What the source lacks of what the hand-written code needs.
    pub missing_requirements: Option<String>,
    /// The changes of facts, from the vendored document to the new one
    /// (uncorrected: what changes in the file).
    pub changes: Drift,
    /// Items new in the source that have no prose yet.
    pub needs_prose: Vec<String>,
    /// Operations without an `x-camunda-scope` (the credential scope they need).
    pub needs_scope: Vec<String>,
    /// Places whose texts were archived, their subject gone from the source.
    pub archived: Vec<String>,
    /// Places whose texts came back from the archive.
    pub restored: Vec<String>,
    /// Corrections that found nothing to correct in the source (informational).
    pub corrections_no_longer_needed: Vec<RetiredCorrection>,
}

/// Inline shapes that one correction merges into a named type while they
/// differ; the merged type is their union.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DivergingShape {
    /// The merged type's name.
    pub name: String,
    /// Where the shapes are in the source.
    pub places: Vec<String>,
    /// What differs.
    pub differences: Vec<String>,
}

/// The diverging shared shapes of `source`.
pub fn diverging_shapes(source: &serde_json::Value) -> Vec<DivergingShape> {
    camunda_admin_codegen::corrections::diverging_shared_shapes(source)
        .into_iter()
        .map(|d| DivergingShape {
            name: d.name,
            places: d.places,
            differences: d.differences,
        })
        .collect()
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
    if !drift.security.is_empty() {
        let _ = write!(line, "; security: {} changed", drift.security.len());
    }
    if !drift.other.is_empty() {
        let _ = write!(line, "; other: {} changed", drift.other.len());
    }
    let hidden = hidden_count(drift);
    if hidden > 0 {
        let _ = write!(
            line,
            "; {hidden} hidden from the generated code by corrections"
        );
    }
    line
}

fn hidden_count(drift: &Drift) -> usize {
    let mut drift = drift.clone();
    drift
        .field_changes_mut()
        .iter()
        .filter(|c| c.hidden_by.is_some())
        .count()
}

/// The text report of `check-spec`.
pub fn render_check(report: &CheckReport) -> String {
    let mut text = String::new();
    let out = &mut text;
    say(
        out,
        format_args!(
            "check-spec: {} (vendored) against {} (source), fact by fact",
            report.vendored, report.source
        ),
    );
    if report.drift_found {
        say(out, format_args!("drift: {}", summary(&report.drift)));
        render_drift(&report.drift, out);
    } else {
        say(out, format_args!("no drift"));
    }
    render_named(&report.drift, out);
    if !report.diverging_shapes.is_empty() {
        out.push('\n');
        say(
            out,
            format_args!(
                "Shapes merged into one type while they differ ({}), the type is their union:",
                report.diverging_shapes.len()
            ),
        );
        for shape in &report.diverging_shapes {
            say(out, format_args!("  ! {}", shape.name));
            for difference in &shape.differences {
                say(out, format_args!("      {difference}"));
            }
        }
    }
    render_retired(&report.corrections_no_longer_needed, out);
    text
}

/// The text report of `update-spec`.
pub fn render_update(report: &UpdateReport) -> String {
    let mut text = String::new();
    let out = &mut text;
    say(
        out,
        format_args!("update-spec: {} from {}", report.vendored, report.source),
    );
    if report.changes.is_empty() {
        say(out, format_args!("no changes of facts"));
    } else {
        say(out, format_args!("changes: {}", summary(&report.changes)));
        render_drift(&report.changes, out);
    }
    render_named(&report.changes, out);
    for (items, title, label) in [
        (&report.needs_prose, "Needs prose", "needs prose"),
        (&report.needs_scope, "Needs x-camunda-scope", "needs scope"),
        (&report.archived, "Texts archived (their subject is gone; a later refresh that brings it back restores them)", "archived"),
        (&report.restored, "Texts restored from the archive", "restored"),
    ] {
        if !items.is_empty() {
            out.push('\n');
    say(out, format_args!("{title} ({}):", items.len()));
            for item in items {
                say(out, format_args!("  {label}: {item}"));
            }
        }
    }
    if let Some(missing) = &report.missing_requirements {
        out.push('\n');
        say(out, format_args!("Requirements: {missing}"));
    }
    render_retired(&report.corrections_no_longer_needed, out);
    let outcome = match (report.file_changed, report.dry_run, report.written) {
        (false, _, _) => format!("{} is up to date; nothing to write", report.vendored),
        (true, true, _) => format!("dry run: {} would be rewritten", report.vendored),
        (true, false, true) => format!("wrote {}", report.vendored),
        (true, false, false) if report.refused => format!(
            "refused: {} was not written (the source lacks what the hand-written code needs; --force writes it anyway)",
            report.vendored
        ),
        (true, false, false) => format!("{} was not written", report.vendored),
    };
    out.push('\n');
    say(out, format_args!("{outcome}"));
    text
}

fn render_retired(retired: &[crate::report::RetiredCorrection], out: &mut String) {
    if retired.is_empty() {
        return;
    }
    out.push('\n');
    say(out, format_args!("Corrections that found nothing to correct in the source ({}), candidates for retirement:",
        retired.len()));
    for correction in retired {
        say(
            out,
            format_args!(
                "  no longer needed: {} — {}",
                correction.id, correction.defect
            ),
        );
    }
}

/// The schemas that only name inline shapes: a refactor, listed apart
/// from the drift.
fn render_named(drift: &Drift, out: &mut String) {
    let named = &drift.schemas.named;
    if named.is_empty() {
        return;
    }
    out.push('\n');
    say(
        out,
        format_args!(
            "Inline shapes named by the source, same facts (a refactor, not drift) ({}):",
            named.len()
        ),
    );
    for shape in named {
        say(
            out,
            format_args!("  = {}  (at {})", shape.name, shape.places.join(", ")),
        );
    }
}

/// The grouped text of a [`Drift`].
pub fn render_drift(drift: &Drift, out: &mut String) {
    let ops = &drift.operations;
    render_list(
        "Operations added",
        "+",
        ops.added.iter().map(OperationRef::label),
        out,
    );
    render_list(
        "Operations removed",
        "-",
        ops.removed.iter().map(OperationRef::label),
        out,
    );
    if !ops.changed.is_empty() {
        out.push('\n');
        say(
            out,
            format_args!("Operations changed ({}):", ops.changed.len()),
        );
        for change in &ops.changed {
            say(out, format_args!("  ~ {}", change.label()));
            if let Some(previous) = &change.previous_operation_id {
                let now = change.operation_id.as_deref().unwrap_or("(none)");
                say(out, format_args!("      operationId: {previous} → {now}"));
            }
            for attribute in &change.attributes {
                say(out, format_args!("      {}", field_line(attribute)));
            }
            for (title, codes) in [
                ("status codes added", &change.status_codes_added),
                ("status codes removed", &change.status_codes_removed),
            ] {
                if !codes.is_empty() {
                    say(out, format_args!("      {title}: {}", codes.join(", ")));
                }
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
    render_list("Schemas added", "+", schemas.added.iter().cloned(), out);
    render_list("Schemas removed", "-", schemas.removed.iter().cloned(), out);
    if !schemas.changed.is_empty() {
        out.push('\n');
        say(
            out,
            format_args!("Schemas changed ({}):", schemas.changed.len()),
        );
        for change in &schemas.changed {
            let users = if change.used_by.is_empty() {
                String::new()
            } else {
                format!("  (used by {})", change.used_by.join(", "))
            };
            say(out, format_args!("  ~ {}{users}", change.name));
            for field in &change.changes {
                say(out, format_args!("      {}", field_line(field)));
            }
        }
    }
    if !drift.security.is_empty() {
        out.push('\n');
        say(
            out,
            format_args!("Security changed ({}):", drift.security.len()),
        );
        for change in &drift.security {
            say(
                out,
                format_args!(
                    "  ~ {} → {} for {} operation(s): {}",
                    change.before,
                    change.after,
                    change.operations.len(),
                    change.operations.join(", ")
                ),
            );
        }
    }
    if !drift.other.is_empty() {
        out.push('\n');
        say(out, format_args!("Other changes ({}):", drift.other.len()));
        for change in &drift.other {
            say(
                out,
                format_args!(
                    "  ~ {}: {} → {}",
                    change.attribute, change.before, change.after
                ),
            );
        }
    }
}

fn render_list(
    title: &str,
    sign: &str,
    items: impl ExactSizeIterator<Item = String>,
    out: &mut String,
) {
    if items.len() == 0 {
        return;
    }
    out.push('\n');
    say(out, format_args!("{title} ({}):", items.len()));
    for item in items {
        say(out, format_args!("  {sign} {item}"));
    }
}

fn render_fields(title: &str, changes: &[FieldChange], out: &mut String) {
    if changes.is_empty() {
        return;
    }
    say(out, format_args!("      {title}:"));
    for change in changes {
        say(out, format_args!("        {}", field_line(change)));
    }
}

fn required_suffix(required: Option<bool>) -> &'static str {
    match required {
        Some(true) => ", required",
        Some(false) => ", optional",
        None => "",
    }
}

/// One change of a field, as a line of text; a change the corrections hide
/// says so.
pub fn field_line(change: &FieldChange) -> String {
    let field = &change.field;
    let line = match &change.kind {
        ChangeKind::Added { ty, required } => {
            format!("+ {field}: {ty}{}", required_suffix(*required))
        }
        ChangeKind::Removed { ty, required } => {
            format!("- {field}: {ty}{}", required_suffix(*required))
        }
        ChangeKind::TypeChanged { before, after } => format!("~ {field}: type {before} → {after}"),
        ChangeKind::RequiredChanged { after, .. } => {
            format!(
                "~ {field}: now {}",
                if *after { "required" } else { "optional" }
            )
        }
        ChangeKind::EnumValuesAdded { values } => {
            format!("~ {field}: enum values added: {}", values.join(", "))
        }
        ChangeKind::EnumValuesRemoved { values } => {
            format!("~ {field}: enum values removed: {}", values.join(", "))
        }
        ChangeKind::KeywordChanged {
            keyword,
            before,
            after,
        } => {
            format!("~ {field}: {keyword} {before} → {after}")
        }
    };
    match &change.hidden_by {
        Some(id) => format!("{line}  [hidden from the generated code by the correction {id}]"),
        None => line,
    }
}

/// Write one line of the report. Names and texts in it come from documents,
/// which may hold anything: control characters are shown as `\u{..}`, so
/// a name can neither start a line of its own nor drive the terminal.
fn say(out: &mut String, text: std::fmt::Arguments<'_>) {
    let line = text.to_string();
    let _ = writeln!(out, "{}", Printable(&line));
}
