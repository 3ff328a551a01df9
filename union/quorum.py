"""The governor's quorum rule (DESIGN.md §8), once for every Python reader: deployment, ``union config check``, the API.

``UnionGovernor.quorum(t) = min(members(t), max(minQuorum(t), ceil(members(t) · quorumPercent(t) / 100)))``: the
percent of the members at the snapshot rounded up, never below the union's minimum quorum, never above the members.
The contract is the authority; this mirrors it for figures computed from indexed events and for checking settings
before they reach the chain (``tests/e2e/test_quorum.py`` compares the two on a real deployment).
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "DEFAULT_MIN_QUORUM",
    "QUORUM_DENOMINATOR",
    "describe_quorum_rule",
    "quorum_settings_problem",
    "quorum_votes",
]

QUORUM_DENOMINATOR: Final = 100
"""OZ ``GovernorVotesQuorumFraction.quorumDenominator()``: the quorum numerator is a percent."""

DEFAULT_MIN_QUORUM: Final = 3
"""The minimum quorum a deployment gets unless its configuration says otherwise (DESIGN.md §8)."""

_SAFE_MIN_QUORUM: Final = 2
"""The smallest minimum under which no single member can pass a proposal alone in a union of two or more."""


def quorum_votes(members: int, percent: int, min_quorum: int) -> int:
    """Votes (for + abstain) a proposal needs with ``members`` at its snapshot, as ``UnionGovernor.quorum``."""
    by_percent = -(-members * percent // QUORUM_DENOMINATOR)  # ceiling division, as OZ Math.mulDiv(…, Ceil)
    return min(members, max(min_quorum, by_percent))


def describe_quorum_rule(percent: int, min_quorum: int) -> str:
    """The rule in words, for people: "10 % of the members rounded up, at least 3"."""
    return f"{percent} % of the members rounded up, at least {min_quorum}"


def _lone_vote_sizes(percent: int, min_quorum: int) -> str | None:
    """The union sizes of two or more at which one vote meets the quorum, in words; None if there are none.

    ``quorum_votes`` never decreases as members join, so those sizes run from 2 up to a largest one (or for ever);
    below a minimum of 2 the percent decides, and one vote suffices while ``members · percent ≤ 100``.
    """
    if quorum_votes(2, percent, min_quorum) > 1:
        return None
    if percent == 0:
        return "of any size"
    largest = QUORUM_DENOMINATOR // percent
    return "of 2 members" if largest == 2 else f"of 2 to {largest} members"


def quorum_settings_problem(percent: int, min_quorum: int, *, local_test_union: bool) -> str | None:
    """Why these quorum settings are refused (DESIGN.md §8), or None when they are acceptable.

    A real union needs ``quorum_percent`` within 1–100 and ``min_quorum`` ≥ 2, so that no member alone can pass a
    proposal in a union of three or more; only a union marked ``local_test_union`` may use anything else.
    """
    if not 0 <= percent <= QUORUM_DENOMINATOR:
        return f"quorum_percent = {percent} is not a percent: it must be within 1–100"
    if min_quorum < 1:
        return f"min_quorum = {min_quorum}: the governor needs at least one vote for any proposal"
    if local_test_union:
        return None
    problems = []
    if min_quorum < _SAFE_MIN_QUORUM:
        sizes = _lone_vote_sizes(percent, min_quorum)
        problems.append(
            f"min_quorum = {min_quorum} is below {_SAFE_MIN_QUORUM}: in a union {sizes} one member alone could pass "
            "a proposal, a treasury transfer included"
            if sizes is not None
            else f"min_quorum = {min_quorum} is below {_SAFE_MIN_QUORUM}: only the percent would keep one member "
            "alone from passing a proposal in a small union, and governance may lower the percent later"
        )
    if percent < 1:
        problems.append(
            f"quorum_percent = {percent} is outside 1–100: the quorum would never grow with the union, so a union of "
            f"any size would pass proposals on {min_quorum} vote{'' if min_quorum == 1 else 's'}"
        )
    if not problems:
        return None
    return (
        f"{'; '.join(problems)} (quorum = {describe_quorum_rule(percent, min_quorum)}). Use quorum_percent within "
        f"1–100 and min_quorum of at least {_SAFE_MIN_QUORUM} (default {DEFAULT_MIN_QUORUM}); only a union marked "
        "local_test_union may do otherwise"
    )
