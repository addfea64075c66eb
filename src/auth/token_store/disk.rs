//! [`DiskTokenStore`]: sealed files in a private folder, and a lock file per
//! key for the fetch lease.
//!
//! The folder may be shared with other users (`/tmp`, a mounted volume), so
//! it is treated as hostile: it is used only when it is a folder of the
//! current user that neither group nor others can write (else one warning,
//! and memory only). Files are opened without following symlinks and used
//! only when they are regular files of the current user with mode 0600;
//! anything else is ignored and replaced. A file of ours that is larger
//! than the cap (checked before reading) or does not open is junk and
//! removed. New files are written to a temporary file created exclusively
//! under an unpredictable name, then renamed into place. All I/O runs on
//! tokio's blocking pool.
//!
//! The fetch lease is an flock(2) on the key's `.lock` file, which the OS
//! releases when its holder dies, but not when it hangs. So the holder
//! writes a heartbeat into the lock file (a fresh nonce and how long it
//! means to hold on) when it takes the lease and whenever it backs off; a
//! waiter that has seen the same heartbeat for the lease lifetime plus
//! that announced hold takes the lease over: under an flock on the key's
//! `.takeover` file (one taker at a time, the others keep reading the
//! store), it replaces the lock file by a fresh one that it locks. The hung
//! holder keeps a lock on a file nobody opens any more.

use std::{
    collections::HashMap,
    fs,
    io::{Read, Seek, SeekFrom, Write},
    path::{Path, PathBuf},
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant, SystemTime},
};

use chacha20poly1305::aead::{rand_core::RngCore, OsRng};
use futures_util::future::BoxFuture;

use super::{
    open_entry,
    warnings::{fallback_warn, Cause},
    Lease, LeaseAttempt, Part, StoreKey, StoredEntry, StoredFailure, StoredToken, TokenStore,
    FORMAT_VERSION, MAX_BLOB_BYTES,
};

/// The longest hold a heartbeat may announce (a holder honouring a long
/// `Retry-After`); anything longer is read as this.
const MAX_ANNOUNCED_HOLD: Duration = Duration::from_secs(3600);
/// The most of a lock file's heartbeat that is read.
const MAX_BEAT_BYTES: u64 = 128;

/// Tokens as sealed files in a folder (default `$HOME/.camunda`), named by
/// the format version and the [`StoreKey::id`] of their key:
/// `camunda-admin-v1-<id>.token`, `.refusal`, `.not-before`, `.lock` for
/// the fetch lease (an advisory lock the OS releases when its holder dies;
/// a holder that hangs is taken over after the lease lifetime) and
/// `.takeover` (one take-over at a time).
#[derive(Debug, Clone)]
pub struct DiskTokenStore {
    dir: PathBuf,
    lease_lifetime: Duration,
    /// Per key: the heartbeat of the lease holder as this process last saw
    /// it, and since when it has not changed.
    watches: Arc<Mutex<HashMap<String, Watch>>>,
}

#[derive(Debug)]
struct Watch {
    file: Ident,
    beat: Vec<u8>,
    since: Instant,
}

#[derive(Clone, Copy)]
enum File {
    Part(Part),
    Lock,
    TakeOver,
}

impl DiskTokenStore {
    /// A store in `dir`, created (mode 0700) on first write.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            lease_lifetime: Duration::from_secs(10),
            watches: Arc::default(),
        }
    }

    /// How long a fetch lease may go without a sign of life from its holder
    /// (a holder that hangs) before a waiting process takes it over
    /// (default 10 s, as for Redis). Keep it above the time one token
    /// request takes.
    pub fn lease_lifetime(mut self, lifetime: Duration) -> Self {
        self.lease_lifetime = lifetime;
        self
    }

    /// The folder the store writes to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &StoreKey, file: File) -> PathBuf {
        let suffix = match file {
            File::Part(part) => part.name(),
            File::Lock => "lock",
            File::TakeOver => "takeover",
        };
        self.dir.join(format!(
            "camunda-admin-{FORMAT_VERSION}-{}.{suffix}",
            key.id()
        ))
    }

    /// Whether the folder may be used; warns once when it may not.
    fn folder_ok(&self, create: bool) -> bool {
        match check_folder(&self.dir, create) {
            Ok(()) => true,
            Err(FolderProblem::Missing) => false,
            Err(FolderProblem::Unsafe(reason)) => {
                fallback_warn!(Cause::UnsafeFolder, dir = %self.dir.display(), reason, "the token cache folder is not private; tokens stay in this process's memory (each process asks the token service)");
                false
            }
        }
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
        if !self.folder_ok(false) {
            return StoredEntry::default();
        }
        let read = Part::ALL.map(|part| read_private(&self.path(key, File::Part(part))));
        let idents: Vec<Option<Ident>> = read.iter().map(|r| r.as_ref().map(|r| r.1)).collect();
        let (entry, junk) = open_entry(key, read.map(|r| r.map(|r| r.0)), "disk");
        for (part, _) in junk {
            if let Some(ident) = idents[part as usize] {
                remove_if_same(&self.path(key, File::Part(part)), ident);
            }
        }
        entry
    }

    fn try_lease_blocking(&self, key: &StoreKey) -> LeaseAttempt {
        if !self.folder_ok(true) {
            return LeaseAttempt::Unavailable;
        }
        let file = match open_lock_file(&self.path(key, File::Lock)) {
            Ok(file) => file,
            Err(error) => {
                fallback_warn!(Cause::NoLock, %error, dir = %self.dir.display(), "cannot use a lock file in the token cache folder; fetching without the cross-process lock");
                return LeaseAttempt::Unavailable;
            }
        };
        match file.try_lock() {
            Ok(()) => self.acquired(key, file),
            Err(fs::TryLockError::WouldBlock) => self.held_elsewhere(key, file),
            Err(fs::TryLockError::Error(error)) => {
                fallback_warn!(Cause::NoLock, %error, dir = %self.dir.display(), "the token cache folder does not support locks; fetching without the cross-process lock");
                LeaseAttempt::Unavailable
            }
        }
    }

    fn acquired(&self, key: &StoreKey, file: fs::File) -> LeaseAttempt {
        self.watches
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key.id());
        write_beat(&file, Duration::ZERO);
        LeaseAttempt::Acquired(Lease::new(file))
    }

    /// Another process holds the lock: wait, unless its heartbeat has not
    /// changed for the lease lifetime plus the hold it announced.
    fn held_elsewhere(&self, key: &StoreKey, file: fs::File) -> LeaseAttempt {
        let (ident, beat) = match (ident_of(&file), read_beat(&file)) {
            (Some(ident), Some(beat)) => (ident, beat),
            _ => return LeaseAttempt::HeldElsewhere,
        };
        let stale = {
            let mut watches = self.watches.lock().unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            let watch = watches.entry(key.id().to_owned()).or_insert(Watch {
                file: ident,
                beat: beat.clone(),
                since: now,
            });
            if watch.file != ident || watch.beat != beat {
                *watch = Watch {
                    file: ident,
                    beat,
                    since: now,
                };
                false
            } else {
                let allowed = self
                    .lease_lifetime
                    .saturating_add(announced_hold(&watch.beat));
                now.saturating_duration_since(watch.since) >= allowed
            }
        };
        if !stale {
            return LeaseAttempt::HeldElsewhere;
        }
        self.take_over(key, ident)
    }

    /// Replace the stale lock file (`seen`) by a fresh one locked by this
    /// process, one taker at a time.
    fn take_over(&self, key: &StoreKey, seen: Ident) -> LeaseAttempt {
        let Ok(guard) = open_lock_file(&self.path(key, File::TakeOver)) else {
            return LeaseAttempt::HeldElsewhere;
        };
        if guard.try_lock().is_err() {
            // Another process is taking over: keep reading the store.
            return LeaseAttempt::HeldElsewhere;
        }
        let path = self.path(key, File::Lock);
        let attempt = match open_lock_file(&path) {
            Ok(current) => match current.try_lock() {
                Ok(()) => self.acquired(key, current),
                // Someone took over already: its heartbeat is fresh.
                Err(_) if ident_of(&current) != Some(seen) => LeaseAttempt::HeldElsewhere,
                Err(_) => self.replace_lock_file(key, &path, current),
            },
            Err(_) => LeaseAttempt::HeldElsewhere,
        };
        let _ = guard.unlock();
        attempt
    }

    fn replace_lock_file(&self, key: &StoreKey, path: &Path, stale: fs::File) -> LeaseAttempt {
        drop(stale);
        if fs::remove_file(path).is_err() {
            return LeaseAttempt::HeldElsewhere;
        }
        // A process that opened the path meanwhile created a fresh file and
        // holds it: then it is the holder.
        let Ok(fresh) = owner::create_new_private(path) else {
            return LeaseAttempt::HeldElsewhere;
        };
        if fresh.try_lock().is_err() {
            return LeaseAttempt::HeldElsewhere;
        }
        fallback_warn!(
            Cause::StaleLease,
            dir = %self.dir.display(),
            lifetime_ms = self.lease_lifetime.as_millis() as u64,
            "another process held the token lock without a sign of life for the lease lifetime (hung?); took the lease over"
        );
        self.acquired(key, fresh)
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
            store.write_blob(key, File::Part(Part::Token), &blob);
            store.remove_legacy_files(key);
        })
    }

    fn remove<'a>(&'a self, key: &'a StoreKey) -> BoxFuture<'a, ()> {
        self.blocking(key, (), |store, key| {
            let _ = fs::remove_file(store.path(key, File::Part(Part::Token)));
        })
    }

    fn save_failure<'a>(
        &'a self,
        key: &'a StoreKey,
        failure: &'a StoredFailure,
    ) -> BoxFuture<'a, ()> {
        let blob = key.seal_failure(failure);
        self.blocking(key, (), move |store, key| {
            store.write_blob(key, File::Part(Part::Refusal), &blob);
        })
    }

    fn save_not_before<'a>(&'a self, key: &'a StoreKey, at: SystemTime) -> BoxFuture<'a, ()> {
        let blob = key.seal_not_before(at);
        self.blocking(key, (), move |store, key| {
            store.write_blob(key, File::Part(Part::NotBefore), &blob);
        })
    }

    fn try_lease<'a>(&'a self, key: &'a StoreKey) -> BoxFuture<'a, LeaseAttempt> {
        self.blocking(key, LeaseAttempt::Unavailable, |store, key| {
            store.try_lease_blocking(key)
        })
    }

    fn renew_lease<'a>(
        &'a self,
        _key: &'a StoreKey,
        lease: &'a Lease,
        hold_for: Duration,
    ) -> BoxFuture<'a, ()> {
        // A few bytes into a local file: not worth a trip to the pool.
        if let Some(file) = lease.held::<fs::File>() {
            write_beat(file, hold_for);
        }
        Box::pin(async {})
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

/// The contents of `path` and which file it was, if it is a private file
/// of ours; one beyond the size cap is removed unread.
fn read_private(path: &Path) -> Option<(Vec<u8>, Ident)> {
    let file = owner::open_no_follow(path, false).ok()?;
    let metadata = file.metadata().ok()?;
    if !owner::is_private_file(&metadata) {
        tracing::debug!(path = %path.display(), "ignoring a token cache file that is not a private regular file");
        return None;
    }
    let ident = ident_of(&file)?;
    if metadata.len() > MAX_BLOB_BYTES {
        fallback_warn!(Cause::Oversized, path = %path.display(), bytes = metadata.len(), limit = MAX_BLOB_BYTES, "a token cache file is larger than any entry of this version; removed unread");
        remove_if_same(path, ident);
        return None;
    }
    let mut contents = Vec::new();
    file.take(MAX_BLOB_BYTES).read_to_end(&mut contents).ok()?;
    Some((contents, ident))
}

/// Remove `path` if it is still the file that was read (not one another
/// process renamed into place since).
fn remove_if_same(path: &Path, ident: Ident) {
    let still = owner::open_no_follow(path, false)
        .ok()
        .and_then(|file| ident_of(&file));
    if still == Some(ident) {
        let _ = fs::remove_file(path);
    }
}

/// Which file an open handle is (device and inode on Unix).
type Ident = (u64, u64);

#[cfg(unix)]
fn ident_of(file: &fs::File) -> Option<Ident> {
    use std::os::unix::fs::MetadataExt;
    file.metadata().ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn ident_of(file: &fs::File) -> Option<Ident> {
    // No inode: the length and modification time tell versions apart.
    let m = file.metadata().ok()?;
    let modified = m
        .modified()
        .ok()?
        .duration_since(SystemTime::UNIX_EPOCH)
        .ok()?;
    Some((m.len(), modified.as_nanos() as u64))
}

/// The holder's sign of life in its lock file: a fresh nonce (so that a
/// waiter sees a change) and how long it means to hold on without another.
fn write_beat(file: &fs::File, hold_for: Duration) {
    let mut nonce = [0u8; 8];
    OsRng.fill_bytes(&mut nonce);
    let nonce: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
    let beat = format!(
        "{FORMAT_VERSION} {nonce} {}\n",
        hold_for.min(MAX_ANNOUNCED_HOLD).as_millis()
    );
    let mut file = file;
    let _ = file
        .set_len(0)
        .and_then(|()| file.seek(SeekFrom::Start(0)))
        .and_then(|_| file.write_all(beat.as_bytes()));
}

fn read_beat(file: &fs::File) -> Option<Vec<u8>> {
    let mut file = file;
    file.seek(SeekFrom::Start(0)).ok()?;
    let mut beat = Vec::new();
    file.take(MAX_BEAT_BYTES).read_to_end(&mut beat).ok()?;
    Some(beat)
}

/// The hold a heartbeat announces; none for anything else (a lock file of
/// a hung or foreign holder).
fn announced_hold(beat: &[u8]) -> Duration {
    let text = String::from_utf8_lossy(beat);
    let mut fields = text.split_whitespace();
    match (fields.next(), fields.next(), fields.next()) {
        (Some(FORMAT_VERSION), Some(_), Some(ms)) => ms
            .parse()
            .map(Duration::from_millis)
            .unwrap_or_default()
            .min(MAX_ANNOUNCED_HOLD),
        _ => Duration::ZERO,
    }
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
