//! The SIMD and v128 instructions' steps (`specs/execution.md` §3.1, §9.1).
//!
//! Part of the one definition of every instruction (`exec::step` calls
//! [`step`] for each of them), kept out of the interpreter's loop so that
//! the scalar instructions' code stays as it was: a SIMD step costs one
//! call more. This moves the operands, two slots per v128, low half first;
//! what an instruction computes is in [`crate::op::simd`].

use crate::TrapKind::{self, *};
use crate::access::{Stack, World};
use crate::isa::{Op, SimdLoad, SimdLoadLane};
use crate::op::simd;

fn get<S: Stack>(stack: &S, at: S::Pos) -> u128 {
    stack[at] as u128 | (stack[at + 1] as u128) << 64
}

fn put<S: Stack>(stack: &mut S, at: S::Pos, v: u128) {
    stack[at] = v as u64;
    stack[at + 1] = (v >> 64) as u64;
}

/// Executes `op`, fetched at `pc - 1` (`pc` is past it), over the frame at
/// `fp` with `s` operand slots. Returns the new `sp` and how many more code
/// words the instruction took (its `Hi64`); a trap changes nothing and
/// returns its kind. Registers go in and out by value, so that the loop
/// keeps its own in machine registers.
#[inline(never)]
pub(super) fn step<S: Stack, W: World>(
    op: Op,
    stack: &mut S,
    w: &mut W,
    pc: usize,
    s: S::Pos,
    fp: S::Pos,
) -> Result<(S::Pos, usize), TrapKind> {
    // The high half of a 16-byte immediate: the `Hi64` after the instruction.
    let hi64 = |w: &W| match w.op(pc) {
        Op::Hi64 { bits } => Ok(bits),
        _ => Err(Unreachable),
    };
    let ea = |stack: &S, at: S::Pos, offset: u32| stack[at] as u32 as usize + offset as usize;
    let sp = match op {
        Op::V128Drop => s - 2,
        Op::V128Select => {
            if stack[s - 1] as u32 == 0 {
                stack[s - 5] = stack[s - 3];
                stack[s - 4] = stack[s - 2];
            }
            s - 3
        }
        Op::V128LocalSet { index } => {
            stack[fp + index as usize] = stack[s - 2];
            stack[fp + index as usize + 1] = stack[s - 1];
            s - 2
        }
        Op::V128LocalTee { index } => {
            stack[fp + index as usize] = stack[s - 2];
            stack[fp + index as usize + 1] = stack[s - 1];
            s
        }
        Op::V128GlobalGet { global } => {
            stack[s] = w.global(global);
            stack[s + 1] = w.global(global.wrapping_add(1));
            s + 2
        }
        Op::V128GlobalSet { global } => {
            w.set_global(global, stack[s - 2]);
            w.set_global(global.wrapping_add(1), stack[s - 1]);
            s - 2
        }
        Op::V128Const { lo } => {
            let hi = hi64(w)?;
            stack[s] = lo;
            stack[s + 1] = hi;
            return Ok((s + 2, 1));
        }
        // Data read by the instruction before it; only a state no machine reaches runs it.
        Op::Hi64 { .. } => return Err(Unreachable),
        Op::I8x16Shuffle { lo } => {
            let lanes = lo as u128 | (hi64(w)? as u128) << 64;
            let v = simd::shuffle(get(stack, s - 4), get(stack, s - 2), lanes);
            put(stack, s - 4, v);
            return Ok((s - 2, 1));
        }
        Op::V128Load { op, mem, offset } => {
            let v = load(w, op, mem, ea(stack, s - 1, offset)).ok_or(MemoryOutOfBounds)?;
            put(stack, s - 1, v);
            s + 1
        }
        Op::V128Store { mem, offset } => {
            let v = get(stack, s - 2);
            if !w.store(mem, ea(stack, s - 3, offset), &v.to_le_bytes()) {
                return Err(MemoryOutOfBounds);
            }
            s - 3
        }
        Op::V128LoadLane { op, lane, mem, offset } => {
            let v = get(stack, s - 2);
            let v = load_lane(w, op, lane, mem, ea(stack, s - 3, offset), v).ok_or(MemoryOutOfBounds)?;
            put(stack, s - 3, v);
            s - 1
        }
        Op::V128StoreLane { op, lane, mem, offset } => {
            let n = op.bytes() as usize;
            let bytes = simd::get_lane(get(stack, s - 2), lane, n);
            if !w.store(mem, ea(stack, s - 3, offset), &bytes[..n]) {
                return Err(MemoryOutOfBounds);
            }
            s - 3
        }
        Op::V128Splat { op } => {
            let v = simd::splat(op, stack[s - 1]);
            put(stack, s - 1, v);
            s + 1
        }
        Op::V128ExtractLane { op, lane } => {
            stack[s - 2] = simd::extract(op, get(stack, s - 2), lane);
            s - 1
        }
        Op::V128ReplaceLane { op, lane } => {
            let v = simd::replace(op, get(stack, s - 3), lane, stack[s - 1]);
            put(stack, s - 3, v);
            s - 1
        }
        Op::V128Unary { op } => {
            let v = simd::unary(op, get(stack, s - 2));
            put(stack, s - 2, v);
            s
        }
        Op::V128Binary { op } => {
            let v = simd::binary(op, get(stack, s - 4), get(stack, s - 2));
            put(stack, s - 4, v);
            s - 2
        }
        Op::V128Bitselect => {
            let v = simd::bitselect(get(stack, s - 6), get(stack, s - 4), get(stack, s - 2));
            put(stack, s - 6, v);
            s - 4
        }
        Op::V128Test { op } => {
            stack[s - 2] = simd::test(op, get(stack, s - 2)) as u64;
            s - 1
        }
        Op::V128Shift { op } => {
            let v = simd::shift(op, get(stack, s - 3), stack[s - 1] as u32);
            put(stack, s - 3, v);
            s - 1
        }
        // `step` calls this for exactly the instructions above.
        _ => return Err(Unreachable),
    };
    Ok((sp, 0))
}

/// The v128 a SIMD load makes from memory `m` at `ea`, or `None` out of bounds.
fn load<W: World>(w: &W, op: SimdLoad, m: u32, ea: usize) -> Option<u128> {
    let mut b = [0u8; 16];
    match simd::load_bytes(op) {
        16 => b = w.load::<16>(m, ea)?,
        8 => b[..8].copy_from_slice(&w.load::<8>(m, ea)?),
        4 => b[..4].copy_from_slice(&w.load::<4>(m, ea)?),
        2 => b[..2].copy_from_slice(&w.load::<2>(m, ea)?),
        _ => b[..1].copy_from_slice(&w.load::<1>(m, ea)?),
    }
    Some(simd::load(op, b))
}

/// `v` with lane `lane` loaded from memory `m` at `ea`, or `None` out of bounds.
fn load_lane<W: World>(w: &W, op: SimdLoadLane, lane: u8, m: u32, ea: usize, v: u128) -> Option<u128> {
    let mut b = [0u8; 8];
    let n = op.bytes() as usize;
    match n {
        8 => b = w.load::<8>(m, ea)?,
        4 => b[..4].copy_from_slice(&w.load::<4>(m, ea)?),
        2 => b[..2].copy_from_slice(&w.load::<2>(m, ea)?),
        _ => b[..1].copy_from_slice(&w.load::<1>(m, ea)?),
    }
    Some(simd::put_lane(v, lane, &b[..n]))
}
