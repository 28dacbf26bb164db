//! Byte layouts: the header, the leaves of every tree, directory entries.

use crate::frame::Frame;
use crate::fs::FsRegs;
use crate::host_state::{HostRegs, InputSizes};
use crate::isa::{OP_BYTES, Op};
use crate::merkle::{Hash, Leaf};
use crate::status::{Status, TrapKind};
use crate::store::{FuncInst, FuncKind, HostFunc};
use crate::wasi::Wasi;
use sha2::{Digest, Sha256};

/// The first 16 bytes of an encoded header (its hot part, the state
/// root's preimage): the format and its version.
pub const STATE_TAG: &[u8; 16] = b"refute state v5\0";

/// The first 16 bytes of the header's cold part (`specs/state.md` §3).
pub const COLD_TAG: &[u8; 16] = b"refute cold v5\0\0";

/// Number of trees in a state.
pub const TREES: usize = 15;

/// The trees of a state, in header order.
#[allow(missing_docs)] // Each is the tree of the vector of the same name.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum TreeId {
    Code = 0,
    Funcs = 1,
    Globals = 2,
    /// Directory of memories: leaf `i` is the hash of memory `i`'s entry.
    Memories = 3,
    /// Directory of tables.
    Tables = 4,
    /// Directory of element segments.
    Elems = 5,
    /// Directory of data segments.
    Datas = 6,
    Stack = 7,
    Frames = 8,
    Stdout = 9,
    Stderr = 10,
    Input = 11,
    /// The file system's node table (`specs/state.md` §4.6).
    Nodes = 12,
    /// The file system's descriptor table.
    Fds = 13,
    /// Directory of files: leaf `n` is the hash of node `n`'s file entry.
    Files = 14,
}

impl TreeId {
    /// Every tree, in header order.
    pub const ALL: [TreeId; TREES] = [
        TreeId::Code,
        TreeId::Funcs,
        TreeId::Globals,
        TreeId::Memories,
        TreeId::Tables,
        TreeId::Elems,
        TreeId::Datas,
        TreeId::Stack,
        TreeId::Frames,
        TreeId::Stdout,
        TreeId::Stderr,
        TreeId::Input,
        TreeId::Nodes,
        TreeId::Fds,
        TreeId::Files,
    ];

    /// Fixed depth of the tree.
    pub fn depth(self) -> usize {
        match self {
            TreeId::Code => 24,    // 2 ops per leaf: 2^25 ops
            TreeId::Funcs => 22,   // 2 leaves per function: 2^21 functions
            TreeId::Globals => 18, // 4 per leaf: 2^20 globals
            TreeId::Memories => 4, // 16 memories
            TreeId::Tables => 7,   // 128 tables
            TreeId::Elems => 17,   // 2^17 segments
            TreeId::Datas => 17,   // 2^17 segments
            TreeId::Stack => 18,   // 4 slots per leaf: 2^20 slots
            TreeId::Frames => 15,  // 2 leaves per frame: 2^14 frames
            TreeId::Stdout => 19,  // 32 bytes per leaf: 16 MiB
            TreeId::Stderr => 19,
            TreeId::Input => 23, // 32 bytes per leaf: 256 MiB = MAX_INPUT_BYTES
            TreeId::Nodes => crate::fs::NODES_DEPTH,
            TreeId::Fds => crate::fs::FDS_DEPTH,
            TreeId::Files => crate::fs::FILES_DEPTH,
        }
    }

    /// Decodes a tree number.
    pub fn from_u8(b: u8) -> Option<TreeId> {
        TreeId::ALL.get(b as usize).copied()
    }

    /// Whether the tree's root is in the header's hot part (every proof
    /// sends it) rather than its cold part (sent only by a step that needs it).
    pub fn is_hot(self) -> bool {
        HOT_TREES.contains(&self)
    }
}

/// The trees whose roots the hot part holds, in order.
pub const HOT_TREES: [TreeId; 7] = [
    TreeId::Code,
    TreeId::Funcs,
    TreeId::Globals,
    TreeId::Memories,
    TreeId::Tables,
    TreeId::Stack,
    TreeId::Frames,
];

/// The trees whose roots the cold part holds, in order.
pub const COLD_TREES: [TreeId; 8] = [
    TreeId::Elems,
    TreeId::Datas,
    TreeId::Stdout,
    TreeId::Stderr,
    TreeId::Input,
    TreeId::Nodes,
    TreeId::Fds,
    TreeId::Files,
];

/// The kind of a directory entry and of the tree under it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum EntryKind {
    /// A linear memory: bytes, depth 27.
    Memory = 0,
    /// A table: 4 references per leaf, depth 18.
    Table = 1,
    /// An element segment: 4 references per leaf, depth 22.
    Elem = 2,
    /// A data segment: bytes, depth 21.
    Data = 3,
    /// A file of the file system: bytes, depth 21 (one per node).
    File = 4,
}

impl EntryKind {
    /// Every kind, in number order.
    pub const ALL: [EntryKind; 5] =
        [EntryKind::Memory, EntryKind::Table, EntryKind::Elem, EntryKind::Data, EntryKind::File];

    /// The directory tree holding entries of this kind.
    pub fn directory(self) -> TreeId {
        match self {
            EntryKind::Memory => TreeId::Memories,
            EntryKind::Table => TreeId::Tables,
            EntryKind::Elem => TreeId::Elems,
            EntryKind::Data => TreeId::Datas,
            EntryKind::File => TreeId::Files,
        }
    }

    /// Depth of an entry's content tree.
    pub fn depth(self) -> usize {
        match self {
            EntryKind::Memory => 27,
            EntryKind::Table => 18,
            EntryKind::Elem => 22,
            EntryKind::Data => 21,
            EntryKind::File => crate::fs::FILE_DEPTH,
        }
    }

    /// Elements per 32-byte leaf (bytes, or 8-byte references).
    pub fn per_leaf(self) -> usize {
        match self {
            EntryKind::Memory | EntryKind::Data | EntryKind::File => 32,
            EntryKind::Table | EntryKind::Elem => 4,
        }
    }

    /// Decodes an entry kind.
    pub fn from_u8(b: u8) -> Option<EntryKind> {
        EntryKind::ALL.get(b as usize).copied()
    }
}

/// A directory entry: the size of a memory, table or segment, its limit
/// (memories and tables) and the root of its content.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Pages of a memory, elements of a table or element segment, bytes of a data segment.
    pub len: u32,
    /// The most pages or elements a memory or table may grow to (0 for segments).
    pub limit: u32,
    /// Root of the content tree.
    pub root: Hash,
}

impl Entry {
    /// The directory leaf: `SHA256("refute entry:" ‖ kind ‖ len ‖ limit ‖ root)`,
    /// except that an empty file's leaf is the zero leaf, so that nodes
    /// without bytes (directories, free slots, empty files) cost nothing.
    pub fn leaf(&self, kind: EntryKind) -> Leaf {
        if kind == EntryKind::File && self.is_empty_file() {
            return [0; 32];
        }
        crate::merkle::count_hash();
        Sha256::new()
            .chain_update(b"refute entry:")
            .chain_update([kind as u8])
            .chain_update(self.len.to_le_bytes())
            .chain_update(self.limit.to_le_bytes())
            .chain_update(self.root)
            .finalize()
            .into()
    }

    /// Size 0, limit 0, all bytes zero: an empty file's entry.
    pub fn is_empty_file(&self) -> bool {
        self.len == 0 && self.limit == 0 && self.root == crate::merkle::zeros()[crate::fs::FILE_DEPTH]
    }
}

/// The registers and tree roots of a state. The state root hashes its hot
/// part, which holds the hash of its cold part (`specs/state.md` §3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// [`encode_status`] of the status.
    pub status: u64,
    /// Steps executed.
    pub steps: u64,
    /// Program counter.
    pub pc: u32,
    /// Stack height in slots.
    pub sp: u32,
    /// Frame pointer: slot of the current function's first local.
    pub fp: u32,
    /// Saved frames.
    pub depth: u32,
    /// Number of arguments.
    pub args_count: u32,
    /// Bytes of the arguments, each with its NUL.
    pub args_size: u32,
    /// Number of environment entries.
    pub env_count: u32,
    /// Bytes of the environment entries, each with its NUL.
    pub env_size: u32,
    /// Bytes of stdin.
    pub stdin_len: u64,
    /// Bytes of stdin read.
    pub stdin_pos: u64,
    /// Seed of the random stream.
    pub random_seed: u64,
    /// Random bytes produced.
    pub random_pos: u64,
    /// Bytes written to stdout.
    pub stdout_len: u64,
    /// Bytes written to stderr.
    pub stderr_len: u64,
    /// The file system's registers.
    pub fs: FsRegs,
    /// Roots of the trees, indexed by [`TreeId`].
    pub roots: [Hash; TREES],
}

/// Bytes of the hot part: tag, status, steps, `pc`, `sp`, `fp`, `depth`,
/// the [`HOT_TREES`]' roots, the cold part's hash.
pub const HOT_BYTES: usize = 16 + 8 + 8 + 4 * 4 + HOT_TREES.len() * 32 + 32;

/// Bytes of the cold part: tag, the host registers, the [`COLD_TREES`]' roots.
pub const COLD_BYTES: usize = 16 + 4 * 4 + 6 * 8 + 4 * 4 + 8 + COLD_TREES.len() * 32;

/// Bytes of a whole encoded [`Header`]: the hot part, then the cold part.
pub const HEADER_BYTES: usize = HOT_BYTES + COLD_BYTES;

impl Header {
    /// A header with these registers (`pc`, `sp`, `fp`, `depth`) and
    /// roots, and zero host registers.
    pub fn new(status: u64, steps: u64, [pc, sp, fp, depth]: [u32; 4], roots: [Hash; TREES]) -> Header {
        Header {
            status,
            steps,
            pc,
            sp,
            fp,
            depth,
            args_count: 0,
            args_size: 0,
            env_count: 0,
            env_size: 0,
            stdin_len: 0,
            stdin_pos: 0,
            random_seed: 0,
            random_pos: 0,
            stdout_len: 0,
            stderr_len: 0,
            fs: FsRegs::default(),
            roots,
        }
    }

    /// The host registers this header commits.
    pub fn host_regs(&self) -> HostRegs {
        HostRegs {
            input: InputSizes {
                args_count: self.args_count,
                args_size: self.args_size,
                env_count: self.env_count,
                env_size: self.env_size,
                stdin_len: self.stdin_len,
                random_seed: self.random_seed,
            },
            stdin_pos: self.stdin_pos,
            random_pos: self.random_pos,
            stdout_len: self.stdout_len,
            stderr_len: self.stderr_len,
            fs: self.fs,
        }
    }

    /// Sets the host registers.
    pub fn set_host_regs(&mut self, r: &HostRegs) {
        let i = &r.input;
        (self.args_count, self.args_size, self.env_count, self.env_size) =
            (i.args_count, i.args_size, i.env_count, i.env_size);
        (self.stdin_len, self.random_seed) = (i.stdin_len, i.random_seed);
        (self.stdin_pos, self.random_pos) = (r.stdin_pos, r.random_pos);
        (self.stdout_len, self.stderr_len) = (r.stdout_len, r.stderr_len);
        self.fs = r.fs;
    }

    /// The hot part with the cold part's hash `cold`: the tag, status,
    /// steps, `pc`, `sp`, `fp`, `depth`, the hot trees' roots, `cold`.
    pub fn encode_hot_with(&self, cold: &Hash) -> [u8; HOT_BYTES] {
        let mut b = [0u8; HOT_BYTES];
        let mut w = Writer { b: &mut b, at: 0 };
        w.put(STATE_TAG);
        w.put(&self.status.to_le_bytes());
        w.put(&self.steps.to_le_bytes());
        for v in [self.pc, self.sp, self.fp, self.depth] {
            w.put(&v.to_le_bytes());
        }
        for t in HOT_TREES {
            w.put(self.tree(t));
        }
        w.put(cold);
        debug_assert_eq!(w.at, HOT_BYTES);
        b
    }

    /// The hot part: the state root's preimage.
    pub fn encode_hot(&self) -> [u8; HOT_BYTES] {
        self.encode_hot_with(&self.cold_hash())
    }

    /// The cold part: its tag, the host registers little-endian in
    /// declaration order, the cold trees' roots.
    pub fn encode_cold(&self) -> [u8; COLD_BYTES] {
        let mut b = [0u8; COLD_BYTES];
        let mut w = Writer { b: &mut b, at: 0 };
        w.put(COLD_TAG);
        for v in [self.args_count, self.args_size, self.env_count, self.env_size] {
            w.put(&v.to_le_bytes());
        }
        for v in [
            self.stdin_len,
            self.stdin_pos,
            self.random_seed,
            self.random_pos,
            self.stdout_len,
            self.stderr_len,
        ] {
            w.put(&v.to_le_bytes());
        }
        for v in [self.fs.nodes, self.fs.node_free, self.fs.fds, self.fs.fd_free] {
            w.put(&v.to_le_bytes());
        }
        w.put(&self.fs.bytes.to_le_bytes());
        for t in COLD_TREES {
            w.put(self.tree(t));
        }
        debug_assert_eq!(w.at, COLD_BYTES);
        b
    }

    /// SHA-256 of the cold part.
    pub fn cold_hash(&self) -> Hash {
        crate::merkle::count_hash();
        Sha256::digest(self.encode_cold()).into()
    }

    /// The whole encoding: the hot part, then the cold part.
    pub fn encode(&self) -> [u8; HEADER_BYTES] {
        let mut b = [0u8; HEADER_BYTES];
        b[..HOT_BYTES].copy_from_slice(&self.encode_hot());
        b[HOT_BYTES..].copy_from_slice(&self.encode_cold());
        b
    }

    /// Decodes a whole encoding; `None` if a tag is wrong or the hot part
    /// does not hold the cold part's hash.
    pub fn decode(b: &[u8; HEADER_BYTES]) -> Option<Header> {
        let (hot, cold) = b.split_at(HOT_BYTES);
        let (mut h, cold_hash) = Header::decode_hot(hot.try_into().expect("hot bytes"))?;
        h.decode_cold(cold.try_into().expect("cold bytes"))?;
        (h.cold_hash() == cold_hash).then_some(h)
    }

    /// Decodes a hot part: the header with its cold fields zero, and the
    /// cold part's hash; `None` if the tag is wrong.
    pub fn decode_hot(b: &[u8; HOT_BYTES]) -> Option<(Header, Hash)> {
        if &b[..16] != STATE_TAG {
            return None;
        }
        let mut r = Fields { b, at: 16 };
        let (status, steps) = (r.u64(), r.u64());
        let (pc, sp, fp, depth) = (r.u32(), r.u32(), r.u32(), r.u32());
        let mut h = Header::new(status, steps, [pc, sp, fp, depth], [[0u8; 32]; TREES]);
        for t in HOT_TREES {
            h.roots[t as usize] = r.hash();
        }
        Some((h, r.hash()))
    }

    /// Sets the cold fields from a cold part; `None` if its tag is wrong.
    pub fn decode_cold(&mut self, b: &[u8; COLD_BYTES]) -> Option<()> {
        if &b[..16] != COLD_TAG {
            return None;
        }
        let mut r = Fields { b, at: 16 };
        (self.args_count, self.args_size, self.env_count, self.env_size) =
            (r.u32(), r.u32(), r.u32(), r.u32());
        (self.stdin_len, self.stdin_pos) = (r.u64(), r.u64());
        (self.random_seed, self.random_pos) = (r.u64(), r.u64());
        (self.stdout_len, self.stderr_len) = (r.u64(), r.u64());
        let (nodes, node_free, fds, fd_free) = (r.u32(), r.u32(), r.u32(), r.u32());
        self.fs = FsRegs { nodes, node_free, fds, fd_free, bytes: r.u64() };
        for t in COLD_TREES {
            self.roots[t as usize] = r.hash();
        }
        Some(())
    }

    /// The state root: SHA-256 of the hot part.
    pub fn root(&self) -> Hash {
        self.root_with(&self.cold_hash())
    }

    /// The state root with the cold part's hash `cold` (a proof that does
    /// not send the cold part has only its hash).
    pub fn root_with(&self, cold: &Hash) -> Hash {
        crate::merkle::count_hash();
        Sha256::digest(self.encode_hot_with(cold)).into()
    }

    /// The root of tree `t`.
    pub fn tree(&self, t: TreeId) -> &Hash {
        &self.roots[t as usize]
    }
}

/// Reads little-endian fields in order.
struct Fields<'a> {
    b: &'a [u8],
    at: usize,
}

impl Fields<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let v = self.b[self.at..self.at + N].try_into().expect("N bytes");
        self.at += N;
        v
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take())
    }
    fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.take())
    }
    fn hash(&mut self) -> Hash {
        self.take()
    }
}

struct Writer<'a> {
    b: &'a mut [u8],
    at: usize,
}

impl Writer<'_> {
    fn put(&mut self, s: &[u8]) {
        self.b[self.at..self.at + s.len()].copy_from_slice(s);
        self.at += s.len();
    }
}

/// The status as hashed: 0 running, 1 finished, `2 | kind << 8` trapped,
/// `3 | code << 8` exited. Out of steps is not a machine state: it is the
/// task's verdict on a machine still running at its step limit, so it is
/// hashed as running.
pub fn encode_status(s: Status) -> u64 {
    match s {
        Status::Running | Status::OutOfSteps => 0,
        Status::Finished => 1,
        Status::Trapped(k) => 2 | (k as u64) << 8,
        Status::Exited(c) => 3 | (c as u64) << 8,
    }
}

/// Inverse of [`encode_status`] (`OutOfSteps` decodes as `Running`).
pub fn decode_status(v: u64) -> Option<Status> {
    let arg = v >> 8;
    Some(match v & 0xff {
        0 if arg == 0 => Status::Running,
        1 if arg == 0 => Status::Finished,
        2 => Status::Trapped(TrapKind::from_u8(u8::try_from(arg).ok()?)?),
        3 => Status::Exited(u32::try_from(arg).ok()?),
        _ => return None,
    })
}

/// Leaf `i` of a vector of 64-bit values, 4 per leaf, little-endian.
pub fn slots_leaf(v: &[u64], i: usize) -> Leaf {
    let mut l = [0u8; 32];
    for (j, x) in v.iter().skip(4 * i).take(4).enumerate() {
        l[8 * j..8 * j + 8].copy_from_slice(&x.to_le_bytes());
    }
    l
}

/// All leaves of a vector of 64-bit values.
pub fn slots_leaves(v: &[u64]) -> Vec<Leaf> {
    (0..v.len().div_ceil(4)).map(|i| slots_leaf(v, i)).collect()
}

/// Leaf `i` of the code: ops `2i` and `2i + 1`, each in its canonical
/// encoding; a missing op is 16 zero bytes.
pub(crate) fn code_leaf(code: &[Op], i: usize) -> Leaf {
    let mut l = [0u8; 32];
    for (j, op) in code.iter().skip(2 * i).take(2).enumerate() {
        l[OP_BYTES * j..OP_BYTES * (j + 1)].copy_from_slice(&op.encode());
    }
    l
}

/// Leaf `2j` of the frames: frame `j`'s `ret_pc ‖ fp`, zero padded (leaf
/// `2j + 1` is the code root of its caller, `specs/state.md` §4.3).
pub(crate) fn frame_leaf(f: &Frame) -> Leaf {
    let mut l = [0u8; 32];
    l[..4].copy_from_slice(&f.ret_pc.to_le_bytes());
    l[4..8].copy_from_slice(&f.fp.to_le_bytes());
    l
}

/// The frame of a frame leaf (its padding is not checked: a frames leaf
/// is only ever read from an opening of a state the step code wrote).
pub(crate) fn frame_of_leaf(l: &Leaf) -> Frame {
    let u = |a: usize| u32::from_le_bytes(l[a..a + 4].try_into().expect("4 bytes"));
    Frame { ret_pc: u(0), fp: u(4) }
}

/// The number of a host function in a function leaf.
fn host_id(h: HostFunc) -> u32 {
    match h {
        HostFunc::Nop => 0,
        HostFunc::Wasi(w) => 1 + w as u32,
    }
}

/// A function's leaf: `ty ‖ kind` then, for WebAssembly (kind 0),
/// `entry ‖ nparams ‖ nlocals ‖ frame_size`, for a host function (kind 1),
/// `host id ‖ nparams`; little-endian u32s, zero padded.
pub(crate) fn func_leaf(f: &FuncInst) -> Leaf {
    let words: [u32; 6] = match f.kind {
        FuncKind::Wasm { entry, nparams, nlocals, frame_size } => {
            [f.ty, 0, entry, nparams, nlocals, frame_size]
        }
        FuncKind::Host { func, nparams } => [f.ty, 1, host_id(func), nparams, 0, 0],
    };
    let mut l = [0u8; 32];
    for (j, w) in words.iter().enumerate() {
        l[4 * j..4 * j + 4].copy_from_slice(&w.to_le_bytes());
    }
    l
}

/// Decodes a function leaf; `None` if it is not one [`func_leaf`] makes.
pub(crate) fn decode_func(l: &Leaf) -> Option<FuncInst> {
    let w = |j: usize| u32::from_le_bytes(l[4 * j..4 * j + 4].try_into().expect("4 bytes"));
    let kind = match w(1) {
        0 => FuncKind::Wasm { entry: w(2), nparams: w(3), nlocals: w(4), frame_size: w(5) },
        1 => {
            let func = match w(2) {
                0 => HostFunc::Nop,
                n => HostFunc::Wasi(*Wasi::ALL.get(n as usize - 1)?),
            };
            FuncKind::Host { func, nparams: w(3) }
        }
        _ => return None,
    };
    let f = FuncInst { ty: w(0), kind };
    (func_leaf(&f) == *l).then_some(f)
}
