//! The auth module stands on the timing module and the error types only:
//! it imports nothing of the request pipeline, the client or the
//! configuration, and the retry module imports nothing of auth, so no
//! import circle runs through them.

use std::path::Path;

fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            found.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("read");
            found.push((path.display().to_string(), text));
        }
    }
    found
}

/// The first segment of every `crate::` path a file names, groups
/// (`crate::{a::b, c}`) included.
fn crate_paths(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        match rest.strip_prefix('{') {
            Some(group) => found.extend(group_heads(group)),
            None => found.push(identifier(rest)),
        }
    }
    found
}

/// The leading identifiers of the items of a `{...}` group (its text
/// after the opening brace).
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = vec![identifier(group.trim_start())];
    let mut depth = 1;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 1 => break,
            '}' => depth -= 1,
            ',' if depth == 1 => heads.push(identifier(group[i + 1..].trim_start())),
            _ => {}
        }
    }
    heads.retain(|h| !h.is_empty());
    heads
}

fn identifier(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

#[test]
fn auth_uses_only_errors_timing_and_secrets() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/auth");
    for (file, text) in sources(&root) {
        for module in crate_paths(&text) {
            assert!(
                matches!(
                    module.as_str(),
                    "error" | "retry" | "SecretString" | "Error" | "auth"
                ),
                "{file} uses crate::{module}"
            );
        }
        assert!(
            !text.contains("crate::retry::RetryPolicy") && !text.contains("crate::pipeline"),
            "{file}"
        );
    }
}

#[test]
fn retry_imports_nothing_of_auth() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/retry");
    for (file, text) in sources(&root) {
        assert!(
            !crate_paths(&text).iter().any(|m| m == "auth"),
            "{file} uses crate::auth"
        );
    }
}

#[test]
fn the_reader_sees_grouped_and_inline_paths() {
    let text = "use crate::{\n    error::AuthError,\n    pipeline::{a, b},\n    SecretString,\n};\nlet x = crate::config::X;";
    assert_eq!(
        crate_paths(text),
        ["error", "pipeline", "SecretString", "config"]
    );
}
