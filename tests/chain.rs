//! The Solidity step verifier (refute-chain, revm) against the engine on
//! real programs: sampled steps of every C workload, and every step of
//! random modules. The same verdict and post-root always; gas percentiles
//! and the instructions not on chain yet are printed.

use refute::workloads::{WORKLOADS, wasm};
use refute_chain::evm::{Evm, Outcome, TX_GAS_CAP};
use refute_chain::{HOST_CALL, on_chain};
use refute_engine::isa::OP_TABLE;
use refute_engine::proof::{Proof, prove_step, verify_step};
use refute_engine::state::Hasher;
use refute_engine::{Entry, Machine, Module, Run, Status, Value};
use std::collections::BTreeMap;

#[path = "common/smith.rs"]
mod smith;

#[path = "common/spec_walk.rs"]
mod spec_walk;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[derive(Default)]
struct Tally {
    gas: Vec<u64>,
    refused: usize,
    unsupported: BTreeMap<String, usize>,
}

impl Tally {
    fn percentile(&self, p: usize) -> u64 {
        let mut g = self.gas.clone();
        g.sort();
        g.get((g.len() * p / 100).min(g.len().saturating_sub(1))).copied().unwrap_or(0)
    }
    fn summary(&self) -> String {
        let steps = self.gas.len() + self.unsupported.values().sum::<usize>();
        format!(
            "{} of {steps} steps on chain: gas p50 {}, p99 {}, max {}; not yet: {:?}",
            self.gas.len(),
            self.percentile(50),
            self.percentile(99),
            self.gas.iter().max().copied().unwrap_or(0),
            self.unsupported
        )
    }
}

fn name(code: u32) -> String {
    if code >= HOST_CALL {
        return format!("host function {}", code - HOST_CALL);
    }
    OP_TABLE.iter().find(|i| u32::from(i.code) == code).map_or(format!("{code:#x}"), |i| i.name.to_string())
}

/// Proves the step from `run`'s state and checks both verifiers agree.
fn check(evm: &mut Evm, run: &Run, h: &mut Hasher, what: &str, t: &mut Tally) {
    check_machine(evm, &run.machine, h, what, t)
}

/// Proves the step from `m`'s state and checks both verifiers agree.
fn check_machine(evm: &mut Evm, m: &Machine, h: &mut Hasher, what: &str, t: &mut Tally) {
    let pre = h.root(m);
    let Ok(proof) = prove_step(m, h) else { return };
    let bytes = proof.encode();
    let engine = verify_step(&pre, &Proof::decode(&bytes).unwrap()).map(|v| v.post).ok();
    let v = evm.verify_step(&pre, &bytes).unwrap();
    assert!(v.gas < TX_GAS_CAP, "{what}: {} gas", v.gas);
    match (&v.outcome, engine) {
        (Outcome::Accepted(post), Some(root)) => {
            assert_eq!(post.0, root, "{what}: the contract's post-root differs");
            t.gas.push(v.gas);
        }
        (Outcome::Unsupported(c), _) => {
            assert!(
                !on_chain(*c),
                "{what}: {} is on chain, yet the contract refused it as unsupported",
                name(*c)
            );
            *t.unsupported.entry(name(*c)).or_default() += 1;
        }
        (Outcome::Refused(_), None) => t.refused += 1,
        (o, e) => panic!("{what}: the contract says {o:?}, the engine {e:?}"),
    }
}

/// `REFUTE_CHAIN_SAMPLES` (default 200) steps of each workload's small run,
/// evenly spread, first and last included.
#[test]
fn workload_steps_agree_on_chain() {
    let samples = env_u64("REFUTE_CHAIN_SAMPLES", 200);
    let mut evm = Evm::new().unwrap();
    let mut all = Tally::default();
    for w in WORKLOADS {
        let module = Module::new(&std::fs::read(wasm(w.name).unwrap()).unwrap()).unwrap();
        let mut run = Run::new(&module, &w.task(true), &Entry::Start).unwrap();
        let total = {
            let mut probe = run.clone();
            probe.run_to_end();
            probe.machine.steps()
        };
        let mut h = Hasher::new(&run.machine);
        let mut t = Tally::default();
        // Evenly spread steps, and every step of every host call (the
        // module's imports are the first functions of the store).
        let imports = module.imports().len() as u32;
        let host_steps: Vec<u64> = {
            let mut probe = run.clone();
            let mut steps = Vec::new();
            while probe.machine.status() == Status::Running {
                if let Some(refute_engine::isa::Op::Call { func }) = probe.machine.next_op()
                    && func < imports
                {
                    steps.push(probe.machine.steps());
                }
                let next = probe.machine.steps() + 1;
                probe.run_until(next);
            }
            steps
        };
        assert_eq!(refute_chain::check_task(&module, &w.task(true)), Ok(()), "{}", w.name);
        let mut picks: Vec<u64> =
            (0..=samples).map(|i| total * i / samples).chain(host_steps.iter().copied()).collect();
        picks.sort();
        picks.dedup();
        for step in picks {
            h.run(&mut run.machine, step);
            assert!(run.machine.steps() == step || run.machine.status() != Status::Running);
            check(&mut evm, &run, &mut h, &format!("{} step {step}", w.name), &mut t);
        }
        eprintln!("{}: {} ({} steps in host calls)", w.name, t.summary(), host_steps.len());
        assert!(t.unsupported.is_empty() && !host_steps.is_empty(), "{}: {}", w.name, t.summary());
        all.gas.extend(&t.gas);
        all.refused += t.refused;
        for (k, n) in t.unsupported {
            *all.unsupported.entry(k).or_default() += n;
        }
    }
    eprintln!("all workloads: {}", all.summary());
    assert_eq!(all.refused, 0, "an honest proof was refused by both");
    assert!(all.gas.len() > 500, "{}", all.summary());
}

/// Runs `bytes` (maybe damaged) against `pre` through both verifiers and
/// asserts the same verdict: the same post root, or both refuse.
fn check_bytes(evm: &mut Evm, pre: &[u8; 32], bytes: &[u8], what: &str, t: &mut Tally) {
    let engine = Proof::decode(bytes).ok().and_then(|p| verify_step(pre, &p).ok()).map(|v| v.post);
    let v = evm.verify_step(pre, bytes).unwrap();
    assert!(v.gas < TX_GAS_CAP, "{what}: {} gas", v.gas);
    match (&v.outcome, engine) {
        (Outcome::Accepted(post), Some(root)) => {
            assert_eq!(post.0, root, "{what}: the contract's post-root differs");
            t.gas.push(v.gas);
        }
        (Outcome::Refused(_), None) => t.refused += 1,
        (o, e) => panic!("{what}: the contract says {o:?}, the engine {e:?}"),
    }
}

/// `workloads/files.c`'s task (engine/tests/files.rs): a preopened
/// directory with a file and a subdirectory.
fn files_task() -> refute_engine::Task {
    use refute_engine::fs::{FsNode, Preopen};
    let file = |s: &str| FsNode::File(s.as_bytes().to_vec());
    let sub = [("x.txt".to_string(), file("x"))].into();
    let root = [
        ("in.txt".to_string(), file("hello from the host\nsecond line\n")),
        ("sub".to_string(), FsNode::Dir(sub)),
    ]
    .into();
    refute_engine::Task {
        args: vec!["files".into(), "/data".into()],
        max_steps: 50_000_000,
        preopens: vec![Preopen { guest: "/data".into(), root }],
        ..refute_engine::Task::default()
    }
}

/// Every step of every host call of `workloads/files.c` (reading, writing,
/// seeking, truncating, listing, renaming and removing in a preopened
/// directory) through the contract: the engine's verdict and post root
/// each time, and a gas summary of the file system's steps. Then, on a
/// sample of those steps, the same verdict for damaged proofs: bytes
/// flipped, each tree opening and each entry dropped, and crafted file
/// system registers (the header re-rooted).
#[test]
fn every_host_call_step_of_files_c_agrees_on_chain() {
    let module = Module::new(&std::fs::read(wasm("files").unwrap()).unwrap()).unwrap();
    let task = files_task();
    assert_eq!(refute_chain::check_task(&module, &task), Ok(()), "the chain mode takes files.c's task");
    let imports: Vec<String> = module.imports().iter().map(|i| i.name.clone()).collect();
    let call_of = |m: &Machine| match m.next_op() {
        Some(refute_engine::isa::Op::Call { func }) if (func as usize) < imports.len() => {
            Some(imports[func as usize].clone())
        }
        _ => None,
    };
    let mut run = Run::new(&module, &task, &Entry::Start).unwrap();
    let host_steps: Vec<(u64, String)> = {
        let mut probe = run.clone();
        let mut steps = Vec::new();
        while probe.machine.status() == Status::Running {
            if let Some(f) = call_of(&probe.machine) {
                steps.push((probe.machine.steps(), f));
            }
            let next = probe.machine.steps() + 1;
            probe.run_until(next);
        }
        assert!(
            matches!(probe.machine.status(), Status::Exited(0) | Status::Finished),
            "{}",
            probe.machine.status()
        );
        steps
    };
    let mut evm = Evm::new().unwrap();
    let mut h = Hasher::new(&run.machine);
    let (mut all, mut fs, mut damaged) = (Tally::default(), Tally::default(), Tally::default());
    let mut calls: BTreeMap<String, usize> = BTreeMap::new();
    let mut samples = Vec::new();
    for (i, (step, f)) in host_steps.iter().enumerate() {
        h.run(&mut run.machine, *step);
        let what = format!("files.c step {step} ({f})");
        let pre = h.root(&run.machine);
        let proof = prove_step(&run.machine, &mut h).unwrap();
        let bytes = proof.encode();
        let before = all.gas.len();
        check_bytes(&mut evm, &pre, &bytes, &what, &mut all);
        assert_eq!(all.gas.len(), before + 1, "{what}: an honest proof refused by both");
        // The file system's steps: those whose proof opens it.
        if touches_fs(&proof) {
            fs.gas.push(*all.gas.last().unwrap());
            *calls.entry(f.clone()).or_default() += 1;
        }
        if i % 23 == 5 && touches_fs(&proof) {
            samples.push((pre, proof, what));
        }
    }
    eprintln!("files.c: {} ({} host-call steps)", all.summary(), host_steps.len());
    eprintln!(
        "files.c, the file system's steps: {} steps, gas median {}, p99 {}, max {}; calls: {calls:?}",
        fs.gas.len(),
        fs.percentile(50),
        fs.percentile(99),
        fs.gas.iter().max().copied().unwrap_or(0)
    );
    assert!(fs.gas.len() > 300, "{} file system steps", fs.gas.len());
    assert!(fs.gas.iter().all(|g| *g < TX_GAS_CAP), "a file system step over the cap");
    for f in
        ["path_open", "fd_read", "fd_write", "fd_seek", "fd_readdir", "path_rename", "fd_filestat_set_size"]
    {
        assert!(calls.contains_key(f), "files.c reaches no step of {f} on chain: {calls:?}");
    }

    // Damaged proofs of sampled file system steps.
    assert!(samples.len() >= 8, "{} samples", samples.len());
    for (pre, proof, what) in &samples {
        let bytes = proof.encode();
        let stride = (bytes.len() / 200).max(1);
        for at in (0..bytes.len()).step_by(stride) {
            let mut b = bytes.clone();
            b[at] ^= if at % 2 == 0 { 0x01 } else { 0x80 };
            check_bytes(&mut evm, pre, &b, &format!("{what}, byte {at} flipped"), &mut damaged);
        }
        for k in 0..proof.trees.len() {
            let mut p = proof.clone();
            let (t, _) = p.trees.remove(k);
            check_bytes(&mut evm, pre, &p.encode(), &format!("{what}, tree {t:?} dropped"), &mut damaged);
        }
        for k in 0..proof.entries.len() {
            let mut p = proof.clone();
            let e = p.entries.remove(k);
            check_bytes(
                &mut evm,
                pre,
                &p.encode(),
                &format!("{what}, entry {:?} {} dropped", e.kind, e.index),
                &mut damaged,
            );
        }
        // Crafted file system registers: the same openings under another header.
        let r = proof.header.fs;
        let crafted = [
            refute_engine::fs::FsRegs { nodes: r.nodes.saturating_sub(1), ..r },
            refute_engine::fs::FsRegs { nodes: r.nodes + 1, ..r },
            refute_engine::fs::FsRegs { nodes: refute_engine::fs::MAX_NODES, ..r },
            refute_engine::fs::FsRegs { fds: r.fds.saturating_sub(1), ..r },
            refute_engine::fs::FsRegs { fds: refute_engine::fs::MAX_FDS, ..r },
            refute_engine::fs::FsRegs { node_free: 1, fd_free: 3, ..r },
            refute_engine::fs::FsRegs { bytes: u64::MAX, ..r },
            refute_engine::fs::FsRegs { bytes: refute_engine::fs::MAX_FS_BYTES, ..r },
        ];
        for c in crafted {
            let mut p = proof.clone();
            p.header.fs = c;
            let root = p.pre_root();
            check_bytes(&mut evm, &root, &p.encode(), &format!("{what}, registers {c:?}"), &mut damaged);
        }
    }
    eprintln!(
        "files.c, damaged proofs of {} sampled steps: {} accepted alike, {} refused alike",
        samples.len(),
        damaged.gas.len(),
        damaged.refused
    );
    assert!(
        damaged.refused > 500 && !damaged.gas.is_empty(),
        "{} refused, {} accepted",
        damaged.refused,
        damaged.gas.len()
    );
}

/// Whether a proof opens the file system (its node or descriptor table, or a file).
fn touches_fs(p: &Proof) -> bool {
    use refute_engine::state::{EntryKind, TreeId};
    p.trees.iter().any(|(t, _)| matches!(t, TreeId::Nodes | TreeId::Fds))
        || p.entries.iter().any(|e| e.kind == EntryKind::File)
}

/// Every step of `REFUTE_CHAIN_CASES` (default 40) random modules.
#[test]
fn random_module_steps_agree_on_chain() {
    let cases = env_u64("REFUTE_CHAIN_CASES", 40);
    let mut evm = Evm::new().unwrap();
    let mut t = Tally::default();
    let mut seed_state = env_u64("REFUTE_CHAIN_SEED", 7);
    for case in 0..cases {
        let bytes: Vec<u8> = (0..2048)
            .map(|_| {
                seed_state = seed_state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (seed_state >> 33) as u8
            })
            .collect();
        let mut u = arbitrary::Unstructured::new(&bytes);
        let config =
            wasm_smith::Config { max_instructions: 200, max_funcs: 8, min_funcs: 2, ..smith::config() };
        let Ok(module) = wasm_smith::Module::new(config, &mut u) else { continue };
        let Ok(module) = Module::new(&module.to_bytes()) else { continue };
        let Some((name, ty)) = module
            .exports()
            .find_map(|(name, _, _)| module.export_func_type(name).map(|t| (name.to_string(), t.clone())))
        else {
            continue;
        };
        let args: Vec<Value> = ty.params.iter().map(|t| Value::default_of(*t)).collect();
        let task = refute_engine::Task { max_steps: 2_000, ..refute_engine::Task::default() };
        let Ok(mut run) = Run::new(&module, &task, &Entry::Invoke(name, args)) else { continue };
        let mut h = Hasher::new(&run.machine);
        loop {
            check(&mut evm, &run, &mut h, &format!("case {case} step {}", run.machine.steps()), &mut t);
            if run.machine.status() != Status::Running || run.machine.steps() >= 2_000 {
                break;
            }
            let next = run.machine.steps() + 1;
            h.run(&mut run.machine, next);
        }
    }
    eprintln!("random modules: {}", t.summary());
    assert!(t.gas.len() > 100, "{}", t.summary());
}

/// Every step of the SIMD sink (`engine/tests/simd_sink.wat`: every SIMD
/// shape, v128 locals, globals, memory and branches) on chain.
#[test]
fn every_step_of_the_simd_sink_agrees_on_chain() {
    let wat = include_str!("../engine/tests/simd_sink.wat");
    let module = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
    let mut evm = Evm::new().unwrap();
    let mut t = Tally::default();
    for n in [0, 1, 5] {
        let task = refute_engine::Task { max_steps: 100_000, ..refute_engine::Task::default() };
        let mut run = Run::new(&module, &task, &Entry::Invoke("main".into(), vec![Value::I32(n)])).unwrap();
        let mut h = Hasher::new(&run.machine);
        loop {
            check(&mut evm, &run, &mut h, &format!("main({n}) step {}", run.machine.steps()), &mut t);
            if run.machine.status() != Status::Running {
                break;
            }
            let next = run.machine.steps() + 1;
            h.run(&mut run.machine, next);
        }
    }
    eprintln!("simd sink: {}", t.summary());
    assert!(t.unsupported.is_empty() && t.gas.len() > 600, "{}", t.summary());
}

/// The spec suite's numeric and SIMD files (`tests/spec/testsuite`, the
/// modules that import nothing): every step of every `REFUTE_CHAIN_SPEC_EVERY`-th
/// invocation (default 9; 1 is every one, the long run), on the suite's own
/// operands: NaNs, infinities, subnormals, lane edge values. `REFUTE_CHAIN_SPEC`
/// picks files by a substring of their names.
#[test]
fn spec_suite_steps_agree_on_chain() {
    let every = env_u64("REFUTE_CHAIN_SPEC_EVERY", 9).max(1);
    let only = std::env::var("REFUTE_CHAIN_SPEC").unwrap_or_default();
    let numeric = [
        "i32.wast",
        "i64.wast",
        "f32.wast",
        "f64.wast",
        "f32_cmp.wast",
        "f64_cmp.wast",
        "f32_bitwise.wast",
        "f64_bitwise.wast",
        "conversions.wast",
        "float_misc.wast",
        "float_exprs.wast",
        "int_exprs.wast",
    ];
    let files =
        spec_walk::spec_files(|n| (n.starts_with("simd_") || numeric.contains(&n)) && n.contains(&only));
    assert!(!only.is_empty() || files.len() >= 60, "{} files", files.len());
    let mut evm = Evm::new().unwrap();
    let mut t = Tally::default();
    let mut invocations = 0u64;
    spec_walk::for_each_invocation(&files, |inv| {
        let (name, line, m) = (inv.name, inv.line, inv.machine);
        invocations += 1;
        if !invocations.is_multiple_of(every) {
            return;
        }
        let Some(args) = inv.args else { return };
        if m.invoke(inv.func, &args).is_err() {
            return;
        }
        let mut h = Hasher::new(m);
        loop {
            check_machine(&mut evm, m, &mut h, &format!("{name}:{line} step {}", m.steps()), &mut t);
            if m.status() != Status::Running {
                break;
            }
            h.run(m, m.steps() + 1);
        }
    });
    eprintln!("spec suite, every {every}th of {invocations} invocations: {}", t.summary());
    assert!(t.unsupported.is_empty(), "{}", t.summary());
    assert!(!only.is_empty() || t.gas.len() > 5_000, "{}", t.summary());
}

/// The costliest honest steps: branches and returns that keep 1,000 values
/// over 1,000 dropped ones and 1,000 locals (engine/tests/proofs.rs,
/// `the_longest_copies_fit_the_hard_bound`), 64 slots a step, and the
/// prologue zeroing 1,000 locals. Every such step verifies on chain within
/// the transaction gas cap; the largest is printed (specs/chain.md §5).
#[test]
fn the_longest_copies_verify_on_chain_within_the_gas_cap() {
    let n = 1000;
    let results = vec!["i32"; n].join(" ");
    let seq: String = (0..n).map(|i| format!("i32.const {i} ")).collect();
    let junk = "i32.const 7 ".repeat(n);
    let wat = format!(
        r#"(module
          (func $table (param i32) (result {results}) (local {locals})
            block (result {results})
              block (result {results})
                {junk} {seq} local.get 0 br_table 0 1 2
              end
            end)
          (func $ret (param i32) (result {results}) (local {locals})
            {junk} {seq} local.get 0 br_if 0 return)
          (func (export "table") (param i32) (result {results}) local.get 0 call $table)
          (func (export "ret") (param i32) (result {results}) local.get 0 call $ret))"#,
        locals = vec!["i32"; n].join(" "),
    );
    let module = Module::new(&wat::parse_str(&wat).unwrap()).unwrap();
    let mut evm = Evm::new().unwrap();
    let mut t = Tally::default();
    let costly = |name: &str| {
        ["StackMove", "BrAdjust", "BrIfNezAdjust", "Return", "BrTable", "ZeroLocals"].contains(&name)
    };
    for (entry, arg) in [("table", 0), ("table", 9), ("ret", 0), ("ret", 1)] {
        let task = refute_engine::Task { max_steps: 100_000, ..refute_engine::Task::default() };
        let mut run = Run::new(&module, &task, &Entry::Invoke(entry.into(), vec![Value::I32(arg)])).unwrap();
        let mut h = Hasher::new(&run.machine);
        while run.machine.status() == Status::Running {
            let op = run.machine.next_op().map(|o| format!("{o:?}")).unwrap_or_default();
            if costly(op.split([' ', '{']).next().unwrap_or("")) {
                check(
                    &mut evm,
                    &run,
                    &mut h,
                    &format!("{entry}({arg}) step {}: {op}", run.machine.steps()),
                    &mut t,
                );
            }
            let next = run.machine.steps() + 1;
            h.run(&mut run.machine, next);
        }
    }
    eprintln!("the longest copies: {}", t.summary());
    assert!(t.gas.len() > 60 && t.unsupported.is_empty(), "{}", t.summary());
}

/// `refute chain devnet` starts a real node (anvil, 127.0.0.1) with the
/// contracts deployed; `refute verify-step --chain --verifier` runs a proof
/// through them there: accepted with the engine's post root, and a tampered
/// proof refused. SIGTERM stops the devnet and its node.
#[test]
fn a_devnet_runs_the_verifier_on_a_real_node() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let bin = env!("CARGO_BIN_EXE_refute");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut devnet = Command::new(bin)
        .args(["chain", "devnet", "--port", &port.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    // Its `rpc` and `verifier` lines (the deployment takes a few seconds).
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = devnet.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let (mut url, mut verifier) = (String::new(), String::new());
    while verifier.is_empty() {
        let line =
            rx.recv_timeout(std::time::Duration::from_secs(120)).expect("the devnet's lines within 120 s");
        if let Some(u) = line.strip_prefix("rpc ") {
            url = u.to_string();
        }
        if let Some(v) = line.strip_prefix("verifier ") {
            verifier = v.to_string();
        }
    }
    assert_eq!(url, format!("http://127.0.0.1:{port}"));

    // A proof of a step of the loop in tests/vectors.wat.
    let wat = include_str!("vectors.wat");
    let module = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
    let task = refute_engine::Task { max_steps: 1_000_000, ..refute_engine::Task::default() };
    let mut run = Run::new(&module, &task, &Entry::Invoke("main".into(), vec![Value::I32(5)])).unwrap();
    let mut h = Hasher::new(&run.machine);
    h.run(&mut run.machine, 60);
    let pre = h.root(&run.machine);
    let proof = prove_step(&run.machine, &mut h).unwrap();
    let post = verify_step(&pre, &proof).unwrap().post;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("step.proof");
    std::fs::write(&file, proof.encode()).unwrap();
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let verify = |file: &std::path::Path| {
        let out = Command::new(bin)
            .args(["verify-step", file.to_str().unwrap(), "--pre", &hex(&pre), "--json"])
            .args(["--chain", &url, "--verifier", &verifier])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        (out.status.code(), v)
    };
    let (code, v) = verify(&file);
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["evm"]["outcome"], "accepted", "{v}");
    assert_eq!(v["evm"]["post_root"], hex(&post));
    assert!(v["evm"]["gas"].as_u64().unwrap() > 21_000, "{v}");
    let mut bytes = proof.encode();
    let n = bytes.len();
    bytes[n - 7] ^= 0x10;
    let bad = dir.path().join("tampered.proof");
    std::fs::write(&bad, &bytes).unwrap();
    let (code, v) = verify(&bad);
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(v["evm"]["outcome"], "refused", "{v}");

    // SIGTERM stops the devnet, which stops its node.
    Command::new("kill").args(["-TERM", &devnet.id().to_string()]).status().unwrap();
    let mut stopped = false;
    for _ in 0..100 {
        if devnet.try_wait().unwrap().is_some() {
            stopped = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    if !stopped {
        let _ = devnet.kill();
    }
    assert!(stopped, "the devnet did not stop within 10 s of SIGTERM");
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "the node still listens on {port}");
}
