//! Printing an answer: JSON on stdout (pretty, keys sorted, for `jq`) or a
//! table for people; text answers as they came. Secrets are shown only
//! where the user asked: the answer of a create or rotate that returns a
//! secret (once, with a warning on stderr), and `secrets list
//! --show-values` (with a warning); `secrets list` shows names only.

use std::io::{self, Write};

use camunda_admin::JsonAnswer;
use comfy_table::{presets, ContentArrangement, Table};
use serde_json::Value;

use crate::{
    exit::{CliError, Kind},
    table::{Operation, OutputKind},
};

/// How answers are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON, stable for scripts.
    Json,
    /// A table for people.
    Table,
}

impl clap::ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &[Format::Json, Format::Table]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(match self {
            Format::Json => {
                clap::builder::PossibleValue::new("json").help("JSON, stable for scripts")
            }
            Format::Table => clap::builder::PossibleValue::new("table").help("A table for people"),
        })
    }
}

/// The answer of `spec` as the user may see it, with the warnings that go
/// to stderr.
pub fn reveal(
    spec: &Operation,
    outcome: JsonAnswer,
    show_values: bool,
) -> (JsonAnswer, Vec<String>) {
    let JsonAnswer::Json(value) = outcome else {
        return (outcome, Vec::new());
    };
    if spec.output == OutputKind::SecretValues {
        if show_values {
            let warning = "warning: printing the values of the cluster's connector secrets; keep this output out of logs".to_owned();
            return (JsonAnswer::Json(value), vec![warning]);
        }
        return (JsonAnswer::Json(secret_names(value)), Vec::new());
    }
    if spec.carries_secrets && spec.output == OutputKind::Json {
        let warning = format!(
            "warning: this answer holds a secret that is shown now and never again ({}); store it safely",
            spec.summary
        );
        return (JsonAnswer::Json(value), vec![warning]);
    }
    (JsonAnswer::Json(value), Vec::new())
}

/// A map of secret names to values, as the list of its names.
fn secret_names(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Array(
            map.into_iter()
                .map(|(name, _)| Value::String(name))
                .collect(),
        ),
        // Never echo something unexpected: it may be a value.
        _ => Value::Array(Vec::new()),
    }
}

/// Print `outcome` on stdout.
pub fn print(outcome: &JsonAnswer, format: Format) -> Result<(), CliError> {
    let text = match (outcome, format) {
        (JsonAnswer::Empty, _) => return Ok(()),
        (JsonAnswer::Text(text), _) => text.clone(),
        (JsonAnswer::Json(value), Format::Json) => {
            let mut text = serde_json::to_string_pretty(value)
                .map_err(|e| CliError::new(Kind::Other, format!("cannot print JSON: {e}")))?;
            text.push('\n');
            text
        }
        (JsonAnswer::Json(value), Format::Table) => format!("{}\n", table(value)),
    };
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::new(Kind::Other, format!("cannot write to stdout: {e}")))
}

/// A table of `value`: one row per item of an array (columns from the
/// items' fields; a nested object shows its name, or its status or type,
/// else is left to the JSON output), two columns for an object (nested
/// fields as `a.b`).
pub fn table(value: &Value) -> String {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled);
    match value {
        Value::Array(items) if items.iter().all(Value::is_object) && !items.is_empty() => {
            let rows: Vec<Vec<(String, String)>> = items.iter().map(summary).collect();
            let mut columns: Vec<String> = Vec::new();
            for (key, _) in rows.iter().flatten() {
                if !columns.contains(key) {
                    columns.push(key.clone());
                }
            }
            table.set_header(columns.clone());
            for row in rows {
                table.add_row(columns.iter().map(|c| {
                    row.iter()
                        .find(|(k, _)| k == c)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                }));
            }
        }
        Value::Array(items) => {
            table.set_header(["value"]);
            for item in items {
                table.add_row([cell(item)]);
            }
        }
        Value::Object(_) => {
            table.set_header(["field", "value"]);
            for (key, value) in flatten(value) {
                table.add_row([key, value]);
            }
        }
        other => return cell(other),
    }
    table.to_string()
}

/// The top-level fields of a list item, each nested object by its headline.
fn summary(item: &Value) -> Vec<(String, String)> {
    let Value::Object(map) = item else {
        return Vec::new();
    };
    map.iter()
        .filter_map(|(key, value)| match value {
            Value::Object(inner) => ["name", "ready", "status", "type"]
                .iter()
                .find_map(|k| inner.get(*k).filter(|v| !v.is_object()))
                .map(|headline| (key.clone(), cell(headline))),
            other => Some((key.clone(), cell(other))),
        })
        .collect()
}

/// `(path, text)` of each leaf, nested objects as `a.b`.
fn flatten(value: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    walk("", value, &mut out);
    out
}

fn walk(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, value) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                walk(&path, value, out);
            }
        }
        other => out.push((prefix.to_owned(), cell(other))),
    }
}

fn cell(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            items.iter().map(cell).collect::<Vec<_>>().join(", ")
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_become_rows_of_headlines_and_objects_rows_of_fields() {
        let text = table(&json!([
            { "name": "a", "status": { "ready": "Healthy" }, "links": { "zeebe": "z:443" } },
            { "name": "b", "status": { "ready": "Creating" }, "tags": ["x", "y"], "region": { "name": "Belgium", "uuid": "r1" } }
        ]));
        let header = text.lines().nth(1).expect("a header line");
        let columns: Vec<&str> = header
            .split(['│', '┆'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        assert_eq!(columns, ["name", "status", "region", "tags"], "{text}");
        assert!(
            text.contains("Creating") && text.contains("x, y") && text.contains("Belgium"),
            "{text}"
        );
        assert!(
            !text.contains("z:443"),
            "objects without a headline are left out of lists: {text}"
        );
        let one = table(&json!({ "name": "a", "links": { "zeebe": "z:443" } }));
        assert!(
            one.contains("links.zeebe") && one.contains("z:443"),
            "{one}"
        );
        assert_eq!(table(&json!("plain")), "plain");
    }

    #[test]
    fn secret_lists_show_names_only() {
        let names = secret_names(json!({ "DB_PASSWORD": "hunter2", "API_KEY": "k" }));
        assert_eq!(names, json!(["API_KEY", "DB_PASSWORD"]));
        assert_eq!(secret_names(json!("hunter2")), json!([]));
    }
}
