//! Reading the live organization, and the rules that compare names and
//! generations with it.

pub(crate) use crate::lookup::{version_in, GenerationWanted as Wanted};
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
    parameters
        .generation(channel, wanted)
        .map(|g| (g.uuid.clone(), g.name.clone()))
        .map_err(|e| format!("{e} (on the {} channel)", channel.name))
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
        assert_eq!(
            version_in("Camunda 8.9.0-alpha2").map(|v| v.numbers),
            Some(vec![8, 9, 0])
        );
        assert_eq!(
            region_short("Belgium, Europe (europe-west1)"),
            "europe-west1"
        );
    }
}
