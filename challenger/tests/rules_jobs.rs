//! Jobs, committed attestations and their audit (`specs/protocol.md` §5.4,
//! §5.7, §5.9, §5.10): who is paid what in every outcome, on a real run.

#[path = "common/rules.rs"]
mod support;

use refute_challenger::play::{Trace, next_move};
use refute_protocol::rules::{
    B32, Blob, ClaimStatus, Duty, Event, GameStatus, JobStatus, MAX_JOB_DRAWS, Message, Params, Role,
};
use support::*;

const T: u64 = 300;
const REWARD: u64 = 1_000;
const BOND: u64 = 1_000;
const STAKE: u64 = 1_000;
const REQUESTER: u8 = 1;

fn job_params() -> Params {
    let mut p = params();
    p.committee_size = 3;
    p.clock_ms = 1_000;
    p.challenge_window_ms = 10_000;
    p.reveal_ms = 5_000;
    p.job_deadline_ms = 3_000;
    p.duty_slash = 100;
    p.fee_pct = 20;
    p
}

/// A world where every key in `1..=8` has 10,000 and keys `2..=6` are
/// candidates with `STAKE` each.
fn world() -> World {
    let mut w = World::new(job_params());
    for k in 1..=8 {
        w.mint(k, 10_000, 0);
    }
    for k in 2..=6 {
        w.send(k, Message::Register { stake: STAKE }, 0).unwrap();
    }
    w
}

fn key_of(m: &B32) -> u8 {
    (1..=15).find(|&k| pubkey(k) == *m).expect("a test key")
}

/// Posts the fixture's job as the requester; returns its id and the drawn solver.
fn post_job(w: &mut World, now: u64) -> (B32, u8) {
    let id = w.next_claim_id(REQUESTER);
    let ev = w.send(REQUESTER, Message::JobPost(Box::new(job(T, REWARD))), now).unwrap();
    let solver = ev
        .iter()
        .find_map(|e| match e {
            Event::JobAssigned { job, solver, attempt: 1, .. } if *job == id => Some(*solver),
            _ => None,
        })
        .expect("a solver is drawn");
    (id, key_of(&solver))
}

/// The drawn solver answers job `job` with `body` at `now`; returns the claim id.
fn answer(w: &mut World, solver: u8, job: B32, mut body: refute_protocol::rules::ClaimBody, now: u64) -> B32 {
    body.job = Some(job);
    let id = w.next_claim_id(solver);
    let ev = w.send(solver, Message::Claim(Box::new(body)), now).unwrap();
    assert!(ev.contains(&Event::JobClaimed { job, claim: id }), "{ev:?}");
    id
}

fn members(w: &World, claim: &B32) -> Vec<u8> {
    w.rules.claim(claim).unwrap().committee.keys().map(key_of).collect()
}

fn balance(w: &World, k: u8) -> u64 {
    w.rules.state.account(&pubkey(k)).balance
}

fn stake(w: &World, k: u8) -> Option<u64> {
    w.rules.state.account(&pubkey(k)).stake
}

/// The whole honest path, with one member of each kind: one checks and
/// discloses, one attests from a tree it cannot open (it did not run the
/// claim), one stays silent.
#[test]
fn a_job_pays_its_solver_and_the_members_who_disclose_and_slashes_the_others() {
    let mut w = world();
    let p = w.rules.params.clone();
    let f = fixture();
    let (job, solver) = post_job(&mut w, 1);
    assert_eq!(balance(&w, REQUESTER), 10_000 - REWARD, "the reward is escrowed");
    assert_ne!(solver, REQUESTER);
    let claim = answer(&mut w, solver, job, honest_claim(T, BOND), 2);
    let m = members(&w, &claim);
    assert_eq!(m.len(), 3, "four candidates besides the solver fill a committee of 3");
    assert!(!m.contains(&solver));
    let (checker, lazy, silent) = (m[0], m[1], m[2]);
    w.send(checker, attest(&w, checker, &claim, &f.trace), 3).unwrap();
    // The lazy member commits to a root of a tree it made up.
    let made_up = liar(1, 9);
    w.send(lazy, attest(&w, lazy, &claim, &made_up), 3).unwrap();
    let refused = w.send(checker, disclose(&w, checker, &claim, &f.trace), 4).unwrap_err();
    assert_eq!(refused.code(), "not_in_audit", "nothing is disclosed before the claim is final");

    // The window closes: the claim is final, the solver paid, the silent member slashed.
    let ev = w.rules.tick_all(2 + p.challenge_window_ms);
    assert!(ev.contains(&Event::ClaimFinal { claim }));
    assert!(ev.contains(&Event::JobDone { job, claim }));
    assert!(ev.contains(&Event::Paid { to: pubkey(solver), amount: REWARD - 200 }), "{ev:?}");
    assert!(ev.contains(&Event::Slashed { who: pubkey(silent), amount: 100 }));
    let ends = 2 + p.challenge_window_ms + p.reveal_ms;
    assert!(ev.contains(&Event::AuditStarted { claim, ends }));
    w.check_conservation();

    // The checker discloses; the lazy member cannot open its leaf.
    let at = 3 + p.challenge_window_ms;
    let bad = w.send(lazy, disclose(&w, lazy, &claim, &made_up), at).unwrap_err();
    assert_eq!(bad.code(), "bad_disclosure", "{bad}");
    let ev = w.send(checker, disclose(&w, checker, &claim, &f.trace), at).unwrap();
    assert!(matches!(ev[..], [Event::Disclosed { .. }]), "{ev:?}");
    assert_eq!(w.rules.claim(&claim).unwrap().committee[&pubkey(checker)], Duty::Disclosed);

    // The audit ends: the checker takes the whole fee, the lazy member is slashed.
    let ev = w.rules.tick_all(ends);
    assert!(
        ev.contains(&Event::AuditEnded {
            claim,
            passed: 1,
            each: 200,
            refund_to: Some(pubkey(REQUESTER)),
            refund: 0
        }),
        "{ev:?}"
    );
    assert!(ev.contains(&Event::Slashed { who: pubkey(lazy), amount: 100 }));
    assert_eq!(balance(&w, REQUESTER), 10_000 - REWARD);
    assert_eq!(balance(&w, solver), 10_000 - STAKE + REWARD - 200, "the bond is back and the reward paid");
    assert_eq!(balance(&w, checker), 10_000 - STAKE + 200);
    assert_eq!(
        (stake(&w, checker), stake(&w, lazy), stake(&w, silent)),
        (Some(STAKE), Some(STAKE - 100), Some(STAKE - 100))
    );
    assert_eq!(w.rules.state.burned, 200);
    let rep = |k: u8| w.rules.state.account(&pubkey(k)).reputation;
    assert_eq!((rep(checker).duties_done, rep(lazy).duties_missed, rep(silent).duties_missed), (1, 1, 1));
    assert_eq!(rep(solver).jobs_done, 1);
    // The claim and the job have ended and left the state.
    assert!(w.rules.state.claims.is_empty() && w.rules.state.jobs.is_empty());
    let j = w.rules.job(&job).unwrap();
    assert_eq!((j.status, j.claim, j.escrow), (JobStatus::Done, Some(claim), 0));
    assert!(w.rules.index_is_consistent());
    w.check_conservation();
}

/// Two members disclose: they split the fee, and the rounding remainder
/// goes back to the requester. With no member passing, the whole fee does.
#[test]
fn the_fee_is_split_among_the_members_who_pass_and_the_rest_returns() {
    for passing in [2usize, 0] {
        let mut w = world();
        let p = w.rules.params.clone();
        let f = fixture();
        let (job, solver) = post_job(&mut w, 1);
        let claim = answer(&mut w, solver, job, honest_claim(T, BOND), 2);
        let m = members(&w, &claim);
        for &k in &m[..passing] {
            w.send(k, attest(&w, k, &claim, &f.trace), 3).unwrap();
        }
        w.rules.tick_all(2 + p.challenge_window_ms);
        for &k in &m[..passing] {
            w.send(k, disclose(&w, k, &claim, &f.trace), 3 + p.challenge_window_ms).unwrap();
        }
        let ev = w.rules.tick_all(2 + p.challenge_window_ms + p.reveal_ms);
        let requester = Some(pubkey(REQUESTER));
        let expected = match passing {
            2 => Event::AuditEnded { claim, passed: 2, each: 100, refund_to: requester, refund: 0 },
            _ => Event::AuditEnded { claim, passed: 0, each: 0, refund_to: requester, refund: 200 },
        };
        if passing == 0 {
            // Nobody attested, so the audit ended when the claim became final.
            let ev0 = w.rules.job(&job).unwrap();
            assert_eq!(ev0.status, JobStatus::Done);
            assert_eq!(balance(&w, REQUESTER), 10_000 - REWARD + 200);
        } else {
            assert!(ev.contains(&expected), "{ev:?}");
            for &k in &m[..passing] {
                assert_eq!(balance(&w, k), 10_000 - STAKE + 100);
            }
        }
        w.check_conservation();
    }
}

/// Disclosures are checked: the member, the commitment, the opening, the time.
#[test]
fn disclosures_are_checked() {
    let mut w = world();
    let p = w.rules.params.clone();
    let f = fixture();
    let (job, solver) = post_job(&mut w, 1);
    let claim = answer(&mut w, solver, job, honest_claim(T, BOND), 2);
    let m = members(&w, &claim);
    w.send(m[0], attest(&w, m[0], &claim, &f.trace), 3).unwrap();
    w.rules.tick_all(2 + p.challenge_window_ms);
    let at = 3 + p.challenge_window_ms;
    let before = w.rules.clone();
    let refuse = |w: &mut World, who: u8, msg: Message, code: &str| {
        let e = w.send(who, msg, at).unwrap_err();
        assert_eq!(e.code(), code, "{e}");
    };
    let d = disclose(&w, 8, &claim, &f.trace);
    refuse(&mut w, 8, d, "not_member");
    let d = disclose(&w, m[1], &claim, &f.trace);
    refuse(&mut w, m[1], d, "nothing_to_disclose");
    // Another salt, or another member's opening, does not match the commitment.
    let Message::Disclose { root, proof, .. } = disclose(&w, m[0], &claim, &f.trace) else { unreachable!() };
    let wrong_salt = Message::Disclose { claim, salt: B32([1; 32]), root, proof: proof.clone() };
    refuse(&mut w, m[0], wrong_salt, "bad_disclosure");
    // The right salt and root with a damaged opening.
    let mut damaged = proof.0.clone();
    let last = damaged.len() - 1;
    damaged[last] ^= 1;
    let bad_proof = Message::Disclose { claim, salt: salt(m[0]), root, proof: Blob(damaged) };
    refuse(&mut w, m[0], bad_proof, "bad_disclosure");
    assert_eq!(w.rules, before, "refused disclosures change nothing");
    w.send(m[0], disclose(&w, m[0], &claim, &f.trace), at).unwrap();
    let d = disclose(&w, m[0], &claim, &f.trace);
    refuse(&mut w, m[0], d, "nothing_to_disclose");
    // Each member's audit leaf is an interior leaf of the posted layer.
    let c = w.rules.claim(&claim).unwrap();
    let n = c.leaves(p.max_leaves);
    for k in &m {
        let leaf = c.audit_leaf(&pubkey(*k), p.max_leaves);
        assert!((1..n - 1).contains(&leaf), "leaf {leaf} of {n}");
    }
}

/// A drawn solver that never answers is slashed at each deadline and
/// another is drawn; after `MAX_JOB_DRAWS` the job fails and the reward
/// returns to the requester.
#[test]
fn a_job_nobody_answers_is_redrawn_then_fails_and_refunds() {
    let mut w = world();
    let p = w.rules.params.clone();
    let (job, first) = post_job(&mut w, 1);
    let mut drawn = vec![first];
    let mut now = 1;
    for attempt in 2..=MAX_JOB_DRAWS + 1 {
        now += p.job_deadline_ms;
        let ev = w.rules.tick_all(now);
        let last = *drawn.last().unwrap();
        assert!(ev.contains(&Event::JobMissed { job, solver: pubkey(last) }), "{ev:?}");
        assert!(ev.contains(&Event::Slashed { who: pubkey(last), amount: 100 }));
        assert_eq!(stake(&w, last), Some(STAKE - 100));
        w.check_conservation();
        if attempt <= MAX_JOB_DRAWS {
            let next = ev.iter().find_map(|e| match e {
                Event::JobAssigned { solver, attempt: a, .. } if *a == attempt => Some(key_of(solver)),
                _ => None,
            });
            let next = next.expect("another solver is drawn");
            assert!(!drawn.contains(&next), "a solver that missed is never drawn again for the job");
            drawn.push(next);
        } else {
            assert!(ev.contains(&Event::JobFailed { job, refund: REWARD }), "{ev:?}");
        }
    }
    assert_eq!(balance(&w, REQUESTER), 10_000);
    assert_eq!(w.rules.job(&job).unwrap().status, JobStatus::Failed);
    assert!(w.rules.state.jobs.is_empty(), "a failed job leaves the state");
    assert_eq!(w.rules.state.burned, 100 * u64::from(MAX_JOB_DRAWS));
    assert!(w.rules.index_is_consistent());
    w.check_conservation();
}

/// Plays game `id` to its end, each side from its own trace.
fn play(w: &mut World, id: u64, players: [(u8, &dyn Trace); 2], mut now: u64) -> u64 {
    let p = w.rules.params.clone();
    for _ in 0..1_000 {
        w.rules.tick_all(now);
        let g = w.rules.game(id).unwrap().clone();
        if g.status != GameStatus::Open {
            return now;
        }
        for (role, (k, trace)) in [Role::Solver, Role::Challenger].into_iter().zip(players) {
            let g = w.rules.game(id).unwrap().clone();
            if let Some(m) = next_move(&p, id, &g, role, trace) {
                w.send(k, m, now).unwrap_or_else(|e| panic!("move refused: {e}"));
            }
        }
        now += 1;
    }
    panic!("the game did not end");
}

/// A lying solver's claim is challenged and rejected: it loses its bond (the
/// winner's share to the challenger), the job is drawn again, the next
/// solver answers honestly and is paid.
#[test]
fn a_lying_solver_is_rejected_and_the_job_redrawn_to_an_honest_one() {
    let mut w = world();
    let p = w.rules.params.clone();
    let f = fixture();
    let (job, liar_key) = post_job(&mut w, 1);
    let (lie, lie_trace) = lying_claim(T, 100, BOND);
    let bad = answer(&mut w, liar_key, job, lie, 2);
    const CHECKER: u8 = 7;
    let challenge = Message::Challenge {
        claim: bad,
        history_root: refute_challenger::play::history_root(&f.trace, T, p.max_leaves),
        final_root: f.trace.root(T),
        bond: BOND,
    };
    w.send(CHECKER, challenge, 3).unwrap();
    let game = w.rules.claim(&bad).unwrap().games[&pubkey(CHECKER)];
    let now = play(&mut w, game, [(liar_key, &lie_trace), (CHECKER, &f.trace)], 4);
    assert_eq!(w.rules.game(game).unwrap().status, GameStatus::Won(Role::Challenger));
    assert_eq!(w.rules.claim(&bad).unwrap().status, ClaimStatus::Rejected);
    let j = w.rules.job(&job).unwrap().clone();
    assert_eq!((j.status, j.attempts), (JobStatus::Assigned, 2));
    assert_eq!(j.tried, vec![pubkey(liar_key)]);
    let honest = key_of(&j.solver.unwrap());
    assert_ne!(honest, liar_key);
    // The liar's bond: half to the checker, half burned; its stake is untouched.
    assert_eq!(balance(&w, CHECKER), 10_000 + BOND / 2);
    assert_eq!(balance(&w, liar_key), 10_000 - STAKE - BOND);
    assert_eq!(stake(&w, liar_key), Some(STAKE));
    assert_eq!(w.rules.state.account(&pubkey(liar_key)).reputation.jobs_missed, 1);
    w.check_conservation();

    let good = answer(&mut w, honest, job, honest_claim(T, BOND), now + 1);
    let ev = w.rules.tick_all(now + 1 + p.challenge_window_ms);
    assert!(ev.contains(&Event::JobDone { job, claim: good }), "{ev:?}");
    w.rules.tick_all(now + 1 + p.challenge_window_ms + p.reveal_ms);
    assert_eq!(balance(&w, honest), 10_000 - STAKE + REWARD - 200);
    assert_eq!(w.rules.job(&job).unwrap().claim, Some(good));
    w.check_conservation();
}

/// A job's claim must come from its drawn solver, before the deadline, for
/// the job's computation, once.
#[test]
fn a_jobs_claim_is_checked() {
    let mut w = world();
    let p = w.rules.params.clone();
    let (job, solver) = post_job(&mut w, 1);
    let other = (2..=6).find(|&k| k != solver).unwrap();
    let with_job = |mut c: refute_protocol::rules::ClaimBody, j: B32| {
        c.job = Some(j);
        Message::Claim(Box::new(c))
    };
    let before = w.rules.clone();
    let code = |w: &mut World, k: u8, m: Message| w.send(k, m, 2).unwrap_err().code();
    assert_eq!(code(&mut w, other, with_job(honest_claim(T, BOND), job)), "not_job_solver");
    assert_eq!(code(&mut w, solver, with_job(honest_claim(T, BOND), B32([3; 32]))), "unknown_job");
    let mut wrong = honest_claim(T, BOND);
    wrong.entry_args = vec![21];
    assert_eq!(code(&mut w, solver, with_job(wrong, job)), "wrong_job");
    assert_eq!(code(&mut w, solver, with_job(honest_claim(T - 1, BOND), job)), "wrong_job");
    assert_eq!(w.rules, before, "refused claims change nothing");
    answer(&mut w, solver, job, honest_claim(T, BOND), 2);
    assert_eq!(code(&mut w, solver, with_job(honest_claim(T, BOND), job)), "job_closed");
    // A job's terms are checked when it is posted.
    // A reward below the claim bond the job's step limit needs is refused.
    let cheap = job_body_with_reward(p.claim_bond_min(T) - 1);
    assert_eq!(code(&mut w, REQUESTER, Message::JobPost(Box::new(cheap))), "bond_too_small");
    let mut free = job_body_with_reward(REWARD);
    free.max_steps = p.max_steps + 1;
    assert_eq!(code(&mut w, REQUESTER, Message::JobPost(Box::new(free))), "bad_job");
    let rich = job_body_with_reward(1_000_000);
    assert_eq!(code(&mut w, REQUESTER, Message::JobPost(Box::new(rich))), "insufficient_funds");
}

fn job_body_with_reward(reward: u64) -> refute_protocol::rules::JobBody {
    job(T, reward)
}

/// The requester is never drawn for its own job, nor is a candidate that
/// registered after the job was posted (its seed was public by then); with
/// nobody else, a job is refused (`no_solvers`) or fails at its redraw.
#[test]
fn only_candidates_registered_before_the_job_and_not_the_requester_are_drawn() {
    let mut w = World::new(job_params());
    for k in 1..=4 {
        w.mint(k, 1_000_000, 0);
    }
    w.send(REQUESTER, Message::Register { stake: 1_000 }, 0).unwrap();
    let before = w.rules.clone();
    let e = w.send(REQUESTER, Message::JobPost(Box::new(job(T, REWARD))), 1).unwrap_err();
    assert_eq!(e.code(), "no_solvers", "the requester alone cannot take its own job");
    assert_eq!(w.rules, before);
    w.send(2, Message::Register { stake: 1_000 }, 1).unwrap();
    for _ in 0..20 {
        let (_, solver) = post_job(&mut w, 2);
        assert_eq!(solver, 2, "the requester holds half the stake but is never drawn");
    }
    // A whale registers after the last job: it is never drawn for it.
    let (job, _) = post_job(&mut w, 3);
    w.send(3, Message::Register { stake: 900_000 }, 3).unwrap();
    let ev = w.rules.tick_all(3 + w.rules.params.job_deadline_ms);
    assert!(ev.contains(&Event::JobFailed { job, refund: REWARD }), "{ev:?}");
    w.check_conservation();
}

/// Solvers are drawn in proportion to stake: over 2,000 jobs, each
/// candidate's count is within four standard deviations of its share.
#[test]
fn solvers_are_drawn_in_proportion_to_stake() {
    let mut w = World::new(job_params());
    for _ in 0..2 {
        w.mint(REQUESTER, 1_000_000, 0);
    }
    let stakes = [(2u8, 100u64), (3, 300), (4, 600)];
    for (k, s) in stakes {
        w.mint(k, s, 0);
        w.send(k, Message::Register { stake: s }, 0).unwrap();
    }
    let jobs = 2_000u64;
    let mut counts = [0u64; 3];
    for _ in 0..jobs {
        let (_, solver) = post_job(&mut w, 1);
        counts[stakes.iter().position(|(k, _)| *k == solver).unwrap()] += 1;
    }
    for (i, (_, s)) in stakes.iter().enumerate() {
        let q = *s as f64 / 1000.0;
        let mean = jobs as f64 * q;
        let sd = (jobs as f64 * q * (1.0 - q)).sqrt();
        assert!((counts[i] as f64 - mean).abs() < 4.0 * sd, "counts {counts:?}");
    }
}

/// A drawn solver may decline a job: another is drawn and the decliner
/// keeps its stake; only the drawn solver may, and only while it owes the claim.
#[test]
fn a_drawn_solver_may_decline_and_keeps_its_stake() {
    let mut w = world();
    let (job, solver) = post_job(&mut w, 1);
    let other = (2..=6).find(|&k| k != solver).unwrap();
    let before = w.rules.clone();
    let e = w.send(other, Message::JobDecline { job }, 2).unwrap_err();
    assert_eq!(e.code(), "not_job_solver");
    assert_eq!(w.rules, before);
    let ev = w.send(solver, Message::JobDecline { job }, 2).unwrap();
    assert!(ev.contains(&Event::JobDeclined { job, solver: pubkey(solver) }), "{ev:?}");
    let next = w.rules.job(&job).unwrap().solver.unwrap();
    assert_ne!(next, pubkey(solver));
    assert_eq!(stake(&w, solver), Some(STAKE));
    assert!(!ev.iter().any(|e| matches!(e, Event::Slashed { .. })));
    let e = w.send(solver, Message::JobDecline { job }, 3).unwrap_err();
    assert_eq!(e.code(), "not_job_solver");
    assert!(w.rules.index_is_consistent());
    w.check_conservation();
}
