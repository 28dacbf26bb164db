//! Checking pays, not checking costs (`specs/protocol.md` §8): an
//! agent-based simulation of committee members under the real rules.
//!
//! Twelve candidates with equal stakes follow one of three strategies on every
//! committee seat they are drawn to: a **checker** re-runs the claim (a cost
//! `CHECK_COST`, the money its machine time is worth), attests with a
//! commitment to its audit leaf's root and discloses it in the audit; a
//! **copier** attests without running anything, committing to the only root
//! it can get for free (the claim's final root); a **sleeper** does nothing.
//! A requester posts jobs with a reward; the drawn solver answers honestly
//! (nobody lies: the case where nothing else keeps checkers awake). Every
//! message goes through `Rules`, so fees, slashes and the audit are the
//! rules' own. A member's committee income is what the audits paid it, less
//! its slashes, less its checking costs.

#[path = "common/rules.rs"]
mod support;

use std::collections::BTreeMap;

use refute_protocol::rules::{B32, Event, Message, attest_commitment};
use support::*;

const T: u64 = 300;
const REWARD: u64 = 1_000;
const JOBS: u64 = 150;
/// What one check costs a member (its machine time): below the fee per seat
/// (`fee / committee_size` = 50), so checking is worth it.
const CHECK_COST: u64 = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Strategy {
    Checker,
    Copier,
    Sleeper,
}

fn strategy(k: u8) -> Strategy {
    match k % 3 {
        0 => Strategy::Checker,
        1 => Strategy::Copier,
        _ => Strategy::Sleeper,
    }
}

#[test]
fn a_member_who_never_checks_loses_and_one_who_checks_earns() {
    let mut p = params();
    p.committee_size = 4;
    p.challenge_window_ms = 1_000;
    p.reveal_ms = 1_000;
    p.job_deadline_ms = 1_000;
    p.duty_slash = 50;
    p.fee_pct = 20;
    let mut w = World::new(p.clone());
    const REQUESTER: u8 = 1;
    let candidates: Vec<u8> = (2..=13).collect();
    for &k in &candidates {
        w.mint(k, 100_000, 0);
        w.send(k, Message::Register { stake: 10_000 }, 0).unwrap();
    }
    let f = fixture();
    // Per candidate: committee income (fees − slashes − check costs) and seats.
    let mut income: BTreeMap<u8, i64> = BTreeMap::new();
    let mut seats: BTreeMap<u8, u64> = BTreeMap::new();
    let key_of = |m: &B32| candidates.iter().copied().find(|&k| pubkey(k) == *m).unwrap();
    let mut now = 1;
    for _ in 0..JOBS {
        w.mint(REQUESTER, REWARD, now);
        let job_id = w.next_claim_id(REQUESTER);
        let ev = w.send(REQUESTER, Message::JobPost(Box::new(job(T, REWARD))), now).unwrap();
        let solver = ev.iter().find_map(|e| match e {
            Event::JobAssigned { solver, .. } => Some(key_of(solver)),
            _ => None,
        });
        let mut claim = honest_claim(T, 1_000);
        claim.job = Some(job_id);
        let id = w.next_claim_id(solver.unwrap());
        w.send(solver.unwrap(), Message::Claim(Box::new(claim)), now).unwrap();
        let committee: Vec<u8> = w.rules.claim(&id).unwrap().committee.keys().map(key_of).collect();
        for &m in &committee {
            *seats.entry(m).or_default() += 1;
            match strategy(m) {
                Strategy::Checker => {
                    *income.entry(m).or_default() -= CHECK_COST as i64;
                    w.send(m, attest(&w, m, &id, &f.trace), now).unwrap();
                }
                Strategy::Copier => {
                    let fin = w.rules.claim(&id).unwrap().body.final_root;
                    let commitment = attest_commitment(&id, &pubkey(m), &salt(m), &fin);
                    w.send(m, Message::Attest { claim: id, commitment }, now).unwrap();
                }
                Strategy::Sleeper => {}
            }
        }
        let mut events = w.rules.tick_all(now + p.challenge_window_ms);
        for &m in &committee {
            if strategy(m) == Strategy::Checker {
                w.send(m, disclose(&w, m, &id, &f.trace), now + p.challenge_window_ms).unwrap();
            }
        }
        events.extend(w.rules.tick_all(now + p.challenge_window_ms + p.reveal_ms));
        for e in &events {
            match e {
                Event::Slashed { who, amount } => *income.entry(key_of(who)).or_default() -= *amount as i64,
                Event::AuditEnded { claim, each, .. } if *claim == id => {
                    for &m in &committee {
                        if w.rules.claim(&id).unwrap().committee[&pubkey(m)]
                            == refute_protocol::rules::Duty::Disclosed
                        {
                            *income.entry(m).or_default() += *each as i64;
                        }
                    }
                }
                _ => {}
            }
        }
        w.check_conservation();
        now += p.challenge_window_ms + p.reveal_ms + 1;
    }
    // Income per seat, by strategy.
    let mut by: BTreeMap<Strategy, (i64, u64)> = BTreeMap::new();
    for &k in &candidates {
        let e = by.entry(strategy(k)).or_default();
        e.0 += income.get(&k).copied().unwrap_or(0);
        e.1 += seats.get(&k).copied().unwrap_or(0);
    }
    println!(
        "{JOBS} jobs, reward {REWARD}, fee {}%, check cost {CHECK_COST}, slash {}",
        p.fee_pct, p.duty_slash
    );
    println!("{:<8} {:>6} {:>10} {:>10}", "strategy", "seats", "income", "per seat");
    for (s, (inc, n)) in &by {
        println!("{:<8} {:>6} {:>10} {:>10.1}", format!("{s:?}"), n, inc, *inc as f64 / (*n).max(1) as f64);
    }
    let per_seat = |s: Strategy| by[&s].0 as f64 / by[&s].1.max(1) as f64;
    // Every seat of a checker pays at least fee / committee_size − cost = 30.
    assert!(per_seat(Strategy::Checker) >= 30.0, "{by:?}");
    // Every seat of a copier or a sleeper costs the slash.
    assert_eq!(per_seat(Strategy::Copier), -(p.duty_slash as f64), "{by:?}");
    assert_eq!(per_seat(Strategy::Sleeper), -(p.duty_slash as f64), "{by:?}");
    // And every single checker earned, every other member lost.
    for &k in &candidates {
        let inc = income.get(&k).copied().unwrap_or(0);
        match strategy(k) {
            Strategy::Checker => assert!(inc > 0, "checker {k}: {inc}"),
            _ => assert!(inc < 0 || !seats.contains_key(&k), "{:?} {k}: {inc}", strategy(k)),
        }
    }
}
