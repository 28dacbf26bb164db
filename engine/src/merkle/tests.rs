use super::*;
use proptest::prelude::*;

/// The naive model: hash the whole tree from the bytes.
fn naive_root(data: &[u8]) -> Hash {
    subtree(data, 0, DEPTH, &zero_hashes())
}

#[test]
fn zero_hashes_recompute() {
    let z = zero_hashes();
    assert_eq!(z[0], hash_leaf(&[0; 32]));
    for h in 1..=DEPTH {
        assert_eq!(z[h], hash_node(&z[h - 1], &z[h - 1]));
    }
    // An empty memory and a zeroed one have the same root: growing is free.
    assert_eq!(MemoryTree::new().root(&[]), z[DEPTH]);
    assert_eq!(MemoryTree::new().root(&vec![0; 3 * 65536]), z[DEPTH]);
}

#[test]
fn state_domain_is_the_state_trees_hashing() {
    // The domain-generic code computes the state trees' zero subtrees and nodes unchanged.
    assert_eq!(STATE_DOMAIN.zeros(), zero_hashes());
    let (a, b) = ([1u8; 32], [2u8; 32]);
    assert_eq!((STATE_DOMAIN.leaf)(&a), hash_leaf(&a));
    assert_eq!((STATE_DOMAIN.node)(&a, &b), hash_node(&a, &b));
}

#[test]
fn leaf_and_node_hashes_are_domain_separated() {
    let leaf = [7u8; 32];
    let as_node = hash_node(&leaf, &leaf);
    assert_ne!(hash_leaf(&leaf), as_node);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The incremental root equals a full recomputation after any writes,
    /// including writes that grow the memory.
    #[test]
    fn incremental_root_matches_full_recomputation(
        pages in 1usize..5,
        batches in prop::collection::vec(
            prop::collection::vec((0usize..4 * 65536, prop::collection::vec(any::<u8>(), 1..100)), 1..8),
            1..5,
        ),
        grow in 0usize..3,
    ) {
        let mut data = vec![0u8; pages * 65536];
        let mut tree = MemoryTree::new();
        prop_assert_eq!(tree.root(&data), naive_root(&data));
        for (n, batch) in batches.iter().enumerate() {
            if n == 1 {
                data.resize(data.len() + grow * 65536, 0);
            }
            for (at, bytes) in batch {
                let at = at % data.len();
                let end = (at + bytes.len()).min(data.len());
                data[at..end].copy_from_slice(&bytes[..end - at]);
                tree.mark_dirty(at, end - at);
            }
            prop_assert_eq!(tree.root(&data), naive_root(&data));
        }
    }

    /// Every leaf's path leads to the root; a changed leaf does not.
    #[test]
    fn paths_verify_and_tampering_fails(
        writes in prop::collection::vec((0usize..131072, any::<u8>()), 1..50),
        probes in prop::collection::vec(0u32..200_000, 1..10),
    ) {
        let mut data = vec![0u8; 131072];
        let mut tree = MemoryTree::new();
        for (at, b) in &writes {
            data[*at] = *b;
            tree.mark_dirty(*at, 1);
        }
        let root = tree.root(&data);
        for addr in probes {
            let start = addr as usize / LEAF_BYTES * LEAF_BYTES;
            let mut leaf = [0u8; LEAF_BYTES];
            if start < data.len() {
                leaf.copy_from_slice(&data[start..start + LEAF_BYTES]);
            }
            let path = tree.proof(&data, addr);
            prop_assert_eq!(root_from_path(addr, &leaf, &path), Some(root));
            leaf[addr as usize % LEAF_BYTES] ^= 1;
            prop_assert_ne!(root_from_path(addr, &leaf, &path), Some(root));
        }
    }
}
