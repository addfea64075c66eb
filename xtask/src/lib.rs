//! Maintainer tasks of `camunda-admin`, run as `cargo xtask <task>`.
//!
//! - `update-spec` refreshes the vendored OpenAPI document
//!   (`openapi/camunda-admin.json`) from Camunda's published one, keeping the
//!   published facts and the project's own prose.
//! - `check-spec` reports drift between the vendored document and the
//!   published one, both after the SDK's corrections; it suits a scheduled
//!   CI job (exit 0: no drift, 1: drift, 2: the source could not be read).
//!
//! The logic lives in this library so that tests call it directly; the
//! binary (`main.rs`) only forwards the command line to [`cli::run`].

#![warn(missing_docs)]

use camunda_admin_codegen::corrections;

pub mod additive;
pub mod cli;
pub mod drift;
pub mod hidden;
pub mod json_format;
pub mod prose;
pub mod report;
pub mod spec_source;
pub mod tasks;

/// The corrections that found nothing to correct in a document: the
/// published document no longer has these defects, so they can be retired.
///
/// Runs every correction on a copy of `source`.
pub fn corrections_no_longer_needed(source: &serde_json::Value) -> Vec<report::RetiredCorrection> {
    let mut copy = source.clone();
    retired(corrections::apply(&mut copy))
}

/// The corrections among `outcomes` that found nothing to correct.
pub fn retired(outcomes: Vec<corrections::Outcome>) -> Vec<report::RetiredCorrection> {
    outcomes
        .into_iter()
        .filter(|outcome| outcome.places.is_empty())
        .map(|outcome| report::RetiredCorrection {
            id: outcome.id.to_owned(),
            defect: outcome.defect.to_owned(),
        })
        .collect()
}

/// A copy of `doc` with every correction applied, as the generator sees it.
pub fn corrected(doc: &serde_json::Value) -> serde_json::Value {
    let mut copy = doc.clone();
    corrections::apply(&mut copy);
    copy
}

/// The ids of all corrections, in the order they run.
pub fn correction_ids() -> Vec<&'static str> {
    corrections::CORRECTIONS.iter().map(|(id, _)| *id).collect()
}
