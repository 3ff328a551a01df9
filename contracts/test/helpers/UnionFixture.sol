// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

import {ContributionLedger} from "../../src/ContributionLedger.sol";
import {DividendDistributor} from "../../src/DividendDistributor.sol";
import {UnionGovernor} from "../../src/UnionGovernor.sol";
import {UnionMembership} from "../../src/UnionMembership.sol";
import {UnionTreasury} from "../../src/UnionTreasury.sol";
import {IUnionTreasury} from "../../src/interfaces/IUnionTreasury.sol";
import {TestERC20} from "../../src/testing/TestERC20.sol";
import {Test} from "../utils/Test.sol";

/// @notice The whole union wired as DESIGN.md §1 says: the timelock (proposers and cancellers = the governor,
/// executors = anyone, no admin) holds DEFAULT_ADMIN_ROLE on membership and ledger and owns the treasury, which
/// created the distributor; the deployer (this fixture) keeps no role. Plus helpers to admit members and to run a
/// proposal through vote, queue and execution.
abstract contract UnionFixture is Test {
    uint48 internal constant GENESIS = 1_000_000;
    uint48 internal constant EPOCH_LENGTH = 7 days;
    uint48 internal constant GRACE_PERIOD = 1 days;
    uint48 internal constant VOTING_DELAY = 1 hours;
    uint32 internal constant VOTING_PERIOD = 3 days;
    uint256 internal constant QUORUM_PERCENT = 20;
    uint256 internal constant MIN_QUORUM = 3;
    uint48 internal constant LATE_QUORUM_EXTENSION = 1 days;
    uint256 internal constant TIMELOCK_DELAY = 2 days;
    string internal constant RESEARCH = "research";

    UnionMembership internal membership;
    ContributionLedger internal ledger;
    TimelockController internal timelock;
    UnionGovernor internal governor;
    UnionTreasury internal treasury;
    DividendDistributor internal distributor;
    TestERC20 internal revenueToken;
    bytes32 internal researchPurpose;

    address internal admissions = address(0xAD);
    address internal recorder = address(0xEC);
    address internal guardian = address(0x6A);
    address internal operations = address(0x0E);
    address internal buyer = address(0xB7);
    address internal outsider = address(0xBAD);

    address[] internal members;

    /// @dev Deploys and wires the union at `block.timestamp` (before GENESIS) with `memberCount` members admitted.
    function _deployUnion(uint256 memberCount) internal {
        _deployUnion(memberCount, QUORUM_PERCENT, MIN_QUORUM);
    }

    /// @dev As `_deployUnion(memberCount)`, with the given quorum percent and minimum quorum.
    function _deployUnion(uint256 memberCount, uint256 quorumPercent, uint256 minQuorum) internal {
        vm.warp(GENESIS - 10 days);
        membership = new UnionMembership("Data Union", "UNION", address(this));
        ledger = new ContributionLedger(membership, GENESIS, EPOCH_LENGTH, GRACE_PERIOD, address(this));

        address[] memory none = new address[](0);
        address[] memory anyone = new address[](1); // address(0): anyone may execute
        timelock = new TimelockController(TIMELOCK_DELAY, none, anyone, address(this));
        governor = new UnionGovernor(
            membership, timelock, VOTING_DELAY, VOTING_PERIOD, quorumPercent, minQuorum, LATE_QUORUM_EXTENSION, guardian
        );
        timelock.grantRole(timelock.PROPOSER_ROLE(), address(governor));
        timelock.grantRole(timelock.CANCELLER_ROLE(), address(governor));
        timelock.renounceRole(timelock.DEFAULT_ADMIN_ROLE(), address(this));

        treasury = new UnionTreasury(address(timelock), ledger, membership, _initialPolicy());
        distributor = DividendDistributor(payable(treasury.distributor()));

        researchPurpose = membership.registerPurpose(RESEARCH);
        membership.grantRole(membership.ADMISSIONS_ROLE(), admissions);
        membership.grantRole(membership.DEFAULT_ADMIN_ROLE(), address(timelock));
        membership.renounceRole(membership.DEFAULT_ADMIN_ROLE(), address(this));
        ledger.grantRole(ledger.RECORDER_ROLE(), recorder);
        ledger.grantRole(ledger.DEFAULT_ADMIN_ROLE(), address(timelock));
        ledger.renounceRole(ledger.DEFAULT_ADMIN_ROLE(), address(this));

        revenueToken = new TestERC20("Revenue", "REV");
        _admitMembers(memberCount);
        vm.warp(block.timestamp + 1); // admissions are in the past for every vote from here on
    }

    function _initialPolicy() internal view returns (IUnionTreasury.DividendPolicy memory) {
        return IUnionTreasury.DividendPolicy({
            reserveBps: 1_000, operationsBps: 500, floorBps: 2_000, capBps: 0, operationsAccount: operations
        });
    }

    function _admitMembers(uint256 count) internal {
        address[] memory batch = new address[](count);
        uint256 first = members.length;
        for (uint256 i = 0; i < count; ++i) {
            address member = vm.addr(_memberKey(first + i));
            members.push(member);
            batch[i] = member;
        }
        vm.prank(admissions);
        membership.admit(batch);
    }

    function _memberKey(uint256 index) internal pure returns (uint256) {
        return 0xA000 + index;
    }

    /// @dev A one-call proposal.
    function _single(address target, bytes memory data)
        internal
        pure
        returns (address[] memory targets, uint256[] memory values, bytes[] memory calldatas)
    {
        targets = new address[](1);
        targets[0] = target;
        values = new uint256[](1);
        calldatas = new bytes[](1);
        calldatas[0] = data;
    }

    /// @dev Proposes as member 0 and moves time past the voting delay; returns the proposal id.
    function _proposeAndStartVoting(address target, bytes memory data, string memory description)
        internal
        returns (uint256 proposalId)
    {
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _single(target, data);
        vm.prank(members[0]);
        proposalId = governor.propose(targets, values, calldatas, description);
        vm.warp(block.timestamp + VOTING_DELAY + 1);
    }

    /// @dev Every member votes for, voting closes and the proposal is queued in the timelock.
    function _passAndQueue(address target, bytes memory data, string memory description)
        internal
        returns (uint256 proposalId)
    {
        proposalId = _proposeAndStartVoting(target, data, description);
        for (uint256 i = 0; i < members.length; ++i) {
            vm.prank(members[i]);
            governor.castVote(proposalId, 1);
        }
        vm.warp(governor.proposalDeadline(proposalId) + 1);
        vm.assertEq(uint256(governor.state(proposalId)), uint256(IGovernor.ProposalState.Succeeded));
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _single(target, data);
        governor.queue(targets, values, calldatas, keccak256(bytes(description)));
    }

    /// @dev Runs a one-call proposal all the way: vote, queue, delay, execution (by an outsider: anyone executes).
    function _govern(address target, bytes memory data, string memory description)
        internal
        returns (uint256 proposalId)
    {
        proposalId = _passAndQueue(target, data, description);
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _single(target, data);
        vm.prank(outsider);
        governor.execute(targets, values, calldatas, keccak256(bytes(description)));
    }
}
