//! A deterministic subset of WASI preview1, enough for ordinary C programs
//! built against wasi-libc (see `specs/host.md`).
//!
//! Every function is a pure function of the machine state: the clock is the
//! step counter, randomness comes from a seed derived from the input, stdin
//! is the task's input bytes, and output is captured in the host state.
//!
//! One list, `define_wasi!`, declares every function: its variant of
//! [`Wasi`], stable number, WASI name, signature and handler. The enum,
//! [`Wasi::ALL`], [`resolve`] and the dispatch of `perform` are derived from it.

mod fs_fd;
mod fs_path;
mod iovecs;
pub use fs_fd::{FDFLAG_APPEND, FILETYPE_DIRECTORY, FILETYPE_REGULAR_FILE};
pub use fs_path::{O_CREAT, O_DIRECTORY, O_EXCL, O_TRUNC, RIGHT_FD_READ, RIGHT_FD_WRITE, WINDOW};
use iovecs::Moved;

use crate::host_state::{HostEnv, HostRegs, HostState, HostStep};
use crate::limits::{HOST_CHUNK, MAX_OUTPUT_BYTES};
use crate::status::Status;
use crate::value::{FuncType, ValType};

/// WASI errno values used here.
pub mod errno {
    /// Success.
    pub const SUCCESS: u32 = 0;
    /// Bad file descriptor.
    pub const BADF: u32 = 8;
    /// File exists.
    pub const EXIST: u32 = 20;
    /// Bad address.
    pub const FAULT: u32 = 21;
    /// File too large.
    pub const FBIG: u32 = 22;
    /// Illegal byte sequence (a new name that is not UTF-8, or holds NUL).
    pub const ILSEQ: u32 = 25;
    /// Invalid argument.
    pub const INVAL: u32 = 28;
    /// Is a directory.
    pub const ISDIR: u32 = 31;
    /// Too many open files.
    pub const MFILE: u32 = 33;
    /// Name or path too long.
    pub const NAMETOOLONG: u32 = 37;
    /// No such file or directory.
    pub const NOENT: u32 = 44;
    /// No space left (an output or file system limit was reached).
    pub const NOSPC: u32 = 51;
    /// Function not supported.
    pub const NOSYS: u32 = 52;
    /// Not a directory.
    pub const NOTDIR: u32 = 54;
    /// Directory not empty.
    pub const NOTEMPTY: u32 = 55;
    /// Not supported.
    pub const NOTSUP: u32 = 58;
    /// Operation not permitted (a path that leaves its directory).
    pub const PERM: u32 = 63;
    /// Invalid seek.
    pub const SPIPE: u32 = 70;
}

/// Nanoseconds from 1970 to 2020-01-01: the guest's realtime clock at step 0.
pub const REALTIME_EPOCH_NS: u64 = 1_577_836_800 * 1_000_000_000;

/// The WASI module name.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// The most arguments a host function reads: the widest signature of the
/// table (`path_open`). A host call copies its arguments into this many
/// slots; the table does not compile with a function that has more parameters.
pub(crate) const MAX_HOST_ARGS: usize = 9;

/// Declares [`Wasi`] from one list of `Variant = number, "name", (params) ->
/// (results), handler;` rows, ending with the row for every other name (a
/// new function takes the next free number, whatever its row's place).
/// Derives [`Wasi::ALL`], [`resolve`] and the dispatch of `perform`, and
/// checks at compile time that the numbers index `ALL` and that every
/// signature fits [`MAX_HOST_ARGS`].
macro_rules! define_wasi {
    (
        $( $variant:ident = $number:literal, $name:literal, ($($param:ident),*) -> ($($result:ident),*), $handler:ident; )*
        $(#[$other_doc:meta])*
        _ => $other:ident = $other_number:literal, $other_handler:ident;
    ) => {
        /// The WASI functions the engine implements. The numbers are stable:
        /// a function leaf of the state commitment holds `1 + number`.
        #[derive(Copy, Clone, Debug, PartialEq, Eq)]
        #[repr(u8)]
        pub enum Wasi {
            $( #[doc = concat!("`", $name, "`.")] $variant = $number, )*
            $(#[$other_doc])* $other = $other_number,
        }

        impl Wasi {
            /// Every variant, by number (`Wasi::ALL[w as usize] == w`, checked
            /// when the engine compiles).
            pub const ALL: [Wasi; <[u8]>::len(&[$($number,)* $other_number])] = {
                let mut all = [Wasi::$other; <[u8]>::len(&[$($number,)* $other_number])];
                $( all[$number] = Wasi::$variant; )*
                all
            };
        }

        // The numbers are 0 to N - 1 (the compiler refuses duplicates), so
        // that `ALL` indexes every function by its number.
        const _: () = {
            let mut i = 0;
            while i < Wasi::ALL.len() {
                assert!(Wasi::ALL[i] as usize == i, "WASI numbers must be 0 to N - 1 with no gap");
                i += 1;
            }
        };
        $(
            const _: () = assert!(
                <[ValType]>::len(&[$(ValType::$param),*]) <= MAX_HOST_ARGS,
                concat!("WASI function ", $name, " has more parameters than MAX_HOST_ARGS")
            );
        )*

        /// The host function for a WASI import, if the signature is the one WASI defines.
        pub fn resolve(name: &str, ty: &FuncType) -> Option<Wasi> {
            use ValType::*;
            let sig = |p: &[ValType], r: &[ValType]| ty.params == p && ty.results == r;
            let w = match name {
                $( $name if sig(&[$($param),*], &[$($result),*]) => Wasi::$variant, )*
                _ if ty.results == [I32] && ty.params.iter().all(|p| matches!(p, I32 | I64)) => Wasi::$other,
                _ => return None,
            };
            Some(w)
        }

        impl<H: HostEnv, M: Memory<H>> Call<'_, H, M> {
            /// Runs the handler of `w`.
            fn dispatch(&mut self, w: Wasi) -> Outcome {
                match w {
                    $( Wasi::$variant => self.$handler(), )*
                    Wasi::$other => self.$other_handler(),
                }
            }
        }
    };
}

define_wasi! {
    ArgsGet = 0, "args_get", (I32, I32) -> (I32), args_get;
    ArgsSizesGet = 1, "args_sizes_get", (I32, I32) -> (I32), args_sizes_get;
    EnvironGet = 2, "environ_get", (I32, I32) -> (I32), environ_get;
    EnvironSizesGet = 3, "environ_sizes_get", (I32, I32) -> (I32), environ_sizes_get;
    ClockResGet = 4, "clock_res_get", (I32, I32) -> (I32), clock_res_get;
    ClockTimeGet = 5, "clock_time_get", (I32, I64, I32) -> (I32), clock_time_get;
    FdClose = 6, "fd_close", (I32) -> (I32), fd_close;
    FdFdstatGet = 7, "fd_fdstat_get", (I32, I32) -> (I32), fd_fdstat_get;
    FdPrestatGet = 8, "fd_prestat_get", (I32, I32) -> (I32), fd_prestat_get;
    FdPrestatDirName = 9, "fd_prestat_dir_name", (I32, I32, I32) -> (I32), fd_prestat_dir_name;
    FdRead = 10, "fd_read", (I32, I32, I32, I32) -> (I32), fd_read;
    FdSeek = 11, "fd_seek", (I32, I64, I32, I32) -> (I32), fd_seek;
    FdWrite = 12, "fd_write", (I32, I32, I32, I32) -> (I32), fd_write;
    ProcExit = 13, "proc_exit", (I32) -> (), proc_exit;
    RandomGet = 14, "random_get", (I32, I32) -> (I32), random_get;
    SchedYield = 15, "sched_yield", () -> (I32), sched_yield;
    FdPread = 17, "fd_pread", (I32, I32, I32, I64, I32) -> (I32), fd_pread;
    FdPwrite = 18, "fd_pwrite", (I32, I32, I32, I64, I32) -> (I32), fd_pwrite;
    FdTell = 19, "fd_tell", (I32, I32) -> (I32), fd_tell;
    FdFilestatGet = 20, "fd_filestat_get", (I32, I32) -> (I32), fd_filestat_get;
    FdFilestatSetSize = 21, "fd_filestat_set_size", (I32, I64) -> (I32), fd_filestat_set_size;
    PathFilestatGet = 22, "path_filestat_get", (I32, I32, I32, I32, I32) -> (I32), path_filestat_get;
    FdReaddir = 23, "fd_readdir", (I32, I32, I32, I64, I32) -> (I32), fd_readdir;
    PathOpen = 24, "path_open", (I32, I32, I32, I32, I32, I64, I64, I32, I32) -> (I32), path_open;
    PathCreateDirectory = 25, "path_create_directory", (I32, I32, I32) -> (I32), path_create_directory;
    PathRemoveDirectory = 26, "path_remove_directory", (I32, I32, I32) -> (I32), path_remove_directory;
    PathUnlinkFile = 27, "path_unlink_file", (I32, I32, I32) -> (I32), path_unlink_file;
    PathRename = 28, "path_rename", (I32, I32, I32, I32, I32, I32) -> (I32), path_rename;
    PathReadlink = 29, "path_readlink", (I32, I32, I32, I32, I32, I32) -> (I32), path_readlink;
    FdRenumber = 30, "fd_renumber", (I32, I32) -> (I32), fd_renumber;
    FdSync = 31, "fd_sync", (I32) -> (I32), fd_sync;
    FdDatasync = 32, "fd_datasync", (I32) -> (I32), fd_sync;
    FdFdstatSetFlags = 33, "fd_fdstat_set_flags", (I32, I32) -> (I32), fd_fdstat_set_flags;
    PollOneoff = 34, "poll_oneoff", (I32, I32, I32, I32) -> (I32), poll_oneoff;
    /// Any other WASI function whose only result is an errno (`(i32|i64)* ->
    /// i32`): returns ENOSYS.
    _ => Unsupported = 16, unsupported;
}

/// Guest memory as a WASI call reaches it: a memory of the machine's state,
/// reached through the host `H` that holds it (`host::WorldMemory`), or
/// another engine's byte slice (for [`call_with_memory`]).
pub(crate) trait Memory<H: ?Sized> {
    /// Size in bytes.
    fn size(&self, host: &H) -> usize;
    /// Copies the bytes at `at` (in bounds) into `out`.
    fn read(&self, host: &H, at: usize, out: &mut [u8]);
    /// Writes `bytes` at `at` (in bounds).
    fn write(&mut self, host: &mut H, at: usize, bytes: &[u8]);
}

impl<H: ?Sized> Memory<H> for &mut [u8] {
    fn size(&self, _: &H) -> usize {
        self.len()
    }
    fn read(&self, _: &H, at: usize, out: &mut [u8]) {
        out.copy_from_slice(&self[at..at + out.len()]);
    }
    fn write(&mut self, _: &mut H, at: usize, bytes: &[u8]) {
        self[at..at + bytes.len()].copy_from_slice(bytes);
    }
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
    loop {
        match perform(w, &mut a, host, &mut *mem, steps) {
            // Every WASI function but `proc_exit` ends with an errno.
            HostStep::Done(errno) => return Ok(errno.map_or(errno::SUCCESS, |e| e as u32)),
            HostStep::End(s) => return Err(s),
            HostStep::Again => {}
        }
    }
}

/// One step of WASI call `w` with argument slots `args`, reaching the host
/// state through `host` and guest memory through `mem`: the one definition,
/// over any state. Calls that move many bytes move at most [`HOST_CHUNK`]
/// per step and keep their progress in the high halves of their (32-bit)
/// argument slots, or, for `random_get`, in the arguments themselves
/// (`specs/host.md`).
pub(crate) fn perform<H: HostEnv, M: Memory<H>>(
    w: Wasi,
    args: &mut [u64; MAX_HOST_ARGS],
    host: &mut H,
    mem: M,
    steps: u64,
) -> HostStep {
    let regs = host.regs();
    match (Call { args, regs, steps, host, mem }).dispatch(w) {
        Ok(step) => step,
        Err(errno) => HostStep::Done(Some(errno as u64)),
    }
}

/// What a handler returns: what its step did, or the errno that ends the call.
type Outcome = Result<HostStep, u32>;

/// The step that completes a call successfully.
const DONE: HostStep = HostStep::Done(Some(errno::SUCCESS as u64));

/// One step of a WASI call: its argument slots, the host registers before
/// the step, the step number, the host and guest memory. The handlers
/// are its methods; the memory accessors turn out-of-bounds pointers into
/// EFAULT.
struct Call<'a, H, M> {
    args: &'a mut [u64; MAX_HOST_ARGS],
    regs: HostRegs,
    steps: u64,
    host: &'a mut H,
    mem: M,
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

/// splitmix64: the `random_get` byte stream is a function of (seed, position).
fn random_byte(seed: u64, pos: u64) -> u8 {
    let mut z = seed.wrapping_add((pos / 8 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> (8 * (pos % 8))) as u8
}

/// Guest memory accessors: an out-of-bounds pointer is EFAULT.
impl<H: HostEnv, M: Memory<H>> Call<'_, H, M> {
    /// Argument `i`: the low half of its slot.
    fn a(&self, i: usize) -> u32 {
        lo(self.args[i])
    }
    /// The start of `len` bytes at `ptr`, or EFAULT.
    fn check(&self, ptr: u32, len: u64) -> Result<usize, u32> {
        let start = ptr as usize;
        if start as u64 + len > self.mem.size(self.host) as u64 { Err(errno::FAULT) } else { Ok(start) }
    }
    fn write(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), u32> {
        let start = self.check(ptr, bytes.len() as u64)?;
        if !bytes.is_empty() {
            self.mem.write(self.host, start, bytes);
        }
        Ok(())
    }
    fn read(&mut self, ptr: u32, len: u32) -> Result<Vec<u8>, u32> {
        let start = self.check(ptr, len as u64)?;
        let mut out = vec![0; len as usize];
        self.mem.read(self.host, start, &mut out);
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

/// The handlers the table names, one step each.
impl<H: HostEnv, M: Memory<H>> Call<'_, H, M> {
    fn args_sizes_get(&mut self) -> Outcome {
        let i = self.regs.input;
        self.sizes(i.args_count, i.args_size)
    }

    fn environ_sizes_get(&mut self) -> Outcome {
        let i = self.regs.input;
        self.sizes(i.env_count, i.env_size)
    }

    fn args_get(&mut self) -> Outcome {
        let i = self.regs.input;
        self.put_strings(0, i.args_count, i.args_size)
    }

    fn environ_get(&mut self) -> Outcome {
        let i = self.regs.input;
        self.put_strings(i.args_size as u64, i.env_count, i.env_size)
    }

    fn clock_res_get(&mut self) -> Outcome {
        match self.a(0) {
            0..=3 => self.write_u64(self.a(1), 1).map(|_| DONE),
            _ => Err(errno::INVAL),
        }
    }

    fn clock_time_get(&mut self) -> Outcome {
        let ptr = self.a(2);
        match self.a(0) {
            0 => self.write_u64(ptr, REALTIME_EPOCH_NS + self.steps).map(|_| DONE),
            1..=3 => self.write_u64(ptr, self.steps).map(|_| DONE),
            _ => Err(errno::INVAL),
        }
    }

    fn proc_exit(&mut self) -> Outcome {
        Ok(HostStep::End(Status::Exited(self.a(0))))
    }

    /// Progress: `buf` advances and `len` shrinks by the bytes written.
    fn random_get(&mut self) -> Outcome {
        let (buf, len) = (self.a(0), self.a(1));
        self.check(buf, len as u64)?;
        let n = len.min(HOST_CHUNK);
        let regs = self.regs;
        let (seed, pos) = (regs.input.random_seed, regs.random_pos);
        let chunk: Vec<u8> = (0..n as u64).map(|i| random_byte(seed, pos + i)).collect();
        self.write(buf, &chunk)?;
        self.host.set_positions(regs.stdin_pos, pos + n as u64);
        self.args[0] = (buf + n) as u64;
        self.args[1] = (len - n) as u64;
        Ok(if len == n { DONE } else { HostStep::Again })
    }

    fn sched_yield(&mut self) -> Outcome {
        Ok(DONE)
    }

    fn unsupported(&mut self) -> Outcome {
        Err(errno::NOSYS)
    }

    /// `args_sizes_get` and `environ_sizes_get`.
    fn sizes(&mut self, count: u32, size: u32) -> Outcome {
        self.write_u32(self.a(0), count)?;
        self.write_u32(self.a(1), size)?;
        Ok(DONE)
    }

    /// One step of `args_get(argv, buf)` or `environ_get`: the strings are
    /// `size` input bytes from `base`. Progress: bytes copied in the high half
    /// of `buf`'s slot, pointers written in the high half of `argv`'s.
    fn put_strings(&mut self, base: u64, count: u32, size: u32) -> Outcome {
        let (argv, buf) = (self.a(0), self.a(1));
        let (mut k, done) = (hi(self.args[0]), hi(self.args[1]));
        self.check(argv, 4 * count as u64)?;
        self.check(buf, size as u64)?;
        if done >= size {
            return Ok(DONE);
        }
        let n = (size - done).min(HOST_CHUNK);
        // The byte before the chunk tells whether the chunk starts a string.
        let from = done.saturating_sub(1);
        let mut bytes = vec![0u8; (done + n - from) as usize];
        self.host.input_read(base + from as u64, &mut bytes);
        let chunk = &bytes[(done - from) as usize..];
        self.write(buf.wrapping_add(done), chunk)?;
        for p in done..done + n {
            if p == 0 || bytes[(p - 1 - from) as usize] == 0 {
                self.write_u32(argv.wrapping_add(4 * k), buf.wrapping_add(p))?;
                k += 1;
            }
        }
        self.args[0] = with_hi(self.args[0], k);
        self.args[1] = with_hi(self.args[1], done + n);
        Ok(if done + n >= size { DONE } else { HostStep::Again })
    }

    /// Writes the running total at `ptr` and completes the call.
    fn finish(&mut self, ptr: u32, total: u32) -> Outcome {
        self.write_u32(ptr, total).map(|_| DONE)
    }

    /// One step of `fd_read(0, iovs, count, nread)`, walking the iovecs as
    /// [`Call::walk_iovecs`] does.
    fn fd_read(&mut self) -> Outcome {
        match self.a(0) {
            0 => {}
            1 | 2 => return Err(errno::BADF),
            _ => return self.file_read_step(None, 3),
        }
        self.walk_iovecs(3, |c, v| {
            let regs = c.regs;
            let unread = regs.input.stdin_len.saturating_sub(regs.stdin_pos);
            if v.off == 0 {
                c.check(v.ptr, (v.len as u64).min(unread))?;
            }
            let n = v.chunk(unread);
            let mut bytes = vec![0u8; n as usize];
            c.host.input_read(regs.input.stdin_start() + regs.stdin_pos, &mut bytes);
            c.write(v.ptr.wrapping_add(v.off), &bytes)?;
            c.host.set_positions(regs.stdin_pos + n as u64, regs.random_pos);
            Ok(Moved { n, ran_out: unread == n as u64 })
        })
    }

    /// One step of `fd_write(fd, iovs, count, nwritten)`, walking the iovecs
    /// as [`Call::walk_iovecs`] does.
    fn fd_write(&mut self) -> Outcome {
        let fd = self.a(0);
        let out_len = match fd {
            1 => self.regs.stdout_len,
            2 => self.regs.stderr_len,
            0 => return Err(errno::BADF),
            _ => return self.file_write_step(None, 3),
        };
        self.walk_iovecs(3, |c, v| {
            if v.off == 0 {
                if out_len + v.len as u64 > MAX_OUTPUT_BYTES as u64 {
                    return Err(errno::NOSPC);
                }
                c.check(v.ptr, v.len as u64)?;
            }
            let n = v.chunk(u64::MAX);
            let bytes = c.read(v.ptr.wrapping_add(v.off), n)?;
            c.host.out_append(fd, &bytes);
            Ok(Moved { n, ran_out: false })
        })
    }
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

    #[test]
    fn resolve_takes_only_the_declared_signature() {
        use ValType::{F32, I32, I64};
        let check = |name: &str, params: &[ValType], results: &[ValType], expected: Option<Wasi>| {
            let ty = FuncType { params: params.to_vec(), results: results.to_vec() };
            assert_eq!(resolve(name, &ty), expected, "{name}: {ty}");
        };
        check("fd_write", &[I32, I32, I32, I32], &[I32], Some(Wasi::FdWrite));
        check("clock_time_get", &[I32, I64, I32], &[I32], Some(Wasi::ClockTimeGet));
        check("proc_exit", &[I32], &[], Some(Wasi::ProcExit));
        check("sched_yield", &[], &[I32], Some(Wasi::SchedYield));
        // A known name with another signature that is not errno-only is refused.
        check("fd_write", &[I32, I32, I32, I32], &[], None);
        check("proc_exit", &[I64], &[], None);
        // Any other name returning only an errno gets ENOSYS, whatever its arity.
        check("path_open", &[I32, I32, I32, I32, I32, I64, I64, I32, I32], &[I32], Some(Wasi::PathOpen));
        check("path_symlink", &[I32, I32, I32, I32, I32], &[I32], Some(Wasi::Unsupported));
        check("path_open", &[F32], &[I32], None);
        check("poll_oneoff", &[I32], &[], None);
    }
}
