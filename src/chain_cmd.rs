//! `refute chain devnet`: anvil on 127.0.0.1 with the verifier deployed.

use anyhow::{Context, Result};
use refute::{errln, outln};
use std::process::ExitCode;

/// Starts the devnet, deploys the contracts, prints where they are, and
/// waits for Ctrl-C or SIGTERM (dropping the devnet stops anvil).
pub fn devnet(port: u16) -> Result<ExitCode> {
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
    outln!("rpc {}", net.url)?;
    outln!("verifier {}", d.verifier)?;
    outln!("machine {}", d.machine)?;
    outln!("simd {}", d.simd)?;
    outln!("host {}", d.host)?;
    outln!("floats {}", d.floats)?;
    for a in accounts.iter().take(2) {
        outln!("account {a}")?;
    }
    errln!(
        "refute: ready; `refute verify-step FILE --chain {} --verifier {}`; Ctrl-C stops the node",
        net.url,
        d.verifier
    );
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
    errln!("refute: stopping the devnet");
    drop(net);
    Ok(ExitCode::SUCCESS)
}
