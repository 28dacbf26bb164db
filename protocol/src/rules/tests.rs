//! Signatures bound to one arbiter (security review finding 8): a message
//! signed for one arbiter's genesis is refused by any other.

use ed25519_dalek::SigningKey;

use super::{B32, Message, Params, RuleError, Rules};
use crate::log::Head;
use crate::rules::params_hash;

fn key(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[n; 32])
}

fn pk(k: &SigningKey) -> B32 {
    B32(k.verifying_key().to_bytes())
}

fn rules(p: Params) -> Rules {
    Rules::new(p).unwrap()
}

#[test]
fn the_genesis_is_the_logs() {
    let arbiter = key(9);
    let p = Params::local(pk(&arbiter));
    let head = Head::genesis(&arbiter.verifying_key(), &params_hash(&p));
    assert_eq!(p.genesis(), B32(head.hash));
    assert_eq!(rules(p.clone()).genesis(), p.genesis());
}

#[test]
fn a_message_signed_for_one_arbiter_is_refused_by_another() {
    let here = Params::local(pk(&key(9)));
    let other_key = Params::local(pk(&key(8)));
    let other_params = Params { clock_ms: here.clock_ms + 1, ..here.clone() };
    let alice = key(1);
    let mint = Message::Mint { to: pk(&alice), amount: 5 }.sign(&here.genesis(), &alice, 0);
    for p in [other_key, other_params] {
        assert_ne!(p.genesis(), here.genesis());
        let mut r = rules(p);
        let before = r.clone();
        assert_eq!(r.apply(&mint, 1), Err(RuleError::BadSignature));
        assert_eq!(mint.clone().verified(&r.genesis()), Err(RuleError::BadSignature));
        assert_eq!(r, before, "a refused message changes nothing");
    }
    let mut r = rules(here);
    assert!(r.apply(&mint, 1).is_ok(), "the arbiter it was signed for takes it");
    assert_eq!(r.state.account(&pk(&alice)).balance, 5);
}

#[test]
fn the_engine_version_is_part_of_the_genesis() {
    let p = Params::local(pk(&key(9)));
    let q = Params { engine_version: p.engine_version + 1, ..p.clone() };
    assert_ne!(p.genesis(), q.genesis());
}

/// Registering takes the lowest free slot among the candidates; leaving
/// with no committee seat returns the stake at once (`leaving`, then
/// `unregistered`), frees the slot for the next candidate, and keeps the
/// index equal to one rebuilt from the state.
#[test]
fn a_candidate_with_no_seat_leaves_at_once() {
    use super::Event;
    let arbiter = key(9);
    let mut r = rules(Params::local(pk(&arbiter)));
    let g = r.genesis();
    let (a, b, c) = (key(1), key(2), key(3));
    let mut nonce = [0u64; 4];
    let mut send = |r: &mut Rules, k: &SigningKey, i: usize, m: Message| {
        let ev = r.apply(&m.sign(&g, k, nonce[i]), 1);
        if ev.is_ok() {
            nonce[i] += 1;
        }
        ev
    };
    for (i, k) in [(1, &a), (2, &b), (3, &c)] {
        send(&mut r, k, i, Message::Mint { to: pk(k), amount: 5_000 }).unwrap();
        send(&mut r, k, i, Message::Register { stake: 1_000 + i as u64 }).unwrap();
    }
    let slot = |r: &Rules, k: &SigningKey| r.state.account(&pk(k)).slot;
    assert_eq!([slot(&r, &a), slot(&r, &b), slot(&r, &c)], [Some(0), Some(1), Some(2)]);
    let ev = send(&mut r, &b, 2, Message::Unregister).unwrap();
    let who = pk(&b);
    assert_eq!(ev, vec![Event::Leaving { who, stake: 1_002 }, Event::Unregistered { who, stake: 1_002 }]);
    let acct = r.state.account(&who);
    assert_eq!((acct.balance, acct.stake, acct.slot), (5_000, None, None));
    assert_eq!(send(&mut r, &b, 2, Message::Unregister), Err(RuleError::NotRegistered));
    assert!(r.index_is_consistent());
    // The freed slot goes to the next candidate, b itself here.
    send(&mut r, &b, 2, Message::Register { stake: 1_000 }).unwrap();
    assert_eq!(slot(&r, &b), Some(1));
    assert!(r.index_is_consistent());
    assert_eq!(r.state.accounted(), u128::from(r.state.minted));
}
