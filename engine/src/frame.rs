//! The execution state that is not a vector: the registers and a saved
//! call frame. Plain data at the bottom of the engine's layers, shared by
//! the machine, the step code and the state commitment.

use crate::status::Status;

/// Return address marking the entry frame: returning through it finishes the run.
pub const HALT: u32 = u32::MAX;

/// A saved caller frame.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Frame {
    pub ret_pc: u32,
    pub fp: u32,
}

/// The registers: everything of the execution state that is not a vector.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Regs {
    pub pc: u32,
    pub sp: u32,
    pub fp: u32,
    pub steps: u64,
    pub status: Status,
}
