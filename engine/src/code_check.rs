//! A load-time check of each translated function against the invariants the
//! fast path relies on (`specs/execution.md` §12).
//!
//! The interpreter fetches instructions without a bounds check
//! (`access::Direct::op`) and reaches locals through an unchecked stack
//! (`access::Slots`). Translation only ever produces code for which that is
//! safe, but a liar chooses the module, so a translator bug would become
//! memory corruption in every honest checker. This pass turns the control
//! flow and locals part of that argument into a checked property: code that
//! breaks it is refused at load time, once per function, at no cost per
//! step. Operand-stack heights are not re-derived here; they rest on
//! wasmparser's validation and `TranslatedFunc::max_height`, and
//! `tests/translate_fuzz.rs` exercises them.

use crate::isa::Op;
use crate::limits::MAX_COPY;

/// Where and how a function's translated code breaks an invariant.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Fault {
    /// Index of the offending instruction in the module's code.
    pub at: usize,
    /// The invariant broken.
    pub what: &'static str,
}

/// Checks the function whose code is `code[entry..]`: its prologue
/// (`entry..body`) is `ZeroLocals` only, its body is not empty, every jump
/// lands inside the body, every branch table has all its entries, every
/// local slot is below `locals` (parameters plus declared locals, in slots),
/// every 16-byte immediate has its `Hi64` (and every `Hi64` its
/// instruction), every lane index is below its lane count, and the last
/// instruction never falls through. Then no step can fetch past the
/// function's end or touch a slot outside its frame's locals.
pub(crate) fn check(code: &[Op], entry: usize, body: usize, locals: u32, frame: u32) -> Result<(), Fault> {
    let end = code.len();
    let fault = |at: usize, what: &'static str| Err(Fault { at, what });
    if body < entry || body >= end {
        return fault(entry, "a function without a body");
    }
    let local = |i: u32| i < locals;
    // A register form's slots lie in the frame, and its `sp` among the operands.
    let regs = |slots: &[u16], h: u16| {
        slots.iter().all(|s| (*s as u32) < frame) && (locals..=frame).contains(&(h as u32))
    };
    let inside = |t: u32| (body..end).contains(&(t as usize));
    for (at, op) in code.iter().enumerate().skip(entry) {
        if at < body && !matches!(op, Op::ZeroLocals { .. }) {
            return fault(at, "a prologue instruction other than zeroing locals");
        }
        let ok = match *op {
            Op::Br { target }
            | Op::BrIfEqz { target }
            | Op::BrIfNez { target }
            | Op::BrAdjust { target, .. }
            | Op::BrIfNezAdjust { target, .. } => inside(target),
            Op::BrIfEqzReg { cond, target } | Op::BrIfNezReg { cond, target } => {
                local(cond) && inside(target)
            }
            // Deferred operands (§2.2) are written to operand slots too.
            Op::LocalCopy { dst, src } => dst < frame && local(src),
            Op::I32SetConst { dst, .. } | Op::I64SetConst { dst, .. } => dst < frame,
            Op::BrTableReg { index, .. } if !local(index) => false,
            Op::BrTable { len } | Op::BrTableReg { len, .. } => {
                // Entries `at + 1 ..= at + 1 + len`, each performed in the
                // `BrTable`'s own step.
                let last = at as u64 + 1 + len as u64;
                last < end as u64
                    && code[at + 1..=last as usize]
                        .iter()
                        .all(|e| matches!(e, Op::BrAdjust { .. } | Op::Return { .. }))
            }
            Op::ZeroLocals { first, n } => first as u64 + n as u64 <= locals as u64,
            Op::StackMove { from, to, n } => n <= MAX_COPY && n <= from && from < to && to <= frame,
            Op::LocalGet { index } | Op::LocalSet { index } | Op::LocalTee { index } => local(index),
            Op::LocalGet2 { a, b } => local(a) && local(b),
            Op::V128LocalSet { index } | Op::V128LocalTee { index } => local(index) && local(index + 1),
            Op::V128Const { .. } | Op::I8x16Shuffle { .. } => {
                matches!(code.get(at + 1), Some(Op::Hi64 { .. }))
            }
            Op::Hi64 { .. } => {
                at > body && matches!(code[at - 1], Op::V128Const { .. } | Op::I8x16Shuffle { .. })
            }
            Op::V128ExtractLane { op, lane } => lane < op.lanes(),
            Op::V128ReplaceLane { op, lane } => lane < op.lanes(),
            Op::V128LoadLane { op, lane, .. } => lane < 16 / op.bytes(),
            Op::V128StoreLane { op, lane, .. } => lane < 16 / op.bytes(),
            Op::LocalSetGet { set, get } => local(set) && local(get),
            Op::LocalTeeGet { tee, get } => local(tee) && local(get),
            Op::I32EqReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I32NeReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I32LtSReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I32LtUReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I32GtSReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I32GtUReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I32LeSReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I32LeUReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I32GeSReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I32GeUReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I64EqReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I64NeReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I64LtSReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I64LtUReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I64GtSReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I64GtUReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I64LeSReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I64LeUReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I64GeSReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I64GeUReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::F32EqReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::F32NeReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::F32LtReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::F32GtReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::F32LeReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::F32GeReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::F64EqReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::F64NeReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::F64LtReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::F64GtReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::F64LeReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::F64GeReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I32AddReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I32SubReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I32MulReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I32AndReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I32OrReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I32XorReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I32ShlReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I32ShrSReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I32ShrUReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I32RotlReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I32RotrReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I64AddReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I64SubReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I64MulReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I64AndReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I64OrReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I64XorReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I64ShlReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I64ShrSReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I64ShrUReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I64RotlReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I64RotrReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::F32AddReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::F32SubReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::F32MulReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::F32DivReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::F64AddReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::F64SubReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::F64MulReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::F64DivReg { dst, lhs, rhs, h } => regs(&[dst, lhs, rhs], h),
            Op::I32AddImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I32MulImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I32AndImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I32OrImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I32XorImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I32ShlImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I32ShlAddImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I32DivSImmReg { dst, lhs, h, .. }
            | Op::I32DivUImmReg { dst, lhs, h, .. }
            | Op::I32RemSImmReg { dst, lhs, h, .. }
            | Op::I32RemUImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I32ShrSImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I32ShrUImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I32RotlImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I32RotrImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I32EqImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I32NeImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I32LtSImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I32LtUImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I32GtSImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I32GtUImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I32LeSImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I32LeUImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I32GeSImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I32GeUImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I64AddImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I64MulImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I64AndImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I64OrImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I64XorImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I64ShlImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I64ShrSImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I64ShrUImmReg { dst, lhs, h, .. } => regs(&[dst, lhs], h),
            Op::I32EqzReg { dst, src, h } => regs(&[dst, src], h),
            Op::I64EqzReg { dst, src, h } => regs(&[dst, src], h),
            Op::I32WrapI64Reg { dst, src, h } => regs(&[dst, src], h),
            Op::I64ExtendI32SReg { dst, src, h } => regs(&[dst, src], h),
            Op::I64ExtendI32UReg { dst, src, h } => regs(&[dst, src], h),
            Op::I32LoadReg { dst, addr, h, .. } => regs(&[dst, addr], h),
            Op::I32LoadAddReg { dst, addr, .. } | Op::F64LoadAddReg { dst, addr, .. } => {
                regs(&[dst, addr], dst.saturating_add(1))
            }
            Op::I64LoadReg { dst, addr, h, .. } => regs(&[dst, addr], h),
            Op::I32LoadIdx { dst, index, h, .. }
            | Op::I64LoadIdx { dst, index, h, .. }
            | Op::I32Load8SIdx { dst, index, h, .. }
            | Op::I32Load8UIdx { dst, index, h, .. }
            | Op::I32Load16SIdx { dst, index, h, .. }
            | Op::I32Load16UIdx { dst, index, h, .. }
            | Op::I64Load32SIdx { dst, index, h, .. }
            | Op::I64Load32UIdx { dst, index, h, .. } => regs(&[dst, index], h),
            Op::F32LoadReg { dst, addr, h, .. } => regs(&[dst, addr], h),
            Op::F64LoadReg { dst, addr, h, .. } => regs(&[dst, addr], h),
            Op::I32Load8SReg { dst, addr, h, .. } => regs(&[dst, addr], h),
            Op::I32Load8UReg { dst, addr, h, .. } => regs(&[dst, addr], h),
            Op::I32Load16SReg { dst, addr, h, .. } => regs(&[dst, addr], h),
            Op::I32Load16UReg { dst, addr, h, .. } => regs(&[dst, addr], h),
            Op::I64Load8SReg { dst, addr, h, .. } => regs(&[dst, addr], h),
            Op::I64Load8UReg { dst, addr, h, .. } => regs(&[dst, addr], h),
            Op::I64Load16SReg { dst, addr, h, .. } => regs(&[dst, addr], h),
            Op::I64Load16UReg { dst, addr, h, .. } => regs(&[dst, addr], h),
            Op::I64Load32SReg { dst, addr, h, .. } => regs(&[dst, addr], h),
            Op::I64Load32UReg { dst, addr, h, .. } => regs(&[dst, addr], h),
            Op::I32StoreReg { addr, val, h, .. } => regs(&[addr, val], h),
            Op::F32StoreReg { addr, val, h, .. } => regs(&[addr, val], h),
            Op::I64StoreReg { addr, val, h, .. } => regs(&[addr, val], h),
            Op::F64StoreReg { addr, val, h, .. } => regs(&[addr, val], h),
            Op::I32Store8Reg { addr, val, h, .. } => regs(&[addr, val], h),
            Op::I64Store8Reg { addr, val, h, .. } => regs(&[addr, val], h),
            Op::I32Store16Reg { addr, val, h, .. } => regs(&[addr, val], h),
            Op::I64Store16Reg { addr, val, h, .. } => regs(&[addr, val], h),
            Op::I64Store32Reg { addr, val, h, .. } => regs(&[addr, val], h),
            Op::I32LoadAt { dst, h, .. }
            | Op::I64LoadAt { dst, h, .. }
            | Op::F32LoadAt { dst, h, .. }
            | Op::F64LoadAt { dst, h, .. }
            | Op::I32Load8SAt { dst, h, .. }
            | Op::I32Load8UAt { dst, h, .. }
            | Op::I32Load16SAt { dst, h, .. }
            | Op::I32Load16UAt { dst, h, .. }
            | Op::I64Load8SAt { dst, h, .. }
            | Op::I64Load8UAt { dst, h, .. }
            | Op::I64Load16SAt { dst, h, .. }
            | Op::I64Load16UAt { dst, h, .. }
            | Op::I64Load32SAt { dst, h, .. }
            | Op::I64Load32UAt { dst, h, .. } => regs(&[dst], h),
            Op::I32StoreAt { val, h, .. }
            | Op::I64StoreAt { val, h, .. }
            | Op::F32StoreAt { val, h, .. }
            | Op::F64StoreAt { val, h, .. }
            | Op::I32Store8At { val, h, .. }
            | Op::I32Store16At { val, h, .. }
            | Op::I64Store8At { val, h, .. }
            | Op::I64Store16At { val, h, .. }
            | Op::I64Store32At { val, h, .. } => regs(&[val], h),
            Op::BrIfI32Eq { lhs, rhs, h, target } => regs(&[lhs, rhs], h) && inside(target),
            Op::BrIfI32Ne { lhs, rhs, h, target } => regs(&[lhs, rhs], h) && inside(target),
            Op::BrIfI32LtS { lhs, rhs, h, target } => regs(&[lhs, rhs], h) && inside(target),
            Op::BrIfI32LtU { lhs, rhs, h, target } => regs(&[lhs, rhs], h) && inside(target),
            Op::BrIfI32GtS { lhs, rhs, h, target } => regs(&[lhs, rhs], h) && inside(target),
            Op::BrIfI32GtU { lhs, rhs, h, target } => regs(&[lhs, rhs], h) && inside(target),
            Op::BrIfI32LeS { lhs, rhs, h, target } => regs(&[lhs, rhs], h) && inside(target),
            Op::BrIfI32LeU { lhs, rhs, h, target } => regs(&[lhs, rhs], h) && inside(target),
            Op::BrIfI32GeS { lhs, rhs, h, target } => regs(&[lhs, rhs], h) && inside(target),
            Op::BrIfI32GeU { lhs, rhs, h, target } => regs(&[lhs, rhs], h) && inside(target),
            Op::BrIfI32EqImm { lhs, h, target, .. } => regs(&[lhs], h) && inside(target),
            Op::BrIfI32NeImm { lhs, h, target, .. } => regs(&[lhs], h) && inside(target),
            Op::BrIfI32LtSImm { lhs, h, target, .. } => regs(&[lhs], h) && inside(target),
            Op::BrIfI32LtUImm { lhs, h, target, .. } => regs(&[lhs], h) && inside(target),
            Op::BrIfI32GtSImm { lhs, h, target, .. } => regs(&[lhs], h) && inside(target),
            Op::BrIfI32GtUImm { lhs, h, target, .. } => regs(&[lhs], h) && inside(target),
            Op::BrIfI32LeSImm { lhs, h, target, .. } => regs(&[lhs], h) && inside(target),
            Op::BrIfI32LeUImm { lhs, h, target, .. } => regs(&[lhs], h) && inside(target),
            Op::BrIfI32GeSImm { lhs, h, target, .. } => regs(&[lhs], h) && inside(target),
            Op::BrIfI32GeUImm { lhs, h, target, .. } => regs(&[lhs], h) && inside(target),
            Op::BrIfI32AndImmNez { lhs, h, target, .. } => regs(&[lhs], h) && inside(target),
            Op::BrIfI32AndImmEqz { lhs, h, target, .. } => regs(&[lhs], h) && inside(target),
            Op::I32ClzReg { dst, src, h } => regs(&[dst, src], h),
            Op::I32CtzReg { dst, src, h } => regs(&[dst, src], h),
            Op::I32PopcntReg { dst, src, h } => regs(&[dst, src], h),
            Op::I64ClzReg { dst, src, h } => regs(&[dst, src], h),
            Op::I64CtzReg { dst, src, h } => regs(&[dst, src], h),
            Op::I64PopcntReg { dst, src, h } => regs(&[dst, src], h),
            Op::F32AbsReg { dst, src, h } => regs(&[dst, src], h),
            Op::F32NegReg { dst, src, h } => regs(&[dst, src], h),
            Op::F32CeilReg { dst, src, h } => regs(&[dst, src], h),
            Op::F32FloorReg { dst, src, h } => regs(&[dst, src], h),
            Op::F32TruncReg { dst, src, h } => regs(&[dst, src], h),
            Op::F32NearestReg { dst, src, h } => regs(&[dst, src], h),
            Op::F32SqrtReg { dst, src, h } => regs(&[dst, src], h),
            Op::F64AbsReg { dst, src, h } => regs(&[dst, src], h),
            Op::F64NegReg { dst, src, h } => regs(&[dst, src], h),
            Op::F64CeilReg { dst, src, h } => regs(&[dst, src], h),
            Op::F64FloorReg { dst, src, h } => regs(&[dst, src], h),
            Op::F64TruncReg { dst, src, h } => regs(&[dst, src], h),
            Op::F64NearestReg { dst, src, h } => regs(&[dst, src], h),
            Op::F64SqrtReg { dst, src, h } => regs(&[dst, src], h),
            Op::F32ConvertI32SReg { dst, src, h } => regs(&[dst, src], h),
            Op::F32ConvertI32UReg { dst, src, h } => regs(&[dst, src], h),
            Op::F32ConvertI64SReg { dst, src, h } => regs(&[dst, src], h),
            Op::F32ConvertI64UReg { dst, src, h } => regs(&[dst, src], h),
            Op::F32DemoteF64Reg { dst, src, h } => regs(&[dst, src], h),
            Op::F64ConvertI32SReg { dst, src, h } => regs(&[dst, src], h),
            Op::F64ConvertI32UReg { dst, src, h } => regs(&[dst, src], h),
            Op::F64ConvertI64SReg { dst, src, h } => regs(&[dst, src], h),
            Op::F64ConvertI64UReg { dst, src, h } => regs(&[dst, src], h),
            Op::F64PromoteF32Reg { dst, src, h } => regs(&[dst, src], h),
            Op::I32Extend8SReg { dst, src, h } => regs(&[dst, src], h),
            Op::I32Extend16SReg { dst, src, h } => regs(&[dst, src], h),
            Op::I64Extend8SReg { dst, src, h } => regs(&[dst, src], h),
            Op::I64Extend16SReg { dst, src, h } => regs(&[dst, src], h),
            Op::I64Extend32SReg { dst, src, h } => regs(&[dst, src], h),
            Op::I32TruncSatF32SReg { dst, src, h } => regs(&[dst, src], h),
            Op::I32TruncSatF32UReg { dst, src, h } => regs(&[dst, src], h),
            Op::I32TruncSatF64SReg { dst, src, h } => regs(&[dst, src], h),
            Op::I32TruncSatF64UReg { dst, src, h } => regs(&[dst, src], h),
            Op::I64TruncSatF32SReg { dst, src, h } => regs(&[dst, src], h),
            Op::I64TruncSatF32UReg { dst, src, h } => regs(&[dst, src], h),
            Op::I64TruncSatF64SReg { dst, src, h } => regs(&[dst, src], h),
            Op::I64TruncSatF64UReg { dst, src, h } => regs(&[dst, src], h),
            _ => true,
        };
        if !ok {
            return fault(at, "an instruction reaching outside the function or its locals");
        }
    }
    match code[end - 1] {
        Op::Return { .. } | Op::Br { .. } | Op::BrAdjust { .. } | Op::Unreachable => Ok(()),
        _ => fault(end - 1, "a last instruction that falls through"),
    }
}

#[cfg(test)]
mod tests {
    use super::{Fault, check};
    use crate::isa::Op::{self, *};
    use crate::isa::{SimdExtract, SimdLoadLane};

    /// Checks `code` as one function whose body starts at `body`, with 2 locals.
    fn run(code: &[Op], body: usize) -> Result<(), &'static str> {
        check(code, 0, body, 2, 4).map_err(|Fault { what, .. }| what)
    }

    #[test]
    fn translated_shapes_pass() {
        assert_eq!(run(&[Return { results: 0 }], 0), Ok(()));
        assert_eq!(run(&[ZeroLocals { first: 0, n: 2 }, LocalGet2 { a: 0, b: 1 }, Unreachable], 1), Ok(()));
        let v128 = [
            V128Const { lo: 1 },
            Hi64 { bits: 2 },
            V128LocalTee { index: 0 },
            V128ExtractLane { op: SimdExtract::I64x2ExtractLane, lane: 1 },
            Return { results: 1 },
        ];
        assert_eq!(run(&v128, 0), Ok(()));
        let table = [
            I32Const { value: 1 },
            BrTable { len: 1 },
            BrAdjust { target: 4, drop: 0, keep: 0 },
            Return { results: 0 },
            Br { target: 0 },
        ];
        assert_eq!(run(&table, 0), Ok(()));
    }

    #[test]
    fn broken_shapes_are_refused() {
        let outside = "an instruction reaching outside the function or its locals";
        let cases: &[(&[Op], usize, &str)] = &[
            (&[], 0, "a function without a body"),
            (&[ZeroLocals { first: 0, n: 1 }], 1, "a function without a body"),
            (&[Drop, Return { results: 0 }], 1, "a prologue instruction other than zeroing locals"),
            (&[Br { target: 1 }], 0, outside),
            (&[ZeroLocals { first: 0, n: 1 }, Br { target: 0 }], 1, outside),
            (&[BrIfNez { target: u32::MAX }, Return { results: 0 }], 0, outside),
            (&[BrTable { len: 1 }, Return { results: 0 }], 0, outside),
            (&[BrTable { len: u32::MAX }, Return { results: 0 }], 0, outside),
            (&[BrTable { len: 0 }, Drop, Return { results: 0 }], 0, outside),
            (&[ZeroLocals { first: 1, n: 2 }, Return { results: 0 }], 1, outside),
            (&[LocalTeeGet { tee: 0, get: 2 }, Return { results: 0 }], 0, outside),
            (&[V128LocalSet { index: 1 }, Return { results: 0 }], 0, outside),
            (&[V128Const { lo: 1 }, Return { results: 0 }], 0, outside),
            (&[Hi64 { bits: 1 }, Return { results: 0 }], 0, outside),
            (&[Drop, Hi64 { bits: 1 }, Return { results: 0 }], 0, outside),
            (
                &[V128ExtractLane { op: SimdExtract::I32x4ExtractLane, lane: 4 }, Return { results: 0 }],
                0,
                outside,
            ),
            (
                &[
                    V128LoadLane { op: SimdLoadLane::V128Load64Lane, lane: 2, mem: 0, offset: 0 },
                    Return { results: 0 },
                ],
                0,
                outside,
            ),
            (&[LocalGet { index: 0 }], 0, "a last instruction that falls through"),
            (&[Return { results: 0 }, Call { func: 0 }], 0, "a last instruction that falls through"),
        ];
        for (code, body, what) in cases {
            assert_eq!(run(code, *body), Err(*what), "{code:?}");
        }
    }

    #[test]
    fn the_check_covers_only_its_function() {
        // The function is the code from `entry` on: an earlier function's
        // code is not its business, and it may not jump into it.
        assert_eq!(check(&[Drop, Br { target: 1 }], 1, 1, 0, 0), Ok(()));
        assert_eq!(check(&[Return { results: 0 }, Br { target: 0 }], 1, 1, 0, 0).map_err(|f| f.at), Err(1));
    }
}
