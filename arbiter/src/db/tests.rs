use super::*;
use refute_protocol::log::{ArbiterKey, Chain};

fn key() -> ArbiterKey {
    ArbiterKey::from_secret(&[3; 32])
}

fn genesis() -> Head {
    Head::genesis(&key().public(), &[0; 32])
}

/// Commits `n` transitions, each putting `counter` = its index.
fn fill(db: &Db, n: u64) -> Vec<Entry> {
    let mut chain = Chain::new(db.log_head().unwrap_or(genesis()));
    let transitions: Vec<_> = (0..n)
        .map(|i| Transition {
            entry: chain.append(&key(), i, vec![i as u8; 10]).unwrap(),
            puts: vec![(b"counter".to_vec(), i.to_le_bytes().to_vec())],
            deletes: vec![],
        })
        .collect();
    db.commit(&transitions).unwrap();
    transitions.into_iter().map(|t| t.entry).collect()
}

#[test]
fn tampering_any_stored_byte_fails_verification_naming_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap();
    let entries = fill(&db, 3);
    let stored = entries[1].encode();
    for i in 0..stored.len() {
        let mut tampered = stored.clone();
        tampered[i] ^= 0x80;
        db.db.put_cf(db.cf(CF_LOG), 1u64.to_be_bytes(), &tampered).unwrap();
        match db.verify_log(genesis(), &key().public()) {
            Err(DbError::Log(e)) => assert_eq!(e.index, 1, "byte {i}: {e}"),
            other => panic!("byte {i}: {other:?}"),
        }
    }
    db.db.put_cf(db.cf(CF_LOG), 1u64.to_be_bytes(), &stored).unwrap();
    assert_eq!(db.verify_log(genesis(), &key().public()).unwrap(), db.log_head().unwrap());
}

#[test]
fn an_entry_under_the_wrong_key_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap();
    let entries = fill(&db, 2);
    db.db.put_cf(db.cf(CF_LOG), 5u64.to_be_bytes(), entries[1].encode()).unwrap();
    let err = db.log_entries(0).collect::<Result<Vec<_>, _>>().unwrap_err();
    assert!(err.to_string().contains("log entry 1 is stored as entry 5"), "{err}");
}

#[test]
fn another_format_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = Db::open(dir.path()).unwrap();
        db.db.put_cf(db.cf(CF_META), FORMAT_KEY, 2u32.to_le_bytes()).unwrap();
    }
    let err = Db::open(dir.path()).unwrap_err();
    assert!(matches!(err, DbError::FormatMismatch { found: 2, expected: 1, .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains(&dir.path().display().to_string()) && msg.contains("format version 2"), "{msg}");
}

#[test]
fn a_head_that_is_not_the_end_of_the_log_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = Db::open(dir.path()).unwrap();
        fill(&db, 3);
        db.db.delete_cf(db.cf(CF_LOG), 2u64.to_be_bytes()).unwrap();
    }
    let err = Db::open(dir.path()).unwrap_err();
    assert!(matches!(err, DbError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("not the end of the log (last entry Some(1))"), "{err}");
}

#[test]
fn prefix_end_is_the_least_key_past_the_prefix() {
    assert_eq!(prefix_end(b"ab"), Some(b"ac".to_vec()));
    assert_eq!(prefix_end(&[1, 0xff]), Some(vec![2]));
    assert_eq!(prefix_end(&[0xff, 0xff]), None);
    assert_eq!(prefix_end(b""), None);
}

#[test]
fn a_blob_s_length_is_known_without_reading_it_and_a_kept_blob_stays_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap();
    let bytes = vec![7u8; 1000];
    let hash: Hash = Sha256::digest(&bytes).into();
    let at = |db: &Db| db.get_state(&[BLOB_AT, &hash[..]].concat()).unwrap();
    assert_eq!(db.blob_len(&hash).unwrap(), None);
    assert!(db.put_hashed_blob_at(&hash, &bytes, 5).unwrap(), "a new blob");
    assert_eq!(db.blob_len(&hash).unwrap(), Some(1000));
    assert_eq!(at(&db), Some(5u64.to_le_bytes().to_vec()));
    // Uploaded again while it waits: stored once, its time-to-live restarts.
    assert!(!db.put_hashed_blob_at(&hash, &bytes, 9).unwrap());
    assert_eq!(at(&db), Some(9u64.to_le_bytes().to_vec()));
    // Kept by a claim, then uploaded again: still kept, with no time to expire.
    db.settle_blob(&hash, true).unwrap();
    assert!(!db.put_hashed_blob_at(&hash, &bytes, 12).unwrap());
    assert_eq!(at(&db), None);
    assert!(db.expired_blobs(u64::MAX, 10).unwrap().is_empty());
    // A blob stored before length records existed: its length is read from it.
    db.db.delete_cf(db.cf(CF_STATE), [BLOB_LEN, &hash[..]].concat()).unwrap();
    assert_eq!(db.blob_len(&hash).unwrap(), Some(1000));
    assert!(!db.put_hashed_blob_at(&hash, &bytes, 14).unwrap(), "known as stored all the same");
    // Deleted: the blob and its length record both.
    db.put_state(&[BLOB_LEN, &hash[..]].concat(), &1000u64.to_le_bytes()).unwrap();
    db.settle_blob(&hash, false).unwrap();
    assert_eq!((db.blob_len(&hash).unwrap(), db.get_blob(&hash).unwrap()), (None, None));
    assert_eq!(db.get_state(&[BLOB_LEN, &hash[..]].concat()).unwrap(), None);
}
