//! Machine status: how a run ends. A guest failure is a status, never a Rust error.

use std::fmt;

/// Why a guest trapped. The numbering is stable (it is hashed into state commitments).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum TrapKind {
    /// `unreachable` was executed.
    Unreachable = 1,
    /// Integer division or remainder by zero.
    IntegerDivideByZero = 2,
    /// Signed division overflow, or a float-to-int truncation out of range.
    IntegerOverflow = 3,
    /// Float-to-int truncation of a NaN.
    InvalidConversionToInteger = 4,
    /// A memory access outside the memory.
    MemoryOutOfBounds = 5,
    /// A table access outside the table.
    TableOutOfBounds = 6,
    /// `call_indirect` through a null element.
    UninitializedElement = 7,
    /// `call_indirect` to a function of the wrong type.
    IndirectCallTypeMismatch = 8,
    /// More than [`crate::limits::MAX_CALL_DEPTH`] frames.
    CallStackExhausted = 9,
    /// A frame would exceed [`crate::limits::MAX_STACK_SLOTS`].
    ValueStackExhausted = 10,
    /// A host call received arguments it cannot act on (for example a
    /// WASI pointer outside memory where the ABI gives no error code).
    HostFault = 11,
}

impl TrapKind {
    /// The trap with this stable number.
    pub fn from_u8(n: u8) -> Option<TrapKind> {
        use TrapKind::*;
        [
            Unreachable,
            IntegerDivideByZero,
            IntegerOverflow,
            InvalidConversionToInteger,
            MemoryOutOfBounds,
            TableOutOfBounds,
            UninitializedElement,
            IndirectCallTypeMismatch,
            CallStackExhausted,
            ValueStackExhausted,
            HostFault,
        ]
        .into_iter()
        .find(|k| *k as u8 == n)
    }

    /// The message the WebAssembly spec suite uses for this trap.
    pub fn message(&self) -> &'static str {
        match self {
            TrapKind::Unreachable => "unreachable",
            TrapKind::IntegerDivideByZero => "integer divide by zero",
            TrapKind::IntegerOverflow => "integer overflow",
            TrapKind::InvalidConversionToInteger => "invalid conversion to integer",
            TrapKind::MemoryOutOfBounds => "out of bounds memory access",
            TrapKind::TableOutOfBounds => "out of bounds table access",
            TrapKind::UninitializedElement => "uninitialized element",
            TrapKind::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapKind::CallStackExhausted => "call stack exhausted",
            TrapKind::ValueStackExhausted => "value stack exhausted",
            TrapKind::HostFault => "host fault",
        }
    }
}

impl fmt::Display for TrapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// The status of a machine. Every status except `Running` is final.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Steps remain to be executed.
    Running,
    /// The invoked function returned; its results are on the value stack.
    Finished,
    /// The guest trapped.
    Trapped(TrapKind),
    /// The step limit was reached before the guest finished.
    OutOfSteps,
    /// The guest called WASI `proc_exit` with this code.
    Exited(u32),
}

impl Status {
    /// A short machine-readable name: `running`, `finished`, `trapped`, `out_of_steps`, `exited`.
    pub fn name(&self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Finished => "finished",
            Status::Trapped(_) => "trapped",
            Status::OutOfSteps => "out_of_steps",
            Status::Exited(_) => "exited",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Trapped(t) => write!(f, "trapped: {t}"),
            Status::Exited(c) => write!(f, "exited with code {c}"),
            other => f.write_str(other.name()),
        }
    }
}
