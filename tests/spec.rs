//! The WebAssembly 2.0 core spec suite: one test per `.wast` file, checking
//! every directive. Ends with the line
//! `spec suite: N passed, M failed, K skipped` (counting directives).
//!
//! The suite is read from `tests/spec/testsuite/` in the repository (see its
//! README for the upstream commit), or from the directory in `REFUTE_SPEC_DIR`.

use libtest_mimic::{Arguments, Failed, Trial};
use refute_engine::{
    Extern, FuncType, GlobalType, HostFunc, HostState, InstantiateError, Machine, MemoryType, Module, Status,
    TableType, TrapKind, ValType, Value,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet};

static PASSED: AtomicU64 = AtomicU64::new(0);
static FAILED: AtomicU64 = AtomicU64::new(0);
static SKIPPED: AtomicU64 = AtomicU64::new(0);

/// Files not run, by name prefix, with the reason (none: every file runs).
const SKIPS: &[(&str, &str)] = &[];

/// Step budget per invocation; every spec test terminates well within it.
const STEP_LIMIT: u64 = 1 << 32;

fn suite_dir() -> PathBuf {
    match std::env::var_os("REFUTE_SPEC_DIR") {
        Some(d) => PathBuf::from(d),
        None => manifest_dir().join("tests/spec/testsuite"),
    }
}

fn main() {
    let args = Arguments::from_args();
    let dir = suite_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read the spec suite at {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "wast"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .wast files in {}", dir.display());
    let mut skipped = Vec::new();
    let trials = files
        .into_iter()
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            match SKIPS.iter().find(|(prefix, _)| name.starts_with(prefix)) {
                Some((_, why)) => {
                    skipped.push((name.clone(), *why, path.clone()));
                    Trial::test(name, || Ok(())).with_ignored_flag(true)
                }
                None => Trial::test(name, move || run_file(&path)),
            }
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    if args.filter.is_none() && args.skip.is_empty() {
        for (name, why, path) in &skipped {
            let n = count_directives(path);
            SKIPPED.fetch_add(n, Relaxed);
            println!("skipped {name}.wast ({n} directives): {why}");
        }
    }
    println!(
        "spec suite: {} passed, {} failed, {} skipped",
        PASSED.load(Relaxed),
        FAILED.load(Relaxed),
        SKIPPED.load(Relaxed)
    );
    conclusion.exit();
}

fn count_directives(path: &Path) -> u64 {
    let text = std::fs::read_to_string(path).expect("read wast");
    let buf = parse_buffer(&text).expect("lex wast");
    parser::parse::<Wast>(&buf).map(|w| w.directives.len() as u64).unwrap_or(0)
}

/// names.wast deliberately uses confusing Unicode in export names.
fn parse_buffer(text: &str) -> wast::parser::Result<ParseBuffer<'_>> {
    let mut lexer = wast::lexer::Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    ParseBuffer::new_with_lexer(lexer)
}

fn run_file(path: &Path) -> Result<(), Failed> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("read {}: {e}", path.display()))?;
    let buf = parse_buffer(&text).map_err(|e| format!("lex: {e}"))?;
    let wast = parser::parse::<Wast>(&buf).map_err(|e| format!("parse: {e}"))?;
    let name = path.file_name().unwrap().to_string_lossy();
    let mut ctx = Ctx::new();
    let mut failures = Vec::new();
    let (mut passed, mut failed) = (0, 0);
    for directive in wast.directives {
        let (line, col) = directive.span().linecol_in(&text);
        match ctx.directive(directive) {
            Ok(()) => passed += 1,
            Err(e) => {
                failed += 1;
                if failures.len() < 20 {
                    failures.push(format!("{name}:{}:{}: {e}", line + 1, col + 1));
                }
            }
        }
    }
    PASSED.fetch_add(passed, Relaxed);
    FAILED.fetch_add(failed, Relaxed);
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("{failed} directives failed:\n{}", failures.join("\n")).into())
    }
}

struct Ctx {
    machine: Machine,
    registry: HashMap<String, HashMap<String, Extern>>,
    named: HashMap<String, usize>,
    last: Option<usize>,
}

impl Ctx {
    fn new() -> Ctx {
        let mut machine = Machine::new(HostState::default());
        let s = &mut machine.store;
        let mut spectest = HashMap::new();
        let func = |p: &[ValType]| FuncType { params: p.to_vec(), results: vec![] };
        use ValType::*;
        for (name, params) in [
            ("print", vec![]),
            ("print_i32", vec![I32]),
            ("print_i64", vec![I64]),
            ("print_f32", vec![F32]),
            ("print_f64", vec![F64]),
            ("print_i32_f32", vec![I32, F32]),
            ("print_f64_f64", vec![F64, F64]),
        ] {
            spectest.insert(name.to_string(), Extern::Func(s.add_host_func(&func(&params), HostFunc::Nop)));
        }
        let global = |ty| GlobalType { ty, mutable: false };
        spectest.insert("global_i32".into(), Extern::Global(s.add_global(global(I32), Value::I32(666))));
        spectest.insert("global_i64".into(), Extern::Global(s.add_global(global(I64), Value::I64(666))));
        spectest.insert(
            "global_f32".into(),
            Extern::Global(s.add_global(global(F32), Value::F32(666.6f32.to_bits()))),
        );
        spectest.insert(
            "global_f64".into(),
            Extern::Global(s.add_global(global(F64), Value::F64(666.6f64.to_bits()))),
        );
        let table = TableType { elem: FuncRef, min: 10, max: Some(20) };
        spectest.insert("table".into(), Extern::Table(s.add_table(&table)));
        spectest.insert("memory".into(), Extern::Memory(s.add_memory(&MemoryType { min: 1, max: Some(2) })));
        let mut registry = HashMap::new();
        registry.insert("spectest".to_string(), spectest);
        Ctx { machine, registry, named: HashMap::new(), last: None }
    }

    fn directive(&mut self, d: WastDirective<'_>) -> Result<(), String> {
        match d {
            WastDirective::Module(mut qw) | WastDirective::ModuleDefinition(mut qw) => {
                let name = qw.name().map(|id| id.name().to_string());
                let bytes = qw.encode().map_err(|e| format!("encode: {e}"))?;
                let id = self.instantiate(&bytes)?;
                if let Some(name) = name {
                    self.named.insert(name, id);
                }
                self.last = Some(id);
                Ok(())
            }
            WastDirective::ModuleInstance { instance, module, .. } => {
                let id = self.instance(module.map(|m| m.name()))?;
                if let Some(name) = instance {
                    self.named.insert(name.name().to_string(), id);
                }
                self.last = Some(id);
                Ok(())
            }
            WastDirective::Register { name, module, .. } => {
                let id = self.instance(module.map(|m| m.name()))?;
                let exports = self.machine.store.instance(id).exports.clone();
                self.registry.insert(name.to_string(), exports);
                Ok(())
            }
            WastDirective::Invoke(inv) => self.invoke(&inv).map(|_| ()),
            WastDirective::AssertReturn { exec, results, .. } => {
                let got = self.execute(exec)?.map_err(|t| format!("expected results, trapped: {t}"))?;
                if got.len() != results.len() {
                    return Err(format!("expected {} results, got {got:?}", results.len()));
                }
                for (g, want) in got.iter().zip(&results) {
                    if !ret_matches(g, want) {
                        return Err(format!("result mismatch: got {g:?}, expected {want:?}"));
                    }
                }
                Ok(())
            }
            WastDirective::AssertTrap { exec, message, .. } => match self.execute(exec)? {
                Ok(v) => Err(format!("expected trap {message:?}, got results {v:?}")),
                Err(kind) if trap_matches(kind, message) => Ok(()),
                Err(kind) => Err(format!("expected trap {message:?}, got {kind}")),
            },
            WastDirective::AssertExhaustion { call, message, .. } => match self.invoke(&call)? {
                Err(TrapKind::CallStackExhausted | TrapKind::ValueStackExhausted) => Ok(()),
                other => Err(format!("expected exhaustion {message:?}, got {other:?}")),
            },
            WastDirective::AssertInvalid { module, message, .. }
            | WastDirective::AssertMalformed { module, message, .. } => self.assert_rejected(module, message),
            WastDirective::AssertUnlinkable { mut module, message, .. } => {
                let bytes = module.encode().map_err(|e| format!("encode: {e}"))?;
                let m = Module::new(&bytes).map_err(|e| format!("module should load: {e}"))?;
                match self.link(&m) {
                    Err(
                        InstantiateError::UnknownImport { .. } | InstantiateError::IncompatibleImport { .. },
                    ) => Ok(()),
                    other => Err(format!("expected unlinkable ({message}), got {other:?}")),
                }
            }
            other => Err(format!("unsupported directive {other:?}")),
        }
    }

    fn assert_rejected(&mut self, mut module: QuoteWat<'_>, message: &str) -> Result<(), String> {
        let bytes = match module.encode() {
            // Rejected by the text parser: the text format is not the engine's concern.
            Err(_) => return Ok(()),
            Ok(b) => b,
        };
        match Module::new(&bytes) {
            Err(_) => Ok(()),
            Ok(_) => Err(format!("module should be rejected ({message}) but loaded")),
        }
    }

    fn instance(&self, name: Option<&str>) -> Result<usize, String> {
        match name {
            Some(n) => self.named.get(n).copied().ok_or_else(|| format!("no module named {n}")),
            None => self.last.ok_or_else(|| "no module instantiated yet".to_string()),
        }
    }

    fn link(&mut self, m: &Module) -> Result<(usize, Option<u32>), InstantiateError> {
        let registry = &self.registry;
        self.machine
            .store
            .instantiate(m, |imp| registry.get(&imp.module).and_then(|e| e.get(&imp.name)).copied())
    }

    /// Loads and instantiates a module, running its start function.
    fn instantiate(&mut self, bytes: &[u8]) -> Result<usize, String> {
        let m = Module::new(bytes).map_err(|e| format!("module should load: {e}"))?;
        let (id, start) = self.link(&m).map_err(|e| format!("instantiate: {e}"))?;
        if let Some(start) = start {
            self.call(start, &[])?.map_err(|t| format!("start function trapped: {t}"))?;
        }
        Ok(id)
    }

    fn call(&mut self, func: u32, args: &[Value]) -> Result<Result<Vec<Value>, TrapKind>, String> {
        self.machine.invoke(func, args).map_err(|e| format!("invoke: {e}"))?;
        match self.machine.run_to_end(self.machine.steps() + STEP_LIMIT) {
            Status::Finished => Ok(Ok(self.machine.results())),
            Status::Trapped(t) => Ok(Err(t)),
            other => Err(format!("unexpected status {other}")),
        }
    }

    fn invoke(&mut self, inv: &WastInvoke<'_>) -> Result<Result<Vec<Value>, TrapKind>, String> {
        let id = self.instance(inv.module.map(|m| m.name()))?;
        let func = match self.machine.store.instance(id).exports.get(inv.name) {
            Some(Extern::Func(f)) => *f,
            _ => return Err(format!("no exported function {:?}", inv.name)),
        };
        let args = inv.args.iter().map(arg).collect::<Result<Vec<_>, _>>()?;
        self.call(func, &args)
    }

    fn execute(&mut self, exec: WastExecute<'_>) -> Result<Result<Vec<Value>, TrapKind>, String> {
        match exec {
            WastExecute::Invoke(inv) => self.invoke(&inv),
            WastExecute::Wat(mut wat) => {
                let bytes = wat.encode().map_err(|e| format!("encode: {e}"))?;
                let m = Module::new(&bytes).map_err(|e| format!("module should load: {e}"))?;
                match self.link(&m) {
                    Err(InstantiateError::Trap(t)) => Ok(Err(t)),
                    Err(e) => Err(format!("instantiate: {e}")),
                    Ok((_, Some(start))) => Ok(self.call(start, &[])?.map(|_| vec![])),
                    Ok((_, None)) => Ok(Ok(vec![])),
                }
            }
            WastExecute::Get { module, global, .. } => {
                let id = self.instance(module.map(|m| m.name()))?;
                match self.machine.store.instance(id).exports.get(global) {
                    Some(Extern::Global(g)) => Ok(Ok(vec![self.machine.store.global(*g)])),
                    _ => Err(format!("no exported global {global:?}")),
                }
            }
        }
    }
}

fn is_func(h: &HeapType<'_>) -> bool {
    matches!(h, HeapType::Abstract { ty: AbstractHeapType::Func, .. })
}

fn arg(a: &WastArg<'_>) -> Result<Value, String> {
    Ok(match a {
        WastArg::Core(WastArgCore::I32(v)) => Value::I32(*v),
        WastArg::Core(WastArgCore::I64(v)) => Value::I64(*v),
        WastArg::Core(WastArgCore::F32(v)) => Value::F32(v.bits),
        WastArg::Core(WastArgCore::F64(v)) => Value::F64(v.bits),
        WastArg::Core(WastArgCore::RefNull(h)) if is_func(h) => Value::FuncRef(None),
        WastArg::Core(WastArgCore::RefNull(_)) => Value::ExternRef(None),
        WastArg::Core(WastArgCore::RefExtern(n)) => Value::ExternRef(Some(*n)),
        WastArg::Core(WastArgCore::V128(v)) => Value::V128(u128::from_le_bytes(v.to_le_bytes())),
        other => return Err(format!("unsupported argument {other:?}")),
    })
}

fn ret_matches(got: &Value, want: &WastRet<'_>) -> bool {
    let WastRet::Core(want) = want else {
        return false;
    };
    core_matches(got, want)
}

fn core_matches(got: &Value, want: &WastRetCore<'_>) -> bool {
    match (got, want) {
        (Value::I32(g), WastRetCore::I32(w)) => g == w,
        (Value::I64(g), WastRetCore::I64(w)) => g == w,
        (Value::F32(g), WastRetCore::F32(p)) => f32_matches(*g, p),
        (Value::F64(g), WastRetCore::F64(p)) => f64_matches(*g, p),
        (Value::V128(g), WastRetCore::V128(p)) => v128_matches(*g, p),
        (Value::FuncRef(None), WastRetCore::RefNull(h)) => h.as_ref().is_none_or(is_func),
        (Value::ExternRef(None), WastRetCore::RefNull(h)) => h.as_ref().is_none_or(|h| !is_func(h)),
        (Value::ExternRef(g), WastRetCore::RefExtern(w)) => match w {
            Some(w) => *g == Some(*w),
            None => g.is_some(),
        },
        (Value::FuncRef(g), WastRetCore::RefFunc(_)) => g.is_some(),
        (g, WastRetCore::Either(list)) => list.iter().any(|w| core_matches(g, w)),
        _ => false,
    }
}

fn f32_matches(g: u32, p: &NanPattern<wast::token::F32>) -> bool {
    match p {
        NanPattern::CanonicalNan => g & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => g & 0x7fc0_0000 == 0x7fc0_0000,
        NanPattern::Value(w) => g == w.bits,
    }
}

fn f64_matches(g: u64, p: &NanPattern<wast::token::F64>) -> bool {
    match p {
        NanPattern::CanonicalNan => g & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => g & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
        NanPattern::Value(w) => g == w.bits,
    }
}

/// A v128 against a lane pattern: integer lanes exactly, float lanes as
/// the scalar patterns (a NaN lane may be canonical or arithmetic).
fn v128_matches(g: u128, p: &V128Pattern) -> bool {
    let b = g.to_le_bytes();
    let lane = |i: usize, n: usize| b[i * n..(i + 1) * n].iter().rev().fold(0u64, |x, y| x << 8 | *y as u64);
    match p {
        V128Pattern::I8x16(w) => w.iter().enumerate().all(|(i, w)| lane(i, 1) == *w as u8 as u64),
        V128Pattern::I16x8(w) => w.iter().enumerate().all(|(i, w)| lane(i, 2) == *w as u16 as u64),
        V128Pattern::I32x4(w) => w.iter().enumerate().all(|(i, w)| lane(i, 4) == *w as u32 as u64),
        V128Pattern::I64x2(w) => w.iter().enumerate().all(|(i, w)| lane(i, 8) == *w as u64),
        V128Pattern::F32x4(w) => w.iter().enumerate().all(|(i, w)| f32_matches(lane(i, 4) as u32, w)),
        V128Pattern::F64x2(w) => w.iter().enumerate().all(|(i, w)| f64_matches(lane(i, 8), w)),
    }
}

/// Whether a trap of `kind` is the one the suite's `message` names.
fn trap_matches(kind: TrapKind, message: &str) -> bool {
    let m = kind.message();
    message.starts_with(m)
        || m.starts_with(message)
        || match kind {
            // Out-of-range `call_indirect` and table segment initialisation.
            TrapKind::TableOutOfBounds => {
                message.starts_with("undefined element") || message.starts_with("out of bounds table access")
            }
            TrapKind::UninitializedElement => message.starts_with("uninitialized"),
            _ => false,
        }
}

/// This package's directory, from the environment `cargo test` runs the
/// test in: not the path compiled in, which names whichever checkout first
/// built this binary into a shared target directory.
fn manifest_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"),
    )
}
