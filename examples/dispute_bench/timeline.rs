//! What the claim mode and the job mode of `dispute_bench` share: the
//! program and its plain run, the least bond, and the timeline printed from
//! the bots' logs, whose part from the challenge on is the same dispute.

use std::path::PathBuf;
use std::time::Duration;

use super::{Row, plain_run};

/// One dispute's program, the plain run it is compared with, and where
/// its processes keep their files.
pub struct Bench {
    pub wasm: PathBuf,
    pub dir: tempfile::TempDir,
    pub steps: u64,
    pub plain: Duration,
    /// The claim's step limit: the run's steps rounded up to a power of two.
    pub max_steps: u64,
    /// The first step the liar makes up.
    pub lie_at: u64,
}

impl Bench {
    /// `sha256 rounds`, run plain once.
    pub fn new(rounds: u64) -> Bench {
        let wasm = refute::workloads::wasm("sha256").expect("the sha256 workload builds");
        let dir = tempfile::tempdir().expect("a temporary directory");
        let (steps, plain) = plain_run(&wasm, rounds);
        Bench { wasm, dir, steps, plain, max_steps: steps.next_power_of_two(), lie_at: steps / 2 + 12_345 }
    }

    /// The bots' logs, `solver.log` and `challenger.log`.
    pub fn logs(&self) -> (String, String) {
        let read = |name: &str| std::fs::read_to_string(self.dir.path().join(name)).unwrap();
        (read("solver.log"), read("challenger.log"))
    }
}

/// A claim's least bond (and so a job's least reward) for `max_steps`: it
/// grows with the step limit (a local arbiter's parameters).
pub fn least_bond(max_steps: u64) -> String {
    let local = refute_protocol::rules::Params::local(refute_protocol::rules::B32([0; 32]));
    local.claim_bond_min(max_steps).max(10_000).to_string()
}

/// Seconds since midnight of a tracing timestamp (`2026-11-24T01:39:56.262330Z`).
fn stamp(line: &str) -> Option<f64> {
    let t = line.split_whitespace().next()?.strip_suffix('Z')?.split('T').nth(1)?;
    let mut p = t.split(':');
    let (h, m, s): (f64, f64, f64) =
        (p.next()?.parse().ok()?, p.next()?.parse().ok()?, p.next()?.parse().ok()?);
    Some(h * 3600.0 + m * 60.0 + s)
}

/// The time of the first (or last) line of `log` containing `what`.
pub fn at(log: &str, what: &str, last: bool) -> Option<f64> {
    let mut it = log.lines().filter(|l| l.contains(what));
    let l = if last { it.next_back() } else { it.next() }?;
    stamp(l)
}

/// Prints one line of a timeline: `t` (seconds since midnight, as the
/// logs stamp it) from `t0`.
fn row(t0: f64, what: &str, t: Option<f64>) {
    match t {
        Some(t) => println!("  {:>7.2} s  {what}", t - t0),
        None => println!("     ?       {what}"),
    }
}

/// What a dispute measured besides its logs.
pub struct Measured {
    pub wall: Duration,
    pub solver_mib: Option<f64>,
    pub challenger_mib: Option<f64>,
}

/// Prints a dispute's timeline from `t0`: the line that names it
/// (`label`), the mode's own first rows `own`, what every dispute shares
/// from the challenge on, and the counts and memory; returns its row of
/// the final table.
pub fn timeline(
    label: &str,
    b: &Bench,
    k: u64,
    m: Measured,
    (slog, clog): (&str, &str),
    t0: f64,
    own: &[(&str, Option<f64>)],
) -> Row {
    let (max_steps, lie_at, wall, plain) =
        (b.max_steps, b.lie_at, m.wall.as_secs_f64(), b.plain.as_secs_f64());
    println!(
        "{label:<10}T = {max_steps} steps, k = {k}, a lie from step {lie_at}; wall time {wall:.2} s, {:.2}x one plain run (target: 2x)",
        wall / plain
    );
    let row = |what: &str, t: Option<f64>| row(t0, what, t);
    for (what, t) in own {
        row(what, *t);
    }
    row("challenger: the claim's final state differs", at(clog, "the claim looks wrong", false));
    row("challenger: challenge posted (its history committed)", at(clog, "challenged:", false));
    row("first round revealed", at(clog, "revealed states", false));
    row("last round revealed", at(clog, "revealed states", true));
    row(
        "one-step proof sent",
        at(slog, "sent the one-step proof", false).or(at(clog, "sent the one-step proof", false)),
    );
    row("verdict", at(clog, "game over", false));
    println!("rounds    {} reveals by the challenger", clog.matches("revealed states").count());
    println!(
        "runs      engine runs with checkpoints: solver {}, challenger {}",
        slog.matches("trace built").count(),
        clog.matches("trace built").count()
    );
    let (s, c) = (m.solver_mib.unwrap_or(0.0), m.challenger_mib.unwrap_or(0.0));
    println!("memory    peak resident (VmHWM): solver {s:.0} MiB, challenger {c:.0} MiB");
    Row { steps: b.steps, plain, wall, solver_mib: m.solver_mib, challenger_mib: m.challenger_mib }
}
