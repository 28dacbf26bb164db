// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Spec} from "./generated/Spec.sol";
import {World} from "./World.sol";
import {Call, Calls, Iov} from "./Wasi.sol";
import {Fd, Fs, Node} from "./FsState.sol";

/// The WASI calls that take a file system descriptor (engine/src/wasi/fs_fd.rs),
/// one step each, as `HostMachine` hands them over: closing, stat, flags,
/// preopens, seeking, reading and writing files, sizes, readdir, renumber.
contract FsFd {
    using Calls for Call;

    uint256 private constant M32 = 0xffffffff;
    uint256 private constant M64 = 0xffffffffffffffff;

    /// The step of WASI function `fn_` with `c`'s arguments over `w`; the
    /// world and the call (its outcome, its progress) it leaves.
    function run(World memory w, Call memory c, uint256 fn_) external pure returns (World memory, Call memory) {
        (bool ok, uint256 err) = (true, 0);
        if (fn_ == Spec.WASI_FD_CLOSE) (ok, err) = fdClose(w, c);
        else if (fn_ == Spec.WASI_FD_FDSTAT_GET) (ok, err) = fdFdstatGet(w, c);
        else if (fn_ == Spec.WASI_FD_FDSTAT_SET_FLAGS) (ok, err) = fdFdstatSetFlags(w, c);
        else if (fn_ == Spec.WASI_FD_SYNC || fn_ == Spec.WASI_FD_DATASYNC) (ok, err) = fdSync(w, c);
        else if (fn_ == Spec.WASI_FD_PRESTAT_GET) (ok, err) = fdPrestatGet(w, c);
        else if (fn_ == Spec.WASI_FD_PRESTAT_DIR_NAME) (ok, err) = fdPrestatDirName(w, c);
        else if (fn_ == Spec.WASI_FD_SEEK) (ok, err) = seek(w, c, c.args[1] & M64, c.a(2), c.a(3));
        else if (fn_ == Spec.WASI_FD_TELL) (ok, err) = seek(w, c, 0, 1, c.a(1));
        else if (fn_ == Spec.WASI_FD_FILESTAT_GET) (ok, err) = fdFilestatGet(w, c);
        else if (fn_ == Spec.WASI_FD_FILESTAT_SET_SIZE) (ok, err) = fdFilestatSetSize(w, c);
        else if (fn_ == Spec.WASI_FD_READ) (ok, err) = fileRead(w, c, false, 0, 3);
        else if (fn_ == Spec.WASI_FD_PREAD) (ok, err) = fileRead(w, c, true, c.args[3] & M64, 4);
        else if (fn_ == Spec.WASI_FD_WRITE) (ok, err) = fileWrite(w, c, false, 0, 3);
        else if (fn_ == Spec.WASI_FD_PWRITE) (ok, err) = fileWrite(w, c, true, c.args[3] & M64, 4);
        else if (fn_ == Spec.WASI_FD_READDIR) (ok, err) = fdReaddir(w, c);
        else if (fn_ == Spec.WASI_FD_RENUMBER) (ok, err) = fdRenumber(w, c);
        else revert("FsFd: not a descriptor call");
        c.finalize(ok, err);
        return (w, c);
    }

    /// Descriptor `fd`'s record if it is an open file, else EISDIR or EBADF (`Call::file_fd`).
    function fileFd(World memory w, uint256 fd) private pure returns (bool, uint256, Fd memory f) {
        bool open;
        (open, f) = Fs.fdRec(w, fd);
        if (!open) return (false, Spec.ERRNO_BADF, f);
        if (f.kind != Spec.FS_KIND_FILE) return (false, Spec.ERRNO_ISDIR, f);
        return (true, 0, f);
    }

    /// `fd_close(fd)` (`Call::fd_close`).
    function fdClose(World memory w, Call memory c) private pure returns (bool, uint256) {
        uint256 fd = c.a(0);
        if (fd < 3) return (true, 0);
        (bool open, Fd memory f) = Fs.fdRec(w, fd);
        if (!open) return (false, Spec.ERRNO_BADF);
        Fs.release(w, f);
        Fs.freeFd(w, fd);
        return (true, 0);
    }

    /// `fd_fdstat_get(fd, buf)` (`Call::fd_fdstat_get`): stdio is filetype 0, no flags.
    function fdFdstatGet(World memory w, Call memory c) private pure returns (bool, uint256) {
        uint256 fd = c.a(0);
        bytes memory d = new bytes(24);
        if (fd >= 3) {
            (bool open, Fd memory f) = Fs.fdRec(w, fd);
            if (!open) return (false, Spec.ERRNO_BADF);
            d[0] = bytes1(uint8(Fs.filetype(f.kind)));
            Fs.putLe(d, 2, f.flags, 2);
        }
        Fs.putLe(d, 8, M64, 8);
        Fs.putLe(d, 16, M64, 8);
        return Calls.writeBytes(w, c, c.a(1), d);
    }

    /// `fd_fdstat_set_flags(fd, flags)` (`Call::fd_fdstat_set_flags`).
    function fdFdstatSetFlags(World memory w, Call memory c) private pure returns (bool, uint256) {
        uint256 fd = c.a(0);
        if (fd < 3) return (true, 0);
        (bool open, Fd memory f) = Fs.fdRec(w, fd);
        if (!open) return (false, Spec.ERRNO_BADF);
        f.flags = c.a(1) & 0x1f;
        Fs.setFd(w, fd, f);
        return (true, 0);
    }

    /// `fd_sync(fd)` and `fd_datasync(fd)` (`Call::fd_sync`).
    function fdSync(World memory w, Call memory c) private pure returns (bool, uint256) {
        uint256 fd = c.a(0);
        if (fd < 3) return (true, 0);
        (bool open,) = Fs.fdRec(w, fd);
        return open ? (true, 0) : (false, Spec.ERRNO_BADF);
    }

    /// The record of a preopened directory's descriptor in slot 0, else EBADF.
    function preopen(World memory w, Call memory c) private pure returns (bool, Fd memory f) {
        bool open;
        (open, f) = Fs.fdRec(w, c.a(0));
        return (open && f.preopen, f);
    }

    /// `fd_prestat_get(fd, buf)` (`Call::fd_prestat_get`).
    function fdPrestatGet(World memory w, Call memory c) private pure returns (bool, uint256) {
        (bool ok, Fd memory f) = preopen(w, c);
        if (!ok) return (false, Spec.ERRNO_BADF);
        return Calls.write(w, c, c.a(1), Fs.node(w, f.node).nameLen << 32, 8);
    }

    /// `fd_prestat_dir_name(fd, buf, len)` (`Call::fd_prestat_dir_name`).
    function fdPrestatDirName(World memory w, Call memory c) private pure returns (bool, uint256) {
        (bool ok, Fd memory f) = preopen(w, c);
        if (!ok) return (false, Spec.ERRNO_BADF);
        uint256 len = Fs.node(w, f.node).nameLen;
        if (c.a(2) < len) return (false, Spec.ERRNO_NAMETOOLONG);
        return Calls.writeBytes(w, c, c.a(1), Fs.nodeName(w, f.node, len));
    }

    /// `fd_seek(fd, offset, whence, new_p)` and, with `(0, CUR)`, `fd_tell` (`Call::seek`).
    function seek(World memory w, Call memory c, uint256 offset, uint256 whence, uint256 newP)
        private
        pure
        returns (bool ok, uint256 err)
    {
        uint256 fd = c.a(0);
        if (fd < 3) return (false, Spec.ERRNO_SPIPE);
        (bool open, Fd memory f) = Fs.fdRec(w, fd);
        if (!open || f.kind != Spec.FS_KIND_FILE) return (false, Spec.ERRNO_BADF);
        int256 base;
        if (whence == 0) base = 0;
        else if (whence == 1) base = int256(int64(uint64(f.offset)));
        else if (whence == 2) base = int256(int64(uint64(Fs.fileLen(w, f.node))));
        else return (false, Spec.ERRNO_INVAL);
        int256 n = base + int256(int64(uint64(offset)));
        if (n < 0 || n > type(int64).max) return (false, Spec.ERRNO_INVAL);
        (ok, err) = Calls.write(w, c, newP, uint256(n), 8);
        if (!ok) return (ok, err);
        f.offset = uint256(n);
        Fs.setFd(w, fd, f);
    }

    /// `fd_filestat_get(fd, buf)` (`Call::fd_filestat_get`).
    function fdFilestatGet(World memory w, Call memory c) private pure returns (bool, uint256) {
        uint256 fd = c.a(0);
        if (fd < 3) return Calls.writeBytes(w, c, c.a(1), new bytes(64));
        (bool open, Fd memory f) = Fs.fdRec(w, fd);
        if (!open) return (false, Spec.ERRNO_BADF);
        return Calls.writeBytes(w, c, c.a(1), Fs.filestat(w, f.node));
    }

    /// `fd_filestat_set_size(fd, size)` (`Call::fd_filestat_set_size`): growing
    /// in one step; shrinking zeroes the tail from the end, `HOST_CHUNK` bytes a step.
    function fdFilestatSetSize(World memory w, Call memory c) private pure returns (bool ok, uint256 err) {
        Fd memory f;
        (ok, err, f) = fileFd(w, c.a(0));
        if (!ok) return (ok, err);
        if (f.access & Spec.FS_ACCESS_WRITE == 0) return (false, Spec.ERRNO_BADF);
        uint256 size = c.args[1] & M64;
        if (size > Spec.FS_MAX_FILE_BYTES) return (false, Spec.ERRNO_FBIG);
        uint256 len = Fs.fileLen(w, f.node);
        if (size > len) {
            if ((w.host.fsBytes + (size - len)) & M64 > Spec.FS_MAX_FS_BYTES) return (false, Spec.ERRNO_NOSPC);
            Fs.fileWrite(w, f.node, size - 1, new bytes(1));
            w.host.fsBytes = (w.host.fsBytes + (size - len)) & M64;
            return (true, 0);
        }
        if (size == 0) {
            Fs.clearFile(w, f.node);
            return (true, 0);
        }
        uint256 start = len > Spec.HOST_CHUNK ? len - Spec.HOST_CHUNK : 0;
        if (size > start) start = size;
        Fs.fileWrite(w, f.node, start, new bytes(len - start));
        Fs.fileShrink(w, f.node, start);
        uint256 b = w.host.fsBytes;
        w.host.fsBytes = b - (len - start < b ? len - start : b);
        if (start != size) c.kind = Calls.AGAIN;
        return (true, 0);
    }

    /// One step of `fd_read` (`positional` false) or `fd_pread` (at `pos`) on
    /// a file descriptor over the iovecs (`Call::file_read_step`).
    function fileRead(World memory w, Call memory c, bool positional, uint256 pos, uint256 totalSlot)
        private
        pure
        returns (bool ok, uint256 err)
    {
        unchecked {
            uint256 fd = c.a(0);
            Fd memory f;
            (ok, err, f) = fileFd(w, fd);
            if (!ok) return (ok, err);
            if (f.access & Spec.FS_ACCESS_READ == 0) return (false, Spec.ERRNO_BADF);
            bool ended;
            Iov memory v;
            (ok, err, ended, v) = Calls.iovBegin(w, c, totalSlot);
            if (ended) return (ok, err);
            uint256 at = positional ? sat64(pos + v.total) : f.offset;
            uint256 flen = Fs.fileLen(w, f.node);
            uint256 avail = flen > at ? flen - at : 0;
            if (v.off == 0 && !Calls.check(c, v.ptr, v.len < avail ? v.len : avail)) return (false, Spec.ERRNO_FAULT);
            uint256 n = Calls.chunk(v, avail);
            (ok, err) = Calls.writeBytes(w, c, (v.ptr + v.off) & M32, Fs.fileRead(w, f.node, at, n));
            if (!ok) return (ok, err);
            if (!positional && n > 0) {
                f.offset = (f.offset + n) & M64;
                Fs.setFd(w, fd, f);
            }
            return Calls.iovEnd(w, c, totalSlot, v, n, avail == n);
        }
    }

    /// One step of `fd_write` (at the offset, or at the end with APPEND) or
    /// `fd_pwrite` (at `pos`) on a file descriptor (`Call::file_write_step`).
    function fileWrite(World memory w, Call memory c, bool positional, uint256 pos, uint256 totalSlot)
        private
        pure
        returns (bool ok, uint256 err)
    {
        unchecked {
            uint256 fd = c.a(0);
            Fd memory f;
            (ok, err, f) = fileFd(w, fd);
            if (!ok) return (ok, err);
            if (f.access & Spec.FS_ACCESS_WRITE == 0) return (false, Spec.ERRNO_BADF);
            bool ended;
            Iov memory v;
            (ok, err, ended, v) = Calls.iovBegin(w, c, totalSlot);
            if (ended) return (ok, err);
            uint256 flen = Fs.fileLen(w, f.node);
            uint256 at;
            if (positional) at = sat64(pos + v.total);
            else if (f.flags & Spec.FDFLAG_APPEND != 0) at = flen;
            else at = f.offset;
            if (v.off == 0) {
                uint256 end = at + v.len;
                if (end > Spec.FS_MAX_FILE_BYTES) return (false, Spec.ERRNO_FBIG);
                uint256 grow = end > flen ? end - flen : 0;
                if ((w.host.fsBytes + grow) & M64 > Spec.FS_MAX_FS_BYTES) return (false, Spec.ERRNO_NOSPC);
                if (!Calls.check(c, v.ptr, v.len)) return (false, Spec.ERRNO_FAULT);
            }
            uint256 n = Calls.chunk(v, type(uint256).max);
            bytes memory b;
            (ok, b) = Calls.readBytes(w, c, (v.ptr + v.off) & M32, n);
            if (!ok) return (false, Spec.ERRNO_FAULT);
            Fs.fileWrite(w, f.node, at, b);
            uint256 stop = (at + n) & M64;
            if (stop > flen) w.host.fsBytes = (w.host.fsBytes + (stop - flen)) & M64;
            if (!positional) {
                f.offset = stop;
                Fs.setFd(w, fd, f);
            }
            return Calls.iovEnd(w, c, totalSlot, v, n, false);
        }
    }

    /// `a + b` saturated at `u64::MAX` (for `a`, `b` below 2^64).
    function sat64(uint256 x) private pure returns (uint256) {
        return x > M64 ? M64 : x;
    }

    /// One step of `fd_readdir(fd, buf, buf_len, cookie, used_p)`: one
    /// candidate per step (`Call::fd_readdir`). Progress: the cookie slot,
    /// and the bytes used in the high half of `buf_len`'s slot.
    function fdReaddir(World memory w, Call memory c) private pure returns (bool ok, uint256 err) {
        unchecked {
            (bool open, Fd memory f) = Fs.fdRec(w, c.a(0));
            if (!open) return (false, Spec.ERRNO_BADF);
            if (f.kind != Spec.FS_KIND_DIR) return (false, Spec.ERRNO_NOTDIR);
            (uint256 buf, uint256 bufLen, uint256 usedP) = (c.a(1), c.a(2), c.a(4));
            (uint256 cookie, uint256 used) = (c.args[3] & M64, Calls.hi(c.args[2]));
            if (!Calls.check(c, buf, bufLen)) return (false, Spec.ERRNO_FAULT);
            if (used >= bufLen) return Calls.finish(w, c, usedP, used);
            bool some;
            uint256 n;
            bytes memory name;
            uint256 k;
            if (cookie == 0) {
                (some, n, name, k) = (true, f.node, bytes("."), Spec.FS_KIND_DIR);
            } else if (cookie == 1) {
                uint256 p = Fs.node(w, f.node).parent;
                (some, n, name, k) = (true, p == Spec.FS_NONE ? f.node : p, bytes(".."), Spec.FS_KIND_DIR);
            } else if (cookie - 2 >= w.host.fsNodes) {
                return Calls.finish(w, c, usedP, used);
            } else {
                n = (cookie - 2) & M32;
                Node memory nd = Fs.node(w, n);
                if (nd.kind != Spec.FS_KIND_FREE && !nd.orphan && nd.parent == f.node) {
                    (some, name, k) = (true, Fs.nodeName(w, n, nd.nameLen), nd.kind);
                }
            }
            if (some) {
                uint256 room = bufLen - used;
                uint256 size = 24 + name.length;
                bytes memory d = new bytes(size < room ? size : room);
                bytes memory full = new bytes(size);
                Fs.putLe(full, 0, cookie + 1, 8);
                Fs.putLe(full, 8, n + 1, 8);
                Fs.putLe(full, 16, name.length, 4);
                full[20] = bytes1(uint8(Fs.filetype(k)));
                for (uint256 i = 0; i < name.length; i++) {
                    full[24 + i] = name[i];
                }
                for (uint256 i = 0; i < d.length; i++) {
                    d[i] = full[i];
                }
                (ok, err) = Calls.writeBytes(w, c, (buf + used) & M32, d);
                if (!ok) return (ok, err);
                used += d.length;
            }
            c.args[3] = (cookie + 1) & M64;
            c.args[2] = Calls.withHi(c.args[2], used);
            c.kind = Calls.AGAIN;
            return (true, 0);
        }
    }

    /// `fd_renumber(from, to)` (`Call::fd_renumber`).
    function fdRenumber(World memory w, Call memory c) private pure returns (bool, uint256) {
        (uint256 from, uint256 to) = (c.a(0), c.a(1));
        (bool openF, Fd memory f) = Fs.fdRec(w, from);
        if (!openF) return (false, Spec.ERRNO_BADF);
        (bool openT, Fd memory t) = Fs.fdRec(w, to);
        if (!openT) return (false, Spec.ERRNO_BADF);
        if (from == to) return (true, 0);
        Fs.release(w, t);
        Fs.setFd(w, to, f);
        Fs.freeFd(w, from);
        return (true, 0);
    }
}
