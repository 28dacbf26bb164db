//! `refute trace show`, `refute trace verify` and `refute demo
//! --transcript-dir`, as a user runs them, on the examples in
//! `traces/examples/` and on a fresh demo.

use std::path::PathBuf;
use std::process::{Command, Output};

fn refute(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_refute")).args(args).output().expect("run refute")
}

fn example(name: &str) -> String {
    manifest_dir().join("traces/examples").join(name).display().to_string()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `trace show` of the example `name` succeeds and prints every line of `want`.
fn shows(name: &str, want: &[&str]) {
    let o = refute(&["trace", "show", &example(name)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for want in want {
        assert!(text.contains(want), "`trace show` lacks {want:?}:\n{text}");
    }
}

#[test]
fn show_tells_the_story_of_a_dispute() {
    shows(
        "sort-solver-lies.bin",
        &[
            "posts claim",
            "rounds\n",
            "   5. steps 18544..18560 (every step): agree up to step 18548, differ from step 18549",
            "the step 18548 → 18549",
            "instruction  I32EqImmReg { dst: 45, lhs: 45, h: 46, value: 3 }",
            "pc           3310 → 3311",
            "sp           79 → 79",
            "verdict: the challenger wins",
            "the solver's story broke at step 18549",
            "the challenger's 5000 share paid",
            "transcript verified",
        ],
    );
    // A step that writes a slot marks it.
    shows(
        "small-both-lose.bin",
        &["instruction  I32MulReg { dst: 3, lhs: 2, rhs: 1, h: 4 }", "   2275                13692  changed"],
    );
    shows(
        "interp-solver-lies.bin",
        &[
            "instruction  I32Load8UReg { dst: 2, addr: 1, h: 4, mem: 0, offset: 0 }",
            "   24                  111                  110  changed",
        ],
    );
    let o = refute(&["trace", "show", "--json", &example("small-solver-times-out.json")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["verdict"], serde_json::json!({"won": "challenger"}));
    assert_eq!(v["losers"], serde_json::json!(["solver"]));
    assert_eq!(v["failure"], serde_json::Value::Null);
    assert!(v["moves"].as_array().unwrap().iter().any(|m| m["kind"] == "time"));
}

#[test]
fn verify_exits_zero_only_if_the_verdict_follows() {
    for name in ["sort-solver-lies.bin", "small-challenger-lies.json", "small-two-challengers-game1.bin"] {
        let o = refute(&["trace", "verify", &example(name)]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        assert!(stdout(&o).contains("transcript verified"), "{name}");
    }
    // A tampered verdict: exit 1, naming what does not check.
    let dir = tempfile::tempdir().unwrap();
    let json = std::fs::read_to_string(example("small-solver-lies.json")).unwrap();
    let bad = json.replacen("\"won\": \"challenger\"", "\"won\": \"solver\"", 1);
    assert_ne!(bad, json);
    let path = dir.path().join("bad.json");
    std::fs::write(&path, bad).unwrap();
    let o = refute(&["trace", "verify", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("the transcript says the verdict is \"the solver wins\""), "{}", stderr(&o));
    let o = refute(&["trace", "verify", "--json", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["verified"], false);
    // Not a transcript: exit 2.
    std::fs::write(&path, "{}").unwrap();
    let o = refute(&["trace", "verify", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not a transcript"), "{}", stderr(&o));
}

#[test]
fn the_demo_writes_a_transcript_that_verifies_with_its_module() {
    let sort: PathBuf = refute::workloads::wasm("sort").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t");
    let o =
        refute(&["demo", sort.to_str().unwrap(), "sort", "10", "--transcript-dir", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["game-0.json", "game-0.bin"] {
        let path = out.join(f);
        let o = refute(&["trace", "verify", path.to_str().unwrap(), "--module", sort.to_str().unwrap()]);
        assert!(o.status.success(), "{f}: {}", stderr(&o));
        assert!(stdout(&o).contains("as the arbiter vouched"), "{}", stdout(&o));
    }
    // Another module is not the claim's.
    let other = refute::workloads::wasm("sha256").unwrap();
    let o = refute(&[
        "trace",
        "verify",
        out.join("game-0.bin").to_str().unwrap(),
        "--module",
        other.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("the claim's module is"), "{}", stderr(&o));
}

/// This package's directory, from the environment `cargo test` runs the
/// test in: not the path compiled in, which names whichever checkout first
/// built this binary into a shared target directory.
fn manifest_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo test sets CARGO_MANIFEST_DIR"),
    )
}
