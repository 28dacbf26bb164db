//! What each non-trapping scalar operator, load and store computes, as a
//! function of slots (`specs/execution.md` §3): the one definition that the
//! stack form, the `*Imm` form, the register form and the fused branch of
//! the same operator all call, so their semantics cannot drift apart. The
//! numeric work itself is in `crate::op`; these add the slot encoding.

use super::{
    b32, b64, c32, c64, f32_, f64_, from_bool, from_i32, from_i64, from_u32, i32_, i64_, u32_, u64_,
};
use crate::op::float;
use crate::op::int;

/// `I32Eq`.
#[inline(always)]
pub(super) fn i32_eq(a: u64, b: u64) -> u64 {
    let (a, b) = (u32_(a), u32_(b));
    from_bool(int::bin::i32_eq(a, b))
}

/// `I32Ne`.
#[inline(always)]
pub(super) fn i32_ne(a: u64, b: u64) -> u64 {
    let (a, b) = (u32_(a), u32_(b));
    from_bool(int::bin::i32_ne(a, b))
}

/// `I32LtS`.
#[inline(always)]
pub(super) fn i32_lt_s(a: u64, b: u64) -> u64 {
    let (a, b) = (i32_(a), i32_(b));
    from_bool(int::bin::i32_lt_s(a, b))
}

/// `I32LtU`.
#[inline(always)]
pub(super) fn i32_lt_u(a: u64, b: u64) -> u64 {
    let (a, b) = (u32_(a), u32_(b));
    from_bool(int::bin::i32_lt_u(a, b))
}

/// `I32GtS`.
#[inline(always)]
pub(super) fn i32_gt_s(a: u64, b: u64) -> u64 {
    let (a, b) = (i32_(a), i32_(b));
    from_bool(int::bin::i32_gt_s(a, b))
}

/// `I32GtU`.
#[inline(always)]
pub(super) fn i32_gt_u(a: u64, b: u64) -> u64 {
    let (a, b) = (u32_(a), u32_(b));
    from_bool(int::bin::i32_gt_u(a, b))
}

/// `I32LeS`.
#[inline(always)]
pub(super) fn i32_le_s(a: u64, b: u64) -> u64 {
    let (a, b) = (i32_(a), i32_(b));
    from_bool(int::bin::i32_le_s(a, b))
}

/// `I32LeU`.
#[inline(always)]
pub(super) fn i32_le_u(a: u64, b: u64) -> u64 {
    let (a, b) = (u32_(a), u32_(b));
    from_bool(int::bin::i32_le_u(a, b))
}

/// `I32GeS`.
#[inline(always)]
pub(super) fn i32_ge_s(a: u64, b: u64) -> u64 {
    let (a, b) = (i32_(a), i32_(b));
    from_bool(int::bin::i32_ge_s(a, b))
}

/// `I32GeU`.
#[inline(always)]
pub(super) fn i32_ge_u(a: u64, b: u64) -> u64 {
    let (a, b) = (u32_(a), u32_(b));
    from_bool(int::bin::i32_ge_u(a, b))
}

/// `I64Eq`.
#[inline(always)]
pub(super) fn i64_eq(a: u64, b: u64) -> u64 {
    let (a, b) = (u64_(a), u64_(b));
    from_bool(a == b)
}

/// `I64Ne`.
#[inline(always)]
pub(super) fn i64_ne(a: u64, b: u64) -> u64 {
    let (a, b) = (u64_(a), u64_(b));
    from_bool(a != b)
}

/// `I64LtS`.
#[inline(always)]
pub(super) fn i64_lt_s(a: u64, b: u64) -> u64 {
    let (a, b) = (i64_(a), i64_(b));
    from_bool(a < b)
}

/// `I64LtU`.
#[inline(always)]
pub(super) fn i64_lt_u(a: u64, b: u64) -> u64 {
    let (a, b) = (u64_(a), u64_(b));
    from_bool(a < b)
}

/// `I64GtS`.
#[inline(always)]
pub(super) fn i64_gt_s(a: u64, b: u64) -> u64 {
    let (a, b) = (i64_(a), i64_(b));
    from_bool(a > b)
}

/// `I64GtU`.
#[inline(always)]
pub(super) fn i64_gt_u(a: u64, b: u64) -> u64 {
    let (a, b) = (u64_(a), u64_(b));
    from_bool(a > b)
}

/// `I64LeS`.
#[inline(always)]
pub(super) fn i64_le_s(a: u64, b: u64) -> u64 {
    let (a, b) = (i64_(a), i64_(b));
    from_bool(a <= b)
}

/// `I64LeU`.
#[inline(always)]
pub(super) fn i64_le_u(a: u64, b: u64) -> u64 {
    let (a, b) = (u64_(a), u64_(b));
    from_bool(a <= b)
}

/// `I64GeS`.
#[inline(always)]
pub(super) fn i64_ge_s(a: u64, b: u64) -> u64 {
    let (a, b) = (i64_(a), i64_(b));
    from_bool(a >= b)
}

/// `I64GeU`.
#[inline(always)]
pub(super) fn i64_ge_u(a: u64, b: u64) -> u64 {
    let (a, b) = (u64_(a), u64_(b));
    from_bool(a >= b)
}

/// `F32Eq`.
#[inline(always)]
pub(super) fn f32_eq(a: u64, b: u64) -> u64 {
    let (a, b) = (f32_(a), f32_(b));
    from_bool(a == b)
}

/// `F32Ne`.
#[inline(always)]
pub(super) fn f32_ne(a: u64, b: u64) -> u64 {
    let (a, b) = (f32_(a), f32_(b));
    from_bool(a != b)
}

/// `F32Lt`.
#[inline(always)]
pub(super) fn f32_lt(a: u64, b: u64) -> u64 {
    let (a, b) = (f32_(a), f32_(b));
    from_bool(a < b)
}

/// `F32Gt`.
#[inline(always)]
pub(super) fn f32_gt(a: u64, b: u64) -> u64 {
    let (a, b) = (f32_(a), f32_(b));
    from_bool(a > b)
}

/// `F32Le`.
#[inline(always)]
pub(super) fn f32_le(a: u64, b: u64) -> u64 {
    let (a, b) = (f32_(a), f32_(b));
    from_bool(a <= b)
}

/// `F32Ge`.
#[inline(always)]
pub(super) fn f32_ge(a: u64, b: u64) -> u64 {
    let (a, b) = (f32_(a), f32_(b));
    from_bool(a >= b)
}

/// `F64Eq`.
#[inline(always)]
pub(super) fn f64_eq(a: u64, b: u64) -> u64 {
    let (a, b) = (f64_(a), f64_(b));
    from_bool(a == b)
}

/// `F64Ne`.
#[inline(always)]
pub(super) fn f64_ne(a: u64, b: u64) -> u64 {
    let (a, b) = (f64_(a), f64_(b));
    from_bool(a != b)
}

/// `F64Lt`.
#[inline(always)]
pub(super) fn f64_lt(a: u64, b: u64) -> u64 {
    let (a, b) = (f64_(a), f64_(b));
    from_bool(a < b)
}

/// `F64Gt`.
#[inline(always)]
pub(super) fn f64_gt(a: u64, b: u64) -> u64 {
    let (a, b) = (f64_(a), f64_(b));
    from_bool(a > b)
}

/// `F64Le`.
#[inline(always)]
pub(super) fn f64_le(a: u64, b: u64) -> u64 {
    let (a, b) = (f64_(a), f64_(b));
    from_bool(a <= b)
}

/// `F64Ge`.
#[inline(always)]
pub(super) fn f64_ge(a: u64, b: u64) -> u64 {
    let (a, b) = (f64_(a), f64_(b));
    from_bool(a >= b)
}

/// `I32Add`.
#[inline(always)]
pub(super) fn i32_add(a: u64, b: u64) -> u64 {
    let (a, b) = (u32_(a), u32_(b));
    from_u32(int::bin::i32_add(a, b))
}

/// `I32Sub`.
#[inline(always)]
pub(super) fn i32_sub(a: u64, b: u64) -> u64 {
    let (a, b) = (u32_(a), u32_(b));
    from_u32(a.wrapping_sub(b))
}

/// `I32Mul`.
#[inline(always)]
pub(super) fn i32_mul(a: u64, b: u64) -> u64 {
    let (a, b) = (u32_(a), u32_(b));
    from_u32(int::bin::i32_mul(a, b))
}

/// `I32And`.
#[inline(always)]
pub(super) fn i32_and(a: u64, b: u64) -> u64 {
    let (a, b) = (u32_(a), u32_(b));
    from_u32(int::bin::i32_and(a, b))
}

/// `I32Or`.
#[inline(always)]
pub(super) fn i32_or(a: u64, b: u64) -> u64 {
    let (a, b) = (u32_(a), u32_(b));
    from_u32(int::bin::i32_or(a, b))
}

/// `I32Xor`.
#[inline(always)]
pub(super) fn i32_xor(a: u64, b: u64) -> u64 {
    let (a, b) = (u32_(a), u32_(b));
    from_u32(int::bin::i32_xor(a, b))
}

/// `I32ShlAddImmReg`'s result and `<Load>Idx`'s address: `(a << shift) +
/// c`, wrapping, as `i32.shl` then `i32.add`.
#[inline(always)]
pub(super) fn i32_shl_add(a: u64, shift: u8, c: u64) -> u64 {
    i32_add(i32_shl(a, shift as u64), c)
}

/// `I32Shl`.
#[inline(always)]
pub(super) fn i32_shl(a: u64, b: u64) -> u64 {
    let (a, b) = (u32_(a), u32_(b));
    from_u32(int::bin::i32_shl(a, b))
}

/// `I32ShrS`.
#[inline(always)]
pub(super) fn i32_shr_s(a: u64, b: u64) -> u64 {
    let (a, b) = (i32_(a), i32_(b));
    from_i32(int::bin::i32_shr_s(a, b as u32))
}

/// `I32ShrU`.
#[inline(always)]
pub(super) fn i32_shr_u(a: u64, b: u64) -> u64 {
    let (a, b) = (u32_(a), u32_(b));
    from_u32(int::bin::i32_shr_u(a, b))
}

/// `I32Rotl`.
#[inline(always)]
pub(super) fn i32_rotl(a: u64, b: u64) -> u64 {
    let (a, b) = (u32_(a), u32_(b));
    from_u32(int::bin::i32_rotl(a, b))
}

/// `I32Rotr`.
#[inline(always)]
pub(super) fn i32_rotr(a: u64, b: u64) -> u64 {
    let (a, b) = (u32_(a), u32_(b));
    from_u32(int::bin::i32_rotr(a, b))
}

/// `I64Add`.
#[inline(always)]
pub(super) fn i64_add(a: u64, b: u64) -> u64 {
    let (a, b) = (u64_(a), u64_(b));
    u64_(int::bin::i64_add(a, b))
}

/// `I64Sub`.
#[inline(always)]
pub(super) fn i64_sub(a: u64, b: u64) -> u64 {
    let (a, b) = (u64_(a), u64_(b));
    u64_(a.wrapping_sub(b))
}

/// `I64Mul`.
#[inline(always)]
pub(super) fn i64_mul(a: u64, b: u64) -> u64 {
    let (a, b) = (u64_(a), u64_(b));
    u64_(int::bin::i64_mul(a, b))
}

/// `I64And`.
#[inline(always)]
pub(super) fn i64_and(a: u64, b: u64) -> u64 {
    let (a, b) = (u64_(a), u64_(b));
    u64_(int::bin::i64_and(a, b))
}

/// `I64Or`.
#[inline(always)]
pub(super) fn i64_or(a: u64, b: u64) -> u64 {
    let (a, b) = (u64_(a), u64_(b));
    u64_(int::bin::i64_or(a, b))
}

/// `I64Xor`.
#[inline(always)]
pub(super) fn i64_xor(a: u64, b: u64) -> u64 {
    let (a, b) = (u64_(a), u64_(b));
    u64_(int::bin::i64_xor(a, b))
}

/// `I64Shl`.
#[inline(always)]
pub(super) fn i64_shl(a: u64, b: u64) -> u64 {
    let (a, b) = (u64_(a), u64_(b));
    u64_(int::bin::i64_shl(a, b))
}

/// `I64ShrS`.
#[inline(always)]
pub(super) fn i64_shr_s(a: u64, b: u64) -> u64 {
    let (a, b) = (i64_(a), i64_(b));
    from_i64(int::bin::i64_shr_s(a, b as u64))
}

/// `I64ShrU`.
#[inline(always)]
pub(super) fn i64_shr_u(a: u64, b: u64) -> u64 {
    let (a, b) = (u64_(a), u64_(b));
    u64_(int::bin::i64_shr_u(a, b))
}

/// `I64Rotl`.
#[inline(always)]
pub(super) fn i64_rotl(a: u64, b: u64) -> u64 {
    let (a, b) = (u64_(a), u64_(b));
    u64_(a.rotate_left((b % 64) as u32))
}

/// `I64Rotr`.
#[inline(always)]
pub(super) fn i64_rotr(a: u64, b: u64) -> u64 {
    let (a, b) = (u64_(a), u64_(b));
    u64_(a.rotate_right((b % 64) as u32))
}

/// `F32Add`.
#[inline(always)]
pub(super) fn f32_add(a: u64, b: u64) -> u64 {
    let (a, b) = (f32_(a), f32_(b));
    c32(a + b)
}

/// `F32Sub`.
#[inline(always)]
pub(super) fn f32_sub(a: u64, b: u64) -> u64 {
    let (a, b) = (f32_(a), f32_(b));
    c32(a - b)
}

/// `F32Mul`.
#[inline(always)]
pub(super) fn f32_mul(a: u64, b: u64) -> u64 {
    let (a, b) = (f32_(a), f32_(b));
    c32(a * b)
}

/// `F32Div`.
#[inline(always)]
pub(super) fn f32_div(a: u64, b: u64) -> u64 {
    let (a, b) = (f32_(a), f32_(b));
    c32(a / b)
}

/// `F32Min`.
#[inline(always)]
pub(super) fn f32_min(a: u64, b: u64) -> u64 {
    let (a, b) = (f32_(a), f32_(b));
    c32(float::f32_min(a, b))
}

/// `F32Max`.
#[inline(always)]
pub(super) fn f32_max(a: u64, b: u64) -> u64 {
    let (a, b) = (f32_(a), f32_(b));
    c32(float::f32_max(a, b))
}

/// `F32Copysign`.
#[inline(always)]
pub(super) fn f32_copysign(a: u64, b: u64) -> u64 {
    let (a, b) = (u64_(a), u64_(b));
    u64_((a & 0x7fff_ffff) | (b & 0x8000_0000))
}

/// `F64Add`.
#[inline(always)]
pub(super) fn f64_add(a: u64, b: u64) -> u64 {
    let (a, b) = (f64_(a), f64_(b));
    c64(a + b)
}

/// `F64Sub`.
#[inline(always)]
pub(super) fn f64_sub(a: u64, b: u64) -> u64 {
    let (a, b) = (f64_(a), f64_(b));
    c64(a - b)
}

/// `F64Mul`.
#[inline(always)]
pub(super) fn f64_mul(a: u64, b: u64) -> u64 {
    let (a, b) = (f64_(a), f64_(b));
    c64(a * b)
}

/// `F64Div`.
#[inline(always)]
pub(super) fn f64_div(a: u64, b: u64) -> u64 {
    let (a, b) = (f64_(a), f64_(b));
    c64(a / b)
}

/// `F64Min`.
#[inline(always)]
pub(super) fn f64_min(a: u64, b: u64) -> u64 {
    let (a, b) = (f64_(a), f64_(b));
    c64(float::f64_min(a, b))
}

/// `F64Max`.
#[inline(always)]
pub(super) fn f64_max(a: u64, b: u64) -> u64 {
    let (a, b) = (f64_(a), f64_(b));
    c64(float::f64_max(a, b))
}

/// `F64Copysign`.
#[inline(always)]
pub(super) fn f64_copysign(a: u64, b: u64) -> u64 {
    let (a, b) = (u64_(a), u64_(b));
    u64_((a & !(1 << 63)) | (b & (1 << 63)))
}

/// `I32Eqz`.
#[inline(always)]
pub(super) fn i32_eqz(a: u64) -> u64 {
    let a = u32_(a);
    from_bool(a == 0)
}

/// `I64Eqz`.
#[inline(always)]
pub(super) fn i64_eqz(a: u64) -> u64 {
    let a = u64_(a);
    from_bool(a == 0)
}

/// `I32Clz`.
#[inline(always)]
pub(super) fn i32_clz(a: u64) -> u64 {
    let a = u32_(a);
    from_u32(a.leading_zeros())
}

/// `I32Ctz`.
#[inline(always)]
pub(super) fn i32_ctz(a: u64) -> u64 {
    let a = u32_(a);
    from_u32(a.trailing_zeros())
}

/// `I32Popcnt`.
#[inline(always)]
pub(super) fn i32_popcnt(a: u64) -> u64 {
    let a = u32_(a);
    from_u32(a.count_ones())
}

/// `I64Clz`.
#[inline(always)]
pub(super) fn i64_clz(a: u64) -> u64 {
    let a = u64_(a);
    u64_(a.leading_zeros() as u64)
}

/// `I64Ctz`.
#[inline(always)]
pub(super) fn i64_ctz(a: u64) -> u64 {
    let a = u64_(a);
    u64_(a.trailing_zeros() as u64)
}

/// `I64Popcnt`.
#[inline(always)]
pub(super) fn i64_popcnt(a: u64) -> u64 {
    let a = u64_(a);
    u64_(a.count_ones() as u64)
}

/// `F32Abs`.
#[inline(always)]
pub(super) fn f32_abs(a: u64) -> u64 {
    let a = u64_(a);
    u64_(a & 0x7fff_ffff)
}

/// `F32Neg`.
#[inline(always)]
pub(super) fn f32_neg(a: u64) -> u64 {
    let a = u64_(a);
    u64_(a ^ 0x8000_0000)
}

/// `F32Ceil`.
#[inline(always)]
pub(super) fn f32_ceil(a: u64) -> u64 {
    let a = f32_(a);
    c32(a.ceil())
}

/// `F32Floor`.
#[inline(always)]
pub(super) fn f32_floor(a: u64) -> u64 {
    let a = f32_(a);
    c32(a.floor())
}

/// `F32Trunc`.
#[inline(always)]
pub(super) fn f32_trunc(a: u64) -> u64 {
    let a = f32_(a);
    c32(a.trunc())
}

/// `F32Nearest`.
#[inline(always)]
pub(super) fn f32_nearest(a: u64) -> u64 {
    let a = f32_(a);
    c32(a.round_ties_even())
}

/// `F32Sqrt`.
#[inline(always)]
pub(super) fn f32_sqrt(a: u64) -> u64 {
    let a = f32_(a);
    c32(a.sqrt())
}

/// `F64Abs`.
#[inline(always)]
pub(super) fn f64_abs(a: u64) -> u64 {
    let a = u64_(a);
    u64_(a & 0x7fff_ffff_ffff_ffff)
}

/// `F64Neg`.
#[inline(always)]
pub(super) fn f64_neg(a: u64) -> u64 {
    let a = u64_(a);
    u64_(a ^ 0x8000_0000_0000_0000)
}

/// `F64Ceil`.
#[inline(always)]
pub(super) fn f64_ceil(a: u64) -> u64 {
    let a = f64_(a);
    c64(a.ceil())
}

/// `F64Floor`.
#[inline(always)]
pub(super) fn f64_floor(a: u64) -> u64 {
    let a = f64_(a);
    c64(a.floor())
}

/// `F64Trunc`.
#[inline(always)]
pub(super) fn f64_trunc(a: u64) -> u64 {
    let a = f64_(a);
    c64(a.trunc())
}

/// `F64Nearest`.
#[inline(always)]
pub(super) fn f64_nearest(a: u64) -> u64 {
    let a = f64_(a);
    c64(a.round_ties_even())
}

/// `F64Sqrt`.
#[inline(always)]
pub(super) fn f64_sqrt(a: u64) -> u64 {
    let a = f64_(a);
    c64(a.sqrt())
}

/// `I32WrapI64`.
#[inline(always)]
pub(super) fn i32_wrap_i64(a: u64) -> u64 {
    let a = u64_(a);
    from_u32(a as u32)
}

/// `I64ExtendI32S`.
#[inline(always)]
pub(super) fn i64_extend_i32_s(a: u64) -> u64 {
    let a = i32_(a);
    from_i64(a as i64)
}

/// `I64ExtendI32U`.
#[inline(always)]
pub(super) fn i64_extend_i32_u(a: u64) -> u64 {
    let a = u32_(a);
    u64_(a as u64)
}

/// `F32ConvertI32S`.
#[inline(always)]
pub(super) fn f32_convert_i32_s(a: u64) -> u64 {
    let a = i32_(a);
    b32(a as f32)
}

/// `F32ConvertI32U`.
#[inline(always)]
pub(super) fn f32_convert_i32_u(a: u64) -> u64 {
    let a = u32_(a);
    b32(a as f32)
}

/// `F32ConvertI64S`.
#[inline(always)]
pub(super) fn f32_convert_i64_s(a: u64) -> u64 {
    let a = i64_(a);
    b32(a as f32)
}

/// `F32ConvertI64U`.
#[inline(always)]
pub(super) fn f32_convert_i64_u(a: u64) -> u64 {
    let a = u64_(a);
    b32(a as f32)
}

/// `F32DemoteF64`.
#[inline(always)]
pub(super) fn f32_demote_f64(a: u64) -> u64 {
    let a = f64_(a);
    c32(a as f32)
}

/// `F64ConvertI32S`.
#[inline(always)]
pub(super) fn f64_convert_i32_s(a: u64) -> u64 {
    let a = i32_(a);
    b64(a as f64)
}

/// `F64ConvertI32U`.
#[inline(always)]
pub(super) fn f64_convert_i32_u(a: u64) -> u64 {
    let a = u32_(a);
    b64(a as f64)
}

/// `F64ConvertI64S`.
#[inline(always)]
pub(super) fn f64_convert_i64_s(a: u64) -> u64 {
    let a = i64_(a);
    b64(a as f64)
}

/// `F64ConvertI64U`.
#[inline(always)]
pub(super) fn f64_convert_i64_u(a: u64) -> u64 {
    let a = u64_(a);
    b64(a as f64)
}

/// `F64PromoteF32`.
#[inline(always)]
pub(super) fn f64_promote_f32(a: u64) -> u64 {
    let a = f32_(a);
    c64(a as f64)
}

/// `I32Extend8S`.
#[inline(always)]
pub(super) fn i32_extend8_s(a: u64) -> u64 {
    let a = u32_(a);
    from_i32(a as i8 as i32)
}

/// `I32Extend16S`.
#[inline(always)]
pub(super) fn i32_extend16_s(a: u64) -> u64 {
    let a = u32_(a);
    from_i32(a as i16 as i32)
}

/// `I64Extend8S`.
#[inline(always)]
pub(super) fn i64_extend8_s(a: u64) -> u64 {
    let a = u64_(a);
    from_i64(a as i8 as i64)
}

/// `I64Extend16S`.
#[inline(always)]
pub(super) fn i64_extend16_s(a: u64) -> u64 {
    let a = u64_(a);
    from_i64(a as i16 as i64)
}

/// `I64Extend32S`.
#[inline(always)]
pub(super) fn i64_extend32_s(a: u64) -> u64 {
    let a = u64_(a);
    from_i64(a as i32 as i64)
}

/// `I32TruncSatF32S`.
#[inline(always)]
pub(super) fn i32_trunc_sat_f32_s(a: u64) -> u64 {
    let a = f32_(a);
    from_i32(a as i32)
}

/// `I32TruncSatF32U`.
#[inline(always)]
pub(super) fn i32_trunc_sat_f32_u(a: u64) -> u64 {
    let a = f32_(a);
    from_u32(a as u32)
}

/// `I32TruncSatF64S`.
#[inline(always)]
pub(super) fn i32_trunc_sat_f64_s(a: u64) -> u64 {
    let a = f64_(a);
    from_i32(a as i32)
}

/// `I32TruncSatF64U`.
#[inline(always)]
pub(super) fn i32_trunc_sat_f64_u(a: u64) -> u64 {
    let a = f64_(a);
    from_u32(a as u32)
}

/// `I64TruncSatF32S`.
#[inline(always)]
pub(super) fn i64_trunc_sat_f32_s(a: u64) -> u64 {
    let a = f32_(a);
    from_i64(a as i64)
}

/// `I64TruncSatF32U`.
#[inline(always)]
pub(super) fn i64_trunc_sat_f32_u(a: u64) -> u64 {
    let a = f32_(a);
    u64_(a as u64)
}

/// `I64TruncSatF64S`.
#[inline(always)]
pub(super) fn i64_trunc_sat_f64_s(a: u64) -> u64 {
    let a = f64_(a);
    from_i64(a as i64)
}

/// `I64TruncSatF64U`.
#[inline(always)]
pub(super) fn i64_trunc_sat_f64_u(a: u64) -> u64 {
    let a = f64_(a);
    u64_(a as u64)
}

/// `I32Load`: the slot of the 4 bytes loaded.
#[inline(always)]
pub(super) fn i32_load(b: [u8; 4]) -> u64 {
    u32::from_le_bytes(b) as u64
}

/// `I64Load`: the slot of the 8 bytes loaded.
#[inline(always)]
pub(super) fn i64_load(b: [u8; 8]) -> u64 {
    u64::from_le_bytes(b)
}

/// `F32Load`: the slot of the 4 bytes loaded.
#[inline(always)]
pub(super) fn f32_load(b: [u8; 4]) -> u64 {
    u32::from_le_bytes(b) as u64
}

/// `F64Load`: the slot of the 8 bytes loaded.
#[inline(always)]
pub(super) fn f64_load(b: [u8; 8]) -> u64 {
    u64::from_le_bytes(b)
}

/// `I32Load8S`: the slot of the 1 bytes loaded.
#[inline(always)]
pub(super) fn i32_load8_s(b: [u8; 1]) -> u64 {
    from_i32(b[0] as i8 as i32)
}

/// `I32Load8U`: the slot of the 1 bytes loaded.
#[inline(always)]
pub(super) fn i32_load8_u(b: [u8; 1]) -> u64 {
    b[0] as u64
}

/// `I32Load16S`: the slot of the 2 bytes loaded.
#[inline(always)]
pub(super) fn i32_load16_s(b: [u8; 2]) -> u64 {
    from_i32(i16::from_le_bytes(b) as i32)
}

/// `I32Load16U`: the slot of the 2 bytes loaded.
#[inline(always)]
pub(super) fn i32_load16_u(b: [u8; 2]) -> u64 {
    u16::from_le_bytes(b) as u64
}

/// `I64Load8S`: the slot of the 1 bytes loaded.
#[inline(always)]
pub(super) fn i64_load8_s(b: [u8; 1]) -> u64 {
    b[0] as i8 as i64 as u64
}

/// `I64Load8U`: the slot of the 1 bytes loaded.
#[inline(always)]
pub(super) fn i64_load8_u(b: [u8; 1]) -> u64 {
    b[0] as u64
}

/// `I64Load16S`: the slot of the 2 bytes loaded.
#[inline(always)]
pub(super) fn i64_load16_s(b: [u8; 2]) -> u64 {
    i16::from_le_bytes(b) as i64 as u64
}

/// `I64Load16U`: the slot of the 2 bytes loaded.
#[inline(always)]
pub(super) fn i64_load16_u(b: [u8; 2]) -> u64 {
    u16::from_le_bytes(b) as u64
}

/// `I64Load32S`: the slot of the 4 bytes loaded.
#[inline(always)]
pub(super) fn i64_load32_s(b: [u8; 4]) -> u64 {
    i32::from_le_bytes(b) as i64 as u64
}

/// `I64Load32U`: the slot of the 4 bytes loaded.
#[inline(always)]
pub(super) fn i64_load32_u(b: [u8; 4]) -> u64 {
    u32::from_le_bytes(b) as u64
}

/// `I32Store` and `F32Store`: the 4 bytes stored.
#[inline(always)]
pub(super) fn i32_store(v: u64) -> [u8; 4] {
    (v as u32).to_le_bytes()
}

/// `I64Store` and `F64Store`: the 8 bytes stored.
#[inline(always)]
pub(super) fn i64_store(v: u64) -> [u8; 8] {
    v.to_le_bytes()
}

/// `I32Store8` and `I64Store8`: the 1 bytes stored.
#[inline(always)]
pub(super) fn i32_store8(v: u64) -> [u8; 1] {
    [v as u8]
}

/// `I32Store16` and `I64Store16`: the 2 bytes stored.
#[inline(always)]
pub(super) fn i32_store16(v: u64) -> [u8; 2] {
    (v as u16).to_le_bytes()
}

/// `I64Store32`: the 4 bytes stored.
#[inline(always)]
pub(super) fn i64_store32(v: u64) -> [u8; 4] {
    (v as u32).to_le_bytes()
}
