//! What checkpoints and a late proof cost (not a benchmark gate): medians
//! of a few runs, for comparing a change before and after in the same
//! session. Run it under `/usr/bin/time -v` for the peak RSS.
//!
//! `cargo run --release -p refute-engine --example checkpoint_cost [CASE] [MIB] [BUDGET_MIB]`
//!
//! - `compute` (default): about 200 million steps of an ordinary loop
//!   (arithmetic, loads, stores, calls) over a one-page memory.
//! - `heavy`: a memory of `MIB` MiB (default 512), every 4 KiB page of it
//!   written once, then about 150 million steps that write 16 pages spread
//!   over it: the memory-heavy run of `specs/commitments.md` §7a.
//! - `grow`: only a plain run that grows the memory one 64 KiB page at a
//!   time to `MIB` MiB, writing each new page (for the peak RSS of growth).
//!
//! The other cases print the plain run, recording checkpoints (every
//! `CHECKPOINT_EVERY` steps, under `BUDGET_MIB`, by default
//! `CHECKPOINT_BUDGET`), restoring the run 1000 steps before the end and proving the
//! step there.

use std::hint::black_box;
use std::time::{Duration, Instant};

use refute_engine::proof::{prove_step, verify_step};
use refute_engine::state::Hasher;
use refute_engine::trace::{CHECKPOINT_BUDGET, CHECKPOINT_EVERY, Checkpoints};
use refute_engine::{Entry, Module, Run, Status, Task, Value};

const RUNS: usize = 3;

const COMPUTE: &str = r#"(module
  (memory 1)
  (func $mix (param i32) (result i32)
    local.get 0 i32.const 3 i32.mul i32.const 1 i32.add)
  (func (export "main") (param $n i32) (param $unused i32) (result i32)
    (local $i i32) (local $acc i32) (local $x i64)
    (loop $l
      local.get $i i32.const 1023 i32.and i32.const 2 i32.shl
      local.get $acc
      i32.store
      local.get $i i32.const 511 i32.and i32.const 3 i32.shl
      i32.load
      call $mix
      local.get $i i32.xor
      local.set $acc
      local.get $x local.get $acc i64.extend_i32_u i64.add i64.const 7 i64.rotl local.set $x
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_u
      br_if $l)
    local.get $acc local.get $x i32.wrap_i64 i32.add))"#;

const HEAVY: &str = r#"(module
  (memory 1)
  (func (export "main") (param $n i32) (param $pages i32) (result i32)
    (local $a i32) (local $end i32) (local $i i32) (local $acc i32)
    local.get $pages i32.const 1 i32.sub memory.grow drop
    local.get $pages i32.const 16 i32.shl local.set $end
    (block $done (loop $fill
      local.get $a local.get $end i32.ge_u br_if $done
      local.get $a local.get $a i32.const 1 i32.or i32.store
      local.get $a i32.const 4096 i32.add local.set $a
      br $fill))
    (loop $l
      local.get $i i32.const 15 i32.and local.get $end i32.const 4 i32.shr_u i32.mul
      local.get $i i32.const 1020 i32.and i32.add
      local.tee $a
      local.get $a i32.load local.get $i i32.add
      i32.store
      local.get $acc local.get $i i32.xor local.set $acc
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_u
      br_if $l)
    local.get $acc))"#;

const GROW: &str = r#"(module
  (memory 1)
  (func (export "main") (param $n i32) (param $pages i32) (result i32) (local $p i32)
    (loop $l
      i32.const 1 memory.grow local.tee $p
      i32.const 16 i32.shl local.get $p i32.store
      local.get $p i32.const 1 i32.add local.get $pages i32.lt_u br_if $l)
    local.get $p))"#;

fn run(module: &Module, n: u32, pages: u32) -> Run {
    let task = Task { max_steps: u64::MAX, ..Task::default() };
    let args = vec![Value::I32(n as i32), Value::I32(pages as i32)];
    Run::new(module, &task, &Entry::Invoke("main".into(), args)).unwrap()
}

/// The median of [`RUNS`] timings of `f`, and its last result.
fn median<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut out = None;
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            // Drop the previous result first, so at most one is held (for the peak RSS).
            out = None;
            let start = Instant::now();
            out = Some(black_box(f()));
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[RUNS / 2], out.expect("at least one run"))
}

fn measure(name: &str, wat: &str, n: u32, pages: u32, budget: usize) {
    let module = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
    let (plain, steps) = median(|| {
        let mut r = run(&module, n, pages);
        assert_eq!(r.run_to_end(), Status::Finished);
        r.machine.steps()
    });
    println!("{name}: {steps} steps; plain run {plain:.2?}");
    let (record, ck) = median(|| Checkpoints::record(&mut run(&module, n, pages), CHECKPOINT_EVERY, budget));
    println!(
        "  record: {record:.2?} ({:.2}x plain); {} checkpoints every {} steps, {:.1} MiB",
        record.as_secs_f64() / plain.as_secs_f64(),
        ck.len(),
        ck.every(),
        ck.bytes() as f64 / (1 << 20) as f64
    );
    let at = steps - 1000;
    let (restore, far) = median(|| ck.run_at(at));
    assert_eq!(far.machine.steps(), at);
    let mut h = Hasher::new(&far.machine);
    let pre = h.root(&far.machine);
    let (prove, proof) = median(|| prove_step(&far.machine, &mut h).unwrap());
    assert!(verify_step(&pre, &proof).is_ok());
    println!("  run_at(end - 1000): {restore:.2?}; prove_step there: {prove:.2?}");
}

fn main() {
    let mut args = std::env::args().skip(1);
    let case = args.next().unwrap_or_else(|| "compute".into());
    let mib: u32 = args.next().map_or(512, |s| s.parse().expect("MIB is a number"));
    let budget =
        args.next().map_or(CHECKPOINT_BUDGET, |s| s.parse::<usize>().expect("BUDGET_MIB is a number") << 20);
    match case.as_str() {
        "compute" => measure("compute", COMPUTE, 14_300_000, 0, budget),
        "heavy" => measure(&format!("heavy ({mib} MiB)"), HEAVY, 16_000_000, mib * 16, budget),
        "grow" => {
            let module = Module::new(&wat::parse_str(GROW).unwrap()).unwrap();
            let mut r = run(&module, 0, mib * 16);
            assert_eq!(r.run_to_end(), Status::Finished);
            println!("grow: {} pages", r.machine.store.memory(0).pages());
        }
        other => panic!("unknown case {other}"),
    }
}
