// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC6372} from "@openzeppelin/contracts/interfaces/IERC6372.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

import {UnionMembership} from "../../src/UnionMembership.sol";
import {MembershipFixture} from "../helpers/MembershipFixture.sol";

/// @notice A freshly deployed membership: its name, clock, EIP-712 domain and interfaces, and who may grant roles.
contract UnionMembershipDeploymentTest is MembershipFixture {
    // ================================================================== construction, clock, metadata

    function test_constructor_setsNameSymbolAndOnlyTheAdminRole() public view {
        vm.assertEq(membership.name(), "Data Union Membership");
        vm.assertEq(membership.symbol(), "DUM");
        vm.assertTrue(membership.hasRole(membership.DEFAULT_ADMIN_ROLE(), admin));
        vm.assertFalse(membership.hasRole(membership.ADMISSIONS_ROLE(), admin));
        vm.assertEq(membership.ADMISSIONS_ROLE(), keccak256("ADMISSIONS_ROLE"));
        vm.assertEq(membership.CONSENT_TYPEHASH(), CONSENT_TYPEHASH);
        vm.assertEq(membership.DELEGATION_TYPEHASH(), DELEGATION_TYPEHASH);
    }

    function test_clock_isTheBlockTimestampInTimestampMode() public {
        vm.assertEq(uint256(membership.clock()), START);
        _later(17);
        vm.assertEq(uint256(membership.clock()), START + 17);
        vm.assertEq(membership.CLOCK_MODE(), "mode=timestamp");
    }

    function test_domainSeparator_bindsNameVersionChainAndContract() public view {
        vm.assertEq(membership.DOMAIN_SEPARATOR(), _domainSeparator(block.chainid, address(membership)));
        (, string memory name, string memory version, uint256 chainId, address verifying,,) = membership.eip712Domain();
        vm.assertEq(name, "UnionMembership");
        vm.assertEq(version, "1");
        vm.assertEq(chainId, block.chainid);
        vm.assertEq(verifying, address(membership));
    }

    function test_supportsInterface_reportsErc721MetadataVotesClockAndAccessControl() public view {
        vm.assertTrue(membership.supportsInterface(type(IERC165).interfaceId));
        vm.assertTrue(membership.supportsInterface(type(IERC721).interfaceId));
        vm.assertTrue(membership.supportsInterface(type(IERC721Metadata).interfaceId));
        vm.assertTrue(membership.supportsInterface(type(IVotes).interfaceId));
        vm.assertTrue(membership.supportsInterface(type(IERC6372).interfaceId));
        vm.assertTrue(membership.supportsInterface(type(IAccessControl).interfaceId));
        vm.assertFalse(membership.supportsInterface(0xffffffff));
        vm.assertFalse(membership.supportsInterface(0x12345678));
    }

    // ================================================================== roles

    function test_grantRole_revertsForNonAdmin() public {
        bytes32 admissionsRole = membership.ADMISSIONS_ROLE();
        bytes32 adminRole = membership.DEFAULT_ADMIN_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, admissions, adminRole)
        );
        vm.prank(admissions);
        membership.grantRole(admissionsRole, stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, adminRole)
        );
        vm.prank(stranger);
        membership.grantRole(adminRole, stranger);
    }

    function test_renounceRole_byTheDeployerLeavesNoAdmin() public {
        bytes32 adminRole = membership.DEFAULT_ADMIN_ROLE();
        vm.prank(admin);
        membership.renounceRole(adminRole, admin);
        vm.assertFalse(membership.hasRole(adminRole, admin));
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, admin, adminRole)
        );
        vm.prank(admin);
        membership.registerPurpose("ads");
    }
}
