//! The arbiter's core: the rules, the log chain and the database, with no
//! HTTP. Requests are applied in batches; every accepted transition becomes
//! one signed log entry, and a batch is written in one synced RocksDB write
//! (group commit). The state is rebuilt on start from the last snapshot and
//! the log after it (`specs/api.md`, "Durability").

use super::error::{CommitError, OpenError};
use crate::db::{Db, Transition};
use refute_protocol::log::{ArbiterKey, Chain, Entry, Head};
use refute_protocol::record::{Logged, Record};
use refute_protocol::rules::{B32, Event, Params, RuleError, Rules, ServiceNote, Signed, params_hash};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// State key of the parameters, written with the first entry.
pub const PARAMS_KEY: &[u8] = b"params";
/// State key of the latest snapshot of the rules.
pub const SNAPSHOT_KEY: &[u8] = b"snapshot";
/// Entries between snapshots: a restart replays at most this many.
pub const SNAPSHOT_EVERY: u64 = 10_000;

/// A snapshot: the rules after the first `next` entries.
#[derive(Serialize, Deserialize)]
struct Snapshot {
    next: u64,
    rules: Rules,
}

/// One request for the writer.
#[derive(Clone, Debug)]
pub enum Request {
    /// A signed message (with the note, for a claim).
    Message(Box<Signed>, Option<ServiceNote>),
    /// The passage of time: logged only if it changes something.
    Tick,
}

/// What became of an accepted request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Accepted {
    /// The log entry that records it, if it changed anything.
    pub index: Option<u64>,
    /// Events of the time that passed first.
    pub ticked: Vec<Event>,
    /// Events of the message.
    pub events: Vec<Event>,
}

/// The rules, the chain and the database.
pub struct Core {
    /// The rules and their state, as of the last committed entry.
    pub rules: Rules,
    chain: Chain,
    key: ArbiterKey,
    db: Arc<Db>,
    last_snapshot: u64,
}

impl Core {
    /// Opens the arbiter in `db` with key `key`. A database that has entries
    /// keeps the parameters it was started with (`params` is then only
    /// compared); its state is the last snapshot plus the log after it.
    pub fn open(db: Arc<Db>, key: ArbiterKey, params: Params) -> Result<(Core, Option<String>), OpenError> {
        let stored = db.get_state(PARAMS_KEY)?;
        let (params, warning) = match stored {
            Some(b) => {
                let p: Params = serde_json::from_slice(&b)
                    .map_err(|source| OpenError::Stored { what: "parameters", source })?;
                let w = (p != params).then(|| "the database keeps the parameters it was created with; the configured ones differ and are ignored".to_string());
                (p, w)
            }
            None => (params, None),
        };
        if params.arbiter != B32(key.public().to_bytes()) {
            return Err(OpenError::OtherArbiter);
        }
        let genesis = Head::genesis(&key.public(), &params_hash(&params));
        let head = db.log_head().unwrap_or(genesis);
        let (mut rules, from) = match db.get_state(SNAPSHOT_KEY)? {
            Some(b) => {
                let s: Snapshot = serde_json::from_slice(&b)
                    .map_err(|source| OpenError::Stored { what: "snapshot", source })?;
                (s.rules, s.next)
            }
            None => (Rules::new(params)?, 0),
        };
        for e in db.log_entries(from) {
            let e = e?;
            Record::of(&e)
                .and_then(|r| r.replay(&mut rules))
                .map_err(|source| OpenError::Replay { entry: e.index, source })?;
        }
        Ok((Core { rules, chain: Chain::new(head), key, db, last_snapshot: from }, warning))
    }

    /// The head of the log (committed or about to be).
    pub fn head(&self) -> Head {
        self.chain.head()
    }

    /// The key's public half.
    pub fn arbiter(&self) -> B32 {
        B32(self.key.public().to_bytes())
    }

    /// Applies `requests` in order at clock reading `clock_ms`, commits every
    /// accepted transition in one synced write, and returns each request's
    /// outcome with the entries written. A storage failure is returned as
    /// `Err`: the in-memory state is then ahead of the disk and the service
    /// must stop (a restart rebuilds it from the disk).
    #[allow(clippy::type_complexity)]
    pub fn process(
        &mut self,
        requests: &[Request],
        clock_ms: u64,
    ) -> Result<(Vec<Result<Accepted, RuleError>>, Vec<Entry>), CommitError> {
        let mut transitions = Vec::new();
        let mut out = Vec::with_capacity(requests.len());
        for r in requests {
            let now = self.chain.time(clock_ms);
            let before = self.rules.state.now;
            let ticked = self.rules.tick(now);
            let (input, result) = match r {
                Request::Tick => (None, Ok(Vec::new())),
                Request::Message(msg, note) => {
                    let res = self.rules.apply_with(msg, note.as_ref(), now);
                    (Some(Logged { msg: (**msg).clone(), note: note.clone() }), res)
                }
            };
            let changed = !ticked.is_empty() || (input.is_some() && result.is_ok());
            if !changed {
                // Nothing to log: leave the rules exactly as the log says.
                self.rules.state.now = before;
                out.push(result.map(|events| Accepted { index: None, ticked, events }));
                continue;
            }
            let events = result.clone().unwrap_or_default();
            let record =
                Record { now, ticked: ticked.clone(), input: input.filter(|_| result.is_ok()), events };
            let entry = self.chain.append(&self.key, now, record.payload())?;
            let index = entry.index;
            let mut puts = Vec::new();
            if index == 0 {
                puts.push((PARAMS_KEY.to_vec(), serde_json::to_vec(&self.rules.params).expect("params")));
            }
            if index + 1 - self.last_snapshot >= SNAPSHOT_EVERY {
                let snap = serde_json::to_vec(&Snapshot { next: index + 1, rules: self.rules.clone() })
                    .expect("rules serialise");
                puts.push((SNAPSHOT_KEY.to_vec(), snap));
                self.last_snapshot = index + 1;
            }
            transitions.push(Transition { entry, puts, deletes: Vec::new() });
            out.push(result.map(|events| Accepted { index: Some(index), ticked, events }));
        }
        self.db.commit(&transitions)?;
        Ok((out, transitions.into_iter().map(|t| t.entry).collect()))
    }
}
