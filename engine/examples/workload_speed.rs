//! Indicative engine speed on a WASI program (not a benchmark gate): the
//! median of 5 runs of `MODULE ARGS...` through `Run::run_to_end`, for
//! comparing a change to the interpreter before and after in one session.
//! `refute bench` is the benchmark (it also runs wasmi).
//!
//! `cargo run --release -p refute-engine --example workload_speed -- MODULE [ARGS...]`

use std::time::{Duration, Instant};

use refute_engine::{Entry, Module, Run, Status, Task};

const RUNS: usize = 5;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: workload_speed MODULE [ARGS...]");
    let bytes = std::fs::read(&path).expect("reading the module");
    let module = Module::new(&bytes).expect("loading the module");
    let name = path.rsplit('/').next().unwrap_or(&path).to_string();
    let task = Task {
        args: std::iter::once(name.clone()).chain(args).collect(),
        max_steps: u64::MAX,
        ..Task::default()
    };
    let mut steps = 0;
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let mut run = Run::new(&module, &task, &Entry::Start).expect("instantiating");
            let status = run.run_to_end();
            assert!(matches!(status, Status::Finished | Status::Exited(0)), "{name} ended with {status}");
            steps = run.machine.steps();
            start.elapsed()
        })
        .collect();
    times.sort();
    let median = times[RUNS / 2];
    println!(
        "{name}: {steps} steps, median of {RUNS} runs {median:.3?} ({:.0} M steps/s)",
        steps as f64 / median.as_secs_f64() / 1e6
    );
}
