//! Deadline indexes: what `tick` has to do, which claims have ended and
//! leave the state, who sits on an open claim's committee, and the
//! candidates by stake, found without scanning every claim, game or account
//! (`specs/protocol.md` §4, §5.3, §5.8).
//!
//! The index is derived from the state and never serialised: [`Index::build`]
//! computes it from scratch, and the rules keep it up to date by calling
//! [`Index::touch_game`] or [`Index::touch_claim`] after they change a game or
//! a claim. Each entry remembers what it contributed, so a touch removes the
//! old contribution and adds the new one in O(log n).

use std::collections::{BTreeMap, BTreeSet};

use super::stakes::Stakes;
use super::{B32, ClaimStatus, GameStatus, JobStatus, State};

/// What an open game contributes to the index: it counts in `open_games`,
/// and waits in `clocks` at its earliest running deadline, if one runs.
/// (Games of a rejected claim play on, `specs/protocol.md` §5.7.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct GameKey {
    claim: B32,
    deadline: Option<u64>,
}

/// What a claim contributes to the index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct ClaimKey {
    /// Its window's end, if it waits in `windows`.
    window: Option<u64>,
    /// Its audit's end, if it waits in `audits`.
    audit: Option<u64>,
    /// Its committee's members while it is open, in `duties`.
    members: Vec<B32>,
    /// Whether it waits in `ended`.
    ended: bool,
}

/// The work `tick` may have: clocks that run out, windows that close.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Index {
    built: bool,
    /// `(deadline, game)`: the earliest running clock of each open game.
    pub clocks: BTreeSet<(u64, u64)>,
    /// `(window_ends, claim)`: open claims with no open game, finalised once the window passes.
    pub windows: BTreeSet<(u64, B32)>,
    /// `(audit_ends, claim)`: final claims whose audit is running.
    pub audits: BTreeSet<(u64, B32)>,
    /// `(deadline, job)`: jobs waiting for their drawn solver's claim.
    pub jobs: BTreeSet<(u64, B32)>,
    /// Jobs that failed: they leave the state at the end of the transition.
    pub ended_jobs: BTreeSet<B32>,
    /// The solver of each job in `jobs` and its deadline, so a touch finds the old entries.
    job_keys: BTreeMap<B32, (u64, B32)>,
    /// Committee candidates (accounts with a slot) by stake, for the lottery.
    pub candidates: Stakes,
    /// Claims that are over (final or rejected) with no open game: they
    /// leave the state at the end of the transition (`Rules::archive`).
    pub ended: BTreeSet<B32>,
    /// `(member, claim)`: a committee seat on an open claim or on a final
    /// one in its audit, and `(solver, job)`: a drawn solver that owes a
    /// job's claim. A duty can cost stake until it is counted, so a leaving
    /// member's stake is held until then.
    duties: BTreeSet<(B32, B32)>,
    /// Open games per claim.
    open_games: BTreeMap<B32, u64>,
    games: BTreeMap<u64, GameKey>,
    claims: BTreeMap<B32, ClaimKey>,
}

impl Index {
    /// Whether the index reflects the state (false after deserialising or [`Index::invalidate`]).
    pub fn is_built(&self) -> bool {
        self.built
    }

    /// Forgets everything: the next use rebuilds it.
    pub fn invalidate(&mut self) {
        *self = Index::default();
    }

    /// The index of `s`, from scratch.
    pub fn build(s: &State) -> Index {
        let mut ix = Index { built: true, ..Index::default() };
        for &id in s.games.keys() {
            ix.touch_game_only(s, id);
        }
        for &id in s.claims.keys() {
            ix.touch_claim(s, &id);
        }
        for &id in s.jobs.keys() {
            ix.touch_job(s, &id);
        }
        ix.candidates = Stakes::of(s);
        ix
    }

    /// Brings account `key`'s candidacy up to date with `s`.
    pub fn touch_account(&mut self, s: &State, key: &B32) {
        self.candidates.remove(key);
        if let Some(a) = s.accounts.get(key)
            && let (Some(slot), Some(stake)) = (a.slot, a.stake)
        {
            self.candidates.insert(slot, *key, stake);
        }
    }

    /// An open claim on whose committee `who` sits, if any.
    pub fn duty_of(&self, who: &B32) -> Option<B32> {
        self.duties.range((*who, B32([0; 32]))..).next().filter(|(m, _)| m == who).map(|(_, c)| *c)
    }

    /// Whether claim `id` has an open game.
    pub fn has_open_games(&self, id: &B32) -> bool {
        self.open_games.contains_key(id)
    }

    /// Whether `tick(now)` has anything to do.
    pub fn due(&self, now: u64) -> bool {
        self.clocks.first().is_some_and(|&(d, _)| d <= now)
            || self.windows.first().is_some_and(|&(w, _)| w <= now)
            || self.audits.first().is_some_and(|&(w, _)| w <= now)
            || self.jobs.first().is_some_and(|&(w, _)| w <= now)
    }

    /// Brings job `id`'s entries (its deadline, its solver's duty) up to date with `s`.
    pub fn touch_job(&mut self, s: &State, id: &B32) {
        if let Some((deadline, solver)) = self.job_keys.remove(id) {
            self.jobs.remove(&(deadline, *id));
            self.duties.remove(&(solver, *id));
        }
        self.ended_jobs.remove(id);
        let Some(j) = s.jobs.get(id) else { return };
        if j.status == JobStatus::Failed {
            self.ended_jobs.insert(*id);
        }
        if j.status != JobStatus::Assigned {
            return;
        }
        let solver = j.solver.expect("an assigned job has a solver");
        self.jobs.insert((j.deadline, *id));
        self.duties.insert((solver, *id));
        self.job_keys.insert(*id, (j.deadline, solver));
    }

    /// Brings game `id`'s entries (and its claim's) up to date with `s`.
    pub fn touch_game(&mut self, s: &State, id: u64) {
        let claims = self.touch_game_only(s, id);
        for c in claims.into_iter().flatten() {
            self.touch_claim(s, &c);
        }
    }

    /// Updates the game's own entries; returns the claims whose count of open games changed.
    fn touch_game_only(&mut self, s: &State, id: u64) -> [Option<B32>; 2] {
        let mut changed = [None, None];
        if let Some(GameKey { claim, deadline }) = self.games.remove(&id) {
            if let Some(d) = deadline {
                self.clocks.remove(&(d, id));
            }
            let n = self.open_games.get_mut(&claim).expect("counted");
            *n -= 1;
            if *n == 0 {
                self.open_games.remove(&claim);
            }
            changed[0] = Some(claim);
        }
        let Some(g) = s.games.get(&id).filter(|g| g.status == GameStatus::Open) else {
            return changed;
        };
        let deadline = g.sides.iter().filter_map(|s| s.deadline()).min();
        if let Some(d) = deadline {
            self.clocks.insert((d, id));
        }
        let key = GameKey { claim: g.claim, deadline };
        *self.open_games.entry(g.claim).or_default() += 1;
        changed[1] = Some(g.claim);
        self.games.insert(id, key);
        changed
    }

    /// Brings claim `id`'s entries (window, committee seats, ended) up to date with `s`.
    pub fn touch_claim(&mut self, s: &State, id: &B32) {
        if let Some(old) = self.claims.remove(id) {
            if let Some(w) = old.window {
                self.windows.remove(&(w, *id));
            }
            if let Some(w) = old.audit {
                self.audits.remove(&(w, *id));
            }
            for m in old.members {
                self.duties.remove(&(m, *id));
            }
            if old.ended {
                self.ended.remove(id);
            }
        }
        let Some(c) = s.claims.get(id) else { return };
        let busy = self.open_games.contains_key(id);
        let mut key = ClaimKey::default();
        if c.status == ClaimStatus::Open {
            if !busy {
                self.windows.insert((c.window_ends, *id));
                key.window = Some(c.window_ends);
            }
            key.members = c.committee.keys().copied().collect();
            for m in &key.members {
                self.duties.insert((*m, *id));
            }
        } else if let Some(ends) = c.audit_ends {
            self.audits.insert((ends, *id));
            key.audit = Some(ends);
            key.members = c.committee.keys().copied().collect();
            for m in &key.members {
                self.duties.insert((*m, *id));
            }
        } else if !busy {
            self.ended.insert(*id);
            key.ended = true;
        }
        if key != ClaimKey::default() {
            self.claims.insert(*id, key);
        }
    }
}
