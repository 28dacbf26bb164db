//! The host's state: the task's input (arguments, environment and stdin,
//! laid out in one byte string), the read positions and the output, all
//! part of the committed state; [`HostEnv`], how a host call reaches it;
//! and [`HostStep`], what one step of a host call did.
//!
//! Plain data under the host's behaviour (`wasi`, `host`), so that the
//! state access traits (`access`) can name it without depending on them.

use crate::fs::{Fs, FsRegs, FsTable, read_zero_extended, write_growing};
use crate::limits::MAX_OUTPUT_BYTES;
use crate::status::Status;

/// The task's input as the guest sees it: the arguments, then the
/// environment entries, each followed by a NUL byte, then stdin, in one
/// byte string (committed as the input tree, `specs/state.md`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Input {
    bytes: Vec<u8>,
    sizes: InputSizes,
}

/// The shape of an [`Input`], committed in the state header.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct InputSizes {
    /// Number of arguments, `argv[0]` included.
    pub args_count: u32,
    /// Bytes of the arguments, each with its NUL.
    pub args_size: u32,
    /// Number of environment entries.
    pub env_count: u32,
    /// Bytes of the environment entries, each with its NUL.
    pub env_size: u32,
    /// Bytes of stdin.
    pub stdin_len: u64,
    /// Seed of `random_get`, a hash of the input (see [`Input::new`]).
    pub random_seed: u64,
}

impl InputSizes {
    /// Where stdin starts in the input bytes.
    pub fn stdin_start(&self) -> u64 {
        self.args_size as u64 + self.env_size as u64
    }
}

impl Input {
    /// Lays out `args`, `env` and `stdin`. The random seed is 64-bit FNV-1a
    /// over each argument and a 0, a 1, each entry and a 0, a 2, and stdin,
    /// so the same input always yields the same "random" bytes.
    pub fn new(args: &[Vec<u8>], env: &[Vec<u8>], stdin: &[u8]) -> Input {
        let mut h = Fnv::default();
        let mut bytes = Vec::new();
        for a in args {
            h.write(a);
            h.write(&[0]);
            bytes.extend_from_slice(a);
            bytes.push(0);
        }
        let args_size = bytes.len() as u32;
        h.write(&[1]);
        for e in env {
            h.write(e);
            h.write(&[0]);
            bytes.extend_from_slice(e);
            bytes.push(0);
        }
        let env_size = bytes.len() as u32 - args_size;
        h.write(&[2]);
        h.write(stdin);
        bytes.extend_from_slice(stdin);
        let sizes = InputSizes {
            args_count: args.len() as u32,
            args_size,
            env_count: env.len() as u32,
            env_size,
            stdin_len: stdin.len() as u64,
            random_seed: h.0,
        };
        Input { bytes, sizes }
    }

    /// The laid-out bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The shape.
    pub fn sizes(&self) -> InputSizes {
        self.sizes
    }
}

/// The host's registers: what a host call reads and writes besides guest
/// memory, the input bytes and the output bytes.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct HostRegs {
    /// The input's shape.
    pub input: InputSizes,
    /// Bytes of stdin read.
    pub stdin_pos: u64,
    /// Random bytes produced.
    pub random_pos: u64,
    /// Bytes written to stdout.
    pub stdout_len: u64,
    /// Bytes written to stderr.
    pub stderr_len: u64,
    /// The file system's registers.
    pub fs: FsRegs,
}

/// The deterministic state of the host: the task's input and the output so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostState {
    /// The task's input.
    pub input: Input,
    /// Bytes of stdin already read.
    pub stdin_pos: u64,
    /// Bytes written to file descriptor 1.
    pub stdout: Vec<u8>,
    /// Bytes written to file descriptor 2.
    pub stderr: Vec<u8>,
    /// Number of random bytes produced so far.
    pub random_pos: u64,
    /// Store address of the memory WASI calls read and write.
    pub memory: Option<u32>,
    /// The file system: the preopened directories and what the guest did to them.
    pub fs: Fs,
}

impl HostState {
    /// Host state for a WASI task (see [`Input::new`]).
    pub fn new(args: Vec<Vec<u8>>, env: Vec<Vec<u8>>, stdin: Vec<u8>) -> HostState {
        HostState { input: Input::new(&args, &env, &stdin), ..HostState::default() }
    }

    /// The registers.
    pub fn regs(&self) -> HostRegs {
        HostRegs {
            input: self.input.sizes,
            stdin_pos: self.stdin_pos,
            random_pos: self.random_pos,
            stdout_len: self.stdout.len() as u64,
            stderr_len: self.stderr.len() as u64,
            fs: self.fs.regs,
        }
    }
}

/// The host state as a host call reads and writes it: the registers, the
/// input bytes and the output streams. [`HostState`] implements it, and so
/// does every `access::World` (a supertrait), so the machine, the prover and
/// the verifier reach the host the same way.
pub(crate) trait HostEnv {
    /// The host registers.
    fn regs(&self) -> HostRegs;
    /// Sets the stdin and random stream positions.
    fn set_positions(&mut self, stdin_pos: u64, random_pos: u64);
    /// Copies input bytes at `at` into `out` (zeros past the end).
    fn input_read(&self, at: u64, out: &mut [u8]);
    /// Appends to stdout (`fd` 1) or stderr (any other), unless the stream
    /// would grow past `MAX_OUTPUT_BYTES`.
    fn out_append(&mut self, fd: u32, bytes: &[u8]);

    /// Sets the file system's registers.
    fn set_fs_regs(&mut self, r: FsRegs);
    /// Copies bytes at `at` of a file system table into `out` (zeros past its end).
    fn fs_read(&self, t: FsTable, at: u64, out: &mut [u8]);
    /// Writes bytes at `at` of a file system table (within its tree).
    fn fs_write(&mut self, t: FsTable, at: u64, bytes: &[u8]);
    /// The size of node `n`'s file.
    fn file_len(&self, n: u32) -> u64;
    /// Copies bytes at `at` of node `n`'s file into `out` (zeros past its end).
    fn file_read(&self, n: u32, at: u64, out: &mut [u8]);
    /// Writes bytes at `at` of node `n`'s file (`at + len` at most
    /// `MAX_FILE_BYTES`), growing its size to `at + len` if that is larger (nothing for no bytes).
    fn file_write(&mut self, n: u32, at: u64, bytes: &[u8]);
    /// Sets node `n`'s file size to `len`, not above the size now; the
    /// bytes from `len` on must already be zero.
    fn file_shrink(&mut self, n: u32, len: u64);
    /// Empties node `n`'s file: size 0, all bytes zero.
    fn file_clear(&mut self, n: u32);
}

impl HostEnv for HostState {
    fn regs(&self) -> HostRegs {
        HostState::regs(self)
    }

    fn set_positions(&mut self, stdin_pos: u64, random_pos: u64) {
        self.stdin_pos = stdin_pos;
        self.random_pos = random_pos;
    }

    fn input_read(&self, at: u64, out: &mut [u8]) {
        for (i, b) in out.iter_mut().enumerate() {
            *b = self.input.bytes.get(at as usize + i).copied().unwrap_or(0);
        }
    }

    fn out_append(&mut self, fd: u32, bytes: &[u8]) {
        let out = if fd == 1 { &mut self.stdout } else { &mut self.stderr };
        if out.len() + bytes.len() <= MAX_OUTPUT_BYTES {
            out.extend_from_slice(bytes);
        }
    }

    fn set_fs_regs(&mut self, r: FsRegs) {
        self.fs.regs = r;
    }

    fn fs_read(&self, t: FsTable, at: u64, out: &mut [u8]) {
        read_zero_extended(self.fs.table(t), at, out)
    }

    fn fs_write(&mut self, t: FsTable, at: u64, bytes: &[u8]) {
        write_growing(self.fs.table_mut(t), at, bytes)
    }

    fn file_len(&self, n: u32) -> u64 {
        self.fs.file(n).map_or(0, |f| f.len)
    }

    fn file_read(&self, n: u32, at: u64, out: &mut [u8]) {
        match self.fs.file(n) {
            Some(f) => read_zero_extended(&f.bytes, at, out),
            None => out.fill(0),
        }
    }

    fn file_write(&mut self, n: u32, at: u64, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let f = self.fs.file_mut(n);
        write_growing(std::sync::Arc::make_mut(&mut f.bytes), at, bytes);
        f.len = f.len.max(at + bytes.len() as u64);
    }

    fn file_shrink(&mut self, n: u32, len: u64) {
        let f = self.fs.file_mut(n);
        f.len = f.len.min(len);
    }

    fn file_clear(&mut self, n: u32) {
        *self.fs.file_mut(n) = Default::default();
    }
}

/// What one step of a host call did.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum HostStep {
    /// The call is complete; its result, if it has one.
    Done(Option<u64>),
    /// The run ends with this status (`proc_exit`).
    End(Status),
    /// The call continues at the next step (its progress is in its arguments).
    Again,
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
