//! What some operations get beyond the document's parameters, read from
//! the operation table: `--wait` where the operation says what a wait waits
//! for, name lookups where body fields take a region, plan, channel or
//! generation by name, and `--show-values` where the answer is a map of
//! secret values.

use camunda_admin::operation::{NameKind, Operation, OutputKind};

/// An addition to an operation's command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extra {
    /// `--wait`, `--timeout`, `--poll-interval`.
    Wait,
    /// `--region`, `--plan`, `--channel`, `--generation` by name or id.
    Names,
    /// `--show-values`.
    ShowValues,
}

/// The additions of `operation`.
pub fn of(operation: &Operation) -> Vec<Extra> {
    let mut extras = Vec::new();
    if operation.wait.is_some() {
        extras.push(Extra::Wait);
    }
    let takes_parameter_names = operation.body.as_ref().is_some_and(|body| {
        body.fields.iter().any(|f| {
            matches!(
                f.name_of,
                Some(NameKind::Region | NameKind::Plan | NameKind::Channel | NameKind::Generation)
            )
        })
    });
    if takes_parameter_names {
        extras.push(Extra::Names);
    }
    if operation.output == OutputKind::SecretValues {
        extras.push(Extra::ShowValues);
    }
    extras
}

/// The help of `--wait`.
pub fn wait_help() -> &'static str {
    "Wait until the change is done: the cluster Healthy (after wake and upgrade: once the change shows), the backup Complete, the restore COMPLETED"
}
