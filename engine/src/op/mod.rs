//! The semantics of the numeric instructions, one small function each.
//!
//! These are the only definitions of what the instructions compute; the
//! interpreter loop only moves operands in and results out.

pub mod convert;
pub mod float;
pub mod int;
pub mod simd;

#[cfg(test)]
mod tests;
