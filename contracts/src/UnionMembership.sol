// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC6372} from "@openzeppelin/contracts/interfaces/IERC6372.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";

import {IUnionMembership} from "./interfaces/IUnionMembership.sol";

/// @title UnionMembership
/// @notice One non-transferable membership card and one vote per member, plus checkpointed data-use consent.
/// See {IUnionMembership} for the semantics.
/// @dev Our own accounting behind OpenZeppelin's interfaces (IERC5805, IERC6372, the ERC-721 read surface) so that
/// admission costs one storage slot per member: OZ `ERC721Votes` would write a token owner, a balance and delegation
/// checkpoints for each member (about 122k gas), we write `Member` only.
///
/// Storage:
/// - `_members[a]`: the current (or last) term and the delegate, in one slot. `delegate == address(0)` means "self",
///   so a new member votes with no delegation state written.
/// - `_pastTerms[a]`: earlier terms of a re-admitted member (value 1 from admission, 0 from departure), pushed only
///   on re-admission, so `isMemberAt` stays exact for the past.
/// - `_memberCounts`: the number of members over time, pushed once per admission batch.
/// - `_voteStates[a]`: `(unitsDelegatedIn << 1) | delegatedAway` over time; written only when someone delegates,
///   leaves while delegating, or receives/loses a delegated unit. Absent means "own unit, nothing delegated in".
/// - `_consents[a][p]`: 1 while consent to purpose `p` is on, over time.
contract UnionMembership is IUnionMembership, AccessControl, EIP712, Nonces {
    using Checkpoints for Checkpoints.Trace208;

    /// @dev One slot: 6 + 6 + 20 bytes. `leftAt == 0` while the term lasts (clock() is never 0).
    struct Member {
        uint48 joinedAt;
        uint48 leftAt;
        address delegate;
    }

    /// @inheritdoc IUnionMembership
    bytes32 public constant ADMISSIONS_ROLE = keccak256("ADMISSIONS_ROLE");
    /// @inheritdoc IUnionMembership
    bytes32 public constant CONSENT_TYPEHASH =
        keccak256("Consent(address member,bytes32 purposeId,bool granted,uint256 nonce,uint256 deadline)");
    /// @inheritdoc IUnionMembership
    bytes32 public constant DELEGATION_TYPEHASH =
        keccak256("Delegation(address delegatee,uint256 nonce,uint256 expiry)");

    bytes32 private constant _GENERAL_PURPOSE = bytes32(0);
    bytes32 private constant _GENERAL_NAME_HASH = keccak256("general");

    string private _name;
    string private _symbol;

    mapping(address account => Member) private _members;
    mapping(address account => Checkpoints.Trace208) private _pastTerms;
    Checkpoints.Trace208 private _memberCounts;
    mapping(address account => Checkpoints.Trace208) private _voteStates;
    mapping(bytes32 purposeId => string) private _purposeNames;
    mapping(address member => mapping(bytes32 purposeId => Checkpoints.Trace208)) private _consents;

    /// @param name_ The card's ERC-721 name (e.g. "Data Union Membership").
    /// @param symbol_ The card's ERC-721 symbol.
    /// @param initialAdmin Receives `DEFAULT_ADMIN_ROLE` (the timelock, or the deployer until it hands over).
    constructor(string memory name_, string memory symbol_, address initialAdmin) EIP712("UnionMembership", "1") {
        _name = name_;
        _symbol = symbol_;
        _grantRole(DEFAULT_ADMIN_ROLE, initialAdmin);
    }

    // ================================================================== membership

    /// @inheritdoc IUnionMembership
    function admit(address[] calldata accounts) external onlyRole(ADMISSIONS_ROLE) {
        uint48 now_ = clock();
        uint256 count = accounts.length;
        for (uint256 i; i < count;) {
            _admit(accounts[i], now_);
            unchecked {
                ++i;
            }
        }
        // One member-count checkpoint for the whole batch.
        if (count != 0) _memberCounts.push(now_, SafeCast.toUint208(_memberCounts.latest() + count));
    }

    /// @inheritdoc IUnionMembership
    function resign() external {
        _leave(msg.sender, false);
    }

    /// @inheritdoc IUnionMembership
    function expel(address member) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _leave(member, true);
    }

    /// @inheritdoc IUnionMembership
    function isMember(address account) public view returns (bool) {
        // Read through a storage pointer (one SLOAD, no memory copy): the ledger calls this once per entry.
        Member storage m = _members[account];
        return m.joinedAt != 0 && m.leftAt == 0;
    }

    /// @inheritdoc IUnionMembership
    function isMemberAt(address account, uint256 timepoint) external view returns (bool) {
        return _isMemberAt(account, _pastTimepoint(timepoint));
    }

    /// @inheritdoc IUnionMembership
    function memberSince(address account) external view returns (uint48) {
        Member memory m = _members[account];
        return _isCurrent(m) ? m.joinedAt : 0;
    }

    /// @inheritdoc IUnionMembership
    function memberCount() external view returns (uint256) {
        return _memberCounts.latest();
    }

    /// @inheritdoc IUnionMembership
    function totalSupply() external view returns (uint256) {
        return _memberCounts.latest();
    }

    // ================================================================== votes (IERC5805, IERC6372)

    /// @inheritdoc IERC6372
    function clock() public view returns (uint48) {
        return Time.timestamp();
    }

    /// @inheritdoc IERC6372
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() external pure returns (string memory) {
        return "mode=timestamp";
    }

    /// @inheritdoc IVotes
    function getVotes(address account) external view returns (uint256) {
        if (!isMember(account)) return 0;
        return _votesOf(_voteStates[account].latest());
    }

    /// @inheritdoc IVotes
    function getPastVotes(address account, uint256 timepoint) external view returns (uint256) {
        uint48 t = _pastTimepoint(timepoint);
        if (!_isMemberAt(account, t)) return 0;
        return _votesOf(_voteStates[account].upperLookupRecent(t));
    }

    /// @inheritdoc IVotes
    function getPastTotalSupply(uint256 timepoint) external view returns (uint256) {
        return _memberCounts.upperLookupRecent(_pastTimepoint(timepoint));
    }

    /// @inheritdoc IVotes
    function delegates(address account) external view returns (address) {
        Member memory m = _members[account];
        if (!_isCurrent(m)) return address(0);
        return m.delegate == address(0) ? account : m.delegate;
    }

    /// @inheritdoc IVotes
    function delegate(address delegatee) external {
        _delegate(msg.sender, delegatee);
    }

    /// @inheritdoc IVotes
    function delegateBySig(address delegatee, uint256 nonce, uint256 expiry, uint8 v, bytes32 r, bytes32 s) external {
        // Checks: not expired, signed, next nonce (used up here, so the signature works once).
        // forge-lint: disable-next-line(block-timestamp) a signature deadline is a timestamp by design (EIP-712)
        if (block.timestamp > expiry) revert VotesExpiredSignature(expiry);
        address signer = ECDSA.recover(
            _hashTypedDataV4(keccak256(abi.encode(DELEGATION_TYPEHASH, delegatee, nonce, expiry))), v, r, s
        );
        _useCheckedNonce(signer, nonce);
        _delegate(signer, delegatee);
    }

    // ================================================================== purposes and consent

    /// @inheritdoc IUnionMembership
    function registerPurpose(string calldata purpose)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
        returns (bytes32 purposeId)
    {
        // Checks: a real, new name.
        purposeId = keccak256(bytes(purpose));
        if (bytes(purpose).length == 0 || purposeId == _GENERAL_NAME_HASH) revert MembershipInvalidPurpose(purpose);
        if (bytes(_purposeNames[purposeId]).length != 0) revert MembershipPurposeExists(purposeId);
        // Effects.
        _purposeNames[purposeId] = purpose;
        emit PurposeRegistered(purposeId, purpose);
    }

    /// @inheritdoc IUnionMembership
    function isPurpose(bytes32 purposeId) public view returns (bool) {
        return bytes(_purposeNames[purposeId]).length != 0;
    }

    /// @inheritdoc IUnionMembership
    function purposeName(bytes32 purposeId) external view returns (string memory) {
        if (purposeId == _GENERAL_PURPOSE) return "general";
        return _purposeNames[purposeId];
    }

    /// @inheritdoc IUnionMembership
    function setConsent(bytes32 purposeId, bool granted) external {
        // Checks.
        _requireConsentable(msg.sender, purposeId);
        // Effects: a direct change also uses up the nonce, so a signed change still in flight cannot undo it.
        _useNonce(msg.sender);
        _setConsent(msg.sender, purposeId, granted);
    }

    /// @inheritdoc IUnionMembership
    function setConsentBySig(
        address member,
        bytes32 purposeId,
        bool granted,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        // Checks: not expired, signed by the member (EOA or EIP-1271 wallet), a member and a registered purpose.
        // forge-lint: disable-next-line(block-timestamp) a signature deadline is a timestamp by design (EIP-712)
        if (block.timestamp > deadline) revert MembershipExpiredSignature(deadline);
        bytes32 digest =
            _hashTypedDataV4(keccak256(abi.encode(CONSENT_TYPEHASH, member, purposeId, granted, nonce, deadline)));
        if (!SignatureChecker.isValidSignatureNowCalldata(member, digest, signature)) {
            revert MembershipInvalidSignature(member);
        }
        _requireConsentable(member, purposeId);
        // Effects: the nonce must be the next one; using it makes the signature single-use.
        _useCheckedNonce(member, nonce);
        _setConsent(member, purposeId, granted);
    }

    /// @inheritdoc IUnionMembership
    function consentOf(address member, bytes32 purposeId) external view returns (bool) {
        if (purposeId == _GENERAL_PURPOSE) return true;
        return _consents[member][purposeId].latest() != 0;
    }

    /// @inheritdoc IUnionMembership
    function consentAt(address member, bytes32 purposeId, uint256 timepoint) external view returns (bool) {
        uint48 t = _pastTimepoint(timepoint);
        if (purposeId == _GENERAL_PURPOSE) return true;
        return _consents[member][purposeId].upperLookup(t) != 0;
    }

    /// @inheritdoc IUnionMembership
    function nonces(address owner) public view override(IUnionMembership, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    /// @inheritdoc IUnionMembership
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ================================================================== ERC-721 read surface

    /// @inheritdoc IERC721Metadata
    function name() external view returns (string memory) {
        return _name;
    }

    /// @inheritdoc IERC721Metadata
    function symbol() external view returns (string memory) {
        return _symbol;
    }

    /// @inheritdoc IERC721Metadata
    /// @dev An on-chain JSON document (base64 data URI): the union's name, the member and its admission time.
    function tokenURI(uint256 tokenId) external view returns (string memory) {
        address member = _requireCardHolder(tokenId);
        string memory json = string.concat(
            '{"name":"',
            _name,
            " card ",
            Strings.toHexString(member),
            '","description":"Membership card of ',
            _name,
            ': one member, one vote. Non-transferable.","attributes":[{"trait_type":"member since",',
            '"display_type":"date","value":',
            Strings.toString(_members[member].joinedAt),
            "}]}"
        );
        return string.concat("data:application/json;base64,", Base64.encode(bytes(json)));
    }

    /// @inheritdoc IERC721
    function balanceOf(address owner) external view returns (uint256) {
        if (owner == address(0)) revert MembershipInvalidMember(address(0));
        return isMember(owner) ? 1 : 0;
    }

    /// @inheritdoc IERC721
    function ownerOf(uint256 tokenId) external view returns (address) {
        return _requireCardHolder(tokenId);
    }

    /// @inheritdoc IERC721
    /// @dev Always the zero address: cards cannot be approved. Reverts for a card nobody holds, as ERC-721 requires.
    function getApproved(uint256 tokenId) external view returns (address) {
        _requireCardHolder(tokenId);
        return address(0);
    }

    /// @inheritdoc IERC721
    /// @dev Always false: cards cannot be approved.
    function isApprovedForAll(address, address) external pure returns (bool) {
        return false;
    }

    /// @inheritdoc IERC721
    /// @dev Always reverts: cards are non-transferable.
    function approve(address, uint256 tokenId) external pure {
        revert MembershipNonTransferable(tokenId);
    }

    /// @inheritdoc IERC721
    /// @dev Always reverts: cards are non-transferable.
    function setApprovalForAll(address, bool) external pure {
        revert MembershipNonTransferable(0);
    }

    /// @inheritdoc IERC721
    /// @dev Always reverts: cards are non-transferable.
    function transferFrom(address, address, uint256 tokenId) external pure {
        revert MembershipNonTransferable(tokenId);
    }

    /// @inheritdoc IERC721
    /// @dev Always reverts: cards are non-transferable.
    function safeTransferFrom(address, address, uint256 tokenId) external pure {
        revert MembershipNonTransferable(tokenId);
    }

    /// @inheritdoc IERC721
    /// @dev Always reverts: cards are non-transferable.
    function safeTransferFrom(address, address, uint256 tokenId, bytes calldata) external pure {
        revert MembershipNonTransferable(tokenId);
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId) public view override(AccessControl, IERC165) returns (bool) {
        return interfaceId == type(IERC721).interfaceId || interfaceId == type(IERC721Metadata).interfaceId
            || interfaceId == type(IVotes).interfaceId || interfaceId == type(IERC6372).interfaceId
            || super.supportsInterface(interfaceId);
    }

    // ================================================================== internal hooks

    /// @dev Admits `account` at `now_`: writes its slot and emits the mint `Transfer` and its votes. Checks the
    /// account itself (non-zero, not a current member) but neither the caller's role nor the member count, which
    /// the caller pushes once per batch.
    function _admit(address account, uint48 now_) private {
        // Checks.
        if (account == address(0)) revert MembershipInvalidMember(address(0));
        Member memory m = _members[account];
        if (_isCurrent(m)) revert MembershipAlreadyMember(account);
        // Effects. Units delegated to a former member while it was away count again (a never-member has none,
        // since only members can be delegated to, so the common case reads no vote state).
        uint256 delegatedIn;
        if (m.joinedAt != 0) {
            Checkpoints.Trace208 storage terms = _pastTerms[account];
            terms.push(m.joinedAt, 1);
            terms.push(m.leftAt, 0);
            delegatedIn = _voteStates[account].latest() >> 1;
        }
        _members[account] = Member({joinedAt: now_, leftAt: 0, delegate: address(0)});
        emit Transfer(address(0), account, uint256(uint160(account)));
        emit DelegateVotesChanged(account, 0, 1 + delegatedIn);
    }

    /// @dev Ends `account`'s membership now. Checks that it is a current member, not who may end it (the caller).
    /// Its own unit leaves its delegate; units delegated to it stay with it, dead, until re-delegated.
    function _leave(address account, bool expelled) private {
        // Checks.
        Member memory m = _members[account];
        if (!_isCurrent(m)) revert MembershipNotMember(account);
        uint48 now_ = clock();
        uint208 voteState = _voteStates[account].latest();
        // Effects: the card and the vote end.
        _members[account] = Member({joinedAt: m.joinedAt, leftAt: now_, delegate: address(0)});
        _memberCounts.push(now_, _memberCounts.latest() - 1);
        emit Transfer(account, address(0), uint256(uint160(account)));
        emit MemberLeft(account, expelled);
        uint256 votesBefore = _votesOf(voteState);
        if (votesBefore != 0) emit DelegateVotesChanged(account, votesBefore, 0);
        // A delegated unit leaves its delegate, and a re-admission starts again with the member's own unit.
        if (m.delegate != address(0)) {
            _writeVoteState(account, voteState >> 1, false);
            emit DelegateChanged(account, m.delegate, address(0));
            _moveDelegatedUnit(m.delegate, false);
        }
    }

    /// @dev Moves `delegator`'s unit to `delegatee` (itself: back home). Checks that both are current members, not
    /// who asked (`delegate` is the delegator itself, `delegateBySig` has checked the signature and nonce).
    function _delegate(address delegator, address delegatee) private {
        // Checks.
        Member memory m = _members[delegator];
        if (!_isCurrent(m)) revert MembershipNotMember(delegator);
        if (!isMember(delegatee)) revert MembershipDelegateNotMember(delegatee);
        address oldDelegate = m.delegate;
        address newDelegate = delegatee == delegator ? address(0) : delegatee;
        // Effects.
        if (oldDelegate != newDelegate) _members[delegator].delegate = newDelegate;
        emit DelegateChanged(delegator, oldDelegate == address(0) ? delegator : oldDelegate, delegatee);
        if (oldDelegate == newDelegate) return;
        uint208 ownState = _voteStates[delegator].latest();
        if (oldDelegate == address(0)) {
            _writeVoteState(delegator, ownState >> 1, true);
        } else {
            _moveDelegatedUnit(oldDelegate, false);
        }
        if (newDelegate == address(0)) {
            _writeVoteState(delegator, ownState >> 1, false);
        } else {
            _moveDelegatedUnit(newDelegate, true);
        }
    }

    /// @dev Adds (`inbound`) or removes one delegated unit at `account`.
    function _moveDelegatedUnit(address account, bool inbound) private {
        uint208 state = _voteStates[account].latest();
        uint256 delegatedIn = state >> 1;
        _writeVoteState(account, inbound ? delegatedIn + 1 : delegatedIn - 1, state & 1 == 1);
    }

    /// @dev Checkpoints `account`'s vote state now and, if it is a member (so its votes changed), emits
    /// `DelegateVotesChanged`.
    function _writeVoteState(address account, uint256 delegatedIn, bool delegatedAway) private {
        uint208 newState = SafeCast.toUint208((delegatedIn << 1) | (delegatedAway ? 1 : 0));
        (uint208 oldState,) = _voteStates[account].push(clock(), newState);
        if (isMember(account)) emit DelegateVotesChanged(account, _votesOf(oldState), _votesOf(newState));
    }

    /// @dev Records `member`'s consent now. Checks nothing (callers have checked membership and purpose).
    function _setConsent(address member, bytes32 purposeId, bool granted) private {
        _consents[member][purposeId].push(clock(), granted ? 1 : 0);
        emit ConsentChanged(member, purposeId, granted);
    }

    /// @dev Reverts unless `member` is a current member and `purposeId` a registered purpose.
    function _requireConsentable(address member, bytes32 purposeId) private view {
        if (!isMember(member)) revert MembershipNotMember(member);
        if (!isPurpose(purposeId)) revert MembershipUnknownPurpose(purposeId);
    }

    /// @dev The holder of card `tokenId`; reverts with `MembershipNonexistentToken` if no current member holds it.
    function _requireCardHolder(uint256 tokenId) private view returns (address member) {
        // casting to 'uint160' is safe because larger ids are rejected on the next line
        // forge-lint: disable-next-line(unsafe-typecast)
        member = address(uint160(tokenId));
        if (tokenId > type(uint160).max || !isMember(member)) revert MembershipNonexistentToken(tokenId);
    }

    /// @dev Whether `account` was a member at the end of `t`: the current term, else the recorded past terms.
    function _isMemberAt(address account, uint48 t) private view returns (bool) {
        Member memory m = _members[account];
        if (m.joinedAt == 0) return false;
        if (t >= m.joinedAt) return m.leftAt == 0 || t < m.leftAt;
        return _pastTerms[account].upperLookup(t) != 0;
    }

    /// @dev `timepoint` as a checkpoint key, reverting unless it is in the past (its state is final).
    function _pastTimepoint(uint256 timepoint) private view returns (uint48) {
        uint48 now_ = clock();
        if (timepoint >= now_) revert MembershipFutureLookup(timepoint, now_);
        // casting to 'uint48' is safe because timepoint < clock(), a uint48
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint48(timepoint);
    }

    /// @dev A member's votes from its vote state: its own unit unless delegated away, plus the units delegated in.
    function _votesOf(uint208 state) private pure returns (uint256) {
        return (state & 1 == 1 ? 0 : 1) + (state >> 1);
    }

    /// @dev Whether the term in `m` is the current one.
    function _isCurrent(Member memory m) private pure returns (bool) {
        return m.joinedAt != 0 && m.leftAt == 0;
    }
}
