//! The route table: every operation of the generated operation table
//! (`crate::operation::OPERATIONS`: id, method, path, scope) with its handler from
//! the handler column, and the matching of a request to a route. An
//! operation the emulator has no handler for is routed and answered 501,
//! so a new operation in the document never breaks the build.

use std::sync::LazyLock;

use axum::http::Method;

use super::{
    handlers::{self, Handler},
    token_book::Access,
};
use crate::operation::Operation;

/// One operation, ready to be matched and served.
pub(crate) struct Route {
    pub(crate) operation: &'static Operation,
    pub(crate) access: Access,
    /// `None`: the operation is answered 501.
    pub(crate) handler: Option<Handler>,
    /// The path template split at `/`; `None` for a `{parameter}`.
    segments: Vec<Option<&'static str>>,
}

impl Route {
    pub(crate) fn new(operation: &'static Operation, handler: Option<Handler>) -> Self {
        let segments = operation
            .path
            .split('/')
            .skip(1)
            .map(|part| (!part.starts_with('{')).then_some(part))
            .collect();
        Self {
            operation,
            access: Access::from_table(operation.scope),
            handler,
            segments,
        }
    }

    pub(crate) fn id(&self) -> &'static str {
        self.operation.id.as_str()
    }

    /// The number of parameters if `segments` fit the template.
    fn fit(&self, segments: &[&str]) -> Option<usize> {
        if self.segments.len() != segments.len() {
            return None;
        }
        let mut params = 0;
        for (part, seg) in self.segments.iter().zip(segments) {
            match part {
                None if seg.is_empty() => return None,
                None => params += 1,
                Some(literal) if literal != seg => return None,
                Some(_) => {}
            }
        }
        Some(params)
    }

    /// The decoded parameters of a path that fits; `None` if one is not
    /// valid percent-encoded UTF-8.
    fn params(&self, segments: &[&str]) -> Option<Vec<String>> {
        self.segments
            .iter()
            .zip(segments)
            .filter(|(part, _)| part.is_none())
            .map(|(_, seg)| {
                percent_encoding::percent_decode_str(seg)
                    .decode_utf8()
                    .ok()
                    .map(|value| value.into_owned())
            })
            .collect()
    }
}

/// Every operation of the document, with its handler if there is one.
pub(crate) static ROUTES: LazyLock<Vec<Route>> = LazyLock::new(|| {
    crate::operation::OPERATIONS
        .iter()
        .map(|op| Route::new(op, handlers::handler(op.id)))
        .collect()
});

/// The outcome of matching a request line.
#[derive(Debug)]
pub(crate) enum Match<'r> {
    /// An operation, with its decoded path parameters in template order.
    Found(&'r Route, Vec<String>),
    /// The path is known, the method is not; the allowed methods.
    MethodNotAllowed(Vec<&'static str>),
    /// A path parameter is not valid percent-encoded UTF-8.
    BadPath,
    /// No such path.
    NotFound,
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Route")
            .field("id", &self.operation.id)
            .field("served", &self.handler.is_some())
            .finish_non_exhaustive()
    }
}

/// Match a method and a raw (still percent-encoded) path against `routes`.
/// A literal segment beats a parameter (`/clusters/parameters` is not a
/// cluster id).
pub(crate) fn find<'r>(routes: &'r [Route], method: &Method, path: &str) -> Match<'r> {
    if !path.starts_with('/') {
        return Match::NotFound;
    }
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    // The best template for this path: the fewest parameters.
    let best = routes
        .iter()
        .filter_map(|r| r.fit(&segments).map(|params| (params, r.operation.path)))
        .min_by_key(|(params, _)| *params);
    let Some((_, template)) = best else {
        return Match::NotFound;
    };
    let candidates = || routes.iter().filter(|r| r.operation.path == template);
    match candidates().find(|r| r.operation.method == method) {
        Some(route) => match route.params(&segments) {
            Some(params) => Match::Found(route, params),
            None => Match::BadPath,
        },
        None => {
            let mut allowed: Vec<_> = candidates().map(|r| r.operation.method.as_str()).collect();
            allowed.sort_unstable();
            Match::MethodNotAllowed(allowed)
        }
    }
}

/// The operations of the document the emulator has no handler for.
pub(crate) fn unserved() -> impl Iterator<Item = crate::OperationId> {
    ROUTES
        .iter()
        .filter(|r| r.handler.is_none())
        .map(|r| r.operation.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(method: Method, path: &str) -> (&'static str, Vec<String>) {
        match find(&ROUTES, &method, path) {
            Match::Found(route, params) => (route.id(), params),
            other => panic!("{method} {path}: {other:?}"),
        }
    }

    #[test]
    fn every_operation_of_the_document_has_a_handler() {
        let unserved: Vec<crate::OperationId> = unserved().collect();
        assert!(
            unserved.is_empty(),
            "operations answered 501 for want of a handler: {unserved:?}"
        );
        assert_eq!(ROUTES.len(), crate::operation::OPERATIONS.len());
    }

    #[test]
    fn each_route_needs_the_scope_the_document_names() {
        for route in ROUTES.iter() {
            assert!(
                !matches!(route.access, Access::UnknownScope(_)),
                "{}: scope {:?}",
                route.id(),
                route.operation.scope
            );
            assert_eq!(
                route.access == Access::Public,
                !route.operation.authenticated,
                "{}",
                route.id()
            );
        }
    }

    #[test]
    fn literals_beat_parameters_and_parameters_are_decoded() {
        assert_eq!(
            found(Method::GET, "/clusters/parameters"),
            ("GetParameters", vec![])
        );
        let abc = || "abc".to_owned();
        assert_eq!(
            found(Method::GET, "/clusters/abc/backups/schedule"),
            ("GetSchedule", vec![abc()])
        );
        assert_eq!(
            found(Method::DELETE, "/clusters/abc/backups/b1"),
            ("DeleteBackup", vec![abc(), "b1".to_owned()])
        );
        assert_eq!(
            found(Method::POST, "/members/a%40b.example"),
            ("UpdateMembers", vec!["a@b.example".to_owned()])
        );
        let allowed = match find(&ROUTES, &Method::PATCH, "/members") {
            Match::MethodNotAllowed(allowed) => allowed,
            other => panic!("{other:?}"),
        };
        assert_eq!(allowed, ["GET"]);
        for path in ["/nothing", "/clusters//clients", "clusters"] {
            assert!(
                matches!(find(&ROUTES, &Method::GET, path), Match::NotFound),
                "{path}"
            );
        }
        assert!(matches!(
            find(&ROUTES, &Method::GET, "/clusters/%FF"),
            Match::BadPath
        ));
    }
}
