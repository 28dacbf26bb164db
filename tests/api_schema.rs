//! The API as documented: schemathesis (PyPI, the version `scripts/setup.sh`
//! pins, in its virtualenv) generates requests from `/openapi.json`, valid and
//! invalid, and runs every one of its checks against a real
//! `refute arbiter serve` process on 127.0.0.1: statuses, content types,
//! headers and bodies as documented, schema-valid requests accepted,
//! schema-invalid ones refused, no 5xx (`specs/api.md` §4).
//!
//! Bounded: `REFUTE_SCHEMA_EXAMPLES` examples per operation (default 10)
//! with seed `REFUTE_SCHEMA_SEED` (default 1), within
//! `REFUTE_SCHEMA_TIMEOUT_S` seconds (default 240). The README's testing section
//! gives a longer run. A missing virtualenv fails the test: run
//! `scripts/setup.sh`.

#[path = "common/net.rs"]
mod net;

use net::Net;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The schemathesis version `scripts/setup.sh` installs: the one pin.
fn pinned_version() -> String {
    let setup = include_str!("../scripts/setup.sh");
    let line = setup.lines().find_map(|l| l.strip_prefix("schemathesis_version="));
    line.expect("scripts/setup.sh pins schemathesis_version=VERSION").trim().to_string()
}

/// The virtualenv `scripts/setup.sh` creates: `$REFUTE_VENV`, or `~/.cache/refute-venv`.
fn venv() -> PathBuf {
    match std::env::var_os("REFUTE_VENV") {
        Some(v) => PathBuf::from(v),
        None => PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/refute-venv"),
    }
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map_or(default, |v| v.parse().unwrap_or_else(|_| panic!("{name}={v:?} is not a number")))
}

/// The schemathesis command of the virtualenv, checked to be the pinned version.
fn schemathesis() -> PathBuf {
    let venv = venv();
    let exe = venv.join("bin/schemathesis");
    assert!(
        exe.is_file(),
        "schemathesis is not installed at {}: run scripts/setup.sh (it creates the virtualenv {} and \
         installs schemathesis=={} from PyPI)",
        exe.display(),
        venv.display(),
        pinned_version()
    );
    let out = Command::new(&exe).arg("--version").output().expect("run schemathesis --version");
    let version = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && version.trim().ends_with(&format!("version {}", pinned_version())),
        "{} is not schemathesis {} (it says {:?}): run scripts/setup.sh",
        exe.display(),
        pinned_version(),
        version.trim()
    );
    exe
}

/// How many operations (a path and a method) the document names.
fn documented_operations() -> usize {
    let doc: serde_json::Value = serde_json::from_str(refute_arbiter::http::OPENAPI).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    paths.values().map(|p| p.as_object().unwrap().keys().filter(|m| m.as_str() != "parameters").count()).sum()
}

/// An arbiter with something in every list for schemathesis to follow (the
/// document's links): accounts, a blob, a claim (a lie, posted without
/// defence) and the game a challenger bot opened against it.
fn seeded() -> Net {
    let mut net = Net::start(&[]);
    net.player("solver", 100_000);
    net.player("challenger", 100_000);
    let wasm = net.path("six_steps.wat");
    std::fs::write(&wasm, "(module (func (export \"_start\") (drop (i32.add (i32.const 1) (i32.const 2)))))")
        .unwrap();
    let solver = net.path("solver.key");
    let out = net
        .refute()
        .args(["post", wasm.to_str().unwrap(), "--bond", "5000", "--lie-output", "--no-defend", "--key"])
        .arg(&solver)
        .arg("--data-dir")
        .arg(net.path("solver.bot"))
        .output()
        .unwrap();
    assert!(out.status.success(), "post: {}", String::from_utf8_lossy(&out.stderr));
    let bot = net.spawn("challenger", &["challenger", "run", "--bond", "2000"]);
    net.wait_for("the challenger's game", 60, |n| !n.games().is_empty());
    // Stopped, so the state schemathesis reads stays put.
    net.kill(bot);
    net
}

#[test]
fn the_arbiter_answers_as_its_openapi_document_says() {
    let exe = schemathesis();
    let examples = env_or("REFUTE_SCHEMA_EXAMPLES", 10);
    let seed = env_or("REFUTE_SCHEMA_SEED", 1);
    let limit = Duration::from_secs(env_or("REFUTE_SCHEMA_TIMEOUT_S", 240));
    let net = seeded();
    let work = net.path("schemathesis");
    std::fs::create_dir_all(&work).unwrap();
    let mut child = Command::new(&exe)
        .arg("--config-file")
        .arg(manifest_dir().join("tests/schemathesis.toml"))
        .args(["run", &format!("{}/openapi.json", net.url), "--checks", "all", "--no-color"])
        // Every operation, `GET /openapi.json` included: schemathesis leaves out the
        // operation that served it the document unless a filter names it.
        .args(["--include-path-regex", "^/"])
        .args(["--max-examples", &examples.to_string(), "--seed", &seed.to_string()])
        // One worker: the arbiter's rate limit and the log's order stay out of the way
        // of a reproducible run. No example database: every run starts from the seed.
        .args(["--workers", "1", "--generation-database", "none", "--request-timeout", "10"])
        .arg("--report-junit-path")
        .arg(work.join("junit.xml"))
        .args(["--report", "junit"])
        .current_dir(&work)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        // Files, not pipes: nothing has to read them while it runs.
        .stdout(std::fs::File::create(work.join("stdout.txt")).unwrap())
        .stderr(std::fs::File::create(work.join("stderr.txt")).unwrap())
        .spawn()
        .expect("start schemathesis");
    let until = Instant::now() + limit;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if Instant::now() > until {
            child.kill().ok();
            child.wait().ok();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = std::fs::read_to_string(work.join("stdout.txt")).unwrap();
    let err = std::fs::read_to_string(work.join("stderr.txt")).unwrap();
    let report = format!("{out}\n{err}\narbiter log:\n{}", net.log("arbiter"));
    let status = status.unwrap_or_else(|| panic!("schemathesis ran over {limit:?}:\n{report}"));
    assert!(status.success(), "schemathesis found the API and its document disagree ({status}):\n{report}");
    // It did test: every documented operation, and at least one case for each.
    let operations = documented_operations();
    assert!(
        out.contains(&format!("Tested: {operations}")),
        "not all {operations} operations were tested:\n{report}"
    );
    let generated = out
        .lines()
        .find_map(|l| l.trim().split_once(" generated").and_then(|(n, _)| n.trim().parse::<u64>().ok()))
        .unwrap_or_else(|| panic!("schemathesis printed no count of generated cases:\n{report}"));
    assert!(generated >= operations as u64, "only {generated} cases for {operations} operations:\n{report}");
    println!("schemathesis: {generated} cases, seed {seed}, no failure");
}

/// This package's directory, from the environment `cargo test` runs the
/// test in: not the path compiled in, which names whichever checkout first
/// built this binary into a shared target directory.
fn manifest_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"),
    )
}
