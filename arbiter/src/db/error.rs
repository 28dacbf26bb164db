//! [`DbError`].

use std::io;
use std::path::PathBuf;

use thiserror::Error;

use refute_protocol::log::LogError;

/// Why the database could not be opened, read or written.
#[derive(Debug, Error)]
pub enum DbError {
    /// Another process has the database open.
    #[error(
        "database {dir} is locked by another process (is another arbiter running on it?); \
         stop that process or give this one another directory"
    )]
    Locked {
        /// The database directory.
        dir: PathBuf,
    },
    /// The directory holds a database of another format version.
    #[error(
        "database {dir} has format version {found}, this program reads version {expected}; \
         run a matching version of the program or give this one another directory"
    )]
    FormatMismatch {
        /// The database directory.
        dir: PathBuf,
        /// The version on disk.
        found: u32,
        /// [`FORMAT_VERSION`](super::FORMAT_VERSION).
        expected: u32,
    },
    /// The directory holds something other than an arbiter database.
    #[error("{dir} is not an arbiter database: {reason}; give an empty or new directory")]
    NotADatabase {
        /// The directory.
        dir: PathBuf,
        /// What was found there.
        reason: String,
    },
    /// Stored data does not check.
    #[error("database {dir} is corrupt: {what}")]
    Corrupt {
        /// The database directory.
        dir: PathBuf,
        /// What does not check.
        what: String,
    },
    /// The stored log does not verify.
    #[error("the stored log does not verify: {0}")]
    Log(#[from] LogError),
    /// A transition given to [`Db::commit`](super::Db::commit) does not extend the log.
    #[error("entry {index} does not extend the log, whose next entry is {expected}: wrong {what}")]
    NotNext {
        /// The entry's index.
        index: u64,
        /// The index of the next entry.
        expected: u64,
        /// Which field is wrong: `index`, `prev` or `time`.
        what: &'static str,
    },
    /// A blob is over [`MAX_BLOB`](super::MAX_BLOB).
    #[error("blob of {len} bytes is over the limit of {max}")]
    BlobTooLarge {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The directory could not be created or read.
    #[error("database directory {dir}: cannot {op}: {source}")]
    Io {
        /// The directory.
        dir: PathBuf,
        /// What was being done.
        op: &'static str,
        /// The operating system's error.
        source: io::Error,
    },
    /// A commit failed on purpose ([`Db::fail_commits`](super::Db::fail_commits), tests only).
    #[error("database {dir}: a commit failed on purpose (a test of storage failure)")]
    Injected {
        /// The database directory.
        dir: PathBuf,
    },
    /// RocksDB failed.
    #[error("database {dir}: {source}")]
    Rocks {
        /// The database directory.
        dir: PathBuf,
        /// RocksDB's error.
        source: rocksdb::Error,
    },
}
