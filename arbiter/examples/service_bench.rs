//! Durable signed posts per second through the arbiter service, and their
//! latency: `cargo run --release -p refute-arbiter --example service_bench
//! [-- CLIENTS SECONDS [claims N | games N]]`.
//!
//! With `claims N`, N claims whose challenge windows all end during the
//! measurement are posted first; with `games N`, N silent challengers on one
//! claim whose first clocks run out during it (the claim is then rejected
//! and the other games cancelled). The posts measure how well the arbiter
//! keeps answering other clients while it settles them (security review
//! finding 1; the settlement runs in bounded log entries).
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
use refute_protocol::inputs::{ClaimInputs, initial_root};
use refute_protocol::record::Record;
use refute_protocol::rules::{B32, Blob, ClaimBody, Event, Message};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// How long the flood's windows or clocks run: long enough to post the flood first.
const FLOOD_MS: u64 = 45_000;

fn key(tag: u8, i: u64) -> SigningKey {
    let mut seed = [tag; 32];
    seed[..8].copy_from_slice(&i.to_le_bytes());
    SigningKey::from_bytes(&seed)
}

fn pk(k: &SigningKey) -> B32 {
    B32(k.verifying_key().to_bytes())
}

/// A true claim of a module whose `_start` returns at once, its blobs stored.
fn claim_body(service: &Service) -> ClaimBody {
    let module = wat::parse_str(r#"(module (func (export "_start")))"#).expect("wat");
    let inputs =
        ClaimInputs::from_blobs(module.clone(), b"", b"", Vec::new(), "_start", &[]).expect("inputs");
    let [m, a, e, s] = [module, inputs.args_blob(), inputs.env_blob(), Vec::new()]
        .map(|b| B32(service.put_blob(&b).expect("a blob")));
    let mut body = ClaimBody {
        module: m,
        args: a,
        env: e,
        stdin: s,
        entry: "_start".into(),
        entry_args: vec![],
        max_steps: 1000,
        initial_root: B32([0; 32]),
        final_root: B32([0; 32]),
        final_header: Blob(vec![]),
        stdout: Blob(vec![]),
        history_root: B32([0; 32]),
        bond: 1000,
        job: None,
        dirs: None,
        outputs: None,
    };
    let run = inputs.to_run(body.max_steps).expect("a run");
    body.initial_root = B32(initial_root(&run));
    let trace = Arc::new(refute_challenger::trace::RunTrace::new(run).expect("a trace"));
    body.final_root = trace.final_root();
    body.final_header = Blob(trace.final_header().encode().to_vec());
    let leaves = service.read(|c| c.rules.params.max_leaves);
    body.history_root = refute_challenger::play::history_root(&*trace, body.max_steps, leaves);
    body
}

/// Submits `m` signed by `k` with `nonce`; panics if refused.
async fn send(service: &Arc<Service>, k: &SigningKey, nonce: u64, m: Message) {
    service
        .submit(m.sign(&service.genesis(), k, nonce))
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", e.code()));
}

/// Posts the flood (`claims N` or `games N`) before the measurement.
fn flood(rt: &tokio::runtime::Runtime, service: &Arc<Service>, kind: &str, n: u64) {
    let t = Instant::now();
    let body = claim_body(service);
    rt.block_on(async {
        let mut tasks = Vec::new();
        let solver = key(0x51, 0);
        if kind == "games" {
            send(service, &solver, 0, Message::Mint { to: pk(&solver), amount: 10_000 }).await;
            send(service, &solver, 1, Message::Claim(Box::new(body.clone()))).await;
        }
        let claim = refute_protocol::rules::claim_id(&pk(&solver), 1);
        for part in 0..8u64 {
            let (service, body) = (service.clone(), body.clone());
            let kind = kind.to_string();
            tasks.push(tokio::spawn(async move {
                for i in (part..n).step_by(8) {
                    let k = key(0xf1, i);
                    send(&service, &k, 0, Message::Mint { to: pk(&k), amount: 1000 }).await;
                    let m = if kind == "claims" {
                        Message::Claim(Box::new(body.clone()))
                    } else {
                        let root = B32::sha256(&[&k.verifying_key().to_bytes()]);
                        Message::Challenge { claim, history_root: root, final_root: root, bond: 1000 }
                    };
                    send(&service, &k, 1, m).await;
                }
            }));
        }
        for t in tasks {
            t.await.expect("a flood task");
        }
    });
    println!("flood: {n} {kind} posted in {:.1} s", t.elapsed().as_secs_f64());
}

fn main() {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<u64> = raw.iter().filter_map(|a| a.parse().ok()).collect();
    let clients = args.first().copied().unwrap_or(256) as usize;
    let seconds = args.get(1).copied().unwrap_or(5);
    let flood_kind = raw.iter().find(|a| *a == "claims" || *a == "games").cloned();
    let flood_n = args.get(2).copied().unwrap_or(10_000);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut config = Config::local(dir.path());
    config.rate_per_account = 1_000_000;
    config.params.challenge_window_ms =
        if flood_kind.as_deref() == Some("claims") { FLOOD_MS } else { 600_000 };
    config.params.clock_ms = FLOOD_MS;
    config.params.committee_size = 0;
    let service = Service::open(&config).expect("the service opens");
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    if let Some(kind) = &flood_kind {
        flood(&rt, &service, kind, flood_n);
    }
    let ticker = {
        let s = service.clone();
        rt.spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let _ = s.tick().await;
            }
        })
    };
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
    ticker.abort();
    let head = service.read(|c| c.head());
    if flood_kind.is_some() {
        // When the settlement ran, and in how many entries.
        let (mut first, mut last, mut entries, mut biggest) = (u64::MAX, 0, 0, 0);
        for e in service.db().log_entries(0) {
            let e = e.expect("an entry");
            let r = Record::of(&e).expect("a record");
            let settles = r.ticked.iter().any(|ev| {
                matches!(ev, Event::ClaimFinal { .. } | Event::GameCancelled { .. } | Event::TimedOut { .. })
            });
            if settles {
                first = first.min(e.time_ms);
                last = last.max(e.time_ms);
                entries += 1;
                biggest = biggest.max(e.payload.len());
            }
        }
        println!(
            "settlement: {entries} entries over {} ms of arbiter time, the largest {} bytes",
            last.saturating_sub(first),
            biggest
        );
    }
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
