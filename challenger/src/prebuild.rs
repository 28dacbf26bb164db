//! Prebuilding at the job post (`specs/bots.md`, "Jobs"): a job names its
//! task (module, inputs, entry, step limit, directories) before any claim
//! answers it, so a checker can build the task's trace while the drawn
//! solver runs it. The trace goes into the bot's `Traces` under the key the
//! claim's check will look up ([`job_task_id`] is the claim's `task_id`),
//! so that check finds it built or being built: one engine run, started a
//! solver's run earlier.

use std::time::Instant;

use refute_protocol::rules::{B32, Job, JobStatus, Params};

use crate::player::{Player, job_task_id, short};

/// What decides whether a bot would check the claim answering a job.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// Percent of the claims it is not assigned that it checks.
    pub sample_pct: u64,
    /// Its challenges' bond; 0: each claim's minimum.
    pub bond: u64,
    /// TEST ONLY: a lying challenger challenges every claim it sees.
    pub lies: bool,
}

impl Policy {
    /// Why this bot, `registered` as a committee candidate or not, would not
    /// check the claim that answers `job` (so that a trace built now would
    /// be a wasted run), or `None` if it may have to. A candidate may be
    /// drawn on the claim's committee (drawn only when the claim is
    /// posted), and then must check it, whatever its sample.
    pub fn skip(&self, job: &Job, registered: bool, params: &Params) -> Option<String> {
        if job.status != JobStatus::Assigned || job.claim.is_some() {
            return Some("it has a claim already: the claim's check builds the trace".into());
        }
        if self.lies || registered {
            return None;
        }
        if self.sample_pct == 0 {
            return Some("this bot is no committee candidate and samples no claim (--sample-pct 0)".into());
        }
        bond_short(self.bond, params, job.body.max_steps)
            .map(|why| format!("{why}: it would not challenge the claim, so it does not check it"))
    }
}

/// Why a bot whose `--bond` is `bond` (0: the minimum) cannot challenge a
/// claim of `max_steps` steps (the least bond grows with the step limit), or
/// `None` if it can.
pub fn bond_short(bond: u64, params: &Params, max_steps: u64) -> Option<String> {
    let min = params.challenge_bond_min(max_steps);
    (bond != 0 && bond < min).then(|| {
        format!("a challenge of a claim of {max_steps} steps needs a bond of at least {min}; this bot's --bond is {bond}")
    })
}

/// Builds the trace of job `id`'s task ahead of its claim, unless `policy`
/// says this bot would not check that claim or the job has a claim already.
pub async fn prebuild(p: &Player, policy: Policy, id: B32) -> anyhow::Result<()> {
    let job = p.client.job(&id).await?;
    // Ask whether this key is a candidate only when it matters.
    let skip = match policy.skip(&job, false, &p.params) {
        Some(_) if !policy.lies => {
            policy.skip(&job, p.client.account(&p.pk()).await?.slot.is_some(), &p.params)
        }
        s => s,
    };
    if let Some(why) = skip {
        tracing::info!(job = %short(&id), "not prebuilding the trace of job {}: {why}", short(&id));
        return Ok(());
    }
    let b = &job.body;
    let task = job_task_id(b);
    tracing::info!(
        job = %short(&id),
        task = %short(&task),
        max_steps = b.max_steps,
        "prebuilding the trace of job {} at its post, while its solver runs it: its claim's check will reuse it",
        short(&id)
    );
    // The latest any claim of this attempt can need it: its window's end.
    let deadline = job.deadline.checked_add(p.params.challenge_window_ms);
    let started = Instant::now();
    let (trace, built) = p.traces.prebuild(&p.client, &p.params, b, deadline).await.map_err(|e| {
        e.context(format!(
            "prebuilding the trace of job {} failed; its claim's check will try again",
            short(&id)
        ))
    })?;
    if built {
        tracing::info!(
            job = %short(&id),
            task = %short(&task),
            steps = trace.halt(),
            "prebuilt the trace of job {} in {:.2} s: ready for its claim",
            short(&id),
            started.elapsed().as_secs_f64()
        );
    } else {
        tracing::info!(job = %short(&id), task = %short(&task), "the trace of job {} was built already", short(&id));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use refute_protocol::rules::JobBody;

    fn job(max_steps: u64) -> Job {
        let h = B32([1; 32]);
        Job {
            requester: h,
            body: JobBody {
                module: h,
                args: h,
                env: h,
                stdin: h,
                entry: "_start".into(),
                entry_args: vec![],
                max_steps,
                reward: 10_000,
                dirs: None,
            },
            posted_at: 0,
            initial_root: h,
            seed: h,
            registrations: 0,
            status: JobStatus::Assigned,
            solver: Some(h),
            attempts: 1,
            deadline: 1_000,
            tried: vec![],
            claim: None,
            escrow: 10_000,
        }
    }

    #[test]
    fn a_bot_prebuilds_only_what_it_would_check() {
        let params = Params::local(B32([2; 32]));
        let checker = Policy { sample_pct: 100, bond: 0, lies: false };
        let t = 1 << 30;
        assert_eq!(checker.skip(&job(t), false, &params), None);
        // A job with a claim: the claim's check does it.
        let mut claimed = job(t);
        claimed.claim = Some(B32([3; 32]));
        assert!(checker.skip(&claimed, true, &params).is_some());
        claimed.claim = None;
        claimed.status = JobStatus::Failed;
        assert!(checker.skip(&claimed, true, &params).is_some());
        // No sample and no candidacy: it never checks a claim.
        let none = Policy { sample_pct: 0, ..checker };
        assert!(none.skip(&job(t), false, &params).unwrap().contains("--sample-pct 0"));
        assert_eq!(none.skip(&job(t), true, &params), None, "a candidate may be drawn on the committee");
        // A bond below the job's least challenge bond (it grows with T).
        let min = params.challenge_bond_min(t);
        let cheap = Policy { bond: min - 1, ..checker };
        assert!(cheap.skip(&job(t), false, &params).unwrap().contains(&format!("at least {min}")));
        assert_eq!(cheap.skip(&job(1000), false, &params), None, "enough for a short job");
        assert_eq!(cheap.skip(&job(t), true, &params), None);
        assert_eq!(Policy { lies: true, ..none }.skip(&job(t), false, &params), None);
    }
}
