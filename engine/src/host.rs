//! Host functions: a closed set, each a pure function of the machine state.
//!
//! There are no callbacks into the embedder: every host function the engine
//! can call is a variant of [`HostFunc`], so a host call's effect is as
//! deterministic and committable as an instruction's.

use crate::access::{HostStep, MAX_HOST_ARGS};
use crate::store::MemInst;
use crate::wasi::{self, Wasi};

/// A host function.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum HostFunc {
    /// Does nothing and returns nothing (the spec suite's `spectest.print*`).
    Nop,
    /// A WASI preview1 function.
    Wasi(Wasi),
}

/// The deterministic state of the host: the task's input and the output so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostState {
    /// Program arguments, `argv[0]` included.
    pub args: Vec<Vec<u8>>,
    /// Environment entries, each `NAME=value`.
    pub env: Vec<Vec<u8>>,
    /// Bytes readable from file descriptor 0.
    pub stdin: Vec<u8>,
    /// Bytes of `stdin` already read.
    pub stdin_pos: u64,
    /// Bytes written to file descriptor 1.
    pub stdout: Vec<u8>,
    /// Bytes written to file descriptor 2.
    pub stderr: Vec<u8>,
    /// Seed of `random_get`, derived from the input.
    pub random_seed: u64,
    /// Number of random bytes produced so far.
    pub random_pos: u64,
    /// Store address of the memory WASI calls read and write.
    pub memory: Option<u32>,
}

impl HostState {
    /// Host state for a WASI task. The random seed is a hash of the input,
    /// so the same input always yields the same "random" bytes.
    pub fn new(args: Vec<Vec<u8>>, env: Vec<Vec<u8>>, stdin: Vec<u8>) -> HostState {
        let mut h = Fnv::default();
        for a in &args {
            h.write(a);
            h.write(&[0]);
        }
        h.write(&[1]);
        for e in &env {
            h.write(e);
            h.write(&[0]);
        }
        h.write(&[2]);
        h.write(&stdin);
        HostState { args, env, stdin, random_seed: h.0, ..HostState::default() }
    }
}

#[derive(Copy, Clone)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ *b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Calls `f` with `args` at step `step`. Also returns the range of guest
/// memory it may have written, as `(start, len)`.
/// Whether `f` depends on its arguments alone (see [`Wasi::is_pure`]).
pub(crate) fn is_pure(f: HostFunc) -> bool {
    match f {
        HostFunc::Nop => true,
        HostFunc::Wasi(w) => w.is_pure(),
    }
}

pub(crate) fn call(
    f: HostFunc,
    args: &[u64; MAX_HOST_ARGS],
    memories: &mut [MemInst],
    host: &mut HostState,
    step: u64,
) -> (HostStep, Option<(usize, usize)>) {
    match f {
        HostFunc::Nop => (HostStep::Done(None), None),
        HostFunc::Wasi(w) => {
            let mut empty = [];
            let mem = match host.memory {
                Some(m) => &mut memories[m as usize].data[..],
                None => &mut empty[..],
            };
            let (r, written) = wasi::call_tracked(w, args, mem, host, step);
            let r = match r {
                Ok(errno) => HostStep::Done(Some(errno as u64)),
                Err(s) => HostStep::End(s),
            };
            (r, written)
        }
    }
}
