// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.37;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title SmartWallet1271
/// @notice A minimal contract wallet for local chains and tests: it accepts a hash as signed (EIP-1271) when its
/// owner's key signed it, and runs calls for its owner — enough to be a member that votes and consents by signature.
contract SmartWallet1271 is IERC1271 {
    /// @notice The caller is not the wallet's owner.
    error SmartWalletUnauthorized(address caller);

    /// @notice The EOA whose signatures the wallet accepts and who may make it call.
    address public immutable owner;

    /// @param owner_ the EOA controlling the wallet
    constructor(address owner_) {
        owner = owner_;
    }

    /// @notice Accepts ETH (e.g. dividends paid in ETH).
    receive() external payable {}

    /// @notice Calls `target` with `value` and `data` on the owner's behalf.
    /// @param target the contract called
    /// @param value the ETH sent
    /// @param data the call data
    /// @return result the call's return data (reverts bubble up)
    function execute(address target, uint256 value, bytes calldata data) external returns (bytes memory result) {
        if (msg.sender != owner) revert SmartWalletUnauthorized(msg.sender);
        return Address.functionCallWithValue(target, data, value);
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4 magicValue) {
        (address signer, ECDSA.RecoverError error,) = ECDSA.tryRecoverCalldata(hash, signature);
        bool valid = error == ECDSA.RecoverError.NoError && signer == owner;
        return valid ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }
}
