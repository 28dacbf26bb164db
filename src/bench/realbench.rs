//! `refute bench`'s rows for third-party programs (`crate::real`): yosys
//! on a generated design of a few thousand cells and Graphviz laying out a
//! generated graph, each on a preopened directory, in the engine and in
//! wasmi in the same process, with the load (translation) time and the
//! cost of committing the run with its files. A program that is absent is
//! skipped with the reason on stderr.

use super::{Row, median};
use crate::{errln, oracle, real};
use anyhow::{Context, Result, bail};
use refute_engine::fs::{FsNode, Preopen};
use refute_engine::{Entry, Module, Run, Status, Task, trace};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

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

/// The rows of the programs whose names contain `filter`.
pub fn rows(runs: usize, filter: Option<&str>, quick: bool) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for p in PROGRAMS.iter().filter(|p| filter.is_none_or(|f| p.name.contains(f))) {
        let bytes = match (p.bytes)() {
            Ok(b) => b,
            Err(e) => {
                errln!("bench: skipping {}: {e:#}", p.name);
                continue;
            }
        };
        rows.push(measure(p, &bytes, runs, quick)?);
    }
    Ok(rows)
}

fn measure(p: &Program, bytes: &[u8], runs: usize, quick: bool) -> Result<Row> {
    let task = (p.task)(quick);
    let (mut load, mut engine, mut plain, mut commit, mut wasmi) = (vec![], vec![], vec![], vec![], vec![]);
    let mut steps = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let module = Module::new(bytes).with_context(|| format!("loading {}", p.name))?;
        load.push(t.elapsed());
        let fresh = Run::new(&module, &task, &Entry::Start)?;
        let setup = t.elapsed();
        let mut run = fresh.clone();
        let t = Instant::now();
        let status = run.run_to_end();
        plain.push(t.elapsed());
        engine.push(setup + t.elapsed());
        steps = run.machine.steps();
        if status != Status::Finished && status != Status::Exited(0) {
            let stderr = String::from_utf8_lossy(&run.machine.host.stderr).to_string();
            bail!("{}: the engine ended with {status}: {stderr}", p.name);
        }
        let t = Instant::now();
        let committed = trace::commit(&mut fresh.clone(), None)?;
        commit.push(t.elapsed());
        if committed.steps != steps {
            bail!("{}: the committed run took {} steps, the plain one {steps}", p.name, committed.steps);
        }
        let t = Instant::now();
        let out = oracle::run(bytes, &task, None, None)?;
        wasmi.push(t.elapsed());
        if (p.normalise)(&out.stdout) != (p.normalise)(&run.machine.host.stdout)
            || out.preopens != run.machine.host.fs.preopens()
        {
            bail!("{}: engine and wasmi outputs differ", p.name);
        }
    }
    let s = |v: Vec<Duration>| median(v).as_secs_f64();
    let (load, engine, plain, commit, wasmi) = (s(load), s(engine), s(plain), s(commit), s(wasmi));
    errln!("{}: measured", p.name);
    Ok(Row {
        name: p.name.to_string(),
        steps,
        engine_s: engine,
        wasmi_s: wasmi,
        ratio: engine / wasmi,
        steps_per_s: steps as f64 / plain,
        load_s: Some(load),
        plain_s: Some(plain),
        commit_s: Some(commit),
    })
}
