//! Indicative interpreter speed (not a benchmark gate): the median of 5 runs
//! of two CPU-bound WAT loops through `run_task`, for comparing a change
//! before and after in the same session.
//!
//! `cargo run --release -p refute-engine --example exec_speed [compute|host]`
//!
//! - `compute`: about 200 million steps of arithmetic, loads, stores and calls.
//! - `host`: about 20 million steps of a loop that calls `clock_time_get`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use refute_engine::{Entry, Module, Status, Task, Value, run_task};

const RUNS: usize = 5;

const COMPUTE: &str = r#"(module
  (memory 1)
  (func $mix (param i32) (result i32)
    local.get 0 i32.const 3 i32.mul i32.const 1 i32.add)
  (func (export "main") (param $n i32) (result i32)
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

const HOST: &str = r#"(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (memory 1)
  (func (export "main") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $l
      i32.const 1 i64.const 0 i32.const 8 call $clock
      local.get $acc i32.add i32.const 8 i32.load i32.add local.set $acc
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_u
      br_if $l)
    local.get $acc))"#;

/// Runs `main(n)` to the end and returns its step count.
fn run(module: &Module, n: u32) -> u64 {
    let task = Task { max_steps: u64::MAX, ..Task::default() };
    let m = run_task(module, &task, &Entry::Invoke("main".into(), vec![Value::I32(n as i32)])).unwrap();
    assert_eq!(m.status(), Status::Finished);
    black_box(m.results());
    m.steps()
}

/// Times `main` over about `target` steps: prints the median of [`RUNS`] runs.
fn measure(name: &str, wat: &str, target: u64) {
    let module = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
    let per_iteration = (run(&module, 1001) - run(&module, 1)) / 1000;
    let n = (target / per_iteration) as u32;
    let mut steps = 0;
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            steps = run(&module, n);
            start.elapsed()
        })
        .collect();
    times.sort();
    let median = times[RUNS / 2];
    println!(
        "{name}: {steps} steps, median of {RUNS} runs {median:.3?} ({:.0} M steps/s; runs {times:.3?})",
        steps as f64 / median.as_secs_f64() / 1e6
    );
}

fn main() {
    let only = std::env::args().nth(1);
    let wanted = |name: &str| only.as_deref().is_none_or(|o| o == name);
    if wanted("compute") {
        measure("compute", COMPUTE, 200_000_000);
    }
    if wanted("host") {
        measure("host", HOST, 20_000_000);
    }
}
