//! A token cache the command line cannot use is said on stderr without
//! `-v`, once per invocation, with its real cause, and no secret; the
//! answer on stdout is unchanged.

use std::os::unix::fs::PermissionsExt;

use crate::support::{quick, Harness};

#[test]
fn a_cache_folder_others_can_write_is_one_warning_on_stderr() {
    let h = Harness::start(quick());
    let shared = h.cache.path().join("shared");
    std::fs::create_dir(&shared).expect("a folder");
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    for _ in 0..2 {
        let run = h
            .command(&["clusters", "list"])
            .env("CAMUNDA_TOKEN_CACHE_DIR", &shared)
            .output()
            .expect("runs");
        let stdout = String::from_utf8_lossy(&run.stdout);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(run.status.success(), "{stderr}");
        assert_eq!(stdout.trim(), "[]", "the answer is unchanged");
        let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains("WARN")).collect();
        assert_eq!(warnings.len(), 1, "one warning per invocation:\n{stderr}");
        assert!(
            warnings[0].contains("shared"),
            "it names the folder:\n{stderr}"
        );
        let secret = h.emulator.admin_client_secret();
        assert!(!stderr.contains(secret.expose_secret()), "{stderr}");
    }
    assert!(
        std::fs::read_dir(&shared)
            .expect("listable")
            .next()
            .is_none(),
        "nothing was written into the folder others can write"
    );
}

#[test]
fn a_usable_cache_folder_says_nothing() {
    let h = Harness::start(quick());
    let run = h.run(&["clusters", "list"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "", "no warning without a cause");
}
