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
