//! The arbiter as a service: the rules behind a durable, signed log and an
//! HTTP API (`specs/api.md`).
//!
//! - [`core`]: the rules, the chain and RocksDB, applied in batches with one
//!   synced write per batch; the state is rebuilt from the log on start.
//! - A writer thread owns the batching: HTTP handlers queue requests and
//!   wait for the batch that carries theirs to be on disk.
//! - [`http`]: the axum router.
//! - [`blobs`]: signed, funded, metered uploads, streamed and hashed on the
//!   blocking pool.
//! - [`notes`]: claim-time work (a claim's initial root) in a bounded pool,
//!   charged to the sender when the claim is refused.

mod blobs;
pub mod core;
mod error;
mod notes;

pub(crate) use self::blobs::too_large;
pub use self::blobs::{BLOB_BURST_PER_KEY, BLOB_BYTES_PER_KEY, BLOBS_PER_KEY, Incoming};
use self::core::{Accepted, Core, Request};
pub use self::error::{CommitError, OpenError, ServiceError, rule_status};
use self::notes::NotePool;
pub(crate) use self::notes::Task;
pub use self::notes::{FAILED_NOTE_BYTES_PER_SECOND, NOTE_QUEUE, NOTE_WORKERS};
use crate::db::Db;
use refute_protocol::log::{ArbiterKey, Entry};
use refute_protocol::rules::{B32, Claim, Game, Job, Message, Params, RuleError, Signed};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock, mpsc};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::{broadcast, oneshot};

/// How the service is set up.
#[derive(Clone, Debug)]
pub struct Config {
    /// The data directory: `db/` (RocksDB) and `arbiter.key`.
    pub data_dir: PathBuf,
    /// Game parameters for a new database (`arbiter` is replaced by this directory's key).
    pub params: Params,
    /// Signed messages per second each account may send (a burst of twice this is allowed).
    pub rate_per_account: u32,
    /// How long an uploaded blob waits for a claim that refers to it.
    pub blob_ttl_ms: u64,
    /// Requests that write (messages, blobs) per second from one IP address
    /// (a burst of twice this is allowed): keys are free, addresses are not.
    pub rate_per_ip: u32,
    /// Blob bytes per second one key may upload (a token bucket).
    pub blob_bytes_per_key: u64,
    /// Blob bytes one key may upload at once (the bucket's size; never less
    /// than the largest blob).
    pub blob_burst_per_key: u64,
    /// Blobs one key may upload per blob time-to-live (a token bucket of
    /// this size): what bounds the blobs a key has waiting for a claim.
    pub blobs_per_key: u32,
    /// How often time is advanced when no message arrives.
    pub tick_every: Duration,
}

impl Config {
    /// Local defaults in `data_dir` ([`Params::local`]).
    pub fn local(data_dir: &Path) -> Config {
        Config {
            data_dir: data_dir.to_path_buf(),
            params: Params::local(B32([0; 32])),
            rate_per_account: 1000,
            rate_per_ip: 5000,
            blob_ttl_ms: BLOB_TTL_MS,
            blob_bytes_per_key: BLOB_BYTES_PER_KEY,
            blob_burst_per_key: BLOB_BURST_PER_KEY,
            blobs_per_key: BLOBS_PER_KEY,
            tick_every: Duration::from_millis(500),
        }
    }
}

/// A committed log entry, as the event stream sends it: shared by every
/// subscriber, and serialised once for all of them.
#[derive(Debug)]
pub struct Committed {
    /// The entry.
    pub entry: Entry,
    json: std::sync::OnceLock<String>,
}

impl Committed {
    /// The entry and its record as the event stream's JSON, computed once.
    pub fn json(&self, render: impl FnOnce(&Entry) -> String) -> &str {
        self.json.get_or_init(|| render(&self.entry))
    }
}

/// How long an uploaded blob waits for a claim that refers to it before it
/// is deleted (`specs/api.md` §2).
pub const BLOB_TTL_MS: u64 = 10 * 60 * 1000;
/// Blob bytes per second one IP address may upload (the burst is the
/// larger of twice this and the largest blob).
pub const BLOB_BYTES_PER_IP: f64 = 4.0 * 1024.0 * 1024.0;

/// Event-stream subscribers at most; more are answered `busy`.
pub const MAX_SUBSCRIBERS: usize = 256;

/// Moves (reveals and step proofs, whose checks are the costly ones) an
/// account may have refused per second, in bursts of twice this; past it
/// its moves are answered `rate_limited` before any check (security review
/// finding 5e: a refused move costs its sender nothing else).
pub const REFUSED_MOVES_PER_SECOND: f64 = 10.0;

/// Distinct senders (accounts or addresses) whose rate buckets are kept
/// before idle full ones are dropped.
const MAX_BUCKETS: usize = 100_000;

type Reply = oneshot::Sender<Result<Accepted, ServiceError>>;

/// Requests the writer's queue holds at most; beyond it a request is
/// answered `busy` (503 with `Retry-After`) at once instead of waiting.
pub const QUEUE_LIMIT: usize = 8192;

/// Largest message, as JSON, the service accepts: its log entry (with the
/// events, at most `log::MAX_PAYLOAD` = 1 MiB) must fit. Honest moves are
/// far smaller (a step proof is at most about 20 KB).
pub const MAX_LOGGED_MESSAGE: usize = refute_protocol::rules::MAX_MESSAGE_JSON;

/// The running service: shared by the HTTP handlers.
pub struct Service {
    core: Arc<RwLock<Core>>,
    db: Arc<Db>,
    key: ArbiterKey,
    /// The log's genesis hash (the stored parameters'): every message must be signed for it.
    genesis: B32,
    queue: Mutex<Option<mpsc::SyncSender<(Request, u64, Reply)>>>,
    events: broadcast::Sender<Arc<Committed>>,
    subscribers: Arc<AtomicUsize>,
    buckets: Mutex<Buckets<B32>>,
    /// Per-account budget of refused moves ([`REFUSED_MOVES_PER_SECOND`]).
    refusals: Mutex<Buckets<B32>>,
    ip_buckets: Mutex<Buckets<std::net::IpAddr>>,
    blob_buckets: Mutex<Buckets<std::net::IpAddr>>,
    /// Each key's blob bytes and blob count ([`Config::blob_bytes_per_key`], [`Config::blobs_per_key`]).
    key_bytes: Mutex<Buckets<B32>>,
    key_blobs: Mutex<Buckets<B32>>,
    key_quota: blobs::KeyQuota,
    rate: f64,
    ip_rate: f64,
    blob_ttl_ms: u64,
    /// Held while a note loads its blobs and while expired blobs are
    /// deleted, so a claim never refers to a blob deleted under it.
    blob_gc: Mutex<()>,
    notes: NotePool,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// A warning from opening (parameters that differ from the stored ones).
    pub warning: Option<String>,
}

fn clock_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl Service {
    /// Opens (or creates) the arbiter in `config.data_dir` and starts its writer.
    pub fn open(config: &Config) -> Result<Arc<Service>, OpenError> {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|source| OpenError::CreateDir { dir: config.data_dir.clone(), source })?;
        let key = crate::keyfile::load_or_create(&config.data_dir.join("arbiter.key"))?;
        let db = Arc::new(Db::open(&config.data_dir.join("db"))?);
        let mut params = config.params.clone();
        params.arbiter = B32(key.public().to_bytes());
        let (mut core, warning) = Core::open(db.clone(), key.clone(), params)?;
        if let Some(e) = core.resume(clock_ms()).map_err(OpenError::Resume)? {
            let from =
                refute_protocol::record::Record::of(&e).ok().and_then(|r| r.resumed).unwrap_or(e.time_ms);
            tracing::warn!(
                entry = e.index,
                "the arbiter was not serving for {:.1} s: every open window and running clock is extended by that much",
                e.time_ms.saturating_sub(from) as f64 / 1000.0
            );
        }
        let genesis = core.rules.genesis();
        let core = Arc::new(RwLock::new(core));
        let (tx, rx) = mpsc::sync_channel::<(Request, u64, Reply)>(QUEUE_LIMIT);
        let (events, _) = broadcast::channel(4096);
        let writer = {
            let (core, events, db_w) = (core.clone(), events.clone(), db.clone());
            std::thread::Builder::new()
                .name("arbiter-writer".into())
                .spawn(move || write_loop(&core, &db_w, &rx, &events))
                .map_err(OpenError::Writer)?
        };
        Ok(Arc::new(Service {
            core,
            db,
            key,
            genesis,
            queue: Mutex::new(Some(tx)),
            events,
            subscribers: Arc::new(AtomicUsize::new(0)),
            buckets: Mutex::new(Buckets::default()),
            refusals: Mutex::new(Buckets::default()),
            ip_buckets: Mutex::new(Buckets::default()),
            blob_buckets: Mutex::new(Buckets::default()),
            key_bytes: Mutex::new(Buckets::default()),
            key_blobs: Mutex::new(Buckets::default()),
            key_quota: blobs::KeyQuota::of(config),
            rate: config.rate_per_account.max(1) as f64,
            ip_rate: config.rate_per_ip.max(1) as f64,
            blob_ttl_ms: config.blob_ttl_ms,
            blob_gc: Mutex::new(()),
            notes: NotePool::default(),
            writer: Mutex::new(Some(writer)),
            warning,
        }))
    }

    /// The arbiter's public key.
    pub fn arbiter(&self) -> B32 {
        B32(self.key.public().to_bytes())
    }

    /// The genesis hash of the arbiter's log, which binds its key and
    /// parameters: what every message to it is signed for (`specs/protocol.md` §3.1).
    pub fn genesis(&self) -> B32 {
        self.genesis
    }

    /// Reads the state.
    pub fn read<T>(&self, f: impl FnOnce(&Core) -> T) -> T {
        f(&self.core.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// The database (blobs and the log).
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// New committed entries, as they are written, with a guard that counts
    /// the subscriber until dropped; `busy` beyond [`MAX_SUBSCRIBERS`].
    pub fn subscribe(&self) -> Result<(broadcast::Receiver<Arc<Committed>>, Subscriber), ServiceError> {
        if self.subscribers.fetch_add(1, Ordering::SeqCst) >= MAX_SUBSCRIBERS {
            self.subscribers.fetch_sub(1, Ordering::SeqCst);
            return Err(ServiceError::Busy(format!(
                "{MAX_SUBSCRIBERS} clients follow the event stream already"
            )));
        }
        Ok((self.events.subscribe(), Subscriber(self.subscribers.clone())))
    }

    /// Checks the per-account rate limit (a token bucket).
    pub fn admit(&self, who: &B32) -> Result<(), ServiceError> {
        let mut b = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if !b.take(*who, self.rate, 2.0 * self.rate, 1.0) {
            return Err(ServiceError::RateLimited(format!(
                "account {} sends more than {} messages per second",
                who, self.rate
            )));
        }
        Ok(())
    }

    /// Charges `cost` refused moves to `who`'s budget (a token bucket);
    /// whether at least one more may be refused (a cost of 0 only looks).
    fn refusals_left(&self, who: &B32, cost: f64) -> bool {
        let mut b = self.refusals.lock().unwrap_or_else(|p| p.into_inner());
        let r = REFUSED_MOVES_PER_SECOND;
        // An empty bucket stays empty: a refusal past the budget costs no more.
        b.take(*who, r, 2.0 * r, cost);
        b.level(*who, r, 2.0 * r) >= 1.0
    }

    /// Checks the per-address budget of uploaded blob bytes (a token bucket).
    pub fn admit_blob(&self, ip: std::net::IpAddr, bytes: usize) -> Result<(), ServiceError> {
        let mut b = self.blob_buckets.lock().unwrap_or_else(|p| p.into_inner());
        let burst = (2.0 * BLOB_BYTES_PER_IP).max(crate::db::MAX_BLOB as f64);
        if !b.take(ip, BLOB_BYTES_PER_IP, burst, bytes as f64) {
            return Err(ServiceError::RateLimited(format!(
                "address {ip} uploads more than {} MiB of blobs per second",
                BLOB_BYTES_PER_IP / 1048576.0
            )));
        }
        Ok(())
    }

    /// Stores a blob as an upload does, without a statement (for in-process
    /// callers: tests, benchmarks); it is deleted after the blob time-to-live
    /// ([`BLOB_TTL_MS`] by default) unless a claim refers to it by then.
    pub fn put_blob(&self, bytes: &[u8]) -> Result<[u8; 32], ServiceError> {
        let hash = B32::sha256(&[bytes]).0;
        self.store_blob(&hash, bytes)?;
        Ok(hash)
    }

    /// Deletes the blobs uploaded more than the time-to-live ago that no
    /// accepted claim refers to (a claim's entry marks its blobs kept); at
    /// most `max` per call, each O(log n). Returns how many were deleted.
    pub fn collect_blobs(&self, max: usize) -> Result<usize, ServiceError> {
        let due = self
            .db
            .expired_blobs(clock_ms().saturating_sub(self.blob_ttl_ms), max)
            .map_err(ServiceError::storage)?;
        if due.is_empty() {
            return Ok(0);
        }
        let _gc = self.blob_gc.lock().unwrap_or_else(|p| p.into_inner());
        let mut deleted = 0;
        for h in due {
            // A claim's acceptance marks its blobs kept (`Core::process`).
            let kept = [crate::db::BLOB_KEPT, &h[..]].concat();
            let keep = self.db.get_state(&kept).map_err(ServiceError::storage)?.is_some();
            self.db.settle_blob(&h, keep).map_err(ServiceError::storage)?;
            deleted += usize::from(!keep);
        }
        Ok(deleted)
    }

    /// Checks the per-address rate limit of requests that write (a token bucket).
    pub fn admit_ip(&self, ip: std::net::IpAddr) -> Result<(), ServiceError> {
        let mut b = self.ip_buckets.lock().unwrap_or_else(|p| p.into_inner());
        if !b.take(ip, self.ip_rate, 2.0 * self.ip_rate, 1.0) {
            return Err(ServiceError::RateLimited(format!(
                "address {ip} sends more than {} requests per second",
                self.ip_rate
            )));
        }
        Ok(())
    }

    /// Applies a signed message: checks its signature (once), size and rate,
    /// then what the rules can check without a note (nonce; a claim's terms,
    /// funds and id), computes the note of a claim in the bounded pool,
    /// queues it and waits until it is durable.
    pub async fn submit(self: &Arc<Self>, msg: Signed) -> Result<Accepted, ServiceError> {
        self.submit_from(msg, None).await
    }

    /// [`Service::submit`] for a message from address `ip` (if known), whose
    /// rate is checked once the signature is: a forger must not spend the
    /// rate of an address it shares with its victim.
    pub async fn submit_from(
        self: &Arc<Self>,
        msg: Signed,
        ip: Option<std::net::IpAddr>,
    ) -> Result<Accepted, ServiceError> {
        // The signature first: a forged message must not spend the named
        // signer's rate (an opponent could otherwise run out its clock).
        let msg = msg.verified(&self.genesis).map_err(ServiceError::Rule)?;
        if let Some(ip) = ip {
            self.admit_ip(ip)?;
        }
        let size = serde_json::to_vec(msg.signed()).map_or(usize::MAX, |v| v.len());
        if size > MAX_LOGGED_MESSAGE {
            return Err(ServiceError::TooLarge {
                code: "message_too_large",
                message: format!(
                    "the message is {size} bytes as JSON; a log entry holds at most {MAX_LOGGED_MESSAGE}"
                ),
            });
        }
        self.admit(&msg.signer)?;
        let is_move = matches!(msg.body, Message::Reveal { .. } | Message::Step { .. });
        let signer = msg.signer;
        if is_move && !self.refusals_left(&signer, 0.0) {
            return Err(ServiceError::RateLimited(format!(
                "account {signer} had more than {REFUSED_MOVES_PER_SECOND} moves refused per second; wait before moving again"
            )));
        }
        let (note, read) = match &msg.body {
            Message::Claim(_) | Message::JobPost(_) => {
                // Nothing costly for a claim or job the rules would refuse
                // anyway, or from an account whose refused claims have cost
                // their budget.
                self.read(|c| c.rules.precheck(&msg))?;
                self.failed_notes_left(&signer)?;
                let (note, read) = self.noted(&msg).await?;
                (Some(note), read)
            }
            _ => (None, 0),
        };
        let result = self.request(Request::Message(Box::new(msg), note)).await;
        if matches!(result, Err(ServiceError::Rule(_))) {
            if is_move {
                self.refusals_left(&signer, 1.0);
            }
            self.charge_failed_note(&signer, read);
        }
        match result {
            // The rules no longer hold a claim that has ended; the archive says it did exist.
            Err(ServiceError::Rule(RuleError::UnknownClaim(id)))
                if self.claim(&id).is_ok_and(|c| c.is_some()) =>
            {
                Err(ServiceError::Rule(RuleError::ClaimClosed(id)))
            }
            r => r,
        }
    }

    /// Claim `id`: from memory while it is being played, from the archive
    /// once it has ended ([`crate::archive`]).
    pub fn claim(&self, id: &B32) -> Result<Option<Claim>, ServiceError> {
        // Memory first: a claim that ends in between is in the archive by then.
        if let Some(c) = self.read(|c| c.rules.state.claims.get(id).cloned()) {
            return Ok(Some(c));
        }
        crate::archive::claim(&self.db, id).map_err(ServiceError::storage)
    }

    /// Job `id`, as [`Service::claim`] finds a claim.
    pub fn job(&self, id: &B32) -> Result<Option<Job>, ServiceError> {
        if let Some(j) = self.read(|c| c.rules.state.jobs.get(id).cloned()) {
            return Ok(Some(j));
        }
        crate::archive::job(&self.db, id).map_err(ServiceError::storage)
    }

    /// Game `id`, as [`Service::claim`] finds a claim.
    pub fn game(&self, id: u64) -> Result<Option<Game>, ServiceError> {
        if let Some(g) = self.read(|c| c.rules.state.games.get(&id).cloned()) {
            return Ok(Some(g));
        }
        crate::archive::game(&self.db, id).map_err(ServiceError::storage)
    }

    /// Advances time (the ticker calls this).
    pub async fn tick(&self) -> Result<Accepted, ServiceError> {
        self.request(Request::Tick).await
    }

    /// Queues `r`, stamped with its arrival time (taken under the queue's
    /// lock, so stamps rise in queue order), and waits for its outcome.
    async fn request(&self, r: Request) -> Result<Accepted, ServiceError> {
        let (tx, rx) = oneshot::channel();
        {
            let q = self.queue.lock().unwrap_or_else(|p| p.into_inner());
            let q = q.as_ref().ok_or(ServiceError::Stopped)?;
            q.try_send((r, clock_ms(), tx)).map_err(|e| match e {
                mpsc::TrySendError::Full(_) => ServiceError::Busy(format!(
                    "the arbiter's queue holds {QUEUE_LIMIT} requests; retry shortly"
                )),
                mpsc::TrySendError::Disconnected(_) => ServiceError::Stopped,
            })?;
        }
        rx.await.map_err(|_| ServiceError::Stopped)?
    }

    /// Stops accepting requests and waits for the writer to finish the queue.
    pub fn shutdown(&self) {
        self.queue.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(w) = self.writer.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = w.join();
        }
    }
}

/// Counts an event-stream subscriber while it lives.
#[derive(Debug)]
pub struct Subscriber(Arc<AtomicUsize>);

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Token buckets by sender: `burst` tokens, refilled at `rate` per second.
/// Buckets that have refilled are dropped when there are too many.
struct Buckets<K> {
    map: HashMap<K, (f64, Instant)>,
    swept: Instant,
}

impl<K> Default for Buckets<K> {
    fn default() -> Self {
        Buckets { map: HashMap::new(), swept: Instant::now() }
    }
}

impl<K: std::hash::Hash + Eq> Buckets<K> {
    /// The tokens in `who`'s bucket now.
    fn level(&mut self, who: K, rate: f64, burst: f64) -> f64 {
        *self.refill(who, rate, burst)
    }

    /// Takes `cost` tokens of `who`'s bucket (`burst` at most, refilled at
    /// `rate` per second), if it has them.
    fn take(&mut self, who: K, rate: f64, burst: f64, cost: f64) -> bool {
        let tokens = self.refill(who, rate, burst);
        if *tokens < cost {
            return false;
        }
        *tokens -= cost;
        true
    }

    /// `who`'s bucket, refilled for the time since its last use.
    fn refill(&mut self, who: K, rate: f64, burst: f64) -> &mut f64 {
        let now = Instant::now();
        let sweep_every = Duration::from_secs(2);
        if self.map.len() >= MAX_BUCKETS && now.duration_since(self.swept) >= sweep_every {
            // A bucket that has refilled says nothing a new one would not.
            self.map.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * rate < burst);
            self.swept = now;
        }
        let (tokens, at) = self.map.entry(who).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(burst);
        *at = now;
        tokens
    }

    /// Takes `cost` tokens from `who`'s bucket whatever it holds: a debt
    /// (at most the bucket's size) that refills at `rate`.
    fn charge(&mut self, who: K, rate: f64, burst: f64, cost: f64) {
        let tokens = self.refill(who, rate, burst);
        *tokens = (*tokens - cost).max(-burst);
    }

    /// Gives back `cost` tokens just taken from `who`'s bucket, for a
    /// request refused after all.
    fn refund(&mut self, who: &K, cost: f64) {
        if let Some((tokens, _)) = self.map.get_mut(who) {
            *tokens += cost;
        }
    }
}

/// The writer: takes every queued request, applies them as one batch,
/// commits it, then answers. If the commit fails, the batch is rolled back
/// (the state is rebuilt from the disk) and its requests are answered with
/// a storage error; if even that fails, the process ends rather than serve
/// state that is not on disk.
fn write_loop(
    core: &RwLock<Core>,
    db: &Arc<Db>,
    rx: &mpsc::Receiver<(Request, u64, Reply)>,
    events: &broadcast::Sender<Arc<Committed>>,
) {
    const MAX_BATCH: usize = 1024;
    const BEAT_EVERY_MS: u64 = 250;
    let mut last_beat = 0;
    let beat = |now: u64| {
        let c = core.read().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = c.heartbeat(now) {
            tracing::warn!("cannot note the time alive: {e}");
        }
    };
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(r) => batch.push(r),
                Err(_) => break,
            }
        }
        let (requests, replies): (Vec<(Request, u64)>, Vec<Reply>) =
            batch.into_iter().map(|(r, at, reply)| ((r, at), reply)).unzip();
        let mut c = core.write().unwrap_or_else(|p| p.into_inner());
        match c.process(&requests) {
            Ok((outcomes, entries)) => {
                let snapshot = c.take_snapshot();
                drop(c);
                if let Some((next, rules)) = snapshot {
                    // Serialising the whole state takes long on a big one:
                    // never under the lock, never in the writer.
                    let db = db.clone();
                    let _ = std::thread::Builder::new().name("arbiter-snapshot".into()).spawn(move || {
                        if let Err(e) = self::core::save_snapshot(&db, next, rules) {
                            tracing::warn!("the snapshot after entry {next} was not saved: {e}");
                        }
                    });
                }
                for e in entries {
                    let _ = events.send(Arc::new(Committed { entry: e, json: Default::default() }));
                }
                for (reply, o) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(o.map_err(ServiceError::Rule));
                }
            }
            Err(why) => {
                tracing::error!("{why}; the batch of {} requests is rolled back", replies.len());
                if let Err(e) = c.reload() {
                    tracing::error!("cannot rebuild the state from the disk: {e}; the arbiter stops");
                    std::process::exit(70);
                }
                drop(c);
                for reply in replies {
                    let _ = reply.send(Err(ServiceError::Storage(why.to_string())));
                }
            }
        }
        let now = clock_ms();
        if now >= last_beat + BEAT_EVERY_MS {
            beat(now);
            last_beat = now;
        }
    }
    // Shutting down: the outage starts now.
    beat(clock_ms());
}

/// Runs `f` (hashing, RocksDB I/O) on the blocking pool, off the async workers.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ServiceError> + Send + 'static,
) -> Result<T, ServiceError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ServiceError::Internal(e.to_string()))?
}
