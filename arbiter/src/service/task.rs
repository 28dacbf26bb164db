//! What a claim runs: its module and input blobs turned into an engine task,
//! and the initial state root the service vouches for (`specs/api.md`, "Blobs").
//!
//! Blob formats: the module is WebAssembly bytes; the arguments blob is
//! every argument (`argv[0]` first) followed by a NUL byte; the environment
//! blob is every `NAME=value` entry followed by a NUL byte; stdin is raw
//! bytes. These are exactly the parts of the engine's committed input
//! (`specs/state.md` §6).

use refute_engine::state::Hasher;
use refute_engine::{Entry, Module, Run, Task, Value};

/// Splits a NUL-terminated list blob.
pub fn split_list(blob: &[u8], what: &str) -> Result<Vec<String>, String> {
    if blob.is_empty() {
        return Ok(Vec::new());
    }
    let Some(body) = blob.strip_suffix(&[0]) else {
        return Err(format!("the {what} blob must end with a NUL byte"));
    };
    body.split(|b| *b == 0)
        .map(|s| String::from_utf8(s.to_vec()).map_err(|_| format!("the {what} blob is not UTF-8")))
        .collect()
}

/// Builds the list blob of `items`.
pub fn list_blob<S: AsRef<str>>(items: &[S]) -> Vec<u8> {
    let mut out = Vec::new();
    for i in items {
        out.extend_from_slice(i.as_ref().as_bytes());
        out.push(0);
    }
    out
}

/// The engine task a claim's input blobs describe.
pub fn task(args: &[u8], env: &[u8], stdin: &[u8], max_steps: u64) -> Result<Task, String> {
    let args = split_list(args, "arguments")?;
    let env = split_list(env, "environment")?
        .into_iter()
        .map(|e| match e.split_once('=') {
            Some((k, v)) => Ok((k.to_string(), v.to_string())),
            None => Err(format!("environment entry {e:?} has no '='")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Task { args, env, stdin: stdin.to_vec(), max_steps })
}

/// The engine run a claim describes, before its first step.
pub fn prepare(
    module: &[u8],
    args: &[u8],
    env: &[u8],
    stdin: &[u8],
    entry: &str,
    entry_args: &[u64],
    max_steps: u64,
) -> Result<Run, String> {
    let module = Module::new(module).map_err(|e| format!("the module does not load: {e}"))?;
    let task = task(args, env, stdin, max_steps)?;
    let entry = if entry == "_start" && entry_args.is_empty() {
        Entry::Start
    } else {
        let ty = module
            .export_func_type(entry)
            .ok_or_else(|| format!("the module exports no function {entry:?}"))?;
        if ty.params.len() != entry_args.len() {
            return Err(format!(
                "{entry} takes {} arguments, the claim gives {}",
                ty.params.len(),
                entry_args.len()
            ));
        }
        let values = ty.params.iter().zip(entry_args).map(|(t, v)| Value::from_slot(*t, *v)).collect();
        Entry::Invoke(entry.to_string(), values)
    };
    let run = Run::new(&module, &task, &entry).map_err(|e| format!("the task cannot start: {e}"))?;
    refute_engine::state::check_limits(&run.machine.store)
        .map_err(|e| format!("the module has no state root: {e}"))?;
    Ok(run)
}

/// The state root at step 0 of `run`.
pub fn initial_root(run: &Run) -> [u8; 32] {
    Hasher::new(&run.machine).root(&run.machine)
}
