// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Spec} from "./generated/Spec.sol";
import {History} from "./History.sol";
import {Ledger} from "./Ledger.sol";

/// The one-step verifier the referee settles steps with (`StepVerifier.sol`).
interface IStepVerifier {
    function verifyStep(bytes32 pre, bytes calldata proof) external view returns (bytes32 post);
}

/// The game of `refute-protocol` on an EVM chain (specs/chain.md §7): claims
/// with bonds in ETH, challenges, symmetric k-ary dissection over layered
/// history commitments, one step proven by `StepVerifier`, chess clocks on
/// block timestamps, and settlement. Every rule is the Rust rule of
/// specs/protocol.md §5.2, §5.4-§5.7 unless §7 of specs/chain.md says
/// otherwise; the differential test (tests/chain_game.rs) replays games
/// through both.
contract Referee is Ledger {
    using History for History.Layer;

    // ---- parameters (fixed at deployment) ----
    IStepVerifier public immutable verifier;
    uint64 public immutable challengeWindow;
    uint64 public immutable clock;
    uint64 public immutable grace;
    uint64 public immutable k;
    uint64 public immutable maxLeaves;
    uint64 public immutable maxSteps;
    uint64 public immutable winnerSharePct;
    uint256 public immutable minClaimBond;
    uint256 public immutable minChallengeBond;
    uint256 public immutable bondPerGstep;

    /// The most bytes one `publish` takes (larger blobs: `publishChunked`).
    uint256 public constant MAX_CHUNK = 96 * 1024;
    /// The most other games a move may name (`MAX_ALSO`).
    uint256 public constant MAX_ALSO = 127;
    /// Bounds of a claim's entry (`max_entry_name`, `max_entry_args`).
    uint256 public constant MAX_ENTRY_NAME = 256;
    uint256 public constant MAX_ENTRY_ARGS = 64;

    uint8 internal constant OPEN = 1;
    uint8 internal constant FINAL = 2;
    uint8 internal constant REJECTED = 3;

    uint8 internal constant SOLVER = 0;
    uint8 internal constant CHALLENGER = 1;

    uint8 internal constant REVEAL = 0;
    uint8 internal constant STEP = 1;

    /// Game status: open, won by the solver, won by the challenger, lost by both.
    uint8 internal constant G_OPEN = 1;
    uint8 internal constant G_SOLVER = 2;
    uint8 internal constant G_CHALLENGER = 3;
    uint8 internal constant G_BOTH = 4;

    /// A claim (specs/protocol.md §5.2 as specs/chain.md §7.1 has it): the
    /// blobs by SHA-256, each published on this referee first (`publish`).
    struct ClaimBody {
        bytes32 module;
        bytes32 args;
        bytes32 env;
        bytes32 stdin;
        /// The preopened directories' blob, or 0 for none.
        bytes32 dirs;
        string entry;
        uint64[] entryArgs;
        bytes32 initialRoot;
        uint64 maxSteps;
        bytes32 historyRoot;
        /// The final state's header (`HEADER_BYTES`: hot part, cold part); the final root is the SHA-256 of its hot part.
        bytes finalHeader;
    }

    struct Claim {
        address solver;
        uint8 status;
        uint32 openGames;
        uint64 windowEnds;
        uint64 maxSteps;
        /// The earliest-posted game the solver lost to a challenger, plus one (0: none).
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
        /// This layer's root (0: not known yet).
        bytes32 layerRoot;
        bytes32 atB;
        /// keccak256 of the roots revealed this round (0: none), stored in `rootsOf`.
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

    mapping(address => uint64) public claimNonce;
    mapping(bytes32 => Claim) internal claims;
    mapping(uint64 => Game) internal games;
    /// `gameOf[claim][challenger]`: its game plus one.
    mapping(bytes32 => mapping(address => uint64)) public gameOf;
    /// Revealed roots by their keccak256 (a shared move stores its roots once).
    mapping(bytes32 => bytes32[]) internal rootsOf;
    /// Blobs published here, by SHA-256 (their bytes are in `publish` transactions' calldata).
    mapping(bytes32 => bool) public published;
    uint64 public nextGame;

    // ---- events: what the signed log records (specs/protocol.md §7) ----
    event BondLocked(address indexed who, uint256 amount);
    event BondReturned(address indexed who, uint256 amount);
    event BondForfeited(address indexed who, uint256 amount);
    event SharePaid(address indexed to, uint256 amount);
    event Published(bytes32 indexed hash, uint256 size);
    event PublishedChunked(bytes32 indexed hash, uint256 size, bytes32[] chunks);
    event ClaimPosted(bytes32 indexed claim, address indexed solver, uint256 bond, uint64 windowEnds, ClaimBody body);
    event GameStarted(
        uint64 indexed game, bytes32 indexed claim, address indexed challenger, bytes32 historyRoot, bytes32 finalRoot
    );
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
    /// `paid`: the game whose challenger got the share, plus one (0: none).
    event ClaimSettled(bytes32 indexed claim, uint64 paid);

    // ---- errors: the rules' (specs/protocol.md §6) ----
    error BondTooSmall(uint256 minimum);
    error BadClaim(string why);
    error Unpublished(bytes32 blob);
    /// A blob too large for `publish` (publish it in chunks), or a chunk list that does not fit its size.
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

    constructor(Params memory p) {
        require(p.k >= 2 && p.k <= 2047, "k out of range");
        require(p.maxLeaves >= 3 && p.maxLeaves <= 1 << 20, "maxLeaves out of range");
        require(p.winnerSharePct < 100, "winner share of 100% or more");
        require(p.clock > 0 && p.challengeWindow > 0 && p.maxSteps > 0, "zero clock, window or maxSteps");
        require(p.minClaimBond > 0 && p.minChallengeBond > 0, "zero minimum bond");
        verifier = IStepVerifier(p.verifier);
        challengeWindow = p.challengeWindow;
        clock = p.clock;
        grace = p.grace;
        k = p.k;
        maxLeaves = p.maxLeaves;
        maxSteps = p.maxSteps;
        winnerSharePct = p.winnerSharePct;
        minClaimBond = p.minClaimBond;
        minChallengeBond = p.minChallengeBond;
        bondPerGstep = p.bondPerGstep;
    }

    // ---- accounts (deposit, withdraw: `Ledger`) ----

    function _lock(address who, uint256 amount) internal {
        _hold(who, amount);
        emit BondLocked(who, amount);
    }

    function _release(address who, uint256 amount) internal {
        held -= amount;
        balanceOf[who] += amount;
        emit BondReturned(who, amount);
    }

    /// Forfeits a held bond: the winner's share to `winner` (if not 0), the rest burned.
    function _forfeit(address loser, uint256 amount, address winner) internal {
        emit BondForfeited(loser, amount);
        uint256 share = winner == address(0) ? 0 : amount * winnerSharePct / 100;
        if (winner != address(0)) {
            held -= share;
            balanceOf[winner] += share;
            emit SharePaid(winner, share);
        }
        _burn(amount - share);
    }

    /// `min_claim_bond + bond_per_gstep · ⌊T / 2^30⌋`.
    function claimBondMin(uint64 t) public view returns (uint256) {
        return minClaimBond + bondPerGstep * (t >> 30);
    }

    function challengeBondMin(uint64 t) public view returns (uint256) {
        return minChallengeBond + bondPerGstep * (t >> 30);
    }

    // ---- blobs ----

    /// Publishes a blob of at most `MAX_CHUNK` bytes: its bytes stay in this
    /// transaction's calldata, for every checker to read; a claim may then
    /// name it. Returns its id, its SHA-256.
    function publish(bytes calldata data) external returns (bytes32 h) {
        if (data.length > MAX_CHUNK) revert TooLarge(data.length, MAX_CHUNK);
        h = sha256(data);
        if (!published[h]) {
            published[h] = true;
            emit Published(h, data.length);
        }
    }

    /// Publishes a larger blob of `size` bytes as the list of its chunks of
    /// `MAX_CHUNK` bytes (the last shorter), each published first. Its id is
    /// `SHA256("refute chunked blob v1\0" ‖ u256be(size) ‖ chunks)`, so a blob has
    /// one id, and a checker reads its chunks back and checks each.
    function publishChunked(uint256 size, bytes32[] calldata chunks) external returns (bytes32 h) {
        if (size <= MAX_CHUNK || chunks.length != (size + MAX_CHUNK - 1) / MAX_CHUNK) {
            revert TooLarge(size, MAX_CHUNK);
        }
        for (uint256 i = 0; i < chunks.length; i++) {
            _needPublished(chunks[i]);
        }
        h = sha256(abi.encodePacked("refute chunked blob v1\x00", size, chunks));
        if (!published[h]) {
            published[h] = true;
            emit PublishedChunked(h, size, chunks);
        }
    }

    function _needPublished(bytes32 h) internal view {
        if (!published[h]) revert Unpublished(h);
    }

    // ---- claims ----

    /// The id of the claim `solver` posts with its `nonce`-th claim.
    function claimId(address solver, uint64 nonce) public view returns (bytes32) {
        return keccak256(abi.encode("refute chain claim v1", block.chainid, address(this), solver, nonce));
    }

    /// Posts a claim with `bond` (the value sent is deposited first).
    function postClaim(ClaimBody calldata c, uint256 bond) external payable returns (bytes32 id) {
        _credit();
        uint64 t = c.maxSteps;
        if (t == 0 || t > maxSteps) revert BadClaim("max_steps must be from 1 to the referee's maxSteps");
        if (bytes(c.entry).length > MAX_ENTRY_NAME) revert BadClaim("entry name too long");
        if (c.entryArgs.length > MAX_ENTRY_ARGS) revert BadClaim("too many entry arguments");
        bytes32 finalRoot = _checkHeader(c.finalHeader, t);
        uint256 min = claimBondMin(t);
        if (bond < min) revert BondTooSmall(min);
        _needPublished(c.module);
        _needPublished(c.args);
        _needPublished(c.env);
        _needPublished(c.stdin);
        if (c.dirs != 0) _needPublished(c.dirs);
        _lock(msg.sender, bond);
        uint64 nonce = claimNonce[msg.sender]++;
        id = claimId(msg.sender, nonce);
        uint64 ends = uint64(block.timestamp) + challengeWindow;
        claims[id] = Claim({
            solver: msg.sender,
            status: OPEN,
            openGames: 0,
            windowEnds: ends,
            maxSteps: t,
            firstLoss: 0,
            bond: bond,
            initialRoot: c.initialRoot,
            finalRoot: finalRoot,
            historyRoot: c.historyRoot
        });
        emit ClaimPosted(id, msg.sender, bond, ends, c);
    }

    /// specs/protocol.md §5.2 check 4: the final header decodes, its status
    /// is valid, `steps ≤ T`, and running only when cut at `T`. Returns its root.
    function _checkHeader(bytes calldata h, uint64 t) internal pure returns (bytes32) {
        if (h.length != Spec.HEADER_BYTES) revert BadFinalHeader("not HEADER_BYTES long");
        if (bytes16(h[0:16]) != Spec.STATE_TAG) revert BadFinalHeader("wrong state tag");
        // The hot part, then the cold part it names by hash (specs/state.md §3).
        bytes calldata cold = h[Spec.HOT_BYTES:];
        if (bytes16(cold[0:16]) != Spec.COLD_TAG) revert BadFinalHeader("wrong cold tag");
        if (sha256(cold) != bytes32(h[Spec.HOT_BYTES - 32:Spec.HOT_BYTES])) {
            revert BadFinalHeader("the cold part does not hash to the hot part's cold hash");
        }
        uint256 status = _le(h, 16);
        uint256 steps = _le(h, 24);
        uint256 arg = status >> 8;
        uint256 low = status & 0xff;
        bool valid = (low == Spec.STATUS_RUNNING || low == Spec.STATUS_FINISHED)
            ? arg == 0
            : low == Spec.STATUS_TRAPPED
                ? arg >= 1 && arg <= Spec.TRAP_LAST
                : low == Spec.STATUS_EXITED && arg <= 0xffffffff;
        if (!valid) revert BadFinalHeader("unknown status");
        if (steps > t) revert BadFinalHeader("more steps than max_steps");
        if (low == Spec.STATUS_RUNNING && steps != t) revert BadFinalHeader("running before max_steps");
        return sha256(h[0:Spec.HOT_BYTES]);
    }

    /// The u64le at `off` of `h`.
    function _le(bytes calldata h, uint256 off) internal pure returns (uint256 v) {
        for (uint256 i = 0; i < 8; i++) {
            v |= uint256(uint8(h[off + i])) << (8 * i);
        }
    }

    // ---- challenges ----

    /// Challenges `claim` with the sender's own history and final root,
    /// locking `bond` (the value sent is deposited first). Starts a game.
    function challenge(bytes32 claim, bytes32 historyRoot, bytes32 finalRoot, uint256 bond)
        external
        payable
        returns (uint64 id)
    {
        _credit();
        Claim storage c = claims[claim];
        if (c.status == 0) revert UnknownClaim();
        if (c.status != OPEN) revert ClaimClosed();
        if (block.timestamp >= c.windowEnds) revert TooLate(c.windowEnds, uint64(block.timestamp));
        if (msg.sender == c.solver) revert OwnClaim();
        if (gameOf[claim][msg.sender] != 0) revert AlreadyChallenged();
        if (finalRoot == c.finalRoot) revert SameFinalRoot();
        uint256 min = challengeBondMin(c.maxSteps);
        if (bond < min) revert BondTooSmall(min);
        _lock(msg.sender, bond);
        id = nextGame++;
        gameOf[claim][msg.sender] = id + 1;
        c.openGames++;
        Game storage g = games[id];
        uint64 t = c.maxSteps;
        g.claim = claim;
        g.bond = bond;
        g.total = t;
        g.stride = History.strideAt(t, maxLeaves, 0);
        g.end = t;
        g.b = uint64(History.Layer(0, t, g.stride).len() - 1);
        g.agreed = c.initialRoot;
        g.status = G_OPEN;
        _side(g.sides[SOLVER], c.solver, c.historyRoot, c.finalRoot);
        _side(g.sides[CHALLENGER], msg.sender, historyRoot, finalRoot);
        emit GameStarted(id, claim, msg.sender, historyRoot, finalRoot);
        _descend(g, id);
    }

    function _side(Side storage s, address key, bytes32 root, bytes32 atB) internal {
        s.key = key;
        s.layerRoot = root;
        s.atB = atB;
        s.clockLeft = clock;
    }

    /// Moves to finer layers while the disputed interval is one interval of a
    /// layer of stride above 1; then both sides owe a move.
    function _descend(Game storage g, uint64 id) internal {
        while (g.b == g.a + 1 && g.stride > 1) {
            History.Layer memory l = History.Layer(g.start, g.end, g.stride);
            (uint64 lo, uint64 hi) = (l.stepAt(g.a), l.stepAt(g.b));
            g.depth++;
            g.stride = History.strideAt(g.total, maxLeaves, g.depth);
            g.start = lo;
            g.end = hi;
            g.a = 0;
            g.b = uint64(History.Layer(lo, hi, g.stride).len() - 1);
            g.sides[0].layerRoot = 0;
            g.sides[1].layerRoot = 0;
            emit LayerStarted(id, g.depth, lo, hi, g.stride);
        }
        if (g.b == g.a + 1) {
            g.phase = STEP;
            emit StepDisputed(id, History.Layer(g.start, g.end, g.stride).stepAt(g.a));
        } else {
            g.phase = REVEAL;
        }
        for (uint256 r = 0; r < 2; r++) {
            Side storage s = g.sides[r];
            s.owes = true;
            s.owesSince = uint64(block.timestamp);
            // The inclusion extension (specs/chain.md §7.3).
            if (s.clockLeft < grace) s.clockLeft = grace;
        }
    }

    // ---- moves ----

    /// The error of a move by the sender in game `id` now, or empty if it may move there.
    function _player(uint64 id) internal view returns (bytes memory err, uint8 role) {
        Game storage g = games[id];
        if (g.status == 0) return (abi.encodeWithSelector(UnknownGame.selector, id), 0);
        if (g.sides[SOLVER].key == msg.sender) role = SOLVER;
        else if (g.sides[CHALLENGER].key == msg.sender) role = CHALLENGER;
        else return (abi.encodeWithSelector(NotAPlayer.selector, id), 0);
        if (g.status != G_OPEN) return (abi.encodeWithSelector(GameOver.selector, id), role);
        Side storage s = g.sides[role];
        if (!s.owes) return (abi.encodeWithSelector(NotYourTurn.selector, id), role);
        uint64 deadline = s.owesSince + s.clockLeft;
        if (block.timestamp >= deadline) {
            return (abi.encodeWithSelector(TooLate.selector, deadline, uint64(block.timestamp)), role);
        }
    }

    /// The games a move names: `game`, then `also` (at most MAX_ALSO, none twice).
    function _listed(uint64 game, uint64[] calldata also) internal pure returns (uint64[] memory all) {
        if (also.length > MAX_ALSO) revert WrongMove(game, "more than MAX_ALSO other games named");
        all = new uint64[](also.length + 1);
        all[0] = game;
        for (uint256 i = 0; i < also.length; i++) {
            all[i + 1] = also[i];
            for (uint256 j = 0; j <= i; j++) {
                if (all[j] == also[i]) revert WrongMove(game, "a game named twice");
            }
        }
    }

    /// Reverts with the encoded error `err`.
    function _raise(bytes memory err) internal pure {
        assembly ("memory-safe") {
            revert(add(err, 32), mload(err))
        }
    }

    /// The point of game `id` at which the sender's reveal would be made
    /// (everything its validity depends on: §5.5), or an error.
    function _revealPoint(uint64 id, bytes32 layerRoot, uint256 nroots)
        internal
        view
        returns (bytes memory err, bytes32 point, uint8 role, bytes32 root)
    {
        (err, role) = _player(id);
        if (err.length != 0) return (err, 0, 0, 0);
        Game storage g = games[id];
        if (g.phase != REVEAL) {
            return (abi.encodeWithSelector(WrongMove.selector, id, "the game awaits the one-step proof"), 0, 0, 0);
        }
        Side storage s = g.sides[role];
        root = s.layerRoot;
        if (root != 0 && layerRoot != 0) {
            return (abi.encodeWithSelector(WrongMove.selector, id, "this layer's root is already known"), 0, 0, 0);
        }
        if (root == 0 && layerRoot == 0) {
            err = abi.encodeWithSelector(WrongMove.selector, id, "the first reveal of a layer must carry the layer's root");
            return (err, 0, 0, 0);
        }
        if (root == 0) root = layerRoot;
        uint256 pts = History.points(g.a, g.b, k);
        if (nroots != pts) {
            return (abi.encodeWithSelector(BadReveal.selector, "as many roots as split(a, b, k) has points"), 0, 0, 0);
        }
        point = keccak256(abi.encode(role, root, g.start, g.end, g.stride, g.a, g.b, g.agreed, s.atB));
    }

    /// The multiproof of a reveal of `roots` in game `id` by `role` under `root`.
    function _verifyReveal(uint64 id, uint8 role, bytes32 root, bytes32[] calldata roots, bytes32[] calldata proof)
        internal
        view
        returns (bool)
    {
        Game storage g = games[id];
        uint64[] memory pts = History.split(g.a, g.b, k);
        uint256 n = pts.length + 2;
        uint256[] memory idx = new uint256[](n);
        bytes32[] memory rs = new bytes32[](n);
        idx[0] = g.a;
        rs[0] = g.agreed;
        for (uint256 i = 0; i < pts.length; i++) {
            idx[i + 1] = pts[i];
            rs[i + 1] = roots[i];
        }
        idx[n - 1] = g.b;
        rs[n - 1] = g.sides[role].atB;
        return History.verify(root, History.Layer(g.start, g.end, g.stride), idx, rs, proof);
    }

    /// A reveal (§5.5): the sender's state roots at `split(a, b, k)` of its
    /// layer, opened by `proof` against its layer root (`layerRoot`: given
    /// exactly on its first reveal of a layer below layer 0, else 0). Made in
    /// every listed game at the point of the first one where it is valid.
    function reveal(uint64 game, uint64[] calldata also, bytes32 layerRoot, bytes32[] calldata roots, bytes32[] calldata proof)
        external
    {
        uint64[] memory all = _listed(game, also);
        bytes memory firstErr;
        bytes32 at;
        bytes32 key = keccak256(abi.encodePacked(roots));
        for (uint256 i = 0; i < all.length; i++) {
            (bytes memory err, bytes32 point, uint8 role, bytes32 root) = _revealPoint(all[i], layerRoot, roots.length);
            if (err.length == 0) {
                if (at == 0) {
                    if (!_verifyReveal(all[i], role, root, roots, proof)) {
                        err = abi.encodeWithSelector(BadMultiproof.selector);
                    }
                } else if (at != point) {
                    err = abi.encodeWithSelector(
                        WrongMove.selector, all[i], "not at the point of the first game this reveal was made in"
                    );
                }
            }
            if (err.length != 0) {
                if (firstErr.length == 0) firstErr = err;
                continue;
            }
            at = point;
            _madeReveal(all[i], role, root, roots, key);
        }
        if (at == 0) _raise(firstErr);
    }

    function _madeReveal(uint64 id, uint8 role, bytes32 root, bytes32[] calldata roots, bytes32 key) internal {
        Game storage g = games[id];
        emit Revealed(id, role, root, roots);
        g.moves++;
        Side storage me = g.sides[role];
        Side storage other = g.sides[1 - role];
        me.layerRoot = root;
        _stop(me);
        if (other.revealed == 0) {
            if (rootsOf[key].length == 0) rootsOf[key] = roots;
            me.revealed = key;
            return;
        }
        // Both have revealed: narrow to the first point where they differ.
        bytes32[] storage theirs = rootsOf[other.revealed];
        uint256 pts = roots.length;
        uint256 d = 0;
        while (d < pts && theirs[d] == roots[d]) d++;
        uint64[] memory p = History.split(g.a, g.b, k);
        uint64 a = d == 0 ? g.a : p[d - 1];
        uint64 b = d == pts ? g.b : p[d];
        if (d > 0) g.agreed = roots[d - 1];
        if (d < pts) {
            me.atB = roots[d];
            other.atB = theirs[d];
        }
        (g.a, g.b) = (a, b);
        me.revealed = 0;
        other.revealed = 0;
        emit Narrowed(id, g.depth, a, b);
        _descend(g, id);
    }

    function _stop(Side storage s) internal {
        if (s.owes) {
            s.clockLeft -= uint64(block.timestamp) - s.owesSince;
            s.owes = false;
        }
    }

    /// A one-step proof of the disputed step (§5.5), made in every listed game
    /// whose agreed root is that of the first listed game where it is valid.
    function step(uint64 game, uint64[] calldata also, bytes calldata proof) external {
        uint64[] memory all = _listed(game, also);
        bytes memory firstErr;
        bytes32 at;
        bytes32 post;
        for (uint256 i = 0; i < all.length; i++) {
            (bytes memory err,) = _player(all[i]);
            Game storage g = games[all[i]];
            if (err.length == 0 && g.phase != STEP) {
                err = abi.encodeWithSelector(WrongMove.selector, all[i], "the game is still in dissection");
            }
            if (err.length == 0) {
                if (at == 0) {
                    (err, post) = _verifyStep(g.agreed, proof);
                } else if (g.agreed != at) {
                    err = abi.encodeWithSelector(
                        WrongMove.selector, all[i], "not at the step of the first game this proof was made in"
                    );
                }
            }
            if (err.length != 0) {
                if (firstErr.length == 0) firstErr = err;
                continue;
            }
            at = g.agreed;
            _proven(all[i], post);
        }
        if (at == 0) _raise(firstErr);
    }

    /// `verify_step` from `agreed`: the post-state root, or the error.
    function _verifyStep(bytes32 agreed, bytes calldata proof) internal view returns (bytes memory, bytes32) {
        try verifier.verifyStep(agreed, proof) returns (bytes32 post) {
            return ("", post);
        } catch (bytes memory reason) {
            // StepVerifier's WrongPreState(expected, got) is the rules' WrongStep.
            if (reason.length == 68 && bytes4(reason) == bytes4(keccak256("WrongPreState(bytes32,bytes32)"))) {
                bytes32 got;
                assembly ("memory-safe") {
                    got := mload(add(reason, 68))
                }
                return (abi.encodeWithSelector(WrongStep.selector, agreed, got), 0);
            }
            return (abi.encodeWithSelector(BadProof.selector, reason), 0);
        }
    }

    /// Ends game `id`, whose disputed step's true post-state root is `post`.
    function _proven(uint64 id, bytes32 post) internal {
        Game storage g = games[id];
        bool solverRight = g.sides[SOLVER].atB == post;
        bool challengerRight = g.sides[CHALLENGER].atB == post;
        emit StepProven(id, History.Layer(g.start, g.end, g.stride).stepAt(g.a), post);
        g.moves++;
        _stop(g.sides[0]);
        _stop(g.sides[1]);
        _settle(id, solverRight ? G_SOLVER : challengerRight ? G_CHALLENGER : G_BOTH);
    }

    // ---- time ----

    /// The time by which `role` must move in game `id` (0: it owes nothing).
    function deadline(uint64 id, uint8 role) public view returns (uint64) {
        Side storage s = games[id].sides[role];
        return s.owes ? s.owesSince + s.clockLeft : 0;
    }

    /// Ends open game `id` in which a running clock has run out (anyone may
    /// call it): a side whose clock ran out loses; if both did, both lose.
    function timeout(uint64 id) external {
        Game storage g = games[id];
        if (g.status != G_OPEN) revert GameOver(id);
        bool[2] memory out;
        for (uint256 r = 0; r < 2; r++) {
            uint64 d = deadline(id, uint8(r));
            out[r] = d != 0 && block.timestamp >= d;
        }
        if (!out[0] && !out[1]) revert NothingDue();
        for (uint256 r = 0; r < 2; r++) {
            if (out[r]) {
                g.sides[r].clockLeft = 0;
                g.sides[r].owes = false;
                emit TimedOut(id, uint8(r));
            }
        }
        _settle(id, out[0] && out[1] ? G_BOTH : out[0] ? G_CHALLENGER : G_SOLVER);
    }

    /// Makes open claim `id` final once its window has passed with no open
    /// game (anyone may call it): the solver's bond is returned.
    function finalize(bytes32 id) external {
        Claim storage c = claims[id];
        if (c.status == 0) revert UnknownClaim();
        if (c.status != OPEN) revert ClaimClosed();
        if (block.timestamp < c.windowEnds || c.openGames != 0) revert NothingDue();
        c.status = FINAL;
        emit ClaimFinal(id);
        _release(c.solver, c.bond);
    }

    // ---- settlement (§5.7) ----

    function _settle(uint64 id, uint8 status) internal {
        Game storage g = games[id];
        Claim storage c = claims[g.claim];
        address solver = g.sides[SOLVER].key;
        address challenger = g.sides[CHALLENGER].key;
        if (status == G_SOLVER) {
            emit GameWon(id, SOLVER);
            _forfeit(challenger, g.bond, solver);
        } else if (status == G_CHALLENGER) {
            emit GameWon(id, CHALLENGER);
            _release(challenger, g.bond);
            if (c.firstLoss == 0 || id + 1 < c.firstLoss) c.firstLoss = id + 1;
        } else {
            emit GameLostByBoth(id);
            _forfeit(challenger, g.bond, address(0));
        }
        g.status = status;
        c.openGames--;
        if (status != G_SOLVER && c.status == OPEN) {
            c.status = REJECTED;
            emit ClaimRejected(g.claim, id);
        }
        if (c.status == REJECTED && c.openGames == 0) {
            uint64 first = c.firstLoss;
            emit ClaimSettled(g.claim, first);
            address winner = first == 0 ? address(0) : games[first - 1].sides[CHALLENGER].key;
            _forfeit(solver, c.bond, winner);
        }
    }

    // ---- views ----

    function getClaim(bytes32 id) external view returns (Claim memory) {
        return claims[id];
    }

    function getGame(uint64 id) external view returns (Game memory) {
        return games[id];
    }

    /// The roots a side revealed this round (`Side.revealed`).
    function revealedRoots(bytes32 key) external view returns (bytes32[] memory) {
        return rootsOf[key];
    }
}
