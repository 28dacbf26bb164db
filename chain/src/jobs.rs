//! The jobs contract (`contracts/src/Jobs.sol`, `specs/chain.md` §9): its
//! ABI, its parameters, the requester's secret, and the rules' error codes of
//! its reverts.

// The `sol!` bindings of events with many fields are functions of as many arguments.
#![allow(clippy::too_many_arguments)]

use alloy_primitives::{Address, B256, Log, U256, keccak256};
use alloy_sol_types::{SolEventInterface, SolInterface, SolValue, sol};

use crate::client::{Chain, ChainError};
use refute_protocol::rules::B32;
use sha2::{Digest, Sha256};

sol! {
    /// The jobs contract (`contracts/src/Jobs.sol`).
    #[sol(all_derives)]
    interface IJobs {
        struct JobBody {
            bytes32 module;
            bytes32 args;
            bytes32 env;
            bytes32 stdin;
            bytes32 dirs;
            string entry;
            uint64[] entryArgs;
            bytes32 initialRoot;
            uint64 maxSteps;
        }
        struct Job {
            address requester;
            uint8 status;
            uint8 attempts;
            uint64 postBlock;
            uint64 registrations;
            uint64 deadline;
            uint64 maxSteps;
            address solver;
            bytes32 commit;
            bytes32 seed;
            bytes32 initialRoot;
            bytes32 claim;
            uint256 reward;
            address[] tried;
        }
        struct Account {
            uint256 stake;
            uint32 duties;
            bool registered;
            bool leaving;
            uint64 since;
        }
        struct Params {
            address referee;
            uint256 minStake;
            uint256 dutySlash;
            uint64 answerTime;
            uint64 cancelPenaltyPct;
            uint64 committeeSize;
            uint64 feePct;
            uint64 auditWindow;
        }
        struct Committee {
            bytes32 job;
            address[] members;
            bytes32 auditSeed;
            uint64 auditEnds;
            bool ended;
            uint256 fee;
        }

        function referee() external view returns (address);
        function minStake() external view returns (uint256);
        function dutySlash() external view returns (uint256);
        function answerTime() external view returns (uint64);
        function deposit() external payable;
        function withdraw(uint256 amount) external;
        function register(uint256 stake) external payable;
        function unregister() external;
        function post(JobBody b, uint256 reward, bytes32 commit) external payable returns (bytes32 id);
        function reveal(bytes32 id, bytes32 secret) external;
        function decline(bytes32 id) external;
        function answer(bytes32 id, bytes32 claim) external;
        function settle(bytes32 id) external;
        function drawSolver(bytes32 seed, uint32 attempt, address requester, address[] tried, uint64 before) external view returns (address);
        function jobId(address requester, uint64 nonce) external view returns (bytes32);
        function jobNonce(address who) external view returns (uint64);
        function jobOfClaim(bytes32 claim) external view returns (bytes32);
        function getJob(bytes32 id) external view returns (Job memory);
        function getAccount(address who) external view returns (Account memory);
        function slotOf(address who) external view returns (uint32);
        function totalStake() external view returns (uint256);
        function balanceOf(address who) external view returns (uint256);
        function held() external view returns (uint256);
        function burned() external view returns (uint256);
        function registrations() external view returns (uint64);
        function committeeSize() external view returns (uint64);
        function feePct() external view returns (uint64);
        function auditWindow() external view returns (uint64);
        function drawCommittee(bytes beta, address solver) external view returns (address[] memory);
        function attest(bytes32 claim, bytes32 commitment) external;
        function disclose(bytes32 claim, bytes32 salt, bytes32 root, bytes32[] proof) external;
        function auditLeaf(bytes32 claim, address member, uint256 n) external view returns (uint64);
        function getCommittee(bytes32 claim) external view returns (Committee memory);
        function duty(bytes32 claim, address who) external view returns (uint8);

        event Deposited(address indexed who, uint256 amount);
        event Withdrawn(address indexed who, uint256 amount);
        event Registered(address indexed who, uint256 stake, uint32 slot, uint64 since);
        event Leaving(address indexed who, uint256 stake);
        event Unregistered(address indexed who, uint256 stake);
        event JobPosted(bytes32 indexed job, address indexed requester, uint256 reward, bytes32 commit, JobBody body);
        event JobSeeded(bytes32 indexed job, bytes32 seed);
        event JobAssigned(bytes32 indexed job, address indexed solver, uint8 attempt, uint64 deadline);
        event JobClaimed(bytes32 indexed job, bytes32 claim);
        event JobDeclined(bytes32 indexed job, address indexed solver);
        event JobMissed(bytes32 indexed job, address indexed solver);
        event JobDone(bytes32 indexed job, bytes32 claim);
        event JobFailed(bytes32 indexed job, uint256 refund);
        event JobCancelled(bytes32 indexed job, uint256 refund, uint256 burned);
        event Slashed(address indexed who, uint256 amount);
        event Paid(address indexed to, uint256 amount);
        event Burned(uint256 amount);
        event CommitteeDrawn(bytes32 indexed job, bytes32 indexed claim, address[] members, bytes32 auditSeed);
        event Attested(bytes32 indexed claim, address indexed who);
        event Disclosed(bytes32 indexed claim, address indexed who, uint64 leaf);
        event AuditStarted(bytes32 indexed claim, uint64 ends);
        event AuditEnded(bytes32 indexed claim, uint32 passed, uint256 each, uint256 refund);
        event DutyDone(bytes32 indexed claim, address indexed who);
        event DutyMissed(bytes32 indexed claim, address indexed who);

        error InsufficientFunds(uint256 balance, uint256 needed);
        error BondTooSmall(uint256 minimum);
        error AlreadyRegistered();
        error NotRegistered();
        error StillLeaving();
        error BadJob(string why);
        error Unpublished(bytes32 blob);
        error NoSolvers();
        error UnknownJob();
        error JobClosed();
        error NotJobSolver();
        error WrongJob(string why);
        error TooLate(uint64 deadline, uint64 now);
        error BadSecret();
        error TooEarly(uint256 block_);
        error NothingDue();
        error TransferFailed();
        error RegistryFull();
        error NotMember();
        error AlreadyAttested();
        error NotInAudit();
        error NothingToDisclose();
        error BadDisclosure(string why);
    }
}

pub use IJobs::{JobBody, Params};

/// Job status numbers of `Job.status` (0: no such job).
pub mod status {
    /// Posted; its secret is not revealed yet.
    pub const SEEDING: u8 = 1;
    /// A solver is drawn and owes a claim.
    pub const ASSIGNED: u8 = 2;
    /// Answered by a claim still open.
    pub const CLAIMED: u8 = 3;
    /// Its claim is final and the solver paid.
    pub const DONE: u8 = 4;
    /// No solver answered: the reward went back.
    pub const FAILED: u8 = 5;
    /// The secret was not revealed in time.
    pub const CANCELLED: u8 = 6;
}

/// A status's name.
pub fn status_name(s: u8) -> &'static str {
    match s {
        status::SEEDING => "seeding",
        status::ASSIGNED => "assigned",
        status::CLAIMED => "claimed",
        status::DONE => "done",
        status::FAILED => "failed",
        status::CANCELLED => "cancelled",
        _ => "unknown",
    }
}

impl Params {
    /// The constructor's ABI-encoded arguments.
    pub fn constructor_args(&self) -> Vec<u8> {
        (self.clone(),).abi_encode_params()
    }
}

/// The requester's secret for its `nonce`-th job, derived from its key's
/// seed (so nothing needs storing to reveal it after a restart), and the
/// commitment the job carries: keccak256 of its ABI encoding.
pub fn secret(key_seed: &[u8; 32], jobs: &Address, nonce: u64) -> (B256, B256) {
    let mut h = Sha256::new();
    h.update(b"refute chain job secret v1\0");
    h.update(key_seed);
    h.update(jobs.as_slice());
    h.update(nonce.to_le_bytes());
    let secret = B256::from(<[u8; 32]>::from(h.finalize()));
    (secret, keccak256(secret.abi_encode()))
}

/// The rules' error code of the contract's revert data (`specs/protocol.md`
/// §6, with `unpublished`, `bad_secret`, `too_early`, `registry_full` and
/// `nothing_due` of its own), or `None` if it is not one of its errors.
pub fn error_code(revert: &[u8]) -> Option<&'static str> {
    use IJobs::IJobsErrors as E;
    Some(match E::abi_decode(revert).ok()? {
        E::InsufficientFunds(_) => "insufficient_funds",
        E::BondTooSmall(_) => "bond_too_small",
        E::AlreadyRegistered(_) => "already_registered",
        E::NotRegistered(_) => "not_registered",
        E::StillLeaving(_) => "leaving",
        E::BadJob(_) => "bad_job",
        E::Unpublished(_) => "unpublished",
        E::NoSolvers(_) => "no_solvers",
        E::UnknownJob(_) => "unknown_job",
        E::JobClosed(_) => "job_closed",
        E::NotJobSolver(_) => "not_job_solver",
        E::WrongJob(_) => "wrong_job",
        E::TooLate(_) => "too_late",
        E::BadSecret(_) => "bad_secret",
        E::TooEarly(_) => "too_early",
        E::NothingDue(_) => "nothing_due",
        E::TransferFailed(_) => "transfer_failed",
        E::RegistryFull(_) => "registry_full",
        E::NotMember(_) => "not_member",
        E::AlreadyAttested(_) => "already_attested",
        E::NotInAudit(_) => "not_in_audit",
        E::NothingToDisclose(_) => "nothing_to_disclose",
        E::BadDisclosure(_) => "bad_disclosure",
    })
}

/// A readable form of the contract's revert data, or `None` if it is not one of its errors.
pub fn describe_error(revert: &[u8]) -> Option<String> {
    use IJobs::IJobsErrors as E;
    Some(match E::abi_decode(revert).ok()? {
        E::InsufficientFunds(e) => {
            format!("insufficient funds: balance {}, needed {}", e.balance, e.needed)
        }
        E::BondTooSmall(e) => format!("too small: the minimum is {}", e.minimum),
        E::BadJob(e) => format!("bad job: {}", e.why),
        E::WrongJob(e) => format!("wrong job: {}", e.why),
        E::Unpublished(e) => format!("blob {} is not published on the referee: publish it first", e.blob),
        E::TooLate(e) => format!("too late: the deadline was {}, now is {}", e.deadline, e.now),
        E::TooEarly(e) => format!("too early: not before block {}", e.block_),
        E::NoSolvers(_) => "no solver can be drawn: nobody else is registered with a stake".into(),
        E::BadDisclosure(e) => format!("bad disclosure: {}", e.why),
        e => error_code(&e.abi_encode()).unwrap_or("unknown").replace('_', " "),
    })
}

/// The devnet's jobs parameters (`specs/chain.md` §9): a stake of at least
/// 0.01 ETH, 0.005 ETH slashed from a drawn solver that lets its deadline
/// pass (or a member that misses its duty), `answer_s` seconds to answer, 10 %
/// of the reward burned when a requester does not reveal its secret, a
/// committee of 3 paid 20 % of the reward, and an audit of `audit_s` seconds.
pub fn devnet_params(referee: Address, answer_s: u64, audit_s: u64) -> Params {
    Params {
        referee,
        minStake: U256::from(10_000_000_000_000_000u64),
        dutySlash: U256::from(5_000_000_000_000_000u64),
        answerTime: answer_s,
        cancelPenaltyPct: 10,
        committeeSize: 3,
        feePct: 20,
        auditWindow: audit_s,
    }
}

/// A member's key in the committee's hashes: its address left-padded to 32 bytes.
pub fn member_key(a: &Address) -> B32 {
    crate::referee::address_key(a)
}

/// The audit leaf of `member` in a posted layer of `n` leaves, from the
/// committee's `audit_seed` (the contract's `auditLeaf`; the rules' `Claim::audit_leaf`).
pub fn audit_leaf(audit_seed: &B256, member: &Address, n: u64) -> u64 {
    refute_protocol::rules::audit_leaf(&B32(audit_seed.0), &member_key(member), n)
}

/// The commitment of `member`'s attestation of `claim` (`attest_commitment` with the member's key).
pub fn attest_commitment(claim: &B256, member: &Address, salt: &B256, root: &B256) -> B256 {
    let c = refute_protocol::rules::attest_commitment(
        &B32(claim.0),
        &member_key(member),
        &B32(salt.0),
        &B32(root.0),
    );
    B256::from(c.0)
}

/// The committee's 64-byte seed for `claim` answering a job with `seed` (`Draws.committeeBeta`).
pub fn committee_beta(seed: &B256, claim: &B256) -> [u8; 64] {
    let half = |i: u8| -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"refute chain committee v1\0");
        h.update(seed.as_slice());
        h.update(claim.as_slice());
        h.update([i]);
        h.finalize().into()
    };
    let mut out = [0; 64];
    out[..32].copy_from_slice(&half(0));
    out[32..].copy_from_slice(&half(1));
    out
}

/// The jobs contract at `address`, checked: a contract is there and it is a
/// jobs contract of `chain`'s referee.
pub fn connect(chain: &Chain, address: &str) -> Result<Address, ChainError> {
    let a: Address = address
        .parse()
        .map_err(|e| ChainError::NotAReferee(format!("{address:?} is not an address: {e}")))?;
    match chain.view_at(a, IJobs::refereeCall {}) {
        Ok(r) if r == chain.referee => Ok(a),
        Ok(r) => Err(ChainError::NotAReferee(format!(
            "the jobs contract at {a} settles on the referee {r}, not {}",
            chain.referee
        ))),
        Err(e) => Err(ChainError::NotAReferee(format!("no jobs contract at {a} on {}: {e}", chain.url()))),
    }
}

/// A log of the jobs contract, decoded.
pub fn decode(log: &Log) -> Option<IJobs::IJobsEvents> {
    IJobs::IJobsEvents::decode_log(log).ok().map(|d| d.data)
}

/// The jobs contract's events in blocks `from..=to`, each with its block.
pub fn events(
    chain: &Chain,
    jobs: Address,
    from: u64,
    to: u64,
) -> Result<Vec<(IJobs::IJobsEvents, u64)>, ChainError> {
    Ok(chain
        .logs(jobs, from, to)?
        .into_iter()
        .filter_map(|(l, block, _)| Some((decode(&l)?, block)))
        .collect())
}
