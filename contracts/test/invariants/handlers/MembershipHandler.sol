// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {UnionMembership} from "../../../src/UnionMembership.sol";
import {Test} from "../../utils/Test.sol";

/// @notice Drives a membership through random admissions (batches, re-admissions), resignations, expulsions,
/// delegations and the passing of time, and keeps a ghost model of what every actor's membership and votes should
/// be — now and at every second it has seen end.
contract MembershipHandler is Test {
    uint256 public constant ACTOR_COUNT = 6;

    UnionMembership public immutable membership;
    address public immutable admissions;
    address public immutable governance;

    address[] private _actors;

    // Ghost model of the present.
    mapping(address account => bool) public ghostIsMember;
    /// @dev The member's chosen delegate, the zero address meaning itself (as the contract stores it).
    mapping(address account => address) public ghostDelegate;
    uint256 public ghostMembers;

    // Ghost model of the past: the state at the end of every second the handler has moved past.
    uint256[] private _checkedTimes;
    mapping(uint256 time => uint256) public ghostMembersAt;
    mapping(uint256 time => uint256) public ghostVotingPowerAt;
    mapping(uint256 time => mapping(address account => uint256)) public ghostVotesAt;
    mapping(uint256 time => mapping(address account => bool)) public ghostIsMemberAt;

    // How often each action really happened (to see that the campaign exercised them).
    mapping(bytes32 action => uint256) public calls;

    constructor(UnionMembership membership_, address admissions_, address governance_) {
        membership = membership_;
        admissions = admissions_;
        governance = governance_;
        for (uint256 i; i < ACTOR_COUNT; ++i) {
            _actors.push(address(uint160(uint256(keccak256(abi.encode("actor", i))))));
        }
    }

    // ------------------------------------------------------------------ actions

    /// @dev Admits up to two non-members in one batch (a former member comes back with its dead units).
    function admit(uint256 seedA, uint256 seedB) external {
        address a = _actor(seedA);
        address b = _actor(seedB);
        uint256 n = ghostIsMember[a] ? 0 : 1;
        if (b != a && !ghostIsMember[b]) ++n;
        if (n == 0) return;
        address[] memory batch = new address[](n);
        uint256 k;
        if (!ghostIsMember[a]) batch[k++] = a;
        if (b != a && !ghostIsMember[b]) batch[k++] = b;
        vm.prank(admissions);
        membership.admit(batch);
        for (uint256 i; i < n; ++i) {
            ghostIsMember[batch[i]] = true;
            ghostDelegate[batch[i]] = address(0);
        }
        ghostMembers += n;
        calls["admit"]++;
    }

    function resign(uint256 seed) external {
        address a = _actor(seed);
        if (!ghostIsMember[a]) return;
        vm.prank(a);
        membership.resign();
        _leave(a);
        calls["resign"]++;
    }

    function expel(uint256 seed) external {
        address a = _actor(seed);
        if (!ghostIsMember[a]) return;
        vm.prank(governance);
        membership.expel(a);
        _leave(a);
        calls["expel"]++;
    }

    /// @dev A member delegates to a member (itself included: taking the unit back).
    function delegate(uint256 fromSeed, uint256 toSeed) external {
        address from = _actor(fromSeed);
        address to = _actor(toSeed);
        if (!ghostIsMember[from] || !ghostIsMember[to]) return;
        vm.prank(from);
        membership.delegate(to);
        ghostDelegate[from] = to == from ? address(0) : to;
        calls["delegate"]++;
    }

    /// @dev Ends the current second in the model (its state is now final), then lets 1 s to 2 days pass.
    function warp(uint256 secondsLater) external {
        uint256 t = block.timestamp;
        if (_checkedTimes.length == 0 || _checkedTimes[_checkedTimes.length - 1] != t) _checkedTimes.push(t);
        ghostMembersAt[t] = ghostMembers;
        ghostVotingPowerAt[t] = expectedTotalVotingPower();
        for (uint256 i; i < ACTOR_COUNT; ++i) {
            address a = _actors[i];
            ghostVotesAt[t][a] = expectedVotes(a);
            ghostIsMemberAt[t][a] = ghostIsMember[a];
        }
        vm.warp(t + bound(secondsLater, 1, 2 days));
        calls["warp"]++;
    }

    // ------------------------------------------------------------------ model

    /// @notice The votes `account` should have now: its own unit unless delegated away, plus the units of current
    /// members delegated to it; nothing if it is not a member.
    function expectedVotes(address account) public view returns (uint256 votes) {
        if (!ghostIsMember[account]) return 0;
        if (ghostDelegate[account] == address(0)) votes = 1;
        for (uint256 i; i < ACTOR_COUNT; ++i) {
            address m = _actors[i];
            if (ghostIsMember[m] && ghostDelegate[m] == account) ++votes;
        }
    }

    /// @notice Members minus the units of members delegated to an address that is not a member.
    function expectedTotalVotingPower() public view returns (uint256) {
        return ghostMembers - unitsDelegatedToNonMembers();
    }

    function unitsDelegatedToNonMembers() public view returns (uint256 dead) {
        for (uint256 i; i < ACTOR_COUNT; ++i) {
            address m = _actors[i];
            address d = ghostDelegate[m];
            if (ghostIsMember[m] && d != address(0) && !ghostIsMember[d]) ++dead;
        }
    }

    function actors() external view returns (address[] memory) {
        return _actors;
    }

    function checkedTimes() external view returns (uint256[] memory) {
        return _checkedTimes;
    }

    // ------------------------------------------------------------------ internal

    function _leave(address a) private {
        ghostIsMember[a] = false;
        ghostDelegate[a] = address(0);
        ghostMembers -= 1;
    }

    function _actor(uint256 seed) private view returns (address) {
        return _actors[seed % ACTOR_COUNT];
    }
}
