//! The `refute` binary as a user runs it: real processes, real files.

use std::path::PathBuf;
use std::process::{Command, Output};

fn refute(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_refute")).args(args).output().expect("run refute")
}

fn corpus(name: &str) -> String {
    manifest_dir().join("tests/bad-modules").join(name).to_string_lossy().into()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// Runs `args` and checks the input is refused: exit code 2, one line naming the problem.
fn refused(args: &[&str], expect: &str) {
    let o = refute(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: expected exit 2, stderr: {err}");
    assert!(err.contains(expect), "{args:?}: expected {expect:?} in: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: not one line: {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
}

#[test]
fn bad_modules_are_refused_with_a_clear_line() {
    let cases = [
        ("empty.wasm", "not a WebAssembly binary"),
        ("bad-magic.wasm", "not a WebAssembly binary"),
        ("wrong-version.wasm", "unknown binary version"),
        ("truncated.wasm", "unexpected end"),
        ("garbage.wasm", "invalid module"),
        ("section-too-long.wasm", "invalid module"),
        ("relaxed-simd.wat", "unsupported WebAssembly feature"),
        ("relaxed-simd.wat", "SIMD"),
        ("threads.wat", "unsupported WebAssembly feature"),
        ("memory64.wat", "unsupported WebAssembly feature"),
        ("tail-call.wat", "unsupported WebAssembly feature"),
        ("exceptions.wat", "unsupported WebAssembly feature"),
        ("gc.wat", "unsupported WebAssembly feature"),
        ("gc.wat", "gc"),
        ("multi-memory.wat", "multiple memories"),
        ("type-mismatch.wat", "type mismatch"),
        ("unknown-import.wat", "unknown import env.sleep"),
        ("wasi-wrong-signature.wat", "not its WASI preview1 signature"),
        ("no-start.wat", "no exported function named \"_start\""),
        ("syntax-error.wat", "not valid WebAssembly text"),
    ];
    for (file, expect) in cases {
        refused(&["run", &corpus(file)], expect);
    }
    // Every file in the corpus is covered.
    for entry in std::fs::read_dir(corpus("")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        assert!(name == "README.md" || cases.iter().any(|(f, _)| *f == name), "{name} is not tested");
    }
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("refute-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn huge_and_missing_files_are_refused() {
    let huge = temp("huge.wasm");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len(257 << 20).unwrap(); // sparse: costs no disk
    refused(&["run", huge.to_str().unwrap()], "larger than the module limit");
    refused(&["run", "/nonexistent/x.wasm"], "cannot read /nonexistent/x.wasm");
}

#[test]
fn deeply_nested_module_loads_without_crashing() {
    let depth = 20_000;
    let wat = format!(
        "(module (func (export \"f\") (result i32) {} i32.const 7 {}))",
        "block (result i32) ".repeat(depth),
        "end ".repeat(depth)
    );
    let path = temp("deep.wat");
    std::fs::write(&path, wat).unwrap();
    let o = refute(&["run", path.to_str().unwrap(), "--invoke", "f"]);
    // Either it runs (and returns 7) or it is refused cleanly; it never crashes.
    match o.status.code() {
        Some(0) => assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "7"),
        Some(2) => assert!(!stderr(&o).contains("panicked")),
        other => panic!("unexpected exit {other:?}: {}", stderr(&o)),
    }
}

const ADD: &str = r#"(module
  (func (export "add") (param i32 i64) (result i64) local.get 1 local.get 0 i64.extend_i32_s i64.add)
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func (export "spin") (loop br 0)))"#;

#[test]
fn invoke_parses_arguments_by_signature() {
    let path = temp("add.wat");
    std::fs::write(&path, ADD).unwrap();
    let p = path.to_str().unwrap();
    let o = refute(&["run", p, "--invoke", "add", "--", "-3", "10"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "7");
    refused(&["run", p, "--invoke", "add", "1"], "takes 2 argument(s)");
    refused(&["run", p, "--invoke", "add", "x", "1"], "\"x\" is not a valid i32");
    refused(&["run", p, "--invoke", "nope"], "no exported function named \"nope\"");
    refused(&["run", p, "--invoke", "add", "1", "2", "--stdin", "/nonexistent"], "cannot read stdin file");
    refused(&["run", p, "--env", "NOEQUALS"], "is not NAME=VALUE");
}

#[test]
fn traps_and_step_limits_are_statuses_not_errors() {
    let path = temp("div.wat");
    std::fs::write(&path, ADD).unwrap();
    let p = path.to_str().unwrap();
    let o = refute(&["run", p, "--invoke", "div", "1", "0", "--json"]);
    assert_eq!(o.status.code(), Some(125));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["status"], "trapped");
    assert_eq!(v["trap"], "integer divide by zero");
    // The entry sequence pushes the two arguments and calls (3 steps); then
    // local.get 0 and local.get 1 fuse into one step; the trapping div is the fifth.
    assert_eq!(v["steps"], 5);
    let o = refute(&["run", p, "--invoke", "spin", "--max-steps", "1000", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["status"], "out_of_steps");
    assert_eq!(v["steps"], 1000);
    let o = refute(&["run", p, "--invoke", "spin", "--max-steps", "1000"]);
    assert!(stderr(&o).contains("ran out of steps"), "{}", stderr(&o));
}

#[test]
fn a_c_program_runs_with_args_stdin_env_and_exit_code() {
    let wasm = refute::workloads::wasm("sha256").unwrap_or_else(|e| panic!("{e:#}"));
    let w = wasm.to_str().unwrap();
    let o = refute(&["run", w, "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains("89a62f424cfaaa00324c1d30254d5b60b313d8ad1b2a3ed12c07bd6aa0c1cdb8")
    );
    let input = temp("abc.txt");
    std::fs::write(&input, "abc").unwrap();
    let o = refute(&["run", w, "-", "--stdin", input.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["stdout"], "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n");
    assert_eq!(v["status"], "finished");
    assert_eq!(v["exit_code"], 0);
    // `--stdin -` passes refute's own stdin.
    let mut child = Command::new(env!("CARGO_BIN_EXE_refute"))
        .args(["run", w, "-", "--stdin", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"abc").unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    // A bad argument makes the guest exit with its own code 1.
    let o = refute(&["run", w, "--", "-5"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("bad round count"), "{}", stderr(&o));
}

const LOOP: &str = r#"(module (memory 1)
  (func (export "sum") (param i32) (result i32) (local i32)
    block loop local.get 0 i32.eqz br_if 1
      local.get 1 local.get 0 i32.add local.set 1
      i32.const 64 local.get 1 i32.store
      local.get 0 i32.const 1 i32.sub local.set 0 br 0 end end
    local.get 1))"#;

fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", stderr(o));
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

#[test]
fn commit_state_prove_and_verify_step() {
    let path = temp("loop.wat");
    std::fs::write(&path, LOOP).unwrap();
    let p = path.to_str().unwrap();
    let c = json(&refute(&["commit", p, "--invoke", "sum", "200", "--stride", "100", "--json"]));
    assert_eq!(c["status"], "finished");
    let steps = c["steps"].as_u64().unwrap();
    assert_eq!(c["leaves"].as_u64().unwrap(), steps.div_ceil(100) + 1);
    // The final root is the state root at the last step.
    let last = json(&refute(&["state", p, "--invoke", "sum", "200", "--step", &steps.to_string(), "--json"]));
    assert_eq!(last["root"], c["final_root"]);
    // A proof of step 40 starts at the state root of step 40 and ends at that of step 41.
    let s40 = json(&refute(&["state", p, "--invoke", "sum", "200", "--step", "40", "--json"]));
    let s41 = json(&refute(&["state", p, "--invoke", "sum", "200", "--step", "41", "--json"]));
    let proof = temp("step40.proof");
    let pr = json(&refute(&[
        "prove",
        p,
        "--invoke",
        "sum",
        "200",
        "--step",
        "40",
        "--out",
        proof.to_str().unwrap(),
        "--json",
    ]));
    assert_eq!(pr["pre_root"], s40["root"]);
    assert_eq!(pr["post_root"], s41["root"]);
    let pre = s40["root"].as_str().unwrap();
    let v = json(&refute(&["verify-step", proof.to_str().unwrap(), "--pre", pre, "--json"]));
    assert_eq!(v["valid"], true);
    assert_eq!(v["post_root"], s41["root"]);
    // Against another pre-state, or tampered, the proof is invalid: exit 1 and a reason.
    let other = s41["root"].as_str().unwrap();
    let o = refute(&["verify-step", proof.to_str().unwrap(), "--pre", other]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not for the claimed pre-state"), "{}", stderr(&o));
    let mut bytes = std::fs::read(&proof).unwrap();
    let n = bytes.len();
    bytes[n - 5] ^= 0xff;
    let bad = temp("tampered.proof");
    std::fs::write(&bad, &bytes).unwrap();
    let o = refute(&["verify-step", bad.to_str().unwrap(), "--pre", pre]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("invalid proof"), "{}", stderr(&o));
    // Through the Solidity verifier too (`--evm`: revm, contracts/out): the
    // same post root, and the tampered proof refused there as well.
    let e = json(&refute(&["verify-step", proof.to_str().unwrap(), "--pre", pre, "--evm", "--json"]));
    assert_eq!(e["evm"]["outcome"], "accepted", "{e}");
    assert_eq!(e["evm"]["post_root"], s41["root"]);
    assert_eq!(e["evm"]["agrees"], true);
    assert!(e["evm"]["gas"].as_u64().unwrap() > 21_000);
    let o = refute(&["verify-step", proof.to_str().unwrap(), "--pre", pre, "--evm"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("evm        accepted: post root"), "{o:?}");
    let o = refute(&["verify-step", bad.to_str().unwrap(), "--pre", pre, "--evm", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(e["evm"]["outcome"], "refused", "{e}");
    assert_eq!(e["evm"]["agrees"], true);
    // Bad requests are refused with one line.
    refused(&["state", p, "--invoke", "sum", "200", "--step", "99999999"], "there is no step 99999999");
    refused(&["verify-step", proof.to_str().unwrap(), "--pre", "xyz"], "is not a 64-digit hex root");
    refused(&["verify-step", "/nonexistent.proof"], "cannot read");
    refused(&["commit", p, "--invoke", "sum", "200", "--stride", "0"], "--stride must be at least 1");
}

#[test]
fn the_demo_slashes_the_lying_solver() {
    let out = refute(&["demo"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("verdict: Won(Challenger); claim Rejected"), "{stdout}");
    assert!(stdout.contains("the single step"), "{stdout}");
    assert!(stdout.contains("round 3:"), "several rounds: {stdout}");
}

/// The subcommands `refute help CMD` lists under "Commands:" (`help` aside).
fn subcommands(parent: &[&str]) -> Vec<String> {
    let o = refute(&[parent, &["--help"]].concat());
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    let section = text.split("Commands:\n").nth(1).unwrap_or("");
    section
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter(|l| !l.starts_with("   ")) // a wrapped description, not a command
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(String::from)
        .collect()
}

/// Runs `refute ARGS` with stdout (and, if `close_stderr`, stderr) a pipe whose
/// reading end is already closed, so every write fails with EPIPE. A command
/// that runs until stopped (a server, a bot) gets `secs` seconds and is
/// stopped. Returns the exit code (None if it was still running) and stderr.
fn with_closed_stdout(args: &[&str], env: &[(&str, &str)], secs: u64) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let err = temp(&format!("closed-{}.err", args.join("-").replace('/', "_")));
    let mut child = Command::new(env!("CARGO_BIN_EXE_refute"))
        .args(args)
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        .stdout(writer)
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let until = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    let code = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s.code().unwrap_or(-1));
        }
        if std::time::Instant::now() > until {
            child.kill().unwrap();
            child.wait().unwrap();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    (code, std::fs::read_to_string(&err).unwrap())
}

#[path = "common/net.rs"]
mod net;

#[test]
fn every_subcommand_exits_quietly_when_stdout_is_closed() {
    let net = net::Net::start(&["--window-ms", "3000", "--clock-ms", "60000"]);
    let url = net.url.clone();
    let env = [("REFUTE_ARBITER", url.as_str())];
    let sort = net::sort_wasm();
    let sort = sort.to_str().unwrap();
    let key = net.path("k.key");
    let key = key.to_str().unwrap();
    let proof = net.path("step.proof");
    let proof = proof.to_str().unwrap();
    let ex = |n: &str| format!("{}/traces/examples/{n}", manifest_dir().display());
    let sorted = ex("sort-solver-lies.bin");
    let data = |n: &str| net.path(n).to_str().unwrap().to_string();
    // The key and the proof exist before the commands that read them.
    assert!(refute(&["keys", "new", "--key", key]).status.success());
    let o = Command::new(env!("CARGO_BIN_EXE_refute"))
        .args(["account", "--mint", "100000", "--key", key])
        .envs(env)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(refute(&["prove", sort, "10", "--step", "100", "--out", proof]).status.success());
    // A requester for `job post`, and the id its job will have (its first
    // message after the mint); the key above registers (`solver run
    // --stake`) to be drawn for it.
    let requester = net.path("r.key");
    let requester = requester.to_str().unwrap();
    let r = refute(&["keys", "new", "--key", requester]);
    let r_pk = String::from_utf8(r.stdout).unwrap().trim().to_string();
    let o = Command::new(env!("CARGO_BIN_EXE_refute"))
        .args(["account", "--mint", "100000", "--key", requester])
        .envs(env)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let r_pk =
        refute_protocol::rules::B32(refute_protocol::rules::from_hex(&r_pk).unwrap().try_into().unwrap());
    let job = refute_protocol::rules::claim_id(&r_pk, 1).to_string();
    let (d1, d2, d3, d4) = (data("new.key"), data("solver"), data("challenger"), data("arb2"));
    let d5 = data("post");
    let devnet_port =
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    // A devnet for `chain web` (killed at the end).
    let (mut devnet, rpc, referee) = devnet();
    // (command path, arguments, seconds it may run: commands that serve run until stopped)
    let cases: Vec<(&str, Vec<&str>, u64)> = vec![
        ("demo", vec!["demo"], 120),
        ("trace show", vec!["trace", "show", &sorted], 60),
        ("trace verify", vec!["trace", "verify", &sorted], 60),
        ("keys new", vec!["keys", "new", "--key", &d1], 60),
        ("keys show", vec!["keys", "show", "--key", key], 60),
        ("account", vec!["account", "--key", key], 60),
        ("post", vec!["post", sort, "10", "--bond", "5000", "--key", key, "--data-dir", &d5], 120),
        ("solver run", vec!["solver", "run", "--stake", "1000", "--key", key, "--data-dir", &d2], 3),
        ("job post", vec!["job", "post", sort, "10", "--reward", "5000", "--key", requester], 60),
        ("job show", vec!["job", "show", &job], 60),
        ("challenger run", vec!["challenger", "run", "--key", key, "--data-dir", &d3], 3),
        ("claims", vec!["claims"], 60),
        ("games", vec!["games"], 60),
        ("arbiter serve", vec!["arbiter", "serve", "--listen", "127.0.0.1:0", "--data-dir", &d4], 10),
        // the arbiter above has stopped and left its (empty) data directory
        ("log verify", vec!["log", "verify", "--data-dir", &d4], 60),
        ("run", vec!["run", sort, "10"], 60),
        ("commit", vec!["commit", sort, "10"], 60),
        ("state", vec!["state", sort, "10", "--step", "100"], 60),
        ("prove", vec!["prove", sort, "10", "--step", "100", "--out", proof], 60),
        ("verify-step", vec!["verify-step", proof], 60),
        ("bench", vec!["bench", "--quick", "--runs", "1", "--only", "sort"], 120),
        // With stdout closed, the devnet stops (and stops its node) at its first line.
        ("chain devnet", vec!["chain", "devnet", "--port", &devnet_port], 120),
        ("chain web", vec!["chain", "web", "--chain", &rpc, "--referee", &referee, "--port", "0"], 10),
    ];
    // Every subcommand, nested ones included, is in the table.
    for top in subcommands(&[]) {
        let nested = subcommands(&[&top]);
        let paths = if nested.is_empty() {
            vec![top.clone()]
        } else {
            nested.iter().map(|n| format!("{top} {n}")).collect()
        };
        for p in paths {
            assert!(cases.iter().any(|(c, _, _)| *c == p), "`refute {p}` is not covered by this test");
        }
    }
    for (name, args, secs) in &cases {
        let (code, err) = with_closed_stdout(args, &env, *secs);
        assert!(!err.contains("panicked"), "refute {name}: {err}");
        assert!(code.is_none() || code == Some(0), "refute {name}: exit {code:?}: {err}");
        assert!(!err.contains("Broken pipe"), "refute {name}: a closed pipe is not an error: {err}");
    }
    let _ = Command::new("kill").arg(devnet.id().to_string()).status();
    let _ = devnet.wait();
    for args in [&["--help"][..], &["--version"], &["help", "run"], &["run", "--help"]] {
        let (code, err) = with_closed_stdout(args, &[], 60);
        assert_eq!(code, Some(0), "refute {args:?}: {err}");
        assert!(!err.contains("panicked"), "refute {args:?}: {err}");
    }
}

/// `refute chain devnet` on a free port: the process, its `rpc` and `referee` lines.
fn devnet() -> (std::process::Child, String, String) {
    use std::io::BufRead;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_refute"))
        .args(["chain", "devnet", "--port", &port])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut rpc, mut referee) = (String::new(), String::new());
    while rpc.is_empty() || referee.is_empty() {
        let line = lines.next().expect("the devnet prints rpc and referee lines").unwrap();
        if let Some(u) = line.strip_prefix("rpc ") {
            rpc = u.to_string();
        } else if let Some(a) = line.strip_prefix("referee ") {
            referee = a.to_string();
        }
    }
    // The rest of its output is read (and dropped) so it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, rpc, referee)
}

#[test]
fn a_closed_stderr_changes_no_exit_code() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    // A refused input still exits 2 with nobody to tell.
    let o = Command::new(env!("CARGO_BIN_EXE_refute"))
        .args(["run", "/nonexistent.wasm"])
        .stderr(writer)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    // A trap still exits 125.
    let path = temp("div2.wat");
    std::fs::write(&path, ADD).unwrap();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let o = Command::new(env!("CARGO_BIN_EXE_refute"))
        .args(["run", path.to_str().unwrap(), "--invoke", "div", "1", "0"])
        .stderr(writer)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(125));
}

/// Parameters under which an honest move could not be sent are refused
/// before anything is created (security review, finding 9).
#[test]
fn unplayable_parameters_are_refused_before_the_arbiter_starts() {
    let dir = temp("unplayable");
    let d = dir.to_str().unwrap();
    let base = ["arbiter", "serve", "--listen", "127.0.0.1:0", "--data-dir", d];
    let unplayable = [&base[..], &["--k", "2047", "--max-leaves", "65536"]].concat();
    refused(&unplayable, "the largest honest reveal would be");
    let k1 = [&base[..], &["--k", "1"]].concat();
    refused(&k1, "k = 1 is outside 2..=2047");
    assert!(!dir.exists(), "nothing was created");
}

/// A fresh host directory holding what `workloads/files.c` expects.
fn files_host(name: &str) -> PathBuf {
    let dir = temp(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("in.txt"), "hello from the host\nsecond line\n").unwrap();
    std::fs::write(dir.join("sub/x.txt"), "x").unwrap();
    dir
}

#[test]
fn directories_are_read_before_the_run_and_written_back_after_it() {
    let wasm = refute::workloads::wasm("files").unwrap_or_else(|e| panic!("{e:#}"));
    let wasm = wasm.to_str().unwrap();
    let host = files_host("dir-back");
    let arg = format!("{}::/data", host.display());
    let j = json(&refute(&["run", wasm, "--dir", &arg, "--json", "--", "/data"]));
    assert_eq!(j["exit_code"], 0, "{j}");
    assert!(j["stdout"].as_str().unwrap().ends_with("list moved: . .. b.txt(19)\n"), "{j}");
    // Only what changed is written: in.txt and sub/ are untouched.
    let written: Vec<(String, u64, String)> = j["files"]["written"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["path"].as_str().unwrap().to_string(),
                w["size"].as_u64().unwrap(),
                w["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let names: Vec<&str> = written.iter().map(|w| w.0.rsplit('/').next().unwrap()).collect();
    assert_eq!(names, ["big.bin", "b.txt", "out.txt"], "{j}");
    assert_eq!(std::fs::read_to_string(host.join("out.txt")).unwrap(), "Result: 42\nappended\n");
    assert_eq!(written[2].1, 20);
    // SHA-256 of "Result: 42\nappended\n".
    assert_eq!(written[2].2, "f0c7b733b6c1798a2793e3be423ec196b002bfe50bb28ecdb757c4ce21cb68da");
    assert_eq!(std::fs::read_to_string(host.join("moved/b.txt")).unwrap(), "in a new directory\n");
    assert!(!host.join("newdir").exists() && !host.join("tmp.txt").exists());

    // --save-dir leaves HOST as it was and writes the final tree elsewhere.
    let host = files_host("dir-save");
    let out = temp("dir-save-out");
    let _ = std::fs::remove_dir_all(&out);
    let arg = format!("{}::/data", host.display());
    let o = refute(&["run", wasm, "--dir", &arg, "--save-dir", out.to_str().unwrap(), "--", "/data"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!host.join("out.txt").exists());
    assert_eq!(std::fs::read_to_string(out.join("data/out.txt")).unwrap(), "Result: 42\nappended\n");
    assert_eq!(
        std::fs::read_to_string(out.join("data/in.txt")).unwrap(),
        "hello from the host\nsecond line\n"
    );

    // The directory is part of the task: its commitment differs from a run without it.
    let host = files_host("dir-commit");
    let arg = format!("{}::/data", host.display());
    let with = json(&refute(&["commit", wasm, "--dir", &arg, "--json", "--", "/data"]));
    let without = json(&refute(&["commit", wasm, "--json", "--", "/data"]));
    assert_ne!(with["final_root"], without["final_root"], "{with}");
    assert!(!host.join("out.txt").exists(), "commit writes nothing back");
}

#[test]
fn symlinks_and_missing_directories_are_refused_before_the_run() {
    let wasm = refute::workloads::wasm("files").unwrap_or_else(|e| panic!("{e:#}"));
    let wasm = wasm.to_str().unwrap();
    let host = files_host("dir-link");
    std::os::unix::fs::symlink("/etc/passwd", host.join("sub/link")).unwrap();
    let arg = format!("{}::/data", host.display());
    refused(&["run", wasm, "--dir", &arg], "sub/link is a symbolic link");
    std::fs::remove_file(host.join("sub/link")).unwrap();
    // A sparse file over the limit is refused before it is read.
    let big = std::fs::File::create(host.join("big.bin")).unwrap();
    big.set_len(refute_engine::fs::MAX_FILE_BYTES + 1).unwrap();
    let over =
        format!("big.bin is {} bytes; a preopened file holds at most", refute_engine::fs::MAX_FILE_BYTES + 1);
    refused(&["run", wasm, "--dir", &arg], &over);
    let missing = format!("{}::/data", temp("dir-none").display());
    refused(&["run", wasm, "--dir", &missing], "cannot read directory");
    let o = refute(&["run", wasm, "--dir", "::/data"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not HOST::GUEST"), "{}", stderr(&o));
}

/// The chain options: one without the other, or a referee that is not an
/// address, is refused with one line naming what is missing; a node that
/// does not answer is an error that says so.
#[test]
fn chain_options_are_checked_before_anything_is_sent() {
    refused(&["games", "--chain", "http://127.0.0.1:9"], "--chain needs --referee");
    refused(
        &["claims", "--referee", "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707"],
        "--referee needs --chain",
    );
    let o = refute(&["games", "--chain", "http://127.0.0.1:9", "--referee", "nonsense"]);
    assert!(!o.status.success() && stderr(&o).contains("not an address"), "{}", stderr(&o));
    let o = refute(&[
        "games",
        "--chain",
        "http://127.0.0.1:9",
        "--referee",
        "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707",
    ]);
    assert!(!o.status.success() && stderr(&o).contains("cannot reach the referee"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
    // Jobs on a chain name their contract.
    let chain = ["--chain", "http://127.0.0.1:9", "--referee", "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707"];
    let id = format!("0x{}", "00".repeat(32));
    refused(&[&["job", "show", &id][..], &chain].concat(), "need --jobs ADDRESS");
    refused(
        &[&["solver", "run", "--stake", "1"][..], &chain].concat(),
        "--stake registers on the jobs contract",
    );
}

/// This package's directory, from the environment `cargo test` runs the
/// test in: not the path compiled in, which names whichever checkout first
/// built this binary into a shared target directory.
fn manifest_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"),
    )
}

/// `refute bench` times the two interpreters alike, load apart from run,
/// and names the processor; `--proofs` proves sampled steps of a workload.
#[test]
fn bench_times_both_interpreters_alike_and_names_the_processor() {
    let o = refute(&["bench", "--quick", "--runs", "1", "--only", "sort", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = json(&o);
    let r = &rows[0];
    assert_eq!(r["name"], "sort", "{rows}");
    assert!(r["steps"].as_u64().unwrap() > 10_000, "{r}");
    let (e, w) = (r["engine_s"].as_f64().unwrap(), r["wasmi_s"].as_f64().unwrap());
    assert!((r["ratio"].as_f64().unwrap() - e / w).abs() < 1e-9, "{r}");
    // One run: its pair is the medians.
    assert!((r["pair_ratio"].as_f64().unwrap() - e / w).abs() < 1e-9, "{r}");
    for k in ["load_s", "wasmi_load_s"] {
        assert!(r[k].as_f64().unwrap() > 0.0, "{k}: {r}");
    }
    assert!(r.get("commit_s").is_none(), "a C workload has no commitment column: {r}");
    let o = refute(&["bench", "--quick", "--runs", "1", "--only", "sort"]);
    let table = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(table.lines().last().unwrap().starts_with("(cpu: "), "{table}");
    assert!(table.contains("wasmi load"), "{table}");

    let o = refute(&[
        "bench",
        "--proofs",
        "--quick",
        "--runs",
        "1",
        "--only",
        "sort",
        "--samples",
        "20",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r = &json(&o)[0];
    assert_eq!(r["proven"], 20, "{r}");
    let (p50, p99, max) =
        (r["size_p50"].as_u64().unwrap(), r["size_p99"].as_u64().unwrap(), r["size_max"].as_u64().unwrap());
    assert!(600 < p50 && p50 <= p99 && p99 <= max && max <= 8192, "{r}");
}
