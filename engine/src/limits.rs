//! The fixed limits every honest machine enforces identically.
//!
//! They are part of the semantics (see `specs/execution.md`): exceeding one
//! leads to a specified machine status, never to a host-dependent failure.

/// Maximum number of active call frames (the entry frame included).
/// One more call traps with [`crate::TrapKind::CallStackExhausted`].
pub const MAX_CALL_DEPTH: usize = 16_384;

/// Number of 64-bit slots in the value stack (parameters, locals and operands
/// of every active frame). A call whose frame would not fit traps with
/// [`crate::TrapKind::ValueStackExhausted`].
pub const MAX_STACK_SLOTS: usize = 1 << 20;

/// Maximum size of a linear memory in 64 KiB pages (1 GiB). `memory.grow`
/// beyond it returns -1; a module whose minimum exceeds it fails to instantiate.
pub const MAX_MEMORY_PAGES: u32 = 16_384;

/// Maximum number of elements in a table. `table.grow` beyond it returns -1.
pub const MAX_TABLE_ELEMS: u32 = 1 << 20;

/// Bytes moved by one micro-step of `memory.fill`, `memory.copy` and `memory.init`.
pub const MEMORY_CHUNK: u32 = 64;

/// Elements moved by one micro-step of `table.fill`, `table.copy` and `table.init`.
pub const TABLE_CHUNK: u32 = 8;
/// Locals a step zeroes: a call zeroes the first ones, then the callee's
/// prologue zeroes the rest this many at a time (`Op::ZeroLocals`).
pub const LOCALS_CHUNK: u32 = 8;

/// The most slots one step copies between places on the stack: a branch or
/// return that keeps more first moves the rest with `StackMove` steps of at
/// most this many (`specs/execution.md` §2), so every proof fits 8 KiB.
pub const MAX_COPY: u32 = 64;

/// Size of a WebAssembly page in bytes.
pub const PAGE_SIZE: u64 = 65_536;

/// Largest module binary the engine loads (bytes): `Module::new` refuses a
/// larger one with `LoadError::TooLarge`. The local commands take modules up
/// to this size; what a claim may carry is the arbiter's business
/// ([`MAX_MODULE_BYTES`], and its `max_module_bytes` parameter below it).
pub const MAX_LOAD_BYTES: usize = 256 << 20;

/// Largest module binary a stored blob holds (bytes): the arbiter's blob
/// limit (`refute_arbiter::db::MAX_BLOB`), the same as what loads. Claims
/// are bounded again, lower, by the game's `max_module_bytes` parameter
/// (`specs/protocol.md`; 96 MiB by default), which bounds the work of each
/// claim's note (`specs/execution.md` §5.1).
pub const MAX_MODULE_BYTES: usize = MAX_LOAD_BYTES;

/// Bytes one micro-step of a WASI call moves: `fd_read`, `fd_write`,
/// `random_get`, `args_get` and `environ_get` (`specs/host.md`).
pub const HOST_CHUNK: u32 = 64;

/// Largest task input: the arguments and environment strings, each with
/// its NUL, plus stdin (`specs/state.md`, the input tree).
pub const MAX_INPUT_BYTES: usize = 256 << 20;

/// Largest total of bytes a guest may write to stdout or to stderr; a
/// write beyond it fails with WASI errno NOSPC.
pub const MAX_OUTPUT_BYTES: usize = 16 << 20;
