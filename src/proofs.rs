//! `refute commit`, `state`, `prove` and `verify-step`.

use crate::{Prepared, bad};
use anyhow::{Context, Result};
use refute::{errln, outln};
use refute_challenger::threads::Threads;
use refute_engine::proof::{Proof, VerifyError, hex, prove_step, verify_step as verify};
use refute_engine::state::Hasher;
use refute_engine::{Status, trace};
use serde_json::json;
use std::path::Path;
use std::process::ExitCode;

fn status_name(s: Status) -> String {
    s.name().to_string()
}

pub fn commit(p: Prepared, stride: Option<u64>, json: bool) -> Result<ExitCode> {
    if stride == Some(0) {
        return Err(bad("--stride must be at least 1"));
    }
    let mut run = p.run;
    let c = trace::commit_with(&mut run, stride, &Threads).map_err(|e| bad(format!("cannot commit: {e}")))?;
    let layer = c.history.layer();
    let m = &run.machine;
    if json {
        let v = json!({
            "status": status_name(c.status),
            "steps": c.steps,
            "final_root": hex(&c.final_root),
            "history_root": hex(&c.history.root()),
            "stride": layer.stride(),
            "leaves": layer.len(),
            "stdout": String::from_utf8_lossy(&m.host.stdout),
            "stderr": String::from_utf8_lossy(&m.host.stderr),
        });
        outln!("{v}")?;
    } else {
        outln!("status        {}", status_name(c.status))?;
        outln!("steps         {}", c.steps)?;
        outln!("final root    {}", hex(&c.final_root))?;
        outln!("history root  {}", hex(&c.history.root()))?;
        outln!("stride        {} ({} states)", layer.stride(), layer.len())?;
        outln!("stdout        {} bytes", m.host.stdout.len())?;
        outln!("stderr        {} bytes", m.host.stderr.len())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs to `step`, or explains that the run ends sooner.
fn reach(p: &mut Prepared, step: u64) -> Result<()> {
    let s = p.run.run_until(step);
    let at = p.run.machine.steps();
    if at < step {
        let why = match s {
            Status::OutOfSteps => format!("the step limit is {} (raise it with --max-steps)", p.max_steps),
            s => format!("the run ends ({}) after {at} steps", status_name(s)),
        };
        return Err(bad(format!("there is no step {step}: {why}")));
    }
    Ok(())
}

pub fn state(mut p: Prepared, step: u64, json: bool) -> Result<ExitCode> {
    reach(&mut p, step)?;
    let m = &p.run.machine;
    let header = Hasher::new_with(m, &Threads).header(m);
    let root = hex(&header.root());
    if json {
        let v = json!({
            "step": step, "root": root, "status": status_name(m.status()),
            "pc": header.pc, "sp": header.sp, "fp": header.fp, "depth": header.depth,
        });
        outln!("{v}")?;
    } else {
        outln!("{root}")?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn prove(mut p: Prepared, step: u64, out: &Path, json: bool) -> Result<ExitCode> {
    reach(&mut p, step)?;
    let m = &p.run.machine;
    let mut h = Hasher::new_with(m, &Threads);
    let proof = prove_step(m, &mut h)?;
    let bytes = proof.encode();
    let v = verify(&proof.pre_root(), &proof).context("internal error: the new proof does not verify")?;
    std::fs::write(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    if json {
        let v = json!({
            "step": step, "pre_root": hex(&v.pre), "post_root": hex(&v.post),
            "op": v.op.map(|o| format!("{o:?}")), "bytes": bytes.len(), "out": out.display().to_string(),
        });
        outln!("{v}")?;
    } else {
        outln!("step {step}: {} bytes written to {}", bytes.len(), out.display())?;
        outln!("pre root   {}", hex(&v.pre))?;
        outln!("post root  {}", hex(&v.post))?;
        if let Some(op) = v.op {
            outln!("op         {op:?}")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_root(s: &str) -> Result<[u8; 32]> {
    let s = s.trim();
    if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad(format!("--pre {s:?} is not a 64-digit hex root")));
    }
    let mut r = [0u8; 32];
    for (i, b) in r.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex digits");
    }
    Ok(r)
}

/// Where `verify-step` also runs a proof through the Solidity verifier.
pub enum OnChain {
    /// An in-process EVM with the contracts of contracts/out (`--evm`).
    InProcess,
    /// The verifier at `address` on the node at `url` (`--chain`, `--verifier`).
    Node {
        /// The node's JSON-RPC URL.
        url: String,
        /// The `StepVerifier`'s address.
        address: String,
    },
}

pub fn verify_step(path: &Path, pre: Option<&str>, evm: Option<OnChain>, json: bool) -> Result<ExitCode> {
    let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot read {}: {e}", path.display())))?;
    let pre = pre.map(parse_root).transpose()?;
    let result = Proof::decode(&bytes).and_then(|p| {
        let pre = pre.unwrap_or_else(|| p.pre_root());
        verify(&pre, &p).map(|v| (p, v))
    });
    // The contract gets the same pre-state root: the one given, else the
    // proof's own header's (when the proof does not even decode, the
    // SHA-256 of the bytes where the header would be).
    let on_chain = match evm {
        Some(OnChain::InProcess) => {
            let pre = pre.unwrap_or_else(|| header_root_of(&bytes));
            let mut chain = refute_chain::evm::Evm::new().map_err(|e| bad(e.to_string()))?;
            Some(chain.verify_step(&pre, &bytes).map_err(|e| bad(e.to_string()))?)
        }
        Some(OnChain::Node { url, address }) => {
            let pre = pre.unwrap_or_else(|| header_root_of(&bytes));
            let verifier: refute_chain::evm::Address =
                address.parse().map_err(|e| bad(format!("--verifier {address}: {e}")))?;
            let rpc = refute_chain::rpc::Rpc::new(&url);
            let (outcome, gas) = refute_chain::devnet::verify_step(&rpc, &verifier, &pre, &bytes)
                .map_err(|e| bad(e.to_string()))?;
            Some(refute_chain::evm::Verdict { outcome, gas: gas.unwrap_or(0) })
        }
        None => None,
    };
    let engine_post = result.as_ref().ok().map(|(_, v)| v.post);
    let agrees = on_chain.as_ref().map(|c| evm_agrees(&c.outcome, engine_post));
    let evm_json = on_chain.as_ref().map(|c| evm_json(c, agrees == Some(true)));
    let code = match (&result, &on_chain) {
        (Ok(_), Some(c)) if !matches!(c.outcome, refute_chain::evm::Outcome::Accepted(_)) => {
            ExitCode::FAILURE
        }
        (_, Some(_)) if agrees == Some(false) => ExitCode::FAILURE,
        (Ok(_), _) => ExitCode::SUCCESS,
        (Err(_), _) => ExitCode::FAILURE,
    };
    match result {
        Ok((p, v)) => {
            if json {
                let mut j = json!({
                    "valid": true, "step": p.header.steps, "pre_root": hex(&v.pre), "post_root": hex(&v.post),
                    "op": v.op.map(|o| format!("{o:?}")),
                    "post_status": refute_engine::state::decode_status(v.post_header.status).map(status_name),
                });
                if let Some(e) = evm_json {
                    j["evm"] = e;
                }
                outln!("{j}")?;
            } else {
                outln!("valid proof of step {} -> {}", p.header.steps, v.post_header.steps)?;
                outln!("pre root   {}", hex(&v.pre))?;
                outln!("post root  {}", hex(&v.post))?;
                match v.op {
                    Some(op) => outln!("op         {op:?} at pc {}", p.header.pc)?,
                    None => outln!("op         none: the machine has stopped, the state steps to itself")?,
                }
                if let Some(c) = &on_chain {
                    outln!("evm        {}", evm_line(c, agrees == Some(true)))?;
                }
            }
        }
        Err(e) => {
            if json {
                let mut j = json!({ "valid": false, "error": e.to_string(), "kind": kind(&e) });
                if let Some(e) = evm_json {
                    j["evm"] = e;
                }
                outln!("{j}")?;
            } else if let Some(c) = &on_chain {
                outln!("evm        {}", evm_line(c, agrees == Some(true)))?;
            }
            errln!("refute: invalid proof {}: {e}", path.display());
        }
    }
    if agrees == Some(false) {
        errln!(
            "refute: the Solidity verifier disagrees with the engine on {}: a bug, please report it",
            path.display()
        );
    }
    Ok(code)
}

/// SHA-256 of the bytes where a proof's header's hot part sits (its claimed pre-state).
fn header_root_of(bytes: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let header = bytes.get(16..16 + refute_engine::state::HOT_BYTES).unwrap_or(&[]);
    Sha256::digest(header).into()
}

/// The contract agrees with the engine: the same post root, or both refuse
/// (an instruction not yet on chain is neither).
fn evm_agrees(outcome: &refute_chain::evm::Outcome, engine: Option<[u8; 32]>) -> bool {
    use refute_chain::evm::Outcome;
    match (outcome, engine) {
        (Outcome::Accepted(post), Some(root)) => post.0 == root,
        (Outcome::Refused(_), None) => true,
        (Outcome::Unsupported(_), _) => true,
        _ => false,
    }
}

fn evm_line(v: &refute_chain::evm::Verdict, agrees: bool) -> String {
    use refute_chain::evm::Outcome;
    let tail = if agrees { "" } else { " (DISAGREES with the engine)" };
    match &v.outcome {
        Outcome::Accepted(post) => format!("accepted: post root {}, {} gas{tail}", hex(&post.0), v.gas),
        Outcome::Refused(why) => format!("refused: {why}, {} gas{tail}", v.gas),
        Outcome::Unsupported(op) => {
            format!(
                "unsupported: opcode {op:#x} is not verified on chain yet (specs/chain.md), {} gas",
                v.gas
            )
        }
    }
}

fn evm_json(v: &refute_chain::evm::Verdict, agrees: bool) -> serde_json::Value {
    use refute_chain::evm::Outcome;
    match &v.outcome {
        Outcome::Accepted(post) => {
            json!({"outcome": "accepted", "post_root": hex(&post.0), "gas": v.gas, "agrees": agrees})
        }
        Outcome::Refused(why) => json!({"outcome": "refused", "why": why, "gas": v.gas, "agrees": agrees}),
        Outcome::Unsupported(op) => json!({"outcome": "unsupported", "opcode": op, "gas": v.gas}),
    }
}

fn kind(e: &VerifyError) -> &'static str {
    match e {
        VerifyError::Malformed(_) => "malformed",
        VerifyError::WrongPreState { .. } => "wrong_pre_state",
        VerifyError::BadOpening { .. } => "bad_opening",
        VerifyError::Missing(_) => "missing",
        VerifyError::BadState(_) => "bad_state",
    }
}
