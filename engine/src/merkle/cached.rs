//! A fixed-depth state tree over a short vector of leaves that change one
//! at a time (the directories, the frames), with every node cached.
//!
//! [`super::MemoryTree`] caches from the 512-byte block up, which suits long
//! byte vectors; a directory leaf is a hash that changes whenever its
//! object does, so here each leaf's hash is kept and a changed leaf costs
//! its path to the root, not the whole vector.

use super::{DEPTH, Hash, Leaf, hash_leaf, hash_node, zeros};

/// A state tree of fixed depth whose leaves are set one by one; its nodes
/// are rehashed, at [`CachedTree::root`], only on the paths of changed leaves.
#[derive(Clone, Debug)]
pub(crate) struct CachedTree {
    depth: usize,
    zeros: &'static [Hash; DEPTH + 1],
    /// `levels[h]` holds the populated prefix of the nodes at height `h`
    /// (0: leaf hashes); the rest are zero subtrees.
    levels: Vec<Vec<Hash>>,
    /// Leaves set since the last root.
    changed: Vec<usize>,
}

impl CachedTree {
    /// A tree of `depth` over zero leaves.
    pub(crate) fn new(depth: usize) -> CachedTree {
        assert!(depth <= DEPTH, "tree depth {depth} out of range");
        CachedTree { depth, zeros: zeros(), levels: vec![Vec::new(); depth + 1], changed: Vec::new() }
    }

    /// The depth of the tree.
    pub(crate) fn depth(&self) -> usize {
        self.depth
    }

    /// Sets leaf `i` to `leaf` (hashing it); a leaf equal to the old one changes nothing.
    pub(crate) fn set(&mut self, i: usize, leaf: &Leaf) {
        let h = if *leaf == [0; 32] { self.zeros[0] } else { hash_leaf(leaf) };
        let hashes = &mut self.levels[0];
        if hashes.len() <= i {
            assert!(i < 1 << self.depth, "leaf {i} outside a tree of depth {}", self.depth);
            hashes.resize(i + 1, self.zeros[0]);
        }
        if hashes[i] != h {
            hashes[i] = h;
            self.changed.push(i);
        }
    }

    /// The root, rehashing the paths of the leaves set since the last call.
    pub(crate) fn root(&mut self) -> Hash {
        let mut changed = std::mem::take(&mut self.changed);
        changed.sort_unstable();
        changed.dedup();
        for h in 1..=self.depth {
            let width = self.levels[h - 1].len().div_ceil(2);
            if self.levels[h].len() < width {
                self.levels[h].resize(width, self.zeros[h]);
            }
            changed.dedup_by_key(|i| *i / 2);
            let zero = self.zeros[h - 1];
            for i in changed.iter_mut() {
                *i /= 2;
                let child = |j: usize| self.levels[h - 1].get(j).copied().unwrap_or(zero);
                let (l, r) = (child(2 * *i), child(2 * *i + 1));
                self.levels[h][*i] = if l == zero && r == zero { self.zeros[h] } else { hash_node(&l, &r) };
            }
        }
        self.changed = changed;
        self.changed.clear();
        self.levels[self.depth].first().copied().unwrap_or(self.zeros[self.depth])
    }

    /// The hash of node `i` at height `h` (0: leaves). Call
    /// [`CachedTree::root`] first so the cached hashes are current.
    pub(crate) fn node(&self, h: usize, i: u64) -> Hash {
        self.levels[h].get(i as usize).copied().unwrap_or(self.zeros[h])
    }
}
