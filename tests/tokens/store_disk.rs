//! The disk token store in a hostile folder: planted temporary names and
//! symlinks, files of the wrong mode, a folder others can write or another
//! user owns, a lock file that cannot be used. No token is read from or
//! written to anything but a private file of ours in a private folder, and
//! no call fails because of the folder.
#![cfg(unix)]

use std::{
    fs,
    os::unix::fs::{symlink, MetadataExt, PermissionsExt},
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};

use camunda_admin::{Client, StoreKey, StoredFailure, StoredToken, TokenKey, DEFAULT_AUDIENCE};
use httpmock::prelude::*;

const SECRET: &str = "disk-secret";

struct Folder {
    _root: tempfile::TempDir,
    /// The cache folder, inside `root`.
    dir: PathBuf,
    /// A place outside the cache folder that must stay untouched.
    outside: PathBuf,
}

fn folder() -> Folder {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = root.path().join("cache");
    fs::create_dir(&dir).expect("dir");
    chmod(&dir, 0o700);
    let outside = root.path().join("outside");
    fs::create_dir(&outside).expect("outside");
    Folder {
        dir,
        outside,
        _root: root,
    }
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

struct Setup {
    server: &'static MockServer,
    id: String,
    token_mock: httpmock::Mock<'static>,
}

impl Setup {
    async fn new(id: &str) -> Self {
        // Leaked: the mock borrows its server for the whole (short) test.
        let server: &'static MockServer = Box::leak(Box::new(MockServer::start_async().await));
        let token_mock = server
            .mock_async(|when, then| {
                when.method(POST).path("/oauth/token");
                then.status(200).json_body(serde_json::json!({
                    "access_token": format!("token-of-{id}"), "token_type": "Bearer", "expires_in": 3600
                }));
            })
            .await;
        Self {
            server,
            id: id.to_owned(),
            token_mock,
        }
    }

    fn key(&self) -> StoreKey {
        StoreKey::derive(
            TokenKey::new(self.server.url("/oauth/token"), &self.id, DEFAULT_AUDIENCE),
            &SECRET.into(),
        )
    }

    fn path(&self, dir: &Path, suffix: &str) -> PathBuf {
        dir.join(format!("camunda-admin-v1-{}.{suffix}", self.key().id()))
    }

    fn client(&self, dir: &Path) -> Client {
        Client::builder()
            .base_url(self.server.base_url())
            .token_url(self.server.url("/oauth/token"))
            .credentials(&self.id, SECRET)
            .cache_dir(dir)
            .build()
            .expect("client")
    }

    /// A token this key's sealing opens: what a planted file would hold.
    fn sealed_token(&self, token: &str) -> Vec<u8> {
        self.key().seal_token(&StoredToken::new(
            token.into(),
            SystemTime::now() + Duration::from_secs(3600),
        ))
    }

    /// One process: a fresh client asks for a token; returns it.
    async fn token_in_a_new_process(&self, dir: &Path) -> String {
        let client = self.client(dir);
        client
            .access_token()
            .await
            .expect("token")
            .expose_secret()
            .to_owned()
    }

    async fn token_requests(&self) -> usize {
        self.token_mock.calls_async().await
    }
}

fn assert_private_regular_file(path: &Path) {
    let metadata = fs::symlink_metadata(path).expect("exists");
    assert!(
        metadata.file_type().is_file(),
        "{} is a regular file",
        path.display()
    );
    assert_eq!(metadata.mode() & 0o777, 0o600, "{}", path.display());
}

fn assert_untouched(outside: &Path, expected: &[(&str, &[u8])]) {
    let names: Vec<_> = fs::read_dir(outside)
        .expect("outside")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(
        names.len(),
        expected.len(),
        "nothing new outside the folder: {names:?}"
    );
    for (name, contents) in expected {
        assert_eq!(
            fs::read(outside.join(name)).expect("read"),
            *contents,
            "{name} unchanged"
        );
    }
}

#[tokio::test]
async fn a_token_path_symlinked_elsewhere_is_neither_read_nor_written_through() {
    let folder = folder();
    let setup = Setup::new("symlinked").await;
    // The symlink points at a file holding a token this key would open.
    let bait = folder.outside.join("bait");
    fs::write(&bait, setup.sealed_token("planted")).expect("bait");
    chmod(&bait, 0o600);
    let planted = fs::read(&bait).expect("read");
    symlink(&bait, setup.path(&folder.dir, "token")).expect("symlink");

    let token = setup.token_in_a_new_process(&folder.dir).await;
    assert_eq!(
        token, "token-of-symlinked",
        "the planted token was not used"
    );
    assert_eq!(setup.token_requests().await, 1);
    assert_private_regular_file(&setup.path(&folder.dir, "token"));
    assert_untouched(&folder.outside, &[("bait", &planted)]);
}

#[tokio::test]
async fn symlinks_planted_at_temporary_and_lock_names_are_not_followed() {
    let folder = folder();
    let setup = Setup::new("planted-temps").await;
    let target = folder.outside.join("target");
    fs::write(&target, b"keep me").expect("target");
    // The names a predictable scheme would use, and the lock file.
    let pid = std::process::id();
    for n in 0..4 {
        let predictable = setup.path(&folder.dir, &format!("token.tmp{pid}-{n}"));
        symlink(&target, predictable).expect("symlink");
    }
    symlink(&target, setup.path(&folder.dir, "lock")).expect("symlink");

    setup.token_in_a_new_process(&folder.dir).await;
    assert_untouched(&folder.outside, &[("target", b"keep me")]);
    assert_private_regular_file(&setup.path(&folder.dir, "token"));
    assert_private_regular_file(&setup.path(&folder.dir, "lock"));
    // A second process finds the token: the folder still works.
    assert_eq!(
        setup.token_in_a_new_process(&folder.dir).await,
        "token-of-planted-temps"
    );
    assert_eq!(setup.token_requests().await, 1);
}

#[tokio::test]
async fn files_readable_by_others_are_ignored_and_replaced() {
    let folder = folder();
    let setup = Setup::new("mode-0644").await;
    let token_path = setup.path(&folder.dir, "token");
    fs::write(&token_path, setup.sealed_token("world-readable")).expect("write");
    chmod(&token_path, 0o644);
    // A refusal of this secret, readable by all: must not stop the client.
    let refusal = setup.path(&folder.dir, "refusal");
    let failure = StoredFailure::new(401, SystemTime::now() + Duration::from_secs(600));
    fs::write(&refusal, setup.key().seal_failure(&failure)).expect("write");
    chmod(&refusal, 0o644);
    let lock = setup.path(&folder.dir, "lock");
    fs::write(&lock, b"").expect("write");
    chmod(&lock, 0o666);

    let token = setup.token_in_a_new_process(&folder.dir).await;
    assert_eq!(
        token, "token-of-mode-0644",
        "neither the 0644 token nor the 0644 refusal was used"
    );
    assert_eq!(setup.token_requests().await, 1);
    assert_private_regular_file(&token_path);
    assert_private_regular_file(&lock);
}

#[tokio::test]
async fn a_folder_writable_by_others_is_not_used() {
    let folder = folder();
    chmod(&folder.dir, 0o777);
    let setup = Setup::new("world-writable").await;
    assert_eq!(
        setup.token_in_a_new_process(&folder.dir).await,
        "token-of-world-writable"
    );
    assert_eq!(
        setup.token_in_a_new_process(&folder.dir).await,
        "token-of-world-writable"
    );
    let files: Vec<_> = fs::read_dir(&folder.dir).expect("dir").collect();
    assert!(files.is_empty(), "nothing written: {files:?}");
    // Memory only: each new process asks (paced within this one).
    assert_eq!(setup.token_requests().await, 2);
}

#[tokio::test]
async fn a_folder_of_another_user_is_not_used() {
    let folder = folder();
    let me = my_uid();
    if me != 0 {
        println!("skipped: changing a folder's owner needs root");
        return;
    }
    std::os::unix::fs::chown(&folder.dir, Some(65534), Some(65534)).expect("chown to nobody");
    let setup = Setup::new("foreign-folder").await;
    // Their folder holds a token of ours, mode 0600: still not used.
    let planted = setup.path(&folder.dir, "token");
    fs::write(&planted, setup.sealed_token("theirs")).expect("write");
    chmod(&planted, 0o600);
    let before = fs::read(&planted).expect("read");
    assert_eq!(
        setup.token_in_a_new_process(&folder.dir).await,
        "token-of-foreign-folder"
    );
    assert_eq!(setup.token_requests().await, 1);
    assert_eq!(
        fs::read(&planted).expect("read"),
        before,
        "their folder was not written to"
    );
    let names: Vec<_> = fs::read_dir(&folder.dir).expect("dir").collect();
    assert_eq!(names.len(), 1, "nothing added: {names:?}");
}

/// The user this test runs as (the owner of a folder it creates).
fn my_uid() -> u32 {
    fs::metadata(tempfile::tempdir().expect("tmp").path())
        .expect("meta")
        .uid()
}

#[tokio::test]
async fn an_unusable_lock_file_means_fetching_unlocked() {
    let folder = folder();
    let setup = Setup::new("no-lock").await;
    // A folder where the lock file should be: it can be neither opened as a
    // file nor replaced.
    fs::create_dir(setup.path(&folder.dir, "lock")).expect("dir");
    assert_eq!(
        setup.token_in_a_new_process(&folder.dir).await,
        "token-of-no-lock"
    );
    assert_eq!(
        setup.token_in_a_new_process(&folder.dir).await,
        "token-of-no-lock"
    );
    assert_eq!(
        setup.token_requests().await,
        1,
        "the token file still works"
    );
}

#[tokio::test]
async fn a_token_sealed_with_another_secret_is_a_miss() {
    let folder = folder();
    let setup = Setup::new("other-secret").await;
    let other = StoreKey::derive(
        TokenKey::new(
            setup.server.url("/oauth/token"),
            "other-secret",
            DEFAULT_AUDIENCE,
        ),
        &"another-secret".into(),
    );
    let blob = other.seal_token(&StoredToken::new(
        "sealed-for-another".into(),
        SystemTime::now() + Duration::from_secs(3600),
    ));
    // Put under this key's name, as a copied file would be.
    let path = setup.path(&folder.dir, "token");
    fs::write(&path, &blob).expect("write");
    chmod(&path, 0o600);
    assert_eq!(
        setup.token_in_a_new_process(&folder.dir).await,
        "token-of-other-secret"
    );
    assert_eq!(setup.token_requests().await, 1);
    assert!(setup.key().open_token(&blob).is_none());
}

#[tokio::test]
async fn a_plain_token_file_of_an_older_version_is_removed() {
    let folder = folder();
    let setup = Setup::new("legacy").await;
    // The old name: a digest of token URL, client id and audience.
    let digest = {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        for part in [
            setup.server.url("/oauth/token"),
            "legacy".to_owned(),
            DEFAULT_AUDIENCE.to_owned(),
        ] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        hasher.finalize()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let legacy = folder
        .dir
        .join(format!("camunda-admin-token-{digest}.json"));
    fs::write(&legacy, br#"{"access_token":"plain-old-token"}"#).expect("write");
    chmod(&legacy, 0o600);
    setup.token_in_a_new_process(&folder.dir).await;
    assert!(!legacy.exists(), "no plain token left at rest");
}

#[tokio::test]
async fn junk_and_oversized_files_of_this_version_are_removed_and_replaced() {
    let folder = folder();
    let setup = Setup::new("junk-files").await;
    let plant = |suffix: &str, contents: &[u8]| {
        let path = setup.path(&folder.dir, suffix);
        fs::write(&path, contents).expect("write");
        chmod(&path, 0o600);
        path
    };
    let token = plant(
        "token",
        b"\x01junk that no key opens, long enough to look sealed",
    );
    // Beyond any entry's size: removed without being read.
    let refusal = plant("refusal", &vec![b'x'; 1 << 20]);
    let not_before = plant("not-before", b"{\"at_ms\": 99999999999999}");

    let got = setup.token_in_a_new_process(&folder.dir).await;
    assert_eq!(got, "token-of-junk-files");
    assert_eq!(setup.token_requests().await, 1);
    let key = setup.key();
    assert!(
        key.open_token(&fs::read(&token).expect("a token file"))
            .is_some(),
        "the junk token was replaced by a sealed one"
    );
    assert!(!refusal.exists(), "the oversized refusal was removed");
    if let Ok(blob) = fs::read(&not_before) {
        assert!(key.open_not_before(&blob).is_some(), "replaced");
    }
    // And the next process simply reads the token.
    setup.token_in_a_new_process(&folder.dir).await;
    assert_eq!(setup.token_requests().await, 1);
}

#[tokio::test]
async fn files_of_another_format_version_are_left_alone() {
    let folder = folder();
    let setup = Setup::new("other-version").await;
    // What a release without the format version in its names wrote: a
    // rolling upgrade shares the folder with it.
    let id = setup.key().id().to_owned();
    let older = folder.dir.join(format!("camunda-admin-{id}.token"));
    fs::write(&older, b"sealed by the older release").expect("write");
    chmod(&older, 0o600);
    setup.token_in_a_new_process(&folder.dir).await;
    assert_eq!(
        fs::read(&older).expect("still there"),
        b"sealed by the older release"
    );
    assert!(setup.path(&folder.dir, "token").exists());
}
