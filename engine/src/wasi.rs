//! A deterministic subset of WASI preview1, enough for ordinary C programs
//! built against wasi-libc (see `specs/host.md`).
//!
//! Every function is a pure function of the machine state: the clock is the
//! step counter, randomness comes from a seed derived from the input, stdin
//! is the task's input bytes, and output is captured in the host state.

use crate::host::HostState;
use crate::limits::MAX_OUTPUT_BYTES;
use crate::status::Status;
use crate::value::{FuncType, ValType};

/// WASI errno values used here.
pub mod errno {
    /// Success.
    pub const SUCCESS: u32 = 0;
    /// Bad file descriptor.
    pub const BADF: u32 = 8;
    /// Bad address.
    pub const FAULT: u32 = 21;
    /// Invalid argument.
    pub const INVAL: u32 = 28;
    /// No space left (the output limit was reached).
    pub const NOSPC: u32 = 51;
    /// Function not supported.
    pub const NOSYS: u32 = 52;
    /// Invalid seek.
    pub const SPIPE: u32 = 70;
}

/// Nanoseconds from 1970 to 2020-01-01: the guest's realtime clock at step 0.
pub const REALTIME_EPOCH_NS: u64 = 1_577_836_800 * 1_000_000_000;

/// The WASI functions the engine implements. The numbers are stable: a
/// function leaf of the state commitment holds `1 + number`.
#[allow(missing_docs)] // Each variant is the WASI function of the same name.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Wasi {
    ArgsGet = 0,
    ArgsSizesGet = 1,
    EnvironGet = 2,
    EnvironSizesGet = 3,
    ClockResGet = 4,
    ClockTimeGet = 5,
    FdClose = 6,
    FdFdstatGet = 7,
    FdPrestatGet = 8,
    FdPrestatDirName = 9,
    FdRead = 10,
    FdSeek = 11,
    FdWrite = 12,
    ProcExit = 13,
    RandomGet = 14,
    SchedYield = 15,
    /// Any other WASI function whose only result is an errno: returns ENOSYS.
    Unsupported = 16,
}

impl Wasi {
    /// Every variant, by number (`Wasi::ALL[w as usize] == w`, tested).
    pub const ALL: [Wasi; 17] = [
        Wasi::ArgsGet,
        Wasi::ArgsSizesGet,
        Wasi::EnvironGet,
        Wasi::EnvironSizesGet,
        Wasi::ClockResGet,
        Wasi::ClockTimeGet,
        Wasi::FdClose,
        Wasi::FdFdstatGet,
        Wasi::FdPrestatGet,
        Wasi::FdPrestatDirName,
        Wasi::FdRead,
        Wasi::FdSeek,
        Wasi::FdWrite,
        Wasi::ProcExit,
        Wasi::RandomGet,
        Wasi::SchedYield,
        Wasi::Unsupported,
    ];
}

impl Wasi {
    /// Whether the function reads or writes guest memory but no host state
    /// (`clock_res_get`, `clock_time_get`, `fd_fdstat_get`).
    pub fn touches_only_memory(self) -> bool {
        matches!(self, Wasi::ClockResGet | Wasi::ClockTimeGet | Wasi::FdFdstatGet)
    }

    /// Whether the function's effect depends on its arguments alone: it
    /// reads and writes neither guest memory nor host state (so a one-step
    /// proof of a call to it needs nothing but the stack).
    pub fn is_pure(self) -> bool {
        matches!(
            self,
            Wasi::FdClose
                | Wasi::FdPrestatGet
                | Wasi::FdPrestatDirName
                | Wasi::FdSeek
                | Wasi::ProcExit
                | Wasi::SchedYield
                | Wasi::Unsupported
        )
    }
}

/// The WASI module name.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// The host function for a WASI import, if the signature is the one WASI defines.
pub fn resolve(name: &str, ty: &FuncType) -> Option<Wasi> {
    use ValType::{I32, I64};
    let sig = |p: &[ValType], r: &[ValType]| ty.params == p && ty.results == r;
    let w = match name {
        "args_get" if sig(&[I32, I32], &[I32]) => Wasi::ArgsGet,
        "args_sizes_get" if sig(&[I32, I32], &[I32]) => Wasi::ArgsSizesGet,
        "environ_get" if sig(&[I32, I32], &[I32]) => Wasi::EnvironGet,
        "environ_sizes_get" if sig(&[I32, I32], &[I32]) => Wasi::EnvironSizesGet,
        "clock_res_get" if sig(&[I32, I32], &[I32]) => Wasi::ClockResGet,
        "clock_time_get" if sig(&[I32, I64, I32], &[I32]) => Wasi::ClockTimeGet,
        "fd_close" if sig(&[I32], &[I32]) => Wasi::FdClose,
        "fd_fdstat_get" if sig(&[I32, I32], &[I32]) => Wasi::FdFdstatGet,
        "fd_prestat_get" if sig(&[I32, I32], &[I32]) => Wasi::FdPrestatGet,
        "fd_prestat_dir_name" if sig(&[I32, I32, I32], &[I32]) => Wasi::FdPrestatDirName,
        "fd_read" if sig(&[I32, I32, I32, I32], &[I32]) => Wasi::FdRead,
        "fd_seek" if sig(&[I32, I64, I32, I32], &[I32]) => Wasi::FdSeek,
        "fd_write" if sig(&[I32, I32, I32, I32], &[I32]) => Wasi::FdWrite,
        "proc_exit" if sig(&[I32], &[]) => Wasi::ProcExit,
        "random_get" if sig(&[I32, I32], &[I32]) => Wasi::RandomGet,
        "sched_yield" if sig(&[], &[I32]) => Wasi::SchedYield,
        _ if ty.results == [I32] && ty.params.iter().all(|p| matches!(p, I32 | I64)) => Wasi::Unsupported,
        _ => return None,
    };
    Some(w)
}

/// Guest memory as the host functions reach it: the machine's bytes, or
/// (for proofs) a machine state reached through `access::World`.
pub(crate) trait GuestMem {
    /// Size in bytes.
    fn size(&self) -> usize;
    /// Copies bytes at `at` (in bounds) into `out`.
    fn read_into(&mut self, at: usize, out: &mut [u8]);
    /// Writes `bytes` at `at` (in bounds).
    fn write_from(&mut self, at: usize, bytes: &[u8]);
}

impl GuestMem for [u8] {
    fn size(&self) -> usize {
        self.len()
    }
    fn read_into(&mut self, at: usize, out: &mut [u8]) {
        out.copy_from_slice(&self[at..at + out.len()]);
    }
    fn write_from(&mut self, at: usize, bytes: &[u8]) {
        self[at..at + bytes.len()].copy_from_slice(bytes);
    }
}

/// Guest memory access that turns out-of-bounds pointers into EFAULT and
/// remembers the range it may have written.
pub(crate) struct Mem<'a, G: GuestMem + ?Sized> {
    data: &'a mut G,
    /// `(lowest, highest + 1)` byte written.
    written: Option<(usize, usize)>,
}

impl<'a, G: GuestMem + ?Sized> Mem<'a, G> {
    pub(crate) fn new(data: &'a mut G) -> Self {
        Mem { data, written: None }
    }
    /// The start of `len` bytes at `ptr`, or EFAULT.
    fn check(&self, ptr: u32, len: u32) -> Result<usize, u32> {
        let start = ptr as usize;
        if start + len as usize > self.data.size() { Err(errno::FAULT) } else { Ok(start) }
    }
    fn write(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), u32> {
        let start = self.check(ptr, bytes.len() as u32)?;
        if !bytes.is_empty() {
            let end = start + bytes.len();
            let (lo, hi) = self.written.unwrap_or((start, end));
            self.written = Some((lo.min(start), hi.max(end)));
            self.data.write_from(start, bytes);
        }
        Ok(())
    }
    fn read(&mut self, ptr: u32, len: u32) -> Result<Vec<u8>, u32> {
        let start = self.check(ptr, len)?;
        let mut out = vec![0; len as usize];
        self.data.read_into(start, &mut out);
        Ok(out)
    }
    fn read_u32(&mut self, ptr: u32) -> Result<u32, u32> {
        Ok(u32::from_le_bytes(self.read(ptr, 4)?.try_into().expect("four bytes")))
    }
    fn write_u32(&mut self, ptr: u32, v: u32) -> Result<(), u32> {
        self.write(ptr, &v.to_le_bytes())
    }
    fn write_u64(&mut self, ptr: u32, v: u64) -> Result<(), u32> {
        self.write(ptr, &v.to_le_bytes())
    }
    /// Reads an iovec array: (pointer, length) pairs.
    fn iovecs(&mut self, ptr: u32, count: u32) -> Result<Vec<(u32, u32)>, u32> {
        if count > 1024 {
            return Err(errno::INVAL);
        }
        (0..count)
            .map(|i| {
                let at = ptr.checked_add(i * 8).ok_or(errno::FAULT)?;
                Ok((self.read_u32(at)?, self.read_u32(at.checked_add(4).ok_or(errno::FAULT)?)?))
            })
            .collect()
    }
}

/// Writes a list of NUL-terminated strings and their pointers (argv/environ layout).
fn put_strings<G: GuestMem + ?Sized>(
    mem: &mut Mem<'_, G>,
    list: &[Vec<u8>],
    ptrs: u32,
    buf: u32,
) -> Result<(), u32> {
    let mut at = buf;
    for (i, s) in list.iter().enumerate() {
        mem.write_u32(ptrs + 4 * i as u32, at)?;
        let mut z = s.clone();
        z.push(0);
        mem.write(at, &z)?;
        at += z.len() as u32;
    }
    Ok(())
}

fn sizes<G: GuestMem + ?Sized>(
    mem: &mut Mem<'_, G>,
    list: &[Vec<u8>],
    count_ptr: u32,
    size_ptr: u32,
) -> Result<(), u32> {
    mem.write_u32(count_ptr, list.len() as u32)?;
    mem.write_u32(size_ptr, list.iter().map(|s| s.len() as u32 + 1).sum())
}

/// splitmix64: the `random_get` byte stream is a function of (seed, position).
fn random_byte(seed: u64, pos: u64) -> u8 {
    let mut z = seed.wrapping_add((pos / 8 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> (8 * (pos % 8))) as u8
}

/// As [`call_with_memory`], also returning the range of `mem` it may have
/// written, as `(start, len)`.
pub(crate) fn call_tracked(
    w: Wasi,
    args: &[u64],
    mem: &mut [u8],
    host: &mut HostState,
    steps: u64,
) -> (Result<u32, Status>, Option<(usize, usize)>) {
    let mut mem = Mem::new(mem);
    let r = perform(w, args, &mut mem, host, steps);
    (r, mem.written.map(|(lo, hi)| (lo, hi - lo)))
}

/// Performs WASI call `w` with argument slots `args` on guest memory `mem`
/// at step `steps`. Returns the errno, or the final status for `proc_exit`.
///
/// This is the one implementation of the host interface; other engines
/// (the wasmi fast path) call it too, so they see the same host.
pub fn call_with_memory(
    w: Wasi,
    args: &[u64],
    mem: &mut [u8],
    host: &mut HostState,
    steps: u64,
) -> Result<u32, Status> {
    perform(w, args, &mut Mem::new(mem), host, steps)
}

/// What a WASI call does: the one definition, over any guest memory.
pub(crate) fn perform<G: GuestMem + ?Sized>(
    w: Wasi,
    args: &[u64],
    mem: &mut Mem<'_, G>,
    host: &mut HostState,
    steps: u64,
) -> Result<u32, Status> {
    let a = |i: usize| args[i] as u32;
    if w == Wasi::ProcExit {
        return Err(Status::Exited(a(0)));
    }
    let result: Result<(), u32> = (|| match w {
        Wasi::ArgsSizesGet => sizes(mem, &host.args, a(0), a(1)),
        Wasi::ArgsGet => put_strings(mem, &host.args, a(0), a(1)),
        Wasi::EnvironSizesGet => sizes(mem, &host.env, a(0), a(1)),
        Wasi::EnvironGet => put_strings(mem, &host.env, a(0), a(1)),
        Wasi::ClockResGet => match a(0) {
            0..=3 => mem.write_u64(a(1), 1),
            _ => Err(errno::INVAL),
        },
        Wasi::ClockTimeGet => {
            let ptr = a(2);
            match a(0) {
                0 => mem.write_u64(ptr, REALTIME_EPOCH_NS + steps),
                1..=3 => mem.write_u64(ptr, steps),
                _ => Err(errno::INVAL),
            }
        }
        Wasi::FdClose => match a(0) {
            0..=2 => Ok(()),
            _ => Err(errno::BADF),
        },
        Wasi::FdFdstatGet => match a(0) {
            0..=2 => {
                // filetype unknown (0), no flags, all rights: not a terminal,
                // so wasi-libc buffers stdout fully.
                let mut d = [0u8; 24];
                d[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
                d[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
                mem.write(a(1), &d)
            }
            _ => Err(errno::BADF),
        },
        Wasi::FdPrestatGet | Wasi::FdPrestatDirName => Err(errno::BADF),
        Wasi::FdSeek => match a(0) {
            0..=2 => Err(errno::SPIPE),
            _ => Err(errno::BADF),
        },
        Wasi::FdRead => {
            if a(0) != 0 {
                return Err(errno::BADF);
            }
            let mut total = 0u32;
            for (ptr, len) in mem.iovecs(a(1), a(2))? {
                let pos = host.stdin_pos as usize;
                let n = (len as usize).min(host.stdin.len() - pos);
                mem.write(ptr, &host.stdin[pos..pos + n])?;
                host.stdin_pos += n as u64;
                total += n as u32;
                if n < len as usize {
                    break;
                }
            }
            mem.write_u32(a(3), total)
        }
        Wasi::FdWrite => {
            let out = match a(0) {
                1 => &mut host.stdout,
                2 => &mut host.stderr,
                _ => return Err(errno::BADF),
            };
            let mut total = 0u32;
            for (ptr, len) in mem.iovecs(a(1), a(2))? {
                if out.len() + len as usize > MAX_OUTPUT_BYTES {
                    return Err(errno::NOSPC);
                }
                out.extend_from_slice(&mem.read(ptr, len)?);
                total += len;
            }
            mem.write_u32(a(3), total)
        }
        Wasi::RandomGet => {
            let (seed, pos) = (host.random_seed, host.random_pos);
            mem.check(a(0), a(1))?;
            let mut chunk = Vec::with_capacity(4096);
            for start in (0..a(1)).step_by(4096) {
                let end = (start + 4096).min(a(1));
                chunk.clear();
                chunk.extend((start..end).map(|i| random_byte(seed, pos + i as u64)));
                mem.write(a(0) + start, &chunk)?;
            }
            host.random_pos += a(1) as u64;
            Ok(())
        }
        Wasi::SchedYield => Ok(()),
        Wasi::Unsupported => Err(errno::NOSYS),
        Wasi::ProcExit => unreachable!("handled above"),
    })();
    Ok(match result {
        Ok(()) => errno::SUCCESS,
        Err(e) => e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_stable_and_index_all() {
        for (i, w) in Wasi::ALL.iter().enumerate() {
            assert_eq!(*w as usize, i);
        }
        assert_eq!(Wasi::FdWrite as u8, 12);
        assert_eq!(Wasi::Unsupported as u8, 16);
    }
}
