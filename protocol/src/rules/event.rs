//! What a transition did (`specs/protocol.md` §7): for the log and the event stream.

use serde::{Deserialize, Serialize};

use super::B32;

/// Which side of a game.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The claim's solver.
    Solver,
    /// The challenger.
    Challenger,
}

impl Role {
    /// Index of this side in a game's `sides`.
    pub fn index(self) -> usize {
        self as usize
    }
    /// The other side.
    pub fn other(self) -> Role {
        match self {
            Role::Solver => Role::Challenger,
            Role::Challenger => Role::Solver,
        }
    }
}

/// Something that happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event")]
#[allow(missing_docs)] // Field names say what they hold; `specs/protocol.md` §7 lists them.
pub enum Event {
    Minted {
        to: B32,
        amount: u64,
    },
    Registered {
        who: B32,
        stake: u64,
    },
    /// Left the candidates (`unregister`): no longer drawn; its stake
    /// returns with `unregistered` once its committee seats' claims end.
    Leaving {
        who: B32,
        stake: u64,
    },
    Unregistered {
        who: B32,
        stake: u64,
    },
    BondLocked {
        who: B32,
        amount: u64,
    },
    BondReturned {
        who: B32,
        amount: u64,
    },
    BondForfeited {
        who: B32,
        amount: u64,
    },
    SharePaid {
        to: B32,
        amount: u64,
    },
    Burned {
        amount: u64,
    },
    ClaimPosted {
        claim: B32,
        solver: B32,
        max_steps: u64,
        window_ends: u64,
    },
    CommitteeDrawn {
        claim: B32,
        members: Vec<B32>,
    },
    Attested {
        claim: B32,
        who: B32,
    },
    /// A member disclosed its attestation in the audit, and it passed.
    Disclosed {
        claim: B32,
        who: B32,
        leaf: u64,
    },
    /// Claim `claim` is final and its committee's attestations may be
    /// disclosed until `ends`.
    AuditStarted {
        claim: B32,
        ends: u64,
    },
    /// The audit ended: `fee` paid, `each` to every member that passed
    /// (`passed` of them), the remainder back to `refund_to`.
    AuditEnded {
        claim: B32,
        passed: u64,
        each: u64,
        refund_to: Option<B32>,
        refund: u64,
    },
    /// Stake taken from `who` (a missed duty or a job not answered), burned.
    Slashed {
        who: B32,
        amount: u64,
    },
    /// A fee or reward paid out of what the arbiter held for a claim or job.
    Paid {
        to: B32,
        amount: u64,
    },
    JobPosted {
        job: B32,
        requester: B32,
        reward: u64,
    },
    /// A solver was drawn for the job (draw `attempt`, from 1); its claim is due before `deadline`.
    JobAssigned {
        job: B32,
        solver: B32,
        attempt: u32,
        deadline: u64,
    },
    JobClaimed {
        job: B32,
        claim: B32,
    },
    /// The drawn solver declined the job.
    JobDeclined {
        job: B32,
        solver: B32,
    },
    /// The drawn solver did not answer by the deadline, or its claim was rejected.
    JobMissed {
        job: B32,
        solver: B32,
    },
    /// The job's claim is final: `amount` paid to its solver, the fee held for the audit.
    JobDone {
        job: B32,
        claim: B32,
    },
    /// No solver could be drawn (or every draw missed): the reward went back.
    JobFailed {
        job: B32,
        refund: u64,
    },
    GameStarted {
        game: u64,
        claim: B32,
        challenger: B32,
    },
    LayerStarted {
        game: u64,
        depth: u32,
        start: u64,
        end: u64,
        stride: u64,
    },
    Revealed {
        game: u64,
        role: Role,
        points: u64,
    },
    Narrowed {
        game: u64,
        depth: u32,
        a: u64,
        b: u64,
    },
    StepDisputed {
        game: u64,
        step: u64,
    },
    StepProven {
        game: u64,
        step: u64,
        post: B32,
    },
    TimedOut {
        game: u64,
        role: Role,
    },
    GameWon {
        game: u64,
        winner: Role,
    },
    GameLostByBoth {
        game: u64,
    },
    GameCancelled {
        game: u64,
    },
    ClaimFinal {
        claim: B32,
    },
    ClaimRejected {
        claim: B32,
        game: u64,
    },
    /// The last game of rejected claim `claim` ended: the solver's bond is
    /// forfeited, the winner's share to the challenger of game `paid` (the
    /// earliest-posted game the solver lost), if any.
    ClaimSettled {
        claim: B32,
        paid: Option<u64>,
    },
    DutyDone {
        claim: B32,
        who: B32,
    },
    DutyMissed {
        claim: B32,
        who: B32,
    },
    /// The arbiter was not serving from `from` to `to`: every window and
    /// clock still running at `from` was extended by `to - from`.
    Resumed {
        from: u64,
        to: u64,
    },
}
