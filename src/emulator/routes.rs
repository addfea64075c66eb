//! The operations the emulator serves: method, path template, operation id
//! and the scope each one needs, and the matching of a request to one.

use axum::http::Method;

use super::Scope;

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// No credential needed.
    Public,
    /// Any valid token.
    AnyToken,
    /// A valid token carrying this scope.
    Scope(Scope),
}

/// One operation of the document.
#[derive(Debug)]
pub(crate) struct Route {
    pub(crate) id: &'static str,
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) access: Access,
}

const fn route(
    id: &'static str,
    method: &'static str,
    path: &'static str,
    access: Access,
) -> Route {
    Route {
        id,
        method,
        path,
        access,
    }
}

use Access::{AnyToken, Public};
const CLUSTER: Access = Access::Scope(Scope::Cluster);
const BACKUPS: Access = Access::Scope(Scope::Backups);
const ZEEBE_CLIENT: Access = Access::Scope(Scope::ZeebeClient);
const IP_ALLOWLIST: Access = Access::Scope(Scope::IpAllowlist);
const SECRETS: Access = Access::Scope(Scope::ConnectorSecrets);
const MEMBERS: Access = Access::Scope(Scope::Members);

/// The 43 operations of `openapi/camunda-admin.json`, with the scope that
/// each operation's description names.
pub(crate) static ROUTES: &[Route] = &[
    route("GetCsv", "GET", "/activity/csv", AnyToken),
    route("GetJson", "GET", "/activity/json", AnyToken),
    route("GetClusters", "GET", "/clusters", CLUSTER),
    route("CreateCluster", "POST", "/clusters", CLUSTER),
    route("GetParameters", "GET", "/clusters/parameters", CLUSTER),
    route(
        "DeleteCluster",
        "DELETE",
        "/clusters/{clusterUuid}",
        CLUSTER,
    ),
    route("GetCluster", "GET", "/clusters/{clusterUuid}", CLUSTER),
    route("UpdateCluster", "PATCH", "/clusters/{clusterUuid}", CLUSTER),
    route(
        "GetBackups",
        "GET",
        "/clusters/{clusterUuid}/backups",
        BACKUPS,
    ),
    route(
        "CreateBackup",
        "POST",
        "/clusters/{clusterUuid}/backups",
        BACKUPS,
    ),
    route(
        "DeleteSchedule",
        "DELETE",
        "/clusters/{clusterUuid}/backups/schedule",
        BACKUPS,
    ),
    route(
        "GetSchedule",
        "GET",
        "/clusters/{clusterUuid}/backups/schedule",
        BACKUPS,
    ),
    route(
        "UpdateSchedule",
        "PUT",
        "/clusters/{clusterUuid}/backups/schedule",
        BACKUPS,
    ),
    route(
        "DeleteBackup",
        "DELETE",
        "/clusters/{clusterUuid}/backups/{backupId}",
        BACKUPS,
    ),
    route(
        "GetRestore",
        "GET",
        "/clusters/{clusterUuid}/backups/{backupId}/restore",
        BACKUPS,
    ),
    route(
        "RestoreFromBackup",
        "POST",
        "/clusters/{clusterUuid}/backups/{backupId}/restore",
        BACKUPS,
    ),
    route(
        "GetClients",
        "GET",
        "/clusters/{clusterUuid}/clients",
        ZEEBE_CLIENT,
    ),
    route(
        "CreateClient",
        "POST",
        "/clusters/{clusterUuid}/clients",
        ZEEBE_CLIENT,
    ),
    route(
        "DeleteClient",
        "DELETE",
        "/clusters/{clusterUuid}/clients/{clientId}",
        ZEEBE_CLIENT,
    ),
    route(
        "GetClient",
        "GET",
        "/clusters/{clusterUuid}/clients/{clientId}",
        ZEEBE_CLIENT,
    ),
    route(
        "UpdateClusterEncryption",
        "PUT",
        "/clusters/{clusterUuid}/encryption",
        CLUSTER,
    ),
    route(
        "TriggerFailover",
        "POST",
        "/clusters/{clusterUuid}/failover",
        CLUSTER,
    ),
    route(
        "UpdateIpAllowlist",
        "PUT",
        "/clusters/{clusterUuid}/ipallowlist",
        IP_ALLOWLIST,
    ),
    route(
        "UpdateIpWhitelist",
        "PUT",
        "/clusters/{clusterUuid}/ipwhitelist",
        IP_ALLOWLIST,
    ),
    route(
        "DeactivateMonitoring",
        "DELETE",
        "/clusters/{clusterUuid}/monitoring",
        CLUSTER,
    ),
    route(
        "ActivateMonitoring",
        "POST",
        "/clusters/{clusterUuid}/monitoring",
        CLUSTER,
    ),
    route(
        "GetMonitoringClients",
        "GET",
        "/clusters/{clusterUuid}/monitoring/clients",
        CLUSTER,
    ),
    route(
        "CreateMonitoringClient",
        "POST",
        "/clusters/{clusterUuid}/monitoring/clients",
        CLUSTER,
    ),
    route(
        "DeleteMonitoringClient",
        "DELETE",
        "/clusters/{clusterUuid}/monitoring/clients/{clientUuid}",
        CLUSTER,
    ),
    route(
        "RotateMonitoringClientPassword",
        "POST",
        "/clusters/{clusterUuid}/monitoring/clients/{clientUuid}/rotate",
        CLUSTER,
    ),
    route(
        "GetSecrets",
        "GET",
        "/clusters/{clusterUuid}/secrets",
        SECRETS,
    ),
    route(
        "CreateSecret",
        "POST",
        "/clusters/{clusterUuid}/secrets",
        SECRETS,
    ),
    route(
        "DeleteSecret",
        "DELETE",
        "/clusters/{clusterUuid}/secrets/{secretName}",
        SECRETS,
    ),
    route(
        "UpdateSecret",
        "PUT",
        "/clusters/{clusterUuid}/secrets/{secretName}",
        SECRETS,
    ),
    route(
        "DeactivateSecureConnectivity",
        "DELETE",
        "/clusters/{clusterUuid}/secure-connectivity",
        CLUSTER,
    ),
    route(
        "GetSecureConnectivityStatus",
        "GET",
        "/clusters/{clusterUuid}/secure-connectivity",
        CLUSTER,
    ),
    route(
        "ActivateSecureConnectivity",
        "POST",
        "/clusters/{clusterUuid}/secure-connectivity",
        CLUSTER,
    ),
    route(
        "UpgradeCluster",
        "PUT",
        "/clusters/{clusterUuid}/upgrade",
        CLUSTER,
    ),
    route("Wake", "PUT", "/clusters/{clusterUuid}/wake", CLUSTER),
    route("GetMembers", "GET", "/members", MEMBERS),
    route("DeleteMember", "DELETE", "/members/{email}", MEMBERS),
    route("UpdateMembers", "POST", "/members/{email}", MEMBERS),
    route("GetMeta", "GET", "/meta/ip-ranges", Public),
];

/// The outcome of matching a request line.
#[derive(Debug)]
pub(crate) enum Match {
    /// An operation, with its decoded path parameters in template order.
    Found(&'static Route, Vec<String>),
    /// The path is known, the method is not; the allowed methods.
    MethodNotAllowed(Vec<&'static str>),
    /// A path parameter is not valid percent-encoded UTF-8.
    BadPath,
    /// No such path.
    NotFound,
}

/// Match a method and a raw (still percent-encoded) path. A literal
/// segment beats a parameter (`/clusters/parameters` is not a cluster id).
pub(crate) fn find(method: &Method, path: &str) -> Match {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    if !path.starts_with('/') {
        return Match::NotFound;
    }
    // The best match per path shape: fewest parameters wins.
    let mut best: Option<(usize, &'static str)> = None;
    for route in ROUTES {
        if let Some(params) = match_template(route.path, &segments) {
            match best {
                Some((n, _)) if n <= params => {}
                _ => best = Some((params, route.path)),
            }
        }
    }
    let Some((_, template)) = best else {
        return Match::NotFound;
    };
    let candidates = ROUTES.iter().filter(|r| r.path == template);
    let mut allowed = Vec::new();
    for route in candidates {
        if route.method == method.as_str() {
            let mut params = Vec::new();
            for (part, seg) in route.path.split('/').skip(1).zip(&segments) {
                if part.starts_with('{') {
                    match percent_encoding::percent_decode_str(seg).decode_utf8() {
                        Ok(value) => params.push(value.into_owned()),
                        Err(_) => return Match::BadPath,
                    }
                }
            }
            return Match::Found(route, params);
        }
        allowed.push(route.method);
    }
    Match::MethodNotAllowed(allowed)
}

/// The number of parameters if `segments` fit `template`.
fn match_template(template: &str, segments: &[&str]) -> Option<usize> {
    let parts: Vec<&str> = template.split('/').skip(1).collect();
    if parts.len() != segments.len() {
        return None;
    }
    let mut params = 0;
    for (part, seg) in parts.iter().zip(segments) {
        if part.starts_with('{') {
            if seg.is_empty() {
                return None;
            }
            params += 1;
        } else if part != seg {
            return None;
        }
    }
    Some(params)
}

/// The route of an operation id.
pub(crate) fn by_id(id: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_names_every_operation_of_the_document_once() {
        let mut ours: Vec<&str> = ROUTES.iter().map(|r| r.id).collect();
        let mut theirs: Vec<&str> = crate::operation::OPERATIONS
            .iter()
            .map(|op| op.id)
            .collect();
        ours.sort_unstable();
        theirs.sort_unstable();
        assert_eq!(ours, theirs);
        assert_eq!(ours.len(), 43);
    }

    #[test]
    fn each_route_needs_the_scope_and_has_the_parameters_the_document_names() {
        for op in crate::operation::OPERATIONS {
            let route = by_id(op.id).expect("every operation has a route");
            let scope = match route.access {
                Access::Public => "none",
                Access::AnyToken => "any",
                Access::Scope(scope) => scope.display_name(),
            };
            assert_eq!(scope, op.scope, "{}", op.id);
            assert_eq!(route.path, op.path, "{}", op.id);
            let params = route.path.matches('{').count();
            assert_eq!(params, op.path_params.len(), "{}", op.id);
        }
    }

    #[test]
    fn literals_beat_parameters_and_parameters_are_decoded() {
        match find(&Method::GET, "/clusters/parameters") {
            Match::Found(r, p) => assert_eq!((r.id, p.len()), ("GetParameters", 0)),
            other => panic!("{other:?}"),
        }
        match find(&Method::GET, "/clusters/abc/backups/schedule") {
            Match::Found(r, p) => assert_eq!((r.id, p), ("GetSchedule", vec!["abc".to_owned()])),
            other => panic!("{other:?}"),
        }
        match find(&Method::DELETE, "/clusters/abc/backups/b1") {
            Match::Found(r, p) => assert_eq!(
                (r.id, p),
                ("DeleteBackup", vec!["abc".to_owned(), "b1".to_owned()])
            ),
            other => panic!("{other:?}"),
        }
        match find(&Method::POST, "/members/a%40b.example") {
            Match::Found(r, p) => {
                assert_eq!((r.id, p), ("UpdateMembers", vec!["a@b.example".to_owned()]))
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            find(&Method::PATCH, "/members"),
            Match::MethodNotAllowed(_)
        ));
        assert!(matches!(find(&Method::GET, "/nothing"), Match::NotFound));
        assert!(matches!(
            find(&Method::GET, "/clusters//clients"),
            Match::NotFound
        ));
        assert!(matches!(
            find(&Method::GET, "/clusters/%FF"),
            Match::BadPath
        ));
    }
}
