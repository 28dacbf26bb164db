//! A bot's own durable state, in RocksDB (`specs/bots.md`, "State"): what
//! it decided about each claim, the claims it posted (with any test lie),
//! the attestations it must disclose, the jobs it answered, and the games
//! it plays. The arbiter's state is the truth about games;
//! this is what the bot needs to resume them the same way after a crash.

use std::path::{Path, PathBuf};

use refute_protocol::rules::{B32, Blob, from_hex};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::lie::Lie;

/// What a bot decided about a claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum Decision {
    /// Not checked: not assigned and not sampled, or no longer open.
    Skipped {
        /// Why.
        why: String,
    },
    /// Checked and found right.
    Agreed {
        /// Whether an attestation was sent (committee duty).
        attested: bool,
    },
    /// Challenged.
    Challenged {
        /// The lie told, for a lying (test-only) challenger.
        lie: Option<Lie>,
    },
    /// The check failed (the task does not run, or no trace could be built).
    Failed {
        /// Why.
        why: String,
    },
}

/// A claim this bot posted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posted {
    /// The lie the claim tells (test-only), if any.
    pub lie: Option<Lie>,
}

/// An attestation of a claim on whose committee this bot sits: the secret
/// it committed to, kept (synced) before the `attest` is sent, so that it
/// can be disclosed in the claim's audit after a restart
/// (`specs/protocol.md` §5.4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attestation {
    /// The secret salt of the commitment (32 random bytes).
    pub salt: B32,
    /// This bot's state root at its audit leaf.
    pub root: B32,
    /// The audit leaf (`Claim::audit_leaf`) and the step it stands for.
    pub leaf: u64,
    /// The step of the audit leaf.
    pub step: u64,
    /// The opening of the leaf against the claim's history root (`MultiProof::to_bytes`).
    pub proof: Blob,
    /// The claim's window end: it cannot be final, so nothing is disclosed, before.
    pub window_ends: u64,
    /// How its duty ended (disclosed, or why not), once it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

/// A job this bot was drawn for and answered with a claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answered {
    /// The claim posted for it.
    pub claim: B32,
}

/// Why the bot's state cannot be opened or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// RocksDB refused (the directory is locked by another bot, or is not a database).
    #[error("the bot's state in {dir}: {source}")]
    Rocks {
        /// The data directory.
        dir: PathBuf,
        /// RocksDB's error.
        source: rocksdb::Error,
    },
    /// The directory cannot be created or written.
    #[error("cannot write in the bot's data directory {dir}: {source}")]
    Io {
        /// The data directory.
        dir: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The operating system gave no random bytes for the sample's salt.
    #[error("no random bytes for the bot's secret sample salt: {0}")]
    Random(getrandom::Error),
    /// The directory holds another key's state.
    #[error("{dir} holds the state of the key {theirs}, not of {ours}; use another --data-dir")]
    OtherKey {
        /// The data directory.
        dir: PathBuf,
        /// The key it belongs to.
        theirs: B32,
        /// The key in use.
        ours: B32,
    },
}

/// The bot's RocksDB database.
pub struct Store {
    db: rocksdb::DB,
    dir: PathBuf,
    salt: B32,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("dir", &self.dir).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (or creates) the state of the bot with key `key` in `dir`.
    pub fn open(dir: &Path, key: &B32) -> Result<Store, StoreError> {
        let rocks = |source| StoreError::Rocks { dir: dir.to_path_buf(), source };
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io { dir: dir.to_path_buf(), source })?;
        let mut opts = rocksdb::Options::default();
        opts.create_if_missing(true);
        let db = rocksdb::DB::open(&opts, dir).map_err(rocks)?;
        let mut store = Store { db, dir: dir.to_path_buf(), salt: B32::default() };
        match store.get::<B32>("key") {
            Some(theirs) if theirs != *key => {
                return Err(StoreError::OtherKey { dir: dir.to_path_buf(), theirs, ours: *key });
            }
            Some(_) => {}
            None => store.put("key", key)?,
        }
        store.salt = match store.get::<B32>("salt") {
            Some(salt) => salt,
            None => {
                let mut salt = [0; 32];
                getrandom::fill(&mut salt).map_err(StoreError::Random)?;
                store.put("salt", &B32(salt))?;
                B32(salt)
            }
        };
        Ok(store)
    }

    /// The bot's secret salt, 32 random bytes made at its first start and
    /// kept with its state: it keys the bot's sample of claims
    /// (`specs/bots.md`), so nobody else can tell which claims the bot
    /// checks, and a restarted bot samples the same ones.
    pub fn salt(&self) -> &B32 {
        &self.salt
    }

    fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let v = self.db.get(key.as_bytes()).ok()??;
        serde_json::from_slice(&v).ok()
    }

    fn put<T: Serialize>(&self, key: &str, value: &T) -> Result<(), StoreError> {
        let mut w = rocksdb::WriteOptions::default();
        w.set_sync(true);
        let v = serde_json::to_vec(value).expect("bot state serialises");
        self.db
            .put_opt(key.as_bytes(), v, &w)
            .map_err(|source| StoreError::Rocks { dir: self.dir.clone(), source })
    }

    /// What was decided about claim `id`, if anything.
    pub fn decision(&self, id: &B32) -> Option<Decision> {
        self.get(&format!("claim/{id}"))
    }

    /// Records a decision about claim `id` (synced before returning).
    pub fn decide(&self, id: &B32, d: &Decision) -> Result<(), StoreError> {
        self.put(&format!("claim/{id}"), d)
    }

    /// The claim `id` this bot posted, if it did.
    pub fn posted(&self, id: &B32) -> Option<Posted> {
        self.get(&format!("posted/{id}"))
    }

    /// Records a claim about to be posted (before it is sent, so a crash
    /// in between still knows its lie).
    pub fn post(&self, id: &B32, p: &Posted) -> Result<(), StoreError> {
        self.put(&format!("posted/{id}"), p)
    }

    /// The attestation of claim `id`, if this bot made one.
    pub fn attestation(&self, id: &B32) -> Option<Attestation> {
        self.get(&format!("attest/{id}"))
    }

    /// Records the attestation of claim `id` (synced before returning):
    /// before it is sent, and again when its duty ends.
    pub fn attest(&self, id: &B32, a: &Attestation) -> Result<(), StoreError> {
        self.put(&format!("attest/{id}"), a)
    }

    /// The attestations whose duty has not ended (not disclosed yet), by claim.
    pub fn open_attestations(&self) -> Vec<(B32, Attestation)> {
        let prefix = b"attest/";
        self.db
            .prefix_iterator(prefix)
            .map_while(Result::ok)
            .take_while(|(k, _)| k.starts_with(prefix))
            .filter_map(|(k, v)| {
                let hex = std::str::from_utf8(&k[prefix.len()..]).ok()?;
                let id = B32(from_hex(hex)?.try_into().ok()?);
                let a: Attestation = serde_json::from_slice(&v).ok()?;
                a.outcome.is_none().then_some((id, a))
            })
            .collect()
    }

    /// The claim this bot posted for job `id`, if it answered it.
    pub fn answered(&self, id: &B32) -> Option<Answered> {
        self.get(&format!("job/{id}"))
    }

    /// Records the claim answering job `id`.
    pub fn answer(&self, id: &B32, a: &Answered) -> Result<(), StoreError> {
        self.put(&format!("job/{id}"), a)
    }

    /// Keeps a copy of a finished game (its final state as the arbiter served it).
    pub fn keep_game(&self, id: u64, game: &serde_json::Value) -> Result<(), StoreError> {
        self.put(&format!("game/{id:020}"), game)
    }

    /// Keeps a finished game's transcript as `transcripts/game-ID.bin` in
    /// the data directory (written whole, then renamed into place), for
    /// `refute trace show`/`verify`. Returns its path.
    pub fn keep_transcript(&self, id: u64, bytes: &[u8]) -> Result<PathBuf, StoreError> {
        let dir = self.dir.join("transcripts");
        let io = |source| StoreError::Io { dir: dir.clone(), source };
        std::fs::create_dir_all(&dir).map_err(io)?;
        let (tmp, path) = (dir.join(format!(".game-{id}.bin.tmp")), dir.join(format!("game-{id}.bin")));
        std::fs::write(&tmp, bytes).map_err(io)?;
        std::fs::File::open(&tmp).and_then(|f| f.sync_all()).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
        Ok(path)
    }

    /// Whether finished game `id` is kept.
    pub fn has_game(&self, id: u64) -> bool {
        matches!(self.db.get(format!("game/{id:020}").as_bytes()), Ok(Some(_)))
    }
}
