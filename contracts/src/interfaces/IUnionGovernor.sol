// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

/// @title What the union's governor adds to OpenZeppelin's Governor.
/// @notice The governor is OZ `Governor` with settings, simple counting, membership votes (timestamp clock), a quorum
/// fraction, a `TimelockController`, late-quorum protection and a proposal guardian. The proposal threshold is fixed
/// at 0 and `propose` is open to current members only, so a member who delegated away its vote can still propose.
/// The quorum is DESIGN.md §8's: `min(members, max(minQuorum, ceil(members * percent / 100)))`, with the members,
/// the percent and the minimum all read at the proposal's snapshot.
interface IUnionGovernor {
    /// @notice The minimum quorum changed (at deployment `oldMinQuorum` is 0). Applies to proposals whose snapshot is
    /// at or after this block's timestamp.
    event MinQuorumUpdated(uint256 oldMinQuorum, uint256 newMinQuorum);

    /// @notice `proposer` is not a current member of the union.
    error UnionGovernorProposerNotMember(address proposer);
    /// @notice The voting delay must be at least one second, so nobody can vote in the block that proposes.
    error UnionGovernorInvalidVotingDelay(uint256 votingDelay);
    /// @notice The proposal threshold is fixed at 0 (membership gates proposing); `threshold` cannot be set.
    error UnionGovernorFixedProposalThreshold(uint256 threshold);
    /// @notice The minimum quorum must be at least one vote, so a union with members never passes a proposal unvoted.
    error UnionGovernorInvalidMinQuorum(uint256 minQuorum);

    /// @notice The membership contract whose members may propose (and whose votes count).
    function membership() external view returns (address);

    /// @notice The minimum quorum in force now: fewer votes (for + abstain) never pass a proposal, unless the union
    /// has fewer members, in which case all of them are needed.
    function minQuorum() external view returns (uint256);

    /// @notice The minimum quorum in force at `timepoint` (a past timestamp, or the present).
    function minQuorum(uint256 timepoint) external view returns (uint256);

    /// @notice Changes the minimum quorum for proposals whose snapshot is from now on; only through governance.
    /// Emits {MinQuorumUpdated}; reverts with {UnionGovernorInvalidMinQuorum} for 0.
    function updateMinQuorum(uint256 newMinQuorum) external;
}
