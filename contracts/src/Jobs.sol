// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Referee} from "./Referee.sol";
import {Draws} from "./Draws.sol";
import {History} from "./History.sol";
import {Ledger} from "./Ledger.sol";

/// Jobs with rewards on an EVM chain (specs/chain.md §9; the rules of
/// specs/protocol.md §5.1 and §5.9): solvers register with a stake, a
/// requester escrows a reward for a computation, a solver is drawn by stake
/// from a seed nobody can choose (the requester's committed secret and the
/// hash of the block after the job's), and answers with a claim on the
/// `Referee`; the reward is paid when that claim is final. A drawn solver
/// that misses its deadline loses `dutySlash` of its stake; one whose claim is
/// rejected paid with its claim bond; either way the next solver is drawn.
/// After `MAX_JOB_DRAWS` draws, or when nobody can be drawn, the reward goes
/// back to the requester. The claim answering a job gets a committee, drawn by
/// stake, whose members attest it with a commitment inside the claim's window
/// and disclose it in an audit once it is final; `feePct` of the reward pays
/// the members whose disclosure passed (specs/protocol.md §5.3, §5.4, §5.10).
contract Jobs is Ledger {
    using Draws for Draws.Pool;
    using History for History.Layer;

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
    /// Members drawn for the committee of a job's claim (`committee_size`).
    uint64 public immutable committeeSize;
    /// Percent of the reward that pays the committee (`fee_pct`).
    uint64 public immutable feePct;
    /// Seconds the audit of a final claim lasts (`reveal_ms`).
    uint64 public immutable auditWindow;

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

    /// A member's duty: drawn, attested, disclosed (0: not a member).
    uint8 internal constant PENDING = 1;
    uint8 internal constant ATTESTED = 2;
    uint8 internal constant DISCLOSED = 3;

    /// The committee of a job's claim.
    struct Committee {
        bytes32 job;
        address[] members;
        /// `SHA256("refute audit v1\0" ‖ beta)`: picks each member's audit leaf.
        bytes32 auditSeed;
        /// The audit's end (0: not started).
        uint64 auditEnds;
        bool ended;
        uint256 fee;
    }

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

    mapping(address => Account) internal accounts;
    mapping(address => uint64) public jobNonce;
    mapping(bytes32 => Job) internal jobs;
    /// The job a claim answers (a claim answers one job).
    mapping(bytes32 => bytes32) public jobOfClaim;
    /// Committees by claim, each member's duty and commitment.
    mapping(bytes32 => Committee) internal committees;
    mapping(bytes32 => mapping(address => uint8)) public duty;
    mapping(bytes32 => mapping(address => bytes32)) public commitmentOf;
    Draws.Pool internal pool;
    /// Registrations ever made.
    uint64 public registrations;

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
    event CommitteeDrawn(bytes32 indexed job, bytes32 indexed claim, address[] members, bytes32 auditSeed);
    event Attested(bytes32 indexed claim, address indexed who);
    event Disclosed(bytes32 indexed claim, address indexed who, uint64 leaf);
    event AuditStarted(bytes32 indexed claim, uint64 ends);
    event AuditEnded(bytes32 indexed claim, uint32 passed, uint256 each, uint256 refund);
    event DutyDone(bytes32 indexed claim, address indexed who);
    event DutyMissed(bytes32 indexed claim, address indexed who);

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
    error NotMember();
    error AlreadyAttested();
    error NotInAudit();
    error NothingToDisclose();
    error BadDisclosure(string why);

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

    constructor(Params memory p) {
        require(p.minStake > 0 && p.answerTime > 0, "zero stake or answer time");
        require(p.cancelPenaltyPct <= 100 && p.feePct <= 100, "penalty or fee over 100%");
        require(p.committeeSize <= 64 && p.auditWindow > 0, "committee over 64 or no audit window");
        referee = Referee(p.referee);
        minStake = p.minStake;
        dutySlash = p.dutySlash;
        answerTime = p.answerTime;
        cancelPenaltyPct = p.cancelPenaltyPct;
        committeeSize = p.committeeSize;
        feePct = p.feePct;
        auditWindow = p.auditWindow;
    }

    // ---- money (deposit, withdraw, _hold, _burn: `Ledger`) ----

    function _pay(address to, uint256 amount) internal {
        held -= amount;
        balanceOf[to] += amount;
        emit Paid(to, amount);
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
        _hold(msg.sender, stake);
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
        _hold(msg.sender, reward);
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
        _drawCommittee(id, j.seed, claim, msg.sender);
    }

    /// Moves job `id` on (anyone may call it): pays the solver when its
    /// claim is final; draws the next one when the claim is rejected or the
    /// drawn solver let its deadline pass (slashed); cancels a job whose
    /// secret was not revealed in time (a penalty burned, the rest refunded).
    function settle(bytes32 id) external {
        Job storage j = _job(id);
        if (j.status == CLAIMED) {
            Referee.Claim memory c = referee.getClaim(j.claim);
            if (c.status == 2) {
                j.status = DONE;
                uint256 fee = j.reward * feePct / 100;
                emit JobDone(id, j.claim);
                _pay(j.solver, j.reward - fee);
                _finalCommittee(j.claim, fee);
            } else if (c.status == 3) {
                _rejectedCommittee(j.claim, c.windowEnds);
                emit JobMissed(id, j.solver);
                _draw(id, j);
            } else {
                revert NothingDue();
            }
        } else if (j.status == DONE) {
            Committee storage k = committees[j.claim];
            if (k.ended || k.auditEnds == 0 || block.timestamp < k.auditEnds) revert NothingDue();
            _endAudit(j.claim);
        } else if (j.status == ASSIGNED && block.timestamp >= j.deadline) {
            address solver = j.solver;
            emit JobMissed(id, solver);
            _slash(solver);
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

    /// Takes `dutySlash` of `who`'s stake (all of it if less) and burns it.
    function _slash(address who) internal {
        Account storage a = accounts[who];
        uint256 cut = a.stake < dutySlash ? a.stake : dutySlash;
        if (cut == 0) return;
        a.stake -= cut;
        if (a.registered) pool.set(who, a.stake);
        emit Slashed(who, cut);
        _burn(cut);
    }

    // ---- the committee (specs/protocol.md §5.3, §5.4; specs/chain.md §9) ----

    /// The committee of a claim by `solver` drawn with `beta`: positions
    /// `0 … 4·committeeSize` by stake, skipping the solver and members
    /// already drawn, until `committeeSize` members (`lottery::pick`).
    function drawCommittee(bytes memory beta, address solver) public view returns (address[] memory m) {
        m = new address[](committeeSize);
        uint256 n = 0;
        uint256 total = pool.total;
        uint256[] memory none = new uint256[](0);
        for (uint32 i = 0; total > 0 && i < 4 * committeeSize && n < committeeSize; i++) {
            address who = pool.ownerAt(Draws.position(beta, i, total), none, none);
            bool seen = who == solver;
            for (uint256 k = 0; k < n; k++) {
                seen = seen || m[k] == who;
            }
            if (!seen) m[n++] = who;
        }
        assembly {
            mstore(m, n)
        }
    }

    function _drawCommittee(bytes32 job, bytes32 seed, bytes32 claim, address solver) internal {
        bytes memory beta = Draws.committeeBeta(seed, claim);
        Committee storage k = committees[claim];
        (k.job, k.members, k.auditSeed) = (job, drawCommittee(beta, solver), sha256(abi.encodePacked("refute audit v1\x00", beta)));
        for (uint256 i = 0; i < k.members.length; i++) {
            duty[claim][k.members[i]] = PENDING;
            accounts[k.members[i]].duties++;
        }
        emit CommitteeDrawn(job, claim, k.members, k.auditSeed);
    }

    /// A member's attestation of `claim` inside its window: `commitment =
    /// SHA256("refute attest v1\0" ‖ claim ‖ member ‖ salt ‖ root)` with `root`
    /// its own state root at its audit leaf (`member` as 32 bytes, left-padded).
    function attest(bytes32 claim, bytes32 commitment) external {
        uint8 d = duty[claim][msg.sender];
        if (d == 0) revert NotMember();
        if (d != PENDING) revert AlreadyAttested();
        Referee.Claim memory c = referee.getClaim(claim);
        if (c.status != 1) revert JobClosed();
        if (block.timestamp >= c.windowEnds) revert TooLate(c.windowEnds, uint64(block.timestamp));
        (duty[claim][msg.sender], commitmentOf[claim][msg.sender]) = (ATTESTED, commitment);
        emit Attested(claim, msg.sender);
    }

    /// The audit leaf of `member` in `claim`'s posted layer of `n` leaves (`Claim::audit_leaf`).
    function auditLeaf(bytes32 claim, address member, uint256 n) public view returns (uint64) {
        if (n <= 2) return uint64(n - 1);
        bytes32 h = sha256(abi.encodePacked("refute audit leaf v1\x00", committees[claim].auditSeed, _key(member)));
        uint256 le = 0;
        for (uint256 i = 0; i < 8; i++) {
            le |= uint256(uint8(h[i])) << (8 * i);
        }
        return uint64(1 + le % (n - 2));
    }

    function _key(address a) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(a)));
    }

    /// A member's disclosure in the audit of a final claim: the salt and
    /// root of its attestation, and `proof`, the opening of its audit leaf to
    /// `root` under the claim's history root in the posted layer.
    function disclose(bytes32 claim, bytes32 salt, bytes32 root, bytes32[] calldata proof) external {
        Committee storage k = committees[claim];
        if (k.auditEnds == 0 || k.ended || block.timestamp >= k.auditEnds) revert NotInAudit();
        uint8 d = duty[claim][msg.sender];
        if (d == 0) revert NotMember();
        if (d != ATTESTED) revert NothingToDisclose();
        bytes32 h = sha256(abi.encodePacked("refute attest v1\x00", claim, _key(msg.sender), salt, root));
        if (h != commitmentOf[claim][msg.sender]) revert BadDisclosure("the salt and root are not the attested ones");
        Referee.Claim memory c = referee.getClaim(claim);
        History.Layer memory l = History.Layer(0, c.maxSteps, History.strideAt(c.maxSteps, referee.maxLeaves(), 0));
        uint256[] memory idx = new uint256[](1);
        bytes32[] memory roots = new bytes32[](1);
        (idx[0], roots[0]) = (auditLeaf(claim, msg.sender, l.len()), root);
        uint64 leaf = uint64(idx[0]);
        if (!History.verify(c.historyRoot, l, idx, roots, proof)) {
            revert BadDisclosure("the opening of the audit leaf does not verify");
        }
        duty[claim][msg.sender] = DISCLOSED;
        emit Disclosed(claim, msg.sender, leaf);
    }

    /// The claim is final: members who did not attest miss their duty and
    /// are slashed (those who challenged it did theirs); the audit of those
    /// who attested starts, or the claim's committee ends at once.
    function _finalCommittee(bytes32 claim, uint256 fee) internal {
        Committee storage k = committees[claim];
        k.fee = fee;
        bool attested = false;
        for (uint256 i = 0; i < k.members.length; i++) {
            address m = k.members[i];
            uint8 d = duty[claim][m];
            if (d == PENDING && referee.gameOf(claim, m) != 0) {
                emit DutyDone(claim, m);
            } else if (d == PENDING) {
                emit DutyMissed(claim, m);
                _slash(m);
            } else {
                attested = true;
            }
        }
        if (attested) {
            k.auditEnds = uint64(block.timestamp) + auditWindow;
            emit AuditStarted(claim, k.auditEnds);
        } else {
            _endAudit(claim);
        }
    }

    /// The audit ends: members who disclosed share the fee (the rest goes
    /// back to the requester); those who attested and did not disclose are slashed.
    function _endAudit(bytes32 claim) internal {
        Committee storage k = committees[claim];
        k.ended = true;
        uint32 passed = 0;
        for (uint256 i = 0; i < k.members.length; i++) {
            uint8 d = duty[claim][k.members[i]];
            if (d == DISCLOSED) {
                passed++;
                emit DutyDone(claim, k.members[i]);
            } else if (d == ATTESTED) {
                emit DutyMissed(claim, k.members[i]);
                _slash(k.members[i]);
            }
        }
        uint256 each = passed == 0 ? 0 : k.fee / passed;
        uint256 refund = k.fee - each * passed;
        emit AuditEnded(claim, passed, each, refund);
        for (uint256 i = 0; i < k.members.length; i++) {
            if (each > 0 && duty[claim][k.members[i]] == DISCLOSED) _pay(k.members[i], each);
        }
        if (refund > 0) _pay(jobs[k.job].requester, refund);
        _releaseCommittee(claim);
    }

    /// The claim is rejected: those who challenged did their duty; an
    /// attestation is missed without a slash (a rejection can come from an
    /// honest solver's timeout); silence after the window is slashed.
    function _rejectedCommittee(bytes32 claim, uint64 windowEnds) internal {
        Committee storage k = committees[claim];
        k.ended = true;
        for (uint256 i = 0; i < k.members.length; i++) {
            address m = k.members[i];
            uint8 d = duty[claim][m];
            if (referee.gameOf(claim, m) != 0) {
                emit DutyDone(claim, m);
            } else if (d != PENDING) {
                emit DutyMissed(claim, m);
            } else if (block.timestamp >= windowEnds) {
                emit DutyMissed(claim, m);
                _slash(m);
            }
        }
        _releaseCommittee(claim);
    }

    function _releaseCommittee(bytes32 claim) internal {
        address[] storage m = committees[claim].members;
        for (uint256 i = 0; i < m.length; i++) {
            _release(m[i]);
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

    function getCommittee(bytes32 claim) external view returns (Committee memory) {
        return committees[claim];
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
