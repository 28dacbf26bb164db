//! Building a transcript from the arbiter's log (`specs/transcript.md` §2):
//! which entries concern a game.

use std::collections::BTreeMap;

use refute_arbiter::log::Entry;
use refute_arbiter::rules::{B32, Event, GameStatus, Params, Role};
use refute_arbiter::service::record::Record;
use refute_arbiter::service::{ApiError, Service};
use std::path::{Path, PathBuf};

use crate::format::{FORMAT, Inputs, MAX_INPUT_BYTES, Transcript, VERSION};

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

/// Which log entries concern which game, built entry by entry (the
/// service keeps one and feeds it what was written since).
#[derive(Clone, Debug, Default)]
pub struct Index {
    next: u64,
    claims: BTreeMap<B32, u64>,
    games: BTreeMap<u64, Indexed>,
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
    pub fn add(&mut self, e: &Entry) -> Result<(), String> {
        if e.index != self.next {
            return Err(format!("entry {} given where entry {} was due", e.index, self.next));
        }
        self.next += 1;
        let r = Record::of(e)?;
        for ev in all_events(&r) {
            if let Event::ClaimPosted { claim, .. } = ev {
                self.claims.insert(*claim, e.index);
            }
            if let Event::GameStarted { game, claim, .. } = ev {
                let claim_entry = *self.claims.get(claim).ok_or_else(|| {
                    format!("entry {}: game {game} starts on claim {claim}, which no entry posted", e.index)
                })?;
                let g = Indexed {
                    claim: *claim,
                    claim_entry,
                    entries: Vec::new(),
                    verdict: GameStatus::Open,
                    last_ms: e.time_ms,
                };
                self.games.insert(*game, g);
            }
            let Some(game) = event_game(ev) else { continue };
            let Some(g) = self.games.get_mut(&game) else { continue };
            if g.entries.last() != Some(&e.index) {
                g.entries.push(e.index);
            }
            g.last_ms = e.time_ms;
            // A verdict, once reached, stays.
            let v = verdict_of(game, std::slice::from_ref(ev));
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
    /// claim's entry and the game's.
    pub fn entries_of(&self, game: u64) -> Option<Vec<u64>> {
        let g = self.games.get(&game)?;
        let mut all = vec![0, g.claim_entry];
        all.extend(&g.entries);
        all.sort_unstable();
        all.dedup();
        Some(all)
    }
}

/// The transcript of `game` from its entries (as [`Index::entries_of`] lists
/// them); `inputs` are the claim's input blobs, left out if any is larger
/// than [`MAX_INPUT_BYTES`].
pub fn assemble(
    arbiter: B32,
    params: Params,
    game: u64,
    claim: B32,
    entries: Vec<Entry>,
    inputs: Option<Inputs>,
) -> Result<Transcript, String> {
    let mut events = Vec::new();
    for e in &entries {
        events.extend(all_events(&Record::of(e)?).cloned());
    }
    let verdict = verdict_of(game, &events);
    let inputs = inputs.filter(|i| [&i.args, &i.env, &i.stdin].iter().all(|b| b.0.len() <= MAX_INPUT_BYTES));
    Ok(Transcript {
        format: FORMAT.into(),
        version: VERSION,
        arbiter,
        params,
        game,
        claim,
        verdict,
        inputs,
        entries,
    })
}

/// The transcript of `game` from a whole log (entries in order from 0).
/// `blob` returns an input blob by hash, if it is at hand.
pub fn from_log(
    arbiter: B32,
    params: Params,
    game: u64,
    log: &[Entry],
    blob: impl Fn(&B32) -> Option<Vec<u8>>,
) -> Result<Transcript, String> {
    let mut index = Index::default();
    for e in log {
        index.add(e)?;
    }
    let wanted = index.entries_of(game).ok_or_else(|| format!("the log has no game {game}"))?;
    let entries: Vec<Entry> = wanted.iter().map(|&i| log[i as usize].clone()).collect();
    let claim = index.game(game).expect("listed").claim;
    let inputs = claim_inputs(&entries, &claim, blob);
    assemble(arbiter, params, game, claim, entries, inputs)
}

/// The claim's input blobs, if `blob` has all three.
pub fn claim_inputs(
    entries: &[Entry],
    claim: &B32,
    blob: impl Fn(&B32) -> Option<Vec<u8>>,
) -> Option<Inputs> {
    use refute_arbiter::rules::{Blob, Message};
    let body = entries.iter().find_map(|e| {
        let r = Record::of(e).ok()?;
        let msg = r.input?.msg;
        match msg.body {
            Message::Claim(c) if msg.claim_id() == *claim => Some(c),
            _ => None,
        }
    })?;
    Some(Inputs {
        args: Blob(blob(&body.args)?),
        env: Blob(blob(&body.env)?),
        stdin: Blob(blob(&body.stdin)?),
    })
}

/// A side's name.
pub fn role_name(r: Role) -> &'static str {
    match r {
        Role::Solver => "solver",
        Role::Challenger => "challenger",
    }
}

fn storage(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(500, "storage", e.to_string())
}

/// The transcript of `game` as of the service's last committed entry;
/// `index` is first brought up to date with the entries written since.
pub fn from_service(s: &Service, index: &mut Index, game: u64) -> Result<Transcript, ApiError> {
    for e in s.db().log_entries(index.next()) {
        index.add(&e.map_err(storage)?).map_err(storage)?;
    }
    let wanted = index
        .entries_of(game)
        .ok_or_else(|| ApiError::new(404, "unknown_game", format!("no game {game}")))?;
    let claim = index.game(game).expect("listed").claim;
    let mut entries = Vec::with_capacity(wanted.len());
    for i in wanted {
        let e = s.db().log_entries(i).next().ok_or_else(|| storage(format!("log entry {i} is missing")))?;
        entries.push(e.map_err(storage)?);
    }
    let inputs = claim_inputs(&entries, &claim, |h| s.db().get_blob(&h.0).ok().flatten());
    let params = s.read(|c| c.rules.params.clone());
    assemble(s.arbiter(), params, game, claim, entries, inputs).map_err(storage)
}

/// Writes `game`'s transcript to `dir` as `game-ID.json` and `game-ID.bin`.
pub fn save(s: &Service, game: u64, dir: &Path) -> Result<Vec<PathBuf>, String> {
    let t = from_service(s, &mut Index::default(), game).map_err(|e| e.message)?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for (ext, bytes) in [("json", t.to_json()), ("bin", t.to_bin())] {
        let path = dir.join(format!("game-{game}.{ext}"));
        std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        out.push(path);
    }
    Ok(out)
}
