// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Spec} from "./generated/Spec.sol";

/// The integer operators on 64-bit slots (specs/execution.md §3: an i32 is
/// its low 32 bits, zero-extended in its slot), as `engine/src/exec/sem.rs`
/// and `engine/src/op/int.rs` define them. Numbers: `Spec.ALU_*` (binary,
/// `width << 5 | index`) and `Spec.UN_*` (unary).
library Alu {
    uint256 private constant M32 = 0xffffffff;
    uint256 private constant M64 = 0xffffffffffffffff;

    /// A non-trapping binary operator.
    function binary(uint256 alu, uint256 a, uint256 b) internal pure returns (uint256 v) {
        uint256 trapKind;
        (v, trapKind) = binaryTrapping(alu, a, b);
        require(trapKind == 0);
    }

    /// A binary operator: its result, or the trap it raises (0 for none).
    function binaryTrapping(uint256 alu, uint256 a, uint256 b) internal pure returns (uint256, uint256) {
        uint256 w = alu >> 5 == 0 ? 32 : 64;
        uint256 m = w == 32 ? M32 : M64;
        uint256 k = alu & 31;
        a &= m;
        b &= m;
        int256 sa = signed(a, w);
        int256 sb = signed(b, w);
        unchecked {
            if (k == Spec.ALU_EQ) return (a == b ? 1 : 0, 0);
            if (k == Spec.ALU_NE) return (a != b ? 1 : 0, 0);
            if (k == Spec.ALU_LT_S) return (sa < sb ? 1 : 0, 0);
            if (k == Spec.ALU_LT_U) return (a < b ? 1 : 0, 0);
            if (k == Spec.ALU_GT_S) return (sa > sb ? 1 : 0, 0);
            if (k == Spec.ALU_GT_U) return (a > b ? 1 : 0, 0);
            if (k == Spec.ALU_LE_S) return (sa <= sb ? 1 : 0, 0);
            if (k == Spec.ALU_LE_U) return (a <= b ? 1 : 0, 0);
            if (k == Spec.ALU_GE_S) return (sa >= sb ? 1 : 0, 0);
            if (k == Spec.ALU_GE_U) return (a >= b ? 1 : 0, 0);
            if (k == Spec.ALU_ADD) return ((a + b) & m, 0);
            if (k == Spec.ALU_SUB) return ((a - b) & m, 0);
            if (k == Spec.ALU_MUL) return ((a * b) & m, 0);
            if (k == Spec.ALU_DIV_S || k == Spec.ALU_REM_S) {
                if (b == 0) return (0, Spec.TRAP_INTEGER_DIVIDE_BY_ZERO);
                if (k == Spec.ALU_DIV_S) {
                    if (sa == -int256(1 << (w - 1)) && sb == -1) return (0, Spec.TRAP_INTEGER_OVERFLOW);
                    return (uint256(sa / sb) & m, 0);
                }
                return (uint256(sa % sb) & m, 0);
            }
            if (k == Spec.ALU_DIV_U || k == Spec.ALU_REM_U) {
                if (b == 0) return (0, Spec.TRAP_INTEGER_DIVIDE_BY_ZERO);
                return (k == Spec.ALU_DIV_U ? a / b : a % b, 0);
            }
            if (k == Spec.ALU_AND) return (a & b, 0);
            if (k == Spec.ALU_OR) return (a | b, 0);
            if (k == Spec.ALU_XOR) return (a ^ b, 0);
            uint256 n = b % w;
            if (k == Spec.ALU_SHL) return ((a << n) & m, 0);
            if (k == Spec.ALU_SHR_S) return (uint256(sa >> n) & m, 0);
            if (k == Spec.ALU_SHR_U) return (a >> n, 0);
            if (k == Spec.ALU_ROTL) return (((a << n) | (a >> ((w - n) % w))) & m, 0);
            if (k == Spec.ALU_ROTR) return (((a >> n) | (a << ((w - n) % w))) & m, 0);
        }
        revert("no such operator");
    }

    /// A unary operator.
    function unary(uint256 u, uint256 a) internal pure returns (uint256) {
        uint256 a32 = a & M32;
        a &= M64;
        if (u == Spec.UN_I32_EQZ) return a32 == 0 ? 1 : 0;
        if (u == Spec.UN_I64_EQZ) return a == 0 ? 1 : 0;
        if (u == Spec.UN_I32_CLZ) return clz(a32, 32);
        if (u == Spec.UN_I32_CTZ) return ctz(a32, 32);
        if (u == Spec.UN_I32_POPCNT) return popcnt(a32);
        if (u == Spec.UN_I64_CLZ) return clz(a, 64);
        if (u == Spec.UN_I64_CTZ) return ctz(a, 64);
        if (u == Spec.UN_I64_POPCNT) return popcnt(a);
        if (u == Spec.UN_I32_WRAP_I64) return a32;
        if (u == Spec.UN_I64_EXTEND_I32_S) return uint256(signed(a32, 32)) & M64;
        if (u == Spec.UN_I64_EXTEND_I32_U) return a32;
        if (u == Spec.UN_I32_EXTEND8_S) return uint256(signed(a & 0xff, 8)) & M32;
        if (u == Spec.UN_I32_EXTEND16_S) return uint256(signed(a & 0xffff, 16)) & M32;
        if (u == Spec.UN_I64_EXTEND8_S) return uint256(signed(a & 0xff, 8)) & M64;
        if (u == Spec.UN_I64_EXTEND16_S) return uint256(signed(a & 0xffff, 16)) & M64;
        if (u == Spec.UN_I64_EXTEND32_S) return uint256(signed(a32, 32)) & M64;
        revert("no such operator");
    }

    /// A `bits`-bit two's complement value as a 64-bit slot.
    function signExtend(uint256 v, uint256 bits) internal pure returns (uint256) {
        if ((v >> (bits - 1)) & 1 == 1) v |= M64 & ~((uint256(1) << bits) - 1);
        return v & M64;
    }

    /// The `w`-bit two's complement value of `x`.
    function signed(uint256 x, uint256 w) internal pure returns (int256) {
        unchecked {
            return (x >> (w - 1)) & 1 == 1 ? int256(x) - int256(1 << w) : int256(x);
        }
    }

    function clz(uint256 x, uint256 w) internal pure returns (uint256 n) {
        if (x == 0) return w;
        while ((x >> (w - 1 - n)) & 1 == 0) n++;
    }

    function ctz(uint256 x, uint256 w) internal pure returns (uint256 n) {
        if (x == 0) return w;
        while ((x >> n) & 1 == 0) n++;
    }

    function popcnt(uint256 x) internal pure returns (uint256 n) {
        while (x != 0) {
            n += x & 1;
            x >>= 1;
        }
    }
}
