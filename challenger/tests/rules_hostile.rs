//! Hostile input: every refused message has a precise code and changes nothing.

#[path = "common/rules.rs"]
mod support;

use refute_challenger::play::{Trace, history_root, next_move};
use refute_protocol::rules::{B32, Blob, Faucet, Message, Role, Rules, ServiceNote, VrfProof, lottery_prove};
use support::*;

const SOLVER: u8 = 1;
const CHALLENGER: u8 = 2;
const OTHER: u8 = 3;

/// A world with an honest claim by SOLVER and a lying challenge by CHALLENGER (game 0).
fn world() -> (World, B32) {
    let mut w = World::new(params());
    for k in [SOLVER, CHALLENGER, OTHER] {
        w.mint(k, 10_000, 0);
    }
    let claim = w.next_claim_id(SOLVER);
    w.send(SOLVER, Message::Claim(Box::new(honest_claim(300, 1000))), 1).unwrap();
    let l = liar(100, 2);
    let m = Message::Challenge {
        claim,
        history_root: history_root(&l, 300, 5),
        final_root: l.root(300),
        bond: 500,
    };
    w.send(CHALLENGER, m, 2).unwrap();
    (w, claim)
}

/// Sends `msg` as `who` at `now` and checks it is refused with `code`, changing nothing.
fn refused(w: &mut World, who: u8, msg: Message, now: u64, code: &str) {
    let before = w.rules.clone();
    let e = w.send(who, msg, now).expect_err("accepted");
    assert_eq!(e.code(), code, "{e}");
    assert!(!e.to_string().is_empty());
    assert_eq!(w.rules, before, "{code}: state changed");
}

fn solver_move(w: &World) -> Message {
    let g = w.rules.game(0).unwrap().clone();
    next_move(&w.rules.params, 0, &g, Role::Solver, &fixture().trace).unwrap()
}

#[test]
fn signatures_and_nonces() {
    let (mut w, _) = world();
    let before = w.rules.clone();
    let mut m = Message::Mint { to: pubkey(OTHER), amount: 5 }.sign(
        &w.rules.genesis(),
        &key(OTHER),
        w.nonces[OTHER as usize],
    );
    m.signature.0[3] ^= 1;
    assert_eq!(w.rules.apply(&m, 10).unwrap_err().code(), "bad_signature");
    let mut m2 = Message::Mint { to: pubkey(OTHER), amount: 5 }.sign(&w.rules.genesis(), &key(OTHER), 1);
    m2.body = Message::Mint { to: pubkey(OTHER), amount: 6 };
    assert_eq!(w.rules.apply(&m2, 10).unwrap_err().code(), "bad_signature");
    let good = Message::Mint { to: pubkey(OTHER), amount: 5 }.sign(&w.rules.genesis(), &key(OTHER), 1);
    let future = Message::Mint { to: pubkey(OTHER), amount: 5 }.sign(&w.rules.genesis(), &key(OTHER), 7);
    assert_eq!(w.rules.apply(&future, 10).unwrap_err().code(), "bad_nonce");
    let mut bad_key = good.clone();
    bad_key.signer = B32([0xff; 32]);
    assert!(matches!(w.rules.apply(&bad_key, 10).unwrap_err().code(), "bad_key" | "bad_signature"));
    assert_eq!(w.rules, before);
    w.rules.apply(&good, 10).unwrap();
    let after = w.rules.clone();
    assert_eq!(w.rules.apply(&good, 11).unwrap_err().code(), "bad_nonce", "a replay");
    assert_eq!(w.rules, after);
    assert_eq!(w.rules.apply(&good, 5).unwrap_err().code(), "clock_backwards");
}

#[test]
fn faucet() {
    let mut p = params();
    p.faucet = Faucet::Open { max_per_request: 10 };
    let mut w = World::new(p.clone());
    refused(&mut w, OTHER, Message::Mint { to: pubkey(OTHER), amount: 11 }, 0, "mint_too_large");
    p.faucet = Faucet::Operator(pubkey(OTHER));
    let mut w = World::new(p);
    refused(&mut w, SOLVER, Message::Mint { to: pubkey(SOLVER), amount: 1 }, 0, "not_faucet");
    w.send(OTHER, Message::Mint { to: pubkey(SOLVER), amount: u64::MAX }, 0).unwrap();
    refused(&mut w, OTHER, Message::Mint { to: pubkey(SOLVER), amount: 1 }, 0, "overflow");
}

#[test]
fn claims() {
    let mut w = World::new(params());
    w.mint(SOLVER, 10_000, 0);
    let c = honest_claim(300, 1000);
    let with = |f: &dyn Fn(&mut refute_protocol::rules::ClaimBody)| {
        let mut c = c.clone();
        f(&mut c);
        Message::Claim(Box::new(c))
    };
    refused(&mut w, SOLVER, with(&|c| c.bond = 99), 1, "bond_too_small");
    // The least bond grows with the claim's step limit (§5.2).
    assert_eq!(params().claim_bond_min(300), params().min_claim_bond);
    let min = params().claim_bond_min(3 << 30);
    assert_eq!(min, params().min_claim_bond + 3 * params().bond_per_gstep);
    refused(&mut w, SOLVER, with(&|c| (c.max_steps, c.bond) = (3 << 30, min - 1)), 1, "bond_too_small");
    refused(&mut w, SOLVER, with(&|c| c.bond = 20_000), 1, "insufficient_funds");
    refused(&mut w, SOLVER, with(&|c| c.max_steps = 0), 1, "bad_claim");
    refused(&mut w, SOLVER, with(&|c| c.final_header.0.pop().map(drop).unwrap()), 1, "bad_final_header");
    refused(&mut w, SOLVER, with(&|c| c.final_root.0[0] ^= 1), 1, "bad_final_header");
    refused(&mut w, SOLVER, with(&|c| c.stdout = Blob(b"hi".to_vec())), 1, "bad_final_header");
    // Halted after fewer steps than the header says, or still running before the limit.
    refused(&mut w, SOLVER, with(&|c| c.max_steps = fixture().halt - 1), 1, "bad_final_header");
    let running = with_status(&c.final_header.0, 0);
    let r = B32::sha256(&[&running]);
    refused(
        &mut w,
        SOLVER,
        with(&|c| {
            c.final_header = Blob(running.clone());
            c.final_root = r;
        }),
        1,
        "bad_final_header",
    );
    // The service's note.
    let signed =
        Message::Claim(Box::new(c.clone())).sign(&w.rules.genesis(), &key(SOLVER), w.nonces[SOLVER as usize]);
    let before = w.rules.clone();
    assert_eq!(w.rules.apply(&signed, 1).unwrap_err().code(), "missing_note");
    let vrf = lottery_prove(&key(ARBITER), &signed.claim_id());
    let wrong = ServiceNote { initial_root: B32([1; 32]), vrf };
    assert_eq!(w.rules.apply_with(&signed, Some(&wrong), 1).unwrap_err().code(), "wrong_initial_root");
    // Another key's proof, a proof of another claim, and bytes that are no proof.
    let forged =
        ServiceNote { initial_root: c.initial_root, vrf: lottery_prove(&key(9), &signed.claim_id()) };
    assert_eq!(w.rules.apply_with(&signed, Some(&forged), 1).unwrap_err().code(), "bad_lottery");
    let elsewhere =
        ServiceNote { initial_root: c.initial_root, vrf: lottery_prove(&key(ARBITER), &B32([3; 32])) };
    assert_eq!(w.rules.apply_with(&signed, Some(&elsewhere), 1).unwrap_err().code(), "bad_lottery");
    let other = ServiceNote { initial_root: c.initial_root, vrf: VrfProof([0; 80]) };
    assert_eq!(w.rules.apply_with(&signed, Some(&other), 1).unwrap_err().code(), "bad_lottery");
    let mint = Message::Mint { to: pubkey(SOLVER), amount: 1 }.sign(
        &w.rules.genesis(),
        &key(SOLVER),
        w.nonces[SOLVER as usize],
    );
    let note = ServiceNote { initial_root: c.initial_root, vrf };
    assert_eq!(w.rules.apply_with(&mint, Some(&note), 1).unwrap_err().code(), "unexpected_note");
    assert_eq!(w.rules, before);
    w.rules.apply_with(&signed, Some(&note), 1).unwrap();
}

#[test]
fn challenges_and_attestations() {
    let (mut w, claim) = world();
    let f = fixture();
    let honest = |bond| Message::Challenge {
        claim,
        history_root: history_root(&f.trace, 300, 5),
        final_root: f.trace.root(300),
        bond,
    };
    let lie = |bond| Message::Challenge { claim, history_root: B32([5; 32]), final_root: B32([5; 32]), bond };
    refused(&mut w, OTHER, honest(500), 3, "same_final_root");
    refused(&mut w, SOLVER, lie(500), 3, "own_claim");
    refused(&mut w, CHALLENGER, lie(500), 3, "already_challenged");
    refused(&mut w, OTHER, lie(99), 3, "bond_too_small");
    refused(&mut w, OTHER, lie(20_000), 3, "insufficient_funds");
    let unknown = Message::Challenge {
        claim: B32([3; 32]),
        history_root: B32([5; 32]),
        final_root: B32([5; 32]),
        bond: 500,
    };
    refused(&mut w, OTHER, unknown, 3, "unknown_claim");
    let end = w.rules.claim(&claim).unwrap().window_ends;
    refused(&mut w, OTHER, lie(500), end, "too_late");
    refused(&mut w, OTHER, Message::Attest { claim, commitment: B32([7; 32]) }, 3, "not_member");
    refused(&mut w, OTHER, Message::Unregister, 3, "not_registered");
    refused(&mut w, OTHER, Message::Register { stake: 1 }, 3, "bond_too_small");
}

#[test]
fn game_moves() {
    let (mut w, _) = world();
    let m = solver_move(&w);
    let Message::Reveal { game, layer_root, roots, proof, .. } = m.clone() else { panic!("{m:?}") };
    refused(&mut w, OTHER, m.clone(), 3, "not_a_player");
    refused(
        &mut w,
        SOLVER,
        Message::Reveal { game: 9, also: vec![], layer_root, roots: roots.clone(), proof: proof.clone() },
        3,
        "unknown_game",
    );
    refused(
        &mut w,
        SOLVER,
        Message::Reveal { game, also: vec![], layer_root, roots: roots[1..].to_vec(), proof: proof.clone() },
        3,
        "bad_reveal",
    );
    refused(
        &mut w,
        SOLVER,
        Message::Reveal { game, also: vec![], layer_root, roots: roots.clone(), proof: Blob(vec![1, 2]) },
        3,
        "bad_multiproof",
    );
    let mut wrong = roots.clone();
    wrong[1].0[0] ^= 1;
    refused(
        &mut w,
        SOLVER,
        Message::Reveal { game, also: vec![], layer_root, roots: wrong, proof: proof.clone() },
        3,
        "bad_multiproof",
    );
    refused(
        &mut w,
        SOLVER,
        Message::Reveal {
            game,
            also: vec![],
            layer_root: Some(B32([1; 32])),
            roots: roots.clone(),
            proof: proof.clone(),
        },
        3,
        "wrong_move",
    );
    refused(&mut w, SOLVER, Message::Step { game, also: vec![], proof: Blob(f_proof(0)) }, 3, "wrong_move");
    let deadline = w.rules.game(0).unwrap().sides[0].deadline().unwrap();
    // At its deadline the game's timeout is due: the rules want the tick
    // first, and after it the game is over.
    refused(&mut w, SOLVER, m.clone(), deadline, "tick_pending");
    w.send(SOLVER, m.clone(), 3).unwrap();
    refused(&mut w, SOLVER, m, 4, "not_your_turn");
}

fn f_proof(step: u64) -> Vec<u8> {
    fixture().trace.step_proof(step)
}

#[test]
fn step_proofs() {
    let (mut w, _) = world();
    let p = w.rules.params.clone();
    let l = liar(100, 2);
    // Play both sides until the step is disputed.
    for now in 3..100 {
        if w.rules.game(0).unwrap().phase == refute_protocol::rules::Phase::Step {
            break;
        }
        for (who, role, tr) in
            [(SOLVER, Role::Solver, &fixture().trace as &dyn Trace), (CHALLENGER, Role::Challenger, &l)]
        {
            let g = w.rules.game(0).unwrap().clone();
            if let Some(m) = next_move(&p, 0, &g, role, tr) {
                w.send(who, m, now).unwrap();
            }
        }
    }
    let g = w.rules.game(0).unwrap().clone();
    assert_eq!(g.agreed, fixture().trace.root(99));
    refused(
        &mut w,
        SOLVER,
        Message::Step { game: 0, also: vec![], proof: Blob(f_proof(50)) },
        200,
        "wrong_step",
    );
    refused(
        &mut w,
        SOLVER,
        Message::Step { game: 0, also: vec![], proof: Blob(vec![0; 40]) },
        200,
        "bad_proof",
    );
    let mut tampered = f_proof(99);
    let n = tampered.len();
    tampered[n - 1] ^= 1;
    refused(&mut w, SOLVER, Message::Step { game: 0, also: vec![], proof: Blob(tampered) }, 200, "bad_proof");
    refused(
        &mut w,
        SOLVER,
        Message::Reveal { game: 0, also: vec![], layer_root: None, roots: vec![], proof: Blob(vec![0; 4]) },
        200,
        "wrong_move",
    );
    // The liar may send the true proof: it loses.
    w.send(CHALLENGER, Message::Step { game: 0, also: vec![], proof: Blob(f_proof(99)) }, 200).unwrap();
    refused(
        &mut w,
        SOLVER,
        Message::Step { game: 0, also: vec![], proof: Blob(f_proof(99)) },
        201,
        "game_over",
    );
    w.check_conservation();
}

#[test]
fn params_are_validated() {
    let mut p = params();
    p.k = 1;
    assert!(Rules::new(p).unwrap_err().to_string().contains("k = 1"));
    let mut p = params();
    p.max_leaves = 2;
    assert!(Rules::new(p).unwrap_err().to_string().contains("max_leaves"));
    let mut p = params();
    p.winner_share_pct = 101;
    assert!(Rules::new(p).unwrap_err().to_string().contains("winner_share_pct"));
}

#[test]
fn canonical_encoding_and_json() {
    let m = Message::Attest { claim: B32([0xab; 32]), commitment: B32([7; 32]) };
    let body = m.encode();
    assert_eq!(body.len(), 65);
    assert_eq!(body[0], 6);
    assert_eq!(&body[33..], &[7; 32]);
    let genesis = params().genesis();
    let s = m.clone().sign(&genesis, &key(1), 5);
    let bytes = refute_protocol::rules::signing_bytes(&genesis, &s.signer, 5, &m);
    assert_eq!(&bytes[..14], b"refute msg v2\0");
    assert_eq!(&bytes[14..46], &genesis.0);
    assert_eq!(&bytes[46..54], &5u64.to_le_bytes());
    assert_eq!(&bytes[54..86], &pubkey(1).0);
    assert_eq!(&bytes[86..], &body[..]);
    let json = serde_json::to_string(&s).unwrap();
    assert!(json.contains(&"ab".repeat(32)), "{json}");
    let back: refute_protocol::rules::Signed = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
    back.verify(&genesis).unwrap();
}
