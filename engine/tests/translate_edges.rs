//! Hand-written adversarial modules at the edges the fast path relies on
//! (security review finding 18, `specs/execution.md` §12): overlong LEB128
//! encodings, and each limit of `limits.rs`, of wasmparser's validator and
//! of `state::check_limits` reached exactly and passed by one. Each asserts
//! a clear refusal or a correct run; runs near a limit also prove and verify
//! their last steps.

use refute_engine::isa::Op;
use refute_engine::limits::{MAX_CALL_DEPTH, MAX_LOAD_BYTES, MAX_STACK_SLOTS, MAX_TABLE_ELEMS};
use refute_engine::proof::{prove_step, verify_step};
use refute_engine::state::{Hasher, check_limits, state_root};
use refute_engine::{
    Entry, Extern, HostState, LoadError, Machine, Module, Run, Status, Task, TaskError, TrapKind, Value,
};

/// LEB128 of `n` in at least `width` bytes (overlong when wider than needed).
fn leb(mut n: u64, width: usize) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        out.push(byte | 0x80);
        if n == 0 && out.len() >= width {
            break;
        }
    }
    *out.last_mut().expect("at least one byte") &= 0x7f;
    out
}

fn section(id: u8, payload: &[u8]) -> Vec<u8> {
    let mut s = vec![id];
    s.extend(leb(payload.len() as u64, 1));
    s.extend(payload);
    s
}

/// A vector of `items` (count first).
fn vec_of(items: &[Vec<u8>]) -> Vec<u8> {
    let mut v = leb(items.len() as u64, 1);
    items.iter().for_each(|i| v.extend(i));
    v
}

/// A module of one exported function `f: [] -> [i32]` whose `body` is
/// given with its locals declaration and without its `end`, plus optional
/// sections, each holding the one entry given: an import, a table, a memory.
struct Raw<'a> {
    import: Option<&'a [u8]>,
    table: Option<&'a [u8]>,
    memory: Option<&'a [u8]>,
    body: &'a [u8],
}

impl Raw<'_> {
    fn bytes(&self) -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend(section(1, &vec_of(&[vec![0x60, 0x00, 0x01, 0x7f]])));
        if let Some(i) = self.import {
            m.extend(section(2, &vec_of(&[i.to_vec()])));
        }
        m.extend(section(3, &vec_of(&[vec![0x00]])));
        if let Some(t) = self.table {
            m.extend(section(4, &vec_of(&[t.to_vec()])));
        }
        if let Some(mem) = self.memory {
            m.extend(section(5, &vec_of(&[mem.to_vec()])));
        }
        m.extend(section(7, &vec_of(&[[vec![1, b'f', 0x00], leb(0, 1)].concat()])));
        let mut body = self.body.to_vec();
        body.push(0x0b);
        m.extend(section(10, &vec_of(&[[leb(body.len() as u64, 1), body].concat()])));
        m
    }
}

/// A function body with no locals: `instrs` then `end`.
fn body(instrs: &[u8]) -> Vec<u8> {
    [&[0u8][..], instrs].concat()
}

/// Loads `bytes` and runs `f`; the result, or the load error's message.
fn run_f(bytes: &[u8]) -> Result<(Status, Vec<Value>), String> {
    let module = Module::new(bytes).map_err(|e| e.to_string())?;
    let task = Task { max_steps: 10_000, ..Task::default() };
    let m = refute_engine::run_task(&module, &task, &Entry::Invoke("f".into(), vec![]))
        .map_err(|e| e.to_string())?;
    Ok((m.status(), m.results()))
}

fn returns(v: i32) -> Result<(Status, Vec<Value>), String> {
    Ok((Status::Finished, vec![Value::I32(v)]))
}

/// Checks that `r` is a refusal whose message contains `what`.
fn refused(r: Result<(Status, Vec<Value>), String>, what: &str) {
    match r {
        Err(e) => assert!(e.contains(what), "refused, but with {e:?} rather than {what:?}"),
        Ok(o) => panic!("accepted and ran to {o:?}; expected a refusal with {what:?}"),
    }
}

const MEMORY_1: &[u8] = &[0x00, 0x01];
const TOO_LONG: &str = "integer representation too long";

#[test]
fn overlong_leb_in_loads_and_stores() {
    // i32.const 8; i32.load align offset: the immediates may take 5 bytes, not 6.
    let load = |align: usize, offset: usize| {
        let mut b = vec![0x41, 8, 0x28];
        b.extend(leb(2, align));
        b.extend(leb(4, offset));
        Raw { import: None, table: None, memory: Some(MEMORY_1), body: &body(&b) }.bytes()
    };
    assert_eq!(run_f(&load(1, 1)), returns(0));
    assert_eq!(run_f(&load(5, 5)), returns(0));
    refused(run_f(&load(6, 1)), TOO_LONG);
    refused(run_f(&load(1, 6)), TOO_LONG);
    // i32.const 0; i32.const 7; i32.store16 with a 5-byte offset; then load it back.
    let mut b = vec![0x41, 0, 0x41, 7, 0x3b, 1];
    b.extend(leb(100, 5));
    b.extend([0x41, 0, 0x2f, 1]);
    b.extend(leb(100, 3));
    assert_eq!(
        run_f(&Raw { import: None, table: None, memory: Some(MEMORY_1), body: &body(&b) }.bytes()),
        returns(7)
    );
}

#[test]
fn memory_size_and_grow_take_exactly_the_byte_zero() {
    let with = |instrs: &[u8]| {
        Raw { import: None, table: None, memory: Some(MEMORY_1), body: &body(instrs) }.bytes()
    };
    assert_eq!(run_f(&with(&[0x3f, 0x00])), returns(1));
    assert_eq!(run_f(&with(&[0x41, 0, 0x40, 0x00])), returns(1));
    refused(run_f(&with(&[0x3f, 0x80, 0x00])), "zero byte expected");
    refused(run_f(&with(&[0x41, 0, 0x40, 0x80, 0x00])), "zero byte expected");
    refused(run_f(&with(&[0x3f, 0x01])), "zero byte expected");
}

#[test]
fn overlong_leb_in_limits() {
    let f = body(&[0x41, 3]);
    // Memory section: each limit at most 5 bytes.
    let memory = |min: usize, max: usize| [vec![0x01], leb(1, min), leb(2, max)].concat();
    let with_memory = |m: &[u8]| Raw { import: None, table: None, memory: Some(m), body: &f }.bytes();
    assert_eq!(run_f(&with_memory(&memory(5, 5))), returns(3));
    refused(run_f(&with_memory(&memory(6, 1))), TOO_LONG);
    refused(run_f(&with_memory(&memory(1, 6))), TOO_LONG);
    // Table section: the same rule (wasmparser reads 32-bit limits when the
    // parser's features exclude memory64, as `Module::new` sets them).
    let table = |min: usize, max: usize| [vec![0x70, 0x01], leb(1, min), leb(2, max)].concat();
    let with_table = |t: &[u8]| Raw { import: None, table: Some(t), memory: None, body: &f }.bytes();
    assert_eq!(run_f(&with_table(&table(5, 5))), returns(3));
    refused(run_f(&with_table(&table(6, 1))), TOO_LONG);
    refused(run_f(&with_table(&table(1, 6))), TOO_LONG);
    // Imports: a memory or table import with an overlong limit is refused
    // when the module loads, before any linking.
    let import = |kind: Vec<u8>| [vec![1, b'm', 1, b'x'], kind].concat();
    for (kind, ok) in [
        ([vec![0x02, 0x00], leb(1, 5)].concat(), true),
        ([vec![0x02, 0x00], leb(1, 6)].concat(), false),
        ([vec![0x01, 0x70, 0x00], leb(1, 5)].concat(), true),
        ([vec![0x01, 0x70, 0x00], leb(1, 6)].concat(), false),
    ] {
        let bytes = Raw { import: Some(&import(kind.clone())), table: None, memory: None, body: &f }.bytes();
        match Module::new(&bytes) {
            Ok(_) => assert!(ok, "an import {kind:x?} with an overlong limit loads"),
            Err(e) => assert!(!ok && e.to_string().contains(TOO_LONG), "an import {kind:x?} is refused: {e}"),
        }
    }
}

#[test]
fn overlong_leb_in_indices_and_constants() {
    let with = |instrs: &[u8]| Raw { import: None, table: None, memory: None, body: &body(instrs) }.bytes();
    // i32.const: a signed 32-bit LEB128 takes at most 5 bytes.
    let c = |width| [vec![0x41], leb(5, width)].concat();
    assert_eq!(run_f(&with(&c(5))), returns(5));
    refused(run_f(&with(&c(6))), TOO_LONG);
    // i64.const takes up to 10 bytes.
    let c64 = |width| [vec![0x42], leb(5, width), vec![0xa7]].concat();
    assert_eq!(run_f(&with(&c64(10))), returns(5));
    refused(run_f(&with(&c64(11))), TOO_LONG);
    // A local index and a branch depth in 5 bytes, not 6.
    let local = |width| {
        let mut b = vec![0x01, 0x01, 0x7f, 0x41, 9, 0x21];
        b.extend(leb(0, width));
        b.push(0x20);
        b.extend(leb(0, width));
        Raw { import: None, table: None, memory: None, body: &b }.bytes()
    };
    assert_eq!(run_f(&local(5)), returns(9));
    refused(run_f(&local(6)), TOO_LONG);
    let br = |width| [vec![0x02, 0x7f, 0x41, 4, 0x0c], leb(0, width), vec![0x0b]].concat();
    assert_eq!(run_f(&with(&br(5))), returns(4));
    refused(run_f(&with(&br(6))), TOO_LONG);
}

/// Runs `name(args)` of `wat` to its end on the fast path, then again with
/// a hasher, proving and verifying the steps in `proved(total)` whose
/// instruction `pick` accepts (two ranges, in order), and checks that both runs end in the same
/// state. Returns the fast run and the header's call depth at the end.
fn check_run(
    wat: &str,
    name: &str,
    args: &[Value],
    max_steps: u64,
    proved: impl Fn(u64) -> [std::ops::Range<u64>; 2],
    pick: impl Fn(&Op) -> bool,
) -> (Run, u32) {
    let bytes = wat::parse_str(wat).unwrap_or_else(|e| panic!("{e}: {wat:.200}"));
    let module = Module::new(&bytes).unwrap_or_else(|e| panic!("{e}: {wat:.200}"));
    let task = Task { max_steps, ..Task::default() };
    let entry = Entry::Invoke(name.into(), args.to_vec());
    let mut fast = Run::new(&module, &task, &entry).expect("the task starts");
    fast.run_to_end();
    let total = fast.machine.steps();
    let mut slow = Run::new(&module, &task, &entry).expect("the task starts");
    let m = &mut slow.machine;
    let mut h = Hasher::new(m);
    for range in proved(total) {
        h.run(m, range.start);
        while m.steps() < range.end.min(total) {
            let k = m.steps();
            if m.next_op().is_some_and(|op| pick(&op)) {
                let pre = h.root(m);
                let proof = prove_step(m, &mut h).unwrap_or_else(|e| panic!("step {k}: {e}"));
                let v = verify_step(&pre, &proof).unwrap_or_else(|e| panic!("step {k}: {e}"));
                h.run(m, k + 1);
                assert_eq!(v.post, h.root(m), "step {k} ({:?}): the verified post-state differs", v.op);
            } else {
                h.run(m, k + 1);
            }
        }
    }
    h.run(m, total);
    let depth = h.header(m).depth;
    assert_eq!(m.steps(), total);
    assert_eq!(h.root(m), state_root(&fast.machine), "the fast and the hashed run end apart");
    (fast, depth)
}

/// The last `n` steps.
fn last(n: u64) -> impl Fn(u64) -> [std::ops::Range<u64>; 2] {
    move |total| [total.saturating_sub(n)..total, total..total]
}

/// Every step.
fn all(total: u64) -> [std::ops::Range<u64>; 2] {
    [0..total, total..total]
}

fn any(_: &Op) -> bool {
    true
}

/// `n` copies of `s`, space-separated.
fn times(s: &str, n: usize) -> String {
    vec![s; n].join(" ")
}

#[test]
fn locals_up_to_the_validator_limit() {
    // Parameters plus locals: at most 50,000 (wasmparser). The call zeroes
    // 8, then 6,249 `ZeroLocals` steps the rest, 8 at a time.
    let wat = |locals: usize| {
        format!(
            r#"(module (func (export "f") (param i32) (result i32) (local {})
                local.get {} i32.const 1 i32.add local.set {locals} local.get 0 local.get {locals} i32.add))"#,
            times("i32", locals),
            locals - 1,
        )
    };
    let (run, _) = check_run(&wat(49_999), "f", &[Value::I32(5)], 100_000, |t| [0..12, t - 8..t], any);
    assert_eq!((run.machine.status(), run.machine.results()), (Status::Finished, vec![Value::I32(6)]));
    assert!(run.machine.steps() > 6_249, "{} steps", run.machine.steps());
    let err = Module::new(&wat::parse_str(wat(50_000)).unwrap()).expect_err("50,001 locals");
    assert!(err.to_string().contains("too many locals"), "{err}");
}

/// `$many` returns 1,000 values; `$big` calls it 1,048 times and pushes
/// `extra` more, so its frame is 1,048,000 + `extra` slots, then traps.
fn whole_stack(extra: usize) -> String {
    format!(
        r#"(module
          (type $k (func (result {})))
          (func $many (type $k) {})
          (func (export "big") {} {} unreachable))"#,
        times("i32", 1000),
        times("i32.const 1", 1000),
        times("call $many", 1048),
        times("i32.const 2", extra),
    )
}

#[test]
fn a_frame_of_exactly_the_whole_stack() {
    assert_eq!(MAX_STACK_SLOTS, 1_048_576);
    // 1,048,576 slots: the last `i32.const` writes the stack's last slot,
    // which the fast path reaches without a bounds check; it and the trap
    // after it prove and verify.
    let (run, _) = check_run(&whole_stack(576), "big", &[], 2_000_000, last(3), any);
    assert_eq!(run.machine.status(), Status::Trapped(TrapKind::Unreachable));
    // One slot more: the call is refused, as the entry's first step.
    let (run, _) = check_run(&whole_stack(577), "big", &[], 2_000_000, last(1), any);
    assert_eq!(
        (run.machine.status(), run.machine.steps()),
        (Status::Trapped(TrapKind::ValueStackExhausted), 1)
    );
    // Invoked directly, the frame check fails before any step.
    let module = Module::new(&wat::parse_str(whole_stack(577)).unwrap()).unwrap();
    let mut m = Machine::new(HostState::default());
    let (id, _) = m.store.instantiate(&module, |_| None).unwrap();
    let Some(Extern::Func(big)) = m.store.instance(id).exports.get("big").copied() else {
        panic!("no export")
    };
    m.invoke(big, &[]).unwrap();
    assert_eq!((m.status(), m.steps()), (Status::Trapped(TrapKind::ValueStackExhausted), 0));
}

#[test]
fn recursion_to_the_call_depth_limit() {
    // Each level: `local.get 0; i32.const 1; i32.add` (one fused step), `call`.
    let wat = &format!(
        r#"(module
          (type $t (func (param i32) (result i32)))
          (table funcref (elem $r $s))
          (func $r (export "r") (type $t) local.get 0 i32.const 1 i32.add call $r)
          (func $s (export "s") (type $t) local.get 0 i32.const 1 i32.add i32.const 1 call_indirect (type $t))
          (func $wide (export "wide") (type $t) (local {})
            local.get 0 i32.const 1 i32.add call $wide))"#,
        times("i64", 100)
    );
    for name in ["r", "s"] {
        // The entry frame plus 16,383 calls; the next call traps, and its
        // proof opens the frames tree's last leaf.
        let (run, depth) = check_run(wat, name, &[Value::I32(0)], 1_000_000, last(2), any);
        assert_eq!(run.machine.status(), Status::Trapped(TrapKind::CallStackExhausted), "{name}");
        assert_eq!(depth as usize, MAX_CALL_DEPTH, "{name}");
    }
    // Frames of 103 slots (a parameter, 100 locals, 2 operands) fill the
    // value stack first: 2^20 / 103 < 16,384.
    let (run, depth) = check_run(wat, "wide", &[Value::I32(0)], 1_000_000, last(2), any);
    assert_eq!(run.machine.status(), Status::Trapped(TrapKind::ValueStackExhausted));
    assert!((depth as usize) < MAX_CALL_DEPTH, "{depth}");
}

#[test]
fn tables_at_the_element_limit() {
    assert_eq!(MAX_TABLE_ELEMS, 1 << 20);
    let wat = |min: u32| {
        format!(
            r#"(module (table $t {min} funcref)
              (func (export "f") (result i32 i32 i32)
                ref.null func i32.const 1 table.grow $t
                ref.null func i32.const 1 table.grow $t
                table.size $t))"#
        )
    };
    // One element below the limit: the first grow reaches it, the second fails.
    let (run, _) = check_run(&wat(MAX_TABLE_ELEMS - 1), "f", &[], 100, last(3), any);
    let want =
        vec![Value::I32(MAX_TABLE_ELEMS as i32 - 1), Value::I32(-1), Value::I32(MAX_TABLE_ELEMS as i32)];
    assert_eq!((run.machine.status(), run.machine.results()), (Status::Finished, want));
    let module = Module::new(&wat::parse_str(wat(MAX_TABLE_ELEMS + 1)).unwrap()).unwrap();
    let err =
        Run::new(&module, &Task::default(), &Entry::Invoke("f".into(), vec![])).expect_err("over the limit");
    assert!(
        matches!(err, TaskError::Instantiate(_)) && err.to_string().contains("exceeds the limit"),
        "{err}"
    );
}

#[test]
fn a_provable_state_holds_at_most_128_tables() {
    let wat = |n: usize| format!(r#"(module {} (func (export "f")))"#, times("(table 1 funcref)", n));
    let store = |n: usize| {
        let module = Module::new(&wat::parse_str(wat(n)).unwrap()).unwrap();
        Run::new(&module, &Task::default(), &Entry::Invoke("f".into(), vec![])).unwrap().machine.store
    };
    assert_eq!(check_limits(&store(128)), Ok(()));
    let err = check_limits(&store(129)).expect_err("129 tables");
    assert_eq!((err.what, err.count, err.max), ("tables", 129, 128));
}

#[test]
fn a_branch_table_of_100_000_targets() {
    // Targets cycle through three blocks; each branch drops the 99 under
    // the carried 7. The default goes to the middle block.
    let targets: Vec<String> = (0..100_000).map(|i| (i % 3).to_string()).collect();
    let wat = format!(
        r#"(module (func (export "f") (param i32) (result i32)
          (block (result i32)
            (block (result i32)
              (block (result i32)
                i32.const 99 i32.const 7 local.get 0
                br_table {} 1)
              i32.const 10 i32.add return)
            i32.const 20 i32.add return)
          i32.const 30 i32.add))"#,
        targets.join(" ")
    );
    let br_table = |op: &Op| matches!(op, Op::BrTable { .. });
    let mut steps = Vec::new();
    for (i, want) in [(0, 17), (1, 27), (2, 37), (99_999, 17), (100_000, 27), (-1, 27)] {
        let (run, _) = check_run(&wat, "f", &[Value::I32(i)], 1_000, all, br_table);
        assert_eq!(
            (run.machine.status(), run.machine.results()),
            (Status::Finished, vec![Value::I32(want)]),
            "{i}"
        );
        steps.push(run.machine.steps());
    }
    // Whatever the entry, the branch table is one step.
    assert!(steps.iter().all(|s| *s == steps[0]), "{steps:?}");
}

#[test]
fn deep_nesting() {
    // 20,000 nested blocks; the innermost branches out by `br_table` to the
    // outermost, a middle one or itself, carrying a value.
    let n = 20_000;
    let wat = format!(
        r#"(module (func (export "f") (param i32) (result i32)
          {} i32.const 7 local.get 0 br_table 0 {} {} {}))"#,
        times("block (result i32)", n),
        n / 2,
        n - 1,
        times("i32.const 1 i32.add end", n)
    );
    // Leaving the block at depth `d` skips the additions of the `d` blocks
    // inside it and of the innermost one (dead code after the branch).
    let n32 = n as i32;
    for (i, want) in [(0, 7 + n32 - 1), (1, 7 + n32 - 1 - n32 / 2), (2, 7)] {
        let (run, _) = check_run(&wat, "f", &[Value::I32(i)], 100_000, last(2), any);
        assert_eq!(
            (run.machine.status(), run.machine.results()),
            (Status::Finished, vec![Value::I32(want)]),
            "{i}"
        );
    }
}

#[test]
fn a_thousand_parameters_and_results() {
    // `$id` returns its 1,000 parameters; `f` passes them through a call
    // and through a block whose branch keeps 1,000 values and drops one.
    let wat = format!(
        r#"(module
          (type $t (func (param {0}) (result {0})))
          (type $r (func (result {0})))
          (func $id (type $t) {1})
          (func (export "f") (type $t)
            i32.const 5
            block (type $r) i32.const 9 {1} call $id br 0 end
            return))"#,
        times("i32", 1000),
        (0..1000).map(|i| format!("local.get {i}")).collect::<Vec<_>>().join(" "),
    );
    let args: Vec<Value> = (0..1000).map(|i| Value::I32(i * 7 - 3)).collect();
    let control = |op: &Op| matches!(op, Op::Call { .. } | Op::BrAdjust { .. } | Op::Return { .. });
    let (run, _) = check_run(&wat, "f", &args, 100_000, all, control);
    assert_eq!((run.machine.status(), run.machine.results()), (Status::Finished, args));
}

#[test]
fn a_module_over_the_size_limit_is_refused_unread() {
    let bytes = vec![0u8; MAX_LOAD_BYTES + 1];
    assert_eq!(
        Module::new(&bytes).err(),
        Some(LoadError::TooLarge { size: MAX_LOAD_BYTES + 1, limit: MAX_LOAD_BYTES })
    );
}

#[test]
fn control_shapes_end_inside_their_code() {
    // Each body runs as `f(0)` and `f(1)` with every step proved; the
    // load-time code check (`code_check`) accepts each translation. `None`
    // stands for a trap on `unreachable`.
    let cases: &[(&str, [Option<i32>; 2])] = &[
        ("block (result i32) i32.const 1 br 0 end", [Some(1), Some(1)]),
        ("i32.const 3 local.get 0 br_table 0 0", [Some(3), Some(3)]),
        ("loop (result i32) i32.const 4 end", [Some(4), Some(4)]),
        ("i32.const 5 local.get 0 br_if 0 drop i32.const 6", [Some(6), Some(5)]),
        ("i32.const 7 local.get 0 i32.eqz br_if 0 drop i32.const 8", [Some(7), Some(8)]),
        ("local.get 0 if (result i32) i32.const 1 else unreachable end", [None, Some(1)]),
        ("unreachable block (result i32) i32.const 1 end drop i32.const 2", [None, None]),
        ("block block local.get 0 br_if 1 br 0 end i32.const 8 return end i32.const 9", [Some(8), Some(9)]),
        ("i32.const 3 local.get 0 if (param i32) (result i32) i32.const 2 i32.mul end", [Some(3), Some(6)]),
        ("local.get 0 if (result i32) i32.const 1 return else i32.const 2 end", [Some(2), Some(1)]),
        (
            "i32.const 11 local.get 0 if (param i32) (result i32) br 0 else i32.const 1 i32.add end",
            [Some(12), Some(11)],
        ),
        (
            "(local i32) loop local.get 1 i32.const 1 i32.add local.tee 1 i32.const 5 i32.lt_u br_if 0 end local.get 1",
            [Some(5), Some(5)],
        ),
        (
            "(local i32) block loop local.get 1 i32.const 1 i32.add local.tee 1 i32.const 3 i32.ge_u br_table 0 1 end end local.get 1",
            [Some(3), Some(3)],
        ),
        (
            "i32.const 1 i32.const 2 block (result i32) i32.const 3 i32.const 4 return end drop drop",
            [Some(4), Some(4)],
        ),
        (
            "local.get 0 block (result i32) i32.const 9 local.get 0 br_if 0 drop i32.const 5 end i32.add",
            [Some(5), Some(10)],
        ),
    ];
    for (body, want) in cases {
        let wat = format!(r#"(module (func (export "f") (param i32) (result i32) {body}))"#);
        for (arg, want) in want.iter().enumerate() {
            let (run, _) = check_run(&wat, "f", &[Value::I32(arg as i32)], 1_000, all, any);
            let got = match run.machine.status() {
                Status::Finished => Some(run.machine.results()),
                Status::Trapped(TrapKind::Unreachable) => None,
                other => panic!("{body} ({arg}): {other}"),
            };
            assert_eq!(got, want.map(|v| vec![Value::I32(v)]), "{body} ({arg})");
        }
    }
}
