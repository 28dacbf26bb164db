//! Threaded dispatch for the machine's own runs: each handler ends in a
//! tail call to the next instruction's handler, so the indirect branches are
//! spread over the handlers for the predictor to tell apart (as wasmi 2.0
//! dispatches), instead of one shared `match`.
//!
//! Every handler runs [`step`], the same step as [`super::step_loop`]:
//! only how the next step is found differs. A handler of its own runs
//! `step` told its opcode, so the compiler keeps only that instruction's
//! arm; release builds give every opcode one, debug builds only eight
//! frequent ones (with debug assertions each costs seconds of compilation),
//! and the other opcodes share [`any`], the whole `match` (see [`handlers`]).
//! So the tests run both kinds.
//!
//! Rust does not promise tail calls; LLVM turns these into jumps when
//! optimising (the engine is built at `opt-level = 3` in every profile). So
//! that a call it leaves as a call cannot exhaust the native stack, a run
//! goes in chunks of at most [`CHUNK`] steps, each a fresh chain from
//! [`run`].

use super::{Hot, step};
use crate::access::{Stack, World};
use crate::frame::Regs;
use crate::isa::Op;
use crate::status::Status;

/// The most steps one chain of tail calls takes.
const CHUNK: u64 = 1 << 12;

/// One past the largest opcode (`Op` is `repr(u16)`; `specs/state.md` §4.1).
const OPCODES: usize = 0x1E0;

/// What the handlers share: the stack and the world by value, and where the
/// chain stopped.
struct Cx<S: Stack, W> {
    stack: S,
    w: W,
    /// The step count when `left` reaches zero in this chunk.
    end: u64,
    /// Where the chain stopped: registers, steps left, final status.
    out: (Hot<<S as Stack>::Pos>, u64, Option<Status>),
}

/// A handler's arguments: the context, the position after the instruction,
/// `fp`, `sp` and the steps left. `sp` comes fourth, in `rcx` on x86-64:
/// a register-form instruction overwrites `sp`, so a shift by a count
/// (`cl`) moves nothing.
type Handler<S, W> = fn(&mut Cx<S, W>, usize, <S as Stack>::Pos, <S as Stack>::Pos, u64);

/// Runs as [`super::step_loop`] does, by threaded dispatch.
pub(crate) fn run<S: Stack, W: World>(regs: &mut Regs, stack: S, w: W, until: u64) {
    if regs.status != Status::Running || regs.steps >= until {
        return;
    }
    let hot = Hot::of(regs, &stack, &w);
    let mut c = Cx { stack, w, end: 0, out: (hot, 0, None) };
    loop {
        let (hot, _, _) = c.out;
        let chunk = (until - regs.steps).min(CHUNK);
        c.end = regs.steps + chunk;
        dispatch(&mut c, hot.pc, hot.fp, hot.sp, chunk);
        let (_, left, end) = c.out;
        regs.steps = c.end - left;
        if end.is_some() || regs.steps == until {
            break;
        }
    }
    let (hot, _, end) = c.out;
    hot.leave(regs, &c.stack, &c.w, end);
}

/// Starts the step at `pc`, or stops when no steps are `left`.
#[inline(always)]
fn dispatch<S: Stack, W: World>(c: &mut Cx<S, W>, pc: usize, fp: S::Pos, sp: S::Pos, left: u64) {
    // Signed, so that the decrement sets the flag the test reads (a chunk
    // is far below `i64::MAX` steps): two instructions, not three.
    let after = left as i64 - 1;
    if after < 0 {
        c.out = (Hot { pc, sp, fp }, 0, None);
        return;
    }
    // SAFETY: every opcode is below `OPCODES`, the table's length.
    let handler = unsafe {
        let code = (*c.w.op_at(pc)).opcode() as usize;
        debug_assert!(code < OPCODES);
        *handlers::<S, W>().get_unchecked(code)
    };
    handler(c, pc + W::STRIDE, fp, sp, after as u64)
}

/// Runs the step at `pc` (`left` steps remain after it), then the next.
#[inline(always)]
fn run_step<S: Stack, W: World>(c: &mut Cx<S, W>, op: &Op, pc: usize, fp: S::Pos, sp: S::Pos, left: u64) {
    let mut hot = Hot { pc, sp, fp };
    if let Some(s) = step(&mut c.stack, &mut c.w, op, &mut hot, c.end - left - 1) {
        c.out = (hot, left, Some(s));
        return;
    }
    dispatch(c, hot.pc, hot.fp, hot.sp, left)
}

/// The handler of the opcodes without one of their own. Handlers are
/// given the position after their instruction (`next`): the instruction's
/// fields are then read at small negative offsets from the register that
/// goes on to the next step, rather than from a copy of it.
fn any<S: Stack, W: World>(c: &mut Cx<S, W>, next: usize, fp: S::Pos, sp: S::Pos, left: u64) {
    let pc = next - W::STRIDE;
    // SAFETY: `op_at` points at the instruction until the next `op_at`.
    let op: &Op = unsafe { &*c.w.op_at(pc) };
    run_step(c, op, pc, fp, sp, left)
}

/// The handler of opcode `T`: the step, told its opcode.
fn handler<const T: u16, S: Stack, W: World>(
    c: &mut Cx<S, W>,
    next: usize,
    fp: S::Pos,
    sp: S::Pos,
    left: u64,
) {
    let pc = next - W::STRIDE;
    // SAFETY: as in `any`; `handlers` gives this handler to opcode `T` only.
    let op: &Op = unsafe { &*c.w.op_at(pc) };
    unsafe { std::hint::assert_unchecked(op.opcode() == T) };
    run_step(c, op, pc, fp, sp, left)
}

/// The handler table, by opcode. Optimised builds without debug assertions
/// give every opcode a handler of its own (an opcode no instruction has
/// gets one too, never called); debug builds only the most frequent
/// instructions of the workloads (`engine/examples/op_mix.rs`): `I32AddImmReg`,
/// `LocalGet2`, `I32AddImm`, `I32Add`, `LocalCopy`, `I32ShlImmReg`, `F64MulReg`,
/// `I32AddReg`; the rest share [`any`].
#[inline(always)]
fn handlers<'t, S: Stack + 't, W: World + 't>() -> &'t [Handler<S, W>; OPCODES] {
    #[cfg(debug_assertions)]
    macro_rules! table {
        () => {{
            let mut t = [any::<S, W> as Handler<S, W>; OPCODES];
            specialise!(t; 0x13E, 0x0C, 0xE0, 0x75, 0x176, 0x143, 0x13C, 0x120);
            t
        }};
    }
    #[cfg(not(debug_assertions))]
    macro_rules! table {
        () => {{
            let mut t = [any::<S, W> as Handler<S, W>; OPCODES];
            specialise!(t; rows 0x000 0x010 0x020 0x030 0x040 0x050 0x060 0x070 0x080 0x090 0x0A0 0x0B0
                0x0C0 0x0D0 0x0E0 0x0F0 0x100 0x110 0x120 0x130 0x140 0x150 0x160 0x170 0x180 0x190 0x1A0 0x1B0 0x1C0 0x1D0);
            t
        }};
    }
    macro_rules! specialise {
        ($t:ident; rows $($base:literal)*) => {
            $(specialise!($t; $base, $base + 1, $base + 2, $base + 3, $base + 4, $base + 5, $base + 6,
                $base + 7, $base + 8, $base + 9, $base + 10, $base + 11, $base + 12, $base + 13,
                $base + 14, $base + 15);)*
        };
        ($t:ident; $($code:expr),*) => {
            $($t[$code] = handler::<{ $code }, S, W>;)*
        };
    }
    const { &table!() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{Direct, Slots};

    #[test]
    fn every_opcode_has_a_handler_and_the_specialised_ones_are_opcodes() {
        let table = handlers::<Slots<'static>, Direct<'static, false>>();
        let any = any::<Slots<'static>, Direct<'static, false>> as Handler<_, _>;
        let mut specialised = 0;
        for (code, h) in table.iter().enumerate() {
            if std::ptr::fn_addr_eq(*h, any) {
                continue;
            }
            specialised += 1;
            let mut b = [0u8; crate::isa::OP_BYTES];
            b[..2].copy_from_slice(&(code as u16).to_le_bytes());
            // Only release builds specialise opcodes no instruction has.
            if cfg!(debug_assertions) {
                let op = Op::decode(&b).unwrap_or_else(|| panic!("{code:#x} is not an opcode"));
                assert_eq!(op.opcode() as usize, code);
            }
        }
        assert!(specialised >= 8, "{specialised} specialised handlers");
    }
}
