//! Small helpers of the emulator: ids and secrets, base64, CSV, validation.

use std::hash::{BuildHasher, Hasher};
use std::net::IpAddr;

/// A small generator (SplitMix64 mixed with keyed SipHash) for ids and fake
/// secrets: not a CSPRNG, but its outputs do not predict each other.
#[derive(Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator seeded from the process's random hash keys.
    pub(crate) fn from_entropy() -> Self {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default(),
        );
        Self(hasher.finish())
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        // Mixed with a keyed hash (random SipHash keys of the process), so an
        // id the emulator hands out does not reveal the secrets after it.
        let mut keyed = std::collections::hash_map::RandomState::new().build_hasher();
        keyed.write_u64(z);
        (z ^ (z >> 31)) ^ keyed.finish()
    }

    /// A version 4 UUID in its usual text form.
    pub(crate) fn uuid(&mut self) -> String {
        let hi = self.next_u64();
        let lo = self.next_u64();
        let hi = (hi & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000;
        let lo = (lo & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            hi >> 32,
            (hi >> 16) & 0xFFFF,
            hi & 0xFFFF,
            lo >> 48,
            lo & 0xFFFF_FFFF_FFFF
        )
    }

    /// `len` characters from `[A-Za-z0-9]`, or from `[A-Za-z0-9_~.-]` when
    /// `symbols` (as Camunda's client secrets).
    pub(crate) fn token(&mut self, len: usize, symbols: bool) -> String {
        const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        const MORE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_~.-";
        let set = if symbols { MORE } else { ALNUM };
        (0..len)
            .map(|_| {
                let i = (self.next_u64() % set.len() as u64) as usize;
                char::from(set[i])
            })
            .collect()
    }

    pub(crate) fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| (self.next_u64() & 0xFF) as u8).collect()
    }
}

const B64_STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding, as JWTs use.
pub(crate) fn base64url(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(char::from(B64_URL[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// Decode standard or url-safe base64, padded or not; `None` if invalid.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim().trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in text.bytes() {
        let v = match c {
            b'-' => 62,
            b'_' => 63,
            _ => B64_STD.iter().position(|&x| x == c)? as u32,
        };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xFF) as u8);
        }
    }
    if bits >= 6 {
        return None;
    }
    Some(out)
}

/// One CSV field, quoted when it needs to be (RFC 4180).
pub(crate) fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

/// Whether `text` is an IP address or CIDR range, or several separated by
/// commas (as the allowlist accepts).
pub(crate) fn valid_ip_ranges(text: &str) -> bool {
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
pub(crate) fn valid_email(text: &str) -> bool {
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

/// Check a five-field UTC cron expression that fires at most every 15
/// minutes. The error says what is wrong.
pub(crate) fn check_cron(text: &str) -> Result<(), String> {
    let fields: Vec<&str> = text.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!(
            "a schedule has five cron fields, this one has {}",
            fields.len()
        ));
    }
    for field in &fields {
        if !field
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "*/,-?".contains(c))
        {
            return Err(format!("invalid cron field {field:?}"));
        }
    }
    let minutes = cron_values(fields[0], 0, 59)
        .ok_or_else(|| format!("invalid minute field {:?}", fields[0]))?;
    let single_hour = fields[1].parse::<u8>().is_ok();
    let mut gaps: Vec<u32> = minutes.windows(2).map(|w| w[1] - w[0]).collect();
    if !single_hour {
        if let (Some(first), Some(last)) = (minutes.first(), minutes.last()) {
            gaps.push(60 - last + first);
        }
    }
    if gaps.iter().any(|&gap| gap < 15) {
        return Err("a schedule may run at most every 15 minutes".into());
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
    fn base64_round_trips() {
        for text in [
            "",
            "f",
            "fo",
            "foo",
            "foob",
            "fooba",
            "foobar",
            "client:s3cr~t?",
        ] {
            assert_eq!(
                base64_decode(&base64url(text.as_bytes())).as_deref(),
                Some(text.as_bytes())
            );
        }
        assert_eq!(base64url(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_decode("Zm9vYg==").as_deref(), Some(&b"foob"[..]));
        assert_eq!(base64_decode("Z"), None);
        assert_eq!(base64_decode("Zm9v!"), None);
    }

    #[test]
    fn uuids_look_like_uuids() {
        let mut rng = Rng::from_entropy();
        let id = rng.uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(id.as_bytes()[14], b'4');
        assert_ne!(id, rng.uuid());
    }

    #[test]
    fn ip_ranges_and_emails_and_cron() {
        assert!(valid_ip_ranges("10.0.0.0/8"));
        assert!(valid_ip_ranges("10.0.0.1, 192.168.0.0/16,::1/128"));
        assert!(!valid_ip_ranges("10.0.0.0/33"));
        assert!(!valid_ip_ranges("example.com"));
        assert!(!valid_ip_ranges(""));
        assert!(valid_email("ada@example.com"));
        assert!(!valid_email("ada@example"));
        assert!(!valid_email("ada example@x.com"));
        assert!(check_cron("0 3 * * *").is_ok());
        assert!(check_cron("*/15 * * * *").is_ok());
        assert!(check_cron("0,30 * * * 1-5").is_ok());
        assert!(check_cron("*/5 * * * *").is_err());
        assert!(check_cron("* * * * *").is_err());
        assert!(check_cron("0 3 * *").is_err());
        assert!(check_cron("61 3 * * *").is_err());
        assert!(check_cron("0,50 * * * *").is_err());
        assert!(check_cron("0,50 4 * * *").is_ok());
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
