// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Spec} from "./generated/Spec.sol";
import {Host, World, Worlds} from "./World.sol";
import {Multi, Openings} from "./Openings.sol";
import {Call, Calls, Iov} from "./Wasi.sol";
import {FsFd} from "./FsFd.sol";
import {FsPath} from "./FsPath.sol";

/// One step of a host call (engine/src/host.rs, engine/src/wasi.rs,
/// engine/src/wasi/iovecs.rs): arguments, environment, clocks, randomness,
/// stdin, stdout, stderr, exit, `poll_oneoff` and the descriptor calls on
/// stdio here; the file system's calls in `FsFd` (descriptors) and `FsPath`
/// (paths). A function outside WASI's table reverts `Unsupported(0x10000 + id)`.
contract HostMachine {
    using Worlds for World;
    using Calls for Call;

    error Unsupported(uint256 opcode);

    uint256 private constant M32 = 0xffffffff;
    uint256 private constant M64 = 0xffffffffffffffff;
    uint256 private constant HOST_CALL = 0x10000;

    /// Where the calls on file system descriptors run.
    FsFd public immutable fsFd;
    /// Where the calls that take a path run.
    FsPath public immutable fsPath;

    constructor(FsFd fsFd_, FsPath fsPath_) {
        fsFd = fsFd_;
        fsPath = fsPath_;
    }

    /// Runs the step of the host call `w.host` describes.
    function run(World memory w) external view returns (World memory) {
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
                (c.kind, c.hasResult) = (Calls.DONE, false);
            } else {
                memory_(w, c);
                uint256 fn_ = id - 1;
                uint256 where = route(c, fn_);
                if (where == 1) {
                    (w, c) = fsFd.run(w, c, fn_);
                } else if (where == 2) {
                    (w, c) = fsPath.run(w, c, fn_);
                } else {
                    (bool ok, uint256 err) = wasi(w, c, fn_, id);
                    c.finalize(ok, err);
                }
            }
            h = w.host;
            if (c.kind == Calls.DONE) {
                if (c.hasResult) w.set(at, c.result);
                w.sp = (at + (c.hasResult ? 1 : 0)) & M64;
                w.pc = h.pc + 1;
            } else if (c.kind == Calls.AGAIN) {
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

    /// Where WASI function `fn_` runs: 0 here, 1 in `FsFd`, 2 in `FsPath`.
    /// The stdio descriptors' reads, writes, stat and close run here.
    function route(Call memory c, uint256 fn_) private pure returns (uint256) {
        if (
            fn_ == Spec.WASI_PATH_OPEN || fn_ == Spec.WASI_PATH_FILESTAT_GET || fn_ == Spec.WASI_PATH_CREATE_DIRECTORY
                || fn_ == Spec.WASI_PATH_REMOVE_DIRECTORY || fn_ == Spec.WASI_PATH_UNLINK_FILE
                || fn_ == Spec.WASI_PATH_RENAME || fn_ == Spec.WASI_PATH_READLINK
        ) return 2;
        if (
            fn_ == Spec.WASI_FD_CLOSE || fn_ == Spec.WASI_FD_FDSTAT_GET || fn_ == Spec.WASI_FD_READ
                || fn_ == Spec.WASI_FD_WRITE
        ) return c.a(0) >= 3 ? 1 : 0;
        if (
            fn_ == Spec.WASI_FD_PRESTAT_GET || fn_ == Spec.WASI_FD_PRESTAT_DIR_NAME || fn_ == Spec.WASI_FD_SEEK
                || fn_ == Spec.WASI_FD_TELL || fn_ == Spec.WASI_FD_PREAD || fn_ == Spec.WASI_FD_PWRITE
                || fn_ == Spec.WASI_FD_FILESTAT_GET || fn_ == Spec.WASI_FD_FILESTAT_SET_SIZE
                || fn_ == Spec.WASI_FD_READDIR || fn_ == Spec.WASI_FD_RENUMBER || fn_ == Spec.WASI_FD_SYNC
                || fn_ == Spec.WASI_FD_DATASYNC || fn_ == Spec.WASI_FD_FDSTAT_SET_FLAGS
        ) return 1;
        return 0;
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

    function wasi(World memory w, Call memory c, uint256 fn_, uint256 id) private pure returns (bool ok, uint256 err) {
        ok = true;
        if (fn_ == Spec.WASI_ARGS_SIZES_GET) {
            (ok, err) = sizes(w, c, w.host.argsCount, w.host.argsSize);
        } else if (fn_ == Spec.WASI_ENVIRON_SIZES_GET) {
            (ok, err) = sizes(w, c, w.host.envCount, w.host.envSize);
        } else if (fn_ == Spec.WASI_ARGS_GET) {
            (ok, err) = putStrings(w, c, 0, w.host.argsCount, w.host.argsSize);
        } else if (fn_ == Spec.WASI_ENVIRON_GET) {
            (ok, err) = putStrings(w, c, w.host.argsSize, w.host.envCount, w.host.envSize);
        } else if (fn_ == Spec.WASI_CLOCK_RES_GET) {
            if (c.a(0) <= 3) (ok, err) = Calls.write(w, c, c.a(1), 1, 8);
            else (ok, err) = (false, Spec.ERRNO_INVAL);
        } else if (fn_ == Spec.WASI_CLOCK_TIME_GET) {
            uint256 clock = c.a(0);
            if (clock == 0) (ok, err) = Calls.write(w, c, c.a(2), (Spec.REALTIME_EPOCH_NS + w.host.steps) & M64, 8);
            else if (clock <= 3) (ok, err) = Calls.write(w, c, c.a(2), w.host.steps, 8);
            else (ok, err) = (false, Spec.ERRNO_INVAL);
        } else if (fn_ == Spec.WASI_PROC_EXIT) {
            (c.kind, c.result) = (Calls.END, c.a(0));
        } else if (fn_ == Spec.WASI_RANDOM_GET) {
            (ok, err) = randomGet(w, c);
        } else if (fn_ == Spec.WASI_SCHED_YIELD) {
            c.kind = Calls.DONE;
        } else if (fn_ == Spec.WASI_UNSUPPORTED) {
            (ok, err) = (false, Spec.ERRNO_NOSYS);
        } else if (fn_ == Spec.WASI_FD_CLOSE) {
            // Stdio: nothing to close.
        } else if (fn_ == Spec.WASI_FD_FDSTAT_GET) {
            // Stdio: filetype 0, no flags, all rights.
            if (!Calls.check(c, c.a(1), 24)) {
                (ok, err) = (false, Spec.ERRNO_FAULT);
            } else {
                (ok, err) = Calls.write(w, c, c.a(1), 0, 8);
                (ok, err) = Calls.write(w, c, c.a(1) + 8, M64 | (M64 << 64), 16);
            }
        } else if (fn_ == Spec.WASI_FD_WRITE) {
            uint256 fd = c.a(0);
            if (fd == 0) (ok, err) = (false, Spec.ERRNO_BADF);
            else (ok, err) = walk(w, c, fd);
        } else if (fn_ == Spec.WASI_FD_READ) {
            uint256 fd = c.a(0);
            if (fd == 1 || fd == 2) (ok, err) = (false, Spec.ERRNO_BADF);
            else (ok, err) = walk(w, c, 0);
        } else if (fn_ == Spec.WASI_POLL_ONEOFF) {
            (ok, err) = pollOneoff(w, c);
        } else {
            revert Unsupported(HOST_CALL + id);
        }
    }

    // ---- arguments and memory ---------------------------------------------------

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
        (ok, err) = Calls.write(w, c, c.a(0), count, 4);
        if (ok) (ok, err) = Calls.write(w, c, c.a(1), size, 4);
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
            (uint256 argv, uint256 buf) = (c.a(0), c.a(1));
            (uint256 k, uint256 done) = (Calls.hi(c.args[0]), Calls.hi(c.args[1]));
            if (!Calls.check(c, argv, 4 * count) || !Calls.check(c, buf, size)) return (false, Spec.ERRNO_FAULT);
            if (done >= size) return (true, 0);
            uint256 n = size - done < Spec.HOST_CHUNK ? size - done : Spec.HOST_CHUNK;
            uint256 from = done == 0 ? 0 : done - 1;
            bytes memory b = treeBytes(w.host.input, base + from, done + n - from);
            bytes memory piece = new bytes(n);
            for (uint256 i = 0; i < n; i++) {
                piece[i] = b[done - from + i];
            }
            (ok, err) = Calls.writeBytes(w, c, (buf + done) & M32, piece);
            if (!ok) return (ok, err);
            for (uint256 p = done; p < done + n; p++) {
                if (p == 0 || b[p - 1 - from] == 0) {
                    (ok, err) = Calls.write(w, c, (argv + 4 * k) & M32, (buf + p) & M32, 4);
                    if (!ok) return (ok, err);
                    k++;
                }
            }
            c.args[0] = Calls.withHi(c.args[0], k);
            c.args[1] = Calls.withHi(c.args[1], done + n);
            if (done + n < size) c.kind = Calls.AGAIN;
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
            (uint256 buf, uint256 len) = (c.a(0), c.a(1));
            if (!Calls.check(c, buf, len)) return (false, Spec.ERRNO_FAULT);
            uint256 n = len < Spec.HOST_CHUNK ? len : Spec.HOST_CHUNK;
            uint256 pos = w.host.randomPos;
            bytes memory piece = new bytes(n);
            for (uint256 i = 0; i < n; i++) {
                piece[i] = bytes1(uint8(randomByte(w.host.randomSeed, (pos + i) & M64)));
            }
            (ok, err) = Calls.writeBytes(w, c, buf, piece);
            if (!ok) return (ok, err);
            w.host.randomPos = (pos + n) & M64;
            c.args[0] = (buf + n) & M32;
            c.args[1] = len - n;
            if (len != n) c.kind = Calls.AGAIN;
            return (true, 0);
        }
    }

    /// One step of `poll_oneoff(in, out, n, nevents_p)`: one subscription a
    /// step, its event written at once (a clock has fired; a descriptor
    /// subscription gets NOTSUP). Progress: the high half of `in`'s slot
    /// (`Call::poll_oneoff`).
    function pollOneoff(World memory w, Call memory c) private pure returns (bool ok, uint256 err) {
        unchecked {
            (uint256 sin, uint256 sout, uint256 n, uint256 nevents) = (c.a(0), c.a(1), c.a(2), c.a(3));
            if (n == 0) return (false, Spec.ERRNO_INVAL);
            if (!Calls.check(c, sin, 48 * n) || !Calls.check(c, sout, 32 * n)) return (false, Spec.ERRNO_FAULT);
            uint256 i = Calls.hi(c.args[0]);
            if (i >= n) return Calls.finish(w, c, nevents, n);
            bytes memory sub;
            (ok, sub) = Calls.readBytes(w, c, (sin + 48 * i) & M32, 16);
            if (!ok) return (false, Spec.ERRNO_FAULT);
            uint256 tag = uint8(sub[8]);
            bytes memory ev = new bytes(32);
            for (uint256 j = 0; j < 8; j++) {
                ev[j] = sub[j];
            }
            uint256 error_ = tag == 0 ? Spec.ERRNO_SUCCESS : tag <= 2 ? Spec.ERRNO_NOTSUP : Spec.ERRNO_INVAL;
            ev[8] = bytes1(uint8(error_));
            ev[9] = bytes1(uint8(error_ >> 8));
            ev[10] = bytes1(uint8(tag));
            (ok, err) = Calls.writeBytes(w, c, (sout + 32 * i) & M32, ev);
            if (!ok) return (ok, err);
            c.args[0] = Calls.withHi(c.args[0], i + 1);
            c.kind = Calls.AGAIN;
            return (true, 0);
        }
    }

    /// One step of `fd_read(0, ...)` (`fd` 0) or `fd_write(fd, ...)` (1, 2)
    /// over the iovecs (`walk_iovecs`): progress in the high halves of the
    /// iovec pointer's, count's and total pointer's slots.
    function walk(World memory w, Call memory c, uint256 fd) private pure returns (bool ok, uint256 err) {
        bool ended;
        Iov memory v;
        (ok, err, ended, v) = Calls.iovBegin(w, c, 3);
        if (ended) return (ok, err);
        uint256 n;
        bool ranOut;
        (ok, err, n, ranOut) = fd == 0 ? readStdin(w, c, v) : writeOut(w, c, fd, v);
        if (!ok) return (ok, err);
        return Calls.iovEnd(w, c, 3, v, n, ranOut);
    }

    function readStdin(World memory w, Call memory c, Iov memory v)
        private
        pure
        returns (bool ok, uint256 err, uint256 n, bool ranOut)
    {
        unchecked {
            Host memory h = w.host;
            uint256 unread = h.stdinLen > h.stdinPos ? h.stdinLen - h.stdinPos : 0;
            if (v.off == 0 && !Calls.check(c, v.ptr, v.len < unread ? v.len : unread)) {
                return (false, Spec.ERRNO_FAULT, 0, false);
            }
            n = Calls.chunk(v, unread);
            bytes memory b = treeBytes(h.input, h.argsSize + h.envSize + h.stdinPos, n);
            (ok, err) = Calls.writeBytes(w, c, (v.ptr + v.off) & M32, b);
            if (!ok) return (ok, err, 0, false);
            h.stdinPos += n;
            return (true, 0, n, unread == n);
        }
    }

    function writeOut(World memory w, Call memory c, uint256 fd, Iov memory v)
        private
        pure
        returns (bool ok, uint256 err, uint256 n, bool ranOut)
    {
        unchecked {
            Host memory h = w.host;
            uint256 outLen = fd == 1 ? h.stdoutLen : h.stderrLen;
            if (v.off == 0) {
                if (outLen + v.len > Spec.MAX_OUTPUT_BYTES) return (false, Spec.ERRNO_NOSPC, 0, false);
                if (!Calls.check(c, v.ptr, v.len)) return (false, Spec.ERRNO_FAULT, 0, false);
            }
            n = Calls.chunk(v, type(uint256).max);
            bytes memory b;
            (ok, b) = Calls.readBytes(w, c, (v.ptr + v.off) & M32, n);
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
