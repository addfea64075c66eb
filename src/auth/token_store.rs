//! Where tokens outlive a process: the [`TokenStore`] trait and its default,
//! [`DiskTokenStore`], a folder of small JSON files.
//!
//! The store also remembers credentials the token service refused, so that a
//! second process with the same wrong secret fails at once instead of asking
//! the rate-limited service again.

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use sha2::{Digest, Sha256};

use crate::SecretString;

/// What identifies a token: the token service, the client and the audience.
/// The secret is not part of it and is never stored.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenKey {
    /// The token endpoint URL.
    pub token_url: String,
    /// The OAuth client id.
    pub client_id: String,
    /// The audience the token is for.
    pub audience: String,
}

impl TokenKey {
    /// A stable hex digest of the key, safe to use as a file name.
    pub fn digest(&self) -> String {
        let mut hasher = Sha256::new();
        for part in [&self.token_url, &self.client_id, &self.audience] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        hex(&hasher.finalize()[..16])
    }
}

/// A token with its wall-clock expiry, as stores keep it.
#[derive(Debug, Clone)]
pub struct StoredToken {
    /// The access token.
    pub access_token: SecretString,
    /// When the token service said it expires.
    pub expires_at: SystemTime,
    /// A digest of the client secret the token was issued to (see
    /// [`StoredFailure::secret_digest`]); a client with another secret does
    /// not use the token.
    pub secret_digest: String,
}

/// Credentials the token service refused, remembered until `until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFailure {
    /// The status of the refusal (400 or 401).
    pub status: u16,
    /// Until when to fail without asking.
    pub until: SystemTime,
    /// A digest of the refused secret: a corrected secret is tried at once.
    pub secret_digest: String,
}

/// A second-level token cache shared beyond one process.
///
/// The default is [`DiskTokenStore`]. A fleet behind one IP address can
/// share tokens through a store of its own (a database, a secret manager).
/// Implementations must not fail loudly: a store that cannot read or write
/// simply misses.
pub trait TokenStore: Send + Sync + std::fmt::Debug {
    /// The stored token for `key`, if any.
    fn load(&self, key: &TokenKey) -> Option<StoredToken>;
    /// Keep `token` for `key`.
    fn save(&self, key: &TokenKey, token: &StoredToken);
    /// Forget the token of `key` (the API refused it).
    fn remove(&self, key: &TokenKey);
    /// The remembered refusal for `key`, if any.
    fn load_failure(&self, _key: &TokenKey) -> Option<StoredFailure> {
        None
    }
    /// Remember a refusal for `key`.
    fn save_failure(&self, _key: &TokenKey, _failure: &StoredFailure) {}
}

/// Tokens as files in a folder (default `$HOME/.camunda`): one file per key,
/// named by a digest of the key, mode 0600 in a folder of mode 0700, written
/// to a temporary file and renamed into place. A file that does not parse or
/// belongs to another key is ignored and later replaced.
#[derive(Debug, Clone)]
pub struct DiskTokenStore {
    dir: PathBuf,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct TokenFile {
    token_url: String,
    client_id: String,
    audience: String,
    access_token: String,
    expires_at_unix: u64,
    secret_digest: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct FailureFile {
    token_url: String,
    client_id: String,
    audience: String,
    status: u16,
    until_unix: u64,
    secret_digest: String,
}

impl DiskTokenStore {
    /// A store in `dir`, created on first write.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The folder the store writes to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn token_path(&self, key: &TokenKey) -> PathBuf {
        self.dir
            .join(format!("camunda-admin-token-{}.json", key.digest()))
    }

    fn failure_path(&self, key: &TokenKey) -> PathBuf {
        self.dir
            .join(format!("camunda-admin-refused-{}.json", key.digest()))
    }

    fn write_atomically(&self, path: &Path, contents: &[u8]) -> std::io::Result<()> {
        create_private_dir(&self.dir)?;
        // Unique per process and write: concurrent writers never share a file.
        static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = path.with_extension(format!("tmp{}-{n}", std::process::id()));
        {
            let mut file = private_file(&tmp)?;
            file.write_all(contents)?;
            file.sync_all()?;
        }
        fs::rename(&tmp, path).inspect_err(|_| {
            let _ = fs::remove_file(&tmp);
        })
    }
}

impl TokenStore for DiskTokenStore {
    fn load(&self, key: &TokenKey) -> Option<StoredToken> {
        let text = fs::read(self.token_path(key)).ok()?;
        let file: TokenFile = serde_json::from_slice(&text).ok()?;
        let belongs = file.token_url == key.token_url
            && file.client_id == key.client_id
            && file.audience == key.audience;
        if !belongs || file.access_token.is_empty() {
            return None;
        }
        Some(StoredToken {
            access_token: SecretString::new(file.access_token),
            expires_at: UNIX_EPOCH.checked_add(Duration::from_secs(file.expires_at_unix))?,
            secret_digest: file.secret_digest,
        })
    }

    fn save(&self, key: &TokenKey, token: &StoredToken) {
        let file = TokenFile {
            token_url: key.token_url.clone(),
            client_id: key.client_id.clone(),
            audience: key.audience.clone(),
            access_token: token.access_token.expose_secret().to_owned(),
            expires_at_unix: unix_seconds(token.expires_at),
            secret_digest: token.secret_digest.clone(),
        };
        if let Ok(json) = serde_json::to_vec(&file) {
            if let Err(error) = self.write_atomically(&self.token_path(key), &json) {
                tracing::debug!(%error, dir = %self.dir.display(), "token not written to the disk cache");
            }
        }
    }

    fn remove(&self, key: &TokenKey) {
        let _ = fs::remove_file(self.token_path(key));
    }

    fn load_failure(&self, key: &TokenKey) -> Option<StoredFailure> {
        let text = fs::read(self.failure_path(key)).ok()?;
        let file: FailureFile = serde_json::from_slice(&text).ok()?;
        let belongs = file.token_url == key.token_url
            && file.client_id == key.client_id
            && file.audience == key.audience;
        if !belongs {
            return None;
        }
        Some(StoredFailure {
            status: file.status,
            until: UNIX_EPOCH.checked_add(Duration::from_secs(file.until_unix))?,
            secret_digest: file.secret_digest,
        })
    }

    fn save_failure(&self, key: &TokenKey, failure: &StoredFailure) {
        let file = FailureFile {
            token_url: key.token_url.clone(),
            client_id: key.client_id.clone(),
            audience: key.audience.clone(),
            status: failure.status,
            until_unix: unix_seconds(failure.until),
            secret_digest: failure.secret_digest.clone(),
        };
        if let Ok(json) = serde_json::to_vec(&file) {
            let _ = self.write_atomically(&self.failure_path(key), &json);
        }
    }
}

/// A digest of a secret, to recognise a corrected one. Not reversible.
pub(crate) fn secret_digest(secret: &SecretString) -> String {
    hex(&Sha256::digest(secret.expose_secret().as_bytes())[..16])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unix_seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    // A folder we create is private. An existing one is the user's choice
    // (maybe $HOME): left as it is; the token files themselves are 0600.
    if !dir.exists() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<fs::File> {
    fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
}
