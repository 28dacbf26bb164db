//! Temporary: the fixed-depth history tree beside the rs_merkle one, for the
//! measurement in `specs/commitments.md`. Replaces `commitment.rs` after it.

use sha2::{Digest, Sha256};

use super::{HistoryError, Layer, MAX_REVEALED};
use crate::merkle::{self, Domain, Hash, Leaf, Levels, OpenError, Opened, siblings_needed};

/// Domain prefix of a v2 history leaf.
pub const LEAF_PREFIX: &[u8] = b"refute history v2 leaf:";
/// Domain prefix of a v2 history node.
pub const NODE_PREFIX: &[u8] = b"refute history v2 node:";

/// The v2 leaf.
pub fn leaf_hash(step: u64, state_root: &Hash) -> Hash {
    Sha256::new()
        .chain_update(LEAF_PREFIX)
        .chain_update(step.to_le_bytes())
        .chain_update(state_root)
        .finalize()
        .into()
}

/// The v2 node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    Sha256::new().chain_update(NODE_PREFIX).chain_update(left).chain_update(right).finalize().into()
}

/// History trees.
pub const DOMAIN: Domain = Domain { leaf: |leaf| *leaf, node: node_hash };

/// A v2 commitment.
#[derive(Clone)]
pub struct Commitment {
    layer: Layer,
    levels: Levels,
    root: Hash,
}

impl Commitment {
    /// As the v1 one.
    pub fn build(layer: Layer, roots: &[Hash]) -> Result<Commitment, HistoryError> {
        if roots.len() != layer.len() {
            return Err(HistoryError::RootCount { expected: layer.len(), got: roots.len() });
        }
        let leaves: Vec<Leaf> = layer.steps().zip(roots).map(|(step, root)| leaf_hash(step, root)).collect();
        let levels = Levels::new_in(DOMAIN, &leaves, layer.depth());
        let root = levels.node(layer.depth(), 0);
        Ok(Commitment { layer, levels, root })
    }

    /// The root.
    pub fn root(&self) -> Hash {
        self.root
    }

    /// As the v1 one.
    pub fn prove(&self, indices: &[usize]) -> Result<MultiProof, HistoryError> {
        let mut sorted = indices.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.is_empty() || sorted.len() > MAX_REVEALED {
            return Err(HistoryError::NothingRevealed);
        }
        if let Some(&index) = sorted.last().filter(|&&i| i >= self.layer.len()) {
            return Err(HistoryError::IndexOutOfRange { index, len: self.layer.len() });
        }
        let levels = &self.levels;
        let opening = merkle::MultiProof::build_in(
            DOMAIN,
            self.layer.depth(),
            sorted.iter().map(|&i| i as u64),
            |i| levels.node(0, i),
            |h, i| levels.node(h, i),
        );
        Ok(MultiProof { hashes: opening.siblings })
    }
}

/// A v2 proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultiProof {
    /// Its hashes.
    pub hashes: Vec<Hash>,
}

/// As the v1 one.
pub fn verify(
    root: &Hash,
    layer: &Layer,
    revealed: &[(usize, Hash)],
    proof: &MultiProof,
) -> Result<(), HistoryError> {
    if revealed.is_empty() || revealed.len() > MAX_REVEALED {
        return Err(HistoryError::NothingRevealed);
    }
    let mut revealed = revealed.to_vec();
    revealed.sort_unstable_by_key(|&(index, _)| index);
    let mut leaves: Vec<(u64, Leaf)> = Vec::with_capacity(revealed.len());
    for &(index, state_root) in &revealed {
        let Some(step) = layer.step_at(index) else {
            return Err(HistoryError::IndexOutOfRange { index, len: layer.len() });
        };
        if leaves.last().is_some_and(|l| l.0 == index as u64) {
            return Err(HistoryError::DuplicateIndex(index));
        }
        leaves.push((index as u64, leaf_hash(step, &state_root)));
    }
    let opening = merkle::MultiProof { leaves, siblings: proof.hashes.clone() };
    match Opened::verify_in(DOMAIN, layer.depth(), root, &opening) {
        Ok(_) => Ok(()),
        Err(OpenError::SiblingCount) => {
            let indices: Vec<u64> = opening.leaves.iter().map(|l| l.0).collect();
            Err(HistoryError::ProofHashCount {
                expected: siblings_needed(layer.depth(), &indices),
                got: proof.hashes.len(),
            })
        }
        Err(OpenError::BadIndices | OpenError::WrongRoot) => Err(HistoryError::RootMismatch),
    }
}
