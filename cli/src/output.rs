//! Printing an answer: `-o json` (pretty, keys sorted, for `jq`), `yaml`,
//! `table` (for people: name, status and id first, fitted to the
//! terminal, never raw JSON), `tsv` (a header row, then tab-separated
//! rows) or `env` (`NAME=value` lines, for answers that have that form);
//! `--fields a,b` keeps those fields, `--jq EXPR` runs a jq filter in
//! process. Text answers print as they came.
//!
//! Secrets are shown only where the user asked: the answer of a create or
//! rotate that returns a secret shown once (with a warning on stderr; see
//! [`guard_secret_once`] for the checks before sending and [`emit`] for a
//! failed write), and `secrets list --show-values` (with a warning);
//! `secrets list` shows names only.
//!
//! A closed reader (`| head`) ends the command quietly with exit 0, except
//! where the answer holds a secret shown once.

use std::io::{self, Write};

use camunda_admin::{
    connection::ConnectionSettings,
    operation::OperationId,
    types::{ClusterClientConnectionDetails, CreatedClusterClient},
    JsonAnswer,
};
use clap::{parser::ValueSource, ArgMatches};
use comfy_table::{presets, ContentArrangement, Table};
use serde_json::{Map, Value};

use crate::{
    exit::{CliError, Kind},
    table::{Operation, OutputKind},
};

/// The arg ids of the output options.
pub const OUTPUT: &str = "output";
/// `--jq`.
pub const JQ: &str = "jq";
/// `--fields`.
pub const FIELDS: &str = "fields";
/// `--force`.
pub const FORCE: &str = "force";

/// How answers are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON, stable for scripts.
    Json,
    /// YAML.
    Yaml,
    /// A table for people.
    Table,
    /// Tab-separated values with a header row.
    Tsv,
    /// `NAME=value` lines.
    Env,
}

impl clap::ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            Format::Json,
            Format::Yaml,
            Format::Table,
            Format::Tsv,
            Format::Env,
        ]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        use clap::builder::PossibleValue as P;
        Some(match self {
            Format::Json => P::new("json").help("JSON, keys sorted, stable for scripts"),
            Format::Yaml => P::new("yaml").help("YAML"),
            Format::Table => P::new("table").help("A table for people, fitted to the terminal"),
            Format::Tsv => P::new("tsv").help("Tab-separated values with a header row"),
            Format::Env => P::new("env").help(
                "NAME=value lines (docker --env-file, set -a; . FILE); a created client's connection settings",
            ),
        })
    }
}

/// Whether an answer holds a secret the service shows this once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Nothing that would be lost.
    Plain,
    /// A secret shown once: it must reach the user.
    Once,
}

/// Whether `spec`'s answer holds a secret shown once (a created client's
/// secret, a monitoring password). One rule for every such command.
pub fn shows_secret_once(spec: &Operation) -> bool {
    spec.carries_secrets && spec.output == OutputKind::Json
}

/// The chosen format.
pub fn format(matches: &ArgMatches) -> Format {
    matches
        .try_get_one::<Format>(OUTPUT)
        .ok()
        .flatten()
        .copied()
        .unwrap_or(Format::Json)
}

fn jq_filter(matches: &ArgMatches) -> Option<&String> {
    matches.try_get_one::<String>(JQ).ok().flatten()
}

fn fields(matches: &ArgMatches) -> Option<Vec<String>> {
    let text = matches.try_get_one::<String>(FIELDS).ok().flatten()?;
    Some(
        text.split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

fn forced(matches: &ArgMatches) -> bool {
    matches.try_get_one::<bool>(FORCE).ok().flatten() == Some(&true)
}

/// The options' own conflicts: `--jq` prints jq's results, so another
/// explicit `-o` than json is a usage error.
pub fn check_options(matches: &ArgMatches) -> Result<(), CliError> {
    let explicit = matches.value_source(OUTPUT) == Some(ValueSource::CommandLine);
    if jq_filter(matches).is_some() && explicit && format(matches) != Format::Json {
        return Err(CliError::usage(
            "--jq prints jq's results; it takes no -o other than json",
        ));
    }
    Ok(())
}

/// Before a command whose answer holds a secret shown once is sent: stdout
/// must be writable (not closed, not `/dev/null`, where Rust's runtime
/// puts a closed stdout) and the chosen output must keep the whole answer
/// (no `--jq`, `--fields` or table, which may drop or cut the secret).
/// Else a usage error, unless `--force`.
pub fn guard_secret_once(spec: &Operation, matches: &ArgMatches) -> Result<(), CliError> {
    if !shows_secret_once(spec) || forced(matches) {
        return Ok(());
    }
    let what = format!(
        "{} {} answers with a secret shown only once",
        spec.command.group, spec.command.verb
    );
    if stdout_is_null() {
        return Err(CliError::usage(format!(
            "{what}, and stdout is closed or /dev/null: nothing sent (--force to send anyway)"
        )));
    }
    let drops = if jq_filter(matches).is_some() {
        Some("--jq")
    } else if fields(matches).is_some() {
        Some("--fields")
    } else if format(matches) == Format::Table {
        Some("-o table")
    } else {
        None
    };
    if let Some(option) = drops {
        return Err(CliError::usage(format!(
            "{what}, and {option} may leave it out: nothing sent (use -o json, yaml, tsv or env, or --force)"
        )));
    }
    Ok(())
}

/// Whether stdout is `/dev/null` (also a closed stdout, which Rust's
/// runtime reopens there).
#[cfg(unix)]
pub fn stdout_is_null() -> bool {
    use std::os::{fd::AsFd, unix::fs::MetadataExt};
    let Ok(fd) = io::stdout().as_fd().try_clone_to_owned() else {
        // A stdout that cannot even be duplicated is no place for a secret.
        return true;
    };
    let (Ok(out), Ok(null)) = (
        std::fs::File::from(fd).metadata(),
        std::fs::metadata("/dev/null"),
    ) else {
        return false;
    };
    (out.dev() == null.dev() && out.ino() == null.ino())
        || (out.rdev() == null.rdev() && out.rdev() != 0)
}

#[cfg(not(unix))]
pub fn stdout_is_null() -> bool {
    false
}

/// A line on stderr; a stderr that cannot be written loses the line only.
pub fn warn(message: &str) {
    let _ = writeln!(io::stderr(), "camunda-admin: {message}");
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
    if shows_secret_once(spec) {
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

/// Before sending: `-o env` only where the answer has that form (else the
/// change would be made and its answer refused).
pub fn check_env_form(spec: &Operation, matches: &ArgMatches) -> Result<(), CliError> {
    let has_form = matches!(spec.id, OperationId::CreateClient | OperationId::GetClient);
    if format(matches) == Format::Env && !has_form && jq_filter(matches).is_none() {
        return Err(CliError::usage(format!(
            "-o env: {} {} has no NAME=value form (clients create and clients get have)",
            spec.command.group, spec.command.verb
        )));
    }
    Ok(())
}

/// The `NAME=value` form of an answer, where it has one: a created
/// client's and a client's connection settings, with the Console's names
/// (`ZEEBE_ADDRESS`, `ZEEBE_CLIENT_ID`, `ZEEBE_CLIENT_SECRET`, ...), from
/// the library's one mapping ([`ConnectionSettings`]).
pub fn env_form(spec: &Operation, outcome: &JsonAnswer) -> Option<Vec<(String, String)>> {
    let JsonAnswer::Json(value) = outcome else {
        return None;
    };
    let settings = match spec.id {
        OperationId::CreateClient => {
            let created: CreatedClusterClient = serde_json::from_value(value.clone()).ok()?;
            ConnectionSettings::builder()
                .created_client(&created)
                .build()
        }
        OperationId::GetClient => {
            let details: ClusterClientConnectionDetails =
                serde_json::from_value(value.clone()).ok()?;
            ConnectionSettings::builder()
                .connection_details(&details)
                .build()
        }
        _ => return None,
    };
    Some(
        settings
            .iter()
            .map(|(name, value)| (name.to_owned(), value.expose().to_owned()))
            .collect(),
    )
}

/// The text `outcome` prints as, with the options of `matches`; `env` is
/// the answer's env form, where it has one.
pub fn render(
    outcome: &JsonAnswer,
    matches: &ArgMatches,
    env: Option<&[(String, String)]>,
) -> Result<String, CliError> {
    let value = match outcome {
        JsonAnswer::Empty => return Ok(String::new()),
        JsonAnswer::Text(text) => return Ok(text.clone()),
        JsonAnswer::Json(value) => value,
    };
    let selected;
    let value = match fields(matches) {
        Some(names) => {
            selected = select_fields(value, &names);
            &selected
        }
        None => value,
    };
    if let Some(filter) = jq_filter(matches) {
        let mut text = String::new();
        for result in crate::jq::run(filter, value)? {
            // As `gh --jq` and `jq -r`: strings raw, other values as JSON.
            match result {
                Value::String(s) => text.push_str(&s),
                other => text.push_str(&other.to_string()),
            }
            text.push('\n');
        }
        return Ok(text);
    }
    match format(matches) {
        Format::Json => {
            let mut text = serde_json::to_string_pretty(value)
                .map_err(|e| CliError::new(Kind::Other, format!("cannot print JSON: {e}")))?;
            text.push('\n');
            Ok(text)
        }
        Format::Yaml => serde_saphyr::to_string(value)
            .map_err(|e| CliError::new(Kind::Other, format!("cannot print YAML: {e}"))),
        Format::Table => Ok(table(value, terminal_width())),
        Format::Tsv => Ok(tsv(value)),
        Format::Env => match env {
            Some(pairs) => env_lines(pairs),
            None => Err(CliError::usage(
                "-o env: this answer has no NAME=value form (a created client has)",
            )),
        },
    }
}

/// Print `outcome` on stdout. A closed reader ends the command quietly
/// (exit 0); for an answer with a secret shown once, a failed write prints
/// the answer on stderr with the warning instead (exit 1), so the secret
/// is not lost.
pub fn emit(
    outcome: &JsonAnswer,
    matches: &ArgMatches,
    shown: Shown,
    env: Option<&[(String, String)]>,
) -> Result<(), CliError> {
    let text = render(outcome, matches, env)?;
    if text.is_empty() {
        return Ok(());
    }
    let mut stdout = io::stdout().lock();
    let written = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    match written {
        Ok(()) => Ok(()),
        Err(error) if shown == Shown::Once => {
            // The whole answer as JSON: whatever the chosen output, the
            // secret is in it.
            let whole = match outcome {
                JsonAnswer::Json(value) => serde_json::to_string_pretty(value).unwrap_or_default(),
                _ => text,
            };
            let _ = writeln!(
                io::stderr(),
                "camunda-admin: warning: stdout could not be written ({error}); the answer with its secret, shown only this once, follows here:\n{whole}"
            );
            Err(CliError::new(
                Kind::Other,
                format!("cannot write to stdout: {error} (the answer went to stderr)"),
            ))
        }
        Err(error) => write_failure(error),
    }
}

/// A closed reader is the reader's choice (`| head`): quiet, exit 0.
pub fn write_failure(error: io::Error) -> Result<(), CliError> {
    if error.kind() == io::ErrorKind::BrokenPipe {
        return Ok(());
    }
    Err(CliError::new(
        Kind::Other,
        format!("cannot write to stdout: {error}"),
    ))
}

/// Write `text` on stdout, a closed reader ending quietly.
pub fn print_text(text: &str) -> Result<(), CliError> {
    let mut stdout = io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(error) => write_failure(error),
    }
}

/// `NAME=value` lines: no `export`, no quotes, so that `docker --env-file`
/// and `set -a; . FILE` read the same values; a value either would read
/// differently is refused.
pub fn env_lines(pairs: &[(String, String)]) -> Result<String, CliError> {
    let mut text = String::new();
    for (name, value) in pairs {
        if value
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '$' | '\\' | '`'))
        {
            return Err(CliError::usage(format!(
                "-o env: the value of {name} holds whitespace, a quote, $ or a backslash, which NAME=value lines cannot carry; use -o json"
            )));
        }
        text.push_str(&format!("{name}={value}\n"));
    }
    Ok(text)
}

/// Keep `names` of an object, or of each object of a list; a name may be
/// a dotted path (`status.ready`).
fn select_fields(value: &Value, names: &[String]) -> Value {
    let pick = |item: &Value| -> Value {
        let mut out = Map::new();
        for name in names {
            let found = name.split('.').try_fold(item, |v, key| v.get(key)).cloned();
            if let Some(found) = found {
                out.insert(name.clone(), found);
            }
        }
        Value::Object(out)
    };
    match value {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| if i.is_object() { pick(i) } else { i.clone() })
                .collect(),
        ),
        Value::Object(_) => pick(value),
        other => other.clone(),
    }
}

/// The width to fit a table in: the terminal's, else `COLUMNS`, else none.
fn terminal_width() -> Option<u16> {
    if let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size() {
        return Some(w);
    }
    std::env::var("COLUMNS").ok()?.parse().ok()
}

/// Columns that come first, in this order: what a thing is called, how it
/// is, and its id; the rest follow by name.
const FIRST: &[&str] = &[
    "name",
    "clientName",
    "secretName",
    "email",
    "ip",
    "status",
    "state",
    "uuid",
    "clientId",
    "id",
];

/// The rows of a list of objects: `(column, cell)` per field, nested
/// objects by their headline, lists of objects by their items' headlines.
fn rows(items: &[Value]) -> (Vec<String>, Vec<Vec<(String, String)>>) {
    let rows: Vec<Vec<(String, String)>> = items.iter().map(summary).collect();
    let mut columns: Vec<String> = Vec::new();
    for (key, _) in rows.iter().flatten() {
        if !columns.contains(key) {
            columns.push(key.clone());
        }
    }
    columns.sort_by_key(|c| {
        (
            FIRST.iter().position(|f| f == c).unwrap_or(FIRST.len()),
            c.clone(),
        )
    });
    (columns, rows)
}

fn cell_of(row: &[(String, String)], column: &str) -> String {
    row.iter()
        .find(|(k, _)| k == column)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// A table of `value`, at most `width` wide: one row per item of a list
/// (leading columns first; trailing columns dropped until it fits), two
/// columns for an object (nested fields as `a.b`), one unnamed column for
/// a list of plain values. An empty list prints nothing.
pub fn table(value: &Value, width: Option<u16>) -> String {
    let new = || {
        let mut table = Table::new();
        table
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled);
        table
    };
    match value {
        Value::Array(items) if items.is_empty() => String::new(),
        Value::Array(items) if items.iter().all(Value::is_object) => {
            let (columns, rows) = rows(items);
            let build = |n: usize| {
                let mut table = new();
                table.set_header(columns.iter().take(n));
                for row in &rows {
                    table.add_row(columns.iter().take(n).map(|c| cell_of(row, c)));
                }
                table
            };
            let mut shown = columns.len();
            let mut table = build(shown);
            if let Some(width) = width {
                while shown > 1 && widest_line(&table.to_string()) > usize::from(width) {
                    shown -= 1;
                    table = build(shown);
                }
            }
            format!("{table}\n")
        }
        Value::Array(items) => {
            let mut text = String::new();
            for item in items {
                text.push_str(&cell(item));
                text.push('\n');
            }
            text
        }
        Value::Object(_) => {
            let mut table = new();
            table.set_header(["field", "value"]);
            if let Some(width) = width {
                table
                    .set_content_arrangement(ContentArrangement::Dynamic)
                    .set_width(width);
            }
            for (key, value) in flatten(value) {
                table.add_row([key, value]);
            }
            format!("{table}\n")
        }
        other => format!("{}\n", cell(other)),
    }
}

fn widest_line(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// Tab-separated: a header row, then a row per item (nested values as in
/// tables); an object is one row; a list of plain values one per line.
/// Tabs, line breaks and backslashes in values are escaped as `\t`, `\n`,
/// `\\` (as `jq @tsv`).
pub fn tsv(value: &Value) -> String {
    let line = |cells: Vec<String>| {
        let mut line = cells
            .iter()
            .map(|c| escape_tsv(c))
            .collect::<Vec<_>>()
            .join("\t");
        line.push('\n');
        line
    };
    match value {
        Value::Array(items) if items.iter().all(Value::is_object) && !items.is_empty() => {
            let (columns, rows) = rows(items);
            let mut text = line(columns.clone());
            for row in &rows {
                text.push_str(&line(columns.iter().map(|c| cell_of(row, c)).collect()));
            }
            text
        }
        Value::Array(items) => items.iter().map(|i| line(vec![cell(i)])).collect(),
        Value::Object(_) => {
            let pairs = flatten(value);
            let mut text = line(pairs.iter().map(|(k, _)| k.clone()).collect());
            text.push_str(&line(pairs.into_iter().map(|(_, v)| v).collect()));
            text
        }
        other => line(vec![cell(other)]),
    }
}

fn escape_tsv(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

/// The headline of an object: its name, else how it is, else its type or
/// address.
fn headline(object: &Map<String, Value>) -> Option<String> {
    ["name", "ready", "status", "state", "type", "ip", "uuid"]
        .iter()
        .find_map(|k| object.get(*k).filter(|v| !v.is_object() && !v.is_array()))
        .map(cell)
}

/// The top-level fields of a list item, each nested object by its headline.
fn summary(item: &Value) -> Vec<(String, String)> {
    let Value::Object(map) = item else {
        return Vec::new();
    };
    map.iter()
        .filter_map(|(key, value)| match value {
            Value::Object(inner) => headline(inner).map(|h| (key.clone(), h)),
            other => Some((key.clone(), cell(other))),
        })
        .collect()
}

/// `(path, text)` of each leaf, nested objects as `a.b`, items of lists of
/// objects as `a.0.b`.
fn flatten(value: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    walk("", value, &mut out);
    out
}

fn walk(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    let join = |key: &str| {
        if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        }
    };
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, value) in map {
                walk(&join(key), value, out);
            }
        }
        Value::Array(items) if items.iter().any(|i| i.is_object() || i.is_array()) => {
            for (i, item) in items.iter().enumerate() {
                walk(&join(&i.to_string()), item, out);
            }
        }
        other => out.push((prefix.to_owned(), cell(other))),
    }
}

/// A value as a cell: text as it is, lists of plain values joined, an
/// object by its headline, a list of objects by their headlines; never
/// JSON.
fn cell(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Object(map) => headline(map).unwrap_or_else(|| format!("({} fields)", map.len())),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn header(text: &str) -> Vec<String> {
        let header = text.lines().nth(1).expect("a header line");
        header
            .split(['│', '┆'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn lists_become_rows_with_name_status_and_id_first() {
        let text = table(
            &json!([
                { "uuid": "u1", "name": "a", "status": { "ready": "Healthy" }, "links": { "zeebe": "z:443" }, "created": "t" },
                { "uuid": "u2", "name": "b", "status": { "ready": "Creating" }, "tags": ["x", "y"], "region": { "name": "Belgium", "uuid": "r1" } }
            ]),
            None,
        );
        assert_eq!(
            header(&text),
            ["name", "status", "uuid", "created", "region", "tags"],
            "{text}"
        );
        assert!(
            text.contains("Creating") && text.contains("x, y") && text.contains("Belgium"),
            "{text}"
        );
        assert!(!text.contains('{'), "no JSON in cells: {text}");
        let one = table(
            &json!({ "name": "a", "links": { "zeebe": "z:443" }, "ipallowlist": [{ "ip": "10.0.0.0/8", "description": "office" }] }),
            None,
        );
        assert!(
            one.contains("links.zeebe") && one.contains("ipallowlist.0.ip"),
            "{one}"
        );
        assert!(!one.contains('{'), "{one}");
        assert_eq!(table(&json!("plain"), None), "plain\n");
        assert_eq!(table(&json!([]), None), "");
        assert_eq!(
            table(&json!(["A", "B"]), None),
            "A\nB\n",
            "no `value` header"
        );
    }

    #[test]
    fn tables_fit_the_width_by_dropping_trailing_columns() {
        let wide = json!([{ "name": "a", "uuid": "0b6f0b4e-58d1-4c38-8d0a-5d7e7c9f1a11", "zzz": "x".repeat(80) }]);
        let text = table(&wide, Some(60));
        assert!(widest_line(&text) <= 60, "{text}");
        assert_eq!(header(&text), ["name", "uuid"], "{text}");
    }

    #[test]
    fn tsv_has_a_header_row_and_escapes_tabs() {
        let text = tsv(&json!([{ "name": "a\tb", "uuid": "u1" }, { "name": "c", "uuid": "u2" }]));
        assert_eq!(text, "name\tuuid\na\\tb\tu1\nc\tu2\n");
    }

    #[test]
    fn env_lines_refuse_what_readers_would_read_differently() {
        let ok = env_lines(&[("A".into(), "x:1/y".into())]).expect("plain");
        assert_eq!(ok, "A=x:1/y\n");
        for bad in ["a b", "a\"b", "a$b", "a\\b", "a\nb", "a'b"] {
            assert!(env_lines(&[("A".into(), bad.into())]).is_err(), "{bad}");
        }
    }

    #[test]
    fn fields_keep_what_was_named() {
        let value = json!([{ "name": "a", "status": { "ready": "Healthy" }, "uuid": "u" }]);
        assert_eq!(
            select_fields(&value, &["name".into(), "status.ready".into()]),
            json!([{ "name": "a", "status.ready": "Healthy" }])
        );
    }

    #[test]
    fn secret_lists_show_names_only() {
        let names = secret_names(json!({ "DB_PASSWORD": "hunter2", "API_KEY": "k" }));
        assert_eq!(names, json!(["API_KEY", "DB_PASSWORD"]));
        assert_eq!(secret_names(json!("hunter2")), json!([]));
    }
}
