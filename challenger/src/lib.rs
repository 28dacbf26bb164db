//! refute's bots: a player's knowledge of a run and, built on it, the
//! challenger and the solver that posts and defends a claim.
//!
//! [`trace::RunTrace`] answers the questions a dispute asks of a long run
//! (the state root at any step, the proof of any step) from checkpoints, by
//! re-executing at most one checkpoint interval per answer (`specs/bots.md`).

pub mod trace;

pub use trace::RunTrace;
