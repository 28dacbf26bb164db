//! `dispute_bench --job`: the same dispute as a job's. A requester posts the
//! job; the only registered solver, a lying `refute solver run --lie-at K`,
//! is drawn and answers it; `refute challenger run` (not registered, so
//! never drawn; prebuilding by default) starts the task's trace at the job's
//! post, so the two runs overlap, and challenges the claim. Times are from
//! the job's post; the wall time ends when the claim is rejected.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::timeline::{Bench, Measured, at, least_bond, timeline};
use super::{Procs, Row, bot, check, funded_key, peak_mib, refute, start_arbiter};

/// Seconds since midnight UTC now, as the logs stamp it.
fn now_stamp() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs_f64() % 86_400.0
}

/// `GET url` as JSON.
fn get(agent: &ureq::Agent, url: &str) -> serde_json::Value {
    let mut r = agent.get(url).call().unwrap_or_else(|e| panic!("GET {url}: {e}"));
    serde_json::from_str(&r.body_mut().read_to_string().expect("a body")).expect("JSON")
}

/// One job dispute over `sha256 rounds`, with `k` leaves a round.
pub fn dispute(rounds: u64, k: u64) -> Row {
    let b = Bench::new(rounds);
    let dir = &b.dir;
    let (max_steps, lie_at) = (b.max_steps, b.lie_at);

    let mut procs = Procs(Vec::new());
    // The solver answers after one whole run: give it ten minutes or four
    // plain runs, whichever is longer (10^11 steps take 12 minutes here).
    let deadline_ms = (b.plain.as_millis() * 4).max(600_000).to_string();
    let url = start_arbiter(&mut procs, dir.path(), k, &["--job-deadline-ms", &deadline_ms]);
    let agent: ureq::Agent =
        ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(30))).build().into();
    let solver_pk = funded_key(&url, dir.path(), "solver");
    for name in ["challenger", "requester"] {
        funded_key(&url, dir.path(), name);
    }
    let (t, l, r) = (max_steps.to_string(), lie_at.to_string(), rounds.to_string());
    // The least reward is a claim's least bond.
    let reward = least_bond(max_steps);
    let mut s = bot(&url, dir.path(), "solver", &["solver", "run", "--stake", "1000", "--lie-at", &l]);
    procs.0.push(s.spawn().expect("start the solver"));
    let mut c = bot(&url, dir.path(), "challenger", &["challenger", "run"]);
    procs.0.push(c.spawn().expect("start the challenger"));
    let until = Instant::now() + Duration::from_secs(60);
    while get(&agent, &format!("{url}/v1/accounts/{solver_pk}"))["stake"].is_null() {
        assert!(Instant::now() < until, "the solver did not register within 60 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));

    let (started, t0) = (Instant::now(), now_stamp());
    let key = dir.path().join("requester.key");
    let wasm = b.wasm.to_str().expect("a UTF-8 path");
    let posted = check(
        refute(&url)
            .args(["job", "post", "--json", "--max-steps", &t, "--reward", &reward, "--key"])
            .arg(&key)
            .args([wasm, &r])
            .output()
            .unwrap(),
        "job post",
    );
    let job_posted = started.elapsed();
    let posted: serde_json::Value = serde_json::from_str(&posted).expect("job post --json");
    let id = posted["job"].as_str().expect("the job's id").to_string();
    assert_eq!(posted["solver"], solver_pk.as_str(), "the only candidate is drawn");

    // Until the liar's claim is rejected: the job is then drawn again, and
    // fails (no other candidate).
    let (mut solver_mib, mut challenger_mib) = (None, None);
    let wall = loop {
        solver_mib = peak_mib(procs.0[1].id()).or(solver_mib);
        challenger_mib = peak_mib(procs.0[2].id()).or(challenger_mib);
        let job = get(&agent, &format!("{url}/v1/jobs/{id}"));
        if job["attempts"].as_u64() > Some(1) || job["status"] == "failed" {
            break started.elapsed();
        }
        assert!(job["status"] != "done", "the lying claim became final: {job}");
        std::thread::sleep(Duration::from_millis(20));
    };
    std::thread::sleep(Duration::from_millis(300));

    let (slog, clog) = b.logs();
    let own = [
        ("job posted (`refute job post` returned)", Some(t0 + job_posted.as_secs_f64())),
        ("solver: drawn, running it", at(&slog, "drawn for job", false)),
        ("challenger: prebuilding the job's trace", at(&clog, "prebuilding the trace of job", false)),
        ("solver: trace built (engine run with checkpoints)", at(&slog, "trace built", false)),
        (
            "challenger: trace built (its one engine run: checkpoints, posted roots)",
            at(&clog, "trace built", false),
        ),
        ("solver: claim posted", at(&slog, "answered job", false)),
    ];
    let m = Measured { wall, solver_mib, challenger_mib };
    timeline("job", &b, k, m, (&slog, &clog), t0, &own)
}
