//! The game rules: a pure state machine (`specs/protocol.md`).
//!
//! [`Rules::apply`] takes a signed message and the time and returns the events
//! it caused, or a [`RuleError`] and no change at all; [`Rules::tick`] ends
//! games whose clocks ran out and finalises claims, a bounded amount per call; [`Rules::resume`] extends
//! every running deadline over an outage. Nothing here does I/O or reads a
//! clock: time is an input, in milliseconds.
//!
//! The service must call `tick(now)` until [`Rules::due`] is false before
//! `apply(msg, now)`, with `now` never decreasing, and must add a
//! [`ServiceNote`] to every `Claim` ([`Rules::apply_with`]).

mod bytes;
mod claim;
mod error;
mod event;
mod game;
mod index;
mod job;
mod lottery;
mod money;
mod msg;
mod params;
mod stakes;
mod state;
#[cfg(test)]
mod tests;

pub use bytes::{B32, Blob, Sig, VrfProof, from_hex, to_hex};
pub use claim::AUDIT_DOMAIN;
pub use error::RuleError;
pub use event::{Event, Role};
pub use job::{DRAW_POSITIONS, JOB_DRAW_DOMAIN, JOB_SEED_DOMAIN, MAX_JOB_DRAWS, draw_solver};
pub use lottery::{
    DRAW_DOMAIN, LOTTERY_DOMAIN, draw, lottery_input, lottery_output, lottery_prove, position,
};
pub use msg::{
    ATTEST_DOMAIN, CLAIM_DOMAIN, ClaimBody, JobBody, MAX_ALSO, MAX_MESSAGE_JSON, MSG_DOMAIN, Message,
    ServiceNote, Signed, Verified, attest_commitment, claim_id, signing_bytes,
};
pub use msg::{BLOB_DOMAIN, BlobUpload, UPLOAD_MAX_AHEAD_MS, UploadHeaderError, blob_signing_bytes};
pub use params::{
    Faucet, GSTEP, MAX_COMMITTEE_SIZE, PARAMS_DOMAIN, Params, ParamsError, RULES_VERSION, params_hash,
};
pub use state::{
    Account, Claim, ClaimStatus, Duty, Game, GameStatus, Job, JobStatus, Phase, Reputation, Side, State,
    audit_leaf, strides,
};

use serde::{Deserialize, Serialize};

/// Events one `tick` produces at most before it stops taking new work (the
/// item in hand may add up to `12 + 2 · max_committee` more: a claim's end
/// has a duty event and at most one returned stake per member). With events of
/// at most about 200 bytes as JSON, a tick's log entry stays far below the
/// log's 1 MiB payload limit (`specs/protocol.md` §5.8).
pub const TICK_EVENTS: usize = 1024;

/// The parameters and the state: everything a transition reads or writes.
///
/// The deadline index is derived from the state and rebuilt when needed; code
/// that changes `state` directly must do it through [`Rules::state_mut`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Rules {
    /// The parameters (fixed for the life of the state).
    pub params: Params,
    /// The state.
    pub state: State,
    #[serde(skip)]
    index: index::Index,
    /// Claims and games that have ended and left the state, until the
    /// service takes them ([`Rules::take_archive`]) to store them.
    #[serde(skip)]
    archive: Archive,
    /// `params.genesis()`, computed on first use: every signature is checked against it.
    #[serde(skip)]
    genesis: std::sync::OnceLock<B32>,
}

/// Claims that have ended (final or rejected, with no open game) and their
/// games: they leave the state at the end of the transition that ends them
/// (`specs/protocol.md` §4), and wait here until the service stores them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Archive {
    /// Ended claims by id.
    pub claims: std::collections::BTreeMap<B32, Claim>,
    /// Their games by id.
    pub games: std::collections::BTreeMap<u64, Game>,
    /// Jobs that have ended: failed, or done with their claim ended.
    pub jobs: std::collections::BTreeMap<B32, Job>,
}

impl Archive {
    /// Whether nothing has left the state since the last take.
    pub fn is_empty(&self) -> bool {
        self.claims.is_empty() && self.games.is_empty() && self.jobs.is_empty()
    }
}

impl PartialEq for Rules {
    fn eq(&self, other: &Rules) -> bool {
        self.params == other.params && self.state == other.state
    }
}

impl Eq for Rules {}

impl Rules {
    /// Empty state under `params`; fails naming a bad parameter.
    pub fn new(params: Params) -> Result<Rules, ParamsError> {
        params.validate()?;
        Ok(Rules {
            params,
            state: State::default(),
            index: index::Index::default(),
            archive: Archive::default(),
            genesis: Default::default(),
        })
    }

    /// The genesis hash of the arbiter's log under these parameters
    /// ([`Params::genesis`]): every message must be signed for it.
    pub fn genesis(&self) -> B32 {
        *self.genesis.get_or_init(|| self.params.genesis())
    }

    /// Claim `id`, whether still in the state or ended and not yet taken
    /// by [`Rules::take_archive`] (tools and tests that never take it see
    /// every claim).
    pub fn claim(&self, id: &B32) -> Option<&Claim> {
        self.state.claims.get(id).or_else(|| self.archive.claims.get(id))
    }

    /// Job `id`, as [`Rules::claim`] finds a claim.
    pub fn job(&self, id: &B32) -> Option<&Job> {
        self.state.jobs.get(id).or_else(|| self.archive.jobs.get(id))
    }

    /// Game `id`, as [`Rules::claim`] finds a claim.
    pub fn game(&self, id: u64) -> Option<&Game> {
        self.state.games.get(&id).or_else(|| self.archive.games.get(&id))
    }

    /// The claims and games that have left the state since the last call:
    /// the service stores them with the entry that ended them.
    pub fn take_archive(&mut self) -> Archive {
        std::mem::take(&mut self.archive)
    }

    /// Moves the claims that have ended, and their games, out of the state
    /// into the archive. Called at the end of every transition, so no
    /// transition ever sees an ended claim; each costs O(its games · log n).
    fn archive_ended(&mut self) {
        if !self.index.is_built() {
            self.index = index::Index::build(&self.state);
        }
        let Rules { state: s, index: ix, archive, .. } = self;
        while let Some(id) = ix.ended.pop_first() {
            let c = s.claims.remove(&id).expect("the index lists only claims in the state");
            for g in c.games.values() {
                let game = s.games.remove(g).expect("a claim's games are in the state");
                archive.games.insert(*g, game);
            }
            ix.touch_claim(s, &id);
            if let Some(j) = c.body.job
                && s.jobs.get(&j).is_some_and(|j| j.status == JobStatus::Done && j.claim == Some(id))
            {
                let job = s.jobs.remove(&j).expect("checked");
                ix.touch_job(s, &j);
                archive.jobs.insert(j, job);
            }
            archive.claims.insert(id, c);
        }
        while let Some(id) = ix.ended_jobs.pop_first() {
            let job = s.jobs.remove(&id).expect("the index lists only jobs in the state");
            ix.touch_job(s, &id);
            archive.jobs.insert(id, job);
        }
    }

    /// The state, to change directly (replaying part of a log, as
    /// `refute trace verify` does): the deadline index is rebuilt on next use.
    pub fn state_mut(&mut self) -> &mut State {
        self.index.invalidate();
        &mut self.state
    }

    /// The state, the parameters and the index, built if needed.
    fn parts(&mut self) -> (&mut State, &Params, &mut index::Index) {
        if !self.index.is_built() {
            self.index = index::Index::build(&self.state);
        }
        (&mut self.state, &self.params, &mut self.index)
    }

    /// Whether the index agrees with the state (for tests: a rebuilt index
    /// must equal the one kept up to date transition by transition).
    pub fn index_is_consistent(&mut self) -> bool {
        let (s, _, ix) = self.parts();
        *ix == index::Index::build(s)
    }

    /// Applies `msg` at time `now` (ms). A `Claim` is refused here with
    /// `missing_note`: the service uses [`Rules::apply_with`] for claims.
    pub fn apply(&mut self, msg: &Signed, now: u64) -> Result<Vec<Event>, RuleError> {
        self.apply_with(msg, None, now)
    }

    /// Applies `msg` at time `now`, with the service's note for a `Claim`.
    /// On `Err`, nothing has changed, not even the signer's nonce.
    pub fn apply_with(
        &mut self,
        msg: &Signed,
        note: Option<&ServiceNote>,
        now: u64,
    ) -> Result<Vec<Event>, RuleError> {
        self.check_time(now)?;
        msg.verify(&self.genesis())?;
        self.apply_checked(msg, note, now)
    }

    /// [`Rules::apply_with`] for a message whose signature the caller has
    /// already checked (the service checks each signature once).
    pub fn apply_verified(
        &mut self,
        msg: &Verified,
        note: Option<&ServiceNote>,
        now: u64,
    ) -> Result<Vec<Event>, RuleError> {
        self.check_time(now)?;
        self.apply_checked(msg.signed(), note, now)
    }

    /// Refuses a time before the last transition, or one with work due.
    fn check_time(&mut self, now: u64) -> Result<(), RuleError> {
        let (s, _, ix) = self.parts();
        if now < s.now {
            return Err(RuleError::ClockBackwards { now, last: s.now });
        }
        if ix.due(now) {
            return Err(RuleError::TickPending { now });
        }
        Ok(())
    }

    fn apply_checked(
        &mut self,
        msg: &Signed,
        note: Option<&ServiceNote>,
        now: u64,
    ) -> Result<Vec<Event>, RuleError> {
        let (s, p, ix) = self.parts();
        let who = &msg.signer;
        let expected = s.account(who).nonce;
        if msg.nonce != expected {
            return Err(RuleError::BadNonce { expected, got: msg.nonce });
        }
        if note.is_some() && !matches!(msg.body, Message::Claim(_) | Message::JobPost(_)) {
            return Err(RuleError::UnexpectedNote);
        }
        let events = match &msg.body {
            Message::Mint { to, amount } => claim::mint(s, p, who, to, *amount),
            Message::Register { stake } => {
                let ev = claim::register(s, p, ix, who, *stake)?;
                ix.touch_account(s, who);
                Ok(ev)
            }
            Message::Unregister => {
                let ev = claim::unregister(s, ix, who)?;
                ix.touch_account(s, who);
                Ok(ev)
            }
            Message::Claim(c) => {
                let id = msg.claim_id();
                let ev = claim::claim(s, p, ix, id, who, c, note, now)?;
                ix.touch_claim(s, &id);
                Ok(ev)
            }
            Message::JobPost(j) => job::post(s, p, ix, msg.claim_id(), who, j, note, now),
            Message::JobDecline { job } => job::decline(s, p, ix, who, job, now),
            Message::Challenge { claim, history_root, final_root, bond } => {
                let m = claim::ChallengeMsg {
                    claim: *claim,
                    history_root: *history_root,
                    final_root: *final_root,
                    bond: *bond,
                };
                let ev = claim::challenge(s, p, who, m, now)?;
                ix.touch_game(s, s.next_game - 1);
                Ok(ev)
            }
            Message::Attest { claim, commitment } => {
                let ev = claim::attest(s, who, claim, commitment, now)?;
                ix.touch_claim(s, claim);
                Ok(ev)
            }
            Message::Disclose { claim, salt, root, proof } => {
                let m = claim::DiscloseMsg { claim: *claim, salt: *salt, root: *root, proof };
                claim::disclose(s, p, who, m, now)
            }
            Message::Reveal { game, also, layer_root, roots, proof } => {
                let m = game::RevealMsg { game: *game, also, layer_root: *layer_root, roots, proof };
                game::reveal(s, p, ix, who, m, now)
            }
            Message::Step { game, also, proof } => game::step(s, p, ix, who, *game, also, proof, now),
        }?;
        s.acct(who).nonce += 1;
        s.now = now;
        self.archive_ended();
        Ok(events)
    }

    /// The checks of `msg` that need no service note and change nothing: its
    /// nonce, and for a claim its terms and result against the
    /// parameters, a duplicate id and the solver's funds. The service runs
    /// them before any claim-time work (instantiating and hashing the
    /// module), so that a message the rules would refuse anyway costs only
    /// this. [`Rules::apply_with`] checks all of it again.
    pub fn precheck(&self, msg: &Verified) -> Result<(), RuleError> {
        let s = &self.state;
        let expected = s.account(&msg.signer).nonce;
        if msg.nonce != expected {
            return Err(RuleError::BadNonce { expected, got: msg.nonce });
        }
        if let Message::Claim(c) = &msg.body {
            let id = msg.claim_id();
            if s.claims.contains_key(&id) {
                return Err(RuleError::DuplicateClaim(id));
            }
            c.check(&self.params)?;
            if let Some(j) = &c.job {
                job::check_answer(s, j, &msg.signer, c, s.now)?;
            }
            money::check_funds(s, &msg.signer, c.bond)?;
        }
        if let Message::JobPost(j) = &msg.body {
            j.check(&self.params)?;
            money::check_funds(s, &msg.signer, j.reward)?;
        }
        Ok(())
    }

    /// Whether [`Rules::tick`] at `now` has anything to do: a clock that
    /// has run out, or a window that has closed. O(log n).
    pub fn due(&mut self, now: u64) -> bool {
        let (s, _, ix) = self.parts();
        now >= s.now && ix.due(now)
    }

    /// Advances time to `now` and does a bounded part of what is due, in this
    /// order: ends games whose clock
    /// has run out (by deadline), finalises claims whose window has passed
    /// with every game won by the solver (by window end). It stops taking new
    /// work once it has produced [`TICK_EVENTS`] events: call it again while
    /// [`Rules::due`]. A `now` before the last transition's changes nothing.
    /// Each call costs O(what it changes · log n).
    pub fn tick(&mut self, now: u64) -> Vec<Event> {
        let (s, p, ix) = self.parts();
        if now < s.now {
            return Vec::new();
        }
        s.now = now;
        let mut ev = Vec::new();
        while ev.len() < TICK_EVENTS {
            if let Some(&(_, g)) = ix.clocks.first().filter(|(d, _)| *d <= now) {
                game::expire(s, p, ix, g, now, &mut ev);
            } else if let Some(&(_, c)) = ix.windows.first().filter(|(w, _)| *w <= now) {
                money::finalise(s, p, ix, c, now, &mut ev);
            } else if let Some(&(_, c)) = ix.audits.first().filter(|(w, _)| *w <= now) {
                money::end_audit(s, p, ix, c, &mut ev);
            } else if let Some(&(_, j)) = ix.jobs.first().filter(|(d, _)| *d <= now) {
                job::expire(s, p, ix, &j, now, &mut ev);
            } else {
                break;
            }
        }
        self.archive_ended();
        ev
    }

    /// Ticks at `now` until nothing is due; returns every event. For tools
    /// and tests that replay without a log: the service logs each
    /// [`Rules::tick`] as its own entry instead.
    pub fn tick_all(&mut self, now: u64) -> Vec<Event> {
        let mut ev = self.tick(now);
        while self.due(now) {
            ev.extend(self.tick(now));
        }
        ev
    }

    /// The arbiter was not serving from `from` to `to` (ms): every window and
    /// clock still running at `from` is extended by `to - from`, so nobody
    /// loses time to an outage (`specs/protocol.md` §5.8). Deadlines that
    /// had passed by `from` stay passed. Refused if `from` is before the last
    /// transition or `to` before `from`.
    pub fn resume(&mut self, from: u64, to: u64) -> Result<Vec<Event>, RuleError> {
        let (s, _, _) = self.parts();
        if from < s.now {
            return Err(RuleError::ClockBackwards { now: from, last: s.now });
        }
        if to < from {
            return Err(RuleError::ClockBackwards { now: to, last: from });
        }
        let down = to - from;
        for c in s.claims.values_mut().filter(|c| c.status == ClaimStatus::Open) {
            if c.window_ends > from {
                c.window_ends = c.window_ends.saturating_add(down);
            }
        }
        for c in s.claims.values_mut() {
            if let Some(end) = c.audit_ends.as_mut().filter(|e| **e > from) {
                *end = end.saturating_add(down);
            }
        }
        for j in s.jobs.values_mut().filter(|j| j.status == JobStatus::Assigned) {
            if j.deadline > from {
                j.deadline = j.deadline.saturating_add(down);
            }
        }
        for g in s.games.values_mut().filter(|g| g.status == GameStatus::Open) {
            for side in &mut g.sides {
                if side.deadline().is_some_and(|d| d > from) {
                    side.owes_since = side.owes_since.map(|t| t.saturating_add(down));
                }
            }
        }
        s.now = to;
        self.index.invalidate();
        self.archive_ended();
        Ok(vec![Event::Resumed { from, to }])
    }
}
