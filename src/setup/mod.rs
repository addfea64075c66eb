//! An organization's setup as code: read a setup file
//! ([`Setup::parse`]), compare it with the live organization
//! ([`plan`]), carry the plan out ([`apply`]), or write the live setup as a
//! file ([`export`]).
//!
//! The API is the state: every resource is found by its name where it
//! lives (a cluster in the organization, a client or secret in its
//! cluster, a member by email), so there is no state file to leak or
//! drift. A renamed cluster is a new cluster (and, with `prune`, the old
//! one is deleted). Secret values are references (`env:VAR`,
//! `file:PATH`) in the file and are never printed: a plan says "value
//! differs".
//!
//! ```no_run
//! # async fn run(client: camunda_admin::Client) -> Result<(), camunda_admin::setup::SetupError> {
//! use camunda_admin::setup::{self, ApplyOptions, Setup};
//!
//! let setup = Setup::parse(&std::fs::read_to_string("setup.yaml").unwrap_or_default(), "setup.yaml")?;
//! let options = ApplyOptions::default();
//! let plan = setup::plan(&client, &setup, &options.plan).await?;
//! print!("{plan}");
//! let report = setup::apply(&client, &plan, &options, |event| eprintln!("{event}")).await?;
//! for created in &report.credentials {
//!     // Shown once: store it where it belongs, never in the setup file.
//!     println!("{} {}", created.client_name, created.client_id);
//! }
//! # Ok(()) }
//! ```

mod apply;
mod export;
mod file;
mod live;
mod plan;
#[cfg(test)]
mod tests;

pub use apply::{apply, ApplyOptions, ApplyReport, CreatedClient, Event, Failure};
pub use export::{env_name, export, Export};
pub use file::{
    AllowlistEntry, ClientSpec, ClusterSpec, MemberSpec, SecretRef, SecretSpec, SecretValue, Setup,
};
pub use plan::{plan, Action, Change, FieldChange, Plan, PlanOptions, Resource};

/// Why a setup could not be read, planned or applied. Every variant names
/// the resource; none holds a secret value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// The file does not parse: an unknown or duplicate key, a wrong type,
    /// a literal secret value.
    #[error("{origin}: {}{}: {message}", place(*line, *column), resource.as_ref().map(|r| format!(" ({r})")).unwrap_or_default())]
    Parse {
        /// The file name given.
        origin: String,
        /// 1-based line (0 when the parser names none).
        line: u64,
        /// 1-based column (0 when the parser names none).
        column: u64,
        /// The resources the place is in, such as `cluster "a", client "b"`.
        resource: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// The setup asks for something that cannot be (a name twice, a
    /// region that does not exist, a downgrade, the owner demoted).
    #[error("{resource}: {message}")]
    Invalid {
        /// Such as `cluster "orders-dev"`.
        resource: String,
        /// What is wrong.
        message: String,
    },
    /// A cluster name of the file matches several live clusters.
    #[error("cluster {name:?}: the name matches {} live clusters ({}); rename all but one", ids.len(), ids.join(", "))]
    Ambiguous {
        /// The name.
        name: String,
        /// The ids of the clusters it matches.
        ids: Vec<String>,
    },
    /// Apply refused to start: nothing was changed.
    #[error("nothing changed: {0}")]
    Refused(String),
    /// A call for a resource failed.
    #[error("{resource}: {source}")]
    Api {
        /// Such as `client "ci" of cluster "orders-dev"`.
        resource: String,
        /// The SDK's error (without secrets).
        #[source]
        source: crate::Error,
    },
}

/// `line L column C`, or `the file` when the parser named no place.
fn place(line: u64, column: u64) -> String {
    match line {
        0 => "the file".to_owned(),
        _ => format!("line {line} column {column}"),
    }
}

impl SetupError {
    pub(crate) fn api(resource: impl std::fmt::Display) -> impl FnOnce(crate::Error) -> Self {
        let resource = resource.to_string();
        move |source| Self::Api { resource, source }
    }

    pub(crate) fn invalid(resource: impl std::fmt::Display, message: impl Into<String>) -> Self {
        Self::Invalid {
            resource: resource.to_string(),
            message: message.into(),
        }
    }
}
