//! Refused moves cost their sender (security review finding 5e): past
//! `REFUSED_MOVES_PER_SECOND` (in bursts of twice that), an account's
//! moves are answered `rate_limited` before any check, while its opponent
//! and everyone else are served as before. Refused claims do too: past
//! `FAILED_NOTE_BYTES_PER_SECOND` of blobs read for notes that failed, an
//! account's claims are answered `rate_limited` before any blob is read.

mod common;

use common::*;
use refute_arbiter::service::{FAILED_NOTE_BYTES_PER_SECOND, REFUSED_MOVES_PER_SECOND};
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

/// A claim of `module` with the small fixture's terms: its note fails
/// (`bad_task`) unless the module loads.
fn claim_of(a: &Arena, module: &[u8]) -> Message {
    let f = fixture();
    Message::Claim(Box::new(a.claim_body(module, &f.real, f.final_header.clone())))
}

#[test]
fn refused_claims_past_their_budget_are_rate_limited_and_other_claims_are_not() {
    // Modules of at most 1 MiB: the budget's burst is its floor, two
    // seconds' worth (8 MiB), so about eight failed notes of 1 MiB.
    let mut a = Arena::with_config(24 * 3600 * 1000, |c| {
        c.params.max_module_bytes = 1 << 20;
        c.params.max_input_bytes = 1 << 10;
    });
    let junk: Vec<u8> = (0..1u32 << 20).map(|i| (i % 251) as u8).collect();
    let burst = (2.0 * FAILED_NOTE_BYTES_PER_SECOND / f64::from(1u32 << 20)) as usize;
    let codes: Vec<String> = (0..burst + 6)
        .map(|_| code(&a, 1, claim_of(&a, &junk)).expect("a junk module was accepted"))
        .collect();
    assert_eq!(codes[0], "bad_task", "the first refusal is the note's own");
    let limited = codes.iter().filter(|c| *c == "rate_limited").count();
    assert!(limited >= 3, "{limited} of {} junk claims rate limited: {codes:?}", codes.len());
    assert!(
        codes[..burst - 1].iter().all(|c| c == "bad_task"),
        "limited before the burst was spent: {codes:?}"
    );
    // The limit names its cause; another account's claim is served at once.
    let s = a.service.clone();
    let nonce = a.service.read(|c| c.rules.state.account(&pk(1)).nonce);
    let signed = claim_of(&a, &junk).sign(&a.params.genesis(), &key(1), nonce);
    let e = a.rt.block_on(s.submit(signed)).unwrap_err().to_string();
    assert!(e.contains("refused claims made the arbiter load more than 4 MiB"), "{e}");
    let f = fixture();
    let honest = a.claim(2, &f.real, f.final_header.clone());
    assert!(a.service.claim(&honest).unwrap().is_some());
    // Once the budget refills, the same account claims again.
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let again = a.claim(1, &f.real, f.final_header.clone());
    assert!(a.service.claim(&again).unwrap().is_some());
}
