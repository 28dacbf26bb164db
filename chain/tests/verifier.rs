//! The Solidity step verifier, run in revm, against the engine's
//! `verify_step`: the same accept or refuse, and the same post-root, on the
//! golden vectors, on every step of a whole run, and on mutated proofs and
//! crafted pre-states. A step the contract does not implement must be
//! refused as `Unsupported`, and only for an instruction `on_chain` says
//! is not on chain.

use refute_chain::evm::{Evm, MAX_CODE_BYTES, Outcome, TX_GAS_CAP};
use refute_chain::on_chain;
use refute_engine::proof::{Proof, prove_step, verify_step};
use refute_engine::state::{COLD_BYTES, HOT_BYTES, Hasher};
use refute_engine::{Entry, Module, Run, Status, Task, Value};
use sha2::{Digest, Sha256};

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// The engine's verdict: the post-root, or `None` when it refuses.
fn engine(pre: &[u8; 32], bytes: &[u8]) -> Option<([u8; 32], Option<u16>)> {
    let proof = Proof::decode(bytes).ok()?;
    let v = verify_step(pre, &proof).ok()?;
    Some((v.post, v.op.map(|o| o.opcode())))
}

/// The opcode of the instruction a proof's step runs, if the proof decodes.
fn opcode_of(bytes: &[u8]) -> Option<u16> {
    let proof = Proof::decode(bytes).ok()?;
    let pc = proof.header.pc as u64;
    let code = proof.trees.iter().find(|(t, _)| *t == refute_engine::state::TreeId::Code)?;
    let leaf = code.1.leaves.iter().find(|(i, _)| *i == pc / 2)?.1;
    let at = 16 * (pc % 2) as usize;
    Some(u16::from_le_bytes([leaf[at], leaf[at + 1]]))
}

#[derive(Default, Debug)]
struct Tally {
    agreed_accept: usize,
    agreed_refuse: usize,
    unsupported: usize,
    max_gas: u64,
    /// Gas of every accepted proof (whole transactions).
    gas: Vec<u64>,
}

impl Tally {
    fn median_gas(&self) -> u64 {
        let mut g = self.gas.clone();
        g.sort();
        g.get(g.len() / 2).copied().unwrap_or(0)
    }
}

/// Runs one proof through both and asserts they agree.
fn check(evm: &mut Evm, pre: &[u8; 32], bytes: &[u8], what: &str, tally: &mut Tally) -> Outcome {
    let verdict = evm.verify_step(pre, bytes).expect("the EVM runs the call");
    assert!(verdict.gas < TX_GAS_CAP, "{what}: {} gas", verdict.gas);
    let want = engine(pre, bytes);
    match (&verdict.outcome, want) {
        (Outcome::Accepted(post), Some((root, _))) => {
            assert_eq!(post.0, root, "{what}: the contract's post-root differs from the engine's");
            tally.agreed_accept += 1;
            tally.max_gas = tally.max_gas.max(verdict.gas);
            tally.gas.push(verdict.gas);
        }
        (Outcome::Accepted(post), None) => {
            panic!("{what}: the contract accepted (post {post}) a proof the engine refuses")
        }
        (Outcome::Refused(_), None) => tally.agreed_refuse += 1,
        (Outcome::Refused(why), Some(_)) => {
            panic!("{what}: the contract refused a proof the engine accepts: {why}")
        }
        (Outcome::Unsupported(op), _) => {
            assert!(!on_chain(*op), "{what}: {op:#x} is on chain but the contract says unsupported");
            tally.unsupported += 1;
        }
    }
    verdict.outcome
}

/// A golden vector: name, pre-root, proof, post-root.
type Vector = (String, [u8; 32], Vec<u8>, [u8; 32]);

fn vectors() -> Vec<Vector> {
    let dir = manifest_dir().join("../traces/vectors");
    let mut out = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    for path in names.into_iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let pre: [u8; 32] = unhex(v["pre_root"].as_str().unwrap()).try_into().unwrap();
        let post: [u8; 32] = unhex(v["post_root"].as_str().unwrap()).try_into().unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        out.push((name, pre, unhex(v["proof"].as_str().unwrap()), post));
    }
    out
}

#[test]
fn the_contract_fits_and_agrees_with_the_engine_on_every_golden_vector() {
    let mut evm = Evm::new().unwrap();
    assert!(evm.verifier_bytes <= MAX_CODE_BYTES, "StepVerifier is {} bytes", evm.verifier_bytes);
    for c in refute_chain::evm::CONTRACTS {
        let n = refute_chain::evm::runtime_size(c).unwrap();
        assert!(n <= MAX_CODE_BYTES, "{c} is {n} bytes, over EIP-170's {MAX_CODE_BYTES}");
        eprintln!("{c}: {n} bytes of runtime code");
    }
    let mut tally = Tally::default();
    let mut accepted = Vec::new();
    let mut costly = Vec::new();
    for (name, pre, proof, post) in vectors() {
        let outcome = check(&mut evm, &pre, &proof, &name, &mut tally);
        if let Outcome::Accepted(root) = outcome {
            assert_eq!(root.0, post, "{name}");
            accepted.push(name.clone());
            costly.push((*tally.gas.last().unwrap(), name.clone()));
        }
        // Every vector of an instruction on chain verifies on chain, host
        // calls (the file system's included) too.
        if opcode_of(&proof).is_some_and(|op| on_chain(op.into()))
            && engine(&pre, &proof).is_some_and(|(_, op)| op.is_some())
        {
            assert!(accepted.contains(&name), "{name}: on chain, yet not accepted");
        }
    }
    eprintln!(
        "golden vectors: {} accepted (gas median {}, max {}), {} refused, {} not on chain yet; StepVerifier {} bytes; accepted: {}",
        tally.agreed_accept,
        tally.median_gas(),
        tally.max_gas,
        tally.agreed_refuse,
        tally.unsupported,
        evm.verifier_bytes,
        accepted.join(" ")
    );
    costly.sort();
    eprintln!("the costliest: {:?}", costly.iter().rev().take(6).collect::<Vec<_>>());
    assert!(tally.agreed_accept >= 60, "{tally:?}");
}

/// Every step of `main(5)` in tests/vectors.wat (a module that runs many
/// kinds of instruction) through both verifiers.
#[test]
fn every_step_of_a_run_agrees() {
    let wat = include_str!("../../tests/vectors.wat");
    let module = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
    let task = Task { max_steps: 1_000_000, ..Task::default() };
    let mut run = Run::new(&module, &task, &Entry::Invoke("main".into(), vec![Value::I32(5)])).unwrap();
    let m = &mut run.machine;
    let mut h = Hasher::new(m);
    let mut evm = Evm::new().unwrap();
    let mut tally = Tally::default();
    loop {
        let pre = h.root(m);
        let proof = prove_step(m, &mut h).unwrap();
        check(&mut evm, &pre, &proof.encode(), &format!("step {}", m.steps()), &mut tally);
        if m.status() != Status::Running {
            break;
        }
        h.run(m, m.steps() + 1);
    }
    eprintln!(
        "steps of main(5): {} accepted (gas median {}, max {}), {} not on chain yet",
        tally.agreed_accept,
        tally.median_gas(),
        tally.max_gas,
        tally.unsupported
    );
    assert!(tally.agreed_accept > 100, "{tally:?}");
}

/// Every byte of sampled proofs flipped, against the same pre-state; and
/// every byte of their headers (hot part, and cold part with its hash in the
/// hot part re-derived) flipped with the pre-state re-derived, so the
/// registers and roots are crafted values no machine reaches.
#[test]
fn mutated_proofs_and_crafted_states_get_the_same_verdict() {
    let mut evm = Evm::new().unwrap();
    let mut tally = Tally::default();
    let picks = [
        "main-120-I32AddReg",
        "main-1a6-BrIfI32Eq",
        "main-010-Drop",
        "trap-078-I32DivS",
        "main-final-finished",
        "main-028-I32Load",
        "main-1ce-I32StoreAt",
        "main-008-Call",
        "main-007-Return",
        "main-006-BrTable",
        "main-042-MemoryCopy",
        "main-01e-TableInit",
        "main-016-GlobalSet",
        "simd-0f8-V128Binary",
        "simd-04b-I8x16Shuffle",
        "simd-04e-V128LoadLane",
        "host-fd_write-0",
        "host-args_get-1",
        "host-fd_read-0",
        "files-path_open-1",
        "files-fd_write-0",
        "files-fd_read-0",
        "files-fd_readdir-2",
        "files-path_rename-3",
        "files-path_unlink_file-1",
        "files-fd_close-0",
    ];
    for (name, pre, proof, _) in vectors().into_iter().filter(|v| picks.contains(&v.0.as_str())) {
        for at in 0..proof.len() {
            for bit in [0x01u8, 0x80] {
                let mut p = proof.clone();
                p[at] ^= bit;
                check(&mut evm, &pre, &p, &format!("{name} byte {at} ^ {bit:#x}"), &mut tally);
                // A byte of the hot part, or of the cold part (when sent)
                // with its hash in the hot part re-derived: crafted registers.
                let cold_at = 16 + HOT_BYTES + 1;
                let cold_sent = p.len() > cold_at && p[cold_at - 1] == 1;
                if cold_sent && (cold_at..cold_at + COLD_BYTES).contains(&at) {
                    let h: [u8; 32] = Sha256::digest(&p[cold_at..cold_at + COLD_BYTES]).into();
                    p[16 + HOT_BYTES - 32..16 + HOT_BYTES].copy_from_slice(&h);
                }
                if (16..16 + HOT_BYTES).contains(&at)
                    || cold_sent && (cold_at..cold_at + COLD_BYTES).contains(&at)
                {
                    let crafted: [u8; 32] = Sha256::digest(&p[16..16 + HOT_BYTES]).into();
                    check(
                        &mut evm,
                        &crafted,
                        &p,
                        &format!("{name} header byte {at} ^ {bit:#x}, re-rooted"),
                        &mut tally,
                    );
                }
            }
        }
        // Truncated and extended.
        check(&mut evm, &pre, &proof[..proof.len() - 1], &format!("{name} truncated"), &mut tally);
        let mut longer = proof.clone();
        longer.push(0);
        check(&mut evm, &pre, &longer, &format!("{name} extended"), &mut tally);
    }
    eprintln!(
        "mutations: {} accepted alike, {} refused alike, {} not on chain yet",
        tally.agreed_accept, tally.agreed_refuse, tally.unsupported
    );
    assert!(tally.agreed_refuse > 1000 && tally.agreed_accept > 10, "{tally:?}");
}

/// This package's directory, from the environment `cargo test` runs the
/// test in: not the path compiled in, which names whichever checkout first
/// built this binary into a shared target directory.
fn manifest_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"),
    )
}
