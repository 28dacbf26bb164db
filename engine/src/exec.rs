//! The interpreter loop: executes [`Op`]s, one step each.
//!
//! The loop only moves operands between the stack, memory and the numeric
//! functions in [`crate::op`], which define what instructions compute.
//! Hot state (pc, sp, fp, remaining steps) lives in locals and is written
//! back when the loop stops. The loop runs over any state (`access`): the
//! machine runs it over its own (`Machine::run`), the prover and the
//! verifier over theirs (`proof`).

use crate::TrapKind::*;
use crate::access::{Stack, World};
use crate::frame::{Frame, HALT, Regs};
use crate::host;
use crate::host_state::HostStep;
use crate::isa::Op;
use crate::limits::{LOCALS_CHUNK, MAX_CALL_DEPTH, MEMORY_CHUNK, PAGE_SIZE, TABLE_CHUNK};
use crate::op::convert as cv;
use crate::op::float::{canon32, canon64, f32_max, f32_min, f64_max, f64_min};
use crate::op::int;
use crate::status::Status;
use crate::store::FuncKind;

mod simd;

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

/// Executes steps until the status is final or `regs.steps` reaches
/// `until`: the one definition of every instruction.
#[inline(always)]
pub(crate) fn step_loop<S: Stack, W: World>(regs: &mut Regs, stack: &mut S, w: &mut W, until: u64) {
    if regs.status != Status::Running || regs.steps >= until {
        return;
    }
    let mut pc = regs.pc as usize;
    let mut sp = regs.sp as usize;
    let mut fp = regs.fp as usize;
    let mut left = until - regs.steps;

    // The loop body is instantiated twice so there are two dispatch sites,
    // which the branch predictor tells apart (a poor man's threaded code).
    macro_rules! step {
        () => {{
        if left == 0 {
            break None;
        }
        left -= 1;
        let op = w.op(pc);
        pc += 1;

        macro_rules! trap {
            ($k:expr) => {{
                pc -= 1;
                break Some(Status::Trapped($k));
            }};
        }
        // Micro-stepped instructions stay on the same instruction.
        macro_rules! again {
            () => {{
                pc -= 1;
                continue;
            }};
        }
        macro_rules! push {
            ($v:expr) => {{
                stack[sp] = $v;
                sp += 1;
            }};
        }
        macro_rules! un {
            ($in:ident, $out:ident, |$a:ident| $e:expr) => {{
                let $a = $in(stack[sp - 1]);
                stack[sp - 1] = $out($e);
            }};
        }
        macro_rules! bin {
            ($in:ident, $out:ident, |$a:ident, $b:ident| $e:expr) => {{
                let $b = $in(stack[sp - 1]);
                let $a = $in(stack[sp - 2]);
                sp -= 1;
                stack[sp - 1] = $out($e);
            }};
        }
        // A binary operator whose right operand is an immediate.
        macro_rules! imm {
            ($in:ident, $out:ident, $c:expr, |$a:ident, $b:ident| $e:expr) => {{
                let $b = $c;
                let $a = $in(stack[sp - 1]);
                stack[sp - 1] = $out($e);
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
            ($mem:expr, $offset:expr, $n:literal, |$b:ident| $e:expr) => {{
                let ea = stack[sp - 1] as u32 as usize + $offset as usize;
                match w.load::<$n>($mem, ea) {
                    Some($b) => stack[sp - 1] = $e,
                    None => trap!(MemoryOutOfBounds),
                }
            }};
        }
        macro_rules! store {
            ($mem:expr, $offset:expr, $n:literal, |$v:ident| $e:expr) => {{
                let $v = stack[sp - 1];
                let ea = stack[sp - 2] as u32 as usize + $offset as usize;
                if w.store($mem, ea, &$e[..$n]) {
                    sp -= 2;
                } else {
                    trap!(MemoryOutOfBounds);
                }
            }};
        }
        // Register forms: operands and result in frame slots, then `sp = fp + h`.
        macro_rules! reg_bin {
            ($in:ident, $out:ident, $dst:expr, $l:expr, $r:expr, $h:expr, |$a:ident, $b:ident| $e:expr) => {{
                let $a = $in(stack[fp + $l as usize]);
                let $b = $in(stack[fp + $r as usize]);
                stack[fp + $dst as usize] = $out($e);
                sp = fp + $h as usize;
            }};
        }
        macro_rules! reg_imm {
            ($in:ident, $out:ident, $dst:expr, $l:expr, $c:expr, $h:expr, |$a:ident, $b:ident| $e:expr) => {{
                let $b = $c;
                let $a = $in(stack[fp + $l as usize]);
                stack[fp + $dst as usize] = $out($e);
                sp = fp + $h as usize;
            }};
        }
        macro_rules! reg_un {
            ($in:ident, $out:ident, $dst:expr, $src:expr, $h:expr, |$a:ident| $e:expr) => {{
                let $a = $in(stack[fp + $src as usize]);
                stack[fp + $dst as usize] = $out($e);
                sp = fp + $h as usize;
            }};
        }
        macro_rules! reg_load {
            ($mem:expr, $offset:expr, $n:literal, $dst:expr, $addr:expr, $h:expr, |$b:ident| $e:expr) => {{
                let ea = stack[fp + $addr as usize] as u32 as usize + $offset as usize;
                match w.load::<$n>($mem, ea) {
                    Some($b) => {
                        stack[fp + $dst as usize] = $e;
                        sp = fp + $h as usize;
                    }
                    None => trap!(MemoryOutOfBounds),
                }
            }};
        }
        macro_rules! reg_store {
            ($mem:expr, $offset:expr, $n:literal, $addr:expr, $val:expr, $h:expr, |$v:ident| $e:expr) => {{
                let $v = stack[fp + $val as usize];
                let ea = stack[fp + $addr as usize] as u32 as usize + $offset as usize;
                if w.store($mem, ea, &$e[..$n]) {
                    sp = fp + $h as usize;
                } else {
                    trap!(MemoryOutOfBounds);
                }
            }};
        }
        // A comparison of slot `l` with `r` (a value), then a conditional jump.
        macro_rules! br_cmp {
            ($in:ident, $l:expr, $r:expr, $h:expr, $target:expr, |$a:ident, $b:ident| $e:expr) => {{
                let $b = $r;
                let $a = $in(stack[fp + $l as usize]);
                sp = fp + $h as usize;
                if $e {
                    pc = $target as usize;
                }
            }};
        }
        macro_rules! ret {
            ($n:expr) => {{
                let n = $n as usize;
                stack.copy_within(sp - n..sp, fp);
                sp = fp + n;
                stack.leave_frame();
                let f = w.pop_frame();
                if f.ret_pc == HALT {
                    break Some(Status::Finished);
                }
                pc = f.ret_pc as usize;
                fp = f.fp as usize;
            }};
        }
        macro_rules! br_adjust {
            ($target:expr, $drop:expr, $keep:expr) => {{
                let (drop, keep) = ($drop as usize, $keep as usize);
                stack.copy_within(sp - keep..sp, sp - keep - drop);
                sp -= drop;
                pc = $target as usize;
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
                        if new_fp + frame_size as usize > stack.len() {
                            sp += $pop;
                            trap!(ValueStackExhausted);
                        }
                        stack.enter_frame(new_fp + frame_size as usize);
                        w.push_frame(Frame { ret_pc: pc as u32, fp: fp as u32 });
                        w.frame_top(new_fp + frame_size as usize);
                        // The callee's prologue zeroes the rest (`ZeroLocals`).
                        stack.zero(sp, (nlocals as usize).min(LOCALS_CHUNK as usize));
                        sp += nlocals as usize;
                        fp = new_fp;
                        pc = entry as usize;
                    }
                    FuncKind::Host { func: h, nparams } => {
                        let args = sp - $pop - nparams as usize;
                        match host::step(stack, w, h, args, nparams as usize, until - left - 1) {
                            HostStep::Done(result) => sp = args + result.is_some() as usize,
                            HostStep::End(s) => {
                                sp -= $pop;
                                break Some(s);
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

        match op {
            Op::Unreachable => trap!(Unreachable),
            Op::Br { target } => pc = target as usize,
            Op::BrIfEqz { target } => {
                sp -= 1;
                if stack[sp] as u32 == 0 {
                    pc = target as usize;
                }
            }
            Op::BrIfNez { target } => {
                sp -= 1;
                if stack[sp] as u32 != 0 {
                    pc = target as usize;
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
                let i = (stack[sp] as u32).min(len) as usize;
                // Translation emits `len + 1` entries after a `BrTable`.
                match w.op(pc + i) {
                    Op::BrAdjust { target, drop, keep } => br_adjust!(target, drop, keep),
                    Op::Return { results } => ret!(results),
                    // Translation never emits anything else here; only a
                    // proof of a state no machine reaches can get here.
                    _ => trap!(Unreachable),
                }
            }
            Op::Return { results } => ret!(results),
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
                    pc = target as usize;
                }
            }
            Op::BrIfEqzReg { cond, target } => {
                if stack[fp + cond as usize] as u32 == 0 {
                    pc = target as usize;
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
                let fits = started != 0 || len.checked_add(n).is_some_and(|new| new <= w.table_limit(table));
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

            Op::I32Load { mem, offset } => load!(mem, offset, 4, |b| u32::from_le_bytes(b) as u64),
            Op::I64Load { mem, offset } => load!(mem, offset, 8, |b| u64::from_le_bytes(b)),
            Op::F32Load { mem, offset } => load!(mem, offset, 4, |b| u32::from_le_bytes(b) as u64),
            Op::F64Load { mem, offset } => load!(mem, offset, 8, |b| u64::from_le_bytes(b)),
            Op::I32Load8S { mem, offset } => load!(mem, offset, 1, |b| from_i32(b[0] as i8 as i32)),
            Op::I32Load8U { mem, offset } => load!(mem, offset, 1, |b| b[0] as u64),
            Op::I32Load16S { mem, offset } => {
                load!(mem, offset, 2, |b| from_i32(i16::from_le_bytes(b) as i32))
            }
            Op::I32Load16U { mem, offset } => {
                load!(mem, offset, 2, |b| u16::from_le_bytes(b) as u64)
            }
            Op::I64Load8S { mem, offset } => load!(mem, offset, 1, |b| b[0] as i8 as i64 as u64),
            Op::I64Load8U { mem, offset } => load!(mem, offset, 1, |b| b[0] as u64),
            Op::I64Load16S { mem, offset } => {
                load!(mem, offset, 2, |b| i16::from_le_bytes(b) as i64 as u64)
            }
            Op::I64Load16U { mem, offset } => {
                load!(mem, offset, 2, |b| u16::from_le_bytes(b) as u64)
            }
            Op::I64Load32S { mem, offset } => {
                load!(mem, offset, 4, |b| i32::from_le_bytes(b) as i64 as u64)
            }
            Op::I64Load32U { mem, offset } => {
                load!(mem, offset, 4, |b| u32::from_le_bytes(b) as u64)
            }
            Op::I32Store { mem, offset } | Op::F32Store { mem, offset } => {
                store!(mem, offset, 4, |v| (v as u32).to_le_bytes())
            }
            Op::I64Store { mem, offset } | Op::F64Store { mem, offset } => {
                store!(mem, offset, 8, |v| v.to_le_bytes())
            }
            Op::I32Store8 { mem, offset } | Op::I64Store8 { mem, offset } => {
                store!(mem, offset, 1, |v| [v as u8])
            }
            Op::I32Store16 { mem, offset } | Op::I64Store16 { mem, offset } => {
                store!(mem, offset, 2, |v| (v as u16).to_le_bytes())
            }
            Op::I64Store32 { mem, offset } => store!(mem, offset, 4, |v| (v as u32).to_le_bytes()),
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
            | Op::V128Shift { .. } => {
                match simd::step(op, stack, w, pc, sp, fp) {
                    Ok((s, words)) => {
                        sp = s;
                        pc += words;
                    }
                    Err(k) => trap!(k),
                }
            }

            Op::I32Eqz => un!(u32_, from_bool, |a| a == 0),
            Op::I32Eq => bin!(u32_, from_bool, |a, b| int::bin::i32_eq(a, b)),
            Op::I32Ne => bin!(u32_, from_bool, |a, b| int::bin::i32_ne(a, b)),
            Op::I32LtS => bin!(i32_, from_bool, |a, b| int::bin::i32_lt_s(a, b)),
            Op::I32LtU => bin!(u32_, from_bool, |a, b| int::bin::i32_lt_u(a, b)),
            Op::I32GtS => bin!(i32_, from_bool, |a, b| int::bin::i32_gt_s(a, b)),
            Op::I32GtU => bin!(u32_, from_bool, |a, b| int::bin::i32_gt_u(a, b)),
            Op::I32LeS => bin!(i32_, from_bool, |a, b| int::bin::i32_le_s(a, b)),
            Op::I32LeU => bin!(u32_, from_bool, |a, b| int::bin::i32_le_u(a, b)),
            Op::I32GeS => bin!(i32_, from_bool, |a, b| int::bin::i32_ge_s(a, b)),
            Op::I32GeU => bin!(u32_, from_bool, |a, b| int::bin::i32_ge_u(a, b)),
            Op::I64Eqz => un!(u64_, from_bool, |a| a == 0),
            Op::I64Eq => bin!(u64_, from_bool, |a, b| a == b),
            Op::I64Ne => bin!(u64_, from_bool, |a, b| a != b),
            Op::I64LtS => bin!(i64_, from_bool, |a, b| a < b),
            Op::I64LtU => bin!(u64_, from_bool, |a, b| a < b),
            Op::I64GtS => bin!(i64_, from_bool, |a, b| a > b),
            Op::I64GtU => bin!(u64_, from_bool, |a, b| a > b),
            Op::I64LeS => bin!(i64_, from_bool, |a, b| a <= b),
            Op::I64LeU => bin!(u64_, from_bool, |a, b| a <= b),
            Op::I64GeS => bin!(i64_, from_bool, |a, b| a >= b),
            Op::I64GeU => bin!(u64_, from_bool, |a, b| a >= b),
            Op::F32Eq => bin!(f32_, from_bool, |a, b| a == b),
            Op::F32Ne => bin!(f32_, from_bool, |a, b| a != b),
            Op::F32Lt => bin!(f32_, from_bool, |a, b| a < b),
            Op::F32Gt => bin!(f32_, from_bool, |a, b| a > b),
            Op::F32Le => bin!(f32_, from_bool, |a, b| a <= b),
            Op::F32Ge => bin!(f32_, from_bool, |a, b| a >= b),
            Op::F64Eq => bin!(f64_, from_bool, |a, b| a == b),
            Op::F64Ne => bin!(f64_, from_bool, |a, b| a != b),
            Op::F64Lt => bin!(f64_, from_bool, |a, b| a < b),
            Op::F64Gt => bin!(f64_, from_bool, |a, b| a > b),
            Op::F64Le => bin!(f64_, from_bool, |a, b| a <= b),
            Op::F64Ge => bin!(f64_, from_bool, |a, b| a >= b),

            Op::I32Clz => un!(u32_, from_u32, |a| a.leading_zeros()),
            Op::I32Ctz => un!(u32_, from_u32, |a| a.trailing_zeros()),
            Op::I32Popcnt => un!(u32_, from_u32, |a| a.count_ones()),
            Op::I32Add => bin!(u32_, from_u32, |a, b| int::bin::i32_add(a, b)),
            Op::I32Sub => bin!(u32_, from_u32, |a, b| a.wrapping_sub(b)),
            Op::I32Mul => bin!(u32_, from_u32, |a, b| int::bin::i32_mul(a, b)),
            Op::I32DivS => bin_trap!(i32_, from_i32, int::i32_div_s),
            Op::I32DivU => bin_trap!(u32_, from_u32, int::i32_div_u),
            Op::I32RemS => bin_trap!(i32_, from_i32, int::i32_rem_s),
            Op::I32RemU => bin_trap!(u32_, from_u32, int::i32_rem_u),
            Op::I32And => bin!(u32_, from_u32, |a, b| int::bin::i32_and(a, b)),
            Op::I32Or => bin!(u32_, from_u32, |a, b| int::bin::i32_or(a, b)),
            Op::I32Xor => bin!(u32_, from_u32, |a, b| int::bin::i32_xor(a, b)),
            Op::I32Shl => bin!(u32_, from_u32, |a, b| int::bin::i32_shl(a, b)),
            Op::I32ShrS => bin!(i32_, from_i32, |a, b| int::bin::i32_shr_s(a, b as u32)),
            Op::I32ShrU => bin!(u32_, from_u32, |a, b| int::bin::i32_shr_u(a, b)),
            Op::I32Rotl => bin!(u32_, from_u32, |a, b| int::bin::i32_rotl(a, b)),
            Op::I32Rotr => bin!(u32_, from_u32, |a, b| int::bin::i32_rotr(a, b)),
            Op::I64Clz => un!(u64_, u64_, |a| a.leading_zeros() as u64),
            Op::I64Ctz => un!(u64_, u64_, |a| a.trailing_zeros() as u64),
            Op::I64Popcnt => un!(u64_, u64_, |a| a.count_ones() as u64),
            Op::I64Add => bin!(u64_, u64_, |a, b| int::bin::i64_add(a, b)),
            Op::I64Sub => bin!(u64_, u64_, |a, b| a.wrapping_sub(b)),
            Op::I64Mul => bin!(u64_, u64_, |a, b| int::bin::i64_mul(a, b)),
            Op::I64DivS => bin_trap!(i64_, from_i64, int::i64_div_s),
            Op::I64DivU => bin_trap!(u64_, u64_, int::i64_div_u),
            Op::I64RemS => bin_trap!(i64_, from_i64, int::i64_rem_s),
            Op::I64RemU => bin_trap!(u64_, u64_, int::i64_rem_u),
            Op::I64And => bin!(u64_, u64_, |a, b| int::bin::i64_and(a, b)),
            Op::I64Or => bin!(u64_, u64_, |a, b| int::bin::i64_or(a, b)),
            Op::I64Xor => bin!(u64_, u64_, |a, b| int::bin::i64_xor(a, b)),
            Op::I64Shl => bin!(u64_, u64_, |a, b| int::bin::i64_shl(a, b)),
            Op::I64ShrS => bin!(i64_, from_i64, |a, b| int::bin::i64_shr_s(a, b as u64)),
            Op::I64ShrU => bin!(u64_, u64_, |a, b| int::bin::i64_shr_u(a, b)),
            Op::I64Rotl => bin!(u64_, u64_, |a, b| a.rotate_left((b % 64) as u32)),
            Op::I64Rotr => bin!(u64_, u64_, |a, b| a.rotate_right((b % 64) as u32)),

            Op::F32Abs => un!(u64_, u64_, |a| a & 0x7fff_ffff),
            Op::F32Neg => un!(u64_, u64_, |a| a ^ 0x8000_0000),
            Op::F32Ceil => un!(f32_, c32, |a| a.ceil()),
            Op::F32Floor => un!(f32_, c32, |a| a.floor()),
            Op::F32Trunc => un!(f32_, c32, |a| a.trunc()),
            Op::F32Nearest => un!(f32_, c32, |a| a.round_ties_even()),
            Op::F32Sqrt => un!(f32_, c32, |a| a.sqrt()),
            Op::F32Add => bin!(f32_, c32, |a, b| a + b),
            Op::F32Sub => bin!(f32_, c32, |a, b| a - b),
            Op::F32Mul => bin!(f32_, c32, |a, b| a * b),
            Op::F32Div => bin!(f32_, c32, |a, b| a / b),
            Op::F32Min => bin!(f32_, c32, |a, b| f32_min(a, b)),
            Op::F32Max => bin!(f32_, c32, |a, b| f32_max(a, b)),
            Op::F32Copysign => bin!(u64_, u64_, |a, b| (a & 0x7fff_ffff) | (b & 0x8000_0000)),
            Op::F64Abs => un!(u64_, u64_, |a| a & 0x7fff_ffff_ffff_ffff),
            Op::F64Neg => un!(u64_, u64_, |a| a ^ 0x8000_0000_0000_0000),
            Op::F64Ceil => un!(f64_, c64, |a| a.ceil()),
            Op::F64Floor => un!(f64_, c64, |a| a.floor()),
            Op::F64Trunc => un!(f64_, c64, |a| a.trunc()),
            Op::F64Nearest => un!(f64_, c64, |a| a.round_ties_even()),
            Op::F64Sqrt => un!(f64_, c64, |a| a.sqrt()),
            Op::F64Add => bin!(f64_, c64, |a, b| a + b),
            Op::F64Sub => bin!(f64_, c64, |a, b| a - b),
            Op::F64Mul => bin!(f64_, c64, |a, b| a * b),
            Op::F64Div => bin!(f64_, c64, |a, b| a / b),
            Op::F64Min => bin!(f64_, c64, |a, b| f64_min(a, b)),
            Op::F64Max => bin!(f64_, c64, |a, b| f64_max(a, b)),
            Op::F64Copysign => bin!(u64_, u64_, |a, b| (a & !(1 << 63)) | (b & (1 << 63))),

            Op::I32AddImm { value } => imm!(u32_, from_u32, value as u32, |a, b| int::bin::i32_add(a, b)),
            Op::I32MulImm { value } => imm!(u32_, from_u32, value as u32, |a, b| int::bin::i32_mul(a, b)),
            Op::I32AndImm { value } => imm!(u32_, from_u32, value as u32, |a, b| int::bin::i32_and(a, b)),
            Op::I32OrImm { value } => imm!(u32_, from_u32, value as u32, |a, b| int::bin::i32_or(a, b)),
            Op::I32XorImm { value } => imm!(u32_, from_u32, value as u32, |a, b| int::bin::i32_xor(a, b)),
            Op::I32ShlImm { value } => imm!(u32_, from_u32, value as u32, |a, b| int::bin::i32_shl(a, b)),
            Op::I32ShrSImm { value } => imm!(i32_, from_i32, value as u32, |a, b| int::bin::i32_shr_s(a, b)),
            Op::I32ShrUImm { value } => imm!(u32_, from_u32, value as u32, |a, b| int::bin::i32_shr_u(a, b)),
            Op::I32RotlImm { value } => imm!(u32_, from_u32, value as u32, |a, b| int::bin::i32_rotl(a, b)),
            Op::I32RotrImm { value } => imm!(u32_, from_u32, value as u32, |a, b| int::bin::i32_rotr(a, b)),
            Op::I32EqImm { value } => imm!(u32_, from_bool, value as u32, |a, b| int::bin::i32_eq(a, b)),
            Op::I32NeImm { value } => imm!(u32_, from_bool, value as u32, |a, b| int::bin::i32_ne(a, b)),
            Op::I32LtSImm { value } => imm!(i32_, from_bool, value, |a, b| int::bin::i32_lt_s(a, b)),
            Op::I32LtUImm { value } => imm!(u32_, from_bool, value as u32, |a, b| int::bin::i32_lt_u(a, b)),
            Op::I32GtSImm { value } => imm!(i32_, from_bool, value, |a, b| int::bin::i32_gt_s(a, b)),
            Op::I32GtUImm { value } => imm!(u32_, from_bool, value as u32, |a, b| int::bin::i32_gt_u(a, b)),
            Op::I32LeSImm { value } => imm!(i32_, from_bool, value, |a, b| int::bin::i32_le_s(a, b)),
            Op::I32LeUImm { value } => imm!(u32_, from_bool, value as u32, |a, b| int::bin::i32_le_u(a, b)),
            Op::I32GeSImm { value } => imm!(i32_, from_bool, value, |a, b| int::bin::i32_ge_s(a, b)),
            Op::I32GeUImm { value } => imm!(u32_, from_bool, value as u32, |a, b| int::bin::i32_ge_u(a, b)),
            Op::I64AddImm { value } => imm!(u64_, u64_, value as u64, |a, b| int::bin::i64_add(a, b)),
            Op::I64MulImm { value } => imm!(u64_, u64_, value as u64, |a, b| int::bin::i64_mul(a, b)),
            Op::I64AndImm { value } => imm!(u64_, u64_, value as u64, |a, b| int::bin::i64_and(a, b)),
            Op::I64OrImm { value } => imm!(u64_, u64_, value as u64, |a, b| int::bin::i64_or(a, b)),
            Op::I64XorImm { value } => imm!(u64_, u64_, value as u64, |a, b| int::bin::i64_xor(a, b)),
            Op::I64ShlImm { value } => imm!(u64_, u64_, value as u64, |a, b| int::bin::i64_shl(a, b)),
            Op::I64ShrSImm { value } => imm!(i64_, from_i64, value as u64, |a, b| int::bin::i64_shr_s(a, b)),
            Op::I64ShrUImm { value } => imm!(u64_, u64_, value as u64, |a, b| int::bin::i64_shr_u(a, b)),

            Op::I32WrapI64 => un!(u64_, from_u32, |a| a as u32),
            Op::I32TruncF32S => un_trap!(f32_, from_i32, cv::i32_trunc_f32_s),
            Op::I32TruncF32U => un_trap!(f32_, from_u32, cv::i32_trunc_f32_u),
            Op::I32TruncF64S => un_trap!(f64_, from_i32, cv::i32_trunc_f64_s),
            Op::I32TruncF64U => un_trap!(f64_, from_u32, cv::i32_trunc_f64_u),
            Op::I64ExtendI32S => un!(i32_, from_i64, |a| a as i64),
            Op::I64ExtendI32U => un!(u32_, u64_, |a| a as u64),
            Op::I64TruncF32S => un_trap!(f32_, from_i64, cv::i64_trunc_f32_s),
            Op::I64TruncF32U => un_trap!(f32_, u64_, cv::i64_trunc_f32_u),
            Op::I64TruncF64S => un_trap!(f64_, from_i64, cv::i64_trunc_f64_s),
            Op::I64TruncF64U => un_trap!(f64_, u64_, cv::i64_trunc_f64_u),
            Op::F32ConvertI32S => un!(i32_, b32, |a| a as f32),
            Op::F32ConvertI32U => un!(u32_, b32, |a| a as f32),
            Op::F32ConvertI64S => un!(i64_, b32, |a| a as f32),
            Op::F32ConvertI64U => un!(u64_, b32, |a| a as f32),
            Op::F32DemoteF64 => un!(f64_, c32, |a| a as f32),
            Op::F64ConvertI32S => un!(i32_, b64, |a| a as f64),
            Op::F64ConvertI32U => un!(u32_, b64, |a| a as f64),
            Op::F64ConvertI64S => un!(i64_, b64, |a| a as f64),
            Op::F64ConvertI64U => un!(u64_, b64, |a| a as f64),
            Op::F64PromoteF32 => un!(f32_, c64, |a| a as f64),
            // Slots hold raw bits, so reinterpretation changes nothing.
            Op::I32ReinterpretF32 | Op::I64ReinterpretF64 | Op::F32ReinterpretI32 | Op::F64ReinterpretI64 => {
            }
            Op::I32Extend8S => un!(u32_, from_i32, |a| a as i8 as i32),
            Op::I32Extend16S => un!(u32_, from_i32, |a| a as i16 as i32),
            Op::I64Extend8S => un!(u64_, from_i64, |a| a as i8 as i64),
            Op::I64Extend16S => un!(u64_, from_i64, |a| a as i16 as i64),
            Op::I64Extend32S => un!(u64_, from_i64, |a| a as i32 as i64),
            Op::I32TruncSatF32S => un!(f32_, from_i32, |a| a as i32),
            Op::I32TruncSatF32U => un!(f32_, from_u32, |a| a as u32),
            Op::I32TruncSatF64S => un!(f64_, from_i32, |a| a as i32),
            Op::I32TruncSatF64U => un!(f64_, from_u32, |a| a as u32),
            Op::I64TruncSatF32S => un!(f32_, from_i64, |a| a as i64),
            Op::I64TruncSatF32U => un!(f32_, u64_, |a| a as u64),
            Op::I64TruncSatF64S => un!(f64_, from_i64, |a| a as i64),
            Op::I64TruncSatF64U => un!(f64_, u64_, |a| a as u64),

            Op::I32EqReg { dst, lhs, rhs, h } => reg_bin!(u32_, from_bool, dst, lhs, rhs, h, |a, b| int::bin::i32_eq(a, b)),
            Op::I32NeReg { dst, lhs, rhs, h } => reg_bin!(u32_, from_bool, dst, lhs, rhs, h, |a, b| int::bin::i32_ne(a, b)),
            Op::I32LtSReg { dst, lhs, rhs, h } => reg_bin!(i32_, from_bool, dst, lhs, rhs, h, |a, b| int::bin::i32_lt_s(a, b)),
            Op::I32LtUReg { dst, lhs, rhs, h } => reg_bin!(u32_, from_bool, dst, lhs, rhs, h, |a, b| int::bin::i32_lt_u(a, b)),
            Op::I32GtSReg { dst, lhs, rhs, h } => reg_bin!(i32_, from_bool, dst, lhs, rhs, h, |a, b| int::bin::i32_gt_s(a, b)),
            Op::I32GtUReg { dst, lhs, rhs, h } => reg_bin!(u32_, from_bool, dst, lhs, rhs, h, |a, b| int::bin::i32_gt_u(a, b)),
            Op::I32LeSReg { dst, lhs, rhs, h } => reg_bin!(i32_, from_bool, dst, lhs, rhs, h, |a, b| int::bin::i32_le_s(a, b)),
            Op::I32LeUReg { dst, lhs, rhs, h } => reg_bin!(u32_, from_bool, dst, lhs, rhs, h, |a, b| int::bin::i32_le_u(a, b)),
            Op::I32GeSReg { dst, lhs, rhs, h } => reg_bin!(i32_, from_bool, dst, lhs, rhs, h, |a, b| int::bin::i32_ge_s(a, b)),
            Op::I32GeUReg { dst, lhs, rhs, h } => reg_bin!(u32_, from_bool, dst, lhs, rhs, h, |a, b| int::bin::i32_ge_u(a, b)),
            Op::I64EqReg { dst, lhs, rhs, h } => reg_bin!(u64_, from_bool, dst, lhs, rhs, h, |a, b| a == b),
            Op::I64NeReg { dst, lhs, rhs, h } => reg_bin!(u64_, from_bool, dst, lhs, rhs, h, |a, b| a != b),
            Op::I64LtSReg { dst, lhs, rhs, h } => reg_bin!(i64_, from_bool, dst, lhs, rhs, h, |a, b| a < b),
            Op::I64LtUReg { dst, lhs, rhs, h } => reg_bin!(u64_, from_bool, dst, lhs, rhs, h, |a, b| a < b),
            Op::I64GtSReg { dst, lhs, rhs, h } => reg_bin!(i64_, from_bool, dst, lhs, rhs, h, |a, b| a > b),
            Op::I64GtUReg { dst, lhs, rhs, h } => reg_bin!(u64_, from_bool, dst, lhs, rhs, h, |a, b| a > b),
            Op::I64LeSReg { dst, lhs, rhs, h } => reg_bin!(i64_, from_bool, dst, lhs, rhs, h, |a, b| a <= b),
            Op::I64LeUReg { dst, lhs, rhs, h } => reg_bin!(u64_, from_bool, dst, lhs, rhs, h, |a, b| a <= b),
            Op::I64GeSReg { dst, lhs, rhs, h } => reg_bin!(i64_, from_bool, dst, lhs, rhs, h, |a, b| a >= b),
            Op::I64GeUReg { dst, lhs, rhs, h } => reg_bin!(u64_, from_bool, dst, lhs, rhs, h, |a, b| a >= b),
            Op::F32EqReg { dst, lhs, rhs, h } => reg_bin!(f32_, from_bool, dst, lhs, rhs, h, |a, b| a == b),
            Op::F32NeReg { dst, lhs, rhs, h } => reg_bin!(f32_, from_bool, dst, lhs, rhs, h, |a, b| a != b),
            Op::F32LtReg { dst, lhs, rhs, h } => reg_bin!(f32_, from_bool, dst, lhs, rhs, h, |a, b| a < b),
            Op::F32GtReg { dst, lhs, rhs, h } => reg_bin!(f32_, from_bool, dst, lhs, rhs, h, |a, b| a > b),
            Op::F32LeReg { dst, lhs, rhs, h } => reg_bin!(f32_, from_bool, dst, lhs, rhs, h, |a, b| a <= b),
            Op::F32GeReg { dst, lhs, rhs, h } => reg_bin!(f32_, from_bool, dst, lhs, rhs, h, |a, b| a >= b),
            Op::F64EqReg { dst, lhs, rhs, h } => reg_bin!(f64_, from_bool, dst, lhs, rhs, h, |a, b| a == b),
            Op::F64NeReg { dst, lhs, rhs, h } => reg_bin!(f64_, from_bool, dst, lhs, rhs, h, |a, b| a != b),
            Op::F64LtReg { dst, lhs, rhs, h } => reg_bin!(f64_, from_bool, dst, lhs, rhs, h, |a, b| a < b),
            Op::F64GtReg { dst, lhs, rhs, h } => reg_bin!(f64_, from_bool, dst, lhs, rhs, h, |a, b| a > b),
            Op::F64LeReg { dst, lhs, rhs, h } => reg_bin!(f64_, from_bool, dst, lhs, rhs, h, |a, b| a <= b),
            Op::F64GeReg { dst, lhs, rhs, h } => reg_bin!(f64_, from_bool, dst, lhs, rhs, h, |a, b| a >= b),
            Op::I32AddReg { dst, lhs, rhs, h } => reg_bin!(u32_, from_u32, dst, lhs, rhs, h, |a, b| int::bin::i32_add(a, b)),
            Op::I32SubReg { dst, lhs, rhs, h } => reg_bin!(u32_, from_u32, dst, lhs, rhs, h, |a, b| a.wrapping_sub(b)),
            Op::I32MulReg { dst, lhs, rhs, h } => reg_bin!(u32_, from_u32, dst, lhs, rhs, h, |a, b| int::bin::i32_mul(a, b)),
            Op::I32AndReg { dst, lhs, rhs, h } => reg_bin!(u32_, from_u32, dst, lhs, rhs, h, |a, b| int::bin::i32_and(a, b)),
            Op::I32OrReg { dst, lhs, rhs, h } => reg_bin!(u32_, from_u32, dst, lhs, rhs, h, |a, b| int::bin::i32_or(a, b)),
            Op::I32XorReg { dst, lhs, rhs, h } => reg_bin!(u32_, from_u32, dst, lhs, rhs, h, |a, b| int::bin::i32_xor(a, b)),
            Op::I32ShlReg { dst, lhs, rhs, h } => reg_bin!(u32_, from_u32, dst, lhs, rhs, h, |a, b| int::bin::i32_shl(a, b)),
            Op::I32ShrSReg { dst, lhs, rhs, h } => reg_bin!(i32_, from_i32, dst, lhs, rhs, h, |a, b| int::bin::i32_shr_s(a, b as u32)),
            Op::I32ShrUReg { dst, lhs, rhs, h } => reg_bin!(u32_, from_u32, dst, lhs, rhs, h, |a, b| int::bin::i32_shr_u(a, b)),
            Op::I32RotlReg { dst, lhs, rhs, h } => reg_bin!(u32_, from_u32, dst, lhs, rhs, h, |a, b| int::bin::i32_rotl(a, b)),
            Op::I32RotrReg { dst, lhs, rhs, h } => reg_bin!(u32_, from_u32, dst, lhs, rhs, h, |a, b| int::bin::i32_rotr(a, b)),
            Op::I64AddReg { dst, lhs, rhs, h } => reg_bin!(u64_, u64_, dst, lhs, rhs, h, |a, b| int::bin::i64_add(a, b)),
            Op::I64SubReg { dst, lhs, rhs, h } => reg_bin!(u64_, u64_, dst, lhs, rhs, h, |a, b| a.wrapping_sub(b)),
            Op::I64MulReg { dst, lhs, rhs, h } => reg_bin!(u64_, u64_, dst, lhs, rhs, h, |a, b| int::bin::i64_mul(a, b)),
            Op::I64AndReg { dst, lhs, rhs, h } => reg_bin!(u64_, u64_, dst, lhs, rhs, h, |a, b| int::bin::i64_and(a, b)),
            Op::I64OrReg { dst, lhs, rhs, h } => reg_bin!(u64_, u64_, dst, lhs, rhs, h, |a, b| int::bin::i64_or(a, b)),
            Op::I64XorReg { dst, lhs, rhs, h } => reg_bin!(u64_, u64_, dst, lhs, rhs, h, |a, b| int::bin::i64_xor(a, b)),
            Op::I64ShlReg { dst, lhs, rhs, h } => reg_bin!(u64_, u64_, dst, lhs, rhs, h, |a, b| int::bin::i64_shl(a, b)),
            Op::I64ShrSReg { dst, lhs, rhs, h } => reg_bin!(i64_, from_i64, dst, lhs, rhs, h, |a, b| int::bin::i64_shr_s(a, b as u64)),
            Op::I64ShrUReg { dst, lhs, rhs, h } => reg_bin!(u64_, u64_, dst, lhs, rhs, h, |a, b| int::bin::i64_shr_u(a, b)),
            Op::I64RotlReg { dst, lhs, rhs, h } => reg_bin!(u64_, u64_, dst, lhs, rhs, h, |a, b| a.rotate_left((b % 64) as u32)),
            Op::I64RotrReg { dst, lhs, rhs, h } => reg_bin!(u64_, u64_, dst, lhs, rhs, h, |a, b| a.rotate_right((b % 64) as u32)),
            Op::F32AddReg { dst, lhs, rhs, h } => reg_bin!(f32_, c32, dst, lhs, rhs, h, |a, b| a + b),
            Op::F32SubReg { dst, lhs, rhs, h } => reg_bin!(f32_, c32, dst, lhs, rhs, h, |a, b| a - b),
            Op::F32MulReg { dst, lhs, rhs, h } => reg_bin!(f32_, c32, dst, lhs, rhs, h, |a, b| a * b),
            Op::F32DivReg { dst, lhs, rhs, h } => reg_bin!(f32_, c32, dst, lhs, rhs, h, |a, b| a / b),
            Op::F64AddReg { dst, lhs, rhs, h } => reg_bin!(f64_, c64, dst, lhs, rhs, h, |a, b| a + b),
            Op::F64SubReg { dst, lhs, rhs, h } => reg_bin!(f64_, c64, dst, lhs, rhs, h, |a, b| a - b),
            Op::F64MulReg { dst, lhs, rhs, h } => reg_bin!(f64_, c64, dst, lhs, rhs, h, |a, b| a * b),
            Op::F64DivReg { dst, lhs, rhs, h } => reg_bin!(f64_, c64, dst, lhs, rhs, h, |a, b| a / b),
            Op::I32AddImmReg { dst, lhs, h, value } => reg_imm!(u32_, from_u32, dst, lhs, value as u32, h, |a, b| int::bin::i32_add(a, b)),
            Op::I32MulImmReg { dst, lhs, h, value } => reg_imm!(u32_, from_u32, dst, lhs, value as u32, h, |a, b| int::bin::i32_mul(a, b)),
            Op::I32AndImmReg { dst, lhs, h, value } => reg_imm!(u32_, from_u32, dst, lhs, value as u32, h, |a, b| int::bin::i32_and(a, b)),
            Op::I32OrImmReg { dst, lhs, h, value } => reg_imm!(u32_, from_u32, dst, lhs, value as u32, h, |a, b| int::bin::i32_or(a, b)),
            Op::I32XorImmReg { dst, lhs, h, value } => reg_imm!(u32_, from_u32, dst, lhs, value as u32, h, |a, b| int::bin::i32_xor(a, b)),
            Op::I32ShlImmReg { dst, lhs, h, value } => reg_imm!(u32_, from_u32, dst, lhs, value as u32, h, |a, b| int::bin::i32_shl(a, b)),
            Op::I32ShrSImmReg { dst, lhs, h, value } => reg_imm!(i32_, from_i32, dst, lhs, value as u32, h, |a, b| int::bin::i32_shr_s(a, b)),
            Op::I32ShrUImmReg { dst, lhs, h, value } => reg_imm!(u32_, from_u32, dst, lhs, value as u32, h, |a, b| int::bin::i32_shr_u(a, b)),
            Op::I32RotlImmReg { dst, lhs, h, value } => reg_imm!(u32_, from_u32, dst, lhs, value as u32, h, |a, b| int::bin::i32_rotl(a, b)),
            Op::I32RotrImmReg { dst, lhs, h, value } => reg_imm!(u32_, from_u32, dst, lhs, value as u32, h, |a, b| int::bin::i32_rotr(a, b)),
            Op::I32EqImmReg { dst, lhs, h, value } => reg_imm!(u32_, from_bool, dst, lhs, value as u32, h, |a, b| int::bin::i32_eq(a, b)),
            Op::I32NeImmReg { dst, lhs, h, value } => reg_imm!(u32_, from_bool, dst, lhs, value as u32, h, |a, b| int::bin::i32_ne(a, b)),
            Op::I32LtSImmReg { dst, lhs, h, value } => reg_imm!(i32_, from_bool, dst, lhs, value, h, |a, b| int::bin::i32_lt_s(a, b)),
            Op::I32LtUImmReg { dst, lhs, h, value } => reg_imm!(u32_, from_bool, dst, lhs, value as u32, h, |a, b| int::bin::i32_lt_u(a, b)),
            Op::I32GtSImmReg { dst, lhs, h, value } => reg_imm!(i32_, from_bool, dst, lhs, value, h, |a, b| int::bin::i32_gt_s(a, b)),
            Op::I32GtUImmReg { dst, lhs, h, value } => reg_imm!(u32_, from_bool, dst, lhs, value as u32, h, |a, b| int::bin::i32_gt_u(a, b)),
            Op::I32LeSImmReg { dst, lhs, h, value } => reg_imm!(i32_, from_bool, dst, lhs, value, h, |a, b| int::bin::i32_le_s(a, b)),
            Op::I32LeUImmReg { dst, lhs, h, value } => reg_imm!(u32_, from_bool, dst, lhs, value as u32, h, |a, b| int::bin::i32_le_u(a, b)),
            Op::I32GeSImmReg { dst, lhs, h, value } => reg_imm!(i32_, from_bool, dst, lhs, value, h, |a, b| int::bin::i32_ge_s(a, b)),
            Op::I32GeUImmReg { dst, lhs, h, value } => reg_imm!(u32_, from_bool, dst, lhs, value as u32, h, |a, b| int::bin::i32_ge_u(a, b)),
            Op::I64AddImmReg { dst, lhs, h, value } => reg_imm!(u64_, u64_, dst, lhs, value as u64, h, |a, b| int::bin::i64_add(a, b)),
            Op::I64MulImmReg { dst, lhs, h, value } => reg_imm!(u64_, u64_, dst, lhs, value as u64, h, |a, b| int::bin::i64_mul(a, b)),
            Op::I64AndImmReg { dst, lhs, h, value } => reg_imm!(u64_, u64_, dst, lhs, value as u64, h, |a, b| int::bin::i64_and(a, b)),
            Op::I64OrImmReg { dst, lhs, h, value } => reg_imm!(u64_, u64_, dst, lhs, value as u64, h, |a, b| int::bin::i64_or(a, b)),
            Op::I64XorImmReg { dst, lhs, h, value } => reg_imm!(u64_, u64_, dst, lhs, value as u64, h, |a, b| int::bin::i64_xor(a, b)),
            Op::I64ShlImmReg { dst, lhs, h, value } => reg_imm!(u64_, u64_, dst, lhs, value as u64, h, |a, b| int::bin::i64_shl(a, b)),
            Op::I64ShrSImmReg { dst, lhs, h, value } => reg_imm!(i64_, from_i64, dst, lhs, value as u64, h, |a, b| int::bin::i64_shr_s(a, b)),
            Op::I64ShrUImmReg { dst, lhs, h, value } => reg_imm!(u64_, u64_, dst, lhs, value as u64, h, |a, b| int::bin::i64_shr_u(a, b)),
            Op::I32EqzReg { dst, src, h } => reg_un!(u32_, from_bool, dst, src, h, |a| a == 0),
            Op::I64EqzReg { dst, src, h } => reg_un!(u64_, from_bool, dst, src, h, |a| a == 0),
            Op::I32WrapI64Reg { dst, src, h } => reg_un!(u64_, from_u32, dst, src, h, |a| a as u32),
            Op::I64ExtendI32SReg { dst, src, h } => reg_un!(i32_, from_i64, dst, src, h, |a| a as i64),
            Op::I64ExtendI32UReg { dst, src, h } => reg_un!(u32_, u64_, dst, src, h, |a| a as u64),
            Op::I32LoadReg { dst, addr, h, mem, offset } => reg_load!(mem, offset, 4, dst, addr, h, |b| u32::from_le_bytes(b) as u64),
            Op::I64LoadReg { dst, addr, h, mem, offset } => reg_load!(mem, offset, 8, dst, addr, h, |b| u64::from_le_bytes(b)),
            Op::F32LoadReg { dst, addr, h, mem, offset } => reg_load!(mem, offset, 4, dst, addr, h, |b| u32::from_le_bytes(b) as u64),
            Op::F64LoadReg { dst, addr, h, mem, offset } => reg_load!(mem, offset, 8, dst, addr, h, |b| u64::from_le_bytes(b)),
            Op::I32Load8SReg { dst, addr, h, mem, offset } => reg_load!(mem, offset, 1, dst, addr, h, |b| from_i32(b[0] as i8 as i32)),
            Op::I32Load8UReg { dst, addr, h, mem, offset } => reg_load!(mem, offset, 1, dst, addr, h, |b| b[0] as u64),
            Op::I32Load16SReg { dst, addr, h, mem, offset } => reg_load!(mem, offset, 2, dst, addr, h, |b| from_i32(i16::from_le_bytes(b) as i32)),
            Op::I32Load16UReg { dst, addr, h, mem, offset } => reg_load!(mem, offset, 2, dst, addr, h, |b| u16::from_le_bytes(b) as u64),
            Op::I64Load8SReg { dst, addr, h, mem, offset } => reg_load!(mem, offset, 1, dst, addr, h, |b| b[0] as i8 as i64 as u64),
            Op::I64Load8UReg { dst, addr, h, mem, offset } => reg_load!(mem, offset, 1, dst, addr, h, |b| b[0] as u64),
            Op::I64Load16SReg { dst, addr, h, mem, offset } => reg_load!(mem, offset, 2, dst, addr, h, |b| i16::from_le_bytes(b) as i64 as u64),
            Op::I64Load16UReg { dst, addr, h, mem, offset } => reg_load!(mem, offset, 2, dst, addr, h, |b| u16::from_le_bytes(b) as u64),
            Op::I64Load32SReg { dst, addr, h, mem, offset } => reg_load!(mem, offset, 4, dst, addr, h, |b| i32::from_le_bytes(b) as i64 as u64),
            Op::I64Load32UReg { dst, addr, h, mem, offset } => reg_load!(mem, offset, 4, dst, addr, h, |b| u32::from_le_bytes(b) as u64),
            Op::I32StoreReg { addr, val, h, mem, offset } => reg_store!(mem, offset, 4, addr, val, h, |v| (v as u32).to_le_bytes()),
            Op::F32StoreReg { addr, val, h, mem, offset } => reg_store!(mem, offset, 4, addr, val, h, |v| (v as u32).to_le_bytes()),
            Op::I64StoreReg { addr, val, h, mem, offset } => reg_store!(mem, offset, 8, addr, val, h, |v| v.to_le_bytes()),
            Op::F64StoreReg { addr, val, h, mem, offset } => reg_store!(mem, offset, 8, addr, val, h, |v| v.to_le_bytes()),
            Op::I32Store8Reg { addr, val, h, mem, offset } => reg_store!(mem, offset, 1, addr, val, h, |v| [v as u8]),
            Op::I64Store8Reg { addr, val, h, mem, offset } => reg_store!(mem, offset, 1, addr, val, h, |v| [v as u8]),
            Op::I32Store16Reg { addr, val, h, mem, offset } => reg_store!(mem, offset, 2, addr, val, h, |v| (v as u16).to_le_bytes()),
            Op::I64Store16Reg { addr, val, h, mem, offset } => reg_store!(mem, offset, 2, addr, val, h, |v| (v as u16).to_le_bytes()),
            Op::I64Store32Reg { addr, val, h, mem, offset } => reg_store!(mem, offset, 4, addr, val, h, |v| (v as u32).to_le_bytes()),
            Op::I32ClzReg { dst, src, h } => reg_un!(u32_, from_u32, dst, src, h, |a| a.leading_zeros()),
            Op::I32CtzReg { dst, src, h } => reg_un!(u32_, from_u32, dst, src, h, |a| a.trailing_zeros()),
            Op::I32PopcntReg { dst, src, h } => reg_un!(u32_, from_u32, dst, src, h, |a| a.count_ones()),
            Op::I64ClzReg { dst, src, h } => reg_un!(u64_, u64_, dst, src, h, |a| a.leading_zeros() as u64),
            Op::I64CtzReg { dst, src, h } => reg_un!(u64_, u64_, dst, src, h, |a| a.trailing_zeros() as u64),
            Op::I64PopcntReg { dst, src, h } => reg_un!(u64_, u64_, dst, src, h, |a| a.count_ones() as u64),
            Op::F32AbsReg { dst, src, h } => reg_un!(u64_, u64_, dst, src, h, |a| a & 0x7fff_ffff),
            Op::F32NegReg { dst, src, h } => reg_un!(u64_, u64_, dst, src, h, |a| a ^ 0x8000_0000),
            Op::F32CeilReg { dst, src, h } => reg_un!(f32_, c32, dst, src, h, |a| a.ceil()),
            Op::F32FloorReg { dst, src, h } => reg_un!(f32_, c32, dst, src, h, |a| a.floor()),
            Op::F32TruncReg { dst, src, h } => reg_un!(f32_, c32, dst, src, h, |a| a.trunc()),
            Op::F32NearestReg { dst, src, h } => reg_un!(f32_, c32, dst, src, h, |a| a.round_ties_even()),
            Op::F32SqrtReg { dst, src, h } => reg_un!(f32_, c32, dst, src, h, |a| a.sqrt()),
            Op::F64AbsReg { dst, src, h } => reg_un!(u64_, u64_, dst, src, h, |a| a & 0x7fff_ffff_ffff_ffff),
            Op::F64NegReg { dst, src, h } => reg_un!(u64_, u64_, dst, src, h, |a| a ^ 0x8000_0000_0000_0000),
            Op::F64CeilReg { dst, src, h } => reg_un!(f64_, c64, dst, src, h, |a| a.ceil()),
            Op::F64FloorReg { dst, src, h } => reg_un!(f64_, c64, dst, src, h, |a| a.floor()),
            Op::F64TruncReg { dst, src, h } => reg_un!(f64_, c64, dst, src, h, |a| a.trunc()),
            Op::F64NearestReg { dst, src, h } => reg_un!(f64_, c64, dst, src, h, |a| a.round_ties_even()),
            Op::F64SqrtReg { dst, src, h } => reg_un!(f64_, c64, dst, src, h, |a| a.sqrt()),
            Op::F32ConvertI32SReg { dst, src, h } => reg_un!(i32_, b32, dst, src, h, |a| a as f32),
            Op::F32ConvertI32UReg { dst, src, h } => reg_un!(u32_, b32, dst, src, h, |a| a as f32),
            Op::F32ConvertI64SReg { dst, src, h } => reg_un!(i64_, b32, dst, src, h, |a| a as f32),
            Op::F32ConvertI64UReg { dst, src, h } => reg_un!(u64_, b32, dst, src, h, |a| a as f32),
            Op::F32DemoteF64Reg { dst, src, h } => reg_un!(f64_, c32, dst, src, h, |a| a as f32),
            Op::F64ConvertI32SReg { dst, src, h } => reg_un!(i32_, b64, dst, src, h, |a| a as f64),
            Op::F64ConvertI32UReg { dst, src, h } => reg_un!(u32_, b64, dst, src, h, |a| a as f64),
            Op::F64ConvertI64SReg { dst, src, h } => reg_un!(i64_, b64, dst, src, h, |a| a as f64),
            Op::F64ConvertI64UReg { dst, src, h } => reg_un!(u64_, b64, dst, src, h, |a| a as f64),
            Op::F64PromoteF32Reg { dst, src, h } => reg_un!(f32_, c64, dst, src, h, |a| a as f64),
            Op::I32Extend8SReg { dst, src, h } => reg_un!(u32_, from_i32, dst, src, h, |a| a as i8 as i32),
            Op::I32Extend16SReg { dst, src, h } => reg_un!(u32_, from_i32, dst, src, h, |a| a as i16 as i32),
            Op::I64Extend8SReg { dst, src, h } => reg_un!(u64_, from_i64, dst, src, h, |a| a as i8 as i64),
            Op::I64Extend16SReg { dst, src, h } => reg_un!(u64_, from_i64, dst, src, h, |a| a as i16 as i64),
            Op::I64Extend32SReg { dst, src, h } => reg_un!(u64_, from_i64, dst, src, h, |a| a as i32 as i64),
            Op::I32TruncSatF32SReg { dst, src, h } => reg_un!(f32_, from_i32, dst, src, h, |a| a as i32),
            Op::I32TruncSatF32UReg { dst, src, h } => reg_un!(f32_, from_u32, dst, src, h, |a| a as u32),
            Op::I32TruncSatF64SReg { dst, src, h } => reg_un!(f64_, from_i32, dst, src, h, |a| a as i32),
            Op::I32TruncSatF64UReg { dst, src, h } => reg_un!(f64_, from_u32, dst, src, h, |a| a as u32),
            Op::I64TruncSatF32SReg { dst, src, h } => reg_un!(f32_, from_i64, dst, src, h, |a| a as i64),
            Op::I64TruncSatF32UReg { dst, src, h } => reg_un!(f32_, u64_, dst, src, h, |a| a as u64),
            Op::I64TruncSatF64SReg { dst, src, h } => reg_un!(f64_, from_i64, dst, src, h, |a| a as i64),
            Op::I64TruncSatF64UReg { dst, src, h } => reg_un!(f64_, u64_, dst, src, h, |a| a as u64),
            Op::BrIfI32Eq { lhs, rhs, h, target } => br_cmp!(u32_, lhs, u32_(stack[fp + rhs as usize]), h, target, |a, b| int::bin::i32_eq(a, b)),
            Op::BrIfI32Ne { lhs, rhs, h, target } => br_cmp!(u32_, lhs, u32_(stack[fp + rhs as usize]), h, target, |a, b| int::bin::i32_ne(a, b)),
            Op::BrIfI32LtS { lhs, rhs, h, target } => br_cmp!(i32_, lhs, i32_(stack[fp + rhs as usize]), h, target, |a, b| int::bin::i32_lt_s(a, b)),
            Op::BrIfI32LtU { lhs, rhs, h, target } => br_cmp!(u32_, lhs, u32_(stack[fp + rhs as usize]), h, target, |a, b| int::bin::i32_lt_u(a, b)),
            Op::BrIfI32GtS { lhs, rhs, h, target } => br_cmp!(i32_, lhs, i32_(stack[fp + rhs as usize]), h, target, |a, b| int::bin::i32_gt_s(a, b)),
            Op::BrIfI32GtU { lhs, rhs, h, target } => br_cmp!(u32_, lhs, u32_(stack[fp + rhs as usize]), h, target, |a, b| int::bin::i32_gt_u(a, b)),
            Op::BrIfI32LeS { lhs, rhs, h, target } => br_cmp!(i32_, lhs, i32_(stack[fp + rhs as usize]), h, target, |a, b| int::bin::i32_le_s(a, b)),
            Op::BrIfI32LeU { lhs, rhs, h, target } => br_cmp!(u32_, lhs, u32_(stack[fp + rhs as usize]), h, target, |a, b| int::bin::i32_le_u(a, b)),
            Op::BrIfI32GeS { lhs, rhs, h, target } => br_cmp!(i32_, lhs, i32_(stack[fp + rhs as usize]), h, target, |a, b| int::bin::i32_ge_s(a, b)),
            Op::BrIfI32GeU { lhs, rhs, h, target } => br_cmp!(u32_, lhs, u32_(stack[fp + rhs as usize]), h, target, |a, b| int::bin::i32_ge_u(a, b)),
            Op::BrIfI32EqImm { lhs, h, value, target } => br_cmp!(u32_, lhs, value as u32, h, target, |a, b| int::bin::i32_eq(a, b)),
            Op::BrIfI32NeImm { lhs, h, value, target } => br_cmp!(u32_, lhs, value as u32, h, target, |a, b| int::bin::i32_ne(a, b)),
            Op::BrIfI32LtSImm { lhs, h, value, target } => br_cmp!(i32_, lhs, value, h, target, |a, b| int::bin::i32_lt_s(a, b)),
            Op::BrIfI32LtUImm { lhs, h, value, target } => br_cmp!(u32_, lhs, value as u32, h, target, |a, b| int::bin::i32_lt_u(a, b)),
            Op::BrIfI32GtSImm { lhs, h, value, target } => br_cmp!(i32_, lhs, value, h, target, |a, b| int::bin::i32_gt_s(a, b)),
            Op::BrIfI32GtUImm { lhs, h, value, target } => br_cmp!(u32_, lhs, value as u32, h, target, |a, b| int::bin::i32_gt_u(a, b)),
            Op::BrIfI32LeSImm { lhs, h, value, target } => br_cmp!(i32_, lhs, value, h, target, |a, b| int::bin::i32_le_s(a, b)),
            Op::BrIfI32LeUImm { lhs, h, value, target } => br_cmp!(u32_, lhs, value as u32, h, target, |a, b| int::bin::i32_le_u(a, b)),
            Op::BrIfI32GeSImm { lhs, h, value, target } => br_cmp!(i32_, lhs, value, h, target, |a, b| int::bin::i32_ge_s(a, b)),
            Op::BrIfI32GeUImm { lhs, h, value, target } => br_cmp!(u32_, lhs, value as u32, h, target, |a, b| int::bin::i32_ge_u(a, b)),
            Op::BrIfI32AndImmNez { lhs, h, value, target } => br_cmp!(u32_, lhs, value as u32, h, target, |a, b| int::bin::i32_and(a, b) != 0),
            Op::BrIfI32AndImmEqz { lhs, h, value, target } => br_cmp!(u32_, lhs, value as u32, h, target, |a, b| int::bin::i32_and(a, b) == 0),
        }
        }};
    }
    let end: Option<Status> = loop {
        step!();
        step!();
    };

    regs.steps = until - left;
    regs.pc = pc as u32;
    regs.sp = sp as u32;
    regs.fp = fp as u32;
    if let Some(s) = end {
        regs.status = s;
    }
}
