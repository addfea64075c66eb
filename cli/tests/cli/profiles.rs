//! Named profiles: a profile switches organizations (two emulators), the
//! precedence flags > `--profile` > `CAMUNDA_*` > `CAMUNDA_ADMIN_PROFILE`,
//! `profile show` names each value's source without the secret, and a
//! stored secret is used only from a file of mode 0600.

use crate::support::{bare, quick, run_with_stdin, Harness, Run};

/// `command` with the profile file under `config`.
fn with_config(
    mut command: std::process::Command,
    config: &std::path::Path,
) -> std::process::Command {
    command.env("XDG_CONFIG_HOME", config).env("HOME", config);
    command
}

fn names(run: &Run) -> Vec<String> {
    run.json()
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|c| c["name"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn a_profile_switches_organizations_with_the_documented_precedence() {
    let a = Harness::start(quick());
    let b = Harness::start(quick());
    b.run(&[
        "clusters",
        "create",
        "--name",
        "in-b",
        "--region",
        "europe-west1",
        "--plan",
        "Basic",
        "--channel",
        "Stable",
    ])
    .ok();
    let config = tempfile::tempdir().expect("a temp folder");
    let e = &b.emulator;
    let audience = e.audience();
    let add = Run::of_command(&mut with_config(
        a.command(&[
            "profile",
            "add",
            "b",
            "--base-url",
            &e.base_url(),
            "--token-url",
            &e.token_url(),
            "--client-id",
            e.admin_client_id(),
            "--audience",
            audience,
            "--secret-env",
            "B_SECRET",
        ]),
        config.path(),
    ));
    add.ok();
    let secret = e.admin_client_secret().expose_secret().to_owned();
    let in_a = |args: &[&str], profile_env: Option<&str>| {
        let mut command = with_config(a.command(args), config.path());
        command.env("B_SECRET", &secret);
        if let Some(name) = profile_env {
            command.env("CAMUNDA_ADMIN_PROFILE", name);
        }
        Run::of_command(&mut command)
    };
    // --profile is above the CAMUNDA_* variables (which point at A).
    assert_eq!(
        names(&in_a(&["--profile", "b", "clusters", "list"], None)),
        ["in-b"]
    );
    // CAMUNDA_ADMIN_PROFILE is below them.
    assert!(names(&in_a(&["clusters", "list"], Some("b"))).is_empty());
    // A flag is above --profile: A's settings by flags, B's profile chosen.
    let a_secret = crate::support::file(
        config.path(),
        "a-secret",
        a.emulator.admin_client_secret().expose_secret(),
    );
    let by_flags = in_a(
        &[
            "--profile",
            "b",
            "--base-url",
            &a.emulator.base_url(),
            "--token-url",
            &a.emulator.token_url(),
            "--client-id",
            a.emulator.admin_client_id(),
            "--audience",
            a.emulator.audience(),
            "--client-secret-file",
            &a_secret,
            "clusters",
            "list",
        ],
        None,
    );
    assert!(names(&by_flags).is_empty());
    // Without CAMUNDA_* variables, CAMUNDA_ADMIN_PROFILE is used.
    let mut plain = with_config(bare(), config.path());
    plain
        .args(["clusters", "list"])
        .env("CAMUNDA_ADMIN_PROFILE", "b")
        .env("B_SECRET", &secret)
        .env("CAMUNDA_TOKEN_CACHE_DIR", a.cache.path());
    assert_eq!(names(&Run::of_command(&mut plain)), ["in-b"]);

    let shown = in_a(&["--profile", "b", "profile", "show"], None);
    shown.ok();
    assert!(
        shown.stdout.contains(&format!(
            "base-url\t{}\tprofile b (--profile)",
            e.base_url()
        )),
        "{}",
        shown.stdout
    );
    assert!(
        shown
            .stdout
            .contains("client-secret\t***\tprofile b (--profile): variable B_SECRET"),
        "{}",
        shown.stdout
    );
    assert!(!shown.stdout.contains(&secret));
    let unknown = in_a(&["--profile", "nope", "clusters", "list"], None);
    assert_eq!(unknown.code, 3, "{}", unknown.stderr);
    assert!(unknown.stderr.contains("profiles: b"), "{}", unknown.stderr);
}

#[test]
fn a_stored_secret_needs_a_private_file() {
    let b = Harness::start(quick());
    let e = &b.emulator;
    let config = tempfile::tempdir().expect("a temp folder");
    let secret = e.admin_client_secret().expose_secret().to_owned();
    let mut add = with_config(bare(), config.path());
    add.args([
        "profile",
        "add",
        "default",
        "--base-url",
        &e.base_url(),
        "--token-url",
        &e.token_url(),
        "--client-id",
        e.admin_client_id(),
        "--audience",
        e.audience(),
        "--secret-stdin",
    ]);
    run_with_stdin(add, &format!("{secret}\n")).ok();
    let file = config.path().join("camunda-admin").join("profiles.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file)
            .expect("the file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let list = || {
        let mut command = with_config(bare(), config.path());
        command
            .args(["clusters", "list"])
            .env("CAMUNDA_TOKEN_CACHE_DIR", b.cache.path());
        Run::of_command(&mut command)
    };
    list().ok();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let refused = list();
        assert_eq!(refused.code, 3, "{}", refused.stderr);
        assert!(refused.stderr.contains("chmod 600"), "{}", refused.stderr);
        assert!(!refused.stderr.contains(&secret));
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    let mut remove = with_config(bare(), config.path());
    remove.args(["profile", "remove", "default"]);
    Run::of_command(&mut remove).ok();
    let mut listed = with_config(bare(), config.path());
    listed.args(["profile", "list"]);
    assert_eq!(Run::of_command(&mut listed).ok().stdout, "");
}
