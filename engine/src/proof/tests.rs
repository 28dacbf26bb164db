//! The prover's copy-on-write view against a copied machine: at every step
//! of the golden-vector programs and of programs that reach across pages,
//! grow memory and write output, the recorder logs the same leaves whether
//! the step runs over `cow` or over a whole copy of the machine (as the
//! prover did before), so the proofs are the same bytes.

use super::record::{RecStack, Recorder, Touched};
use super::{prove_step, record, verify_step};
use crate::access::{Direct, Slots};
use crate::exec::step_loop;
use crate::machine::Machine;
use crate::state::Hasher;
use crate::status::Status;
use crate::{Entry, Module, Run, Task, Value};
use std::cell::RefCell;

/// The recorder over a copy of the whole machine, run with `Direct`.
fn record_on_a_copy(m: &Machine) -> Touched {
    let mut m = m.clone();
    let log = RefCell::new(Touched::default());
    let Machine { store, host, stack, frames, regs, .. } = &mut m;
    let mut world = Recorder { inner: Direct::<false>::new(store, host, frames, None), log: &log };
    let mut stack = RecStack { inner: Slots::new(stack), log: &log };
    let until = regs.steps + 1;
    if regs.status == Status::OutOfSteps {
        regs.status = Status::Running;
    }
    step_loop(regs, &mut stack, &mut world, until);
    log.into_inner()
}

/// Steps `run` to its end, checking both recorders agree and every proof verifies.
fn check(mut run: Run) -> (u64, Status) {
    let m = &mut run.machine;
    let mut h = Hasher::new(m);
    loop {
        if m.status() == Status::Running {
            assert_eq!(record(m), record_on_a_copy(m), "step {}", m.steps());
        }
        let pre = h.root(m);
        let proof = prove_step(m, &mut h).unwrap();
        let v = verify_step(&pre, &proof).unwrap_or_else(|e| panic!("step {}: {e}", m.steps()));
        if m.status() != Status::Running {
            return (m.steps(), m.status());
        }
        h.run(m, m.steps() + 1);
        assert_eq!(v.post, h.root(m), "step {}", m.steps());
    }
}

fn run(wat: &str, task: &Task, entry: Entry) -> Run {
    Run::new(&Module::new(&wat::parse_str(wat).unwrap()).unwrap(), task, &entry).unwrap()
}

/// The programs of the golden one-step vectors (`traces/vectors/`, written by `tests/vectors.rs`).
const VECTORS: &str = include_str!("../../../tests/vectors.wat");
const VECTORS_HOST: &str = include_str!("../../../tests/vectors-host.wat");
const VECTORS_FILES: &str = include_str!("../../../tests/vectors-files.wat");

#[test]
fn the_golden_vector_programs_record_the_same_leaves() {
    for (entry, arg) in [("main", 5), ("trap", 0)] {
        let task = Task { max_steps: 1_000_000, ..Task::default() };
        let (steps, _) = check(run(VECTORS, &task, Entry::Invoke(entry.into(), vec![Value::I32(arg)])));
        assert!(steps > 10);
    }
    let task = Task {
        args: vec!["vectors".into(), "an argument long enough to take two micro-steps of sixty-four".into()],
        env: vec![("LANG".into(), "C".into())],
        stdin: (0..90u8).collect(),
        max_steps: 10_000,
        ..Task::default()
    };
    assert_eq!(check(run(VECTORS_HOST, &task, Entry::Start)).1, Status::Exited(3));
    let root = [("a.txt".to_string(), crate::fs::FsNode::File(b"hello".to_vec()))].into();
    let preopens = vec![crate::fs::Preopen { guest: "/d".into(), root }];
    let task = Task { max_steps: 10_000, preopens, ..Task::default() };
    assert_eq!(check(run(VECTORS_FILES, &task, Entry::Start)).1, Status::Exited(7));
}

#[test]
fn steps_across_pages_growth_and_output_record_the_same_leaves() {
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
      (memory 1 4)
      (table 2 10 funcref)
      (global $g (mut i32) (i32.const 0))
      (func $f (param i32) (result i32) local.get 0 global.get $g i32.add global.set $g global.get $g)
      (elem declare func $f)
      (func (export "_start") (local $i i32)
        ;; a store and a load across a 4 KiB page boundary
        i32.const 4094 i64.const 0x0102030405060708 i64.store
        i32.const 4094 i32.const 4094 i64.load i64.const 1 i64.add i64.store offset=8 align=1
        ;; grow, then write into the grown pages and copy across the old end
        i32.const 2 memory.grow drop
        i32.const 70000 i32.const 0xabcdef i32.store
        i32.const 65500 i32.const 4090 i32.const 200 memory.copy
        i32.const 131000 i32.const 7 i32.const 1000 memory.fill
        ;; a load past the end traps later; first grow a table with a value
        ref.func $f i32.const 3 table.grow 0 drop
        i32.const 9 i32.const 4 call_indirect (param i32) (result i32) drop
        (loop $l
          local.get $i call $f drop
          local.get $i i32.const 1 i32.add local.tee $i i32.const 5 i32.lt_u br_if $l)
        ;; stdin into memory across pages, then all of it to stdout and stderr
        i32.const 200 i32.const 4000 i32.store
        i32.const 204 i32.const 300 i32.store
        i32.const 0 i32.const 200 i32.const 1 i32.const 260 call $read drop
        i32.const 1 i32.const 200 i32.const 1 i32.const 264 call $write drop
        i32.const 2 i32.const 200 i32.const 1 i32.const 264 call $write drop
        i32.const 300000 i32.load drop))"#;
    let task = Task { stdin: (0..=255u8).cycle().take(300).collect(), max_steps: 100_000, ..Task::default() };
    let (_, status) = check(run(wat, &task, Entry::Start));
    assert_eq!(status, Status::Trapped(crate::TrapKind::MemoryOutOfBounds));
}
