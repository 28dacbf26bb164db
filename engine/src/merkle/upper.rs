//! A state tree over many leaves that never change (the code), keeping only
//! its nodes from height [`CUT`] up: the root at once, and any lower node
//! on demand from the leaves (at most 2^`CUT` leaf hashes). A proof that
//! opens a few leaves of yosys's code (2^21 leaves) then costs well under a
//! millisecond instead of rehashing the whole tree, for 1/128 of the
//! memory the whole tree's hashes would take.

use super::{Hash, Leaf, hash_leaf, hash_node, zeros};

/// The lowest height whose nodes are kept.
const CUT: usize = 8;

/// A state tree of `depth` over `n` fixed leaves (the rest zero), its upper levels hashed.
#[derive(Clone, Debug)]
pub(crate) struct UpperTree {
    depth: usize,
    /// `min(CUT, depth)`: the height of `levels[0]`.
    cut: usize,
    /// Leaves that are not zero padding.
    n: usize,
    /// `levels[k]` holds the populated prefix of the nodes at height `cut + k`.
    levels: Vec<Vec<Hash>>,
}

impl UpperTree {
    /// Hashes the tree of `depth` whose leaf `i < n` is `leaf(i)`.
    pub(crate) fn new(depth: usize, n: usize, leaf: impl Fn(usize) -> Leaf) -> UpperTree {
        assert!(n as u64 <= 1u64 << depth, "{n} leaves at depth {depth}");
        let cut = CUT.min(depth);
        let z = zeros();
        let mut levels =
            vec![(0..n.div_ceil(1 << cut)).map(|i| subtree(cut, i, n, &leaf)).collect::<Vec<_>>()];
        for zero in &z[cut..depth] {
            let below = &levels[levels.len() - 1];
            let next = below.chunks(2).map(|c| hash_node(&c[0], c.get(1).unwrap_or(zero))).collect();
            levels.push(next);
        }
        UpperTree { depth, cut, n, levels }
    }

    /// The root.
    pub(crate) fn root(&self) -> Hash {
        self.node(self.depth, 0, |_| unreachable!("the root is kept"))
    }

    /// Node `i` at height `h` (0: leaves), from the kept levels or, below
    /// them, from `leaf` (the same leaves as at [`UpperTree::new`]).
    pub(crate) fn node(&self, h: usize, i: u64, leaf: impl Fn(usize) -> Leaf) -> Hash {
        if h >= self.cut {
            return self.levels[h - self.cut].get(i as usize).copied().unwrap_or(zeros()[h]);
        }
        subtree(h, i as usize, self.n, &leaf)
    }
}

/// Node `i` at height `h` of a tree whose leaf `j < n` is `leaf(j)`, the rest zero.
fn subtree(h: usize, i: usize, n: usize, leaf: &impl Fn(usize) -> Leaf) -> Hash {
    if i << h >= n {
        return zeros()[h];
    }
    if h == 0 {
        return hash_leaf(&leaf(i));
    }
    hash_node(&subtree(h - 1, 2 * i, n, leaf), &subtree(h - 1, 2 * i + 1, n, leaf))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::Levels;

    #[test]
    fn every_node_is_the_whole_trees_node() {
        for (depth, n) in
            [(0, 0), (0, 1), (3, 5), (8, 0), (8, 256), (10, 1), (10, 300), (12, 1024), (12, 4095)]
        {
            let leaf = |i: usize| {
                let mut l = [0u8; 32];
                l[..8].copy_from_slice(&(i as u64 * 0x9e37_79b9).to_le_bytes());
                l[31] = i.is_multiple_of(7) as u8;
                l
            };
            let leaves: Vec<Leaf> = (0..n).map(leaf).collect();
            let whole = Levels::new(&leaves, depth);
            let upper = UpperTree::new(depth, n, leaf);
            assert_eq!(upper.root(), whole.node(depth, 0), "depth {depth}, {n} leaves");
            for h in 0..=depth {
                let width = (1u64 << (depth - h)).min(n as u64 / (1 << h) + 2);
                for i in 0..width {
                    assert_eq!(
                        upper.node(h, i, leaf),
                        whole.node(h, i),
                        "node {i} at {h}: depth {depth}, {n}"
                    );
                }
            }
        }
    }
}
