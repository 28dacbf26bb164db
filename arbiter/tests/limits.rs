//! Refused moves cost their sender (security review finding 5e): past
//! `REFUSED_MOVES_PER_SECOND` (in bursts of twice that), an account's
//! moves are answered `rate_limited` before any check, while its opponent
//! and everyone else are served as before.

mod common;

use common::*;
use refute_arbiter::service::REFUSED_MOVES_PER_SECOND;
use refute_challenger::play::next_move;
use refute_protocol::rules::{Blob, GameStatus, Message, Role};

/// Signs `m` as player `p` with its next nonce and submits it; the refusal's
/// code, if any (for messages that are refused: `Arena::send` keeps the nonces).
fn code(a: &Arena, p: u8, m: Message) -> Option<String> {
    let nonce = a.service.read(|c| c.rules.state.account(&pk(p)).nonce);
    let signed = m.sign(&a.params.genesis(), &key(p), nonce);
    let s = a.service.clone();
    a.rt.block_on(s.submit(signed)).err().map(|e| e.code().to_string())
}

#[test]
fn refused_moves_past_the_budget_are_rate_limited_and_the_opponent_is_not() {
    let mut a = Arena::new(24 * 3600 * 1000);
    let (claim, liar) = lying_claim(&mut a, 50);
    let real = &fixture().real;
    let game = a.challenge(2, claim, real);
    // The liar (player 1) floods the game with step proofs that do not decode.
    let junk = || Message::Step { game, also: vec![], proof: Blob(vec![7; 64]) };
    let burst = (2.0 * REFUSED_MOVES_PER_SECOND) as usize;
    let codes: Vec<Option<String>> = (0..burst + 10).map(|_| code(&a, 1, junk())).collect();
    let limited = codes.iter().filter(|c| c.as_deref() == Some("rate_limited")).count();
    assert!(codes.iter().all(Option::is_some), "a junk proof was accepted");
    assert!(limited >= 5, "{limited} of {} junk moves rate limited: {codes:?}", codes.len());
    assert_ne!(codes[0].as_deref(), Some("rate_limited"), "the first refusal is the rules' own");
    // The honest challenger's moves are served at once, and the liar's own
    // are limited only until its budget refills: the game plays out.
    let before = a.service.game(game).unwrap().unwrap().moves;
    let g = a.service.game(game).unwrap().unwrap();
    let m = next_move(&a.params, game, &g, Role::Challenger, real).expect("the challenger owes a reveal");
    a.send(2, m);
    assert_eq!(a.service.game(game).unwrap().unwrap().moves, before + 1);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(a.play(game, [(1, Some(&liar)), (2, Some(real))]), GameStatus::Won(Role::Challenger));
}
