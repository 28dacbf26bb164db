//! The code as one tree per segment (`specs/state.md` §4.1): a segment
//! (a function, or a task's entry sequence) is committed as the code tree
//! with every instruction outside it zero, so a step opens its instruction
//! in a tree of its function's size, at the same leaf index as in the
//! whole code. The header holds the running segment's root; each function
//! leaf and each frame holds the root a call or return switches to.

use std::sync::OnceLock;

use super::layout::{TreeId, code_leaf};
use crate::isa::{OP_BYTES, Op};
use crate::merkle::{Hash, Leaf, UpperTree, hash_leaf, hash_node, zeros};
use crate::store::Store;

/// Leaf `i` of the tree of segment `[start, end)`: ops `2i` and `2i + 1`
/// where they lie in the segment, zero bytes where they do not.
pub(crate) fn segment_leaf(code: &[Op], (start, end): (u32, u32), i: u64) -> Leaf {
    let mut l = code_leaf(code, i as usize);
    for j in 0..2 {
        let pc = 2 * i + j;
        if pc < start as u64 || pc >= end as u64 {
            l[j as usize * OP_BYTES..(j as usize + 1) * OP_BYTES].fill(0);
        }
    }
    l
}

/// The root of segment `[start, end)`'s tree, hashed bottom up over its
/// leaves only (about twice as many hashes as it has leaves).
pub(crate) fn segment_root(code: &[Op], seg: (u32, u32)) -> Hash {
    let z = zeros();
    let depth = TreeId::Code.depth();
    if seg.1 <= seg.0 {
        return z[depth];
    }
    let (mut lo, mut hi) = (seg.0 as u64 / 2, (seg.1 as u64 - 1) / 2);
    let mut level: Vec<Hash> = (lo..=hi).map(|i| hash_leaf(&segment_leaf(code, seg, i))).collect();
    for zh in &z[..depth] {
        let (nlo, nhi) = (lo / 2, hi / 2);
        let at = |j: u64| if j >= lo && j <= hi { level[(j - lo) as usize] } else { *zh };
        level = (nlo..=nhi).map(|j| hash_node(&at(2 * j), &at(2 * j + 1))).collect();
        (lo, hi) = (nlo, nhi);
    }
    level[0]
}

/// Node `i` at height `h` of segment `seg`'s tree: the whole code's node
/// (from `whole`, the code tree's kept levels) where it lies inside the
/// segment, zero where it lies outside, hashed from its children where it
/// straddles an end (at most two such nodes per height).
pub(crate) fn segment_node(whole: &UpperTree, code: &[Op], seg: (u32, u32), h: usize, i: u64) -> Hash {
    let (first, last) = ((i << h) * 2, ((i + 1) << h) * 2); // ops [first, last)
    if last <= seg.0 as u64 || first >= seg.1 as u64 {
        return zeros()[h];
    }
    if first >= seg.0 as u64 && last <= seg.1 as u64 {
        return whole.node(h, i, |j| code_leaf(code, j));
    }
    if h == 0 {
        return hash_leaf(&segment_leaf(code, seg, i));
    }
    hash_node(
        &segment_node(whole, code, seg, h - 1, 2 * i),
        &segment_node(whole, code, seg, h - 1, 2 * i + 1),
    )
}

/// The code's trees: every segment's root, and the whole code's upper
/// levels (for openings), hashed at the first opening: a run's commitment
/// needs only the roots, and the whole tree costs as much hashing again
/// (1.1 s of yosys's 2.3 s).
#[derive(Clone, Debug)]
pub(crate) struct CodeTrees {
    whole: OnceLock<UpperTree>,
    /// The roots of the store's segments, in `code_starts` order.
    roots: Vec<Hash>,
}

/// Runs two pieces of work, perhaps at once: the engine has no threads of
/// its own, so a caller that has some lends them here (hashing a large
/// module's code, [`crate::state::Hasher::new_with`]). Either way the
/// results are the same.
pub trait Join: Sync {
    /// Runs `a` and `b`; returns both results.
    fn join<A: Send, B: Send>(&self, a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B);
}

/// [`Join`] one after the other, on the caller's thread.
#[derive(Clone, Copy, Debug, Default)]
pub struct InTurn;

impl Join for InTurn {
    fn join<A: Send, B: Send>(&self, a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
        (a(), b())
    }
}

impl CodeTrees {
    /// Hashes the code of `s`, which must not change any more: the
    /// segments in two halves of the code, joined by `j`.
    pub(crate) fn new(s: &Store, j: &impl Join) -> CodeTrees {
        let starts = &s.code_starts;
        let half = starts.partition_point(|&start| (start as usize) < s.code.len() / 2);
        let roots_of = |part: &[u32]| -> Vec<Hash> {
            part.iter().map(|&start| segment_root(&s.code, s.segment(start))).collect()
        };
        let (mut roots, rest) = j.join(|| roots_of(&starts[..half]), || roots_of(&starts[half..]));
        roots.extend(rest);
        // A call returns to the instruction after it, in its own segment
        // (frames and headers find the running code by that instruction).
        debug_assert!(s.code_starts.iter().skip(1).chain([&(s.code.len() as u32)]).all(|&end| {
            !matches!(
                s.code.get((end as usize).wrapping_sub(1)),
                Some(Op::Call { .. } | Op::CallIndirect { .. })
            )
        }));
        CodeTrees { whole: OnceLock::new(), roots }
    }

    /// The whole code's tree (its upper levels) of `s`, the store these
    /// trees were built from; hashed at the first call.
    pub(crate) fn whole(&self, s: &Store) -> &UpperTree {
        self.whole.get_or_init(|| {
            UpperTree::new(TreeId::Code.depth(), s.code.len().div_ceil(2), |i| code_leaf(&s.code, i))
        })
    }

    /// The root of the segment holding instruction `pc` of `s`, the store
    /// these trees were built from (its roots are in `s.code_starts` order).
    pub(crate) fn root_at(&self, s: &Store, pc: u32) -> Hash {
        let seg = s.segment(pc);
        match s.code_starts.binary_search(&seg.0) {
            Ok(k) => self.roots[k],
            // Code before the first segment (no machine runs there).
            Err(_) => segment_root(&s.code, seg),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::Levels;

    #[test]
    fn segment_nodes_are_the_masked_codes_nodes() {
        let code: Vec<Op> = (0..301).map(|k| Op::I32Const { value: k * 7 + 1 }).collect();
        let whole = UpperTree::new(TreeId::Code.depth(), code.len().div_ceil(2), |i| code_leaf(&code, i));
        for seg in [(0, 301), (0, 1), (1, 2), (3, 260), (256, 301), (5, 5), (17, 18), (100, 301)] {
            let masked: Vec<Op> = (0..code.len() as u32)
                .map(|pc| if pc >= seg.0 && pc < seg.1 { code[pc as usize] } else { Op::Unreachable })
                .collect();
            let leaves: Vec<Leaf> = (0..masked.len().div_ceil(2)).map(|i| code_leaf(&masked, i)).collect();
            let lv = Levels::new(&leaves, TreeId::Code.depth());
            assert_eq!(segment_root(&code, seg), lv.node(TreeId::Code.depth(), 0), "{seg:?}");
            for h in 0..=10 {
                for i in 0..(leaves.len() as u64 >> h) + 2 {
                    assert_eq!(segment_node(&whole, &code, seg, h, i), lv.node(h, i), "{seg:?} {h} {i}");
                }
            }
        }
    }
}
