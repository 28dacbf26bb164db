//! Floods the rules must absorb in bounded steps (security review finding 1):
//! 10^4 games on one claim ending at once, and 10^4 claims whose windows
//! close at once. Every tick's log record must fit a log entry, the deadline
//! index must stay consistent, funds must be conserved, and a restart in the
//! middle (a snapshot taken between two ticks) must end in the same state.

#[path = "common/rules.rs"]
mod support;

use ed25519_dalek::SigningKey;
use refute_challenger::play::{Trace, history_root};
use refute_protocol::log::MAX_PAYLOAD;
use refute_protocol::record::Record;
use refute_protocol::rules::{
    B32, ClaimStatus, Event, GameStatus, Message, Params, Rules, ServiceNote, Signed, TICK_EVENTS,
    lottery_prove,
};
use support::*;

const N: u64 = 10_000;

/// The `i`-th key of the crowd (keys 0..16 are the fixture's).
fn crowd(i: u64) -> SigningKey {
    let mut seed = [0xc5; 32];
    seed[..8].copy_from_slice(&i.to_le_bytes());
    SigningKey::from_bytes(&seed)
}

fn b32(k: &SigningKey) -> B32 {
    B32(k.verifying_key().to_bytes())
}

/// Applies `m` signed by `k` with `nonce`, ticking first as the service does.
fn send(r: &mut Rules, k: &SigningKey, nonce: u64, m: Message, now: u64) -> Vec<Event> {
    assert!(!r.due(now), "the flood's setup must not leave work due");
    let signed: Signed = m.sign(&r.genesis(), k, nonce);
    let note = match &signed.body {
        Message::Claim(c) => Some(ServiceNote {
            initial_root: c.initial_root,
            vrf: lottery_prove(&key(ARBITER), &signed.claim_id()),
        }),
        _ => None,
    };
    r.apply_with(&signed, note.as_ref(), now).unwrap_or_else(|e| panic!("refused: {e}"))
}

/// Ticks at `now` until nothing is due, as the service does, one record per
/// tick; checks each record fits a log entry and returns how many there were.
fn drain(r: &mut Rules, now: u64, mut each: impl FnMut(usize, &Rules)) -> usize {
    let mut ticks = 0;
    while r.due(now) {
        let ticked = r.tick(now);
        assert!(!ticked.is_empty(), "a due tick makes progress");
        let bound = TICK_EVENTS + 12 + 2 * r.params.max_committee();
        assert!(ticked.len() <= bound, "a tick of {} events, above {bound}", ticked.len());
        let rec = Record { now, resumed: None, ticked, input: None, events: Vec::new() };
        let bytes = rec.payload().len();
        assert!(bytes <= MAX_PAYLOAD / 2, "a tick record of {bytes} bytes: too close to {MAX_PAYLOAD}");
        each(ticks, r);
        ticks += 1;
    }
    ticks
}

fn flood_params() -> Params {
    let mut p = params();
    p.committee_size = 4;
    p
}

#[test]
fn ten_thousand_games_on_one_claim_are_settled_in_bounded_ticks() {
    let p = flood_params();
    let mut r = Rules::new(p.clone()).unwrap();
    let solver = key(1);
    send(&mut r, &solver, 0, Message::Mint { to: pubkey(1), amount: 10_000 }, 1);
    let (body, _) = lying_claim(300, 100, 1_000);
    let claim = refute_protocol::rules::claim_id(&pubkey(1), 1);
    send(&mut r, &solver, 1, Message::Claim(Box::new(body)), 1);
    let honest = &fixture().trace;
    let (h_root, f_root) = (history_root(honest, 300, p.max_leaves), honest.root(300));
    for i in 0..N {
        let k = crowd(i);
        send(&mut r, &k, 0, Message::Mint { to: b32(&k), amount: 500 }, 2);
        let m = Message::Challenge { claim, history_root: h_root, final_root: f_root, bond: 500 };
        send(&mut r, &k, 1, m, 2);
    }
    assert_eq!(r.claim(&claim).unwrap().games.len() as u64, N);
    assert!(r.index_is_consistent());

    // Nobody moves: every clock runs out at once. The first game to end
    // rejects the claim; the other 9,999 play on and end on time too, in
    // later bounded ticks; the last one settles the claim's bond.
    let deadline = 2 + p.clock_ms;
    assert!(!r.due(deadline - 1));
    let mut snapshot = None;
    let ticks = drain(&mut r, deadline, |i, r| {
        if i == 3 {
            snapshot = Some(serde_json::to_vec(r).unwrap());
        }
    });
    assert!(ticks >= 10, "{ticks} ticks: ending 10^4 games takes several bounded entries");
    assert_eq!(r.claim(&claim).unwrap().status, ClaimStatus::Rejected);
    let games: Vec<_> = (0..N).map(|g| r.game(g).unwrap().status).collect();
    let lost = games.iter().filter(|g| **g == GameStatus::LostByBoth).count() as u64;
    assert_eq!(lost, N, "every game is lost by both silent sides");
    // The claim has ended: it and its games have left the state.
    let s = &r.state;
    assert!(s.claims.is_empty() && s.games.is_empty(), "an ended claim stays in memory");
    let archive = r.clone().take_archive();
    assert_eq!((archive.claims.len(), archive.games.len() as u64), (1, N));
    assert_eq!(s.accounted(), u128::from(s.minted), "funds not conserved");
    // Nobody was right: every bond is burned, the solver's once.
    assert_eq!(s.accounts[&b32(&crowd(N - 1))].balance, 0);
    assert_eq!(s.burned, 500 * N + 1_000);
    assert!(r.index_is_consistent());

    // A restart between two ticks: the snapshot goes on to the same end.
    let mut restarted: Rules = serde_json::from_slice(&snapshot.unwrap()).unwrap();
    assert!(restarted.due(deadline), "the snapshot was taken in the middle");
    drain(&mut restarted, deadline, |_, _| {});
    assert_eq!(restarted, r);
}

#[test]
fn ten_thousand_claims_closing_at_once_are_finalised_in_bounded_ticks() {
    let p = flood_params();
    let mut r = Rules::new(p.clone()).unwrap();
    // Committee candidates, so each claim has duties to count.
    for i in 1..=8u8 {
        send(&mut r, &key(i), 0, Message::Mint { to: pubkey(i), amount: 100 }, 1);
        send(&mut r, &key(i), 1, Message::Register { stake: 50 }, 1);
    }
    let body = honest_claim(300, 1_000);
    for i in 0..N {
        let k = crowd(i);
        send(&mut r, &k, 0, Message::Mint { to: b32(&k), amount: 1_000 }, 2);
        send(&mut r, &k, 1, Message::Claim(Box::new(body.clone())), 2);
    }
    let members: usize = r.state.claims.values().map(|c| c.committee.len()).sum();
    assert!(members > 0 && r.state.claims.values().all(|c| c.committee.len() <= p.max_committee()));
    assert!(r.index_is_consistent());

    let end = 2 + p.challenge_window_ms;
    assert!(!r.due(end - 1));
    let mut snapshot = None;
    let ticks = drain(&mut r, end, |i, r| {
        if i == 5 {
            snapshot = Some(serde_json::to_vec(r).unwrap());
        }
    });
    assert!(ticks >= 20, "{ticks} ticks: finalising 10^4 claims takes several bounded entries");
    let s = &r.state;
    let archive = r.clone().take_archive();
    assert_eq!(archive.claims.len() as u64, N);
    assert!(archive.claims.values().all(|c| c.status == ClaimStatus::Final));
    assert!(s.claims.is_empty(), "final claims stay in memory");
    assert_eq!(s.accounts[&b32(&crowd(0))].balance, 1_000, "the bond came back");
    assert_eq!(s.accounted(), u128::from(s.minted));
    let missed: u64 = (1..=8u8).map(|i| s.accounts[&pubkey(i)].reputation.duties_missed).sum();
    assert_eq!(missed as usize, members, "every silent member missed its duty once");
    assert!(r.index_is_consistent());

    let mut restarted: Rules = serde_json::from_slice(&snapshot.unwrap()).unwrap();
    assert!(restarted.due(end));
    drain(&mut restarted, end, |_, _| {});
    assert_eq!(restarted, r);
}

#[test]
fn an_outage_extends_running_windows_and_clocks_only() {
    let p = flood_params();
    let mut r = Rules::new(p.clone()).unwrap();
    let (solver, challenger) = (key(1), key(2));
    send(&mut r, &solver, 0, Message::Mint { to: pubkey(1), amount: 10_000 }, 1);
    send(&mut r, &challenger, 0, Message::Mint { to: pubkey(2), amount: 10_000 }, 1);
    // Claim A is posted early: its window has closed when the outage starts.
    let early = refute_protocol::rules::claim_id(&pubkey(1), 1);
    send(&mut r, &solver, 1, Message::Claim(Box::new(honest_claim(300, 1_000))), 10);
    let (lie, _) = lying_claim(300, 100, 1_000);
    let late = refute_protocol::rules::claim_id(&pubkey(1), 2);
    let t_late = 10 + p.challenge_window_ms / 2;
    send(&mut r, &solver, 2, Message::Claim(Box::new(lie)), t_late);
    let honest = &fixture().trace;
    let m = Message::Challenge {
        claim: late,
        history_root: history_root(honest, 300, p.max_leaves),
        final_root: honest.root(300),
        bond: 500,
    };
    send(&mut r, &challenger, 1, m, t_late + 1);

    // The outage starts after A's window closed (not yet ticked) and before
    // the game's clocks run out; it lasts two whole clocks.
    let from = 10 + p.challenge_window_ms + 5;
    let down = 2 * p.clock_ms;
    let (w_late, d_before) = (r.claim(&late).unwrap().window_ends, r.game(0).unwrap().sides[0].deadline());
    assert_eq!(r.resume(from, from + down).unwrap(), vec![Event::Resumed { from, to: from + down }]);
    assert_eq!(
        r.claim(&early).unwrap().window_ends,
        10 + p.challenge_window_ms,
        "a closed window stays closed"
    );
    assert_eq!(r.claim(&late).unwrap().window_ends, w_late + down);
    assert_eq!(r.game(0).unwrap().sides[0].deadline(), d_before.map(|d| d + down));
    assert!(r.index_is_consistent());
    // At the restart, only what was due before the outage happens: claim A
    // becomes final; the game and claim B go on.
    let ev = r.tick_all(from + down);
    assert!(ev.contains(&Event::ClaimFinal { claim: early }), "{ev:?}");
    assert_eq!(r.game(0).unwrap().status, GameStatus::Open);
    assert_eq!(r.claim(&late).unwrap().status, ClaimStatus::Open);
    // An outage cannot start before the last transition, nor end before it starts.
    assert_eq!(r.resume(from, from + down + 1).unwrap_err().code(), "clock_backwards");
    assert_eq!(r.resume(from + down + 9, from + down + 1).unwrap_err().code(), "clock_backwards");
}
