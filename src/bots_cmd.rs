//! The players' commands: `refute keys`, `account`, `post`, `solver run`,
//! `challenger run`, `claims` and `games` (`specs/bots.md`).

use refute::{errln, outln};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use refute_arbiter::keyfile::{self, KeyError};
use refute_challenger::bot::{Bot, Config};
use refute_challenger::check::CheckMode;
use refute_challenger::client::Client;
use refute_challenger::lie::Lie;
use refute_challenger::player::{Player, Signer, Traces, short};
use refute_challenger::post::{Request, post};
use refute_challenger::store::Store;
use refute_protocol::rules::{B32, ClaimStatus, GameStatus, Message};
use serde_json::json;

use crate::{TaskArgs, bad, claim_inputs};

/// Where the arbiter is and who speaks.
#[derive(Args, Clone, Debug)]
pub struct Conn {
    /// The arbiter's address [default: $REFUTE_ARBITER, or http://127.0.0.1:7878].
    #[arg(long, value_name = "URL")]
    pub arbiter: Option<String>,
    /// The key file, created by `refute keys new` [default: $REFUTE_KEY, or
    /// ~/.local/share/refute/key].
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Play on an EVM chain instead of an arbiter: the node's JSON-RPC URL
    /// [default: $REFUTE_CHAIN]; needs --referee. Amounts are then in wei.
    #[arg(long, value_name = "RPC")]
    pub chain: Option<String>,
    /// The referee contract on --chain [default: $REFUTE_REFEREE]
    /// (`refute chain devnet` prints both).
    #[arg(long, value_name = "ADDRESS")]
    pub referee: Option<String>,
    /// The jobs contract on --chain, for `job post`, `job show`, `solver run`
    /// and `account` [default: $REFUTE_JOBS] (`refute chain devnet` prints it).
    #[arg(long, value_name = "ADDRESS")]
    pub jobs: Option<String>,
}

/// A bot's own options.
#[derive(Args, Clone, Debug)]
pub struct BotArgs {
    /// The bot's state (RocksDB); default: ~/.local/share/refute/bots/<key>.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Most checks and moves at once.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub max_parallel: usize,
}

/// TEST ONLY: options that make a player lie, for tests and demos of
/// the game. An honest player never uses them.
#[derive(Args, Clone, Debug, Default)]
pub struct LieArgs {
    /// TEST ONLY: make up every state from step K on (K ≥ 1), and claim
    /// another output.
    #[arg(long, value_name = "K", help_heading = "Lies (TEST ONLY)")]
    pub lie_at: Option<u64>,
    /// TEST ONLY: tell the truth about every state but the final one, which
    /// claims another output.
    #[arg(long, help_heading = "Lies (TEST ONLY)", conflicts_with = "lie_at")]
    pub lie_output: bool,
    /// TEST ONLY: as --lie-at K, but commit to one made-up story and play
    /// another (equivocation).
    #[arg(long, value_name = "K", help_heading = "Lies (TEST ONLY)", conflicts_with_all = ["lie_at", "lie_output"])]
    pub lie_equivocate: Option<u64>,
}

impl LieArgs {
    fn lie(&self) -> Option<Lie> {
        if let Some(step) = self.lie_at {
            Some(Lie::At { step })
        } else if self.lie_output {
            Some(Lie::Output)
        } else {
            self.lie_equivocate.map(|step| Lie::Equivocate { step })
        }
    }
}

/// `refute keys`.
#[derive(Subcommand)]
pub enum KeysCmd {
    /// Create a new ed25519 key (mode 0600) and print its public key.
    New {
        /// Where to write it (default: ~/.local/share/refute/key).
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
    },
    /// Print the public key of a key file.
    Show {
        /// The key file.
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
    },
}

/// `refute account`.
#[derive(Args)]
pub struct AccountArgs {
    #[command(flatten)]
    conn: Conn,
    /// Another account's public key (default: the key file's).
    #[arg(value_name = "PUBKEY")]
    who: Option<String>,
    /// Ask the arbiter's faucet for this much first (local networks); with
    /// --chain, wei from the devnet's faucet.
    #[arg(long, value_name = "N")]
    mint: Option<u64>,
    /// With --chain: take this many wei of your balance at the referee back
    /// to your account (`all` for all of it).
    #[arg(long, value_name = "WEI|all")]
    withdraw: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// `refute post`.
#[derive(Args)]
pub struct PostArgs {
    #[command(flatten)]
    task: TaskArgs,
    #[command(flatten)]
    conn: Conn,
    #[command(flatten)]
    bot: BotArgs,
    /// The claim's bond.
    #[arg(long, value_name = "N")]
    bond: u64,
    /// Post and exit instead of staying to defend the claim (`refute
    /// solver run` defends it later).
    #[arg(long)]
    no_defend: bool,
    /// Print the claim as JSON when posted.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    lie: LieArgs,
}

/// `refute solver`.
#[derive(Subcommand)]
pub enum SolverCmd {
    /// Defend every claim of the key: answer each game's rounds and end
    /// it with the one-step proof. Once registered (--stake), also answer
    /// every job drawn to the key with a claim, and do its committee duty
    /// (check the claims it is drawn for, attest and disclose, or
    /// challenge). Runs until Ctrl-C.
    Run {
        #[command(flatten)]
        conn: Conn,
        #[command(flatten)]
        bot: BotArgs,
        /// Register as a candidate (for jobs and committees) with this stake (once).
        #[arg(long, value_name = "N")]
        stake: Option<u64>,
        /// The bond of each job's claim (default: the arbiter's minimum for
        /// the job's step limit).
        #[arg(long, value_name = "N")]
        bond: Option<u64>,
        #[command(flatten)]
        lie: LieArgs,
    },
}

/// `refute challenger`.
#[derive(Subcommand)]
pub enum ChallengerCmd {
    /// Follow new claims, check them (one engine run, which also builds
    /// the trace a challenge needs),
    /// challenge wrong ones with a bond, play every game to the end, and
    /// attest claims when on their committee. Runs until Ctrl-C.
    Run {
        #[command(flatten)]
        conn: Conn,
        #[command(flatten)]
        bot: BotArgs,
        /// The bond of each challenge (default: the arbiter's minimum for
        /// each claim, which grows with the claim's step limit).
        #[arg(long, value_name = "N")]
        bond: Option<u64>,
        /// Percent of the claims it is not assigned that it checks.
        #[arg(long, value_name = "PCT", default_value_t = 100, value_parser = clap::value_parser!(u64).range(0..=100))]
        sample_pct: u64,
        /// How to check: `full` (the engine's run and final state root) or
        /// `output` (off a committee, wasmi's output and exit status first:
        /// a cheap sample that neither attests nor challenges on its own).
        #[arg(long, value_name = "MODE", default_value = "full", value_parser = parse_check)]
        check: CheckMode,
        /// Register as a committee candidate with this stake (once).
        #[arg(long, value_name = "N")]
        stake: Option<u64>,
        /// Build the trace of each open job it may have to check at the
        /// job's post, while the drawn solver runs it (one at a time), so
        /// the claim's check finds it built: `on` or `off` [default: on with
        /// --check full, off with --check output].
        #[arg(long, value_name = "on|off", value_parser = parse_on_off)]
        prebuild_jobs: Option<bool>,
        #[command(flatten)]
        lie: LieArgs,
    },
}

/// `--prebuild-jobs on|off`.
fn parse_on_off(s: &str) -> Result<bool, BadOnOff> {
    match s {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(BadOnOff(s.to_string())),
    }
}

/// A switch's value that is neither `on` nor `off`.
#[derive(Debug, thiserror::Error)]
#[error("{0:?} is neither `on` nor `off`")]
struct BadOnOff(String);

/// `--check output|full`.
fn parse_check(s: &str) -> Result<CheckMode, BadCheckMode> {
    match s {
        "output" => Ok(CheckMode::Output),
        "full" => Ok(CheckMode::Full),
        _ => Err(BadCheckMode(s.to_string())),
    }
}

/// A `--check` value that is not a mode.
#[derive(Debug, thiserror::Error)]
#[error("{0:?} is not a check mode: use `output` or `full`")]
struct BadCheckMode(String);

/// `refute claims` and `refute games`.
#[derive(Args)]
pub struct ListArgs {
    /// The arbiter's address [default: $REFUTE_ARBITER, or http://127.0.0.1:7878].
    #[arg(long, value_name = "URL")]
    arbiter: Option<String>,
    /// List a referee contract's instead: the node's JSON-RPC URL [default: $REFUTE_CHAIN].
    #[arg(long, value_name = "RPC")]
    chain: Option<String>,
    /// The referee contract on --chain [default: $REFUTE_REFEREE].
    #[arg(long, value_name = "ADDRESS")]
    referee: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// `refute claims`: the claims, or one claim's output files.
#[derive(Args)]
pub struct ClaimsArgs {
    #[command(flatten)]
    list: ListArgs,
    /// Show the output files of this claim (checked against its final
    /// state) instead of the list of claims.
    #[arg(long, value_name = "CLAIM")]
    files: Option<String>,
    /// With --files: write the files under DIR (each preopen at its guest
    /// path) instead of listing them.
    #[arg(long, value_name = "DIR", requires = "files")]
    save_dir: Option<PathBuf>,
}

pub(crate) fn key_path(key: &Option<PathBuf>) -> PathBuf {
    key.clone()
        .or_else(|| std::env::var_os("REFUTE_KEY").map(PathBuf::from))
        .unwrap_or_else(|| crate::arbiter_cmd::data_home().join("key"))
}

/// The arbiter's address: `--arbiter`, else `$REFUTE_ARBITER`, else the local default.
pub fn arbiter_url(url: &Option<String>) -> String {
    url.clone()
        .or_else(|| std::env::var("REFUTE_ARBITER").ok())
        .unwrap_or_else(|| "http://127.0.0.1:7878".into())
}

pub(crate) fn load_key(path: &Path) -> Result<ed25519_dalek::SigningKey> {
    match keyfile::load(path) {
        Ok(k) => Ok(k.signing_key().clone()),
        Err(KeyError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => Err(bad(
            format!("no key file at {}; create one with `refute keys new --key {0}`", path.display()),
        )),
        Err(e) => Err(bad(e.to_string())),
    }
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

/// `refute keys new|show`.
pub fn keys(cmd: KeysCmd) -> Result<ExitCode> {
    match cmd {
        KeysCmd::New { key } => {
            let path = key_path(&key);
            if path.exists() {
                return Err(bad(format!(
                    "{} already exists; refusing to replace a key (its account would be lost)",
                    path.display()
                )));
            }
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            }
            let k = keyfile::load_or_create(&path)?;
            errln!("created {} (keep it secret: it signs your claims and moves)", path.display());
            outln!("{}", B32(k.public().to_bytes()))?;
        }
        KeysCmd::Show { key } => {
            let k = load_key(&key_path(&key))?;
            outln!("{}", B32(k.verifying_key().to_bytes()))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn parse_key(s: &str) -> Result<B32> {
    refute_protocol::rules::from_hex(s)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .map(B32)
        .ok_or_else(|| bad(format!("{s:?} is not a public key (64 hex digits)")))
}

/// `refute account`.
pub fn account(a: AccountArgs) -> Result<ExitCode> {
    if let Some(t) = crate::chain_bots::target(&a.conn.chain, &a.conn.referee)? {
        if a.who.is_some() {
            return Err(bad("on a chain, `refute account` shows your own key's account (--key)"));
        }
        let seed = load_key(&key_path(&a.conn.key))?.to_bytes();
        let jobs = a.conn.jobs.clone().or_else(|| std::env::var("REFUTE_JOBS").ok());
        return crate::chain_bots::account(&t, jobs.as_deref(), &seed, a.mint, a.withdraw.as_deref(), a.json);
    }
    if a.withdraw.is_some() {
        return Err(bad("--withdraw needs --chain: an arbiter's balances stay on the arbiter"));
    }
    let client = Client::new(&arbiter_url(&a.conn.arbiter));
    runtime()?.block_on(async {
        let (who, signer) = match &a.who {
            Some(s) => (parse_key(s)?, None),
            None => {
                let k = load_key(&key_path(&a.conn.key))?;
                let s = Signer::new(k);
                (s.pk(), Some(s))
            }
        };
        if let Some(amount) = a.mint {
            let s = signer.as_ref().ok_or_else(|| bad("--mint needs your own key, not another account's"))?;
            s.send(&client, Message::Mint { to: who, amount }).await?;
        }
        let acc = client.account(&who).await?;
        if a.json {
            outln!("{}", json!({"key": who, "account": acc}))?;
        } else {
            outln!("account  {who}")?;
            outln!("balance  {}", acc.balance)?;
            outln!("nonce    {}", acc.nonce)?;
            outln!("stake    {}", acc.stake.map_or("not a committee candidate".into(), |s| s.to_string()))?;
            let r = &acc.reputation;
            outln!(
                "record   claims {} posted, {} final, {} rejected; games {} won, {} lost; duties {} done, {} missed; jobs {} done, {} missed",
                r.claims_posted,
                r.claims_final,
                r.claims_rejected,
                r.games_won,
                r.games_lost,
                r.duties_done,
                r.duties_missed,
                r.jobs_done,
                r.jobs_missed
            )?;
        }
        Ok(ExitCode::SUCCESS)
    })
}

async fn player(conn: &Conn, bot: &BotArgs) -> Result<Arc<Player>> {
    let key = load_key(&key_path(&conn.key))?;
    let signer = Signer::new(key);
    let client = Client::new(&arbiter_url(&conn.arbiter));
    let params =
        client.params().await.with_context(|| "cannot start: the arbiter does not answer".to_string())?;
    let dir = bot
        .data_dir
        .clone()
        .unwrap_or_else(|| crate::arbiter_cmd::data_home().join("bots").join(&signer.pk().to_string()[..16]));
    let store = Store::open(&dir, &signer.pk())?;
    tracing::info!(key = %signer.pk(), arbiter = client.base(), state = %dir.display(), "player ready");
    Ok(Arc::new(Player { client, signer, params, store, traces: Traces::default() }))
}

async fn until_ctrl_c(bot: Arc<Bot>) -> ClaimStatus {
    tokio::select! {
        s = bot.run() => s,
        _ = tokio::signal::ctrl_c() => {
            tracing::info!("stopping (Ctrl-C); a restart resumes every game");
            ClaimStatus::Open
        }
    }
}

/// `refute post`.
pub fn post_cmd(a: PostArgs) -> Result<ExitCode> {
    crate::arbiter_cmd::init_logging();
    let (inputs, max_steps) = claim_inputs(&a.task)?;
    if let Some(t) = crate::chain_bots::target(&a.conn.chain, &a.conn.referee)? {
        let lie = a.lie.lie();
        if let Some(l) = lie {
            tracing::warn!("TEST ONLY: this claim lies ({l:?}); it will be challenged and lose its bond");
        }
        let seed = load_key(&key_path(&a.conn.key))?.to_bytes();
        return crate::chain_bots::post_cmd(
            &t,
            &seed,
            &a.bot.data_dir,
            &inputs,
            max_steps,
            Some(a.bond),
            lie,
            a.no_defend,
            a.json,
        );
    }
    let req = Request { inputs, max_steps, bond: a.bond, lie: a.lie.lie(), job: None };
    if let Some(l) = req.lie {
        tracing::warn!("TEST ONLY: this claim lies ({l:?}); it will be challenged and lose its bond");
    }
    runtime()?.block_on(async {
        let p = player(&a.conn, &a.bot).await?;
        let posted = post(&p, req).await?;
        let b = &posted.body;
        if a.json {
            outln!("{}", json!({"claim": posted.id, "body": b, "steps": posted.steps}))?;
        } else {
            outln!("claim    {}", posted.id)?;
            outln!("steps    {} (limit {})", posted.steps, b.max_steps)?;
            outln!("final    {}", b.final_root)?;
            outln!("history  {}", b.history_root)?;
            outln!("stdout   {} bytes: {}", b.stdout.0.len(), refute_challenger::check::preview(&b.stdout.0))?;
            outln!("bond     {}", b.bond)?;
        }
        if a.no_defend {
            return Ok(ExitCode::SUCCESS);
        }
        tracing::info!(claim = %short(&posted.id), "defending the claim until it is settled (Ctrl-C stops; `refute solver run` resumes)");
        let mut config = Config::solver();
        config.until_settled = Some(posted.id);
        config.max_parallel = a.bot.max_parallel;
        let status = until_ctrl_c(Bot::new(p.clone(), config)).await;
        let balance = p.client.account(&p.pk()).await.map(|a| a.balance).unwrap_or_default();
        match status {
            ClaimStatus::Final => {
                outln!("final    the claim stands; balance {balance}")?;
                Ok(ExitCode::SUCCESS)
            }
            ClaimStatus::Rejected => {
                outln!("rejected the claim lost a game and its bond; balance {balance}")?;
                Ok(ExitCode::FAILURE)
            }
            ClaimStatus::Open => Ok(ExitCode::from(130)),
        }
    })
}

/// `refute solver run`.
pub fn solver(cmd: SolverCmd) -> Result<ExitCode> {
    crate::arbiter_cmd::init_logging();
    let SolverCmd::Run { conn, bot, stake, bond, lie } = cmd;
    if let Some(t) = crate::chain_bots::target(&conn.chain, &conn.referee)? {
        if bond.is_some() {
            return Err(bad(
                "--bond is the arbiter's claim bond for jobs: on chain a job's claim locks the referee's minimum bond",
            ));
        }
        let jobs = conn.jobs.clone().or_else(|| std::env::var("REFUTE_JOBS").ok());
        if stake.is_some() && jobs.is_none() {
            return Err(bad(
                "--stake registers on the jobs contract: give --jobs ADDRESS (or $REFUTE_JOBS); `refute chain devnet` prints it",
            ));
        }
        let lie = lie.lie();
        if let Some(l) = lie {
            tracing::warn!(
                "TEST ONLY: this solver's job claims lie ({l:?}); they will be challenged and lose their bonds"
            );
        }
        match &jobs {
            Some(j) => {
                tracing::info!(jobs = %j, "solver running on chain: defending this key's claims and answering the jobs drawn to it")
            }
            None => tracing::info!(
                "solver running on chain: defending this key's claims (no --jobs: answering no jobs)"
            ),
        }
        return crate::chain_bots::run(
            &t,
            &load_key(&key_path(&conn.key))?.to_bytes(),
            &bot.data_dir,
            false,
            None,
            jobs.as_deref(),
            stake,
            lie,
        );
    }
    let lie = lie.lie();
    if let Some(l) = lie {
        tracing::warn!(
            "TEST ONLY: this solver's job claims lie ({l:?}); they will be challenged and lose their bonds"
        );
    }
    runtime()?.block_on(async {
        let p = player(&conn, &bot).await?;
        let registered = register(&p, stake).await?;
        let mut config = Config::solver();
        config.max_parallel = bot.max_parallel;
        if registered {
            // A candidate is drawn for jobs and committees: it answers the
            // ones and does its duty on the others (checks only what it is
            // drawn for: a sample of 0 %).
            config.jobs = true;
            config.challenge = true;
            config.claim_bond = bond.unwrap_or(0);
            config.solve_lie = lie;
            tracing::info!("solver running: answering the jobs drawn to this key, and its committee duties");
        } else {
            tracing::info!("solver running: defending this key's claims (not registered: drawn for no job; --stake N registers)");
        }
        until_ctrl_c(Bot::new(p, config)).await;
        Ok(ExitCode::SUCCESS)
    })
}

/// Registers `p` as a candidate with `stake` unless it is registered;
/// returns whether it is registered (and not leaving).
async fn register(p: &Player, stake: Option<u64>) -> Result<bool> {
    let acc = p.client.account(&p.pk()).await?;
    if acc.stake.is_some() {
        return Ok(acc.slot.is_some());
    }
    let Some(stake) = stake else { return Ok(false) };
    p.signer.send(&p.client, Message::Register { stake }).await?;
    tracing::info!(stake, "registered as a candidate (for jobs and committees)");
    Ok(true)
}

/// `refute challenger run`.
pub fn challenger(cmd: ChallengerCmd) -> Result<ExitCode> {
    crate::arbiter_cmd::init_logging();
    let ChallengerCmd::Run { conn, bot, bond, sample_pct, check, stake, prebuild_jobs, lie } = cmd;
    if let Some(t) = crate::chain_bots::target(&conn.chain, &conn.referee)? {
        if sample_pct != 100 || check != CheckMode::Full {
            return Err(bad(
                "on a chain the challenger checks every claim with the engine: --sample-pct and --check output are for the arbiter",
            ));
        }
        let jobs = conn.jobs.clone().or_else(|| std::env::var("REFUTE_JOBS").ok());
        if stake.is_some() && jobs.is_none() {
            return Err(bad(
                "--stake registers on the jobs contract (committees of jobs' claims): give --jobs ADDRESS (or $REFUTE_JOBS); `refute chain devnet` prints it",
            ));
        }
        let lie = lie.lie();
        if let Some(l) = lie {
            tracing::warn!(
                "TEST ONLY: this challenger lies ({l:?}) about every claim it sees, and will lose its bonds"
            );
        }
        tracing::info!("challenger running on chain: checking every claim with the engine");
        return crate::chain_bots::run(
            &t,
            &load_key(&key_path(&conn.key))?.to_bytes(),
            &bot.data_dir,
            true,
            bond,
            jobs.as_deref(),
            stake,
            lie,
        );
    }
    // With --check output the engine runs only when wasmi disagrees (or on
    // a committee): a run at every job's post would mostly be wasted.
    let prebuild_jobs = prebuild_jobs.unwrap_or(check == CheckMode::Full);
    let lie = lie.lie();
    if let Some(l) = lie {
        tracing::warn!(
            "TEST ONLY: this challenger lies ({l:?}) about every claim it sees, and will lose its bonds"
        );
    }
    runtime()?.block_on(async {
        let p = player(&conn, &bot).await?;
        let bond = bond.unwrap_or(0);
        register(&p, stake).await?;
        let config = Config {
            challenge: true,
            bond,
            sample_pct,
            check,
            max_parallel: bot.max_parallel,
            lie,
            poll: Duration::from_millis(500),
            prebuild_jobs,
            ..Config::solver()
        };
        let bond_text = if bond == 0 { "each claim's minimum".to_string() } else { bond.to_string() };
        tracing::info!(bond = %bond_text, sample_pct, ?check, prebuild_jobs, "challenger running");
        until_ctrl_c(Bot::new(p, config)).await;
        Ok(ExitCode::SUCCESS)
    })
}

/// `refute claims`.
pub fn claims(c: ClaimsArgs) -> Result<ExitCode> {
    let a = c.list;
    if let Some(t) = crate::chain_bots::target(&a.chain, &a.referee)? {
        if c.files.is_some() {
            return Err(bad(
                "--files needs an arbiter: output files are not carried on chain yet (specs/chain.md §8)",
            ));
        }
        return crate::chain_bots::claims(&t, a.json);
    }
    let client = Client::new(&arbiter_url(&a.arbiter));
    runtime()?.block_on(async {
        if let Some(id) = &c.files {
            return crate::files_cmd::show(&client, id, c.save_dir.as_deref(), a.json).await;
        }
        let list = client.claims().await?;
        if a.json {
            outln!("{}", serde_json::to_string_pretty(&serde_json::to_value(list_json_claims(&list))?)?)?;
            return Ok(ExitCode::SUCCESS);
        }
        outln!(
            "{:<66} {:<9} {:>12} {:>8} {:>6} {:<17} {:<15}",
            "CLAIM",
            "STATUS",
            "MAX STEPS",
            "BOND",
            "GAMES",
            "SOLVER",
            "WINDOW ENDS"
        )?;
        for c in &list {
            outln!(
                "{:<66} {:<9} {:>12} {:>8} {:>6} {:<17} {:<15}",
                c.id.to_string(),
                format!("{:?}", c.status).to_lowercase(),
                c.max_steps,
                c.bond,
                c.games.len(),
                format!("{}…", &c.solver.to_string()[..16]),
                when(c.window_ends)
            )?;
        }
        if list.is_empty() {
            outln!("(no claims)")?;
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn list_json_claims(list: &[refute_challenger::client::ClaimSummary]) -> serde_json::Value {
    list.iter()
        .map(|c| {
            json!({"id": c.id, "status": c.status, "solver": c.solver, "max_steps": c.max_steps,
                   "bond": c.bond, "window_ends": c.window_ends, "games": c.games})
        })
        .collect()
}

/// Relative time to `ms` (since the epoch).
pub(crate) fn when(ms: u64) -> String {
    let now = refute_challenger::player::now_ms();
    if ms > now {
        format!("in {:.1} s", (ms - now) as f64 / 1000.0)
    } else {
        format!("{:.1} s ago", (now - ms) as f64 / 1000.0)
    }
}

/// `refute games`.
pub fn games(a: ListArgs) -> Result<ExitCode> {
    if let Some(t) = crate::chain_bots::target(&a.chain, &a.referee)? {
        return crate::chain_bots::games(&t, a.json);
    }
    let client = Client::new(&arbiter_url(&a.arbiter));
    runtime()?.block_on(async {
        let list = client.games().await?;
        let mut rows = Vec::new();
        for g in &list {
            let full = client.game(g.id).await?;
            let layer = full.layer();
            let (a, b) =
                (layer.step_at(full.a as usize).unwrap_or(0), layer.step_at(full.b as usize).unwrap_or(0));
            rows.push((g, full.depth, a, b, full.phase));
        }
        if a.json {
            let v: Vec<_> = rows
                .iter()
                .map(|(g, depth, a, b, phase)| {
                    json!({"id": g.id, "claim": g.claim, "status": g.status, "solver": g.solver,
                           "challenger": g.challenger, "bond": g.bond, "depth": depth,
                           "steps": [a, b], "phase": phase})
                })
                .collect();
            outln!("{}", serde_json::to_string_pretty(&v)?)?;
            return Ok(ExitCode::SUCCESS);
        }
        outln!(
            "{:>5} {:<17} {:<22} {:>8} {:>6} {:<25} {:<17} {:<17}",
            "GAME",
            "CLAIM",
            "STATUS",
            "BOND",
            "DEPTH",
            "DISPUTED STEPS",
            "SOLVER",
            "CHALLENGER"
        )?;
        for (g, depth, a, b, _) in &rows {
            let status = match g.status {
                GameStatus::Won(r) => format!("won by {r:?}").to_lowercase(),
                s => format!("{s:?}").to_lowercase(),
            };
            outln!(
                "{:>5} {:<17} {:<22} {:>8} {:>6} {:<25} {:<17} {:<17}",
                g.id,
                format!("{}…", &g.claim.to_string()[..16]),
                status,
                g.bond,
                depth,
                format!("{a}..{b}"),
                format!("{}…", &g.solver.to_string()[..16]),
                format!("{}…", &g.challenger.to_string()[..16]),
            )?;
        }
        if rows.is_empty() {
            outln!("(no games)")?;
        }
        Ok(ExitCode::SUCCESS)
    })
}
