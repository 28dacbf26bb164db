//! WASI calls that take a path (`specs/host.md`, "Files"): the path walk,
//! one node per micro-step, and the calls built on it.
//!
//! A walk keeps its progress in the high halves of the path pointer's and
//! the path length's slots ([`Walk`]). A walk that has found its target
//! returns it without changing that progress, so a call may walk again
//! at a later step and get the same answer (`path_rename` walks both of
//! its paths at every step once they are resolved).

use super::{Call, DONE, Memory, Outcome, errno, hi, with_hi};
use crate::fs::{MAX_NAME, MAX_PATH, NONE, Node, access, kind};
use crate::host_state::{HostEnv, HostStep};

/// Bytes of the path a step reads: a name, the slash after it and one more.
pub const WINDOW: u32 = MAX_NAME as u32 + 2;

/// `path_open`'s oflag: create the file.
pub const O_CREAT: u32 = 1;
/// `path_open`'s oflag: fail unless a directory.
pub const O_DIRECTORY: u32 = 2;
/// `path_open`'s oflag: fail if it exists.
pub const O_EXCL: u32 = 4;
/// `path_open`'s oflag: truncate.
pub const O_TRUNC: u32 = 8;
/// The right that gives a descriptor read access.
pub const RIGHT_FD_READ: u64 = 1 << 1;
/// The right that gives a descriptor write access.
pub const RIGHT_FD_WRITE: u64 = 1 << 6;

/// A walk's progress: `pos` (13 bits), `depth` below the start directory
/// (13 bits) and a started bit in the path slot's high half; `dir` and
/// `scan`, the next node to compare, 16 bits each, in the length slot's.
#[derive(Copy, Clone, Debug, Default)]
struct Walk {
    started: bool,
    pos: u32,
    depth: u32,
    dir: u32,
    scan: u32,
}

/// What a walk found: the directory holding the last name and where that
/// name is in the path (none when the path ends in `.` or `..` or is all
/// slashes after a directory), and the node it names, if any.
#[derive(Copy, Clone, Debug)]
pub(super) struct Found {
    parent: Option<(u32, u32, u32)>,
    node: Option<u32>,
}

impl<H: HostEnv, M: Memory<H>> Call<'_, H, M> {
    fn load_walk(&self, p: usize) -> Walk {
        let (a, b) = (hi(self.args[p]), hi(self.args[p + 1]));
        Walk {
            started: a >> 31 != 0,
            pos: a & 0x1fff,
            depth: (a >> 13) & 0x1fff,
            dir: b & 0xffff,
            scan: b >> 16,
        }
    }

    fn store_walk(&mut self, p: usize, w: Walk) -> Outcome {
        let a = (w.started as u32) << 31 | w.depth << 13 | w.pos;
        self.args[p] = with_hi(self.args[p], a);
        self.args[p + 1] = with_hi(self.args[p + 1], w.scan << 16 | w.dir);
        Ok(HostStep::Again)
    }

    /// One step of walking the path in slots `p` (pointer) and `p + 1`
    /// (length) from the directory descriptor in slot `fd`: `Ok(None)`
    /// after a step of progress, `Ok(Some(found))` once resolved.
    fn walk(&mut self, fd: usize, p: usize) -> Result<Option<Found>, u32> {
        let (path, len) = (self.a(p), self.a(p + 1));
        let mut w = self.load_walk(p);
        if !w.started {
            let f = self.fd_rec(self.a(fd)).ok_or(errno::BADF)?;
            if f.kind != kind::DIR {
                return Err(errno::NOTDIR);
            }
            if self.node(f.node).orphan {
                return Err(errno::NOENT);
            }
            if len as usize > MAX_PATH {
                return Err(errno::NAMETOOLONG);
            }
            self.check(path, len as u64)?;
            if len == 0 {
                return Err(errno::NOENT);
            }
            // An absolute path names nothing a descriptor grants.
            if self.read(path, 1)?[0] == b'/' {
                return Err(errno::PERM);
            }
            w = Walk { started: true, dir: f.node, ..Walk::default() };
            return self.store_walk(p, w).map(|_| None);
        }
        if w.pos >= len {
            return Ok(Some(Found { parent: None, node: Some(w.dir) }));
        }
        let win = self.read(path + w.pos, (len - w.pos).min(WINDOW))?;
        if win[0] == b'/' {
            w.pos += win.iter().take_while(|b| **b == b'/').count() as u32;
            return self.store_walk(p, w).map(|_| None);
        }
        let e = win.iter().position(|b| *b == b'/').unwrap_or(win.len());
        if e > MAX_NAME {
            return Err(errno::NAMETOOLONG);
        }
        let name = &win[..e];
        let last = win[e..].iter().all(|b| *b == b'/') && w.pos + win.len() as u32 == len;
        match name {
            b"." if last => return Ok(Some(Found { parent: None, node: Some(w.dir) })),
            b"." => w.pos += e as u32,
            b".." => {
                // `..` may not leave the directory the descriptor grants.
                if w.depth == 0 {
                    return Err(errno::PERM);
                }
                let up = self.node(w.dir).parent;
                if last {
                    return Ok(Some(Found { parent: None, node: Some(up) }));
                }
                (w.dir, w.depth, w.pos) = (up, w.depth - 1, w.pos + e as u32);
            }
            _ if w.scan >= self.regs.fs.nodes => {
                return if last {
                    Ok(Some(Found { parent: Some((w.dir, w.pos, e as u32)), node: None }))
                } else {
                    Err(errno::NOENT)
                };
            }
            _ => {
                let nd = self.node(w.scan);
                let hit = nd.kind != kind::FREE
                    && !nd.orphan
                    && nd.parent == w.dir
                    && nd.name_len as usize == e
                    && self.node_name(w.scan, e) == name;
                if !hit {
                    w.scan += 1;
                } else if last {
                    return Ok(Some(Found { parent: Some((w.dir, w.pos, e as u32)), node: Some(w.scan) }));
                } else if nd.kind != kind::DIR {
                    return Err(errno::NOTDIR);
                } else {
                    (w.dir, w.depth, w.pos, w.scan) = (w.scan, w.depth + 1, w.pos + e as u32, 0);
                }
            }
        }
        self.store_walk(p, w).map(|_| None)
    }

    /// The name at path bytes `[pos, pos + len)` of the path in slot `p`,
    /// for a node to take: EILSEQ unless it is UTF-8 without NUL, so that
    /// every name can be written back to a host directory.
    fn new_name(&mut self, p: usize, pos: u32, len: u32) -> Result<Vec<u8>, u32> {
        let name = self.read(self.a(p) + pos, len)?;
        match std::str::from_utf8(&name) {
            Ok(s) if !s.contains('\0') => Ok(name),
            _ => Err(errno::ILSEQ),
        }
    }

    /// Creates a node of kind `k` named by path bytes `[pos, pos + len)` of
    /// the path in slot `p`, in directory `dir`.
    fn create(&mut self, p: usize, (dir, pos, len): (u32, u32, u32), k: u8) -> Result<u32, u32> {
        let name = self.new_name(p, pos, len)?;
        let n = self.alloc_node()?;
        let old = self.node(n).name_len as usize;
        self.set_node(n, &Node { kind: k, name_len: len as u16, parent: dir, ..Node::default() });
        self.set_node_name(n, old, &name);
        let mut d = self.node(dir);
        d.children += 1;
        self.set_node(dir, &d);
        Ok(n)
    }

    /// `path_open(fd, dirflags, path, path_len, oflags, rights, inheriting, fdflags, fd_p)`.
    pub(super) fn path_open(&mut self) -> Outcome {
        let Some(found) = self.walk(0, 2)? else { return Ok(HostStep::Again) };
        let (oflags, rights, fdflags, fd_p) = (self.a(4), self.args[5], self.a(7), self.a(8));
        self.check(fd_p, 4)?;
        // No descriptor left: refused before a file is created or truncated.
        let r = self.regs.fs;
        if r.fd_free == NONE && r.fds >= crate::fs::MAX_FDS {
            return Err(errno::MFILE);
        }
        let mut acc = 0;
        if rights & RIGHT_FD_READ != 0 {
            acc |= access::READ;
        }
        if rights & RIGHT_FD_WRITE != 0 {
            acc |= access::WRITE;
        }
        let n = match (found.node, found.parent) {
            (Some(_), _) if oflags & O_CREAT != 0 && oflags & O_EXCL != 0 => return Err(errno::EXIST),
            (Some(n), _) => {
                let nd = self.node(n);
                if nd.kind != kind::DIR && oflags & O_DIRECTORY != 0 {
                    return Err(errno::NOTDIR);
                }
                if nd.kind == kind::DIR && (acc & access::WRITE != 0 || oflags & O_TRUNC != 0) {
                    return Err(errno::ISDIR);
                }
                if oflags & O_TRUNC != 0 {
                    self.clear_file(n);
                }
                n
            }
            (None, Some(at)) if oflags & O_CREAT != 0 && oflags & O_DIRECTORY == 0 => {
                self.create(2, at, kind::FILE)?
            }
            (None, _) => return Err(errno::NOENT),
        };
        let fd = self.alloc_fd()?;
        let mut nd = self.node(n);
        nd.opens += 1;
        self.set_node(n, &nd);
        let f = crate::fs::Fd {
            kind: nd.kind,
            node: n,
            flags: fdflags as u16 & 0x1f,
            access: acc,
            ..Default::default()
        };
        self.set_fd(fd, &f);
        self.write_u32(fd_p, fd).map(|_| DONE)
    }

    /// `path_filestat_get(fd, flags, path, path_len, buf)`.
    pub(super) fn path_filestat_get(&mut self) -> Outcome {
        let Some(found) = self.walk(0, 2)? else { return Ok(HostStep::Again) };
        let n = found.node.ok_or(errno::NOENT)?;
        let s = self.filestat(n);
        self.write(self.a(4), &s).map(|_| DONE)
    }

    /// `path_create_directory(fd, path, path_len)`.
    pub(super) fn path_create_directory(&mut self) -> Outcome {
        let Some(found) = self.walk(0, 1)? else { return Ok(HostStep::Again) };
        match found {
            Found { node: Some(_), .. } => Err(errno::EXIST),
            Found { parent: Some(at), .. } => self.create(1, at, kind::DIR).map(|_| DONE),
            Found { parent: None, node: None } => Err(errno::NOENT),
        }
    }

    /// `path_remove_directory(fd, path, path_len)`.
    pub(super) fn path_remove_directory(&mut self) -> Outcome {
        let Some(found) = self.walk(0, 1)? else { return Ok(HostStep::Again) };
        let n = found.node.ok_or(errno::NOENT)?;
        if found.parent.is_none() {
            return Err(errno::INVAL);
        }
        let nd = self.node(n);
        if nd.kind != kind::DIR {
            return Err(errno::NOTDIR);
        }
        if nd.children > 0 {
            return Err(errno::NOTEMPTY);
        }
        self.unlink_node(n);
        Ok(DONE)
    }

    /// `path_unlink_file(fd, path, path_len)`.
    pub(super) fn path_unlink_file(&mut self) -> Outcome {
        let Some(found) = self.walk(0, 1)? else { return Ok(HostStep::Again) };
        let n = found.node.ok_or(errno::NOENT)?;
        if found.parent.is_none() || self.node(n).kind == kind::DIR {
            return Err(errno::ISDIR);
        }
        self.unlink_node(n);
        Ok(DONE)
    }

    /// `path_readlink(fd, path, path_len, buf, buf_len, used_p)`: there are no symlinks.
    pub(super) fn path_readlink(&mut self) -> Outcome {
        let Some(found) = self.walk(0, 1)? else { return Ok(HostStep::Again) };
        found.node.ok_or(errno::NOENT)?;
        Err(errno::INVAL)
    }

    /// `path_rename(fd, old, old_len, new_fd, new, new_len)`. Phases, in
    /// the high half of the first slot: 0 walks the old path, 1 the new
    /// one, 2 checks that a directory does not move under itself, one
    /// ancestor per step (the cursor in the high half of `new_fd`'s slot).
    pub(super) fn path_rename(&mut self) -> Outcome {
        let phase = hi(self.args[0]);
        let Some(old) = self.walk(0, 1)? else { return Ok(HostStep::Again) };
        let (Some(n), Some((from, _, _))) = (old.node, old.parent) else {
            return Err(if old.node.is_none() { errno::NOENT } else { errno::INVAL });
        };
        if phase == 0 {
            self.args[0] = with_hi(self.args[0], 1);
            return Ok(HostStep::Again);
        }
        let Some(new) = self.walk(3, 4)? else { return Ok(HostStep::Again) };
        let Some(to) = new.parent else { return Err(errno::INVAL) };
        let name = self.new_name(4, to.1, to.2)?;
        let nd = self.node(n);
        if nd.kind == kind::DIR {
            let cursor = if phase == 1 { to.0 } else { hi(self.args[3]) };
            if cursor != NONE {
                if cursor == n {
                    return Err(errno::INVAL);
                }
                self.args[0] = with_hi(self.args[0], 2);
                self.args[3] = with_hi(self.args[3], self.node(cursor).parent);
                return Ok(HostStep::Again);
            }
        }
        if let Some(m) = new.node {
            if m == n {
                return Ok(DONE);
            }
            let md = self.node(m);
            if nd.kind == kind::DIR && md.kind != kind::DIR {
                return Err(errno::NOTDIR);
            }
            if nd.kind != kind::DIR && md.kind == kind::DIR {
                return Err(errno::ISDIR);
            }
            if md.children > 0 {
                return Err(errno::NOTEMPTY);
            }
            self.unlink_node(m);
        }
        let mut p = self.node(from);
        p.children = p.children.saturating_sub(1);
        self.set_node(from, &p);
        let mut q = self.node(to.0);
        q.children += 1;
        self.set_node(to.0, &q);
        let nd = self.node(n);
        self.set_node(n, &Node { parent: to.0, name_len: to.2 as u16, ..nd });
        self.set_node_name(n, nd.name_len as usize, &name);
        Ok(DONE)
    }
}
