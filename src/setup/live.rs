//! Reading the live organization, and the rules that compare names and
//! generations with it.

use crate::{
    types::{self, ClientPermission, Cluster},
    Client, Error,
};

/// The stage label of a live cluster: its `stage:` label, or a
/// `stageLabel` field where the API sends one.
pub(crate) fn stage_label(cluster: &Cluster) -> Option<String> {
    cluster
        .labels
        .iter()
        .find_map(|l| l.strip_prefix("stage:"))
        .map(str::to_owned)
        .or_else(|| {
            cluster
                .extra
                .get("stageLabel")
                .and_then(|v| serde_json::to_value(v).ok())
                .and_then(|v| v.as_str().map(str::to_owned))
        })
}

/// The hardware package count of a live cluster, where the answer carries
/// it (`hardwarePackages`, as CreateCluster names it, or UpdateCluster's
/// `numberOfAllocatedHwPackages`; the document declares neither on the
/// cluster). `None`: the answer does not say.
pub(crate) fn hardware_packages(cluster: &Cluster) -> Option<u32> {
    ["hardwarePackages", "numberOfAllocatedHwPackages"]
        .iter()
        .find_map(|key| cluster.extra.get(*key))
        .and_then(|v| serde_json::to_value(v).ok())
        .and_then(|v| v.as_f64())
        .filter(|n| n.fract() == 0.0 && *n >= 0.0 && *n <= f64::from(u32::MAX))
        .map(|n| n as u32)
}

/// The version numbers in a generation name: `Camunda 8.8.2` is `[8, 8, 2]`.
pub(crate) fn version_of(name: &str) -> Option<Vec<u64>> {
    let start = name.find(|c: char| c.is_ascii_digit())?;
    let digits: String = name[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let parts: Option<Vec<u64>> = digits
        .split('.')
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().ok())
        .collect();
    parts.filter(|p| !p.is_empty())
}

/// What the file asks of a generation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Wanted {
    /// A version such as `8.8`: any generation whose version starts so.
    Version(Vec<u64>),
    /// An exact name or id.
    Exact(String),
}

impl Wanted {
    pub(crate) fn parse(text: &str) -> Self {
        let text = text.trim();
        let numeric = !text.is_empty() && text.chars().all(|c| c.is_ascii_digit() || c == '.');
        match (numeric, version_of(text)) {
            (true, Some(version)) => Self::Version(version),
            _ => Self::Exact(text.to_owned()),
        }
    }

    /// Whether a generation named `name` with id `uuid` satisfies it.
    pub(crate) fn satisfied_by(&self, name: &str, uuid: &str) -> bool {
        match self {
            Self::Version(wanted) => {
                version_of(name).is_some_and(|v| v.len() >= wanted.len() && v.starts_with(wanted))
            }
            Self::Exact(exact) => name.eq_ignore_ascii_case(exact) || uuid == exact,
        }
    }
}

/// The generation of `channel` to create for `wanted`: the newest that
/// satisfies a version, the one an exact name names, else the channel's
/// default.
pub(crate) fn generation_for(
    parameters: &types::Parameters,
    channel: &types::ParametersChannelsItem,
    wanted: Option<&str>,
) -> Result<(String, String), String> {
    let Some(wanted) = wanted else {
        let g = &channel.default_generation;
        return Ok((g.uuid.clone(), g.name.clone()));
    };
    match Wanted::parse(wanted) {
        Wanted::Version(_) => {
            let wanted_rule = Wanted::parse(wanted);
            channel
                .allowed_generations
                .iter()
                .filter(|g| wanted_rule.satisfied_by(&g.name, &g.uuid))
                .max_by_key(|g| version_of(&g.name))
                .map(|g| (g.uuid.clone(), g.name.clone()))
                .ok_or_else(|| {
                    let allowed: Vec<&str> = channel
                        .allowed_generations
                        .iter()
                        .map(|g| g.name.as_str())
                        .collect();
                    format!(
                        "no generation {wanted} on the {} channel; it offers {}",
                        channel.name,
                        allowed.join(", ")
                    )
                })
        }
        Wanted::Exact(name) => parameters
            .generation(channel, &name)
            .map(|g| (g.uuid.clone(), g.name.clone()))
            .map_err(|e| e.to_string()),
    }
}

/// The permission as the API spells it (`zeebe` is `Zeebe`); one it does
/// not list is kept as written.
pub(crate) fn permission(name: &str) -> ClientPermission {
    ClientPermission::KNOWN
        .iter()
        .find(|p| p.as_str().eq_ignore_ascii_case(name.trim()))
        .cloned()
        .unwrap_or_else(|| ClientPermission::from(name.trim()))
}

/// A sorted, deduplicated set of permissions as the API spells them.
pub(crate) fn permission_set<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut set: Vec<String> = names
        .into_iter()
        .map(|p| permission(p).as_str().to_owned())
        .collect();
    set.sort();
    set.dedup();
    set
}

/// A sorted, deduplicated set of roles, lower case as the API spells them.
pub(crate) fn role_set<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut set: Vec<String> = names
        .into_iter()
        .map(|r| r.trim().to_ascii_lowercase())
        .collect();
    set.sort();
    set.dedup();
    set
}

/// The encryption key type as the API spells it (`software` is `Software`).
pub(crate) fn encryption(name: &str) -> types::ClusterEncryptionKey {
    types::ClusterEncryptionKey::KNOWN
        .iter()
        .find(|k| k.as_str().eq_ignore_ascii_case(name))
        .cloned()
        .unwrap_or_else(|| types::ClusterEncryptionKey::from(name))
}

/// The backup region `wanted` names (id, label, or the cloud code in the
/// label) among those `region` offers: its id and label.
pub(crate) fn backup_region(
    region: &types::ParametersRegionsItem,
    wanted: &str,
) -> Result<(String, String), String> {
    let wanted = wanted.trim();
    let offered: Vec<&types::ParametersRegionsItemBackupsItemRegionsItem> =
        region.backups.iter().flat_map(|b| &b.regions).collect();
    offered
        .iter()
        .find(|r| {
            r.id == wanted
                || r.label.eq_ignore_ascii_case(wanted)
                || region_short(&r.label).eq_ignore_ascii_case(wanted)
        })
        .map(|r| (r.id.clone(), r.label.clone()))
        .ok_or_else(|| {
            let labels: Vec<&str> = offered.iter().map(|r| r.label.as_str()).collect();
            match labels.is_empty() {
                true => format!("{} offers no backup region", region.name),
                false => format!(
                    "no backup region {wanted:?} for {}; it offers {}",
                    region.name,
                    labels.join(", ")
                ),
            }
        })
}

/// The automatic backup schedule of a cluster; `None` when it has none
/// (404).
pub(crate) async fn schedule(client: &Client, cluster_id: &str) -> Result<Option<String>, Error> {
    match client.get_schedule(cluster_id).await {
        Ok(schedule) => Ok(Some(schedule.schedule.trim().to_owned())),
        Err(Error::Api(e)) if e.status == 404 => Ok(None),
        Err(e) => Err(e),
    }
}

/// The short name of a region: the cloud code in parentheses at the end of
/// its name (`europe-west1`), else the whole name.
pub(crate) fn region_short(name: &str) -> String {
    name.trim_end()
        .strip_suffix(')')
        .and_then(|inner| inner.rfind('(').map(|open| inner[open + 1..].trim()))
        .filter(|code| !code.is_empty())
        .unwrap_or(name.trim())
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_matches_its_minor_and_an_exact_name_pins() {
        let minor = Wanted::parse("8.8");
        assert!(minor.satisfied_by("Camunda 8.8.2", "g"));
        assert!(!minor.satisfied_by("Camunda 8.7.14", "g"));
        assert!(!minor.satisfied_by("Camunda 8.80.1", "g"));
        let exact = Wanted::parse("Camunda 8.8.2");
        assert!(exact.satisfied_by("camunda 8.8.2", "g"));
        assert!(!exact.satisfied_by("Camunda 8.8.3", "g"));
        assert_eq!(version_of("Camunda 8.9.0-alpha2"), Some(vec![8, 9, 0]));
        assert_eq!(
            region_short("Belgium, Europe (europe-west1)"),
            "europe-west1"
        );
    }
}
