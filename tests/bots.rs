//! The bots end to end: a real `refute arbiter serve` process on 127.0.0.1
//! with RocksDB, and real bot processes (`refute post`, `refute challenger
//! run`) playing real disputes over a real C program (`sort`, built with
//! clang for wasm32-wasi). Each test starts its own arbiter in its own
//! temporary directory, and every process is killed when the test ends.

#[path = "common/net.rs"]
mod net;

use net::{EXE, Net, sort_wasm};
use refute_engine::{Entry, Module, Run, Task};
use serde_json::Value;
use std::process::Command;
use std::time::{Duration, Instant};

/// The steps of `sort 10` at which its state changes in a host call: the
/// steps that write stdout (fd_write's micro-steps).
fn sort_run() -> (u64, Vec<u64>) {
    let bytes = std::fs::read(sort_wasm()).unwrap();
    let module = Module::new(&bytes).unwrap();
    let task = Task { args: vec!["sort.wasm".into(), "10".into()], max_steps: 1 << 20, ..Task::default() };
    let mut run = Run::new(&module, &task, &Entry::Start).unwrap();
    let mut host = Vec::new();
    let mut out = 0;
    while run.run_until(run.machine.steps() + 1) == refute_engine::Status::Running {
        let n = run.machine.host.stdout.len();
        if n != out {
            host.push(run.machine.steps());
            out = n;
        }
    }
    (run.machine.steps(), host)
}

/// The test-only hook that stops a bot's moves (`refute_challenger::bot::STALL_ENV`).
const STALL: &str = refute_challenger::bot::STALL_ENV;

const POST: &[&str] = &["post", "--bond", "5000", "--max-steps", "100000"];

fn game_status(g: &Value) -> String {
    match &g["status"] {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

#[test]
fn an_honest_claim_with_no_challenge_becomes_final() {
    let mut net = Net::start(&["--window-ms", "3000", "--clock-ms", "20000"]);
    let solver = net.player("solver", 100_000);
    let checker = net.player("checker", 100_000);
    // An honest challenger on the committee: it checks the claim, agrees, and attests.
    let c = net.spawn("checker", &["challenger", "run", "--stake", "1000"]);
    net.wait_for("the committee registration", 30, |n| {
        !n.get(&format!("/v1/accounts/{checker}"))["stake"].is_null()
    });
    let wasm = sort_wasm();
    let mut args: Vec<&str> = POST.to_vec();
    args.extend([wasm.to_str().unwrap(), "10"]);
    let s = net.spawn("solver", &args);
    let status = net.wait_exit(s, 60);
    assert!(
        status.success(),
        "the honest solver's claim is not final: {}\n{}",
        net.out("solver"),
        net.log("solver")
    );
    let claims = net.claims();
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0]["status"], "final");
    assert_eq!(net.games().len(), 0, "an honest claim was challenged");
    let id = claims[0]["id"].as_str().unwrap();
    // It attested with a commitment inside the window, and discloses it in
    // the audit that follows (as long as the window here).
    net.wait_for("the member's disclosure", 30, |n| {
        n.get(&format!("/v1/claims/{id}"))["committee"][&checker] == "disclosed"
    });
    let full = std::fs::read_to_string(net.path("checker.log")).unwrap();
    assert!(full.contains("attested claim") && full.contains("audit leaf"), "{}", net.log("checker"));
    assert!(full.contains("disclosed claim"), "{}", net.log("checker"));
    net.wait_for("the end of the audit", 30, |n| n.get(&format!("/v1/claims/{id}"))["audit_ends"].is_null());
    let r = &net.get(&format!("/v1/accounts/{checker}"))["reputation"];
    assert_eq!((r["duties_done"].as_u64(), r["duties_missed"].as_u64()), (Some(1), Some(0)), "{r}");
    assert_eq!(net.balance(&solver), 100_000, "the bond came back");
    assert!(net.out("solver").contains("the claim stands"));
    net.kill(c);
}

/// `--check output` never accepts a claim on wasmi's word (security review
/// finding 10): off the committee it neither attests nor challenges; on the
/// committee it runs the engine before it attests.
#[test]
fn a_checker_in_output_mode_attests_only_what_the_engine_verified() {
    let mut net = Net::start(&["--window-ms", "4000", "--clock-ms", "20000"]);
    net.player("solver", 100_000);
    let member = net.player("member", 100_000);
    net.player("watcher", 100_000);
    let m = net.spawn("member", &["challenger", "run", "--check", "output", "--stake", "1000"]);
    net.wait_for("the committee registration", 30, |n| {
        !n.get(&format!("/v1/accounts/{member}"))["stake"].is_null()
    });
    let w = net.spawn("watcher", &["challenger", "run", "--check", "output"]);
    let wasm = sort_wasm();
    // A step limit far above the run, so wasmi's fuel (twice the limit) suffices.
    let args = ["post", "--bond", "5000", "--max-steps", "100000000", wasm.to_str().unwrap(), "10"];
    let s = net.spawn("solver", &args);
    assert!(net.wait_exit(s, 60).success(), "{}", net.log("solver"));
    let id = net.claims()[0]["id"].as_str().unwrap().to_string();
    net.wait_for("the member's disclosure", 30, |n| {
        n.get(&format!("/v1/claims/{id}"))["committee"][&member] == "disclosed"
    });
    let full = |name: &str| std::fs::read_to_string(net.path(&format!("{name}.log"))).unwrap_or_default();
    assert!(full("member").contains("the engine computes the same final state"), "{}", net.log("member"));
    let until = Instant::now() + Duration::from_secs(30);
    while !full("watcher").contains("not verified, not attested") {
        assert!(Instant::now() < until, "the watcher did not decide: {}", full("watcher"));
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!full("watcher").contains("the claim is right"), "{}", net.log("watcher"));
    assert_eq!(net.games().len(), 0);
    net.kill(m);
    net.kill(w);
}

#[test]
fn lying_solvers_are_slashed_at_every_lie_position() {
    let t = Instant::now();
    let (halt, host_steps) = sort_run();
    eprintln!("TIMING sort_run {:?}", t.elapsed());
    assert!(halt > 25_000, "sort 10 runs {halt} steps");
    assert!(host_steps.len() >= 2, "sort writes stdout");
    // The state after step `k` is the first wrong one.
    let mut lies: Vec<Vec<String>> = Vec::new();
    let mut at = |k: u64| lies.push(vec!["--lie-at".into(), k.to_string()]);
    at(1); // the first step
    at(2);
    at(3);
    for i in 1..=14 {
        at(halt * i / 15);
    }
    at(halt - 1); // the last step before the halt
    at(halt); // the last step: only the final state is wrong
    at(host_steps[0]); // inside fd_write: its first micro-step that writes
    at(*host_steps.last().unwrap()); // the last write
    lies.push(vec!["--lie-output".into()]);
    lies.push(vec!["--lie-equivocate".into(), (halt / 2).to_string()]);
    assert!(lies.len() >= 20);

    let mut net =
        Net::start(&["--window-ms", "60000", "--clock-ms", "12000", "--k", "8", "--max-leaves", "9"]);
    let challenger = net.player("challenger", 100_000);
    let c = net.spawn("challenger", &["challenger", "run", "--bond", "1000"]);
    let wasm = sort_wasm();
    let mut liars = Vec::new();
    for (i, lie) in lies.iter().enumerate() {
        let name = format!("liar{i}");
        net.player(&name, 10_000);
        let mut args: Vec<&str> = POST.to_vec();
        args.extend([wasm.to_str().unwrap(), "10"]);
        args.extend(lie.iter().map(String::as_str));
        liars.push((net.spawn(&name, &args), name, lie.join(" ")));
    }
    eprintln!("TIMING spawned {:?}", t.elapsed());
    for (i, name, lie) in &liars {
        let status = net.wait_exit(*i, 120);
        assert_eq!(
            status.code(),
            Some(1),
            "{name} ({lie}) was not rejected: {}\n{}",
            net.out(name),
            net.log(name)
        );
        assert!(net.out(name).contains("rejected"), "{name}: {}", net.out(name));
    }
    eprintln!("TIMING exited {:?}", t.elapsed());
    let claims = net.claims();
    assert_eq!(claims.len(), lies.len());
    assert!(claims.iter().all(|c| c["status"] == "rejected"), "{claims:?}");
    let games = net.games();
    assert_eq!(games.len(), lies.len(), "one game per lie");
    for g in &games {
        assert_eq!(game_status(g), r#"{"won":"challenger"}"#, "game {}: {g}", g["id"]);
    }
    // Each win returns the challenger's bond and pays half the solver's 5000.
    assert_eq!(net.balance(&challenger), 100_000 + lies.len() as u64 * 2_500);
    net.kill(c);
    let v = net.verify_log();
    assert_eq!(v["games_open"], 0, "{v}");
    let sum = v["balances"].as_u64().unwrap() + v["held"].as_u64().unwrap() + v["burned"].as_u64().unwrap();
    assert_eq!(v["minted"].as_u64().unwrap(), sum, "funds are conserved: {v}");
}

#[test]
fn lying_challengers_are_slashed_and_the_honest_claim_becomes_final() {
    // Ten lying challengers at once against one honest solver.
    let (window, clock) = (8_000u64, 20_000u64);
    let mut net = Net::start(&["--window-ms", &window.to_string(), "--clock-ms", &clock.to_string()]);
    let solver = net.player("solver", 100_000);
    let mut liars = Vec::new();
    for i in 0..10u64 {
        let name = format!("liar{i}");
        let pk = net.player(&name, 10_000);
        let k = (1 + i * 4_000).to_string();
        net.spawn(&name, &["challenger", "run", "--bond", "2000", "--lie-at", &k]);
        liars.push(pk);
    }
    let wasm = sort_wasm();
    let mut args: Vec<&str> = POST.to_vec();
    args.extend([wasm.to_str().unwrap(), "10"]);
    let posted = Instant::now();
    let s = net.spawn("solver", &args);
    let status = net.wait_exit(s, 120);
    let took = posted.elapsed();
    assert!(status.success(), "the honest claim was not final: {}\n{}", net.out("solver"), net.log("solver"));
    // Final within the window plus one game's time (both clocks).
    assert!(took < Duration::from_millis(window + 2 * clock), "final after {took:?}");
    let games = net.games();
    assert_eq!(games.len(), 10, "every liar challenged: {games:?}");
    for g in &games {
        assert_eq!(game_status(g), r#"{"won":"solver"}"#, "game {}: {g}", g["id"]);
    }
    for pk in &liars {
        assert_eq!(net.balance(pk), 8_000, "a lying challenger lost its bond");
    }
    assert_eq!(net.balance(&solver), 100_000 + 10 * 1_000, "the solver earned half of each liar's bond");
    let v = net.verify_log();
    assert_eq!(v["games_open"], 0, "{v}");
    let sum = v["balances"].as_u64().unwrap() + v["held"].as_u64().unwrap() + v["burned"].as_u64().unwrap();
    assert_eq!(v["minted"].as_u64().unwrap(), sum, "funds are conserved: {v}");
}

#[test]
fn a_challenger_killed_mid_game_resumes_and_wins() {
    // k = 2 makes about 17 rounds over T = 100,000 steps.
    let mut net =
        Net::start(&["--window-ms", "60000", "--clock-ms", "30000", "--k", "2", "--max-leaves", "3"]);
    let challenger = net.player("challenger", 100_000);
    net.player("liar", 10_000);
    // It stops moving after its third move (a test-only hook), then is killed.
    let log = net.path("challenger.log");
    let c = net.spawn_env("challenger", &["challenger", "run", "--bond", "1000"], &[(STALL, "3")]);
    let wasm = sort_wasm();
    let mut args: Vec<&str> = POST.to_vec();
    args.extend([wasm.to_str().unwrap(), "10", "--lie-at", "30000"]);
    let s = net.spawn("liar", &args);
    net.wait_for("the third move, then no more", 60, |_| {
        std::fs::read_to_string(&log).is_ok_and(|l| l.contains("no more moves"))
    });
    net.kill(c);
    let depth = net.get("/v1/games/0")["depth"].as_u64().unwrap();
    assert_eq!(game_status(&net.get("/v1/games/0")), "open", "the game ended without the challenger");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        net.get("/v1/games/0")["depth"].as_u64().unwrap(),
        depth,
        "the game moved without the challenger"
    );
    // Restarted on the same state, it resumes the game where it stood.
    net.spawn("challenger", &["challenger", "run", "--bond", "1000"]);
    let status = net.wait_exit(s, 90);
    assert_eq!(status.code(), Some(1), "the liar was not rejected: {}", net.log("liar"));
    assert_eq!(game_status(&net.get("/v1/games/0")), r#"{"won":"challenger"}"#);
    assert_eq!(net.balance(&challenger), 100_000 + 2_500);
    let log = std::fs::read_to_string(net.path("challenger.log")).unwrap();
    assert_eq!(log.matches("challenged:").count(), 1, "it challenged twice:\n{log}");
    // It kept the game's transcript, which checks offline.
    let file = net.path("challenger.bot/transcripts/game-0.bin");
    net.wait_for("the challenger's copy of the transcript", 30, |_| file.exists());
    let out = Command::new(EXE).args(["trace", "verify"]).arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_solver_bot_killed_mid_game_resumes_and_defends_its_claim() {
    // `refute post --no-defend`, then `refute solver run` defends the claim
    // against a lying challenger; killed mid-game and restarted, it wins.
    let mut net =
        Net::start(&["--window-ms", "6000", "--clock-ms", "30000", "--k", "2", "--max-leaves", "3"]);
    let solver = net.player("solver", 100_000);
    let liar = net.player("liar", 10_000);
    let wasm = sort_wasm();
    let mut args: Vec<&str> = POST.to_vec();
    args.extend([wasm.to_str().unwrap(), "10", "--no-defend", "--json"]);
    let p = net.spawn("solver", &args);
    assert!(net.wait_exit(p, 60).success(), "{}", net.log("solver"));
    let posted: Value = serde_json::from_str(&net.out("solver")).expect("post --json prints the claim");
    let id = posted["claim"].as_str().unwrap().to_string();
    net.spawn("liar", &["challenger", "run", "--bond", "2000", "--lie-at", "25000"]);
    let log = net.path("solver.log");
    let s = net.spawn_env("solver", &["solver", "run"], &[(STALL, "3")]);
    net.wait_for("the third move, then no more", 60, |_| {
        std::fs::read_to_string(&log).is_ok_and(|l| l.contains("no more moves"))
    });
    net.kill(s);
    assert_eq!(game_status(&net.get("/v1/games/0")), "open");
    net.spawn("solver", &["solver", "run"]);
    net.wait_for("the claim to become final", 60, |n| {
        n.get(&format!("/v1/claims/{id}"))["status"] == "final"
    });
    assert_eq!(game_status(&net.get("/v1/games/0")), r#"{"won":"solver"}"#);
    assert_eq!(net.balance(&solver), 100_000 + 1_000);
    assert_eq!(net.balance(&liar), 8_000);
}

#[test]
fn the_player_commands_explain_bad_input_and_change_nothing() {
    let mut net = Net::start(&["--window-ms", "3000", "--clock-ms", "20000"]);
    let pk = net.player("alice", 1_000);
    let run = |net: &Net, args: &[&str]| {
        let o = net.refute().args(args).output().unwrap();
        (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
    };
    let key = net.path("alice.key");
    let key = key.to_str().unwrap();

    let (code, err) = run(&net, &["keys", "new", "--key", key]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("already exists"), "{err}");
    let (code, err) = run(&net, &["account", "--key", net.path("nobody.key").to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("no key file at") && err.contains("refute keys new"), "{err}");
    let (code, err) = run(&net, &["account", "12ab"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("not a public key"), "{err}");

    // A bond above the balance: refused before anything is uploaded or posted.
    let wasm = sort_wasm();
    let (code, err) = run(&net, &["post", wasm.to_str().unwrap(), "10", "--bond", "5000", "--key", key]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("less than the bond 5000"), "{err}");
    assert!(net.claims().is_empty());
    assert_eq!(net.get(&format!("/v1/accounts/{pk}"))["nonce"], 1, "only the mint was signed");
    // A module that is not WebAssembly: exit 2, naming the file.
    let junk = net.path("junk.wasm");
    std::fs::write(&junk, b"not wasm").unwrap();
    let (code, err) = run(&net, &["post", junk.to_str().unwrap(), "--bond", "1000", "--key", key]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("junk.wasm") && err.contains("not a WebAssembly binary"), "{err}");
    let (code, err) = run(&net, &["challenger", "run", "--check", "most", "--key", key]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("not a check mode"), "{err}");

    // A bot's state belongs to one key.
    net.player("bob", 0);
    let dir = net.path("shared.bot");
    let i = net.spawn("bob", &["solver", "run"]);
    net.wait_for("bob's bot state", 30, |n| n.log("bob").contains("player ready"));
    net.kill(i);
    std::fs::rename(net.path("bob.bot"), &dir).unwrap();
    let (code, err) = run(&net, &["solver", "run", "--key", key, "--data-dir", dir.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("holds the state of the key"), "{err}");

    // A challenger without the funds for its bond says so, loudly, once.
    net.player("poor", 500);
    net.player("liar", 10_000);
    let liar_key = net.path("liar.key");
    let (code, err) = run(
        &net,
        &["post", wasm.to_str().unwrap(), "10", "--bond", "5000", "--lie-output", "--no-defend", "--key"]
            .into_iter()
            .chain([liar_key.to_str().unwrap()])
            .collect::<Vec<_>>(),
    );
    assert_eq!(code, Some(0), "{err}");
    net.spawn("poor", &["challenger", "run", "--bond", "2000"]);
    net.wait_for("the refused challenge", 30, |n| n.log("poor").contains("THE CHALLENGE WAS REFUSED"));
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(net.log("poor").matches("THE CHALLENGE WAS REFUSED").count(), 1, "{}", net.log("poor"));
    assert!(net.games().is_empty());
    // A bond below the claim's least (it grows with the step limit, 10^10 by
    // default) is not sent at all, and the log says what it would take.
    net.player("cheap", 10_000);
    net.spawn("cheap", &["challenger", "run", "--bond", "1000"]);
    net.wait_for("the bond that is too small", 30, |n| {
        n.log("cheap").contains("needs a bond of at least 1900")
    });
    assert!(net.games().is_empty());

    // No arbiter: a clear error, exit 1.
    let (code, err) = run(&net, &["claims", "--arbiter", "http://127.0.0.1:9"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("cannot reach the arbiter at http://127.0.0.1:9"), "{err}");
}
