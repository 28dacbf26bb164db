//! Merkle trees of the state commitment (see `specs/state.md`).
//!
//! The tree has a fixed depth and covers the whole 32-bit address space in
//! 32-byte leaves, so bytes past the memory's current size are zero leaves
//! and `memory.grow` changes no hash. Execution writes plain bytes; the tree
//! hashes lazily: callers mark written ranges dirty, and [`MemoryTree::root`]
//! rehashes only the dirty 512-byte blocks, then the path from each to the root.
//!
//! The same trees, at other depths, hold the stack, the output streams and
//! data segments; `multi.rs` has fixed-depth trees over any 32-byte leaves
//! and the multiproofs that open them.

use sha2::{Digest, Sha256};

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// Bytes per leaf.
pub const LEAF_BYTES: usize = 32;
/// Depth of the tree: 2^27 leaves of 32 bytes cover 2^32 bytes.
pub const DEPTH: usize = 27;
/// Bytes per page, the unit checkpoints copy and share (`pages.rs`).
pub const PAGE_BYTES: usize = 4096;
/// Bytes per block, the unit of a [`MemoryTree`]'s dirty marks and cached
/// hashes: a root rehashes each block written since the last one.
pub const BLOCK_BYTES: usize = 512;
/// Levels inside a block: 512 / 32 = 2^4 leaves.
const BLOCK_LEVELS: usize = 4;

const LEAF_PREFIX: &[u8] = b"refute leaf:";
const NODE_PREFIX: &[u8] = b"refute node:";

mod cached;
mod multi;
mod upper;
pub(crate) use cached::CachedTree;
pub use multi::{
    Domain, Leaf, Levels, MultiProof, OpenError, Opened, STATE_DOMAIN, fold, fold_in, root_of,
    sibling_heights, siblings_needed,
};
pub(crate) use upper::UpperTree;

#[cfg(test)]
thread_local! {
    /// SHA-256 calls of the state commitment made on this thread, for
    /// tests that bound what a state root costs.
    static HASHES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts one SHA-256 call of the state commitment (in tests only).
#[inline(always)]
pub(crate) fn count_hash() {
    #[cfg(test)]
    HASHES.with(|c| c.set(c.get() + 1));
}

/// The SHA-256 calls [`count_hash`] has counted on this thread.
#[cfg(test)]
pub(crate) fn hashes_counted() -> u64 {
    HASHES.with(|c| c.get())
}

/// Hash of a leaf holding these 32 bytes.
pub fn hash_leaf(bytes: &[u8; LEAF_BYTES]) -> Hash {
    count_hash();
    Sha256::new().chain_update(LEAF_PREFIX).chain_update(bytes).finalize().into()
}

/// Hash of an inner node.
pub fn hash_node(left: &Hash, right: &Hash) -> Hash {
    count_hash();
    Sha256::new().chain_update(NODE_PREFIX).chain_update(left).chain_update(right).finalize().into()
}

/// `zero_hashes()[h]` is the hash of an all-zero subtree of height `h`
/// (height 0 is a leaf).
pub fn zero_hashes() -> [Hash; DEPTH + 1] {
    let mut z = [[0u8; 32]; DEPTH + 1];
    z[0] = hash_leaf(&[0; LEAF_BYTES]);
    for h in 1..=DEPTH {
        z[h] = hash_node(&z[h - 1], &z[h - 1]);
    }
    z
}

/// [`zero_hashes`], computed once per process and shared by every tree.
pub(crate) fn zeros() -> &'static [Hash; DEPTH + 1] {
    static ZEROS: std::sync::OnceLock<[Hash; DEPTH + 1]> = std::sync::OnceLock::new();
    ZEROS.get_or_init(zero_hashes)
}

/// Leaf `i` of a byte vector: bytes `32·i .. 32·i + 32`, zero past the end.
pub fn leaf_at(data: &[u8], i: usize) -> [u8; LEAF_BYTES] {
    let mut leaf = [0u8; LEAF_BYTES];
    let start = i * LEAF_BYTES;
    if start < data.len() {
        let end = (start + LEAF_BYTES).min(data.len());
        leaf[..end - start].copy_from_slice(&data[start..end]);
    }
    leaf
}

/// Whether every byte is zero: 64 bytes at a time without a branch inside,
/// which the compiler vectorises (a page of a fresh table or memory is
/// checked at memory speed).
pub(crate) fn is_zero(bytes: &[u8]) -> bool {
    bytes.chunks(64).all(|c| c.iter().fold(0, |acc, b| acc | b) == 0)
}

/// Hash of the subtree of `height` whose leaves start at byte `start` of
/// `data`; bytes past the end of `data` are zero.
fn subtree(data: &[u8], start: usize, height: usize, zeros: &[Hash; DEPTH + 1]) -> Hash {
    let len = LEAF_BYTES << height;
    if start >= data.len() || is_zero(&data[start..(start + len).min(data.len())]) {
        return zeros[height];
    }
    if height == 0 {
        return hash_leaf(&leaf_at(data, start / LEAF_BYTES));
    }
    let half = len / 2;
    hash_node(&subtree(data, start, height - 1, zeros), &subtree(data, start + half, height - 1, zeros))
}

/// Lazily hashed Merkle tree over a byte vector (a memory, an output
/// stream, a data segment) of fixed depth, [`DEPTH`] unless set otherwise.
#[derive(Clone, Debug)]
pub struct MemoryTree {
    depth: usize,
    zeros: &'static [Hash; DEPTH + 1],
    /// `levels[0]` holds block hashes; `levels[i]` the nodes `i` levels above
    /// the blocks. Only the populated prefix of each level is stored; the
    /// rest are zero subtrees.
    levels: Vec<Vec<Hash>>,
    dirty: Vec<bool>,
    /// Whether any block was marked since the last root (an untouched tree's
    /// root costs no scan of `dirty`).
    marked: bool,
}

impl Default for MemoryTree {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryTree {
    /// A tree over an empty (all-zero) memory.
    pub fn new() -> MemoryTree {
        MemoryTree::with_depth(DEPTH)
    }

    /// A tree of `depth` (from 4, one block, to [`DEPTH`]) over empty bytes.
    pub fn with_depth(depth: usize) -> MemoryTree {
        assert!((BLOCK_LEVELS..=DEPTH).contains(&depth), "tree depth {depth} out of range");
        let top = depth - BLOCK_LEVELS;
        MemoryTree {
            depth,
            zeros: zeros(),
            levels: vec![Vec::new(); top + 1],
            dirty: Vec::new(),
            marked: false,
        }
    }

    /// The depth of the tree.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Records that bytes `start..start + len` may have changed.
    pub fn mark_dirty(&mut self, start: usize, len: usize) {
        if len == 0 {
            return;
        }
        self.marked = true;
        let (first, last) = (start / BLOCK_BYTES, (start + len - 1) / BLOCK_BYTES);
        if self.dirty.len() <= last {
            self.dirty.resize(last + 1, false);
        }
        self.dirty[first..=last].fill(true);
    }

    /// The blocks marked since the last call, unmarking them: block `b`
    /// holds bytes `512·b ..`, and blocks past the end of the vector were
    /// not marked. For a tree used only to track writes (checkpoints copy the
    /// pages a run wrote); on a tree that is hashed, the root would miss them.
    pub(crate) fn take_marks(&mut self) -> Vec<bool> {
        self.marked = false;
        std::mem::take(&mut self.dirty)
    }

    /// [`MemoryTree::take_marks`] by page ([`PAGE_BYTES`]): page `p` is
    /// marked if any of its blocks is.
    pub(crate) fn take_page_marks(&mut self) -> Vec<bool> {
        let blocks = self.take_marks();
        blocks.chunks(PAGE_BYTES / BLOCK_BYTES).map(|c| c.contains(&true)).collect()
    }

    /// The hash of node `index` at `height` above the leaves (for proofs).
    /// Call [`MemoryTree::root`] first so the cached hashes are current.
    pub fn node(&self, data: &[u8], height: usize, index: usize) -> Hash {
        if height >= BLOCK_LEVELS {
            let level = height - BLOCK_LEVELS;
            return self.levels[level].get(index).copied().unwrap_or(self.zeros[height]);
        }
        subtree(data, index * (LEAF_BYTES << height), height, self.zeros)
    }

    /// The root over `data`, rehashing the dirty blocks. `data` must only
    /// differ from the bytes of the previous call in ranges marked dirty.
    pub fn root(&mut self, data: &[u8]) -> Hash {
        let pages = data.len().div_ceil(BLOCK_BYTES);
        if self.levels[0].len() < pages {
            let old = self.levels[0].len();
            self.levels[0].resize(pages, self.zeros[BLOCK_LEVELS]);
            self.mark_dirty(old * BLOCK_BYTES, (pages - old) * BLOCK_BYTES);
        }
        let top = self.depth - BLOCK_LEVELS;
        if !std::mem::take(&mut self.marked) {
            return self.levels[top].first().copied().unwrap_or(self.zeros[self.depth]);
        }
        let mut changed: Vec<usize> = Vec::new();
        for (p, d) in self.dirty.iter_mut().enumerate() {
            if std::mem::take(d) && p < self.levels[0].len() {
                self.levels[0][p] = subtree(data, p * BLOCK_BYTES, BLOCK_LEVELS, self.zeros);
                changed.push(p);
            }
        }
        for level in 1..=top {
            let width = self.levels[level - 1].len().div_ceil(2);
            if self.levels[level].len() < width {
                self.levels[level].resize(width, self.zeros[BLOCK_LEVELS + level]);
            }
            changed.dedup_by_key(|i| *i / 2);
            let zero = self.zeros[BLOCK_LEVELS + level - 1];
            for i in changed.iter_mut() {
                *i /= 2;
                let child = |j: usize| self.levels[level - 1].get(j).copied().unwrap_or(zero);
                let (l, r) = (child(2 * *i), child(2 * *i + 1));
                // Two zero subtrees make a zero subtree: a table grown with
                // nulls or a memory grown with zeros costs no hash.
                self.levels[level][*i] =
                    if l == zero && r == zero { self.zeros[BLOCK_LEVELS + level] } else { hash_node(&l, &r) };
            }
        }
        self.levels[top].first().copied().unwrap_or(self.zeros[self.depth])
    }

    /// The sibling hashes from the leaf holding byte `addr` up to the root
    /// (`depth` of them, leaf level first). Call [`MemoryTree::root`] first
    /// so the cached hashes are current.
    pub fn proof(&self, data: &[u8], addr: u32) -> Vec<Hash> {
        let addr = addr as usize;
        let mut path = Vec::with_capacity(self.depth);
        // Inside the block: siblings computed from the bytes.
        let leaf_start = addr / LEAF_BYTES * LEAF_BYTES;
        for h in 0..BLOCK_LEVELS {
            let size = LEAF_BYTES << h;
            let node_start = leaf_start / size * size;
            let sibling = node_start ^ size;
            path.push(subtree(data, sibling, h, self.zeros));
        }
        // Above the block: siblings from the cache.
        let mut i = addr / BLOCK_BYTES;
        for level in 0..self.depth - BLOCK_LEVELS {
            let s = i ^ 1;
            path.push(self.levels[level].get(s).copied().unwrap_or(self.zeros[BLOCK_LEVELS + level]));
            i /= 2;
        }
        path
    }
}

/// Recomputes the root from a leaf's bytes, its address and its path.
pub fn root_from_path(addr: u32, leaf: &[u8; LEAF_BYTES], path: &[Hash]) -> Option<Hash> {
    if path.len() != DEPTH {
        return None;
    }
    let mut h = hash_leaf(leaf);
    let mut index = addr as usize / LEAF_BYTES;
    for sibling in path {
        h = if index.is_multiple_of(2) { hash_node(&h, sibling) } else { hash_node(sibling, &h) };
        index /= 2;
    }
    Some(h)
}

#[cfg(test)]
mod tests;
