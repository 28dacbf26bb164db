//! Peephole fusion (`specs/execution.md` §2, §2.1): the pairs of adjacent
//! instructions that translation turns into one, and the register forms
//! they become. Only `Translator::emit` calls it, which keeps fusion from
//! crossing a branch target.

use crate::isa::Op;

/// Peephole fusion: two adjacent instructions that become one (one step).
/// Only pure pairs fuse, or pairs whose second instruction cannot trap and
/// whose first traps before writing anything, so the fused instruction
/// computes exactly what the pair did. `hp` is the slot height (locals
/// included) before `prev`, which places operands in register forms.
pub(super) fn fuse(prev: Op, next: Op, hp: u32) -> Option<Fused> {
    if let Op::LocalTee { index } = next {
        return fuse_one(prev, Op::LocalSet { index }, hp).map(|f| Fused::Tee(f, index));
    }
    fuse_one(prev, next, hp).map(Fused::One)
}

/// What two adjacent instructions become.
pub(super) enum Fused {
    One(Op),
    /// An instruction that writes local `x`, followed by `local.get x`.
    Tee(Op, u32),
}

/// The immediate form of binary operator `op` with constant right operand
/// `c` (of `op`'s type), as `i32.const c` / `i64.const c` followed by `op` fuse.
pub(super) fn imm_form(op: Op, c: i64) -> Option<Op> {
    fuse_one(Op::I32Const { value: c as i32 }, op, 0).or_else(|| fuse_one(Op::I64Const { value: c }, op, 0))
}

/// The pairs that become one instruction.
fn fuse_one(prev: Op, next: Op, hp: u32) -> Option<Op> {
    use Op::*;
    macro_rules! imm {
        ($c:expr, $next:expr, { $($op:ident => $fused:ident),* $(,)? }) => {
            match $next {
                $($op => Some($fused { value: $c }),)*
                _ => None,
            }
        };
    }
    let slot = |x: u32| u16::try_from(x).ok();
    // The slots of the top two operands before `prev`.
    let (top, below) = (hp.checked_sub(1).and_then(slot), hp.checked_sub(2).and_then(slot));
    // A register form whose result is the new top of the stack.
    let on_top = |dst: u16, h: u16| dst as u32 + 1 == h as u32;
    match (prev, next) {
        // A comparison (or `and` with a constant) then a conditional branch.
        (I32EqReg { dst, lhs, rhs, h }, BrIfNez { target }) if on_top(dst, h) => {
            Some(BrIfI32Eq { lhs, rhs, h: h - 1, target })
        }
        (I32EqImmReg { dst, lhs, h, value }, BrIfNez { target }) if on_top(dst, h) => {
            Some(BrIfI32EqImm { lhs, h: h - 1, value, target })
        }
        (I32Eq, BrIfNez { target }) => Some(BrIfI32Eq { lhs: below?, rhs: top?, h: below?, target }),
        (I32EqImm { value }, BrIfNez { target }) => Some(BrIfI32EqImm { lhs: top?, h: top?, value, target }),
        (I32EqReg { dst, lhs, rhs, h }, BrIfEqz { target }) if on_top(dst, h) => {
            Some(BrIfI32Ne { lhs, rhs, h: h - 1, target })
        }
        (I32EqImmReg { dst, lhs, h, value }, BrIfEqz { target }) if on_top(dst, h) => {
            Some(BrIfI32NeImm { lhs, h: h - 1, value, target })
        }
        (I32Eq, BrIfEqz { target }) => Some(BrIfI32Ne { lhs: below?, rhs: top?, h: below?, target }),
        (I32EqImm { value }, BrIfEqz { target }) => Some(BrIfI32NeImm { lhs: top?, h: top?, value, target }),
        (I32NeReg { dst, lhs, rhs, h }, BrIfNez { target }) if on_top(dst, h) => {
            Some(BrIfI32Ne { lhs, rhs, h: h - 1, target })
        }
        (I32NeImmReg { dst, lhs, h, value }, BrIfNez { target }) if on_top(dst, h) => {
            Some(BrIfI32NeImm { lhs, h: h - 1, value, target })
        }
        (I32Ne, BrIfNez { target }) => Some(BrIfI32Ne { lhs: below?, rhs: top?, h: below?, target }),
        (I32NeImm { value }, BrIfNez { target }) => Some(BrIfI32NeImm { lhs: top?, h: top?, value, target }),
        (I32NeReg { dst, lhs, rhs, h }, BrIfEqz { target }) if on_top(dst, h) => {
            Some(BrIfI32Eq { lhs, rhs, h: h - 1, target })
        }
        (I32NeImmReg { dst, lhs, h, value }, BrIfEqz { target }) if on_top(dst, h) => {
            Some(BrIfI32EqImm { lhs, h: h - 1, value, target })
        }
        (I32Ne, BrIfEqz { target }) => Some(BrIfI32Eq { lhs: below?, rhs: top?, h: below?, target }),
        (I32NeImm { value }, BrIfEqz { target }) => Some(BrIfI32EqImm { lhs: top?, h: top?, value, target }),
        (I32LtSReg { dst, lhs, rhs, h }, BrIfNez { target }) if on_top(dst, h) => {
            Some(BrIfI32LtS { lhs, rhs, h: h - 1, target })
        }
        (I32LtSImmReg { dst, lhs, h, value }, BrIfNez { target }) if on_top(dst, h) => {
            Some(BrIfI32LtSImm { lhs, h: h - 1, value, target })
        }
        (I32LtS, BrIfNez { target }) => Some(BrIfI32LtS { lhs: below?, rhs: top?, h: below?, target }),
        (I32LtSImm { value }, BrIfNez { target }) => {
            Some(BrIfI32LtSImm { lhs: top?, h: top?, value, target })
        }
        (I32LtSReg { dst, lhs, rhs, h }, BrIfEqz { target }) if on_top(dst, h) => {
            Some(BrIfI32GeS { lhs, rhs, h: h - 1, target })
        }
        (I32LtSImmReg { dst, lhs, h, value }, BrIfEqz { target }) if on_top(dst, h) => {
            Some(BrIfI32GeSImm { lhs, h: h - 1, value, target })
        }
        (I32LtS, BrIfEqz { target }) => Some(BrIfI32GeS { lhs: below?, rhs: top?, h: below?, target }),
        (I32LtSImm { value }, BrIfEqz { target }) => {
            Some(BrIfI32GeSImm { lhs: top?, h: top?, value, target })
        }
        (I32LtUReg { dst, lhs, rhs, h }, BrIfNez { target }) if on_top(dst, h) => {
            Some(BrIfI32LtU { lhs, rhs, h: h - 1, target })
        }
        (I32LtUImmReg { dst, lhs, h, value }, BrIfNez { target }) if on_top(dst, h) => {
            Some(BrIfI32LtUImm { lhs, h: h - 1, value, target })
        }
        (I32LtU, BrIfNez { target }) => Some(BrIfI32LtU { lhs: below?, rhs: top?, h: below?, target }),
        (I32LtUImm { value }, BrIfNez { target }) => {
            Some(BrIfI32LtUImm { lhs: top?, h: top?, value, target })
        }
        (I32LtUReg { dst, lhs, rhs, h }, BrIfEqz { target }) if on_top(dst, h) => {
            Some(BrIfI32GeU { lhs, rhs, h: h - 1, target })
        }
        (I32LtUImmReg { dst, lhs, h, value }, BrIfEqz { target }) if on_top(dst, h) => {
            Some(BrIfI32GeUImm { lhs, h: h - 1, value, target })
        }
        (I32LtU, BrIfEqz { target }) => Some(BrIfI32GeU { lhs: below?, rhs: top?, h: below?, target }),
        (I32LtUImm { value }, BrIfEqz { target }) => {
            Some(BrIfI32GeUImm { lhs: top?, h: top?, value, target })
        }
        (I32GtSReg { dst, lhs, rhs, h }, BrIfNez { target }) if on_top(dst, h) => {
            Some(BrIfI32GtS { lhs, rhs, h: h - 1, target })
        }
        (I32GtSImmReg { dst, lhs, h, value }, BrIfNez { target }) if on_top(dst, h) => {
            Some(BrIfI32GtSImm { lhs, h: h - 1, value, target })
        }
        (I32GtS, BrIfNez { target }) => Some(BrIfI32GtS { lhs: below?, rhs: top?, h: below?, target }),
        (I32GtSImm { value }, BrIfNez { target }) => {
            Some(BrIfI32GtSImm { lhs: top?, h: top?, value, target })
        }
        (I32GtSReg { dst, lhs, rhs, h }, BrIfEqz { target }) if on_top(dst, h) => {
            Some(BrIfI32LeS { lhs, rhs, h: h - 1, target })
        }
        (I32GtSImmReg { dst, lhs, h, value }, BrIfEqz { target }) if on_top(dst, h) => {
            Some(BrIfI32LeSImm { lhs, h: h - 1, value, target })
        }
        (I32GtS, BrIfEqz { target }) => Some(BrIfI32LeS { lhs: below?, rhs: top?, h: below?, target }),
        (I32GtSImm { value }, BrIfEqz { target }) => {
            Some(BrIfI32LeSImm { lhs: top?, h: top?, value, target })
        }
        (I32GtUReg { dst, lhs, rhs, h }, BrIfNez { target }) if on_top(dst, h) => {
            Some(BrIfI32GtU { lhs, rhs, h: h - 1, target })
        }
        (I32GtUImmReg { dst, lhs, h, value }, BrIfNez { target }) if on_top(dst, h) => {
            Some(BrIfI32GtUImm { lhs, h: h - 1, value, target })
        }
        (I32GtU, BrIfNez { target }) => Some(BrIfI32GtU { lhs: below?, rhs: top?, h: below?, target }),
        (I32GtUImm { value }, BrIfNez { target }) => {
            Some(BrIfI32GtUImm { lhs: top?, h: top?, value, target })
        }
        (I32GtUReg { dst, lhs, rhs, h }, BrIfEqz { target }) if on_top(dst, h) => {
            Some(BrIfI32LeU { lhs, rhs, h: h - 1, target })
        }
        (I32GtUImmReg { dst, lhs, h, value }, BrIfEqz { target }) if on_top(dst, h) => {
            Some(BrIfI32LeUImm { lhs, h: h - 1, value, target })
        }
        (I32GtU, BrIfEqz { target }) => Some(BrIfI32LeU { lhs: below?, rhs: top?, h: below?, target }),
        (I32GtUImm { value }, BrIfEqz { target }) => {
            Some(BrIfI32LeUImm { lhs: top?, h: top?, value, target })
        }
        (I32LeSReg { dst, lhs, rhs, h }, BrIfNez { target }) if on_top(dst, h) => {
            Some(BrIfI32LeS { lhs, rhs, h: h - 1, target })
        }
        (I32LeSImmReg { dst, lhs, h, value }, BrIfNez { target }) if on_top(dst, h) => {
            Some(BrIfI32LeSImm { lhs, h: h - 1, value, target })
        }
        (I32LeS, BrIfNez { target }) => Some(BrIfI32LeS { lhs: below?, rhs: top?, h: below?, target }),
        (I32LeSImm { value }, BrIfNez { target }) => {
            Some(BrIfI32LeSImm { lhs: top?, h: top?, value, target })
        }
        (I32LeSReg { dst, lhs, rhs, h }, BrIfEqz { target }) if on_top(dst, h) => {
            Some(BrIfI32GtS { lhs, rhs, h: h - 1, target })
        }
        (I32LeSImmReg { dst, lhs, h, value }, BrIfEqz { target }) if on_top(dst, h) => {
            Some(BrIfI32GtSImm { lhs, h: h - 1, value, target })
        }
        (I32LeS, BrIfEqz { target }) => Some(BrIfI32GtS { lhs: below?, rhs: top?, h: below?, target }),
        (I32LeSImm { value }, BrIfEqz { target }) => {
            Some(BrIfI32GtSImm { lhs: top?, h: top?, value, target })
        }
        (I32LeUReg { dst, lhs, rhs, h }, BrIfNez { target }) if on_top(dst, h) => {
            Some(BrIfI32LeU { lhs, rhs, h: h - 1, target })
        }
        (I32LeUImmReg { dst, lhs, h, value }, BrIfNez { target }) if on_top(dst, h) => {
            Some(BrIfI32LeUImm { lhs, h: h - 1, value, target })
        }
        (I32LeU, BrIfNez { target }) => Some(BrIfI32LeU { lhs: below?, rhs: top?, h: below?, target }),
        (I32LeUImm { value }, BrIfNez { target }) => {
            Some(BrIfI32LeUImm { lhs: top?, h: top?, value, target })
        }
        (I32LeUReg { dst, lhs, rhs, h }, BrIfEqz { target }) if on_top(dst, h) => {
            Some(BrIfI32GtU { lhs, rhs, h: h - 1, target })
        }
        (I32LeUImmReg { dst, lhs, h, value }, BrIfEqz { target }) if on_top(dst, h) => {
            Some(BrIfI32GtUImm { lhs, h: h - 1, value, target })
        }
        (I32LeU, BrIfEqz { target }) => Some(BrIfI32GtU { lhs: below?, rhs: top?, h: below?, target }),
        (I32LeUImm { value }, BrIfEqz { target }) => {
            Some(BrIfI32GtUImm { lhs: top?, h: top?, value, target })
        }
        (I32GeSReg { dst, lhs, rhs, h }, BrIfNez { target }) if on_top(dst, h) => {
            Some(BrIfI32GeS { lhs, rhs, h: h - 1, target })
        }
        (I32GeSImmReg { dst, lhs, h, value }, BrIfNez { target }) if on_top(dst, h) => {
            Some(BrIfI32GeSImm { lhs, h: h - 1, value, target })
        }
        (I32GeS, BrIfNez { target }) => Some(BrIfI32GeS { lhs: below?, rhs: top?, h: below?, target }),
        (I32GeSImm { value }, BrIfNez { target }) => {
            Some(BrIfI32GeSImm { lhs: top?, h: top?, value, target })
        }
        (I32GeSReg { dst, lhs, rhs, h }, BrIfEqz { target }) if on_top(dst, h) => {
            Some(BrIfI32LtS { lhs, rhs, h: h - 1, target })
        }
        (I32GeSImmReg { dst, lhs, h, value }, BrIfEqz { target }) if on_top(dst, h) => {
            Some(BrIfI32LtSImm { lhs, h: h - 1, value, target })
        }
        (I32GeS, BrIfEqz { target }) => Some(BrIfI32LtS { lhs: below?, rhs: top?, h: below?, target }),
        (I32GeSImm { value }, BrIfEqz { target }) => {
            Some(BrIfI32LtSImm { lhs: top?, h: top?, value, target })
        }
        (I32GeUReg { dst, lhs, rhs, h }, BrIfNez { target }) if on_top(dst, h) => {
            Some(BrIfI32GeU { lhs, rhs, h: h - 1, target })
        }
        (I32GeUImmReg { dst, lhs, h, value }, BrIfNez { target }) if on_top(dst, h) => {
            Some(BrIfI32GeUImm { lhs, h: h - 1, value, target })
        }
        (I32GeU, BrIfNez { target }) => Some(BrIfI32GeU { lhs: below?, rhs: top?, h: below?, target }),
        (I32GeUImm { value }, BrIfNez { target }) => {
            Some(BrIfI32GeUImm { lhs: top?, h: top?, value, target })
        }
        (I32GeUReg { dst, lhs, rhs, h }, BrIfEqz { target }) if on_top(dst, h) => {
            Some(BrIfI32LtU { lhs, rhs, h: h - 1, target })
        }
        (I32GeUImmReg { dst, lhs, h, value }, BrIfEqz { target }) if on_top(dst, h) => {
            Some(BrIfI32LtUImm { lhs, h: h - 1, value, target })
        }
        (I32GeU, BrIfEqz { target }) => Some(BrIfI32LtU { lhs: below?, rhs: top?, h: below?, target }),
        (I32GeUImm { value }, BrIfEqz { target }) => {
            Some(BrIfI32LtUImm { lhs: top?, h: top?, value, target })
        }
        (I32AndImmReg { dst, lhs, h, value }, BrIfNez { target }) if on_top(dst, h) => {
            Some(BrIfI32AndImmNez { lhs, h: h - 1, value, target })
        }
        (I32AndImm { value }, BrIfNez { target }) => {
            Some(BrIfI32AndImmNez { lhs: top?, h: top?, value, target })
        }
        (I32AndImmReg { dst, lhs, h, value }, BrIfEqz { target }) if on_top(dst, h) => {
            Some(BrIfI32AndImmEqz { lhs, h: h - 1, value, target })
        }
        (I32AndImm { value }, BrIfEqz { target }) => {
            Some(BrIfI32AndImmEqz { lhs: top?, h: top?, value, target })
        }

        // An array element's address: the shifted index plus a constant.
        (I32ShlImmReg { dst: d, lhs, h: hs, value: k }, I32AddImmReg { dst, lhs: l, h, value })
            if on_top(d, hs) && l == d && dst == d =>
        {
            Some(I32ShlAddImmReg { dst, lhs, h, value, shift: (k & 31) as u8 })
        }
        // An indexed load: an element's address (or a local plus a
        // constant) then a load of it at offset 0 (version 11).
        (I32ShlAddImmReg { dst, lhs, h, value, shift }, load) if on_top(dst, h) && is_idx(load) => {
            idx_load(load, dst, lhs, h, value, shift)
        }
        (I32AddImmReg { dst, lhs, h, value }, load) if on_top(dst, h) && is_idx(load) => {
            idx_load(load, dst, lhs, h, value, 0)
        }
        // A load from a local plus a constant (the wrap stays: not an offset).
        (I32AddImmReg { dst, lhs, h, value }, I32Load { mem, offset }) if on_top(dst, h) => {
            Some(I32LoadAddReg { dst, addr: lhs, mem: u16::try_from(mem).ok()?, value, offset })
        }
        (I32AddImmReg { dst, lhs, h, value }, F64Load { mem, offset }) if on_top(dst, h) => {
            Some(F64LoadAddReg { dst, addr: lhs, mem: u16::try_from(mem).ok()?, value, offset })
        }
        (I32Const { value }, I32Sub) => Some(I32AddImm { value: value.wrapping_neg() }),
        (I32Const { value }, LocalSet { index }) => Some(I32SetConst { dst: index, value }),
        (F32Const { bits }, LocalSet { index }) => Some(I32SetConst { dst: index, value: bits as i32 }),
        (I32Const { value }, next) => imm!(value, next, {
            I32Add => I32AddImm, I32Mul => I32MulImm, I32And => I32AndImm, I32Or => I32OrImm,
            I32Xor => I32XorImm, I32Shl => I32ShlImm, I32ShrS => I32ShrSImm, I32ShrU => I32ShrUImm,
            I32Rotl => I32RotlImm, I32Rotr => I32RotrImm, I32Eq => I32EqImm, I32Ne => I32NeImm,
            I32LtS => I32LtSImm, I32LtU => I32LtUImm, I32GtS => I32GtSImm, I32GtU => I32GtUImm,
            I32LeS => I32LeSImm, I32LeU => I32LeUImm, I32GeS => I32GeSImm, I32GeU => I32GeUImm,
        }),
        (I64Const { value }, I64Sub) => Some(I64AddImm { value: value.wrapping_neg() }),
        (I64Const { value }, LocalSet { index }) => Some(I64SetConst { dst: index, value }),
        (F64Const { bits }, LocalSet { index }) => Some(I64SetConst { dst: index, value: bits as i64 }),
        (I64Const { value }, next) => imm!(value, next, {
            I64Add => I64AddImm, I64Mul => I64MulImm, I64And => I64AndImm, I64Or => I64OrImm,
            I64Xor => I64XorImm, I64Shl => I64ShlImm, I64ShrS => I64ShrSImm, I64ShrU => I64ShrUImm,
        }),
        (LocalGet { index: a }, LocalGet { index: b }) => Some(LocalGet2 { a, b }),
        (LocalGet { index: src }, LocalSet { index: dst }) => Some(LocalCopy { dst, src }),
        (LocalGet { index: cond }, BrIfNez { target }) => Some(BrIfNezReg { cond, target }),
        (LocalGet { index }, BrTable { len }) => Some(BrTableReg { len, index }),
        (LocalGet { index: cond }, BrIfEqz { target }) => Some(BrIfEqzReg { cond, target }),
        (LocalSet { index: set }, LocalGet { index: get }) => Some(LocalSetGet { set, get }),
        (LocalTee { index: tee }, LocalGet { index: get }) => Some(LocalTeeGet { tee, get }),
        (I32Eqz, BrIfNez { target }) => Some(BrIfEqz { target }),
        (I32Eqz, BrIfEqz { target }) => Some(BrIfNez { target }),
        // `local.get x; i32.eqz` fused first: its operand is local `x`. When
        // `sp` was at its result's slot before it, the branch leaves `sp`
        // there; otherwise (a deferred operand lies below, §2.2) the branch
        // compares with zero and sets `sp` itself.
        (I32EqzReg { dst, src, h }, BrIfNez { target }) if on_top(dst, h) && hp == dst as u32 => {
            Some(BrIfEqzReg { cond: src as u32, target })
        }
        (I32EqzReg { dst, src, h }, BrIfEqz { target }) if on_top(dst, h) && hp == dst as u32 => {
            Some(BrIfNezReg { cond: src as u32, target })
        }
        (I32EqzReg { dst, src, h }, BrIfNez { target }) if on_top(dst, h) => {
            Some(BrIfI32EqImm { lhs: src, h: h - 1, value: 0, target })
        }
        (I32EqzReg { dst, src, h }, BrIfEqz { target }) if on_top(dst, h) => {
            Some(BrIfI32NeImm { lhs: src, h: h - 1, value: 0, target })
        }
        // The result goes to a local instead of the top of the stack.
        (prev, LocalSet { index }) => {
            let x = slot(index)?;
            to_local(prev, x)
                .or_else(|| bin_reg(prev, x, below?, top?, below?))
                .or_else(|| imm_reg(prev, x, top?, top?))
                .or_else(|| un_reg(prev, x, top?, top?))
                .or_else(|| load_reg(prev, x, top?, top?))
        }
        // An operand read from a local instead of the stack.
        (LocalGet { index }, next) => {
            let (y, at, above) = (slot(index)?, slot(hp)?, slot(hp + 1)?);
            bin_reg(next, top?, top?, y, at)
                .or_else(|| imm_reg(next, at, y, above))
                .or_else(|| un_reg(next, at, y, above))
                .or_else(|| load_reg(next, at, y, above))
                .or_else(|| store_reg(next, top?, y, top?))
        }
        (LocalGet2 { a, b }, next) => {
            let (x, y, at, above) = (slot(a)?, slot(b)?, slot(hp)?, slot(hp + 1)?);
            bin_reg(next, at, x, y, above).or_else(|| store_reg(next, x, y, at))
        }
        _ => None,
    }
}

/// The register form of binary operator `op`: `dst = lhs op rhs`, then `sp = fp + h`.
pub(super) fn bin_reg(op: Op, dst: u16, lhs: u16, rhs: u16, h: u16) -> Option<Op> {
    use Op::*;
    match op {
        I32Eq => Some(I32EqReg { dst, lhs, rhs, h }),
        I32Ne => Some(I32NeReg { dst, lhs, rhs, h }),
        I32LtS => Some(I32LtSReg { dst, lhs, rhs, h }),
        I32LtU => Some(I32LtUReg { dst, lhs, rhs, h }),
        I32GtS => Some(I32GtSReg { dst, lhs, rhs, h }),
        I32GtU => Some(I32GtUReg { dst, lhs, rhs, h }),
        I32LeS => Some(I32LeSReg { dst, lhs, rhs, h }),
        I32LeU => Some(I32LeUReg { dst, lhs, rhs, h }),
        I32GeS => Some(I32GeSReg { dst, lhs, rhs, h }),
        I32GeU => Some(I32GeUReg { dst, lhs, rhs, h }),
        I64Eq => Some(I64EqReg { dst, lhs, rhs, h }),
        I64Ne => Some(I64NeReg { dst, lhs, rhs, h }),
        I64LtS => Some(I64LtSReg { dst, lhs, rhs, h }),
        I64LtU => Some(I64LtUReg { dst, lhs, rhs, h }),
        I64GtS => Some(I64GtSReg { dst, lhs, rhs, h }),
        I64GtU => Some(I64GtUReg { dst, lhs, rhs, h }),
        I64LeS => Some(I64LeSReg { dst, lhs, rhs, h }),
        I64LeU => Some(I64LeUReg { dst, lhs, rhs, h }),
        I64GeS => Some(I64GeSReg { dst, lhs, rhs, h }),
        I64GeU => Some(I64GeUReg { dst, lhs, rhs, h }),
        F32Eq => Some(F32EqReg { dst, lhs, rhs, h }),
        F32Ne => Some(F32NeReg { dst, lhs, rhs, h }),
        F32Lt => Some(F32LtReg { dst, lhs, rhs, h }),
        F32Gt => Some(F32GtReg { dst, lhs, rhs, h }),
        F32Le => Some(F32LeReg { dst, lhs, rhs, h }),
        F32Ge => Some(F32GeReg { dst, lhs, rhs, h }),
        F64Eq => Some(F64EqReg { dst, lhs, rhs, h }),
        F64Ne => Some(F64NeReg { dst, lhs, rhs, h }),
        F64Lt => Some(F64LtReg { dst, lhs, rhs, h }),
        F64Gt => Some(F64GtReg { dst, lhs, rhs, h }),
        F64Le => Some(F64LeReg { dst, lhs, rhs, h }),
        F64Ge => Some(F64GeReg { dst, lhs, rhs, h }),
        I32Add => Some(I32AddReg { dst, lhs, rhs, h }),
        I32Sub => Some(I32SubReg { dst, lhs, rhs, h }),
        I32Mul => Some(I32MulReg { dst, lhs, rhs, h }),
        I32And => Some(I32AndReg { dst, lhs, rhs, h }),
        I32Or => Some(I32OrReg { dst, lhs, rhs, h }),
        I32Xor => Some(I32XorReg { dst, lhs, rhs, h }),
        I32Shl => Some(I32ShlReg { dst, lhs, rhs, h }),
        I32ShrS => Some(I32ShrSReg { dst, lhs, rhs, h }),
        I32ShrU => Some(I32ShrUReg { dst, lhs, rhs, h }),
        I32Rotl => Some(I32RotlReg { dst, lhs, rhs, h }),
        I32Rotr => Some(I32RotrReg { dst, lhs, rhs, h }),
        I64Add => Some(I64AddReg { dst, lhs, rhs, h }),
        I64Sub => Some(I64SubReg { dst, lhs, rhs, h }),
        I64Mul => Some(I64MulReg { dst, lhs, rhs, h }),
        I64And => Some(I64AndReg { dst, lhs, rhs, h }),
        I64Or => Some(I64OrReg { dst, lhs, rhs, h }),
        I64Xor => Some(I64XorReg { dst, lhs, rhs, h }),
        I64Shl => Some(I64ShlReg { dst, lhs, rhs, h }),
        I64ShrS => Some(I64ShrSReg { dst, lhs, rhs, h }),
        I64ShrU => Some(I64ShrUReg { dst, lhs, rhs, h }),
        I64Rotl => Some(I64RotlReg { dst, lhs, rhs, h }),
        I64Rotr => Some(I64RotrReg { dst, lhs, rhs, h }),
        F32Add => Some(F32AddReg { dst, lhs, rhs, h }),
        F32Sub => Some(F32SubReg { dst, lhs, rhs, h }),
        F32Mul => Some(F32MulReg { dst, lhs, rhs, h }),
        F32Div => Some(F32DivReg { dst, lhs, rhs, h }),
        F64Add => Some(F64AddReg { dst, lhs, rhs, h }),
        F64Sub => Some(F64SubReg { dst, lhs, rhs, h }),
        F64Mul => Some(F64MulReg { dst, lhs, rhs, h }),
        F64Div => Some(F64DivReg { dst, lhs, rhs, h }),
        _ => None,
    }
}

/// The register form of an operator with an immediate right operand.
pub(super) fn imm_reg(op: Op, dst: u16, lhs: u16, h: u16) -> Option<Op> {
    use Op::*;
    match op {
        I32AddImm { value } => Some(I32AddImmReg { dst, lhs, h, value }),
        I32MulImm { value } => Some(I32MulImmReg { dst, lhs, h, value }),
        I32AndImm { value } => Some(I32AndImmReg { dst, lhs, h, value }),
        I32OrImm { value } => Some(I32OrImmReg { dst, lhs, h, value }),
        I32XorImm { value } => Some(I32XorImmReg { dst, lhs, h, value }),
        I32ShlImm { value } => Some(I32ShlImmReg { dst, lhs, h, value }),
        I32ShrSImm { value } => Some(I32ShrSImmReg { dst, lhs, h, value }),
        I32ShrUImm { value } => Some(I32ShrUImmReg { dst, lhs, h, value }),
        I32RotlImm { value } => Some(I32RotlImmReg { dst, lhs, h, value }),
        I32RotrImm { value } => Some(I32RotrImmReg { dst, lhs, h, value }),
        I32EqImm { value } => Some(I32EqImmReg { dst, lhs, h, value }),
        I32NeImm { value } => Some(I32NeImmReg { dst, lhs, h, value }),
        I32LtSImm { value } => Some(I32LtSImmReg { dst, lhs, h, value }),
        I32LtUImm { value } => Some(I32LtUImmReg { dst, lhs, h, value }),
        I32GtSImm { value } => Some(I32GtSImmReg { dst, lhs, h, value }),
        I32GtUImm { value } => Some(I32GtUImmReg { dst, lhs, h, value }),
        I32LeSImm { value } => Some(I32LeSImmReg { dst, lhs, h, value }),
        I32LeUImm { value } => Some(I32LeUImmReg { dst, lhs, h, value }),
        I32GeSImm { value } => Some(I32GeSImmReg { dst, lhs, h, value }),
        I32GeUImm { value } => Some(I32GeUImmReg { dst, lhs, h, value }),
        I64AddImm { value } => Some(I64AddImmReg { dst, lhs, h, value }),
        I64MulImm { value } => Some(I64MulImmReg { dst, lhs, h, value }),
        I64AndImm { value } => Some(I64AndImmReg { dst, lhs, h, value }),
        I64OrImm { value } => Some(I64OrImmReg { dst, lhs, h, value }),
        I64XorImm { value } => Some(I64XorImmReg { dst, lhs, h, value }),
        I64ShlImm { value } => Some(I64ShlImmReg { dst, lhs, h, value }),
        I64ShrSImm { value } => Some(I64ShrSImmReg { dst, lhs, h, value }),
        I64ShrUImm { value } => Some(I64ShrUImmReg { dst, lhs, h, value }),
        _ => None,
    }
}

/// The register form of an i32 division or remainder by the constant `c`
/// (version 11), only where it cannot trap: `c` is not 0 (nor -1 for
/// `div_s`, whose `i32::MIN / -1` overflows). `None` for any other operator.
pub(super) fn div_imm_reg(op: Op, c: i64, dst: u16, lhs: u16, h: u16) -> Option<Op> {
    use Op::*;
    let value = i32::try_from(c).ok().filter(|v| *v != 0)?;
    match op {
        I32DivS if value != -1 => Some(I32DivSImmReg { dst, lhs, h, value }),
        I32DivU => Some(I32DivUImmReg { dst, lhs, h, value }),
        I32RemS => Some(I32RemSImmReg { dst, lhs, h, value }),
        I32RemU => Some(I32RemUImmReg { dst, lhs, h, value }),
        _ => None,
    }
}

/// Whether `op` is an i32 division or remainder (`div_imm_reg`).
pub(super) fn is_div(op: Op) -> bool {
    div_imm_reg(op, 1, 0, 0, 0).is_some()
}

/// The register form of a unary operator.
pub(super) fn un_reg(op: Op, dst: u16, src: u16, h: u16) -> Option<Op> {
    use Op::*;
    match op {
        I32Eqz => Some(I32EqzReg { dst, src, h }),
        I64Eqz => Some(I64EqzReg { dst, src, h }),
        I32WrapI64 => Some(I32WrapI64Reg { dst, src, h }),
        I64ExtendI32S => Some(I64ExtendI32SReg { dst, src, h }),
        I64ExtendI32U => Some(I64ExtendI32UReg { dst, src, h }),
        I32Clz => Some(I32ClzReg { dst, src, h }),
        I32Ctz => Some(I32CtzReg { dst, src, h }),
        I32Popcnt => Some(I32PopcntReg { dst, src, h }),
        I64Clz => Some(I64ClzReg { dst, src, h }),
        I64Ctz => Some(I64CtzReg { dst, src, h }),
        I64Popcnt => Some(I64PopcntReg { dst, src, h }),
        F32Abs => Some(F32AbsReg { dst, src, h }),
        F32Neg => Some(F32NegReg { dst, src, h }),
        F32Ceil => Some(F32CeilReg { dst, src, h }),
        F32Floor => Some(F32FloorReg { dst, src, h }),
        F32Trunc => Some(F32TruncReg { dst, src, h }),
        F32Nearest => Some(F32NearestReg { dst, src, h }),
        F32Sqrt => Some(F32SqrtReg { dst, src, h }),
        F64Abs => Some(F64AbsReg { dst, src, h }),
        F64Neg => Some(F64NegReg { dst, src, h }),
        F64Ceil => Some(F64CeilReg { dst, src, h }),
        F64Floor => Some(F64FloorReg { dst, src, h }),
        F64Trunc => Some(F64TruncReg { dst, src, h }),
        F64Nearest => Some(F64NearestReg { dst, src, h }),
        F64Sqrt => Some(F64SqrtReg { dst, src, h }),
        F32ConvertI32S => Some(F32ConvertI32SReg { dst, src, h }),
        F32ConvertI32U => Some(F32ConvertI32UReg { dst, src, h }),
        F32ConvertI64S => Some(F32ConvertI64SReg { dst, src, h }),
        F32ConvertI64U => Some(F32ConvertI64UReg { dst, src, h }),
        F32DemoteF64 => Some(F32DemoteF64Reg { dst, src, h }),
        F64ConvertI32S => Some(F64ConvertI32SReg { dst, src, h }),
        F64ConvertI32U => Some(F64ConvertI32UReg { dst, src, h }),
        F64ConvertI64S => Some(F64ConvertI64SReg { dst, src, h }),
        F64ConvertI64U => Some(F64ConvertI64UReg { dst, src, h }),
        F64PromoteF32 => Some(F64PromoteF32Reg { dst, src, h }),
        I32Extend8S => Some(I32Extend8SReg { dst, src, h }),
        I32Extend16S => Some(I32Extend16SReg { dst, src, h }),
        I64Extend8S => Some(I64Extend8SReg { dst, src, h }),
        I64Extend16S => Some(I64Extend16SReg { dst, src, h }),
        I64Extend32S => Some(I64Extend32SReg { dst, src, h }),
        I32TruncSatF32S => Some(I32TruncSatF32SReg { dst, src, h }),
        I32TruncSatF32U => Some(I32TruncSatF32UReg { dst, src, h }),
        I32TruncSatF64S => Some(I32TruncSatF64SReg { dst, src, h }),
        I32TruncSatF64U => Some(I32TruncSatF64UReg { dst, src, h }),
        I64TruncSatF32S => Some(I64TruncSatF32SReg { dst, src, h }),
        I64TruncSatF32U => Some(I64TruncSatF32UReg { dst, src, h }),
        I64TruncSatF64S => Some(I64TruncSatF64SReg { dst, src, h }),
        I64TruncSatF64U => Some(I64TruncSatF64UReg { dst, src, h }),
        _ => None,
    }
}

/// The register form of a load: `dst = memory[slot addr + offset]`.
pub(super) fn load_reg(op: Op, dst: u16, addr: u16, h: u16) -> Option<Op> {
    use Op::*;
    match op {
        I32Load { mem, offset } => Some(I32LoadReg { dst, addr, h, mem, offset }),
        I64Load { mem, offset } => Some(I64LoadReg { dst, addr, h, mem, offset }),
        F32Load { mem, offset } => Some(F32LoadReg { dst, addr, h, mem, offset }),
        F64Load { mem, offset } => Some(F64LoadReg { dst, addr, h, mem, offset }),
        I32Load8S { mem, offset } => Some(I32Load8SReg { dst, addr, h, mem, offset }),
        I32Load8U { mem, offset } => Some(I32Load8UReg { dst, addr, h, mem, offset }),
        I32Load16S { mem, offset } => Some(I32Load16SReg { dst, addr, h, mem, offset }),
        I32Load16U { mem, offset } => Some(I32Load16UReg { dst, addr, h, mem, offset }),
        I64Load8S { mem, offset } => Some(I64Load8SReg { dst, addr, h, mem, offset }),
        I64Load8U { mem, offset } => Some(I64Load8UReg { dst, addr, h, mem, offset }),
        I64Load16S { mem, offset } => Some(I64Load16SReg { dst, addr, h, mem, offset }),
        I64Load16U { mem, offset } => Some(I64Load16UReg { dst, addr, h, mem, offset }),
        I64Load32S { mem, offset } => Some(I64Load32SReg { dst, addr, h, mem, offset }),
        I64Load32U { mem, offset } => Some(I64Load32UReg { dst, addr, h, mem, offset }),
        _ => None,
    }
}

/// Whether `op` has an indexed form (`idx_load`).
fn is_idx(op: Op) -> bool {
    idx_load(op, 0, 0, 0, 0, 0).is_some()
}

/// The indexed form of a load at offset 0 (`F32Load` and `F64Load` are
/// `I32LoadIdx` and `I64LoadIdx`: a slot holds a float's bits):
/// `dst = memory[((slot index << shift) + value) mod 2^32]`, then `sp = fp + h`.
fn idx_load(op: Op, dst: u16, index: u16, h: u16, value: i32, shift: u8) -> Option<Op> {
    use Op::*;
    let (I32Load { mem, offset: 0 }
    | I64Load { mem, offset: 0 }
    | F32Load { mem, offset: 0 }
    | F64Load { mem, offset: 0 }
    | I32Load8S { mem, offset: 0 }
    | I32Load8U { mem, offset: 0 }
    | I32Load16S { mem, offset: 0 }
    | I32Load16U { mem, offset: 0 }
    | I64Load32S { mem, offset: 0 }
    | I64Load32U { mem, offset: 0 }) = op
    else {
        return None;
    };
    let mem = u16::try_from(mem).ok()?;
    match op {
        I32Load { .. } | F32Load { .. } => Some(I32LoadIdx { dst, index, h, value, mem, shift }),
        I64Load { .. } | F64Load { .. } => Some(I64LoadIdx { dst, index, h, value, mem, shift }),
        I32Load8S { .. } => Some(I32Load8SIdx { dst, index, h, value, mem, shift }),
        I32Load8U { .. } => Some(I32Load8UIdx { dst, index, h, value, mem, shift }),
        I32Load16S { .. } => Some(I32Load16SIdx { dst, index, h, value, mem, shift }),
        I32Load16U { .. } => Some(I32Load16UIdx { dst, index, h, value, mem, shift }),
        I64Load32S { .. } => Some(I64Load32SIdx { dst, index, h, value, mem, shift }),
        _ => Some(I64Load32UIdx { dst, index, h, value, mem, shift }),
    }
}

/// The register form of a store of slot `val` at slot `addr` + offset.
pub(super) fn store_reg(op: Op, addr: u16, val: u16, h: u16) -> Option<Op> {
    use Op::*;
    match op {
        I32Store { mem, offset } => Some(I32StoreReg { addr, val, h, mem, offset }),
        F32Store { mem, offset } => Some(F32StoreReg { addr, val, h, mem, offset }),
        I64Store { mem, offset } => Some(I64StoreReg { addr, val, h, mem, offset }),
        F64Store { mem, offset } => Some(F64StoreReg { addr, val, h, mem, offset }),
        I32Store8 { mem, offset } => Some(I32Store8Reg { addr, val, h, mem, offset }),
        I64Store8 { mem, offset } => Some(I64Store8Reg { addr, val, h, mem, offset }),
        I32Store16 { mem, offset } => Some(I32Store16Reg { addr, val, h, mem, offset }),
        I64Store16 { mem, offset } => Some(I64Store16Reg { addr, val, h, mem, offset }),
        I64Store32 { mem, offset } => Some(I64Store32Reg { addr, val, h, mem, offset }),
        _ => None,
    }
}

/// A register form whose result is the new top of the stack, writing local
/// `x` instead (as a `local.set x` after it would).
fn to_local(op: Op, x: u16) -> Option<Op> {
    use Op::*;
    let top = |dst: u16, h: u16| dst as u32 + 1 == h as u32;
    match op {
        I32EqReg { dst, lhs, rhs, h } if top(dst, h) => Some(I32EqReg { dst: x, lhs, rhs, h: h - 1 }),
        I32NeReg { dst, lhs, rhs, h } if top(dst, h) => Some(I32NeReg { dst: x, lhs, rhs, h: h - 1 }),
        I32LtSReg { dst, lhs, rhs, h } if top(dst, h) => Some(I32LtSReg { dst: x, lhs, rhs, h: h - 1 }),
        I32LtUReg { dst, lhs, rhs, h } if top(dst, h) => Some(I32LtUReg { dst: x, lhs, rhs, h: h - 1 }),
        I32GtSReg { dst, lhs, rhs, h } if top(dst, h) => Some(I32GtSReg { dst: x, lhs, rhs, h: h - 1 }),
        I32GtUReg { dst, lhs, rhs, h } if top(dst, h) => Some(I32GtUReg { dst: x, lhs, rhs, h: h - 1 }),
        I32LeSReg { dst, lhs, rhs, h } if top(dst, h) => Some(I32LeSReg { dst: x, lhs, rhs, h: h - 1 }),
        I32LeUReg { dst, lhs, rhs, h } if top(dst, h) => Some(I32LeUReg { dst: x, lhs, rhs, h: h - 1 }),
        I32GeSReg { dst, lhs, rhs, h } if top(dst, h) => Some(I32GeSReg { dst: x, lhs, rhs, h: h - 1 }),
        I32GeUReg { dst, lhs, rhs, h } if top(dst, h) => Some(I32GeUReg { dst: x, lhs, rhs, h: h - 1 }),
        I64EqReg { dst, lhs, rhs, h } if top(dst, h) => Some(I64EqReg { dst: x, lhs, rhs, h: h - 1 }),
        I64NeReg { dst, lhs, rhs, h } if top(dst, h) => Some(I64NeReg { dst: x, lhs, rhs, h: h - 1 }),
        I64LtSReg { dst, lhs, rhs, h } if top(dst, h) => Some(I64LtSReg { dst: x, lhs, rhs, h: h - 1 }),
        I64LtUReg { dst, lhs, rhs, h } if top(dst, h) => Some(I64LtUReg { dst: x, lhs, rhs, h: h - 1 }),
        I64GtSReg { dst, lhs, rhs, h } if top(dst, h) => Some(I64GtSReg { dst: x, lhs, rhs, h: h - 1 }),
        I64GtUReg { dst, lhs, rhs, h } if top(dst, h) => Some(I64GtUReg { dst: x, lhs, rhs, h: h - 1 }),
        I64LeSReg { dst, lhs, rhs, h } if top(dst, h) => Some(I64LeSReg { dst: x, lhs, rhs, h: h - 1 }),
        I64LeUReg { dst, lhs, rhs, h } if top(dst, h) => Some(I64LeUReg { dst: x, lhs, rhs, h: h - 1 }),
        I64GeSReg { dst, lhs, rhs, h } if top(dst, h) => Some(I64GeSReg { dst: x, lhs, rhs, h: h - 1 }),
        I64GeUReg { dst, lhs, rhs, h } if top(dst, h) => Some(I64GeUReg { dst: x, lhs, rhs, h: h - 1 }),
        F32EqReg { dst, lhs, rhs, h } if top(dst, h) => Some(F32EqReg { dst: x, lhs, rhs, h: h - 1 }),
        F32NeReg { dst, lhs, rhs, h } if top(dst, h) => Some(F32NeReg { dst: x, lhs, rhs, h: h - 1 }),
        F32LtReg { dst, lhs, rhs, h } if top(dst, h) => Some(F32LtReg { dst: x, lhs, rhs, h: h - 1 }),
        F32GtReg { dst, lhs, rhs, h } if top(dst, h) => Some(F32GtReg { dst: x, lhs, rhs, h: h - 1 }),
        F32LeReg { dst, lhs, rhs, h } if top(dst, h) => Some(F32LeReg { dst: x, lhs, rhs, h: h - 1 }),
        F32GeReg { dst, lhs, rhs, h } if top(dst, h) => Some(F32GeReg { dst: x, lhs, rhs, h: h - 1 }),
        F64EqReg { dst, lhs, rhs, h } if top(dst, h) => Some(F64EqReg { dst: x, lhs, rhs, h: h - 1 }),
        F64NeReg { dst, lhs, rhs, h } if top(dst, h) => Some(F64NeReg { dst: x, lhs, rhs, h: h - 1 }),
        F64LtReg { dst, lhs, rhs, h } if top(dst, h) => Some(F64LtReg { dst: x, lhs, rhs, h: h - 1 }),
        F64GtReg { dst, lhs, rhs, h } if top(dst, h) => Some(F64GtReg { dst: x, lhs, rhs, h: h - 1 }),
        F64LeReg { dst, lhs, rhs, h } if top(dst, h) => Some(F64LeReg { dst: x, lhs, rhs, h: h - 1 }),
        F64GeReg { dst, lhs, rhs, h } if top(dst, h) => Some(F64GeReg { dst: x, lhs, rhs, h: h - 1 }),
        I32AddReg { dst, lhs, rhs, h } if top(dst, h) => Some(I32AddReg { dst: x, lhs, rhs, h: h - 1 }),
        I32SubReg { dst, lhs, rhs, h } if top(dst, h) => Some(I32SubReg { dst: x, lhs, rhs, h: h - 1 }),
        I32MulReg { dst, lhs, rhs, h } if top(dst, h) => Some(I32MulReg { dst: x, lhs, rhs, h: h - 1 }),
        I32AndReg { dst, lhs, rhs, h } if top(dst, h) => Some(I32AndReg { dst: x, lhs, rhs, h: h - 1 }),
        I32OrReg { dst, lhs, rhs, h } if top(dst, h) => Some(I32OrReg { dst: x, lhs, rhs, h: h - 1 }),
        I32XorReg { dst, lhs, rhs, h } if top(dst, h) => Some(I32XorReg { dst: x, lhs, rhs, h: h - 1 }),
        I32ShlReg { dst, lhs, rhs, h } if top(dst, h) => Some(I32ShlReg { dst: x, lhs, rhs, h: h - 1 }),
        I32ShrSReg { dst, lhs, rhs, h } if top(dst, h) => Some(I32ShrSReg { dst: x, lhs, rhs, h: h - 1 }),
        I32ShrUReg { dst, lhs, rhs, h } if top(dst, h) => Some(I32ShrUReg { dst: x, lhs, rhs, h: h - 1 }),
        I32RotlReg { dst, lhs, rhs, h } if top(dst, h) => Some(I32RotlReg { dst: x, lhs, rhs, h: h - 1 }),
        I32RotrReg { dst, lhs, rhs, h } if top(dst, h) => Some(I32RotrReg { dst: x, lhs, rhs, h: h - 1 }),
        I64AddReg { dst, lhs, rhs, h } if top(dst, h) => Some(I64AddReg { dst: x, lhs, rhs, h: h - 1 }),
        I64SubReg { dst, lhs, rhs, h } if top(dst, h) => Some(I64SubReg { dst: x, lhs, rhs, h: h - 1 }),
        I64MulReg { dst, lhs, rhs, h } if top(dst, h) => Some(I64MulReg { dst: x, lhs, rhs, h: h - 1 }),
        I64AndReg { dst, lhs, rhs, h } if top(dst, h) => Some(I64AndReg { dst: x, lhs, rhs, h: h - 1 }),
        I64OrReg { dst, lhs, rhs, h } if top(dst, h) => Some(I64OrReg { dst: x, lhs, rhs, h: h - 1 }),
        I64XorReg { dst, lhs, rhs, h } if top(dst, h) => Some(I64XorReg { dst: x, lhs, rhs, h: h - 1 }),
        I64ShlReg { dst, lhs, rhs, h } if top(dst, h) => Some(I64ShlReg { dst: x, lhs, rhs, h: h - 1 }),
        I64ShrSReg { dst, lhs, rhs, h } if top(dst, h) => Some(I64ShrSReg { dst: x, lhs, rhs, h: h - 1 }),
        I64ShrUReg { dst, lhs, rhs, h } if top(dst, h) => Some(I64ShrUReg { dst: x, lhs, rhs, h: h - 1 }),
        I64RotlReg { dst, lhs, rhs, h } if top(dst, h) => Some(I64RotlReg { dst: x, lhs, rhs, h: h - 1 }),
        I64RotrReg { dst, lhs, rhs, h } if top(dst, h) => Some(I64RotrReg { dst: x, lhs, rhs, h: h - 1 }),
        F32AddReg { dst, lhs, rhs, h } if top(dst, h) => Some(F32AddReg { dst: x, lhs, rhs, h: h - 1 }),
        F32SubReg { dst, lhs, rhs, h } if top(dst, h) => Some(F32SubReg { dst: x, lhs, rhs, h: h - 1 }),
        F32MulReg { dst, lhs, rhs, h } if top(dst, h) => Some(F32MulReg { dst: x, lhs, rhs, h: h - 1 }),
        F32DivReg { dst, lhs, rhs, h } if top(dst, h) => Some(F32DivReg { dst: x, lhs, rhs, h: h - 1 }),
        F64AddReg { dst, lhs, rhs, h } if top(dst, h) => Some(F64AddReg { dst: x, lhs, rhs, h: h - 1 }),
        F64SubReg { dst, lhs, rhs, h } if top(dst, h) => Some(F64SubReg { dst: x, lhs, rhs, h: h - 1 }),
        F64MulReg { dst, lhs, rhs, h } if top(dst, h) => Some(F64MulReg { dst: x, lhs, rhs, h: h - 1 }),
        F64DivReg { dst, lhs, rhs, h } if top(dst, h) => Some(F64DivReg { dst: x, lhs, rhs, h: h - 1 }),
        I32AddImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I32AddImmReg { dst: x, lhs, h: h - 1, value })
        }
        I32MulImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I32MulImmReg { dst: x, lhs, h: h - 1, value })
        }
        I32AndImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I32AndImmReg { dst: x, lhs, h: h - 1, value })
        }
        I32OrImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I32OrImmReg { dst: x, lhs, h: h - 1, value })
        }
        I32XorImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I32XorImmReg { dst: x, lhs, h: h - 1, value })
        }
        I32ShlImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I32ShlImmReg { dst: x, lhs, h: h - 1, value })
        }
        I32ShrSImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I32ShrSImmReg { dst: x, lhs, h: h - 1, value })
        }
        I32ShrUImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I32ShrUImmReg { dst: x, lhs, h: h - 1, value })
        }
        I32RotlImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I32RotlImmReg { dst: x, lhs, h: h - 1, value })
        }
        I32RotrImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I32RotrImmReg { dst: x, lhs, h: h - 1, value })
        }
        I32EqImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I32EqImmReg { dst: x, lhs, h: h - 1, value })
        }
        I32NeImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I32NeImmReg { dst: x, lhs, h: h - 1, value })
        }
        I32LtSImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I32LtSImmReg { dst: x, lhs, h: h - 1, value })
        }
        I32LtUImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I32LtUImmReg { dst: x, lhs, h: h - 1, value })
        }
        I32GtSImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I32GtSImmReg { dst: x, lhs, h: h - 1, value })
        }
        I32GtUImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I32GtUImmReg { dst: x, lhs, h: h - 1, value })
        }
        I32LeSImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I32LeSImmReg { dst: x, lhs, h: h - 1, value })
        }
        I32LeUImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I32LeUImmReg { dst: x, lhs, h: h - 1, value })
        }
        I32GeSImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I32GeSImmReg { dst: x, lhs, h: h - 1, value })
        }
        I32GeUImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I32GeUImmReg { dst: x, lhs, h: h - 1, value })
        }
        I64AddImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I64AddImmReg { dst: x, lhs, h: h - 1, value })
        }
        I64MulImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I64MulImmReg { dst: x, lhs, h: h - 1, value })
        }
        I64AndImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I64AndImmReg { dst: x, lhs, h: h - 1, value })
        }
        I64OrImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I64OrImmReg { dst: x, lhs, h: h - 1, value })
        }
        I64XorImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I64XorImmReg { dst: x, lhs, h: h - 1, value })
        }
        I64ShlImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I64ShlImmReg { dst: x, lhs, h: h - 1, value })
        }
        I64ShrSImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I64ShrSImmReg { dst: x, lhs, h: h - 1, value })
        }
        I64ShrUImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I64ShrUImmReg { dst: x, lhs, h: h - 1, value })
        }
        I32ShlAddImmReg { dst, lhs, h, value, shift } if top(dst, h) => {
            Some(I32ShlAddImmReg { dst: x, lhs, h: h - 1, value, shift })
        }
        I32LoadIdx { dst, index, h, value, mem, shift } if top(dst, h) => {
            Some(I32LoadIdx { dst: x, index, h: h - 1, value, mem, shift })
        }
        I64LoadIdx { dst, index, h, value, mem, shift } if top(dst, h) => {
            Some(I64LoadIdx { dst: x, index, h: h - 1, value, mem, shift })
        }
        I32Load8SIdx { dst, index, h, value, mem, shift } if top(dst, h) => {
            Some(I32Load8SIdx { dst: x, index, h: h - 1, value, mem, shift })
        }
        I32Load8UIdx { dst, index, h, value, mem, shift } if top(dst, h) => {
            Some(I32Load8UIdx { dst: x, index, h: h - 1, value, mem, shift })
        }
        I32Load16SIdx { dst, index, h, value, mem, shift } if top(dst, h) => {
            Some(I32Load16SIdx { dst: x, index, h: h - 1, value, mem, shift })
        }
        I32Load16UIdx { dst, index, h, value, mem, shift } if top(dst, h) => {
            Some(I32Load16UIdx { dst: x, index, h: h - 1, value, mem, shift })
        }
        I64Load32SIdx { dst, index, h, value, mem, shift } if top(dst, h) => {
            Some(I64Load32SIdx { dst: x, index, h: h - 1, value, mem, shift })
        }
        I64Load32UIdx { dst, index, h, value, mem, shift } if top(dst, h) => {
            Some(I64Load32UIdx { dst: x, index, h: h - 1, value, mem, shift })
        }
        I32DivSImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I32DivSImmReg { dst: x, lhs, h: h - 1, value })
        }
        I32DivUImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I32DivUImmReg { dst: x, lhs, h: h - 1, value })
        }
        I32RemSImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I32RemSImmReg { dst: x, lhs, h: h - 1, value })
        }
        I32RemUImmReg { dst, lhs, h, value } if top(dst, h) => {
            Some(I32RemUImmReg { dst: x, lhs, h: h - 1, value })
        }
        I32EqzReg { dst, src, h } if top(dst, h) => Some(I32EqzReg { dst: x, src, h: h - 1 }),
        I64EqzReg { dst, src, h } if top(dst, h) => Some(I64EqzReg { dst: x, src, h: h - 1 }),
        I32WrapI64Reg { dst, src, h } if top(dst, h) => Some(I32WrapI64Reg { dst: x, src, h: h - 1 }),
        I64ExtendI32SReg { dst, src, h } if top(dst, h) => Some(I64ExtendI32SReg { dst: x, src, h: h - 1 }),
        I64ExtendI32UReg { dst, src, h } if top(dst, h) => Some(I64ExtendI32UReg { dst: x, src, h: h - 1 }),
        I32LoadReg { dst, addr, h, mem, offset } if top(dst, h) => {
            Some(I32LoadReg { dst: x, addr, h: h - 1, mem, offset })
        }
        I64LoadReg { dst, addr, h, mem, offset } if top(dst, h) => {
            Some(I64LoadReg { dst: x, addr, h: h - 1, mem, offset })
        }
        F32LoadReg { dst, addr, h, mem, offset } if top(dst, h) => {
            Some(F32LoadReg { dst: x, addr, h: h - 1, mem, offset })
        }
        F64LoadReg { dst, addr, h, mem, offset } if top(dst, h) => {
            Some(F64LoadReg { dst: x, addr, h: h - 1, mem, offset })
        }
        I32Load8SReg { dst, addr, h, mem, offset } if top(dst, h) => {
            Some(I32Load8SReg { dst: x, addr, h: h - 1, mem, offset })
        }
        I32Load8UReg { dst, addr, h, mem, offset } if top(dst, h) => {
            Some(I32Load8UReg { dst: x, addr, h: h - 1, mem, offset })
        }
        I32Load16SReg { dst, addr, h, mem, offset } if top(dst, h) => {
            Some(I32Load16SReg { dst: x, addr, h: h - 1, mem, offset })
        }
        I32Load16UReg { dst, addr, h, mem, offset } if top(dst, h) => {
            Some(I32Load16UReg { dst: x, addr, h: h - 1, mem, offset })
        }
        I64Load8SReg { dst, addr, h, mem, offset } if top(dst, h) => {
            Some(I64Load8SReg { dst: x, addr, h: h - 1, mem, offset })
        }
        I64Load8UReg { dst, addr, h, mem, offset } if top(dst, h) => {
            Some(I64Load8UReg { dst: x, addr, h: h - 1, mem, offset })
        }
        I64Load16SReg { dst, addr, h, mem, offset } if top(dst, h) => {
            Some(I64Load16SReg { dst: x, addr, h: h - 1, mem, offset })
        }
        I64Load16UReg { dst, addr, h, mem, offset } if top(dst, h) => {
            Some(I64Load16UReg { dst: x, addr, h: h - 1, mem, offset })
        }
        I64Load32SReg { dst, addr, h, mem, offset } if top(dst, h) => {
            Some(I64Load32SReg { dst: x, addr, h: h - 1, mem, offset })
        }
        I64Load32UReg { dst, addr, h, mem, offset } if top(dst, h) => {
            Some(I64Load32UReg { dst: x, addr, h: h - 1, mem, offset })
        }
        I32ClzReg { dst, src, h } if top(dst, h) => Some(I32ClzReg { dst: x, src, h: h - 1 }),
        I32CtzReg { dst, src, h } if top(dst, h) => Some(I32CtzReg { dst: x, src, h: h - 1 }),
        I32PopcntReg { dst, src, h } if top(dst, h) => Some(I32PopcntReg { dst: x, src, h: h - 1 }),
        I64ClzReg { dst, src, h } if top(dst, h) => Some(I64ClzReg { dst: x, src, h: h - 1 }),
        I64CtzReg { dst, src, h } if top(dst, h) => Some(I64CtzReg { dst: x, src, h: h - 1 }),
        I64PopcntReg { dst, src, h } if top(dst, h) => Some(I64PopcntReg { dst: x, src, h: h - 1 }),
        F32AbsReg { dst, src, h } if top(dst, h) => Some(F32AbsReg { dst: x, src, h: h - 1 }),
        F32NegReg { dst, src, h } if top(dst, h) => Some(F32NegReg { dst: x, src, h: h - 1 }),
        F32CeilReg { dst, src, h } if top(dst, h) => Some(F32CeilReg { dst: x, src, h: h - 1 }),
        F32FloorReg { dst, src, h } if top(dst, h) => Some(F32FloorReg { dst: x, src, h: h - 1 }),
        F32TruncReg { dst, src, h } if top(dst, h) => Some(F32TruncReg { dst: x, src, h: h - 1 }),
        F32NearestReg { dst, src, h } if top(dst, h) => Some(F32NearestReg { dst: x, src, h: h - 1 }),
        F32SqrtReg { dst, src, h } if top(dst, h) => Some(F32SqrtReg { dst: x, src, h: h - 1 }),
        F64AbsReg { dst, src, h } if top(dst, h) => Some(F64AbsReg { dst: x, src, h: h - 1 }),
        F64NegReg { dst, src, h } if top(dst, h) => Some(F64NegReg { dst: x, src, h: h - 1 }),
        F64CeilReg { dst, src, h } if top(dst, h) => Some(F64CeilReg { dst: x, src, h: h - 1 }),
        F64FloorReg { dst, src, h } if top(dst, h) => Some(F64FloorReg { dst: x, src, h: h - 1 }),
        F64TruncReg { dst, src, h } if top(dst, h) => Some(F64TruncReg { dst: x, src, h: h - 1 }),
        F64NearestReg { dst, src, h } if top(dst, h) => Some(F64NearestReg { dst: x, src, h: h - 1 }),
        F64SqrtReg { dst, src, h } if top(dst, h) => Some(F64SqrtReg { dst: x, src, h: h - 1 }),
        F32ConvertI32SReg { dst, src, h } if top(dst, h) => Some(F32ConvertI32SReg { dst: x, src, h: h - 1 }),
        F32ConvertI32UReg { dst, src, h } if top(dst, h) => Some(F32ConvertI32UReg { dst: x, src, h: h - 1 }),
        F32ConvertI64SReg { dst, src, h } if top(dst, h) => Some(F32ConvertI64SReg { dst: x, src, h: h - 1 }),
        F32ConvertI64UReg { dst, src, h } if top(dst, h) => Some(F32ConvertI64UReg { dst: x, src, h: h - 1 }),
        F32DemoteF64Reg { dst, src, h } if top(dst, h) => Some(F32DemoteF64Reg { dst: x, src, h: h - 1 }),
        F64ConvertI32SReg { dst, src, h } if top(dst, h) => Some(F64ConvertI32SReg { dst: x, src, h: h - 1 }),
        F64ConvertI32UReg { dst, src, h } if top(dst, h) => Some(F64ConvertI32UReg { dst: x, src, h: h - 1 }),
        F64ConvertI64SReg { dst, src, h } if top(dst, h) => Some(F64ConvertI64SReg { dst: x, src, h: h - 1 }),
        F64ConvertI64UReg { dst, src, h } if top(dst, h) => Some(F64ConvertI64UReg { dst: x, src, h: h - 1 }),
        F64PromoteF32Reg { dst, src, h } if top(dst, h) => Some(F64PromoteF32Reg { dst: x, src, h: h - 1 }),
        I32Extend8SReg { dst, src, h } if top(dst, h) => Some(I32Extend8SReg { dst: x, src, h: h - 1 }),
        I32Extend16SReg { dst, src, h } if top(dst, h) => Some(I32Extend16SReg { dst: x, src, h: h - 1 }),
        I64Extend8SReg { dst, src, h } if top(dst, h) => Some(I64Extend8SReg { dst: x, src, h: h - 1 }),
        I64Extend16SReg { dst, src, h } if top(dst, h) => Some(I64Extend16SReg { dst: x, src, h: h - 1 }),
        I64Extend32SReg { dst, src, h } if top(dst, h) => Some(I64Extend32SReg { dst: x, src, h: h - 1 }),
        I32TruncSatF32SReg { dst, src, h } if top(dst, h) => {
            Some(I32TruncSatF32SReg { dst: x, src, h: h - 1 })
        }
        I32TruncSatF32UReg { dst, src, h } if top(dst, h) => {
            Some(I32TruncSatF32UReg { dst: x, src, h: h - 1 })
        }
        I32TruncSatF64SReg { dst, src, h } if top(dst, h) => {
            Some(I32TruncSatF64SReg { dst: x, src, h: h - 1 })
        }
        I32TruncSatF64UReg { dst, src, h } if top(dst, h) => {
            Some(I32TruncSatF64UReg { dst: x, src, h: h - 1 })
        }
        I64TruncSatF32SReg { dst, src, h } if top(dst, h) => {
            Some(I64TruncSatF32SReg { dst: x, src, h: h - 1 })
        }
        I64TruncSatF32UReg { dst, src, h } if top(dst, h) => {
            Some(I64TruncSatF32UReg { dst: x, src, h: h - 1 })
        }
        I64TruncSatF64SReg { dst, src, h } if top(dst, h) => {
            Some(I64TruncSatF64SReg { dst: x, src, h: h - 1 })
        }
        I64TruncSatF64UReg { dst, src, h } if top(dst, h) => {
            Some(I64TruncSatF64UReg { dst: x, src, h: h - 1 })
        }
        _ => super::at::load_at_to_local(op, x),
    }
}
