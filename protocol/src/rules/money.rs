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

/// Ends game `id` with `outcome`, pays bonds, and rejects its claim if the solver lost.
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
    let claim_bond = s.claims[&claim_id].body.bond;
    match outcome {
        Outcome::Won(Role::Solver) => {
            ev.push(Event::GameWon { game: id, winner: Role::Solver });
            forfeit(s, p, &challenger, bond, Some(&solver), ev);
            s.acct(&solver).reputation.games_won += 1;
            s.acct(&challenger).reputation.games_lost += 1;
            s.games.get_mut(&id).expect("game").status = GameStatus::Won(Role::Solver);
        }
        Outcome::Won(Role::Challenger) => {
            ev.push(Event::GameWon { game: id, winner: Role::Challenger });
            release(s, &challenger, bond, ev);
            forfeit(s, p, &solver, claim_bond, Some(&challenger), ev);
            s.acct(&challenger).reputation.games_won += 1;
            s.acct(&solver).reputation.games_lost += 1;
            s.games.get_mut(&id).expect("game").status = GameStatus::Won(Role::Challenger);
            reject(s, ix, claim_id, id, now, ev);
        }
        Outcome::LostByBoth => {
            ev.push(Event::GameLostByBoth { game: id });
            forfeit(s, p, &challenger, bond, None, ev);
            forfeit(s, p, &solver, claim_bond, None, ev);
            s.acct(&challenger).reputation.games_lost += 1;
            s.acct(&solver).reputation.games_lost += 1;
            s.games.get_mut(&id).expect("game").status = GameStatus::LostByBoth;
            reject(s, ix, claim_id, id, now, ev);
        }
    }
    ix.touch_game(s, id);
}

/// Rejects a claim whose solver lost game `by` (its bond already forfeited)
/// and counts duties. Its other open games are left for `tick` to cancel, a
/// bounded number per log entry ([`cancel`]), so one rejection never makes an
/// unbounded record however many games the claim has.
fn reject(s: &mut State, ix: &mut Index, claim_id: B32, by: u64, now: u64, ev: &mut Vec<Event>) {
    let claim = s.claims.get_mut(&claim_id).expect("claim");
    claim.status = ClaimStatus::Rejected;
    claim.bond_held = false;
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
    let games: Vec<u64> = s.claims[&claim_id].games.values().copied().collect();
    for g in games {
        ix.touch_game(s, g);
    }
}

/// Cancels open game `id` of a rejected claim, returning the challenger's bond.
pub(crate) fn cancel(s: &mut State, ix: &mut Index, id: u64, ev: &mut Vec<Event>) {
    let game = s.games.get_mut(&id).expect("indexed");
    game.status = GameStatus::Cancelled;
    let (key, bond) = (game.sides[1].key, game.bond);
    ev.push(Event::GameCancelled { game: id });
    release(s, &key, bond, ev);
    ix.touch_game(s, id);
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
