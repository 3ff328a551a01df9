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

    /// @dev One token's state: its root and, packed in one slot, Σ funded (low 128 bits) and Σ claimed (high 128
    /// bits), so a claim reads and writes both totals with one SLOAD and one SSTORE; `claimed <= funded` always.
    struct TokenState {
        bytes32 root;
        uint256 packedTotals;
        uint64 lastFundedEpoch;
    }

    uint256 private constant _LOW_128_BITS = type(uint128).max;

    address private immutable _treasury;

    mapping(address token => TokenState) private _tokens;
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
        TokenState storage state = _tokens[token];
        uint64 last = state.lastFundedEpoch;
        if (fromEpoch != last) revert DistributorStalePlan(token, fromEpoch, last);
        if (throughEpoch <= fromEpoch) revert DistributorInvalidEpochRange(fromEpoch, throughEpoch);
        uint256 packedTotals = state.packedTotals;
        uint256 newTotalFunded = (packedTotals & _LOW_128_BITS) + amount;
        if (newTotalFunded > _LOW_128_BITS) revert DistributorFundingOverflow(token, newTotalFunded);

        // Effects: the new root, the epochs it covers and the funded total move together.
        state.root = newRoot;
        state.lastFundedEpoch = throughEpoch;
        state.packedTotals = (packedTotals & ~_LOW_128_BITS) | newTotalFunded;
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
        return _tokens[token].root;
    }

    /// @inheritdoc IDividendDistributor
    function lastFundedEpoch(address token) external view returns (uint64) {
        return _tokens[token].lastFundedEpoch;
    }

    /// @inheritdoc IDividendDistributor
    function totalFunded(address token) external view returns (uint256) {
        return _tokens[token].packedTotals & _LOW_128_BITS;
    }

    /// @inheritdoc IDividendDistributor
    function totalClaimed(address token) external view returns (uint256) {
        return _tokens[token].packedTotals >> 128;
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
        TokenState storage state = _tokens[token];
        if (!MerkleProof.verifyCalldata(proof, state.root, _leaf(account, cumulativeAmount))) {
            revert DistributorInvalidProof(token, account, cumulativeAmount);
        }
        uint256 alreadyClaimed = _claimed[token][account];
        if (cumulativeAmount <= alreadyClaimed) {
            revert DistributorNothingToClaim(token, account, cumulativeAmount, alreadyClaimed);
        }
        amount = cumulativeAmount - alreadyClaimed;
        uint256 packedTotals = state.packedTotals;
        uint256 funded = packedTotals & _LOW_128_BITS;
        uint256 newTotalClaimed = (packedTotals >> 128) + amount;
        if (newTotalClaimed > funded) revert DistributorExceedsFunded(token, newTotalClaimed, funded);

        // Effects: record the claim before paying, so a re-entrant call finds nothing due.
        _claimed[token][account] = cumulativeAmount;
        state.packedTotals = (newTotalClaimed << 128) | funded;
        emit Claimed(token, account, amount, cumulativeAmount);

        // Interactions: pay the account, never the caller.
        if (token == address(0)) {
            Address.sendValue(payable(account), amount);
        } else {
            IERC20(token).safeTransfer(account, amount);
        }
    }

    /// @dev The StandardMerkleTree leaf `keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount))))`,
    /// hashed in scratch space. Hashing twice means a 64-byte inner node can never pass as a leaf.
    function _leaf(address account, uint256 cumulativeAmount) private pure returns (bytes32 leaf) {
        assembly ("memory-safe") {
            mstore(0x00, account)
            mstore(0x20, cumulativeAmount)
            mstore(0x00, keccak256(0x00, 0x40))
            leaf := keccak256(0x00, 0x20)
        }
    }
}
