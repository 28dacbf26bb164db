//! [`Entry`]: its hash and its canonical binary encoding.

use sha2::{Digest, Sha256};
use thiserror::Error;

use super::{ENTRY_PREFIX, Hash, hex};

/// The longest payload an entry may carry: 1 MiB. A payload is one signed message and
/// the events it caused; modules and inputs are stored as blobs and referenced by hash.
pub const MAX_PAYLOAD: usize = 1 << 20;
/// The bytes before the payload: `u64le(index) || prev || u64le(time_ms) || u32le(len)`.
pub const HEADER_LEN: usize = 8 + 32 + 8 + 4;
/// The length of an ed25519 signature.
pub const SIGNATURE_LEN: usize = 64;

/// One signed log entry.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The position of this entry in the log, from 0.
    pub index: u64,
    /// The hash of entry `index - 1`, or the genesis hash for entry 0.
    #[serde(with = "hex::array")]
    pub prev: Hash,
    /// The arbiter's clock when it accepted the transition, in milliseconds since the Unix
    /// epoch. Never less than the previous entry's.
    pub time_ms: u64,
    /// What happened: opaque to the log (the signed message and its events).
    #[serde(with = "hex::payload")]
    pub payload: Vec<u8>,
    /// The arbiter's ed25519 signature over [`Entry::hash`].
    #[serde(with = "hex::array")]
    pub signature: [u8; SIGNATURE_LEN],
}

/// Why bytes are not the encoding of an [`Entry`].
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// The bytes end before the entry does.
    #[error("entry truncated: {len} bytes where {need} are needed")]
    Truncated {
        /// How many bytes there are.
        len: usize,
        /// How many the entry needs (so far as its header says).
        need: usize,
    },
    /// Bytes follow the signature.
    #[error("{extra} trailing bytes after the entry")]
    TrailingBytes {
        /// How many.
        extra: usize,
    },
    /// The payload is longer than [`MAX_PAYLOAD`].
    #[error("payload of {len} bytes is over the limit of {max}")]
    PayloadTooLarge {
        /// The payload's length.
        len: u64,
        /// [`MAX_PAYLOAD`].
        max: usize,
    },
}

impl Entry {
    /// `SHA256(ENTRY_PREFIX || u64le(index) || prev || u64le(time_ms) || u32le(len) || payload)`:
    /// the hash of the encoding without its signature.
    pub fn hash(&self) -> Hash {
        let mut header = [0; HEADER_LEN];
        self.write_header(&mut header);
        Sha256::new()
            .chain_update(ENTRY_PREFIX)
            .chain_update(header)
            .chain_update(&self.payload)
            .finalize()
            .into()
    }

    /// The canonical encoding: `u64le(index) || prev || u64le(time_ms) || u32le(len) ||
    /// payload || signature`, [`HEADER_LEN`] + len + [`SIGNATURE_LEN`] bytes.
    ///
    /// The payload's length must be at most [`MAX_PAYLOAD`] (as [`Chain::append`](super::Chain::append)
    /// ensures); a longer one is encoded but does not decode.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![0; HEADER_LEN];
        self.write_header(&mut out);
        out.reserve_exact(self.payload.len() + SIGNATURE_LEN);
        out.extend_from_slice(&self.payload);
        out.extend_from_slice(&self.signature);
        out
    }

    /// The inverse of [`Entry::encode`]. Refuses truncated input, trailing bytes and
    /// payloads over [`MAX_PAYLOAD`]; checks no hash or signature.
    pub fn decode(bytes: &[u8]) -> Result<Entry, FormatError> {
        let truncated = |need| FormatError::Truncated { len: bytes.len(), need };
        let (header, rest) = bytes.split_first_chunk::<HEADER_LEN>().ok_or(truncated(HEADER_LEN))?;
        let (index, header) = header.split_first_chunk::<8>().expect("header is 52 bytes");
        let (prev, header) = header.split_first_chunk::<32>().expect("header is 52 bytes");
        let (time, len) = header.split_first_chunk::<8>().expect("header is 52 bytes");
        let len = u32::from_le_bytes(len.try_into().expect("4 bytes are left"));
        if len as usize > MAX_PAYLOAD {
            return Err(FormatError::PayloadTooLarge { len: len.into(), max: MAX_PAYLOAD });
        }
        let need = HEADER_LEN + len as usize + SIGNATURE_LEN;
        let (payload, rest) = rest.split_at_checked(len as usize).ok_or(truncated(need))?;
        let (signature, rest) = rest.split_first_chunk::<SIGNATURE_LEN>().ok_or(truncated(need))?;
        if !rest.is_empty() {
            return Err(FormatError::TrailingBytes { extra: rest.len() });
        }
        Ok(Entry {
            index: u64::from_le_bytes(*index),
            prev: *prev,
            time_ms: u64::from_le_bytes(*time),
            payload: payload.to_vec(),
            signature: *signature,
        })
    }

    /// Writes the first [`HEADER_LEN`] bytes of the encoding. The length is truncated to
    /// 32 bits; payloads are at most [`MAX_PAYLOAD`] long.
    fn write_header(&self, out: &mut [u8]) {
        out[..8].copy_from_slice(&self.index.to_le_bytes());
        out[8..40].copy_from_slice(&self.prev);
        out[40..48].copy_from_slice(&self.time_ms.to_le_bytes());
        out[48..52].copy_from_slice(&(self.payload.len() as u32).to_le_bytes());
    }
}
