//! Bonds, settlement and the end of claims (`specs/protocol.md` §5.6, §5.7).
//! Each function here is infallible: callers check funds first. Each keeps
//! the deadline index up to date for what it changes.

use super::index::Index;
use super::{B32, ClaimStatus, Duty, Event, GameStatus, Params, Role, RuleError, State, job};

/// Checks `key` can pay `amount`.
pub(crate) fn check_funds(s: &State, key: &B32, amount: u64) -> Result<(), RuleError> {
    let balance = s.account(key).balance;
    if balance < amount {
        return Err(RuleError::InsufficientFunds { balance, needed: amount });
    }
    Ok(())
}

/// Moves `amount` from `key`'s balance into the arbiter's hold.
pub(crate) fn lock(s: &mut State, key: &B32, amount: u64, ev: &mut Vec<Event>) {
    s.acct(key).balance -= amount;
    ev.push(Event::BondLocked { who: *key, amount });
}

/// Returns a held bond. A balance never overflows: it is at most `minted`, a `u64`.
fn release(s: &mut State, key: &B32, amount: u64, ev: &mut Vec<Event>) {
    s.acct(key).balance += amount;
    ev.push(Event::BondReturned { who: *key, amount });
}

/// Forfeits a held bond: the winner's share to `winner`, if any, the rest burned.
fn forfeit(s: &mut State, p: &Params, loser: &B32, amount: u64, winner: Option<&B32>, ev: &mut Vec<Event>) {
    ev.push(Event::BondForfeited { who: *loser, amount });
    let share = if winner.is_some() { p.share(amount) } else { 0 };
    if let Some(w) = winner {
        s.acct(w).balance += share;
        ev.push(Event::SharePaid { to: *w, amount: share });
    }
    s.burned += amount - share;
    ev.push(Event::Burned { amount: amount - share });
}

/// How a game ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Won(Role),
    LostByBoth,
}

/// Ends game `id` with `outcome` and pays its bonds. The solver's first loss
/// rejects the claim; the solver's bond is held until the claim's last game
/// ends, then goes to the earliest-posted game a challenger won ([`payout`]).
pub(crate) fn settle(
    s: &mut State,
    p: &Params,
    ix: &mut Index,
    id: u64,
    outcome: Outcome,
    now: u64,
    ev: &mut Vec<Event>,
) {
    let g = &s.games[&id];
    let (claim_id, bond) = (g.claim, g.bond);
    let solver = g.sides[0].key;
    let challenger = g.sides[1].key;
    let status = match outcome {
        Outcome::Won(Role::Solver) => {
            ev.push(Event::GameWon { game: id, winner: Role::Solver });
            forfeit(s, p, &challenger, bond, Some(&solver), ev);
            s.acct(&solver).reputation.games_won += 1;
            s.acct(&challenger).reputation.games_lost += 1;
            GameStatus::Won(Role::Solver)
        }
        Outcome::Won(Role::Challenger) => {
            ev.push(Event::GameWon { game: id, winner: Role::Challenger });
            release(s, &challenger, bond, ev);
            s.acct(&challenger).reputation.games_won += 1;
            s.acct(&solver).reputation.games_lost += 1;
            let c = s.claims.get_mut(&claim_id).expect("claim");
            c.first_loss = Some(c.first_loss.map_or(id, |f| f.min(id)));
            GameStatus::Won(Role::Challenger)
        }
        Outcome::LostByBoth => {
            ev.push(Event::GameLostByBoth { game: id });
            forfeit(s, p, &challenger, bond, None, ev);
            s.acct(&challenger).reputation.games_lost += 1;
            s.acct(&solver).reputation.games_lost += 1;
            GameStatus::LostByBoth
        }
    };
    s.games.get_mut(&id).expect("game").status = status;
    ix.touch_game(s, id);
    if status != GameStatus::Won(Role::Solver) && s.claims[&claim_id].status == ClaimStatus::Open {
        reject(s, p, ix, claim_id, id, now, ev);
    }
    if s.claims[&claim_id].status == ClaimStatus::Rejected && !ix.has_open_games(&claim_id) {
        payout(s, p, ix, claim_id, ev);
    }
}

/// Rejects a claim whose solver lost game `by`, and counts duties. Its other
/// games play on (a liar cannot end the honest challenger's game by losing
/// to a puppet first), and its bond stays held until they end. A job it
/// answered is drawn again.
#[allow(clippy::too_many_arguments)]
fn reject(s: &mut State, p: &Params, ix: &mut Index, claim_id: B32, by: u64, now: u64, ev: &mut Vec<Event>) {
    let claim = s.claims.get_mut(&claim_id).expect("claim");
    claim.status = ClaimStatus::Rejected;
    claim.commitments.clear();
    let (solver, job) = (claim.solver, claim.body.job);
    let window_over = now >= claim.window_ends;
    let committee: Vec<(B32, Duty)> = claim.committee.iter().map(|(k, d)| (*k, *d)).collect();
    ev.push(Event::ClaimRejected { claim: claim_id, game: by });
    s.acct(&solver).reputation.claims_rejected += 1;
    for (who, duty) in committee {
        match duty {
            Duty::Challenged => done(s, claim_id, who, ev),
            // An attestation of a rejected claim is missed but costs no
            // stake: a rejection can also come from an honest solver's
            // timeout, which its attesters could not foresee (§5.7).
            Duty::Attested | Duty::Disclosed => missed(s, claim_id, who, ev),
            Duty::Pending if window_over => {
                missed(s, claim_id, who, ev);
                slash(s, p, ix, &who, ev);
            }
            Duty::Pending => {}
        }
    }
    ix.touch_claim(s, &claim_id);
    release_leavers(s, ix, &claim_id, ev);
    if let Some(j) = job {
        job::claim_rejected(s, p, ix, &j, &solver, now, ev);
    }
}

/// Forfeits the bond of rejected claim `id`, whose last game has ended: the
/// winner's share to the challenger of the earliest-posted game the solver
/// lost (none if every loss was lost by both), the rest burned.
fn payout(s: &mut State, p: &Params, ix: &mut Index, id: B32, ev: &mut Vec<Event>) {
    let c = s.claims.get_mut(&id).expect("claim");
    c.bond_held = false;
    let (solver, bond, first) = (c.solver, c.body.bond, c.first_loss);
    let winner = first.map(|g| s.games[&g].sides[1].key);
    ev.push(Event::ClaimSettled { claim: id, paid: first });
    forfeit(s, p, &solver, bond, winner.as_ref(), ev);
    ix.touch_claim(s, &id);
}

fn done(s: &mut State, claim: B32, who: B32, ev: &mut Vec<Event>) {
    s.acct(&who).reputation.duties_done += 1;
    ev.push(Event::DutyDone { claim, who });
}

fn missed(s: &mut State, claim: B32, who: B32, ev: &mut Vec<Event>) {
    s.acct(&who).reputation.duties_missed += 1;
    ev.push(Event::DutyMissed { claim, who });
}

/// Finalises open claim `id`, whose window has passed with no open game:
/// returns the solver's bond, pays a job's solver, counts the duties of
/// members who did not attest, and starts the audit of those who did
/// (or ends the claim if none did).
pub(crate) fn finalise(s: &mut State, p: &Params, ix: &mut Index, id: B32, now: u64, ev: &mut Vec<Event>) {
    let c = s.claims.get_mut(&id).expect("indexed");
    c.status = ClaimStatus::Final;
    c.bond_held = false;
    let (solver, bond, job) = (c.solver, c.body.bond, c.body.job);
    let committee: Vec<(B32, Duty)> = c.committee.iter().map(|(k, d)| (*k, *d)).collect();
    ev.push(Event::ClaimFinal { claim: id });
    release(s, &solver, bond, ev);
    s.acct(&solver).reputation.claims_final += 1;
    if let Some(j) = job {
        let fee = job::done(s, p, &j, &id, &solver, ev);
        s.claims.get_mut(&id).expect("claim").fee = fee;
    }
    let mut attested = false;
    for (who, duty) in committee {
        match duty {
            Duty::Pending => {
                missed(s, id, who, ev);
                slash(s, p, ix, &who, ev);
            }
            Duty::Challenged => done(s, id, who, ev),
            Duty::Attested | Duty::Disclosed => attested = true,
        }
    }
    if attested {
        let ends = now.saturating_add(p.reveal_ms);
        s.claims.get_mut(&id).expect("claim").audit_ends = Some(ends);
        ev.push(Event::AuditStarted { claim: id, ends });
        ix.touch_claim(s, &id);
    } else {
        end_audit(s, p, ix, id, ev);
    }
}

/// Ends the audit of final claim `id`: members who disclosed an attestation
/// that passed share its fee (the remainder goes back to the job's
/// requester, or is burned for a claim of one's own, which has no fee);
/// those who attested and did not disclose miss their duty and lose stake.
/// The claim then ends.
pub(crate) fn end_audit(s: &mut State, p: &Params, ix: &mut Index, id: B32, ev: &mut Vec<Event>) {
    let c = s.claims.get_mut(&id).expect("indexed");
    c.audit_ends = None;
    c.commitments.clear();
    let fee = std::mem::take(&mut c.fee);
    let job = c.body.job;
    let committee: Vec<(B32, Duty)> = c.committee.iter().map(|(k, d)| (*k, *d)).collect();
    let passed: Vec<B32> = committee.iter().filter(|(_, d)| *d == Duty::Disclosed).map(|(k, _)| *k).collect();
    for (who, duty) in &committee {
        match duty {
            Duty::Disclosed => done(s, id, *who, ev),
            Duty::Attested => {
                missed(s, id, *who, ev);
                slash(s, p, ix, who, ev);
            }
            Duty::Pending | Duty::Challenged => {}
        }
    }
    let each = if passed.is_empty() { 0 } else { fee / passed.len() as u64 };
    for who in &passed {
        if each > 0 {
            pay(s, who, each, ev);
        }
    }
    let refund = fee - each * passed.len() as u64;
    let refund_to = job.and_then(|j| s.jobs.get(&j)).map(|j| j.requester);
    ev.push(Event::AuditEnded { claim: id, passed: passed.len() as u64, each, refund_to, refund });
    match refund_to {
        Some(r) if refund > 0 => pay(s, &r, refund, ev),
        Some(_) => {}
        None => s.burned += refund,
    }
    ix.touch_claim(s, &id);
    release_leavers(s, ix, &id, ev);
}

/// Pays `amount` of what the arbiter held (a fee, a reward, a refund) to `to`.
pub(crate) fn pay(s: &mut State, to: &B32, amount: u64, ev: &mut Vec<Event>) {
    s.acct(to).balance += amount;
    ev.push(Event::Paid { to: *to, amount });
}

/// Takes `duty_slash` of `who`'s stake (all of it if less) and burns it.
/// The stake stays registered, smaller, and draws in proportion to what is left.
pub(crate) fn slash(s: &mut State, p: &Params, ix: &mut Index, who: &B32, ev: &mut Vec<Event>) {
    let Some(stake) = s.accounts.get(who).and_then(|a| a.stake) else { return };
    let amount = stake.min(p.duty_slash);
    if amount == 0 {
        return;
    }
    s.acct(who).stake = Some(stake - amount);
    s.burned += amount;
    ev.push(Event::Slashed { who: *who, amount });
    ix.touch_account(s, who);
}

/// Returns the stakes of claim `id`'s leaving members whose last seat it
/// was (`specs/protocol.md` §5.1); called once the claim has ended.
fn release_leavers(s: &mut State, ix: &Index, id: &B32, ev: &mut Vec<Event>) {
    let members: Vec<B32> = s.claims[id].committee.keys().copied().collect();
    super::claim::release_leavers(s, ix, &members, ev);
}
