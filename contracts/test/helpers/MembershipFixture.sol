// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {UnionMembership} from "../../src/UnionMembership.sol";
import {Test} from "../utils/Test.sol";

/// @dev Shared fixture of the UnionMembership suites (contracts/test/UnionMembership/*.t.sol, one per concern): a
/// membership with governance (`admin`), an admissions steward and keyed members, and the EIP-712 digests they sign.
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
}
