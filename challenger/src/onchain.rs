//! A player on an EVM chain (`specs/chain.md` §6): its referee, wallet and
//! state ([`ChainPlayer`]), the traces of the claims it plays, posting a
//! claim ([`post`]) and challenging one ([`challenge`]). The loop that plays
//! is [`crate::onchain_bot`]; jobs and committee duty are
//! [`crate::onchain_jobs`] and [`crate::onchain_duty`].
//!
//! Everything a bot needs to resume after a crash is on chain (claims,
//! games, the blobs) or in its RocksDB [`Store`] (the claims it posted with
//! any test lie, its decision about each claim): it rescans the referee's
//! events from the first block at every start, rebuilds its traces from the
//! published blobs, and goes on.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow};
use refute_chain::alloy_primitives::{Address, B256, U256};
use refute_chain::client::Chain;
use refute_chain::referee::{self, IReferee, IReferee::IRefereeEvents as Ev};

use refute_chain::wallet::Wallet;
use refute_protocol::inputs::ClaimInputs;
use refute_protocol::rules::{B32, ClaimBody, Params, Role};

use crate::RunTrace;
use crate::lie::{Lie, Story};
use crate::play::Trace;
use crate::player::{build, short};
use crate::posting::Blobs;
use crate::store::{Decision, Posted, Store};

/// A player on a chain: the referee, its wallet, its state.
pub struct ChainPlayer {
    /// The referee.
    pub chain: Chain,
    /// Its account.
    pub wallet: Wallet,
    /// Its durable state.
    pub store: Store,
    /// The referee's dissection parameters, as the rules' `Params` (k, max_leaves).
    pub params: Params,
    /// Traces by task.
    traces: HashMap<B32, Arc<RunTrace>>,
}

/// What a bot knows of a claim from its `ClaimPosted` event.
#[derive(Clone, Debug)]
pub struct Posting {
    /// The solver.
    pub solver: Address,
    /// The rules' form of the claim.
    pub body: ClaimBody,
    /// The window's end (seconds).
    pub window_ends: u64,
}

/// The blobs of `inputs` by their ids on a chain (a large one by its chunks).
pub fn chain_blobs(inputs: &ClaimInputs) -> Blobs {
    Blobs::with_ids(inputs, |b| B32(refute_chain::client::blob_id(b).0))
}

/// The id of a claim on chain as the rules' 32 bytes.
pub fn b32(b: &B256) -> B32 {
    B32(b.0)
}

impl ChainPlayer {
    /// Connects `wallet` to the referee `referee` on `url`, with its state in `store`.
    pub fn new(chain: Chain, wallet: Wallet, store: Store) -> Result<ChainPlayer> {
        let k = chain.view(IReferee::kCall {})?;
        let max_leaves = chain.view(IReferee::maxLeavesCall {})?;
        let mut params = Params::local(B32::default());
        params.k = k;
        params.max_leaves = max_leaves;
        Ok(ChainPlayer { chain, wallet, store, params, traces: HashMap::new() })
    }

    /// The trace of claim `body`'s run, from its published blobs (built once per task).
    pub fn trace(&mut self, body: &ClaimBody) -> Result<Arc<RunTrace>> {
        let task = crate::player::task_id(body);
        if let Some(t) = self.traces.get(&task) {
            return Ok(t.clone());
        }
        let inputs = self.inputs(body)?;
        let trace = build(&inputs, body, None, self.params.max_leaves)?;
        self.traces.insert(task, trace.clone());
        Ok(trace)
    }

    /// The inputs a claim names, read from the chain.
    pub fn inputs(&self, body: &ClaimBody) -> Result<ClaimInputs> {
        let h = |b: &B32| B256::from(b.0);
        let blobs = [h(&body.module), h(&body.args), h(&body.env), h(&body.stdin)];
        self.fetch_inputs(blobs, body.dirs.as_ref().map(h), &body.entry, &body.entry_args)
    }

    /// The inputs of a task from its blobs `[module, args, env, stdin]` and
    /// `dirs`, read from the chain.
    pub fn fetch_inputs(
        &self,
        [module, args, env, stdin]: [B256; 4],
        dirs: Option<B256>,
        entry: &str,
        entry_args: &[u64],
    ) -> Result<ClaimInputs> {
        let get = |h: &B256| -> Result<Vec<u8>> {
            self.chain.blob(h).with_context(|| format!("fetching blob {h} from the referee"))
        };
        let inputs = ClaimInputs::from_blobs(
            get(&module)?,
            &get(&args)?,
            &get(&env)?,
            get(&stdin)?,
            entry,
            entry_args,
        )?;
        Ok(match &dirs {
            Some(d) => inputs.with_dirs(&get(d)?)?,
            None => inputs,
        })
    }

    /// Publishes the blobs of `inputs` that are not on the referee yet.
    pub fn publish(&self, inputs: &ClaimInputs) -> Result<()> {
        for (bytes, hash) in chain_blobs(inputs).each() {
            let got =
                self.chain.publish(&self.wallet, bytes).with_context(|| format!("publishing blob {hash}"))?;
            anyhow::ensure!(got.0 == hash.0, "the referee hashed blob {hash} as {got}");
        }
        Ok(())
    }

    /// Wei to send with a transaction that locks `bond`: what the referee balance lacks.
    pub fn value_for(&self, bond: U256) -> Result<U256> {
        let have = self.chain.view(IReferee::balanceOfCall { who: self.wallet.address })?;
        let value = bond.saturating_sub(have);
        let eth = self.chain.eth_balance(&self.wallet.address)?;
        anyhow::ensure!(
            eth >= value,
            "{} holds {eth} wei and {have} wei at the referee, less than the bond {bond} wei; fund it first \
             (`refute account --mint WEI` on a devnet)",
            self.wallet.address
        );
        Ok(value)
    }

    /// The story this player tells in claim `claim`'s games as `role`.
    pub fn story(&mut self, claim: &B256, body: &ClaimBody, role: Role) -> Result<Story> {
        let trace = self.trace(body)?;
        let lie = match role {
            Role::Solver => self.store.posted(&b32(claim)).and_then(|p| p.lie),
            Role::Challenger => match self.store.decision(&b32(claim)) {
                Some(Decision::Challenged { lie }) => lie,
                _ => None,
            },
        };
        Ok(Story::new(trace, lie, role == Role::Solver))
    }
}

/// Posts a claim of `inputs` (`max_steps` steps) with `bond` wei, telling
/// `lie` if given (test-only). Returns the claim's id.
pub fn post(
    p: &mut ChainPlayer,
    inputs: &ClaimInputs,
    max_steps: u64,
    bond: Option<U256>,
    lie: Option<Lie>,
) -> Result<B256> {
    let module = refute_engine::Module::new(&inputs.module).context("the module does not load")?;
    refute_chain::check_task(&module, &inputs.task(max_steps))
        .map_err(|e| anyhow!("this computation cannot be settled on chain yet: {e}"))?;
    let blobs = chain_blobs(inputs);
    let template = blobs.claim_template(inputs, max_steps, 0);
    let min = p.chain.view(IReferee::claimBondMinCall { t: max_steps })?;
    let bond = bond.unwrap_or(min);
    anyhow::ensure!(
        bond >= min,
        "the bond {bond} wei is below the referee's minimum {min} wei for {max_steps} steps"
    );
    let value = p.value_for(bond)?;
    let trace = build(inputs, &template, None, p.params.max_leaves)?;
    let story = Story::new(trace.clone(), lie, true);
    p.traces.insert(crate::player::task_id(&template), trace.clone());
    let body = ClaimBody {
        initial_root: story.root(0),
        final_root: story.final_root(),
        final_header: refute_protocol::rules::Blob(story.final_header().encode().to_vec()),
        history_root: crate::play::history_root(&story, max_steps, p.params.max_leaves),
        ..template
    };
    p.publish(inputs)?;
    // The lie is recorded under the id the claim will have before it is sent.
    let nonce = p.chain.view(IReferee::claimNonceCall { who: p.wallet.address })?;
    let id = p.chain.view(IReferee::claimIdCall { solver: p.wallet.address, nonce })?;
    p.store.post(&b32(&id), &Posted { lie })?;
    let call = IReferee::postClaimCall { c: referee::claim_body(&body), bond };
    let mined = p.chain.send(&p.wallet, &call, value)?;
    let posted = mined.events.iter().find_map(|e| match e {
        Ev::ClaimPosted(c) => Some(c.claim),
        _ => None,
    });
    anyhow::ensure!(posted == Some(id), "the referee posted the claim as {posted:?}, not {id}");
    tracing::info!(claim = %short(&b32(&id)), steps = trace.halt(), bond = %bond, gas = mined.gas, "claim posted");
    Ok(id)
}

/// Challenges claim `id` (of `body`) with `bond` (default: the referee's
/// minimum), telling `lie` (TEST ONLY), and keeps the decision first: after a
/// crash the game is played with the same story.
pub fn challenge(
    p: &mut ChainPlayer,
    id: &B256,
    body: &ClaimBody,
    bond: Option<U256>,
    lie: Option<Lie>,
) -> Result<Decision> {
    let key = b32(id);
    let t = body.max_steps;
    let story = Story::new(p.trace(body)?, lie, false);
    let min = p.chain.view(IReferee::challengeBondMinCall { t })?;
    let bond = bond.unwrap_or(min).max(min);
    let value = p.value_for(bond)?;
    p.store.decide(&key, &Decision::Challenged { lie })?;
    let call = IReferee::challengeCall {
        claim: *id,
        historyRoot: B256::from(crate::play::history_root(&story, t, p.params.max_leaves).0),
        finalRoot: B256::from(story.final_root().0),
        bond,
    };
    match p.chain.send(&p.wallet, &call, value) {
        Ok(m) => {
            tracing::warn!(claim = %short(&key), bond = %bond, gas = m.gas, "WRONG CLAIM: challenged");
            Ok(Decision::Challenged { lie })
        }
        Err(e) if e.code() == Some("already_challenged") => Ok(Decision::Challenged { lie }),
        Err(e) => Err(e.into()),
    }
}
