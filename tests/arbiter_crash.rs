//! The arbiter as it runs: a real `refute arbiter serve` process, real HTTP on
//! 127.0.0.1, RocksDB in a temporary directory, killed with SIGKILL at random
//! moments of a dispute game and restarted on the same data directory.
//!
//! Checks `specs/api.md` §1 (durability): every acknowledged message is in the
//! log at the index its answer gave, a message whose answer was lost is either
//! committed (`bad_nonce` when resent) or not at all, the state after a restart
//! equals the state before the kill, clocks and windows are times in the state,
//! and `refute log verify` accepts the data directory at any point. And the
//! game rules end to end (`specs/protocol.md`): the honest side wins, money moves
//! as §5.7 says and is conserved.
//!
//! Every loop is bounded; the servers are killed when a test ends or panics.
//! `REFUTE_CRASH_SEED=N` replays a run's random choices (the seed is printed).

use ed25519_dalek::SigningKey;
use refute_challenger::play::{Recorded, Trace, challenge, history_root, next_move};
use refute_engine::history::dispute_rounds;
use refute_engine::proof::prove_step;
use refute_engine::state::{HEADER_BYTES, Hasher, Header};
use refute_engine::{Entry, Module, Run, Status, Task};
use refute_protocol::rules::{
    B32, Blob, BlobUpload, Claim, ClaimBody, ClaimStatus, Game, GameStatus, Message, Params, Role, Signed,
    claim_id,
};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------
// The program and its honest trace.

/// A WASI command: a loop with arithmetic and stores (a few hundred steps),
/// then one `fd_write` of "refute ok\n" to stdout.
const PROGRAM: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "refute ok\n")
  (func (export "_start") (local $i i32) (local $acc i32)
    block $out
      loop $l
        local.get $i i32.const 24 i32.ge_u br_if $out
        local.get $acc local.get $i i32.mul i32.const 7 i32.add local.set $acc
        i32.const 64 local.get $acc i32.store
        local.get $i i32.const 1 i32.add local.set $i
        br $l
      end
    end
    i32.const 0 i32.const 16 i32.store
    i32.const 4 i32.const 10 i32.store
    i32.const 1 i32.const 0 i32.const 1 i32.const 8 call $fd_write
    drop))
"#;
const STDOUT: &[u8] = b"refute ok\n";
const ARGS: &[&str] = &["prog", "--flag"];

struct Fixture {
    wasm: Vec<u8>,
    args: Vec<u8>,
    trace: Recorded,
    headers: Vec<Vec<u8>>,
    halt: u64,
}

/// The honest run, recorded as the engine runs it for the task the blobs describe.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let wasm = wat::parse_str(PROGRAM).unwrap();
        let module = Module::new(&wasm).unwrap();
        let task = Task {
            args: ARGS.iter().map(|s| s.to_string()).collect(),
            env: Vec::new(),
            stdin: Vec::new(),
            max_steps: 1_000_000,
            ..Task::default()
        };
        let mut run = Run::new(&module, &task, &Entry::Start).unwrap();
        let m = &mut run.machine;
        let mut h = Hasher::new(m);
        let (mut roots, mut proofs, mut headers) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..100_000 {
            let header = h.header(m);
            roots.push(B32(header.root()));
            headers.push(header.encode().to_vec());
            proofs.push(prove_step(m, &mut h).unwrap().encode());
            if m.status() != Status::Running {
                break;
            }
            let next = m.steps() + 1;
            h.run(m, next);
        }
        assert_ne!(m.status(), Status::Running, "the program did not halt");
        let halt = roots.len() as u64 - 1;
        let mut args = Vec::new();
        for a in ARGS {
            args.extend_from_slice(a.as_bytes());
            args.push(0);
        }
        Fixture { wasm, args, trace: Recorded { roots, proofs }, headers, halt }
    })
}

/// The claimed step limit: a few steps past the halt, so the trace is padded.
fn total() -> u64 {
    fixture().halt + 13
}

/// A trace that agrees with the honest one before step `from` and lies from
/// there on; at and after `end` it shows `end_root` if given.
struct Liar {
    from: u64,
    salt: u8,
    end: u64,
    end_root: Option<B32>,
}

impl Trace for Liar {
    fn root(&self, step: u64) -> B32 {
        let base = &fixture().trace;
        match self.end_root {
            Some(r) if step >= self.end => r,
            _ if step >= self.from => B32::sha256(&[&[self.salt], &base.root(step).0]),
            _ => base.root(step),
        }
    }
    fn step_proof(&self, step: u64) -> Vec<u8> {
        fixture().trace.step_proof(step)
    }
}

struct BlobIds {
    module: B32,
    args: B32,
    env: B32,
    stdin: B32,
}

fn honest_claim(ids: &BlobIds, max_leaves: u64, bond: u64) -> ClaimBody {
    let f = fixture();
    let t = total();
    ClaimBody {
        module: ids.module,
        args: ids.args,
        env: ids.env,
        stdin: ids.stdin,
        entry: "_start".into(),
        entry_args: Vec::new(),
        max_steps: t,
        initial_root: f.trace.root(0),
        final_root: f.trace.root(t),
        final_header: Blob(f.headers[t.min(f.halt) as usize].clone()),
        stdout: Blob(STDOUT.to_vec()),
        history_root: history_root(&f.trace, t, max_leaves),
        bond,
        job: None,
        dirs: None,
        outputs: None,
    }
}

/// A false claim: the final header's status rewritten to `exited(7)` (stdout
/// unchanged, so the header stays consistent), with a commitment that lies
/// from step `from` on.
fn lying_claim(ids: &BlobIds, max_leaves: u64, bond: u64, from: u64) -> (ClaimBody, Liar) {
    let mut body = honest_claim(ids, max_leaves, bond);
    let bytes = <&[u8; HEADER_BYTES]>::try_from(&body.final_header.0[..]).unwrap();
    let mut h = Header::decode(bytes).unwrap();
    assert_eq!(h.stdout_len, STDOUT.len() as u64, "the program's stdout");
    h.status = 3 | 7 << 8;
    let header = h.encode().to_vec();
    let fake = B32::sha256(&[&header[..refute_engine::state::HOT_BYTES]]);
    let liar = Liar { from, salt: 1, end: body.max_steps, end_root: Some(fake) };
    body.final_header = Blob(header);
    body.final_root = fake;
    body.history_root = history_root(&liar, body.max_steps, max_leaves);
    (body, liar)
}

// ---------------------------------------------------------------------------
// Randomness, reproducible from a printed seed.

struct Rng(u64);

impl Rng {
    fn from_env(test: &str) -> Rng {
        let seed =
            std::env::var("REFUTE_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
            });
        eprintln!("{test}: REFUTE_CRASH_SEED={seed}");
        Rng(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
}

// ---------------------------------------------------------------------------
// The server process.

const EXE: &str = env!("CARGO_BIN_EXE_refute");

/// A running `refute arbiter serve`; killed (SIGKILL) when dropped, so a
/// panicking test leaves no process behind.
struct Server {
    dir: PathBuf,
    flags: Vec<String>,
    child: Arc<Mutex<Option<Child>>>,
    base: String,
    agent: ureq::Agent,
    starts: u32,
    /// The arbiter's genesis hash, the same across restarts: messages are signed for it.
    genesis: B32,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

impl Server {
    fn start(dir: &Path, window_ms: u64, clock_ms: u64) -> Server {
        let flags = [
            "--window-ms",
            &window_ms.to_string(),
            "--clock-ms",
            &clock_ms.to_string(),
            "--k",
            "4",
            "--max-leaves",
            "5",
        ]
        .map(String::from)
        .to_vec();
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        let mut s = Server {
            dir: dir.to_path_buf(),
            flags,
            child: Arc::new(Mutex::new(None)),
            base: String::new(),
            agent,
            starts: 0,
            genesis: B32::default(),
        };
        s.spawn();
        s.genesis = serde_json::from_value(s.get("/v1/status").1["genesis"].clone()).expect("a genesis hash");
        s
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// Starts the process and waits (at most 60 s) for its address on stdout.
    fn spawn(&mut self) {
        assert!(self.child.lock().unwrap().is_none(), "a server is already running");
        let log =
            std::fs::File::options().create(true).append(true).open(self.dir.join("server.log")).unwrap();
        let started = Instant::now();
        let mut child = Command::new(EXE)
            .args(["arbiter", "serve", "--data-dir"])
            .arg(self.data_dir())
            .args(["--listen", "127.0.0.1:0"])
            .args(&self.flags)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start refute arbiter serve");
        let stdout = child.stdout.take().unwrap();
        *self.child.lock().unwrap() = Some(child);
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("listening on ") {
                    let _ = tx.send(addr.to_string());
                }
            }
        });
        let addr = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| {
            panic!("the arbiter did not print its address within 60 s; its log:\n{}", self.log_tail())
        });
        assert!(addr.starts_with("http://127.0.0.1:"), "{addr}");
        self.base = addr;
        self.starts += 1;
        eprintln!("  arbiter started at {} in {:?} (start #{})", self.base, started.elapsed(), self.starts);
    }

    /// SIGKILL and reap.
    fn kill(&self) {
        kill_child(&self.child);
    }

    /// A thread that kills the server after `delay`.
    fn kill_after(&self, delay: Duration) -> JoinHandle<()> {
        let child = self.child.clone();
        std::thread::spawn(move || {
            std::thread::sleep(delay);
            kill_child(&child);
        })
    }

    fn log_tail(&self) -> String {
        let s = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
        let lines: Vec<&str> = s.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    fn get(&self, path: &str) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let mut r =
            self.agent.get(&url).call().unwrap_or_else(|e| panic!("GET {url}: {e}\n{}", self.log_tail()));
        let status = r.status().as_u16();
        let body = r.body_mut().read_to_string().unwrap();
        (status, serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {url}: {e}: {body}")))
    }

    fn get_ok<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let (status, v) = self.get(path);
        assert_eq!(status, 200, "GET {path}: {v}");
        serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("GET {path}: {e}: {v}"))
    }

    /// Posts `body`; `Err` if the connection failed (the server died).
    fn post(&self, path: &str, body: Vec<u8>, json: bool) -> Result<(u16, Value), ureq::Error> {
        let url = format!("{}{path}", self.base);
        let ct = if json { "application/json" } else { "application/octet-stream" };
        let mut r = self.agent.post(&url).header("content-type", ct).send(&body[..])?;
        let status = r.status().as_u16();
        let text = r.body_mut().read_to_string()?;
        Ok((status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("POST {url}: {e}: {text}"))))
    }

    /// Uploads `bytes`, signed by `key`.
    fn put_blob(&self, key: &SigningKey, bytes: &[u8]) -> B32 {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis();
        let statement = BlobUpload::sign(&self.genesis, key, bytes, now as u64 + 60_000);
        let url = format!("{}/v1/blobs", self.base);
        let mut req = self.agent.post(&url).header("content-type", "application/octet-stream");
        for (name, value) in statement.headers() {
            req = req.header(name, value);
        }
        let mut r = req.send(bytes).expect("upload a blob");
        let (status, v): (u16, Value) =
            (r.status().as_u16(), serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap());
        assert_eq!(status, 201, "{v}");
        let hash = B32::sha256(&[bytes]);
        assert_eq!(v["hash"], Value::String(hash.to_string()), "a blob is addressed by its SHA-256");
        assert_eq!(v["bytes"], bytes.len());
        hash
    }

    fn account(&self, key: &B32) -> Value {
        self.get_ok(&format!("/v1/accounts/{key}"))
    }

    fn game(&self, id: u64) -> Game {
        self.get_ok(&format!("/v1/games/{id}"))
    }

    fn claim(&self, id: &B32) -> Claim {
        self.get_ok(&format!("/v1/claims/{id}"))
    }

    /// Every log entry, in order, with its decoded record.
    fn log(&self) -> Vec<Value> {
        let mut out: Vec<Value> = Vec::new();
        for _ in 0..1000 {
            let (status, v) = self.get(&format!("/v1/log?from={}&limit=1000", out.len()));
            assert_eq!(status, 200, "{v}");
            let page = v.as_array().unwrap().clone();
            if page.is_empty() {
                return out;
            }
            for e in &page {
                assert_eq!(e["entry"]["index"], out.len(), "log entries out of order");
                out.push(e.clone());
            }
        }
        panic!("the log does not end");
    }
}

/// Takes the running deadlines out of a game's and a claim's JSON (they
/// move across an outage): the claim's window end and each side's
/// `owes_since`, in that order.
fn deadlines(game: &mut Option<Value>, claim: &mut Option<Value>) -> Vec<u64> {
    let mut out = Vec::new();
    if let Some(c) = claim.as_mut().and_then(|c| c.as_object_mut()) {
        out.extend(c.remove("window_ends").and_then(|v| v.as_u64()));
    }
    if let Some(sides) = game.as_mut().and_then(|g| g["sides"].as_array_mut()) {
        for side in sides {
            out.extend(side.as_object_mut().and_then(|o| o.remove("owes_since")).and_then(|v| v.as_u64()));
        }
    }
    out
}

fn kill_child(child: &Mutex<Option<Child>>) {
    if let Some(mut c) = child.lock().unwrap_or_else(|p| p.into_inner()).take() {
        let _ = c.kill();
        let _ = c.wait();
    }
}

/// `refute log verify --json` on a data directory no server holds.
/// The game's transcript as the server serves it checks offline, with the verdict the server shows.
fn check_transcript(srv: &Server, game: u64) {
    let t: refute_traces::Transcript = srv.get_ok(&format!("/v1/games/{game}/transcript"));
    let tl = refute_traces::check(&t, Some(&fixture().wasm));
    assert_eq!(tl.failure, None, "game {game}'s transcript does not check");
    assert_eq!(tl.verdict, Some(srv.game(game).status));
}

fn verify_log(data_dir: &Path) -> Value {
    let o = Command::new(EXE).args(["log", "verify", "--json", "--data-dir"]).arg(data_dir).output().unwrap();
    let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "refute log verify failed ({:?}):\n{out}\n{err}", o.status);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("log verify --json: {e}: {out}"))
}

// ---------------------------------------------------------------------------
// Players and the crash harness.

struct Player {
    name: &'static str,
    key: SigningKey,
    nonce: u64,
}

impl Player {
    fn new(name: &'static str, seed: u8) -> Player {
        Player { name, key: SigningKey::from_bytes(&[seed; 32]), nonce: 0 }
    }
    fn pk(&self) -> B32 {
        B32(self.key.verifying_key().to_bytes())
    }
}

/// The server plus what it has acknowledged, and the crash schedule.
struct Harness {
    srv: Server,
    rng: Rng,
    /// Every acknowledged message: its log index and the message.
    acked: Vec<(u64, Signed)>,
    /// Crashes left to inject.
    crashes_left: u32,
    /// Percent chance, per message, of a kill racing it.
    racing_pct: u64,
    /// Percent chance, per game round, of a kill between messages.
    quiet_pct: u64,
    lost_answers: u32,
    lost_committed: u32,
    kills: u32,
    verifies: u32,
}

impl Harness {
    fn new(srv: Server, rng: Rng, crashes: u32) -> Harness {
        Harness {
            srv,
            rng,
            acked: Vec::new(),
            crashes_left: crashes,
            racing_pct: 25,
            quiet_pct: 20,
            lost_answers: 0,
            lost_committed: 0,
            kills: 0,
            verifies: 0,
        }
    }

    /// Signs `msg` with `p`'s next nonce and sends it until it is durable,
    /// possibly with a kill racing it. Returns the answer (`{index, ticked, events}`)
    /// or, if the answer was lost and the message turned out to be committed, `Null`.
    fn send(&mut self, p: &mut Player, msg: Message) -> Value {
        let signed = msg.sign(&self.srv.genesis, &p.key, p.nonce);
        let killer = (self.crashes_left > 0 && self.rng.chance(self.racing_pct)).then(|| {
            self.crashes_left -= 1;
            self.kills += 1;
            // A synced RocksDB write takes a few ms: kill before, during or after it.
            self.srv.kill_after(Duration::from_micros(self.rng.below(3_000)))
        });
        let body = serde_json::to_vec(&signed).unwrap();
        let r = self.srv.post("/v1/messages", body, true);
        let raced = killer.is_some();
        if let Some(k) = killer {
            k.join().unwrap();
        }
        let answer = match r {
            Ok((200, v)) => {
                let index = v["index"].as_u64().unwrap_or_else(|| panic!("no index for a message: {v}"));
                self.acked.push((index, signed.clone()));
                p.nonce += 1;
                Some(v)
            }
            Ok((status, v)) => panic!("{}'s {:?} refused: {status} {v}", p.name, kind(&signed.body)),
            Err(e) => {
                assert!(raced, "POST failed with no kill: {e}\n{}", self.srv.log_tail());
                None
            }
        };
        if raced {
            self.srv.spawn();
            self.check_durable(&[]);
        }
        if let Some(v) = answer {
            return v;
        }
        // The answer was lost: the message is committed whole or not at all.
        self.lost_answers += 1;
        let server_nonce = self.srv.account(&p.pk())["nonce"].as_u64().unwrap();
        assert!(
            server_nonce == p.nonce || server_nonce == p.nonce + 1,
            "{}: nonce {server_nonce} after a lost answer to nonce {}",
            p.name,
            p.nonce
        );
        // Resend the very same message.
        let (status, v) = self
            .srv
            .post("/v1/messages", serde_json::to_vec(&signed).unwrap(), true)
            .expect("resend after restart");
        match (status, v["code"].as_str()) {
            (200, _) => {
                assert_eq!(server_nonce, p.nonce, "a message was accepted twice");
                let index = v["index"].as_u64().unwrap();
                self.acked.push((index, signed.clone()));
                p.nonce += 1;
                v
            }
            (409, Some("bad_nonce")) => {
                assert_eq!(server_nonce, p.nonce + 1, "bad_nonce for a message that was not committed: {v}");
                // It is in the log exactly once.
                let want = serde_json::to_value(&signed).unwrap();
                let at: Vec<u64> = self
                    .srv
                    .log()
                    .iter()
                    .filter(|e| e["record"]["input"]["msg"] == want)
                    .map(|e| e["entry"]["index"].as_u64().unwrap())
                    .collect();
                assert_eq!(at.len(), 1, "a committed message is in the log {} times", at.len());
                self.acked.push((at[0], signed));
                self.lost_committed += 1;
                p.nonce += 1;
                Value::Null
            }
            _ => panic!("{}'s resent {:?}: {status} {v}", p.name, kind(&signed.body)),
        }
    }

    /// Every acknowledged message is at its index in the log, and each
    /// player's nonce is the number of its acknowledged messages.
    fn check_durable(&self, players: &[&Player]) {
        // The status first: a tick may add an entry between the two reads.
        let status: Value = self.srv.get_ok("/v1/status");
        let log = self.srv.log();
        let next = status["log"]["next"].as_u64().unwrap();
        assert!(log.len() as u64 >= next, "/v1/status says {next} entries, /v1/log has {}", log.len());
        for (index, signed) in &self.acked {
            let e = log.get(*index as usize).unwrap_or_else(|| {
                panic!("acknowledged entry {index} is gone: the log has {} entries", log.len())
            });
            assert_eq!(
                e["record"]["input"]["msg"],
                serde_json::to_value(signed).unwrap(),
                "entry {index} is not the message acknowledged with it"
            );
        }
        for p in players {
            assert_eq!(self.srv.account(&p.pk())["nonce"], p.nonce, "{}'s nonce after a restart", p.name);
        }
    }

    /// Kills the server between messages; the state after the restart must
    /// be the state before, with its running deadlines extended by at most
    /// the outage. Sometimes verifies the dead data directory.
    fn quiet_crash(&mut self, players: &[&Player], game: Option<u64>, claim: Option<B32>) {
        let snap = |srv: &Server| {
            let accounts: Vec<Value> = players.iter().map(|p| srv.account(&p.pk())).collect();
            let g = game.map(|g| srv.get(&format!("/v1/games/{g}")).1);
            let c = claim.map(|c| srv.get(&format!("/v1/claims/{c}")).1);
            (accounts, g, c)
        };
        let mut before = snap(&self.srv);
        let head_before: Value = self.srv.get_ok("/v1/status");
        self.crashes_left -= 1;
        self.kills += 1;
        let down = Instant::now();
        self.srv.kill();
        if self.rng.chance(40) {
            let v = verify_log(&self.srv.data_dir());
            self.verifies += 1;
            assert_eq!(v["entries"], head_before["log"]["next"], "log verify after kill -9: {v}");
        }
        self.srv.spawn();
        let mut after = snap(&self.srv);
        // The outage extends every running deadline by at most its length
        // (`specs/protocol.md` §5.8); everything else is exactly as before.
        let outage = down.elapsed().as_millis() as u64 + 1_000;
        let (b, a) = (deadlines(&mut before.1, &mut before.2), deadlines(&mut after.1, &mut after.2));
        assert_eq!(b.len(), a.len(), "the same deadlines run across a kill -9");
        for (x, y) in b.iter().zip(&a) {
            assert!(
                *y >= *x && *y - *x <= outage,
                "a deadline moved from {x} to {y} across an outage of {outage} ms"
            );
        }
        assert_eq!(before, after, "the state changed across a kill -9 with no message in flight");
        let head_after: Value = self.srv.get_ok("/v1/status");
        // Only a tick that changed something may have been added meanwhile.
        assert!(head_after["log"]["next"].as_u64() >= head_before["log"]["next"].as_u64());
        self.check_durable(players);
    }

    /// Plays game `id` to its end: both sides send `next_move` of their trace.
    /// Returns the number of rounds of the driver loop.
    fn play(
        &mut self,
        params: &Params,
        id: u64,
        sides: [(&mut Player, Role, &dyn Trace); 2],
        claim: B32,
    ) -> u32 {
        let [(p0, r0, t0), (p1, r1, t1)] = sides;
        let mut players = [(p0, r0, t0), (p1, r1, t1)];
        for round in 0..500 {
            if self.srv.game(id).status != GameStatus::Open {
                return round;
            }
            // Only while the game is open: then no tick can change anything.
            if self.crashes_left > 0 && self.rng.chance(self.quiet_pct) {
                let ps: Vec<&Player> = players.iter().map(|(p, _, _)| &**p).collect();
                self.quiet_crash(&ps, Some(id), Some(claim));
            }
            if self.rng.chance(50) {
                players.swap(0, 1);
            }
            for (p, role, trace) in players.iter_mut() {
                let g = self.srv.game(id);
                if let Some(m) = next_move(params, id, &g, *role, *trace) {
                    self.send(p, m);
                }
            }
        }
        panic!("game {id} did not end in 500 rounds");
    }
}

fn kind(m: &Message) -> &'static str {
    refute_challenger::client::kind(m)
}

/// Uploads the claim's blobs, signed by `p` (funded by then).
fn upload(srv: &Server, p: &Player) -> BlobIds {
    let f = fixture();
    BlobIds {
        module: srv.put_blob(&p.key, &f.wasm),
        args: srv.put_blob(&p.key, &f.args),
        env: srv.put_blob(&p.key, b""),
        stdin: srv.put_blob(&p.key, b""),
    }
}

fn balance(srv: &Server, p: &Player) -> u64 {
    srv.account(&p.pk())["balance"].as_u64().unwrap()
}

/// `minted = balances + held + burned`, from `refute log verify --json`, and
/// the balances it re-derives are those the service shows.
fn check_money(v: &Value, accounts: &[(&Player, u64)]) {
    let n = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("no {k} in {v}"));
    assert_eq!(n("minted"), n("balances") + n("held") + n("burned"), "funds are not conserved: {v}");
    let sum: u64 = accounts.iter().map(|(_, b)| b).sum();
    assert_eq!(n("balances"), sum, "log verify's balances differ from the service's: {v}");
}

const MINT: u64 = 100_000;
const CLAIM_BOND: u64 = 5_000;
const CHALLENGE_BOND: u64 = 3_000;

fn report(name: &str, h: &Harness, started: Instant, rounds: u32, moves: u32) {
    eprintln!(
        "{name}: {:?}, {} server starts, {} kills, {} lost answers ({} of them committed), {} verifies of a killed log, {rounds} driver rounds, {moves} game moves, {} acknowledged messages",
        started.elapsed(),
        h.srv.starts,
        h.kills,
        h.lost_answers,
        h.lost_committed,
        h.verifies,
        h.acked.len()
    );
}

// ---------------------------------------------------------------------------
// The scenarios.

/// A lying solver against an honest challenger, with the server killed at
/// random moments: the challenger wins, the claim is rejected, the money moves
/// as §5.7 says, every acknowledged move survives every crash.
/// Several runs, each on a fresh data directory, with its own lie and crash schedule.
#[test]
fn a_lying_solver_loses_across_crashes() {
    let mut rng = Rng::from_env("a_lying_solver_loses_across_crashes");
    for run in 0..4 {
        lying_solver(run, Rng(rng.next()));
    }
}

fn lying_solver(run: u32, mut rng: Rng) {
    let started = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let f = fixture();
    let t = total();
    let from = 1 + rng.below(t);
    let srv = Server::start(tmp.path(), 600_000, 120_000);
    let params: Params = srv.get_ok("/v1/params");
    assert_eq!((params.k, params.max_leaves, params.clock_ms), (4, 5, 120_000));
    let mut h = Harness::new(srv, rng, 24);
    let (mut solver, mut challenger) = (Player::new("solver", 11), Player::new("challenger", 12));

    for p in [&mut solver, &mut challenger] {
        let to = p.pk();
        h.send(p, Message::Mint { to, amount: MINT });
    }
    let ids = upload(&h.srv, &solver);
    let (body, liar) = lying_claim(&ids, params.max_leaves, CLAIM_BOND, from);
    let id = claim_id(&solver.pk(), solver.nonce);
    h.send(&mut solver, Message::Claim(Box::new(body)));
    let c = h.srv.claim(&id);
    assert_eq!(c.status, ClaimStatus::Open);
    assert_eq!(c.body.initial_root, f.trace.root(0), "the service's initial root");
    let m = challenge(&params, id, &c, &f.trace, CHALLENGE_BOND).expect("the honest challenger disagrees");
    h.send(&mut challenger, m);
    let game = *h.srv.claim(&id).games.get(&challenger.pk()).expect("a game against the challenger");
    assert_eq!(balance(&h.srv, &solver), MINT - CLAIM_BOND);

    let rounds = h.play(
        &params,
        game,
        [(&mut solver, Role::Solver, &liar as &dyn Trace), (&mut challenger, Role::Challenger, &f.trace)],
        id,
    );
    let g = h.srv.game(game);
    assert_eq!(g.status, GameStatus::Won(Role::Challenger), "lying from step {from}: {g:?}");
    let bound = 2 * dispute_rounds(t, params.k, params.max_leaves) + 1;
    assert!(g.moves <= bound, "{} moves, above the bound {bound}", g.moves);
    assert!(g.moves >= 3, "{} moves: too few for several rounds", g.moves);
    assert_eq!(h.srv.claim(&id).status, ClaimStatus::Rejected);

    // One more crash after the end: nothing changes.
    h.crashes_left = h.crashes_left.max(1);
    h.quiet_crash(&[&solver, &challenger], Some(game), Some(id));
    h.check_durable(&[&solver, &challenger]);
    let share = params.share(CLAIM_BOND);
    assert_eq!(balance(&h.srv, &solver), MINT - CLAIM_BOND);
    assert_eq!(balance(&h.srv, &challenger), MINT + share, "the winner's bond comes back, plus the share");
    let rep = &h.srv.account(&challenger.pk())["reputation"];
    assert_eq!(rep["games_won"], 1, "{rep}");
    assert_eq!(h.srv.account(&solver.pk())["reputation"]["claims_rejected"], 1);
    let (moves, sb, cb) = (g.moves, balance(&h.srv, &solver), balance(&h.srv, &challenger));
    check_transcript(&h.srv, game);
    h.srv.kill();
    let v = verify_log(&h.srv.data_dir());
    check_money(&v, &[(&solver, sb), (&challenger, cb)]);
    assert_eq!(v["minted"], 2 * MINT);
    assert_eq!(v["burned"], CLAIM_BOND - share);
    assert_eq!(v["held"], 0);
    assert_eq!(
        (v["claims"].as_u64(), v["claims_rejected"].as_u64(), v["games_open"].as_u64()),
        (Some(1), Some(1), Some(0))
    );
    report(
        &format!("a_lying_solver_loses_across_crashes, run {run} (lie from step {from} of {t})"),
        &h,
        started,
        rounds,
        moves,
    );
}

/// An honest solver against a lying challenger, with crashes: the solver wins
/// the game, and its claim becomes final once the window has passed.
#[test]
fn an_honest_solver_wins_and_its_claim_becomes_final_across_crashes() {
    let started = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng::from_env("an_honest_solver_wins_and_its_claim_becomes_final_across_crashes");
    let f = fixture();
    let t = total();
    // From step 1 on: a story that differs at step 0 starts elsewhere, and
    // `challenge` rightly refuses to dispute another computation (seed
    // 1796414567866609819 drew 0).
    let from = 1 + rng.below(t);
    const WINDOW: u64 = 4_000;
    let srv = Server::start(tmp.path(), WINDOW, 120_000);
    let params: Params = srv.get_ok("/v1/params");
    let mut h = Harness::new(srv, rng, 16);
    let (mut solver, mut challenger) = (Player::new("solver", 21), Player::new("challenger", 22));
    for p in [&mut solver, &mut challenger] {
        let to = p.pk();
        h.send(p, Message::Mint { to, amount: MINT });
    }
    let ids = upload(&h.srv, &solver);
    // No crash between the claim and the challenge: the window is short.
    let crashes = std::mem::replace(&mut h.crashes_left, 0);
    let id = claim_id(&solver.pk(), solver.nonce);
    h.send(&mut solver, Message::Claim(Box::new(honest_claim(&ids, params.max_leaves, CLAIM_BOND))));
    let liar = Liar { from, salt: 2, end: u64::MAX, end_root: None };
    let c = h.srv.claim(&id);
    let m = challenge(&params, id, &c, &liar, CHALLENGE_BOND).expect("the liar disagrees");
    h.send(&mut challenger, m);
    h.crashes_left = crashes;
    let game = *h.srv.claim(&id).games.get(&challenger.pk()).unwrap();

    let rounds = h.play(
        &params,
        game,
        [(&mut solver, Role::Solver, &f.trace as &dyn Trace), (&mut challenger, Role::Challenger, &liar)],
        id,
    );
    let g = h.srv.game(game);
    assert_eq!(g.status, GameStatus::Won(Role::Solver), "the challenger lied from step {from}: {g:?}");
    let claim = h.srv.claim(&id);
    assert_ne!(claim.status, ClaimStatus::Rejected);

    // Crash once more, stay down past the window, and the restarted ticker finalises the claim.
    h.srv.kill();
    let wait = claim.window_ends.saturating_sub(wall_ms()) + 200;
    std::thread::sleep(Duration::from_millis(wait.min(WINDOW + 1_000)));
    h.srv.spawn();
    h.check_durable(&[&solver, &challenger]);
    wait_final(&h.srv, &id);
    let share = params.share(CHALLENGE_BOND);
    assert_eq!(balance(&h.srv, &solver), MINT + share, "the solver's bond comes back, plus the share");
    assert_eq!(balance(&h.srv, &challenger), MINT - CHALLENGE_BOND);
    let (moves, sb, cb) = (g.moves, balance(&h.srv, &solver), balance(&h.srv, &challenger));
    check_transcript(&h.srv, game);
    h.srv.kill();
    let v = verify_log(&h.srv.data_dir());
    check_money(&v, &[(&solver, sb), (&challenger, cb)]);
    assert_eq!(v["burned"], CHALLENGE_BOND - share);
    assert_eq!(v["held"], 0);
    assert_eq!(v["claims_final"], 1);
    report("an_honest_solver_wins_and_its_claim_becomes_final_across_crashes", &h, started, rounds, moves);
}

/// A claim nobody challenges becomes final after the window, even though
/// the arbiter was down when the window closed.
#[test]
fn an_unchallenged_claim_becomes_final_after_a_crash() {
    let started = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let rng = Rng::from_env("an_unchallenged_claim_becomes_final_after_a_crash");
    const WINDOW: u64 = 1_500;
    let srv = Server::start(tmp.path(), WINDOW, 60_000);
    let params: Params = srv.get_ok("/v1/params");
    let mut h = Harness::new(srv, rng, 0);
    let mut solver = Player::new("solver", 31);
    let to = solver.pk();
    h.send(&mut solver, Message::Mint { to, amount: MINT });
    let ids = upload(&h.srv, &solver);
    let id = claim_id(&solver.pk(), solver.nonce);
    let a = h.send(&mut solver, Message::Claim(Box::new(honest_claim(&ids, params.max_leaves, CLAIM_BOND))));
    assert!(a["events"].to_string().contains("claim_posted"), "{a}");
    let c = h.srv.claim(&id);
    assert_eq!(c.window_ends - c.posted_at, WINDOW);
    assert_eq!(balance(&h.srv, &solver), MINT - CLAIM_BOND);
    h.srv.kill();
    std::thread::sleep(Duration::from_millis(WINDOW + 300));
    h.srv.spawn();
    h.check_durable(&[&solver]);
    wait_final(&h.srv, &id);
    assert_eq!(balance(&h.srv, &solver), MINT);
    assert_eq!(h.srv.account(&solver.pk())["reputation"]["claims_final"], 1);
    h.srv.kill();
    let v = verify_log(&h.srv.data_dir());
    check_money(&v, &[(&solver, MINT)]);
    assert_eq!(
        (v["held"].as_u64(), v["burned"].as_u64(), v["claims_final"].as_u64()),
        (Some(0), Some(0), Some(1))
    );
    report("an_unchallenged_claim_becomes_final_after_a_crash", &h, started, 0, 0);
}

fn wall_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64
}

/// Polls until claim `id` is final (the ticker runs every 500 ms); at most 10 s.
fn wait_final(srv: &Server, id: &B32) {
    for _ in 0..100 {
        if srv.claim(id).status == ClaimStatus::Final {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("claim {id} did not become final within 10 s: {:?}\n{}", srv.claim(id), srv.log_tail());
}

// ---------------------------------------------------------------------------
// Spec deviations found while writing the above, fixed since: kept as regression tests.

/// `specs/api.md` §4: a body that is not a message is `400 bad_json`. Valid
/// JSON of the wrong shape is answered `422 bad_json` (axum's `JsonDataError`
/// status, passed through by `post_message` in `arbiter/src/service/http.rs`),
/// and a body without `content-type: application/json` `415 bad_json`.
#[test]
fn a_body_that_is_not_a_message_is_400_bad_json() {
    let tmp = tempfile::tempdir().unwrap();
    let srv = Server::start(tmp.path(), 600_000, 60_000);
    let mut seen = Vec::new();
    for (body, json) in
        [(&b"{\"body\": 3"[..], true), (b"{\"hello\": 1}", true), (b"[]", true), (b"{}", false)]
    {
        let (status, v) = srv.post("/v1/messages", body.to_vec(), json).unwrap();
        seen.push((String::from_utf8_lossy(body).to_string(), status, v["code"].clone()));
    }
    for (body, status, code) in &seen {
        assert_eq!((*status, code.as_str()), (400, Some("bad_json")), "{body}: {seen:?}");
    }
}

/// `specs/api.md` §4: `rate_limited` is for more than `rate_per_account`
/// messages per second *from one account*. `Service::submit`
/// (`arbiter/src/service/mod.rs`) charges the bucket of `msg.signer` before
/// the signature is checked, so anyone can exhaust a victim's bucket with
/// forged messages naming it, and the victim's own signed message is then
/// refused with 429: an opponent can keep an honest player from moving.
#[test]
fn forged_messages_do_not_rate_limit_their_named_signer() {
    let tmp = tempfile::tempdir().unwrap();
    let srv = Arc::new(Server::start(tmp.path(), 600_000, 60_000));
    let victim = Player::new("victim", 41);
    let to = victim.pk();
    // A forged mint: the victim's key, another key's signature.
    let mut forged = Message::Mint { to, amount: 1 }.sign(&srv.genesis, &Player::new("forger", 42).key, 0);
    forged.signer = victim.pk();
    let body = serde_json::to_vec(&forged).unwrap();
    let limited = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let deadline = Instant::now() + Duration::from_secs(5);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (srv, body, limited) = (srv.clone(), body.clone(), limited.clone());
            std::thread::spawn(move || {
                for _ in 0..20_000 {
                    if Instant::now() > deadline || limited.load(std::sync::atomic::Ordering::Relaxed) {
                        return;
                    }
                    let (status, v) = srv.post("/v1/messages", body.clone(), true).unwrap();
                    match v["code"].as_str() {
                        Some("bad_signature") => assert_eq!(status, 401),
                        Some("rate_limited") => limited.store(true, std::sync::atomic::Ordering::Relaxed),
                        _ => panic!("{status} {v}"),
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert!(
        !limited.load(std::sync::atomic::Ordering::Relaxed),
        "forged messages naming the victim were answered rate_limited, so they drained its bucket"
    );
    let real = Message::Mint { to, amount: 1 }.sign(&srv.genesis, &victim.key, 0);
    let (status, v) = srv.post("/v1/messages", serde_json::to_vec(&real).unwrap(), true).unwrap();
    assert_eq!(status, 200, "the victim's own message, after forged ones named it: {v}");
}
