//! `clusters create --region NAME --plan NAME --channel NAME [--generation
//! NAME]`: names or ids, resolved through `/clusters/parameters` with the
//! SDK's own rules ([`camunda_admin::NewCluster`], whose generation
//! defaults to the channel's). Which body field takes which kind of name
//! is the operation table's ([`Field::name_of`]). A missing or ambiguous
//! name is a usage error listing the choices.
//!
//! Wherever a cluster is expected (every parameter the table marks
//! [`NameKind::Cluster`], and the hand-written commands), a value that is
//! not a UUID is a cluster's name, resolved through `clusters list`: one
//! rule, [`cluster_id`].

use camunda_admin::{
    operation::{NameKind, OperationId},
    Client, JsonAnswer, JsonCall, NewCluster,
};
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

/// Whether `text` is a UUID in its usual form (8-4-4-4-12 hex digits).
pub fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The id of the cluster `value` names: a UUID as it is, else the one
/// cluster of that name; none or several is a usage error with the
/// choices.
pub async fn cluster_id(client: &Client, value: &str) -> Result<String, CliError> {
    if is_uuid(value) {
        return Ok(value.to_owned());
    }
    let answer = client
        .call_json(OperationId::GetClusters, JsonCall::default())
        .await?;
    let JsonAnswer::Json(Value::Array(clusters)) = answer else {
        return Err(CliError::new(
            crate::exit::Kind::Decode,
            "the cluster list is not a list",
        ));
    };
    let text = |c: &Value, k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let found: Vec<String> = clusters
        .iter()
        .filter(|c| text(c, "name") == value)
        .map(|c| text(c, "uuid"))
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => {
            let choices: Vec<String> = clusters
                .iter()
                .map(|c| format!("{} ({})", text(c, "name"), text(c, "uuid")))
                .collect();
            Err(CliError::usage(format!(
                "no cluster is named {value:?}; choose one of: {}",
                if choices.is_empty() {
                    "(no clusters)".to_owned()
                } else {
                    choices.join(", ")
                }
            )))
        }
        several => Err(CliError::usage(format!(
            "{} clusters are named {value:?}: {}; give the id",
            several.len(),
            several.join(", ")
        ))),
    }
}

/// Resolve each path parameter the table marks as a cluster (a name
/// becomes the cluster's id).
pub async fn resolve_path(
    client: &Client,
    operation: &Operation,
    path: &mut [String],
) -> Result<(), CliError> {
    for (param, value) in operation.path_params.iter().zip(path.iter_mut()) {
        if param.name_of == Some(NameKind::Cluster) {
            *value = cluster_id(client, value).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::is_uuid;

    #[test]
    fn uuids_are_told_from_names() {
        assert!(is_uuid("0b6f0b4e-58d1-4c38-8d0a-5d7e7c9f1a11"));
        assert!(!is_uuid("ci-orders"));
        assert!(!is_uuid("0b6f0b4e58d14c388d0a5d7e7c9f1a11"));
        assert!(!is_uuid("0b6f0b4e-58d1-4c38-8d0a-5d7e7c9f1a1g"));
    }
}
