//! Jobs end to end (`specs/protocol.md` §5.9, `specs/bots.md`, "Jobs"): a
//! real `refute arbiter serve` process on 127.0.0.1 and real `refute`
//! processes. A requester asks for `sort 10` with a reward; two solver bots
//! registered before it, one lying and holding most of the stake (so it is
//! most likely drawn first), and an honest challenger on the committee. The
//! liar's claim is challenged and rejected, the job drawn again to the
//! honest solver, whose claim becomes final; the requester reads the
//! verified output, the solver is paid the reward less the fee, the members
//! who disclosed their attestations share the fee, and the log replays with
//! funds conserved. Either draw order is handled.
//!
//! And a checker that builds a job's trace at the job's post, before any
//! claim, whose check of the claim then reuses it (one engine run).

#[path = "common/net.rs"]
mod net;

use net::{EXE, Net, sort_wasm};
use serde_json::Value;
use std::process::Command;
use std::time::Instant;

const REWARD: u64 = 10_000;

/// The events of the arbiter's whole log, in order.
fn events(net: &Net) -> Vec<Value> {
    let mut out = Vec::new();
    let mut from = 0;
    loop {
        let page = net.get(&format!("/v1/log?from={from}&limit=1000"));
        let page = page.as_array().unwrap();
        if page.is_empty() {
            return out;
        }
        from += page.len();
        for e in page {
            let r = &e["record"];
            for list in [&r["ticked"], &r["events"]] {
                out.extend(list.as_array().into_iter().flatten().cloned());
            }
        }
    }
}

fn paid(events: &[Value], to: &str) -> Vec<u64> {
    events
        .iter()
        .filter(|e| e["event"] == "paid" && e["to"] == to)
        .map(|e| e["amount"].as_u64().unwrap())
        .collect()
}

#[test]
fn a_job_is_answered_a_lying_solver_loses_it_and_the_checkers_are_paid() {
    let start = Instant::now();
    let mut net = Net::start(&["--window-ms", "5000", "--clock-ms", "15000", "--job-deadline-ms", "20000"]);
    let requester = net.player("requester", 100_000);
    let honest = net.player("honest", 100_000);
    let liar = net.player("liar", 100_000);
    let checker = net.player("checker", 100_000);
    let registered = |n: &Net, pk: &str| !n.get(&format!("/v1/accounts/{pk}"))["stake"].is_null();
    // The liar holds 9,000 of 11,500 staked: drawn first with probability
    // 0.78. Not more: a draw tries `DRAW_POSITIONS` = 32 positions, and the
    // redraw after the liar fails if all of them land on it again
    // (probability 0.78^32 < 10^-3 here; 93 % with 99.8 % of the stake).
    net.spawn("honest", &["solver", "run", "--stake", "1500"]);
    net.spawn("liar", &["solver", "run", "--stake", "9000", "--lie-output"]);
    net.spawn("checker", &["challenger", "run", "--stake", "1000"]);
    net.wait_for("the registrations", 30, |n| {
        registered(n, &honest) && registered(n, &liar) && registered(n, &checker)
    });

    let wasm = sort_wasm();
    let out = net
        .refute()
        .args(["job", "post", "--json", "--max-steps", "100000", "--reward", &REWARD.to_string(), "--key"])
        .arg(net.path("requester.key"))
        .arg(&wasm)
        .arg("10")
        .output()
        .unwrap();
    assert!(out.status.success(), "job post: {}", String::from_utf8_lossy(&out.stderr));
    let posted: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = posted["job"].as_str().unwrap().to_string();
    let first = posted["solver"].as_str().unwrap().to_string();
    assert!([&honest, &liar, &checker].contains(&&first), "drawn among the candidates: {posted}");
    assert_eq!(net.balance(&requester), 100_000 - REWARD, "the reward is escrowed");

    let until = Instant::now() + std::time::Duration::from_secs(60);
    while net.get(&format!("/v1/jobs/{id}"))["status"] != "done" {
        assert!(
            Instant::now() < until,
            "the job is not done after 60 s: {}\nliar:\n{}\nhonest:\n{}\nchecker:\n{}",
            net.get(&format!("/v1/jobs/{id}")),
            net.log("liar"),
            net.log("honest"),
            net.log("checker")
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let job = net.get(&format!("/v1/jobs/{id}"));
    assert_eq!(job["solver"], honest.as_str(), "the honest solver answers in the end: {job}");
    let tried: Vec<&str> = job["tried"].as_array().into_iter().flatten().filter_map(|k| k.as_str()).collect();
    assert!(!tried.contains(&honest.as_str()), "{job}");
    let claim_id = job["claim"].as_str().unwrap().to_string();
    // The audit after the claim's window: every member that attested discloses.
    net.wait_for("the end of the audit", 30, |n| {
        n.get(&format!("/v1/claims/{claim_id}"))["audit_ends"].is_null()
    });
    let claim = net.get(&format!("/v1/claims/{claim_id}"));
    assert_eq!(claim["status"], "final");
    let committee = claim["committee"].as_object().unwrap().clone();
    assert!(!committee.is_empty(), "a committee was drawn: {claim}");
    assert!(
        committee.values().all(|d| d == "disclosed"),
        "every member disclosed: {claim}\nchecker:\n{}\nliar:\n{}",
        net.log("checker"),
        net.log("liar")
    );

    // The job has ended and left the arbiter's memory: the lists find it in the archive.
    let mine = net.get(&format!("/v1/jobs?requester={requester}"));
    assert_eq!(mine.as_array().map(|l| l.len()), Some(1), "{mine}");
    assert_eq!(mine[0]["id"], id.as_str(), "{mine}");
    assert_eq!(mine[0]["status"], "done", "{mine}");
    assert_eq!(net.get(&format!("/v1/jobs?solver={honest}"))[0]["id"], id.as_str());
    assert_eq!(net.get("/v1/jobs?status=open"), serde_json::json!([]));
    assert_eq!(net.get(&format!("/v1/jobs?requester={honest}")), serde_json::json!([]));

    // The requester reads the verified output.
    let out = net.refute().args(["job", "show", &id]).output().unwrap();
    assert!(out.status.success(), "job show: {}", String::from_utf8_lossy(&out.stderr));
    let shown = String::from_utf8(out.stdout).unwrap();
    let expected = Command::new(EXE).arg("run").arg(&wasm).arg("10").output().unwrap();
    let first_line = String::from_utf8(expected.stdout).unwrap().lines().next().unwrap().to_string();
    assert!(shown.contains("status   done"), "{shown}");
    assert!(shown.contains("verified: the claim is final"), "{shown}");
    assert!(shown.contains(&first_line), "the output is the program's: {shown}");
    let out = net.refute().args(["job", "show", "--json", &id]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let fee = REWARD * 20 / 100;
    assert_eq!(v["fees"]["fee"], fee, "{v}");
    assert_eq!(v["fees"]["solver_paid"], REWARD - fee, "{v}");
    let members: Vec<&str> =
        v["fees"]["members_paid"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
    assert_eq!(members.len(), committee.len(), "{v}");
    let each = v["fees"]["each"].as_u64().unwrap();
    assert_eq!(each, fee / members.len() as u64, "{v}");

    // The money, as the log records it.
    let ev = events(&net);
    assert!(paid(&ev, &honest).contains(&(REWARD - fee)), "the solver is paid the reward less the fee");
    for m in &members {
        assert!(paid(&ev, m).contains(&each), "member {m} is paid its share of the fee");
    }
    if tried.contains(&liar.as_str()) {
        // The liar was drawn (first, most likely): its claim was challenged
        // and rejected, its bond forfeited, and the job drawn again.
        let rejected = ev.iter().any(|e| e["event"] == "job_missed" && e["solver"] == liar.as_str());
        assert!(rejected, "the liar missed the job");
        let forfeited = ev.iter().any(|e| e["event"] == "bond_forfeited" && e["who"] == liar.as_str());
        assert!(forfeited, "the liar's claim bond was forfeited");
        let r = &net.get(&format!("/v1/accounts/{liar}"))["reputation"];
        assert_eq!((r["claims_rejected"].as_u64(), r["jobs_missed"].as_u64()), (Some(1), Some(1)), "{r}");
        // Each finished game's transcript is checked offline by the checker.
        net.wait_for("a transcript checked offline", 30, |n| {
            std::fs::read_to_string(n.path("checker.log")).unwrap_or_default().contains("checked offline")
        });
    } else {
        eprintln!("the liar was not drawn ({first} was first): no lie to catch this time");
    }
    let checker_log = std::fs::read_to_string(net.path("checker.log")).unwrap();
    assert!(!checker_log.contains("DOES NOT CHECK"), "{checker_log}");
    let r = &net.get(&format!("/v1/accounts/{honest}"))["reputation"];
    assert_eq!(r["jobs_done"], 1, "{r}");

    // The log replays, with funds conserved.
    eprintln!("TIMING the job is done and paid after {:?}", start.elapsed());
    let v = net.verify_log();
    let sum = v["balances"].as_u64().unwrap() + v["held"].as_u64().unwrap() + v["burned"].as_u64().unwrap();
    assert_eq!(v["minted"].as_u64().unwrap(), sum, "funds are conserved: {v}");
    assert_eq!((v["jobs"].as_u64(), v["jobs_done"].as_u64()), (Some(1), Some(1)), "{v}");
    let text =
        Command::new(EXE).args(["log", "verify", "--data-dir"]).arg(net.path("arbiter")).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("funds conserved"), "{text}");
    assert!(start.elapsed().as_secs() < 60, "took {:?}", start.elapsed());
}

/// The lines of `log` that contain `what`.
fn lines<'a>(log: &'a str, what: &str) -> Vec<&'a str> {
    log.lines().filter(|l| l.contains(what)).collect()
}

/// The value of the log field `name=` in `line` (up to the next space).
fn field<'a>(line: &'a str, name: &str) -> &'a str {
    let at =
        line.find(&format!("{name}=")).unwrap_or_else(|| panic!("no {name}= in {line}")) + name.len() + 1;
    line[at..].split_whitespace().next().unwrap()
}

/// `specs/bots.md`, "Jobs": a checker (`refute challenger run`, prebuilding
/// by default with `--check full`) starts the trace of a job's task at the
/// job's post. The job is drawn to a lying solver that is registered but
/// not running, so its claim surely comes after the trace; when it comes
/// back and answers, the checker's check finds the trace built (one "trace
/// built" for the task), challenges, wins, and the liar is slashed.
#[test]
fn a_checker_builds_a_jobs_trace_at_its_post_and_its_check_reuses_it() {
    let start = Instant::now();
    let mut net = Net::start(&["--window-ms", "5000", "--clock-ms", "15000", "--job-deadline-ms", "60000"]);
    net.player("requester", 100_000);
    let liar = net.player("liar", 100_000);
    let checker = net.player("checker", 100_000);
    // The liar registers (the only candidate: the job is drawn to it), then stops.
    let first = net.spawn("liar", &["solver", "run", "--stake", "1000"]);
    net.wait_for("the liar's registration", 30, |n| {
        !n.get(&format!("/v1/accounts/{liar}"))["stake"].is_null()
    });
    net.kill(first);
    net.spawn("checker", &["challenger", "run"]);
    net.wait_for("the checker", 30, |n| n.log("checker").contains("challenger running"));
    assert!(net.log("checker").contains("prebuild_jobs=true"), "on by default: {}", net.log("checker"));

    let out = net
        .refute()
        .args(["job", "post", "--json", "--max-steps", "100000", "--reward", &REWARD.to_string(), "--key"])
        .arg(net.path("requester.key"))
        .arg(sort_wasm())
        .arg("10")
        .output()
        .unwrap();
    assert!(out.status.success(), "job post: {}", String::from_utf8_lossy(&out.stderr));
    let posted: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = posted["job"].as_str().unwrap().to_string();
    assert_eq!(posted["solver"], liar.as_str(), "the only candidate is drawn: {posted}");
    let short = &id[..8];
    net.wait_for("the trace prebuilt at the job's post", 30, |n| {
        n.log("checker").contains(&format!("prebuilt the trace of job {short}"))
    });
    let job = net.get(&format!("/v1/jobs/{id}"));
    assert_eq!(
        (&job["status"], &job["claim"]),
        (&Value::from("assigned"), &Value::Null),
        "no claim yet: {job}"
    );

    // The liar comes back and answers with a claim lying about the output.
    net.spawn("liar", &["solver", "run", "--lie-output"]);
    net.wait_for("the liar's claim rejected and its bond forfeited", 60, |n| {
        n.get(&format!("/v1/accounts/{liar}"))["reputation"]["claims_rejected"] == 1
    });
    net.wait_for("the checker's win", 30, |n| n.log("checker").contains("game over: won"));

    let log = std::fs::read_to_string(net.path("checker.log")).unwrap();
    let liar_log = std::fs::read_to_string(net.path("liar.log")).unwrap();
    let prebuilding = lines(&log, &format!("prebuilding the trace of job {short} at its post"));
    assert_eq!(prebuilding.len(), 1, "{log}");
    let task = field(prebuilding[0], "task");
    let built = lines(&log, "trace built");
    assert_eq!(built.len(), 1, "one engine run in the checker, for the job's task:\n{log}");
    assert_eq!(field(built[0], "task"), task, "the trace built is the job's task:\n{log}");
    // Timestamps (RFC 3339, UTC, one format) compare as text.
    let when = |l: &str| l.split_whitespace().next().unwrap().to_string();
    let answered = lines(&liar_log, &format!("answered job {short}"));
    assert_eq!(answered.len(), 1, "{liar_log}");
    assert!(
        when(built[0]) < when(answered[0]),
        "the trace was built before the claim was posted:\n{log}\n{liar_log}"
    );
    let wrong = lines(&log, "the claim looks wrong");
    assert_eq!(wrong.len(), 1, "{log}");
    // The liar logs "answered" after its post returns, so the checker may see
    // the claim (and log its check) first: only the build's order is certain.
    assert!(when(built[0]) <= when(wrong[0]), "checked after the build:\n{log}");
    assert!(log.contains("challenged: the claim's final state is"), "{log}");

    // The liar is slashed: its claim bond forfeited, the job missed.
    let ev = events(&net);
    assert!(
        ev.iter().any(|e| e["event"] == "bond_forfeited" && e["who"] == liar.as_str()),
        "the liar's bond"
    );
    assert!(
        ev.iter().any(|e| e["event"] == "job_missed" && e["solver"] == liar.as_str()),
        "the liar missed the job"
    );
    assert!(net.balance(&checker) > 100_000, "the checker wins the liar's bond");
    eprintln!("TIMING the prebuilt check won after {:?}", start.elapsed());
    assert!(start.elapsed().as_secs() < 60, "took {:?}", start.elapsed());
}
