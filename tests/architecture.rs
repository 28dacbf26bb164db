//! Architecture invariants, checked rather than remembered.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The engine depends on no async runtime, database, network, clock or randomness crate.
#[test]
fn engine_has_no_io_dependencies() {
    let out = Command::new(env!("CARGO"))
        .args(["tree", "--locked", "--offline", "-p", "refute-engine", "-e", "normal", "--prefix", "none"])
        .current_dir(root())
        .output()
        .expect("run cargo tree");
    assert!(out.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&out.stderr));
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(tree.contains("wasmparser"), "unexpected cargo tree output: {tree}");
    for banned in [
        "tokio",
        "async-std",
        "futures",
        "rocksdb",
        "axum",
        "hyper",
        "reqwest",
        "rand",
        "getrandom",
        "chrono",
        "rayon",
    ] {
        for line in tree.lines() {
            let name = line.split_whitespace().next().unwrap_or("");
            assert_ne!(name, banned, "the engine depends on {banned}:\n{tree}");
        }
    }
}

/// The engine's source uses no I/O, clock, threads, environment or randomness.
#[test]
fn engine_source_does_no_io() {
    let mut files = vec![root().join("engine/src")];
    let mut checked = 0;
    while let Some(p) = files.pop() {
        if p.is_dir() {
            files.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        for banned in [
            "std::fs",
            "std::net",
            "std::time",
            "std::thread",
            "std::env",
            "std::process",
            "std::io",
            "SystemTime",
            "Instant::",
        ] {
            assert!(!text.contains(banned), "{} uses {banned}", p.display());
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} engine files found");
}
