//! The process-wide registry of token slots: every client of the process
//! with the same token URL, client id, audience and secret shares one slot,
//! so that 1000 clients (or clones) make one token request.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, OnceLock, PoisonError, Weak},
};

use super::{
    token_slot::TokenSlot,
    token_store::{StoreKey, TokenKey},
};
use crate::SecretString;

/// The slot for `key` and `secret`, shared with every live client of the
/// process that uses both. A client with another secret for the same id
/// gets a slot of its own and never sees this slot's token.
pub(crate) fn slot_for(key: &TokenKey, secret: &SecretString) -> Arc<TokenSlot> {
    // Keyed by the store name, which is derived from the key and the secret.
    type Slots = HashMap<String, Weak<TokenSlot>>;
    static SLOTS: OnceLock<Mutex<Slots>> = OnceLock::new();
    let store_key = StoreKey::derive(key.clone(), secret);
    let mut slots = SLOTS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(slot) = slots.get(store_key.id()).and_then(Weak::upgrade) {
        return slot;
    }
    slots.retain(|_, slot| slot.strong_count() > 0);
    let id = store_key.id().to_owned();
    let slot = Arc::new(TokenSlot::new(store_key));
    slots.insert(id, Arc::downgrade(&slot));
    slot
}
