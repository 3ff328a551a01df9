// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {IUnionMembership} from "../../src/interfaces/IUnionMembership.sol";
import {MembershipFixture} from "../helpers/MembershipFixture.sol";

/// @notice The purpose registry: id = keccak256(name), registered by governance, "general" (id zero) built in.
contract UnionMembershipPurposesTest is MembershipFixture {
    // ================================================================== purposes

    function test_registerPurpose_storesTheNameUnderItsHashAndEmitsIt() public {
        bytes32 expected = keccak256("medical-research");
        vm.expectEmit(true, true, true, true, address(membership));
        emit IUnionMembership.PurposeRegistered(expected, "medical-research");
        vm.prank(admin);
        bytes32 id = membership.registerPurpose("medical-research");
        vm.assertEq(id, expected);
        vm.assertTrue(membership.isPurpose(id));
        vm.assertEq(membership.purposeName(id), "medical-research");
    }

    function test_registerPurpose_revertsForADuplicate() public {
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipPurposeExists.selector, aiTraining));
        vm.prank(admin);
        membership.registerPurpose("ai-training");
    }

    function test_registerPurpose_revertsForEmptyOrGeneral() public {
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipInvalidPurpose.selector, ""));
        vm.prank(admin);
        membership.registerPurpose("");
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipInvalidPurpose.selector, "general"));
        vm.prank(admin);
        membership.registerPurpose("general");
    }

    function test_registerPurpose_revertsForNonAdmin() public {
        bytes32 adminRole = membership.DEFAULT_ADMIN_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, admissions, adminRole)
        );
        vm.prank(admissions);
        membership.registerPurpose("ads");
    }

    function test_purposeName_isGeneralForIdZeroAndEmptyForUnknown() public view {
        vm.assertEq(membership.purposeName(bytes32(0)), "general");
        vm.assertFalse(membership.isPurpose(bytes32(0)));
        vm.assertEq(membership.purposeName(keccak256("unknown")), "");
        vm.assertFalse(membership.isPurpose(keccak256("unknown")));
    }
}
