// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Spec} from "./generated/Spec.sol";
import {Entry, World, Worlds} from "./World.sol";

/// One step of a WASI call (`Call` in engine/src/wasi.rs): its argument
/// slots, its memory and its outcome. `HostMachine` hands it, with the
/// world, to `FsFd` and `FsPath` for the file system's calls.
struct Call {
    uint256[9] args;
    bool hasMemory;
    uint256 memSize;
    /// What the step did (`HostStep`): `Calls.DONE`, `Calls.AGAIN` or `Calls.END`.
    uint256 kind;
    uint256 result;
    bool hasResult;
}

/// The iovec a step of `walk_iovecs` moves bytes of (`Iovec` in
/// engine/src/wasi/iovecs.rs), and the iovec's number.
struct Iov {
    uint256 ptr;
    uint256 len;
    uint256 off;
    uint256 total;
    uint256 i;
}

/// The guest memory accessors of a WASI call (an out-of-bounds pointer is
/// EFAULT) and the iovec walk they share (engine/src/wasi.rs,
/// engine/src/wasi/iovecs.rs). Handlers return `(ok, errno)`.
library Calls {
    uint256 internal constant M32 = 0xffffffff;
    uint256 internal constant M64 = 0xffffffffffffffff;

    uint256 internal constant DONE = 0; // with `result`
    uint256 internal constant AGAIN = 1;
    uint256 internal constant END = 2; // proc_exit, with the exit code in `result`

    /// Argument `i`: the low half of its slot (`Call::a`).
    function a(Call memory c, uint256 i) internal pure returns (uint256) {
        return c.args[i] & M32;
    }

    /// The high half of a slot, where a micro-stepped call keeps its progress.
    function hi(uint256 x) internal pure returns (uint256) {
        return (x >> 32) & M32;
    }

    function withHi(uint256 x, uint256 v) internal pure returns (uint256) {
        return (x & M32) | ((v & M32) << 32);
    }

    /// The errno (or success) that ends the call, as `perform` makes it.
    function finalize(Call memory c, bool ok, uint256 err) internal pure {
        if (!ok) (c.kind, c.result, c.hasResult) = (DONE, err, true);
        else if (c.kind == DONE) (c.result, c.hasResult) = (Spec.ERRNO_SUCCESS, true);
    }

    /// EFAULT unless `len` bytes at `ptr` are in the memory (`Call::check`).
    function check(Call memory c, uint256 ptr, uint256 len) internal pure returns (bool) {
        return ptr + len <= c.memSize;
    }

    /// Writes the `n`-byte little-endian `v` at `ptr`.
    function write(World memory w, Call memory c, uint256 ptr, uint256 v, uint256 n)
        internal
        pure
        returns (bool, uint256)
    {
        if (!check(c, ptr, n)) return (false, Spec.ERRNO_FAULT);
        if (n > 0) {
            Entry memory m = Worlds.entry(w, 0, 0);
            for (uint256 j = 0; j < n; j++) {
                Worlds.setByte(m, ptr + j, v >> (8 * j));
            }
        }
        return (true, 0);
    }

    function writeBytes(World memory w, Call memory c, uint256 ptr, bytes memory b)
        internal
        pure
        returns (bool, uint256)
    {
        if (!check(c, ptr, b.length)) return (false, Spec.ERRNO_FAULT);
        if (b.length > 0) {
            Entry memory m = Worlds.entry(w, 0, 0);
            for (uint256 j = 0; j < b.length; j++) {
                Worlds.setByte(m, ptr + j, uint8(b[j]));
            }
        }
        return (true, 0);
    }

    function readBytes(World memory w, Call memory c, uint256 ptr, uint256 n)
        internal
        pure
        returns (bool, bytes memory out)
    {
        out = new bytes(n);
        if (!check(c, ptr, n)) return (false, out);
        if (n > 0) {
            Entry memory m = Worlds.entry(w, 0, 0);
            for (uint256 j = 0; j < n; j++) {
                out[j] = bytes1(uint8(Worlds.byteAt(m, ptr + j)));
            }
        }
        return (true, out);
    }

    function readU32(World memory w, Call memory c, uint256 ptr) internal pure returns (bool ok, uint256 v) {
        bytes memory b;
        (ok, b) = readBytes(w, c, ptr, 4);
        if (ok) {
            v = uint256(uint8(b[0])) | (uint256(uint8(b[1])) << 8) | (uint256(uint8(b[2])) << 16)
                | (uint256(uint8(b[3])) << 24);
        }
    }

    /// Writes the running total at `ptr` and completes the call (`Call::finish`).
    function finish(World memory w, Call memory c, uint256 ptr, uint256 total) internal pure returns (bool, uint256) {
        return write(w, c, ptr, total, 4);
    }

    // ---- the iovec walk (`Call::walk_iovecs`) --------------------------------------

    /// The start of a step of `walk_iovecs` over the iovecs in slots 1 and 2,
    /// the total's pointer in slot `totalSlot`: `(ok, err, true, _)` when the
    /// call ends here (an errno, or the total written after the last iovec),
    /// else the iovec this step moves bytes of.
    function iovBegin(World memory w, Call memory c, uint256 totalSlot)
        internal
        pure
        returns (bool ok, uint256 err, bool ended, Iov memory v)
    {
        unchecked {
            (uint256 iovs, uint256 count) = (a(c, 1), a(c, 2));
            (v.i, v.off, v.total) = (hi(c.args[1]), hi(c.args[2]), hi(c.args[totalSlot]));
            if (count > 1024) return (false, Spec.ERRNO_INVAL, true, v);
            if (!check(c, iovs, 8 * count)) return (false, Spec.ERRNO_FAULT, true, v);
            if (v.i >= count) {
                (ok, err) = finish(w, c, a(c, totalSlot), v.total);
                return (ok, err, true, v);
            }
            uint256 at = (iovs + 8 * v.i) & M32;
            (ok, v.ptr) = readU32(w, c, at);
            if (!ok) return (false, Spec.ERRNO_FAULT, true, v);
            (ok, v.len) = readU32(w, c, (at + 4) & M32);
            if (!ok) return (false, Spec.ERRNO_FAULT, true, v);
            return (true, 0, false, v);
        }
    }

    /// The end of a step of `walk_iovecs` that moved `n` bytes of iovec `v`
    /// (`ranOut`: the source ran out with them): the progress in the high
    /// halves of slots 1, 2 and `totalSlot`, or the total written.
    function iovEnd(World memory w, Call memory c, uint256 totalSlot, Iov memory v, uint256 n, bool ranOut)
        internal
        pure
        returns (bool, uint256)
    {
        unchecked {
            uint256 off = (v.off + n) & M32;
            uint256 total = (v.total + n) & M32;
            uint256 i = v.i;
            if (off >= v.len) {
                (i, off) = ((i + 1) & M32, 0);
                if (i >= a(c, 2)) return finish(w, c, a(c, totalSlot), total);
            } else if (ranOut) {
                return finish(w, c, a(c, totalSlot), total);
            }
            c.args[1] = withHi(c.args[1], i);
            c.args[2] = withHi(c.args[2], off);
            c.args[totalSlot] = withHi(c.args[totalSlot], total);
            c.kind = AGAIN;
            return (true, 0);
        }
    }

    /// The bytes this step moves of an iovec: what is left of it, at most
    /// `avail` and `HOST_CHUNK` (`Iovec::chunk`).
    function chunk(Iov memory v, uint256 avail) internal pure returns (uint256 n) {
        n = v.len - (v.off < v.len ? v.off : v.len);
        if (avail < n) n = avail;
        if (Spec.HOST_CHUNK < n) n = Spec.HOST_CHUNK;
    }
}
