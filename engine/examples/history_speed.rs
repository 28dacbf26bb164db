//! Indicative timings and sizes of history commitments (not a benchmark gate).
//!
//! `cargo run --release -p refute-engine --example history_speed`
//!
//! Prints the median of a few runs for: building a commitment over 2^20 leaves,
//! a multiproof revealing 1023 evenly spaced leaves of 2^20 (the first round of
//! a 2^20-leaf layer with k = 1024), and the same for the default parameters
//! (a 1024-leaf layer revealed whole), plus the worst case for `MAX_REVEALED`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use refute_engine::history::{
    Commitment, DEFAULT_K, DEFAULT_MAX_LEAVES, Layer, MAX_REVEALED, leaf_hash, node_hash, split, verify,
};
use refute_engine::merkle::Hash;

const RUNS: usize = 5;

fn median(mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn roots(n: usize) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(i as u64, &[0x5a; 32])).collect()
}

/// Proves and verifies the leaves at `indices`, and prints sizes and median times.
fn reveal(name: &str, commitment: &Commitment, roots: &[Hash], indices: &[usize]) {
    let layer = commitment.layer();
    let proof = commitment.prove(indices).unwrap();
    let revealed: Vec<(usize, Hash)> = indices.iter().map(|&i| (i, roots[i])).collect();
    let prove = median(|| {
        black_box(commitment.prove(indices).unwrap());
    });
    let check = median(|| verify(&commitment.root(), &layer, &revealed, &proof).unwrap());
    let bytes = proof.to_bytes().len();
    println!(
        "{name}: {} leaves of {}: proof {} hashes = {bytes} bytes (+ {} bytes of state roots), \
         prove {prove:.2?}, verify {check:.2?}",
        indices.len(),
        layer.len(),
        proof.hashes().len(),
        32 * indices.len(),
    );
}

fn main() {
    let start = Instant::now();
    let n = 10_000;
    for i in 0..n {
        black_box(node_hash(&[i as u8; 32], &[0; 32]));
    }
    println!("one node hash: {:.0?}", start.elapsed() / n);

    let big = Layer::new(0, (1 << 20) - 1, 1).unwrap();
    let big_roots = roots(big.len());
    let build = median(|| {
        black_box(Commitment::build(big, &big_roots).unwrap());
    });
    let leaves = median(|| {
        black_box(big.steps().zip(&big_roots).map(|(s, r)| leaf_hash(s, r)).collect::<Vec<_>>());
    });
    println!("build 2^20 leaves: {build:.2?} (of which leaf hashing {leaves:.2?})");
    let c = Commitment::build(big, &big_roots).unwrap();
    let last = big.len() as u64 - 1;
    let first_round: Vec<usize> = split(0, last, 1024).into_iter().map(|i| i as usize).collect();
    reveal("k=1024, first round in 2^20", &c, &big_roots, &first_round);
    let second_round: Vec<usize> =
        split(1024 * 500, 1024 * 501, 1024).into_iter().map(|i| i as usize).collect();
    reveal("k=1024, second round in 2^20", &c, &big_roots, &second_round);
    let spread: Vec<usize> =
        split(0, last, MAX_REVEALED as u64 + 1).into_iter().map(|i| i as usize).collect();
    reveal("MAX_REVEALED spread over 2^20", &c, &big_roots, &spread);

    // Defaults: a layer of DEFAULT_MAX_LEAVES leaves, whose round reveals every interior
    // leaf; the verifier also includes both ends, which it already knows.
    let small = Layer::new(0, DEFAULT_MAX_LEAVES - 1, 1).unwrap();
    let small_roots = roots(small.len());
    let build = median(|| {
        black_box(Commitment::build(small, &small_roots).unwrap());
    });
    println!("build {} leaves: {build:.2?}", small.len());
    let c = Commitment::build(small, &small_roots).unwrap();
    let interior: Vec<usize> =
        split(0, small.len() as u64 - 1, DEFAULT_K).into_iter().map(|i| i as usize).collect();
    reveal("defaults, interior only", &c, &small_roots, &interior);
    let whole: Vec<usize> = (0..small.len()).collect();
    reveal("defaults, with both ends", &c, &small_roots, &whole);
}
