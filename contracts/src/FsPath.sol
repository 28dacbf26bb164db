// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Spec} from "./generated/Spec.sol";
import {World} from "./World.sol";
import {Call, Calls} from "./Wasi.sol";
import {Fd, Fs, Node} from "./FsState.sol";

/// The WASI calls that take a path (engine/src/wasi/fs_path.rs): the path
/// walk, one node per micro-step, and the calls built on it, as
/// `HostMachine` hands them over.
contract FsPath {
    using Calls for Call;

    uint256 private constant M32 = 0xffffffff;
    uint256 private constant M64 = 0xffffffffffffffff;

    /// A walk's progress (`Walk`): `pos`, `depth` and a started bit in the
    /// path slot's high half; `dir` and `scan` in the length slot's.
    struct Walk {
        bool started;
        uint256 pos;
        uint256 depth;
        uint256 dir;
        uint256 scan;
    }

    /// What a walk found (`Found`): the directory holding the last name and
    /// where that name is in the path (`hasParent`), and the node it names (`hasNode`).
    struct Found {
        bool resolved;
        bool hasParent;
        uint256 parent;
        uint256 namePos;
        uint256 nameLen;
        bool hasNode;
        uint256 node;
    }

    /// The step of WASI function `fn_` with `c`'s arguments over `w`; the
    /// world and the call it leaves.
    function run(World memory w, Call memory c, uint256 fn_) external pure returns (World memory, Call memory) {
        (bool ok, uint256 err) = (true, 0);
        if (fn_ == Spec.WASI_PATH_OPEN) (ok, err) = pathOpen(w, c);
        else if (fn_ == Spec.WASI_PATH_FILESTAT_GET) (ok, err) = pathFilestatGet(w, c);
        else if (fn_ == Spec.WASI_PATH_CREATE_DIRECTORY) (ok, err) = pathCreateDirectory(w, c);
        else if (fn_ == Spec.WASI_PATH_REMOVE_DIRECTORY) (ok, err) = pathRemoveDirectory(w, c);
        else if (fn_ == Spec.WASI_PATH_UNLINK_FILE) (ok, err) = pathUnlinkFile(w, c);
        else if (fn_ == Spec.WASI_PATH_READLINK) (ok, err) = pathReadlink(w, c);
        else if (fn_ == Spec.WASI_PATH_RENAME) (ok, err) = pathRename(w, c);
        else revert("FsPath: not a path call");
        c.finalize(ok, err);
        return (w, c);
    }

    // ---- the walk (`Call::walk`) ------------------------------------------------------

    function loadWalk(Call memory c, uint256 p) private pure returns (Walk memory k) {
        (uint256 a, uint256 b) = (Calls.hi(c.args[p]), Calls.hi(c.args[p + 1]));
        (k.started, k.pos, k.depth, k.dir, k.scan) = (a >> 31 != 0, a & 0x1fff, (a >> 13) & 0x1fff, b & 0xffff, b >> 16);
    }

    /// Stores the progress; the step ends with `Again`.
    function storeWalk(Call memory c, uint256 p, Walk memory k) private pure {
        uint256 a = ((k.started ? uint256(1) << 31 : 0) | (k.depth << 13) | k.pos) & M32;
        c.args[p] = Calls.withHi(c.args[p], a);
        c.args[p + 1] = Calls.withHi(c.args[p + 1], ((k.scan << 16) | k.dir) & M32);
        c.kind = Calls.AGAIN;
    }

    /// One step of walking the path in slots `p` (pointer) and `p + 1`
    /// (length) from the directory descriptor in slot `fdSlot`: `(true, 0, f)`
    /// with `f.resolved` false after a step of progress (`Again`), with it
    /// true once resolved; `(false, errno, _)` on an error.
    function walk(World memory w, Call memory c, uint256 fdSlot, uint256 p)
        private
        pure
        returns (bool ok, uint256 err, Found memory f)
    {
        unchecked {
            (uint256 path, uint256 len) = (c.a(p), c.a(p + 1));
            Walk memory k = loadWalk(c, p);
            if (!k.started) {
                (bool open, Fd memory d) = Fs.fdRec(w, c.a(fdSlot));
                if (!open) return (false, Spec.ERRNO_BADF, f);
                if (d.kind != Spec.FS_KIND_DIR) return (false, Spec.ERRNO_NOTDIR, f);
                if (Fs.node(w, d.node).orphan) return (false, Spec.ERRNO_NOENT, f);
                if (len > Spec.FS_MAX_PATH) return (false, Spec.ERRNO_NAMETOOLONG, f);
                if (!Calls.check(c, path, len)) return (false, Spec.ERRNO_FAULT, f);
                if (len == 0) return (false, Spec.ERRNO_NOENT, f);
                bytes memory first;
                (ok, first) = Calls.readBytes(w, c, path, 1);
                if (!ok) return (false, Spec.ERRNO_FAULT, f);
                // An absolute path names nothing a descriptor grants.
                if (first[0] == "/") return (false, Spec.ERRNO_PERM, f);
                Walk memory s;
                (s.started, s.dir) = (true, d.node);
                storeWalk(c, p, s);
                return (true, 0, f);
            }
            if (k.pos >= len) return (true, 0, resolvedAt(k.dir));
            bytes memory win;
            {
                uint256 wl = len - k.pos < Spec.FS_WINDOW ? len - k.pos : Spec.FS_WINDOW;
                (ok, win) = Calls.readBytes(w, c, (path + k.pos) & M32, wl);
                if (!ok) return (false, Spec.ERRNO_FAULT, f);
            }
            if (win[0] == "/") {
                uint256 s = 0;
                while (s < win.length && win[s] == "/") s++;
                k.pos = (k.pos + s) & M32;
                storeWalk(c, p, k);
                return (true, 0, f);
            }
            uint256 e = 0;
            while (e < win.length && win[e] != "/") e++;
            if (e > Spec.FS_MAX_NAME) return (false, Spec.ERRNO_NAMETOOLONG, f);
            bool last = k.pos + win.length == len;
            for (uint256 i = e; i < win.length && last; i++) {
                if (win[i] != "/") last = false;
            }
            if (e == 1 && win[0] == ".") {
                if (last) return (true, 0, resolvedAt(k.dir));
                k.pos = (k.pos + e) & M32;
            } else if (e == 2 && win[0] == "." && win[1] == ".") {
                // `..` may not leave the directory the descriptor grants.
                if (k.depth == 0) return (false, Spec.ERRNO_PERM, f);
                uint256 up = Fs.node(w, k.dir).parent;
                if (last) return (true, 0, resolvedAt(up));
                (k.dir, k.depth, k.pos) = (up, k.depth - 1, (k.pos + e) & M32);
            } else if (k.scan >= w.host.fsNodes) {
                if (!last) return (false, Spec.ERRNO_NOENT, f);
                (f.resolved, f.hasParent, f.parent, f.namePos, f.nameLen) = (true, true, k.dir, k.pos, e);
                return (true, 0, f);
            } else {
                Node memory nd = Fs.node(w, k.scan);
                bool hit = nd.kind != Spec.FS_KIND_FREE && !nd.orphan && nd.parent == k.dir && nd.nameLen == e
                    && sameName(Fs.nodeName(w, k.scan, e), win);
                if (!hit) {
                    k.scan = (k.scan + 1) & M32;
                } else if (last) {
                    (f.resolved, f.hasParent, f.parent, f.namePos, f.nameLen) = (true, true, k.dir, k.pos, e);
                    (f.hasNode, f.node) = (true, k.scan);
                    return (true, 0, f);
                } else if (nd.kind != Spec.FS_KIND_DIR) {
                    return (false, Spec.ERRNO_NOTDIR, f);
                } else {
                    (k.dir, k.depth, k.pos, k.scan) = (k.scan, k.depth + 1, (k.pos + e) & M32, 0);
                }
            }
            storeWalk(c, p, k);
            return (true, 0, f);
        }
    }

    function resolvedAt(uint256 n) private pure returns (Found memory f) {
        (f.resolved, f.hasNode, f.node) = (true, true, n);
    }

    /// Whether `name` is the first `name.length` bytes of `win`.
    function sameName(bytes memory name, bytes memory win) private pure returns (bool) {
        for (uint256 i = 0; i < name.length; i++) {
            if (name[i] != win[i]) return false;
        }
        return true;
    }

    /// The name at path bytes `[pos, pos + len)` of the path in slot `p`, for a
    /// node to take: EILSEQ unless it is UTF-8 without NUL (`Call::new_name`).
    function newName(World memory w, Call memory c, uint256 p, uint256 pos, uint256 len)
        private
        pure
        returns (bool ok, uint256 err, bytes memory name)
    {
        (ok, name) = Calls.readBytes(w, c, (c.a(p) + pos) & M32, len);
        if (!ok) return (false, Spec.ERRNO_FAULT, name);
        if (!utf8WithoutNul(name)) return (false, Spec.ERRNO_ILSEQ, name);
        return (true, 0, name);
    }

    /// `std::str::from_utf8(b).is_ok()` and no NUL byte.
    function utf8WithoutNul(bytes memory b) private pure returns (bool) {
        uint256 i = 0;
        uint256 n = b.length;
        while (i < n) {
            uint256 x = uint8(b[i]);
            if (x == 0) return false;
            if (x < 0x80) {
                i++;
                continue;
            }
            uint256 more;
            uint256 lo = 0x80;
            uint256 hi = 0xbf;
            if (x >= 0xc2 && x <= 0xdf) {
                more = 1;
            } else if (x >= 0xe0 && x <= 0xef) {
                more = 2;
                if (x == 0xe0) lo = 0xa0;
                if (x == 0xed) hi = 0x9f;
            } else if (x >= 0xf0 && x <= 0xf4) {
                more = 3;
                if (x == 0xf0) lo = 0x90;
                if (x == 0xf4) hi = 0x8f;
            } else {
                return false;
            }
            if (i + more >= n) return false;
            uint256 y = uint8(b[i + 1]);
            if (y < lo || y > hi) return false;
            for (uint256 j = 2; j <= more; j++) {
                y = uint8(b[i + j]);
                if (y < 0x80 || y > 0xbf) return false;
            }
            i += more + 1;
        }
        return true;
    }

    /// Creates a node of kind `k` named by path bytes `[pos, pos + len)` of the
    /// path in slot `p`, in directory `dir` (`Call::create`).
    function create(World memory w, Call memory c, uint256 p, Found memory at, uint256 k)
        private
        pure
        returns (bool ok, uint256 err)
    {
        bytes memory name;
        (ok, err, name) = newName(w, c, p, at.namePos, at.nameLen);
        if (!ok) return (ok, err);
        uint256 n;
        (ok, n) = Fs.allocNode(w);
        if (!ok) return (false, n);
        uint256 old = Fs.node(w, n).nameLen;
        Node memory nd;
        (nd.kind, nd.nameLen, nd.parent) = (k, at.nameLen, at.parent);
        Fs.setNode(w, n, nd);
        Fs.setNodeName(w, n, old, name);
        Node memory d = Fs.node(w, at.parent);
        d.children += 1;
        Fs.setNode(w, at.parent, d);
        return (true, n);
    }

    /// `path_open(fd, dirflags, path, path_len, oflags, rights, inheriting, fdflags, fd_p)` (`Call::path_open`).
    function pathOpen(World memory w, Call memory c) private pure returns (bool ok, uint256 err) {
        Found memory found;
        (ok, err, found) = walk(w, c, 0, 2);
        if (!ok || !found.resolved) return (ok, err);
        (uint256 oflags, uint256 rights, uint256 fdflags, uint256 fdP) = (c.a(4), c.args[5] & M64, c.a(7), c.a(8));
        if (!Calls.check(c, fdP, 4)) return (false, Spec.ERRNO_FAULT);
        // No descriptor left: refused before a file is created or truncated.
        if (w.host.fsFdFree == Spec.FS_NONE && w.host.fsFds >= Spec.FS_MAX_FDS) return (false, Spec.ERRNO_MFILE);
        uint256 acc = 0;
        if (rights & Spec.RIGHT_FD_READ != 0) acc |= Spec.FS_ACCESS_READ;
        if (rights & Spec.RIGHT_FD_WRITE != 0) acc |= Spec.FS_ACCESS_WRITE;
        uint256 n;
        if (found.hasNode) {
            if (oflags & Spec.O_CREAT != 0 && oflags & Spec.O_EXCL != 0) return (false, Spec.ERRNO_EXIST);
            n = found.node;
            Node memory nd = Fs.node(w, n);
            if (nd.kind != Spec.FS_KIND_DIR && oflags & Spec.O_DIRECTORY != 0) return (false, Spec.ERRNO_NOTDIR);
            if (nd.kind == Spec.FS_KIND_DIR && (acc & Spec.FS_ACCESS_WRITE != 0 || oflags & Spec.O_TRUNC != 0)) {
                return (false, Spec.ERRNO_ISDIR);
            }
            if (oflags & Spec.O_TRUNC != 0) Fs.clearFile(w, n);
        } else if (found.hasParent && oflags & Spec.O_CREAT != 0 && oflags & Spec.O_DIRECTORY == 0) {
            (ok, n) = create(w, c, 2, found, Spec.FS_KIND_FILE);
            if (!ok) return (false, n);
        } else {
            return (false, Spec.ERRNO_NOENT);
        }
        uint256 fd;
        (ok, fd) = Fs.allocFd(w);
        if (!ok) return (false, fd);
        Node memory od = Fs.node(w, n);
        od.opens += 1;
        Fs.setNode(w, n, od);
        Fd memory f;
        (f.kind, f.node, f.flags, f.access) = (od.kind, n, fdflags & 0x1f, acc);
        Fs.setFd(w, fd, f);
        return Calls.write(w, c, fdP, fd, 4);
    }

    /// `path_filestat_get(fd, flags, path, path_len, buf)` (`Call::path_filestat_get`).
    function pathFilestatGet(World memory w, Call memory c) private pure returns (bool ok, uint256 err) {
        Found memory found;
        (ok, err, found) = walk(w, c, 0, 2);
        if (!ok || !found.resolved) return (ok, err);
        if (!found.hasNode) return (false, Spec.ERRNO_NOENT);
        return Calls.writeBytes(w, c, c.a(4), Fs.filestat(w, found.node));
    }

    /// `path_create_directory(fd, path, path_len)` (`Call::path_create_directory`).
    function pathCreateDirectory(World memory w, Call memory c) private pure returns (bool ok, uint256 err) {
        Found memory found;
        (ok, err, found) = walk(w, c, 0, 1);
        if (!ok || !found.resolved) return (ok, err);
        if (found.hasNode) return (false, Spec.ERRNO_EXIST);
        if (!found.hasParent) return (false, Spec.ERRNO_NOENT);
        (ok, err) = create(w, c, 1, found, Spec.FS_KIND_DIR);
        return ok ? (true, 0) : (false, err);
    }

    /// `path_remove_directory(fd, path, path_len)` (`Call::path_remove_directory`).
    function pathRemoveDirectory(World memory w, Call memory c) private pure returns (bool ok, uint256 err) {
        Found memory found;
        (ok, err, found) = walk(w, c, 0, 1);
        if (!ok || !found.resolved) return (ok, err);
        if (!found.hasNode) return (false, Spec.ERRNO_NOENT);
        if (!found.hasParent) return (false, Spec.ERRNO_INVAL);
        Node memory nd = Fs.node(w, found.node);
        if (nd.kind != Spec.FS_KIND_DIR) return (false, Spec.ERRNO_NOTDIR);
        if (nd.children > 0) return (false, Spec.ERRNO_NOTEMPTY);
        Fs.unlinkNode(w, found.node);
        return (true, 0);
    }

    /// `path_unlink_file(fd, path, path_len)` (`Call::path_unlink_file`).
    function pathUnlinkFile(World memory w, Call memory c) private pure returns (bool ok, uint256 err) {
        Found memory found;
        (ok, err, found) = walk(w, c, 0, 1);
        if (!ok || !found.resolved) return (ok, err);
        if (!found.hasNode) return (false, Spec.ERRNO_NOENT);
        if (!found.hasParent || Fs.node(w, found.node).kind == Spec.FS_KIND_DIR) return (false, Spec.ERRNO_ISDIR);
        Fs.unlinkNode(w, found.node);
        return (true, 0);
    }

    /// `path_readlink(fd, path, path_len, buf, buf_len, used_p)`: there are no symlinks (`Call::path_readlink`).
    function pathReadlink(World memory w, Call memory c) private pure returns (bool ok, uint256 err) {
        Found memory found;
        (ok, err, found) = walk(w, c, 0, 1);
        if (!ok || !found.resolved) return (ok, err);
        return (false, found.hasNode ? Spec.ERRNO_INVAL : Spec.ERRNO_NOENT);
    }

    /// `path_rename(fd, old, old_len, new_fd, new, new_len)` (`Call::path_rename`).
    /// Phases, in the high half of the first slot: 0 walks the old path, 1
    /// the new one, 2 checks that a directory does not move under itself, one
    /// ancestor per step (the cursor in the high half of `new_fd`'s slot).
    function pathRename(World memory w, Call memory c) private pure returns (bool ok, uint256 err) {
        uint256 phase = Calls.hi(c.args[0]);
        Found memory old;
        (ok, err, old) = walk(w, c, 0, 1);
        if (!ok || !old.resolved) return (ok, err);
        if (!old.hasNode) return (false, Spec.ERRNO_NOENT);
        if (!old.hasParent) return (false, Spec.ERRNO_INVAL);
        uint256 n = old.node;
        if (phase == 0) {
            c.args[0] = Calls.withHi(c.args[0], 1);
            c.kind = Calls.AGAIN;
            return (true, 0);
        }
        Found memory to;
        (ok, err, to) = walk(w, c, 3, 4);
        if (!ok || !to.resolved) return (ok, err);
        if (!to.hasParent) return (false, Spec.ERRNO_INVAL);
        bytes memory name;
        (ok, err, name) = newName(w, c, 4, to.namePos, to.nameLen);
        if (!ok) return (ok, err);
        Node memory nd = Fs.node(w, n);
        if (nd.kind == Spec.FS_KIND_DIR) {
            uint256 cursor = phase == 1 ? to.parent : Calls.hi(c.args[3]);
            if (cursor != Spec.FS_NONE) {
                if (cursor == n) return (false, Spec.ERRNO_INVAL);
                c.args[0] = Calls.withHi(c.args[0], 2);
                c.args[3] = Calls.withHi(c.args[3], Fs.node(w, cursor).parent);
                c.kind = Calls.AGAIN;
                return (true, 0);
            }
        }
        if (to.hasNode) {
            uint256 m = to.node;
            if (m == n) return (true, 0);
            Node memory md = Fs.node(w, m);
            if (nd.kind == Spec.FS_KIND_DIR && md.kind != Spec.FS_KIND_DIR) return (false, Spec.ERRNO_NOTDIR);
            if (nd.kind != Spec.FS_KIND_DIR && md.kind == Spec.FS_KIND_DIR) return (false, Spec.ERRNO_ISDIR);
            if (md.children > 0) return (false, Spec.ERRNO_NOTEMPTY);
            Fs.unlinkNode(w, m);
        }
        Node memory p = Fs.node(w, old.parent);
        if (p.children > 0) p.children -= 1;
        Fs.setNode(w, old.parent, p);
        Node memory q = Fs.node(w, to.parent);
        q.children += 1;
        Fs.setNode(w, to.parent, q);
        Node memory now_ = Fs.node(w, n);
        uint256 oldLen = now_.nameLen;
        (now_.parent, now_.nameLen) = (to.parent, to.nameLen);
        Fs.setNode(w, n, now_);
        Fs.setNodeName(w, n, oldLen, name);
        return (true, 0);
    }
}
