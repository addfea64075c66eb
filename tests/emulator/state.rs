//! `--state FILE` and `--seed FILE` (`EmulatorConfig::state_file`,
//! `seed_file`): the whole state survives a restart, files that cannot be
//! used stop the start with an error naming them and are left untouched,
//! and a reset goes back to the seed.

use std::path::{Path, PathBuf};

use crate::common::{cluster_body, http, start_emulator, token_for};
use camunda_admin::{
    emulator::{Emulator, EmulatorConfig, EmulatorError, StateFileError, Transition},
    types::{CreateClusterClientBody, CreateSecretBody},
    Client,
};
use serde_json::{json, Value};

/// A private folder for state files, and a path in it.
fn folder() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    (dir, path)
}

/// A fresh token of the emulator's admin credential, and a client with it.
async fn admin(emulator: &Emulator) -> (String, Client) {
    let secret = emulator.admin_client_secret();
    let token = token_for(emulator, emulator.admin_client_id(), secret.expose_secret()).await;
    let client = Client::with_static_token(&emulator.base_url(), token.as_str()).unwrap();
    (token, client)
}

/// A cluster "orders" with a client "ci" and a connector secret; the ids of
/// the cluster and the client.
async fn populate(client: &Client) -> (String, String) {
    let parameters = client.get_parameters().await.unwrap();
    let id = client
        .create_cluster(cluster_body(&parameters, "orders"))
        .await
        .unwrap()
        .cluster_id;
    let created = client
        .create_client(&id, CreateClusterClientBody::builder().client_name("ci"))
        .await
        .unwrap();
    client
        .create_secret(
            &id,
            CreateSecretBody::builder()
                .secret_name("API_KEY")
                .secret_value("value-1"),
        )
        .await
        .unwrap();
    (id, created.client_id)
}

/// The start's error, which must be about `path`.
async fn refused(config: EmulatorConfig, path: &Path) -> StateFileError {
    match config.start().await {
        Ok(_) => panic!("the emulator started"),
        Err(e) => {
            let message = e.to_string();
            assert!(
                message.contains(&path.display().to_string()),
                "the file is named: {message}"
            );
            match e {
                EmulatorError::StateFile {
                    path: named,
                    problem,
                } => {
                    assert_eq!(named, path);
                    problem
                }
                other => panic!("not a state file error: {other:?}"),
            }
        }
    }
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn a_restarted_emulator_keeps_ids_credentials_tokens_and_secret_values() {
    let (_dir, path) = folder();
    let first = start_emulator(Emulator::builder().state_file(&path)).await;
    let (admin_id, admin_secret) = (
        first.admin_client_id().to_owned(),
        first.admin_client_secret(),
    );
    let org = first.org_id().to_owned();
    let (token, client) = admin(&first).await;
    let (id, client_id) = populate(&client).await;
    first.shutdown().await;
    assert_eq!(mode(&path), 0o600, "it holds secrets");
    let text = std::fs::read_to_string(&path).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(file["format"], "camunda-admin-emulator-state");
    assert_eq!(file["version"], 1);

    let second = start_emulator(Emulator::builder().state_file(&path)).await;
    assert_eq!(second.admin_client_id(), admin_id);
    assert_eq!(second.org_id(), org);
    // The token of the first run is still valid, and the credential gets new ones.
    let old = Client::with_static_token(&second.base_url(), token.as_str()).unwrap();
    let clusters = old.get_clusters().await.unwrap();
    assert_eq!(
        clusters.iter().map(|c| c.uuid.as_str()).collect::<Vec<_>>(),
        [id.as_str()]
    );
    token_for(&second, &admin_id, admin_secret.expose_secret()).await;
    let clients = old.get_clients(&id).await.unwrap();
    assert_eq!(clients[0].client_id, client_id);
    let secrets: Value = http()
        .get(format!("{}/clusters/{id}/secrets", second.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(secrets, json!({ "API_KEY": "value-1" }));
    // The activity log too.
    let activity = old.get_json().await.unwrap();
    assert_eq!(activity.len(), 3, "{activity:?}");
}

#[tokio::test]
async fn the_state_file_is_written_after_a_change_without_a_shutdown() {
    let (_dir, path) = folder();
    let emulator = start_emulator(Emulator::builder().state_file(&path)).await;
    assert_eq!(mode(&path), 0o600, "written at start already");
    let (_, client) = admin(&emulator).await;
    let (id, _) = populate(&client).await;
    // The writer runs beside the server: wait for it by counts, not time.
    let mut written = false;
    for _ in 0..6000 {
        let text = std::fs::read_to_string(&path).unwrap();
        if text.contains(&id) && text.contains("value-1") {
            written = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(written, "the state file never held the new cluster");
    assert_eq!(mode(&path), 0o600);
    // Only the state file in the folder: temporary files are renamed away.
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["state.json"]);
    drop(emulator);
}

#[tokio::test]
async fn a_record_waiting_for_a_manual_step_still_waits_after_a_restart() {
    let (_dir, path) = folder();
    let config = || {
        Emulator::builder()
            .state_file(&path)
            .cluster_transition(Transition::Manual)
    };
    let first = start_emulator(config()).await;
    let (token, client) = admin(&first).await;
    let (id, _) = populate(&client).await;
    first.shutdown().await;
    let second = start_emulator(config()).await;
    let client = Client::with_static_token(&second.base_url(), token.as_str()).unwrap();
    let status = |c: camunda_admin::types::Cluster| c.status.ready.to_string();
    assert_eq!(status(client.get_cluster(&id).await.unwrap()), "Creating");
    assert_eq!(second.step_transitions(), 1);
    assert_eq!(status(client.get_cluster(&id).await.unwrap()), "Healthy");
}

#[tokio::test]
async fn a_garbage_state_file_is_refused_and_left_untouched() {
    let (_dir, path) = folder();
    std::fs::write(&path, "{ not json").unwrap();
    let problem = refused(Emulator::builder().state_file(&path), &path).await;
    assert!(matches!(problem, StateFileError::NotJson(_)), "{problem:?}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{ not json");
}

#[tokio::test]
async fn an_unknown_format_or_version_is_refused_and_left_untouched() {
    let (_dir, path) = folder();
    let v2 = r#"{"format": "camunda-admin-emulator-state", "version": 2}"#;
    std::fs::write(&path, v2).unwrap();
    let problem = refused(Emulator::builder().state_file(&path), &path).await;
    assert!(
        matches!(&problem, StateFileError::UnsupportedVersion(v) if v == "2"),
        "{problem:?}"
    );
    assert!(problem.to_string().contains("version 1"), "{problem}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), v2);
    std::fs::write(&path, r#"{"clusters": []}"#).unwrap();
    let problem = refused(Emulator::builder().state_file(&path), &path).await;
    assert!(
        matches!(problem, StateFileError::UnknownFormat),
        "{problem:?}"
    );
}

#[tokio::test]
async fn an_invalid_state_names_the_problem_but_never_a_value() {
    let (_dir, path) = folder();
    let text = json!({
        "format": "camunda-admin-emulator-state",
        "version": 1,
        "orgId": "o",
        "admin": { "clientId": "a", "clientSecret": "b" },
        "clusters": "TOPSECRET-misplaced",
    })
    .to_string();
    std::fs::write(&path, &text).unwrap();
    let problem = refused(Emulator::builder().state_file(&path), &path).await;
    assert!(matches!(problem, StateFileError::Invalid(_)), "{problem:?}");
    for shown in [problem.to_string(), format!("{problem:?}")] {
        assert!(!shown.contains("TOPSECRET"), "{shown}");
    }
    // A typo in a hand-written seed is named.
    let typo = text.replace(r#""clusters":"TOPSECRET-misplaced""#, r#""clustres":[]"#);
    std::fs::write(&path, &typo).unwrap();
    let problem = refused(Emulator::builder().seed_file(&path), &path).await;
    assert!(problem.to_string().contains("clustres"), "{problem}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), typo);
}

#[tokio::test]
async fn a_missing_seed_or_a_huge_file_is_refused() {
    let (_dir, path) = folder();
    let problem = refused(Emulator::builder().seed_file(&path), &path).await;
    assert!(matches!(problem, StateFileError::Missing), "{problem:?}");
    // Sparse: no 64 MiB written.
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(65 * 1024 * 1024).unwrap();
    let problem = refused(Emulator::builder().state_file(&path), &path).await;
    assert!(
        matches!(problem, StateFileError::TooLarge { .. }),
        "{problem:?}"
    );
}

#[tokio::test]
async fn a_seed_that_is_also_the_state_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (seed_path, _) = seed(dir.path()).await;
    let before = std::fs::read(&seed_path).unwrap();
    let config = Emulator::builder()
        .seed_file(&seed_path)
        .state_file(dir.path().join(".").join("seed.json"));
    let problem = refused(config, &seed_path).await;
    assert!(matches!(problem, StateFileError::Invalid(_)), "{problem:?}");
    assert_eq!(std::fs::read(&seed_path).unwrap(), before);
}

#[tokio::test]
async fn a_state_file_in_a_folder_others_can_write_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, path) = folder();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let problem = refused(Emulator::builder().state_file(&path), &path).await;
    assert!(
        matches!(problem, StateFileError::UnsafeFolder(_)),
        "{problem:?}"
    );
    assert!(!path.exists(), "nothing written there");
}

/// A seed made by an emulator: the file and the seeded cluster's id.
async fn seed(dir: &Path) -> (PathBuf, String) {
    let path = dir.join("seed.json");
    let maker = start_emulator(Emulator::builder().state_file(&path)).await;
    let (_, client) = admin(&maker).await;
    let (id, _) = populate(&client).await;
    maker.shutdown().await;
    (path, id)
}

/// POST /__emulator/reset with `body`: the answer.
async fn reset(emulator: &Emulator, body: Value) -> Value {
    http()
        .post(format!("{}/reset", emulator.control_url()))
        .bearer_auth(emulator.control_token().expose_secret())
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn ids(clusters: &[camunda_admin::types::Cluster]) -> Vec<String> {
    clusters.iter().map(|c| c.uuid.clone()).collect()
}

#[tokio::test]
async fn a_seed_is_where_the_emulator_starts_and_a_reset_returns_and_it_is_never_written() {
    let dir = tempfile::tempdir().unwrap();
    let (seed_path, seeded) = seed(dir.path()).await;
    let before = std::fs::read(&seed_path).unwrap();
    let emulator = start_emulator(Emulator::builder().seed_file(&seed_path)).await;
    let (_, client) = admin(&emulator).await;
    assert_eq!(
        ids(&client.get_clusters().await.unwrap()),
        [seeded.as_str()]
    );
    client.delete_cluster(&seeded).await.unwrap();
    let parameters = client.get_parameters().await.unwrap();
    let other = client
        .create_cluster(cluster_body(&parameters, "other"))
        .await
        .unwrap()
        .cluster_id;
    assert_eq!(ids(&client.get_clusters().await.unwrap()), [other]);
    assert_eq!(reset(&emulator, json!({})).await["to"], "seed");
    assert_eq!(
        ids(&client.get_clusters().await.unwrap()),
        [seeded.as_str()]
    );
    emulator.reset_to_empty();
    assert!(client.get_clusters().await.unwrap().is_empty());
    emulator.reset();
    assert_eq!(
        ids(&client.get_clusters().await.unwrap()),
        [seeded.as_str()]
    );
    assert_eq!(
        reset(&emulator, json!({"to": "empty"})).await["to"],
        "empty"
    );
    emulator.shutdown().await;
    assert_eq!(
        std::fs::read(&seed_path).unwrap(),
        before,
        "the seed is only read"
    );
}

#[tokio::test]
async fn an_existing_state_file_wins_over_the_seed_which_resets_still_reach() {
    let dir = tempfile::tempdir().unwrap();
    let (seed_path, seeded) = seed(dir.path()).await;
    let state_path = dir.path().join("state.json");
    let config = || {
        Emulator::builder()
            .seed_file(&seed_path)
            .state_file(&state_path)
    };
    // No state file yet: the seed.
    let first = start_emulator(config()).await;
    let (token, client) = admin(&first).await;
    assert_eq!(
        ids(&client.get_clusters().await.unwrap()),
        [seeded.as_str()]
    );
    client.delete_cluster(&seeded).await.unwrap();
    first.shutdown().await;
    // The state file now exists: it wins.
    let second = start_emulator(config()).await;
    let client = Client::with_static_token(&second.base_url(), token.as_str()).unwrap();
    assert!(client.get_clusters().await.unwrap().is_empty());
    second.reset();
    assert_eq!(
        ids(&client.get_clusters().await.unwrap()),
        [seeded.as_str()]
    );
}
