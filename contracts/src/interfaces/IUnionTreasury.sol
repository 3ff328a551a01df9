// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

/// @title The union's treasury: booked revenue, the dividend policy and the earmark of undistributed revenue.
/// @notice Anyone pays revenue in; only the timelock (a passed, delayed vote) moves anything out (DESIGN.md §1, §2).
/// @dev Books per token (ETH is `token == address(0)`):
///   - `bookedRevenue` = Σ revenue booked by `payRevenue`/`receive` (what actually arrived) + Σ `bookUnattributed`;
///   - `outflows` = Σ amounts sent to the distributor by `fundDividends` + Σ `transfer`;
///   - `earmarkedFor(token, purpose)` = revenue booked for the purpose − Σ funded and reserve released for it by
///     `fundDividends` − Σ released for it by `releaseEarmark` (unattributed bookings count as "general", id 0);
///   - `earmarked` = Σ over purposes of `earmarkedFor` (revenue not yet distributed);
///   - `unattributed` = balance − (bookedRevenue − outflows): tokens that arrived without `payRevenue`.
/// Invariants: `earmarked <= bookedRevenue - outflows <= balance` (while the token itself does not take balance away),
/// hence `bookedRevenue - outflows == balance - unattributed` and the balance never falls below the earmark. No
/// purpose's earmark pays for another's (DESIGN.md §8 "Earmark per purpose"): a release or a funding may take from a
/// purpose only what that purpose has earmarked.
interface IUnionTreasury {
    /// @notice How each epoch's gross revenue of a purpose is split (DESIGN.md §2 "Policy"), in basis points of 10,000.
    /// @param reserveBps share kept in the treasury (released from the earmark, free for `transfer`)
    /// @param operationsBps share allocated to `operationsAccount` in the dividend tree
    /// @param floorBps share of the distributable amount split equally among the eligible members
    /// @param capBps per-member cap in bps of the distributable amount; 0 = no cap
    /// @param operationsAccount receives the operations share; must be non-zero iff `operationsBps > 0`
    struct DividendPolicy {
        uint16 reserveBps;
        uint16 operationsBps;
        uint16 floorBps;
        uint16 capBps;
        address operationsAccount;
    }

    /// @notice What one funding takes out of one purpose's earmark (the plan document's per-purpose totals).
    /// @param purposeId the purpose (0 = general)
    /// @param amount sent to the distributor: the allocations paid out of this purpose's revenue and carry
    /// @param reserveReleased left in the treasury, free for `transfer`: this purpose's reserve and uncappable excess
    struct PurposeFunding {
        bytes32 purposeId;
        uint256 amount;
        uint256 reserveReleased;
    }

    // ------------------------------------------------------------------ errors

    /// @notice `caller` is not the timelock, the only account allowed to change the treasury.
    error TreasuryUnauthorized(address caller);
    /// @notice A zero amount was paid, booked, released or transferred (or a funding names a purpose it takes nothing
    /// from).
    error TreasuryZeroAmount();
    /// @notice ETH payment whose `msg.value` differs from the declared `amount` (or ETH sent with an ERC-20 payment).
    error TreasuryEthAmountMismatch(uint256 msgValue, uint256 amount);
    /// @notice Revenue cannot be booked before epoch 1 starts at `genesis`.
    error TreasuryBeforeFirstEpoch(uint256 timestamp, uint256 genesis);
    /// @notice `purposeId` is neither the general purpose (0) nor registered in the membership's purpose registry.
    error TreasuryUnknownPurpose(bytes32 purposeId);
    /// @notice The policy's fields are inconsistent (see `DividendPolicy`).
    error TreasuryInvalidPolicy(
        uint16 reserveBps, uint16 operationsBps, uint16 floorBps, uint16 capBps, address operationsAccount
    );
    /// @notice A plan must start at the token's last funded epoch `lastFundedEpoch`; `fromEpoch` is stale or ahead.
    error TreasuryStalePlan(address token, uint64 fromEpoch, uint64 lastFundedEpoch);
    /// @notice A plan must cover at least one epoch: `throughEpoch > fromEpoch`.
    error TreasuryInvalidEpochRange(uint64 fromEpoch, uint64 throughEpoch);
    /// @notice `throughEpoch` is still open (entries may change) until `readyAt` = end(throughEpoch) + grace.
    error TreasuryPlanNotReady(uint64 throughEpoch, uint256 readyAt);
    /// @notice `requested` exceeds the revenue of `token` still earmarked for `purposeId` (`earmarked`): a release or a
    /// funding may not spend another purpose's earmark.
    error TreasuryExceedsEarmark(address token, bytes32 purposeId, uint256 requested, uint256 earmarked);
    /// @notice A funding's purposes must be listed in strictly ascending id order (each once): `purposeId` follows
    /// `previous`.
    error TreasuryPurposesNotAscending(bytes32 previous, bytes32 purposeId);
    /// @notice The distributor's balance grew by `received` instead of `amount` (e.g. a fee-on-transfer token).
    error TreasuryIncompleteFunding(address token, uint256 amount, uint256 received);
    /// @notice `requested` exceeds the tokens that arrived without `payRevenue`.
    error TreasuryExceedsUnattributed(address token, uint256 requested, uint256 unattributed);
    /// @notice `requested` exceeds the free (booked, not earmarked) balance `free` of `token`.
    error TreasuryExceedsFreeBalance(address token, uint256 requested, uint256 free);
    /// @notice A transfer to the zero address.
    error TreasuryInvalidRecipient(address to);

    // ------------------------------------------------------------------ events

    /// @notice Revenue was booked: `amount` is what actually arrived; it belongs to `epoch` and to `purposeId`.
    event RevenueReceived(
        address indexed token,
        bytes32 indexed purposeId,
        address indexed payer,
        uint256 amount,
        uint64 epoch,
        string licenseRef
    );
    /// @notice The dividend policy in force from this block on (every field, the operations account included).
    event DividendPolicySet(
        uint16 reserveBps, uint16 operationsBps, uint16 floorBps, uint16 capBps, address operationsAccount
    );
    /// @notice A plan was funded: `amount` went to the distributor, `reserveReleased` left the earmark and the
    /// distributor's root for `token` now covers epochs up to `throughEpoch`. One `PurposeFunded` per purpose, logged
    /// just before, says what each purpose's earmark gave (`amount` and `reserveReleased` are their sums).
    event DividendsFunded(
        address indexed token,
        uint64 fromEpoch,
        uint64 throughEpoch,
        uint256 amount,
        uint256 reserveReleased,
        bytes32 newRoot,
        bytes32 planHash
    );
    /// @notice The funding of `token` through `throughEpoch` took `amount` (sent to the distributor) and
    /// `reserveReleased` (made free) out of `purposeId`'s earmark.
    event PurposeFunded(
        address indexed token, bytes32 indexed purposeId, uint64 throughEpoch, uint256 amount, uint256 reserveReleased
    );
    /// @notice Governance released `amount` of `purposeId`'s earmark so it becomes free to transfer.
    event EarmarkReleased(address indexed token, bytes32 indexed purposeId, uint256 amount, string memo);
    /// @notice Governance booked `amount` of unattributed inflow as general revenue of `epoch`.
    event UnattributedBooked(address indexed token, uint256 amount, uint64 epoch);
    /// @notice Governance transferred `amount` of free funds to `to`.
    event FundsTransferred(address indexed token, address indexed to, uint256 amount, string memo);

    // ------------------------------------------------------------------ revenue (anyone)

    /// @notice Pays revenue for `purposeId` (0 = general) under the licence `licenseRef`.
    /// @dev ETH: `token == address(0)` and `msg.value == amount`. ERC-20: `msg.value == 0`, the caller approved
    /// `amount`; the balance increase is booked, so a fee-on-transfer token books what arrived. Reverts before epoch 1.
    /// @param token the ERC-20 paid, or address(0) for ETH
    /// @param amount the amount paid (ETH: must equal msg.value)
    /// @param purposeId the purpose the revenue pays for (0 or a registered purpose)
    /// @param licenseRef free-form reference to the licence the payment is for
    function payRevenue(address token, uint256 amount, bytes32 purposeId, string calldata licenseRef) external payable;

    // ------------------------------------------------------------------ governance (timelock only)

    /// @notice Replaces the dividend policy; used for every epoch ending after this block (DESIGN.md §2).
    /// @param policy the new policy (validated as documented on `DividendPolicy`)
    function setDividendPolicy(DividendPolicy calldata policy) external;

    /// @notice Executes a dividend plan covering epochs (`fromEpoch`, `throughEpoch`] for `token`.
    /// @dev Reverts unless `fromEpoch` is the distributor's last funded epoch, `throughEpoch > fromEpoch`, the plan is
    /// ready (end(throughEpoch) + grace <= now), `purposes` are in ascending id order, each takes something and no
    /// more than `earmarkedFor(token, purposeId)`, and the distributor's balance grows by exactly Σ amount.
    /// @param token the token distributed (address(0) = ETH)
    /// @param fromEpoch the last funded epoch of `token` (0 at first)
    /// @param throughEpoch the last epoch the plan covers
    /// @param purposes per purpose, the allocations sent (their sum is the increment of Σ new allocations) and the
    /// reserve (and uncappable excess) released from its earmark; empty for a plan that moves nothing
    /// @param newRoot the new cumulative Merkle root
    /// @param planHash keccak256 of the canonical plan document
    function fundDividends(
        address token,
        uint64 fromEpoch,
        uint64 throughEpoch,
        PurposeFunding[] calldata purposes,
        bytes32 newRoot,
        bytes32 planHash
    ) external;

    /// @notice Releases `amount` of `purposeId`'s earmarked revenue (e.g. a carry nobody can take, or a refund), making
    /// it free. The planner honours it out of the purpose's carry first, then out of its pending distributable
    /// (DESIGN.md §8).
    /// @param token the token (address(0) = ETH)
    /// @param purposeId the purpose whose earmark is released (0 or a registered purpose)
    /// @param amount the amount released (at most `earmarkedFor(token, purposeId)`)
    /// @param memo why, for the public record
    function releaseEarmark(address token, bytes32 purposeId, uint256 amount, string calldata memo) external;

    /// @notice Books `amount` of unattributed inflow as general revenue of the current epoch (it becomes earmarked for
    /// the general purpose).
    /// @param token the token (address(0) = ETH)
    /// @param amount the amount booked (at most `unattributed(token)`)
    function bookUnattributed(address token, uint256 amount) external;

    /// @notice Sends `amount` of free funds to `to`. Only booked funds above the earmark are free: earmarked revenue
    /// and unattributed inflows (book them first) cannot be spent.
    /// @param token the token (address(0) = ETH)
    /// @param to the recipient (non-zero)
    /// @param amount the amount (at most `freeBalance(token)`)
    /// @param memo why, for the public record
    function transfer(address token, address to, uint256 amount, string calldata memo) external;

    // ------------------------------------------------------------------ views

    /// @notice Revenue of `token` booked and not yet distributed, released or reserved (Σ over its purposes).
    function earmarked(address token) external view returns (uint256);

    /// @notice Revenue of `token` booked for `purposeId` and not yet distributed, released or reserved.
    function earmarkedFor(address token, bytes32 purposeId) external view returns (uint256);

    /// @notice Σ revenue of `token` ever booked (payments and unattributed bookings).
    function bookedRevenue(address token) external view returns (uint256);

    /// @notice Σ `token` ever sent out (funded to the distributor and transferred).
    function outflows(address token) external view returns (uint256);

    /// @notice Balance of `token` that arrived without being booked: balance − (bookedRevenue − outflows), or 0 if
    /// the balance is below the books (a token that took balance away: the scheduler's alarm, never "fixed" here).
    function unattributed(address token) external view returns (uint256);

    /// @notice What `transfer` may spend now: min(balance, bookedRevenue − outflows) − earmarked, floored at 0.
    function freeBalance(address token) external view returns (uint256);

    /// @notice The dividend policy in force.
    function dividendPolicy() external view returns (DividendPolicy memory);

    /// @notice The epoch a payment made now belongs to (0 before epoch 1).
    function currentEpoch() external view returns (uint64);

    /// @notice The timelock, the only account that changes anything here.
    function timelock() external view returns (address);

    /// @notice The contribution ledger whose epochs the treasury books revenue in.
    function ledger() external view returns (address);

    /// @notice The membership contract (its purpose registry validates purpose ids).
    function membership() external view returns (address);

    /// @notice The dividend distributor, created by this treasury's constructor.
    function distributor() external view returns (address);
}
