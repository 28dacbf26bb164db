//! The reference oracle and fast path: a task run under wasmi.
//!
//! wasmi executes the module; the host interface is the engine's own WASI
//! implementation ([`refute_engine::wasi::call_with_memory`]), so any
//! difference between the two runs is a difference in instruction semantics.
//! wasmi runs under the engine's limits (memory, table elements, one
//! instance, call depth), so a module cannot make a checker use more than
//! the engine would; the guest's memory is never copied out.

use anyhow::{Context, Result, anyhow};
use refute_engine::{HostState, ImportKind, Module, Status, Task, TrapKind, ValType, Value, wasi};

/// How a wasmi run ended, in the engine's terms.
#[derive(Clone, Debug, PartialEq)]
pub struct OracleOutcome {
    /// Final status (`Finished`, `Trapped`, `Exited`, `OutOfSteps` when fuel ran out).
    pub status: Status,
    /// Results of an invoked function.
    pub results: Vec<Value>,
    /// Captured stdout.
    pub stdout: Vec<u8>,
    /// Captured stderr.
    pub stderr: Vec<u8>,
    /// The preopened directories at the end.
    pub preopens: Vec<refute_engine::fs::Preopen>,
}

/// The store's data: the engine's host state and the limits wasmi enforces.
struct Data {
    host: HostState,
    limits: wasmi::StoreLimits,
}

/// wasmi's limits, the engine's (`refute_engine::limits`): a memory of at
/// most `MAX_MEMORY_PAGES` pages, tables of at most `MAX_TABLE_ELEMS`
/// elements, one instance. A grow past them fails, as in the engine.
fn engine_limits() -> wasmi::StoreLimits {
    use refute_engine::limits::{MAX_MEMORY_PAGES, MAX_TABLE_ELEMS, PAGE_SIZE};
    wasmi::StoreLimitsBuilder::new()
        .memory_size(MAX_MEMORY_PAGES as usize * PAGE_SIZE as usize)
        .table_elements(MAX_TABLE_ELEMS as usize)
        .instances(1)
        .memories(1)
        .build()
}

fn wasmi_type(t: ValType) -> wasmi::ValType {
    use wasmi::ValType as W;
    match t {
        ValType::I32 => W::I32,
        ValType::I64 => W::I64,
        ValType::F32 => W::F32,
        ValType::F64 => W::F64,
        ValType::FuncRef => W::FuncRef,
        ValType::ExternRef => W::ExternRef,
        ValType::V128 => W::V128,
    }
}

/// Converts a wasmi value to the engine's representation (references become opaque non-null).
pub fn from_wasmi(v: &wasmi::Val) -> Value {
    match v {
        wasmi::Val::I32(x) => Value::I32(*x),
        wasmi::Val::I64(x) => Value::I64(*x),
        wasmi::Val::F32(x) => Value::F32(x.to_bits()),
        wasmi::Val::F64(x) => Value::F64(x.to_bits()),
        wasmi::Val::FuncRef(r) => Value::FuncRef(if r.is_null() { None } else { Some(0) }),
        wasmi::Val::ExternRef(r) => Value::ExternRef(if r.is_null() { None } else { Some(0) }),
        wasmi::Val::V128(v) => Value::V128(v.as_u128()),
    }
}

/// Converts an engine value to wasmi's (only null references can be passed).
pub fn to_wasmi(v: &Value) -> Result<wasmi::Val> {
    Ok(match v {
        Value::I32(x) => wasmi::Val::I32(*x),
        Value::I64(x) => wasmi::Val::I64(*x),
        Value::F32(b) => wasmi::Val::F32(f32::from_bits(*b).into()),
        Value::F64(b) => wasmi::Val::F64(f64::from_bits(*b).into()),
        Value::FuncRef(None) => wasmi::Val::FuncRef(wasmi::Nullable::Null),
        Value::ExternRef(None) => wasmi::Val::ExternRef(wasmi::Nullable::Null),
        Value::V128(v) => wasmi::Val::V128(wasmi::V128::from(*v)),
        other => return Err(anyhow!("cannot pass {other:?} to wasmi")),
    })
}

/// Maps a wasmi trap to the engine's trap kind.
pub fn trap_kind(code: wasmi::TrapCode) -> TrapKind {
    use wasmi::TrapCode as T;
    match code {
        T::UnreachableCodeReached => TrapKind::Unreachable,
        T::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
        T::TableOutOfBounds => TrapKind::TableOutOfBounds,
        T::IndirectCallToNull => TrapKind::UninitializedElement,
        T::IntegerDivisionByZero => TrapKind::IntegerDivideByZero,
        T::IntegerOverflow => TrapKind::IntegerOverflow,
        T::BadConversionToInteger => TrapKind::InvalidConversionToInteger,
        T::StackOverflow => TrapKind::CallStackExhausted,
        T::BadSignature => TrapKind::IndirectCallTypeMismatch,
        _ => TrapKind::HostFault,
    }
}

/// Runs `entry` (`None` for `_start`) of `bytes` under wasmi with the
/// engine's WASI host. `fuel` bounds the run (wasmi's fuel units are not
/// the engine's steps).
pub fn run(
    bytes: &[u8],
    task: &Task,
    invoke: Option<(&str, &[Value])>,
    fuel: Option<u64>,
) -> Result<OracleOutcome> {
    let module = Module::new(bytes).context("the engine refuses the module")?;
    Compiled::new(&module, bytes, fuel.is_some())?.run(task, invoke, fuel)
}

/// A module compiled by wasmi (which translates each function at its first
/// call), with the engine's reading of its imports: what [`run`] does
/// before it runs, kept apart so `refute bench` can time loading and
/// running each on its own.
pub struct Compiled {
    imports: Vec<refute_engine::Import>,
    engine: wasmi::Engine,
    module: wasmi::Module,
}

impl Compiled {
    /// Compiles `bytes` (which `module`, the engine's load of them,
    /// has validated) for wasmi; `fuel` makes its runs count fuel.
    pub fn new(module: &Module, bytes: &[u8], fuel: bool) -> Result<Compiled> {
        let mut config = wasmi::Config::default();
        config.consume_fuel(fuel);
        config.set_max_recursion_depth(refute_engine::limits::MAX_CALL_DEPTH);
        let engine = wasmi::Engine::new(&config);
        let wmodule =
            wasmi::Module::new(&engine, bytes).map_err(|e| anyhow!("wasmi refuses the module: {e}"))?;
        Ok(Compiled { imports: module.imports().to_vec(), engine, module: wmodule })
    }

    /// Runs `entry` (`None` for `_start`) in a fresh instance, as [`run`].
    pub fn run(
        &self,
        task: &Task,
        invoke: Option<(&str, &[Value])>,
        fuel: Option<u64>,
    ) -> Result<OracleOutcome> {
        run_compiled(self, task, invoke, fuel)
    }
}

fn run_compiled(
    c: &Compiled,
    task: &Task,
    invoke: Option<(&str, &[Value])>,
    fuel: Option<u64>,
) -> Result<OracleOutcome> {
    let (engine, wmodule) = (&c.engine, &c.module);
    let args = task.args.iter().map(|a| a.as_bytes().to_vec()).collect();
    let env = task.env.iter().map(|(k, v)| format!("{k}={v}").into_bytes()).collect();
    let mut host = HostState::new(args, env, task.stdin.clone());
    refute_engine::fs::check_preopens(&task.preopens)
        .context("the engine refuses the preopened directories")?;
    host.fs = refute_engine::fs::Fs::new(&task.preopens);
    let data = Data { host, limits: engine_limits() };
    let mut store = wasmi::Store::new(engine, data);
    store.limiter(|d| &mut d.limits);
    if let Some(f) = fuel {
        store.set_fuel(f).map_err(|e| anyhow!("{e}"))?;
    }
    let mut linker = wasmi::Linker::<Data>::new(engine);
    for import in &c.imports {
        let ImportKind::Func(ty) = &import.kind else {
            return Err(anyhow!("unsupported import {}.{}", import.module, import.name));
        };
        let w = wasi::resolve(&import.name, ty)
            .filter(|_| import.module == wasi::MODULE)
            .ok_or_else(|| anyhow!("unknown import {}.{}", import.module, import.name))?;
        let wty = wasmi::FuncType::new(
            ty.params.iter().map(|t| wasmi_type(*t)),
            ty.results.iter().map(|t| wasmi_type(*t)),
        );
        linker
            .func_new(&import.module, &import.name, wty, move |mut caller, params, results| {
                let slots: Vec<u64> = params.iter().map(|p| from_wasmi(p).to_slot()).collect();
                let memory = caller.get_export("memory").and_then(|e| e.into_memory());
                let mut empty = [];
                let (mem, data) = match memory {
                    Some(m) => m.data_and_store_mut(&mut caller),
                    None => (&mut empty[..], caller.data_mut()),
                };
                match wasi::call_with_memory(w, &slots, mem, &mut data.host, 0) {
                    Ok(errno) => {
                        if let Some(r) = results.first_mut() {
                            *r = wasmi::Val::I32(errno as i32);
                        }
                        Ok(())
                    }
                    Err(Status::Exited(code)) => Err(wasmi::Error::i32_exit(code as i32)),
                    Err(other) => Err(wasmi::Error::new(format!("host call ended the run: {other}"))),
                }
            })
            .map_err(|e| anyhow!("{e}"))?;
    }
    let finish = |store: wasmi::Store<Data>, status, results| {
        let host = store.into_data().host;
        let preopens = host.fs.preopens();
        OracleOutcome { status, results, stdout: host.stdout, stderr: host.stderr, preopens }
    };
    let instance = match linker.instantiate_and_start(&mut store, wmodule) {
        Ok(i) => i,
        Err(e) => {
            let status = error_status(&e);
            return Ok(finish(store, status, vec![]));
        }
    };
    let (name, args) = invoke.unwrap_or(("_start", &[]));
    let func = instance
        .get_func(&store, name)
        .ok_or_else(|| anyhow!("module has no exported function named {name:?}"))?;
    let ty = func.ty(&store);
    let wargs = args.iter().map(to_wasmi).collect::<Result<Vec<_>>>()?;
    let mut results: Vec<wasmi::Val> = ty.results().iter().map(|t| wasmi::Val::default_for_ty(*t)).collect();
    let (status, results) = match func.call(&mut store, &wargs, &mut results) {
        Ok(()) => (Status::Finished, results.iter().map(from_wasmi).collect()),
        Err(e) => (error_status(&e), vec![]),
    };
    Ok(finish(store, status, results))
}

fn error_status(e: &wasmi::Error) -> Status {
    if let Some(code) = e.i32_exit_status() {
        return Status::Exited(code as u32);
    }
    match e.as_trap_code() {
        Some(wasmi::TrapCode::OutOfFuel) => Status::OutOfSteps,
        Some(code) => Status::Trapped(trap_kind(code)),
        None => Status::Trapped(TrapKind::HostFault),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use refute_engine::{Entry, run_task};

    /// wasmi and the engine on one exported function with no arguments.
    fn both(wat: &str, f: &str) -> (Status, Vec<Value>, Status, Vec<Value>) {
        let bytes = wat::parse_str(wat).unwrap();
        let task = Task { max_steps: 1 << 24, ..Task::default() };
        let o = run(&bytes, &task, Some((f, &[])), None).unwrap();
        let m = run_task(&Module::new(&bytes).unwrap(), &task, &Entry::Invoke(f.into(), vec![])).unwrap();
        (o.status, o.results, m.status(), m.results())
    }

    #[test]
    fn memory_grows_no_further_than_the_engine_lets_it() {
        // 1 + 16,383 pages is the engine's limit; one more page is refused by both.
        let wat = r#"(module (memory 1)
            (func (export "to_limit") (result i32) i32.const 16383 memory.grow)
            (func (export "past_limit") (result i32) i32.const 16384 memory.grow))"#;
        let (os, or, es, er) = both(wat, "past_limit");
        assert_eq!((os, &or), (Status::Finished, &vec![Value::I32(-1)]));
        assert_eq!((es, er), (Status::Finished, or));
        let (_, or, _, er) = both(wat, "to_limit");
        assert_eq!(or, vec![Value::I32(1)]);
        assert_eq!(er, or);
    }

    #[test]
    fn calls_nest_as_deep_as_in_the_engine() {
        // 5,000 nested calls: within the engine's 16,384, beyond wasmi's default.
        let wat = r#"(module
            (func $r (param i32) (result i32)
                local.get 0 i32.eqz
                if (result i32) i32.const 0 else local.get 0 i32.const 1 i32.sub call $r i32.const 1 i32.add end)
            (func (export "deep") (result i32) i32.const 5000 call $r)
            (func $inf (export "forever") call $inf))"#;
        let (os, or, es, er) = both(wat, "deep");
        assert_eq!((os, &or), (Status::Finished, &vec![Value::I32(5000)]));
        assert_eq!((es, er), (Status::Finished, or));
        let (os, _, es, _) = both(wat, "forever");
        assert_eq!(os, Status::Trapped(TrapKind::CallStackExhausted));
        assert_eq!(es, os);
    }
}
