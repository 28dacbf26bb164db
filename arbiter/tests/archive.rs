//! Ended claims and games leave memory (security review finding 5; the
//! arbiter-safety issue: "settled claims and games leave memory, RocksDB
//! keeps them"), and stay readable from the archive: one by one, in lists
//! that page across memory and archive, in transcripts, after a restart.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use http_body_util::BodyExt;
use refute_arbiter::game_index;
use refute_arbiter::http::app;
use refute_protocol::rules::{GameStatus, Message, Role};
use serde_json::Value;
use tower::ServiceExt;

fn get(a: &Arena, uri: &str) -> (StatusCode, Value) {
    let req = Request::builder().uri(uri).body(Body::empty()).unwrap();
    a.rt.block_on(async {
        let resp = app(a.service.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    })
}

fn ids(list: &Value) -> Vec<Value> {
    list.as_array().unwrap().iter().map(|row| row["id"].clone()).collect()
}

/// Signs `m` as player `p` with its next nonce and submits it; the refusal's code.
fn refused(a: &Arena, p: u8, m: Message) -> String {
    let nonce = a.service.read(|c| c.rules.state.account(&pk(p)).nonce);
    let signed = m.sign(&a.params.genesis(), &key(p), nonce);
    let s = a.service.clone();
    a.rt.block_on(s.submit(signed)).expect_err("the message was accepted").code().to_string()
}

#[test]
fn ended_claims_leave_memory_and_stay_readable() {
    let mut a = Arena::new(24 * 3600 * 1000);
    let (claim, liar) = lying_claim(&mut a, 50);
    let real = &fixture().real;
    let first = a.challenge(2, claim, real);
    let second = a.challenge(3, claim, real);
    // An honest claim that stays open: memory and archive both have something.
    let open = a.claim(4, real, fixture().final_header.clone());
    assert_eq!(a.play(first, [(1, Some(&liar)), (2, Some(real))]), GameStatus::Won(Role::Challenger));
    a.tick();
    a.service.read(|c| assert!(c.rules.state.claims.contains_key(&claim), "its second game is still played"));
    assert_eq!(a.play(second, [(1, Some(&liar)), (3, Some(real))]), GameStatus::Won(Role::Challenger));

    // The rejected claim and both its games have left memory.
    a.service.read(|c| {
        let st = &c.rules.state;
        assert_eq!(st.claims.keys().copied().collect::<Vec<_>>(), vec![open], "only the open claim stays");
        assert!(st.games.is_empty(), "ended games stay in memory");
    });
    // One by one, from the archive.
    let (status, c) = get(&a, &format!("/v1/claims/{claim}"));
    assert_eq!((status, c["status"].as_str()), (StatusCode::OK, Some("rejected")));
    assert_eq!(get(&a, &format!("/v1/games/{second}")).1["status"], serde_json::json!({"won": "challenger"}));
    assert_eq!(get(&a, &format!("/v1/games/{first}")).1["status"], serde_json::json!({"won": "challenger"}));
    // Lists merge memory and archive, in id order, and page across both.
    let (mut both, hex) = (vec![claim, open], |b: &refute_protocol::rules::B32| Value::from(b.to_string()));
    both.sort();
    assert_eq!(ids(&get(&a, "/v1/claims").1), both.iter().map(hex).collect::<Vec<_>>());
    let page1 = ids(&get(&a, "/v1/claims?limit=1").1);
    let page2 = ids(&get(&a, &format!("/v1/claims?limit=1&after={}", both[0])).1);
    assert_eq!([page1, page2].concat(), both.iter().map(hex).collect::<Vec<_>>());
    assert_eq!(ids(&get(&a, "/v1/claims?status=settled").1), vec![hex(&claim)]);
    assert_eq!(ids(&get(&a, "/v1/claims?status=open").1), vec![hex(&open)]);
    assert_eq!(ids(&get(&a, &format!("/v1/claims?player={}", pk(1))).1), vec![hex(&claim)]);
    assert_eq!(ids(&get(&a, &format!("/v1/games?player={}", pk(3))).1), vec![Value::from(second)]);
    assert_eq!(ids(&get(&a, &format!("/v1/games?after={first}")).1), vec![Value::from(second)]);
    // The front page shows them too.
    let req = Request::builder().uri("/").body(Body::empty()).unwrap();
    let page = a.rt.block_on(async {
        let r = app(a.service.clone()).oneshot(req).await.unwrap();
        String::from_utf8(r.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
    });
    assert!(page.contains(&claim.to_string()[..16]), "the front page lost the ended claim");

    // Messages that name them are refused with the codes a user can act on, and change nothing.
    let head = a.service.read(|c| c.head());
    let m = Message::Challenge { claim, history_root: claim, final_root: claim, bond: 10_000 };
    assert_eq!(refused(&a, 5, m), "claim_closed");
    let step = Message::Step { game: first, also: vec![], proof: refute_protocol::rules::Blob(vec![0; 8]) };
    assert_eq!(refused(&a, 2, step), "game_over");
    assert_eq!(a.service.read(|c| c.head()), head);

    // Transcripts come from the stored index, and check.
    let t = a.transcript(first);
    assert_eq!(refute_traces::check(&t, Some(&fixture().wasm)).failure, None);
    assert_eq!(t.verdict, GameStatus::Won(Role::Challenger));
    let later = a.transcript(second);
    assert_eq!(later.verdict, GameStatus::Won(Role::Challenger));
    assert_eq!(refute_traces::check(&later, Some(&fixture().wasm)).failure, None);

    // After a restart, and with the transcript index rebuilt as for a
    // database written before it existed, everything reads the same.
    a.restart(|db_dir| {
        let db = refute_arbiter::db::Db::open(db_dir).unwrap();
        let keys: Vec<Vec<u8>> = db.iter_state_prefix(game_index::TX).map(|kv| kv.unwrap().0).collect();
        assert!(keys.len() > 5, "the writer indexed the transcripts");
        db.delete_states(&keys).unwrap();
    });
    assert_eq!(a.transcript(first), t, "the backfilled index lists other entries");
    assert_eq!(get(&a, &format!("/v1/claims/{claim}")).1, c);
    a.service.read(|c| assert_eq!(c.rules.state.claims.len(), 1));
}
