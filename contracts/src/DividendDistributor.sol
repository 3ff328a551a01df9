// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {IDividendDistributor} from "./interfaces/IDividendDistributor.sol";

/// @title DividendDistributor
/// @notice Holds funded dividends and pays cumulative Merkle claims (DESIGN.md §1, §2). The treasury creates it in its
/// constructor and is fixed here as an immutable, so no initializer exists that anyone could front-run.
/// @dev The claim path is kept lean for its gas target (a steady-state ERC-20 claim with a 20-hash proof within
/// 70,000 gas per transaction): one slot for the root, one packed slot for Σ funded / Σ claimed, one slot for the
/// account's claimed amount, and no reentrancy lock — checks-effects-interactions makes re-entry harmless, because
/// the account's claimed amount and Σ claimed are written before the payment.
contract DividendDistributor is IDividendDistributor {
    using SafeERC20 for IERC20;

    /// @dev Σ funded and Σ claimed of one token, packed in one slot; `claimed <= funded` always.
    struct Totals {
        uint128 funded;
        uint128 claimed;
    }

    address private immutable _treasury;

    mapping(address token => bytes32) private _roots;
    mapping(address token => Totals) private _totals;
    mapping(address token => uint64) private _lastFundedEpochs;
    mapping(address token => mapping(address account => uint256)) private _claimed;

    /// @param treasury_ the only account allowed to move roots and send ETH here
    constructor(address treasury_) {
        _treasury = treasury_;
    }

    /// @notice Accepts ETH funding from the treasury only, so stray ETH cannot be sent here by mistake.
    receive() external payable {
        if (msg.sender != _treasury) revert DistributorUnauthorized(msg.sender);
    }

    /// @inheritdoc IDividendDistributor
    function updateRoot(address token, uint64 fromEpoch, uint64 throughEpoch, bytes32 newRoot, uint256 amount)
        external
    {
        // Checks: only the treasury, and only the plan that continues where the last one ended.
        if (msg.sender != _treasury) revert DistributorUnauthorized(msg.sender);
        uint64 last = _lastFundedEpochs[token];
        if (fromEpoch != last) revert DistributorStalePlan(token, fromEpoch, last);
        if (throughEpoch <= fromEpoch) revert DistributorInvalidEpochRange(fromEpoch, throughEpoch);
        Totals memory totals = _totals[token];
        uint256 newTotalFunded = uint256(totals.funded) + amount;
        if (newTotalFunded > type(uint128).max) revert DistributorFundingOverflow(token, newTotalFunded);

        // Effects: the new root, the epochs it covers and the funded total move together.
        _roots[token] = newRoot;
        _lastFundedEpochs[token] = throughEpoch;
        // casting to 'uint128' is safe because newTotalFunded <= type(uint128).max was checked above
        // forge-lint: disable-next-line(unsafe-typecast)
        _totals[token] = Totals({funded: uint128(newTotalFunded), claimed: totals.claimed});
        emit RootUpdated(token, fromEpoch, throughEpoch, newRoot, amount);
    }

    /// @inheritdoc IDividendDistributor
    function claim(address token, address account, uint256 cumulativeAmount, bytes32[] calldata proof)
        external
        returns (uint256 amount)
    {
        return _claim(token, account, cumulativeAmount, proof);
    }

    /// @inheritdoc IDividendDistributor
    function claimMany(
        address[] calldata tokens,
        address account,
        uint256[] calldata cumulativeAmounts,
        bytes32[][] calldata proofs
    ) external returns (uint256[] memory amounts) {
        uint256 count = tokens.length;
        if (cumulativeAmounts.length != count || proofs.length != count) {
            revert DistributorLengthMismatch(count, cumulativeAmounts.length, proofs.length);
        }
        amounts = new uint256[](count);
        for (uint256 i = 0; i < count; ++i) {
            amounts[i] = _claim(tokens[i], account, cumulativeAmounts[i], proofs[i]);
        }
    }

    /// @inheritdoc IDividendDistributor
    function merkleRoot(address token) external view returns (bytes32) {
        return _roots[token];
    }

    /// @inheritdoc IDividendDistributor
    function lastFundedEpoch(address token) external view returns (uint64) {
        return _lastFundedEpochs[token];
    }

    /// @inheritdoc IDividendDistributor
    function totalFunded(address token) external view returns (uint256) {
        return _totals[token].funded;
    }

    /// @inheritdoc IDividendDistributor
    function totalClaimed(address token) external view returns (uint256) {
        return _totals[token].claimed;
    }

    /// @inheritdoc IDividendDistributor
    function claimed(address token, address account) external view returns (uint256) {
        return _claimed[token][account];
    }

    /// @inheritdoc IDividendDistributor
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @dev Verifies the leaf, books the claim and pays it. Does every check itself; callers only route arguments.
    function _claim(address token, address account, uint256 cumulativeAmount, bytes32[] calldata proof)
        private
        returns (uint256 amount)
    {
        // Checks: the leaf is under the token's root, something is due, and Σ claimed stays within Σ funded.
        // The leaf is hashed twice (StandardMerkleTree), so a 64-byte inner node can never pass as a leaf.
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount))));
        if (!MerkleProof.verifyCalldata(proof, _roots[token], leaf)) {
            revert DistributorInvalidProof(token, account, cumulativeAmount);
        }
        uint256 alreadyClaimed = _claimed[token][account];
        if (cumulativeAmount <= alreadyClaimed) {
            revert DistributorNothingToClaim(token, account, cumulativeAmount, alreadyClaimed);
        }
        amount = cumulativeAmount - alreadyClaimed;
        Totals memory totals = _totals[token];
        uint256 newTotalClaimed = uint256(totals.claimed) + amount;
        if (newTotalClaimed > totals.funded) revert DistributorExceedsFunded(token, newTotalClaimed, totals.funded);

        // Effects: record the claim before paying, so a re-entrant call finds nothing due.
        _claimed[token][account] = cumulativeAmount;
        // casting to 'uint128' is safe because newTotalClaimed <= totals.funded, a uint128
        // forge-lint: disable-next-line(unsafe-typecast)
        _totals[token] = Totals({funded: totals.funded, claimed: uint128(newTotalClaimed)});
        emit Claimed(token, account, amount, cumulativeAmount);

        // Interactions: pay the account, never the caller.
        if (token == address(0)) {
            Address.sendValue(payable(account), amount);
        } else {
            IERC20(token).safeTransfer(account, amount);
        }
    }
}
