// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";

import {IUnionMembership} from "../../src/interfaces/IUnionMembership.sol";
import {MembershipFixture} from "../helpers/MembershipFixture.sol";

/// @notice Who is a member when: admission (batches, re-admission), resignation and expulsion, and the past lookups
/// that the votes and the planner read.
contract UnionMembershipAdmissionTest is MembershipFixture {
    // ================================================================== admit

    function test_admit_mintsACardAndOneVotePerMemberWithoutADelegationTransaction() public {
        address[] memory accounts = new address[](2);
        accounts[0] = alice;
        accounts[1] = bob;
        vm.expectEmit(true, true, true, true, address(membership));
        emit IERC721.Transfer(address(0), alice, uint256(uint160(alice)));
        vm.expectEmit(true, true, true, true, address(membership));
        emit IVotes.DelegateVotesChanged(alice, 0, 1);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IERC721.Transfer(address(0), bob, uint256(uint160(bob)));
        vm.expectEmit(true, true, true, true, address(membership));
        emit IVotes.DelegateVotesChanged(bob, 0, 1);
        vm.prank(admissions);
        membership.admit(accounts);

        vm.assertTrue(membership.isMember(alice));
        vm.assertTrue(membership.isMember(bob));
        vm.assertEq(membership.getVotes(alice), 1);
        vm.assertEq(membership.getVotes(bob), 1);
        vm.assertEq(membership.delegates(alice), alice);
        vm.assertEq(membership.memberSince(alice), uint48(START));
        vm.assertEq(membership.totalSupply(), 2);
        vm.assertEq(membership.memberCount(), 2);
        vm.assertEq(membership.balanceOf(alice), 1);
        vm.assertEq(membership.ownerOf(uint256(uint160(bob))), bob);
    }

    function test_admit_countsEachBatchInTheTotalSupplyHistory() public {
        _admit(alice, bob, carol);
        uint256 afterFirst = _later(10);
        _admit(dave);
        uint256 afterSecond = _later(10);
        vm.assertEq(membership.getPastTotalSupply(afterFirst - 1), 0);
        vm.assertEq(membership.getPastTotalSupply(afterFirst), 3);
        vm.assertEq(membership.getPastTotalSupply(afterSecond), 4);
        vm.assertEq(membership.getPastVotes(dave, afterFirst), 0);
        vm.assertEq(membership.getPastVotes(dave, afterSecond), 1);
    }

    function test_admit_emptyBatchChangesNothing() public {
        vm.prank(admissions);
        membership.admit(new address[](0));
        vm.assertEq(membership.totalSupply(), 0);
    }

    function test_admit_revertsForCallerWithoutAdmissionsRole() public {
        address[] memory accounts = new address[](1);
        accounts[0] = alice;
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, membership.ADMISSIONS_ROLE()
            )
        );
        vm.prank(stranger);
        membership.admit(accounts);
    }

    function test_admit_revertsEvenForGovernanceWithoutAdmissionsRole() public {
        address[] memory accounts = new address[](1);
        accounts[0] = alice;
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, admin, membership.ADMISSIONS_ROLE()
            )
        );
        vm.prank(admin);
        membership.admit(accounts);
    }

    function test_admit_revertsNamingTheZeroAddress() public {
        address[] memory accounts = new address[](2);
        accounts[0] = alice;
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipInvalidMember.selector, address(0)));
        vm.prank(admissions);
        membership.admit(accounts);
        vm.assertFalse(membership.isMember(alice));
    }

    function test_admit_revertsNamingAnExistingMember() public {
        _admit(alice);
        address[] memory accounts = new address[](2);
        accounts[0] = bob;
        accounts[1] = alice;
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipAlreadyMember.selector, alice));
        vm.prank(admissions);
        membership.admit(accounts);
        vm.assertFalse(membership.isMember(bob));
    }

    function test_admit_revertsForAnAccountTwiceInOneBatch() public {
        address[] memory accounts = new address[](2);
        accounts[0] = carol;
        accounts[1] = carol;
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipAlreadyMember.selector, carol));
        vm.prank(admissions);
        membership.admit(accounts);
    }

    function test_admit_readmissionRestoresTheVoteAndKeepsEveryPastTermExact() public {
        uint256 joined1 = block.timestamp;
        _admit(alice);
        _later(100);
        uint256 left1 = block.timestamp;
        vm.prank(alice);
        membership.resign();
        _later(100);
        uint256 joined2 = block.timestamp;
        _admit(alice);
        vm.assertEq(membership.getVotes(alice), 1);
        vm.assertEq(membership.memberSince(alice), uint48(joined2));
        _later(100);
        uint256 left2 = block.timestamp;
        vm.prank(admin);
        membership.expel(alice);
        _later(100);
        uint256 joined3 = block.timestamp;
        _admit(alice);
        _later(100);

        vm.assertFalse(membership.isMemberAt(alice, joined1 - 1));
        vm.assertTrue(membership.isMemberAt(alice, joined1));
        vm.assertTrue(membership.isMemberAt(alice, left1 - 1));
        vm.assertFalse(membership.isMemberAt(alice, left1));
        vm.assertFalse(membership.isMemberAt(alice, joined2 - 1));
        vm.assertTrue(membership.isMemberAt(alice, joined2));
        vm.assertTrue(membership.isMemberAt(alice, left2 - 1));
        vm.assertFalse(membership.isMemberAt(alice, left2));
        vm.assertFalse(membership.isMemberAt(alice, joined3 - 1));
        vm.assertTrue(membership.isMemberAt(alice, joined3));
        vm.assertEq(membership.getPastVotes(alice, left1 + 50), 0);
        vm.assertEq(membership.getPastVotes(alice, joined2 + 50), 1);
        vm.assertEq(membership.getPastTotalSupply(left1 + 50), 0);
        vm.assertEq(membership.getPastTotalSupply(joined2 + 50), 1);
    }

    function test_admit_readmissionInTheSameSecondAsLeavingKeepsTheMemberAtThatSecond() public {
        _admit(alice);
        _later(10);
        uint256 t = block.timestamp;
        vm.prank(alice);
        membership.resign();
        _admit(alice);
        _later(10);
        vm.assertTrue(membership.isMemberAt(alice, t));
        vm.assertTrue(membership.isMemberAt(alice, t - 1));
        vm.assertEq(membership.getPastTotalSupply(t), 1);
    }

    function test_admit_readmissionRevivesUnitsThatStayedDelegatedToTheFormerMember() public {
        _admit(alice, bob, carol);
        vm.prank(bob);
        membership.delegate(alice);
        vm.prank(alice);
        membership.resign();
        vm.assertEq(membership.getVotes(alice), 0);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IVotes.DelegateVotesChanged(alice, 0, 2);
        _admit(alice);
        vm.assertEq(membership.getVotes(alice), 2);
        vm.assertEq(membership.getVotes(bob), 0);
    }

    // ================================================================== resign and expel

    function test_resign_burnsTheCardEndsTheVoteAndEmitsMemberLeft() public {
        _admit(alice, bob, carol);
        uint256 admittedAt = _later(50);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IERC721.Transfer(alice, address(0), uint256(uint160(alice)));
        vm.expectEmit(true, true, true, true, address(membership));
        emit IUnionMembership.MemberLeft(alice, false);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IVotes.DelegateVotesChanged(alice, 1, 0);
        vm.prank(alice);
        membership.resign();
        uint256 leftAt = _later(1);

        vm.assertFalse(membership.isMember(alice));
        vm.assertEq(membership.getVotes(alice), 0);
        vm.assertEq(membership.balanceOf(alice), 0);
        vm.assertEq(membership.memberSince(alice), 0);
        vm.assertEq(membership.delegates(alice), address(0));
        vm.assertEq(membership.totalSupply(), 2);
        vm.assertEq(membership.getPastVotes(alice, admittedAt), 1);
        vm.assertEq(membership.getPastVotes(alice, leftAt), 0);
        vm.assertEq(membership.getPastTotalSupply(leftAt), 2);
    }

    function test_resign_revertsForNonMember() public {
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipNotMember.selector, stranger));
        vm.prank(stranger);
        membership.resign();
    }

    function test_resign_revertsForFormerMember() public {
        _admit(alice);
        vm.prank(alice);
        membership.resign();
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipNotMember.selector, alice));
        vm.prank(alice);
        membership.resign();
    }

    function test_expel_byGovernanceRemovesTheMemberAsExpelled() public {
        _admit(alice, bob, carol);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IERC721.Transfer(bob, address(0), uint256(uint160(bob)));
        vm.expectEmit(true, true, true, true, address(membership));
        emit IUnionMembership.MemberLeft(bob, true);
        vm.prank(admin);
        membership.expel(bob);
        vm.assertFalse(membership.isMember(bob));
        vm.assertEq(membership.totalSupply(), 2);
    }

    function test_expel_revertsForNonAdmin() public {
        _admit(alice, bob, carol);
        bytes32 adminRole = membership.DEFAULT_ADMIN_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, admissions, adminRole)
        );
        vm.prank(admissions);
        membership.expel(bob);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, adminRole)
        );
        vm.prank(alice);
        membership.expel(bob);
        vm.assertTrue(membership.isMember(bob));
    }

    function test_expel_revertsForNonMember() public {
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipNotMember.selector, stranger));
        vm.prank(admin);
        membership.expel(stranger);
    }

    // ================================================================== past lookups

    function test_isMemberAt_countsTheAdmissionSecondAndNotTheDepartureSecond() public {
        uint256 joined = block.timestamp;
        _admit(alice);
        _later(30);
        uint256 left = block.timestamp;
        vm.prank(alice);
        membership.resign();
        _later(1);
        vm.assertFalse(membership.isMemberAt(alice, joined - 1));
        vm.assertTrue(membership.isMemberAt(alice, joined));
        vm.assertTrue(membership.isMemberAt(alice, left - 1));
        vm.assertFalse(membership.isMemberAt(alice, left));
        vm.assertFalse(membership.isMemberAt(stranger, joined));
    }

    function test_isMemberAt_joiningAndLeavingInTheSameSecondIsNoMembershipAtThatSecond() public {
        uint256 t = block.timestamp;
        _admit(alice);
        vm.prank(alice);
        membership.resign();
        _later(1);
        vm.assertFalse(membership.isMemberAt(alice, t));
        vm.assertEq(membership.getPastTotalSupply(t), 0);
    }

    function test_pastLookups_revertForTheCurrentOrAFutureTimepoint() public {
        _admit(alice);
        uint48 now_ = membership.clock();
        bytes memory atNow =
            abi.encodeWithSelector(IUnionMembership.MembershipFutureLookup.selector, uint256(now_), now_);
        bytes memory later =
            abi.encodeWithSelector(IUnionMembership.MembershipFutureLookup.selector, uint256(now_) + 5, now_);
        vm.expectRevert(atNow);
        membership.isMemberAt(alice, now_);
        vm.expectRevert(atNow);
        membership.getPastVotes(alice, now_);
        vm.expectRevert(atNow);
        membership.getPastTotalSupply(now_);
        vm.expectRevert(atNow);
        membership.consentAt(alice, aiTraining, now_);
        vm.expectRevert(later);
        membership.getPastVotes(alice, uint256(now_) + 5);
    }

    // ================================================================== fuzz

    /// @dev Random admissions, departures and re-admissions of one account: isMemberAt and getPastVotes match a
    /// model of its terms at every second probed.
    function testFuzz_isMemberAt_matchesAModelOfRandomTerms(uint256 seed) public {
        uint256 steps = bound(seed, 1, 30);
        uint256[] memory times = new uint256[](steps);
        bool[] memory member = new bool[](steps);
        bool current;
        for (uint256 i; i < steps; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            vm.warp(block.timestamp + (r % 4 == 0 ? 0 : (r >> 8) % 1000));
            if (current) {
                if ((r >> 64) % 2 == 0) {
                    vm.prank(alice);
                    membership.resign();
                } else {
                    vm.prank(admin);
                    membership.expel(alice);
                }
            } else {
                _admit(alice);
            }
            current = !current;
            times[i] = block.timestamp;
            member[i] = current;
        }
        _later(1);
        for (uint256 i; i < steps; ++i) {
            uint256[3] memory probes = [times[i] - 1, times[i], times[i] + 1];
            for (uint256 p; p < 3; ++p) {
                if (probes[p] >= block.timestamp) continue;
                bool expected = _modelConsent(times, member, probes[p]);
                vm.assertEq(membership.isMemberAt(alice, probes[p]), expected);
                vm.assertEq(membership.getPastVotes(alice, probes[p]), expected ? 1 : 0);
                vm.assertEq(membership.getPastTotalSupply(probes[p]), expected ? 1 : 0);
            }
        }
    }
}
