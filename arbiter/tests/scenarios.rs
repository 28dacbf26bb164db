//! Transcripts of real disputes on an embedded arbiter, one per way a game
//! ends: each checks, tells who lost, survives both encodings, and fails at
//! the right point when the arbiter or anyone else alters it.
//!
//! With `REFUTE_EXAMPLES_OUT=DIR` the transcripts are also written there
//! (`scripts/examples.sh` does this for `traces/examples/`).

mod common;

use common::*;
use refute_protocol::log::ArbiterKey;
use refute_protocol::record::Record;
use refute_protocol::rules::{Event, GameStatus, Message, Role};
use refute_traces::{Transcript, check};

fn save(s: &Scenario, game: u64, t: &Transcript) {
    let Some(dir) = std::env::var_os("REFUTE_EXAMPLES_OUT") else { return };
    let name = if s.games.len() > 1 { format!("{}-game{game}", s.name) } else { s.name.to_string() };
    let dir = std::path::Path::new(&dir);
    std::fs::write(dir.join(format!("{name}.json")), t.to_json()).unwrap();
    std::fs::write(dir.join(format!("{name}.bin")), t.to_bin()).unwrap();
}

/// Checks every game of `s` and returns the transcripts.
fn checked(s: &Scenario, verdicts: &[(GameStatus, &[Role])]) -> Vec<Transcript> {
    let mut out = Vec::new();
    for (&game, (verdict, losers)) in s.games.iter().zip(verdicts) {
        let t = s.arena.transcript(game);
        assert_eq!(t.verdict, *verdict, "{}: the transcript's verdict", s.name);
        let tl = check(&t, Some(&fixture().wasm));
        assert_eq!(tl.failure, None, "{}: game {game} does not check", s.name);
        assert_eq!(tl.verdict, Some(*verdict));
        assert_eq!(tl.losers, losers.to_vec(), "{}: who lost", s.name);
        assert!(tl.ending.is_some());
        // Both forms hold the same transcript, and each has one encoding.
        assert_eq!(Transcript::from_bytes(&t.to_json()).unwrap(), t);
        assert_eq!(Transcript::from_bytes(&t.to_bin()).unwrap(), t);
        assert!(t.to_bin().len() < t.to_json().len() * 3 / 5, "the binary form is compact");
        save(s, game, &t);
        out.push(t);
    }
    out
}

#[test]
fn a_lying_solver_loses_at_the_step() {
    let s = solver_lies();
    let t = checked(&s, &[(GameStatus::Won(Role::Challenger), &[Role::Solver])]);
    let tl = check(&t[0], None);
    let step = tl.step.as_ref().expect("the step");
    assert_eq!(step.step, 49, "the solver lies from step 50");
    assert!(step.instruction.is_some());
    assert_eq!(step.post, step.challenger_said);
    assert_ne!(step.post, step.solver_said);
    assert!(tl.rounds.len() >= 2, "several rounds narrow the run: {}", tl.rounds.len());
    assert!(
        tl.rounds.windows(2).all(|w| w[1].before.to - w[1].before.from < w[0].before.to - w[0].before.from)
    );
    assert!(tl.ending.as_ref().unwrap().contains("the solver's story broke at step 50"));
    let moved: Vec<(&str, u64)> = tl.bonds.iter().map(|b| (b.what.as_str(), b.amount)).collect();
    assert_eq!(
        moved,
        [
            ("locked", 10_000),
            ("locked", 5_000),
            ("returned", 5_000),
            ("claim bond forfeited", 10_000),
            ("share paid", 5_000),
            ("burned", 5_000),
        ],
        "the solver's bond is the claim's, settled when its last game ends: shown as the arbiter signed it"
    );
    let settled = s.arena.service.claim(&t[0].claim).unwrap().unwrap();
    assert!(!settled.bond_held);
    assert_eq!(settled.first_loss, Some(s.games[0]));
}

#[test]
fn a_lying_challenger_loses_at_the_step() {
    let s = challenger_lies();
    let t = checked(&s, &[(GameStatus::Won(Role::Solver), &[Role::Challenger])]);
    let tl = check(&t[0], None);
    assert_eq!(tl.step.as_ref().unwrap().step, 29);
    assert!(tl.ending.as_ref().unwrap().contains("the challenger's story broke at step 30"));
}

#[test]
fn two_liars_both_lose() {
    let s = both_lie();
    checked(&s, &[(GameStatus::LostByBoth, &[Role::Solver, Role::Challenger])]);
}

#[test]
fn a_silent_solver_times_out() {
    let s = silent_solver();
    let t = checked(&s, &[(GameStatus::Won(Role::Challenger), &[Role::Solver])]);
    let tl = check(&t[0], None);
    assert!(tl.step.is_none());
    let last = tl.moves.last().unwrap();
    assert_eq!(last.kind, "time");
    assert!(last.events.contains(&Event::TimedOut { game: s.games[0], role: Role::Solver }));
    assert!(tl.ending.as_ref().unwrap().contains("the solver's clock ran out"), "{:?}", tl.ending);
}

#[test]
fn two_games_sharing_a_move_both_check() {
    let s = two_challengers();
    let won = (GameStatus::Won(Role::Challenger), &[Role::Solver][..]);
    checked(&s, &[won, won]);
}

/// The entry of `t` at log index `i`.
fn at(t: &mut Transcript, i: u64) -> &mut refute_protocol::log::Entry {
    t.entries.iter_mut().find(|e| e.index == i).unwrap()
}

fn failure(t: &Transcript) -> (Option<u64>, String) {
    let f = check(t, None).failure.expect("the tampered transcript must not check");
    (f.entry, f.what)
}

#[test]
fn tampering_fails_at_the_first_point_that_does_not_check() {
    let s = solver_lies();
    let game = s.games[0];
    let t = s.arena.transcript(game);
    assert_eq!(check(&t, None).failure, None);
    let step_entry = t.entries.last().unwrap().index;
    let reveal_entry = t.entries[t.entries.len() - 3].index;

    // Any byte of any entry: its signature no longer verifies.
    for e in &t.entries {
        let mut bad = t.clone();
        let p = &mut at(&mut bad, e.index).payload;
        let n = p.len();
        p[n / 2] ^= 1;
        assert_eq!(failure(&bad), (Some(e.index), "bad signature".into()));
    }
    // An entry left out: the game no longer follows (the next reveal does not
    // narrow as recorded, or the verdict is another).
    let mut bad = t.clone();
    bad.entries.retain(|e| e.index != reveal_entry);
    let (entry, what) = failure(&bad);
    assert!(entry.is_some_and(|e| e > reveal_entry), "{entry:?} {what}");
    // The last entry left out: the game is open, not won.
    let mut bad = t.clone();
    bad.entries.pop();
    assert_eq!(failure(&bad).0, None);
    assert!(failure(&bad).1.contains("verdict"));
    // Another verdict.
    let mut bad = t.clone();
    bad.verdict = GameStatus::Won(Role::Solver);
    assert_eq!(
        failure(&bad),
        (
            None,
            "the transcript says the verdict is \"the solver wins\"; its moves give \"the challenger wins\""
                .into()
        )
    );
    // Other parameters: entry 0 no longer chains onto the genesis.
    let mut bad = t.clone();
    bad.params.k = 5;
    let (entry, what) = failure(&bad);
    assert_eq!(entry, Some(0));
    assert!(what.contains("wrong prev"), "{what}");
    // Entries reordered: the step, now first, is refused (the game awaits a reveal).
    let mut bad = t.clone();
    let n = bad.entries.len();
    bad.entries.swap(n - 1, n - 2);
    let (entry, what) = failure(&bad);
    assert_eq!(entry, Some(step_entry));
    assert!(what.starts_with("the rules refuse its message"), "{what}");
    // Binary: a truncated file, trailing bytes and another version are refused.
    let bin = t.to_bin();
    assert!(Transcript::from_bytes(&bin[..bin.len() - 1]).is_err());
    assert!(Transcript::from_bytes(&[&bin[..], &[0]].concat()).is_err());
    let mut v3 = bin.clone();
    v3[14] = b'3';
    assert_eq!(
        Transcript::from_bytes(&v3).unwrap_err().to_string(),
        "transcript version 3; this refute reads version 2"
    );
}

/// Re-signs entry `i` of `t` with the arbiter's key after `f` changes its record.
fn forge(t: &mut Transcript, key: &ArbiterKey, i: u64, f: impl FnOnce(&mut Record)) {
    let e = at(t, i);
    let mut r = Record::of(e).unwrap();
    f(&mut r);
    e.payload = r.payload();
    e.signature = key.sign(&e.hash());
}

#[test]
fn a_lying_arbiter_is_caught_by_the_rules() {
    let s = solver_lies();
    let t = s.arena.transcript(s.games[0]);
    let key = refute_arbiter::keyfile::load(&s.arena.dir.path().join("arbiter.key")).unwrap();
    let step_entry = t.entries.last().unwrap().index;

    // The arbiter records the liar as the winner of the step.
    let mut bad = t.clone();
    forge(&mut bad, &key, step_entry, |r| {
        for e in &mut r.events {
            if let Event::GameWon { winner, .. } = e {
                *winner = Role::Solver;
            }
        }
    });
    bad.verdict = GameStatus::Won(Role::Solver);
    let (entry, what) = failure(&bad);
    assert_eq!(entry, Some(step_entry));
    assert!(what.contains("the message events it records for the game are"), "{what}");

    // The arbiter alters a player's move: the player's signature fails.
    let mut bad = t.clone();
    let reveal = t.entries[t.entries.len() - 2].index;
    forge(&mut bad, &key, reveal, |r| {
        if let Some(l) = &mut r.input
            && let Message::Reveal { roots, .. } = &mut l.msg.body
        {
            roots[0].0[0] ^= 1;
        }
    });
    let (entry, what) = failure(&bad);
    assert_eq!(entry, Some(reveal));
    assert!(what.contains("bad_signature"), "{what}");

    // The arbiter times out an honest player early: the rules see a clock with time left.
    let mut bad = t.clone();
    let challenge = t
        .entries
        .iter()
        .find(|e| Record::of(e).unwrap().events.iter().any(|ev| matches!(ev, Event::GameStarted { .. })));
    let challenge = challenge.unwrap().index;
    let next = t.entries.iter().find(|e| e.index > challenge).unwrap().index;
    forge(&mut bad, &key, next, |r| {
        r.ticked.push(Event::TimedOut { game: 0, role: Role::Challenger });
    });
    let (entry, what) = failure(&bad);
    assert_eq!(entry, Some(next));
    assert!(what.contains("time events"), "{what}");
}

/// Uploaded blobs no claim refers to are deleted after their time-to-live;
/// those a claim refers to are kept for good (security review finding 4).
#[test]
fn unreferenced_blobs_expire_and_claimed_ones_stay() {
    let mut a = Arena::with_blob_ttl(60_000, 200);
    let stray = a.service.put_blob(b"nobody claims this").unwrap();
    let (claim, _) = lying_claim(&mut a, 10);
    let module = a.service.claim(&claim).unwrap().unwrap().body.module;
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(a.service.collect_blobs(100).unwrap(), 1, "the stray blob is deleted");
    assert!(a.service.db().get_blob(&stray).unwrap().is_none());
    assert!(a.service.db().get_blob(&module.0).unwrap().is_some(), "the claimed module stays");
    // Kept for good: a later sweep deletes nothing.
    assert_eq!(a.service.collect_blobs(100).unwrap(), 0);
    assert!(a.service.db().get_blob(&module.0).unwrap().is_some());
    // Even when someone uploads the same bytes again and never claims them.
    let bytes = a.service.db().get_blob(&module.0).unwrap().unwrap();
    a.service.put_blob(&bytes).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(a.service.collect_blobs(100).unwrap(), 0, "a re-upload made the claimed module expire");
    assert!(a.service.db().get_blob(&module.0).unwrap().is_some());
}
