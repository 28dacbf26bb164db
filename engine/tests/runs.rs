//! The machine counts steps by straight-line runs on long runs and step by
//! step near the end (`exec/threaded.rs`): a run to any step, in one call,
//! reaches exactly the state that one step at a time does, whatever
//! instruction the step falls on (a branch, a branch table, a call, a
//! host call, a micro-stepped fill, a SIMD instruction with a second code
//! word, a trap).

use proptest::prelude::*;
use refute_engine::state::state_root;
use refute_engine::{Entry, Module, Run, Status, Task, Value};

const MIXED: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory 2)
  (func $rec (param $d i32) (result i32)
    local.get $d i32.eqz
    if (result i32) i32.const 1
    else local.get $d i32.const 1 i32.sub call $rec i32.const 1 i32.add end)
  (func (export "main") (param $n i32) (param $trap i32) (result i32) (local $i i32) (local $acc i32)
    (loop $l
      (block $d (block $c (block $b (block $a
        local.get $i i32.const 3 i32.and
        br_table $a $b $c $d)
        ;; a: straight-line arithmetic
        local.get $acc local.get $i i32.const 7 i32.mul i32.add i32.const 13 i32.xor
        i32.const 5 i32.rotl local.get $i i32.add local.set $acc
        br $d)
        ;; b: a call that recurses
        local.get $i i32.const 7 i32.and call $rec local.get $acc i32.add local.set $acc
        br $d)
        ;; c: SIMD with a 16-byte constant, and a fill that moves many bytes
        v128.const i32x4 1 2 3 4 local.get $i i32x4.splat i32x4.add i32x4.extract_lane 2
        local.get $acc i32.add local.set $acc
        i32.const 4096 local.get $i i32.const 255 i32.and i32.const 70000 memory.fill)
      ;; d: every 16th round, a host call
      local.get $i i32.const 15 i32.and i32.eqz
      if
        i32.const 0 i32.const 16 i32.store
        i32.const 4 i32.const 2 i32.store
        i32.const 1 i32.const 0 i32.const 1 i32.const 8 call $write drop
      end
      local.get $i local.get $trap i32.eq
      if unreachable end
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_u br_if $l)
    local.get $acc))"#;

fn mixed(module: &Module, n: u32, trap: u32) -> Run {
    let task = Task { max_steps: 10_000_000, ..Task::default() };
    let args = vec![Value::I32(n as i32), Value::I32(trap as i32)];
    Run::new(module, &task, &Entry::Invoke("main".into(), args)).unwrap()
}

fn module() -> Module {
    Module::new(&wat::parse_str(MIXED).unwrap()).unwrap()
}

/// The run to `until` one step at a time (each call too short to count by runs).
fn one_by_one(mut run: Run, until: u64) -> Run {
    while run.machine.status() == Status::Running && run.machine.steps() < until {
        let next = run.machine.steps() + 1;
        run.machine.run(next);
    }
    run
}

#[test]
fn a_whole_run_counts_as_one_step_at_a_time_does() {
    let m = module();
    for trap in [u32::MAX, 37] {
        let mut whole = mixed(&m, 200, trap);
        let status = whole.machine.run(u64::MAX);
        // Long enough to count by runs over many chains (a trap ends it early).
        assert!(whole.machine.steps() > 10_000, "{} steps, {status:?}", whole.machine.steps());
        let expect = if trap == u32::MAX {
            Status::Finished
        } else {
            Status::Trapped(refute_engine::TrapKind::Unreachable)
        };
        assert_eq!(status, expect);
        let steps = one_by_one(mixed(&m, 200, trap), u64::MAX);
        assert_eq!(whole.machine.steps(), steps.machine.steps());
        assert_eq!(state_root(&whole.machine), state_root(&steps.machine));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Runs to a few steps in long calls, against one step at a time.
    #[test]
    fn runs_stop_exactly_where_asked(stops in prop::collection::vec(1u64..60_000, 1..4)) {
        let m = module();
        let mut stops = stops;
        stops.sort_unstable();
        let mut long = mixed(&m, 200, u32::MAX);
        let mut short = mixed(&m, 200, u32::MAX);
        for &at in &stops {
            long.machine.run(at);
            short = one_by_one(short, at);
            prop_assert_eq!(long.machine.steps(), short.machine.steps());
            prop_assert_eq!(long.machine.status(), short.machine.status());
            prop_assert_eq!(state_root(&long.machine), state_root(&short.machine));
        }
    }
}
