//! Differential testing against wasmi: random valid modules from wasm-smith
//! (made to terminate by an injected fuel counter, NaNs canonicalised) run in
//! both engines must agree on results, traps, exported globals and final
//! memory contents, bit for bit.
//!
//! wasm-smith canonicalises the NaNs of arithmetic (scalar and SIMD) but not
//! of `f32.demote_f64` / `f64.promote_f32` and their SIMD forms
//! `f32x4.demote_f64x2_zero` / `f64x2.promote_low_f32x4`, whose NaN payloads
//! WebAssembly leaves open (the engine canonicalises them; wasmi keeps the
//! hardware's). The modules are rewritten to canonicalise after those four as
//! well, so every difference left is a real one. Values compare as the
//! scalar path does: bit for bit, or NaN against NaN (a v128 lane by lane).
//!
//! A difference is not always the engine's fault: long runs found wasmi 2.0.0
//! returning the wrong `select` operand and reading values that change from
//! run to run, where wasmtime agrees with the engine. Triage a failing seed by
//! shrinking its module (it is written to the temp directory) and running it
//! in a third engine (`pip install wasmtime`).
//!
//! `REFUTE_DIFF_CASES=N` sets the number of modules (default 5000);
//! `REFUTE_DIFF_SEED=S` the first seed. A failure names its seed.

use arbitrary::Unstructured;
use refute::oracle;
use refute_engine::{Extern, HostState, Machine, Module, Status, TrapKind, Value};

#[path = "common/smith.rs"]
mod smith;
use smith::config;
#[path = "../engine/tests/common/v128.rs"]
mod v128;
use v128::same_v128;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Deterministic bytes for a seed (splitmix64).
fn seed_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut z = seed;
    (0..len)
        .map(|_| {
            z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            (x ^ (x >> 31)) as u8
        })
        .collect()
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::F32(x), Value::F32(y)) => {
            x == y || (f32::from_bits(*x).is_nan() && f32::from_bits(*y).is_nan())
        }
        (Value::F64(x), Value::F64(y)) => {
            x == y || (f64::from_bits(*x).is_nan() && f64::from_bits(*y).is_nan())
        }
        (Value::FuncRef(x), Value::FuncRef(y)) | (Value::ExternRef(x), Value::ExternRef(y)) => {
            x.is_some() == y.is_some()
        }
        (Value::V128(x), Value::V128(y)) => same_v128(*x, *y),
        _ => a == b,
    }
}

/// Re-encodes a module, adding NaN canonicalisation after every
/// `f32.demote_f64`, `f64.promote_f32`, `f32x4.demote_f64x2_zero` and
/// `f64x2.promote_low_f32x4` (as wasm-smith does for arithmetic).
struct CanonicaliseConversions {
    /// Parameter count of each defined function, in order.
    params: Vec<u32>,
    next: usize,
}

impl wasm_encoder::reencode::Reencode for CanonicaliseConversions {
    type Error = std::convert::Infallible;

    fn parse_function_body(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        use wasm_encoder::{Instruction as I, ValType as V};
        let mut index = self.params[self.next];
        self.next += 1;
        let mut locals = Vec::new();
        for pair in func.get_locals_reader()? {
            let (count, ty) = pair?;
            index += count;
            locals.push((count, self.val_type(ty)?));
        }
        let (t32, t64, tv) = (index, index + 1, index + 2);
        locals.push((1, V::F32));
        locals.push((1, V::F64));
        locals.push((1, V::V128));
        let mut f = wasm_encoder::Function::new(locals);
        let mut reader = func.get_operators_reader()?;
        while !reader.eof() {
            let op = reader.read()?;
            let after = match op {
                wasmparser::Operator::F32DemoteF64 => Some(32),
                wasmparser::Operator::F64PromoteF32 => Some(64),
                wasmparser::Operator::F32x4DemoteF64x2Zero => Some(128 + 32),
                wasmparser::Operator::F64x2PromoteLowF32x4 => Some(128 + 64),
                _ => None,
            };
            f.instruction(&self.instruction(op)?);
            // value; local.tee t; NaN; local.get t; local.get t; eq; select
            // (for a v128: the lanes' NaN, a lane mask and bitselect)
            let nan32 = 0x7fc0_0000u128 * 0x0000_0001_0000_0001_0000_0001_0000_0001;
            let nan64 = 0x7ff8_0000_0000_0000u128 * 0x0000_0000_0000_0001_0000_0000_0000_0001;
            match after {
                Some(lanes @ (160 | 192)) => {
                    let (nan, eq) = if lanes == 160 { (nan32, I::F32x4Eq) } else { (nan64, I::F64x2Eq) };
                    f.instruction(&I::LocalTee(tv));
                    f.instruction(&I::V128Const(nan as i128));
                    f.instruction(&I::LocalGet(tv));
                    f.instruction(&I::LocalGet(tv));
                    f.instruction(&eq);
                    f.instruction(&I::V128Bitselect);
                }
                Some(32) => {
                    f.instruction(&I::LocalTee(t32));
                    f.instruction(&I::F32Const(wasm_encoder::Ieee32::new(0x7fc0_0000)));
                    f.instruction(&I::LocalGet(t32));
                    f.instruction(&I::LocalGet(t32));
                    f.instruction(&I::F32Eq);
                    f.instruction(&I::Select);
                }
                Some(_) => {
                    f.instruction(&I::LocalTee(t64));
                    f.instruction(&I::F64Const(wasm_encoder::Ieee64::new(0x7ff8_0000_0000_0000)));
                    f.instruction(&I::LocalGet(t64));
                    f.instruction(&I::LocalGet(t64));
                    f.instruction(&I::F64Eq);
                    f.instruction(&I::Select);
                }
                None => {}
            }
        }
        code.function(&f);
        Ok(())
    }
}

/// Adds canonicalisation after the NaN-producing conversions (see the module docs).
fn canonicalise_conversions(bytes: &[u8]) -> Vec<u8> {
    use wasm_encoder::reencode::Reencode;
    let mut types = Vec::new();
    let mut params = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload.expect("wasm-smith output parses") {
            wasmparser::Payload::TypeSection(r) => {
                for g in r {
                    for t in g.unwrap().into_types() {
                        types.push(t.unwrap_func().params().len() as u32);
                    }
                }
            }
            wasmparser::Payload::FunctionSection(r) => {
                params.extend(r.into_iter().map(|t| types[t.unwrap() as usize]));
            }
            _ => {}
        }
    }
    let mut out = wasm_encoder::Module::new();
    CanonicaliseConversions { params, next: 0 }
        .parse_core_module(&mut out, wasmparser::Parser::new(0), bytes)
        .expect("re-encoding a valid module");
    out.finish()
}

#[derive(Default, Debug)]
struct Tally {
    modules: u64,
    /// Modules with at least one SIMD instruction.
    simd_modules: u64,
    exported_funcs: u64,
    calls: u64,
    traps: u64,
    skipped: u64,
    /// Modules skipped because wasmi itself panicked.
    wasmi_panics: u64,
}

/// Runs one module in both engines; `Err` describes a disagreement.
/// An argument: small, boundary and random values, NaNs canonical.
fn arbitrary_value(t: refute_engine::ValType, rng: &mut u64) -> Value {
    use refute_engine::ValType as T;
    *rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let r = *rng >> 16;
    let pick = |choices: &[u64]| choices[(r % choices.len() as u64) as usize];
    let bits = match r % 4 {
        0 => 0,
        1 => r >> 8,
        2 => pick(&[1, u64::MAX, i64::MIN as u64, i32::MIN as u32 as u64, 0x7fff_ffff, 255, 65536]),
        _ => (r >> 8) % 70_000,
    };
    match t {
        T::I32 => Value::I32(bits as i32),
        T::I64 => Value::I64(bits as i64),
        T::F32 => Value::F32(f32::from_bits(bits as u32).to_bits()).canonical(),
        T::F64 => Value::F64(bits).canonical(),
        T::V128 => Value::V128((r as u128) << 64 | bits as u128),
        other => Value::default_of(other),
    }
}

trait Canonical {
    fn canonical(self) -> Self;
}

impl Canonical for Value {
    fn canonical(self) -> Value {
        match self {
            Value::F32(b) if f32::from_bits(b).is_nan() => Value::F32(0x7fc0_0000),
            Value::F64(b) if f64::from_bits(b).is_nan() => Value::F64(0x7ff8_0000_0000_0000),
            v => v,
        }
    }
}

/// Runs a wasmi call; a panic inside wasmi (a wasmi bug, not ours) is
/// counted and the module skipped.
fn wasmi_guard<T>(tally: &mut Tally, f: impl FnOnce() -> T) -> Option<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(v) => Some(v),
        Err(_) => {
            tally.wasmi_panics += 1;
            None
        }
    }
}

fn check(bytes: &[u8], tally: &mut Tally, rng: &mut u64) -> Result<(), String> {
    let module = Module::new(bytes).map_err(|e| format!("engine refuses a valid module: {e}"))?;
    let engine = wasmi::Engine::default();
    let Some(wmodule) = wasmi_guard(tally, || wasmi::Module::new(&engine, bytes)) else { return Ok(()) };
    let wmodule = wmodule.map_err(|e| format!("wasmi refuses: {e}"))?;
    // Give wasmi the engine's fixed limits, so growth beyond them fails alike.
    let limits = wasmi::StoreLimitsBuilder::new()
        .memory_size(refute_engine::limits::MAX_MEMORY_PAGES as usize * 65536)
        .table_elements(refute_engine::limits::MAX_TABLE_ELEMS as usize)
        .build();
    let mut wstore = wasmi::Store::new(&engine, limits);
    wstore.limiter(|l| l);
    let linker = wasmi::Linker::<wasmi::StoreLimits>::new(&engine);
    let Some(winst) = wasmi_guard(tally, || linker.instantiate_and_start(&mut wstore, &wmodule)) else {
        return Ok(());
    };

    let mut m = Machine::new(HostState::default());
    // Instantiation includes running the start function, as in wasmi.
    let inst = m.store.instantiate(&module, |_| None).map_err(|e| e.to_string()).and_then(|(id, start)| {
        if let Some(s) = start {
            m.invoke(s, &[]).map_err(|e| e.to_string())?;
            match m.run_to_end(10_000_000) {
                Status::Finished => {}
                other => return Err(format!("start: {other}")),
            }
        }
        Ok(id)
    });
    let (id, winst) = match (inst, winst) {
        (Err(_), Err(_)) => return Ok(()),
        (Ok(i), Ok(w)) => (i, w),
        (Err(e), Ok(_)) => return Err(format!("instantiation differs: engine {e}, wasmi succeeded")),
        (Ok(_), Err(e)) if e.as_trap_code() == Some(wasmi::TrapCode::StackOverflow) => {
            tally.skipped += 1;
            return Ok(());
        }
        (Ok(_), Err(e)) => return Err(format!("instantiation differs: engine succeeded, wasmi {e}")),
    };
    let mut exports: Vec<(String, u32)> = m
        .store
        .instance(id)
        .exports
        .iter()
        .filter_map(|(n, e)| match e {
            Extern::Func(f) => Some((n.clone(), *f)),
            _ => None,
        })
        .collect();
    exports.sort();
    tally.modules += 1;
    tally.exported_funcs += exports.len() as u64;
    for (name, func) in exports {
        let ty = m.store.func_type(func).clone();
        let args: Vec<Value> = ty.params.iter().map(|t| arbitrary_value(*t, rng)).collect();
        let wfunc = winst.get_func(&wstore, &name).ok_or("wasmi lacks an export")?;
        let wargs =
            args.iter().map(oracle::to_wasmi).collect::<Result<Vec<_>, _>>().map_err(|e| e.to_string())?;
        let mut wres: Vec<wasmi::Val> =
            wfunc.ty(&wstore).results().iter().map(|t| wasmi::Val::default_for_ty(*t)).collect();
        let Some(wout) = wasmi_guard(tally, || wfunc.call(&mut wstore, &wargs, &mut wres)) else {
            return Ok(());
        };
        m.invoke(func, &args).map_err(|e| format!("{name}: {e}"))?;
        let status = m.run_to_end(m.steps() + 50_000_000);
        tally.calls += 1;
        match (status, &wout) {
            (Status::Finished, Ok(())) => {
                let got = m.results();
                let want: Vec<Value> = wres.iter().map(oracle::from_wasmi).collect();
                if got.len() != want.len() || !got.iter().zip(&want).all(|(a, b)| same_value(a, b)) {
                    return Err(format!("{name}: results differ: engine {got:?}, wasmi {want:?}"));
                }
            }
            (Status::Trapped(TrapKind::CallStackExhausted | TrapKind::ValueStackExhausted), _)
            | (Status::OutOfSteps, _) => {
                // Resource limits differ between engines by design: stop here.
                tally.skipped += 1;
                return Ok(());
            }
            (Status::Trapped(k), Err(e)) => {
                tally.traps += 1;
                match e.as_trap_code().map(oracle::trap_kind) {
                    Some(TrapKind::CallStackExhausted) => {
                        tally.skipped += 1;
                        return Ok(());
                    }
                    Some(w) if w == k => {}
                    other => {
                        return Err(format!("{name}: engine trapped with {k}, wasmi with {other:?} ({e})"));
                    }
                }
            }
            (s, w) => return Err(format!("{name}: engine {s}, wasmi {w:?}")),
        }
        // Exported globals must agree after every call.
        let mut globals: Vec<_> = m.store.instance(id).exports.iter().collect();
        globals.sort_by_key(|(n, _)| n.as_str());
        for (gname, e) in globals {
            let Extern::Global(g) = e else { continue };
            let ours = m.store.global(*g);
            let wg = winst.get_global(&wstore, gname).ok_or("wasmi lacks a global export")?;
            let theirs = oracle::from_wasmi(&wg.get(&wstore));
            if !same_value(&ours, &theirs) {
                return Err(format!("{name}: global {gname:?} differs: engine {ours:?}, wasmi {theirs:?}"));
            }
        }
        // Final memory contents must agree after every call.
        if let Some(Extern::Memory(addr)) =
            m.store.instance(id).exports.values().find(|e| matches!(e, Extern::Memory(_)))
        {
            let wm = winst
                .exports(&wstore)
                .find_map(|e| e.into_memory())
                .ok_or("wasmi lacks the memory export")?;
            let (ours, theirs) = (&m.store.memory(*addr).data, wm.data(&wstore));
            if theirs.len() as u64 > refute_engine::limits::MAX_MEMORY_PAGES as u64 * 65536 {
                // wasmi grew past the engine's fixed memory limit: a resource limit, by design.
                tally.skipped += 1;
                return Ok(());
            }
            if ours != theirs {
                let first = ours.iter().zip(theirs).position(|(a, b)| a != b);
                return Err(format!(
                    "{name}: memory contents differ: {} vs {} bytes, first difference at {first:?}",
                    ours.len(),
                    theirs.len()
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn random_modules_agree_with_wasmi() {
    let cases = env_u64("REFUTE_DIFF_CASES", 5000);
    let first = env_u64("REFUTE_DIFF_SEED", 1);
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    let mut wasmi_panic_seeds = Vec::new();
    for seed in first..first + cases {
        let data = seed_bytes(seed, 16 * 1024);
        let mut u = Unstructured::new(&data);
        let Ok(mut module) = wasm_smith::Module::new(config(), &mut u) else { continue };
        if module.ensure_termination(1_000).is_err() {
            continue;
        }
        let bytes = canonicalise_conversions(&module.to_bytes());
        tally.simd_modules += has_simd(&bytes) as u64;
        let mut rng = seed;
        let panics = tally.wasmi_panics;
        let result = check(&bytes, &mut tally, &mut rng);
        if tally.wasmi_panics > panics {
            wasmi_panic_seeds.push(seed);
        }
        if let Err(e) = result {
            failures.push(format!("seed {seed}: {e}"));
            if failures.len() == 1 {
                let path = std::env::temp_dir().join(format!("refute-diff-{seed}.wasm"));
                std::fs::write(&path, &bytes).unwrap();
                failures.push(format!("  module written to {}", path.display()));
            }
        }
    }
    println!("differential: {tally:?}");
    if !wasmi_panic_seeds.is_empty() {
        println!("wasmi panicked (skipped) on seeds {wasmi_panic_seeds:?}");
    }
    assert!(failures.is_empty(), "{} disagreements:\n{}", failures.len(), failures.join("\n"));
    assert!(tally.modules > cases / 2, "too few modules were generated: {tally:?}");
    assert!(tally.calls > tally.modules / 2, "too few calls: {tally:?}");
    assert!(tally.simd_modules > cases / 4, "too few modules use SIMD: {tally:?}");
}

/// Whether a module's code has a SIMD instruction (the 2.0 SIMD operators
/// are the ones named after a vector shape).
fn has_simd(bytes: &[u8]) -> bool {
    const SHAPES: [&str; 7] = ["V128", "I8x16", "I16x8", "I32x4", "I64x2", "F32x4", "F64x2"];
    wasmparser::Parser::new(0).parse_all(bytes).any(|p| match p {
        Ok(wasmparser::Payload::CodeSectionEntry(body)) => body.get_operators_reader().is_ok_and(|mut r| {
            std::iter::from_fn(|| r.read().ok())
                .any(|op| SHAPES.iter().any(|s| format!("{op:?}").starts_with(s)))
        }),
        _ => false,
    })
}
