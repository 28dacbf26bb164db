//! Running a task while committing to its states: the posted commitment
//! (see `specs/commitments.md`), state roots at chosen steps, and the
//! machine at a chosen step for proving.

use crate::history::{Commitment, HistoryError, Layer};
use crate::merkle::Hash;
use crate::snapshot::{Fixed, Snapshot, marks};
use crate::state::{Hasher, InTurn, Join};
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
    commit_with(run, stride, &InTurn)
}

/// As [`commit`], hashing the code's two halves as `j` joins them
/// ([`Hasher::new_with`]).
pub fn commit_with(run: &mut Run, stride: Option<u64>, j: &impl Join) -> Result<Committed, HistoryError> {
    let max_leaves = crate::history::DEFAULT_MAX_LEAVES as usize;
    let mut stride_now = stride.unwrap_or(FIRST_STRIDE).max(1);
    let mut h = Hasher::new_with(&run.machine, j);
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

/// Roots taken while recording checkpoints: every `stride` steps from
/// the start, by `hasher`, into `found`.
struct Rooting {
    stride: u64,
    hasher: Hasher,
    found: Vec<(u64, Hash)>,
}

/// Snapshots of a run at regular steps, so that any state can be reached by
/// re-executing at most one interval: what a player keeps while a dispute
/// narrows (see `specs/commitments.md`, "Checkpoints").
///
/// A snapshot costs what changed since the snapshot before it: its vectors
/// (memories, stack, tables, globals, segments, output) are 4 KiB pages
/// shared with it, all-zero pages are not stored, and the code, functions
/// and input are held once for all snapshots. So the first snapshot costs
/// the run's non-zero pages, and each later one the pages the run wrote
/// in its interval (each with up to 4 KiB of page table), plus a few KiB
/// for its registers and frames.
#[derive(Clone, Debug)]
pub struct Checkpoints {
    every: u64,
    budget: usize,
    fixed: Fixed,
    snaps: Vec<Snapshot>,
    /// What [`Checkpoints::bytes`] reports, kept up to date.
    bytes: usize,
}

/// Default interval between checkpoints: 2^24 steps (about 25 ms of execution).
pub const CHECKPOINT_EVERY: u64 = 1 << 24;

/// Default memory budget for checkpoints: 1 GiB.
pub const CHECKPOINT_BUDGET: usize = 1 << 30;

impl Checkpoints {
    /// Runs `run` to its end, keeping a snapshot every `every` steps. When
    /// the snapshots would exceed `budget` bytes (as [`Checkpoints::bytes`]
    /// counts them), every other one is dropped and the interval doubles;
    /// the first and the latest are kept whatever they cost.
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
        Checkpoints::record_with_roots(run, every, budget, None, progress).0
    }

    /// As [`Checkpoints::record_with`], and with `roots = Some(stride)` the
    /// state root at every multiple of `stride` steps from the start that the
    /// run reaches still running (the start included): the leaves of a
    /// posted layer (`specs/commitments.md`), computed in the same run, so a
    /// player's checking run is also its commitment's. A hasher follows the
    /// checkpoints' marks ([`Hasher`]'s `follow`); the file system is hashed
    /// whole at each of these roots.
    pub fn record_with_roots(
        run: &mut Run,
        every: u64,
        budget: usize,
        roots: Option<u64>,
        progress: &mut dyn FnMut(u64),
    ) -> (Checkpoints, Vec<(u64, Hash)>) {
        match roots {
            Some(stride) => {
                let hasher = Hasher::new(&run.machine);
                let (c, found, _) = Checkpoints::record_hashing(run, every, budget, stride, hasher, progress);
                (c, found)
            }
            None => (Checkpoints::record_inner(run, every, budget, None, progress), Vec::new()),
        }
    }

    /// As [`Checkpoints::record_with_roots`] with roots every `stride`
    /// steps, hashed by `hasher`, a hasher of the run's current state (say
    /// another one's [`Hasher::renew`]), which it gives back to be renewed
    /// for any later state: its code's trees carry over, so a player hashes
    /// its code once however many hashers it needs (for yosys, 1.1 s each).
    pub fn record_hashing(
        run: &mut Run,
        every: u64,
        budget: usize,
        stride: u64,
        hasher: Hasher,
        progress: &mut dyn FnMut(u64),
    ) -> (Checkpoints, Vec<(u64, Hash)>, Hasher) {
        let mut r = Rooting { stride: stride.max(1), hasher, found: Vec::new() };
        let c = Checkpoints::record_inner(run, every, budget, Some(&mut r), progress);
        (c, r.found, r.hasher)
    }

    /// Records checkpoints, and with `roots` the roots every stride steps.
    fn record_inner(
        run: &mut Run,
        every: u64,
        budget: usize,
        mut roots: Option<&mut Rooting>,
        progress: &mut dyn FnMut(u64),
    ) -> Checkpoints {
        let mut marks = marks(&run.machine);
        let start = run.machine.steps();
        if let Some(r) = roots.as_deref_mut() {
            r.found.push((start, r.hasher.root(&run.machine)));
        }
        let first = Snapshot::take(run, None, &mut marks);
        // The snapshot last taken, which the next one shares pages with
        // (thinning may have dropped it from the list; its marks go on).
        let mut latest = first.clone();
        let fixed = Fixed::of(&run.machine);
        let mut c = Checkpoints { every: every.max(1), budget, fixed, snaps: vec![first], bytes: 0 };
        c.bytes = c.count();
        loop {
            let snap_at = c.snaps.last().map_or(0, |s| s.step) + c.every;
            let root_at = roots.as_deref().map_or(u64::MAX, |r| start + r.found.len() as u64 * r.stride);
            let next = snap_at.min(root_at);
            if run.run_until_marking(next, &mut marks) != Status::Running {
                return c;
            }
            if next == root_at
                && let Some(r) = roots.as_deref_mut()
            {
                r.hasher.follow(&mut marks, &run.machine);
                r.found.push((next, r.hasher.root(&run.machine)));
            }
            if next != snap_at {
                continue;
            }
            // Taking the snapshot clears the marks: the hasher learns them first.
            if let Some(r) = roots.as_deref_mut() {
                r.hasher.follow(&mut marks, &run.machine);
            }
            let snap = Snapshot::take(run, Some(&latest), &mut marks);
            c.bytes += snap.own_bytes(c.snaps.last());
            c.snaps.push(snap.clone());
            latest = snap;
            progress(next);
            while c.bytes > c.budget && c.snaps.len() > 2 {
                let first = c.snaps[0].step;
                c.every *= 2;
                c.snaps.retain(|s| (s.step - first).is_multiple_of(c.every));
                c.bytes = c.count();
            }
        }
    }

    /// A run at `step` (or at the end, if the run ends sooner), from the
    /// nearest snapshot at or before it.
    pub fn run_at(&self, step: u64) -> Run {
        let i = self.snaps.partition_point(|s| s.step <= step).saturating_sub(1);
        let mut run = self.snaps[i].restore(&self.fixed);
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

    /// Bytes held, each shared page counted once: the fixed parts (code,
    /// functions, input), then per snapshot the pages and page tables it
    /// does not share with the snapshot before it, and about its machine
    /// without its vectors. (While recording, the pages of the latest
    /// snapshot taken, if thinning dropped it, come on top until the next.)
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// [`Checkpoints::bytes`], counted again.
    fn count(&self) -> usize {
        let mut prev = None;
        let mut n = self.fixed.bytes();
        for s in &self.snaps {
            n += s.own_bytes(prev);
            prev = Some(s);
        }
        n
    }
}
