// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Spec} from "./generated/Spec.sol";
import {Alu} from "./Alu.sol";
import {Entry, World, Worlds} from "./World.sol";
import {Openings} from "./Openings.sol";

/// The float instructions (`contracts/src/Floats.sol`), a contract of their own.
interface IFloats {
    function binary(uint256 op, uint256 a, uint256 b) external pure returns (uint256);
    function unary(uint256 op, uint256 a) external pure returns (uint256, uint256);
}

/// One step (`exec::step` in engine/src/exec.rs) for the instructions on
/// chain (specs/chain.md §3); the others revert `Unsupported`.
library Exec {
    using Worlds for World;

    error Unsupported(uint256 opcode);

    uint256 private constant MASK64 = 0xffffffffffffffff;
    uint256 private constant M32 = 0xffffffff;

    /// Runs the instruction at `w.pc`.
    function run(World memory w) internal view {
        uint256 ins = w.instruction(w.pc);
        uint256 op = decode(ins);
        uint256 next = w.pc + 1;
        bytes memory ops = Spec.OPERATORS;
        bytes memory mems = Spec.MEMOPS;
        if (uint8(ops[2 * op]) != 0) {
            next = operator(w, ins, uint8(ops[2 * op]), uint8(ops[2 * op + 1]), next);
        } else if (uint8(mems[2 * op]) != 0) {
            memory_(w, ins, uint8(mems[2 * op]), uint8(mems[2 * op + 1]));
        } else {
            next = control(w, ins, op, next);
        }
        // A trap leaves `pc` on the trapping instruction; everything else,
        // `Finished` included, moves it.
        if (w.status & 0xff != Spec.STATUS_TRAPPED) w.pc = next;
    }

    /// The opcode of an instruction that decodes (specs/state.md §4.1).
    function decode(uint256 ins) internal pure returns (uint256 op) {
        op = field(ins, 0, 2);
        bytes memory ends = Spec.FIELDS_END;
        if (op >= ends.length || uint8(ends[op]) == 0xff) revert Worlds.Missing("an instruction that decodes");
        uint256 fend = uint8(ends[op]);
        if (fend < 16 && (ins & ((uint256(1) << (8 * (16 - fend))) - 1)) != 0) {
            revert Worlds.Missing("an instruction that decodes");
        }
        // A SIMD shape's `op` byte must be one of that shape's opcodes.
        uint256 simd = uint8(Spec.SIMD_OPS[op]);
        if (simd >= 2) {
            bytes memory t = Spec.SIMD_SHAPES;
            uint256 code = field(ins, 2, 1);
            uint256 bits = (uint256(uint8(t[2 * code])) << 8) | uint8(t[2 * code + 1]);
            if ((bits >> (simd - 2)) & 1 == 0) revert Worlds.Missing("an instruction that decodes");
        }
    }

    function control(World memory w, uint256 ins, uint256 op, uint256 next) private view returns (uint256) {
        unchecked {
            if (op == Spec.OP_UNREACHABLE) {
                trap(w, Spec.TRAP_UNREACHABLE);
            } else if (op == Spec.OP_BR) {
                return field(ins, 2, 4);
            } else if (op == Spec.OP_BR_IF_EQZ || op == Spec.OP_BR_IF_NEZ) {
                w.sp = (w.sp - 1) & MASK64;
                bool zero = w.get(w.sp) & M32 == 0;
                if (zero == (op == Spec.OP_BR_IF_EQZ)) return field(ins, 2, 4);
            } else if (op == Spec.OP_BR_ADJUST) {
                return brAdjust(w, ins);
            } else if (op == Spec.OP_BR_IF_NEZ_ADJUST) {
                w.sp = (w.sp - 1) & MASK64;
                if (w.get(w.sp) & M32 != 0) return brAdjust(w, ins);
            } else if (op == Spec.OP_BR_TABLE) {
                w.sp = (w.sp - 1) & MASK64;
                return brTable(w, w.get(w.sp) & M32, field(ins, 2, 4), next);
            } else if (op == Spec.OP_BR_TABLE_REG) {
                return brTable(w, w.get(w.fp + field(ins, 6, 4)) & M32, field(ins, 2, 4), next);
            } else if (op == Spec.OP_RETURN) {
                return ret(w, field(ins, 2, 4), next);
            } else if (op == Spec.OP_STACK_MOVE) {
                (uint256 from, uint256 to, uint256 n) = (field(ins, 2, 4), field(ins, 6, 4), field(ins, 10, 4));
                w.copy((w.sp - from) & MASK64, n, (w.sp - to) & MASK64);
            } else if (op == Spec.OP_CALL) {
                return call(w, field(ins, 2, 4), 0, next);
            } else if (op == Spec.OP_CALL_INDIRECT) {
                return callIndirect(w, field(ins, 2, 4), field(ins, 6, 4), next);
            } else if (op == Spec.OP_ZERO_LOCALS) {
                w.zero(w.fp + field(ins, 2, 4), field(ins, 6, 4));
            } else if (op == Spec.OP_DROP) {
                w.sp = (w.sp - 1) & MASK64;
            } else if (op == Spec.OP_SELECT) {
                w.sp = (w.sp - 2) & MASK64;
                if (w.get(w.sp + 1) & M32 == 0) w.set(w.sp - 1, w.get(w.sp));
            } else if (op == Spec.OP_LOCAL_GET) {
                w.push(w.get(w.fp + field(ins, 2, 4)));
            } else if (op == Spec.OP_LOCAL_SET) {
                w.sp = (w.sp - 1) & MASK64;
                w.set(w.fp + field(ins, 2, 4), w.get(w.sp));
            } else if (op == Spec.OP_LOCAL_TEE) {
                w.set(w.fp + field(ins, 2, 4), w.get(w.sp - 1));
            } else if (op == Spec.OP_LOCAL_GET2) {
                w.set(w.sp, w.get(w.fp + field(ins, 2, 4)));
                w.set(w.sp + 1, w.get(w.fp + field(ins, 6, 4)));
                w.sp = (w.sp + 2) & MASK64;
            } else if (op == Spec.OP_LOCAL_SET_GET) {
                w.set(w.fp + field(ins, 2, 4), w.get(w.sp - 1));
                w.set(w.sp - 1, w.get(w.fp + field(ins, 6, 4)));
            } else if (op == Spec.OP_LOCAL_TEE_GET) {
                w.set(w.fp + field(ins, 2, 4), w.get(w.sp - 1));
                w.push(w.get(w.fp + field(ins, 6, 4)));
            } else if (op == Spec.OP_GLOBAL_GET) {
                w.push(w.global(field(ins, 2, 4)));
            } else if (op == Spec.OP_GLOBAL_SET) {
                w.sp = (w.sp - 1) & MASK64;
                w.setGlobal(field(ins, 2, 4), w.get(w.sp));
            } else if (op == Spec.OP_I32_CONST || op == Spec.OP_F32_CONST) {
                w.push(field(ins, 2, 4));
            } else if (op == Spec.OP_I64_CONST || op == Spec.OP_F64_CONST) {
                w.push(field(ins, 2, 8));
            } else if (op == Spec.OP_LOCAL_COPY) {
                w.set(w.fp + field(ins, 2, 4), w.get(w.fp + field(ins, 6, 4)));
            } else if (op == Spec.OP_I32_SET_CONST) {
                w.set(w.fp + field(ins, 2, 4), field(ins, 6, 4));
            } else if (op == Spec.OP_I64_SET_CONST) {
                w.set(w.fp + field(ins, 2, 4), field(ins, 6, 8));
            } else if (op == Spec.OP_BR_IF_NEZ_REG || op == Spec.OP_BR_IF_EQZ_REG) {
                bool zero = w.get(w.fp + field(ins, 2, 4)) & M32 == 0;
                if (zero == (op == Spec.OP_BR_IF_EQZ_REG)) return field(ins, 6, 4);
            } else if (op == Spec.OP_I32_SHL_ADD_IMM_REG) {
                // dst, lhs, h: u16, value: i32, shift: u8
                uint256 shifted = Alu.binary(Spec.ALU_SHL, w.get(w.fp + field(ins, 4, 2)), field(ins, 12, 1));
                w.set(w.fp + field(ins, 2, 2), Alu.binary(Spec.ALU_ADD, shifted, field(ins, 8, 4)));
                w.sp = w.fp + field(ins, 6, 2);
            } else if (
            op == Spec.OP_I32_REINTERPRET_F32 || op == Spec.OP_I64_REINTERPRET_F64 || op == Spec.OP_F32_REINTERPRET_I32
                || op == Spec.OP_F64_REINTERPRET_I64
        ) {
            // Slots hold raw bits: nothing to do, nothing touched.
        } else if (op == Spec.OP_REF_NULL) {
            w.push(0);
        } else if (op == Spec.OP_REF_IS_NULL) {
            w.set(w.sp - 1, w.get(w.sp - 1) == 0 ? 1 : 0);
        } else if (op == Spec.OP_REF_FUNC) {
            w.push(field(ins, 2, 4) + 1);
        } else if (op >= Spec.OP_TABLE_GET && op <= Spec.OP_ELEM_DROP) {
            return table(w, ins, op, next);
        } else if (op >= Spec.OP_MEMORY_FILL && op <= Spec.OP_DATA_DROP) {
            return bulk(w, ins, op, next);
        } else if (op == Spec.OP_MEMORY_SIZE) {
                w.push(w.entry(0, field(ins, 2, 4)).len);
            } else if (op == Spec.OP_MEMORY_GROW) {
                Entry memory e = w.entry(0, field(ins, 2, 4));
                uint256 top = (w.sp - 1) & MASK64;
                uint256 grown = e.len + (w.get(top) & M32);
                if (grown <= M32 && grown <= e.limit) {
                    w.set(top, e.len);
                    e.len = grown;
                    e.dirty = true;
                } else {
                    w.set(top, M32);
                }
            } else {
                revert Unsupported(op);
            }
            return next;
        }
    }

    /// `table.*` and `elem.drop` (specs/execution.md §4: the bulk ones move
    /// `TABLE_CHUNK` elements a step, keeping their progress in their operands).
    function table(World memory w, uint256 ins, uint256 op, uint256 next) private pure returns (uint256) {
        unchecked {
            uint256 sp = w.sp;
            if (op == Spec.OP_ELEM_DROP) {
                Worlds.drop(w.entry(2, field(ins, 2, 4)));
                return next;
            }
            Entry memory t = w.entry(1, field(ins, 2, 4));
            if (op == Spec.OP_TABLE_GET) {
                uint256 i = w.get(sp - 1) & M32;
                if (i >= t.len) return trapAt(w, Spec.TRAP_TABLE_OUT_OF_BOUNDS, next);
                w.set(sp - 1, Worlds.refAt(t, i));
            } else if (op == Spec.OP_TABLE_SET) {
                uint256 v = w.get(sp - 1);
                uint256 i = w.get(sp - 2) & M32;
                if (i >= t.len) return trapAt(w, Spec.TRAP_TABLE_OUT_OF_BOUNDS, next);
                Worlds.setRef(t, i, v);
                w.sp = (sp - 2) & MASK64;
            } else if (op == Spec.OP_TABLE_SIZE) {
                w.push(t.len);
            } else if (op == Spec.OP_TABLE_GROW) {
                return tableGrow(w, t, next);
            } else {
                uint256 n = w.get(sp - 1) & M32;
                uint256 s = w.get(sp - 2); // the value (fill) or the source index
                uint256 d = w.get(sp - 3) & M32;
                Entry memory src = op == Spec.OP_TABLE_COPY ? w.entry(1, field(ins, 6, 4)) : t;
                if (op == Spec.OP_TABLE_INIT) src = w.entry(2, field(ins, 6, 4));
                if (op != Spec.OP_TABLE_FILL && (s & M32) + n > src.len) {
                    return trapAt(w, Spec.TRAP_TABLE_OUT_OF_BOUNDS, next);
                }
                if (d + n > t.len) {
                    return trapAt(w, Spec.TRAP_TABLE_OUT_OF_BOUNDS, next);
                }
                uint256 k = n < Spec.TABLE_CHUNK ? n : Spec.TABLE_CHUNK;
                if (op == Spec.OP_TABLE_FILL) {
                    for (uint256 j = 0; j < k; j++) {
                        Worlds.setRef(t, d + j, s);
                    }
                } else {
                    s &= M32;
                    // table.copy runs forward when the destination is below the source, else from the end.
                    bool back = op == Spec.OP_TABLE_COPY && d > s;
                    (uint256 cs, uint256 cd) = back ? (s + n - k, d + n - k) : (s, d);
                    uint256[] memory buf = new uint256[](k);
                    for (uint256 j = 0; j < k; j++) {
                        buf[j] = Worlds.refAt(src, cs + j);
                    }
                    for (uint256 j = 0; j < k; j++) {
                        Worlds.setRef(t, cd + j, buf[j]);
                    }
                    if (k != n && !back) w.set(sp - 2, s + k);
                }
                if (k == n) {
                    w.sp = (sp - 3) & MASK64;
                } else {
                    if (op != Spec.OP_TABLE_COPY || d <= s) w.set(sp - 3, d + k);
                    w.set(sp - 1, n - k);
                    return w.pc; // again
                }
            }
            return next;
        }
    }

    function tableGrow(World memory w, Entry memory t, uint256 next) private pure returns (uint256) {
        unchecked {
            uint256 sp = w.sp;
            uint256 slot = w.get(sp - 1);
            (uint256 n, uint256 started) = (slot & M32, slot >> 32);
            uint256 init = w.get(sp - 2);
            uint256 len = t.len;
            if (started == 0 && (len + n > M32 || len + n > t.limit)) {
                w.sp = (sp - 1) & MASK64;
                w.set(w.sp - 1, M32);
                return next;
            }
            uint256 k = init == 0 ? n : (n < Spec.TABLE_CHUNK ? n : Spec.TABLE_CHUNK);
            uint256 grown = (len + k) & M32;
            if (init != 0) {
                for (uint256 i = len; i < grown; i++) {
                    Worlds.setRef(t, i, init);
                }
            }
            (t.len, t.dirty) = (grown, true);
            uint256 old = started == 0 ? len : started - 1;
            if (k == n) {
                w.sp = (sp - 1) & MASK64;
                w.set(w.sp - 1, old);
                return next;
            }
            w.set(sp - 1, (n - k) | ((old + 1) << 32));
            return w.pc; // again
        }
    }

    /// `memory.fill`, `memory.copy`, `memory.init` (`MEMORY_CHUNK` bytes a step) and `data.drop`.
    function bulk(World memory w, uint256 ins, uint256 op, uint256 next) private pure returns (uint256) {
        unchecked {
            if (op == Spec.OP_DATA_DROP) {
                Worlds.drop(w.entry(3, field(ins, 2, 4)));
                return next;
            }
            uint256 sp = w.sp;
            Entry memory m = w.entry(0, field(ins, 2, 4));
            uint256 n = w.get(sp - 1) & M32;
            uint256 s = w.get(sp - 2); // the byte (fill) or the source address
            uint256 d = w.get(sp - 3) & M32;
            uint256 len = m.len * Spec.PAGE_SIZE;
            Entry memory src = op == Spec.OP_MEMORY_INIT ? w.entry(3, field(ins, 6, 4)) : m;
            uint256 srcLen = op == Spec.OP_MEMORY_INIT ? src.len : len;
            if (op != Spec.OP_MEMORY_FILL && (s & M32) + n > srcLen) {
                return trapAt(w, Spec.TRAP_MEMORY_OUT_OF_BOUNDS, next);
            }
            if (d + n > len) return trapAt(w, Spec.TRAP_MEMORY_OUT_OF_BOUNDS, next);
            uint256 k = n < Spec.MEMORY_CHUNK ? n : Spec.MEMORY_CHUNK;
            if (op == Spec.OP_MEMORY_FILL) {
                for (uint256 j = 0; j < k; j++) {
                    Worlds.setByte(m, d + j, s);
                }
            } else {
                s &= M32;
                bool back = op == Spec.OP_MEMORY_COPY && d > s;
                (uint256 cs, uint256 cd) = back ? (s + n - k, d + n - k) : (s, d);
                uint256[] memory buf = new uint256[](k);
                for (uint256 j = 0; j < k; j++) {
                    buf[j] = Worlds.byteAt(src, cs + j);
                }
                for (uint256 j = 0; j < k; j++) {
                    Worlds.setByte(m, cd + j, buf[j]);
                }
                if (k != n && !back) w.set(sp - 2, s + k);
            }
            if (k == n) {
                w.sp = (sp - 3) & MASK64;
                return next;
            }
            if (op != Spec.OP_MEMORY_COPY || d <= s) w.set(sp - 3, d + k);
            w.set(sp - 1, n - k);
            return w.pc; // again
        }
    }

    /// Keeps the top `keep` values, drops the `drop` below them, jumps.
    function brAdjust(World memory w, uint256 ins) private pure returns (uint256) {
        unchecked {
            (uint256 target, uint256 drop, uint256 keep) = (field(ins, 2, 4), field(ins, 6, 4), field(ins, 10, 4));
            w.copy((w.sp - keep) & MASK64, keep, (w.sp - keep - drop) & MASK64);
            w.sp = (w.sp - drop) & MASK64;
            return target;
        }
    }

    /// Entry `min(i, len)` of the table after a `BrTable` at `next - 1`.
    function brTable(World memory w, uint256 i, uint256 len, uint256 next) private pure returns (uint256) {
        unchecked {
            uint256 ins = w.instruction(next + (i < len ? i : len));
            uint256 op = decode(ins);
            if (op == Spec.OP_BR_ADJUST) return brAdjust(w, ins);
            if (op == Spec.OP_RETURN) return ret(w, field(ins, 2, 4), next);
            trap(w, Spec.TRAP_UNREACHABLE);
            return next;
        }
    }

    /// Moves the top `n` results to the frame's base, pops the frame.
    function ret(World memory w, uint256 n, uint256 next) private pure returns (uint256) {
        unchecked {
            uint256 from = (w.sp - n) & MASK64;
            if (from != w.fp) w.copy(from, n, w.fp);
            w.sp = (w.fp + n) & MASK64;
            (uint256 retPc, uint256 fp) = w.popFrame();
            if (retPc == Spec.HALT) {
                w.status = Spec.STATUS_FINISHED;
                return next;
            }
            w.fp = fp;
            return retPc;
        }
    }

    function callIndirect(World memory w, uint256 ty, uint256 tableIndex, uint256 next) private pure returns (uint256) {
        unchecked {
            uint256 i = w.get(w.sp - 1) & M32;
            Entry memory t = w.entry(1, tableIndex);
            if (i >= t.len) return trapAt(w, Spec.TRAP_TABLE_OUT_OF_BOUNDS, next);
            uint256 r = Worlds.refAt(t, i);
            if (r == 0) return trapAt(w, Spec.TRAP_UNINITIALIZED_ELEMENT, next);
            uint256[6] memory f = w.func(r - 1);
            if (f[0] != ty) return trapAt(w, Spec.TRAP_INDIRECT_CALL_TYPE_MISMATCH, next);
            return call(w, r - 1, 1, next);
        }
    }

    /// Calls function `f` after popping `pop` operands.
    function call(World memory w, uint256 f, uint256 pop, uint256 next) private pure returns (uint256) {
        unchecked {
            uint256[6] memory fn_ = w.func(f);
            if (fn_[1] == 1) {
                // A host function: `HostMachine` runs the call (`Machine.run`).
                (w.host.call, w.host.pop, w.host.nparams, w.host.pc) = (1 + fn_[2], pop, fn_[3], next - 1);
                return next;
            }
            (uint256 entry, uint256 nparams, uint256 nlocals, uint256 frameSize) = (fn_[2], fn_[3], fn_[4], fn_[5]);
            if (w.depth >= Spec.MAX_CALL_DEPTH) return trapAt(w, Spec.TRAP_CALL_STACK_EXHAUSTED, next);
            uint256 sp = (w.sp - pop) & MASK64;
            uint256 newFp = (sp - nparams) & MASK64;
            if ((newFp + frameSize) & MASK64 > Spec.MAX_STACK_SLOTS) {
                return trapAt(w, Spec.TRAP_VALUE_STACK_EXHAUSTED, next);
            }
            w.sp = sp;
            w.pushFrame(next, w.fp);
            w.enter(f);
            w.zero(sp, nlocals < Spec.LOCALS_CHUNK ? nlocals : Spec.LOCALS_CHUNK);
            w.sp = (sp + nlocals) & MASK64;
            w.fp = newFp;
            return entry;
        }
    }

    /// The scalar loads and stores (the generated `MEMOPS` table).
    function memory_(World memory w, uint256 ins, uint256 form, uint256 access) private pure {
        unchecked {
            uint256 fp = w.fp;
            uint256 n = access & 0xf;
            uint256 ea;
            uint256 mem;
            uint256 dst; // the slot a load writes
            uint256 val; // the value a store writes
            uint256 sp; // `sp` after the step
            if (form == Spec.MEM_LOAD) {
                (mem, dst, sp) = (field(ins, 2, 4), (w.sp - 1) & MASK64, w.sp);
                ea = (w.get(dst) & M32) + field(ins, 6, 4);
            } else if (form == Spec.MEM_LOAD_REG) {
                (mem, dst, sp) = (field(ins, 8, 4), fp + field(ins, 2, 2), fp + field(ins, 6, 2));
                ea = (w.get(fp + field(ins, 4, 2)) & M32) + field(ins, 12, 4);
            } else if (form == Spec.MEM_LOAD_AT) {
                (mem, dst, sp) = (field(ins, 6, 2), fp + field(ins, 2, 2), fp + field(ins, 4, 2));
                ea = field(ins, 8, 4) + field(ins, 12, 4);
            } else if (form == Spec.MEM_LOAD_ADD) {
                (mem, dst) = (field(ins, 6, 2), fp + field(ins, 2, 2));
                sp = dst + 1;
                ea = ((w.get(fp + field(ins, 4, 2)) + field(ins, 8, 4)) & M32) + field(ins, 12, 4);
            } else if (form == Spec.MEM_LOAD_IDX) {
                // dst, index, h: u16, value: i32, mem: u16, shift: u8
                (mem, dst, sp) = (field(ins, 12, 2), fp + field(ins, 2, 2), fp + field(ins, 6, 2));
                uint256 shifted = Alu.binary(Spec.ALU_SHL, w.get(fp + field(ins, 4, 2)), field(ins, 14, 1));
                ea = Alu.binary(Spec.ALU_ADD, shifted, field(ins, 8, 4));
            } else if (form == Spec.MEM_STORE) {
                (mem, sp) = (field(ins, 2, 4), (w.sp - 2) & MASK64);
                val = w.get(w.sp - 1);
                ea = (w.get(sp) & M32) + field(ins, 6, 4);
            } else if (form == Spec.MEM_STORE_REG) {
                (mem, sp) = (field(ins, 8, 4), fp + field(ins, 6, 2));
                val = w.get(fp + field(ins, 4, 2));
                ea = (w.get(fp + field(ins, 2, 2)) & M32) + field(ins, 12, 4);
            } else {
                (mem, sp) = (field(ins, 6, 2), fp + field(ins, 4, 2));
                val = w.get(fp + field(ins, 2, 2));
                ea = field(ins, 8, 4) + field(ins, 12, 4);
            }
            Entry memory e = w.entry(0, mem);
            if (ea + n > e.len * Spec.PAGE_SIZE) return trap(w, Spec.TRAP_MEMORY_OUT_OF_BOUNDS);
            if (form >= Spec.MEM_STORE) {
                for (uint256 j = 0; j < n; j++) {
                    Worlds.setByte(e, ea + j, val >> (8 * j));
                }
            } else {
                uint256 v = 0;
                for (uint256 j = 0; j < n; j++) {
                    v |= Worlds.byteAt(e, ea + j) << (8 * j);
                }
                if (access & 0x10 != 0) v = Alu.signExtend(v, 8 * n);
                w.set(dst, v & (access & 0x20 != 0 ? MASK64 : M32));
            }
            w.sp = sp;
        }
    }

    /// The integer operator forms (the generated `OPERATORS` table).
    function operator(World memory w, uint256 ins, uint256 form, uint256 alu, uint256 next)
        private
        view
        returns (uint256)
    {
        unchecked {
            uint256 fp = w.fp;
            if (form == Spec.FORM_BIN) {
                uint256 b = w.get(w.sp - 1);
                uint256 a = w.get(w.sp - 2);
                (uint256 v, uint256 trapKind) = alu >= Spec.FLOAT_BINARY_BASE
                    ? (IFloats(w.floats).binary(alu, a, b), 0)
                    : Alu.binaryTrapping(alu, a, b);
                if (trapKind != 0) return trapAt(w, trapKind, next);
                w.sp = (w.sp - 1) & MASK64;
                w.set(w.sp - 1, v);
            } else if (form == Spec.FORM_BIN_IMM) {
                uint256 c = alu >> 5 == 0 ? Alu.signExtend(field(ins, 2, 4), 32) : field(ins, 2, 8);
                w.set(w.sp - 1, Alu.binary(alu, w.get(w.sp - 1), c));
            } else if (form == Spec.FORM_BIN_REG) {
                (uint256 a, uint256 b) = (w.get(fp + field(ins, 4, 2)), w.get(fp + field(ins, 6, 2)));
                uint256 v = alu >= Spec.FLOAT_BINARY_BASE ? IFloats(w.floats).binary(alu, a, b) : Alu.binary(alu, a, b);
                w.set(fp + field(ins, 2, 2), v);
                w.sp = fp + field(ins, 8, 2);
            } else if (form == Spec.FORM_BIN_IMM_REG) {
                uint256 c = alu >> 5 == 0 ? Alu.signExtend(field(ins, 8, 4), 32) : field(ins, 8, 8);
                // A division by a constant (version 11) traps as its stack form does.
                (uint256 v, uint256 trapKind) = Alu.binaryTrapping(alu, w.get(fp + field(ins, 4, 2)), c);
                if (trapKind != 0) return trapAt(w, trapKind, next);
                w.set(fp + field(ins, 2, 2), v);
                w.sp = fp + field(ins, 6, 2);
            } else if (form == Spec.FORM_UN) {
                (uint256 v, uint256 trapKind) = unary(w, alu, w.get(w.sp - 1));
                if (trapKind != 0) return trapAt(w, trapKind, next);
                w.set(w.sp - 1, v);
            } else if (form == Spec.FORM_UN_REG) {
                (uint256 v,) = unary(w, alu, w.get(fp + field(ins, 4, 2)));
                w.set(fp + field(ins, 2, 2), v);
                w.sp = fp + field(ins, 6, 2);
            } else if (form == Spec.FORM_BR_CMP) {
                // lhs, rhs, h: u16, target: u32
                bool taken = Alu.binary(alu, w.get(fp + field(ins, 2, 2)), w.get(fp + field(ins, 4, 2))) != 0;
                w.sp = fp + field(ins, 6, 2);
                if (taken) return field(ins, 8, 4);
            } else {
                // BR_CMP_IMM, BR_AND_EQZ: lhs, h: u16, value: i32, target: u32
                uint256 v = Alu.binary(alu, w.get(fp + field(ins, 2, 2)), Alu.signExtend(field(ins, 6, 4), 32));
                bool taken = form == Spec.FORM_BR_AND_EQZ ? v == 0 : v != 0;
                w.sp = fp + field(ins, 4, 2);
                if (taken) return field(ins, 10, 4);
            }
            return next;
        }
    }

    /// A unary operator: an integer one here, a float one in `Floats`.
    function unary(World memory w, uint256 op, uint256 a) private view returns (uint256, uint256) {
        if (op >= Spec.FLOAT_UNARY_BASE) return IFloats(w.floats).unary(op, a);
        return (Alu.unary(op, a), 0);
    }

    function trap(World memory w, uint256 kind) private pure {
        w.status = Spec.STATUS_TRAPPED | (kind << 8);
    }

    function trapAt(World memory w, uint256 kind, uint256 next) private pure returns (uint256) {
        trap(w, kind);
        return next;
    }

    /// The `n`-byte little-endian field at byte `off` of an instruction.
    function field(uint256 ins, uint256 off, uint256 n) internal pure returns (uint256) {
        return Openings.rev(ins >> (128 - 8 * (off + n)), n);
    }
}
