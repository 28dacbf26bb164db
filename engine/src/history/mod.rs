//! A run's history is the sequence of its state roots at steps `0..=N`. Hashing
//! every state of a long run is too slow, so a commitment covers a
//! [`Layer`](crate::history::Layer): the states at a stride, plus the last step.
//! Dissection narrows a dispute to one stride of a layer; the parties then
//! commit to that stretch at a finer stride
//! ([`layer_strides`](crate::history::layer_strides)), down to single steps. A
//! round reveals up to `k - 1` states of a layer at once
//! ([`split`](crate::history::split), [`narrow`](crate::history::narrow)),
//! checked against the layer's root with one Merkle multiproof
//! ([`Commitment::prove`](crate::history::Commitment::prove),
//! [`verify`](crate::history::verify)).
//!
//! Everything here is a pure function of its arguments. (Links are spelled out
//! in full because rustdoc resolves this text together with the one-line doc
//! on `pub mod history` in `lib.rs`, in the crate root's scope.)

mod commitment;
mod dissection;
mod layer;
#[cfg(test)]
mod tests;

use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::merkle::{Domain, Hash, Leaf};

pub use commitment::{Commitment, MAX_PROOF_HASHES, MAX_REVEALED, MultiProof, verify};
pub use dissection::{DEFAULT_K, DEFAULT_MAX_LEAVES, dispute_rounds, layer_strides, narrow, rounds, split};
pub use layer::{Layer, MAX_LEAVES};

/// Domain prefix of a history leaf. `v2` is the format version: version 1
/// (`refute history leaf:`, rs_merkle's tree) is not compatible, and the new
/// prefixes keep its roots and proofs from ever verifying here.
pub const LEAF_PREFIX: &[u8] = b"refute history v2 leaf:";
/// Domain prefix of an inner node of a history tree (version 2, as [`LEAF_PREFIX`]).
pub const NODE_PREFIX: &[u8] = b"refute history v2 node:";

/// The leaf for the state at `step`: `SHA256(LEAF_PREFIX || step as u64 LE || state_root)`.
pub fn leaf_hash(step: u64, state_root: &Hash) -> Hash {
    Sha256::new()
        .chain_update(LEAF_PREFIX)
        .chain_update(step.to_le_bytes())
        .chain_update(state_root)
        .finalize()
        .into()
}

/// An inner node: `SHA256(NODE_PREFIX || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    Sha256::new().chain_update(NODE_PREFIX).chain_update(left).chain_update(right).finalize().into()
}

/// The hash functions of history trees, for `merkle::multi`: a leaf's 32
/// bytes are already its [`leaf_hash`] and are kept as they are (so a leaf
/// past the end of a layer is 32 zero bytes), and inner nodes are
/// [`node_hash`]. Both prefixes differ from the state trees'.
pub const DOMAIN: Domain = Domain { leaf: leaf_as_is, node: node_hash };

fn leaf_as_is(leaf: &Leaf) -> Hash {
    *leaf
}

/// Why a layer, a commitment, a proof or a dissection move was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum HistoryError {
    /// A layer's stride is zero.
    #[error("layer stride is zero")]
    ZeroStride,
    /// A layer starts after it ends.
    #[error("layer starts at step {start}, after its end at step {end}")]
    StartAfterEnd {
        /// First step.
        start: u64,
        /// Last step.
        end: u64,
    },
    /// A layer has more than [`MAX_LEAVES`] leaves.
    #[error("layer from step {start} to {end} at stride {stride} has more than {} leaves", MAX_LEAVES)]
    TooManyLeaves {
        /// First step.
        start: u64,
        /// Last step.
        end: u64,
        /// Stride.
        stride: u64,
    },
    /// The number of state roots given is not the layer's number of leaves.
    #[error("layer has {expected} leaves but {got} state roots were given")]
    RootCount {
        /// The layer's number of leaves.
        expected: usize,
        /// State roots given.
        got: usize,
    },
    /// A proof reveals no leaf.
    #[error("no leaf revealed")]
    NothingRevealed,
    /// A proof reveals more than [`MAX_REVEALED`] leaves.
    #[error("{count} leaves revealed, more than the limit of {}", MAX_REVEALED)]
    TooManyRevealed {
        /// Leaves revealed.
        count: usize,
    },
    /// A revealed leaf index is not in the layer.
    #[error("leaf index {index} is out of range for a layer of {len} leaves")]
    IndexOutOfRange {
        /// The index.
        index: usize,
        /// The layer's number of leaves.
        len: usize,
    },
    /// A leaf index is revealed twice.
    #[error("leaf index {0} is revealed more than once")]
    DuplicateIndex(usize),
    /// A proof's encoding is shorter than its 4-byte count.
    #[error("proof encoding is {0} bytes, shorter than its 4-byte count")]
    ProofTruncated(usize),
    /// A proof's count is over [`MAX_PROOF_HASHES`].
    #[error("proof claims {count} hashes, more than the limit of {}", MAX_PROOF_HASHES)]
    ProofTooLong {
        /// The count it starts with.
        count: u32,
    },
    /// A proof's encoding does not have the length its count implies.
    #[error("proof encoding is {len} bytes but a count of {count} hashes needs {}", 4 + 32 * *count as u64)]
    ProofLength {
        /// Length of the encoding.
        len: usize,
        /// The count it starts with.
        count: u32,
    },
    /// A proof has the wrong number of hashes for the revealed leaves.
    #[error("proof has {got} hashes but revealing these leaves needs exactly {expected}")]
    ProofHashCount {
        /// Hashes the revealed set needs.
        expected: usize,
        /// Hashes in the proof.
        got: usize,
    },
    /// The revealed leaves and the proof do not lead to the committed root.
    #[error("revealed states and proof do not match the committed root")]
    RootMismatch,
    /// A dissection move names a sub-interval that does not exist.
    #[error("disagreement index {index} is out of range: {points} interior points give {} sub-intervals", points + 1)]
    DisagreementOutOfRange {
        /// The index given.
        index: usize,
        /// Number of interior points.
        points: usize,
    },
}
