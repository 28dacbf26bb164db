// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Spec} from "./generated/Spec.sol";
import {Entry, Host, World, Worlds} from "./World.sol";
import {Multi, Openings} from "./Openings.sol";

/// One step of a host call (engine/src/host.rs, engine/src/wasi.rs,
/// engine/src/wasi/iovecs.rs), for the WASI functions of a task without a
/// file system: arguments, environment, clocks, randomness, stdin, stdout,
/// stderr, exit, and the descriptor calls on stdio. A call that reaches the
/// file system, or a function outside that set, reverts
/// `Unsupported(0x10000 + id)` (specs/chain.md §3).
contract HostMachine {
    using Worlds for World;

    error Unsupported(uint256 opcode);

    uint256 private constant M32 = 0xffffffff;
    uint256 private constant M64 = 0xffffffffffffffff;
    uint256 private constant HOST_CALL = 0x10000;

    // What a handler's step did (`HostStep`).
    uint256 private constant DONE = 0; // with `result`
    uint256 private constant AGAIN = 1;
    uint256 private constant END = 2; // proc_exit, with the exit code in `result`

    /// A call's argument slots, its memory and its outcome.
    struct Call {
        uint256[9] args;
        bool hasMemory;
        uint256 memSize;
        uint256 kind;
        uint256 result;
        bool hasResult;
    }

    /// Runs the step of the host call `w.host` describes.
    function run(World memory w) external pure returns (World memory) {
        Host memory h = w.host;
        uint256 id = h.call - 1;
        unchecked {
            uint256 at = (w.sp - h.pop - h.nparams) & M64; // the first argument's slot
            Call memory c;
            for (uint256 i = 0; i < h.nparams && i < 9; i++) {
                c.args[i] = w.get(at + i);
            }
            if (id == 0) {
                // `Nop`: no result.
                (c.kind, c.hasResult) = (DONE, false);
            } else {
                memory_(w, c);
                wasi(w, c, id - 1, id);
            }
            if (c.kind == DONE) {
                if (c.hasResult) w.set(at, c.result);
                w.sp = (at + (c.hasResult ? 1 : 0)) & M64;
                w.pc = h.pc + 1;
            } else if (c.kind == AGAIN) {
                for (uint256 i = 0; i < h.nparams && i < 9; i++) {
                    w.set(at + i, c.args[i]);
                }
                w.pc = h.pc;
            } else {
                w.sp = (w.sp - h.pop) & M64;
                w.status = Spec.STATUS_EXITED | ((c.result & M32) << 8);
                w.pc = h.pc + 1;
            }
        }
        w.host.call = 0;
        return w;
    }

    /// The memory WASI calls use: memory 0, or none when the proof shows there is none.
    function memory_(World memory w, Call memory c) private pure {
        for (uint256 e = 0; e < w.entries.length; e++) {
            if (w.entries[e].kind == 0 && w.entries[e].index == 0) {
                (c.hasMemory, c.memSize) = (true, w.entries[e].len * Spec.PAGE_SIZE);
                return;
            }
        }
        if (!w.host.noMemory) revert Worlds.Missing("the WASI memory");
    }

    function wasi(World memory w, Call memory c, uint256 fn_, uint256 id) private pure {
        (bool ok, uint256 err) = (true, 0);
        if (fn_ == Spec.WASI_ARGS_SIZES_GET) {
            (ok, err) = sizes(w, c, w.host.argsCount, w.host.argsSize);
        } else if (fn_ == Spec.WASI_ENVIRON_SIZES_GET) {
            (ok, err) = sizes(w, c, w.host.envCount, w.host.envSize);
        } else if (fn_ == Spec.WASI_ARGS_GET) {
            (ok, err) = putStrings(w, c, 0, w.host.argsCount, w.host.argsSize);
        } else if (fn_ == Spec.WASI_ENVIRON_GET) {
            (ok, err) = putStrings(w, c, w.host.argsSize, w.host.envCount, w.host.envSize);
        } else if (fn_ == Spec.WASI_CLOCK_RES_GET) {
            if (a(c, 0) <= 3) (ok, err) = write(w, c, a(c, 1), 1, 8);
            else (ok, err) = (false, Spec.ERRNO_INVAL);
        } else if (fn_ == Spec.WASI_CLOCK_TIME_GET) {
            uint256 clock = a(c, 0);
            if (clock == 0) (ok, err) = write(w, c, a(c, 2), (Spec.REALTIME_EPOCH_NS + w.host.steps) & M64, 8);
            else if (clock <= 3) (ok, err) = write(w, c, a(c, 2), w.host.steps, 8);
            else (ok, err) = (false, Spec.ERRNO_INVAL);
        } else if (fn_ == Spec.WASI_PROC_EXIT) {
            (c.kind, c.result) = (END, a(c, 0));
            return;
        } else if (fn_ == Spec.WASI_RANDOM_GET) {
            (ok, err) = randomGet(w, c);
        } else if (fn_ == Spec.WASI_SCHED_YIELD) {
            c.kind = DONE;
        } else if (fn_ == Spec.WASI_UNSUPPORTED) {
            (ok, err) = (false, Spec.ERRNO_NOSYS);
        } else if (fn_ == Spec.WASI_FD_CLOSE) {
            if (a(c, 0) >= 3) (ok, err) = noFd(w, c, id);
        } else if (fn_ == Spec.WASI_FD_FDSTAT_GET) {
            // Stdio: filetype 0, no flags, all rights.
            if (a(c, 0) >= 3) {
                (ok, err) = noFd(w, c, id);
            } else if (!check(c, a(c, 1), 24)) {
                (ok, err) = (false, Spec.ERRNO_FAULT);
            } else {
                (ok, err) = write(w, c, a(c, 1), 0, 8);
                (ok, err) = write(w, c, a(c, 1) + 8, M64 | (M64 << 64), 16);
            }
        } else if (fn_ == Spec.WASI_FD_PRESTAT_GET || fn_ == Spec.WASI_FD_PRESTAT_DIR_NAME) {
            (ok, err) = noFd(w, c, id);
        } else if (fn_ == Spec.WASI_FD_SEEK) {
            (ok, err) = a(c, 0) < 3 ? (false, Spec.ERRNO_SPIPE) : noFd(w, c, id);
        } else if (fn_ == Spec.WASI_FD_WRITE) {
            uint256 fd = a(c, 0);
            if (fd == 0) (ok, err) = (false, Spec.ERRNO_BADF);
            else if (fd >= 3) (ok, err) = noFd(w, c, id);
            else (ok, err) = walk(w, c, fd);
        } else if (fn_ == Spec.WASI_FD_READ) {
            uint256 fd = a(c, 0);
            if (fd == 1 || fd == 2) (ok, err) = (false, Spec.ERRNO_BADF);
            else if (fd >= 3) (ok, err) = noFd(w, c, id);
            else (ok, err) = walk(w, c, 0);
        } else {
            revert Unsupported(HOST_CALL + id);
        }
        if (!ok) (c.kind, c.result, c.hasResult) = (DONE, err, true);
        else if (c.kind == DONE) (c.result, c.hasResult) = (Spec.ERRNO_SUCCESS, true);
    }

    /// A descriptor `fd >= 3` without a file system is EBADF (`fd_rec`);
    /// with one, the call is not on chain yet.
    function noFd(World memory w, Call memory c, uint256 id) private pure returns (bool, uint256) {
        if (a(c, 0) >= 3 && a(c, 0) < w.host.fsFds) revert Unsupported(HOST_CALL + id);
        return (false, Spec.ERRNO_BADF);
    }

    // ---- arguments and memory ---------------------------------------------------

    function a(Call memory c, uint256 i) private pure returns (uint256) {
        return c.args[i] & M32;
    }

    function hi(uint256 x) private pure returns (uint256) {
        return (x >> 32) & M32;
    }

    function withHi(uint256 x, uint256 v) private pure returns (uint256) {
        return (x & M32) | ((v & M32) << 32);
    }

    /// EFAULT unless `len` bytes at `ptr` are in the memory.
    function check(Call memory c, uint256 ptr, uint256 len) private pure returns (bool) {
        return ptr + len <= c.memSize;
    }

    /// Writes the `n`-byte little-endian `v` at `ptr`.
    function write(World memory w, Call memory c, uint256 ptr, uint256 v, uint256 n) private pure returns (bool, uint256) {
        if (!check(c, ptr, n)) return (false, Spec.ERRNO_FAULT);
        if (n > 0) {
            Entry memory m = w.entry(0, 0);
            for (uint256 j = 0; j < n; j++) {
                Worlds.setByte(m, ptr + j, v >> (8 * j));
            }
        }
        return (true, 0);
    }

    function writeBytes(World memory w, Call memory c, uint256 ptr, bytes memory b) private pure returns (bool, uint256) {
        if (!check(c, ptr, b.length)) return (false, Spec.ERRNO_FAULT);
        if (b.length > 0) {
            Entry memory m = w.entry(0, 0);
            for (uint256 j = 0; j < b.length; j++) {
                Worlds.setByte(m, ptr + j, uint8(b[j]));
            }
        }
        return (true, 0);
    }

    function readBytes(World memory w, Call memory c, uint256 ptr, uint256 n)
        private
        pure
        returns (bool, bytes memory out)
    {
        out = new bytes(n);
        if (!check(c, ptr, n)) return (false, out);
        if (n > 0) {
            Entry memory m = w.entry(0, 0);
            for (uint256 j = 0; j < n; j++) {
                out[j] = bytes1(uint8(Worlds.byteAt(m, ptr + j)));
            }
        }
        return (true, out);
    }

    function readU32(World memory w, Call memory c, uint256 ptr) private pure returns (bool ok, uint256 v) {
        bytes memory b;
        (ok, b) = readBytes(w, c, ptr, 4);
        if (ok) v = uint256(uint8(b[0])) | (uint256(uint8(b[1])) << 8) | (uint256(uint8(b[2])) << 16) | (uint256(uint8(b[3])) << 24);
    }

    /// `len` bytes of a byte tree (input, stdout, stderr) from `at`; a leaf
    /// not opened is `Missing`.
    function treeBytes(Multi memory t, uint256 at, uint256 len) private pure returns (bytes memory out) {
        out = new bytes(len);
        for (uint256 i = 0; i < len; i++) {
            uint256 p = at + i;
            uint256 l = Openings.find(t, p >> 5);
            if (l == type(uint256).max) revert Worlds.Missing("a leaf of the input or output");
            out[i] = t.leaf[l][p & 31];
        }
    }

    // ---- the functions -------------------------------------------------------------

    function sizes(World memory w, Call memory c, uint256 count, uint256 size) private pure returns (bool ok, uint256 err) {
        (ok, err) = write(w, c, a(c, 0), count, 4);
        if (ok) (ok, err) = write(w, c, a(c, 1), size, 4);
    }

    /// One step of `args_get`/`environ_get`: the strings are `size` input
    /// bytes from `base`; progress: pointers written in the high half of
    /// `argv`'s slot, bytes copied in the high half of `buf`'s.
    function putStrings(World memory w, Call memory c, uint256 base, uint256 count, uint256 size)
        private
        pure
        returns (bool ok, uint256 err)
    {
        unchecked {
            (uint256 argv, uint256 buf) = (a(c, 0), a(c, 1));
            (uint256 k, uint256 done) = (hi(c.args[0]), hi(c.args[1]));
            if (!check(c, argv, 4 * count) || !check(c, buf, size)) return (false, Spec.ERRNO_FAULT);
            if (done >= size) return (true, 0);
            uint256 n = size - done < Spec.HOST_CHUNK ? size - done : Spec.HOST_CHUNK;
            uint256 from = done == 0 ? 0 : done - 1;
            bytes memory b = treeBytes(w.host.input, base + from, done + n - from);
            bytes memory chunk = new bytes(n);
            for (uint256 i = 0; i < n; i++) {
                chunk[i] = b[done - from + i];
            }
            (ok, err) = writeBytes(w, c, (buf + done) & M32, chunk);
            if (!ok) return (ok, err);
            for (uint256 p = done; p < done + n; p++) {
                if (p == 0 || b[p - 1 - from] == 0) {
                    (ok, err) = write(w, c, (argv + 4 * k) & M32, (buf + p) & M32, 4);
                    if (!ok) return (ok, err);
                    k++;
                }
            }
            c.args[0] = withHi(c.args[0], k);
            c.args[1] = withHi(c.args[1], done + n);
            if (done + n < size) c.kind = AGAIN;
            return (true, 0);
        }
    }

    /// splitmix64: the `random_get` byte stream (engine/src/wasi.rs, `random_byte`).
    function randomByte(uint256 seed, uint256 pos) private pure returns (uint256) {
        unchecked {
            uint256 z = (seed + ((pos / 8 + 1) * 0x9e3779b97f4a7c15)) & M64;
            z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M64;
            z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M64;
            z ^= z >> 31;
            return (z >> (8 * (pos % 8))) & 0xff;
        }
    }

    function randomGet(World memory w, Call memory c) private pure returns (bool ok, uint256 err) {
        unchecked {
            (uint256 buf, uint256 len) = (a(c, 0), a(c, 1));
            if (!check(c, buf, len)) return (false, Spec.ERRNO_FAULT);
            uint256 n = len < Spec.HOST_CHUNK ? len : Spec.HOST_CHUNK;
            uint256 pos = w.host.randomPos;
            bytes memory chunk = new bytes(n);
            for (uint256 i = 0; i < n; i++) {
                chunk[i] = bytes1(uint8(randomByte(w.host.randomSeed, (pos + i) & M64)));
            }
            (ok, err) = writeBytes(w, c, buf, chunk);
            if (!ok) return (ok, err);
            w.host.randomPos = (pos + n) & M64;
            c.args[0] = (buf + n) & M32;
            c.args[1] = len - n;
            if (len != n) c.kind = AGAIN;
            return (true, 0);
        }
    }

    /// One step of `fd_read(0, ...)` (`fd` 0) or `fd_write(fd, ...)` (1, 2)
    /// over the iovecs (`walk_iovecs`): progress in the high halves of the
    /// iovec pointer's, count's and total pointer's slots.
    function walk(World memory w, Call memory c, uint256 fd) private pure returns (bool ok, uint256 err) {
        unchecked {
            (uint256 iovs, uint256 count, uint256 totalPtr) = (a(c, 1), a(c, 2), a(c, 3));
            (uint256 i, uint256 off, uint256 total) = (hi(c.args[1]), hi(c.args[2]), hi(c.args[3]));
            if (count > 1024) return (false, Spec.ERRNO_INVAL);
            if (!check(c, iovs, 8 * count)) return (false, Spec.ERRNO_FAULT);
            if (i >= count) return write(w, c, totalPtr, total, 4);
            uint256 at = (iovs + 8 * i) & M32;
            uint256 ptr;
            uint256 len;
            (ok, ptr) = readU32(w, c, at);
            if (!ok) return (false, Spec.ERRNO_FAULT);
            (ok, len) = readU32(w, c, (at + 4) & M32);
            if (!ok) return (false, Spec.ERRNO_FAULT);
            uint256 n;
            bool ranOut;
            (ok, err, n, ranOut) = fd == 0 ? readStdin(w, c, ptr, len, off) : writeOut(w, c, fd, ptr, len, off);
            if (!ok) return (ok, err);
            off += n;
            total = (total + n) & M32;
            if (off >= len) {
                (i, off) = (i + 1, 0);
                if (i >= count) return write(w, c, totalPtr, total, 4);
            } else if (ranOut) {
                return write(w, c, totalPtr, total, 4);
            }
            c.args[1] = withHi(c.args[1], i);
            c.args[2] = withHi(c.args[2], off);
            c.args[3] = withHi(c.args[3], total);
            c.kind = AGAIN;
            return (true, 0);
        }
    }

    /// The bytes this step moves of an iovec: what is left of it, at most `avail` and `HOST_CHUNK`.
    function chunk(uint256 len, uint256 off, uint256 avail) private pure returns (uint256 n) {
        n = len - (off < len ? off : len);
        if (avail < n) n = avail;
        if (Spec.HOST_CHUNK < n) n = Spec.HOST_CHUNK;
    }

    function readStdin(World memory w, Call memory c, uint256 ptr, uint256 len, uint256 off)
        private
        pure
        returns (bool ok, uint256 err, uint256 n, bool ranOut)
    {
        unchecked {
            Host memory h = w.host;
            uint256 unread = h.stdinLen > h.stdinPos ? h.stdinLen - h.stdinPos : 0;
            if (off == 0 && !check(c, ptr, len < unread ? len : unread)) return (false, Spec.ERRNO_FAULT, 0, false);
            n = chunk(len, off, unread);
            bytes memory b = treeBytes(h.input, h.argsSize + h.envSize + h.stdinPos, n);
            (ok, err) = writeBytes(w, c, (ptr + off) & M32, b);
            if (!ok) return (ok, err, 0, false);
            h.stdinPos += n;
            return (true, 0, n, unread == n);
        }
    }

    function writeOut(World memory w, Call memory c, uint256 fd, uint256 ptr, uint256 len, uint256 off)
        private
        pure
        returns (bool ok, uint256 err, uint256 n, bool ranOut)
    {
        unchecked {
            Host memory h = w.host;
            uint256 outLen = fd == 1 ? h.stdoutLen : h.stderrLen;
            if (off == 0) {
                if (outLen + len > Spec.MAX_OUTPUT_BYTES) return (false, Spec.ERRNO_NOSPC, 0, false);
                if (!check(c, ptr, len)) return (false, Spec.ERRNO_FAULT, 0, false);
            }
            n = chunk(len, off, type(uint256).max);
            bytes memory b;
            (ok, b) = readBytes(w, c, (ptr + off) & M32, n);
            if (!ok) return (false, Spec.ERRNO_FAULT, 0, false);
            // out_append: nothing past MAX_OUTPUT_BYTES; else the bytes, then the length.
            if (outLen + n <= Spec.MAX_OUTPUT_BYTES) {
                Multi memory t = fd == 1 ? h.stdout : h.stderr;
                for (uint256 i = 0; i < n; i++) {
                    uint256 p = outLen + i;
                    uint256 l = Openings.find(t, p >> 5);
                    if (l == type(uint256).max) revert Worlds.Missing("a leaf of the output");
                    uint256 shift = 8 * (31 - (p & 31));
                    t.leaf[l] = bytes32((uint256(t.leaf[l]) & ~(uint256(0xff) << shift)) | (uint256(uint8(b[i])) << shift));
                }
                if (fd == 1) (h.stdoutLen, h.stdoutDirty) = (outLen + n, true);
                else (h.stderrLen, h.stderrDirty) = (outLen + n, true);
            }
            return (true, 0, n, false);
        }
    }
}
