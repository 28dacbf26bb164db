//! `refute bench --proofs`: the cost of commitments and one-step proofs on
//! the C workloads and the third-party programs (`bench::realbench`):
//! committed execution against plain execution, proof sizes over evenly
//! spaced steps, and proving and verification times.

use crate::bench::median;
use crate::errln;
use crate::workloads::{self, WORKLOADS};
use anyhow::{Context, Result};
use refute_engine::proof::{Proof, prove_step, verify_step};
use refute_engine::state::Hasher;
use refute_engine::{Entry, Module, Run, trace};
use std::time::Instant;

/// One workload's measurements.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Row {
    /// Workload name.
    pub name: String,
    /// Steps of the run.
    pub steps: u64,
    /// Median plain run, seconds.
    pub plain_s: f64,
    /// Median run while building the posted commitment, seconds.
    pub commit_s: f64,
    /// plain_s / commit_s: committed speed relative to plain (target >= 0.7).
    pub commit_speed: f64,
    /// States in the posted commitment.
    pub leaves: usize,
    /// Steps proven.
    pub proven: usize,
    /// Proof size percentiles, bytes.
    pub size_p50: usize,
    /// 99th percentile.
    pub size_p99: usize,
    /// Largest.
    pub size_max: usize,
    /// The same proofs' sizes in the v2 wire format (every sibling a hash,
    /// u64 indices): p50, p99, largest.
    pub size_v2: [usize; 3],
    /// Median time to prove a step from its state, microseconds.
    pub prove_us: f64,
    /// Median time to decode and verify a proof, microseconds.
    pub verify_us: f64,
    /// Memory of the checkpoints kept over the run, bytes.
    pub checkpoint_bytes: usize,
    /// Time to prove a step 1000 steps before the end, from the checkpoints, seconds.
    pub prove_far_s: f64,
}

/// The length of `p` in the v2 wire format (`specs/proof.md` §6 before v3):
/// every sibling a 32-byte hash and no bitmap, leaf indices as `u64`.
fn v2_len(p: &Proof) -> usize {
    let multi = |m: &refute_engine::merkle::MultiProof| 2 + 40 * m.leaves.len() + 2 + 32 * m.siblings.len();
    let trees: usize = p.trees.iter().map(|(_, m)| 1 + multi(m)).sum();
    let entries: usize = p.entries.iter().map(|e| 45 + multi(&e.content)).sum();
    16 + V2_HEADER + 1 + trees + 2 + entries
}

/// The header's bytes in the v2 format (up to `SEMANTICS_VERSION` 9 too).
const V2_HEADER: usize = 616;

/// Proofs longer than this are described on stderr (`describe`).
const OVER: usize = 2048;

/// A proof's parts and their bytes (`parts`).
type Parts = Vec<(String, usize)>;

/// Where a proof's `len` bytes go: (part, bytes), the header and counts
/// first, then each tree and each directory entry (what dropping it saves).
fn parts(p: &Proof, len: usize) -> Parts {
    let mut v = Vec::new();
    let mut rest = len;
    for i in 0..p.trees.len() {
        let mut q = p.clone();
        let (id, _) = q.trees.remove(i);
        let n = len - q.encode().len();
        v.push((format!("{id:?}"), n));
        rest -= n;
    }
    for i in 0..p.entries.len() {
        let mut q = p.clone();
        let e = q.entries.remove(i);
        let n = len - q.encode().len();
        v.push((format!("{:?} {}", e.kind, e.index), n));
        rest -= n;
    }
    v.insert(0, ("header".into(), rest));
    v
}

/// The long proofs' instructions, each with the parts of its longest proof.
fn describe(over: &[(Option<refute_engine::isa::Op>, Parts)]) -> String {
    let mut by_op: std::collections::BTreeMap<String, (usize, usize, &Parts)> = Default::default();
    for (op, parts) in over {
        let name = op.map_or("(host call in progress)".to_string(), |o| {
            format!("{o:?}").split([' ', '{', '(']).next().unwrap_or_default().to_string()
        });
        let total: usize = parts.iter().map(|(_, n)| n).sum();
        let e = by_op.entry(name).or_insert((0, 0, parts));
        e.0 += 1;
        if total > e.1 {
            (e.1, e.2) = (total, parts);
        }
    }
    by_op
        .iter()
        .map(|(op, (n, total, parts))| {
            let parts: Vec<String> = parts.iter().map(|(k, b)| format!("{k} {b}")).collect();
            format!("{op} x{n} (longest {total} B: {})", parts.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn pct(sorted: &[usize], p: f64) -> usize {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Measures the workloads whose names contain `filter`, proving `samples` steps of each.
pub fn run(runs: usize, filter: Option<&str>, quick: bool, samples: u64) -> Result<Vec<Row>> {
    let dir = workloads::build()?;
    let mut programs = Vec::new();
    for w in WORKLOADS.iter().filter(|w| filter.is_none_or(|f| w.name.contains(f))) {
        programs.push((w.name, std::fs::read(dir.join(format!("{}.wasm", w.name)))?, w.task(quick)));
    }
    programs.extend(crate::bench::realbench::tasks(filter, quick));
    let mut rows = Vec::new();
    for (name, bytes, task) in programs {
        let module = Module::new(&bytes).with_context(|| format!("loading {name}"))?;
        let fresh = Run::new(&module, &task, &Entry::Start)?;
        let (mut plain, mut committed) = (Vec::new(), Vec::new());
        let mut steps = 0;
        let mut leaves = 0;
        for _ in 0..runs {
            let mut r = fresh.clone();
            let t = Instant::now();
            r.run_to_end();
            plain.push(t.elapsed());
            steps = r.machine.steps();
            let mut r = fresh.clone();
            let t = Instant::now();
            let c = trace::commit(&mut r, None)?;
            committed.push(t.elapsed());
            leaves = c.history.layer().len();
        }
        let (plain, committed) = (median(plain), median(committed));

        let mut r = fresh.clone();
        let mut h = Hasher::new(&r.machine);
        let (mut sizes, mut prove_t, mut verify_t) = (Vec::new(), Vec::new(), Vec::new());
        let mut v2 = Vec::new();
        let mut over = Vec::new();
        for i in 0..samples {
            let step = steps * i / samples;
            h.run(&mut r.machine, step);
            let pre = h.root(&r.machine);
            let op = r.machine.next_op();
            let t = Instant::now();
            let p = prove_step(&r.machine, &mut h).with_context(|| format!("{}: step {step}", name))?;
            prove_t.push(t.elapsed());
            let b = p.encode();
            let t = Instant::now();
            let v = verify_step(&pre, &Proof::decode(&b)?);
            verify_t.push(t.elapsed());
            v.with_context(|| format!("{}: step {step} does not verify", name))?;
            sizes.push(b.len());
            v2.push(v2_len(&p));
            if b.len() > OVER {
                over.push((op, parts(&p, b.len())));
            }
        }
        if !over.is_empty() {
            errln!(
                "{name}: {} of {} sampled proofs over {OVER} bytes: {}",
                over.len(),
                sizes.len(),
                describe(&over)
            );
        }
        sizes.sort();
        v2.sort();
        let ck =
            trace::Checkpoints::record(&mut fresh.clone(), trace::CHECKPOINT_EVERY, trace::CHECKPOINT_BUDGET);
        let t = Instant::now();
        let far = ck.run_at(steps.saturating_sub(1000));
        let mut fh = Hasher::new(&far.machine);
        let _ = prove_step(&far.machine, &mut fh);
        let prove_far = t.elapsed();
        errln!("{}: measured", name);
        rows.push(Row {
            name: name.to_string(),
            steps,
            plain_s: plain.as_secs_f64(),
            commit_s: committed.as_secs_f64(),
            commit_speed: plain.as_secs_f64() / committed.as_secs_f64(),
            leaves,
            proven: sizes.len(),
            size_p50: pct(&sizes, 0.5),
            size_p99: pct(&sizes, 0.99),
            size_max: *sizes.last().unwrap_or(&0),
            size_v2: [pct(&v2, 0.5), pct(&v2, 0.99), *v2.last().unwrap_or(&0)],
            prove_us: median(prove_t).as_secs_f64() * 1e6,
            verify_us: median(verify_t).as_secs_f64() * 1e6,
            checkpoint_bytes: ck.bytes(),
            prove_far_s: prove_far.as_secs_f64(),
        });
    }
    Ok(rows)
}

/// A table of `rows`.
pub fn table(rows: &[Row], runs: usize) -> String {
    let mut s = format!(
        "{:<9} {:>11} {:>9} {:>10} {:>7} {:>7} {:>6} {:>6} {:>6} {:>6} {:>6} {:>9} {:>9} {:>8} {:>7}\n",
        "workload",
        "steps",
        "plain ms",
        "commit ms",
        "speed",
        "states",
        "p50 B",
        "p99 B",
        "max B",
        "v2 p50",
        "v2 p99",
        "prove us",
        "verify us",
        "ckpt MiB",
        "far ms"
    );
    for r in rows {
        s += &format!(
            "{:<9} {:>11} {:>9.1} {:>10.1} {:>6.2}x {:>7} {:>6} {:>6} {:>6} {:>6} {:>6} {:>9.0} {:>9.1} {:>8.1} {:>7.1}\n",
            r.name,
            r.steps,
            r.plain_s * 1e3,
            r.commit_s * 1e3,
            r.commit_speed,
            r.leaves,
            r.size_p50,
            r.size_p99,
            r.size_max,
            r.size_v2[0],
            r.size_v2[1],
            r.prove_us,
            r.verify_us,
            r.checkpoint_bytes as f64 / (1 << 20) as f64,
            r.prove_far_s * 1e3
        );
    }
    s += &format!(
        "(plain and commit: median of {runs} runs; speed = plain / commit; sizes and times over {} evenly spaced steps; v2 = the same proofs in the v2 wire format, before zero-sibling bitmaps; far = prove a step 1000 before the end from checkpoints every 2^24 steps)\n",
        rows.first().map_or(0, |r| r.proven)
    );
    s
}
