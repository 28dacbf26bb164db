//! A local Ethereum devnet: anvil (from the npm package of
//! `contracts/package.json`) on 127.0.0.1 with the verifier's contracts
//! deployed, and the verifier called on it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use alloy_primitives::Address;

use crate::evm::{self, EvmError, Outcome};
use crate::rpc::{Rpc, RpcError};

/// Why the devnet could not start or answer.
#[derive(Debug, thiserror::Error)]
pub enum DevnetError {
    /// anvil could not be started.
    #[error("cannot start {path}: {why} (run scripts/setup.sh: it installs anvil in contracts/node_modules)")]
    Anvil {
        /// The anvil binary.
        path: PathBuf,
        /// What went wrong.
        why: String,
    },
    /// The node failed a request.
    #[error(transparent)]
    Rpc(#[from] RpcError),
    /// The compiled contracts are missing or malformed.
    #[error(transparent)]
    Contracts(#[from] EvmError),
    /// A node answered something unexpected.
    #[error("{0}")]
    Unexpected(String),
}

/// The anvil binary: `$REFUTE_ANVIL`, else the npm package's.
pub fn anvil_path() -> PathBuf {
    std::env::var_os("REFUTE_ANVIL")
        .map(PathBuf::from)
        .unwrap_or_else(|| evm::contracts_dir().join("node_modules").join(".bin").join("anvil"))
}

/// A running anvil; dropping it stops the node.
pub struct Devnet {
    child: Child,
    /// Its JSON-RPC URL.
    pub url: String,
}

impl Devnet {
    /// Starts anvil on 127.0.0.1:`port` and waits (at most 30 s) until it answers.
    pub fn start(port: u16) -> Result<Devnet, DevnetError> {
        let path = anvil_path();
        let child = Command::new(&path)
            // A block a second, as a chain has: block timestamps move on
            // with the clock even when nobody sends a transaction.
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--silent", "--block-time", "1"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| DevnetError::Anvil { path: path.clone(), why: e.to_string() })?;
        let mut devnet = Devnet { child, url: format!("http://127.0.0.1:{port}") };
        let rpc = Rpc::new(&devnet.url);
        for _ in 0..300 {
            if rpc.chain_id().is_ok() {
                return Ok(devnet);
            }
            if let Ok(Some(status)) = devnet.child.try_wait() {
                let mut err = String::new();
                if let Some(mut e) = devnet.child.stderr.take() {
                    use std::io::Read;
                    let _ = e.read_to_string(&mut err);
                }
                return Err(DevnetError::Anvil {
                    path,
                    why: format!("it exited ({status}): {}", err.trim()),
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(DevnetError::Anvil { path, why: format!("{} did not answer within 30 s", devnet.url) })
    }

    /// The operating system's process id of anvil.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Devnet {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The verifier's contracts as deployed.
#[derive(Clone, Debug)]
pub struct Deployed {
    /// `Floats`.
    pub floats: Address,
    /// `SimdMachine`.
    pub simd: Address,
    /// `FsFd`: the calls on file system descriptors.
    pub fs_fd: Address,
    /// `FsPath`: the calls that take a path.
    pub fs_path: Address,
    /// `HostMachine`.
    pub host: Address,
    /// `Machine`.
    pub machine: Address,
    /// `StepVerifier`: the address to call.
    pub verifier: Address,
}

/// Deploys the verifier's contracts (`evm::CONTRACTS` order) from the node's
/// first unlocked account.
pub fn deploy_verifier(rpc: &Rpc) -> Result<Deployed, DevnetError> {
    let from = rpc
        .accounts()?
        .into_iter()
        .next()
        .ok_or_else(|| DevnetError::Unexpected("the node has no unlocked account".into()))?;
    let deploy = |name: &str, args: &[Address]| -> Result<Address, DevnetError> {
        let address = rpc.deploy(&from, &evm::creation_with(name, args)?)?;
        address.parse().map_err(|e| DevnetError::Unexpected(format!("{name} at {address}: {e}")))
    };
    let floats = deploy("Floats", &[])?;
    let simd = deploy("SimdMachine", &[])?;
    let fs_fd = deploy("FsFd", &[])?;
    let fs_path = deploy("FsPath", &[])?;
    let host = deploy("HostMachine", &[fs_fd, fs_path])?;
    let machine = deploy("Machine", &[floats, simd, host])?;
    let verifier = deploy("StepVerifier", &[machine])?;
    Ok(Deployed { floats, simd, fs_fd, fs_path, host, machine, verifier })
}

/// The referee's parameters on a devnet (`specs/chain.md` §6): `k = 8` over
/// 9 leaves (§7.5), the challenge window and each player's clock in
/// seconds, an inclusion extension of 10 s, bonds from 0.01 ETH plus 0.001
/// ETH per 2^30 steps: a liar's forfeited share then pays the honest side's
/// gas for the whole dispute at a few gwei (`specs/chain.md` §7.5).
pub fn devnet_params(verifier: Address, window_s: u64, clock_s: u64) -> crate::referee::Params {
    use alloy_primitives::U256;
    let mut p = crate::referee::Params::new(verifier, window_s, clock_s, 10, 8, 9);
    p.minClaimBond = U256::from(10_000_000_000_000_000u64);
    p.minChallengeBond = U256::from(10_000_000_000_000_000u64);
    p.bondPerGstep = U256::from(1_000_000_000_000_000u64);
    p
}

/// Deploys the referee with `params` from the node's first unlocked account.
pub fn deploy_referee(rpc: &Rpc, params: &crate::referee::Params) -> Result<Address, DevnetError> {
    let from = rpc
        .accounts()?
        .into_iter()
        .next()
        .ok_or_else(|| DevnetError::Unexpected("the node has no unlocked account".into()))?;
    let mut code = evm::creation_code("Referee")?;
    code.extend(params.constructor_args());
    let address = rpc.deploy(&from, &code)?;
    address.parse().map_err(|e| DevnetError::Unexpected(format!("Referee at {address}: {e}")))
}

/// Deploys the jobs contract with `params` from the node's first unlocked account.
pub fn deploy_jobs(rpc: &Rpc, params: &crate::jobs::Params) -> Result<Address, DevnetError> {
    let from = rpc
        .accounts()?
        .into_iter()
        .next()
        .ok_or_else(|| DevnetError::Unexpected("the node has no unlocked account".into()))?;
    let mut code = evm::creation_code("Jobs")?;
    code.extend(params.constructor_args());
    let address = rpc.deploy(&from, &code)?;
    address.parse().map_err(|e| DevnetError::Unexpected(format!("Jobs at {address}: {e}")))
}

/// Runs `proof` against `pre` through the verifier at `verifier` on the node
/// (`eth_call`), with the gas of the transaction that would carry it
/// (`eth_estimateGas`, when it verifies).
pub fn verify_step(
    rpc: &Rpc,
    verifier: &Address,
    pre: &[u8; 32],
    proof: &[u8],
) -> Result<(Outcome, Option<u64>), DevnetError> {
    let to = verifier.to_string();
    let data = evm::verify_step_calldata(pre, proof);
    let outcome = match rpc.call(&to, &data)? {
        Ok(out) => evm::outcome_of(Ok(&out))?,
        Err(revert) => evm::outcome_of(Err(&revert))?,
    };
    let gas = match outcome {
        Outcome::Accepted(_) => Some(rpc.estimate_gas(&to, &data)?),
        _ => None,
    };
    Ok((outcome, gas))
}
