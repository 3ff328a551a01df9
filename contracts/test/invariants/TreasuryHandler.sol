// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";

import {DividendDistributor} from "../../src/DividendDistributor.sol";
import {UnionTreasury} from "../../src/UnionTreasury.sol";
import {IContributionLedger} from "../../src/interfaces/IContributionLedger.sol";
import {IUnionMembership} from "../../src/interfaces/IUnionMembership.sol";
import {IUnionTreasury} from "../../src/interfaces/IUnionTreasury.sol";
import {TestERC20} from "../../src/testing/TestERC20.sol";
import {MerkleTree} from "../helpers/MerkleTree.sol";
import {FeeOnTransferERC20} from "../mocks/FeeOnTransferERC20.sol";
import {MockEpochLedger} from "../mocks/MockEpochLedger.sol";
import {MockPurposeRegistry} from "../mocks/MockPurposeRegistry.sol";
import {Vm} from "../utils/Test.sol";

/// @notice Drives the treasury and distributor with random payments, donations, governance actions (the handler is
/// the timelock), plans and claims, and keeps ghost totals the invariants compare with the contracts' own books —
/// per token, and per token and purpose for the earmark (DESIGN.md §8): releases and fundings try amounts beyond a
/// purpose's earmark too, which must be refused and change nothing.
contract TreasuryHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    uint48 public constant GENESIS = 1_000_000;
    uint48 public constant EPOCH_LENGTH = 7 days;
    uint48 public constant GRACE_PERIOD = 1 days;
    uint256 internal constant MAX_PAYMENT = 1e30;

    UnionTreasury public immutable treasury;
    DividendDistributor public immutable distributor;
    bytes32 public immutable research;
    bytes32 public immutable training;
    address public immutable buyer = address(0xB7);

    address[] public tokens; // ERC-20, fee-on-transfer ERC-20, ETH
    bytes32[] public purposes; // in ascending id order, as a funding lists them
    address[3] public accounts = [address(0xA1), address(0xA2), address(0xA3)];

    mapping(address token => uint256) public ghostBooked;
    mapping(address token => uint256) public ghostOutflows;
    mapping(address token => uint256) public ghostUnattributed;
    mapping(address token => uint256) public ghostFunded;
    mapping(address token => uint256) public ghostClaimed;
    mapping(address token => mapping(bytes32 purposeId => uint256)) public ghostEarmark;
    mapping(address token => uint256[3]) internal _cumulative;
    mapping(address token => bytes32[]) internal _leaves;
    uint256 public successfulFundings;
    uint256 public successfulClaims;
    uint256 public successfulTransfers;
    uint256 public refusedTransfers;
    uint256 public refusedReleases;
    uint256 public refusedFundings;

    constructor() {
        vm.warp(GENESIS);
        MockEpochLedger ledger = new MockEpochLedger(GENESIS, EPOCH_LENGTH, GRACE_PERIOD);
        MockPurposeRegistry registry = new MockPurposeRegistry();
        research = registry.register("research");
        training = registry.register("training");
        purposes.push(bytes32(0));
        (bytes32 low, bytes32 high) = research < training ? (research, training) : (training, research);
        purposes.push(low);
        purposes.push(high);
        treasury = new UnionTreasury(
            address(this),
            IContributionLedger(address(ledger)),
            IUnionMembership(address(registry)),
            IUnionTreasury.DividendPolicy(1_000, 0, 0, 0, address(0))
        );
        distributor = DividendDistributor(payable(treasury.distributor()));
        TestERC20 token = new TestERC20("Revenue", "REV");
        FeeOnTransferERC20 feeToken = new FeeOnTransferERC20();
        tokens.push(address(token));
        tokens.push(address(feeToken));
        tokens.push(address(0));
        vm.prank(buyer);
        token.approve(address(treasury), type(uint256).max);
        vm.prank(buyer);
        feeToken.approve(address(treasury), type(uint256).max);
    }

    function tokenCount() external view returns (uint256) {
        return tokens.length;
    }

    function balanceOf(address token, address account) public view returns (uint256) {
        return token == address(0) ? account.balance : TestERC20(token).balanceOf(account);
    }

    // ------------------------------------------------------------------ anyone

    function purposeCount() external view returns (uint256) {
        return purposes.length;
    }

    function payRevenue(uint256 tokenSeed, uint256 amount, uint256 purposeSeed) external {
        address token = tokens[tokenSeed % tokens.length];
        bytes32 purposeId = purposes[purposeSeed % purposes.length];
        amount = _bound(amount, 1, MAX_PAYMENT);
        uint256 before = balanceOf(token, address(treasury));
        if (token == address(0)) {
            vm.deal(buyer, amount);
        } else {
            TestERC20(token).mint(buyer, amount);
        }
        vm.prank(buyer);
        treasury.payRevenue{value: token == address(0) ? amount : 0}(token, amount, purposeId, "licence");
        uint256 received = balanceOf(token, address(treasury)) - before;
        ghostBooked[token] += received;
        ghostEarmark[token][purposeId] += received;
    }

    function sendPlainEth(uint256 amount) external {
        amount = _bound(amount, 1, MAX_PAYMENT);
        vm.deal(address(this), amount);
        Address.sendValue(payable(address(treasury)), amount);
        ghostBooked[address(0)] += amount;
        ghostEarmark[address(0)][bytes32(0)] += amount;
    }

    /// @dev Tokens (or ETH) arriving without `payRevenue`.
    function donate(uint256 tokenSeed, uint256 amount) external {
        address token = tokens[tokenSeed % tokens.length];
        amount = _bound(amount, 1, MAX_PAYMENT);
        if (token == address(0)) {
            vm.deal(address(treasury), address(treasury).balance + amount);
        } else {
            TestERC20(token).mint(address(treasury), amount);
        }
        ghostUnattributed[token] += amount;
    }

    // ------------------------------------------------------------------ the timelock

    function bookUnattributed(uint256 tokenSeed, uint256 amount) external {
        address token = tokens[tokenSeed % tokens.length];
        uint256 available = treasury.unattributed(token);
        if (available == 0) return;
        amount = _bound(amount, 1, available);
        treasury.bookUnattributed(token, amount);
        ghostUnattributed[token] -= amount;
        ghostBooked[token] += amount;
        ghostEarmark[token][bytes32(0)] += amount;
    }

    /// @dev Any amount up to twice the purpose's earmark: beyond it (even within the token's) must be refused.
    function releaseEarmark(uint256 tokenSeed, uint256 purposeSeed, uint256 amount) external {
        address token = tokens[tokenSeed % tokens.length];
        bytes32 purposeId = purposes[purposeSeed % purposes.length];
        uint256 available = treasury.earmarkedFor(token, purposeId);
        amount = _bound(amount, 1, 2 * (available + 1));
        try treasury.releaseEarmark(token, purposeId, amount, "release") {
            require(amount <= available, "a release beyond the purpose's earmark passed");
            ghostEarmark[token][purposeId] -= amount;
        } catch (bytes memory reason) {
            require(amount > available, "a release within the purpose's earmark failed");
            bytes memory expected = abi.encodeWithSelector(
                IUnionTreasury.TreasuryExceedsEarmark.selector, token, purposeId, amount, available
            );
            require(keccak256(reason) == keccak256(expected), "a release was refused for another reason");
            ++refusedReleases;
        }
    }

    /// @dev Tries any amount, free or not: a transfer beyond the free balance must revert and change nothing.
    function transfer(uint256 tokenSeed, uint256 amount) external {
        address token = tokens[tokenSeed % tokens.length];
        amount = _bound(amount, 1, balanceOf(token, address(treasury)) + 1);
        try treasury.transfer(token, address(0xFEE), amount, "spend") {
            ghostOutflows[token] += amount;
            ++successfulTransfers;
        } catch {
            ++refusedTransfers;
        }
    }

    /// @dev A plan for the next epoch: per purpose a random amount and reserve within its earmark — one time in
    /// eight one purpose asks 1 wei more than it has, which must be refused — allocated to three accounts.
    function fundDividends(uint256 tokenSeed, uint256 amountSeed, uint256 reserveSeed, uint256 splitSeed) external {
        address token = tokens[tokenSeed % tokens.length];
        (IUnionTreasury.PurposeFunding[] memory fundings, uint256 amount, uint256 excess) =
            _fundings(token, amountSeed, reserveSeed);
        (uint256[3] memory next, bytes32[] memory leaves) = _nextLeaves(token, amount, splitSeed);
        uint64 fromEpoch = distributor.lastFundedEpoch(token);
        uint256 readyAt = uint256(GENESIS) + uint256(fromEpoch + 1) * EPOCH_LENGTH + GRACE_PERIOD;
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < readyAt) vm.warp(readyAt); // plans wait for end + grace, as on chain
        try treasury.fundDividends(token, fromEpoch, fromEpoch + 1, fundings, MerkleTree.root(leaves), keccak256("p")) {
            require(excess == 0, "a funding beyond a purpose's earmark passed");
            _cumulative[token] = next;
            _leaves[token] = leaves;
            ghostFunded[token] += amount;
            ghostOutflows[token] += amount;
            for (uint256 i = 0; i < fundings.length; ++i) {
                ghostEarmark[token][fundings[i].purposeId] -= fundings[i].amount + fundings[i].reserveReleased;
            }
            ++successfulFundings;
        } catch (bytes memory reason) {
            // A purpose asked for more than it has, or a token that takes a fee cannot deliver the full amount.
            bytes4 selector = bytes4(reason);
            require(
                (excess > 0 && selector == IUnionTreasury.TreasuryExceedsEarmark.selector)
                    || (token == tokens[1]
                        && amount > 0
                        && selector == IUnionTreasury.TreasuryIncompleteFunding.selector),
                "funding failed unexpectedly"
            );
            ++refusedFundings;
        }
    }

    /// @dev The three accounts' cumulative amounts after `amount` more is split among them, and their leaves.
    function _nextLeaves(address token, uint256 amount, uint256 splitSeed)
        internal
        view
        returns (uint256[3] memory next, bytes32[] memory leaves)
    {
        next = _cumulative[token];
        uint256 first = amount * (splitSeed % 101) / 100;
        uint256 second = (amount - first) * ((splitSeed / 101) % 101) / 100;
        next[0] += first;
        next[1] += second;
        next[2] += amount - first - second;
        address[] memory leafAccounts = new address[](3);
        uint256[] memory leafAmounts = new uint256[](3);
        for (uint256 i = 0; i < 3; ++i) {
            leafAccounts[i] = accounts[i];
            leafAmounts[i] = next[i];
        }
        leaves = MerkleTree.leaves(leafAccounts, leafAmounts);
    }

    /// @dev Per purpose with something earmarked, a random split of part of it into amount and reserve (ascending
    /// ids, as the planner lists them); `excess` is 1 when one purpose was made to ask for 1 wei beyond its earmark.
    function _fundings(address token, uint256 amountSeed, uint256 reserveSeed)
        internal
        view
        returns (IUnionTreasury.PurposeFunding[] memory fundings, uint256 amount, uint256 excess)
    {
        IUnionTreasury.PurposeFunding[] memory all = new IUnionTreasury.PurposeFunding[](purposes.length);
        uint256 count = 0;
        for (uint256 i = 0; i < purposes.length; ++i) {
            uint256 available = treasury.earmarkedFor(token, purposes[i]);
            uint256 part = _bound(uint256(keccak256(abi.encode(amountSeed, i))), 0, available);
            uint256 reserve = _bound(uint256(keccak256(abi.encode(reserveSeed, i))), 0, available - part);
            if (part + reserve == 0) continue;
            all[count++] = IUnionTreasury.PurposeFunding(purposes[i], part, reserve);
            amount += part;
        }
        if (count > 0 && amountSeed % 8 == 0) {
            IUnionTreasury.PurposeFunding memory greedy = all[amountSeed / 8 % count];
            greedy.reserveReleased = treasury.earmarkedFor(token, greedy.purposeId) - greedy.amount + 1;
            excess = 1;
        }
        fundings = new IUnionTreasury.PurposeFunding[](count);
        for (uint256 i = 0; i < count; ++i) {
            fundings[i] = all[i];
        }
    }

    function claim(uint256 tokenSeed, uint256 accountSeed) external {
        address token = tokens[tokenSeed % tokens.length];
        if (_leaves[token].length == 0) return;
        uint256 index = accountSeed % 3;
        uint256 cumulative = _cumulative[token][index];
        uint256 already = distributor.claimed(token, accounts[index]);
        if (cumulative == already) return;
        uint256 paid = distributor.claim(token, accounts[index], cumulative, MerkleTree.proof(_leaves[token], index));
        ghostClaimed[token] += paid;
        ++successfulClaims;
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + _bound(seconds_, 1, 30 days));
    }

    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (x >= min && x <= max) return x;
        return min + (x % (max - min + 1));
    }
}
