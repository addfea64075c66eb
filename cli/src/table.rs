//! The command table: the SDK's operation table
//! ([`camunda_admin::OPERATIONS`]), one command per operation, named by
//! each operation's [`Command`](camunda_admin::operation::Command), and
//! run through [`camunda_admin::Client::call_json`].

pub use camunda_admin::operation::{Field, Operation, OutputKind};

/// Every operation, as a command (the table's own order).
pub static COMMANDS: &[Operation] = camunda_admin::OPERATIONS;

/// The commands written by hand, `(group, verb)`; a verb `""` is a
/// top-level command. Hand-written commands of other work (`clusters
/// prune`, `ci`, `export`, `plan`, `apply`) are held free here too, so that
/// no generated command takes their name.
pub const HAND_WRITTEN: &[(&str, &str)] = &[
    ("clusters", "wait"),
    ("clusters", "prune"),
    ("backups", "wait"),
    ("backups", "restore-wait"),
    ("allowlist", "list"),
    ("allowlist", "add"),
    ("allowlist", "remove"),
    ("profile", ""),
    ("ci", ""),
    ("export", ""),
    ("plan", ""),
    ("apply", ""),
    ("emulator", ""),
    ("completions", ""),
];

/// The generated commands among `names` (`(group, verb)`) that take the
/// name of a hand-written one, or a top-level command's name as their group.
pub fn collisions<'a>(
    names: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<(&'a str, &'a str)> {
    names
        .into_iter()
        .filter(|(group, verb)| {
            HAND_WRITTEN
                .iter()
                .any(|(g, v)| g == group && (v == verb || v.is_empty()))
        })
        .collect()
}

/// The kebab-case flag of a field or parameter name (`planTypeId` →
/// `plan-type-id`, `clusterUuid` → `cluster-uuid`).
pub fn kebab(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if previous_lower {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
            previous_lower = false;
        } else if c == '_' || c == ' ' {
            out.push('-');
            previous_lower = false;
        } else {
            out.push(c);
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::kebab;

    #[test]
    fn names_become_flags() {
        assert_eq!(kebab("planTypeId"), "plan-type-id");
        assert_eq!(kebab("clusterUuid"), "cluster-uuid");
        assert_eq!(kebab("ipallowlist"), "ipallowlist");
        assert_eq!(kebab("secretName"), "secret-name");
    }
}
