//! Blob uploads through the router (`specs/api.md` §2): signed by a funded
//! key for this arbiter, within the key's quotas, exactly the signed length
//! and hash. Every refused upload is answered with its status and code and
//! stores nothing; an honest one is stored and read back.

use axum::body::{Body, Bytes};
use axum::http::{Method, Request, StatusCode, header};
use ed25519_dalek::SigningKey;
use http_body_util::BodyExt;
use refute_arbiter::db::{BLOB_AT, BLOB_LEN, MAX_BLOB};
use refute_arbiter::http::app;
use refute_arbiter::service::{Config, Service};
use refute_protocol::rules::{B32, BlobUpload, Message, UPLOAD_MAX_AHEAD_MS};
use serde_json::Value;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use tower::ServiceExt;

fn key(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[n; 32])
}

fn pk(k: &SigningKey) -> B32 {
    B32(k.verifying_key().to_bytes())
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
}

/// A service whose key 1 is funded with the minimum claim bond exactly and
/// key 2 with one less; `config` adjusts the defaults.
async fn open(dir: &std::path::Path, config: impl FnOnce(&mut Config)) -> Arc<Service> {
    let mut c = Config::local(dir);
    config(&mut c);
    let s = Service::open(&c).unwrap();
    let min = s.read(|c| c.rules.params.min_claim_bond);
    for (k, amount) in [(key(1), min), (key(2), min - 1)] {
        s.submit(Message::Mint { to: pk(&k), amount }.sign(&s.genesis(), &k, 0)).await.unwrap();
    }
    s
}

/// An upload request: the statement's headers (those named in `without`
/// left out), `Content-Length: len` unless `None`, and `body`.
struct Upload {
    headers: Vec<(&'static str, String)>,
    len: Option<u64>,
    body: Body,
}

impl Upload {
    /// `bytes`, honestly signed by `k` for `s`, valid for a minute.
    fn honest(s: &Service, k: &SigningKey, bytes: &[u8]) -> Upload {
        Upload::signed(BlobUpload::sign(&s.genesis(), k, bytes, now_ms() + 60_000), bytes)
    }

    /// `bytes` under `statement`, with its length as `Content-Length`.
    fn signed(statement: BlobUpload, bytes: &[u8]) -> Upload {
        Upload {
            headers: statement.headers().to_vec(),
            len: Some(statement.len),
            body: Body::from(bytes.to_vec()),
        }
    }
}

/// The answer: status, `Retry-After`, body as JSON.
async fn send(s: &Arc<Service>, u: Upload) -> (StatusCode, Option<String>, Value) {
    let mut req = Request::builder().method(Method::POST).uri("/v1/blobs");
    for (name, value) in u.headers {
        req = req.header(name, value);
    }
    if let Some(len) = u.len {
        req = req.header(header::CONTENT_LENGTH, len);
    }
    let resp = app(s.clone()).oneshot(req.body(u.body).unwrap()).await.unwrap();
    let retry = resp.headers().get(header::RETRY_AFTER).map(|v| v.to_str().unwrap().to_string());
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, retry, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// How many blobs are stored (their length records, written with them) and
/// how many wait for a claim (their upload times).
fn stored(s: &Service) -> (usize, usize) {
    let count = |prefix| s.db().iter_state_prefix(prefix).count();
    (count(BLOB_LEN), count(BLOB_AT))
}

/// Sends `u` and checks it is refused with `status` and `code`, a message
/// that says `says`, and that nothing was stored.
async fn refused(s: &Arc<Service>, u: Upload, status: u16, code: &str, says: &str) {
    let before = stored(s);
    let (got, retry, body) = send(s, u).await;
    let what = format!("{got} {body}");
    assert_eq!((got.as_u16(), body["code"].as_str()), (status, Some(code)), "{what}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains(says), "{what}: the message does not say {says:?}");
    assert_eq!(retry.is_some(), status == 429, "Retry-After with 429 only: {what}");
    assert_eq!(stored(s), before, "a refused upload stores nothing: {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_honest_upload_is_stored_and_read_back_as_sent() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), |_| {}).await;
    // Several hashing batches, sent in uneven chunks as a network would.
    let bytes: Vec<u8> =
        (0..(3 << 20) + 17).map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let chunks: Vec<Result<Bytes, std::io::Error>> =
        bytes.chunks(100_003).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    let mut u = Upload::honest(&s, &key(1), &bytes);
    u.body = Body::from_stream(tokio_stream::iter(chunks));
    let (status, _, body) = send(&s, u).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let hash = B32::sha256(&[&bytes]);
    assert_eq!(body["hash"], hash.to_string());
    assert_eq!(body["bytes"], bytes.len());
    assert_eq!(s.db().blob_len(&hash.0).unwrap(), Some(bytes.len() as u64));
    assert_eq!(stored(&s), (1, 1), "the blob's length and upload time are recorded");
    let req = Request::get(format!("/v1/blobs/{hash}")).body(Body::empty()).unwrap();
    let resp = app(s.clone()).oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.into_body().collect().await.unwrap().to_bytes(), bytes);
    // Again, and the empty blob: both fine; the same bytes are stored once.
    let (status, _, body) = send(&s, Upload::honest(&s, &key(1), &bytes)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _, body) = send(&s, Upload::honest(&s, &key(1), b"")).await;
    assert_eq!((status, body["bytes"].as_u64()), (StatusCode::CREATED, Some(0)), "{body}");
    assert_eq!(stored(&s), (2, 2));
    s.shutdown();
}

#[tokio::test]
async fn unsigned_badly_signed_and_expired_uploads_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), |_| {}).await;
    let bytes = b"\0asm\x01\0\0\0";
    let statement = BlobUpload::sign(&s.genesis(), &key(1), bytes, now_ms() + 60_000);
    let with = |f: &dyn Fn(&mut BlobUpload)| {
        let mut st = statement;
        f(&mut st);
        Upload::signed(st, bytes)
    };
    // Unsigned, and each header of the statement missing in turn.
    let unsigned = Upload { headers: vec![], len: Some(8), body: Body::from(bytes.to_vec()) };
    refused(&s, unsigned, 401, "missing_signature", "refute-signer").await;
    for (i, (name, _)) in statement.headers().iter().enumerate() {
        let mut u = Upload::signed(statement, bytes);
        u.headers.remove(i);
        refused(&s, u, 401, "missing_signature", name).await;
    }
    // Headers that do not decode.
    for (i, value, says) in [
        (0, "12", "refute-signer header is 64 hex digits"),
        (1, &"g".repeat(128)[..], "refute-signature header is 128 hex digits"),
        (2, &format!("+{}", &"a".repeat(63)), "refute-hash header is 64 hex digits"),
        (3, "+1", "refute-expires header is a whole number"),
        (3, "18446744073709551616", "refute-expires header is a whole number"),
    ] {
        let mut u = Upload::signed(statement, bytes);
        u.headers[i].1 = value.to_string();
        refused(&s, u, 400, "bad_header", says).await;
    }
    // A signature that does not verify: a flipped bit, another hash, length,
    // expiry or signer than signed, and a statement for another arbiter.
    let says = "signature does not verify";
    refused(&s, with(&|st| st.signature.0[9] ^= 1), 401, "bad_signature", says).await;
    refused(&s, with(&|st| st.hash.0[0] ^= 1), 401, "bad_signature", says).await;
    refused(&s, with(&|st| st.expires_ms -= 1), 401, "bad_signature", says).await;
    refused(&s, with(&|st| st.signer = pk(&key(2))), 401, "bad_signature", says).await;
    let mut longer = with(&|st| st.len += 1);
    longer.body = Body::from([&bytes[..], b"!"].concat());
    refused(&s, longer, 401, "bad_signature", says).await;
    let elsewhere = BlobUpload::sign(&B32([7; 32]), &key(1), bytes, now_ms() + 60_000);
    refused(&s, Upload::signed(elsewhere, bytes), 401, "bad_signature", says).await;
    // No point of the curve has y = 2, so these bytes are no public key.
    let mut not_a_key = [0; 32];
    not_a_key[0] = 2;
    refused(&s, with(&|st| st.signer = B32(not_a_key)), 401, "bad_key", "not a valid ed25519").await;
    // Expired, or valid for longer than an upload may be.
    let past = BlobUpload::sign(&s.genesis(), &key(1), bytes, now_ms() - 1);
    refused(&s, Upload::signed(past, bytes), 401, "expired", "expired at").await;
    let far = BlobUpload::sign(&s.genesis(), &key(1), bytes, now_ms() + UPLOAD_MAX_AHEAD_MS + 60_000);
    refused(&s, Upload::signed(far, bytes), 401, "expired", "more than the 600000 ms").await;
    // The honest statement itself is fine.
    let (status, _, body) = send(&s, Upload::signed(statement, bytes)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    s.shutdown();
}

#[tokio::test]
async fn a_key_below_the_minimum_claim_bond_may_not_upload_until_funded_or_staked() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), |_| {}).await;
    let says = "fund the key first";
    refused(&s, Upload::honest(&s, &key(2), b"x"), 403, "unfunded", says).await;
    refused(&s, Upload::honest(&s, &key(3), b"x"), 403, "unfunded", says).await;
    // Key 3 stakes the minimum claim bond, with nothing left free.
    let (k, min) = (key(3), s.read(|c| c.rules.params.min_claim_bond));
    let stake = min.max(s.read(|c| c.rules.params.min_register_stake));
    s.submit(Message::Mint { to: pk(&k), amount: stake }.sign(&s.genesis(), &k, 0)).await.unwrap();
    s.submit(Message::Register { stake }.sign(&s.genesis(), &k, 1)).await.unwrap();
    assert_eq!(s.read(|c| c.rules.state.account(&pk(&k)).balance), 0);
    let (status, _, body) = send(&s, Upload::honest(&s, &k, b"x")).await;
    assert_eq!(status, StatusCode::CREATED, "a stake funds an uploader: {body}");
    s.shutdown();
}

#[tokio::test]
async fn a_key_over_its_quotas_is_rate_limited() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), |c| {
        c.blobs_per_key = 3;
        c.blob_bytes_per_key = 1;
    })
    .await;
    // The byte quota is charged on the stated length, before the body is
    // read: a key that announces the largest blob has spent its burst, even
    // if its body then falls short.
    let big =
        BlobUpload::sign_hashed(&s.genesis(), &key(1), B32([1; 32]), MAX_BLOB as u64, now_ms() + 60_000);
    refused(&s, Upload::signed(big, b"short"), 400, "length_mismatch", "ended after 5 bytes").await;
    refused(&s, Upload::honest(&s, &key(1), b"x"), 429, "rate_limited", "MiB of blobs per second").await;
    // Blobs: three per time-to-live.
    let dir2 = tempfile::tempdir().unwrap();
    let s2 = open(dir2.path(), |c| c.blobs_per_key = 3).await;
    for i in 0..3u8 {
        let (status, _, body) = send(&s2, Upload::honest(&s2, &key(1), &[i])).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    refused(&s2, Upload::honest(&s2, &key(1), b"4"), 429, "rate_limited", "more than 3 blobs per 600 s")
        .await;
    // Another key has its own quota.
    let k = key(4);
    s2.submit(Message::Mint { to: pk(&k), amount: 1_000_000 }.sign(&s2.genesis(), &k, 0)).await.unwrap();
    let (status, _, body) = send(&s2, Upload::honest(&s2, &k, b"4")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    s.shutdown();
    s2.shutdown();
}

#[tokio::test]
async fn a_body_that_is_not_the_signed_length_and_hash_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = open(dir.path(), |_| {}).await;
    let bytes = vec![0x5a; 3 << 20];
    // Longer or shorter than stated (Content-Length, as signed).
    let mut longer = Upload::honest(&s, &key(1), &bytes);
    longer.body = Body::from([&bytes[..], b"!"].concat());
    refused(&s, longer, 400, "length_mismatch", "longer than its stated length").await;
    let mut shorter = Upload::honest(&s, &key(1), &bytes);
    shorter.body = Body::from(bytes[1..].to_vec());
    refused(&s, shorter, 400, "length_mismatch", "ended after 3145727 bytes").await;
    // The stated length, other bytes than signed.
    let mut other = Upload::honest(&s, &key(1), &bytes);
    let mut flipped = bytes.clone();
    flipped[2 << 20] ^= 1;
    other.body = Body::from(flipped);
    refused(&s, other, 400, "hash_mismatch", "not the signed").await;
    // A chunked body (no length stated); no length and no chunks is an empty
    // body; a length over the largest blob.
    let mut chunked = Upload::honest(&s, &key(1), &bytes);
    chunked.len = None;
    chunked.headers.push(("transfer-encoding", "chunked".into()));
    refused(&s, chunked, 411, "length_required", "Content-Length").await;
    let mut unstated = Upload::honest(&s, &key(1), &bytes);
    unstated.len = None;
    refused(&s, unstated, 401, "bad_signature", "does not verify").await;
    let mut unstated = Upload::honest(&s, &key(1), b"");
    unstated.len = None;
    let (status, _, body) = send(&s, unstated).await;
    assert_eq!((status, body["bytes"].as_u64()), (StatusCode::CREATED, Some(0)), "{body}");
    let mut huge = Upload::honest(&s, &key(1), b"x");
    huge.len = Some(MAX_BLOB as u64 + 1);
    refused(&s, huge, 413, "body_too_large", &format!("the limit is {MAX_BLOB}")).await;
    s.shutdown();
}
