// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {DividendDistributor} from "./DividendDistributor.sol";
import {IContributionLedger} from "./interfaces/IContributionLedger.sol";
import {IUnionMembership} from "./interfaces/IUnionMembership.sol";
import {IUnionTreasury} from "./interfaces/IUnionTreasury.sol";

/// @title UnionTreasury
/// @notice Books the union's revenue per token, keeps the undistributed part earmarked and moves funds only when the
/// timelock (a vote that passed, after its delay) says so (DESIGN.md §1, §2).
/// @dev The constructor creates the `DividendDistributor` with this treasury as its immutable owner, so neither needs
/// an initializer or a precomputed address. The ledger's epoch parameters are immutable there and copied here, so
/// booking revenue and checking a plan's readiness need no external call.
contract UnionTreasury is IUnionTreasury, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @dev The books of one token (see IUnionTreasury): `earmarked <= booked - outflows` always, and `earmarked` is
    /// the sum of the token's per-purpose earmarks.
    struct Books {
        uint256 booked;
        uint256 outflows;
        uint256 earmarked;
    }

    uint256 private constant _BPS = 10_000;

    address private immutable _timelock;
    IContributionLedger private immutable _ledger;
    IUnionMembership private immutable _membership;
    DividendDistributor private immutable _distributor;
    uint256 private immutable _genesis;
    uint256 private immutable _epochLength;
    uint256 private immutable _gracePeriod;

    mapping(address token => Books) private _books;
    mapping(address token => mapping(bytes32 purposeId => uint256)) private _purposeEarmarks;
    DividendPolicy private _policy;

    modifier onlyTimelock() {
        if (msg.sender != _timelock) revert TreasuryUnauthorized(msg.sender);
        _;
    }

    /// @param timelock_ the TimelockController that alone may change the treasury
    /// @param ledger_ the contribution ledger whose epochs revenue is booked in
    /// @param membership_ the membership contract whose purpose registry validates purpose ids
    /// @param initialPolicy the dividend policy in force from deployment (emits `DividendPolicySet`)
    constructor(
        address timelock_,
        IContributionLedger ledger_,
        IUnionMembership membership_,
        DividendPolicy memory initialPolicy
    ) {
        _timelock = timelock_;
        _ledger = ledger_;
        _membership = membership_;
        _genesis = ledger_.genesis();
        _epochLength = ledger_.epochLength();
        _gracePeriod = ledger_.gracePeriod();
        _distributor = new DividendDistributor(address(this));
        _setDividendPolicy(initialPolicy);
    }

    /// @notice Plain ETH is general revenue (purpose 0) paid by the sender, with the same checks as `payRevenue`.
    receive() external payable {
        _checkPayment(msg.value, bytes32(0));
        _book(address(0), bytes32(0), msg.sender, msg.value, "");
    }

    // ------------------------------------------------------------------ revenue

    /// @inheritdoc IUnionTreasury
    function payRevenue(address token, uint256 amount, bytes32 purposeId, string calldata licenseRef)
        external
        payable
        nonReentrant
    {
        // Checks: a non-zero payment, in an open epoch, for a known purpose, with ETH only when paying ETH.
        _checkPayment(amount, purposeId);
        if (token == address(0)) {
            if (msg.value != amount) revert TreasuryEthAmountMismatch(msg.value, amount);
            // Effects: ETH has already arrived with the call.
            _book(token, purposeId, msg.sender, amount, licenseRef);
            return;
        }
        if (msg.value != 0) revert TreasuryEthAmountMismatch(msg.value, amount);
        // Interactions before effects, on purpose: only the balance increase says what arrived (fee-on-transfer
        // tokens). The lock keeps a re-entrant payment from being counted inside this one's increase.
        uint256 balanceBefore = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - balanceBefore;
        if (received == 0) revert TreasuryZeroAmount();
        // Effects: book what arrived.
        _book(token, purposeId, msg.sender, received, licenseRef);
    }

    // ------------------------------------------------------------------ governance

    /// @inheritdoc IUnionTreasury
    function setDividendPolicy(DividendPolicy calldata policy) external onlyTimelock {
        _setDividendPolicy(policy);
    }

    /// @inheritdoc IUnionTreasury
    function fundDividends(
        address token,
        uint64 fromEpoch,
        uint64 throughEpoch,
        PurposeFunding[] calldata purposes,
        bytes32 newRoot,
        bytes32 planHash
    ) external onlyTimelock {
        // Checks: the plan continues the last funded one and covers closed epochs only.
        uint64 last = _distributor.lastFundedEpoch(token);
        if (fromEpoch != last) revert TreasuryStalePlan(token, fromEpoch, last);
        if (throughEpoch <= fromEpoch) revert TreasuryInvalidEpochRange(fromEpoch, throughEpoch);
        uint256 readyAt = _genesis + uint256(throughEpoch) * _epochLength + _gracePeriod;
        // Epochs are defined by block timestamps (DESIGN.md §2); a validator's few seconds of leeway are accepted.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < readyAt) revert TreasuryPlanNotReady(throughEpoch, readyAt);

        // Checks and effects, purpose by purpose: each purpose gives no more than it has earmarked.
        (uint256 amount, uint256 reserveReleased) = _takeFromEarmarks(token, throughEpoch, purposes);
        // Effects: the plan's amount leaves the books, its reserve becomes free.
        Books storage books = _books[token];
        books.earmarked -= amount + reserveReleased;
        books.outflows += amount;
        emit DividendsFunded(token, fromEpoch, throughEpoch, amount, reserveReleased, newRoot, planHash);

        // Interactions: send the amount, require all of it to arrive, then move the distributor's root.
        if (amount != 0) {
            uint256 balanceBefore = _balanceOf(token, address(_distributor));
            _send(token, address(_distributor), amount);
            uint256 received = _balanceOf(token, address(_distributor)) - balanceBefore;
            if (received != amount) revert TreasuryIncompleteFunding(token, amount, received);
        }
        _distributor.updateRoot(token, fromEpoch, throughEpoch, newRoot, amount);
    }

    /// @inheritdoc IUnionTreasury
    function releaseEarmark(address token, bytes32 purposeId, uint256 amount, string calldata memo)
        external
        onlyTimelock
    {
        // Checks: a known purpose and no more than that purpose has earmarked (DESIGN.md §8).
        if (amount == 0) revert TreasuryZeroAmount();
        _checkPurpose(purposeId);
        uint256 available = _purposeEarmarks[token][purposeId];
        if (amount > available) revert TreasuryExceedsEarmark(token, purposeId, amount, available);
        // Effects: the released amount becomes free for `transfer`.
        _purposeEarmarks[token][purposeId] = available - amount;
        _books[token].earmarked -= amount;
        emit EarmarkReleased(token, purposeId, amount, memo);
    }

    /// @inheritdoc IUnionTreasury
    function bookUnattributed(address token, uint256 amount) external onlyTimelock {
        // Checks: an open epoch and no more than arrived unbooked.
        if (amount == 0) revert TreasuryZeroAmount();
        uint64 epoch = _currentEpoch();
        if (epoch == 0) revert TreasuryBeforeFirstEpoch(block.timestamp, _genesis);
        uint256 available = unattributed(token);
        if (amount > available) revert TreasuryExceedsUnattributed(token, amount, available);
        // Effects: general revenue of the current epoch, earmarked like any other (for the general purpose).
        Books storage books = _books[token];
        books.booked += amount;
        books.earmarked += amount;
        _purposeEarmarks[token][bytes32(0)] += amount;
        emit UnattributedBooked(token, amount, epoch);
    }

    /// @inheritdoc IUnionTreasury
    function transfer(address token, address to, uint256 amount, string calldata memo) external onlyTimelock {
        // Checks: a real recipient and only free funds.
        if (to == address(0)) revert TreasuryInvalidRecipient(to);
        if (amount == 0) revert TreasuryZeroAmount();
        uint256 free = freeBalance(token);
        if (amount > free) revert TreasuryExceedsFreeBalance(token, amount, free);
        // Effects: count the outflow before it happens.
        _books[token].outflows += amount;
        emit FundsTransferred(token, to, amount, memo);
        // Interactions: pay the recipient.
        _send(token, to, amount);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IUnionTreasury
    function earmarked(address token) external view returns (uint256) {
        return _books[token].earmarked;
    }

    /// @inheritdoc IUnionTreasury
    function earmarkedFor(address token, bytes32 purposeId) external view returns (uint256) {
        return _purposeEarmarks[token][purposeId];
    }

    /// @inheritdoc IUnionTreasury
    function bookedRevenue(address token) external view returns (uint256) {
        return _books[token].booked;
    }

    /// @inheritdoc IUnionTreasury
    function outflows(address token) external view returns (uint256) {
        return _books[token].outflows;
    }

    /// @inheritdoc IUnionTreasury
    function unattributed(address token) public view returns (uint256) {
        Books storage books = _books[token];
        uint256 held = books.booked - books.outflows;
        uint256 balance = _balanceOf(token, address(this));
        return balance > held ? balance - held : 0;
    }

    /// @inheritdoc IUnionTreasury
    function freeBalance(address token) public view returns (uint256) {
        Books storage books = _books[token];
        uint256 held = books.booked - books.outflows;
        uint256 balance = _balanceOf(token, address(this));
        uint256 spendable = balance < held ? balance : held;
        return spendable > books.earmarked ? spendable - books.earmarked : 0;
    }

    /// @inheritdoc IUnionTreasury
    function dividendPolicy() external view returns (DividendPolicy memory) {
        return _policy;
    }

    /// @inheritdoc IUnionTreasury
    function currentEpoch() external view returns (uint64) {
        return _currentEpoch();
    }

    /// @inheritdoc IUnionTreasury
    function timelock() external view returns (address) {
        return _timelock;
    }

    /// @inheritdoc IUnionTreasury
    function ledger() external view returns (address) {
        return address(_ledger);
    }

    /// @inheritdoc IUnionTreasury
    function membership() external view returns (address) {
        return address(_membership);
    }

    /// @inheritdoc IUnionTreasury
    function distributor() external view returns (address) {
        return address(_distributor);
    }

    // ------------------------------------------------------------------ internal

    /// @dev Checks shared by every payment: a non-zero amount, epoch 1 started, and a known purpose.
    function _checkPayment(uint256 amount, bytes32 purposeId) private view {
        if (amount == 0) revert TreasuryZeroAmount();
        // Epochs are defined by block timestamps (DESIGN.md §2); a validator's few seconds of leeway are accepted.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < _genesis) revert TreasuryBeforeFirstEpoch(block.timestamp, _genesis);
        _checkPurpose(purposeId);
    }

    /// @dev The general purpose (0) always exists; any other must be registered in the membership.
    function _checkPurpose(bytes32 purposeId) private view {
        if (purposeId != bytes32(0) && !_membership.isPurpose(purposeId)) revert TreasuryUnknownPurpose(purposeId);
    }

    /// @dev Books revenue that has arrived; skips every check (callers run `_checkPayment` first).
    function _book(address token, bytes32 purposeId, address payer, uint256 amount, string memory licenseRef) private {
        Books storage books = _books[token];
        books.booked += amount;
        books.earmarked += amount;
        _purposeEarmarks[token][purposeId] += amount;
        emit RevenueReceived(token, purposeId, payer, amount, _currentEpoch(), licenseRef);
    }

    /// @dev Takes each purpose's share of a funding out of its earmark (emitting `PurposeFunded`) and returns the sums;
    /// skips every check but the purposes' (order, something taken, within the earmark): `fundDividends` checks the
    /// plan's range first.
    function _takeFromEarmarks(address token, uint64 throughEpoch, PurposeFunding[] calldata purposes)
        private
        returns (uint256 amount, uint256 reserveReleased)
    {
        mapping(bytes32 purposeId => uint256) storage earmarks = _purposeEarmarks[token];
        for (uint256 i = 0; i < purposes.length; ++i) {
            PurposeFunding calldata funding = purposes[i];
            bytes32 purposeId = funding.purposeId;
            // Ascending ids: each purpose once, and one encoding per plan (the event is compared with the document).
            if (i > 0 && purposeId <= purposes[i - 1].purposeId) {
                revert TreasuryPurposesNotAscending(purposes[i - 1].purposeId, purposeId);
            }
            uint256 taken = funding.amount + funding.reserveReleased;
            if (taken == 0) revert TreasuryZeroAmount();
            uint256 available = earmarks[purposeId];
            if (taken > available) revert TreasuryExceedsEarmark(token, purposeId, taken, available);
            earmarks[purposeId] = available - taken;
            emit PurposeFunded(token, purposeId, throughEpoch, funding.amount, funding.reserveReleased);
            amount += funding.amount;
            reserveReleased += funding.reserveReleased;
        }
    }

    /// @dev Validates and stores a policy; skips the caller check (the constructor and `setDividendPolicy` use it).
    function _setDividendPolicy(DividendPolicy memory policy) private {
        bool valid = uint256(policy.reserveBps) + policy.operationsBps <= _BPS && policy.floorBps <= _BPS
            && policy.capBps <= _BPS && ((policy.operationsAccount != address(0)) == (policy.operationsBps > 0));
        if (!valid) {
            revert TreasuryInvalidPolicy(
                policy.reserveBps, policy.operationsBps, policy.floorBps, policy.capBps, policy.operationsAccount
            );
        }
        _policy = policy;
        emit DividendPolicySet(
            policy.reserveBps, policy.operationsBps, policy.floorBps, policy.capBps, policy.operationsAccount
        );
    }

    /// @dev The epoch containing this block's timestamp; 0 before epoch 1.
    function _currentEpoch() private view returns (uint64) {
        // Epochs are defined by block timestamps (DESIGN.md §2); a validator's few seconds of leeway are accepted.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < _genesis) return 0;
        return SafeCast.toUint64((block.timestamp - _genesis) / _epochLength + 1);
    }

    /// @dev Sends ETH (`token == address(0)`) or an ERC-20, reverting on failure.
    function _send(address token, address to, uint256 amount) private {
        if (token == address(0)) {
            Address.sendValue(payable(to), amount);
        } else {
            IERC20(token).safeTransfer(to, amount);
        }
    }

    /// @dev `account`'s balance of ETH (`token == address(0)`) or of an ERC-20.
    function _balanceOf(address token, address account) private view returns (uint256) {
        return token == address(0) ? account.balance : IERC20(token).balanceOf(account);
    }
}
