//! The interpreter: [`step`] executes one [`Op`], the one definition of
//! every instruction.
//!
//! A step only moves operands between the stack, memory and the numeric
//! functions in [`crate::op`] and `sem`, which define what instructions
//! compute. The hot registers (`pc`, `sp`, `fp`) and the steps left stay in
//! locals or arguments and are written back when the run stops. A step
//! runs over any state (`access`). Two drivers find each next instruction
//! and call [`step`]: [`step_loop`] (the prover and the verifier, over their
//! states) and [`run_threaded`] (`threaded.rs`: the machine, over its own).

use crate::TrapKind::*;
use crate::access::{Stack, World};
use crate::frame::{Frame, HALT, Regs};
use crate::host;
use crate::host_state::HostStep;
use crate::isa::Op;
use crate::limits::{LOCALS_CHUNK, MAX_CALL_DEPTH, MEMORY_CHUNK, PAGE_SIZE, TABLE_CHUNK};
use crate::op::convert as cv;
use crate::op::float::{canon32, canon64};
use crate::op::int;
use crate::status::Status;
use crate::store::FuncKind;

mod sem;
mod simd;
mod threaded;

pub(crate) use threaded::run as run_threaded;

#[inline(always)]
fn i32_(x: u64) -> i32 {
    x as u32 as i32
}
#[inline(always)]
fn u32_(x: u64) -> u32 {
    x as u32
}
#[inline(always)]
fn i64_(x: u64) -> i64 {
    x as i64
}
#[inline(always)]
fn u64_(x: u64) -> u64 {
    x
}
#[inline(always)]
fn f32_(x: u64) -> f32 {
    f32::from_bits(x as u32)
}
#[inline(always)]
fn f64_(x: u64) -> f64 {
    f64::from_bits(x)
}
#[inline(always)]
fn from_i32(v: i32) -> u64 {
    v as u32 as u64
}
#[inline(always)]
fn from_u32(v: u32) -> u64 {
    v as u64
}
#[inline(always)]
fn from_i64(v: i64) -> u64 {
    v as u64
}
#[inline(always)]
fn from_bool(v: bool) -> u64 {
    v as u64
}
#[inline(always)]
fn c32(v: f32) -> u64 {
    canon32(v) as u64
}
#[inline(always)]
fn c64(v: f64) -> u64 {
    canon64(v)
}
#[inline(always)]
fn b32(v: f32) -> u64 {
    v.to_bits() as u64
}
#[inline(always)]
fn b64(v: f64) -> u64 {
    v.to_bits()
}

/// The registers a step reads and moves: the next instruction, the top of
/// the operand stack and the current frame.
#[derive(Clone, Copy)]
pub(crate) struct Hot<P> {
    /// The world's position of the instruction ([`World::at`]).
    pub pc: usize,
    /// The stack's positions of the top and the frame ([`Stack::at`]).
    pub sp: P,
    pub fp: P,
}

impl<P: crate::access::Pos> Hot<P> {
    /// The registers as positions in `stack` and `w`.
    fn of<S: Stack<Pos = P>, W: World>(regs: &Regs, stack: &S, w: &W) -> Self {
        Hot { pc: w.at(regs.pc), sp: stack.at(regs.sp), fp: stack.at(regs.fp) }
    }

    /// Writes the registers back, and the status the run ended with, if any.
    fn leave<S: Stack<Pos = P>, W: World>(self, regs: &mut Regs, stack: &S, w: &W, end: Option<Status>) {
        regs.pc = w.index(self.pc);
        regs.sp = stack.slot(self.sp);
        regs.fp = stack.slot(self.fp);
        if let Some(s) = end {
            regs.status = s;
        }
    }
}

/// Executes steps until the status is final or `regs.steps` reaches
/// `until`, finding each next instruction in one loop (the prover and the
/// verifier; the machine runs `threaded::run`).
#[inline(always)]
pub(crate) fn step_loop<S: Stack, W: World>(regs: &mut Regs, stack: &mut S, w: &mut W, until: u64) {
    if regs.status != Status::Running || regs.steps >= until {
        return;
    }
    let mut hot = Hot::of(regs, stack, w);
    let mut left = until - regs.steps;
    let end: Option<Status> = loop {
        if left == 0 {
            break None;
        }
        left -= 1;
        // SAFETY: `op_at` points at the instruction until the next `op_at`;
        // the step reads its fields before anything else does.
        let op = unsafe { &*w.op_at(hot.pc) };
        if let Some(s) = step(stack, w, op, &mut hot, until - left - 1) {
            break Some(s);
        }
    };
    regs.steps = until - left;
    hot.leave(regs, stack, w, end);
}

/// Executes `op`, the instruction at `hot.pc`, as step number `index`: the
/// one definition of every instruction. Returns the status it ends the run
/// with, if it does.
#[inline(always)]
pub(crate) fn step<S: Stack, W: World>(
    stack: &mut S,
    w: &mut W,
    op: &Op,
    hot: &mut Hot<S::Pos>,
    index: u64,
) -> Option<Status> {
    match step_in::<S, W, false>(stack, w, op, hot, index) {
        HAND_OVER => step_outlined(stack, w, op, hot, index),
        end => end,
    }
}

/// What [`step_in`] returns for a step it hands over, having changed
/// nothing: a rare branch-table entry (a return, or more than one value
/// kept), for [`step_outlined`]. No step ends a run as `Running`, so the
/// value is free.
pub(crate) const HAND_OVER: Option<Status> = Some(Status::Running);

/// [`step`] in a function of its own, with every case inline: the steps
/// `step_in::<_, _, false>` hands over.
#[inline(never)]
#[cold]
pub(crate) fn step_outlined<S: Stack, W: World>(
    stack: &mut S,
    w: &mut W,
    op: &Op,
    hot: &mut Hot<S::Pos>,
    index: u64,
) -> Option<Status> {
    step_in::<S, W, true>(stack, w, op, hot, index)
}

/// [`step`]; `OUTLINED` says it runs as [`step_outlined`]. Without it, a
/// rare branch-table entry returns [`HAND_OVER`] instead: for a driver that
/// then runs [`step_outlined`] itself (the machine's handlers jump to one
/// that does, so that their own code keeps no call and saves no registers).
#[inline(always)]
pub(crate) fn step_in<S: Stack, W: World, const OUTLINED: bool>(
    stack: &mut S,
    w: &mut W,
    op: &Op,
    hot: &mut Hot<S::Pos>,
    index: u64,
) -> Option<Status> {
    let Hot { mut pc, mut sp, mut fp } = *hot;
    pc += W::STRIDE;
    let end = 'step: {
        {
            macro_rules! trap {
                ($k:expr) => {{
                    pc -= W::STRIDE;
                    break 'step Some(Status::Trapped($k));
                }};
            }
            // Micro-stepped instructions stay on the same instruction.
            macro_rules! again {
                () => {{
                    pc -= W::STRIDE;
                    break 'step None;
                }};
            }
            macro_rules! push {
                ($v:expr) => {{
                    stack[sp] = $v;
                    sp += 1;
                }};
            }
            macro_rules! un {
                ($f:expr) => {{
                    stack[sp - 1] = $f(stack[sp - 1]);
                }};
            }
            macro_rules! bin {
                ($f:expr) => {{
                    let v = $f(stack[sp - 2], stack[sp - 1]);
                    sp -= 1;
                    stack[sp - 1] = v;
                }};
            }
            // A binary operator whose right operand is an immediate.
            macro_rules! imm {
                ($f:expr, $c:expr) => {{
                    stack[sp - 1] = $f(stack[sp - 1], $c);
                }};
            }
            macro_rules! bin_trap {
                ($in:ident, $out:ident, $f:expr) => {{
                    let b = $in(stack[sp - 1]);
                    let a = $in(stack[sp - 2]);
                    match $f(a, b) {
                        Ok(v) => {
                            sp -= 1;
                            stack[sp - 1] = $out(v);
                        }
                        Err(k) => trap!(k),
                    }
                }};
            }
            macro_rules! un_trap {
                ($in:ident, $out:ident, $f:expr) => {{
                    match $f($in(stack[sp - 1])) {
                        Ok(v) => stack[sp - 1] = $out(v),
                        Err(k) => trap!(k),
                    }
                }};
            }
            macro_rules! load {
                ($mem:expr, $offset:expr, $n:literal, $f:expr) => {{
                    let ea = stack[sp - 1] as u32 as usize + $offset as usize;
                    match w.load::<$n>($mem, ea) {
                        Some(b) => stack[sp - 1] = $f(b),
                        None => trap!(MemoryOutOfBounds),
                    }
                }};
            }
            macro_rules! store {
                ($mem:expr, $offset:expr, $n:literal, $f:expr) => {{
                    let ea = stack[sp - 2] as u32 as usize + $offset as usize;
                    if w.store($mem, ea, &$f(stack[sp - 1])) {
                        sp -= 2;
                    } else {
                        trap!(MemoryOutOfBounds);
                    }
                }};
            }
            // Register forms: operands and result in frame slots, then `sp = fp + h`.
            macro_rules! reg_bin {
                ($f:expr, $dst:expr, $l:expr, $r:expr, $h:expr) => {{
                    stack[fp + $dst as usize] = $f(stack[fp + $l as usize], stack[fp + $r as usize]);
                    sp = fp + $h as usize;
                }};
            }
            macro_rules! reg_imm {
                ($f:expr, $dst:expr, $l:expr, $c:expr, $h:expr) => {{
                    stack[fp + $dst as usize] = $f(stack[fp + $l as usize], $c);
                    sp = fp + $h as usize;
                }};
            }
            // A register form that may trap: `$f(slot l, $c)` in `$in`'s type.
            macro_rules! reg_imm_trap {
                ($in:ident, $out:ident, $f:expr, $dst:expr, $l:expr, $c:expr, $h:expr) => {{
                    match $f($in(stack[fp + $l as usize]), $c) {
                        Ok(v) => {
                            stack[fp + $dst as usize] = $out(v);
                            sp = fp + $h as usize;
                        }
                        Err(k) => trap!(k),
                    }
                }};
            }
            macro_rules! reg_un {
                ($f:expr, $dst:expr, $src:expr, $h:expr) => {{
                    stack[fp + $dst as usize] = $f(stack[fp + $src as usize]);
                    sp = fp + $h as usize;
                }};
            }
            // Loads `$n` bytes of memory `$mem` at `$ea` into slot `$dst` as
            // `$f` reads them, then `sp = fp + $h` (a `usize`); or traps,
            // changing nothing.
            macro_rules! load_into {
                ($mem:expr, $ea:expr, $n:literal, $f:expr, $dst:expr, $h:expr) => {{
                    match w.load::<$n>(u32::from($mem), $ea) {
                        Some(b) => {
                            stack[fp + $dst as usize] = $f(b);
                            sp = fp + $h;
                        }
                        None => trap!(MemoryOutOfBounds),
                    }
                }};
            }
            // Stores `$f` of slot `$val` in memory `$mem` at `$ea`, then `sp = fp + $h`.
            macro_rules! store_from {
                ($mem:expr, $ea:expr, $f:expr, $val:expr, $h:expr) => {{
                    if w.store(u32::from($mem), $ea, &$f(stack[fp + $val as usize])) {
                        sp = fp + $h;
                    } else {
                        trap!(MemoryOutOfBounds);
                    }
                }};
            }
            // A load from slot `addr` plus `value` (wrapping) plus `offset`.
            macro_rules! load_add {
                ($mem:expr, $addr:expr, $value:expr, $offset:expr, $n:literal, $f:expr, $dst:expr) => {{
                    let a = (stack[fp + $addr as usize] as u32).wrapping_add($value as u32);
                    load_into!($mem, a as usize + $offset as usize, $n, $f, $dst, $dst as usize + 1)
                }};
            }
            // An indexed load: from `((slot index << shift) + value) mod 2^32`.
            macro_rules! idx_load {
                ($mem:expr, $index:expr, $shift:expr, $value:expr, $n:literal, $f:expr, $dst:expr, $h:expr) => {{
                    let a = sem::i32_shl_add(stack[fp + $index as usize], $shift, $value as u64);
                    load_into!($mem, a as usize, $n, $f, $dst, $h as usize)
                }};
            }
            macro_rules! reg_load {
                ($mem:expr, $offset:expr, $n:literal, $f:expr, $dst:expr, $addr:expr, $h:expr) => {{
                    let ea = stack[fp + $addr as usize] as u32 as usize + $offset as usize;
                    load_into!($mem, ea, $n, $f, $dst, $h as usize)
                }};
            }
            macro_rules! reg_store {
                ($mem:expr, $offset:expr, $n:literal, $f:expr, $addr:expr, $val:expr, $h:expr) => {{
                    let ea = stack[fp + $addr as usize] as u32 as usize + $offset as usize;
                    store_from!($mem, ea, $f, $val, $h as usize)
                }};
            }
            // A load or a store at a constant address (a `u32` in the instruction).
            macro_rules! at_load {
                ($mem:expr, $addr:expr, $offset:expr, $n:literal, $f:expr, $dst:expr, $h:expr) => {{ load_into!($mem, $addr as usize + $offset as usize, $n, $f, $dst, $h as usize) }};
            }
            macro_rules! at_store {
                ($mem:expr, $addr:expr, $offset:expr, $n:literal, $f:expr, $val:expr, $h:expr) => {{ store_from!($mem, $addr as usize + $offset as usize, $f, $val, $h as usize) }};
            }
            // A fused compare-and-branch: jump if `$f(slot lhs, $rhs)` holds.
            macro_rules! br_cmp {
                ($f:expr, $lhs:expr, $rhs:expr, $h:expr, $target:expr) => {{ br_if!($f(stack[fp + $lhs as usize], $rhs) != 0, $h, $target) }};
            }
            // A fused conditional branch: `sp = fp + h`, then jump if `$cond`.
            macro_rules! br_if {
                ($cond:expr, $h:expr, $target:expr) => {{
                    let taken = $cond;
                    sp = fp + $h as usize;
                    if taken {
                        pc = w.at($target);
                    }
                }};
            }
            macro_rules! ret {
                ($n:expr) => {{
                    let n = $n as usize;
                    // Results already in place are not copied (nor opened).
                    if sp - n != fp {
                        stack.copy_within(sp - n, n, fp);
                    }
                    sp = fp + n;
                    stack.leave_frame();
                    let f = w.pop_frame();
                    if f.ret_pc == HALT {
                        break 'step Some(Status::Finished);
                    }
                    pc = w.at(f.ret_pc);
                    fp = stack.at(f.fp);
                }};
            }
            macro_rules! br_adjust {
                ($target:expr, $drop:expr, $keep:expr) => {{
                    let (drop, keep) = ($drop as usize, $keep as usize);
                    stack.copy_within(sp - keep, keep, sp - keep - drop);
                    sp -= drop;
                    pc = w.at($target);
                }};
            }
            // Takes entry `$i` (the last for any larger) of the table of
            // `$len + 1` entries translation emits after a `BrTable`.
            // An entry that moves more than one value or returns is rare
            // (as a `switch`'s case it keeps nothing): the step is handed
            // over to `step_outlined`, `hot` and all else unchanged.
            macro_rules! br_table {
                ($i:expr, $len:expr) => {{
                    let i = ($i).min($len) as usize;
                    match w.op(pc + i * W::STRIDE) {
                        Op::BrAdjust { target, drop, keep } if OUTLINED || keep <= 1 => {
                            br_adjust!(target, drop, keep)
                        }
                        Op::Return { results } if OUTLINED => ret!(results),
                        Op::BrAdjust { .. } | Op::Return { .. } => return HAND_OVER,
                        // Translation never emits anything else here; only a
                        // proof of a state no machine reaches can get here.
                        _ => trap!(Unreachable),
                    }
                }};
            }
            // Calls `func` after popping `pop` operands (the callee index of
            // `call_indirect`); a trap leaves the stack as it was.
            macro_rules! call {
                ($func:expr, $pop:expr) => {{
                    let func = $func as usize;
                    match w.func(func).kind {
                        FuncKind::Wasm { entry, nparams, nlocals, frame_size } => {
                            if w.depth() >= MAX_CALL_DEPTH {
                                trap!(CallStackExhausted);
                            }
                            sp -= $pop;
                            let new_fp = sp - nparams as usize;
                            if new_fp + frame_size as usize > stack.end() {
                                sp += $pop;
                                trap!(ValueStackExhausted);
                            }
                            stack.enter_frame(new_fp + frame_size as usize);
                            w.push_frame(Frame { ret_pc: w.index(pc), fp: stack.slot(fp) });
                            w.enter(func);
                            w.frame_top(stack.slot(new_fp) as usize + frame_size as usize);
                            // The callee's prologue zeroes the rest (`ZeroLocals`).
                            stack.zero(sp, (nlocals as usize).min(LOCALS_CHUNK as usize));
                            sp += nlocals as usize;
                            fp = new_fp;
                            pc = w.at(entry);
                        }
                        FuncKind::Host { func: h, nparams } => {
                            let args = sp - $pop - nparams as usize;
                            match host::step(stack, w, h, args, nparams as usize, index) {
                                HostStep::Done(result) => sp = args + result.is_some() as usize,
                                HostStep::End(s) => {
                                    sp -= $pop;
                                    break 'step Some(s);
                                }
                                // A call that moves many bytes: its progress is
                                // in its arguments, and the same call instruction
                                // runs again (operands included) at the next step.
                                HostStep::Again => again!(),
                            }
                        }
                    }
                }};
            }

            match *op {
                Op::Unreachable => trap!(Unreachable),
                Op::Br { target } => pc = w.at(target),
                Op::BrIfEqz { target } => {
                    sp -= 1;
                    if stack[sp] as u32 == 0 {
                        pc = w.at(target);
                    }
                }
                Op::BrIfNez { target } => {
                    sp -= 1;
                    if stack[sp] as u32 != 0 {
                        pc = w.at(target);
                    }
                }
                Op::BrAdjust { target, drop, keep } => br_adjust!(target, drop, keep),
                Op::BrIfNezAdjust { target, drop, keep } => {
                    sp -= 1;
                    if stack[sp] as u32 != 0 {
                        br_adjust!(target, drop, keep);
                    }
                }
                Op::BrTable { len } => {
                    sp -= 1;
                    br_table!(stack[sp] as u32, len)
                }
                Op::BrTableReg { len, index } => br_table!(stack[fp + index as usize] as u32, len),
                Op::Return { results } => ret!(results),
                Op::StackMove { from, to, n } => {
                    let (from, to, n) = (from as usize, to as usize, n as usize);
                    stack.copy_within(sp - from, n, sp - to);
                }
                Op::Call { func } => call!(func, 0),
                Op::CallIndirect { ty, table } => {
                    let i = stack[sp - 1] as u32;
                    let Some(r) = w.table_get(table, i) else { trap!(TableOutOfBounds) };
                    if r == 0 {
                        trap!(UninitializedElement);
                    }
                    let func = (r - 1) as usize;
                    if w.func(func).ty != ty {
                        trap!(IndirectCallTypeMismatch);
                    }
                    call!(func, 1);
                }

                Op::ZeroLocals { first, n } => stack.zero(fp + first as usize, n as usize),
                Op::Drop => sp -= 1,
                Op::Select => {
                    sp -= 2;
                    if stack[sp + 1] as u32 == 0 {
                        stack[sp - 1] = stack[sp];
                    }
                }
                Op::LocalGet { index } => push!(stack[fp + index as usize]),
                Op::LocalSet { index } => {
                    sp -= 1;
                    stack[fp + index as usize] = stack[sp];
                }
                Op::LocalTee { index } => stack[fp + index as usize] = stack[sp - 1],
                Op::LocalGet2 { a, b } => {
                    stack[sp] = stack[fp + a as usize];
                    stack[sp + 1] = stack[fp + b as usize];
                    sp += 2;
                }
                Op::LocalSetGet { set, get } => {
                    stack[fp + set as usize] = stack[sp - 1];
                    stack[sp - 1] = stack[fp + get as usize];
                }
                Op::LocalCopy { dst, src } => stack[fp + dst as usize] = stack[fp + src as usize],
                Op::I32SetConst { dst, value } => stack[fp + dst as usize] = from_i32(value),
                Op::I64SetConst { dst, value } => stack[fp + dst as usize] = from_i64(value),
                Op::BrIfNezReg { cond, target } => {
                    if stack[fp + cond as usize] as u32 != 0 {
                        pc = w.at(target);
                    }
                }
                Op::BrIfEqzReg { cond, target } => {
                    if stack[fp + cond as usize] as u32 == 0 {
                        pc = w.at(target);
                    }
                }
                Op::LocalTeeGet { tee, get } => {
                    stack[fp + tee as usize] = stack[sp - 1];
                    stack[sp] = stack[fp + get as usize];
                    sp += 1;
                }
                Op::GlobalGet { global } => push!(w.global(global)),
                Op::GlobalSet { global } => {
                    sp -= 1;
                    w.set_global(global, stack[sp]);
                }

                Op::TableGet { table } => match w.table_get(table, stack[sp - 1] as u32) {
                    Some(r) => stack[sp - 1] = r,
                    None => trap!(TableOutOfBounds),
                },
                Op::TableSet { table } => {
                    let v = stack[sp - 1];
                    if w.table_set(table, stack[sp - 2] as u32, v) {
                        sp -= 2;
                    } else {
                        trap!(TableOutOfBounds);
                    }
                }
                Op::TableSize { table } => push!(w.table_len(table) as u64),
                Op::TableGrow { table } => {
                    // A null init only changes the length; any other value is
                    // written TABLE_CHUNK elements per step, with the old length
                    // (plus one, so 0 means "not started") kept in the high
                    // half of the count's slot.
                    let slot = stack[sp - 1];
                    let (n, started) = (slot as u32, (slot >> 32) as u32);
                    let init = stack[sp - 2];
                    let len = w.table_len(table);
                    let fits =
                        started != 0 || len.checked_add(n).is_some_and(|new| new <= w.table_limit(table));
                    if !fits {
                        sp -= 1;
                        stack[sp - 1] = from_i32(-1);
                    } else {
                        let k = if init == 0 { n } else { n.min(TABLE_CHUNK) };
                        w.table_grow(table, len.wrapping_add(k), init);
                        let old = if started == 0 { len } else { started - 1 };
                        if k == n {
                            sp -= 1;
                            stack[sp - 1] = from_u32(old);
                        } else {
                            stack[sp - 1] = (n - k) as u64 | ((old as u64 + 1) << 32);
                            again!();
                        }
                    }
                }
                Op::TableFill { table } => {
                    let n = stack[sp - 1] as u32 as usize;
                    let v = stack[sp - 2];
                    let i = stack[sp - 3] as u32 as usize;
                    if i + n > w.table_len(table) as usize {
                        trap!(TableOutOfBounds);
                    }
                    let k = n.min(TABLE_CHUNK as usize);
                    for j in i..i + k {
                        w.table_set(table, j as u32, v);
                    }
                    if k == n {
                        sp -= 3;
                    } else {
                        stack[sp - 3] = (i + k) as u64;
                        stack[sp - 1] = (n - k) as u64;
                        again!();
                    }
                }
                Op::TableCopy { dst, src } => {
                    let n = stack[sp - 1] as u32 as usize;
                    let s = stack[sp - 2] as u32 as usize;
                    let d = stack[sp - 3] as u32 as usize;
                    if s + n > w.table_len(src) as usize || d + n > w.table_len(dst) as usize {
                        trap!(TableOutOfBounds);
                    }
                    let k = n.min(TABLE_CHUNK as usize);
                    // Forward when the destination is below the source, else from the end.
                    let (cs, cd) = if d <= s { (s, d) } else { (s + n - k, d + n - k) };
                    let mut buf = [0u64; TABLE_CHUNK as usize];
                    for (j, b) in buf[..k].iter_mut().enumerate() {
                        *b = w.table_get(src, (cs + j) as u32).unwrap_or(0);
                    }
                    for (j, b) in buf[..k].iter().enumerate() {
                        w.table_set(dst, (cd + j) as u32, *b);
                    }
                    if k == n {
                        sp -= 3;
                    } else {
                        if d <= s {
                            stack[sp - 3] = (d + k) as u64;
                            stack[sp - 2] = (s + k) as u64;
                        }
                        stack[sp - 1] = (n - k) as u64;
                        again!();
                    }
                }
                Op::TableInit { table, elem } => {
                    let n = stack[sp - 1] as u32 as usize;
                    let s = stack[sp - 2] as u32 as usize;
                    let d = stack[sp - 3] as u32 as usize;
                    if s + n > w.elem_len(elem) as usize || d + n > w.table_len(table) as usize {
                        trap!(TableOutOfBounds);
                    }
                    let k = n.min(TABLE_CHUNK as usize);
                    for j in 0..k {
                        let v = w.elem_get(elem, (s + j) as u32);
                        w.table_set(table, (d + j) as u32, v);
                    }
                    if k == n {
                        sp -= 3;
                    } else {
                        stack[sp - 3] = (d + k) as u64;
                        stack[sp - 2] = (s + k) as u64;
                        stack[sp - 1] = (n - k) as u64;
                        again!();
                    }
                }
                Op::ElemDrop { elem } => w.elem_drop(elem),
                Op::RefNull => push!(0),
                Op::RefIsNull => stack[sp - 1] = from_bool(stack[sp - 1] == 0),
                Op::RefFunc { func } => push!(func as u64 + 1),

                Op::I32Load { mem, offset } => load!(mem, offset, 4, sem::i32_load),
                Op::I64Load { mem, offset } => load!(mem, offset, 8, sem::i64_load),
                Op::F32Load { mem, offset } => load!(mem, offset, 4, sem::f32_load),
                Op::F64Load { mem, offset } => load!(mem, offset, 8, sem::f64_load),
                Op::I32Load8S { mem, offset } => load!(mem, offset, 1, sem::i32_load8_s),
                Op::I32Load8U { mem, offset } => load!(mem, offset, 1, sem::i32_load8_u),
                Op::I32Load16S { mem, offset } => load!(mem, offset, 2, sem::i32_load16_s),
                Op::I32Load16U { mem, offset } => load!(mem, offset, 2, sem::i32_load16_u),
                Op::I64Load8S { mem, offset } => load!(mem, offset, 1, sem::i64_load8_s),
                Op::I64Load8U { mem, offset } => load!(mem, offset, 1, sem::i64_load8_u),
                Op::I64Load16S { mem, offset } => load!(mem, offset, 2, sem::i64_load16_s),
                Op::I64Load16U { mem, offset } => load!(mem, offset, 2, sem::i64_load16_u),
                Op::I64Load32S { mem, offset } => load!(mem, offset, 4, sem::i64_load32_s),
                Op::I64Load32U { mem, offset } => load!(mem, offset, 4, sem::i64_load32_u),
                Op::I32Store { mem, offset } | Op::F32Store { mem, offset } => {
                    store!(mem, offset, 4, sem::i32_store)
                }
                Op::I64Store { mem, offset } | Op::F64Store { mem, offset } => {
                    store!(mem, offset, 8, sem::i64_store)
                }
                Op::I32Store8 { mem, offset } | Op::I64Store8 { mem, offset } => {
                    store!(mem, offset, 1, sem::i32_store8)
                }
                Op::I32Store16 { mem, offset } | Op::I64Store16 { mem, offset } => {
                    store!(mem, offset, 2, sem::i32_store16)
                }
                Op::I64Store32 { mem, offset } => store!(mem, offset, 4, sem::i64_store32),
                Op::MemorySize { mem } => push!((w.mem_len(mem) as u64) / PAGE_SIZE),
                Op::MemoryGrow { mem } => {
                    let delta = stack[sp - 1] as u32;
                    let old = (w.mem_len(mem) as u64 / PAGE_SIZE) as u32;
                    stack[sp - 1] = match old.checked_add(delta) {
                        Some(new) if new <= w.mem_limit(mem) => {
                            w.mem_resize(mem, new);
                            from_u32(old)
                        }
                        _ => from_i32(-1),
                    };
                }
                Op::MemoryFill { mem } => {
                    let n = stack[sp - 1] as u32 as usize;
                    let v = stack[sp - 2] as u8;
                    let d = stack[sp - 3] as u32 as usize;
                    if d + n > w.mem_len(mem) {
                        trap!(MemoryOutOfBounds);
                    }
                    let k = n.min(MEMORY_CHUNK as usize);
                    w.mem_fill(mem, d, k, v);
                    if k == n {
                        sp -= 3;
                    } else {
                        stack[sp - 3] = (d + k) as u64;
                        stack[sp - 1] = (n - k) as u64;
                        again!();
                    }
                }
                Op::MemoryCopy { mem } => {
                    let n = stack[sp - 1] as u32 as usize;
                    let s = stack[sp - 2] as u32 as usize;
                    let d = stack[sp - 3] as u32 as usize;
                    let len = w.mem_len(mem);
                    if s + n > len || d + n > len {
                        trap!(MemoryOutOfBounds);
                    }
                    let k = n.min(MEMORY_CHUNK as usize);
                    // Forward when the destination is below the source, else from
                    // the end, so overlapping copies never read overwritten bytes.
                    if d <= s {
                        w.mem_copy(mem, s, d, k);
                    } else {
                        w.mem_copy(mem, s + n - k, d + n - k, k);
                    }
                    if k == n {
                        sp -= 3;
                    } else {
                        if d <= s {
                            stack[sp - 3] = (d + k) as u64;
                            stack[sp - 2] = (s + k) as u64;
                        }
                        stack[sp - 1] = (n - k) as u64;
                        again!();
                    }
                }
                Op::MemoryInit { mem, data: seg } => {
                    let n = stack[sp - 1] as u32 as usize;
                    let s = stack[sp - 2] as u32 as usize;
                    let d = stack[sp - 3] as u32 as usize;
                    if s + n > w.data_len(seg) || d + n > w.mem_len(mem) {
                        trap!(MemoryOutOfBounds);
                    }
                    let k = n.min(MEMORY_CHUNK as usize);
                    w.mem_init(mem, seg, s, d, k);
                    if k == n {
                        sp -= 3;
                    } else {
                        stack[sp - 3] = (d + k) as u64;
                        stack[sp - 2] = (s + k) as u64;
                        stack[sp - 1] = (n - k) as u64;
                        again!();
                    }
                }
                Op::DataDrop { data } => w.data_drop(data),

                Op::I32Const { value } => push!(from_i32(value)),
                Op::I64Const { value } => push!(from_i64(value)),
                Op::F32Const { bits } => push!(bits as u64),
                Op::F64Const { bits } => push!(bits),

                // SIMD and v128 instructions, out of the hot loop (`exec/simd.rs`).
                Op::V128Drop
                | Op::V128Select
                | Op::V128LocalSet { .. }
                | Op::V128LocalTee { .. }
                | Op::V128GlobalGet { .. }
                | Op::V128GlobalSet { .. }
                | Op::V128Const { .. }
                | Op::Hi64 { .. }
                | Op::I8x16Shuffle { .. }
                | Op::V128Load { .. }
                | Op::V128Store { .. }
                | Op::V128LoadLane { .. }
                | Op::V128StoreLane { .. }
                | Op::V128Splat { .. }
                | Op::V128ExtractLane { .. }
                | Op::V128ReplaceLane { .. }
                | Op::V128Unary { .. }
                | Op::V128Binary { .. }
                | Op::V128Bitselect
                | Op::V128Test { .. }
                | Op::V128Shift { .. } => match simd::step(*op, stack, w, pc, sp, fp) {
                    Ok((s, words)) => {
                        sp = s;
                        pc += words * W::STRIDE;
                    }
                    Err(k) => trap!(k),
                },

                Op::I32Eqz => un!(sem::i32_eqz),
                Op::I32Eq => bin!(sem::i32_eq),
                Op::I32Ne => bin!(sem::i32_ne),
                Op::I32LtS => bin!(sem::i32_lt_s),
                Op::I32LtU => bin!(sem::i32_lt_u),
                Op::I32GtS => bin!(sem::i32_gt_s),
                Op::I32GtU => bin!(sem::i32_gt_u),
                Op::I32LeS => bin!(sem::i32_le_s),
                Op::I32LeU => bin!(sem::i32_le_u),
                Op::I32GeS => bin!(sem::i32_ge_s),
                Op::I32GeU => bin!(sem::i32_ge_u),
                Op::I64Eqz => un!(sem::i64_eqz),
                Op::I64Eq => bin!(sem::i64_eq),
                Op::I64Ne => bin!(sem::i64_ne),
                Op::I64LtS => bin!(sem::i64_lt_s),
                Op::I64LtU => bin!(sem::i64_lt_u),
                Op::I64GtS => bin!(sem::i64_gt_s),
                Op::I64GtU => bin!(sem::i64_gt_u),
                Op::I64LeS => bin!(sem::i64_le_s),
                Op::I64LeU => bin!(sem::i64_le_u),
                Op::I64GeS => bin!(sem::i64_ge_s),
                Op::I64GeU => bin!(sem::i64_ge_u),
                Op::F32Eq => bin!(sem::f32_eq),
                Op::F32Ne => bin!(sem::f32_ne),
                Op::F32Lt => bin!(sem::f32_lt),
                Op::F32Gt => bin!(sem::f32_gt),
                Op::F32Le => bin!(sem::f32_le),
                Op::F32Ge => bin!(sem::f32_ge),
                Op::F64Eq => bin!(sem::f64_eq),
                Op::F64Ne => bin!(sem::f64_ne),
                Op::F64Lt => bin!(sem::f64_lt),
                Op::F64Gt => bin!(sem::f64_gt),
                Op::F64Le => bin!(sem::f64_le),
                Op::F64Ge => bin!(sem::f64_ge),

                Op::I32Clz => un!(sem::i32_clz),
                Op::I32Ctz => un!(sem::i32_ctz),
                Op::I32Popcnt => un!(sem::i32_popcnt),
                Op::I32Add => bin!(sem::i32_add),
                Op::I32Sub => bin!(sem::i32_sub),
                Op::I32Mul => bin!(sem::i32_mul),
                Op::I32DivS => bin_trap!(i32_, from_i32, int::i32_div_s),
                Op::I32DivU => bin_trap!(u32_, from_u32, int::i32_div_u),
                Op::I32RemS => bin_trap!(i32_, from_i32, int::i32_rem_s),
                Op::I32RemU => bin_trap!(u32_, from_u32, int::i32_rem_u),
                Op::I32And => bin!(sem::i32_and),
                Op::I32Or => bin!(sem::i32_or),
                Op::I32Xor => bin!(sem::i32_xor),
                Op::I32Shl => bin!(sem::i32_shl),
                Op::I32ShrS => bin!(sem::i32_shr_s),
                Op::I32ShrU => bin!(sem::i32_shr_u),
                Op::I32Rotl => bin!(sem::i32_rotl),
                Op::I32Rotr => bin!(sem::i32_rotr),
                Op::I64Clz => un!(sem::i64_clz),
                Op::I64Ctz => un!(sem::i64_ctz),
                Op::I64Popcnt => un!(sem::i64_popcnt),
                Op::I64Add => bin!(sem::i64_add),
                Op::I64Sub => bin!(sem::i64_sub),
                Op::I64Mul => bin!(sem::i64_mul),
                Op::I64DivS => bin_trap!(i64_, from_i64, int::i64_div_s),
                Op::I64DivU => bin_trap!(u64_, u64_, int::i64_div_u),
                Op::I64RemS => bin_trap!(i64_, from_i64, int::i64_rem_s),
                Op::I64RemU => bin_trap!(u64_, u64_, int::i64_rem_u),
                Op::I64And => bin!(sem::i64_and),
                Op::I64Or => bin!(sem::i64_or),
                Op::I64Xor => bin!(sem::i64_xor),
                Op::I64Shl => bin!(sem::i64_shl),
                Op::I64ShrS => bin!(sem::i64_shr_s),
                Op::I64ShrU => bin!(sem::i64_shr_u),
                Op::I64Rotl => bin!(sem::i64_rotl),
                Op::I64Rotr => bin!(sem::i64_rotr),

                Op::F32Abs => un!(sem::f32_abs),
                Op::F32Neg => un!(sem::f32_neg),
                Op::F32Ceil => un!(sem::f32_ceil),
                Op::F32Floor => un!(sem::f32_floor),
                Op::F32Trunc => un!(sem::f32_trunc),
                Op::F32Nearest => un!(sem::f32_nearest),
                Op::F32Sqrt => un!(sem::f32_sqrt),
                Op::F32Add => bin!(sem::f32_add),
                Op::F32Sub => bin!(sem::f32_sub),
                Op::F32Mul => bin!(sem::f32_mul),
                Op::F32Div => bin!(sem::f32_div),
                Op::F32Min => bin!(sem::f32_min),
                Op::F32Max => bin!(sem::f32_max),
                Op::F32Copysign => bin!(sem::f32_copysign),
                Op::F64Abs => un!(sem::f64_abs),
                Op::F64Neg => un!(sem::f64_neg),
                Op::F64Ceil => un!(sem::f64_ceil),
                Op::F64Floor => un!(sem::f64_floor),
                Op::F64Trunc => un!(sem::f64_trunc),
                Op::F64Nearest => un!(sem::f64_nearest),
                Op::F64Sqrt => un!(sem::f64_sqrt),
                Op::F64Add => bin!(sem::f64_add),
                Op::F64Sub => bin!(sem::f64_sub),
                Op::F64Mul => bin!(sem::f64_mul),
                Op::F64Div => bin!(sem::f64_div),
                Op::F64Min => bin!(sem::f64_min),
                Op::F64Max => bin!(sem::f64_max),
                Op::F64Copysign => bin!(sem::f64_copysign),

                Op::I32AddImm { value } => imm!(sem::i32_add, value as u64),
                Op::I32MulImm { value } => imm!(sem::i32_mul, value as u64),
                Op::I32AndImm { value } => imm!(sem::i32_and, value as u64),
                Op::I32OrImm { value } => imm!(sem::i32_or, value as u64),
                Op::I32XorImm { value } => imm!(sem::i32_xor, value as u64),
                Op::I32ShlImm { value } => imm!(sem::i32_shl, value as u64),
                Op::I32ShrSImm { value } => imm!(sem::i32_shr_s, value as u64),
                Op::I32ShrUImm { value } => imm!(sem::i32_shr_u, value as u64),
                Op::I32RotlImm { value } => imm!(sem::i32_rotl, value as u64),
                Op::I32RotrImm { value } => imm!(sem::i32_rotr, value as u64),
                Op::I32EqImm { value } => imm!(sem::i32_eq, value as u64),
                Op::I32NeImm { value } => imm!(sem::i32_ne, value as u64),
                Op::I32LtSImm { value } => imm!(sem::i32_lt_s, value as u64),
                Op::I32LtUImm { value } => imm!(sem::i32_lt_u, value as u64),
                Op::I32GtSImm { value } => imm!(sem::i32_gt_s, value as u64),
                Op::I32GtUImm { value } => imm!(sem::i32_gt_u, value as u64),
                Op::I32LeSImm { value } => imm!(sem::i32_le_s, value as u64),
                Op::I32LeUImm { value } => imm!(sem::i32_le_u, value as u64),
                Op::I32GeSImm { value } => imm!(sem::i32_ge_s, value as u64),
                Op::I32GeUImm { value } => imm!(sem::i32_ge_u, value as u64),
                Op::I64AddImm { value } => imm!(sem::i64_add, value as u64),
                Op::I64MulImm { value } => imm!(sem::i64_mul, value as u64),
                Op::I64AndImm { value } => imm!(sem::i64_and, value as u64),
                Op::I64OrImm { value } => imm!(sem::i64_or, value as u64),
                Op::I64XorImm { value } => imm!(sem::i64_xor, value as u64),
                Op::I64ShlImm { value } => imm!(sem::i64_shl, value as u64),
                Op::I64ShrSImm { value } => imm!(sem::i64_shr_s, value as u64),
                Op::I64ShrUImm { value } => imm!(sem::i64_shr_u, value as u64),

                Op::I32WrapI64 => un!(sem::i32_wrap_i64),
                Op::I32TruncF32S => un_trap!(f32_, from_i32, cv::i32_trunc_f32_s),
                Op::I32TruncF32U => un_trap!(f32_, from_u32, cv::i32_trunc_f32_u),
                Op::I32TruncF64S => un_trap!(f64_, from_i32, cv::i32_trunc_f64_s),
                Op::I32TruncF64U => un_trap!(f64_, from_u32, cv::i32_trunc_f64_u),
                Op::I64ExtendI32S => un!(sem::i64_extend_i32_s),
                Op::I64ExtendI32U => un!(sem::i64_extend_i32_u),
                Op::I64TruncF32S => un_trap!(f32_, from_i64, cv::i64_trunc_f32_s),
                Op::I64TruncF32U => un_trap!(f32_, u64_, cv::i64_trunc_f32_u),
                Op::I64TruncF64S => un_trap!(f64_, from_i64, cv::i64_trunc_f64_s),
                Op::I64TruncF64U => un_trap!(f64_, u64_, cv::i64_trunc_f64_u),
                Op::F32ConvertI32S => un!(sem::f32_convert_i32_s),
                Op::F32ConvertI32U => un!(sem::f32_convert_i32_u),
                Op::F32ConvertI64S => un!(sem::f32_convert_i64_s),
                Op::F32ConvertI64U => un!(sem::f32_convert_i64_u),
                Op::F32DemoteF64 => un!(sem::f32_demote_f64),
                Op::F64ConvertI32S => un!(sem::f64_convert_i32_s),
                Op::F64ConvertI32U => un!(sem::f64_convert_i32_u),
                Op::F64ConvertI64S => un!(sem::f64_convert_i64_s),
                Op::F64ConvertI64U => un!(sem::f64_convert_i64_u),
                Op::F64PromoteF32 => un!(sem::f64_promote_f32),
                // Slots hold raw bits, so reinterpretation changes nothing.
                Op::I32ReinterpretF32
                | Op::I64ReinterpretF64
                | Op::F32ReinterpretI32
                | Op::F64ReinterpretI64 => {}
                Op::I32Extend8S => un!(sem::i32_extend8_s),
                Op::I32Extend16S => un!(sem::i32_extend16_s),
                Op::I64Extend8S => un!(sem::i64_extend8_s),
                Op::I64Extend16S => un!(sem::i64_extend16_s),
                Op::I64Extend32S => un!(sem::i64_extend32_s),
                Op::I32TruncSatF32S => un!(sem::i32_trunc_sat_f32_s),
                Op::I32TruncSatF32U => un!(sem::i32_trunc_sat_f32_u),
                Op::I32TruncSatF64S => un!(sem::i32_trunc_sat_f64_s),
                Op::I32TruncSatF64U => un!(sem::i32_trunc_sat_f64_u),
                Op::I64TruncSatF32S => un!(sem::i64_trunc_sat_f32_s),
                Op::I64TruncSatF32U => un!(sem::i64_trunc_sat_f32_u),
                Op::I64TruncSatF64S => un!(sem::i64_trunc_sat_f64_s),
                Op::I64TruncSatF64U => un!(sem::i64_trunc_sat_f64_u),

                Op::I32EqReg { dst, lhs, rhs, h } => reg_bin!(sem::i32_eq, dst, lhs, rhs, h),
                Op::I32NeReg { dst, lhs, rhs, h } => reg_bin!(sem::i32_ne, dst, lhs, rhs, h),
                Op::I32LtSReg { dst, lhs, rhs, h } => reg_bin!(sem::i32_lt_s, dst, lhs, rhs, h),
                Op::I32LtUReg { dst, lhs, rhs, h } => reg_bin!(sem::i32_lt_u, dst, lhs, rhs, h),
                Op::I32GtSReg { dst, lhs, rhs, h } => reg_bin!(sem::i32_gt_s, dst, lhs, rhs, h),
                Op::I32GtUReg { dst, lhs, rhs, h } => reg_bin!(sem::i32_gt_u, dst, lhs, rhs, h),
                Op::I32LeSReg { dst, lhs, rhs, h } => reg_bin!(sem::i32_le_s, dst, lhs, rhs, h),
                Op::I32LeUReg { dst, lhs, rhs, h } => reg_bin!(sem::i32_le_u, dst, lhs, rhs, h),
                Op::I32GeSReg { dst, lhs, rhs, h } => reg_bin!(sem::i32_ge_s, dst, lhs, rhs, h),
                Op::I32GeUReg { dst, lhs, rhs, h } => reg_bin!(sem::i32_ge_u, dst, lhs, rhs, h),
                Op::I64EqReg { dst, lhs, rhs, h } => reg_bin!(sem::i64_eq, dst, lhs, rhs, h),
                Op::I64NeReg { dst, lhs, rhs, h } => reg_bin!(sem::i64_ne, dst, lhs, rhs, h),
                Op::I64LtSReg { dst, lhs, rhs, h } => reg_bin!(sem::i64_lt_s, dst, lhs, rhs, h),
                Op::I64LtUReg { dst, lhs, rhs, h } => reg_bin!(sem::i64_lt_u, dst, lhs, rhs, h),
                Op::I64GtSReg { dst, lhs, rhs, h } => reg_bin!(sem::i64_gt_s, dst, lhs, rhs, h),
                Op::I64GtUReg { dst, lhs, rhs, h } => reg_bin!(sem::i64_gt_u, dst, lhs, rhs, h),
                Op::I64LeSReg { dst, lhs, rhs, h } => reg_bin!(sem::i64_le_s, dst, lhs, rhs, h),
                Op::I64LeUReg { dst, lhs, rhs, h } => reg_bin!(sem::i64_le_u, dst, lhs, rhs, h),
                Op::I64GeSReg { dst, lhs, rhs, h } => reg_bin!(sem::i64_ge_s, dst, lhs, rhs, h),
                Op::I64GeUReg { dst, lhs, rhs, h } => reg_bin!(sem::i64_ge_u, dst, lhs, rhs, h),
                Op::F32EqReg { dst, lhs, rhs, h } => reg_bin!(sem::f32_eq, dst, lhs, rhs, h),
                Op::F32NeReg { dst, lhs, rhs, h } => reg_bin!(sem::f32_ne, dst, lhs, rhs, h),
                Op::F32LtReg { dst, lhs, rhs, h } => reg_bin!(sem::f32_lt, dst, lhs, rhs, h),
                Op::F32GtReg { dst, lhs, rhs, h } => reg_bin!(sem::f32_gt, dst, lhs, rhs, h),
                Op::F32LeReg { dst, lhs, rhs, h } => reg_bin!(sem::f32_le, dst, lhs, rhs, h),
                Op::F32GeReg { dst, lhs, rhs, h } => reg_bin!(sem::f32_ge, dst, lhs, rhs, h),
                Op::F64EqReg { dst, lhs, rhs, h } => reg_bin!(sem::f64_eq, dst, lhs, rhs, h),
                Op::F64NeReg { dst, lhs, rhs, h } => reg_bin!(sem::f64_ne, dst, lhs, rhs, h),
                Op::F64LtReg { dst, lhs, rhs, h } => reg_bin!(sem::f64_lt, dst, lhs, rhs, h),
                Op::F64GtReg { dst, lhs, rhs, h } => reg_bin!(sem::f64_gt, dst, lhs, rhs, h),
                Op::F64LeReg { dst, lhs, rhs, h } => reg_bin!(sem::f64_le, dst, lhs, rhs, h),
                Op::F64GeReg { dst, lhs, rhs, h } => reg_bin!(sem::f64_ge, dst, lhs, rhs, h),
                Op::I32AddReg { dst, lhs, rhs, h } => reg_bin!(sem::i32_add, dst, lhs, rhs, h),
                Op::I32SubReg { dst, lhs, rhs, h } => reg_bin!(sem::i32_sub, dst, lhs, rhs, h),
                Op::I32MulReg { dst, lhs, rhs, h } => reg_bin!(sem::i32_mul, dst, lhs, rhs, h),
                Op::I32AndReg { dst, lhs, rhs, h } => reg_bin!(sem::i32_and, dst, lhs, rhs, h),
                Op::I32OrReg { dst, lhs, rhs, h } => reg_bin!(sem::i32_or, dst, lhs, rhs, h),
                Op::I32XorReg { dst, lhs, rhs, h } => reg_bin!(sem::i32_xor, dst, lhs, rhs, h),
                Op::I32ShlReg { dst, lhs, rhs, h } => reg_bin!(sem::i32_shl, dst, lhs, rhs, h),
                Op::I32ShrSReg { dst, lhs, rhs, h } => reg_bin!(sem::i32_shr_s, dst, lhs, rhs, h),
                Op::I32ShrUReg { dst, lhs, rhs, h } => reg_bin!(sem::i32_shr_u, dst, lhs, rhs, h),
                Op::I32RotlReg { dst, lhs, rhs, h } => reg_bin!(sem::i32_rotl, dst, lhs, rhs, h),
                Op::I32RotrReg { dst, lhs, rhs, h } => reg_bin!(sem::i32_rotr, dst, lhs, rhs, h),
                Op::I64AddReg { dst, lhs, rhs, h } => reg_bin!(sem::i64_add, dst, lhs, rhs, h),
                Op::I64SubReg { dst, lhs, rhs, h } => reg_bin!(sem::i64_sub, dst, lhs, rhs, h),
                Op::I64MulReg { dst, lhs, rhs, h } => reg_bin!(sem::i64_mul, dst, lhs, rhs, h),
                Op::I64AndReg { dst, lhs, rhs, h } => reg_bin!(sem::i64_and, dst, lhs, rhs, h),
                Op::I64OrReg { dst, lhs, rhs, h } => reg_bin!(sem::i64_or, dst, lhs, rhs, h),
                Op::I64XorReg { dst, lhs, rhs, h } => reg_bin!(sem::i64_xor, dst, lhs, rhs, h),
                Op::I64ShlReg { dst, lhs, rhs, h } => reg_bin!(sem::i64_shl, dst, lhs, rhs, h),
                Op::I64ShrSReg { dst, lhs, rhs, h } => reg_bin!(sem::i64_shr_s, dst, lhs, rhs, h),
                Op::I64ShrUReg { dst, lhs, rhs, h } => reg_bin!(sem::i64_shr_u, dst, lhs, rhs, h),
                Op::I64RotlReg { dst, lhs, rhs, h } => reg_bin!(sem::i64_rotl, dst, lhs, rhs, h),
                Op::I64RotrReg { dst, lhs, rhs, h } => reg_bin!(sem::i64_rotr, dst, lhs, rhs, h),
                Op::F32AddReg { dst, lhs, rhs, h } => reg_bin!(sem::f32_add, dst, lhs, rhs, h),
                Op::F32SubReg { dst, lhs, rhs, h } => reg_bin!(sem::f32_sub, dst, lhs, rhs, h),
                Op::F32MulReg { dst, lhs, rhs, h } => reg_bin!(sem::f32_mul, dst, lhs, rhs, h),
                Op::F32DivReg { dst, lhs, rhs, h } => reg_bin!(sem::f32_div, dst, lhs, rhs, h),
                Op::F64AddReg { dst, lhs, rhs, h } => reg_bin!(sem::f64_add, dst, lhs, rhs, h),
                Op::F64SubReg { dst, lhs, rhs, h } => reg_bin!(sem::f64_sub, dst, lhs, rhs, h),
                Op::F64MulReg { dst, lhs, rhs, h } => reg_bin!(sem::f64_mul, dst, lhs, rhs, h),
                Op::F64DivReg { dst, lhs, rhs, h } => reg_bin!(sem::f64_div, dst, lhs, rhs, h),
                Op::I32AddImmReg { dst, lhs, h, value } => reg_imm!(sem::i32_add, dst, lhs, value as u64, h),
                Op::I32MulImmReg { dst, lhs, h, value } => reg_imm!(sem::i32_mul, dst, lhs, value as u64, h),
                Op::I32AndImmReg { dst, lhs, h, value } => reg_imm!(sem::i32_and, dst, lhs, value as u64, h),
                Op::I32OrImmReg { dst, lhs, h, value } => reg_imm!(sem::i32_or, dst, lhs, value as u64, h),
                Op::I32XorImmReg { dst, lhs, h, value } => reg_imm!(sem::i32_xor, dst, lhs, value as u64, h),
                Op::I32ShlImmReg { dst, lhs, h, value } => reg_imm!(sem::i32_shl, dst, lhs, value as u64, h),
                Op::I32ShlAddImmReg { dst, lhs, h, value, shift } => {
                    let f = |a, c| sem::i32_shl_add(a, shift, c);
                    reg_imm!(f, dst, lhs, value as u64, h)
                }
                Op::I32ShrSImmReg { dst, lhs, h, value } => {
                    reg_imm!(sem::i32_shr_s, dst, lhs, value as u64, h)
                }
                Op::I32ShrUImmReg { dst, lhs, h, value } => {
                    reg_imm!(sem::i32_shr_u, dst, lhs, value as u64, h)
                }
                Op::I32RotlImmReg { dst, lhs, h, value } => {
                    reg_imm!(sem::i32_rotl, dst, lhs, value as u64, h)
                }
                Op::I32RotrImmReg { dst, lhs, h, value } => {
                    reg_imm!(sem::i32_rotr, dst, lhs, value as u64, h)
                }
                Op::I32EqImmReg { dst, lhs, h, value } => reg_imm!(sem::i32_eq, dst, lhs, value as u64, h),
                Op::I32NeImmReg { dst, lhs, h, value } => reg_imm!(sem::i32_ne, dst, lhs, value as u64, h),
                Op::I32LtSImmReg { dst, lhs, h, value } => reg_imm!(sem::i32_lt_s, dst, lhs, value as u64, h),
                Op::I32LtUImmReg { dst, lhs, h, value } => reg_imm!(sem::i32_lt_u, dst, lhs, value as u64, h),
                Op::I32GtSImmReg { dst, lhs, h, value } => reg_imm!(sem::i32_gt_s, dst, lhs, value as u64, h),
                Op::I32GtUImmReg { dst, lhs, h, value } => reg_imm!(sem::i32_gt_u, dst, lhs, value as u64, h),
                Op::I32LeSImmReg { dst, lhs, h, value } => reg_imm!(sem::i32_le_s, dst, lhs, value as u64, h),
                Op::I32LeUImmReg { dst, lhs, h, value } => reg_imm!(sem::i32_le_u, dst, lhs, value as u64, h),
                Op::I32GeSImmReg { dst, lhs, h, value } => reg_imm!(sem::i32_ge_s, dst, lhs, value as u64, h),
                Op::I32GeUImmReg { dst, lhs, h, value } => reg_imm!(sem::i32_ge_u, dst, lhs, value as u64, h),
                Op::I64AddImmReg { dst, lhs, h, value } => reg_imm!(sem::i64_add, dst, lhs, value as u64, h),
                Op::I64MulImmReg { dst, lhs, h, value } => reg_imm!(sem::i64_mul, dst, lhs, value as u64, h),
                Op::I64AndImmReg { dst, lhs, h, value } => reg_imm!(sem::i64_and, dst, lhs, value as u64, h),
                Op::I64OrImmReg { dst, lhs, h, value } => reg_imm!(sem::i64_or, dst, lhs, value as u64, h),
                Op::I64XorImmReg { dst, lhs, h, value } => reg_imm!(sem::i64_xor, dst, lhs, value as u64, h),
                Op::I64ShlImmReg { dst, lhs, h, value } => reg_imm!(sem::i64_shl, dst, lhs, value as u64, h),
                Op::I64ShrSImmReg { dst, lhs, h, value } => {
                    reg_imm!(sem::i64_shr_s, dst, lhs, value as u64, h)
                }
                Op::I64ShrUImmReg { dst, lhs, h, value } => {
                    reg_imm!(sem::i64_shr_u, dst, lhs, value as u64, h)
                }
                Op::I32EqzReg { dst, src, h } => reg_un!(sem::i32_eqz, dst, src, h),
                Op::I64EqzReg { dst, src, h } => reg_un!(sem::i64_eqz, dst, src, h),
                Op::I32WrapI64Reg { dst, src, h } => reg_un!(sem::i32_wrap_i64, dst, src, h),
                Op::I64ExtendI32SReg { dst, src, h } => reg_un!(sem::i64_extend_i32_s, dst, src, h),
                Op::I64ExtendI32UReg { dst, src, h } => reg_un!(sem::i64_extend_i32_u, dst, src, h),
                Op::I32DivSImmReg { dst, lhs, h, value } => {
                    reg_imm_trap!(i32_, from_i32, int::i32_div_s, dst, lhs, value, h)
                }
                Op::I32DivUImmReg { dst, lhs, h, value } => {
                    reg_imm_trap!(u32_, from_u32, int::i32_div_u, dst, lhs, value as u32, h)
                }
                Op::I32RemSImmReg { dst, lhs, h, value } => {
                    reg_imm_trap!(i32_, from_i32, int::i32_rem_s, dst, lhs, value, h)
                }
                Op::I32RemUImmReg { dst, lhs, h, value } => {
                    reg_imm_trap!(u32_, from_u32, int::i32_rem_u, dst, lhs, value as u32, h)
                }
                Op::I32LoadAddReg { dst, addr, mem, value, offset } => {
                    load_add!(mem, addr, value, offset, 4, sem::i32_load, dst)
                }
                Op::F64LoadAddReg { dst, addr, mem, value, offset } => {
                    load_add!(mem, addr, value, offset, 8, sem::f64_load, dst)
                }
                Op::I32LoadIdx { dst, index, h, value, mem, shift } => {
                    idx_load!(mem, index, shift, value, 4, sem::i32_load, dst, h)
                }
                Op::I64LoadIdx { dst, index, h, value, mem, shift } => {
                    idx_load!(mem, index, shift, value, 8, sem::i64_load, dst, h)
                }
                Op::I32Load8SIdx { dst, index, h, value, mem, shift } => {
                    idx_load!(mem, index, shift, value, 1, sem::i32_load8_s, dst, h)
                }
                Op::I32Load8UIdx { dst, index, h, value, mem, shift } => {
                    idx_load!(mem, index, shift, value, 1, sem::i32_load8_u, dst, h)
                }
                Op::I32Load16SIdx { dst, index, h, value, mem, shift } => {
                    idx_load!(mem, index, shift, value, 2, sem::i32_load16_s, dst, h)
                }
                Op::I32Load16UIdx { dst, index, h, value, mem, shift } => {
                    idx_load!(mem, index, shift, value, 2, sem::i32_load16_u, dst, h)
                }
                Op::I64Load32SIdx { dst, index, h, value, mem, shift } => {
                    idx_load!(mem, index, shift, value, 4, sem::i64_load32_s, dst, h)
                }
                Op::I64Load32UIdx { dst, index, h, value, mem, shift } => {
                    idx_load!(mem, index, shift, value, 4, sem::i64_load32_u, dst, h)
                }
                Op::I32LoadReg { dst, addr, h, mem, offset } => {
                    reg_load!(mem, offset, 4, sem::i32_load, dst, addr, h)
                }
                Op::I64LoadReg { dst, addr, h, mem, offset } => {
                    reg_load!(mem, offset, 8, sem::i64_load, dst, addr, h)
                }
                Op::F32LoadReg { dst, addr, h, mem, offset } => {
                    reg_load!(mem, offset, 4, sem::f32_load, dst, addr, h)
                }
                Op::F64LoadReg { dst, addr, h, mem, offset } => {
                    reg_load!(mem, offset, 8, sem::f64_load, dst, addr, h)
                }
                Op::I32Load8SReg { dst, addr, h, mem, offset } => {
                    reg_load!(mem, offset, 1, sem::i32_load8_s, dst, addr, h)
                }
                Op::I32Load8UReg { dst, addr, h, mem, offset } => {
                    reg_load!(mem, offset, 1, sem::i32_load8_u, dst, addr, h)
                }
                Op::I32Load16SReg { dst, addr, h, mem, offset } => {
                    reg_load!(mem, offset, 2, sem::i32_load16_s, dst, addr, h)
                }
                Op::I32Load16UReg { dst, addr, h, mem, offset } => {
                    reg_load!(mem, offset, 2, sem::i32_load16_u, dst, addr, h)
                }
                Op::I64Load8SReg { dst, addr, h, mem, offset } => {
                    reg_load!(mem, offset, 1, sem::i64_load8_s, dst, addr, h)
                }
                Op::I64Load8UReg { dst, addr, h, mem, offset } => {
                    reg_load!(mem, offset, 1, sem::i64_load8_u, dst, addr, h)
                }
                Op::I64Load16SReg { dst, addr, h, mem, offset } => {
                    reg_load!(mem, offset, 2, sem::i64_load16_s, dst, addr, h)
                }
                Op::I64Load16UReg { dst, addr, h, mem, offset } => {
                    reg_load!(mem, offset, 2, sem::i64_load16_u, dst, addr, h)
                }
                Op::I64Load32SReg { dst, addr, h, mem, offset } => {
                    reg_load!(mem, offset, 4, sem::i64_load32_s, dst, addr, h)
                }
                Op::I64Load32UReg { dst, addr, h, mem, offset } => {
                    reg_load!(mem, offset, 4, sem::i64_load32_u, dst, addr, h)
                }
                Op::I32StoreReg { addr, val, h, mem, offset } => {
                    reg_store!(mem, offset, 4, sem::i32_store, addr, val, h)
                }
                Op::F32StoreReg { addr, val, h, mem, offset } => {
                    reg_store!(mem, offset, 4, sem::i32_store, addr, val, h)
                }
                Op::I64StoreReg { addr, val, h, mem, offset } => {
                    reg_store!(mem, offset, 8, sem::i64_store, addr, val, h)
                }
                Op::F64StoreReg { addr, val, h, mem, offset } => {
                    reg_store!(mem, offset, 8, sem::i64_store, addr, val, h)
                }
                Op::I32Store8Reg { addr, val, h, mem, offset } => {
                    reg_store!(mem, offset, 1, sem::i32_store8, addr, val, h)
                }
                Op::I64Store8Reg { addr, val, h, mem, offset } => {
                    reg_store!(mem, offset, 1, sem::i32_store8, addr, val, h)
                }
                Op::I32Store16Reg { addr, val, h, mem, offset } => {
                    reg_store!(mem, offset, 2, sem::i32_store16, addr, val, h)
                }
                Op::I64Store16Reg { addr, val, h, mem, offset } => {
                    reg_store!(mem, offset, 2, sem::i32_store16, addr, val, h)
                }
                Op::I64Store32Reg { addr, val, h, mem, offset } => {
                    reg_store!(mem, offset, 4, sem::i64_store32, addr, val, h)
                }
                Op::I32LoadAt { dst, h, mem, addr, offset } => {
                    at_load!(mem, addr, offset, 4, sem::i32_load, dst, h)
                }
                Op::I64LoadAt { dst, h, mem, addr, offset } => {
                    at_load!(mem, addr, offset, 8, sem::i64_load, dst, h)
                }
                Op::F32LoadAt { dst, h, mem, addr, offset } => {
                    at_load!(mem, addr, offset, 4, sem::f32_load, dst, h)
                }
                Op::F64LoadAt { dst, h, mem, addr, offset } => {
                    at_load!(mem, addr, offset, 8, sem::f64_load, dst, h)
                }
                Op::I32Load8SAt { dst, h, mem, addr, offset } => {
                    at_load!(mem, addr, offset, 1, sem::i32_load8_s, dst, h)
                }
                Op::I32Load8UAt { dst, h, mem, addr, offset } => {
                    at_load!(mem, addr, offset, 1, sem::i32_load8_u, dst, h)
                }
                Op::I32Load16SAt { dst, h, mem, addr, offset } => {
                    at_load!(mem, addr, offset, 2, sem::i32_load16_s, dst, h)
                }
                Op::I32Load16UAt { dst, h, mem, addr, offset } => {
                    at_load!(mem, addr, offset, 2, sem::i32_load16_u, dst, h)
                }
                Op::I64Load8SAt { dst, h, mem, addr, offset } => {
                    at_load!(mem, addr, offset, 1, sem::i64_load8_s, dst, h)
                }
                Op::I64Load8UAt { dst, h, mem, addr, offset } => {
                    at_load!(mem, addr, offset, 1, sem::i64_load8_u, dst, h)
                }
                Op::I64Load16SAt { dst, h, mem, addr, offset } => {
                    at_load!(mem, addr, offset, 2, sem::i64_load16_s, dst, h)
                }
                Op::I64Load16UAt { dst, h, mem, addr, offset } => {
                    at_load!(mem, addr, offset, 2, sem::i64_load16_u, dst, h)
                }
                Op::I64Load32SAt { dst, h, mem, addr, offset } => {
                    at_load!(mem, addr, offset, 4, sem::i64_load32_s, dst, h)
                }
                Op::I64Load32UAt { dst, h, mem, addr, offset } => {
                    at_load!(mem, addr, offset, 4, sem::i64_load32_u, dst, h)
                }
                Op::I32StoreAt { val, h, mem, addr, offset } => {
                    at_store!(mem, addr, offset, 4, sem::i32_store, val, h)
                }
                Op::F32StoreAt { val, h, mem, addr, offset } => {
                    at_store!(mem, addr, offset, 4, sem::i32_store, val, h)
                }
                Op::I64StoreAt { val, h, mem, addr, offset } => {
                    at_store!(mem, addr, offset, 8, sem::i64_store, val, h)
                }
                Op::F64StoreAt { val, h, mem, addr, offset } => {
                    at_store!(mem, addr, offset, 8, sem::i64_store, val, h)
                }
                Op::I32Store8At { val, h, mem, addr, offset } => {
                    at_store!(mem, addr, offset, 1, sem::i32_store8, val, h)
                }
                Op::I64Store8At { val, h, mem, addr, offset } => {
                    at_store!(mem, addr, offset, 1, sem::i32_store8, val, h)
                }
                Op::I32Store16At { val, h, mem, addr, offset } => {
                    at_store!(mem, addr, offset, 2, sem::i32_store16, val, h)
                }
                Op::I64Store16At { val, h, mem, addr, offset } => {
                    at_store!(mem, addr, offset, 2, sem::i32_store16, val, h)
                }
                Op::I64Store32At { val, h, mem, addr, offset } => {
                    at_store!(mem, addr, offset, 4, sem::i64_store32, val, h)
                }
                Op::I32ClzReg { dst, src, h } => reg_un!(sem::i32_clz, dst, src, h),
                Op::I32CtzReg { dst, src, h } => reg_un!(sem::i32_ctz, dst, src, h),
                Op::I32PopcntReg { dst, src, h } => reg_un!(sem::i32_popcnt, dst, src, h),
                Op::I64ClzReg { dst, src, h } => reg_un!(sem::i64_clz, dst, src, h),
                Op::I64CtzReg { dst, src, h } => reg_un!(sem::i64_ctz, dst, src, h),
                Op::I64PopcntReg { dst, src, h } => reg_un!(sem::i64_popcnt, dst, src, h),
                Op::F32AbsReg { dst, src, h } => reg_un!(sem::f32_abs, dst, src, h),
                Op::F32NegReg { dst, src, h } => reg_un!(sem::f32_neg, dst, src, h),
                Op::F32CeilReg { dst, src, h } => reg_un!(sem::f32_ceil, dst, src, h),
                Op::F32FloorReg { dst, src, h } => reg_un!(sem::f32_floor, dst, src, h),
                Op::F32TruncReg { dst, src, h } => reg_un!(sem::f32_trunc, dst, src, h),
                Op::F32NearestReg { dst, src, h } => reg_un!(sem::f32_nearest, dst, src, h),
                Op::F32SqrtReg { dst, src, h } => reg_un!(sem::f32_sqrt, dst, src, h),
                Op::F64AbsReg { dst, src, h } => reg_un!(sem::f64_abs, dst, src, h),
                Op::F64NegReg { dst, src, h } => reg_un!(sem::f64_neg, dst, src, h),
                Op::F64CeilReg { dst, src, h } => reg_un!(sem::f64_ceil, dst, src, h),
                Op::F64FloorReg { dst, src, h } => reg_un!(sem::f64_floor, dst, src, h),
                Op::F64TruncReg { dst, src, h } => reg_un!(sem::f64_trunc, dst, src, h),
                Op::F64NearestReg { dst, src, h } => reg_un!(sem::f64_nearest, dst, src, h),
                Op::F64SqrtReg { dst, src, h } => reg_un!(sem::f64_sqrt, dst, src, h),
                Op::F32ConvertI32SReg { dst, src, h } => reg_un!(sem::f32_convert_i32_s, dst, src, h),
                Op::F32ConvertI32UReg { dst, src, h } => reg_un!(sem::f32_convert_i32_u, dst, src, h),
                Op::F32ConvertI64SReg { dst, src, h } => reg_un!(sem::f32_convert_i64_s, dst, src, h),
                Op::F32ConvertI64UReg { dst, src, h } => reg_un!(sem::f32_convert_i64_u, dst, src, h),
                Op::F32DemoteF64Reg { dst, src, h } => reg_un!(sem::f32_demote_f64, dst, src, h),
                Op::F64ConvertI32SReg { dst, src, h } => reg_un!(sem::f64_convert_i32_s, dst, src, h),
                Op::F64ConvertI32UReg { dst, src, h } => reg_un!(sem::f64_convert_i32_u, dst, src, h),
                Op::F64ConvertI64SReg { dst, src, h } => reg_un!(sem::f64_convert_i64_s, dst, src, h),
                Op::F64ConvertI64UReg { dst, src, h } => reg_un!(sem::f64_convert_i64_u, dst, src, h),
                Op::F64PromoteF32Reg { dst, src, h } => reg_un!(sem::f64_promote_f32, dst, src, h),
                Op::I32Extend8SReg { dst, src, h } => reg_un!(sem::i32_extend8_s, dst, src, h),
                Op::I32Extend16SReg { dst, src, h } => reg_un!(sem::i32_extend16_s, dst, src, h),
                Op::I64Extend8SReg { dst, src, h } => reg_un!(sem::i64_extend8_s, dst, src, h),
                Op::I64Extend16SReg { dst, src, h } => reg_un!(sem::i64_extend16_s, dst, src, h),
                Op::I64Extend32SReg { dst, src, h } => reg_un!(sem::i64_extend32_s, dst, src, h),
                Op::I32TruncSatF32SReg { dst, src, h } => reg_un!(sem::i32_trunc_sat_f32_s, dst, src, h),
                Op::I32TruncSatF32UReg { dst, src, h } => reg_un!(sem::i32_trunc_sat_f32_u, dst, src, h),
                Op::I32TruncSatF64SReg { dst, src, h } => reg_un!(sem::i32_trunc_sat_f64_s, dst, src, h),
                Op::I32TruncSatF64UReg { dst, src, h } => reg_un!(sem::i32_trunc_sat_f64_u, dst, src, h),
                Op::I64TruncSatF32SReg { dst, src, h } => reg_un!(sem::i64_trunc_sat_f32_s, dst, src, h),
                Op::I64TruncSatF32UReg { dst, src, h } => reg_un!(sem::i64_trunc_sat_f32_u, dst, src, h),
                Op::I64TruncSatF64SReg { dst, src, h } => reg_un!(sem::i64_trunc_sat_f64_s, dst, src, h),
                Op::I64TruncSatF64UReg { dst, src, h } => reg_un!(sem::i64_trunc_sat_f64_u, dst, src, h),
                Op::BrIfI32Eq { lhs, rhs, h, target } => {
                    br_cmp!(sem::i32_eq, lhs, stack[fp + rhs as usize], h, target)
                }
                Op::BrIfI32Ne { lhs, rhs, h, target } => {
                    br_cmp!(sem::i32_ne, lhs, stack[fp + rhs as usize], h, target)
                }
                Op::BrIfI32LtS { lhs, rhs, h, target } => {
                    br_cmp!(sem::i32_lt_s, lhs, stack[fp + rhs as usize], h, target)
                }
                Op::BrIfI32LtU { lhs, rhs, h, target } => {
                    br_cmp!(sem::i32_lt_u, lhs, stack[fp + rhs as usize], h, target)
                }
                Op::BrIfI32GtS { lhs, rhs, h, target } => {
                    br_cmp!(sem::i32_gt_s, lhs, stack[fp + rhs as usize], h, target)
                }
                Op::BrIfI32GtU { lhs, rhs, h, target } => {
                    br_cmp!(sem::i32_gt_u, lhs, stack[fp + rhs as usize], h, target)
                }
                Op::BrIfI32LeS { lhs, rhs, h, target } => {
                    br_cmp!(sem::i32_le_s, lhs, stack[fp + rhs as usize], h, target)
                }
                Op::BrIfI32LeU { lhs, rhs, h, target } => {
                    br_cmp!(sem::i32_le_u, lhs, stack[fp + rhs as usize], h, target)
                }
                Op::BrIfI32GeS { lhs, rhs, h, target } => {
                    br_cmp!(sem::i32_ge_s, lhs, stack[fp + rhs as usize], h, target)
                }
                Op::BrIfI32GeU { lhs, rhs, h, target } => {
                    br_cmp!(sem::i32_ge_u, lhs, stack[fp + rhs as usize], h, target)
                }
                Op::BrIfI32EqImm { lhs, h, value, target } => {
                    br_cmp!(sem::i32_eq, lhs, value as u64, h, target)
                }
                Op::BrIfI32NeImm { lhs, h, value, target } => {
                    br_cmp!(sem::i32_ne, lhs, value as u64, h, target)
                }
                Op::BrIfI32LtSImm { lhs, h, value, target } => {
                    br_cmp!(sem::i32_lt_s, lhs, value as u64, h, target)
                }
                Op::BrIfI32LtUImm { lhs, h, value, target } => {
                    br_cmp!(sem::i32_lt_u, lhs, value as u64, h, target)
                }
                Op::BrIfI32GtSImm { lhs, h, value, target } => {
                    br_cmp!(sem::i32_gt_s, lhs, value as u64, h, target)
                }
                Op::BrIfI32GtUImm { lhs, h, value, target } => {
                    br_cmp!(sem::i32_gt_u, lhs, value as u64, h, target)
                }
                Op::BrIfI32LeSImm { lhs, h, value, target } => {
                    br_cmp!(sem::i32_le_s, lhs, value as u64, h, target)
                }
                Op::BrIfI32LeUImm { lhs, h, value, target } => {
                    br_cmp!(sem::i32_le_u, lhs, value as u64, h, target)
                }
                Op::BrIfI32GeSImm { lhs, h, value, target } => {
                    br_cmp!(sem::i32_ge_s, lhs, value as u64, h, target)
                }
                Op::BrIfI32GeUImm { lhs, h, value, target } => {
                    br_cmp!(sem::i32_ge_u, lhs, value as u64, h, target)
                }
                Op::BrIfI32AndImmNez { lhs, h, value, target } => {
                    br_cmp!(sem::i32_and, lhs, value as u64, h, target)
                }
                Op::BrIfI32AndImmEqz { lhs, h, value, target } => {
                    br_if!(sem::i32_and(stack[fp + lhs as usize], value as u64) == 0, h, target)
                }
            }
        }
        None
    };
    *hot = Hot { pc, sp, fp };
    end
}
