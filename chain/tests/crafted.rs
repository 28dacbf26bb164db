//! The Solidity verifier against `verify_step` on crafted states: proofs
//! that are internally consistent but describe states no machine reaches
//! (random registers, stack, globals, frames, functions, memory and table
//! contents, host registers and trees), of every kind of instruction with
//! random fields. The same verdict and post root always, so the contract
//! computes what the engine computes on arbitrary operands, not only on the
//! values real programs produce. The generator is engine/tests/common/crafted.rs,
//! which engine/tests/proof_fuzz.rs uses too.

use proptest::prelude::*;
use refute_chain::evm::{Evm, Outcome};
use refute_chain::on_chain;
use refute_engine::isa::OP_BYTES;
use refute_engine::proof::{Proof, verify_step};

#[path = "../../engine/tests/common/crafted.rs"]
mod crafted;
use crafted::{crafted, op_from};

fn check(evm: &mut Evm, proof: &Proof) -> Result<(), TestCaseError> {
    let pre = proof.header.root();
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
            if verify_step(&proof.header.root(), &proof).is_ok() {
                ran += 1;
            }
        }
    }
    eprintln!("{ran} of {total} crafted steps ran to a post-state, all agreed on chain");
    assert!(ran > 400, "{ran} of {total}");
}
