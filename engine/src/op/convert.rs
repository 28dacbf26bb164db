//! Float-to-integer truncation (the trapping forms; the saturating forms are
//! Rust's `as` casts, which saturate and map NaN to zero exactly as WebAssembly does).

use crate::TrapKind;

macro_rules! trunc {
    ($name:ident, $f:ty, $i:ty, $lo:expr, $hi:expr) => {
        /// Truncates toward zero. Traps with InvalidConversionToInteger on NaN
        /// and IntegerOverflow when the truncated value does not fit.
        #[inline]
        pub fn $name(x: $f) -> Result<$i, TrapKind> {
            if x.is_nan() {
                return Err(TrapKind::InvalidConversionToInteger);
            }
            let t = x.trunc();
            // `$lo` and `$hi` are exactly representable powers of two.
            if ($lo..$hi).contains(&t) { Ok(t as $i) } else { Err(TrapKind::IntegerOverflow) }
        }
    };
}

trunc!(i32_trunc_f32_s, f32, i32, -2147483648.0, 2147483648.0);
trunc!(i32_trunc_f32_u, f32, u32, 0.0, 4294967296.0);
trunc!(i32_trunc_f64_s, f64, i32, -2147483648.0, 2147483648.0);
trunc!(i32_trunc_f64_u, f64, u32, 0.0, 4294967296.0);
trunc!(i64_trunc_f32_s, f32, i64, -9223372036854775808.0, 9223372036854775808.0);
trunc!(i64_trunc_f32_u, f32, u64, 0.0, 18446744073709551616.0);
trunc!(i64_trunc_f64_s, f64, i64, -9223372036854775808.0, 9223372036854775808.0);
trunc!(i64_trunc_f64_u, f64, u64, 0.0, 18446744073709551616.0);
