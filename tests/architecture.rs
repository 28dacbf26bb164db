//! Architecture invariants, checked rather than remembered.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    manifest_dir()
}

/// Crates that do I/O, keep time, draw randomness or run a server or a database.
const IMPURE: &[&str] = &[
    "tokio",
    "async-std",
    "futures",
    "rocksdb",
    "axum",
    "hyper",
    "tower",
    "reqwest",
    "rand",
    "getrandom",
    "chrono",
    "rayon",
];

/// The names of the crates `package` depends on (normal dependencies, transitively).
fn normal_dependencies(package: &str) -> BTreeSet<String> {
    let out = Command::new(env!("CARGO"))
        .args(["tree", "--locked", "--offline", "-p", package, "-e", "normal", "--prefix", "none"])
        .current_dir(root())
        .output()
        .expect("run cargo tree");
    assert!(out.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&out.stderr));
    let tree = String::from_utf8_lossy(&out.stdout);
    tree.lines().filter_map(|l| l.split_whitespace().next()).map(String::from).collect()
}

/// `package` depends on no async runtime, database, server, network client, clock or randomness crate.
fn assert_pure(package: &str, expected: &str) {
    let deps = normal_dependencies(package);
    assert!(deps.contains(expected), "unexpected cargo tree output for {package}: {deps:?}");
    for banned in IMPURE {
        assert!(!deps.contains(*banned), "{package} depends on {banned}: {deps:?}");
    }
}

#[test]
fn engine_has_no_io_dependencies() {
    assert_pure("refute-engine", "wasmparser");
}

/// The game every party must agree on links no runtime, database or server.
#[test]
fn protocol_has_no_io_dependencies() {
    assert_pure("refute-protocol", "refute-engine");
}

/// The offline transcript checker trusts no server and links none.
#[test]
fn traces_have_no_server_or_database() {
    assert_pure("refute-traces", "refute-protocol");
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut todo = vec![dir.to_path_buf()];
    let mut out = Vec::new();
    while let Some(p) = todo.pop() {
        if p.is_dir() {
            todo.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The pure crates' source uses no I/O, clock, threads, environment or randomness.
#[test]
fn pure_sources_do_no_io() {
    for krate in ["engine", "protocol"] {
        let files = rust_files(&root().join(krate).join("src"));
        assert!(files.len() >= 5, "only {} {krate} files found", files.len());
        for p in files {
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
        }
    }
}

/// The workspace's packages and the workspace packages each depends on,
/// dev-dependencies and build-dependencies included.
fn workspace_graph() -> BTreeMap<String, BTreeSet<String>> {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--locked", "--offline", "--no-deps", "--format-version", "1"])
        .current_dir(root())
        .output()
        .expect("run cargo metadata");
    assert!(out.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = v["packages"].as_array().unwrap();
    let names: BTreeSet<String> = packages.iter().map(|p| p["name"].as_str().unwrap().to_string()).collect();
    packages
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["name"].as_str().unwrap().to_string())
                .filter(|d| names.contains(d))
                .collect();
            (p["name"].as_str().unwrap().to_string(), deps)
        })
        .collect()
}

/// The groups of nodes that reach each other (strongly connected components
/// of more than one node, or a node that reaches itself).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&str> = graph.get(from).into_iter().flatten().map(String::as_str).collect();
        while let Some(n) = todo.pop() {
            if seen.insert(n.to_string()) {
                todo.extend(graph.get(n).into_iter().flatten().map(String::as_str));
            }
        }
        seen
    };
    let reaches: BTreeMap<&str, BTreeSet<String>> = graph.keys().map(|k| (k.as_str(), reach(k))).collect();
    let mut out: Vec<Vec<String>> = Vec::new();
    for (k, r) in &reaches {
        if !r.contains(*k) {
            continue;
        }
        let group: Vec<String> =
            r.iter().filter(|o| reaches.get(o.as_str()).is_some_and(|ro| ro.contains(*k))).cloned().collect();
        if !out.contains(&group) {
            out.push(group);
        }
    }
    out
}

#[test]
fn cycles_finds_cycles_and_only_cycles() {
    let g = |edges: &[(&str, &str)]| {
        let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in edges {
            m.entry(a.to_string()).or_default().insert(b.to_string());
            m.entry(b.to_string()).or_default();
        }
        m
    };
    assert!(cycles(&g(&[("a", "b"), ("b", "c"), ("a", "c")])).is_empty());
    assert_eq!(cycles(&g(&[("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])), vec![vec!["a", "b", "c"]]);
    assert_eq!(cycles(&g(&[("a", "a")])), vec![vec!["a"]]);
}

/// No two workspace crates depend on each other, even through dev-dependencies.
#[test]
fn no_crate_cycle() {
    let graph = workspace_graph();
    assert!(graph.contains_key("refute-protocol"), "{graph:?}");
    assert_eq!(cycles(&graph), Vec::<Vec<String>>::new(), "crate cycles in {graph:?}");
}

/// The top-level modules of the crate whose source is in `src` (a file
/// `src/X.rs` or a directory `src/X/`) and the ones each names as `crate::Y`.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let top = |p: &Path| -> Option<String> {
        let rel = p.strip_prefix(src).ok()?;
        let first = rel.components().next()?.as_os_str().to_string_lossy().to_string();
        Some(first.trim_end_matches(".rs").to_string())
    };
    let modules: BTreeSet<String> =
        rust_files(src).iter().filter_map(|p| top(p)).filter(|m| m != "lib" && m != "main").collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> =
        modules.iter().map(|m| (m.clone(), BTreeSet::new())).collect();
    for p in rust_files(src) {
        let Some(from) = top(&p).filter(|m| modules.contains(m)) else { continue };
        // Comments (a doc link names a module without importing it) do not count.
        let text: String = std::fs::read_to_string(&p)
            .unwrap()
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        // Names inside `use crate::{a, b::c}` groups count too.
        let mut named = BTreeSet::new();
        {
            let prefix = "crate::";
            for (i, _) in text.match_indices(prefix) {
                let rest = &text[i + prefix.len()..];
                if let Some(group) = rest.strip_prefix('{') {
                    let body = &group[..group.find('}').unwrap_or(group.len())];
                    named.extend(
                        body.split(',').map(|s| s.trim().split("::").next().unwrap_or("").to_string()),
                    );
                } else {
                    let name: String =
                        rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    named.insert(name);
                }
            }
        }
        for to in named {
            if to != from && modules.contains(&to) {
                graph.get_mut(&from).unwrap().insert(to);
            }
        }
    }
    graph
}

/// No import cycle between the top-level modules of any crate: plain data
/// sits under the behaviour that uses it.
#[test]
fn no_module_cycle() {
    let mut found = Vec::new();
    for krate in ["engine", "protocol", "arbiter", "challenger", "traces", "."] {
        let src = root().join(krate).join("src");
        let graph = module_graph(&src);
        assert!(!graph.is_empty(), "no modules in {}", src.display());
        if krate == "engine" {
            // The scan sees imports: the interpreter reaches state through `access`.
            assert!(graph["exec"].contains("access"), "{graph:?}");
        }
        for c in cycles(&graph) {
            let edges: Vec<String> = c
                .iter()
                .map(|m| {
                    format!(
                        "{m} -> {:?}",
                        graph[m].intersection(&c.iter().cloned().collect()).collect::<Vec<_>>()
                    )
                })
                .collect();
            found.push(format!("{krate}: {}", edges.join("; ")));
        }
    }
    assert!(found.is_empty(), "module import cycles:\n{}", found.join("\n"));
}

/// This package's directory, from the environment `cargo test` runs the
/// test in: not the path compiled in, which names whichever checkout first
/// built this binary into a shared target directory.
fn manifest_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"),
    )
}
