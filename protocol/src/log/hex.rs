//! Lowercase hex for the JSON form of entries and heads.

use serde::{Deserialize, Deserializer, Serializer, de::Error};

pub(crate) fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// Why a hex string does not decode.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HexError {
    #[error("{0:?} is not a lowercase hex digit")]
    Digit(char),
    #[error("hex string of odd length {0}")]
    OddLength(usize),
}

fn decode(s: &str) -> Result<Vec<u8>, HexError> {
    let digit = |c: u8| match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        _ => Err(HexError::Digit(c as char)),
    };
    if !s.len().is_multiple_of(2) {
        return Err(HexError::OddLength(s.len()));
    }
    s.as_bytes().chunks_exact(2).map(|p| Ok(digit(p[0])? << 4 | digit(p[1])?)).collect()
}

/// Fixed-size byte arrays as hex strings of exactly twice their length.
pub mod array {
    use super::*;

    /// Serializes as lowercase hex.
    pub fn serialize<S: Serializer, const N: usize>(bytes: &[u8; N], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&encode(bytes))
    }

    /// Deserializes lowercase hex of exactly `2 * N` digits.
    pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(d: D) -> Result<[u8; N], D::Error> {
        let s = String::deserialize(d)?;
        let bytes = decode(&s).map_err(D::Error::custom)?;
        let len = bytes.len();
        bytes.try_into().map_err(|_| D::Error::custom(format!("{len} bytes where {N} are needed")))
    }
}

/// Payloads as hex strings, at most [`MAX_PAYLOAD`](super::super::MAX_PAYLOAD) bytes long.
pub mod payload {
    use super::*;
    use crate::log::MAX_PAYLOAD;

    /// Serializes as lowercase hex.
    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&encode(bytes))
    }

    /// Deserializes lowercase hex, refusing payloads over the limit before decoding them.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        if s.len() / 2 > MAX_PAYLOAD {
            return Err(D::Error::custom(format!(
                "payload of {} bytes is over the limit of {MAX_PAYLOAD}",
                s.len() / 2
            )));
        }
        decode(&s).map_err(D::Error::custom)
    }
}
