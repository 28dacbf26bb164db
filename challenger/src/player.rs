//! What every bot has: a key that signs with the right nonce, the game
//! parameters, its durable state, and the traces of the runs it plays.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ed25519_dalek::SigningKey;
use refute_engine::trace::{CHECKPOINT_BUDGET, CHECKPOINT_EVERY};
use refute_protocol::inputs::ClaimInputs;
use refute_protocol::rules::{B32, ClaimBody, Message, Params};
use serde_json::Value;
use tokio::sync::{Mutex, OnceCell};

use crate::client::{Client, ClientError, kind};
use crate::store::Store;
use crate::trace::RunTrace;

/// A key that signs messages with its account's next nonce, for one arbiter.
#[derive(Debug)]
pub struct Signer {
    key: SigningKey,
    pk: B32,
    /// The next nonce, when known (`None`: ask the arbiter).
    nonce: Mutex<Option<u64>>,
    /// The arbiter's genesis hash, asked once: messages are signed for it.
    genesis: OnceCell<B32>,
}

impl Signer {
    /// A signer for `key`.
    pub fn new(key: SigningKey) -> Signer {
        let pk = B32(key.verifying_key().to_bytes());
        Signer { key, pk, nonce: Mutex::new(None), genesis: OnceCell::new() }
    }

    /// The public key.
    pub fn pk(&self) -> B32 {
        self.pk
    }

    /// The signing key (uploads are signed by it too).
    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    /// Signs `m` with the next nonce for the arbiter `client` talks to (its
    /// genesis hash, asked on first use) and sends it. `before(nonce)` runs
    /// first (to record what depends on the nonce, such as a claim's id).
    /// Messages are sent one at a time. A refused message does not use
    /// its nonce; after `bad_nonce` or no answer the nonce is asked again
    /// (the message may have been accepted: callers re-read the state
    /// rather than resend).
    pub async fn send_with(
        &self,
        client: &Client,
        m: Message,
        before: impl FnOnce(u64) -> anyhow::Result<()>,
    ) -> Result<Value, SendError> {
        let genesis = *self.genesis.get_or_try_init(|| client.genesis()).await?;
        let mut next = self.nonce.lock().await;
        let nonce = match *next {
            Some(n) => n,
            None => client.account(&self.pk).await?.nonce,
        };
        before(nonce).map_err(SendError::Local)?;
        let what = kind(&m);
        match client.submit(&m.sign(&genesis, &self.key, nonce)).await {
            Ok(v) => {
                *next = Some(nonce + 1);
                Ok(v)
            }
            Err(e) => {
                *next = match e.code() {
                    Some("bad_nonce") | None => None,
                    Some(_) => Some(nonce),
                };
                tracing::debug!(what, "refused: {e}");
                Err(e.into())
            }
        }
    }

    /// As [`Signer::send_with`] with nothing to do first.
    pub async fn send(&self, client: &Client, m: Message) -> Result<Value, SendError> {
        self.send_with(client, m, |_| Ok(())).await
    }
}

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The arbiter refused it or could not be reached.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// Recording it locally first failed.
    #[error("{0:#}")]
    Local(anyhow::Error),
}

/// The identity of a run: a claim's task, whoever posted it.
pub fn task_id(b: &ClaimBody) -> B32 {
    let args: Vec<u8> = b.entry_args.iter().flat_map(|a| a.to_le_bytes()).collect();
    B32::sha256(&[
        &b.module.0,
        &b.args.0,
        &b.env.0,
        &b.stdin.0,
        b.entry.as_bytes(),
        &[0],
        &args,
        &b.max_steps.to_le_bytes(),
        b.dirs.as_ref().map_or(&[][..], |d| &d.0[..]),
    ])
}

/// Downloads the blobs `b` names: the claim's inputs.
pub async fn fetch_inputs(client: &Client, b: &ClaimBody) -> anyhow::Result<ClaimInputs> {
    let blobs = [b.module, b.args, b.env, b.stdin];
    fetch_task(client, blobs, b.dirs, &b.entry, &b.entry_args).await
}

/// Downloads a task's blobs (module, arguments, environment, stdin, and the
/// directories if any) and makes its inputs.
pub async fn fetch_task(
    client: &Client,
    [module, args, env, stdin]: [B32; 4],
    dirs: Option<B32>,
    entry: &str,
    entry_args: &[u64],
) -> anyhow::Result<ClaimInputs> {
    let get = |h: B32| async move { client.blob(&h).await.map_err(anyhow::Error::from) };
    let (module, args, env, stdin) =
        (get(module).await?, get(args).await?, get(env).await?, get(stdin).await?);
    let inputs = ClaimInputs::from_blobs(module, &args, &env, stdin, entry, entry_args)?;
    Ok(match dirs {
        Some(d) => inputs.with_dirs(&get(d).await?)?,
        None => inputs,
    })
}

/// Most traces a bot keeps: each holds checkpoints (up to
/// `CHECKPOINT_BUDGET`), so the least recently used is dropped beyond
/// this, and rebuilt if it is needed again.
pub const MAX_TRACES: usize = 8;

/// A trace being built or built, shared by whoever waits for it.
type Cell = Arc<OnceCell<Arc<RunTrace>>>;

/// Traces by task, each built once and shared by every claim and game
/// about the same run; at most [`MAX_TRACES`] are kept.
#[derive(Debug, Default)]
pub struct Traces {
    /// Each task's trace, with the tick of its last use.
    map: std::sync::Mutex<HashMap<B32, (Cell, u64)>>,
    tick: std::sync::atomic::AtomicU64,
}

impl Traces {
    fn cell(&self, task: B32, given: Option<Arc<RunTrace>>) -> Cell {
        let now = self.tick.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut map = self.map.lock().expect("traces lock");
        let entry = map.entry(task).or_insert_with(|| (Arc::new(OnceCell::new()), now));
        if let Some(t) = given {
            entry.0 = Arc::new(OnceCell::new_with(Some(t)));
        }
        entry.1 = now;
        let cell = entry.0.clone();
        while map.len() > MAX_TRACES {
            let oldest = *map.iter().min_by_key(|(_, (_, used))| *used).map(|(k, _)| k).expect("not empty");
            map.remove(&oldest);
        }
        cell
    }

    /// Adds a trace built elsewhere.
    pub fn insert(&self, task: B32, trace: Arc<RunTrace>) {
        self.cell(task, Some(trace));
    }

    /// How many traces are kept.
    pub fn len(&self) -> usize {
        self.map.lock().expect("traces lock").len()
    }

    /// Whether no trace is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The trace of `b`'s task, built (from the arbiter's blobs) on first
    /// use, with the roots of its posted layer under `params` (see
    /// [`build`]). `deadline` (ms since the epoch) is when the trace is
    /// needed by: building past it is logged as an error, loudly, because an
    /// honest player that cannot answer in time loses.
    pub async fn get(
        &self,
        client: &Client,
        params: &Params,
        b: &ClaimBody,
        inputs: Option<ClaimInputs>,
        deadline: Option<u64>,
    ) -> anyhow::Result<Arc<RunTrace>> {
        let max_leaves = params.max_leaves;
        let cell = self.cell(task_id(b), None);
        cell.get_or_try_init(|| async {
            let inputs = match inputs {
                Some(i) => i,
                None => fetch_inputs(client, b).await?,
            };
            let b = b.clone();
            tokio::task::spawn_blocking(move || build(&inputs, &b, deadline, max_leaves))
                .await
                .map_err(|e| anyhow::anyhow!("building the trace panicked: {e}"))?
        })
        .await
        .cloned()
    }
}

/// Milliseconds since the epoch (the arbiter's clock on a local network).
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// The step count a claim says its run ends at (from its final header).
pub fn claimed_steps(b: &ClaimBody) -> Option<u64> {
    let h = refute_engine::state::Header::decode(b.final_header.0.as_slice().try_into().ok()?)?;
    Some(h.steps)
}

/// A text progress bar: `[#####.....]  50%`.
fn bar(done: u64, total: u64) -> String {
    let f = (done as f64 / total.max(1) as f64).min(1.0);
    let n = (f * 20.0).round() as usize;
    format!("[{}{}] {:>3.0}%", "#".repeat(n), ".".repeat(20 - n), f * 100.0)
}

/// Builds the trace of `b`'s task from its blobs, logging progress every
/// two seconds: a bar and the time left when the claim says how many
/// steps the run takes (a liar may say wrong; the bar is then only a
/// guess). Logs an error as soon as the trace cannot be ready by
/// `deadline` (ms since the epoch) at the current speed, and again if the
/// deadline passes. The same run computes the roots of the claim's posted
/// layer under `max_leaves` ([`RunTrace::build_with_roots`]): the one run a
/// player makes checks a claim, keeps its checkpoints and gives the
/// history root to post.
pub fn build(
    inputs: &ClaimInputs,
    b: &ClaimBody,
    deadline: Option<u64>,
    max_leaves: u64,
) -> anyhow::Result<Arc<RunTrace>> {
    let run = inputs.to_run(b.max_steps)?;
    let task = task_id(b);
    let expected = claimed_steps(b).filter(|&s| s > 0);
    let started = Instant::now();
    let mut last = Instant::now();
    let (mut warned, mut late) = (false, false);
    let mut progress = |step: u64| {
        let secs = started.elapsed().as_secs_f64();
        let rate = step as f64 / secs.max(1e-9);
        let left = expected.map(|e| e.saturating_sub(step) as f64 / rate);
        if last.elapsed() >= Duration::from_secs(2) {
            last = Instant::now();
            match (expected, left) {
                (Some(e), Some(l)) => tracing::info!(
                    task = %short(&task),
                    "building the trace {} {step} of {e} steps, {:.0} M steps/s, about {l:.0} s left",
                    bar(step, e),
                    rate / 1e6
                ),
                _ => {
                    tracing::info!(task = %short(&task), "building the trace: {step} steps, {:.0} M steps/s", rate / 1e6)
                }
            }
        }
        let Some(d) = deadline else { return };
        let now = now_ms();
        if !late && now > d {
            late = true;
            tracing::error!(
                task = %short(&task),
                "THE TRACE IS NOT READY IN TIME: still building at step {step} past the deadline; \
                 this bot will answer late and may lose its bond. Use a faster machine or a longer clock."
            );
        } else if let Some(l) = left
            && !warned
            && now + (l * 1000.0) as u64 > d
            && secs > 1.0
        {
            warned = true;
            tracing::error!(
                task = %short(&task),
                "THE TRACE WILL NOT BE READY IN TIME: about {l:.0} s of building left, the deadline is in {:.0} s; \
                 this bot may lose its bond. Use a faster machine or a longer clock.",
                d.saturating_sub(now) as f64 / 1000.0
            );
        }
    };
    let stride = crate::play::posted_layer(b.max_steps, max_leaves).stride();
    let trace =
        RunTrace::build_with_roots(run, CHECKPOINT_EVERY, CHECKPOINT_BUDGET, Some(stride), &mut progress)
            .map_err(|e| anyhow::anyhow!("the run cannot be proven: {e}"))?;
    tracing::info!(
        task = %short(&task),
        steps = trace.halt(),
        checkpoints = trace.checkpoints().len(),
        "trace built in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    Ok(Arc::new(trace))
}

/// The first 8 hex digits of an id, for logs.
pub fn short(id: &B32) -> String {
    id.to_string()[..8].to_string()
}

/// What every bot holds.
#[derive(Debug)]
pub struct Player {
    /// The arbiter.
    pub client: Client,
    /// The key.
    pub signer: Signer,
    /// The game parameters.
    pub params: Params,
    /// Durable state.
    pub store: Store,
    /// Traces by task.
    pub traces: Traces,
}

impl Player {
    /// The public key.
    pub fn pk(&self) -> B32 {
        self.signer.pk()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use refute_engine::{Entry, Module, Run, Task};

    fn tiny() -> Arc<RunTrace> {
        let wasm = wat::parse_str(r#"(module (func (export "main") (result i32) i32.const 7))"#).unwrap();
        let module = Module::new(&wasm).unwrap();
        let task = Task { max_steps: 100, ..Task::default() };
        let run = Run::new(&module, &task, &Entry::Invoke("main".into(), vec![])).unwrap();
        Arc::new(RunTrace::new(run).unwrap())
    }

    #[test]
    fn traces_keep_the_most_recently_used() {
        let traces = Traces::default();
        let t = tiny();
        let id = |i: u8| B32([i; 32]);
        for i in 0..MAX_TRACES as u8 {
            traces.insert(id(i), t.clone());
        }
        // Using task 0 again makes task 1 the least recently used.
        traces.cell(id(0), None);
        traces.insert(id(100), t.clone());
        assert_eq!(traces.len(), MAX_TRACES);
        let map = traces.map.lock().unwrap();
        assert!(map.contains_key(&id(0)) && map.contains_key(&id(100)));
        assert!(!map.contains_key(&id(1)), "the least recently used trace is dropped");
        assert!(map[&id(0)].0.get().is_some(), "a kept trace is still built");
    }
}
