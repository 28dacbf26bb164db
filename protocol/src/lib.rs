//! refute's protocol: the dispute game every party must agree on, as pure
//! functions of their inputs (`specs/protocol.md`, `specs/log.md`).
//!
//! - [`rules`]: the game, a state machine `(state, signed message, time) ->
//!   (state, events)`; messages, events, parameters and their hash.
//! - [`log`]: the signed, hash-chained log's entries and chain.
//! - [`record`]: what one log entry records, and replaying it.
//! - [`inputs`]: a claim's inputs ([`inputs::ClaimInputs`]) and the engine run
//!   they describe.
//!
//! No async runtime, database, network, clock or randomness: time is an
//! input and keys come from the caller (`tests/architecture.rs` checks it).
//! The arbiter (storage, HTTP), the bots and the offline transcript checker
//! are shells around this crate.

pub mod inputs;
pub mod log;
pub mod record;
pub mod rules;
