//! `refute commit`, `state`, `prove` and `verify-step`.

use crate::{Prepared, bad};
use anyhow::{Context, Result};
use refute::{errln, outln};
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
    let c = trace::commit(&mut run, stride).map_err(|e| bad(format!("cannot commit: {e}")))?;
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
    let header = Hasher::new(m).header(m);
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
    let mut h = Hasher::new(m);
    let proof = prove_step(m, &mut h)?;
    let bytes = proof.encode();
    let v = verify(&proof.header.root(), &proof).context("internal error: the new proof does not verify")?;
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

pub fn verify_step(path: &Path, pre: Option<&str>, json: bool) -> Result<ExitCode> {
    let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot read {}: {e}", path.display())))?;
    let pre = pre.map(parse_root).transpose()?;
    let result = Proof::decode(&bytes).and_then(|p| {
        let pre = pre.unwrap_or_else(|| p.header.root());
        verify(&pre, &p).map(|v| (p, v))
    });
    match result {
        Ok((p, v)) => {
            if json {
                let j = json!({
                    "valid": true, "step": p.header.steps, "pre_root": hex(&v.pre), "post_root": hex(&v.post),
                    "op": v.op.map(|o| format!("{o:?}")),
                    "post_status": refute_engine::state::decode_status(v.post_header.status).map(status_name),
                });
                outln!("{j}")?;
            } else {
                outln!("valid proof of step {} -> {}", p.header.steps, v.post_header.steps)?;
                outln!("pre root   {}", hex(&v.pre))?;
                outln!("post root  {}", hex(&v.post))?;
                match v.op {
                    Some(op) => outln!("op         {op:?} at pc {}", p.header.pc)?,
                    None => outln!("op         none: the machine has stopped, the state steps to itself")?,
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            if json {
                outln!("{}", json!({ "valid": false, "error": e.to_string(), "kind": kind(&e) }))?;
            }
            errln!("refute: invalid proof {}: {e}", path.display());
            Ok(ExitCode::FAILURE)
        }
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
