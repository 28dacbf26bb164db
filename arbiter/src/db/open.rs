//! [`Db::open`](super::Db::open): checking what is in the directory before using it.

use std::fs;
use std::path::Path;
use std::sync::Mutex;

use rocksdb::{ColumnFamilyDescriptor, DB, ErrorKind, IteratorMode, Options};

use super::{CF_BLOBS, CF_LOG, CF_META, CF_STATE, Db, DbError, FORMAT_KEY, FORMAT_VERSION, HEAD_KEY, synced};
use refute_protocol::log::{Entry, Head};

/// Blobs at least this long go to RocksDB's blob files instead of its sorted tables, so
/// compaction does not rewrite modules again and again.
const MIN_BLOB_FILE_VALUE: u64 = 4096;

pub(super) fn open(dir: &Path) -> Result<Db, DbError> {
    let io = |op| move |source| DbError::Io { dir: dir.to_owned(), op, source };
    fs::create_dir_all(dir).map_err(io("create"))?;
    let not_db = |reason: &str| DbError::NotADatabase { dir: dir.to_owned(), reason: reason.to_owned() };
    let fresh = !dir.join("CURRENT").exists();
    if fresh && fs::read_dir(dir).map_err(io("read"))?.next().is_some() {
        return Err(not_db("it is not empty and holds no RocksDB database"));
    }
    let mut opts = Options::default();
    opts.create_if_missing(fresh);
    opts.create_missing_column_families(fresh);
    if !fresh {
        let cfs = DB::list_cf(&opts, dir).map_err(|e| rocks_open(dir, e))?;
        if let Some(cf) =
            [CF_META, CF_LOG, CF_STATE, CF_BLOBS].iter().find(|cf| !cfs.iter().any(|c| c == *cf))
        {
            return Err(not_db(&format!("it is a RocksDB database without the column family {cf:?}")));
        }
    }
    let mut blob_opts = Options::default();
    blob_opts.set_enable_blob_files(true);
    blob_opts.set_min_blob_size(MIN_BLOB_FILE_VALUE);
    let cfs = [
        ColumnFamilyDescriptor::new(CF_META, Options::default()),
        ColumnFamilyDescriptor::new(CF_LOG, Options::default()),
        ColumnFamilyDescriptor::new(CF_STATE, Options::default()),
        ColumnFamilyDescriptor::new(CF_BLOBS, blob_opts),
    ];
    let db = DB::open_cf_descriptors(&opts, dir, cfs).map_err(|e| rocks_open(dir, e))?;
    let db = Db { db, dir: dir.to_owned(), head: Mutex::new(None), failing: Default::default() };
    check_format(&db)?;
    let head = check_head(&db)?;
    *db.lock_head() = head;
    Ok(db)
}

/// A lock failure is an I/O error about the `LOCK` file; say so plainly.
fn rocks_open(dir: &Path, source: rocksdb::Error) -> DbError {
    if source.kind() == ErrorKind::IOError && source.as_ref().contains("LOCK") {
        DbError::Locked { dir: dir.to_owned() }
    } else {
        DbError::Rocks { dir: dir.to_owned(), source }
    }
}

/// Reads the format version, writing it into a database that has none and no log yet
/// (a new one, or one whose creation was cut short).
fn check_format(db: &Db) -> Result<(), DbError> {
    let meta = db.cf(CF_META);
    match db.db.get_cf(meta, FORMAT_KEY).map_err(|e| db.rocks(e))? {
        Some(v) => {
            let found = <[u8; 4]>::try_from(&v[..])
                .map_err(|_| db.corrupt(format!("format version of {} bytes", v.len())))?;
            let found = u32::from_le_bytes(found);
            if found != FORMAT_VERSION {
                return Err(DbError::FormatMismatch { dir: db.dir.clone(), found, expected: FORMAT_VERSION });
            }
            Ok(())
        }
        None => {
            if db.db.iterator_cf(db.cf(CF_LOG), IteratorMode::Start).next().is_some() {
                return Err(db.corrupt("a log without a format version".to_owned()));
            }
            let version = FORMAT_VERSION.to_le_bytes();
            db.db.put_cf_opt(meta, FORMAT_KEY, version, &synced()).map_err(|e| db.rocks(e))
        }
    }
}

/// Reads the stored head and checks it against the last stored entry.
fn check_head(db: &Db) -> Result<Option<Head>, DbError> {
    let stored = db.db.get_cf(db.cf(CF_META), HEAD_KEY).map_err(|e| db.rocks(e))?;
    let head = match stored {
        Some(bytes) => {
            Some(Head::decode(&bytes).ok_or_else(|| db.corrupt(format!("head of {} bytes", bytes.len())))?)
        }
        None => None,
    };
    let last =
        db.db.iterator_cf(db.cf(CF_LOG), IteratorMode::End).next().transpose().map_err(|e| db.rocks(e))?;
    let last = match last {
        Some((_, bytes)) => Some(
            Entry::decode(&bytes)
                .map_err(|e| db.corrupt(format!("the last log entry does not decode: {e}")))?,
        ),
        None => None,
    };
    match (head, last) {
        (None, None) => Ok(None),
        (Some(h), Some(e)) if h.next == e.index + 1 && h.hash == e.hash() && h.time_ms == e.time_ms => {
            Ok(head)
        }
        (h, e) => Err(db.corrupt(format!(
            "the stored head {h:?} is not the end of the log (last entry {:?})",
            e.map(|e| e.index)
        ))),
    }
}
