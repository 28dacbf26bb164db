// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Spec} from "./generated/Spec.sol";
import {Entry, Host, World, Worlds} from "./World.sol";
import {Multi, Openings} from "./Openings.sol";

/// A node's record (`fs::Node`): the first 32 bytes of its slot.
struct Node {
    uint256 kind;
    bool orphan;
    uint256 nameLen;
    uint256 parent;
    uint256 children;
    uint256 opens;
}

/// A descriptor's record (`fs::Fd`).
struct Fd {
    uint256 kind;
    bool preopen;
    uint256 flags;
    uint256 node;
    uint256 offset;
    uint256 access;
}

/// The file system's records over the opened leaves (engine/src/fs.rs; the
/// helpers of engine/src/wasi/fs_fd.rs: records, allocation and release;
/// `PartialWorld`'s `fs_read`, `fs_write` and `file_*` in
/// engine/src/proof/partial.rs). A byte the proof did not open reverts
/// `Missing`, where the engine notes it and refuses.
library Fs {
    uint256 internal constant M16 = 0xffff;
    uint256 internal constant M32 = 0xffffffff;
    uint256 internal constant M64 = 0xffffffffffffffff;

    // ---- bytes of the tables (`fs_read`, `fs_write`) --------------------------------

    /// The opened leaf holding table byte `p`.
    function leafOf(Multi memory t, uint256 p) private pure returns (uint256 l) {
        l = Openings.find(t, p >> 5);
        if (l == type(uint256).max) revert Worlds.Missing("a file system leaf");
    }

    /// `n` bytes of a table from `at`.
    function tableBytes(Multi memory t, uint256 at, uint256 n) internal pure returns (bytes memory out) {
        out = new bytes(n);
        for (uint256 i = 0; i < n; i++) {
            uint256 p = at + i;
            out[i] = t.leaf[leafOf(t, p)][p & 31];
        }
    }

    /// Writes `b` at `at` of a table.
    function putTableBytes(Multi memory t, uint256 at, bytes memory b) internal pure {
        for (uint256 i = 0; i < b.length; i++) {
            uint256 p = at + i;
            uint256 l = leafOf(t, p);
            uint256 shift = 8 * (31 - (p & 31));
            t.leaf[l] = bytes32((uint256(t.leaf[l]) & ~(uint256(0xff) << shift)) | (uint256(uint8(b[i])) << shift));
        }
    }

    /// The `n`-byte little-endian field at byte `off` of a leaf.
    function le(bytes32 leaf, uint256 off, uint256 n) private pure returns (uint256) {
        return Openings.rev(uint256(leaf) >> (256 - 8 * (off + n)), n);
    }

    // ---- records -------------------------------------------------------------------

    /// Node `n`'s record (`Call::node`): leaf `9n` of the node table.
    function node(World memory w, uint256 n) internal pure returns (Node memory d) {
        bytes32 l = w.host.nodes.leaf[leafOf(w.host.nodes, n * Spec.FS_NODE_BYTES)];
        d.kind = uint8(l[0]);
        d.orphan = uint8(l[1]) & 1 != 0;
        d.nameLen = le(l, 2, 2);
        d.parent = le(l, 4, 4);
        d.children = le(l, 8, 4);
        d.opens = le(l, 12, 4);
    }

    function setNode(World memory w, uint256 n, Node memory d) internal pure {
        Multi memory t = w.host.nodes;
        uint256 v = ((d.kind & 0xff) << 248) | (uint256(d.orphan ? 1 : 0) << 240) | (Openings.rev(d.nameLen, 2) << 224)
            | (Openings.rev(d.parent, 4) << 192) | (Openings.rev(d.children, 4) << 160)
            | (Openings.rev(d.opens, 4) << 128);
        t.leaf[leafOf(t, n * Spec.FS_NODE_BYTES)] = bytes32(v);
        w.host.nodesDirty = true;
    }

    /// The first `len` bytes of node `n`'s name (`Call::node_name`).
    function nodeName(World memory w, uint256 n, uint256 len) internal pure returns (bytes memory) {
        return tableBytes(w.host.nodes, n * Spec.FS_NODE_BYTES + 32, len);
    }

    /// Replaces node `n`'s name (`old` bytes long) with `name`, zeroing the
    /// rest of the old one (`Call::set_node_name`).
    function setNodeName(World memory w, uint256 n, uint256 old, bytes memory name) internal pure {
        bytes memory b = new bytes(old > name.length ? old : name.length);
        for (uint256 i = 0; i < name.length; i++) {
            b[i] = name[i];
        }
        putTableBytes(w.host.nodes, n * Spec.FS_NODE_BYTES + 32, b);
        if (b.length > 0) w.host.nodesDirty = true;
    }

    /// Descriptor `fd`'s record at leaf `fd`, whatever its kind.
    function fdAt(World memory w, uint256 fd) internal pure returns (Fd memory f) {
        bytes32 l = w.host.fds.leaf[leafOf(w.host.fds, fd * Spec.FS_FD_BYTES)];
        f.kind = uint8(l[0]);
        f.preopen = uint8(l[1]) & 1 != 0;
        f.flags = le(l, 2, 2);
        f.node = le(l, 4, 4);
        f.offset = le(l, 8, 8);
        f.access = le(l, 16, 4);
    }

    /// Descriptor `fd`'s record, if it is an open file system descriptor (`Call::fd_rec`).
    function fdRec(World memory w, uint256 fd) internal pure returns (bool, Fd memory f) {
        if (fd < 3 || fd >= w.host.fsFds) return (false, f);
        f = fdAt(w, fd);
        return (f.kind != Spec.FS_KIND_FREE, f);
    }

    function setFd(World memory w, uint256 fd, Fd memory f) internal pure {
        Multi memory t = w.host.fds;
        uint256 v = ((f.kind & 0xff) << 248) | (uint256(f.preopen ? 1 : 0) << 240) | (Openings.rev(f.flags, 2) << 224)
            | (Openings.rev(f.node, 4) << 192) | (Openings.rev(f.offset, 8) << 128)
            | (Openings.rev(f.access, 4) << 96);
        t.leaf[leafOf(t, fd * Spec.FS_FD_BYTES)] = bytes32(v);
        w.host.fdsDirty = true;
    }

    /// The WASI filetype of a node kind.
    function filetype(uint256 k) internal pure returns (uint256) {
        return k == Spec.FS_KIND_DIR ? Spec.FILETYPE_DIRECTORY : Spec.FILETYPE_REGULAR_FILE;
    }

    // ---- files (`file_len`, `file_read`, `file_write`, `file_shrink`, `file_clear`) ----

    function fileEntry(World memory w, uint256 n) internal pure returns (Entry memory) {
        return Worlds.entry(w, Spec.KIND_FILE, n);
    }

    function fileLen(World memory w, uint256 n) internal pure returns (uint256) {
        return fileEntry(w, n).len;
    }

    function fileRead(World memory w, uint256 n, uint256 at, uint256 len) internal pure returns (bytes memory out) {
        out = new bytes(len);
        if (len == 0) return out;
        Entry memory e = fileEntry(w, n);
        for (uint256 i = 0; i < len; i++) {
            out[i] = bytes1(uint8(Worlds.byteAt(e, (at + i) & M64)));
        }
    }

    function fileWrite(World memory w, uint256 n, uint256 at, bytes memory b) internal pure {
        if (b.length == 0) return;
        Entry memory e = fileEntry(w, n);
        for (uint256 i = 0; i < b.length; i++) {
            Worlds.setByte(e, (at + i) & M64, uint8(b[i]));
        }
        uint256 end = (at + b.length) & M32;
        if (end > e.len) e.len = end;
        e.dirty = true;
    }

    function fileShrink(World memory w, uint256 n, uint256 len) internal pure {
        Entry memory e = fileEntry(w, n);
        if (len & M32 < e.len) e.len = len & M32;
        e.dirty = true;
    }

    // ---- allocation and release (engine/src/wasi/fs_fd.rs) ----------------------------

    /// A free node slot (from the free list, else a fresh one), or ENOSPC (`Call::alloc_node`).
    function allocNode(World memory w) internal pure returns (bool, uint256) {
        Host memory h = w.host;
        uint256 n;
        if (h.fsNodeFree != Spec.FS_NONE) {
            n = h.fsNodeFree;
            h.fsNodeFree = node(w, n).parent;
        } else if (h.fsNodes < Spec.FS_MAX_NODES) {
            n = h.fsNodes;
            h.fsNodes += 1;
        } else {
            return (false, Spec.ERRNO_NOSPC);
        }
        return (true, n);
    }

    /// A closed descriptor number (from the free list, else a fresh one), or EMFILE (`Call::alloc_fd`).
    function allocFd(World memory w) internal pure returns (bool, uint256) {
        Host memory h = w.host;
        uint256 fd;
        if (h.fsFdFree != Spec.FS_NONE) {
            fd = h.fsFdFree;
            h.fsFdFree = fdAt(w, fd).node;
        } else if (h.fsFds < Spec.FS_MAX_FDS) {
            fd = h.fsFds;
            h.fsFds += 1;
        } else {
            return (false, Spec.ERRNO_MFILE);
        }
        return (true, fd);
    }

    /// Empties node `n`'s file, giving its bytes back (`Call::clear_file`).
    function clearFile(World memory w, uint256 n) internal pure {
        uint256 len = fileLen(w, n);
        if (len > 0) {
            Worlds.drop(fileEntry(w, n));
            Host memory h = w.host;
            h.fsBytes -= len < h.fsBytes ? len : h.fsBytes;
        }
    }

    /// Frees node `n`: its file emptied, its name zeroed, its slot on the free list (`Call::free_node`).
    function freeNode(World memory w, uint256 n) internal pure {
        clearFile(w, n);
        Node memory old = node(w, n);
        setNodeName(w, n, old.nameLen, new bytes(0));
        Node memory free;
        free.parent = w.host.fsNodeFree;
        setNode(w, n, free);
        w.host.fsNodeFree = n;
    }

    /// Takes node `n` out of its directory: freed, or an orphan while
    /// descriptors are open on it (`Call::unlink_node`).
    function unlinkNode(World memory w, uint256 n) internal pure {
        Node memory nd = node(w, n);
        if (nd.parent != Spec.FS_NONE) {
            Node memory p = node(w, nd.parent);
            if (p.children > 0) p.children -= 1;
            setNode(w, nd.parent, p);
        }
        if (nd.opens > 0) {
            (nd.orphan, nd.parent) = (true, Spec.FS_NONE);
            setNode(w, n, nd);
        } else {
            freeNode(w, n);
        }
    }

    /// Drops a descriptor's reference to its node, freeing an orphan's last (`Call::release`).
    function release(World memory w, Fd memory f) internal pure {
        Node memory nd = node(w, f.node);
        if (nd.opens > 0) nd.opens -= 1;
        setNode(w, f.node, nd);
        if (nd.opens == 0 && nd.orphan) freeNode(w, f.node);
    }

    /// Puts descriptor `fd`'s slot on the free list (`Call::free_fd`).
    function freeFd(World memory w, uint256 fd) internal pure {
        Fd memory f;
        f.node = w.host.fsFdFree;
        setFd(w, fd, f);
        w.host.fsFdFree = fd;
    }

    /// The 64-byte filestat of node `n` (`Call::filestat`).
    function filestat(World memory w, uint256 n) internal pure returns (bytes memory s) {
        Node memory nd = node(w, n);
        s = new bytes(64);
        putLe(s, 8, n + 1, 8);
        s[16] = bytes1(uint8(filetype(nd.kind)));
        putLe(s, 24, nd.orphan ? 0 : 1, 8);
        uint256 size = nd.kind == Spec.FS_KIND_FILE ? fileLen(w, n) : 0;
        putLe(s, 32, size, 8);
    }

    /// Writes the `n`-byte little-endian `v` at `off` of `b`.
    function putLe(bytes memory b, uint256 off, uint256 v, uint256 n) internal pure {
        for (uint256 i = 0; i < n; i++) {
            b[off + i] = bytes1(uint8(v >> (8 * i)));
        }
    }
}
