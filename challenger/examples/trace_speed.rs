//! Measures `RunTrace` on a run of about 10^8 steps (a WAT loop that
//! writes memory every iteration): building the trace, the checkpoints'
//! memory, and answering a round of roots in the posted layer and in a
//! finer layer (`specs/bots.md`, "Traces").
//!
//! `cargo run --release --workspace --example trace_speed [steps] [repeats]`

use std::time::{Duration, Instant};

use refute_challenger::RunTrace;
use refute_challenger::play::{Trace, posted_layer};
use refute_engine::history::{Layer, split};
use refute_engine::{Entry, Module, Run, Task, Value};
use refute_protocol::rules::strides;

const PROGRAM: &str = r#"(module
  (memory 16)
  (func (export "main") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    block $out
      loop $l
        local.get $i local.get $n i32.ge_u br_if $out
        local.get $acc local.get $i i32.mul i32.const 7 i32.add local.set $acc
        local.get $i i32.const 0xfffc i32.and i32.const 4 i32.mul local.get $acc i32.store
        local.get $i i32.const 1 i32.add local.set $i
        br $l
      end
    end
    local.get $acc))
"#;

fn run(module: &Module, n: i32, max_steps: u64) -> Run {
    let task = Task { max_steps, ..Task::default() };
    Run::new(module, &task, &Entry::Invoke("main".into(), vec![Value::I32(n)])).expect("the task runs")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<T>(repeats: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..repeats {
        let t = Instant::now();
        last = Some(f());
        times.push(t.elapsed());
    }
    (median(times), last.expect("at least one repeat"))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let target: u64 = args.next().map_or(100_000_000, |a| a.parse().expect("steps"));
    let repeats: usize = args.next().map_or(5, |a| a.parse().expect("repeats"));
    let module = Module::new(&wat::parse_str(PROGRAM).expect("valid WAT")).expect("valid module");

    // Steps per iteration, from a short run.
    let mut probe = run(&module, 1000, u64::MAX);
    probe.run_to_end();
    let per = probe.machine.steps() / 1000;
    let n = (target / per) as i32;
    let total = target + target / 20;
    println!("program: {per} steps per iteration, n = {n}, T = {total}, median of {repeats}");

    let (plain, steps) = time(repeats, || {
        let mut r = run(&module, n, total);
        r.run_to_end();
        r.machine.steps()
    });
    println!(
        "plain execution: {steps} steps in {plain:.2?} ({:.0} Msteps/s)",
        steps as f64 / plain.as_secs_f64() / 1e6
    );
    let (build, trace) = time(repeats, || RunTrace::new(run(&module, n, total)).expect("provable"));
    let cp = trace.checkpoints();
    println!(
        "build: {build:.2?} ({:.2}x plain); halt {} ({:?}); {} checkpoints every {} steps, {:.2} MiB",
        build.as_secs_f64() / plain.as_secs_f64(),
        trace.halt(),
        trace.status(),
        cp.len(),
        cp.every(),
        cp.bytes() as f64 / (1 << 20) as f64
    );

    let max_leaves = 1024;
    let posted = posted_layer(total, max_leaves);
    let leaves: Vec<u64> = posted.steps().collect();
    let round = |layer: &Layer| -> Vec<u64> {
        let n = layer.len() as u64;
        split(0, n - 1, max_leaves)
            .iter()
            .map(|&i| layer.step_at(i as usize).expect("in the layer"))
            .collect()
    };
    let points = round(&posted);
    let (cold, _) = time(repeats, || {
        trace.clear_cache();
        trace.roots(&points)
    });
    let (commit, _) = time(repeats, || {
        trace.clear_cache();
        trace.roots(&leaves)
    });
    let (warm, _) = time(repeats, || trace.roots(&leaves));
    println!(
        "posted layer (0, {total}, {}): {} points {cold:.2?}; all {} leaves {commit:.2?}; again (memo) {warm:.2?}",
        posted.step_at(1).expect("two leaves"),
        points.len(),
        leaves.len()
    );

    let s1 = strides(total, max_leaves)[1];
    let mid = posted.len() / 2;
    let (a, b) = (posted.step_at(mid).expect("in"), posted.step_at(mid + 1).expect("in"));
    let fine = Layer::new(a, b, s1).expect("valid layer");
    let fine_points = round(&fine);
    let (fine_cold, _) = time(repeats, || {
        trace.clear_cache();
        trace.roots(&fine_points)
    });
    let stats_before = trace.stats();
    trace.clear_cache();
    trace.roots(&fine_points);
    let st = trace.stats();
    println!(
        "finer layer ({a}, {b}, {s1}): {} points {fine_cold:.2?} ({} restore, {} steps replayed)",
        fine_points.len(),
        st.restores - stats_before.restores,
        st.replayed - stats_before.replayed
    );

    let step = a + (b - a) / 2;
    let (proof, bytes) = time(repeats, || {
        trace.clear_cache();
        trace.step_proof(step)
    });
    println!("step proof at {step}: {proof:.2?} cold, {} bytes", bytes.len());
}
