//! refute on an EVM chain.
//!
//! - [`tables`]: the Solidity verifier's constants, generated from the
//!   engine (`contracts/src/generated/Spec.sol`).
//! - [`evm`]: an in-process EVM (revm) with the compiled contracts deployed,
//!   which runs a one-step proof through the Solidity verifier; the
//!   differential tests (`tests/verifier.rs`) hold it to
//!   `refute_engine::proof::verify_step`.

pub mod evm;
pub mod tables;

use refute_engine::isa::OP_TABLE;

/// The instructions the Solidity verifier executes besides the integer
/// operator forms of [`tables::operator_form`] (`contracts/src/StepVerifier.sol`,
/// `run`). A proof of any other instruction is refused on chain with
/// `Unsupported(opcode)`; `specs/chain.md` lists what is missing.
pub const CONTROL_ON_CHAIN: &[&str] = &[
    "Unreachable",
    "Br",
    "BrIfEqz",
    "BrIfNez",
    "Drop",
    "Select",
    "LocalGet",
    "LocalSet",
    "LocalTee",
    "LocalGet2",
    "LocalSetGet",
    "LocalTeeGet",
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
];

/// Whether the on-chain verifier executes instruction `opcode`.
pub fn on_chain(opcode: u16) -> bool {
    OP_TABLE
        .iter()
        .find(|i| i.code == opcode)
        .is_some_and(|i| tables::operator_form(i.name).is_some() || CONTROL_ON_CHAIN.contains(&i.name))
}
