// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

import {IUnionTreasury} from "../../src/interfaces/IUnionTreasury.sol";

/// @notice An ERC-20 whose `transferFrom` pays revenue into the treasury again from inside the transfer, to try to
/// have the inner payment counted twice (once by itself, once in the outer payment's balance increase).
contract ReentrantERC20 is ERC20 {
    IUnionTreasury public target;

    constructor() ERC20("Reentrant", "RE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(IUnionTreasury target_) external {
        target = target_;
        _mint(address(this), 1e18);
        _approve(address(this), address(target_), type(uint256).max);
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (address(target) != address(0) && from != address(this)) {
            target.payRevenue(address(this), 1e18, bytes32(0), "inner");
        }
        return super.transferFrom(from, to, value);
    }
}
