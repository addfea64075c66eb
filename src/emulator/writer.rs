//! The state file's writer task: one write per burst of changes, off the
//! async threads, and a last one at shutdown. Apart from `persist.rs`
//! (the file) so that the server, which notes changes in the store, and
//! the writer, which reads the server's state, do not import each other.

use std::sync::Arc;

use tokio::sync::oneshot;

use super::{persist, server::Shared};

/// Write the state as it is now, off the async threads.
pub(crate) async fn write_now(shared: &Arc<Shared>) -> std::io::Result<()> {
    let Some(store) = &shared.store else {
        return Ok(());
    };
    let state = shared.snapshot();
    let path = store.path.clone();
    match tokio::task::spawn_blocking(move || persist::write(&path, &state)).await {
        Ok(result) => result,
        Err(e) => Err(std::io::Error::other(e.to_string())),
    }
}

/// The writer task: one write per burst of changes, and a last one when
/// `stop` comes (or its sender is dropped).
pub(crate) async fn writer(shared: Arc<Shared>, mut stop: oneshot::Receiver<()>) {
    let Some(store) = &shared.store else {
        return;
    };
    loop {
        let stopping = tokio::select! {
            () = store.next_change() => false,
            _ = &mut stop => true,
        };
        if let Err(e) = write_now(&shared).await {
            // The path and the I/O error only: nothing of the content.
            tracing::warn!(path = %store.path.display(), error = %e, "cannot write the emulator state");
        }
        if stopping {
            return;
        }
    }
}
