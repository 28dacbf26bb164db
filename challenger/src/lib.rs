//! refute's bots: the challenger, and the solver that posts and defends
//! its claim (`specs/bots.md`).
//!
//! - [`play`]: the honest player's strategy, pure functions from a game and
//!   what the player knows of the run to its next message.
//! - [`trace::RunTrace`] answers the questions a dispute asks of a long run
//!   (the state root at any step, the proof of any step) from checkpoints.
//! - [`client::Client`] talks to an arbiter over HTTP and its event stream.
//! - [`player::Player`] is what every bot holds: the client, a [`player::Signer`]
//!   that keeps the nonce, the parameters, its RocksDB [`store::Store`] and
//!   the traces of the runs it plays.
//! - [`bot::Bot`] is the loop: it plays every game of its key and, as a
//!   challenger, checks claims ([`check`]) and challenges wrong ones; on a
//!   committee it attests with a commitment and discloses it in the audit
//!   ([`duty`]); as a registered solver it answers the jobs drawn to it ([`answer`]);
//!   as a checker it builds a job's trace at the job's post ([`prebuild`]).
//! - [`post::post`] posts a claim, with what it shares with a job's post
//!   ([`posting`]); [`lie`] holds the test-only lies.
//! - [`oracle`] runs a task under wasmi: the fast path.
//! - [`threads::Threads`] lends the engine two threads to hash a module's code.

pub mod answer;
pub mod bot;
pub mod check;
pub mod client;
pub mod duty;
pub mod lie;
pub mod onchain;
pub mod onchain_bot;
pub mod onchain_duty;
pub mod onchain_jobs;
pub mod oracle;
pub mod play;
pub mod player;
pub mod post;
pub mod posting;
pub mod prebuild;
pub mod store;
pub mod threads;
pub mod trace;

pub use trace::RunTrace;
