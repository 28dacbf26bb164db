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
