//! The players' commands on an EVM chain (`--chain RPC --referee ADDRESS`,
//! or `$REFUTE_CHAIN`, `$REFUTE_REFEREE`): `account`, `post`, `solver run`,
//! `challenger run`, `claims` and `games` against a deployed `Referee`
//! (`specs/chain.md` §6). A thin shell around `refute_challenger::onchain`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use refute::outln;
use refute_chain::alloy_primitives::{B256, U256};
use refute_chain::client::Chain;
use refute_chain::jobs::IJobs;
use refute_chain::referee::{self, IReferee};
use refute_chain::wallet::Wallet;
use refute_challenger::lie::Lie;
use refute_challenger::onchain::{ChainPlayer, b32, post};
use refute_challenger::onchain_bot::BotConfig;
use refute_challenger::player::short;
use refute_challenger::store::Store;
use refute_protocol::inputs::ClaimInputs;
use serde_json::json;

use crate::bad;

/// The chain a command plays on: `--chain` (or `$REFUTE_CHAIN`) and
/// `--referee` (or `$REFUTE_REFEREE`); `None` when neither is given (the
/// command talks to an arbiter).
pub fn target(chain: &Option<String>, referee: &Option<String>) -> Result<Option<(String, String)>> {
    let chain = chain.clone().or_else(|| std::env::var("REFUTE_CHAIN").ok());
    let referee = referee.clone().or_else(|| std::env::var("REFUTE_REFEREE").ok());
    match (chain, referee) {
        (None, None) => Ok(None),
        (Some(c), Some(r)) => Ok(Some((c, r))),
        (Some(_), None) => {
            Err(bad("--chain needs --referee ADDRESS (or $REFUTE_REFEREE): `refute chain devnet` prints it"))
        }
        (None, Some(_)) => {
            Err(bad("--referee needs --chain URL (or $REFUTE_CHAIN): `refute chain devnet` prints it"))
        }
    }
}

fn connect(t: &(String, String)) -> Result<Chain> {
    Chain::connect(&t.0, &t.1).with_context(|| format!("cannot reach the referee {} at {}", t.1, t.0))
}

/// A player's key: the 32-byte seed of its key file (the caller loads it).
pub type Seed = [u8; 32];

fn player(t: &(String, String), seed: &Seed, data_dir: &Option<PathBuf>) -> Result<ChainPlayer> {
    let chain = connect(t)?;
    let wallet = Wallet::from_seed(seed);
    let dir = data_dir.clone().unwrap_or_else(|| {
        crate::arbiter_cmd::data_home().join("chain-bots").join(wallet.address.to_string().to_lowercase())
    });
    let store = Store::open(&dir, &referee::address_key(&wallet.address))?;
    tracing::info!(account = %wallet.address, state = %dir.display(), "player ready");
    ChainPlayer::new(chain, wallet, store)
}

/// Set on Ctrl-C or SIGTERM.
fn stop_on_signal() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    std::thread::spawn(move || {
        if crate::chain_cmd::wait_for_stop().is_err() {
            return;
        }
        tracing::info!("stopping; a restart resumes every game");
        flag.store(true, Ordering::Relaxed);
    });
    stop
}

fn config(challenge: bool, bond: Option<u64>, lie: Option<Lie>) -> BotConfig {
    BotConfig {
        challenge,
        bond: bond.map(U256::from),
        lie,
        until_ended: Vec::new(),
        poll: Duration::from_millis(500),
        jobs: None,
    }
}

/// `refute account --chain …`: the key's address, its wei, its balance at
/// the referee and (with a jobs contract) its balance and stake there.
pub fn account(
    t: &(String, String),
    jobs: Option<&str>,
    seed: &Seed,
    mint: Option<u64>,
    withdraw: Option<&str>,
    json: bool,
) -> Result<ExitCode> {
    let chain = connect(t)?;
    let jobs = jobs.map(|j| refute_chain::jobs::connect(&chain, j)).transpose()?;
    let w = Wallet::from_seed(seed);
    if let Some(amount) = mint {
        let have = chain.eth_balance(&w.address)?;
        chain.set_eth_balance(&w.address, have + U256::from(amount))?;
    }
    if let Some(amount) = withdraw {
        let held = chain.view(IReferee::balanceOfCall { who: w.address })?;
        let amount = match amount {
            "all" => held,
            n => {
                n.parse::<U256>().map_err(|_| bad(format!("--withdraw {n:?}: a number of wei, or `all`")))?
            }
        };
        if amount > held {
            return Err(bad(format!(
                "--withdraw {amount}: the referee holds only {held} wei for {}",
                w.address
            )));
        }
        if amount > U256::ZERO {
            let mined = chain.send(&w, &IReferee::withdrawCall { amount }, U256::ZERO)?;
            refute::errln!("withdrew {amount} wei from the referee (gas {})", mined.gas);
        }
        // `all` also empties the balance at the jobs contract (rewards, refunds, a returned stake).
        if let (Some(j), "all") = (jobs, withdraw.unwrap_or_default()) {
            let amount = chain.view_at(j, IJobs::balanceOfCall { who: w.address })?;
            if amount > U256::ZERO {
                let mined = chain.send_to(&w, j, &IJobs::withdrawCall { amount }, U256::ZERO)?;
                refute::errln!("withdrew {amount} wei from the jobs contract (gas {})", mined.gas);
            }
        }
    }
    let eth = chain.eth_balance(&w.address)?;
    let at_referee = chain.view(IReferee::balanceOfCall { who: w.address })?;
    let claims = chain.view(IReferee::claimNonceCall { who: w.address })?;
    let at_jobs = match jobs {
        Some(j) => Some((
            chain.view_at(j, IJobs::balanceOfCall { who: w.address })?,
            chain.view_at(j, IJobs::getAccountCall { who: w.address })?,
        )),
        None => None,
    };
    if json {
        let mut v = json!({"address": w.address.to_string(), "wei": eth.to_string(), "referee_balance": at_referee.to_string(), "claims_posted": claims});
        if let Some((b, a)) = &at_jobs {
            v["jobs_balance"] = json!(b.to_string());
            v["stake"] = json!(a.stake.to_string());
            v["registered"] = json!(a.registered);
            v["leaving"] = json!(a.leaving);
        }
        outln!("{v}")?;
    } else {
        outln!("address  {}", w.address)?;
        outln!("wei      {eth}")?;
        outln!("balance  {at_referee} (wei held for you by the referee)")?;
        outln!("claims   {claims} posted")?;
        if let Some((b, a)) = &at_jobs {
            outln!("jobs     {b} (wei held for you by the jobs contract)")?;
            let what = match (a.registered, a.leaving) {
                (true, _) => "registered: drawn for jobs by stake",
                (_, true) => "leaving: held until the job it was drawn for ends",
                _ => "not registered (`refute solver run --stake WEI` registers)",
            };
            outln!("stake    {} ({what})", a.stake)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `refute post --chain …`: publishes the blobs, posts the claim and,
/// unless `no_defend`, defends it until it ends.
#[allow(clippy::too_many_arguments)]
pub fn post_cmd(
    t: &(String, String),
    seed: &Seed,
    data_dir: &Option<PathBuf>,
    inputs: &ClaimInputs,
    max_steps: u64,
    bond: Option<u64>,
    lie: Option<Lie>,
    no_defend: bool,
    json: bool,
) -> Result<ExitCode> {
    let mut p = player(t, seed, data_dir)?;
    let id = post(&mut p, inputs, max_steps, bond.map(U256::from), lie)?;
    let c = p.chain.view(IReferee::getClaimCall { id })?;
    if json {
        outln!(
            "{}",
            json!({"claim": id.to_string(), "final_root": c.finalRoot.to_string(), "history_root": c.historyRoot.to_string(), "bond": c.bond.to_string(), "window_ends": c.windowEnds})
        )?;
    } else {
        outln!("claim    {id}")?;
        outln!("final    {}", c.finalRoot)?;
        outln!("history  {}", c.historyRoot)?;
        outln!("bond     {} wei", c.bond)?;
    }
    if no_defend {
        return Ok(ExitCode::SUCCESS);
    }
    tracing::info!(claim = %short(&b32(&id)), "defending the claim until it ends (Ctrl-C stops; `refute solver run --chain …` resumes)");
    let mut cfg = config(false, None, None);
    cfg.until_ended = vec![id];
    let stop = stop_on_signal();
    let ended = refute_challenger::onchain_bot::run(&mut p, &cfg, &stop)?;
    let balance = p.chain.view(IReferee::balanceOfCall { who: p.wallet.address })?;
    match ended.first().map(|e| e.1) {
        Some(referee::CLAIM_FINAL) => {
            outln!("final    the claim stands; balance {balance} wei")?;
            Ok(ExitCode::SUCCESS)
        }
        Some(_) => {
            outln!("rejected the claim lost a game and its bond; balance {balance} wei")?;
            Ok(ExitCode::FAILURE)
        }
        None => Ok(ExitCode::from(130)),
    }
}

/// `refute solver run --chain …` and `refute challenger run --chain …`:
/// plays this key's games, checks claims (a challenger), and with a jobs
/// contract answers the jobs drawn to it (a solver; a challenger declines
/// them) and does its committee duties, registering with `stake` first.
#[allow(clippy::too_many_arguments)]
pub fn run(
    t: &(String, String),
    seed: &Seed,
    data_dir: &Option<PathBuf>,
    challenge: bool,
    bond: Option<u64>,
    jobs: Option<&str>,
    stake: Option<u64>,
    lie: Option<Lie>,
) -> Result<ExitCode> {
    let mut p = player(t, seed, data_dir)?;
    let mut cfg = config(challenge, bond, lie);
    if let Some(j) = jobs {
        let address = refute_chain::jobs::connect(&p.chain, j)?;
        if let Some(s) = stake {
            refute_challenger::onchain_jobs::register(&p, address, U256::from(s))?;
        }
        cfg.jobs = Some(address);
    }
    let stop = stop_on_signal();
    refute_challenger::onchain_bot::run(&mut p, &cfg, &stop)?;
    Ok(ExitCode::SUCCESS)
}

/// `refute claims --chain …`.
pub fn claims(t: &(String, String), json: bool) -> Result<ExitCode> {
    let chain = connect(t)?;
    let (head, now) = chain.head()?;
    let mut rows = Vec::new();
    for e in chain.events(0, head)? {
        if let IReferee::IRefereeEvents::ClaimPosted(c) = e.event {
            let s = chain.view(IReferee::getClaimCall { id: c.claim })?;
            rows.push((c.claim, s));
        }
    }
    if json {
        let v: Vec<_> = rows
            .iter()
            .map(|(id, c)| {
                json!({"id": id.to_string(), "status": claim_status(c.status), "solver": c.solver.to_string(),
                       "max_steps": c.maxSteps, "bond": c.bond.to_string(), "window_ends": c.windowEnds,
                       "open_games": c.openGames, "final_root": c.finalRoot.to_string()})
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "{:<66} {:<9} {:>14} {:>22} {:>6} {:<43} {:<15}",
        "CLAIM",
        "STATUS",
        "MAX STEPS",
        "BOND (WEI)",
        "OPEN",
        "SOLVER",
        "WINDOW ENDS"
    )?;
    for (id, c) in &rows {
        outln!(
            "{:<66} {:<9} {:>14} {:>22} {:>6} {:<43} {:<15}",
            id.to_string(),
            claim_status(c.status),
            c.maxSteps,
            c.bond,
            c.openGames,
            c.solver.to_string(),
            when(c.windowEnds, now)
        )?;
    }
    if rows.is_empty() {
        outln!("(no claims)")?;
    }
    Ok(ExitCode::SUCCESS)
}

fn claim_status(s: u8) -> &'static str {
    match s {
        referee::CLAIM_OPEN => "open",
        referee::CLAIM_FINAL => "final",
        referee::CLAIM_REJECTED => "rejected",
        _ => "unknown",
    }
}

fn game_status(s: u8) -> &'static str {
    match s {
        referee::GAME_OPEN => "open",
        referee::GAME_SOLVER => "won by solver",
        referee::GAME_CHALLENGER => "won by challenger",
        referee::GAME_BOTH => "lost by both",
        _ => "unknown",
    }
}

/// Relative time to `secs` from the chain's `now`.
fn when(secs: u64, now: u64) -> String {
    if secs > now { format!("in {} s", secs - now) } else { format!("{} s ago", now - secs) }
}

/// `refute games --chain …`.
pub fn games(t: &(String, String), json: bool) -> Result<ExitCode> {
    let chain = connect(t)?;
    let n = chain.view(IReferee::nextGameCall {})?;
    let mut rows = Vec::new();
    for id in 0..n {
        let g = chain.view(IReferee::getGameCall { id })?;
        let rg = referee::rules_game(&g);
        let layer = rg.layer();
        let steps = (layer.step_at(rg.a as usize).unwrap_or(0), layer.step_at(rg.b as usize).unwrap_or(0));
        rows.push((id, g, steps));
    }
    if json {
        let v: Vec<_> = rows
            .iter()
            .map(|(id, g, (a, b))| {
                json!({"id": id, "claim": g.claim.to_string(), "status": game_status(g.status),
                       "solver": g.sides[0].key.to_string(), "challenger": g.sides[1].key.to_string(),
                       "bond": g.bond.to_string(), "depth": g.depth, "steps": [a, b], "moves": g.moves})
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "{:>5} {:<17} {:<18} {:>6} {:<27} {:<43} {:<43}",
        "GAME",
        "CLAIM",
        "STATUS",
        "DEPTH",
        "DISPUTED STEPS",
        "SOLVER",
        "CHALLENGER"
    )?;
    for (id, g, (a, b)) in &rows {
        outln!(
            "{:>5} {:<17} {:<18} {:>6} {:<27} {:<43} {:<43}",
            id,
            format!("{}…", &B256::from(g.claim).to_string()[..16]),
            game_status(g.status),
            g.depth,
            format!("{a}..{b}"),
            g.sides[0].key.to_string(),
            g.sides[1].key.to_string()
        )?;
    }
    if rows.is_empty() {
        outln!("(no games)")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `refute trace show --chain … --game N`: the game's timeline, read from the referee.
pub fn trace_show(
    t: &(String, String),
    game: u64,
    json: bool,
    html: Option<&std::path::Path>,
) -> Result<ExitCode> {
    let chain = connect(t)?;
    let tl = refute_chain::timeline::of_game(&chain, game)?;
    crate::trace_cmd::write_html(&tl, html)?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&tl)?)?;
    } else {
        refute::out!("{}", refute_traces::text::render(&tl))?;
    }
    Ok(if tl.failure.is_none() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
