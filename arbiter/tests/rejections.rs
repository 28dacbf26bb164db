//! Requests the router refuses before a handler decides anything: each is
//! answered with the JSON error `{"code", "message"}` and the status
//! `specs/api.md` §4 gives, never with axum's plain-text rejections.
//! (`tests/api_schema.rs` finds such requests at random with schemathesis;
//! these are the ones it found, kept as one-line cases.)

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use refute_arbiter::http::app;
use refute_arbiter::service::{Config, Service};
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

/// The answer to one request: status, `Allow`, content type, body as JSON.
struct Answer {
    status: StatusCode,
    allow: Option<String>,
    content_type: String,
    body: Value,
}

async fn call(s: &Arc<Service>, method: Method, uri: &str, content_type: Option<&str>, body: &str) -> Answer {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(ct) = content_type {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    let resp = app(s.clone()).oneshot(req.body(Body::from(body.to_string())).unwrap()).await.unwrap();
    let header = |h| resp.headers().get(h).map(|v: &header::HeaderValue| v.to_str().unwrap().to_string());
    let (status, allow, content_type) = (resp.status(), header(header::ALLOW), header(header::CONTENT_TYPE));
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        allow,
        content_type: content_type.unwrap_or_default(),
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

/// Asserts that `method uri` (with `body` as JSON, if any) is refused with
/// `status` and `code` as the JSON error, and that its message says `says`.
async fn check(
    s: &Arc<Service>,
    method: Method,
    uri: &str,
    body: Option<&str>,
    status: u16,
    code: &str,
    says: &str,
) {
    let ct = body.map(|_| "application/json");
    let a = call(s, method.clone(), uri, ct, body.unwrap_or("")).await;
    let what = format!("{method} {uri}: {} {}", a.status, a.body);
    assert_eq!(a.status.as_u16(), status, "{what}");
    assert_eq!(a.content_type, "application/json", "{what}");
    assert_eq!(a.body["code"], code, "{what}");
    let message = a.body["message"].as_str().unwrap_or_else(|| panic!("no message: {what}"));
    assert!(message.contains(says), "{what}: the message does not say {says:?}");
    assert_eq!(a.body.as_object().unwrap().len(), 2, "only code and message: {what}");
}

#[tokio::test]
async fn requests_that_do_not_decode_get_the_json_error() {
    let dir = tempfile::tempdir().unwrap();
    let s = Service::open(&Config::local(dir.path())).unwrap();
    let get = Method::GET;
    let key = "ab".repeat(32);
    let signed_key = "+a".repeat(32);
    // Query strings.
    check(&s, get.clone(), "/v1/log?limit=-1", None, 400, "bad_query", "limit").await;
    check(&s, get.clone(), "/v1/log?from=%2B5", None, 400, "bad_query", "\"+5\"").await;
    check(&s, get.clone(), "/v1/log?limit=1&limit=2", None, 400, "bad_query", "duplicate field").await;
    check(&s, get.clone(), "/v1/log?from=18446744073709551616", None, 400, "bad_query", "from").await;
    check(&s, get.clone(), "/v1/claims?status=open&status=open", None, 400, "bad_query", "status").await;
    check(&s, get.clone(), "/v1/games?status=closed", None, 400, "bad_query", "closed").await;
    check(&s, get.clone(), "/v1/games?player=", None, 400, "bad_id", "player").await;
    check(&s, get.clone(), "/v1/games?after=%2B1", None, 400, "bad_query", "after").await;
    check(&s, get.clone(), "/v1/claims?limit=1.0", None, 400, "bad_query", "limit").await;
    check(&s, get.clone(), "/v1/claims?after=0", None, 400, "bad_id", "after").await;
    check(&s, get.clone(), "/v1/games/0/transcript?format=a&format=b", None, 400, "bad_query", "format")
        .await;
    check(&s, get.clone(), "/v1/games/0/transcript?format=xml", None, 400, "bad_format", "xml").await;
    // Paths.
    check(&s, get.clone(), &format!("/v1/accounts/{signed_key}"), None, 400, "bad_id", "64 hex digits").await;
    check(&s, get.clone(), &format!("/v1/claims/{key}0"), None, 400, "bad_id", "64 hex digits").await;
    check(&s, get.clone(), "/v1/blobs/%FF", None, 400, "bad_id", "UTF-8").await;
    check(&s, get.clone(), "/v1/games/%2B1", None, 400, "bad_id", "\"+1\"").await;
    check(&s, get.clone(), "/v1/games/18446744073709551616", None, 400, "bad_id", "2^64").await;
    check(&s, get.clone(), "/v1/games/99", None, 404, "unknown_game", "99").await;
    // Bodies.
    let post = Method::POST;
    check(&s, post.clone(), "/v1/messages", Some("{"), 400, "bad_json", "EOF while parsing").await;
    check(&s, post.clone(), "/v1/messages", Some("{\"body\": {}}"), 400, "bad_json", "body: expected value")
        .await;
    let a = call(&s, post.clone(), "/v1/messages", None, "{}").await;
    assert_eq!((a.status.as_u16(), a.body["code"].as_str()), (400, Some("bad_json")), "{}", a.body);
    let plus = format!(
        "{{\"body\": \"unregister\", \"signer\": \"{signed_key}\", \"nonce\": 0, \"signature\": \"{}\"}}",
        "0".repeat(128)
    );
    check(&s, post.clone(), "/v1/messages", Some(&plus), 400, "bad_json", "not hex").await;
    // Routes and methods.
    check(&s, get.clone(), "/v1/nothing", None, 404, "not_found", "no such route").await;
    check(&s, Method::DELETE, "/v1/status", None, 405, "method_not_allowed", "DELETE").await;
    let a = call(&s, Method::PUT, "/v1/messages", None, "").await;
    assert_eq!((a.status.as_u16(), a.allow.as_deref()), (405, Some("POST")), "{}", a.body);
    let a = call(&s, Method::POST, "/v1/games/0/transcript", None, "").await;
    assert_eq!((a.status.as_u16(), a.allow.as_deref()), (405, Some("GET,HEAD")), "{}", a.body);
    s.shutdown();
}
