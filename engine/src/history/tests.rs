use super::*;
use crate::merkle::{MultiProof as Opening, siblings_needed};
use proptest::prelude::*;
use sha2::{Digest, Sha256};

fn hex(h: &Hash) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

/// A distinct, arbitrary-looking state root for index `i` under `seed`.
fn state(seed: u64, i: usize) -> Hash {
    let mut a = [0u8; 32];
    a[..8].copy_from_slice(&seed.to_le_bytes());
    a[8..16].copy_from_slice(&(i as u64).to_le_bytes());
    node_hash(&a, &[0x5a; 32])
}

fn states(seed: u64, n: usize) -> Vec<Hash> {
    (0..n).map(|i| state(seed, i)).collect()
}

/// The naive model of the spec's tree: pad the leaves with zero leaves to a
/// power of two, then hash level by level.
fn naive_root(layer: &Layer, roots: &[Hash]) -> Hash {
    let mut level: Vec<Hash> = layer.steps().zip(roots).map(|(s, r)| leaf_hash(s, r)).collect();
    level.resize(level.len().next_power_of_two(), [0; 32]);
    while level.len() > 1 {
        level = level.chunks(2).map(|p| node_hash(&p[0], &p[1])).collect();
    }
    level[0]
}

/// The `(height, index)` of each node a proof for `indices` of a layer of
/// `leaves` holds, in proof order: the walk's requests, as the prover answers them.
fn proof_positions(leaves: usize, indices: &[usize]) -> Vec<(usize, u64)> {
    let depth = layer(0, leaves as u64 - 1, 1).depth();
    let asked = std::cell::RefCell::new(Vec::new());
    let node = |height: usize, i: u64| {
        asked.borrow_mut().push((height, i));
        [0; 32]
    };
    Opening::build_in(DOMAIN, depth, indices.iter().map(|&i| i as u64), |_| [0; 32], node);
    asked.into_inner()
}

/// The proof holding these hashes, through the encoding.
fn proof_of(hashes: &[Hash]) -> MultiProof {
    let mut bytes = (hashes.len() as u32).to_le_bytes().to_vec();
    hashes.iter().for_each(|h| bytes.extend_from_slice(h));
    MultiProof::from_bytes(&bytes).unwrap()
}

fn layer(start: u64, end: u64, stride: u64) -> Layer {
    Layer::new(start, end, stride).unwrap()
}

// ---- hashing ----

#[test]
fn golden_hashes() {
    // Recomputed by hand from the spec's byte strings, so another implementation can match them.
    let mut leaf_input = b"refute history v2 leaf:".to_vec();
    leaf_input.extend_from_slice(&7u64.to_le_bytes());
    leaf_input.extend_from_slice(&[0x11; 32]);
    assert_eq!(leaf_input.len(), 63);
    assert_eq!(leaf_hash(7, &[0x11; 32]), <[u8; 32]>::from(Sha256::digest(&leaf_input)));
    let mut node_input = b"refute history v2 node:".to_vec();
    node_input.extend_from_slice(&[0x11; 32]);
    node_input.extend_from_slice(&[0x22; 32]);
    assert_eq!(node_hash(&[0x11; 32], &[0x22; 32]), <[u8; 32]>::from(Sha256::digest(&node_input)));
    assert_eq!(hex(&leaf_hash(0, &[0; 32])), GOLDEN_LEAF_0);
    assert_eq!(hex(&node_hash(&[0; 32], &[0xff; 32])), GOLDEN_NODE);
    // Past the end of a layer: the zero leaf is 32 zero bytes, not hashed.
    assert_eq!(DOMAIN.zeros()[0], [0; 32]);
    assert_eq!(hex(&DOMAIN.zeros()[1]), GOLDEN_Z_1);
    // specs/commitments.md §8: Layer { start: 0, end: 10, stride: 3 }, state root i = [i; 32].
    let l = layer(0, 10, 3);
    let roots: Vec<Hash> = (0..l.len()).map(|i| [i as u8; 32]).collect();
    let c = Commitment::build(l, &roots).unwrap();
    assert_eq!(hex(&c.root()), GOLDEN_ROOT);
    let proof = c.prove(&[1, 4]).unwrap();
    assert_eq!(proof.to_bytes().len(), 4 + 32 * 4);
    assert_eq!(
        proof.to_bytes().iter().map(|b| format!("{b:02x}")).collect::<String>(),
        format!("04000000{}", GOLDEN_PROOF_1_4)
    );
}

// Computed by an independent implementation of the spec (Python's hashlib).
const GOLDEN_LEAF_0: &str = "d0887920ecef583ddbfa28a8f919195823df2e528bf9302a520919aa990db01d";
const GOLDEN_NODE: &str = "c3963521639a93389b332a8d7e89411b66d5e5acb9c329196139d873af717cb9";
const GOLDEN_Z_1: &str = "d6816ac56b3769716532bc9b2aebbb693ed398b94a940c9386f9e0ab32c4ebb0";
const GOLDEN_ROOT: &str = "4413d03d824d4632b2aa5a849f88a3ea6396731530a0022b6fc6bdc98068969e";
const GOLDEN_PROOF_1_4: &str = "d0887920ecef583ddbfa28a8f919195823df2e528bf9302a520919aa990db01d\
                                0000000000000000000000000000000000000000000000000000000000000000\
                                097d0c8730cc06d038d6539f59a4de3af05169454ec3c7a072ec5754c0aa3d01\
                                d6816ac56b3769716532bc9b2aebbb693ed398b94a940c9386f9e0ab32c4ebb0";

#[test]
fn leaf_binds_its_step_and_is_not_a_node() {
    let r = [3u8; 32];
    assert_ne!(leaf_hash(1, &r), leaf_hash(2, &r));
    let mut as_node = [0u8; 64];
    as_node[..8].copy_from_slice(&1u64.to_le_bytes());
    assert_ne!(leaf_hash(1, &r), node_hash(&as_node[..32].try_into().unwrap(), &r));
    // Past the end are zero leaves: three leaves give node(node(l0, l1), node(l2, 00^32)).
    let l = layer(0, 2, 1);
    let roots = states(1, 3);
    let leaves: Vec<Hash> = (0..3).map(|i| leaf_hash(i as u64, &roots[i])).collect();
    let c = Commitment::build(l, &roots).unwrap();
    let right = node_hash(&leaves[2], &[0; 32]);
    assert_eq!(c.root(), node_hash(&node_hash(&leaves[0], &leaves[1]), &right));
    // One leaf: the root is the leaf.
    assert_eq!(Commitment::build(layer(5, 5, 1), &roots[..1]).unwrap().root(), leaf_hash(5, &roots[0]));
}

// ---- layers ----

fn check_layer(start: u64, end: u64, stride: u64, steps: &[u64]) {
    let l = layer(start, end, stride);
    assert_eq!(l.steps().collect::<Vec<_>>(), steps, "{l:?}");
    assert_eq!(l.len(), steps.len());
    for (i, &s) in steps.iter().enumerate() {
        assert_eq!(l.step_at(i), Some(s));
        assert_eq!(l.index_of(s), Some(i));
    }
    assert_eq!(l.step_at(steps.len()), None);
    assert_eq!(l.step_at(usize::MAX), None);
}

#[test]
fn layer_steps() {
    check_layer(0, 10, 3, &[0, 3, 6, 9, 10]);
    check_layer(0, 9, 3, &[0, 3, 6, 9]);
    check_layer(5, 5, 7, &[5]);
    check_layer(5, 6, 7, &[5, 6]);
    check_layer(2, 6, 1, &[2, 3, 4, 5, 6]);
    check_layer(0, u64::MAX, u64::MAX, &[0, u64::MAX]);
    check_layer(u64::MAX - 3, u64::MAX, 2, &[u64::MAX - 3, u64::MAX - 1, u64::MAX]);
    let l = layer(0, 10, 3);
    for s in [1, 2, 4, 8, 11, u64::MAX] {
        assert_eq!(l.index_of(s), None, "step {s}");
    }
    assert_eq!(layer(4, 10, 3).index_of(1), None);
}

#[test]
fn layer_depths() {
    // The tree's depth is the least d with 2^d leaves or more.
    for (leaves, depth) in [(1, 0), (2, 1), (3, 2), (4, 2), (5, 3), (1024, 10), (1025, 11), (MAX_LEAVES, 20)]
    {
        assert_eq!(layer(0, leaves as u64 - 1, 1).depth(), depth, "{leaves} leaves");
    }
    assert_eq!(layer(0, 10, 3).depth(), 3);
    assert_eq!(layer(0, 2 * (MAX_LEAVES as u64 - 1) - 1, 2).depth(), 20);
}

#[test]
fn layer_errors() {
    assert_eq!(Layer::new(0, 10, 0), Err(HistoryError::ZeroStride));
    assert_eq!(Layer::new(3, 2, 1), Err(HistoryError::StartAfterEnd { start: 3, end: 2 }));
    let too_many = Layer::new(0, u64::MAX, 1);
    assert_eq!(too_many, Err(HistoryError::TooManyLeaves { start: 0, end: u64::MAX, stride: 1 }));
    assert_eq!(
        too_many.unwrap_err().to_string(),
        "layer from step 0 to 18446744073709551615 at stride 1 has more than 1048576 leaves"
    );
    // MAX_LEAVES leaves exactly is allowed; one more is not.
    let max = MAX_LEAVES as u64;
    assert_eq!(layer(0, max - 1, 1).len(), MAX_LEAVES);
    assert!(matches!(Layer::new(0, max, 1), Err(HistoryError::TooManyLeaves { .. })));
    assert_eq!(layer(0, 2 * (max - 1), 2).len(), MAX_LEAVES);
    assert_eq!(layer(0, 2 * (max - 1) - 1, 2).len(), MAX_LEAVES);
    assert!(Layer::new(0, 2 * (max - 1) + 1, 2).is_err());
}

// ---- commitments and proofs ----

#[test]
fn build_checks_root_count() {
    let l = layer(0, 10, 3);
    assert_eq!(
        Commitment::build(l, &states(0, 4)).unwrap_err(),
        HistoryError::RootCount { expected: 5, got: 4 }
    );
    assert!(Commitment::build(l, &states(0, 6)).is_err());
}

#[test]
fn prove_refuses_bad_index_sets() {
    let l = layer(0, 99, 1);
    let c = Commitment::build(l, &states(2, 100)).unwrap();
    assert_eq!(c.prove(&[]), Err(HistoryError::NothingRevealed));
    assert_eq!(c.prove(&[3, 100]), Err(HistoryError::IndexOutOfRange { index: 100, len: 100 }));
    assert_eq!(c.prove(&[usize::MAX]), Err(HistoryError::IndexOutOfRange { index: usize::MAX, len: 100 }));
    // Order and repeats do not matter to the prover.
    assert_eq!(c.prove(&[9, 3, 9, 40]), c.prove(&[3, 9, 40]));
    let big = layer(0, MAX_REVEALED as u64, 1);
    let c = Commitment::build(big, &states(2, MAX_REVEALED + 1)).unwrap();
    let all: Vec<usize> = (0..=MAX_REVEALED).collect();
    assert_eq!(c.prove(&all), Err(HistoryError::TooManyRevealed { count: MAX_REVEALED + 1 }));
    assert!(c.prove(&all[1..]).is_ok());
}

#[test]
fn verify_refuses_malformed_reveals() {
    let l = layer(10, 20, 1);
    let roots = states(3, 11);
    let c = Commitment::build(l, &roots).unwrap();
    let root = c.root();
    let proof = c.prove(&[0, 1]).unwrap();
    let ok = [(0, roots[0]), (1, roots[1])];
    assert_eq!(verify(&root, &l, &ok, &proof), Ok(()));
    assert_eq!(verify(&root, &l, &[], &proof), Err(HistoryError::NothingRevealed));
    // rs-merkle PR #52: a fake leaf smuggled in beside a real one at the same index.
    let smuggled = [(0, roots[0]), (1, roots[1]), (1, [0xee; 32])];
    assert_eq!(verify(&root, &l, &smuggled, &proof), Err(HistoryError::DuplicateIndex(1)));
    let twice = [(1, roots[1]), (0, roots[0]), (1, roots[1])];
    assert_eq!(verify(&root, &l, &twice, &proof), Err(HistoryError::DuplicateIndex(1)));
    let outside = [(0, roots[0]), (11, roots[1])];
    assert_eq!(
        verify(&root, &l, &outside, &proof),
        Err(HistoryError::IndexOutOfRange { index: 11, len: 11 })
    );
    // A trailing hash is refused: a proof has one encoding.
    let mut hashes = proof.hashes().to_vec();
    hashes.push([0; 32]);
    let long = proof_of(&hashes);
    assert_eq!(
        verify(&root, &l, &ok, &long),
        Err(HistoryError::ProofHashCount { expected: proof.hashes().len(), got: proof.hashes().len() + 1 })
    );
    // The same states at another layer's steps are other leaves.
    assert_eq!(verify(&root, &layer(11, 21, 1), &ok, &proof), Err(HistoryError::RootMismatch));
    let too_many: Vec<(usize, Hash)> = (0..=MAX_REVEALED).map(|i| (i, [0; 32])).collect();
    assert_eq!(
        verify(&root, &l, &too_many, &proof),
        Err(HistoryError::TooManyRevealed { count: MAX_REVEALED + 1 })
    );
}

#[test]
fn proof_encoding_errors() {
    assert_eq!(MAX_PROOF_HASHES, 40_960);
    assert_eq!(MultiProof::from_bytes(&[]), Err(HistoryError::ProofTruncated(0)));
    assert_eq!(MultiProof::from_bytes(&[1, 0, 0]), Err(HistoryError::ProofTruncated(3)));
    assert_eq!(MultiProof::from_bytes(&[0, 0, 0, 0]).unwrap().hashes(), &[] as &[Hash]);
    assert_eq!(MultiProof::from_bytes(&[0, 0, 0, 0, 0]), Err(HistoryError::ProofLength { len: 5, count: 0 }));
    assert_eq!(MultiProof::from_bytes(&[1, 0, 0, 0]), Err(HistoryError::ProofLength { len: 4, count: 1 }));
    assert_eq!(MultiProof::from_bytes(&[0xff; 4]), Err(HistoryError::ProofTooLong { count: u32::MAX }));
    let max = MAX_PROOF_HASHES.to_le_bytes();
    assert_eq!(
        MultiProof::from_bytes(&max),
        Err(HistoryError::ProofLength { len: 4, count: MAX_PROOF_HASHES })
    );
    let over = (MAX_PROOF_HASHES + 1).to_le_bytes();
    assert_eq!(
        MultiProof::from_bytes(&over),
        Err(HistoryError::ProofTooLong { count: MAX_PROOF_HASHES + 1 })
    );
    let mut one = vec![1, 0, 0, 0];
    one.extend_from_slice(&[7; 32]);
    assert_eq!(MultiProof::from_bytes(&one).unwrap().hashes(), &[[7; 32]]);
    assert_eq!(
        HistoryError::ProofLength { len: 5, count: 2 }.to_string(),
        "proof encoding is 5 bytes but a count of 2 hashes needs 68"
    );
}

#[test]
fn largest_proofs_fit_the_bound() {
    // Spread leaves need the most hashes: one per revealed leaf per level below their meeting point.
    for (leaves, count) in [(MAX_LEAVES, MAX_REVEALED), (MAX_LEAVES - 1, MAX_REVEALED), (MAX_LEAVES, 1)] {
        let spread: Vec<usize> = (0..count).map(|i| i * (leaves / count) + 1).collect();
        let needed = proof_positions(leaves, &spread).len();
        assert!(needed <= MAX_PROOF_HASHES as usize, "{needed} hashes for {count} of {leaves}");
    }
    assert_eq!(proof_positions(MAX_LEAVES, &[0]).len(), 20);
    // specs/commitments.md §8: leaf 4's sibling is a zero leaf, and node 3 of level 1 a zero subtree.
    assert_eq!(proof_positions(5, &[1, 4]), [(0, 0), (0, 5), (1, 1), (1, 3)]);
    assert_eq!(proof_positions(1, &[0]), []);
    // The count the verifier reports is the same walk's.
    assert_eq!(siblings_needed(3, &[1, 4]), 4);
}

/// A layer of 1 to about 700 leaves with an arbitrary start and stride.
fn any_layer() -> impl Strategy<Value = Layer> {
    (0u64..1 << 40, 1u64..1000, 0u64..700, 0u64..1000).prop_map(|(start, stride, intervals, short)| {
        let span = if intervals == 0 { 0 } else { intervals * stride - short % stride };
        layer(start, start + span, stride)
    })
}

/// A layer, its state roots, and a non-empty set of leaf indices (unsorted).
fn any_reveal() -> impl Strategy<Value = (Layer, Vec<Hash>, Vec<usize>)> {
    (any_layer(), any::<u64>(), prop::collection::vec(any::<prop::sample::Index>(), 1..40)).prop_map(
        |(l, seed, picks)| {
            let mut indices: Vec<usize> = picks.iter().map(|p| p.index(l.len())).collect();
            indices.sort_unstable();
            indices.dedup();
            indices.reverse();
            (l, states(seed, l.len()), indices)
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn commitment_root_matches_naive_model(l in any_layer(), seed in any::<u64>()) {
        let roots = states(seed, l.len());
        prop_assert_eq!(Commitment::build(l, &roots).unwrap().root(), naive_root(&l, &roots));
    }

    #[test]
    fn layer_index_of_inverts_step_at(l in any_layer(), step in any::<u64>()) {
        for (i, s) in l.steps().enumerate() {
            prop_assert_eq!(l.index_of(s), Some(i));
        }
        let s = l.start() + step % (l.end() - l.start() + 1);
        if let Some(i) = l.index_of(s) {
            prop_assert_eq!(l.step_at(i), Some(s));
        } else {
            prop_assert!(l.steps().all(|t| t != s));
        }
    }

    /// A proof verifies; changing a revealed root, an index, or any byte of the proof never does.
    #[test]
    fn multiproofs_verify_and_tampering_fails(
        (l, roots, indices) in any_reveal(),
        pick in any::<prop::sample::Index>(),
        other in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let c = Commitment::build(l, &roots).unwrap();
        let root = c.root();
        let proof = c.prove(&indices).unwrap();
        let bytes = proof.to_bytes();
        let decoded = MultiProof::from_bytes(&bytes).unwrap();
        prop_assert_eq!(&decoded, &proof);
        let mut sorted = indices.clone();
        sorted.sort_unstable();
        prop_assert_eq!(proof.hashes().len(), proof_positions(l.len(), &sorted).len());
        let sorted: Vec<u64> = sorted.iter().map(|&i| i as u64).collect();
        prop_assert_eq!(proof.hashes().len(), siblings_needed(l.depth(), &sorted));
        let revealed: Vec<(usize, Hash)> = indices.iter().map(|&i| (i, roots[i])).collect();
        prop_assert_eq!(verify(&root, &l, &revealed, &decoded), Ok(()));

        // A changed state root.
        let j = pick.index(revealed.len());
        let mut changed = revealed.clone();
        changed[j].1[usize::from(bit) * 4] ^= 1 << bit;
        prop_assert!(verify(&root, &l, &changed, &proof).is_err());

        // A changed index, to any other index of the layer (with the same state root).
        let to = other.index(l.len());
        if to != revealed[j].0 {
            let mut moved = revealed.clone();
            moved[j].0 = to;
            prop_assert!(verify(&root, &l, &moved, &proof).is_err());
        }
        // The true state of another leaf, claimed at this index.
        if roots[to] != revealed[j].1 {
            let mut swapped = revealed.clone();
            swapped[j].1 = roots[to];
            prop_assert!(verify(&root, &l, &swapped, &proof).is_err());
        }

        // Any byte of the proof's encoding.
        let at = other.index(bytes.len());
        let mut flipped = bytes.clone();
        flipped[at] ^= 1 << bit;
        if let Ok(p) = MultiProof::from_bytes(&flipped) {
            prop_assert!(verify(&root, &l, &revealed, &p).is_err());
        }
        // A truncated or extended proof.
        prop_assert!(MultiProof::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        prop_assert!(MultiProof::from_bytes(&longer).is_err());
        // Another root.
        let mut other_root = root;
        other_root[at % 32] ^= 1 << bit;
        prop_assert_eq!(verify(&other_root, &l, &revealed, &proof), Err(HistoryError::RootMismatch));
    }

    #[test]
    fn proof_decoding_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(p) = MultiProof::from_bytes(&bytes) {
            prop_assert_eq!(p.to_bytes(), bytes);
        }
    }

    /// Verification of arbitrary input returns an error and never panics.
    #[test]
    fn verify_of_garbage_never_panics(
        l in any_layer(),
        revealed in prop::collection::vec((0usize..800, any::<[u8; 32]>()), 0..10),
        hashes in prop::collection::vec(any::<[u8; 32]>(), 0..30),
        root in any::<[u8; 32]>(),
    ) {
        let proof = proof_of(&hashes);
        prop_assert!(verify(&root, &l, &revealed, &proof).is_err());
    }
}

// ---- dissection ----

fn check_split(a: u64, b: u64, k: u64, expected: &[u64]) {
    assert_eq!(split(a, b, k), expected, "split({a}, {b}, {k})");
}

#[test]
fn split_cases() {
    check_split(0, 10, 2, &[5]);
    check_split(0, 11, 2, &[5]);
    check_split(0, 10, 4, &[2, 5, 7]);
    check_split(0, 3, 4, &[1, 2]);
    check_split(0, 4, 4, &[1, 2, 3]);
    check_split(7, 8, 4, &[]);
    check_split(7, 7, 4, &[]);
    check_split(8, 7, 4, &[]);
    check_split(100, 1100, 10, &[200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    check_split(0, u64::MAX, 2, &[u64::MAX / 2]);
    check_split(u64::MAX - 2, u64::MAX, 1024, &[u64::MAX - 1]);
}

#[test]
fn narrow_cases() {
    let points = split(0, 10, 4);
    assert_eq!(narrow(0, 10, &points, 0), Ok((0, 2)));
    assert_eq!(narrow(0, 10, &points, 1), Ok((2, 5)));
    assert_eq!(narrow(0, 10, &points, 3), Ok((7, 10)));
    assert_eq!(narrow(0, 10, &points, 4), Err(HistoryError::DisagreementOutOfRange { index: 4, points: 3 }));
    assert_eq!(narrow(3, 4, &[], 0), Ok((3, 4)));
}

#[test]
fn layer_policy_cases() {
    assert_eq!(layer_strides(0, 1024), [1]);
    assert_eq!(layer_strides(1023, 1024), [1]);
    assert_eq!(layer_strides(1024, 1024), [2, 1]);
    assert_eq!(layer_strides(100, 3), [50, 25, 13, 7, 4, 2, 1]);
    assert_eq!(layer_strides(1_000_000_000_000, DEFAULT_MAX_LEAVES), [977_517_107, 955_540, 935, 1]);
    assert_eq!(layer_strides(1_000_000_000_000, 1 << 20), [953_676, 1]);
    assert_eq!(rounds(0, 2), 0);
    assert_eq!(rounds(1, 2), 0);
    assert_eq!(rounds(2, 2), 1);
    assert_eq!(rounds(1024, 1024), 1);
    assert_eq!(rounds(1025, 1024), 2);
    assert_eq!(rounds(u64::MAX, 2), 64);
    // specs/commitments.md §7.
    assert_eq!(dispute_rounds(1_000_000_000_000, DEFAULT_K, DEFAULT_MAX_LEAVES), 4);
    assert_eq!(dispute_rounds(1_000_000_000_000, 1 << 10, 1 << 20), 4);
    assert_eq!(dispute_rounds(1_000_000_000_000, 1 << 8, 1 << 16), 5);
    assert_eq!(dispute_rounds(1_000_000_000_000, 2, 1 << 20), 40);
    assert_eq!(dispute_rounds(1_000_000_000, DEFAULT_K, DEFAULT_MAX_LEAVES), 3);
    assert_eq!(dispute_rounds(u64::MAX, DEFAULT_K, DEFAULT_MAX_LEAVES), 7);
    assert_eq!(dispute_rounds(0, DEFAULT_K, DEFAULT_MAX_LEAVES), 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn split_is_even_and_strictly_inside(a in any::<u64>(), m in 0u64..1 << 50, k in 2u64..3000) {
        let b = a.saturating_add(m);
        let m = b - a;
        let points = split(a, b, k);
        prop_assert_eq!(points.len() as u64, (k - 1).min(m.saturating_sub(1)));
        let mut prev = a;
        for &p in points.iter().chain([b].iter()) {
            prop_assert!(p > prev);
            prop_assert!(p - prev <= m.div_ceil(k));
            prop_assert!(m < k || p - prev >= m / k);
            prev = p;
        }
    }

    /// Playing a whole dispute through the layers, whatever the challenger picks, ends at a
    /// single step within `dispute_rounds`, and no layer has more than `max_leaves` leaves.
    #[test]
    fn dispute_reaches_one_step_within_the_bound(
        total in 1u64..1 << 44,
        k in 2u64..70,
        max_leaves in 3u64..70,
        picks in prop::collection::vec(any::<prop::sample::Index>(), 200),
    ) {
        let mut picks = picks.into_iter().cycle();
        let (mut lo, mut hi) = (0u64, total);
        let mut played = 0;
        for stride in layer_strides(total, max_leaves) {
            let l = layer(lo, hi, stride);
            prop_assert!(l.len() as u64 <= max_leaves);
            let (mut a, mut b) = (0u64, l.len() as u64 - 1);
            while b - a > 1 {
                let points = split(a, b, k);
                let i = picks.next().unwrap().index(points.len() + 1);
                (a, b) = narrow(a, b, &points, i).unwrap();
                played += 1;
            }
            (lo, hi) = (l.step_at(a as usize).unwrap(), l.step_at(b as usize).unwrap());
        }
        prop_assert_eq!(hi - lo, 1);
        prop_assert!(played <= dispute_rounds(total, k, max_leaves));
    }
}
