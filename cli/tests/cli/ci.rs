//! `ci up`, `ci down`, `ci run -- CMD` and `clusters prune`, driving the
//! built binary against the emulator: CMD sees the settings, exit codes are
//! CMD's (or 125), real SIGINTs reach the real process group once, nothing
//! is left behind, the secret goes only where asked, and one token serves
//! a whole job.

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    time::Duration,
};

use camunda_admin::operation::OperationId;
use serde_json::Value;

use crate::support::{quick, Harness, Run};

const UP: [&str; 10] = [
    "--name-prefix",
    "ci-test",
    "--region",
    "europe-west1",
    "--plan",
    "Basic",
    "--channel",
    "Stable",
    "--poll-interval",
    "20ms",
];

fn args<'a>(verb: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["ci", verb];
    args.extend(UP);
    args.extend(extra);
    args
}

fn clusters(harness: &Harness) -> Vec<Value> {
    harness
        .run(&["clusters", "list"])
        .json()
        .as_array()
        .cloned()
        .expect("a list")
}

/// Wait until `done` holds; a guard against hanging, not a measurement.
fn wait_until(what: &str, done: impl Fn() -> bool) {
    for _ in 0..3000 {
        if done() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("never happened: {what}");
}

/// Send signal `name` to the child (`group`: to its whole process group).
fn signal(child: &Child, name: &str, group: bool) {
    let target = if group {
        format!("-{}", child.id())
    } else {
        child.id().to_string()
    };
    let status = Command::new("kill")
        .args([name, "--", &target])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

fn finish(child: Child) -> Run {
    let output = child.wait_with_output().expect("the binary ends");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `command` in a process group of its own, as a shell runs a job: a
/// signal to the group is what a terminal's Ctrl-C sends.
fn spawn(mut command: Command, dir: &Path) -> Child {
    use std::os::unix::process::CommandExt;
    command
        .process_group(0)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs")
}

#[test]
fn ci_run_gives_cmd_the_settings_and_leaves_no_cluster_with_one_token() {
    let harness = Harness::start(quick());
    let dir = tempfile::tempdir().unwrap();
    let script = r#"test -n "$ZEEBE_ADDRESS" && test -n "$ZEEBE_CLIENT_SECRET" && test -n "$CAMUNDA_CLIENT_ID" && test -z "$CAMUNDA_CONSOLE_CLIENT_SECRET" && printf %s "$ZEEBE_CLIENT_SECRET" > secret && touch MARKER"#;
    let run = Run::of_command(
        harness
            .command(&args("run", &["-vv", "--", "sh", "-c", script]))
            .current_dir(dir.path()),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        dir.path().join("MARKER").exists(),
        "CMD ran and saw the settings"
    );
    let secret = std::fs::read_to_string(dir.path().join("secret")).unwrap();
    assert!(!secret.is_empty());
    assert!(
        !run.stderr.contains(&secret) && !run.stdout.contains(&secret),
        "the client secret is in CMD's environment only"
    );
    assert_eq!(
        harness.emulator.token_requests(),
        1,
        "one token for the run"
    );
    assert!(clusters(&harness).is_empty(), "{}", run.stderr);
}

#[test]
fn ci_run_exits_with_cmds_code_and_tears_down() {
    let harness = Harness::start(quick());
    let run = harness.run(&args("run", &["--", "sh", "-c", "exit 42"]));
    assert_eq!(run.code, 42, "{}", run.stderr);
    assert!(clusters(&harness).is_empty());
}

#[test]
fn sigint_while_waiting_for_healthy_is_130_and_no_cluster() {
    let harness = Harness::start(quick().cluster_ready_delay(Duration::from_secs(3600)));
    let dir = tempfile::tempdir().unwrap();
    let child = spawn(
        harness.command(&args("run", &["--", "touch", "MARKER"])),
        dir.path(),
    );
    wait_until("the wait for Healthy began", || {
        harness.emulator.calls(OperationId::GetCluster.as_str()) > 0
    });
    signal(&child, "-INT", false);
    let run = finish(child);
    assert_eq!(run.code, 130, "{}", run.stderr);
    assert!(!dir.path().join("MARKER").exists(), "CMD never ran");
    assert!(clusters(&harness).is_empty(), "{}", run.stderr);
}

#[test]
fn sigint_while_cmd_runs_is_130_and_no_cluster() {
    let harness = Harness::start(quick());
    let dir = tempfile::tempdir().unwrap();
    let child = spawn(
        harness.command(&args(
            "run",
            &["--", "sh", "-c", "touch started; sleep 600"],
        )),
        dir.path(),
    );
    wait_until("CMD started", || dir.path().join("started").exists());
    // As a terminal's Ctrl-C: to camunda-admin's group, which CMD is not in.
    signal(&child, "-INT", true);
    let run = finish(child);
    assert_eq!(run.code, 130, "{}", run.stderr);
    assert!(clusters(&harness).is_empty(), "{}", run.stderr);
}

#[test]
fn cmd_gets_each_signal_once_and_its_exit_code_counts() {
    let harness = Harness::start(quick());
    let dir = tempfile::tempdir().unwrap();
    // CMD counts the SIGINTs it gets, then exits 7 on its own.
    let script = r#"trap 'echo got >> signals; exit 7' INT; echo $$ > pid; cut -d' ' -f5 /proc/$$/stat > pgid; touch started; while :; do sleep 0.05; done"#;
    let child = spawn(
        harness.command(&args("run", &["--", "sh", "-c", script])),
        dir.path(),
    );
    wait_until("CMD started", || dir.path().join("started").exists());
    let run_pid = child.id();
    signal(&child, "-INT", true);
    let run = finish(child);
    assert_eq!(run.code, 7, "{}", run.stderr);
    let got = std::fs::read_to_string(dir.path().join("signals")).unwrap();
    assert_eq!(got.lines().count(), 1, "exactly once: {got:?}");
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    assert_eq!(
        read("pgid").trim(),
        read("pid").trim(),
        "CMD leads a process group of its own, not camunda-admin's ({})",
        run_pid
    );
    assert!(clusters(&harness).is_empty());
}

#[test]
fn a_fault_on_create_client_deletes_the_cluster_and_is_125() {
    let harness = Harness::start(quick());
    harness
        .emulator
        .fail_next(OperationId::CreateClient.as_str(), usize::MAX, 500)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let run = Run::of_command(
        harness
            .command(&args("run", &["--", "touch", "MARKER"]))
            .current_dir(dir.path()),
    );
    assert_eq!(run.code, 125, "{}", run.stderr);
    assert!(run.stderr.contains("was deleted"), "{}", run.stderr);
    assert!(!dir.path().join("MARKER").exists(), "CMD does not run");
    assert_eq!(
        harness.emulator.calls(OperationId::DeleteCluster.as_str()),
        1
    );
    assert!(clusters(&harness).is_empty());
}

#[test]
fn up_then_down_in_two_processes_share_one_token_and_the_env_file_is_0600() {
    use std::os::unix::fs::PermissionsExt;
    let harness = Harness::start(quick());
    let dir = tempfile::tempdir().unwrap();
    let env_file = dir.path().join("cluster.env");
    let env_path = env_file.display().to_string();
    let up = harness.run(&args("up", &["--env-file", &env_path, "-vv"]));
    assert_eq!(up.code, 0, "{}", up.stderr);
    let id = up.stdout.trim().to_owned();
    assert!(
        !id.is_empty() && !id.contains('\n'),
        "only the id: {:?}",
        up.stdout
    );
    let mode = std::fs::metadata(&env_file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let text = std::fs::read_to_string(&env_file).unwrap();
    let secret = text
        .lines()
        .find_map(|l| l.strip_prefix("ZEEBE_CLIENT_SECRET="))
        .expect("the secret line")
        .to_owned();
    assert!(!secret.is_empty());
    assert!(
        text.contains(&format!("CAMUNDA_CLUSTER_ID={id}\n")),
        "{text}"
    );
    assert!(
        !up.stderr.contains(&secret),
        "no secret at -vv: {}",
        up.stderr
    );

    let down = harness.run(&["ci", "down", &id]);
    assert_eq!(down.code, 0, "{}", down.stderr);
    assert!(clusters(&harness).is_empty());
    assert_eq!(
        harness.emulator.token_requests(),
        1,
        "up and down share the disk cache"
    );
    let again = harness.run(&["ci", "down", &id]);
    assert_eq!(again.code, 0, "already gone is success: {}", again.stderr);
}

#[test]
fn the_github_files_get_blocks_and_stderr_the_masks() {
    let harness = Harness::start(quick());
    let dir = tempfile::tempdir().unwrap();
    let output = crate::support::file(dir.path(), "output", "EARLIER=1\n");
    let env = crate::support::file(dir.path(), "env", "");
    let run = Run::of_command(
        harness
            .command(&args("up", &["--github-output", "--github-env", "-vv"]))
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_ENV", &env),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let written = std::fs::read_to_string(&output).unwrap();
    assert!(written.starts_with("EARLIER=1\n"), "appended: {written}");
    let block = |text: &str, name: &str| -> (String, String) {
        let start = text.find(&format!("{name}<<")).expect(name);
        let mut lines = text[start..].lines();
        let delimiter = lines.next().unwrap()[name.len() + 2..].to_owned();
        let value = lines.next().unwrap().to_owned();
        assert_eq!(lines.next(), Some(delimiter.as_str()), "{text}");
        (delimiter, value)
    };
    let (d1, secret) = block(&written, "ZEEBE_CLIENT_SECRET");
    let (d2, _) = block(&written, "ZEEBE_ADDRESS");
    assert!(d1.len() > 20 && d1 != d2, "random delimiters: {d1} {d2}");
    assert_eq!(
        block(
            &std::fs::read_to_string(&env).unwrap(),
            "ZEEBE_CLIENT_SECRET"
        )
        .1,
        secret
    );
    assert!(
        run.stderr.contains(&format!("::add-mask::{secret}\n")),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stderr.matches(&secret).count(),
        1,
        "the secret only in its mask line: {}",
        run.stderr
    );
    assert!(!run.stdout.contains(&secret), "stdout has the id only");
}

#[test]
fn up_prints_the_settings_with_o_env() {
    let harness = Harness::start(quick());
    let up = harness.run(&args("up", &["-o", "env"]));
    assert_eq!(up.code, 0, "{}", up.stderr);
    for name in [
        "ZEEBE_ADDRESS=",
        "ZEEBE_CLIENT_SECRET=",
        "CAMUNDA_CLIENT_ID=",
    ] {
        assert!(
            up.stdout.lines().any(|l| l.starts_with(name)),
            "{}",
            up.stdout
        );
    }
    assert!(!up.stdout.contains("export") && !up.stdout.contains('\''));
}

#[test]
fn up_refuses_before_creating_when_the_secret_would_go_nowhere() {
    let harness = Harness::start(quick());
    let dir = tempfile::tempdir().unwrap();
    let nowhere = harness.run(&args("up", &[]));
    assert_eq!(nowhere.code, 2, "{}", nowhere.stderr);
    assert!(
        nowhere.stderr.contains("would go nowhere"),
        "{}",
        nowhere.stderr
    );
    let no_var = harness.run(&args("up", &["--github-output"]));
    assert_eq!(no_var.code, 2, "{}", no_var.stderr);
    let target = crate::support::file(dir.path(), "target", "keep");
    let link = dir.path().join("link.env");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let symlink = harness.run(&args("up", &["--env-file", &link.display().to_string()]));
    assert_eq!(symlink.code, 2, "{}", symlink.stderr);
    let devnull = Run::of_command(
        harness
            .command(&args("up", &["-o", "json"]))
            .stdout(Stdio::null()),
    );
    assert_eq!(devnull.code, 2, "{}", devnull.stderr);
    assert_eq!(
        harness.emulator.calls(OperationId::CreateCluster.as_str()),
        0,
        "nothing created"
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
}

#[test]
fn prune_removes_only_old_marked_clusters_with_the_prefix() {
    let harness = Harness::start(quick());
    let dir = tempfile::tempdir().unwrap();
    let env = dir.path().join("e.env").display().to_string();
    let marked = harness
        .run(&args("up", &["--env-file", &env]))
        .ok()
        .stdout
        .trim()
        .to_owned();
    let mut other = args("up", &["--env-file", &env]);
    other[3] = "nightly";
    let other_marked = harness.run(&other).ok().stdout.trim().to_owned();
    let unmarked = harness.healthy_cluster("ci-test-handmade");

    let prune = |extra: &[&str]| {
        let mut a = vec!["clusters", "prune", "--name-prefix", "ci-test"];
        a.extend(extra);
        harness.run(&a)
    };
    let ids = |run: &Run, key: &str| -> Vec<String> {
        run.json()[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let young = prune(&["--older-than", "1h"]);
    assert!(ids(&young, "deleted").is_empty(), "{}", young.stderr);
    let dry = prune(&["--older-than", "0s", "--dry-run"]);
    assert_eq!(ids(&dry, "deleted"), [marked.as_str()], "{}", dry.stderr);
    assert_eq!(clusters(&harness).len(), 3, "a dry run deletes nothing");
    let real = prune(&["--older-than", "0s"]);
    assert_eq!(ids(&real, "deleted"), [marked.as_str()], "{}", real.stderr);
    assert!(ids(&real, "kept").contains(&unmarked), "unmarked stays");
    let left: Vec<String> = clusters(&harness)
        .iter()
        .map(|c| c["uuid"].as_str().unwrap().to_owned())
        .collect();
    assert!(left.contains(&other_marked) && left.contains(&unmarked) && left.len() == 2);
    let empty = harness.run(&["clusters", "prune", "--name-prefix", ""]);
    assert_eq!(empty.code, 2, "{}", empty.stderr);
}

#[test]
fn a_killed_up_leaves_a_cluster_that_prune_removes_once_old_enough() {
    let harness = Harness::start(quick().cluster_ready_delay(Duration::from_secs(3600)));
    let dir = tempfile::tempdir().unwrap();
    let env = dir.path().join("e.env").display().to_string();
    let mut child = spawn(
        harness.command(&args("up", &["--env-file", &env])),
        dir.path(),
    );
    wait_until("the cluster exists", || {
        harness.emulator.calls(OperationId::GetCluster.as_str()) > 0
    });
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    assert_eq!(clusters(&harness).len(), 1, "SIGKILL leaves the cluster");
    let keep = harness.run(&[
        "clusters",
        "prune",
        "--name-prefix",
        "ci-test",
        "--older-than",
        "1h",
    ]);
    assert_eq!(keep.code, 0, "{}", keep.stderr);
    assert_eq!(clusters(&harness).len(), 1);
    let go = harness.run(&[
        "clusters",
        "prune",
        "--name-prefix",
        "ci-test",
        "--older-than",
        "0s",
    ]);
    assert_eq!(go.code, 0, "{}", go.stderr);
    assert!(clusters(&harness).is_empty());
}

/// The `run:` steps of the README's GitHub Actions workflow, in order:
/// each a script (a block after `run: |`, or the rest of a `run:` line).
fn readme_workflow_steps() -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("the README");
    let start = readme
        .find("<!-- ci-github:start -->")
        .expect("start marker");
    let end = readme.find("<!-- ci-github:end -->").expect("end marker");
    let lines: Vec<&str> = readme[start..end].lines().collect();
    let indent = |line: &str| line.len() - line.trim_start().len();
    let mut steps = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_start();
        i += 1;
        let Some(rest) = line.strip_prefix("run:") else {
            continue;
        };
        if rest.trim() != "|" {
            steps.push(format!("{}\n", rest.trim()));
            continue;
        }
        let base = indent(lines[i - 1]);
        let mut script = String::new();
        while i < lines.len() && (lines[i].trim().is_empty() || indent(lines[i]) > base) {
            if !lines[i].trim().is_empty() {
                script.push_str(&lines[i][base + 2..]);
            }
            script.push('\n');
            i += 1;
        }
        steps.push(script);
    }
    steps
}

#[test]
fn the_readme_github_workflow_runs_its_steps_against_the_emulator() {
    use std::os::unix::fs::PermissionsExt;
    let harness = Harness::start(quick());
    let work = tempfile::tempdir().unwrap();
    let runner_temp = tempfile::tempdir().unwrap();
    let tests = crate::support::file(
        work.path(),
        "run-integration-tests.sh",
        "#!/bin/sh\nset -e\ntest -n \"$ZEEBE_ADDRESS\"\ntest -n \"$ZEEBE_CLIENT_SECRET\"\ntest -n \"$CAMUNDA_CLUSTER_ID\"\necho ran >> tests-ran\n",
    );
    std::fs::set_permissions(&tests, std::fs::Permissions::from_mode(0o755)).unwrap();
    let github_env = crate::support::file(runner_temp.path(), "github-env", "");
    let steps = readme_workflow_steps();
    assert_eq!(steps.len(), 4, "{steps:#?}");
    let bin_dir = Path::new(crate::support::BIN).parent().unwrap();
    let e = &harness.emulator;
    for step in &steps {
        let script = crate::support::file(runner_temp.path(), "step.sh", step);
        let mut bash = Command::new("bash");
        bash.args(["-e", &script])
            .current_dir(work.path())
            .env_clear()
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    bin_dir.display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            )
            .env("CAMUNDA_CONSOLE_BASE_URL", e.base_url())
            .env("CAMUNDA_OAUTH_URL", e.token_url())
            .env("CAMUNDA_CONSOLE_OAUTH_AUDIENCE", e.audience())
            .env("CAMUNDA_CONSOLE_CLIENT_ID", e.admin_client_id())
            .env(
                "CAMUNDA_CONSOLE_CLIENT_SECRET",
                e.admin_client_secret().expose_secret(),
            )
            .env("CAMUNDA_TOKEN_CACHE_DIR", harness.cache.path())
            .env("GITHUB_RUN_ID", "4711")
            .env("GITHUB_REPOSITORY", "owner/repo")
            .env("GITHUB_ENV", &github_env)
            .env("RUNNER_TEMP", runner_temp.path());
        // What earlier steps wrote to $GITHUB_ENV.
        for line in std::fs::read_to_string(&github_env).unwrap().lines() {
            if let Some((name, value)) = line.split_once('=') {
                bash.env(name, value);
            }
        }
        let run = Run::of_command(&mut bash);
        assert_eq!(
            run.code, 0,
            "step failed:\n{step}\n{}\n{}",
            run.stdout, run.stderr
        );
    }
    let ran = std::fs::read_to_string(work.path().join("tests-ran")).unwrap();
    assert_eq!(ran.lines().count(), 2, "the tests ran in both jobs");
    let env_file = runner_temp.path().join("cluster.env");
    let mode = std::fs::metadata(&env_file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(
        clusters(&harness).is_empty(),
        "both jobs deleted their cluster"
    );
    assert_eq!(
        harness.emulator.calls(OperationId::CreateCluster.as_str()),
        2
    );
    assert_eq!(
        harness.emulator.token_requests(),
        1,
        "one token for all steps"
    );
}

#[test]
fn sigint_while_ci_up_waits_deletes_the_cluster() {
    let harness = Harness::start(quick().cluster_ready_delay(Duration::from_secs(3600)));
    let dir = tempfile::tempdir().unwrap();
    let env = dir.path().join("e.env").display().to_string();
    let child = spawn(
        harness.command(&args("up", &["--env-file", &env])),
        dir.path(),
    );
    wait_until("the wait for Healthy began", || {
        harness.emulator.calls(OperationId::GetCluster.as_str()) > 0
    });
    signal(&child, "-INT", false);
    let run = finish(child);
    assert_eq!(run.code, 130, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(clusters(&harness).is_empty(), "{}", run.stderr);
}

#[test]
fn a_second_signal_says_what_is_left_and_a_third_exits() {
    use std::io::{BufRead, BufReader};
    use std::sync::{Arc, Mutex};
    let harness = Harness::start(quick());
    let dir = tempfile::tempdir().unwrap();
    // CMD (and the sleep it runs) ignores SIGINT.
    let script = "trap '' INT; touch started; sleep 600";
    let mut child = spawn(
        harness.command(&args("run", &["--", "sh", "-c", script])),
        dir.path(),
    );
    let stderr = Arc::new(Mutex::new(String::new()));
    let reader = {
        let stderr = Arc::clone(&stderr);
        let pipe = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let mut text = stderr.lock().unwrap();
                text.push_str(&line);
                text.push('\n');
            }
        })
    };
    let seen = |needle: &str| stderr.lock().unwrap().contains(needle);
    wait_until("CMD started", || dir.path().join("started").exists());
    signal(&child, "-INT", false);
    wait_until("the first signal was passed on", || {
        seen("passed to the command")
    });
    signal(&child, "-INT", false);
    wait_until("the second names what is left", || seen("left: cluster"));
    signal(&child, "-INT", false);
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let stderr = stderr.lock().unwrap().clone();
    assert_eq!(status.code(), Some(130), "{stderr}");
    let left = clusters(&harness);
    assert_eq!(left.len(), 1, "a third signal leaves the cluster: {stderr}");
    let id = left[0]["uuid"].as_str().unwrap();
    assert!(
        stderr.contains(&format!("left behind: cluster {id}")),
        "{stderr}"
    );
}

#[test]
fn settings_that_cannot_be_delivered_delete_the_cluster() {
    let harness = Harness::start(quick());
    let dir = tempfile::tempdir().unwrap();
    // A folder cannot be appended to.
    let run = Run::of_command(
        harness
            .command(&args("up", &["--github-output"]))
            .env("GITHUB_OUTPUT", dir.path()),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("was deleted"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "no id of a deleted cluster");
    assert!(clusters(&harness).is_empty());
}

#[test]
fn down_takes_a_name() {
    let harness = Harness::start(quick());
    let id = harness.healthy_cluster("ci-by-name");
    let run = harness.run(&["ci", "down", "ci-by-name"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains(&id), "{}", run.stderr);
    assert!(clusters(&harness).is_empty());
    let gone = harness.run(&["ci", "down", "ci-by-name"]);
    assert_eq!(gone.code, 0, "{}", gone.stderr);
}

#[test]
fn a_command_that_ignores_the_signal_is_killed_then_the_cluster_deleted() {
    let harness = Harness::start(quick());
    let dir = tempfile::tempdir().unwrap();
    let script = "trap '' INT; touch started; sleep 600";
    let child = spawn(
        harness.command(&args("run", &["--", "sh", "-c", script])),
        dir.path(),
    );
    wait_until("CMD started", || dir.path().join("started").exists());
    signal(&child, "-INT", false);
    // The grace period passes (10 s); nothing here measures it.
    let run = finish(child);
    assert_eq!(run.code, 128 + 9, "killed: {}", run.stderr);
    assert!(run.stderr.contains("killing it"), "{}", run.stderr);
    assert!(clusters(&harness).is_empty(), "{}", run.stderr);
}

#[test]
fn a_failed_teardown_after_cmd_passed_is_125_and_names_what_is_left() {
    let harness = Harness::start(quick());
    harness
        .emulator
        .fail_next(OperationId::DeleteCluster.as_str(), usize::MAX, 403)
        .unwrap();
    let run = harness.run(&args("run", &["--", "true"]));
    assert_eq!(run.code, 125, "{}", run.stderr);
    let left = clusters(&harness);
    assert_eq!(left.len(), 1);
    let id = left[0]["uuid"].as_str().unwrap();
    assert!(
        run.stderr.contains(&format!("left behind: cluster {id}")),
        "{}",
        run.stderr
    );
    // A failing CMD keeps its own code.
    let failed = harness.run(&args("run", &["--", "sh", "-c", "exit 3"]));
    assert_eq!(failed.code, 3, "{}", failed.stderr);
}

#[test]
fn the_admin_secret_stays_only_when_asked_and_a_missing_cmd_is_127() {
    let harness = Harness::start(quick());
    let kept = harness.run(&args(
        "run",
        &[
            "--keep-admin-credentials",
            "--",
            "sh",
            "-c",
            r#"test -n "$CAMUNDA_CONSOLE_CLIENT_SECRET""#,
        ],
    ));
    assert_eq!(kept.code, 0, "{}", kept.stderr);
    let missing = harness.run(&args("run", &["--", "no-such-command-here"]));
    assert_eq!(missing.code, 127, "{}", missing.stderr);
    assert!(clusters(&harness).is_empty());
}
