//! Funds are conserved and refused messages change nothing, after any
//! sequence of messages and ticks; the committee lottery and duties.

#[path = "common/rules.rs"]
mod support;

use proptest::prelude::*;
use refute_challenger::play::{Trace, history_root, next_move};
use refute_protocol::rules::{
    B32, Blob, ClaimStatus, Duty, Event, GameStatus, Message, Role, draw, lottery_output, lottery_prove,
};
use support::*;

/// One random action: (kind, actor, amount, time step).
type Op = (u8, u8, u64, u32);

fn apply(w: &mut World, (kind, who, amount, dt): Op, now: &mut u64) {
    *now += u64::from(dt);
    let who = 1 + who % 4;
    let f = fixture();
    let claims: Vec<B32> = w.rules.state.claims.keys().copied().collect();
    let claim = claims.get(amount as usize % claims.len().max(1)).copied().unwrap_or(B32([1; 32]));
    let msg = match kind % 14 {
        0 => Message::Mint { to: pubkey(1 + (amount % 4) as u8), amount: amount % 5000 },
        1 => Message::Register { stake: amount % 50 },
        2 => Message::Unregister,
        3 if amount % 2 == 0 => {
            Message::Claim(Box::new(honest_claim(150 + amount % 200, 50 + amount % 2000)))
        }
        3 => Message::Claim(Box::new(lying_claim(300, amount % 300, 50 + amount % 2000).0)),
        4 => {
            let l = liar(amount % 300, 2 + (amount % 3) as u8);
            let tr: &dyn Trace = if amount % 3 == 0 { &f.trace } else { &l };
            let t = w.rules.state.claims.get(&claim).map_or(300, |c| c.body.max_steps);
            Message::Challenge {
                claim,
                history_root: history_root(tr, t, 5),
                final_root: tr.root(t),
                bond: 50 + amount % 1000,
            }
        }
        5 => {
            // An honest member's attestation, or one made from a lie's tree.
            if !w.rules.state.claims.contains_key(&claim) {
                return;
            }
            let l = liar(amount % 300, 2);
            let tr: &dyn Trace = if amount % 3 == 0 { &l } else { &f.trace };
            attest(w, who, &claim, tr)
        }
        10 => Message::JobPost(Box::new(job(150 + amount % 200, 1 + amount % 3000))),
        11 => {
            // A disclosure, honest or from a lie's tree.
            if !w.rules.state.claims.contains_key(&claim) {
                return;
            }
            let l = liar(amount % 300, 2);
            let tr: &dyn Trace = if amount % 3 == 0 { &l } else { &f.trace };
            disclose(w, who, &claim, tr)
        }
        13 => {
            // A job declined by its drawn solver, or by someone else.
            let jobs: Vec<B32> = w.rules.state.jobs.keys().copied().collect();
            let Some(&job) = jobs.get(amount as usize % jobs.len().max(1)) else { return };
            let drawn = w.rules.state.jobs[&job].solver.and_then(|k| (1..=4).find(|&i| pubkey(i) == k));
            let signer = if amount % 2 == 0 { drawn.unwrap_or(who) } else { who };
            w.rules.tick_all(*now);
            let before = w.rules.clone();
            if w.send(signer, Message::JobDecline { job }, *now).is_err() {
                assert_eq!(w.rules, before, "a refused message changed the state");
            }
            return;
        }
        12 => {
            // The drawn solver of a job answers it, honestly or not.
            let jobs: Vec<_> = w
                .rules
                .state
                .jobs
                .iter()
                .filter_map(|(id, j)| Some((*id, j.solver?, j.body.max_steps)))
                .collect();
            let Some(&(id, solver, t)) = jobs.get(amount as usize % jobs.len().max(1)) else { return };
            let Some(k) = (1..=4).find(|&k| pubkey(k) == solver) else { return };
            let mut c = if amount % 2 == 0 {
                honest_claim(t, 50 + amount % 2000)
            } else {
                lying_claim(t, amount % t, 100).0
            };
            c.job = Some(id);
            w.rules.tick_all(*now);
            let before = w.rules.clone();
            if w.send(k, Message::Claim(Box::new(c)), *now).is_err() {
                assert_eq!(w.rules, before, "a refused message changed the state");
            }
            return;
        }
        6 | 7 => {
            // A player's move, honest or from a liar, in a random game.
            let games: Vec<u64> = w.rules.state.games.keys().copied().collect();
            let Some(&id) = games.get(amount as usize % games.len().max(1)) else { return };
            let g = w.rules.game(id).unwrap().clone();
            let role = if amount % 2 == 0 { Role::Solver } else { Role::Challenger };
            let l = liar(amount % 300, 2);
            let tr: &dyn Trace = if kind % 10 == 6 { &f.trace } else { &l };
            let Some(m) = next_move(&w.rules.params, id, &g, role, tr) else { return };
            w.rules.tick_all(*now);
            let before = w.rules.clone();
            let signer = (1..=4).find(|&k| pubkey(k) == g.side(role).key).unwrap();
            if w.send(signer, m, *now).is_err() {
                assert_eq!(w.rules, before);
            }
            return;
        }
        8 => Message::Step { game: amount % 4, also: vec![], proof: Blob(f.trace.step_proof(amount % 200)) },
        _ => {
            w.rules.tick_all(*now);
            return;
        }
    };
    // As the service does: everything due first, then the message.
    w.rules.tick_all(*now);
    let before = w.rules.clone();
    if w.send(who, msg, *now).is_err() {
        assert_eq!(w.rules, before, "a refused message changed the state");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn funds_are_conserved(ops in prop::collection::vec((any::<u8>(), any::<u8>(), any::<u64>(), 0u32..20_000_000), 1..60)) {
        let mut w = World::new(params());
        let mut now = 0;
        for op in ops {
            apply(&mut w, op, &mut now);
            w.check_conservation();
            // The deadline index kept transition by transition is the one the state gives.
            prop_assert!(w.rules.index_is_consistent());
            // No claim that has ended stays in the state (§4): it leaves with its games.
            let st = &w.rules.state;
            let ended = |c: &refute_protocol::rules::Claim| {
                c.status != ClaimStatus::Open
                    && c.audit_ends.is_none()
                    && c.games.values().all(|g| st.games[g].status != GameStatus::Open)
            };
            prop_assert!(!st.claims.values().any(ended), "an ended claim stayed in the state");
            // The state round-trips through JSON.
            let json = serde_json::to_string(&w.rules).unwrap();
            prop_assert_eq!(&serde_json::from_str::<refute_protocol::rules::Rules>(&json).unwrap(), &w.rules);
        }
        // Every game, window, audit and job deadline runs out (a job is drawn
        // at most 4 times, each with a fresh deadline).
        for i in 1..=6 {
            w.rules.tick_all(now + i * 10 * params().clock_ms);
            w.check_conservation();
        }
        // Every game has ended and every claim and job is settled, and has left the state.
        let st = &w.rules.state;
        prop_assert!(st.claims.is_empty() && st.games.is_empty() && st.jobs.is_empty(), "{:?}", st.jobs);
        prop_assert!(w.rules.state.held() == w.rules.state.accounts.values().filter_map(|a| a.stake).map(u128::from).sum::<u128>());
        // Every claim has ended, so no leaving member's stake is still held.
        prop_assert!(!w.rules.state.accounts.values().any(|a| a.is_leaving()));
    }
}

#[test]
fn committee_members_are_drawn_and_their_duties_counted() {
    let mut p = params();
    p.committee_size = 2;
    let mut w = World::new(p.clone());
    for k in 1..=8 {
        w.mint(k, 10_000, 0);
        if k > 1 {
            w.send(k, Message::Register { stake: 10 }, 0).unwrap();
        }
    }
    let id = w.next_claim_id(1);
    let ev = w.send(1, Message::Claim(Box::new(honest_claim(300, 1000))), 1).unwrap();
    let members: Vec<B32> = w.rules.claim(&id).unwrap().committee.keys().copied().collect();
    assert!(ev.contains(&Event::CommitteeDrawn { claim: id, members: members.clone() }));
    // The same draw, recomputed from the arbiter's VRF output.
    let beta = lottery_output(&pubkey(ARBITER), &id, &lottery_prove(&key(ARBITER), &id)).unwrap();
    assert_eq!(draw(&w.rules.state, &p, &pubkey(1), &beta), members);
    assert!(!members.contains(&pubkey(1)), "the solver is never on its own committee");
    assert_eq!(members.len(), 2, "7 candidates fill a committee of 2");
    let key_of = |m: &B32| (2..=8).find(|&k| pubkey(k) == *m).unwrap();
    let first = key_of(&members[0]);
    let f = fixture();
    w.send(first, attest(&w, first, &id, &f.trace), 2).unwrap();
    assert_eq!(w.send(first, attest(&w, first, &id, &f.trace), 2).unwrap_err().code(), "already_attested");
    // A member may leave: its stake stays held until the claim ends.
    let second = key_of(&members[1]);
    let ev = w.send(second, Message::Unregister, 2).unwrap();
    assert_eq!(ev, vec![Event::Leaving { who: members[1], stake: 10 }]);
    // The window closes: the silent member missed its duty and is slashed
    // (its whole stake of 10, below `duty_slash`); its stake (none left) returns
    // only when the audit ends, as its seat lasts until then.
    let ev = w.rules.tick_all(p.challenge_window_ms + 1);
    assert!(ev.contains(&Event::Slashed { who: members[1], amount: 10 }), "{ev:?}");
    assert!(!ev.iter().any(|e| matches!(e, Event::Unregistered { .. })), "{ev:?}");
    // The attester discloses in the audit and has done its duty when it ends.
    w.send(first, disclose(&w, first, &id, &f.trace), p.challenge_window_ms + 2).unwrap();
    let ev = w.rules.tick_all(2 * p.challenge_window_ms + 2);
    assert!(ev.contains(&Event::Unregistered { who: members[1], stake: 0 }), "{ev:?}");
    let rep = |k: u8| w.rules.state.account(&pubkey(k)).reputation;
    assert_eq!(rep(first).duties_done, 1);
    for m in &members[1..] {
        assert_eq!(rep(key_of(m)).duties_missed, 1);
    }
    assert_eq!(rep(1).claims_final, 1);
    assert_eq!(w.rules.claim(&id).unwrap().committee[&members[0]], Duty::Disclosed);
    w.check_conservation();
}

/// A leaving member is never drawn again, may neither register nor leave
/// again while it leaves, and gets its stake back only when the last claim
/// whose committee it sits on ends: here one claim becomes final and the
/// other is rejected (both sides time out) before its window closes.
#[test]
fn a_leaving_member_keeps_its_stake_until_its_claims_end() {
    let mut p = params();
    p.committee_size = 4;
    p.clock_ms = 1_000;
    let mut w = World::new(p.clone());
    for k in 1..=6 {
        w.mint(k, 10_000, 0);
    }
    for k in 2..=5 {
        w.send(k, Message::Register { stake: 100 * u64::from(k) }, 0).unwrap();
    }
    // Claim a (final later) and claim b (rejected later), both with every candidate on them.
    let a = w.next_claim_id(1);
    w.send(1, Message::Claim(Box::new(honest_claim(300, 1000))), 1).unwrap();
    let b = w.next_claim_id(1);
    let (lie, _) = lying_claim(300, 100, 1000);
    w.send(1, Message::Claim(Box::new(lie)), 1).unwrap();
    let seats =
        |w: &World, id: &B32| w.rules.claim(id).unwrap().committee.keys().copied().collect::<Vec<_>>();
    let m = (2..=5).find(|k| seats(&w, &a).contains(&pubkey(*k)) && seats(&w, &b).contains(&pubkey(*k)));
    let m = m.expect("16 positions over 4 candidates seat one on both claims");
    let (who, stake) = (pubkey(m), 100 * u64::from(m));
    let held = w.rules.state.held();
    let ev = w.send(m, Message::Unregister, 2).unwrap();
    assert_eq!(ev, vec![Event::Leaving { who, stake }]);
    let acct = w.rules.state.account(&who);
    assert_eq!((acct.balance, acct.stake, acct.slot), (10_000 - stake, Some(stake), None));
    assert_eq!(w.rules.state.held(), held, "a leaving stake is still held");
    w.check_conservation();
    let before = w.rules.clone();
    assert_eq!(w.send(m, Message::Unregister, 2).unwrap_err().code(), "leaving");
    assert_eq!(w.send(m, Message::Register { stake: 100 }, 2).unwrap_err().code(), "leaving");
    assert_eq!(w.rules, before, "a refused message changes nothing");
    // Never drawn again, whatever the seed.
    for _ in 0..20 {
        let id = w.next_claim_id(1);
        w.send(1, Message::Claim(Box::new(honest_claim(300, 100))), 3).unwrap();
        assert!(!seats(&w, &id).contains(&who));
    }
    // A member still owes a duty on a claim it may attest: leaving changes none of that.
    let f = fixture();
    w.send(m, attest(&w, m, &a, &f.trace), 3).unwrap();
    // Claim b is challenged and neither side moves: both time out at 4 + clock,
    // long before the window closes, and the claim is rejected.
    let challenge = Message::Challenge {
        claim: b,
        history_root: refute_challenger::play::history_root(&f.trace, 300, p.max_leaves),
        final_root: f.trace.root(300),
        bond: 100,
    };
    w.send(6, challenge, 4).unwrap();
    let ev = w.rules.tick_all(4 + p.clock_ms);
    assert_eq!(w.rules.claim(&b).unwrap().status, ClaimStatus::Rejected);
    assert!(!ev.iter().any(|e| matches!(e, Event::Unregistered { .. })), "claim a still holds it: {ev:?}");
    assert_eq!(w.rules.state.account(&who).stake, Some(stake));
    w.check_conservation();
    // Claim a becomes final and the member discloses; when the audit ends its
    // last seat has ended and the stake returns.
    w.rules.tick_all(1 + p.challenge_window_ms);
    assert_eq!(w.rules.claim(&a).unwrap().status, ClaimStatus::Final);
    w.send(m, disclose(&w, m, &a, &f.trace), 2 + p.challenge_window_ms).unwrap();
    let ev = w.rules.tick_all(2 + p.challenge_window_ms + p.reveal_ms);
    assert_eq!(ev.iter().filter(|e| **e == Event::Unregistered { who, stake }).count(), 1, "{ev:?}");
    let acct = w.rules.state.account(&who);
    assert_eq!((acct.balance, acct.stake, acct.reputation.duties_done), (10_000, None, 1));
    assert!(w.rules.index_is_consistent());
    w.check_conservation();
    // And it may register again.
    w.send(m, Message::Register { stake: 100 }, 2 + p.challenge_window_ms + p.reveal_ms).unwrap();
}

/// The stake returns on a rejection as on a finalisation: a member whose
/// only seat is on a claim the solver loses gets it back in that tick.
#[test]
fn a_leaving_member_gets_its_stake_when_its_claim_is_rejected() {
    let mut p = params();
    p.committee_size = 1;
    p.clock_ms = 1_000;
    let mut w = World::new(p.clone());
    for k in 1..=3 {
        w.mint(k, 10_000, 0);
    }
    w.send(2, Message::Register { stake: 50 }, 0).unwrap();
    let id = w.next_claim_id(1);
    let (lie, _) = lying_claim(300, 100, 1000);
    w.send(1, Message::Claim(Box::new(lie)), 1).unwrap();
    assert_eq!(w.rules.claim(&id).unwrap().committee.keys().copied().collect::<Vec<_>>(), vec![pubkey(2)]);
    assert_eq!(
        w.send(2, Message::Unregister, 2).unwrap(),
        vec![Event::Leaving { who: pubkey(2), stake: 50 }]
    );
    let f = fixture();
    let challenge = Message::Challenge {
        claim: id,
        history_root: refute_challenger::play::history_root(&f.trace, 300, p.max_leaves),
        final_root: f.trace.root(300),
        bond: 100,
    };
    w.send(3, challenge, 2).unwrap();
    let ev = w.rules.tick_all(2 + p.clock_ms);
    assert_eq!(w.rules.claim(&id).unwrap().status, ClaimStatus::Rejected);
    assert!(ev.contains(&Event::Unregistered { who: pubkey(2), stake: 50 }), "{ev:?}");
    assert_eq!(w.rules.state.account(&pubkey(2)).balance, 10_000);
    w.check_conservation();
}
