//! Float instructions with WebAssembly's exact semantics and NaN canonicalisation.
//!
//! Every arithmetic result that is a NaN becomes the canonical NaN (positive
//! sign, quiet bit only), so all hosts compute identical bits. Bitwise
//! instructions (`abs`, `neg`, `copysign`, reinterpretations, loads, stores)
//! keep NaN payloads, as the specification requires.

/// The canonical f32 NaN.
pub const F32_CANONICAL_NAN: u32 = 0x7fc0_0000;
/// The canonical f64 NaN.
pub const F64_CANONICAL_NAN: u64 = 0x7ff8_0000_0000_0000;

/// Canonicalises an f32 arithmetic result.
///
/// A NaN goes through a cold call, so the compiler branches (predicted not
/// taken) instead of selecting the result after the comparison: the result
/// does not wait for the comparison, which a chain of float instructions
/// would pay for at every step.
#[inline]
pub fn canon32(x: f32) -> u32 {
    if x.is_nan() {
        return nan32();
    }
    x.to_bits()
}

/// Canonicalises an f64 arithmetic result (branching, as [`canon32`]).
#[inline]
pub fn canon64(x: f64) -> u64 {
    if x.is_nan() {
        return nan64();
    }
    x.to_bits()
}

#[cold]
#[inline(never)]
fn nan32() -> u32 {
    F32_CANONICAL_NAN
}

#[cold]
#[inline(never)]
fn nan64() -> u64 {
    F64_CANONICAL_NAN
}

macro_rules! minmax {
    ($min:ident, $max:ident, $t:ty) => {
        /// Minimum: NaN if either operand is NaN; -0 is less than +0.
        #[inline]
        pub fn $min(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                <$t>::NAN
            } else if a == b {
                // Equal but possibly zeros of different sign: prefer the negative.
                <$t>::from_bits(a.to_bits() | b.to_bits())
            } else if a < b {
                a
            } else {
                b
            }
        }

        /// Maximum: NaN if either operand is NaN; +0 is greater than -0.
        #[inline]
        pub fn $max(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                <$t>::NAN
            } else if a == b {
                <$t>::from_bits(a.to_bits() & b.to_bits())
            } else if a > b {
                a
            } else {
                b
            }
        }
    };
}

minmax!(f32_min, f32_max, f32);
minmax!(f64_min, f64_max, f64);
