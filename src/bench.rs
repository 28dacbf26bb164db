//! `refute bench`: each workload in the engine and in wasmi, in the same
//! process, with medians and the ratio; then the third-party programs
//! (`realbench`), which also show their load time and the cost of a commitment.

use crate::oracle;
use crate::workloads::{self, WORKLOADS};
use anyhow::{Context, Result, bail};
use refute_engine::{Entry, Module, Run, Status};
use std::time::{Duration, Instant};

pub(crate) mod realbench;

/// One workload's measurements. Both interpreters are timed alike: the
/// load (validation and translation) apart from the run (instantiation
/// and execution). wasmi translates each function at its first call, so
/// its run holds the translation of the functions that ran; the engine
/// translates the whole module at load (the code is part of the state).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Row {
    /// Workload name.
    pub name: String,
    /// Steps the engine executed.
    pub steps: u64,
    /// Median engine run (instantiation and execution), seconds.
    pub engine_s: f64,
    /// Median wasmi run (instantiation and execution), seconds.
    pub wasmi_s: f64,
    /// engine / wasmi, of the medians.
    pub ratio: f64,
    /// The median of each run's engine / wasmi: each pair ran back to back,
    /// so this holds when the machine's speed changes between runs (a
    /// shared VM's can, by 2x for the engine and 1.2x for wasmi).
    pub pair_ratio: f64,
    /// Engine steps per second of the run.
    pub steps_per_s: f64,
    /// Median engine load (`Module::new`: validation, translation), seconds.
    pub load_s: f64,
    /// Median wasmi load (`wasmi::Module::new`: validation), seconds.
    pub wasmi_load_s: f64,
    /// Third-party programs: the median run building the posted commitment
    /// (`trace::commit`: every state root along the run, files included), seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit_s: Option<f64>,
}

/// Medians of one program's timings in both interpreters.
#[derive(Default)]
struct Timings {
    load: Vec<Duration>,
    run: Vec<Duration>,
    wasmi_load: Vec<Duration>,
    wasmi_run: Vec<Duration>,
}

impl Timings {
    /// The row of these timings, of a run of `steps` steps.
    fn row(self, name: &str, steps: u64, commit_s: Option<f64>) -> Row {
        let s = |v: Vec<Duration>| median(v).as_secs_f64();
        let mut pairs: Vec<f64> =
            self.run.iter().zip(&self.wasmi_run).map(|(e, o)| e.as_secs_f64() / o.as_secs_f64()).collect();
        pairs.sort_by(f64::total_cmp);
        let pair_ratio = pairs[pairs.len() / 2];
        let (e, o) = (s(self.run), s(self.wasmi_run));
        Row {
            name: name.to_string(),
            steps,
            engine_s: e,
            wasmi_s: o,
            ratio: e / o,
            pair_ratio,
            steps_per_s: steps as f64 / e,
            load_s: s(self.load),
            wasmi_load_s: s(self.wasmi_load),
            commit_s,
        }
    }
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
        let mut t = Timings::default();
        let mut steps = 0;
        for _ in 0..runs {
            let start = Instant::now();
            let module = Module::new(&bytes).with_context(|| format!("loading {}", w.name))?;
            t.load.push(start.elapsed());
            let start = Instant::now();
            let mut run = Run::new(&module, &task, &Entry::Start)?;
            let status = run.run_to_end();
            t.run.push(start.elapsed());
            steps = run.machine.steps();
            if status != Status::Finished && status != Status::Exited(0) {
                bail!("{}: the engine ended with {status}", w.name);
            }
            let start = Instant::now();
            let compiled = oracle::Compiled::new(&module, &bytes, false)?;
            t.wasmi_load.push(start.elapsed());
            let start = Instant::now();
            let out = compiled.run(&task, None, None)?;
            t.wasmi_run.push(start.elapsed());
            if out.stdout != run.machine.host.stdout {
                bail!("{}: engine and wasmi outputs differ", w.name);
            }
        }
        rows.push(t.row(w.name, steps, None));
    }
    rows.extend(realbench::rows(runs, filter, quick)?);
    Ok(rows)
}

/// The table `refute bench` prints.
pub fn table(rows: &[Row], runs: usize) -> String {
    let mut s = format!(
        "{:<10} {:>10} {:>10} {:>10} {:>7} {:>7} {:>9} {:>10} {:>10} {:>10}\n",
        "workload",
        "steps",
        "engine ms",
        "wasmi ms",
        "ratio",
        "pairs",
        "Msteps/s",
        "load ms",
        "wasmi load",
        "commit"
    );
    for r in rows {
        s += &format!(
            "{:<10} {:>10} {:>10.1} {:>10.1} {:>6.2}x {:>6.2}x {:>9.1} {:>10.1} {:>10.1} {:>10}\n",
            r.name,
            r.steps,
            r.engine_s * 1e3,
            r.wasmi_s * 1e3,
            r.ratio,
            r.pair_ratio,
            r.steps_per_s / 1e6,
            r.load_s * 1e3,
            r.wasmi_load_s * 1e3,
            r.commit_s.map_or("-".to_string(), |c| format!("{:.2}x", c / r.engine_s)),
        );
    }
    s += &format!(
        "(median of {runs} runs each, same process; engine and wasmi ms: instantiate and run, ratio = \
         engine / wasmi; pairs: the median of each run's engine / wasmi, the two run back to back; load ms: validation and translation, the engine's of the whole module, \
         wasmi's without translation, which it does at each function's first call, inside its run; \
         commit: a third-party program's run building its commitment, files included, against the run)\n"
    );
    s += &format!("(cpu: {})\n", cpu());
    s
}

/// The processor's model name (`/proc/cpuinfo`): the ratios depend on it.
pub fn cpu() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find_map(|l| {
                Some(l.strip_prefix("model name")?.trim_start_matches([' ', '\t', ':']).to_string())
            })
        })
        .unwrap_or_else(|| "unknown".into())
}
