//! A cluster's connection settings as Camunda's tools read them: the one
//! mapping from what the API answers (a cluster, a created API client, the
//! client's connection settings) to environment names, shared by the
//! command line's `-o env`, `ci up` and [`crate::ephemeral`].
//!
//! The names are those of the Console's credentials download and those
//! Camunda's 8.8 SDKs read, plus the component URLs of the cluster's
//! links ([`SETTINGS`] lists each with its source). A setting none of the
//! sources given gives is left out, never guessed. The client secret stays
//! a [`SecretString`]: `Debug` and `Display` show `***` in its place.
//!
//! ```
//! use camunda_admin::connection::ConnectionSettings;
//! use camunda_admin::types::CreatedClusterClient;
//!
//! let created: CreatedClusterClient = serde_json::from_value(serde_json::json!({
//!     "name": "ci", "uuid": "u1", "clientId": "id1", "clientSecret": "s3cr3t",
//!     "permissions": ["Zeebe"], "audience": "zeebe.camunda.io",
//!     "links": { "zeebe": "c1.bru-2.zeebe.camunda.io:443" }
//! })).unwrap();
//! let settings = ConnectionSettings::builder().created_client(&created).build();
//! assert_eq!(settings.get("ZEEBE_CLIENT_ID").map(|v| v.expose()), Some("id1"));
//! assert!(!format!("{settings} {settings:?}").contains("s3cr3t"));
//! ```

use std::fmt;

use crate::{
    types::{Cluster, ClusterClientConnectionDetails, CreatedClusterClient},
    SecretString,
};

/// One name of the mapping: what it means and where its value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SettingInfo {
    /// The environment name, such as `ZEEBE_ADDRESS`.
    pub name: &'static str,
    /// What it holds.
    pub meaning: &'static str,
    /// Where its value comes from, first source first.
    pub source: &'static str,
    /// Whether it holds a secret.
    pub secret: bool,
}

const fn info(
    name: &'static str,
    meaning: &'static str,
    source: &'static str,
    secret: bool,
) -> SettingInfo {
    SettingInfo {
        name,
        meaning,
        source,
        secret,
    }
}

/// Every name the mapping gives, in the order [`ConnectionSettings`]
/// lists them. `GetClient` is the client's connection settings
/// (`get_client`, with fields the document does not declare read from its
/// `extra` map), `CreateClient` the created client's answer, "the cluster"
/// `get_cluster`'s answer.
///
/// `CAMUNDA_OAUTH_URL` is also the variable this crate reads for the
/// Administration API's own token URL ([`crate::config`]): a process that
/// takes these settings into its environment points its own
/// `camunda-admin` calls at the cluster's token service, which is the same
/// service on SaaS (`https://login.cloud.camunda.io/oauth/token`).
pub const SETTINGS: &[SettingInfo] = &[
    info(
        "ZEEBE_ADDRESS",
        "the cluster's gRPC gateway, host:port (Console download)",
        "GetClient's ZEEBE_ADDRESS, else the zeebe link of CreateClient or the cluster",
        false,
    ),
    info(
        "ZEEBE_GRPC_ADDRESS",
        "the gRPC gateway as a URL (Console download)",
        "GetClient's ZEEBE_GRPC_ADDRESS, else grpcs:// and ZEEBE_ADDRESS (as the Console writes it)",
        false,
    ),
    info(
        "ZEEBE_REST_ADDRESS",
        "the cluster's REST API (Console download)",
        "GetClient's ZEEBE_REST_ADDRESS or CAMUNDA_REST_ADDRESS; left out when it gives neither",
        false,
    ),
    info(
        "ZEEBE_CLIENT_ID",
        "the cluster client's id (Console download)",
        "GetClient's ZEEBE_CLIENT_ID, else CreateClient's clientId",
        false,
    ),
    info(
        "ZEEBE_CLIENT_SECRET",
        "the cluster client's secret (Console download)",
        "CreateClient's clientSecret (the only answer that holds it)",
        true,
    ),
    info(
        "ZEEBE_AUTHORIZATION_SERVER_URL",
        "the token URL of the cluster's clients (Console download)",
        "GetClient's ZEEBE_AUTHORIZATION_SERVER_URL or CAMUNDA_OAUTH_URL, else the oauth link of CreateClient or the cluster",
        false,
    ),
    info(
        "ZEEBE_TOKEN_AUDIENCE",
        "the audience of the cluster client's tokens (Console download)",
        "GetClient's ZEEBE_TOKEN_AUDIENCE, else CreateClient's audience",
        false,
    ),
    info(
        "CAMUNDA_CLUSTER_ID",
        "the cluster's id (Console download)",
        "GetClient's CAMUNDA_CLUSTER_ID, else the cluster's uuid, else the id given (the create's path parameter)",
        false,
    ),
    info(
        "CAMUNDA_CLUSTER_REGION",
        "the cluster's region key, such as bru-2 (Console download)",
        "GetClient's CAMUNDA_CLUSTER_REGION; left out otherwise (the cluster's region names no key)",
        false,
    ),
    info(
        "CAMUNDA_CREDENTIALS_SCOPES",
        "the client's permissions, comma-separated (Console download)",
        "GetClient's CAMUNDA_CREDENTIALS_SCOPES, else CreateClient's permissions",
        false,
    ),
    info(
        "CAMUNDA_OAUTH_URL",
        "the token URL (Console download; also this crate's own token URL variable)",
        "as ZEEBE_AUTHORIZATION_SERVER_URL, GetClient's CAMUNDA_OAUTH_URL first",
        false,
    ),
    info(
        "CAMUNDA_REST_ADDRESS",
        "the cluster's REST API (Camunda 8.8 SDKs)",
        "as ZEEBE_REST_ADDRESS",
        false,
    ),
    info(
        "CAMUNDA_CLIENT_ID",
        "the cluster client's id (Camunda 8.8 SDKs)",
        "as ZEEBE_CLIENT_ID",
        false,
    ),
    info(
        "CAMUNDA_CLIENT_SECRET",
        "the cluster client's secret (Camunda 8.8 SDKs)",
        "as ZEEBE_CLIENT_SECRET",
        true,
    ),
    info(
        "CAMUNDA_TOKEN_AUDIENCE",
        "the audience of the cluster client's tokens (Camunda 8.8 SDKs)",
        "as ZEEBE_TOKEN_AUDIENCE",
        false,
    ),
    info(
        "CAMUNDA_AUTH_STRATEGY",
        "how Camunda 8.8 SDKs authenticate: OAUTH (client credentials)",
        "OAUTH when a client id and secret are given",
        false,
    ),
    info(
        "CAMUNDA_OPERATE_BASE_URL",
        "Operate's URL (Console download)",
        "GetClient's CAMUNDA_OPERATE_BASE_URL, else the operate link of CreateClient or the cluster",
        false,
    ),
    info(
        "CAMUNDA_TASKLIST_BASE_URL",
        "Tasklist's URL (Console download)",
        "GetClient's CAMUNDA_TASKLIST_BASE_URL, else the tasklist link of CreateClient or the cluster",
        false,
    ),
    info(
        "CAMUNDA_OPTIMIZE_BASE_URL",
        "Optimize's URL (Console download)",
        "GetClient's CAMUNDA_OPTIMIZE_BASE_URL, else the optimize link of CreateClient or the cluster",
        false,
    ),
];

/// A setting's value: plain text, or a secret.
#[derive(Clone, PartialEq, Eq)]
pub enum SettingValue {
    /// A value that may be shown.
    Plain(String),
    /// A secret: shown as `***` by `Debug` and `Display`.
    Secret(SecretString),
}

impl SettingValue {
    /// The value itself (for a secret: keep it out of logs).
    pub fn expose(&self) -> &str {
        match self {
            Self::Plain(value) => value,
            Self::Secret(secret) => secret.expose_secret(),
        }
    }

    /// Whether it is a secret.
    pub fn is_secret(&self) -> bool {
        matches!(self, Self::Secret(_))
    }
}

impl fmt::Debug for SettingValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for SettingValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Plain(value) => f.write_str(value),
            Self::Secret(_) => f.write_str("***"),
        }
    }
}

/// The connection settings of a cluster and one of its API clients, as
/// ordered `(NAME, value)` pairs (see [`SETTINGS`]).
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectionSettings {
    settings: Vec<(&'static str, SettingValue)>,
}

impl ConnectionSettings {
    /// Settings from the answers at hand.
    pub fn builder<'a>() -> ConnectionSettingsBuilder<'a> {
        ConnectionSettingsBuilder::default()
    }

    /// The settings in [`SETTINGS`] order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &SettingValue)> + '_ {
        self.settings.iter().map(|(name, value)| (*name, value))
    }

    /// The value of `name`, if the sources gave one.
    pub fn get(&self, name: &str) -> Option<&SettingValue> {
        self.settings
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, value)| value)
    }

    /// The secret values (each once), for a CI's log masking.
    pub fn secrets(&self) -> Vec<&SecretString> {
        let mut secrets: Vec<&SecretString> = Vec::new();
        for (_, value) in &self.settings {
            if let SettingValue::Secret(secret) = value {
                if !secrets.contains(&secret) {
                    secrets.push(secret);
                }
            }
        }
        secrets
    }

    /// The number of settings.
    pub fn len(&self) -> usize {
        self.settings.len()
    }

    /// Whether no source gave anything.
    pub fn is_empty(&self) -> bool {
        self.settings.is_empty()
    }

    /// The settings as a JSON object of names to values, secrets included
    /// (for an output the user asked for).
    pub fn to_json_exposed(&self) -> serde_json::Value {
        serde_json::Value::Object(
            self.settings
                .iter()
                .map(|(name, value)| {
                    (
                        (*name).to_owned(),
                        serde_json::Value::String(value.expose().to_owned()),
                    )
                })
                .collect(),
        )
    }
}

impl fmt::Debug for ConnectionSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// `NAME=value` lines, `***` for secrets.
impl fmt::Display for ConnectionSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, value) in self.iter() {
            writeln!(f, "{name}={value}")?;
        }
        Ok(())
    }
}

/// The answers [`ConnectionSettings`] are made from; each is optional.
#[derive(Default, Clone, Copy)]
#[must_use]
pub struct ConnectionSettingsBuilder<'a> {
    cluster: Option<&'a Cluster>,
    cluster_id: Option<&'a str>,
    created: Option<&'a CreatedClusterClient>,
    details: Option<&'a ClusterClientConnectionDetails>,
}

impl fmt::Debug for ConnectionSettingsBuilder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionSettingsBuilder")
            .field("cluster", &self.cluster.map(|c| &c.uuid))
            .field("cluster_id", &self.cluster_id)
            .field("created_client", &self.created.map(|c| &c.client_id))
            .field("connection_details", &self.details.is_some())
            .finish()
    }
}

fn text(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

fn opt(value: &Option<String>) -> Option<String> {
    value.as_deref().and_then(text)
}

impl<'a> ConnectionSettingsBuilder<'a> {
    /// The cluster (`get_cluster`): its id and links.
    pub fn cluster(mut self, cluster: &'a Cluster) -> Self {
        self.cluster = Some(cluster);
        self
    }

    /// The cluster's id, for callers without its [`Cluster`] (such as
    /// `create_client`'s path parameter).
    pub fn cluster_id(mut self, id: &'a str) -> Self {
        self.cluster_id = Some(id);
        self
    }

    /// The created client (`create_client`): its id, secret, audience,
    /// permissions and links.
    pub fn created_client(mut self, created: &'a CreatedClusterClient) -> Self {
        self.created = Some(created);
        self
    }

    /// The client's connection settings (`get_client`), which win over the
    /// other sources: they are the service's own word for this client.
    pub fn connection_details(mut self, details: &'a ClusterClientConnectionDetails) -> Self {
        self.details = Some(details);
        self
    }

    /// A field of GetClient's answer, declared or not.
    fn detail(&self, name: &str) -> Option<String> {
        let details = self.details?;
        let declared = match name {
            "ZEEBE_ADDRESS" => Some(&details.zeebe_address),
            "ZEEBE_AUTHORIZATION_SERVER_URL" => Some(&details.zeebe_authorization_server_url),
            "ZEEBE_CLIENT_ID" => Some(&details.zeebe_client_id),
            _ => None,
        };
        declared.and_then(|v| text(v)).or_else(|| {
            details
                .extra
                .get(name)
                .and_then(|v| v.as_json().as_str())
                .and_then(text)
        })
    }

    /// A link by name: CreateClient's, then the cluster's.
    fn link(&self, name: &str) -> Option<String> {
        let created = self.created.and_then(|c| c.links.as_ref()).and_then(|l| {
            opt(match name {
                "zeebe" => &l.zeebe,
                "oauth" => &l.oauth,
                "operate" => &l.operate,
                "tasklist" => &l.tasklist,
                "optimize" => &l.optimize,
                _ => return None,
            })
        });
        created.or_else(|| {
            let l = &self.cluster?.links;
            opt(match name {
                "zeebe" => &l.zeebe,
                "oauth" => &l.oauth,
                "operate" => &l.operate,
                "tasklist" => &l.tasklist,
                "optimize" => &l.optimize,
                _ => return None,
            })
        })
    }

    /// The settings the sources give.
    pub fn build(self) -> ConnectionSettings {
        let address = self.detail("ZEEBE_ADDRESS").or_else(|| self.link("zeebe"));
        let grpc = self.detail("ZEEBE_GRPC_ADDRESS").or_else(|| {
            // The Console writes the gateway as a gRPC-over-TLS URL.
            address.as_ref().map(|a| {
                if a.contains("://") {
                    a.clone()
                } else {
                    format!("grpcs://{a}")
                }
            })
        });
        let rest = self
            .detail("ZEEBE_REST_ADDRESS")
            .or_else(|| self.detail("CAMUNDA_REST_ADDRESS"));
        let client_id = self
            .detail("ZEEBE_CLIENT_ID")
            .or_else(|| self.created.and_then(|c| text(&c.client_id)));
        let secret = self
            .created
            .map(|c| c.client_secret.clone())
            .filter(|s| !s.is_empty());
        let token_url = self
            .detail("ZEEBE_AUTHORIZATION_SERVER_URL")
            .or_else(|| self.detail("CAMUNDA_OAUTH_URL"))
            .or_else(|| self.link("oauth"));
        let oauth_url = self
            .detail("CAMUNDA_OAUTH_URL")
            .or_else(|| token_url.clone());
        let audience = self
            .detail("ZEEBE_TOKEN_AUDIENCE")
            .or_else(|| self.created.and_then(|c| opt(&c.audience)));
        let cluster_id = self
            .detail("CAMUNDA_CLUSTER_ID")
            .or_else(|| self.cluster.and_then(|c| text(&c.uuid)))
            .or_else(|| self.cluster_id.and_then(text));
        let scopes = self.detail("CAMUNDA_CREDENTIALS_SCOPES").or_else(|| {
            self.created
                .map(|c| c.permissions.join(","))
                .and_then(|s| text(&s))
        });
        let strategy = (client_id.is_some() && secret.is_some()).then(|| "OAUTH".to_owned());
        let component = |env: &str, link: &str| self.detail(env).or_else(|| self.link(link));

        let plain = |v: Option<String>| v.map(SettingValue::Plain);
        let hidden = |v: &Option<SecretString>| v.clone().map(SettingValue::Secret);
        let values: [(&'static str, Option<SettingValue>); 19] = [
            ("ZEEBE_ADDRESS", plain(address)),
            ("ZEEBE_GRPC_ADDRESS", plain(grpc)),
            ("ZEEBE_REST_ADDRESS", plain(rest.clone())),
            ("ZEEBE_CLIENT_ID", plain(client_id.clone())),
            ("ZEEBE_CLIENT_SECRET", hidden(&secret)),
            ("ZEEBE_AUTHORIZATION_SERVER_URL", plain(token_url)),
            ("ZEEBE_TOKEN_AUDIENCE", plain(audience.clone())),
            ("CAMUNDA_CLUSTER_ID", plain(cluster_id)),
            (
                "CAMUNDA_CLUSTER_REGION",
                plain(self.detail("CAMUNDA_CLUSTER_REGION")),
            ),
            ("CAMUNDA_CREDENTIALS_SCOPES", plain(scopes)),
            ("CAMUNDA_OAUTH_URL", plain(oauth_url)),
            ("CAMUNDA_REST_ADDRESS", plain(rest)),
            ("CAMUNDA_CLIENT_ID", plain(client_id)),
            ("CAMUNDA_CLIENT_SECRET", hidden(&secret)),
            ("CAMUNDA_TOKEN_AUDIENCE", plain(audience)),
            ("CAMUNDA_AUTH_STRATEGY", plain(strategy)),
            (
                "CAMUNDA_OPERATE_BASE_URL",
                plain(component("CAMUNDA_OPERATE_BASE_URL", "operate")),
            ),
            (
                "CAMUNDA_TASKLIST_BASE_URL",
                plain(component("CAMUNDA_TASKLIST_BASE_URL", "tasklist")),
            ),
            (
                "CAMUNDA_OPTIMIZE_BASE_URL",
                plain(component("CAMUNDA_OPTIMIZE_BASE_URL", "optimize")),
            ),
        ];
        ConnectionSettings {
            settings: values
                .into_iter()
                .filter_map(|(name, value)| value.map(|v| (name, v)))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cluster() -> Cluster {
        serde_json::from_value(json!({
            "uuid": "c1", "name": "ci-1", "ownerId": "o", "created": "2026-12-03T10:00:00Z",
            "autoUpdate": true,
            "planType": { "uuid": "p", "name": "Basic" },
            "region": { "uuid": "r", "name": "Belgium, Europe (europe-west1)" },
            "generation": { "uuid": "g", "name": "Camunda 8.8.2" },
            "channel": { "uuid": "ch", "name": "Stable" },
            "status": { "ready": "Healthy" },
            "links": {
                "zeebe": "c1.bru-2.zeebe.camunda.io:443",
                "operate": "https://bru-2.operate.camunda.io/c1",
                "tasklist": "https://bru-2.tasklist.camunda.io/c1",
                "oauth": "https://login.cloud.camunda.io/oauth/token",
                "console": "https://console.cloud.camunda.io/org/o/cluster/c1"
            }
        }))
        .unwrap()
    }

    fn created() -> CreatedClusterClient {
        serde_json::from_value(json!({
            "name": "ci", "uuid": "u1", "clientId": "client-1", "clientSecret": "s3cr3t-value",
            "permissions": ["Zeebe", "Operate"], "audience": "zeebe.camunda.io"
        }))
        .unwrap()
    }

    fn details() -> ClusterClientConnectionDetails {
        serde_json::from_value(json!({
            "name": "ci",
            "ZEEBE_ADDRESS": "c1.bru-2.zeebe.camunda.io:443",
            "ZEEBE_CLIENT_ID": "client-1",
            "ZEEBE_AUTHORIZATION_SERVER_URL": "https://login.cloud.camunda.io/oauth/token",
            "ZEEBE_TOKEN_AUDIENCE": "zeebe.camunda.io",
            "ZEEBE_REST_ADDRESS": "https://bru-2.zeebe.camunda.io/c1",
            "CAMUNDA_CLUSTER_ID": "c1",
            "CAMUNDA_CLUSTER_REGION": "bru-2",
            "CAMUNDA_CREDENTIALS_SCOPES": "Zeebe,Operate",
            "CAMUNDA_OAUTH_URL": "https://login.cloud.camunda.io/oauth/token"
        }))
        .unwrap()
    }

    #[test]
    fn every_source_together_gives_every_name_in_table_order() {
        let (c, k, d) = (cluster(), created(), details());
        let s = ConnectionSettings::builder()
            .cluster(&c)
            .created_client(&k)
            .connection_details(&d)
            .build();
        let names: Vec<&str> = s.iter().map(|(n, _)| n).collect();
        let all: Vec<&str> = SETTINGS
            .iter()
            .map(|i| i.name)
            .filter(|n| *n != "CAMUNDA_OPTIMIZE_BASE_URL")
            .collect();
        assert_eq!(names, all, "optimize has no link here, so it is left out");
        let get = |n: &str| s.get(n).map(|v| v.expose().to_owned());
        assert_eq!(
            get("ZEEBE_GRPC_ADDRESS").as_deref(),
            Some("grpcs://c1.bru-2.zeebe.camunda.io:443")
        );
        assert_eq!(
            get("CAMUNDA_REST_ADDRESS").as_deref(),
            Some("https://bru-2.zeebe.camunda.io/c1")
        );
        assert_eq!(
            get("CAMUNDA_CLIENT_SECRET").as_deref(),
            Some("s3cr3t-value")
        );
        assert_eq!(get("CAMUNDA_AUTH_STRATEGY").as_deref(), Some("OAUTH"));
        assert_eq!(get("CAMUNDA_CLUSTER_REGION").as_deref(), Some("bru-2"));
        assert_eq!(s.secrets().len(), 1);
        for info in SETTINGS {
            assert_eq!(
                s.get(info.name).map(SettingValue::is_secret),
                s.get(info.name).map(|_| info.secret),
                "{}",
                info.name
            );
        }
    }

    #[test]
    fn what_no_source_gives_is_left_out() {
        let (c, k) = (cluster(), created());
        let s = ConnectionSettings::builder()
            .cluster(&c)
            .created_client(&k)
            .build();
        for absent in [
            "ZEEBE_REST_ADDRESS",
            "CAMUNDA_REST_ADDRESS",
            "CAMUNDA_CLUSTER_REGION",
        ] {
            assert!(s.get(absent).is_none(), "{absent} is not guessed");
        }
        assert_eq!(
            s.get("ZEEBE_ADDRESS").map(SettingValue::expose),
            Some("c1.bru-2.zeebe.camunda.io:443")
        );
        assert_eq!(
            s.get("CAMUNDA_CREDENTIALS_SCOPES")
                .map(SettingValue::expose),
            Some("Zeebe,Operate")
        );
        let only_cluster = ConnectionSettings::builder().cluster(&c).build();
        assert!(only_cluster.get("ZEEBE_CLIENT_ID").is_none());
        assert!(
            only_cluster.get("CAMUNDA_AUTH_STRATEGY").is_none(),
            "no credentials, no strategy"
        );
        assert!(ConnectionSettings::builder().build().is_empty());
        let by_id = ConnectionSettings::builder()
            .created_client(&k)
            .cluster_id("c9")
            .build();
        assert_eq!(
            by_id.get("CAMUNDA_CLUSTER_ID").map(SettingValue::expose),
            Some("c9")
        );
    }

    #[test]
    fn debug_and_display_show_no_secret() {
        let (c, k, d) = (cluster(), created(), details());
        let s = ConnectionSettings::builder()
            .cluster(&c)
            .created_client(&k)
            .connection_details(&d)
            .build();
        let shown = format!("{s} {s:?} {:?}", s.get("ZEEBE_CLIENT_SECRET"));
        assert!(!shown.contains("s3cr3t-value"), "{shown}");
        assert!(shown.contains("ZEEBE_CLIENT_SECRET=***"), "{shown}");
        assert_eq!(
            s.to_json_exposed()["ZEEBE_CLIENT_SECRET"],
            json!("s3cr3t-value")
        );
    }
}
