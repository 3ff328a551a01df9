// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IUnionMembership} from "./IUnionMembership.sol";

/// @title The union's contribution ledger: members' recorded work, as events, per epoch
/// @notice Time is cut into epochs of fixed length numbered from 1: epoch `e` covers the timestamps
/// `[epochStart(e), epochEnd(e))` with `epochStart(e) = genesis + (e - 1) * epochLength` and
/// `epochEnd(e) = epochStart(e) + epochLength`. Entries for `e` may be recorded or revoked while
/// `epochStart(e) <= block.timestamp < epochEnd(e) + gracePeriod`; after that they are final.
///
/// Entries live only in events (`ContributionRecorded`); storage holds just the running entry id (the first entry
/// is 1). Epoch totals are derived off-chain from the events: an entry counts for its epoch unless a
/// `ContributionRevoked` with the same entry id AND the same epoch exists. The ledger stores no entry-to-epoch map,
/// so it cannot check that a revocation names the entry's own epoch; a revocation naming another epoch is
/// recorded but counts for nothing. Disputes are signals for people (events), they change no totals.
///
/// Roles (OpenZeppelin AccessControl): `DEFAULT_ADMIN_ROLE` is governance (the timelock) and grants or revokes
/// `RECORDER_ROLE`, which records and revokes entries.
interface IContributionLedger is IAccessControl {
    // ------------------------------------------------------------------ errors

    /// @notice The constructor was given an unusable configuration: no membership contract or a zero epoch length.
    error LedgerInvalidConfiguration(address membership, uint48 epochLength);

    /// @notice Epoch ids start at 1; `epoch` is not one.
    error LedgerInvalidEpoch(uint64 epoch);

    /// @notice `epoch` has not started yet: it opens at `startsAt`.
    error LedgerEpochNotStarted(uint64 epoch, uint256 startsAt);

    /// @notice `epoch` and its grace window are over (since `closedAt`): its entries are final.
    error LedgerEpochClosed(uint64 epoch, uint256 closedAt);

    /// @notice The parallel arrays of a `record` call differ in length.
    error LedgerLengthMismatch(uint256 members, uint256 units, uint256 evidence);

    /// @notice `account` is not a current member.
    error LedgerNotMember(address account);

    /// @notice An entry for `member` has zero units.
    error LedgerZeroUnits(address member);

    /// @notice No entry has id `entryId` (ids run from 1 to `lastEntryId()`).
    error LedgerUnknownEntry(uint256 entryId);

    // ------------------------------------------------------------------ events

    /// @notice Entry `entryId` records `units` of contribution by `member` in `epoch`; `evidence` is the hash of the
    /// off-chain evidence (e.g. a content hash of the contributed data).
    event ContributionRecorded(
        uint256 indexed entryId, uint64 indexed epoch, address indexed member, uint256 units, bytes32 evidence
    );

    /// @notice `recorder` revoked entry `entryId` of `epoch`. Counts only if `epoch` is the entry's own epoch.
    event ContributionRevoked(uint256 indexed entryId, uint64 indexed epoch, address indexed recorder);

    /// @notice Member `disputer` disputes entry `entryId` (claimed to belong to `epoch`) for `reason`.
    event ContributionDisputed(uint256 indexed entryId, uint64 indexed epoch, address indexed disputer, string reason);

    // ------------------------------------------------------------------ configuration

    /// @notice The role that may record and revoke entries: `keccak256("RECORDER_ROLE")`.
    function RECORDER_ROLE() external view returns (bytes32);

    /// @notice The membership contract whose current members may receive entries and dispute them.
    function membership() external view returns (IUnionMembership);

    /// @notice The timestamp at which epoch 1 starts.
    function genesis() external view returns (uint48);

    /// @notice The length of every epoch, in seconds.
    function epochLength() external view returns (uint48);

    /// @notice How long after its end an epoch still accepts records and revocations, in seconds.
    function gracePeriod() external view returns (uint48);

    // ------------------------------------------------------------------ epochs

    /// @notice The first timestamp of `epoch`: `genesis + (epoch - 1) * epochLength`.
    /// @dev Reverts with `LedgerInvalidEpoch(0)` for epoch 0. Returned as uint256 so no epoch id can overflow it.
    function epochStart(uint64 epoch) external view returns (uint256);

    /// @notice The first timestamp after `epoch`: `epochStart(epoch) + epochLength`. Records stay open until
    /// `epochEnd(epoch) + gracePeriod`.
    /// @dev Reverts with `LedgerInvalidEpoch(0)` for epoch 0.
    function epochEnd(uint64 epoch) external view returns (uint256);

    /// @notice The epoch containing `timestamp` (0 before genesis).
    function epochAt(uint256 timestamp) external view returns (uint64);

    /// @notice The epoch containing this block's timestamp (0 before genesis).
    function currentEpoch() external view returns (uint64);

    /// @notice The id of the latest entry (0 before the first; entry ids run from 1).
    function lastEntryId() external view returns (uint256);

    // ------------------------------------------------------------------ entries

    /// @notice Records one entry per index: `units[i]` of contribution by `members[i]` in `epoch`, with evidence hash
    /// `evidence[i]`. Entry ids are consecutive, from `lastEntryId() + 1`, in array order; each emits
    /// `ContributionRecorded`.
    /// @dev Only `RECORDER_ROLE`, while `epoch` is open. Reverts with `LedgerInvalidEpoch(0)`,
    /// `LedgerEpochNotStarted(epoch, startsAt)`, `LedgerEpochClosed(epoch, closedAt)`,
    /// `LedgerLengthMismatch(members, units, evidence)`, `LedgerNotMember(member)` for an account that is not a member
    /// now, or `LedgerZeroUnits(member)`; the whole batch is then rejected.
    function record(uint64 epoch, address[] calldata members, uint256[] calldata units, bytes32[] calldata evidence)
        external;

    /// @notice Revokes the entries `entryIds` of `epoch`, emitting `ContributionRevoked` for each. A revocation counts
    /// off-chain only if `epoch` is the entry's own epoch (the ledger keeps no entry-to-epoch map to check it);
    /// revoking twice changes nothing.
    /// @dev Only `RECORDER_ROLE`, while `epoch` is open (same window and errors as `record`). Reverts with
    /// `LedgerUnknownEntry(id)` for id 0 or an id above `lastEntryId()`.
    function revoke(uint64 epoch, uint256[] calldata entryIds) external;

    /// @notice A current member disputes entry `entryId` of `epoch`, giving `reason`; emits `ContributionDisputed`.
    /// Any time, also after the epoch closed (a dispute changes no totals, it asks people to look).
    /// @dev Reverts with `LedgerNotMember(msg.sender)` for a non-member, `LedgerInvalidEpoch(0)` for epoch 0,
    /// `LedgerEpochNotStarted(epoch, startsAt)` for an epoch that has not started (it can hold no entries) and
    /// `LedgerUnknownEntry(entryId)` for an unknown id.
    function dispute(uint64 epoch, uint256 entryId, string calldata reason) external;
}
