//! `refute job post` and `refute job show`: ask for a computation with a
//! reward, and read what became of it (`specs/protocol.md` §5.9, `specs/bots.md`, "Jobs").

use refute::outln;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use refute_challenger::client::Client;
use refute_challenger::player::Signer;
use refute_challenger::posting::{Blobs, send_new, short_of};
use refute_engine::state::{Header, decode_status};
use refute_protocol::rules::{
    B32, Claim, ClaimStatus, Duty, Event, Job, JobBody, JobStatus, MAX_JOB_DRAWS, Message, Params,
};
use serde_json::{Value, json};

use crate::bots_cmd::{Conn, arbiter_url, key_path, load_key, parse_key, runtime, when};
use crate::{TaskArgs, bad, claim_inputs};

/// `refute job`.
#[derive(Subcommand)]
// Parsed once, from the command line: the size of a variant does not matter.
#[allow(clippy::large_enum_variant)]
pub enum JobCmd {
    /// Ask for a computation: upload the module and its input, escrow a
    /// reward, and let the arbiter draw a registered solver by stake. Prints
    /// the job's id, the solver drawn and its deadline.
    Post(PostArgs),
    /// A job: its status, requester, reward, solver and attempts, its
    /// claim with the output and exit status it states once final, the
    /// claim's games and the fees paid to the committee.
    Show {
        /// The job's id.
        id: String,
        /// The arbiter's address [default: $REFUTE_ARBITER, or http://127.0.0.1:7878].
        #[arg(long, value_name = "URL")]
        arbiter: Option<String>,
        /// A job on an EVM chain: the node's JSON-RPC URL [default:
        /// $REFUTE_CHAIN]; needs --referee and --jobs.
        #[arg(long, value_name = "RPC")]
        chain: Option<String>,
        /// The referee contract on --chain [default: $REFUTE_REFEREE].
        #[arg(long, value_name = "ADDRESS")]
        referee: Option<String>,
        /// The jobs contract on --chain [default: $REFUTE_JOBS].
        #[arg(long, value_name = "ADDRESS")]
        jobs: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `refute job post`.
#[derive(Args)]
pub struct PostArgs {
    #[command(flatten)]
    task: TaskArgs,
    #[command(flatten)]
    conn: Conn,
    /// The reward escrowed: the solver is paid it, less the committee's
    /// fee, once its claim is final; refunded if no solver answers.
    #[arg(long, value_name = "N")]
    reward: u64,
    /// Wait until the job is done (print its verified output) or failed.
    #[arg(long)]
    wait: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// `refute job …`.
pub fn job(cmd: JobCmd) -> Result<ExitCode> {
    match cmd {
        JobCmd::Post(a) => post(a),
        JobCmd::Show { id, arbiter, chain, referee, jobs, json } => {
            if let Some(t) = crate::chain_bots::target(&chain, &referee)? {
                return crate::chain_jobs::show(&t, &jobs, &id, json);
            }
            let id = parse_key(&id).map_err(|_| bad(format!("{id:?} is not a job id (64 hex digits)")))?;
            let client = Client::new(&arbiter_url(&arbiter));
            runtime()?.block_on(async {
                let v = report(&client, &id).await?;
                if json {
                    outln!("{}", serde_json::to_string_pretty(&v)?)?;
                } else {
                    print(&v)?;
                }
                Ok(ExitCode::SUCCESS)
            })
        }
    }
}

fn post(a: PostArgs) -> Result<ExitCode> {
    let (inputs, max_steps) = claim_inputs(&a.task)?;
    if let Some(t) = crate::chain_bots::target(&a.conn.chain, &a.conn.referee)? {
        let seed = load_key(&key_path(&a.conn.key))?.to_bytes();
        return crate::chain_jobs::post(
            &t,
            &a.conn.jobs,
            &seed,
            &inputs,
            max_steps,
            a.reward,
            a.wait,
            a.json,
        );
    }
    let blobs = Blobs::new(&inputs);
    let body = JobBody {
        module: blobs.module,
        args: blobs.args,
        env: blobs.env,
        stdin: blobs.stdin,
        entry: inputs.entry.clone(),
        entry_args: inputs.entry_args.clone(),
        max_steps,
        reward: a.reward,
        dirs: blobs.dirs,
    };
    // A task that does not start would be refused by the arbiter: say so here.
    inputs.to_run(max_steps).map_err(|e| bad(format!("the task does not start: {e}")))?;
    let signer = Signer::new(load_key(&key_path(&a.conn.key))?);
    let client = Client::new(&arbiter_url(&a.conn.arbiter));
    runtime()?.block_on(async {
        let params = client.params().await.context("the arbiter does not answer")?;
        body.check(&params).map_err(|e| bad(e.to_string()))?;
        let balance = client.account(&signer.pk()).await?.balance;
        if let Some(why) = short_of(&signer.pk(), balance, a.reward, "reward") {
            return Err(bad(why));
        }
        blobs
            .upload(&client, signer.key(), |e| {
                anyhow::Error::from(e).context("the job's inputs were not uploaded")
            })
            .await?;
        let (id, answer) = send_new(&signer, &client, Message::JobPost(Box::new(body)), |_| Ok(()))
            .await
            .context("the job was not taken")?;
        let events: Vec<Event> = serde_json::from_value(answer["events"].clone()).unwrap_or_default();
        let drawn = events.iter().find_map(|e| match e {
            Event::JobAssigned { solver, deadline, .. } => Some((*solver, *deadline)),
            _ => None,
        });
        if a.json && !a.wait {
            outln!("{}", json!({"job": id, "solver": drawn.map(|d| d.0), "deadline": drawn.map(|d| d.1)}))?;
        } else if !a.json {
            outln!("job      {id}")?;
            outln!("reward   {} (escrowed)", a.reward)?;
            if let Some((solver, deadline)) = drawn {
                outln!("solver   {solver} (drawn by stake)")?;
                outln!("deadline {} (its claim is due {})", deadline, when(deadline))?;
            }
        }
        if !a.wait {
            return Ok(ExitCode::SUCCESS);
        }
        let job = loop {
            let j = client.job(&id).await?;
            if matches!(j.status, JobStatus::Done | JobStatus::Failed) {
                break j;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        };
        let v = report(&client, &id).await?;
        if a.json {
            outln!("{}", serde_json::to_string_pretty(&v)?)?;
        } else {
            print(&v)?;
        }
        Ok(if job.status == JobStatus::Done { ExitCode::SUCCESS } else { ExitCode::FAILURE })
    })
}

/// What the arbiter says of job `id`, with its claim, the claim's games and
/// the fees, as one JSON value.
async fn report(client: &Client, id: &B32) -> Result<Value> {
    let job: Job = client.job(id).await?;
    let params = client.params().await?;
    let claim: Option<Claim> = match job.claim {
        Some(c) => Some(client.claim(&c).await?),
        None => None,
    };
    let mut games = Vec::new();
    if let Some(c) = &claim {
        for (challenger, g) in &c.games {
            let game = client.game(*g).await?;
            games.push(json!({"id": g, "challenger": challenger, "status": game.status}));
        }
    }
    let result = claim.as_ref().map(|c| {
        let status = <&[u8; refute_engine::state::HEADER_BYTES]>::try_from(c.body.final_header.0.as_slice())
            .ok()
            .and_then(Header::decode)
            .and_then(|h| decode_status(h.status).map(|s| (s, h.steps)));
        json!({
            "stdout": String::from_utf8_lossy(&c.body.stdout.0),
            "status": status.map(|(s, _)| format!("{s:?}")),
            "steps": status.map(|(_, n)| n),
        })
    });
    let fees = fees(&job, claim.as_ref(), &params);
    Ok(json!({
        "job": id,
        "status": job.status,
        "requester": job.requester,
        "reward": job.body.reward,
        "max_steps": job.body.max_steps,
        "solver": job.solver,
        "attempts": job.attempts,
        "max_attempts": MAX_JOB_DRAWS,
        "missed_by": job.tried,
        "deadline": job.deadline,
        "claim": job.claim,
        "claim_status": claim.as_ref().map(|c| c.status),
        "result": result,
        "games": games,
        "fees": fees,
    }))
}

/// Who was paid what for a done job (the solver the reward less the fee,
/// the members who disclosed an equal part of the fee, the requester what
/// is left), once the claim's audit has ended; `null` before.
fn fees(job: &Job, claim: Option<&Claim>, p: &Params) -> Value {
    let Some(c) = claim.filter(|c| job.status == JobStatus::Done && c.status == ClaimStatus::Final) else {
        return Value::Null;
    };
    let reward = job.body.reward;
    let fee = p.job_fee(reward);
    let disclosed: Vec<B32> =
        c.committee.iter().filter(|(_, d)| **d == Duty::Disclosed).map(|(k, _)| *k).collect();
    if let Some(ends) = c.audit_ends {
        return json!({"fee": fee, "solver_paid": reward - fee, "audit_ends": ends, "disclosed_so_far": disclosed});
    }
    let each = if disclosed.is_empty() { 0 } else { fee / disclosed.len() as u64 };
    json!({
        "fee": fee,
        "fee_pct": p.fee_pct,
        "solver_paid": reward - fee,
        "each": each,
        "members_paid": disclosed,
        "refunded": fee - each * disclosed.len() as u64,
    })
}

fn print(v: &Value) -> Result<()> {
    let s = |k: &str| v[k].as_str().map(String::from).unwrap_or_else(|| v[k].to_string());
    outln!("job      {}", s("job"))?;
    outln!("status   {}", s("status"))?;
    outln!("requester {}", s("requester"))?;
    outln!("reward   {} for at most {} steps", v["reward"], v["max_steps"])?;
    outln!("solver   {} (attempt {} of {})", s("solver"), v["attempts"], v["max_attempts"])?;
    if let Some(missed) = v["missed_by"].as_array().filter(|m| !m.is_empty()) {
        let keys: Vec<&str> = missed.iter().filter_map(|k| k.as_str()).collect();
        outln!("missed   by {} (no claim by the deadline, or a rejected one)", keys.join(", "))?;
    }
    if v["status"] == "assigned" {
        outln!("deadline {} ({})", v["deadline"], when(v["deadline"].as_u64().unwrap_or(0)))?;
    }
    if v["claim"].is_null() {
        return Ok(());
    }
    outln!("claim    {} ({})", s("claim"), s("claim_status"))?;
    let r = &v["result"];
    let verified =
        if v["claim_status"] == "final" { "verified: the claim is final" } else { "not final yet" };
    outln!("exit     {} after {} steps ({verified})", r["status"].as_str().unwrap_or("?"), r["steps"])?;
    outln!("stdout   {}", r["stdout"].as_str().unwrap_or("").trim_end())?;
    for g in v["games"].as_array().into_iter().flatten() {
        outln!(
            "game     {} against challenger {}: {}",
            g["id"],
            g["challenger"].as_str().unwrap_or("?"),
            g["status"]
        )?;
    }
    let f = &v["fees"];
    if !f.is_null() {
        match f["audit_ends"].as_u64() {
            Some(ends) => outln!(
                "fees     {} to the committee's members who disclose before {} ({}); the solver was paid {}",
                f["fee"],
                ends,
                when(ends),
                f["solver_paid"]
            )?,
            None => {
                let members: Vec<&str> =
                    f["members_paid"].as_array().into_iter().flatten().filter_map(|k| k.as_str()).collect();
                outln!(
                    "fees     {} ({}% of the reward): {} each to {} members who disclosed{}; {} back to the requester; the solver was paid {}",
                    f["fee"],
                    f["fee_pct"],
                    f["each"],
                    members.len(),
                    if members.is_empty() { String::new() } else { format!(" ({})", members.join(", ")) },
                    f["refunded"],
                    f["solver_paid"]
                )?
            }
        }
    }
    Ok(())
}
