//! Unit tests: which recorded events belong to a game.

use refute_protocol::rules::{B32, Event, Role};

use crate::check::project;

const G: u64 = 3;
const C: B32 = B32([1; 32]);
const OTHER: B32 = B32([2; 32]);
const K: B32 = B32([9; 32]);

fn locked(n: u64) -> Event {
    Event::BondLocked { who: K, amount: n }
}

fn returned(n: u64) -> Event {
    Event::BondReturned { who: K, amount: n }
}

/// `project(events, G, C, mine)` keeps the events at the indices `keep`.
fn check(events: &[Event], mine: bool, keep: &[usize]) {
    let want: Vec<Event> = keep.iter().map(|&i| events[i].clone()).collect();
    assert_eq!(project(events, G, &C, mine), want, "{events:?}");
}

#[test]
fn a_game_owns_the_money_after_its_events() {
    let won = Event::GameWon { game: G, winner: Role::Challenger };
    let other_won = Event::GameWon { game: 4, winner: Role::Solver };
    let timed_out = |game| Event::TimedOut { game, role: Role::Solver };
    // A tick ending another game, then this one.
    check(
        &[
            timed_out(4),
            other_won,
            returned(1),
            timed_out(G),
            won.clone(),
            returned(2),
            Event::Burned { amount: 3 },
        ],
        false,
        &[3, 4, 5, 6],
    );
    // This game's verdict rejects the claim (duties counted) and, its last
    // game, settles it: the claim's end and its money are not the game's.
    check(
        &[
            Event::StepProven { game: G, step: 7, post: K },
            won,
            returned(5),
            Event::ClaimRejected { claim: C, game: G },
            Event::DutyMissed { claim: C, who: K },
            Event::ClaimSettled { claim: C, paid: Some(G) },
            Event::BondForfeited { who: K, amount: 6 },
            Event::SharePaid { to: K, amount: 3 },
            Event::Burned { amount: 3 },
        ],
        true,
        &[0, 1, 2],
    );
    // A challenge: the bond is locked before the game starts.
    let started = Event::GameStarted { game: G, claim: C, challenger: K };
    check(&[locked(5), started.clone()], true, &[0, 1]);
    check(&[locked(5), Event::GameStarted { game: 4, claim: C, challenger: K }], false, &[]);
}

#[test]
fn a_claim_owns_its_posting_but_not_its_end_or_committee() {
    let posted = |claim| Event::ClaimPosted { claim, solver: K, max_steps: 9, window_ends: 10 };
    let drawn = Event::CommitteeDrawn { claim: C, members: vec![K] };
    check(&[locked(1), posted(C), drawn.clone()], true, &[0, 1]);
    check(&[posted(OTHER), drawn], false, &[]);
    check(&[Event::ClaimFinal { claim: C }, returned(1), Event::DutyDone { claim: C, who: K }], false, &[]);
    // The end of a claim ends the game's run of money, even inside a game's run.
    check(
        &[Event::GameCancelled { game: G }, returned(2), Event::ClaimFinal { claim: OTHER }, returned(3)],
        false,
        &[0, 1],
    );
}

#[test]
fn the_binary_form_is_laid_out_as_specified() {
    use crate::format::{FORMAT, Inputs, Transcript, VERSION};
    use refute_protocol::log::Entry;
    use refute_protocol::rules::{Blob, GameStatus, Params};
    let entry = Entry { index: 0, prev: [4; 32], time_ms: 5, payload: b"{}".to_vec(), signature: [6; 64] };
    let t = Transcript {
        format: FORMAT.into(),
        version: VERSION,
        arbiter: K,
        params: Params::local(K),
        game: G,
        claim: C,
        verdict: GameStatus::Won(Role::Challenger),
        inputs: Some(Inputs {
            args: Blob(b"a\0".to_vec()),
            env: Blob(vec![]),
            stdin: Blob(b"xyz".to_vec()),
            dirs: Some(Blob(b"d".to_vec())),
        }),
        outputs: Some(Blob(b"fs".to_vec())),
        entries: vec![entry.clone()],
    };
    let b = t.to_bin();
    let params = serde_json::to_vec(&t.params).unwrap();
    let mut want = b"refute trace v2\0".to_vec();
    want.extend(K.0);
    want.extend((params.len() as u32).to_le_bytes());
    want.extend(&params);
    want.extend(G.to_le_bytes());
    want.extend(C.0);
    want.push(2);
    want.extend([1, 2, 0, 0, 0, b'a', 0, 0, 0, 0, 0, 3, 0, 0, 0, b'x', b'y', b'z']);
    want.extend([1, 1, 0, 0, 0, b'd']); // the directories
    want.extend([1, 2, 0, 0, 0, b'f', b's']); // the output files
    want.extend(1u32.to_le_bytes());
    want.extend((entry.encode().len() as u32).to_le_bytes());
    want.extend(entry.encode());
    assert_eq!(b, want);
    assert_eq!(Transcript::from_bytes(&b).unwrap(), t);
    // Every truncation is refused, and so is anything after the end.
    for n in 0..b.len() {
        assert!(Transcript::from_bytes(&b[..n]).is_err(), "{n} bytes");
    }
    assert!(Transcript::from_bytes(&[&b[..], b" "].concat()).is_err());
    // The JSON form round-trips and refuses unknown fields.
    assert_eq!(Transcript::from_bytes(&t.to_json()).unwrap(), t);
    let mut v: serde_json::Value = serde_json::from_slice(&t.to_json()).unwrap();
    v["extra"] = 1.into();
    assert!(Transcript::from_bytes(&serde_json::to_vec(&v).unwrap()).is_err());
}
