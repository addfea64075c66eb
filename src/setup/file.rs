//! The setup file: its types, how it is read (YAML or JSON, unknown keys
//! refused with line and column), and the checks that need no API.

use std::{collections::BTreeSet, fmt, path::PathBuf};

use serde::{Deserialize, Serialize};

use super::SetupError;
use crate::SecretString;

/// An organization's setup: its clusters (and what hangs off them) and its
/// members. A list left out is not managed: nothing in it is created,
/// changed or deleted; an empty list manages an empty set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Setup {
    /// The clusters, each by its name (unique in the organization); left
    /// out, clusters are not managed (and `prune` deletes none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clusters: Option<Vec<ClusterSpec>>,
    /// The organization's members, each by email; left out, members are
    /// not managed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<MemberSpec>>,
}

/// A cluster, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ClusterSpec {
    /// Its name: the cluster's identity (a renamed cluster is a new one).
    pub name: String,
    /// The region, by the name the Console shows or its cloud code
    /// (`europe-west1`). A change replaces the cluster.
    pub region: String,
    /// The plan type (`Basic`). A change replaces the cluster.
    pub plan: String,
    /// The channel (`Stable`). A change replaces the cluster.
    pub channel: String,
    /// The generation: a version such as `8.8` is satisfied by any
    /// generation of that minor (the newest one is created); an exact name
    /// pins it. Left out, the channel's default is created and any is kept.
    /// A newer one than running is an upgrade, never a downgrade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<String>,
    /// The encryption key type (`Software`, `Hardware`, `Provider`,
    /// `External`); left out, the API's default is created and any kept. A
    /// change replaces the cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<String>,
    /// The region holding backups (dual region), by name or cloud code. A
    /// change replaces the cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_region: Option<String>,
    /// The number of hardware packages, from 1 (the API's default; more on
    /// request for Advanced plans). Left out, the default is created and
    /// any kept. Changed in place (UpdateCluster).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schemars", schemars(range(min = 1)))]
    pub hardware_packages: Option<u32>,
    /// The stage label: `dev`, `test`, `stage` or `prod`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage_label: Option<String>,
    /// A free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its API clients, by name; left out, not managed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clients: Option<Vec<ClientSpec>>,
    /// Its connector secrets, by name; left out, not managed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<Vec<SecretSpec>>,
    /// Its IP allowlist, as a whole; left out, not managed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowlist: Option<Vec<AllowlistEntry>>,
    /// Its automatic backup schedule, a UTC cron expression with five
    /// fields; left out, not managed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_schedule: Option<String>,
}

/// An API client of a cluster, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct ClientSpec {
    /// Its name, unique in the cluster.
    pub name: String,
    /// Its permissions (`Zeebe`, `Operate`, `Tasklist`, `Optimize`,
    /// `Secrets`), at least one. A change replaces the client (a new
    /// secret).
    pub permissions: Vec<String>,
}

/// A connector secret of a cluster, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct SecretSpec {
    /// Its name, unique in the cluster.
    pub name: String,
    /// Where its value comes from: `env:VAR` or `file:PATH`, never the
    /// value itself.
    pub value: SecretRef,
}

/// One entry of an IP allowlist.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct AllowlistEntry {
    /// An IP address or CIDR range.
    pub ip: String,
    /// What it is for.
    #[serde(default)]
    pub description: String,
}

/// A member of the organization, by email.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct MemberSpec {
    /// The email address.
    pub email: String,
    /// The organization roles (`admin`, `developer`, ...), at least one.
    /// The owner's roles cannot be changed.
    pub roles: Vec<String>,
}

impl ClusterSpec {
    /// A cluster named `name` in `region` on `plan` and `channel`, with
    /// nothing else set.
    pub fn new(
        name: impl Into<String>,
        region: impl Into<String>,
        plan: impl Into<String>,
        channel: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            region: region.into(),
            plan: plan.into(),
            channel: channel.into(),
            ..Self::default()
        }
    }
}

impl ClientSpec {
    /// A client named `name` with `permissions`.
    pub fn new<P: Into<String>>(
        name: impl Into<String>,
        permissions: impl IntoIterator<Item = P>,
    ) -> Self {
        Self {
            name: name.into(),
            permissions: permissions.into_iter().map(Into::into).collect(),
        }
    }
}

impl SecretSpec {
    /// A secret named `name` whose value comes from `value`.
    pub fn new(name: impl Into<String>, value: SecretRef) -> Self {
        Self {
            name: name.into(),
            value,
        }
    }
}

impl AllowlistEntry {
    /// An entry for `ip` described as `description`.
    pub fn new(ip: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            ip: ip.into(),
            description: description.into(),
        }
    }
}

impl MemberSpec {
    /// A member with `roles`.
    pub fn new<R: Into<String>>(
        email: impl Into<String>,
        roles: impl IntoIterator<Item = R>,
    ) -> Self {
        Self {
            email: email.into(),
            roles: roles.into_iter().map(Into::into).collect(),
        }
    }
}

/// Where a secret's value comes from: the file holds the reference only.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum SecretRef {
    /// `env:VAR`: the environment variable `VAR`.
    Env(String),
    /// `file:PATH`: the file's content, one trailing line break dropped.
    File(PathBuf),
}

/// What reading a [`SecretRef`] found.
#[derive(Debug)]
#[non_exhaustive]
pub enum SecretValue {
    /// The value.
    Set(SecretString),
    /// The variable is not set (or not valid Unicode).
    Unset(String),
}

impl SecretRef {
    /// Parse `env:VAR` or `file:PATH`; anything else is refused, without
    /// repeating it (it may be a value).
    pub fn parse(text: &str) -> Result<Self, String> {
        if let Some(var) = text.strip_prefix("env:") {
            let valid = !var.is_empty()
                && !var.starts_with(|c: char| c.is_ascii_digit())
                && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            return match valid {
                true => Ok(Self::Env(var.to_owned())),
                false => Err("env: needs a variable name of letters, digits and _".to_owned()),
            };
        }
        if let Some(path) = text.strip_prefix("file:") {
            return match path.is_empty() {
                true => Err("file: needs a path".to_owned()),
                false => Ok(Self::File(PathBuf::from(path))),
            };
        }
        Err("a secret value is given as a reference, env:VAR or file:PATH; a literal value is refused".to_owned())
    }

    /// Read the value: an unset variable is [`SecretValue::Unset`], an
    /// unreadable file an error (its path and the reason, never content).
    pub fn read(&self) -> Result<SecretValue, String> {
        match self {
            Self::Env(var) => Ok(match std::env::var(var) {
                Ok(value) => SecretValue::Set(SecretString::new(value)),
                Err(_) => SecretValue::Unset(var.clone()),
            }),
            Self::File(path) => {
                let mut text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                // As the command line's --secret-value-file: one line break dropped.
                if text.ends_with('\n') {
                    text.pop();
                    if text.ends_with('\r') {
                        text.pop();
                    }
                }
                Ok(SecretValue::Set(SecretString::new(text)))
            }
        }
    }
}

impl fmt::Display for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Env(var) => write!(f, "env:{var}"),
            Self::File(path) => write!(f, "file:{}", path.display()),
        }
    }
}

impl fmt::Debug for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for SecretRef {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SecretRef {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for SecretRef {
    fn schema_name() -> String {
        "SecretRef".to_owned()
    }

    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            string: Some(Box::new(schemars::schema::StringValidation {
                pattern: Some("^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$".to_owned()),
                ..Default::default()
            })),
            metadata: Some(Box::new(schemars::schema::Metadata {
                description: Some(
                    "Where the value comes from: env:VAR or file:PATH; a literal value is refused"
                        .to_owned(),
                ),
                ..Default::default()
            })),
            ..Default::default()
        }
        .into()
    }
}

impl Setup {
    /// Read a setup from YAML or JSON text; `origin` (a file name) starts
    /// every error. Unknown keys, duplicate keys and literal secret values
    /// are errors with line and column and the resource they are in; then
    /// [`Setup::check`] runs.
    pub fn parse(text: &str, origin: &str) -> Result<Self, SetupError> {
        let options = serde_saphyr::options! { with_snippet: false };
        let setup: Setup = serde_saphyr::from_str_with_options(text, options).map_err(|e| {
            let location = e.location();
            let (line, column) = location.map_or((0, 0), |l| (l.line(), l.column()));
            // The message without the source text: the line may hold a value.
            let message = e.without_snippet().to_string();
            let message = strip_location(&message);
            SetupError::Parse {
                origin: origin.to_owned(),
                line,
                column,
                resource: resource_at(text, line, column).or_else(|| resource_by_value(text)),
                message,
            }
        })?;
        setup.check()?;
        Ok(setup)
    }

    /// Read a setup from the file at `path` (see [`Setup::parse`]).
    pub fn from_path(path: &std::path::Path) -> Result<Self, SetupError> {
        let text = std::fs::read_to_string(path).map_err(|e| SetupError::Invalid {
            resource: format!("setup file {}", path.display()),
            message: e.to_string(),
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// The checks that need no API: names present and unique where they
    /// live, at least one permission per client and one role per member.
    pub fn check(&self) -> Result<(), SetupError> {
        let invalid = |resource: String, message: &str| SetupError::Invalid {
            resource,
            message: message.to_owned(),
        };
        let mut clusters = BTreeSet::new();
        for cluster in self.clusters.iter().flatten() {
            let name = cluster.name.trim();
            let it = format!("cluster {name:?}");
            if name.is_empty() {
                return Err(invalid(it, "a cluster needs a name"));
            }
            if !clusters.insert(name) {
                return Err(invalid(it, "named twice in the file"));
            }
            for (field, value) in [
                ("region", &cluster.region),
                ("plan", &cluster.plan),
                ("channel", &cluster.channel),
            ] {
                if value.trim().is_empty() {
                    return Err(invalid(it, &format!("{field} is empty")));
                }
            }
            if cluster.hardware_packages == Some(0) {
                return Err(invalid(it, "hardwarePackages is at least 1"));
            }
            let mut clients = BTreeSet::new();
            for client in cluster.clients.iter().flatten() {
                let it = format!("client {:?} of cluster {name:?}", client.name);
                if client.name.trim().is_empty() {
                    return Err(invalid(it, "a client needs a name"));
                }
                if !clients.insert(client.name.trim()) {
                    return Err(invalid(it, "named twice in the file"));
                }
                if client.permissions.is_empty() {
                    // The API grants every permission when none is asked.
                    return Err(invalid(it, "list at least one permission"));
                }
            }
            let mut secrets = BTreeSet::new();
            for secret in cluster.secrets.iter().flatten() {
                let it = format!("secret {:?} of cluster {name:?}", secret.name);
                if secret.name.trim().is_empty() {
                    return Err(invalid(it, "a secret needs a name"));
                }
                if !secrets.insert(secret.name.trim()) {
                    return Err(invalid(it, "named twice in the file"));
                }
            }
            let mut ips = BTreeSet::new();
            for entry in cluster.allowlist.iter().flatten() {
                if !ips.insert(entry.ip.trim()) {
                    let it = format!("allowlist entry {:?} of cluster {name:?}", entry.ip);
                    return Err(invalid(it, "listed twice"));
                }
            }
        }
        let mut emails = BTreeSet::new();
        for member in self.members.iter().flatten() {
            let email = member.email.trim().to_ascii_lowercase();
            let it = format!("member {email:?}");
            if !email.contains('@') {
                return Err(invalid(it, "not an email address"));
            }
            if member.roles.is_empty() {
                return Err(invalid(it, "list at least one role"));
            }
            if !emails.insert(email) {
                return Err(invalid(it, "listed twice"));
            }
        }
        Ok(())
    }

    /// The setup as YAML, in the order of its fields.
    pub fn to_yaml(&self) -> Result<String, SetupError> {
        serde_saphyr::to_string(self).map_err(|e| SetupError::Invalid {
            resource: "setup".to_owned(),
            message: e.to_string(),
        })
    }
}

/// The parser's message without the place it names (`error: line L
/// column C: ` before it, ` at line L, column C` after it): the error says
/// it once.
fn strip_location(message: &str) -> String {
    let mut message = message.trim().trim_start_matches("error:").trim();
    if let Some(rest) = message.strip_prefix("line ") {
        if let Some((_, rest)) = rest.split_once(": ") {
            message = rest.trim();
        }
    }
    match message.rfind(" at line ") {
        Some(at) => message[..at].trim_end().to_owned(),
        None => message.to_owned(),
    }
}

/// The resource that does not decode, found by decoding each one alone
/// from the document read as plain data (flow style and JSON, where
/// [`resource_at`] finds nothing). Names only, never another value.
fn resource_by_value(text: &str) -> Option<String> {
    use serde_json::Value;
    fn bad<T: serde::de::DeserializeOwned>(value: &Value) -> bool {
        T::deserialize(value).is_err()
    }
    fn label(kind: &str, value: &Value, key: &str) -> String {
        match value.get(key).and_then(Value::as_str) {
            Some(name) => format!("{kind} {name:?}"),
            None => kind.to_owned(),
        }
    }
    let document: Value = serde_saphyr::from_str(text).ok()?;
    let items = |value: &Value, key: &str| -> Vec<Value> {
        value
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    for cluster in items(&document, "clusters") {
        if !bad::<ClusterSpec>(&cluster) {
            continue;
        }
        let this = label("cluster", &cluster, "name");
        let inner = items(&cluster, "clients")
            .iter()
            .find(|c| bad::<ClientSpec>(c))
            .map(|c| label("client", c, "name"))
            .or_else(|| {
                items(&cluster, "secrets")
                    .iter()
                    .find(|s| bad::<SecretSpec>(s))
                    .map(|s| label("secret", s, "name"))
            })
            .or_else(|| {
                items(&cluster, "allowlist")
                    .iter()
                    .find(|e| bad::<AllowlistEntry>(e))
                    .map(|e| label("allowlist entry", e, "ip"))
            });
        return Some(match inner {
            Some(inner) => format!("{this}, {inner}"),
            None => this,
        });
    }
    items(&document, "members")
        .iter()
        .find(|m| bad::<MemberSpec>(m))
        .map(|m| label("member", m, "email"))
}

/// A block-style YAML line: the column of its list dash (if it is a list
/// item), of its first key, and the text from that key on.
fn shape(raw: &str) -> Option<(Option<usize>, usize, &str)> {
    let trimmed = raw.trim_start();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return None;
    }
    let indent = raw.len() - trimmed.len();
    match trimmed.strip_prefix('-') {
        Some(rest) if rest.is_empty() || rest.starts_with(' ') => {
            let content = rest.trim_start();
            let key_col = indent + 1 + (trimmed.len() - content.len());
            Some((Some(indent + 1), key_col, content))
        }
        _ => Some((None, indent + 1, trimmed)),
    }
}

/// The resources that enclose `line` and `column` of a block-style YAML
/// text, such as `cluster "orders-dev", client "ci"`: each enclosing list
/// item's `name:`, `email:` or `ip:`. No other value is ever read back.
fn resource_at(text: &str, line: u64, column: u64) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let last = usize::try_from(line).ok()?.checked_sub(1)?;
    let mut limit = usize::try_from(column).ok()?.max(1);
    let mut found = Vec::new();
    for i in (0..=last.min(lines.len().checked_sub(1)?)).rev() {
        let Some((dash, key_col, _)) = shape(lines[i]) else {
            continue;
        };
        if key_col > limit {
            continue;
        }
        match dash {
            Some(dash) => {
                if let Some(label) = item_label(&lines, i, dash, key_col) {
                    found.push(label);
                }
                limit = dash.saturating_sub(1);
            }
            None => limit = key_col,
        }
        if limit == 0 {
            break;
        }
    }
    found.reverse();
    match found.is_empty() {
        true => None,
        false => Some(found.join(", ")),
    }
}

/// `cluster "x"`, `client "y"`, `member "e"`, ... for the list item that
/// starts at `start`, its dash at `dash` and its keys at `key_col`.
fn item_label(lines: &[&str], start: usize, dash: usize, key_col: usize) -> Option<String> {
    // The list's own key (`clusters:`) is the nearest line above, further left.
    let list = lines[..start]
        .iter()
        .rev()
        .filter_map(|raw| shape(raw))
        .find(|(_, col, _)| *col < dash)
        .and_then(|(_, _, content)| content.split(':').next())
        .map(str::trim)?;
    let (kind, wanted) = match list {
        "clusters" => ("cluster", "name"),
        "clients" => ("client", "name"),
        "secrets" => ("secret", "name"),
        "allowlist" => ("allowlist entry", "ip"),
        "members" => ("member", "email"),
        _ => return None,
    };
    for (offset, raw) in lines[start..].iter().enumerate() {
        let Some((item, col, content)) = shape(raw) else {
            continue;
        };
        if offset > 0 && (col < key_col || item.is_some_and(|d| d <= dash)) {
            break; // the item ended
        }
        if col != key_col {
            continue;
        }
        if let Some((key, value)) = content.split_once(':') {
            if key.trim() == wanted {
                let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
                return Some(format!("{kind} {value:?}"));
            }
        }
    }
    Some(kind.to_owned())
}
