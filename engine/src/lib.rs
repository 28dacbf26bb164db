//! refute's engine: a deterministic, step-exact WebAssembly interpreter.
//!
//! Pure: no I/O, no async, no clock, no randomness, no threads. Given the
//! same module and input, every host computes bit-identical states at every
//! step. See `specs/execution.md` for what a step is and `specs/host.md`
//! for the host interface.
//!
//! ```
//! use refute_engine::{Entry, Module, Status, Task, Value, run_task};
//! let wasm = wat::parse_str(r#"(module (func (export "add") (param i32 i32) (result i32)
//!     local.get 0 local.get 1 i32.add))"#).unwrap();
//! let module = Module::new(&wasm).unwrap();
//! let task = Task { max_steps: 100, ..Task::default() };
//! let m = run_task(&module, &task, &Entry::Invoke("add".into(), vec![Value::I32(2), Value::I32(3)])).unwrap();
//! assert_eq!(m.status(), Status::Finished);
//! assert_eq!(m.results(), vec![Value::I32(5)]);
//! // Entry sequence: push 2, push 3, call (3 steps); the body: local.get 0,
//! // local.get 1 and i32.add fused into one register-form add, return (2
//! // steps); then the entry's return.
//! assert_eq!(m.steps(), 6);
//! ```

// Effective addresses (a 32-bit base plus a 32-bit offset) and bulk ranges
// are computed in `usize` without overflow only on 64-bit hosts.
const _: () = assert!(usize::BITS >= 64, "refute-engine requires a 64-bit host");
// The stack is hashed as the bytes of its slots, which must be little-endian.
#[cfg(not(target_endian = "little"))]
compile_error!("refute-engine requires a little-endian host");

mod access;
mod code_check;
mod exec;
mod frame;
pub mod fs;
/// Layered history commitments and k-ary dissection (`specs/commitments.md`).
pub mod history;
pub mod host;
mod host_state;
pub mod isa;
pub mod limits;
mod load_error;
mod machine;
pub mod merkle;
mod module;
pub mod op;
pub mod outputs;
mod pages;
pub mod proof;
mod simd_ops;
mod snapshot;
pub mod state;
mod status;
mod store;
mod task;
pub mod trace;
mod translate;
mod value;
pub mod wasi;

pub use frame::HALT;
pub use host::{HostFunc, HostState};
pub use load_error::LoadError;
pub use machine::{CallError, Machine};
pub use module::{ExportKind, GlobalType, Import, ImportKind, MemoryType, Module, TableType, features};
pub use status::{Status, TrapKind};
pub use store::{Extern, Instance, InstantiateError, MemInst, Store};
pub use task::{Entry, Run, Task, TaskError, run_task};
pub use value::{FuncType, ValType, Value};

/// The version of this engine's semantics (`specs/execution.md` §13): two
/// engines with the same version compute the same state root after every
/// step of every task. It is bumped whenever translation (fusion included),
/// the meaning of a step, a limit or the state layout changes. The game's
/// parameters carry it, so an arbiter and its players agree on it before
/// any bond is at stake. Version 2 accepts fixed-width SIMD (version 1 refused
/// it); every task version 1 accepts has the same roots under both. Version 3
/// adds the file system (preopened directories and the WASI file calls) and
/// with it the state header `"refute state v2"`: every state root changes.
/// Version 4 deepens the code tree to 2^25 instructions (yosys's 10.6 million
/// did not fit 2^23) and loads modules of up to 256 MiB (`limits::MAX_LOAD_BYTES`),
/// with the header `"refute state v3"`: every state root changes again.
/// Version 5 changes no root: it changes which one-step proofs verify (the
/// wire format `"refute proof v3"`, with its 32 KiB bound, `specs/proof.md`),
/// so a player whose proofs the arbiter would refuse refuses the parameters
/// instead of losing a game. Version 6 adds the register forms (operands and
/// results in frame slots, `specs/execution.md` §2.1) with two-byte opcodes,
/// and the header `"refute state v4"`: every step count and state root changes.
/// Version 7 copies at most `limits::MAX_COPY` stack slots a step (`StackMove`
/// splits longer branch and return copies), and lowers the proof's bound to
/// 8 KiB (`"refute proof v4"`). Version 8 defers `local.get`s and constants
/// into the register forms that consume them (`specs/execution.md` §2.2): the
/// same instructions, fewer steps. Version 9 adds the loads and stores at a
/// constant address and the fused address additions. Version 10 splits the
/// header into a hot part (the state root's preimage: the registers and the
/// roots every step may need) and a cold part (the host registers and the
/// host's trees) named by its hash, and commits the code one tree per
/// function, the running one's root in the header (`"refute state v5"`,
/// `"refute proof v5"`, `specs/state.md` §3, §4.1): every state root changes,
/// and a typical proof is some 600 bytes shorter. Version 11 adds the
/// indexed loads (`I32LoadIdx` and its kin: an element's address and its
/// load in one step) and the i32 divisions and remainders by a constant
/// (`I32DivUImmReg` and its kin), `specs/execution.md` §2.1: fewer steps;
/// the state layout and the proof format are those of version 10.
pub const SEMANTICS_VERSION: u32 = 11;
