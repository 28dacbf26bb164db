//! The bots on a chain, end to end, as a new user runs them: a real
//! `refute chain devnet` process (anvil on 127.0.0.1 with the verifier and
//! the referee deployed), keys made with `refute keys new` and funded with
//! `refute account --mint`, and real bot processes (`refute post`, `refute
//! solver run`, `refute challenger run`) playing real disputes over the
//! `sort` C program through the referee contract (`specs/chain.md` §6).

#[path = "common/net.rs"]
mod net;

use net::{EXE, sort_wasm};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A devnet process and the bots started on it; all killed on drop.
struct ChainNet {
    dir: tempfile::TempDir,
    rpc: String,
    referee: String,
    jobs: String,
    devnet: Child,
    bots: Vec<(String, Child)>,
}

impl Drop for ChainNet {
    fn drop(&mut self) {
        for (_, c) in &mut self.bots {
            let _ = c.kill();
            let _ = c.wait();
        }
        // SIGTERM: the devnet stops its anvil.
        let _ = Command::new("kill").arg(self.devnet.id().to_string()).status();
        let _ = self.devnet.wait();
    }
}

/// A port nobody listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Wei: 1 ETH.
const ETH: u64 = 1_000_000_000_000_000_000;

impl ChainNet {
    /// `refute chain devnet` with a `window`-second challenge window and `clock`-second clocks.
    fn start(window: u64, clock: u64) -> ChainNet {
        let dir = tempfile::tempdir().unwrap();
        let log = std::fs::File::create(dir.path().join("devnet.log")).unwrap();
        let port = free_port().to_string();
        let (w, c) = (window.to_string(), clock.to_string());
        let mut devnet = Command::new(EXE)
            .args(["chain", "devnet", "--port", &port, "--window", &w, "--clock", &c])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start refute chain devnet");
        let out = devnet.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let (mut rpc, mut referee, mut jobs) = (None, None, None);
        while rpc.is_none() || referee.is_none() || jobs.is_none() {
            let line =
                rx.recv_timeout(Duration::from_secs(120)).expect("the devnet prints rpc and referee lines");
            if let Some(u) = line.strip_prefix("rpc ") {
                rpc = Some(u.to_string());
            }
            if let Some(a) = line.strip_prefix("referee ") {
                referee = Some(a.to_string());
            }
            if let Some(a) = line.strip_prefix("jobs ") {
                jobs = Some(a.to_string());
            }
        }
        let (rpc, referee, jobs) = (rpc.unwrap(), referee.unwrap(), jobs.unwrap());
        ChainNet { dir, rpc, referee, jobs, devnet, bots: Vec::new() }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `refute` with the chain in the environment, as the devnet tells a user to.
    fn refute(&self) -> Command {
        let mut c = Command::new(EXE);
        c.env("REFUTE_CHAIN", &self.rpc)
            .env("REFUTE_REFEREE", &self.referee)
            .env("REFUTE_JOBS", &self.jobs)
            .env("RUST_LOG", "info");
        c
    }

    /// A new key `name.key`, minted `eth` ETH on the devnet; its address.
    fn player(&self, name: &str, eth: u64) -> String {
        let key = self.path(&format!("{name}.key"));
        let out = self.refute().args(["keys", "new", "--key"]).arg(&key).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v = self.account(name, Some(eth * ETH));
        v["address"].as_str().unwrap().to_string()
    }

    /// `refute account --json` of `name`, minting `mint` wei first if given.
    fn account(&self, name: &str, mint: Option<u64>) -> Value {
        let mut c = self.refute();
        c.args(["account", "--json", "--key"]).arg(self.path(&format!("{name}.key")));
        if let Some(m) = mint {
            c.args(["--mint", &m.to_string()]);
        }
        let out = c.output().unwrap();
        assert!(out.status.success(), "account: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Wei `name` holds at the referee.
    fn balance(&self, name: &str) -> u128 {
        self.account(name, None)["referee_balance"].as_str().unwrap().parse().unwrap()
    }

    /// Starts `refute ARGS --key name.key --data-dir name-state` as player `name`.
    fn spawn(&mut self, name: &str, args: &[&str]) -> usize {
        let log = std::fs::File::options()
            .create(true)
            .append(true)
            .open(self.path(&format!("{name}.log")))
            .unwrap();
        let out = std::fs::File::options()
            .create(true)
            .append(true)
            .open(self.path(&format!("{name}.out")))
            .unwrap();
        let child = self
            .refute()
            .args(args)
            .arg("--key")
            .arg(self.path(&format!("{name}.key")))
            .arg("--data-dir")
            .arg(self.path(&format!("{name}-state")))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(log)
            .spawn()
            .unwrap();
        self.bots.push((name.to_string(), child));
        self.bots.len() - 1
    }

    fn wait_exit(&mut self, i: usize, secs: u64) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(s) = self.bots[i].1.try_wait().unwrap() {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(secs),
                "{} did not exit in {secs} s:\n{}",
                self.bots[i].0,
                self.log(&self.bots[i].0)
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// `kill -9`.
    fn kill9(&mut self, i: usize) {
        let pid = self.bots[i].1.id().to_string();
        assert!(Command::new("kill").args(["-9", &pid]).status().unwrap().success());
        let _ = self.bots[i].1.wait();
    }

    fn log(&self, name: &str) -> String {
        let s = std::fs::read_to_string(self.path(&format!("{name}.log"))).unwrap_or_default();
        let tail: Vec<&str> = s.lines().rev().take(40).collect();
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    }

    fn list(&self, what: &str) -> Vec<Value> {
        let out = self.refute().args([what, "--json"]).output().unwrap();
        assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<Value>(&out.stdout).unwrap().as_array().unwrap().clone()
    }

    fn wait_for(&self, what: &str, secs: u64, mut f: impl FnMut(&ChainNet) -> bool) {
        let start = Instant::now();
        while !f(self) {
            assert!(start.elapsed() < Duration::from_secs(secs), "no {what} after {secs} s");
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

/// `refute chain web --port 0` on `net`: GETs `paths` (three), then stops it.
fn web_pages(net: &ChainNet, paths: &[&str; 3]) -> (u16, String, u16, String, u16) {
    let mut web = net
        .refute()
        .args(["chain", "web", "--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(web.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("web ").unwrap_or_else(|| panic!("no web line: {line:?}")).to_string();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    let get = |path: &str| {
        let mut r = agent.get(format!("{url}{path}")).call().unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
    };
    let (a, b, c) = (get(paths[0]), get(paths[1]), get(paths[2]));
    let _ = web.kill();
    let _ = web.wait();
    (a.0, a.1, b.0, b.1, c.0)
}

/// Posts `sort 10` (padded to 100,000 steps) with a bond of 0.02 ETH.
fn post_args<'a>(wasm: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["post", "--bond", "20000000000000000", "--max-steps", "100000", wasm, "10"];
    a.extend(extra);
    a
}

fn wei(v: &Value) -> u128 {
    v.as_str().unwrap().parse().unwrap()
}

#[test]
fn a_liar_loses_its_bond_on_chain_and_an_honest_claim_becomes_final() {
    let mut net = ChainNet::start(20, 30);
    net.player("alice", 10);
    net.player("bob", 10);
    let wasm = sort_wasm();
    let wasm = wasm.to_str().unwrap();
    // What a chain cannot settle is refused before anything is sent: a
    // module that imports a host function outside WASI.
    let foreign = net.path("foreign.wasm");
    std::fs::write(
        &foreign,
        wat::parse_str(
            r#"(module (import "env" "f" (func)) (memory (export "memory") 1) (func (export "_start")))"#,
        )
        .unwrap(),
    )
    .unwrap();
    let out = net
        .refute()
        .args(post_args(foreign.to_str().unwrap(), &["--key"]))
        .arg(net.path("alice.key"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("cannot be settled on chain yet"), "{err}");
    assert!(err.contains("env.f"), "{err}");
    let out = net
        .refute()
        .args(["challenger", "run", "--sample-pct", "50", "--key"])
        .arg(net.path("bob.key"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("for the arbiter"), "{err}");
    net.spawn("bob", &["challenger", "run"]);
    let liar = net.spawn("alice", &post_args(wasm, &["--lie-output"]));
    let status = net.wait_exit(liar, 240);
    assert_eq!(status.code(), Some(1), "the lie was not rejected:\n{}\n{}", net.log("alice"), net.log("bob"));
    let claims = net.list("claims");
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0]["status"], "rejected");
    let games = net.list("games");
    assert_eq!(games.len(), 1);
    assert_eq!(games[0]["status"], "won by challenger");
    // Bob's bond came back with half of the liar's; the liar kept nothing.
    assert_eq!(net.balance("bob"), wei(&games[0]["bond"]) + wei(&claims[0]["bond"]) / 2);
    assert_eq!(net.balance("alice"), 0);
    // The game as a timeline read from the chain, checked as it is read.
    let page = net.path("game0.html");
    let out = net.refute().args(["trace", "show", "--game", "0", "--html"]).arg(&page).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "trace show: {text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("verdict: the challenger wins"), "{text}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("Read from the chain and checked.") && html.contains("the challenger wins"),
        "{html}"
    );
    assert!(
        text.contains("the one-step proof of step") && text.contains("read from the chain and checked"),
        "{text}"
    );
    // The same pages served: `refute chain web` on 127.0.0.1.
    let (status, front, status0, page0, status9) = web_pages(&net, &["/", "/games/0", "/games/9"]);
    assert_eq!((status, status0, status9), (200, 200, 404), "{front}\n{page0}");
    assert!(front.contains("game 0") && front.contains("rejected"), "{front}");
    assert!(
        page0.contains("the challenger wins") && page0.contains("Read from the chain and checked."),
        "{page0}"
    );
    // The truth stands: no challenge, final when the window closes.
    let honest = net.spawn("alice", &post_args(wasm, &[]));
    let status = net.wait_exit(honest, 120);
    assert!(status.success(), "the honest claim is not final:\n{}", net.log("alice"));
    let claims = net.list("claims");
    assert_eq!(claims[1]["status"], "final");
    assert_eq!(net.list("games").len(), 1, "the honest claim was challenged");
    assert_eq!(net.balance("alice"), wei(&claims[1]["bond"]), "the honest bond came back");
    // Bob takes his winnings out of the referee.
    let before = net.account("bob", None);
    let won = net.balance("bob");
    let out = net
        .refute()
        .args(["account", "--json", "--withdraw", "all", "--key"])
        .arg(net.path("bob.key"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let after: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(wei(&after["referee_balance"]), 0);
    let gained = wei(&after["wei"]) as i128 - wei(&before["wei"]) as i128;
    assert!(
        gained > 0 && (won as i128 - gained) < 1_000_000_000_000_000,
        "withdrew {won}, gained {gained} (less gas)"
    );
}

/// Wei of `name`'s account at the jobs contract, and its stake there.
fn at_jobs(net: &ChainNet, name: &str) -> (u128, u128) {
    let a = net.account(name, None);
    (wei(&a["jobs_balance"]), wei(&a["stake"]))
}

#[test]
fn a_job_on_chain_is_drawn_answered_checked_audited_and_paid() {
    let mut net = ChainNet::start(20, 30);
    for who in ["rita", "sam", "sue", "bob"] {
        net.player(who, 10);
    }
    let wasm = sort_wasm();
    let wasm = wasm.to_str().unwrap();
    // Sam lies and Bob checks every claim, each with 1 ETH at stake; Sue
    // answers honestly with 0.01 ETH. So Sam or Bob is most likely drawn
    // first: Bob declines (a challenger answers no jobs), Sam's lying claim is
    // challenged and rejected; either way the job reaches Sue, and the
    // committee of her claim is Sam and Bob, who attest it and share the fee.
    let big = ETH.to_string();
    let small = (ETH / 100).to_string();
    net.spawn("sam", &["solver", "run", "--stake", &big, "--lie-output"]);
    net.spawn("sue", &["solver", "run", "--stake", &small]);
    net.spawn("bob", &["challenger", "run", "--stake", &big]);
    net.wait_for("three registered candidates", 60, |n| {
        ["sam", "sue", "bob"].iter().all(|w| n.account(w, None)["registered"] == Value::Bool(true))
    });
    let reward: u128 = 30_000_000_000_000_000;
    let fee = reward / 5;
    let out = net
        .refute()
        .args(["job", "post", "--json", "--wait", "--reward", &reward.to_string(), "--max-steps", "100000"])
        .args([wasm, "10", "--key"])
        .arg(net.path("rita.key"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let logs = || {
        format!(
            "{err}\n--- sam\n{}\n--- sue\n{}\n--- bob\n{}",
            net.log("sam"),
            net.log("sue"),
            net.log("bob")
        )
    };
    assert!(out.status.success(), "the job did not end done:\n{}", logs());
    let job: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(job["claim_status"], "final", "{job}");
    // The verified result: the exit status and the output, read from the
    // claim's final header and the stdout blob whose tree root is the header's.
    let stdout = job["result"]["stdout"].as_str().unwrap_or_default();
    assert!(stdout.contains("ints: n=10"), "no verified stdout: {job}");
    let address = |who: &str| net.account(who, None)["address"].as_str().unwrap().to_lowercase();
    let (sue, sam) = (address("sue"), address("sam"));
    assert_eq!(job["solver"].as_str().unwrap().to_lowercase(), sue, "the honest solver answered it: {job}");
    assert_eq!(
        at_jobs(&net, "sue"),
        (reward - fee, ETH as u128 / 100),
        "Sue is paid the reward less the fee"
    );
    let tried: Vec<String> =
        job["tried"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_lowercase()).collect();
    println!("solvers drawn: {} (the liar among them: {})", tried.len(), tried.contains(&sam));
    if tried.contains(&sam) {
        // Sam's lying claim was challenged and rejected: he lost its bond,
        // not his stake, and the job was drawn again.
        let claims = net.list("claims");
        assert!(claims.iter().any(|c| c["status"] == "rejected"), "{claims:?}");
        assert_eq!(at_jobs(&net, "sam").1, ETH as u128, "a rejected answer costs the claim bond only");
        assert!(net.log("bob").contains("WRONG CLAIM"), "{}", logs());
    }
    // The audit: the members who disclosed share the fee once it is over;
    // whatever nobody earned goes back to Rita.
    net.wait_for("the audit's end", 120, |n| {
        at_jobs(n, "bob").0 + at_jobs(n, "sam").0 + at_jobs(n, "rita").0 == fee
    });
    let (bob_fee, sam_fee) = (at_jobs(&net, "bob").0, at_jobs(&net, "sam").0);
    assert!(
        bob_fee == fee / 2 || bob_fee == fee,
        "Bob disclosed and was paid: {bob_fee} of {fee}\n{}",
        logs()
    );
    assert!(net.log("bob").contains("disclosed the attestation"), "{}", logs());
    assert_eq!(at_jobs(&net, "bob").1, ETH as u128, "Bob did his duty: his stake is whole");
    println!("fee {fee}: Bob {bob_fee}, Sam {sam_fee}");
    // `job show` reads the same from the chain.
    let id = job["job"].as_str().unwrap();
    let out = net.refute().args(["job", "show", id]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("verified: the claim is final"), "{text}");
    // Sue takes her reward out.
    let out = net
        .refute()
        .args(["account", "--json", "--withdraw", "all", "--key"])
        .arg(net.path("sue.key"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(at_jobs(&net, "sue").0, 0);
}

#[test]
fn a_sybil_crowd_cannot_wear_the_honest_solver_down_on_chain() {
    let mut net = ChainNet::start(30, 40);
    net.player("alice", 10);
    let crowd = ["carol", "dave", "erin"];
    for c in crowd {
        net.player(c, 10);
    }
    let wasm = sort_wasm();
    let wasm = wasm.to_str().unwrap();
    // The crowd lies alike (one story): the solver answers its games with shared moves.
    for c in crowd {
        net.spawn(c, &["challenger", "run", "--lie-at", "3000"]);
    }
    let post = net.spawn("alice", &post_args(wasm, &["--no-defend"]));
    assert!(net.wait_exit(post, 60).success(), "{}", net.log("alice"));
    net.spawn("alice", &["solver", "run"]);
    net.wait_for("three challenges", 60, |n| n.list("games").len() == 3);
    net.wait_for("the claim's end", 300, |n| n.list("claims")[0]["status"] != "open");
    let claims = net.list("claims");
    assert_eq!(claims[0]["status"], "final", "{}", net.log("alice"));
    let games = net.list("games");
    let mut shares = 0;
    for g in &games {
        assert_eq!(g["status"], "won by solver", "{g}");
        shares += wei(&g["bond"]) / 2;
    }
    assert_eq!(net.balance("alice"), wei(&claims[0]["bond"]) + shares, "the bond and three shares");
    for c in crowd {
        assert_eq!(net.balance(c), 0, "{c} lost its bond");
    }
    let log = std::fs::read_to_string(net.path("alice.log")).unwrap();
    assert!(log.contains("games=3"), "no move was shared by the three games:\n{}", net.log("alice"));
}

/// A run with files on chain: `files.c` reads, writes and lists a preopened
/// directory (`--dir`), so every state of the game holds a file system and
/// the step proven on chain carries its trees. A lie about its output loses;
/// the truth is final.
#[test]
fn a_lie_about_a_run_with_files_loses_on_chain() {
    let mut net = ChainNet::start(20, 30);
    net.player("alice", 10);
    net.player("bob", 10);
    let wasm = refute::workloads::wasm("files").expect("the files workload builds");
    let host = net.path("data");
    std::fs::create_dir_all(host.join("sub")).unwrap();
    std::fs::write(host.join("in.txt"), "hello from the host\nsecond line\n").unwrap();
    std::fs::write(host.join("sub/x.txt"), "x").unwrap();
    let dir = format!("{}::/data", host.display());
    let post = |extra: &'static [&'static str]| {
        let mut a = vec!["post", "--bond", "20000000000000000", "--max-steps", "2000000", "--dir", &dir];
        a.extend([wasm.to_str().unwrap(), "/data"]);
        a.extend(extra);
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    net.spawn("bob", &["challenger", "run"]);
    let args = post(&["--lie-output"]);
    let liar = net.spawn("alice", &args.iter().map(String::as_str).collect::<Vec<_>>());
    let status = net.wait_exit(liar, 240);
    assert_eq!(status.code(), Some(1), "the lie was not rejected:\n{}\n{}", net.log("alice"), net.log("bob"));
    let games = net.list("games");
    assert_eq!(games[0]["status"], "won by challenger", "{games:?}");
    let out = net.refute().args(["trace", "show", "--game", "0"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("the one-step proof of step"), "{text}");
    let args = post(&[]);
    let honest = net.spawn("alice", &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(net.wait_exit(honest, 120).success(), "the honest claim is not final:\n{}", net.log("alice"));
    assert_eq!(net.list("claims")[1]["status"], "final");
    assert_eq!(net.list("games").len(), 1, "the honest claim was challenged:\n{}", net.log("bob"));
}

/// A module of about 200 KB: a data segment of 200,000 bytes that `_start`
/// sums, exiting with the sum's low byte (1.4M steps).
fn big_module() -> Vec<u8> {
    let n = 200_000u32;
    let data: String = (0..n).map(|i| format!("\\{:02x}", (i * 7 + i / 256) % 251)).collect();
    let wat = format!(
        r#"(module
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 4)
          (data (i32.const 1024) "{data}")
          (func (export "_start") (local $i i32) (local $s i32)
            (loop $l
              (local.set $s (i32.add (local.get $s) (i32.load8_u offset=1024 (local.get $i))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (i32.const {n}))))
            (call $exit (i32.and (local.get $s) (i32.const 255)))))"#
    );
    wat::parse_str(wat).expect("the module assembles")
}

/// A module larger than one `publish` takes (96 KiB) is published in chunks
/// and read back by the challenger from them: a lie about it loses, the
/// truth is final.
#[test]
fn a_module_published_in_chunks_is_checked_on_chain() {
    let mut net = ChainNet::start(20, 30);
    net.player("alice", 10);
    net.player("bob", 10);
    let module = big_module();
    assert!(module.len() > 2 * 96 * 1024, "{} bytes: three chunks", module.len());
    let wasm = net.path("big.wasm");
    std::fs::write(&wasm, &module).unwrap();
    let wasm = wasm.to_str().unwrap().to_string();
    net.spawn("bob", &["challenger", "run"]);
    let args = ["post", "--bond", "20000000000000000", "--max-steps", "4000000", &wasm];
    let liar = net.spawn("alice", &[&args[..], &["--lie-output"]].concat());
    let status = net.wait_exit(liar, 240);
    assert_eq!(status.code(), Some(1), "the lie was not rejected:\n{}\n{}", net.log("alice"), net.log("bob"));
    assert_eq!(net.list("games")[0]["status"], "won by challenger");
    let honest = net.spawn("alice", &args);
    assert!(net.wait_exit(honest, 120).success(), "the honest claim is not final:\n{}", net.log("alice"));
    assert_eq!(net.list("claims")[1]["status"], "final");
    assert_eq!(net.list("games").len(), 1, "the honest claim was challenged:\n{}", net.log("bob"));
}

#[test]
fn a_challenger_killed_with_kill_9_resumes_on_chain() {
    let mut net = ChainNet::start(20, 40);
    net.player("alice", 10);
    net.player("bob", 10);
    let wasm = sort_wasm();
    let wasm = wasm.to_str().unwrap();
    let bob = net.spawn("bob", &["challenger", "run"]);
    let post = net.spawn("alice", &post_args(wasm, &["--lie-at", "20000", "--no-defend"]));
    assert!(net.wait_exit(post, 60).success(), "{}", net.log("alice"));
    net.spawn("alice", &["solver", "run"]);
    net.wait_for("a game two layers deep", 120, |n| {
        n.list("games").first().is_some_and(|g| g["depth"].as_u64().unwrap_or(0) >= 2)
    });
    net.kill9(bob);
    std::thread::sleep(Duration::from_secs(3));
    net.spawn("bob", &["challenger", "run"]);
    net.wait_for("the game's end", 240, |n| n.list("games")[0]["status"] != "open");
    assert_eq!(net.list("games")[0]["status"], "won by challenger", "{}", net.log("bob"));
    net.wait_for("the rejection", 30, |n| n.list("claims")[0]["status"] == "rejected");
    let log = std::fs::read_to_string(net.path("bob.log")).unwrap();
    assert_eq!(log.matches("WRONG CLAIM: challenged").count(), 1, "the restarted bot challenged again");
}

/// Bots killed with `kill -9` in the middle of a job resume it: the solver
/// does not post a second claim and is paid once its claim is final; the
/// committee member discloses with the salt it kept, and is paid the fee.
#[test]
fn a_killed_solver_and_member_finish_their_job_on_chain() {
    let mut net = ChainNet::start(20, 30);
    for who in ["rita", "sue", "bob"] {
        net.player(who, 10);
    }
    let wasm = sort_wasm();
    let wasm = wasm.to_str().unwrap();
    let (big, small) = (ETH.to_string(), (ETH / 100).to_string());
    let sue = net.spawn("sue", &["solver", "run", "--stake", &small]);
    let bob = net.spawn("bob", &["challenger", "run", "--stake", &big]);
    net.wait_for("two registered candidates", 60, |n| {
        ["sue", "bob"].iter().all(|w| n.account(w, None)["registered"] == Value::Bool(true))
    });
    let reward: u128 = 30_000_000_000_000_000;
    let out = net
        .refute()
        .args(["job", "post", "--json", "--reward", &reward.to_string(), "--max-steps", "100000", wasm, "10"])
        .arg("--key")
        .arg(net.path("rita.key"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let job: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = job["job"].as_str().unwrap().to_string();
    // Bob (drawn first, almost surely) declines; Sue answers; Bob, her
    // committee, attests. Then both are killed.
    net.wait_for("Bob's attestation", 60, |n| n.log("bob").contains("attested the claim"));
    assert!(net.log("sue").contains("answered the job"), "{}", net.log("sue"));
    net.kill9(sue);
    net.kill9(bob);
    std::thread::sleep(Duration::from_secs(2));
    net.spawn("sue", &["solver", "run"]);
    net.spawn("bob", &["challenger", "run"]);
    let fee = reward / 5;
    net.wait_for("the job paid and audited", 180, |n| {
        at_jobs(n, "sue").0 == reward - fee && at_jobs(n, "bob").0 == fee
    });
    let out = net.refute().args(["job", "show", "--json", &id]).output().unwrap();
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["status"], "done", "{shown}");
    assert_eq!(net.list("claims").len(), 1, "the restarted solver posted another claim");
    assert!(net.log("bob").contains("disclosed the attestation"), "{}", net.log("bob"));
}

/// A TCP forwarder to the node that can be cut: during an outage it drops
/// every connection and refuses new ones, as a node that went away does.
struct Cut {
    port: u16,
    down: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Cut {
    fn new(to: &str) -> Cut {
        use std::net::{TcpListener, TcpStream};
        use std::sync::atomic::Ordering;
        let to = to.trim_start_matches("http://").to_string();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let down = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = down.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().map_while(Result::ok) {
                if flag.load(Ordering::Relaxed) {
                    continue; // dropped: the connection closes at once
                }
                let Ok(server) = TcpStream::connect(&to) else { continue };
                for (mut from, mut into) in
                    [(client.try_clone().unwrap(), server.try_clone().unwrap()), (server, client)]
                {
                    let flag = flag.clone();
                    std::thread::spawn(move || {
                        let mut buf = [0u8; 65536];
                        let _ = from.set_read_timeout(Some(Duration::from_millis(200)));
                        loop {
                            if flag.load(Ordering::Relaxed) {
                                let _ = from.shutdown(std::net::Shutdown::Both);
                                let _ = into.shutdown(std::net::Shutdown::Both);
                                return;
                            }
                            match std::io::Read::read(&mut from, &mut buf) {
                                Ok(0) => {
                                    let _ = into.shutdown(std::net::Shutdown::Write);
                                    return;
                                }
                                Ok(n) => {
                                    if std::io::Write::write_all(&mut into, &buf[..n]).is_err() {
                                        return;
                                    }
                                }
                                Err(e)
                                    if e.kind() == std::io::ErrorKind::WouldBlock
                                        || e.kind() == std::io::ErrorKind::TimedOut => {}
                                Err(_) => return,
                            }
                        }
                    });
                }
            }
        });
        Cut { port, down }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn set_down(&self, down: bool) {
        self.down.store(down, std::sync::atomic::Ordering::Relaxed);
    }
}

#[test]
fn a_bot_rides_out_an_outage_of_the_node() {
    let mut net = ChainNet::start(20, 40);
    net.player("alice", 10);
    net.player("bob", 10);
    let wasm = sort_wasm();
    let wasm = wasm.to_str().unwrap();
    // Bob reaches the node through a link that will be cut.
    let cut = Cut::new(&net.rpc);
    let direct = std::mem::replace(&mut net.rpc, cut.url());
    net.spawn("bob", &["challenger", "run"]);
    net.rpc = direct;
    let post = net.spawn("alice", &post_args(wasm, &["--lie-at", "20000", "--no-defend"]));
    assert!(net.wait_exit(post, 60).success(), "{}", net.log("alice"));
    net.spawn("alice", &["solver", "run"]);
    net.wait_for("a game two layers deep", 120, |n| {
        n.list("games").first().is_some_and(|g| g["depth"].as_u64().unwrap_or(0) >= 2)
    });
    cut.set_down(true);
    std::thread::sleep(Duration::from_secs(6));
    cut.set_down(false);
    net.wait_for("the game's end", 240, |n| n.list("games")[0]["status"] != "open");
    assert_eq!(net.list("games")[0]["status"], "won by challenger", "{}", net.log("bob"));
    let log = std::fs::read_to_string(net.path("bob.log")).unwrap();
    assert!(log.contains("the node did not answer"), "the outage was not seen:\n{}", net.log("bob"));
}
