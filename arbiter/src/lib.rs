//! refute's embedded referee: the pure game of `refute_protocol` behind a
//! durable log and an HTTP API.
//!
//! - [`db`]: RocksDB storage, one atomic write batch per transition;
//!   [`archive`] the claims and games that have ended, which leave memory.
//! - [`keyfile`]: the arbiter's (and a player's) key file.
//! - [`service`]: the writer that applies the rules and appends the signed
//!   log, one synced write batch per group of transitions.
//! - [`http`]: the HTTP API (axum) and the server; [`extract`] its extractors,
//!   whose rejections are JSON errors; [`lists`] the claim and game routes,
//!   merging memory with the archive; [`web`] adds the web view
//!   and the transcript route, built by [`transcripts`].
//!
//! Storage and HTTP are thin shells around `refute_protocol`'s rules.

pub mod archive;
pub mod db;
pub mod extract;
pub mod game_index;
pub mod http;
pub mod keyfile;
pub mod lists;
pub mod service;
pub mod transcripts;
pub mod web;
