//! The control plane from another language: a Python script using only
//! the standard library drives the running emulator (a 503 injected on
//! CreateCluster, the journal, a reset), as a Node, Go or Terraform test
//! would. Without python3 the test is skipped, unless
//! `CAMUNDA_ADMIN_REQUIRE_PYTHON=1` (CI) makes that a failure.

use crate::common::start_emulator;
use camunda_admin::emulator::Emulator;

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/emulator/control_from_python.py"
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_python_script_injects_a_fault_reads_the_journal_and_resets() {
    let found = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CAMUNDA_ADMIN_REQUIRE_PYTHON").is_none(),
            "python3 is required (CAMUNDA_ADMIN_REQUIRE_PYTHON is set)"
        );
        eprintln!("skipped: no python3");
        return;
    }
    let emulator = start_emulator(Emulator::builder()).await;
    let mut command = std::process::Command::new("python3");
    command
        .arg(SCRIPT)
        .env("CAMUNDA_CONSOLE_BASE_URL", emulator.base_url())
        .env("CAMUNDA_OAUTH_URL", emulator.token_url())
        .env("CAMUNDA_CONSOLE_OAUTH_AUDIENCE", emulator.audience())
        .env("CAMUNDA_CONSOLE_CLIENT_ID", emulator.admin_client_id())
        .env(
            "CAMUNDA_CONSOLE_CLIENT_SECRET",
            emulator.admin_client_secret().expose_secret(),
        )
        .env(
            "CAMUNDA_EMULATOR_CONTROL_TOKEN",
            emulator.control_token().expose_secret(),
        )
        // No proxy between the script and 127.0.0.1.
        .env("NO_PROXY", "*")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy");
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert_eq!(stdout.trim(), "ok");
    // The reset emptied the journal: only the script's last call is left.
    let journal = emulator.requests();
    assert_eq!(journal.len(), 1, "{journal:?}");
    assert_eq!(journal[0]["operationId"], "GetClusters");
}
