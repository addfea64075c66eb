//! From a command's arguments to a [`JsonCall`]: positionals to path
//! parameters, flags to query parameters and body fields (over `--body`),
//! secret fields from a file, stdin or the environment.

use camunda_admin::JsonCall;
use clap::ArgMatches;
use serde_json::{Map, Value};

use crate::{
    commands::{self, BODY},
    exit::CliError,
    names,
    sources::{self, Stdin},
    table::{Field, Operation},
};

/// The call of `spec` that `matches` describes.
pub fn from_matches(
    spec: &Operation,
    matches: &ArgMatches,
    stdin: &Stdin,
) -> Result<JsonCall, CliError> {
    let text = |id: &str| matches.get_one::<String>(id).cloned();
    let path = spec
        .path_params
        .iter()
        .map(|p| {
            text(&commands::path_id(p))
                .ok_or_else(|| CliError::usage(format!("{} is missing", p.name)))
        })
        .collect::<Result<Vec<_>, _>>()?;
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
    let mut call = JsonCall::new(path);
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
