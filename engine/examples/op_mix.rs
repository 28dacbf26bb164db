//! The dynamic instruction mix of a WASI program (a tool for choosing
//! fusions, not a test): the share of each `Op` among the executed steps,
//! and of each pair and triple of consecutive steps. One step at a time, so
//! about 20x slower than a plain run: give it a small input. Last, the hot
//! code: every instruction that ran at least 0.1% of the steps, in code
//! order, with its share, which shows the loops that fusions would shorten.
//!
//! `cargo run --release -p refute-engine --example op_mix -- MODULE [ARGS...]`

use std::collections::HashMap;

use refute_engine::isa::Op;
use refute_engine::{Entry, Module, Run, Status, Task};

/// The variant's name, without its fields.
fn name(op: &Op) -> String {
    let s = format!("{op:?}");
    s.split([' ', '{', '(']).next().unwrap_or_default().to_string()
}

/// Prints the `top` most frequent keys of `counts` as shares of `n`.
fn print(title: &str, counts: &HashMap<String, u64>, n: u64, top: usize) {
    let mut v: Vec<_> = counts.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    println!("== {title} (of {n} steps)");
    for (k, c) in v.into_iter().take(top) {
        println!("{:6.2}% {k}", *c as f64 * 100.0 / n as f64);
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: op_mix MODULE [ARGS...]");
    let module = Module::new(&std::fs::read(&path).expect("reading the module")).expect("loading the module");
    let task = Task {
        args: std::iter::once(path.clone()).chain(args).collect(),
        max_steps: u64::MAX,
        ..Task::default()
    };
    let mut run = Run::new(&module, &task, &Entry::Start).expect("instantiating");
    let (mut ones, mut pairs, mut triples) = (HashMap::new(), HashMap::new(), HashMap::new());
    let (mut prev, mut prev2) = (String::new(), String::new());
    let mut n = 0u64;
    let mut at: HashMap<u32, (Op, u64)> = HashMap::new();
    while let Some(op) = run.machine.next_op() {
        at.entry(run.machine.pc()).or_insert((op, 0)).1 += 1;
        let k = name(&op);
        *ones.entry(k.clone()).or_insert(0) += 1;
        *pairs.entry(format!("{prev} {k}")).or_insert(0) += 1;
        *triples.entry(format!("{prev2} {prev} {k}")).or_insert(0) += 1;
        (prev2, prev) = (prev, k);
        n += 1;
        if run.run_until(n) != Status::Running {
            break;
        }
    }
    print("instructions", &ones, n, 40);
    print("pairs", &pairs, n, 30);
    print("triples", &triples, n, 30);
    let mut hot: Vec<_> = at.into_iter().filter(|(_, (_, c))| *c * 1000 >= n).collect();
    hot.sort_by_key(|(pc, _)| *pc);
    println!("== hot code (instructions that ran at least 0.1% of the steps)");
    for (pc, (op, c)) in hot {
        println!("{pc:8} {:6.2}% {op:?}", c as f64 * 100.0 / n as f64);
    }
}
