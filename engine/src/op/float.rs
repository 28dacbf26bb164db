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
#[inline]
pub fn canon32(x: f32) -> u32 {
    if x.is_nan() { F32_CANONICAL_NAN } else { x.to_bits() }
}

/// Canonicalises an f64 arithmetic result.
#[inline]
pub fn canon64(x: f64) -> u64 {
    if x.is_nan() { F64_CANONICAL_NAN } else { x.to_bits() }
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
