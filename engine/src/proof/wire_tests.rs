//! The zero-sibling bitmap of the wire format (`specs/proof.md` §6): a zero
//! sibling must be a bit, a bit stands for `Z[h]` only, padding bits are
//! clear, and the sibling count is the walk's. Anything else is refused.

use super::{Malformed, Proof, VerifyError, prove_step, verify_step};
use crate::merkle::{sibling_heights, zeros};
use crate::state::{COLD_BYTES, HOT_BYTES, Hasher};
use crate::{Entry, Module, Run, Task};

/// The proof of the first step of a program whose first instruction is a
/// store (stack, code, memory directory and content openings), its encoding
/// and the pre-state root.
fn sample() -> (Proof, Vec<u8>, [u8; 32]) {
    let wat = r#"(module (memory 1) (func (export "main")
        i32.const 4000 i32.const 7 i32.store))"#;
    let module = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
    let mut run = Run::new(&module, &Task::default(), &Entry::Invoke("main".into(), vec![])).unwrap();
    let m = &mut run.machine;
    let mut h = Hasher::new(m);
    // Run to the store, whose operands are on the stack.
    h.run(m, 2);
    let pre = h.root(m);
    let proof = prove_step(m, &mut h).unwrap();
    let bytes = proof.encode();
    assert!(verify_step(&pre, &Proof::decode(&bytes).unwrap()).is_ok());
    (proof, bytes, pre)
}

/// Where tree opening `j`'s sibling count, bitmap and hashes start, and
/// the heights of its siblings.
struct TreeAt {
    count_at: usize,
    bits_at: usize,
    hashes_at: usize,
    heights: Vec<usize>,
}

fn tree_at(p: &Proof, b: &[u8], j: usize) -> TreeAt {
    // Tag, hot part, cold flag, cold part if sent, tree count.
    let mut at = 16 + HOT_BYTES + 1 + if p.cold.is_none() { COLD_BYTES } else { 0 } + 1;
    for (i, (id, m)) in p.trees.iter().enumerate() {
        at += 1;
        let n = u16::from_le_bytes([b[at], b[at + 1]]) as usize;
        assert_eq!(n, m.leaves.len());
        let count_at = at + 2 + 36 * n;
        let indices: Vec<u64> = m.leaves.iter().map(|l| l.0).collect();
        let heights = sibling_heights(id.depth(), &indices);
        let bits_at = count_at + 2;
        let t = TreeAt { count_at, bits_at, hashes_at: bits_at + heights.len().div_ceil(8), heights };
        if i == j {
            return t;
        }
        let sent = (0..t.heights.len()).filter(|&k| !bit(b, &t, k)).count();
        at = t.hashes_at + 32 * sent;
    }
    panic!("no tree {j}")
}

fn bit(b: &[u8], t: &TreeAt, k: usize) -> bool {
    b[t.bits_at + k / 8] >> (k % 8) & 1 == 1
}

#[test]
fn zero_siblings_are_bits_and_shrink_the_proof() {
    let (p, b, _) = sample();
    let t = tree_at(&p, &b, 0);
    let z = zeros();
    let m = &p.trees[0].1;
    let zero = (0..t.heights.len()).filter(|&k| m.siblings[k] == z[t.heights[k]]).count();
    assert!(zero > 0, "a small program's code tree has zero siblings");
    for k in 0..t.heights.len() {
        assert_eq!(bit(&b, &t, k), m.siblings[k] == z[t.heights[k]], "sibling {k}");
    }
    let all: usize = p.trees.iter().map(|t| t.1.siblings.len()).sum::<usize>()
        + p.entries.iter().map(|e| e.content.siblings.len()).sum::<usize>();
    assert!(b.len() < 16 + HOT_BYTES + all * 32 / 2, "{} bytes for {all} siblings", b.len());
}

#[test]
fn a_zero_sibling_sent_as_a_hash_is_refused() {
    let (p, b, _) = sample();
    let t = tree_at(&p, &b, 0);
    let k = (0..t.heights.len()).find(|&k| bit(&b, &t, k)).expect("a zero sibling");
    let before = (0..k).filter(|&j| !bit(&b, &t, j)).count();
    let mut bad = b.clone();
    bad[t.bits_at + k / 8] &= !(1 << (k % 8));
    let at = t.hashes_at + 32 * before;
    bad.splice(at..at, zeros()[t.heights[k]]);
    assert!(matches!(Proof::decode(&bad), Err(VerifyError::Malformed(Malformed::NonCanonical(_)))));
}

#[test]
fn a_bit_for_a_nonzero_sibling_never_verifies() {
    let (p, b, pre) = sample();
    let t = tree_at(&p, &b, 0);
    let k = (0..t.heights.len()).find(|&k| !bit(&b, &t, k)).expect("a non-zero sibling");
    let before = (0..k).filter(|&j| !bit(&b, &t, j)).count();
    let mut bad = b.clone();
    bad[t.bits_at + k / 8] |= 1 << (k % 8);
    let at = t.hashes_at + 32 * before;
    bad.drain(at..at + 32);
    let decoded = Proof::decode(&bad).expect("well-formed");
    assert!(matches!(verify_step(&pre, &decoded), Err(VerifyError::BadOpening { .. })));
}

#[test]
fn padding_bits_and_wrong_sibling_counts_are_refused() {
    let (p, b, _) = sample();
    let j = (0..p.trees.len()).find(|&j| !tree_at(&p, &b, j).heights.len().is_multiple_of(8));
    let t = tree_at(&p, &b, j.expect("an opening with padding bits"));
    let n = t.heights.len();
    let mut bad = b.clone();
    bad[t.bits_at + n / 8] |= 0x80;
    assert!(matches!(Proof::decode(&bad), Err(VerifyError::Malformed(Malformed::NonCanonical(_)))));
    let mut bad = b.clone();
    bad[t.count_at] += 1;
    assert!(matches!(Proof::decode(&bad), Err(VerifyError::Malformed(Malformed::SiblingCount { .. }))));
}
