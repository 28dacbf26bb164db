//! Consistent proofs of crafted states: every opened leaf random but really
//! in its tree, so a verifier gets as far as running the step. Shared by
//! `engine/tests/proof_fuzz.rs` (the engine never panics on them) and
//! `chain/tests/crafted.rs` (the Solidity verifier agrees with the engine).

use refute_engine::isa::{OP_BYTES, Op};
use refute_engine::merkle::{Leaf, MultiProof};
use refute_engine::proof::{EntryProof, Proof};
use refute_engine::state::{Entry, EntryKind, Header, TreeId, encode_status};
use refute_engine::{Status, merkle};
use std::collections::BTreeMap;

/// A valid instruction from random bytes: the opcode, then as many field
/// bytes as the instruction has.
pub fn op_from(bytes: [u8; OP_BYTES]) -> Op {
    for cut in (1..=OP_BYTES).rev() {
        let mut b = bytes;
        b[cut..].fill(0);
        if let Some(op) = Op::decode(&b) {
            return op;
        }
    }
    Op::Drop
}

/// The hash of node `i` at height `h` of a tree holding only `leaves`.
fn sparse_node(leaves: &BTreeMap<u64, Leaf>, h: usize, i: u64) -> [u8; 32] {
    let (lo, hi) = ((i as u128) << h, ((i as u128) + 1) << h);
    let mut inside = leaves.range(lo.min(u64::MAX as u128) as u64..);
    match inside.next() {
        Some((k, _)) if (*k as u128) < hi => {}
        _ => return merkle::zero_hashes()[h],
    }
    if h == 0 {
        return merkle::hash_leaf(&leaves[&i]);
    }
    merkle::hash_node(&sparse_node(leaves, h - 1, 2 * i), &sparse_node(leaves, h - 1, 2 * i + 1))
}

/// Opens `leaves` (index -> bytes) of a fresh tree: returns its root and the opening.
fn tree(depth: usize, leaves: &BTreeMap<u64, Leaf>) -> ([u8; 32], MultiProof) {
    let root = sparse_node(leaves, depth, 0);
    let proof =
        MultiProof::build(depth, leaves.keys().copied(), |i| leaves[&i], |h, i| sparse_node(leaves, h, i));
    (root, proof)
}

fn leaf(seed: &[u8], k: usize) -> Leaf {
    let mut l = [0u8; 32];
    for (j, b) in l.iter_mut().enumerate() {
        *b = seed[(k * 7 + j) % seed.len()].wrapping_mul(j as u8 + 1);
    }
    l
}

/// A consistent proof of an arbitrary state: every opened leaf is random
/// but really in its tree, so verification gets as far as running the step.
pub fn crafted(op: Op, regs: [u32; 4], seed: &[u8], small: bool) -> Proof {
    let [pc, sp, fp, depth] = regs.map(|r| if small { r % 64 } else { r });
    let mut h = Header {
        status: encode_status(Status::Running),
        steps: seed[0] as u64,
        pc,
        sp,
        fp,
        depth,
        // Host registers from the seed, inconsistent ones included.
        args_count: seed[4 % seed.len()] as u32 % 4,
        args_size: seed[5 % seed.len()] as u32 % 100,
        env_count: seed[6 % seed.len()] as u32 % 3,
        env_size: seed[7 % seed.len()] as u32 % 70,
        stdin_len: seed[8 % seed.len()] as u64 * 3,
        stdin_pos: seed[9 % seed.len()] as u64,
        random_seed: seed[0] as u64,
        random_pos: 0,
        stdout_len: seed[10 % seed.len()] as u64,
        stderr_len: 0,
        fs: refute_engine::fs::FsRegs {
            nodes: seed[11 % seed.len()] as u32 % 4,
            node_free: refute_engine::fs::NONE,
            fds: 3 + seed[12 % seed.len()] as u32 % 4,
            fd_free: refute_engine::fs::NONE,
            bytes: 0,
        },
        roots: [[0; 32]; refute_engine::state::TREES],
    };
    let mut trees = Vec::new();
    let mut open = |id: TreeId, leaves: BTreeMap<u64, Leaf>, h: &mut Header| {
        let (root, p) = tree(id.depth(), &leaves);
        h.roots[id as usize] = root;
        trees.push((id, p));
    };
    let mut code_leaf = leaf(seed, 1);
    let half = (pc % 2) as usize * OP_BYTES;
    code_leaf[half..half + OP_BYTES].copy_from_slice(&op.encode());
    let code = if (pc / 2) < 1 << TreeId::Code.depth() { vec![((pc / 2) as u64, code_leaf)] } else { vec![] };
    open(TreeId::Code, code.into_iter().collect(), &mut h);
    // Functions 0-3: each a leaf and its code root.
    open(TreeId::Funcs, (0..8).map(|i| (i, leaf(seed, 2 + i as usize))).collect(), &mut h);
    open(TreeId::Globals, BTreeMap::from([(0, leaf(seed, 9))]), &mut h);
    // Leaves around slot (or frame) `x`, inside a tree of `depth`.
    let near = |x: u32, w: u64, depth: usize| {
        let c = (x / 4) as u64;
        c.saturating_sub(w)..(c + w + 1).min(1 << depth)
    };
    let sd = TreeId::Stack.depth();
    let stack: BTreeMap<u64, Leaf> =
        near(sp, 2, sd).chain(near(fp, 1, sd)).map(|i| (i, leaf(seed, 10 + i as usize))).collect();
    open(TreeId::Stack, stack, &mut h);
    // Frames around the top one (two leaves per frame).
    let top = 2 * depth.wrapping_sub(1) as u64;
    let frames = (top.saturating_sub(2)..(top + 4).min(1 << TreeId::Frames.depth()))
        .map(|i| (i, leaf(seed, 20 + i as usize)))
        .collect();
    open(TreeId::Frames, frames, &mut h);
    // A few input and output leaves, so host calls get as far as moving bytes.
    open(TreeId::Input, (0..3).map(|i| (i, leaf(seed, 40 + i as usize))).collect(), &mut h);
    let out = (h.stdout_len / 32..h.stdout_len / 32 + 3).map(|i| (i, leaf(seed, 50 + i as usize))).collect();
    open(TreeId::Stdout, out, &mut h);
    // File system records: the first nodes (records and names) and descriptors.
    open(TreeId::Nodes, (0..27).map(|i| (i, leaf(seed, 60 + i as usize))).collect(), &mut h);
    open(TreeId::Fds, (3..7).map(|i| (i, leaf(seed, 90 + i as usize))).collect(), &mut h);
    // One memory and one table, with a few content leaves.
    let mem = Entry { len: seed[1] as u32 % 3, limit: seed[2] as u32 % 5, root: [0; 32] };
    let table = Entry { len: seed[3] as u32 % 20, limit: 30, root: [0; 32] };
    let mut entries = Vec::new();
    for (kind, mut e) in [(EntryKind::Memory, mem), (EntryKind::Table, table)] {
        let content: BTreeMap<u64, Leaf> = (0..3).map(|i| (i * 5, leaf(seed, 30 + i as usize))).collect();
        let (root, p) = tree(kind.depth(), &content);
        e.root = root;
        open(kind.directory(), BTreeMap::from([(0, e.leaf(kind))]), &mut h);
        entries.push(EntryProof { kind, index: 0, entry: e, content: p });
    }
    trees.sort_by_key(|(id, _)| *id);
    Proof { header: h, cold: None, trees, entries }
}
