//! A deterministic subset of WASI preview1, enough for ordinary C programs
//! built against wasi-libc (see `specs/host.md`).
//!
//! Every function is a pure function of the machine state: the clock is the
//! step counter, randomness comes from a seed derived from the input, stdin
//! is the task's input bytes, and output is captured in the host state.

use crate::access::MAX_HOST_ARGS;
use crate::host::{HostRegs, HostState};
use crate::limits::{HOST_CHUNK, MAX_OUTPUT_BYTES};
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

/// What a WASI call reaches: guest memory and the host state. Implemented
/// over any machine state (`host::call`) and over a plain byte slice and
/// [`HostState`] (for other engines, [`call_with_memory`]).
pub(crate) trait HostEnv {
    /// The host registers.
    fn regs(&self) -> HostRegs;
    /// Sets the stdin and random stream positions.
    fn set_positions(&mut self, stdin_pos: u64, random_pos: u64);
    /// Copies input bytes at `at` into `out`.
    fn input_read(&mut self, at: u64, out: &mut [u8]);
    /// Appends to stdout (`fd` 1) or stderr (`fd` 2).
    fn out_append(&mut self, fd: u32, bytes: &[u8]);
    /// Guest memory size in bytes.
    fn mem_size(&self) -> usize;
    /// Copies guest bytes at `at` (in bounds) into `out`.
    fn mem_read(&mut self, at: usize, out: &mut [u8]);
    /// Writes guest bytes at `at` (in bounds).
    fn mem_write(&mut self, at: usize, bytes: &[u8]);
}

/// What one step of a WASI call did.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// The call is complete with this errno.
    Done(u32),
    /// The run ends (`proc_exit`).
    Exit(Status),
    /// The call continues at the next step; its progress is in the arguments.
    Again,
}

/// Guest memory access that turns out-of-bounds pointers into EFAULT.
struct Mem<'a, E: HostEnv> {
    env: &'a mut E,
}

impl<E: HostEnv> Mem<'_, E> {
    /// The start of `len` bytes at `ptr`, or EFAULT.
    fn check(&self, ptr: u32, len: u64) -> Result<usize, u32> {
        let start = ptr as usize;
        if start as u64 + len > self.env.mem_size() as u64 { Err(errno::FAULT) } else { Ok(start) }
    }
    fn write(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), u32> {
        let start = self.check(ptr, bytes.len() as u64)?;
        if !bytes.is_empty() {
            self.env.mem_write(start, bytes);
        }
        Ok(())
    }
    fn read(&mut self, ptr: u32, len: u32) -> Result<Vec<u8>, u32> {
        let start = self.check(ptr, len as u64)?;
        let mut out = vec![0; len as usize];
        self.env.mem_read(start, &mut out);
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
}

/// splitmix64: the `random_get` byte stream is a function of (seed, position).
fn random_byte(seed: u64, pos: u64) -> u8 {
    let mut z = seed.wrapping_add((pos / 8 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> (8 * (pos % 8))) as u8
}

/// Performs WASI call `w` to completion with argument slots `args` on
/// guest memory `mem` at step `steps`. Returns the errno, or the final
/// status for `proc_exit`.
///
/// This is the one implementation of the host interface: it runs the same
/// micro-steps as the engine, so other engines (the wasmi fast path) see
/// the same host.
pub fn call_with_memory(
    w: Wasi,
    args: &[u64],
    mem: &mut [u8],
    host: &mut HostState,
    steps: u64,
) -> Result<u32, Status> {
    let mut a = [0u64; MAX_HOST_ARGS];
    for (slot, v) in a.iter_mut().zip(args) {
        *slot = *v;
    }
    let mut env = SliceEnv { mem, host };
    loop {
        match perform(w, &mut a, &mut env, steps) {
            Step::Done(errno) => return Ok(errno),
            Step::Exit(s) => return Err(s),
            Step::Again => {}
        }
    }
}

/// Guest memory as a byte slice, host state as a [`HostState`].
struct SliceEnv<'a> {
    mem: &'a mut [u8],
    host: &'a mut HostState,
}

impl HostEnv for SliceEnv<'_> {
    fn regs(&self) -> HostRegs {
        self.host.regs()
    }
    fn set_positions(&mut self, stdin_pos: u64, random_pos: u64) {
        self.host.set_positions(stdin_pos, random_pos)
    }
    fn input_read(&mut self, at: u64, out: &mut [u8]) {
        self.host.input_read(at, out)
    }
    fn out_append(&mut self, fd: u32, bytes: &[u8]) {
        self.host.out_append(fd, bytes)
    }
    fn mem_size(&self) -> usize {
        self.mem.len()
    }
    fn mem_read(&mut self, at: usize, out: &mut [u8]) {
        out.copy_from_slice(&self.mem[at..at + out.len()]);
    }
    fn mem_write(&mut self, at: usize, bytes: &[u8]) {
        self.mem[at..at + bytes.len()].copy_from_slice(bytes);
    }
}

/// The low 32 bits of a slot: a WASI argument.
fn lo(x: u64) -> u32 {
    x as u32
}

/// The high 32 bits of a slot: where a micro-stepped call keeps its progress.
fn hi(x: u64) -> u32 {
    (x >> 32) as u32
}

fn with_hi(x: u64, v: u32) -> u64 {
    (x & 0xffff_ffff) | ((v as u64) << 32)
}

/// One step of WASI call `w`: the one definition, over any state. Calls
/// that move many bytes move at most [`HOST_CHUNK`] per step and keep their
/// progress in the high halves of their (32-bit) argument slots, or, for
/// `random_get`, in the arguments themselves (`specs/host.md`).
pub(crate) fn perform<E: HostEnv>(w: Wasi, args: &mut [u64; MAX_HOST_ARGS], env: &mut E, steps: u64) -> Step {
    let v = *args;
    let a = |i: usize| lo(v[i]);
    if w == Wasi::ProcExit {
        return Step::Exit(Status::Exited(a(0)));
    }
    let regs = env.regs();
    let mem = &mut Mem { env };
    let result: Result<bool, u32> = (|| match w {
        Wasi::ArgsSizesGet => sizes(mem, regs.input.args_count, regs.input.args_size, a(0), a(1)),
        Wasi::EnvironSizesGet => sizes(mem, regs.input.env_count, regs.input.env_size, a(0), a(1)),
        Wasi::ArgsGet => put_strings(mem, args, 0, regs.input.args_count, regs.input.args_size),
        Wasi::EnvironGet => {
            let i = &regs.input;
            put_strings(mem, args, i.args_size as u64, i.env_count, i.env_size)
        }
        Wasi::ClockResGet => match a(0) {
            0..=3 => mem.write_u64(a(1), 1).map(|_| true),
            _ => Err(errno::INVAL),
        },
        Wasi::ClockTimeGet => {
            let ptr = a(2);
            match a(0) {
                0 => mem.write_u64(ptr, REALTIME_EPOCH_NS + steps).map(|_| true),
                1..=3 => mem.write_u64(ptr, steps).map(|_| true),
                _ => Err(errno::INVAL),
            }
        }
        Wasi::FdClose => match a(0) {
            0..=2 => Ok(true),
            _ => Err(errno::BADF),
        },
        Wasi::FdFdstatGet => match a(0) {
            0..=2 => {
                // filetype unknown (0), no flags, all rights: not a terminal,
                // so wasi-libc buffers stdout fully.
                let mut d = [0u8; 24];
                d[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
                d[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
                mem.write(a(1), &d).map(|_| true)
            }
            _ => Err(errno::BADF),
        },
        Wasi::FdPrestatGet | Wasi::FdPrestatDirName => Err(errno::BADF),
        Wasi::FdSeek => match a(0) {
            0..=2 => Err(errno::SPIPE),
            _ => Err(errno::BADF),
        },
        Wasi::FdRead => fd_read(mem, args, regs),
        Wasi::FdWrite => fd_write(mem, args, regs),
        Wasi::RandomGet => {
            let (buf, len) = (a(0), a(1));
            mem.check(buf, len as u64)?;
            let n = len.min(HOST_CHUNK);
            let (seed, pos) = (regs.input.random_seed, regs.random_pos);
            let chunk: Vec<u8> = (0..n as u64).map(|i| random_byte(seed, pos + i)).collect();
            mem.write(buf, &chunk)?;
            mem.env.set_positions(regs.stdin_pos, pos + n as u64);
            args[0] = (buf + n) as u64;
            args[1] = (len - n) as u64;
            Ok(len == n)
        }
        Wasi::SchedYield => Ok(true),
        Wasi::Unsupported => Err(errno::NOSYS),
        Wasi::ProcExit => unreachable!("handled above"),
    })();
    match result {
        Ok(true) => Step::Done(errno::SUCCESS),
        Ok(false) => Step::Again,
        Err(e) => Step::Done(e),
    }
}

/// `args_sizes_get` and `environ_sizes_get`.
fn sizes<E: HostEnv>(
    mem: &mut Mem<'_, E>,
    count: u32,
    size: u32,
    count_ptr: u32,
    size_ptr: u32,
) -> Result<bool, u32> {
    mem.write_u32(count_ptr, count)?;
    mem.write_u32(size_ptr, size)?;
    Ok(true)
}

/// One step of `args_get(argv, buf)` or `environ_get`: the strings are
/// `size` input bytes from `base`. Progress: bytes copied in the high half
/// of `buf`'s slot, pointers written in the high half of `argv`'s.
fn put_strings<E: HostEnv>(
    mem: &mut Mem<'_, E>,
    args: &mut [u64; MAX_HOST_ARGS],
    base: u64,
    count: u32,
    size: u32,
) -> Result<bool, u32> {
    let (argv, buf) = (lo(args[0]), lo(args[1]));
    let (mut k, done) = (hi(args[0]), hi(args[1]));
    mem.check(argv, 4 * count as u64)?;
    mem.check(buf, size as u64)?;
    if done >= size {
        return Ok(true);
    }
    let n = (size - done).min(HOST_CHUNK);
    // The byte before the chunk tells whether the chunk starts a string.
    let from = done.saturating_sub(1);
    let mut bytes = vec![0u8; (done + n - from) as usize];
    mem.env.input_read(base + from as u64, &mut bytes);
    let chunk = &bytes[(done - from) as usize..];
    mem.write(buf.wrapping_add(done), chunk)?;
    for p in done..done + n {
        if p == 0 || bytes[(p - 1 - from) as usize] == 0 {
            mem.write_u32(argv.wrapping_add(4 * k), buf.wrapping_add(p))?;
            k += 1;
        }
    }
    args[0] = with_hi(args[0], k);
    args[1] = with_hi(args[1], done + n);
    Ok(done + n >= size)
}

/// Checks that `count` iovecs at `iovs` are in bounds (EINVAL above 1024).
fn check_iovecs<E: HostEnv>(mem: &mut Mem<'_, E>, iovs: u32, count: u32) -> Result<(), u32> {
    if count > 1024 {
        return Err(errno::INVAL);
    }
    mem.check(iovs, 8 * count as u64).map(|_| ())
}

/// Reads iovec `i`: (pointer, length).
fn iovec<E: HostEnv>(mem: &mut Mem<'_, E>, iovs: u32, i: u32) -> Result<(u32, u32), u32> {
    let at = iovs.wrapping_add(8 * i);
    Ok((mem.read_u32(at)?, mem.read_u32(at.wrapping_add(4))?))
}

/// One step of `fd_read(0, iovs, count, nread)`. Progress: the iovec in the
/// high half of `iovs`' slot, the offset in it in `count`'s, the total in
/// `nread`'s.
fn fd_read<E: HostEnv>(
    mem: &mut Mem<'_, E>,
    args: &mut [u64; MAX_HOST_ARGS],
    regs: HostRegs,
) -> Result<bool, u32> {
    if lo(args[0]) != 0 {
        return Err(errno::BADF);
    }
    let (iovs, count, nread) = (lo(args[1]), lo(args[2]), lo(args[3]));
    let (mut i, mut off, mut total) = (hi(args[1]), hi(args[2]), hi(args[3]));
    let finish = |mem: &mut Mem<'_, E>, total: u32| mem.write_u32(nread, total).map(|_| true);
    check_iovecs(mem, iovs, count)?;
    if i >= count {
        return finish(mem, total);
    }
    let (ptr, len) = iovec(mem, iovs, i)?;
    let unread = regs.input.stdin_len.saturating_sub(regs.stdin_pos);
    if off == 0 {
        mem.check(ptr, (len as u64).min(unread))?;
    }
    let n = ((len - off.min(len)) as u64).min(unread).min(HOST_CHUNK as u64) as u32;
    let mut bytes = vec![0u8; n as usize];
    mem.env.input_read(regs.input.stdin_start() + regs.stdin_pos, &mut bytes);
    mem.write(ptr.wrapping_add(off), &bytes)?;
    mem.env.set_positions(regs.stdin_pos + n as u64, regs.random_pos);
    off += n;
    total = total.wrapping_add(n);
    if off >= len {
        (i, off) = (i + 1, 0);
        if i >= count {
            return finish(mem, total);
        }
    } else if unread == n as u64 {
        // Stdin ran out inside this iovec: the read stops here.
        return finish(mem, total);
    }
    args[1] = with_hi(args[1], i);
    args[2] = with_hi(args[2], off);
    args[3] = with_hi(args[3], total);
    Ok(false)
}

/// One step of `fd_write(fd, iovs, count, nwritten)`, with progress kept
/// as in [`fd_read`].
fn fd_write<E: HostEnv>(
    mem: &mut Mem<'_, E>,
    args: &mut [u64; MAX_HOST_ARGS],
    regs: HostRegs,
) -> Result<bool, u32> {
    let fd = lo(args[0]);
    let out_len = match fd {
        1 => regs.stdout_len,
        2 => regs.stderr_len,
        _ => return Err(errno::BADF),
    };
    let (iovs, count, nwritten) = (lo(args[1]), lo(args[2]), lo(args[3]));
    let (mut i, mut off, mut total) = (hi(args[1]), hi(args[2]), hi(args[3]));
    check_iovecs(mem, iovs, count)?;
    if i >= count {
        return mem.write_u32(nwritten, total).map(|_| true);
    }
    let (ptr, len) = iovec(mem, iovs, i)?;
    if off == 0 {
        if out_len + len as u64 > MAX_OUTPUT_BYTES as u64 {
            return Err(errno::NOSPC);
        }
        mem.check(ptr, len as u64)?;
    }
    let n = (len - off.min(len)).min(HOST_CHUNK);
    let bytes = mem.read(ptr.wrapping_add(off), n)?;
    mem.env.out_append(fd, &bytes);
    off += n;
    total = total.wrapping_add(n);
    if off >= len {
        (i, off) = (i + 1, 0);
        if i >= count {
            return mem.write_u32(nwritten, total).map(|_| true);
        }
    }
    args[1] = with_hi(args[1], i);
    args[2] = with_hi(args[2], off);
    args[3] = with_hi(args[3], total);
    Ok(false)
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
