//! Real C programs, compiled from source with clang to wasm32-wasi, give
//! the same output in the engine as under wasmi.

use refute::oracle;
use refute::workloads::{self, WORKLOADS};
use refute_engine::{Entry, Module, Status, Task, run_task};

fn task(name: &str, args: &[&str], stdin: &[u8]) -> Task {
    Task {
        args: std::iter::once(name).chain(args.iter().copied()).map(String::from).collect(),
        env: vec![("REFUTE_WORKLOAD_TAG".into(), "t42".into())],
        stdin: stdin.to_vec(),
        max_steps: 100_000_000,
        ..Task::default()
    }
}

fn check(name: &str, args: &[&str], stdin: &[u8]) -> String {
    let path = workloads::wasm(name).unwrap_or_else(|e| panic!("{e:#}"));
    let bytes = std::fs::read(&path).unwrap();
    let module = Module::new(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    let task = task(name, args, stdin);
    let m = run_task(&module, &task, &Entry::Start).unwrap();
    let o = oracle::run(&bytes, &task, None, None).unwrap();
    let ok = |s: Status| matches!(s, Status::Finished | Status::Exited(0));
    assert!(ok(m.status()), "{name} {args:?}: engine ended with {}", m.status());
    assert!(ok(o.status), "{name} {args:?}: wasmi ended with {}", o.status);
    let out = String::from_utf8_lossy(&m.host.stdout).to_string();
    assert_eq!(out, String::from_utf8_lossy(&o.stdout), "{name} {args:?}: stdout differs from wasmi");
    assert_eq!(m.host.stderr, o.stderr, "{name} {args:?}: stderr differs from wasmi");
    assert!(m.steps() > 1000, "{name}: only {} steps", m.steps());
    out
}

#[test]
fn every_workload_matches_wasmi() {
    for w in WORKLOADS {
        let out = check(w.name, w.small, b"");
        assert!(!out.is_empty(), "{}: no output", w.name);
    }
}

#[test]
fn stdin_reaches_the_guest() {
    let out = check("sha256", &["-"], b"abc");
    assert_eq!(out.trim(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    let big: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    check("sha256", &["-"], &big);
}

#[test]
fn environment_reaches_the_guest() {
    let out = check("sort", &["10"], b"");
    assert!(out.contains("tag: t42"), "{out}");
}

#[test]
fn outputs_match_the_native_build() {
    // The native gcc build of sha256.c prints this digest for two rounds.
    let out = check("sha256", &["2"], b"");
    assert!(out.contains("89a62f424cfaaa00324c1d30254d5b60b313d8ad1b2a3ed12c07bd6aa0c1cdb8"), "{out}");
}

#[test]
fn step_limit_is_a_status() {
    let bytes = std::fs::read(workloads::wasm("interp").unwrap()).unwrap();
    let module = Module::new(&bytes).unwrap();
    let mut t = task("interp", &["10"], b"");
    t.max_steps = 5_000;
    let m = run_task(&module, &t, &Entry::Start).unwrap();
    assert_eq!(m.status(), Status::OutOfSteps);
    assert_eq!(m.steps(), 5_000);
}

/// Pausing anywhere changes nothing: running in chunks of any size (down to
/// single steps) reaches the same final state as one uninterrupted run. The
/// dispute game relies on this to stop at any step.
#[test]
fn pausing_at_any_step_changes_nothing() {
    use refute_engine::Run;
    for w in WORKLOADS {
        let bytes = std::fs::read(workloads::wasm(w.name).unwrap()).unwrap();
        let module = Module::new(&bytes).unwrap();
        let t = task(w.name, w.small, b"");
        let whole = run_task(&module, &t, &Entry::Start).unwrap();
        let mut run = Run::new(&module, &t, &Entry::Start).unwrap();
        let mut chunk = 1u64;
        while run.run_until(run.machine.steps() + chunk) == Status::Running {
            chunk = chunk * 7 % 1013 + 1; // 1, 8, 57, 400, ...: many different pause points
        }
        assert_eq!(run.machine.status(), whole.status(), "{}", w.name);
        assert_eq!(run.machine.steps(), whole.steps(), "{}", w.name);
        assert_eq!(run.machine.host.stdout, whole.host.stdout, "{}", w.name);
    }
}

#[test]
fn files_in_a_preopened_directory_match_wasmi() {
    use refute_engine::fs::{FsNode, Preopen};
    let path = workloads::wasm("files").unwrap_or_else(|e| panic!("{e:#}"));
    let bytes = std::fs::read(&path).unwrap();
    let module = Module::new(&bytes).unwrap();
    let sub = [("x.txt".to_string(), FsNode::File(b"x".to_vec()))].into();
    let root = [
        ("in.txt".to_string(), FsNode::File(b"hello from the host\nsecond line\n".to_vec())),
        ("sub".to_string(), FsNode::Dir(sub)),
    ]
    .into();
    let task = Task {
        args: vec!["files".into(), "/data".into()],
        max_steps: 100_000_000,
        preopens: vec![Preopen { guest: "/data".into(), root }],
        ..Task::default()
    };
    let m = run_task(&module, &task, &Entry::Start).unwrap();
    let o = oracle::run(&bytes, &task, None, None).unwrap();
    assert_eq!(m.status(), Status::Finished, "{}", String::from_utf8_lossy(&m.host.stderr));
    assert_eq!(o.status, m.status());
    assert_eq!(o.stdout, m.host.stdout);
    assert_eq!(o.preopens, m.host.fs.preopens());
    assert!(String::from_utf8_lossy(&m.host.stdout).contains("list moved: . .. b.txt(19)"));
}
