"""The Board report runs the cycle collector less often while it works, and leaves the process's
setting as it found it, whether the report is made or fails."""

from __future__ import annotations

import gc

import pytest

from sli_rules.cli.report import COLLECT_EVERY, fewer_collections


def test_the_collector_setting_is_put_back() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == (COLLECT_EVERY, *before[1:])
    assert gc.get_threshold() == before
    with pytest.raises(KeyError), fewer_collections():
        raise KeyError("a report that fails")
    assert gc.get_threshold() == before


def test_cycles_made_meanwhile_are_still_collected() -> None:
    with fewer_collections():
        gc.collect()
        for _ in range(3 * COLLECT_EVERY):
            cycle: list[object] = []
            cycle.append(cycle)
        del cycle
        assert gc.collect() < COLLECT_EVERY  # most were found by the collector's own passes
