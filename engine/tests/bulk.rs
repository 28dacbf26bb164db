//! Bulk memory and table instructions run as bounded micro-steps whose
//! combined effect is the instruction's, wherever execution pauses.

use refute_engine::limits::{MEMORY_CHUNK, TABLE_CHUNK};
use refute_engine::{Entry, Extern, Module, Run, Status, Task, Value};

const WAT: &str = r#"(module
  (memory (export "mem") 1)
  (table (export "t") 64 funcref)
  (func $f)
  (elem declare func $f)
  (func (export "init") (local i32)
    (loop
      (i32.store8 (local.get 0) (local.get 0))
      (local.set 0 (i32.add (local.get 0) (i32.const 1)))
      (br_if 0 (i32.lt_u (local.get 0) (i32.const 1024)))))
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "tfill") (param i32 i32) (table.fill (local.get 0) (ref.func $f) (local.get 1)))
  (func (export "tcopy") (param i32 i32 i32) (table.copy (local.get 0) (local.get 1) (local.get 2))))"#;

/// Runs `init` then `func(args)`, single-stepping if `step`; returns the
/// first 2 KiB of memory, the steps `func` took and its status.
fn run(func: &str, args: &[i32], step: bool) -> (Vec<u8>, u64, Status) {
    let module = Module::new(&wat::parse_str(WAT).unwrap()).unwrap();
    let task = Task { max_steps: 1_000_000, ..Task::default() };
    let mut init = Run::new(&module, &task, &Entry::Invoke("init".into(), vec![])).unwrap();
    assert_eq!(init.run_to_end(), Status::Finished);
    let mut m = init.machine;
    let Some(Extern::Func(f)) = m.store.instance(0).exports.get(func).copied() else { panic!("no {func}") };
    let before = m.steps();
    m.invoke(f, &args.iter().map(|a| Value::I32(*a)).collect::<Vec<_>>()).unwrap();
    let status = if step {
        while m.run(m.steps() + 1) == Status::Running {}
        m.status()
    } else {
        m.run_to_end(u64::MAX)
    };
    let Some(Extern::Memory(mem)) = m.store.instance(0).exports.get("mem").copied() else { panic!() };
    let data = m.store.memory(mem).data[..2048].to_vec();
    (data, m.steps() - before, status)
}

fn model_copy(d: usize, s: usize, n: usize) -> Vec<u8> {
    let mut mem: Vec<u8> = (0..2048).map(|i| if i < 1024 { i as u8 } else { 0 }).collect();
    mem.copy_within(s..s + n, d);
    mem
}

#[test]
fn overlapping_copies_match_memmove_in_both_directions() {
    for (d, s, n) in [(10, 0, 300), (0, 10, 300), (100, 100, 200), (5, 6, 64), (6, 5, 65), (0, 0, 0)] {
        let (mem, steps, status) = run("copy", &[d, s, n], true);
        assert_eq!(status, Status::Finished);
        assert_eq!(mem, model_copy(d as usize, s as usize, n as usize), "copy {d} {s} {n}");
        // local.get x3 fuse into two steps, then ceil(n / chunk) micro-steps (at least one), then return.
        let micro = (n as u64).div_ceil(MEMORY_CHUNK as u64).max(1);
        assert_eq!(steps, 2 + micro + 1, "copy {d} {s} {n}");
        assert_eq!(run("copy", &[d, s, n], false).0, mem, "stepping changed the result");
    }
}

#[test]
fn out_of_bounds_bulk_ops_trap_before_writing() {
    let (mem, steps, status) = run("fill", &[65_500, 7, 100], true);
    assert_eq!(status, Status::Trapped(refute_engine::TrapKind::MemoryOutOfBounds));
    assert_eq!(mem, model_copy(0, 0, 0), "a trapping fill wrote memory");
    assert_eq!(steps, 3);
    let (mem, _, status) = run("fill", &[1000, 9, 200], true);
    assert_eq!(status, Status::Finished);
    assert!(mem[1000..1200].iter().all(|b| *b == 9) && mem[999] == 999u32 as u8 && mem[1200] == 0);
}

#[test]
fn table_ops_are_chunked_too() {
    let (_, steps, status) = run("tfill", &[3, 50], true);
    assert_eq!(status, Status::Finished);
    // local.get, ref.func, local.get, ceil(50 / chunk) micro-steps, return.
    assert_eq!(steps, 3 + 50u64.div_ceil(TABLE_CHUNK as u64) + 1);
    let (_, _, status) = run("tcopy", &[0, 10, 60], true);
    assert_eq!(status, Status::Trapped(refute_engine::TrapKind::TableOutOfBounds));
}
