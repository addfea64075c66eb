//! Helpers of the command line's tests (`tests/cli/`): the built
//! binary, run against an emulator the test starts, with a temporary
//! token cache folder shared by every invocation of the test.

#![allow(dead_code)] // each test file uses a part

use std::{
    path::Path,
    process::{Command, Output, Stdio},
};

use camunda_admin::emulator::{Emulator, EmulatorConfig};
use serde_json::Value;

/// A cluster id no emulator has.
pub const SOME_UUID: &str = "0b6f0b4e-58d1-4c38-8d0a-5d7e7c9f1a11";

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_camunda-admin");

/// What one invocation did.
#[derive(Debug)]
pub struct Run {
    /// The exit code (`-1` when killed by a signal).
    pub code: i32,
    /// What it printed on stdout.
    pub stdout: String,
    /// What it printed on stderr.
    pub stderr: String,
}

impl Run {
    /// Run `command` to its end.
    pub fn of_command(command: &mut Command) -> Self {
        Self::of(command.output().expect("the binary runs"))
    }

    fn of(output: Output) -> Self {
        Self {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Stdout as JSON, after checking the run succeeded.
    pub fn json(&self) -> Value {
        assert_eq!(self.code, 0, "the command failed: {}", self.stderr);
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }

    /// Check the run succeeded.
    pub fn ok(&self) -> &Self {
        assert_eq!(self.code, 0, "the command failed: {}", self.stderr);
        self
    }
}

/// A `camunda-admin` command with no `CAMUNDA_*` variable of the caller.
pub fn bare() -> Command {
    let mut command = Command::new(BIN);
    command.env_clear().stdin(Stdio::null());
    if let Some(path) = std::env::var_os("PATH") {
        command.env("PATH", path);
    }
    command
}

/// An emulator on a runtime of its own, and a token cache folder.
pub struct Harness {
    pub emulator: Emulator,
    pub cache: tempfile::TempDir,
    // Dropped last: the emulator's server runs on it.
    runtime: tokio::runtime::Runtime,
}

impl Harness {
    /// An emulator with `config`, serving while the test runs commands.
    pub fn start(config: EmulatorConfig) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        let emulator = runtime
            .block_on(config.start())
            .expect("the emulator starts");
        Self {
            emulator,
            cache: tempfile::tempdir().expect("a temp folder"),
            runtime,
        }
    }

    /// A command aimed at the emulator through the `CAMUNDA_*` variables.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = bare();
        let e = &self.emulator;
        command
            .args(args)
            .env("CAMUNDA_CONSOLE_BASE_URL", e.base_url())
            .env("CAMUNDA_OAUTH_URL", e.token_url())
            .env("CAMUNDA_CONSOLE_OAUTH_AUDIENCE", e.audience())
            .env("CAMUNDA_CONSOLE_CLIENT_ID", e.admin_client_id())
            .env(
                "CAMUNDA_CONSOLE_CLIENT_SECRET",
                e.admin_client_secret().expose_secret(),
            )
            .env("CAMUNDA_TOKEN_CACHE_DIR", self.cache.path());
        command
    }

    /// Run `args` against the emulator.
    pub fn run(&self, args: &[&str]) -> Run {
        Run::of(self.command(args).output().expect("the binary runs"))
    }

    /// Run `args` with the variable `name` set to `value`.
    pub fn run_with_env(&self, args: &[&str], name: &str, value: &str) -> Run {
        Run::of(
            self.command(args)
                .env(name, value)
                .output()
                .expect("the binary runs"),
        )
    }

    /// Run `args` with `input` on stdin.
    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> Run {
        run_with_stdin(self.command(args), input)
    }

    /// A cluster made by name, Healthy.
    pub fn healthy_cluster(&self, name: &str) -> String {
        let created = self
            .run(&[
                "clusters",
                "create",
                "--name",
                name,
                "--region",
                "europe-west1",
                "--plan",
                "Basic",
                "--channel",
                "Stable",
                "--wait",
                "--poll-interval",
                "50ms",
            ])
            .json();
        created["clusterId"]
            .as_str()
            .expect("a cluster id")
            .to_owned()
    }

    /// Run a future on the emulator's runtime.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}

/// Run `command` with `input` on stdin.
pub fn run_with_stdin(mut command: Command, input: &str) -> Run {
    use std::io::Write;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input.as_bytes())
        .expect("stdin takes the input");
    Run::of(child.wait_with_output().expect("the binary ends"))
}

/// Run `command` with its stdout a pipe whose reader is already closed
/// (as `cmd | head` once head has exited): every write fails.
pub fn run_into_closed_pipe(mut command: Command) -> Run {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let output = command
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("the binary runs");
    Run::of(output)
}

/// Run `command` with stdout on `/dev/null` (as Rust's runtime also
/// reopens a closed stdout).
pub fn run_into_null(mut command: Command) -> Run {
    let output = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("the binary runs");
    Run::of(output)
}

/// A file holding `text` in `dir`.
pub fn file(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("the file is written");
    path.display().to_string()
}

/// A quick emulator: clusters, backups and restores ready at once.
pub fn quick() -> EmulatorConfig {
    Emulator::builder()
        .cluster_ready_delay(std::time::Duration::ZERO)
        .backup_delay(std::time::Duration::ZERO)
        .restore_delay(std::time::Duration::ZERO)
}
