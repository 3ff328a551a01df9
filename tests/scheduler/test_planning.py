"""When an epoch can be planned: closing blocks and closed epochs (pure)."""

from __future__ import annotations

from scheduler.planning import last_closed_epoch
from treasury.inputs import EpochSchedule
from treasury.readers import find_closing_block

TIMESTAMPS = {number: 1_000 + 12 * number for number in range(0, 101)}


def test_closing_block_is_the_first_block_at_or_after_the_moment() -> None:
    assert find_closing_block(TIMESTAMPS.__getitem__, 0, 100, 1_000 + 12 * 37) == 37
    assert find_closing_block(TIMESTAMPS.__getitem__, 0, 100, 1_000 + 12 * 37 - 5) == 37
    assert find_closing_block(TIMESTAMPS.__getitem__, 40, 100, 1_000) == 40


def test_no_closing_block_while_the_last_final_block_is_before_the_moment() -> None:
    assert find_closing_block(TIMESTAMPS.__getitem__, 0, 100, 1_000 + 12 * 100 + 1) is None
    assert find_closing_block(TIMESTAMPS.__getitem__, 10, 9, 0) is None


def test_an_epoch_is_closed_only_once_its_grace_window_is_over() -> None:
    schedule = EpochSchedule(genesis=10_000, length=3_600, grace=600)
    assert last_closed_epoch(schedule, 9_000) == 0
    assert last_closed_epoch(schedule, 10_000 + 3_600 + 599) == 0
    assert last_closed_epoch(schedule, 10_000 + 3_600 + 600) == 1
    assert last_closed_epoch(schedule, 10_000 + 2 * 3_600 + 600) == 2
