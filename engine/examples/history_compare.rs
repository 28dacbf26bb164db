//! Temporary: the rs_merkle history tree (v1) and the fixed-depth `merkle::multi` one (v2)
//! side by side, for `specs/commitments.md`.
//!
//! `cargo run --release -p refute-engine --example history_compare`

use std::hint::black_box;
use std::time::{Duration, Instant};

use refute_engine::history::{self, Layer, MAX_PROOF_HASHES, MAX_REVEALED, split, v2};
use refute_engine::merkle::Hash;

/// Median over 7 batches of the time of one call, each batch at least about 20 ms.
fn time(mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    f();
    let once = start.elapsed().max(Duration::from_nanos(100));
    let reps = (Duration::from_millis(20).as_nanos() / once.as_nanos()).clamp(1, 100_000) as u32;
    let mut times: Vec<Duration> = (0..7)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..reps {
                f();
            }
            start.elapsed() / reps
        })
        .collect();
    times.sort();
    times[3]
}

fn roots(n: usize) -> Vec<Hash> {
    (0..n).map(|i| history::leaf_hash(i as u64, &[0x5a; 32])).collect()
}

struct Both {
    layer: Layer,
    roots: Vec<Hash>,
    v1: history::Commitment,
    v2: v2::Commitment,
}

impl Both {
    fn new(n: usize) -> Both {
        let layer = Layer::new(0, n as u64 - 1, 1).unwrap();
        let roots = roots(n);
        let v1 = history::Commitment::build(layer, &roots).unwrap();
        let v2 = v2::Commitment::build(layer, &roots).unwrap();
        Both { layer, roots, v1, v2 }
    }

    /// Proof hashes, encoded bytes and verification time of both designs.
    fn reveal(&self, indices: &[usize]) -> [(usize, usize, Duration); 2] {
        let revealed: Vec<(usize, Hash)> = indices.iter().map(|&i| (i, self.roots[i])).collect();
        let p1 = self.v1.prove(indices).unwrap();
        let p2 = self.v2.prove(indices).unwrap();
        let (r1, r2) = (self.v1.root(), self.v2.root());
        let l = self.layer;
        let t1 = time(|| history::verify(&r1, &l, black_box(&revealed), &p1).unwrap());
        let t2 = time(|| v2::verify(&r2, &l, black_box(&revealed), &p2).unwrap());
        let n1 = p1.hashes().len();
        let n2 = p2.hashes.len();
        [(n1, 4 + 32 * n1, t1), (n2, 4 + 32 * n2, t2)]
    }
}

/// `k + 1` leaves of `n`: both ends and the `k - 1` interior points of one round.
fn spread(n: usize, k: u64) -> Vec<usize> {
    let last = n as u64 - 1;
    let mut v: Vec<usize> = split(0, last, k).into_iter().map(|i| i as usize).collect();
    v.insert(0, 0);
    v.push(last as usize);
    v
}

fn row(what: &str, r: [(usize, usize, Duration); 2]) {
    let [(h1, b1, t1), (h2, b2, t2)] = r;
    println!("| {what} | {h1} / {b1} B | {t1:.1?} | {h2} / {b2} B | {t2:.1?} |");
}

fn main() {
    let n = 10_000;
    let start = Instant::now();
    for i in 0..n {
        black_box(v2::node_hash(&[i as u8; 32], &[0; 32]));
    }
    println!("one node hash: {:.0?}", start.elapsed() / n);

    let big = Layer::new(0, (1 << 20) - 1, 1).unwrap();
    let big_roots = roots(big.len());
    let mut b1 = Vec::new();
    let mut b2 = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        black_box(history::Commitment::build(big, &big_roots).unwrap());
        b1.push(t.elapsed());
        let t = Instant::now();
        black_box(v2::Commitment::build(big, &big_roots).unwrap());
        b2.push(t.elapsed());
    }
    b1.sort();
    b2.sort();
    println!("build 2^20 leaves: rs_merkle {:.2?}, fixed depth {:.2?} (median of 3)", b1[1], b2[1]);

    println!();
    println!("| reveal | rs_merkle: hashes / bytes | verify | fixed depth: hashes / bytes | verify |");
    println!("| --- | --- | --- | --- | --- |");
    let layers = [Both::new(1 << 10), Both::new(1 << 20)];
    for k in [8u64, 16, 64] {
        for both in &layers {
            let n = both.layer.len();
            row(&format!("k+1 = {} of 2^{}", k + 1, n.trailing_zeros()), both.reveal(&spread(n, k)));
        }
        let small = Both::new(k as usize + 1);
        row(&format!("all {} of {}", k + 1, k + 1), small.reveal(&spread(k as usize + 1, k)));
    }
    let big = &layers[1];
    row("1024 of 2^20 (k = 1023)", big.reveal(&spread(1 << 20, 1023)));

    // Hostile: the most leaves spread over the largest layer, so the walk is as long as it gets,
    // and one flipped hash, so it runs to the end before the root mismatches.
    let indices = spread(1 << 20, MAX_REVEALED as u64 - 1);
    let revealed: Vec<(usize, Hash)> = indices.iter().map(|&i| (i, big.roots[i])).collect();
    let mut h1 = big.v1.prove(&indices).unwrap().hashes().to_vec();
    let mut h2 = big.v2.prove(&indices).unwrap().hashes;
    h1[0][0] ^= 1;
    h2[0][0] ^= 1;
    let encode = |h: &[Hash]| {
        let mut b = (h.len() as u32).to_le_bytes().to_vec();
        h.iter().for_each(|h| b.extend_from_slice(h));
        b
    };
    let p1 = history::MultiProof::from_bytes(&encode(&h1)).unwrap();
    let p2 = v2::MultiProof { hashes: h2.clone() };
    let l = big.layer;
    let (r1, r2) = (big.v1.root(), big.v2.root());
    let t1 = time(|| assert!(history::verify(&r1, &l, black_box(&revealed), &p1).is_err()));
    let t2 = time(|| assert!(v2::verify(&r2, &l, black_box(&revealed), &p2).is_err()));
    row(
        &format!("hostile: {} of 2^20, one hash flipped", indices.len()),
        [(h1.len(), 4 + 32 * h1.len(), t1), (h2.len(), 4 + 32 * h2.len(), t2)],
    );
    // Hostile: the same leaves with the longest decodable proof (too many hashes).
    let long = vec![[7u8; 32]; MAX_PROOF_HASHES as usize];
    let bytes = encode(&long);
    let p1 = history::MultiProof::from_bytes(&bytes).unwrap();
    let p2 = v2::MultiProof { hashes: long.clone() };
    let t1 = time(|| assert!(history::verify(&r1, &l, black_box(&revealed), &p1).is_err()));
    let t2 = time(|| assert!(v2::verify(&r2, &l, black_box(&revealed), &p2).is_err()));
    row(
        &format!("hostile: {} of 2^20, {} hashes", indices.len(), long.len()),
        [(long.len(), bytes.len(), t1), (long.len(), bytes.len(), t2)],
    );
    let decode = time(|| {
        black_box(history::MultiProof::from_bytes(black_box(&bytes)).unwrap());
    });
    println!("decoding the longest encoding ({} bytes): {decode:.1?}", bytes.len());
}
