use std::collections::HashMap;
use refute_engine::{Entry, Module, Run, Status, Task};

fn name(op: &refute_engine::isa::Op) -> String {
    let s = format!("{op:?}");
    s.split(|c| c == ' ' || c == '{' || c == '(').next().unwrap().to_string()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap();
    let module = Module::new(&std::fs::read(&path).unwrap()).unwrap();
    let task = Task { args: std::iter::once("x".to_string()).chain(args).collect(), max_steps: u64::MAX, ..Task::default() };
    let mut run = Run::new(&module, &task, &Entry::Start).unwrap();
    let mut one: HashMap<String, u64> = HashMap::new();
    let mut two: HashMap<String, u64> = HashMap::new();
    let mut three: HashMap<String, u64> = HashMap::new();
    let mut prev = String::new();
    let mut prev2 = String::new();
    let mut n = 0u64;
    loop {
        let Some(op) = run.machine.next_op() else { break };
        let k = name(&op);
        *one.entry(k.clone()).or_default() += 1;
        *two.entry(format!("{prev} {k}")).or_default() += 1;
        *three.entry(format!("{prev2} {prev} {k}")).or_default() += 1;
        prev2 = prev; prev = k;
        n += 1;
        let s = run.run_until(n);
        if s != Status::Running { break; }
    }
    for (t, m) in [("ops", &one), ("pairs", &two), ("triples", &three)] {
        let mut v: Vec<_> = m.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1));
        println!("== {t} (of {n})");
        for (k, c) in v.iter().take(if t == "ops" { 40 } else { 30 }) { println!("{:6.2}% {k}", **c as f64 * 100.0 / n as f64); }
    }
}
