//! `refute demo`: a whole dispute on an embedded arbiter. A solver claims
//! a wrong output for a real C program; an honest challenger re-executes,
//! disagrees, and the two narrow the run round by round to one
//! instruction, which the arbiter checks from a one-step proof.
//!
//! Everything is the real thing, in one process: the arbiter's service
//! (RocksDB in a temporary directory, the signed log, the rules) behind its
//! HTTP API on 127.0.0.1, and the bots of `refute post` and `refute
//! challenger run` talking to it over HTTP. The story is told from the
//! events the arbiter commits to its log.

use refute::outln;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use ed25519_dalek::SigningKey;
use refute_arbiter::http;
use refute_arbiter::service::{Config as ServiceConfig, Service};
use refute_challenger::bot::{Bot, Config};
use refute_challenger::check::CheckMode;
use refute_challenger::client::Client;
use refute_challenger::lie::{FAKE_STDOUT, Lie};
use refute_challenger::play::posted_layer;
use refute_challenger::player::{Player, Signer, Traces};
use refute_challenger::post::{Request, post};
use refute_challenger::store::Store;
use refute_engine::history::Layer;
use refute_engine::proof::{Proof, verify_step};
use refute_engine::{Entry, Module, Run, Task};
use refute_protocol::inputs::ClaimInputs;
use refute_protocol::record::Record;
use refute_protocol::rules::{B32, Event, GameStatus, Message, Params, Role};

/// The branching factor: small, so the narrowing shows over several rounds.
const K: u64 = 16;
/// The bonds of the claim and of the challenge.
const BOND: u64 = 10_000;

/// Writes game `game`'s transcript to `dir` and says where.
fn save(service: &Service, game: u64, dir: &std::path::Path) -> Result<()> {
    for path in refute_arbiter::transcripts::save(service, game, dir)? {
        outln!("transcript written to {}", path.display())?;
    }
    Ok(())
}

/// Runs the demo on `module` with `args` (argv[0] first); writes the game's
/// transcript to `transcript_dir` if given.
pub fn run(module_bytes: &[u8], args: &[String], transcript_dir: Option<&std::path::Path>) -> Result<()> {
    let dir = tempfile::tempdir().context("a temporary directory")?;
    let mut config = ServiceConfig::local(&dir.path().join("arbiter"));
    config.params = Params::local(B32([0; 32]));
    config.params.k = K;
    config.params.max_leaves = K + 1;
    let service = Service::open(&config)?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async {
        let listener =
            tokio::net::TcpListener::bind("127.0.0.1:0").await.context("listening on 127.0.0.1")?;
        let url = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(http::serve(service.clone(), listener, config.tick_every, async {
            let _ = stopped.await;
        }));
        let out = play(&service, &url, dir.path(), module_bytes, args).await;
        // Nothing returns early past here: the server and the writer stop first.
        let saved = match (&out, transcript_dir) {
            (Ok(game), Some(dir)) => save(&service, *game, dir),
            _ => Ok(()),
        };
        let _ = stop.send(());
        // The server finishes its requests; a client left connected does not hold it up.
        if tokio::time::timeout(Duration::from_secs(5), server).await.is_err() {
            service.shutdown();
        }
        out.and(saved)
    })
}

async fn player(url: &str, dir: &std::path::Path, name: &str, seed: u8) -> Result<Arc<Player>> {
    let signer = Signer::new(SigningKey::from_bytes(&[seed; 32]));
    let client = Client::new(url);
    let params = client.params().await?;
    let store = Store::open(&dir.join(name), &signer.pk())?;
    signer.send(&client, Message::Mint { to: signer.pk(), amount: 100_000 }).await?;
    Ok(Arc::new(Player { client, signer, params, store, traces: Traces::default() }))
}

fn short(k: &B32) -> String {
    k.to_string()[..8].to_string()
}

/// Plays the dispute; returns the game's id.
async fn play(
    s: &Arc<Service>,
    url: &str,
    dir: &std::path::Path,
    module_bytes: &[u8],
    args: &[String],
) -> Result<u64> {
    outln!("arbiter {}… at {url} (RocksDB in a temporary directory)", short(&s.arbiter()))?;

    // The computation, run once here to tell the story.
    let module = Module::new(module_bytes)?;
    let max_steps: u64 = 1 << 20;
    let task = Task { args: args.to_vec(), max_steps, ..Task::default() };
    let mut run = Run::new(&module, &task, &Entry::Start)?;
    run.run_to_end();
    let halt = run.machine.steps();
    let stdout = String::from_utf8_lossy(&run.machine.host.stdout).into_owned();
    let first_line = stdout.lines().next().unwrap_or("");
    outln!("the program: `{}` runs {halt} steps and prints {first_line:?} and more", args.join(" "))?;

    let (entries, subscriber) = s.subscribe()?;
    let narrator = tokio::spawn(narrate(s.clone(), entries, subscriber));
    let solver = player(url, dir, "solver", 1).await?;
    let challenger = player(url, dir, "challenger", 2).await?;
    let honest = Config {
        challenge: true,
        bond: BOND,
        sample_pct: 100,
        check: CheckMode::Full,
        max_parallel: 4,
        lie: None,
        poll: Duration::from_millis(200),
        ..Config::solver()
    };
    let challenger_bot = tokio::spawn({
        let bot = Bot::new(challenger.clone(), honest);
        async move { bot.run().await }
    });

    // The solver lies from two thirds of the run on, and about the output.
    let from = halt * 2 / 3;
    outln!(
        "solver {}… posts the result with a bond of {BOND}; it lies: every state from step {from} on, and the output",
        short(&solver.pk())
    )?;
    let req = Request {
        inputs: ClaimInputs {
            module: module_bytes.to_vec(),
            args: args.to_vec(),
            entry: "_start".into(),
            ..ClaimInputs::default()
        },
        max_steps,
        bond: BOND,
        lie: Some(Lie::At { step: from }),
        job: None,
    };
    let posted = post(&solver, req).await?;
    let mut defend = Config::solver();
    defend.until_settled = Some(posted.id);
    defend.poll = Duration::from_millis(200);
    let status = tokio::time::timeout(Duration::from_secs(300), Bot::new(solver.clone(), defend).run())
        .await
        .map_err(|_| anyhow!("the dispute did not end within 5 minutes"))?;
    challenger_bot.abort();
    // Let the narrator catch up with the last entries.
    tokio::time::sleep(Duration::from_millis(300)).await;
    narrator.abort();

    let claim = s.claim(&posted.id)?.ok_or_else(|| anyhow!("the arbiter has no claim {}", posted.id))?;
    let game = claim
        .games
        .values()
        .next()
        .copied()
        .ok_or_else(|| anyhow!("the wrong claim was never challenged"))?;
    let g = s.game(game)?.ok_or_else(|| anyhow!("the arbiter has no game {game}"))?;
    outln!("verdict: {:?}; claim {status:?}", g.status)?;
    let bal = |p: &Player| s.read(|c| c.rules.state.account(&p.pk()).balance);
    let (burned, minted, head) = s.read(|c| (c.rules.state.burned, c.rules.state.minted, c.head()));
    outln!(
        "balances: solver {} (lost its bond), challenger {} (its bond back plus half the solver's), burned {burned}, minted {minted}",
        bal(&solver),
        bal(&challenger)
    )?;
    outln!("the arbiter's signed log has {} entries", head.next)?;
    if g.status != GameStatus::Won(Role::Challenger) {
        return Err(anyhow!("the honest challenger did not win: {:?}", g.status));
    }
    Ok(game)
}

/// Tells the dispute from the events of each entry the arbiter commits.
async fn narrate(
    s: Arc<Service>,
    mut entries: tokio::sync::broadcast::Receiver<Arc<refute_arbiter::service::Committed>>,
    _subscriber: refute_arbiter::service::Subscriber,
) -> std::io::Result<()> {
    let params = s.read(|c| c.rules.params.clone());
    let (mut layer, mut round) = (None, 0);
    while let Ok(c) = entries.recv().await {
        let Ok(record) = Record::of(&c.entry) else { continue };
        for e in record.ticked.iter().chain(&record.events) {
            match e {
                Event::ClaimPosted { claim, .. } => outln!(
                    "claim {}… posted: its output says {:?}",
                    short(claim),
                    String::from_utf8_lossy(FAKE_STDOUT).trim()
                )?,
                Event::GameStarted { game, challenger, claim } => {
                    let t = s.claim(claim).ok().flatten().map_or(0, |c| c.body.max_steps);
                    layer = Some(posted_layer(t, params.max_leaves));
                    outln!(
                        "challenger {}… re-executes the program, gets another final state, and challenges with a bond of {BOND}: game {game}\n",
                        short(challenger)
                    )?
                }
                Event::LayerStarted { start, end, stride, .. } => {
                    layer = Layer::new(*start, *end, *stride).ok()
                }
                Event::Narrowed { a, b, .. } => {
                    round += 1;
                    let step = |i: u64| layer.as_ref().and_then(|l| l.step_at(i as usize)).unwrap_or(0);
                    outln!(
                        "round {round}: both reveal {} states; the first disagreement is between steps {} and {}",
                        K - 1,
                        step(*a),
                        step(*b)
                    )?;
                }
                Event::StepDisputed { step, .. } => {
                    outln!("\nthe dispute is down to the single step {step}")?
                }
                Event::StepProven { step, post, .. } => {
                    let bytes = match record.input.as_ref().map(|l| &l.msg.body) {
                        Some(Message::Step { proof, .. }) => proof.0.as_slice(),
                        _ => &[],
                    };
                    let op = Proof::decode(bytes)
                        .ok()
                        .and_then(|p| verify_step(&p.pre_root(), &p).ok())
                        .and_then(|v| v.op)
                        .map_or_else(|| "?".to_string(), |op| format!("{op:?}"));
                    let bytes = bytes.len();
                    outln!(
                        "the single step {step}: instruction {op}; the arbiter checks a {bytes}-byte proof and computes the state after it, {}…",
                        short(post)
                    )?;
                }
                Event::GameWon { game, winner } => {
                    let loser = if *winner == Role::Solver { "challenger" } else { "solver" };
                    outln!(
                        "game {game}: the {loser}'s state after that step is not what the instruction computes"
                    )?;
                }
                Event::BondForfeited { who, amount } => {
                    outln!("bond of {amount} forfeited by {}…", short(who))?
                }
                Event::SharePaid { to, amount } => outln!("{amount} paid to {}…", short(to))?,
                Event::Burned { amount } => outln!("{amount} burned")?,
                _ => {}
            }
        }
    }
    Ok(())
}
