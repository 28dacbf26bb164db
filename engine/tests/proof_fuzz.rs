//! `verify_step` on hostile input: arbitrary bytes, and proofs that are
//! internally consistent but describe states no machine reaches. It must
//! return a result, never panic or hang.

use proptest::prelude::*;
use refute_engine::isa::OP_BYTES;
use refute_engine::proof::{Proof, verify_step};

#[path = "common/crafted.rs"]
mod crafted;
use crafted::{crafted, op_from};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        if let Ok(p) = Proof::decode(&bytes) {
            let _ = verify_step(&p.pre_root(), &p);
        }
        let mut tagged = refute_engine::proof::PROOF_TAG.to_vec();
        tagged.extend(&bytes);
        if let Ok(p) = Proof::decode(&tagged) {
            let _ = verify_step(&p.pre_root(), &p);
        }
    }

    #[test]
    fn crafted_states_never_panic(
        opb in any::<[u8; OP_BYTES]>(),
        regs in any::<[u32; 4]>(),
        seed in proptest::collection::vec(any::<u8>(), 8..64),
        small in any::<bool>(),
    ) {
        let op = op_from(opb);
        let proof = crafted(op, regs, &seed, small);
        let pre = proof.pre_root();
        let _ = verify_step(&pre, &proof);
        // Its encoding decodes to the same proof and verifies the same way.
        let again = Proof::decode(&proof.encode()).unwrap();
        prop_assert_eq!(verify_step(&pre, &again), verify_step(&pre, &proof));
    }
}

#[test]
fn crafted_proofs_reach_execution() {
    // The crafted states are consistent enough that many steps run to a
    // post-state, so the test above exercises the step code, not only the checks.
    let mut ran = 0;
    for i in 0..=255u8 {
        let mut b = [0u8; OP_BYTES];
        b[0] = i;
        let op = op_from(b);
        let proof = crafted(op, [4, 12, 8, 1], &[3, 1, 2, 5, 7, 11, 13, 17], true);
        if verify_step(&proof.pre_root(), &proof).is_ok() {
            ran += 1;
        }
    }
    assert!(ran > 100, "only {ran} crafted steps executed");
}
