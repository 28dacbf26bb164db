//! A local network for end-to-end tests: a real `refute arbiter serve`
//! process on 127.0.0.1 with RocksDB in a temporary directory, and the
//! `refute` processes started on it. Every process is killed when the
//! `Net` is dropped. Included with `#[path = "common/net.rs"]`.
#![allow(dead_code)] // each test binary uses a different part

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const EXE: &str = env!("CARGO_BIN_EXE_refute");

/// The workload: `sort 10` writes its input and the sorted numbers.
pub fn sort_wasm() -> PathBuf {
    refute::workloads::wasm("sort").expect("the sort workload builds")
}

/// A local network: one arbiter process and the bots started on it.
pub struct Net {
    pub dir: tempfile::TempDir,
    pub url: String,
    pub arbiter: Child,
    pub bots: Vec<(String, Child)>,
    pub agent: ureq::Agent,
}

/// Starts `refute arbiter serve` on `dir/arbiter`, listening on `listen`,
/// logging to `dir/arbiter.log`; waits (at most 60 s) for its address.
fn spawn_arbiter(dir: &std::path::Path, listen: &str, flags: &[&str]) -> (Child, String) {
    let log = std::fs::File::options().create(true).append(true).open(dir.join("arbiter.log")).unwrap();
    let mut arbiter = Command::new(EXE)
        .args(["arbiter", "serve", "--listen", listen, "--data-dir"])
        .arg(dir.join("arbiter"))
        .args(flags)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("start refute arbiter serve");
    let stdout = arbiter.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(addr) = line.strip_prefix("listening on ") {
                let _ = tx.send(addr.to_string());
            }
        }
    });
    let url = rx.recv_timeout(Duration::from_secs(60)).expect("the arbiter prints its address within 60 s");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    (arbiter, url)
}

impl Drop for Net {
    fn drop(&mut self) {
        for (_, c) in &mut self.bots {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = self.arbiter.kill();
        let _ = self.arbiter.wait();
    }
}

impl Net {
    /// Starts an arbiter with these game flags and waits (at most 60 s) for its address.
    pub fn start(flags: &[&str]) -> Net {
        let dir = tempfile::tempdir().unwrap();
        let (arbiter, url) = spawn_arbiter(dir.path(), "127.0.0.1:0", flags);
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Net { dir, url, arbiter, bots: Vec::new(), agent }
    }

    /// Stops the arbiter with SIGTERM (a clean shutdown) and waits for it.
    pub fn stop_arbiter(&mut self) {
        let pid = self.arbiter.id().to_string();
        let ok = Command::new("kill").args(["-TERM", &pid]).status().unwrap().success();
        assert!(ok, "kill -TERM {pid}");
        let until = Instant::now() + Duration::from_secs(60);
        while self.arbiter.try_wait().unwrap().is_none() {
            assert!(Instant::now() < until, "the arbiter did not stop within 60 s of SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Starts the arbiter again on its data directory and address (after
    /// [`Net::stop_arbiter`] or a kill), with these flags.
    pub fn restart_arbiter(&mut self, flags: &[&str]) {
        let _ = self.arbiter.kill();
        let _ = self.arbiter.wait();
        let addr = self.url.trim_start_matches("http://").to_string();
        let (arbiter, url) = spawn_arbiter(self.dir.path(), &addr, flags);
        assert_eq!(url, self.url, "the arbiter came back on its address");
        self.arbiter = arbiter;
    }

    /// Posts a signed message; returns the status and the JSON answer.
    pub fn post_message(&self, msg: &refute_protocol::rules::Signed) -> (u16, Value) {
        let url = format!("{}/v1/messages", self.url);
        let body = serde_json::to_vec(msg).unwrap();
        let mut r = self
            .agent
            .post(&url)
            .header("content-type", "application/json")
            .send(&body[..])
            .unwrap_or_else(|e| panic!("POST {url}: {e}"));
        let status = r.status().as_u16();
        let body = r.body_mut().read_to_string().unwrap();
        (status, serde_json::from_str(&body).unwrap_or_else(|e| panic!("POST {url}: {e}: {body}")))
    }

    /// Uploads a blob signed by `key` (which must be funded), valid for a
    /// minute; returns its hash.
    pub fn put_blob(&self, key: &ed25519_dalek::SigningKey, bytes: &[u8]) -> refute_protocol::rules::B32 {
        let expires = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis();
        let statement =
            refute_protocol::rules::BlobUpload::sign(&self.genesis(), key, bytes, expires as u64 + 60_000);
        let url = format!("{}/v1/blobs", self.url);
        let mut req = self.agent.post(&url);
        for (name, value) in statement.headers() {
            req = req.header(name, value);
        }
        let mut r = req.send(bytes).unwrap_or_else(|e| panic!("POST {url}: {e}"));
        let v: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        assert_eq!(r.status().as_u16(), 201, "{v}");
        serde_json::from_value(v["hash"].clone()).unwrap()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn get(&self, path: &str) -> Value {
        let url = format!("{}{path}", self.url);
        let mut r = self.agent.get(&url).call().unwrap_or_else(|e| panic!("GET {url}: {e}"));
        let body = r.body_mut().read_to_string().unwrap();
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {url}: {e}: {body}"))
    }

    /// `GET path`: the status and the body's bytes (of any length: a blob
    /// may be up to 256 MiB).
    #[allow(dead_code)]
    pub fn get_bytes(&self, path: &str) -> (u16, Vec<u8>) {
        let url = format!("{}{path}", self.url);
        let mut r = self.agent.get(&url).call().unwrap_or_else(|e| panic!("GET {url}: {e}"));
        let status = r.status().as_u16();
        (status, r.body_mut().with_config().limit(u64::MAX).read_to_vec().unwrap())
    }

    /// The arbiter's genesis hash (`GET /v1/status`): what messages to it are signed for.
    pub fn genesis(&self) -> refute_protocol::rules::B32 {
        serde_json::from_value(self.get("/v1/status")["genesis"].clone())
            .expect("the status has a genesis hash")
    }

    /// A `refute` command on this network.
    pub fn refute(&self) -> Command {
        let mut c = Command::new(EXE);
        c.env("REFUTE_ARBITER", &self.url).env("RUST_LOG", "info").stdin(Stdio::null());
        c
    }

    /// Creates the key `name` and gives it `amount` from the faucet; returns its public key.
    pub fn player(&self, name: &str, amount: u64) -> String {
        let key = self.path(&format!("{name}.key"));
        let out = self.refute().args(["keys", "new", "--key"]).arg(&key).output().unwrap();
        assert!(out.status.success(), "keys new: {}", String::from_utf8_lossy(&out.stderr));
        let pk = String::from_utf8(out.stdout).unwrap().trim().to_string();
        assert_eq!(pk.len(), 64, "{pk}");
        let out = self
            .refute()
            .args(["account", "--json", "--mint", &amount.to_string(), "--key"])
            .arg(&key)
            .output()
            .unwrap();
        assert!(out.status.success(), "account --mint: {}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["account"]["balance"], amount);
        pk
    }

    /// Starts a bot process `refute ARGS --key NAME.key --data-dir NAME.bot`,
    /// logging to NAME.log; returns its index in `bots`.
    pub fn spawn(&mut self, name: &str, args: &[&str]) -> usize {
        self.spawn_env(name, args, &[])
    }

    /// As [`Net::spawn`], with extra environment variables.
    pub fn spawn_env(&mut self, name: &str, args: &[&str], env: &[(&str, &str)]) -> usize {
        let log = std::fs::File::options()
            .create(true)
            .append(true)
            .open(self.path(&format!("{name}.log")))
            .unwrap();
        let out = std::fs::File::create(self.path(&format!("{name}.out"))).unwrap();
        let child = self
            .refute()
            .args(args)
            .arg("--key")
            .arg(self.path(&format!("{name}.key")))
            .arg("--data-dir")
            .arg(self.path(&format!("{name}.bot")))
            .envs(env.iter().copied())
            .stdout(out)
            .stderr(log)
            .spawn()
            .unwrap();
        self.bots.push((name.to_string(), child));
        self.bots.len() - 1
    }

    /// SIGKILL a bot and reap it.
    pub fn kill(&mut self, i: usize) {
        let c = &mut self.bots[i].1;
        c.kill().unwrap();
        c.wait().unwrap();
    }

    /// Waits (at most `secs`) for bot `i` to exit.
    pub fn wait_exit(&mut self, i: usize, secs: u64) -> ExitStatus {
        let until = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(s) = self.bots[i].1.try_wait().unwrap() {
                return s;
            }
            if Instant::now() > until {
                let name = self.bots[i].0.clone();
                panic!("{name} did not exit within {secs} s; its log:\n{}", self.log(&name));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn log(&self, name: &str) -> String {
        let s = std::fs::read_to_string(self.path(&format!("{name}.log"))).unwrap_or_default();
        let lines: Vec<&str> = s.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    pub fn out(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(&format!("{name}.out"))).unwrap_or_default()
    }

    /// Waits (at most `secs`) until `f` holds.
    pub fn wait_for(&self, what: &str, secs: u64, mut f: impl FnMut(&Net) -> bool) {
        let until = Instant::now() + Duration::from_secs(secs);
        while !f(self) {
            assert!(Instant::now() < until, "timed out after {secs} s waiting for {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Every claim, page after page.
    pub fn claims(&self) -> Vec<Value> {
        self.pages("/v1/claims?", |c| c["id"].as_str().unwrap().to_string())
    }

    /// Every game, page after page.
    pub fn games(&self) -> Vec<Value> {
        self.pages("/v1/games?", |g| g["id"].to_string())
    }

    /// Every page of the list at `path` (ending in `?` or `&`).
    pub fn pages(&self, path: &str, id: impl Fn(&Value) -> String) -> Vec<Value> {
        let mut all = self.get(path).as_array().unwrap().clone();
        let mut last = all.len();
        while last > 0 {
            let after = id(all.last().unwrap());
            let page = self.get(&format!("{path}after={after}")).as_array().unwrap().clone();
            last = page.len();
            all.extend(page);
        }
        all
    }

    pub fn balance(&self, pk: &str) -> u64 {
        self.get(&format!("/v1/accounts/{pk}"))["balance"].as_u64().unwrap()
    }

    /// `refute log verify` over the arbiter's data (which it may hold open: RocksDB
    /// refuses a second opener, so stop the arbiter first).
    pub fn verify_log(&mut self) -> Value {
        let _ = self.arbiter.kill();
        let _ = self.arbiter.wait();
        let out = Command::new(EXE)
            .args(["log", "verify", "--json", "--data-dir"])
            .arg(self.path("arbiter"))
            .output()
            .unwrap();
        assert!(out.status.success(), "log verify: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }
}
