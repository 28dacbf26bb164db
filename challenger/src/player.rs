//! What every bot has: a key that signs with the right nonce, the game
//! parameters, its durable state, and the traces of the runs it plays.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ed25519_dalek::SigningKey;
use refute_engine::trace::{CHECKPOINT_BUDGET, CHECKPOINT_EVERY};
use refute_protocol::inputs::ClaimInputs;
use refute_protocol::rules::{B32, ClaimBody, JobBody, Message, Params};
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
    task_key([b.module, b.args, b.env, b.stdin], &b.entry, &b.entry_args, b.max_steps, b.dirs)
}

/// The identity of a job's run: the [`task_id`] of every claim that can
/// answer it (the rules take only a claim that `JobBody::matches` the job:
/// the same blobs, entry, arguments, step limit and directories), so a
/// trace built at the job's post is the one its claim's check finds.
pub fn job_task_id(j: &JobBody) -> B32 {
    task_key([j.module, j.args, j.env, j.stdin], &j.entry, &j.entry_args, j.max_steps, j.dirs)
}

/// The hash both ids are: the task's blobs, entry, arguments and step limit.
fn task_key(
    [module, args, env, stdin]: [B32; 4],
    entry: &str,
    entry_args: &[u64],
    max_steps: u64,
    dirs: Option<B32>,
) -> B32 {
    let entry_args: Vec<u8> = entry_args.iter().flat_map(|a| a.to_le_bytes()).collect();
    B32::sha256(&[
        &module.0,
        &args.0,
        &env.0,
        &stdin.0,
        entry.as_bytes(),
        &[0],
        &entry_args,
        &max_steps.to_le_bytes(),
        dirs.as_ref().map_or(&[][..], |d| &d.0[..]),
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
    /// honest player that cannot answer in time loses. A trace being built
    /// (by a prebuild at the job's post, or another claim of the same task)
    /// is waited for, not built again.
    pub async fn get(
        &self,
        client: &Client,
        params: &Params,
        b: &ClaimBody,
        inputs: Option<ClaimInputs>,
        deadline: Option<u64>,
    ) -> anyhow::Result<Arc<RunTrace>> {
        let inputs = async {
            match inputs {
                Some(i) => Ok(i),
                None => fetch_inputs(client, b).await,
            }
        };
        let run = TaskRun::of_claim(b);
        Ok(self.get_task(run, params.max_leaves, deadline, inputs).await?.0)
    }

    /// Builds the trace of job `j`'s task before any claim answers it (its
    /// blobs from the arbiter), under the key its claim's [`Traces::get`]
    /// will use ([`job_task_id`]), so the claim's check finds it built or
    /// being built. Returns the trace and whether this call built it (false:
    /// it was built, or being built, already). `deadline` as in `get`.
    pub async fn prebuild(
        &self,
        client: &Client,
        params: &Params,
        j: &JobBody,
        deadline: Option<u64>,
    ) -> anyhow::Result<(Arc<RunTrace>, bool)> {
        let blobs = [j.module, j.args, j.env, j.stdin];
        let inputs = fetch_task(client, blobs, j.dirs, &j.entry, &j.entry_args);
        let run = TaskRun { id: job_task_id(j), max_steps: j.max_steps, expected: None };
        self.get_task(run, params.max_leaves, deadline, inputs).await
    }

    /// The trace of `run`, built from `inputs` (awaited only if it must be
    /// built); whether this call built it.
    async fn get_task(
        &self,
        run: TaskRun,
        max_leaves: u64,
        deadline: Option<u64>,
        inputs: impl Future<Output = anyhow::Result<ClaimInputs>>,
    ) -> anyhow::Result<(Arc<RunTrace>, bool)> {
        let cell = self.cell(run.id, None);
        let mut built = false;
        let init = || {
            built = true;
            async move {
                let inputs = inputs.await?;
                tokio::task::spawn_blocking(move || build_task(&inputs, &run, deadline, max_leaves))
                    .await
                    .map_err(|e| anyhow::anyhow!("building the trace panicked: {e}"))?
            }
        };
        let trace = cell.get_or_try_init(init).await?.clone();
        if !built {
            tracing::debug!(task = %short(&run.id), "the trace of this task was built (or being built) already: reused");
        }
        Ok((trace, built))
    }
}

/// What building a trace needs to know of its task.
#[derive(Clone, Copy, Debug)]
struct TaskRun {
    /// Its [`task_id`].
    id: B32,
    /// Its step limit `T`.
    max_steps: u64,
    /// The step its run halts at, if someone says (a claim's final header;
    /// a liar may say wrong): only for the progress bar.
    expected: Option<u64>,
}

impl TaskRun {
    fn of_claim(b: &ClaimBody) -> TaskRun {
        TaskRun { id: task_id(b), max_steps: b.max_steps, expected: claimed_steps(b).filter(|&s| s > 0) }
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
    build_task(inputs, &TaskRun::of_claim(b), deadline, max_leaves)
}

/// [`build`] for a task that may have no claim yet (a job's).
fn build_task(
    inputs: &ClaimInputs,
    t: &TaskRun,
    deadline: Option<u64>,
    max_leaves: u64,
) -> anyhow::Result<Arc<RunTrace>> {
    let run = inputs.to_run(t.max_steps)?;
    let (task, expected) = (t.id, t.expected);
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
    let stride = crate::play::posted_layer(t.max_steps, max_leaves).stride();
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

    /// A job and a claim that answers it (`JobBody::matches`).
    fn job_and_claim() -> (JobBody, ClaimBody) {
        let h = |i: u8| B32([i; 32]);
        let job = JobBody {
            module: h(1),
            args: h(2),
            env: h(3),
            stdin: h(4),
            entry: "_start".into(),
            entry_args: vec![5, 6],
            max_steps: 1 << 20,
            reward: 10_000,
            dirs: Some(h(7)),
        };
        let claim = ClaimBody {
            module: h(1),
            args: h(2),
            env: h(3),
            stdin: h(4),
            entry: "_start".into(),
            entry_args: vec![5, 6],
            max_steps: 1 << 20,
            initial_root: h(8),
            final_root: h(9),
            final_header: refute_protocol::rules::Blob(vec![1, 2, 3]),
            stdout: refute_protocol::rules::Blob(b"out".to_vec()),
            history_root: h(10),
            bond: 2_000,
            job: Some(h(11)),
            dirs: Some(h(7)),
            outputs: Some(h(12)),
        };
        (job, claim)
    }

    #[test]
    fn a_job_and_the_claims_that_can_answer_it_have_one_task_id() {
        let (job, claim) = job_and_claim();
        assert!(job.matches(&claim));
        assert_eq!(job_task_id(&job), task_id(&claim), "a prebuilt trace is found by the claim's check");
        // What only a claim says (its results, bond, job) does not change its task.
        let mut other = claim.clone();
        (other.final_root, other.history_root, other.bond, other.job) = (B32([0; 32]), B32([0; 32]), 1, None);
        (other.stdout, other.outputs) = (refute_protocol::rules::Blob(vec![]), None);
        assert_eq!(task_id(&other), job_task_id(&job));
        // Any difference the rules refuse as another job's claim is another task.
        let changes: [fn(&mut ClaimBody); 9] = [
            |c| c.module = B32([99; 32]),
            |c| c.args = B32([99; 32]),
            |c| c.env = B32([99; 32]),
            |c| c.stdin = B32([99; 32]),
            |c| c.entry = "main".into(),
            |c| c.entry_args.push(0),
            |c| c.max_steps += 1,
            |c| c.dirs = None,
            |c| c.dirs = Some(B32([99; 32])),
        ];
        for (i, change) in changes.iter().enumerate() {
            let mut c = claim.clone();
            change(&mut c);
            assert!(!job.matches(&c), "change {i}");
            assert_ne!(task_id(&c), job_task_id(&job), "change {i}");
        }
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
