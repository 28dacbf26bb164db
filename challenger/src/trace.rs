//! A player's trace of a real, long run (`specs/bots.md`, "Traces").
//!
//! [`RunTrace`] runs a task once to its end, keeping [`Checkpoints`], and
//! then answers [`Trace`] questions by restoring the nearest checkpoint and
//! re-executing, with a [`Hasher`], to the step asked about. The trace is
//! padded to `T = max_steps` (`specs/protocol.md` §5.2): at and after the
//! halt every step's root is the final root, and its proof the final
//! state's.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use crate::play::Trace;
use crate::threads::Threads;
use refute_engine::proof::{Proof, ProveError, prove_step};
use refute_engine::state::{Hasher, Header};
use refute_engine::trace::{CHECKPOINT_BUDGET, CHECKPOINT_EVERY, Checkpoints};
use refute_engine::{Run, Status};
use refute_protocol::rules::B32;

/// How many computed state roots a [`RunTrace`] remembers (about 40 bytes
/// each). A dissection round asks for at most `max_leaves` roots of one
/// layer, and the honest player recommits to the whole current layer each
/// round, so the roots of the current layer are computed once per layer,
/// not once per round. When full, the memo is emptied.
pub const MEMO_ROOTS: usize = 1 << 16;

/// What a [`RunTrace`] has done to answer questions so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TraceStats {
    /// Times a checkpoint was restored (the cursor could not continue forward).
    pub restores: u64,
    /// Steps re-executed with hashing, in total.
    pub replayed: u64,
    /// Roots answered from the memo.
    pub memo_hits: u64,
}

/// A machine positioned at some step before the halt, with the hasher that
/// has followed it since it was restored.
struct Cursor {
    run: Run,
    hasher: Hasher,
}

/// The mutable part of a [`RunTrace`].
#[derive(Default)]
struct Cache {
    cursor: Option<Cursor>,
    /// The hasher of the final state, renewed for the first cursor: the
    /// code's trees are hashed once per trace (1.1 s for yosys).
    spare: Option<Hasher>,
    memo: BTreeMap<u64, B32>,
    stats: TraceStats,
}

/// A run's trace, padded to its step limit, reconstructed on demand from
/// checkpoints. Implements [`Trace`].
///
/// Answering the root or proof at a step `s` before the halt costs
/// re-executing at most one checkpoint interval: from the checkpoint at or
/// before `s`, or from where the previous answer left the machine, if that
/// is at or before `s` and not before that checkpoint. So answering
/// increasing steps (as [`RunTrace::roots`] does, and as a round's
/// commitment asks) is one forward pass. The cache is behind a mutex, so a
/// `RunTrace` is `Sync`; concurrent questions are answered one at a time.
pub struct RunTrace {
    checkpoints: Checkpoints,
    start: u64,
    halt: u64,
    total: u64,
    status: Status,
    final_root: B32,
    final_proof: Vec<u8>,
    stdout: Vec<u8>,
    /// Roots computed while the trace was built (a posted layer's leaves),
    /// kept for the trace's life: about 40 bytes each.
    known: BTreeMap<u64, B32>,
    /// The final file system (file bytes shared with the run's, `Arc`).
    fs: refute_engine::fs::Fs,
    cache: Mutex<Cache>,
}

impl std::fmt::Debug for RunTrace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunTrace")
            .field("start", &self.start)
            .field("halt", &self.halt)
            .field("total", &self.total)
            .field("status", &self.status)
            .field("final_root", &self.final_root)
            .field("checkpoints", &self.checkpoints.len())
            .field("every", &self.checkpoints.every())
            .finish_non_exhaustive()
    }
}

impl RunTrace {
    /// Runs `run` to its end (or its step limit `T = run.max_steps()`), with
    /// a checkpoint every [`CHECKPOINT_EVERY`] steps under
    /// [`CHECKPOINT_BUDGET`] bytes.
    ///
    /// Fails when the run's steps cannot be proven at all (the step from
    /// the initial state or from the final state cannot be proven: the
    /// module's host calls use a memory other than memory 0, say).
    pub fn new(run: Run) -> Result<RunTrace, ProveError> {
        RunTrace::with_checkpoints(run, CHECKPOINT_EVERY, CHECKPOINT_BUDGET)
    }

    /// As [`RunTrace::new`], with a checkpoint every `every` steps under
    /// `budget` bytes (past the budget the interval doubles, see
    /// [`Checkpoints::record`]). The trace starts at the step `run` is at.
    pub fn with_checkpoints(run: Run, every: u64, budget: usize) -> Result<RunTrace, ProveError> {
        RunTrace::build(run, every, budget, &mut |_| {})
    }

    /// As [`RunTrace::with_checkpoints`], telling `progress` the step
    /// reached at each checkpoint while the run is executed.
    pub fn build(
        run: Run,
        every: u64,
        budget: usize,
        progress: &mut dyn FnMut(u64),
    ) -> Result<RunTrace, ProveError> {
        RunTrace::build_with_roots(run, every, budget, None, progress)
    }

    /// As [`RunTrace::build`], and with `roots = Some(stride)` the roots at
    /// every multiple of `stride` from the start computed in the same run
    /// and kept ([`Checkpoints::record_with_roots`]): with the posted
    /// layer's stride, the commitment to post needs no second pass.
    pub fn build_with_roots(
        mut run: Run,
        every: u64,
        budget: usize,
        roots: Option<u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<RunTrace, ProveError> {
        let start = run.machine.steps();
        // One hasher, renewed from state to state: the code's trees (and
        // the whole code's, which proofs open) are hashed once.
        let mut hasher = Hasher::new_with(&run.machine, &Threads);
        prove_step(&run.machine, &mut hasher)?;
        let (checkpoints, known, hasher) = match roots {
            Some(stride) => Checkpoints::record_hashing(&mut run, every, budget, stride, hasher, progress),
            None => (Checkpoints::record_with(&mut run, every, budget, progress), Vec::new(), hasher),
        };
        let m = &run.machine;
        let mut hasher = hasher.renew(m);
        let final_root = B32(hasher.root(m));
        let final_proof = prove_step(m, &mut hasher)?.encode();
        Ok(RunTrace {
            checkpoints,
            start,
            halt: m.steps(),
            total: run.max_steps(),
            status: m.status(),
            final_root,
            final_proof,
            stdout: m.host.stdout.clone(),
            known: known.into_iter().map(|(s, r)| (s, B32(r))).collect(),
            fs: m.host.fs.clone(),
            cache: Mutex::new(Cache { spare: Some(hasher), ..Cache::default() }),
        })
    }

    /// The step the trace starts at (0 for a fresh [`Run`]); earlier steps
    /// are answered as this one.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// The step count of the final state: the run halted there, or was cut
    /// at its limit.
    pub fn halt(&self) -> u64 {
        self.halt
    }

    /// The step limit `T` the trace is padded to.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// How the run ended.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The final state's root (the root at every step from [`RunTrace::halt`] on).
    pub fn final_root(&self) -> B32 {
        self.final_root
    }

    /// The final state's header (what a claim carries as `final_header`).
    pub fn final_header(&self) -> Header {
        Proof::decode(&self.final_proof).expect("the trace's own final proof decodes").header
    }

    /// The final state's output files blob (`refute_engine::outputs`), if
    /// the task preopened any directory: what a claim names as `outputs`.
    pub fn outputs(&self) -> Option<Vec<u8>> {
        (self.fs.regs.nodes > 0).then(|| refute_engine::outputs::encode_fs(&self.fs))
    }

    /// What the run wrote to stdout, in full.
    pub fn stdout(&self) -> &[u8] {
        &self.stdout
    }

    /// The checkpoints kept (for their interval, count and size).
    pub fn checkpoints(&self) -> &Checkpoints {
        &self.checkpoints
    }

    /// What answering questions has cost so far.
    pub fn stats(&self) -> TraceStats {
        self.lock().stats
    }

    /// Forgets the cursor and the remembered roots (to free their memory,
    /// or to measure a cold answer); the checkpoints stay.
    pub fn clear_cache(&self) {
        let mut cache = self.lock();
        cache.cursor = None;
        cache.memo.clear();
    }

    /// The state roots at `steps`, in the same order. Increasing steps are
    /// answered in one forward pass, restoring a checkpoint only to skip
    /// over a whole interval; any order gives the same answers.
    pub fn roots(&self, steps: &[u64]) -> Vec<B32> {
        let mut cache = self.lock();
        steps.iter().map(|&s| self.root_in(&mut cache, s)).collect()
    }

    /// The encoded proof (`Proof::encode`) of the step from the state at
    /// `step`; at or after the halt, the final state's proof (a halted state
    /// steps to itself). Fails when the engine cannot prove that step.
    pub fn try_step_proof(&self, step: u64) -> Result<Vec<u8>, ProveError> {
        let step = step.max(self.start);
        if step >= self.halt {
            return Ok(self.final_proof.clone());
        }
        let mut cache = self.lock();
        let cursor = self.seek(&mut cache, step);
        Ok(prove_step(&cursor.run.machine, &mut cursor.hasher)?.encode())
    }

    fn lock(&self) -> MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(|poisoned| {
            // A panic mid-answer may have left the cursor half-advanced:
            // forget it (the memo only holds finished answers).
            let mut cache = poisoned.into_inner();
            cache.cursor = None;
            self.cache.clear_poison();
            cache
        })
    }

    fn root_in(&self, cache: &mut Cache, step: u64) -> B32 {
        let step = step.max(self.start);
        if step >= self.halt {
            return self.final_root;
        }
        if let Some(&r) = self.known.get(&step).or_else(|| cache.memo.get(&step)) {
            cache.stats.memo_hits += 1;
            return r;
        }
        let cursor = self.seek(cache, step);
        let root = B32(cursor.hasher.root(&cursor.run.machine));
        if cache.memo.len() >= MEMO_ROOTS {
            cache.memo.clear();
        }
        cache.memo.insert(step, root);
        root
    }

    /// Positions the cursor at `step`, which is in `[start, halt)`.
    fn seek<'c>(&self, cache: &'c mut Cache, step: u64) -> &'c mut Cursor {
        let every = self.checkpoints.every();
        let base = self.start + (step - self.start) / every * every;
        let at = cache.cursor.as_ref().map(|c| c.run.machine.steps());
        if !at.is_some_and(|at| base <= at && at <= step) {
            let run = self.checkpoints.run_at(base);
            // The code's trees carry over from the last cursor (a run's
            // code never changes): only the rest is hashed again.
            let hasher = match cache.cursor.take().map(|old| old.hasher).or_else(|| cache.spare.take()) {
                Some(old) => old.renew(&run.machine),
                None => Hasher::new_with(&run.machine, &Threads),
            };
            cache.cursor = Some(Cursor { run, hasher });
            cache.stats.restores += 1;
        }
        let cursor = cache.cursor.as_mut().expect("the cursor was just set");
        cache.stats.replayed += step - cursor.run.machine.steps();
        cursor.hasher.run(&mut cursor.run.machine, step);
        debug_assert_eq!(cursor.run.machine.steps(), step, "the run halts at {}", self.halt);
        cursor
    }
}

impl Trace for RunTrace {
    fn root(&self, step: u64) -> B32 {
        let mut cache = self.lock();
        self.root_in(&mut cache, step)
    }

    /// The proof of [`RunTrace::try_step_proof`], or, when the engine
    /// cannot prove the step, no bytes (which the arbiter refuses as
    /// `bad_proof`: an honest player cannot do better).
    fn step_proof(&self, step: u64) -> Vec<u8> {
        self.try_step_proof(step).unwrap_or_default()
    }
}
