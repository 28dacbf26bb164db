//! Durable, signed log appends with group commit: appends per second and commit latency.
//!
//! `cargo run -p refute-arbiter --example log_bench [-- DIR [RUNS]]`
//!
//! For each batch size, each run opens a new database under `DIR` (default: the system's
//! temporary directory; it must be on the disk being measured, not a tmpfs) and commits
//! batches of transitions, each a signed entry with a 300-byte payload and a 500-byte
//! state record, timing signing and the synced write together. Prints the median over
//! the runs of the throughput and of the median and 99th-percentile commit latency.
//!
//! Then, as the service will run: one thread signs posts arriving at a fixed rate, another
//! commits everything queued in one batch whenever its previous commit returns. Prints
//! the posts per second committed, the mean batch, and the latency of a post from its
//! arrival to the return of the commit holding it (median of runs, p50 and p99).

use std::sync::mpsc;
use std::time::{Duration, Instant};

use refute_arbiter::db::{Db, Transition};
use refute_protocol::log::{ArbiterKey, Chain, Head};

const PAYLOAD: usize = 300;
const RECORD: usize = 500;
const BATCHES: [u64; 4] = [1, 16, 64, 256];

fn main() {
    let mut args = std::env::args().skip(1);
    let base = args.next().map_or_else(std::env::temp_dir, Into::into);
    let runs: usize = args.next().map_or(3, |r| r.parse().expect("RUNS is a number"));
    let key = ArbiterKey::from_secret(&[1; 32]);
    println!("{:>6} {:>12} {:>10} {:>10}", "batch", "appends/s", "p50 ms", "p99 ms");
    for batch in BATCHES {
        let results: Vec<(f64, Duration, Duration)> = (0..runs).map(|_| run(&base, &key, batch)).collect();
        let median = |f: &dyn Fn(&(f64, Duration, Duration)) -> f64| {
            let mut v: Vec<f64> = results.iter().map(f).collect();
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let rate = median(&|r| r.0);
        let p50 = median(&|r| r.1.as_secs_f64() * 1e3);
        let p99 = median(&|r| r.2.as_secs_f64() * 1e3);
        println!("{batch:>6} {rate:>12.0} {p50:>10.2} {p99:>10.2}");
    }
    println!();
    println!("{:>8} {:>12} {:>10} {:>10} {:>10}", "offered", "committed/s", "batch", "p50 ms", "p99 ms");
    for offered in RATES {
        let results: Vec<Served> = (0..runs).map(|_| serve(&base, &key, offered)).collect();
        let median = |f: &dyn Fn(&Served) -> f64| {
            let mut v: Vec<f64> = results.iter().map(f).collect();
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let (rate, batch) = (median(&|r| r.rate), median(&|r| r.mean_batch));
        let (p50, p99) = (median(&|r| r.p50 * 1e3), median(&|r| r.p99 * 1e3));
        println!("{offered:>8} {rate:>12.0} {batch:>10.1} {p50:>10.2} {p99:>10.2}");
    }
}

/// Offered loads in posts per second for the service-shaped run.
const RATES: [u64; 3] = [1_000, 5_000, 10_000];
/// How long each service-shaped run offers posts.
const SERVE_FOR: Duration = Duration::from_secs(3);

/// What one service-shaped run measured (seconds for latencies).
struct Served {
    rate: f64,
    mean_batch: f64,
    p50: f64,
    p99: f64,
}

/// Offers posts at `rate` per second for [`SERVE_FOR`]: a signer thread appends each to
/// the chain at its arrival time and queues it; this thread commits the queue.
fn serve(base: &std::path::Path, key: &ArbiterKey, rate: u64) -> Served {
    let dir = tempfile::tempdir_in(base).expect("a temporary directory");
    let db = Db::open(dir.path()).expect("a new database");
    let (tx, rx) = mpsc::channel::<(Instant, Transition)>();
    let total = rate * SERVE_FOR.as_secs();
    let start = Instant::now();
    let signer = {
        let key = key.clone();
        std::thread::spawn(move || {
            let mut chain = Chain::new(Head::genesis(&key.public(), &[0; 32]));
            for n in 0..total {
                let arrival = start + Duration::from_secs_f64(n as f64 / rate as f64);
                if let Some(wait) = arrival.checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
                let transition = transition(&mut chain, &key, n);
                tx.send((arrival, transition)).expect("the committer is running");
            }
        })
    };
    let mut latencies = Vec::with_capacity(total as usize);
    let mut commits = 0u64;
    while let Ok(first) = rx.recv() {
        let (arrivals, transitions): (Vec<Instant>, Vec<Transition>) =
            std::iter::once(first).chain(rx.try_iter()).unzip();
        db.commit(&transitions).expect("commit");
        let done = Instant::now();
        latencies.extend(arrivals.iter().map(|arrival| done - *arrival));
        commits += 1;
    }
    let elapsed = start.elapsed();
    signer.join().expect("the signer thread");
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize].as_secs_f64();
    Served {
        rate: total as f64 / elapsed.as_secs_f64(),
        mean_batch: total as f64 / commits as f64,
        p50: at(0.5),
        p99: at(0.99),
    }
}

/// Post `n`: a signed entry with a [`PAYLOAD`]-byte payload and a [`RECORD`]-byte record.
fn transition(chain: &mut Chain, key: &ArbiterKey, n: u64) -> Transition {
    let mut payload = vec![0x5a; PAYLOAD];
    payload[..8].copy_from_slice(&n.to_le_bytes());
    let entry = chain.append(key, n, payload).expect("a small payload");
    let record = (format!("game/{:08}", n % 1000).into_bytes(), vec![0xa5; RECORD]);
    Transition { entry, puts: vec![record], deletes: vec![] }
}

/// One run: (appends per second, p50 and p99 of the time to sign and commit a batch).
fn run(base: &std::path::Path, key: &ArbiterKey, batch: u64) -> (f64, Duration, Duration) {
    let dir = tempfile::tempdir_in(base).expect("a temporary directory");
    let db = Db::open(dir.path()).expect("a new database");
    let mut chain = Chain::new(Head::genesis(&key.public(), &[0; 32]));
    let commits = (8192 / batch).clamp(50, 1000);
    let mut latencies = Vec::with_capacity(commits as usize);
    let start = Instant::now();
    for c in 0..commits {
        let t0 = Instant::now();
        let transitions: Vec<_> = (0..batch).map(|i| transition(&mut chain, key, c * batch + i)).collect();
        db.commit(&transitions).expect("commit");
        latencies.push(t0.elapsed());
    }
    let elapsed = start.elapsed();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    ((commits * batch) as f64 / elapsed.as_secs_f64(), at(0.5), at(0.99))
}
