//! A committee member's duty on chain (`specs/chain.md` §9; the arbiter's is
//! [`crate::duty`]): for the claim of a job it was drawn to check, the bot
//! runs the claim's computation and, if the claim is right, attests it with a
//! commitment to its own root at its audit leaf (under a fresh secret salt,
//! kept in its store before anything is sent); in the audit that follows the
//! claim's finality it discloses salt, root and the leaf's opening; once the
//! audit is over it settles the job, which pays the members who disclosed.

use std::collections::BTreeMap;

use anyhow::{Result, anyhow};
use refute_chain::alloy_primitives::{Address, B256, U256};
use refute_chain::jobs::{self, IJobs};
use refute_chain::referee::{self, IReferee};
use refute_protocol::rules::{B32, Blob};

use crate::duty::fresh_salt;
use crate::onchain::{ChainPlayer, Posting, b32};
use crate::play::{Trace, commit, posted_layer};
use crate::player::short;
use crate::store::Attestation;

/// A seat on the committee of a job's claim.
#[derive(Clone, Debug)]
pub struct Seat {
    /// The job the claim answers.
    pub job: B256,
    /// The committee's audit seed.
    pub audit_seed: B256,
    /// The audit's end, once it has started.
    pub audit_ends: Option<u64>,
    /// Nothing more to do.
    pub done: bool,
}

/// One turn of every seat's duty: attest, disclose, settle.
pub fn turn(
    p: &mut ChainPlayer,
    jobs_at: Address,
    seats: &mut BTreeMap<B256, Seat>,
    claims: &BTreeMap<B256, Posting>,
    now: u64,
) {
    // One attestation built a turn (it runs the claim's computation), so a
    // flood of seats never keeps the bot from its games.
    let mut built = false;
    for (claim, seat) in seats.iter_mut() {
        if seat.done {
            continue;
        }
        if let Err(e) = step(p, jobs_at, claim, seat, claims, now, &mut built) {
            tracing::warn!(claim = %short(&b32(claim)), "committee duty: {e:#}");
        }
    }
}

fn step(
    p: &mut ChainPlayer,
    jobs_at: Address,
    claim: &B256,
    seat: &mut Seat,
    claims: &BTreeMap<B256, Posting>,
    now: u64,
    built: &mut bool,
) -> Result<()> {
    let me = p.wallet.address;
    let key = b32(claim);
    let duty = p.chain.view_at(jobs_at, IJobs::dutyCall { claim: *claim, who: me })?;
    let c = p.chain.view(IReferee::getClaimCall { id: *claim })?;
    match duty {
        // Pending: attest inside the window if the claim is right.
        1 if c.status == referee::CLAIM_OPEN && now < c.windowEnds => {
            let a = match p.store.attestation(&key) {
                Some(a) => a,
                None if *built => return Ok(()),
                None => {
                    *built = true;
                    let posting =
                        claims.get(claim).ok_or_else(|| anyhow!("its ClaimPosted event is not read yet"))?;
                    let Some(a) = attestation(p, claim, posting, seat)? else {
                        seat.done = true;
                        return Ok(());
                    };
                    p.store.attest(&key, &a)?;
                    a
                }
            };
            let commitment =
                jobs::attest_commitment(claim, &me, &B256::from(a.salt.0), &B256::from(a.root.0));
            let m = p.chain.send_to(
                &p.wallet,
                jobs_at,
                &IJobs::attestCall { claim: *claim, commitment },
                U256::ZERO,
            )?;
            tracing::info!(claim = %short(&key), leaf = a.leaf, gas = m.gas, "attested the claim (committee)");
        }
        // Attested: disclose in the audit.
        2 => {
            if let Some(ends) = seat.audit_ends.filter(|e| now < *e) {
                let a = p
                    .store
                    .attestation(&key)
                    .ok_or_else(|| anyhow!("attested, but the attestation is not in the store"))?;
                let proof =
                    referee::proof_hashes(&a.proof.0).ok_or_else(|| anyhow!("a malformed opening"))?;
                let call = IJobs::discloseCall {
                    claim: *claim,
                    salt: B256::from(a.salt.0),
                    root: B256::from(a.root.0),
                    proof,
                };
                let m = p.chain.send_to(&p.wallet, jobs_at, &call, U256::ZERO)?;
                tracing::info!(claim = %short(&key), gas = m.gas, ends, "disclosed the attestation (audit)");
            } else if c.status == referee::CLAIM_REJECTED {
                seat.done = true;
            }
        }
        // Disclosed: settle once the audit is over (it pays the fee).
        3 => {
            let k = p.chain.view_at(jobs_at, IJobs::getCommitteeCall { claim: *claim })?;
            if k.ended {
                tracing::info!(claim = %short(&key), "committee duty done: the audit is over");
                seat.done = true;
            } else if k.auditEnds != 0 && now >= k.auditEnds {
                match p.chain.send_to(&p.wallet, jobs_at, &IJobs::settleCall { id: seat.job }, U256::ZERO) {
                    Ok(_) => tracing::info!(claim = %short(&key), "the audit ended: the fee is shared"),
                    Err(e) if e.code() == Some("nothing_due") => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
        _ => {
            if c.status != referee::CLAIM_OPEN {
                seat.done = true;
            }
        }
    }
    Ok(())
}

/// This member's attestation of `claim` from its own run, or `None` when it
/// must not attest (the claim is wrong, or states another history).
fn attestation(p: &mut ChainPlayer, claim: &B256, c: &Posting, seat: &Seat) -> Result<Option<Attestation>> {
    let trace = p.trace(&c.body)?;
    let t = c.body.max_steps;
    let key = b32(claim);
    if trace.root(0) != c.body.initial_root {
        tracing::warn!(claim = %short(&key), "on the committee of a claim about another computation: not attesting it");
        return Ok(None);
    }
    if trace.final_root() != c.body.final_root {
        // A member's duty is to attest or to challenge: a wrong claim is
        // challenged (once: a challenger bot may have done it already).
        if p.store.decision(&key).is_none() {
            tracing::warn!(claim = %short(&key), "on the committee of a wrong claim: challenging it");
            crate::onchain::challenge(p, claim, &c.body, None, None)?;
        }
        return Ok(None);
    }
    let layer = posted_layer(t, p.params.max_leaves);
    let tree = commit(&*trace, layer);
    if B32(tree.root()) != c.body.history_root {
        tracing::warn!(claim = %short(&key), "the claim states another history than the run: not attesting it");
        return Ok(None);
    }
    let leaf = jobs::audit_leaf(&seat.audit_seed, &p.wallet.address, layer.len() as u64);
    let step =
        layer.step_at(leaf as usize).ok_or_else(|| anyhow!("audit leaf {leaf} outside the posted layer"))?;
    let proof = tree.prove(&[leaf as usize]).map_err(|e| anyhow!("opening the audit leaf: {e}"))?;
    Ok(Some(Attestation {
        salt: fresh_salt().map_err(|e| anyhow!("no randomness for the salt: {e}"))?,
        root: trace.root(step),
        leaf,
        step,
        proof: Blob(proof.to_bytes()),
        window_ends: c.window_ends,
        outcome: None,
    }))
}
