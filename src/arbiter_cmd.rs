//! `refute arbiter serve` and `refute log verify`.

use anyhow::{Context, Result, anyhow};
use refute::outln;
use refute_arbiter::db::Db;
use refute_arbiter::http;
use refute_arbiter::service::core::PARAMS_KEY;
use refute_arbiter::service::{Config, Service};
use refute_protocol::log::{Chain, Head};
use refute_protocol::record::Record;
use refute_protocol::rules::params_hash;
use refute_protocol::rules::{Archive, B32, ClaimStatus, GameStatus, JobStatus, Params, Rules};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// refute's data home: `$XDG_DATA_HOME/refute` or `~/.local/share/refute`.
pub fn data_home() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("refute")
}

/// The arbiter's default data directory: `arbiter/` in the [`data_home`].
pub fn default_data_dir() -> PathBuf {
    data_home().join("arbiter")
}

/// Logs to stderr at `info` (`RUST_LOG` overrides), in colour on a terminal.
pub fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// Runs the arbiter until Ctrl-C or SIGTERM.
pub fn serve(data_dir: &Path, listen: SocketAddr, params: Params) -> Result<()> {
    init_logging();
    let mut config = Config::local(data_dir);
    config.params = params;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let service = Service::open(&config)?;
        if let Some(w) = &service.warning {
            tracing::warn!("{w}");
        }
        let listening = async {
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| format!("cannot listen on {listen}"))?;
            let addr = listener.local_addr()?;
            let head = service.read(|c| c.head());
            tracing::info!(
                data_dir = %data_dir.display(),
                arbiter = %service.arbiter(),
                entries = head.next,
                "arbiter listening on http://{addr}"
            );
            // Scripts read the address from stdout.
            outln!("listening on http://{addr}")?;
            anyhow::Ok(listener)
        };
        let listener = match listening.await {
            Ok(l) => l,
            Err(e) => {
                // Stop the writer (and close RocksDB) before the process ends.
                let s = service.clone();
                tokio::task::spawn_blocking(move || s.shutdown()).await.ok();
                return Err(e);
            }
        };
        let shutdown = async {
            let term = async {
                #[cfg(unix)]
                if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    s.recv().await;
                    return;
                }
                std::future::pending::<()>().await
            };
            tokio::select! { _ = tokio::signal::ctrl_c() => {}, _ = term => {} }
            tracing::info!("shutting down: finishing queued requests");
        };
        http::serve(service, listener, config.tick_every, shutdown).await?;
        tracing::info!("stopped");
        Ok(())
    })
}

/// Replays the log of the arbiter in `data_dir` from its first entry:
/// every signature and hash link, every transition re-derived.
pub fn verify_log(data_dir: &Path, json: bool) -> Result<()> {
    if !data_dir.join("arbiter.key").exists() {
        return Err(anyhow!(
            "{} holds no arbiter (no arbiter.key); pass the arbiter's --data-dir",
            data_dir.display()
        ));
    }
    let key = refute_arbiter::keyfile::load(&data_dir.join("arbiter.key"))?;
    let db = Db::open(&data_dir.join("db"))?;
    let params: Params = match db.get_state(PARAMS_KEY)? {
        Some(b) => serde_json::from_slice(&b).context("stored parameters")?,
        None if db.log_head().is_none() => {
            outln!("log ok: the log in {} is empty (no transition yet)", data_dir.display())?;
            return Ok(());
        }
        None => {
            return Err(anyhow!("the log in {} has entries but no stored parameters", data_dir.display()));
        }
    };
    let public = key.public();
    let mut chain = Chain::new(Head::genesis(&public, &params_hash(&params)));
    let mut rules = Rules::new(params).map_err(|e| anyhow!("stored parameters: {e}"))?;
    let (mut outages, mut down_ms) = (0u64, 0u64);
    // Claims and games are counted as they end and leave the state (so
    // memory holds only what is being played, however long the log), and
    // at the end those still in it.
    let mut counts = Counts::default();
    for e in db.log_entries(0) {
        let e = e?;
        chain.accept(&public, &e).map_err(|err| anyhow!("the log does not check: {err}"))?;
        let r = Record::of(&e).map_err(|why| anyhow!("the log does not check: {why}"))?;
        r.replay(&mut rules).map_err(|why| anyhow!("the log does not check at entry {}: {why}", e.index))?;
        counts.add(&rules.take_archive());
        if let Some(from) = r.resumed {
            outages += 1;
            down_ms += r.now - from;
        }
    }
    let head = chain.head();
    if Some(head) != db.log_head() {
        return Err(anyhow!("the stored log head differs from the last entry's"));
    }
    let s = &rules.state;
    counts.add(&Archive { claims: s.claims.clone(), games: s.games.clone(), jobs: s.jobs.clone() });
    let open = s.games.values().filter(|g| g.status == GameStatus::Open).count();
    let balances: u128 = s.accounts.values().map(|a| a.balance as u128).sum();
    if s.accounted() != s.minted as u128 {
        return Err(anyhow!("funds are not conserved: {} accounted, {} minted", s.accounted(), s.minted));
    }
    let out = serde_json::json!({
        "arbiter": B32(public.to_bytes()),
        "entries": head.next,
        "head": head,
        "accounts": s.accounts.len(),
        "balances": balances as u64,
        "held": s.held() as u64,
        "minted": s.minted,
        "burned": s.burned,
        "claims": counts.claims,
        "claims_final": counts.fin,
        "claims_rejected": counts.rejected,
        "games": counts.games,
        "games_open": open,
        "jobs": counts.jobs,
        "jobs_done": counts.jobs_done,
        "jobs_failed": counts.jobs_failed,
        "funds_conserved": true,
        "outages": outages,
        "outage_ms": down_ms,
    });
    if json {
        outln!("{}", serde_json::to_string_pretty(&out)?)?;
    } else {
        outln!(
            "log ok: {} entries signed by {}, replayed from the first\n{} accounts; funds conserved: {} minted = {} in balances + {} held + {} burned\n{} claims ({} final, {} rejected), {} games ({} open), {} jobs ({} done, {} failed)\n{} outages ({:.1} s in all; running deadlines extended by each)",
            head.next,
            out["arbiter"].as_str().unwrap_or(""),
            s.accounts.len(),
            s.minted,
            balances,
            s.held(),
            s.burned,
            counts.claims,
            counts.fin,
            counts.rejected,
            counts.games,
            open,
            counts.jobs,
            counts.jobs_done,
            counts.jobs_failed,
            outages,
            down_ms as f64 / 1000.0
        )?;
    }
    Ok(())
}

/// How many claims (and of them final, rejected) and games a log has.
#[derive(Default)]
struct Counts {
    claims: usize,
    fin: usize,
    rejected: usize,
    games: usize,
    jobs: usize,
    jobs_done: usize,
    jobs_failed: usize,
}

impl Counts {
    fn add(&mut self, a: &Archive) {
        self.claims += a.claims.len();
        self.fin += a.claims.values().filter(|c| c.status == ClaimStatus::Final).count();
        self.rejected += a.claims.values().filter(|c| c.status == ClaimStatus::Rejected).count();
        self.games += a.games.len();
        self.jobs += a.jobs.len();
        self.jobs_done += a.jobs.values().filter(|j| j.status == JobStatus::Done).count();
        self.jobs_failed += a.jobs.values().filter(|j| j.status == JobStatus::Failed).count();
    }
}
