//! Reads before a create is sent again. A 503 on `CreateCluster` or a 409
//! on `CreateSecret` does not prove that nothing was created (a gateway
//! may answer 503 after the backend acted; 409 also means "name taken"),
//! so the pipeline looks before it resends.

use std::{future::Future, pin::Pin, time::Duration};

use chrono::{DateTime, Utc};

use crate::{
    error::Error,
    operation::Operation,
    retry::{verdict, Failure, ReadFirst, Verdict},
    Client,
};

/// A cluster counts as possibly created by this call if it was created no
/// earlier than this before the call began (the server's clock may differ).
const CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);

/// What a read needs to know of the create being retried; nothing for the
/// other operations, which never read before a resend.
pub(crate) struct Subject(Option<Create>);

struct Create {
    started: DateTime<Utc>,
    /// The first path parameter (the cluster of a secret).
    cluster: Option<String>,
    /// The name the create gave (`name` of a cluster, `secretName` of a secret).
    name: Option<String>,
}

impl Subject {
    pub(crate) fn new<B: serde::Serialize>(
        operation: &Operation,
        path: &[String],
        body: Option<&B>,
    ) -> Self {
        let field = match operation.id {
            "CreateCluster" => "name",
            "CreateSecret" => "secretName",
            _ => return Self(None),
        };
        // Only the two creates with a read pay for serializing the body.
        let name = body.and_then(|body| {
            let body = serde_json::to_value(body).ok()?;
            body.get(field)?.as_str().map(str::to_owned)
        });
        Self(Some(Create {
            started: Utc::now(),
            cluster: path.first().cloned(),
            name,
        }))
    }

    /// Whether a failed attempt may lead to a read and a resend.
    pub(crate) fn may_read_before_resend(&self) -> bool {
        self.0.is_some()
    }
}

/// What to do after a failed create.
pub(crate) enum Outcome {
    /// Nothing was created: send again (after the server's pause, if any).
    Resend { retry_after: Option<Duration> },
    /// The error stands as it is.
    Keep,
    /// The read found what the create would make: this error instead.
    Replace(Error),
}

/// Decide, reading first where the retry policy says so. Boxed: the read
/// is a call of its own, which may come back here.
pub(crate) fn resend_after_read<'a>(
    client: &'a Client,
    subject: &'a Subject,
    error: &'a Error,
) -> Pin<Box<dyn Future<Output = Outcome> + Send + 'a>> {
    Box::pin(async move {
        let (Error::Api(api), Some(create)) = (error, &subject.0) else {
            return Outcome::Keep;
        };
        let Some(operation) = crate::operation::by_id(api.operation) else {
            return Outcome::Keep;
        };
        let status = api.status.as_u16();
        let retry_after = api.retry_after;
        match verdict(operation, Failure::Status(status)) {
            Verdict::ReadFirst(ReadFirst::ClusterNamed) => {
                cluster_created(client, create, operation, status, retry_after).await
            }
            Verdict::ReadFirst(ReadFirst::SecretNamed) => {
                secret_taken(client, create, operation, retry_after).await
            }
            Verdict::Resend | Verdict::Final => Outcome::Keep,
        }
    })
}

async fn cluster_created(
    client: &Client,
    subject: &Create,
    operation: &'static Operation,
    status: u16,
    retry_after: Option<Duration>,
) -> Outcome {
    let maybe_created = |existing_id| {
        Outcome::Replace(Error::MaybeCreated {
            operation: operation.id,
            status,
            existing_id,
        })
    };
    let Some(name) = &subject.name else {
        return maybe_created(None);
    };
    let since = subject.started - chrono::Duration::from_std(CLOCK_SKEW).unwrap_or_default();
    match client.get_clusters().await {
        Ok(clusters) => match clusters
            .into_iter()
            .find(|c| &c.name == name && c.created >= since)
        {
            Some(cluster) => maybe_created(Some(cluster.uuid)),
            None => Outcome::Resend { retry_after },
        },
        Err(_) => maybe_created(None),
    }
}

async fn secret_taken(
    client: &Client,
    subject: &Create,
    operation: &'static Operation,
    retry_after: Option<Duration>,
) -> Outcome {
    let (Some(cluster), Some(name)) = (&subject.cluster, &subject.name) else {
        return Outcome::Keep;
    };
    match client.get_secrets(cluster).await {
        Ok(secrets) if secrets.contains_key(name) => Outcome::Replace(Error::AlreadyExists {
            operation: operation.id,
            name: name.clone(),
        }),
        // Not there: another change of the cluster's secrets was in progress.
        Ok(_) => Outcome::Resend { retry_after },
        Err(_) => Outcome::Keep,
    }
}
