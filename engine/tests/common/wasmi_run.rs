//! A task under wasmi with the engine's own WASI implementation
//! (`wasi::call_with_memory`), for comparing random modules' outcomes.

use refute_engine::wasi::{self, Wasi};
use refute_engine::{HostState, ImportKind, Module, Status, Task, TrapKind, ValType, Value};

/// How a wasmi run ended.
pub struct Outcome {
    /// The engine's status for it; `None` for one of wasmi's own limits
    /// (fuel, its call stack), which cannot be compared.
    pub status: Option<Status>,
    /// Results of a finished run.
    pub results: Vec<wasmi::Val>,
    /// The instance's exported memory 0 at the end, if it has one.
    pub memory: Option<Vec<u8>>,
    /// What the guest wrote to stdout and stderr.
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

struct Data {
    host: HostState,
    limits: wasmi::StoreLimits,
    /// Memory 0, once instantiated: for a WASI function invoked directly
    /// as the entry, whose caller has no instance to find it in.
    memory: Option<wasmi::Memory>,
}

/// The engine value wasmi would take; only null references can be passed.
pub fn to_wasmi(v: &Value) -> wasmi::Val {
    match *v {
        Value::I32(x) => wasmi::Val::I32(x),
        Value::I64(x) => wasmi::Val::I64(x),
        Value::F32(b) => wasmi::Val::F32(f32::from_bits(b).into()),
        Value::F64(b) => wasmi::Val::F64(f64::from_bits(b).into()),
        Value::FuncRef(_) => wasmi::Val::FuncRef(wasmi::Nullable::Null),
        Value::ExternRef(_) => wasmi::Val::ExternRef(wasmi::Nullable::Null),
        Value::V128(v) => wasmi::Val::V128(wasmi::V128::from(v)),
    }
}

fn slot(v: &wasmi::Val) -> u64 {
    match v {
        wasmi::Val::I32(x) => *x as u32 as u64,
        wasmi::Val::I64(x) => *x as u64,
        other => panic!("a WASI argument is an integer, not {other:?}"),
    }
}

fn val_type(t: ValType) -> wasmi::ValType {
    match t {
        ValType::I32 => wasmi::ValType::I32,
        ValType::I64 => wasmi::ValType::I64,
        ValType::F32 => wasmi::ValType::F32,
        ValType::F64 => wasmi::ValType::F64,
        ValType::FuncRef => wasmi::ValType::FuncRef,
        ValType::ExternRef => wasmi::ValType::ExternRef,
        ValType::V128 => wasmi::ValType::V128,
    }
}

/// The engine's trap for a wasmi trap, `None` for wasmi's own limits.
fn trap_kind(code: wasmi::TrapCode) -> Option<TrapKind> {
    use wasmi::TrapCode as T;
    Some(match code {
        T::UnreachableCodeReached => TrapKind::Unreachable,
        T::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
        T::TableOutOfBounds => TrapKind::TableOutOfBounds,
        T::IndirectCallToNull => TrapKind::UninitializedElement,
        T::IntegerDivisionByZero => TrapKind::IntegerDivideByZero,
        T::IntegerOverflow => TrapKind::IntegerOverflow,
        T::BadConversionToInteger => TrapKind::InvalidConversionToInteger,
        T::BadSignature => TrapKind::IndirectCallTypeMismatch,
        _ => return None,
    })
}

fn status(e: &wasmi::Error) -> Option<Status> {
    if let Some(code) = e.i32_exit_status() {
        return Some(Status::Exited(code as u32));
    }
    e.as_trap_code().and_then(trap_kind).map(Status::Trapped)
}

/// Runs `name(args)` of `bytes` (which the engine loaded as `module`) on
/// `task`'s input under wasmi, with the engine's memory and table limits
/// and at most `fuel` units of wasmi fuel. `Err` if wasmi refuses the module.
pub fn run(
    bytes: &[u8],
    module: &Module,
    task: &Task,
    name: &str,
    args: &[Value],
    fuel: u64,
) -> Result<Outcome, String> {
    let mut config = wasmi::Config::default();
    config.consume_fuel(true);
    let engine = wasmi::Engine::new(&config);
    let wmodule = wasmi::Module::new(&engine, bytes).map_err(|e| format!("wasmi refuses the module: {e}"))?;
    let limits = wasmi::StoreLimitsBuilder::new()
        .memory_size(refute_engine::limits::MAX_MEMORY_PAGES as usize * 65536)
        .table_elements(refute_engine::limits::MAX_TABLE_ELEMS as usize)
        .build();
    let input = |v: &[String]| v.iter().map(|a| a.as_bytes().to_vec()).collect();
    let env: Vec<String> = task.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let host = HostState::new(input(&task.args), input(&env), task.stdin.clone());
    let mut store = wasmi::Store::new(&engine, Data { host, limits, memory: None });
    store.limiter(|d| &mut d.limits);
    store.set_fuel(fuel).map_err(|e| e.to_string())?;
    // WASI calls reach memory 0, which the host function finds by its export name.
    let memory_name = module
        .exports()
        .find(|(_, kind, index)| *kind == refute_engine::ExportKind::Memory && *index == 0)
        .map(|(n, _, _)| n.to_string());
    let mut linker = wasmi::Linker::<Data>::new(&engine);
    for import in module.imports() {
        let ImportKind::Func(ty) = &import.kind else { return Err("a non-function import".into()) };
        let Some(w) = wasi::resolve(&import.name, ty).filter(|_| import.module == wasi::MODULE) else {
            return Err(format!("an import the engine cannot link: {}", import.name));
        };
        let wty = wasmi::FuncType::new(
            ty.params.iter().map(|t| val_type(*t)),
            ty.results.iter().map(|t| val_type(*t)),
        );
        let memory_name = memory_name.clone();
        linker
            .func_new(wasi::MODULE, &import.name, wty, move |mut caller, params, results| {
                call(w, &mut caller, memory_name.as_deref(), params, results)
            })
            .map_err(|e| e.to_string())?;
    }
    let mut results = Vec::new();
    let ended = linker.instantiate_and_start(&mut store, &wmodule).and_then(|instance| {
        store.data_mut().memory = memory_name.as_deref().and_then(|n| instance.get_memory(&store, n));
        let f = instance.get_func(&store, name).ok_or_else(|| wasmi::Error::new("no such export"))?;
        results = f.ty(&store).results().iter().map(|t| wasmi::Val::default_for_ty(*t)).collect();
        let args: Vec<wasmi::Val> = args.iter().map(to_wasmi).collect();
        f.call(&mut store, &args, &mut results)?;
        Ok(instance)
    });
    let (status, memory) = match ended {
        Ok(instance) => {
            let memory =
                memory_name.and_then(|n| instance.get_memory(&store, &n)).map(|m| m.data(&store).to_vec());
            (Some(Status::Finished), memory)
        }
        Err(e) => (status(&e), None),
    };
    let host = store.into_data().host;
    Ok(Outcome { status, results, memory, stdout: host.stdout, stderr: host.stderr })
}

/// One WASI call under wasmi: the engine's implementation over the guest's
/// memory 0 (empty if it exports none).
fn call(
    w: Wasi,
    caller: &mut wasmi::Caller<'_, Data>,
    memory_name: Option<&str>,
    params: &[wasmi::Val],
    results: &mut [wasmi::Val],
) -> Result<(), wasmi::Error> {
    let slots: Vec<u64> = params.iter().map(slot).collect();
    let memory =
        memory_name.and_then(|n| caller.get_export(n)).and_then(|e| e.into_memory()).or(caller.data().memory);
    let mut empty = [];
    let (mem, data) = match memory {
        Some(m) => m.data_and_store_mut(caller),
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
        Err(other) => Err(wasmi::Error::new(format!("the host call ended the run: {other}"))),
    }
}
