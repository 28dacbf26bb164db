//! What a transcript shows once checked: the story of the game, for the
//! terminal, scripts (`--json`) and the web view. Built by [`crate::check`].

use refute_protocol::rules::{B32, Event, GameStatus, Role};
use serde::Serialize;

/// The checked story of one game.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Timeline {
    /// Where the game was played when not on an arbiter: a chain and its
    /// referee contract (`refute trace show --chain`); the arbiter's
    /// fields are then unused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The transcript's format version.
    pub version: u32,
    /// The arbiter's key.
    pub arbiter: B32,
    /// The game.
    pub game: u64,
    /// Its claim.
    pub claim: B32,
    /// Branching factor and leaves per layer of the game.
    pub k: u64,
    /// Leaves per layer.
    pub max_leaves: u64,
    /// The two sides' keys, once known.
    pub solver: Option<B32>,
    /// The challenger's key.
    pub challenger: Option<B32>,
    /// What was claimed and challenged.
    pub claim_info: Option<ClaimInfo>,
    /// Every entry of the transcript, in order.
    pub moves: Vec<Move>,
    /// Each dissection round.
    pub rounds: Vec<Round>,
    /// The single step, if one was proven.
    pub step: Option<StepView>,
    /// The verdict the moves give (what the transcript says, if they do not check).
    pub verdict: Option<GameStatus>,
    /// How the game ended, in words: who lied and where their story broke.
    pub ending: Option<String>,
    /// The sides that lost.
    pub losers: Vec<Role>,
    /// Every movement of funds of the game.
    pub bonds: Vec<Bond>,
    /// The claim's output files, when the transcript carries them (checked
    /// against the claim's final state), in path order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<OutputFile>,
    /// What was checked, in order.
    pub checked: Vec<String>,
    /// The first thing that did not check, if any.
    pub failure: Option<Failure>,
}

/// One output file of the claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OutputFile {
    /// Its guest path (under a preopened directory).
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
}

/// The first point of a transcript that does not check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The log index of the entry, if the failure is at one.
    pub entry: Option<u64>,
    /// What does not check.
    pub what: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.entry {
            Some(i) => write!(f, "entry {i}: {}", self.what),
            None => f.write_str(&self.what),
        }
    }
}

/// The claim and the challenge.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ClaimInfo {
    /// SHA-256 of the module.
    pub module: B32,
    /// The entry function.
    pub entry: String,
    /// The step limit `T`.
    pub max_steps: u64,
    /// The claimed stdout (lossy UTF-8, at most 200 characters).
    pub stdout: String,
    /// The initial state root the arbiter computed.
    pub initial_root: B32,
    /// The solver's final state root.
    pub solver_final: B32,
    /// The solver's bond.
    pub solver_bond: u64,
    /// When it was posted.
    pub posted_ms: u64,
    /// Challenges were accepted before this.
    pub window_ends_ms: u64,
    /// The challenger's final state root.
    pub challenger_final: Option<B32>,
    /// The challenger's bond.
    pub challenger_bond: Option<u64>,
}

/// One entry of the transcript.
#[derive(Clone, Debug, Serialize)]
pub struct Move {
    /// Its log index.
    pub entry: u64,
    /// Its time (ms since the Unix epoch).
    pub time_ms: u64,
    /// The side that sent its message, if a side did.
    pub by: Option<Role>,
    /// `genesis`, `claim`, `challenge`, `reveal`, `step`, `time` (a tick) or `other`.
    pub kind: String,
    /// What it did, in words.
    pub what: String,
    /// The steps in dispute after it.
    pub dispute: Option<Span>,
    /// Each side's clock after it: solver, challenger.
    pub clocks: Option<[Clock; 2]>,
    /// The game's events it recorded.
    pub events: Vec<Event>,
}

/// The steps in dispute: the agreed step and the disputed one, in a layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Span {
    /// The layer's depth (0: the posted layer).
    pub depth: u32,
    /// Its stride.
    pub stride: u64,
    /// The step both sides agree on.
    pub from: u64,
    /// The step they disagree on.
    pub to: u64,
}

/// A side's chess clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Clock {
    /// Time left, as of the entry.
    pub left_ms: u64,
    /// Whether it is running (the side owes a move).
    pub running: bool,
}

/// A dissection round: both sides revealed their roots at the same steps.
#[derive(Clone, Debug, Serialize)]
pub struct Round {
    /// 1, 2, ...
    pub number: usize,
    /// The interval before.
    pub before: Span,
    /// Each revealed point: the step and both sides' roots.
    pub points: Vec<Point>,
    /// The first point where they differ (none: they agree up to the end).
    pub first_difference: Option<u64>,
    /// The interval after.
    pub after: Span,
}

/// Both sides' state roots at one step.
#[derive(Clone, Debug, Serialize)]
pub struct Point {
    /// The step.
    pub step: u64,
    /// The solver's root.
    pub solver: B32,
    /// The challenger's root.
    pub challenger: B32,
}

/// The proven step: the instruction and what it did.
#[derive(Clone, Debug, Serialize)]
pub struct StepView {
    /// The step from which it runs (the agreed state is after this many steps).
    pub step: u64,
    /// Who sent the proof.
    pub by: Role,
    /// The proof's size.
    pub proof_bytes: usize,
    /// The agreed state before.
    pub pre: B32,
    /// The true state after, by the arbiter's run of the step.
    pub post: B32,
    /// What the solver said the state after is.
    pub solver_said: B32,
    /// What the challenger said.
    pub challenger_said: B32,
    /// The instruction, disassembled (`None`: the machine had halted).
    pub instruction: Option<String>,
    /// Status before and after.
    pub status: [String; 2],
    /// Program counter before and after.
    pub pc: [u32; 2],
    /// Stack height before and after.
    pub sp: [u32; 2],
    /// Frame pointer before and after.
    pub fp: [u32; 2],
    /// The stack slots the proof opened below the stack top, before and after.
    pub slots: Vec<SlotView>,
}

/// One stack slot.
#[derive(Clone, Debug, Serialize)]
pub struct SlotView {
    /// Its index.
    pub slot: u64,
    /// Where it is: `sp-1` (the top), `fp+2` (a local or operand of the frame).
    pub name: String,
    /// Its value before.
    pub before: u64,
    /// Its value after.
    pub after: u64,
    /// Whether the step popped it (it is at or above the stack top after).
    pub popped: bool,
}

/// A movement of funds.
#[derive(Clone, Debug, Serialize)]
pub struct Bond {
    /// The entry that recorded it.
    pub entry: u64,
    /// `locked`, `returned`, `forfeited`, `share paid`, `burned`.
    pub what: String,
    /// Whose (a side), if anyone's.
    pub who: Option<Role>,
    /// How much.
    pub amount: u64,
}

impl Timeline {
    /// Whether everything checked.
    pub fn verified(&self) -> bool {
        self.failure.is_none()
    }

    /// The role of `key` in the game.
    pub fn role_of(&self, key: &B32) -> Option<Role> {
        if self.solver.as_ref() == Some(key) {
            Some(Role::Solver)
        } else if self.challenger.as_ref() == Some(key) {
            Some(Role::Challenger)
        } else {
            None
        }
    }
}

/// How a verdict reads.
pub fn verdict_text(v: GameStatus) -> &'static str {
    match v {
        GameStatus::Open => "open: no verdict yet",
        GameStatus::Won(Role::Solver) => "the solver wins",
        GameStatus::Won(Role::Challenger) => "the challenger wins",
        GameStatus::LostByBoth => "both sides lose",
        GameStatus::Cancelled => "cancelled (its claim was rejected by another game)",
    }
}
