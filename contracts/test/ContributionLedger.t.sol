// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {ContributionLedger} from "../src/ContributionLedger.sol";
import {UnionMembership} from "../src/UnionMembership.sol";
import {IContributionLedger} from "../src/interfaces/IContributionLedger.sol";
import {IUnionMembership} from "../src/interfaces/IUnionMembership.sol";
import {Test, Vm} from "./utils/Test.sol";

contract ContributionLedgerTest is Test {
    uint48 internal constant GENESIS = 1_700_000_000;
    uint48 internal constant LENGTH = 7 days;
    uint48 internal constant GRACE = 2 days;

    UnionMembership internal membership;
    ContributionLedger internal ledger;
    address internal admin = address(0xAD111);
    address internal steward = address(0x57E3);
    address internal stranger = address(0x5757);
    address internal alice = address(0xA11CE);
    address internal bob = address(0xB0B);
    address internal carol = address(0xCA201);

    function setUp() public {
        vm.warp(GENESIS - 1 days);
        membership = new UnionMembership("Data Union Membership", "DUM", admin);
        ledger = new ContributionLedger(IUnionMembership(address(membership)), GENESIS, LENGTH, GRACE, admin);
        bytes32 admissionsRole = membership.ADMISSIONS_ROLE();
        bytes32 recorderRole = ledger.RECORDER_ROLE();
        vm.startPrank(admin);
        membership.grantRole(admissionsRole, steward);
        ledger.grantRole(recorderRole, steward);
        vm.stopPrank();
        address[] memory accounts = new address[](3);
        accounts[0] = alice;
        accounts[1] = bob;
        accounts[2] = carol;
        vm.prank(steward);
        membership.admit(accounts);
        vm.warp(GENESIS);
    }

    // ================================================================== configuration and epochs

    function test_constructor_storesTheConfigurationAndOnlyTheAdminRole() public view {
        vm.assertEq(address(ledger.membership()), address(membership));
        vm.assertEq(uint256(ledger.genesis()), GENESIS);
        vm.assertEq(uint256(ledger.epochLength()), LENGTH);
        vm.assertEq(uint256(ledger.gracePeriod()), GRACE);
        vm.assertEq(ledger.lastEntryId(), 0);
        vm.assertEq(ledger.RECORDER_ROLE(), keccak256("RECORDER_ROLE"));
        vm.assertTrue(ledger.hasRole(ledger.DEFAULT_ADMIN_ROLE(), admin));
        vm.assertFalse(ledger.hasRole(ledger.RECORDER_ROLE(), admin));
    }

    function test_constructor_revertsForNoMembershipOrAZeroEpochLength() public {
        vm.expectRevert(
            abi.encodeWithSelector(IContributionLedger.LedgerInvalidConfiguration.selector, address(0), LENGTH)
        );
        new ContributionLedger(IUnionMembership(address(0)), GENESIS, LENGTH, GRACE, admin);
        vm.expectRevert(
            abi.encodeWithSelector(
                IContributionLedger.LedgerInvalidConfiguration.selector, address(membership), uint48(0)
            )
        );
        new ContributionLedger(IUnionMembership(address(membership)), GENESIS, 0, GRACE, admin);
    }

    function test_epochStartAndEnd_followGenesisPlusWholeEpochs() public view {
        vm.assertEq(ledger.epochStart(1), GENESIS);
        vm.assertEq(ledger.epochEnd(1), GENESIS + LENGTH);
        vm.assertEq(ledger.epochStart(2), GENESIS + LENGTH);
        vm.assertEq(ledger.epochStart(10), GENESIS + 9 * uint256(LENGTH));
        vm.assertEq(ledger.epochEnd(type(uint64).max), GENESIS + uint256(type(uint64).max) * LENGTH);
    }

    function test_epochStartAndEnd_revertForEpochZero() public {
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.LedgerInvalidEpoch.selector, uint64(0)));
        ledger.epochStart(0);
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.LedgerInvalidEpoch.selector, uint64(0)));
        ledger.epochEnd(0);
    }

    function test_epochAt_isZeroBeforeGenesisAndCountsFromOne() public view {
        vm.assertEq(ledger.epochAt(0), 0);
        vm.assertEq(ledger.epochAt(GENESIS - 1), 0);
        vm.assertEq(ledger.epochAt(GENESIS), 1);
        vm.assertEq(ledger.epochAt(GENESIS + LENGTH - 1), 1);
        vm.assertEq(ledger.epochAt(GENESIS + LENGTH), 2);
    }

    function test_currentEpoch_followsTheBlockTimestamp() public {
        vm.assertEq(ledger.currentEpoch(), 1);
        vm.warp(GENESIS - 1);
        vm.assertEq(ledger.currentEpoch(), 0);
        vm.warp(GENESIS + 3 * uint256(LENGTH) + 5);
        vm.assertEq(ledger.currentEpoch(), 4);
    }

    // ================================================================== record

    function test_record_emitsOneEntryPerIndexWithConsecutiveIdsFromOne() public {
        (address[] memory members, uint256[] memory units, bytes32[] memory evidence) = _batch3();
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IContributionLedger.ContributionRecorded(1, 1, alice, 10, keccak256("a"));
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IContributionLedger.ContributionRecorded(2, 1, bob, 20, keccak256("b"));
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IContributionLedger.ContributionRecorded(3, 1, carol, 30, keccak256("c"));
        vm.prank(steward);
        ledger.record(1, members, units, evidence);
        vm.assertEq(ledger.lastEntryId(), 3);

        vm.expectEmit(true, true, true, true, address(ledger));
        emit IContributionLedger.ContributionRecorded(4, 1, alice, 10, keccak256("a"));
        vm.prank(steward);
        ledger.record(1, members, units, evidence);
        vm.assertEq(ledger.lastEntryId(), 6);
    }

    function test_record_emptyBatchChangesNothing() public {
        vm.recordLogs();
        vm.prank(steward);
        ledger.record(1, new address[](0), new uint256[](0), new bytes32[](0));
        vm.assertEq(vm.getRecordedLogs().length, 0);
        vm.assertEq(ledger.lastEntryId(), 0);
    }

    function test_record_acceptsTheWholeEpochAndItsGraceWindow() public {
        (address[] memory members, uint256[] memory units, bytes32[] memory evidence) = _batch3();
        vm.startPrank(steward);
        ledger.record(1, members, units, evidence);
        vm.warp(GENESIS + LENGTH - 1);
        ledger.record(1, members, units, evidence);
        vm.warp(GENESIS + LENGTH);
        ledger.record(1, members, units, evidence);
        ledger.record(2, members, units, evidence);
        vm.warp(GENESIS + LENGTH + GRACE - 1);
        ledger.record(1, members, units, evidence);
        vm.stopPrank();
        vm.assertEq(ledger.lastEntryId(), 15);
    }

    function test_record_revertsAfterTheGraceWindow() public {
        (address[] memory members, uint256[] memory units, bytes32[] memory evidence) = _batch3();
        vm.warp(GENESIS + LENGTH + GRACE);
        vm.expectRevert(
            abi.encodeWithSelector(
                IContributionLedger.LedgerEpochClosed.selector, uint64(1), uint256(GENESIS + LENGTH + GRACE)
            )
        );
        vm.prank(steward);
        ledger.record(1, members, units, evidence);
    }

    function test_record_revertsBeforeTheEpochStarts() public {
        (address[] memory members, uint256[] memory units, bytes32[] memory evidence) = _batch3();
        vm.expectRevert(
            abi.encodeWithSelector(IContributionLedger.LedgerEpochNotStarted.selector, uint64(2), GENESIS + LENGTH)
        );
        vm.prank(steward);
        ledger.record(2, members, units, evidence);
        vm.warp(GENESIS - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IContributionLedger.LedgerEpochNotStarted.selector, uint64(1), uint256(GENESIS))
        );
        vm.prank(steward);
        ledger.record(1, members, units, evidence);
    }

    function test_record_revertsForEpochZero() public {
        (address[] memory members, uint256[] memory units, bytes32[] memory evidence) = _batch3();
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.LedgerInvalidEpoch.selector, uint64(0)));
        vm.prank(steward);
        ledger.record(0, members, units, evidence);
    }

    function test_record_revertsForAnEpochFarInTheFuture() public {
        (address[] memory members, uint256[] memory units, bytes32[] memory evidence) = _batch3();
        uint64 far = type(uint64).max;
        vm.expectRevert(
            abi.encodeWithSelector(
                IContributionLedger.LedgerEpochNotStarted.selector, far, GENESIS + uint256(far - 1) * LENGTH
            )
        );
        vm.prank(steward);
        ledger.record(far, members, units, evidence);
    }

    function test_record_revertsForCallerWithoutRecorderRole() public {
        (address[] memory members, uint256[] memory units, bytes32[] memory evidence) = _batch3();
        bytes32 recorderRole = ledger.RECORDER_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, recorderRole)
        );
        vm.prank(stranger);
        ledger.record(1, members, units, evidence);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, admin, recorderRole)
        );
        vm.prank(admin);
        ledger.record(1, members, units, evidence);
    }

    function test_record_revertsWhenTheArraysDifferInLength() public {
        (address[] memory members, uint256[] memory units, bytes32[] memory evidence) = _batch3();
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.LedgerLengthMismatch.selector, 3, 2, 3));
        vm.prank(steward);
        ledger.record(1, members, new uint256[](2), evidence);
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.LedgerLengthMismatch.selector, 3, 3, 4));
        vm.prank(steward);
        ledger.record(1, members, units, new bytes32[](4));
    }

    function test_record_revertsForANonMemberAndRecordsNothingOfTheBatch() public {
        (address[] memory members, uint256[] memory units, bytes32[] memory evidence) = _batch3();
        members[1] = stranger;
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.LedgerNotMember.selector, stranger));
        vm.prank(steward);
        ledger.record(1, members, units, evidence);
        vm.assertEq(ledger.lastEntryId(), 0);
    }

    function test_record_revertsForAFormerMember() public {
        vm.prank(bob);
        membership.resign();
        (address[] memory members, uint256[] memory units, bytes32[] memory evidence) = _batch3();
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.LedgerNotMember.selector, bob));
        vm.prank(steward);
        ledger.record(1, members, units, evidence);
    }

    function test_record_revertsForAMemberAddressWithDirtyUpperBits() public {
        (address[] memory members, uint256[] memory units, bytes32[] memory evidence) = _batch3();
        bytes memory data = abi.encodeCall(ledger.record, (1, members, units, evidence));
        // The head is selector + 4 words; members' length word follows at 4 + 4 * 32, its first element right after.
        uint256 firstMember = 4 + 5 * 32;
        data[firstMember] = 0x01;
        vm.prank(steward);
        (bool ok, bytes memory returned) = address(ledger).call(data);
        vm.assertFalse(ok);
        vm.assertEq(returned, abi.encodeWithSelector(IContributionLedger.LedgerNotMember.selector, alice));
        vm.assertEq(ledger.lastEntryId(), 0);
    }

    function test_record_revertsForZeroUnits() public {
        (address[] memory members, uint256[] memory units, bytes32[] memory evidence) = _batch3();
        units[2] = 0;
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.LedgerZeroUnits.selector, carol));
        vm.prank(steward);
        ledger.record(1, members, units, evidence);
    }

    // ================================================================== revoke

    function test_revoke_emitsARevocationPerIdNamingTheRecorder() public {
        _record3();
        uint256[] memory ids = new uint256[](2);
        ids[0] = 3;
        ids[1] = 1;
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IContributionLedger.ContributionRevoked(3, 1, steward);
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IContributionLedger.ContributionRevoked(1, 1, steward);
        vm.prank(steward);
        ledger.revoke(1, ids);
        vm.assertEq(ledger.lastEntryId(), 3);
    }

    function test_revoke_revertsForIdZeroAndIdsNotYetRecorded() public {
        _record3();
        uint256[] memory ids = new uint256[](1);
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.LedgerUnknownEntry.selector, 0));
        vm.prank(steward);
        ledger.revoke(1, ids);
        ids[0] = 4;
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.LedgerUnknownEntry.selector, 4));
        vm.prank(steward);
        ledger.revoke(1, ids);
    }

    function test_revoke_revertsForCallerWithoutRecorderRole() public {
        _record3();
        uint256[] memory ids = new uint256[](1);
        ids[0] = 1;
        bytes32 recorderRole = ledger.RECORDER_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, recorderRole)
        );
        vm.prank(alice);
        ledger.revoke(1, ids);
    }

    function test_revoke_revertsOutsideTheEpochWindow() public {
        _record3();
        uint256[] memory ids = new uint256[](1);
        ids[0] = 1;
        vm.warp(GENESIS + LENGTH + GRACE);
        vm.expectRevert(
            abi.encodeWithSelector(
                IContributionLedger.LedgerEpochClosed.selector, uint64(1), uint256(GENESIS + LENGTH + GRACE)
            )
        );
        vm.prank(steward);
        ledger.revoke(1, ids);
        vm.expectRevert(
            abi.encodeWithSelector(
                IContributionLedger.LedgerEpochNotStarted.selector, uint64(3), GENESIS + 2 * uint256(LENGTH)
            )
        );
        vm.prank(steward);
        ledger.revoke(3, ids);
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.LedgerInvalidEpoch.selector, uint64(0)));
        vm.prank(steward);
        ledger.revoke(0, ids);
    }

    // ================================================================== dispute

    function test_dispute_byAMemberEmitsTheReasonEvenAfterTheEpochClosed() public {
        _record3();
        vm.warp(GENESIS + 5 * uint256(LENGTH));
        vm.expectEmit(true, true, true, true, address(ledger));
        emit IContributionLedger.ContributionDisputed(2, 1, carol, "bob did not label these images");
        vm.prank(carol);
        ledger.dispute(1, 2, "bob did not label these images");
    }

    function test_dispute_revertsForANonMember() public {
        _record3();
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.LedgerNotMember.selector, stranger));
        vm.prank(stranger);
        ledger.dispute(1, 1, "no");
    }

    function test_dispute_revertsForAnUnknownEntry() public {
        _record3();
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.LedgerUnknownEntry.selector, 4));
        vm.prank(alice);
        ledger.dispute(1, 4, "no");
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.LedgerUnknownEntry.selector, 0));
        vm.prank(alice);
        ledger.dispute(1, 0, "no");
    }

    function test_dispute_revertsForEpochZeroOrAnEpochNotStarted() public {
        _record3();
        vm.expectRevert(abi.encodeWithSelector(IContributionLedger.LedgerInvalidEpoch.selector, uint64(0)));
        vm.prank(alice);
        ledger.dispute(0, 1, "no");
        vm.expectRevert(
            abi.encodeWithSelector(IContributionLedger.LedgerEpochNotStarted.selector, uint64(2), GENESIS + LENGTH)
        );
        vm.prank(alice);
        ledger.dispute(2, 1, "no");
    }

    // ================================================================== roles

    function test_grantRole_recorderRevertsForNonAdmin() public {
        bytes32 recorderRole = ledger.RECORDER_ROLE();
        bytes32 adminRole = ledger.DEFAULT_ADMIN_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, steward, adminRole)
        );
        vm.prank(steward);
        ledger.grantRole(recorderRole, stranger);
    }

    function test_revokeRole_byGovernanceStopsTheRecorder() public {
        bytes32 recorderRole = ledger.RECORDER_ROLE();
        vm.prank(admin);
        ledger.revokeRole(recorderRole, steward);
        (address[] memory members, uint256[] memory units, bytes32[] memory evidence) = _batch3();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, steward, recorderRole)
        );
        vm.prank(steward);
        ledger.record(1, members, units, evidence);
    }

    // ================================================================== fuzz

    /// @dev Random batches of random units for random members: every entry's event carries its inputs, ids run on
    /// without gaps across batches.
    function testFuzz_record_eventsCarryTheInputsWithConsecutiveIds(uint256 seed, uint8 batches) public {
        uint256 rounds = bound(batches, 1, 4);
        uint256 expectedId;
        address[3] memory pool = [alice, bob, carol];
        for (uint256 b; b < rounds; ++b) {
            uint256 n = uint256(keccak256(abi.encode(seed, b))) % 20;
            address[] memory members = new address[](n);
            uint256[] memory units = new uint256[](n);
            bytes32[] memory evidence = new bytes32[](n);
            for (uint256 i; i < n; ++i) {
                uint256 r = uint256(keccak256(abi.encode(seed, b, i)));
                members[i] = pool[r % 3];
                units[i] = bound(r >> 8, 1, type(uint256).max);
                evidence[i] = keccak256(abi.encode(r));
            }
            vm.recordLogs();
            vm.prank(steward);
            ledger.record(1, members, units, evidence);
            Vm.Log[] memory logs = vm.getRecordedLogs();
            vm.assertEq(logs.length, n);
            for (uint256 i; i < n; ++i) {
                ++expectedId;
                vm.assertEq(logs[i].topics[0], IContributionLedger.ContributionRecorded.selector);
                vm.assertEq(uint256(logs[i].topics[1]), expectedId);
                vm.assertEq(uint256(logs[i].topics[2]), 1);
                vm.assertEq(address(uint160(uint256(logs[i].topics[3]))), members[i]);
                (uint256 loggedUnits, bytes32 loggedEvidence) = abi.decode(logs[i].data, (uint256, bytes32));
                vm.assertEq(loggedUnits, units[i]);
                vm.assertEq(loggedEvidence, evidence[i]);
            }
            vm.assertEq(ledger.lastEntryId(), expectedId);
        }
    }

    /// @dev At any time, for any epoch, `record` succeeds exactly when start(e) <= now < end(e) + grace, and
    /// otherwise reverts with the error that names the reason.
    function testFuzz_record_isOpenExactlyFromTheEpochStartUntilTheGraceWindowEnds(uint64 epoch, uint256 when) public {
        epoch = uint64(bound(epoch, 0, 60));
        uint256 now_ = bound(when, GENESIS - 3 * uint256(LENGTH), GENESIS + 60 * uint256(LENGTH));
        vm.warp(now_);
        (address[] memory members, uint256[] memory units, bytes32[] memory evidence) = _batch3();
        if (epoch == 0) {
            vm.expectRevert(abi.encodeWithSelector(IContributionLedger.LedgerInvalidEpoch.selector, uint64(0)));
        } else {
            uint256 start = GENESIS + uint256(epoch - 1) * LENGTH;
            uint256 closesAt = start + LENGTH + GRACE;
            if (now_ < start) {
                vm.expectRevert(
                    abi.encodeWithSelector(IContributionLedger.LedgerEpochNotStarted.selector, epoch, start)
                );
            } else if (now_ >= closesAt) {
                vm.expectRevert(abi.encodeWithSelector(IContributionLedger.LedgerEpochClosed.selector, epoch, closesAt));
            }
        }
        vm.prank(steward);
        ledger.record(epoch, members, units, evidence);
    }

    // ================================================================== helpers

    function _batch3() internal view returns (address[] memory members, uint256[] memory units, bytes32[] memory ev) {
        members = new address[](3);
        units = new uint256[](3);
        ev = new bytes32[](3);
        (members[0], members[1], members[2]) = (alice, bob, carol);
        (units[0], units[1], units[2]) = (10, 20, 30);
        (ev[0], ev[1], ev[2]) = (keccak256("a"), keccak256("b"), keccak256("c"));
    }

    function _record3() internal {
        (address[] memory members, uint256[] memory units, bytes32[] memory evidence) = _batch3();
        vm.prank(steward);
        ledger.record(1, members, units, evidence);
    }
}
