//! The RocksDB storage through its public API: round trips, refusals, and durability
//! across `kill -9` of a real process.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use refute_arbiter::db::{Db, DbError, MAX_BLOB, Transition};
use refute_protocol::log::{ArbiterKey, Chain, Entry, Head};

fn key() -> ArbiterKey {
    ArbiterKey::from_secret(&[5; 32])
}

fn genesis() -> Head {
    Head::genesis(&key().public(), &[1; 32])
}

fn chain(db: &Db) -> Chain {
    Chain::new(db.log_head().unwrap_or(genesis()))
}

/// The transition the crash child commits as entry `i`: it counts, keeps a record per
/// entry and deletes the record of three entries before.
fn counting(chain: &mut Chain, i: u64) -> Transition {
    let entry = chain.append(&key(), 1_000 + i, format!("entry {i}").into_bytes()).unwrap();
    assert_eq!(entry.index, i);
    Transition {
        entry,
        puts: vec![(b"counter".to_vec(), i.to_le_bytes().to_vec()), (record(i), vec![7; 500])],
        deletes: i.checked_sub(3).map(record).into_iter().collect(),
    }
}

fn record(i: u64) -> Vec<u8> {
    format!("rec/{i:020}").into_bytes()
}

/// Checks everything a database holding entries `0..next` must satisfy.
fn check_consistent(db: &Db, next: u64) {
    let head = db.verify_log(genesis(), &key().public()).unwrap();
    assert_eq!(head.next, next);
    let entries: Vec<Entry> = db.log_entries(0).collect::<Result<_, _>>().unwrap();
    assert_eq!(entries.len() as u64, next);
    assert_eq!(db.get_state(b"counter").unwrap(), Some((next - 1).to_le_bytes().to_vec()));
    let records: Vec<Vec<u8>> = db.iter_state_prefix(b"rec/").map(|kv| kv.unwrap().0).collect();
    let expected: Vec<Vec<u8>> = (next.saturating_sub(3)..next).map(record).collect();
    assert_eq!(records, expected);
}

#[test]
fn commits_round_trip_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let db = Db::open(&path).unwrap();
        assert_eq!(db.log_head(), None);
        let mut chain = chain(&db);
        db.commit(&[counting(&mut chain, 0)]).unwrap();
        let batch: Vec<_> = (1..10).map(|i| counting(&mut chain, i)).collect();
        db.commit(&batch).unwrap();
        db.commit(&[]).unwrap();
        assert_eq!(db.log_head(), Some(chain.head()));
        check_consistent(&db, 10);
    }
    let db = Db::open(&path).unwrap();
    check_consistent(&db, 10);
    let from_five: Vec<u64> = db.log_entries(5).map(|e| e.unwrap().index).collect();
    assert_eq!(from_five, (5..10).collect::<Vec<_>>());
    assert_eq!(db.get_state(b"missing").unwrap(), None);
}

#[test]
fn prefix_iteration_stops_at_the_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap();
    let mut chain = chain(&db);
    let entry = chain.append(&key(), 0, vec![]).unwrap();
    let keys: [&[u8]; 6] = [b"a", b"b", b"b\x00", b"b\xff", b"ba", b"c"];
    let puts = keys.iter().map(|k| (k.to_vec(), k.to_vec())).collect();
    db.commit(&[Transition { entry, puts, deletes: vec![] }]).unwrap();
    let got: Vec<Vec<u8>> = db.iter_state_prefix(b"b").map(|kv| kv.unwrap().1).collect();
    assert_eq!(got, [&b"b"[..], b"b\x00", b"ba", b"b\xff"]);
    assert_eq!(db.iter_state_prefix(b"").count(), 6);
}

#[test]
fn a_transition_that_does_not_extend_the_log_is_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap();
    let mut chain = chain(&db);
    let first = counting(&mut chain, 0);
    db.commit(std::slice::from_ref(&first)).unwrap();
    let good = counting(&mut chain, 1);
    let mut gap = counting(&mut chain, 2);
    gap.entry.index = 3;
    let err = db.commit(&[good.clone(), gap]).unwrap_err();
    assert!(matches!(err, DbError::NotNext { index: 3, expected: 2, what: "index" }), "{err}");
    // Nothing of the refused batch was written, not even its valid first transition.
    assert_eq!(db.log_head().unwrap().next, 1);
    check_consistent(&db, 1);
    let err = db.commit(&[first]).unwrap_err();
    assert!(matches!(err, DbError::NotNext { index: 0, expected: 1, .. }), "{err}");
    let mut wrong_prev = good.clone();
    wrong_prev.entry.prev = [0; 32];
    let err = db.commit(&[wrong_prev]).unwrap_err();
    assert_eq!(err.to_string(), "entry 1 does not extend the log, whose next entry is 1: wrong prev");
    db.commit(&[good]).unwrap();
    check_consistent(&db, 2);
}

#[test]
fn blobs_are_content_addressed() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap();
    let small = b"\0asm\x01\0\0\0".to_vec();
    let large = vec![0xab; 100_000];
    let h_small = db.put_blob(&small).unwrap();
    let h_large = db.put_blob(&large).unwrap();
    assert_eq!(
        refute_protocol::log::hex_string(&h_small),
        // sha256sum of the 8-byte empty module header
        "93a44bbb96c751218e4c00d479e4c14358122a389acca16205b1e4d0dc5f9476"
    );
    assert_eq!(db.get_blob(&h_small).unwrap(), Some(small));
    assert_eq!(db.get_blob(&h_large).unwrap(), Some(large));
    assert_eq!(db.get_blob(&[0; 32]).unwrap(), None);
    let err = db.put_blob(&vec![0; MAX_BLOB + 1]).unwrap_err();
    assert!(matches!(err, DbError::BlobTooLarge { .. }), "{err}");
}

#[test]
fn a_directory_that_is_not_a_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hello").unwrap();
    let err = Db::open(dir.path()).unwrap_err();
    assert!(matches!(err, DbError::NotADatabase { .. }), "{err}");
    assert!(err.to_string().contains("is not empty and holds no RocksDB database"), "{err}");
    let file = dir.path().join("notes.txt");
    let err = Db::open(&file).unwrap_err();
    assert!(matches!(err, DbError::Io { op: "create", .. }), "{err}");
}

#[test]
fn a_database_open_in_this_process_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let _db = Db::open(dir.path()).unwrap();
    let err = Db::open(dir.path()).unwrap_err();
    assert!(matches!(err, DbError::Locked { .. }), "{err}");
    assert!(err.to_string().contains("locked by another process"), "{err}");
}

#[test]
fn db_is_shareable_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Db>();
}

const CHILD_ENV: &str = "REFUTE_DB_CRASH_CHILD";

/// In the crash test's child process: commits batches of 1 to 8 transitions until
/// killed, printing `committed <last index>` after each commit returns.
#[test]
fn crash_child() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else { return };
    let db = Db::open(Path::new(&dir)).unwrap();
    let mut chain = chain(&db);
    let started = Instant::now();
    let mut rng = Rng::seeded();
    // A time limit, so a child whose parent died does not run forever.
    while started.elapsed() < Duration::from_secs(60) {
        let next = chain.head().next;
        let batch: Vec<_> = (next..next + 1 + rng.below(8)).map(|i| counting(&mut chain, i)).collect();
        db.commit(&batch).unwrap();
        println!("committed {}", chain.head().next - 1);
    }
}

/// Kills a process committing in a loop at random moments, then checks that every
/// commit it reported is there, whole, and that the log verifies.
#[test]
fn every_reported_commit_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut rng = Rng::seeded();
    let mut reported = None;
    for round in 0..10 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let wanted = 1 + rng.below(40);
        let mut seen = 0;
        while seen < wanted {
            let line = lines.next().expect("the child stopped early").unwrap();
            if let Some(index) = line.strip_prefix("committed ") {
                reported = Some(index.parse::<u64>().unwrap());
                seen += 1;
            }
        }
        if round == 0 {
            let err = Db::open(&path).unwrap_err();
            assert!(matches!(err, DbError::Locked { .. }), "{err}");
        }
        std::thread::sleep(Duration::from_micros(rng.below(5_000)));
        child.kill().unwrap();
        // Lines written before the kill report commits too.
        for line in lines {
            if let Some(index) = line.unwrap().strip_prefix("committed ") {
                reported = Some(index.parse::<u64>().unwrap());
            }
        }
        child.wait().unwrap();
        let db = Db::open(&path).unwrap();
        let next = db.log_head().unwrap().next;
        assert!(next > reported.unwrap(), "round {round}: reported {reported:?}, head {next}");
        check_consistent(&db, next);
        eprintln!(
            "round {round}: {seen} commits seen, last reported {reported:?}, {next} entries after reopen"
        );
    }
}

/// xorshift64, seeded from the clock: the kill moments differ from run to run.
struct Rng(u64);

impl Rng {
    fn seeded() -> Rng {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        Rng(nanos as u64 | 1)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}
