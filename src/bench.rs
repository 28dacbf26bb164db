//! `refute bench`: each workload in the engine and in wasmi, in the same
//! process, with medians and the ratio; then the third-party programs
//! (`realbench`), which also show their load time and the cost of a commitment.

use crate::oracle;
use crate::workloads::{self, WORKLOADS};
use anyhow::{Context, Result, bail};
use refute_engine::{Entry, Module, Run, Status};
use std::time::{Duration, Instant};

mod realbench;

/// One workload's measurements.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Row {
    /// Workload name.
    pub name: String,
    /// Steps the engine executed.
    pub steps: u64,
    /// Median engine time, seconds.
    pub engine_s: f64,
    /// Median wasmi time, seconds.
    pub wasmi_s: f64,
    /// engine / wasmi.
    pub ratio: f64,
    /// Engine steps per second (of the run alone, for a third-party program).
    pub steps_per_s: f64,
    /// Third-party programs: the median load (`Module::new`, translation), seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_s: Option<f64>,
    /// Third-party programs: the median run alone (no load, no instantiation), seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plain_s: Option<f64>,
    /// Third-party programs: the median run building the posted commitment
    /// (`trace::commit`: every state root along the run, files included), seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit_s: Option<f64>,
}

/// The median of some timings.
pub(crate) fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Runs the benchmark over the workloads whose names contain `filter`.
pub fn run(runs: usize, filter: Option<&str>, quick: bool) -> Result<Vec<Row>> {
    let dir = workloads::build()?;
    let mut rows = Vec::new();
    for w in WORKLOADS.iter().filter(|w| filter.is_none_or(|f| w.name.contains(f))) {
        let bytes = std::fs::read(dir.join(format!("{}.wasm", w.name)))?;
        let task = w.task(quick);
        let module = Module::new(&bytes).with_context(|| format!("loading {}", w.name))?;
        let (mut engine_times, mut wasmi_times) = (Vec::new(), Vec::new());
        let mut steps = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let mut run = Run::new(&module, &task, &Entry::Start)?;
            let status = run.run_to_end();
            engine_times.push(t.elapsed());
            steps = run.machine.steps();
            if status != Status::Finished && status != Status::Exited(0) {
                bail!("{}: the engine ended with {status}", w.name);
            }
            let t = Instant::now();
            let out = oracle::run(&bytes, &task, None, None)?;
            wasmi_times.push(t.elapsed());
            if out.stdout != run.machine.host.stdout {
                bail!("{}: engine and wasmi outputs differ", w.name);
            }
        }
        let (e, o) = (median(engine_times).as_secs_f64(), median(wasmi_times).as_secs_f64());
        rows.push(Row {
            name: w.name.to_string(),
            steps,
            engine_s: e,
            wasmi_s: o,
            ratio: e / o,
            steps_per_s: steps as f64 / e,
            load_s: None,
            plain_s: None,
            commit_s: None,
        });
    }
    rows.extend(realbench::rows(runs, filter, quick)?);
    Ok(rows)
}

/// The table `refute bench` prints.
pub fn table(rows: &[Row], runs: usize) -> String {
    let mut s = format!(
        "{:<10} {:>13} {:>12} {:>12} {:>8} {:>12}\n",
        "workload", "steps", "engine ms", "wasmi ms", "ratio", "Msteps/s"
    );
    for r in rows {
        s += &format!(
            "{:<10} {:>13} {:>12.1} {:>12.1} {:>7.2}x {:>12.1}\n",
            r.name,
            r.steps,
            r.engine_s * 1e3,
            r.wasmi_s * 1e3,
            r.ratio,
            r.steps_per_s / 1e6
        );
    }
    s += &format!("(median of {runs} runs each; ratio = engine time / wasmi time, same process)\n");
    let real: Vec<_> = rows.iter().filter_map(|r| Some((r, r.load_s?, r.plain_s?, r.commit_s?))).collect();
    if !real.is_empty() {
        s += &format!(
            "\n{:<10} {:>10} {:>10} {:>10} {:>8}\n",
            "program", "load ms", "run ms", "commit ms", "commit"
        );
        for (r, load, plain, commit) in real {
            s += &format!(
                "{:<10} {:>10.1} {:>10.1} {:>10.1} {:>7.2}x\n",
                r.name,
                load * 1e3,
                plain * 1e3,
                commit * 1e3,
                commit / plain
            );
        }
        s += "(third-party programs on a preopened directory: engine ms = load + instantiate + run from the \
              bytes, wasmi ms the same under wasmi (its oracle also loads the module in the engine, to \
              validate it); commit = the run building its commitment against the plain run)\n";
    }
    s
}
