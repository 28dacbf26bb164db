//! The `refute` command-line program's library: what the binary and the
//! integration tests share.

pub mod args;
pub mod bench;
pub mod dirs;
pub mod out;
pub use refute_challenger::oracle;
pub mod proofbench;
pub mod real;
pub mod report;
pub mod workloads;
