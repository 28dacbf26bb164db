//! State trees did not change when history trees moved onto `merkle::multi`:
//! the roots, openings and step proofs below were computed by the code before
//! that change (commit eb90450), and must stay byte-identical, because the
//! golden vectors in `traces/vectors/` depend on them. The state roots and
//! step proofs were pinned again for state v2 (`SEMANTICS_VERSION` 3: the
//! file system's registers and trees in the header, proof v2), and again for
//! state v3 (`SEMANTICS_VERSION` 4: the code tree at depth 24, the input
//! tree at 23, a file's tree at 23), and for state v4 (`SEMANTICS_VERSION`
//! 6: register forms, two-byte opcodes). The step proofs were pinned again for
//! proof v4 (`SEMANTICS_VERSION` 7: its tag, and a `Return` whose results are
//! in place opens none); the state roots did not change. Both were pinned
//! again for state v5 and proof v5 (`SEMANTICS_VERSION` 10: the header's hot
//! and cold parts, one code tree per function, frames and functions with
//! their code roots).

use refute_engine::merkle::{Leaf, Levels, MultiProof, Opened, root_of, zero_hashes};
use refute_engine::proof::{hex, prove_step, verify_step};
use refute_engine::state::Hasher;
use refute_engine::{Entry, Module, Run, Task, Value};
use sha2::{Digest, Sha256};

fn leaves(n: usize, seed: u8) -> Vec<Leaf> {
    (0..n).map(|i| [seed.wrapping_add(i as u8).wrapping_mul(37); 32]).collect()
}

/// The root of `n` leaves at `depth`, and the digest of the opening of `picks`.
fn tree(n: usize, depth: usize, seed: u8, picks: &[u64]) -> (String, String) {
    let leaves = leaves(n, seed);
    let root = root_of(&leaves, depth);
    let levels = Levels::new(&leaves, depth);
    let leaf = |i: u64| leaves.get(i as usize).copied().unwrap_or([0; 32]);
    let proof = MultiProof::build(depth, picks.iter().copied(), leaf, |h, i| levels.node(h, i));
    let opened = Opened::verify(depth, &root, &proof).unwrap();
    assert_eq!(opened.root(&root), root);
    let mut digest = Sha256::new();
    for (i, l) in &proof.leaves {
        digest.update(i.to_le_bytes());
        digest.update(l);
    }
    for s in &proof.siblings {
        digest.update(s);
    }
    (hex(&root), hex(&digest.finalize().into()))
}

#[test]
fn fixed_depth_trees_are_unchanged() {
    assert_eq!(hex(&zero_hashes()[27]), ZERO_27);
    let got = [
        tree(1, 0, 1, &[0]),
        tree(3, 4, 2, &[0, 2]),
        tree(40, 8, 3, &[1, 7, 39, 200]),
        tree(64, 6, 4, &[0, 63]),
    ];
    let got: Vec<(&str, &str)> = got.iter().map(|(r, d)| (r.as_str(), d.as_str())).collect();
    assert_eq!(got, TREES);
}

const ZERO_27: &str = "5ac15df824e2c314650f945539b881e98b508dfbd0b880ec269ea73b92fb771c";
const TREES: [(&str, &str); 4] = [
    (
        "bb6d7611c4828260184d35b7adf60a0364420a8f9d400cfc5cab755bd00588f2",
        "6d27c6c68968c716aed24015d41c25c5b639a4d4549c1255e0e0ddb85b408af6",
    ),
    (
        "338553474cbf794eedb5c85c93000a9f4fab28173169119bcd750e72a426e435",
        "ba870b876862f1eb88e29b74deb7ec724caa80ccecab633167afd54251b562e3",
    ),
    (
        "a8ce69400488f90c9bdfecf0671b6006f9d802c45c1518e41ebf417df7a6cafa",
        "c893c51b660432e0a173640bea90e2aa46086bd7af4c7f2c07b1652c1518de8a",
    ),
    (
        "1e4a229fc1f4e711f1ec6d823314917e7d81256e77822b187cdbc771342e0ff1",
        "5c69b16acf242426adde4bc6686c8f94a1ea8c597c0da9e103d98eca45ebc7d2",
    ),
];

const PROGRAM: &str = r#"
(module
  (memory 1)
  (global $g (mut i32) (i32.const 3))
  (func (export "main") (param $n i32) (result i32) (local $i i32)
    loop $l
      local.get $i i32.const 4 i32.mul local.get $i i32.store
      global.get $g local.get $i i32.add global.set $g
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_u br_if $l
    end
    global.get $g))
"#;

#[test]
fn state_roots_and_step_proofs_are_unchanged() {
    let module = Module::new(&wat::parse_str(PROGRAM).unwrap()).unwrap();
    let task = Task { max_steps: 10_000, ..Task::default() };
    let mut run = Run::new(&module, &task, &Entry::Invoke("main".into(), vec![Value::I32(9)])).unwrap();
    let m = &mut run.machine;
    let mut h = Hasher::new(m);
    let mut roots = Vec::new();
    let mut proofs = Sha256::new();
    for step in [0, 1, 7, 30, 64] {
        h.run(m, step);
        let pre = h.root(m);
        let proof = prove_step(m, &mut h).unwrap();
        assert!(verify_step(&pre, &proof).is_ok());
        proofs.update(proof.encode());
        roots.push(hex(&pre));
    }
    let digest = hex(&proofs.finalize().into());
    assert_eq!(roots, STATE_ROOTS);
    assert_eq!(digest, STEP_PROOFS);
}

const STATE_ROOTS: [&str; 5] = [
    "7380e321889cc262cc51aef8cfa3543f8c43166e28a51e3e42470ed86673a276",
    "f339aa62ffe5ad7c97d733d671763653b290e204df32e54e0754bd138c9daf0a",
    "5fd86638f20e77063d79f9d13b586a7f7df7f869ab26759b63b8070ce761f75c",
    "6207ad88171df78a8c25170a53002d87fb82a45b0191bd77a25dfd627577d763",
    "9bdc41a85320a14a3a82191b07bd5ed7828abc3d7b124243a9a5e0b742db17ec",
];
const STEP_PROOFS: &str = "b0c326fc727c18f83304c3f86f53a87b30bb844ed8cc9e36510751af5f498613";
