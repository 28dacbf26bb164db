//! refute's arbiter: the referee of dispute games.
//!
//! - [`rules`]: the game rules, a pure function
//!   `(state, signed message, time) -> (state, events)` (`specs/protocol.md`).
//! - [`db`]: RocksDB storage, one atomic write batch per transition.
//! - [`log`]: the signed, hash-chained event log anyone can replay.
//! - [`service`]: the rules behind the log and an HTTP API (axum).
//!
//! Storage and HTTP are thin shells around the rules.

pub mod db;
pub mod log;
pub mod rules;
pub mod service;
