//! A commitment to a layer's states, and multiproofs that reveal several of them.
//!
//! A layer's tree is a fixed-depth `merkle::multi` tree of the history
//! [`DOMAIN`]: depth [`Layer::depth`], leaf `i` the [`leaf_hash`] of the state
//! at `layer.step_at(i)`, zero leaves past the end. So the shape is a pure
//! function of the layer, and proofs are made and checked by the same code
//! as state openings: `merkle::MultiProof::build_in` and
//! `merkle::Opened::verify_in`. This module only adds what a layer means:
//! steps bound into leaves, indices below the layer's length, distinct, and
//! at most [`MAX_REVEALED`] of them.

use core::fmt;

use super::{DOMAIN, HistoryError, Layer, MAX_LEAVES, leaf_hash};
use crate::merkle::{self, Hash, Leaf, Levels, OpenError, Opened, siblings_needed};

/// Most leaves one proof may reveal: 2^11.
///
/// It bounds a round's message and the verifier's work, which is linear: the
/// walk hashes each revealed leaf once and at most one node per revealed leaf
/// per level, so at most 2^11 · 21 hashes (a few milliseconds), and a proof
/// holds at most 2^11 · 20 hashes ([`MAX_PROOF_HASHES`]). A dissection round
/// reveals at most `k + 1` leaves (the interior points and both ends), so `k`
/// up to 2047 fits.
pub const MAX_REVEALED: usize = 1 << 11;

/// Most hashes a decodable proof may hold: `MAX_REVEALED · 20` = 40,960, so an
/// encoding is at most 1,310,724 bytes. A proof holds at most one hash per
/// revealed leaf per level, and a layer of at most [`MAX_LEAVES`] = 2^20 leaves
/// has 20 levels below its root.
pub const MAX_PROOF_HASHES: u32 = (MAX_REVEALED * MAX_LEAVES.trailing_zeros() as usize) as u32;

/// A Merkle commitment to the state roots at a [`Layer`]'s steps.
#[derive(Clone)]
pub struct Commitment {
    layer: Layer,
    levels: Levels,
    root: Hash,
}

impl fmt::Debug for Commitment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Commitment").field("layer", &self.layer).field("root", &self.root).finish()
    }
}

impl Commitment {
    /// Commits to `roots[i]` as the state root at `layer.step_at(i)`.
    ///
    /// Fails with `RootCount` if `roots.len() != layer.len()`.
    pub fn build(layer: Layer, roots: &[Hash]) -> Result<Commitment, HistoryError> {
        if roots.len() != layer.len() {
            return Err(HistoryError::RootCount { expected: layer.len(), got: roots.len() });
        }
        let leaves: Vec<Leaf> = layer.steps().zip(roots).map(|(step, root)| leaf_hash(step, root)).collect();
        let levels = Levels::new_in(DOMAIN, &leaves, layer.depth());
        let root = levels.node(layer.depth(), 0);
        Ok(Commitment { layer, levels, root })
    }

    /// The layer committed to.
    pub fn layer(&self) -> Layer {
        self.layer
    }

    /// The root of the tree over the layer's leaves.
    pub fn root(&self) -> Hash {
        self.root
    }

    /// A multiproof revealing the leaves at `indices` (in any order; repeats
    /// are ignored). The revealed state roots travel separately, as the
    /// `revealed` argument of [`verify`].
    ///
    /// Fails with `NothingRevealed`, `TooManyRevealed` (more than
    /// [`MAX_REVEALED`] distinct indices) or `IndexOutOfRange`.
    pub fn prove(&self, indices: &[usize]) -> Result<MultiProof, HistoryError> {
        let mut sorted = indices.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        check_count(sorted.len())?;
        if let Some(&index) = sorted.last().filter(|&&i| i >= self.layer.len()) {
            return Err(HistoryError::IndexOutOfRange { index, len: self.layer.len() });
        }
        let levels = &self.levels;
        let opening = merkle::MultiProof::build_in(
            DOMAIN,
            self.layer.depth(),
            sorted.iter().map(|&i| i as u64),
            |i| levels.node(0, i),
            |height, i| levels.node(height, i),
        );
        Ok(MultiProof { hashes: opening.siblings })
    }
}

/// The sibling hashes that, with some revealed leaves, determine a layer's root.
///
/// They are the `siblings` of a `merkle::MultiProof` of the layer's tree, in
/// the order the walk asks for them (level by level from the leaves up, by
/// increasing index within a level; `specs/commitments.md` §4), zero subtrees
/// included. Encoded as a 4-byte little-endian count followed by that many
/// 32-byte hashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultiProof {
    hashes: Vec<Hash>,
}

impl MultiProof {
    /// The proof's hashes, in order.
    pub fn hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// The encoding: `count as u32 LE || hash_0 || ... || hash_{count-1}`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 + 32 * self.hashes.len());
        // prove never makes more than MAX_PROOF_HASHES hashes, and from_bytes refuses more.
        out.extend_from_slice(&(self.hashes.len() as u32).to_le_bytes());
        for hash in &self.hashes {
            out.extend_from_slice(hash);
        }
        out
    }

    /// Decodes [`MultiProof::to_bytes`]'s encoding, which must fill `bytes` exactly.
    ///
    /// Fails with `ProofTruncated` (under 4 bytes), `ProofTooLong` (a count over
    /// [`MAX_PROOF_HASHES`]) or `ProofLength` (the length is not `4 + 32·count`).
    pub fn from_bytes(bytes: &[u8]) -> Result<MultiProof, HistoryError> {
        let Some((count, rest)) = bytes.split_first_chunk::<4>() else {
            return Err(HistoryError::ProofTruncated(bytes.len()));
        };
        let count = u32::from_le_bytes(*count);
        if count > MAX_PROOF_HASHES {
            return Err(HistoryError::ProofTooLong { count });
        }
        let (hashes, tail) = rest.as_chunks::<32>();
        if hashes.len() != count as usize || !tail.is_empty() {
            return Err(HistoryError::ProofLength { len: bytes.len(), count });
        }
        Ok(MultiProof { hashes: hashes.to_vec() })
    }
}

/// Checks that `revealed` state roots, at leaf indices of `layer`, belong to
/// the commitment with root `root`, using `proof`.
///
/// Each leaf is recomputed from its step and state root, so a state root
/// revealed at the wrong index does not verify. Fails with `NothingRevealed`,
/// `TooManyRevealed`, `IndexOutOfRange`, `DuplicateIndex`, `ProofHashCount`
/// (the proof has more or fewer hashes than this revealed set needs) or
/// `RootMismatch`.
pub fn verify(
    root: &Hash,
    layer: &Layer,
    revealed: &[(usize, Hash)],
    proof: &MultiProof,
) -> Result<(), HistoryError> {
    check_count(revealed.len())?;
    let mut revealed = revealed.to_vec();
    revealed.sort_unstable_by_key(|&(index, _)| index);
    let mut leaves: Vec<(u64, Leaf)> = Vec::with_capacity(revealed.len());
    for &(index, state_root) in &revealed {
        let Some(step) = layer.step_at(index) else {
            return Err(HistoryError::IndexOutOfRange { index, len: layer.len() });
        };
        if leaves.last().is_some_and(|&(last, _)| last == index as u64) {
            return Err(HistoryError::DuplicateIndex(index));
        }
        leaves.push((index as u64, leaf_hash(step, &state_root)));
    }
    let opening = merkle::MultiProof { leaves, siblings: proof.hashes.clone() };
    match Opened::verify_in(DOMAIN, layer.depth(), root, &opening) {
        Ok(_) => Ok(()),
        Err(OpenError::SiblingCount) => {
            let indices: Vec<u64> = opening.leaves.iter().map(|&(index, _)| index).collect();
            let expected = siblings_needed(layer.depth(), &indices);
            Err(HistoryError::ProofHashCount { expected, got: proof.hashes.len() })
        }
        Err(OpenError::WrongRoot) => Err(HistoryError::RootMismatch),
        // The indices are sorted, distinct and below the layer's length, hence
        // below the tree's width: the walk cannot refuse them. Should it, the
        // reveal is still refused, as not matching the root.
        Err(OpenError::BadIndices) => Err(HistoryError::RootMismatch),
    }
}

fn check_count(count: usize) -> Result<(), HistoryError> {
    match count {
        0 => Err(HistoryError::NothingRevealed),
        n if n > MAX_REVEALED => Err(HistoryError::TooManyRevealed { count: n }),
        _ => Ok(()),
    }
}
