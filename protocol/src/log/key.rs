//! [`ArbiterKey`]: the arbiter's ed25519 signing key. Reading and writing
//! its file is the arbiter's business (`refute_arbiter::keyfile`).

use std::fmt;

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};

use super::Hash;

/// The arbiter's signing key. Its `Debug` shows the public key only.
#[derive(Clone)]
pub struct ArbiterKey {
    signing: SigningKey,
}

impl ArbiterKey {
    /// The key from its 32-byte secret (an ed25519 seed).
    pub fn from_secret(secret: &[u8; 32]) -> ArbiterKey {
        ArbiterKey { signing: SigningKey::from_bytes(secret) }
    }

    /// The 32-byte secret, for writing the key file.
    pub fn secret(&self) -> &[u8; 32] {
        self.signing.as_bytes()
    }

    /// The signing key (the service signs lottery seeds with it).
    pub fn signing_key(&self) -> &SigningKey {
        &self.signing
    }

    /// The public key anyone checks the log with.
    pub fn public(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// The ed25519 signature over an entry hash.
    pub fn sign(&self, hash: &Hash) -> [u8; 64] {
        self.signing.sign(hash).to_bytes()
    }
}

impl fmt::Debug for ArbiterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArbiterKey").field("public", &self.public()).finish_non_exhaustive()
    }
}
