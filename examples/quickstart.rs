//! The main job of the SDK, end to end.
//!
//! With no `CAMUNDA_CONSOLE_CLIENT_ID`/`CAMUNDA_CONSOLE_CLIENT_SECRET` set,
//! it starts the embedded emulator and runs the whole tour on it: token,
//! parameters, a cluster created and awaited, an API client, the IP
//! allowlist, connector secrets, a backup, members, the activity log, and
//! the cluster deleted again.
//!
//! With credentials set it talks to Camunda SaaS and only reads, unless
//! `--write` is given.
//!
//! ```sh
//! cargo run --example quickstart
//! cargo run --example quickstart -- --write   # with credentials: the full tour on SaaS
//! ```

use std::time::Duration;

use camunda_admin::{emulator::Emulator, types, Client, Error, NewCluster, WaitOptions};

#[tokio::main]
async fn main() {
    if let Err(error) = run().await {
        eprintln!("\nquickstart failed: {error}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let write_flag = std::env::args().any(|a| a == "--write");
    let has_credentials = std::env::var_os(camunda_admin::config::ENV_CLIENT_ID).is_some()
        && std::env::var_os(camunda_admin::config::ENV_CLIENT_SECRET).is_some();

    // Keep the emulator alive for the whole tour.
    let mut _emulator = None;
    let (client, target) = if has_credentials {
        (Client::from_env()?, Target::Saas { write: write_flag })
    } else {
        let emulator = Emulator::builder()
            .cluster_ready_delay(Duration::from_secs(3))
            .backup_delay(Duration::from_secs(2))
            .start()
            .await?;
        println!(
            "No CAMUNDA_CONSOLE_* credentials set: using the embedded emulator at {}",
            emulator.base_url()
        );
        let client = emulator.client_builder().build()?;
        _emulator = Some(emulator);
        (client, Target::Emulator)
    };
    tour(&client, target).await
}

#[derive(Clone, Copy, PartialEq)]
enum Target {
    Emulator,
    Saas { write: bool },
}

impl Target {
    fn writes(self) -> bool {
        matches!(self, Target::Emulator | Target::Saas { write: true })
    }
}

fn step(text: &str) {
    println!("\n== {text}");
}

async fn tour(client: &Client, target: Target) -> Result<(), Box<dyn std::error::Error>> {
    step("token");
    client.access_token().await?;
    println!(
        "token obtained ({} token request so far; later calls reuse it)",
        client.token_requests_sent()
    );

    step("parameters");
    let parameters = client.get_parameters().await?;
    for region in &parameters.regions {
        println!(
            "region    {} ({}, {})",
            region.name, region.provider, region.uuid
        );
    }
    for plan in &parameters.cluster_plan_types {
        println!("plan      {} ({})", plan.name, plan.uuid);
    }
    for channel in &parameters.channels {
        println!(
            "channel   {} ({}), default generation {}",
            channel.name, channel.uuid, channel.default_generation.name
        );
    }

    step("clusters");
    let clusters = client.get_clusters().await?;
    println!("{} cluster(s)", clusters.len());
    for cluster in &clusters {
        println!(
            "  {} {} {}",
            cluster.uuid, cluster.name, cluster.status.ready
        );
    }

    step("members");
    match client.get_members().await {
        Ok(members) => {
            for member in members {
                let roles: Vec<String> = member.roles.iter().map(ToString::to_string).collect();
                println!("  {} <{}> {}", member.name, member.email, roles.join(","));
            }
        }
        Err(error) => println!("  not allowed for these credentials: {error}"),
    }

    if !target.writes() {
        step("read-only tour done (pass --write to create and delete a cluster)");
        return Ok(());
    }

    step("create a cluster");
    let (Some(region), Some(plan), Some(channel)) = (
        parameters.regions.first(),
        parameters.cluster_plan_types.first(),
        parameters.channels.first(),
    ) else {
        return Err("the parameters list no region, plan or channel".into());
    };
    // By the names the Console shows; the generation is the channel's default.
    let cluster = NewCluster::new("quickstart")
        .region(&region.name)
        .plan(&plan.name)
        .channel(&channel.name);
    println!("  {} in {} on {}", plan.name, region.name, channel.name);
    let cluster_id = client.create_cluster_by_names(cluster).await?.cluster_id;
    println!("created cluster {cluster_id}; waiting until it is Healthy");
    let cluster = client
        .wait_for_cluster_healthy(
            &cluster_id,
            WaitOptions::new(Duration::from_secs(15 * 60), Duration::from_secs(1)),
        )
        .await?;
    println!("cluster {} is {}", cluster.name, cluster.status.ready);

    step("create an API client for the cluster");
    let created = client
        .create_client(
            &cluster_id,
            types::CreateClusterClientBody::builder()
                .client_name("quickstart-worker")
                .permissions(vec![
                    types::ClientPermission::Zeebe,
                    types::ClientPermission::Operate,
                ]),
        )
        .await?;
    let secret = created.client_secret.expose_secret();
    let shown = if target == Target::Emulator {
        secret.to_owned()
    } else {
        format!("{}… (masked)", secret.chars().take(4).collect::<String>())
    };
    println!(
        "client id {} secret {shown}  <- shown once; the API never returns it again",
        created.client_id
    );
    let details = client.get_client(&cluster_id, &created.client_id).await?;
    println!("ZEEBE_ADDRESS={}", details.zeebe_address);

    step("IP allowlist");
    client
        .update_ip_allowlist(
            &cluster_id,
            types::IpAllowListBody::builder().ipallowlist(vec![types::IpAllowlistEntry::try_from(
                types::IpAllowlistEntry::builder()
                    .ip("203.0.113.0/24")
                    .description("office"),
            )?]),
        )
        .await?;
    println!("allowlist set to 203.0.113.0/24 (office)");

    step("connector secrets");
    client
        .create_secret(
            &cluster_id,
            types::CreateSecretBody::builder()
                .secret_name("DB_PASSWORD")
                .secret_value("first value"),
        )
        .await?;
    client
        .update_secret(
            &cluster_id,
            "DB_PASSWORD",
            types::UpdateSecretBody::builder().secret_value("second value"),
        )
        .await?;
    let secrets = client.get_secrets(&cluster_id).await?;
    println!("secrets: {:?}", secrets.keys().collect::<Vec<_>>());
    client.delete_secret(&cluster_id, "DB_PASSWORD").await?;
    println!("created, updated and deleted DB_PASSWORD");

    step("backup");
    let backup = client.create_backup(&cluster_id).await?;
    println!(
        "backup {} is {}; waiting for it",
        backup.uuid, backup.status
    );
    let backup = client
        .wait_for_backup(
            &cluster_id,
            &backup.uuid,
            WaitOptions::new(Duration::from_secs(30 * 60), Duration::from_secs(1)),
        )
        .await?;
    println!("backup {} is {}", backup.uuid, backup.status);

    step("activity log (CSV)");
    match client.get_csv().await {
        Ok(csv) => {
            for line in csv.lines().take(12) {
                println!("  {line}");
            }
        }
        Err(Error::Api(e)) if e.status == 403 => println!("  not allowed for these credentials"),
        Err(error) => return Err(error.into()),
    }

    step("delete the cluster");
    client.delete_cluster(&cluster_id).await?;
    println!("deleted {cluster_id}");

    step("done");
    println!(
        "token requests for the whole tour: {}",
        client.token_requests_sent()
    );
    Ok(())
}
