//! `clusters create --region NAME --plan NAME --channel NAME [--generation
//! NAME]`: names or ids, resolved through `/clusters/parameters` with the
//! SDK's own rules ([`camunda_admin::NewCluster`], whose generation
//! defaults to the channel's). Which body field takes which kind of name
//! is the operation table's ([`Field::name_of`]). A missing or ambiguous
//! name is a usage error listing the choices.

use camunda_admin::{operation::NameKind, Client, NewCluster};
use clap::ArgMatches;
use serde_json::{Map, Value};

use crate::{
    exit::CliError,
    table::{Field, Operation},
};

/// The lookup flag of each kind of parameter name.
const FLAGS: [(NameKind, &str); 4] = [
    (NameKind::Region, "region"),
    (NameKind::Plan, "plan"),
    (NameKind::Channel, "channel"),
    (NameKind::Generation, "generation"),
];

/// The lookup flags of `operation` and the body field each stands for.
pub fn lookups(operation: &Operation) -> Vec<(&'static str, &'static str)> {
    let fields: &[Field] = operation.body.as_ref().map_or(&[], |b| b.fields);
    FLAGS
        .iter()
        .filter_map(|(kind, flag)| {
            let field = fields.iter().find(|f| f.name_of == Some(*kind))?;
            Some((*flag, field.name))
        })
        .collect()
}

fn given<'m>(matches: &'m ArgMatches, flag: &str) -> Option<&'m String> {
    // `try_`: commands without lookup flags have no such argument.
    matches.try_get_one::<String>(flag).ok().flatten()
}

fn field_of(lookups: &[(&'static str, &'static str)], flag: &str) -> Option<&'static str> {
    lookups
        .iter()
        .find(|(f, _)| *f == flag)
        .map(|(_, field)| *field)
}

/// The body fields the given lookup flags will fill.
pub fn covered(operation: &Operation, matches: &ArgMatches) -> Vec<&'static str> {
    let lookups = lookups(operation);
    let mut fields: Vec<&'static str> = lookups
        .iter()
        .filter(|(flag, _)| given(matches, flag).is_some())
        .map(|(_, field)| *field)
        .collect();
    // A channel by name brings its default generation.
    if let (Some(channel), Some(generation)) = (
        field_of(&lookups, "channel"),
        field_of(&lookups, "generation"),
    ) {
        if fields.contains(&channel) && !fields.contains(&generation) {
            fields.push(generation);
        }
    }
    fields
}

/// Resolve the names into the body's id fields (one `GetParameters` call);
/// nothing to do when no lookup flag is given. A name flag overrides the
/// id field in `--body`, as flags do.
pub async fn resolve(
    client: &Client,
    operation: &Operation,
    matches: &ArgMatches,
    body: &mut Option<Value>,
) -> Result<(), CliError> {
    if covered(operation, matches).is_empty() {
        return Ok(());
    }
    let Some(Value::Object(body)) = body else {
        return Err(CliError::usage(format!(
            "{} {} takes a body",
            operation.command.group, operation.command.verb
        )));
    };
    let lookups = lookups(operation);
    let cluster = new_cluster(&lookups, matches, body)?;
    let parameters = client.get_parameters().await?;
    let resolved = serde_json::to_value(cluster.resolve(&parameters)?)
        .map_err(|e| CliError::usage(format!("cannot build the body: {e}")))?;
    for (_, field) in &lookups {
        if let Some(id) = resolved.get(*field) {
            body.insert((*field).to_owned(), id.clone());
        }
    }
    Ok(())
}

/// The cluster to resolve: each of the four by name flag, else by the id
/// in the body (an id matches its own choice first, so ids mix with names).
fn new_cluster(
    lookups: &[(&'static str, &'static str)],
    matches: &ArgMatches,
    body: &Map<String, Value>,
) -> Result<NewCluster, CliError> {
    let choice = |flag: &str| {
        given(matches, flag).cloned().or_else(|| {
            let field = field_of(lookups, flag)?;
            body.get(field).and_then(Value::as_str).map(str::to_owned)
        })
    };
    let required = |flag: &str| {
        choice(flag).ok_or_else(|| {
            let field = field_of(lookups, flag).unwrap_or(flag);
            CliError::usage(format!(
                "--{flag} (or the {field} field) is needed with names"
            ))
        })
    };
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
    let mut cluster = NewCluster::new(name)
        .region(required("region")?)
        .plan(required("plan")?)
        .channel(required("channel")?);
    // Else the channel's default generation.
    if let Some(generation) = choice("generation") {
        cluster = cluster.generation(generation);
    }
    Ok(cluster)
}
