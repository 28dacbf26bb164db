//! Counts executed instruction pairs of a workload (for choosing fusions).
use refute_engine::{Entry, Module, Run, Status, Task};
use std::collections::HashMap;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bytes = std::fs::read(&args[0]).unwrap();
    let module = Module::new(&bytes).unwrap();
    let task = Task { args: args.clone(), max_steps: u64::MAX, ..Task::default() };
    let mut run = Run::new(&module, &task, &Entry::Start).unwrap();
    let mut singles: HashMap<String, u64> = HashMap::new();
    let mut pairs: HashMap<String, u64> = HashMap::new();
    let mut prev = String::new();
    let name =
        |op: refute_engine::isa::Op| format!("{op:?}").split([' ', '{', '(']).next().unwrap().to_string();
    loop {
        let op = run.machine.next_op().map(name);
        let s = run.run_until(run.machine.steps() + 1);
        if let Some(op) = op {
            *singles.entry(op.clone()).or_default() += 1;
            *pairs.entry(format!("{prev} {op}")).or_default() += 1;
            prev = op;
        }
        if s != Status::Running {
            break;
        }
    }
    let total: u64 = singles.values().sum();
    let mut v: Vec<_> = singles.into_iter().collect();
    v.sort_by_key(|x| std::cmp::Reverse(x.1));
    for (k, n) in v.iter().take(25) {
        println!("{:6.2}% {k}", *n as f64 * 100.0 / total as f64);
    }
    println!("--- pairs");
    let mut v: Vec<_> = pairs.into_iter().collect();
    v.sort_by_key(|x| std::cmp::Reverse(x.1));
    for (k, n) in v.iter().take(30) {
        println!("{:6.2}% {k}", *n as f64 * 100.0 / total as f64);
    }
}
