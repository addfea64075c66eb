//! Removing secrets from text a server sent back, before the text becomes
//! part of an error: a gateway or a misconfigured server may echo the
//! request, its `Authorization` header or its form body included.

/// What replaces a secret.
pub(crate) const MASK: &str = "***";

/// `text` without any of `secrets` (as they are, form-encoded or
/// JSON-escaped) and without whatever follows `Bearer ` up to the next
/// quote, comma or whitespace.
pub(crate) fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = mask_bearer(text);
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        for form in spellings(secret) {
            if out.contains(form.as_str()) {
                out = out.replace(form.as_str(), MASK);
            }
        }
    }
    out
}

/// A secret as it can appear in an echoed body: plain, form-encoded (the
/// token request body) and escaped inside a JSON string.
fn spellings(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_owned()];
    let form: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let json = serde_json::to_string(secret).unwrap_or_default();
    let json = json.trim_matches('"').to_owned();
    for other in [form, json] {
        if !forms.contains(&other) {
            forms.push(other);
        }
    }
    forms
}

fn mask_bearer(text: &str) -> String {
    const BEARER: &str = "bearer ";
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    while let Some(found) = lower[rest..].find(BEARER) {
        let start = rest + found + BEARER.len();
        out.push_str(&text[rest..start]);
        let end = text[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ';' | '}' | ']'))
            .map_or(text.len(), |n| start + n);
        if end > start {
            out.push_str(MASK);
        }
        rest = end;
    }
    out.push_str(&text[rest..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoed_headers_and_bodies_lose_their_secrets() {
        let echo = r#"{"headers":{"authorization":"Bearer eyJ.abc.def"},"body":"grant_type=client_credentials&client_secret=s%2Bc%2Fr%3Det","raw":"s+c/r=et"}"#;
        let clean = redact(echo, &["s+c/r=et"]);
        assert!(!clean.contains("eyJ"), "{clean}");
        assert!(!clean.contains("s%2Bc"), "{clean}");
        assert!(!clean.contains("s+c/r=et"), "{clean}");
        assert!(clean.contains(r#""Bearer ***""#), "{clean}");
    }

    #[test]
    fn json_escaped_secrets_and_any_case_of_bearer_are_masked() {
        let clean = redact(r#"{"v":"a\"b", "h":"BEARER tok en"}"#, &["a\"b"]);
        assert_eq!(clean, r#"{"v":"***", "h":"BEARER *** en"}"#);
    }

    #[test]
    fn text_without_secrets_is_unchanged() {
        assert_eq!(
            redact("cluster not found", &["", "zzz"]),
            "cluster not found"
        );
        assert_eq!(redact("Bearer", &[]), "Bearer");
    }
}
