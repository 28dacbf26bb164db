//! The Solidity verifier against `verify_step` on crafted states: proofs
//! that are internally consistent but describe states no machine reaches
//! (random registers, stack, globals, frames, functions, memory and table
//! contents, host registers and trees), of every kind of instruction with
//! random fields. The same verdict and post root always, so the contract
//! computes what the engine computes on arbitrary operands, not only on the
//! values real programs produce. The generator is engine/tests/common/crafted.rs,
//! which engine/tests/proof_fuzz.rs uses too.

#[path = "common/rng.rs"]
mod rng;

use proptest::prelude::*;
use refute_chain::evm::{Evm, Outcome};
use refute_chain::on_chain;
use refute_engine::isa::OP_BYTES;
use refute_engine::proof::{Proof, verify_step};
use rng::Rng;

#[path = "../../engine/tests/common/crafted.rs"]
mod crafted;
use crafted::{crafted, op_from};

fn check(evm: &mut Evm, proof: &Proof) -> Result<(), TestCaseError> {
    let pre = proof.pre_root();
    let bytes = proof.encode();
    let engine = verify_step(&pre, proof).map(|v| v.post).ok();
    let v = evm.verify_step(&pre, &bytes).unwrap();
    match (&v.outcome, engine) {
        (Outcome::Accepted(post), Some(root)) => prop_assert_eq!(post.0, root),
        (Outcome::Refused(_), None) => {}
        (Outcome::Unsupported(c), _) => {
            prop_assert!(!on_chain(*c), "{:#x} is on chain, yet unsupported", c);
        }
        (o, e) => prop_assert!(false, "the contract says {:?}, the engine {:?}", o, e.is_some()),
    }
    Ok(())
}

thread_local! {
    static EVM: std::cell::RefCell<Evm> = std::cell::RefCell::new(Evm::new().unwrap());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("REFUTE_CRAFTED_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1500)
    ))]

    #[test]
    fn crafted_states_get_the_engines_verdict_on_chain(
        opb in any::<[u8; OP_BYTES]>(),
        regs in any::<[u32; 4]>(),
        seed in proptest::collection::vec(any::<u8>(), 8..64),
        small in any::<bool>(),
    ) {
        let proof = crafted(op_from(opb), regs, &seed, small);
        EVM.with(|e| check(&mut e.borrow_mut(), &proof))?;
    }
}

/// Every opcode once, on a small crafted state: most of them run to a
/// post-state, and the contract agrees on each.
#[test]
fn every_opcode_on_a_crafted_state() {
    let mut evm = Evm::new().unwrap();
    let (mut ran, mut total) = (0, 0);
    for info in refute_engine::isa::OP_TABLE {
        for fill in [0u8, 1, 0x80, 0xff] {
            let mut b = [fill; OP_BYTES];
            b[..2].copy_from_slice(&info.code.to_le_bytes());
            let op = op_from(b);
            let proof = crafted(op, [4, 12, 8, 1], &[3, 1, 2, 5, 7, 11, 13, 17, fill], true);
            check(&mut evm, &proof).unwrap_or_else(|e| panic!("{op:?}: {e}"));
            total += 1;
            if verify_step(&proof.pre_root(), &proof).is_ok() {
                ran += 1;
            }
        }
    }
    eprintln!("{ran} of {total} crafted steps ran to a post-state, all agreed on chain");
    assert!(ran > 400, "{ran} of {total}");
}

/// Opens `leaves` of a fresh tree of `depth`: its root and the opening.
fn open_tree(
    depth: usize,
    leaves: &std::collections::BTreeMap<u64, [u8; 32]>,
) -> ([u8; 32], refute_engine::merkle::MultiProof) {
    use refute_engine::merkle::{MultiProof, hash_leaf, hash_node, zero_hashes};
    fn node(leaves: &std::collections::BTreeMap<u64, [u8; 32]>, h: usize, i: u64) -> [u8; 32] {
        let (lo, hi) = ((i as u128) << h, ((i as u128) + 1) << h);
        match leaves.range(lo.min(u64::MAX as u128) as u64..).next() {
            Some((k, _)) if (*k as u128) < hi => {}
            _ => return zero_hashes()[h],
        }
        if h == 0 {
            return hash_leaf(&leaves[&i]);
        }
        hash_node(&node(leaves, h - 1, 2 * i), &node(leaves, h - 1, 2 * i + 1))
    }
    let root = node(leaves, depth, 0);
    (root, MultiProof::build(depth, leaves.keys().copied(), |i| leaves[&i], |h, i| node(leaves, h, i)))
}

/// A consistent proof of a step that calls WASI function `w` (nine argument
/// slots) over a crafted file system: a few nodes with short names from a
/// tiny alphabet, kinds, parents, counts and flags that no machine reaches
/// among plausible ones, descriptors 3 to 7, files with content, guest
/// memory holding paths made of the same names, and arguments that are
/// small, in memory, huge, or carry progress in their high halves.
fn crafted_fs_call(w: refute_engine::wasi::Wasi, r: &mut Rng) -> Proof {
    use refute_engine::fs::{FD_BYTES, Fd, FsRegs, NODE_BYTES, NONE, Node};
    use refute_engine::proof::EntryProof;
    use refute_engine::state::{Entry, EntryKind, Header, TreeId, encode_status};
    use std::collections::BTreeMap;
    let nodes = 1 + r.below(6) as u32;
    let names: [&[u8]; 6] = [b"a", b"b", b"ab", b".", b"..", b"a\xff"];
    let mut node_leaves = BTreeMap::new();
    for n in 0..nodes + 1 {
        let name = r.pick(&names);
        let node = Node {
            kind: r.pick(&[0, 1, 1, 2, 2, 2, 3]),
            orphan: r.below(6) == 0,
            name_len: if r.below(8) == 0 { r.below(40) as u16 } else { name.len() as u16 },
            parent: r.pick(&[0, 0, 1, 2, NONE, n, 7, 0x1_0000]),
            children: r.pick(&[0, 0, 1, 2, u32::MAX]),
            opens: r.pick(&[0, 0, 1, 2, u32::MAX]),
        };
        let mut name_leaf = [0u8; 32];
        name_leaf[..name.len()].copy_from_slice(name);
        let at = n as u64 * NODE_BYTES / 32;
        node_leaves.insert(at, node.encode());
        if r.below(8) != 0 {
            node_leaves.insert(at + 1, name_leaf);
        }
    }
    let mut fd_leaves = BTreeMap::new();
    for fd in 3..8u64 {
        let f = Fd {
            kind: r.pick(&[0, 1, 1, 2, 2, 3]),
            preopen: r.below(3) == 0,
            flags: r.pick(&[0, 1, 0x1f, 0xffff]),
            node: r.pick(&[0, 1, 2, 3, nodes, NONE]),
            offset: r.pick(&[0, 0, 3, 40, 1 << 40, u64::MAX, i64::MAX as u64]),
            access: r.pick(&[0, 1, 2, 3, 3]),
        };
        if r.below(10) != 0 {
            fd_leaves.insert(fd * FD_BYTES / 32, f.encode());
        }
    }
    // Files: an entry for most nodes, with a few content leaves.
    let (mut files_dir, mut entries) = (BTreeMap::new(), Vec::new());
    for n in 0..nodes + 1 {
        if r.below(6) == 0 {
            continue;
        }
        let len = r.pick(&[0, 0, 5, 40, 100, 200]);
        let mut content = BTreeMap::new();
        for i in 0..=(len / 32).min(8) {
            let mut l = [0u8; 32];
            for (j, b) in l.iter_mut().enumerate() {
                if (i * 32 + j as u32) < len {
                    *b = r.next() as u8;
                }
            }
            content.insert(i as u64, l);
        }
        if r.below(5) == 0 {
            content.insert(9, [0; 32]);
        }
        let (root, p) = open_tree(EntryKind::File.depth(), &content);
        let e = Entry { len, limit: 0, root };
        files_dir.insert(n as u64, e.leaf(EntryKind::File));
        entries.push(EntryProof { kind: EntryKind::File, index: n, entry: e, content: p });
    }
    // Guest memory: one page; paths from the names, iovecs, and the rest random.
    let mut mem = vec![0u8; 512];
    for b in mem.iter_mut() {
        *b = r.pick(&[b'a', b'b', b'/', b'.', 0, 3, 9, 200]);
    }
    let path: Vec<u8> = (0..8).flat_map(|_| [r.pick(&names), b"/"].concat()).collect();
    mem[..path.len().min(64)].copy_from_slice(&path[..path.len().min(64)]);
    for k in 0..4 {
        // iovecs at 256: (pointer, length) pairs
        let at = 256 + 8 * k;
        mem[at..at + 4].copy_from_slice(&(r.below(300) as u32).to_le_bytes());
        mem[at + 4..at + 8].copy_from_slice(&(r.pick(&[0u32, 3, 40, 70, 100000])).to_le_bytes());
    }
    let mem_leaves: BTreeMap<u64, [u8; 32]> =
        (0..16).map(|i| (i as u64, mem[32 * i..32 * i + 32].try_into().unwrap())).collect();
    let (mem_root, mem_proof) = open_tree(EntryKind::Memory.depth(), &mem_leaves);
    let memory = Entry { len: 1, limit: 1, root: mem_root };
    entries.insert(0, EntryProof { kind: EntryKind::Memory, index: 0, entry: memory, content: mem_proof });

    // The stack: nine argument slots under `sp`, the call at pc 0 of function 0.
    let sp = 16u32;
    let mut slots = [0u64; 16];
    for (k, s) in slots.iter_mut().enumerate().skip(7) {
        // Descriptors in the table, mostly, where a call takes one (slots 0 and 3).
        let fd = (k == 7 && r.below(5) != 0) || (k == 10 && r.below(2) == 0);
        let lo = if fd {
            r.pick(&[3, 4, 5, 6, 7])
        } else {
            r.pick(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 64, 256, 300, 1 << 16, u32::MAX as u64])
        };
        let hi = if r.below(3) == 0 {
            r.pick(&[0, 1, 2, 3, 1 << 31, 0x8000_0001, 0x0001_0000, u32::MAX as u64])
        } else {
            0
        };
        *s = lo | hi << 32;
    }
    let stack: BTreeMap<u64, [u8; 32]> = (0..4)
        .map(|i| {
            let mut l = [0u8; 32];
            for j in 0..4 {
                l[8 * j..8 * j + 8].copy_from_slice(&slots[4 * i + j].to_le_bytes());
            }
            (i as u64, l)
        })
        .collect();
    let mut code = [0u8; 32];
    code[..OP_BYTES].copy_from_slice(&refute_engine::isa::Op::Call { func: 0 }.encode());
    let mut func = [0u8; 32];
    for (j, v) in [0u32, 1, 1 + w as u32, 9, 0, 0].iter().enumerate() {
        func[4 * j..4 * j + 4].copy_from_slice(&v.to_le_bytes());
    }
    let fs = FsRegs {
        nodes: r.pick(&[nodes, nodes, nodes + 1, 0, refute_engine::fs::MAX_NODES]),
        node_free: r.pick(&[NONE, NONE, 0, 1, nodes]),
        fds: r.pick(&[8, 8, 5, 3, refute_engine::fs::MAX_FDS]),
        fd_free: r.pick(&[NONE, NONE, 3, 4, 7]),
        bytes: r.pick(&[0, 345, refute_engine::fs::MAX_FS_BYTES - 10, u64::MAX]),
    };
    let status = encode_status(refute_engine::Status::Running);
    let mut h = Header::new(status, r.below(1000), [0, sp, sp, 1], [[0; 32]; refute_engine::state::TREES]);
    h.fs = fs;
    let mut trees = Vec::new();
    let mems = BTreeMap::from([(0, memory.leaf(EntryKind::Memory))]);
    for (id, leaves) in [
        (TreeId::Code, BTreeMap::from([(0, code)])),
        (TreeId::Funcs, BTreeMap::from([(0, func)])),
        (TreeId::Memories, mems),
        (TreeId::Stack, stack),
        (TreeId::Nodes, node_leaves),
        (TreeId::Fds, fd_leaves),
        (TreeId::Files, files_dir),
    ] {
        let (root, p) = open_tree(id.depth(), &leaves);
        h.roots[id as usize] = root;
        trees.push((id, p));
    }
    Proof { header: h, cold: None, trees, entries }
}

/// Every WASI function over crafted file system states (`REFUTE_CRAFTED_FS_CASES`
/// per function, default 100): the contract's verdict and post root are the
/// engine's, whatever the records say; errors, `Missing` and progress
/// included.
#[test]
fn crafted_file_system_calls_get_the_engines_verdict_on_chain() {
    let cases = std::env::var("REFUTE_CRAFTED_FS_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    let mut evm = Evm::new().unwrap();
    let mut r = Rng(std::env::var("REFUTE_CRAFTED_FS_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(17));
    let (mut ran, mut total) = (0, 0);
    for w in refute_engine::wasi::Wasi::ALL {
        for case in 0..cases {
            let proof = crafted_fs_call(w, &mut r);
            check(&mut evm, &proof).unwrap_or_else(|e| panic!("{w:?} case {case}: {e}"));
            total += 1;
            if verify_step(&proof.pre_root(), &proof).is_ok() {
                ran += 1;
            }
        }
    }
    eprintln!("{ran} of {total} crafted file system calls ran to a post-state, all agreed on chain");
    assert!(ran * 4 > total, "{ran} of {total}");
}
