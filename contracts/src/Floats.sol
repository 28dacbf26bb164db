// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Spec} from "./generated/Spec.sol";

/// WebAssembly's float instructions on 64-bit slots, bit-exact: IEEE 754
/// binary32 and binary64 with round-to-nearest-even, every arithmetic NaN
/// the canonical one (engine/src/op/float.rs), computed from exact integer
/// arithmetic (an exact value `sig × 2^e`, then one rounding in `pack`).
/// A contract of its own (EIP-170's size limit); `StepVerifier` calls it.
/// Operator numbers: `Spec.FLOAT_*` (chain/src/tables.rs).
contract Floats {
    uint256 private constant M32 = 0xffffffff;
    uint256 private constant M64 = 0xffffffffffffffff;

    // ---- the two formats ---------------------------------------------------

    /// Mantissa bits, exponent bits, bias, total bits of format `w` (0: f32, 1: f64).
    function fmt(uint256 w) private pure returns (uint256 m, uint256 eb, int256 bias, uint256 top) {
        return w == 0 ? (23, 8, int256(127), 31) : (52, 11, int256(1023), 63);
    }

    function canon(uint256 w) private pure returns (uint256) {
        return w == 0 ? 0x7fc00000 : 0x7ff8000000000000;
    }

    function isNaN(uint256 x, uint256 w) private pure returns (bool) {
        (uint256 m, uint256 eb,,) = fmt(w);
        return (x >> m) & ((1 << eb) - 1) == (1 << eb) - 1 && x & ((1 << m) - 1) != 0;
    }

    function isInf(uint256 x, uint256 w) private pure returns (bool) {
        (uint256 m, uint256 eb,,) = fmt(w);
        return (x >> m) & ((1 << eb) - 1) == (1 << eb) - 1 && x & ((1 << m) - 1) == 0;
    }

    /// Zero of either sign.
    function isZero(uint256 x, uint256 w) private pure returns (bool) {
        (,,, uint256 top) = fmt(w);
        return x & ((1 << top) - 1) == 0;
    }

    function signOf(uint256 x, uint256 w) private pure returns (uint256) {
        (,,, uint256 top) = fmt(w);
        return (x >> top) & 1;
    }

    /// A finite, non-zero `x` as `(sign, sig, e)`: its value is `±sig × 2^e`.
    function unpack(uint256 x, uint256 w) private pure returns (uint256 s, uint256 sig, int256 e) {
        (uint256 m, uint256 eb, int256 bias, uint256 top) = fmt(w);
        s = (x >> top) & 1;
        uint256 field = (x >> m) & ((1 << eb) - 1);
        sig = x & ((1 << m) - 1);
        if (field == 0) {
            e = 1 - bias - int256(m);
        } else {
            sig |= 1 << m;
            e = int256(field) - bias - int256(m);
        }
    }

    function bitlen(uint256 x) private pure returns (uint256 n) {
        while (x != 0) {
            x >>= 1;
            n++;
        }
    }

    /// `±sig × 2^e` rounded to nearest, ties to even, in format `w`: the one
    /// rounding every operation below ends with.
    function pack(uint256 s, uint256 sig, int256 e, uint256 w) private pure returns (uint256) {
        (uint256 m, uint256 eb, int256 bias, uint256 top) = fmt(w);
        uint256 sign = s << top;
        if (sig == 0) return sign;
        uint256 len = bitlen(sig);
        int256 lead = int256(len) - 1 + e;
        int256 emin = 1 - bias;
        int256 q = (lead > emin ? lead : emin) - int256(m); // the exponent of one unit in the last place
        int256 shift = q - e;
        uint256 r;
        if (shift <= 0) {
            r = sig << uint256(-shift);
        } else if (uint256(shift) > len) {
            r = 0; // below half a unit
        } else {
            uint256 k = uint256(shift);
            r = sig >> k;
            uint256 rem = sig & ((1 << k) - 1);
            uint256 half = 1 << (k - 1);
            if (rem > half || (rem == half && r & 1 == 1)) r += 1;
        }
        if (r >> (m + 1) != 0) {
            r >>= 1;
            q += 1;
        }
        if (r >> m == 0) return sign | r; // subnormal (or zero)
        int256 field = q + int256(m) + bias;
        uint256 emask = (1 << eb) - 1;
        if (field >= int256(emask)) return sign | (emask << m); // overflow: infinity
        return sign | (uint256(field) << m) | (r & ((1 << m) - 1));
    }

    // ---- arithmetic ----------------------------------------------------------

    function add(uint256 a, uint256 b, uint256 w) private pure returns (uint256) {
        if (isNaN(a, w) || isNaN(b, w)) return canon(w);
        if (isInf(a, w)) return isInf(b, w) && signOf(a, w) != signOf(b, w) ? canon(w) : a;
        if (isInf(b, w)) return b;
        if (isZero(a, w) && isZero(b, w)) return (signOf(a, w) & signOf(b, w)) << (w == 0 ? 31 : 63);
        if (isZero(a, w)) return b;
        if (isZero(b, w)) return a;
        (uint256 sa, uint256 ma, int256 ea) = unpack(a, w);
        (uint256 sb, uint256 mb, int256 eb) = unpack(b, w);
        if (ea < eb) (sa, ma, ea, sb, mb, eb) = (sb, mb, eb, sa, ma, ea);
        (uint256 mbits,,,) = fmt(w);
        // Far below the larger operand, the smaller one only decides which
        // way to round: a single low bit in its place rounds the same.
        if (ea - eb > int256(mbits) + 4) (mb, eb) = (1, ea - int256(mbits) - 4);
        uint256 big = ma << uint256(ea - eb);
        if (sa == sb) return pack(sa, big + mb, eb, w);
        if (big == mb) return 0; // exact cancellation: +0
        return big > mb ? pack(sa, big - mb, eb, w) : pack(sb, mb - big, eb, w);
    }

    function mul(uint256 a, uint256 b, uint256 w) private pure returns (uint256) {
        if (isNaN(a, w) || isNaN(b, w)) return canon(w);
        uint256 s = signOf(a, w) ^ signOf(b, w);
        (,,, uint256 top) = fmt(w);
        if (isInf(a, w) || isInf(b, w)) {
            if (isZero(a, w) || isZero(b, w)) return canon(w);
            (uint256 m, uint256 eb,,) = fmt(w);
            return (s << top) | (((1 << eb) - 1) << m);
        }
        if (isZero(a, w) || isZero(b, w)) return s << top;
        (, uint256 ma, int256 ea) = unpack(a, w);
        (, uint256 mb, int256 eb2) = unpack(b, w);
        return pack(s, ma * mb, ea + eb2, w);
    }

    function div(uint256 a, uint256 b, uint256 w) private pure returns (uint256) {
        if (isNaN(a, w) || isNaN(b, w)) return canon(w);
        uint256 s = signOf(a, w) ^ signOf(b, w);
        (uint256 m, uint256 eb,, uint256 top) = fmt(w);
        uint256 inf = (s << top) | (((1 << eb) - 1) << m);
        if (isInf(a, w)) return isInf(b, w) ? canon(w) : inf;
        if (isInf(b, w)) return s << top;
        if (isZero(b, w)) return isZero(a, w) ? canon(w) : inf;
        if (isZero(a, w)) return s << top;
        (, uint256 ma, int256 ea) = unpack(a, w);
        (, uint256 mb, int256 ebb) = unpack(b, w);
        uint256 k = m + 66; // quotient bits to spare; the remainder becomes a sticky bit
        uint256 num = ma << k;
        uint256 quo = num / mb;
        uint256 sticky = num % mb == 0 ? 0 : 1;
        return pack(s, (quo << 1) | sticky, ea - ebb - int256(k) - 1, w);
    }

    function sqrt(uint256 a, uint256 w) private pure returns (uint256) {
        if (isNaN(a, w)) return canon(w);
        if (isZero(a, w)) return a;
        if (signOf(a, w) == 1) return canon(w);
        if (isInf(a, w)) return a;
        (, uint256 ma, int256 ea) = unpack(a, w);
        (uint256 m,,,) = fmt(w);
        if (ea % 2 != 0) (ma, ea) = (ma << 1, ea - 1);
        uint256 k = m + 10;
        uint256 x = ma << (2 * k);
        uint256 r = isqrt(x);
        uint256 sticky = r * r == x ? 0 : 1;
        return pack(0, (r << 1) | sticky, (ea - int256(2 * k)) / 2 - 1, w);
    }

    function isqrt(uint256 x) private pure returns (uint256 r) {
        if (x == 0) return 0;
        r = 1 << ((bitlen(x) + 1) / 2);
        while (true) {
            uint256 next = (r + x / r) >> 1;
            if (next >= r) break;
            r = next;
        }
        while (r * r > x) r--;
        while ((r + 1) * (r + 1) <= x) r++;
    }

    /// `ceil` (mode 0), `floor` (1), `trunc` (2), `nearest` (3).
    function integral(uint256 a, uint256 w, uint256 mode) private pure returns (uint256) {
        if (isNaN(a, w)) return canon(w);
        if (isInf(a, w) || isZero(a, w)) return a;
        (uint256 s, uint256 sig, int256 e) = unpack(a, w);
        if (e >= 0) return a;
        uint256 f = uint256(-e);
        uint256 i = f < 256 ? sig >> f : 0;
        uint256 rem = f < 256 ? sig - (i << f) : sig;
        bool up;
        if (mode == 0) up = s == 0 && rem != 0;
        else if (mode == 1) up = s == 1 && rem != 0;
        else if (mode == 3) {
            if (f <= 256) {
                uint256 half = 1 << (f - 1);
                up = rem > half || (rem == half && i & 1 == 1);
            }
        }
        if (up) i += 1;
        return pack(s, i, 0, w);
    }

    /// The order of non-NaN values as signed integers (both zeros 0).
    function key(uint256 x, uint256 w) private pure returns (int256) {
        (,,, uint256 top) = fmt(w);
        int256 mag = int256(x & ((1 << top) - 1));
        return (x >> top) & 1 == 1 ? -mag : mag;
    }

    // ---- conversions -----------------------------------------------------------

    /// A float to an `n`-bit integer, truncated: `(value, trap)`; `sat`
    /// saturates (NaN to 0) instead of trapping.
    function toInt(uint256 a, uint256 w, uint256 n, bool signed, bool sat) private pure returns (uint256, uint256) {
        if (isNaN(a, w)) return sat ? (0, 0) : (0, Spec.TRAP_INVALID_CONVERSION_TO_INTEGER);
        uint256 s = signOf(a, w);
        uint256 t; // the truncated magnitude, capped at 2^n + 1
        bool huge = isInf(a, w);
        if (!huge && !isZero(a, w)) {
            (, uint256 sig, int256 e) = unpack(a, w);
            if (e >= 0) {
                if (e > int256(n) + 1) huge = true;
                else t = sig << uint256(e);
            } else {
                t = uint256(-e) < 256 ? sig >> uint256(-e) : 0;
            }
        }
        uint256 cap = 1 << (n + 1);
        if (huge || t > cap) t = cap;
        uint256 mask = (1 << n) - 1;
        uint256 lo = signed ? 1 << (n - 1) : 0; // the largest magnitude below zero
        uint256 hi = signed ? (1 << (n - 1)) - 1 : mask;
        if (s == 1 ? t > lo : t > hi) {
            if (!sat) return (0, Spec.TRAP_INTEGER_OVERFLOW);
            t = s == 1 ? lo : hi;
        }
        return (s == 1 ? ((1 << n) - t) & mask : t, 0);
    }

    /// An `n`-bit integer (signed or not) to format `w`.
    function fromInt(uint256 v, uint256 n, bool signed, uint256 w) private pure returns (uint256) {
        v &= (1 << n) - 1;
        if (signed && (v >> (n - 1)) & 1 == 1) return pack(1, (1 << n) - v, 0, w);
        return pack(0, v, 0, w);
    }

    /// f32 <-> f64: the value, rounded (demotion) or exact (promotion).
    function convert(uint256 a, uint256 from, uint256 to) private pure returns (uint256) {
        if (isNaN(a, from)) return canon(to);
        (uint256 m, uint256 eb,, uint256 top) = fmt(to);
        uint256 s = signOf(a, from);
        if (isInf(a, from)) return (s << top) | (((1 << eb) - 1) << m);
        if (isZero(a, from)) return s << top;
        (, uint256 sig, int256 e) = unpack(a, from);
        return pack(s, sig, e, to);
    }

    // ---- the entry points ------------------------------------------------------

    /// A binary float operator (`Spec.FLOAT_ADD` ... `Spec.FLOAT_GE`, `| 0x10` for f64) on slots.
    function binary(uint256 op, uint256 a, uint256 b) external pure returns (uint256) {
        uint256 w = (op >> 4) & 1;
        uint256 k = op & 15;
        if (k == Spec.FLOAT_COPYSIGN) {
            return w == 0 ? (a & 0x7fffffff) | (b & 0x80000000) : (a & (M64 >> 1)) | (b & (1 << 63));
        }
        uint256 mask = w == 0 ? M32 : M64;
        (a, b) = (a & mask, b & mask);
        if (k == Spec.FLOAT_ADD) return add(a, b, w);
        if (k == Spec.FLOAT_SUB) return add(a, b ^ (1 << (w == 0 ? 31 : 63)), w);
        if (k == Spec.FLOAT_MUL) return mul(a, b, w);
        if (k == Spec.FLOAT_DIV) return div(a, b, w);
        if (k == Spec.FLOAT_MIN || k == Spec.FLOAT_MAX) {
            if (isNaN(a, w) || isNaN(b, w)) return canon(w);
            (int256 ka, int256 kb) = (key(a, w), key(b, w));
            if (ka == kb) return k == Spec.FLOAT_MIN ? a | b : a & b;
            return (ka < kb) == (k == Spec.FLOAT_MIN) ? a : b;
        }
        if (isNaN(a, w) || isNaN(b, w)) return k == Spec.FLOAT_NE ? 1 : 0;
        (int256 x, int256 y) = (key(a, w), key(b, w));
        bool r;
        if (k == Spec.FLOAT_EQ) r = x == y;
        else if (k == Spec.FLOAT_NE) r = x != y;
        else if (k == Spec.FLOAT_LT) r = x < y;
        else if (k == Spec.FLOAT_GT) r = x > y;
        else if (k == Spec.FLOAT_LE) r = x <= y;
        else if (k == Spec.FLOAT_GE) r = x >= y;
        else revert("no such float operator");
        return r ? 1 : 0;
    }

    /// A unary float operator or conversion (`Spec.UN_F32_ABS` ...): `(value, trap)`.
    function unary(uint256 op, uint256 a) external pure returns (uint256, uint256) {
        if (op == Spec.UN_F32_ABS) return (a & 0x7fffffff, 0);
        if (op == Spec.UN_F32_NEG) return (a ^ 0x80000000, 0);
        if (op == Spec.UN_F64_ABS) return (a & (M64 >> 1), 0);
        if (op == Spec.UN_F64_NEG) return ((a ^ (1 << 63)) & M64, 0);
        uint256 a32 = a & M32;
        a &= M64;
        if (op >= Spec.UN_F32_CEIL && op <= Spec.UN_F32_NEAREST) return (integral(a32, 0, op - Spec.UN_F32_CEIL), 0);
        if (op >= Spec.UN_F64_CEIL && op <= Spec.UN_F64_NEAREST) return (integral(a, 1, op - Spec.UN_F64_CEIL), 0);
        if (op == Spec.UN_F32_SQRT) return (sqrt(a32, 0), 0);
        if (op == Spec.UN_F64_SQRT) return (sqrt(a, 1), 0);
        if (op >= Spec.UN_I32_TRUNC_F32_S && op <= Spec.UN_I64_TRUNC_F64_U) {
            uint256 i = op - Spec.UN_I32_TRUNC_F32_S; // i32 f32 s, u; i32 f64 s, u; i64 ...
            uint256 w = (i >> 1) & 1;
            return toInt(w == 0 ? a32 : a, w, i < 4 ? 32 : 64, i & 1 == 0, false);
        }
        if (op >= Spec.UN_I32_TRUNC_SAT_F32_S && op <= Spec.UN_I64_TRUNC_SAT_F64_U) {
            uint256 i = op - Spec.UN_I32_TRUNC_SAT_F32_S;
            uint256 w = (i >> 1) & 1;
            return toInt(w == 0 ? a32 : a, w, i < 4 ? 32 : 64, i & 1 == 0, true);
        }
        if (op >= Spec.UN_F32_CONVERT_I32_S && op <= Spec.UN_F32_CONVERT_I64_U) {
            uint256 i = op - Spec.UN_F32_CONVERT_I32_S; // i32 s, i32 u, i64 s, i64 u
            return (fromInt(a, i < 2 ? 32 : 64, i & 1 == 0, 0), 0);
        }
        if (op >= Spec.UN_F64_CONVERT_I32_S && op <= Spec.UN_F64_CONVERT_I64_U) {
            uint256 i = op - Spec.UN_F64_CONVERT_I32_S;
            return (fromInt(a, i < 2 ? 32 : 64, i & 1 == 0, 1), 0);
        }
        if (op == Spec.UN_F32_DEMOTE_F64) return (convert(a, 1, 0), 0);
        if (op == Spec.UN_F64_PROMOTE_F32) return (convert(a32, 0, 1), 0);
        revert("no such float operator");
    }
}
