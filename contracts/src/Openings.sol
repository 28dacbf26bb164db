// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Spec} from "./generated/Spec.sol";

/// One tree opening of a proof (specs/proof.md §6, `multi`): the opened
/// leaves, and where its sibling bitmap and hashes sit in the calldata.
struct Multi {
    uint256 n;
    uint256[] idx;
    bytes32[] leaf;
    uint256 nsib;
    /// Calldata offset of the zero-sibling bitmap.
    uint256 bits;
    /// Calldata offset of the first sibling hash.
    uint256 hashes;
    /// The root the canonical walk computed (when `n > 0`).
    bytes32 root;
}

/// Hashing (specs/state.md §1) and the canonical walk over an opening
/// (specs/state.md §8), with zero siblings as bits (specs/proof.md §6).
library Openings {
    error Malformed(string why);

    uint256 internal constant MASK64 = 0xffffffffffffffff;

    /// `SHA256("refute leaf:" ‖ b)`.
    function leafHash(bytes32 b) internal view returns (bytes32 h) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, "refute leaf:")
            mstore(add(p, 12), b)
            if iszero(staticcall(gas(), 2, p, 44, 0x00, 32)) { revert(0, 0) }
            h := mload(0x00)
        }
    }

    /// `SHA256("refute node:" ‖ l ‖ r)`.
    function nodeHash(bytes32 l, bytes32 r) internal view returns (bytes32 h) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, "refute node:")
            mstore(add(p, 12), l)
            mstore(add(p, 44), r)
            if iszero(staticcall(gas(), 2, p, 76, 0x00, 32)) { revert(0, 0) }
            h := mload(0x00)
        }
    }

    /// A directory leaf: `SHA256("refute entry:" ‖ u8 kind ‖ u32le len ‖ u32le limit ‖ root)`,
    /// except an empty file's, which is the zero leaf (specs/state.md §4.4).
    function entryLeaf(uint256 kind, uint256 len, uint256 limit, bytes32 root, bytes32[28] memory z)
        internal
        view
        returns (bytes32 h)
    {
        uint256 fileDepth = uint8(Spec.KIND_DEPTHS[Spec.KIND_FILE]);
        if (kind == Spec.KIND_FILE && len == 0 && limit == 0 && root == z[fileDepth]) return bytes32(0);
        uint256 word = (kind << 64) | (rev(len, 4) << 32) | rev(limit, 4);
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, "refute entry:")
            // bytes 13 .. 22: kind, len, limit (the low 9 bytes of `word`)
            mstore(add(p, 13), shl(184, word))
            mstore(add(p, 22), root)
            if iszero(staticcall(gas(), 2, p, 54, 0x00, 32)) { revert(0, 0) }
            h := mload(0x00)
        }
    }

    /// Z[0 ..= 27] from the generated table.
    function zeros() internal pure returns (bytes32[28] memory z) {
        bytes memory t = Spec.ZEROS;
        for (uint256 h = 0; h < 28; h++) {
            bytes32 v;
            assembly ("memory-safe") {
                v := mload(add(add(t, 32), mul(h, 32)))
            }
            z[h] = v;
        }
    }

    /// The low `n` bytes of `x` (`n <= 8`), byte-reversed (little-endian <-> big-endian).
    function rev(uint256 x, uint256 n) internal pure returns (uint256) {
        x &= MASK64;
        x = ((x & 0xff00ff00ff00ff00) >> 8) | ((x & 0x00ff00ff00ff00ff) << 8);
        x = ((x & 0xffff0000ffff0000) >> 16) | ((x & 0x0000ffff0000ffff) << 16);
        x = (x >> 32) | ((x & 0xffffffff) << 32);
        return x >> (64 - 8 * n);
    }

    /// The `n`-byte (`n <= 8`) little-endian integer at calldata offset `p`.
    function cu(uint256 p, uint256 n) internal pure returns (uint256) {
        uint256 w;
        assembly {
            w := calldataload(p)
        }
        return rev(w >> (256 - 8 * n), n);
    }

    function c32(uint256 p) internal pure returns (bytes32 v) {
        assembly {
            v := calldataload(p)
        }
    }

    /// Reads an opening at `p` (no byte past `end`) of a tree of `depth`, and
    /// walks it: the decoder's checks (the walk's sibling count, a canonical
    /// bitmap) and the root.
    function read(uint256 p, uint256 end, uint256 depth, bytes32[28] memory z)
        internal
        view
        returns (Multi memory m, uint256 next)
    {
        need(p, 2, end);
        m.n = cu(p, 2);
        p += 2;
        need(p, 36 * m.n, end);
        m.idx = new uint256[](m.n);
        m.leaf = new bytes32[](m.n);
        for (uint256 i = 0; i < m.n; i++) {
            m.idx[i] = cu(p, 4);
            m.leaf[i] = c32(p + 4);
            p += 36;
        }
        need(p, 2, end);
        m.nsib = cu(p, 2);
        p += 2;
        uint256 nb = (m.nsib + 7) / 8;
        need(p, nb, end);
        m.bits = p;
        if (m.nsib % 8 != 0 && (cu(p + m.nsib / 8, 1) >> (m.nsib % 8)) != 0) revert Malformed("padding bits");
        uint256 set = 0;
        for (uint256 i = 0; i < nb; i++) {
            uint256 b = cu(p + i, 1);
            while (b != 0) {
                set += b & 1;
                b >>= 1;
            }
        }
        p += nb;
        m.hashes = p;
        uint256 nh = m.nsib - set;
        need(p, 32 * nh, end);
        next = p + 32 * nh;
        (bool ok, bytes32 root) = fold(m, depth, z, true);
        if (!ok) revert Malformed("sibling count or a zero sibling sent as a hash");
        m.root = root;
    }

    function need(uint256 p, uint256 n, uint256 end) internal pure {
        if (p + n > end) revert Malformed("truncated");
    }

    /// The canonical walk over `m`'s leaves (as they are now) and its
    /// siblings: `(false, 0)` if it asks for a number of siblings other than
    /// `m.nsib` (or, with `canon`, meets a zero sibling sent as a hash);
    /// `(true, 0)` for an opening of nothing.
    function fold(Multi memory m, uint256 depth, bytes32[28] memory z, bool canon)
        internal
        view
        returns (bool, bytes32)
    {
        uint256 n = m.n;
        if (n == 0) return (m.nsib == 0, bytes32(0));
        uint256[] memory ix = new uint256[](n);
        bytes32[] memory hs = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            ix[i] = m.idx[i];
            hs[i] = leafHash(m.leaf[i]);
        }
        uint256 k = 0;
        uint256 j = 0;
        for (uint256 h = 0; h < depth; h++) {
            uint256 out = 0;
            uint256 i = 0;
            while (i < n) {
                uint256 idx = ix[i];
                bytes32 x = hs[i];
                bytes32 parent;
                if (idx & 1 == 0 && i + 1 < n && ix[i + 1] == idx + 1) {
                    parent = nodeHash(x, hs[i + 1]);
                    i++;
                } else {
                    if (k >= m.nsib) return (false, bytes32(0));
                    bytes32 s;
                    if ((cu(m.bits + k / 8, 1) >> (k % 8)) & 1 == 1) {
                        s = z[h];
                    } else {
                        s = c32(m.hashes + 32 * j);
                        j++;
                        if (canon && s == z[h]) return (false, bytes32(0));
                    }
                    k++;
                    parent = idx & 1 == 0 ? nodeHash(x, s) : nodeHash(s, x);
                }
                ix[out] = idx >> 1;
                hs[out] = parent;
                out++;
                i++;
            }
            n = out;
        }
        if (k != m.nsib) return (false, bytes32(0));
        return (true, hs[0]);
    }

    /// Indices strictly increasing and below `2^depth` (`Opened::verify`).
    function sorted(Multi memory m, uint256 depth) internal pure returns (bool) {
        for (uint256 i = 0; i < m.n; i++) {
            if (m.idx[i] >> depth != 0) return false;
            if (i > 0 && m.idx[i - 1] >= m.idx[i]) return false;
        }
        return true;
    }

    /// The position of leaf `index` among the opened ones, or `type(uint256).max`.
    function find(Multi memory m, uint256 index) internal pure returns (uint256) {
        for (uint256 i = 0; i < m.n; i++) {
            if (m.idx[i] == index) return i;
        }
        return type(uint256).max;
    }
}
