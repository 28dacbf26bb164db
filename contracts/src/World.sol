// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Spec} from "./generated/Spec.sol";
import {Multi, Openings} from "./Openings.sol";

/// An opened directory entry (specs/proof.md §1) and its content opening.
struct Entry {
    uint256 kind;
    uint256 index;
    uint256 len;
    uint256 limit;
    bytes32 root;
    Multi content;
    /// The step changed `len`, `root` or the content.
    bool dirty;
}

/// The host's state a host call reads and writes (specs/state.md §3, §4.5,
/// §6), and the call `Exec` hands to `HostMachine`.
struct Host {
    /// 0, or `1 + id` when the step calls host function `id`.
    uint256 call;
    /// Operands the call pops below its arguments (1 for `call_indirect`).
    uint256 pop;
    /// The host function's parameters, in slots.
    uint256 nparams;
    /// The calling instruction's `pc`.
    uint256 pc;
    /// The step's number (the guest's clock).
    uint256 steps;
    /// Whether the proof sent the header's cold part (the registers below
    /// and the host's trees); a step that reaches a host function needs it.
    bool cold;
    uint256 argsCount;
    uint256 argsSize;
    uint256 envCount;
    uint256 envSize;
    uint256 stdinLen;
    uint256 stdinPos;
    uint256 randomSeed;
    uint256 randomPos;
    uint256 stdoutLen;
    uint256 stderrLen;
    /// The file system's registers (`FsRegs`, specs/state.md §3): node
    /// slots ever used, the first free one, descriptors ever used (3 without
    /// a file system), the first closed one, bytes of all files.
    uint256 fsNodes;
    uint256 fsNodeFree;
    uint256 fsFds;
    uint256 fsFdFree;
    uint256 fsBytes;
    Multi input;
    Multi stdout;
    Multi stderr;
    /// The node and descriptor tables' openings (specs/state.md §4.6).
    Multi nodes;
    Multi fds;
    /// The proof shows there is no memory 0 (its directory leaf is the zero leaf).
    bool noMemory;
    bool stdoutDirty;
    bool stderrDirty;
    bool nodesDirty;
    bool fdsDirty;
}

/// What a step runs on: the registers, and only the leaves the proof opened
/// (`PartialStack`, `PartialWorld` in engine/src/proof/partial.rs).
struct World {
    /// The `Floats` contract the float instructions run in.
    address floats;
    Host host;
    uint256 pc;
    uint256 sp;
    uint256 fp;
    uint256 depth;
    uint256 status;
    Multi code;
    /// The running code's root (specs/state.md §4.1): the header's, then
    /// the callee's or the caller's after a call or return.
    bytes32 codeRoot;
    Multi funcs;
    Multi globals;
    Multi stack;
    Multi frames;
    Entry[] entries;
    bool stackDirty;
    bool globalsDirty;
    bool framesDirty;
}

/// Reads and writes of a [`World`]. Anything the proof did not open reverts
/// `Missing`: the engine notes it, runs on with a default and refuses the
/// proof (specs/proof.md §5), so both refuse.
library Worlds {
    error Missing(string what);

    uint256 internal constant MASK64 = 0xffffffffffffffff;
    uint256 internal constant NONE = type(uint256).max;

    /// Slot `j` (0..4) of a leaf of 64-bit little-endian slots.
    function slotOf(bytes32 leaf, uint256 j) internal pure returns (uint256) {
        return Openings.rev((uint256(leaf) >> (192 - 64 * j)) & MASK64, 8);
    }

    function withSlot(bytes32 leaf, uint256 j, uint256 v) internal pure returns (bytes32) {
        uint256 shift = 192 - 64 * j;
        return bytes32((uint256(leaf) & ~(MASK64 << shift)) | (Openings.rev(v & MASK64, 8) << shift));
    }

    // ---- the stack ---------------------------------------------------------

    function stackLeaf(World memory w, uint256 slot) private pure returns (uint256 i) {
        slot &= MASK64; // the engine's stack arithmetic wraps (specs/proof.md §4)
        if (slot >= Spec.MAX_STACK_SLOTS) revert Missing("a stack slot");
        i = Openings.find(w.stack, slot >> 2);
        if (i == NONE) revert Missing("a stack slot");
    }

    function get(World memory w, uint256 slot) internal pure returns (uint256) {
        return slotOf(w.stack.leaf[stackLeaf(w, slot)], slot & 3);
    }

    function set(World memory w, uint256 slot, uint256 v) internal pure {
        uint256 i = stackLeaf(w, slot);
        w.stack.leaf[i] = withSlot(w.stack.leaf[i], slot & 3, v);
        w.stackDirty = true;
    }

    function push(World memory w, uint256 v) internal pure {
        set(w, w.sp, v);
        w.sp = (w.sp + 1) & MASK64;
    }

    /// `copy_within(from .. from + n, to)`: element by element, in the order
    /// that is right for overlap.
    function copy(World memory w, uint256 from, uint256 n, uint256 to) internal pure {
        for (uint256 k = 0; k < n; k++) {
            uint256 j = to <= from ? k : n - 1 - k;
            set(w, (to + j) & MASK64, get(w, (from + j) & MASK64));
        }
    }

    function zero(World memory w, uint256 from, uint256 n) internal pure {
        for (uint256 k = 0; k < n; k++) {
            set(w, (from + k) & MASK64, 0);
        }
    }

    // ---- code, functions, globals, frames -----------------------------------

    /// The 16 bytes of instruction `pc` (big-endian in the low 128 bits).
    function instruction(World memory w, uint256 pc) internal pure returns (uint256) {
        uint256 i = Openings.find(w.code, pc >> 1);
        if (i == NONE) revert Missing("a code leaf");
        uint256 leaf = uint256(w.code.leaf[i]);
        return pc & 1 == 0 ? leaf >> 128 : leaf & type(uint128).max;
    }

    /// Function `f`'s leaf (leaf `2f`) as six little-endian words
    /// (specs/state.md §4.2), checked to be one the engine writes.
    function func(World memory w, uint256 f) internal pure returns (uint256[6] memory words) {
        uint256 i = Openings.find(w.funcs, 2 * f);
        if (i == NONE) revert Missing("a function leaf");
        uint256 leaf = uint256(w.funcs.leaf[i]);
        for (uint256 j = 0; j < 6; j++) {
            words[j] = Openings.rev((leaf >> (224 - 32 * j)) & 0xffffffff, 4);
        }
        bool ok = leaf & ((uint256(1) << 64) - 1) == 0;
        if (words[1] == 1) ok = ok && words[2] <= Spec.HOST_FUNCS && words[4] == 0 && words[5] == 0;
        else ok = ok && words[1] == 0;
        if (!ok) revert Missing("a valid function leaf");
        if (words[1] == 1 && !w.host.cold) revert Missing("the header's cold part");
    }

    /// A call enters function `f`: its code root (leaf `2f + 1`) becomes the running one.
    function enter(World memory w, uint256 f) internal pure {
        uint256 i = Openings.find(w.funcs, 2 * f + 1);
        if (i == NONE) revert Missing("a function's code root");
        w.codeRoot = w.funcs.leaf[i];
    }

    function global(World memory w, uint256 g) internal pure returns (uint256) {
        uint256 i = Openings.find(w.globals, g >> 2);
        if (i == NONE) revert Missing("a globals leaf");
        return slotOf(w.globals.leaf[i], g & 3);
    }

    function setGlobal(World memory w, uint256 g, uint256 v) internal pure {
        uint256 i = Openings.find(w.globals, g >> 2);
        if (i == NONE) revert Missing("a globals leaf");
        w.globals.leaf[i] = withSlot(w.globals.leaf[i], g & 3, v);
        w.globalsDirty = true;
    }

    /// Pushes frame `(retPc, fp)` at `depth`: leaf `2 depth` is
    /// `u32le ret_pc ‖ u32le fp` (the 64-bit little-endian slot
    /// `ret_pc | fp << 32`), leaf `2 depth + 1` the running code's root.
    function pushFrame(World memory w, uint256 retPc, uint256 fp) internal pure {
        if (w.depth >= Spec.MAX_CALL_DEPTH) revert Missing("room for a frame");
        uint256 i = Openings.find(w.frames, 2 * w.depth);
        uint256 j = Openings.find(w.frames, 2 * w.depth + 1);
        if (i == NONE || j == NONE) revert Missing("a frames leaf");
        w.frames.leaf[i] = withSlot(bytes32(0), 0, (retPc & 0xffffffff) | ((fp & 0xffffffff) << 32));
        w.frames.leaf[j] = w.codeRoot;
        w.depth += 1;
        w.framesDirty = true;
    }

    /// Pops the top frame, zeroing its leaves; unless it is the entry
    /// frame, the code root saved with it becomes the running one.
    function popFrame(World memory w) internal pure returns (uint256 retPc, uint256 fp) {
        if (w.depth == 0) revert Missing("a frame to return to");
        uint256 d = w.depth - 1;
        uint256 i = Openings.find(w.frames, 2 * d);
        uint256 j = Openings.find(w.frames, 2 * d + 1);
        if (i == NONE || j == NONE) revert Missing("a frames leaf");
        uint256 v = slotOf(w.frames.leaf[i], 0);
        (retPc, fp) = (v & 0xffffffff, v >> 32);
        if (retPc != Spec.HALT) w.codeRoot = w.frames.leaf[j];
        w.frames.leaf[i] = bytes32(0);
        w.frames.leaf[j] = bytes32(0);
        w.depth = d;
        w.framesDirty = true;
    }

    // ---- memories and tables -------------------------------------------------

    function entry(World memory w, uint256 kind, uint256 index) internal pure returns (Entry memory) {
        for (uint256 e = 0; e < w.entries.length; e++) {
            if (w.entries[e].kind == kind && w.entries[e].index == index) return w.entries[e];
        }
        revert Missing("an entry");
    }

    /// Byte `i` of memory or segment content.
    function byteAt(Entry memory e, uint256 i) internal pure returns (uint256) {
        uint256 l = Openings.find(e.content, i >> 5);
        if (l == NONE) revert Missing("a content leaf");
        return uint8(e.content.leaf[l][i & 31]);
    }

    function setByte(Entry memory e, uint256 i, uint256 v) internal pure {
        uint256 l = Openings.find(e.content, i >> 5);
        if (l == NONE) revert Missing("a content leaf");
        uint256 shift = 8 * (31 - (i & 31));
        uint256 leaf = uint256(e.content.leaf[l]) & ~(uint256(0xff) << shift);
        e.content.leaf[l] = bytes32(leaf | ((v & 0xff) << shift));
        e.dirty = true;
    }

    function setRef(Entry memory e, uint256 i, uint256 v) internal pure {
        uint256 l = Openings.find(e.content, i >> 2);
        if (l == NONE) revert Missing("a content leaf");
        e.content.leaf[l] = withSlot(e.content.leaf[l], i & 3, v);
        e.dirty = true;
    }

    /// A dropped segment: no bytes, the zero root, its opened content forgotten.
    function drop(Entry memory e) internal pure {
        bytes memory zs = Spec.ZEROS;
        uint256 h = uint8(Spec.KIND_DEPTHS[e.kind]);
        bytes32 z;
        assembly ("memory-safe") {
            z := mload(add(add(zs, 32), mul(h, 32)))
        }
        (e.len, e.root, e.content.n, e.dirty) = (0, z, 0, true);
    }

    /// Reference `i` of a table or element segment (4 per leaf).
    function refAt(Entry memory e, uint256 i) internal pure returns (uint256) {
        uint256 l = Openings.find(e.content, i >> 2);
        if (l == NONE) revert Missing("a content leaf");
        return slotOf(e.content.leaf[l], i & 3);
    }
}
