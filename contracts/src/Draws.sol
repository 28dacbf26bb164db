// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// Candidates by stake and the draws over them (specs/protocol.md §5.3 and
/// §5.9; `refute_protocol::rules::stakes` and `lottery::position`): each
/// candidate holds a slot, the lowest free one when it registers; the stakes
/// lie end to end in slot order, and a position belongs to the candidate whose
/// interval holds it. A Fenwick tree over `CAP` slots finds it in `log2(CAP)`
/// reads, and the draw may leave some candidates out without writing anything.
library Draws {
    /// Slots: candidates at once.
    uint256 internal constant CAP = 4096;
    /// Positions a job draw tries (`DRAW_POSITIONS`).
    uint32 internal constant DRAW_POSITIONS = 32;

    error RegistryFull();

    struct Pool {
        /// 1-based Fenwick tree over the slots' stakes.
        mapping(uint256 => uint256) tree;
        mapping(uint256 => address) owner;
        mapping(uint256 => uint256) stake;
        /// A candidate's slot plus one (0: none).
        mapping(address => uint32) slotOf;
        /// Slots in use, 256 a word.
        mapping(uint256 => uint256) used;
        uint256 total;
    }

    /// Puts `who` with `stake` in the lowest free slot.
    function insert(Pool storage p, address who, uint256 stake) internal returns (uint32 slot) {
        slot = lowestFree(p);
        p.used[slot >> 8] |= uint256(1) << (slot & 255);
        (p.owner[slot], p.stake[slot], p.slotOf[who]) = (who, stake, slot + 1);
        p.total += stake;
        _add(p, slot, stake, true);
    }

    /// Takes `who` out, freeing its slot (nothing if it holds none).
    function remove(Pool storage p, address who) internal {
        uint32 s1 = p.slotOf[who];
        if (s1 == 0) return;
        uint256 slot = s1 - 1;
        uint256 stake = p.stake[slot];
        p.used[slot >> 8] &= ~(uint256(1) << (slot & 255));
        delete p.owner[slot];
        delete p.stake[slot];
        delete p.slotOf[who];
        p.total -= stake;
        _add(p, slot, stake, false);
    }

    /// Sets the stake of candidate `who`.
    function set(Pool storage p, address who, uint256 stake) internal {
        uint256 slot = p.slotOf[who] - 1;
        uint256 old = p.stake[slot];
        p.stake[slot] = stake;
        if (stake >= old) {
            p.total += stake - old;
            _add(p, slot, stake - old, true);
        } else {
            p.total -= old - stake;
            _add(p, slot, old - stake, false);
        }
    }

    function stakeOf(Pool storage p, address who) internal view returns (uint256) {
        uint32 s1 = p.slotOf[who];
        return s1 == 0 ? 0 : p.stake[s1 - 1];
    }

    function lowestFree(Pool storage p) internal view returns (uint32) {
        for (uint256 w = 0; w < CAP / 256; w++) {
            uint256 x = p.used[w];
            if (x != type(uint256).max) {
                uint256 b = 0;
                while (x & (uint256(1) << b) != 0) b++;
                return uint32(w * 256 + b);
            }
        }
        revert RegistryFull();
    }

    function _add(Pool storage p, uint256 slot, uint256 amount, bool up) private {
        unchecked {
            for (uint256 i = slot + 1; i <= CAP; i += i & (~i + 1)) {
                if (up) p.tree[i] += amount;
                else p.tree[i] -= amount;
            }
        }
    }

    /// The slots and stakes of those of `who` that are candidates.
    function excluded(Pool storage p, address[] memory who)
        internal
        view
        returns (uint256[] memory slots, uint256[] memory stakes)
    {
        slots = new uint256[](who.length);
        stakes = new uint256[](who.length);
        uint256 n = 0;
        for (uint256 i = 0; i < who.length; i++) {
            uint32 s1 = p.slotOf[who[i]];
            if (s1 == 0) continue;
            bool seen = false;
            for (uint256 k = 0; k < n; k++) {
                seen = seen || slots[k] == s1 - 1;
            }
            if (!seen) (slots[n], stakes[n], n) = (s1 - 1, p.stake[s1 - 1], n + 1);
        }
        assembly {
            mstore(slots, n)
            mstore(stakes, n)
        }
    }

    /// The candidate whose interval holds position `u` (below the total of
    /// the stakes not excluded), with the excluded slots' stakes taken out:
    /// the first slot whose prefix sum exceeds `u` (`Stakes::owner_at`).
    function ownerAt(Pool storage p, uint256 u, uint256[] memory exSlots, uint256[] memory exStakes)
        internal
        view
        returns (address)
    {
        uint256 pos = 0;
        uint256 rest = u;
        for (uint256 step = CAP; step > 0; step >>= 1) {
            uint256 n = pos + step;
            if (n > CAP) continue;
            uint256 v = p.tree[n];
            for (uint256 k = 0; k < exSlots.length; k++) {
                if (exSlots[k] >= pos && exSlots[k] < n) v -= exStakes[k];
            }
            if (v <= rest) (pos, rest) = (n, rest - v);
        }
        return p.owner[pos];
    }

    /// The 64-byte seed of draw `attempt` of a job with `seed`:
    /// `SHA256("refute job draw v1\0" ‖ seed ‖ u32le(attempt) ‖ 00) ‖ SHA256(… ‖ 01)`.
    function jobDrawSeed(bytes32 seed, uint32 attempt) internal pure returns (bytes memory) {
        bytes memory pre = abi.encodePacked("refute job draw v1\x00", seed, le32(attempt));
        return abi.encodePacked(sha256(abi.encodePacked(pre, uint8(0))), sha256(abi.encodePacked(pre, uint8(1))));
    }

    /// The 64-byte seed of the committee of `claim` answering a job with `seed`:
    /// `SHA256("refute chain committee v1\0" ‖ seed ‖ claim ‖ 00) ‖ SHA256(… ‖ 01)`.
    function committeeBeta(bytes32 seed, bytes32 claim) internal pure returns (bytes memory) {
        bytes memory pre = abi.encodePacked("refute chain committee v1\x00", seed, claim);
        return abi.encodePacked(sha256(abi.encodePacked(pre, uint8(0))), sha256(abi.encodePacked(pre, uint8(1))));
    }

    /// `u128_be(SHA256("refute draw v1\0" ‖ beta ‖ u32le(i))[..16]) mod total` (`lottery::position`).
    function position(bytes memory beta, uint32 i, uint256 total) internal pure returns (uint256) {
        bytes32 h = sha256(abi.encodePacked("refute draw v1\x00", beta, le32(i)));
        return (uint256(h) >> 128) % total;
    }

    function le32(uint32 x) internal pure returns (bytes4) {
        return bytes4((x >> 24) | ((x >> 8) & 0xff00) | ((x << 8) & 0xff0000) | (x << 24));
    }
}
