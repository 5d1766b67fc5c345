"""The JSON writer's text is json.dumps(indent=2, ensure_ascii=False)'s, byte for byte."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sli_rules.assessment.results import Coverage, Judged, SupportOption, coverage_data, support_data
from sli_rules.report import json as json_writer
from sli_rules.report.json import _nested

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400)
@given(values, st.integers(min_value=0, max_value=3))
def test_the_text_is_json_dumps_at_any_depth(value: Any, level: int) -> None:
    expected = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)
    assert _nested(value, level) == expected


def test_kinds_it_does_not_know_are_left_to_json_dumps() -> None:
    class Count(int):
        pass

    value = {"a": [1, {2: "whole-number key"}], "b": Count(3), "c": float("nan"), "d": "é\n\"quoted\""}
    assert _nested(value, 1) == json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")


# Support options and coverage are left as their objects by `shared_gaps_data` and written
# once per value (`_VALUE_TEXTS`). Drawn from a few values each, so that a value written in
# one example meets one differing from it in a single field (or the indent) in another: a key
# that missed a field would give the other's text.
few = st.sampled_from(["a", "b", "é"])
options = st.builds(
    SupportOption, few, few, st.none() | few, st.lists(few, max_size=2).map(tuple)
)
judged = st.builds(Judged, st.integers(0, 2), st.integers(0, 2))
coverages = st.builds(Coverage, st.integers(0, 2), st.integers(0, 2), st.dictionaries(few, judged, max_size=2))


def _plain(value: Any) -> Any:
    """What `to_dict()` gives for a value `shared_gaps_data` leaves as itself."""
    if isinstance(value, Coverage):
        return coverage_data(value)
    if isinstance(value, tuple) and value and isinstance(value[0], SupportOption):
        return support_data(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


@settings(max_examples=300)
@given(
    st.lists(st.one_of(st.lists(options, min_size=1, max_size=3).map(tuple), coverages, st.none()), max_size=4),
    st.integers(min_value=0, max_value=2),
)
def test_support_and_coverage_written_once_are_their_data_as_json_dumps_writes_it(
    value: list[Any], level: int
) -> None:
    expected = json.dumps(_plain(value), indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)
    assert _nested(value, level) == expected
    assert _nested({"support": value}, level) == json.dumps(
        {"support": _plain(value)}, indent=2, ensure_ascii=False
    ).replace("\n", "\n" + "  " * level)


def test_texts_kept_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_writer, "_VALUE_TEXTS_KEPT", 2)
    monkeypatch.setattr(json_writer, "_VALUE_TEXTS", {})
    values = [(SupportOption(str(number), "t"),) for number in range(5)] + [Coverage(number, 5, {}) for number in range(5)]
    assert _nested(values, 1) == json.dumps(_plain(values), indent=2, ensure_ascii=False).replace("\n", "\n  ")
    assert 0 < len(json_writer._VALUE_TEXTS) <= 2
