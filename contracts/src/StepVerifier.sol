// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Spec} from "./generated/Spec.sol";
import {Multi, Openings} from "./Openings.sol";
import {Entry, World, Worlds} from "./World.sol";
import {Machine} from "./Machine.sol";

/// The one-step verifier on chain: `verifyStep(pre, proof)` is
/// `refute_engine::proof::verify_step` (specs/proof.md §4) for the steps it
/// implements, and refuses the others with `Unsupported(opcode)` (a call of
/// host function `id`: `Unsupported(0x10000 + id)`). The errors of the
/// libraries it runs (`Worlds.Missing`, `Exec.Unsupported`) are its errors.
/// `chain/tests/verifier.rs` holds it to the engine.
contract StepVerifier {
    error Malformed(string why);
    error WrongPreState(bytes32 expected, bytes32 got);
    error BadOpening(uint256 tree, string why);
    error Missing(string what);
    error BadState(string why);

    uint256 private constant MASK64 = 0xffffffffffffffff;

    /// Where the float instructions run.
    address public immutable floats;
    /// Where the instructions run.
    Machine public immutable machine;

    /// Deployed after its parts (EIP-3860 caps creation code at 49,152
    /// bytes, so no contract can carry the others): `Floats`,
    /// `SimdMachine`, `Machine(floats, simd)`, then this.
    constructor(Machine machine_) {
        machine = machine_;
        floats = machine_.floats();
    }
    uint256 private constant NONE = type(uint256).max;

    /// The post-state root of the step from `pre` that `proof` (the wire
    /// format of specs/proof.md §6) proves; reverts if it proves none.
    function verifyStep(bytes32 pre, bytes calldata proof) external view returns (bytes32 post) {
        bytes32[28] memory z = Openings.zeros();
        if (proof.length > Spec.MAX_PROOF_BYTES) revert Malformed("too long");
        uint256 p;
        assembly {
            p := proof.offset
        }
        uint256 end = p + proof.length;
        Openings.need(p, 16 + Spec.HOT_BYTES + 1, end);
        if (bytes16(Openings.c32(p)) != Spec.PROOF_TAG) revert Malformed("wrong proof tag");
        p += 16;
        // The header: its hot part, a flag, and its cold part if the flag is 1.
        bytes memory hdr = proof[16:16 + Spec.HOT_BYTES];
        if (bytes16(mword(hdr, 0)) != Spec.STATE_TAG) revert Malformed("wrong header tag");
        p += Spec.HOT_BYTES;
        uint256 flag = Openings.cu(p, 1);
        p += 1;
        bytes memory cold;
        if (flag == 1) {
            Openings.need(p, Spec.COLD_BYTES, end);
            cold = proof[17 + Spec.HOT_BYTES:17 + Spec.HOT_BYTES + Spec.COLD_BYTES];
            if (bytes16(mword(cold, 0)) != Spec.COLD_TAG) revert Malformed("wrong header tag");
            if (sha256(cold) != mword(hdr, Spec.HOT_BYTES - 32)) revert Malformed("the cold part's hash");
            p += Spec.COLD_BYTES;
        } else if (flag == 0) {
            cold = new bytes(Spec.COLD_BYTES);
        } else {
            revert Malformed("cold-part flag");
        }

        // Trees, then entries (the decoder: shapes, counts, canonical bitmaps).
        Openings.need(p, 1, end);
        uint256 ntrees = Openings.cu(p, 1);
        p += 1;
        // Each tree takes at least 5 bytes and each entry 49: refuse a count
        // the bytes cannot hold before allocating for it.
        Openings.need(p, 5 * ntrees, end);
        uint256[] memory treeIds = new uint256[](ntrees);
        Multi[] memory trees = new Multi[](ntrees);
        for (uint256 t = 0; t < ntrees; t++) {
            Openings.need(p, 1, end);
            uint256 id = Openings.cu(p, 1);
            if (id >= Spec.TREES) revert Malformed("unknown tree id");
            treeIds[t] = id;
            (trees[t], p) = Openings.read(p + 1, end, depthOf(id), z);
        }
        Openings.need(p, 2, end);
        uint256 nentries = Openings.cu(p, 2);
        p += 2;
        Openings.need(p, 49 * nentries, end);
        Entry[] memory entries = new Entry[](nentries);
        for (uint256 e = 0; e < nentries; e++) {
            Openings.need(p, 45, end);
            Entry memory en = entries[e];
            en.kind = Openings.cu(p, 1);
            if (en.kind >= Spec.ENTRY_KINDS) revert Malformed("unknown entry kind");
            en.index = Openings.cu(p + 1, 4);
            en.len = Openings.cu(p + 5, 4);
            en.limit = Openings.cu(p + 9, 4);
            en.root = Openings.c32(p + 13);
            (en.content, p) = Openings.read(p + 45, end, uint8(Spec.KIND_DEPTHS[en.kind]), z);
        }
        if (p != end) revert Malformed("trailing bytes");

        // 1. The pre-state.
        bytes32 got = sha256(hdr);
        if (got != pre) revert WrongPreState(pre, got);
        // 2. The status: a final state steps to itself.
        uint256 status = hu(hdr, 16, 8);
        if (!statusValid(status)) revert BadState("unknown status");
        if (status != Spec.STATUS_RUNNING) return pre;
        // 3. Registers.
        World memory w;
        w.pc = hu(hdr, 32, 4);
        w.sp = hu(hdr, 36, 4);
        w.fp = hu(hdr, 40, 4);
        w.depth = hu(hdr, 44, 4);
        if (w.fp > w.sp || w.sp > Spec.MAX_STACK_SLOTS || w.depth > Spec.MAX_CALL_DEPTH) {
            revert BadState("registers");
        }
        // 4. Order.
        for (uint256 t = 1; t < ntrees; t++) {
            if (treeIds[t - 1] >= treeIds[t]) revert Malformed("unsorted trees");
        }
        for (uint256 e = 1; e < nentries; e++) {
            Entry memory a = entries[e - 1];
            Entry memory b = entries[e];
            if (a.kind > b.kind || (a.kind == b.kind && a.index >= b.index)) revert Malformed("unsorted entries");
        }
        // 5. Tree openings against the header's roots (a cold one only with the cold part).
        for (uint256 t = 0; t < ntrees; t++) {
            uint256 id = treeIds[t];
            if (flag == 0 && uint8(Spec.TREE_ROOTS[id]) >= 128) revert Malformed("a cold tree without the cold part");
        }
        for (uint256 t = 0; t < ntrees; t++) {
            uint256 id = treeIds[t];
            if (!Openings.sorted(trees[t], depthOf(id))) revert BadOpening(id, "indices");
            if (trees[t].n > 0 && trees[t].root != rootOf(hdr, cold, id)) revert BadOpening(id, "wrong root");
        }
        // 6. Entries: in their directory, and their content under their root.
        for (uint256 e = 0; e < nentries; e++) {
            Entry memory en = entries[e];
            uint256 dir = uint8(Spec.KIND_DIRECTORIES[en.kind]);
            uint256 dirAt = treeAt(treeIds, dir);
            uint256 i = dirAt == NONE ? NONE : Openings.find(trees[dirAt], en.index);
            if (i == NONE || trees[dirAt].leaf[i] != Openings.entryLeaf(en.kind, en.len, en.limit, en.root, z)) {
                revert BadOpening(100 + en.kind, "the entry is not the directory's leaf");
            }
            uint256 kd = uint8(Spec.KIND_DEPTHS[en.kind]);
            if (!Openings.sorted(en.content, kd)) revert BadOpening(100 + en.kind, "indices");
            if (en.content.n > 0 && en.content.root != en.root) revert BadOpening(100 + en.kind, "wrong root");
        }
        // 7. Run the step.
        uint256 steps = hu(hdr, 24, 8);
        if (steps == MASK64) revert BadState("step counter at its maximum");
        w.code = opening(trees, treeIds, Spec.TREE_CODE);
        w.funcs = opening(trees, treeIds, Spec.TREE_FUNCS);
        w.globals = opening(trees, treeIds, Spec.TREE_GLOBALS);
        w.stack = opening(trees, treeIds, Spec.TREE_STACK);
        w.frames = opening(trees, treeIds, Spec.TREE_FRAMES);
        w.codeRoot = rootOf(hdr, cold, Spec.TREE_CODE);
        w.entries = entries;
        w.host.cold = flag == 1;
        readHost(w, cold, trees, treeIds, steps);
        w = machine.run(w);
        entries = w.entries;

        // 9. The post-state.
        hput(hdr, 16, 8, w.status);
        hput(hdr, 24, 8, steps + 1);
        hput(hdr, 32, 4, w.pc & 0xffffffff);
        hput(hdr, 36, 4, w.sp & 0xffffffff);
        hput(hdr, 40, 4, w.fp & 0xffffffff);
        hput(hdr, 44, 4, w.depth & 0xffffffff);
        mput(hdr, rootAt(Spec.TREE_CODE), w.codeRoot);
        if (w.stackDirty) refold(hdr, cold, w.stack, Spec.TREE_STACK, z);
        if (w.globalsDirty) refold(hdr, cold, w.globals, Spec.TREE_GLOBALS, z);
        if (w.framesDirty) refold(hdr, cold, w.frames, Spec.TREE_FRAMES, z);
        // A changed entry: its content root, then its directory leaf and root.
        for (uint256 e = 0; e < nentries; e++) {
            Entry memory en = entries[e];
            if (!en.dirty) continue;
            if (en.content.n > 0) (, en.root) = Openings.fold(en.content, uint8(Spec.KIND_DEPTHS[en.kind]), z, false);
            uint256 dir = uint8(Spec.KIND_DIRECTORIES[en.kind]);
            Multi memory d = trees[treeAt(treeIds, dir)];
            d.leaf[Openings.find(d, en.index)] = Openings.entryLeaf(en.kind, en.len, en.limit, en.root, z);
            refold(hdr, cold, d, dir, z);
        }
        if (flag == 1) {
            // The host registers a call moves (specs/state.md §3) and the output it appends.
            hput(cold, 40, 8, w.host.stdinPos);
            hput(cold, 56, 8, w.host.randomPos);
            hput(cold, 64, 8, w.host.stdoutLen);
            hput(cold, 72, 8, w.host.stderrLen);
            if (w.host.stdoutDirty) refold(hdr, cold, w.host.stdout, Spec.TREE_STDOUT, z);
            if (w.host.stderrDirty) refold(hdr, cold, w.host.stderr, Spec.TREE_STDERR, z);
            // The file system's registers and tables (specs/state.md §4.6).
            hput(cold, 80, 4, w.host.fsNodes);
            hput(cold, 84, 4, w.host.fsNodeFree);
            hput(cold, 88, 4, w.host.fsFds);
            hput(cold, 92, 4, w.host.fsFdFree);
            hput(cold, 96, 8, w.host.fsBytes);
            if (w.host.nodesDirty) refold(hdr, cold, w.host.nodes, Spec.TREE_NODES, z);
            if (w.host.fdsDirty) refold(hdr, cold, w.host.fds, Spec.TREE_FDS, z);
            mput(hdr, Spec.HOT_BYTES - 32, sha256(cold));
        }
        return sha256(hdr);
    }

    // ---- encodings ---------------------------------------------------------

    /// The host's registers and trees, from the header's cold part and the openings.
    function readHost(World memory w, bytes memory cold, Multi[] memory trees, uint256[] memory ids, uint256 steps)
        internal
        pure
    {
        w.host.steps = steps;
        w.host.argsCount = hu(cold, 16, 4);
        w.host.argsSize = hu(cold, 20, 4);
        w.host.envCount = hu(cold, 24, 4);
        w.host.envSize = hu(cold, 28, 4);
        w.host.stdinLen = hu(cold, 32, 8);
        w.host.stdinPos = hu(cold, 40, 8);
        w.host.randomSeed = hu(cold, 48, 8);
        w.host.randomPos = hu(cold, 56, 8);
        w.host.stdoutLen = hu(cold, 64, 8);
        w.host.stderrLen = hu(cold, 72, 8);
        w.host.fsNodes = hu(cold, 80, 4);
        w.host.fsNodeFree = hu(cold, 84, 4);
        w.host.fsFds = hu(cold, 88, 4);
        w.host.fsFdFree = hu(cold, 92, 4);
        w.host.fsBytes = hu(cold, 96, 8);
        w.host.nodes = opening(trees, ids, Spec.TREE_NODES);
        w.host.fds = opening(trees, ids, Spec.TREE_FDS);
        w.host.input = opening(trees, ids, Spec.TREE_INPUT);
        w.host.stdout = opening(trees, ids, Spec.TREE_STDOUT);
        w.host.stderr = opening(trees, ids, Spec.TREE_STDERR);
        Multi memory mems = opening(trees, ids, Spec.TREE_MEMORIES);
        uint256 i = Openings.find(mems, 0);
        w.host.noMemory = i != NONE && mems.leaf[i] == bytes32(0);
    }

    /// The opening of tree `id`, or an opening of nothing.
    function opening(Multi[] memory trees, uint256[] memory ids, uint256 id) internal pure returns (Multi memory m) {
        uint256 t = treeAt(ids, id);
        if (t != NONE) return trees[t];
        m.idx = new uint256[](0);
        m.leaf = new bytes32[](0);
    }

    /// Writes the root of tree `id`, refolded over its changed leaves, into the header.
    function refold(bytes memory hdr, bytes memory cold, Multi memory m, uint256 id, bytes32[28] memory z)
        internal
        view
    {
        if (m.n == 0) return;
        (, bytes32 root) = Openings.fold(m, depthOf(id), z, false);
        uint256 k = uint8(Spec.TREE_ROOTS[id]);
        if (k < 128) mput(hdr, Spec.HOT_ROOTS_AT + 32 * k, root);
        else mput(cold, Spec.COLD_ROOTS_AT + 32 * (k - 128), root);
    }

    /// The root of tree `id`: in the hot part or the cold part (specs/state.md §3).
    function rootOf(bytes memory hdr, bytes memory cold, uint256 id) internal pure returns (bytes32) {
        uint256 k = uint8(Spec.TREE_ROOTS[id]);
        if (k < 128) return mword(hdr, Spec.HOT_ROOTS_AT + 32 * k);
        return mword(cold, Spec.COLD_ROOTS_AT + 32 * (k - 128));
    }

    /// Where a hot tree's root is in the hot part.
    function rootAt(uint256 id) internal pure returns (uint256) {
        return Spec.HOT_ROOTS_AT + 32 * uint8(Spec.TREE_ROOTS[id]);
    }

    function statusValid(uint256 v) internal pure returns (bool) {
        uint256 arg = v >> 8;
        uint256 low = v & 0xff;
        if (low == Spec.STATUS_RUNNING || low == Spec.STATUS_FINISHED) return arg == 0;
        if (low == Spec.STATUS_TRAPPED) return arg >= 1 && arg <= Spec.TRAP_LAST;
        if (low == Spec.STATUS_EXITED) return arg <= 0xffffffff;
        return false;
    }

    function depthOf(uint256 tree) internal pure returns (uint256) {
        return uint8(Spec.TREE_DEPTHS[tree]);
    }

    function treeAt(uint256[] memory ids, uint256 id) internal pure returns (uint256) {
        for (uint256 t = 0; t < ids.length; t++) {
            if (ids[t] == id) return t;
        }
        return NONE;
    }

    /// The `n`-byte little-endian field at `off` of the header.
    function hu(bytes memory hdr, uint256 off, uint256 n) internal pure returns (uint256) {
        return Openings.rev(uint256(mword(hdr, off)) >> (256 - 8 * n), n);
    }

    function hput(bytes memory hdr, uint256 off, uint256 n, uint256 v) internal pure {
        for (uint256 i = 0; i < n; i++) {
            hdr[off + i] = bytes1(uint8(v >> (8 * i)));
        }
    }

    function mword(bytes memory b, uint256 off) internal pure returns (bytes32 v) {
        assembly ("memory-safe") {
            v := mload(add(add(b, 32), off))
        }
    }

    function mput(bytes memory b, uint256 off, bytes32 v) internal pure {
        assembly ("memory-safe") {
            mstore(add(add(b, 32), off), v)
        }
    }
}
