use super::{convert::*, float::*, int::*};
use crate::TrapKind::*;

#[test]
fn integer_division_traps() {
    assert_eq!(i32_div_s(7, 0), Err(IntegerDivideByZero));
    assert_eq!(i32_div_s(i32::MIN, -1), Err(IntegerOverflow));
    assert_eq!(i32_div_s(-7, 2), Ok(-3));
    assert_eq!(i32_rem_s(i32::MIN, -1), Ok(0));
    assert_eq!(i32_rem_s(-7, 2), Ok(-1));
    assert_eq!(i64_div_u(1, 0), Err(IntegerDivideByZero));
    assert_eq!(i64_rem_u(u64::MAX, 10), Ok(5));
}

#[test]
fn truncation_bounds() {
    assert_eq!(i32_trunc_f32_s(-2147483648.0), Ok(i32::MIN));
    assert_eq!(i32_trunc_f32_s(2147483648.0), Err(IntegerOverflow));
    assert_eq!(i32_trunc_f32_u(-0.9), Ok(0));
    assert_eq!(i32_trunc_f32_u(-1.0), Err(IntegerOverflow));
    assert_eq!(i32_trunc_f64_s(-2147483648.9), Ok(i32::MIN));
    assert_eq!(i32_trunc_f64_s(-2147483649.0), Err(IntegerOverflow));
    assert_eq!(i64_trunc_f64_u(f64::NAN), Err(InvalidConversionToInteger));
    assert_eq!(i64_trunc_f64_u(18446744073709549568.0), Ok(18446744073709549568));
}

#[test]
fn min_max_zero_signs_and_nan() {
    assert_eq!(f32_min(0.0, -0.0).to_bits(), (-0.0f32).to_bits());
    assert_eq!(f32_max(-0.0, 0.0).to_bits(), 0.0f32.to_bits());
    assert!(f64_min(1.0, f64::NAN).is_nan());
    assert_eq!(canon32(f32::from_bits(0xffc0_0001)), F32_CANONICAL_NAN);
    assert_eq!(canon64(-f64::NAN), F64_CANONICAL_NAN);
}

/// A v128 of four f32 lanes given as bits, lane 0 first.
fn f32x4(l: [u32; 4]) -> u128 {
    l.iter().rev().fold(0, |v, x| v << 32 | *x as u128)
}

#[test]
fn simd_float_nan_lanes_are_canonical_and_the_others_exact() {
    use super::simd::*;
    use crate::simd_ops::{SimdBinary as B, SimdUnary as U};
    let payload = 0x7fa0_0001; // a signalling NaN with a payload
    let neg_nan = 0xffc0_0002;
    let a = f32x4([payload, 1.5f32.to_bits(), neg_nan, 0x8000_0000]);
    let b = f32x4([1.0f32.to_bits(), 2.0f32.to_bits(), 3.0f32.to_bits(), 0]);
    let c = F32_CANONICAL_NAN;
    // Arithmetic: every NaN lane is the canonical NaN, the rest IEEE.
    assert_eq!(binary(B::F32x4Add, a, b), f32x4([c, 3.5f32.to_bits(), c, 0]));
    assert_eq!(binary(B::F32x4Min, a, b), f32x4([c, 1.5f32.to_bits(), c, 0x8000_0000]));
    assert_eq!(unary(U::F32x4Sqrt, a), f32x4([c, 1.5f32.sqrt().to_bits(), c, 0x8000_0000]));
    // pmin and pmax return an operand: payloads survive (`b < a` is false for a NaN).
    assert_eq!(binary(B::F32x4PMin, a, b), f32x4([payload, 1.5f32.to_bits(), neg_nan, 0x8000_0000]));
    assert_eq!(binary(B::F32x4PMax, b, a), f32x4([1.0f32.to_bits(), 2.0f32.to_bits(), 3.0f32.to_bits(), 0]));
    // abs and neg are bit operations.
    assert_eq!(unary(U::F32x4Abs, a), f32x4([payload, 1.5f32.to_bits(), neg_nan & 0x7fff_ffff, 0]));
    assert_eq!(unary(U::F32x4Neg, a), f32x4([payload | 1 << 31, (-1.5f32).to_bits(), 0x7fc0_0002, 0]));
    // demote and promote canonicalise like their scalar forms.
    let d = 0x7ff4_0000_0000_0001u128 | ((-2.5f64).to_bits() as u128) << 64;
    assert_eq!(unary(U::F32x4DemoteF64x2Zero, d), f32x4([c, (-2.5f32).to_bits(), 0, 0]));
    let p = unary(U::F64x2PromoteLowF32x4, a);
    assert_eq!(p, F64_CANONICAL_NAN as u128 | (1.5f64.to_bits() as u128) << 64);
}

#[test]
fn simd_integer_edges() {
    use super::simd::*;
    use crate::simd_ops::{SimdBinary as B, SimdShift as S, SimdTest as T, SimdUnary as U};
    let i16x8 = |l: [i16; 8]| l.iter().rev().fold(0u128, |v, x| v << 16 | *x as u16 as u128);
    let min = i16x8([i16::MIN; 8]);
    // q15mulr saturates only MIN·MIN; dot wraps only when every product is MIN·MIN.
    assert_eq!(binary(B::I16x8Q15MulrSatS, min, min), i16x8([i16::MAX; 8]));
    assert_eq!(binary(B::I32x4DotI16x8S, min, min), 0x8000_0000_8000_0000_8000_0000_8000_0000);
    // abs of the minimum is the minimum; narrow saturates signed lanes.
    assert_eq!(unary(U::I16x8Abs, min), min);
    let n = binary(B::I8x16NarrowI16x8U, i16x8([-1, 0, 255, 256, 7, i16::MIN, i16::MAX, 1]), 0);
    assert_eq!(n & 0xffff_ffff_ffff_ffff, u64::from_le_bytes([0, 0, 255, 255, 7, 0, 255, 1]) as u128);
    // Shift counts are taken modulo the lane width.
    assert_eq!(shift(S::I16x8Shl, i16x8([1; 8]), 17), i16x8([2; 8]));
    assert_eq!(shift(S::I16x8ShrS, min, 15 + 32), i16x8([-1; 8]));
    // Lane 0's top bit is bit 0 of the mask.
    assert_eq!(test(T::I16x8Bitmask, i16x8([-1, 0, 0, 0, 0, 0, 0, -1])), 0b1000_0001);
    assert_eq!(test(T::I8x16AllTrue, u128::MAX >> 8), 0);
    assert_eq!(binary(B::I8x16Swizzle, 0x0f0e_0d0c_0b0a_0908_0706_0504_0302_0100, 0xff10_0f00), 0x0f00);
}
