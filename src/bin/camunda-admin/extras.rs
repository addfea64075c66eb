//! What some operations get beyond the document's parameters: `--wait` on
//! the long-running ones, name lookups on `clusters create`, and
//! `--show-values` on `secrets list`. Keyed by operationId, so a renamed
//! command keeps them.

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

/// The operation whose answer is a map of secret names to values.
pub const LIST_SECRETS: &str = "GetSecrets";

const EXTRAS: &[(&str, &[Extra])] = &[
    ("CreateCluster", &[Extra::Wait, Extra::Names]),
    ("CreateBackup", &[Extra::Wait]),
    ("RestoreFromBackup", &[Extra::Wait]),
    ("Wake", &[Extra::Wait]),
    ("UpgradeCluster", &[Extra::Wait]),
    (LIST_SECRETS, &[Extra::ShowValues]),
];

/// The additions of operation `id`.
pub fn of(id: &str) -> &'static [Extra] {
    EXTRAS
        .iter()
        .find(|(op, _)| *op == id)
        .map_or(&[], |(_, extras)| extras)
}

/// The help of `--wait`.
pub fn wait_help() -> &'static str {
    "Wait until the change is done: the cluster Healthy (after wake and upgrade: once the change shows), the backup Complete, the restore COMPLETED"
}
