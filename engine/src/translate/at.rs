//! Loads and stores at a constant address (`SEMANTICS_VERSION` 9,
//! `specs/execution.md` §2): C programs reach their globals with an
//! `i32.const` address and the global's offset, and a deferred constant
//! (`defer.rs`) becomes the instruction's `addr` field instead of a step of
//! its own.

use crate::isa::Op;

macro_rules! at_forms {
    (loads $($load:ident => $at:ident),*; stores $($store:ident => $sat:ident),*) => {
        /// The constant-address form of load `op` from `addr`, its result in
        /// slot `dst`, then `sp = fp + h`.
        pub(super) fn load_at(op: Op, dst: u16, h: u16, addr: u32) -> Option<Op> {
            match op {
                $(Op::$load { mem, offset } => {
                    Some(Op::$at { dst, h, mem: u16::try_from(mem).ok()?, addr, offset })
                })*
                _ => None,
            }
        }

        /// The constant-address form of store `op` of slot `val` at `addr`.
        pub(super) fn store_at(op: Op, val: u16, h: u16, addr: u32) -> Option<Op> {
            match op {
                $(Op::$store { mem, offset } => {
                    Some(Op::$sat { val, h, mem: u16::try_from(mem).ok()?, addr, offset })
                })*
                _ => None,
            }
        }

        /// A constant-address load whose result is the new top, writing local
        /// `x` instead (as a `local.set x` after it would).
        pub(super) fn load_at_to_local(op: Op, x: u16) -> Option<Op> {
            match op {
                $(Op::$at { dst, h, mem, addr, offset } if dst as u32 + 1 == h as u32 => {
                    Some(Op::$at { dst: x, h: h - 1, mem, addr, offset })
                })*
                _ => None,
            }
        }
    };
}

at_forms! {
    loads I32Load => I32LoadAt, I64Load => I64LoadAt, F32Load => F32LoadAt, F64Load => F64LoadAt,
        I32Load8S => I32Load8SAt, I32Load8U => I32Load8UAt, I32Load16S => I32Load16SAt,
        I32Load16U => I32Load16UAt, I64Load8S => I64Load8SAt, I64Load8U => I64Load8UAt,
        I64Load16S => I64Load16SAt, I64Load16U => I64Load16UAt, I64Load32S => I64Load32SAt,
        I64Load32U => I64Load32UAt;
    stores I32Store => I32StoreAt, I64Store => I64StoreAt, F32Store => F32StoreAt,
        F64Store => F64StoreAt, I32Store8 => I32Store8At, I32Store16 => I32Store16At,
        I64Store8 => I64Store8At, I64Store16 => I64Store16At, I64Store32 => I64Store32At
}
