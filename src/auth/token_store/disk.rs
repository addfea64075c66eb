//! [`DiskTokenStore`]: sealed files in a private folder, and a lock file per
//! key for the fetch lease.
//!
//! The folder may be shared with other users (`/tmp`, a mounted volume), so
//! it is treated as hostile: it is used only when it is a folder of the
//! current user that neither group nor others can write (else one warning,
//! and memory only). Files are opened without following symlinks and used
//! only when they are regular files of the current user with mode 0600;
//! anything else is ignored and replaced. New files are written to a
//! temporary file created exclusively under an unpredictable name, then
//! renamed into place. All I/O runs on tokio's blocking pool.

use std::{
    fs,
    io::{Read, Write},
    path::{Path, PathBuf},
    sync::Arc,
    time::SystemTime,
};

use futures_util::future::BoxFuture;

use super::{
    open_stored_token, Lease, LeaseAttempt, StoreKey, StoredEntry, StoredFailure, StoredToken,
    TokenStore, WarnOnce,
};

/// No file of the store is larger than this; a larger one is not ours.
const MAX_FILE_BYTES: u64 = 64 * 1024;

/// Tokens as sealed files in a folder (default `$HOME/.camunda`), named by
/// the [`StoreKey::id`] of their key: `camunda-admin-<id>.token`,
/// `.refusal`, `.not-before`, and `.lock` for the fetch lease (an advisory
/// lock the OS releases when its holder dies).
#[derive(Debug, Clone)]
pub struct DiskTokenStore {
    dir: PathBuf,
    warned: Arc<Warnings>,
}

/// Each problem is reported once per store, not once per call.
#[derive(Debug, Default)]
struct Warnings {
    unsafe_dir: WarnOnce,
    no_lock: WarnOnce,
    unopenable: WarnOnce,
}

#[derive(Clone, Copy)]
enum File {
    Token,
    Refusal,
    NotBefore,
    Lock,
}

impl DiskTokenStore {
    /// A store in `dir`, created (mode 0700) on first write.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            warned: Arc::default(),
        }
    }

    /// The folder the store writes to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &StoreKey, file: File) -> PathBuf {
        let suffix = match file {
            File::Token => "token",
            File::Refusal => "refusal",
            File::NotBefore => "not-before",
            File::Lock => "lock",
        };
        self.dir
            .join(format!("camunda-admin-{}.{suffix}", key.id()))
    }

    /// Whether the folder may be used; warns once when it may not.
    fn folder_ok(&self, create: bool) -> bool {
        match check_folder(&self.dir, create) {
            Ok(()) => true,
            Err(FolderProblem::Missing) => false,
            Err(FolderProblem::Unsafe(reason)) => {
                if self.warned.unsafe_dir.first() {
                    tracing::warn!(dir = %self.dir.display(), reason, "the token cache folder is not private; keeping tokens in memory only");
                }
                false
            }
        }
    }

    fn read_blob(&self, key: &StoreKey, file: File) -> Option<Vec<u8>> {
        read_private(&self.path(key, file))
    }

    fn write_blob(&self, key: &StoreKey, file: File, blob: &[u8]) {
        if !self.folder_ok(true) {
            return;
        }
        if let Err(error) = write_private(&self.dir, &self.path(key, file), blob) {
            tracing::debug!(%error, dir = %self.dir.display(), "not written to the token cache folder");
        }
    }

    fn load_blocking(&self, key: &StoreKey) -> StoredEntry {
        let mut entry = StoredEntry::default();
        if !self.folder_ok(false) {
            return entry;
        }
        entry.token = self
            .read_blob(key, File::Token)
            .and_then(|blob| open_stored_token(key, &blob, &self.warned.unopenable, "disk"));
        entry.refusal = self
            .read_blob(key, File::Refusal)
            .and_then(|blob| key.open_failure(&blob));
        entry.not_before = self
            .read_blob(key, File::NotBefore)
            .and_then(|blob| key.open_not_before(&blob));
        entry
    }

    fn try_lease_blocking(&self, key: &StoreKey) -> LeaseAttempt {
        if !self.folder_ok(true) {
            return LeaseAttempt::Unavailable;
        }
        let file = match open_lock_file(&self.path(key, File::Lock)) {
            Ok(file) => file,
            Err(error) => {
                if self.warned.no_lock.first() {
                    tracing::warn!(%error, dir = %self.dir.display(), "cannot use a lock file in the token cache folder; fetching without the cross-process lock");
                }
                return LeaseAttempt::Unavailable;
            }
        };
        match file.try_lock() {
            Ok(()) => LeaseAttempt::Acquired(Lease::new(file)),
            Err(fs::TryLockError::WouldBlock) => LeaseAttempt::HeldElsewhere,
            Err(fs::TryLockError::Error(error)) => {
                if self.warned.no_lock.first() {
                    tracing::warn!(%error, dir = %self.dir.display(), "the token cache folder does not support locks; fetching without the cross-process lock");
                }
                LeaseAttempt::Unavailable
            }
        }
    }

    /// Versions before sealing wrote the token in plain JSON under a digest
    /// of the key alone: such a file is removed once a sealed one exists.
    fn remove_legacy_files(&self, key: &StoreKey) {
        use sha2::{Digest, Sha256};
        let token_key = key.token_key();
        let mut hasher = Sha256::new();
        for part in [
            &token_key.token_url,
            &token_key.client_id,
            &token_key.audience,
        ] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        let digest: String = hasher.finalize()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        for kind in ["token", "refused"] {
            let path = self.dir.join(format!("camunda-admin-{kind}-{digest}.json"));
            if fs::symlink_metadata(&path).is_ok() {
                let _ = fs::remove_file(path);
            }
        }
    }

    /// Run `work` on a clone of the store and of `key` on the blocking pool.
    fn blocking<'a, T: Send + 'static>(
        &self,
        key: &StoreKey,
        fallback: T,
        work: impl FnOnce(&DiskTokenStore, &StoreKey) -> T + Send + 'static,
    ) -> BoxFuture<'a, T> {
        let store = self.clone();
        let key = key.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || work(&store, &key))
                .await
                .unwrap_or(fallback)
        })
    }
}

impl TokenStore for DiskTokenStore {
    fn load<'a>(&'a self, key: &'a StoreKey) -> BoxFuture<'a, StoredEntry> {
        self.blocking(key, StoredEntry::default(), |store, key| {
            store.load_blocking(key)
        })
    }

    fn save<'a>(&'a self, key: &'a StoreKey, token: &'a StoredToken) -> BoxFuture<'a, ()> {
        let blob = key.seal_token(token);
        self.blocking(key, (), move |store, key| {
            store.write_blob(key, File::Token, &blob);
            store.remove_legacy_files(key);
        })
    }

    fn remove<'a>(&'a self, key: &'a StoreKey) -> BoxFuture<'a, ()> {
        self.blocking(key, (), |store, key| {
            let _ = fs::remove_file(store.path(key, File::Token));
        })
    }

    fn save_failure<'a>(
        &'a self,
        key: &'a StoreKey,
        failure: &'a StoredFailure,
    ) -> BoxFuture<'a, ()> {
        let blob = key.seal_failure(failure);
        self.blocking(key, (), move |store, key| {
            store.write_blob(key, File::Refusal, &blob);
        })
    }

    fn save_not_before<'a>(&'a self, key: &'a StoreKey, at: SystemTime) -> BoxFuture<'a, ()> {
        let blob = key.seal_not_before(at);
        self.blocking(key, (), move |store, key| {
            store.write_blob(key, File::NotBefore, &blob);
        })
    }

    fn try_lease<'a>(&'a self, key: &'a StoreKey) -> BoxFuture<'a, LeaseAttempt> {
        self.blocking(key, LeaseAttempt::Unavailable, |store, key| {
            store.try_lease_blocking(key)
        })
    }

    fn release_lease<'a>(&'a self, _key: &'a StoreKey, lease: Lease) -> BoxFuture<'a, ()> {
        // Closing the file releases the lock; unlocking first says so plainly.
        if let Some(file) = lease.held::<fs::File>() {
            let _ = file.unlock();
        }
        drop(lease);
        Box::pin(async {})
    }
}

enum FolderProblem {
    Missing,
    Unsafe(&'static str),
}

/// A usable folder: ours, a folder, not writable by group or others.
/// `create` makes a missing one (mode 0700).
fn check_folder(dir: &Path, create: bool) -> Result<(), FolderProblem> {
    let metadata = match fs::metadata(dir) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound && create => {
            create_private_dir(dir).map_err(|_| FolderProblem::Missing)?;
            fs::metadata(dir).map_err(|_| FolderProblem::Missing)?
        }
        Err(_) => return Err(FolderProblem::Missing),
    };
    if !metadata.is_dir() {
        return Err(FolderProblem::Unsafe("not a folder"));
    }
    owner::check_folder(&metadata)
}

/// The contents of `path` if it is a private file of ours, else `None`.
fn read_private(path: &Path) -> Option<Vec<u8>> {
    let file = owner::open_no_follow(path, false).ok()?;
    let metadata = file.metadata().ok()?;
    if !owner::is_private_file(&metadata) {
        tracing::debug!(path = %path.display(), "ignoring a token cache file that is not a private regular file");
        return None;
    }
    let mut contents = Vec::new();
    file.take(MAX_FILE_BYTES).read_to_end(&mut contents).ok()?;
    Some(contents)
}

/// Write `contents` to `path` through a fresh temporary file in `dir`.
fn write_private(dir: &Path, path: &Path, contents: &[u8]) -> std::io::Result<()> {
    // Created with O_EXCL under a random name: a name planted in advance,
    // or a symlink, makes creation fail instead of being written through.
    let mut file = tempfile::Builder::new()
        .prefix(".camunda-admin-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    owner::make_private(file.as_file())?;
    file.write_all(contents)?;
    // No fsync: other processes see the file at once through the page
    // cache, and a file cut short by a power loss does not open (sealed):
    // a miss. A slow disk must not delay the "not before" time it carries.
    // rename(2) replaces whatever is at `path` (a symlink included) without
    // following it.
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The lock file at `path`, opened without following a symlink; one that is
/// not a private regular file of ours is replaced.
fn open_lock_file(path: &Path) -> std::io::Result<fs::File> {
    if let Ok(file) = owner::open_no_follow(path, true) {
        if file.metadata().is_ok_and(|m| owner::is_private_file(&m)) {
            return Ok(file);
        }
    }
    match fs::symlink_metadata(path) {
        Ok(_) => fs::remove_file(path)?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(error),
    }
    match owner::create_new_private(path) {
        Ok(file) => Ok(file),
        // Another process created it meanwhile: use theirs, if it is sound.
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            let file = owner::open_no_follow(path, true)?;
            if file.metadata().is_ok_and(|m| owner::is_private_file(&m)) {
                Ok(file)
            } else {
                Err(std::io::Error::other("the lock file is not a private file"))
            }
        }
        Err(error) => Err(error),
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)
}

/// Ownership and mode checks (Unix); elsewhere the folder's ACLs decide.
#[cfg(unix)]
mod owner {
    use std::{
        fs,
        os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt},
        path::Path,
    };

    use super::FolderProblem;

    fn flags() -> i32 {
        use rustix::fs::OFlags;
        // NOFOLLOW: a symlink is an error. NONBLOCK: a FIFO planted in the
        // folder cannot hang the open.
        (OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC).bits() as i32
    }

    fn me() -> u32 {
        rustix::process::geteuid().as_raw()
    }

    pub(super) fn open_no_follow(path: &Path, write: bool) -> std::io::Result<fs::File> {
        fs::OpenOptions::new()
            .read(true)
            .write(write)
            .create(write)
            .mode(0o600)
            .custom_flags(flags())
            .open(path)
    }

    pub(super) fn create_new_private(path: &Path) -> std::io::Result<fs::File> {
        let file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(flags())
            .open(path)?;
        make_private(&file)?;
        Ok(file)
    }

    /// Mode 0600 whatever the umask.
    pub(super) fn make_private(file: &fs::File) -> std::io::Result<()> {
        file.set_permissions(fs::Permissions::from_mode(0o600))
    }

    pub(super) fn is_private_file(metadata: &fs::Metadata) -> bool {
        metadata.file_type().is_file() && metadata.uid() == me() && metadata.mode() & 0o777 == 0o600
    }

    pub(super) fn check_folder(metadata: &fs::Metadata) -> Result<(), FolderProblem> {
        if metadata.uid() != me() {
            return Err(FolderProblem::Unsafe("owned by another user"));
        }
        if metadata.mode() & 0o022 != 0 {
            return Err(FolderProblem::Unsafe("writable by group or others"));
        }
        Ok(())
    }
}

#[cfg(not(unix))]
mod owner {
    use std::{fs, path::Path};

    use super::FolderProblem;

    pub(super) fn open_no_follow(path: &Path, write: bool) -> std::io::Result<fs::File> {
        if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(std::io::Error::other("a symlink"));
        }
        fs::OpenOptions::new()
            .read(true)
            .write(write)
            .create(write)
            .open(path)
    }

    pub(super) fn create_new_private(path: &Path) -> std::io::Result<fs::File> {
        fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)
    }

    pub(super) fn make_private(_file: &fs::File) -> std::io::Result<()> {
        Ok(())
    }

    pub(super) fn is_private_file(metadata: &fs::Metadata) -> bool {
        metadata.file_type().is_file()
    }

    pub(super) fn check_folder(_metadata: &fs::Metadata) -> Result<(), FolderProblem> {
        Ok(())
    }
}
