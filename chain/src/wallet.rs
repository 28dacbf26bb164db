//! A player's Ethereum account: a secp256k1 key derived from its refute key
//! file, and EIP-1559 transactions signed with it (`specs/chain.md` §6).
//!
//! The key is `SHA256("refute ethereum key v1\0" ‖ seed)` of the 32-byte
//! ed25519 seed of the player's key file, so one key file is one player on
//! an arbiter and on a chain, and the two signature schemes never share a
//! secret.

use alloy_primitives::{Address, U256, keccak256};
use k256::ecdsa::SigningKey;
use sha2::{Digest, Sha256};

/// A secp256k1 key and its address.
#[derive(Clone)]
pub struct Wallet {
    key: SigningKey,
    /// The account's address.
    pub address: Address,
}

impl std::fmt::Debug for Wallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Wallet({})", self.address)
    }
}

/// Why a key cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("not a usable secp256k1 key (zero or not below the group order)")]
pub struct BadKey;

/// An EIP-1559 transaction, before signing.
#[derive(Clone, Debug)]
pub struct Tx {
    /// The chain's id (`eth_chainId`).
    pub chain_id: u64,
    /// The sender's next nonce.
    pub nonce: u64,
    /// The tip per gas, in wei.
    pub max_priority_fee_per_gas: u128,
    /// The most per gas, in wei.
    pub max_fee_per_gas: u128,
    /// The gas limit.
    pub gas: u64,
    /// The contract called.
    pub to: Address,
    /// Wei sent.
    pub value: U256,
    /// The calldata.
    pub data: Vec<u8>,
}

impl Wallet {
    /// The wallet of a refute key file's 32-byte ed25519 seed.
    pub fn from_seed(seed: &[u8; 32]) -> Wallet {
        let mut h = Sha256::new();
        h.update(b"refute ethereum key v1\0");
        h.update(seed);
        let secret: [u8; 32] = h.finalize().into();
        // A SHA-256 output is a valid scalar but with probability ~2^-128.
        Wallet::from_secret(&secret).expect("a hash is a scalar")
    }

    /// The wallet of a raw secp256k1 secret (as anvil prints its dev keys).
    pub fn from_secret(secret: &[u8; 32]) -> Result<Wallet, BadKey> {
        let key = SigningKey::from_bytes(secret.into()).map_err(|_| BadKey)?;
        let point = key.verifying_key().to_encoded_point(false);
        let address = Address::from_slice(&keccak256(&point.as_bytes()[1..])[12..]);
        Ok(Wallet { key, address })
    }

    /// The signed transaction's bytes for `eth_sendRawTransaction`
    /// (`0x02 ‖ rlp([chain_id, nonce, tip, max_fee, gas, to, value, data,
    /// [], y_parity, r, s])`).
    pub fn sign(&self, tx: &Tx) -> Vec<u8> {
        let mut fields = vec![
            rlp_uint(&U256::from(tx.chain_id)),
            rlp_uint(&U256::from(tx.nonce)),
            rlp_uint(&U256::from(tx.max_priority_fee_per_gas)),
            rlp_uint(&U256::from(tx.max_fee_per_gas)),
            rlp_uint(&U256::from(tx.gas)),
            rlp_bytes(tx.to.as_slice()),
            rlp_uint(&tx.value),
            rlp_bytes(&tx.data),
            rlp_list(&[]),
        ];
        let mut unsigned = vec![2u8];
        unsigned.extend(rlp_list(&fields));
        let hash = keccak256(&unsigned);
        let (sig, recid) =
            self.key.sign_prehash_recoverable(hash.as_slice()).expect("a 32-byte prehash signs");
        let (r, s) = sig.split_bytes();
        fields.push(rlp_uint(&U256::from(recid.is_y_odd() as u8)));
        fields.push(rlp_uint(&U256::from_be_slice(&r)));
        fields.push(rlp_uint(&U256::from_be_slice(&s)));
        let mut raw = vec![2u8];
        raw.extend(rlp_list(&fields));
        raw
    }
}

/// RLP of a byte string.
fn rlp_bytes(b: &[u8]) -> Vec<u8> {
    if b.len() == 1 && b[0] < 0x80 {
        return b.to_vec();
    }
    let mut out = rlp_len(b.len(), 0x80);
    out.extend_from_slice(b);
    out
}

/// RLP of an integer: its big-endian bytes without leading zeros.
fn rlp_uint(v: &U256) -> Vec<u8> {
    let be = v.to_be_bytes::<32>();
    let first = be.iter().position(|&x| x != 0).unwrap_or(32);
    rlp_bytes(&be[first..])
}

/// RLP of a list of encoded items.
fn rlp_list(items: &[Vec<u8>]) -> Vec<u8> {
    let body: Vec<u8> = items.concat();
    let mut out = rlp_len(body.len(), 0xc0);
    out.extend(body);
    out
}

fn rlp_len(len: usize, offset: u8) -> Vec<u8> {
    if len < 56 {
        return vec![offset + len as u8];
    }
    let be = (len as u64).to_be_bytes();
    let first = be.iter().position(|&x| x != 0).unwrap_or(7);
    let mut out = vec![offset + 55 + (8 - first) as u8];
    out.extend_from_slice(&be[first..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// anvil's first dev key (the "test … junk" mnemonic) and its well-known address.
    #[test]
    fn a_known_key_has_its_known_address() {
        let secret: [u8; 32] =
            crate::rpc::unhex0x("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
                .unwrap()
                .try_into()
                .unwrap();
        let w = Wallet::from_secret(&secret).unwrap();
        assert_eq!(w.address.to_string(), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    }

    #[test]
    fn rlp_encodes_as_the_yellow_paper_says() {
        assert_eq!(rlp_bytes(b"dog"), vec![0x83, b'd', b'o', b'g']);
        assert_eq!(rlp_uint(&U256::ZERO), vec![0x80]);
        assert_eq!(rlp_uint(&U256::from(15u8)), vec![0x0f]);
        assert_eq!(rlp_uint(&U256::from(1024u16)), vec![0x82, 0x04, 0x00]);
        assert_eq!(rlp_list(&[rlp_bytes(b"cat"), rlp_bytes(b"dog")]), {
            let mut v = vec![0xc8, 0x83];
            v.extend(b"cat");
            v.push(0x83);
            v.extend(b"dog");
            v
        });
        let long = vec![7u8; 60];
        assert_eq!(&rlp_bytes(&long)[..2], &[0xb8, 60]);
    }
}
