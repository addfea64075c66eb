//! How clusters, backups and restores reach their next state: at once,
//! after a delay, or only when a test says so (`manual`, stepped by
//! [`Emulator::step_transitions`](super::Emulator::step_transitions) or
//! `POST /__emulator/transitions/step`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use tokio::time::Instant;

use super::world::World;

/// When something in progress (a cluster being created, woken or upgraded,
/// a backup, a restore) is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Transition {
    /// Done at once: the first read already sees it done.
    Immediate,
    /// Done once this much time has passed on the emulator's clock.
    After(Duration),
    /// Done only when the transitions are stepped.
    Manual,
}

impl Transition {
    /// A delay, `Immediate` when zero.
    pub fn after(delay: Duration) -> Self {
        if delay.is_zero() {
            Transition::Immediate
        } else {
            Transition::After(delay)
        }
    }

    /// The delay a new record waits: a manual one waits for good (until a
    /// step sets its end to the moment of the step).
    pub(crate) fn delay(self) -> Duration {
        match self {
            Transition::Immediate => Duration::ZERO,
            Transition::After(delay) => delay,
            Transition::Manual => Duration::MAX,
        }
    }

    /// As the control plane shows it: `{"mode": "immediate" | "delay" |
    /// "manual", "delayMs": N}`.
    pub(crate) fn to_json(self) -> Value {
        match self {
            Transition::Immediate => json!({ "mode": "immediate" }),
            Transition::After(delay) => json!({
                "mode": "delay",
                "delayMs": u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            }),
            Transition::Manual => json!({ "mode": "manual" }),
        }
    }

    /// From the control plane's form, or why not.
    pub(crate) fn from_json(value: &Value) -> Result<Self, String> {
        let mode = value.get("mode").and_then(Value::as_str);
        let delay_ms = value.get("delayMs");
        match (mode, delay_ms) {
            (Some("immediate"), None) => Ok(Transition::Immediate),
            (Some("manual"), None) => Ok(Transition::Manual),
            (Some("delay") | None, Some(ms)) => ms
                .as_u64()
                .map(|ms| Transition::after(Duration::from_millis(ms)))
                .ok_or_else(|| "delayMs must be a whole number of milliseconds".to_owned()),
            _ => Err(
                "a transition is {\"mode\": \"immediate\"}, {\"mode\": \"manual\"} or {\"mode\": \"delay\", \"delayMs\": N}"
                    .to_owned(),
            ),
        }
    }
}

/// The transition of each kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Transitions {
    pub(crate) cluster: Transition,
    pub(crate) backup: Transition,
    pub(crate) restore: Transition,
}

impl Transitions {
    pub(crate) fn to_json(self) -> Value {
        json!({
            "cluster": self.cluster.to_json(),
            "backup": self.backup.to_json(),
            "restore": self.restore.to_json(),
        })
    }

    /// These transitions with those `patch` names changed; unknown kinds
    /// are refused.
    pub(crate) fn patched(mut self, patch: &Value) -> Result<Self, String> {
        let Value::Object(map) = patch else {
            return Err(
                "the body is a JSON object such as {\"cluster\": {\"mode\": \"manual\"}}".into(),
            );
        };
        for (kind, value) in map {
            let slot = match kind.as_str() {
                "cluster" => &mut self.cluster,
                "backup" => &mut self.backup,
                "restore" => &mut self.restore,
                other => {
                    return Err(format!(
                        "no transition kind {other:?} (cluster, backup, restore)"
                    ))
                }
            };
            *slot = Transition::from_json(value).map_err(|e| format!("{kind}: {e}"))?;
        }
        Ok(self)
    }
}

/// Finish everything in progress at `now`: clusters reach `Healthy`,
/// backups and restores complete (manual ones and those still waiting out
/// a delay alike). The number of records finished.
pub(crate) fn step(world: &mut World, now: Instant, wall: DateTime<Utc>) -> usize {
    let mut finished = 0;
    for cluster in world.clusters.iter_mut() {
        if cluster.phase.until.is_some_and(|until| until > now) {
            cluster.phase.until = Some(now);
            finished += 1;
        }
        for backup in cluster.backups.iter_mut().filter(|b| b.done_at > now) {
            backup.done_at = now;
            backup.completed = wall;
            finished += 1;
        }
        for restore in cluster.restores.iter_mut().filter(|r| r.done_at > now) {
            restore.done_at = now;
            restore.completed = wall;
            finished += 1;
        }
    }
    finished
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_read_back_what_they_show() {
        for t in [
            Transition::Immediate,
            Transition::Manual,
            Transition::After(Duration::from_millis(1500)),
        ] {
            assert_eq!(Transition::from_json(&t.to_json()), Ok(t));
        }
        assert_eq!(
            Transition::from_json(&json!({"delayMs": 0})),
            Ok(Transition::Immediate)
        );
        assert!(Transition::from_json(&json!({"mode": "later"})).is_err());
        let all = Transitions {
            cluster: Transition::Immediate,
            backup: Transition::Immediate,
            restore: Transition::Immediate,
        };
        let patched = all.patched(&json!({"backup": {"mode": "manual"}})).unwrap();
        assert_eq!(patched.backup, Transition::Manual);
        assert_eq!(patched.cluster, Transition::Immediate);
        assert!(all
            .patched(&json!({"members": {"mode": "manual"}}))
            .is_err());
    }
}
