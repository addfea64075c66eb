//! The token book: which tokens the emulator issued, to whom, until when,
//! and when each client id last asked for one; and the check of the bearer
//! token of every API call against what its operation needs.

use std::{collections::HashMap, time::Duration};

use axum::http::{header::AUTHORIZATION, HeaderMap, StatusCode};
use tokio::time::Instant;

use super::{answer::Fail, config::Scope, ids::Ids};
use crate::retry::timing::instant_after;

/// Entries kept of each map before stale ones are forgotten.
const MAX_ENTRIES: usize = 10_000;

/// Who may call an operation, from the operation table's `scope`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// No credential needed (`none`).
    Public,
    /// Any valid token (`any`).
    AnyToken,
    /// A valid token carrying this scope.
    Scope(Scope),
    /// A scope the emulator does not know: no credential has it.
    UnknownScope(&'static str),
}

impl Access {
    /// The access a scope name of the operation table stands for.
    pub(crate) fn from_table(scope: &'static str) -> Self {
        match scope {
            "none" => Access::Public,
            "any" => Access::AnyToken,
            name => Scope::ALL
                .into_iter()
                .find(|s| s.display_name() == name)
                .map_or(Access::UnknownScope(name), Access::Scope),
        }
    }
}

/// A token the emulator issued.
#[derive(Debug, Clone)]
pub(crate) struct IssuedToken {
    pub(crate) client_id: String,
    pub(crate) scopes: Vec<Scope>,
    pub(crate) expires: Instant,
}

/// Issued tokens and the token rate limit's memory.
#[derive(Debug)]
pub(crate) struct TokenBook {
    pub(crate) ids: Ids,
    issued: HashMap<String, IssuedToken>,
    /// The last token request per client id that was not refused with 429.
    last_request: HashMap<String, Instant>,
}

impl TokenBook {
    pub(crate) fn new() -> Self {
        Self {
            ids: Ids::from_entropy(),
            issued: HashMap::new(),
            last_request: HashMap::new(),
        }
    }

    /// Whether `client_id` may ask for a token at `now`, at most once per
    /// `interval`; else how long until it may. Requests refused for their
    /// credentials count too; a refusal here does not restart the window.
    pub(crate) fn admit(
        &mut self,
        client_id: &str,
        now: Instant,
        interval: Duration,
    ) -> Result<(), Duration> {
        if interval.is_zero() {
            return Ok(());
        }
        if let Some(last) = self.last_request.get(client_id) {
            let next = instant_after(*last, interval);
            if now < next {
                return Err(next - now);
            }
        }
        if self.last_request.len() >= MAX_ENTRIES {
            self.last_request
                .retain(|_, last| instant_after(*last, interval) > now);
        }
        self.last_request.insert(client_id.to_owned(), now);
        Ok(())
    }

    /// Note an issued token.
    pub(crate) fn record(&mut self, token: String, issued: IssuedToken, now: Instant) {
        if self.issued.len() >= MAX_ENTRIES {
            self.issued.retain(|_, t| t.expires > now);
        }
        self.issued.insert(token, issued);
    }

    /// Check the bearer token of an API call against what `access` needs;
    /// the caller's client id, or the 401 or 403 to answer.
    pub(crate) fn authorize(
        &self,
        now: Instant,
        headers: &HeaderMap,
        access: Access,
    ) -> Result<String, Fail> {
        if access == Access::Public {
            return Ok("anonymous".to_owned());
        }
        let issued = self.bearer(now, headers)?;
        let missing = match access {
            Access::Scope(scope) if !issued.scopes.contains(&scope) => Some(scope.display_name()),
            Access::UnknownScope(name) => Some(name),
            _ => None,
        };
        if let Some(scope) = missing {
            return Err(Fail::forbidden(format!(
                "the credential {} lacks the {scope} scope",
                issued.client_id
            )));
        }
        Ok(issued.client_id.clone())
    }

    /// The client id a token was issued to, if it is one and valid at `now`.
    pub(crate) fn holder(&self, now: Instant, token: &str) -> Option<&str> {
        self.issued
            .get(token)
            .filter(|issued| now < issued.expires)
            .map(|issued| issued.client_id.as_str())
    }

    /// Every token issued and still noted, for the state file.
    pub(crate) fn issued(&self) -> Vec<(String, IssuedToken)> {
        self.issued
            .iter()
            .map(|(token, issued)| (token.clone(), issued.clone()))
            .collect()
    }

    /// Note tokens issued by an earlier run (from the state file).
    pub(crate) fn restore(&mut self, tokens: Vec<(String, IssuedToken)>) {
        self.issued.extend(tokens);
    }

    /// Forget when each client id last asked for a token (a reset); the
    /// issued tokens stay valid.
    pub(crate) fn forget_rate(&mut self) {
        self.last_request.clear();
    }

    /// The valid token the request carries, or the 401 to answer.
    fn bearer(&self, now: Instant, headers: &HeaderMap) -> Result<&IssuedToken, Fail> {
        let Some(value) = headers.get(AUTHORIZATION) else {
            return Err(unauthorized("a bearer token is required", None));
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .ok_or_else(|| {
                unauthorized(
                    "the Authorization header is not a bearer token",
                    Some("invalid_request"),
                )
            })?;
        let Some(issued) = self.issued.get(token) else {
            return Err(unauthorized(
                "the token is not valid",
                Some("invalid_token"),
            ));
        };
        if now >= issued.expires {
            return Err(unauthorized("the token has expired", Some("invalid_token")));
        }
        Ok(issued)
    }
}

/// A 401 with a `WWW-Authenticate` challenge naming `error`, if any.
fn unauthorized(message: &str, error: Option<&str>) -> Fail {
    let mut fail = Fail::new(StatusCode::UNAUTHORIZED, message);
    fail.www_authenticate = Some(match error {
        Some(error) => format!("Bearer realm=\"camunda-admin-emulator\", error=\"{error}\""),
        None => "Bearer realm=\"camunda-admin-emulator\"".to_owned(),
    });
    fail
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bearer(token: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
        headers
    }

    #[test]
    fn scope_names_of_the_table_map_to_access() {
        assert_eq!(Access::from_table("none"), Access::Public);
        assert_eq!(Access::from_table("any"), Access::AnyToken);
        assert_eq!(
            Access::from_table("Zeebe Client"),
            Access::Scope(Scope::ZeebeClient)
        );
        assert_eq!(Access::from_table("Audit"), Access::UnknownScope("Audit"));
    }

    #[test]
    fn tokens_need_the_scope_and_expire() {
        let mut book = TokenBook::new();
        let now = Instant::now();
        let expires = now + Duration::from_secs(60);
        let issued = IssuedToken {
            client_id: "ci".into(),
            scopes: vec![Scope::Members],
            expires,
        };
        book.record("t1".into(), issued, now);
        let members = Access::Scope(Scope::Members);
        assert_eq!(book.authorize(now, &bearer("t1"), members), Ok("ci".into()));
        let status = |r: Result<String, Fail>| r.map_err(|f| f.status.as_u16());
        assert_eq!(
            status(book.authorize(now, &bearer("t1"), Access::Scope(Scope::Cluster))),
            Err(403)
        );
        assert_eq!(
            status(book.authorize(now, &bearer("t1"), Access::UnknownScope("X"))),
            Err(403)
        );
        assert_eq!(
            status(book.authorize(now, &bearer("t2"), members)),
            Err(401)
        );
        assert_eq!(
            status(book.authorize(expires, &bearer("t1"), members)),
            Err(401)
        );
        assert_eq!(
            status(book.authorize(now, &HeaderMap::new(), members)),
            Err(401)
        );
        assert_eq!(
            book.authorize(now, &HeaderMap::new(), Access::Public),
            Ok("anonymous".into())
        );
    }

    #[test]
    fn the_rate_limit_admits_one_request_per_interval_and_saturates() {
        let mut book = TokenBook::new();
        let now = Instant::now();
        let second = Duration::from_secs(1);
        assert_eq!(book.admit("a", now, second), Ok(()));
        assert_eq!(book.admit("a", now + second / 2, second), Err(second / 2));
        assert_eq!(book.admit("b", now, second), Ok(()));
        assert_eq!(book.admit("a", now + second, second), Ok(()));
        assert_eq!(book.admit("a", now, Duration::ZERO), Ok(()));
        assert_eq!(book.admit("c", now, Duration::MAX), Ok(()));
        assert!(book.admit("c", now + second, Duration::MAX).is_err());
    }
}
