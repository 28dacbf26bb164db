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

/// Advances `run` to `step` (or its end, if sooner) and returns the status.
pub fn run_to(run: &mut Run, step: u64) -> Status {
    run.run_until(step)
}
