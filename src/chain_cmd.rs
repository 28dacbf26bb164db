//! `refute chain devnet`: anvil on 127.0.0.1 with the verifier, the referee and the jobs contract deployed.

use anyhow::{Context, Result};
use refute::{errln, outln};
use std::process::ExitCode;

/// Starts the devnet, deploys the contracts, prints where they are, and
/// waits for Ctrl-C or SIGTERM (dropping the devnet stops anvil).
pub fn devnet(port: u16, window_s: u64, clock_s: u64, answer_s: u64) -> Result<ExitCode> {
    if window_s == 0 || clock_s == 0 || answer_s == 0 {
        return Err(crate::bad("--window, --clock and --answer must be at least 1 second"));
    }
    let net = refute_chain::devnet::Devnet::start(port)?;
    let rpc = refute_chain::rpc::Rpc::new(&net.url);
    let chain_id = rpc.chain_id()?;
    let accounts = rpc.accounts()?;
    errln!(
        "refute: anvil (pid {}) answers at {} (chain id {chain_id}); deploying the verifier",
        net.pid(),
        net.url
    );
    let d = refute_chain::devnet::deploy_verifier(&rpc).context("deploying the verifier's contracts")?;
    let params = refute_chain::devnet::devnet_params(d.verifier, window_s, clock_s);
    let referee = refute_chain::devnet::deploy_referee(&rpc, &params).context("deploying the referee")?;
    let jobs_params = refute_chain::jobs::devnet_params(referee, answer_s, window_s);
    let jobs =
        refute_chain::devnet::deploy_jobs(&rpc, &jobs_params).context("deploying the jobs contract")?;
    outln!("rpc {}", net.url)?;
    outln!("referee {referee}")?;
    outln!("jobs {jobs}")?;
    outln!("verifier {}", d.verifier)?;
    outln!("machine {}", d.machine)?;
    outln!("simd {}", d.simd)?;
    outln!("host {}", d.host)?;
    outln!("floats {}", d.floats)?;
    for a in accounts.iter().take(2) {
        outln!("account {a}")?;
    }
    errln!(
        "refute: ready; the referee: k {}, {} leaves, window {window_s} s, clock {clock_s} s, extension {} s, bonds from {} wei",
        params.k,
        params.maxLeaves,
        params.grace,
        params.minClaimBond
    );
    errln!(
        "refute: jobs: stakes from {} wei, {} wei slashed from a drawn solver that does not answer within {answer_s} s",
        jobs_params.minStake,
        jobs_params.dutySlash
    );
    errln!(
        "refute: play with `--chain {url} --referee {referee}` (or REFUTE_CHAIN, REFUTE_REFEREE), and `--jobs {jobs}` (or REFUTE_JOBS) for jobs; fund a key with `refute account --key FILE --mint WEI` (10 ETH = 10000000000000000000); Ctrl-C stops the node",
        url = net.url
    );
    wait_for_stop()?;
    errln!("refute: stopping the devnet");
    drop(net);
    Ok(ExitCode::SUCCESS)
}

/// Blocks until Ctrl-C or SIGTERM.
pub fn wait_for_stop() -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! { _ = tokio::signal::ctrl_c() => {}, _ = term => {} }
    });
    Ok(())
}
