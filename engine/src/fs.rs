//! The guest's file system as committed machine state (`specs/host.md`,
//! "Files"; `specs/state.md` §4.6): plain data under the host's behaviour.
//!
//! Three vectors hold it. The node table (`Nodes`) gives each inode a fixed
//! slot of [`NODE_BYTES`]: a 32-byte record (kind, parent, name length,
//! children, open descriptors) and its name. The descriptor table (`Fds`)
//! gives each descriptor 32 bytes (kind, node, offset, flags, access).
//! Each inode's bytes are a vector of their own (`Files`, one directory
//! entry per inode, as memories have). The file system's registers
//! ([`FsRegs`]) sit in the state header with the other host registers.
//!
//! This module also holds the task's preopened directories as a pure value
//! ([`Preopen`], [`FsNode`]), how they are laid out in the initial state,
//! how the final trees are read back, and their blob encoding.

use std::collections::BTreeMap;
use std::sync::Arc;

/// Inode slots: files and directories, preopened roots included. Creating
/// one more fails with ENOSPC.
pub const MAX_NODES: u32 = 1 << 14;
/// Descriptor numbers: 0–2 are stdio, the table holds 3 to `MAX_FDS − 1`.
/// Opening one more fails with EMFILE.
pub const MAX_FDS: u32 = 1024;
/// Bytes of one name (a path component). A longer one is ENAMETOOLONG.
pub const MAX_NAME: usize = 255;
/// Bytes of one path argument. A longer one is ENAMETOOLONG.
pub const MAX_PATH: usize = 4096;
/// Bytes of one file. Writing or resizing past it is EFBIG.
pub const MAX_FILE_BYTES: u64 = 1 << 28;
/// Bytes of all files together. Growing past it is ENOSPC.
pub const MAX_FS_BYTES: u64 = 1 << 28;
/// Bytes of a node's slot: its 32-byte record, then its name (zero padded).
pub const NODE_BYTES: u64 = 288;
/// Bytes of a descriptor's slot.
pub const FD_BYTES: u64 = 32;
/// Depth of the node table's tree: `MAX_NODES · NODE_BYTES` bytes.
pub const NODES_DEPTH: usize = 18;
/// Depth of the descriptor table's tree: `MAX_FDS · FD_BYTES` bytes.
pub const FDS_DEPTH: usize = 10;
/// Depth of the files' directory: one entry per node.
pub const FILES_DEPTH: usize = 14;
/// Depth of a file's content tree: `MAX_FILE_BYTES` bytes.
pub const FILE_DEPTH: usize = 23;
const _: () = assert!(MAX_NODES as u64 * NODE_BYTES <= 32 << NODES_DEPTH);
const _: () = assert!(MAX_FDS as u64 * FD_BYTES <= 32 << FDS_DEPTH);
const _: () = assert!(MAX_NODES as u64 <= 1 << FILES_DEPTH);
const _: () = assert!(MAX_FILE_BYTES <= 32 << FILE_DEPTH);

/// "No node" and "end of a free list".
pub const NONE: u32 = u32::MAX;

/// Node kinds (the record's byte 0), also descriptor kinds.
pub mod kind {
    /// A free slot.
    pub const FREE: u8 = 0;
    /// A regular file.
    pub const FILE: u8 = 1;
    /// A directory.
    pub const DIR: u8 = 2;
}

/// The file system's registers, committed in the state header.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct FsRegs {
    /// Node slots ever used: lookups scan nodes `0 .. nodes`.
    pub nodes: u32,
    /// The first free node slot below `nodes`, or [`NONE`].
    pub node_free: u32,
    /// Descriptor numbers ever used (at least 3): the next fresh one.
    pub fds: u32,
    /// The first closed descriptor below `fds`, or [`NONE`].
    pub fd_free: u32,
    /// Bytes of all files together.
    pub bytes: u64,
}

impl Default for FsRegs {
    fn default() -> Self {
        FsRegs { nodes: 0, node_free: NONE, fds: 3, fd_free: NONE, bytes: 0 }
    }
}

/// The two fixed-slot tables of the file system.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FsTable {
    /// The node table.
    Nodes = 0,
    /// The descriptor table.
    Fds = 1,
}

/// A node's record: the first 32 bytes of its slot.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Node {
    /// [`kind`].
    pub kind: u8,
    /// The file was unlinked while open: it is in no directory and is freed
    /// when its last descriptor closes.
    pub orphan: bool,
    /// Bytes of the name.
    pub name_len: u16,
    /// The directory holding it; [`NONE`] for a preopened root or an
    /// orphan; for a free slot, the next free slot.
    pub parent: u32,
    /// Nodes whose parent this is (directories).
    pub children: u32,
    /// Descriptors open on it.
    pub opens: u32,
}

impl Node {
    /// The record's 32 bytes.
    pub fn encode(&self) -> [u8; 32] {
        let mut b = [0u8; 32];
        b[0] = self.kind;
        b[1] = self.orphan as u8;
        b[2..4].copy_from_slice(&self.name_len.to_le_bytes());
        b[4..8].copy_from_slice(&self.parent.to_le_bytes());
        b[8..12].copy_from_slice(&self.children.to_le_bytes());
        b[12..16].copy_from_slice(&self.opens.to_le_bytes());
        b
    }

    /// The record from its bytes.
    pub fn decode(b: &[u8; 32]) -> Node {
        let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes"));
        Node {
            kind: b[0],
            orphan: b[1] & 1 != 0,
            name_len: u16::from_le_bytes([b[2], b[3]]),
            parent: u32_at(4),
            children: u32_at(8),
            opens: u32_at(12),
        }
    }
}

/// Descriptor access rights (the record's `access` word).
pub mod access {
    /// Reads allowed.
    pub const READ: u32 = 1;
    /// Writes allowed.
    pub const WRITE: u32 = 2;
}

/// A descriptor's record (32 bytes).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Fd {
    /// [`kind`]: free, file or directory.
    pub kind: u8,
    /// A preopened directory (`fd_prestat_get` answers for it).
    pub preopen: bool,
    /// WASI fdflags (`APPEND` = 1 is the one that changes behaviour).
    pub flags: u16,
    /// The node; for a closed descriptor, the next closed one.
    pub node: u32,
    /// The file offset.
    pub offset: u64,
    /// [`access`] bits.
    pub access: u32,
}

impl Fd {
    /// The record's 32 bytes.
    pub fn encode(&self) -> [u8; 32] {
        let mut b = [0u8; 32];
        b[0] = self.kind;
        b[1] = self.preopen as u8;
        b[2..4].copy_from_slice(&self.flags.to_le_bytes());
        b[4..8].copy_from_slice(&self.node.to_le_bytes());
        b[8..16].copy_from_slice(&self.offset.to_le_bytes());
        b[16..20].copy_from_slice(&self.access.to_le_bytes());
        b
    }

    /// The record from its bytes.
    pub fn decode(b: &[u8; 32]) -> Fd {
        Fd {
            kind: b[0],
            preopen: b[1] & 1 != 0,
            flags: u16::from_le_bytes([b[2], b[3]]),
            node: u32::from_le_bytes(b[4..8].try_into().expect("4 bytes")),
            offset: u64::from_le_bytes(b[8..16].try_into().expect("8 bytes")),
            access: u32::from_le_bytes(b[16..20].try_into().expect("4 bytes")),
        }
    }
}

/// One file's bytes: `len` bytes, and zeros after them (`bytes` may be
/// longer than `len` after a shrink; the tail is zero). The bytes are
/// shared between copies of the machine (checkpoints) until one writes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileData {
    /// The file's size.
    pub len: u64,
    /// Its bytes, zero from `len` on.
    pub bytes: Arc<Vec<u8>>,
}

/// The file system's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fs {
    /// The node table: [`NODE_BYTES`] per node.
    pub nodes: Vec<u8>,
    /// The descriptor table: [`FD_BYTES`] per descriptor number.
    pub fds: Vec<u8>,
    /// Each node's bytes (empty for directories and free slots).
    pub files: Vec<FileData>,
    /// The registers.
    pub regs: FsRegs,
}

/// Reads `out.len()` bytes at `at` of a vector, zeros past its end.
pub(crate) fn read_zero_extended(v: &[u8], at: u64, out: &mut [u8]) {
    for (i, b) in out.iter_mut().enumerate() {
        *b = v.get(at as usize + i).copied().unwrap_or(0);
    }
}

/// Writes `bytes` at `at` of a vector, growing it with zeros as needed.
pub(crate) fn write_growing(v: &mut Vec<u8>, at: u64, bytes: &[u8]) {
    let end = at as usize + bytes.len();
    if v.len() < end {
        v.resize(end, 0);
    }
    v[at as usize..end].copy_from_slice(bytes);
}

impl Fs {
    /// Bytes held that `prev` (an earlier copy of the same run's file
    /// system) does not share: the two tables, and each file whose bytes
    /// are not `prev`'s.
    pub(crate) fn own_bytes(&self, prev: Option<&Fs>) -> usize {
        let shared = |n: usize, f: &FileData| {
            prev.and_then(|p| p.files.get(n)).is_some_and(|q| Arc::ptr_eq(&q.bytes, &f.bytes))
        };
        let files: usize =
            self.files.iter().enumerate().filter(|(n, f)| !shared(*n, f)).map(|(_, f)| f.bytes.len()).sum();
        self.nodes.len() + self.fds.len() + files
    }

    /// The table's bytes.
    pub fn table(&self, t: FsTable) -> &[u8] {
        match t {
            FsTable::Nodes => &self.nodes,
            FsTable::Fds => &self.fds,
        }
    }

    pub(crate) fn table_mut(&mut self, t: FsTable) -> &mut Vec<u8> {
        match t {
            FsTable::Nodes => &mut self.nodes,
            FsTable::Fds => &mut self.fds,
        }
    }

    /// The file data of node `n` (empty past the end).
    pub fn file(&self, n: u32) -> Option<&FileData> {
        self.files.get(n as usize)
    }

    pub(crate) fn file_mut(&mut self, n: u32) -> &mut FileData {
        if self.files.len() <= n as usize {
            self.files.resize_with(n as usize + 1, FileData::default);
        }
        &mut self.files[n as usize]
    }

    /// Node `n`'s record.
    pub fn node(&self, n: u32) -> Node {
        let mut b = [0u8; 32];
        read_zero_extended(&self.nodes, n as u64 * NODE_BYTES, &mut b);
        Node::decode(&b)
    }

    /// Node `n`'s name.
    pub fn name(&self, n: u32) -> Vec<u8> {
        let mut b = vec![0u8; self.node(n).name_len as usize];
        read_zero_extended(&self.nodes, n as u64 * NODE_BYTES + 32, &mut b);
        b
    }

    /// Descriptor `fd`'s record.
    pub fn fd(&self, fd: u32) -> Fd {
        let mut b = [0u8; 32];
        read_zero_extended(&self.fds, fd as u64 * FD_BYTES, &mut b);
        Fd::decode(&b)
    }

    fn put_node(&mut self, n: u32, node: &Node, name: &[u8]) {
        let at = n as u64 * NODE_BYTES;
        write_growing(&mut self.nodes, at, &node.encode());
        write_growing(&mut self.nodes, at + 32, name);
    }

    /// Adds `tree` under node `parent` in preorder, names in byte order.
    fn add_children(&mut self, parent: u32, tree: &BTreeMap<String, FsNode>) {
        for (name, child) in tree {
            let n = self.regs.nodes;
            self.regs.nodes += 1;
            let k = match child {
                FsNode::File(_) => kind::FILE,
                FsNode::Dir(_) => kind::DIR,
            };
            let node = Node { kind: k, name_len: name.len() as u16, parent, ..Node::default() };
            self.put_node(n, &node, name.as_bytes());
            match child {
                FsNode::File(bytes) => {
                    *self.file_mut(n) = FileData { len: bytes.len() as u64, bytes: Arc::new(bytes.clone()) };
                    self.regs.bytes += bytes.len() as u64;
                }
                FsNode::Dir(sub) => {
                    self.add_children(n, sub);
                    let mut p = self.node(n);
                    p.children = sub.len() as u32;
                    self.put_node(n, &p, name.as_bytes());
                }
            }
        }
    }

    /// The initial file system of a task with `preopens` (checked with
    /// [`check_preopens`]): each preopen's root, then its tree in
    /// preorder with names in byte order, then the next preopen; the
    /// preopens get descriptors 3, 4, … in order.
    pub fn new(preopens: &[Preopen]) -> Fs {
        let mut fs = Fs::default();
        for (i, p) in preopens.iter().enumerate() {
            let root = fs.regs.nodes;
            fs.regs.nodes += 1;
            let node = Node {
                kind: kind::DIR,
                name_len: p.guest.len() as u16,
                parent: NONE,
                children: p.root.len() as u32,
                opens: 1,
                ..Node::default()
            };
            fs.put_node(root, &node, p.guest.as_bytes());
            fs.add_children(root, &p.root);
            let fd = Fd {
                kind: kind::DIR,
                preopen: true,
                node: root,
                access: access::READ | access::WRITE,
                ..Fd::default()
            };
            write_growing(&mut fs.fds, (3 + i as u64) * FD_BYTES, &fd.encode());
            fs.regs.fds = 4 + i as u32;
        }
        fs
    }

    /// The tree under directory node `dir` now.
    fn tree_of(&self, dir: u32) -> BTreeMap<String, FsNode> {
        let mut out = BTreeMap::new();
        for n in 0..self.regs.nodes {
            let node = self.node(n);
            if node.kind == kind::FREE || node.orphan || node.parent != dir {
                continue;
            }
            let name = String::from_utf8_lossy(&self.name(n)).into_owned();
            let child = match node.kind {
                kind::DIR => FsNode::Dir(self.tree_of(n)),
                _ => {
                    let f = self.file(n).cloned().unwrap_or_default();
                    FsNode::File(f.bytes[..f.len as usize].to_vec())
                }
            };
            out.insert(name, child);
        }
        out
    }

    /// The preopened directories as they are now, in preopen order (the
    /// roots are the nodes without a parent that are directories).
    pub fn preopens(&self) -> Vec<Preopen> {
        (0..self.regs.nodes)
            .filter(|&n| {
                let node = self.node(n);
                node.kind == kind::DIR && node.parent == NONE && !node.orphan
            })
            .map(|n| Preopen {
                guest: String::from_utf8_lossy(&self.name(n)).into_owned(),
                root: self.tree_of(n),
            })
            .collect()
    }
}

/// A file or a directory of a preopened tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FsNode {
    /// A regular file's bytes.
    File(Vec<u8>),
    /// A directory: its entries by name.
    Dir(BTreeMap<String, FsNode>),
}

/// A preopened directory: the path the guest sees (`/rtl`, `.`) and the
/// files and directories in it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Preopen {
    /// The guest path (`fd_prestat_dir_name`).
    pub guest: String,
    /// Its entries by name.
    pub root: BTreeMap<String, FsNode>,
}

/// Why preopened trees cannot be a task's input.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FsError {
    /// A name that is empty, `.`, `..`, holds `/` or a NUL, or is too long.
    #[error("{0:?} is not a valid file name (1 to 255 bytes, no '/', no NUL, not '.' or '..')")]
    BadName(String),
    /// A guest path that is empty or too long.
    #[error("{0:?} is not a valid guest path (1 to 255 bytes, no NUL)")]
    BadGuestPath(String),
    /// Too many nodes.
    #[error("the preopened trees hold {0} files and directories; the limit is {MAX_NODES}")]
    TooManyNodes(u64),
    /// Too many preopens for the descriptor table.
    #[error("{0} preopened directories; the limit is {limit}", limit = MAX_FDS - 3)]
    TooManyPreopens(usize),
    /// A file too large.
    #[error("file {0:?} is {1} bytes; the limit is {MAX_FILE_BYTES}")]
    FileTooLarge(String, u64),
    /// All files too large together.
    #[error("the preopened files hold {0} bytes; the limit is {MAX_FS_BYTES}")]
    TooManyBytes(u64),
    /// A blob that does not decode.
    #[error("the directory blob is malformed: {0}")]
    Malformed(&'static str),
}

fn valid_name(n: &str) -> bool {
    !n.is_empty() && n.len() <= MAX_NAME && n != "." && n != ".." && !n.contains(['/', '\0'])
}

/// Checks that `preopens` fit the file system's limits and have valid names.
pub fn check_preopens(preopens: &[Preopen]) -> Result<(), FsError> {
    fn walk(t: &BTreeMap<String, FsNode>, nodes: &mut u64, bytes: &mut u64) -> Result<(), FsError> {
        for (name, n) in t {
            if !valid_name(name) {
                return Err(FsError::BadName(name.clone()));
            }
            *nodes += 1;
            match n {
                FsNode::File(b) if b.len() as u64 > MAX_FILE_BYTES => {
                    return Err(FsError::FileTooLarge(name.clone(), b.len() as u64));
                }
                FsNode::File(b) => *bytes += b.len() as u64,
                FsNode::Dir(sub) => walk(sub, nodes, bytes)?,
            }
        }
        Ok(())
    }
    if preopens.len() > (MAX_FDS - 3) as usize {
        return Err(FsError::TooManyPreopens(preopens.len()));
    }
    let (mut nodes, mut bytes) = (0u64, 0u64);
    for p in preopens {
        if p.guest.is_empty() || p.guest.len() > MAX_NAME || p.guest.contains('\0') {
            return Err(FsError::BadGuestPath(p.guest.clone()));
        }
        nodes += 1;
        walk(&p.root, &mut nodes, &mut bytes)?;
    }
    if nodes > MAX_NODES as u64 {
        return Err(FsError::TooManyNodes(nodes));
    }
    if bytes > MAX_FS_BYTES {
        return Err(FsError::TooManyBytes(bytes));
    }
    Ok(())
}

/// The first 16 bytes of a directory blob.
pub const DIRS_TAG: &[u8; 16] = b"refute dirs v1\0\0";

/// The preopens as one blob: [`DIRS_TAG`], `u32le(count)`, then each
/// preopen as its guest path and its tree. A string is `u32le(len) ‖
/// bytes`; a tree is `u32le(entries)` then per entry, in name order, its
/// name, a kind byte (1 file, 2 directory) and `u64le(len) ‖ bytes` for a
/// file or a tree for a directory.
pub fn encode_preopens(preopens: &[Preopen]) -> Vec<u8> {
    fn put_str(out: &mut Vec<u8>, s: &[u8]) {
        out.extend((s.len() as u32).to_le_bytes());
        out.extend(s);
    }
    fn put_tree(out: &mut Vec<u8>, t: &BTreeMap<String, FsNode>) {
        out.extend((t.len() as u32).to_le_bytes());
        for (name, n) in t {
            put_str(out, name.as_bytes());
            match n {
                FsNode::File(b) => {
                    out.push(kind::FILE);
                    out.extend((b.len() as u64).to_le_bytes());
                    out.extend(b);
                }
                FsNode::Dir(sub) => {
                    out.push(kind::DIR);
                    put_tree(out, sub);
                }
            }
        }
    }
    let mut out = DIRS_TAG.to_vec();
    out.extend((preopens.len() as u32).to_le_bytes());
    for p in preopens {
        put_str(&mut out, p.guest.as_bytes());
        put_tree(&mut out, &p.root);
    }
    out
}

/// Decodes [`encode_preopens`]'s blob, refusing trailing bytes, names out
/// of order and anything [`check_preopens`] refuses.
pub fn decode_preopens(b: &[u8]) -> Result<Vec<Preopen>, FsError> {
    struct R<'a>(&'a [u8], usize);
    impl R<'_> {
        fn take(&mut self, n: u64) -> Result<&[u8], FsError> {
            let end = (self.1 as u64).checked_add(n).filter(|e| *e <= self.0.len() as u64);
            let end = end.ok_or(FsError::Malformed("truncated"))? as usize;
            let s = &self.0[self.1..end];
            self.1 = end;
            Ok(s)
        }
        fn u32(&mut self) -> Result<u32, FsError> {
            Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
        }
        fn string(&mut self) -> Result<String, FsError> {
            let n = self.u32()?;
            String::from_utf8(self.take(n as u64)?.to_vec())
                .map_err(|_| FsError::Malformed("a name is not UTF-8"))
        }
        fn tree(&mut self, depth: usize) -> Result<BTreeMap<String, FsNode>, FsError> {
            if depth > MAX_PATH / 2 {
                return Err(FsError::Malformed("directories nested too deep"));
            }
            let n = self.u32()?;
            let mut t = BTreeMap::new();
            let mut last: Option<String> = None;
            for _ in 0..n {
                let name = self.string()?;
                if last.as_ref().is_some_and(|l| *l >= name) {
                    return Err(FsError::Malformed("names out of order"));
                }
                let node = match self.take(1)?[0] {
                    kind::FILE => {
                        let len = u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes"));
                        FsNode::File(self.take(len)?.to_vec())
                    }
                    kind::DIR => FsNode::Dir(self.tree(depth + 1)?),
                    _ => return Err(FsError::Malformed("unknown node kind")),
                };
                last = Some(name.clone());
                t.insert(name, node);
            }
            Ok(t)
        }
    }
    let mut r = R(b, 0);
    if r.take(16).ok() != Some(&DIRS_TAG[..]) {
        return Err(FsError::Malformed("wrong tag"));
    }
    let n = r.u32()?;
    let mut out = Vec::new();
    for _ in 0..n.min(MAX_FDS) {
        let guest = r.string()?;
        out.push(Preopen { guest, root: r.tree(0)? });
    }
    if n > MAX_FDS {
        return Err(FsError::TooManyPreopens(n as usize));
    }
    if r.1 != b.len() {
        return Err(FsError::Malformed("trailing bytes"));
    }
    check_preopens(&out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Preopen> {
        let mut sub = BTreeMap::new();
        sub.insert("b.txt".to_string(), FsNode::File(b"bee".to_vec()));
        let mut root = BTreeMap::new();
        root.insert("a.txt".to_string(), FsNode::File(b"hello".to_vec()));
        root.insert("d".to_string(), FsNode::Dir(sub));
        vec![Preopen { guest: "/data".into(), root }, Preopen { guest: ".".into(), root: BTreeMap::new() }]
    }

    #[test]
    fn preopens_lay_out_in_preorder_and_read_back() {
        let p = sample();
        let fs = Fs::new(&p);
        assert_eq!(fs.regs.nodes, 5);
        assert_eq!(fs.regs.fds, 5);
        assert_eq!(fs.regs.bytes, 8);
        assert_eq!(fs.name(1), b"a.txt");
        assert_eq!(fs.node(3).parent, 2);
        assert_eq!(fs.node(2).children, 1);
        assert_eq!(fs.fd(4).node, 4);
        assert_eq!(fs.preopens(), p);
    }

    #[test]
    fn the_blob_round_trips_and_refuses_damage() {
        let p = sample();
        let b = encode_preopens(&p);
        assert_eq!(decode_preopens(&b).unwrap(), p);
        assert_eq!(decode_preopens(&b[..b.len() - 1]), Err(FsError::Malformed("truncated")));
        let mut long = b.clone();
        long.push(0);
        assert_eq!(decode_preopens(&long), Err(FsError::Malformed("trailing bytes")));
        assert_eq!(decode_preopens(b"refute dirs v0\0\0"), Err(FsError::Malformed("wrong tag")));
        let bad =
            vec![Preopen { guest: "/x".into(), root: [("..".to_string(), FsNode::File(vec![]))].into() }];
        assert_eq!(decode_preopens(&encode_preopens(&bad)), Err(FsError::BadName("..".into())));
    }
}
