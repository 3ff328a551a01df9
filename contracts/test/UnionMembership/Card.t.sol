// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";

import {IUnionMembership} from "../../src/interfaces/IUnionMembership.sol";
import {MembershipFixture} from "../helpers/MembershipFixture.sol";

/// @notice The membership card: ERC-721-compatible so wallets show it, non-transferable, one per member.
contract UnionMembershipCardTest is MembershipFixture {
    // ================================================================== non-transferable ERC-721 surface

    function test_transferFrom_revertsBecauseCardsAreNonTransferable() public {
        _admit(alice);
        uint256 id = uint256(uint160(alice));
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipNonTransferable.selector, id));
        vm.prank(alice);
        membership.transferFrom(alice, bob, id);
        vm.assertEq(membership.ownerOf(id), alice);
    }

    function test_safeTransferFrom_revertsWithAndWithoutData() public {
        _admit(alice);
        uint256 id = uint256(uint160(alice));
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipNonTransferable.selector, id));
        vm.prank(alice);
        membership.safeTransferFrom(alice, bob, id);
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipNonTransferable.selector, id));
        vm.prank(alice);
        membership.safeTransferFrom(alice, bob, id, hex"01");
    }

    function test_approve_andSetApprovalForAll_revert() public {
        _admit(alice);
        uint256 id = uint256(uint160(alice));
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipNonTransferable.selector, id));
        vm.prank(alice);
        membership.approve(bob, id);
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipNonTransferable.selector, 0));
        vm.prank(alice);
        membership.setApprovalForAll(bob, true);
    }

    function test_getApproved_isZeroAndIsApprovedForAllIsFalse() public {
        _admit(alice);
        vm.assertEq(membership.getApproved(uint256(uint160(alice))), address(0));
        vm.assertFalse(membership.isApprovedForAll(alice, bob));
        vm.expectRevert(
            abi.encodeWithSelector(IUnionMembership.MembershipNonexistentToken.selector, uint256(uint160(bob)))
        );
        membership.getApproved(uint256(uint160(bob)));
    }

    function test_ownerOf_revertsForACardNobodyHolds() public {
        _admit(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IUnionMembership.MembershipNonexistentToken.selector, uint256(uint160(bob)))
        );
        membership.ownerOf(uint256(uint160(bob)));
        // An id above 160 bits must not alias a member's card.
        uint256 aliasing = uint256(uint160(alice)) | (uint256(1) << 200);
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipNonexistentToken.selector, aliasing));
        membership.ownerOf(aliasing);
    }

    function test_balanceOf_isOneForAMemberZeroOtherwiseAndRevertsForTheZeroAddress() public {
        _admit(alice);
        vm.assertEq(membership.balanceOf(alice), 1);
        vm.assertEq(membership.balanceOf(bob), 0);
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipInvalidMember.selector, address(0)));
        membership.balanceOf(address(0));
    }

    function test_tokenURI_isABase64JsonDataUriNamingTheMember() public {
        _admit(alice);
        string memory uri = membership.tokenURI(uint256(uint160(alice)));
        string memory prefix = "data:application/json;base64,";
        bytes memory uriBytes = bytes(uri);
        bytes memory encoded = new bytes(uriBytes.length - bytes(prefix).length);
        for (uint256 i; i < encoded.length; ++i) {
            encoded[i] = uriBytes[i + bytes(prefix).length];
        }
        bytes memory json = Base64.decode(string(encoded));
        vm.assertTrue(_contains(json, "Data Union Membership card 0x"), "names the union and the member");
        vm.assertTrue(_contains(json, "1700000000"), "member since");
        vm.expectRevert(
            abi.encodeWithSelector(IUnionMembership.MembershipNonexistentToken.selector, uint256(uint160(bob)))
        );
        membership.tokenURI(uint256(uint160(bob)));
    }

    // ================================================================== helpers

    function _contains(bytes memory haystack, bytes memory needle) internal pure returns (bool) {
        if (needle.length > haystack.length) return false;
        for (uint256 i; i + needle.length <= haystack.length; ++i) {
            bool same = true;
            for (uint256 j; j < needle.length; ++j) {
                if (haystack[i + j] != needle[j]) {
                    same = false;
                    break;
                }
            }
            if (same) return true;
        }
        return false;
    }
}
