//! The referee's history library (`contracts/src/History.sol`, behind
//! `HistoryProbe`) held to `refute_engine::history`: the multiproof walk a
//! reveal is checked with, `split`, the layer policy's strides and layer
//! lengths, on random layers, random revealed sets and mutated proofs. A
//! walk that accepted what the engine refuses would let a player reveal
//! roots it never committed to.

#[path = "common/rng.rs"]
mod rng;

use alloy_primitives::{Address, B256};
use alloy_sol_types::{SolCall, sol};
use refute_chain::evm::Evm;
use refute_engine::history::{Commitment, Layer, layer_strides, split, verify};
use rng::Rng;

sol! {
    interface IHistoryProbe {
        function verify(bytes32 root, uint64 start, uint64 end, uint64 stride, uint256[] idx, bytes32[] roots, bytes32[] sibs) external view returns (bool);
        function split(uint64 a, uint64 b, uint64 k) external pure returns (uint64[] memory);
        function strideAt(uint64 total, uint64 maxLeaves, uint256 j) external pure returns (uint64);
        function len(uint64 start, uint64 end, uint64 stride) external pure returns (uint256);
    }
}

fn probe() -> (Evm, Address) {
    let mut evm = Evm::new().expect("the contracts are built (bash contracts/build.sh)");
    let at = evm.deploy_contract("HistoryProbe", &[]).expect("HistoryProbe deploys");
    (evm, at)
}

fn call<C: SolCall>(evm: &mut Evm, at: Address, c: C) -> C::Return {
    let out = evm.view(at, c.abi_encode()).expect("the probe answers");
    C::abi_decode_returns(&out).expect("decodes")
}

/// Cases per run: `REFUTE_HISTORY_CASES` (default 300).
fn cases() -> u64 {
    std::env::var("REFUTE_HISTORY_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(300)
}

#[test]
fn the_multiproof_walk_accepts_and_refuses_as_the_engine_does() {
    let (mut evm, at) = probe();
    let mut rng = Rng(0x5eed);
    let (mut accepted, mut refused) = (0, 0);
    for case in 0..cases() {
        let n = 2 + rng.below(300);
        let stride = 1 + rng.below(1000);
        let start = rng.below(1 << 40);
        let end = start + (n - 2) * stride + 1 + rng.below(stride);
        let layer = Layer::new(start, end, stride).unwrap();
        let len = layer.len();
        let roots: Vec<[u8; 32]> = (0..len)
            .map(|_| {
                let mut r = [0u8; 32];
                for c in r.chunks_mut(8) {
                    c.copy_from_slice(&rng.next().to_le_bytes());
                }
                r
            })
            .collect();
        let c = Commitment::build(layer, &roots).unwrap();
        // A sorted, distinct revealed set: sometimes dense, sometimes a few leaves.
        let p = 1 + rng.below(4);
        let mut idx: Vec<usize> = (0..len).filter(|_| rng.below(p) == 0).collect();
        if idx.is_empty() {
            idx.push(rng.below(len as u64) as usize);
        }
        let proof = c.prove(&idx).unwrap();
        let mut revealed: Vec<(usize, [u8; 32])> = idx.iter().map(|&i| (i, roots[i])).collect();
        let mut sibs: Vec<[u8; 32]> = proof.hashes().to_vec();
        let mut root = c.root();
        // Every other case is mutated: a root, a sibling, the count, or the commitment.
        if case % 2 == 1 {
            match rng.below(5) {
                0 => {
                    let (i, j) = (rng.below(revealed.len() as u64) as usize, rng.below(32) as usize);
                    revealed[i].1[j] ^= 1;
                }
                1 if !sibs.is_empty() => {
                    let i = rng.below(sibs.len() as u64) as usize;
                    sibs[i][rng.below(32) as usize] ^= 0x80;
                }
                2 if !sibs.is_empty() => {
                    sibs.pop();
                }
                3 => sibs.push([7; 32]),
                _ => root[0] ^= 1,
            }
        }
        let mut bytes = (sibs.len() as u32).to_le_bytes().to_vec();
        for s in &sibs {
            bytes.extend_from_slice(s);
        }
        let rust_proof = refute_engine::history::MultiProof::from_bytes(&bytes).unwrap();
        let rust = verify(&root, &layer, &revealed, &rust_proof).is_ok();
        let chain = call(
            &mut evm,
            at,
            IHistoryProbe::verifyCall {
                root: B256::from(root),
                start,
                end,
                stride,
                idx: revealed.iter().map(|r| alloy_primitives::U256::from(r.0)).collect(),
                roots: revealed.iter().map(|r| B256::from(r.1)).collect(),
                sibs: sibs.iter().map(|s| B256::from(*s)).collect(),
            },
        );
        assert_eq!(
            chain,
            rust,
            "case {case}: layer ({start}, {end}, {stride}), {} revealed, {} siblings",
            revealed.len(),
            sibs.len()
        );
        if rust {
            accepted += 1
        } else {
            refused += 1
        }
        assert_eq!(
            call(&mut evm, at, IHistoryProbe::lenCall { start, end, stride }),
            alloy_primitives::U256::from(len)
        );
    }
    println!("{accepted} accepted and {refused} refused alike");
    assert!(accepted > 0 && refused > 0);
}

#[test]
fn split_and_the_layer_policy_are_the_engines() {
    let (mut evm, at) = probe();
    let mut rng = Rng(0xd15c);
    for _ in 0..cases() {
        let a = rng.below(1 << 50);
        let span = if rng.below(2) == 0 { 40 } else { 1 << 40 };
        let b = a + 1 + rng.below(span);
        let k = 2 + rng.below(2046);
        let got = call(&mut evm, at, IHistoryProbe::splitCall { a, b, k });
        assert_eq!(got, split(a, b, k), "split({a}, {b}, {k})");
        let span = if rng.below(2) == 0 { 1000 } else { 1 << 40 };
        let total = 1 + rng.below(span);
        let max_leaves = 3 + rng.below(1 << 10);
        let strides = layer_strides(total, max_leaves);
        for (j, s) in strides.iter().enumerate() {
            let got = call(
                &mut evm,
                at,
                IHistoryProbe::strideAtCall {
                    total,
                    maxLeaves: max_leaves,
                    j: alloy_primitives::U256::from(j),
                },
            );
            assert_eq!(got, *s, "stride {j} of {total} steps over {max_leaves} leaves");
        }
    }
}
