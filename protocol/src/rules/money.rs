//! Bonds, settlement and the end of claims (`specs/protocol.md` §5.6, §5.7).
//! Each function here is infallible: callers check funds first. Each keeps
//! the deadline index up to date for what it changes.

use super::index::Index;
use super::{B32, ClaimStatus, Duty, Event, GameStatus, Params, Role, RuleError, State};

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
        reject(s, ix, claim_id, id, now, ev);
    }
    if s.claims[&claim_id].status == ClaimStatus::Rejected && !ix.has_open_games(&claim_id) {
        payout(s, p, ix, claim_id, ev);
    }
}

/// Rejects a claim whose solver lost game `by`, and counts duties. Its other
/// games play on (a liar cannot end the honest challenger's game by losing
/// to a puppet first), and its bond stays held until they end.
fn reject(s: &mut State, ix: &mut Index, claim_id: B32, by: u64, now: u64, ev: &mut Vec<Event>) {
    let claim = s.claims.get_mut(&claim_id).expect("claim");
    claim.status = ClaimStatus::Rejected;
    let solver = claim.solver;
    let window_over = now >= claim.window_ends;
    let committee: Vec<(B32, Duty)> = claim.committee.iter().map(|(k, d)| (*k, *d)).collect();
    ev.push(Event::ClaimRejected { claim: claim_id, game: by });
    s.acct(&solver).reputation.claims_rejected += 1;
    for (who, duty) in committee {
        match duty {
            Duty::Challenged => done(s, claim_id, who, ev),
            Duty::Attested => missed(s, claim_id, who, ev),
            Duty::Pending if window_over => missed(s, claim_id, who, ev),
            Duty::Pending => {}
        }
    }
    ix.touch_claim(s, &claim_id);
    release_leavers(s, ix, &claim_id, ev);
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

/// Finalises open claim `id`, whose window has passed with no open game.
pub(crate) fn finalise(s: &mut State, ix: &mut Index, id: B32, ev: &mut Vec<Event>) {
    let c = s.claims.get_mut(&id).expect("indexed");
    c.status = ClaimStatus::Final;
    c.bond_held = false;
    let (solver, bond) = (c.solver, c.body.bond);
    let committee: Vec<(B32, Duty)> = c.committee.iter().map(|(k, d)| (*k, *d)).collect();
    ev.push(Event::ClaimFinal { claim: id });
    release(s, &solver, bond, ev);
    s.acct(&solver).reputation.claims_final += 1;
    for (who, duty) in committee {
        match duty {
            Duty::Pending => missed(s, id, who, ev),
            Duty::Attested | Duty::Challenged => done(s, id, who, ev),
        }
    }
    ix.touch_claim(s, &id);
    release_leavers(s, ix, &id, ev);
}

/// Returns the stakes of claim `id`'s leaving members whose last seat it
/// was (`specs/protocol.md` §5.1); called once the claim has ended.
fn release_leavers(s: &mut State, ix: &Index, id: &B32, ev: &mut Vec<Event>) {
    let members: Vec<B32> = s.claims[id].committee.keys().copied().collect();
    super::claim::release_leavers(s, ix, &members, ev);
}
