//! The chain mode's claim-time check (`refute_chain::check_module`,
//! `check_task`): a computation whose every reachable step verifies on chain
//! is accepted, one that can reach a step not on chain is refused with the
//! reason; and the contract agrees on actual steps.

use refute_chain::evm::{Evm, Outcome};
use refute_chain::{NotOnChain, check_module, check_task};
use refute_engine::fs::Preopen;
use refute_engine::proof::{prove_step, verify_step};
use refute_engine::state::Hasher;
use refute_engine::{Entry, Module, Run, Status, Task};

fn module(wat: &str) -> Module {
    Module::new(&wat::parse_str(wat).unwrap()).unwrap()
}

#[test]
fn what_the_chain_mode_accepts_and_refuses() {
    let pure =
        module(r#"(module (memory 1) (func (export "f") (result i32) i32.const 7 f32.const 1.5 drop))"#);
    assert_eq!(check_module(&pure), Ok(()));
    let exits = module(
        r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
        (memory (export "memory") 1) (func (export "_start") i32.const 3 call $exit))"#,
    );
    assert_eq!(check_module(&exits), Ok(()));
    assert_eq!(check_task(&exits, &Task::default()), Ok(()));
    // The file system is on chain: a task with preopened directories, and a
    // module that opens files, pass.
    let preopened =
        Task { preopens: vec![Preopen { guest: "/d".into(), root: Default::default() }], ..Task::default() };
    assert_eq!(check_task(&exits, &preopened), Ok(()));
    let opens = module(
        r#"(module (import "wasi_snapshot_preview1" "path_open"
          (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_symlink" (func (param i32 i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 1) (func (export "_start")))"#,
    );
    assert_eq!(check_task(&opens, &preopened), Ok(()));
    // Still refused: a host function outside WASI, and a WASI name with
    // another signature (the engine cannot link either).
    let other = module(r#"(module (import "env" "f" (func)) (func (export "_start")))"#);
    let err = check_task(&other, &preopened).unwrap_err();
    assert_eq!(err, NotOnChain::HostFunction { module: "env".into(), name: "f".into() });
    assert!(err.to_string().contains("not verified on chain yet"), "{err}");
    let odd = module(
        r#"(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32)))
        (memory (export "memory") 1) (func (export "_start")))"#,
    );
    assert_eq!(
        check_module(&odd),
        Err(NotOnChain::HostFunction { module: "wasi_snapshot_preview1".into(), name: "fd_write".into() })
    );
}

/// Every step of a WASI program over a preopened directory, error paths
/// included (an absolute path, `..` out of the directory, a file as a
/// directory, a bad descriptor, a short name buffer, a name that is not
/// UTF-8, a sleep through `poll_oneoff`): accepted by the chain mode, and
/// every step verified on chain with the engine's post-root.
#[test]
fn every_step_of_a_file_system_program_verifies_on_chain() {
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "path_open"
        (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_pread" (func $pread (param i32 i32 i32 i64 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $pname (param i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_filestat_set_size" (func $setsize (param i32 i64) (result i32)))
      (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fstat (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "path_filestat_get" (func $stat (param i32 i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "path_remove_directory" (func $rmdir (param i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "path_rename" (func $rename (param i32 i32 i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_readdir" (func $readdir (param i32 i32 i32 i64 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_renumber" (func $renumber (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (data (i32.const 0) "f.txt/abs..\ff/d/e")
      (data (i32.const 100) "some bytes for the file, more than sixty-four of them, to take two chunks")
      (func (export "_start")
        ;; open d/../f.txt? no: f.txt with create and read/write rights, fd at 900
        (drop (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 5) (i32.const 1)
          (i64.const 0x42) (i64.const 0) (i32.const 0) (i32.const 900)))
        (i32.store (i32.const 200) (i32.const 100)) (i32.store (i32.const 204) (i32.const 73))
        (drop (call $write (i32.load (i32.const 900)) (i32.const 200) (i32.const 1) (i32.const 208)))
        (drop (call $pread (i32.load (i32.const 900)) (i32.const 200) (i32.const 1) (i64.const 5) (i32.const 208)))
        (drop (call $seek (i32.load (i32.const 900)) (i64.const -3) (i32.const 2) (i32.const 912)))
        (drop (call $seek (i32.load (i32.const 900)) (i64.const -300) (i32.const 1) (i32.const 912)))
        (drop (call $setsize (i32.load (i32.const 900)) (i64.const 200)))
        (drop (call $setsize (i32.load (i32.const 900)) (i64.const 3)))
        (drop (call $fstat (i32.load (i32.const 900)) (i32.const 920)))
        (drop (call $pname (i32.const 3) (i32.const 1000) (i32.const 2)))
        (drop (call $pname (i32.const 3) (i32.const 1000) (i32.const 20)))
        ;; errors: an absolute path, `..` out of the directory, a name not UTF-8, a file as a directory
        (drop (call $stat (i32.const 3) (i32.const 0) (i32.const 5) (i32.const 4) (i32.const 920)))
        (drop (call $stat (i32.const 3) (i32.const 0) (i32.const 9) (i32.const 2) (i32.const 920)))
        (drop (call $mkdir (i32.const 3) (i32.const 11) (i32.const 1)))
        (drop (call $mkdir (i32.const 3) (i32.const 0) (i32.const 7)))
        (drop (call $stat (i32.const 9) (i32.const 0) (i32.const 0) (i32.const 5) (i32.const 920)))
        ;; d, d/e, rename d/e to e, remove both
        (drop (call $mkdir (i32.const 3) (i32.const 13) (i32.const 1)))
        (drop (call $mkdir (i32.const 3) (i32.const 13) (i32.const 3)))
        (drop (call $rename (i32.const 3) (i32.const 13) (i32.const 1) (i32.const 3) (i32.const 13) (i32.const 3)))
        (drop (call $rename (i32.const 3) (i32.const 13) (i32.const 3) (i32.const 3) (i32.const 15) (i32.const 1)))
        (drop (call $rmdir (i32.const 3) (i32.const 13) (i32.const 1)))
        (drop (call $readdir (i32.const 3) (i32.const 1100) (i32.const 90) (i64.const 0) (i32.const 1200)))
        ;; a one-clock poll, a renumber onto the preopen's number, a close
        (i64.store (i32.const 1300) (i64.const 77)) (i32.store8 (i32.const 1308) (i32.const 0))
        (drop (call $poll (i32.const 1300) (i32.const 1400) (i32.const 1) (i32.const 1440)))
        (drop (call $renumber (i32.const 9) (i32.const 3)))
        (drop (call $close (i32.load (i32.const 900))))
        (drop (call $close (i32.load (i32.const 900))))
        (call $exit (i32.const 0))))"#;
    let m = module(wat);
    let root = [("old.txt".to_string(), refute_engine::fs::FsNode::File(b"already here".to_vec()))].into();
    let task = Task {
        preopens: vec![Preopen { guest: "/data".into(), root }],
        max_steps: 10_000,
        ..Task::default()
    };
    assert_eq!(check_task(&m, &task), Ok(()));
    let mut run = Run::new(&m, &task, &Entry::Start).unwrap();
    let mut h = Hasher::new(&run.machine);
    let mut evm = Evm::new().unwrap();
    let (mut steps, mut max_gas) = (0, 0);
    loop {
        let pre = h.root(&run.machine);
        let proof = prove_step(&run.machine, &mut h).unwrap();
        let post = verify_step(&pre, &proof).unwrap().post;
        let v = evm.verify_step(&pre, &proof.encode()).unwrap();
        let at = format!("step {} ({:?})", run.machine.steps(), run.machine.next_op());
        assert_eq!(v.outcome, Outcome::Accepted(post.into()), "{at}");
        max_gas = max_gas.max(v.gas);
        steps += 1;
        if run.machine.status() != Status::Running {
            break;
        }
        let next = run.machine.steps() + 1;
        h.run(&mut run.machine, next);
    }
    assert_eq!(run.machine.status(), Status::Exited(0));
    let names: Vec<String> = run.machine.host.fs.preopens()[0].root.keys().cloned().collect();
    assert_eq!(names, ["e", "f.txt", "old.txt"], "the program's files");
    eprintln!("a file system program: {steps} steps verified on chain, the costliest {max_gas} gas");
}

/// Every step of a WASI program that writes, reads its arguments and
/// environment, draws random bytes, reads the clocks and exits, with stdin:
/// accepted by the chain mode, and every step verified on chain with the
/// engine's post-root.
#[test]
fn every_step_of_an_accepted_wasi_program_verifies_on_chain() {
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "args_sizes_get" (func $asizes (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "args_get" (func $args (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "environ_get" (func $env (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fdstat (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (data (i32.const 0) "hello, chain: a line long enough to take two chunks of sixty-four bytes each\n")
      (func (export "_start")
        ;; iovec at 200: (0, 78); write it to stdout and stderr
        (i32.store (i32.const 200) (i32.const 0)) (i32.store (i32.const 204) (i32.const 78))
        (drop (call $write (i32.const 1) (i32.const 200) (i32.const 1) (i32.const 208)))
        (drop (call $write (i32.const 2) (i32.const 200) (i32.const 1) (i32.const 208)))
        (drop (call $write (i32.const 9) (i32.const 200) (i32.const 1) (i32.const 208)))
        (drop (call $write (i32.const 1) (i32.const 60000) (i32.const 1) (i32.const 208)))
        ;; read 100 bytes of stdin into 300
        (i32.store (i32.const 212) (i32.const 300)) (i32.store (i32.const 216) (i32.const 100))
        (drop (call $read (i32.const 0) (i32.const 212) (i32.const 1) (i32.const 220)))
        (drop (call $asizes (i32.const 224) (i32.const 228)))
        (drop (call $args (i32.const 400) (i32.const 500)))
        (drop (call $env (i32.const 600) (i32.const 700)))
        (drop (call $random (i32.const 800) (i32.const 100)))
        (drop (call $clock (i32.const 0) (i64.const 1) (i32.const 920)))
        (drop (call $clock (i32.const 1) (i64.const 1) (i32.const 928)))
        (drop (call $clock (i32.const 7) (i64.const 1) (i32.const 928)))
        (drop (call $fdstat (i32.const 1) (i32.const 936)))
        (drop (call $fdstat (i32.const 1) (i32.const 65530)))
        (drop (call $prestat (i32.const 3) (i32.const 960)))
        (drop (call $seek (i32.const 1) (i64.const 0) (i32.const 0) (i32.const 968)))
        (drop (call $close (i32.const 5)))
        (call $exit (i32.const 7))))"#;
    let m = module(wat);
    let task = Task {
        args: vec!["prog".into(), "an argument".into(), "another".into()],
        env: vec![("HOME".into(), "/nowhere".into())],
        stdin: b"what the program reads from its standard input, more than a chunk of sixty-four bytes"
            .to_vec(),
        max_steps: 10_000,
        ..Task::default()
    };
    assert_eq!(check_task(&m, &task), Ok(()));
    let mut run = Run::new(&m, &task, &Entry::Start).unwrap();
    let mut h = Hasher::new(&run.machine);
    let mut evm = Evm::new().unwrap();
    let (mut steps, mut max_gas) = (0, 0);
    loop {
        let pre = h.root(&run.machine);
        let proof = prove_step(&run.machine, &mut h).unwrap();
        let post = verify_step(&pre, &proof).unwrap().post;
        let v = evm.verify_step(&pre, &proof.encode()).unwrap();
        let at = format!("step {} ({:?})", run.machine.steps(), run.machine.next_op());
        assert_eq!(v.outcome, Outcome::Accepted(post.into()), "{at}");
        max_gas = max_gas.max(v.gas);
        steps += 1;
        if run.machine.status() != Status::Running {
            break;
        }
        let next = run.machine.steps() + 1;
        h.run(&mut run.machine, next);
    }
    assert_eq!(run.machine.status(), Status::Exited(7));
    eprintln!("a WASI program: {steps} steps verified on chain, the costliest {max_gas} gas");
}
