// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Referee} from "./Referee.sol";
import {Draws} from "./Draws.sol";

/// Jobs with rewards on an EVM chain (specs/chain.md §9; the rules of
/// specs/protocol.md §5.1 and §5.9): solvers register with a stake, a
/// requester escrows a reward for a computation, a solver is drawn by stake
/// from a seed nobody can choose (the requester's committed secret and the
/// hash of the block after the job's), and answers with a claim on the
/// `Referee`; the reward is paid when that claim is final. A drawn solver
/// that misses its deadline loses `dutySlash` of its stake; one whose claim is
/// rejected paid with its claim bond; either way the next solver is drawn.
/// After `MAX_JOB_DRAWS` draws, or when nobody can be drawn, the reward goes
/// back to the requester.
contract Jobs {
    using Draws for Draws.Pool;

    // ---- parameters (fixed at deployment) ----
    Referee public immutable referee;
    /// The least stake a registration locks (`min_register_stake`).
    uint256 public immutable minStake;
    /// What a drawn solver that misses its deadline loses (`duty_slash`, or its whole stake if smaller).
    uint256 public immutable dutySlash;
    /// Seconds a drawn solver has to answer (`job_deadline`).
    uint64 public immutable answerTime;
    /// Percent of the reward burned when the requester does not reveal its secret in time.
    uint64 public immutable cancelPenaltyPct;

    /// Draws per job (`MAX_JOB_DRAWS`).
    uint8 public constant MAX_JOB_DRAWS = 4;
    /// Blocks after the job's own in which its secret may be revealed: the
    /// seed needs the hash of the block after the job's, which the EVM keeps 256 blocks.
    uint256 public constant REVEAL_BLOCKS = 256;

    uint8 internal constant SEEDING = 1;
    uint8 internal constant ASSIGNED = 2;
    uint8 internal constant CLAIMED = 3;
    uint8 internal constant DONE = 4;
    uint8 internal constant FAILED = 5;
    uint8 internal constant CANCELLED = 6;

    /// The computation a job asks for: a claim answers it if it starts from
    /// `initialRoot` and runs at most `maxSteps` (the blobs say what that is,
    /// for solvers and checkers; each is published on the referee).
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
        /// Only candidates whose registration number is below this are drawn.
        uint64 registrations;
        /// The drawn solver's answer is due strictly before this time.
        uint64 deadline;
        uint64 maxSteps;
        address solver;
        /// keccak256 of the requester's secret.
        bytes32 commit;
        bytes32 seed;
        bytes32 initialRoot;
        bytes32 claim;
        uint256 reward;
        /// Solvers drawn before (never drawn again for this job).
        address[] tried;
    }

    struct Account {
        uint256 stake;
        /// Draws' duties holding the stake (a drawn solver that has not answered yet).
        uint32 duties;
        bool registered;
        bool leaving;
        /// Its registration's number (`since`).
        uint64 since;
    }

    mapping(address => uint256) public balanceOf;
    mapping(address => Account) internal accounts;
    mapping(address => uint64) public jobNonce;
    mapping(bytes32 => Job) internal jobs;
    /// The job a claim answers (a claim answers one job).
    mapping(bytes32 => bytes32) public jobOfClaim;
    Draws.Pool internal pool;
    /// Registrations ever made.
    uint64 public registrations;
    /// Wei held in stakes and escrows, and wei burned (owned by nobody).
    uint256 public held;
    uint256 public burned;

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

    struct Params {
        address referee;
        uint256 minStake;
        uint256 dutySlash;
        uint64 answerTime;
        uint64 cancelPenaltyPct;
    }

    constructor(Params memory p) {
        require(p.minStake > 0 && p.answerTime > 0, "zero stake or answer time");
        require(p.cancelPenaltyPct <= 100, "penalty over 100%");
        referee = Referee(p.referee);
        minStake = p.minStake;
        dutySlash = p.dutySlash;
        answerTime = p.answerTime;
        cancelPenaltyPct = p.cancelPenaltyPct;
    }

    // ---- money ----

    function deposit() external payable {
        _credit();
    }

    function _credit() internal {
        if (msg.value > 0) {
            balanceOf[msg.sender] += msg.value;
            emit Deposited(msg.sender, msg.value);
        }
    }

    function withdraw(uint256 amount) external {
        uint256 b = balanceOf[msg.sender];
        if (b < amount) revert InsufficientFunds(b, amount);
        balanceOf[msg.sender] = b - amount;
        emit Withdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    function _take(address who, uint256 amount) internal {
        uint256 b = balanceOf[who];
        if (b < amount) revert InsufficientFunds(b, amount);
        balanceOf[who] = b - amount;
        held += amount;
    }

    function _pay(address to, uint256 amount) internal {
        held -= amount;
        balanceOf[to] += amount;
        emit Paid(to, amount);
    }

    function _burn(uint256 amount) internal {
        held -= amount;
        burned += amount;
        emit Burned(amount);
    }

    // ---- registration (specs/protocol.md §5.1) ----

    /// Locks `stake` of the sender's balance (the value sent is deposited
    /// first) and makes it a candidate in the lowest free slot.
    function register(uint256 stake) external payable {
        _credit();
        Account storage a = accounts[msg.sender];
        if (a.leaving) revert StillLeaving();
        if (a.registered) revert AlreadyRegistered();
        if (stake < minStake) revert BondTooSmall(minStake);
        _take(msg.sender, stake);
        uint32 slot = pool.insert(msg.sender, stake);
        (a.stake, a.registered, a.since) = (stake, true, registrations++);
        emit Registered(msg.sender, stake, slot, a.since);
    }

    /// Leaves the candidates at once; the stake returns when no drawn job holds it.
    function unregister() external {
        Account storage a = accounts[msg.sender];
        if (!a.registered) revert NotRegistered();
        pool.remove(msg.sender);
        (a.registered, a.leaving) = (false, true);
        emit Leaving(msg.sender, a.stake);
        _maybeReturn(msg.sender);
    }

    function _maybeReturn(address who) internal {
        Account storage a = accounts[who];
        if (a.leaving && a.duties == 0) {
            uint256 s = a.stake;
            (a.stake, a.leaving) = (0, false);
            emit Unregistered(who, s);
            _pay(who, s);
        }
    }

    // ---- jobs (specs/protocol.md §5.9, specs/chain.md §9) ----

    function jobId(address requester, uint64 nonce) public view returns (bytes32) {
        return keccak256(abi.encode("refute chain job v1", block.chainid, address(this), requester, nonce));
    }

    /// Posts a job with `reward` escrowed and `commit` = keccak256 of a
    /// secret the requester reveals in a later block (`reveal`).
    function post(JobBody calldata b, uint256 reward, bytes32 commit) external payable returns (bytes32 id) {
        _credit();
        if (b.maxSteps == 0 || b.maxSteps > referee.maxSteps()) {
            revert BadJob("max_steps must be from 1 to the referee's maxSteps");
        }
        if (bytes(b.entry).length > referee.MAX_ENTRY_NAME() || b.entryArgs.length > referee.MAX_ENTRY_ARGS()) {
            revert BadJob("entry name or argument list too long");
        }
        uint256 min = referee.claimBondMin(b.maxSteps);
        if (reward < min) revert BondTooSmall(min);
        _needPublished(b.module);
        _needPublished(b.args);
        _needPublished(b.env);
        _needPublished(b.stdin);
        if (b.dirs != 0) _needPublished(b.dirs);
        if (pool.total - pool.stakeOf(msg.sender) == 0) revert NoSolvers();
        _take(msg.sender, reward);
        id = jobId(msg.sender, jobNonce[msg.sender]++);
        Job storage j = jobs[id];
        (j.requester, j.status, j.postBlock, j.registrations) =
            (msg.sender, SEEDING, uint64(block.number), registrations);
        (j.maxSteps, j.commit, j.initialRoot, j.reward) = (b.maxSteps, commit, b.initialRoot, reward);
        emit JobPosted(id, msg.sender, reward, commit, b);
    }

    function _needPublished(bytes32 h) internal view {
        if (!referee.published(h)) revert Unpublished(h);
    }

    /// Reveals the job's secret (anyone who knows it may) from the second
    /// block after the job's on, within `REVEAL_BLOCKS`: the seed is
    /// `SHA256("refute chain job seed v1\0" ‖ secret ‖ blockhash(post + 1) ‖ id)`
    /// and the first solver is drawn.
    function reveal(bytes32 id, bytes32 secret) external {
        Job storage j = _job(id);
        if (j.status != SEEDING) revert JobClosed();
        if (keccak256(abi.encode(secret)) != j.commit) revert BadSecret();
        uint256 from = uint256(j.postBlock) + 2;
        if (block.number < from) revert TooEarly(from);
        if (block.number > uint256(j.postBlock) + REVEAL_BLOCKS) revert TooLate(j.postBlock, uint64(block.number));
        j.seed = sha256(abi.encodePacked("refute chain job seed v1\x00", secret, blockhash(j.postBlock + 1), id));
        emit JobSeeded(id, j.seed);
        _draw(id, j);
    }

    /// Declines the job (its drawn solver, for free): the next solver is drawn.
    function decline(bytes32 id) external {
        Job storage j = _job(id);
        if (j.status != ASSIGNED) revert JobClosed();
        if (msg.sender != j.solver) revert NotJobSolver();
        emit JobDeclined(id, msg.sender);
        _release(msg.sender);
        _draw(id, j);
    }

    /// Answers the job with `claim`, the sender's claim on the referee from
    /// the job's initial root over its `maxSteps`, before the deadline.
    function answer(bytes32 id, bytes32 claim) external {
        Job storage j = _job(id);
        if (j.status != ASSIGNED) revert JobClosed();
        if (msg.sender != j.solver) revert NotJobSolver();
        if (block.timestamp >= j.deadline) revert TooLate(j.deadline, uint64(block.timestamp));
        Referee.Claim memory c = referee.getClaim(claim);
        if (c.solver != msg.sender) revert WrongJob("the claim is not the solver's");
        if (c.initialRoot != j.initialRoot || c.maxSteps != j.maxSteps) {
            revert WrongJob("the claim is of another computation (initial root or max_steps)");
        }
        if (c.status == 3) revert WrongJob("the claim is rejected");
        if (jobOfClaim[claim] != 0) revert WrongJob("the claim answers another job");
        jobOfClaim[claim] = id;
        (j.status, j.claim) = (CLAIMED, claim);
        emit JobClaimed(id, claim);
        _release(msg.sender);
    }

    /// Moves job `id` on (anyone may call it): pays the solver when its
    /// claim is final; draws the next one when the claim is rejected or the
    /// drawn solver let its deadline pass (slashed); cancels a job whose
    /// secret was not revealed in time (a penalty burned, the rest refunded).
    function settle(bytes32 id) external {
        Job storage j = _job(id);
        if (j.status == CLAIMED) {
            uint8 s = referee.getClaim(j.claim).status;
            if (s == 2) {
                j.status = DONE;
                emit JobDone(id, j.claim);
                _pay(j.solver, j.reward);
            } else if (s == 3) {
                emit JobMissed(id, j.solver);
                _draw(id, j);
            } else {
                revert NothingDue();
            }
        } else if (j.status == ASSIGNED && block.timestamp >= j.deadline) {
            address solver = j.solver;
            emit JobMissed(id, solver);
            Account storage a = accounts[solver];
            uint256 cut = a.stake < dutySlash ? a.stake : dutySlash;
            a.stake -= cut;
            if (a.registered) pool.set(solver, a.stake);
            emit Slashed(solver, cut);
            _burn(cut);
            _release(solver);
            _draw(id, j);
        } else if (j.status == SEEDING && block.number > uint256(j.postBlock) + REVEAL_BLOCKS) {
            uint256 penalty = j.reward * cancelPenaltyPct / 100;
            j.status = CANCELLED;
            emit JobCancelled(id, j.reward - penalty, penalty);
            _burn(penalty);
            _pay(j.requester, j.reward - penalty);
        } else {
            revert NothingDue();
        }
    }

    function _job(bytes32 id) internal view returns (Job storage j) {
        j = jobs[id];
        if (j.status == 0) revert UnknownJob();
    }

    /// A drawn solver's duty ends: its stake is free to return if it left.
    function _release(address solver) internal {
        accounts[solver].duties--;
        _maybeReturn(solver);
    }

    /// Draws the job's next solver, or fails it (the reward back to the requester).
    function _draw(bytes32 id, Job storage j) internal {
        address solver;
        if (j.attempts < MAX_JOB_DRAWS) {
            j.attempts++;
            solver = drawSolver(j.seed, j.attempts, j.requester, j.tried, j.registrations);
        }
        if (solver == address(0)) {
            j.status = FAILED;
            emit JobFailed(id, j.reward);
            _pay(j.requester, j.reward);
            return;
        }
        j.tried.push(solver);
        (j.status, j.solver, j.deadline) = (ASSIGNED, solver, uint64(block.timestamp) + answerTime);
        accounts[solver].duties++;
        emit JobAssigned(id, solver, j.attempts, j.deadline);
    }

    /// Draw `attempt` of a job with `seed` (specs/protocol.md §5.9, the same
    /// function as `refute_protocol`'s): the requester and the solvers tried
    /// before are out of the candidates; the solver is the first of 32
    /// positions whose candidate registered before the job; 0 if none is.
    function drawSolver(bytes32 seed, uint32 attempt, address requester, address[] memory tried, uint64 before)
        public
        view
        returns (address)
    {
        address[] memory out = new address[](tried.length + 1);
        out[0] = requester;
        for (uint256 i = 0; i < tried.length; i++) {
            out[i + 1] = tried[i];
        }
        bytes memory beta = Draws.jobDrawSeed(seed, attempt);
        (uint256[] memory slots, uint256[] memory stakes) = pool.excluded(out);
        uint256 total = pool.total;
        for (uint256 i = 0; i < stakes.length; i++) {
            total -= stakes[i];
        }
        if (total == 0) return address(0);
        for (uint32 i = 0; i < Draws.DRAW_POSITIONS; i++) {
            address who = pool.ownerAt(Draws.position(beta, i, total), slots, stakes);
            if (accounts[who].since < before) return who;
        }
        return address(0);
    }

    // ---- views ----

    function getJob(bytes32 id) external view returns (Job memory) {
        return jobs[id];
    }

    function getAccount(address who) external view returns (Account memory) {
        return accounts[who];
    }

    function slotOf(address who) external view returns (uint32) {
        return pool.slotOf[who];
    }

    function totalStake() external view returns (uint256) {
        return pool.total;
    }
}
