//! Running a whole task: a module, its input and a step limit.
//!
//! A task is what a solver posts and a challenger re-executes. The module
//! is instantiated with the WASI host functions; then its start function
//! (if any) and the entry point run under one shared step budget.

use crate::access::Dirty;
use crate::fs::{Fs, FsError, Preopen, check_preopens};
use crate::host_state::HostState;
use crate::isa::Op;
use crate::machine::{CallError, Machine};
use crate::module::{ImportKind, Module};
use crate::status::Status;
use crate::store::{Extern, HostFunc, InstantiateError};
use crate::value::Value;
use crate::wasi;
use thiserror::Error;

/// What to run and with which input.
#[derive(Clone, Debug, Default)]
pub struct Task {
    /// Program arguments; `args[0]` is the program name.
    pub args: Vec<String>,
    /// Environment entries as `(name, value)`.
    pub env: Vec<(String, String)>,
    /// Bytes readable on stdin.
    pub stdin: Vec<u8>,
    /// Step limit; reaching it ends the run with [`Status::OutOfSteps`].
    pub max_steps: u64,
    /// Preopened directories, descriptors 3, 4, … in order: part of the
    /// initial state (`specs/host.md`, "Files").
    pub preopens: Vec<Preopen>,
}

/// The entry point of a task.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// The WASI command entry point `_start`.
    Start,
    /// An exported function called with these arguments.
    Invoke(String, Vec<Value>),
}

/// Why a task could not start. A guest failure is never a `TaskError`:
/// it is the final [`Status`] of the machine.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum TaskError {
    /// An import no host function satisfies.
    #[error("unknown import {module}.{name}: only functions of {} can be imported", wasi::MODULE)]
    UnknownImport {
        /// Import module.
        module: String,
        /// Import name.
        name: String,
    },
    /// A WASI import whose declared type is not the one WASI defines.
    #[error("import {}.{name} has type {ty}, which is not its WASI preview1 signature", wasi::MODULE)]
    BadWasiImport {
        /// Import name.
        name: String,
        /// The declared type.
        ty: crate::value::FuncType,
    },
    /// Instantiation failed.
    #[error(transparent)]
    Instantiate(#[from] InstantiateError),
    /// The entry export does not exist or is not a function.
    #[error("module has no exported function named {0:?}")]
    MissingExport(String),
    /// The arguments do not fit the entry function.
    #[error(transparent)]
    Call(#[from] CallError),
    /// The arguments, environment and stdin together are too large.
    #[error(
        "the task's input (arguments and environment with a NUL each, and stdin) is {0} bytes; the limit is {max} bytes",
        max = crate::limits::MAX_INPUT_BYTES
    )]
    InputTooLarge(usize),
    /// The preopened directories do not fit the file system.
    #[error(transparent)]
    Preopens(#[from] FsError),
}

/// A machine ready to run a task: instantiated, and positioned at a short
/// entry sequence appended to the code (call the start function if any,
/// push the arguments, call the entry, return), so that every transition
/// of the task, start and entry included, is an ordinary step.
#[derive(Clone, Debug)]
pub struct Run {
    /// The machine.
    pub machine: Machine,
    max_steps: u64,
}

impl Run {
    /// Instantiates `module` for `task` and prepares `entry` without running a step.
    pub fn new(module: &Module, task: &Task, entry: &Entry) -> Result<Run, TaskError> {
        let args = task.args.iter().map(|a| a.as_bytes().to_vec()).collect();
        let env = task.env.iter().map(|(k, v)| format!("{k}={v}").into_bytes()).collect();
        let mut m = Machine::new(HostState::new(args, env, task.stdin.clone()));
        let input = m.host.input.bytes().len();
        if input > crate::limits::MAX_INPUT_BYTES {
            return Err(TaskError::InputTooLarge(input));
        }
        check_preopens(&task.preopens)?;
        m.host.fs = Fs::new(&task.preopens);
        let mut externs = Vec::new();
        for import in module.imports() {
            let w = match &import.kind {
                ImportKind::Func(ty) if import.module == wasi::MODULE => wasi::resolve(&import.name, ty),
                _ => None,
            };
            let (Some(w), ImportKind::Func(ty)) = (w, &import.kind) else {
                if let (true, ImportKind::Func(ty)) = (import.module == wasi::MODULE, &import.kind) {
                    return Err(TaskError::BadWasiImport { name: import.name.clone(), ty: ty.clone() });
                }
                return Err(TaskError::UnknownImport {
                    module: import.module.clone(),
                    name: import.name.clone(),
                });
            };
            externs.push(Extern::Func(m.store.add_host_func(ty, HostFunc::Wasi(w))));
        }
        let mut next = externs.into_iter();
        let (instance, start) = m.store.instantiate(module, |_| next.next())?;
        let inst = m.store.instance(instance);
        m.host.memory = inst.memory;
        let (name, args) = match entry {
            Entry::Start => ("_start", Vec::new()),
            Entry::Invoke(name, args) => (name.as_str(), args.clone()),
        };
        let func = match inst.exports.get(name) {
            Some(Extern::Func(f)) => *f,
            _ => return Err(TaskError::MissingExport(name.to_string())),
        };
        // Check the arguments now, so a bad call is refused before any step runs.
        let ty = m.store.func_type(func).clone();
        if ty.params.len() != args.len() {
            return Err(CallError::ArgumentCount { expected: ty.params.len(), got: args.len() }.into());
        }
        for (index, (a, p)) in args.iter().zip(&ty.params).enumerate() {
            if a.ty() != *p {
                return Err(CallError::ArgumentType { index, expected: *p, got: a.ty() }.into());
            }
        }
        // A slot holds any value's bits, so an i64 constant pushes any argument.
        let push = args.iter().flat_map(|a| a.to_slots()).map(|s| Op::I64Const { value: s as i64 });
        let ret = Op::Return { results: ty.results.iter().map(|t| t.slots()).sum() };
        let ops: Vec<Op> = start
            .map(|func| Op::Call { func })
            .into_iter()
            .chain(push)
            .chain([Op::Call { func }, ret])
            .collect();
        let pc = m.store.append_segment(ops);
        m.start_at(pc, ty.results.clone());
        Ok(Run { machine: m, max_steps: task.max_steps })
    }

    /// The task's step limit.
    pub fn max_steps(&self) -> u64 {
        self.max_steps
    }

    /// Runs until the task ends or the step counter reaches `until` (capped
    /// at the task's limit). Returns the status; `Running` means paused.
    pub fn run_until(&mut self, until: u64) -> Status {
        let s = self.machine.run(until.min(self.max_steps));
        if s == Status::Running && self.machine.steps() >= self.max_steps {
            self.machine.set_status(Status::OutOfSteps);
            return Status::OutOfSteps;
        }
        s
    }

    /// As [`Run::run_until`], marking in `marks` what the steps write (for checkpoints).
    pub(crate) fn run_until_marking(&mut self, until: u64, marks: &mut Dirty) -> Status {
        let s = self.machine.run_marking(marks, until.min(self.max_steps));
        if s == Status::Running && self.machine.steps() >= self.max_steps {
            self.machine.set_status(Status::OutOfSteps);
            return Status::OutOfSteps;
        }
        s
    }

    /// Runs the task to its end.
    pub fn run_to_end(&mut self) -> Status {
        self.run_until(u64::MAX)
    }
}

/// Runs `entry` of `module` on `task` to the end and returns the machine.
pub fn run_task(module: &Module, task: &Task, entry: &Entry) -> Result<Machine, TaskError> {
    let mut run = Run::new(module, task, entry)?;
    run.run_to_end();
    Ok(run.machine)
}
