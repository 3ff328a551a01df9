// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.37;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorPreventLateQuorum} from "@openzeppelin/contracts/governance/extensions/GovernorPreventLateQuorum.sol";
import {GovernorProposalGuardian} from "@openzeppelin/contracts/governance/extensions/GovernorProposalGuardian.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {
    GovernorVotesQuorumFraction
} from "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";

import {IUnionGovernor} from "./interfaces/IUnionGovernor.sol";
import {IUnionMembership} from "./interfaces/IUnionMembership.sol";

/// @title UnionGovernor
/// @notice One member, one vote (DESIGN.md §1, §2): OpenZeppelin's Governor counting the membership's votes on its
/// timestamp clock, with a quorum of members (DESIGN.md §8: a percent rounded up, never below the union's minimum
/// quorum, never above the members at the snapshot), a TimelockController between a passed vote and its effect,
/// late-quorum protection and a proposal guardian that may cancel (never execute). Ballots may be cast by EIP-712
/// signature (`castVoteBySig`, domain "UnionGovernor" / "1", EOA or EIP-1271 wallet) and relayed by anyone.
/// @dev Proposing is gated by membership instead of a vote threshold, so the threshold is fixed at 0 and a member who
/// delegated its vote can still propose. The voting delay is at least one second: voting power is read at the
/// proposal's snapshot, so nobody can propose and vote in one block. The minimum quorum is checkpointed like OZ's
/// quorum numerator, so changing it never changes the quorum of a proposal whose snapshot has passed.
contract UnionGovernor is
    IUnionGovernor,
    Governor,
    GovernorSettings,
    GovernorCountingSimple,
    GovernorVotes,
    GovernorVotesQuorumFraction,
    GovernorTimelockControl,
    GovernorPreventLateQuorum,
    GovernorProposalGuardian
{
    using Checkpoints for Checkpoints.Trace208;

    Checkpoints.Trace208 private _minQuorumHistory;

    /// @param membership_ the membership contract (IERC5805 votes, timestamp clock, `isMember`)
    /// @param timelock_ the TimelockController that executes passed proposals
    /// @param initialVotingDelay seconds from proposal to snapshot (>= 1)
    /// @param initialVotingPeriod seconds of voting
    /// @param initialQuorumNumerator quorum in percent of the members at the snapshot (rounded up)
    /// @param initialMinQuorum the fewest votes that pass a proposal when the union has at least that many members
    /// @param initialLateQuorumExtension seconds of voting guaranteed after quorum is reached
    /// @param initialProposalGuardian the address that may cancel any proposal before execution (0 = proposers)
    constructor(
        IUnionMembership membership_,
        TimelockController timelock_,
        uint48 initialVotingDelay,
        uint32 initialVotingPeriod,
        uint256 initialQuorumNumerator,
        uint256 initialMinQuorum,
        uint48 initialLateQuorumExtension,
        address initialProposalGuardian
    )
        Governor("UnionGovernor")
        GovernorSettings(initialVotingDelay, initialVotingPeriod, 0)
        GovernorVotes(IERC5805(address(membership_)))
        GovernorVotesQuorumFraction(initialQuorumNumerator)
        GovernorTimelockControl(timelock_)
        GovernorPreventLateQuorum(initialLateQuorumExtension)
    {
        _updateMinQuorum(initialMinQuorum);
        _setProposalGuardian(initialProposalGuardian);
    }

    /// @notice Creates a proposal; only a current member may propose (the vote threshold is 0).
    /// @dev Checks membership, then OZ `Governor.propose` runs its own checks and `_propose`.
    /// @param targets the contracts called by the timelock
    /// @param values the ETH sent with each call
    /// @param calldatas the call data of each call
    /// @param description the proposal's description (its hash is part of the proposal id)
    /// @return the proposal id
    function propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description
    ) public override returns (uint256) {
        address proposer = _msgSender();
        if (!IUnionMembership(address(token())).isMember(proposer)) revert UnionGovernorProposerNotMember(proposer);
        return super.propose(targets, values, calldatas, description);
    }

    /// @inheritdoc IUnionGovernor
    function membership() external view returns (address) {
        return address(token());
    }

    /// @inheritdoc IUnionGovernor
    function minQuorum() public view returns (uint256) {
        return _minQuorumHistory.latest();
    }

    /// @inheritdoc IUnionGovernor
    function minQuorum(uint256 timepoint) public view returns (uint256) {
        return _optimisticUpperLookupRecent(_minQuorumHistory, timepoint);
    }

    /// @inheritdoc IUnionGovernor
    function updateMinQuorum(uint256 newMinQuorum) external onlyGovernance {
        _updateMinQuorum(newMinQuorum);
    }

    /// @notice Votes (for + abstain) a proposal with this snapshot needs: the percent of the members rounded up, at
    /// least the minimum quorum, at most the members (DESIGN.md §8).
    /// @dev OZ's fraction rounds down, so 10 % of 8 members was 0 and one vote passed anything. The percent and its
    /// history stay OZ's; this only rounds up and applies the bounds, all read at `timepoint`.
    /// @param timepoint the proposal's snapshot
    /// @return the quorum in votes
    function quorum(uint256 timepoint) public view override(Governor, GovernorVotesQuorumFraction) returns (uint256) {
        uint256 members = token().getPastTotalSupply(timepoint);
        uint256 byPercent = Math.mulDiv(members, quorumNumerator(timepoint), quorumDenominator(), Math.Rounding.Ceil);
        return Math.min(members, Math.max(minQuorum(timepoint), byPercent));
    }

    /// @notice Always 0: membership, not voting power, decides who may propose.
    /// @return 0
    function proposalThreshold() public pure override(Governor, GovernorSettings) returns (uint256) {
        return 0;
    }

    /// @notice The state of a proposal, including the timelock's view once it is queued.
    /// @param proposalId the proposal
    /// @return the proposal's state
    function state(uint256 proposalId) public view override(Governor, GovernorTimelockControl) returns (ProposalState) {
        return super.state(proposalId);
    }

    /// @notice The end of voting, pushed back when quorum is reached late.
    /// @param proposalId the proposal
    /// @return the deadline's timestamp
    function proposalDeadline(uint256 proposalId)
        public
        view
        override(Governor, GovernorPreventLateQuorum)
        returns (uint256)
    {
        return super.proposalDeadline(proposalId);
    }

    /// @notice Every proposal goes through the timelock.
    /// @param proposalId the proposal
    /// @return true
    function proposalNeedsQueuing(uint256 proposalId)
        public
        view
        override(Governor, GovernorTimelockControl)
        returns (bool)
    {
        return super.proposalNeedsQueuing(proposalId);
    }

    /// @dev A zero delay would still put the snapshot at the proposing timestamp; one second keeps the rule explicit
    /// and survives `setVotingDelay` through governance.
    function _setVotingDelay(uint48 newVotingDelay) internal override {
        if (newVotingDelay == 0) revert UnionGovernorInvalidVotingDelay(newVotingDelay);
        super._setVotingDelay(newVotingDelay);
    }

    /// @dev Checks the minimum, then checkpoints it at the current clock (OZ's quorum numerator history works alike).
    function _updateMinQuorum(uint256 newMinQuorum) internal {
        if (newMinQuorum == 0) revert UnionGovernorInvalidMinQuorum(newMinQuorum);
        (uint208 oldMinQuorum,) = _minQuorumHistory.push(clock(), SafeCast.toUint208(newMinQuorum));
        emit MinQuorumUpdated(oldMinQuorum, newMinQuorum);
    }

    /// @dev The threshold stays 0; only the constructor's 0 is accepted (so `setProposalThreshold` cannot mislead).
    function _setProposalThreshold(uint256 newProposalThreshold) internal override {
        if (newProposalThreshold != 0) revert UnionGovernorFixedProposalThreshold(newProposalThreshold);
        super._setProposalThreshold(newProposalThreshold);
    }

    /// @dev Resolves the override: GovernorPreventLateQuorum extends the deadline when quorum arrives late.
    function _tallyUpdated(uint256 proposalId) internal override(Governor, GovernorPreventLateQuorum) {
        super._tallyUpdated(proposalId);
    }

    /// @dev Resolves the override: the guardian may cancel at any stage, proposers while pending (OZ rules).
    function _validateCancel(uint256 proposalId, address caller)
        internal
        view
        override(Governor, GovernorProposalGuardian)
        returns (bool)
    {
        return super._validateCancel(proposalId, caller);
    }

    /// @dev Resolves the override: passed proposals are scheduled in the timelock.
    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    /// @dev Resolves the override: execution goes through the timelock, after its delay.
    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    /// @dev Resolves the override: cancelling a queued proposal also cancels its timelock operation.
    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    /// @dev Resolves the override: the timelock is the executor (it holds the funds and the roles).
    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }
}
