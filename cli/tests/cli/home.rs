//! Without a usable `HOME` (unset in some CI runners and systemd units,
//! empty in others) the token cache goes to the home folder the password
//! database names: runs of the command line share one token, and nothing
//! lands in the working directory.

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
    process::Command,
    sync::Mutex,
};

use crate::support::{bare, quick, Harness, Run};

/// Both tests write to the one real home folder: one at a time, so each
/// can tell its own files from the other's.
static HOME_FOLDER: Mutex<()> = Mutex::new(());

/// The home folder of this user in the password database.
fn password_database_home() -> PathBuf {
    let uid = Command::new("id").arg("-u").output().expect("id runs");
    let uid = String::from_utf8_lossy(&uid.stdout).trim().to_owned();
    let entry = Command::new("getent")
        .args(["passwd", &uid])
        .output()
        .expect("getent runs");
    let entry = String::from_utf8_lossy(&entry.stdout).into_owned();
    let home = entry.trim().split(':').nth(5).expect("a passwd entry");
    PathBuf::from(home)
}

fn entries(dir: &Path) -> BTreeSet<PathBuf> {
    std::fs::read_dir(dir)
        .map(|read| read.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default()
}

/// Three `clusters list` runs from an empty working folder, with `home`
/// setting `HOME` (`None`: unset): how many tokens the emulator issued,
/// and what the working folder holds afterwards.
fn three_runs(home: Option<&str>) -> (usize, BTreeSet<PathBuf>, BTreeSet<PathBuf>) {
    let harness = Harness::start(quick());
    let work = tempfile::tempdir().expect("a working folder");
    let cache = password_database_home().join(".camunda");
    let existed = cache.exists();
    let before = entries(&cache);
    let e = &harness.emulator;
    for _ in 0..3 {
        let mut command = bare();
        command
            .args(["clusters", "list"])
            .current_dir(work.path())
            .env("CAMUNDA_CONSOLE_BASE_URL", e.base_url())
            .env("CAMUNDA_OAUTH_URL", e.token_url())
            .env("CAMUNDA_CONSOLE_OAUTH_AUDIENCE", e.audience())
            .env("CAMUNDA_CONSOLE_CLIENT_ID", e.admin_client_id())
            .env(
                "CAMUNDA_CONSOLE_CLIENT_SECRET",
                e.admin_client_secret().expose_secret(),
            );
        if let Some(home) = home {
            command.env("HOME", home);
        }
        Run::of_command(&mut command).ok();
    }
    // This test's token files, and only those, are removed again.
    let added: BTreeSet<PathBuf> = entries(&cache).difference(&before).cloned().collect();
    for path in &added {
        let _ = std::fs::remove_file(path);
    }
    if !existed {
        let _ = std::fs::remove_dir(&cache);
    }
    (e.token_requests(), entries(work.path()), added)
}

#[test]
fn without_home_runs_share_one_token_from_the_password_database_home() {
    let _one_at_a_time = HOME_FOLDER.lock().unwrap_or_else(|e| e.into_inner());
    let (tokens, work, added) = three_runs(None);
    assert_eq!(tokens, 1, "three runs, one token request");
    assert!(work.is_empty(), "written into the working folder: {work:?}");
    assert!(!added.is_empty(), "nothing cached in the home folder");
}

#[test]
fn an_empty_home_is_no_home() {
    let _one_at_a_time = HOME_FOLDER.lock().unwrap_or_else(|e| e.into_inner());
    {
        let home = "";
        let (tokens, work, added) = three_runs(Some(home));
        assert_eq!(tokens, 1, "HOME {home:?}: three runs, one token request");
        assert!(
            work.is_empty(),
            "HOME {home:?}: written into the working folder: {work:?}"
        );
        assert!(!added.is_empty(), "HOME {home:?}: nothing cached at home");
    }
}
