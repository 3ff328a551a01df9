// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {IDividendDistributor} from "../../src/interfaces/IDividendDistributor.sol";

/// @notice Refuses every ETH payment.
contract RejectingReceiver {
    receive() external payable {
        revert("no ETH");
    }
}

/// @notice On receiving an ETH dividend, claims the same leaf again from inside the payment.
contract ReentrantClaimer {
    IDividendDistributor public distributor;
    uint256 public cumulativeAmount;
    bytes32[] public proof;
    bytes public reentryError;
    bool private _entered;

    function arm(IDividendDistributor distributor_, uint256 cumulativeAmount_, bytes32[] memory proof_) external {
        distributor = distributor_;
        cumulativeAmount = cumulativeAmount_;
        proof = proof_;
    }

    receive() external payable {
        if (_entered) return;
        _entered = true;
        try distributor.claim(address(0), address(this), cumulativeAmount, proof) {
            reentryError = "reentry paid";
        } catch (bytes memory reason) {
            reentryError = reason;
        }
    }
}
