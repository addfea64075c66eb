//! Writing the live organization as a setup, deterministically: sorted by
//! name, no ids or timestamps, secret values as `env:` references.

use super::{
    file::{AllowlistEntry, ClientSpec, ClusterSpec, MemberSpec, SecretRef, SecretSpec, Setup},
    live, SetupError,
};
use crate::{types, Client, Error};

/// An exported setup, and what the file cannot express (for stderr).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Export {
    /// The setup.
    pub setup: Setup,
    /// What the live organization has that the file cannot say.
    pub notes: Vec<String>,
}

/// The variable a secret's value is exported as: the cluster's and the
/// secret's names in upper snake case, joined by `__`
/// (`orders-dev`, `db.password` is `ORDERS_DEV__DB_PASSWORD`).
pub fn env_name(cluster: &str, secret: &str) -> String {
    let snake = |s: &str| -> String {
        s.trim()
            .chars()
            .map(|c| match c.is_ascii_alphanumeric() {
                true => c.to_ascii_uppercase(),
                false => '_',
            })
            .collect()
    };
    let name = format!("{}__{}", snake(cluster), snake(secret));
    match name.starts_with(|c: char| c.is_ascii_digit()) {
        true => format!("_{name}"),
        false => name,
    }
}

/// The live setup: the clusters named in `clusters` (names or ids), or
/// every cluster and the members when it is empty.
pub async fn export(client: &Client, clusters: &[String]) -> Result<Export, SetupError> {
    let live = client
        .get_clusters()
        .await
        .map_err(SetupError::api("clusters of the organization"))?;
    let mut chosen: Vec<&types::Cluster> = Vec::new();
    if clusters.is_empty() {
        chosen.extend(live.iter());
    } else {
        for wanted in clusters {
            let by_id: Vec<&types::Cluster> = live.iter().filter(|c| &c.uuid == wanted).collect();
            let found = match by_id.as_slice() {
                [one] => vec![*one],
                _ => live.iter().filter(|c| &c.name == wanted).collect(),
            };
            match found.as_slice() {
                [] => {
                    return Err(SetupError::invalid(
                        format!("cluster {wanted:?}"),
                        "no live cluster has this name or id",
                    ))
                }
                [one] => chosen.push(one),
                several => {
                    return Err(SetupError::Ambiguous {
                        name: wanted.clone(),
                        ids: several.iter().map(|c| c.uuid.clone()).collect(),
                    })
                }
            }
        }
    }
    chosen.sort_by(|a, b| a.name.cmp(&b.name).then(a.uuid.cmp(&b.uuid)));
    chosen.dedup_by(|a, b| a.uuid == b.uuid);
    if let Some(pair) = chosen.windows(2).find(|w| w[0].name == w[1].name) {
        let ids = chosen
            .iter()
            .filter(|c| c.name == pair[0].name)
            .map(|c| c.uuid.clone())
            .collect();
        return Err(SetupError::Ambiguous {
            name: pair[0].name.clone(),
            ids,
        });
    }
    let mut notes = Vec::new();
    let mut specs = Vec::new();
    for cluster in chosen {
        specs.push(export_cluster(client, cluster, &mut notes).await?);
    }
    let members = match clusters.is_empty() {
        true => {
            let live = client
                .get_members()
                .await
                .map_err(SetupError::api("members of the organization"))?;
            let mut members: Vec<MemberSpec> = live
                .iter()
                .map(|m| {
                    MemberSpec::new(
                        m.email.trim().to_ascii_lowercase(),
                        live::role_set(m.roles.iter().map(|r| r.as_str())),
                    )
                })
                .collect();
            members.sort_by(|a, b| a.email.cmp(&b.email));
            Some(members)
        }
        false => None,
    };
    Ok(Export {
        setup: Setup {
            clusters: Some(specs),
            members,
        },
        notes,
    })
}

async fn export_cluster(
    client: &Client,
    cluster: &types::Cluster,
    notes: &mut Vec<String>,
) -> Result<ClusterSpec, SetupError> {
    let name = cluster.name.clone();
    let this = format!("cluster {name:?}");
    let mut spec = ClusterSpec::new(
        name.as_str(),
        live::region_short(&cluster.region.name),
        cluster.plan_type.name.as_str(),
        cluster.channel.name.as_str(),
    );
    // A version keeps an export from pinning a patch release.
    spec.generation = Some(match live::version_in(&cluster.generation.name) {
        Some(v) if v.numbers.len() >= 2 => format!("{}.{}", v.numbers[0], v.numbers[1]),
        _ => cluster.generation.name.clone(),
    });
    spec.stage_label = live::stage_label(cluster);
    spec.description = cluster.description.clone().filter(|d| !d.is_empty());

    let mut clients: Vec<ClientSpec> = client
        .get_clients(&cluster.uuid)
        .await
        .map_err(SetupError::api(format!("clients of {this}")))?
        .iter()
        .map(|c| {
            ClientSpec::new(
                c.name.as_str(),
                live::permission_set(c.permissions.iter().map(|p| p.as_str())),
            )
        })
        .collect();
    clients.sort_by(|a, b| a.name.cmp(&b.name));
    spec.clients = Some(clients);

    // The values are dropped unread: only the names are exported.
    let secrets = client
        .get_secrets(&cluster.uuid)
        .await
        .map_err(SetupError::api(format!("secrets of {this}")))?;
    spec.secrets = Some(
        secrets
            .keys()
            .map(|secret| SecretSpec::new(secret.as_str(), SecretRef::Env(env_name(&name, secret))))
            .collect(),
    );

    let mut allowlist: Vec<AllowlistEntry> = cluster
        .ipallowlist
        .iter()
        .map(|e| AllowlistEntry::new(e.ip.trim(), e.description.as_str()))
        .collect();
    allowlist.sort();
    spec.allowlist = Some(allowlist);

    spec.backup_schedule = match live::schedule(client, &cluster.uuid).await {
        Ok(schedule) => schedule,
        Err(Error::Api(e)) if e.status == 403 => {
            notes.push(format!("{this}: its backup schedule cannot be read (403)"));
            None
        }
        Err(e) => return Err(SetupError::api(format!("backup schedule of {this}"))(e)),
    };

    // The default (1) stays out of the file, as encryption's.
    spec.hardware_packages = live::hardware_packages(cluster).filter(|n| *n != 1);
    spec.backup_region = cluster
        .backup_region
        .as_ref()
        .map(|r| live::region_short(&r.name));
    // The default stays out of the file, so it stays the API's choice.
    spec.encryption = cluster
        .encryption
        .as_ref()
        .map(|e| e.type_.to_string())
        .filter(|t| t != types::ClusterEncryptionKey::Software.as_str());
    if cluster
        .encryption
        .as_ref()
        .is_some_and(|e| e.primary_key_arn.is_some())
    {
        notes.push(format!(
            "{this}: its external encryption keys are not in the file"
        ));
    }
    if !cluster.auto_update {
        notes.push(format!(
            "{this}: automatic updates are off; the file cannot say so"
        ));
    }
    Ok(spec)
}
