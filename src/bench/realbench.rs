//! `refute bench`'s rows for third-party programs (`crate::real`): yosys
//! on a generated design of a few thousand cells and Graphviz laying out a
//! generated graph, each on a preopened directory, in the engine and in
//! wasmi in the same process, with the load (translation) time and the
//! cost of committing the run with its files. A program that is absent is
//! skipped with the reason on stderr.

use super::{Row, Timings, median};
use crate::{errln, oracle, real};
use anyhow::{Context, Result, bail};
use refute_challenger::threads::Threads;
use refute_engine::fs::{FsNode, Preopen};
use refute_engine::{Entry, Module, Run, Status, Task, trace};
use std::collections::BTreeMap;
use std::time::Instant;

/// A third-party program's benchmark task.
struct Program {
    name: &'static str,
    /// The module's bytes, or why it is absent.
    bytes: fn() -> Result<Vec<u8>>,
    task: fn(bool) -> Task,
    /// Output the engine and wasmi may legitimately differ in, removed.
    normalise: fn(&[u8]) -> Vec<u8>,
}

const PROGRAMS: &[Program] = &[
    Program {
        name: "yosys",
        bytes: || real::module("yosys.wasm"),
        task: |quick| {
            let design = real::random_logic(if quick { 200 } else { 2000 });
            Task {
                args: ["yosys", "-p", "read_verilog /rtl/design.v; proc; opt; stat"]
                    .map(String::from)
                    .to_vec(),
                max_steps: u64::MAX,
                preopens: vec![preopen("/rtl", "design.v", design.into_bytes())],
                ..Task::default()
            }
        },
        normalise: |out| real::strip_yosys_timing(&String::from_utf8_lossy(out)).into_bytes(),
    },
    Program {
        name: "graphviz",
        bytes: || real::graphviz_command(&real::module("graphviz.wasm")?),
        task: |quick| Task {
            args: vec!["graphviz".into()],
            max_steps: u64::MAX,
            preopens: vec![preopen(
                "/work",
                "in.dot",
                real::random_graph(if quick { 20 } else { 60 }).into_bytes(),
            )],
            ..Task::default()
        },
        normalise: |out| out.to_vec(),
    },
];

fn preopen(guest: &str, name: &str, bytes: Vec<u8>) -> Preopen {
    Preopen { guest: guest.into(), root: BTreeMap::from([(name.to_string(), FsNode::File(bytes))]) }
}

/// The programs whose names contain `filter` and whose modules are here,
/// with their bytes; an absent one is named on stderr.
fn present(filter: Option<&str>) -> Vec<(&'static Program, Vec<u8>)> {
    let mut found = Vec::new();
    for p in PROGRAMS.iter().filter(|p| filter.is_none_or(|f| p.name.contains(f))) {
        match (p.bytes)() {
            Ok(b) => found.push((p, b)),
            Err(e) => errln!("bench: skipping {}: {e:#}", p.name),
        }
    }
    found
}

/// The rows of the programs whose names contain `filter`.
pub fn rows(runs: usize, filter: Option<&str>, quick: bool) -> Result<Vec<Row>> {
    present(filter).into_iter().map(|(p, bytes)| measure(p, &bytes, runs, quick)).collect()
}

/// The programs whose names contain `filter` as `refute bench --proofs`
/// proves them: name, module bytes and task.
pub fn tasks(filter: Option<&str>, quick: bool) -> Vec<(&'static str, Vec<u8>, Task)> {
    present(filter).into_iter().map(|(p, bytes)| (p.name, bytes, (p.task)(quick))).collect()
}

fn measure(p: &Program, bytes: &[u8], runs: usize, quick: bool) -> Result<Row> {
    let task = (p.task)(quick);
    let (mut t, mut commit) = (Timings::default(), vec![]);
    let mut steps = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let module = Module::new(bytes).with_context(|| format!("loading {}", p.name))?;
        t.load.push(start.elapsed());
        let start = Instant::now();
        let fresh = Run::new(&module, &task, &Entry::Start)?;
        let mut run = fresh.clone();
        let status = run.run_to_end();
        t.run.push(start.elapsed());
        steps = run.machine.steps();
        if status != Status::Finished && status != Status::Exited(0) {
            let stderr = String::from_utf8_lossy(&run.machine.host.stderr).to_string();
            bail!("{}: the engine ended with {status}: {stderr}", p.name);
        }
        let start = Instant::now();
        let committed = trace::commit_with(&mut fresh.clone(), None, &Threads)?;
        commit.push(start.elapsed());
        if committed.steps != steps {
            bail!("{}: the committed run took {} steps, the plain one {steps}", p.name, committed.steps);
        }
        let start = Instant::now();
        let compiled = oracle::Compiled::new(&module, bytes, false)?;
        t.wasmi_load.push(start.elapsed());
        let start = Instant::now();
        let out = compiled.run(&task, None, None)?;
        t.wasmi_run.push(start.elapsed());
        if (p.normalise)(&out.stdout) != (p.normalise)(&run.machine.host.stdout)
            || out.preopens != run.machine.host.fs.preopens()
        {
            bail!("{}: engine and wasmi outputs differ", p.name);
        }
    }
    errln!("{}: measured", p.name);
    Ok(t.row(p.name, steps, Some(median(commit).as_secs_f64())))
}
