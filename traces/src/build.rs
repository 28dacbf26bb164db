//! Building a transcript from the arbiter's log (`specs/transcript.md` §2):
//! which entries concern a game.

use std::collections::BTreeMap;

use refute_protocol::log::Entry;
use refute_protocol::record::{Record, ReplayError};
use refute_protocol::rules::{B32, Blob, Event, GameStatus, Params, Role};
use thiserror::Error;

use crate::format::{FORMAT, Inputs, MAX_INPUT_BYTES, MAX_OUTPUT_FILES_BYTES, Transcript, VERSION};

/// Why a log does not index, or a transcript does not assemble.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum BuildError {
    /// Entries must come in order, each once.
    #[error("entry {got} given where entry {due} was due")]
    OutOfOrder {
        /// The entry given.
        got: u64,
        /// The entry due.
        due: u64,
    },
    /// An entry's payload is not a record.
    #[error(transparent)]
    Record(#[from] ReplayError),
    /// A game starts on a claim no entry posted.
    #[error("entry {entry}: game {game} starts on claim {claim}, which no entry posted")]
    Orphan {
        /// The entry.
        entry: u64,
        /// The game.
        game: u64,
        /// The claim it names.
        claim: B32,
    },
    /// The log has no such game.
    #[error("the log has no game {0}")]
    NoGame(u64),
}

/// The game an event is about, if it is about one.
pub fn event_game(e: &Event) -> Option<u64> {
    match e {
        Event::GameStarted { game, .. }
        | Event::LayerStarted { game, .. }
        | Event::Revealed { game, .. }
        | Event::Narrowed { game, .. }
        | Event::StepDisputed { game, .. }
        | Event::StepProven { game, .. }
        | Event::TimedOut { game, .. }
        | Event::GameWon { game, .. }
        | Event::GameLostByBoth { game }
        | Event::GameCancelled { game }
        | Event::ClaimRejected { game, .. } => Some(*game),
        _ => None,
    }
}

/// Where a game ended, by the events of its entries.
pub fn verdict_of(game: u64, events: &[Event]) -> GameStatus {
    let mut v = GameStatus::Open;
    for e in events {
        match e {
            Event::GameWon { game: g, winner } if *g == game => v = GameStatus::Won(*winner),
            Event::GameLostByBoth { game: g } if *g == game => v = GameStatus::LostByBoth,
            Event::GameCancelled { game: g } if *g == game => v = GameStatus::Cancelled,
            _ => {}
        }
    }
    v
}

/// The events of a record: those of the tick, then the message's.
pub fn all_events(r: &Record) -> impl Iterator<Item = &Event> {
    r.ticked.iter().chain(&r.events)
}

/// What one record adds to an index of the log: the claims it posts, the
/// games it starts (with their claims), the games it has an event of (in
/// order, each once), and whether it records an outage. [`Index`] and the
/// arbiter's stored index of transcripts both build on it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Touches {
    /// Claims posted.
    pub posted: Vec<B32>,
    /// Games started, with their claims.
    pub started: Vec<(u64, B32)>,
    /// Games with an event in the record.
    pub games: Vec<u64>,
    /// Whether the record is an outage (`resumed`).
    pub outage: bool,
}

/// What record `r` adds to an index of the log.
pub fn touches(r: &Record) -> Touches {
    let mut t = Touches { outage: r.resumed.is_some(), ..Touches::default() };
    let mut games = std::collections::BTreeSet::new();
    for ev in all_events(r) {
        match ev {
            Event::ClaimPosted { claim, .. } => t.posted.push(*claim),
            Event::GameStarted { game, claim, .. } => t.started.push((*game, *claim)),
            _ => {}
        }
        games.extend(event_game(ev));
    }
    t.games = games.into_iter().collect();
    t
}

/// Which log entries concern which game, built entry by entry in memory
/// (tools that read a whole log; the arbiter stores the same, from
/// [`touches`], with each entry).
#[derive(Clone, Debug, Default)]
pub struct Index {
    next: u64,
    claims: BTreeMap<B32, u64>,
    games: BTreeMap<u64, Indexed>,
    /// Entries that record an outage: they extend every running clock and window.
    outages: Vec<u64>,
}

/// What the index knows of a game.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Indexed {
    /// Its claim.
    pub claim: B32,
    /// The entry that posted the claim.
    pub claim_entry: u64,
    /// The entries with an event of the game, in order.
    pub entries: Vec<u64>,
    /// Its verdict as of the last entry indexed.
    pub verdict: GameStatus,
    /// The last entry's time.
    pub last_ms: u64,
}

impl Index {
    /// The index of the next entry to add.
    pub fn next(&self) -> u64 {
        self.next
    }

    /// Adds the next entry of the log. Entries must come in order, each once.
    pub fn add(&mut self, e: &Entry) -> Result<(), BuildError> {
        if e.index != self.next {
            return Err(BuildError::OutOfOrder { got: e.index, due: self.next });
        }
        self.next += 1;
        let r = Record::of(e)?;
        let t = touches(&r);
        if t.outage {
            self.outages.push(e.index);
        }
        for claim in t.posted {
            self.claims.insert(claim, e.index);
        }
        for (game, claim) in t.started {
            let claim_entry =
                *self.claims.get(&claim).ok_or(BuildError::Orphan { entry: e.index, game, claim })?;
            let g = Indexed {
                claim,
                claim_entry,
                entries: Vec::new(),
                verdict: GameStatus::Open,
                last_ms: e.time_ms,
            };
            self.games.insert(game, g);
        }
        let events: Vec<Event> = all_events(&r).cloned().collect();
        for game in t.games {
            let Some(g) = self.games.get_mut(&game) else { continue };
            g.entries.push(e.index);
            g.last_ms = e.time_ms;
            // A verdict, once reached, stays.
            let v = verdict_of(game, &events);
            if v != GameStatus::Open {
                g.verdict = v;
            }
        }
        Ok(())
    }

    /// What is known of `game`.
    pub fn game(&self, game: u64) -> Option<&Indexed> {
        self.games.get(&game)
    }

    /// Every game indexed.
    pub fn games(&self) -> impl Iterator<Item = (u64, &Indexed)> {
        self.games.iter().map(|(k, v)| (*k, v))
    }

    /// The entries a transcript of `game` holds, in order: entry 0, the
    /// claim's entry, the game's, and every outage from the claim's entry to
    /// the game's end (an outage extends the window and the clocks).
    pub fn entries_of(&self, game: u64) -> Option<Vec<u64>> {
        let g = self.games.get(&game)?;
        let mut all = vec![0, g.claim_entry];
        all.extend(&g.entries);
        let end = match g.verdict {
            GameStatus::Open => u64::MAX,
            _ => g.entries.last().copied().unwrap_or(g.claim_entry),
        };
        all.extend(self.outages.iter().filter(|&&o| o > g.claim_entry && o < end));
        all.sort_unstable();
        all.dedup();
        Some(all)
    }
}

/// The transcript of `game` from its entries (as [`Index::entries_of`] lists
/// them); `blobs` are the claim's blobs ([`claim_blobs`]): input blobs are
/// left out if any is larger than [`MAX_INPUT_BYTES`], the output files if
/// they are larger than [`MAX_OUTPUT_FILES_BYTES`].
pub fn assemble(
    arbiter: B32,
    params: Params,
    game: u64,
    claim: B32,
    entries: Vec<Entry>,
    blobs: ClaimBlobs,
) -> Result<Transcript, BuildError> {
    let mut events = Vec::new();
    for e in &entries {
        events.extend(all_events(&Record::of(e)?).cloned());
    }
    let verdict = verdict_of(game, &events);
    let inputs = blobs.inputs.filter(|i| {
        [&i.args, &i.env, &i.stdin].into_iter().chain(&i.dirs).all(|b| b.0.len() <= MAX_INPUT_BYTES)
    });
    let outputs = blobs.outputs.filter(|b| b.0.len() <= MAX_OUTPUT_FILES_BYTES);
    Ok(Transcript {
        format: FORMAT.into(),
        version: VERSION,
        arbiter,
        params,
        game,
        claim,
        verdict,
        inputs,
        outputs,
        entries,
    })
}

/// The transcript of `game` from a whole log (entries in order from 0).
/// `blob` returns a blob by hash, if it is at hand.
pub fn from_log(
    arbiter: B32,
    params: Params,
    game: u64,
    log: &[Entry],
    blob: impl Fn(&B32) -> Option<Vec<u8>>,
) -> Result<Transcript, BuildError> {
    let mut index = Index::default();
    for e in log {
        index.add(e)?;
    }
    let wanted = index.entries_of(game).ok_or(BuildError::NoGame(game))?;
    let entries: Vec<Entry> = wanted.iter().map(|&i| log[i as usize].clone()).collect();
    let claim = index.game(game).expect("listed").claim;
    let blobs = claim_blobs(&entries, &claim, blob);
    assemble(arbiter, params, game, claim, entries, blobs)
}

/// The blobs of a claim a transcript may carry.
#[derive(Clone, Debug, Default)]
pub struct ClaimBlobs {
    /// Its input blobs, if all are at hand.
    pub inputs: Option<Inputs>,
    /// Its output files blob, if it names one and it is at hand.
    pub outputs: Option<Blob>,
}

/// The body of `claim`, if one of `entries` posted it.
pub fn claim_body(entries: &[Entry], claim: &B32) -> Option<refute_protocol::rules::ClaimBody> {
    use refute_protocol::rules::Message;
    entries.iter().find_map(|e| {
        let r = Record::of(e).ok()?;
        let msg = r.input?.msg;
        match msg.body {
            Message::Claim(c) if msg.claim_id() == *claim => Some(*c),
            _ => None,
        }
    })
}

/// The blobs of `claim` (posted in one of `entries`) that `blob` has.
pub fn claim_blobs(entries: &[Entry], claim: &B32, blob: impl Fn(&B32) -> Option<Vec<u8>>) -> ClaimBlobs {
    let Some(body) = claim_body(entries, claim) else {
        return ClaimBlobs::default();
    };
    let inputs = (|| {
        let dirs = match &body.dirs {
            Some(h) => Some(Blob(blob(h)?)),
            None => None,
        };
        Some(Inputs {
            args: Blob(blob(&body.args)?),
            env: Blob(blob(&body.env)?),
            stdin: Blob(blob(&body.stdin)?),
            dirs,
        })
    })();
    let outputs = body.outputs.as_ref().and_then(&blob).map(Blob);
    ClaimBlobs { inputs, outputs }
}

/// A side's name.
pub fn role_name(r: Role) -> &'static str {
    match r {
        Role::Solver => "solver",
        Role::Challenger => "challenger",
    }
}
