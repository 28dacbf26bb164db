//! Crowds against one claim (`specs/protocol.md` §5.5, §5.7, §8): one move
//! made in every game at the same point (`also`), and the share of a liar's
//! bond paid to the earliest-posted challenge it lost, whichever game it
//! chose to lose first.

#[path = "common/rules.rs"]
mod support;

use refute_challenger::play::next_move;
use refute_protocol::rules::{B32, ClaimStatus, Event, GameStatus, MAX_ALSO, Message, Role};
use support::*;

const T: u64 = 300;
const BOND: u64 = 1_000;

/// A world where key 1 posted the honest claim and keys `crowd` challenged
/// it with made-up commitments, one game each, numbered from 0.
fn crowded(crowd: &[u8]) -> (World, B32) {
    let mut w = World::new(params());
    w.mint(1, 10 * BOND, 0);
    let id = w.next_claim_id(1);
    w.send(1, Message::Claim(Box::new(honest_claim(T, BOND))), 0).unwrap();
    for &k in crowd {
        w.mint(k, BOND, 1);
        let made_up = B32([k; 32]);
        let challenge =
            Message::Challenge { claim: id, history_root: made_up, final_root: made_up, bond: BOND };
        w.send(k, challenge, 1).unwrap();
    }
    (w, id)
}

/// The solver's honest move in game `g`, naming the games `also` too.
fn solver_move(w: &World, g: u64, also: Vec<u64>) -> Message {
    let game = w.rules.game(g).unwrap();
    match next_move(&w.rules.params, g, game, Role::Solver, &fixture().trace).unwrap() {
        Message::Reveal { game, layer_root, roots, proof, .. } => {
            Message::Reveal { game, also, layer_root, roots, proof }
        }
        Message::Step { game, proof, .. } => Message::Step { game, also, proof },
        m => panic!("{m:?}"),
    }
}

#[test]
fn one_reveal_is_the_solvers_move_in_every_game_at_the_same_point() {
    let crowd: Vec<u8> = (2..15).collect();
    let (mut w, id) = crowded(&crowd);
    let games: Vec<u64> = (0..crowd.len() as u64).collect();
    let points: Vec<B32> = games.iter().map(|g| w.rules.game(*g).unwrap().point(Role::Solver)).collect();
    assert!(points.iter().all(|p| *p == points[0]), "every game starts at the solver's same point");

    let ev = w.send(1, solver_move(&w, 0, games[1..].to_vec()), 5).unwrap();
    let revealed = ev.iter().filter(|e| matches!(e, Event::Revealed { role: Role::Solver, .. })).count();
    assert_eq!(revealed, games.len(), "{ev:?}");
    for g in &games {
        let side = w.rules.game(*g).unwrap().side(Role::Solver).clone();
        assert_eq!(side.owes_since, None, "game {g}: the solver's clock stopped");
        assert_eq!(side.clock_left, w.rules.params.clock_ms - 4, "game {g}: it used 4 ms, as in game 0");
    }

    // Nobody in the crowd moves: each loses on time, the claim is final and
    // the solver is paid a share of every bond, having signed two messages.
    let balance = w.rules.state.account(&pubkey(1)).balance;
    let later = 1 + w.rules.params.clock_ms.max(w.rules.params.challenge_window_ms);
    let ev = w.rules.tick_all(later);
    assert_eq!(
        ev.iter().filter(|e| matches!(e, Event::TimedOut { role: Role::Challenger, .. })).count(),
        games.len()
    );
    assert_eq!(w.rules.claim(&id).unwrap().status, ClaimStatus::Final);
    let share = w.rules.params.share(BOND);
    let paid = w.rules.state.account(&pubkey(1)).balance - balance;
    assert_eq!(paid, BOND + share * games.len() as u64, "its bond back and a share of each");
    assert_eq!(w.nonces[1], 3, "mint, claim and one reveal");
    w.check_conservation();
}

#[test]
fn a_move_is_made_only_in_the_listed_games_at_the_first_valid_ones_point() {
    let (mut w, _) = crowded(&[2, 3, 4]);
    // The solver moves in game 1 alone first.
    w.send(1, solver_move(&w, 1, vec![]), 3).unwrap();

    // A reveal for game 0 naming games 1 (where it has moved already) and 2
    // (same point, not moved): made in 0 and 2, game 1 left as it is.
    let before = w.rules.game(1).unwrap().clone();
    let m = solver_move(&w, 0, vec![1, 2]);
    let ev = w.send(1, m.clone(), 4).unwrap();
    let made: Vec<u64> = ev
        .iter()
        .filter_map(|e| match e {
            Event::Revealed { game, .. } => Some(*game),
            _ => None,
        })
        .collect();
    assert_eq!(made, vec![0, 2]);
    assert_eq!(*w.rules.game(1).unwrap(), before);

    // Valid in none of the listed games: refused with the first one's error, nothing changes.
    let nonce = w.nonces[1];
    assert_eq!(w.send(1, m.clone(), 5).unwrap_err().code(), "not_your_turn");
    assert_eq!(w.nonces[1], nonce);

    // Too many games, or one named twice: `wrong_move`.
    let with_also = |also: Vec<u64>| match m.clone() {
        Message::Reveal { game, layer_root, roots, proof, .. } => {
            Message::Reveal { game, also, layer_root, roots, proof }
        }
        m => panic!("{m:?}"),
    };
    let too_many: Vec<u64> = (100..100 + MAX_ALSO as u64 + 1).collect();
    for also in [too_many, vec![2, 2], vec![0]] {
        assert_eq!(w.send(1, with_also(also.clone()), 5).unwrap_err().code(), "wrong_move", "{also:?}");
    }
    w.check_conservation();
}

/// Finding 7a of the security review: a liar stalls the honest challenger's
/// game and loses at once to its own puppet. The share now goes to the
/// earliest-posted challenge it lost, and the honest game plays on after the
/// rejection.
#[test]
fn the_share_of_a_liars_bond_goes_to_the_earliest_challenge_it_lost() {
    let (body, lie) = lying_claim(T, 50, BOND);
    let (honest, puppet, liar) = (2, 3, 1);
    let mut w = World::new(params());
    let clock = w.rules.params.clock_ms;
    w.mint(liar, 10 * BOND, 0);
    let id = w.next_claim_id(liar);
    w.send(liar, Message::Claim(Box::new(body)), 0).unwrap();
    let f = fixture();
    let challenge = |w: &mut World, k: u8, at: u64| {
        w.mint(k, BOND, at);
        let m = refute_challenger::play::challenge(
            &w.rules.params,
            id,
            w.rules.claim(&id).unwrap(),
            &f.trace,
            BOND,
        );
        w.send(k, m.unwrap(), at).unwrap();
    };
    // Game 0 (honest, posted first): the liar moves at once, the honest
    // challenger at 20 and again at once in the next round; the liar then
    // stalls, its clock running from 20 with `clock - 1` left.
    challenge(&mut w, honest, 0);
    let m = next_move(&w.rules.params, 0, w.rules.game(0).unwrap(), Role::Solver, &lie).unwrap();
    w.send(liar, m, 1).unwrap();
    challenge(&mut w, puppet, 10);
    // Game 1 (the puppet): the puppet reveals, the liar never does, so it
    // loses game 1 first, at 10 + clock, and the claim is rejected.
    let m = next_move(&w.rules.params, 1, w.rules.game(1).unwrap(), Role::Challenger, &f.trace).unwrap();
    w.send(puppet, m, 12).unwrap();
    for at in [20, 21] {
        // Its first reveal narrows; its second is its move in the next round.
        let m = next_move(&w.rules.params, 0, w.rules.game(0).unwrap(), Role::Challenger, &f.trace).unwrap();
        w.send(honest, m, at).unwrap();
    }
    let ev = w.rules.tick_all(10 + clock);
    assert!(ev.contains(&Event::ClaimRejected { claim: id, game: 1 }), "{ev:?}");
    assert_eq!(w.rules.game(1).unwrap().status, GameStatus::Won(Role::Challenger));
    assert_eq!(w.rules.game(0).unwrap().status, GameStatus::Open, "the honest game plays on");
    assert!(w.rules.claim(&id).unwrap().bond_held, "the liar's bond waits for the last game");
    assert_eq!(
        w.rules.state.account(&pubkey(puppet)).balance,
        BOND,
        "the puppet got its bond back, no share"
    );

    // Game 0 ends when the liar's clock runs out: now the bond is forfeited,
    // the share to the honest challenger (game 0 was posted first).
    let ev = w.rules.tick_all(20 + clock);
    assert!(ev.contains(&Event::ClaimSettled { claim: id, paid: Some(0) }), "{ev:?}");
    let share = w.rules.params.share(BOND);
    assert_eq!(w.rules.state.account(&pubkey(honest)).balance, BOND + share);
    assert_eq!(w.rules.state.account(&pubkey(puppet)).balance, BOND);
    assert_eq!(w.rules.state.burned, BOND - share);
    assert!(w.rules.state.claims.is_empty(), "the claim has ended and left the state");
    w.check_conservation();
}

#[test]
fn a_liar_that_loses_only_to_challengers_who_lie_too_forfeits_its_whole_bond() {
    // Every game lost by both sides (both silent): nobody was right, so
    // nobody is paid, and the claim's bond is burned once, at the end.
    let (body, _) = lying_claim(T, 50, BOND);
    let mut w = World::new(params());
    w.mint(1, 10 * BOND, 0);
    let id = w.next_claim_id(1);
    w.send(1, Message::Claim(Box::new(body)), 0).unwrap();
    for k in [2, 3] {
        w.mint(k, BOND, 0);
        let made_up = B32([k; 32]);
        w.send(
            k,
            Message::Challenge { claim: id, history_root: made_up, final_root: made_up, bond: BOND },
            0,
        )
        .unwrap();
    }
    let ev = w.rules.tick_all(w.rules.params.clock_ms);
    assert_eq!(ev.iter().filter(|e| matches!(e, Event::GameLostByBoth { .. })).count(), 2);
    assert_eq!(ev.iter().filter(|e| matches!(e, Event::ClaimSettled { paid: None, .. })).count(), 1);
    assert_eq!(w.rules.state.burned, 3 * BOND);
    w.check_conservation();
}
