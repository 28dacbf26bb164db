//! `refute job post --chain …` and `refute job show --chain …`: jobs on the
//! `Jobs` contract (`specs/chain.md` §9). Posting publishes the task's
//! blobs on the referee, escrows the reward with a commitment to a secret
//! derived from the key, reveals the secret two blocks later (which draws
//! the solver), and with `--wait` follows the job to its end, settling it
//! when a deadline passes or its claim ends, and prints the verified result.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use refute::{errln, outln};
use refute_chain::alloy_primitives::{Address, B256, U256};
use refute_chain::client::Chain;
use refute_chain::jobs::{self, IJobs, status};
use refute_chain::referee::{self, IReferee};
use refute_chain::wallet::Wallet;
use refute_engine::merkle::MemoryTree;
use refute_engine::state::{Header, TreeId, decode_status};
use refute_protocol::inputs::ClaimInputs;
use serde_json::{Value, json};

use crate::bad;
use crate::chain_bots::Seed;

/// The jobs contract a command uses: `--jobs` or `$REFUTE_JOBS`.
pub fn jobs_address(flag: &Option<String>) -> Result<String> {
    flag.clone().or_else(|| std::env::var("REFUTE_JOBS").ok()).ok_or_else(|| {
        bad("jobs on a chain need --jobs ADDRESS (or $REFUTE_JOBS): `refute chain devnet` prints it")
    })
}

/// Connects to the referee and the jobs contract.
pub fn connect(t: &(String, String), jobs: &str) -> Result<(Chain, Address)> {
    let chain =
        Chain::connect(&t.0, &t.1).with_context(|| format!("cannot reach the referee {} at {}", t.1, t.0))?;
    let address = jobs::connect(&chain, jobs)?;
    Ok((chain, address))
}

/// `refute job post --chain …`.
#[allow(clippy::too_many_arguments)]
pub fn post(
    t: &(String, String),
    jobs_flag: &Option<String>,
    seed: &Seed,
    inputs: &ClaimInputs,
    max_steps: u64,
    reward: u64,
    wait: bool,
    json: bool,
) -> Result<ExitCode> {
    let (chain, jobs_at) = connect(t, &jobs_address(jobs_flag)?)?;
    let w = Wallet::from_seed(seed);
    let module = refute_engine::Module::new(&inputs.module).context("the module does not load")?;
    refute_chain::check_task(&module, &inputs.task(max_steps))
        .map_err(|e| bad(format!("this computation cannot be settled on chain yet: {e}")))?;
    let run = inputs.to_run(max_steps).map_err(|e| bad(format!("the task does not start: {e}")))?;
    let initial_root = B256::from(refute_protocol::inputs::initial_root(&run));
    let reward = U256::from(reward);
    let min = chain.view(IReferee::claimBondMinCall { t: max_steps })?;
    if reward < min {
        return Err(bad(format!(
            "--reward {reward}: a job of {max_steps} steps pays at least the referee's claim bond, {min} wei"
        )));
    }
    let have = chain.view_at(jobs_at, IJobs::balanceOfCall { who: w.address })?;
    let value = reward.saturating_sub(have);
    let eth = chain.eth_balance(&w.address)?;
    if eth < value {
        return Err(bad(format!(
            "{} holds {eth} wei, less than the reward {reward} wei; fund it first (`refute account --mint WEI` on a devnet)",
            w.address
        )));
    }
    let blobs = refute_challenger::onchain::chain_blobs(inputs);
    for (bytes, hash) in blobs.each() {
        chain.publish(&w, bytes).with_context(|| format!("publishing blob {hash}"))?;
    }
    let h = |b: refute_protocol::rules::B32| B256::from(b.0);
    let body = IJobs::JobBody {
        module: h(blobs.module),
        args: h(blobs.args),
        env: h(blobs.env),
        stdin: h(blobs.stdin),
        dirs: blobs.dirs.map(h).unwrap_or_default(),
        entry: inputs.entry.clone(),
        entryArgs: inputs.entry_args.clone(),
        initialRoot: initial_root,
        maxSteps: max_steps,
    };
    let nonce = chain.view_at(jobs_at, IJobs::jobNonceCall { who: w.address })?;
    let (secret, commit) = jobs::secret(seed, &jobs_at, nonce);
    let id = chain.view_at(jobs_at, IJobs::jobIdCall { requester: w.address, nonce })?;
    let mined = chain.send_to(&w, jobs_at, &IJobs::postCall { b: body, reward, commit }, value)?;
    errln!("posted job {id} (gas {}); revealing its secret two blocks on, which draws the solver", mined.gas);
    reveal(&chain, jobs_at, &w, &id, secret, mined.block)?;
    let j = chain.view_at(jobs_at, IJobs::getJobCall { id })?;
    if json && !wait {
        outln!(
            "{}",
            json!({"job": id.to_string(), "status": jobs::status_name(j.status), "solver": j.solver.to_string(), "deadline": j.deadline})
        )?;
    } else if !json {
        outln!("job      {id}")?;
        outln!("reward   {reward} wei (escrowed)")?;
        if j.status == status::ASSIGNED {
            outln!("solver   {} (drawn by stake)", j.solver)?;
            outln!("deadline {} (its answer is due before then)", j.deadline)?;
        } else {
            outln!(
                "status   {} (nobody could be drawn: the reward is back in your balance)",
                jobs::status_name(j.status)
            )?;
        }
    }
    if !wait {
        return Ok(ExitCode::SUCCESS);
    }
    let j = follow(&chain, jobs_at, &w, &id)?;
    let v = report(&chain, jobs_at, &id)?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        print(&v)?;
    }
    Ok(if j.status == status::DONE { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Reveals the job's secret once the chain is two blocks past `posted`.
fn reveal(chain: &Chain, jobs_at: Address, w: &Wallet, id: &B256, secret: B256, posted: u64) -> Result<()> {
    for _ in 0..600 {
        let (head, _) = chain.head()?;
        if head > posted {
            match chain.send_to(w, jobs_at, &IJobs::revealCall { id: *id, secret }, U256::ZERO) {
                Ok(_) => return Ok(()),
                // Estimated against a block that is not the next one yet.
                Err(e) if e.code() == Some("too_early") => {}
                Err(e) => return Err(e).context("the secret was not revealed"),
            }
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    anyhow::bail!("the chain did not move two blocks past the job's in 150 s: reveal failed")
}

/// Follows job `id` until it is done, failed or cancelled, settling it
/// whenever something is due (a deadline passed, its claim ended).
fn follow(chain: &Chain, jobs_at: Address, w: &Wallet, id: &B256) -> Result<IJobs::Job> {
    let mut last = (0u8, 0u8);
    loop {
        let j = chain.view_at(jobs_at, IJobs::getJobCall { id: *id })?;
        if (j.status, j.attempts) != last {
            last = (j.status, j.attempts);
            match j.status {
                status::ASSIGNED => {
                    errln!("job {}: solver {} drawn (attempt {})", short(id), j.solver, j.attempts)
                }
                status::CLAIMED => {
                    errln!("job {}: answered by claim {}; waiting for it to be final", short(id), j.claim)
                }
                _ => {}
            }
        }
        let (_, now) = chain.head()?;
        let due = match j.status {
            status::DONE | status::FAILED | status::CANCELLED => return Ok(j),
            status::ASSIGNED => now >= j.deadline,
            status::CLAIMED => {
                let c = chain.view(IReferee::getClaimCall { id: j.claim })?;
                if c.status == referee::CLAIM_OPEN && now >= c.windowEnds && c.openGames == 0 {
                    // Anyone may make it final; the requester does not wait for the solver.
                    let _ = chain.send(w, &IReferee::finalizeCall { id: j.claim }, U256::ZERO);
                }
                c.status != referee::CLAIM_OPEN
            }
            _ => false,
        };
        if due {
            match chain.send_to(w, jobs_at, &IJobs::settleCall { id: *id }, U256::ZERO) {
                Ok(_) => {}
                Err(e) if matches!(e.code(), Some("nothing_due" | "job_closed")) => {}
                Err(e) => errln!("job {}: settle: {e}", short(id)),
            }
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn short(id: &B256) -> String {
    id.to_string()[..10].to_string()
}

/// `refute job show --chain … ID`.
pub fn show(t: &(String, String), jobs_flag: &Option<String>, id: &str, json: bool) -> Result<ExitCode> {
    let (chain, jobs_at) = connect(t, &jobs_address(jobs_flag)?)?;
    let id: B256 = id.parse().map_err(|_| bad(format!("{id:?} is not a job id (0x and 64 hex digits)")))?;
    let v = report(&chain, jobs_at, &id)?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        print(&v)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Job `id` with its claim's result, as JSON. The result is read from the
/// claim's final header (exit status, steps, stdout length and root); the
/// stdout's bytes from a blob published on the referee whose stdout tree
/// root is the header's (the solver bot publishes it), so they are verified.
fn report(chain: &Chain, jobs_at: Address, id: &B256) -> Result<Value> {
    let j = chain.view_at(jobs_at, IJobs::getJobCall { id: *id })?;
    if j.status == 0 {
        return Err(bad(format!("no job {id} on the jobs contract {jobs_at}")));
    }
    let mut v = json!({
        "job": id.to_string(),
        "status": jobs::status_name(j.status),
        "requester": j.requester.to_string(),
        "reward": j.reward.to_string(),
        "max_steps": j.maxSteps,
        "initial_root": j.initialRoot.to_string(),
        "solver": (j.solver != Address::ZERO).then(|| j.solver.to_string()),
        "attempts": j.attempts,
        "tried": j.tried.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
        "deadline": j.deadline,
    });
    if j.claim == B256::ZERO {
        return Ok(v);
    }
    let c = chain.view(IReferee::getClaimCall { id: j.claim })?;
    v["claim"] = json!(j.claim.to_string());
    v["claim_status"] = json!(match c.status {
        referee::CLAIM_OPEN => "open",
        referee::CLAIM_FINAL => "final",
        _ => "rejected",
    });
    v["result"] = result(chain, &j.claim)?;
    Ok(v)
}

/// The claim's final header, decoded, and its stdout if published.
fn result(chain: &Chain, claim: &B256) -> Result<Value> {
    let (head, _) = chain.head()?;
    let mut header = None;
    let mut published = Vec::new();
    for e in chain.events(0, head)? {
        match e.event {
            IReferee::IRefereeEvents::ClaimPosted(p) if p.claim == *claim => {
                header = Some(p.body.finalHeader.to_vec())
            }
            IReferee::IRefereeEvents::Published(p) => published.push((p.hash, p.size)),
            IReferee::IRefereeEvents::PublishedChunked(p) => published.push((p.hash, p.size)),
            _ => {}
        }
    }
    let Some(h) =
        header.as_deref().and_then(|b| <&[u8; refute_engine::state::HEADER_BYTES]>::try_from(b).ok())
    else {
        return Ok(Value::Null);
    };
    let Some(h) = Header::decode(h) else { return Ok(Value::Null) };
    let stdout_root = *h.tree(TreeId::Stdout);
    let mut tree = MemoryTree::with_depth(TreeId::Stdout.depth());
    let mut stdout = None;
    for (hash, size) in published {
        if size == U256::from(h.stdout_len)
            && let Ok(bytes) = chain.blob(&hash)
            && tree.root(&bytes) == stdout_root
        {
            stdout = Some(bytes);
            break;
        }
    }
    Ok(json!({
        "status": decode_status(h.status).map(|s| format!("{s:?}")),
        "steps": h.steps,
        "stdout_len": h.stdout_len,
        "stdout": stdout.as_deref().map(String::from_utf8_lossy),
    }))
}

fn print(v: &Value) -> Result<()> {
    let s = |k: &str| v[k].as_str().map(String::from).unwrap_or_else(|| v[k].to_string());
    outln!("job      {}", s("job"))?;
    outln!("status   {}", s("status"))?;
    outln!("requester {}", s("requester"))?;
    outln!("reward   {} wei for at most {} steps", s("reward"), v["max_steps"])?;
    outln!(
        "solver   {} (attempt {} of {})",
        s("solver"),
        v["attempts"],
        refute_protocol::rules::MAX_JOB_DRAWS
    )?;
    if v["claim"].is_null() {
        return Ok(());
    }
    outln!("claim    {} ({})", s("claim"), s("claim_status"))?;
    let r = &v["result"];
    let verified =
        if v["claim_status"] == "final" { "verified: the claim is final" } else { "not final yet" };
    outln!("exit     {} after {} steps ({verified})", r["status"].as_str().unwrap_or("?"), r["steps"])?;
    match r["stdout"].as_str() {
        Some(out) => outln!("stdout   {}", out.trim_end())?,
        None => outln!("stdout   {} bytes (not published on the referee)", r["stdout_len"])?,
    }
    Ok(())
}
