"""``union.quorum``: the governor's rule (DESIGN.md §8) and the settings a real union may not deploy or vote in."""

from __future__ import annotations

from fractions import Fraction
from math import ceil

import pytest

from union.quorum import quorum_settings_problem, quorum_votes


def test_quorum_votes_is_the_percent_rounded_up_within_the_minimum_and_the_members() -> None:
    for members in range(0, 130):
        for percent in (0, 1, 10, 33, 34, 50, 99, 100):
            for minimum in (1, 2, 3, 7, 200):
                by_percent = ceil(Fraction(members * percent, 100))
                assert quorum_votes(members, percent, minimum) == min(members, max(minimum, by_percent))


def test_one_vote_never_passes_a_proposal_in_a_union_of_two_or_more_under_accepted_settings() -> None:
    for percent in range(1, 101):
        for minimum in (2, 3, 10):
            assert quorum_settings_problem(percent, minimum, local_test_union=False) is None
            assert all(quorum_votes(members, percent, minimum) >= 2 for members in range(2, 300))


@pytest.mark.parametrize(
    ("percent", "minimum", "said"),
    [
        (10, 1, "in a union of 2 to 10 members one member alone could pass a proposal"),
        (50, 1, "in a union of 2 members one member alone could pass a proposal"),
        (60, 1, "governance may lower the percent later"),
        (0, 3, "a union of any size would pass proposals on 3 votes"),
        (0, 1, "in a union of any size one member alone could pass a proposal"),
    ],
)
def test_refused_settings_say_why(percent: int, minimum: int, said: str) -> None:
    problem = quorum_settings_problem(percent, minimum, local_test_union=False)
    assert problem is not None
    assert said in problem
    assert quorum_settings_problem(percent, minimum, local_test_union=True) is None


def test_what_the_governor_refuses_is_refused_even_for_a_local_test_union() -> None:
    assert "not a percent" in str(quorum_settings_problem(101, 3, local_test_union=True))
    assert "at least one vote" in str(quorum_settings_problem(10, 0, local_test_union=True))
