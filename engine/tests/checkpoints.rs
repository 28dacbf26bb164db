//! Checkpoints: a run restored from them reaches exactly the states a
//! straight run does, however the budget thins them, and a snapshot costs
//! about the pages the run wrote since the one before.

use proptest::prelude::*;
use refute_engine::state::{Hasher, state_root};
use refute_engine::trace::Checkpoints;
use refute_engine::{Entry, Module, Run, Status, Task, Value};

/// Writes memory at a stride, sets a global, and every 64 iterations grows
/// memory and a table, recurses, and writes to stdout; once, copies a data
/// segment in and drops it.
const BUSY: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory 1 8)
  (table 1 100 funcref)
  (global $g (mut i64) (i64.const 0))
  (data $d "some passive data to copy into memory")
  (func $rec (param $d i32) (result i32)
    local.get $d i32.eqz
    if (result i32) i32.const 1
    else local.get $d i32.const 1 i32.sub call $rec i32.const 1 i32.add end)
  (func (export "main") (param $n i32) (param $stride i32) (result i32) (local $i i32) (local $a i32)
    (loop $l
      local.get $i local.get $stride i32.mul
      memory.size i32.const 16 i32.shl i32.const 8 i32.sub
      i32.rem_u local.set $a
      local.get $a local.get $i i64.extend_i32_u global.get $g i64.add i64.store
      global.get $g i64.const 3 i64.add global.set $g
      local.get $i i32.const 63 i32.and i32.eqz
      if
        i32.const 1 memory.grow drop
        local.get $i i32.const 6 i32.shr_u i32.const 15 i32.and call $rec drop
        i32.const 0 i32.const 16 i32.store
        i32.const 4 i32.const 4 i32.store
        i32.const 1 i32.const 0 i32.const 1 i32.const 8 call $write drop
        ref.null func i32.const 1 table.grow 0 drop
      end
      local.get $i i32.const 500 i32.eq
      if
        i32.const 100 i32.const 0 i32.const 20 memory.init $d
        data.drop $d
      end
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_u br_if $l)
    global.get $g i32.wrap_i64))"#;

fn busy(module: &Module, n: u32, stride: u32) -> Run {
    let task = Task { max_steps: 1_000_000, ..Task::default() };
    let args = vec![Value::I32(n as i32), Value::I32(stride as i32)];
    Run::new(module, &task, &Entry::Invoke("main".into(), args)).unwrap()
}

/// The roots a straight run reaches at `steps` (sorted), and its last step.
fn straight(mut run: Run, steps: &[u64]) -> (Vec<[u8; 32]>, u64) {
    let mut h = Hasher::new(&run.machine);
    let roots = steps
        .iter()
        .map(|&s| {
            h.run(&mut run.machine, s);
            h.root(&run.machine)
        })
        .collect();
    h.run(&mut run.machine, u64::MAX);
    (roots, run.machine.steps())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn restored_runs_reach_the_states_of_a_straight_run(
        n in 50u32..700,
        stride in 1u32..100_000,
        every in 1u64..400,
        budget in prop::sample::select(vec![0usize, 64 << 10, 256 << 10, 1 << 30]),
        mut at in prop::collection::vec(0u64..12_000, 1..12),
    ) {
        let module = Module::new(&wat::parse_str(BUSY).unwrap()).unwrap();
        at.sort();
        let (expected, end) = straight(busy(&module, n, stride), &at);
        let ck = Checkpoints::record(&mut busy(&module, n, stride), every, budget);
        prop_assert!(ck.bytes() <= budget || ck.len() <= 2, "{} bytes in {} snapshots", ck.bytes(), ck.len());
        if budget == 0 && end > 3 * every {
            prop_assert!(ck.every() > every, "a budget of nothing thins the snapshots");
        }
        for (&s, root) in at.iter().zip(&expected) {
            let run = ck.run_at(s);
            prop_assert_eq!(run.machine.steps(), s.min(end));
            prop_assert_eq!(&state_root(&run.machine), root, "step {}", s);
        }
        let mut last = ck.run_at(u64::MAX);
        prop_assert_eq!(last.run_to_end(), Status::Finished);
    }

    /// The roots computed while recording (a hasher following the
    /// checkpoints' marks) are the straight run's, whatever the stride and
    /// interval, and the checkpoints are those of a recording without them.
    #[test]
    fn roots_computed_while_recording_are_the_straight_runs(
        n in 50u32..700,
        stride in 1u32..100_000,
        every in 1u64..400,
        root_every in 1u64..900,
        budget in prop::sample::select(vec![0usize, 64 << 10, 1 << 30]),
    ) {
        let module = Module::new(&wat::parse_str(BUSY).unwrap()).unwrap();
        let (ck, roots) =
            Checkpoints::record_with_roots(&mut busy(&module, n, stride), every, budget, Some(root_every), &mut |_| {});
        let (_, end) = straight(busy(&module, n, stride), &[]);
        let steps: Vec<u64> = (0..).map(|i| i * root_every).take_while(|&s| s < end).collect();
        prop_assert_eq!(roots.iter().map(|r| r.0).collect::<Vec<_>>(), steps.clone());
        let (expected, _) = straight(busy(&module, n, stride), &steps);
        for ((s, root), want) in roots.iter().zip(&expected) {
            prop_assert_eq!(root, want, "step {}", s);
        }
        let plain = Checkpoints::record(&mut busy(&module, n, stride), every, budget);
        prop_assert_eq!((ck.len(), ck.every(), ck.bytes()), (plain.len(), plain.every(), plain.bytes()));
    }
}

/// Writes three pages 24 MiB apart of a 64 MiB memory, every step of the loop.
const SPARSE: &str = r#"(module
  (memory 1024)
  (func (export "main") (param $n i32) (result i32) (local $i i32)
    (loop $l
      i32.const 0x0000100 local.get $i i32.store
      i32.const 0x1800100 local.get $i i32.store
      i32.const 0x3000100 local.get $i i32.store
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_u br_if $l)
    local.get $i))"#;

#[test]
fn a_snapshot_costs_the_pages_written_since_the_one_before() {
    let module = Module::new(&wat::parse_str(SPARSE).unwrap()).unwrap();
    let bytes = |intervals: u64| {
        // 1000 steps per interval, each writing the same three pages.
        let task = Task { max_steps: intervals * 1000 + 1, ..Task::default() };
        let entry = Entry::Invoke("main".into(), vec![Value::I32(1 << 30)]);
        let ck = Checkpoints::record(&mut Run::new(&module, &task, &entry).unwrap(), 1000, usize::MAX);
        assert_eq!(ck.len() as u64, intervals + 1);
        ck.bytes()
    };
    let (ten, twenty) = (bytes(10), bytes(20));
    let per = (twenty - ten) / 10;
    // Three pages of memory, each with its chunk table (they are 24 MiB
    // apart), and one of the stack with its chunk table; the rest (32
    // chunk pointers of memory, 4 of the stack, registers and frames) is
    // under 2 KiB. A copy of the machine would cost the whole 64 MiB and
    // the 8 MiB stack.
    assert!(per >= 4 * 2 * 4096, "{per} bytes per snapshot");
    assert!(per < 4 * 2 * 4096 + 2048, "{per} bytes per snapshot");
    // The first snapshot: a zero memory and a zero stack store no page.
    assert!(ten - 10 * per < 16 << 10, "{ten} bytes in all");
}

#[test]
fn checkpoints_can_be_shared_between_threads() {
    // A player's trace is shared between its tasks (`challenger::RunTrace` is `Sync`).
    fn shared<T: Send + Sync>() {}
    shared::<Checkpoints>();
}
