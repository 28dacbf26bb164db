//! Threaded dispatch for the machine's own runs: each handler ends in a
//! tail call to the next instruction's handler, so the indirect branches are
//! spread over the handlers for the predictor to tell apart (as wasmi 2.0
//! dispatches), instead of one shared `match`.
//!
//! The next handler is found directly, not through its opcode: beside the
//! code the store keeps its threaded code ([`Threads`](crate::store::Threads)), each instruction's
//! pair of handlers (counting by runs, step by step) at a fixed distance
//! from the instruction, so a dispatch is one load from the position of the
//! next instruction (two instructions: add the stride, jump through the
//! pair), where a table lookup was two dependent loads (the opcode, then
//! its entry) and four instructions. The pairs are built from the tables
//! below at a store's first run and extended over code appended since.
//!
//! Every handler runs [`step`], the same step as [`super::step_loop`]:
//! only how the next step is found differs. A handler of its own runs
//! `step` told its opcode, so the compiler keeps only that instruction's
//! arm; release builds give every opcode one, debug builds only eight
//! frequent ones (with debug assertions each costs seconds of compilation),
//! and the other opcodes share [`any`], the whole `match` (see [`handlers`]).
//! So the tests run both kinds.
//!
//! Steps are counted two ways, with a handler table for each. Step by
//! step: every handler counts its step and stops the chain when none are
//! left. By runs, when far from the end: only where a straight-line run
//! ends (a branch, call, return or micro-stepped instruction, or any step
//! that went elsewhere than the next instruction) is the run's length
//! counted, from positions, so most handlers count nothing (2 of about 14
//! instructions a step). Exactness holds because a run is never longer
//! than the code's longest (`isa::longest_run`, kept in the store) and only
//! begins with at least that budget; the last steps before `until` are
//! counted one by one. `tests/runs.rs` checks both against each other.
//!
//! Rust does not promise tail calls; LLVM turns these into jumps when
//! optimising (the engine is built at `opt-level = 3` in every profile). So
//! that a call it leaves as a call cannot exhaust the native stack, a run
//! goes in chunks of at most [`CHUNK`] steps, each a fresh chain from
//! [`run`].

use super::{HAND_OVER, Hot, step_in, step_outlined};
use crate::access::{Own, Stack, World};
use crate::frame::Regs;
use crate::isa::{self, Op};
use crate::status::Status;

/// The most steps one chain of tail calls takes.
const CHUNK: u64 = 1 << 12;

/// The longest straight-line run (`isa::longest_run`) for which the machine
/// counts steps by runs; code with a longer one is counted step by step.
/// A chain counting by runs takes at least `CHUNK - MAX_RUN` steps.
const MAX_RUN: u32 = 1 << 10;

/// Above every opcode (`Op` is `repr(u16)`; `specs/state.md` §4.1: the
/// largest is `0x1E2`), rounded up to the rows of 16 the tables are built by.
const OPCODES: usize = 0x1F0;

/// What the handlers share: the stack and the world by value, and where the
/// chain stopped.
struct Cx<S: Stack, W> {
    stack: S,
    w: W,
    /// The step count when the chunk's budget is used up.
    end: u64,
    /// Counting by runs: the least budget a run may start with, the longest
    /// run's positions (`W::STRIDE` a step).
    margin: u64,
    /// Where the chain stopped: registers, steps left, final status.
    out: (Hot<<S as Stack>::Pos>, u64, Option<Status>),
}

/// A handler's arguments: the context, the position after the instruction,
/// `fp`, `sp`, the budget (see [`run_step`]) and the distance from an
/// instruction's position to its handlers (see [`Threads`](crate::store::Threads)). `sp` comes
/// fourth, in `rcx` on x86-64: a register-form instruction overwrites
/// `sp`, so a shift by a count (`cl`) moves nothing. The distance comes
/// sixth, the last argument register: handlers pass it on untouched.
type Handler<S, W> = fn(&mut Cx<S, W>, usize, <S as Stack>::Pos, <S as Stack>::Pos, u64, usize);

/// The distance from an instruction's position to its pair of handlers in
/// the store's threaded code for stack `S` and world `W`, which this
/// builds, or extends over the code appended since it was built.
fn threads<S: Stack, W: Own>(w: &mut W) -> usize {
    const { assert!(W::STRIDE == std::mem::size_of::<[usize; 2]>()) };
    let (runs, steps, dead) = (handlers::<true, S, W>(), handlers::<false, S, W>(), dead_handlers::<S, W>());
    let key = std::ptr::from_ref(runs).addr();
    let (code, t) = w.code_and_threads();
    let i = match t.sets.iter().position(|(k, _)| *k == key) {
        Some(i) => i,
        None => {
            t.sets.push((key, Vec::new()));
            t.sets.len() - 1
        }
    };
    let pairs = &mut t.sets[i].1;
    // A store's code only grows (`Store::instantiate`, `Store::append_segment`).
    debug_assert!(pairs.len() <= code.len());
    let from = pairs.len();
    pairs.extend(code[from..].iter().enumerate().map(|(i, op)| {
        let o = op.opcode() as usize;
        let next_pure = code.get(from + i + 1).is_some_and(Op::pure_reg);
        let by_runs = if op.pure_reg() && next_pure { dead[o] } else { runs[o] };
        [by_runs as usize, steps[o] as usize]
    }));
    pairs.as_ptr().expose_provenance().wrapping_sub(code.as_ptr().addr())
}

/// Runs as [`super::step_loop`] does, by threaded dispatch. `longest` is
/// the code's longest straight-line run (`Store::longest_run`).
pub(crate) fn run<S: Stack, W: Own>(regs: &mut Regs, stack: S, mut w: W, until: u64, longest: u32) {
    if regs.status != Status::Running || regs.steps >= until {
        return;
    }
    let by_runs = (1..=MAX_RUN).contains(&longest);
    let stride = W::STRIDE as u64;
    let d = threads::<S, W>(&mut w);
    let hot = Hot::of(regs, &stack, &w);
    let mut c = Cx { stack, w, end: 0, margin: longest as u64 * stride, out: (hot, 0, None) };
    loop {
        let (hot, _, _) = c.out;
        let rest = until - regs.steps;
        if by_runs && rest > longest as u64 {
            // Every run starts with at least the longest run's budget, so
            // none overshoots; the chain stops at the first run end with
            // less, having taken at least `budget - longest` steps.
            let budget = rest.min(CHUNK);
            c.end = regs.steps + budget;
            dispatch::<true, S, W>(&mut c, hot.pc, hot.fp, hot.sp, hot.pc as u64 + budget * stride, d);
        } else {
            let chunk = rest.min(CHUNK);
            c.end = regs.steps + chunk;
            dispatch::<false, S, W>(&mut c, hot.pc, hot.fp, hot.sp, chunk, d);
        }
        let (_, left, end) = c.out;
        regs.steps = c.end - left;
        if end.is_some() || regs.steps == until {
            break;
        }
    }
    let (hot, _, end) = c.out;
    hot.leave(regs, &c.stack, &c.w, end);
}

/// Starts the step at `pc`; counting step by step, stops instead when no
/// steps are `left`. `d`: see [`Threads`](crate::store::Threads).
#[inline(always)]
fn dispatch<const RUNS: bool, S: Stack, W: World>(
    c: &mut Cx<S, W>,
    pc: usize,
    fp: S::Pos,
    sp: S::Pos,
    left: u64,
    d: usize,
) {
    let mut left = left;
    if !RUNS {
        // Signed, so that the decrement sets the flag the test reads (a
        // chunk is far below `i64::MAX` steps): two instructions, not three.
        let after = left as i64 - 1;
        if after < 0 {
            c.out = (Hot { pc, sp, fp }, 0, None);
            return;
        }
        left = after as u64;
    }
    // SAFETY: `pc` is the position of an instruction (see `World::op_at`),
    // and `pc + d` that of its pair of handlers in the threaded code, built
    // for this stack and world from `handlers` before the run (`threads`):
    // the code and its threaded code do not change during a run.
    let handler = unsafe {
        debug_assert!(c.w.op_at(pc) as usize == pc);
        let at = pc.wrapping_add(d) + if RUNS { 0 } else { std::mem::size_of::<usize>() };
        let h = std::ptr::with_exposed_provenance::<Handler<S, W>>(at).read();
        let o = (*c.w.op_at(pc)).opcode() as usize;
        debug_assert!(
            std::ptr::fn_addr_eq(h, handlers::<RUNS, S, W>()[o])
                || RUNS && std::ptr::fn_addr_eq(h, dead_handlers::<S, W>()[o])
        );
        h
    };
    handler(c, pc + W::STRIDE, fp, sp, left, d)
}

/// Runs `op`, the step at `pc`, then the next.
///
/// Counting step by step (`!RUNS`), `budget` is the steps left after
/// this one. Counting by runs, the steps of a straight-line run are only
/// counted where it ends, at an instruction that [`Op::ends_run`] or that
/// went anywhere but the next one (the compiler drops that test from the
/// handlers of instructions that never do), and `budget` is where the
/// budget would run out if the run went on: the run's first position plus
/// the budget left when it began, in positions (`W::STRIDE` a step). A run
/// is at most the code's longest and only begins with at least that much
/// budget, so it never overshoots; when less is left, the chain stops.
///
/// `OUT` runs the step with `step_outlined`, for the steps `step_in`
/// hands over (then `any::<_, true>` takes the step over, by a tail call).
#[inline(always)]
fn run_step<const RUNS: bool, const OUT: bool, const DEAD: bool, S: Stack, W: World>(
    c: &mut Cx<S, W>,
    op: &Op,
    pc: usize,
    fp: S::Pos,
    sp: S::Pos,
    budget: u64,
    d: usize,
) {
    let stride = W::STRIDE as u64;
    let next = pc + W::STRIDE;
    // This step's number, from the steps left before it.
    let index = if RUNS { c.end - (budget - pc as u64) / stride } else { c.end - budget - 1 };
    let mut hot = Hot { pc, sp, fp };
    let ends = RUNS && op.ends_run();
    let end = if OUT {
        step_outlined(&mut c.stack, &mut c.w, op, &mut hot, index)
    } else {
        step_in::<S, W, false>(&mut c.stack, &mut c.w, op, &mut hot, index)
    };
    if !OUT && end == HAND_OVER {
        return any::<RUNS, true, false, S, W>(c, next, fp, sp, budget, d);
    }
    if let Some(s) = end {
        let left = if RUNS { (budget - next as u64) / stride } else { budget };
        c.out = (hot, left, Some(s));
        return;
    }
    if RUNS && (ends || hot.pc != next) {
        let left = budget - next as u64;
        if left < c.margin {
            c.out = (hot, left / stride, None);
            return;
        }
        return dispatch::<RUNS, S, W>(c, hot.pc, hot.fp, hot.sp, hot.pc as u64 + left, d);
    }
    if DEAD {
        // The next instruction sets `sp` without reading it and goes on
        // (see [`dead_handlers`]): this step's `sp` is not computed.
        // SAFETY: as in `any`.
        debug_assert!(RUNS && op.pure_reg() && unsafe { &*c.w.op_at(hot.pc) }.pure_reg());
        return dispatch::<RUNS, S, W>(c, hot.pc, hot.fp, sp, budget, d);
    }
    dispatch::<RUNS, S, W>(c, hot.pc, hot.fp, hot.sp, budget, d)
}

/// The handler of the opcodes without one of their own (`!OUT`), and of
/// the steps their handlers hand over (`OUT`: see [`run_step`]). Handlers
/// are given the position after their instruction (`next`): the
/// instruction's fields are then read at small negative offsets from the
/// register that goes on to the next step, rather than from a copy of it.
#[inline(never)]
fn any<const RUNS: bool, const OUT: bool, const DEAD: bool, S: Stack, W: World>(
    c: &mut Cx<S, W>,
    next: usize,
    fp: S::Pos,
    sp: S::Pos,
    budget: u64,
    d: usize,
) {
    let pc = next - W::STRIDE;
    // SAFETY: `op_at` points at the instruction until the next `op_at`.
    let op: &Op = unsafe { &*c.w.op_at(pc) };
    run_step::<RUNS, OUT, DEAD, S, W>(c, op, pc, fp, sp, budget, d)
}

/// The handler of opcode `T`: the step, told its opcode.
fn handler<const T: u16, const RUNS: bool, const DEAD: bool, S: Stack, W: World>(
    c: &mut Cx<S, W>,
    next: usize,
    fp: S::Pos,
    sp: S::Pos,
    budget: u64,
    d: usize,
) {
    let pc = next - W::STRIDE;
    // SAFETY: as in `any`; `handlers` gives this handler to opcode `T` only.
    let op: &Op = unsafe { &*c.w.op_at(pc) };
    unsafe { std::hint::assert_unchecked(op.opcode() == T) };
    run_step::<RUNS, false, DEAD, S, W>(c, op, pc, fp, sp, budget, d)
}

/// The handler table, by opcode. Optimised builds without debug assertions
/// give every opcode a handler of its own (an opcode no instruction has
/// gets one too, never called); debug builds only the most frequent
/// instructions of the workloads (`engine/examples/op_mix.rs`): `I32AddImmReg`,
/// `LocalGet2`, `I32AddImm`, `I32Add`, `LocalCopy`, `I32ShlImmReg`, `F64MulReg`,
/// `I32AddReg`; the rest share [`any`].
#[inline(always)]
const fn handlers<'t, const RUNS: bool, S: Stack + 't, W: World + 't>() -> &'t [Handler<S, W>; OPCODES] {
    #[cfg(debug_assertions)]
    macro_rules! table {
        () => {{
            let mut t = [any::<RUNS, false, false, S, W> as Handler<S, W>; OPCODES];
            specialise!(t; 0x13E, 0x0C, 0xE0, 0x75, 0x176, 0x143, 0x13C, 0x120);
            t
        }};
    }
    #[cfg(not(debug_assertions))]
    macro_rules! table {
        () => {{
            let mut t = [any::<RUNS, false, false, S, W> as Handler<S, W>; OPCODES];
            specialise!(t; rows 0x000 0x010 0x020 0x030 0x040 0x050 0x060 0x070 0x080 0x090 0x0A0 0x0B0
                0x0C0 0x0D0 0x0E0 0x0F0 0x100 0x110 0x120 0x130 0x140 0x150 0x160 0x170 0x180 0x190 0x1A0 0x1B0 0x1C0 0x1D0
                0x1E0);
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
            $($t[$code] = handler::<{ $code }, RUNS, false, S, W>;)*
        };
    }
    const { &table!() }
}

/// The handlers, counting by runs, of the [`isa::pure_reg_ops`]
/// (`Op::pure_reg`) for where the next instruction is one too: the step
/// then leaves `sp` to it, which sets `sp` without reading it, and is not
/// the end of a run, so no chain stops between the two (only where a run
/// ends, see [`run_step`]) and the state is never seen with the `sp` left
/// out. That saves reading `h` and adding it to `fp`, two of a register
/// form's ten-odd instructions. Other opcodes keep their by-runs handler.
/// Debug builds give these opcodes `any`, told the same.
#[inline(always)]
fn dead_handlers<'t, S: Stack + 't, W: World + 't>() -> &'t [Handler<S, W>; OPCODES] {
    macro_rules! dead {
        ($($n:ident),*) => {{
            let mut t = *handlers::<true, S, W>();
            $(
                #[cfg(not(debug_assertions))]
                {
                    t[isa::code_of(stringify!($n)) as usize] =
                        handler::<{ isa::code_of(stringify!($n)) }, true, true, S, W>;
                }
                #[cfg(debug_assertions)]
                {
                    t[isa::code_of(stringify!($n)) as usize] = any::<true, false, true, S, W>;
                }
            )*
            t
        }};
    }
    const { &isa::pure_reg_ops!(dead) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{Direct, Slots};

    #[test]
    fn the_tables_cover_every_opcode() {
        let top = crate::isa::OP_TABLE.iter().map(|i| i.code as usize).max().unwrap();
        assert!(top < OPCODES, "opcode {top:#x} is past the handler tables ({OPCODES:#x})");
    }

    /// The pair at `pc + d` is what the tables give the instruction at
    /// `pc`, for every instruction, after a run and after code is appended.
    #[test]
    fn the_threaded_code_lies_beside_the_code_and_follows_it() {
        use crate::{Entry, Module, Run, Task, Value};
        type W<'a> = Direct<'a, false, true>;
        let wat = r#"(module (memory 1) (func (export "f") (param i32) (result i32) (local i32)
            (local.set 1 (i32.add (local.get 0) (i32.const 1)))
            (local.set 1 (i32.mul (local.get 1) (local.get 0)))
            (local.get 1) (i32.const 3) (i32.mul) (i32.load offset=4) (i32.const 1) (i32.add)))"#;
        let module = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
        let entry = Entry::Invoke("f".into(), vec![Value::I32(8)]);
        let mut run = Run::new(&module, &Task::default(), &entry).unwrap();
        assert_eq!(run.machine.run(u64::MAX), crate::Status::Finished);
        let check = |m: &mut Run| {
            let m = &mut m.machine;
            let mut w = W::new(&mut m.store, &mut m.host, &mut m.frames, None);
            let d = threads::<Slots<'static>, W<'_>>(&mut w);
            let (runs, steps) =
                (handlers::<true, Slots<'static>, W<'_>>(), handlers::<false, Slots<'static>, W<'_>>());
            let dead = dead_handlers::<Slots<'static>, W<'_>>();
            let (code, _) = w.code_and_threads();
            let mut deads = 0;
            for (i, op) in code.iter().enumerate() {
                let at = (op as *const Op).addr().wrapping_add(d);
                // SAFETY: `threads` built a pair for every instruction.
                let pair = unsafe { std::ptr::with_exposed_provenance::<[usize; 2]>(at).read() };
                let o = op.opcode() as usize;
                let leaves_sp = op.pure_reg() && code.get(i + 1).is_some_and(Op::pure_reg);
                deads += leaves_sp as usize;
                let by_runs = if leaves_sp { dead[o] } else { runs[o] };
                assert_eq!(pair, [by_runs as usize, steps[o] as usize], "{op:?}");
            }
            assert!(deads > 0, "a register form before another: {code:?}");
            code.len()
        };
        let before = check(&mut run);
        run.machine.store.append_segment([Op::Unreachable, Op::Drop, Op::Return { results: 0 }]);
        assert_eq!(check(&mut run), before + 3);
        let t = &run.machine.store.threads;
        assert_eq!((t.sets.len(), t.sets[0].1.len()), (1, before + 3), "one set, extended");
    }

    /// `isa::pure_reg_ops` are exactly the arms of the step that are one
    /// `reg_bin!`, `reg_imm!` or `reg_un!` (which set `sp = fp + h` after
    /// writing a slot from slots and immediates, and cannot trap).
    #[test]
    fn the_pure_register_forms_are_the_steps_arms_that_say_so() {
        let src = include_str!("../exec.rs");
        let mut arms = std::collections::BTreeSet::new();
        for m in ["reg_bin!(", "reg_imm!(", "reg_un!("] {
            for (at, _) in src.match_indices(m) {
                let arm = &src[src[..at].rfind("Op::").unwrap()..at];
                let (head, body) = arm.split_once("=>").unwrap_or_else(|| panic!("not an arm: {arm}"));
                let body = body.trim().trim_start_matches('{').trim();
                let body =
                    body.strip_prefix("let f = ").map_or(body, |b| b.split_once(';').unwrap().1.trim());
                assert!(body.is_empty(), "the arm {head} does more than {m}: {body}");
                arms.insert(head["Op::".len()..].split_once(' ').unwrap().0.to_string());
            }
        }
        let mut listed = std::collections::BTreeSet::new();
        macro_rules! names {
            ($($n:ident),*) => {
                $(listed.insert(stringify!($n).to_string());)*
            };
        }
        isa::pure_reg_ops!(names);
        assert_eq!(arms, listed);
        for i in isa::OP_TABLE {
            let mut b = [0u8; isa::OP_BYTES];
            b[..2].copy_from_slice(&i.code.to_le_bytes());
            if let Some(op) = Op::decode(&b) {
                assert_eq!(op.pure_reg(), listed.contains(i.name), "{}", i.name);
                assert!(!(op.pure_reg() && op.ends_run()), "{}", i.name);
            }
        }
    }

    #[test]
    fn every_opcode_has_a_handler_and_the_specialised_ones_are_opcodes() {
        let table = handlers::<false, Slots<'static>, Direct<'static, false>>();
        let any = any::<false, false, false, Slots<'static>, Direct<'static, false>> as Handler<_, _>;
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
