//! Durable signed posts per second through the arbiter service, and their
//! latency: `cargo run --release -p refute-arbiter --example service_bench
//! [-- CLIENTS SECONDS]`.
//!
//! Each client is an account posting pre-signed `mint` messages (the
//! client's own signing is not the arbiter's cost) as JSON through the
//! axum router (`app().oneshot`, no socket), one at a time: a post returns
//! once its batch is synced to disk. The service verifies every signature,
//! applies the rules, signs a log entry per message and commits batches
//! with one fsync each (group commit). Prints throughput and latency
//! percentiles.

use axum::body::Body;
use axum::http::Request;
use ed25519_dalek::SigningKey;
use refute_arbiter::http::app;
use refute_arbiter::service::{Config, Service};
use refute_protocol::rules::{B32, Message};
use std::time::{Duration, Instant};
use tower::ServiceExt;

fn main() {
    let args: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let clients = args.first().copied().unwrap_or(256) as usize;
    let seconds = args.get(1).copied().unwrap_or(5);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut config = Config::local(dir.path());
    config.rate_per_account = 1_000_000;
    let service = Service::open(&config).expect("the service opens");
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    // Pre-sign enough messages for up to 20,000 posts/s, before the clock starts.
    let per_client = (20_000 * seconds as usize).div_ceil(clients);
    let genesis = service.genesis();
    let signed: Vec<Vec<Vec<u8>>> = (0..clients)
        .map(|c| {
            let mut seed = [0u8; 32];
            seed[..8].copy_from_slice(&(c as u64 + 1).to_le_bytes());
            let key = SigningKey::from_bytes(&seed);
            let me = B32(key.verifying_key().to_bytes());
            (0..per_client as u64)
                .map(|n| {
                    serde_json::to_vec(&Message::Mint { to: me, amount: 1 }.sign(&genesis, &key, n))
                        .expect("json")
                })
                .collect()
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let lat: Vec<Duration> = rt.block_on(async {
        let mut tasks = Vec::new();
        for bodies in signed {
            let service = service.clone();
            tasks.push(tokio::spawn(async move {
                let router = app(service);
                let mut lat = Vec::new();
                for body in bodies {
                    if Instant::now() >= deadline {
                        break;
                    }
                    let req = Request::post("/v1/messages")
                        .header("content-type", "application/json")
                        .body(Body::from(body))
                        .expect("a request");
                    let t = Instant::now();
                    let resp = router.clone().oneshot(req).await.expect("a response");
                    assert!(resp.status().is_success(), "{}", resp.status());
                    lat.push(t.elapsed());
                }
                lat
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.expect("a client"));
        }
        all
    });
    let mut lat = lat;
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
    let head = service.read(|c| c.head());
    println!(
        "{clients} clients, {seconds} s: {} durable posts, {:.0} posts/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; log has {} entries",
        lat.len(),
        lat.len() as f64 / seconds as f64,
        pct(0.5).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        lat.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        head.next,
    );
    service.shutdown();
}
