//! The command name an operation gets when the project's document gives
//! none (`x-camunda-cli`): the group from the path (the area after
//! `/clusters/{id}`, else the first segment), the verb from the method
//! (`list`, `get`, `create`, `update`, `delete`).

use super::model::Operation;

/// Group names for path areas whose segment reads badly as a command.
const GROUP_NAMES: &[(&str, &str)] = &[
    ("ipallowlist", "allowlist"),
    ("ipwhitelist", "allowlist"),
    ("secure-connectivity", "connectivity"),
];

/// The (group, verb) the rule gives.
pub fn derived_name(op: &Operation) -> (String, String) {
    let literals: Vec<&str> = op
        .path
        .split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .collect();
    let area: &str = match literals.as_slice() {
        ["clusters", area, ..] => area,
        [first, ..] => first,
        [] => "api",
    };
    let group = GROUP_NAMES
        .iter()
        .find(|(segment, _)| *segment == area)
        .map_or(area, |(_, name)| name)
        .to_owned();
    let ends_with_param = op.path.ends_with('}');
    let verb = match (op.http_method.as_str(), ends_with_param) {
        ("GET", false) => "list",
        ("GET", true) => "get",
        ("POST", _) => "create",
        ("PUT" | "PATCH", _) => "update",
        ("DELETE", _) => "delete",
        _ => "call",
    };
    (group, verb.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(method: &str, path: &str) -> (String, String) {
        let mut op = super::super::model::tests::operation("Op");
        op.http_method = method.to_owned();
        op.path = path.to_owned();
        derived_name(&op)
    }

    #[test]
    fn groups_come_from_the_path_and_verbs_from_the_method() {
        let pair = |g: &str, v: &str| (g.to_owned(), v.to_owned());
        assert_eq!(name("GET", "/clusters"), pair("clusters", "list"));
        assert_eq!(
            name("GET", "/clusters/{clusterUuid}"),
            pair("clusters", "get")
        );
        assert_eq!(
            name("DELETE", "/clusters/{clusterUuid}/secrets/{secretName}"),
            pair("secrets", "delete")
        );
        assert_eq!(
            name("GET", "/clusters/{c}/backups"),
            pair("backups", "list")
        );
        assert_eq!(name("GET", "/members"), pair("members", "list"));
        assert_eq!(
            name("PUT", "/clusters/{c}/ipallowlist"),
            pair("allowlist", "update")
        );
        assert_eq!(name("GET", "/clusters/{c}/logs"), pair("logs", "list"));
    }
}
