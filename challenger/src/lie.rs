//! Stories a player tells about a run: the truth, or (for tests only) a
//! lie (`specs/bots.md`, "Lies").
//!
//! Lies exist so the end-to-end tests and the demo can put real bot
//! processes against a dishonest opponent. An honest bot never uses them;
//! the command line marks their options as test-only.

use std::sync::Arc;

use crate::play::Trace;
use refute_engine::merkle::MemoryTree;
use refute_engine::state::{Header, TreeId};
use refute_protocol::rules::B32;
use serde::{Deserialize, Serialize};

use crate::RunTrace;

/// The output a lying final state claims.
pub const FAKE_STDOUT: &[u8] = b"refute test lie: this output is made up\n";

/// A lie (test-only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "lie")]
pub enum Lie {
    /// The state after step `step` (at least 1) and every later state are
    /// made up; the final state claims another output.
    At {
        /// The first wrong state.
        step: u64,
    },
    /// Every state before the halt is true; the final state claims another output.
    Output,
    /// As `At`, but the posted history root is from another made-up story
    /// than the one played: the player equivocates.
    Equivocate {
        /// The first wrong state.
        step: u64,
    },
}

/// A story about a run: the true trace, or a lie built on it. Implements
/// [`Trace`], padded to the run's step limit like the true trace.
#[derive(Clone, Debug)]
pub struct Story {
    real: Arc<RunTrace>,
    /// First made-up state (`u64::MAX`: none).
    from: u64,
    /// Which made-up story (equivocation tells two).
    salt: u8,
    final_root: B32,
    final_header: Header,
    stdout: Vec<u8>,
}

impl Story {
    /// The truth about `real`.
    pub fn honest(real: Arc<RunTrace>) -> Story {
        Story {
            from: u64::MAX,
            salt: 0,
            final_root: real.final_root(),
            final_header: real.final_header(),
            stdout: real.stdout().to_vec(),
            real,
        }
    }

    /// The story `lie` tells about `real` (the truth for `None`); `posted`
    /// selects, for an equivocating liar, the story behind its posted
    /// history root rather than the one it plays.
    pub fn new(real: Arc<RunTrace>, lie: Option<Lie>, posted: bool) -> Story {
        let from = match lie {
            None => return Story::honest(real),
            Some(Lie::At { step } | Lie::Equivocate { step }) => step.clamp(1, real.halt()),
            Some(Lie::Output) => real.halt(),
        };
        let salt = u8::from(posted && matches!(lie, Some(Lie::Equivocate { .. })));
        let mut header = real.final_header();
        header.stdout_len = FAKE_STDOUT.len() as u64;
        header.roots[TreeId::Stdout as usize] =
            MemoryTree::with_depth(TreeId::Stdout.depth()).root(FAKE_STDOUT);
        Story {
            from,
            salt,
            final_root: B32(header.root()),
            final_header: header,
            stdout: FAKE_STDOUT.to_vec(),
            real,
        }
    }

    /// The final state's root in this story.
    pub fn final_root(&self) -> B32 {
        self.final_root
    }

    /// The final state's header in this story.
    pub fn final_header(&self) -> &Header {
        &self.final_header
    }

    /// The stdout this story claims.
    pub fn stdout(&self) -> &[u8] {
        &self.stdout
    }
}

impl Trace for Story {
    fn root(&self, step: u64) -> B32 {
        if step < self.from {
            return self.real.root(step);
        }
        if step >= self.real.halt() {
            return self.final_root;
        }
        B32::sha256(&[b"refute test lie\0", &[self.salt], &step.to_le_bytes()])
    }

    fn step_proof(&self, step: u64) -> Vec<u8> {
        // A liar has no proof of its made-up step; it sends the true one,
        // which the arbiter finds leads elsewhere.
        self.real.step_proof(step)
    }
}
