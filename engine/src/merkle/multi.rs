//! Fixed-depth trees over 32-byte leaves, and multiproofs that open several
//! leaves of one tree at once (see `specs/state.md`, "Openings").
//!
//! Every committed vector of the machine state is such a tree: leaf `i`
//! holds elements `i·k .. i·k + k` (k elements per 32 bytes), and leaves
//! past the end are zero leaves, whose subtrees have the precomputed hashes
//! of [`super::zero_hashes`].
//!
//! History trees (`crate::history`) have the same shape and the same walk
//! under other hash functions: a [`Domain`]. So one walk ([`fold_in`]) and
//! one verifier ([`Opened::verify_in`]) check both kinds of tree. The
//! functions without a domain argument are the state trees' ([`STATE_DOMAIN`]).

use super::{DEPTH, Hash, hash_leaf, hash_node};
use std::collections::{BTreeMap, HashMap};

/// The bytes of one leaf.
pub type Leaf = [u8; 32];

/// The hash functions of one kind of tree. Kinds differ only here, so
/// their trees cannot be confused when the functions use distinct prefixes.
#[derive(Clone, Copy, Debug)]
pub struct Domain {
    /// The hash of a leaf from its 32 bytes.
    pub leaf: fn(&Leaf) -> Hash,
    /// The hash of an inner node from its two children.
    pub node: fn(&Hash, &Hash) -> Hash,
}

/// State trees: [`hash_leaf`] and [`hash_node`] (prefixes `refute leaf:`, `refute node:`).
pub const STATE_DOMAIN: Domain = Domain { leaf: hash_leaf, node: hash_node };

impl Domain {
    /// `zeros()[h]` is the hash of a subtree of height `h` whose leaves are
    /// all zero bytes (height 0 is a leaf). For [`STATE_DOMAIN`] this is
    /// [`super::zero_hashes`].
    pub fn zeros(&self) -> [Hash; DEPTH + 1] {
        let mut z = [[0u8; 32]; DEPTH + 1];
        z[0] = (self.leaf)(&[0; 32]);
        for h in 1..=DEPTH {
            z[h] = (self.node)(&z[h - 1], &z[h - 1]);
        }
        z
    }
}

/// The root of a state tree of `depth` whose first leaves are `leaves` and
/// the rest zero. Panics if `leaves` does not fit.
pub fn root_of(leaves: &[Leaf], depth: usize) -> Hash {
    Levels::new(leaves, depth).node(depth, 0)
}

/// Every populated node of a tree of `depth` whose first leaves are
/// `leaves` and the rest zero (for opening small trees).
#[derive(Clone)]
pub struct Levels {
    levels: Vec<Vec<Hash>>,
    zeros: [Hash; DEPTH + 1],
}

impl Levels {
    /// Hashes a state tree. Panics if `leaves` does not fit.
    pub fn new(leaves: &[Leaf], depth: usize) -> Levels {
        Levels::new_in(STATE_DOMAIN, leaves, depth)
    }

    /// Hashes a tree of `domain`. Panics if `leaves` does not fit.
    pub fn new_in(domain: Domain, leaves: &[Leaf], depth: usize) -> Levels {
        let fits = depth <= DEPTH && leaves.len() as u64 <= 1u64 << depth;
        assert!(fits, "{} leaves at depth {depth}", leaves.len());
        let zeros = domain.zeros();
        let mut levels = vec![leaves.iter().map(domain.leaf).collect::<Vec<_>>()];
        for h in 0..depth {
            let next =
                levels[h].chunks(2).map(|c| (domain.node)(&c[0], c.get(1).unwrap_or(&zeros[h]))).collect();
            levels.push(next);
        }
        Levels { levels, zeros }
    }

    /// The hash of node `i` at height `h` (0: leaves).
    pub fn node(&self, h: usize, i: u64) -> Hash {
        self.levels[h].get(i as usize).copied().unwrap_or(self.zeros[h])
    }
}

/// [`fold_in`] for a state tree.
pub fn fold(
    depth: usize,
    nodes: Vec<(u64, Hash)>,
    sibling: impl FnMut(usize, u64) -> Option<Hash>,
) -> Option<Hash> {
    fold_in(STATE_DOMAIN, depth, nodes, sibling)
}

/// The canonical multiproof walk. `nodes` are the opened leaves' hashes,
/// sorted by index without repeats. Level by level, a node whose sibling is
/// also known pairs with it; any other node asks `sibling(height, index)`
/// for its sibling's hash. Returns the root, or `None` if `nodes` is empty
/// or `sibling` fails.
pub fn fold_in(
    domain: Domain,
    depth: usize,
    mut nodes: Vec<(u64, Hash)>,
    mut sibling: impl FnMut(usize, u64) -> Option<Hash>,
) -> Option<Hash> {
    if nodes.is_empty() {
        return None;
    }
    for height in 0..depth {
        let mut next = Vec::with_capacity(nodes.len());
        let mut i = 0;
        while i < nodes.len() {
            let (idx, h) = nodes[i];
            let parent = if idx % 2 == 0 && nodes.get(i + 1).is_some_and(|n| n.0 == idx + 1) {
                i += 1;
                (domain.node)(&h, &nodes[i].1)
            } else {
                let s = sibling(height, idx ^ 1)?;
                if idx % 2 == 0 { (domain.node)(&h, &s) } else { (domain.node)(&s, &h) }
            };
            next.push((idx / 2, parent));
            i += 1;
        }
        nodes = next;
    }
    Some(nodes[0].1)
}

/// How many sibling hashes [`fold_in`] asks for when it opens `indices`
/// (sorted, no repeats) in a tree of `depth`.
pub fn siblings_needed(depth: usize, indices: &[u64]) -> usize {
    sibling_heights(depth, indices).len()
}

/// The height of each sibling [`fold_in`] asks for when it opens `indices`
/// in a tree of `depth`, in the order it asks: the same walk, with hashing
/// left out, since which siblings it asks for does not depend on any hash.
/// The walk ends for any `indices`, sorted or not.
pub fn sibling_heights(depth: usize, indices: &[u64]) -> Vec<usize> {
    const SHAPE: Domain = Domain { leaf: |_| [0; 32], node: |_, _| [0; 32] };
    let mut heights = Vec::new();
    fold_in(SHAPE, depth, indices.iter().map(|&i| (i, [0; 32])).collect(), |h, _| {
        heights.push(h);
        Some([0; 32])
    });
    heights
}

/// An opening on the wire: some leaves of one tree and the sibling hashes
/// [`fold`] asks for, in the order it asks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MultiProof {
    /// Opened leaves, sorted by index, no repeats.
    pub leaves: Vec<(u64, Leaf)>,
    /// Sibling hashes in the order of the walk.
    pub siblings: Vec<Hash>,
}

impl MultiProof {
    /// Opens leaves `indices` of a state tree of `depth`, given each leaf's
    /// bytes and any node's hash (`node(height, index)`, height 0 being leaves).
    pub fn build(
        depth: usize,
        indices: impl IntoIterator<Item = u64>,
        leaf: impl Fn(u64) -> Leaf,
        node: impl Fn(usize, u64) -> Hash,
    ) -> MultiProof {
        MultiProof::build_in(STATE_DOMAIN, depth, indices, leaf, node)
    }

    /// As [`MultiProof::build`], for a tree of `domain`.
    pub fn build_in(
        domain: Domain,
        depth: usize,
        indices: impl IntoIterator<Item = u64>,
        leaf: impl Fn(u64) -> Leaf,
        node: impl Fn(usize, u64) -> Hash,
    ) -> MultiProof {
        let set: std::collections::BTreeSet<u64> = indices.into_iter().collect();
        let leaves: Vec<(u64, Leaf)> = set.into_iter().map(|i| (i, leaf(i))).collect();
        let mut siblings = Vec::new();
        let nodes = leaves.iter().map(|(i, l)| (*i, (domain.leaf)(l))).collect();
        if !leaves.is_empty() {
            fold_in(domain, depth, nodes, |h, i| {
                let s = node(h, i);
                siblings.push(s);
                Some(s)
            });
        }
        MultiProof { leaves, siblings }
    }
}

/// Why an opening does not check.
#[derive(Copy, Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// Leaves unsorted, repeated, or past the tree's width.
    #[error("leaf indices unsorted, repeated or out of range")]
    BadIndices,
    /// Fewer or more sibling hashes than the walk uses.
    #[error("wrong number of sibling hashes")]
    SiblingCount,
    /// The leaves and siblings hash to another root.
    #[error("the leaves hash to another root")]
    WrongRoot,
}

/// A verified opening: the leaves it revealed, which may then change, and
/// the siblings to recompute the root with.
#[derive(Clone, Debug)]
pub struct Opened {
    domain: Domain,
    depth: usize,
    /// The opened leaves by index.
    pub leaves: BTreeMap<u64, Leaf>,
    siblings: HashMap<(usize, u64), Hash>,
}

impl Opened {
    /// Checks `proof` against `root` for a state tree of `depth`.
    pub fn verify(depth: usize, root: &Hash, proof: &MultiProof) -> Result<Opened, OpenError> {
        Opened::verify_in(STATE_DOMAIN, depth, root, proof)
    }

    /// Checks `proof` against `root` for a tree of `domain` and `depth`:
    /// the one verifier of state openings and history reveals.
    pub fn verify_in(
        domain: Domain,
        depth: usize,
        root: &Hash,
        proof: &MultiProof,
    ) -> Result<Opened, OpenError> {
        let width = 1u128 << depth;
        if proof.leaves.windows(2).any(|w| w[0].0 >= w[1].0)
            || proof.leaves.last().is_some_and(|l| l.0 as u128 >= width)
        {
            return Err(OpenError::BadIndices);
        }
        let mut siblings = HashMap::new();
        let mut next = proof.siblings.iter();
        let nodes = proof.leaves.iter().map(|(i, l)| (*i, (domain.leaf)(l))).collect();
        let got = fold_in(domain, depth, nodes, |h, i| {
            let s = *next.next()?;
            siblings.insert((h, i), s);
            Some(s)
        });
        if next.next().is_some() {
            return Err(OpenError::SiblingCount);
        }
        match got {
            None if proof.leaves.is_empty() => {
                Ok(Opened { domain, depth, leaves: BTreeMap::new(), siblings })
            }
            None => Err(OpenError::SiblingCount),
            Some(r) if r == *root => {
                Ok(Opened { domain, depth, leaves: proof.leaves.iter().copied().collect(), siblings })
            }
            Some(_) => Err(OpenError::WrongRoot),
        }
    }

    /// The root over the (possibly changed) leaves; `old` if none was opened.
    pub fn root(&self, old: &Hash) -> Hash {
        let nodes = self.leaves.iter().map(|(i, l)| (*i, (self.domain.leaf)(l))).collect();
        fold_in(self.domain, self.depth, nodes, |h, i| self.siblings.get(&(h, i)).copied()).unwrap_or(*old)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn openings_verify_update_and_reject_tampering(
            n in 1usize..40,
            depth in 6usize..9,
            picks in proptest::collection::vec(0u64..64, 1..6),
            seed in any::<u8>(),
            flip in any::<usize>(),
        ) {
            let leaves: Vec<Leaf> = (0..n).map(|i| [seed.wrapping_add(i as u8); 32]).collect();
            let root = root_of(&leaves, depth);
            if depth >= 7 {
                // The byte tree hashes the same vector by recursion: an independent model.
                prop_assert_eq!(root, super::super::MemoryTree::with_depth(depth).root(&leaves.concat()));
            }
            let levels = Levels::new(&leaves, depth);
            let leaf = |i: u64| leaves.get(i as usize).copied().unwrap_or([0; 32]);
            let node = |h: usize, i: u64| levels.node(h, i);
            let proof = MultiProof::build(depth, picks.iter().copied(), leaf, node);
            let mut opened = Opened::verify(depth, &root, &proof).unwrap();
            prop_assert_eq!(opened.root(&root), root);

            // Changing opened leaves gives the root of the changed vector.
            let mut changed = leaves.clone();
            changed.resize(64, [0; 32]);
            for (i, l) in opened.leaves.iter_mut() {
                l[0] ^= 0x5a;
                changed[*i as usize] = *l;
            }
            prop_assert_eq!(opened.root(&root), root_of(&changed, depth));

            // Any flipped byte is refused.
            let mut bad = proof.clone();
            let total = bad.leaves.len() * 32 + bad.siblings.len() * 32;
            let at = flip % total;
            if at < bad.leaves.len() * 32 {
                bad.leaves[at / 32].1[at % 32] ^= 1;
            } else {
                let k = at - bad.leaves.len() * 32;
                bad.siblings[k / 32][k % 32] ^= 1;
            }
            prop_assert!(Opened::verify(depth, &root, &bad).is_err());
        }
    }

    #[test]
    fn malformed_openings_are_refused() {
        let leaves = [[1u8; 32], [2; 32], [3; 32]];
        let root = root_of(&leaves, 4);
        let levels = Levels::new(&leaves, 4);
        let node = |h: usize, i: u64| levels.node(h, i);
        let leaf = |i: u64| leaves.get(i as usize).copied().unwrap_or([0; 32]);
        let p = MultiProof::build(4, [0, 2], leaf, node);
        let mut extra = p.clone();
        extra.siblings.push([0; 32]);
        assert_eq!(Opened::verify(4, &root, &extra).unwrap_err(), OpenError::SiblingCount);
        let mut short = p.clone();
        short.siblings.pop();
        assert_eq!(Opened::verify(4, &root, &short).unwrap_err(), OpenError::SiblingCount);
        let mut unsorted = p.clone();
        unsorted.leaves.reverse();
        assert_eq!(Opened::verify(4, &root, &unsorted).unwrap_err(), OpenError::BadIndices);
        let mut wide = p.clone();
        wide.leaves[1].0 = 16;
        assert_eq!(Opened::verify(4, &root, &wide).unwrap_err(), OpenError::BadIndices);
    }
}
