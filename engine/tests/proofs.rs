//! One-step proofs: every step of a set of modules proves and verifies to
//! the root the machine itself reaches, and tampered proofs fail.

use refute_engine::proof::{MAX_PROOF_BYTES, Proof, prove_step, verify_step};
use refute_engine::state::{Hasher, state_root};
use refute_engine::{Entry, Machine, Module, Run, Status, Task, Value};

/// Runs `entry` step by step; at every step proves, encodes, decodes and
/// verifies, and checks the verified post-root against the machine's. Every
/// `full`-th step also checks the incremental root against a fresh one.
/// Returns (steps, largest proof in bytes, final status).
fn check_every_step(wat: &str, entry: Entry, full: u64) -> (u64, usize, Status) {
    let task = Task { max_steps: 100_000, ..Task::default() };
    check_task(wat, &task, entry, full).0
}

/// As [`check_every_step`], for `task`; also returns the machine at the end.
fn check_task(wat: &str, task: &Task, entry: Entry, full: u64) -> ((u64, usize, Status), Machine) {
    let module = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
    let mut run = Run::new(&module, task, &entry).unwrap();
    let m: &mut Machine = &mut run.machine;
    let mut h = Hasher::new(m);
    let mut largest = 0;
    loop {
        let pre = h.root(m);
        if m.steps().is_multiple_of(full) {
            assert_eq!(pre, state_root(m), "incremental root differs from a fresh one at step {}", m.steps());
        }
        let proof = prove_step(m, &mut h).unwrap();
        let bytes = proof.encode();
        largest = largest.max(bytes.len());
        let decoded = Proof::decode(&bytes).unwrap();
        assert_eq!(decoded, proof);
        let v = verify_step(&pre, &decoded).unwrap_or_else(|e| panic!("step {}: {e}", m.steps()));
        if m.status() != Status::Running {
            assert_eq!(v.post, pre, "a final state steps to itself");
            return ((m.steps(), largest, m.status()), run.machine);
        }
        let before = m.steps();
        h.run(m, before + 1);
        assert_eq!(m.steps(), before + 1);
        assert_eq!(v.post, h.root(m), "step {before} ({:?}): verified post-state differs", v.op);
    }
}

const KITCHEN: &str = r#"
(module
  (type $ii (func (param i32) (result i32)))
  (memory 1 3)
  (table 4 8 funcref)
  (global $g (mut i64) (i64.const 5))
  (data $d "hello, proofs! this is a passive data segment of some length")
  (elem $e func $sq $inc)
  (elem (i32.const 0) func $sq $inc)
  (func $sq (type $ii) local.get 0 local.get 0 i32.mul)
  (func $inc (type $ii) local.get 0 i32.const 1 i32.add)
  (func $many (param i32) (result i32) (local i64 i64 i64 i64 i64 i64 i64 i64 i64 f64)
    local.get 0 i64.extend_i32_u local.set 9 local.get 0)
  (func (export "main") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    ;; memory: store, load, bulk ops, grow
    i32.const 100 i32.const 0x01020304 i32.store
    i32.const 130 i32.const 7 i32.store16
    i32.const 200 i32.const 0 i32.const 60 memory.init $d
    i32.const 300 i32.const 200 i32.const 150 memory.copy
    i32.const 250 i32.const 199 i32.const 100 memory.copy
    i32.const 1000 i32.const 0xab i32.const 130 memory.fill
    data.drop $d
    i32.const 1 memory.grow drop
    i32.const 70000 i32.const 9 i32.store8
    ;; globals
    global.get $g i64.const 3 i64.mul global.set $g
    ;; tables: set, get, grow, fill, copy, init, indirect calls
    i32.const 2 ref.func $sq table.set
    ref.null func i32.const 2 table.grow drop
    i32.const 4 ref.func $inc i32.const 2 table.fill
    i32.const 1 i32.const 3 i32.const 3 table.copy
    i32.const 0 i32.const 0 i32.const 2 table.init $e
    elem.drop $e
    ;; a loop with calls and a branch table
    block $out
      loop $l
        local.get $i local.get $n i32.ge_u br_if $out
        local.get $acc
        local.get $i local.get $i i32.const 2 i32.rem_u call_indirect (type $ii)
        i32.add local.set $acc
        block $a block $b block $c
          local.get $i i32.const 3 i32.rem_u br_table $a $b $c
        end local.get $acc i32.const 1 i32.add local.set $acc
        end local.get $acc call $many local.set $acc
        end
        local.get $i i32.const 1 i32.add local.set $i
        br $l
      end
    end
    local.get $acc
    i32.const 100 i32.load i32.add
    i32.const 70000 i32.load8_u i32.add
    global.get $g i32.wrap_i64 i32.add
    memory.size i32.add
    table.size i32.add)
  (func (export "trap") (result i32) i32.const 1 i32.const 0 i32.div_s)
  (func (export "oob") (result i32) i32.const 65535 i32.load)
  (func (export "deep") (param i32) (result i32)
    local.get 0 i32.eqz if (result i32) i32.const 0 else
      local.get 0 i32.const 1 i32.sub call 6 i32.const 1 i32.add end)
)"#;

#[test]
fn every_step_of_the_kitchen_sink_verifies() {
    let (steps, largest, status) =
        check_every_step(KITCHEN, Entry::Invoke("main".into(), vec![Value::I32(12)]), 7);
    assert_eq!(status, Status::Finished);
    assert!(steps > 200, "{steps} steps");
    assert!(largest < 4096, "largest proof {largest} bytes");
}

#[test]
fn traps_and_recursion_verify() {
    for (name, args) in [("trap", vec![]), ("oob", vec![]), ("deep", vec![Value::I32(40)])] {
        let (_, _, status) = check_every_step(KITCHEN, Entry::Invoke(name.into(), args), 1);
        assert!(matches!(status, Status::Trapped(_) | Status::Finished), "{name}: {status:?}");
    }
}

#[test]
fn tampered_proofs_never_verify_to_the_claimed_root() {
    let module = Module::new(&wat::parse_str(KITCHEN).unwrap()).unwrap();
    let task = Task { max_steps: 100_000, ..Task::default() };
    let mut run = Run::new(&module, &task, &Entry::Invoke("main".into(), vec![Value::I32(3)])).unwrap();
    let m = &mut run.machine;
    let mut h = Hasher::new(m);
    let mut checked = 0;
    for step in 0..80u64 {
        let pre = h.root(m);
        let proof = prove_step(m, &mut h).unwrap();
        let post = verify_step(&pre, &proof).unwrap().post;
        if step % 9 == 0 {
            let bytes = proof.encode();
            // Every byte flipped: an error, or a different root; never `post`.
            for i in 0..bytes.len() {
                let mut b = bytes.clone();
                b[i] ^= 0x41;
                if let Ok(p) = Proof::decode(&b)
                    && let Ok(v) = verify_step(&pre, &p)
                {
                    assert_ne!(
                        v.post, post,
                        "step {step}: flipping byte {i} still verifies to the claimed root"
                    );
                }
                checked += 1;
            }
            // Truncated and extended proofs are refused.
            assert!(Proof::decode(&bytes[..bytes.len() - 1]).is_err());
            let mut longer = bytes.clone();
            longer.push(0);
            assert!(Proof::decode(&longer).is_err());
            // The proof of this step is not a proof for another pre-state.
            assert!(verify_step(&[0; 32], &proof).is_err());
        }
        h.run(m, m.steps() + 1);
    }
    assert!(checked > 1000);
}

#[test]
fn a_call_to_a_function_with_many_locals_has_small_proofs() {
    // 1000 locals: the call zeroes 8, the prologue 8 per step, so no step's
    // proof grows with the number of locals.
    let wat = format!(
        r#"(module (func $f (param i32) (result i32) (local {}) local.get 0 local.get 999 i32.wrap_i64 i32.add)
           (func (export "main") (result i32) i32.const 7 call $f))"#,
        vec!["i64"; 1000].join(" ")
    );
    let (steps, largest, status) = check_every_step(&wat, Entry::Invoke("main".into(), vec![]), 50);
    assert_eq!(status, Status::Finished);
    assert!(steps > 120, "{steps} steps: the prologue zeroes 992 locals 8 at a time");
    // A host call opens code, function, stack, memory and input or output
    // paths at once: larger than an instruction's proof, still bounded
    // (`specs/proof.md`, "Size").
    assert!(largest < 6144, "largest proof {largest} bytes");
}

#[test]
fn the_longest_copies_fit_the_hard_bound() {
    // 1,000 values (wasmparser's limit on results) kept over 1,000 dropped
    // ones and 1,000 locals, by every kind of branch: a branch-table entry
    // (to each of three blocks), `br_if` and `br` to a block, `br_if` to the
    // function, `return` and the function's end. Each moves `MAX_COPY`
    // slots a step (`StackMove`), so no proof comes near the 8 KiB bound,
    // and the values arrive in order.
    let n = 1000;
    let results = vec!["i32"; n].join(" ");
    let seq: String = (0..n).map(|i| format!("i32.const {i} ")).collect();
    let junk = "i32.const 7 ".repeat(n);
    let wat = format!(
        r#"(module
          (func $table (param i32) (result {results}) (local {locals})
            block (result {results})
              block (result {results})
                block (result {results})
                  {junk} {seq} local.get 0 br_table 0 1 2 3
                end
              end
            end)
          (func $brs (param i32) (result {results}) (local {locals})
            block (result {results})
              {junk} {seq} local.get 0 br_if 0 br 0
            end)
          (func $ret (param i32) (result {results}) (local {locals})
            {junk} {seq} local.get 0 br_if 0 return)
          (func (export "table") (param i32) (result {results}) local.get 0 call $table)
          (func (export "brs") (param i32) (result {results}) local.get 0 call $brs)
          (func (export "ret") (param i32) (result {results}) local.get 0 call $ret))"#,
        locals = vec!["i32"; n].join(" "),
    );
    let expected: Vec<Value> = (0..n as i32).map(Value::I32).collect();
    let mut largest = 0;
    for (name, arg) in [
        ("table", 0),
        ("table", 1),
        ("table", 2),
        ("table", 9),
        ("brs", 0),
        ("brs", 1),
        ("ret", 0),
        ("ret", 1),
    ] {
        let entry = Entry::Invoke(name.into(), vec![Value::I32(arg)]);
        let ((_, big, status), machine) =
            check_task(&wat, &Task { max_steps: 100_000, ..Task::default() }, entry, 1000);
        assert_eq!(status, Status::Finished, "{name}({arg})");
        assert!(machine.results() == expected, "{name}({arg}): the kept values arrive in order");
        largest = largest.max(big);
    }
    eprintln!("largest proof of a 1,000-value copy: {largest} bytes");
    assert!(largest <= 4 << 10, "largest proof {largest} bytes");
    assert!(largest <= MAX_PROOF_BYTES);
}

#[test]
fn host_calls_that_depend_on_their_arguments_alone_verify() {
    // fd_close, fd_seek, sched_yield, an unsupported function (ENOSYS) and
    // proc_exit touch neither memory nor host state: provable now.
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
      (import "wasi_snapshot_preview1" "path_symlink" (func $open (param i32 i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (func (export "_start")
        i32.const 1 call $close
        i32.const 9 i64.const 0 i32.const 0 i32.const 0 call $seek i32.add
        call $yield i32.add
        i32.const 0 i32.const 0 i32.const 0 i32.const 0 i32.const 0
        call $open i32.add
        call $exit))"#;
    let (_, _, status) = check_every_step(wat, Entry::Start, 1);
    // 0 (close) + 8 (EBADF) + 0 (yield) + 52 (ENOSYS)
    assert_eq!(status, Status::Exited(60));
}

#[test]
fn host_calls_that_write_only_memory_verify() {
    // clock_res_get, clock_time_get and fd_fdstat_get write a few bytes of
    // memory (or fail with EFAULT) and read no host state: provable now.
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "clock_res_get" (func $res (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "clock_time_get" (func $time (param i32 i64 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $stat (param i32 i32) (result i32)))
      (memory 1)
      (func (export "_start") (result i64)
        i32.const 1 i32.const 16 call $res drop
        i32.const 0 i64.const 0 i32.const 30 call $time drop
        i32.const 1 i32.const 100 call $stat drop
        i32.const 1 i32.const 65530 call $stat i64.extend_i32_u   ;; EFAULT: 21
        i32.const 30 i64.load i64.add))"#;
    let module = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
    let task = Task { max_steps: 1000, ..Task::default() };
    let m = refute_engine::run_task(&module, &task, &Entry::Start).unwrap();
    assert_eq!(m.status(), Status::Finished);
    let (_, largest, status) = check_every_step(wat, Entry::Start, 1);
    assert_eq!(status, Status::Finished);
    assert!(largest < 4096, "{largest}");
}

/// Every WASI call that reads the input or writes output, with buffers
/// longer than one micro-step moves, several iovecs (an empty one among
/// them), end of input, and the error paths; every step proves.
const HOST_IO: &str = r#"(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $asz (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $aget (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $esz (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $eget (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $rand (param i32 i32) (result i32)))
  (memory 1)
  (func $iov (param $at i32) (param $ptr i32) (param $len i32)
    local.get $at local.get $ptr i32.store
    local.get $at i32.const 4 i32.add local.get $len i32.store)
  (func (export "_start") (result i32) (local $err i32)
    ;; args: count at 0, size at 4; argv at 16, strings at 1024
    i32.const 0 i32.const 4 call $asz local.set $err
    i32.const 16 i32.const 1024 call $aget local.get $err i32.add local.set $err
    ;; environ: count at 8, size at 12; pointers at 400, strings at 3000
    i32.const 8 i32.const 12 call $esz local.get $err i32.add local.set $err
    i32.const 400 i32.const 3000 call $eget local.get $err i32.add local.set $err
    ;; fd_read into (5000, 100), (6000, 0), (5100, 200): stdin runs out in the third
    i32.const 200 i32.const 5000 i32.const 100 call $iov
    i32.const 208 i32.const 6000 i32.const 0 call $iov
    i32.const 216 i32.const 5100 i32.const 200 call $iov
    i32.const 0 i32.const 200 i32.const 3 i32.const 260 call $read local.get $err i32.add local.set $err
    ;; end of input: reads 0
    i32.const 0 i32.const 200 i32.const 1 i32.const 264 call $read local.get $err i32.add local.set $err
    ;; random bytes at 7000
    i32.const 7000 i32.const 150 call $rand local.get $err i32.add local.set $err
    ;; stdout: the argument strings, stdin as read, the random bytes; stderr: the environment
    i32.const 300 i32.const 1024 i32.const 4 i32.load call $iov
    i32.const 308 i32.const 5000 i32.const 260 i32.load call $iov
    i32.const 316 i32.const 7000 i32.const 0 call $iov
    i32.const 324 i32.const 7000 i32.const 150 call $iov
    i32.const 1 i32.const 300 i32.const 4 i32.const 340 call $write local.get $err i32.add local.set $err
    i32.const 332 i32.const 3000 i32.const 12 i32.load call $iov
    i32.const 2 i32.const 332 i32.const 1 i32.const 344 call $write local.get $err i32.add local.set $err
    ;; errors, each with no effect: EFAULT 21 x3, EINVAL 28, EBADF 8 x2
    i32.const 16 i32.const 65530 call $aget i32.const 1000 i32.mul local.get $err i32.add local.set $err
    i32.const 65500 i32.const 100 call $rand i32.const 1000 i32.mul local.get $err i32.add local.set $err
    i32.const 348 i32.const 65535 i32.const 10 call $iov
    i32.const 1 i32.const 348 i32.const 1 i32.const 356 call $write i32.const 1000 i32.mul local.get $err i32.add local.set $err
    i32.const 0 i32.const 200 i32.const 2000 i32.const 264 call $read i32.const 1000 i32.mul local.get $err i32.add local.set $err
    i32.const 5 i32.const 300 i32.const 1 i32.const 340 call $write i32.const 1000 i32.mul local.get $err i32.add local.set $err
    i32.const 1 i32.const 200 i32.const 1 i32.const 264 call $read i32.const 1000 i32.mul local.get $err i32.add
    ;; the counts, for the test to check
    i32.const 260 i32.load i32.const 264 i32.load i32.const 1 i32.shl i32.add i32.const 100000 i32.mul i32.add))"#;

#[test]
fn host_calls_that_read_input_and_write_output_verify() {
    let stdin: Vec<u8> = (0..130u8).map(|b| b.wrapping_mul(7)).collect();
    let task = Task {
        args: vec![
            "prog".into(),
            "an argument longer than sixty-four bytes, to take two micro-steps".into(),
            "".into(),
        ],
        env: vec![("HOME".into(), "/nowhere".into()), ("E".into(), "".into())],
        stdin: stdin.clone(),
        max_steps: 100_000,
        ..Task::default()
    };
    let ((steps, largest, status), m) = check_task(HOST_IO, &task, Entry::Start, 5);
    // No error in the good calls; 3 EFAULT, an EINVAL and 2 EBADF, 1000 each;
    // 130 bytes read, then 0.
    let expected = (3 * 21 + 28 + 2 * 8) * 1000 + 130 * 100_000;
    assert_eq!(m.results(), vec![Value::I32(expected)], "after {steps} steps");
    assert_eq!(status, Status::Finished);
    let mut out = b"prog\0an argument longer than sixty-four bytes, to take two micro-steps\0\0".to_vec();
    out.extend_from_slice(&stdin);
    let random = &m.host.stdout[out.len()..];
    assert_eq!(random.len(), 150);
    assert!(random.iter().filter(|b| **b == 0).count() < 10, "random bytes look random");
    assert_eq!(&m.host.stdout[..out.len()], &out[..]);
    assert_eq!(m.host.stderr, b"HOME=/nowhere\0E=\0");
    // The wasmi path performs WASI through the same micro-steps.
    let mut host = refute_engine::HostState::new(
        task.args.iter().map(|a| a.as_bytes().to_vec()).collect(),
        vec![],
        stdin.clone(),
    );
    let mut mem = vec![0u8; 8192];
    mem[200..208].copy_from_slice(&[0x88, 0x13, 0, 0, 200, 0, 0, 0]); // (5000, 200)
    let r = refute_engine::wasi::call_with_memory(
        refute_engine::wasi::Wasi::FdRead,
        &[0, 200, 1, 260],
        &mut mem,
        &mut host,
        0,
    );
    assert_eq!(r, Ok(0));
    assert_eq!(&mem[5000..5130], &stdin[..]);
    assert_eq!(u32::from_le_bytes(mem[260..264].try_into().unwrap()), 130);
    // A host call opens code, function, stack, memory and input or output
    // paths at once: larger than an instruction's proof, still bounded
    // (`specs/proof.md`, "Size").
    assert!(largest < 6144, "largest proof {largest} bytes");
}

#[test]
fn table_grow_with_a_value_is_micro_stepped() {
    // Growing by 50 non-null elements writes 8 per step: bounded proofs,
    // and the result is still the old length.
    let wat = r#"(module
      (type $ii (func (param i32) (result i32)))
      (table $t 3 100 funcref)
      (elem declare func $sq)
      (func $sq (type $ii) local.get 0 local.get 0 i32.mul)
      (func (export "main") (result i32)
        ref.func $sq i32.const 50 table.grow $t      ;; 3
        ref.func $sq i32.const 60 table.grow $t      ;; over the limit: -1
        i32.add
        i32.const 7 i32.const 52 call_indirect (type $ii) i32.add   ;; 49
        table.size $t i32.add))                                      ;; 53"#;
    let (steps, largest, status) = check_every_step(wat, Entry::Invoke("main".into(), vec![]), 3);
    assert_eq!(status, Status::Finished);
    assert!(steps > 10, "{steps} steps: 50 elements take 7 micro-steps");
    // 4 KiB, plus two code siblings per code opening since the code tree's depth is 24.
    assert!(largest < 4096 + 128, "largest proof {largest} bytes");
    let module = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
    let task = Task { max_steps: 1000, ..Task::default() };
    let m = refute_engine::run_task(&module, &task, &Entry::Invoke("main".into(), vec![])).unwrap();
    assert_eq!(m.results(), vec![Value::I32(3 - 1 + 49 + 53)]);
}

#[test]
fn table_programs_verify() {
    // Tables over several 4 KiB pages of their trees (512 elements each),
    // written by every table instruction, segments dropped, globals set
    // and frames pushed and popped between roots: every step's proof opens
    // the incremental trees and verifies to the root the machine reaches.
    let wat = r#"(module
      (func $f0) (func $f1)
      (table $a 600 3000 funcref)
      (table $b 0 funcref)
      (global $g (mut i64) (i64.const 1))
      (elem $e funcref (ref.func $f0) (ref.null func) (ref.func $f1) (ref.func $f0))
      (elem (table $a) (i32.const 509) func $f0 $f1 $f0)
      (func $deep (param $n i32)
        (if (local.get $n)
          (then (call $deep (i32.sub (local.get $n) (i32.const 1))))
          (else (table.set $a (i32.const 1030) (ref.func $f1)))))
      (func (export "main")
        (drop (table.grow $a (ref.null func) (i32.const 1000)))
        (drop (table.grow $b (ref.func $f0) (i32.const 20)))
        (table.set $a (i32.const 1500) (ref.func $f1))
        (table.fill $a (i32.const 505) (ref.func $f1) (i32.const 12))
        (table.copy $b $a (i32.const 2) (i32.const 505) (i32.const 10))
        (table.copy $a $a (i32.const 1020) (i32.const 505) (i32.const 12))
        (table.init $a $e (i32.const 1022) (i32.const 0) (i32.const 4))
        (elem.drop $e)
        (global.set $g (i64.const -7))
        (call $deep (i32.const 9))
        (table.fill $a (i32.const 1020) (ref.null func) (i32.const 6))))"#;
    let (steps, _, status) = check_every_step(wat, Entry::Invoke("main".into(), vec![]), 1);
    assert_eq!(status, Status::Finished);
    assert!(steps > 40, "{steps} steps");
}

/// A module that runs every SIMD shape (every load and store kind, lanes,
/// splats, shuffles, unary, binary, ternary, test and shift instructions,
/// v128 locals, parameters, globals, `select`, `drop`, a call and a branch
/// carrying a v128) and returns a v128 and an i32.
const SIMD_SINK: &str = include_str!("simd_sink.wat");

/// The results of `main(n)` of `wat` under wasmi (the oracle).
fn wasmi_results(wat: &str, n: i32) -> Vec<Value> {
    let bytes = wat::parse_str(wat).unwrap();
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, &bytes).unwrap();
    let mut store = wasmi::Store::new(&engine, ());
    let instance = wasmi::Linker::new(&engine).instantiate_and_start(&mut store, &module).unwrap();
    let main = instance.get_func(&store, "main").unwrap();
    let mut out: Vec<wasmi::Val> =
        main.ty(&store).results().iter().map(|t| wasmi::Val::default_for_ty(*t)).collect();
    main.call(&mut store, &[wasmi::Val::I32(n)], &mut out).unwrap();
    out.iter()
        .map(|v| match v {
            wasmi::Val::I32(x) => Value::I32(*x),
            wasmi::Val::V128(x) => Value::V128(x.as_u128()),
            other => panic!("main returns i32 and v128, not {other:?}"),
        })
        .collect()
}

#[test]
fn every_step_of_the_simd_sink_verifies_and_agrees_with_wasmi() {
    for n in [0, 1, 5] {
        let entry = Entry::Invoke("main".into(), vec![Value::I32(n)]);
        let ((steps, largest, status), m) =
            check_task(SIMD_SINK, &Task { max_steps: 100_000, ..Task::default() }, entry, 5);
        assert_eq!(status, Status::Finished);
        assert!(steps > 200, "{steps} steps");
        assert_eq!(m.results(), wasmi_results(SIMD_SINK, n), "main({n})");
        // A SIMD step opens at most three stack leaves, two memory leaves
        // and two code positions (`specs/proof.md` §7).
        assert!(largest < 4096, "largest proof {largest} bytes");
        eprintln!("simd sink main({n}): {steps} steps, largest proof {largest} bytes");
    }
}

#[test]
fn tampered_simd_proofs_never_verify_to_the_claimed_root() {
    let module = Module::new(&wat::parse_str(SIMD_SINK).unwrap()).unwrap();
    let task = Task { max_steps: 100_000, ..Task::default() };
    let mut run = Run::new(&module, &task, &Entry::Invoke("main".into(), vec![Value::I32(2)])).unwrap();
    let m = &mut run.machine;
    let mut h = Hasher::new(m);
    let mut shapes = std::collections::BTreeSet::new();
    while m.status() == Status::Running {
        let op = m.next_op().unwrap();
        // One step of each SIMD shape: every byte flipped fails or changes the root.
        let simd = matches!(op.opcode(), 0x23..=0x27 | 0x49..=0x4F | 0xF4..=0xFB);
        if simd && shapes.insert(op.opcode()) {
            let pre = h.root(m);
            let proof = prove_step(m, &mut h).unwrap();
            let post = verify_step(&pre, &proof).unwrap().post;
            let bytes = proof.encode();
            for i in 0..bytes.len() {
                let mut b = bytes.clone();
                b[i] ^= 0x41;
                if let Ok(p) = Proof::decode(&b)
                    && let Ok(v) = verify_step(&pre, &p)
                {
                    assert_ne!(v.post, post, "{op:?}: flipping byte {i} still verifies to the claimed root");
                }
            }
            assert!(verify_step(&[0; 32], &proof).is_err());
        }
        h.run(m, m.steps() + 1);
    }
    // V128Select..V128GlobalSet, V128Const..V128StoreLane, V128Splat..V128Shift.
    assert_eq!(shapes.len(), 5 + 7 - 1 + 8, "shapes seen: {shapes:x?}");
}

#[test]
fn a_v128_argument_and_result_take_two_slots_each() {
    // The entry sequence pushes the v128 argument as two slots, low half
    // first; the result is read back from two slots, the i32 after them.
    let wat = r#"(module (func (export "f") (param $a v128) (param $b i32) (result v128 i32)
        local.get $a local.get $b i32x4.splat i32x4.add local.get $b))"#;
    let lanes = [1u32, u32::MAX, 0x8000_0000, 7];
    let arg = lanes.iter().rev().fold(0u128, |v, x| v << 32 | *x as u128);
    let sum = lanes.iter().rev().fold(0u128, |v, x| v << 32 | x.wrapping_add(3) as u128);
    let entry = Entry::Invoke("f".into(), vec![Value::V128(arg), Value::I32(3)]);
    let ((_, _, status), m) = check_task(wat, &Task { max_steps: 100, ..Task::default() }, entry, 1);
    assert_eq!(status, Status::Finished);
    assert_eq!(m.results(), vec![Value::V128(sum), Value::I32(3)]);
}
