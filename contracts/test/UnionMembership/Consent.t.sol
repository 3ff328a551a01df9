// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

import {UnionMembership} from "../../src/UnionMembership.sol";
import {IUnionMembership} from "../../src/interfaces/IUnionMembership.sol";
import {ConsentWallet1271} from "../mocks/ConsentWallet1271.sol";
import {MembershipFixture} from "../helpers/MembershipFixture.sol";

/// @notice Consent per purpose (opt-in, checkpointed): set directly or by a signature (EOA or EIP-1271) that anyone
/// may submit, bound to chain, contract and a nonce shared with delegation by signature.
contract UnionMembershipConsentTest is MembershipFixture {
    // ================================================================== consent

    function test_setConsent_checkpointsTheChangeEmitsAndUsesUpTheNonce() public {
        _admit(alice);
        vm.assertFalse(membership.consentOf(alice, aiTraining), "opt-in: no consent by default");
        vm.expectEmit(true, true, true, true, address(membership));
        emit IUnionMembership.ConsentChanged(alice, aiTraining, true);
        vm.prank(alice);
        membership.setConsent(aiTraining, true);
        vm.assertTrue(membership.consentOf(alice, aiTraining));
        vm.assertEq(membership.nonces(alice), 1);
        uint256 grantedAt = _later(10);
        vm.prank(alice);
        membership.setConsent(aiTraining, false);
        uint256 withdrawnAt = _later(10);
        vm.assertFalse(membership.consentAt(alice, aiTraining, grantedAt - 1));
        vm.assertTrue(membership.consentAt(alice, aiTraining, grantedAt));
        vm.assertTrue(membership.consentAt(alice, aiTraining, withdrawnAt - 1));
        vm.assertFalse(membership.consentAt(alice, aiTraining, withdrawnAt));
        vm.assertEq(membership.nonces(alice), 2);
    }

    function test_setConsent_isKeptWhenAMemberLeavesAndIsReadmitted() public {
        _admit(alice);
        vm.prank(alice);
        membership.setConsent(aiTraining, true);
        vm.prank(alice);
        membership.resign();
        vm.assertTrue(membership.consentOf(alice, aiTraining));
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipNotMember.selector, alice));
        vm.prank(alice);
        membership.setConsent(aiTraining, false);
        _later(10);
        _admit(alice);
        vm.assertTrue(membership.consentOf(alice, aiTraining));
    }

    function test_setConsent_revertsForNonMember() public {
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipNotMember.selector, stranger));
        vm.prank(stranger);
        membership.setConsent(aiTraining, true);
    }

    function test_setConsent_revertsForUnknownPurposeAndForTheGeneralPurpose() public {
        _admit(alice);
        bytes32 unknown = keccak256("unknown");
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipUnknownPurpose.selector, unknown));
        vm.prank(alice);
        membership.setConsent(unknown, true);
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipUnknownPurpose.selector, bytes32(0)));
        vm.prank(alice);
        membership.setConsent(bytes32(0), true);
    }

    function test_consentOf_andConsentAt_areAlwaysTrueForTheGeneralPurpose() public {
        uint256 t = _later(5);
        vm.assertTrue(membership.consentOf(stranger, bytes32(0)));
        vm.assertTrue(membership.consentAt(stranger, bytes32(0), t));
    }

    function test_consentAt_includesAChangeMadeAtTheTimepointItself() public {
        _admit(alice);
        _later(100);
        // A change exactly at s counts at s but not at s - 1: the planner asks at start(e) - 1.
        uint256 s = block.timestamp;
        vm.prank(alice);
        membership.setConsent(aiTraining, true);
        _later(1);
        vm.assertFalse(membership.consentAt(alice, aiTraining, s - 1));
        vm.assertTrue(membership.consentAt(alice, aiTraining, s));
    }

    function test_setConsentBySig_appliesTheSignedChangeSubmittedByAnyone() public {
        _admit(alice);
        uint256 deadline = block.timestamp + 1 days;
        bytes memory sig = _signConsent(alicePk, alice, aiTraining, true, 0, deadline);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IUnionMembership.ConsentChanged(alice, aiTraining, true);
        vm.prank(stranger);
        membership.setConsentBySig(alice, aiTraining, true, 0, deadline, sig);
        vm.assertTrue(membership.consentOf(alice, aiTraining));
        vm.assertEq(membership.nonces(alice), 1);
    }

    function test_setConsentBySig_acceptsTheDeadlineSecondItself() public {
        _admit(alice);
        uint256 deadline = block.timestamp;
        bytes memory sig = _signConsent(alicePk, alice, aiTraining, true, 0, deadline);
        membership.setConsentBySig(alice, aiTraining, true, 0, deadline, sig);
        vm.assertTrue(membership.consentOf(alice, aiTraining));
    }

    function test_setConsentBySig_revertsWhenExpired() public {
        _admit(alice);
        uint256 deadline = block.timestamp + 10;
        bytes memory sig = _signConsent(alicePk, alice, aiTraining, true, 0, deadline);
        _later(11);
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipExpiredSignature.selector, deadline));
        membership.setConsentBySig(alice, aiTraining, true, 0, deadline, sig);
    }

    function test_setConsentBySig_revertsForASignatureByAnotherKey() public {
        _admit(alice);
        uint256 deadline = block.timestamp + 1 days;
        bytes memory sig = _signConsent(bobPk, alice, aiTraining, true, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipInvalidSignature.selector, alice));
        membership.setConsentBySig(alice, aiTraining, true, 0, deadline, sig);
    }

    function test_setConsentBySig_revertsWhenTheSignedValueIsAltered() public {
        _admit(alice);
        uint256 deadline = block.timestamp + 1 days;
        bytes memory sig = _signConsent(alicePk, alice, aiTraining, false, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipInvalidSignature.selector, alice));
        membership.setConsentBySig(alice, aiTraining, true, 0, deadline, sig);
    }

    function test_setConsentBySig_revertsWhenReplayedWithTheSameNonce() public {
        _admit(alice);
        uint256 deadline = block.timestamp + 1 days;
        bytes memory sig = _signConsent(alicePk, alice, aiTraining, true, 0, deadline);
        membership.setConsentBySig(alice, aiTraining, true, 0, deadline, sig);
        vm.prank(alice);
        membership.setConsent(aiTraining, false);
        vm.expectRevert(abi.encodeWithSelector(Nonces.InvalidAccountNonce.selector, alice, 2));
        membership.setConsentBySig(alice, aiTraining, true, 0, deadline, sig);
        vm.assertFalse(membership.consentOf(alice, aiTraining));
    }

    function test_setConsentBySig_revertsAfterADirectChangeUsedUpTheNonce() public {
        _admit(alice);
        uint256 deadline = block.timestamp + 1 days;
        bytes memory sig = _signConsent(alicePk, alice, aiTraining, true, 0, deadline);
        vm.prank(alice);
        membership.setConsent(aiTraining, false);
        vm.expectRevert(abi.encodeWithSelector(Nonces.InvalidAccountNonce.selector, alice, 1));
        membership.setConsentBySig(alice, aiTraining, true, 0, deadline, sig);
    }

    function test_setConsentBySig_revertsForAFutureNonce() public {
        _admit(alice);
        uint256 deadline = block.timestamp + 1 days;
        bytes memory sig = _signConsent(alicePk, alice, aiTraining, true, 1, deadline);
        vm.expectRevert(abi.encodeWithSelector(Nonces.InvalidAccountNonce.selector, alice, 0));
        membership.setConsentBySig(alice, aiTraining, true, 1, deadline, sig);
    }

    function test_setConsentBySig_revertsForASignatureFromAnotherChain() public {
        _admit(alice);
        uint256 deadline = block.timestamp + 1 days;
        uint256 home = block.chainid;
        bytes memory sig = _signConsent(alicePk, alice, aiTraining, true, 0, deadline);
        vm.chainId(home + 1);
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipInvalidSignature.selector, alice));
        membership.setConsentBySig(alice, aiTraining, true, 0, deadline, sig);
        // And one signed for the other chain is no good here either.
        bytes memory forOther =
            _sign(alicePk, _consentDigest(home + 1, address(membership), alice, aiTraining, true, 0, deadline));
        vm.chainId(home);
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipInvalidSignature.selector, alice));
        membership.setConsentBySig(alice, aiTraining, true, 0, deadline, forOther);
    }

    function test_setConsentBySig_revertsForASignatureMadeForAnotherContract() public {
        UnionMembership other = new UnionMembership("Other Union", "OU", admin);
        bytes32 admissionsRole = other.ADMISSIONS_ROLE();
        vm.startPrank(admin);
        other.grantRole(admissionsRole, admissions);
        other.registerPurpose("ai-training");
        vm.stopPrank();
        address[] memory accounts = new address[](1);
        accounts[0] = alice;
        vm.prank(admissions);
        other.admit(accounts);
        _admit(alice);

        uint256 deadline = block.timestamp + 1 days;
        bytes memory sig = _signConsent(alicePk, alice, aiTraining, true, 0, deadline);
        membership.setConsentBySig(alice, aiTraining, true, 0, deadline, sig);
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipInvalidSignature.selector, alice));
        other.setConsentBySig(alice, aiTraining, true, 0, deadline, sig);
    }

    function test_setConsentBySig_acceptsAnEip1271WalletsApproval() public {
        ConsentWallet1271 wallet = new ConsentWallet1271(carol);
        _admit(address(wallet));
        uint256 deadline = block.timestamp + 1 days;
        bytes memory sig = _signConsent(carolPk, address(wallet), aiTraining, true, 0, deadline);
        membership.setConsentBySig(address(wallet), aiTraining, true, 0, deadline, sig);
        vm.assertTrue(membership.consentOf(address(wallet), aiTraining));
    }

    function test_setConsentBySig_revertsWhenTheEip1271WalletRefuses() public {
        ConsentWallet1271 wallet = new ConsentWallet1271(carol);
        _admit(address(wallet));
        wallet.freeze();
        uint256 deadline = block.timestamp + 1 days;
        bytes memory sig = _signConsent(carolPk, address(wallet), aiTraining, true, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipInvalidSignature.selector, address(wallet)));
        membership.setConsentBySig(address(wallet), aiTraining, true, 0, deadline, sig);
    }

    function test_setConsentBySig_revertsForANonMemberOrUnknownPurpose() public {
        uint256 deadline = block.timestamp + 1 days;
        bytes memory sig = _signConsent(alicePk, alice, aiTraining, true, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipNotMember.selector, alice));
        membership.setConsentBySig(alice, aiTraining, true, 0, deadline, sig);

        _admit(alice);
        bytes32 unknown = keccak256("unknown");
        sig = _signConsent(alicePk, alice, unknown, true, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipUnknownPurpose.selector, unknown));
        membership.setConsentBySig(alice, unknown, true, 0, deadline, sig);
    }

    function test_consentNonce_isSharedWithDelegateBySig() public {
        _admit(alice, bob, carol);
        uint256 deadline = block.timestamp + 1 days;
        bytes memory sig = _signConsent(alicePk, alice, aiTraining, true, 0, deadline);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(alicePk, _delegationDigest(bob, 0, deadline));
        membership.delegateBySig(bob, 0, deadline, v, r, s);
        vm.expectRevert(abi.encodeWithSelector(Nonces.InvalidAccountNonce.selector, alice, 1));
        membership.setConsentBySig(alice, aiTraining, true, 0, deadline, sig);
    }

    // ================================================================== fuzz

    /// @dev Random consent changes at random times (several per second allowed): consentAt at every probed second
    /// matches a model that keeps the last change at or before it.
    function testFuzz_consentAt_matchesAModelOfRandomChangesAtRandomTimes(uint256 seed) public {
        _admit(alice);
        uint256 steps = bound(seed, 1, 40);
        uint256[] memory times = new uint256[](steps);
        bool[] memory values = new bool[](steps);
        for (uint256 i; i < steps; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            // 0 keeps the same second (the later change in a second wins), else up to a day later.
            vm.warp(block.timestamp + (r % 3 == 0 ? 0 : (r >> 8) % 1 days));
            bool granted = (r >> 128) % 2 == 1;
            vm.prank(alice);
            membership.setConsent(aiTraining, granted);
            times[i] = block.timestamp;
            values[i] = granted;
        }
        _later(1);
        vm.assertEq(membership.nonces(alice), steps);
        vm.assertFalse(membership.consentAt(alice, aiTraining, START - 1));
        for (uint256 i; i < steps; ++i) {
            uint256[3] memory probes = [times[i] - 1, times[i], times[i] + 1];
            for (uint256 p; p < 3; ++p) {
                if (probes[p] >= block.timestamp) continue;
                vm.assertEq(membership.consentAt(alice, aiTraining, probes[p]), _modelConsent(times, values, probes[p]));
            }
        }
        vm.assertEq(membership.consentOf(alice, aiTraining), values[steps - 1]);
    }
}
