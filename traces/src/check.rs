//! Checking a transcript offline (`specs/transcript.md` §4): the arbiter's
//! signatures and hash links, then the game replayed by the arbiter's own
//! pure rules from the claim, the challenge and the players' signed moves,
//! every recorded event compared, and the verdict. Builds the [`Timeline`]
//! on the way.

use std::collections::BTreeMap;

use ed25519_dalek::VerifyingKey;
use refute_engine::history::split;
use refute_engine::proof::{Proof, verify_step};
use refute_engine::state::{TreeId, decode_status};
use refute_protocol::inputs::{ClaimInputs, initial_root};
use refute_protocol::log::{Chain, Entry, Fault, Head};
use refute_protocol::record::{Logged, Record};
use refute_protocol::rules::params_hash;
use refute_protocol::rules::{
    B32, ClaimBody, Event, Game, GameStatus, Job, JobBody, JobStatus, Message, Phase, Role, Rules,
    ServiceNote, Signed,
};
use sha2::{Digest, Sha256};

use crate::build::{event_game, role_name};
use crate::format::Transcript;
use crate::timeline::{
    Bond, ClaimInfo, Clock, Failure, Move, Point, Round, SlotView, Span, StepView, Timeline, verdict_text,
};

/// Checks `t` and tells its story. `module`, if given, is checked against
/// the claim and, with the transcript's inputs, against the initial root
/// the arbiter vouched for. The timeline's `failure` is the first point
/// that does not check; the story stops there.
pub fn check(t: &Transcript, module: Option<&[u8]>) -> Timeline {
    let mut r = Replay::new(t);
    let result = r.run(module);
    r.finish(result)
}

/// The first 8 hex digits of a root or key, for prose.
pub fn short(b: &B32) -> String {
    b.to_string()[..8].to_string()
}

fn fail(entry: Option<u64>, what: impl Into<String>) -> Failure {
    Failure { entry, what: what.into() }
}

/// The events of `events` that belong to `game` of `claim`: an event naming
/// a game starts a run of that game's events (the money events after it are
/// its bonds); `ClaimPosted` starts the claim's, `ClaimFinal`,
/// `ClaimRejected`, `ClaimSettled` and events of other claims end them (the
/// last three, with the money after them, are the claim's, not a game's).
/// Committee events (a leaving member's stake returned included), the
/// audit's (disclosures, fees, slashes) and a job's are never a game's, and
/// end a run of one: they are the claim's (or another claim's or job's).
/// `mine` says
/// whether the list starts with this game's events (a move of the game:
/// its bond is locked before the game's first event).
pub(crate) fn project(events: &[Event], game: u64, claim: &B32, mut mine: bool) -> Vec<Event> {
    let mut out = Vec::new();
    for e in events {
        match e {
            Event::CommitteeDrawn { .. }
            | Event::DutyDone { .. }
            | Event::DutyMissed { .. }
            | Event::Attested { .. }
            // A leaving member's stake returns when a claim ends, amid
            // that claim's own events.
            | Event::Leaving { .. }
            | Event::Unregistered { .. } => continue,
            // The audit of a final claim, the stake a missed duty costs,
            // fees and rewards, and jobs (`specs/protocol.md` §5.4, §5.9):
            // what they pay depends on the committee's and the job's
            // messages, which a transcript does not hold.
            Event::Disclosed { .. }
            | Event::AuditStarted { .. }
            | Event::AuditEnded { .. }
            | Event::Slashed { .. }
            | Event::Paid { .. }
            | Event::JobPosted { .. }
            | Event::JobAssigned { .. }
            | Event::JobClaimed { .. }
            | Event::JobDeclined { .. }
            | Event::JobMissed { .. }
            | Event::JobDone { .. }
            | Event::JobFailed { .. } => {
                mine = false;
                continue;
            }
            Event::ClaimPosted { claim: c, .. } => mine = c == claim,
            // The claim's end is not a game's: which game rejected it and who
            // is paid its bond depend on the claim's other games.
            Event::ClaimRejected { .. } | Event::ClaimSettled { .. } => {
                mine = false;
                continue;
            }
            Event::ClaimFinal { .. }
            | Event::Minted { .. }
            | Event::Registered { .. } => mine = false,
            _ => {
                if let Some(g) = event_game(e) {
                    mine = g == game;
                }
            }
        }
        if mine {
            out.push(e.clone());
        }
    }
    out
}

fn events_json(e: &[Event]) -> String {
    serde_json::to_string(e).expect("events serialise")
}

fn span(g: &Game) -> Span {
    let layer = g.layer();
    let at = |i: u64| layer.step_at(i as usize).expect("a and b are in the layer");
    Span { depth: g.depth, stride: g.stride, from: at(g.a), to: at(g.b) }
}

fn clocks(g: &Game, now: u64) -> [Clock; 2] {
    let open = g.status == GameStatus::Open;
    let c = |i: usize| {
        let s = &g.sides[i];
        match s.owes_since {
            Some(t) if open => {
                Clock { left_ms: s.clock_left.saturating_sub(now.saturating_sub(t)), running: true }
            }
            _ => Clock { left_ms: s.clock_left, running: false },
        }
    };
    [c(0), c(1)]
}

/// A round in progress: the interval, the steps of its points, each side's roots.
type OpenRound = (Span, Vec<u64>, [Option<Vec<B32>>; 2]);

/// The replay of one transcript.
struct Replay<'t> {
    t: &'t Transcript,
    rules: Option<Rules>,
    tl: Timeline,
    claim: Option<(ClaimBody, ServiceNote)>,
    round: Option<OpenRound>,
    cancelled: bool,
    links: u64,
    moves: u64,
    timed_out: Vec<(u64, Role, Phase, Span)>,
    /// The settlement of the claim's bond, when an entry here records it:
    /// the claim's, not the game's, so shown as the arbiter signed it.
    claim_money: Vec<Bond>,
}

impl<'t> Replay<'t> {
    fn new(t: &'t Transcript) -> Replay<'t> {
        let tl = Timeline {
            version: t.version,
            arbiter: t.arbiter,
            game: t.game,
            claim: t.claim,
            k: t.params.k,
            max_leaves: t.params.max_leaves,
            ..Timeline::default()
        };
        Replay {
            t,
            rules: None,
            tl,
            claim: None,
            round: None,
            cancelled: false,
            links: 0,
            moves: 0,
            claim_money: Vec::new(),
            timed_out: vec![],
        }
    }

    fn rules(&mut self) -> &mut Rules {
        self.rules.as_mut().expect("set before the entries")
    }

    fn game(&self) -> Option<&Game> {
        self.rules.as_ref()?.game(self.t.game)
    }

    fn run(&mut self, module: Option<&[u8]>) -> Result<(), Failure> {
        let t = self.t;
        if t.params.arbiter != t.arbiter {
            let what =
                format!("the parameters name arbiter {}, the transcript {}", t.params.arbiter, t.arbiter);
            return Err(fail(None, what));
        }
        self.rules =
            Some(Rules::new(t.params.clone()).map_err(|e| fail(None, format!("the parameters: {e}")))?);
        let key = VerifyingKey::from_bytes(&t.arbiter.0)
            .map_err(|_| fail(None, format!("the arbiter key {} is not an ed25519 key", t.arbiter)))?;
        if t.entries.first().map(|e| e.index) != Some(0) {
            return Err(fail(None, "the first entry must be entry 0 of the log (it binds the parameters)"));
        }
        let mut head = None;
        for e in &t.entries {
            self.authenticate(&key, e, &mut head)?;
            let rec = Record::of(e).map_err(|w| fail(Some(e.index), w.to_string()))?;
            if rec.now != e.time_ms {
                let what = format!("its record is at {} ms, the entry at {} ms", rec.now, e.time_ms);
                return Err(fail(Some(e.index), what));
            }
            self.replay(e, &rec)?;
        }
        let n = t.entries.len();
        self.tl.checked.push(format!(
            "entry 0 chains onto the genesis of arbiter {} and these parameters",
            short(&t.arbiter)
        ));
        self.tl.checked.push(format!(
            "{n} entries signed by the arbiter, in log order ({} of them linked by hash to the one before)",
            self.links
        ));
        self.tl.checked.push(format!(
            "{} messages signed by the players, accepted by the rules and replayed from the claim on",
            self.moves
        ));
        self.tl.checked.push("every event the arbiter recorded for the game follows from them".into());
        let Some(g) = self.game() else {
            return Err(fail(None, format!("no entry starts game {}", t.game)));
        };
        let derived = if self.cancelled { GameStatus::Cancelled } else { g.status };
        self.tl.verdict = Some(derived);
        if derived != t.verdict {
            let what = format!(
                "the transcript says the verdict is \"{}\"; its moves give \"{}\"",
                verdict_text(t.verdict),
                verdict_text(derived)
            );
            return Err(fail(None, what));
        }
        self.tl.checked.push(format!("the verdict follows: {}", verdict_text(derived)));
        self.check_outputs()?;
        self.check_inputs(module)
    }

    /// The output files the transcript carries, checked against the
    /// claim's hash and final header ([`crate::outputs`]).
    fn check_outputs(&mut self) -> Result<(), Failure> {
        let Some((body, _)) = &self.claim else { return Ok(()) };
        match crate::outputs::check(self.t.outputs.as_ref(), body) {
            Ok(None) => Ok(()),
            Ok(Some((files, said))) => {
                self.tl.files = files;
                self.tl.checked.push(said);
                Ok(())
            }
            Err(what) => Err(fail(None, what)),
        }
    }

    /// Checks `e`'s signature, and its hash link if it follows the entry before.
    fn authenticate(
        &mut self,
        key: &VerifyingKey,
        e: &Entry,
        head: &mut Option<Head>,
    ) -> Result<(), Failure> {
        let start = match *head {
            None => Head::genesis(key, &params_hash(&self.t.params)),
            Some(h) if e.index == h.next => {
                self.links += 1;
                h
            }
            // Entries of other games lie between: only the signature vouches for this one.
            Some(h) if e.index > h.next => Head { next: e.index, hash: e.prev, time_ms: h.time_ms },
            Some(h) => {
                let what = format!("out of order: it comes after entry {}", h.next - 1);
                return Err(fail(Some(e.index), what));
            }
        };
        let mut chain = Chain::new(start);
        chain.accept(key, e).map_err(|err| {
            let genesis = head.is_none() && matches!(err.fault, Fault::WrongPrev { .. });
            let extra = if genesis { " (entry 0 binds the arbiter key and the parameters)" } else { "" };
            fail(Some(e.index), format!("{}{extra}", err.fault))
        })?;
        *head = Some(chain.head());
        Ok(())
    }

    /// The logged message of `rec`, if it is a move of this game (its claim,
    /// its challenge, a reveal or step).
    fn ours<'r>(&self, index: u64, rec: &'r Record) -> Result<Option<&'r Logged>, Failure> {
        let Some(l) = &rec.input else { return Ok(None) };
        let (game, claim) = (self.t.game, self.t.claim);
        Ok(match &l.msg.body {
            Message::Claim(_) if l.msg.claim_id() == claim => Some(l),
            Message::Challenge { claim: c, .. }
                if rec
                    .events
                    .iter()
                    .any(|e| matches!(e, Event::GameStarted { game: g, .. } if *g == game)) =>
            {
                if *c != claim {
                    return Err(fail(Some(index), format!("game {game} starts on claim {c}, not {claim}")));
                }
                Some(l)
            }
            // A move may name several games at the same point (`also`): the
            // replay has only this one, and the rules make the move in each
            // listed game they have (`specs/protocol.md` §5.5).
            Message::Reveal { game: g, also, .. } | Message::Step { game: g, also, .. }
                if *g == game || also.contains(&game) =>
            {
                Some(l)
            }
            _ => None,
        })
    }

    /// Notes the claim's settlement if `rec` records it (`claim_settled` and
    /// the money after it): it depends on the claim's other games, which the
    /// replay does not have, so it is shown as signed, not replayed.
    fn note_settlement(&mut self, e: &Entry, rec: &Record) {
        let mut settling = false;
        for ev in rec.ticked.iter().chain(&rec.events) {
            let (what, who, amount) = match ev {
                Event::ClaimSettled { claim, .. } => {
                    settling = *claim == self.t.claim;
                    continue;
                }
                Event::BondForfeited { who, amount } if settling => {
                    ("claim bond forfeited", Some(who), amount)
                }
                Event::SharePaid { to, amount } if settling => ("share paid", Some(to), amount),
                Event::Burned { amount } if settling => ("burned", None, amount),
                _ => {
                    settling = false;
                    continue;
                }
            };
            let who = who.and_then(|k| self.tl.role_of(k));
            self.claim_money.push(Bond { entry: e.index, what: what.into(), who, amount: *amount });
        }
    }

    fn replay(&mut self, e: &Entry, rec: &Record) -> Result<(), Failure> {
        self.note_settlement(e, rec);
        let (game, claim) = (self.t.game, self.t.claim);
        let before = self.game().cloned();
        if let Some(from) = rec.resumed {
            return self.resume(e, rec, from);
        }
        let ticked = self.rules().tick_all(rec.now);
        let mut recorded = self.compare(e.index, "time", &ticked, &rec.ticked, false)?;
        if let Some(g) = &before {
            for ev in &recorded {
                if let Event::TimedOut { role, .. } = ev {
                    self.timed_out.push((e.index, *role, g.phase, span(g)));
                }
            }
        }
        let mut by = None;
        let (kind, what);
        if let Some(l) = self.ours(e.index, rec)? {
            let before = self.game().cloned();
            self.prepare(e.index, &l.msg)?;
            let events = self.rules().apply_with(&l.msg, l.note.as_ref(), rec.now).map_err(|err| {
                fail(Some(e.index), format!("the rules refuse its message: {err} ({})", err.code()))
            })?;
            self.moves += 1;
            recorded.extend(self.compare(e.index, "message", &events, &rec.events, true)?);
            (kind, what) = self.describe(rec.now, l, before.as_ref(), &events);
            by = self.tl.role_of(&l.msg.signer);
        } else {
            recorded.extend(self.compare(e.index, "message", &[], &rec.events, false)?);
            if e.index == 0 && recorded.is_empty() {
                kind = "genesis";
                what = "the log's first entry: it binds the arbiter's key and the parameters".into();
            } else if recorded.is_empty() {
                let what = format!("it has no event of game {game} or claim {}", short(&claim));
                return Err(fail(Some(e.index), what));
            } else {
                kind = if rec.input.is_some() { "other" } else { "time" };
                what = self.describe_time(&recorded);
            }
        }
        self.push_move(e, by, kind, what, recorded);
        Ok(())
    }

    /// Adds entry `e` to the timeline, with the game's dispute and clocks after it.
    fn push_move(&mut self, e: &Entry, by: Option<Role>, kind: &str, what: String, events: Vec<Event>) {
        let g = self.game();
        let dispute = g.filter(|g| g.status == GameStatus::Open).map(span);
        let clocks = g.map(|g| clocks(g, e.time_ms));
        self.tl.moves.push(Move {
            entry: e.index,
            time_ms: e.time_ms,
            by,
            kind: kind.into(),
            what,
            dispute,
            clocks,
            events,
        });
    }

    /// An outage record: the rules extend the running clocks and windows as
    /// the arbiter did (`specs/protocol.md` §5.8).
    fn resume(&mut self, e: &Entry, rec: &Record, from: u64) -> Result<(), Failure> {
        let events = self.rules().resume(from, rec.now).map_err(|err| {
            fail(Some(e.index), format!("the rules refuse its outage: {err} ({})", err.code()))
        })?;
        if events != rec.ticked || rec.input.is_some() || !rec.events.is_empty() {
            let what = format!(
                "an outage record must hold exactly {}, it holds {} and {}",
                events_json(&events),
                events_json(&rec.ticked),
                events_json(&rec.events)
            );
            return Err(fail(Some(e.index), what));
        }
        let what = format!(
            "the arbiter was not serving for {:.1} s: every running clock and open window is extended by that much",
            rec.now.saturating_sub(from) as f64 / 1000.0
        );
        self.push_move(e, None, "outage", what, events);
        Ok(())
    }

    /// Compares the game's events the rules give with those the entry
    /// records; returns the recorded ones.
    fn compare(
        &mut self,
        index: u64,
        what: &str,
        ours: &[Event],
        logged: &[Event],
        mine: bool,
    ) -> Result<Vec<Event>, Failure> {
        let (game, claim) = (self.t.game, self.t.claim);
        let a = project(ours, game, &claim, mine);
        let b = project(logged, game, &claim, mine);
        if a == b {
            return Ok(b);
        }
        if a.is_empty() && !mine && matches!(b.first(), Some(Event::GameCancelled { game: g }) if *g == game)
        {
            // Another game of the claim rejected it: this one is cancelled and
            // its challenger's bond returned (`specs/protocol.md` §5.7).
            if let Some(g) = self.rules.as_mut().and_then(|r| r.state_mut().games.get_mut(&game)) {
                let expected = [
                    Event::GameCancelled { game },
                    Event::BondReturned { who: g.sides[1].key, amount: g.bond },
                ];
                if g.status == GameStatus::Open && b == expected {
                    g.status = GameStatus::Cancelled;
                    self.cancelled = true;
                    return Ok(b);
                }
            }
        }
        let what = format!(
            "the {what} events it records for the game are {}; the rules give {}",
            events_json(&b),
            events_json(&a)
        );
        Err(fail(Some(index), what))
    }

    /// Readies the replayed state for a move: the signer's nonce is the
    /// message's (its messages to other games are not in the transcript),
    /// and a bond is there to lock (the arbiter accepted it, so it was).
    fn prepare(&mut self, index: u64, msg: &Signed) -> Result<(), Failure> {
        let game = self.t.game;
        let s = self.rules().state_mut();
        let account = s.accounts.entry(msg.signer).or_default();
        if msg.nonce < account.nonce {
            let what = format!(
                "its message has nonce {}, at or below an earlier one's ({})",
                msg.nonce, account.nonce
            );
            return Err(fail(Some(index), what));
        }
        account.nonce = msg.nonce;
        if let Message::Claim(c) = &msg.body
            && let Some(job) = c.job
            && !s.jobs.contains_key(&job)
        {
            // The claim answers a job, whose post and draws are not in the
            // transcript: the replay stands in a job drawn to this solver
            // that holds no reward, so the rules accept the claim as they
            // did. What the job pays is the claim's, not the game's.
            s.jobs.insert(job, stand_in_job(msg.signer, c));
        }
        let need = match &msg.body {
            Message::Claim(c) => c.bond,
            Message::Challenge { bond, .. } => *bond,
            _ => 0,
        };
        let missing = need.saturating_sub(account.balance);
        account.balance += missing;
        s.minted += missing;
        if matches!(msg.body, Message::Challenge { .. }) {
            s.next_game = game;
        }
        Ok(())
    }

    /// Records a move in the timeline; returns its kind and a description.
    fn describe(
        &mut self,
        now: u64,
        l: &Logged,
        before: Option<&Game>,
        events: &[Event],
    ) -> (&'static str, String) {
        let who = l.msg.signer;
        match &l.msg.body {
            Message::Claim(c) => {
                let window = events.iter().find_map(|e| match e {
                    Event::ClaimPosted { window_ends, .. } => Some(*window_ends),
                    _ => None,
                });
                let note = l.note.clone().expect("the rules accepted the claim, so it has a note");
                self.claim = Some(((**c).clone(), note.clone()));
                self.tl.solver = Some(who);
                let mut stdout: String = String::from_utf8_lossy(&c.stdout.0).chars().take(200).collect();
                if stdout.len() < c.stdout.0.len() {
                    stdout.push('…');
                }
                self.tl.claim_info = Some(ClaimInfo {
                    module: c.module,
                    entry: c.entry.clone(),
                    max_steps: c.max_steps,
                    stdout: stdout.clone(),
                    initial_root: note.initial_root,
                    solver_final: c.final_root,
                    solver_bond: c.bond,
                    posted_ms: now,
                    window_ends_ms: window.unwrap_or(0),
                    challenger_final: None,
                    challenger_bond: None,
                });
                let what = format!(
                    "solver {} posts claim {}: module {} runs at most {} steps from state {} to state {} and prints {:?}; bond {}",
                    short(&who),
                    short(&self.t.claim),
                    short(&c.module),
                    c.max_steps,
                    short(&note.initial_root),
                    short(&c.final_root),
                    stdout.trim_end(),
                    c.bond
                );
                ("claim", what)
            }
            Message::Challenge { final_root, bond, .. } => {
                self.tl.challenger = Some(who);
                if let Some(ci) = &mut self.tl.claim_info {
                    ci.challenger_final = Some(*final_root);
                    ci.challenger_bond = Some(*bond);
                }
                let what = format!(
                    "challenger {} disputes it: its run ends in state {}; bond {}; game {} starts",
                    short(&who),
                    short(final_root),
                    bond,
                    self.t.game
                );
                ("challenge", what)
            }
            Message::Reveal { roots, layer_root, .. } => {
                let g = before.expect("a reveal was accepted, so the game exists");
                let role = g.role_of(&who).expect("a player");
                let layer = g.layer();
                let steps: Vec<u64> = split(g.a, g.b, self.t.params.k)
                    .iter()
                    .map(|&p| layer.step_at(p as usize).expect("points are in the layer"))
                    .collect();
                let (sp, pts, sides) =
                    self.round.get_or_insert_with(|| (span(g), steps.clone(), [None, None]));
                sides[role.index()] = Some(roots.clone());
                let (sp, pts) = (*sp, pts.clone());
                let narrowed = events.iter().any(|e| matches!(e, Event::Narrowed { .. }));
                if narrowed {
                    let (_, _, sides) = self.round.take().expect("in progress");
                    let (s, c) = (sides[0].clone().unwrap_or_default(), sides[1].clone().unwrap_or_default());
                    let points: Vec<Point> = pts
                        .iter()
                        .zip(s.iter().zip(&c))
                        .map(|(&step, (a, b))| Point { step, solver: *a, challenger: *b })
                        .collect();
                    let first_difference = points.iter().find(|p| p.solver != p.challenger).map(|p| p.step);
                    let after = self.game().map(span).unwrap_or(sp);
                    let number = self.tl.rounds.len() + 1;
                    self.tl.rounds.push(Round { number, before: sp, points, first_difference, after });
                }
                let layer_note = match layer_root {
                    Some(r) => {
                        format!(" with its commitment {} to the layer every {} steps", short(r), g.stride)
                    }
                    None => String::new(),
                };
                let range = match (steps.first(), steps.last()) {
                    (Some(a), Some(b)) => format!(" at steps {a}..{b}"),
                    _ => String::new(),
                };
                let what = format!(
                    "{} reveals {} state roots{range} between steps {} and {}{layer_note}",
                    role_name(role),
                    roots.len(),
                    sp.from,
                    sp.to
                );
                ("reveal", what)
            }
            Message::Step { proof, .. } => {
                let g = before.expect("a step was accepted, so the game exists");
                let role = g.role_of(&who).expect("a player");
                let step = span(g).from;
                self.tl.step = step_view(g, role, step, &proof.0);
                let what = format!(
                    "{} sends the one-step proof from step {step} ({} bytes); the arbiter runs the step",
                    role_name(role),
                    proof.0.len()
                );
                ("step", what)
            }
            other => ("other", format!("{other:?}")),
        }
    }

    fn describe_time(&self, recorded: &[Event]) -> String {
        let mut parts = Vec::new();
        for e in recorded {
            match e {
                Event::TimedOut { role, .. } => {
                    parts.push(format!("the {}'s clock runs out", role_name(*role)))
                }
                Event::GameCancelled { .. } => {
                    parts.push("the claim was rejected by another game: this game is cancelled".into())
                }
                _ => {}
            }
        }
        if parts.is_empty() { "time passes".into() } else { parts.join("; ") }
    }

    fn check_inputs(&mut self, module: Option<&[u8]>) -> Result<(), Failure> {
        let Some((body, note)) = self.claim.clone() else { return Ok(()) };
        if let Some(i) = &self.t.inputs {
            for (what, blob, hash) in [
                ("arguments", &i.args, &body.args),
                ("environment", &i.env, &body.env),
                ("stdin", &i.stdin, &body.stdin),
            ] {
                if B32(Sha256::digest(&blob.0).into()) != *hash {
                    return Err(fail(
                        None,
                        format!("the transcript's {what} blob is not the claim's (SHA-256 {hash})"),
                    ));
                }
            }
            if i.dirs.as_ref().map(|d| B32(Sha256::digest(&d.0).into())) != body.dirs {
                return Err(fail(None, "the transcript's directories blob is not the claim's"));
            }
            self.tl.checked.push("the input blobs it carries are the claim's".into());
        }
        let Some(m) = module else { return Ok(()) };
        let got = B32(Sha256::digest(m).into());
        if got != body.module {
            return Err(fail(
                None,
                format!("the module's SHA-256 is {got}; the claim's module is {}", body.module),
            ));
        }
        let Some(i) = &self.t.inputs else {
            return Err(fail(
                None,
                "the transcript does not carry the claim's inputs, so the initial state cannot be checked",
            ));
        };
        let run = ClaimInputs::from_blobs(
            m.to_vec(),
            &i.args.0,
            &i.env.0,
            i.stdin.0.clone(),
            &body.entry,
            &body.entry_args,
        )
        .and_then(|inputs| match &i.dirs {
            Some(d) => inputs.with_dirs(&d.0),
            None => Ok(inputs),
        })
        .and_then(|inputs| inputs.to_run(body.max_steps.max(1)))
        .map_err(|why| fail(None, format!("the claim's task does not start: {why}")))?;
        let root = B32(initial_root(&run));
        if root != note.initial_root {
            let what = format!(
                "the module and inputs start in state {root}; the arbiter vouched for {}",
                note.initial_root
            );
            return Err(fail(None, what));
        }
        self.tl
            .checked
            .push(format!("the module and inputs start in state {}, as the arbiter vouched", short(&root)));
        Ok(())
    }

    fn finish(mut self, result: Result<(), Failure>) -> Timeline {
        let tl = &mut self.tl;
        if tl.verdict.is_none() {
            tl.verdict = Some(self.t.verdict);
        }
        let mut bonds = Vec::new();
        for m in &tl.moves {
            for e in &m.events {
                let (what, who, amount) = match e {
                    Event::BondLocked { who, amount } => ("locked", Some(who), amount),
                    Event::BondReturned { who, amount } => ("returned", Some(who), amount),
                    Event::BondForfeited { who, amount } => ("forfeited", Some(who), amount),
                    Event::SharePaid { to, amount } => ("share paid", Some(to), amount),
                    Event::Burned { amount } => ("burned", None, amount),
                    _ => continue,
                };
                let who = who.and_then(|k| tl.role_of(k));
                bonds.push(Bond { entry: m.entry, what: what.into(), who, amount: *amount });
            }
        }
        bonds.append(&mut self.claim_money);
        tl.bonds = bonds;
        let game = self.rules.as_ref().and_then(|r| r.game(self.t.game));
        (tl.ending, tl.losers) = ending(tl, game, &self.timed_out, self.cancelled);
        tl.failure = result.err();
        self.tl
    }
}

/// A job drawn to `solver` for the computation of claim `c`, waiting for
/// its claim (no deadline), with nothing in escrow.
fn stand_in_job(solver: B32, c: &ClaimBody) -> Job {
    Job {
        requester: B32([0; 32]),
        body: JobBody {
            module: c.module,
            args: c.args,
            env: c.env,
            stdin: c.stdin,
            entry: c.entry.clone(),
            entry_args: c.entry_args.clone(),
            max_steps: c.max_steps,
            reward: 0,
            dirs: c.dirs,
        },
        posted_at: 0,
        initial_root: c.initial_root,
        seed: B32([0; 32]),
        registrations: 0,
        status: JobStatus::Assigned,
        solver: Some(solver),
        attempts: 1,
        deadline: u64::MAX,
        tried: Vec::new(),
        claim: None,
        escrow: 0,
    }
}

/// How the game ended, in words, and who lost.
fn ending(
    tl: &Timeline,
    g: Option<&Game>,
    timed_out: &[(u64, Role, Phase, Span)],
    cancelled: bool,
) -> (Option<String>, Vec<Role>) {
    let g = match g {
        Some(g) => g,
        None => return (None, vec![]),
    };
    if cancelled {
        return (Some("the claim was rejected by another game, so this one was cancelled and the challenger's bond returned".into()), vec![]);
    }
    if !timed_out.is_empty() {
        let losers: Vec<Role> = timed_out.iter().map(|t| t.1).collect();
        let text = timed_out
            .iter()
            .map(|(entry, role, phase, sp)| {
                let owed = match phase {
                    Phase::Reveal => format!("its reveal of the states between steps {} and {}", sp.from, sp.to),
                    Phase::Step => format!("the one-step proof from step {}", sp.from),
                };
                format!(
                    "the {}'s clock ran out (entry {entry}) while it owed {owed}: it stopped defending its story there",
                    role_name(*role)
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        return (Some(text), losers);
    }
    let Some(s) = &tl.step else {
        let owed: Vec<&str> = [Role::Solver, Role::Challenger]
            .into_iter()
            .filter(|r| g.side(*r).owes_since.is_some())
            .map(role_name)
            .collect();
        return (
            Some(format!("no verdict yet: the game waits for a move from the {}", owed.join(" and the "))),
            vec![],
        );
    };
    let instr = s.instruction.clone().map_or("nothing (the machine had halted)".into(), |i| format!("`{i}`"));
    let said = |r: Role| if r == Role::Solver { s.solver_said } else { s.challenger_said };
    let common = format!(
        "both sides agreed on the state after step {} ({}); the arbiter ran {instr} from it and got {}",
        s.step,
        short(&s.pre),
        short(&s.post)
    );
    match g.status {
        GameStatus::Won(w) => {
            let l = w.other();
            let text = format!(
                "the {}'s story broke at step {}: {common}; the {} had said {}, the {} {}",
                role_name(l),
                s.step + 1,
                role_name(l),
                short(&said(l)),
                role_name(w),
                short(&said(w))
            );
            (Some(text), vec![l])
        }
        GameStatus::LostByBoth => {
            let text = format!(
                "both stories broke at step {}: {common}; the solver had said {}, the challenger {}",
                s.step + 1,
                short(&s.solver_said),
                short(&s.challenger_said)
            );
            (Some(text), vec![Role::Solver, Role::Challenger])
        }
        _ => (None, vec![]),
    }
}

fn slot_value(leaf: &[u8; 32], j: usize) -> u64 {
    u64::from_le_bytes(leaf[8 * j..8 * j + 8].try_into().expect("8 bytes"))
}

/// The proven step, from the proof the rules accepted (`None` if it does
/// not verify from `g.agreed`).
pub fn step_view(g: &Game, by: Role, step: u64, bytes: &[u8]) -> Option<StepView> {
    let proof = Proof::decode(bytes).ok()?;
    let v = verify_step(&g.agreed.0, &proof).ok()?;
    let (pre, post) = (&proof.header, &v.post_header);
    let before: BTreeMap<u64, [u8; 32]> = proof
        .trees
        .iter()
        .find(|(id, _)| *id == TreeId::Stack)
        .map(|(_, p)| p.leaves.iter().copied().collect())
        .unwrap_or_default();
    let top = u64::from(pre.sp.max(post.sp));
    let mut slots = Vec::new();
    for (&i, leaf) in &before {
        for j in 0..4 {
            let slot = i * 4 + j as u64;
            if slot >= top {
                continue;
            }
            let after = v.post_stack.get(&i).map_or(slot_value(leaf, j), |l| slot_value(l, j));
            let sp = u64::from(pre.sp);
            let name = if slot < sp { format!("sp-{}", sp - slot) } else { format!("sp+{}", slot - sp) };
            let popped = slot >= u64::from(post.sp);
            slots.push(SlotView { slot, name, before: slot_value(leaf, j), after, popped });
        }
    }
    let status = |s: u64| decode_status(s).map_or(format!("{s:#x}"), |s| format!("{s:?}"));
    Some(StepView {
        step,
        by,
        proof_bytes: bytes.len(),
        pre: g.agreed,
        post: B32(v.post),
        solver_said: g.sides[0].at_b,
        challenger_said: g.sides[1].at_b,
        instruction: v.op.map(|op| format!("{op:?}")),
        status: [status(pre.status), status(post.status)],
        pc: [pre.pc, post.pc],
        sp: [pre.sp, post.sp],
        fp: [pre.fp, post.fp],
        slots,
    })
}
