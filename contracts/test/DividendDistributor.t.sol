// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

import {DividendDistributor} from "../src/DividendDistributor.sol";
import {IDividendDistributor} from "../src/interfaces/IDividendDistributor.sol";
import {TestERC20} from "../src/testing/TestERC20.sol";
import {MerkleTree} from "./helpers/MerkleTree.sol";
import {ReentrantClaimer, RejectingReceiver} from "./mocks/EthReceivers.sol";
import {Test} from "./utils/Test.sol";

/// @dev The test contract plays the treasury: it funds the distributor and moves its roots.
contract DividendDistributorTest is Test {
    DividendDistributor internal distributor;
    TestERC20 internal token;
    TestERC20 internal otherToken;

    address internal alice = address(0xA11CE);
    address internal bob = address(0xB0B);
    address internal carol = address(0xCA501);
    address internal relayer = address(0x5E1A7);

    function setUp() public {
        distributor = new DividendDistributor(address(this));
        token = new TestERC20("Revenue", "REV");
        otherToken = new TestERC20("Other", "OTH");
    }

    // ------------------------------------------------------------------ helpers

    function _accounts() internal view returns (address[] memory accounts) {
        accounts = new address[](3);
        accounts[0] = alice;
        accounts[1] = bob;
        accounts[2] = carol;
    }

    function _amounts(uint256 a, uint256 b, uint256 c) internal pure returns (uint256[] memory amounts) {
        amounts = new uint256[](3);
        amounts[0] = a;
        amounts[1] = b;
        amounts[2] = c;
    }

    /// @dev Funds `amount` of `token_` and installs the tree (alice, bob, carol) with cumulative `amounts`.
    function _fund(address token_, uint64 fromEpoch, uint64 throughEpoch, uint256[] memory amounts, uint256 amount)
        internal
        returns (bytes32[] memory nodes)
    {
        nodes = MerkleTree.leaves(_accounts(), amounts);
        if (token_ == address(0)) {
            vm.deal(address(this), address(this).balance + amount);
            Address.sendValue(payable(address(distributor)), amount);
        } else {
            TestERC20(token_).mint(address(distributor), amount);
        }
        distributor.updateRoot(token_, fromEpoch, throughEpoch, MerkleTree.root(nodes), amount);
    }

    // ------------------------------------------------------------------ constructor and receive

    function test_constructor_setsTheTreasury() public view {
        vm.assertEq(distributor.treasury(), address(this));
        vm.assertEq(distributor.merkleRoot(address(token)), bytes32(0));
        vm.assertEq(uint256(distributor.lastFundedEpoch(address(token))), 0);
    }

    function test_receive_acceptsEthFromTheTreasury() public {
        vm.deal(address(this), 1 ether);
        Address.sendValue(payable(address(distributor)), 1 ether);
        vm.assertEq(address(distributor).balance, 1 ether);
    }

    function test_receive_revertsWhenSenderIsNotTheTreasury() public {
        vm.deal(alice, 1 ether);
        vm.prank(alice);
        (bool ok, bytes memory reason) = address(distributor).call{value: 1 ether}("");
        vm.assertFalse(ok);
        vm.assertEq(reason, abi.encodeWithSelector(IDividendDistributor.DistributorUnauthorized.selector, alice));
    }

    // ------------------------------------------------------------------ updateRoot

    function test_updateRoot_setsRootEpochAndFundedTotal() public {
        bytes32 root = keccak256("root");
        vm.expectEmit(true, true, true, true, address(distributor));
        emit IDividendDistributor.RootUpdated(address(token), 0, 3, root, 500);
        distributor.updateRoot(address(token), 0, 3, root, 500);

        vm.assertEq(distributor.merkleRoot(address(token)), root);
        vm.assertEq(uint256(distributor.lastFundedEpoch(address(token))), 3);
        vm.assertEq(distributor.totalFunded(address(token)), 500);
        vm.assertEq(distributor.totalClaimed(address(token)), 0);
        vm.assertEq(distributor.merkleRoot(address(otherToken)), bytes32(0), "other tokens untouched");
    }

    function test_updateRoot_accumulatesFundingAcrossPlans() public {
        distributor.updateRoot(address(token), 0, 2, keccak256("a"), 500);
        distributor.updateRoot(address(token), 2, 5, keccak256("b"), 300);
        vm.assertEq(distributor.totalFunded(address(token)), 800);
        vm.assertEq(uint256(distributor.lastFundedEpoch(address(token))), 5);
        vm.assertEq(distributor.merkleRoot(address(token)), keccak256("b"));
    }

    function test_updateRoot_revertsWhenCallerIsNotTheTreasury() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IDividendDistributor.DistributorUnauthorized.selector, alice));
        distributor.updateRoot(address(token), 0, 1, keccak256("root"), 1);
    }

    function test_updateRoot_revertsWhenPlanIsStale() public {
        distributor.updateRoot(address(token), 0, 2, keccak256("a"), 1);
        vm.expectRevert(
            abi.encodeWithSelector(IDividendDistributor.DistributorStalePlan.selector, address(token), 0, 2)
        );
        distributor.updateRoot(address(token), 0, 3, keccak256("b"), 1);
    }

    function test_updateRoot_revertsWhenPlanSkipsAhead() public {
        vm.expectRevert(
            abi.encodeWithSelector(IDividendDistributor.DistributorStalePlan.selector, address(token), 1, 0)
        );
        distributor.updateRoot(address(token), 1, 3, keccak256("b"), 1);
    }

    function test_updateRoot_revertsWhenRangeIsEmpty() public {
        vm.expectRevert(abi.encodeWithSelector(IDividendDistributor.DistributorInvalidEpochRange.selector, 0, 0));
        distributor.updateRoot(address(token), 0, 0, keccak256("b"), 1);
    }

    function test_updateRoot_revertsWhenFundedTotalOverflows128Bits() public {
        distributor.updateRoot(address(token), 0, 1, keccak256("a"), type(uint128).max);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDividendDistributor.DistributorFundingOverflow.selector, address(token), uint256(type(uint128).max) + 1
            )
        );
        distributor.updateRoot(address(token), 1, 2, keccak256("b"), 1);
    }

    // ------------------------------------------------------------------ claim

    function test_claim_paysCumulativeAmountToTheAccount() public {
        bytes32[] memory nodes = _fund(address(token), 0, 1, _amounts(100, 200, 300), 600);

        vm.expectEmit(true, true, true, true, address(distributor));
        emit IDividendDistributor.Claimed(address(token), bob, 200, 200);
        uint256 paid = distributor.claim(address(token), bob, 200, MerkleTree.proof(nodes, 1));

        vm.assertEq(paid, 200);
        vm.assertEq(token.balanceOf(bob), 200);
        vm.assertEq(distributor.claimed(address(token), bob), 200);
        vm.assertEq(distributor.totalClaimed(address(token)), 200);
        vm.assertEq(token.balanceOf(address(distributor)), 400);
    }

    function test_claim_byRelayerPaysTheAccountNotTheCaller() public {
        bytes32[] memory nodes = _fund(address(token), 0, 1, _amounts(100, 200, 300), 600);
        vm.prank(relayer);
        distributor.claim(address(token), alice, 100, MerkleTree.proof(nodes, 0));
        vm.assertEq(token.balanceOf(alice), 100);
        vm.assertEq(token.balanceOf(relayer), 0);
    }

    function test_claim_paysOnlyTheIncrementAfterANewRoot() public {
        bytes32[] memory first = _fund(address(token), 0, 1, _amounts(100, 200, 300), 600);
        distributor.claim(address(token), alice, 100, MerkleTree.proof(first, 0));
        bytes32[] memory second = _fund(address(token), 1, 2, _amounts(150, 260, 300), 110);

        vm.expectEmit(true, true, true, true, address(distributor));
        emit IDividendDistributor.Claimed(address(token), alice, 50, 150);
        vm.assertEq(distributor.claim(address(token), alice, 150, MerkleTree.proof(second, 0)), 50);
        // bob never claimed round one: one claim collects both rounds.
        vm.assertEq(distributor.claim(address(token), bob, 260, MerkleTree.proof(second, 1)), 260);
        vm.assertEq(token.balanceOf(alice), 150);
        vm.assertEq(distributor.totalClaimed(address(token)), 410);
    }

    function test_claim_revertsWhenProofIsForAnotherAccount() public {
        bytes32[] memory nodes = _fund(address(token), 0, 1, _amounts(100, 200, 300), 600);
        bytes32[] memory aliceProof = MerkleTree.proof(nodes, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IDividendDistributor.DistributorInvalidProof.selector, address(token), bob, 100)
        );
        distributor.claim(address(token), bob, 100, aliceProof);
    }

    function test_claim_revertsWhenAmountIsInflated() public {
        bytes32[] memory nodes = _fund(address(token), 0, 1, _amounts(100, 200, 300), 600);
        vm.expectRevert(
            abi.encodeWithSelector(IDividendDistributor.DistributorInvalidProof.selector, address(token), alice, 101)
        );
        distributor.claim(address(token), alice, 101, MerkleTree.proof(nodes, 0));
    }

    function test_claim_revertsWhenInnerNodeIsPresentedAsLeaf() public {
        // Four leaves: the inner node over (alice, bob) is 64 bytes of preimage; try to claim it as a leaf whose
        // "account" and "amount" are the two children, with the other inner node as the one-hash proof.
        address[] memory accounts = new address[](4);
        accounts[0] = alice;
        accounts[1] = bob;
        accounts[2] = carol;
        accounts[3] = relayer;
        uint256[] memory amounts = new uint256[](4);
        amounts[0] = 1;
        amounts[1] = 2;
        amounts[2] = 3;
        amounts[3] = 4;
        bytes32[] memory nodes = MerkleTree.leaves(accounts, amounts);
        token.mint(address(distributor), 10);
        distributor.updateRoot(address(token), 0, 1, MerkleTree.root(nodes), 10);

        (bytes32 low, bytes32 high) = nodes[0] < nodes[1] ? (nodes[0], nodes[1]) : (nodes[1], nodes[0]);
        bytes32[] memory siblingProof = new bytes32[](1);
        siblingProof[0] = Hashes.commutativeKeccak256(nodes[2], nodes[3]);
        // The forged pair really is the inner node: a single-hashed leaf scheme would accept it.
        vm.assertEq(keccak256(abi.encode(low, high)), Hashes.commutativeKeccak256(nodes[0], nodes[1]));

        address forgedAccount = address(uint160(uint256(low)));
        vm.expectRevert(
            abi.encodeWithSelector(
                IDividendDistributor.DistributorInvalidProof.selector, address(token), forgedAccount, uint256(high)
            )
        );
        distributor.claim(address(token), forgedAccount, uint256(high), siblingProof);
    }

    function test_claim_revertsWhenNothingIsDue() public {
        bytes32[] memory nodes = _fund(address(token), 0, 1, _amounts(100, 200, 300), 600);
        bytes32[] memory proof = MerkleTree.proof(nodes, 0);
        distributor.claim(address(token), alice, 100, proof);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDividendDistributor.DistributorNothingToClaim.selector, address(token), alice, 100, 100
            )
        );
        distributor.claim(address(token), alice, 100, proof);
    }

    function test_claim_revertsWhenAnOldLeafIsBelowWhatWasClaimed() public {
        bytes32[] memory first = _fund(address(token), 0, 1, _amounts(100, 200, 300), 600);
        bytes32[] memory second = _fund(address(token), 1, 2, _amounts(150, 200, 300), 50);
        distributor.claim(address(token), alice, 150, MerkleTree.proof(second, 0));
        // The old leaf (100) is no longer under the root at all.
        vm.expectRevert(
            abi.encodeWithSelector(IDividendDistributor.DistributorInvalidProof.selector, address(token), alice, 100)
        );
        distributor.claim(address(token), alice, 100, MerkleTree.proof(first, 0));
    }

    function test_claim_revertsWhenClaimsWouldExceedFunded() public {
        // A root allocating 600 with only 500 funded: the last claim that would cross the total reverts.
        bytes32[] memory nodes = _fund(address(token), 0, 1, _amounts(100, 200, 300), 500);
        token.mint(address(distributor), 100); // the balance is there, but it was never funded
        distributor.claim(address(token), alice, 100, MerkleTree.proof(nodes, 0));
        distributor.claim(address(token), bob, 200, MerkleTree.proof(nodes, 1));
        vm.expectRevert(
            abi.encodeWithSelector(IDividendDistributor.DistributorExceedsFunded.selector, address(token), 600, 500)
        );
        distributor.claim(address(token), carol, 300, MerkleTree.proof(nodes, 2));
    }

    function test_claim_revertsBeforeAnyRootExists() public {
        vm.expectRevert(
            abi.encodeWithSelector(IDividendDistributor.DistributorInvalidProof.selector, address(token), alice, 0)
        );
        distributor.claim(address(token), alice, 0, new bytes32[](0));
    }

    function test_claim_revertsWhenLeafOfOneTokenIsClaimedInAnother() public {
        bytes32[] memory nodes = _fund(address(token), 0, 1, _amounts(100, 200, 300), 600);
        otherToken.mint(address(distributor), 1_000);
        bytes32[] memory proof = MerkleTree.proof(nodes, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDividendDistributor.DistributorInvalidProof.selector, address(otherToken), alice, 100
            )
        );
        distributor.claim(address(otherToken), alice, 100, proof);
    }

    function test_claim_paysEth() public {
        bytes32[] memory nodes = _fund(address(0), 0, 1, _amounts(1 ether, 2 ether, 3 ether), 6 ether);
        distributor.claim(address(0), carol, 3 ether, MerkleTree.proof(nodes, 2));
        vm.assertEq(carol.balance, 3 ether);
        vm.assertEq(address(distributor).balance, 3 ether);
        vm.assertEq(distributor.totalClaimed(address(0)), 3 ether);
    }

    function test_claim_revertsWhenEthRecipientRejectsPayment() public {
        RejectingReceiver rejecting = new RejectingReceiver();
        address[] memory accounts = new address[](2);
        accounts[0] = address(rejecting);
        accounts[1] = alice;
        uint256[] memory amounts = new uint256[](2);
        amounts[0] = 1 ether;
        amounts[1] = 1 ether;
        bytes32[] memory nodes = MerkleTree.leaves(accounts, amounts);
        vm.deal(address(distributor), 2 ether);
        distributor.updateRoot(address(0), 0, 1, MerkleTree.root(nodes), 2 ether);

        vm.expectRevert();
        distributor.claim(address(0), address(rejecting), 1 ether, MerkleTree.proof(nodes, 0));
        vm.assertEq(distributor.claimed(address(0), address(rejecting)), 0, "nothing booked");
    }

    function test_claim_reentrantClaimFromEthRecipientFindsNothingDue() public {
        ReentrantClaimer claimer = new ReentrantClaimer();
        address[] memory accounts = new address[](2);
        accounts[0] = address(claimer);
        accounts[1] = alice;
        uint256[] memory amounts = new uint256[](2);
        amounts[0] = 1 ether;
        amounts[1] = 1 ether;
        bytes32[] memory nodes = MerkleTree.leaves(accounts, amounts);
        vm.deal(address(distributor), 2 ether);
        distributor.updateRoot(address(0), 0, 1, MerkleTree.root(nodes), 2 ether);
        claimer.arm(distributor, 1 ether, MerkleTree.proof(nodes, 0));

        distributor.claim(address(0), address(claimer), 1 ether, MerkleTree.proof(nodes, 0));

        vm.assertEq(address(claimer).balance, 1 ether, "paid once");
        vm.assertEq(
            claimer.reentryError(),
            abi.encodeWithSelector(
                IDividendDistributor.DistributorNothingToClaim.selector, address(0), address(claimer), 1 ether, 1 ether
            )
        );
    }

    function test_claim_revertsWhenTokenTransferFails() public {
        // Funded on paper but the tokens never arrived: the transfer fails and nothing is booked.
        bytes32[] memory nodes = MerkleTree.leaves(_accounts(), _amounts(100, 200, 300));
        distributor.updateRoot(address(token), 0, 1, MerkleTree.root(nodes), 600);
        vm.expectRevert();
        distributor.claim(address(token), alice, 100, MerkleTree.proof(nodes, 0));
        vm.assertEq(distributor.totalClaimed(address(token)), 0);
    }

    // ------------------------------------------------------------------ claimMany

    function test_claimMany_paysEveryToken() public {
        bytes32[] memory revenueNodes = _fund(address(token), 0, 1, _amounts(100, 200, 300), 600);
        bytes32[] memory ethNodes = _fund(address(0), 0, 2, _amounts(1 ether, 2 ether, 3 ether), 6 ether);

        address[] memory tokens = new address[](2);
        tokens[0] = address(token);
        tokens[1] = address(0);
        uint256[] memory cumulative = new uint256[](2);
        cumulative[0] = 200;
        cumulative[1] = 2 ether;
        bytes32[][] memory proofs = new bytes32[][](2);
        proofs[0] = MerkleTree.proof(revenueNodes, 1);
        proofs[1] = MerkleTree.proof(ethNodes, 1);

        vm.prank(relayer);
        uint256[] memory paid = distributor.claimMany(tokens, bob, cumulative, proofs);
        vm.assertEq(paid[0], 200);
        vm.assertEq(paid[1], 2 ether);
        vm.assertEq(token.balanceOf(bob), 200);
        vm.assertEq(bob.balance, 2 ether);
    }

    function test_claimMany_revertsWhenLengthsDiffer() public {
        vm.expectRevert(abi.encodeWithSelector(IDividendDistributor.DistributorLengthMismatch.selector, 2, 1, 2));
        distributor.claimMany(new address[](2), alice, new uint256[](1), new bytes32[][](2));
    }

    function test_claimMany_revertsEntirelyWhenOneClaimFails() public {
        bytes32[] memory nodes = _fund(address(token), 0, 1, _amounts(100, 200, 300), 600);
        address[] memory tokens = new address[](2);
        tokens[0] = address(token);
        tokens[1] = address(otherToken);
        uint256[] memory cumulative = new uint256[](2);
        cumulative[0] = 100;
        cumulative[1] = 100;
        bytes32[][] memory proofs = new bytes32[][](2);
        proofs[0] = MerkleTree.proof(nodes, 0);
        proofs[1] = MerkleTree.proof(nodes, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDividendDistributor.DistributorInvalidProof.selector, address(otherToken), alice, 100
            )
        );
        distributor.claimMany(tokens, alice, cumulative, proofs);
        vm.assertEq(token.balanceOf(alice), 0);
    }

    // ------------------------------------------------------------------ fuzz

    /// @dev Random allocation increments over several rounds, random claim timing: every account ends with
    /// exactly its cumulative allocation, and Σ claimed never passes Σ funded.
    function testFuzz_claim_cumulativeSequencesAcrossRounds(uint256 seed, uint8 roundsSeed) public {
        uint256 rounds = bound(roundsSeed, 1, 6);
        address[] memory accounts = _accounts();
        uint256[] memory cumulative = new uint256[](3);
        uint256[] memory paidOut = new uint256[](3);
        uint256 funded;
        for (uint256 round = 0; round < rounds; ++round) {
            uint256 increment;
            for (uint256 i = 0; i < 3; ++i) {
                uint256 grant = uint256(keccak256(abi.encode(seed, round, i, "grant"))) % 1e24;
                cumulative[i] += grant;
                increment += grant;
            }
            bytes32[] memory nodes = MerkleTree.leaves(accounts, cumulative);
            token.mint(address(distributor), increment);
            funded += increment;
            distributor.updateRoot(
                address(token),
                SafeCast.toUint64(round),
                SafeCast.toUint64(round + 1),
                MerkleTree.root(nodes),
                increment
            );
            for (uint256 i = 0; i < 3; ++i) {
                bool claimsNow = uint256(keccak256(abi.encode(seed, round, i, "claim"))) % 2 == 0;
                if (!claimsNow || cumulative[i] == paidOut[i]) continue;
                uint256 paid = distributor.claim(address(token), accounts[i], cumulative[i], MerkleTree.proof(nodes, i));
                vm.assertEq(paid, cumulative[i] - paidOut[i]);
                paidOut[i] = cumulative[i];
                vm.assertLe(distributor.totalClaimed(address(token)), distributor.totalFunded(address(token)));
            }
            if (round == rounds - 1) {
                for (uint256 i = 0; i < 3; ++i) {
                    if (cumulative[i] == paidOut[i]) continue;
                    distributor.claim(address(token), accounts[i], cumulative[i], MerkleTree.proof(nodes, i));
                    paidOut[i] = cumulative[i];
                }
            }
        }
        for (uint256 i = 0; i < 3; ++i) {
            vm.assertEq(token.balanceOf(accounts[i]), cumulative[i]);
            vm.assertEq(distributor.claimed(address(token), accounts[i]), cumulative[i]);
        }
        vm.assertEq(distributor.totalFunded(address(token)), funded);
        vm.assertEq(distributor.totalClaimed(address(token)), funded);
        vm.assertEq(token.balanceOf(address(distributor)), 0);
    }

    /// @dev Any (account, amount) not in the tree is rejected, whatever proof of a real leaf comes with it.
    function testFuzz_claim_revertsForLeavesNotInTheTree(address account, uint256 amount, uint8 proofIndex) public {
        bytes32[] memory nodes = _fund(address(token), 0, 1, _amounts(100, 200, 300), 600);
        uint256 index = bound(proofIndex, 0, 2);
        vm.assume(!(account == _accounts()[index] && amount == _amounts(100, 200, 300)[index]));
        vm.expectRevert(
            abi.encodeWithSelector(
                IDividendDistributor.DistributorInvalidProof.selector, address(token), account, amount
            )
        );
        distributor.claim(address(token), account, amount, MerkleTree.proof(nodes, index));
    }
}

/// @dev Gas of a steady-state claim: the account claimed in an earlier round and holds the token, the proof has 20
/// hashes (a 1,000,000-leaf tree). setUp runs as its own transaction, so every slot the claim touches is cold in the
/// test, as in a real claim transaction.
contract DividendDistributorClaimGasTest is Test {
    using SafeERC20 for TestERC20;

    uint256 internal constant PROOF_LENGTH = 20;
    uint256 internal constant TX_GAS_TARGET = 70_000;

    DividendDistributor internal distributor;
    TestERC20 internal token;
    address internal member = address(0x1234567890AbcdEF1234567890aBcdef12345678);
    bytes32[] internal proof;
    uint256 internal cumulative = 2_500e18;

    function setUp() public {
        distributor = new DividendDistributor(address(this));
        token = new TestERC20("Revenue", "REV");

        // Round one: the member claims 1,000 (so it holds the token and its claimed slot is non-zero).
        bytes32[] memory firstProof = _randomProof("round one");
        bytes32 firstRoot = _rootFrom(MerkleTree.leaf(member, 1_000e18), firstProof);
        token.mint(address(distributor), 1_000_000e18);
        distributor.updateRoot(address(token), 0, 1, firstRoot, 1_000_000e18);
        distributor.claim(address(token), member, 1_000e18, firstProof);

        // Round two: a new root in which the member's cumulative amount grew.
        proof = _randomProof("round two");
        token.mint(address(distributor), 1_000_000e18);
        distributor.updateRoot(
            address(token), 1, 2, _rootFrom(MerkleTree.leaf(member, cumulative), proof), 1_000_000e18
        );
    }

    function test_claim_steadyStateErc20With20HashProofFitsGasTarget() public {
        bytes memory callData = abi.encodeCall(DividendDistributor.claim, (address(token), member, cumulative, proof));
        uint256 calldataGas = _calldataGas(callData);
        address target = address(distributor);
        // A transaction's `to` is warm from the start; warm it here without touching any of its storage slots.
        vm.assertGt(target.code.length, 0);

        // The measured span is the claim plus a warm CALL of ready-made calldata (an upper bound on execution gas).
        uint256 before = gasleft();
        (bool ok,) = target.call(callData);
        uint256 execution = before - gasleft();

        vm.assertTrue(ok, "claim reverted");
        uint256 total = 21_000 + calldataGas + execution;
        emit log_named_uint("claim calldata gas", calldataGas);
        emit log_named_uint("claim execution gas (incl. a warm CALL)", execution);
        emit log_named_uint("claim total tx gas", total);
        vm.assertEq(token.balanceOf(member), cumulative);
        vm.assertLe(total, TX_GAS_TARGET, "steady-state claim exceeds 70,000 gas");
    }

    event log_named_uint(string key, uint256 val);

    function _randomProof(string memory salt) internal pure returns (bytes32[] memory out) {
        out = new bytes32[](PROOF_LENGTH);
        for (uint256 i = 0; i < PROOF_LENGTH; ++i) {
            out[i] = keccak256(abi.encode(salt, i));
        }
    }

    function _rootFrom(bytes32 leaf, bytes32[] memory siblings) internal pure returns (bytes32 node) {
        node = leaf;
        for (uint256 i = 0; i < siblings.length; ++i) {
            node = Hashes.commutativeKeccak256(node, siblings[i]);
        }
    }

    /// @dev EIP-2028 calldata cost: 4 gas per zero byte, 16 per non-zero byte.
    function _calldataGas(bytes memory data) internal pure returns (uint256 gas) {
        for (uint256 i = 0; i < data.length; ++i) {
            gas += data[i] == 0 ? 4 : 16;
        }
    }
}
