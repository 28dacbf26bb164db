//! The machine: a store plus the execution state of one invocation.

use crate::access::{Direct, Dirty, Slots, Stack};
use crate::exec::run_threaded;
use crate::frame::{Frame, HALT, Regs};
use crate::host;
use crate::host_state::{HostState, HostStep};
use crate::limits::MAX_STACK_SLOTS;
use crate::status::Status;
use crate::store::{FuncKind, HostFunc, Store};
use crate::value::{ValType, Value};
use thiserror::Error;

/// Why an invocation could not start (the embedder's mistake, not the guest's).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CallError {
    /// Wrong number of arguments.
    #[error("expected {expected} arguments, got {got}")]
    ArgumentCount {
        /// Parameters of the function.
        expected: usize,
        /// Arguments supplied.
        got: usize,
    },
    /// An argument of the wrong type.
    #[error("argument {index} should be {expected}, got {got}")]
    ArgumentType {
        /// Zero-based argument position.
        index: usize,
        /// Declared parameter type.
        expected: ValType,
        /// Supplied type.
        got: ValType,
    },
    /// No function at that address.
    #[error("no function at address {0}")]
    NoSuchFunction(u32),
}

/// A store and the state of the current invocation: value stack, call
/// frames, program counter, step counter, status and host state.
#[derive(Clone, Debug)]
pub struct Machine {
    /// Every function, table, memory, global and segment.
    pub store: Store,
    /// Deterministic host state (WASI input, output, exit code).
    pub host: HostState,
    pub(crate) stack: Vec<u64>,
    pub(crate) frames: Vec<Frame>,
    pub(crate) regs: Regs,
    results: Vec<ValType>,
    /// An invocation of a host function directly (no WebAssembly frame).
    pub(crate) pending_host: Option<HostFunc>,
}

impl Machine {
    /// A machine with an empty store.
    pub fn new(host: HostState) -> Machine {
        Machine {
            store: Store::default(),
            host,
            stack: vec![0; MAX_STACK_SLOTS],
            frames: Vec::new(),
            regs: Regs { pc: 0, sp: 0, fp: 0, steps: 0, status: Status::Finished },
            results: Vec::new(),
            pending_host: None,
        }
    }

    /// Steps executed so far (over all invocations).
    pub fn steps(&self) -> u64 {
        self.regs.steps
    }

    /// The current status.
    pub fn status(&self) -> Status {
        self.regs.status
    }

    pub(crate) fn set_status(&mut self, s: Status) {
        self.regs.status = s;
    }

    /// The index in the store's code of the instruction the next step executes.
    pub fn pc(&self) -> u32 {
        self.regs.pc
    }

    /// The instruction the next step executes, if the machine is running
    /// WebAssembly code.
    pub fn next_op(&self) -> Option<crate::isa::Op> {
        if self.regs.status != Status::Running || self.pending_host.is_some() {
            return None;
        }
        self.store.code.get(self.regs.pc as usize).copied()
    }

    /// Starts an invocation of the function at `func` with `args`. Run it with [`Machine::run`].
    pub fn invoke(&mut self, func: u32, args: &[Value]) -> Result<(), CallError> {
        let f = self.store.funcs.get(func as usize).ok_or(CallError::NoSuchFunction(func))?;
        let ty = &self.store.types[f.ty as usize];
        if ty.params.len() != args.len() {
            return Err(CallError::ArgumentCount { expected: ty.params.len(), got: args.len() });
        }
        for (index, (a, p)) in args.iter().zip(&ty.params).enumerate() {
            if a.ty() != *p {
                return Err(CallError::ArgumentType { index, expected: *p, got: a.ty() });
            }
        }
        self.results = ty.results.clone();
        self.frames.clear();
        let slots = args.iter().flat_map(|a| a.to_slots());
        let mut nargs = 0;
        for (slot, a) in self.stack.iter_mut().zip(slots) {
            *slot = a;
            nargs += 1;
        }
        self.regs.sp = nargs;
        self.regs.fp = 0;
        self.regs.status = Status::Running;
        match f.kind {
            FuncKind::Wasm { entry, nlocals, frame_size, .. } => {
                // The call's frame set-up, without counting a step.
                self.frames.push(Frame { ret_pc: HALT, fp: 0 });
                if frame_size as usize > self.stack.len() {
                    self.regs.status = Status::Trapped(crate::TrapKind::ValueStackExhausted);
                    return Ok(());
                }
                self.stack[nargs as usize..(nargs + nlocals) as usize].fill(0);
                self.regs.sp += nlocals;
                self.regs.pc = entry;
            }
            FuncKind::Host { func, .. } => self.pending_host = Some(func),
        }
        Ok(())
    }

    /// Starts executing the code at `pc` as the entry frame, with an empty
    /// stack; returning from it finishes with `results`. Not a step.
    pub(crate) fn start_at(&mut self, pc: u32, results: Vec<ValType>) {
        self.results = results;
        self.frames.clear();
        self.frames.push(Frame { ret_pc: HALT, fp: 0 });
        self.regs.sp = 0;
        self.regs.fp = 0;
        self.regs.pc = pc;
        self.regs.status = Status::Running;
    }

    /// Executes steps until the status is no longer `Running` or the step
    /// counter reaches `until`. Returns the status.
    pub fn run(&mut self, until: u64) -> Status {
        if self.regs.steps >= until {
            return self.regs.status;
        }
        if let Some(h) = self.pending_host.take() {
            self.call_host_entry(h, until);
            return self.regs.status;
        }
        self.run_direct::<false>(None, until);
        self.regs.status
    }

    /// As [`Machine::run`] without a pending host call, recording what
    /// changes in `dirty` for lazy hashing (`state::Hasher`).
    pub(crate) fn run_tracked(&mut self, dirty: &mut Dirty, until: u64) {
        self.run_direct::<true>(Some(dirty), until);
    }

    /// The threaded loop over the machine's own state (`Direct`, tracking
    /// changes when `TRACK`); a store of at most one memory takes `Direct`'s
    /// `ONE` form, whose loads and stores skip their memory operand.
    fn run_direct<const TRACK: bool>(&mut self, dirty: Option<&mut Dirty>, until: u64) {
        let Machine { store, host, stack, frames, regs, .. } = self;
        let longest = store.longest_run;
        if store.memories.len() <= 1 {
            let world = Direct::<TRACK, true>::new(store, host, frames, dirty);
            run_threaded(regs, Slots::new(stack), world, until, longest);
        } else {
            let world = Direct::<TRACK, false>::new(store, host, frames, dirty);
            run_threaded(regs, Slots::new(stack), world, until, longest);
        }
    }

    /// As [`Machine::run`], marking in `dirty` what changes (for
    /// checkpoints). A host function invoked as the entry runs unmarked, so
    /// then everything is marked. Returns the status.
    pub(crate) fn run_marking(&mut self, dirty: &mut Dirty, until: u64) -> Status {
        if self.pending_host.is_none() {
            self.run_tracked(dirty, until);
            return self.regs.status;
        }
        self.run(until);
        let s = &self.store;
        dirty.memories.iter_mut().zip(&s.memories).for_each(|(t, x)| t.mark_dirty(0, x.data.len()));
        dirty.tables.iter_mut().zip(&s.tables).for_each(|(t, x)| t.mark_dirty(0, x.elems.len() * 8));
        dirty.globals.mark_dirty(0, s.globals.len() * 8);
        (dirty.stack_low, dirty.stack_high) = (0, self.stack.len());
        self.regs.status
    }

    /// Invokes a host function directly as the entry function: one step
    /// (or one per micro-step of a call that moves many bytes, up to `until`).
    fn call_host_entry(&mut self, h: HostFunc, until: u64) {
        let nargs = self.regs.sp as usize;
        let Machine { store, host, stack, frames, regs, pending_host, .. } = self;
        let mut world = Direct::<false>::new(store, host, frames, None);
        let mut stack = Slots::new(stack);
        let args = stack.at(0);
        loop {
            let step = regs.steps;
            regs.steps += 1;
            match host::step(&mut stack, &mut world, h, args, nargs, step) {
                HostStep::Again if regs.steps < until => {}
                HostStep::Again => {
                    *pending_host = Some(h);
                    return;
                }
                HostStep::Done(result) => {
                    regs.sp = result.is_some() as u32;
                    regs.status = Status::Finished;
                    return;
                }
                HostStep::End(s) => {
                    regs.status = s;
                    return;
                }
            }
        }
    }

    /// Runs to completion, or marks the machine `OutOfSteps` at `max_steps`.
    pub fn run_to_end(&mut self, max_steps: u64) -> Status {
        self.run(max_steps);
        if self.regs.status == Status::Running {
            self.regs.status = Status::OutOfSteps;
        }
        self.regs.status
    }

    /// The results of a finished invocation.
    pub fn results(&self) -> Vec<Value> {
        let mut at = 0;
        let mut out = Vec::with_capacity(self.results.len());
        for t in &self.results {
            let n = t.slots() as usize;
            out.push(Value::from_slots(*t, &self.stack[at..at + n]));
            at += n;
        }
        out
    }
}
