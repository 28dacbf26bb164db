//! Integer instructions that can trap.

use crate::TrapKind;

macro_rules! int_ops {
    ($div_s:ident, $div_u:ident, $rem_s:ident, $rem_u:ident, $s:ty, $u:ty) => {
        /// Signed division, truncating toward zero.
        /// Traps with IntegerDivideByZero if rhs is zero, IntegerOverflow on MIN / -1.
        #[inline]
        pub fn $div_s(a: $s, b: $s) -> Result<$s, TrapKind> {
            if b == 0 {
                return Err(TrapKind::IntegerDivideByZero);
            }
            a.checked_div(b).ok_or(TrapKind::IntegerOverflow)
        }

        /// Unsigned division. Traps with IntegerDivideByZero if rhs is zero.
        #[inline]
        pub fn $div_u(a: $u, b: $u) -> Result<$u, TrapKind> {
            a.checked_div(b).ok_or(TrapKind::IntegerDivideByZero)
        }

        /// Signed remainder (sign of the dividend; MIN % -1 is 0).
        /// Traps with IntegerDivideByZero if rhs is zero.
        #[inline]
        pub fn $rem_s(a: $s, b: $s) -> Result<$s, TrapKind> {
            if b == 0 {
                return Err(TrapKind::IntegerDivideByZero);
            }
            Ok(a.wrapping_rem(b))
        }

        /// Unsigned remainder. Traps with IntegerDivideByZero if rhs is zero.
        #[inline]
        pub fn $rem_u(a: $u, b: $u) -> Result<$u, TrapKind> {
            a.checked_rem(b).ok_or(TrapKind::IntegerDivideByZero)
        }
    };
}

int_ops!(i32_div_s, i32_div_u, i32_rem_s, i32_rem_u, i32, u32);
int_ops!(i64_div_s, i64_div_u, i64_rem_s, i64_rem_u, i64, u64);

/// Binary operators that have a fused immediate form (`Op::*Imm`): one
/// definition serves both forms.
pub mod bin {
    /// Wrapping addition.
    #[inline(always)]
    pub fn i32_add(a: u32, b: u32) -> u32 {
        a.wrapping_add(b)
    }
    /// Wrapping multiplication.
    #[inline(always)]
    pub fn i32_mul(a: u32, b: u32) -> u32 {
        a.wrapping_mul(b)
    }
    /// Bitwise and.
    #[inline(always)]
    pub fn i32_and(a: u32, b: u32) -> u32 {
        a & b
    }
    /// Bitwise or.
    #[inline(always)]
    pub fn i32_or(a: u32, b: u32) -> u32 {
        a | b
    }
    /// Bitwise exclusive or.
    #[inline(always)]
    pub fn i32_xor(a: u32, b: u32) -> u32 {
        a ^ b
    }
    /// Shift left by `b mod 32`.
    #[inline(always)]
    pub fn i32_shl(a: u32, b: u32) -> u32 {
        a.wrapping_shl(b)
    }
    /// Arithmetic shift right by `b mod 32`.
    #[inline(always)]
    pub fn i32_shr_s(a: i32, b: u32) -> i32 {
        a.wrapping_shr(b)
    }
    /// Logical shift right by `b mod 32`.
    #[inline(always)]
    pub fn i32_shr_u(a: u32, b: u32) -> u32 {
        a.wrapping_shr(b)
    }
    /// Rotate left by `b mod 32`.
    #[inline(always)]
    pub fn i32_rotl(a: u32, b: u32) -> u32 {
        a.rotate_left(b % 32)
    }
    /// Rotate right by `b mod 32`.
    #[inline(always)]
    pub fn i32_rotr(a: u32, b: u32) -> u32 {
        a.rotate_right(b % 32)
    }
    /// Equality.
    #[inline(always)]
    pub fn i32_eq(a: u32, b: u32) -> bool {
        a == b
    }
    /// Inequality.
    #[inline(always)]
    pub fn i32_ne(a: u32, b: u32) -> bool {
        a != b
    }
    /// Signed less than.
    #[inline(always)]
    pub fn i32_lt_s(a: i32, b: i32) -> bool {
        a < b
    }
    /// Unsigned less than.
    #[inline(always)]
    pub fn i32_lt_u(a: u32, b: u32) -> bool {
        a < b
    }
    /// Signed greater than.
    #[inline(always)]
    pub fn i32_gt_s(a: i32, b: i32) -> bool {
        a > b
    }
    /// Unsigned greater than.
    #[inline(always)]
    pub fn i32_gt_u(a: u32, b: u32) -> bool {
        a > b
    }
    /// Signed less or equal.
    #[inline(always)]
    pub fn i32_le_s(a: i32, b: i32) -> bool {
        a <= b
    }
    /// Unsigned less or equal.
    #[inline(always)]
    pub fn i32_le_u(a: u32, b: u32) -> bool {
        a <= b
    }
    /// Signed greater or equal.
    #[inline(always)]
    pub fn i32_ge_s(a: i32, b: i32) -> bool {
        a >= b
    }
    /// Unsigned greater or equal.
    #[inline(always)]
    pub fn i32_ge_u(a: u32, b: u32) -> bool {
        a >= b
    }
    /// Wrapping addition.
    #[inline(always)]
    pub fn i64_add(a: u64, b: u64) -> u64 {
        a.wrapping_add(b)
    }
    /// Wrapping multiplication.
    #[inline(always)]
    pub fn i64_mul(a: u64, b: u64) -> u64 {
        a.wrapping_mul(b)
    }
    /// Bitwise and.
    #[inline(always)]
    pub fn i64_and(a: u64, b: u64) -> u64 {
        a & b
    }
    /// Bitwise or.
    #[inline(always)]
    pub fn i64_or(a: u64, b: u64) -> u64 {
        a | b
    }
    /// Bitwise exclusive or.
    #[inline(always)]
    pub fn i64_xor(a: u64, b: u64) -> u64 {
        a ^ b
    }
    /// Shift left by `b mod 64`.
    #[inline(always)]
    pub fn i64_shl(a: u64, b: u64) -> u64 {
        a.wrapping_shl(b as u32)
    }
    /// Arithmetic shift right by `b mod 64`.
    #[inline(always)]
    pub fn i64_shr_s(a: i64, b: u64) -> i64 {
        a.wrapping_shr(b as u32)
    }
    /// Logical shift right by `b mod 64`.
    #[inline(always)]
    pub fn i64_shr_u(a: u64, b: u64) -> u64 {
        a.wrapping_shr(b as u32)
    }
}
