//! refute on an EVM chain.
//!
//! - [`tables`]: the Solidity verifier's constants, generated from the
//!   engine (`contracts/src/generated/Spec.sol`).
//! - [`evm`]: an in-process EVM (revm) with the compiled contracts deployed,
//!   which runs a one-step proof through the Solidity verifier; the
//!   differential tests (`tests/verifier.rs`) hold it to
//!   `refute_engine::proof::verify_step`.
//! - [`rpc`] and [`devnet`]: a JSON-RPC client, anvil on 127.0.0.1 with the
//!   contracts deployed, and the verifier called on a node.

pub mod devnet;
pub mod evm;
pub mod rpc;
pub mod tables;

use refute_engine::isa::OP_TABLE;

/// The instructions the Solidity verifier executes besides the integer
/// and float operator forms of [`tables::operator_form`], the scalar loads
/// and stores of [`tables::memory_form`] (`contracts/src/Exec.sol`) and the
/// SIMD instructions (`contracts/src/SimdMachine.sol`). A proof of
/// any other instruction is refused on chain with `Unsupported(opcode)`, and
/// a call of a host function with `Unsupported(HOST_CALL + id)`;
/// `specs/chain.md` lists what is missing.
pub const CONTROL_ON_CHAIN: &[&str] = &[
    "Unreachable",
    "Br",
    "BrIfEqz",
    "BrIfNez",
    "BrAdjust",
    "BrIfNezAdjust",
    "BrTable",
    "BrTableReg",
    "Return",
    "StackMove",
    "Call",
    "CallIndirect",
    "ZeroLocals",
    "Drop",
    "Select",
    "LocalGet",
    "LocalSet",
    "LocalTee",
    "LocalGet2",
    "LocalSetGet",
    "LocalTeeGet",
    "GlobalGet",
    "GlobalSet",
    "I32Const",
    "I64Const",
    "F32Const",
    "F64Const",
    "LocalCopy",
    "I32SetConst",
    "I64SetConst",
    "BrIfNezReg",
    "BrIfEqzReg",
    "I32ShlAddImmReg",
    "MemorySize",
    "MemoryGrow",
    "MemoryFill",
    "MemoryCopy",
    "MemoryInit",
    "DataDrop",
    "RefNull",
    "RefIsNull",
    "RefFunc",
    "TableGet",
    "TableSet",
    "TableSize",
    "TableGrow",
    "TableFill",
    "TableCopy",
    "TableInit",
    "ElemDrop",
    "I32ReinterpretF32",
    "I64ReinterpretF64",
    "F32ReinterpretI32",
    "F64ReinterpretI64",
];

/// The SIMD and v128 instructions (`contracts/src/SimdMachine.sol`), all on chain.
fn is_simd(name: &str) -> bool {
    name.starts_with("V128") || name == "I8x16Shuffle" || name == "Hi64"
}

/// `Unsupported(HOST_CALL + id)` is the contract's refusal of a call of host
/// function `id` (specs/state.md §4.2): no host function is on chain yet.
pub const HOST_CALL: u32 = 0x10000;

/// Whether the on-chain verifier executes instruction `code` (an opcode, or
/// `HOST_CALL + id` for a call of host function `id`).
pub fn on_chain(code: u32) -> bool {
    code < HOST_CALL
        && OP_TABLE.iter().find(|i| u32::from(i.code) == code).is_some_and(|i| {
            tables::operator_form(i.name).is_some()
                || tables::memory_form(i.name).is_some()
                || CONTROL_ON_CHAIN.contains(&i.name)
                || is_simd(i.name)
        })
}

/// Why a module cannot be settled on chain yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotOnChain {
    /// It imports a host function: no host call is verified on chain yet, so
    /// a game over a step of one could not end (`specs/chain.md` §3).
    #[error("it imports the host function {module}.{name}, and host calls are not verified on chain yet")]
    HostFunction {
        /// The import's module name.
        module: String,
        /// The import's field name.
        name: String,
    },
}

/// The claim-time check of the chain mode: `Ok` if every step a task of
/// `module` can reach is verified on chain, else the first reason it is not.
/// Every instruction is on chain; only host calls are not, and a module
/// reaches one only through a function import.
pub fn check_module(module: &refute_engine::Module) -> Result<(), NotOnChain> {
    match module.imports().iter().find(|i| matches!(i.kind, refute_engine::ImportKind::Func(_))) {
        Some(i) => Err(NotOnChain::HostFunction { module: i.module.clone(), name: i.name.clone() }),
        None => Ok(()),
    }
}
