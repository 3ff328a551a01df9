// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {DividendDistributor} from "../../src/DividendDistributor.sol";
import {UnionTreasury} from "../../src/UnionTreasury.sol";
import {Test} from "../utils/Test.sol";
import {TreasuryHandler} from "./TreasuryHandler.sol";

/// @notice The money invariants of DESIGN.md §1 and §2 under random payments, donations, governance actions, plans
/// and claims, checked for ETH, a plain ERC-20 and a fee-on-transfer ERC-20.
contract TreasuryInvariantsTest is Test {
    TreasuryHandler internal handler;
    UnionTreasury internal treasury;
    DividendDistributor internal distributor;

    function setUp() public {
        handler = new TreasuryHandler();
        treasury = handler.treasury();
        distributor = handler.distributor();
        targetContract(address(handler));
    }

    /// @dev The handler's paths are live: a fixed sequence funds, claims, spends and is refused.
    function test_handler_exercisesFundingClaimsAndTransfers() public {
        handler.payRevenue(0, 1_000e18, 1);
        handler.donate(0, 50e18);
        handler.bookUnattributed(0, 50e18);
        handler.releaseEarmark(0, 2, 1); // the third purpose has nothing earmarked: refused
        handler.fundDividends(0, 601e18 + 1, 100e18, 4_242);
        handler.claim(0, 0);
        handler.claim(0, 1);
        uint256 free = treasury.freeBalance(handler.tokens(0));
        vm.assertGt(free, 0);
        handler.transfer(0, free); // exactly the released reserve
        handler.transfer(0, 1); // nothing free is left
        handler.payRevenue(2, 1 ether, 0);
        handler.fundDividends(2, 1 ether + 1, 0, 7);
        handler.claim(2, 2);
        handler.payRevenue(0, 10e18, 2);
        handler.fundDividends(0, 8, 1, 7); // one purpose asks 1 wei more than it has: refused
        vm.assertEq(handler.refusedReleases(), 1);
        vm.assertEq(handler.refusedFundings(), 1);
        vm.assertEq(handler.successfulFundings(), 2);
        vm.assertGe(handler.successfulClaims(), 2);
        vm.assertEq(handler.successfulTransfers(), 1);
        vm.assertEq(handler.refusedTransfers(), 1);
        invariant_claimedNeverExceedsFunded();
        invariant_booksBalanceAgainstUnattributedInflows();
        invariant_purposeEarmarksSumToTheTokensEarmark();
    }

    function _each(function(address) internal view check) internal view {
        for (uint256 i = 0; i < handler.tokenCount(); ++i) {
            check(handler.tokens(i));
        }
    }

    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_claimedNeverExceedsFunded() public view {
        _each(_claimedNeverExceedsFunded);
    }

    function _claimedNeverExceedsFunded(address token) internal view {
        vm.assertLe(distributor.totalClaimed(token), distributor.totalFunded(token), "claimed <= funded");
        vm.assertEq(distributor.totalClaimed(token), handler.ghostClaimed(token), "claimed == ghost");
        vm.assertEq(distributor.totalFunded(token), handler.ghostFunded(token), "funded == ghost");
    }

    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_distributorHoldsWhatIsStillClaimable() public view {
        _each(_distributorHoldsWhatIsStillClaimable);
    }

    function _distributorHoldsWhatIsStillClaimable(address token) internal view {
        vm.assertGe(
            handler.balanceOf(token, address(distributor)),
            distributor.totalFunded(token) - distributor.totalClaimed(token),
            "distributor balance >= funded - claimed"
        );
    }

    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_treasuryBalanceCoversTheEarmark() public view {
        _each(_treasuryBalanceCoversTheEarmark);
    }

    function _treasuryBalanceCoversTheEarmark(address token) internal view {
        vm.assertGe(handler.balanceOf(token, address(treasury)), treasury.earmarked(token), "balance >= earmark");
        vm.assertLe(
            treasury.earmarked(token),
            treasury.bookedRevenue(token) - treasury.outflows(token),
            "earmark <= booked - outflows"
        );
    }

    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_purposeEarmarksSumToTheTokensEarmark() public view {
        _each(_purposeEarmarksSumToTheTokensEarmark);
    }

    /// @dev DESIGN.md §8: Σ per purpose = the token's earmark, each purpose's earmark is what was booked for it less
    /// what fundings and releases took from it, and the balance covers all of them.
    function _purposeEarmarksSumToTheTokensEarmark(address token) internal view {
        uint256 sum = 0;
        for (uint256 i = 0; i < handler.purposeCount(); ++i) {
            bytes32 purposeId = handler.purposes(i);
            uint256 earmark = treasury.earmarkedFor(token, purposeId);
            vm.assertEq(earmark, handler.ghostEarmark(token, purposeId), "purpose earmark == ghost");
            sum += earmark;
        }
        vm.assertEq(sum, treasury.earmarked(token), "sum of purpose earmarks == token earmark");
        vm.assertGe(handler.balanceOf(token, address(treasury)), sum, "balance >= earmark");
    }

    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_booksBalanceAgainstUnattributedInflows() public view {
        _each(_booksBalance);
    }

    function _booksBalance(address token) internal view {
        uint256 balance = handler.balanceOf(token, address(treasury));
        vm.assertEq(treasury.bookedRevenue(token), handler.ghostBooked(token), "booked == ghost");
        vm.assertEq(treasury.outflows(token), handler.ghostOutflows(token), "outflows == ghost");
        vm.assertEq(
            treasury.bookedRevenue(token) - treasury.outflows(token),
            balance - handler.ghostUnattributed(token),
            "booked - outflows == balance - unattributed inflows"
        );
        vm.assertEq(treasury.unattributed(token), handler.ghostUnattributed(token), "unattributed == ghost");
    }
}
