// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

/// @title Cumulative Merkle dividend distributor: one root per token, one leaf per account.
/// @notice A leaf is the OpenZeppelin StandardMerkleTree encoding of `(address account, uint256 cumulativeAmount)`:
/// `keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount))))`, where `cumulativeAmount` is all the
/// account was ever allocated in that token. A claim pays `cumulativeAmount − claimed(token, account)` to the account,
/// whoever submits it (the member or a relay), so no signature is needed. Roots move only from the treasury.
interface IDividendDistributor {
    // ------------------------------------------------------------------ errors

    /// @notice `caller` is not the treasury.
    error DistributorUnauthorized(address caller);
    /// @notice A root update must start at the token's last funded epoch `lastFundedEpoch`.
    error DistributorStalePlan(address token, uint64 fromEpoch, uint64 lastFundedEpoch);
    /// @notice A root update must cover at least one epoch: `throughEpoch > fromEpoch`.
    error DistributorInvalidEpochRange(uint64 fromEpoch, uint64 throughEpoch);
    /// @notice Σ funded for `token` would no longer fit the packed 128-bit counter.
    error DistributorFundingOverflow(address token, uint256 totalFunded);
    /// @notice The proof does not place the leaf (`account`, `cumulativeAmount`) under `token`'s root.
    error DistributorInvalidProof(address token, address account, uint256 cumulativeAmount);
    /// @notice `account` already claimed `alreadyClaimed` >= `cumulativeAmount`: nothing is due.
    error DistributorNothingToClaim(address token, address account, uint256 cumulativeAmount, uint256 alreadyClaimed);
    /// @notice The claim would raise Σ claimed to `newTotalClaimed`, above Σ funded `totalFunded`.
    error DistributorExceedsFunded(address token, uint256 newTotalClaimed, uint256 totalFunded);
    /// @notice `claimMany`'s arrays differ in length.
    error DistributorLengthMismatch(uint256 tokens, uint256 cumulativeAmounts, uint256 proofs);

    // ------------------------------------------------------------------ events

    /// @notice `token`'s root now covers epochs up to `throughEpoch`; `amount` more was funded.
    event RootUpdated(address indexed token, uint64 fromEpoch, uint64 throughEpoch, bytes32 root, uint256 amount);
    /// @notice `amount` of `token` was paid to `account`, whose claims now total `cumulativeAmount`.
    event Claimed(address indexed token, address indexed account, uint256 amount, uint256 cumulativeAmount);

    // ------------------------------------------------------------------ treasury

    /// @notice Replaces `token`'s root after the treasury sent `amount` more for epochs (`fromEpoch`, `throughEpoch`].
    /// @dev Only the treasury, which has already checked that `amount` arrived in full.
    /// @param token the token (address(0) = ETH)
    /// @param fromEpoch must equal `lastFundedEpoch(token)`
    /// @param throughEpoch the new last funded epoch (> `fromEpoch`)
    /// @param newRoot the new cumulative root
    /// @param amount the increment funded (added to `totalFunded(token)`)
    function updateRoot(address token, uint64 fromEpoch, uint64 throughEpoch, bytes32 newRoot, uint256 amount) external;

    // ------------------------------------------------------------------ claims (anyone)

    /// @notice Pays `account` what its leaf allocates beyond what it already claimed.
    /// @param token the token (address(0) = ETH)
    /// @param account the account in the leaf, which receives the payment
    /// @param cumulativeAmount the leaf's cumulative amount
    /// @param proof the sibling hashes from the leaf to the root (OZ MerkleProof, sorted pairs)
    /// @return amount the amount paid
    function claim(address token, address account, uint256 cumulativeAmount, bytes32[] calldata proof)
        external
        returns (uint256 amount);

    /// @notice Claims for `account` in several tokens at once; every claim must succeed.
    /// @param tokens the tokens
    /// @param account the account in every leaf
    /// @param cumulativeAmounts each leaf's cumulative amount
    /// @param proofs each leaf's proof
    /// @return amounts the amounts paid, per token
    function claimMany(
        address[] calldata tokens,
        address account,
        uint256[] calldata cumulativeAmounts,
        bytes32[][] calldata proofs
    ) external returns (uint256[] memory amounts);

    // ------------------------------------------------------------------ views

    /// @notice The current cumulative root of `token` (0 before the first funding).
    function merkleRoot(address token) external view returns (bytes32);

    /// @notice The last epoch covered by `token`'s root (0 before the first funding).
    function lastFundedEpoch(address token) external view returns (uint64);

    /// @notice Σ `token` ever funded.
    function totalFunded(address token) external view returns (uint256);

    /// @notice Σ `token` ever claimed (never above `totalFunded`).
    function totalClaimed(address token) external view returns (uint256);

    /// @notice Σ `token` ever paid to `account`.
    function claimed(address token, address account) external view returns (uint256);

    /// @notice The treasury, the only account that moves roots.
    function treasury() external view returns (address);
}
