// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IContributionLedger} from "./interfaces/IContributionLedger.sol";
import {IUnionMembership} from "./interfaces/IUnionMembership.sol";

/// @title ContributionLedger
/// @notice Members' contributions per epoch, recorded as events. See {IContributionLedger} for the semantics.
/// @dev Storage is one word, the running entry id, written once per batch: an entry costs its event, its calldata
/// and one membership read.
contract ContributionLedger is IContributionLedger, AccessControl {
    /// @inheritdoc IContributionLedger
    bytes32 public constant RECORDER_ROLE = keccak256("RECORDER_ROLE");

    IUnionMembership private immutable _membership;
    uint48 private immutable _genesis;
    uint48 private immutable _epochLength;
    uint48 private immutable _gracePeriod;

    /// @dev `ContributionRecorded.selector` as a literal, so `record`'s assembly can log it (a test checks it).
    bytes32 private constant _CONTRIBUTION_RECORDED =
        0x77706f0deebe33f1d0ca99f2a3957248ce5191020df68ca94da156fc501361ef;

    uint256 private _lastEntryId;

    /// @param membership_ The membership whose current members may receive entries and dispute them.
    /// @param genesis_ The timestamp at which epoch 1 starts.
    /// @param epochLength_ The length of every epoch in seconds (not zero).
    /// @param gracePeriod_ How long after its end an epoch still accepts records and revocations, in seconds.
    /// @param initialAdmin Receives `DEFAULT_ADMIN_ROLE` (the timelock, or the deployer until it hands over).
    constructor(
        IUnionMembership membership_,
        uint48 genesis_,
        uint48 epochLength_,
        uint48 gracePeriod_,
        address initialAdmin
    ) {
        if (address(membership_) == address(0) || epochLength_ == 0) {
            revert LedgerInvalidConfiguration(address(membership_), epochLength_);
        }
        _membership = membership_;
        _genesis = genesis_;
        _epochLength = epochLength_;
        _gracePeriod = gracePeriod_;
        _grantRole(DEFAULT_ADMIN_ROLE, initialAdmin);
    }

    // ================================================================== entries

    /// @inheritdoc IContributionLedger
    function record(uint64 epoch, address[] calldata members, uint256[] calldata units, bytes32[] calldata evidence)
        external
        onlyRole(RECORDER_ROLE)
    {
        // Checks: the epoch is open and the arrays are parallel.
        _requireOpen(epoch);
        uint256 count = members.length;
        if (units.length != count || evidence.length != count) {
            revert LedgerLengthMismatch(count, units.length, evidence.length);
        }
        // Effects: allocate the batch's ids with one write. The per-entry checks below revert the whole batch, and
        // the membership calls are read-only (STATICCALL) to the immutable membership, so nothing can re-enter.
        uint256 entryId = _lastEntryId;
        _lastEntryId = entryId + count;
        for (uint256 i; i < count;) {
            // The three arrays have `count` elements each (checked above), so element i of each is at offset 32 * i.
            // Reading them and logging in assembly skips per-element bounds checks and memory encoding: about 400
            // gas per entry of the 7,500 budget. `epoch` was validated by the ABI decoder; an address with dirty
            // upper bits is malformed calldata and is rejected as a non-member.
            uint256 rawMember;
            uint256 amount;
            bytes32 evidenceHash;
            assembly ("memory-safe") {
                let offset := shl(5, i)
                rawMember := calldataload(add(members.offset, offset))
                amount := calldataload(add(units.offset, offset))
                evidenceHash := calldataload(add(evidence.offset, offset))
            }
            // casting to 'uint160' is safe because a wider value is rejected on the next line
            // forge-lint: disable-next-line(unsafe-typecast)
            address member = address(uint160(rawMember));
            if (rawMember != uint256(uint160(member)) || !_isMember(member)) revert LedgerNotMember(member);
            if (amount == 0) revert LedgerZeroUnits(member);
            unchecked {
                ++entryId;
                ++i;
            }
            // emit ContributionRecorded(entryId, epoch, member, amount, evidenceHash);
            assembly ("memory-safe") {
                mstore(0x00, amount)
                mstore(0x20, evidenceHash)
                log4(0x00, 0x40, _CONTRIBUTION_RECORDED, entryId, epoch, member)
            }
        }
    }

    /// @inheritdoc IContributionLedger
    function revoke(uint64 epoch, uint256[] calldata entryIds) external onlyRole(RECORDER_ROLE) {
        // Checks: the epoch is open; each id is known (checked as it is emitted: one bad id reverts all).
        _requireOpen(epoch);
        uint256 lastId = _lastEntryId;
        uint256 count = entryIds.length;
        for (uint256 i; i < count;) {
            uint256 entryId = entryIds[i];
            if (entryId == 0 || entryId > lastId) revert LedgerUnknownEntry(entryId);
            emit ContributionRevoked(entryId, epoch, msg.sender);
            unchecked {
                ++i;
            }
        }
    }

    /// @inheritdoc IContributionLedger
    function dispute(uint64 epoch, uint256 entryId, string calldata reason) external {
        // Checks: a current member, an epoch that has started, a known entry.
        if (!_membership.isMember(msg.sender)) revert LedgerNotMember(msg.sender);
        uint256 startsAt = epochStart(epoch);
        // forge-lint: disable-next-line(block-timestamp) epochs are timestamp windows by design (DESIGN.md §2)
        if (block.timestamp < startsAt) revert LedgerEpochNotStarted(epoch, startsAt);
        if (entryId == 0 || entryId > _lastEntryId) revert LedgerUnknownEntry(entryId);
        emit ContributionDisputed(entryId, epoch, msg.sender, reason);
    }

    /// @inheritdoc IContributionLedger
    function lastEntryId() external view returns (uint256) {
        return _lastEntryId;
    }

    // ================================================================== configuration and epochs

    /// @inheritdoc IContributionLedger
    function membership() external view returns (IUnionMembership) {
        return _membership;
    }

    /// @inheritdoc IContributionLedger
    function genesis() external view returns (uint48) {
        return _genesis;
    }

    /// @inheritdoc IContributionLedger
    function epochLength() external view returns (uint48) {
        return _epochLength;
    }

    /// @inheritdoc IContributionLedger
    function gracePeriod() external view returns (uint48) {
        return _gracePeriod;
    }

    /// @inheritdoc IContributionLedger
    function epochStart(uint64 epoch) public view returns (uint256) {
        if (epoch == 0) revert LedgerInvalidEpoch(0);
        // At most 2^48 + 2^64 * 2^48: no overflow.
        return uint256(_genesis) + uint256(epoch - 1) * _epochLength;
    }

    /// @inheritdoc IContributionLedger
    function epochEnd(uint64 epoch) public view returns (uint256) {
        return epochStart(epoch) + _epochLength;
    }

    /// @inheritdoc IContributionLedger
    function epochAt(uint256 timestamp) public view returns (uint64) {
        if (timestamp < _genesis) return 0;
        return SafeCast.toUint64((timestamp - _genesis) / _epochLength + 1);
    }

    /// @inheritdoc IContributionLedger
    function currentEpoch() external view returns (uint64) {
        return epochAt(block.timestamp);
    }

    // ================================================================== internal

    /// @dev `_membership.isMember(account)` without allocating memory: the call data and the answer fit in the
    /// scratch space, which saves a few hundred gas per entry (DESIGN.md's gas budget for `record`). A failed
    /// call or a short answer counts as "not a member".
    function _isMember(address account) private view returns (bool result) {
        bytes4 selector = IUnionMembership.isMember.selector;
        IUnionMembership membership_ = _membership;
        assembly ("memory-safe") {
            mstore(0x00, selector)
            mstore(0x04, account)
            let ok := staticcall(gas(), membership_, 0x00, 0x24, 0x00, 0x20)
            result := and(and(ok, gt(returndatasize(), 0x1f)), eq(mload(0x00), 1))
        }
    }

    /// @dev Reverts unless entries for `epoch` may be recorded or revoked now:
    /// `epochStart(epoch) <= block.timestamp < epochEnd(epoch) + gracePeriod`.
    function _requireOpen(uint64 epoch) private view {
        uint256 startsAt = epochStart(epoch);
        // forge-lint: disable-next-line(block-timestamp) epochs are timestamp windows by design (DESIGN.md §2)
        if (block.timestamp < startsAt) revert LedgerEpochNotStarted(epoch, startsAt);
        uint256 closedAt = startsAt + _epochLength + _gracePeriod;
        // forge-lint: disable-next-line(block-timestamp) epochs are timestamp windows by design (DESIGN.md §2)
        if (block.timestamp >= closedAt) revert LedgerEpochClosed(epoch, closedAt);
    }
}
