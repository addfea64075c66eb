//! Sealing of what stores keep: a per-key AEAD key and a per-key name, both
//! derived from the client secret with HKDF-SHA256, and XChaCha20-Poly1305
//! with a random nonce per blob.
//!
//! A reader of the store without the client secret learns neither the
//! token nor the client id (the name is a pseudo-random digest), and cannot
//! forge a refusal or a "not before" time: a blob that does not open is a
//! miss. The purpose and the key's name are bound into each blob as
//! associated data, so a blob cannot be moved to another key or role.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chacha20poly1305::{
    aead::{Aead, AeadCore, KeyInit, OsRng, Payload},
    XChaCha20Poly1305, XNonce,
};
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::{StoredFailure, StoredToken, TokenKey};
use crate::SecretString;

/// Domain separation of this crate's derivations.
const SALT: &[u8] = b"camunda-admin token store v1";
/// The format byte in front of every sealed blob.
const FORMAT: u8 = 1;
const NONCE_LEN: usize = 24;

/// A [`TokenKey`] as a store sees it: a name that reveals nothing, and the
/// sealing key of that name, both derived from the client secret (which
/// the store never sees). `Debug` shows the token key and the name only.
#[derive(Clone)]
pub struct StoreKey {
    token_key: TokenKey,
    id: String,
    sealing: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreKey")
            .field("token_key", &self.token_key)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// What a sealed blob holds; bound into the blob so roles cannot be swapped.
#[derive(Clone, Copy)]
enum Purpose {
    Token,
    Refusal,
    NotBefore,
}

impl Purpose {
    fn label(self) -> &'static str {
        match self {
            Purpose::Token => "token",
            Purpose::Refusal => "refusal",
            Purpose::NotBefore => "not-before",
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct TokenRecord {
    access_token: String,
    expires_at_ms: u64,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct RefusalRecord {
    status: u16,
    until_ms: u64,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct NotBeforeRecord {
    at_ms: u64,
}

impl StoreKey {
    /// The store key of `token_key` for clients holding `client_secret`.
    /// Another secret gives another name and another sealing key.
    pub fn derive(token_key: TokenKey, client_secret: &SecretString) -> Self {
        let hkdf = Hkdf::<Sha256>::new(Some(SALT), client_secret.expose_secret().as_bytes());
        let mut context = Vec::new();
        for part in [
            &token_key.token_url,
            &token_key.client_id,
            &token_key.audience,
        ] {
            context.extend_from_slice(&(part.len() as u64).to_be_bytes());
            context.extend_from_slice(part.as_bytes());
        }
        let mut sealing = Zeroizing::new([0u8; 32]);
        let mut name = [0u8; 16];
        // 32 and 16 bytes are far below HKDF-SHA256's limit of 8160.
        let _ = hkdf.expand_multi_info(&[b"seal\0", &context], sealing.as_mut());
        let _ = hkdf.expand_multi_info(&[b"name\0", &context], &mut name);
        Self {
            token_key,
            id: name.iter().map(|b| format!("{b:02x}")).collect(),
            sealing,
        }
    }

    /// The token service, client and audience.
    pub fn token_key(&self) -> &TokenKey {
        &self.token_key
    }

    /// A name for file names and Redis keys: 32 hex digits that reveal
    /// neither the client id nor the secret.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `token` sealed for this key.
    pub fn seal_token(&self, token: &StoredToken) -> Vec<u8> {
        let record = TokenRecord {
            access_token: token.access_token.expose_secret().to_owned(),
            expires_at_ms: unix_ms(token.expires_at),
        };
        self.seal_record(Purpose::Token, &record)
    }

    /// The token sealed in `blob`, or `None` if it was not sealed by this
    /// key (another secret, another key, tampered or truncated).
    pub fn open_token(&self, blob: &[u8]) -> Option<StoredToken> {
        let record: TokenRecord = self.open_record(Purpose::Token, blob)?;
        if record.access_token.is_empty() {
            return None;
        }
        Some(StoredToken::new(
            SecretString::new(record.access_token),
            from_unix_ms(record.expires_at_ms)?,
        ))
    }

    /// `failure` sealed for this key.
    pub fn seal_failure(&self, failure: &StoredFailure) -> Vec<u8> {
        let record = RefusalRecord {
            status: failure.status,
            until_ms: unix_ms(failure.until),
        };
        self.seal_record(Purpose::Refusal, &record)
    }

    /// The refusal sealed in `blob`, if this key sealed it.
    pub fn open_failure(&self, blob: &[u8]) -> Option<StoredFailure> {
        let record: RefusalRecord = self.open_record(Purpose::Refusal, blob)?;
        Some(StoredFailure::new(
            record.status,
            from_unix_ms(record.until_ms)?,
        ))
    }

    /// A "not before" time sealed for this key.
    pub fn seal_not_before(&self, at: SystemTime) -> Vec<u8> {
        self.seal_record(Purpose::NotBefore, &NotBeforeRecord { at_ms: unix_ms(at) })
    }

    /// The "not before" time sealed in `blob`, if this key sealed it.
    pub fn open_not_before(&self, blob: &[u8]) -> Option<SystemTime> {
        let record: NotBeforeRecord = self.open_record(Purpose::NotBefore, blob)?;
        from_unix_ms(record.at_ms)
    }

    fn associated_data(&self, purpose: Purpose) -> Vec<u8> {
        format!("camunda-admin/v1/{}/{}", purpose.label(), self.id).into_bytes()
    }

    fn seal_record(&self, purpose: Purpose, record: &impl serde::Serialize) -> Vec<u8> {
        let plaintext = Zeroizing::new(serde_json::to_vec(record).unwrap_or_default());
        let cipher = XChaCha20Poly1305::new(self.sealing.as_ref().into());
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = self.associated_data(purpose);
        let payload = Payload {
            msg: &plaintext,
            aad: &aad,
        };
        // Encryption fails only for messages beyond 256 GiB.
        let sealed = cipher.encrypt(&nonce, payload).unwrap_or_default();
        let mut blob = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        blob.push(FORMAT);
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        blob
    }

    fn open_record<T: serde::de::DeserializeOwned>(
        &self,
        purpose: Purpose,
        blob: &[u8],
    ) -> Option<T> {
        let (&format, rest) = blob.split_first()?;
        if format != FORMAT || rest.len() < NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let cipher = XChaCha20Poly1305::new(self.sealing.as_ref().into());
        let aad = self.associated_data(purpose);
        let payload = Payload {
            msg: sealed,
            aad: &aad,
        };
        let plaintext = Zeroizing::new(cipher.decrypt(XNonce::from_slice(nonce), payload).ok()?);
        serde_json::from_slice(&plaintext).ok()
    }
}

fn unix_ms(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn from_unix_ms(ms: u64) -> Option<SystemTime> {
    UNIX_EPOCH.checked_add(Duration::from_millis(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(secret: &str) -> StoreKey {
        StoreKey::derive(
            TokenKey::new("https://login.example/oauth/token", "the-client", "api"),
            &SecretString::new(secret),
        )
    }

    fn token() -> StoredToken {
        StoredToken::new(
            SecretString::new("the-access-token"),
            UNIX_EPOCH + Duration::from_secs(2_000_000_000),
        )
    }

    #[test]
    fn a_sealed_token_opens_with_its_key_only() {
        let blob = key("secret-a").seal_token(&token());
        let opened = key("secret-a").open_token(&blob).expect("opens");
        assert_eq!(opened.access_token.expose_secret(), "the-access-token");
        assert_eq!(opened.expires_at, token().expires_at);
        assert!(
            key("secret-b").open_token(&blob).is_none(),
            "another secret"
        );
        let other_key = StoreKey::derive(
            TokenKey::new("https://login.example/oauth/token", "the-client", "other"),
            &SecretString::new("secret-a"),
        );
        assert!(other_key.open_token(&blob).is_none(), "another audience");
    }

    #[test]
    fn blobs_hold_no_plaintext_and_cannot_change_role_or_be_tampered() {
        let key = key("secret-a");
        let blob = key.seal_token(&token());
        let text = String::from_utf8_lossy(&blob);
        assert!(!text.contains("the-access-token") && !text.contains("the-client"));
        assert!(
            key.open_failure(&blob).is_none(),
            "a token blob is no refusal"
        );
        let mut tampered = blob.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(key.open_token(&tampered).is_none());
        assert!(key.open_token(&blob[..10]).is_none());
        assert!(key.open_token(&[]).is_none());
        assert_ne!(key.seal_token(&token()), blob, "a fresh nonce per blob");
    }

    #[test]
    fn the_name_is_stable_and_reveals_nothing() {
        let a = key("secret-a");
        assert_eq!(a.id(), key("secret-a").id());
        assert_ne!(a.id(), key("secret-b").id());
        assert_eq!(a.id().len(), 32);
        assert!(!a.id().contains("client") && a.id().chars().all(|c| c.is_ascii_hexdigit()));
        let debug = format!("{a:?}");
        assert!(
            !debug.contains("secret-a") && !debug.contains("sealing"),
            "{debug}"
        );
    }

    #[test]
    fn refusals_and_not_before_times_round_trip() {
        let key = key("secret-a");
        let failure = StoredFailure::new(401, UNIX_EPOCH + Duration::from_secs(5));
        assert_eq!(key.open_failure(&key.seal_failure(&failure)), Some(failure));
        let at = UNIX_EPOCH + Duration::from_millis(1_234_567);
        assert_eq!(key.open_not_before(&key.seal_not_before(at)), Some(at));
    }
}
