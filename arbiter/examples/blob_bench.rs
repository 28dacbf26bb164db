//! Blob uploads through the arbiter's router (`specs/api.md` §2.1, §5):
//! `cargo build --workspace --examples`, then
//! `target/debug/examples/blob_bench [MIB]`.
//!
//! On a runtime with one async worker, a funded key uploads MIB (default
//! 64) MiB in 64 KiB chunks (`app().oneshot`, no socket) while another task
//! asks `GET /v1/status` every millisecond: the upload is hashed in batches
//! on the blocking pool, so the worker keeps answering. Then the blob is read
//! back (not hashed again), and an unfunded key announces a blob of the same
//! size: it is refused before a byte of its body is read. Prints each time,
//! and SHA-256 of the same bytes alone for comparison.

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode, header};
use ed25519_dalek::SigningKey;
use http_body_util::BodyExt;
use refute_arbiter::http::app;
use refute_arbiter::service::{Config, Service};
use refute_protocol::rules::{B32, BlobUpload, Message};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio_stream::StreamExt;
use tower::ServiceExt;

/// The upload of `bytes` under `statement`, in 64 KiB chunks that arrive one
/// scheduling round apart, as from a network.
fn request(statement: &BlobUpload, bytes: &[u8]) -> Request<Body> {
    let chunks: Vec<Result<Bytes, std::io::Error>> =
        bytes.chunks(64 << 10).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    let body = tokio_stream::iter(chunks).then(|c| async move {
        tokio::task::yield_now().await;
        c
    });
    let mut req = Request::post("/v1/blobs").header(header::CONTENT_LENGTH, bytes.len());
    for (name, value) in statement.headers() {
        req = req.header(name, value);
    }
    req.body(Body::from_stream(body)).expect("a request")
}

/// Asks `GET /v1/status` every millisecond until `done`; returns how many
/// were answered and the slowest answer.
async fn ping(s: Arc<Service>, done: Arc<AtomicBool>) -> (u32, Duration) {
    let (mut count, mut worst) = (0, Duration::ZERO);
    while !done.load(Ordering::SeqCst) {
        let t = Instant::now();
        let req = Request::get("/v1/status").body(Body::empty()).expect("a request");
        let r = app(s.clone()).oneshot(req).await.expect("an answer");
        r.into_body().collect().await.expect("a body");
        (count, worst) = (count + 1, worst.max(t.elapsed()));
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    (count, worst)
}

fn main() {
    let mib: usize = std::env::args().nth(1).map_or(64, |a| a.parse().expect("MIB is a number"));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    rt.block_on(async {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let s = Service::open(&Config::local(dir.path())).expect("the service opens");
        let key = SigningKey::from_bytes(&[1; 32]);
        let mint = Message::Mint { to: B32(key.verifying_key().to_bytes()), amount: 10_000 };
        s.submit(mint.sign(&s.genesis(), &key, 0)).await.expect("minted");
        let bytes: Vec<u8> = (0..mib << 20).map(|i: usize| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let t = Instant::now();
        std::hint::black_box(Sha256::digest(&bytes));
        let sha = t.elapsed();
        let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_millis() as u64;

        let statement = BlobUpload::sign(&s.genesis(), &key, &bytes, now + 60_000);
        let done = Arc::new(AtomicBool::new(false));
        let (req, pinger) = (request(&statement, &bytes), tokio::spawn(ping(s.clone(), done.clone())));
        let t = Instant::now();
        let r = app(s.clone()).oneshot(req).await.expect("an answer");
        let status = r.status();
        let upload = t.elapsed();
        done.store(true, Ordering::SeqCst);
        let (answered, worst) = pinger.await.expect("the pinger ends");
        assert_eq!(status, StatusCode::CREATED);
        println!("upload of {mib} MiB: {upload:.1?}; GET /v1/status meanwhile: {answered} answered, slowest {worst:.1?}");

        let t = Instant::now();
        let req = Request::get(format!("/v1/blobs/{}", statement.hash)).body(Body::empty()).expect("a request");
        let got = app(s.clone()).oneshot(req).await.expect("an answer").into_body().collect().await;
        assert_eq!(got.expect("a body").to_bytes().len(), bytes.len());
        println!("read back: {:.1?} (not hashed; SHA-256 of the same bytes alone: {sha:.1?})", t.elapsed());

        let poor = SigningKey::from_bytes(&[2; 32]);
        let statement = BlobUpload::sign_hashed(&s.genesis(), &poor, statement.hash, statement.len, now + 60_000);
        let req = request(&statement, &bytes);
        let t = Instant::now();
        let r = app(s.clone()).oneshot(req).await.expect("an answer");
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        println!("an unfunded key's upload of {mib} MiB refused in {:.1?}, its body unread", t.elapsed());
        s.shutdown();
    });
}
