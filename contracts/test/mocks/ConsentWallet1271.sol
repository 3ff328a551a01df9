// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

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
