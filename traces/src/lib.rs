//! Dispute transcripts (`specs/transcript.md`).
//!
//! A transcript is one game's share of the arbiter's signed log: entry 0
//! (which binds the arbiter's key and the parameters), the entry that posted
//! the claim, and every entry with an event of the game, each as the
//! arbiter signed it, with the players' signed messages inside. It is
//! written as JSON or in a compact binary form ([`mod@format`], [`binary`]).
//!
//! - [`build`]: which entries concern a game ([`build::Index`]), and the
//!   transcript from them.
//! - [`check()`]: verification offline, trusting no one: the arbiter's
//!   signatures and hash links, then the arbiter's own pure rules replay the
//!   game from the players' signed moves and must give every event the
//!   arbiter recorded and the verdict. It tells the story on the way
//!   ([`Timeline`]).
//! - [`outputs`]: a claim's output files, checked against its final state.
//! - [`text`], [`html`]: the timeline for the terminal and the browser
//!   (the arbiter serves the pages); [`fetch`]: a transcript from a running
//!   arbiter.

pub mod binary;
pub mod build;
mod check;
pub mod fetch;
pub mod format;
pub mod html;
pub mod outputs;
#[cfg(test)]
mod tests;
pub mod text;
pub mod timeline;

pub use check::{check, short, step_view};
pub use format::{FormatError, Inputs, Transcript};
pub use timeline::{Failure, Timeline};
