//! The arbiter's core: the rules, the log chain and the database, with no
//! HTTP. Requests are applied in batches; every accepted transition becomes
//! one signed log entry, and a batch is written in one synced RocksDB write
//! (group commit). The state is rebuilt on start from the last snapshot and
//! the log after it (`specs/api.md`, "Durability").

use super::error::{CommitError, OpenError};
use crate::db::{BLOB_AT, BLOB_KEPT, Db, Transition};
use crate::{archive, game_index};
use refute_protocol::log::{ArbiterKey, Chain, Entry, Head};
use refute_protocol::record::{Logged, Record};
use refute_protocol::rules::{
    B32, Event, Message, Params, RuleError, Rules, ServiceNote, Verified, params_hash,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// State key of the parameters, written with the first entry.
pub const PARAMS_KEY: &[u8] = b"params";
/// State key of the latest snapshot of the rules.
pub const SNAPSHOT_KEY: &[u8] = b"snapshot";
/// State key of the last time the writer was serving (`u64le` ms), a hint
/// for measuring an outage; written often and not synced.
pub const ALIVE_KEY: &[u8] = b"alive";
/// The shortest outage [`Core::resume`] records: a quick restart is not
/// worth an entry, and a second is far below any window or clock.
pub const MIN_OUTAGE_MS: u64 = 1000;
/// Entries between snapshots: a restart replays at most this many.
pub const SNAPSHOT_EVERY: u64 = 10_000;

/// Writes a snapshot of `rules` after the first `next` entries (already
/// committed). Losing it costs only a longer replay at the next start.
pub fn save_snapshot(db: &Db, next: u64, rules: Rules) -> Result<(), crate::db::DbError> {
    let bytes = serde_json::to_vec(&Snapshot { next, rules }).expect("rules serialise");
    db.put_state(SNAPSHOT_KEY, &bytes)
}

/// A snapshot: the rules after the first `next` entries.
#[derive(Serialize, Deserialize)]
struct Snapshot {
    next: u64,
    rules: Rules,
}

/// The state changes that keep the blobs an accepted claim or job names for
/// good, written with its entry: their pending records ([`BLOB_AT`]) go and a
/// kept mark ([`BLOB_KEPT`]) comes, so the blob sweep never needs to look at
/// claims, and a later upload of the same bytes cannot make them expire.
fn kept_blobs(msg: &Verified) -> Changes {
    let Some(task) = super::Task::of(&msg.body) else { return Changes::default() };
    let mut blobs = task.blobs();
    if let Message::Claim(c) = &msg.body {
        blobs.extend(&c.outputs);
    }
    Changes {
        puts: blobs.iter().map(|h| ([BLOB_KEPT, &h.0[..]].concat(), Vec::new())).collect(),
        deletes: blobs.iter().map(|h| [BLOB_AT, &h.0[..]].concat()).collect(),
    }
}

/// State records a transition writes beside its entry.
#[derive(Default)]
struct Changes {
    puts: Vec<(Vec<u8>, Vec<u8>)>,
    deletes: Vec<Vec<u8>>,
}

/// One request for the writer.
#[derive(Clone, Debug)]
pub enum Request {
    /// A signed message, its signature checked (with the note, for a claim).
    Message(Box<Verified>, Option<ServiceNote>),
    /// The passage of time: logged only if something was due.
    Tick,
}

/// What became of an accepted request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Accepted {
    /// The log entry that records it, if it changed anything (for a tick: the last one).
    pub index: Option<u64>,
    /// Events of the time that passed (a tick's; a message's own entry has none).
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
    /// A copy of the rules to save as the snapshot once its entries are committed.
    snapshot: Option<(u64, Rules)>,
}

/// Entries of one batch, not yet committed.
struct Pending {
    transitions: Vec<Transition>,
}

impl Pending {
    /// Notes, with the last entry, how far the transcript index goes.
    fn finish(&mut self) {
        if let Some(t) = self.transitions.last_mut() {
            t.puts.push(game_index::next_put(t.entry.index + 1));
        }
    }
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
                // Before the snapshot: a database of another engine must not
                // be replayed (or served) with this one's state roots.
                p.validate().map_err(OpenError::StoredParams)?;
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
            // What these entries moved out of memory was stored with them;
            // storing it again is harmless, and covers a snapshot written
            // before ended claims left the state.
            let archived = rules.take_archive();
            if !archived.is_empty() {
                db.put_states(&archive::puts(&archived))?;
            }
        }
        game_index::backfill(&db)?;
        Ok((Core { rules, chain: Chain::new(head), key, db, last_snapshot: from, snapshot: None }, warning))
    }

    /// Rebuilds the state from the database, dropping everything not
    /// committed: after a failed commit, memory must not stay ahead of the disk.
    pub fn reload(&mut self) -> Result<(), OpenError> {
        let (core, _) = Core::open(self.db.clone(), self.key.clone(), self.rules.params.clone())?;
        *self = core;
        Ok(())
    }

    /// The head of the log (committed or about to be).
    pub fn head(&self) -> Head {
        self.chain.head()
    }

    /// The key's public half.
    pub fn arbiter(&self) -> B32 {
        B32(self.key.public().to_bytes())
    }

    /// The time the service was last known to be serving: the later of the
    /// last entry's time and the heartbeat the writer keeps ([`ALIVE_KEY`]).
    pub fn last_alive(&self) -> Result<u64, OpenError> {
        let beat = self.db.get_state(ALIVE_KEY)?.and_then(|b| Some(u64::from_le_bytes(b.try_into().ok()?)));
        Ok(beat.unwrap_or(0).max(self.chain.head().time_ms))
    }

    /// Records that the service was not serving from [`Core::last_alive`]
    /// until `clock_ms` (`specs/protocol.md` §5.8): every running window and
    /// clock is extended by the gap, in one committed entry. Nothing is
    /// logged for an empty log, or for a gap under [`MIN_OUTAGE_MS`].
    pub fn resume(&mut self, clock_ms: u64) -> Result<Option<Entry>, CommitError> {
        let from = self.last_alive().map_err(|e| CommitError::Resume(e.to_string()))?;
        let now = self.chain.time(clock_ms);
        if self.chain.head().next == 0 || now < from.saturating_add(MIN_OUTAGE_MS) {
            return Ok(None);
        }
        let ticked = self.rules.resume(from, now).map_err(|e| CommitError::Resume(e.to_string()))?;
        let mut pending = Pending { transitions: Vec::new() };
        let record = Record { now, resumed: Some(from), ticked, input: None, events: Vec::new() };
        self.append(&mut pending, now, &record, Changes::default())?;
        pending.finish();
        self.db.commit(&pending.transitions)?;
        Ok(pending.transitions.pop().map(|t| t.entry))
    }

    /// Applies `requests` in order, each at the time it arrived (ms; the
    /// writer's queue hands them over in arrival order), commits every
    /// accepted transition in one synced write, and returns each request's
    /// outcome with the entries written. Before each message, everything due
    /// (`Rules::due`) is ticked away in bounded entries, so the message is
    /// judged at its arrival with the state up to date.
    ///
    /// A failure to append or commit is returned as `Err`: the in-memory
    /// state is then ahead of the disk, and the caller must [`Core::reload`]
    /// before anyone reads it.
    #[allow(clippy::type_complexity)]
    pub fn process(
        &mut self,
        requests: &[(Request, u64)],
    ) -> Result<(Vec<Result<Accepted, RuleError>>, Vec<Entry>), CommitError> {
        let mut pending = Pending { transitions: Vec::new() };
        let mut out = Vec::with_capacity(requests.len());
        let mut now = self.chain.time(0);
        for (r, arrived) in requests {
            now = self.chain.time((*arrived).max(now));
            let ticked = self.drain(&mut pending, now)?;
            match r {
                Request::Tick => out.push(Ok(Accepted {
                    index: pending.transitions.last().map(|t| t.entry.index).filter(|_| !ticked.is_empty()),
                    ticked,
                    events: Vec::new(),
                })),
                Request::Message(msg, note) => match self.rules.apply_verified(msg, note.as_ref(), now) {
                    Err(e) => out.push(Err(e)),
                    Ok(events) => {
                        let input = Some(Logged { msg: msg.signed().clone(), note: note.clone() });
                        let record =
                            Record { now, resumed: None, ticked: Vec::new(), input, events: events.clone() };
                        let index = self.append(&mut pending, now, &record, kept_blobs(msg))?;
                        out.push(Ok(Accepted { index: Some(index), ticked: Vec::new(), events }));
                    }
                },
            }
        }
        // What the last message made due (a rejection's cancellations).
        self.drain(&mut pending, now)?;
        pending.finish();
        self.db.commit(&pending.transitions)?;
        Ok((out, pending.transitions.into_iter().map(|t| t.entry).collect()))
    }

    /// Ticks at `now` while anything is due, one entry per bounded tick;
    /// returns all their events.
    fn drain(&mut self, pending: &mut Pending, now: u64) -> Result<Vec<Event>, CommitError> {
        let mut all = Vec::new();
        while self.rules.due(now) {
            let ticked = self.rules.tick(now);
            let record =
                Record { now, resumed: None, ticked: ticked.clone(), input: None, events: Vec::new() };
            self.append(pending, now, &record, Changes::default())?;
            all.extend(ticked);
        }
        Ok(all)
    }

    /// Signs and queues `record` as the next entry, with the claims and
    /// games it ended (moved out of memory into the archive), the state
    /// changes `extra`, the parameters before the first entry, and a
    /// snapshot every [`SNAPSHOT_EVERY`].
    fn append(
        &mut self,
        pending: &mut Pending,
        now: u64,
        record: &Record,
        extra: Changes,
    ) -> Result<u64, CommitError> {
        let entry = self.chain.append(&self.key, now, record.payload())?;
        let index = entry.index;
        let Changes { mut puts, deletes } = extra;
        puts.extend(archive::puts(&self.rules.take_archive()));
        puts.extend(game_index::puts(index, record));
        if index == 0 {
            puts.push((PARAMS_KEY.to_vec(), serde_json::to_vec(&self.rules.params).expect("params")));
        }
        if index + 1 - self.last_snapshot >= SNAPSHOT_EVERY {
            // Serialised and written off the writer, once committed (`take_snapshot`).
            self.snapshot = Some((index + 1, self.rules.clone()));
            self.last_snapshot = index + 1;
        }
        pending.transitions.push(Transition { entry, puts, deletes });
        Ok(index)
    }

    /// The snapshot due with the entries just committed, if any: the caller
    /// saves it with [`save_snapshot`], off the writer's lock.
    pub fn take_snapshot(&mut self) -> Option<(u64, Rules)> {
        self.snapshot.take()
    }

    /// Notes that the service was serving at `now` (not synced: losing it
    /// only makes the next outage look longer).
    pub fn heartbeat(&self, now: u64) -> Result<(), crate::db::DbError> {
        self.db.put_state_unsynced(ALIVE_KEY, &now.to_le_bytes())
    }
}
