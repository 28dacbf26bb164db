//! Host functions: a closed set, each a pure function of the machine state.
//!
//! There are no callbacks into the embedder: every host function the engine
//! can call is a variant of [`HostFunc`], so a host call's effect is as
//! deterministic and committable as an instruction's. The host's state is
//! part of the committed state: the task's input (arguments, environment and
//! stdin, laid out in one byte string), the read positions, and the output.
//!
//! Inside the engine, this module runs a host call's step over any state
//! (`step`). The types it re-exports are defined in lower layers, with the
//! host's state (`host_state`) and the store (`store`), so that the state
//! access traits do not depend on the host's behaviour.

use crate::access::{Stack, World};
use crate::host_state::HostStep;
pub use crate::host_state::{HostRegs, HostState, Input, InputSizes};
pub use crate::store::HostFunc;
use crate::wasi::{self, MAX_HOST_ARGS};

/// One step of a call to host function `h` whose `nparams` arguments are
/// the stack slots from `at`, at step `step`: the one host-call sequence,
/// for a call from code (`exec::step`) and for a host function invoked
/// as the entry (`Machine::run`), over any state (the machine's, the
/// prover's, the verifier's).
///
/// A finished call leaves its result, if it has one, in slot `at`. A call
/// that moves many bytes returns [`HostStep::Again`] with its progress
/// written back into its argument slots, and runs again at the next step.
pub(crate) fn step<S: Stack, W: World>(
    stack: &mut S,
    world: &mut W,
    h: HostFunc,
    at: S::Pos,
    nparams: usize,
    step: u64,
) -> HostStep {
    let mut args = [0u64; MAX_HOST_ARGS];
    for (i, v) in args.iter_mut().enumerate().take(nparams) {
        *v = stack[at + i];
    }
    let r = match h {
        HostFunc::Nop => HostStep::Done(None),
        HostFunc::Wasi(w) => {
            let mem = WorldMemory(world.wasi_memory());
            wasi::perform(w, &mut args, world, mem, step)
        }
    };
    match r {
        HostStep::Done(Some(v)) => stack[at] = v,
        HostStep::Again => {
            for (i, v) in args.iter().enumerate().take(nparams) {
                stack[at + i] = *v;
            }
        }
        HostStep::Done(None) | HostStep::End(_) => {}
    }
    r
}

/// The memory WASI calls use in a [`World`]: a store memory, or none (then
/// only an empty range at address 0 is in bounds).
struct WorldMemory(Option<u32>);

impl<W: World> wasi::Memory<W> for WorldMemory {
    fn size(&self, w: &W) -> usize {
        self.0.map_or(0, |m| w.mem_len(m))
    }
    fn read(&self, w: &W, at: usize, out: &mut [u8]) {
        if let Some(m) = self.0 {
            w.mem_read(m, at, out);
        }
    }
    fn write(&mut self, w: &mut W, at: usize, bytes: &[u8]) {
        if let Some(m) = self.0 {
            w.store(m, at, bytes);
        }
    }
}
