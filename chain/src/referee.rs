//! The game contract (`contracts/src/Referee.sol`, `specs/chain.md` §7): its
//! ABI, its parameters, and the rules' error codes of its reverts.

// The `sol!` bindings of events with many fields (`ClaimPosted`) are functions of as many arguments.
#![allow(clippy::too_many_arguments)]

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{SolInterface, SolValue, sol};

sol! {
    /// The referee contract (`contracts/src/Referee.sol`).
    #[sol(all_derives)]
    interface IReferee {
        struct ClaimBody {
            bytes32 module;
            bytes32 args;
            bytes32 env;
            bytes32 stdin;
            bytes32 dirs;
            string entry;
            uint64[] entryArgs;
            bytes32 initialRoot;
            uint64 maxSteps;
            bytes32 historyRoot;
            bytes finalHeader;
        }
        struct Claim {
            address solver;
            uint8 status;
            uint32 openGames;
            uint64 windowEnds;
            uint64 maxSteps;
            uint64 firstLoss;
            uint256 bond;
            bytes32 initialRoot;
            bytes32 finalRoot;
            bytes32 historyRoot;
        }
        struct Side {
            address key;
            uint64 clockLeft;
            uint64 owesSince;
            bool owes;
            bytes32 layerRoot;
            bytes32 atB;
            bytes32 revealed;
        }
        struct Game {
            bytes32 claim;
            uint256 bond;
            uint64 total;
            uint32 depth;
            uint8 phase;
            uint8 status;
            uint32 moves;
            uint64 start;
            uint64 end;
            uint64 stride;
            uint64 a;
            uint64 b;
            bytes32 agreed;
            Side[2] sides;
        }
        struct Params {
            address verifier;
            uint64 challengeWindow;
            uint64 clock;
            uint64 grace;
            uint64 k;
            uint64 maxLeaves;
            uint64 maxSteps;
            uint64 winnerSharePct;
            uint256 minClaimBond;
            uint256 minChallengeBond;
            uint256 bondPerGstep;
        }

        function deposit() external payable;
        function publish(bytes data) external returns (bytes32 h);
        function publishChunked(uint256 size, bytes32[] chunks) external returns (bytes32 h);
        function published(bytes32 h) external view returns (bool);
        function k() external view returns (uint64);
        function maxLeaves() external view returns (uint64);
        function clock() external view returns (uint64);
        function grace() external view returns (uint64);
        function challengeWindow() external view returns (uint64);
        function claimBondMin(uint64 t) external view returns (uint256);
        function challengeBondMin(uint64 t) external view returns (uint256);
        function verifier() external view returns (address);
        function withdraw(uint256 amount) external;
        function postClaim(ClaimBody c, uint256 bond) external payable returns (bytes32 id);
        function challenge(bytes32 claim, bytes32 historyRoot, bytes32 finalRoot, uint256 bond) external payable returns (uint64 id);
        function reveal(uint64 game, uint64[] also, bytes32 layerRoot, bytes32[] roots, bytes32[] proof) external;
        function step(uint64 game, uint64[] also, bytes proof) external;
        function timeout(uint64 id) external;
        function finalize(bytes32 id) external;
        function deadline(uint64 id, uint8 role) external view returns (uint64);
        function getClaim(bytes32 id) external view returns (Claim memory);
        function getGame(uint64 id) external view returns (Game memory);
        function claimId(address solver, uint64 nonce) external view returns (bytes32);
        function claimNonce(address who) external view returns (uint64);
        function balanceOf(address who) external view returns (uint256);
        function held() external view returns (uint256);
        function burned() external view returns (uint256);
        function nextGame() external view returns (uint64);

        event Deposited(address indexed who, uint256 amount);
        event Withdrawn(address indexed who, uint256 amount);
        event BondLocked(address indexed who, uint256 amount);
        event BondReturned(address indexed who, uint256 amount);
        event BondForfeited(address indexed who, uint256 amount);
        event SharePaid(address indexed to, uint256 amount);
        event Burned(uint256 amount);
        event Published(bytes32 indexed hash, uint256 size);
        event PublishedChunked(bytes32 indexed hash, uint256 size, bytes32[] chunks);
        event ClaimPosted(bytes32 indexed claim, address indexed solver, uint256 bond, uint64 windowEnds, ClaimBody body);
        event GameStarted(uint64 indexed game, bytes32 indexed claim, address indexed challenger, bytes32 historyRoot, bytes32 finalRoot);
        event LayerStarted(uint64 indexed game, uint32 depth, uint64 start, uint64 end, uint64 stride);
        event Revealed(uint64 indexed game, uint8 role, bytes32 layerRoot, bytes32[] roots);
        event Narrowed(uint64 indexed game, uint32 depth, uint64 a, uint64 b);
        event StepDisputed(uint64 indexed game, uint64 step);
        event StepProven(uint64 indexed game, uint64 step, bytes32 post);
        event TimedOut(uint64 indexed game, uint8 role);
        event GameWon(uint64 indexed game, uint8 winner);
        event GameLostByBoth(uint64 indexed game);
        event ClaimFinal(bytes32 indexed claim);
        event ClaimRejected(bytes32 indexed claim, uint64 game);
        event ClaimSettled(bytes32 indexed claim, uint64 paid);

        error InsufficientFunds(uint256 balance, uint256 needed);
        error BondTooSmall(uint256 minimum);
        error BadClaim(string why);
        error Unpublished(bytes32 blob);
        error TooLarge(uint256 size, uint256 max);
        error BadFinalHeader(string why);
        error UnknownClaim();
        error ClaimClosed();
        error TooLate(uint64 deadline, uint64 now);
        error OwnClaim();
        error AlreadyChallenged();
        error SameFinalRoot();
        error UnknownGame(uint64 game);
        error GameOver(uint64 game);
        error NotAPlayer(uint64 game);
        error NotYourTurn(uint64 game);
        error WrongMove(uint64 game, string why);
        error BadReveal(string why);
        error BadMultiproof();
        error BadProof(bytes reason);
        error WrongStep(bytes32 expected, bytes32 got);
        error NothingDue();
        error TransferFailed();
    }
}

pub use IReferee::{ClaimBody, Params};

/// Game status numbers of `Game.status`.
pub const GAME_OPEN: u8 = 1;
/// Won by the solver.
pub const GAME_SOLVER: u8 = 2;
/// Won by the challenger.
pub const GAME_CHALLENGER: u8 = 3;
/// Lost by both sides.
pub const GAME_BOTH: u8 = 4;

/// Claim status numbers of `Claim.status` (0: no such claim).
pub const CLAIM_OPEN: u8 = 1;
/// Final: the window passed with no game lost.
pub const CLAIM_FINAL: u8 = 2;
/// Rejected: the solver lost a game.
pub const CLAIM_REJECTED: u8 = 3;

impl Params {
    /// The parameters of `refute-protocol`'s `Params` that the contract has,
    /// times in seconds; `grace` is the inclusion extension (`specs/chain.md` §7.3).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        verifier: Address,
        window_s: u64,
        clock_s: u64,
        grace_s: u64,
        k: u64,
        max_leaves: u64,
    ) -> Params {
        Params {
            verifier,
            challengeWindow: window_s,
            clock: clock_s,
            grace: grace_s,
            k,
            maxLeaves: max_leaves,
            maxSteps: 1 << 40,
            winnerSharePct: 50,
            minClaimBond: U256::from(1000u64),
            minChallengeBond: U256::from(1000u64),
            bondPerGstep: U256::from(100u64),
        }
    }

    /// The constructor's ABI-encoded arguments.
    pub fn constructor_args(&self) -> Vec<u8> {
        (self.clone(),).abi_encode_params()
    }
}

/// The rules' error code (`specs/protocol.md` §6, `RuleError::code`) of the
/// contract's revert data, or `None` if it is not one of the contract's errors.
pub fn error_code(revert: &[u8]) -> Option<&'static str> {
    use IReferee::IRefereeErrors as E;
    Some(match E::abi_decode(revert).ok()? {
        E::InsufficientFunds(_) => "insufficient_funds",
        E::BondTooSmall(_) => "bond_too_small",
        E::BadClaim(_) => "bad_claim",
        E::Unpublished(_) => "unpublished",
        E::TooLarge(_) => "too_large",
        E::BadFinalHeader(_) => "bad_final_header",
        E::UnknownClaim(_) => "unknown_claim",
        E::ClaimClosed(_) => "claim_closed",
        E::TooLate(_) => "too_late",
        E::OwnClaim(_) => "own_claim",
        E::AlreadyChallenged(_) => "already_challenged",
        E::SameFinalRoot(_) => "same_final_root",
        E::UnknownGame(_) => "unknown_game",
        E::GameOver(_) => "game_over",
        E::NotAPlayer(_) => "not_a_player",
        E::NotYourTurn(_) => "not_your_turn",
        E::WrongMove(_) => "wrong_move",
        E::BadReveal(_) => "bad_reveal",
        E::BadMultiproof(_) => "bad_multiproof",
        E::BadProof(_) => "bad_proof",
        E::WrongStep(_) => "wrong_step",
        E::NothingDue(_) => "nothing_due",
        E::TransferFailed(_) => "transfer_failed",
    })
}

/// A readable form of the contract's revert data.
pub fn describe_error(revert: &[u8]) -> String {
    use IReferee::IRefereeErrors as E;
    match E::abi_decode(revert) {
        Ok(E::InsufficientFunds(e)) => {
            format!("insufficient funds: balance {}, needed {}", e.balance, e.needed)
        }
        Ok(E::BondTooSmall(e)) => format!("bond too small: the minimum is {}", e.minimum),
        Ok(E::BadClaim(e)) => format!("bad claim: {}", e.why),
        Ok(E::BadFinalHeader(e)) => format!("bad final header: {}", e.why),
        Ok(E::Unpublished(e)) => {
            format!("blob {} is not published on this referee: publish it first", e.blob)
        }
        Ok(E::TooLate(e)) => format!("too late: the deadline was {}, now is {}", e.deadline, e.now),
        Ok(E::TooLarge(e)) => {
            format!(
                "a blob of {} bytes: one `publish` takes at most {} (larger ones go in chunks)",
                e.size, e.max
            )
        }
        Ok(E::WrongMove(e)) => format!("wrong move in game {}: {}", e.game, e.why),
        Ok(E::BadReveal(e)) => format!("bad reveal: {}", e.why),
        Ok(E::WrongStep(e)) => {
            format!("wrong step: the agreed root is {}, the proof's {}", e.expected, e.got)
        }
        Ok(E::BadProof(e)) => format!("bad proof: {}", crate::evm::describe_revert(&e.reason)),
        Ok(e) => error_code_of(&e).replace('_', " "),
        Err(_) => format!("revert 0x{}", crate::rpc::hex0x(revert).trim_start_matches("0x")),
    }
}

fn error_code_of(e: &IReferee::IRefereeErrors) -> String {
    error_code(&e.abi_encode()).unwrap_or("unknown").to_string()
}

/// The contract's form of a claim.
pub fn claim_body(c: &refute_protocol::rules::ClaimBody) -> ClaimBody {
    ClaimBody {
        module: B256::from(c.module.0),
        args: B256::from(c.args.0),
        env: B256::from(c.env.0),
        stdin: B256::from(c.stdin.0),
        dirs: c.dirs.map(|d| B256::from(d.0)).unwrap_or_default(),
        entry: c.entry.clone(),
        entryArgs: c.entry_args.clone(),
        initialRoot: B256::from(c.initial_root.0),
        maxSteps: c.max_steps,
        historyRoot: B256::from(c.history_root.0),
        finalHeader: c.final_header.0.clone().into(),
    }
}

/// The rules' form of the claim the contract posted with `bond` (stdout,
/// job and output files are not carried on chain: §7.1).
pub fn rules_body(c: &ClaimBody, bond: u64) -> refute_protocol::rules::ClaimBody {
    use refute_protocol::rules::{B32, Blob};
    let b = |x: &B256| B32(x.0);
    refute_protocol::rules::ClaimBody {
        module: b(&c.module),
        args: b(&c.args),
        env: b(&c.env),
        stdin: b(&c.stdin),
        entry: c.entry.clone(),
        entry_args: c.entryArgs.clone(),
        max_steps: c.maxSteps,
        initial_root: b(&c.initialRoot),
        final_root: final_root_of(&c.finalHeader),
        final_header: Blob(c.finalHeader.to_vec()),
        stdout: Blob(Vec::new()),
        history_root: b(&c.historyRoot),
        bond,
        job: None,
        dirs: (c.dirs != B256::ZERO).then(|| b(&c.dirs)),
        outputs: None,
    }
}

/// The hashes of a multiproof's encoding (`specs/commitments.md` §4:
/// `u32le(count) ‖ hashes`), as the contract takes them; `None` if it is not
/// one (the contract cannot be handed a malformed encoding).
pub fn proof_hashes(encoded: &[u8]) -> Option<Vec<B256>> {
    let count = u32::from_le_bytes(encoded.get(..4)?.try_into().ok()?) as usize;
    let rest = &encoded[4..];
    if rest.len() != count.checked_mul(32)? {
        return None;
    }
    Some(rest.chunks(32).map(B256::from_slice).collect())
}

/// The rules' form of a game the contract holds: what the honest strategy
/// (`refute_challenger::play::next_move`) reads. Times are seconds; a
/// side's key is its address, left-padded.
pub fn rules_game(g: &IReferee::Game) -> refute_protocol::rules::Game {
    use refute_protocol::rules::{B32, GameStatus, Phase, Role, Side};
    let side = |s: &IReferee::Side| Side {
        key: address_key(&s.key),
        layer_root: (s.layerRoot != B256::ZERO).then_some(B32(s.layerRoot.0)),
        at_b: B32(s.atB.0),
        revealed: None,
        clock_left: s.clockLeft,
        owes_since: s.owes.then_some(s.owesSince),
    };
    refute_protocol::rules::Game {
        claim: B32(g.claim.0),
        bond: u64::try_from(g.bond).unwrap_or(u64::MAX),
        total: g.total,
        depth: g.depth,
        start: g.start,
        end: g.end,
        stride: g.stride,
        a: g.a,
        b: g.b,
        agreed: B32(g.agreed.0),
        phase: if g.phase == 1 { Phase::Step } else { Phase::Reveal },
        sides: [side(&g.sides[0]), side(&g.sides[1])],
        moves: g.moves,
        status: match g.status {
            GAME_SOLVER => GameStatus::Won(Role::Solver),
            GAME_CHALLENGER => GameStatus::Won(Role::Challenger),
            GAME_BOTH => GameStatus::LostByBoth,
            _ => GameStatus::Open,
        },
    }
}

/// An address as the rules' 32-byte key: left-padded with zeros.
pub fn address_key(a: &Address) -> refute_protocol::rules::B32 {
    let mut k = [0u8; 32];
    k[12..].copy_from_slice(a.as_slice());
    refute_protocol::rules::B32(k)
}

/// The state root a final header names: the SHA-256 of its hot part
/// (`specs/state.md` §3), or of whatever shorter bytes a bad claim holds.
pub fn final_root_of(header: &[u8]) -> refute_protocol::rules::B32 {
    refute_protocol::rules::B32::sha256(&[&header[..header.len().min(refute_engine::state::HOT_BYTES)]])
}
