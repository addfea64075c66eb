//! Checks of request input, each with the 400 message the emulator answers.

use std::net::IpAddr;

use super::answer::Fail;
use crate::{operation::Field, OperationId};

/// Longest cluster, client and monitoring user name.
pub(crate) const MAX_NAME: usize = 50;

/// The operation table's entry for body field `name` of `id`: limits and
/// defaults the document states in its prose live there
/// (`x-camunda-fields`), not here.
pub(crate) fn body_field(id: OperationId, name: &str) -> Option<&'static Field> {
    let body = id.operation().body.as_ref()?;
    body.fields.iter().find(|f| f.name == name)
}

/// The most characters the table allows for body field `name` of `id`.
fn max_chars(id: OperationId, name: &str) -> Option<usize> {
    body_field(id, name)
        .and_then(|f| f.max_chars)
        .and_then(|n| usize::try_from(n).ok())
}

/// The default the table states for body field `name` of `id`, when it is
/// a string.
pub(crate) fn string_default(id: OperationId, name: &str) -> Option<String> {
    let json = body_field(id, name)?.default?;
    serde_json::from_str::<String>(json).ok()
}
const STAGE_LABELS: [&str; 4] = ["dev", "test", "stage", "prod"];

/// A trimmed name of 1 to `max` characters.
pub(crate) fn name(name: &str, what: &str, max: usize) -> Result<String, Fail> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Fail::bad_request(format!("{what} must not be empty")));
    }
    if name.chars().count() > max {
        return Err(Fail::bad_request(format!(
            "{what} is longer than {max} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(Fail::bad_request(format!(
            "{what} contains control characters"
        )));
    }
    Ok(name.to_owned())
}

/// A cluster description within what the document allows operation `id`
/// (150 characters).
pub(crate) fn description(
    id: OperationId,
    description: Option<String>,
) -> Result<Option<String>, Fail> {
    match (description, max_chars(id, "description")) {
        (Some(d), Some(max)) if d.chars().count() > max => Err(Fail::bad_request(format!(
            "the description is longer than {max} characters"
        ))),
        (other, _) => Ok(other),
    }
}

/// One of the stage labels.
pub(crate) fn stage(label: Option<&str>) -> Result<Option<String>, Fail> {
    match label {
        Some(label) if !STAGE_LABELS.contains(&label) => Err(Fail::bad_request(format!(
            "stageLabel must be one of {}",
            STAGE_LABELS.join(", ")
        ))),
        other => Ok(other.map(str::to_owned)),
    }
}

/// A whole number of hardware packages from 1 to 64.
pub(crate) fn packages(count: f64) -> Result<f64, Fail> {
    if count.is_finite() && (1.0..=64.0).contains(&count) && count.fract() == 0.0 {
        Ok(count)
    } else {
        Err(Fail::bad_request(
            "the hardware package count must be a whole number from 1 to 64",
        ))
    }
}

/// A connector secret name: letters, digits, `_` and `-`, within what
/// the document allows (fewer than 50 characters).
pub(crate) fn secret_name(name: &str) -> Result<(), Fail> {
    let max = max_chars(OperationId::CreateSecret, "secretName").unwrap_or(usize::MAX);
    if name.is_empty() || name.chars().count() > max {
        return Err(Fail::bad_request(format!(
            "a secret name has 1 to {max} characters"
        )));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    {
        return Err(Fail::bad_request(
            "a secret name may hold letters, digits, '_' and '-'",
        ));
    }
    Ok(())
}

/// Whether `arn` names a KMS key in `region`.
pub(crate) fn kms_key_in(arn: &str, region: &str) -> bool {
    let parts: Vec<&str> = arn.split(':').collect();
    matches!(
        parts.as_slice(),
        ["arn", "aws", "kms", r, account, resource]
            if *r == region
                && account.len() == 12
                && account.chars().all(|c| c.is_ascii_digit())
                && resource.strip_prefix("key/").is_some_and(|id| !id.is_empty())
    )
}

/// Whether `text` is an IP address or CIDR range, or several separated by
/// commas (as the allowlist accepts).
pub(crate) fn ip_ranges(text: &str) -> bool {
    let mut any = false;
    for part in text.split(',') {
        let part = part.trim();
        let (addr, prefix) = match part.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (part, None),
        };
        let Ok(addr) = addr.parse::<IpAddr>() else {
            return false;
        };
        if let Some(prefix) = prefix {
            let max = if addr.is_ipv4() { 32 } else { 128 };
            match prefix.parse::<u8>() {
                Ok(p) if p <= max => {}
                _ => return false,
            }
        }
        any = true;
    }
    any
}

/// A plausible email address: one `@`, a local part, a dotted domain.
pub(crate) fn email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && text.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A five-field UTC cron expression that fires at most every 15 minutes.
pub(crate) fn cron(text: &str) -> Result<(), Fail> {
    let fields: Vec<&str> = text.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(Fail::bad_request(format!(
            "a schedule has five cron fields, this one has {}",
            fields.len()
        )));
    }
    if let Some(field) = fields.iter().find(|field| {
        !field
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "*/,-?".contains(c))
    }) {
        return Err(Fail::bad_request(format!("invalid cron field {field:?}")));
    }
    let minutes = cron_values(fields[0], 0, 59)
        .ok_or_else(|| Fail::bad_request(format!("invalid minute field {:?}", fields[0])))?;
    let single_hour = fields[1].parse::<u8>().is_ok();
    let mut gaps: Vec<u32> = minutes.windows(2).map(|w| w[1] - w[0]).collect();
    if !single_hour {
        if let (Some(first), Some(last)) = (minutes.first(), minutes.last()) {
            gaps.push(60 - last + first);
        }
    }
    if gaps.iter().any(|&gap| gap < 15) {
        return Err(Fail::bad_request(
            "a schedule may run at most every 15 minutes",
        ));
    }
    Ok(())
}

/// The values a numeric cron field selects, sorted, or `None` if it is not
/// one this parser understands. `max` is at most 59.
fn cron_values(field: &str, min: u32, max: u32) -> Option<Vec<u32>> {
    let mut selected = [false; 60];
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (r, s.parse::<u32>().ok().filter(|&s| s > 0)?),
            None => (item, 1),
        };
        let (lo, hi) = if range == "*" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (a.parse().ok()?, b.parse().ok()?)
        } else {
            let v: u32 = range.parse().ok()?;
            (v, if item.contains('/') { max } else { v })
        };
        if lo < min || hi > max || lo > hi {
            return None;
        }
        for v in (lo..=hi).step_by(usize::try_from(step).ok()?) {
            *selected.get_mut(usize::try_from(v).ok()?)? = true;
        }
    }
    Some((0..60u32).filter(|&v| selected[v as usize]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_ranges_and_emails() {
        assert!(ip_ranges("10.0.0.0/8"));
        assert!(ip_ranges("10.0.0.1, 192.168.0.0/16,::1/128"));
        assert!(!ip_ranges("10.0.0.0/33"));
        assert!(!ip_ranges("example.com"));
        assert!(!ip_ranges(""));
        assert!(email("ada@example.com"));
        assert!(!email("ada@example"));
        assert!(!email("ada example@x.com"));
    }

    #[test]
    fn cron_schedules_run_at_most_every_15_minutes() {
        assert!(cron("0 3 * * *").is_ok());
        assert!(cron("*/15 * * * *").is_ok());
        assert!(cron("0,30 * * * 1-5").is_ok());
        assert!(cron("0,50 4 * * *").is_ok());
        for bad in [
            "*/5 * * * *",
            "* * * * *",
            "0 3 * *",
            "61 3 * * *",
            "0,50 * * * *",
            "*/0 * * * *",
        ] {
            assert_eq!(cron(bad).map_err(|f| f.status.as_u16()), Err(400), "{bad}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            name("  orders ", "the name", 10).ok().as_deref(),
            Some("orders")
        );
        assert!(name("   ", "the name", 10).is_err());
        assert!(name(&"x".repeat(11), "the name", 10).is_err());
        assert!(name("a\u{0}b", "the name", 10).is_err());
        assert!(packages(2.0).is_ok());
        assert!(packages(0.5).is_err() && packages(f64::NAN).is_err() && packages(1e308).is_err());
        assert!(secret_name("API_KEY").is_ok());
        assert!(secret_name(&"X".repeat(50)).is_err() && secret_name("a b").is_err());
        assert!(kms_key_in(
            "arn:aws:kms:eu-central-1:123456789012:key/k",
            "eu-central-1"
        ));
        assert!(!kms_key_in(
            "arn:aws:kms:eu-central-1:1234:key/k",
            "eu-central-1"
        ));
    }
}
