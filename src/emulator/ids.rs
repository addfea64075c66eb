//! Generated ids and fake secrets: UUIDs for objects, client ids, client
//! secrets and passwords in the alphabets Camunda uses, token signatures.

use rand::{rngs::StdRng, Rng, SeedableRng};

const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/// Camunda's client secrets also hold `_~.-`.
const SECRET_ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_~.-";

/// A generator seeded from the operating system, so that no id predicts a
/// secret handed out after it.
#[derive(Debug)]
pub(crate) struct Ids(StdRng);

impl Ids {
    pub(crate) fn from_entropy() -> Self {
        Self(StdRng::from_entropy())
    }

    /// A version 4 UUID in its usual text form.
    pub(crate) fn uuid(&mut self) -> String {
        uuid::Builder::from_random_bytes(self.0.gen())
            .into_uuid()
            .to_string()
    }

    /// A client id: 32 letters and digits.
    pub(crate) fn client_id(&mut self) -> String {
        self.text(32, ALPHANUMERIC)
    }

    /// A client secret: 64 characters of [`SECRET_ALPHABET`].
    pub(crate) fn client_secret(&mut self) -> String {
        self.text(64, SECRET_ALPHABET)
    }

    /// A monitoring password: 32 letters and digits.
    pub(crate) fn password(&mut self) -> String {
        self.text(32, ALPHANUMERIC)
    }

    /// Random bytes, as a token's signature.
    pub(crate) fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut bytes = [0u8; N];
        self.0.fill(&mut bytes[..]);
        bytes
    }

    fn text(&mut self, len: usize, alphabet: &[u8]) -> String {
        (0..len)
            .map(|_| char::from(alphabet[self.0.gen_range(0..alphabet.len())]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_their_shapes_and_differ() {
        let mut ids = Ids::from_entropy();
        let uuid = ids.uuid();
        assert_eq!(uuid.len(), 36);
        assert_eq!(uuid.as_bytes()[14], b'4', "version 4");
        assert_ne!(uuid, ids.uuid());
        let id = ids.client_id();
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()));
        let secret = ids.client_secret();
        assert_eq!(secret.len(), 64);
        assert!(secret.bytes().all(|b| SECRET_ALPHABET.contains(&b)));
        assert_ne!(ids.bytes::<32>(), ids.bytes::<32>());
    }
}
