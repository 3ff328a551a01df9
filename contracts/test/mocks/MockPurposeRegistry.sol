// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

/// @notice Just the purpose registry and membership check the treasury reads, for treasury unit tests.
contract MockPurposeRegistry {
    mapping(bytes32 purposeId => bool) public isPurpose;

    function register(string calldata name) external returns (bytes32 purposeId) {
        purposeId = keccak256(bytes(name));
        isPurpose[purposeId] = true;
    }
}
