//! The C workloads (`workloads/*.c`), compiled to `wasm32-wasi` with clang.

use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// A workload program and its arguments in each mode.
#[derive(Clone, Copy, Debug)]
pub struct Workload {
    /// File stem of `workloads/NAME.c`.
    pub name: &'static str,
    /// Arguments for a quick run (tests): well under a million steps.
    pub small: &'static [&'static str],
    /// Arguments for a benchmark run: tens to hundreds of millions of steps.
    pub default: &'static [&'static str],
}

impl Workload {
    /// The task: `argv[0]` is the name, then the small (`quick`) or default
    /// arguments; no step limit.
    pub fn task(&self, quick: bool) -> refute_engine::Task {
        let args = if quick { self.small } else { self.default };
        refute_engine::Task {
            args: std::iter::once(self.name).chain(args.iter().copied()).map(String::from).collect(),
            max_steps: u64::MAX,
            ..refute_engine::Task::default()
        }
    }
}

/// Every workload.
pub const WORKLOADS: &[Workload] = &[
    Workload { name: "sha256", small: &["2"], default: &["2000"] },
    Workload { name: "sort", small: &["10"], default: &["25000"] },
    Workload { name: "float", small: &["10"], default: &["100000"] },
    Workload { name: "genetic", small: &["1"], default: &["300"] },
    Workload { name: "interp", small: &["10"], default: &["40000"] },
];

/// The repository root (where `workloads/` is): the checkout `cargo`
/// runs this in (its `CARGO_MANIFEST_DIR`, when it holds `workloads/`),
/// else the one this was built from. A target directory shared by several
/// checkouts may hold a binary built in another.
pub fn repo_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .filter(|d| d.join("workloads/build.sh").is_file())
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// Where built workloads go: `$CARGO_TARGET_DIR/workloads` or `target/workloads`.
pub fn out_dir() -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| repo_dir().join("target"));
    target.join("workloads")
}

/// Builds every workload from source (once per process) and returns the
/// directory holding `NAME.wasm`.
pub fn build() -> Result<PathBuf> {
    static BUILT: OnceLock<Result<PathBuf, BuildFailed>> = OnceLock::new();
    Ok(BUILT.get_or_init(|| build_now().map_err(|e| BuildFailed(format!("{e:#}")))).clone()?)
}

/// Why the workloads did not build (kept for every later caller in the process).
#[derive(Clone, Debug, thiserror::Error)]
#[error("{0}")]
pub struct BuildFailed(String);

fn build_now() -> Result<PathBuf> {
    let out = out_dir();
    let script = repo_dir().join("workloads/build.sh");
    let output = Command::new("bash")
        .arg(&script)
        .arg(&out)
        .output()
        .with_context(|| format!("cannot run {}", script.display()))?;
    if !output.status.success() {
        bail!(
            "building the C workloads failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(out)
}

/// Path of a built workload.
pub fn wasm(name: &str) -> Result<PathBuf> {
    Ok(build()?.join(format!("{name}.wasm")))
}
