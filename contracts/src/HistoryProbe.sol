// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {History} from "./History.sol";

/// `History` behind external functions, for the differential test that
/// holds it to `refute_engine::history` (chain/tests/history.rs). Not
/// deployed on a chain.
contract HistoryProbe {
    using History for History.Layer;

    function verify(
        bytes32 root,
        uint64 start,
        uint64 end,
        uint64 stride,
        uint256[] calldata idx,
        bytes32[] calldata roots,
        bytes32[] calldata sibs
    ) external view returns (bool) {
        return History.verify(root, History.Layer(start, end, stride), idx, roots, sibs);
    }

    function split(uint64 a, uint64 b, uint64 k) external pure returns (uint64[] memory) {
        return History.split(a, b, k);
    }

    function strideAt(uint64 total, uint64 maxLeaves, uint256 j) external pure returns (uint64) {
        return History.strideAt(total, maxLeaves, j);
    }

    function len(uint64 start, uint64 end, uint64 stride) external pure returns (uint256) {
        return History.Layer(start, end, stride).len();
    }
}
