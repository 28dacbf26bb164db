//! A run's output files: the file system's exact state as one blob
//! (`"refute fs v1"`, `specs/host.md` "Output files"), which anyone checks
//! against a state header, as a claim's stdout is checked against its
//! header's stdout root. A claim names the blob of its final state by hash,
//! so the files a solver hands out are the files the game defends.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::fs::{
    FD_BYTES, FileData, Fs, FsNode, FsRegs, MAX_FDS, MAX_FILE_BYTES, MAX_FS_BYTES, MAX_NODES, NODE_BYTES,
};
use crate::state::{Header, TreeId, fs_roots};

/// The first 16 bytes of a file-system blob.
pub const FS_TAG: &[u8; 16] = b"refute fs v1\0\0\0\0";

/// Why a blob is not the file system of a header.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OutputsError {
    /// The blob does not decode.
    #[error("not a file-system blob: {0}")]
    Malformed(&'static str),
    /// It decodes, but is not the file system the header commits to.
    #[error("the files are not the state's: {0} differs from the header's")]
    Mismatch(&'static str),
}

/// The blob of `fs`: [`FS_TAG`], the registers (`u32le` nodes, node_free,
/// fds, fd_free, `u64le` bytes), the node table and the descriptor table
/// (each `u64le(len) ‖ bytes`), `u32le(count)` files, each `u64le(len) ‖`
/// its first `len` bytes (the rest of a file's tree is zeros).
pub fn encode_fs(fs: &Fs) -> Vec<u8> {
    let mut out = FS_TAG.to_vec();
    let r = &fs.regs;
    for v in [r.nodes, r.node_free, r.fds, r.fd_free] {
        out.extend(v.to_le_bytes());
    }
    out.extend(r.bytes.to_le_bytes());
    for table in [&fs.nodes, &fs.fds] {
        out.extend((table.len() as u64).to_le_bytes());
        out.extend(table.iter());
    }
    out.extend((fs.files.len() as u32).to_le_bytes());
    for f in &fs.files {
        out.extend(f.len.to_le_bytes());
        out.extend(&f.bytes[..f.len as usize]);
    }
    out
}

/// Decodes [`encode_fs`]'s blob within the file system's limits, refusing
/// trailing bytes.
pub fn decode_fs(b: &[u8]) -> Result<Fs, OutputsError> {
    let bad = OutputsError::Malformed;
    let mut at = 0usize;
    let mut take = |n: u64| -> Result<&[u8], OutputsError> {
        let end = (at as u64).checked_add(n).filter(|e| *e <= b.len() as u64).ok_or(bad("truncated"))?;
        let s = &b[at..end as usize];
        at = end as usize;
        Ok(s)
    };
    if take(16)? != FS_TAG {
        return Err(bad("wrong tag"));
    }
    let mut u32s = [0u32; 4];
    for v in &mut u32s {
        *v = u32::from_le_bytes(take(4)?.try_into().expect("4 bytes"));
    }
    let bytes = u64::from_le_bytes(take(8)?.try_into().expect("8 bytes"));
    let regs = FsRegs { nodes: u32s[0], node_free: u32s[1], fds: u32s[2], fd_free: u32s[3], bytes };
    let mut table = |max: u64| -> Result<Vec<u8>, OutputsError> {
        let len = u64::from_le_bytes(take(8)?.try_into().expect("8 bytes"));
        if len > max {
            return Err(bad("a table is larger than its limit"));
        }
        Ok(take(len)?.to_vec())
    };
    let nodes = table(u64::from(MAX_NODES) * NODE_BYTES)?;
    let fds = table(u64::from(MAX_FDS) * FD_BYTES)?;
    let count = u32::from_le_bytes(take(4)?.try_into().expect("4 bytes"));
    if count > MAX_NODES {
        return Err(bad("more files than nodes"));
    }
    let (mut files, mut total) = (Vec::with_capacity(count as usize), 0u64);
    for _ in 0..count {
        let len = u64::from_le_bytes(take(8)?.try_into().expect("8 bytes"));
        total = total.saturating_add(len);
        if len > MAX_FILE_BYTES || total > MAX_FS_BYTES {
            return Err(bad("files larger than the file system's limits"));
        }
        files.push(FileData { len, bytes: Arc::new(take(len)?.to_vec()) });
    }
    if at != b.len() {
        return Err(bad("trailing bytes"));
    }
    Ok(Fs { nodes, fds, files, regs })
}

/// Checks that `fs` is the file system `header` commits to: its registers
/// and the roots of its node table, descriptor table and files directory.
pub fn check_fs(header: &Header, fs: &Fs) -> Result<(), OutputsError> {
    if header.fs != fs.regs {
        return Err(OutputsError::Mismatch("the registers"));
    }
    let [nodes, fds, files] = fs_roots(fs);
    for (tree, root, what) in [
        (TreeId::Nodes, nodes, "the node table"),
        (TreeId::Fds, fds, "the descriptor table"),
        (TreeId::Files, files, "the files"),
    ] {
        if *header.tree(tree) != root {
            return Err(OutputsError::Mismatch(what));
        }
    }
    Ok(())
}

/// Every file of `fs`'s preopened directories with its bytes, as
/// `(guest path, bytes)` in path order: what a user sees of a run's output
/// files (`refute claims --files`, `refute trace show`, the web view).
pub fn list_files(fs: &Fs) -> Vec<(String, Vec<u8>)> {
    fn walk(prefix: &str, tree: &BTreeMap<String, FsNode>, out: &mut Vec<(String, Vec<u8>)>) {
        for (name, node) in tree {
            let path = format!("{}/{name}", prefix.trim_end_matches('/'));
            match node {
                FsNode::File(b) => out.push((path, b.clone())),
                FsNode::Dir(sub) => walk(&path, sub, out),
            }
        }
    }
    let mut out = Vec::new();
    for p in fs.preopens() {
        walk(&p.guest, &p.root, &mut out);
    }
    out
}
