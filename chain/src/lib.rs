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

pub use {alloy_primitives, alloy_sol_types};

pub mod client;
pub mod devnet;
pub mod evm;
pub mod jobs;
pub mod referee;
pub mod rpc;
pub mod tables;
pub mod timeline;
pub mod wallet;

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

/// `Unsupported(HOST_CALL + id)` is the contract's refusal of a call of
/// host function `id` (specs/state.md §4.2: `Nop` is 0, WASI function `n`
/// is `1 + n`).
pub const HOST_CALL: u32 = 0x10000;

/// The WASI functions the contracts run: every function of the engine's
/// table (`Wasi::ALL`), the file system's included. `HostMachine.sol` runs
/// the calls without a descriptor of the file system, `FsFd.sol` the calls
/// on file system descriptors, `FsPath.sol` the calls that take a path; a
/// WASI import the engine does not implement resolves to
/// `Wasi::Unsupported` (ENOSYS), on chain too.
pub const WASI_ON_CHAIN: &[Wasi] = &Wasi::ALL;

use refute_engine::wasi::Wasi;

/// Whether the on-chain verifier executes instruction `code` (an opcode, or
/// `HOST_CALL + id` for a call of host function `id`: `Nop` and the
/// functions of [`WASI_ON_CHAIN`]).
pub fn on_chain(code: u32) -> bool {
    if code >= HOST_CALL {
        let id = code - HOST_CALL;
        return id == 0 || WASI_ON_CHAIN.iter().any(|w| 1 + *w as u32 == id);
    }
    OP_TABLE.iter().find(|i| u32::from(i.code) == code).is_some_and(|i| {
        tables::operator_form(i.name).is_some()
            || tables::memory_form(i.name).is_some()
            || CONTROL_ON_CHAIN.contains(&i.name)
            || tables::is_simd(i.name)
    })
}

/// Why a computation cannot be settled on chain yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotOnChain {
    /// It imports a host function the chain does not verify yet.
    #[error("it imports {module}.{name}, a host function not verified on chain yet (specs/chain.md §3)")]
    HostFunction {
        /// The import's module name.
        module: String,
        /// The import's field name.
        name: String,
    },
}

/// The claim-time check of the chain mode, on a module alone: `Ok` if every
/// host function it imports is one of [`WASI_ON_CHAIN`] (every instruction
/// is on chain), else the first import that is not.
pub fn check_module(module: &refute_engine::Module) -> Result<(), NotOnChain> {
    for i in module.imports() {
        if let refute_engine::ImportKind::Func(ty) = &i.kind {
            let ok = i.module == refute_engine::wasi::MODULE
                && refute_engine::wasi::resolve(&i.name, ty).is_some_and(|w| WASI_ON_CHAIN.contains(&w));
            if !ok {
                return Err(NotOnChain::HostFunction { module: i.module.clone(), name: i.name.clone() });
            }
        }
    }
    Ok(())
}

/// The claim-time check on a whole computation: [`check_module`]. Every
/// WASI call is on chain, the file system's included, so a task with
/// preopened directories passes; a computation that passes reaches no step
/// the chain cannot verify, so no game over it can get stuck.
pub fn check_task(module: &refute_engine::Module, _task: &refute_engine::Task) -> Result<(), NotOnChain> {
    check_module(module)
}
