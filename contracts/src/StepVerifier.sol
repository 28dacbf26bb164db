// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Spec} from "./generated/Spec.sol";
import {Multi, Openings} from "./Openings.sol";
import {Alu} from "./Alu.sol";

/// The one-step verifier on chain: `verifyStep(pre, proof)` is
/// `refute_engine::proof::verify_step` (specs/proof.md §4) for the steps it
/// implements, and refuses the others with `Unsupported(opcode)`.
/// `chain/tests/verifier.rs` holds it to the engine.
contract StepVerifier {
    error Malformed(string why);
    error WrongPreState(bytes32 expected, bytes32 got);
    error BadOpening(uint256 tree, string why);
    error Missing(string what);
    error BadState(string why);
    error Unsupported(uint256 opcode);

    uint256 private constant MASK64 = 0xffffffffffffffff;
    uint256 private constant NONE = type(uint256).max;

    struct Entry {
        uint256 kind;
        uint256 index;
        uint256 len;
        uint256 limit;
        bytes32 root;
        Multi content;
    }

    /// What a step runs on: the registers and the opened stack leaves.
    struct Step {
        uint256 pc;
        uint256 sp;
        uint256 fp;
        uint256 status;
        Multi stack;
        bool stackChanged;
    }

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
        Openings.need(p, 16 + Spec.HEADER_BYTES, end);
        if (bytes16(Openings.c32(p)) != Spec.PROOF_TAG) revert Malformed("wrong proof tag");
        p += 16;
        bytes memory hdr = proof[16:16 + Spec.HEADER_BYTES];
        if (bytes16(mword(hdr, 0)) != Spec.STATE_TAG) revert Malformed("wrong header tag");
        p += Spec.HEADER_BYTES;

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
        Step memory s;
        s.pc = hu(hdr, 32, 4);
        s.sp = hu(hdr, 36, 4);
        s.fp = hu(hdr, 40, 4);
        if (s.fp > s.sp || s.sp > Spec.MAX_STACK_SLOTS || hu(hdr, 44, 4) > Spec.MAX_CALL_DEPTH) {
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
        // 5. Tree openings against the header's roots.
        for (uint256 t = 0; t < ntrees; t++) {
            uint256 id = treeIds[t];
            if (!Openings.sorted(trees[t], depthOf(id))) revert BadOpening(id, "indices");
            if (trees[t].n > 0 && trees[t].root != mword(hdr, 136 + 32 * id)) revert BadOpening(id, "wrong root");
        }
        // 6. Entries: in their directory, and their content under their root.
        for (uint256 e = 0; e < nentries; e++) {
            Entry memory en = entries[e];
            uint256 dir = uint8(Spec.KIND_DIRECTORIES[en.kind]);
            uint256 at = treeAt(treeIds, dir);
            uint256 i = at == NONE ? NONE : Openings.find(trees[at], en.index);
            if (i == NONE || trees[at].leaf[i] != Openings.entryLeaf(en.kind, en.len, en.limit, en.root, z)) {
                revert BadOpening(100 + en.kind, "the entry is not the directory's leaf");
            }
            uint256 kd = uint8(Spec.KIND_DEPTHS[en.kind]);
            if (!Openings.sorted(en.content, kd)) revert BadOpening(100 + en.kind, "indices");
            if (en.content.n > 0 && en.content.root != en.root) revert BadOpening(100 + en.kind, "wrong root");
        }
        // 7. Run the step.
        uint256 steps = hu(hdr, 24, 8);
        if (steps == MASK64) revert BadState("step counter at its maximum");
        uint256 st = treeAt(treeIds, Spec.TREE_STACK);
        if (st != NONE) s.stack = trees[st];
        uint256 ct = treeAt(treeIds, Spec.TREE_CODE);
        uint256 ci = ct == NONE ? NONE : Openings.find(trees[ct], s.pc >> 1);
        if (ci == NONE) revert Missing("code leaf");
        uint256 ins = uint256(trees[ct].leaf[ci]);
        ins = s.pc & 1 == 0 ? ins >> 128 : ins & type(uint128).max;
        run(s, ins);

        // 9. The post-state.
        hput(hdr, 16, 8, s.status);
        hput(hdr, 24, 8, steps + 1);
        hput(hdr, 32, 4, s.pc & 0xffffffff);
        hput(hdr, 36, 4, s.sp & 0xffffffff);
        hput(hdr, 40, 4, s.fp & 0xffffffff);
        if (s.stackChanged) {
            (, bytes32 root) = Openings.fold(s.stack, depthOf(Spec.TREE_STACK), z, false);
            mput(hdr, 136 + 32 * Spec.TREE_STACK, root);
        }
        return sha256(hdr);
    }

    // ---- the step ----------------------------------------------------------

    /// Runs the instruction `ins` (its 16 bytes, big-endian) on `s`.
    function run(Step memory s, uint256 ins) internal pure {
        uint256 op = field(ins, 0, 2);
        bytes memory ends = Spec.FIELDS_END;
        if (op >= ends.length || uint8(ends[op]) == 0xff) revert Missing("an instruction that does not decode");
        uint256 fend = uint8(ends[op]);
        if (fend < 16 && (ins & ((uint256(1) << (8 * (16 - fend))) - 1)) != 0) {
            revert Missing("an instruction that does not decode");
        }
        uint256 next = s.pc + 1;
        bytes memory ops = Spec.OPERATORS;
        uint256 form = uint8(ops[2 * op]);
        if (form != 0) {
            next = operator(s, ins, form, uint8(ops[2 * op + 1]), next);
        } else if (op == Spec.OP_UNREACHABLE) {
            return trap(s, Spec.TRAP_UNREACHABLE);
        } else if (op == Spec.OP_BR) {
            next = field(ins, 2, 4);
        } else if (op == Spec.OP_BR_IF_EQZ || op == Spec.OP_BR_IF_NEZ) {
            s.sp = (s.sp - 1) & MASK64;
            bool zero = get(s, s.sp) & 0xffffffff == 0;
            if (zero == (op == Spec.OP_BR_IF_EQZ)) next = field(ins, 2, 4);
        } else if (op == Spec.OP_DROP) {
            s.sp = (s.sp - 1) & MASK64;
        } else if (op == Spec.OP_SELECT) {
            s.sp = (s.sp - 2) & MASK64;
            if (get(s, s.sp + 1) & 0xffffffff == 0) set(s, (s.sp - 1) & MASK64, get(s, s.sp));
        } else if (op == Spec.OP_LOCAL_GET) {
            push(s, get(s, s.fp + field(ins, 2, 4)));
        } else if (op == Spec.OP_LOCAL_SET) {
            s.sp = (s.sp - 1) & MASK64;
            set(s, s.fp + field(ins, 2, 4), get(s, s.sp));
        } else if (op == Spec.OP_LOCAL_TEE) {
            set(s, s.fp + field(ins, 2, 4), get(s, (s.sp - 1) & MASK64));
        } else if (op == Spec.OP_LOCAL_GET2) {
            set(s, s.sp, get(s, s.fp + field(ins, 2, 4)));
            set(s, s.sp + 1, get(s, s.fp + field(ins, 6, 4)));
            s.sp += 2;
        } else if (op == Spec.OP_LOCAL_SET_GET) {
            uint256 top = (s.sp - 1) & MASK64;
            set(s, s.fp + field(ins, 2, 4), get(s, top));
            set(s, top, get(s, s.fp + field(ins, 6, 4)));
        } else if (op == Spec.OP_LOCAL_TEE_GET) {
            set(s, s.fp + field(ins, 2, 4), get(s, (s.sp - 1) & MASK64));
            push(s, get(s, s.fp + field(ins, 6, 4)));
        } else if (op == Spec.OP_I32_CONST) {
            push(s, field(ins, 2, 4));
        } else if (op == Spec.OP_I64_CONST || op == Spec.OP_F64_CONST) {
            push(s, field(ins, 2, 8));
        } else if (op == Spec.OP_F32_CONST) {
            push(s, field(ins, 2, 4));
        } else if (op == Spec.OP_LOCAL_COPY) {
            set(s, s.fp + field(ins, 2, 4), get(s, s.fp + field(ins, 6, 4)));
        } else if (op == Spec.OP_I32_SET_CONST) {
            set(s, s.fp + field(ins, 2, 4), field(ins, 6, 4));
        } else if (op == Spec.OP_I64_SET_CONST) {
            set(s, s.fp + field(ins, 2, 4), field(ins, 6, 8));
        } else if (op == Spec.OP_BR_IF_NEZ_REG || op == Spec.OP_BR_IF_EQZ_REG) {
            bool zero = get(s, s.fp + field(ins, 2, 4)) & 0xffffffff == 0;
            if (zero == (op == Spec.OP_BR_IF_EQZ_REG)) next = field(ins, 6, 4);
        } else if (op == Spec.OP_I32_SHL_ADD_IMM_REG) {
            // dst = (lhs << shift) + value; fields dst, lhs, h: u16, value: i32, shift: u8
            uint256 shifted = Alu.binary(Spec.ALU_SHL, get(s, s.fp + field(ins, 4, 2)), field(ins, 12, 1));
            set(s, s.fp + field(ins, 2, 2), Alu.binary(Spec.ALU_ADD, shifted, field(ins, 8, 4)));
            s.sp = s.fp + field(ins, 6, 2);
        } else {
            revert Unsupported(op);
        }
        if (s.status == Spec.STATUS_RUNNING) s.pc = next;
    }

    /// The integer operator forms (the generated `OPERATORS` table).
    function operator(Step memory s, uint256 ins, uint256 form, uint256 alu, uint256 next)
        internal
        pure
        returns (uint256)
    {
        uint256 fp = s.fp;
        if (form == Spec.FORM_BIN) {
            uint256 b = get(s, (s.sp - 1) & MASK64);
            uint256 a = get(s, (s.sp - 2) & MASK64);
            (uint256 v, uint256 trapKind) = Alu.binaryTrapping(alu, a, b);
            if (trapKind != 0) {
                trap(s, trapKind);
                return next;
            }
            s.sp = (s.sp - 1) & MASK64;
            set(s, (s.sp - 1) & MASK64, v);
        } else if (form == Spec.FORM_BIN_IMM) {
            uint256 c = alu >> 5 == 0 ? signExtend(field(ins, 2, 4), 32) : field(ins, 2, 8);
            uint256 top = (s.sp - 1) & MASK64;
            set(s, top, Alu.binary(alu, get(s, top), c));
        } else if (form == Spec.FORM_BIN_REG) {
            uint256 v = Alu.binary(alu, get(s, fp + field(ins, 4, 2)), get(s, fp + field(ins, 6, 2)));
            set(s, fp + field(ins, 2, 2), v);
            s.sp = fp + field(ins, 8, 2);
        } else if (form == Spec.FORM_BIN_IMM_REG) {
            uint256 c = alu >> 5 == 0 ? signExtend(field(ins, 8, 4), 32) : field(ins, 8, 8);
            set(s, fp + field(ins, 2, 2), Alu.binary(alu, get(s, fp + field(ins, 4, 2)), c));
            s.sp = fp + field(ins, 6, 2);
        } else if (form == Spec.FORM_UN) {
            uint256 top = (s.sp - 1) & MASK64;
            set(s, top, Alu.unary(alu, get(s, top)));
        } else if (form == Spec.FORM_UN_REG) {
            set(s, fp + field(ins, 2, 2), Alu.unary(alu, get(s, fp + field(ins, 4, 2))));
            s.sp = fp + field(ins, 6, 2);
        } else if (form == Spec.FORM_BR_CMP) {
            // lhs, rhs, h: u16, target: u32
            bool taken = Alu.binary(alu, get(s, fp + field(ins, 2, 2)), get(s, fp + field(ins, 4, 2))) != 0;
            s.sp = fp + field(ins, 6, 2);
            if (taken) return field(ins, 8, 4);
        } else {
            // BR_CMP_IMM, BR_AND_EQZ: lhs, h: u16, value: i32, target: u32
            uint256 v = Alu.binary(alu, get(s, fp + field(ins, 2, 2)), signExtend(field(ins, 6, 4), 32));
            bool taken = form == Spec.FORM_BR_AND_EQZ ? v == 0 : v != 0;
            s.sp = fp + field(ins, 4, 2);
            if (taken) return field(ins, 10, 4);
        }
        return next;
    }

    function trap(Step memory s, uint256 kind) internal pure {
        s.status = Spec.STATUS_TRAPPED | (kind << 8);
    }

    // ---- the partial stack (specs/proof.md §5) -------------------------------

    function slotAt(Step memory s, uint256 slot) internal pure returns (uint256 i) {
        slot &= MASK64; // the engine's stack arithmetic wraps (specs/proof.md §4)
        if (slot >= Spec.MAX_STACK_SLOTS) revert Missing("a stack slot");
        i = Openings.find(s.stack, slot >> 2);
        if (i == NONE) revert Missing("a stack slot");
    }

    function get(Step memory s, uint256 slot) internal pure returns (uint256) {
        uint256 i = slotAt(s, slot);
        uint256 shift = 192 - 64 * (slot & 3);
        return Openings.rev((uint256(s.stack.leaf[i]) >> shift) & MASK64, 8);
    }

    function set(Step memory s, uint256 slot, uint256 v) internal pure {
        uint256 i = slotAt(s, slot);
        uint256 shift = 192 - 64 * (slot & 3);
        uint256 leaf = uint256(s.stack.leaf[i]) & ~(MASK64 << shift);
        s.stack.leaf[i] = bytes32(leaf | (Openings.rev(v & MASK64, 8) << shift));
        s.stackChanged = true;
    }

    function push(Step memory s, uint256 v) internal pure {
        set(s, s.sp, v);
        s.sp += 1;
    }

    // ---- encodings ---------------------------------------------------------

    /// The `n`-byte little-endian field at byte `off` of an instruction.
    function field(uint256 ins, uint256 off, uint256 n) internal pure returns (uint256) {
        return Openings.rev((ins >> (128 - 8 * (off + n))) & ((uint256(1) << (8 * n)) - 1), n);
    }

    /// A `bits`-bit two's complement value as a 64-bit slot.
    function signExtend(uint256 v, uint256 bits) internal pure returns (uint256) {
        if ((v >> (bits - 1)) & 1 == 1) v |= MASK64 & ~((uint256(1) << bits) - 1);
        return v;
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
    function hu(bytes memory hdr, uint256 off, uint256 n) internal pure returns (uint256 v) {
        for (uint256 i = 0; i < n; i++) {
            v |= uint256(uint8(hdr[off + i])) << (8 * i);
        }
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
