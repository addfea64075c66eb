//! The stable on-disk form of the vendored document, and writing it safely.
//!
//! The form is that of Python's `json.dumps(doc, indent=2, sort_keys=True)`,
//! which wrote the first version of the file: keys sorted, two-space
//! indentation, `,` at line ends, `": "` after keys, `{}` and `[]` for empty
//! containers, non-ASCII characters escaped as `\uXXXX`. Writing the same facts twice gives the
//! same bytes, so a refresh without changes leaves no diff.

use serde_json::Value;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// Serialize `doc` in the stable form, without a trailing newline.
pub fn to_stable_string(doc: &Value) -> String {
    let mut out = String::new();
    write_value(doc, 0, &mut out);
    out
}

fn write_value(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(s, out),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                newline(indent + 2, out);
                write_value(item, indent + 2, out);
            }
            newline(indent, out);
            out.push(']');
        }
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Object(map) => {
            // Sorted here, whatever order the map keeps: byte order of UTF-8
            // is code point order, which is Python's.
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (index, (key, item)) in entries.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                newline(indent + 2, out);
                write_string(key, out);
                out.push_str(": ");
                write_value(item, indent + 2, out);
            }
            newline(indent, out);
            out.push('}');
        }
    }
}

fn newline(indent: usize, out: &mut String) {
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A JSON string literal as Python writes it with `ensure_ascii=True`.
fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    // Writing to a String cannot fail.
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// Write `bytes` to `path` atomically: a temporary file in the same folder
/// is written, flushed to disk and renamed over `path`, so readers see the
/// old or the new file, never a part.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "document".into());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let temp = folder.join(format!(".{name}.{}.{nanos}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matches_python_json_dumps_indent_2_sort_keys() {
        let doc = json!({
            "b": "é\u{2028}😀\u{7f}\"\\\n\t\u{1}",
            "a": [],
            "c": {},
            "d": [1, 2.5, null, true, { "z": 1, "Z": 2 }]
        });
        // The output of Python's json.dumps(doc, indent=2, sort_keys=True).
        let python = "{\n  \"a\": [],\n  \"b\": \"\\u00e9\\u2028\\ud83d\\ude00\\u007f\\\"\\\\\\n\\t\\u0001\",\n  \"c\": {},\n  \"d\": [\n    1,\n    2.5,\n    null,\n    true,\n    {\n      \"Z\": 2,\n      \"z\": 1\n    }\n  ]\n}";
        assert_eq!(to_stable_string(&doc), python);
        let back: Value = serde_json::from_str(python).unwrap();
        assert_eq!(back, doc);
    }

    #[test]
    fn atomic_write_replaces_the_file_and_leaves_no_temporary() {
        let dir = std::env::temp_dir().join(format!("xtask-json-format-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("doc.json");
        std::fs::write(&path, "old").unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
