//! Jobs: a requester asks for a computation and escrows a reward; a solver
//! drawn by stake answers it with a claim before a deadline, or loses stake
//! and another is drawn (`specs/protocol.md` §5.9).

use super::index::Index;
use super::money::{check_funds, lock, pay, slash};
use super::stakes::Stakes;
use super::{B32, ClaimBody, Event, Job, JobBody, JobStatus, Params, RuleError, ServiceNote, State, lottery};

/// Most solvers drawn for one job: after this many misses it fails and the
/// reward goes back to the requester.
pub const MAX_JOB_DRAWS: u32 = 4;

/// Positions tried per draw before it gives up (a draw skips candidates
/// registered after the job): bounds a draw's work at O(`DRAW_POSITIONS` · log n).
pub const DRAW_POSITIONS: u32 = 32;

/// Domain prefix of a job's seed (`Job::seed`).
pub const JOB_SEED_DOMAIN: &[u8] = b"refute job seed v1\0";
/// Domain prefix of a job draw's 64-byte seed for one attempt.
pub const JOB_DRAW_DOMAIN: &[u8] = b"refute job draw v1\0";

impl JobBody {
    /// The checks of a job's terms against the parameters.
    pub fn check(&self, p: &Params) -> Result<(), RuleError> {
        if self.max_steps == 0 || self.max_steps > p.max_steps {
            return Err(RuleError::BadJob(format!(
                "max_steps {} is outside 1..={}",
                self.max_steps, p.max_steps
            )));
        }
        if self.entry.len() as u64 > p.max_entry_name || self.entry_args.len() as u64 > p.max_entry_args {
            return Err(RuleError::BadJob("entry name or argument list too long".into()));
        }
        let min = p.claim_bond_min(self.max_steps);
        if self.reward < min {
            return Err(RuleError::BondTooSmall { what: "job reward", got: self.reward, min });
        }
        Ok(())
    }
}

/// The seed of draw `attempt` (from 1) of a job with seed `seed`:
/// `SHA256(JOB_DRAW_DOMAIN ‖ seed ‖ u32le(attempt) ‖ 00) ‖ SHA256(… ‖ 01)`.
fn draw_seed(seed: &B32, attempt: u32) -> [u8; 64] {
    let half = |i: u8| B32::sha256(&[JOB_DRAW_DOMAIN, &seed.0, &attempt.to_le_bytes(), &[i]]).0;
    let mut out = [0; 64];
    out[..32].copy_from_slice(&half(0));
    out[32..].copy_from_slice(&half(1));
    out
}

/// Draws the solver of `job`'s next attempt by stake (see [`pick_among`]).
fn pick(s: &State, stakes: &mut Stakes, job: &Job, attempt: u32) -> Option<B32> {
    pick_among(s, stakes, &job.requester, &job.tried, job.registrations, &job.seed, attempt)
}

/// Draw `attempt` of a job with `seed` posted by `requester` when there had
/// been `registrations` registrations, among the candidates of `s` (tools and
/// tests: the on-chain `Jobs` contract draws with this same function,
/// `specs/chain.md` §9; the rules keep the candidates indexed).
pub fn draw_solver(
    s: &State,
    requester: &B32,
    tried: &[B32],
    registrations: u64,
    seed: &B32,
    attempt: u32,
) -> Option<B32> {
    pick_among(s, &mut Stakes::of(s), requester, tried, registrations, seed, attempt)
}

/// The requester and the solvers tried before are taken out of the
/// candidates for the draw (and put back after, in their slots), so they
/// cannot crowd it out however much stake they hold; the solver is the first
/// of [`DRAW_POSITIONS`] positions whose candidate registered before the
/// job. O((draws + positions) · log n).
fn pick_among(
    s: &State,
    stakes: &mut Stakes,
    requester: &B32,
    tried: &[B32],
    registrations: u64,
    seed: &B32,
    attempt: u32,
) -> Option<B32> {
    let out: Vec<(u32, B32, u64)> = std::iter::once(requester)
        .chain(tried)
        .filter_map(|k| s.accounts.get(k).and_then(|a| Some((a.slot?, *k, a.stake?))))
        .collect();
    for (_, k, _) in &out {
        stakes.remove(k);
    }
    let total = stakes.total();
    let beta = draw_seed(seed, attempt);
    let found = (0..DRAW_POSITIONS * u32::from(total > 0))
        .map(|i| stakes.owner_at(lottery::position(&beta, i, total)))
        .find(|k| s.accounts.get(k).is_some_and(|a| a.since < registrations));
    for (slot, k, stake) in out {
        stakes.insert(slot, k, stake);
    }
    found
}

/// `job_post`: escrows the reward and draws the first solver; refused with
/// `no_solvers` (nothing changed) if none can be drawn.
#[allow(clippy::too_many_arguments)]
pub(crate) fn post(
    s: &mut State,
    p: &Params,
    ix: &mut Index,
    id: B32,
    who: &B32,
    body: &JobBody,
    note: Option<&ServiceNote>,
    now: u64,
) -> Result<Vec<Event>, RuleError> {
    let note = note.ok_or(RuleError::MissingNote)?;
    let beta = lottery::lottery_output(&p.arbiter, &id, &note.vrf)?;
    if s.jobs.contains_key(&id) {
        return Err(RuleError::DuplicateClaim(id));
    }
    body.check(p)?;
    check_funds(s, who, body.reward)?;
    let deadline = now.checked_add(p.job_deadline_ms).ok_or(RuleError::Overflow("job deadline"))?;
    let mut job = Job {
        requester: *who,
        body: body.clone(),
        posted_at: now,
        initial_root: note.initial_root,
        seed: B32::sha256(&[JOB_SEED_DOMAIN, &beta]),
        registrations: s.registrations,
        status: JobStatus::Assigned,
        solver: None,
        attempts: 1,
        deadline,
        tried: Vec::new(),
        claim: None,
        escrow: body.reward,
    };
    let solver = pick(s, &mut ix.candidates, &job, 1).ok_or(RuleError::NoSolvers)?;
    job.solver = Some(solver);
    let mut ev = Vec::new();
    lock(s, who, body.reward, &mut ev);
    ev.push(Event::JobPosted { job: id, requester: *who, reward: body.reward });
    ev.push(Event::JobAssigned { job: id, solver, attempt: 1, deadline });
    s.jobs.insert(id, job);
    ix.touch_job(s, &id);
    Ok(ev)
}

/// Checks that `c`, posted by `solver` at `now`, answers job `id`.
pub(crate) fn check_answer(
    s: &State,
    id: &B32,
    solver: &B32,
    c: &ClaimBody,
    now: u64,
) -> Result<(), RuleError> {
    let j = s.jobs.get(id).ok_or(RuleError::UnknownJob(*id))?;
    if j.status != JobStatus::Assigned {
        return Err(RuleError::JobClosed(*id));
    }
    let drawn = j.solver.expect("an assigned job has a solver");
    if drawn != *solver {
        return Err(RuleError::NotJobSolver { job: *id, solver: drawn });
    }
    if now >= j.deadline {
        return Err(RuleError::TooLate { what: "the job's deadline", deadline: j.deadline, now });
    }
    if !j.body.matches(c) || j.initial_root != c.initial_root {
        return Err(RuleError::WrongJob(*id));
    }
    Ok(())
}

/// Job `id` is answered by claim `claim` (checked by [`check_answer`]).
pub(crate) fn answered(s: &mut State, ix: &mut Index, id: &B32, claim: &B32, ev: &mut Vec<Event>) {
    let j = s.jobs.get_mut(id).expect("checked");
    j.status = JobStatus::Claimed;
    j.claim = Some(*claim);
    let solver = j.solver.expect("drawn");
    ev.push(Event::JobClaimed { job: *id, claim: *claim });
    ix.touch_job(s, id);
    super::claim::release_leavers(s, ix, &[solver], ev);
}

/// `job_decline`: the drawn solver passes job `id` on; another is drawn, and
/// the decliner loses nothing but the job.
pub(crate) fn decline(
    s: &mut State,
    p: &Params,
    ix: &mut Index,
    who: &B32,
    id: &B32,
    now: u64,
) -> Result<Vec<Event>, RuleError> {
    let j = s.jobs.get(id).ok_or(RuleError::UnknownJob(*id))?;
    if j.status != JobStatus::Assigned {
        return Err(RuleError::JobClosed(*id));
    }
    let drawn = j.solver.expect("an assigned job has a solver");
    if drawn != *who {
        return Err(RuleError::NotJobSolver { job: *id, solver: drawn });
    }
    let mut ev = vec![Event::JobDeclined { job: *id, solver: *who }];
    redraw(s, p, ix, id, now, &mut ev);
    super::claim::release_leavers(s, ix, &[*who], &mut ev);
    Ok(ev)
}

/// The claim of job `id` is final: pays its solver the reward less the
/// committee fee, and returns the fee, which the claim holds for its audit.
pub(crate) fn done(
    s: &mut State,
    p: &Params,
    id: &B32,
    claim: &B32,
    solver: &B32,
    ev: &mut Vec<Event>,
) -> u64 {
    let j = s.jobs.get_mut(id).expect("a job's claim has its job");
    j.status = JobStatus::Done;
    let reward = std::mem::take(&mut j.escrow);
    let fee = p.job_fee(reward);
    ev.push(Event::JobDone { job: *id, claim: *claim });
    if reward > fee {
        pay(s, solver, reward - fee, ev);
    }
    s.acct(solver).reputation.jobs_done += 1;
    fee
}

/// The claim of job `id` was rejected: its solver missed the job, and
/// another is drawn.
#[allow(clippy::too_many_arguments)]
pub(crate) fn claim_rejected(
    s: &mut State,
    p: &Params,
    ix: &mut Index,
    id: &B32,
    solver: &B32,
    now: u64,
    ev: &mut Vec<Event>,
) {
    let j = s.jobs.get_mut(id).expect("a job's claim has its job");
    j.claim = None;
    ev.push(Event::JobMissed { job: *id, solver: *solver });
    s.acct(solver).reputation.jobs_missed += 1;
    redraw(s, p, ix, id, now, ev);
}

/// Job `id`'s deadline passed with no claim: its solver loses stake, and
/// another is drawn.
pub(crate) fn expire(s: &mut State, p: &Params, ix: &mut Index, id: &B32, now: u64, ev: &mut Vec<Event>) {
    let solver = s.jobs[id].solver.expect("an assigned job has a solver");
    ev.push(Event::JobMissed { job: *id, solver });
    s.acct(&solver).reputation.jobs_missed += 1;
    slash(s, p, ix, &solver, ev);
    // The solver's duty ends here; it is tried and never drawn for this job again.
    redraw(s, p, ix, id, now, ev);
    super::claim::release_leavers(s, ix, &[solver], ev);
}

/// Draws the next solver of job `id`, or fails it (reward back to the
/// requester) after [`MAX_JOB_DRAWS`] draws or when none can be drawn.
fn redraw(s: &mut State, p: &Params, ix: &mut Index, id: &B32, now: u64, ev: &mut Vec<Event>) {
    let j = s.jobs.get_mut(id).expect("job");
    let last = j.solver.take().expect("a job that was drawn has a solver");
    j.tried.push(last);
    let attempt = j.attempts + 1;
    let next = if attempt > MAX_JOB_DRAWS { None } else { pick(s, &mut ix.candidates, &s.jobs[id], attempt) };
    let j = s.jobs.get_mut(id).expect("job");
    match next {
        Some(solver) => {
            j.attempts = attempt;
            j.solver = Some(solver);
            j.status = JobStatus::Assigned;
            j.deadline = now.saturating_add(p.job_deadline_ms);
            ev.push(Event::JobAssigned { job: *id, solver, attempt, deadline: j.deadline });
        }
        None => {
            j.status = JobStatus::Failed;
            j.solver = Some(last);
            let (requester, refund) = (j.requester, std::mem::take(&mut j.escrow));
            ev.push(Event::JobFailed { job: *id, refund });
            pay(s, &requester, refund, ev);
        }
    }
    ix.touch_job(s, id);
}
