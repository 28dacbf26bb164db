//! RocksDB storage: the log, the state records and content-addressed blobs, with every
//! transition written in one atomic, synced write batch (`specs/log.md` §5).
//!
//! Column families:
//! - [`CF_META`]: [`FORMAT_KEY`] → `u32le(`[`FORMAT_VERSION`]`)`, [`HEAD_KEY`] → [`Head::encode`].
//! - [`CF_LOG`]: `u64be(index)` → [`Entry::encode`], so keys sort in log order.
//! - [`CF_STATE`]: the rules' records, key → value, opaque here; and two
//!   records per blob: its length under [`BLOB_LEN`], while it is stored, and
//!   its upload time under [`BLOB_AT`], while it waits for a claim.
//! - [`CF_BLOBS`]: `SHA256(bytes)` → bytes (modules and inputs).

mod error;
mod open;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};

use ed25519_dalek::VerifyingKey;
use rocksdb::{DB, Direction, IteratorMode, ReadOptions, WriteBatch, WriteOptions};
use sha2::{Digest, Sha256};

use refute_protocol::log::{Chain, Entry, Hash, Head};

pub use error::DbError;

/// The version of the on-disk layout this code reads and writes.
pub const FORMAT_VERSION: u32 = 1;
/// The column family of metadata.
pub const CF_META: &str = "meta";
/// The column family of log entries.
pub const CF_LOG: &str = "log";
/// The column family of state records.
pub const CF_STATE: &str = "state";
/// The column family of blobs.
pub const CF_BLOBS: &str = "blobs";
/// The key of the format version in [`CF_META`].
pub const FORMAT_KEY: &[u8] = b"format";
/// The key of the log head in [`CF_META`].
pub const HEAD_KEY: &[u8] = b"head";
/// Prefix of the state records that note when an unreferenced blob was
/// uploaded (`u64le` ms), until it is kept or deleted.
pub const BLOB_AT: &[u8] = b"blob_at/";
/// Prefix of the state records that mark a blob a claim refers to: it is
/// kept for good, even if the same bytes are uploaded again later.
pub const BLOB_KEPT: &[u8] = b"blob_kept/";
/// Prefix of the state records that hold a stored blob's length (`u64le`),
/// written with the blob and deleted with it: a blob's size is known
/// without reading the blob.
pub const BLOB_LEN: &[u8] = b"blob_len/";
/// The largest blob: the engine's largest module.
pub const MAX_BLOB: usize = refute_engine::limits::MAX_MODULE_BYTES;

/// One accepted transition: its log entry and the state records it changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    /// The signed log entry (from [`Chain::append`]).
    pub entry: Entry,
    /// Records to write, key → value. Applied after `deletes`, so a key in both is written.
    pub puts: Vec<(Vec<u8>, Vec<u8>)>,
    /// Records to delete.
    pub deletes: Vec<Vec<u8>>,
}

/// An open arbiter database. One process at a time: RocksDB locks the directory.
pub struct Db {
    db: DB,
    dir: PathBuf,
    /// The log head as committed; `None` while the log is empty. Held across a commit so
    /// commits are checked and written one at a time.
    head: Mutex<Option<Head>>,
    /// Commits still to fail on purpose (tests of the rollback; see [`Db::fail_commits`]).
    failing: AtomicU32,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("dir", &self.dir).field("head", &self.log_head()).finish()
    }
}

impl Db {
    /// Opens the database in `dir`, creating the directory and the database if needed.
    ///
    /// Refuses a directory locked by another process ([`DbError::Locked`]), one holding
    /// another format version ([`DbError::FormatMismatch`]) or something other than an
    /// arbiter database ([`DbError::NotADatabase`]), and a log whose stored head does not
    /// match its last entry ([`DbError::Corrupt`]).
    pub fn open(dir: &Path) -> Result<Db, DbError> {
        open::open(dir)
    }

    /// The directory the database is in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The head after the last committed entry, or `None` if the log is empty (then the
    /// next entry chains onto [`Head::genesis`]).
    pub fn log_head(&self) -> Option<Head> {
        *self.lock_head()
    }

    /// Writes all `transitions` in one write batch, synced to disk before this returns:
    /// their entries, their state changes and the new log head. Either all of it survives
    /// a crash or none of it does.
    ///
    /// Group commit: give every transition accepted since the last commit at once, so
    /// they share one fsync. Each entry must extend the log: its index the next one, its
    /// `prev` the hash of the entry before, its time no earlier. Signatures and the
    /// genesis hash are not checked here ([`Db::verify_log`] does).
    pub fn commit(&self, transitions: &[Transition]) -> Result<(), DbError> {
        let mut head = self.lock_head();
        if !transitions.is_empty()
            && self.failing.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok()
        {
            return Err(DbError::Injected { dir: self.dir.clone() });
        }
        let mut next = *head;
        let mut batch = WriteBatch::default();
        let (log, state) = (self.cf(CF_LOG), self.cf(CF_STATE));
        for t in transitions {
            let e = &t.entry;
            let expected = next.map_or(0, |h| h.next);
            let wrong = |what| DbError::NotNext { index: e.index, expected, what };
            if e.index != expected {
                return Err(wrong("index"));
            }
            if let Some(h) = next {
                if e.prev != h.hash {
                    return Err(wrong("prev"));
                }
                if e.time_ms < h.time_ms {
                    return Err(wrong("time"));
                }
            }
            batch.put_cf(log, e.index.to_be_bytes(), e.encode());
            for key in &t.deletes {
                batch.delete_cf(state, key);
            }
            for (key, value) in &t.puts {
                batch.put_cf(state, key, value);
            }
            next = Some(Head { next: e.index + 1, hash: e.hash(), time_ms: e.time_ms });
        }
        let Some(new_head) = next.filter(|_| !transitions.is_empty()) else { return Ok(()) };
        batch.put_cf(self.cf(CF_META), HEAD_KEY, new_head.encode());
        self.db.write_opt(batch, &synced()).map_err(|e| self.rocks(e))?;
        *head = Some(new_head);
        Ok(())
    }

    /// Makes the next `n` commits of at least one transition fail before
    /// writing anything, as a full disk would: for tests of what the service
    /// does when storage fails. Nothing else calls it.
    #[doc(hidden)]
    pub fn fail_commits(&self, n: u32) {
        self.failing.store(n, Ordering::SeqCst);
    }

    /// Writes the state record `key`, synced.
    pub fn put_state(&self, key: &[u8], value: &[u8]) -> Result<(), DbError> {
        self.db.put_cf_opt(self.cf(CF_STATE), key, value, &synced()).map_err(|e| self.rocks(e))
    }

    /// Writes the state record `key` without syncing: for hints whose loss
    /// in a crash is harmless (the service's last time alive).
    pub fn put_state_unsynced(&self, key: &[u8], value: &[u8]) -> Result<(), DbError> {
        self.db.put_cf(self.cf(CF_STATE), key, value).map_err(|e| self.rocks(e))
    }

    /// The state record at `key`.
    pub fn get_state(&self, key: &[u8]) -> Result<Option<Vec<u8>>, DbError> {
        self.db.get_cf(self.cf(CF_STATE), key).map_err(|e| self.rocks(e))
    }

    /// Writes the state records `puts` in one synced batch (records that are
    /// not part of a transition, or that repeat one idempotently).
    pub fn put_states(&self, puts: &[(Vec<u8>, Vec<u8>)]) -> Result<(), DbError> {
        let mut batch = WriteBatch::default();
        for (k, v) in puts {
            batch.put_cf(self.cf(CF_STATE), k, v);
        }
        self.db.write_opt(batch, &synced()).map_err(|e| self.rocks(e))
    }

    /// Deletes the state records `keys` in one synced batch.
    pub fn delete_states(&self, keys: &[Vec<u8>]) -> Result<(), DbError> {
        let mut batch = WriteBatch::default();
        for k in keys {
            batch.delete_cf(self.cf(CF_STATE), k);
        }
        self.db.write_opt(batch, &synced()).map_err(|e| self.rocks(e))
    }

    /// The state records whose keys start with `prefix`, in key order.
    pub fn iter_state_prefix(
        &self,
        prefix: &[u8],
    ) -> impl Iterator<Item = Result<(Vec<u8>, Vec<u8>), DbError>> + '_ {
        self.iter_state_from(prefix, prefix)
    }

    /// The state records whose keys start with `prefix`, from key `start`
    /// on (`start` itself included), in key order.
    pub fn iter_state_from(
        &self,
        prefix: &[u8],
        start: &[u8],
    ) -> impl Iterator<Item = Result<(Vec<u8>, Vec<u8>), DbError>> + '_ {
        let mut opts = ReadOptions::default();
        if let Some(end) = prefix_end(prefix) {
            opts.set_iterate_upper_bound(end);
        }
        let start = start.max(prefix);
        let mode = IteratorMode::From(start, Direction::Forward);
        self.db
            .iterator_cf_opt(self.cf(CF_STATE), opts, mode)
            .map(|kv| kv.map(|(k, v)| (k.into_vec(), v.into_vec())).map_err(|e| self.rocks(e)))
    }

    /// The state records whose keys start with `prefix`, last key first.
    pub fn iter_state_rev(
        &self,
        prefix: &[u8],
    ) -> impl Iterator<Item = Result<(Vec<u8>, Vec<u8>), DbError>> + '_ {
        let mut opts = ReadOptions::default();
        opts.set_iterate_lower_bound(prefix.to_vec());
        if let Some(end) = prefix_end(prefix) {
            opts.set_iterate_upper_bound(end);
        }
        self.db
            .iterator_cf_opt(self.cf(CF_STATE), opts, IteratorMode::End)
            .map(|kv| kv.map(|(k, v)| (k.into_vec(), v.into_vec())).map_err(|e| self.rocks(e)))
    }

    /// The log entries from index `from` on, in order. An entry stored under the wrong
    /// key or not decoding is reported as [`DbError::Corrupt`].
    pub fn log_entries(&self, from: u64) -> impl Iterator<Item = Result<Entry, DbError>> + '_ {
        self.log_encoded(from).map(|item| {
            let (index, bytes) = item?;
            let entry = Entry::decode(&bytes)
                .map_err(|e| self.corrupt(format!("log entry {index} does not decode: {e}")))?;
            if entry.index != index {
                return Err(self.corrupt(format!("log entry {} is stored as entry {index}", entry.index)));
            }
            Ok(entry)
        })
    }

    /// The stored log from index `from` on, as `(index, encoded entry)` in order.
    pub fn log_encoded(&self, from: u64) -> impl Iterator<Item = Result<(u64, Vec<u8>), DbError>> + '_ {
        let from = from.to_be_bytes();
        let iter = self.db.iterator_cf(self.cf(CF_LOG), IteratorMode::From(&from, Direction::Forward));
        iter.map(|kv| {
            let (k, v) = kv.map_err(|e| self.rocks(e))?;
            let index = <[u8; 8]>::try_from(&*k)
                .map_err(|_| self.corrupt(format!("log key of {} bytes", k.len())))?;
            Ok((u64::from_be_bytes(index), v.into_vec()))
        })
    }

    /// Checks the whole stored log against `genesis` ([`Head::genesis`]) and the arbiter's
    /// key, and that the stored head is its end. Returns that head.
    pub fn verify_log(&self, genesis: Head, arbiter: &VerifyingKey) -> Result<Head, DbError> {
        let mut chain = Chain::new(genesis);
        for item in self.log_encoded(0) {
            let (index, bytes) = item?;
            let entry = chain.accept_encoded(arbiter, &bytes)?;
            if entry.index != index {
                return Err(self.corrupt(format!("log entry {} is stored as entry {index}", entry.index)));
            }
        }
        let stored = self.log_head().unwrap_or(genesis);
        if stored != chain.head() {
            return Err(
                self.corrupt(format!("stored head {stored:?} is not the log's end {:?}", chain.head()))
            );
        }
        Ok(stored)
    }

    /// Stores `bytes` under their SHA-256, with their length under
    /// [`BLOB_LEN`], and returns the hash. Synced, so a transition committed
    /// afterwards may refer to it. Storing the same bytes twice is harmless.
    pub fn put_blob(&self, bytes: &[u8]) -> Result<Hash, DbError> {
        if bytes.len() > MAX_BLOB {
            return Err(DbError::BlobTooLarge { len: bytes.len(), max: MAX_BLOB });
        }
        let hash: Hash = Sha256::digest(bytes).into();
        let mut batch = WriteBatch::default();
        self.batch_blob(&mut batch, &hash, bytes);
        self.db.write_opt(batch, &synced()).map_err(|e| self.rocks(e))?;
        Ok(hash)
    }

    /// Stores `bytes` as [`Db::put_hashed_blob_at`] does, hashing them here.
    pub fn put_blob_at(&self, bytes: &[u8], now_ms: u64) -> Result<Hash, DbError> {
        if bytes.len() > MAX_BLOB {
            return Err(DbError::BlobTooLarge { len: bytes.len(), max: MAX_BLOB });
        }
        let hash: Hash = Sha256::digest(bytes).into();
        self.put_hashed_blob_at(&hash, bytes, now_ms)?;
        Ok(hash)
    }

    /// Stores an uploaded blob, `bytes`, whose SHA-256 the caller computed as
    /// `hash` (reads trust the key: it is not checked again), and notes its
    /// upload time under [`BLOB_AT`], all in one synced write, so that
    /// [`Db::expired_blobs`] finds it if no claim ever refers to it. Returns
    /// whether it was new.
    ///
    /// A blob already stored is not written again: if it still waits for a
    /// claim its time-to-live restarts ([`Db::refresh_blob`]); if a claim
    /// kept it, it stays kept, with no upload time that would expire it.
    pub fn put_hashed_blob_at(&self, hash: &Hash, bytes: &[u8], now_ms: u64) -> Result<bool, DbError> {
        if bytes.len() > MAX_BLOB {
            return Err(DbError::BlobTooLarge { len: bytes.len(), max: MAX_BLOB });
        }
        if self.blob_len(hash)?.is_some() {
            self.refresh_blob(hash, now_ms)?;
            return Ok(false);
        }
        let mut batch = WriteBatch::default();
        self.batch_blob(&mut batch, hash, bytes);
        batch.put_cf(self.cf(CF_STATE), [BLOB_AT, &hash[..]].concat(), now_ms.to_le_bytes());
        self.db.write_opt(batch, &synced()).map_err(|e| self.rocks(e))?;
        Ok(true)
    }

    /// Adds blob `bytes` (SHA-256 `hash`) and its length record to `batch`.
    fn batch_blob(&self, batch: &mut WriteBatch, hash: &Hash, bytes: &[u8]) {
        batch.put_cf(self.cf(CF_BLOBS), hash, bytes);
        batch.put_cf(self.cf(CF_STATE), [BLOB_LEN, &hash[..]].concat(), (bytes.len() as u64).to_le_bytes());
    }

    /// The length of blob `hash`, if it is stored, from its [`BLOB_LEN`]
    /// record. A blob stored before those records existed has none: its
    /// length is then read from the blob itself, without copying it.
    pub fn blob_len(&self, hash: &Hash) -> Result<Option<u64>, DbError> {
        if let Some(v) = self.get_state(&[BLOB_LEN, &hash[..]].concat())? {
            let len = <[u8; 8]>::try_from(&v[..])
                .map_err(|_| self.corrupt(format!("the length record of a blob is {} bytes", v.len())))?;
            return Ok(Some(u64::from_le_bytes(len)));
        }
        let blob = self.db.get_pinned_cf(self.cf(CF_BLOBS), hash).map_err(|e| self.rocks(e))?;
        Ok(blob.map(|b| b.len() as u64))
    }

    /// Blobs uploaded with [`Db::put_blob_at`] at or before `before_ms` and
    /// not yet kept or deleted, oldest key first, at most `max`.
    pub fn expired_blobs(&self, before_ms: u64, max: usize) -> Result<Vec<Hash>, DbError> {
        let mut out = Vec::new();
        for kv in self.iter_state_prefix(BLOB_AT) {
            let (k, v) = kv?;
            let at = v.try_into().map(u64::from_le_bytes).unwrap_or(0);
            if let (true, Ok(h)) = (at <= before_ms, Hash::try_from(&k[BLOB_AT.len()..])) {
                out.push(h);
                if out.len() == max {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// Restarts the time-to-live of blob `hash` at `now_ms`, if it is still
    /// waiting for a claim.
    pub fn refresh_blob(&self, hash: &Hash, now_ms: u64) -> Result<(), DbError> {
        let key = [BLOB_AT, &hash[..]].concat();
        if self.get_state(&key)?.is_some() {
            self.db.put_cf(self.cf(CF_STATE), key, now_ms.to_le_bytes()).map_err(|e| self.rocks(e))?;
        }
        Ok(())
    }

    /// Keeps blob `hash` for good (a claim refers to it), or deletes it
    /// with its length record, and forgets its upload time, in one write.
    pub fn settle_blob(&self, hash: &Hash, keep: bool) -> Result<(), DbError> {
        let mut batch = WriteBatch::default();
        if !keep {
            batch.delete_cf(self.cf(CF_BLOBS), hash);
            batch.delete_cf(self.cf(CF_STATE), [BLOB_LEN, &hash[..]].concat());
        }
        batch.delete_cf(self.cf(CF_STATE), [BLOB_AT, &hash[..]].concat());
        self.db.write_opt(batch, &synced()).map_err(|e| self.rocks(e))
    }

    /// The blob whose SHA-256 is `hash`. Not hashed again: a blob is stored
    /// under its hash only once it was hashed, RocksDB checks its blocks'
    /// checksums on every read, and clients check the hash of what they get.
    pub fn get_blob(&self, hash: &Hash) -> Result<Option<Vec<u8>>, DbError> {
        self.db.get_cf(self.cf(CF_BLOBS), hash).map_err(|e| self.rocks(e))
    }

    fn cf(&self, name: &str) -> &rocksdb::ColumnFamily {
        self.db.cf_handle(name).expect("open creates every column family")
    }

    fn lock_head(&self) -> MutexGuard<'_, Option<Head>> {
        // A panic while holding the lock cannot leave the head half-updated: it is
        // assigned once, after the write succeeded.
        self.head.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn rocks(&self, source: rocksdb::Error) -> DbError {
        DbError::Rocks { dir: self.dir.clone(), source }
    }

    pub(crate) fn corrupt(&self, what: String) -> DbError {
        DbError::Corrupt { dir: self.dir.clone(), what }
    }
}

fn synced() -> WriteOptions {
    let mut opts = WriteOptions::default();
    opts.set_sync(true);
    opts
}

/// The least key greater than every key starting with `prefix`, if there is one.
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let last = prefix.iter().rposition(|&b| b != 0xff)?;
    let mut end = prefix[..=last].to_vec();
    end[last] += 1;
    Some(end)
}
