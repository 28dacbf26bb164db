//! One-step proofs on random modules, on the spec suite's SIMD modules and
//! on the C workloads: the proof of step n, verified against the root of
//! state n, gives the root the machine itself reaches at n + 1. Also: the incremental state root equals
//! a fresh one, and the history commitment covers the run.

use refute::workloads::{WORKLOADS, wasm};
use refute_engine::proof::{Proof, ProveError, prove_step, verify_step};
use refute_engine::state::{Hasher, state_root};
use refute_engine::{Entry, Module, Run, Status, Task, Value, trace};

#[path = "common/smith.rs"]
mod smith;

#[path = "common/spec_walk.rs"]
mod spec_walk;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Smaller modules than the differential test's: each step is proven.
fn config() -> wasm_smith::Config {
    wasm_smith::Config { max_instructions: 300, max_funcs: 12, min_funcs: 3, ..smith::config() }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut x = self.0;
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^ (x >> 31)
    }
}

/// Proves and verifies the step from `run`'s current state; checks the
/// post-root against the machine's own after stepping. `Err` for a step
/// the format cannot carry yet (a host call).
fn check_step(run: &mut Run, h: &mut Hasher) -> Result<usize, ProveError> {
    let m = &mut run.machine;
    let pre = h.root(m);
    let proof = prove_step(m, h)?;
    let bytes = proof.encode();
    let v = verify_step(&pre, &Proof::decode(&bytes).unwrap())
        .unwrap_or_else(|e| panic!("step {} does not verify: {e}", m.steps()));
    let before = m.steps();
    if m.status() == Status::Running {
        h.run(m, before + 1);
    }
    assert_eq!(v.post, h.root(m), "step {before} ({:?}): the verified post-state is not the machine's", v.op);
    Ok(bytes.len())
}

#[test]
fn random_modules_random_steps_verify() {
    let cases = env_u64("REFUTE_PROOF_CASES", 150);
    let seed0 = env_u64("REFUTE_PROOF_SEED", 1);
    let (mut runs, mut steps) = (0, 0);
    for seed in seed0..seed0 + cases {
        let mut rng = Rng(seed);
        let bytes: Vec<u8> = (0..2048).map(|_| rng.next() as u8).collect();
        let mut u = arbitrary::Unstructured::new(&bytes);
        let Ok(smith) = wasm_smith::Module::new(config(), &mut u) else { continue };
        let wasm = smith.to_bytes();
        let module = Module::new(&wasm).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let funcs: Vec<(String, refute_engine::FuncType)> = module
            .exports()
            .filter_map(|(name, _, _)| module.export_func_type(name).map(|t| (name.to_string(), t.clone())))
            .take(3)
            .collect();
        for (name, ty) in funcs {
            let args: Vec<Value> = ty.params.iter().map(|t| arbitrary_value(*t, &mut rng)).collect();
            let task = Task { max_steps: 5_000, ..Task::default() };
            let Ok(mut run) = Run::new(&module, &task, &Entry::Invoke(name.clone(), args.clone())) else {
                continue;
            };
            // Find the run's length, then check random steps of it, in order.
            let total = {
                let mut probe = run.clone();
                probe.run_to_end();
                probe.machine.steps()
            };
            let mut picks: Vec<u64> = (0..6).map(|_| rng.next() % (total + 1)).collect();
            picks.extend([0, total]);
            picks.sort();
            picks.dedup();
            let mut h = Hasher::new(&run.machine);
            for p in picks {
                h.run(&mut run.machine, p);
                assert_eq!(h.root(&run.machine), state_root(&run.machine), "seed {seed} {name}: step {p}");
                check_step(&mut run, &mut h).unwrap_or_else(|e| panic!("seed {seed} {name}{args:?}: {e}"));
                steps += 1;
            }
            runs += 1;
        }
    }
    eprintln!("random proofs: {runs} runs, {steps} steps verified");
    assert!(runs > cases / 2, "only {runs} runs from {cases} seeds");
}

fn arbitrary_value(t: refute_engine::ValType, rng: &mut Rng) -> Value {
    use refute_engine::ValType as T;
    let r = rng.next();
    let bits = match r % 3 {
        0 => 0,
        1 => r >> 8,
        _ => (r >> 8) % 70_000,
    };
    match t {
        T::I32 => Value::I32(bits as i32),
        T::I64 => Value::I64(bits as i64),
        T::F32 => Value::F32(f32::from_bits(bits as u32).to_bits()),
        T::F64 => Value::F64(bits),
        T::V128 => Value::V128((rng.next() as u128) << 64 | bits as u128),
        other => Value::default_of(other),
    }
}

/// The steps of a run whose instruction calls a host function (every
/// micro-step of it): a task's host functions are its imports, so they have
/// the first store addresses.
fn host_call_steps(run: &Run, imports: usize) -> Vec<u64> {
    let mut probe = run.clone();
    let mut steps = Vec::new();
    loop {
        let m = &probe.machine;
        if let Some(refute_engine::isa::Op::Call { func }) = m.next_op()
            && (func as usize) < imports
        {
            steps.push(m.steps());
        }
        let next = m.steps() + 1;
        if probe.run_until(next) != Status::Running {
            return steps;
        }
    }
}

/// Every workload, on its small input: `samples` steps spread over the run
/// (the first and last included) and every step of every host call prove
/// and verify. `REFUTE_PROOF_ALL=1` checks every step instead (a long run);
/// `REFUTE_PROOF_ONLY=NAME` picks workloads.
#[test]
fn workload_steps_verify() {
    let all = std::env::var("REFUTE_PROOF_ALL").is_ok_and(|v| v == "1");
    let samples = env_u64("REFUTE_PROOF_SAMPLES", 150);
    let only = std::env::var("REFUTE_PROOF_ONLY").unwrap_or_default();
    for w in WORKLOADS.iter().filter(|w| w.name.contains(&only)) {
        let module = Module::new(&std::fs::read(wasm(w.name).unwrap()).unwrap()).unwrap();
        let task = w.task(true);
        let mut run = Run::new(&module, &task, &Entry::Start).unwrap();
        let total = {
            let mut probe = run.clone();
            probe.run_to_end();
            probe.machine.steps()
        };
        let host_steps = host_call_steps(&run, module.imports().len());
        let mut picks: Vec<u64> = if all {
            (0..=total).collect()
        } else {
            (0..=samples).map(|i| total * i / samples).chain(host_steps.iter().copied()).collect()
        };
        picks.sort();
        picks.dedup();
        let mut h = Hasher::new(&run.machine);
        let (mut host_largest, mut largest) = (0, 0);
        for &step in &picks {
            h.run(&mut run.machine, step);
            let s = run.run_until(step);
            assert!(run.machine.steps() == step || s != Status::Running);
            let n = check_step(&mut run, &mut h).unwrap_or_else(|e| panic!("{}: {e}", w.name));
            if host_steps.binary_search(&step).is_ok() {
                host_largest = host_largest.max(n);
            } else {
                largest = largest.max(n);
            }
        }
        eprintln!(
            "{}: {total} steps, {} steps verified ({} of them in host calls), largest proof {largest} bytes, in a host call {host_largest}",
            w.name,
            picks.len(),
            host_steps.len(),
        );
        assert!(!host_steps.is_empty(), "{}: a C program calls the host", w.name);
        // Zero siblings as bits (`specs/proof.md` §6): sampled steps are
        // within 2 KiB, host-call steps (a handful per run) within 3 KiB.
        assert!(largest <= 2048 && host_largest <= 3072, "{}: {largest}, host {host_largest} bytes", w.name);
    }
}

#[test]
fn the_commitment_covers_the_run_and_ends_at_the_final_state() {
    let module = Module::new(&std::fs::read(wasm("sort").unwrap()).unwrap()).unwrap();
    let task = Task { args: vec!["sort".into(), "10".into()], max_steps: u64::MAX, ..Task::default() };
    let mut run = Run::new(&module, &task, &Entry::Start).unwrap();
    let fresh = run.clone();
    let c = trace::commit(&mut run, Some(997)).unwrap();
    assert!(matches!(c.status, Status::Finished | Status::Exited(0)), "{:?}", c.status);
    let layer = c.history.layer();
    assert_eq!(layer.len(), c.roots.len());
    assert_eq!(*c.roots.last().unwrap(), c.final_root);
    assert_eq!(c.final_root, state_root(&run.machine));
    // Each committed root is the root of the state at that step.
    for i in [0, 1, layer.len() / 2, layer.len() - 2] {
        let step = layer.step_at(i).unwrap();
        let mut r = fresh.clone();
        r.run_until(step);
        assert_eq!(state_root(&r.machine), c.roots[i], "state at step {step}");
    }
    // The default stride gives at most 1024 states.
    let mut again = fresh.clone();
    let d = trace::commit(&mut again, None).unwrap();
    assert!(d.history.layer().len() <= 1024);
    assert_eq!(d.final_root, c.final_root);
}

#[test]
fn checkpoints_reach_any_state_and_respect_their_budget() {
    let module = Module::new(&std::fs::read(wasm("genetic").unwrap()).unwrap()).unwrap();
    let task = Task { args: vec!["genetic".into(), "1".into()], max_steps: u64::MAX, ..Task::default() };
    let fresh = Run::new(&module, &task, &Entry::Start).unwrap();
    let ck = trace::Checkpoints::record(&mut fresh.clone(), 10_000, usize::MAX);
    assert!(ck.len() > 10);
    let total = {
        let mut r = fresh.clone();
        r.run_to_end();
        r.machine.steps()
    };
    for step in [0, 1, 9_999, 10_000, 123_457, total - 1, total, total + 5] {
        let mut direct = fresh.clone();
        direct.run_until(step);
        let via = ck.run_at(step);
        assert_eq!(via.machine.steps(), direct.machine.steps());
        assert_eq!(state_root(&via.machine), state_root(&direct.machine), "step {step}");
    }
    // A small budget keeps fewer snapshots, further apart.
    let one = ck.bytes() / ck.len();
    let small = trace::Checkpoints::record(&mut fresh.clone(), 10_000, one * 8);
    assert!(small.len() <= 9 && small.every() > 10_000, "{} snapshots every {}", small.len(), small.every());
    // Within the budget, unless only the first and latest snapshots are left
    // (they are always kept). Snapshots share unchanged pages, so a later one
    // costs the pages its interval wrote, more when intervals are longer.
    assert!(
        small.bytes() <= one * 8 || small.len() <= 2,
        "{} bytes in {} snapshots",
        small.bytes(),
        small.len()
    );
    let via = small.run_at(total / 2);
    let mut direct = fresh.clone();
    direct.run_until(total / 2);
    assert_eq!(state_root(&via.machine), state_root(&direct.machine));
}

/// Every step of every invocation in the spec suite's SIMD files (the
/// modules that import nothing) proves, encodes, decodes and verifies to
/// the root the machine itself reaches: each SIMD instruction on the
/// suite's own operands, NaN lanes and edge values included.
/// `REFUTE_PROOF_ONLY=NAME` picks files.
#[test]
fn simd_spec_suite_steps_verify() {
    let only = std::env::var("REFUTE_PROOF_ONLY").unwrap_or_default();
    let files = spec_walk::spec_files(|n| n.starts_with("simd_") && n.contains(&only));
    assert!(!only.is_empty() || files.len() >= 50, "the suite's SIMD files: {}", files.len());
    let (mut invocations, mut steps, mut largest) = (0u64, 0u64, (0, String::new()));
    let mut largest_simd = (0, String::new());
    spec_walk::for_each_invocation(&files, |inv| {
        let (name, line, m) = (inv.name, inv.line, inv.machine);
        let args = inv.args.unwrap_or_else(|| panic!("{name}:{line}: an argument the SIMD files do not use"));
        m.invoke(inv.func, &args).unwrap_or_else(|e| panic!("{name}:{line}: {e}"));
        let mut h = Hasher::new(m);
        loop {
            let pre = h.root(m);
            let proof = prove_step(m, &mut h).unwrap_or_else(|e| panic!("{name}:{line}: {e}"));
            let bytes = proof.encode();
            let v = verify_step(&pre, &Proof::decode(&bytes).unwrap())
                .unwrap_or_else(|e| panic!("{name}:{line}: step {} does not verify: {e}", m.steps()));
            if m.status() != Status::Running {
                assert_eq!(v.post, pre, "{name}:{line}: a final state steps to itself");
                break;
            }
            if bytes.len() > largest.0 {
                largest = (bytes.len(), format!("{name}:{line} {:?}", v.op));
            }
            if v.op.is_some_and(|op| is_simd(&op)) && bytes.len() > largest_simd.0 {
                largest_simd = (bytes.len(), format!("{name}:{line} {:?}", v.op));
            }
            h.run(m, m.steps() + 1);
            assert_eq!(v.post, h.root(m), "{name}:{line}: {:?}: the verified post-state differs", v.op);
            steps += 1;
        }
        assert!(matches!(m.status(), Status::Finished | Status::Trapped(_)), "{name}:{line}");
        invocations += 1;
    });
    eprintln!(
        "SIMD spec suite: {invocations} invocations, {steps} steps proved; largest proof {} bytes ({}), \
         of a SIMD instruction {} bytes ({})",
        largest.0, largest.1, largest_simd.0, largest_simd.1
    );
    assert!(!only.is_empty() || invocations > 20_000, "{invocations} invocations");
    // A SIMD step opens at most three stack leaves, two memory leaves and two
    // code positions (`specs/proof.md` §7).
    assert!(largest_simd.0 <= 2048, "largest SIMD proof {} bytes ({})", largest_simd.0, largest_simd.1);
}

/// Whether an instruction is one of the SIMD ones (`specs/state.md` §4.1).
fn is_simd(op: &refute_engine::isa::Op) -> bool {
    matches!(op.opcode(), 0x17 | 0x23..=0x27 | 0x49..=0x4F | 0xF4..=0xFB)
}
