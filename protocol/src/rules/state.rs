//! The arbiter's state: accounts, claims, games (`specs/protocol.md` §4).
//! Every map is a `BTreeMap`, so serialisation is deterministic.

use std::collections::BTreeMap;

use refute_engine::history::{Layer, layer_strides};
use serde::{Deserialize, Serialize};

use super::{B32, ClaimBody, JobBody, Role};

/// Public counters of an account's history.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reputation {
    /// Claims posted.
    pub claims_posted: u64,
    /// Claims that became final.
    pub claims_final: u64,
    /// Claims rejected.
    pub claims_rejected: u64,
    /// Games won.
    pub games_won: u64,
    /// Games lost (timeouts included).
    pub games_lost: u64,
    /// Committee duties done (an attestation that passed the audit, or a challenge).
    pub duties_done: u64,
    /// Committee duties missed (silent through the window, an attestation
    /// not disclosed or of a rejected claim).
    pub duties_missed: u64,
    /// Jobs answered with a claim that became final.
    #[serde(default)]
    pub jobs_done: u64,
    /// Jobs drawn for and not answered by the deadline, or answered by a rejected claim.
    #[serde(default)]
    pub jobs_missed: u64,
}

/// An account, created by the first transition that names it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Free funds.
    pub balance: u64,
    /// The nonce its next message must carry.
    pub nonce: u64,
    /// The stake locked while registered as a committee candidate, and
    /// while leaving until its last committee seat's claim has ended.
    pub stake: Option<u64>,
    /// Its slot among the committee candidates while it can be drawn
    /// (`specs/protocol.md` §5.3); `None` once it is leaving, or if it never
    /// registered. A stake with no slot is a leaving one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot: Option<u32>,
    /// The order of its registration among all registrations (`State::registrations`
    /// when it registered): a job draws only solvers registered before it
    /// was posted (`specs/protocol.md` §5.9).
    #[serde(default)]
    pub since: u64,
    /// Public counters.
    pub reputation: Reputation,
}

/// Where a claim is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// Open to challenges or with games running.
    Open,
    /// Accepted: the window passed and the solver won every game.
    Final,
    /// The solver lost a game. Its other games play on; its bond is held
    /// until the last of them ends.
    Rejected,
}

/// What a committee member did about a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Duty {
    /// Nothing yet.
    Pending,
    /// Attested the claim: committed to its root at its audit leaf
    /// (`Claim::commitments`), not disclosed yet.
    Attested,
    /// Disclosed its attestation in the audit, and it passed.
    Disclosed,
    /// Challenged the claim.
    Challenged,
}

/// A posted claim.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// The solver.
    pub solver: B32,
    /// What was claimed.
    pub body: ClaimBody,
    /// When it was posted.
    pub posted_at: u64,
    /// Challenges are accepted strictly before this time.
    pub window_ends: u64,
    /// Its status.
    pub status: ClaimStatus,
    /// Whether the solver's bond is still held.
    pub bond_held: bool,
    /// Its games, by challenger.
    pub games: BTreeMap<B32, u64>,
    /// The committee drawn for it.
    pub committee: BTreeMap<B32, Duty>,
    /// The earliest-posted game (the lowest number) that a challenger won:
    /// when the claim ends rejected, the winner's share of the solver's bond
    /// goes to its challenger (`specs/protocol.md` §5.7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_loss: Option<u64>,
    /// `SHA256("refute audit v1\0" ‖ beta)` of the lottery's VRF output
    /// `beta`: picks each member's audit leaf ([`Claim::audit_leaf`]).
    pub audit_seed: B32,
    /// The attestations' commitments, by member, until disclosed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub commitments: BTreeMap<B32, B32>,
    /// While a final claim's attestations may be disclosed: the audit ends
    /// (and the claim with it) at this time (`specs/protocol.md` §5.7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_ends: Option<u64>,
    /// The committee fee the audit pays out, held until it ends (part of a
    /// job's reward; 0 for a claim of one's own).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub fee: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Claim {
    /// Leaves of the claim's posted layer `(0, T, s_0)`.
    pub fn leaves(&self, max_leaves: u64) -> u64 {
        let strides = layer_strides(self.body.max_steps, max_leaves);
        Layer::new(0, self.body.max_steps, strides[0]).expect("a claim's layer is valid").len() as u64
    }

    /// The leaf of the posted layer at which `member` is audited: an
    /// interior leaf (neither step 0 nor `T`, whose roots the claim states)
    /// chosen by `audit_seed` and the member's key, so each member's leaf
    /// differs and none is known before the claim is accepted:
    /// `1 + u64le(SHA256("refute audit leaf v1\0" ‖ audit_seed ‖ member)[..8]) mod (n − 2)`
    /// for a layer of `n > 2` leaves, and the last leaf if `n = 2`.
    pub fn audit_leaf(&self, member: &B32, max_leaves: u64) -> u64 {
        audit_leaf(&self.audit_seed, member, self.leaves(max_leaves))
    }
}

/// The audit leaf of `member` in a posted layer of `n` leaves under
/// `audit_seed` ([`Claim::audit_leaf`]; the jobs contract on a chain uses it
/// with the member's address as its key, `specs/chain.md` §9).
pub fn audit_leaf(audit_seed: &B32, member: &B32, n: u64) -> u64 {
    if n <= 2 {
        return n - 1;
    }
    let h = B32::sha256(&[b"refute audit leaf v1\0", &audit_seed.0, &member.0]);
    1 + u64::from_le_bytes(h.0[..8].try_into().expect("8 bytes")) % (n - 2)
}

/// Where a job is (`specs/protocol.md` §5.9).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// A solver is drawn and owes a claim before `deadline`.
    Assigned,
    /// Its solver's claim is open.
    Claimed,
    /// Its claim became final: the result is the claim's.
    Done,
    /// No solver answered it: the reward went back to the requester.
    Failed,
}

/// A posted job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// Who asked and escrowed the reward.
    pub requester: B32,
    /// The computation and the reward.
    pub body: JobBody,
    /// When it was posted.
    pub posted_at: u64,
    /// The initial state root the service computed for it.
    pub initial_root: B32,
    /// `SHA256("refute job seed v1\0" ‖ beta)` of the VRF output on the job id:
    /// seeds every draw of its solver.
    pub seed: B32,
    /// Only candidates registered before the job (`Account::since` below this) are drawn.
    pub registrations: u64,
    /// Its status.
    pub status: JobStatus,
    /// The solver drawn last (the one that owes or made the claim).
    pub solver: Option<B32>,
    /// Draws so far (1 after the first).
    pub attempts: u32,
    /// The drawn solver's claim must be posted strictly before this time.
    pub deadline: u64,
    /// Solvers drawn before, who missed it or whose claim was rejected: never drawn again for it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tried: Vec<B32>,
    /// The claim answering it, once posted (the final one when `done`).
    pub claim: Option<B32>,
    /// Funds it holds: the reward until paid or refunded.
    pub escrow: u64,
}

/// Where a game is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GameStatus {
    /// Being played.
    Open,
    /// Over; this side won.
    Won(Role),
    /// Over; both sides lost (both wrong about the last step, or both timed out).
    LostByBoth,
    /// Ended without a verdict because its claim was rejected by another
    /// game (rules version 1 only: since version 2 a claim's games play on).
    Cancelled,
}

/// What the game waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Both sides owe a `Reveal` over `[a, b]` of the current layer.
    Reveal,
    /// One step is disputed: either side may send the one-step proof.
    Step,
}

/// One side of a game.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Side {
    /// The account playing it.
    pub key: B32,
    /// Its commitment to the current layer; `None` until its first reveal of a new layer.
    pub layer_root: Option<B32>,
    /// Its state root at position `b`.
    pub at_b: B32,
    /// Its reveal in the current round, until the other side's arrives.
    pub revealed: Option<Vec<B32>>,
    /// Clock time left.
    pub clock_left: u64,
    /// Since when it owes a move (its clock runs), if it does.
    pub owes_since: Option<u64>,
}

impl Side {
    /// When its clock runs out, if it is running.
    pub fn deadline(&self) -> Option<u64> {
        self.owes_since.map(|t| t.saturating_add(self.clock_left))
    }
}

/// A game between a claim's solver and one challenger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Game {
    /// The claim disputed.
    pub claim: B32,
    /// The challenger's bond.
    pub bond: u64,
    /// The claim's step limit `T`: the posted layer is `(0, T, s_0)`.
    pub total: u64,
    /// Index of the current layer in the claim's `layer_strides`.
    pub depth: u32,
    /// First step of the current layer.
    pub start: u64,
    /// Last step of the current layer.
    pub end: u64,
    /// Stride of the current layer.
    pub stride: u64,
    /// The position both sides agree on.
    pub a: u64,
    /// The position they disagree on (`a < b`).
    pub b: u64,
    /// The agreed state root at `a`.
    pub agreed: B32,
    /// What the game waits for.
    pub phase: Phase,
    /// Solver, then challenger.
    pub sides: [Side; 2],
    /// Accepted moves so far.
    pub moves: u32,
    /// Its status.
    pub status: GameStatus,
}

impl Game {
    /// The current layer.
    pub fn layer(&self) -> Layer {
        Layer::new(self.start, self.end, self.stride).expect("a game's layer is valid")
    }

    /// The side of `role`.
    pub fn side(&self, role: Role) -> &Side {
        &self.sides[role.index()]
    }

    /// A digest of everything the validity of `role`'s next move depends on
    /// besides the message: in a reveal round the layer, `a`, `b`, the
    /// agreed root, the side's root at `b` and its layer root (if known); in
    /// the step phase the agreed root. Two games with the same point accept
    /// the same moves from that side, so one message may name both
    /// (`also`, `specs/protocol.md` §5.5); clients group games by it.
    pub fn point(&self, role: Role) -> B32 {
        let side = self.side(role);
        match self.phase {
            Phase::Step => B32::sha256(&[b"refute point v1 step\0", &self.agreed.0]),
            Phase::Reveal => B32::sha256(&[
                b"refute point v1 reveal\0",
                &[role as u8],
                &self.start.to_le_bytes(),
                &self.end.to_le_bytes(),
                &self.stride.to_le_bytes(),
                &self.a.to_le_bytes(),
                &self.b.to_le_bytes(),
                &self.agreed.0,
                &side.at_b.0,
                side.layer_root.as_ref().map_or(&[][..], |r| &r.0[..]),
            ]),
        }
    }

    /// The role `key` plays, if any (the solver's role when it is both, which the rules refuse).
    pub fn role_of(&self, key: &B32) -> Option<Role> {
        [Role::Solver, Role::Challenger].into_iter().find(|r| self.side(*r).key == *key)
    }
}

/// The strides of a claim of `max_steps` steps under `max_leaves`.
pub fn strides(max_steps: u64, max_leaves: u64) -> Vec<u64> {
    layer_strides(max_steps, max_leaves)
}

/// Everything the rules hold.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// Time of the last transition (ms).
    pub now: u64,
    /// Accounts by public key.
    pub accounts: BTreeMap<B32, Account>,
    /// Claims by id.
    pub claims: BTreeMap<B32, Claim>,
    /// Games by id.
    pub games: BTreeMap<u64, Game>,
    /// The id of the next game.
    pub next_game: u64,
    /// All funds ever minted.
    pub minted: u64,
    /// All funds ever burned.
    pub burned: u64,
    /// Jobs by id (ended ones leave with the claims, `specs/protocol.md` §4).
    #[serde(default)]
    pub jobs: BTreeMap<B32, Job>,
    /// Registrations so far: the next one's `Account::since`.
    #[serde(default)]
    pub registrations: u64,
}

impl Account {
    /// Whether it has left the candidates but its stake is still held for
    /// the claims whose committee it sits on.
    pub fn is_leaving(&self) -> bool {
        self.stake.is_some() && self.slot.is_none()
    }
}

impl State {
    /// The account of `key` (a default one if it has none yet).
    pub fn account(&self, key: &B32) -> Account {
        self.accounts.get(key).cloned().unwrap_or_default()
    }

    /// Mutable account of `key`, created if needed.
    pub(crate) fn acct(&mut self, key: &B32) -> &mut Account {
        self.accounts.entry(*key).or_default()
    }

    /// Funds held by the arbiter: stakes (leaving ones included), solver
    /// bonds, bonds of open games, committee fees awaiting an audit, job escrows.
    pub fn held(&self) -> u128 {
        let fees: u128 = self.claims.values().map(|c| u128::from(c.fee)).sum();
        let jobs: u128 = self.jobs.values().map(|j| u128::from(j.escrow)).sum();
        let stakes: u128 = self.accounts.values().filter_map(|a| a.stake).map(u128::from).sum();
        let claims: u128 =
            self.claims.values().filter(|c| c.bond_held).map(|c| u128::from(c.body.bond)).sum();
        let games: u128 =
            self.games.values().filter(|g| g.status == GameStatus::Open).map(|g| u128::from(g.bond)).sum();
        stakes + claims + games + fees + jobs
    }

    /// `Σ balances + held + burned`, which always equals `minted`.
    pub fn accounted(&self) -> u128 {
        let balances: u128 = self.accounts.values().map(|a| u128::from(a.balance)).sum();
        balances + self.held() + u128::from(self.burned)
    }
}
