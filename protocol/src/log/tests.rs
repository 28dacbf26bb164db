use super::*;

fn key() -> ArbiterKey {
    ArbiterKey::from_secret(&[7; 32])
}

const PARAMS: Hash = [9; 32];

fn genesis() -> Head {
    Head::genesis(&key().public(), &PARAMS)
}

/// A log of `n` entries with payloads `b"entry i"`, one second apart.
fn log(n: u64) -> Vec<Entry> {
    let mut chain = Chain::new(genesis());
    (0..n).map(|i| chain.append(&key(), 1_000 * i, format!("entry {i}").into_bytes()).unwrap()).collect()
}

#[test]
fn encode_decode_round_trip() {
    for entry in log(3) {
        let bytes = entry.encode();
        assert_eq!(bytes.len(), HEADER_LEN + entry.payload.len() + SIGNATURE_LEN);
        assert_eq!(Entry::decode(&bytes), Ok(entry));
    }
}

#[test]
fn decode_refuses_truncation_trailing_bytes_and_long_payloads() {
    let bytes = log(1)[0].encode();
    for len in 0..bytes.len() {
        assert!(matches!(Entry::decode(&bytes[..len]), Err(FormatError::Truncated { .. })), "length {len}");
    }
    let mut long = bytes.clone();
    long.push(0);
    assert_eq!(Entry::decode(&long), Err(FormatError::TrailingBytes { extra: 1 }));
    let mut huge = bytes;
    huge[48..52].copy_from_slice(&(MAX_PAYLOAD as u32 + 1).to_le_bytes());
    assert_eq!(
        Entry::decode(&huge),
        Err(FormatError::PayloadTooLarge { len: MAX_PAYLOAD as u64 + 1, max: MAX_PAYLOAD })
    );
}

#[test]
fn append_refuses_long_payloads_and_leaves_the_chain_alone() {
    let mut chain = Chain::new(genesis());
    let err = chain.append(&key(), 0, vec![0; MAX_PAYLOAD + 1]).unwrap_err();
    assert_eq!(err, FormatError::PayloadTooLarge { len: MAX_PAYLOAD as u64 + 1, max: MAX_PAYLOAD });
    assert_eq!(chain.head(), genesis());
    assert!(chain.append(&key(), 0, vec![0; MAX_PAYLOAD]).is_ok());
}

#[test]
fn a_log_verifies_and_ends_at_its_head() {
    let entries = log(5);
    let head = verify(genesis(), &key().public(), &entries).unwrap();
    assert_eq!(head, Head { next: 5, hash: entries[4].hash(), time_ms: 4_000 });
    let encoded: Vec<_> = entries.iter().map(Entry::encode).collect();
    assert_eq!(verify_encoded(genesis(), &key().public(), &encoded), Ok(head));
    // From a head in the middle.
    let middle = Head { next: 2, hash: entries[1].hash(), time_ms: 1_000 };
    assert_eq!(verify(middle, &key().public(), &entries[2..]), Ok(head));
}

#[test]
fn every_byte_of_a_stored_entry_is_checked() {
    let encoded: Vec<_> = log(3).iter().map(Entry::encode).collect();
    for i in 0..encoded[1].len() {
        let mut tampered = encoded.clone();
        tampered[1][i] ^= 1;
        let err = verify_encoded(genesis(), &key().public(), &tampered).unwrap_err();
        assert_eq!(err.index, 1, "byte {i}: {err}");
    }
}

#[test]
fn faults_are_named() {
    let entries = log(3);
    let check = |entries: &[Entry], index, fault| {
        assert_eq!(verify(genesis(), &key().public(), entries), Err(LogError { index, fault }));
    };
    check(&[entries[0].clone(), entries[2].clone()], 1, Fault::IndexGap { found: 2 });
    // A log of another deployment (other params) does not pass for this one.
    let other = Head::genesis(&key().public(), &[0; 32]);
    let foreign = Chain::new(other).append(&key(), 0, vec![]).unwrap();
    check(&[foreign], 0, Fault::WrongPrev { expected: genesis().hash, found: other.hash });
    let mut chain = Chain::new(Head { time_ms: 5_000, ..genesis() });
    let late = chain.append(&key(), 5_000, vec![]).unwrap();
    let mut back = Chain::new(Head { next: 1, hash: late.hash(), time_ms: 5_000 });
    // `append` never goes back; forge an entry that does.
    let mut early = back.append(&key(), 0, vec![]).unwrap();
    early.time_ms = 4_000;
    early.signature = key().sign(&early.hash());
    check(&[late, early], 1, Fault::TimeBackwards { prev_ms: 5_000, found_ms: 4_000 });
    let stranger = ArbiterKey::from_secret(&[8; 32]);
    let mut forged = entries[0].clone();
    forged.signature = stranger.sign(&forged.hash());
    check(&[forged], 0, Fault::BadSignature);
    assert_eq!(
        verify_encoded(genesis(), &key().public(), [&entries[0].encode()[..10]]).unwrap_err().to_string(),
        "log entry 0: malformed: entry truncated: 10 bytes where 52 are needed"
    );
}

#[test]
fn time_never_goes_back_when_appending() {
    let mut chain = Chain::new(genesis());
    chain.append(&key(), 5_000, vec![]).unwrap();
    assert_eq!(chain.time(4_000), 5_000);
    assert_eq!(chain.append(&key(), 4_000, vec![]).unwrap().time_ms, 5_000);
    assert_eq!(chain.time(6_000), 6_000);
}

#[test]
fn json_round_trip_and_refusals() {
    let entry = log(2).pop().unwrap();
    let json = serde_json::to_string(&entry).unwrap();
    assert!(json.contains(r#""payload":"656e7472792031""#), "{json}");
    assert_eq!(serde_json::from_str::<Entry>(&json).unwrap(), entry);
    let bad = [
        json.replace(r#""payload":"656e7472792031""#, r#""payload":"656e747279203""#),
        json.replace(r#""payload":"656e7472792031""#, r#""payload":"656E7472792031""#),
        json.replacen(r#""prev":""#, r#""prev":"00"#, 1),
        json.replacen('}', r#","extra":1}"#, 1),
    ];
    for json in bad {
        assert!(serde_json::from_str::<Entry>(&json).is_err(), "{json}");
    }
    let head = genesis();
    assert_eq!(serde_json::from_str::<Head>(&serde_json::to_string(&head).unwrap()).unwrap(), head);
}

#[test]
fn head_encoding_round_trips() {
    let head = Head { next: 3, hash: [5; 32], time_ms: 77 };
    assert_eq!(Head::decode(&head.encode()), Some(head));
    assert_eq!(Head::decode(&head.encode()[1..]), None);
}

fn hex(bytes: &[u8]) -> String {
    hex_string(bytes)
}

/// The vectors of `specs/log.md` §6.
#[test]
fn test_vectors() {
    let key = ArbiterKey::from_secret(&[0; 32]);
    let genesis = Head::genesis(&key.public(), &[0; 32]);
    assert_eq!(
        hex(key.public().as_bytes()),
        "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29"
    );
    assert_eq!(hex(&genesis.hash), "b659e9a006d57978cc1c33c86cda2a2933e072bf9389dfdd2ef14dce64d27c03");
    let mut chain = Chain::new(genesis);
    let e0 = chain.append(&key, 1_700_000_000_000, b"hello".to_vec()).unwrap();
    let e1 = chain.append(&key, 1_700_000_000_001, vec![]).unwrap();
    assert_eq!(hex(&e0.hash()), "724dd00b56ccb566d878e8f8ed5b930735a50a521f36643badd93c5d69926c37");
    assert_eq!(
        hex(&e0.encode()),
        "0000000000000000b659e9a006d57978cc1c33c86cda2a2933e072bf9389dfdd2ef14dce64d27c030068e5cf8b0100000500000068656c6c6f2b370f4c3b059aabec1b5fbeb30b33483ea2dc1afeed16dd8812042859e06621378bd3206508f5d9e28bed4c3ec442eb63b3f69da9f4fd98851682ca6b9a5602"
    );
    assert_eq!(hex(&e1.hash()), "87897485c7edb66c481ca479459a6eec8dd415c6f1314b58a755441d1d8bf1af");
    assert_eq!(
        hex(&e1.encode()),
        "0100000000000000724dd00b56ccb566d878e8f8ed5b930735a50a521f36643badd93c5d69926c370168e5cf8b01000000000000f3a9dc2a149ec609106a6a8e95afec43a877445237372959d4bc6e550c20eb7b496eb63185929b4d7dfbb2b7a1542e8fcd7c6824f4d64475010e2fca2eaa4a07"
    );
}

proptest::proptest! {
    #[test]
    fn any_entry_round_trips(
        index: u64,
        prev: [u8; 32],
        time_ms: u64,
        payload in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600),
        sig_lo: [u8; 32],
        sig_hi: [u8; 32],
    ) {
        let mut signature = [0; 64];
        signature[..32].copy_from_slice(&sig_lo);
        signature[32..].copy_from_slice(&sig_hi);
        let entry = Entry { index, prev, time_ms, payload, signature };
        proptest::prop_assert_eq!(Entry::decode(&entry.encode()), Ok(entry.clone()));
        let json = serde_json::to_string(&entry).unwrap();
        proptest::prop_assert_eq!(serde_json::from_str::<Entry>(&json).unwrap(), entry);
    }

    #[test]
    fn decoding_any_bytes_is_an_entry_or_an_error(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
        // Whatever decodes re-encodes to the same bytes: the encoding is canonical.
        if let Ok(entry) = Entry::decode(&bytes) {
            proptest::prop_assert_eq!(entry.encode(), bytes);
        }
    }
}
