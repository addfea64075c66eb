//! `clusters create --region NAME --plan NAME --channel NAME [--generation
//! NAME]`: names or ids, resolved through `/clusters/parameters` with the
//! SDK's own rules ([`camunda_admin::NewCluster`], whose generation
//! defaults to the channel's). A missing or ambiguous name is a usage
//! error listing the choices.

use camunda_admin::{Client, NewCluster};
use clap::ArgMatches;
use serde_json::{Map, Value};

use crate::{exit::CliError, table::Invocation};

/// The lookup flags and the body field each stands for.
pub const NAMES: [(&str, &str); 4] = [
    ("region", "regionId"),
    ("plan", "planTypeId"),
    ("channel", "channelId"),
    ("generation", "generationId"),
];

fn given<'m>(matches: &'m ArgMatches, flag: &str) -> Option<&'m String> {
    // `try_`: commands without lookup flags have no such argument.
    matches.try_get_one::<String>(flag).ok().flatten()
}

/// The body fields the given lookup flags will fill.
pub fn covered(matches: &ArgMatches) -> Vec<&'static str> {
    let mut fields: Vec<&'static str> = NAMES
        .iter()
        .filter(|(flag, _)| given(matches, flag).is_some())
        .map(|(_, field)| *field)
        .collect();
    if fields.contains(&"channelId") && !fields.contains(&"generationId") {
        fields.push("generationId");
    }
    fields
}

/// Resolve the names into the body's id fields (one `GetParameters` call);
/// nothing to do when no lookup flag is given. A name flag overrides the
/// id field in `--body`, as flags do.
pub async fn resolve(
    client: &Client,
    matches: &ArgMatches,
    invocation: &mut Invocation,
) -> Result<(), CliError> {
    if covered(matches).is_empty() {
        return Ok(());
    }
    let Some(Value::Object(body)) = &mut invocation.body else {
        return Err(CliError::usage("clusters create takes a body"));
    };
    let cluster = new_cluster(matches, body)?;
    let parameters = client.get_parameters().await?;
    let resolved = serde_json::to_value(cluster.resolve(&parameters)?)
        .map_err(|e| CliError::usage(format!("cannot build the body: {e}")))?;
    for (_, field) in NAMES {
        if let Some(id) = resolved.get(field) {
            body.insert(field.to_owned(), id.clone());
        }
    }
    Ok(())
}

/// The cluster to resolve: each of the four by name flag, else by the id
/// in the body (an id matches its own choice first, so ids mix with names).
fn new_cluster(matches: &ArgMatches, body: &Map<String, Value>) -> Result<NewCluster, CliError> {
    let choice = |flag: &str, field: &str| {
        given(matches, flag)
            .cloned()
            .or_else(|| body.get(field).and_then(Value::as_str).map(str::to_owned))
    };
    let required = |flag: &str, field: &str| {
        choice(flag, field).ok_or_else(|| {
            CliError::usage(format!(
                "--{flag} (or the {field} field) is needed with names"
            ))
        })
    };
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
    let mut cluster = NewCluster::new(name)
        .region(required("region", "regionId")?)
        .plan(required("plan", "planTypeId")?)
        .channel(required("channel", "channelId")?);
    // Else the channel's default generation.
    if let Some(generation) = choice("generation", "generationId") {
        cluster = cluster.generation(generation);
    }
    Ok(cluster)
}
