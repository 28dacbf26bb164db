//! The signed, hash-chained event log (`specs/log.md`).
//!
//! Every transition the arbiter accepts becomes one [`Entry`]: its index, the hash of the
//! entry before it, the arbiter's clock, an opaque payload (the signed message and the
//! events it caused) and the arbiter's ed25519 signature over the entry's hash. Anyone
//! holding the arbiter's public key can replay the log and check it with [`verify`].
//!
//! Everything here is a pure function of its inputs; the key's file is the arbiter's
//! (`refute_arbiter::keyfile`).

mod chain;
mod entry;
mod hex;
mod key;
#[cfg(test)]
mod tests;

pub use chain::{Chain, Fault, LogError, verify, verify_encoded};
pub use entry::{Entry, FormatError, HEADER_LEN, MAX_PAYLOAD, SIGNATURE_LEN};
pub use key::ArbiterKey;

/// Lowercase hex of `bytes`.
pub fn hex_string(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// Domain prefix of an entry hash (20 bytes, the last a zero byte).
pub const ENTRY_PREFIX: &[u8] = b"refute log entry v1\0";
/// Domain prefix of the genesis hash (22 bytes, the last a zero byte).
pub const GENESIS_PREFIX: &[u8] = b"refute log genesis v1\0";

/// The `prev` of entry 0: `SHA256(GENESIS_PREFIX || arbiter public key || params)`.
///
/// `params` is a hash of whatever identifies the deployment (chain id, game parameters),
/// so a log cannot be replayed as another arbiter's or another deployment's. The key is
/// taken as its 32 encoded bytes, so the rules can compute the genesis from `Params::arbiter`
/// without decoding a point.
pub fn genesis_hash(arbiter: &[u8; 32], params: &Hash) -> Hash {
    Sha256::new().chain_update(GENESIS_PREFIX).chain_update(arbiter).chain_update(params).finalize().into()
}

/// The head of a log: where the next entry goes and what it must chain onto.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Head {
    /// The index of the next entry (the number of entries so far).
    pub next: u64,
    /// The hash of the last entry, or the genesis hash if there is none.
    #[serde(with = "hex::array")]
    pub hash: Hash,
    /// The time of the last entry in milliseconds, or 0 if there is none.
    pub time_ms: u64,
}

impl Head {
    /// The encoded length of a head: [`Head::encode`].
    pub const LEN: usize = 48;

    /// The head of an empty log.
    pub fn genesis(arbiter: &VerifyingKey, params: &Hash) -> Head {
        Head { next: 0, hash: genesis_hash(arbiter.as_bytes(), params), time_ms: 0 }
    }

    /// `u64le(next) || hash || u64le(time_ms)`.
    pub fn encode(&self) -> [u8; Head::LEN] {
        let mut out = [0; Head::LEN];
        out[..8].copy_from_slice(&self.next.to_le_bytes());
        out[8..40].copy_from_slice(&self.hash);
        out[40..].copy_from_slice(&self.time_ms.to_le_bytes());
        out
    }

    /// The inverse of [`Head::encode`]; `None` unless `bytes` is exactly [`Head::LEN`] long.
    pub fn decode(bytes: &[u8]) -> Option<Head> {
        let bytes: &[u8; Head::LEN] = bytes.try_into().ok()?;
        let (next, rest) = bytes.split_first_chunk::<8>()?;
        let (hash, time) = rest.split_first_chunk::<32>()?;
        Some(Head {
            next: u64::from_le_bytes(*next),
            hash: *hash,
            time_ms: u64::from_le_bytes(time.try_into().ok()?),
        })
    }
}
