//! Why a message was refused (`specs/protocol.md` §6). A refused message
//! changes nothing, not even its signer's nonce.

use thiserror::Error;

use super::B32;

/// A refused message. [`RuleError::code`] is stable and machine-readable.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[allow(missing_docs)] // Each variant is documented by its message and code.
pub enum RuleError {
    #[error("time {now} is before the last transition's time {last}")]
    ClockBackwards { now: u64, last: u64 },
    #[error("time {now} has work due (a clock ran out, a window closed, a game to cancel): tick first")]
    TickPending { now: u64 },
    #[error("signer {0} is not a valid ed25519 public key")]
    BadKey(B32),
    #[error("the signature does not verify for this signer, nonce and message")]
    BadSignature,
    #[error("nonce {got} is not the account's next nonce {expected}")]
    BadNonce { expected: u64, got: u64 },
    #[error("{0} may not mint")]
    NotFaucet(B32),
    #[error("mint of {amount} is above the faucet's limit of {max} per request")]
    MintTooLarge { amount: u64, max: u64 },
    #[error("{0} would overflow")]
    Overflow(&'static str),
    #[error("balance {balance} is less than the {needed} needed")]
    InsufficientFunds { balance: u64, needed: u64 },
    #[error("{what} of {got} is below the minimum of {min}")]
    BondTooSmall { what: &'static str, got: u64, min: u64 },
    #[error("already registered as a committee candidate")]
    AlreadyRegistered,
    #[error("not registered as a committee candidate")]
    NotRegistered,
    #[error(
        "leaving the committee candidates: the stake returns when the claims whose committee it sits on end"
    )]
    Leaving,
    #[error("a claim needs the service's note (initial root and lottery VRF proof)")]
    MissingNote,
    #[error("a service note is only for claims")]
    UnexpectedNote,
    #[error("the lottery's VRF proof does not verify under the arbiter key for claim {0}")]
    BadLottery(B32),
    #[error("the claim's initial root {claimed} is not the one the service computed, {computed}")]
    WrongInitialRoot { claimed: B32, computed: B32 },
    #[error("bad claim: {0}")]
    BadClaim(String),
    #[error("bad final header: {0}")]
    BadFinalHeader(String),
    #[error("claim {0} already exists")]
    DuplicateClaim(B32),
    #[error("no open claim {0}: it was never posted, or it has ended and left the state")]
    UnknownClaim(B32),
    #[error("claim {0} is closed (final or rejected)")]
    ClaimClosed(B32),
    #[error("too late: {what} ended at {deadline}, now is {now}")]
    TooLate { what: &'static str, deadline: u64, now: u64 },
    #[error("the challenge's final root is the claim's: there is nothing to dispute")]
    SameFinalRoot,
    #[error("the solver may not challenge its own claim with its own key")]
    OwnClaim,
    #[error("this key already challenged claim {0}")]
    AlreadyChallenged(B32),
    #[error("not on the committee of claim {0}")]
    NotMember(B32),
    #[error("already attested or challenged claim {0}")]
    AlreadyAttested(B32),
    #[error("no game {0}")]
    UnknownGame(u64),
    #[error("not a player of game {0}")]
    NotAPlayer(u64),
    #[error("game {0} is over")]
    GameOver(u64),
    #[error("not your turn in game {game}: {why}")]
    NotYourTurn { game: u64, why: &'static str },
    #[error("wrong move for game {game}: {why}")]
    WrongMove { game: u64, why: String },
    #[error("bad reveal: {0}")]
    BadReveal(String),
    #[error("bad multiproof: {0}")]
    BadMultiproof(refute_engine::history::HistoryError),
    #[error("bad step proof: {0}")]
    BadProof(refute_engine::proof::VerifyError),
    #[error("the proof is of another step: its pre-state is {got}, the agreed state is {expected}")]
    WrongStep { expected: B32, got: B32 },
    #[error(
        "claim {0} is not in its audit: attestations are disclosed after the claim becomes final, \
         before its audit ends"
    )]
    NotInAudit(B32),
    #[error("nothing to disclose for claim {0}: this member did not attest it, or already disclosed")]
    NothingToDisclose(B32),
    #[error("bad disclosure: {0}")]
    BadDisclosure(String),
    #[error("bad job: {0}")]
    BadJob(String),
    #[error(
        "no registered solver can be drawn for this job (none registered before it, other than the requester)"
    )]
    NoSolvers,
    #[error("no job {0}")]
    UnknownJob(B32),
    #[error("job {0} is not waiting for a claim (answered, done or failed)")]
    JobClosed(B32),
    #[error("job {job} was drawn to {solver}, not to this key")]
    NotJobSolver { job: B32, solver: B32 },
    #[error(
        "the claim is not of job {0}'s computation (module, inputs, entry and step limit must be the job's)"
    )]
    WrongJob(B32),
}

impl RuleError {
    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        use RuleError::*;
        match self {
            ClockBackwards { .. } => "clock_backwards",
            TickPending { .. } => "tick_pending",
            BadKey(_) => "bad_key",
            BadSignature => "bad_signature",
            BadNonce { .. } => "bad_nonce",
            NotFaucet(_) => "not_faucet",
            MintTooLarge { .. } => "mint_too_large",
            Overflow(_) => "overflow",
            InsufficientFunds { .. } => "insufficient_funds",
            BondTooSmall { .. } => "bond_too_small",
            AlreadyRegistered => "already_registered",
            NotRegistered => "not_registered",
            Leaving => "leaving",
            MissingNote => "missing_note",
            UnexpectedNote => "unexpected_note",
            BadLottery(_) => "bad_lottery",
            WrongInitialRoot { .. } => "wrong_initial_root",
            BadClaim(_) => "bad_claim",
            BadFinalHeader(_) => "bad_final_header",
            DuplicateClaim(_) => "duplicate_claim",
            UnknownClaim(_) => "unknown_claim",
            ClaimClosed(_) => "claim_closed",
            TooLate { .. } => "too_late",
            SameFinalRoot => "same_final_root",
            OwnClaim => "own_claim",
            AlreadyChallenged(_) => "already_challenged",
            NotMember(_) => "not_member",
            AlreadyAttested(_) => "already_attested",
            UnknownGame(_) => "unknown_game",
            NotAPlayer(_) => "not_a_player",
            GameOver(_) => "game_over",
            NotYourTurn { .. } => "not_your_turn",
            WrongMove { .. } => "wrong_move",
            BadReveal(_) => "bad_reveal",
            BadMultiproof(_) => "bad_multiproof",
            BadProof(_) => "bad_proof",
            WrongStep { .. } => "wrong_step",
            NotInAudit(_) => "not_in_audit",
            NothingToDisclose(_) => "nothing_to_disclose",
            BadDisclosure(_) => "bad_disclosure",
            BadJob(_) => "bad_job",
            NoSolvers => "no_solvers",
            UnknownJob(_) => "unknown_job",
            JobClosed(_) => "job_closed",
            NotJobSolver { .. } => "not_job_solver",
            WrongJob(_) => "wrong_job",
        }
    }
}
