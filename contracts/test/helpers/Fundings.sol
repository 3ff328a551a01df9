// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {IUnionTreasury} from "../../src/interfaces/IUnionTreasury.sol";

/// @notice The `purposes` argument of `fundDividends` for the common test case.
library Fundings {
    /// @dev A funding that takes from one purpose only (an empty list when it takes nothing).
    function only(bytes32 purposeId, uint256 amount, uint256 reserveReleased)
        internal
        pure
        returns (IUnionTreasury.PurposeFunding[] memory fundings)
    {
        if (amount + reserveReleased == 0) return new IUnionTreasury.PurposeFunding[](0);
        fundings = new IUnionTreasury.PurposeFunding[](1);
        fundings[0] = IUnionTreasury.PurposeFunding(purposeId, amount, reserveReleased);
    }
}
