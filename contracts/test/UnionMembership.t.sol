// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {
    GovernorVotesQuorumFraction
} from "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {IERC6372} from "@openzeppelin/contracts/interfaces/IERC6372.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

import {UnionMembership} from "../src/UnionMembership.sol";
import {IUnionMembership} from "../src/interfaces/IUnionMembership.sol";
import {Test, Vm} from "./utils/Test.sol";

/// @dev A smart-contract wallet (EIP-1271) that approves exactly the digests its owner key signed, unless frozen.
contract ConsentWallet1271 is IERC1271 {
    address private immutable _owner;
    bool public frozen;

    constructor(address owner_) {
        _owner = owner_;
    }

    function freeze() external {
        frozen = true;
    }

    function isValidSignature(bytes32 digest, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
        if (!frozen && err == ECDSA.RecoverError.NoError && signer == _owner) {
            return IERC1271.isValidSignature.selector;
        }
        return 0xffffffff;
    }
}

/// @dev Shared fixture: a membership with governance (`admin`), an admissions steward and keyed members.
abstract contract MembershipFixture is Test {
    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 internal constant CONSENT_TYPEHASH =
        keccak256("Consent(address member,bytes32 purposeId,bool granted,uint256 nonce,uint256 deadline)");
    bytes32 internal constant DELEGATION_TYPEHASH =
        keccak256("Delegation(address delegatee,uint256 nonce,uint256 expiry)");
    uint256 internal constant START = 1_700_000_000;

    UnionMembership internal membership;
    address internal admin = address(0xAD111);
    address internal admissions = address(0xAD2);
    address internal stranger = address(0x5757);

    uint256 internal alicePk = 0xA11CE;
    uint256 internal bobPk = 0xB0B;
    uint256 internal carolPk = 0xCA201;
    uint256 internal davePk = 0xDA7E;
    address internal alice;
    address internal bob;
    address internal carol;
    address internal dave;

    bytes32 internal aiTraining;

    function setUp() public virtual {
        vm.warp(START);
        alice = vm.addr(alicePk);
        bob = vm.addr(bobPk);
        carol = vm.addr(carolPk);
        dave = vm.addr(davePk);
        membership = new UnionMembership("Data Union Membership", "DUM", admin);
        bytes32 admissionsRole = membership.ADMISSIONS_ROLE();
        vm.prank(admin);
        membership.grantRole(admissionsRole, admissions);
        vm.prank(admin);
        aiTraining = membership.registerPurpose("ai-training");
    }

    function _admit(address account) internal {
        address[] memory accounts = new address[](1);
        accounts[0] = account;
        vm.prank(admissions);
        membership.admit(accounts);
    }

    function _admit(address a, address b, address c) internal {
        address[] memory accounts = new address[](3);
        accounts[0] = a;
        accounts[1] = b;
        accounts[2] = c;
        vm.prank(admissions);
        membership.admit(accounts);
    }

    /// @dev Moves time forward and returns the timestamp it left (the second of whatever was done just before).
    function _later(uint256 secondsLater) internal returns (uint256 previous) {
        previous = block.timestamp;
        vm.warp(block.timestamp + secondsLater);
    }

    function _domainSeparator(uint256 chainId, address verifyingContract) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("UnionMembership"), keccak256("1"), chainId, verifyingContract)
        );
    }

    function _consentDigest(
        uint256 chainId,
        address verifyingContract,
        address member,
        bytes32 purposeId,
        bool granted,
        uint256 nonce,
        uint256 deadline
    ) internal pure returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(CONSENT_TYPEHASH, member, purposeId, granted, nonce, deadline));
        return keccak256(abi.encodePacked("\x19\x01", _domainSeparator(chainId, verifyingContract), structHash));
    }

    function _signConsent(uint256 pk, address member, bytes32 purposeId, bool granted, uint256 nonce, uint256 deadline)
        internal
        view
        returns (bytes memory)
    {
        return
            _sign(pk, _consentDigest(block.chainid, address(membership), member, purposeId, granted, nonce, deadline));
    }

    function _sign(uint256 pk, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, digest);
        return abi.encodePacked(r, s, v);
    }
}

contract UnionMembershipTest is MembershipFixture {
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

    // ================================================================== admit

    function test_admit_mintsACardAndOneVotePerMemberWithoutADelegationTransaction() public {
        address[] memory accounts = new address[](2);
        accounts[0] = alice;
        accounts[1] = bob;
        vm.expectEmit(true, true, true, true, address(membership));
        emit IERC721.Transfer(address(0), alice, uint256(uint160(alice)));
        vm.expectEmit(true, true, true, true, address(membership));
        emit IVotes.DelegateVotesChanged(alice, 0, 1);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IERC721.Transfer(address(0), bob, uint256(uint160(bob)));
        vm.expectEmit(true, true, true, true, address(membership));
        emit IVotes.DelegateVotesChanged(bob, 0, 1);
        vm.prank(admissions);
        membership.admit(accounts);

        vm.assertTrue(membership.isMember(alice));
        vm.assertTrue(membership.isMember(bob));
        vm.assertEq(membership.getVotes(alice), 1);
        vm.assertEq(membership.getVotes(bob), 1);
        vm.assertEq(membership.delegates(alice), alice);
        vm.assertEq(membership.memberSince(alice), uint48(START));
        vm.assertEq(membership.totalSupply(), 2);
        vm.assertEq(membership.memberCount(), 2);
        vm.assertEq(membership.balanceOf(alice), 1);
        vm.assertEq(membership.ownerOf(uint256(uint160(bob))), bob);
    }

    function test_admit_countsEachBatchInTheTotalSupplyHistory() public {
        _admit(alice, bob, carol);
        uint256 afterFirst = _later(10);
        _admit(dave);
        uint256 afterSecond = _later(10);
        vm.assertEq(membership.getPastTotalSupply(afterFirst - 1), 0);
        vm.assertEq(membership.getPastTotalSupply(afterFirst), 3);
        vm.assertEq(membership.getPastTotalSupply(afterSecond), 4);
        vm.assertEq(membership.getPastVotes(dave, afterFirst), 0);
        vm.assertEq(membership.getPastVotes(dave, afterSecond), 1);
    }

    function test_admit_emptyBatchChangesNothing() public {
        vm.prank(admissions);
        membership.admit(new address[](0));
        vm.assertEq(membership.totalSupply(), 0);
    }

    function test_admit_revertsForCallerWithoutAdmissionsRole() public {
        address[] memory accounts = new address[](1);
        accounts[0] = alice;
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, membership.ADMISSIONS_ROLE()
            )
        );
        vm.prank(stranger);
        membership.admit(accounts);
    }

    function test_admit_revertsEvenForGovernanceWithoutAdmissionsRole() public {
        address[] memory accounts = new address[](1);
        accounts[0] = alice;
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, admin, membership.ADMISSIONS_ROLE()
            )
        );
        vm.prank(admin);
        membership.admit(accounts);
    }

    function test_admit_revertsNamingTheZeroAddress() public {
        address[] memory accounts = new address[](2);
        accounts[0] = alice;
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipInvalidMember.selector, address(0)));
        vm.prank(admissions);
        membership.admit(accounts);
        vm.assertFalse(membership.isMember(alice));
    }

    function test_admit_revertsNamingAnExistingMember() public {
        _admit(alice);
        address[] memory accounts = new address[](2);
        accounts[0] = bob;
        accounts[1] = alice;
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipAlreadyMember.selector, alice));
        vm.prank(admissions);
        membership.admit(accounts);
        vm.assertFalse(membership.isMember(bob));
    }

    function test_admit_revertsForAnAccountTwiceInOneBatch() public {
        address[] memory accounts = new address[](2);
        accounts[0] = carol;
        accounts[1] = carol;
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipAlreadyMember.selector, carol));
        vm.prank(admissions);
        membership.admit(accounts);
    }

    function test_admit_readmissionRestoresTheVoteAndKeepsEveryPastTermExact() public {
        uint256 joined1 = block.timestamp;
        _admit(alice);
        _later(100);
        uint256 left1 = block.timestamp;
        vm.prank(alice);
        membership.resign();
        _later(100);
        uint256 joined2 = block.timestamp;
        _admit(alice);
        vm.assertEq(membership.getVotes(alice), 1);
        vm.assertEq(membership.memberSince(alice), uint48(joined2));
        _later(100);
        uint256 left2 = block.timestamp;
        vm.prank(admin);
        membership.expel(alice);
        _later(100);
        uint256 joined3 = block.timestamp;
        _admit(alice);
        _later(100);

        vm.assertFalse(membership.isMemberAt(alice, joined1 - 1));
        vm.assertTrue(membership.isMemberAt(alice, joined1));
        vm.assertTrue(membership.isMemberAt(alice, left1 - 1));
        vm.assertFalse(membership.isMemberAt(alice, left1));
        vm.assertFalse(membership.isMemberAt(alice, joined2 - 1));
        vm.assertTrue(membership.isMemberAt(alice, joined2));
        vm.assertTrue(membership.isMemberAt(alice, left2 - 1));
        vm.assertFalse(membership.isMemberAt(alice, left2));
        vm.assertFalse(membership.isMemberAt(alice, joined3 - 1));
        vm.assertTrue(membership.isMemberAt(alice, joined3));
        vm.assertEq(membership.getPastVotes(alice, left1 + 50), 0);
        vm.assertEq(membership.getPastVotes(alice, joined2 + 50), 1);
        vm.assertEq(membership.getPastTotalSupply(left1 + 50), 0);
        vm.assertEq(membership.getPastTotalSupply(joined2 + 50), 1);
    }

    function test_admit_readmissionInTheSameSecondAsLeavingKeepsTheMemberAtThatSecond() public {
        _admit(alice);
        _later(10);
        uint256 t = block.timestamp;
        vm.prank(alice);
        membership.resign();
        _admit(alice);
        _later(10);
        vm.assertTrue(membership.isMemberAt(alice, t));
        vm.assertTrue(membership.isMemberAt(alice, t - 1));
        vm.assertEq(membership.getPastTotalSupply(t), 1);
    }

    function test_admit_readmissionRevivesUnitsThatStayedDelegatedToTheFormerMember() public {
        _admit(alice, bob, carol);
        vm.prank(bob);
        membership.delegate(alice);
        vm.prank(alice);
        membership.resign();
        vm.assertEq(membership.getVotes(alice), 0);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IVotes.DelegateVotesChanged(alice, 0, 2);
        _admit(alice);
        vm.assertEq(membership.getVotes(alice), 2);
        vm.assertEq(membership.getVotes(bob), 0);
    }

    // ================================================================== resign and expel

    function test_resign_burnsTheCardEndsTheVoteAndEmitsMemberLeft() public {
        _admit(alice, bob, carol);
        uint256 admittedAt = _later(50);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IERC721.Transfer(alice, address(0), uint256(uint160(alice)));
        vm.expectEmit(true, true, true, true, address(membership));
        emit IUnionMembership.MemberLeft(alice, false);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IVotes.DelegateVotesChanged(alice, 1, 0);
        vm.prank(alice);
        membership.resign();
        uint256 leftAt = _later(1);

        vm.assertFalse(membership.isMember(alice));
        vm.assertEq(membership.getVotes(alice), 0);
        vm.assertEq(membership.balanceOf(alice), 0);
        vm.assertEq(membership.memberSince(alice), 0);
        vm.assertEq(membership.delegates(alice), address(0));
        vm.assertEq(membership.totalSupply(), 2);
        vm.assertEq(membership.getPastVotes(alice, admittedAt), 1);
        vm.assertEq(membership.getPastVotes(alice, leftAt), 0);
        vm.assertEq(membership.getPastTotalSupply(leftAt), 2);
    }

    function test_resign_revertsForNonMember() public {
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipNotMember.selector, stranger));
        vm.prank(stranger);
        membership.resign();
    }

    function test_resign_revertsForFormerMember() public {
        _admit(alice);
        vm.prank(alice);
        membership.resign();
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipNotMember.selector, alice));
        vm.prank(alice);
        membership.resign();
    }

    function test_expel_byGovernanceRemovesTheMemberAsExpelled() public {
        _admit(alice, bob, carol);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IERC721.Transfer(bob, address(0), uint256(uint160(bob)));
        vm.expectEmit(true, true, true, true, address(membership));
        emit IUnionMembership.MemberLeft(bob, true);
        vm.prank(admin);
        membership.expel(bob);
        vm.assertFalse(membership.isMember(bob));
        vm.assertEq(membership.totalSupply(), 2);
    }

    function test_expel_revertsForNonAdmin() public {
        _admit(alice, bob, carol);
        bytes32 adminRole = membership.DEFAULT_ADMIN_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, admissions, adminRole)
        );
        vm.prank(admissions);
        membership.expel(bob);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, alice, adminRole)
        );
        vm.prank(alice);
        membership.expel(bob);
        vm.assertTrue(membership.isMember(bob));
    }

    function test_expel_revertsForNonMember() public {
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipNotMember.selector, stranger));
        vm.prank(admin);
        membership.expel(stranger);
    }

    // ================================================================== past lookups

    function test_isMemberAt_countsTheAdmissionSecondAndNotTheDepartureSecond() public {
        uint256 joined = block.timestamp;
        _admit(alice);
        _later(30);
        uint256 left = block.timestamp;
        vm.prank(alice);
        membership.resign();
        _later(1);
        vm.assertFalse(membership.isMemberAt(alice, joined - 1));
        vm.assertTrue(membership.isMemberAt(alice, joined));
        vm.assertTrue(membership.isMemberAt(alice, left - 1));
        vm.assertFalse(membership.isMemberAt(alice, left));
        vm.assertFalse(membership.isMemberAt(stranger, joined));
    }

    function test_isMemberAt_joiningAndLeavingInTheSameSecondIsNoMembershipAtThatSecond() public {
        uint256 t = block.timestamp;
        _admit(alice);
        vm.prank(alice);
        membership.resign();
        _later(1);
        vm.assertFalse(membership.isMemberAt(alice, t));
        vm.assertEq(membership.getPastTotalSupply(t), 0);
    }

    function test_pastLookups_revertForTheCurrentOrAFutureTimepoint() public {
        _admit(alice);
        uint48 now_ = membership.clock();
        bytes memory atNow =
            abi.encodeWithSelector(IUnionMembership.MembershipFutureLookup.selector, uint256(now_), now_);
        bytes memory later =
            abi.encodeWithSelector(IUnionMembership.MembershipFutureLookup.selector, uint256(now_) + 5, now_);
        vm.expectRevert(atNow);
        membership.isMemberAt(alice, now_);
        vm.expectRevert(atNow);
        membership.getPastVotes(alice, now_);
        vm.expectRevert(atNow);
        membership.getPastTotalSupply(now_);
        vm.expectRevert(atNow);
        membership.consentAt(alice, aiTraining, now_);
        vm.expectRevert(later);
        membership.getPastVotes(alice, uint256(now_) + 5);
    }

    // ================================================================== votes and delegation

    function test_getPastVotes_joiningAfterTheSnapshotGivesNoVoteAtTheSnapshot() public {
        _admit(alice);
        uint256 snapshot = block.timestamp;
        _later(1);
        _admit(bob);
        _later(1);
        vm.assertEq(membership.getPastVotes(alice, snapshot), 1);
        vm.assertEq(membership.getPastVotes(bob, snapshot), 0);
        vm.assertEq(membership.getPastTotalSupply(snapshot), 1);
    }

    function test_getPastVotes_joiningInTheSnapshotSecondCannotBeReadUntilThatSecondIsOver() public {
        uint256 snapshot = block.timestamp;
        _admit(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IUnionMembership.MembershipFutureLookup.selector, snapshot, uint48(snapshot))
        );
        membership.getPastVotes(alice, snapshot);
    }

    function test_delegate_movesTheUnitToAnotherMember() public {
        _admit(alice, bob, carol);
        _later(5);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IVotes.DelegateChanged(alice, alice, bob);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IVotes.DelegateVotesChanged(alice, 1, 0);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IVotes.DelegateVotesChanged(bob, 1, 2);
        vm.prank(alice);
        membership.delegate(bob);
        vm.assertEq(membership.getVotes(alice), 0);
        vm.assertEq(membership.getVotes(bob), 2);
        vm.assertEq(membership.delegates(alice), bob);
        uint256 before = _later(1);
        vm.assertEq(membership.getPastVotes(bob, before), 2);
        vm.assertEq(membership.getPastVotes(bob, before - 1), 1);
    }

    function test_delegate_toSelfTakesTheUnitBack() public {
        _admit(alice, bob, carol);
        vm.prank(alice);
        membership.delegate(bob);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IVotes.DelegateChanged(alice, bob, alice);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IVotes.DelegateVotesChanged(bob, 2, 1);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IVotes.DelegateVotesChanged(alice, 0, 1);
        vm.prank(alice);
        membership.delegate(alice);
        vm.assertEq(membership.getVotes(alice), 1);
        vm.assertEq(membership.getVotes(bob), 1);
        vm.assertEq(membership.delegates(alice), alice);
    }

    function test_delegate_fromOneDelegateToAnotherMovesTheUnit() public {
        _admit(alice, bob, carol);
        vm.prank(alice);
        membership.delegate(bob);
        vm.prank(alice);
        membership.delegate(carol);
        vm.assertEq(membership.getVotes(alice), 0);
        vm.assertEq(membership.getVotes(bob), 1);
        vm.assertEq(membership.getVotes(carol), 2);
    }

    function test_delegate_toTheCurrentDelegateAgainChangesNoVotes() public {
        _admit(alice, bob, carol);
        vm.prank(alice);
        membership.delegate(bob);
        vm.recordLogs();
        vm.prank(alice);
        membership.delegate(bob);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        vm.assertEq(logs.length, 1, "only DelegateChanged");
        vm.assertEq(logs[0].topics[0], IVotes.DelegateChanged.selector);
        vm.assertEq(membership.getVotes(bob), 2);
    }

    function test_delegate_isNotTransitive() public {
        _admit(alice, bob, carol);
        vm.prank(carol);
        membership.delegate(alice);
        vm.prank(alice);
        membership.delegate(bob);
        vm.assertEq(membership.getVotes(alice), 1, "carol's unit stays with alice");
        vm.assertEq(membership.getVotes(bob), 2);
        vm.assertEq(membership.getVotes(carol), 0);
    }

    function test_delegate_revertsWhenTheDelegateeIsNotAMember() public {
        _admit(alice);
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipDelegateNotMember.selector, stranger));
        vm.prank(alice);
        membership.delegate(stranger);
    }

    function test_delegate_revertsWhenTheDelegatorIsNotAMember() public {
        _admit(alice);
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipNotMember.selector, stranger));
        vm.prank(stranger);
        membership.delegate(alice);
    }

    function test_delegate_votesDelegatedToAMemberWhoLeavesCountForNobody() public {
        _admit(alice, bob, carol);
        vm.prank(alice);
        membership.delegate(bob);
        vm.prank(carol);
        membership.delegate(bob);
        uint256 beforeLeaving = _later(10);
        vm.prank(bob);
        membership.resign();
        uint256 afterLeaving = _later(10);

        vm.assertEq(membership.getPastVotes(bob, beforeLeaving), 3);
        vm.assertEq(membership.getPastVotes(bob, afterLeaving), 0);
        vm.assertEq(membership.getPastVotes(alice, afterLeaving), 0);
        vm.assertEq(membership.getPastVotes(carol, afterLeaving), 0);
        vm.assertEq(membership.delegates(alice), bob, "alice still points at bob until she re-delegates");
        // The dead units still count in the quorum's base.
        vm.assertEq(membership.getPastTotalSupply(afterLeaving), 2);

        vm.prank(alice);
        membership.delegate(alice);
        vm.assertEq(membership.getVotes(alice), 1);
        vm.assertEq(membership.getVotes(bob), 0);
    }

    function test_delegate_aDepartedDelegatesVotesAreNotEmittedAsChanged() public {
        _admit(alice, bob, carol);
        vm.prank(alice);
        membership.delegate(bob);
        vm.prank(bob);
        membership.resign();
        vm.recordLogs();
        vm.prank(alice);
        membership.delegate(carol);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        // DelegateChanged, then carol's votes; bob (not a member) had 0 votes and still has 0.
        vm.assertEq(logs.length, 2);
        vm.assertEq(logs[1].topics[0], IVotes.DelegateVotesChanged.selector);
        vm.assertEq(logs[1].topics[1], bytes32(uint256(uint160(carol))));
        vm.assertEq(membership.getVotes(carol), 2);
    }

    function test_resign_ofADelegatorRemovesItsUnitFromTheDelegate() public {
        _admit(alice, bob, carol);
        vm.prank(alice);
        membership.delegate(bob);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IUnionMembership.MemberLeft(alice, false);
        vm.expectEmit(true, true, true, true, address(membership));
        emit IVotes.DelegateChanged(alice, bob, address(0));
        vm.expectEmit(true, true, true, true, address(membership));
        emit IVotes.DelegateVotesChanged(bob, 2, 1);
        vm.prank(alice);
        membership.resign();
        vm.assertEq(membership.getVotes(bob), 1);
        _admit(alice);
        vm.assertEq(membership.getVotes(alice), 1, "a re-admitted member starts with its own unit");
        vm.assertEq(membership.delegates(alice), alice);
        vm.assertEq(membership.getVotes(bob), 1);
    }

    function test_delegates_isSelfForAnUndelegatedMemberAndZeroForANonMember() public {
        _admit(alice);
        vm.assertEq(membership.delegates(alice), alice);
        vm.assertEq(membership.delegates(stranger), address(0));
        vm.assertEq(membership.getVotes(stranger), 0);
    }

    function test_delegateBySig_delegatesForTheSigner() public {
        _admit(alice, bob, carol);
        uint256 expiry = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(alicePk, _delegationDigest(bob, 0, expiry));
        vm.prank(stranger);
        membership.delegateBySig(bob, 0, expiry, v, r, s);
        vm.assertEq(membership.delegates(alice), bob);
        vm.assertEq(membership.getVotes(bob), 2);
        vm.assertEq(membership.nonces(alice), 1);
    }

    function test_delegateBySig_revertsWhenExpired() public {
        _admit(alice, bob, carol);
        uint256 expiry = block.timestamp - 1;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(alicePk, _delegationDigest(bob, 0, expiry));
        vm.expectRevert(abi.encodeWithSelector(IVotes.VotesExpiredSignature.selector, expiry));
        membership.delegateBySig(bob, 0, expiry, v, r, s);
    }

    function test_delegateBySig_revertsWhenReplayed() public {
        _admit(alice, bob, carol);
        uint256 expiry = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(alicePk, _delegationDigest(bob, 0, expiry));
        membership.delegateBySig(bob, 0, expiry, v, r, s);
        vm.expectRevert(abi.encodeWithSelector(Nonces.InvalidAccountNonce.selector, alice, 1));
        membership.delegateBySig(bob, 0, expiry, v, r, s);
    }

    function test_delegateBySig_revertsForANonMemberSigner() public {
        _admit(bob);
        uint256 expiry = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(davePk, _delegationDigest(bob, 0, expiry));
        vm.expectRevert(abi.encodeWithSelector(IUnionMembership.MembershipNotMember.selector, dave));
        membership.delegateBySig(bob, 0, expiry, v, r, s);
    }

    function test_delegateBySig_revertsForAnInvalidSignature() public {
        _admit(alice, bob, carol);
        vm.expectRevert(abi.encodeWithSelector(ECDSA.ECDSAInvalidSignature.selector));
        membership.delegateBySig(bob, 0, block.timestamp, 27, bytes32(0), bytes32(0));
    }

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

    /// @dev Random admissions, departures and re-admissions of one account: isMemberAt and getPastVotes match a
    /// model of its terms at every second probed.
    function testFuzz_isMemberAt_matchesAModelOfRandomTerms(uint256 seed) public {
        uint256 steps = bound(seed, 1, 30);
        uint256[] memory times = new uint256[](steps);
        bool[] memory member = new bool[](steps);
        bool current;
        for (uint256 i; i < steps; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            vm.warp(block.timestamp + (r % 4 == 0 ? 0 : (r >> 8) % 1000));
            if (current) {
                if ((r >> 64) % 2 == 0) {
                    vm.prank(alice);
                    membership.resign();
                } else {
                    vm.prank(admin);
                    membership.expel(alice);
                }
            } else {
                _admit(alice);
            }
            current = !current;
            times[i] = block.timestamp;
            member[i] = current;
        }
        _later(1);
        for (uint256 i; i < steps; ++i) {
            uint256[3] memory probes = [times[i] - 1, times[i], times[i] + 1];
            for (uint256 p; p < 3; ++p) {
                if (probes[p] >= block.timestamp) continue;
                bool expected = _modelConsent(times, member, probes[p]);
                vm.assertEq(membership.isMemberAt(alice, probes[p]), expected);
                vm.assertEq(membership.getPastVotes(alice, probes[p]), expected ? 1 : 0);
                vm.assertEq(membership.getPastTotalSupply(probes[p]), expected ? 1 : 0);
            }
        }
    }

    // ================================================================== helpers

    /// @dev The value of the last change at or before `t` (false if none).
    function _modelConsent(uint256[] memory times, bool[] memory values, uint256 t) internal pure returns (bool v) {
        for (uint256 i; i < times.length; ++i) {
            if (times[i] <= t) v = values[i];
        }
    }

    function _delegationDigest(address delegatee, uint256 nonce, uint256 expiry) internal view returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(DELEGATION_TYPEHASH, delegatee, nonce, expiry));
        return keccak256(abi.encodePacked("\x19\x01", _domainSeparator(block.chainid, address(membership)), structHash));
    }

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

/// @dev A plain OpenZeppelin governor counting the membership's votes, to show they work with `GovernorVotes`
/// unmodified (the union's own governor adds a timelock, late quorum and a guardian on top).
contract PlainMembershipGovernor is
    Governor,
    GovernorSettings,
    GovernorCountingSimple,
    GovernorVotes,
    GovernorVotesQuorumFraction
{
    constructor(IVotes token)
        Governor("PlainMembershipGovernor")
        GovernorSettings(1 hours, 3 days, 0)
        GovernorVotes(token)
        GovernorVotesQuorumFraction(50)
    {}

    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }
}

contract UnionMembershipGovernorVotesTest is MembershipFixture {
    PlainMembershipGovernor internal governor;

    function setUp() public override {
        super.setUp();
        governor = new PlainMembershipGovernor(IVotes(address(membership)));
    }

    function test_governorVotes_usesTheMembershipsTimestampClock() public view {
        vm.assertEq(uint256(governor.clock()), block.timestamp);
        vm.assertEq(governor.CLOCK_MODE(), "mode=timestamp");
    }

    function test_governorVotes_countsOneVotePerMemberAtTheSnapshotAndNothingForLaterJoiners() public {
        _admit(alice, bob, carol);
        vm.prank(carol);
        membership.delegate(bob);
        _later(1);
        address[] memory targets = new address[](1);
        targets[0] = address(membership);
        bytes[] memory calldatas = new bytes[](1);
        calldatas[0] = abi.encodeCall(membership.registerPurpose, ("ads"));
        vm.prank(alice);
        uint256 proposalId = governor.propose(targets, new uint256[](1), calldatas, "register ads");
        uint256 snapshot = governor.proposalSnapshot(proposalId);
        vm.warp(snapshot + 1);
        _admit(dave);

        vm.prank(alice);
        vm.assertEq(governor.castVote(proposalId, 1), 1);
        vm.prank(bob);
        vm.assertEq(governor.castVote(proposalId, 0), 2, "bob votes with carol's delegated unit");
        vm.prank(carol);
        vm.assertEq(governor.castVote(proposalId, 1), 0, "carol delegated her unit");
        vm.prank(dave);
        vm.assertEq(governor.castVote(proposalId, 1), 0, "dave joined after the snapshot");

        (uint256 against, uint256 forVotes, uint256 abstain) = governor.proposalVotes(proposalId);
        vm.assertEq(against, 2);
        vm.assertEq(forVotes, 1);
        vm.assertEq(abstain, 0);
        // Quorum is a fraction of the members at the snapshot (3), not of the members now (4).
        vm.assertEq(governor.quorum(snapshot), 1);
    }
}
