//! Path parameters: each value is exactly one path segment of its
//! operation's path, never a step to another resource.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::{error::Error, operation::Operation};

/// Characters a path segment may carry as they are (RFC 3986 `pchar`):
/// unreserved, sub-delims, `:` and `@`. Everything else is encoded, `/`,
/// `\` (which URL parsers read as `/`), `%`, `?` and `#` included.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// One path segment for `value` (the generated bindings call it for every
/// path parameter, instead of progenitor's own encoder).
pub(crate) fn encode_path_segment(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// Refuse path parameters that a URL parser (or a server decoding once
/// more) would read as a dot segment or an empty segment: `..` as a secret
/// name must not turn `DELETE /clusters/c1/secrets/..` into
/// `DELETE /clusters/c1/`. Checked before any token fetch or request.
pub(crate) fn check_path_params(operation: &Operation, values: &[String]) -> Result<(), Error> {
    for (param, value) in operation.path_params.iter().zip(values) {
        let name = param.name;
        if is_dot_or_empty_segment(value) {
            return Err(Error::InvalidRequest {
                operation: operation.id,
                reason: format!(
                    "the path parameter {name} must not be empty, \".\" or \"..\" (also percent-encoded)"
                ),
            });
        }
    }
    Ok(())
}

/// Whether `value`, percent-decoded as often as it changes, is empty, `.`
/// or `..`. Each round that decodes something makes the text shorter, so
/// the loop ends.
fn is_dot_or_empty_segment(value: &str) -> bool {
    let mut text = std::borrow::Cow::Borrowed(value);
    loop {
        if matches!(text.as_ref(), "" | "." | "..") {
            return true;
        }
        let decoded: Vec<u8> = percent_encoding::percent_decode_str(&text).collect();
        if decoded.as_slice() == text.as_bytes() {
            return false;
        }
        text = std::borrow::Cow::Owned(String::from_utf8_lossy(&decoded).into_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_segments_are_found_through_any_number_of_encodings() {
        for value in [
            "",
            ".",
            "..",
            "%2e",
            "%2E%2e",
            ".%2E",
            "%252e%252E",
            "%25252e.",
        ] {
            assert!(is_dot_or_empty_segment(value), "{value:?}");
        }
        for value in ["...", "a..", "..b", "%2e%2e%2e", "x", "%zz", "%"] {
            assert!(!is_dot_or_empty_segment(value), "{value:?}");
        }
    }

    #[test]
    fn every_other_value_stays_one_segment() {
        assert_eq!(encode_path_segment("a/b\\c?d#e%f"), "a%2Fb%5Cc%3Fd%23e%25f");
        assert_eq!(encode_path_segment("jane@example.com"), "jane@example.com");
        assert_eq!(encode_path_segment("a b"), "a%20b");
        assert_eq!(encode_path_segment("ü"), "%C3%BC");
    }
}
