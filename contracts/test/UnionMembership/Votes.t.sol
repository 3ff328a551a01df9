// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {
    GovernorVotesQuorumFraction
} from "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

import {IUnionMembership} from "../../src/interfaces/IUnionMembership.sol";
import {MembershipFixture} from "../helpers/MembershipFixture.sol";
import {Vm} from "../utils/Test.sol";

/// @notice One member, one vote (DESIGN.md §2): votes from admission, delegation to members only (directly or by
/// signature), units delegated to a departed member dead until re-delegated; and OZ `GovernorVotes` counting them.
contract UnionMembershipVotesTest is MembershipFixture {
    // ================================================================== votes and delegation

    function test_getPastVotes_joiningAfterTheSnapshotGivesNoVoteAtTheSnapshot() public {
        _admit(alice);
        uint256 snapshot = block.timestamp;
        _later(1);
        _admit(bob);
        _later(1);
        vm.assertEq(membership.getPastVotes(alice, snapshot), 1);
        vm.assertEq(membership.getPastVotes(bob, snapshot), 0);
        vm.assertEq(membership.getPastTotalSupply(snapshot), 1);
    }

    function test_getPastVotes_joiningInTheSnapshotSecondCannotBeReadUntilThatSecondIsOver() public {
        uint256 snapshot = block.timestamp;
        _admit(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IUnionMembership.MembershipFutureLookup.selector, snapshot, uint48(snapshot))
        );
        membership.getPastVotes(alice, snapshot);
    }

    function test_delegate_movesTheUnitToAnotherMember() public {
        _admit(alice, bob, carol);
        _later(5);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IVotes.DelegateChanged(alice, alice, bob);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IVotes.DelegateVotesChanged(alice, 1, 0);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IVotes.DelegateVotesChanged(bob, 1, 2);
        vm.prank(alice);
        membership.delegate(bob);
        vm.assertEq(membership.getVotes(alice), 0);
        vm.assertEq(membership.getVotes(bob), 2);
        vm.assertEq(membership.delegates(alice), bob);
        uint256 before = _later(1);
        vm.assertEq(membership.getPastVotes(bob, before), 2);
        vm.assertEq(membership.getPastVotes(bob, before - 1), 1);
    }

    function test_delegate_toSelfTakesTheUnitBack() public {
        _admit(alice, bob, carol);
        vm.prank(alice);
        membership.delegate(bob);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IVotes.DelegateChanged(alice, bob, alice);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IVotes.DelegateVotesChanged(bob, 2, 1);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IVotes.DelegateVotesChanged(alice, 0, 1);
        vm.prank(alice);
        membership.delegate(alice);
        vm.assertEq(membership.getVotes(alice), 1);
        vm.assertEq(membership.getVotes(bob), 1);
        vm.assertEq(membership.delegates(alice), alice);
    }

    function test_delegate_fromOneDelegateToAnotherMovesTheUnit() public {
        _admit(alice, bob, carol);
        vm.prank(alice);
        membership.delegate(bob);
        vm.prank(alice);
        membership.delegate(carol);
        vm.assertEq(membership.getVotes(alice), 0);
        vm.assertEq(membership.getVotes(bob), 1);
        vm.assertEq(membership.getVotes(carol), 2);
    }

    function test_delegate_toTheCurrentDelegateAgainChangesNoVotes() public {
        _admit(alice, bob, carol);
        vm.prank(alice);
        membership.delegate(bob);
        vm.recordLogs();
        vm.prank(alice);
        membership.delegate(bob);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        vm.assertEq(logs.length, 1, "only DelegateChanged");
        vm.assertEq(logs[0].topics[0], IVotes.DelegateChanged.selector);
        vm.assertEq(membership.getVotes(bob), 2);
    }

    function test_delegate_isNotTransitive() public {
        _admit(alice, bob, carol);
        vm.prank(carol);
        membership.delegate(alice);
        vm.prank(alice);
        membership.delegate(bob);
        vm.assertEq(membership.getVotes(alice), 1, "carol's unit stays with alice");
        vm.assertEq(membership.getVotes(bob), 2);
        vm.assertEq(membership.getVotes(carol), 0);
    }

    function test_delegate_revertsWhenTheDelegateeIsNotAMember() public {
        _admit(alice);
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipDelegateNotMember.selector, stranger));
        vm.prank(alice);
        membership.delegate(stranger);
    }

    function test_delegate_revertsWhenTheDelegatorIsNotAMember() public {
        _admit(alice);
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipNotMember.selector, stranger));
        vm.prank(stranger);
        membership.delegate(alice);
    }

    function test_delegate_votesDelegatedToAMemberWhoLeavesCountForNobody() public {
        _admit(alice, bob, carol);
        vm.prank(alice);
        membership.delegate(bob);
        vm.prank(carol);
        membership.delegate(bob);
        uint256 beforeLeaving = _later(10);
        vm.prank(bob);
        membership.resign();
        uint256 afterLeaving = _later(10);

        vm.assertEq(membership.getPastVotes(bob, beforeLeaving), 3);
        vm.assertEq(membership.getPastVotes(bob, afterLeaving), 0);
        vm.assertEq(membership.getPastVotes(alice, afterLeaving), 0);
        vm.assertEq(membership.getPastVotes(carol, afterLeaving), 0);
        vm.assertEq(membership.delegates(alice), bob, "alice still points at bob until she re-delegates");
        // The dead units still count in the quorum's base.
        vm.assertEq(membership.getPastTotalSupply(afterLeaving), 2);

        vm.prank(alice);
        membership.delegate(alice);
        vm.assertEq(membership.getVotes(alice), 1);
        vm.assertEq(membership.getVotes(bob), 0);
    }

    function test_delegate_aDepartedDelegatesVotesAreNotEmittedAsChanged() public {
        _admit(alice, bob, carol);
        vm.prank(alice);
        membership.delegate(bob);
        vm.prank(bob);
        membership.resign();
        vm.recordLogs();
        vm.prank(alice);
        membership.delegate(carol);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        // DelegateChanged, then carol's votes; bob (not a member) had 0 votes and still has 0.
        vm.assertEq(logs.length, 2);
        vm.assertEq(logs[1].topics[0], IVotes.DelegateVotesChanged.selector);
        vm.assertEq(logs[1].topics[1], bytes32(uint256(uint160(carol))));
        vm.assertEq(membership.getVotes(carol), 2);
    }

    function test_resign_ofADelegatorRemovesItsUnitFromTheDelegate() public {
        _admit(alice, bob, carol);
        vm.prank(alice);
        membership.delegate(bob);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IUnionMembership.MemberLeft(alice, false);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IVotes.DelegateChanged(alice, bob, address(0));
        vm.expectEmit(true, true, true, true, address(membership));
        emit IVotes.DelegateVotesChanged(bob, 2, 1);
        vm.prank(alice);
        membership.resign();
        vm.assertEq(membership.getVotes(bob), 1);
        _admit(alice);
        vm.assertEq(membership.getVotes(alice), 1, "a re-admitted member starts with its own unit");
        vm.assertEq(membership.delegates(alice), alice);
        vm.assertEq(membership.getVotes(bob), 1);
    }

    function test_delegates_isSelfForAnUndelegatedMemberAndZeroForANonMember() public {
        _admit(alice);
        vm.assertEq(membership.delegates(alice), alice);
        vm.assertEq(membership.delegates(stranger), address(0));
        vm.assertEq(membership.getVotes(stranger), 0);
    }

    function test_delegateBySig_delegatesForTheSigner() public {
        _admit(alice, bob, carol);
        uint256 expiry = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(alicePk, _delegationDigest(bob, 0, expiry));
        vm.prank(stranger);
        membership.delegateBySig(bob, 0, expiry, v, r, s);
        vm.assertEq(membership.delegates(alice), bob);
        vm.assertEq(membership.getVotes(bob), 2);
        vm.assertEq(membership.nonces(alice), 1);
    }

    function test_delegateBySig_revertsWhenExpired() public {
        _admit(alice, bob, carol);
        uint256 expiry = block.timestamp - 1;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(alicePk, _delegationDigest(bob, 0, expiry));
        vm.expectRevert(abi.encodeWithSelector(IVotes.VotesExpiredSignature.selector, expiry));
        membership.delegateBySig(bob, 0, expiry, v, r, s);
    }

    function test_delegateBySig_revertsWhenReplayed() public {
        _admit(alice, bob, carol);
        uint256 expiry = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(alicePk, _delegationDigest(bob, 0, expiry));
        membership.delegateBySig(bob, 0, expiry, v, r, s);
        vm.expectRevert(abi.encodeWithSelector(Nonces.InvalidAccountNonce.selector, alice, 1));
        membership.delegateBySig(bob, 0, expiry, v, r, s);
    }

    function test_delegateBySig_revertsForANonMemberSigner() public {
        _admit(bob);
        uint256 expiry = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(davePk, _delegationDigest(bob, 0, expiry));
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipNotMember.selector, dave));
        membership.delegateBySig(bob, 0, expiry, v, r, s);
    }

    function test_delegateBySig_revertsForAnInvalidSignature() public {
        _admit(alice, bob, carol);
        vm.expectRevert(abi.encodeWithSelector(ECDSA.ECDSAInvalidSignature.selector));
        membership.delegateBySig(bob, 0, block.timestamp, 27, bytes32(0), bytes32(0));
    }
}

/// @dev A plain OpenZeppelin governor counting the membership's votes, to show they work with `GovernorVotes`
/// unmodified (the union's own governor adds a timelock, late quorum and a guardian on top).
contract PlainMembershipGovernor is
    Governor,
    GovernorSettings,
    GovernorCountingSimple,
    GovernorVotes,
    GovernorVotesQuorumFraction
{
    constructor(IVotes token)
        Governor("PlainMembershipGovernor")
        GovernorSettings(1 hours, 3 days, 0)
        GovernorVotes(token)
        GovernorVotesQuorumFraction(50)
    {}

    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }
}

contract UnionMembershipGovernorVotesTest is MembershipFixture {
    PlainMembershipGovernor internal governor;

    function setUp() public override {
        super.setUp();
        governor = new PlainMembershipGovernor(IVotes(address(membership)));
    }

    function test_governorVotes_usesTheMembershipsTimestampClock() public view {
        vm.assertEq(uint256(governor.clock()), block.timestamp);
        vm.assertEq(governor.CLOCK_MODE(), "mode=timestamp");
    }

    function test_governorVotes_countsOneVotePerMemberAtTheSnapshotAndNothingForLaterJoiners() public {
        _admit(alice, bob, carol);
        vm.prank(carol);
        membership.delegate(bob);
        _later(1);
        address[] memory targets = new address[](1);
        targets[0] = address(membership);
        bytes[] memory calldatas = new bytes[](1);
        calldatas[0] = abi.encodeCall(membership.registerPurpose, ("ads"));
        vm.prank(alice);
        uint256 proposalId = governor.propose(targets, new uint256[](1), calldatas, "register ads");
        uint256 snapshot = governor.proposalSnapshot(proposalId);
        vm.warp(snapshot + 1);
        _admit(dave);

        vm.prank(alice);
        vm.assertEq(governor.castVote(proposalId, 1), 1);
        vm.prank(bob);
        vm.assertEq(governor.castVote(proposalId, 0), 2, "bob votes with carol's delegated unit");
        vm.prank(carol);
        vm.assertEq(governor.castVote(proposalId, 1), 0, "carol delegated her unit");
        vm.prank(dave);
        vm.assertEq(governor.castVote(proposalId, 1), 0, "dave joined after the snapshot");

        (uint256 against, uint256 forVotes, uint256 abstain) = governor.proposalVotes(proposalId);
        vm.assertEq(against, 2);
        vm.assertEq(forVotes, 1);
        vm.assertEq(abstain, 0);
        // Quorum is a fraction of the members at the snapshot (3), not of the members now (4).
        vm.assertEq(governor.quorum(snapshot), 1);
    }
}
