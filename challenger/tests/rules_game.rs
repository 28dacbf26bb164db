//! Games played to the end on a real run: an honest player never loses,
//! whatever its opponent does, and every game ends within bounded moves and time.

#[path = "common/rules.rs"]
mod support;

use proptest::prelude::*;
use refute_challenger::play::{Trace, history_root, next_move};
use refute_engine::history::dispute_rounds;
use refute_protocol::rules::{ClaimStatus, Event, GameStatus, Message, Role};
use support::*;

const SOLVER: u8 = 1;
const CHALLENGER: u8 = 2;

/// How the dishonest side plays.
#[derive(Clone, Copy, Debug)]
enum Style {
    /// Plays its (false) trace consistently.
    Consistent,
    /// Mixes consistent moves with garbage, wrong layer roots, bad proofs, delays and silence.
    Random,
    /// Never moves.
    Silent,
}

/// Plays game 0 to its end; returns the world and the time it ended.
fn play_out(
    w: &mut World,
    honest: (u8, Role, &dyn Trace),
    liar: (u8, Role, &dyn Trace),
    style: Style,
    seed: u64,
) -> u64 {
    let mut rng = Rng(seed);
    let p = w.rules.params.clone();
    let mut now = w.rules.state.now;
    for _ in 0..10_000 {
        w.rules.tick_all(now);
        w.check_conservation();
        if w.rules.game(0).unwrap().status != GameStatus::Open {
            return now;
        }
        let act_honest = |w: &mut World, now: u64| {
            let g = w.rules.game(0).unwrap().clone();
            if let Some(m) = next_move(&p, 0, &g, honest.1, honest.2) {
                w.send(honest.0, m, now).unwrap_or_else(|e| panic!("honest move refused: {e}"));
            }
        };
        act_honest(w, now);
        let g = w.rules.game(0).unwrap().clone();
        if g.status == GameStatus::Open
            && let Some(m) = next_move(&p, 0, &g, liar.1, liar.2)
        {
            let r = rng.next() % 8;
            match style {
                Style::Silent => {}
                Style::Random if r == 0 => {}
                Style::Random if r <= 3 => {
                    let before = w.rules.clone();
                    let bad = corrupt(&m, &mut rng);
                    assert!(w.send(liar.0, bad, now).is_err(), "a corrupted move was accepted");
                    assert_eq!(w.rules, before, "a refused move changed the state");
                }
                _ => {
                    w.send(liar.0, m, now).unwrap();
                }
            }
        }
        act_honest(w, now);
        let slow = matches!(style, Style::Silent)
            || (matches!(style, Style::Random) && rng.next().is_multiple_of(4));
        let jump = if slow { p.clock_ms / 3 } else { 1 };
        now += 1 + rng.next() % jump.max(1);
    }
    panic!("the game did not end");
}

/// Sets up a claim and a challenge; the liar lies from step `from`. Returns the world.
fn game(t: u64, from: u64, honest_solver: bool) -> (World, Box<dyn Trace>) {
    let mut w = World::new(params());
    w.mint(SOLVER, 10_000, 0);
    w.mint(CHALLENGER, 10_000, 0);
    let claim = w.next_claim_id(SOLVER);
    let f = fixture();
    if honest_solver {
        w.send(SOLVER, Message::Claim(Box::new(honest_claim(t, 1000))), 1).unwrap();
        let l = liar(from, 2);
        let m = Message::Challenge {
            claim,
            history_root: history_root(&l, t, 5),
            final_root: l.root(t),
            bond: 500,
        };
        w.send(CHALLENGER, m, 2).unwrap();
        (w, Box::new(l))
    } else {
        let (body, l) = lying_claim(t, from, 1000);
        w.send(SOLVER, Message::Claim(Box::new(body)), 1).unwrap();
        let m = Message::Challenge {
            claim,
            history_root: history_root(&f.trace, t, 5),
            final_root: f.trace.root(t),
            bond: 500,
        };
        w.send(CHALLENGER, m, 2).unwrap();
        (w, Box::new(l))
    }
}

fn check_game(t: u64, from: u64, honest_solver: bool, style: Style, seed: u64) {
    let (mut w, l) = game(t, from, honest_solver);
    let f = fixture();
    let start = w.rules.state.now;
    let (honest, liar) = if honest_solver {
        ((SOLVER, Role::Solver, &f.trace as &dyn Trace), (CHALLENGER, Role::Challenger, l.as_ref()))
    } else {
        ((CHALLENGER, Role::Challenger, &f.trace as &dyn Trace), (SOLVER, Role::Solver, l.as_ref()))
    };
    let end = play_out(&mut w, honest, liar, style, seed);
    let g = &w.rules.game(0).unwrap();
    assert_eq!(g.status, GameStatus::Won(honest.1), "t {t} from {from} {style:?}: the honest side lost");
    let p = &w.rules.params;
    let bound = 2 * dispute_rounds(t, p.k, p.max_leaves) + 1;
    assert!(g.moves <= bound, "{} moves, above the bound {bound}", g.moves);
    // Every moment of a game some clock runs, so it ends within both budgets
    // (plus the last time step of the driver, at most a third of a clock).
    assert!(end - start <= 2 * p.clock_ms + p.clock_ms / 3, "game lasted {} ms", end - start);
    let claim = w.rules.claim(&g.claim).unwrap();
    // An honest solver's claim stays open (or is final, if the window passed); a liar's is rejected.
    if honest_solver {
        assert_ne!(claim.status, ClaimStatus::Rejected);
    } else {
        assert_eq!(claim.status, ClaimStatus::Rejected);
    }
    w.check_conservation();
}

#[test]
fn the_fixture_runs_long_enough_for_several_layers() {
    let halt = fixture().halt;
    // 146 steps since the register forms (SEMANTICS_VERSION 6); 235 before.
    assert!((120..300).contains(&halt), "halt at step {halt}");
}

#[test]
fn a_consistent_liar_is_caught_after_several_layers_and_rounds() {
    let (mut w, l) = game(300, 123, true);
    let f = fixture();
    let mut events = Vec::new();
    let p = w.rules.params.clone();
    for now in 3..100 {
        for (who, role, tr) in
            [(SOLVER, Role::Solver, &f.trace as &dyn Trace), (CHALLENGER, Role::Challenger, l.as_ref())]
        {
            let g = w.rules.game(0).unwrap().clone();
            if let Some(m) = next_move(&p, 0, &g, role, tr) {
                events.extend(w.send(who, m, now).unwrap());
            }
        }
    }
    let count = |f: fn(&Event) -> bool| events.iter().filter(|e| f(e)).count();
    assert!(count(|e| matches!(e, Event::LayerStarted { .. })) >= 2, "{events:?}");
    assert!(count(|e| matches!(e, Event::Narrowed { .. })) >= 3, "{events:?}");
    assert!(
        events.contains(&Event::StepProven { game: 0, step: 122, post: f.trace.root(123) }),
        "{events:?}"
    );
    assert_eq!(w.rules.game(0).unwrap().status, GameStatus::Won(Role::Solver));
    // The challenger's 500 is forfeited: 250 to the solver, 250 burned.
    assert_eq!(w.rules.state.account(&pubkey(CHALLENGER)).balance, 9_500);
    assert_eq!(w.rules.state.account(&pubkey(SOLVER)).balance, 9_000 + 250);
    assert_eq!(w.rules.state.burned, 250);
    // After the window the claim is final and the solver's bond comes back.
    let ev = w.rules.tick_all(p.challenge_window_ms + 1);
    assert!(ev.iter().any(|e| matches!(e, Event::ClaimFinal { .. })), "{ev:?}");
    assert_eq!(w.rules.state.account(&pubkey(SOLVER)).balance, 10_250);
}

#[test]
fn a_silent_opponent_loses_on_time_exactly_at_its_deadline() {
    let (mut w, _) = game(300, 10, false);
    let p = w.rules.params.clone();
    let g = w.rules.game(0).unwrap().clone();
    let m = next_move(&p, 0, &g, Role::Challenger, &fixture().trace).unwrap();
    w.send(CHALLENGER, m, 2).unwrap();
    assert!(w.rules.tick_all(2 + p.clock_ms - 1).is_empty());
    let ev = w.rules.tick_all(2 + p.clock_ms);
    assert!(ev.contains(&Event::TimedOut { game: 0, role: Role::Solver }), "{ev:?}");
    assert_eq!(w.rules.game(0).unwrap().status, GameStatus::Won(Role::Challenger));
    // The solver's 1000 is forfeited: 500 to the challenger, whose bond comes back.
    assert_eq!(w.rules.state.account(&pubkey(CHALLENGER)).balance, 10_500);
    w.check_conservation();
}

#[test]
fn two_liars_both_lose_their_bonds() {
    let (body, l1) = lying_claim(300, 40, 1000);
    let mut w = World::new(params());
    w.mint(SOLVER, 10_000, 0);
    w.mint(CHALLENGER, 10_000, 0);
    let claim = w.next_claim_id(SOLVER);
    w.send(SOLVER, Message::Claim(Box::new(body)), 1).unwrap();
    let l2 = liar(40, 9);
    let m = Message::Challenge {
        claim,
        history_root: history_root(&l2, 300, 5),
        final_root: l2.root(300),
        bond: 500,
    };
    w.send(CHALLENGER, m, 2).unwrap();
    let p = w.rules.params.clone();
    for now in 3..100 {
        for (who, role, tr) in
            [(SOLVER, Role::Solver, &l1 as &dyn Trace), (CHALLENGER, Role::Challenger, &l2)]
        {
            let g = w.rules.game(0).unwrap().clone();
            if let Some(m) = next_move(&p, 0, &g, role, tr) {
                w.send(who, m, now).unwrap();
            }
        }
    }
    assert_eq!(w.rules.game(0).unwrap().status, GameStatus::LostByBoth);
    assert_eq!(w.rules.state.burned, 1500);
    assert_eq!(w.rules.claim(&claim).unwrap().status, ClaimStatus::Rejected);
    w.check_conservation();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    // A liar from step 0 commits to a wrong initial state: its claim is
    // refused (`wrong_initial_root`), and as a challenger none of its
    // reveals verifies (position 0 is bound to the true initial root), so
    // it cannot play "consistently"; `a_challenger_lying_from_step_0_cannot_move`
    // covers it.
    #[test]
    fn an_honest_solver_never_loses(from in 1u64..=300, t in prop::sample::select(vec![150u64, 300]), seed: u64, style in 0..3u8) {
        let style = [Style::Consistent, Style::Random, Style::Silent][style as usize];
        check_game(t, from.min(t), true, style, seed);
    }

    #[test]
    fn an_honest_challenger_never_loses(from in 1u64..=300, t in prop::sample::select(vec![150u64, 300]), seed: u64, style in 0..3u8) {
        let style = [Style::Consistent, Style::Random, Style::Silent][style as usize];
        check_game(t, from.min(t), false, style, seed);
    }
}

#[test]
fn a_challenger_lying_from_step_0_cannot_move() {
    let (mut w, l) = game(150, 0, true);
    let p = w.rules.params.clone();
    let g = w.rules.game(0).unwrap().clone();
    let m = next_move(&p, 0, &g, Role::Challenger, l.as_ref()).expect("it owes a reveal");
    let before = w.rules.clone();
    let now = w.rules.state.now + 1;
    assert!(w.send(CHALLENGER, m, now).is_err(), "a reveal with a wrong step-0 state was accepted");
    assert_eq!(w.rules, before);
    // Silent, it loses on time; the honest solver keeps its claim.
    check_game(150, 0, true, Style::Silent, 1);
}

/// Security review finding 13: a challenger whose engine computes another
/// state at step 0 than the arbiter did (another semantics version) does not
/// challenge: it could not open its first reveal against the agreed start
/// and would lose its bond. It still challenges when it starts where the
/// claim does and ends elsewhere.
#[test]
fn a_challenger_that_starts_from_another_state_does_not_challenge() {
    use refute_challenger::play::{NoChallenge, challenge};
    let t = 150;
    let mut w = World::new(params());
    w.mint(SOLVER, 10_000, 0);
    w.mint(CHALLENGER, 10_000, 0);
    let id = w.next_claim_id(SOLVER);
    let (body, _) = lying_claim(t, 40, 1000);
    w.send(SOLVER, Message::Claim(Box::new(body)), 1).unwrap();
    let claim = w.rules.claim(&id).unwrap().clone();
    let p = w.rules.params.clone();
    let other_engine = liar(0, 7);
    assert_ne!(other_engine.root(0), claim.body.initial_root);
    assert_eq!(
        challenge(&p, id, &claim, &other_engine, 500),
        Err(NoChallenge::OtherStart { mine: other_engine.root(0), claimed: claim.body.initial_root })
    );
    // The same claim, challenged by an engine that agrees on the start.
    let m = challenge(&p, id, &claim, &fixture().trace, 500).expect("an honest engine challenges the lie");
    assert!(matches!(m, Message::Challenge { final_root, .. } if final_root == fixture().trace.root(t)));
    w.send(CHALLENGER, m, 2).unwrap();
    // A claim the engine agrees with is not challenged.
    let honest = w.next_claim_id(SOLVER);
    w.send(SOLVER, Message::Claim(Box::new(honest_claim(t, 1000))), 3).unwrap();
    let claim = w.rules.claim(&honest).unwrap().clone();
    assert_eq!(challenge(&p, honest, &claim, &fixture().trace, 500), Err(NoChallenge::Agrees));
}
