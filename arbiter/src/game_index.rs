//! The stored index of which log entries concern which game: the writer
//! stores it with each entry ([`puts`]), so finding a transcript's entries
//! costs O(its entries · log n) and nothing is held in memory
//! (`specs/api.md` §1). State records (keys after [`TX`]):
//! - `claim/ ‖ claim` → `u64be(entry)`: the entry that posted the claim;
//! - `game/ ‖ u64be(game)` → its claim;
//! - `entry/ ‖ u64be(game) ‖ u64be(entry)` → empty: an entry with an event of the game;
//! - `outage/ ‖ u64be(entry)` → empty: an outage record;
//! - `next` → `u64be`: the entries indexed so far (a database written before
//!   this index existed is indexed on open, [`backfill`]).

use refute_protocol::record::Record;
use refute_protocol::rules::B32;
use refute_traces::build::touches;

use crate::db::{Db, DbError};

/// Prefix of the transcript index's state records.
pub const TX: &[u8] = b"tx/";

fn key(parts: &[&[u8]]) -> Vec<u8> {
    [&[TX][..], parts].concat().concat()
}

/// The state records that index entry `index`, whose record is `r` (all
/// but `next`: [`next_put`] once per write batch).
pub fn puts(index: u64, r: &Record) -> Vec<(Vec<u8>, Vec<u8>)> {
    let t = touches(r);
    let i = index.to_be_bytes();
    let mut out = Vec::new();
    out.extend(t.posted.iter().map(|c| (key(&[b"claim/", &c.0]), i.to_vec())));
    out.extend(t.started.iter().map(|(g, c)| (key(&[b"game/", &g.to_be_bytes()]), c.0.to_vec())));
    out.extend(t.games.iter().map(|g| (key(&[b"entry/", &g.to_be_bytes(), &i]), Vec::new())));
    if t.outage {
        out.push((key(&[b"outage/", &i]), Vec::new()));
    }
    out
}

/// The record saying that entries before `next` are indexed: written with
/// the last entry of each write batch.
pub fn next_put(next: u64) -> (Vec<u8>, Vec<u8>) {
    (key(&[b"next"]), next.to_be_bytes().to_vec())
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
        batch.push(next_put(e.index + 1));
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
/// claim's entry to the game's end (to the log's end while it has not
/// `ended`), as `refute_traces::build::Index::entries_of` lists them;
/// `None` for a game no entry started.
pub fn entries_of(db: &Db, game: u64, ended: bool) -> Result<Option<(B32, Vec<u64>)>, DbError> {
    let g = game.to_be_bytes();
    let Some(claim) = db.get_state(&key(&[b"game/", &g]))? else {
        return Ok(None);
    };
    let claim = B32(claim.try_into().map_err(|_| db.corrupt(format!("game {game}'s claim is malformed")))?);
    let claim_entry = u64_at(db, &key(&[b"claim/", &claim.0]))?
        .ok_or_else(|| db.corrupt(format!("the entry of claim {claim} is not indexed")))?;
    let prefix = key(&[b"entry/", &g]);
    let mut own = Vec::new();
    for kv in db.iter_state_prefix(&prefix) {
        let (k, _) = kv?;
        own.push(index_at(db, &k, prefix.len())?);
    }
    let end = if ended { own.last().copied().unwrap_or(claim_entry) } else { u64::MAX };
    let mut all = vec![0, claim_entry];
    all.extend(&own);
    let outages = key(&[b"outage/"]);
    let from = key(&[b"outage/", &(claim_entry + 1).to_be_bytes()]);
    for kv in db.iter_state_from(&outages, &from) {
        let (k, _) = kv?;
        let i = index_at(db, &k, outages.len())?;
        if i >= end {
            break;
        }
        all.push(i);
    }
    all.sort_unstable();
    all.dedup();
    Ok(Some((claim, all)))
}

/// The `u64be` at `at` in index key `k`.
fn index_at(db: &Db, k: &[u8], at: usize) -> Result<u64, DbError> {
    let bytes = k.get(at..).and_then(|b| <[u8; 8]>::try_from(b).ok());
    bytes.map(u64::from_be_bytes).ok_or_else(|| db.corrupt("a transcript index key is malformed".into()))
}
