//! A program written the way camunda-admin's docs show, using nothing
//! private. It must keep compiling when the document gains an optional
//! field, an enum value, an operation or an optional query parameter.

use std::time::Duration;

use camunda_admin::{types, Client, Error, NewCluster, RetryPolicy, WaitOptions};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = Client::builder()
        .retry(RetryPolicy::default().with_max_retries(2))
        .build()
        .or_else(|_| Client::from_env())?;
    if std::env::var_os("COMPAT_USER_RUN").is_none() {
        // CI compiles this program; it never calls the API.
        return Ok(());
    }
    tour(&client).await
}

async fn tour(client: &Client) -> Result<(), Error> {
    // Reading answers by field, matching enums with a wildcard arm.
    for cluster in client.get_clusters().await? {
        let state = match cluster.status.ready {
            types::ClusterStatus::Healthy => "up",
            types::ClusterStatus::Creating => "coming",
            _ => "other",
        };
        let types::Cluster { uuid, name, .. } = cluster;
        println!("{uuid} {name} {state}");
    }

    // Building request bodies with builders.
    let created = client
        .create_cluster_by_names(
            NewCluster::new("compat")
                .region("europe-west1")
                .plan("Basic")
                .channel("Stable"),
        )
        .await?;
    let id = created.cluster_id;
    let body = types::CreateClusterBody::builder()
        .name("by-ids")
        .plan_type_id("p")
        .channel_id("c")
        .generation_id("g")
        .region_id("r")
        .description(Some("a description".to_owned()));
    let _ = client.create_cluster(body).await;
    let secret = types::CreateSecretBody::builder()
        .secret_name("DB")
        .secret_value("v");
    client.create_secret(&id, secret).await?;
    let entry: types::IpAllowlistEntry = types::IpAllowlistEntry::builder()
        .ip("10.0.0.0/8")
        .description("vpn")
        .try_into()
        .map_err(|e: types::error::ConversionError| Error::Config(e.to_string()))?;
    client
        .update_ip_allowlist(
            &id,
            types::IpAllowListBody::builder().ipallowlist(vec![entry]),
        )
        .await?;
    client
        .wait_for_cluster_healthy(
            &id,
            WaitOptions::new(Duration::from_secs(600), Duration::from_secs(5)),
        )
        .await?;

    // Errors by variant, never by message.
    match client.get_cluster("nope").await {
        Err(Error::Api(e)) if e.status == 404 => {}
        Err(e) if e.is_retryable() => eprintln!("try again: {e}"),
        Err(e) => return Err(e),
        Ok(_) => {}
    }
    Ok(())
}
