//! The walk over a call's iovecs, which `fd_read`, `fd_write`, `fd_pread`
//! and `fd_pwrite` share (on stdin, stdout and stderr, and on files). A step
//! moves at most `HOST_CHUNK` bytes of one iovec, and the call's progress
//! lives in the high halves of its argument slots, so that the next step
//! resumes where the last one stopped and the state shows where the call
//! stands (`specs/host.md`).

use super::{Call, Memory, Outcome, errno, hi, with_hi};
use crate::host_state::{HostEnv, HostStep};
use crate::limits::HOST_CHUNK;

/// The iovec a step moves bytes of, and where the call stands in it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Iovec {
    /// Its buffer.
    pub ptr: u32,
    /// Its length.
    pub len: u32,
    /// Its bytes moved by earlier steps: 0 on the step that enters it,
    /// which checks the buffer.
    pub off: u32,
    /// The bytes the call moved before this step, over every iovec.
    pub total: u32,
}

impl Iovec {
    /// The bytes this step moves: what is left of the iovec, at most
    /// `avail` (what the source still holds) and `HOST_CHUNK`.
    pub fn chunk(&self, avail: u64) -> u32 {
        ((self.len - self.off.min(self.len)) as u64).min(avail).min(HOST_CHUNK as u64) as u32
    }
}

/// What a step moved.
pub(super) struct Moved {
    /// The bytes.
    pub n: u32,
    /// Whether the source ran out with them (a read at the end of stdin
    /// or of the file): a read stops there, short of the iovec's end.
    pub ran_out: bool,
}

impl<H: HostEnv, M: Memory<H>> Call<'_, H, M> {
    /// One step of a call that walks the `count` iovecs at `iovs` (slots 1
    /// and 2) and stores the bytes it moved at the pointer in slot
    /// `total_slot`. `step` moves this step's bytes of the current iovec.
    /// Progress, in the high halves: the iovec in `iovs`' slot, the offset
    /// in it in `count`'s, the total in `total_slot`'s. The call ends after
    /// the last iovec, or when the source runs out inside one.
    pub(super) fn walk_iovecs(
        &mut self,
        total_slot: usize,
        step: impl FnOnce(&mut Self, Iovec) -> Result<Moved, u32>,
    ) -> Outcome {
        let (iovs, count, total_ptr) = (self.a(1), self.a(2), self.a(total_slot));
        let (mut i, mut off, mut total) = (hi(self.args[1]), hi(self.args[2]), hi(self.args[total_slot]));
        self.check_iovecs(iovs, count)?;
        if i >= count {
            return self.finish(total_ptr, total);
        }
        let (ptr, len) = self.iovec(iovs, i)?;
        let moved = step(self, Iovec { ptr, len, off, total })?;
        off += moved.n;
        total = total.wrapping_add(moved.n);
        if off >= len {
            (i, off) = (i + 1, 0);
            if i >= count {
                return self.finish(total_ptr, total);
            }
        } else if moved.ran_out {
            return self.finish(total_ptr, total);
        }
        self.args[1] = with_hi(self.args[1], i);
        self.args[2] = with_hi(self.args[2], off);
        self.args[total_slot] = with_hi(self.args[total_slot], total);
        Ok(HostStep::Again)
    }

    /// Checks that `count` iovecs at `iovs` are in bounds (EINVAL above 1024).
    fn check_iovecs(&self, iovs: u32, count: u32) -> Result<(), u32> {
        if count > 1024 {
            return Err(errno::INVAL);
        }
        self.check(iovs, 8 * count as u64).map(|_| ())
    }

    /// Reads iovec `i`: (pointer, length).
    fn iovec(&mut self, iovs: u32, i: u32) -> Result<(u32, u32), u32> {
        let at = iovs.wrapping_add(8 * i);
        Ok((self.read_u32(at)?, self.read_u32(at.wrapping_add(4))?))
    }
}
