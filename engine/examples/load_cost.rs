//! What loading a module costs, phase by phase: translation
//! (`Module::new`), instantiation (`Run::new`), the provability check and
//! the initial state root (`Hasher::new`, what a claim's initial root costs),
//! with the process's peak resident memory after each. `specs/execution.md`
//! §12 reports yosys's figures.
//!
//! `cargo run [--release] -p refute-engine --example load_cost -- MODULE.wasm [ARGS...]`

use refute_engine::state::{Hasher, check_limits};
use refute_engine::{Entry, Module, Run, Task};
use std::time::Instant;

/// The process's peak and current resident memory, MiB (Linux).
fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status.lines().find_map(|l| l.strip_prefix(name)).map_or("?".into(), |v| {
            let kib: f64 = v.trim().trim_end_matches("kB").trim().parse().unwrap_or(0.0);
            format!("{:.0}", kib / 1024.0)
        })
    };
    format!("peak {} MiB, now {} MiB", field("VmHWM:"), field("VmRSS:"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().expect("usage: load_cost MODULE.wasm [ARGS...]");
    let bytes = std::fs::read(path).expect("read the module");
    println!("module: {} bytes; {}", bytes.len(), memory());
    let t = Instant::now();
    let module = Module::new(&bytes).expect("the engine loads the module");
    println!("translate (Module::new): {:.3} s; {}", t.elapsed().as_secs_f64(), memory());
    let task = Task { args: args.clone(), max_steps: u64::MAX, ..Task::default() };
    let t = Instant::now();
    let run = Run::new(&module, &task, &Entry::Start).expect("instantiate");
    println!(
        "instantiate (Run::new): {:.3} s, {} instructions; {}",
        t.elapsed().as_secs_f64(),
        run.machine.store.code_len(),
        memory()
    );
    drop(module);
    match check_limits(&run.machine.store) {
        Ok(()) => {
            let t = Instant::now();
            let mut h = Hasher::new(&run.machine);
            let root = h.root(&run.machine);
            let hex: String = root.iter().take(8).map(|b| format!("{b:02x}")).collect();
            println!("initial root (Hasher::new): {:.3} s, {hex}…; {}", t.elapsed().as_secs_f64(), memory());
        }
        Err(e) => println!("not provable: {e}"),
    }
}
