//! Host functions: a closed set, each a pure function of the machine state.
//!
//! There are no callbacks into the embedder: every host function the engine
//! can call is a variant of [`HostFunc`], so a host call's effect is as
//! deterministic and committable as an instruction's.

use crate::access::{HostStep, MAX_HOST_ARGS, World};
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
/// Performs `h` through `world` if its effect is provable: it depends on
/// its arguments alone, or also on guest memory `mem` (reached through the
/// world, so proofs record and open it) and no host state. `None` otherwise.
pub(crate) fn call_in_world<W: World>(
    world: &mut W,
    mem: Option<u32>,
    h: HostFunc,
    args: &[u64; MAX_HOST_ARGS],
    step: u64,
) -> Option<HostStep> {
    let HostFunc::Wasi(w) = h else { return Some(HostStep::Done(None)) };
    let mut host = HostState::default();
    let r = if w.is_pure() {
        wasi::perform(w, args, &mut wasi::Mem::new(&mut [][..]), &mut host, step)
    } else if let (true, Some(m)) = (w.touches_only_memory(), mem) {
        wasi::perform(w, args, &mut wasi::Mem::new(&mut WorldMem { w: world, m }), &mut host, step)
    } else {
        return None;
    };
    Some(wasi_step(r))
}

/// A WASI call's outcome as a step: its errno is the result, or the run ends.
fn wasi_step(r: Result<u32, crate::status::Status>) -> HostStep {
    match r {
        Ok(errno) => HostStep::Done(Some(errno as u64)),
        Err(s) => HostStep::End(s),
    }
}

/// Guest memory `m` reached through a [`World`].
struct WorldMem<'a, W: World> {
    w: &'a mut W,
    m: u32,
}

impl<W: World> wasi::GuestMem for WorldMem<'_, W> {
    fn size(&self) -> usize {
        self.w.mem_len(self.m)
    }
    fn read_into(&mut self, at: usize, out: &mut [u8]) {
        for (i, b) in out.iter_mut().enumerate() {
            *b = self.w.load::<1>(self.m, at + i).map_or(0, |x| x[0]);
        }
    }
    fn write_from(&mut self, at: usize, bytes: &[u8]) {
        self.w.store(self.m, at, bytes);
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
            (wasi_step(r), written)
        }
    }
}
