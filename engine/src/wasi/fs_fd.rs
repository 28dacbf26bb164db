//! WASI calls on file system descriptors (`specs/host.md`, "Files"): the
//! node and descriptor records, allocation and release, and the calls that
//! take a descriptor (reading, writing, seeking, stat, readdir, renumber).

use super::iovecs::Moved;
use super::{Call, DONE, Memory, Outcome, errno, hi, with_hi};
use crate::fs::{
    FD_BYTES, Fd, FsRegs, FsTable, MAX_FDS, MAX_FILE_BYTES, MAX_FS_BYTES, MAX_NODES, NODE_BYTES, NONE, Node,
    access, kind,
};
use crate::host_state::{HostEnv, HostStep};
use crate::limits::HOST_CHUNK;

/// The WASI filetype of a directory.
pub const FILETYPE_DIRECTORY: u8 = 3;
/// The WASI filetype of a regular file.
pub const FILETYPE_REGULAR_FILE: u8 = 4;
/// The fdflag that changes what a write does.
pub const FDFLAG_APPEND: u16 = 1;

/// The WASI filetype of a node kind.
fn filetype(k: u8) -> u8 {
    if k == kind::DIR { FILETYPE_DIRECTORY } else { FILETYPE_REGULAR_FILE }
}

/// Records, allocation and release.
impl<H: HostEnv, M: Memory<H>> Call<'_, H, M> {
    /// Sets the file system's registers, here and in the host.
    pub(super) fn set_fs(&mut self, r: FsRegs) {
        self.regs.fs = r;
        self.host.set_fs_regs(r);
    }

    /// Node `n`'s record.
    pub(super) fn node(&self, n: u32) -> Node {
        let mut b = [0u8; 32];
        self.host.fs_read(FsTable::Nodes, n as u64 * NODE_BYTES, &mut b);
        Node::decode(&b)
    }

    pub(super) fn set_node(&mut self, n: u32, node: &Node) {
        self.host.fs_write(FsTable::Nodes, n as u64 * NODE_BYTES, &node.encode());
    }

    /// The first `len` bytes of node `n`'s name.
    pub(super) fn node_name(&self, n: u32, len: usize) -> Vec<u8> {
        let mut b = vec![0u8; len];
        self.host.fs_read(FsTable::Nodes, n as u64 * NODE_BYTES + 32, &mut b);
        b
    }

    /// Replaces node `n`'s name (`old` bytes long) with `name`, zeroing the rest of the old one.
    pub(super) fn set_node_name(&mut self, n: u32, old: usize, name: &[u8]) {
        let mut b = name.to_vec();
        b.resize(old.max(name.len()), 0);
        self.host.fs_write(FsTable::Nodes, n as u64 * NODE_BYTES + 32, &b);
    }

    /// Descriptor `fd`'s record, if it is an open file system descriptor.
    pub(super) fn fd_rec(&self, fd: u32) -> Option<Fd> {
        if fd < 3 || fd >= self.regs.fs.fds {
            return None;
        }
        let mut b = [0u8; 32];
        self.host.fs_read(FsTable::Fds, fd as u64 * FD_BYTES, &mut b);
        let f = Fd::decode(&b);
        (f.kind != kind::FREE).then_some(f)
    }

    pub(super) fn set_fd(&mut self, fd: u32, f: &Fd) {
        self.host.fs_write(FsTable::Fds, fd as u64 * FD_BYTES, &f.encode());
    }

    /// A free node slot (from the free list, else a fresh one), or ENOSPC.
    pub(super) fn alloc_node(&mut self) -> Result<u32, u32> {
        let mut r = self.regs.fs;
        let n = if r.node_free != NONE {
            let n = r.node_free;
            r.node_free = self.node(n).parent;
            n
        } else if r.nodes < MAX_NODES {
            r.nodes += 1;
            r.nodes - 1
        } else {
            return Err(errno::NOSPC);
        };
        self.set_fs(r);
        Ok(n)
    }

    /// A closed descriptor number (from the free list, else a fresh one), or EMFILE.
    pub(super) fn alloc_fd(&mut self) -> Result<u32, u32> {
        let mut r = self.regs.fs;
        let fd = if r.fd_free != NONE {
            let fd = r.fd_free;
            let mut b = [0u8; 32];
            self.host.fs_read(FsTable::Fds, fd as u64 * FD_BYTES, &mut b);
            r.fd_free = Fd::decode(&b).node;
            fd
        } else if r.fds < MAX_FDS {
            r.fds += 1;
            r.fds - 1
        } else {
            return Err(errno::MFILE);
        };
        self.set_fs(r);
        Ok(fd)
    }

    /// Empties node `n`'s file, giving its bytes back to the file system.
    pub(super) fn clear_file(&mut self, n: u32) {
        let len = self.host.file_len(n);
        if len > 0 {
            self.host.file_clear(n);
            let mut r = self.regs.fs;
            r.bytes -= len.min(r.bytes);
            self.set_fs(r);
        }
    }

    /// Frees node `n`: its file emptied, its name zeroed, its slot on the free list.
    pub(super) fn free_node(&mut self, n: u32) {
        self.clear_file(n);
        let old = self.node(n);
        self.set_node_name(n, old.name_len as usize, &[]);
        let mut r = self.regs.fs;
        self.set_node(n, &Node { parent: r.node_free, ..Node::default() });
        r.node_free = n;
        self.set_fs(r);
    }

    /// Takes node `n` out of its directory: freed, or an orphan while
    /// descriptors are open on it.
    pub(super) fn unlink_node(&mut self, n: u32) {
        let nd = self.node(n);
        if nd.parent != NONE {
            let mut p = self.node(nd.parent);
            p.children = p.children.saturating_sub(1);
            self.set_node(nd.parent, &p);
        }
        if nd.opens > 0 {
            self.set_node(n, &Node { orphan: true, parent: NONE, ..nd });
        } else {
            self.free_node(n);
        }
    }

    /// Drops a descriptor's reference to its node (freeing an orphan's last).
    fn release(&mut self, f: &Fd) {
        let mut nd = self.node(f.node);
        nd.opens = nd.opens.saturating_sub(1);
        self.set_node(f.node, &nd);
        if nd.opens == 0 && nd.orphan {
            self.free_node(f.node);
        }
    }

    /// Puts descriptor `fd`'s slot on the free list.
    fn free_fd(&mut self, fd: u32) {
        let mut r = self.regs.fs;
        self.set_fd(fd, &Fd { node: r.fd_free, ..Fd::default() });
        r.fd_free = fd;
        self.set_fs(r);
    }

    /// Descriptor `fd`'s record if it is an open file, else EISDIR or EBADF.
    fn file_fd(&self, fd: u32) -> Result<Fd, u32> {
        match self.fd_rec(fd) {
            Some(f) if f.kind == kind::FILE => Ok(f),
            Some(_) => Err(errno::ISDIR),
            None => Err(errno::BADF),
        }
    }

    /// The 64-byte filestat of node `n`.
    pub(super) fn filestat(&self, n: u32) -> [u8; 64] {
        let nd = self.node(n);
        let mut s = [0u8; 64];
        s[8..16].copy_from_slice(&(n as u64 + 1).to_le_bytes());
        s[16] = filetype(nd.kind);
        s[24..32].copy_from_slice(&(!nd.orphan as u64).to_le_bytes());
        let size = if nd.kind == kind::FILE { self.host.file_len(n) } else { 0 };
        s[32..40].copy_from_slice(&size.to_le_bytes());
        s
    }
}

/// The descriptor calls.
impl<H: HostEnv, M: Memory<H>> Call<'_, H, M> {
    pub(super) fn fd_close(&mut self) -> Outcome {
        let fd = self.a(0);
        if fd < 3 {
            return Ok(DONE);
        }
        let f = self.fd_rec(fd).ok_or(errno::BADF)?;
        self.release(&f);
        self.free_fd(fd);
        Ok(DONE)
    }

    pub(super) fn fd_fdstat_get(&mut self) -> Outcome {
        let fd = self.a(0);
        // Stdio: filetype unknown (0), no flags, all rights: not a
        // terminal, so wasi-libc buffers stdout fully.
        let mut d = [0u8; 24];
        if fd >= 3 {
            let f = self.fd_rec(fd).ok_or(errno::BADF)?;
            d[0] = filetype(f.kind);
            d[2..4].copy_from_slice(&f.flags.to_le_bytes());
        }
        d[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
        d[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
        self.write(self.a(1), &d).map(|_| DONE)
    }

    pub(super) fn fd_fdstat_set_flags(&mut self) -> Outcome {
        let fd = self.a(0);
        if fd < 3 {
            return Ok(DONE);
        }
        let mut f = self.fd_rec(fd).ok_or(errno::BADF)?;
        f.flags = self.a(1) as u16 & 0x1f;
        self.set_fd(fd, &f);
        Ok(DONE)
    }

    pub(super) fn fd_sync(&mut self) -> Outcome {
        let fd = self.a(0);
        if fd < 3 || self.fd_rec(fd).is_some() { Ok(DONE) } else { Err(errno::BADF) }
    }

    pub(super) fn fd_prestat_get(&mut self) -> Outcome {
        let f = self.fd_rec(self.a(0)).filter(|f| f.preopen).ok_or(errno::BADF)?;
        let len = self.node(f.node).name_len as u32;
        let mut b = [0u8; 8];
        b[4..8].copy_from_slice(&len.to_le_bytes());
        self.write(self.a(1), &b).map(|_| DONE)
    }

    pub(super) fn fd_prestat_dir_name(&mut self) -> Outcome {
        let f = self.fd_rec(self.a(0)).filter(|f| f.preopen).ok_or(errno::BADF)?;
        let len = self.node(f.node).name_len as usize;
        if (self.a(2) as usize) < len {
            return Err(errno::NAMETOOLONG);
        }
        let name = self.node_name(f.node, len);
        self.write(self.a(1), &name).map(|_| DONE)
    }

    /// `fd_seek(fd, offset, whence, new_p)` and, with `(0, CUR)`, `fd_tell`.
    fn seek(&mut self, offset: i64, whence: u32, new_p: u32) -> Outcome {
        let fd = self.a(0);
        if fd < 3 {
            return Err(errno::SPIPE);
        }
        let mut f = self.fd_rec(fd).filter(|f| f.kind == kind::FILE).ok_or(errno::BADF)?;
        let base = match whence {
            0 => 0,
            1 => f.offset as i64,
            2 => self.host.file_len(f.node) as i64,
            _ => return Err(errno::INVAL),
        };
        let new = base.checked_add(offset).filter(|n| *n >= 0).ok_or(errno::INVAL)?;
        self.write_u64(new_p, new as u64)?;
        f.offset = new as u64;
        self.set_fd(fd, &f);
        Ok(DONE)
    }

    pub(super) fn fd_seek(&mut self) -> Outcome {
        self.seek(self.args[1] as i64, self.a(2), self.a(3))
    }

    pub(super) fn fd_tell(&mut self) -> Outcome {
        self.seek(0, 1, self.a(1))
    }

    pub(super) fn fd_filestat_get(&mut self) -> Outcome {
        let fd = self.a(0);
        if fd < 3 {
            return self.write(self.a(1), &[0u8; 64]).map(|_| DONE);
        }
        let f = self.fd_rec(fd).ok_or(errno::BADF)?;
        let s = self.filestat(f.node);
        self.write(self.a(1), &s).map(|_| DONE)
    }

    /// Growing sets the size in one step; shrinking zeroes the tail from
    /// the end, `HOST_CHUNK` bytes per step, the size itself being the progress.
    pub(super) fn fd_filestat_set_size(&mut self) -> Outcome {
        let f = self.file_fd(self.a(0))?;
        if f.access & access::WRITE == 0 {
            return Err(errno::BADF);
        }
        let size = self.args[1];
        if size > MAX_FILE_BYTES {
            return Err(errno::FBIG);
        }
        let len = self.host.file_len(f.node);
        let mut r = self.regs.fs;
        if size > len {
            if r.bytes + (size - len) > MAX_FS_BYTES {
                return Err(errno::NOSPC);
            }
            // The bytes past the old size are zero: writing the last one sets the size.
            self.host.file_write(f.node, size - 1, &[0]);
            r.bytes += size - len;
            self.set_fs(r);
            return Ok(DONE);
        }
        if size == 0 {
            self.clear_file(f.node);
            return Ok(DONE);
        }
        let start = size.max(len.saturating_sub(HOST_CHUNK as u64));
        self.host.file_write(f.node, start, &vec![0u8; (len - start) as usize]);
        self.host.file_shrink(f.node, start);
        r.bytes -= (len - start).min(r.bytes);
        self.set_fs(r);
        Ok(if start == size { DONE } else { HostStep::Again })
    }

    /// One step of `fd_read` (`pos` none) or `fd_pread` (`pos` the offset
    /// argument) on a file descriptor, walking the iovecs as
    /// [`Call::walk_iovecs`] does, the total in slot `total_slot`.
    pub(super) fn file_read_step(&mut self, pos: Option<u64>, total_slot: usize) -> Outcome {
        let fd = self.a(0);
        let mut f = self.file_fd(fd)?;
        if f.access & access::READ == 0 {
            return Err(errno::BADF);
        }
        self.walk_iovecs(total_slot, move |c, v| {
            let at = pos.map_or(f.offset, |p| p.saturating_add(v.total as u64));
            let avail = c.host.file_len(f.node).saturating_sub(at);
            if v.off == 0 {
                c.check(v.ptr, (v.len as u64).min(avail))?;
            }
            let n = v.chunk(avail);
            let mut bytes = vec![0u8; n as usize];
            c.host.file_read(f.node, at, &mut bytes);
            c.write(v.ptr.wrapping_add(v.off), &bytes)?;
            if pos.is_none() && n > 0 {
                f.offset += n as u64;
                c.set_fd(fd, &f);
            }
            Ok(Moved { n, ran_out: avail == n as u64 })
        })
    }

    /// One step of `fd_write` (`pos` none: at the offset, or at the end
    /// with APPEND) or `fd_pwrite` on a file descriptor.
    pub(super) fn file_write_step(&mut self, pos: Option<u64>, total_slot: usize) -> Outcome {
        let fd = self.a(0);
        let mut f = self.file_fd(fd)?;
        if f.access & access::WRITE == 0 {
            return Err(errno::BADF);
        }
        self.walk_iovecs(total_slot, move |c, v| {
            let file_len = c.host.file_len(f.node);
            let at = match pos {
                Some(p) => p.saturating_add(v.total as u64),
                None if f.flags & FDFLAG_APPEND != 0 => file_len,
                None => f.offset,
            };
            if v.off == 0 {
                let end = at.checked_add(v.len as u64).filter(|e| *e <= MAX_FILE_BYTES).ok_or(errno::FBIG)?;
                if c.regs.fs.bytes + end.saturating_sub(file_len) > MAX_FS_BYTES {
                    return Err(errno::NOSPC);
                }
                c.check(v.ptr, v.len as u64)?;
            }
            let n = v.chunk(u64::MAX);
            let bytes = c.read(v.ptr.wrapping_add(v.off), n)?;
            c.host.file_write(f.node, at, &bytes);
            let grown = (at + n as u64).saturating_sub(file_len);
            if grown > 0 {
                let mut r = c.regs.fs;
                r.bytes += grown;
                c.set_fs(r);
            }
            if pos.is_none() {
                f.offset = at + n as u64;
                c.set_fd(fd, &f);
            }
            Ok(Moved { n, ran_out: false })
        })
    }

    pub(super) fn fd_pread(&mut self) -> Outcome {
        self.file_read_step(Some(self.args[3]), 4)
    }

    pub(super) fn fd_pwrite(&mut self) -> Outcome {
        self.file_write_step(Some(self.args[3]), 4)
    }

    /// One step of `fd_readdir(fd, buf, buf_len, cookie, used_p)`: one
    /// candidate per step. Progress: the cookie slot itself, and the bytes
    /// used in the high half of `buf_len`'s slot. Cookies: 0 is `.`, 1 is
    /// `..`, `2 + n` is node `n`.
    pub(super) fn fd_readdir(&mut self) -> Outcome {
        let f = match self.fd_rec(self.a(0)) {
            Some(f) if f.kind == kind::DIR => f,
            Some(_) => return Err(errno::NOTDIR),
            None => return Err(errno::BADF),
        };
        let (buf, buf_len, used_p) = (self.a(1), self.a(2), self.a(4));
        let (cookie, used) = (self.args[3], hi(self.args[2]));
        self.check(buf, buf_len as u64)?;
        if used >= buf_len {
            return self.finish(used_p, used);
        }
        let entry = match cookie {
            0 => Some((f.node, b".".to_vec(), kind::DIR)),
            1 => {
                let p = self.node(f.node).parent;
                Some((if p == NONE { f.node } else { p }, b"..".to_vec(), kind::DIR))
            }
            c if c - 2 >= self.regs.fs.nodes as u64 => return self.finish(used_p, used),
            c => {
                let n = (c - 2) as u32;
                let nd = self.node(n);
                (nd.kind != kind::FREE && !nd.orphan && nd.parent == f.node)
                    .then(|| (n, self.node_name(n, nd.name_len as usize), nd.kind))
            }
        };
        let mut used = used;
        if let Some((n, name, k)) = entry {
            let mut d = vec![0u8; 24];
            d[0..8].copy_from_slice(&(cookie + 1).to_le_bytes());
            d[8..16].copy_from_slice(&(n as u64 + 1).to_le_bytes());
            d[16..20].copy_from_slice(&(name.len() as u32).to_le_bytes());
            d[20] = filetype(k);
            d.extend(name);
            d.truncate((buf_len - used) as usize);
            self.write(buf.wrapping_add(used), &d)?;
            used += d.len() as u32;
        }
        self.args[3] = cookie + 1;
        self.args[2] = with_hi(self.args[2], used);
        Ok(HostStep::Again)
    }

    pub(super) fn fd_renumber(&mut self) -> Outcome {
        let (from, to) = (self.a(0), self.a(1));
        let f = self.fd_rec(from).ok_or(errno::BADF)?;
        let t = self.fd_rec(to).ok_or(errno::BADF)?;
        if from == to {
            return Ok(DONE);
        }
        self.release(&t);
        self.set_fd(to, &f);
        self.free_fd(from);
        Ok(DONE)
    }

    /// One step of `poll_oneoff(in, out, n, nevents_p)`: one subscription
    /// per step, its event written at once (a clock has fired; a descriptor
    /// subscription gets NOTSUP). Progress: the high half of `in`'s slot.
    pub(super) fn poll_oneoff(&mut self) -> Outcome {
        let (sin, sout, n, nevents) = (self.a(0), self.a(1), self.a(2), self.a(3));
        if n == 0 {
            return Err(errno::INVAL);
        }
        self.check(sin, 48 * n as u64)?;
        self.check(sout, 32 * n as u64)?;
        let i = hi(self.args[0]);
        if i >= n {
            return self.finish(nevents, n);
        }
        let sub = self.read(sin + 48 * i, 16)?;
        let tag = sub[8];
        let mut ev = [0u8; 32];
        ev[0..8].copy_from_slice(&sub[0..8]);
        let error = match tag {
            0 => errno::SUCCESS,
            1 | 2 => errno::NOTSUP,
            _ => errno::INVAL,
        };
        ev[8..10].copy_from_slice(&(error as u16).to_le_bytes());
        ev[10] = tag;
        self.write(sout + 32 * i, &ev)?;
        self.args[0] = with_hi(self.args[0], i + 1);
        Ok(HostStep::Again)
    }
}
