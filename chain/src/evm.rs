//! An in-process EVM (revm, the Ethereum spec of its default context) with
//! refute's compiled contracts deployed: what the differential tests and
//! `refute verify-step --evm` run a proof through.
//!
//! The contracts are compiled by forge (`scripts/setup.sh` installs it;
//! `contracts/build.sh` runs it) into `contracts/out/`; [`Evm::new`] reads
//! the artifacts from there and refuses clearly when they are missing.

use std::path::{Path, PathBuf};

pub use alloy_primitives::Address;
use alloy_primitives::{B256, Bytes, TxKind, U256};
use alloy_sol_types::{SolCall, SolInterface, SolValue, sol};
use revm::context::TxEnv;
use revm::context::result::{ExecutionResult, Output};
use revm::database::{CacheDB, EmptyDB};
use revm::{Context, ExecuteCommitEvm, MainBuilder, MainContext, MainnetEvm};

sol! {
    /// The on-chain one-step verifier (`contracts/src/StepVerifier.sol`).
    interface IStepVerifier {
        function verifyStep(bytes32 pre, bytes proof) external view returns (bytes32 post);
        error Malformed(string why);
        error WrongPreState(bytes32 expected, bytes32 got);
        error BadOpening(uint256 tree, string why);
        error Missing(string what);
        error BadState(string why);
        error Unsupported(uint256 opcode);
        function floats() external view returns (address);
    }

    /// The float instructions (`contracts/src/Floats.sol`).
    interface IFloats {
        function binary(uint256 op, uint256 a, uint256 b) external pure returns (uint256);
        function unary(uint256 op, uint256 a) external pure returns (uint256, uint256);
    }
}

/// The per-transaction gas cap of EIP-7825 (2^24), which revm enforces: every
/// on-chain move, a one-step proof included, must fit in it.
pub const TX_GAS_CAP: u64 = 1 << 24;

/// The runtime size limit of EIP-170.
pub const MAX_CODE_BYTES: usize = 24_576;

/// What the contract said about a proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It verified: the post-state root.
    Accepted(B256),
    /// It refused the step for a reason `verify_step` also has.
    Refused(String),
    /// It does not implement this instruction (yet): an opcode, or
    /// [`crate::HOST_CALL`]` + id` for a call of host function `id`.
    Unsupported(u32),
}

/// A verdict and the whole transaction's gas.
#[derive(Clone, Debug)]
pub struct Verdict {
    /// Accepted, refused or unsupported.
    pub outcome: Outcome,
    /// Gas of the whole transaction (21,000 base and calldata included).
    pub gas: u64,
}

/// Why the EVM could not be set up or run.
#[derive(Debug, thiserror::Error)]
pub enum EvmError {
    /// The compiled contracts are not there.
    #[error("{path}: {why} (build the contracts first: `bash contracts/build.sh`, after `scripts/setup.sh`)")]
    Artifact {
        /// The artifact file.
        path: PathBuf,
        /// What went wrong.
        why: String,
    },
    /// revm refused the transaction itself.
    #[error("the EVM refused the transaction: {0}")]
    Transaction(String),
    /// The deployment failed.
    #[error("deploying {0} failed: {1}")]
    Deploy(String, String),
}

/// The `contracts/` directory: `$REFUTE_CONTRACTS` if set; else that of
/// the checkout `cargo` runs in (`$CARGO_MANIFEST_DIR` of a package of the
/// workspace: the root or a member); else the workspace's this crate was
/// built from (a target directory shared by several checkouts may hold a
/// binary built in another).
pub fn contracts_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("REFUTE_CONTRACTS") {
        return PathBuf::from(dir);
    }
    let running = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let candidates = running.iter().flat_map(|d| [d.join("contracts"), d.join("..").join("contracts")]);
    candidates
        .into_iter()
        .find(|c| c.join("foundry.toml").is_file())
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("contracts"))
}

/// The contracts of the on-chain verifier, in deployment order.
pub const CONTRACTS: [&str; 7] =
    ["Floats", "SimdMachine", "FsFd", "FsPath", "HostMachine", "Machine", "StepVerifier"];

/// The runtime code size of `contract` as compiled (`deployedBytecode`).
pub fn runtime_size(contract: &str) -> Result<usize, EvmError> {
    let path = contracts_dir().join("out").join(format!("{contract}.sol")).join(format!("{contract}.json"));
    let bad = |why: String| EvmError::Artifact { path: path.clone(), why };
    let text = std::fs::read_to_string(&path).map_err(|e| bad(e.to_string()))?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let hex = json["deployedBytecode"]["object"]
        .as_str()
        .ok_or_else(|| bad("no deployedBytecode.object".into()))?;
    Ok(hex.trim_start_matches("0x").len() / 2)
}

/// The creation code of `contract` (from `contracts/out/`).
pub fn creation_code(contract: &str) -> Result<Vec<u8>, EvmError> {
    let path = contracts_dir().join("out").join(format!("{contract}.sol")).join(format!("{contract}.json"));
    let bad = |why: String| EvmError::Artifact { path: path.clone(), why };
    let text = std::fs::read_to_string(&path).map_err(|e| bad(e.to_string()))?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let hex = json["bytecode"]["object"].as_str().ok_or_else(|| bad("no bytecode.object".into()))?;
    decode_hex(hex.trim_start_matches("0x")).ok_or_else(|| bad("bytecode is not hex".into()))
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// An EVM with the step verifier deployed.
pub struct Evm {
    evm: MainnetEvm<revm::handler::MainnetContext<CacheDB<EmptyDB>>>,
    caller: Address,
    nonce: u64,
    /// The step verifier's address.
    pub verifier: Address,
    /// The step verifier's runtime size in bytes.
    pub verifier_bytes: usize,
    /// The `Floats` contract the verifier deployed.
    pub floats: Address,
}

impl Evm {
    /// A fresh chain with `StepVerifier` deployed from `contracts/out/`.
    pub fn new() -> Result<Evm, EvmError> {
        let evm = Context::mainnet()
            .with_db(CacheDB::<EmptyDB>::default())
            .modify_cfg_chained(|c| {
                c.disable_nonce_check = true;
            })
            .build_mainnet();
        let mut e = Evm {
            evm,
            caller: Address::repeat_byte(0x11),
            nonce: 0,
            verifier: Address::ZERO,
            verifier_bytes: 0,
            floats: Address::ZERO,
        };
        // The parts first (EIP-3860 caps creation code at 49,152 bytes).
        let (floats, _) = e.deploy("Floats", creation_with("Floats", &[])?)?;
        let (simd, _) = e.deploy("SimdMachine", creation_with("SimdMachine", &[])?)?;
        let (fs_fd, _) = e.deploy("FsFd", creation_with("FsFd", &[])?)?;
        let (fs_path, _) = e.deploy("FsPath", creation_with("FsPath", &[])?)?;
        let (host, _) = e.deploy("HostMachine", creation_with("HostMachine", &[fs_fd, fs_path])?)?;
        let (machine, _) = e.deploy("Machine", creation_with("Machine", &[floats, simd, host])?)?;
        let (address, size) = e.deploy("StepVerifier", creation_with("StepVerifier", &[machine])?)?;
        e.verifier = address;
        e.verifier_bytes = size;
        let out = e.call(address, IStepVerifier::floatsCall {}.abi_encode())?;
        e.floats = IStepVerifier::floatsCall::abi_decode_returns(&out)
            .map_err(|err| EvmError::Deploy("Floats".into(), err.to_string()))?;
        Ok(e)
    }

    /// A successful call's output.
    fn call(&mut self, to: Address, data: Vec<u8>) -> Result<Vec<u8>, EvmError> {
        match self.transact(TxKind::Call(to), data)? {
            ExecutionResult::Success { output, .. } => Ok(output.data().to_vec()),
            other => Err(EvmError::Transaction(format!("the call failed: {other:?}"))),
        }
    }

    /// `Floats.binary(op, a, b)`: a binary float operator on slots.
    pub fn float_binary(&mut self, op: u8, a: u64, b: u64) -> Result<u64, EvmError> {
        let call = IFloats::binaryCall { op: U256::from(op), a: U256::from(a), b: U256::from(b) };
        let out = self.call(self.floats, call.abi_encode())?;
        let v = IFloats::binaryCall::abi_decode_returns(&out)
            .map_err(|e| EvmError::Transaction(e.to_string()))?;
        u64::try_from(v).map_err(|_| EvmError::Transaction(format!("a result wider than a slot: {v}")))
    }

    /// `Floats.unary(op, a)`: a unary float operator or conversion: the value and the trap (0 for none).
    pub fn float_unary(&mut self, op: u8, a: u64) -> Result<(u64, u8), EvmError> {
        let call = IFloats::unaryCall { op: U256::from(op), a: U256::from(a) };
        let out = self.call(self.floats, call.abi_encode())?;
        let r =
            IFloats::unaryCall::abi_decode_returns(&out).map_err(|e| EvmError::Transaction(e.to_string()))?;
        let v = u64::try_from(r._0)
            .map_err(|_| EvmError::Transaction(format!("a result wider than a slot: {}", r._0)))?;
        Ok((v, u8::try_from(r._1).unwrap_or(u8::MAX)))
    }

    fn transact(&mut self, kind: TxKind, data: Vec<u8>) -> Result<ExecutionResult, EvmError> {
        self.transact_from(self.caller, kind, data, U256::ZERO)
    }

    fn transact_from(
        &mut self,
        caller: Address,
        kind: TxKind,
        data: Vec<u8>,
        value: U256,
    ) -> Result<ExecutionResult, EvmError> {
        let tx = TxEnv::builder()
            .caller(caller)
            .kind(kind)
            .data(Bytes::from(data))
            .gas_limit(TX_GAS_CAP)
            .gas_price(0)
            .nonce(self.nonce)
            .value(value)
            .build()
            .map_err(|e| EvmError::Transaction(format!("{e:?}")))?;
        self.nonce += 1;
        self.evm.transact_commit(tx).map_err(|e| EvmError::Transaction(format!("{e:?}")))
    }

    fn deploy(&mut self, name: &str, code: Vec<u8>) -> Result<(Address, usize), EvmError> {
        match self.transact(TxKind::Create, code)? {
            ExecutionResult::Success { output: Output::Create(runtime, Some(address)), .. } => {
                Ok((address, runtime.len()))
            }
            other => Err(EvmError::Deploy(name.into(), format!("{other:?}"))),
        }
    }

    /// Deploys contract `name` (from `contracts/out/`) with its ABI-encoded
    /// constructor arguments `args`; its address.
    pub fn deploy_contract(&mut self, name: &str, args: &[u8]) -> Result<Address, EvmError> {
        let mut code = creation_code(name)?;
        code.extend_from_slice(args);
        Ok(self.deploy(name, code)?.0)
    }

    /// Deploys the game contract (`Referee`) with `params`.
    pub fn deploy_referee(&mut self, params: &crate::referee::Params) -> Result<Address, EvmError> {
        let mut code = creation_code("Referee")?;
        code.extend(params.constructor_args());
        Ok(self.deploy("Referee", code)?.0)
    }

    /// Sets the timestamp of the blocks that run the next transactions (seconds).
    pub fn set_time(&mut self, secs: u64) {
        self.evm.ctx.block.timestamp = U256::from(secs);
    }

    /// Sets the number of the block that runs the next transactions.
    pub fn set_block(&mut self, number: u64) {
        self.evm.ctx.block.number = U256::from(number);
    }

    /// Gives `who` a balance of `wei`.
    pub fn fund(&mut self, who: Address, wei: U256) {
        let db = &mut self.evm.ctx.journaled_state.database;
        let mut info = db.cache.accounts.get(&who).map(|a| a.info.clone()).unwrap_or_default();
        info.balance = wei;
        db.insert_account_info(who, info);
    }

    /// The balance of `who` in wei.
    pub fn balance(&mut self, who: Address) -> U256 {
        let db = &self.evm.ctx.journaled_state.database;
        db.cache.accounts.get(&who).map(|a| a.info.balance).unwrap_or_default()
    }

    /// One transaction from `from` to `to` sending `value` with `data`
    /// (gas price 0, so balances move by `value` only).
    pub fn send(
        &mut self,
        from: Address,
        to: Address,
        value: U256,
        data: Vec<u8>,
    ) -> Result<Receipt, EvmError> {
        let result = self.transact_from(from, TxKind::Call(to), data, value)?;
        let gas = result.gas().tx_gas_used();
        Ok(match result {
            ExecutionResult::Success { output, logs, .. } => {
                Receipt { ok: true, output: output.data().to_vec(), gas, logs }
            }
            ExecutionResult::Revert { output, .. } => {
                Receipt { ok: false, output: output.to_vec(), gas, logs: vec![] }
            }
            ExecutionResult::Halt { reason, .. } => {
                Receipt { ok: false, output: format!("halt: {reason:?}").into_bytes(), gas, logs: vec![] }
            }
        })
    }

    /// A call's output, or its revert data as the error.
    pub fn view(&mut self, to: Address, data: Vec<u8>) -> Result<Vec<u8>, EvmError> {
        let r = self.send(self.caller, to, U256::ZERO, data)?;
        if r.ok {
            Ok(r.output)
        } else {
            Err(EvmError::Transaction(format!("the call reverted: 0x{}", hex(&r.output))))
        }
    }

    /// Runs `proof` against `pre` through the contract, as one transaction.
    pub fn verify_step(&mut self, pre: &[u8; 32], proof: &[u8]) -> Result<Verdict, EvmError> {
        let result = self.transact(TxKind::Call(self.verifier), verify_step_calldata(pre, proof))?;
        let gas = result.gas().tx_gas_used();
        let outcome = match result {
            ExecutionResult::Success { output, .. } => outcome_of(Ok(output.data()))?,
            ExecutionResult::Revert { output, .. } => outcome_of(Err(&output))?,
            ExecutionResult::Halt { reason, .. } => Outcome::Refused(format!("halt: {reason:?}")),
        };
        Ok(Verdict { outcome, gas })
    }
}

/// A transaction's result.
#[derive(Clone, Debug)]
pub struct Receipt {
    /// It succeeded (else `output` is the revert data).
    pub ok: bool,
    /// The return or revert data.
    pub output: Vec<u8>,
    /// Gas of the whole transaction.
    pub gas: u64,
    /// The events it emitted.
    pub logs: Vec<alloy_primitives::Log>,
}

/// A readable form of `StepVerifier`'s revert data.
pub fn describe_revert(output: &[u8]) -> String {
    match outcome_of(Err(output)) {
        Ok(Outcome::Refused(why)) => why,
        Ok(Outcome::Unsupported(u)) => format!("not on chain yet: {u:#x}"),
        _ => format!("revert 0x{}", hex(output)),
    }
}

/// The calldata of `verifyStep(pre, proof)`.
pub fn verify_step_calldata(pre: &[u8; 32], proof: &[u8]) -> Vec<u8> {
    IStepVerifier::verifyStepCall { pre: B256::from(*pre), proof: Bytes::copy_from_slice(proof) }.abi_encode()
}

/// The verdict of `verifyStep`'s return data (`Ok`) or revert data (`Err`).
pub fn outcome_of(result: Result<&[u8], &[u8]>) -> Result<Outcome, EvmError> {
    Ok(match result {
        Ok(data) => Outcome::Accepted(
            IStepVerifier::verifyStepCall::abi_decode_returns(data)
                .map_err(|e| EvmError::Transaction(format!("undecodable result: {e}")))?,
        ),
        Err(output) => match IStepVerifier::IStepVerifierErrors::abi_decode(output) {
            Ok(IStepVerifier::IStepVerifierErrors::Unsupported(u)) => {
                Outcome::Unsupported(u.opcode.try_into().unwrap_or(u32::MAX))
            }
            Ok(e) => Outcome::Refused(describe(&e)),
            Err(_) => Outcome::Refused(format!("revert 0x{}", hex(output))),
        },
    })
}

/// The creation code of contract `name` with its constructor's arguments:
/// the addresses it is deployed with (`CONTRACTS` order: `HostMachine` takes
/// `FsFd` and `FsPath`, `Machine` takes `Floats`, `SimdMachine` and
/// `HostMachine`, `StepVerifier` takes `Machine`).
pub fn creation_with(name: &str, args: &[Address]) -> Result<Vec<u8>, EvmError> {
    let mut code = creation_code(name)?;
    for a in args {
        code.extend(a.abi_encode());
    }
    Ok(code)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn describe(e: &IStepVerifier::IStepVerifierErrors) -> String {
    use IStepVerifier::IStepVerifierErrors as E;
    match e {
        E::Malformed(m) => format!("malformed: {}", m.why),
        E::WrongPreState(w) => format!("wrong pre-state: expected {}, got {}", w.expected, w.got),
        E::BadOpening(b) => format!("bad opening of tree {}: {}", b.tree, b.why),
        E::Missing(m) => format!("missing: {}", m.what),
        E::BadState(b) => format!("bad state: {}", b.why),
        E::Unsupported(u) => format!("unsupported opcode {:#x}", u.opcode),
    }
}
