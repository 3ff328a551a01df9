// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

/// @title What the union's governor adds to OpenZeppelin's Governor.
/// @notice The governor is OZ `Governor` with settings, simple counting, membership votes (timestamp clock), a quorum
/// fraction, a `TimelockController`, late-quorum protection and a proposal guardian. The proposal threshold is fixed
/// at 0 and `propose` is open to current members only, so a member who delegated away its vote can still propose.
interface IUnionGovernor {
    /// @notice `proposer` is not a current member of the union.
    error UnionGovernorProposerNotMember(address proposer);
    /// @notice The voting delay must be at least one second, so nobody can vote in the block that proposes.
    error UnionGovernorInvalidVotingDelay(uint256 votingDelay);
    /// @notice The proposal threshold is fixed at 0 (membership gates proposing); `threshold` cannot be set.
    error UnionGovernorFixedProposalThreshold(uint256 threshold);

    /// @notice The membership contract whose members may propose (and whose votes count).
    function membership() external view returns (address);
}
