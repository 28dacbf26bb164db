//! Hostile history reveals: whatever a party sends (repeated, unsorted or
//! out-of-range indices, extra or missing hashes, flipped bytes, truncated
//! encodings, other states), `MultiProof::from_bytes` and `verify` return a
//! clean error and never panic, and never accept a state root that is not the
//! one committed at its index.

use proptest::prelude::*;
use proptest::sample::Index;
use refute_engine::history::{Commitment, HistoryError, Layer, MultiProof, leaf_hash, verify};
use refute_engine::merkle::Hash;

/// One thing a hostile party may do to an honest reveal.
#[derive(Clone, Debug)]
enum Attack {
    /// Reveal an index again, with its true state root or another.
    Duplicate { pick: Index, same_root: bool },
    /// Send the revealed states in another order (allowed: order does not matter).
    Shuffle { by: Index },
    /// Reveal an index past the layer's end: in the tree's zero padding or far beyond.
    PastEnd { pick: Index, by: usize },
    /// Claim a revealed index holds another leaf's true state root, or any bytes.
    WrongState { pick: Index, to: Index, garbage: Option<[u8; 32]> },
    /// Move a revealed state to another index.
    Move { pick: Index, to: Index },
    /// Insert a hash into the proof (the count follows, so it decodes).
    ExtraHash { at: Index, hash: [u8; 32] },
    /// Remove a hash from the proof (the count follows).
    MissingHash { at: Index },
    /// Flip one bit of the encoding, count included.
    FlipBit { at: Index, bit: u8 },
    /// Cut the encoding short.
    Truncate { keep: Index },
    /// Append bytes to the encoding.
    Append { bytes: Vec<u8> },
}

fn attack() -> impl Strategy<Value = Attack> {
    prop_oneof![
        (any::<Index>(), any::<bool>()).prop_map(|(pick, same_root)| Attack::Duplicate { pick, same_root }),
        any::<Index>().prop_map(|by| Attack::Shuffle { by }),
        (any::<Index>(), prop_oneof![0usize..40, Just(usize::MAX - 1)])
            .prop_map(|(pick, by)| Attack::PastEnd { pick, by }),
        (any::<Index>(), any::<Index>(), proptest::option::of(any::<[u8; 32]>()))
            .prop_map(|(pick, to, garbage)| Attack::WrongState { pick, to, garbage }),
        (any::<Index>(), any::<Index>()).prop_map(|(pick, to)| Attack::Move { pick, to }),
        (any::<Index>(), prop_oneof![Just([0u8; 32]), any::<[u8; 32]>()])
            .prop_map(|(at, hash)| Attack::ExtraHash { at, hash }),
        any::<Index>().prop_map(|at| Attack::MissingHash { at }),
        (any::<Index>(), 0u8..8).prop_map(|(at, bit)| Attack::FlipBit { at, bit }),
        any::<Index>().prop_map(|keep| Attack::Truncate { keep }),
        proptest::collection::vec(any::<u8>(), 1..70).prop_map(|bytes| Attack::Append { bytes }),
    ]
}

/// A distinct state root for leaf `i`.
fn state(seed: u64, i: usize) -> Hash {
    leaf_hash(seed, &leaf_hash(i as u64, &[0x33; 32]))
}

/// A layer of 1 to about 600 leaves, so depths 0 to 10 and every amount of padding occur.
fn any_layer() -> impl Strategy<Value = Layer> {
    (0u64..1 << 40, 1u64..1000, 0u64..600, 0u64..1000).prop_map(|(start, stride, intervals, short)| {
        let span = if intervals == 0 { 0 } else { intervals * stride - short % stride };
        Layer::new(start, start + span, stride).unwrap()
    })
}

/// The proof's hashes, read back from an encoding that decodes.
fn hashes_of(bytes: &[u8]) -> Vec<Hash> {
    MultiProof::from_bytes(bytes).unwrap().hashes().to_vec()
}

fn encode(hashes: &[Hash]) -> Vec<u8> {
    let mut bytes = (hashes.len() as u32).to_le_bytes().to_vec();
    hashes.iter().for_each(|h| bytes.extend_from_slice(h));
    bytes
}

/// Applies `attack` to a reveal and its proof's encoding.
fn apply(
    attack: &Attack,
    layer: &Layer,
    roots: &[Hash],
    revealed: &mut Vec<(usize, Hash)>,
    bytes: &mut Vec<u8>,
) {
    let decodes = MultiProof::from_bytes(bytes).is_ok();
    match attack {
        Attack::Duplicate { pick, same_root } => {
            let (i, r) = revealed[pick.index(revealed.len())];
            revealed.push((i, if *same_root { r } else { state(99, i) }));
        }
        Attack::Shuffle { by } => {
            let n = revealed.len();
            revealed.rotate_left(by.index(n));
            revealed.swap(0, n - 1);
        }
        Attack::PastEnd { pick, by } => {
            let j = pick.index(revealed.len());
            revealed[j].0 = layer.len().saturating_add(*by);
        }
        Attack::WrongState { pick, to, garbage } => {
            let j = pick.index(revealed.len());
            revealed[j].1 = garbage.unwrap_or(roots[to.index(roots.len())]);
        }
        Attack::Move { pick, to } => {
            let j = pick.index(revealed.len());
            revealed[j].0 = to.index(layer.len());
        }
        Attack::ExtraHash { at, hash } if decodes => {
            let mut hashes = hashes_of(bytes);
            hashes.insert(at.index(hashes.len() + 1), *hash);
            *bytes = encode(&hashes);
        }
        Attack::MissingHash { at } if decodes => {
            let mut hashes = hashes_of(bytes);
            if !hashes.is_empty() {
                hashes.remove(at.index(hashes.len()));
            }
            *bytes = encode(&hashes);
        }
        Attack::ExtraHash { .. } | Attack::MissingHash { .. } => {}
        // An earlier attack of the sequence may have emptied the bytes.
        Attack::FlipBit { .. } | Attack::Truncate { .. } if bytes.is_empty() => {}
        Attack::FlipBit { at, bit } => {
            let at = at.index(bytes.len());
            bytes[at] ^= 1 << bit;
        }
        Attack::Truncate { keep } => bytes.truncate(keep.index(bytes.len())),
        Attack::Append { bytes: more } => bytes.extend_from_slice(more),
    }
}

/// The error one attack alone must give, when it is certain.
fn expected(attack: &Attack, revealed: &[(usize, Hash)], honest: &[(usize, Hash)], hashes: usize) -> Expect {
    match attack {
        Attack::Duplicate { .. } => Expect::Err(|e| matches!(e, HistoryError::DuplicateIndex(_))),
        Attack::Shuffle { .. } => Expect::Ok,
        Attack::PastEnd { .. } => Expect::Err(|e| matches!(e, HistoryError::IndexOutOfRange { .. })),
        Attack::WrongState { .. } if revealed == honest => Expect::Ok,
        Attack::WrongState { .. } => Expect::Err(|e| *e == HistoryError::RootMismatch),
        Attack::ExtraHash { .. } => Expect::HashCount(hashes, hashes + 1),
        Attack::MissingHash { .. } if hashes > 0 => Expect::HashCount(hashes, hashes - 1),
        Attack::MissingHash { .. } => Expect::Ok,
        Attack::Truncate { .. } | Attack::Append { .. } => Expect::Undecodable,
        Attack::Move { .. } | Attack::FlipBit { .. } => Expect::AnyErrUnlessHonest,
    }
}

enum Expect {
    Ok,
    Err(fn(&HistoryError) -> bool),
    HashCount(usize, usize),
    Undecodable,
    AnyErrUnlessHonest,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn hostile_reveals_are_refused_cleanly(
        layer in any_layer(),
        seed in any::<u64>(),
        picks in proptest::collection::vec(any::<Index>(), 1..12),
        attacks in proptest::collection::vec(attack(), 1..4),
    ) {
        let roots: Vec<Hash> = (0..layer.len()).map(|i| state(seed, i)).collect();
        let c = Commitment::build(layer, &roots).unwrap();
        let mut indices: Vec<usize> = picks.iter().map(|p| p.index(layer.len())).collect();
        indices.sort_unstable();
        indices.dedup();
        let honest: Vec<(usize, Hash)> = indices.iter().map(|&i| (i, roots[i])).collect();
        let proof = c.prove(&indices).unwrap();
        prop_assert_eq!(verify(&c.root(), &layer, &honest, &proof), Ok(()));

        let mut revealed = honest.clone();
        let mut bytes = proof.to_bytes();
        for a in &attacks {
            apply(a, &layer, &roots, &mut revealed, &mut bytes);
        }
        let got = MultiProof::from_bytes(&bytes).and_then(|p| verify(&c.root(), &layer, &revealed, &p));

        // Never an accepted state root that is not the committed one at its index.
        if got.is_ok() {
            for &(i, r) in &revealed {
                prop_assert!(i < layer.len() && r == roots[i], "accepted ({i}, {r:02x?}) in {layer:?}");
            }
        }
        if let [a] = attacks.as_slice() {
            match expected(a, &revealed, &honest, proof.hashes().len()) {
                Expect::Ok => prop_assert_eq!(got, Ok(())),
                Expect::Err(is) => prop_assert!(got.as_ref().is_err_and(is), "{a:?}: {got:?}"),
                Expect::HashCount(expected, got_hashes) => prop_assert_eq!(
                    got,
                    Err(HistoryError::ProofHashCount { expected, got: got_hashes })
                ),
                Expect::Undecodable => prop_assert!(MultiProof::from_bytes(&bytes).is_err()),
                Expect::AnyErrUnlessHonest => {
                    let same = bytes == proof.to_bytes() && revealed == honest;
                    prop_assert_eq!(got.is_ok(), same, "{:?}: {:?}", a, got);
                }
            }
        }
    }

    /// Reveals made of arbitrary indices, states and hashes never verify against an honest
    /// root unless every state is the committed one, and never panic.
    #[test]
    fn arbitrary_reveals_never_panic_or_lie(
        layer in any_layer(),
        seed in any::<u64>(),
        revealed in proptest::collection::vec((0usize..1200, any::<bool>(), any::<[u8; 32]>()), 0..12),
        hashes in proptest::collection::vec(prop_oneof![Just([0u8; 32]), any::<[u8; 32]>()], 0..40),
    ) {
        let roots: Vec<Hash> = (0..layer.len()).map(|i| state(seed, i)).collect();
        let c = Commitment::build(layer, &roots).unwrap();
        let revealed: Vec<(usize, Hash)> = revealed
            .into_iter()
            .map(|(i, honest, r)| (i, if honest && i < layer.len() { roots[i] } else { r }))
            .collect();
        let got = verify(&c.root(), &layer, &revealed, &MultiProof::from_bytes(&encode(&hashes)).unwrap());
        if got.is_ok() {
            for &(i, r) in &revealed {
                prop_assert!(i < layer.len() && r == roots[i]);
            }
        }
    }
}

#[test]
fn a_zero_leaf_of_the_padding_is_not_revealed() {
    // 5 leaves in a tree of 8: leaf 5 is a zero leaf, and an honest proof opens it at the
    // tree's level, but it is not in the layer.
    let layer = Layer::new(0, 4, 1).unwrap();
    let roots: Vec<Hash> = (0..5).map(|i| state(1, i)).collect();
    let c = Commitment::build(layer, &roots).unwrap();
    let proof = c.prove(&[4]).unwrap();
    for index in [5, 7, 8, usize::MAX] {
        assert_eq!(
            verify(&c.root(), &layer, &[(index, [0; 32])], &proof),
            Err(HistoryError::IndexOutOfRange { index, len: 5 })
        );
    }
}
