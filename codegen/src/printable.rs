//! Text quoted from a document, made safe to print.
//!
//! A name or text in an OpenAPI document can hold anything: a newline
//! (which would start a forged line in a report, or a `cargo:` directive
//! in a build script's output), an escape sequence (which retitles or
//! clears a terminal), a bidirectional override (which reorders what a
//! reader sees). Every message that quotes a document passes the quoted
//! text through [`printable`] (or [`Printable`]), which shows such
//! characters as `\u{..}` and leaves everything else as it is.

use std::fmt;

/// `text` with every control character (C0, DEL, C1), Unicode line and
/// paragraph separator and bidirectional formatting character written as
/// `\u{..}` (hexadecimal), so that it prints as one inert line.
///
/// ```
/// use camunda_admin_codegen::printable;
/// assert_eq!(printable("a\nb\u{1b}[2J"), "a\\u{a}b\\u{1b}[2J");
/// assert_eq!(printable("Cluster é"), "Cluster é");
/// ```
pub fn printable(text: &str) -> String {
    Printable(text).to_string()
}

/// Displays its text as [`printable`] does, without an allocation.
#[derive(Debug, Clone, Copy)]
pub struct Printable<'a>(pub &'a str);

impl fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(is_unsafe) {
            f.write_str(&rest[..at])?;
            let c = rest[at..].chars().next().unwrap_or_default();
            write!(f, "\\u{{{:x}}}", u32::from(c))?;
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

/// Characters that change what a terminal, a log or cargo does with the
/// text around them.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            // Line and paragraph separators, which some viewers break on.
            '\u{2028}' | '\u{2029}'
            // Bidirectional embeddings, overrides and isolates.
            | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
            // Marks that flip the direction of neighbouring text.
            | '\u{200e}' | '\u{200f}' | '\u{61c}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newline_never_starts_a_cargo_directive() {
        let name = "Cluster\ncargo:rustc-env=EVIL=1\r\ncargo::warning=forged";
        let shown = printable(name);
        assert!(!shown.contains('\n') && !shown.contains('\r'), "{shown}");
        assert_eq!(
            shown,
            "Cluster\\u{a}cargo:rustc-env=EVIL=1\\u{d}\\u{a}cargo::warning=forged"
        );
        // As the build script prints it: still one line.
        assert_eq!(
            format!("cargo:warning={}", Printable(name)).lines().count(),
            1
        );
    }

    #[test]
    fn escape_sequences_are_neutralised() {
        let name = "X\u{1b}]0;owned\u{7}\u{1b}[2J\u{9b}31m\u{7f}\u{0}";
        let shown = printable(name);
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert_eq!(
            shown,
            "X\\u{1b}]0;owned\\u{7}\\u{1b}[2J\\u{9b}31m\\u{7f}\\u{0}"
        );
    }

    #[test]
    fn bidirectional_overrides_and_separators_are_shown() {
        assert_eq!(
            printable("a\u{202e}b\u{2066}c\u{2028}d"),
            "a\\u{202e}b\\u{2066}c\\u{2028}d"
        );
    }

    #[test]
    fn ordinary_text_is_unchanged() {
        for text in [
            "",
            "Record_string.never_",
            "Größe 5 €",
            "a\\u{1b}",
            "日本語 😀",
        ] {
            assert_eq!(printable(text), text);
        }
    }
}
