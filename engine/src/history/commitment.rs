//! A commitment to a layer's states, and multiproofs that reveal several of them.
//!
//! rs_merkle builds the tree, makes the proofs and recomputes roots from them.
//! Its multiproof code trusts its input more than a verifier may: it accepts a
//! leaf index twice (keeping one of the two hashes, so a fake leaf can ride
//! along with a real one: rs-merkle PR #52), indices past the last leaf, and
//! unused trailing proof hashes, and it makes wrong proofs from unsorted
//! indices (rs-merkle issue #37). So [`verify`] refuses all of these itself
//! before calling it, and [`Commitment::prove`] sorts.

use core::fmt;

use rs_merkle::{MerkleProof, MerkleTree};

use super::{HistoryError, HistoryHasher, Layer, MAX_LEAVES, leaf_hash};
use crate::merkle::Hash;

/// Most leaves one proof may reveal: 2^11.
///
/// rs_merkle's multiproof code takes time quadratic in the number of revealed
/// leaves (about 8 ms for 2^11 leaves spread over 2^20); this bound keeps a
/// hostile proof's verification cheap. A dissection round reveals at most
/// `k + 1` leaves (the interior points and both ends), so `k` up to 2047 fits.
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
    tree: MerkleTree<HistoryHasher>,
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
        let leaves: Vec<Hash> = layer.steps().zip(roots).map(|(step, root)| leaf_hash(step, root)).collect();
        let tree = MerkleTree::<HistoryHasher>::from_leaves(&leaves);
        let root = tree.root().expect("a layer has at least one leaf");
        Ok(Commitment { layer, tree, root })
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
        Ok(MultiProof { hashes: self.tree.proof(&sorted).proof_hashes().to_vec() })
    }
}

/// The sibling hashes that, with some revealed leaves, determine a layer's root.
///
/// Encoded as a 4-byte little-endian count followed by that many 32-byte
/// hashes, in the order of `specs/commitments.md` (level by level from the
/// leaves up, by increasing index within a level).
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
    let mut indices = Vec::with_capacity(revealed.len());
    let mut leaves = Vec::with_capacity(revealed.len());
    for &(index, state_root) in &revealed {
        let Some(step) = layer.step_at(index) else {
            return Err(HistoryError::IndexOutOfRange { index, len: layer.len() });
        };
        if indices.last() == Some(&index) {
            return Err(HistoryError::DuplicateIndex(index));
        }
        indices.push(index);
        leaves.push(leaf_hash(step, &state_root));
    }
    let expected = proof_positions(layer.len(), &indices).len();
    if proof.hashes.len() != expected {
        return Err(HistoryError::ProofHashCount { expected, got: proof.hashes.len() });
    }
    let computed = MerkleProof::<HistoryHasher>::new(proof.hashes.clone())
        .root(&indices, &leaves, layer.len())
        .map_err(|_| HistoryError::RootMismatch)?;
    if computed != *root {
        return Err(HistoryError::RootMismatch);
    }
    Ok(())
}

fn check_count(count: usize) -> Result<(), HistoryError> {
    match count {
        0 => Err(HistoryError::NothingRevealed),
        n if n > MAX_REVEALED => Err(HistoryError::TooManyRevealed { count: n }),
        _ => Ok(()),
    }
}

/// The `(level, index)` of each node a proof for the leaves at `sorted`
/// (increasing, distinct, all below `leaves`) holds, in proof order; level 0
/// is the leaves. This is the definition in `specs/commitments.md`, written
/// independently of rs_merkle: a level's known nodes need the siblings they do
/// not already have, except the missing sibling of a promoted last node.
pub(super) fn proof_positions(leaves: usize, sorted: &[usize]) -> Vec<(u32, usize)> {
    let mut positions = Vec::new();
    let mut known = sorted.to_vec();
    let (mut width, mut level) = (leaves, 0);
    while width > 1 {
        let mut parents = Vec::with_capacity(known.len());
        let mut j = 0;
        while j < known.len() {
            let i = known[j];
            if i.is_multiple_of(2) && known.get(j + 1) == Some(&(i + 1)) {
                j += 2;
            } else {
                if i ^ 1 < width {
                    positions.push((level, i ^ 1));
                }
                j += 1;
            }
            parents.push(i / 2);
        }
        known = parents;
        width = width.div_ceil(2);
        level += 1;
    }
    positions
}
