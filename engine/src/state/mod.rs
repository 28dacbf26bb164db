//! The state commitment: the exact bytes hashed into a state root
//! (`specs/state.md` is the normative description; this is its code).
//!
//! A state is a fixed-size [`Header`]: the registers, plus the root of one
//! fixed-depth tree per vector of the machine (code, functions, globals,
//! stack, frames, outputs, and directories of memories, tables and
//! segments). The state root is the SHA-256 of the header's encoding.

mod code;
mod hasher;
mod layout;

pub use code::{InTurn, Join};
pub(crate) use code::{segment_leaf, segment_node};
pub use hasher::{Hasher, LimitError, check_limits, fs_roots, state_root};
pub(crate) use hasher::{frames_leaf, live_stack_top, running_at, slot_bytes};
pub use layout::*;

#[cfg(test)]
mod tests;
