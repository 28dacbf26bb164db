//! The HTTP API through `app().oneshot(...)`: the OpenAPI document names
//! exactly the routes, hostile requests get precise errors and change
//! nothing, and the state survives a restart.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use ed25519_dalek::SigningKey;
use http_body_util::BodyExt;
use refute_arbiter::http::OPENAPI;
use refute_protocol::rules::{B32, Message, Signed};
// The router `refute arbiter serve` runs: the API plus the transcript route and pages.
use refute_arbiter::http::app;
use refute_arbiter::service::{Config, Service};
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

fn key(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[n; 32])
}

fn pubkey(k: &SigningKey) -> B32 {
    B32(k.verifying_key().to_bytes())
}

fn open(dir: &std::path::Path, rate: u32) -> Arc<Service> {
    let mut c = Config::local(dir);
    c.rate_per_account = rate;
    Service::open(&c).unwrap()
}

async fn call(s: &Arc<Service>, method: Method, uri: &str, body: Body) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(body)
        .unwrap();
    let resp = app(s.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn post(s: &Arc<Service>, msg: &Signed) -> (StatusCode, Value) {
    call(s, Method::POST, "/v1/messages", Body::from(serde_json::to_vec(msg).unwrap())).await
}

async fn balance(s: &Arc<Service>, k: &SigningKey) -> Value {
    call(s, Method::GET, &format!("/v1/accounts/{}", pubkey(k)), Body::empty()).await.1
}

#[tokio::test]
async fn the_openapi_document_names_exactly_the_routes() {
    let doc: Value = serde_json::from_str(OPENAPI).unwrap();
    let documented: std::collections::BTreeSet<String> =
        doc["paths"].as_object().unwrap().keys().cloned().collect();
    // The routes as written in the routers.
    let routed: std::collections::BTreeSet<String> =
        [include_str!("../src/http.rs"), include_str!("../src/web.rs")]
            .into_iter()
            .flat_map(|src| {
                src.match_indices(".route(\"").map(|(i, m)| {
                    let rest = &src[i + m.len()..];
                    // OpenAPI has no catch-all segment: axum's `{*path}` is its `{path}`.
                    rest[..rest.find('"').unwrap()].replace("{*", "{")
                })
            })
            .collect();
    assert_eq!(documented, routed, "openapi.json and the router disagree");
    // And each documented GET answers something other than the fallback.
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), 100);
    for path in &documented {
        if doc["paths"][path].get("get").is_none() || path.ends_with("events") {
            continue;
        }
        let uri =
            path.replace("{hash}", &"0".repeat(64)).replace("{key}", &"0".repeat(64)).replace("{id}", "0");
        let uri = uri.replace("{path}", "x");
        let (_, body) = call(&s, Method::GET, &uri, Body::empty()).await;
        assert_ne!(body["code"], "not_found", "{uri} is documented but not routed");
    }
    let (status, body) = call(&s, Method::GET, "/v1/nothing", Body::empty()).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    s.shutdown();
}

#[tokio::test]
async fn hostile_messages_get_precise_errors_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), 100);
    let alice = key(1);
    let mint = |nonce| Message::Mint { to: pubkey(&alice), amount: 500 }.sign(&s.genesis(), &alice, nonce);
    let (status, body) = post(&s, &mint(0)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["index"], 0);
    let before = balance(&s, &alice).await;
    assert_eq!(before["balance"], 500);

    // Replayed nonce.
    let (status, body) = post(&s, &mint(0)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("bad_nonce")), "{body}");
    // Bad signature.
    let mut forged = mint(1);
    forged.signature.0[0] ^= 1;
    let (status, body) = post(&s, &forged).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("bad_signature")));
    // Unknown claim, unknown game.
    let challenge = Message::Challenge {
        claim: B32([7; 32]),
        history_root: B32([1; 32]),
        final_root: B32([2; 32]),
        bond: 10,
    }
    .sign(&s.genesis(), &alice, 1);
    let (status, body) = post(&s, &challenge).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_claim")), "{body}");
    let (status, body) = call(&s, Method::GET, "/v1/games/99", Body::empty()).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_game")));
    // Malformed JSON, and a body over the limit.
    let (status, body) = call(&s, Method::POST, "/v1/messages", Body::from("{\"body\": 3")).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_json")), "{body}");
    let huge = vec![b' '; refute_arbiter::http::MAX_MESSAGE_BYTES + 1];
    let (status, body) = call(&s, Method::POST, "/v1/messages", Body::from(huge)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("body_too_large")),
        "{body}"
    );
    // A bad id in a path.
    let (status, body) = call(&s, Method::GET, "/v1/claims/xyz", Body::empty()).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_id")));

    // Nothing changed: same account, same log.
    assert_eq!(balance(&s, &alice).await, before);
    let (_, log) = call(&s, Method::GET, "/v1/log", Body::empty()).await;
    assert_eq!(log.as_array().unwrap().len(), 1);
    s.shutdown();
}

/// Security review finding 8: a message signed for one arbiter is refused
/// by another, whether the other has another key or the same key with other
/// parameters; each arbiter tells its genesis hash in `GET /v1/status`.
#[tokio::test]
async fn a_message_signed_for_one_arbiter_is_refused_by_another() {
    let (dir_a, dir_b, dir_c) =
        (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = open(dir_a.path(), 100);
    let (_, status) = call(&a, Method::GET, "/v1/status", Body::empty()).await;
    let (_, params) = call(&a, Method::GET, "/v1/params", Body::empty()).await;
    let params: refute_protocol::rules::Params = serde_json::from_value(params).unwrap();
    assert_eq!(status["genesis"], json!(a.genesis()), "{status}");
    assert_eq!(a.genesis(), params.genesis(), "the genesis is the parameters' (key and params hash)");

    // B: another key, the same configured parameters.
    let b = open(dir_b.path(), 100);
    // C: A's key, other parameters.
    std::fs::create_dir_all(dir_c.path()).unwrap();
    std::fs::copy(dir_a.path().join("arbiter.key"), dir_c.path().join("arbiter.key")).unwrap();
    let mut config = Config::local(dir_c.path());
    config.params.challenge_window_ms += 1;
    let c = Service::open(&config).unwrap();
    assert_eq!(c.arbiter(), a.arbiter());
    let genesis: std::collections::BTreeSet<B32> = [&a, &b, &c].iter().map(|s| s.genesis()).collect();
    assert_eq!(genesis.len(), 3, "three arbiters, three genesis hashes");

    let erin = key(5);
    let mint = Message::Mint { to: pubkey(&erin), amount: 9 }.sign(&a.genesis(), &erin, 0);
    for other in [&b, &c] {
        let (status, body) = post(other, &mint).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("bad_signature")),
            "{body}"
        );
        assert_eq!(balance(other, &erin).await["balance"], 0);
    }
    let (status, body) = post(&a, &mint).await;
    assert_eq!(status, StatusCode::OK, "the arbiter it was signed for takes it: {body}");
    assert_eq!(balance(&a, &erin).await["balance"], 9);
    for s in [a, b, c] {
        s.shutdown();
    }
}

/// Security review finding 13: a database whose parameters name no engine
/// semantics version (made before it was recorded) or another one is refused
/// at open, with an error naming both versions, not replayed with this
/// engine's state roots.
#[tokio::test]
async fn a_database_of_another_engine_version_is_refused_at_open() {
    use refute_arbiter::db::Db;
    use refute_arbiter::service::OpenError;
    use refute_arbiter::service::core::PARAMS_KEY;
    use refute_engine::SEMANTICS_VERSION;
    use refute_protocol::rules::ParamsError;

    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), 100);
    let frank = key(6);
    let mint = Message::Mint { to: pubkey(&frank), amount: 3 }.sign(&s.genesis(), &frank, 0);
    assert_eq!(post(&s, &mint).await.0, StatusCode::OK);
    s.shutdown();
    drop(s);
    let stored = |edit: &dyn Fn(&mut serde_json::Map<String, Value>)| {
        let db = Db::open(&dir.path().join("db")).unwrap();
        let mut p: Value = serde_json::from_slice(&db.get_state(PARAMS_KEY).unwrap().unwrap()).unwrap();
        edit(p.as_object_mut().unwrap());
        db.put_state_unsynced(PARAMS_KEY, &serde_json::to_vec(&p).unwrap()).unwrap();
    };
    for (found, edit) in [
        (0, &(|p: &mut serde_json::Map<String, Value>| drop(p.remove("engine_version"))) as &dyn Fn(&mut _)),
        (SEMANTICS_VERSION + 1, &|p: &mut serde_json::Map<String, Value>| {
            p.insert("engine_version".into(), json!(SEMANTICS_VERSION + 1));
        }),
    ] {
        stored(edit);
        let err = Service::open(&Config::local(dir.path())).err().expect("the database is refused");
        let text = err.to_string();
        assert!(
            matches!(err, OpenError::StoredParams(ParamsError::EngineVersion { found: f, ours }) if f == found && ours == SEMANTICS_VERSION),
            "{err:?}"
        );
        assert!(
            text.contains(&format!("version {found}"))
                && text.contains(&format!("version {SEMANTICS_VERSION}")),
            "{text}"
        );
    }
}

/// A database made before the ECVRF lottery and the stake-weighted draw
/// (its parameters name no rules version) is refused at open, naming both
/// versions, not replayed under rules that would give another state.
#[tokio::test]
async fn a_database_of_other_rules_is_refused_at_open() {
    use refute_arbiter::db::Db;
    use refute_arbiter::service::OpenError;
    use refute_arbiter::service::core::PARAMS_KEY;
    use refute_protocol::rules::{ParamsError, RULES_VERSION};

    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), 100);
    let frank = key(6);
    let mint = Message::Mint { to: pubkey(&frank), amount: 3 }.sign(&s.genesis(), &frank, 0);
    assert_eq!(post(&s, &mint).await.0, StatusCode::OK);
    s.shutdown();
    drop(s);
    let db = Db::open(&dir.path().join("db")).unwrap();
    let mut p: Value = serde_json::from_slice(&db.get_state(PARAMS_KEY).unwrap().unwrap()).unwrap();
    p.as_object_mut().unwrap().remove("rules_version");
    db.put_state_unsynced(PARAMS_KEY, &serde_json::to_vec(&p).unwrap()).unwrap();
    drop(db);
    let err = Service::open(&Config::local(dir.path())).err().expect("the database is refused");
    assert!(
        matches!(err, OpenError::StoredParams(ParamsError::RulesVersion { found: 0, ours }) if ours == RULES_VERSION),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("rules version 0") && text.contains(&format!("version {RULES_VERSION}")), "{text}");
}

#[tokio::test]
async fn an_account_over_its_rate_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), 2);
    let bob = key(2);
    let mut codes = Vec::new();
    for nonce in 0..6 {
        let (_, body) =
            post(&s, &Message::Mint { to: pubkey(&bob), amount: 1 }.sign(&s.genesis(), &bob, nonce)).await;
        codes.push(body["code"].as_str().unwrap_or("ok").to_string());
    }
    // A burst of twice the rate passes, then the bucket is empty.
    assert_eq!(&codes[..4], ["ok", "ok", "ok", "ok"]);
    assert!(codes[4..].iter().all(|c| c == "rate_limited"), "{codes:?}");
    s.shutdown();
}

#[tokio::test]
async fn the_state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let carol = key(3);
    {
        let s = open(dir.path(), 1000);
        for nonce in 0..20 {
            let (status, _) =
                post(&s, &Message::Mint { to: pubkey(&carol), amount: 7 }.sign(&s.genesis(), &carol, nonce))
                    .await;
            assert_eq!(status, StatusCode::OK);
        }
        s.shutdown();
    }
    let s = open(dir.path(), 1000);
    assert_eq!(balance(&s, &carol).await["balance"], 140);
    assert_eq!(balance(&s, &carol).await["nonce"], 20);
    let (_, status) = call(&s, Method::GET, "/v1/status", Body::empty()).await;
    assert_eq!(status["log"]["next"], 20);
    s.shutdown();
    let _ = json!({});
}

#[tokio::test]
async fn the_lists_take_documented_filters_only() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), 1000);
    for uri in ["/v1/games?status=open", "/v1/claims?status=settled", "/v1/games?player=00"] {
        let (status, v) = call(&s, Method::GET, uri, Body::empty()).await;
        if uri.ends_with("=00") {
            assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {v}");
            assert_eq!(v["code"], "bad_id", "{uri}: {v}");
        } else {
            assert_eq!(status, StatusCode::OK, "{uri}: {v}");
            assert_eq!(v, serde_json::json!([]), "{uri}");
        }
    }
    let (status, v) = call(&s, Method::GET, "/v1/claims?status=closed", Body::empty()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(v["code"], "bad_query");
    assert!(v["message"].as_str().unwrap().contains("closed"), "{v}");
    s.shutdown();
}

#[tokio::test]
async fn a_failed_commit_is_rolled_back_and_the_service_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let dave = key(4);
    let s = open(dir.path(), 1000);
    let mint = |nonce| Message::Mint { to: pubkey(&dave), amount: 5 }.sign(&s.genesis(), &dave, nonce);
    assert_eq!(post(&s, &mint(0)).await.0, StatusCode::OK);
    // The next commit fails, as on a full disk: the request is answered
    // `storage`, and nothing of it is served.
    s.db().fail_commits(1);
    let (status, v) = post(&s, &mint(1)).await;
    assert_eq!((status, v["code"].as_str()), (StatusCode::INTERNAL_SERVER_ERROR, Some("storage")), "{v}");
    assert_eq!(balance(&s, &dave).await["balance"], 5, "the failed mint is not served");
    assert_eq!(balance(&s, &dave).await["nonce"], 1);
    let (_, st) = call(&s, Method::GET, "/v1/status", Body::empty()).await;
    assert_eq!(st["log"]["next"], 1, "the log holds only what is on disk");
    // The service goes on: the same message is taken now.
    assert_eq!(post(&s, &mint(1)).await.0, StatusCode::OK);
    assert_eq!(balance(&s, &dave).await["balance"], 10);
    s.shutdown();
    drop(s);
    let s = open(dir.path(), 1000);
    assert_eq!(balance(&s, &dave).await["balance"], 10);
    assert_eq!(balance(&s, &dave).await["nonce"], 2);
    s.shutdown();
}
