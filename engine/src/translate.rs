//! Translation of a validated function body into the internal code form.
//!
//! Runs in lock-step with wasmparser's validator, which supplies operand
//! stack heights and types; structured control flow becomes jumps with
//! explicit stack adjustments. Dead code (after `br`, `return`,
//! `unreachable`) emits nothing. Heights, local indices and branch counts
//! are in slots: a v128 takes two (`specs/execution.md` §3.1).

use crate::isa::{
    Op, SimdBinary, SimdExtract, SimdLoad, SimdLoadLane, SimdReplace, SimdShift, SimdSplat, SimdStoreLane,
    SimdTest, SimdUnary,
};
use crate::limits::MAX_COPY;
use crate::load_error::LoadError;
use crate::value::{FuncType, ValType};
use wasmparser::{BlockType, FuncValidator, FunctionBody, Operator, ValidatorResources, WasmModuleResources};

mod at;
mod defer;
mod fuse;
use defer::Lazy;
use fuse::{Fused, fuse};

/// The translation of one defined function.
#[derive(Clone, Debug)]
pub(crate) struct TranslatedFunc {
    /// Position of the first instruction, relative to the module's code.
    pub entry: u32,
    /// Slots of the parameters.
    pub nparams: u32,
    /// Slots of the declared locals (parameters excluded), zeroed on entry.
    pub nlocals: u32,
    /// Greatest operand stack height the body can reach, in slots.
    pub max_height: u32,
}

#[derive(Copy, Clone, PartialEq)]
enum Kind {
    Block,
    Loop,
    If,
    Else,
    Function,
}

/// A branch's destination and the copy it makes (`Translator::branch_to`).
struct Branch {
    /// Index of the label in `Translator::ctrl`.
    label: usize,
    kind: Kind,
    /// A loop's start; `u32::MAX` (patched at the label's end) otherwise.
    target: u32,
    keep: u32,
    drop: u32,
    /// Copies more than `MAX_COPY` slots: moved in steps first.
    long: bool,
}

struct Ctrl {
    kind: Kind,
    /// Operand height below the block's parameters, in slots.
    height: u32,
    /// Slots of the values a branch to this label carries.
    branch_arity: u32,
    /// Loop start (for loops).
    start: u32,
    /// Instructions whose target is this block's end.
    fixups: Vec<usize>,
    /// The `BrIfEqz` of an `if` still waiting for its `else`.
    else_fixup: Option<usize>,
    /// The block was entered in dead code: emit nothing inside it.
    dead: bool,
}

/// Translates `body` (validated as it goes) and appends its code to `code`.
pub(crate) fn translate(
    v: &mut FuncValidator<ValidatorResources>,
    body: &FunctionBody<'_>,
    ty: &FuncType,
    types: &[FuncType],
    code: &mut Vec<Op>,
    bytes: &[u8],
) -> Result<TranslatedFunc, LoadError> {
    // The first slot of each local, parameters first, and the end of the last.
    let mut local_at: Vec<u32> = vec![0];
    for p in &ty.params {
        local_at.push(local_at[local_at.len() - 1] + p.slots());
    }
    let nparams = local_at[local_at.len() - 1];
    let mut locals = body.get_locals_reader()?;
    for _ in 0..locals.get_count() {
        let offset = locals.original_position();
        let (count, t) = locals.read()?;
        // The validator bounds the locals (50,000), so the loop below is too.
        v.define_locals(offset, count, t)?;
        let width = val_type(t).slots();
        for _ in 0..count {
            local_at.push(local_at[local_at.len() - 1] + width);
        }
    }
    let nlocals = local_at[local_at.len() - 1] - nparams;
    let entry = code.len() as u32;
    // A call zeroes the first LOCALS_CHUNK locals; the prologue the rest,
    // a bounded number per step.
    let chunk = crate::limits::LOCALS_CHUNK;
    let mut k = chunk;
    while k < nlocals {
        code.push(Op::ZeroLocals { first: nparams + k, n: chunk.min(nlocals - k) });
        k += chunk;
    }
    let body_start = code.len() as u32;
    let nresults = ty.results.iter().map(|t| t.slots()).sum();
    let mut t = Translator {
        start: code.len(),
        label: body_start,
        code,
        ctrl: vec![Ctrl {
            kind: Kind::Function,
            height: 0,
            branch_arity: nresults,
            start: body_start,
            fixups: Vec::new(),
            else_fixup: None,
            dead: false,
        }],
        nresults,
        slots: vec![0],
        local_at,
        heights: Vec::new(),
        at_height: 0,
        lazy: Vec::new(),
        sp_vals: 0,
        last_reg: None,
    };
    let mut ops = body.get_operators_reader()?;
    let mut max_height = 0u32;
    while !ops.eof() {
        let (op, offset) = ops.read_with_offset()?;
        check_encoding(&bytes[offset as usize..ops.original_position() as usize], offset as usize)?;
        let height = v.operand_stack_height();
        let live =
            !t.ctrl.last().is_some_and(|c| c.dead) && !v.get_control_frame(0).is_some_and(|f| f.unreachable);
        // Every operand below the ones the instruction pops keeps its slots.
        let pops = op.operator_arity(&*v).map_or(0, |(pops, _)| pops);
        let kept = height.saturating_sub(pops);
        v.op(offset, &op)?;
        if !t.translate(&op, height, pops, live, types, v.resources())? {
            // In stack form: `sp` covers every operand.
            t.sp_vals = v.operand_stack_height();
        }
        t.sync_slots(v, kept);
        max_height = max_height.max(t.slot_height(v.operand_stack_height()));
    }
    ops.finish()?;
    // The fast path trusts this code's jumps and local indices; check them
    // once here, so a translation bug refuses the module instead.
    let locals = nparams.saturating_add(nlocals);
    crate::code_check::check(
        code,
        entry as usize,
        body_start as usize,
        locals,
        locals.saturating_add(max_height),
    )
    .map_err(|f| LoadError::Invalid {
        message: format!("translated code breaks an engine invariant: {} at instruction {}", f.what, f.at),
        offset: body.range().start as usize,
    })?;
    Ok(TranslatedFunc { entry, nparams, nlocals, max_height })
}

/// The engine's type for a wasmparser value type.
pub(crate) fn val_type(t: wasmparser::ValType) -> ValType {
    match t {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        wasmparser::ValType::Ref(r) if r.is_func_ref() => ValType::FuncRef,
        wasmparser::ValType::Ref(_) => ValType::ExternRef,
        wasmparser::ValType::V128 => ValType::V128,
    }
}

/// Length of the unsigned LEB128 number at the start of `b`.
pub(crate) fn leb_len(b: &[u8]) -> usize {
    b.iter().position(|x| x & 0x80 == 0).map_or(b.len(), |i| i + 1)
}

/// Encoding rules of WebAssembly 2.0 that wasmparser relaxes for later
/// proposals (memory64, multi-memory): memory immediates are 32-bit LEB128
/// numbers of at most five bytes, and the memory index of `memory.size` and
/// `memory.grow` is the single byte zero.
fn check_encoding(raw: &[u8], offset: usize) -> Result<(), LoadError> {
    let malformed = |message: &str| Err(LoadError::Invalid { message: message.into(), offset });
    let memarg_too_long = |m: &[u8]| {
        let align = leb_len(m);
        align > 5 || leb_len(m.get(align..).unwrap_or(&[])) > 5
    };
    match raw.first() {
        Some(0x28..=0x3e) if memarg_too_long(&raw[1..]) => {
            return malformed("integer representation too long");
        }
        Some(0xfd) => {
            // The SIMD memory instructions: a sub-opcode, then the memory argument.
            let n = leb_len(&raw[1..]);
            let sub = raw[1..1 + n].iter().rev().fold(0u64, |x, b| x << 7 | (b & 0x7f) as u64);
            if matches!(sub, 0x00..=0x0b | 0x54..=0x5d) && memarg_too_long(&raw[1 + n..]) {
                return malformed("integer representation too long");
            }
        }
        Some(0x3f | 0x40) if raw.len() != 2 || raw[1] != 0 => {
            return malformed("zero byte expected");
        }
        _ => {}
    }
    Ok(())
}

struct Translator<'a> {
    code: &'a mut Vec<Op>,
    /// Index of the function's first instruction.
    start: usize,
    /// The latest position some branch targets.
    label: u32,
    ctrl: Vec<Ctrl>,
    /// Slots of the function's results.
    nresults: u32,
    /// `slots[h]`: the slots of the bottom `h` operands, for every height `h`
    /// up to the validator's (before the instruction being translated).
    slots: Vec<u32>,
    /// `local_at[k]`: the first slot of local `k`; one more entry for the end.
    local_at: Vec<u32>,
    /// `heights[i]`: the frame slots below the operands of the instruction
    /// at `start + i` (locals included), before the operator that emitted it.
    heights: Vec<u32>,
    /// The same for the operator being translated.
    at_height: u32,
    /// Operands not yet in their slots (`defer`), by operand index.
    lazy: Vec<Lazy>,
    /// The operand height (in values) `sp` covers after the last instruction.
    sp_vals: u32,
    /// The position of the last register form `defer` emitted.
    last_reg: Option<usize>,
}

/// Slots of a block's parameters and results.
fn block_arity(bt: BlockType, types: &[FuncType]) -> (u32, u32) {
    match bt {
        BlockType::Empty => (0, 0),
        BlockType::Type(t) => (0, val_type(t).slots()),
        BlockType::FuncType(i) => {
            let f = &types[i as usize];
            (f.params.iter().map(|t| t.slots()).sum(), f.results.iter().map(|t| t.slots()).sum())
        }
    }
}

impl Translator<'_> {
    fn pc(&self) -> u32 {
        self.code.len() as u32
    }

    /// The slots of the bottom `h` operands.
    fn slot_height(&self, h: u32) -> u32 {
        self.slots.get(h as usize).copied().unwrap_or_else(|| self.slots[self.slots.len() - 1])
    }

    /// Whether the operand at height `h` (0 at the bottom) is a v128.
    fn wide(&self, h: u32) -> bool {
        self.slot_height(h + 1) - self.slot_height(h) == 2
    }

    /// After an instruction: the operands above the first `kept` may be new,
    /// so their slots are read from the validator's types, one per operand
    /// pushed (an unknown type, in dead code, counts one slot).
    fn sync_slots(&mut self, v: &FuncValidator<ValidatorResources>, kept: u32) {
        let h = v.operand_stack_height();
        let kept = kept.min(h).min(self.slots.len() as u32 - 1);
        self.slots.truncate(kept as usize + 1);
        for i in kept..h {
            let wide =
                matches!(v.get_operand_type((h - 1 - i) as usize), Some(Some(wasmparser::ValType::V128)));
            let top = self.slots[self.slots.len() - 1];
            self.slots.push(top + 1 + wide as u32);
        }
    }

    /// The slot of local `index` and whether it is a v128.
    fn local(&self, index: u32) -> (u32, bool) {
        let (at, next) = (self.local_at[index as usize], self.local_at[index as usize + 1]);
        (at, next - at == 2)
    }

    /// Appends `op`, fused with the previous instruction when a rule in
    /// [`fuse`] applies and no branch lands between them. Returns its index.
    fn emit(&mut self, op: Op) -> usize {
        let mut at = self.code.len();
        self.code.push(op);
        self.heights.push(self.at_height);
        // Fuse the new instruction with the one before it, repeatedly (a
        // fused result may fuse again), never across a branch target.
        while at > self.start
            && at as u32 != self.label
            && let Some(f) = fuse(self.code[at - 1], self.code[at], self.heights[at - 1 - self.start])
        {
            match f {
                Fused::One(f) => {
                    self.code.pop();
                    self.heights.pop();
                    at -= 1;
                    self.code[at] = f;
                }
                // `local.tee x` after a register form: the result goes to
                // `x`, then `local.get x`, which may fuse with what follows.
                Fused::Tee(f, x) => {
                    self.code[at - 1] = f;
                    self.code[at] = Op::LocalGet { index: x };
                    self.heights[at - self.start] -= 1;
                    break;
                }
            }
        }
        at
    }

    /// Marks the current position as a branch target: nothing fuses across it.
    fn mark_label(&mut self) {
        self.label = self.pc();
    }

    fn patch(&mut self, at: usize, target: u32) {
        match &mut self.code[at] {
            Op::Br { target: t }
            | Op::BrIfEqz { target: t }
            | Op::BrIfNez { target: t }
            | Op::BrIfEqzReg { target: t, .. }
            | Op::BrIfNezReg { target: t, .. }
            | Op::BrIfI32Eq { target: t, .. }
            | Op::BrIfI32Ne { target: t, .. }
            | Op::BrIfI32LtS { target: t, .. }
            | Op::BrIfI32LtU { target: t, .. }
            | Op::BrIfI32GtS { target: t, .. }
            | Op::BrIfI32GtU { target: t, .. }
            | Op::BrIfI32LeS { target: t, .. }
            | Op::BrIfI32LeU { target: t, .. }
            | Op::BrIfI32GeS { target: t, .. }
            | Op::BrIfI32GeU { target: t, .. }
            | Op::BrIfI32EqImm { target: t, .. }
            | Op::BrIfI32NeImm { target: t, .. }
            | Op::BrIfI32LtSImm { target: t, .. }
            | Op::BrIfI32LtUImm { target: t, .. }
            | Op::BrIfI32GtSImm { target: t, .. }
            | Op::BrIfI32GtUImm { target: t, .. }
            | Op::BrIfI32LeSImm { target: t, .. }
            | Op::BrIfI32LeUImm { target: t, .. }
            | Op::BrIfI32GeSImm { target: t, .. }
            | Op::BrIfI32GeUImm { target: t, .. }
            | Op::BrIfI32AndImmNez { target: t, .. }
            | Op::BrIfI32AndImmEqz { target: t, .. }
            | Op::BrAdjust { target: t, .. }
            | Op::BrIfNezAdjust { target: t, .. } => *t = target,
            other => unreachable!("patching a non-branch {other:?}"),
        }
    }

    /// Enters a block whose parameters lie under operand height `height`
    /// (in values); `params` and `results` are in slots.
    fn push_ctrl(&mut self, kind: Kind, height: u32, params: u32, results: u32, live: bool) {
        let branch_arity = if kind == Kind::Loop { params } else { results };
        self.ctrl.push(Ctrl {
            kind,
            height: self.slot_height(height).saturating_sub(params),
            branch_arity,
            start: self.pc(),
            fixups: Vec::new(),
            else_fixup: None,
            dead: !live,
        });
    }

    /// Where a branch `depth` labels out goes and what it copies, the
    /// operands being `slots` high.
    fn branch_to(&self, depth: u32, slots: u32) -> Branch {
        let label = self.ctrl.len() - 1 - depth as usize;
        let c = &self.ctrl[label];
        let keep = c.branch_arity;
        let (drop, long) = match c.kind {
            Kind::Function => (0, self.long_return(slots)),
            _ => {
                let drop = slots - c.height - keep;
                (drop, keep > MAX_COPY && drop > 0)
            }
        };
        let target = if c.kind == Kind::Loop { c.start } else { u32::MAX };
        Branch { label, kind: c.kind, target, keep, drop, long }
    }

    /// Emits `op`, a jump to `b`'s label, kept for patching at the label's
    /// end unless the label is a loop's (whose start is known).
    fn emit_jump(&mut self, b: &Branch, op: Op) {
        let at = self.emit(op);
        if b.kind != Kind::Loop {
            self.ctrl[b.label].fixups.push(at);
        }
    }

    /// Emits a branch to the label `depth` levels out, the stack being `height`
    /// values high. `conditional` branches pop their condition first (already
    /// excluded from `height`). A branch that keeps more than `MAX_COPY`
    /// slots moves them in steps first (`move_long`), behind a `BrIfEqz` when
    /// conditional, as a return is.
    fn branch(&mut self, depth: u32, height: u32, conditional: bool) {
        let slots = self.slot_height(height);
        let b = self.branch_to(depth, slots);
        if b.kind != Kind::Function && !b.long {
            let (target, drop, keep) = (b.target, b.drop, b.keep);
            self.emit_jump(
                &b,
                match (conditional, drop) {
                    (false, 0) => Op::Br { target },
                    (false, _) => Op::BrAdjust { target, drop, keep },
                    (true, 0) => Op::BrIfNez { target },
                    (true, _) => Op::BrIfNezAdjust { target, drop, keep },
                },
            );
            return;
        }
        if !conditional {
            self.branch_whole(&b, slots);
            return;
        }
        // `br_if` as "skip unless", then the unconditional branch.
        let at = self.emit(Op::BrIfEqz { target: u32::MAX });
        self.branch_whole(&b, slots);
        let pc = self.pc();
        self.patch(at, pc);
        self.mark_label();
    }

    /// An unconditional return, or a long branch, with the operands `slots`
    /// high: the copies in steps, then the jump.
    fn branch_whole(&mut self, b: &Branch, slots: u32) {
        if b.kind == Kind::Function {
            self.emit_return(slots);
            return;
        }
        let keep = self.move_long(b.keep, b.drop);
        self.emit_jump(b, Op::BrAdjust { target: b.target, drop: b.drop, keep });
    }

    /// Whether a return with the operands `height` slots high copies more
    /// than `MAX_COPY` results.
    fn long_return(&self, height: u32) -> bool {
        self.nresults > MAX_COPY && self.frame_slots(height) > self.nresults
    }

    /// The frame's slots under operands `height` slots high: locals, then operands.
    fn frame_slots(&self, height: u32) -> u32 {
        self.local_at[self.local_at.len() - 1] + height
    }

    /// A return with the operands `height` slots high. A long one first
    /// moves the results to the frame's base (`move_long`, then a `BrAdjust`
    /// to the `Return`), so the `Return` copies nothing.
    fn emit_return(&mut self, height: u32) {
        let n = self.nresults;
        if self.long_return(height) {
            let drop = self.frame_slots(height) - n;
            let keep = self.move_long(n, drop);
            let at = self.emit(Op::BrAdjust { target: u32::MAX, drop, keep });
            self.patch(at, at as u32 + 1);
            self.mark_label();
        }
        self.emit(Op::Return { results: n });
    }

    /// Moves all but the top `MAX_COPY` of the top `keep` slots down by
    /// `drop`, `MAX_COPY` a step from the bottom (`StackMove`). Returns the
    /// slots left for the final copy.
    fn move_long(&mut self, keep: u32, drop: u32) -> u32 {
        if keep <= MAX_COPY || drop == 0 {
            return keep;
        }
        let lower = keep - MAX_COPY;
        let mut done = 0;
        while done < lower {
            let n = (lower - done).min(MAX_COPY);
            self.emit(Op::StackMove { from: keep - done, to: keep - done + drop, n });
            done += n;
        }
        MAX_COPY
    }

    /// A branch-table entry: always a `BrAdjust` or a `Return`. An entry
    /// that would copy more than `MAX_COPY` slots jumps instead to a stub
    /// after the table (returned, for `table_stubs`).
    fn table_entry(&mut self, depth: u32, height: u32) -> Option<(usize, u32)> {
        let b = self.branch_to(depth, self.slot_height(height));
        if b.long {
            let at = self.emit(Op::BrAdjust { target: u32::MAX, drop: 0, keep: 0 });
            return Some((at, depth));
        }
        if b.kind == Kind::Function {
            self.emit(Op::Return { results: self.nresults });
        } else {
            self.emit_jump(&b, Op::BrAdjust { target: b.target, drop: b.drop, keep: b.keep });
        }
        None
    }

    /// The stubs of a branch table's long entries, after its last entry
    /// (nothing falls through a table).
    fn table_stubs(&mut self, stubs: Vec<(usize, u32)>, height: u32) {
        for (at, depth) in stubs {
            let pc = self.pc();
            self.patch(at, pc);
            self.mark_label();
            self.branch(depth, height, false);
        }
    }

    /// Translates `op`, met with `h` operands (values) on the stack, of
    /// which it pops `pops`: with deferred operands (`defer`) where it can
    /// (`true`), otherwise in stack form after making its operands real.
    fn translate(
        &mut self,
        op: &Operator<'_>,
        h: u32,
        pops: u32,
        live: bool,
        types: &[FuncType],
        module: &ValidatorResources,
    ) -> Result<bool, LoadError> {
        use Operator as O;
        if live {
            let control = matches!(
                op,
                O::Block { .. }
                    | O::Loop { .. }
                    | O::If { .. }
                    | O::Else
                    | O::End
                    | O::Br { .. }
                    | O::BrIf { .. }
                    | O::BrTable { .. }
                    | O::Return
                    | O::Call { .. }
                    | O::CallIndirect { .. }
                    | O::Unreachable
            );
            if control {
                self.flush(0, h);
            } else if let Some(s) = self.deferrable(op, h)
                && self.defer(s, h)
            {
                return Ok(true);
            } else {
                self.flush(h.saturating_sub(pops), h);
            }
        } else {
            debug_assert!(self.lazy.is_empty(), "lazy operands in dead code");
        }
        self.op(op, h, live, types, module)?;
        // What follows may have fused into the last register form (a branch).
        self.last_reg = None;
        Ok(false)
    }

    /// The stack form of `op` if `defer` may translate it otherwise.
    fn deferrable(&self, op: &Operator<'_>, h: u32) -> Option<Op> {
        use Operator as O;
        match *op {
            O::LocalGet { local_index } => match self.local(local_index) {
                (index, false) => Some(Op::LocalGet { index }),
                _ => None,
            },
            O::LocalSet { local_index } => match self.local(local_index) {
                (index, false) => Some(Op::LocalSet { index }),
                _ => None,
            },
            O::LocalTee { local_index } => match self.local(local_index) {
                (index, false) => Some(Op::LocalTee { index }),
                _ => None,
            },
            O::I32Const { value } => Some(Op::I32Const { value }),
            O::I64Const { value } => Some(Op::I64Const { value }),
            O::F32Const { value } => Some(Op::F32Const { bits: value.bits() }),
            O::F64Const { value } => Some(Op::F64Const { bits: value.bits() }),
            O::Drop if h > 0 && !self.wide(h - 1) => Some(Op::Drop),
            ref other => mem_op(other).or_else(|| plain_op(other)),
        }
    }

    /// Translates `op` in stack form, met with `h` operands (values) on the
    /// stack, all real.
    fn op(
        &mut self,
        op: &Operator<'_>,
        h: u32,
        live: bool,
        types: &[FuncType],
        module: &ValidatorResources,
    ) -> Result<(), LoadError> {
        use Operator as O;
        self.at_height = self.frame_slots(self.slot_height(h));
        match *op {
            O::Block { blockty } => {
                let (p, r) = block_arity(blockty, types);
                self.push_ctrl(Kind::Block, h, p, r, live);
                return Ok(());
            }
            O::Loop { blockty } => {
                let (p, r) = block_arity(blockty, types);
                self.mark_label();
                self.push_ctrl(Kind::Loop, h, p, r, live);
                return Ok(());
            }
            O::If { blockty } => {
                let (p, r) = block_arity(blockty, types);
                let at = if live { self.emit(Op::BrIfEqz { target: u32::MAX }) } else { 0 };
                self.push_ctrl(Kind::If, h.saturating_sub(1), p, r, live);
                if live {
                    self.ctrl.last_mut().expect("just pushed").else_fixup = Some(at);
                }
                return Ok(());
            }
            O::Else => {
                let dead = self.ctrl.last().expect("validated").dead;
                if live {
                    let at = self.emit(Op::Br { target: u32::MAX });
                    self.ctrl.last_mut().expect("validated").fixups.push(at);
                }
                self.mark_label();
                let pc = self.pc();
                let c = self.ctrl.last_mut().expect("validated");
                c.kind = Kind::Else;
                debug_assert!(dead || !c.dead);
                if let Some(at) = c.else_fixup.take() {
                    self.patch(at, pc);
                }
                return Ok(());
            }
            O::End => {
                let c = self.ctrl.pop().expect("validated");
                self.mark_label();
                let pc = self.pc();
                if let Some(at) = c.else_fixup {
                    self.patch(at, pc);
                }
                for at in c.fixups {
                    self.patch(at, pc);
                }
                if c.kind == Kind::Function && live {
                    let height = self.slot_height(h);
                    self.emit_return(height);
                }
                return Ok(());
            }
            _ => {}
        }
        if !live {
            return Ok(());
        }
        let op = match *op {
            O::Unreachable => Op::Unreachable,
            O::Nop => return Ok(()),
            O::Br { relative_depth } => {
                self.branch(relative_depth, h, false);
                return Ok(());
            }
            O::BrIf { relative_depth } => {
                self.branch(relative_depth, h - 1, true);
                return Ok(());
            }
            O::BrTable { ref targets } => {
                self.emit(Op::BrTable { len: targets.len() });
                let mut stubs = Vec::new();
                for depth in targets.targets() {
                    stubs.extend(self.table_entry(depth?, h - 1));
                }
                stubs.extend(self.table_entry(targets.default(), h - 1));
                self.table_stubs(stubs, h - 1);
                return Ok(());
            }
            O::Return => {
                let height = self.slot_height(h);
                self.emit_return(height);
                return Ok(());
            }
            O::Call { function_index } => Op::Call { func: function_index },
            O::CallIndirect { type_index, table_index } => {
                Op::CallIndirect { ty: type_index, table: table_index }
            }
            O::Drop if self.wide(h - 1) => Op::V128Drop,
            O::Drop => Op::Drop,
            O::Select | O::TypedSelect { .. } if self.wide(h - 2) => Op::V128Select,
            O::Select | O::TypedSelect { .. } => Op::Select,
            O::LocalGet { local_index } => match self.local(local_index) {
                (index, false) => Op::LocalGet { index },
                (a, true) => Op::LocalGet2 { a, b: a + 1 },
            },
            O::LocalSet { local_index } => match self.local(local_index) {
                (index, false) => Op::LocalSet { index },
                (index, true) => Op::V128LocalSet { index },
            },
            O::LocalTee { local_index } => match self.local(local_index) {
                (index, false) => Op::LocalTee { index },
                (index, true) => Op::V128LocalTee { index },
            },
            O::GlobalGet { global_index } if wide_global(module, global_index) => {
                Op::V128GlobalGet { global: global_index }
            }
            O::GlobalGet { global_index } => Op::GlobalGet { global: global_index },
            O::GlobalSet { global_index } if wide_global(module, global_index) => {
                Op::V128GlobalSet { global: global_index }
            }
            O::GlobalSet { global_index } => Op::GlobalSet { global: global_index },
            O::V128Const { value } => {
                let v = u128::from_le_bytes(*value.bytes());
                self.emit(Op::V128Const { lo: v as u64 });
                Op::Hi64 { bits: (v >> 64) as u64 }
            }
            O::I8x16Shuffle { lanes } => {
                let v = u128::from_le_bytes(lanes);
                self.emit(Op::I8x16Shuffle { lo: v as u64 });
                Op::Hi64 { bits: (v >> 64) as u64 }
            }
            O::TableGet { table } => Op::TableGet { table },
            O::TableSet { table } => Op::TableSet { table },
            O::TableSize { table } => Op::TableSize { table },
            O::TableGrow { table } => Op::TableGrow { table },
            O::TableFill { table } => Op::TableFill { table },
            O::TableCopy { dst_table, src_table } => Op::TableCopy { dst: dst_table, src: src_table },
            O::TableInit { elem_index, table } => Op::TableInit { table, elem: elem_index },
            O::ElemDrop { elem_index } => Op::ElemDrop { elem: elem_index },
            O::RefNull { .. } => Op::RefNull,
            O::RefIsNull => Op::RefIsNull,
            O::RefFunc { function_index } => Op::RefFunc { func: function_index },
            O::MemorySize { mem } => Op::MemorySize { mem },
            O::MemoryGrow { mem } => Op::MemoryGrow { mem },
            O::MemoryFill { mem } => Op::MemoryFill { mem },
            O::MemoryCopy { dst_mem, .. } => Op::MemoryCopy { mem: dst_mem },
            O::MemoryInit { data_index, mem } => Op::MemoryInit { mem, data: data_index },
            O::DataDrop { data_index } => Op::DataDrop { data: data_index },
            O::I32Const { value } => Op::I32Const { value },
            O::I64Const { value } => Op::I64Const { value },
            O::F32Const { value } => Op::F32Const { bits: value.bits() },
            O::F64Const { value } => Op::F64Const { bits: value.bits() },
            ref other => match mem_op(other).or_else(|| simd_op(other)) {
                Some(op) => op,
                None => plain_op(other)
                    .unwrap_or_else(|| unreachable!("validated operator {other:?} has no translation")),
            },
        };
        self.emit(op);
        Ok(())
    }
}

/// Loads and stores. Offsets above 4 GiB cannot occur without memory64.
fn mem_op(op: &Operator<'_>) -> Option<Op> {
    use Operator as O;
    macro_rules! m {
        ($($o:ident),*) => {
            match *op {
                $(O::$o { memarg } => Some(Op::$o { mem: 0, offset: memarg.offset as u32 }),)*
                _ => None,
            }
        };
    }
    m!(
        I32Load, I64Load, F32Load, F64Load, I32Load8S, I32Load8U, I32Load16S, I32Load16U, I64Load8S,
        I64Load8U, I64Load16S, I64Load16U, I64Load32S, I64Load32U, I32Store, I64Store, F32Store, F64Store,
        I32Store8, I32Store16, I64Store8, I64Store16, I64Store32
    )
}

/// Whether module global `index` is a v128 (two slots).
fn wide_global(module: &ValidatorResources, index: u32) -> bool {
    module.global_at(index).is_some_and(|g| g.content_type == wasmparser::ValType::V128)
}

/// The SIMD instructions but `v128.const` and `i8x16.shuffle`: one `Op` per
/// shape, the instruction its `op` byte (`simd_ops`).
fn simd_op(op: &Operator<'_>) -> Option<Op> {
    Some(if let Some((op, offset)) = SimdLoad::from_operator(op) {
        Op::V128Load { op, mem: 0, offset }
    } else if let Operator::V128Store { memarg } = op {
        Op::V128Store { mem: 0, offset: memarg.offset as u32 }
    } else if let Some((op, lane, offset)) = SimdLoadLane::from_operator(op) {
        Op::V128LoadLane { op, lane, mem: 0, offset }
    } else if let Some((op, lane, offset)) = SimdStoreLane::from_operator(op) {
        Op::V128StoreLane { op, lane, mem: 0, offset }
    } else if let Some(op) = SimdSplat::from_operator(op) {
        Op::V128Splat { op }
    } else if let Some((op, lane)) = SimdExtract::from_operator(op) {
        Op::V128ExtractLane { op, lane }
    } else if let Some((op, lane)) = SimdReplace::from_operator(op) {
        Op::V128ReplaceLane { op, lane }
    } else if let Some(op) = SimdUnary::from_operator(op) {
        Op::V128Unary { op }
    } else if let Some(op) = SimdBinary::from_operator(op) {
        Op::V128Binary { op }
    } else if let Some(op) = SimdTest::from_operator(op) {
        Op::V128Test { op }
    } else if let Some(op) = SimdShift::from_operator(op) {
        Op::V128Shift { op }
    } else if let Operator::V128Bitselect = op {
        Op::V128Bitselect
    } else {
        return None;
    })
}

/// Instructions without immediates map one to one.
fn plain_op(op: &Operator<'_>) -> Option<Op> {
    use Operator as O;
    macro_rules! p {
        ($($o:ident),*) => {
            match *op {
                $(O::$o => Some(Op::$o),)*
                _ => None,
            }
        };
    }
    p!(
        I32Eqz,
        I32Eq,
        I32Ne,
        I32LtS,
        I32LtU,
        I32GtS,
        I32GtU,
        I32LeS,
        I32LeU,
        I32GeS,
        I32GeU,
        I64Eqz,
        I64Eq,
        I64Ne,
        I64LtS,
        I64LtU,
        I64GtS,
        I64GtU,
        I64LeS,
        I64LeU,
        I64GeS,
        I64GeU,
        F32Eq,
        F32Ne,
        F32Lt,
        F32Gt,
        F32Le,
        F32Ge,
        F64Eq,
        F64Ne,
        F64Lt,
        F64Gt,
        F64Le,
        F64Ge,
        I32Clz,
        I32Ctz,
        I32Popcnt,
        I32Add,
        I32Sub,
        I32Mul,
        I32DivS,
        I32DivU,
        I32RemS,
        I32RemU,
        I32And,
        I32Or,
        I32Xor,
        I32Shl,
        I32ShrS,
        I32ShrU,
        I32Rotl,
        I32Rotr,
        I64Clz,
        I64Ctz,
        I64Popcnt,
        I64Add,
        I64Sub,
        I64Mul,
        I64DivS,
        I64DivU,
        I64RemS,
        I64RemU,
        I64And,
        I64Or,
        I64Xor,
        I64Shl,
        I64ShrS,
        I64ShrU,
        I64Rotl,
        I64Rotr,
        F32Abs,
        F32Neg,
        F32Ceil,
        F32Floor,
        F32Trunc,
        F32Nearest,
        F32Sqrt,
        F32Add,
        F32Sub,
        F32Mul,
        F32Div,
        F32Min,
        F32Max,
        F32Copysign,
        F64Abs,
        F64Neg,
        F64Ceil,
        F64Floor,
        F64Trunc,
        F64Nearest,
        F64Sqrt,
        F64Add,
        F64Sub,
        F64Mul,
        F64Div,
        F64Min,
        F64Max,
        F64Copysign,
        I32WrapI64,
        I32TruncF32S,
        I32TruncF32U,
        I32TruncF64S,
        I32TruncF64U,
        I64ExtendI32S,
        I64ExtendI32U,
        I64TruncF32S,
        I64TruncF32U,
        I64TruncF64S,
        I64TruncF64U,
        F32ConvertI32S,
        F32ConvertI32U,
        F32ConvertI64S,
        F32ConvertI64U,
        F32DemoteF64,
        F64ConvertI32S,
        F64ConvertI32U,
        F64ConvertI64S,
        F64ConvertI64U,
        F64PromoteF32,
        I32ReinterpretF32,
        I64ReinterpretF64,
        F32ReinterpretI32,
        F64ReinterpretI64,
        I32Extend8S,
        I32Extend16S,
        I64Extend8S,
        I64Extend16S,
        I64Extend32S,
        I32TruncSatF32S,
        I32TruncSatF32U,
        I32TruncSatF64S,
        I32TruncSatF64U,
        I64TruncSatF32S,
        I64TruncSatF32U,
        I64TruncSatF64S,
        I64TruncSatF64U
    )
}
