//! Golden one-step proof vectors in `traces/vectors/`: `{pre_root, proof,
//! post_root}` for the first step of each distinct instruction of a module
//! that exercises many of them, plus a trap and a stopped machine, every
//! micro-step of the first call to each WASI function (and of each file
//! call on a preopened directory), and one step of each SIMD instruction shape. Another verifier can be tested against the same
//! files.
//!
//! The test checks that every vector verifies to its post-root and that
//! proving again gives byte-identical files (the format has not drifted).
//! `REFUTE_WRITE_VECTORS=1 cargo test --test vectors` rewrites them.

use refute_engine::proof::{Proof, hex, prove_step, verify_step};
use refute_engine::state::Hasher;
use refute_engine::{Entry, Module, Run, Status, Task, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;

const MODULE: &str = include_str!("vectors.wat");
/// Host calls, with an input: every micro-step of each call.
const HOST_MODULE: &str = include_str!("vectors-host.wat");
/// Every SIMD instruction shape once.
const SIMD_MODULE: &str = include_str!("vectors-simd.wat");
/// File calls on a preopened directory: every micro-step of each call.
const FILES_MODULE: &str = include_str!("vectors-files.wat");

fn dir() -> PathBuf {
    manifest_dir().join("traces/vectors")
}

/// The vectors, by file name.
fn generate() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (entry, arg) in [("main", 5), ("trap", 0)] {
        first_of_each(MODULE, "tests/vectors.wat", entry, entry, arg, &|_| true, &mut out);
    }
    // The SIMD opcodes (`specs/state.md` §4.1).
    let simd = |op: u16| matches!(op, 0x17 | 0x23..=0x27 | 0x49..=0x4F | 0xF4..=0xFB);
    first_of_each(SIMD_MODULE, "tests/vectors-simd.wat", "simd", "main", 3, &simd, &mut out);
    out.extend(generate_host());
    out.extend(generate_calls(
        FILES_MODULE,
        "tests/vectors-files.wat",
        "files",
        &files_task(),
        Status::Exited(7),
    ));
    out
}

/// The task of `tests/vectors-files.wat`: `/d` holding `a.txt`.
fn files_task() -> Task {
    use refute_engine::fs::{FsNode, Preopen};
    let root = [("a.txt".to_string(), FsNode::File(b"hello".to_vec()))].into();
    Task { max_steps: 10_000, preopens: vec![Preopen { guest: "/d".into(), root }], ..Task::default() }
}

/// Vectors `{prefix}-{opcode}-{Op}`: the first step of each distinct
/// instruction of `entry(arg)` in `wat` (the file `source`) whose opcode
/// `only` takes, and the stopped machine at the end.
fn first_of_each(
    wat: &str,
    source: &str,
    prefix: &str,
    entry: &str,
    arg: i32,
    only: &dyn Fn(u16) -> bool,
    out: &mut BTreeMap<String, String>,
) {
    let module = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
    {
        let task = Task { max_steps: 1_000_000, ..Task::default() };
        let mut run = Run::new(&module, &task, &Entry::Invoke(entry.into(), vec![Value::I32(arg)])).unwrap();
        let m = &mut run.machine;
        let mut h = Hasher::new(m);
        let mut seen = std::collections::BTreeSet::new();
        loop {
            let pre = h.root(m);
            let proof = prove_step(m, &mut h).unwrap();
            let v = verify_step(&pre, &proof).unwrap();
            let name = match (v.op, m.status()) {
                (Some(op), _) if only(op.opcode()) && seen.insert(op.opcode()) => {
                    format!(
                        "{prefix}-{:03x}-{}",
                        op.opcode(),
                        format!("{op:?}").split([' ', '{']).next().unwrap()
                    )
                }
                (None, s) => format!("{prefix}-final-{}", s.name()),
                _ => String::new(),
            };
            if !name.is_empty() {
                let json = serde_json::json!({
                    "description": format!("step {} of `{entry}` in {source}: {}", m.steps(),
                        v.op.map_or("the machine has stopped; the state steps to itself".into(), |o| format!("{o:?}"))),
                    "pre_root": hex(&pre),
                    "post_root": hex(&v.post),
                    "proof": hex_bytes(&proof.encode()),
                });
                out.insert(format!("{name}.json"), serde_json::to_string_pretty(&json).unwrap() + "\n");
            }
            if m.status() != Status::Running {
                break;
            }
            h.run(m, m.steps() + 1);
        }
    }
}

/// Vectors `host-NAME-K`: micro-step K of the first call to WASI function NAME.
fn generate_host() -> BTreeMap<String, String> {
    let task = Task {
        args: vec!["vectors".into(), "an argument long enough to take two micro-steps of sixty-four".into()],
        env: vec![("LANG".into(), "C".into())],
        stdin: (0..90u8).collect(),
        max_steps: 10_000,
        ..Task::default()
    };
    generate_calls(HOST_MODULE, "tests/vectors-host.wat", "host", &task, Status::Exited(3))
}

/// Vectors `{prefix}-NAME-K`: micro-step K of the first call to WASI
/// function NAME in `wat` (the file `source`), run as `task` to `end`.
fn generate_calls(
    wat: &str,
    source: &str,
    prefix: &str,
    task: &Task,
    end: Status,
) -> BTreeMap<String, String> {
    let module = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
    let names: Vec<String> = module.imports().iter().map(|i| i.name.clone()).collect();
    let mut run = Run::new(&module, task, &Entry::Start).unwrap();
    let m = &mut run.machine;
    let mut h = Hasher::new(m);
    let mut out = BTreeMap::new();
    let mut micro = (u32::MAX, 0);
    loop {
        let pre = h.root(m);
        let proof = prove_step(m, &mut h).unwrap();
        let v = verify_step(&pre, &proof).unwrap();
        if let Some(refute_engine::isa::Op::Call { func }) = v.op
            && let Some(name) = names.get(func as usize)
        {
            micro = if micro.0 == func { (func, micro.1 + 1) } else { (func, 0) };
            let json = serde_json::json!({
                "description": format!("step {} of {source}: micro-step {} of {name}", m.steps(), micro.1),
                "pre_root": hex(&pre),
                "post_root": hex(&v.post),
                "proof": hex_bytes(&proof.encode()),
            });
            out.insert(
                format!("{prefix}-{name}-{}.json", micro.1),
                serde_json::to_string_pretty(&json).unwrap() + "\n",
            );
        }
        if m.status() != Status::Running {
            break;
        }
        h.run(m, m.steps() + 1);
    }
    assert_eq!(m.status(), end, "{source}");
    out
}

fn hex_bytes(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn golden_vectors_verify_and_are_current() {
    let fresh = generate();
    if std::env::var("REFUTE_WRITE_VECTORS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(dir()).unwrap();
        for e in std::fs::read_dir(dir()).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "json") {
                std::fs::remove_file(p).unwrap();
            }
        }
        for (name, text) in &fresh {
            std::fs::write(dir().join(name), text).unwrap();
        }
    }
    let mut files = 0;
    for e in std::fs::read_dir(dir()).expect("traces/vectors exists (REFUTE_WRITE_VECTORS=1 creates it)") {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let pre: [u8; 32] = unhex(v["pre_root"].as_str().unwrap()).try_into().unwrap();
        let proof = Proof::decode(&unhex(v["proof"].as_str().unwrap())).unwrap();
        let got = verify_step(&pre, &proof).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(hex(&got.post), v["post_root"].as_str().unwrap(), "{name}");
        assert_eq!(fresh.get(&name), Some(&text), "{name} differs from a fresh proof: the format changed");
        files += 1;
    }
    assert_eq!(files, fresh.len(), "vectors missing from traces/vectors");
    assert!(files >= 40, "only {files} vectors");
}

/// This package's directory, from the environment `cargo test` runs the
/// test in: not the path compiled in, which names whichever checkout first
/// built this binary into a shared target directory.
fn manifest_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"),
    )
}
