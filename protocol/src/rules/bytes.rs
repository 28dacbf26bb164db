//! Byte types of the rules: 32-byte keys and hashes, 64-byte signatures,
//! 80-byte VRF proofs and byte strings, all shown and serialised as lowercase hex.

use core::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};

/// A 32-byte value: a SHA-256 hash, a state root or an ed25519 public key.
/// Ordered bytewise, so maps keyed by it are deterministic.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct B32(pub [u8; 32]);

/// A 64-byte ed25519 signature.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Sig(pub [u8; 64]);

/// An 80-byte ECVRF proof (RFC 9381, ECVRF-EDWARDS25519-SHA512-TAI):
/// `Gamma ‖ c ‖ s`, the arbiter's proof of a claim's lottery seed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct VrfProof(pub [u8; 80]);

/// A byte string (a proof, stdout, a header).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Blob(pub Vec<u8>);

/// Lowercase hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Decodes lowercase or uppercase hex; `None` for an odd length or a non-hex digit.
pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    // Checked here because `from_str_radix` also takes a sign: "+f" would
    // decode, giving one value two spellings.
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

fn fixed<'de, D: Deserializer<'de>, const N: usize>(d: D) -> Result<[u8; N], D::Error> {
    let s = String::deserialize(d)?;
    let v = from_hex(&s).ok_or_else(|| D::Error::custom("not hex"))?;
    v.try_into().map_err(|v: Vec<u8>| D::Error::custom(format!("{} bytes, expected {N}", v.len())))
}

macro_rules! hex_type {
    ($t:ty, $n:expr) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&to_hex(&self.0))
            }
        }
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&to_hex(&self.0))
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&to_hex(&self.0))
            }
        }
    };
}
hex_type!(B32, 32);
hex_type!(Sig, 64);
hex_type!(VrfProof, 80);
hex_type!(Blob, 0);

impl<'de> Deserialize<'de> for B32 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        fixed::<D, 32>(d).map(B32)
    }
}

impl<'de> Deserialize<'de> for Sig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        fixed::<D, 64>(d).map(Sig)
    }
}

impl<'de> Deserialize<'de> for VrfProof {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        fixed::<D, 80>(d).map(VrfProof)
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        from_hex(&s).map(Blob).ok_or_else(|| D::Error::custom("not hex"))
    }
}

impl B32 {
    /// SHA-256 of the concatenation of `parts`.
    pub fn sha256(parts: &[&[u8]]) -> B32 {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for p in parts {
            h.update(p);
        }
        B32(h.finalize().into())
    }
}
