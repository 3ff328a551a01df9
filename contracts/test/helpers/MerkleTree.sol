// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

/// @notice Small Merkle trees for tests, built the way OZ `MerkleProof` verifies them: leaves in the
/// StandardMerkleTree encoding, parents hashed as sorted pairs, an odd node carried up unchanged.
library MerkleTree {
    /// @dev The StandardMerkleTree leaf of `(address account, uint256 cumulativeAmount)`.
    function leaf(address account, uint256 cumulativeAmount) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount))));
    }

    /// @dev Leaves for parallel arrays of accounts and cumulative amounts.
    function leaves(address[] memory accounts, uint256[] memory amounts) internal pure returns (bytes32[] memory out) {
        out = new bytes32[](accounts.length);
        for (uint256 i = 0; i < accounts.length; ++i) {
            out[i] = leaf(accounts[i], amounts[i]);
        }
    }

    /// @dev The root over `nodes` (at least one).
    function root(bytes32[] memory nodes) internal pure returns (bytes32) {
        bytes32[] memory level = nodes;
        while (level.length > 1) {
            level = _parents(level);
        }
        return level[0];
    }

    /// @dev The proof of `nodes[index]` (sibling hashes from the leaf up).
    function proof(bytes32[] memory nodes, uint256 index) internal pure returns (bytes32[] memory) {
        bytes32[] memory path = new bytes32[](256);
        uint256 length = 0;
        bytes32[] memory level = nodes;
        while (level.length > 1) {
            uint256 sibling = index ^ 1;
            if (sibling < level.length) path[length++] = level[sibling];
            level = _parents(level);
            index /= 2;
        }
        bytes32[] memory out = new bytes32[](length);
        for (uint256 i = 0; i < length; ++i) {
            out[i] = path[i];
        }
        return out;
    }

    /// @dev The next level up: sorted-pair hashes, the last node carried up when the count is odd.
    function _parents(bytes32[] memory level) private pure returns (bytes32[] memory up) {
        up = new bytes32[]((level.length + 1) / 2);
        for (uint256 i = 0; i < up.length; ++i) {
            uint256 left = 2 * i;
            up[i] = left + 1 < level.length ? Hashes.commutativeKeccak256(level[left], level[left + 1]) : level[left];
        }
    }
}
