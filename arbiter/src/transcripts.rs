//! Transcripts of the service's games (`specs/transcript.md` §2): the
//! entries of a game read from the database, assembled by `refute_traces`.
//!
//! The writer stores, with each entry, which games and claims it concerns
//! ([`puts`]), so a transcript costs O(its entries · log n) to find and
//! nothing is held in memory. State records (keys after [`TX`]):
//! - `claim/ ‖ claim` → `u64be(entry)`: the entry that posted the claim;
//! - `game/ ‖ u64be(game)` → its claim;
//! - `entry/ ‖ u64be(game) ‖ u64be(entry)` → empty: an entry with an event of the game;
//! - `outage/ ‖ u64be(entry)` → empty: an outage record;
//! - `next` → `u64be`: the entries indexed so far (a database written before
//!   this index existed is indexed on open, [`backfill`]).

use std::path::{Path, PathBuf};

use refute_protocol::log::Entry;
use refute_protocol::record::Record;
use refute_protocol::rules::{B32, GameStatus};
use refute_traces::Transcript;
use refute_traces::build::{assemble, claim_inputs, touches};

use crate::db::{Db, DbError};
use crate::service::{Service, ServiceError};

/// Prefix of the transcript index's state records.
pub const TX: &[u8] = b"tx/";

fn key(parts: &[&[u8]]) -> Vec<u8> {
    [&[TX][..], parts].concat().concat()
}

/// The state records that index entry `index`, whose record is `r`.
pub fn puts(index: u64, r: &Record) -> Vec<(Vec<u8>, Vec<u8>)> {
    let t = touches(r);
    let i = index.to_be_bytes();
    let mut out = vec![(key(&[b"next"]), (index + 1).to_be_bytes().to_vec())];
    out.extend(t.posted.iter().map(|c| (key(&[b"claim/", &c.0]), i.to_vec())));
    out.extend(t.started.iter().map(|(g, c)| (key(&[b"game/", &g.to_be_bytes()]), c.0.to_vec())));
    out.extend(t.games.iter().map(|g| (key(&[b"entry/", &g.to_be_bytes(), &i]), Vec::new())));
    if t.outage {
        out.push((key(&[b"outage/", &i]), Vec::new()));
    }
    out
}

/// Indexes the entries the stored index does not cover yet (all of them,
/// for a database written before it existed), a batch at a time.
pub fn backfill(db: &Db) -> Result<u64, DbError> {
    let next = u64_at(db, &key(&[b"next"]))?.unwrap_or(0);
    let mut batch = Vec::new();
    let mut done = 0;
    for e in db.log_entries(next) {
        let e = e?;
        let r = Record::of(&e).map_err(|why| db.corrupt(format!("log entry {}: {why}", e.index)))?;
        batch.extend(puts(e.index, &r));
        done += 1;
        if batch.len() >= 10_000 {
            db.put_states(&std::mem::take(&mut batch))?;
        }
    }
    db.put_states(&batch)?;
    Ok(done)
}

fn u64_at(db: &Db, k: &[u8]) -> Result<Option<u64>, DbError> {
    let v = db.get_state(k)?;
    v.map(|v| {
        v.try_into()
            .map(u64::from_be_bytes)
            .map_err(|_| db.corrupt(format!("{} is not a u64", String::from_utf8_lossy(k))))
    })
    .transpose()
}

/// The entries a transcript of `game` holds, in order, and its claim:
/// entry 0, the claim's entry, the game's, and every outage from the
/// claim's entry to the game's end (as `refute_traces::build::Index::entries_of`).
fn entries_of(s: &Service, game: u64) -> Result<Option<(B32, Vec<u64>)>, ServiceError> {
    let db = s.db();
    let g = game.to_be_bytes();
    let Some(claim) = db.get_state(&key(&[b"game/", &g])).map_err(ServiceError::storage)? else {
        return Ok(None);
    };
    let claim = B32(claim
        .try_into()
        .map_err(|_| ServiceError::storage(format!("game {game}'s claim is malformed")))?);
    let claim_entry = u64_at(db, &key(&[b"claim/", &claim.0]))
        .map_err(ServiceError::storage)?
        .ok_or_else(|| ServiceError::storage(format!("the entry of claim {claim} is not indexed")))?;
    let prefix = key(&[b"entry/", &g]);
    let mut own = Vec::new();
    for kv in db.iter_state_prefix(&prefix) {
        let (k, _) = kv.map_err(ServiceError::storage)?;
        let i = k[prefix.len()..].try_into().map(u64::from_be_bytes);
        own.push(i.map_err(|_| ServiceError::storage("a transcript index key is malformed"))?);
    }
    let ended = s.game(game)?.is_some_and(|g| g.status != GameStatus::Open);
    let end = if ended { own.last().copied().unwrap_or(claim_entry) } else { u64::MAX };
    let mut all = vec![0, claim_entry];
    all.extend(&own);
    let outages = key(&[b"outage/"]);
    let from = key(&[b"outage/", &(claim_entry + 1).to_be_bytes()]);
    for kv in db.iter_state_from(&outages, &from) {
        let (k, _) = kv.map_err(ServiceError::storage)?;
        let i = k[outages.len()..].try_into().map(u64::from_be_bytes);
        let i = i.map_err(|_| ServiceError::storage("a transcript index key is malformed"))?;
        if i >= end {
            break;
        }
        all.push(i);
    }
    all.sort_unstable();
    all.dedup();
    Ok(Some((claim, all)))
}

/// The transcript of `game` as of the service's last committed entry.
/// Reads RocksDB: call it off the async workers.
pub fn of_game(s: &Service, game: u64) -> Result<Transcript, ServiceError> {
    let (claim, wanted) = entries_of(s, game)?
        .ok_or_else(|| ServiceError::not_found("unknown_game", format!("no game {game}")))?;
    let mut entries: Vec<Entry> = Vec::with_capacity(wanted.len());
    for i in wanted {
        let e = s
            .db()
            .log_entries(i)
            .next()
            .ok_or_else(|| ServiceError::storage(format!("log entry {i} is missing")))?;
        entries.push(e.map_err(ServiceError::storage)?);
    }
    let inputs = claim_inputs(&entries, &claim, |h| s.db().get_blob(&h.0).ok().flatten());
    let params = s.read(|c| c.rules.params.clone());
    assemble(s.arbiter(), params, game, claim, entries, inputs).map_err(ServiceError::storage)
}

/// Why a transcript could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The service could not build it.
    #[error(transparent)]
    Transcript(#[from] ServiceError),
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
}

/// Writes `game`'s transcript to `dir` as `game-ID.json` and `game-ID.bin`.
pub fn save(s: &Service, game: u64, dir: &Path) -> Result<Vec<PathBuf>, SaveError> {
    let t = of_game(s, game)?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SaveError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut out = Vec::new();
    for (ext, bytes) in [("json", t.to_json()), ("bin", t.to_bin())] {
        let path = dir.join(format!("game-{game}.{ext}"));
        std::fs::write(&path, bytes).map_err(io(&path))?;
        out.push(path);
    }
    Ok(out)
}
