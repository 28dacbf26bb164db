//! Adversarial modules through the translator and the fast path (security
//! review finding 18, `specs/execution.md` §12).
//!
//! The fast path fetches instructions and reaches the value stack without
//! bounds checks, trusting translation; a liar chooses the module. Each seed
//! here builds a module with wasm-smith under a configuration drawn from the
//! seed (overlong LEB128 encodings, up to 200 tables, WASI imports, random
//! function bodies that may or may not validate, up to 1,000 instructions
//! per function, SIMD, guarded or unguarded traps), plus two byte-flipped
//! variants of it. For every module:
//!
//! - `Module::new` returns, never panics;
//! - for each exported function (up to four), the task runs for at most
//!   [`STEPS`] steps on the fast path (`Run::run_to_end`; test builds check
//!   every fetch and every stack access against the innermost frame's end),
//!   and again step by step with a `Hasher`, proving and verifying sampled
//!   steps (the first two, powers of two, every [`PROVE_EVERY`]-th, the last
//!   two); both runs must end in the same status, step count, results and
//!   state root, one computed incrementally and one from scratch;
//! - where the run ends within the budget (finished, exited, or trapped for
//!   a reason other than an engine limit), wasmi running the engine's own
//!   WASI code must agree on the status, the results, memory 0 and the
//!   output. In a module built with `disallow_traps`, the engine may only
//!   trap on the fuel counter's `unreachable`, and a wasmi trap on a
//!   division there is counted as wasmi's error (`Verdict::WasmiWrong`).
//!
//! A panic, a disagreement or a refusal of a module that should load fails
//! the test, naming the seed. `REFUTE_FUZZ_CASES=N` sets the number of seeds
//! (default [`DEFAULT_CASES`]), `REFUTE_FUZZ_SEED=S` the first one; a long
//! session is `REFUTE_FUZZ_CASES=100000 REFUTE_FUZZ_SEED=1000 cargo test -p
//! refute-engine --test translate_fuzz -- --nocapture` (the test profile, so
//! that the frame checks are on; about 20 seeds a second on one core).

use arbitrary::Unstructured;
use refute_engine::proof::{Proof, prove_step, verify_step};
use refute_engine::state::{Hasher, check_limits, state_root};
use refute_engine::{Entry, ExportKind, Module, Run, Status, Task, TrapKind, ValType, Value};
use std::panic::{AssertUnwindSafe, catch_unwind};

#[path = "common/v128.rs"]
mod v128;
#[path = "common/wasmi_run.rs"]
mod wasmi_run;
use v128::same_v128;

/// Seeds per `cargo test` run.
const DEFAULT_CASES: u64 = 200;
/// Step budget of each task.
const STEPS: u64 = 20_000;
/// Every this many steps (plus the first and last few) is proved and verified.
const PROVE_EVERY: u64 = 5_003;
/// Largest memory (pages, declared maximum) a module may have to be run.
const MAX_PAGES: u64 = 64;
/// Most table elements (all tables' minimums) a module may declare to be run.
const MAX_ELEMS: u64 = 100_000;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A deterministic byte stream for a seed (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut x = self.0;
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^ (x >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// The WASI functions a module may import (`specs/host.md`): every one but
/// the clocks, whose time comes from the engine's step counter and so
/// differs from wasmi's.
fn wasi_imports() -> Vec<u8> {
    const FUNCS: &[(&str, &str, &str)] = &[
        ("args_get", "i32 i32", "i32"),
        ("args_sizes_get", "i32 i32", "i32"),
        ("environ_get", "i32 i32", "i32"),
        ("environ_sizes_get", "i32 i32", "i32"),
        ("fd_close", "i32", "i32"),
        ("fd_fdstat_get", "i32 i32", "i32"),
        ("fd_prestat_get", "i32 i32", "i32"),
        ("fd_prestat_dir_name", "i32 i32 i32", "i32"),
        ("fd_read", "i32 i32 i32 i32", "i32"),
        ("fd_seek", "i32 i64 i32 i32", "i32"),
        ("fd_write", "i32 i32 i32 i32", "i32"),
        ("proc_exit", "i32", ""),
        ("random_get", "i32 i32", "i32"),
        ("sched_yield", "", "i32"),
    ];
    let imports: String = FUNCS
        .iter()
        .map(|(name, params, results)| {
            format!(
                r#"(import "{}" "{name}" (func (param {params}) (result {results})))"#,
                refute_engine::wasi::MODULE
            )
        })
        .collect();
    wat::parse_str(format!("(module {imports})")).expect("the WASI imports parse")
}

/// WebAssembly 2.0 with fixed-width SIMD (what `refute_engine::features()`
/// accepts), WASI imports only, with a shape drawn from `r`.
fn config(r: &mut Rng) -> wasm_smith::Config {
    // wasm-smith refuses to build from available imports it may not use.
    let max_imports = [0, 0, 4, 12][r.below(4) as usize];
    wasm_smith::Config {
        simd_enabled: true,
        relaxed_simd_enabled: false,
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        exceptions_enabled: false,
        tail_call_enabled: false,
        gc_enabled: false,
        memory64_enabled: false,
        custom_page_sizes_enabled: false,
        wide_arithmetic_enabled: false,
        extended_const_enabled: false,
        custom_descriptors_enabled: false,
        compact_imports_enabled: false,
        multi_value_enabled: true,
        reference_types_enabled: true,
        bulk_memory_enabled: true,
        saturating_float_to_int_enabled: true,
        sign_extension_ops_enabled: true,
        export_everything: true,
        allow_start_export: true,
        available_imports: (max_imports > 0).then(wasi_imports),
        max_imports,
        max_memories: 1,
        memory_max_size_required: true,
        max_memory32_bytes: (1 + r.below(MAX_PAGES)) * 65536,
        // Up to 200 tables of up to 10,000 elements (`translate_edges.rs`
        // has tables at the engine's limit: a root of one costs 0.1 s).
        max_tables: [1, 4, 16, 200][r.below(4) as usize],
        max_table_elements: [100, 10_000][(r.below(8) / 5) as usize],
        table_max_size_required: r.below(2) == 0,
        max_instructions: [100, 400, 1_000][r.below(3) as usize],
        max_funcs: 2 + r.below(30) as usize,
        min_funcs: 2,
        min_types: 2,
        max_types: 40,
        max_globals: [4, 100][r.below(2) as usize],
        max_elements: [10, 1_000][r.below(2) as usize],
        // Overlong LEB128 numbers (up to the five bytes a u32 may take)
        // wherever wasm-smith writes one.
        min_uleb_size: 1 + r.below(5) as u8,
        // Random bytes as function bodies: the translator sees whatever
        // validates (and the validator whatever does not).
        allow_invalid_funcs: r.below(6) == 0,
        disallow_traps: r.below(4) == 0,
        canonicalize_nans: true,
        allow_floats: r.below(4) != 0,
        ..wasm_smith::Config::default()
    }
}

/// Whether a module declares only memories and tables small enough to run
/// here (a declared 1 GiB memory is a resource test, not a translation one).
fn modest(bytes: &[u8]) -> bool {
    use wasmparser::{Payload, TypeRef};
    let (mut elems, mut ok) = (0u64, true);
    let mut memory = |m: wasmparser::MemoryType| ok &= m.maximum.is_some_and(|max| max <= MAX_PAGES);
    let mut table = |t: wasmparser::TableType| elems += t.initial;
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload {
            Ok(Payload::MemorySection(r)) => r.into_iter().flatten().for_each(&mut memory),
            Ok(Payload::TableSection(r)) => r.into_iter().flatten().for_each(|t| table(t.ty)),
            Ok(Payload::ImportSection(r)) => {
                for i in r.into_imports().flatten() {
                    match i.ty {
                        TypeRef::Memory(m) => memory(m),
                        TypeRef::Table(t) => table(t),
                        _ => {}
                    }
                }
            }
            Err(_) => return false,
            _ => {}
        }
    }
    ok && elems <= MAX_ELEMS
}

/// Whether the module has `f32.demote_f64` or `f64.promote_f32` (or their
/// SIMD forms), whose NaN payloads the engine canonicalises and wasmi does
/// not (wasm-smith's `canonicalize_nans` leaves them out): a difference from
/// wasmi there is counted, not failed.
fn has_free_nans(bytes: &[u8]) -> bool {
    use wasmparser::{Operator, Payload};
    wasmparser::Parser::new(0).parse_all(bytes).any(|p| match p {
        Ok(Payload::CodeSectionEntry(body)) => body.get_operators_reader().is_ok_and(|mut r| {
            std::iter::from_fn(|| r.read().ok()).any(|op| {
                matches!(
                    op,
                    Operator::F32DemoteF64
                        | Operator::F64PromoteF32
                        | Operator::F32x4DemoteF64x2Zero
                        | Operator::F64x2PromoteLowF32x4
                )
            })
        }),
        _ => false,
    })
}

/// Every task's input and step budget: a little of everything WASI reads.
fn task() -> Task {
    Task {
        args: vec!["prog".into(), "--flag".into(), "value".into()],
        env: vec![("HOME".into(), "/".into()), ("K".into(), "v".into())],
        stdin: b"some input for fd_read\n".repeat(5),
        max_steps: STEPS,
        ..Task::default()
    }
}

#[derive(Debug, Default)]
struct Tally {
    modules: u64,
    accepted: u64,
    runs: u64,
    steps: u64,
    proofs: u64,
    finished: u64,
    trapped_or_exited: u64,
    out_of_steps: u64,
    compared: u64,
    not_compared: u64,
    nan_payloads: u64,
    wasmi_wrong: u64,
}

/// An argument for a parameter: zero, small, boundary or random bits.
fn argument(t: ValType, r: &mut Rng) -> Value {
    let bits = match r.below(4) {
        0 => 0,
        1 => r.below(70_000),
        2 => [1, u64::MAX, 1 << 63, 0x8000_0000, 0x7fff_ffff, 65536][r.below(6) as usize],
        _ => r.next(),
    };
    match t {
        ValType::I32 => Value::I32(bits as i32),
        ValType::I64 => Value::I64(bits as i64),
        ValType::F32 => Value::F32(bits as u32),
        ValType::F64 => Value::F64(bits),
        ValType::V128 => Value::V128((r.next() as u128) << 64 | bits as u128),
        other => Value::default_of(other),
    }
}

/// Runs `entry` on the fast path, then step by step with proofs; returns
/// the fast machine's run. `Err` describes a disagreement.
fn run_both(module: &Module, entry: &Entry, prove: bool, tally: &mut Tally) -> Result<Option<Run>, String> {
    let task = task();
    let Ok(mut fast) = Run::new(module, &task, entry) else {
        // Refused before any step (a segment out of bounds, a limit): the
        // same for both runs.
        return Ok(None);
    };
    let status = fast.run_to_end();
    let steps = fast.machine.steps();
    tally.runs += 1;
    tally.steps += steps;
    match status {
        Status::Finished => tally.finished += 1,
        Status::Trapped(_) | Status::Exited(_) => tally.trapped_or_exited += 1,
        _ => tally.out_of_steps += 1,
    }
    if !prove || check_limits(&fast.machine.store).is_err() {
        return Ok(Some(fast));
    }
    let mut slow = Run::new(module, &task, entry).map_err(|e| format!("second instantiation: {e}"))?;
    let m = &mut slow.machine;
    let mut h = Hasher::new(m);
    // Proved: the first and last two steps, powers of two up to 64 and
    // every `PROVE_EVERY`-th. The state root from scratch (which also
    // catches a write above every frame, as the hasher only rehashes up to
    // the highest frame's `frame_size`) is compared at the first
    // `PROVE_EVERY`-th and, below, at the end: it scans the whole stack.
    let next_sample = |k: u64| match k {
        _ if k < 2 || k + 2 >= steps => k,
        _ if k <= 64 => k.next_power_of_two(),
        _ => k.next_multiple_of(PROVE_EVERY).min(steps - 2),
    };
    let fresh = |k: u64| k == PROVE_EVERY;
    let mut k = 0;
    while k < steps {
        // Jump to the next sampled step; the hasher tracks what changed.
        let next = next_sample(k);
        if next > k {
            h.run(m, next);
            k = next;
            continue;
        }
        let pre = h.root(m);
        if fresh(k) && pre != state_root(m) {
            return Err(format!("step {k}: the incremental state root differs from one from scratch"));
        }
        let proof = prove_step(m, &mut h).map_err(|e| format!("step {k}: proving: {e}"))?;
        let decoded = Proof::decode(&proof.encode()).map_err(|e| format!("step {k}: decoding: {e}"))?;
        let v = verify_step(&pre, &decoded).map_err(|e| format!("step {k}: verifying: {e}"))?;
        h.run(m, k + 1);
        if v.post != h.root(m) {
            return Err(format!("step {k} ({:?}): the verified post-state differs", v.op));
        }
        tally.proofs += 1;
        k += 1;
    }
    let slow_status = if m.status() == Status::Running { Status::OutOfSteps } else { m.status() };
    if (slow_status, m.steps()) != (status, steps) {
        return Err(format!(
            "fast path {status} after {steps} steps, stepwise {slow_status} after {}",
            m.steps()
        ));
    }
    if status == Status::Finished && m.results() != fast.machine.results() {
        return Err(format!("results differ: fast {:?}, stepwise {:?}", fast.machine.results(), m.results()));
    }
    if h.root(m) != state_root(&fast.machine) {
        return Err("the final state roots of the fast and the stepwise run differ".into());
    }
    Ok(Some(fast))
}

/// Whether an engine value and a wasmi value agree (any NaN equals any NaN;
/// references by nullness).
fn same(a: &Value, b: &wasmi::Val) -> bool {
    match (a, b) {
        (Value::I32(x), wasmi::Val::I32(y)) => x == y,
        (Value::I64(x), wasmi::Val::I64(y)) => x == y,
        (Value::F32(x), wasmi::Val::F32(y)) => {
            *x == y.to_bits() || (f32::from_bits(*x).is_nan() && f32::from(*y).is_nan())
        }
        (Value::F64(x), wasmi::Val::F64(y)) => {
            *x == y.to_bits() || (f64::from_bits(*x).is_nan() && f64::from(*y).is_nan())
        }
        (Value::FuncRef(x), wasmi::Val::FuncRef(y)) => x.is_none() == y.is_null(),
        (Value::ExternRef(x), wasmi::Val::ExternRef(y)) => x.is_none() == y.is_null(),
        (Value::V128(x), wasmi::Val::V128(y)) => same_v128(*x, y.as_u128()),
        _ => false,
    }
}

/// How a module was built.
#[derive(Clone, Copy)]
struct Shape {
    /// Every function body is wasm-smith's own, so the module must load.
    valid: bool,
    /// wasm-smith guarded each trapping instruction it generated
    /// (`disallow_traps`); random bodies, if any, are not guarded. A mutated
    /// module has the shape of the module it was mutated from: the engine
    /// finishing where wasmi traps on a division was wasmi's error in seeds
    /// 20295, 36358 and 50726 too (wasmtime 50 finished 36358's export on
    /// every argument tried, as the engine did).
    guarded: bool,
}

/// What comparing a run with wasmi's found.
enum Verdict {
    /// Both ended alike.
    Agree,
    /// The outcome cannot be compared: a resource limit of either engine, a
    /// wasmi panic, WASI calls without an exported memory.
    Incomparable,
    /// wasmi trapped on a division in a guarded module where the engine did
    /// not: wasmi's error. wasmi 2.0.0 traps on division by zero behind
    /// wasm-smith's guard `select(1, d, d == 0)`, whose result is never zero
    /// (seeds 1494 and 3415 of an earlier configuration; `tests/differential.rs`
    /// notes its wrong `select` operands too).
    WasmiWrong,
}

/// Runs the same task under wasmi and compares. In a valid guarded module
/// the engine may only trap on the fuel counter's `unreachable` or an
/// engine limit.
fn compare_with_wasmi(
    bytes: &[u8],
    module: &Module,
    shape: Shape,
    (name, args): (&str, &[Value]),
    run: &Run,
) -> Result<Verdict, String> {
    let status = run.machine.status();
    let fuel_or_limit = |s: Status| {
        matches!(
            s,
            Status::Trapped(
                TrapKind::Unreachable | TrapKind::CallStackExhausted | TrapKind::ValueStackExhausted
            )
        )
    };
    if shape.valid && shape.guarded && matches!(status, Status::Trapped(_)) && !fuel_or_limit(status) {
        return Err(format!("{name}: the engine {status} in a module that cannot trap"));
    }
    if matches!(status, Status::Running | Status::OutOfSteps)
        || matches!(status, Status::Trapped(TrapKind::CallStackExhausted | TrapKind::ValueStackExhausted))
    {
        return Ok(Verdict::Incomparable);
    }
    let ours = run.machine.store.instance(0).memory.map(|a| &run.machine.store.memory(a).data);
    let exported = module.exports().any(|(_, k, i)| k == ExportKind::Memory && i == 0);
    if ours.is_some() && !exported && !module.imports().is_empty() {
        return Ok(Verdict::Incomparable);
    }
    // A wasmi panic is wasmi's problem, not the engine's.
    let Ok(theirs) = catch_unwind(|| wasmi_run::run(bytes, module, &task(), name, args, 100 * STEPS)) else {
        return Ok(Verdict::Incomparable);
    };
    let theirs = theirs?;
    let Some(their_status) = theirs.status else { return Ok(Verdict::Incomparable) };
    if shape.guarded
        && status != their_status
        && matches!(their_status, Status::Trapped(TrapKind::IntegerDivideByZero | TrapKind::IntegerOverflow))
    {
        return Ok(Verdict::WasmiWrong);
    }
    if status != their_status {
        return Err(format!("{name}: engine {status}, wasmi {their_status}"));
    }
    if status == Status::Finished {
        let got = run.machine.results();
        let want = &theirs.results;
        if got.len() != want.len() || !got.iter().zip(want).all(|(a, b)| same(a, b)) {
            return Err(format!("{name}: results differ: engine {got:?}, wasmi {want:?}"));
        }
        if let (Some(ours), Some(theirs)) = (ours, &theirs.memory)
            && ours != theirs
        {
            return Err(format!("{name}: memory contents differ"));
        }
    }
    let host = &run.machine.host;
    if (&host.stdout, &host.stderr) != (&theirs.stdout, &theirs.stderr) {
        return Err(format!("{name}: output differs"));
    }
    Ok(Verdict::Agree)
}

/// Loads, runs and compares one module, built as `shape` says.
fn check(bytes: &[u8], shape: Shape, r: &mut Rng, tally: &mut Tally) -> Result<(), String> {
    tally.modules += 1;
    let module = match Module::new(bytes) {
        Ok(m) => m,
        // A 2.0 encoding rule that wasm-smith's overlong LEB128 numbers can
        // break (`memory.size` and `memory.grow` take the byte zero).
        Err(e) if !shape.valid || e.to_string().contains("zero byte expected") => return Ok(()),
        Err(e) => return Err(format!("the engine refuses a valid module: {e}")),
    };
    tally.accepted += 1;
    if !modest(bytes) {
        return Ok(());
    }
    let mut exports: Vec<(&str, u32)> =
        module.exports().filter(|(_, k, _)| *k == ExportKind::Func).map(|(n, _, i)| (n, i)).collect();
    exports.sort();
    for (name, index) in exports.into_iter().take(4) {
        let ty = module.func_type(index).expect("an exported function has a type");
        let args: Vec<Value> = ty.params.iter().map(|t| argument(*t, r)).collect();
        let entry = Entry::Invoke(name.to_string(), args.clone());
        // Proofs clone the machine each time: prove on most, not all, runs.
        let Some(run) =
            run_both(&module, &entry, r.below(4) != 0, tally).map_err(|e| format!("{name}: {e}"))?
        else {
            continue;
        };
        match compare_with_wasmi(bytes, &module, shape, (name, &args), &run) {
            Ok(Verdict::Agree) => tally.compared += 1,
            Ok(Verdict::Incomparable) => tally.not_compared += 1,
            Ok(Verdict::WasmiWrong) => tally.wasmi_wrong += 1,
            // NaN payloads may differ there by design (see `has_free_nans`).
            Err(_) if has_free_nans(bytes) => tally.nan_payloads += 1,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Flips, zeroes or sets the continuation bit of a few bytes of `bytes`.
fn mutate(bytes: &[u8], r: &mut Rng) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for _ in 0..1 + r.below(4) {
        let i = 8 + r.below(out.len().saturating_sub(8).max(1) as u64) as usize;
        if let Some(b) = out.get_mut(i) {
            *b = match r.below(4) {
                0 => *b ^ (1 << r.below(8)),
                1 => 0,
                2 => *b | 0x80,
                _ => r.next() as u8,
            };
        }
    }
    out
}

/// Runs `check` under `catch_unwind`, so a panic names its seed.
fn guarded(bytes: &[u8], shape: Shape, r: &mut Rng, tally: &mut Tally) -> Result<(), String> {
    match catch_unwind(AssertUnwindSafe(|| check(bytes, shape, r, tally))) {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(format!("panic: {what}"))
        }
    }
}

#[test]
fn adversarial_modules_run_alike_on_every_path() {
    let cases = env_u64("REFUTE_FUZZ_CASES", DEFAULT_CASES);
    let first = env_u64("REFUTE_FUZZ_SEED", 1);
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for seed in first..first + cases {
        let mut r = Rng(seed);
        let config = config(&mut r);
        let len = 8 * 1024 + r.below(24 * 1024) as usize;
        let data = r.bytes(len);
        let Ok(mut module) = wasm_smith::Module::new(config.clone(), &mut Unstructured::new(&data)) else {
            continue;
        };
        // Invalid bodies cannot take the fuel counter; the step budget and
        // wasmi's fuel bound them instead.
        let valid = !config.allow_invalid_funcs;
        if valid {
            module.ensure_termination(1_000).expect("valid bodies take fuel");
        }
        let bytes = module.to_bytes();
        let shape = Shape { valid, guarded: config.disallow_traps };
        let mut result = guarded(&bytes, shape, &mut r, &mut tally);
        for _ in 0..2 {
            if result.is_err() {
                break;
            }
            let m = mutate(&bytes, &mut r);
            // A mutation of a guarded module keeps most of its guards, so
            // wasmi's division bug (`Verdict::WasmiWrong`) shows there too.
            result = guarded(&m, Shape { valid: false, guarded: shape.guarded }, &mut r, &mut tally)
                .map_err(|e| format!("mutated: {e}"));
            if result.is_err() {
                let _ = std::fs::write(std::env::temp_dir().join(format!("refute-mutated-{seed}.wasm")), &m);
            }
        }
        if let Err(e) = result {
            let path = std::env::temp_dir().join(format!("refute-translate-fuzz-{seed}.wasm"));
            let _ = std::fs::write(&path, &bytes);
            failures.push(format!("seed {seed}: {e} (the unmutated module is in {})", path.display()));
        }
    }
    println!("translate fuzz: seeds {first}..{}: {tally:?}", first + cases);
    assert!(failures.is_empty(), "{} failing seeds:\n{}", failures.len(), failures.join("\n"));
    assert!(tally.accepted * 2 > cases, "too few modules loaded: {tally:?}");
    assert!(tally.proofs > cases, "too few steps proved: {tally:?}");
    assert!(tally.compared * 4 > cases, "too few runs compared with wasmi: {tally:?}");
}
