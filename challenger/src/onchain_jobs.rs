//! Jobs on an EVM chain (`specs/chain.md` §9): a solver registered with a
//! stake on the `Jobs` contract answers each job drawn to its key with a
//! claim on the referee (which [`crate::onchain`] then defends like any of
//! its claims), declines a job it cannot answer (free), and settles the job
//! once the claim is final, which pays it the reward.
//!
//! Restart-safe as the rest of the bot: the jobs are read again from the
//! contract's events, and the claim that answered a job is in the
//! [`crate::store::Store`] (`answered`), so it is not posted twice.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, anyhow};
use refute_chain::alloy_primitives::{Address, B256, U256};
use refute_chain::client::ChainError;
use refute_chain::jobs::{self, IJobs, IJobs::IJobsEvents as Ev, status};
use refute_chain::referee::{self, IReferee};
use refute_protocol::inputs::ClaimInputs;

use crate::lie::Lie;
use crate::onchain::{ChainPlayer, Posting, b32, post};
use crate::onchain_duty::Seat;
use crate::player::short;
use crate::store::Answered;

/// Registers the player on `jobs` with `stake` wei unless it is registered
/// (or leaving); sends what its balance there lacks.
pub fn register(p: &ChainPlayer, jobs: Address, stake: U256) -> Result<()> {
    let me = p.wallet.address;
    let a = p.chain.view_at(jobs, IJobs::getAccountCall { who: me })?;
    if a.registered {
        tracing::info!(stake = %a.stake, "registered for jobs already");
        return Ok(());
    }
    if a.leaving {
        return Err(anyhow!(
            "this key left the solvers and its stake waits for a job it was drawn for: register again once it has returned"
        ));
    }
    let have = p.chain.view_at(jobs, IJobs::balanceOfCall { who: me })?;
    let value = stake.saturating_sub(have);
    let eth = p.chain.eth_balance(&me)?;
    anyhow::ensure!(eth >= value, "{me} holds {eth} wei, less than the stake {stake} wei; fund it first");
    let m = p.chain.send_to(&p.wallet, jobs, &IJobs::registerCall { stake }, value)?;
    tracing::info!(stake = %stake, gas = m.gas, "registered as a solver for jobs: drawn by stake");
    Ok(())
}

/// What a bot knows of the jobs contract.
pub struct JobsBot {
    /// The contract.
    pub address: Address,
    /// Answer the jobs drawn to this key (a solver), or decline them (a challenger).
    pub answers: bool,
    /// TEST ONLY: the lie its claims tell.
    pub lie: Option<Lie>,
    /// Its seats on committees, by claim.
    seats: BTreeMap<B256, Seat>,
    next_block: u64,
    bodies: BTreeMap<B256, IJobs::JobBody>,
    /// Jobs drawn to this key at some point.
    mine: BTreeSet<B256>,
    /// Those it has nothing more to do for.
    done: BTreeSet<B256>,
}

impl JobsBot {
    /// A bot for the jobs at `address`, reading them from the first block.
    pub fn new(address: Address, answers: bool, lie: Option<Lie>) -> JobsBot {
        JobsBot {
            address,
            answers,
            lie,
            seats: BTreeMap::new(),
            next_block: 0,
            bodies: BTreeMap::new(),
            mine: BTreeSet::new(),
            done: BTreeSet::new(),
        }
    }

    /// One turn: reads new events to block `head`; answers the jobs drawn
    /// to this key; settles its answered jobs whose claims have ended; does
    /// its committee duties (`claims`: the referee's claims read so far).
    pub fn turn(
        &mut self,
        p: &mut ChainPlayer,
        head: u64,
        now: u64,
        claims: &BTreeMap<B256, Posting>,
    ) -> Result<()> {
        let me = p.wallet.address;
        if head >= self.next_block {
            for (e, _) in jobs::events(&p.chain, self.address, self.next_block, head)? {
                match e {
                    Ev::JobPosted(j) => {
                        self.bodies.insert(j.job, j.body);
                    }
                    Ev::JobAssigned(a) if a.solver == me => {
                        self.mine.insert(a.job);
                    }
                    Ev::CommitteeDrawn(c) if c.members.contains(&me) => {
                        let seat =
                            Seat { job: c.job, audit_seed: c.auditSeed, audit_ends: None, done: false };
                        tracing::info!(claim = %short(&b32(&c.claim)), "drawn for the committee of a job's claim");
                        self.seats.insert(c.claim, seat);
                    }
                    Ev::AuditStarted(a) => {
                        if let Some(s) = self.seats.get_mut(&a.claim) {
                            s.audit_ends = Some(a.ends);
                        }
                    }
                    _ => {}
                }
            }
            self.next_block = head + 1;
        }
        // One answer a turn (it runs the job's computation): a flood of jobs
        // drawn to this key never keeps the bot from its games' moves, which
        // come first in every turn.
        let mut answered = false;
        for id in self.mine.clone() {
            if self.done.contains(&id) {
                continue;
            }
            let j = p.chain.view_at(self.address, IJobs::getJobCall { id })?;
            match j.status {
                status::ASSIGNED if j.solver == me => {
                    if now >= j.deadline {
                        tracing::error!(job = %short(&b32(&id)), "drawn for this job, but its deadline passed before an answer: this key loses stake");
                        continue;
                    }
                    if !self.answers {
                        self.decline(p, &id, "this bot answers no jobs (a challenger)")?;
                        continue;
                    }
                    if answered {
                        continue;
                    }
                    answered = true;
                    if let Err(e) = self.answer(p, &id, &j) {
                        tracing::warn!(job = %short(&b32(&id)), "not answered yet: {e:#}");
                    }
                }
                status::CLAIMED if j.solver == me => {
                    let c = p.chain.view(IReferee::getClaimCall { id: j.claim })?;
                    if c.status == referee::CLAIM_FINAL || c.status == referee::CLAIM_REJECTED {
                        match p.chain.send_to(&p.wallet, self.address, &IJobs::settleCall { id }, U256::ZERO)
                        {
                            Ok(_) if c.status == referee::CLAIM_FINAL => {
                                tracing::info!(job = %short(&b32(&id)), reward = %j.reward, "job done: its claim is final and the reward paid")
                            }
                            Ok(_) => {
                                tracing::warn!(job = %short(&b32(&id)), "its claim was rejected: the job goes to another solver")
                            }
                            Err(e) if e.code() == Some("job_closed") || e.code() == Some("nothing_due") => {}
                            Err(e) => tracing::warn!(job = %short(&b32(&id)), "settle: {e}"),
                        }
                    }
                }
                _ => {
                    self.done.insert(id);
                }
            }
        }
        crate::onchain_duty::turn(p, self.address, &mut self.seats, claims, now);
        Ok(())
    }

    /// Answers job `id`: runs its computation and posts the claim, or
    /// declines it when the computation is not the one the job names or
    /// cannot be settled on chain.
    fn answer(&mut self, p: &mut ChainPlayer, id: &B256, j: &IJobs::Job) -> Result<()> {
        let key = b32(id);
        if let Some(a) = p.store.answered(&key) {
            let claim = B256::from(a.claim.0);
            let c = p.chain.view(IReferee::getClaimCall { id: claim })?;
            if c.solver == p.wallet.address && c.status != referee::CLAIM_REJECTED {
                return self.send_answer(p, id, &claim);
            }
        }
        let body = self.bodies.get(id).ok_or_else(|| anyhow!("its JobPosted event is not read yet"))?.clone();
        tracing::info!(
            job = %short(&key),
            reward = %j.reward,
            steps = j.maxSteps,
            "drawn for job {} (attempt {}): running it",
            short(&key),
            j.attempts
        );
        let inputs = match self.inputs(p, &body) {
            Ok(i) => i,
            Err(why) => return self.decline(p, id, &why),
        };
        let claim = post(p, &inputs, body.maxSteps, None, self.lie)?;
        p.store.answer(&key, &Answered { claim: b32(&claim) })?;
        // The output, for the requester: it checks the bytes against the
        // claim's final header, which the game defends.
        let template = crate::onchain::chain_blobs(&inputs).claim_template(&inputs, body.maxSteps, 0);
        let stdout = p.trace(&template)?.stdout().to_vec();
        p.chain.publish(&p.wallet, &stdout).context("publishing the job's stdout")?;
        self.send_answer(p, id, &claim)
    }

    /// The job's inputs, or why it cannot be answered.
    fn inputs(&self, p: &ChainPlayer, b: &IJobs::JobBody) -> std::result::Result<ClaimInputs, String> {
        let dirs = (b.dirs != B256::ZERO).then_some(b.dirs);
        let inputs = p
            .fetch_inputs([b.module, b.args, b.env, b.stdin], dirs, &b.entry, &b.entryArgs)
            .map_err(|e| format!("its inputs: {e:#}"))?;
        let module = refute_engine::Module::new(&inputs.module).map_err(|e| format!("its module: {e}"))?;
        refute_chain::check_task(&module, &inputs.task(b.maxSteps))
            .map_err(|e| format!("it cannot be settled on chain: {e}"))?;
        let run = inputs.to_run(b.maxSteps).map_err(|e| format!("it does not start: {e}"))?;
        let root = refute_protocol::inputs::initial_root(&run);
        if root != b.initialRoot.0 {
            return Err(format!(
                "its initial root {} is not its computation's {}: no claim can answer it",
                b.initialRoot,
                B256::from(root)
            ));
        }
        Ok(inputs)
    }

    fn send_answer(&self, p: &ChainPlayer, id: &B256, claim: &B256) -> Result<()> {
        let call = IJobs::answerCall { id: *id, claim: *claim };
        match p.chain.send_to(&p.wallet, self.address, &call, U256::ZERO) {
            Ok(m) => {
                tracing::info!(job = %short(&b32(id)), claim = %short(&b32(claim)), gas = m.gas, "answered the job with a claim");
                Ok(())
            }
            Err(ChainError::Refused { code: Some("job_closed"), .. }) => Ok(()),
            Err(e) => Err(e).context("the answer was refused"),
        }
    }

    fn decline(&self, p: &ChainPlayer, id: &B256, why: &str) -> Result<()> {
        tracing::warn!(job = %short(&b32(id)), "declining the job: {why}");
        match p.chain.send_to(&p.wallet, self.address, &IJobs::declineCall { id: *id }, U256::ZERO) {
            Ok(_) | Err(ChainError::Refused { code: Some("job_closed" | "not_job_solver"), .. }) => Ok(()),
            Err(e) => Err(e).context("the job was not declined"),
        }
    }
}
