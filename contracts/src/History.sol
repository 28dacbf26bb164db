// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Openings} from "./Openings.sol";

/// History commitments and dissection (specs/commitments.md): layers, the
/// layer policy, `split`, and the multiproof walk over a layer's tree with
/// the history hashes. The Rust original is `refute_engine::history`.
library History {
    /// A layer `(start, end, stride)` (specs/commitments.md §2).
    struct Layer {
        uint64 start;
        uint64 end;
        uint64 stride;
    }

    /// Its number of leaves: `ceil((end - start) / stride) + 1`.
    function len(Layer memory l) internal pure returns (uint256) {
        return (uint256(l.end - l.start) + l.stride - 1) / l.stride + 1;
    }

    /// The step of leaf `i`.
    function stepAt(Layer memory l, uint256 i) internal pure returns (uint64) {
        return i + 1 < len(l) ? uint64(l.start + i * l.stride) : l.end;
    }

    /// `ceil(log2(n))`: the depth of a layer of `n` leaves.
    function depthOf(uint256 n) internal pure returns (uint256 d) {
        while ((uint256(1) << d) < n) d++;
    }

    /// Stride `s_j` of the layer policy for a run of `total` steps (§6).
    function strideAt(uint64 total, uint64 maxLeaves, uint256 j) internal pure returns (uint64) {
        uint256 p = maxLeaves - 1;
        uint256 s = (uint256(total) + p - 1) / p;
        if (s == 0) s = 1;
        for (uint256 i = 0; i < j && s > 1; i++) {
            s = (s + p - 1) / p;
        }
        return uint64(s);
    }

    /// `split(a, b, k)`: the interior points a round reveals (§5).
    function split(uint64 a, uint64 b, uint64 k) internal pure returns (uint64[] memory pts) {
        uint256 m = b - a;
        if (m >= k) {
            pts = new uint64[](k - 1);
            for (uint256 i = 1; i < k; i++) {
                pts[i - 1] = uint64(a + (i * m) / k);
            }
        } else {
            pts = new uint64[](m > 1 ? m - 1 : 0);
            for (uint256 i = 0; i < pts.length; i++) {
                pts[i] = uint64(a + 1 + i);
            }
        }
    }

    /// The number of points of `split(a, b, k)`.
    function points(uint64 a, uint64 b, uint64 k) internal pure returns (uint256) {
        uint256 m = b - a;
        return m >= k ? k - 1 : (m > 1 ? m - 1 : 0);
    }

    /// `SHA256("refute history v2 leaf:" ‖ u64le(step) ‖ r)`.
    function leaf(uint64 step, bytes32 r) internal view returns (bytes32 h) {
        uint256 s = Openings.rev(step, 8);
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, "refute history v2 leaf:")
            mstore(add(p, 23), shl(192, s))
            mstore(add(p, 31), r)
            if iszero(staticcall(gas(), 2, p, 63, 0x00, 32)) { revert(0, 0) }
            h := mload(0x00)
        }
    }

    /// `SHA256("refute history v2 node:" ‖ l ‖ r)`.
    function node(bytes32 l, bytes32 r) internal view returns (bytes32 h) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, "refute history v2 node:")
            mstore(add(p, 23), l)
            mstore(add(p, 55), r)
            if iszero(staticcall(gas(), 2, p, 87, 0x00, 32)) { revert(0, 0) }
            h := mload(0x00)
        }
    }

    /// Whether `sibs` open the leaves `idx` (strictly increasing, below the
    /// layer's length) with state roots `roots` to `root`: the canonical walk
    /// of specs/commitments.md §4, using exactly the proof's hashes.
    function verify(
        bytes32 root,
        Layer memory l,
        uint256[] memory idx,
        bytes32[] memory roots,
        bytes32[] calldata sibs
    ) internal view returns (bool) {
        uint256 n = idx.length;
        bytes32[] memory hs = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            hs[i] = leaf(stepAt(l, idx[i]), roots[i]);
        }
        uint256 d = depthOf(len(l));
        uint256 j = 0;
        for (uint256 h = 0; h < d; h++) {
            uint256 out = 0;
            for (uint256 i = 0; i < n; i++) {
                uint256 x = idx[i];
                bytes32 parent;
                if (x & 1 == 0 && i + 1 < n && idx[i + 1] == x + 1) {
                    parent = node(hs[i], hs[i + 1]);
                    i++;
                } else {
                    if (j >= sibs.length) return false;
                    bytes32 s = sibs[j++];
                    parent = x & 1 == 0 ? node(hs[i], s) : node(s, hs[i]);
                }
                idx[out] = x >> 1;
                hs[out] = parent;
                out++;
            }
            n = out;
        }
        return j == sibs.length && hs[0] == root;
    }
}
