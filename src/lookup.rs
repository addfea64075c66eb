//! Finding the choices of `/clusters/parameters` by name, and creating a
//! cluster from names instead of ids.
//!
//! A name matches a choice's uuid, its whole name, or the cloud code in
//! parentheses at the end of its name (a region named "Belgium, Europe
//! (europe-west1)" matches "europe-west1"), ignoring case. A uuid match
//! wins over a name match, which wins over a code match; no match, or
//! several at the best level, is a [`LookupError`] listing the choices.

use std::fmt;

pub use crate::error::LookupError;
use crate::{
    error::Error,
    types::{
        self, ParametersChannelsItem, ParametersChannelsItemAllowedGenerationsItem,
        ParametersClusterPlanTypesItem, ParametersRegionsItem,
    },
    Client,
};

/// What a choice offers to be found by.
trait Choice {
    fn uuid(&self) -> &str;
    fn name(&self) -> &str;
}

macro_rules! choice {
    ($($ty:ty),*) => {$(
        impl Choice for $ty {
            fn uuid(&self) -> &str {
                &self.uuid
            }
            fn name(&self) -> &str {
                &self.name
            }
        }
    )*};
}

choice!(
    ParametersRegionsItem,
    ParametersClusterPlanTypesItem,
    ParametersChannelsItem,
    ParametersChannelsItemAllowedGenerationsItem
);

/// The cloud code in parentheses at the end of a name, if any.
fn code(name: &str) -> Option<&str> {
    let inner = name.trim_end().strip_suffix(')')?;
    let open = inner.rfind('(')?;
    Some(inner[open + 1..].trim())
}

fn find<'a, T: Choice>(
    what: &'static str,
    choices: &'a [T],
    name: &str,
) -> Result<&'a T, LookupError> {
    let name = name.trim();
    let tiers: [&dyn Fn(&T) -> bool; 3] = [
        &|c| c.uuid().eq_ignore_ascii_case(name),
        &|c| c.name().trim().eq_ignore_ascii_case(name),
        &|c| code(c.name()).is_some_and(|code| code.eq_ignore_ascii_case(name)),
    ];
    for matches in tiers {
        let found: Vec<&T> = choices.iter().filter(|c| matches(c)).collect();
        match found.as_slice() {
            [] => continue,
            [one] => return Ok(one),
            several => return Err(lookup_error(what, name, several.iter().copied(), true)),
        }
    }
    Err(lookup_error(what, name, choices.iter(), false))
}

fn lookup_error<'a, T: Choice + 'a>(
    what: &'static str,
    name: &str,
    choices: impl Iterator<Item = &'a T>,
    ambiguous: bool,
) -> LookupError {
    LookupError {
        what,
        name: name.to_owned(),
        ambiguous,
        choices: choices
            .map(|c| format!("{} ({})", c.name(), c.uuid()))
            .collect(),
    }
}

impl types::Parameters {
    /// The region `name` stands for (uuid, name, or cloud code such as
    /// `europe-west1`).
    pub fn region(&self, name: &str) -> Result<&ParametersRegionsItem, LookupError> {
        find("region", &self.regions, name)
    }

    /// The cluster plan type `name` stands for (uuid or name, such as `Basic`).
    pub fn plan(&self, name: &str) -> Result<&ParametersClusterPlanTypesItem, LookupError> {
        find("plan", &self.cluster_plan_types, name)
    }

    /// The channel `name` stands for (uuid or name, such as `Stable`).
    pub fn channel(&self, name: &str) -> Result<&ParametersChannelsItem, LookupError> {
        find("channel", &self.channels, name)
    }

    /// The generation `name` stands for among those `channel` allows: a
    /// uuid or name, or a version such as `8.8` (or `8.8.2`), which picks the
    /// newest generation of that version (a release after its pre-releases).
    pub fn generation<'a>(
        &self,
        channel: &'a ParametersChannelsItem,
        name: &str,
    ) -> Result<&'a ParametersChannelsItemAllowedGenerationsItem, LookupError> {
        let generations = &channel.allowed_generations;
        let wanted = GenerationWanted::parse(name);
        if !matches!(wanted, GenerationWanted::Version(_)) {
            return find("generation", generations, name);
        }
        generations
            .iter()
            .filter(|g| wanted.satisfied_by(&g.name, &g.uuid))
            .max_by(|a, b| version_in(&a.name).cmp(&version_in(&b.name)))
            .ok_or_else(|| lookup_error("generation", name, generations.iter(), false))
    }
}

/// What a generation is asked for by: a version such as `8.8`, which any
/// generation of that version satisfies, or an exact uuid or name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GenerationWanted {
    /// Digits and dots: the version's leading numbers.
    Version(Vec<u32>),
    /// A uuid or a name.
    Exact(String),
}

impl GenerationWanted {
    pub(crate) fn parse(text: &str) -> Self {
        let text = text.trim();
        let numbers: Option<Vec<u32>> = text.split('.').map(|n| n.parse().ok()).collect();
        match numbers {
            Some(numbers) if text.chars().all(|c| c.is_ascii_digit() || c == '.') => {
                Self::Version(numbers)
            }
            _ => Self::Exact(text.to_owned()),
        }
    }

    /// Whether the generation named `name` with id `uuid` satisfies it.
    pub(crate) fn satisfied_by(&self, name: &str, uuid: &str) -> bool {
        match self {
            Self::Version(wanted) => {
                version_in(name).is_some_and(|v| v.numbers.starts_with(wanted))
            }
            Self::Exact(exact) => {
                name.trim().eq_ignore_ascii_case(exact) || uuid.eq_ignore_ascii_case(exact)
            }
        }
    }
}

/// The version in a generation's name (`Camunda 8.8.2`, `8.9.0-alpha2`),
/// ordered so that a release comes after its pre-releases.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Version {
    /// `[8, 8, 2]`.
    pub(crate) numbers: Vec<u32>,
    release: bool,
    pre: String,
}

/// The version in a generation's name, if it has one.
pub(crate) fn version_in(name: &str) -> Option<Version> {
    let token = name
        .split_whitespace()
        .find(|t| t.chars().next().is_some_and(|c| c.is_ascii_digit()) && t.contains('.'))?;
    let (numbers, pre) = token.split_once('-').unwrap_or((token, ""));
    let numbers: Option<Vec<u32>> = numbers.split('.').map(|n| n.parse().ok()).collect();
    Some(Version {
        numbers: numbers?,
        release: pre.is_empty(),
        pre: pre.to_owned(),
    })
}

/// A cluster to create, with its region, plan, channel and generation given
/// by name (see the module docs for what a name matches). The generation
/// defaults to the channel's default.
///
/// ```no_run
/// # async fn run(client: camunda_admin::Client) -> camunda_admin::Result<()> {
/// use camunda_admin::NewCluster;
///
/// let cluster = NewCluster::new("orders-dev")
///     .region("europe-west1")
///     .plan("Basic")
///     .channel("Stable");
/// let created = client.create_cluster_by_names(cluster).await?;
/// println!("creating {}", created.cluster_id);
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use]
pub struct NewCluster {
    name: String,
    region: Option<String>,
    plan: Option<String>,
    channel: Option<String>,
    generation: Option<String>,
    customize: Option<std::sync::Arc<Customize>>,
}

type Customize =
    dyn Fn(types::builder::CreateClusterBody) -> types::builder::CreateClusterBody + Send + Sync;

impl fmt::Debug for NewCluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewCluster")
            .field("name", &self.name)
            .field("region", &self.region)
            .field("plan", &self.plan)
            .field("channel", &self.channel)
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

impl NewCluster {
    /// A cluster named `name`; region, plan and channel are required.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            region: None,
            plan: None,
            channel: None,
            generation: None,
            customize: None,
        }
    }

    /// The region, by uuid, name or cloud code.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The plan type, by uuid or name.
    pub fn plan(mut self, plan: impl Into<String>) -> Self {
        self.plan = Some(plan.into());
        self
    }

    /// The channel, by uuid or name.
    pub fn channel(mut self, channel: impl Into<String>) -> Self {
        self.channel = Some(channel.into());
        self
    }

    /// The generation, by uuid or name, or as a version such as `8.8`: the
    /// newest generation of that minor the channel allows (default: the
    /// channel's default).
    pub fn generation(mut self, generation: impl Into<String>) -> Self {
        self.generation = Some(generation.into());
        self
    }

    /// Set further fields of the body (description, stage label, ...) on
    /// the builder, after the names are resolved.
    pub fn customize(
        mut self,
        customize: impl Fn(types::builder::CreateClusterBody) -> types::builder::CreateClusterBody
            + Send
            + Sync
            + 'static,
    ) -> Self {
        self.customize = Some(std::sync::Arc::new(customize));
        self
    }

    /// The `CreateCluster` body, with every name resolved in `parameters`.
    pub fn resolve(
        &self,
        parameters: &types::Parameters,
    ) -> Result<types::CreateClusterBody, Error> {
        let required = |value: &Option<String>, what: &'static str| {
            value.clone().ok_or_else(|| Error::InvalidRequest {
                operation: crate::OperationId::CreateCluster,
                reason: format!("no {what} given: call NewCluster::{what}"),
            })
        };
        let region = parameters.region(&required(&self.region, "region")?)?;
        let plan = parameters.plan(&required(&self.plan, "plan")?)?;
        let channel = parameters.channel(&required(&self.channel, "channel")?)?;
        let generation = match &self.generation {
            Some(name) => parameters.generation(channel, name)?.uuid.clone(),
            None => channel.default_generation.uuid.clone(),
        };
        let builder = types::CreateClusterBody::builder()
            .name(self.name.as_str())
            .region_id(region.uuid.as_str())
            .plan_type_id(plan.uuid.as_str())
            .channel_id(channel.uuid.as_str())
            .generation_id(generation);
        let builder = match &self.customize {
            Some(customize) => customize(builder),
            None => builder,
        };
        builder
            .try_into()
            .map_err(|e: types::error::ConversionError| Error::InvalidRequest {
                operation: crate::OperationId::CreateCluster,
                reason: e.to_string(),
            })
    }
}

impl Client {
    /// Create a cluster from names: one `get_parameters` call resolves the
    /// region, plan, channel and generation, then `create_cluster` sends
    /// the body. Needs the **Cluster** scope.
    pub async fn create_cluster_by_names(
        &self,
        cluster: NewCluster,
    ) -> Result<types::CreateClusterResponse, Error> {
        let parameters = self.get_parameters().await?;
        let body = cluster.resolve(&parameters)?;
        self.create_cluster(body).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parameters() -> types::Parameters {
        serde_json::from_value(json!({
            "channels": [
                { "uuid": "ch-stable", "name": "Stable",
                  "defaultGeneration": { "uuid": "g-88", "name": "Camunda 8.8" },
                  "allowedGenerations": [
                      { "uuid": "g-87", "name": "Camunda 8.7" },
                      { "uuid": "g-88", "name": "Camunda 8.8" } ] },
                { "uuid": "ch-alpha", "name": "Alpha",
                  "defaultGeneration": { "uuid": "g-89", "name": "Camunda 8.9" },
                  "allowedGenerations": [ { "uuid": "g-89", "name": "Camunda 8.9" } ] }
            ],
            "clusterPlanTypes": [
                { "uuid": "p-basic", "name": "Basic" },
                { "uuid": "p-basic-2", "name": "basic" }
            ],
            "regions": [
                { "uuid": "r-be", "name": "Belgium, Europe (europe-west1)", "provider": "gcp" },
                { "uuid": "r-de", "name": "Frankfurt, Europe (eu-central-1)", "provider": "aws" }
            ]
        }))
        .expect("parameters")
    }

    #[test]
    fn names_match_uuid_whole_name_or_cloud_code_ignoring_case() {
        let p = parameters();
        assert_eq!(p.region("EUROPE-WEST1").unwrap().uuid, "r-be");
        assert_eq!(
            p.region("Frankfurt, Europe (eu-central-1)").unwrap().uuid,
            "r-de"
        );
        assert_eq!(p.region("r-de").unwrap().uuid, "r-de");
        assert_eq!(p.channel("stable").unwrap().uuid, "ch-stable");
        let stable = p.channel("Stable").unwrap();
        assert_eq!(p.generation(stable, "camunda 8.7").unwrap().uuid, "g-87");
    }

    #[test]
    fn a_minor_version_picks_the_newest_generation_of_that_minor() {
        let channel: ParametersChannelsItem = serde_json::from_value(json!({
            "uuid": "ch", "name": "Stable",
            "defaultGeneration": { "uuid": "g1", "name": "Camunda 8.7.14" },
            "allowedGenerations": [
                { "uuid": "g1", "name": "Camunda 8.7.14" },
                { "uuid": "g2", "name": "Camunda 8.8.2" },
                { "uuid": "g3", "name": "Camunda 8.8.10" },
                { "uuid": "g4", "name": "Camunda 8.8.10-rc1" }
            ]
        }))
        .unwrap();
        let p = parameters();
        assert_eq!(p.generation(&channel, "8.8").unwrap().uuid, "g3");
        assert_eq!(p.generation(&channel, "8.7").unwrap().uuid, "g1");
        assert!(p.generation(&channel, "8.9").is_err());
        assert_eq!(p.generation(&channel, "8.8.2").unwrap().uuid, "g2");
        assert_eq!(p.generation(&channel, "camunda 8.8.2").unwrap().uuid, "g2");
        assert_eq!(p.generation(&channel, "8").unwrap().uuid, "g3");
        // 8.80 is not 8.8.
        assert!(!GenerationWanted::parse("8.8").satisfied_by("Camunda 8.80.1", "g"));
    }

    #[test]
    fn no_match_and_several_matches_list_the_choices() {
        let p = parameters();
        let none = p.region("mars-north1").unwrap_err();
        assert!(!none.ambiguous);
        assert_eq!(none.choices.len(), 2);
        assert!(
            none.to_string()
                .contains("Belgium, Europe (europe-west1) (r-be)"),
            "{none}"
        );
        let several = p.plan("BASIC").unwrap_err();
        assert!(several.ambiguous);
        assert_eq!(several.choices, ["Basic (p-basic)", "basic (p-basic-2)"]);
        assert_eq!(
            p.plan("p-basic").unwrap().name,
            "Basic",
            "a uuid is never ambiguous"
        );
        let alpha = p.channel("Alpha").unwrap();
        assert!(
            p.generation(alpha, "Camunda 8.7").is_err(),
            "not allowed on Alpha"
        );
    }

    #[test]
    fn a_new_cluster_resolves_to_ids_with_the_channels_default_generation() {
        let body = NewCluster::new("orders")
            .region("europe-west1")
            .plan("p-basic")
            .channel("stable")
            .customize(|b| b.description(Some("orders, dev".to_owned())))
            .resolve(&parameters())
            .expect("resolves");
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({
                "name": "orders", "regionId": "r-be", "planTypeId": "p-basic",
                "channelId": "ch-stable", "generationId": "g-88", "description": "orders, dev"
            })
        );
        let missing = NewCluster::new("x")
            .plan("Basic")
            .resolve(&parameters())
            .unwrap_err();
        assert!(missing.to_string().contains("no region given"), "{missing}");
        let unknown = NewCluster::new("x")
            .region("mars")
            .plan("p-basic")
            .channel("Stable")
            .resolve(&parameters())
            .unwrap_err();
        assert!(
            matches!(unknown, Error::Lookup(ref e) if e.what == "region"),
            "{unknown}"
        );
    }
}
