//! What one request brings to its operation, and the helpers every
//! handler uses: path parameters, the body as a generated request type,
//! activity log entries by the caller.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use crate::emulator::{
    activity::{Audit, AuditType, Entity},
    answer::Fail,
    config::Settings,
    transitions::Transitions,
};

/// What one request brings to its operation.
pub(crate) struct Ctx<'a> {
    pub(crate) settings: &'a Settings,
    /// When what this request starts will be done.
    pub(crate) transitions: Transitions,
    /// The emulator's clock.
    pub(crate) now: Instant,
    /// The emulator's wall clock, for timestamps.
    pub(crate) wall: DateTime<Utc>,
    /// The client id of the caller's token.
    pub(crate) caller: &'a str,
    /// Path parameters in template order, decoded.
    pub(crate) params: &'a [String],
    pub(crate) body: &'a [u8],
}

impl Ctx<'_> {
    /// Path parameter `i`, or "" if the template has fewer.
    pub(super) fn param(&self, i: usize) -> &str {
        self.params.get(i).map(String::as_str).unwrap_or("")
    }

    /// `{clusterUuid}`, the first parameter wherever a path has one.
    pub(super) fn cluster_id(&self) -> &str {
        self.param(0)
    }

    /// The JSON body as the generated request type `T`.
    pub(super) fn body<T: DeserializeOwned>(&self) -> Result<T, Fail> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(Fail::bad_request("a JSON body is required"));
        }
        serde_json::from_slice(self.body)
            .map_err(|e| Fail::bad_request(format!("invalid body: {e}")))
    }

    /// An activity log entry by the caller, now.
    pub(super) fn audit(
        &self,
        audit_type: AuditType,
        entity: Entity,
        entity_id: &str,
        text: impl Into<String>,
    ) -> Audit {
        Audit {
            at: self.wall,
            user_id: self.caller.to_owned(),
            audit_type,
            entity,
            entity_id: entity_id.to_owned(),
            parent_cluster: None,
            attribute: None,
            audit: text.into(),
        }
    }

    pub(super) fn org(&self) -> &str {
        &self.settings.org_id
    }
}
