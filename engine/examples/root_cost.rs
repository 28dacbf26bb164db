//! What a state root costs (not a benchmark gate): medians of a few runs,
//! for comparing a change before and after in the same session.
//!
//! `cargo run --release -p refute-engine --example root_cost [CASE]`
//!
//! - `tables128`: `state_root` of the initial state of a module with 128
//!   `funcref` tables of 2^20 null elements (security review finding 3).
//! - `grown`: the same tables reached at run time by `table.grow` steps,
//!   then a loop of `table.set`s, with a root after every step.
//! - `table_set`: a loop of `table.set` over a table of 2^20 elements, a
//!   root every 4096 steps along the run (`Hasher::run`, `Hasher::root`).
//! - `globals`: a loop of `global.set` in a module with 2^19 globals, a root
//!   every 4096 steps.
//! - `segments`: a loop in a module with 65,536 passive element segments, a
//!   root every 4096 steps.
//! - `compute`: an ordinary loop (arithmetic, loads, stores, calls), a root
//!   every 4096 steps.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use refute_engine::state::{Hasher, state_root};
use refute_engine::{Entry, Module, Run, Status, Task, Value};

const RUNS: usize = 3;

/// The median of [`RUNS`] timings of `f`.
fn median(mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn module_of(wat: &str) -> Module {
    Module::new(&wat::parse_str(wat).unwrap()).unwrap()
}

fn run_of(module: &Module, entry: &Entry) -> Run {
    let task = Task { max_steps: u64::MAX, ..Task::default() };
    Run::new(module, &task, entry).unwrap()
}

/// 128 tables of 2^20 null elements; `_start` returns at once.
fn tables128() -> String {
    let mut wat = String::from("(module\n");
    for _ in 0..128 {
        wat.push_str("  (table 1048576 funcref)\n");
    }
    wat.push_str("  (func (export \"_start\")))");
    wat
}

/// Times `state_root` of the initial state of 128 tables of 2^20 elements.
fn initial_tables() {
    let run = run_of(&module_of(&tables128()), &Entry::Start);
    let t = median(|| {
        black_box(state_root(&run.machine));
    });
    println!("tables128: state_root of the initial state, median of {RUNS}: {t:.3?}");
}

/// Runs `main(n)` with a root every `stride` steps; prints the time of
/// `Hasher::new` and the time per root (the tracked run's time minus the
/// plain run's, over the roots).
fn along_run(name: &str, wat: &str, n: u32, stride: u64) {
    let module = module_of(wat);
    let entry = Entry::Invoke("main".into(), vec![Value::I32(n as i32)]);
    let plain = median(|| {
        let mut run = run_of(&module, &entry);
        assert_eq!(run.run_to_end(), Status::Finished);
    });
    let fresh = run_of(&module, &entry);
    let new = median(|| {
        black_box(Hasher::new(&fresh.machine));
    });
    let mut roots = 0;
    let tracked = median(|| {
        let mut run = run_of(&module, &entry);
        let mut h = Hasher::new(&run.machine);
        roots = 0;
        loop {
            let next = run.machine.steps() + stride;
            h.run(&mut run.machine, next);
            black_box(h.root(&run.machine));
            roots += 1;
            if run.machine.status() != Status::Running {
                break;
            }
        }
    });
    let per_root = tracked.saturating_sub(plain + new) / roots;
    println!(
        "{name}: Hasher::new {new:.3?}; {roots} roots every {stride} steps: \
         {tracked:.3?} with them, {plain:.3?} without, {per_root:.1?} per root (medians of {RUNS})"
    );
}

const TABLE_SET: &str = r#"(module
  (table $t 1048576 funcref)
  (func $f)
  (elem declare func $f)
  (func (export "main") (param $n i32)
    (local $i i32)
    (loop $l
      local.get $i i32.const 7919 i32.mul i32.const 1048575 i32.and
      ref.func $f
      table.set $t
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_u
      br_if $l)))"#;

/// 127 tables grown from 0 to 2^20 null elements at run time (table 0 is
/// `TABLE_SET`'s, which has them from the start), then `TABLE_SET`'s loop.
fn grown() -> String {
    let mut wat = String::from("(module\n  (table $t 1048576 funcref)\n");
    for _ in 1..128 {
        wat.push_str("  (table 0 funcref)\n");
    }
    wat.push_str("  (func $f)\n  (elem declare func $f)\n  (func (export \"main\") (param $n i32)\n");
    wat.push_str("    (local $i i32)\n");
    for t in 1..128 {
        writeln!(wat, "    ref.null func i32.const 1048576 table.grow {t} drop").unwrap();
    }
    wat.push_str(
        "    (loop $l
      local.get $i i32.const 7919 i32.mul i32.const 1048575 i32.and
      ref.func $f
      table.set $t
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_u
      br_if $l)))",
    );
    wat
}

/// `count` mutable globals; `main` sets them in turn.
fn globals(count: u32) -> String {
    let mut wat = String::from("(module\n");
    for _ in 0..count {
        wat.push_str("  (global (mut i64) (i64.const 0))\n");
    }
    write!(
        wat,
        "  (func (export \"main\") (param $n i32)
    (local $i i32)
    (loop $l
      local.get $i i64.extend_i32_u global.set 0
      local.get $i i64.extend_i32_u global.set {}
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_u
      br_if $l)))",
        count - 1
    )
    .unwrap();
    wat
}

/// `count` passive element segments of one function each; `main` loops.
fn segments(count: u32) -> String {
    let mut wat = String::from("(module\n  (func $f)\n");
    for _ in 0..count {
        wat.push_str("  (elem funcref (ref.func $f))\n");
    }
    wat.push_str(
        "  (func (export \"main\") (param $n i32)
    (local $i i32)
    (loop $l
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_u
      br_if $l)))",
    );
    wat
}

const COMPUTE: &str = r#"(module
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  (func $mix (param i32) (result i32)
    local.get 0 i32.const 3 i32.mul i32.const 1 i32.add)
  (func (export "main") (param $n i32)
    (local $i i32) (local $acc i32)
    (loop $l
      local.get $i i32.const 1023 i32.and i32.const 2 i32.shl
      local.get $acc
      i32.store
      local.get $i i32.const 511 i32.and i32.const 3 i32.shl
      i32.load
      call $mix
      local.get $i i32.xor
      local.tee $acc
      global.set $g
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_u
      br_if $l)))"#;

fn main() {
    let only = std::env::args().nth(1);
    let wanted = |name: &str| only.as_deref().is_none_or(|o| o == name);
    if wanted("tables128") {
        initial_tables();
    }
    if wanted("grown") {
        along_run("grown", &grown(), 2_000, 1);
    }
    if wanted("table_set") {
        along_run("table_set", TABLE_SET, 400_000, 4096);
    }
    if wanted("globals") {
        along_run("globals", &globals(1 << 19), 400_000, 4096);
    }
    if wanted("segments") {
        along_run("segments", &segments(1 << 16), 400_000, 4096);
    }
    if wanted("compute") {
        along_run("compute", COMPUTE, 2_000_000, 4096);
    }
}
