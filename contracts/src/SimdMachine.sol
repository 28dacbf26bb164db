// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Spec} from "./generated/Spec.sol";
import {Entry, World, Worlds} from "./World.sol";
import {Exec, IFloats} from "./Exec.sol";

/// The SIMD and v128 instructions' steps (engine/src/exec/simd.rs for the
/// operand moves, engine/src/op/simd.rs for what they compute), a contract
/// of its own. A v128 is two slots, low half first; here a `uint256` whose
/// low 128 bits hold it, lane 0 lowest. Float lanes run in `Floats`.
contract SimdMachine {
    using Worlds for World;

    uint256 private constant M64 = 0xffffffffffffffff;
    uint256 private constant M128 = type(uint128).max;
    uint256 private constant F32_SIGNS = 0x80000000800000008000000080000000;
    uint256 private constant F64_SIGNS = (uint256(1) << 63) | (uint256(1) << 127);

    /// Runs the SIMD instruction at `w.pc` over `w`.
    function run(World memory w) external view returns (World memory) {
        uint256 ins = w.instruction(w.pc);
        uint256 op = Exec.decode(ins);
        uint256 next = w.pc + 1;
        (uint256 sp, uint256 words, uint256 trapKind) = step(w, ins, op, next);
        if (trapKind != 0) {
            w.status = Spec.STATUS_TRAPPED | (trapKind << 8);
        } else {
            w.sp = sp & M64;
            w.pc = next + words;
        }
        return w;
    }

    /// The sub-opcode (the `op` byte) of a SIMD shape, checked to be one of
    /// the shape's, as the engine's decoder checks it.
    function sub(uint256 ins, uint256 shape) private pure returns (uint256 code) {
        code = Exec.field(ins, 2, 1);
        bytes memory t = Spec.SIMD_SHAPES;
        uint256 bits = (uint256(uint8(t[2 * code])) << 8) | uint8(t[2 * code + 1]);
        if ((bits >> shape) & 1 == 0) revert Worlds.Missing("an instruction that decodes");
    }

    function get128(World memory w, uint256 at) private pure returns (uint256) {
        return w.get(at) | (w.get(at + 1) << 64);
    }

    function put128(World memory w, uint256 at, uint256 v) private pure {
        w.set(at, v & M64);
        w.set(at + 1, (v >> 64) & M64);
    }

    /// The high half of a 16-byte immediate: the `Hi64` at `at`, or a trap.
    function hi64(World memory w, uint256 at) private pure returns (uint256 bits, bool ok) {
        uint256 ins = w.instruction(at);
        if (Exec.decode(ins) != Spec.OP_HI64) return (0, false);
        return (Exec.field(ins, 2, 8), true);
    }

    /// `(sp, extra code words, trap)` of the step.
    function step(World memory w, uint256 ins, uint256 op, uint256 next)
        private
        view
        returns (uint256, uint256, uint256)
    {
        unchecked {
            uint256 s = w.sp;
            uint256 fp = w.fp;
            if (op == Spec.OP_V128_DROP) return (s - 2, 0, 0);
            if (op == Spec.OP_V128_SELECT) {
                if (w.get(s - 1) & 0xffffffff == 0) {
                    w.set(s - 5, w.get(s - 3));
                    w.set(s - 4, w.get(s - 2));
                }
                return (s - 3, 0, 0);
            }
            if (op == Spec.OP_V128_LOCAL_SET || op == Spec.OP_V128_LOCAL_TEE) {
                uint256 at = fp + Exec.field(ins, 2, 4);
                w.set(at, w.get(s - 2));
                w.set(at + 1, w.get(s - 1));
                return (op == Spec.OP_V128_LOCAL_SET ? s - 2 : s, 0, 0);
            }
            if (op == Spec.OP_V128_GLOBAL_GET) {
                uint256 g = Exec.field(ins, 2, 4);
                w.set(s, w.global(g));
                w.set(s + 1, w.global((g + 1) & 0xffffffff));
                return (s + 2, 0, 0);
            }
            if (op == Spec.OP_V128_GLOBAL_SET) {
                uint256 g = Exec.field(ins, 2, 4);
                w.setGlobal(g, w.get(s - 2));
                w.setGlobal((g + 1) & 0xffffffff, w.get(s - 1));
                return (s - 2, 0, 0);
            }
            if (op == Spec.OP_V128_CONST || op == Spec.OP_I8X16_SHUFFLE) {
                (uint256 hi, bool ok) = hi64(w, next);
                if (!ok) return (s, 0, Spec.TRAP_UNREACHABLE);
                uint256 lo = Exec.field(ins, 2, 8);
                if (op == Spec.OP_V128_CONST) {
                    w.set(s, lo);
                    w.set(s + 1, hi);
                    return (s + 2, 1, 0);
                }
                put128(w, s - 4, shuffle(get128(w, s - 4), get128(w, s - 2), lo | (hi << 64)));
                return (s - 2, 1, 0);
            }
            if (op == Spec.OP_HI64) return (s, 0, Spec.TRAP_UNREACHABLE);
            if (op == Spec.OP_V128_BITSELECT) {
                uint256 c = get128(w, s - 2);
                put128(w, s - 6, (get128(w, s - 6) & c) | (get128(w, s - 4) & ~c & M128));
                return (s - 4, 0, 0);
            }
            if (op == Spec.OP_V128_LOAD || op == Spec.OP_V128_STORE) return memory_(w, ins, op, s);
            if (op == Spec.OP_V128_LOAD_LANE || op == Spec.OP_V128_STORE_LANE) return lane(w, ins, op, s);
            if (op == Spec.OP_V128_SPLAT) {
                put128(w, s - 1, splat(sub(ins, 3), w.get(s - 1)));
                return (s + 1, 0, 0);
            }
            if (op == Spec.OP_V128_EXTRACT_LANE) {
                w.set(s - 2, extract(sub(ins, 4), get128(w, s - 2), Exec.field(ins, 3, 1)));
                return (s - 1, 0, 0);
            }
            if (op == Spec.OP_V128_REPLACE_LANE) {
                uint256 code = sub(ins, 5);
                uint256 width = replaceWidth(code);
                uint256 i = Exec.field(ins, 3, 1) % (16 / width);
                put128(w, s - 3, withLane(get128(w, s - 3), i, width, w.get(s - 1)));
                return (s - 1, 0, 0);
            }
            if (op == Spec.OP_V128_TEST) {
                w.set(s - 2, test(sub(ins, 6), get128(w, s - 2)));
                return (s - 1, 0, 0);
            }
            if (op == Spec.OP_V128_SHIFT) {
                put128(w, s - 3, shift(sub(ins, 7), get128(w, s - 3), w.get(s - 1) & 0xffffffff));
                return (s - 1, 0, 0);
            }
            if (op == Spec.OP_V128_UNARY) {
                put128(w, s - 2, unary(w.floats, sub(ins, 8), get128(w, s - 2)));
                return (s, 0, 0);
            }
            // V128Binary
            put128(w, s - 4, binary(w.floats, sub(ins, 9), get128(w, s - 4), get128(w, s - 2)));
            return (s - 2, 0, 0);
        }
    }

    // ---- memory ----------------------------------------------------------------

    function readBytes(Entry memory e, uint256 ea, uint256 n) private pure returns (uint256 v) {
        for (uint256 j = 0; j < n; j++) {
            v |= Worlds.byteAt(e, ea + j) << (8 * j);
        }
    }

    function writeBytes(Entry memory e, uint256 ea, uint256 n, uint256 v) private pure {
        for (uint256 j = 0; j < n; j++) {
            Worlds.setByte(e, ea + j, v >> (8 * j));
        }
    }

    function memory_(World memory w, uint256 ins, uint256 op, uint256 s)
        private
        pure
        returns (uint256, uint256, uint256)
    {
        unchecked {
            if (op == Spec.OP_V128_LOAD) {
                // op: u8, mem, offset: u32
                uint256 code = sub(ins, 0);
                Entry memory e = w.entry(0, Exec.field(ins, 3, 4));
                uint256 ea = (w.get(s - 1) & 0xffffffff) + Exec.field(ins, 7, 4);
                uint256 n = loadBytes(code);
                if (ea + n > e.len * Spec.PAGE_SIZE) return (s, 0, Spec.TRAP_MEMORY_OUT_OF_BOUNDS);
                put128(w, s - 1, load(code, readBytes(e, ea, n)));
                return (s + 1, 0, 0);
            }
            // V128Store: mem, offset: u32
            Entry memory m = w.entry(0, Exec.field(ins, 2, 4));
            uint256 v = get128(w, s - 2);
            uint256 at = (w.get(s - 3) & 0xffffffff) + Exec.field(ins, 6, 4);
            if (at + 16 > m.len * Spec.PAGE_SIZE) return (s, 0, Spec.TRAP_MEMORY_OUT_OF_BOUNDS);
            writeBytes(m, at, 16, v);
            return (s - 3, 0, 0);
        }
    }

    /// `v128.load*_lane`, `v128.store*_lane`: op, lane: u8, mem, offset: u32.
    function lane(World memory w, uint256 ins, uint256 op, uint256 s) private pure returns (uint256, uint256, uint256) {
        unchecked {
            bool isLoad = op == Spec.OP_V128_LOAD_LANE;
            uint256 code = sub(ins, isLoad ? 1 : 2);
            uint256 n = 1 << (code - (isLoad ? Spec.SIMD_V128_LOAD8_LANE : Spec.SIMD_V128_STORE8_LANE));
            uint256 i = Exec.field(ins, 3, 1) % (16 / n);
            Entry memory e = w.entry(0, Exec.field(ins, 4, 4));
            uint256 v = get128(w, s - 2);
            uint256 ea = (w.get(s - 3) & 0xffffffff) + Exec.field(ins, 8, 4);
            if (ea + n > e.len * Spec.PAGE_SIZE) return (s, 0, Spec.TRAP_MEMORY_OUT_OF_BOUNDS);
            if (isLoad) {
                put128(w, s - 3, withLane(v, i, n, readBytes(e, ea, n)));
                return (s - 1, 0, 0);
            }
            writeBytes(e, ea, n, laneOf(v, i, n));
            return (s - 3, 0, 0);
        }
    }

    function loadBytes(uint256 code) private pure returns (uint256) {
        if (code == Spec.SIMD_V128_LOAD) return 16;
        if (code == Spec.SIMD_V128_LOAD8_SPLAT) return 1;
        if (code == Spec.SIMD_V128_LOAD16_SPLAT) return 2;
        if (code == Spec.SIMD_V128_LOAD32_SPLAT || code == Spec.SIMD_V128_LOAD32_ZERO) return 4;
        return 8;
    }

    /// The v128 a SIMD load makes of the bytes `x` it read.
    function load(uint256 code, uint256 x) private pure returns (uint256) {
        if (code == Spec.SIMD_V128_LOAD || code == Spec.SIMD_V128_LOAD32_ZERO || code == Spec.SIMD_V128_LOAD64_ZERO) {
            return x;
        }
        if (code == Spec.SIMD_V128_LOAD8X8_S) return widen(x, 0, 1, 8, true);
        if (code == Spec.SIMD_V128_LOAD8X8_U) return widen(x, 0, 1, 8, false);
        if (code == Spec.SIMD_V128_LOAD16X4_S) return widen(x, 0, 2, 4, true);
        if (code == Spec.SIMD_V128_LOAD16X4_U) return widen(x, 0, 2, 4, false);
        if (code == Spec.SIMD_V128_LOAD32X2_S) return widen(x, 0, 4, 2, true);
        if (code == Spec.SIMD_V128_LOAD32X2_U) return widen(x, 0, 4, 2, false);
        if (code == Spec.SIMD_V128_LOAD8_SPLAT) return splat(Spec.SIMD_I8X16_SPLAT, x);
        if (code == Spec.SIMD_V128_LOAD16_SPLAT) return splat(Spec.SIMD_I16X8_SPLAT, x);
        if (code == Spec.SIMD_V128_LOAD32_SPLAT) return splat(Spec.SIMD_I32X4_SPLAT, x);
        return splat(Spec.SIMD_I64X2_SPLAT, x);
    }

    // ---- lanes -----------------------------------------------------------------

    function laneOf(uint256 v, uint256 i, uint256 bytes_) private pure returns (uint256) {
        return (v >> (8 * bytes_ * i)) & ((uint256(1) << (8 * bytes_)) - 1);
    }

    function withLane(uint256 v, uint256 i, uint256 bytes_, uint256 x) private pure returns (uint256) {
        uint256 mask = (uint256(1) << (8 * bytes_)) - 1;
        uint256 shift_ = 8 * bytes_ * i;
        return (v & ~(mask << shift_)) | ((x & mask) << shift_);
    }

    function signed(uint256 x, uint256 bytes_) private pure returns (int256) {
        uint256 bits = 8 * bytes_;
        return (x >> (bits - 1)) & 1 == 1 ? int256(x) - int256(uint256(1) << bits) : int256(x);
    }

    /// `n` lanes of `from` bytes starting at lane `first`, each widened to twice its bytes.
    function widen(uint256 v, uint256 first, uint256 from, uint256 n, bool sign) private pure returns (uint256 r) {
        for (uint256 i = 0; i < n; i++) {
            uint256 x = laneOf(v, first + i, from);
            r = withLane(r, i, 2 * from, sign ? uint256(signed(x, from)) : x);
        }
    }

    function splat(uint256 code, uint256 x) private pure returns (uint256 r) {
        uint256 b = code == Spec.SIMD_I8X16_SPLAT ? 1 : code == Spec.SIMD_I16X8_SPLAT ? 2 : code == Spec.SIMD_I32X4_SPLAT
            || code == Spec.SIMD_F32X4_SPLAT ? 4 : 8;
        for (uint256 i = 0; i < 16 / b; i++) {
            r = withLane(r, i, b, x);
        }
    }

    function extract(uint256 code, uint256 v, uint256 laneIndex) private pure returns (uint256) {
        if (code == Spec.SIMD_I8X16_EXTRACT_LANE_S || code == Spec.SIMD_I8X16_EXTRACT_LANE_U) {
            uint256 x = laneOf(v, laneIndex % 16, 1);
            return code == Spec.SIMD_I8X16_EXTRACT_LANE_S ? uint256(signed(x, 1)) & 0xffffffff : x;
        }
        if (code == Spec.SIMD_I16X8_EXTRACT_LANE_S || code == Spec.SIMD_I16X8_EXTRACT_LANE_U) {
            uint256 x = laneOf(v, laneIndex % 8, 2);
            return code == Spec.SIMD_I16X8_EXTRACT_LANE_S ? uint256(signed(x, 2)) & 0xffffffff : x;
        }
        if (code == Spec.SIMD_I32X4_EXTRACT_LANE || code == Spec.SIMD_F32X4_EXTRACT_LANE) return laneOf(v, laneIndex % 4, 4);
        return laneOf(v, laneIndex % 2, 8);
    }

    function replaceWidth(uint256 code) private pure returns (uint256) {
        if (code == Spec.SIMD_I8X16_REPLACE_LANE) return 1;
        if (code == Spec.SIMD_I16X8_REPLACE_LANE) return 2;
        if (code == Spec.SIMD_I32X4_REPLACE_LANE || code == Spec.SIMD_F32X4_REPLACE_LANE) return 4;
        return 8;
    }

    function shuffle(uint256 a, uint256 b, uint256 lanes) private pure returns (uint256 r) {
        uint256 ab = a | (b << 128);
        for (uint256 i = 0; i < 16; i++) {
            uint256 k = laneOf(lanes, i, 1);
            if (k < 32) r |= ((ab >> (8 * k)) & 0xff) << (8 * i);
        }
    }

    function test(uint256 code, uint256 v) private pure returns (uint256) {
        if (code == Spec.SIMD_V128_ANY_TRUE) return v != 0 ? 1 : 0;
        uint256 b = code == Spec.SIMD_I8X16_ALL_TRUE || code == Spec.SIMD_I8X16_BITMASK ? 1 : code
            == Spec.SIMD_I16X8_ALL_TRUE || code == Spec.SIMD_I16X8_BITMASK ? 2 : code == Spec.SIMD_I32X4_ALL_TRUE
            || code == Spec.SIMD_I32X4_BITMASK ? 4 : 8;
        bool all = code == Spec.SIMD_I8X16_ALL_TRUE || code == Spec.SIMD_I16X8_ALL_TRUE
            || code == Spec.SIMD_I32X4_ALL_TRUE || code == Spec.SIMD_I64X2_ALL_TRUE;
        uint256 r = all ? 1 : 0;
        for (uint256 i = 0; i < 16 / b; i++) {
            uint256 x = laneOf(v, i, b);
            if (all) {
                if (x == 0) r = 0;
            } else {
                r |= ((x >> (8 * b - 1)) & 1) << i;
            }
        }
        return r;
    }

    function shift(uint256 code, uint256 v, uint256 n) private pure returns (uint256 r) {
        uint256 b = code <= Spec.SIMD_I8X16_SHR_U ? 1 : code <= Spec.SIMD_I16X8_SHR_U ? 2 : code
            <= Spec.SIMD_I32X4_SHR_U ? 4 : 8;
        uint256 bits = 8 * b;
        n %= bits;
        uint256 mask = (uint256(1) << bits) - 1;
        bool left = code == Spec.SIMD_I8X16_SHL || code == Spec.SIMD_I16X8_SHL || code == Spec.SIMD_I32X4_SHL
            || code == Spec.SIMD_I64X2_SHL;
        bool arith = code == Spec.SIMD_I8X16_SHR_S || code == Spec.SIMD_I16X8_SHR_S || code == Spec.SIMD_I32X4_SHR_S
            || code == Spec.SIMD_I64X2_SHR_S;
        for (uint256 i = 0; i < 16 / b; i++) {
            uint256 x = laneOf(v, i, b);
            uint256 y = left ? (x << n) & mask : arith ? uint256(signed(x, b) >> n) & mask : x >> n;
            r = withLane(r, i, b, y);
        }
    }

    // ---- unary and binary ------------------------------------------------------

    function unary(address floats, uint256 code, uint256 a) private view returns (uint256 r) {
        bytes memory t = Spec.SIMD_LANES;
        uint256 info = uint8(t[2 * code]);
        uint256 k = uint8(t[2 * code + 1]);
        uint256 b = uint256(1) << (info & 15);
        if (info >> 4 == Spec.LANES_INT_UNARY) {
            for (uint256 i = 0; i < 16 / b; i++) {
                uint256 x = laneOf(a, i, b);
                uint256 y;
                if (k == Spec.LANE_UN_ABS) y = uint256(signed(x, b) < 0 ? -signed(x, b) : signed(x, b));
                else if (k == Spec.LANE_UN_NEG) y = uint256(-signed(x, b));
                else y = popcnt(x);
                r = withLane(r, i, b, y);
            }
            return r;
        }
        if (info >> 4 == Spec.LANES_FLOAT_UNARY) return lanesUnary(floats, k, a, b, b, 16 / b);
        if (code == Spec.SIMD_V128_NOT) return ~a & M128;
        if (code == Spec.SIMD_F32X4_ABS) return a & ~F32_SIGNS & M128;
        if (code == Spec.SIMD_F32X4_NEG) return a ^ F32_SIGNS;
        if (code == Spec.SIMD_F64X2_ABS) return a & ~F64_SIGNS & M128;
        if (code == Spec.SIMD_F64X2_NEG) return a ^ F64_SIGNS;
        if (code >= Spec.SIMD_I16X8_EXT_ADD_PAIRWISE_I8X16_S && code <= Spec.SIMD_I32X4_EXT_ADD_PAIRWISE_I16X8_U) {
            uint256 from = code <= Spec.SIMD_I16X8_EXT_ADD_PAIRWISE_I8X16_U ? 1 : 2;
            bool sign = code == Spec.SIMD_I16X8_EXT_ADD_PAIRWISE_I8X16_S || code == Spec.SIMD_I32X4_EXT_ADD_PAIRWISE_I16X8_S;
            for (uint256 i = 0; i < 8 / from; i++) {
                (uint256 x, uint256 y) = (laneOf(a, 2 * i, from), laneOf(a, 2 * i + 1, from));
                int256 sum = sign ? signed(x, from) + signed(y, from) : int256(x + y);
                r = withLane(r, i, 2 * from, uint256(sum));
            }
            return r;
        }
        // The widening extends: low or high half of the lanes.
        if (code == Spec.SIMD_I16X8_EXTEND_LOW_I8X16_S) return widen(a, 0, 1, 8, true);
        if (code == Spec.SIMD_I16X8_EXTEND_HIGH_I8X16_S) return widen(a, 8, 1, 8, true);
        if (code == Spec.SIMD_I16X8_EXTEND_LOW_I8X16_U) return widen(a, 0, 1, 8, false);
        if (code == Spec.SIMD_I16X8_EXTEND_HIGH_I8X16_U) return widen(a, 8, 1, 8, false);
        if (code == Spec.SIMD_I32X4_EXTEND_LOW_I16X8_S) return widen(a, 0, 2, 4, true);
        if (code == Spec.SIMD_I32X4_EXTEND_HIGH_I16X8_S) return widen(a, 4, 2, 4, true);
        if (code == Spec.SIMD_I32X4_EXTEND_LOW_I16X8_U) return widen(a, 0, 2, 4, false);
        if (code == Spec.SIMD_I32X4_EXTEND_HIGH_I16X8_U) return widen(a, 4, 2, 4, false);
        if (code == Spec.SIMD_I64X2_EXTEND_LOW_I32X4_S) return widen(a, 0, 4, 2, true);
        if (code == Spec.SIMD_I64X2_EXTEND_HIGH_I32X4_S) return widen(a, 2, 4, 2, true);
        if (code == Spec.SIMD_I64X2_EXTEND_LOW_I32X4_U) return widen(a, 0, 4, 2, false);
        if (code == Spec.SIMD_I64X2_EXTEND_HIGH_I32X4_U) return widen(a, 2, 4, 2, false);
        // Conversions, lane by lane through the scalar ones: (operator, lane bytes in, out, lanes).
        if (code == Spec.SIMD_I32X4_TRUNC_SAT_F32X4_S) return lanesUnary(floats, Spec.UN_I32_TRUNC_SAT_F32_S, a, 4, 4, 4);
        if (code == Spec.SIMD_I32X4_TRUNC_SAT_F32X4_U) return lanesUnary(floats, Spec.UN_I32_TRUNC_SAT_F32_U, a, 4, 4, 4);
        if (code == Spec.SIMD_F32X4_CONVERT_I32X4_S) return lanesUnary(floats, Spec.UN_F32_CONVERT_I32_S, a, 4, 4, 4);
        if (code == Spec.SIMD_F32X4_CONVERT_I32X4_U) return lanesUnary(floats, Spec.UN_F32_CONVERT_I32_U, a, 4, 4, 4);
        if (code == Spec.SIMD_I32X4_TRUNC_SAT_F64X2_S_ZERO) return lanesUnary(floats, Spec.UN_I32_TRUNC_SAT_F64_S, a, 8, 4, 2);
        if (code == Spec.SIMD_I32X4_TRUNC_SAT_F64X2_U_ZERO) return lanesUnary(floats, Spec.UN_I32_TRUNC_SAT_F64_U, a, 8, 4, 2);
        if (code == Spec.SIMD_F64X2_CONVERT_LOW_I32X4_S) return lanesUnary(floats, Spec.UN_F64_CONVERT_I32_S, a, 4, 8, 2);
        if (code == Spec.SIMD_F64X2_CONVERT_LOW_I32X4_U) return lanesUnary(floats, Spec.UN_F64_CONVERT_I32_U, a, 4, 8, 2);
        if (code == Spec.SIMD_F32X4_DEMOTE_F64X2_ZERO) return lanesUnary(floats, Spec.UN_F32_DEMOTE_F64, a, 8, 4, 2);
        return lanesUnary(floats, Spec.UN_F64_PROMOTE_F32, a, 4, 8, 2); // F64x2PromoteLowF32x4
    }

    /// `n` lanes of `inBytes` from `a`, each through `Floats.unary(op)`, as lanes of `outBytes`.
    function lanesUnary(address floats, uint256 op, uint256 a, uint256 inBytes, uint256 outBytes, uint256 n)
        private
        view
        returns (uint256 r)
    {
        for (uint256 i = 0; i < n; i++) {
            (uint256 y,) = IFloats(floats).unary(op, laneOf(a, i, inBytes));
            r = withLane(r, i, outBytes, y);
        }
    }

    function popcnt(uint256 x) private pure returns (uint256 n) {
        while (x != 0) {
            n += x & 1;
            x >>= 1;
        }
    }

    function clamp(int256 x, int256 lo, int256 hi) private pure returns (uint256) {
        return uint256(x < lo ? lo : x > hi ? hi : x);
    }

    function binary(address floats, uint256 code, uint256 a, uint256 b) private view returns (uint256 r) {
        bytes memory t = Spec.SIMD_LANES;
        uint256 info = uint8(t[2 * code]);
        uint256 k = uint8(t[2 * code + 1]);
        uint256 w = uint256(1) << (info & 15);
        if (info >> 4 == Spec.LANES_INT_BINARY) {
            for (uint256 i = 0; i < 16 / w; i++) {
                r = withLane(r, i, w, intLane(k, laneOf(a, i, w), laneOf(b, i, w), w));
            }
            return r;
        }
        if (info >> 4 == Spec.LANES_FLOAT_BINARY) {
            bool cmp = (k & 15) >= Spec.FLOAT_EQ;
            for (uint256 i = 0; i < 16 / w; i++) {
                uint256 y = IFloats(floats).binary(k, laneOf(a, i, w), laneOf(b, i, w));
                r = withLane(r, i, w, cmp ? (y == 1 ? type(uint256).max : 0) : y);
            }
            return r;
        }
        if (code == Spec.SIMD_V128_AND) return a & b;
        if (code == Spec.SIMD_V128_AND_NOT) return a & ~b & M128;
        if (code == Spec.SIMD_V128_OR) return a | b;
        if (code == Spec.SIMD_V128_XOR) return a ^ b;
        if (code == Spec.SIMD_I8X16_SWIZZLE) {
            for (uint256 i = 0; i < 16; i++) {
                uint256 k2 = laneOf(b, i, 1);
                if (k2 < 16) r |= laneOf(a, k2, 1) << (8 * i);
            }
            return r;
        }
        if (code == Spec.SIMD_F32X4_P_MIN || code == Spec.SIMD_F32X4_P_MAX) return pick(floats, code, a, b, 4);
        if (code == Spec.SIMD_F64X2_P_MIN || code == Spec.SIMD_F64X2_P_MAX) return pick(floats, code, a, b, 8);
        if (code == Spec.SIMD_I8X16_NARROW_I16X8_S) return narrow(a, b, 2, -128, 127);
        if (code == Spec.SIMD_I8X16_NARROW_I16X8_U) return narrow(a, b, 2, 0, 255);
        if (code == Spec.SIMD_I16X8_NARROW_I32X4_S) return narrow(a, b, 4, -32768, 32767);
        if (code == Spec.SIMD_I16X8_NARROW_I32X4_U) return narrow(a, b, 4, 0, 65535);
        if (code == Spec.SIMD_I32X4_DOT_I16X8_S) {
            for (uint256 i = 0; i < 4; i++) {
                int256 p = signed(laneOf(a, 2 * i, 2), 2) * signed(laneOf(b, 2 * i, 2), 2)
                    + signed(laneOf(a, 2 * i + 1, 2), 2) * signed(laneOf(b, 2 * i + 1, 2), 2);
                r = withLane(r, i, 4, uint256(p));
            }
            return r;
        }
        // The extended multiplications: (from bytes, first lane, signed).
        if (code == Spec.SIMD_I16X8_EXT_MUL_LOW_I8X16_S) return extmul(a, b, 1, 0, true);
        if (code == Spec.SIMD_I16X8_EXT_MUL_HIGH_I8X16_S) return extmul(a, b, 1, 8, true);
        if (code == Spec.SIMD_I16X8_EXT_MUL_LOW_I8X16_U) return extmul(a, b, 1, 0, false);
        if (code == Spec.SIMD_I16X8_EXT_MUL_HIGH_I8X16_U) return extmul(a, b, 1, 8, false);
        if (code == Spec.SIMD_I32X4_EXT_MUL_LOW_I16X8_S) return extmul(a, b, 2, 0, true);
        if (code == Spec.SIMD_I32X4_EXT_MUL_HIGH_I16X8_S) return extmul(a, b, 2, 4, true);
        if (code == Spec.SIMD_I32X4_EXT_MUL_LOW_I16X8_U) return extmul(a, b, 2, 0, false);
        if (code == Spec.SIMD_I32X4_EXT_MUL_HIGH_I16X8_U) return extmul(a, b, 2, 4, false);
        if (code == Spec.SIMD_I64X2_EXT_MUL_LOW_I32X4_S) return extmul(a, b, 4, 0, true);
        if (code == Spec.SIMD_I64X2_EXT_MUL_HIGH_I32X4_S) return extmul(a, b, 4, 2, true);
        if (code == Spec.SIMD_I64X2_EXT_MUL_LOW_I32X4_U) return extmul(a, b, 4, 0, false);
        return extmul(a, b, 4, 2, false); // I64x2ExtMulHighI32x4U
    }

    /// One lane of a lane-wise integer operator (`Spec.LANE_*`) on `w`-byte lanes.
    function intLane(uint256 k, uint256 x, uint256 y, uint256 w) private pure returns (uint256) {
        uint256 mask = (uint256(1) << (8 * w)) - 1;
        (int256 sx, int256 sy) = (signed(x, w), signed(y, w));
        int256 lo = -int256(uint256(1) << (8 * w - 1));
        int256 hi = int256(uint256(1) << (8 * w - 1)) - 1;
        unchecked {
            if (k == Spec.LANE_ADD) return (x + y) & mask;
            if (k == Spec.LANE_SUB) return (x - y) & mask;
            if (k == Spec.LANE_MUL) return (x * y) & mask;
            if (k == Spec.LANE_MIN_S) return sx < sy ? x : y;
            if (k == Spec.LANE_MIN_U) return x < y ? x : y;
            if (k == Spec.LANE_MAX_S) return sx > sy ? x : y;
            if (k == Spec.LANE_MAX_U) return x > y ? x : y;
            if (k == Spec.LANE_AVGR_U) return (x + y + 1) >> 1;
            if (k == Spec.LANE_ADD_SAT_S) return clamp(sx + sy, lo, hi) & mask;
            if (k == Spec.LANE_ADD_SAT_U) return x + y > mask ? mask : x + y;
            if (k == Spec.LANE_SUB_SAT_S) return clamp(sx - sy, lo, hi) & mask;
            if (k == Spec.LANE_SUB_SAT_U) return x > y ? x - y : 0;
            if (k == Spec.LANE_Q15_MULR_SAT_S) return clamp((sx * sy + 0x4000) >> 15, lo, hi) & mask;
            bool c;
            if (k == Spec.LANE_EQ) c = x == y;
            else if (k == Spec.LANE_NE) c = x != y;
            else if (k == Spec.LANE_LT_S) c = sx < sy;
            else if (k == Spec.LANE_LT_U) c = x < y;
            else if (k == Spec.LANE_GT_S) c = sx > sy;
            else if (k == Spec.LANE_GT_U) c = x > y;
            else if (k == Spec.LANE_LE_S) c = sx <= sy;
            else if (k == Spec.LANE_LE_U) c = x <= y;
            else if (k == Spec.LANE_GE_S) c = sx >= sy;
            else c = x >= y;
            return c ? mask : 0;
        }
    }

    /// `pmin`/`pmax`: one operand's lane bits, by `y < x` / `x < y`.
    function pick(address floats, uint256 code, uint256 a, uint256 b, uint256 w) private view returns (uint256 r) {
        uint256 lt = w == 4 ? Spec.FLOAT_BINARY_BASE | Spec.FLOAT_LT : Spec.FLOAT_BINARY_BASE | 0x10 | Spec.FLOAT_LT;
        bool isMin = code == Spec.SIMD_F32X4_P_MIN || code == Spec.SIMD_F64X2_P_MIN;
        for (uint256 i = 0; i < 16 / w; i++) {
            (uint256 x, uint256 y) = (laneOf(a, i, w), laneOf(b, i, w));
            bool takeY = isMin ? IFloats(floats).binary(lt, y, x) == 1 : IFloats(floats).binary(lt, x, y) == 1;
            r = withLane(r, i, w, takeY ? y : x);
        }
    }

    /// The signed `from`-byte lanes of `a` then `b`, saturated into lanes of half the width.
    function narrow(uint256 a, uint256 b, uint256 from, int256 lo, int256 hi) private pure returns (uint256 r) {
        uint256 n = 16 / from;
        for (uint256 i = 0; i < 2 * n; i++) {
            uint256 x = i < n ? laneOf(a, i, from) : laneOf(b, i - n, from);
            r = withLane(r, i, from / 2, clamp(signed(x, from), lo, hi));
        }
    }

    function extmul(uint256 a, uint256 b, uint256 from, uint256 first, bool sign) private pure returns (uint256 r) {
        for (uint256 i = 0; i < 8 / from; i++) {
            (uint256 x, uint256 y) = (laneOf(a, first + i, from), laneOf(b, first + i, from));
            uint256 p = sign ? uint256(signed(x, from) * signed(y, from)) : x * y;
            r = withLane(r, i, 2 * from, p);
        }
    }
}
