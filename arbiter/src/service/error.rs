//! [`ServiceError`]: why a request failed, with its stable code and HTTP
//! status (`specs/api.md`, "Errors"). The HTTP layer turns it into the JSON
//! body `{"code", "message"}` in its one `IntoResponse`.

use refute_protocol::inputs::InputError;
use refute_protocol::rules::RuleError;
use thiserror::Error;

/// Why a request failed.
#[derive(Debug, Error)]
pub enum ServiceError {
    /// The rules refused the message.
    #[error(transparent)]
    Rule(#[from] RuleError),
    /// A claim's inputs do not make a run.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A claim's output files blob is not its final state's (`specs/protocol.md` §5.2).
    #[error("the claim's output files: {0}")]
    WrongOutputs(String),
    /// A malformed request: `code` names what (`bad_id`, `bad_json`, `bad_query`, `bad_format`,
    /// `bad_header`, `length_mismatch`, `hash_mismatch`).
    #[error("{message}")]
    BadRequest {
        /// The stable code.
        code: &'static str,
        /// What was wrong, exactly.
        message: String,
    },
    /// Something the request names does not exist (`unknown_blob`, `unknown_game`, …).
    #[error("{message}")]
    NotFound {
        /// The stable code.
        code: &'static str,
        /// What is missing.
        message: String,
    },
    /// A body, message or blob over its limit.
    #[error("{message}")]
    TooLarge {
        /// The stable code.
        code: &'static str,
        /// Which limit.
        message: String,
    },
    /// An upload whose statement is missing, expired or badly signed
    /// (`missing_signature`, `expired`, `bad_signature`).
    #[error("{message}")]
    Unauthorized {
        /// The stable code.
        code: &'static str,
        /// What was wrong.
        message: String,
    },
    /// A signer that may not do this (`unfunded`).
    #[error("{message}")]
    Forbidden {
        /// The stable code.
        code: &'static str,
        /// Why.
        message: String,
    },
    /// An upload without a `Content-Length` (411).
    #[error("{0}")]
    LengthRequired(String),
    /// A route asked with a method it does not answer (405, with `Allow`).
    #[error("{0}")]
    MethodNotAllowed(String),
    /// The account sends faster than its rate.
    #[error("{0}")]
    RateLimited(String),
    /// The same message is already being processed.
    #[error("{0}")]
    InFlight(String),
    /// The writer's queue is full: retry shortly (503 with `Retry-After`).
    #[error("{0}")]
    Busy(String),
    /// The writer has stopped (storage failed, or shutting down).
    #[error("the arbiter has stopped (its storage failed or it is shutting down)")]
    Stopped,
    /// Storage failed. The cause is logged, never sent.
    #[error("storage: {0}")]
    Storage(String),
    /// A bug (a task panicked). The cause is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    /// A malformed request.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ServiceError {
        ServiceError::BadRequest { code, message: message.into() }
    }

    /// Something named that does not exist.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> ServiceError {
        ServiceError::NotFound { code, message: message.into() }
    }

    /// A storage failure.
    pub fn storage(e: impl std::fmt::Display) -> ServiceError {
        ServiceError::Storage(e.to_string())
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        use ServiceError::*;
        match self {
            Rule(e) => rule_status(e),
            Input(_) | WrongOutputs(_) => 422,
            BadRequest { .. } => 400,
            Unauthorized { .. } => 401,
            Forbidden { .. } => 403,
            LengthRequired(_) => 411,
            NotFound { .. } => 404,
            MethodNotAllowed(_) => 405,
            TooLarge { .. } => 413,
            RateLimited(_) => 429,
            InFlight(_) => 409,
            Busy(_) | Stopped => 503,
            Storage(_) | Internal(_) => 500,
        }
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        use ServiceError::*;
        match self {
            Rule(e) => e.code(),
            Input(_) => "bad_task",
            WrongOutputs(_) => "wrong_outputs",
            BadRequest { code, .. }
            | NotFound { code, .. }
            | TooLarge { code, .. }
            | Unauthorized { code, .. }
            | Forbidden { code, .. } => code,
            LengthRequired(_) => "length_required",
            MethodNotAllowed(_) => "method_not_allowed",
            RateLimited(_) => "rate_limited",
            Busy(_) => "busy",
            InFlight(_) => "in_flight",
            Stopped => "stopped",
            Storage(_) => "storage",
            Internal(_) => "internal",
        }
    }

    /// What the client is told: everything but the internals of a storage
    /// failure or a bug.
    pub fn public_message(&self) -> String {
        match self {
            ServiceError::Storage(_) => "the arbiter's storage failed; see its log".into(),
            ServiceError::Internal(_) => "internal error; see the arbiter's log".into(),
            e => e.to_string(),
        }
    }

    /// Seconds a client should wait before retrying, for `Retry-After`.
    pub fn retry_after(&self) -> Option<u32> {
        matches!(self, ServiceError::Busy(_) | ServiceError::RateLimited(_)).then_some(1)
    }

    /// Whether the cause must go to the log (the client is not told it).
    pub fn is_internal(&self) -> bool {
        matches!(self, ServiceError::Storage(_) | ServiceError::Internal(_))
    }
}

/// The HTTP status of each refusal of the rules: one exhaustive match, so a
/// new refusal cannot ship without one.
pub fn rule_status(e: &RuleError) -> u16 {
    use RuleError::*;
    match e {
        UnknownClaim(_) | UnknownGame(_) | UnknownJob(_) => 404,
        BadSignature | BadKey(_) => 401,
        BadNonce { .. } | ClockBackwards { .. } | TickPending { .. } => 409,
        NotFaucet(_)
        | MintTooLarge { .. }
        | Overflow(_)
        | InsufficientFunds { .. }
        | BondTooSmall { .. }
        | AlreadyRegistered
        | NotRegistered
        | Leaving
        | MissingNote
        | UnexpectedNote
        | BadLottery(_)
        | WrongInitialRoot { .. }
        | BadClaim(_)
        | BadFinalHeader(_)
        | DuplicateClaim(_)
        | ClaimClosed(_)
        | TooLate { .. }
        | SameFinalRoot
        | OwnClaim
        | AlreadyChallenged(_)
        | NotMember(_)
        | AlreadyAttested(_)
        | NotAPlayer(_)
        | GameOver(_)
        | NotYourTurn { .. }
        | WrongMove { .. }
        | BadReveal(_)
        | BadMultiproof(_)
        | BadProof(_)
        | WrongStep { .. }
        | NotInAudit(_)
        | NothingToDisclose(_)
        | BadDisclosure(_)
        | BadJob(_)
        | NoSolvers
        | JobClosed(_)
        | NotJobSolver { .. }
        | WrongJob(_) => 422,
    }
}

/// Why the arbiter could not open its data directory.
#[derive(Debug, Error)]
pub enum OpenError {
    /// The data directory cannot be created.
    #[error("cannot create the data directory {dir}: {source}")]
    CreateDir {
        /// The directory.
        dir: std::path::PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The key file.
    #[error(transparent)]
    Key(#[from] crate::keyfile::KeyError),
    /// The database.
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    /// The stored parameters or snapshot do not decode.
    #[error("the stored {what} does not decode: {source}")]
    Stored {
        /// `parameters` or `snapshot`.
        what: &'static str,
        /// The decoder's error.
        source: serde_json::Error,
    },
    /// The parameters name another key than the data directory's.
    #[error("the parameters name another arbiter key than this data directory's")]
    OtherArbiter,
    /// The parameters cannot be played.
    #[error(transparent)]
    Params(#[from] refute_protocol::rules::ParamsError),
    /// The database was created with parameters this arbiter refuses (made
    /// by another engine version, or before engine versions were recorded).
    #[error("the database was created with parameters this arbiter cannot use: {0}")]
    StoredParams(refute_protocol::rules::ParamsError),
    /// A log entry does not replay.
    #[error("log entry {entry}: {source}")]
    Replay {
        /// The entry's index.
        entry: u64,
        /// Why.
        source: refute_protocol::record::ReplayError,
    },
    /// The writer thread cannot start.
    #[error("cannot start the writer thread: {0}")]
    Writer(std::io::Error),
    /// The outage since the last run could not be recorded.
    #[error("cannot record the outage since the last run: {0}")]
    Resume(CommitError),
}

/// Why a batch of transitions could not be committed: the batch is rolled back.
#[derive(Debug, Error)]
pub enum CommitError {
    /// The log refused an entry (a record over the entry size limit).
    #[error("the log refused an entry: {0}")]
    Log(#[from] refute_protocol::log::FormatError),
    /// The write failed.
    #[error("storage failed: {0}")]
    Db(#[from] crate::db::DbError),
    /// The outage could not be recorded (its start is after the clock, or unreadable).
    #[error("cannot record the outage before serving: {0}")]
    Resume(String),
}
