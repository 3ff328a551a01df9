// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

/// @notice Just the epoch surface of the ContributionLedger that the treasury reads, for treasury unit tests.
contract MockEpochLedger {
    uint48 public immutable genesis;
    uint48 public immutable epochLength;
    uint48 public immutable gracePeriod;

    constructor(uint48 genesis_, uint48 epochLength_, uint48 gracePeriod_) {
        genesis = genesis_;
        epochLength = epochLength_;
        gracePeriod = gracePeriod_;
    }

    function epochEnd(uint64 epoch) external view returns (uint256) {
        return uint256(genesis) + uint256(epoch) * epochLength;
    }
}
