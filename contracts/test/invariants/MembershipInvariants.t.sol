// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {UnionMembership} from "../../src/UnionMembership.sol";
import {Test} from "../utils/Test.sol";
import {MembershipHandler} from "./handlers/MembershipHandler.sol";

/// @notice DESIGN.md §1 invariants of the membership, checked after every random action: the number of members is
/// the total supply at every timepoint, and the total voting power is the members minus the units delegated to
/// addresses that are not members then; every actor's votes, now and in the past, match the ghost model.
contract MembershipInvariantsTest is Test {
    UnionMembership internal membership;
    MembershipHandler internal handler;
    address internal governance = address(0x7111E10C);
    address internal admissions = address(0xAD2);

    function setUp() public {
        vm.warp(1_700_000_000);
        membership = new UnionMembership("Data Union Membership", "DUM", governance);
        handler = new MembershipHandler(membership, admissions, governance);
        bytes32 admissionsRole = membership.ADMISSIONS_ROLE();
        vm.prank(governance);
        membership.grantRole(admissionsRole, admissions);

        bytes4[] memory selectors = new bytes4[](5);
        selectors[0] = MembershipHandler.admit.selector;
        selectors[1] = MembershipHandler.resign.selector;
        selectors[2] = MembershipHandler.expel.selector;
        selectors[3] = MembershipHandler.delegate.selector;
        selectors[4] = MembershipHandler.warp.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    function invariant_memberCountEqualsTotalSupplyAndCardHoldersNow() public view {
        address[] memory actors = handler.actors();
        uint256 holders;
        for (uint256 i; i < actors.length; ++i) {
            holders += membership.balanceOf(actors[i]);
            vm.assertEq(membership.isMember(actors[i]), handler.ghostIsMember(actors[i]));
        }
        vm.assertEq(membership.totalSupply(), handler.ghostMembers());
        vm.assertEq(membership.memberCount(), handler.ghostMembers());
        vm.assertEq(holders, handler.ghostMembers());
    }

    function invariant_totalVotingPowerIsMembersMinusUnitsDelegatedToNonMembersNow() public view {
        address[] memory actors = handler.actors();
        uint256 total;
        for (uint256 i; i < actors.length; ++i) {
            uint256 votes = membership.getVotes(actors[i]);
            vm.assertEq(votes, handler.expectedVotes(actors[i]));
            total += votes;
        }
        vm.assertEq(total, handler.ghostMembers() - handler.unitsDelegatedToNonMembers());
    }

    function invariant_pastTotalSupplyEqualsMembersAtEveryCheckedTimepoint() public view {
        address[] memory actors = handler.actors();
        uint256[] memory times = handler.checkedTimes();
        for (uint256 k; k < times.length; ++k) {
            uint256 t = times[k];
            uint256 members;
            for (uint256 i; i < actors.length; ++i) {
                bool wasMember = membership.isMemberAt(actors[i], t);
                vm.assertEq(wasMember, handler.ghostIsMemberAt(t, actors[i]));
                if (wasMember) ++members;
            }
            vm.assertEq(membership.getPastTotalSupply(t), handler.ghostMembersAt(t));
            vm.assertEq(members, handler.ghostMembersAt(t));
        }
    }

    function invariant_pastVotingPowerIsMembersMinusDeadUnitsAtEveryCheckedTimepoint() public view {
        address[] memory actors = handler.actors();
        uint256[] memory times = handler.checkedTimes();
        for (uint256 k; k < times.length; ++k) {
            uint256 t = times[k];
            uint256 total;
            for (uint256 i; i < actors.length; ++i) {
                uint256 votes = membership.getPastVotes(actors[i], t);
                vm.assertEq(votes, handler.ghostVotesAt(t, actors[i]));
                total += votes;
            }
            vm.assertEq(total, handler.ghostVotingPowerAt(t));
            vm.assertLe(total, membership.getPastTotalSupply(t));
        }
    }

    /// @dev Guards against a vacuous campaign: the handler must have really admitted someone.
    function afterInvariant() public view {
        vm.assertGt(handler.calls("admit"), 0);
    }
}
