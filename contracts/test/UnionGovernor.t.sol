// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

import {UnionGovernor} from "../src/UnionGovernor.sol";
import {IUnionGovernor} from "../src/interfaces/IUnionGovernor.sol";
import {IUnionTreasury} from "../src/interfaces/IUnionTreasury.sol";
import {SmartWallet1271} from "../src/testing/SmartWallet1271.sol";
import {UnionFixture} from "./helpers/UnionFixture.sol";

contract UnionGovernorTest is UnionFixture {
    bytes32 internal constant BALLOT_TYPEHASH =
        keccak256("Ballot(uint256 proposalId,uint8 support,address voter,uint256 nonce)");
    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    function setUp() public {
        _deployUnion(5);
    }

    // ------------------------------------------------------------------ helpers

    function _policyCall() internal view returns (bytes memory) {
        return abi.encodeCall(IUnionTreasury.setDividendPolicy, (_initialPolicy()));
    }

    function _ballotDigest(
        address governor_,
        uint256 chainId,
        uint256 proposalId,
        uint8 support,
        address voter,
        uint256 nonce
    ) internal pure returns (bytes32) {
        bytes32 domainSeparator = keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("UnionGovernor"), keccak256("1"), chainId, governor_)
        );
        bytes32 structHash = keccak256(abi.encode(BALLOT_TYPEHASH, proposalId, support, voter, nonce));
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash));
    }

    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function _signedBallot(uint256 memberIndex, uint256 proposalId, uint8 support)
        internal
        view
        returns (bytes memory)
    {
        address voter = members[memberIndex];
        bytes32 digest =
            _ballotDigest(address(governor), block.chainid, proposalId, support, voter, governor.nonces(voter));
        return _sign(_memberKey(memberIndex), digest);
    }

    /// @dev Runs a proposal that calls the governor itself up to execution and expects the execution to revert.
    function _expectGovernanceCallReverts(bytes memory data, string memory description, bytes memory reason) internal {
        _passAndQueue(address(governor), data, description);
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _single(address(governor), data);
        vm.expectRevert(reason);
        governor.execute(targets, values, calldatas, keccak256(bytes(description)));
    }

    // ------------------------------------------------------------------ configuration

    function test_constructor_configuresEveryExtension() public view {
        vm.assertEq(governor.name(), "UnionGovernor");
        vm.assertEq(governor.version(), "1");
        vm.assertEq(governor.votingDelay(), VOTING_DELAY);
        vm.assertEq(governor.votingPeriod(), VOTING_PERIOD);
        vm.assertEq(governor.quorumNumerator(), QUORUM_PERCENT);
        vm.assertEq(governor.minQuorum(), MIN_QUORUM);
        vm.assertEq(uint256(governor.lateQuorumVoteExtension()), LATE_QUORUM_EXTENSION);
        vm.assertEq(governor.proposalGuardian(), guardian);
        vm.assertEq(governor.timelock(), address(timelock));
        vm.assertEq(address(governor.token()), address(membership));
        vm.assertEq(governor.membership(), address(membership));
        vm.assertEq(governor.proposalThreshold(), 0);
        vm.assertEq(governor.CLOCK_MODE(), "mode=timestamp");
        vm.assertEq(uint256(governor.clock()), block.timestamp);
        vm.assertTrue(governor.proposalNeedsQueuing(0));
    }

    function test_constructor_revertsWhenVotingDelayIsZero() public {
        vm.expectRevert(abi.encodeWithSelector(IUnionGovernor.UnionGovernorInvalidVotingDelay.selector, 0));
        new UnionGovernor(
            membership, timelock, 0, VOTING_PERIOD, QUORUM_PERCENT, MIN_QUORUM, LATE_QUORUM_EXTENSION, guardian
        );
    }

    function test_setVotingDelay_throughGovernanceRevertsWhenZero() public {
        _expectGovernanceCallReverts(
            abi.encodeWithSignature("setVotingDelay(uint48)", uint48(0)),
            "No delay",
            abi.encodeWithSelector(IUnionGovernor.UnionGovernorInvalidVotingDelay.selector, 0)
        );
    }

    function test_setProposalThreshold_throughGovernanceRevertsWhenNonZero() public {
        _expectGovernanceCallReverts(
            abi.encodeWithSignature("setProposalThreshold(uint256)", 1),
            "Threshold one",
            abi.encodeWithSelector(IUnionGovernor.UnionGovernorFixedProposalThreshold.selector, 1)
        );
    }

    function test_setProposalGuardian_onlyThroughGovernance() public {
        vm.prank(guardian);
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorOnlyExecutor.selector, guardian));
        governor.setProposalGuardian(outsider);

        _govern(address(governor), abi.encodeWithSignature("setProposalGuardian(address)", outsider), "New guardian");
        vm.assertEq(governor.proposalGuardian(), outsider);
    }

    // ------------------------------------------------------------------ propose

    function test_propose_byMemberCreatesAPendingProposal() public {
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) =
            _single(address(treasury), _policyCall());
        vm.prank(members[2]);
        uint256 proposalId = governor.propose(targets, values, calldatas, "Policy");
        vm.assertEq(governor.proposalProposer(proposalId), members[2]);
        vm.assertEq(uint256(governor.state(proposalId)), uint256(IGovernor.ProposalState.Pending));
        vm.assertEq(governor.proposalSnapshot(proposalId), block.timestamp + VOTING_DELAY);
    }

    function test_propose_revertsWhenProposerIsNotAMember() public {
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) =
            _single(address(treasury), _policyCall());
        vm.prank(outsider);
        vm.expectRevert(abi.encodeWithSelector(IUnionGovernor.UnionGovernorProposerNotMember.selector, outsider));
        governor.propose(targets, values, calldatas, "Policy");
    }

    function test_propose_revertsWhenProposerHasLeft() public {
        vm.prank(members[3]);
        membership.resign();
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) =
            _single(address(treasury), _policyCall());
        vm.prank(members[3]);
        vm.expectRevert(abi.encodeWithSelector(IUnionGovernor.UnionGovernorProposerNotMember.selector, members[3]));
        governor.propose(targets, values, calldatas, "Policy");
    }

    function test_propose_byMemberWhoDelegatedAwayTheirVote() public {
        vm.prank(members[0]);
        membership.delegate(members[1]);
        vm.warp(block.timestamp + 1);
        vm.assertEq(membership.getVotes(members[0]), 0);
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) =
            _single(address(treasury), _policyCall());
        vm.prank(members[0]);
        uint256 proposalId = governor.propose(targets, values, calldatas, "Policy");
        vm.assertEq(governor.proposalProposer(proposalId), members[0]);
    }

    // ------------------------------------------------------------------ voting

    function test_castVote_inTheProposingBlockIsImpossible() public {
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) =
            _single(address(treasury), _policyCall());
        vm.prank(members[0]);
        uint256 proposalId = governor.propose(targets, values, calldatas, "Policy");
        vm.prank(members[0]);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGovernor.GovernorUnexpectedProposalState.selector,
                proposalId,
                IGovernor.ProposalState.Pending,
                bytes32(2 ** uint256(IGovernor.ProposalState.Active))
            )
        );
        governor.castVote(proposalId, 1);
    }

    function test_castVote_countsOneVotePerMemberAndDelegatedUnits() public {
        vm.prank(members[1]);
        membership.delegate(members[2]);
        vm.warp(block.timestamp + 1);
        uint256 proposalId = _proposeAndStartVoting(address(treasury), _policyCall(), "Policy");
        vm.prank(members[2]);
        governor.castVote(proposalId, 1);
        vm.prank(members[3]);
        governor.castVote(proposalId, 0);
        (uint256 against, uint256 forVotes, uint256 abstain) = governor.proposalVotes(proposalId);
        vm.assertEq(forVotes, 2);
        vm.assertEq(against, 1);
        vm.assertEq(abstain, 0);
    }

    function test_castVote_memberAdmittedAfterTheSnapshotHasNoWeight() public {
        uint256 proposalId = _proposeAndStartVoting(address(treasury), _policyCall(), "Policy");
        _admitMembers(1);
        vm.warp(block.timestamp + 1);
        vm.prank(members[5]);
        governor.castVote(proposalId, 1);
        (, uint256 forVotes,) = governor.proposalVotes(proposalId);
        vm.assertEq(forVotes, 0);
    }

    function test_castVote_revertsWhenCastTwice() public {
        uint256 proposalId = _proposeAndStartVoting(address(treasury), _policyCall(), "Policy");
        vm.prank(members[0]);
        governor.castVote(proposalId, 1);
        vm.prank(members[0]);
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorAlreadyCastVote.selector, members[0]));
        governor.castVote(proposalId, 1);
    }

    function test_lateQuorum_extendsTheDeadline() public {
        uint256 proposalId = _proposeAndStartVoting(address(treasury), _policyCall(), "Policy");
        uint256 deadline = governor.proposalDeadline(proposalId);
        for (uint256 i = 0; i < MIN_QUORUM - 1; ++i) {
            vm.prank(members[i]);
            governor.castVote(proposalId, 1);
        }
        vm.assertEq(governor.proposalDeadline(proposalId), deadline); // no quorum yet, no extension
        vm.warp(deadline - 10);
        vm.prank(members[MIN_QUORUM - 1]);
        governor.castVote(proposalId, 1); // quorum (3 of 5) reached 10 s before the end
        vm.assertEq(governor.proposalDeadline(proposalId), deadline - 10 + LATE_QUORUM_EXTENSION);
        vm.warp(deadline + 1);
        vm.assertEq(uint256(governor.state(proposalId)), uint256(IGovernor.ProposalState.Active));
    }

    // ------------------------------------------------------------------ castVoteBySig

    function test_castVoteBySig_countsAnEoaBallotRelayedByAnyone() public {
        uint256 proposalId = _proposeAndStartVoting(address(treasury), _policyCall(), "Policy");
        bytes memory signature = _signedBallot(1, proposalId, 1);
        vm.prank(outsider);
        governor.castVoteBySig(proposalId, 1, members[1], signature);
        vm.assertTrue(governor.hasVoted(proposalId, members[1]));
        (, uint256 forVotes,) = governor.proposalVotes(proposalId);
        vm.assertEq(forVotes, 1);
        vm.assertEq(governor.nonces(members[1]), 1);
    }

    function test_castVoteBySig_countsAnEip1271WalletBallot() public {
        uint256 ownerKey = 0xBEEF;
        SmartWallet1271 wallet = new SmartWallet1271(vm.addr(ownerKey));
        address[] memory batch = new address[](1);
        batch[0] = address(wallet);
        vm.prank(admissions);
        membership.admit(batch);
        vm.warp(block.timestamp + 1);
        uint256 proposalId = _proposeAndStartVoting(address(treasury), _policyCall(), "Policy");

        bytes32 digest = _ballotDigest(address(governor), block.chainid, proposalId, 1, address(wallet), 0);
        vm.prank(outsider);
        governor.castVoteBySig(proposalId, 1, address(wallet), _sign(ownerKey, digest));
        vm.assertTrue(governor.hasVoted(proposalId, address(wallet)));
        (, uint256 forVotes,) = governor.proposalVotes(proposalId);
        vm.assertEq(forVotes, 1);
    }

    function test_castVoteBySig_revertsWhenBallotIsReplayed() public {
        uint256 proposalId = _proposeAndStartVoting(address(treasury), _policyCall(), "Policy");
        bytes memory signature = _signedBallot(1, proposalId, 1);
        governor.castVoteBySig(proposalId, 1, members[1], signature);
        // The nonce moved on: the same signature no longer matches (and the voter has voted anyway).
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorInvalidSignature.selector, members[1]));
        governor.castVoteBySig(proposalId, 1, members[1], signature);
    }

    function test_castVoteBySig_revertsWhenBallotIsForAnotherChain() public {
        uint256 proposalId = _proposeAndStartVoting(address(treasury), _policyCall(), "Policy");
        bytes32 digest = _ballotDigest(address(governor), block.chainid + 1, proposalId, 1, members[1], 0);
        bytes memory signature = _sign(_memberKey(1), digest);
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorInvalidSignature.selector, members[1]));
        governor.castVoteBySig(proposalId, 1, members[1], signature);
    }

    function test_castVoteBySig_revertsWhenChainIdChangesAfterSigning() public {
        uint256 proposalId = _proposeAndStartVoting(address(treasury), _policyCall(), "Policy");
        bytes memory signature = _signedBallot(1, proposalId, 1);
        vm.chainId(block.chainid + 7); // a fork: the domain separator is rebuilt for the new chain id
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorInvalidSignature.selector, members[1]));
        governor.castVoteBySig(proposalId, 1, members[1], signature);
    }

    function test_castVoteBySig_revertsWhenBallotIsForAnotherGovernor() public {
        UnionGovernor other = new UnionGovernor(
            membership,
            timelock,
            VOTING_DELAY,
            VOTING_PERIOD,
            QUORUM_PERCENT,
            MIN_QUORUM,
            LATE_QUORUM_EXTENSION,
            guardian
        );
        uint256 proposalId = _proposeAndStartVoting(address(treasury), _policyCall(), "Policy");
        bytes32 digest = _ballotDigest(address(other), block.chainid, proposalId, 1, members[1], 0);
        bytes memory signature = _sign(_memberKey(1), digest);
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorInvalidSignature.selector, members[1]));
        governor.castVoteBySig(proposalId, 1, members[1], signature);
    }

    function test_castVoteBySig_revertsWhenSignerIsNotTheVoter() public {
        uint256 proposalId = _proposeAndStartVoting(address(treasury), _policyCall(), "Policy");
        bytes32 digest = _ballotDigest(address(governor), block.chainid, proposalId, 1, members[1], 0);
        bytes memory signature = _sign(_memberKey(2), digest);
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorInvalidSignature.selector, members[1]));
        governor.castVoteBySig(proposalId, 1, members[1], signature);
    }

    // ------------------------------------------------------------------ lifecycle and guardian

    function test_execute_runsThePassedProposalThroughTheTimelock() public {
        IUnionTreasury.DividendPolicy memory policy = IUnionTreasury.DividendPolicy(0, 0, 5_000, 2_500, address(0));
        _govern(address(treasury), abi.encodeCall(IUnionTreasury.setDividendPolicy, (policy)), "New policy");
        vm.assertEq(uint256(treasury.dividendPolicy().floorBps), 5_000);
    }

    function test_execute_revertsBeforeTheTimelockDelay() public {
        bytes memory data = _policyCall();
        _passAndQueue(address(treasury), data, "Policy");
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _single(address(treasury), data);
        vm.expectRevert();
        governor.execute(targets, values, calldatas, keccak256("Policy"));
    }

    function test_guardian_cancelsAQueuedProposal() public {
        bytes memory data = _policyCall();
        uint256 proposalId = _passAndQueue(address(treasury), data, "Policy");
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _single(address(treasury), data);
        vm.prank(guardian);
        governor.cancel(targets, values, calldatas, keccak256("Policy"));
        vm.assertEq(uint256(governor.state(proposalId)), uint256(IGovernor.ProposalState.Canceled));

        vm.warp(block.timestamp + TIMELOCK_DELAY);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGovernor.GovernorUnexpectedProposalState.selector,
                proposalId,
                IGovernor.ProposalState.Canceled,
                bytes32(2 ** uint256(IGovernor.ProposalState.Queued)) // queuing is required
            )
        );
        governor.execute(targets, values, calldatas, keccak256("Policy"));
    }

    function test_guardian_cancelsAnActiveProposal() public {
        bytes memory data = _policyCall();
        uint256 proposalId = _proposeAndStartVoting(address(treasury), data, "Policy");
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _single(address(treasury), data);
        vm.prank(guardian);
        governor.cancel(targets, values, calldatas, keccak256("Policy"));
        vm.assertEq(uint256(governor.state(proposalId)), uint256(IGovernor.ProposalState.Canceled));
    }

    function test_guardian_cannotExecuteOrMoveAnything() public {
        vm.warp(GENESIS + 1);
        vm.deal(buyer, 1 ether);
        vm.prank(buyer);
        treasury.payRevenue{value: 1 ether}(address(0), 1 ether, bytes32(0), "");

        // Not before the timelock delay, even for a passed proposal.
        bytes memory data = abi.encodeCall(IUnionTreasury.releaseEarmark, (address(0), bytes32(0), 1 ether, "x"));
        _passAndQueue(address(treasury), data, "Release");
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _single(address(treasury), data);
        vm.prank(guardian);
        vm.expectRevert();
        governor.execute(targets, values, calldatas, keccak256("Release"));

        // Never directly: no role in the timelock, none in the treasury, no governance relay.
        vm.startPrank(guardian);
        vm.expectRevert(abi.encodeWithSelector(IUnionTreasury.TreasuryUnauthorized.selector, guardian));
        treasury.transfer(address(0), guardian, 1, "");
        bytes32 proposerRole = timelock.PROPOSER_ROLE();
        vm.expectRevert();
        timelock.schedule(address(treasury), 0, data, bytes32(0), bytes32(0), TIMELOCK_DELAY);
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorOnlyExecutor.selector, guardian));
        governor.relay(address(treasury), 0, data);
        vm.stopPrank();
        vm.assertFalse(timelock.hasRole(proposerRole, guardian));
        vm.assertEq(treasury.earmarked(address(0)), 1 ether);
    }

    function test_cancel_revertsWhenCallerIsNeitherGuardianNorPendingProposer() public {
        bytes memory data = _policyCall();
        uint256 proposalId = _proposeAndStartVoting(address(treasury), data, "Policy");
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _single(address(treasury), data);
        vm.prank(outsider);
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorUnableToCancel.selector, proposalId, outsider));
        governor.cancel(targets, values, calldatas, keccak256("Policy"));
    }

    function test_timelock_hasNoAdminAndAnyoneExecutes() public view {
        vm.assertFalse(timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), address(this)));
        vm.assertTrue(timelock.hasRole(timelock.DEFAULT_ADMIN_ROLE(), address(timelock))); // self-administration only
        vm.assertTrue(timelock.hasRole(timelock.EXECUTOR_ROLE(), address(0)));
        vm.assertTrue(timelock.hasRole(timelock.PROPOSER_ROLE(), address(governor)));
        vm.assertTrue(timelock.hasRole(timelock.CANCELLER_ROLE(), address(governor)));
    }
}

/// @notice The quorum of DESIGN.md §8 for unions of every size: `min(members, max(minQuorum, ceil(members * percent /
/// 100)))`, all read at the proposal's snapshot.
contract UnionGovernorQuorumTest is UnionFixture {
    /// @dev Deploys the union with `memberCount` members and returns the quorum at the present snapshot.
    function _quorumOf(uint256 memberCount, uint256 percent, uint256 minQuorum) internal returns (uint256) {
        _deployUnion(memberCount, percent, minQuorum);
        return governor.quorum(block.timestamp - 1);
    }

    /// @dev The rule written out independently of the contract (ceiling by integer arithmetic).
    function _expectedQuorum(uint256 memberCount, uint256 percent, uint256 minQuorum) internal pure returns (uint256) {
        uint256 byPercent = (memberCount * percent + 99) / 100;
        uint256 atLeast = byPercent > minQuorum ? byPercent : minQuorum;
        return atLeast < memberCount ? atLeast : memberCount;
    }

    function _transferCall() internal view returns (bytes memory) {
        return abi.encodeCall(IUnionTreasury.transfer, (address(0), members[0], 1 ether, "for me"));
    }

    /// @dev Votes "for" with members [0, voters), then closes the vote; returns the proposal's final state.
    function _voteFor(uint256 proposalId, uint256 voters) internal returns (IGovernor.ProposalState) {
        for (uint256 i = 0; i < voters; ++i) {
            vm.prank(members[i]);
            governor.castVote(proposalId, 1);
        }
        vm.warp(governor.proposalDeadline(proposalId) + 1);
        return governor.state(proposalId);
    }

    // ------------------------------------------------------------------ by union size (10 %, minimum 3)

    function test_quorum_aUnionOfOneNeedsItsMember() public {
        vm.assertEq(_quorumOf(1, 10, 3), 1);
    }

    function test_quorum_aUnionOfTwoNeedsBothMembers() public {
        vm.assertEq(_quorumOf(2, 10, 3), 2);
    }

    function test_quorum_aUnionOfThreeNeedsAllThree() public {
        vm.assertEq(_quorumOf(3, 10, 3), 3);
    }

    function test_quorum_aUnionOfEightNeedsTheMinimumWhereOzGaveZero() public {
        vm.assertEq(_quorumOf(8, 10, 3), 3); // 10 % of 8 = 0.8: OZ's fraction said 0
    }

    function test_quorum_aUnionOfNineNeedsTheMinimum() public {
        vm.assertEq(_quorumOf(9, 10, 3), 3);
    }

    function test_quorum_aUnionOfTenNeedsTheMinimum() public {
        vm.assertEq(_quorumOf(10, 10, 3), 3); // 10 % is exactly 1
    }

    function test_quorum_aUnionOfElevenRoundsThePercentUp() public {
        vm.assertEq(_quorumOf(11, 10, 3), 3); // 1.1 rounds up to 2, below the minimum
        vm.assertEq(_quorumOf(11, 30, 3), 4); // 3.3 rounds up to 4 (OZ: 3)
    }

    function test_quorum_aUnionOfAHundredNeedsThePercent() public {
        vm.assertEq(_quorumOf(100, 10, 3), 10);
        vm.assertEq(_quorumOf(100, 1, 3), 3); // 1 % is one vote: the minimum wins
    }

    function test_quorum_aUnionWithoutMembersNeedsNoVotesButPassesNothing() public {
        vm.assertEq(_quorumOf(0, 10, 3), 0);
    }

    // ------------------------------------------------------------------ fuzz

    /// @dev Any size, percent and minimum: a union with a member needs at least one vote and never more than its
    /// members; with a minimum of two or more, one member alone never passes a proposal in a union of two or more.
    function testFuzz_quorum_isAtLeastOneVoteAndAtMostTheMembers(uint256 memberCount, uint256 percent, uint256 minimum)
        public
    {
        memberCount = bound(memberCount, 0, 120);
        percent = bound(percent, 0, 100);
        minimum = bound(minimum, 1, type(uint208).max);
        uint256 quorum_ = _quorumOf(memberCount, percent, minimum);

        vm.assertLe(quorum_, memberCount);
        if (memberCount > 0) vm.assertGe(quorum_, 1);
        if (minimum >= 2 && memberCount >= 2) vm.assertGe(quorum_, 2);
        vm.assertEq(quorum_, _expectedQuorum(memberCount, percent, minimum));
    }

    // ------------------------------------------------------------------ the attack and its neighbours

    /// @dev The reproduction of issue #11: 8 members at 10 % gave a quorum of 0, and one "for" vote passed a transfer.
    function test_quorum_oneVoteCannotPassATransferInAUnionOfEight() public {
        _deployUnion(8, 10, MIN_QUORUM);
        bytes memory data = _transferCall();
        uint256 proposalId = _proposeAndStartVoting(address(treasury), data, "Pay member 0");
        vm.assertEq(governor.quorum(governor.proposalSnapshot(proposalId)), 3);

        vm.assertEq(uint256(_voteFor(proposalId, 1)), uint256(IGovernor.ProposalState.Defeated));
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _single(address(treasury), data);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGovernor.GovernorUnexpectedProposalState.selector,
                proposalId,
                IGovernor.ProposalState.Defeated,
                bytes32(2 ** uint256(IGovernor.ProposalState.Succeeded))
            )
        );
        governor.queue(targets, values, calldatas, keccak256("Pay member 0"));
    }

    function test_quorum_threeVotesPassInAUnionOfEight() public {
        _deployUnion(8, 10, MIN_QUORUM);
        uint256 proposalId = _proposeAndStartVoting(address(treasury), _transferCall(), "Pay member 0");
        vm.assertEq(uint256(_voteFor(proposalId, 3)), uint256(IGovernor.ProposalState.Succeeded));
    }

    function test_quorum_aUnionOfTwoCannotPassWithOneVote() public {
        _deployUnion(2, 10, MIN_QUORUM);
        uint256 proposalId = _proposeAndStartVoting(address(treasury), _transferCall(), "Pay member 0");
        vm.assertEq(uint256(_voteFor(proposalId, 1)), uint256(IGovernor.ProposalState.Defeated));
    }

    function test_quorum_membersAdmittedAfterTheSnapshotDoNotChangeIt() public {
        _deployUnion(8, 10, MIN_QUORUM);
        uint256 proposalId = _proposeAndStartVoting(address(treasury), _transferCall(), "Pay member 0");
        _admitMembers(92);
        vm.warp(block.timestamp + 1);
        vm.assertEq(governor.quorum(governor.proposalSnapshot(proposalId)), 3);
        vm.assertEq(governor.quorum(block.timestamp - 1), 10);
    }

    // ------------------------------------------------------------------ the minimum, changed by governance only

    function test_constructor_revertsWhenMinQuorumIsZero() public {
        _deployUnion(3);
        vm.expectRevert(abi.encodeWithSelector(IUnionGovernor.UnionGovernorInvalidMinQuorum.selector, 0));
        new UnionGovernor(
            membership, timelock, VOTING_DELAY, VOTING_PERIOD, QUORUM_PERCENT, 0, LATE_QUORUM_EXTENSION, guardian
        );
    }

    function test_constructor_emitsTheInitialMinQuorum() public {
        _deployUnion(3);
        vm.expectEmit();
        emit IUnionGovernor.MinQuorumUpdated(0, 5);
        new UnionGovernor(
            membership, timelock, VOTING_DELAY, VOTING_PERIOD, QUORUM_PERCENT, 5, LATE_QUORUM_EXTENSION, guardian
        );
    }

    function test_updateMinQuorum_revertsUnlessCalledThroughGovernance() public {
        _deployUnion(5);
        vm.prank(members[0]);
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorOnlyExecutor.selector, members[0]));
        governor.updateMinQuorum(1);
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorOnlyExecutor.selector, address(this)));
        governor.updateMinQuorum(1);
        vm.assertEq(governor.minQuorum(), MIN_QUORUM);
    }

    function test_updateMinQuorum_throughGovernanceEmitsOldAndNew() public {
        _deployUnion(5);
        bytes memory data = abi.encodeCall(IUnionGovernor.updateMinQuorum, (4));
        _passAndQueue(address(governor), data, "Minimum quorum 4");
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _single(address(governor), data);
        vm.expectEmit(true, true, true, true, address(governor));
        emit IUnionGovernor.MinQuorumUpdated(MIN_QUORUM, 4);
        governor.execute(targets, values, calldatas, keccak256("Minimum quorum 4"));
        vm.warp(block.timestamp + 1);
        vm.assertEq(governor.minQuorum(), 4);
        vm.assertEq(governor.quorum(block.timestamp - 1), 4);
    }

    function test_updateMinQuorum_throughGovernanceRevertsWhenZero() public {
        _deployUnion(5);
        bytes memory data = abi.encodeCall(IUnionGovernor.updateMinQuorum, (0));
        _passAndQueue(address(governor), data, "No minimum");
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _single(address(governor), data);
        vm.expectRevert(abi.encodeWithSelector(IUnionGovernor.UnionGovernorInvalidMinQuorum.selector, 0));
        governor.execute(targets, values, calldatas, keccak256("No minimum"));
    }

    /// @dev A proposal keeps the minimum of its snapshot: governance cannot lower the bar of a vote under way.
    function test_updateMinQuorum_leavesTheQuorumOfEarlierSnapshotsAlone() public {
        _deployUnion(8, 10, 5);
        uint256 before = block.timestamp - 1;
        uint256 proposalId = _proposeAndStartVoting(address(treasury), _transferCall(), "Pay member 0");
        _govern(address(governor), abi.encodeCall(IUnionGovernor.updateMinQuorum, (2)), "Minimum quorum 2");
        vm.warp(block.timestamp + 1);

        vm.assertEq(governor.minQuorum(), 2);
        vm.assertEq(governor.minQuorum(before), 5);
        vm.assertEq(governor.quorum(before), 5);
        vm.assertEq(governor.quorum(governor.proposalSnapshot(proposalId)), 5);
        vm.assertEq(governor.quorum(block.timestamp - 1), 2);
    }

    function test_updateQuorumNumerator_throughGovernanceIsStillRoundedUp() public {
        _deployUnion(11, 10, MIN_QUORUM);
        _govern(address(governor), abi.encodeWithSignature("updateQuorumNumerator(uint256)", 30), "Quorum 30 %");
        vm.warp(block.timestamp + 1);
        vm.assertEq(governor.quorumNumerator(), 30);
        vm.assertEq(governor.quorum(block.timestamp - 1), 4); // 3.3 votes round up to 4
    }
}
