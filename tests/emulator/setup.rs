//! `camunda_admin::setup` against the emulator: an empty organization set
//! up from a file, drift made behind its back named exactly, convergence,
//! `prune`, a fault halfway, export and re-import, and no secret value in
//! any output.

use std::time::Duration;

use camunda_admin::{
    emulator::Emulator,
    setup::{self, Action, ApplyOptions, ApplyReport, Plan, PlanOptions, Resource, Setup},
    types, Client, OperationId, WaitOptions,
};

use crate::common::fast_retries;

const QUICK: WaitOptions = WaitOptions::new(Duration::from_secs(30), Duration::from_millis(10));

/// Two clusters with clients, secrets from the environment, allowlists and
/// a schedule, and two members. `tag` makes its variables its own (tests
/// share the process's environment).
fn setup_text(tag: &str) -> String {
    format!(
        "\
clusters:
  - name: orders-dev
    region: europe-west1
    plan: Basic
    channel: Stable
    generation: \"8.8\"
    encryption: Hardware
    backupRegion: europe-west2
    hardwarePackages: 2
    stageLabel: dev
    description: Orders, development
    clients:
      - name: ci
        permissions: [Zeebe, Operate]
      - name: worker
        permissions: [Zeebe]
    secrets:
      - name: DB_PASSWORD
        value: env:{tag}_ORDERS_DEV__DB_PASSWORD
    allowlist:
      - ip: 10.0.0.0/8
        description: office
    backupSchedule: \"0 3 * * *\"
  - name: billing-prod
    region: us-central1
    plan: Standard
    channel: Stable
    stageLabel: prod
    clients: []
    secrets:
      - name: API_KEY
        value: env:{tag}_BILLING_PROD__API_KEY
    allowlist: []
members:
  - email: owner@example.com
    roles: [owner]
  - email: admin@example.com
    roles: [admin]
  - email: dev@example.com
    roles: [developer]
"
    )
}

/// The secret values of `tag`'s setup, set in the environment.
fn set_values(tag: &str) -> [String; 2] {
    let values = [
        format!("db-password-value-{tag}"),
        format!("api-key-value-{tag}"),
    ];
    std::env::set_var(format!("{tag}_ORDERS_DEV__DB_PASSWORD"), &values[0]);
    std::env::set_var(format!("{tag}_BILLING_PROD__API_KEY"), &values[1]);
    values
}

async fn start() -> (Emulator, Client) {
    let emulator = Emulator::builder()
        .cluster_ready_delay(Duration::ZERO)
        .start()
        .await
        .expect("emulator");
    let client = emulator
        .client_builder()
        .retry(fast_retries())
        .build()
        .expect("client");
    (emulator, client)
}

fn options() -> ApplyOptions {
    ApplyOptions::default().wait(QUICK)
}

async fn plan_of(client: &Client, setup: &Setup, prune: bool) -> Plan {
    setup::plan(client, setup, &PlanOptions::default().prune(prune))
        .await
        .expect("plan")
}

async fn apply_all(client: &Client, setup: &Setup, options: ApplyOptions) -> (Plan, ApplyReport) {
    let plan = plan_of(client, setup, options.plan.prune).await;
    let report = setup::apply(client, &plan, &options, |_| {})
        .await
        .expect("apply starts");
    (plan, report)
}

/// The changes of `plan` that change something, as `(resource, action)`.
fn changes(plan: &Plan) -> Vec<(String, Action)> {
    plan.changes
        .iter()
        .filter(|c| c.action.is_change())
        .map(|c| (c.resource.to_string(), c.action))
        .collect()
}

fn assert_no_value(text: &str, values: &[String]) {
    for value in values {
        assert!(!text.contains(value.as_str()), "a secret value in: {text}");
    }
}

async fn cluster_id(client: &Client, name: &str) -> String {
    let clusters = client.get_clusters().await.expect("clusters");
    clusters
        .iter()
        .find(|c| c.name == name)
        .map(|c| c.uuid.clone())
        .expect("the cluster exists")
}

#[tokio::test]
async fn setup_applied_to_an_empty_organization_then_plans_no_change() {
    let (_emulator, client) = start().await;
    let values = set_values("SETUP_EMPTY");
    let setup = Setup::parse(&setup_text("SETUP_EMPTY"), "setup.yaml").expect("parses");

    let mut events = Vec::new();
    let plan = plan_of(&client, &setup, false).await;
    assert!(plan.has_changes());
    let report = setup::apply(&client, &plan, &options(), |e| events.push(e.to_string()))
        .await
        .expect("apply");
    assert!(report.succeeded(), "{report}");
    assert_eq!(report.credentials.len(), 2, "ci and worker");
    assert!(report
        .credentials
        .iter()
        .all(|c| !c.client_secret.expose_secret().is_empty() && c.cluster == "orders-dev"));
    assert!(
        events
            .iter()
            .any(|e| e.starts_with("waiting for cluster \"orders-dev\"")),
        "{events:?}"
    );

    // What the API holds now.
    let orders = cluster_id(&client, "orders-dev").await;
    let cluster = client.get_cluster(&orders).await.expect("cluster");
    assert!(
        cluster.generation.name.starts_with("Camunda 8.8"),
        "{}",
        cluster.generation.name
    );
    assert_eq!(cluster.description.as_deref(), Some("Orders, development"));
    assert_eq!(
        cluster.backup_region.map(|r| r.name).as_deref(),
        Some("London, Europe (europe-west2)")
    );
    assert_eq!(
        cluster.encryption.map(|e| e.type_),
        Some(types::ClusterEncryptionKey::Hardware)
    );
    assert_eq!(
        cluster
            .extra
            .get("hardwarePackages")
            .map(|v| v.as_json().as_f64()),
        Some(Some(2.0))
    );
    let secrets = client.get_secrets(&orders).await.expect("secrets");
    assert_eq!(secrets["DB_PASSWORD"].expose_secret(), values[0]);
    let members = client.get_members().await.expect("members");
    assert!(members
        .iter()
        .any(|m| m.email == "dev@example.com" && m.roles == [types::OrganizationRole::Developer]));

    let again = plan_of(&client, &setup, false).await;
    assert!(!again.has_changes(), "{again}");
    assert!(
        again
            .to_string()
            .ends_with("No changes: the live setup matches the file.\n"),
        "{again}"
    );
    let (_, second) = apply_all(&client, &setup, options()).await;
    assert!(second.done.is_empty() && second.succeeded(), "{second}");
    assert_eq!(
        second.to_string(),
        "No changes: the live setup matches the file.\n"
    );

    for text in [
        plan.to_string(),
        serde_json::to_string(&plan).expect("json"),
        format!("{plan:?}"),
        report.to_string(),
        format!("{report:?}"),
        events.join("\n"),
        again.to_string(),
    ] {
        assert_no_value(&text, &values);
    }
    for created in &report.credentials {
        assert!(!format!("{created:?}").contains(created.client_secret.expose_secret()));
    }
}

#[tokio::test]
async fn drift_behind_the_files_back_is_named_exactly_and_apply_converges() {
    let (_emulator, client) = start().await;
    let mut values = set_values("SETUP_DRIFT").to_vec();
    let setup = Setup::parse(&setup_text("SETUP_DRIFT"), "setup.yaml").expect("parses");
    let (_, report) = apply_all(&client, &setup, options()).await;
    assert!(report.succeeded(), "{report}");

    // Behind the file's back: a secret value, a client, an allowlist entry,
    // a member's role.
    let orders = cluster_id(&client, "orders-dev").await;
    let changed = "a-value-changed-behind-the-back".to_owned();
    client
        .update_secret(
            &orders,
            "DB_PASSWORD",
            types::UpdateSecretBody::builder().secret_value(changed.as_str()),
        )
        .await
        .expect("secret changed");
    values.push(changed);
    client
        .create_client(
            &orders,
            types::CreateClusterClientBody::builder()
                .client_name("stray")
                .permissions(vec![types::ClientPermission::Zeebe]),
        )
        .await
        .expect("extra client");
    let entry = types::IpAllowlistEntry::builder()
        .ip("192.168.0.0/16")
        .description("lab");
    client
        .update_ip_allowlist(
            &orders,
            types::IpAllowListBody::builder().ipallowlist(vec![entry.try_into().expect("entry")]),
        )
        .await
        .expect("allowlist changed");
    client
        .update_members(
            "dev@example.com",
            types::PostMemberBody::builder()
                .org_roles(vec![types::AssignableOrganizationRoleType::Admin]),
        )
        .await
        .expect("role changed");

    let plan = plan_of(&client, &setup, false).await;
    assert_eq!(
        changes(&plan),
        [
            (
                "secret \"DB_PASSWORD\" of cluster \"orders-dev\"".to_owned(),
                Action::Update
            ),
            (
                "allowlist of cluster \"orders-dev\"".to_owned(),
                Action::Update
            ),
            ("member \"dev@example.com\"".to_owned(), Action::Update),
        ],
        "{plan}"
    );
    let shown = plan.to_string();
    assert!(shown.contains("value differs"), "{shown}");
    assert!(
        shown.contains("192.168.0.0/16: \"lab\" -> (none)"),
        "{shown}"
    );
    assert!(
        shown.contains("10.0.0.0/8: (none) -> \"office\""),
        "{shown}"
    );
    assert!(
        shown.contains("roles: \"admin\" -> \"developer\""),
        "{shown}"
    );
    assert!(
        shown.contains(". kept        client \"stray\" of cluster \"orders-dev\""),
        "{shown}"
    );
    assert_no_value(&shown, &values);
    assert_no_value(&serde_json::to_string(&plan).expect("json"), &values);

    // Without prune nothing extra is deleted; with it, the extra client only.
    let (_, report) = apply_all(&client, &setup, options()).await;
    assert!(report.succeeded(), "{report}");
    assert_eq!(report.done.len(), 3, "{report}");
    assert!(!plan_of(&client, &setup, false).await.has_changes());
    assert_eq!(
        client.get_secrets(&orders).await.expect("secrets")["DB_PASSWORD"].expose_secret(),
        values[0]
    );
    let pruning = plan_of(&client, &setup, true).await;
    assert_eq!(
        changes(&pruning),
        [(
            "client \"stray\" of cluster \"orders-dev\"".to_owned(),
            Action::Delete
        )],
        "{pruning}"
    );
    let (_, pruned) = apply_all(&client, &setup, options().prune(true)).await;
    assert!(pruned.succeeded() && pruned.done.len() == 1, "{pruned}");
    let names: Vec<String> = client
        .get_clients(&orders)
        .await
        .expect("clients")
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["ci", "worker"]);
    assert!(client
        .get_members()
        .await
        .expect("members")
        .iter()
        .any(|m| m.email == "owner@example.com"));
}

#[tokio::test]
async fn an_unset_variable_is_not_checked_and_a_create_needing_it_changes_nothing() {
    let (emulator, client) = start().await;
    set_values("SETUP_UNSET");
    let setup = Setup::parse(&setup_text("SETUP_UNSET"), "setup.yaml").expect("parses");
    let (_, report) = apply_all(&client, &setup, options()).await;
    assert!(report.succeeded(), "{report}");

    std::env::remove_var("SETUP_UNSET_ORDERS_DEV__DB_PASSWORD");
    let plan = plan_of(&client, &setup, false).await;
    assert!(!plan.has_changes(), "{plan}");
    let secret = plan
        .changes
        .iter()
        .find(|c| matches!(&c.resource, Resource::Secret { name, .. } if name == "DB_PASSWORD"))
        .expect("listed");
    assert_eq!(secret.action, Action::NotChecked);
    assert_eq!(
        secret.note.as_deref(),
        Some("not checked (SETUP_UNSET_ORDERS_DEV__DB_PASSWORD unset)")
    );

    // On a fresh organization the secret must be created: refused up front.
    let (fresh, fresh_client) = start().await;
    let plan = plan_of(&fresh_client, &setup, false).await;
    let refused = setup::apply(&fresh_client, &plan, &options(), |_| {})
        .await
        .expect_err("refused");
    assert!(
        refused
            .to_string()
            .contains("SETUP_UNSET_ORDERS_DEV__DB_PASSWORD, which is not set"),
        "{refused}"
    );
    assert_eq!(fresh.calls(OperationId::CreateCluster.as_str()), 0);
    drop(emulator);
}

#[tokio::test]
async fn a_fault_on_create_client_stops_with_a_report_and_a_second_apply_finishes() {
    let (emulator, client) = start().await;
    set_values("SETUP_FAULT");
    let setup = Setup::parse(&setup_text("SETUP_FAULT"), "setup.yaml").expect("parses");
    emulator
        .fail_next(OperationId::CreateClient.as_str(), 1, 500)
        .expect("fault");

    let (_, report) = apply_all(&client, &setup, options()).await;
    let failure = report.failed.as_ref().expect("it stopped");
    assert_eq!(
        failure.change.resource.to_string(),
        "client \"ci\" of cluster \"orders-dev\""
    );
    assert_eq!(
        emulator.calls(OperationId::CreateClient.as_str()),
        1,
        "a create is never resent blindly"
    );
    assert_eq!(report.done.len(), 2, "the two clusters: {report}");
    assert!(!report.remaining.is_empty());
    let shown = report.to_string();
    assert!(
        shown.contains("failed:    client \"ci\" of cluster \"orders-dev\""),
        "{shown}"
    );
    assert!(
        shown.contains("Stopped at the first failure: 2 done, 1 failed"),
        "{shown}"
    );

    let (plan, second) = apply_all(&client, &setup, options()).await;
    assert!(second.succeeded(), "{second}");
    assert_eq!(changes(&plan).len(), report.remaining.len() + 1, "{plan}");
    assert!(!plan_of(&client, &setup, false).await.has_changes());
}

#[tokio::test]
async fn export_applied_to_a_fresh_organization_exports_the_same_file() {
    let (_emulator, client) = start().await;
    let values = set_values("SETUP_EXPORT");
    let setup = Setup::parse(&setup_text("SETUP_EXPORT"), "setup.yaml").expect("parses");
    let (_, report) = apply_all(&client, &setup, options()).await;
    assert!(report.succeeded(), "{report}");

    let exported = setup::export(&client, &[]).await.expect("export");
    let text = exported.setup.to_yaml().expect("yaml");
    assert_no_value(&text, &values);
    assert!(
        text.contains("value: env:ORDERS_DEV__DB_PASSWORD"),
        "{text}"
    );
    assert!(text.contains("hardwarePackages: 2"), "{text}");
    assert!(
        !text.contains(&cluster_id(&client, "orders-dev").await),
        "no ids: {text}"
    );
    let billing = text.find("name: billing-prod").expect("billing");
    let orders = text.find("name: orders-dev").expect("orders");
    assert!(billing < orders, "sorted by name: {text}");

    // The export's variables, set for the fresh organization.
    std::env::set_var("ORDERS_DEV__DB_PASSWORD", &values[0]);
    std::env::set_var("BILLING_PROD__API_KEY", &values[1]);
    let (_fresh, fresh_client) = start().await;
    let reread = Setup::parse(&text, "export.yaml").expect("an export reads back");
    let (_, applied) = apply_all(&fresh_client, &reread, options()).await;
    assert!(applied.succeeded(), "{applied}");
    let again = setup::export(&fresh_client, &[]).await.expect("export");
    assert_eq!(again.setup.to_yaml().expect("yaml"), text);
    assert!(
        !plan_of(&client, &reread, false).await.has_changes(),
        "the export matches its source"
    );
}

#[tokio::test]
async fn a_name_of_several_live_clusters_stops_plan_with_their_ids() {
    let (_emulator, client) = start().await;
    let parameters = client.get_parameters().await.expect("parameters");
    let mut ids = Vec::new();
    for _ in 0..2 {
        let body = camunda_admin::NewCluster::new("twin")
            .region("europe-west1")
            .plan("Basic")
            .channel("Stable")
            .resolve(&parameters)
            .expect("body");
        ids.push(
            client
                .create_cluster(body)
                .await
                .expect("created")
                .cluster_id,
        );
    }
    let setup = Setup::parse(
        "clusters:\n  - name: twin\n    region: europe-west1\n    plan: Basic\n    channel: Stable\n",
        "s",
    )
    .expect("parses");
    let error = setup::plan(&client, &setup, &PlanOptions::default())
        .await
        .expect_err("ambiguous")
        .to_string();
    for id in &ids {
        assert!(error.contains(id.as_str()), "{error}");
    }
    assert!(
        error.starts_with("cluster \"twin\": the name matches 2 live clusters"),
        "{error}"
    );
}

#[tokio::test]
async fn replacements_need_allow_replace_and_the_owner_is_never_demoted() {
    let (emulator, client) = start().await;
    set_values("SETUP_REPLACE");
    let setup = Setup::parse(&setup_text("SETUP_REPLACE"), "setup.yaml").expect("parses");
    let (_, report) = apply_all(&client, &setup, options()).await;
    assert!(report.succeeded(), "{report}");

    // A client's permissions: the client is replaced (a new secret).
    let permissions = setup_text("SETUP_REPLACE").replace("[Zeebe, Operate]", "[Zeebe, Tasklist]");
    let permissions = Setup::parse(&permissions, "s").expect("parses");
    let plan = plan_of(&client, &permissions, false).await;
    assert_eq!(
        changes(&plan),
        [(
            "client \"ci\" of cluster \"orders-dev\"".to_owned(),
            Action::Replace
        )],
        "{plan}"
    );
    let (_, replaced) = apply_all(&client, &permissions, options().allow_replace(true)).await;
    assert!(replaced.succeeded(), "{replaced}");
    assert_eq!(
        replaced.credentials.len(),
        1,
        "the replaced client's new secret"
    );

    // A region or encryption: the cluster is replaced, with all it holds.
    let moved_text = setup_text("SETUP_REPLACE")
        .replace("region: us-central1", "region: europe-west2")
        .replace("encryption: Hardware", "encryption: Provider")
        .replace("[Zeebe, Operate]", "[Zeebe, Tasklist]");
    let moved = Setup::parse(&moved_text, "s").expect("parses");
    let plan = plan_of(&client, &moved, false).await;
    assert_eq!(plan.count(Action::Replace), 2, "{plan}");
    assert!(
        plan.to_string().contains(
            "replace     cluster \"orders-dev\": encryption: \"Hardware\" -> \"Provider\""
        ),
        "{plan}"
    );
    let deletes = emulator.calls(OperationId::DeleteCluster.as_str());
    let refused = setup::apply(&client, &plan, &options(), |_| {})
        .await
        .expect_err("refused without allow_replace");
    assert!(
        refused.to_string().contains("cluster \"billing-prod\""),
        "{refused}"
    );
    assert_eq!(emulator.calls(OperationId::DeleteCluster.as_str()), deletes);
    let (_, replaced) = apply_all(&client, &moved, options().allow_replace(true)).await;
    assert!(replaced.succeeded(), "{replaced}");
    assert_eq!(
        replaced.credentials.len(),
        2,
        "orders-dev created anew, so its clients too"
    );
    assert!(!plan_of(&client, &moved, false).await.has_changes());

    let demoted = moved_text.replace("roles: [owner]", "roles: [admin]");
    let demoted = Setup::parse(&demoted, "s").expect("parses");
    let error = setup::plan(&client, &demoted, &PlanOptions::default())
        .await
        .expect_err("never demoted")
        .to_string();
    assert!(
        error
            .starts_with("member \"owner@example.com\": the organization's owner is never demoted"),
        "{error}"
    );
    let without_owner =
        moved_text.replace("  - email: owner@example.com\n    roles: [owner]\n", "");
    let without_owner = Setup::parse(&without_owner, "s").expect("parses");
    let pruning = plan_of(&client, &without_owner, true).await;
    assert!(
        !pruning.has_changes(),
        "the owner is never deleted: {pruning}"
    );
}

#[tokio::test]
async fn description_and_stage_are_updated_and_a_newer_generation_is_an_upgrade() {
    let (emulator, client) = start().await;
    let text = "\
clusters:
  - name: orders-test
    region: europe-west1
    plan: Basic
    channel: Stable
    generation: \"8.7\"
    hardwarePackages: 1
    stageLabel: test
    description: first
";
    let setup = Setup::parse(text, "s").expect("parses");
    let (_, report) = apply_all(&client, &setup, options()).await;
    assert!(report.succeeded(), "{report}");
    let id = cluster_id(&client, "orders-test").await;
    let cluster = client.get_cluster(&id).await.expect("cluster");
    assert!(
        cluster.generation.name.starts_with("Camunda 8.7"),
        "{}",
        cluster.generation.name
    );

    let changed = text
        .replace("\"8.7\"", "\"8.8\"")
        .replace("stageLabel: test", "stageLabel: prod")
        .replace("hardwarePackages: 1", "hardwarePackages: 3")
        .replace("description: first", "description: second");
    let changed = Setup::parse(&changed, "s").expect("parses");
    let plan = plan_of(&client, &changed, false).await;
    assert_eq!(
        plan.changes[0].to_string(),
        "  ~ update      cluster \"orders-test\": description: \"first\" -> \"second\"; \
         stageLabel: \"test\" -> \"prod\"; hardwarePackages: \"1\" -> \"3\"; generation: \"Camunda 8.7.14\" -> \"8.8\""
    );
    let (_, report) = apply_all(&client, &changed, options()).await;
    assert!(report.succeeded(), "{report}");
    assert_eq!(emulator.calls(OperationId::UpgradeCluster.as_str()), 1);
    assert_eq!(emulator.calls(OperationId::UpdateCluster.as_str()), 1);
    let cluster = client.get_cluster(&id).await.expect("cluster");
    assert!(
        cluster.generation.name.starts_with("Camunda 8.8"),
        "{}",
        cluster.generation.name
    );
    assert_eq!(cluster.description.as_deref(), Some("second"));
    assert_eq!(
        cluster
            .extra
            .get("hardwarePackages")
            .map(|v| v.as_json().as_f64()),
        Some(Some(3.0)),
        "through UpdateCluster"
    );
    assert_eq!(cluster.uuid, id, "updated in place");
    assert!(!plan_of(&client, &changed, false).await.has_changes());

    // Never a downgrade.
    let older = Setup::parse(&text.replace("\"8.7\"", "\"8.6\""), "s").expect("parses");
    let error = setup::plan(&client, &older, &PlanOptions::default())
        .await
        .expect_err("a downgrade")
        .to_string();
    assert!(error.contains("a cluster is never downgraded"), "{error}");
}
