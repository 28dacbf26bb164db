//! Deferred operands (`specs/execution.md` §2.2, `SEMANTICS_VERSION` 8): a
//! `local.get` or a constant emits nothing when it is met; the value is
//! remembered as *lazy* and the instruction that consumes it reads the local
//! (or takes the constant as its immediate) in a register form. A lazy value
//! is written to its operand slot only when something needs it there.
//!
//! The invariant: `sp_vals` is the operand height (in values) that `sp`
//! covers after the last emitted instruction; every value at or above it is
//! lazy (the *lazy top*), and a value below it may be lazy too (its slot is
//! reserved but not written). Making a value real (`flush`) pushes the lazy
//! top with stack-form `LocalGet`s and constants, or writes a lazy value below
//! `sp` in place (`LocalCopy`, `I32SetConst`, `I64SetConst`).

use super::Translator;
use super::at::{load_at, store_at};
use super::fuse::{bin_reg, div_imm_reg, imm_form, is_div, load_reg, store_reg, un_reg};
use crate::isa::Op;

/// A value not yet in its operand slot.
#[derive(Clone, Copy, Debug)]
pub(super) struct Lazy {
    /// Its operand index (0 at the bottom).
    pub at: u32,
    pub src: Src,
}

/// Where a lazy value is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Src {
    /// In the local at this slot.
    Local(u32),
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
}

impl Src {
    /// The instruction that writes this value to slot `dst` (a local or an
    /// operand slot), leaving `sp` as it is.
    fn write_to(self, dst: u32) -> Op {
        match self {
            Src::Local(src) => Op::LocalCopy { dst, src },
            Src::I32(value) => Op::I32SetConst { dst, value },
            Src::F32(bits) => Op::I32SetConst { dst, value: bits as i32 },
            Src::I64(value) => Op::I64SetConst { dst, value },
            Src::F64(bits) => Op::I64SetConst { dst, value: bits as i64 },
        }
    }

    /// The constant an integer operator can take as its immediate.
    fn int(self) -> Option<i64> {
        match self {
            Src::I32(v) => Some(v as i64),
            Src::I64(v) => Some(v),
            _ => None,
        }
    }
}

/// Whether `op`'s operands can be swapped (so a constant left operand
/// becomes an immediate).
fn commutes(op: Op) -> bool {
    use Op::*;
    matches!(
        op,
        I32Add | I32Mul | I32And | I32Or | I32Xor | I32Eq | I32Ne | I64Add | I64Mul | I64And | I64Or | I64Xor
    )
}

impl Translator<'_> {
    /// The frame slot of operand `at` (the frame's height below it).
    pub(super) fn frame_at(&self, at: u32) -> u32 {
        self.frame_slots(self.slot_height(at))
    }

    fn lazy_at(&self, at: u32) -> Option<usize> {
        self.lazy.iter().position(|l| l.at == at)
    }

    /// Emits `op` with `sp` where the last instruction left it.
    fn emit_here(&mut self, op: Op) -> usize {
        self.at_height = self.frame_at(self.sp_vals);
        self.emit(op)
    }

    /// Writes lazy value `i`, below `sp`, into its slot.
    fn write_in_place(&mut self, i: usize) {
        let l = self.lazy.remove(i);
        self.emit_here(l.src.write_to(self.frame_at(l.at)));
    }

    /// Pushes the lazy top up to and including operand `upto`.
    fn push_lazy(&mut self, upto: u32) {
        while self.sp_vals <= upto {
            let i = self.lazy_at(self.sp_vals).expect("every value above sp is lazy");
            let l = self.lazy.remove(i);
            self.emit_here(match l.src {
                Src::Local(index) => Op::LocalGet { index },
                Src::I32(value) => Op::I32Const { value },
                Src::I64(value) => Op::I64Const { value },
                Src::F32(bits) => Op::F32Const { bits },
                Src::F64(bits) => Op::F64Const { bits },
            });
            self.sp_vals += 1;
        }
    }

    /// Makes operands `from..h` real and `sp` cover all `h`: the stack form
    /// of an instruction popping `h - from` values can follow.
    pub(super) fn flush(&mut self, from: u32, h: u32) {
        let below = |t: &Self| t.lazy.iter().position(|l| l.at >= from && l.at < t.sp_vals);
        if below(self).is_some() {
            // Written before the register form that computed the top, if it
            // is the last instruction, so that it still fuses with what
            // consumes its result (a branch). The two commute: it reads no
            // lazy value's slot, and they read only locals it cannot write
            // (`set_local` made the lazy reads of a local real first); a
            // branch landing on it runs both, in either order.
            let last = self.code.len() - 1;
            let moved = (self.last_reg == Some(last)).then(|| {
                let height = self.heights.pop().expect("a height per instruction");
                (self.code.pop().expect("the last instruction"), height)
            });
            while let Some(i) = below(self) {
                self.write_in_place(i);
            }
            if let Some((op, height)) = moved {
                self.code.push(op);
                self.heights.push(height);
                self.last_reg = Some(self.code.len() - 1);
            }
        }
        if h > 0 {
            self.push_lazy(h - 1);
        }
        debug_assert!(
            self.sp_vals == h && self.lazy.iter().all(|l| l.at < from.min(h)),
            "flush({from}, {h}): sp at {} with {:?} lazy",
            self.sp_vals,
            self.lazy
        );
        self.at_height = self.frame_at(h);
    }

    /// The slot a register form reads operand `at` from: its local, or its
    /// own slot when it is real. `None` for a constant or past a `u16`.
    fn read_slot(&self, at: u32) -> Option<u16> {
        let slot = match self.lazy_at(at).map(|i| self.lazy[i].src) {
            Some(Src::Local(s)) => s,
            Some(_) => return None,
            None => self.frame_at(at),
        };
        u16::try_from(slot).ok()
    }

    fn int_const(&self, at: u32) -> Option<i64> {
        self.lazy_at(at).and_then(|i| self.lazy[i].src.int())
    }

    /// Translates `local.get` (of a scalar), a constant, `local.set`/`local.tee`
    /// (of a scalar), `drop` of a lazy value, or an operator with a register
    /// form of which some operand is lazy, with operands `h` high. `false`:
    /// the caller translates it in stack form (after `flush`).
    pub(super) fn defer(&mut self, op: Op, h: u32) -> bool {
        match op {
            Op::LocalGet { index } => self.push_src(h, Src::Local(index)),
            Op::I32Const { value } => self.push_src(h, Src::I32(value)),
            Op::I64Const { value } => self.push_src(h, Src::I64(value)),
            Op::F32Const { bits } => self.push_src(h, Src::F32(bits)),
            Op::F64Const { bits } => self.push_src(h, Src::F64(bits)),
            // A lazy top under `sp` (real values above it were popped): the
            // stack form pops it, so `sp` comes down.
            Op::LocalSet { .. } | Op::Drop if self.lazy_at(h - 1).is_some() && h - 1 < self.sp_vals => false,
            Op::LocalSet { index } => {
                self.set_local(index, h, false);
                true
            }
            Op::LocalTee { index } => {
                self.set_local(index, h, true);
                true
            }
            Op::Drop => match self.lazy_at(h - 1) {
                Some(i) => {
                    self.lazy.remove(i);
                    true
                }
                None => false,
            },
            _ => match self.register_form(op, h) {
                Some((f, first, after)) => {
                    self.lazy.retain(|l| l.at < first);
                    self.last_reg = Some(self.emit_here(f));
                    self.sp_vals = after;
                    true
                }
                None => false,
            },
        }
    }

    fn push_src(&mut self, h: u32, src: Src) -> bool {
        self.lazy.push(Lazy { at: h, src });
        true
    }

    /// The register form of `op` reading its lazy operands where they are,
    /// its first operand and the operand height `sp` covers after it; `None`
    /// if it has none or no operand is lazy (the stack form, with the
    /// fusions of §2, does as well).
    fn register_form(&self, op: Op, h: u32) -> Option<(Op, u32, u32)> {
        let lazy = |at: u32| self.lazy_at(at).is_some();
        // A division by a constant has only an immediate form (§2.1).
        if h >= 2 && (bin_reg(op, 0, 0, 0, 0).is_some() || is_div(op)) {
            let (l, r) = (h - 2, h - 1);
            if !lazy(l) && !lazy(r) {
                return None;
            }
            let dst = u16::try_from(self.frame_at(l)).ok()?;
            let top = u16::try_from(self.frame_at(h - 1)).ok()?;
            let f = if let Some(c) = self.int_const(r) {
                let lhs = self.read_slot(l)?;
                imm_reg_of(op, c, dst, lhs, top).or_else(|| div_imm_reg(op, c, dst, lhs, top))?
            } else if let Some(c) = self.int_const(l).filter(|_| commutes(op)) {
                imm_reg_of(op, c, dst, self.read_slot(r)?, top)?
            } else {
                bin_reg(op, dst, self.read_slot(l)?, self.read_slot(r)?, top)?
            };
            return Some((f, l, h - 1));
        }
        if h >= 1 && (un_reg(op, 0, 0, 0).is_some() || load_reg(op, 0, 0, 0).is_some()) {
            if !lazy(h - 1) {
                return None;
            }
            let (dst, top) =
                (u16::try_from(self.frame_at(h - 1)).ok()?, u16::try_from(self.frame_at(h)).ok()?);
            if let Some(f) = self.int_const(h - 1).and_then(|c| load_at(op, dst, top, c as u32)) {
                return Some((f, h - 1, h));
            }
            let src = self.read_slot(h - 1)?;
            return Some((un_reg(op, dst, src, top).or_else(|| load_reg(op, dst, src, top))?, h - 1, h));
        }
        if h >= 2 && store_reg(op, 0, 0, 0).is_some() {
            if !lazy(h - 2) && !lazy(h - 1) {
                return None;
            }
            // `sp` drops below the lazy values left on top.
            let mut after = h - 2;
            while after > 0 && lazy(after - 1) {
                after -= 1;
            }
            let top = u16::try_from(self.frame_at(after)).ok()?;
            let val = self.read_slot(h - 1)?;
            let f = match self.int_const(h - 2) {
                Some(c) => store_at(op, val, top, c as u32)?,
                None => store_reg(op, self.read_slot(h - 2)?, val, top)?,
            };
            return Some((f, h - 2, after));
        }
        None
    }

    /// `local.set x` (or `local.tee x`) of the top operand, `h` high.
    fn set_local(&mut self, x: u32, h: u32, tee: bool) {
        let top = h - 1;
        // Lazy reads of `x` must see its value before the write.
        while let Some(i) = self.lazy.iter().position(|l| l.src == Src::Local(x) && l.at != top) {
            let at = self.lazy[i].at;
            if at < self.sp_vals { self.write_in_place(i) } else { self.push_lazy(at) }
        }
        match self.lazy_at(top) {
            Some(i) => {
                let src = self.lazy[i].src;
                if src != Src::Local(x) {
                    self.emit_here(src.write_to(x));
                }
                // `tee` leaves the same value on the stack, still lazy.
                if !tee {
                    self.lazy.remove(i);
                }
            }
            None => {
                debug_assert_eq!(self.sp_vals, h);
                self.emit_here(Op::LocalSet { index: x });
                self.sp_vals = top;
                if tee {
                    self.lazy.push(Lazy { at: top, src: Src::Local(x) });
                }
            }
        }
    }
}

/// The register form of `op` with constant right operand `c`, if it has one.
fn imm_reg_of(op: Op, c: i64, dst: u16, lhs: u16, h: u16) -> Option<Op> {
    super::fuse::imm_reg(imm_form(op, c)?, dst, lhs, h)
}
