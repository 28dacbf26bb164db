//! `refute demo`: a whole dispute on an embedded arbiter. A solver claims
//! a wrong output for a real C program; an honest challenger re-executes,
//! disagrees, and the two narrow the run round by round to one
//! instruction, which the arbiter checks from a one-step proof.
//!
//! The players run in this process and talk to the arbiter's service
//! directly (the bots of `refute challenger run` come later); the arbiter is
//! the real one: RocksDB in a temporary directory, the signed log, the rules.

use anyhow::{Context, Result, anyhow};
use ed25519_dalek::SigningKey;
use refute_arbiter::rules::play::{Trace, challenge, history_root, next_move};
use refute_arbiter::rules::{B32, Blob, ClaimBody, Event, GameStatus, Message, Params, Role};
use refute_arbiter::service::task::list_blob;
use refute_arbiter::service::{Config, Service};
use refute_challenger::RunTrace;
use refute_engine::merkle::MemoryTree;
use refute_engine::proof::{Proof, verify_step};
use refute_engine::state::{Hasher, TreeId};
use refute_engine::{Entry, Module, Run, Task};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The solver's story: the real run up to step `from`, made-up states after,
/// ending in a final state that claims another output.
struct Lie<'a> {
    real: &'a RunTrace,
    from: u64,
    last: B32,
}

impl Trace for Lie<'_> {
    fn root(&self, step: u64) -> B32 {
        if step < self.from {
            return self.real.root(step);
        }
        if step >= self.real.halt() {
            return self.last;
        }
        B32(Sha256::new().chain_update(b"a lie").chain_update(step.to_le_bytes()).finalize().into())
    }
    fn step_proof(&self, step: u64) -> Vec<u8> {
        self.real.step_proof(step)
    }
}

fn key(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[n; 32])
}

fn pk(k: &SigningKey) -> B32 {
    B32(k.verifying_key().to_bytes())
}

/// Runs the demo on `module` with `args` (argv[0] first); writes the game's
/// transcript to `transcript_dir` if given.
pub fn run(module_bytes: &[u8], args: &[String], transcript_dir: Option<&std::path::Path>) -> Result<()> {
    let dir = tempfile::tempdir().context("a temporary directory")?;
    let mut config = Config::local(dir.path());
    config.params = Params::local(B32([0; 32]));
    // A small branching factor so the narrowing shows over several rounds.
    config.params.k = 16;
    config.params.max_leaves = 17;
    let service = Service::open(&config).map_err(|e| anyhow!("{e}"))?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let out = rt.block_on(play(&service, module_bytes, args));
    if let (Ok(game), Some(dir)) = (&out, transcript_dir) {
        for path in refute_traces::build::save(&service, *game, dir).map_err(|e| anyhow!("{e}"))? {
            println!("transcript written to {}", path.display());
        }
    }
    service.shutdown();
    out.map(|_| ())
}

async fn send(s: &Arc<Service>, k: &SigningKey, nonce: &mut u64, m: Message) -> Result<Vec<Event>> {
    let signed = m.sign(k, *nonce);
    let a = s.submit(signed).await.map_err(|e| anyhow!("{}: {}", e.code, e.message))?;
    *nonce += 1;
    Ok(a.ticked.into_iter().chain(a.events).collect())
}

async fn play(s: &Arc<Service>, module_bytes: &[u8], args: &[String]) -> Result<u64> {
    let params = s.read(|c| c.rules.params.clone());
    let (solver, challenger) = (key(1), key(2));
    let (mut ns, mut nc) = (0u64, 0u64);
    println!("arbiter {} (RocksDB in a temporary directory)", s.arbiter());

    // The computation.
    let module = Module::new(module_bytes).map_err(|e| anyhow!("{e}"))?;
    let max_steps: u64 = 1 << 20;
    let task = Task { args: args.to_vec(), max_steps, ..Task::default() };
    let run = Run::new(&module, &task, &Entry::Start).map_err(|e| anyhow!("{e}"))?;
    let real = RunTrace::new(run.clone()).map_err(|e| anyhow!("{e}"))?;
    let halt = real.halt();
    let mut end = run.clone();
    end.run_to_end();
    let stdout = end.machine.host.stdout.clone();
    let first_line = String::from_utf8_lossy(&stdout).lines().next().unwrap_or("").to_string();
    println!("\nthe program: `{}` runs {halt} steps and prints {first_line:?} and more", args.join(" "));

    // The solver lies about the output, and so about every state from step `from` on.
    let from = halt * 2 / 3;
    let fake_out = b"sorted: 1 2 3 (trust me)\n".to_vec();
    let mut h = Hasher::new(&end.machine);
    let mut header = h.header(&end.machine);
    header.stdout_len = fake_out.len() as u64;
    header.roots[TreeId::Stdout as usize] = MemoryTree::with_depth(TreeId::Stdout.depth()).root(&fake_out);
    let lie = Lie { real: &real, from, last: B32(header.root()) };

    for (k, n) in [(&solver, &mut ns), (&challenger, &mut nc)] {
        send(s, k, n, Message::Mint { to: pk(k), amount: 100_000 }).await?;
    }
    let blob = |b: &[u8]| -> Result<B32> { Ok(B32(s.db().put_blob(b).map_err(|e| anyhow!("{e}"))?)) };
    let body = ClaimBody {
        module: blob(module_bytes)?,
        args: blob(&list_blob(args))?,
        env: blob(&[])?,
        stdin: blob(&[])?,
        entry: "_start".into(),
        entry_args: vec![],
        max_steps,
        initial_root: real.root(0),
        final_root: lie.last,
        final_header: Blob(header.encode().to_vec()),
        stdout: Blob(fake_out.clone()),
        history_root: history_root(&lie, max_steps, params.max_leaves),
        bond: 10_000,
    };
    let claim_id = refute_arbiter::rules::claim_id(&pk(&solver), ns);
    send(s, &solver, &mut ns, Message::Claim(Box::new(body))).await?;
    println!(
        "solver {}… posts claim {}… with a bond of 10000: the output is {:?} (it lies from step {from} on)",
        &pk(&solver).to_string()[..8],
        &claim_id.to_string()[..8],
        String::from_utf8_lossy(&fake_out).trim()
    );

    // The challenger re-executes and disagrees.
    let claim = s.read(|c| c.rules.state.claims[&claim_id].clone());
    let m = challenge(&params, claim_id, &claim, &real, 10_000)
        .ok_or_else(|| anyhow!("the challenger agrees?"))?;
    send(s, &challenger, &mut nc, m).await?;
    let game = s
        .read(|c| c.rules.state.claims[&claim_id].games.values().next().copied())
        .ok_or_else(|| anyhow!("no game started"))?;
    println!(
        "challenger {}… re-executes, gets another final state, and challenges with a bond of 10000: game {game}\n",
        &pk(&challenger).to_string()[..8]
    );

    let mut round = 0;
    for _ in 0..200 {
        let g = s.read(|c| c.rules.state.games[&game].clone());
        if g.status != GameStatus::Open {
            break;
        }
        let before = (g.depth, g.a, g.b);
        let mut step_proof = None;
        for (k, n, role, trace) in [
            (&solver, &mut ns, Role::Solver, &lie as &dyn Trace),
            (&challenger, &mut nc, Role::Challenger, &real as &dyn Trace),
        ] {
            let g = s.read(|c| c.rules.state.games[&game].clone());
            if g.status != GameStatus::Open {
                break;
            }
            if let Some(m) = next_move(&params, game, &g, role, trace) {
                if let Message::Step { proof, .. } = &m {
                    step_proof = Some(proof.0.clone());
                }
                send(s, k, n, m).await?;
            }
        }
        let g = s.read(|c| c.rules.state.games[&game].clone());
        if (g.depth, g.a, g.b) != before && g.status == GameStatus::Open {
            round += 1;
            let layer = g.layer();
            let (a, b) = (layer.step_at(g.a as usize).unwrap_or(0), layer.step_at(g.b as usize).unwrap_or(0));
            let next = if g.stride > 1 {
                format!("; they now commit to the states every {} steps in it", g.stride)
            } else {
                String::new()
            };
            println!(
                "round {round}: both reveal {} states; the first disagreement is between steps {a} and {b}{next}",
                params.k - 1
            );
        }
        if let Some(p) = step_proof {
            let proof = Proof::decode(&p).map_err(|e| anyhow!("{e}"))?;
            let v = verify_step(&proof.header.root(), &proof).map_err(|e| anyhow!("{e}"))?;
            println!(
                "\nthe single step {}: instruction {:?}; the arbiter checks a {}-byte proof and computes the state after it",
                proof.header.steps,
                v.op.ok_or_else(|| anyhow!("a running step"))?,
                p.len()
            );
        }
    }
    let g = s.read(|c| c.rules.state.games[&game].clone());
    let c = s.read(|c| c.rules.state.claims[&claim_id].clone());
    println!("verdict: {:?}; claim {:?}", g.status, c.status);
    let bal = |k: &SigningKey| s.read(|c| c.rules.state.account(&pk(k)).balance);
    let (burned, minted, head) = s.read(|c| (c.rules.state.burned, c.rules.state.minted, c.head()));
    println!(
        "balances: solver {} (lost its bond), challenger {} (its bond back plus half the solver's), burned {burned}, minted {minted}",
        bal(&solver),
        bal(&challenger)
    );
    println!("the arbiter's signed log has {} entries", head.next);
    if g.status != GameStatus::Won(Role::Challenger) {
        return Err(anyhow!("the honest challenger did not win: {:?}", g.status));
    }
    Ok(game)
}
