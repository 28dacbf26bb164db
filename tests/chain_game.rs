//! The game contract held to the rules (`specs/chain.md` §7): the games of
//! `challenger/tests/rules_game.rs` and `rules_crowds.rs` (a real run,
//! honest and lying traces, consistent, random and silent liars, crowds
//! sharing moves) played on `refute-protocol`'s rules and on the `Referee`
//! contract in revm at once. Every message is accepted or refused alike
//! (the same error code), every transition emits the same events and moves
//! the same amounts, and the contract always holds exactly what it accounts
//! for.

#[path = "../challenger/tests/common/rules.rs"]
mod support;

#[path = "common/both.rs"]
mod both;

use both::{Both, MS};
use refute_challenger::play::{Trace, history_root, next_move};
use refute_protocol::rules::ClaimBody;
use refute_protocol::rules::{B32, Blob, GameStatus, Message, Params, Role};
use support::{Liar, Rng, corrupt, fixture, liar};

/// The rules tests' honest claim, naming blobs published on chain.
fn honest_claim(t: u64, bond: u64) -> ClaimBody {
    both::with_blobs(support::honest_claim(t, bond))
}

/// The rules tests' lying claim, naming blobs published on chain.
fn lying_claim(t: u64, from: u64, bond: u64) -> (ClaimBody, Liar) {
    let (c, l) = support::lying_claim(t, from, bond);
    (both::with_blobs(c), l)
}

const SOLVER: u8 = 1;
const CHALLENGER: u8 = 2;

/// The rules tests' parameters (k = 4 over 5 leaves: several layers and
/// rounds on a few hundred steps), with clocks and windows in whole seconds.
fn params() -> Params {
    let mut p = support::params();
    p.clock_ms = 100 * MS;
    p.challenge_window_ms = 1000 * MS;
    p
}

#[derive(Clone, Copy, Debug)]
enum Style {
    Consistent,
    Random,
    Silent,
}

fn status(b: &Both, game: u64) -> GameStatus {
    b.w.rules.game(game).expect("the game").status
}

/// Plays `game` to its end on both referees.
fn play_out(
    b: &mut Both,
    game: u64,
    honest: (u8, Role, &dyn Trace),
    liar: (u8, Role, &dyn Trace),
    style: Style,
    seed: u64,
) {
    let mut rng = Rng(seed);
    let p = b.w.rules.params.clone();
    for _ in 0..1_000 {
        if status(b, game) != GameStatus::Open {
            return;
        }
        let honest_move = |b: &mut Both| {
            let g = b.w.rules.game(game).unwrap().clone();
            if let Some(m) = next_move(&p, game, &g, honest.1, honest.2) {
                b.send(honest.0, m).unwrap_or_else(|e| panic!("the honest move was refused: {e}"));
            }
        };
        honest_move(b);
        let g = b.w.rules.game(game).unwrap().clone();
        if g.status == GameStatus::Open
            && let Some(m) = next_move(&p, game, &g, liar.1, liar.2)
        {
            let r = rng.next() % 8;
            match style {
                Style::Silent => {}
                Style::Random if r == 0 => {}
                Style::Random if r <= 3 => {
                    let bad = corrupt(&m, &mut rng);
                    assert!(b.send(liar.0, bad).is_err(), "a corrupted move was accepted");
                }
                _ => {
                    b.send(liar.0, m).expect("the liar's consistent move");
                }
            }
        }
        honest_move(b);
        let slow = matches!(style, Style::Silent)
            || (matches!(style, Style::Random) && rng.next().is_multiple_of(4));
        let jump = if slow { p.clock_ms / MS / 3 } else { 1 };
        b.advance(1 + rng.next() % jump.max(1));
    }
    panic!("game {game} did not end");
}

/// A claim and a challenge of it on both: the liar lies from step `from`.
fn game(t: u64, from: u64, honest_solver: bool) -> (Both, Box<dyn Trace>) {
    let mut b = Both::new(params());
    b.fund(SOLVER, 10_000);
    b.fund(CHALLENGER, 10_000);
    let claim = b.w.next_claim_id(SOLVER);
    let f = fixture();
    let max_leaves = b.w.rules.params.max_leaves;
    if honest_solver {
        b.send(SOLVER, Message::Claim(Box::new(honest_claim(t, 1000)))).unwrap();
        let l = liar(from, 2);
        let m = Message::Challenge {
            claim,
            history_root: history_root(&l, t, max_leaves),
            final_root: l.root(t),
            bond: 500,
        };
        b.send(CHALLENGER, m).unwrap();
        (b, Box::new(l))
    } else {
        let (body, l) = lying_claim(t, from, 1000);
        b.send(SOLVER, Message::Claim(Box::new(body))).unwrap();
        let m = Message::Challenge {
            claim,
            history_root: history_root(&f.trace, t, max_leaves),
            final_root: f.trace.root(t),
            bond: 500,
        };
        b.send(CHALLENGER, m).unwrap();
        (b, Box::new(l))
    }
}

fn check_game(t: u64, from: u64, honest_solver: bool, style: Style, seed: u64) -> Both {
    let (mut b, l) = game(t, from, honest_solver);
    let f = fixture();
    let (honest, liar) = if honest_solver {
        ((SOLVER, Role::Solver, &f.trace as &dyn Trace), (CHALLENGER, Role::Challenger, l.as_ref()))
    } else {
        ((CHALLENGER, Role::Challenger, &f.trace as &dyn Trace), (SOLVER, Role::Solver, l.as_ref()))
    };
    play_out(&mut b, 0, honest, liar, style, seed);
    assert_eq!(status(&b, 0), GameStatus::Won(honest.1), "t {t} from {from} {style:?}: the honest side lost");
    // The window closes and the claim ends alike on both.
    b.advance(params().challenge_window_ms / MS);
    b
}

#[test]
fn consistent_liars_lose_alike_on_chain() {
    let halt = fixture().halt;
    let mut steps = 0;
    for (t, from) in [(halt + 7, 1), (halt + 7, halt / 2), (halt + 7, halt), (halt / 3, 5), (40, 39)] {
        for honest_solver in [true, false] {
            let b = check_game(t, from, honest_solver, Style::Consistent, 1);
            steps += b.gas.len();
        }
    }
    assert!(steps > 100, "the games made {steps} transactions");
}

/// Six seeds in the test command; `REFUTE_CHAIN_GAME_SEEDS=N` plays N (a
/// longer run, specs/chain.md §7.4).
#[test]
fn random_and_silent_liars_lose_alike_on_chain() {
    let halt = fixture().halt;
    let seeds: u64 = std::env::var("REFUTE_CHAIN_GAME_SEEDS").ok().and_then(|s| s.parse().ok()).unwrap_or(6);
    let mut txs = 0;
    for seed in 0..seeds {
        let from = 1 + (seed * halt / 7) % (halt - 1);
        txs += check_game(halt + 3, from, seed % 2 == 0, Style::Random, seed).gas.len();
    }
    println!("{seeds} random games: {txs} accepted transactions, each held to the rules");
    check_game(halt + 3, 10, true, Style::Silent, 9);
    check_game(halt + 3, 10, false, Style::Silent, 9);
}

/// Two liars: the game ends at the step with neither right, and both lose.
#[test]
fn two_liars_both_lose_alike_on_chain() {
    let halt = fixture().halt;
    let t = halt + 5;
    let mut b = Both::new(params());
    b.fund(SOLVER, 10_000);
    b.fund(CHALLENGER, 10_000);
    let claim = b.w.next_claim_id(SOLVER);
    let (body, solver_lie) = lying_claim(t, 30, 1000);
    b.send(SOLVER, Message::Claim(Box::new(body))).unwrap();
    let challenger_lie = liar(30, 3);
    let m = Message::Challenge {
        claim,
        history_root: history_root(&challenger_lie, t, 5),
        final_root: challenger_lie.root(t),
        bond: 500,
    };
    b.send(CHALLENGER, m).unwrap();
    let p = b.w.rules.params.clone();
    for _ in 0..200 {
        if status(&b, 0) != GameStatus::Open {
            break;
        }
        for (who, role, trace) in [
            (SOLVER, Role::Solver, &solver_lie as &dyn Trace),
            (CHALLENGER, Role::Challenger, &challenger_lie),
        ] {
            let g = b.w.rules.game(0).unwrap().clone();
            if let Some(m) = next_move(&p, 0, &g, role, trace) {
                b.send(who, m).unwrap();
            }
        }
        b.advance(1);
    }
    assert_eq!(status(&b, 0), GameStatus::LostByBoth);
}

/// An honest claim nobody challenges becomes final when its window closes, on both.
#[test]
fn an_unchallenged_claim_becomes_final_alike_on_chain() {
    let mut b = Both::new(params());
    b.fund(SOLVER, 5_000);
    b.send(SOLVER, Message::Claim(Box::new(honest_claim(fixture().halt + 1, 1000)))).unwrap();
    let (rust, _) = b.advance(999);
    assert!(rust.is_empty(), "nothing is due before the window closes");
    let (rust, _) = b.advance(1);
    assert_eq!(rust, vec!["final c0".to_string(), "returned p1 1000".into()]);
}

/// A crowd of liars challenges an honest claim; the solver answers every
/// game with one move naming them all (`also`), and wins every game.
#[test]
fn one_shared_move_answers_a_crowd_alike_on_chain() {
    let t = fixture().halt + 2;
    let crowd = [3u8, 4, 5, 6, 7, 8];
    let mut b = Both::new(params());
    b.fund(SOLVER, 10_000);
    let claim = b.w.next_claim_id(SOLVER);
    b.send(SOLVER, Message::Claim(Box::new(honest_claim(t, 1000)))).unwrap();
    // Half the crowd lies from step 20, half from step 50: two points.
    let lies: Vec<_> = crowd.iter().map(|&c| liar(if c % 2 == 0 { 20 } else { 50 }, c)).collect();
    for (&c, l) in crowd.iter().zip(&lies) {
        b.fund(c, 1_000);
        let m = Message::Challenge {
            claim,
            history_root: history_root(l, t, 5),
            final_root: l.root(t),
            bond: 500,
        };
        b.send(c, m).unwrap();
    }
    let games: Vec<u64> = (0..crowd.len() as u64).collect();
    let p = b.w.rules.params.clone();
    let f = fixture();
    for _ in 0..200 {
        let open: Vec<u64> = games.iter().copied().filter(|&g| status(&b, g) == GameStatus::Open).collect();
        if open.is_empty() {
            break;
        }
        // The solver: one move per distinct point, naming every open game.
        let mut moved = std::collections::BTreeSet::new();
        for &g in &open {
            let game = b.w.rules.game(g).unwrap().clone();
            if status(&b, g) != GameStatus::Open || moved.contains(&g) {
                continue;
            }
            let Some(mut m) = next_move(&p, g, &game, Role::Solver, &f.trace) else { continue };
            let others: Vec<u64> = open.iter().copied().filter(|&o| o != g).collect();
            match &mut m {
                Message::Reveal { also, .. } | Message::Step { also, .. } => *also = others.clone(),
                _ => unreachable!(),
            }
            b.send(SOLVER, m).expect("the shared move");
            moved.insert(g);
            // Games at the same point took it too.
            for &o in &others {
                let og = b.w.rules.game(o).unwrap();
                if og.status != GameStatus::Open || og.side(Role::Solver).owes_since.is_none() {
                    moved.insert(o);
                }
            }
        }
        for (i, (&c, l)) in crowd.iter().zip(&lies).enumerate() {
            let g = b.w.rules.game(i as u64).unwrap().clone();
            if let Some(m) = next_move(&p, i as u64, &g, Role::Challenger, l) {
                b.send(c, m).unwrap();
            }
        }
        b.advance(1);
    }
    for &g in &games {
        assert_eq!(status(&b, g), GameStatus::Won(Role::Solver), "game {g}");
    }
    let shared = b.gas.iter().filter(|(k, _)| *k == "reveal" || *k == "step").count();
    assert!(shared > 0);
}

/// A liar's bond goes half to the challenger of the earliest game it lost,
/// however the games end (`rules_crowds.rs`); a lying puppet loses its own.
#[test]
fn the_liars_bond_goes_to_the_earliest_game_it_lost_alike_on_chain() {
    let t = fixture().halt + 4;
    let mut b = Both::new(params());
    for who in [SOLVER, CHALLENGER, 3] {
        b.fund(who, 10_000);
    }
    let claim = b.w.next_claim_id(SOLVER);
    let (body, solver_lie) = lying_claim(t, 40, 2000);
    b.send(SOLVER, Message::Claim(Box::new(body))).unwrap();
    let f = fixture();
    // Game 0: an honest challenger. Game 1: a second honest one.
    for who in [CHALLENGER, 3] {
        let m = Message::Challenge {
            claim,
            history_root: history_root(&f.trace, t, 5),
            final_root: f.trace.root(t),
            bond: 700,
        };
        b.send(who, m).unwrap();
    }
    // Game 1 ends first (the solver is silent there), game 0 later.
    let p = b.w.rules.params.clone();
    for _ in 0..400 {
        if status(&b, 0) != GameStatus::Open && status(&b, 1) != GameStatus::Open {
            break;
        }
        for (g, who) in [(0u64, CHALLENGER), (1, 3)] {
            let game = b.w.rules.game(g).unwrap().clone();
            if let Some(m) = next_move(&p, g, &game, Role::Challenger, &f.trace) {
                b.send(who, m).unwrap();
            }
        }
        let game = b.w.rules.game(0).unwrap().clone();
        if let Some(m) = next_move(&p, 0, &game, Role::Solver, &solver_lie) {
            b.send(SOLVER, m).unwrap();
        }
        b.advance(7);
    }
    assert_eq!(status(&b, 0), GameStatus::Won(Role::Challenger));
    assert_eq!(status(&b, 1), GameStatus::Won(Role::Challenger));
}

/// Hostile and mistaken messages are refused alike, with the same code, and change nothing.
#[test]
fn refusals_are_alike_on_chain() {
    let t = fixture().halt + 2;
    let mut b = Both::new(params());
    for who in [SOLVER, CHALLENGER, 3] {
        b.fund(who, 2_000);
    }
    let f = fixture();
    let honest = || honest_claim(t, 1000);
    let claim = b.w.next_claim_id(SOLVER);
    let refused = |b: &mut Both, who: u8, m: Message, code: &str| {
        assert_eq!(b.send(who, m), Err(code.to_string()));
    };
    refused(&mut b, SOLVER, Message::Claim(Box::new(honest_claim(t, 99))), "bond_too_small");
    refused(&mut b, SOLVER, Message::Claim(Box::new(honest_claim(t, 9_999))), "insufficient_funds");
    let mut zero = honest();
    zero.max_steps = 0;
    refused(&mut b, SOLVER, Message::Claim(Box::new(zero)), "bad_claim");
    let mut early = honest();
    early.final_header = Blob(f.headers[5].clone());
    early.final_root = f.trace.root(5);
    refused(&mut b, SOLVER, Message::Claim(Box::new(early)), "bad_final_header");
    let mut short = honest();
    short.final_header = Blob(vec![0; 10]);
    refused(&mut b, SOLVER, Message::Claim(Box::new(short)), "bad_final_header");
    b.send(SOLVER, Message::Claim(Box::new(honest()))).unwrap();

    let l = liar(20, 4);
    let challenge = |bond: u64, root: B32| Message::Challenge {
        claim,
        history_root: history_root(&l, t, 5),
        final_root: root,
        bond,
    };
    refused(&mut b, SOLVER, challenge(500, l.root(t)), "own_claim");
    refused(&mut b, CHALLENGER, challenge(500, f.trace.root(t)), "same_final_root");
    refused(&mut b, CHALLENGER, challenge(99, l.root(t)), "bond_too_small");
    let unknown = Message::Challenge {
        claim: B32([5; 32]),
        history_root: B32([1; 32]),
        final_root: B32([2; 32]),
        bond: 500,
    };
    refused(&mut b, CHALLENGER, unknown, "unknown_claim");
    b.send(CHALLENGER, challenge(500, l.root(t))).unwrap();
    refused(&mut b, CHALLENGER, challenge(500, l.root(t)), "already_challenged");

    let p = b.w.rules.params.clone();
    let g = b.w.rules.game(0).unwrap().clone();
    let m = next_move(&p, 0, &g, Role::Solver, &f.trace).unwrap();
    refused(&mut b, 3, m.clone(), "not_a_player");
    let mut elsewhere = m.clone();
    if let Message::Reveal { game, .. } = &mut elsewhere {
        *game = 7;
    }
    refused(&mut b, SOLVER, elsewhere, "unknown_game");
    let mut twice = m.clone();
    if let Message::Reveal { also, .. } = &mut twice {
        *also = vec![0];
    }
    refused(&mut b, SOLVER, twice, "wrong_move");
    let mut known_root = m.clone();
    if let Message::Reveal { layer_root, .. } = &mut known_root {
        assert!(layer_root.is_none(), "layer 0's root is the posted history root");
        *layer_root = Some(B32([7; 32]));
    }
    refused(&mut b, SOLVER, known_root, "wrong_move");
    let mut extra = m.clone();
    if let Message::Reveal { roots, .. } = &mut extra {
        roots.push(B32([9; 32]));
    }
    refused(&mut b, SOLVER, extra, "bad_reveal");
    let step = Message::Step { game: 0, also: vec![], proof: Blob(f.trace.proofs[1].clone()) };
    refused(&mut b, SOLVER, step, "wrong_move");
    b.send(SOLVER, m.clone()).unwrap();
    refused(&mut b, SOLVER, m, "not_your_turn");
    // The challenger never answers: it loses on time, alike.
    b.advance(p.clock_ms / MS);
    assert_eq!(status(&b, 0), GameStatus::Won(Role::Solver));
    let g = b.w.rules.game(0).unwrap().clone();
    let late = next_move(&p, 0, &g, Role::Challenger, &l);
    assert!(late.is_none(), "a game that is over owes nothing");
    let m = Message::Step { game: 0, also: vec![], proof: Blob(f.trace.proofs[1].clone()) };
    refused(&mut b, CHALLENGER, m, "game_over");
    // The window closes: the claim is final on both. The rules then forget
    // it (`unknown_claim`, specs/protocol.md §4); the contract keeps it,
    // closed (`claim_closed`, specs/chain.md §7).
    let (rust, _) = b.advance(p.challenge_window_ms / MS);
    assert!(rust.contains(&"final c0".to_string()), "{rust:?}");
    let (rust, chain) = b.send_apart(3, challenge(500, l.root(t)));
    assert_eq!((rust, chain), (Err("unknown_claim".into()), Err("claim_closed".into())));
}

/// A challenge after the window closes, while a game keeps the claim open: too late on both.
#[test]
fn a_late_challenge_is_refused_alike_on_chain() {
    let t = fixture().halt + 2;
    let mut b = Both::new(params());
    for who in [SOLVER, CHALLENGER, 3] {
        b.fund(who, 2_000);
    }
    let claim = b.w.next_claim_id(SOLVER);
    b.send(SOLVER, Message::Claim(Box::new(honest_claim(t, 1000)))).unwrap();
    let l = liar(20, 4);
    let challenge = || Message::Challenge {
        claim,
        history_root: history_root(&l, t, 5),
        final_root: l.root(t),
        bond: 500,
    };
    b.advance(990);
    b.send(CHALLENGER, challenge()).unwrap();
    // Both sides keep moving, slowly, past the window's end.
    let p = b.w.rules.params.clone();
    let f = fixture();
    for _ in 0..3 {
        for (who, role, trace) in
            [(SOLVER, Role::Solver, &f.trace as &dyn Trace), (CHALLENGER, Role::Challenger, &l)]
        {
            let g = b.w.rules.game(0).unwrap().clone();
            if let Some(m) = next_move(&p, 0, &g, role, trace) {
                b.send(who, m).unwrap();
            }
        }
        b.advance(5);
    }
    assert_eq!(status(&b, 0), GameStatus::Open);
    assert_eq!(b.send(3, challenge()), Err("too_late".to_string()));
}

/// A run of `10^12` steps, made up but for the one step in dispute: the
/// honest history's roots are hashes of their step number, except at `x`
/// and `x + 1`, where they are two real consecutive states of the fixture
/// (so the disputed step has a real proof), and at the end, a real final
/// state. The liar agrees up to `x` and makes up every root after it.
struct Synthetic {
    x: u64,
    total: u64,
    liar: bool,
}

/// The fixture's state the synthetic run is in at step `x`.
const REAL: u64 = 17;

impl Trace for Synthetic {
    fn root(&self, step: u64) -> B32 {
        let f = fixture();
        let lying = self.liar && step > self.x;
        if step == self.total {
            return if lying {
                B32::sha256(&[&fake_header()[..refute_engine::state::HOT_BYTES]])
            } else {
                f.trace.root(f.halt)
            };
        }
        match step {
            s if s == self.x => f.trace.root(REAL),
            s if s == self.x + 1 && !lying => f.trace.root(REAL + 1),
            s => B32::sha256(&[if lying { b"liar" } else { b"true" }, &s.to_le_bytes()]),
        }
    }
    fn step_proof(&self, step: u64) -> Vec<u8> {
        assert_eq!(step, self.x, "the only step in dispute");
        fixture().trace.proofs[REAL as usize].clone()
    }
}

fn fake_header() -> Vec<u8> {
    let f = fixture();
    support::with_status(&f.headers[f.halt as usize], 3 | 7 << 8)
}

/// The gas of every move of a whole `10^12`-step dispute, for branching
/// factors `k` and layer sizes, on both referees: a liar's claim, an honest
/// challenger, both playing at once. Prints the table of specs/chain.md §7.5.
#[test]
fn the_gas_of_a_dispute_of_10_12_steps() {
    let total: u64 = 1_000_000_000_000;
    let x = total / 3 + 12_345;
    println!("k | max_leaves | moves | reveal gas (p50 / max) | step gas | both sides' total");
    for (k, max_leaves) in [(2, 3), (4, 5), (8, 9), (16, 17), (32, 33), (8, 65), (16, 257)] {
        let mut p = params();
        p.k = k;
        p.max_leaves = max_leaves;
        let mut b = Both::new(p.clone());
        b.fund(SOLVER, 1_000_000);
        b.fund(CHALLENGER, 1_000_000);
        let honest = Synthetic { x, total, liar: false };
        let liar = Synthetic { x, total, liar: true };
        let claim = b.w.next_claim_id(SOLVER);
        let mut body = honest_claim(fixture().halt, 200_000);
        body.max_steps = total;
        body.initial_root = honest.root(0);
        body.final_header = Blob(fake_header());
        body.final_root = liar.root(total);
        body.history_root = history_root(&liar, total, max_leaves);
        b.send(SOLVER, Message::Claim(Box::new(body))).unwrap();
        let m = Message::Challenge {
            claim,
            history_root: history_root(&honest, total, max_leaves),
            final_root: honest.root(total),
            bond: 100_000,
        };
        b.send(CHALLENGER, m).unwrap();
        let before = b.gas.len();
        for _ in 0..200 {
            if status(&b, 0) != GameStatus::Open {
                break;
            }
            for (who, role, trace) in [(SOLVER, Role::Solver, &liar), (CHALLENGER, Role::Challenger, &honest)]
            {
                let g = b.w.rules.game(0).unwrap().clone();
                if let Some(m) = next_move(&p, 0, &g, role, trace) {
                    if matches!(m, Message::Step { .. }) && role == Role::Solver {
                        continue; // the liar has no proof of its step
                    }
                    b.send(who, m).unwrap();
                }
            }
            b.advance(1);
        }
        assert_eq!(status(&b, 0), GameStatus::Won(Role::Challenger), "k {k}, {max_leaves} leaves");
        let moves = &b.gas[before..];
        let mut reveals: Vec<u64> = moves.iter().filter(|m| m.0 == "reveal").map(|m| m.1).collect();
        reveals.sort_unstable();
        let step: u64 = moves.iter().filter(|m| m.0 == "step").map(|m| m.1).sum();
        let sum: u64 =
            moves.iter().map(|m| m.1).sum::<u64>() + b.gas[..before].iter().map(|m| m.1).sum::<u64>();
        assert!(moves.iter().all(|m| m.1 < refute_chain::evm::TX_GAS_CAP), "every move fits a transaction");
        println!(
            "{k} | {max_leaves} | {} | {} / {} | {step} | {sum}",
            moves.len(),
            reveals[reveals.len() / 2],
            reveals.last().unwrap()
        );
    }
}

/// The inclusion extension (specs/chain.md §7.3): a side that starts owing
/// a move with less than `grace` on its clock gets `grace`; one with more
/// keeps its own.
#[test]
fn a_side_short_of_time_gets_the_inclusion_extension() {
    use refute_chain::referee::IReferee;
    let t = fixture().halt + 2;
    let mut b = Both::with_grace(params(), 30);
    b.fund(SOLVER, 5_000);
    b.fund(CHALLENGER, 5_000);
    let claim = b.w.next_claim_id(SOLVER);
    b.send(SOLVER, Message::Claim(Box::new(honest_claim(t, 1000)))).unwrap();
    let l = liar(40, 4);
    let m =
        Message::Challenge { claim, history_root: history_root(&l, t, 5), final_root: l.root(t), bond: 500 };
    b.send(CHALLENGER, m).unwrap();
    let p = b.w.rules.params.clone();
    let f = fixture();
    let clocks = |b: &mut Both| {
        let g = b.view(IReferee::getGameCall { id: 0 });
        [g.sides[0].clockLeft, g.sides[1].clockLeft]
    };
    assert_eq!(clocks(&mut b), [100, 100]);
    // The solver answers at once; the challenger waits 85 of its 100 seconds.
    let g = b.w.rules.game(0).unwrap().clone();
    b.send(SOLVER, next_move(&p, 0, &g, Role::Solver, &f.trace).unwrap()).unwrap();
    b.advance(85);
    let g = b.w.rules.game(0).unwrap().clone();
    b.send(CHALLENGER, next_move(&p, 0, &g, Role::Challenger, &l).unwrap()).unwrap();
    // The round narrowed: the challenger owes again with 15 s left, raised to 30.
    assert_eq!(clocks(&mut b), [100, 30]);
    assert_eq!(b.w.rules.game(0).unwrap().sides[1].clock_left, 15 * MS, "the rules have no extension");
}

/// Blobs over `MAX_CHUNK` (96 KiB) are refused by `publish` and named by
/// their chunks (`publishChunked`), with the id `refute_chain::client::blob_id`
/// gives them; a chunk list that does not fit its size, or names a chunk not
/// published, is refused.
#[test]
fn a_large_blob_is_published_in_chunks() {
    use refute_chain::alloy_primitives::{B256, U256};
    use refute_chain::alloy_sol_types::{SolCall, SolValue};
    use refute_chain::client::{MAX_CHUNK, blob_id};
    use refute_chain::referee::{self, IReferee};
    let mut b = Both::new(params());
    let data: Vec<u8> = (0..2 * MAX_CHUNK + 5).map(|i| (i * 31 % 253) as u8).collect();
    let tx = |b: &mut Both, call: Vec<u8>| {
        let r = b.evm.send(both::addr(3), b.referee, U256::ZERO, call).expect("runs");
        if r.ok { Ok(r.output) } else { Err(referee::error_code(&r.output).unwrap_or("?").to_string()) }
    };
    let publish = |d: &[u8]| IReferee::publishCall { data: d.to_vec().into() }.abi_encode();
    assert_eq!(tx(&mut b, publish(&data)).unwrap_err(), "too_large");
    let chunks: Vec<B256> = data.chunks(MAX_CHUNK).map(blob_id).collect();
    let chunked = |size: usize, chunks: Vec<B256>| {
        IReferee::publishChunkedCall { size: U256::from(size), chunks }.abi_encode()
    };
    assert_eq!(tx(&mut b, chunked(data.len(), chunks.clone())).unwrap_err(), "unpublished");
    for c in data.chunks(MAX_CHUNK) {
        let id = B256::abi_decode(&tx(&mut b, publish(c)).unwrap()).unwrap();
        assert_eq!(id, blob_id(c));
    }
    assert_eq!(tx(&mut b, chunked(data.len(), chunks[..2].to_vec())).unwrap_err(), "too_large");
    assert_eq!(tx(&mut b, chunked(MAX_CHUNK, chunks[..1].to_vec())).unwrap_err(), "too_large");
    let id = B256::abi_decode(&tx(&mut b, chunked(data.len(), chunks)).unwrap()).unwrap();
    assert_eq!(id, blob_id(&data), "the contract's id is blob_id's");
    assert!(b.view(IReferee::publishedCall { h: id }));
}
