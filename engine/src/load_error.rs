//! [`LoadError`]: why a module binary was refused. Its own module, under
//! both the decoder (`module`) and the translator (`translate`), which
//! raise it.

use thiserror::Error;

/// Why a module binary was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The binary is larger than [`crate::limits::MAX_LOAD_BYTES`].
    #[error("module is {size} bytes, larger than the limit of {limit} bytes")]
    TooLarge {
        /// Size of the binary.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The module uses a WebAssembly feature this engine does not support.
    #[error("unsupported WebAssembly feature at offset {offset}: {message}")]
    Unsupported {
        /// What the decoder said, naming the feature.
        message: String,
        /// Byte offset in the binary.
        offset: usize,
    },
    /// The binary is malformed or does not validate.
    #[error("invalid module at offset {offset}: {message}")]
    Invalid {
        /// What is wrong.
        message: String,
        /// Byte offset in the binary.
        offset: usize,
    },
}

impl From<wasmparser::BinaryReaderError> for LoadError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        let message = e.message().to_string();
        let offset = e.offset() as usize;
        if message.contains("support is not enabled")
            || message.contains("proposal not enabled")
            || message.contains("must be enabled")
            || message.contains("SIMD")
            || message.contains("without the")
        {
            LoadError::Unsupported { message, offset }
        } else {
            LoadError::Invalid { message, offset }
        }
    }
}
