// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";
import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";

/// @title The union's membership: one non-transferable card, one vote, and data-use consent per member
/// @notice Each member holds one membership card. It reads like an ERC-721 token (wallets show it; its id is
/// `uint256(uint160(member))`), but it cannot be transferred or approved. Admission mints it (`Transfer` from the
/// zero address), resignation and expulsion burn it (`Transfer` to the zero address, then `MemberLeft`).
///
/// Votes follow IERC5805 on the timestamp clock (ERC-6372), so OpenZeppelin's `GovernorVotes` counts them: every
/// member has one voting unit from the timestamp of admission until it leaves, with no delegation transaction
/// needed. A member may delegate its unit to another current member. An address that is not a member at a
/// timepoint has no votes at that timepoint, whatever was delegated to it:
/// `getPastVotes(a, t) = isMemberAt(a, t) ? (delegatedAway(a, t) ? 0 : 1) + unitsDelegatedIn(a, t) : 0`.
/// When a member leaves, its unit leaves with it (it is removed from its delegate). Units delegated to a member
/// who then leaves stay with that departed member, counting for nobody, until their owners re-delegate or the
/// departed member is re-admitted. `getPastTotalSupply` counts members, so those dead units still count toward a
/// quorum's base. `DelegateVotesChanged` is emitted whenever an account's `getVotes` changes, admission and
/// departure included, so the event stream alone reproduces every account's votes. `delegate` and
/// `delegateBySig` (IVotes, EIP-712 `Delegation` as in OpenZeppelin's `Votes`) revert with
/// `MembershipNotMember(delegator)` unless the delegator is a current member and with
/// `MembershipDelegateNotMember(delegatee)` unless the delegatee is one; delegating to oneself takes the unit back.
/// `delegates(a)` is `a` itself for a member that has not delegated, and the zero address for a non-member.
///
/// Consent: for every registered purpose (id = `keccak256(bytes(name))`) a member opts in or out; each change is
/// checkpointed so `consentAt` answers for any past timepoint. The default is no consent. The "general" purpose
/// (id `bytes32(0)`) needs no registration and no consent. Consent is the person's standing choice: it is kept when
/// a member leaves and applies again if it is re-admitted (only current members can change it, and only members
/// with recorded contributions share in revenue). A consent change is made directly by the member or by
/// anyone submitting the member's EIP-712 signature (domain name "UnionMembership", version "1"); both use up the
/// member's next nonce, which `delegateBySig` shares.
///
/// Roles (OpenZeppelin AccessControl): `DEFAULT_ADMIN_ROLE` is governance (the timelock) and expels members,
/// registers purposes and grants roles; `ADMISSIONS_ROLE` admits members.
interface IUnionMembership is IAccessControl, IERC5267, IERC5805, IERC721Metadata {
    // ------------------------------------------------------------------ errors

    /// @notice `account` cannot be a member (it is the zero address).
    error MembershipInvalidMember(address account);

    /// @notice `account` is already a current member and cannot be admitted again.
    error MembershipAlreadyMember(address account);

    /// @notice `account` is not a current member, but the call requires it to be one.
    error MembershipNotMember(address account);

    /// @notice Votes may only be delegated to a current member; `delegatee` is not one.
    error MembershipDelegateNotMember(address delegatee);

    /// @notice A purpose with this id (the keccak256 of its name) is already registered.
    error MembershipPurposeExists(bytes32 purposeId);

    /// @notice A purpose name may be neither empty nor "general" (the built-in purpose with id zero).
    error MembershipInvalidPurpose(string name);

    /// @notice `purposeId` is not a registered purpose (the general purpose, id zero, takes no consent).
    error MembershipUnknownPurpose(bytes32 purposeId);

    /// @notice The consent signature's `deadline` has passed.
    error MembershipExpiredSignature(uint256 deadline);

    /// @notice The consent signature was not made by `member` (an EOA signature or an EIP-1271 approval).
    error MembershipInvalidSignature(address member);

    /// @notice A past-state lookup asked about `timepoint`, which is not yet in the past (`clock` is now).
    error MembershipFutureLookup(uint256 timepoint, uint48 clock);

    /// @notice Membership cards cannot be transferred or approved; `tokenId` is the card concerned (0 for an
    /// operator approval, which names no card).
    error MembershipNonTransferable(uint256 tokenId);

    /// @notice No current member holds the card `tokenId`.
    error MembershipNonexistentToken(uint256 tokenId);

    // ------------------------------------------------------------------ events

    /// @notice `member` left the union: it resigned (`expelled` false) or governance expelled it (`expelled` true).
    /// Emitted right after the burn `Transfer(member, address(0), tokenId)`.
    event MemberLeft(address indexed member, bool expelled);

    /// @notice Governance registered the data-use purpose `name`; `purposeId` is `keccak256(bytes(name))`.
    event PurposeRegistered(bytes32 indexed purposeId, string name);

    /// @notice `member` granted (`granted` true) or withdrew its consent to `purposeId`, effective from this
    /// block's timestamp. Emitted for every consent call, even one that repeats the current value.
    event ConsentChanged(address indexed member, bytes32 indexed purposeId, bool granted);

    // ------------------------------------------------------------------ roles and constants

    /// @notice The role that may admit members: `keccak256("ADMISSIONS_ROLE")`.
    function ADMISSIONS_ROLE() external view returns (bytes32);

    /// @notice EIP-712 typehash of a consent change:
    /// `keccak256("Consent(address member,bytes32 purposeId,bool granted,uint256 nonce,uint256 deadline)")`.
    function CONSENT_TYPEHASH() external view returns (bytes32);

    /// @notice EIP-712 typehash of a delegation, as in OpenZeppelin's `Votes`:
    /// `keccak256("Delegation(address delegatee,uint256 nonce,uint256 expiry)")`.
    function DELEGATION_TYPEHASH() external view returns (bytes32);

    /// @notice The EIP-712 domain separator (name "UnionMembership", version "1", this chain, this contract).
    function DOMAIN_SEPARATOR() external view returns (bytes32);

    // ------------------------------------------------------------------ membership

    /// @notice Admits every account in `accounts`, each from this block's timestamp, with one vote and no consent.
    /// Emits `Transfer(address(0), account, uint256(uint160(account)))` and
    /// `DelegateVotesChanged(account, 0, votes)` per account. A former member may be re-admitted; units still
    /// delegated to it count again.
    /// @dev Only `ADMISSIONS_ROLE`. Reverts with `MembershipInvalidMember(address(0))` for the zero address and
    /// `MembershipAlreadyMember(account)` for a current member (a duplicate within the batch included): the whole
    /// batch is then rejected.
    /// @param accounts The accounts to admit.
    function admit(address[] calldata accounts) external;

    /// @notice The caller leaves the union: its card is burnt, its vote ends now (and leaves its delegate).
    /// @dev Reverts with `MembershipNotMember(msg.sender)` unless the caller is a current member.
    function resign() external;

    /// @notice Governance removes `member` from the union, exactly as if it had resigned, but `MemberLeft`
    /// says `expelled`.
    /// @dev Only `DEFAULT_ADMIN_ROLE` (the timelock). Reverts with `MembershipNotMember(member)` unless `member` is a
    /// current member.
    /// @param member The member to expel.
    function expel(address member) external;

    /// @notice Whether `account` is a member now.
    function isMember(address account) external view returns (bool);

    /// @notice Whether `account` was a member at the end of `timepoint` (a timestamp): admitted at or before it and
    /// not gone by then. Exact for every past term of a re-admitted member.
    /// @dev Reverts with `MembershipFutureLookup(timepoint, clock())` unless `timepoint < clock()`.
    function isMemberAt(address account, uint256 timepoint) external view returns (bool);

    /// @notice The timestamp at which `account`'s current membership began, or 0 if it is not a member now.
    function memberSince(address account) external view returns (uint48);

    /// @notice The number of members now (equal to `totalSupply()`).
    function memberCount() external view returns (uint256);

    /// @notice The number of membership cards now (one per member).
    function totalSupply() external view returns (uint256);

    // ------------------------------------------------------------------ purposes and consent

    /// @notice Registers the data-use purpose named `purpose` so members can consent to it and revenue can be paid
    /// for it. Emits `PurposeRegistered(keccak256(bytes(purpose)), purpose)`.
    /// @dev Only `DEFAULT_ADMIN_ROLE`. Reverts with `MembershipInvalidPurpose(purpose)` for "" or "general" and
    /// `MembershipPurposeExists(id)` if it is already registered.
    /// @param purpose Human-readable purpose name, e.g. "ai-training".
    /// @return purposeId `keccak256(bytes(purpose))`.
    function registerPurpose(string calldata purpose) external returns (bytes32 purposeId);

    /// @notice Whether `purposeId` is a registered purpose (false for the general purpose, id zero).
    function isPurpose(bytes32 purposeId) external view returns (bool);

    /// @notice The name `purposeId` was registered with ("" if it is not registered, "general" for id zero).
    function purposeName(bytes32 purposeId) external view returns (string memory);

    /// @notice The caller grants or withdraws its consent to `purposeId`, from this block's timestamp.
    /// Uses up the caller's next nonce, so a signed consent change not yet submitted can no longer be.
    /// @dev Reverts with `MembershipNotMember(msg.sender)` for a non-member and `MembershipUnknownPurpose(id)` for an
    /// unregistered purpose (including the general purpose, which takes no consent).
    function setConsent(bytes32 purposeId, bool granted) external;

    /// @notice Submits `member`'s signed consent change; anyone may call it (relays pay the gas).
    /// The signature is EIP-712 over
    /// `Consent(address member,bytes32 purposeId,bool granted,uint256 nonce,uint256 deadline)` in this contract's
    /// domain, by the member's EOA key or approved by its EIP-1271 wallet.
    /// @dev Reverts with `MembershipExpiredSignature(deadline)` if `block.timestamp > deadline`,
    /// `MembershipInvalidSignature(member)` for a bad signature, `InvalidAccountNonce(member, current)` unless
    /// `nonce` is the member's next nonce, `MembershipNotMember(member)` and `MembershipUnknownPurpose(id)` as
    /// `setConsent` does.
    function setConsentBySig(
        address member,
        bytes32 purposeId,
        bool granted,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice Whether `member`'s consent to `purposeId` is on now (always true for the general purpose, id zero).
    function consentOf(address member, bytes32 purposeId) external view returns (bool);

    /// @notice Whether `member`'s consent to `purposeId` was on at the end of `timepoint`: changes with a timestamp
    /// equal to `timepoint` are included, as in `getPastVotes`. To take only changes strictly before a time `s`,
    /// ask at `s - 1`. Always true for the general purpose (id zero).
    /// @dev Reverts with `MembershipFutureLookup(timepoint, clock())` unless `timepoint < clock()`.
    function consentAt(address member, bytes32 purposeId, uint256 timepoint) external view returns (bool);

    /// @notice The next unused nonce of `owner`, for `setConsentBySig` and `delegateBySig` (they share it).
    function nonces(address owner) external view returns (uint256);
}
