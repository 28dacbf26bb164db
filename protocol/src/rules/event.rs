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
