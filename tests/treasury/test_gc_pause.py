"""The cycle-collector pause around big plan documents: counted, and never leaves the collector off."""

from __future__ import annotations

import gc

from treasury._gc import cycle_collection_paused


def test_nested_pauses_resume_collection_only_when_the_last_one_leaves() -> None:
    assert gc.isenabled()
    with cycle_collection_paused():
        with cycle_collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_pause_entered_with_collection_off_leaves_it_off() -> None:
    gc.disable()
    try:
        with cycle_collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_failing_block_still_resumes_collection() -> None:
    try:
        with cycle_collection_paused():
            raise KeyError("boom")
    except KeyError:
        pass
    assert gc.isenabled()
