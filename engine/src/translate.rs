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
use crate::load_error::LoadError;
use crate::value::{FuncType, ValType};
use wasmparser::{BlockType, FuncValidator, FunctionBody, Operator, ValidatorResources, WasmModuleResources};

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
        let kept = op.operator_arity(&*v).map_or(0, |(pops, _)| height.saturating_sub(pops));
        v.op(offset, &op)?;
        t.op(&op, height, live, types, v.resources())?;
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

    /// Emits a branch to the label `depth` levels out, the stack being `height`
    /// values high. `conditional` branches pop their condition first (already
    /// excluded from `height`).
    fn branch(&mut self, depth: u32, height: u32, conditional: bool) {
        let height = self.slot_height(height);
        let label = self.ctrl.len() - 1 - depth as usize;
        let (kind, c_height, c_arity, c_start) = {
            let c = &self.ctrl[label];
            (c.kind, c.height, c.branch_arity, c.start)
        };
        if kind == Kind::Function {
            let ret = Op::Return { results: self.nresults };
            if conditional {
                let at = self.emit(Op::BrIfEqz { target: u32::MAX });
                self.emit(ret);
                self.patch(at, at as u32 + 2);
                self.mark_label();
            } else {
                self.emit(ret);
            }
            return;
        }
        let keep = c_arity;
        let drop = height - c_height - keep;
        let target = if kind == Kind::Loop { c_start } else { u32::MAX };
        let at = self.emit(match (conditional, drop) {
            (false, 0) => Op::Br { target },
            (false, _) => Op::BrAdjust { target, drop, keep },
            (true, 0) => Op::BrIfNez { target },
            (true, _) => Op::BrIfNezAdjust { target, drop, keep },
        });
        if kind != Kind::Loop {
            self.ctrl[label].fixups.push(at);
        }
    }

    /// A branch-table entry: always a `BrAdjust` or a `Return`.
    fn table_entry(&mut self, depth: u32, height: u32) {
        let height = self.slot_height(height);
        let label = self.ctrl.len() - 1 - depth as usize;
        let (kind, c_height, c_arity, c_start) = {
            let c = &self.ctrl[label];
            (c.kind, c.height, c.branch_arity, c.start)
        };
        if kind == Kind::Function {
            self.emit(Op::Return { results: self.nresults });
            return;
        }
        let keep = c_arity;
        let drop = height - c_height - keep;
        let target = if kind == Kind::Loop { c_start } else { u32::MAX };
        let at = self.emit(Op::BrAdjust { target, drop, keep });
        if kind != Kind::Loop {
            self.ctrl[label].fixups.push(at);
        }
    }

    /// Translates `op`, met with `h` operands (values) on the stack.
    fn op(
        &mut self,
        op: &Operator<'_>,
        h: u32,
        live: bool,
        types: &[FuncType],
        module: &ValidatorResources,
    ) -> Result<(), LoadError> {
        use Operator as O;
        self.at_height = self.local_at[self.local_at.len() - 1] + self.slot_height(h);
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
                    self.emit(Op::Return { results: self.nresults });
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
                for depth in targets.targets() {
                    self.table_entry(depth?, h - 1);
                }
                self.table_entry(targets.default(), h - 1);
                return Ok(());
            }
            O::Return => Op::Return { results: self.nresults },
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

/// Peephole fusion: two adjacent instructions that become one (one step).
/// Only pure pairs fuse, or pairs whose second instruction cannot trap and
/// whose first traps before writing anything, so the fused instruction
/// computes exactly what the pair did. `hp` is the slot height (locals
/// included) before `prev`, which places operands in register forms.
fn fuse(prev: Op, next: Op, hp: u32) -> Option<Fused> {
    if let Op::LocalTee { index } = next {
        return fuse_one(prev, Op::LocalSet { index }, hp).map(|f| Fused::Tee(f, index));
    }
    fuse_one(prev, next, hp).map(Fused::One)
}

/// What two adjacent instructions become.
enum Fused {
    One(Op),
    /// An instruction that writes local `x`, followed by `local.get x`.
    Tee(Op, u32),
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
        (LocalGet { index: cond }, BrIfEqz { target }) => Some(BrIfEqzReg { cond, target }),
        (LocalSet { index: set }, LocalGet { index: get }) => Some(LocalSetGet { set, get }),
        (LocalTee { index: tee }, LocalGet { index: get }) => Some(LocalTeeGet { tee, get }),
        (I32Eqz, BrIfNez { target }) => Some(BrIfEqz { target }),
        (I32Eqz, BrIfEqz { target }) => Some(BrIfNez { target }),
        // `local.get x; i32.eqz` fused first: its operand is local `x`.
        (I32EqzReg { dst, src, h }, BrIfNez { target }) if on_top(dst, h) => {
            Some(BrIfEqzReg { cond: src as u32, target })
        }
        (I32EqzReg { dst, src, h }, BrIfEqz { target }) if on_top(dst, h) => {
            Some(BrIfNezReg { cond: src as u32, target })
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
fn bin_reg(op: Op, dst: u16, lhs: u16, rhs: u16, h: u16) -> Option<Op> {
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
fn imm_reg(op: Op, dst: u16, lhs: u16, h: u16) -> Option<Op> {
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

/// The register form of a unary operator.
fn un_reg(op: Op, dst: u16, src: u16, h: u16) -> Option<Op> {
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
fn load_reg(op: Op, dst: u16, addr: u16, h: u16) -> Option<Op> {
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

/// The register form of a store of slot `val` at slot `addr` + offset.
fn store_reg(op: Op, addr: u16, val: u16, h: u16) -> Option<Op> {
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
        _ => None,
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
