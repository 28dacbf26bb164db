//! A claim's inputs: the one type that carries what a claim runs from the
//! command line to the rules (`specs/api.md`, "Blobs"). The CLI builds it
//! from an engine task, the service and the bots from the blobs a claim
//! names; everyone turns it into an engine run the same way.
//!
//! Blob formats: the module is WebAssembly bytes; the arguments blob is
//! every argument (`argv[0]` first) followed by a NUL byte; the environment
//! blob is every `NAME=value` entry followed by a NUL byte; stdin is raw
//! bytes. These are exactly the parts of the engine's committed input
//! (`specs/state.md` §6).

use refute_engine::fs::{FsError, Preopen, decode_preopens, encode_preopens};
use refute_engine::state::Hasher;
use refute_engine::{Entry, LoadError, Module, Run, Task, Value};
use thiserror::Error;

/// What a claim runs: a module, its input and its entry point. The step
/// limit is the claim's (`ClaimBody::max_steps`), given when it runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClaimInputs {
    /// The module's bytes.
    pub module: Vec<u8>,
    /// Arguments, `argv[0]` first.
    pub args: Vec<String>,
    /// Environment variables, `(NAME, value)`.
    pub env: Vec<(String, String)>,
    /// What the guest reads on stdin.
    pub stdin: Vec<u8>,
    /// The export to call; `_start` with no arguments is a WASI command.
    pub entry: String,
    /// The entry's arguments, as stack slots (`Value::to_slot`).
    pub entry_args: Vec<u64>,
    /// The preopened directories (none: a claim without `dirs`).
    pub preopens: Vec<Preopen>,
}

/// Why a claim's inputs do not make a run.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum InputError {
    /// A list blob lacks its final NUL byte.
    #[error("the {0} blob must end with a NUL byte")]
    Unterminated(&'static str),
    /// A list blob holds bytes that are not UTF-8.
    #[error("the {0} blob is not UTF-8")]
    NotUtf8(&'static str),
    /// An environment entry is not `NAME=value`.
    #[error("environment entry {0:?} has no '='")]
    NoEquals(String),
    /// The module does not load.
    #[error("the module does not load: {0}")]
    Module(LoadError),
    /// The entry is not an exported function.
    #[error("the module exports no function {0:?}")]
    NoEntry(String),
    /// The entry takes another number of arguments.
    #[error("{entry} takes {expected} arguments, the claim gives {got}")]
    EntryArgs {
        /// The entry.
        entry: String,
        /// Its parameter count.
        expected: usize,
        /// The arguments given.
        got: usize,
    },
    /// The engine cannot start the task (an import it cannot link, a start
    /// function's failure, memory over the limits).
    #[error("the task cannot start: {0}")]
    Start(refute_engine::TaskError),
    /// The module's state is over the limits a state root covers.
    #[error("the module has no state root: {0}")]
    Limits(refute_engine::state::LimitError),
    /// The directories blob does not decode or is over the file limits.
    #[error("the directories blob: {0}")]
    Dirs(FsError),
}

impl ClaimInputs {
    /// The inputs of `task` with `entry` (the CLI's form).
    pub fn from_task(module: Vec<u8>, task: &Task, entry: &Entry) -> ClaimInputs {
        let (entry, entry_args) = match entry {
            Entry::Start => ("_start".to_string(), Vec::new()),
            Entry::Invoke(f, vals) => (f.clone(), vals.iter().map(|v| v.to_slot()).collect()),
        };
        ClaimInputs {
            module,
            args: task.args.clone(),
            env: task.env.clone(),
            stdin: task.stdin.clone(),
            entry,
            entry_args,
            preopens: task.preopens.clone(),
        }
    }

    /// The inputs a claim names, from its blobs (the wire form).
    pub fn from_blobs(
        module: Vec<u8>,
        args: &[u8],
        env: &[u8],
        stdin: Vec<u8>,
        entry: &str,
        entry_args: &[u64],
    ) -> Result<ClaimInputs, InputError> {
        let args = split_list(args, "arguments")?;
        let env = split_list(env, "environment")?
            .into_iter()
            .map(|e| match e.split_once('=') {
                Some((k, v)) => Ok((k.to_string(), v.to_string())),
                None => Err(InputError::NoEquals(e)),
            })
            .collect::<Result<_, _>>()?;
        Ok(ClaimInputs {
            module,
            args,
            env,
            stdin,
            entry: entry.to_string(),
            entry_args: entry_args.to_vec(),
            preopens: Vec::new(),
        })
    }

    /// These inputs with the preopened directories of blob `dirs`
    /// (`encode_preopens`' form), for a claim whose `dirs` is set.
    pub fn with_dirs(mut self, dirs: &[u8]) -> Result<ClaimInputs, InputError> {
        self.preopens = decode_preopens(dirs).map_err(InputError::Dirs)?;
        Ok(self)
    }

    /// The directories blob of a claim, `None` without preopens.
    pub fn dirs_blob(&self) -> Option<Vec<u8>> {
        (!self.preopens.is_empty()).then(|| encode_preopens(&self.preopens))
    }

    /// The arguments blob.
    pub fn args_blob(&self) -> Vec<u8> {
        list_blob(self.args.iter().map(String::as_str))
    }

    /// The environment blob.
    pub fn env_blob(&self) -> Vec<u8> {
        let entries: Vec<String> = self.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        list_blob(entries.iter().map(String::as_str))
    }

    /// The engine task, with step limit `max_steps`.
    pub fn task(&self, max_steps: u64) -> Task {
        Task {
            args: self.args.clone(),
            env: self.env.clone(),
            stdin: self.stdin.clone(),
            max_steps,
            preopens: self.preopens.clone(),
        }
    }

    /// The engine run these inputs describe, before its first step.
    pub fn to_run(&self, max_steps: u64) -> Result<Run, InputError> {
        let module = Module::new(&self.module).map_err(InputError::Module)?;
        let entry = if self.entry == "_start" && self.entry_args.is_empty() {
            Entry::Start
        } else {
            let ty = module
                .export_func_type(&self.entry)
                .ok_or_else(|| InputError::NoEntry(self.entry.clone()))?;
            if ty.params.len() != self.entry_args.len() {
                return Err(InputError::EntryArgs {
                    entry: self.entry.clone(),
                    expected: ty.params.len(),
                    got: self.entry_args.len(),
                });
            }
            let values =
                ty.params.iter().zip(&self.entry_args).map(|(t, v)| Value::from_slot(*t, *v)).collect();
            Entry::Invoke(self.entry.clone(), values)
        };
        let run = Run::new(&module, &self.task(max_steps), &entry).map_err(InputError::Start)?;
        refute_engine::state::check_limits(&run.machine.store).map_err(InputError::Limits)?;
        Ok(run)
    }
}

/// The state root at step 0 of `run`.
pub fn initial_root(run: &Run) -> [u8; 32] {
    Hasher::new(&run.machine).root(&run.machine)
}

/// Splits a NUL-terminated list blob.
fn split_list(blob: &[u8], what: &'static str) -> Result<Vec<String>, InputError> {
    if blob.is_empty() {
        return Ok(Vec::new());
    }
    let Some(body) = blob.strip_suffix(&[0]) else { return Err(InputError::Unterminated(what)) };
    body.split(|b| *b == 0)
        .map(|s| String::from_utf8(s.to_vec()).map_err(|_| InputError::NotUtf8(what)))
        .collect()
}

/// The list blob of `items`.
fn list_blob<'a>(items: impl Iterator<Item = &'a str>) -> Vec<u8> {
    let mut out = Vec::new();
    for i in items {
        out.extend_from_slice(i.as_bytes());
        out.push(0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_round_trip() {
        let i = ClaimInputs {
            args: vec!["prog".into(), "a b".into(), String::new()],
            env: vec![("K".into(), "v=1".into()), ("E".into(), String::new())],
            stdin: b"in".to_vec(),
            entry: "_start".into(),
            ..ClaimInputs::default()
        };
        assert_eq!(i.args_blob(), b"prog\0a b\0\0");
        assert_eq!(i.env_blob(), b"K=v=1\0E=\0");
        let back =
            ClaimInputs::from_blobs(vec![], &i.args_blob(), &i.env_blob(), b"in".to_vec(), "_start", &[]);
        assert_eq!(back, Ok(i));
    }

    #[test]
    fn bad_blobs_are_named() {
        let from =
            |args: &[u8], env: &[u8]| ClaimInputs::from_blobs(vec![], args, env, vec![], "_start", &[]);
        assert_eq!(from(b"a", b""), Err(InputError::Unterminated("arguments")));
        assert_eq!(from(b"\xff\0", b""), Err(InputError::NotUtf8("arguments")));
        assert_eq!(from(b"", b"NOEQ\0"), Err(InputError::NoEquals("NOEQ".into())));
        assert_eq!(from(b"", b""), Ok(ClaimInputs { entry: "_start".into(), ..ClaimInputs::default() }));
    }

    #[test]
    fn runs_check_the_entry() {
        let module =
            wat::parse_str(r#"(module (func (export "f") (param i32) (result i32) local.get 0))"#).unwrap();
        let inputs = |entry: &str, args: &[u64]| ClaimInputs {
            module: module.clone(),
            entry: entry.into(),
            entry_args: args.to_vec(),
            ..ClaimInputs::default()
        };
        assert!(inputs("f", &[7]).to_run(10).is_ok());
        assert_eq!(inputs("g", &[]).to_run(10).err(), Some(InputError::NoEntry("g".into())));
        assert!(matches!(
            inputs("f", &[]).to_run(10),
            Err(InputError::EntryArgs { expected: 1, got: 0, .. })
        ));
        let bad = ClaimInputs { module: b"nope".to_vec(), ..inputs("f", &[7]) };
        assert!(matches!(bad.to_run(10), Err(InputError::Module(_))));
    }
}
