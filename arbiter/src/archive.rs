//! Claims and games that have ended. The rules move them out of memory at
//! the end of the transition that ends them (`specs/protocol.md` §4); the
//! writer stores them here, in the same write batch as that transition's
//! entry, so memory holds only what is still being played and RocksDB holds
//! the rest (`specs/api.md` §5).
//!
//! State records (JSON values):
//! - `claim/ ‖ id` → the [`Claim`]; `claim_by/ ‖ solver ‖ id` → empty.
//! - `game/ ‖ u64be(id)` → the [`Game`]; `game_by/ ‖ key ‖ u64be(id)` → empty,
//!   for each side.
//! - `job/ ‖ id` → the [`Job`]; `job_by/ ‖ key ‖ id` → empty, for its
//!   requester and for every solver drawn for it.

use refute_protocol::rules::{Archive, B32, Claim, Game, Job};

use crate::db::{Db, DbError};

/// Prefix of an ended claim.
pub const CLAIM: &[u8] = b"claim/";
/// Prefix of an ended game.
pub const GAME: &[u8] = b"game/";
/// Prefix of the solver index of ended claims.
pub const CLAIM_BY: &[u8] = b"claim_by/";
/// Prefix of the player index of ended games.
pub const GAME_BY: &[u8] = b"game_by/";
/// Prefix of an ended job.
pub const JOB: &[u8] = b"job/";
/// Prefix of the requester and solver index of ended jobs.
pub const JOB_BY: &[u8] = b"job_by/";

/// The keys a job is listed under: its requester and every solver drawn for it.
pub fn job_keys(j: &Job) -> Vec<B32> {
    let mut keys = vec![j.requester];
    keys.extend(j.tried.iter().chain(&j.solver).copied());
    keys.sort();
    keys.dedup();
    keys
}

/// The state records that store `a`.
pub fn puts(a: &Archive) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    for (id, c) in &a.claims {
        out.push(([CLAIM, &id.0].concat(), serde_json::to_vec(c).expect("claims serialise")));
        out.push(([CLAIM_BY, &c.solver.0, &id.0].concat(), Vec::new()));
    }
    for (id, j) in &a.jobs {
        out.push(([JOB, &id.0].concat(), serde_json::to_vec(j).expect("jobs serialise")));
        for k in job_keys(j) {
            out.push(([JOB_BY, &k.0, &id.0].concat(), Vec::new()));
        }
    }
    for (id, g) in &a.games {
        let n = id.to_be_bytes();
        out.push(([GAME, &n].concat(), serde_json::to_vec(g).expect("games serialise")));
        for side in &g.sides {
            out.push(([GAME_BY, &side.key.0, &n].concat(), Vec::new()));
        }
    }
    out
}

/// Ended claim `id`, if it is stored.
pub fn claim(db: &Db, id: &B32) -> Result<Option<Claim>, DbError> {
    db.get_state(&[CLAIM, &id.0].concat())?.map(|v| decode(db, "claim", &v)).transpose()
}

/// Ended job `id`, if it is stored.
pub fn job(db: &Db, id: &B32) -> Result<Option<Job>, DbError> {
    db.get_state(&[JOB, &id.0].concat())?.map(|v| decode(db, "job", &v)).transpose()
}

/// Up to `limit` ended jobs with ids after `after`, in id order; only those
/// `key` requested or was drawn for, if given. Costs O(limit · log n).
pub fn jobs(db: &Db, after: Option<B32>, key: Option<B32>, limit: usize) -> Result<Vec<(B32, Job)>, DbError> {
    let prefix = match key {
        Some(k) => [JOB_BY, &k.0].concat(),
        None => JOB.to_vec(),
    };
    let start = after.map_or_else(|| prefix.clone(), |a| [&prefix[..], &a.0].concat());
    let mut out = Vec::new();
    for kv in db.iter_state_from(&prefix, &start) {
        let (k, v) = kv?;
        let id = B32(k[prefix.len()..].try_into().map_err(|_| bad_key(db, &k))?);
        if Some(id) == after {
            continue;
        }
        let j = match key {
            Some(_) => job(db, &id)?.ok_or_else(|| bad_key(db, &k))?,
            None => decode(db, "job", &v)?,
        };
        out.push((id, j));
        if out.len() == limit {
            break;
        }
    }
    Ok(out)
}

/// Ended game `id`, if it is stored.
pub fn game(db: &Db, id: u64) -> Result<Option<Game>, DbError> {
    db.get_state(&[GAME, &id.to_be_bytes()].concat())?.map(|v| decode(db, "game", &v)).transpose()
}

/// Up to `limit` ended claims with ids after `after`, in id order; only
/// those of solver `player` if given. Costs O(limit · log n).
pub fn claims(
    db: &Db,
    after: Option<B32>,
    player: Option<B32>,
    limit: usize,
) -> Result<Vec<(B32, Claim)>, DbError> {
    let prefix = match player {
        Some(p) => [CLAIM_BY, &p.0].concat(),
        None => CLAIM.to_vec(),
    };
    let start = after.map_or_else(|| prefix.clone(), |a| [&prefix[..], &a.0].concat());
    let mut out = Vec::new();
    for kv in db.iter_state_from(&prefix, &start) {
        let (k, v) = kv?;
        let id = B32(k[prefix.len()..].try_into().map_err(|_| bad_key(db, &k))?);
        if Some(id) == after {
            continue;
        }
        let c = match player {
            Some(_) => claim(db, &id)?.ok_or_else(|| bad_key(db, &k))?,
            None => decode(db, "claim", &v)?,
        };
        out.push((id, c));
        if out.len() == limit {
            break;
        }
    }
    Ok(out)
}

/// Up to `limit` ended games numbered after `after`, in order; only those
/// with `player` as a side if given. Costs O(limit · log n).
pub fn games(
    db: &Db,
    after: Option<u64>,
    player: Option<B32>,
    limit: usize,
) -> Result<Vec<(u64, Game)>, DbError> {
    let prefix = match player {
        Some(p) => [GAME_BY, &p.0].concat(),
        None => GAME.to_vec(),
    };
    let start = match after {
        Some(a) => [&prefix[..], &a.to_be_bytes()].concat(),
        None => prefix.clone(),
    };
    let mut out = Vec::new();
    for kv in db.iter_state_from(&prefix, &start) {
        let (k, v) = kv?;
        let id = u64::from_be_bytes(k[prefix.len()..].try_into().map_err(|_| bad_key(db, &k))?);
        if Some(id) == after {
            continue;
        }
        let g = match player {
            Some(_) => game(db, id)?.ok_or_else(|| bad_key(db, &k))?,
            None => decode(db, "game", &v)?,
        };
        out.push((id, g));
        if out.len() == limit {
            break;
        }
    }
    Ok(out)
}

/// The `n` ended games with the highest numbers, highest first.
pub fn latest_games(db: &Db, n: usize) -> Result<Vec<(u64, Game)>, DbError> {
    let mut out = Vec::new();
    for kv in db.iter_state_rev(GAME).take(n) {
        let (k, v) = kv?;
        let id = u64::from_be_bytes(k[GAME.len()..].try_into().map_err(|_| bad_key(db, &k))?);
        out.push((id, decode(db, "game", &v)?));
    }
    Ok(out)
}

fn decode<T: serde::de::DeserializeOwned>(db: &Db, what: &str, v: &[u8]) -> Result<T, DbError> {
    serde_json::from_slice(v).map_err(|e| db.corrupt(format!("a stored {what} does not decode: {e}")))
}

fn bad_key(db: &Db, k: &[u8]) -> DbError {
    db.corrupt(format!("archive key {} has the wrong length", refute_protocol::log::hex_string(k)))
}
