//! Running a task while committing to its states: the posted commitment
//! (see `specs/commitments.md`), state roots at chosen steps, and the
//! machine at a chosen step for proving.

use crate::history::{Commitment, HistoryError, Layer};
use crate::merkle::Hash;
use crate::state::Hasher;
use crate::status::Status;
use crate::task::Run;

/// The first stride [`commit`] tries when none is given; it doubles until
/// the commitment has at most [`crate::history::DEFAULT_MAX_LEAVES`] leaves.
/// A state root costs about 0.1-1 ms (mostly rehashing the memory pages
/// written since the last one); 2^22 steps take about 5 ms, so hashing
/// stays a small share of a committed run (`refute bench --proofs`).
pub const FIRST_STRIDE: u64 = 1 << 22;

/// A run and its posted commitment.
#[derive(Clone, Debug)]
pub struct Committed {
    /// Steps executed.
    pub steps: u64,
    /// How the run ended.
    pub status: Status,
    /// Root of the final state.
    pub final_root: Hash,
    /// The history commitment over the states at every `stride`-th step and the final one.
    pub history: Commitment,
    /// The state roots of the commitment's leaves, in step order.
    pub roots: Vec<Hash>,
}

/// Runs `run` to its end, hashing the state every `stride` steps (or, with
/// `None`, at a power-of-two stride chosen so the commitment has at most
/// [`crate::history::DEFAULT_MAX_LEAVES`] leaves), and commits to them.
pub fn commit(run: &mut Run, stride: Option<u64>) -> Result<Committed, HistoryError> {
    let max_leaves = crate::history::DEFAULT_MAX_LEAVES as usize;
    let mut stride_now = stride.unwrap_or(FIRST_STRIDE).max(1);
    let mut h = Hasher::new(&run.machine);
    let start = run.machine.steps();
    let mut roots = vec![h.root(&run.machine)];
    let status = loop {
        let next = start + roots.len() as u64 * stride_now;
        let cap = next.min(run.max_steps());
        h.run(&mut run.machine, cap);
        let s = run.run_until(next);
        if s != Status::Running {
            break s;
        }
        roots.push(h.root(&run.machine));
        if stride.is_none() && roots.len() >= max_leaves {
            // Keep every other state: the stride doubles.
            roots = roots.into_iter().step_by(2).collect();
            stride_now *= 2;
        }
    };
    let end = run.machine.steps();
    let final_root = h.root(&run.machine);
    // States at multiples of the stride strictly before the end, then the end.
    let before = ((end - start).div_ceil(stride_now)) as usize;
    roots.truncate(before.max(1));
    if end > start {
        roots.push(final_root);
    }
    let layer = Layer::new(start, end, stride_now)?;
    let history = Commitment::build(layer, &roots)?;
    Ok(Committed { steps: end, status, final_root, history, roots })
}

/// Snapshots of a run at regular steps, so that any state can be reached by
/// re-executing at most one interval: what a player keeps while a dispute
/// narrows (see `specs/commitments.md`, "Checkpoints").
#[derive(Clone, Debug)]
pub struct Checkpoints {
    every: u64,
    budget: usize,
    snaps: Vec<(u64, Run)>,
}

/// Default interval between checkpoints: 2^24 steps (about 25 ms of execution).
pub const CHECKPOINT_EVERY: u64 = 1 << 24;

/// Default memory budget for checkpoints: 1 GiB.
pub const CHECKPOINT_BUDGET: usize = 1 << 30;

impl Checkpoints {
    /// Runs `run` to its end, keeping a snapshot every `every` steps. When
    /// the snapshots would exceed `budget` bytes, every other one is dropped
    /// and the interval doubles.
    pub fn record(run: &mut Run, every: u64, budget: usize) -> Checkpoints {
        Checkpoints::record_with(run, every, budget, &mut |_| {})
    }

    /// As [`Checkpoints::record`], telling `progress` the step reached after
    /// each snapshot (so a caller can show progress or give up waiting).
    pub fn record_with(
        run: &mut Run,
        every: u64,
        budget: usize,
        progress: &mut dyn FnMut(u64),
    ) -> Checkpoints {
        let mut c =
            Checkpoints { every: every.max(1), budget, snaps: vec![(run.machine.steps(), compact(run))] };
        loop {
            let next = c.snaps.last().map_or(0, |s| s.0) + c.every;
            if run.run_until(next) != Status::Running {
                return c;
            }
            c.snaps.push((next, compact(run)));
            progress(next);
            while c.bytes() > c.budget && c.snaps.len() > 2 {
                let first = c.snaps[0].0;
                c.every *= 2;
                c.snaps.retain(|(s, _)| (s - first).is_multiple_of(c.every));
            }
        }
    }

    /// A run at `step` (or at the end, if the run ends sooner), from the
    /// nearest snapshot at or before it.
    pub fn run_at(&self, step: u64) -> Run {
        let i = self.snaps.partition_point(|(s, _)| *s <= step).saturating_sub(1);
        let mut run = self.snaps[i].1.clone();
        run.machine.expand_stack();
        run.run_until(step);
        run
    }

    /// The interval between snapshots now.
    pub fn every(&self) -> u64 {
        self.every
    }

    /// Number of snapshots.
    pub fn len(&self) -> usize {
        self.snaps.len()
    }

    /// Whether there are none (never: the start is always kept).
    pub fn is_empty(&self) -> bool {
        self.snaps.is_empty()
    }

    /// Approximate bytes held.
    pub fn bytes(&self) -> usize {
        self.snaps.iter().map(|(_, r)| r.machine.approx_bytes()).sum()
    }
}

/// A copy of `run` whose value stack is cut after its last non-zero slot.
fn compact(run: &Run) -> Run {
    let mut r = run.clone();
    r.machine.shrink_stack();
    r
}
