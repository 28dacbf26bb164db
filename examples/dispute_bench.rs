//! Wall time of a whole dispute over a long C program, with real processes:
//! `refute arbiter serve` on 127.0.0.1, `refute challenger run`, and a
//! lying `refute post` (its states are made up from the middle of the run
//! on). Prints the timeline from the bots' logs: trace building, the
//! commitment, the challenge, the rounds, the one-step proof, the verdict.
//!
//! Each dispute is compared with one plain run of the same program (`refute
//! run`, timed in the same invocation), and the peak resident memory of each
//! player (`VmHWM` from `/proc`) is printed; a table of every size given
//! ends the output.
//!
//! ```sh
//! cargo build --workspace --examples
//! $CARGO_TARGET_DIR/debug/examples/dispute_bench [--job] [SHA256_ROUNDS[,SHA256_ROUNDS...]] [K]
//! ```
//!
//! With `--job` the same dispute is a job's (`specs/bots.md`, "Jobs"): a
//! requester posts the job (`refute job post`), a registered lying `refute
//! solver run` is drawn and answers it, and `refute challenger run` (which
//! prebuilds a job's trace at its post) challenges the claim; times are from
//! the job's post, the wall time until the claim is rejected.
//!
//! `sha256 22000` runs about 6.9·10^8 steps (`SEMANTICS_VERSION` 6; 10^9
//! under 5), `320000` about 10^10, `3200000` about 10^11. The `refute` binary is the one built next to this example.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "dispute_bench/job.rs"]
mod job_dispute;
#[path = "dispute_bench/timeline.rs"]
mod timeline;
use timeline::{Bench, Measured, at, least_bond, timeline};

fn exe() -> PathBuf {
    let me = std::env::current_exe().expect("the example's path");
    me.parent().and_then(Path::parent).expect("target/PROFILE/examples").join("refute")
}

/// Kills the processes when dropped.
struct Procs(Vec<Child>);

impl Drop for Procs {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn refute(url: &str) -> Command {
    let mut c = Command::new(exe());
    c.env("REFUTE_ARBITER", url).env("RUST_LOG", "info").stdin(Stdio::null());
    c
}

fn check(out: std::process::Output, what: &str) -> String {
    assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8").trim().to_string()
}

/// A process's peak resident memory (`VmHWM`), in MiB, while it lives.
fn peak_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// What one dispute measured.
struct Row {
    steps: u64,
    plain: f64,
    wall: f64,
    solver_mib: Option<f64>,
    challenger_mib: Option<f64>,
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let job = args.iter().any(|a| a == "--job");
    args.retain(|a| a != "--job");
    let mut args = args.into_iter();
    let rounds: Vec<u64> = args.next().map_or(vec![22_000], |a| {
        a.split(',').map(|r| r.parse().expect("SHA256_ROUNDS is a comma-separated list of numbers")).collect()
    });
    let k: u64 = args.next().map_or(1024, |a| a.parse().expect("K is a number"));
    let rows: Vec<Row> =
        rounds.iter().map(|&r| if job { job_dispute::dispute(r, k) } else { dispute(r, k) }).collect();
    println!();
    println!(
        "{:>14}  {:>9}  {:>9}  {:>6}  {:>11}  {:>11}",
        "steps",
        "plain s",
        if job { "job s" } else { "dispute s" },
        "ratio",
        "solver MiB",
        "chall. MiB"
    );
    let mib = |m: Option<f64>| m.map_or("?".to_string(), |m| format!("{m:.0}"));
    for r in rows {
        println!(
            "{:>14}  {:>9.2}  {:>9.2}  {:>5.2}x  {:>11}  {:>11}",
            r.steps,
            r.plain,
            r.wall,
            r.wall / r.plain,
            mib(r.solver_mib),
            mib(r.challenger_mib)
        );
    }
}

/// The program's step count and one plain run's time (`refute run`), which
/// the dispute is compared with.
fn plain_run(wasm: &Path, rounds: u64) -> (u64, Duration) {
    let t = Instant::now();
    // `refute run` stops at 10^10 steps by default: a 10^11-step run needs more.
    let out = Command::new(exe())
        .arg("run")
        .arg(wasm)
        .arg(rounds.to_string())
        .args(["--json", "--max-steps", &(1u64 << 40).to_string()])
        .output()
        .unwrap();
    let plain = t.elapsed();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("refute run --json");
    assert_eq!(
        v["status"], "finished",
        "the program must finish for the dispute to be over its whole run: {v}"
    );
    let steps = v["steps"].as_u64().expect("steps");
    println!("program   sha256 {rounds}: {steps} steps; `refute run` takes {:.2} s", plain.as_secs_f64());
    (steps, plain)
}

/// Starts `refute arbiter serve` in `dir` (long windows and clocks, `k`
/// leaves a round, then `extra` flags); returns its address.
fn start_arbiter(procs: &mut Procs, dir: &Path, k: u64, extra: &[&str]) -> String {
    let mut arb = Command::new(exe())
        .args([
            "arbiter",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--window-ms",
            "600000",
            "--clock-ms",
            "600000",
        ])
        .args(["--k", &k.to_string(), "--max-leaves", &(k + 1).to_string()])
        .args(extra)
        .arg("--data-dir")
        .arg(dir.join("arbiter"))
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join("arbiter.log")).unwrap())
        .spawn()
        .expect("start the arbiter");
    let stdout = arb.stdout.take().unwrap();
    procs.0.push(arb);
    BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("listening on ").map(String::from))
        .expect("the arbiter's address")
}

/// Makes the key `name` in `dir` and funds it; returns its public key.
fn funded_key(url: &str, dir: &Path, name: &str) -> String {
    let key = dir.join(format!("{name}.key"));
    let pk = check(refute(url).args(["keys", "new", "--key"]).arg(&key).output().unwrap(), "keys new");
    check(refute(url).args(["account", "--mint", "100000", "--key"]).arg(&key).output().unwrap(), "mint");
    pk
}

/// A bot command of key `name` in `dir`, logging to `dir/NAME.log`.
fn bot(url: &str, dir: &Path, name: &str, args: &[&str]) -> Command {
    let mut c = refute(url);
    c.args(args)
        .arg("--key")
        .arg(dir.join(format!("{name}.key")))
        .arg("--data-dir")
        .arg(dir.join(format!("{name}.bot")));
    c.stderr(std::fs::File::create(dir.join(format!("{name}.log"))).unwrap()).stdout(Stdio::null());
    c
}

/// One dispute over `sha256 rounds`, with `k` leaves a round.
fn dispute(rounds: u64, k: u64) -> Row {
    let b = Bench::new(rounds);
    let mut procs = Procs(Vec::new());
    let url = start_arbiter(&mut procs, b.dir.path(), k, &[]);
    for name in ["solver", "challenger"] {
        funded_key(&url, b.dir.path(), name);
    }
    let bot = |name: &str, args: &[&str]| bot(&url, b.dir.path(), name, args);
    let mut c = bot("challenger", &["challenger", "run"]);
    procs.0.push(c.spawn().expect("start the challenger"));
    std::thread::sleep(Duration::from_millis(500));

    let started = Instant::now();
    let (t, l, r) = (b.max_steps.to_string(), b.lie_at.to_string(), rounds.to_string());
    let wasm = b.wasm.to_str().expect("a UTF-8 path");
    let bond = least_bond(b.max_steps);
    let mut s = bot("solver", &["post", "--bond", &bond, "--max-steps", &t, "--lie-at", &l, wasm, &r]);
    let mut solver = s.spawn().expect("start the solver");
    let mut solver_mib = None;
    let status = loop {
        solver_mib = peak_mib(solver.id()).or(solver_mib);
        if let Some(status) = solver.try_wait().expect("wait for the solver") {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let wall = started.elapsed();
    let challenger_mib = peak_mib(procs.0[1].id());
    assert_eq!(status.code(), Some(1), "the lying claim was not rejected");
    std::thread::sleep(Duration::from_millis(300));

    let (slog, clog) = b.logs();
    let t0 = at(&slog, "player ready", false).expect("solver start");
    let own = [
        ("solver: trace built (engine run with checkpoints)", at(&slog, "trace built", false)),
        ("solver: history committed, claim posted", at(&slog, "defending the claim", false)),
        (
            "challenger: trace built (its one engine run: checkpoints, posted roots)",
            at(&clog, "trace built", false),
        ),
    ];
    let m = Measured { wall, solver_mib, challenger_mib };
    timeline("dispute", &b, k, m, (&slog, &clog), t0, &own)
}
