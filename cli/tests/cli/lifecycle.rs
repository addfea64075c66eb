//! The README's shell lifecycle, run as written: `camunda-admin emulator`
//! in the background, a cluster created by names and waited for, a client,
//! a connector secret, the allowlist, a backup, the cluster deleted, and
//! the emulator stopped by SIGTERM (the script fails unless it exits 0).

use std::{path::Path, process::Command};

/// The script between the README's `cli-lifecycle` markers.
fn readme_script() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("the README");
    let start = readme
        .find("<!-- cli-lifecycle:start -->")
        .expect("the start marker");
    let end = readme
        .find("<!-- cli-lifecycle:end -->")
        .expect("the end marker");
    let block = &readme[start..end];
    let body = block
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.rsplit_once("```"))
        .map(|(script, _)| script)
        .expect("a sh block between the markers");
    body.to_owned()
}

#[test]
fn the_readme_lifecycle_runs_against_the_emulator_subcommand() {
    let dir = tempfile::tempdir().expect("a temp folder");
    let script = crate::support::file(dir.path(), "lifecycle.sh", &readme_script());
    let bin_dir = Path::new(crate::support::BIN)
        .parent()
        .expect("the binary's folder");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("bash")
        .args(["-euo", "pipefail", &script])
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", path)
        // A new user's home: the emulator's exports keep tokens out of it.
        .env("HOME", dir.path())
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the script failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stderr.contains("camunda-admin: emulator stopped"),
        "a clean stop: {stderr}"
    );
    assert!(
        stderr.contains("shown now and never again"),
        "the client secret's warning: {stderr}"
    );
    let client: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("client.json")).expect("client.json"),
    )
    .expect("client.json is JSON");
    assert!(client["clientSecret"]
        .as_str()
        .is_some_and(|s| !s.is_empty()));
    assert!(
        !stderr.contains("example-only"),
        "the connector secret stays off stderr"
    );
    let tokens = dir.path().join(".camunda");
    assert!(!tokens.exists(), "nothing in ~/.camunda after a tour");
}

#[test]
fn the_emulator_subcommand_listens_where_asked_and_stops_on_ctrl_c() {
    use std::io::{BufRead, BufReader};
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut child = crate::support::bare()
        .args(["emulator", "--port", &port.to_string()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the emulator starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let exports: Vec<String> = BufReader::new(stdout)
        .lines()
        .take(5)
        .map(|l| l.expect("a line"))
        .collect();
    assert_eq!(
        exports[0],
        format!("export CAMUNDA_CONSOLE_BASE_URL='http://127.0.0.1:{port}'")
    );
    assert!(
        exports.iter().all(|l| l.starts_with("export CAMUNDA_")),
        "{exports:?}"
    );
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let output = child.wait_with_output().expect("the emulator ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "a clean stop: {output:?}");
    assert!(stderr.contains("emulator stopped"), "{stderr}");
}

#[test]
fn a_busy_port_is_named() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = busy.local_addr().expect("an address").port();
    let output = crate::support::bare()
        .args(["emulator", "--port", &port.to_string()])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("port {port}")), "{stderr}");
}
