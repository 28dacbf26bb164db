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
