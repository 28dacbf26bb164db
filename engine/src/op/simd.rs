//! What the SIMD instructions compute (`specs/execution.md` §9.1), lane by
//! lane, on plain arrays with the standard library's integer and float
//! operations: no `std::arch`, no `unsafe`, so every host computes the same
//! bits. A v128 is a `u128` whose lane 0 is in the low bits.
//!
//! One function per shape, each a `match` with one line per instruction.
//! They are not inlined into the interpreter loop, which only moves the
//! operands (`exec.rs`). None of them can trap.

use super::float::{canon32, canon64, f32_max, f32_min, f64_max, f64_min};
use crate::simd_ops::{
    SimdBinary, SimdExtract, SimdLoad, SimdReplace, SimdShift, SimdSplat, SimdTest, SimdUnary,
};

/// A lane type: its little-endian bytes within the vector.
trait Lane: Copy {
    const BYTES: usize;
    fn read(b: &[u8]) -> Self;
    fn write(self, b: &mut [u8]);
}

macro_rules! lane {
    ($($t:ty),*) => {$(
        impl Lane for $t {
            const BYTES: usize = std::mem::size_of::<$t>();
            fn read(b: &[u8]) -> Self {
                <$t>::from_le_bytes(b.try_into().expect("lane width"))
            }
            fn write(self, b: &mut [u8]) {
                b.copy_from_slice(&self.to_le_bytes());
            }
        }
    )*};
}
lane!(i8, u8, i16, u16, i32, u32, i64, u64);

/// The first `N` lanes of type `L` of `v`.
fn split<L: Lane, const N: usize>(v: u128) -> [L; N] {
    let b = v.to_le_bytes();
    std::array::from_fn(|i| L::read(&b[i * L::BYTES..(i + 1) * L::BYTES]))
}

/// The vector whose first `N` lanes of type `L` are `lanes`, the rest zero.
fn join<L: Lane, const N: usize>(lanes: [L; N]) -> u128 {
    let mut b = [0u8; 16];
    for (i, x) in lanes.into_iter().enumerate() {
        x.write(&mut b[i * L::BYTES..(i + 1) * L::BYTES]);
    }
    u128::from_le_bytes(b)
}

fn map<L: Lane, const N: usize>(a: u128, f: impl Fn(L) -> L) -> u128 {
    join::<L, N>(split::<L, N>(a).map(f))
}

fn zip<L: Lane, const N: usize>(a: u128, b: u128, f: impl Fn(L, L) -> L) -> u128 {
    let (x, y) = (split::<L, N>(a), split::<L, N>(b));
    join::<L, N>(std::array::from_fn(|i| f(x[i], y[i])))
}

/// Lane `i` all ones where `f` holds for lane `i` of `a` and `b`, else zero.
fn cmp<L: Lane, const N: usize>(a: u128, b: u128, f: impl Fn(L, L) -> bool) -> u128 {
    let (x, y) = (split::<L, N>(a), split::<L, N>(b));
    let mut out = [0u8; 16];
    for i in (0..N).filter(|&i| f(x[i], y[i])) {
        out[i * L::BYTES..(i + 1) * L::BYTES].fill(0xff);
    }
    u128::from_le_bytes(out)
}

/// `f` on the float lanes (held as bits), each NaN result canonicalised.
fn f32_un(a: u128, f: impl Fn(f32) -> f32) -> u128 {
    map::<u32, 4>(a, |x| canon32(f(f32::from_bits(x))))
}
fn f64_un(a: u128, f: impl Fn(f64) -> f64) -> u128 {
    map::<u64, 2>(a, |x| canon64(f(f64::from_bits(x))))
}
fn f32_bin(a: u128, b: u128, f: impl Fn(f32, f32) -> f32) -> u128 {
    zip::<u32, 4>(a, b, |x, y| canon32(f(f32::from_bits(x), f32::from_bits(y))))
}
fn f64_bin(a: u128, b: u128, f: impl Fn(f64, f64) -> f64) -> u128 {
    zip::<u64, 2>(a, b, |x, y| canon64(f(f64::from_bits(x), f64::from_bits(y))))
}
fn f32_cmp(a: u128, b: u128, f: impl Fn(f32, f32) -> bool) -> u128 {
    cmp::<u32, 4>(a, b, |x, y| f(f32::from_bits(x), f32::from_bits(y)))
}
fn f64_cmp(a: u128, b: u128, f: impl Fn(f64, f64) -> bool) -> u128 {
    cmp::<u64, 2>(a, b, |x, y| f(f64::from_bits(x), f64::from_bits(y)))
}
/// `pick(x, y)` chooses one operand's bits, so NaN payloads survive.
fn f32_pick(a: u128, b: u128, pick: impl Fn(f32, f32) -> bool) -> u128 {
    zip::<u32, 4>(a, b, |x, y| if pick(f32::from_bits(x), f32::from_bits(y)) { y } else { x })
}
fn f64_pick(a: u128, b: u128, pick: impl Fn(f64, f64) -> bool) -> u128 {
    zip::<u64, 2>(a, b, |x, y| if pick(f64::from_bits(x), f64::from_bits(y)) { y } else { x })
}

/// Lanes `from .. from + M` of `a`, each widened by `f`, as `M` lanes.
fn widen<L: Lane, W: Lane, const N: usize, const M: usize>(a: u128, from: usize, f: impl Fn(L) -> W) -> u128 {
    let x = split::<L, N>(a);
    join::<W, M>(std::array::from_fn(|i| f(x[from + i])))
}

/// Lanes `from .. from + M` of `a` and `b` multiplied, widened.
fn extmul<L: Lane, W: Lane, const N: usize, const M: usize>(
    a: u128,
    b: u128,
    from: usize,
    f: impl Fn(L, L) -> W,
) -> u128 {
    let (x, y) = (split::<L, N>(a), split::<L, N>(b));
    join::<W, M>(std::array::from_fn(|i| f(x[from + i], y[from + i])))
}

/// Adjacent lane pairs of `a`, widened and added.
fn pairwise<L: Lane, W: Lane, const N: usize, const M: usize>(a: u128, f: impl Fn(L, L) -> W) -> u128 {
    let x = split::<L, N>(a);
    join::<W, M>(std::array::from_fn(|i| f(x[2 * i], x[2 * i + 1])))
}

/// The `N` signed lanes of `a` then of `b`, each saturated by `f` to `M = 2N` narrower lanes.
fn narrow<L: Lane, W: Lane, const N: usize, const M: usize>(a: u128, b: u128, f: impl Fn(L) -> W) -> u128 {
    let (x, y) = (split::<L, N>(a), split::<L, N>(b));
    join::<W, M>(std::array::from_fn(|i| f(if i < N { x[i] } else { y[i - N] })))
}

fn all_true<L: Lane + PartialEq + Default, const N: usize>(a: u128) -> u32 {
    split::<L, N>(a).iter().all(|x| *x != L::default()) as u32
}

/// The top bit of each of the `N` lanes of `a`, lane 0 in bit 0.
fn bitmask<const N: usize>(a: u128) -> u32 {
    let width = 128 / N;
    (0..N).fold(0, |m, i| m | (((a >> (i * width + width - 1)) & 1) as u32) << i)
}

/// The sign bits of the float lanes.
const F32_SIGNS: u128 = 0x8000_0000_8000_0000_8000_0000_8000_0000;
const F64_SIGNS: u128 = 1 << 63 | 1 << 127;

/// `v128` to `v128`. NaN lanes of the float arithmetic are canonical.
#[inline(never)]
pub fn unary(op: SimdUnary, a: u128) -> u128 {
    use SimdUnary::*;
    match op {
        V128Not => !a,
        I8x16Abs => map::<i8, 16>(a, i8::wrapping_abs),
        I8x16Neg => map::<i8, 16>(a, i8::wrapping_neg),
        I8x16Popcnt => map::<u8, 16>(a, |x| x.count_ones() as u8),
        I16x8Abs => map::<i16, 8>(a, i16::wrapping_abs),
        I16x8Neg => map::<i16, 8>(a, i16::wrapping_neg),
        I32x4Abs => map::<i32, 4>(a, i32::wrapping_abs),
        I32x4Neg => map::<i32, 4>(a, i32::wrapping_neg),
        I64x2Abs => map::<i64, 2>(a, i64::wrapping_abs),
        I64x2Neg => map::<i64, 2>(a, i64::wrapping_neg),
        I16x8ExtAddPairwiseI8x16S => pairwise::<i8, i16, 16, 8>(a, |x, y| x as i16 + y as i16),
        I16x8ExtAddPairwiseI8x16U => pairwise::<u8, u16, 16, 8>(a, |x, y| x as u16 + y as u16),
        I32x4ExtAddPairwiseI16x8S => pairwise::<i16, i32, 8, 4>(a, |x, y| x as i32 + y as i32),
        I32x4ExtAddPairwiseI16x8U => pairwise::<u16, u32, 8, 4>(a, |x, y| x as u32 + y as u32),
        I16x8ExtendLowI8x16S => widen::<i8, i16, 16, 8>(a, 0, i16::from),
        I16x8ExtendHighI8x16S => widen::<i8, i16, 16, 8>(a, 8, i16::from),
        I16x8ExtendLowI8x16U => widen::<u8, u16, 16, 8>(a, 0, u16::from),
        I16x8ExtendHighI8x16U => widen::<u8, u16, 16, 8>(a, 8, u16::from),
        I32x4ExtendLowI16x8S => widen::<i16, i32, 8, 4>(a, 0, i32::from),
        I32x4ExtendHighI16x8S => widen::<i16, i32, 8, 4>(a, 4, i32::from),
        I32x4ExtendLowI16x8U => widen::<u16, u32, 8, 4>(a, 0, u32::from),
        I32x4ExtendHighI16x8U => widen::<u16, u32, 8, 4>(a, 4, u32::from),
        I64x2ExtendLowI32x4S => widen::<i32, i64, 4, 2>(a, 0, i64::from),
        I64x2ExtendHighI32x4S => widen::<i32, i64, 4, 2>(a, 2, i64::from),
        I64x2ExtendLowI32x4U => widen::<u32, u64, 4, 2>(a, 0, u64::from),
        I64x2ExtendHighI32x4U => widen::<u32, u64, 4, 2>(a, 2, u64::from),
        // Sign bit operations on the bits: payloads survive.
        F32x4Abs => a & !F32_SIGNS,
        F32x4Neg => a ^ F32_SIGNS,
        F64x2Abs => a & !F64_SIGNS,
        F64x2Neg => a ^ F64_SIGNS,
        F32x4Ceil => f32_un(a, f32::ceil),
        F32x4Floor => f32_un(a, f32::floor),
        F32x4Trunc => f32_un(a, f32::trunc),
        F32x4Nearest => f32_un(a, f32::round_ties_even),
        F32x4Sqrt => f32_un(a, f32::sqrt),
        F64x2Ceil => f64_un(a, f64::ceil),
        F64x2Floor => f64_un(a, f64::floor),
        F64x2Trunc => f64_un(a, f64::trunc),
        F64x2Nearest => f64_un(a, f64::round_ties_even),
        F64x2Sqrt => f64_un(a, f64::sqrt),
        // `as` saturates and maps NaN to 0, which is `trunc_sat`.
        I32x4TruncSatF32x4S => map::<u32, 4>(a, |x| f32::from_bits(x) as i32 as u32),
        I32x4TruncSatF32x4U => map::<u32, 4>(a, |x| f32::from_bits(x) as u32),
        F32x4ConvertI32x4S => map::<u32, 4>(a, |x| (x as i32 as f32).to_bits()),
        F32x4ConvertI32x4U => map::<u32, 4>(a, |x| (x as f32).to_bits()),
        I32x4TruncSatF64x2SZero => widen::<u64, u32, 2, 2>(a, 0, |x| f64::from_bits(x) as i32 as u32),
        I32x4TruncSatF64x2UZero => widen::<u64, u32, 2, 2>(a, 0, |x| f64::from_bits(x) as u32),
        F64x2ConvertLowI32x4S => widen::<i32, u64, 4, 2>(a, 0, |x| (x as f64).to_bits()),
        F64x2ConvertLowI32x4U => widen::<u32, u64, 4, 2>(a, 0, |x| (x as f64).to_bits()),
        F32x4DemoteF64x2Zero => widen::<u64, u32, 2, 2>(a, 0, |x| canon32(f64::from_bits(x) as f32)),
        F64x2PromoteLowF32x4 => widen::<u32, u64, 4, 2>(a, 0, |x| canon64(f32::from_bits(x) as f64)),
    }
}

/// Two `v128` to a `v128`. NaN lanes of the float arithmetic are canonical.
#[inline(never)]
pub fn binary(op: SimdBinary, a: u128, b: u128) -> u128 {
    use SimdBinary::*;
    match op {
        V128And => a & b,
        V128AndNot => a & !b,
        V128Or => a | b,
        V128Xor => a ^ b,
        I8x16Swizzle => {
            let (x, s) = (a.to_le_bytes(), b.to_le_bytes());
            u128::from_le_bytes(s.map(|i| x.get(i as usize).copied().unwrap_or(0)))
        }
        I8x16Eq => cmp::<u8, 16>(a, b, |x, y| x == y),
        I8x16Ne => cmp::<u8, 16>(a, b, |x, y| x != y),
        I8x16LtS => cmp::<i8, 16>(a, b, |x, y| x < y),
        I8x16LtU => cmp::<u8, 16>(a, b, |x, y| x < y),
        I8x16GtS => cmp::<i8, 16>(a, b, |x, y| x > y),
        I8x16GtU => cmp::<u8, 16>(a, b, |x, y| x > y),
        I8x16LeS => cmp::<i8, 16>(a, b, |x, y| x <= y),
        I8x16LeU => cmp::<u8, 16>(a, b, |x, y| x <= y),
        I8x16GeS => cmp::<i8, 16>(a, b, |x, y| x >= y),
        I8x16GeU => cmp::<u8, 16>(a, b, |x, y| x >= y),
        I16x8Eq => cmp::<u16, 8>(a, b, |x, y| x == y),
        I16x8Ne => cmp::<u16, 8>(a, b, |x, y| x != y),
        I16x8LtS => cmp::<i16, 8>(a, b, |x, y| x < y),
        I16x8LtU => cmp::<u16, 8>(a, b, |x, y| x < y),
        I16x8GtS => cmp::<i16, 8>(a, b, |x, y| x > y),
        I16x8GtU => cmp::<u16, 8>(a, b, |x, y| x > y),
        I16x8LeS => cmp::<i16, 8>(a, b, |x, y| x <= y),
        I16x8LeU => cmp::<u16, 8>(a, b, |x, y| x <= y),
        I16x8GeS => cmp::<i16, 8>(a, b, |x, y| x >= y),
        I16x8GeU => cmp::<u16, 8>(a, b, |x, y| x >= y),
        I32x4Eq => cmp::<u32, 4>(a, b, |x, y| x == y),
        I32x4Ne => cmp::<u32, 4>(a, b, |x, y| x != y),
        I32x4LtS => cmp::<i32, 4>(a, b, |x, y| x < y),
        I32x4LtU => cmp::<u32, 4>(a, b, |x, y| x < y),
        I32x4GtS => cmp::<i32, 4>(a, b, |x, y| x > y),
        I32x4GtU => cmp::<u32, 4>(a, b, |x, y| x > y),
        I32x4LeS => cmp::<i32, 4>(a, b, |x, y| x <= y),
        I32x4LeU => cmp::<u32, 4>(a, b, |x, y| x <= y),
        I32x4GeS => cmp::<i32, 4>(a, b, |x, y| x >= y),
        I32x4GeU => cmp::<u32, 4>(a, b, |x, y| x >= y),
        I64x2Eq => cmp::<u64, 2>(a, b, |x, y| x == y),
        I64x2Ne => cmp::<u64, 2>(a, b, |x, y| x != y),
        I64x2LtS => cmp::<i64, 2>(a, b, |x, y| x < y),
        I64x2GtS => cmp::<i64, 2>(a, b, |x, y| x > y),
        I64x2LeS => cmp::<i64, 2>(a, b, |x, y| x <= y),
        I64x2GeS => cmp::<i64, 2>(a, b, |x, y| x >= y),
        F32x4Eq => f32_cmp(a, b, |x, y| x == y),
        F32x4Ne => f32_cmp(a, b, |x, y| x != y),
        F32x4Lt => f32_cmp(a, b, |x, y| x < y),
        F32x4Gt => f32_cmp(a, b, |x, y| x > y),
        F32x4Le => f32_cmp(a, b, |x, y| x <= y),
        F32x4Ge => f32_cmp(a, b, |x, y| x >= y),
        F64x2Eq => f64_cmp(a, b, |x, y| x == y),
        F64x2Ne => f64_cmp(a, b, |x, y| x != y),
        F64x2Lt => f64_cmp(a, b, |x, y| x < y),
        F64x2Gt => f64_cmp(a, b, |x, y| x > y),
        F64x2Le => f64_cmp(a, b, |x, y| x <= y),
        F64x2Ge => f64_cmp(a, b, |x, y| x >= y),
        I8x16NarrowI16x8S => {
            narrow::<i16, i8, 8, 16>(a, b, |x| x.clamp(i8::MIN as i16, i8::MAX as i16) as i8)
        }
        I8x16NarrowI16x8U => narrow::<i16, u8, 8, 16>(a, b, |x| x.clamp(0, u8::MAX as i16) as u8),
        I16x8NarrowI32x4S => {
            narrow::<i32, i16, 4, 8>(a, b, |x| x.clamp(i16::MIN as i32, i16::MAX as i32) as i16)
        }
        I16x8NarrowI32x4U => narrow::<i32, u16, 4, 8>(a, b, |x| x.clamp(0, u16::MAX as i32) as u16),
        I8x16Add => zip::<u8, 16>(a, b, u8::wrapping_add),
        I8x16AddSatS => zip::<i8, 16>(a, b, i8::saturating_add),
        I8x16AddSatU => zip::<u8, 16>(a, b, u8::saturating_add),
        I8x16Sub => zip::<u8, 16>(a, b, u8::wrapping_sub),
        I8x16SubSatS => zip::<i8, 16>(a, b, i8::saturating_sub),
        I8x16SubSatU => zip::<u8, 16>(a, b, u8::saturating_sub),
        I8x16MinS => zip::<i8, 16>(a, b, i8::min),
        I8x16MinU => zip::<u8, 16>(a, b, u8::min),
        I8x16MaxS => zip::<i8, 16>(a, b, i8::max),
        I8x16MaxU => zip::<u8, 16>(a, b, u8::max),
        I8x16AvgrU => zip::<u8, 16>(a, b, |x, y| ((x as u16 + y as u16 + 1) >> 1) as u8),
        I16x8Q15MulrSatS => zip::<i16, 8>(a, b, |x, y| {
            ((x as i32 * y as i32 + 0x4000) >> 15).clamp(i16::MIN as i32, i16::MAX as i32) as i16
        }),
        I16x8Add => zip::<u16, 8>(a, b, u16::wrapping_add),
        I16x8AddSatS => zip::<i16, 8>(a, b, i16::saturating_add),
        I16x8AddSatU => zip::<u16, 8>(a, b, u16::saturating_add),
        I16x8Sub => zip::<u16, 8>(a, b, u16::wrapping_sub),
        I16x8SubSatS => zip::<i16, 8>(a, b, i16::saturating_sub),
        I16x8SubSatU => zip::<u16, 8>(a, b, u16::saturating_sub),
        I16x8Mul => zip::<u16, 8>(a, b, u16::wrapping_mul),
        I16x8MinS => zip::<i16, 8>(a, b, i16::min),
        I16x8MinU => zip::<u16, 8>(a, b, u16::min),
        I16x8MaxS => zip::<i16, 8>(a, b, i16::max),
        I16x8MaxU => zip::<u16, 8>(a, b, u16::max),
        I16x8AvgrU => zip::<u16, 8>(a, b, |x, y| ((x as u32 + y as u32 + 1) >> 1) as u16),
        I16x8ExtMulLowI8x16S => extmul::<i8, i16, 16, 8>(a, b, 0, |x, y| x as i16 * y as i16),
        I16x8ExtMulHighI8x16S => extmul::<i8, i16, 16, 8>(a, b, 8, |x, y| x as i16 * y as i16),
        I16x8ExtMulLowI8x16U => extmul::<u8, u16, 16, 8>(a, b, 0, |x, y| x as u16 * y as u16),
        I16x8ExtMulHighI8x16U => extmul::<u8, u16, 16, 8>(a, b, 8, |x, y| x as u16 * y as u16),
        I32x4Add => zip::<u32, 4>(a, b, u32::wrapping_add),
        I32x4Sub => zip::<u32, 4>(a, b, u32::wrapping_sub),
        I32x4Mul => zip::<u32, 4>(a, b, u32::wrapping_mul),
        I32x4MinS => zip::<i32, 4>(a, b, i32::min),
        I32x4MinU => zip::<u32, 4>(a, b, u32::min),
        I32x4MaxS => zip::<i32, 4>(a, b, i32::max),
        I32x4MaxU => zip::<u32, 4>(a, b, u32::max),
        I32x4DotI16x8S => {
            let (x, y) = (split::<i16, 8>(a), split::<i16, 8>(b));
            let p = |i: usize| x[i] as i32 * y[i] as i32;
            join::<i32, 4>(std::array::from_fn(|i| p(2 * i).wrapping_add(p(2 * i + 1))))
        }
        I32x4ExtMulLowI16x8S => extmul::<i16, i32, 8, 4>(a, b, 0, |x, y| x as i32 * y as i32),
        I32x4ExtMulHighI16x8S => extmul::<i16, i32, 8, 4>(a, b, 4, |x, y| x as i32 * y as i32),
        I32x4ExtMulLowI16x8U => extmul::<u16, u32, 8, 4>(a, b, 0, |x, y| x as u32 * y as u32),
        I32x4ExtMulHighI16x8U => extmul::<u16, u32, 8, 4>(a, b, 4, |x, y| x as u32 * y as u32),
        I64x2Add => zip::<u64, 2>(a, b, u64::wrapping_add),
        I64x2Sub => zip::<u64, 2>(a, b, u64::wrapping_sub),
        I64x2Mul => zip::<u64, 2>(a, b, u64::wrapping_mul),
        I64x2ExtMulLowI32x4S => extmul::<i32, i64, 4, 2>(a, b, 0, |x, y| x as i64 * y as i64),
        I64x2ExtMulHighI32x4S => extmul::<i32, i64, 4, 2>(a, b, 2, |x, y| x as i64 * y as i64),
        I64x2ExtMulLowI32x4U => extmul::<u32, u64, 4, 2>(a, b, 0, |x, y| x as u64 * y as u64),
        I64x2ExtMulHighI32x4U => extmul::<u32, u64, 4, 2>(a, b, 2, |x, y| x as u64 * y as u64),
        F32x4Add => f32_bin(a, b, |x, y| x + y),
        F32x4Sub => f32_bin(a, b, |x, y| x - y),
        F32x4Mul => f32_bin(a, b, |x, y| x * y),
        F32x4Div => f32_bin(a, b, |x, y| x / y),
        F32x4Min => f32_bin(a, b, f32_min),
        F32x4Max => f32_bin(a, b, f32_max),
        F32x4PMin => f32_pick(a, b, |x, y| y < x),
        F32x4PMax => f32_pick(a, b, |x, y| x < y),
        F64x2Add => f64_bin(a, b, |x, y| x + y),
        F64x2Sub => f64_bin(a, b, |x, y| x - y),
        F64x2Mul => f64_bin(a, b, |x, y| x * y),
        F64x2Div => f64_bin(a, b, |x, y| x / y),
        F64x2Min => f64_bin(a, b, f64_min),
        F64x2Max => f64_bin(a, b, f64_max),
        F64x2PMin => f64_pick(a, b, |x, y| y < x),
        F64x2PMax => f64_pick(a, b, |x, y| x < y),
    }
}

/// `v128.bitselect`: the bits of `a` where `c` is set, of `b` elsewhere.
#[inline]
pub fn bitselect(a: u128, b: u128, c: u128) -> u128 {
    (a & c) | (b & !c)
}

/// `i8x16.shuffle`: lane `i` is byte `lanes[i]` of `a ‖ b`; an index past
/// 31 (which validation refuses) gives 0.
#[inline(never)]
pub fn shuffle(a: u128, b: u128, lanes: u128) -> u128 {
    let mut ab = [0u8; 32];
    ab[..16].copy_from_slice(&a.to_le_bytes());
    ab[16..].copy_from_slice(&b.to_le_bytes());
    u128::from_le_bytes(lanes.to_le_bytes().map(|i| ab.get(i as usize).copied().unwrap_or(0)))
}

/// A `v128` to an `i32`.
#[inline(never)]
pub fn test(op: SimdTest, a: u128) -> u32 {
    use SimdTest::*;
    match op {
        V128AnyTrue => (a != 0) as u32,
        I8x16AllTrue => all_true::<u8, 16>(a),
        I16x8AllTrue => all_true::<u16, 8>(a),
        I32x4AllTrue => all_true::<u32, 4>(a),
        I64x2AllTrue => all_true::<u64, 2>(a),
        I8x16Bitmask => bitmask::<16>(a),
        I16x8Bitmask => bitmask::<8>(a),
        I32x4Bitmask => bitmask::<4>(a),
        I64x2Bitmask => bitmask::<2>(a),
    }
}

/// Shifts by `s` modulo the lane width (`wrapping_sh*` take it modulo).
#[inline(never)]
pub fn shift(op: SimdShift, a: u128, s: u32) -> u128 {
    use SimdShift::*;
    match op {
        I8x16Shl => map::<u8, 16>(a, |x| x.wrapping_shl(s)),
        I8x16ShrS => map::<i8, 16>(a, |x| x.wrapping_shr(s)),
        I8x16ShrU => map::<u8, 16>(a, |x| x.wrapping_shr(s)),
        I16x8Shl => map::<u16, 8>(a, |x| x.wrapping_shl(s)),
        I16x8ShrS => map::<i16, 8>(a, |x| x.wrapping_shr(s)),
        I16x8ShrU => map::<u16, 8>(a, |x| x.wrapping_shr(s)),
        I32x4Shl => map::<u32, 4>(a, |x| x.wrapping_shl(s)),
        I32x4ShrS => map::<i32, 4>(a, |x| x.wrapping_shr(s)),
        I32x4ShrU => map::<u32, 4>(a, |x| x.wrapping_shr(s)),
        I64x2Shl => map::<u64, 2>(a, |x| x.wrapping_shl(s)),
        I64x2ShrS => map::<i64, 2>(a, |x| x.wrapping_shr(s)),
        I64x2ShrU => map::<u64, 2>(a, |x| x.wrapping_shr(s)),
    }
}

/// A scalar (as a slot) into every lane.
#[inline(never)]
pub fn splat(op: SimdSplat, x: u64) -> u128 {
    use SimdSplat::*;
    match op {
        I8x16Splat => join::<u8, 16>([x as u8; 16]),
        I16x8Splat => join::<u16, 8>([x as u16; 8]),
        I32x4Splat | F32x4Splat => join::<u32, 4>([x as u32; 4]),
        I64x2Splat | F64x2Splat => join::<u64, 2>([x; 2]),
    }
}

/// Lane `lane` (modulo the lane count) of `a`, as a slot.
#[inline(never)]
pub fn extract(op: SimdExtract, a: u128, lane: u8) -> u64 {
    use SimdExtract::*;
    let i = (lane % op.lanes()) as usize;
    match op {
        I8x16ExtractLaneS => split::<i8, 16>(a)[i] as i32 as u32 as u64,
        I8x16ExtractLaneU => split::<u8, 16>(a)[i] as u64,
        I16x8ExtractLaneS => split::<i16, 8>(a)[i] as i32 as u32 as u64,
        I16x8ExtractLaneU => split::<u16, 8>(a)[i] as u64,
        I32x4ExtractLane | F32x4ExtractLane => split::<u32, 4>(a)[i] as u64,
        I64x2ExtractLane | F64x2ExtractLane => split::<u64, 2>(a)[i],
    }
}

/// `a` with lane `lane` (modulo the lane count) replaced by the scalar `x` (a slot).
#[inline(never)]
pub fn replace(op: SimdReplace, a: u128, lane: u8, x: u64) -> u128 {
    let n = op.lanes() as usize;
    let width = 16 / n;
    let i = lane as usize % n;
    let mut b = a.to_le_bytes();
    b[i * width..(i + 1) * width].copy_from_slice(&x.to_le_bytes()[..width]);
    u128::from_le_bytes(b)
}

/// Bytes of memory a load reads.
pub fn load_bytes(op: SimdLoad) -> usize {
    use SimdLoad::*;
    match op {
        V128Load => 16,
        V128Load8x8S | V128Load8x8U | V128Load16x4S | V128Load16x4U | V128Load32x2S | V128Load32x2U => 8,
        V128Load64Splat | V128Load64Zero => 8,
        V128Load8Splat => 1,
        V128Load16Splat => 2,
        V128Load32Splat | V128Load32Zero => 4,
    }
}

/// The v128 a load makes of the `load_bytes(op)` bytes it read (the rest of `b` is zero).
#[inline(never)]
pub fn load(op: SimdLoad, b: [u8; 16]) -> u128 {
    use SimdLoad::*;
    let v = u128::from_le_bytes(b);
    let x = v as u64;
    match op {
        V128Load | V128Load32Zero | V128Load64Zero => v,
        V128Load8x8S => widen::<i8, i16, 16, 8>(v, 0, i16::from),
        V128Load8x8U => widen::<u8, u16, 16, 8>(v, 0, u16::from),
        V128Load16x4S => widen::<i16, i32, 8, 4>(v, 0, i32::from),
        V128Load16x4U => widen::<u16, u32, 8, 4>(v, 0, u32::from),
        V128Load32x2S => widen::<i32, i64, 4, 2>(v, 0, i64::from),
        V128Load32x2U => widen::<u32, u64, 4, 2>(v, 0, u64::from),
        V128Load8Splat => splat(SimdSplat::I8x16Splat, x),
        V128Load16Splat => splat(SimdSplat::I16x8Splat, x),
        V128Load32Splat => splat(SimdSplat::I32x4Splat, x),
        V128Load64Splat => splat(SimdSplat::I64x2Splat, x),
    }
}

/// `a` with lane `lane` (modulo the lane count) of `bytes.len()` bytes replaced by `bytes`.
pub fn put_lane(a: u128, lane: u8, bytes: &[u8]) -> u128 {
    let width = bytes.len();
    let i = lane as usize % (16 / width);
    let mut b = a.to_le_bytes();
    b[i * width..(i + 1) * width].copy_from_slice(bytes);
    u128::from_le_bytes(b)
}

/// Lane `lane` (modulo the lane count) of `width` bytes of `a`, in the first `width` bytes.
pub fn get_lane(a: u128, lane: u8, width: usize) -> [u8; 8] {
    let i = lane as usize % (16 / width);
    let mut out = [0u8; 8];
    out[..width].copy_from_slice(&a.to_le_bytes()[i * width..(i + 1) * width]);
    out
}
