// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TestERC20
/// @notice A plain ERC-20 for local chains only (the demo's revenue token and tests): anyone may mint.
/// @dev Never deploy it on a public chain; the deployer refuses testing contracts outside the local demo.
contract TestERC20 is ERC20 {
    /// @param name_ the token's name
    /// @param symbol_ the token's symbol
    constructor(string memory name_, string memory symbol_) ERC20(name_, symbol_) {}

    /// @notice Mints `amount` to `to`; open to anyone because the token has no value.
    /// @param to the recipient
    /// @param amount the amount minted
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
