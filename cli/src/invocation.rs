//! From a command's arguments to a [`JsonCall`]: positionals to path
//! parameters, flags to query parameters and body fields (over `--body`),
//! secret fields from a file, stdin or the environment.

use camunda_admin::{Client, JsonCall};
use clap::ArgMatches;
use serde_json::{Map, Value};

use crate::{
    commands::{self, BODY},
    exit::CliError,
    names,
    sources::{self, Stdin},
    table::{Field, Operation},
};

/// The calls of `spec` that `matches` describes: one, or one per value of
/// a path parameter that takes several (`clusters delete A B`).
pub fn from_matches(
    spec: &Operation,
    matches: &ArgMatches,
    stdin: &Stdin,
) -> Result<Vec<JsonCall>, CliError> {
    let mut paths: Vec<Vec<String>> = vec![Vec::new()];
    for (index, param) in spec.path_params.iter().enumerate() {
        let values: Vec<String> = matches
            .get_many::<String>(&commands::path_id(param))
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        if values.is_empty() {
            return Err(CliError::usage(format!("{} is missing", param.name)));
        }
        if values.len() > 1 && !commands::takes_several(spec, index) {
            return Err(CliError::usage(format!("{} takes one value", param.name)));
        }
        paths = paths
            .into_iter()
            .flat_map(|path| {
                values.iter().map(move |v| {
                    let mut path = path.clone();
                    path.push(v.clone());
                    path
                })
            })
            .collect();
    }
    let call = one_call(spec, matches, stdin)?;
    Ok(paths
        .into_iter()
        .map(|path| {
            let mut call = call.clone();
            call.path = path;
            call
        })
        .collect())
}

/// The query and body of the call (its path comes from [`from_matches`]).
fn one_call(spec: &Operation, matches: &ArgMatches, stdin: &Stdin) -> Result<JsonCall, CliError> {
    let text = |id: &str| matches.get_one::<String>(id).cloned();
    let query = spec
        .query_params
        .iter()
        .filter_map(|p| text(&commands::flag_of(p.name)).map(|v| (p.name.to_owned(), v)))
        .collect();
    let body = match &spec.body {
        Some(body) => Some(body_of(
            body.fields,
            matches,
            stdin,
            &names::covered(spec, matches),
        )?),
        None => None,
    };
    let mut call = JsonCall::new(Vec::<String>::new());
    call.query = query;
    call.body = body;
    Ok(call)
}

/// `--body` (an object), with each field given by a flag set over it, and
/// every required field present (or `covered` by a name lookup to come).
fn body_of(
    fields: &[Field],
    matches: &ArgMatches,
    stdin: &Stdin,
    covered: &[&str],
) -> Result<Value, CliError> {
    let mut body = match matches.get_one::<String>(BODY) {
        Some(path) => base_body(path, stdin)?,
        None => Map::new(),
    };
    for field in fields {
        if let Some(value) = field_value(field, matches, stdin)? {
            body.insert(field.name.to_owned(), value);
        }
    }
    let missing: Vec<String> = fields
        .iter()
        .filter(|f| f.required && !body.contains_key(f.name) && !covered.contains(&f.name))
        .map(describe_flag)
        .collect();
    if !missing.is_empty() {
        return Err(CliError::usage(format!(
            "missing {} (or the field in --body)",
            missing.join(", ")
        )));
    }
    Ok(Value::Object(body))
}

/// Whether `--ignore-not-found` is given.
pub fn ignores_not_found(matches: &ArgMatches) -> bool {
    matches
        .try_get_one::<bool>(commands::IGNORE_NOT_FOUND)
        .ok()
        .flatten()
        == Some(&true)
}

/// The last path value of a call: what a delete of several names.
fn subject(call: &JsonCall) -> String {
    call.path.last().cloned().unwrap_or_default()
}

/// Send each call in turn (a delete of several ids), each outcome on
/// stderr; `--ignore-not-found` makes a 404 a success. The first failure
/// is the command's.
pub async fn each(
    client: &Client,
    spec: &Operation,
    calls: Vec<JsonCall>,
    matches: &ArgMatches,
    dry_run: bool,
) -> Result<(), CliError> {
    let ignore = ignores_not_found(matches);
    let mut first: Option<CliError> = None;
    for mut call in calls {
        let named = subject(&call);
        let result = async {
            names::resolve_path(client, spec, &mut call.path).await?;
            if dry_run {
                return show_prepared(client, spec, &call).map(|()| "");
            }
            match client.call_json(spec.id, call).await {
                Ok(_) => Ok("done"),
                Err(e) if ignore && e.status().map(|s| s.as_u16()) == Some(404) => {
                    Ok("not found, ignored")
                }
                Err(e) => Err(CliError::from(e)),
            }
        }
        .await;
        match result {
            Ok("") => {}
            Ok(outcome) => crate::output::warn(&format!(
                "{} {} {named}: {outcome}",
                spec.command.group, spec.command.verb
            )),
            Err(error) => {
                crate::output::warn(&format!(
                    "{} {} {named}: failed: {error}",
                    spec.command.group, spec.command.verb
                ));
                first.get_or_insert(error);
            }
        }
    }
    match first {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// `--dry-run`: the request as the SDK would send it, as JSON on stdout.
pub fn show_prepared(client: &Client, spec: &Operation, call: &JsonCall) -> Result<(), CliError> {
    let prepared = client.prepare_json(spec.id, call)?;
    let mut shown = serde_json::json!({
        "operation": prepared.operation.as_str(),
        "method": prepared.method.as_str(),
        "url": prepared.url,
    });
    if let Some(body) = prepared.body {
        shown["body"] = body;
    }
    let mut text = serde_json::to_string_pretty(&shown)
        .map_err(|e| CliError::new(crate::exit::Kind::Other, format!("cannot print: {e}")))?;
    text.push('\n');
    crate::output::print_text(&text)
}

fn describe_flag(field: &Field) -> String {
    if field.secret {
        format!(
            "--{} or --{}",
            commands::secret_file_flag(field),
            commands::secret_env_flag(field)
        )
    } else {
        format!("--{}", commands::flag_of(field.name))
    }
}

fn base_body(path: &str, stdin: &Stdin) -> Result<Map<String, Value>, CliError> {
    let text = sources::read(path, sources::MAX_BODY_BYTES, "--body", stdin)?;
    match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(CliError::usage("--body must hold a JSON object")),
        // Position only: the text may hold a secret value.
        Err(e) => Err(CliError::usage(format!(
            "--body is not JSON (line {}, column {})",
            e.line(),
            e.column()
        ))),
    }
}

/// The value a flag gives `field`, if any.
fn field_value(
    field: &Field,
    matches: &ArgMatches,
    stdin: &Stdin,
) -> Result<Option<Value>, CliError> {
    if field.secret {
        return secret_value(field, matches, stdin);
    }
    let flag = commands::flag_of(field.name);
    match field.json_type {
        "boolean" => Ok(matches.get_one::<bool>(&flag).map(|b| Value::Bool(*b))),
        "array" => match matches.get_many::<String>(&flag) {
            Some(items) => Ok(Some(Value::Array(items.map(|i| array_item(i)).collect()))),
            None => Ok(None),
        },
        json_type => match matches.get_one::<String>(&flag) {
            Some(text) => scalar(json_type, text, &flag).map(Some),
            None => Ok(None),
        },
    }
}

fn secret_value(
    field: &Field,
    matches: &ArgMatches,
    stdin: &Stdin,
) -> Result<Option<Value>, CliError> {
    let what = format!("the {} value", field.name);
    let value = if let Some(path) = matches.get_one::<String>(&commands::secret_file_flag(field)) {
        sources::secret_from_file(path, &what, stdin)?
    } else if let Some(var) = matches.get_one::<String>(&commands::secret_env_flag(field)) {
        sources::secret_from_env(var, &what)?
    } else {
        return Ok(None);
    };
    Ok(Some(Value::String(value)))
}

/// An array item: JSON where it parses as an object or array, else text.
fn array_item(item: &str) -> Value {
    match serde_json::from_str::<Value>(item) {
        Ok(value @ (Value::Object(_) | Value::Array(_))) => value,
        _ => Value::String(item.to_owned()),
    }
}

fn scalar(json_type: &str, text: &str, flag: &str) -> Result<Value, CliError> {
    match json_type {
        "number" | "integer" => number(text)
            .ok_or_else(|| CliError::usage(format!("--{flag} takes a number, not {text:?}"))),
        "object" => match serde_json::from_str(text) {
            Ok(value @ Value::Object(_)) => Ok(value),
            _ => Err(CliError::usage(format!("--{flag} takes a JSON object"))),
        },
        _ => Ok(Value::String(text.to_owned())),
    }
}

/// A whole number stays whole (`1`, not `1.0`), so integer fields decode.
fn number(text: &str) -> Option<Value> {
    if let Ok(whole) = text.parse::<i64>() {
        return Some(whole.into());
    }
    text.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map(Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_stay_whole_and_items_may_be_json() {
        assert_eq!(number("3"), Some(Value::from(3)));
        assert_eq!(number("1.5"), Some(Value::from(1.5)));
        assert_eq!(number("NaN"), None);
        assert_eq!(number("two"), None);
        assert_eq!(
            array_item(r#"{"ip":"10.0.0.0/8","description":"office"}"#)["ip"],
            "10.0.0.0/8"
        );
        assert_eq!(array_item("Zeebe"), Value::from("Zeebe"));
        assert_eq!(
            array_item("42"),
            Value::from("42"),
            "a plain item stays text"
        );
    }
}
