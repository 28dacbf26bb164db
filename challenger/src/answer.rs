//! A solver's answer to a job drawn to its key (`specs/bots.md`, "Jobs";
//! `specs/protocol.md` §5.9): fetch the job's module and inputs, run it,
//! and post the claim with `job` set and a bond before the deadline. The bot
//! then defends the claim like any claim of its own.

use anyhow::Context;
use refute_protocol::rules::{B32, JobStatus, Message};

use crate::lie::Lie;
use crate::player::{Player, SendError, fetch_task, now_ms, short};
use crate::post::{Request, post};
use crate::store::Answered;

/// Answers job `id` if it waits for this key's claim, with a claim of bond
/// `claim_bond` (0: the minimum) telling `lie` (TEST ONLY): one claim per
/// job (a claim posted before a restart is not posted again while it stands).
pub async fn answer(p: &Player, claim_bond: u64, lie: Option<Lie>, id: B32) -> anyhow::Result<()> {
    let me = p.pk();
    let job = p.client.job(&id).await?;
    if job.status != JobStatus::Assigned || job.solver != Some(me) {
        return Ok(());
    }
    if let Some(a) = p.store.answered(&id)
        && p.client.claim(&a.claim).await.is_ok()
    {
        // Answered already: the arbiter has the claim (the job's status
        // follows on its next read).
        return Ok(());
    }
    let now = now_ms();
    if now >= job.deadline {
        tracing::error!(job = %short(&id), "drawn for this job, but its deadline passed before a claim: this key loses stake");
        return Ok(());
    }
    let b = &job.body;
    tracing::info!(
        job = %short(&id),
        reward = b.reward,
        steps = b.max_steps,
        "drawn for job {} (attempt {}): running it; its claim is due in {:.1} s",
        short(&id),
        job.attempts,
        (job.deadline - now) as f64 / 1000.0
    );
    let inputs = fetch_task(&p.client, [b.module, b.args, b.env, b.stdin], b.dirs, &b.entry, &b.entry_args)
        .await
        .context("the job's inputs")?;
    let bond = match claim_bond {
        0 => p.params.claim_bond_min(b.max_steps),
        n => n,
    };
    if let Some(l) = lie {
        tracing::warn!(job = %short(&id), "TEST ONLY: this solver's claim lies ({l:?}); it will be challenged and lose its bond");
    }
    let req = Request { inputs, max_steps: b.max_steps, bond, lie, job: Some(id) };
    let posted = post(p, req).await.with_context(|| format!("job {} was not answered", short(&id)))?;
    p.store.answer(&id, &Answered { claim: posted.id })?;
    tracing::info!(
        job = %short(&id),
        claim = %short(&posted.id),
        bond,
        "answered job {} with claim {}: {} steps, stdout {}",
        short(&id),
        short(&posted.id),
        posted.steps,
        crate::check::preview(&posted.body.stdout.0)
    );
    Ok(())
}

/// Declines job `id`, drawn to this key, which answers no jobs (a
/// challenger): another solver is drawn at once and no stake is lost.
pub async fn decline(p: &Player, id: B32) -> anyhow::Result<()> {
    match p.signer.send(&p.client, Message::JobDecline { job: id }).await {
        Ok(_) => {
            tracing::info!(job = %short(&id), "declined job {}: this bot answers no jobs; another solver is drawn", short(&id));
            Ok(())
        }
        // Claimed, redrawn or ended meanwhile: nothing to pass on.
        Err(SendError::Client(e)) if matches!(e.code(), Some("job_closed" | "not_job_solver")) => Ok(()),
        Err(e) => Err(anyhow::anyhow!("the job was not declined: {e}")),
    }
}
