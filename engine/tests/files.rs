//! The file system: `workloads/files.c` (compiled here with clang for
//! wasm32-wasi) reads, writes and lists a preopened directory; its output
//! and the final tree are what POSIX says, and every step of every host
//! call (and a sample of the others) proves and verifies.

use refute_engine::fs::{FsNode, Preopen};
use refute_engine::proof::{Proof, prove_step, verify_step};
use refute_engine::state::{Hasher, state_root};
use refute_engine::{Entry, Module, Run, Status, Task, TaskError};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

/// `workloads/files.c` compiled as `workloads/build.sh` compiles it.
fn files_wasm() -> Vec<u8> {
    let src = manifest_dir().join("../workloads/files.c");
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("files.wasm");
    let clang = std::env::var("CLANG").unwrap_or_else(|_| "clang".into());
    let status = Command::new(&clang)
        .args(["--target=wasm32-wasi", "-O2", "-std=c11", "-Wall", "-Wextra", "-Werror", "-Wl,--strip-debug"])
        .arg(&src)
        .arg("-o")
        .arg(&out)
        .arg("-lm")
        .status()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {clang} (apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32): {e}"
            )
        });
    assert!(status.success(), "{clang} could not compile {}", src.display());
    std::fs::read(out).unwrap()
}

fn file(s: &str) -> FsNode {
    FsNode::File(s.as_bytes().to_vec())
}

fn dir(entries: &[(&str, FsNode)]) -> BTreeMap<String, FsNode> {
    entries.iter().map(|(n, f)| (n.to_string(), f.clone())).collect()
}

fn task() -> Task {
    let root = dir(&[
        ("in.txt", file("hello from the host\nsecond line\n")),
        ("sub", FsNode::Dir(dir(&[("x.txt", file("x"))]))),
    ]);
    Task {
        args: vec!["files".into(), "/data".into()],
        max_steps: 50_000_000,
        preopens: vec![Preopen { guest: "/data".into(), root }],
        ..Task::default()
    }
}

const EXPECTED: &str = "read 32: hello from the host
second line
seek 6 read from tell 10 end 27
pread hello
fstat size 32 regular 1
stat sub dir 1
list .: . .. in.txt(32) sub/(0)
excl -1 errno 20
big same 1
big size 100
grown tail zeros 30
old number closed -1 errno 8
into itself -1 errno 28
rmdir nonempty -1 errno 55
readlink -1 errno 28
missing -1 errno 44
escape -1 errno 63
not a dir -1 errno 54
list .: . .. big.bin(130) in.txt(32) moved/(0) out.txt(20) sub/(0)
list moved: . .. b.txt(19)
";

#[test]
fn a_c_program_reads_writes_and_lists_a_preopened_directory() {
    let module = Module::new(&files_wasm()).unwrap();
    let mut run = Run::new(&module, &task(), &Entry::Start).unwrap();
    let status = run.run_to_end();
    let m = &run.machine;
    let stdout = String::from_utf8_lossy(&m.host.stdout);
    assert!(
        matches!(status, Status::Finished | Status::Exited(0)),
        "{status}: stdout:\n{stdout}\nstderr: {}",
        String::from_utf8_lossy(&m.host.stderr)
    );
    assert_eq!(stdout, EXPECTED);
    let mut big: Vec<u8> = (0..100).map(|i| b'a' + (i % 26) as u8).collect();
    big.resize(130, 0);
    let expected = dir(&[
        ("big.bin", FsNode::File(big)),
        ("in.txt", file("hello from the host\nsecond line\n")),
        ("moved", FsNode::Dir(dir(&[("b.txt", file("in a new directory\n"))]))),
        ("out.txt", file("Result: 42\nappended\n")),
        ("sub", FsNode::Dir(dir(&[("x.txt", file("x"))]))),
    ]);
    assert_eq!(m.host.fs.preopens(), vec![Preopen { guest: "/data".into(), root: expected }]);
    // The unlinked file was freed when closed: its bytes are not counted.
    assert_eq!(m.host.fs.regs.bytes, 130 + 32 + 19 + 20 + 1);
}

/// Every step of every host call, and every 101st step, proves, encodes,
/// decodes and verifies to the root the machine reaches.
#[test]
fn every_file_call_step_proves_and_verifies() {
    let module = Module::new(&files_wasm()).unwrap();
    let imports = module.imports().len();
    let mut run = Run::new(&module, &task(), &Entry::Start).unwrap();
    let m = &mut run.machine;
    let mut h = Hasher::new(m);
    let (mut host_steps, mut largest) = (0, 0);
    let mut samples = Vec::new();
    loop {
        let host =
            matches!(m.next_op(), Some(refute_engine::isa::Op::Call { func }) if (func as usize) < imports);
        if host || m.steps().is_multiple_of(101) || m.status() != Status::Running {
            let pre = h.root(m);
            if m.steps().is_multiple_of(50_000) {
                assert_eq!(
                    pre,
                    state_root(m),
                    "incremental root differs from a fresh one at step {}",
                    m.steps()
                );
            }
            let proof = prove_step(m, &mut h).unwrap();
            let bytes = proof.encode();
            let decoded = Proof::decode(&bytes).unwrap();
            assert_eq!(decoded, proof);
            let v = verify_step(&pre, &decoded).unwrap_or_else(|e| panic!("step {}: {e}", m.steps()));
            if m.status() != Status::Running {
                assert_eq!(v.post, pre);
                break;
            }
            let before = m.steps();
            h.run(m, before + 1);
            assert_eq!(v.post, h.root(m), "step {before} ({:?}): verified post-state differs", v.op);
            if host {
                host_steps += 1;
                largest = largest.max(bytes.len());
                if host_steps % 60 == 1 {
                    samples.push((pre, bytes, v.post));
                }
            }
        } else {
            let next = m.steps() + 1;
            h.run(m, next);
        }
    }
    assert!(matches!(m.status(), Status::Finished | Status::Exited(0)), "{}", m.status());
    assert_eq!(state_root(m), h.root(m));
    eprintln!("{host_steps} host-call steps verified, largest proof {largest} bytes");
    assert!(host_steps > 300, "{host_steps} host-call steps");
    assert!(largest < 4 << 10, "largest host-call proof {largest} bytes");
    // A flipped byte anywhere in a file call's proof never verifies to the true post-state.
    assert!(samples.len() >= 5);
    for (pre, bytes, post) in samples {
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 1;
            if let Ok(p) = Proof::decode(&bad)
                && let Ok(v) = verify_step(&pre, &p)
            {
                assert_ne!(v.post, post, "flipping byte {i} still verifies");
            }
        }
    }
}

#[test]
fn preopens_that_break_a_limit_are_refused_before_the_run() {
    let module = Module::new(&wat::parse_str(r#"(module (func (export "_start")))"#).unwrap()).unwrap();
    let bad = |root: BTreeMap<String, FsNode>, guest: &str| {
        let task = Task { preopens: vec![Preopen { guest: guest.into(), root }], ..Task::default() };
        Run::new(&module, &task, &Entry::Start).map(|_| ()).unwrap_err()
    };
    let e = bad(dir(&[("a/b", file(""))]), "/d");
    assert!(
        matches!(e, TaskError::Preopens(refute_engine::fs::FsError::BadName(ref n)) if n == "a/b"),
        "{e}"
    );
    let e = bad(BTreeMap::new(), "");
    assert!(matches!(e, TaskError::Preopens(refute_engine::fs::FsError::BadGuestPath(_))), "{e}");
    let big = FsNode::File(vec![0; (refute_engine::fs::MAX_FILE_BYTES + 1) as usize]);
    let e = bad(dir(&[("big", big)]), "/d");
    assert!(matches!(e, TaskError::Preopens(refute_engine::fs::FsError::FileTooLarge(..))), "{e}");
}

/// Checkpoints of a run with a megabyte file: restored runs reach the
/// straight run's roots, and snapshots share the file the run never writes
/// (a snapshot costs the file system's tables, not its files).
#[test]
fn checkpoints_share_unwritten_files_and_restore_the_same_roots() {
    let module = Module::new(&files_wasm()).unwrap();
    let mut task = task();
    task.preopens[0].root.insert("blob.bin".into(), FsNode::File(vec![7; 1 << 20]));
    let fresh = Run::new(&module, &task, &Entry::Start).unwrap();
    let ck = refute_engine::trace::Checkpoints::record(&mut fresh.clone(), 5_000, usize::MAX);
    assert!(ck.len() > 10, "{} snapshots", ck.len());
    // The first snapshot holds the file; the others share it.
    assert!((1 << 20..4 << 20).contains(&ck.bytes()), "{} snapshots hold {} bytes", ck.len(), ck.bytes());
    let total = {
        let mut r = fresh.clone();
        r.run_to_end();
        r.machine.steps()
    };
    for step in [0, 1, 12_345, total / 2, total - 1, total] {
        let mut direct = fresh.clone();
        direct.run_until(step);
        let via = ck.run_at(step);
        assert_eq!(state_root(&via.machine), state_root(&direct.machine), "step {step}");
        assert_eq!(via.machine.host.fs, direct.machine.host.fs, "step {step}");
    }
}

/// Roots computed while recording checkpoints of a run that writes files
/// are the straight run's (the file system is hashed again at each).
#[test]
fn roots_computed_while_recording_follow_file_writes() {
    let module = Module::new(&files_wasm()).unwrap();
    let fresh = Run::new(&module, &task(), &Entry::Start).unwrap();
    let (_, roots) = refute_engine::trace::Checkpoints::record_with_roots(
        &mut fresh.clone(),
        5_000,
        usize::MAX,
        Some(777),
        &mut |_| {},
    );
    assert!(roots.len() > 10, "{} roots", roots.len());
    for (step, root) in roots {
        let mut direct = fresh.clone();
        direct.run_until(step);
        assert_eq!(root, state_root(&direct.machine), "step {step}");
    }
}

/// The final file system as a blob (`refute fs v1`) checks against the
/// final header, gives back the same files, and any change to it is caught.
#[test]
fn the_output_files_blob_checks_against_the_final_header() {
    use refute_engine::outputs::{OutputsError, check_fs, decode_fs, encode_fs};
    let module = Module::new(&files_wasm()).unwrap();
    let mut run = Run::new(&module, &task(), &Entry::Start).unwrap();
    let m = &mut run.machine;
    let mut h = Hasher::new(m);
    h.run(m, u64::MAX);
    assert!(matches!(m.status(), Status::Finished | Status::Exited(0)), "{}", m.status());
    let header = h.header(m);
    let blob = encode_fs(&m.host.fs);
    let fs = decode_fs(&blob).unwrap();
    check_fs(&header, &fs).unwrap();
    assert_eq!(fs.preopens(), m.host.fs.preopens(), "the blob holds the run's files");
    assert_eq!(encode_fs(&fs), blob, "the encoding is canonical");
    // The initial file system is not the final one.
    let start = Run::new(&module, &task(), &Entry::Start).unwrap();
    assert!(matches!(check_fs(&header, &start.machine.host.fs), Err(OutputsError::Mismatch(_))));
    // A flipped byte of a file, a table or a register is caught.
    let mut changed = 0;
    for at in (16..blob.len()).step_by(97) {
        let mut b = blob.clone();
        b[at] ^= 1;
        match decode_fs(&b) {
            Ok(fs) => {
                assert!(check_fs(&header, &fs).is_err(), "a flipped byte at {at} still checks");
                changed += 1;
            }
            Err(OutputsError::Malformed(_)) => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert!(changed > 10, "only {changed} of the flips decoded");
    assert!(matches!(decode_fs(&blob[..blob.len() - 1]), Err(OutputsError::Malformed(_))));
    let mut longer = blob.clone();
    longer.push(0);
    assert_eq!(decode_fs(&longer), Err(OutputsError::Malformed("trailing bytes")));
}

/// This package's directory, from the environment `cargo test` runs the
/// test in: not the path compiled in, which names whichever checkout first
/// built this binary into a shared target directory.
fn manifest_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"),
    )
}
