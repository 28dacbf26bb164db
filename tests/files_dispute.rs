//! Claims with files, end to end: a real arbiter on 127.0.0.1 and real
//! `refute` processes. An honest `refute post --dir` names its output files;
//! `refute claims --files` lists them and `--save-dir` writes them, after
//! checking them against the claim's final state; they are the bytes
//! `refute run --dir` leaves. A lie about a run with files is challenged
//! by a checker bot and the liar loses its bond; the game's transcript
//! carries the output files, which `refute trace show` lists and saves, and
//! the web view shows and serves them.

#[path = "common/net.rs"]
mod net;

use net::{EXE, Net};
use std::path::Path;
use std::process::Command;

/// `workloads/files.c`, which reads, writes and lists `/data`.
fn files_wasm() -> std::path::PathBuf {
    refute::workloads::wasm("files").expect("the files workload builds")
}

/// A host directory for `/data`: the files `files.c` expects.
fn host_dir(at: &Path) {
    std::fs::create_dir_all(at.join("sub")).unwrap();
    std::fs::write(at.join("in.txt"), "hello from the host\nsecond line\n").unwrap();
    std::fs::write(at.join("sub/x.txt"), "x").unwrap();
}

/// Every file under `dir`, relative path and bytes, sorted.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_claim_names_its_output_files_and_a_lie_about_a_run_with_files_is_slashed() {
    let mut net = Net::start(&["--window-ms", "3000", "--clock-ms", "20000"]);
    let solver = net.player("solver", 100_000);
    net.player("liar", 100_000);
    let checker = net.player("checker", 100_000);
    let c = net.spawn("checker", &["challenger", "run"]);
    let wasm = files_wasm();
    let data = net.path("data");
    host_dir(&data);
    let dir = format!("{}::/data", data.display());

    // What `refute run` leaves in a copy of the directory.
    let ran = net.path("ran");
    host_dir(&ran);
    let run_dir = format!("{}::/data", ran.display());
    let out =
        Command::new(EXE).args(["run", wasm.to_str().unwrap(), "/data", "--dir", &run_dir]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // The honest claim: final, and naming its output files.
    let args =
        ["post", "--bond", "5000", "--max-steps", "50000000", "--dir", &dir, wasm.to_str().unwrap(), "/data"];
    let s = net.spawn("solver", &args);
    assert!(net.wait_exit(s, 120).success(), "{}\n{}", net.out("solver"), net.log("solver"));
    let claims = net.claims();
    let id = claims[0]["id"].as_str().unwrap().to_string();
    let claim = net.get(&format!("/v1/claims/{id}"));
    assert!(claim["body"]["outputs"].is_string(), "{claim}");
    assert!(claim["body"]["dirs"].is_string(), "{claim}");
    assert_eq!(net.balance(&solver), 100_000, "the honest bond came back");
    let files = |extra: &[&str]| {
        let mut cmd = net.refute();
        cmd.args(["claims", "--files", &id]).args(extra);
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let listed = files(&[]);
    assert!(
        listed.contains("/data/out.txt") && listed.contains("checked against its final state"),
        "{listed}"
    );
    let saved = net.path("saved");
    files(&["--save-dir", saved.to_str().unwrap()]);
    assert_eq!(tree(&saved.join("data")), tree(&ran), "the claim's files are the run's");
    let json: serde_json::Value = serde_json::from_str(&files(&["--json"])).unwrap();
    assert_eq!(json["files"].as_array().unwrap().len(), tree(&ran).len());

    // A lie about the same run's output: challenged, rejected, its bond lost.
    let args = [
        "post",
        "--bond",
        "5000",
        "--max-steps",
        "50000000",
        "--dir",
        &dir,
        wasm.to_str().unwrap(),
        "/data",
        "--lie-output",
    ];
    let l = net.spawn("liar", &args);
    net.wait_exit(l, 180);
    net.wait_for("the lie's rejection", 120, |n| {
        n.claims().iter().any(|c| c["id"] != id.as_str() && c["status"] == "rejected")
    });
    // (`--lie-output` lies about stdout only, so the files it names still
    // check against its header: the arbiter took them, and the game decides.)
    net.wait_for("the liar's bond to be settled", 60, |n| n.balance(&checker) > 100_000);
    assert!(net.balance(&checker) > 100_000, "the checker was paid from the liar's bond");
    // The game's transcript carries the lie's output files (its stdout lied,
    // its files did not): `refute trace show` lists them and saves them.
    let game = net.games()[0]["id"].as_u64().unwrap().to_string();
    let trace = |extra: &[&str]| {
        let mut cmd = net.refute();
        cmd.args(["trace", "show", "--game", &game]).args(extra);
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let shown = trace(&[]);
    assert!(shown.contains("output files of the claim") && shown.contains("/data/out.txt"), "{shown}");
    let from_trace = net.path("from-trace");
    let json: serde_json::Value =
        serde_json::from_str(&trace(&["--json", "--save-dir", from_trace.to_str().unwrap()])).unwrap();
    assert_eq!(json["files"].as_array().unwrap().len(), tree(&ran).len(), "{json}");
    assert!(json["checked"].to_string().contains("output files it carries are the claim's"), "{json}");
    assert_eq!(tree(&from_trace.join("data")), tree(&ran), "the transcript's files are the run's");
    let saved_trace = net.path("game.bin");
    let mut cmd = net.refute();
    cmd.args(["trace", "show", "--game", &game, "--save", saved_trace.to_str().unwrap()]);
    assert!(cmd.output().unwrap().status.success());
    let out = Command::new(EXE).args(["trace", "verify", saved_trace.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // The web view: the claim's page lists its files, each served as bytes.
    let (status, page) = net.get_bytes(&format!("/claims/{id}"));
    let page = String::from_utf8(page).unwrap();
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(&format!("/claims/{id}/files/data/out.txt")), "{page}");
    let (status, bytes) = net.get_bytes(&format!("/claims/{id}/files/data/out.txt"));
    assert_eq!(status, 200);
    assert_eq!(bytes, std::fs::read(ran.join("out.txt")).unwrap(), "the served file is the run's");
    let (status, _) = net.get_bytes(&format!("/claims/{id}/files/data/nope"));
    assert_eq!(status, 404);
    let (status, page) = net.get_bytes(&format!("/games/{game}"));
    assert_eq!(status, 200);
    assert!(String::from_utf8(page).unwrap().contains("Output files"));
    net.kill(c);
    let log = net.verify_log();
    assert_eq!(log["funds_conserved"], true, "{log}");
}
